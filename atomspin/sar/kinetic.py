"""Two-state Néel–Arrhenius switching of macrospin ensembles in an AC field.

Model (SI). Particle i has volume V_i, uniaxial anisotropy K (J/m³) along the unit axis u_i and
moment Ms V_i n_i. In the total field H_i = H(t) ẑ + H_dip,i the moment sits in one of (at most)
two minima of the SW energy KV_i e(θ), e(θ) = sin²θ − 2h cos(θ − ψ), h = |H_i|/H_K,
ψ = ∠(u_i, H_i), in the plane of u_i and H_i; state s = +1 is the minimum nearer +u_i.
The escape rate out of a well over the lower in-plane maximum (the saddle) is

    ν = exp(−ΔE/k_BT) / (2 τ0),          ΔE = K V (e_saddle − e_min)

The factor 1/2 is this module's convention: at zero field the magnetisation of the ensemble
then relaxes with τ = 1/(ν₊ + ν₋) = τ0 exp(KV/k_BT), the Néel–Arrhenius time of
:func:`atomspin.sar.linear_response.neel_time` (form="arrhenius"), so the two models share τ0.
If the metastable minimum has vanished (|h| > h_sw(ψ)) the moment switches at once.

Two integrators over time steps Δt of a cosine field H(t) = H0 cos(2πft):

* ``method="master"``: probabilities p_i of s = +1, propagated exactly for rates frozen over
  the step, p ← p_eq + (p − p_eq) e^{−(ν₊+ν₋)Δt}; interactions in mean field (⟨n_j⟩).
* ``method="kmc"``: each particle is in a definite state and switches with the exact two-state
  probability ν_out/(ν₊+ν₋) (1 − e^{−(ν₊+ν₋)Δt}); seeded; interactions from the actual states.

The field of step k is sampled at the step midpoint and the moments are recorded at the same
instant (occupations propagated exactly to the midpoint), so the loop carries no O(Δt) phase
error; Δt must still resolve τ (default: Δt ≤ τ_N/10). The ensemble starts in the equilibrium
occupations of the initial field; any linear drift left over the analysed (last) cycle is
removed and reported (``params["closure"]``).

Loop area per volume of oxide: A = −∮ μ0 M dH with M = Ms Σ V_i n_i·ẑ / Σ V_i (J/m³); the
per-particle local areas A_i = −∮ μ0 Ms n_i·ẑ dH are also returned. SAR = A f/ρ.

Validation (tests/test_sar_kinetic.py): low-field limit (ξ = 0.04) equals LRT with the
Arrhenius τ_N within 0.5–3 % for ωτ = 0.3–10; T → 0 slow sweep gives the SW areas (random
0.9873 vs 0.9883, aligned 3.996 vs 4); a head-to-tail / side-by-side dipolar pair switches at
H_K + 2 or − 1 × Ms V/(4π r³) (exact). Only two-state (uniaxial) particles are implemented.
Dipolar field of j at i: H = Ms V_j [3 r̂ (r̂·n_j) − n_j]/(4π r³) (A/m), point dipoles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from atomspin.units import K_B, MU_0
from atomspin.validation import check_choice, check_seed

from ._common import (
    MS_MAGNETITE_300K,
    RHO_MAGNETITE,
    TAU0_S,
    anisotropy_field,
    check_array,
    check_drive,
    check_int,
    check_tau0,
    field_safety,
    ilp,
    last_cycle,
    sphere_volume,
)
from ._dipole import dipolar_fields_into
from ._wells import _frame, _wells, _wells_into  # noqa: F401 (_wells: tests)
from .ensembles import arrangement, check_axes, check_positions, lognormal_diameters, random_axes  # noqa: F401
from .particle import Particle, uniaxial_particle


@njit(cache=True)
def _kinetic_kernel(Hz, dt, axes, vols, Ms, K, HK, kT, tau0, pos, use_dip, stochastic, seed, mz_out):
    """Propagate the ensemble over the field samples Hz (A/m) taken at the step midpoints.

    Step k holds Hz[k] over Δt. mz_out[i, k] is n_i·ẑ at the step midpoint (second order): the
    wells of the field Hz[k] weighted with the mean of the occupations before and after the step,
    so that it pairs with Hz[k] in the loop integral.
    """
    n = axes.shape[0]
    nsteps = Hz.shape[0]
    np.random.seed(seed)
    p = np.empty(n)  # probability of s = +1 (master) or state indicator 1/0 (kmc)
    for i in range(n):
        p[i] = 1.0 if axes[i, 2] >= 0 else 0.0
    mom = np.zeros((n, 3))
    unit_weight = np.ones(n)
    Hd = np.zeros((n, 3))
    H = np.zeros(3)
    w = np.zeros(3)
    wl = np.zeros(6)
    scr_t = np.empty(4)
    scr_e = np.empty(4)
    npl = np.zeros((n, 3))
    nmi = np.zeros((n, 3))
    pold = np.empty(n)
    pmid = np.empty(n)
    forced = np.zeros(n, dtype=np.bool_)
    for k in range(nsteps):
        if use_dip:
            dipolar_fields_into(pos, mom, unit_weight, Hd)
        for i in range(n):
            pold[i] = p[i]
            pmid[i] = p[i]
            H[0] = Hd[i, 0]
            H[1] = Hd[i, 1]
            H[2] = Hz[k] + Hd[i, 2]
            hn, psi = _frame(axes[i], H, w)
            _wells_into(hn / HK, psi, wl, scr_t, scr_e)
            tp, ep, tm, em, es = wl[1], wl[2], wl[3], wl[4], wl[5]
            for c in range(3):
                npl[i, c] = math.cos(tp) * axes[i, c] + math.sin(tp) * w[c]
                nmi[i, c] = math.cos(tm) * axes[i, c] + math.sin(tm) * w[c]
            forced[i] = False
            if ep == np.inf:
                p[i] = 0.0
                forced[i] = True
                continue
            if em == np.inf:
                p[i] = 1.0
                forced[i] = True
                continue
            b = K * vols[i]
            if kT > 0.0:
                dp = b * (es - ep) / kT
                dm = b * (es - em) / kT
                nu_p = math.exp(-dp) / (2.0 * tau0) if dp < 700 else 0.0  # rate out of +
                nu_m = math.exp(-dm) / (2.0 * tau0) if dm < 700 else 0.0  # rate out of −
            else:
                nu_p = 0.0
                nu_m = 0.0
            tot = nu_p + nu_m
            if tot <= 0.0:
                continue
            peq = nu_m / tot
            if k == 0:  # start from the equilibrium occupation of the initial field
                if stochastic:
                    p[i] = 1.0 if np.random.random() < peq else 0.0
                else:
                    p[i] = peq
                pold[i] = p[i]
            decay = math.exp(-tot * dt)
            if stochastic:
                if p[i] > 0.5:
                    if np.random.random() < (1.0 - peq) * (1.0 - decay):
                        p[i] = 0.0
                else:
                    if np.random.random() < peq * (1.0 - decay):
                        p[i] = 1.0
            else:
                pmid[i] = peq + (p[i] - peq) * math.exp(-0.5 * tot * dt)  # exact at the midpoint
                p[i] = peq + (p[i] - peq) * decay
        for i in range(n):
            a = Ms * vols[i]
            for c in range(3):
                mom[i, c] = a * (p[i] * npl[i, c] + (1.0 - p[i]) * nmi[i, c])
            pm = 0.5 * (p[i] + pold[i]) if stochastic else pmid[i]
            if forced[i]:
                pm = p[i]
            mz_out[i, k] = pm * npl[i, 2] + (1.0 - pm) * nmi[i, 2]


@dataclass
class KineticResult:
    """Ensemble loop from :func:`kinetic_loop` (last cycle).

    Attributes
    ----------
    H_A_per_m : field samples of the last cycle, A/m
    M_over_Ms : volume-weighted ⟨n·ẑ⟩ at those samples
    particle_m : (N, n) per-particle n_i·ẑ over the last cycle (None unless requested)
    loop_area_J_per_m3 : −∮ μ0 M dH per volume of oxide
    particle_area_J_per_m3 : (N,) local loop areas −∮ μ0 Ms n_i·ẑ dH
    sar_W_per_g, ilp_nHm2_per_kg, safety
    params : inputs used, plus ``closure`` = M(end) − M(one cycle before), the drift left by
        the transient (≈ 0 in the periodic steady state); the analysed loop has this linear
        drift removed
    """

    H_A_per_m: np.ndarray
    M_over_Ms: np.ndarray
    particle_m: np.ndarray | None
    loop_area_J_per_m3: float
    particle_area_J_per_m3: np.ndarray
    sar_W_per_g: float
    ilp_nHm2_per_kg: float
    safety: dict
    params: dict = field(default_factory=dict)


def kinetic_loop(f, H0, diameters=None, Ms=MS_MAGNETITE_300K, K=1.0e4, T=300.0, tau0=TAU0_S, axes="random",
                 positions=None, method="master", n_cycles=None, steps_per_cycle=None, seed=0,
                 rho=RHO_MAGNETITE, keep_particle_loops=False, *, particle=None, allow_nonclinical=False):
    """AC hysteresis loop, SAR and per-particle loops of a macrospin ensemble.

    Parameters
    ----------
    f : float
        Frequency, Hz (> 0).
    H0 : float
        Field amplitude, A/m (> 0); field H(t) = H0 cos(2πft) along z.
    diameters : float or array, optional
        Particle diameter(s), m (see :func:`lognormal_diameters`); default the particle's diameter.
    Ms, K : float
        Saturation magnetisation (A/m) and uniaxial anisotropy (J/m³).
    T : float
        Temperature, K (>= 0).
    tau0 : float
        Attempt time, s (> 0).
    axes : "random", "aligned" or (N, 3) array
        Easy axes; random ones are seeded by ``seed``.
    positions : (N, 3) array, optional
        Centres in m; dipolar interactions are included when given.
    method : {"master", "kmc"}
    n_cycles : int, optional
        Field cycles (>= 2); the last one is analysed, earlier ones remove the transient from the
        initial (equilibrium) occupations. Default: 3 f τ_N + 2 for the slowest particle whose
        zero-field τ_N = τ0 e^{KV/k_BT} is below 20/f (slower ones are blocked), within [3, 30];
        check ``params["closure"]`` for the drift left.
    steps_per_cycle : int, optional
        Time steps per cycle. Default: enough that Δt ≤ τ_N/10 of the smallest particle at zero
        field (the scheme needs Δt ≲ τ), clipped to [2000, 20000].
    seed : int
    rho : float
        Oxide density, kg/m³.
    keep_particle_loops : bool
        Return the (N, steps) per-particle m_z of the last cycle.
    particle : Particle, optional
        The (uniaxial) particle; when given, Ms, K, T and rho are taken from it (and ``diameters``
        defaults to its diameter).
    allow_nonclinical : bool
        Accept H0·f far outside any clinical range (see :func:`atomspin.sar.check_drive`).
    """
    f, H0 = check_drive(f, H0, allow_nonclinical)
    tau0 = check_tau0(tau0)
    seed = check_seed(seed)
    check_choice("method", method, ("master", "kmc"))
    if diameters is None:
        if particle is None:
            raise ValueError("diameters: give the particle diameters (m) or a particle")
        diameters = particle.diameter_m if isinstance(particle, Particle) else None
    p = uniaxial_particle(particle, Ms=Ms, K=K, T=T, rho=rho, volume_required=False)
    Ms, K, T, rho = p.Ms_A_per_m, p.K_uniaxial_J_per_m3, p.T_K, p.density_kg_per_m3
    d = np.atleast_1d(check_array("diameters", diameters, positive=True)).ravel()
    ax = check_axes(axes, d.size, seed)
    pos, use_dip = check_positions(positions, d)
    vols = sphere_volume(d)
    if steps_per_cycle is None:
        g = K * vols.min() / (K_B * T) if T > 0 else np.inf
        tau_min = tau0 * math.exp(min(g, 700.0))
        steps_per_cycle = int(np.clip(math.ceil(10.0 / (f * tau_min)), 2000, 20000))
    steps_per_cycle = check_int("steps_per_cycle", steps_per_cycle, lo=8)
    if n_cycles is None:
        with np.errstate(over="ignore"):
            taus = tau0 * np.exp(np.minimum(K * vols / (K_B * T), 700.0)) if T > 0 else np.full(vols.size, np.inf)
        live = taus[taus * f < 20.0]
        n_cycles = int(np.clip(math.ceil(3.0 * f * live.max()) + 2, 3, 30)) if live.size else 3
    n_cycles = check_int("n_cycles", n_cycles, lo=2)
    HK = float(anisotropy_field(K, Ms))
    nsteps = n_cycles * steps_per_cycle
    dt = 1.0 / (f * steps_per_cycle)
    t_mid = (np.arange(nsteps) + 0.5) * dt
    Hz = H0 * np.cos(2 * np.pi * f * t_mid)
    mz = np.empty((d.size, nsteps))
    _kinetic_kernel(Hz, dt, ax, vols, Ms, K, HK, K_B * T, tau0, pos, use_dip, method == "kmc", seed, mz)
    cyc = last_cycle(mz, Hz, steps_per_cycle)
    local = MU_0 * Ms * cyc.area_per_row
    wv = vols / vols.sum()
    M = wv @ cyc.m
    area = float(wv @ local)
    closure = float(wv @ cyc.drift)
    sar = area * f / rho * 1e-3
    return KineticResult(H_A_per_m=cyc.H, M_over_Ms=M, particle_m=cyc.m if keep_particle_loops else None,
                         loop_area_J_per_m3=area, particle_area_J_per_m3=local, sar_W_per_g=sar,
                         ilp_nHm2_per_kg=float(ilp(sar, f, H0)), safety=field_safety(f, H0),
                         params={"method": method, "T": T, "tau0": tau0, "K": K, "Ms": Ms, "H_K": HK,
                                 "n_particles": int(d.size), "dipolar": bool(use_dip), "n_cycles": n_cycles,
                                 "steps_per_cycle": steps_per_cycle, "closure": closure})
