"""Physical constants and the unit conventions of atomspin.

Conventions (stated once, used everywhere)
------------------------------------------
* Positions in Å (as ASE), temperatures in K, magnetic fields as μ0H in tesla at the API.
* **Model energies are in meV.**  Measurements convert to joules at their edge
  (e.g. ``barrier_J``); SAR works in SI throughout.
* Spins are **unit vectors** ŝ_i; the moment of site i is μ_i = m_i μB ŝ_i with m_i in μB.
* Hamiltonian (see :mod:`atomspin.model.core` for the full statement)::

      E = − Σ_{i<j} J_ij ŝ_i·ŝ_j  − Σ_i ŝ_iᵀ Q_i ŝ_i
          + Σ_i k1_i (sx²sy² + sy²sz² + sz²sx²) + k2_i sx²sy²sz²
          − Σ_i m_i μB B·ŝ_i  + E_dipolar

  Each pair is counted once; J_ij > 0 is ferromagnetic; J_ij absorbs the spin lengths
  and any factor 2 of the literature convention it came from.

Sources: CODATA 2018 exact / recommended values.
"""

MU_B = 9.2740100783e-24  # J/T, Bohr magneton (CODATA 2018)
K_B = 1.380649e-23  # J/K, Boltzmann constant (exact, SI 2019)
E_CHARGE = 1.602176634e-19  # C, elementary charge (exact, SI 2019)
MEV = 1e-3 * E_CHARGE  # J per meV
MU_0 = 1.25663706212e-6  # N/A², vacuum permeability (CODATA 2018)
AMU = 1.66053906660e-27  # kg, atomic mass unit (CODATA 2018)
GAMMA_E = 1.76085963023e11  # rad s⁻¹ T⁻¹, electron gyromagnetic ratio (CODATA 2018)

MU_B_MEV_PER_T = MU_B / MEV  # 0.05788 meV/T: Zeeman energy of 1 μB in 1 T
K_B_MEV_PER_K = K_B / MEV  # 0.08617 meV/K
ANGSTROM = 1e-10  # m
NM = 1e-9  # m


def mev_to_joule(e_mev):
    """Convert an energy in meV to J."""
    return e_mev * MEV


def joule_to_mev(e_j):
    """Convert an energy in J to meV."""
    return e_j / MEV


def tesla_to_A_per_m(b_tesla):
    """Convert μ0H in tesla to H in A/m."""
    return b_tesla / MU_0


def A_per_m_to_tesla(h_A_per_m):
    """Convert H in A/m to μ0H in tesla."""
    return h_A_per_m * MU_0
