"""Stochastic Landau–Lifshitz–Gilbert dynamics of macrospins on their energy landscape, optionally rotating in a liquid.

Each particle has a moment m̂ (lab frame), a body orientation R (body → lab), the anisotropy e(n̂) of its
landscape in the body frame (a polynomial, :meth:`atomspin.macrospin.EnergySurface.polynomial`), magnetisation
Ms, volume V, damping α. Fields in A/m, γ0 = γμ0 (γ = 1.76e11 rad s⁻¹ T⁻¹):

    H_eff = −(1/μ0Ms) R ∇e(Rᵀm̂) + H(t) ĥ + H_dip + H_th,   ⟨H_th,a(t) H_th,b(t')⟩ = 2αk_BT/(γμ0²MsV) δ_ab δ(t−t')
    dm̂/dt = −γ0/(1+α²) [m̂ × H_eff + α m̂ × (m̂ × H_eff)]                 (stochastic Heun, Stratonovich)

In a liquid the body turns as an overdamped sphere of hydrodynamic volume V_H in a fluid of viscosity η
(rotational friction ζ = 6ηV_H, rotational diffusion D_r = k_BT/ζ = 1/(2τ_B)) under the torque the anisotropy
exerts on it, the reaction to the anisotropy torque on the moment:
ω = −μ0MsV (m̂ × H_anis)/ζ + √(2D_r) ξ(t), R ← exp(ω̂Δt) R. This is the coupled Néel–Brown rotational-diffusion
model (Brown's and Debye's Langevin equations coupled through the anisotropy, as in Usov & Liubimov,
J. Appl. Phys. 112, 023901 (2012); Helbig et al., arXiv:2204.14106); it is valid in the nonlinear regime.

:func:`llg_loop` gives the AC loop and SAR of an ensemble with an error bar over particles and cycles,
:func:`llg_relaxation_time` the zero-field relaxation time from the equilibrium autocorrelation of m̂·ĥ,
:func:`first_passage_times` the mean residence time in each minimum (checked against the escape rates of
:mod:`atomspin.sar.rates`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from atomspin.units import GAMMA_E, K_B, MU_0
from atomspin.validation import check_int, check_seed

from ._dipole import add_dipole_fields
from ._landscape import poly_grad


@njit(cache=True)
def _anis_field(exps, coefs, R, m, Hc, out, b, g, pw):
    """out = −Hc R ∇e(Rᵀm) (A/m) with Hc = 1/(μ0 Ms); b, g (3,) and pw (3, degree + 1) are scratch."""
    for a in range(3):
        b[a] = R[0, a] * m[0] + R[1, a] * m[1] + R[2, a] * m[2]
    poly_grad(exps, coefs, b, g, pw)
    for a in range(3):
        out[a] = -Hc * (R[a, 0] * g[0] + R[a, 1] * g[1] + R[a, 2] * g[2])


@njit(cache=True)
def _llg_rhs(m, H, pre, alpha, out):
    cx = m[1] * H[2] - m[2] * H[1]
    cy = m[2] * H[0] - m[0] * H[2]
    cz = m[0] * H[1] - m[1] * H[0]
    out[0] = pre * (cx + alpha * (m[1] * cz - m[2] * cy))
    out[1] = pre * (cy + alpha * (m[2] * cx - m[0] * cz))
    out[2] = pre * (cz + alpha * (m[0] * cy - m[1] * cx))


@njit(cache=True)
def _rotate(R, w0, w1, w2, dt):
    """R ← exp([ω]× dt) R (Rodrigues)."""
    th = math.sqrt(w0 * w0 + w1 * w1 + w2 * w2) * dt
    if th == 0.0:
        return
    k0, k1, k2 = w0 * dt / th, w1 * dt / th, w2 * dt / th
    c, s = math.cos(th), math.sin(th)
    C = 1.0 - c
    Q = np.empty((3, 3))
    Q[0, 0] = c + k0 * k0 * C
    Q[0, 1] = k0 * k1 * C - k2 * s
    Q[0, 2] = k0 * k2 * C + k1 * s
    Q[1, 0] = k1 * k0 * C + k2 * s
    Q[1, 1] = c + k1 * k1 * C
    Q[1, 2] = k1 * k2 * C - k0 * s
    Q[2, 0] = k2 * k0 * C - k1 * s
    Q[2, 1] = k2 * k1 * C + k0 * s
    Q[2, 2] = c + k2 * k2 * C
    Rn = Q @ R
    for a in range(3):
        for b in range(3):
            R[a, b] = Rn[a, b]


@njit(cache=True)
def _sllg(m, R, exps, coefs, Ms, vols, alpha, kT, H0, omega, dirn, dt, nsteps, rec_every, seed, zeta, pos, use_dip,
          m_rec, h_rec):
    """Stochastic Heun for N macrospins; zeta[i] > 0: the body of particle i rotates (friction ζ = 6ηV_H).

    Records m̂·ĥ of every particle and the field every rec_every steps (m_rec (n_rec, N), h_rec (n_rec,)).
    """
    np.random.seed(seed)
    n = m.shape[0]
    g0 = GAMMA_E * MU_0
    pre = -g0 / (1.0 + alpha * alpha)
    Hc = 1.0 / (MU_0 * Ms)
    sig = np.empty(n)
    for i in range(n):
        sig[i] = math.sqrt(2.0 * alpha * kT / (GAMMA_E * MU_0 * MU_0 * Ms * vols[i] * dt)) if kT > 0 else 0.0
    wdip = Ms * vols
    Ha = np.zeros((n, 3))
    Hd = np.zeros((n, 3))
    Hd2 = np.zeros((n, 3))
    th = np.zeros((n, 3))
    mt = np.zeros((n, 3))
    k1 = np.zeros((n, 3))
    tmp = np.empty(3)
    sb = np.empty(3)
    sg = np.empty(3)
    pw = np.ones((3, exps.max() + 1))
    k2 = np.empty(3)
    Ht = np.empty(3)
    r = 0
    for k in range(nsteps):
        t = k * dt
        ha = H0 * math.cos(omega * t)
        hb = H0 * math.cos(omega * (t + dt))
        if k % rec_every == 0 and r < m_rec.shape[0]:
            for i in range(n):
                m_rec[r, i] = m[i, 0] * dirn[0] + m[i, 1] * dirn[1] + m[i, 2] * dirn[2]
            h_rec[r] = ha
            r += 1
        for i in range(n):
            for c in range(3):
                th[i, c] = sig[i] * np.random.standard_normal()
                Hd[i, c] = 0.0
        if use_dip:
            add_dipole_fields(pos, m, wdip, Hd)
        for i in range(n):
            _anis_field(exps, coefs, R[i], m[i], Hc, tmp, sb, sg, pw)
            for c in range(3):
                Ha[i, c] = tmp[c]
                Ht[c] = tmp[c] + ha * dirn[c] + Hd[i, c] + th[i, c]
            _llg_rhs(m[i], Ht, pre, alpha, k2)
            nn = 0.0
            for c in range(3):
                k1[i, c] = k2[c]
                mt[i, c] = m[i, c] + dt * k2[c]
                nn += mt[i, c] ** 2
            nn = math.sqrt(nn)
            for c in range(3):
                mt[i, c] /= nn
        for i in range(n):
            for c in range(3):
                Hd2[i, c] = 0.0
        if use_dip:
            add_dipole_fields(pos, mt, wdip, Hd2)
        for i in range(n):
            _anis_field(exps, coefs, R[i], mt[i], Hc, tmp, sb, sg, pw)
            for c in range(3):
                Ht[c] = tmp[c] + hb * dirn[c] + Hd2[i, c] + th[i, c]
            _llg_rhs(mt[i], Ht, pre, alpha, k2)
            nn = 0.0
            for c in range(3):
                m[i, c] += 0.5 * dt * (k1[i, c] + k2[c])
                nn += m[i, c] ** 2
            nn = math.sqrt(nn)
            for c in range(3):
                m[i, c] /= nn
            if zeta[i] > 0.0:
                # body rotation: reaction torque −μ0MsV m × H_anis plus rotational noise √(2 k_BT/ζ)
                a = MU_0 * Ms * vols[i] / zeta[i]
                s_r = math.sqrt(2.0 * kT / (zeta[i] * dt))
                w0 = -a * (m[i, 1] * Ha[i, 2] - m[i, 2] * Ha[i, 1]) + s_r * np.random.standard_normal()
                w1 = -a * (m[i, 2] * Ha[i, 0] - m[i, 0] * Ha[i, 2]) + s_r * np.random.standard_normal()
                w2 = -a * (m[i, 0] * Ha[i, 1] - m[i, 1] * Ha[i, 0]) + s_r * np.random.standard_normal()
                _rotate(R[i], w0, w1, w2, dt)
        if k % 4096 == 4095:  # keep the rotations orthonormal
            for i in range(n):
                if zeta[i] > 0.0:
                    u, _, vt = np.linalg.svd(R[i])
                    Rn = u @ vt
                    for a in range(3):
                        for b in range(3):
                            R[i, a, b] = Rn[a, b]
    if r < m_rec.shape[0]:
        for i in range(n):
            m_rec[r, i] = m[i, 0] * dirn[0] + m[i, 1] * dirn[1] + m[i, 2] * dirn[2]
        h_rec[r] = H0 * math.cos(omega * nsteps * dt)


@njit(cache=True)
def _residence(m, R, exps, coefs, Ms, vol, alpha, kT, dt, nsteps, seed, minima, cos_commit, counts, total_time):
    """Zero-field stochastic Heun of independent macrospins: first-passage times from deep in a minimum to the
    boundary of its basin.

    A clock for minimum a starts when the moment enters the cone n̂·n̂_a > cos_commit[a] (deep in the well) and
    stops when the nearest minimum (the basin boundary through the saddles, for minima related by symmetry)
    is no longer a; counts[a] += 1 and total_time[a] += the elapsed time. The clock restarts only when the
    moment is deep in a well again. Mean first-passage time to the boundary ≈ 1/(2Γ) (half the moments
    that reach the saddle go on), Kramers' relation used by :func:`first_passage_times`.
    """
    np.random.seed(seed)
    n = m.shape[0]
    g0 = GAMMA_E * MU_0
    pre = -g0 / (1.0 + alpha * alpha)
    Hc = 1.0 / (MU_0 * Ms)
    sig = math.sqrt(2.0 * alpha * kT / (GAMMA_E * MU_0 * MU_0 * Ms * vol * dt))
    k = minima.shape[0]
    clock = np.full(n, -1, dtype=np.int64)  # minimum whose clock runs, −1: none
    start = np.zeros(n)
    b = np.empty(3)
    th = np.empty(3)
    Ht = np.empty(3)
    k1 = np.empty(3)
    k2 = np.empty(3)
    mt = np.empty(3)
    tmp = np.empty(3)
    sb = np.empty(3)
    sg = np.empty(3)
    pw = np.ones((3, exps.max() + 1))
    for step in range(nsteps):
        t_now = (step + 1) * dt
        for i in range(n):
            for c in range(3):
                th[c] = sig * np.random.standard_normal()
            _anis_field(exps, coefs, R[i], m[i], Hc, tmp, sb, sg, pw)
            for c in range(3):
                Ht[c] = tmp[c] + th[c]
            _llg_rhs(m[i], Ht, pre, alpha, k1)
            nn = 0.0
            for c in range(3):
                mt[c] = m[i, c] + dt * k1[c]
                nn += mt[c] ** 2
            nn = math.sqrt(nn)
            for c in range(3):
                mt[c] /= nn
            _anis_field(exps, coefs, R[i], mt, Hc, tmp, sb, sg, pw)
            for c in range(3):
                Ht[c] = tmp[c] + th[c]
            _llg_rhs(mt, Ht, pre, alpha, k2)
            nn = 0.0
            for c in range(3):
                m[i, c] += 0.5 * dt * (k1[c] + k2[c])
                nn += m[i, c] ** 2
            nn = math.sqrt(nn)
            for c in range(3):
                m[i, c] /= nn
            for a in range(3):
                b[a] = R[i, 0, a] * m[i, 0] + R[i, 1, a] * m[i, 1] + R[i, 2, a] * m[i, 2]
            best = 0
            bd = -2.0
            for q in range(k):
                d = minima[q, 0] * b[0] + minima[q, 1] * b[1] + minima[q, 2] * b[2]
                if d > bd:
                    bd = d
                    best = q
            if clock[i] >= 0:
                if best != clock[i]:  # reached the boundary of the basin
                    counts[clock[i]] += 1
                    total_time[clock[i]] += t_now - start[i]
                    clock[i] = -1
            elif bd > cos_commit[best]:  # deep in a well: start its clock
                clock[i] = best
                start[i] = t_now


@njit(cache=True)
def _hops(m, R, exps, coefs, Ms, vol, alpha, kT, dt, nsteps, seed, minima, cos_commit, counts, total_time):
    """Zero-field stochastic Heun of independent macrospins, counting committed hops between minima (deep to deep).

    A particle is in minimum a until it comes within the commitment cone (n̂·n̂_b > cos_commit[b]) of another
    minimum b; counts[a] += 1 and total_time[a] accumulates the time spent assigned to a.
    """
    np.random.seed(seed)
    n = m.shape[0]
    g0 = GAMMA_E * MU_0
    pre = -g0 / (1.0 + alpha * alpha)
    Hc = 1.0 / (MU_0 * Ms)
    sig = math.sqrt(2.0 * alpha * kT / (GAMMA_E * MU_0 * MU_0 * Ms * vol * dt))
    k = minima.shape[0]
    state = np.empty(n, dtype=np.int64)
    b = np.empty(3)
    for i in range(n):
        best = 0
        bd = -2.0
        for a in range(3):
            b[a] = R[i, 0, a] * m[i, 0] + R[i, 1, a] * m[i, 1] + R[i, 2, a] * m[i, 2]
        for q in range(k):
            d = minima[q, 0] * b[0] + minima[q, 1] * b[1] + minima[q, 2] * b[2]
            if d > bd:
                bd = d
                best = q
        state[i] = best
    th = np.empty(3)
    Ht = np.empty(3)
    k1 = np.empty(3)
    k2 = np.empty(3)
    mt = np.empty(3)
    tmp = np.empty(3)
    sb = np.empty(3)
    sg = np.empty(3)
    pw = np.ones((3, exps.max() + 1))
    for step in range(nsteps):
        for i in range(n):
            for c in range(3):
                th[c] = sig * np.random.standard_normal()
            _anis_field(exps, coefs, R[i], m[i], Hc, tmp, sb, sg, pw)
            for c in range(3):
                Ht[c] = tmp[c] + th[c]
            _llg_rhs(m[i], Ht, pre, alpha, k1)
            nn = 0.0
            for c in range(3):
                mt[c] = m[i, c] + dt * k1[c]
                nn += mt[c] ** 2
            nn = math.sqrt(nn)
            for c in range(3):
                mt[c] /= nn
            _anis_field(exps, coefs, R[i], mt, Hc, tmp, sb, sg, pw)
            for c in range(3):
                Ht[c] = tmp[c] + th[c]
            _llg_rhs(mt, Ht, pre, alpha, k2)
            nn = 0.0
            for c in range(3):
                m[i, c] += 0.5 * dt * (k1[c] + k2[c])
                nn += m[i, c] ** 2
            nn = math.sqrt(nn)
            for c in range(3):
                m[i, c] /= nn
            total_time[state[i]] += dt
            for a in range(3):
                b[a] = R[i, 0, a] * m[i, 0] + R[i, 1, a] * m[i, 1] + R[i, 2, a] * m[i, 2]
            for q in range(k):
                if q != state[i]:
                    d = minima[q, 0] * b[0] + minima[q, 1] * b[1] + minima[q, 2] * b[2]
                    if d > cos_commit[q]:
                        counts[state[i]] += 1
                        state[i] = q
                        break


# --------------------------------------------------------------------------------------------------- drivers
def _polynomial(particle):
    from .rates import polynomial_of

    return polynomial_of(None, particle)


def llg_time_step(particle, H_max_A_per_m):
    """Time step (s): 1/20 of the fastest precession, γ0 H_scale/(1+α²), and ≤ τ_D/50.

    H_scale = H_max + (largest |curvature| of the anisotropy on the sphere)/(μ0 Ms), the curvature taken over
    the search grid of :class:`atomspin.sar.rates.Landscape`.
    """
    from .fokker_planck import debye_time
    from .rates import anisotropy_surface, Landscape

    surface = anisotropy_surface(particle)
    g, _ = Landscape.search_grid(1000)
    w = np.linalg.eigvalsh(surface.hessian(g))
    hscale = float(np.max(np.abs(w))) / (MU_0 * particle.Ms_A_per_m) + H_max_A_per_m
    dt = 0.05 * (1.0 + particle.alpha**2) / (GAMMA_E * MU_0 * max(hscale, 1e-30))
    if particle.T_K > 0:
        dt = min(dt, debye_time(particle.Ms_A_per_m, particle.volume_m3, particle.T_K, particle.alpha) / 50.0)
    return dt


def _start(n, rng, minima=None):
    m = rng.standard_normal((n, 3))
    m /= np.linalg.norm(m, axis=1)[:, None]
    if minima is not None:  # start in the minima (equilibrates within a few τ_D)
        m = minima[rng.integers(0, len(minima), n)].copy()
    return np.ascontiguousarray(m)


TAU_GROUPS = 8
"""Groups of members of the delete-one-group jackknife error of :func:`llg_relaxation_time` (derived: 24 seeds of
32 members each, seed-to-seed s.d. / mean reported error = 0.71 (uniaxial + cubic, σ = 2), 1.42 (σ = 3.3), 0.84
(uniaxial, σ = 3); the members' spread under one common window, used before, gave 1.23, 2.20 and 1.36; 12 seeds of
the 12.1 nm demo particle's landscape, 64 members, σ = 3.3: s.d. 11.5 % of τ against a mean error of 4.8 % before).
So at σ ≈ 3 the error may still be ≈ 1.4× low; a sweep's average over realisations uses the larger of the
propagated error and the seed spread."""


def _integrated_time(x, lag):
    """∫ C(t)/C(0) dt (s) of the records x (n_rec, members): the members' normalised autocorrelations averaged,
    summed until C first drops below 0.05, the exponential tail beyond added (C(cut)·τ, solved for τ)."""
    x = x - x.mean()
    L = x.shape[0]
    f = np.fft.rfft(x, n=2 * L, axis=0)
    acf = np.fft.irfft(f * np.conj(f), axis=0)[:L]
    acf = acf / (L - np.arange(L))[:, None]
    C = (acf / acf[0]).mean(axis=1)
    cut = int(np.argmax(C < 0.05)) if np.any(C < 0.05) else L // 2
    cut = max(min(cut, L // 2), 2)
    return lag * (np.sum(C[:cut]) - 0.5 * C[0] - 0.5 * C[cut - 1]) / (1.0 - C[cut - 1])


def llg_relaxation_time(particle, seed=0, n_particles=400, direction=None, run_taus=40.0, dt=None):
    """Zero-field relaxation time (s) from the equilibrium autocorrelation of m̂·ĥ of stochastic LLG.

    τ = ∫ C(t)/C(0) dt (summed until C first drops below 0.05, the exponential tail beyond added); for a uniaxial particle this integral
    relaxation time equals 1/λ₁ of the Fokker–Planck operator within 1.3 % at every σ (tests). ``direction``:
    the observed axis (default the easy axis / lowest minimum). Returns (τ, standard error) in s; the error is
    the delete-one-group jackknife over :data:`TAU_GROUPS` groups of members (against the seed-to-seed spread:
    see TAU_GROUPS).
    """
    from .fokker_planck import debye_time
    from .rates import check_landscape

    seed = check_seed(seed)
    n_particles = check_int("n_particles", n_particles, 8, 10**6)
    rng = np.random.default_rng(seed)
    exps, coefs = _polynomial(particle)
    _, t = check_landscape(particle)
    mins = t.minima.copy()
    d = mins[int(np.argmin(t.e_min[:t.nmin]))] if direction is None else np.asarray(direction, float)
    d = d / np.linalg.norm(d)
    tauD = debye_time(particle.Ms_A_per_m, particle.volume_m3, particle.T_K, particle.alpha)
    dt = llg_time_step(particle, 0.0) if dt is None else dt
    # first guess of τ for the run length: the rates above 2 k_BT, τ_D e^σ below
    sig = float(np.min(t.barriers_J(particle.volume_m3))) / particle.kT_J if t.nsad else 0.0
    guess = tauD * max(1.0, 0.5 * math.sqrt(math.pi) * max(sig, 1e-3) ** -1.5 * math.exp(sig)) if sig > 1 else tauD
    rec_dt = guess / 40.0
    rec_every = max(int(rec_dt / dt), 1)
    nsteps = int(run_taus * guess / dt) + int(5 * guess / dt)
    nrec = nsteps // rec_every + 2
    m = _start(n_particles, rng, mins)
    R = np.ascontiguousarray(np.tile(np.eye(3), (n_particles, 1, 1)))
    m_rec = np.zeros((nrec, n_particles))
    h_rec = np.zeros(nrec)
    _sllg(m, R, exps, coefs, particle.Ms_A_per_m, np.full(n_particles, particle.volume_m3), particle.alpha,
          particle.kT_J, 0.0, 0.0, d, dt, nsteps, rec_every, seed, np.zeros(n_particles), np.zeros((n_particles, 3)),
          False, m_rec, h_rec)
    burn = int(5 * guess / dt) // rec_every
    x = m_rec[burn:nrec - 1]
    lag = rec_every * dt
    tau = _integrated_time(x, lag)
    # error: delete-one-group jackknife over TAU_GROUPS groups of members, each estimate with its own window (the
    # data-chosen window is as noisy as the sum: the spread of the members' own integrals under one common window
    # underestimated the seed-to-seed spread ≈ 2.2×, tests)
    g = min(TAU_GROUPS, n_particles // 2)
    member = np.arange(x.shape[1]) % g
    each = np.array([_integrated_time(x[:, member != k], lag) for k in range(g)])
    err = float(np.sqrt((g - 1) / g * np.sum((each - each.mean()) ** 2)))
    return float(tau), err


def first_passage_times(particle, seed=0, n_particles=256, transitions=20, commit=0.5, dt=None, max_steps=None,
                        measure="hops"):
    """Escape rates of stochastic LLG from first-passage times, per zero-field minimum.

    ``measure="hops"``: committed hops, deep to deep: a hop out of a is counted when the moment enters the cone of
    another minimum b of half-angle ``commit`` × (angle from b to its nearest saddle); rate = 1/(mean residence).
    The rate a master equation over the minima needs; it includes the descent into the new well, so at low
    barriers it is below Kramers' rate (uniaxial σ = 2: 0.7 of λ₁/2).
    ``measure="boundary"``: the clock starts deep in a well (the same cone) and stops at the boundary of its
    basin (nearest minimum changes); rate = 1/(2 mean time), Kramers' relation for the first passage to the
    barrier (half of the moments that reach it go on). Exact for an axially symmetric (uniaxial) particle, whose
    boundary is the equator; with precession at a non-axial saddle the commitment probability on the boundary
    is not 1/2 away from the saddle, so use "hops" there.

    Returns dict with ``minima`` (k, 3), ``mean_time_s`` (k,), ``transitions`` (k,), ``rate_s`` (k,) to compare
    with ``escape_rates(particle)["escape_rate"]``, ``steps``, ``dt_s``, ``tau_D_s``.
    """
    from atomspin.validation import check_choice

    check_choice("measure", measure, ("hops", "boundary"))
    from .fokker_planck import debye_time
    from .rates import check_landscape, escape_rates

    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    exps, coefs = _polynomial(particle)
    _, t = check_landscape(particle)
    mins = t.minima.copy()
    sads = t.saddles.copy()
    cosc = np.empty(len(mins))
    for q in range(len(mins)):
        ang = np.min(np.arccos(np.clip(sads @ mins[q], -1, 1))) if len(sads) else np.pi / 2
        cosc[q] = math.cos(commit * ang)
    dt = llg_time_step(particle, 0.0) if dt is None else dt
    rate = float(np.max(escape_rates(particle)["escape_rate"]))
    per_particle = transitions * len(mins) / max(n_particles, 1)
    nsteps = int(max(per_particle, 4.0) / rate / dt) if max_steps is None else int(max_steps)
    m = _start(n_particles, rng, mins)
    R = np.ascontiguousarray(np.tile(np.eye(3), (n_particles, 1, 1)))
    counts = np.zeros(len(mins), dtype=np.int64)
    total = np.zeros(len(mins))
    kernel = _residence if measure == "boundary" else _hops
    kernel(m, R, exps, coefs, particle.Ms_A_per_m, particle.volume_m3, particle.alpha, particle.kT_J, dt, nsteps,
           seed, np.ascontiguousarray(mins), cosc, counts, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / counts
    return {"minima": mins, "mean_time_s": mean, "transitions": counts,
            "rate_s": (0.5 if measure == "boundary" else 1.0) / mean,
            "steps": nsteps, "dt_s": dt, "tau_D_s": debye_time(particle.Ms_A_per_m, particle.volume_m3,
                                                               particle.T_K, particle.alpha)}


@dataclass
class LLGLoop:
    """AC loop of stochastic LLG macrospins (last ``n_cycles − 1`` cycles averaged)."""

    H_A_per_m: np.ndarray
    M_over_Ms: np.ndarray
    loop_area_J_per_m3: float
    loop_area_err_J_per_m3: float
    particle_area_J_per_m3: np.ndarray
    params: dict = field(default_factory=dict)


def llg_loop(particle, f, H0, directions, volumes=None, zeta=None, rotations=None, positions=None, n_cycles=4,
             n_record=200, seed=0, dt=None):
    """AC loop of independent (or dipolar-coupled) macrospins by stochastic LLG.

    Parameters
    ----------
    particle : Particle (Ms, T, α, landscape)
    f, H0 : drive (Hz, A/m), validated by the caller
    directions : (N, 3) field direction of each member in its body frame (the body is turned so that the lab
        field ẑ has these body coordinates)
    volumes : (N,) m³ (default the particle's)
    zeta : (N,) rotational friction 6ηV_H (J s) of members that rotate (0: immobilised); default none rotate
    positions : (N, 3) m for dipolar coupling (optional)
    n_cycles : cycles run; the first is discarded (transient), the others averaged
    Returns
    -------
    LLGLoop with the error of the mean area over members × cycles.
    """
    seed = check_seed(seed)
    d = np.atleast_2d(np.asarray(directions, float))
    n = d.shape[0]
    vols = np.full(n, particle.volume_m3) if volumes is None else np.asarray(volumes, float)
    zeta = np.zeros(n) if zeta is None else np.asarray(zeta, float)
    exps, coefs = _polynomial(particle)
    # body orientations R with Rᵀ ẑ = d (any rotation about ẑ: the field is along ẑ)
    R = np.empty((n, 3, 3))
    for i in range(n):
        R[i] = _rotation_to_z(d[i] / np.linalg.norm(d[i]))
    if rotations is not None:
        R = np.asarray(rotations, float).copy()
    dt = llg_time_step(particle, H0) if dt is None else dt
    period = 1.0 / f
    spc = int(math.ceil(period / dt / n_record)) * n_record
    dt = period / spc
    rec_every = spc // n_record
    nsteps = spc * n_cycles
    nrec = nsteps // rec_every + 1
    rng = np.random.default_rng(seed)
    from .rates import check_landscape

    _, t0 = check_landscape(particle)
    m = np.empty((n, 3))
    for i in range(n):  # start in the minimum nearest the field (body minima turned into the lab)
        mins_lab = t0.minima @ R[i].T
        m[i] = mins_lab[int(np.argmax(mins_lab[:, 2]))]
    m_rec = np.zeros((nrec, n))
    h_rec = np.zeros(nrec)
    pos = np.zeros((n, 3)) if positions is None else np.ascontiguousarray(positions, float)
    _sllg(np.ascontiguousarray(m), np.ascontiguousarray(R), exps, coefs, particle.Ms_A_per_m, vols, particle.alpha,
          particle.kT_J, H0, 2 * math.pi * f, np.array([0.0, 0.0, 1.0]), dt, nsteps, rec_every, seed, zeta, pos,
          positions is not None and n > 1, m_rec, h_rec)
    from ._common import cyclic_area

    areas = []
    for c in range(1, n_cycles):
        sl = slice(c * n_record, (c + 1) * n_record)
        areas.append(MU_0 * particle.Ms_A_per_m * cyclic_area(m_rec[sl].T, h_rec[sl]))
    areas = np.array(areas)  # (cycles, N)
    w = vols / vols.sum()
    per_cycle = areas @ w
    mean_area = float(per_cycle.mean())
    each = areas.mean(axis=0)
    # error of the volume-weighted mean: members × cycles as independent samples
    samples = (areas * (w * n)[None, :]).ravel()
    err = float(np.std(samples, ddof=1) / math.sqrt(samples.size)) if samples.size > 1 else float("nan")
    M = (m_rec[n_record:n_cycles * n_record].reshape(n_cycles - 1, n_record, n) @ w).mean(axis=0)
    return LLGLoop(H_A_per_m=h_rec[:n_record].copy(), M_over_Ms=M, loop_area_J_per_m3=mean_area,
                   loop_area_err_J_per_m3=err, particle_area_J_per_m3=each,
                   params={"dt": dt, "steps_per_cycle": spc, "n_cycles": n_cycles, "n_particles": n})


def _rotation_to_z(d):
    """A rotation R with R d = ẑ, i.e. Rᵀẑ = d (body → lab)."""
    z = np.array([0.0, 0.0, 1.0])
    v = np.cross(d, z)
    s = np.linalg.norm(v)
    c = float(d @ z)
    if s < 1e-12:
        return np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    k = v / s
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * K + (1 - c) * K @ K
