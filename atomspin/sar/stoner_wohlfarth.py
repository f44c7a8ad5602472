"""Stoner–Wohlfarth (SW) hysteresis: T = 0 loops and thermally activated dynamic loops.

Reduced units: h = H/H_K with H_K = 2K/(μ0 Ms); m = M/Ms projected on the field. The energy
of a uniaxial macrospin with easy axis at angle ψ to the field, per K V, is

    e(θ) = sin²θ − 2 h cos(θ − ψ),                     θ = angle of the moment from the easy axis.

T = 0 loops are the closed-form uniaxial branches of :mod:`atomspin.measure.stoner_wohlfarth` (the
general T = 0 loop of any energy surface is :func:`atomspin.macrospin.stoner_wohlfarth_loop`); the
moment jumps when its minimum disappears at h_sw(ψ) = (cos^{2/3}ψ + sin^{2/3}ψ)^{-3/2}. Loop areas are returned in units of μ0 H_K Ms
(aligned: 4; random 3D axes: 0.988, computed here and checked against a brute-force descent).

Thermal activation (Carrey, Mehdaoui & Respaud, J. Appl. Phys. 109, 083921 (2011); the equations
as commonly quoted, not yet checked against the paper's text)::

    κ = (k_B T/(K V)) ln[k_B T / (4 μ0 H_max Ms V f τ0)]
    aligned:  H_c = H_K (1 − κ^{1/2})
    random :  H_c = 0.48 H_K (b − κ^n),  b = 1, n = 0.8
    area   :  A = 4 μ0 H_c Ms (aligned), ≈ 2 μ0 H_c Ms (random);  SAR = A f / ρ
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from atomspin.units import K_B, MU_0

from atomspin.measure.stoner_wohlfarth import loop_area as sw_loop_area
from atomspin.measure.stoner_wohlfarth import stoner_wohlfarth_loop, switching_field  # noqa: F401 (re-export)
from atomspin.validation import check_choice

from ._common import (
    MS_MAGNETITE_300K,
    RHO_MAGNETITE,
    TAU0_S,
    anisotropy_field,
    check_drive,
    check_int,
    check_positive,
    check_range,
    check_tau0,
    field_safety,
    ilp,
)
from .particle import uniaxial_particle

CARREY_RANDOM_B = 1.0  # Carrey et al. 2011, random-axis fit, b ≈ 1 (as quoted; unconfirmed in the paper)
CARREY_RANDOM_N = 0.8  # Carrey et al. 2011, random-axis fit, n ≈ 0.8 (as quoted; unconfirmed in the paper)
KAPPA_MAX_SW = 0.7  # Carrey et al. 2011: SW-based formulas valid for κ < ~0.7 (as quoted; unconfirmed)


def _loop_fields(psi, h_max, n):
    """Descending then ascending field sequences with the exact switching field inserted."""
    down = np.linspace(h_max, -h_max, n)
    hs = float(switching_field(psi))
    if hs < h_max:
        eps = 1e-9
        extra = np.array([-hs * (1 - eps), -hs * (1 + eps), hs * (1 - eps), hs * (1 + eps)])
        down = np.sort(np.concatenate([down, extra]))[::-1]
    return down, down[::-1].copy()


def sw_loop(psi, h_max=2.0, n=2001):
    """T = 0 SW loop of one particle (reduced units).

    Parameters
    ----------
    psi : float
        Angle between easy axis and field, rad, in [0, π].
    h_max : float
        Maximum field in units of H_K (> 0). Below h_sw(ψ) the loop is reversible (area 0).
    n : int
        Field points per branch.

    Returns
    -------
    h_down, m_down, h_up, m_up : ndarray
        Descending and ascending branches (m projected on the field, units of Ms).
    """
    psi = check_range("psi", psi, 0.0, math.pi)
    h_max = check_positive("h_max", h_max)
    n = check_int("n", n, lo=3)
    down, up = _loop_fields(psi, h_max, n)
    m = stoner_wohlfarth_loop(np.concatenate([down, up]), psi, up=True)[:, 0]  # closed form (measure)
    m_down, m_up = m[:down.size], m[down.size:]
    return down, m_down, up, m_up


def loop_area(h_down, m_down, h_up, m_up):
    """Loop area ∮ m dh of a closed (descending, ascending) loop, positive when dissipative."""
    return float(np.trapezoid(m_down[::-1], h_down[::-1]) - np.trapezoid(m_up, h_up))


def _coercive(h_down, m_down):
    """Field where the descending branch crosses m = 0 (linear interpolation)."""
    s = np.sign(m_down)
    idx = np.nonzero(s[:-1] * s[1:] <= 0)[0]
    if idx.size == 0:
        return 0.0
    i = idx[0]
    if m_down[i] == m_down[i + 1]:
        return float(-h_down[i])
    t = m_down[i] / (m_down[i] - m_down[i + 1])
    return float(-(h_down[i] + t * (h_down[i + 1] - h_down[i])))


@dataclass
class SWLoop:
    """T = 0 ensemble loop (reduced units): fields, magnetisation, and its figures.

    area is ∮ m dh in units of μ0 H_K Ms; coercivity in units of H_K; remanence in units of Ms.
    """

    h_down: np.ndarray
    m_down: np.ndarray
    h_up: np.ndarray
    m_up: np.ndarray
    area: float
    coercivity: float
    remanence: float


def sw_ensemble_loop(orientation="random", h_max=2.0, n=2001, n_psi=400, psi=None):
    """T = 0 SW loop averaged over easy-axis orientations.

    Parameters
    ----------
    orientation : {"random", "aligned"}
        ``"random"``: 3D isotropic axes, average over u = cos ψ ∈ [0, 1] (uniform weight) with
        n_psi Gauss–Legendre points; ``"aligned"``: ψ = 0 (or the given ``psi``).
    h_max : float
        Maximum reduced field (units of H_K).
    n : int
        Points per branch (the switching fields of each ψ are inserted exactly).
    n_psi : int
        Quadrature points for the random average.
    psi : float, optional
        Single angle (rad) for ``"aligned"``.
    """
    h_max = check_positive("h_max", h_max)
    n = check_int("n", n, lo=3)
    if orientation == "aligned":
        psis = np.array([0.0 if psi is None else check_range("psi", psi, 0.0, math.pi)])
        w = np.array([1.0])
    elif orientation == "random":
        n_psi = check_int("n_psi", n_psi, lo=2)
        x, wt = np.polynomial.legendre.leggauss(n_psi)
        u = 0.5 * (x + 1.0)
        psis = np.arccos(u)
        w = 0.5 * wt
    else:
        raise ValueError(f"orientation: {orientation!r} is not 'random' or 'aligned'")
    if psis.size == 1:  # keep the exact (inserted) switching fields of the single loop
        hd, m_down, hu, m_up = sw_loop(float(psis[0]), h_max=h_max, n=n)
    else:
        hd = np.linspace(h_max, -h_max, n)
        hu = hd[::-1].copy()
        m = stoner_wohlfarth_loop(np.concatenate([hd, hu]), psis, up=True)  # closed-form branches
        m_down, m_up = m[:n] @ w, m[n:] @ w
    area = float(w @ sw_loop_area(psis, h_max))  # not a site sum; closed form: energy lost in the jumps
    rem = float(np.interp(0.0, hd[::-1], m_down[::-1]))
    return SWLoop(hd, m_down, hu, m_up, float(area), _coercive(hd, m_down), rem)


def carrey_kappa(K, V, Ms, T, H_max, f, tau0=TAU0_S):
    """Carrey's κ = (k_BT/KV) ln[k_BT/(4 μ0 H_max Ms V f τ0)] (dimensionless).

    K in J/m³, V in m³, Ms in A/m, T in K, H_max in A/m, f in Hz, τ0 in s. κ ≤ 0 (log of a number
    below 1) means the sweep is so fast that thermal activation does not lower H_c: κ is set to 0.
    """
    kT = K_B * T
    arg = kT / (4.0 * MU_0 * H_max * Ms * V * f * tau0)
    kappa = kT / (K * V) * math.log(arg)
    return max(kappa, 0.0)


def regime(H_max, K, Ms, V, T):
    """Which model applies: ``"LRT"``, ``"SW"`` or ``"intermediate"``, with the ratios.

    LRT needs ξ = μ0 Ms H_max V/k_BT < 1 and H_max < 0.1 H_K; the SW-based formulas need a large
    barrier KV/k_BT > 25 (blocked on the time scale of an AC cycle with τ0 = 1e-9 s at ≲ 1 MHz)
    and H_max ≳ the coercive field (here: H_max/H_K > 0.2). Thresholds as in Carrey et al. 2011
    (their validity discussion); the numbers 0.1, 25 and 0.2 are this module's choice.
    A particle with KV/k_BT < 2 is superparamagnetic on any AC time scale and only needs ξ < 1 for LRT.
    """
    HK = anisotropy_field(K, Ms)
    xi = MU_0 * Ms * H_max * V / (K_B * T)
    barrier = K * V / (K_B * T)
    ratio = H_max / HK
    # a superparamagnet (KV/k_BT < 2) has no field-dependent barrier to speak of: ξ < 1 suffices
    if xi < 1.0 and (ratio < 0.1 or barrier < 2.0):
        name = "LRT"
    elif barrier > 25.0 and ratio > 0.2:
        name = "SW"
    else:
        name = "intermediate"
    return {"regime": name, "H_max_over_H_K": ratio, "KV_over_kT": barrier, "xi": xi}


@dataclass
class SWDynamicResult:
    """Thermally activated SW estimate (Carrey 2011). Fields in A/m, area J/m³, SAR W/g."""

    kappa: float
    H_c_A_per_m: float
    H_K_A_per_m: float
    loop_area_J_per_m3: float
    sar_W_per_g: float
    ilp_nHm2_per_kg: float
    regime: dict
    safety: dict
    warnings: list = field(default_factory=list)


def sw_dynamic_sar(f, H0, Ms=MS_MAGNETITE_300K, K=1.0e4, d=None, V=None, T=300.0, tau0=TAU0_S,
                   orientation="random", rho=RHO_MAGNETITE, warn=True, *, particle=None, allow_nonclinical=False):
    """SAR from Carrey's thermally activated Stoner–Wohlfarth formulas.

    Parameters
    ----------
    f : float
        Frequency, Hz (> 0).
    H0 : float
        Field amplitude H_max, A/m (> 0).
    Ms : float
        Saturation magnetisation, A/m.
    K : float
        Effective uniaxial anisotropy, J/m³.
    d, V : float
        Diameter (m) or volume (m³); exactly one.
    T : float
        Temperature, K (>= 0; T = 0 gives the athermal SW coercivity).
    tau0 : float
        Attempt time, s.
    orientation : {"random", "aligned"}
    rho : float
        Oxide density, kg/m³.
    particle : Particle, optional
        The (uniaxial) particle; when given, Ms, K, d, V, T and rho are taken from it.
    allow_nonclinical : bool
        Accept H0·f far outside any clinical range (see :func:`atomspin.sar.check_drive`).

    Notes
    -----
    When H0 is below the thermally activated coercive field the major-loop formula does not
    apply; the area is then set to 0 (no switching on the cycle) and a warning is issued.
    """
    f, H0 = check_drive(f, H0, allow_nonclinical)
    tau0 = check_tau0(tau0)
    check_choice("orientation", orientation, ("random", "aligned"))
    p = uniaxial_particle(particle, Ms=Ms, K=K, T=T, rho=rho, d=d, V=V)
    Ms, K, T, rho, V = p.Ms_A_per_m, p.K_uniaxial_J_per_m3, p.T_K, p.density_kg_per_m3, p.volume_m3
    HK = float(anisotropy_field(K, Ms))
    kappa = carrey_kappa(K, V, Ms, T, H0, f, tau0) if T > 0 else 0.0
    msgs = []
    if orientation == "aligned":
        Hc = HK * (1.0 - math.sqrt(min(kappa, 1.0)))
        area_of = 4.0 * MU_0 * Ms
    else:
        Hc = 0.48 * HK * max(CARREY_RANDOM_B - kappa**CARREY_RANDOM_N, 0.0)
        area_of = 2.0 * MU_0 * Ms
    if kappa > KAPPA_MAX_SW:
        msgs.append(f"kappa = {kappa:.3g} > {KAPPA_MAX_SW}: outside the validity of the SW formulas")
    if H0 < Hc:
        msgs.append(f"H0 = {H0:.4g} A/m is below the coercive field {Hc:.4g} A/m: minor loop, area set to 0")
        area = 0.0
    else:
        area = area_of * Hc
    if warn:
        for m in msgs:
            warnings.warn(m, UserWarning, stacklevel=2)
    sar = area * f / rho * 1e-3
    return SWDynamicResult(kappa=kappa, H_c_A_per_m=Hc, H_K_A_per_m=HK, loop_area_J_per_m3=area,
                           sar_W_per_g=sar, ilp_nHm2_per_kg=float(ilp(sar, f, H0)),
                           regime=regime(H0, K, Ms, V, max(T, 1e-300)), safety=field_safety(f, H0),
                           warnings=msgs)
