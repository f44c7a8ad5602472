"""Shared defaults, validation helpers and unit conversions of :mod:`atomspin.sar`.

Units inside ``atomspin.sar`` are SI throughout: H in A/m (the unit of the SAR literature),
magnetisation in A/m, anisotropy in J/m³, volumes in m³, frequencies in Hz (cycles per second,
ω = 2πf), times in s, temperatures in K, densities in kg/m³. SAR is returned in **W per gram of
iron oxide** and ILP = SAR/(f H0²) in **nH m² kg⁻¹**. Where a function accepts μ0H in tesla the
argument name ends in ``_T``.
"""
from __future__ import annotations

import math

import numpy as np

from atomspin.structures import data as _lattice_data
from atomspin.units import K_B, MU_0
from atomspin.validation import check_array, check_nonnegative, check_positive  # noqa: F401 (re-exported)
from atomspin.validation import check_int as _check_int
from atomspin.validation import check_real as _check_real

# ---------------------------------------------------------------- defaults (each with its source)
TAU0_S = 1e-9
"""Attempt time τ0 = 1e-9 s. Source: Rosensweig, JMMM 252, 370 (2002) uses 1e-9 s (also the
SPIONlib implementation); the literature range is 1e-9 – 1e-11 s (reference sheet §3)."""

RHO_MAGNETITE = _lattice_data.LATTICES["Fe3O4"].density_kg_per_m3
"""Magnetite density, kg/m³ (5197). Derived: 8 Fe3O4 (231.533 g/mol) in a cube of a = 8.396 Å
(Hamilton 1958); stated once in :data:`atomspin.structures.data.LATTICES`."""

RHO_MAGHEMITE = _lattice_data.LATTICES["gamma-Fe2O3"].density_kg_per_m3
"""Maghemite density, kg/m³ (4876). Derived: Fe_{8/3}O4 per formula, a = 8.34 Å; stated once in
:data:`atomspin.structures.data.LATTICES`."""

MS_MAGNETITE_300K = 4.8e5
"""Magnetite M_s at room temperature, A/m (480 kA/m, 92 A m²/kg; Dourbes rock-magnetism glossary,
reference sheet §3); the value Muñoz-Menendez et al. PRB 102, 214412 (2020) use."""

K_MAGNETITE_EFF = 1.0e4
"""Effective uniaxial anisotropy of magnetite particles, J/m³. Source: |K1| ≈ 1e4 J/m³ at room
temperature (reference sheet §3); Muñoz-Menendez et al. (2020) use K = 1e4 J/m³."""

VISCOSITY_WATER_37C = 6.9e-4
"""Dynamic viscosity of water at 37 °C, Pa s (standard tables: 0.692 mPa s at 37 °C)."""

C_B_MAGNETITE = 3.48e6
"""Volumetric heat capacity of magnetite, J m⁻³ K⁻¹, the value of Muñoz-Menendez et al. (2020)
as given in the issue; 670 J kg⁻¹ K⁻¹ × 5197 kg m⁻³ (reference sheet §3)."""

ALPHA_DEFAULT = 0.1
"""Gilbert damping α = 0.1: the usual macrospin choice (reference sheet §3, range 0.01–1) [U]."""

BREZOVICH_LIMIT = 4.85e8
"""Brezovich criterion H·f = 4.85e8 A m⁻¹ s⁻¹ (Brezovich 1988; confirmed in Faílde et al.,
arXiv:2405.20756 abstract)."""

HERGT_DUTZ_LIMIT = 5.0e9
"""Hergt & Dutz, JMMM 311, 187 (2007): H·f < 5e9 A m⁻¹ s⁻¹ (reference sheet §6; the figure is
widely quoted, e.g. Ferrero et al., Nanoscale Adv. 2024 'Hergt–Dutz limit')."""


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


def thermal_energy(T):
    """k_B T in J."""
    return K_B * T
