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

from atomspin.validation import check_seed
from atomspin.units import K_B, MU_0

from ._dipole import add_dipole_fields

from ._common import (
    MS_MAGNETITE_300K,
    RHO_MAGNETITE,
    TAU0_S,
    anisotropy_field,
    check_array,
    check_int,
    check_nonnegative,
    check_positive,
    field_safety,
    ilp,
    sphere_volume,
)

_NGRID = 32
_OFFSET = 0.2137  # grid offset so that symmetric roots (0, π/2, …) never fall on a grid point
_TH = 2.0 * np.pi * (np.arange(_NGRID + 1) + _OFFSET) / _NGRID
_SIN, _COS, _SIN2 = np.sin(_TH), np.cos(_TH), np.sin(2.0 * _TH)


@njit(cache=True)
def _g(theta, h, psi):
    return math.sin(2.0 * theta) + 2.0 * h * math.sin(theta - psi)


@njit(cache=True)
def _gp(theta, h, psi):
    return 2.0 * math.cos(2.0 * theta) + 2.0 * h * math.cos(theta - psi)


@njit(cache=True)
def _e(theta, h, psi):
    s = math.sin(theta)
    return s * s - 2.0 * h * math.cos(theta - psi)


@njit(cache=True)
def _root(a, b, ga, gb, h, cp, sp):
    """Root of g = e'(θ) on [a, b] with g(a) = ga, g(b) = gb of opposite signs (cp, sp = cos ψ,
    sin ψ): Newton from the regula-falsi point, safeguarded by bisection."""
    x = a + (b - a) * ga / (ga - gb)
    for _ in range(60):
        s = math.sin(x)
        c = math.cos(x)
        sm = s * cp - c * sp  # sin(θ − ψ)
        cm = c * cp + s * sp  # cos(θ − ψ)
        gx = 2.0 * s * c + 2.0 * h * sm
        if gx == 0.0:
            return x
        if (gx > 0) == (ga > 0):
            a = x
            ga = gx
        else:
            b = x
        d = 2.0 * (c * c - s * s) + 2.0 * h * cm
        if d != 0.0:
            step = gx / d
            if abs(step) < 1e-12:  # converged (test before the bracket check: x may be an end)
                return x - step
            xn = x - step
        else:
            xn = 0.5 * (a + b)
        if not (a < xn < b):
            xn = 0.5 * (a + b)
        x = xn
    return x


@njit(cache=True)
def _add_root(r, ga, h, psi, th_min, e_min, nmin, emax_low):
    er = _e(r, h, psi)
    if ga < 0:  # g goes − → +: minimum
        if nmin < 4:
            th_min[nmin] = r
            e_min[nmin] = er
            nmin += 1
    elif er < emax_low:
        emax_low = er
    return nmin, emax_low


@njit(cache=True)
def _fine_scan(h, psi, ncell, th_min, e_min):
    """Bracket-and-refine all roots of g on ncell equal cells (trig evaluated on the fly)."""
    cp = math.cos(psi)
    sp = math.sin(psi)
    nmin = 0
    nroot = 0
    emax_low = np.inf
    t0 = 2.0 * math.pi * _OFFSET / ncell
    ga = _g(t0, h, psi)
    for k in range(ncell):
        a = t0 + 2.0 * math.pi * k / ncell
        b = t0 + 2.0 * math.pi * (k + 1) / ncell
        gb = _g(b, h, psi)
        if (ga > 0) != (gb > 0):
            r = _root(a, b, ga, gb, h, cp, sp)
            nmin, emax_low = _add_root(r, ga, h, psi, th_min, e_min, nmin, emax_low)
            nroot += 1
        ga = gb
    return nmin, nroot, emax_low


@njit(cache=True)
def _wells(h, psi, out):
    """:func:`_wells_into` with its own scratch arrays (convenience for tests)."""
    _wells_into(h, psi, out, np.empty(4), np.empty(4))


@njit(cache=True)
def _wells_into(h, psi, out, th_min, e_min):
    """Minima of e(θ) in the plane. out = [n_min, θ+, e+, θ−, e−, e_saddle].

    Roots of g = e'(θ) are bracketed on a 32-cell grid. SW theory says there are four stationary
    points (two minima) exactly when h < h_sw(ψ); if the coarse grid finds fewer there (a close
    min–max pair near the switching field), the circle is rescanned with 4096 cells.
    θ+ is the minimum with the larger cos θ (nearer +u). With one minimum it is stored in the
    slot of its own side (sign of cos θ) and the other slot gets e = +inf.
    """
    nmin = 0
    nroot = 0
    emax_low = np.inf
    cp = math.cos(psi)
    sp = math.sin(psi)
    ga = _SIN2[0] + 2.0 * h * (_SIN[0] * cp - _COS[0] * sp)
    for k in range(_NGRID):
        a = _TH[k]
        b = _TH[k + 1]
        gb = _SIN2[k + 1] + 2.0 * h * (_SIN[k + 1] * cp - _COS[k + 1] * sp)
        if (ga > 0) != (gb > 0):
            r = _root(a, b, ga, gb, h, cp, sp)
            nmin, emax_low = _add_root(r, ga, h, psi, th_min, e_min, nmin, emax_low)
            nroot += 1
        ga = gb
    if nroot < 4:
        hsw = (abs(cp) ** (2.0 / 3.0) + abs(sp) ** (2.0 / 3.0)) ** -1.5
        if h < hsw:
            nmin, nroot, emax_low = _fine_scan(h, psi, 4096, th_min, e_min)
    out[0] = nmin
    out[5] = emax_low
    if nmin >= 2:
        i0, i1 = 0, 1
        if math.cos(th_min[1]) > math.cos(th_min[0]):
            i0, i1 = 1, 0
        out[1] = th_min[i0]
        out[2] = e_min[i0]
        out[3] = th_min[i1]
        out[4] = e_min[i1]
    elif nmin == 1:
        if math.cos(th_min[0]) >= 0:
            out[1] = th_min[0]
            out[2] = e_min[0]
            out[3] = th_min[0] + math.pi
            out[4] = np.inf
        else:
            out[3] = th_min[0]
            out[4] = e_min[0]
            out[1] = th_min[0] - math.pi
            out[2] = np.inf
    else:  # cannot happen for a continuous periodic e(θ); keep the axis states
        out[1] = 0.0
        out[2] = 0.0
        out[3] = math.pi
        out[4] = 0.0


@njit(cache=True)
def _any_perpendicular(u, w):
    """w ← a unit vector ⊥ the unit vector u."""
    if abs(u[0]) < 0.9:
        w[0], w[1], w[2] = 1.0 - u[0] * u[0], -u[0] * u[1], -u[0] * u[2]
    else:
        w[0], w[1], w[2] = -u[1] * u[0], 1.0 - u[1] * u[1], -u[1] * u[2]
    nw = math.sqrt(w[0] ** 2 + w[1] ** 2 + w[2] ** 2)
    w[0] /= nw
    w[1] /= nw
    w[2] /= nw


@njit(cache=True)
def _frame(u, H, w):
    """Return (h_abs, psi) of field H relative to axis u; w ← unit vector ⊥ u toward H."""
    hn = math.sqrt(H[0] * H[0] + H[1] * H[1] + H[2] * H[2])
    if hn == 0.0:
        _any_perpendicular(u, w)
        return 0.0, 0.0
    c = (u[0] * H[0] + u[1] * H[1] + u[2] * H[2]) / hn
    if c > 1.0:
        c = 1.0
    elif c < -1.0:
        c = -1.0
    w[0] = H[0] / hn - c * u[0]
    w[1] = H[1] / hn - c * u[1]
    w[2] = H[2] / hn - c * u[2]
    nw = math.sqrt(w[0] ** 2 + w[1] ** 2 + w[2] ** 2)
    if nw < 1e-14:  # field along the axis: any perpendicular
        _any_perpendicular(u, w)
    else:
        w[0] /= nw
        w[1] /= nw
        w[2] /= nw
    return hn, math.acos(c)


@njit(cache=True)
def _dipolar_fields(pos, mom, unit_weight, Hd):
    """Hd[i] = Σ_j (3 r̂(r̂·μ_j) − μ_j)/(4π r³), μ_j = Ms V_j n_j (A m²) → A/m; unit_weight = ones(N)."""
    for i in range(pos.shape[0]):
        Hd[i, 0] = 0.0
        Hd[i, 1] = 0.0
        Hd[i, 2] = 0.0
    add_dipole_fields(pos, mom, unit_weight, Hd)


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
            _dipolar_fields(pos, mom, unit_weight, Hd)
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


# ---------------------------------------------------------------- ensemble helpers
def lognormal_diameters(d_median, sigma, n, seed):
    """Diameters (m) drawn from a lognormal distribution.

    Parameters
    ----------
    d_median : float
        Median diameter, m (> 0).
    sigma : float
        Standard deviation of ln d (> 0; use a plain diameter for a monodisperse ensemble).
    n : int
        Number of particles.
    seed : int
        Seed of the random generator.
    """
    d_median = check_positive("d_median", d_median)
    sigma = check_positive("sigma", sigma)
    n = check_int("n", n)
    rng = np.random.default_rng(seed)
    return d_median * np.exp(sigma * rng.standard_normal(n))


def random_axes(n, seed):
    """n unit vectors uniformly distributed on the sphere (seeded)."""
    n = check_int("n", n)
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, 3))
    return v / np.linalg.norm(v, axis=1)[:, None]


def arrangement(kind, diameters, gap=1e-9, volume_fraction=0.1, seed=0, axis=(0.0, 0.0, 1.0)):
    """Particle centre positions (m) for dipolar ensembles.

    Parameters
    ----------
    kind : {"chain", "cluster", "random_dense"}
        ``"chain"``: touching-plus-gap chain along ``axis``; ``"cluster"``: random sequential
        addition of non-overlapping spheres with centres inside a sphere whose volume is
        Σ V_i / volume_fraction; ``"random_dense"``: the same inside a cube.
    diameters : array
        Particle diameters, m.
    gap : float
        Surface-to-surface gap of the chain, m (>= 0).
    volume_fraction : float
        Packing fraction in (0, 0.4] for "cluster" and "random_dense".
    seed : int
        Seed for the random placements.
    """
    d = check_array("diameters", diameters, positive=True).ravel()
    n = d.size
    if kind == "chain":
        gap = check_nonnegative("gap", gap)
        ax = np.asarray(axis, dtype=float)
        ax = ax / np.linalg.norm(ax)
        s = np.concatenate([[0.0], np.cumsum(0.5 * (d[:-1] + d[1:]) + gap)])
        return s[:, None] * ax[None, :]
    if kind not in ("cluster", "random_dense"):
        raise ValueError(f"kind: {kind!r} is not 'chain', 'cluster' or 'random_dense'")
    if not 0 < volume_fraction <= 0.4:
        raise ValueError(f"volume_fraction: {volume_fraction} is outside (0, 0.4]")
    rng = np.random.default_rng(seed)
    vtot = float(np.sum(sphere_volume(d))) / volume_fraction
    if kind == "cluster":
        R = (3 * vtot / (4 * math.pi)) ** (1 / 3)
    else:
        L = vtot ** (1 / 3)
    pos = np.zeros((n, 3))
    order = np.argsort(-d)
    placed = []
    for idx in order:
        for _ in range(200000):
            if kind == "cluster":
                p = rng.uniform(-R, R, 3)
                if np.linalg.norm(p) > R:
                    continue
            else:
                p = rng.uniform(0.0, L, 3)
            if all(np.linalg.norm(p - pos[j]) >= 0.5 * (d[idx] + d[j]) for j in placed):
                break
        else:
            raise ValueError(f"volume_fraction: {volume_fraction} too dense to place {n} particles")
        pos[idx] = p
        placed.append(idx)
    return pos


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


def kinetic_loop(f, H0, diameters, Ms=MS_MAGNETITE_300K, K=1.0e4, T=300.0, tau0=TAU0_S, axes="random",
                 positions=None, method="master", n_cycles=None, steps_per_cycle=None, seed=0,
                 rho=RHO_MAGNETITE, keep_particle_loops=False):
    """AC hysteresis loop, SAR and per-particle loops of a macrospin ensemble.

    Parameters
    ----------
    f : float
        Frequency, Hz (> 0).
    H0 : float
        Field amplitude, A/m (>= 0); field H(t) = H0 cos(2πft) along z.
    diameters : float or array
        Particle diameter(s), m (see :func:`lognormal_diameters`).
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
    """
    f = check_positive("f", f)
    H0 = check_nonnegative("H0", H0)
    Ms = check_positive("Ms", Ms)
    K = check_positive("K", K)
    T = check_nonnegative("T", T)
    tau0 = check_positive("tau0", tau0)
    rho = check_positive("rho", rho)
    seed = check_seed(seed)
    d = np.atleast_1d(check_array("diameters", diameters, positive=True)).ravel()
    if isinstance(axes, str):
        if axes == "random":
            ax = random_axes(d.size, seed)
        elif axes == "aligned":
            ax = np.tile([0.0, 0.0, 1.0], (d.size, 1))
        else:
            raise ValueError(f"axes: {axes!r} is not 'random', 'aligned' or an (N, 3) array")
    else:
        ax = check_array("axes", axes)
        if ax.ndim == 1 and ax.size == 3:
            ax = np.tile(ax, (d.size, 1))
        if ax.shape != (d.size, 3):
            raise ValueError(f"axes: shape {ax.shape} is not ({d.size}, 3)")
        nrm = np.linalg.norm(ax, axis=1)
        if np.any(nrm == 0):
            raise ValueError("axes: zero vector")
        ax = ax / nrm[:, None]
    if method not in ("master", "kmc"):
        raise ValueError(f"method: {method!r} is not 'master' or 'kmc'")
    if positions is None:
        pos = np.zeros((d.size, 3))
        use_dip = False
    else:
        pos = check_array("positions", positions)
        if pos.shape != (d.size, 3):
            raise ValueError(f"positions: shape {pos.shape} is not ({d.size}, 3)")
        dist = np.linalg.norm(pos[:, None] - pos[None], axis=-1) + np.eye(d.size) * 1e300
        if np.any(dist < 0.5 * (d[:, None] + d[None, :]) * (1 - 1e-9)):
            raise ValueError("positions: particles overlap")
        use_dip = d.size > 1
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
    _kinetic_kernel(Hz, dt, np.ascontiguousarray(ax), vols, Ms, K, HK, K_B * T, tau0,
                    np.ascontiguousarray(pos), use_dip, method == "kmc", seed, mz)
    # last cycle: moments at the step midpoints, paired with the midpoint fields; the cycle is
    # closed by periodicity (sample k and k + steps_per_cycle are the same field)
    m_last = mz[:, nsteps - steps_per_cycle:]
    H_last = Hz[nsteps - steps_per_cycle:]
    # residual transient: remove the linear drift c_i (k+1)/N accumulated over the last cycle so
    # that the analysed loop closes (c_i is reported as params["closure"], volume-weighted)
    drift = mz[:, -1] - mz[:, -1 - steps_per_cycle]
    m_last = m_last - drift[:, None] * (np.arange(1, steps_per_cycle + 1) / steps_per_cycle)[None, :]
    # −∮ μ0 Ms m dH = ∮ μ0 Ms H dm, evaluated as Σ_k μ0 Ms ½(H_k + H_{k−1}) (m_k − m_{k−1}) cyclically
    dm = m_last - np.roll(m_last, 1, axis=1)
    Hm = 0.5 * (H_last + np.roll(H_last, 1))
    local = MU_0 * Ms * np.sum(dm * Hm[None, :], axis=1)
    wv = vols / vols.sum()
    M = wv @ m_last
    area = float(wv @ local)
    closure = float(wv @ drift)
    sar = area * f / rho * 1e-3
    return KineticResult(H_A_per_m=H_last, M_over_Ms=M, particle_m=m_last if keep_particle_loops else None,
                         loop_area_J_per_m3=area, particle_area_J_per_m3=local, sar_W_per_g=sar,
                         ilp_nHm2_per_kg=float(ilp(sar, f, H0)) if H0 > 0 else float("nan"),
                         safety=field_safety(f, H0),
                         params={"method": method, "T": T, "tau0": tau0, "K": K, "Ms": Ms, "H_K": HK,
                                 "n_particles": int(d.size), "dipolar": bool(use_dip), "n_cycles": n_cycles,
                                 "steps_per_cycle": steps_per_cycle, "closure": closure})
