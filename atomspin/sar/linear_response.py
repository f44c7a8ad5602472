"""Linear response theory (LRT) of AC losses — Rosensweig, JMMM 252, 370 (2002).

Formulas (SI; per unit volume of magnetic oxide, i.e. volume fraction φ = 1, so that
SAR = P/ρ does not depend on φ)::

    Γ   = K V / (k_B T)                               reduced barrier
    τ_N = (√π/2) τ0 e^Γ / √Γ                          Brown's high-barrier form as written by
                                                      Rosensweig (2002), eq. for τ_N   ("brown")
    τ_N = τ0 e^Γ                                      Néel–Arrhenius                    ("arrhenius")
    τ_B = 3 η V_H / (k_B T)                           Brownian (Debye) rotation time
    τ   = τ_N τ_B / (τ_N + τ_B)                       both channels in parallel (fluid)
    ξ   = μ0 Ms H0 V / (k_B T)                        Langevin parameter
    χ_i = μ0 Ms² V / (3 k_B T)                        initial susceptibility
    χ0  = χ_i (3/ξ) (coth ξ − 1/ξ)                    chord susceptibility (Rosensweig)
    χ'' = χ0 ωτ / (1 + ω²τ²),  ω = 2πf
    P   = μ0 π χ'' H0² f                              W/m³
    SAR = P/ρ  (returned in W/g)

LRT needs ξ ≲ 1 and H0 ≪ H_K = 2K/(μ0 Ms); a :class:`UserWarning` is issued when ξ > 1 or
H0 > 0.1 H_K (threshold chosen here; Carrey et al. 2011 state the validity as H0 ≪ H_K).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from atomspin.units import K_B, MU_0

from ._common import (
    MS_MAGNETITE_300K,
    RHO_MAGNETITE,
    TAU0_S,
    VISCOSITY_WATER_37C,
    anisotropy_field,
    check_array,
    check_drive,
    check_nonnegative,
    check_positive,
    check_tau0,
    field_safety,
    ilp,
    particle_volume,
    sphere_volume,
)
from .particle import K_MAX_J_PER_M3, LEGACY_NAMES, VOLUME_RANGE_M3, Medium, check_material, uniaxial_particle

NEEL_FORMS = ("brown", "arrhenius")
HK_FRACTION_WARN = 0.1


def neel_time(K, V, T, tau0=TAU0_S, form="brown"):
    """Néel relaxation time.

    Parameters
    ----------
    K : float or array
        Effective uniaxial anisotropy, J/m³ (> 0).
    V : float or array
        Magnetic volume, m³ (> 0).
    T : float
        Temperature, K (> 0).
    tau0 : float
        Attempt time τ0, s (> 0). Default 1e-9 s (Rosensweig 2002).
    form : {"brown", "arrhenius"}
        ``"brown"``: τ_N = (√π/2) τ0 e^Γ/√Γ (Rosensweig's eq., Brown's high-barrier limit, valid for
        Γ ≳ 2); ``"arrhenius"``: τ_N = τ0 e^Γ.

    Returns
    -------
    float or ndarray
        τ_N in s (``inf`` where e^Γ overflows).
    """
    K = check_array("K", K, positive=True, hi=K_MAX_J_PER_M3)
    V = check_array("V", V, lo=VOLUME_RANGE_M3[0], hi=VOLUME_RANGE_M3[1])
    T = check_positive("T", T)
    tau0 = check_positive("tau0", tau0)
    if form not in NEEL_FORMS:
        raise ValueError(f"form: {form!r} is not one of {NEEL_FORMS}")
    gamma = K * V / (K_B * T)
    with np.errstate(over="ignore"):
        e = np.exp(gamma)
    if form == "arrhenius":
        out = tau0 * e
    else:
        out = 0.5 * math.sqrt(math.pi) * tau0 * e / np.sqrt(gamma)
    return out[()] if out.ndim == 0 else out


def brown_time(V_H, eta, T):
    """Brownian rotational relaxation time τ_B = 3 η V_H/(k_B T) in s.

    Parameters
    ----------
    V_H : float or array
        Hydrodynamic volume, m³ (> 0).
    eta : float
        Dynamic viscosity of the carrier, Pa s (>= 0; 0 gives τ_B = 0).
    T : float
        Temperature, K.
    """
    V_H = check_array("V_H", V_H, positive=True)
    eta = check_nonnegative("viscosity", eta)
    T = check_positive("T", T)
    out = 3.0 * eta * V_H / (K_B * T)
    return out[()] if out.ndim == 0 else out


def effective_time(tau_N, tau_B=None):
    """Effective relaxation time τ = τ_N τ_B/(τ_N + τ_B); ``tau_B=None`` → τ_N (immobilised)."""
    tau_N = np.asarray(tau_N, dtype=np.float64)
    if tau_B is None:
        return tau_N[()] if tau_N.ndim == 0 else tau_N
    tau_B = np.asarray(tau_B, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 1.0 / (1.0 / tau_N + 1.0 / tau_B)  # handles inf in either
    return out[()] if np.ndim(out) == 0 else out


def langevin(x):
    """Langevin function L(x) = coth x − 1/x, accurate for small x (series below 1e-3)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = np.abs(x) < 1e-3
    xs = x[small]
    out[small] = xs / 3.0 - xs**3 / 45.0 + 2.0 * xs**5 / 945.0
    xl = x[~small]
    out[~small] = 1.0 / np.tanh(xl) - 1.0 / xl
    return out[()] if out.ndim == 0 else out


def equilibrium_susceptibility(Ms, V, T, H0):
    """Rosensweig's chord susceptibility χ0 = χ_i (3/ξ) L(ξ) for φ = 1 (dimensionless, SI).

    Parameters
    ----------
    Ms : float
        Saturation magnetisation, A/m.
    V : float or array
        Magnetic volume, m³.
    T : float
        Temperature, K.
    H0 : float or array
        Field amplitude, A/m (ξ → 0 gives χ_i).
    """
    Ms = check_positive("Ms", Ms)
    V = check_array("V", V, positive=True)
    T = check_positive("T", T)
    H0 = check_array("H0", H0, nonnegative=True)
    chi_i = MU_0 * Ms**2 * V / (3.0 * K_B * T)
    xi = MU_0 * Ms * H0 * V / (K_B * T)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(xi > 0, 3.0 * langevin(xi) / np.where(xi > 0, xi, 1.0), 1.0)
    out = chi_i * ratio
    return out[()] if np.ndim(out) == 0 else out


def loss_factor(omega_tau):
    """x/(1 + x²), evaluated as 1/(x + 1/x) so that x = 0 and x = inf both give 0."""
    x = np.asarray(omega_tau, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(x == 0, 0.0, 1.0 / (x + 1.0 / x))
    return out[()] if out.ndim == 0 else out


@dataclass
class LRTResult:
    """Result of :func:`linear_response_sar` (arrays broadcast over the inputs).

    Attributes
    ----------
    power_W_per_m3 : volumetric loss power per volume of oxide, W/m³
    sar_W_per_g : SAR, W per gram of oxide
    ilp_nHm2_per_kg : intrinsic loss power, nH m² kg⁻¹
    loop_area_J_per_m3 : energy per cycle, J/m³ (= P/f)
    tau_N_s, tau_B_s, tau_s : relaxation times, s (τ_B = inf when immobilised)
    chi0 : chord susceptibility; xi : Langevin parameter; H_K_A_per_m : anisotropy field
    safety : dict from :func:`field_safety`; warnings : list of validity warnings (str)
    """

    power_W_per_m3: np.ndarray
    sar_W_per_g: np.ndarray
    ilp_nHm2_per_kg: np.ndarray
    loop_area_J_per_m3: np.ndarray
    tau_N_s: np.ndarray
    tau_B_s: np.ndarray
    tau_s: np.ndarray
    chi0: np.ndarray
    xi: np.ndarray
    H_K_A_per_m: float
    safety: dict
    warnings: list = field(default_factory=list)


def linear_response_sar(f, H0, Ms=MS_MAGNETITE_300K, K=1.0e4, d=None, V=None, T=300.0, tau0=TAU0_S,
                        neel_form="brown", immobilised=True, d_hydro=None, viscosity=VISCOSITY_WATER_37C,
                        rho=RHO_MAGNETITE, warn=True, *, particle=None, medium=None, allow_nonclinical=False):
    """SAR of monodisperse particles in linear response (Rosensweig 2002).

    Parameters
    ----------
    f : float or array
        Frequency, Hz (> 0).
    H0 : float or array
        Field amplitude, A/m (> 0).
    Ms : float
        Saturation magnetisation, A/m. Default 4.8e5 (magnetite, 300 K).
    K : float
        Effective uniaxial anisotropy, J/m³ (> 0). The default 1e4 J/m³ is |K1| of magnetite.
    d, V : float or array
        Magnetic diameter (m) or volume (m³); give exactly one.
    T : float
        Temperature, K (> 0).
    tau0 : float
        Attempt time, s.
    neel_form : {"brown", "arrhenius"}
        See :func:`neel_time`.
    immobilised : bool
        True: Néel relaxation only (particles fixed in tissue). False: Néel and Brown in parallel.
    d_hydro : float, optional
        Hydrodynamic diameter, m (fluid case; default: the magnetic diameter).
    viscosity : float
        Carrier viscosity, Pa s (>= 0). Default water at 37 °C.
    rho : float
        Oxide density, kg/m³. Default magnetite 5197.
    warn : bool
        Issue UserWarnings when ξ > 1 or H0 > 0.1 H_K.
    particle : Particle, optional
        The particle (uniaxial); when given, Ms, K, d, V, T, d_hydro and rho are taken from it.
    medium : Medium, optional
        Immobilised or liquid; when given it replaces ``immobilised`` and ``viscosity``.
    allow_nonclinical : bool
        Accept H0·f far outside any clinical range (see :func:`atomspin.sar.check_drive`).
    """
    f, H0 = check_drive(f, H0, allow_nonclinical)
    f, H0 = np.asarray(f, dtype=np.float64), np.asarray(H0, dtype=np.float64)
    tau0 = check_tau0(tau0)
    if medium is None:
        medium = Medium.from_legacy(immobilised, None if immobilised is True else viscosity)
    elif not isinstance(medium, Medium):
        raise ValueError(f"medium: a {type(medium).__name__} is not an atomspin.sar.Medium")
    if particle is not None:
        p = uniaxial_particle(particle, Ms=None, K=None, T=None, rho=None, thermal=True)
        Ms, K, T, rho, V = p.Ms_A_per_m, p.K_uniaxial_J_per_m3, p.T_K, p.density_kg_per_m3, p.volume_m3
        VH = p.hydrodynamic_volume_m3
    else:
        vals = check_material(Ms_A_per_m=Ms, T_K=T, density_kg_per_m3=rho, K_uniaxial_J_per_m3=K,
                              names=LEGACY_NAMES, thermal=True)
        Ms, K, T, rho = (vals[k] for k in ("Ms_A_per_m", "K_uniaxial_J_per_m3", "T_K", "density_kg_per_m3"))
        V = particle_volume(d, V)
        VH = V if d_hydro is None else sphere_volume(check_array("d_hydro", d_hydro, positive=True))
    tau_N = np.asarray(neel_time(K, V, T, tau0=tau0, form=neel_form))
    if medium.immobilised:
        tau_B = np.full_like(tau_N, np.inf)
    else:
        tau_B = np.asarray(brown_time(VH, medium.viscosity_Pa_s, T))
    tau = np.asarray(effective_time(tau_N, tau_B))
    omega = 2.0 * np.pi * f
    xi = MU_0 * Ms * H0 * V / (K_B * T)
    chi0 = np.asarray(equilibrium_susceptibility(Ms, V, T, H0))
    power = MU_0 * np.pi * chi0 * H0**2 * f * loss_factor(omega * tau)
    sar = power / rho * 1e-3
    HK = float(anisotropy_field(K, Ms))
    msgs = []
    if np.any(xi > 1.0):
        msgs.append(f"xi = {np.max(xi):.3g} > 1: linear response theory overestimates the loss (non-linear regime)")
    if np.any(H0 > HK_FRACTION_WARN * HK):
        msgs.append(f"H0 = {np.max(H0):.4g} A/m is not << H_K = {HK:.4g} A/m: the SW/hysteresis regime applies")
    if warn:
        for m in msgs:
            warnings.warn(m, UserWarning, stacklevel=2)
    area = power / f
    safety = field_safety(float(np.max(f)), float(np.max(H0)))
    return LRTResult(power_W_per_m3=power, sar_W_per_g=sar, ilp_nHm2_per_kg=ilp(sar, f, H0),
                     loop_area_J_per_m3=area, tau_N_s=tau_N, tau_B_s=tau_B, tau_s=tau, chi0=chi0, xi=xi,
                     H_K_A_per_m=HK, safety=safety, warnings=msgs)


def optimum_diameter(f, H0, Ms=MS_MAGNETITE_300K, K=1.0e4, T=300.0, tau0=TAU0_S, neel_form="brown",
                     immobilised=True, viscosity=VISCOSITY_WATER_37C, shell_m=0.0, rho=RHO_MAGNETITE,
                     d_range=(2e-9, 40e-9), n=2001):
    """Diameter (m) that maximises the LRT SAR at (f, H0), by a dense scan plus golden refinement.

    Parameters as in :func:`linear_response_sar`; ``shell_m`` is the non-magnetic shell thickness
    (m) added to the diameter for the hydrodynamic size in the fluid case. Returns ``(d_opt, sar_opt)``.
    """
    from scipy.optimize import minimize_scalar

    lo, hi = check_positive("d_range[0]", d_range[0]), check_positive("d_range[1]", d_range[1])
    if not hi > lo:
        raise ValueError(f"d_range: {d_range} must be increasing")
    shell_m = check_nonnegative("shell_m", shell_m)

    def sar_of(d):
        r = linear_response_sar(f, H0, Ms=Ms, K=K, d=d, T=T, tau0=tau0, neel_form=neel_form,
                                immobilised=immobilised, d_hydro=np.asarray(d) + 2 * shell_m,
                                viscosity=viscosity, rho=rho, warn=False)
        return np.asarray(r.sar_W_per_g)

    ds = np.linspace(lo, hi, n)
    s = sar_of(ds)
    i = int(np.argmax(s))
    a, b = ds[max(i - 1, 0)], ds[min(i + 1, n - 1)]
    res = minimize_scalar(lambda d: -float(sar_of(d)), bounds=(a, b), method="bounded",
                          options={"xatol": 1e-14})
    return float(res.x), float(-res.fun)
