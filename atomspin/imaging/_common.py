"""Constants, the Langevin function and result plumbing shared by :mod:`atomspin.imaging`.

SI throughout: H in A/m, moments in A m², times in s, temperatures in K. Where an argument is the
flux density μ0H (the unit of the MPI and MRI literature, tesla) its name ends in ``_T``.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from atomspin.sar import RHO_MAGNETITE
from atomspin.units import K_B, MU_0
from atomspin.validation import check_positive

# ---------------------------------------------------------------- constants (each with its source)
N_AVOGADRO = 6.02214076e23
"""Avogadro constant, mol⁻¹ (exact, SI 2019)."""

GAMMA_PROTON = 2.6752218744e8
"""Proton gyromagnetic ratio γ_p, rad s⁻¹ T⁻¹ (CODATA 2018)."""

M_FE_KG_PER_MOL = 55.845e-3
"""Molar mass of iron, kg/mol (IUPAC standard atomic weight 55.845)."""

M_MAGNETITE_KG_PER_MOL = 231.533e-3
"""Molar mass of Fe3O4, kg/mol (3 × 55.845 + 4 × 15.999 g/mol)."""

FE_DENSITY_MAGNETITE = 3.0 * RHO_MAGNETITE / M_MAGNETITE_KG_PER_MOL * N_AVOGADRO
"""Iron atoms per m³ of magnetite, 4.055e28 m⁻³. Derived: 3 Fe per Fe3O4 at the density
``atomspin.sar.RHO_MAGNETITE`` = 5197 kg/m³ (8 Fe3O4 in a cube of a = 8.396 Å, Hamilton 1958)."""

# water self-diffusion, Speedy–Angell power law fitted by Holz, Heil & Sacco, Phys. Chem. Chem. Phys. 2,
# 4740 (2000): D = D0 (T/Ts − 1)^γ with the constants below; gives 2.30e-9 m²/s at 25 °C (their measured
# 2.299e-9) and 3.04e-9 m²/s at 37 °C. Constants confirmed against a public tabulation of the fit
# (D0 = 1.635e-8 m²/s, Ts = 215.05 K, γ = 2.063).
_HOLZ_D0 = 1.635e-8
_HOLZ_TS = 215.05
_HOLZ_GAMMA = 2.063
WATER_T_RANGE_K = (273.15, 373.15)
"""Temperatures (K) over which :func:`water_self_diffusion` (liquid water, Holz et al. 2000) is used."""


def water_self_diffusion(T_K):
    """Self-diffusion coefficient of liquid water, m²/s (Holz, Heil & Sacco 2000), 0–100 °C.

    Parameters
    ----------
    T_K : float
        Temperature, K, in [273.15, 373.15].
    """
    T = check_positive("T_K", T_K)
    lo, hi = WATER_T_RANGE_K
    if not lo <= T <= hi:
        raise ValueError(f"T_K: {T_K!r} is outside [{lo}, {hi}] K, the liquid-water range of the diffusion "
                         "fit; give the diffusion coefficient explicitly")
    return _HOLZ_D0 * (T / _HOLZ_TS - 1.0) ** _HOLZ_GAMMA


# ---------------------------------------------------------------- Langevin function
_SMALL = 0.1  # below |x| = 0.1 the series are used (cancellation in coth x − 1/x costs ~1/x² digits)


def langevin(x):
    """L(x) = coth x − 1/x (float64 array), series below |x| = 0.1, exact to ~1e-16 relative."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = np.abs(x) < _SMALL
    xs = x[small]
    x2 = xs * xs
    out[small] = xs * (1.0 / 3.0 + x2 * (-1.0 / 45.0 + x2 * (2.0 / 945.0 + x2 * (-1.0 / 4725.0 + x2 * 2.0 / 93555.0))))
    xl = x[~small]
    out[~small] = 1.0 / np.tanh(xl) - 1.0 / xl
    return out


def langevin_derivative(x):
    """L'(x) = 1/x² − 1/sinh² x (float64 array), overflow-free, series below |x| = 0.1."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    ax = np.abs(x)
    small = ax < _SMALL
    x2 = x[small] ** 2
    out[small] = 1.0 / 3.0 + x2 * (-1.0 / 15.0 + x2 * (2.0 / 189.0 + x2 * (-1.0 / 675.0 + x2 * 2.0 / 10395.0)))
    xl = ax[~small]
    e = np.exp(-2.0 * xl)
    out[~small] = 1.0 / (xl * xl) - 4.0 * e / np.expm1(-2.0 * xl) ** 2
    return out


def xi_per_A_per_m(moment_Am2, T_K):
    """μ0 m/(k_B T): the Langevin argument per unit field, (A/m)⁻¹."""
    return MU_0 * np.asarray(moment_Am2, dtype=np.float64) / (K_B * T_K)


# ---------------------------------------------------------------- results
def jsonable(value):
    """Numpy containers and scalars → plain Python objects (lists, floats, str), recursively."""
    if isinstance(value, np.ndarray):
        if np.iscomplexobj(value):
            return {"real": value.real.tolist(), "imag": value.imag.tolist()}
        return value.tolist()
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, complex):
        return {"real": value.real, "imag": value.imag}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


class ImagingResult:
    """Mixin: ``to_dict()`` (JSON-friendly, every field) and ``summary()`` (scalar figures of merit only,
    named with their units: the database columns)."""

    _summary_fields: tuple = ()

    def to_dict(self) -> dict:
        out = {"type": type(self).__name__}
        for f in dataclasses.fields(self):
            if not f.name.startswith("_"):
                out[f.name] = jsonable(getattr(self, f.name))
        return out

    def summary(self) -> dict:
        """The scalar figures of merit (keys carry their units), e.g. for a database row."""
        return {k: jsonable(getattr(self, k)) for k in self._summary_fields}


def new_axes(ax, nrows=1, ncols=1, figsize=(5.5, 3.8)):
    """The given Axes, or a new figure with ``nrows × ncols`` of them."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(nrows, ncols, figsize=figsize, squeeze=True)
    return ax


def sphere_volume(d_m):
    """Volume (m³) of a sphere of diameter ``d_m`` (m)."""
    return math.pi / 6.0 * np.asarray(d_m, dtype=np.float64) ** 3
