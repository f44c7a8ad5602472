"""Shared defaults, validation helpers and unit conversions of :mod:`atomspin.sar`.

Units inside ``atomspin.sar`` are SI throughout: H in A/m (the unit of the SAR literature),
magnetisation in A/m, anisotropy in J/m³, volumes in m³, frequencies in Hz (cycles per second,
ω = 2πf), times in s, temperatures in K, densities in kg/m³. SAR is returned in **W per gram of
iron oxide** and ILP = SAR/(f H0²) in **nH m² kg⁻¹**. Where a function accepts μ0H in tesla the
argument name ends in ``_T``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from atomspin.structures import data as _lattice_data
from atomspin.units import K_B, MU_0
from atomspin.validation import check_array, check_nonnegative, check_positive  # noqa: F401 (re-exported)
from atomspin.validation import check_int as _check_int
from atomspin.validation import check_real as _check_real

# ---------------------------------------------------------------- defaults (each with its source)
TAU0_S = 1e-9
"""Attempt time τ0 = 1e-9 s of the fixed-τ0 (Néel–Arrhenius, Rosensweig, Carrey) models. Source:
Rosensweig, JMMM 252, 370 (2002) uses 1e-9 s; 1e-9 – 1e-11 s is the range used in the literature. The
landscape models have no τ0: their prefactor follows from α and the curvatures (Brown 1963/1979)."""

RHO_MAGNETITE = _lattice_data.LATTICES["Fe3O4"].density_kg_per_m3
"""Magnetite density, kg/m³ (5197). Derived: 8 Fe3O4 (231.533 g/mol) in a cube of a = 8.396 Å
(Hamilton 1958); stated once in :data:`atomspin.structures.data.LATTICES`."""

RHO_MAGHEMITE = _lattice_data.LATTICES["gamma-Fe2O3"].density_kg_per_m3
"""Maghemite density, kg/m³ (4876). Derived: Fe_{8/3}O4 per formula, a = 8.34 Å; stated once in
:data:`atomspin.structures.data.LATTICES`."""

MS_MAGNETITE_300K = 4.8e5
"""Magnetite M_s at room temperature, A/m (480 kA/m, 92 A m²/kg, as tabulated in the rock-magnetism
glossary of the Dourbes geophysical centre); the value Muñoz-Menendez et al. (2020) use."""

K_MAGNETITE_EFF = 1.0e4
"""A uniaxial constant for magnetite particles, J/m³: |K1| ≈ 1e4 J/m³ at room temperature (K1 ≈ −1e5
erg/cm³, rising to +1e5 at −165 °C: abstract of "Shape distribution of magnetite powders"; the usual
value of the uniaxial literature models, e.g. Muñoz-Menendez et al. 2020). It is *not*
the barrier of a cubic particle (|K1|V/12 over ⟨110⟩); see :class:`atomspin.sar.Particle`."""

K_MAGNETITE_UNIAXIAL = K_MAGNETITE_EFF
"""The same number under the name that says what it is (K_MAGNETITE_EFF is the old name)."""

VISCOSITY_WATER_37C = 6.9e-4
"""Dynamic viscosity of water at 37 °C, Pa s (standard tables: 0.692 mPa s at 37 °C)."""

C_B_MAGNETITE = 3.48e6
"""Volumetric heat capacity of magnetite, J m⁻³ K⁻¹: 670 J kg⁻¹ K⁻¹ × 5197 kg m⁻³ (the value used by
Muñoz-Menendez et al., PRB 102, 214412 (2020)); C_p(298 K) ≈ 151 J mol⁻¹ K⁻¹ gives 3.38e6."""

ALPHA_DEFAULT = 0.1
"""Gilbert damping α = 0.1 (dimensionless), a choice inside the measured range: α ≈ 0.01 for a 30 nm
epitaxial magnetite film from 120 to 300 K (broadband FMR, "Ferromagnetic resonance study of the
Verwey phase transition of magnetite thin film on MgGa2O4(001)") up to α ≈ 0.76 for 3 nm FePt
nanoparticles (Kötzler, Görlitz & Wiekhorst, PRB 2009, arXiv:0708.0463), where surfaces and
disorder enhance the damping. Nanoparticle α is not known to better than this decade; the escape
rates of :mod:`atomspin.sar.rates` are the intermediate-to-high-damping (IHD) ones, accurate for
α ≳ 0.1 at the barriers of interest; ``alpha`` is a field of every Particle."""

BREZOVICH_LIMIT = 4.85e8
"""Brezovich criterion H·f = 4.85e8 A m⁻¹ s⁻¹ (Brezovich, Med. Phys. Monogr. 16, 82 (1988); the primary
text was not read. The value 4.85·10⁸ A/(m·s) and the name "Brezovich criterion" were read in the abstract
of Faílde, Ocampo-Zalvide, Serantes & Iglesias, "Understanding magnetic hyperthermia performance within
the 'Brezovich criterion': beyond the uniaxial anisotropy description", arXiv:2405.20756 (2024): a
secondary source, so the value is [U] as quoted)."""

HERGT_DUTZ_LIMIT = 5.0e9
"""Hergt & Dutz, J. Magn. Magn. Mater. 311, 187 (2007): H·f < 5e9 A m⁻¹ s⁻¹ [U: the primary paper was
not read and no source read states the number; the *name* "Hergt–Dutz limit" for the tolerable H·f window
is in the abstract of Ferrero, Vicentini & Manzin, Nanoscale Adv. (2024), doi:10.1039/d3na00709j, whose
drives (50 kHz–1 MHz, 1–50 kA/m) it bounds]."""


# ---------------------------------------------------------------- validation
# one implementation for every layer: atomspin.validation


def check_range(name, value, lo, hi, lo_open=False, hi_open=False):
    """Return ``float(value)``; ValueError unless it lies in the stated interval."""
    return _check_real(name, value, lo, hi, lo_open, hi_open)


def check_int(name, value, lo=1):
    """Return ``int(value)``; ValueError unless an integer ≥ lo (and ≤ MAX_COUNT)."""
    return _check_int(name, value, lo)


# ---------------------------------------------------------------- conversions
def sphere_volume(d_m):
    """Volume (m³) of a sphere of diameter ``d_m`` (m)."""
    return math.pi / 6.0 * np.asarray(d_m, dtype=np.float64) ** 3


def particle_volume(d=None, V=None, scalar=False):
    """Magnetic volume (m³) from exactly one of the diameter ``d`` (m, sphere) or the volume ``V`` (m³).

    ``scalar=True`` returns a float (ValueError for arrays); otherwise a float64 array.
    """
    if (d is None) == (V is None):
        raise ValueError("d, V: give exactly one of the magnetic diameter d (m) or volume V (m³)")
    if scalar:
        return float(sphere_volume(check_positive("d", d))) if V is None else check_positive("V", V)
    return sphere_volume(check_array("d", d, positive=True)) if V is None else check_array("V", V, positive=True)


def sphere_diameter(v_m3):
    """Diameter (m) of a sphere of volume ``v_m3`` (m³)."""
    return np.cbrt(6.0 * np.asarray(v_m3, dtype=np.float64) / math.pi)


def anisotropy_field(K, Ms):
    """Uniaxial anisotropy field H_K = 2K/(μ0 Ms) in A/m (K in J/m³, Ms in A/m)."""
    return 2.0 * K / (MU_0 * Ms)


def sar_from_area(area_J_per_m3, f, rho):
    """SAR in W/g from a loop area per volume of oxide (J/m³): SAR = A f / ρ (ρ in kg/m³)."""
    return np.asarray(area_J_per_m3) * f / rho * 1e-3


def ilp(sar_W_per_g, f, H0):
    """Intrinsic loss power ILP = SAR/(f H0²) in nH m² kg⁻¹ (SAR in W/g, f in Hz, H0 in A/m)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(sar_W_per_g) * 1e3 / (f * np.asarray(H0) ** 2) * 1e9


def field_safety(f, H0):
    """Field-safety figures for an AC field.

    Parameters
    ----------
    f : float
        Frequency, Hz.
    H0 : float
        Field amplitude, A/m.

    Returns
    -------
    dict
        ``Hf`` (A m⁻¹ s⁻¹), ``brezovich_ok`` (H f ≤ 4.85e8), ``hergt_dutz_ok`` (H f ≤ 5e9).
    """
    f = check_positive("f", f)
    H0 = check_nonnegative("H0", H0)
    hf = f * H0
    return {"Hf": hf, "brezovich_ok": hf <= BREZOVICH_LIMIT, "hergt_dutz_ok": hf <= HERGT_DUTZ_LIMIT}


NONCLINICAL_HF = 20.0 * HERGT_DUTZ_LIMIT
"""H·f above which a drive is "far outside any clinical range" (1e11 A m⁻¹ s⁻¹, derived: 20× the
Hergt–Dutz limit; published hyperthermia design maps stop near 1 MHz × 30 kA/m = 3e10). SAR drivers
refuse it unless called with ``allow_nonclinical=True``."""


F_RANGE_HZ = (1.0e-3, 1.0e12)
"""Drive frequencies accepted (Hz), derived: from quasi-static (mHz) loops to the ferromagnetic-resonance range
(THz is beyond any macrospin model); outside is a unit error (f = 1e-300 overflowed the step count)."""

H0_RANGE_A_PER_M = (1.0e-3, 1.0e8)
"""Drive amplitudes accepted (A/m), derived: 1 mA/m (μ0H ≈ 1 nT) to 1e8 A/m (μ0H ≈ 126 T, above any
laboratory field); outside is a unit error (H0 = 1e-300 gave ILP = 0/0)."""


def check_drive(f, H0, allow_nonclinical=False):
    """The one validator of an AC drive H(t) = H0 cos(2πft): returns ``(f, H0)`` as floats (or arrays).

    Parameters
    ----------
    f : float or array
        Frequency, Hz, in :data:`F_RANGE_HZ`.
    H0 : float or array
        Field amplitude, A/m, in :data:`H0_RANGE_A_PER_M` (> 0: SAR and ILP are defined for a field that is on).
    allow_nonclinical : bool
        Accept H0·f above :data:`NONCLINICAL_HF` (physics studies at GHz, for example).
    """
    if np.ndim(f) == 0 and np.ndim(H0) == 0:
        f = _check_real("f", f, *F_RANGE_HZ)
        H0 = _check_real("H0", H0, *H0_RANGE_A_PER_M)
    else:
        f = check_array("f", f, lo=F_RANGE_HZ[0], hi=F_RANGE_HZ[1])
        H0 = check_array("H0", H0, lo=H0_RANGE_A_PER_M[0], hi=H0_RANGE_A_PER_M[1])
    if not (allow_nonclinical is True or allow_nonclinical is False):
        raise ValueError(f"allow_nonclinical: {allow_nonclinical!r} is not True or False")
    if not allow_nonclinical:
        hf = float(np.max(np.multiply(f, H0))) if np.size(f) and np.size(H0) else 0.0
        if hf > NONCLINICAL_HF:
            raise ValueError(f"H0, f: H0·f = {hf:.3g} A m⁻¹ s⁻¹ is far outside any clinical range (> {NONCLINICAL_HF:.3g}"
                             " = 20× the Hergt–Dutz limit); pass allow_nonclinical=True to compute it anyway")
    return f, H0


def check_tau0(tau0):
    """Attempt time τ0 of the fixed-τ0 (Néel–Arrhenius) models, s, in [1e-14, 1e-6]."""
    return _check_real("tau0", tau0, 1e-14, 1e-6)


def thermal_energy(T):
    """k_B T in J."""
    return K_B * T


@dataclass
class Cycle:
    """The analysed (last) cycle of a periodically driven run: see :func:`last_cycle`."""

    m: np.ndarray
    H: np.ndarray
    drift: np.ndarray
    area_per_row: np.ndarray


def last_cycle(m_series, H_series, steps_per_cycle):
    """The last cycle of a driven run, closed, and ∮ H dm of each row.

    Parameters
    ----------
    m_series : (N, n_steps) array
        Moments along the field (any unit) at the samples of ``H_series``.
    H_series : (n_steps,) array
        Field at the same instants, A/m; periodic with ``steps_per_cycle`` samples per cycle.
    steps_per_cycle : int

    Returns
    -------
    Cycle
        ``m`` (N, steps) with the residual transient removed: the linear drift c_i (k+1)/steps
        accumulated over the last cycle (c_i = m_i(end) − m_i(one cycle before), returned as
        ``drift``), ``H`` (steps,), and ``area_per_row`` = ∮ H dm = −∮ m dH (A/m × unit of m),
        evaluated cyclically as Σ_k ½(H_k + H_{k−1})(m_k − m_{k−1}) (sample k and k + steps are the
        same field).
    """
    m_series = np.atleast_2d(m_series)
    m_last = m_series[:, -steps_per_cycle:]
    H_last = np.asarray(H_series)[-steps_per_cycle:]
    drift = m_series[:, -1] - m_series[:, -1 - steps_per_cycle]
    m_last = m_last - drift[:, None] * (np.arange(1, steps_per_cycle + 1) / steps_per_cycle)[None, :]
    return Cycle(m=m_last, H=H_last, drift=drift, area_per_row=cyclic_area(m_last, H_last))


def cyclic_area(m, H):
    """∮ H dm = −∮ m dH of closed periodic sequences (rows of m, same length as H), as
    Σ_k ½(H_k + H_{k−1})(m_k − m_{k−1}) with the cycle closed (sample −1 is the last one)."""
    m = np.atleast_2d(m)
    dm = m - np.roll(m, 1, axis=1)
    Hm = 0.5 * (H + np.roll(H, 1))
    return np.sum(dm * Hm[None, :], axis=1)
