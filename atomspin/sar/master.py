"""Master equation over the minima of a macrospin landscape in an AC field: M(t), loop, SAR, ILP.

A particle (a :class:`~atomspin.sar.Particle` with its anisotropy landscape, or a uniaxial one) in the field
H(t) = H0 cos(2πft) ĥ is described by the occupation probabilities p_i of the minima of e(n̂) − μ0Ms H(t)·n̂.
Each cycle is divided into N steps; the field of step k is its midpoint value, and because the field takes
the same N/2 values on the way down and on the way up, the landscape is analysed N/2 times per orientation:

1. minima and first-order saddles re-found at each field (:func:`atomspin.sar._landscape.find_critical`, seeded
   with the previous field's points), with the escape rates of :mod:`atomspin.sar.rates` (Langer/Brown);
2. when the field changes, every minimum is followed by descent to the minimum it flows into in the new
   field: a minimum that the field removes hands its occupation to where the moment goes (the T = 0
   Stoner–Wohlfarth switch; exact when the precessional switching time ≪ 1/f);
3. within a step the occupations evolve exactly for the frozen rates, p ← exp(WΔt) p;
4. the periodic steady state is the stationary vector of the product of the N step operators (the state
   after infinitely many cycles; no transient), or, with ``n_cycles``, the state after that many cycles
   from equilibrium in the initial field.

The moment of well i is its direction shortened by the harmonic thermal spread, n̂_i (1 − k_BT (1/c₁ + 1/c₂)/(2V))
(c the curvatures, J/m³ per rad²). Loop area per volume A = −∮ μ0 Ms ⟨n̂·ĥ⟩ dH; SAR = A f/ρ.
Validity: zero-field barriers ≥ 4 k_BT (below, :mod:`atomspin.sar.macrospin_llg`), precessional switching
fast on the scale of the field period (1/f ≫ 1/(αγμ0H_K)).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from atomspin.units import GAMMA_E, K_B, MU_0
from atomspin.validation import check_int

from ._landscape import KMAX, SMAX, descend, find_critical
from .rates import Landscape, rate_matrix


@njit(cache=True)
def expm_small(A, out):
    """exp(A) of a small dense matrix: scaling and squaring with a degree-12 Taylor series."""
    n = A.shape[0]
    nrm = 0.0
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += abs(A[i, j])
        nrm = max(nrm, s)
    sq = 0
    while nrm > 0.25:
        nrm *= 0.5
        sq += 1
    B = A / (2.0**sq)
    term = np.eye(n)
    res = np.eye(n)
    for k in range(1, 13):
        term = term @ B / k
        res += term
    for _ in range(sq):
        res = res @ res
    for i in range(n):
        for j in range(n):
            out[i, j] = res[i, j]


@njit(cache=True)
def _tables(exps, coefs, scale, grid, e_grid, nb, zdir, hvals, zfac,
            nmin, mins, e_min, c_min, nsad, sads, e_sad, c_sad, u_sad, pair, ring, down, up):
    """Critical tables at the fields hvals[j] (descending) along zdir, and the transfer maps between them.

    zfac = μ0 Ms (J/m³ per A/m). down[j, a] = index in table j+1 of where minimum a of table j goes when the
    field steps from hvals[j] to hvals[j+1]; up[j, b] = index in table j of where minimum b of table j+1 goes.
    """
    nh = hvals.shape[0]
    seeds = np.zeros((2 * (KMAX + SMAX), 3))
    ns = 0
    z = np.empty(3)
    for j in range(nh):
        for c in range(3):
            z[c] = zfac * hvals[j] * zdir[c]
        a, b = find_critical(exps, coefs, z, scale, grid, e_grid, nb, seeds, ns, mins[j], e_min[j], c_min[j],
                             sads[j], e_sad[j], c_sad[j], u_sad[j], pair[j], ring[j])
        nmin[j] = a
        nsad[j] = b
        ns = 0
        for q in range(a):
            seeds[ns] = mins[j, q]
            ns += 1
        for q in range(b):
            seeds[ns] = sads[j, q]
            ns += 1
    # second pass in the other direction, seeded with the next field's points and this field's own: a minimum
    # born (on the grid) late in the first pass is followed back to the field where it appears
    for j in range(nh - 2, -1, -1):
        ns = 0
        for q in range(nmin[j + 1]):
            seeds[ns] = mins[j + 1, q]
            ns += 1
        for q in range(nsad[j + 1]):
            seeds[ns] = sads[j + 1, q]
            ns += 1
        for q in range(nmin[j]):
            if ns < seeds.shape[0]:
                seeds[ns] = mins[j, q]
                ns += 1
        for q in range(nsad[j]):
            if ns < seeds.shape[0]:
                seeds[ns] = sads[j, q]
                ns += 1
        for c in range(3):
            z[c] = zfac * hvals[j] * zdir[c]
        a, b = find_critical(exps, coefs, z, scale, grid, e_grid, nb, seeds, ns, mins[j], e_min[j], c_min[j],
                             sads[j], e_sad[j], c_sad[j], u_sad[j], pair[j], ring[j], False)
        nmin[j] = a
        nsad[j] = b
    m = np.empty(3)
    for j in range(nh - 1):
        for direction in range(2):
            src = j if direction == 0 else j + 1
            dst = j + 1 if direction == 0 else j
            for c in range(3):
                z[c] = zfac * hvals[dst] * zdir[c]
            for a in range(nmin[src]):
                m[0], m[1], m[2] = mins[src, a, 0], mins[src, a, 1], mins[src, a, 2]
                descend(exps, coefs, z, m, scale, 5000)
                best = 0
                bd = -2.0
                for q in range(nmin[dst]):
                    d = mins[dst, q, 0] * m[0] + mins[dst, q, 1] * m[1] + mins[dst, q, 2] * m[2]
                    if d > bd:
                        bd = d
                        best = q
                if direction == 0:
                    down[j, a] = best
                else:
                    up[j, a] = best


@njit(cache=True)
def _cycle(nmin, mins, e_min, c_min, nsad, sads, e_sad, c_sad, pair, down, up, zdir, bV, A, alpha, tauD, kT_over_V,
           dt, nsteps, n_cycles, mz_out, p_end):
    """Occupations over the cycle(s); mz_out[k] = ⟨n̂·ĥ⟩ at the midpoint of step k of the last cycle.

    n_cycles = 0: the periodic steady state (stationary vector of the one-cycle operator); otherwise start
    from equilibrium in the first field and run n_cycles cycles. p_end[:nmin[0]] returns the final state.
    """
    half = nsteps // 2
    # step operators (full and half step) for the N/2 tables
    Ufull = np.zeros((half, KMAX, KMAX))
    Uhalf = np.zeros((half, KMAX, KMAX))
    mom = np.zeros((half, KMAX))
    for j in range(half):
        n = nmin[j]
        W = np.zeros((n, n))
        rate_matrix(n, mins[j], e_min[j], c_min[j], nsad[j], sads[j], e_sad[j], c_sad[j], pair[j], bV, A, alpha,
                    tauD, W)
        E = np.zeros((n, n))
        expm_small(W * dt, E)
        Ufull[j, :n, :n] = E
        expm_small(W * (0.5 * dt), E)
        Uhalf[j, :n, :n] = E
        for a in range(n):
            red = 1.0 - 0.5 * kT_over_V * (1.0 / max(c_min[j, a, 0], 1e-300) + 1.0 / max(c_min[j, a, 1], 1e-300))
            red = min(max(red, 0.0), 1.0)
            mom[j, a] = red * (mins[j, a, 0] * zdir[0] + mins[j, a, 1] * zdir[1] + mins[j, a, 2] * zdir[2])
    n0 = nmin[0]
    if n_cycles == 0:
        # one-cycle operator on table 0 → stationary vector
        M = np.eye(n0)
        for k in range(nsteps):
            j = k if k < half else nsteps - 1 - k
            n = nmin[j]
            M = np.ascontiguousarray(Ufull[j, :n, :n]) @ M
            if k < half - 1:
                T = np.zeros((nmin[j + 1], n))
                for a in range(n):
                    T[down[j, a], a] = 1.0
                M = T @ M
            elif half <= k < nsteps - 1:
                T = np.zeros((nmin[j - 1], n))
                for a in range(n):
                    T[up[j - 1, a], a] = 1.0
                M = T @ M
        P = M
        # stationary vector: solve (P − I) p = 0 with Σp = 1 (least squares on the stacked system)
        Aeq = np.zeros((n0 + 1, n0))
        rhs = np.zeros(n0 + 1)
        for a in range(n0):
            for b in range(n0):
                Aeq[a, b] = P[a, b] - (1.0 if a == b else 0.0)
            Aeq[n0, a] = 1.0
        rhs[n0] = 1.0
        p = np.linalg.lstsq(Aeq, rhs)[0]
        for a in range(n0):
            p[a] = max(p[a], 0.0)
        s = p.sum()
        p = p / s
        ncyc = 1
    else:
        # equilibrium of the first field: stationary vector of W_0 (exp(WΔt) for a long time)
        W = np.zeros((n0, n0))
        rate_matrix(n0, mins[0], e_min[0], c_min[0], nsad[0], sads[0], e_sad[0], c_sad[0], pair[0], bV, A, alpha,
                    tauD, W)
        Aeq = np.zeros((n0 + 1, n0))
        rhs = np.zeros(n0 + 1)
        for a in range(n0):
            for b in range(n0):
                Aeq[a, b] = W[a, b]
            Aeq[n0, a] = 1.0
        rhs[n0] = 1.0
        p = np.linalg.lstsq(Aeq, rhs)[0]
        for a in range(n0):
            p[a] = max(p[a], 0.0)
        p = p / p.sum()
        ncyc = n_cycles
    for cyc in range(ncyc):
        for k in range(nsteps):
            j = k if k < half else nsteps - 1 - k
            n = nmin[j]
            if cyc == ncyc - 1:
                pm = np.ascontiguousarray(Uhalf[j, :n, :n]) @ p
                s = 0.0
                for a in range(n):
                    s += pm[a] * mom[j, a]
                mz_out[k] = s
            p = np.ascontiguousarray(Ufull[j, :n, :n]) @ p
            if k < half - 1:
                q = np.zeros(nmin[j + 1])
                for a in range(n):
                    q[down[j, a]] += p[a]
                p = q
            elif half <= k < nsteps - 1:
                q = np.zeros(nmin[j - 1])
                for a in range(n):
                    q[up[j - 1, a]] += p[a]
                p = q
    for a in range(p.shape[0]):
        p_end[a] = p[a]


class OrientationTables:
    """The critical tables of one landscape for one field direction over the N/2 field values of a cycle."""

    def __init__(self, landscape, zdir, H0, steps_per_cycle):
        half = steps_per_cycle // 2
        k = np.arange(half)
        self.hvals = H0 * np.cos(2.0 * np.pi * (k + 0.5) / steps_per_cycle)
        self.zdir = np.ascontiguousarray(zdir, dtype=float)
        self.nmin = np.zeros(half, dtype=np.int64)
        self.nsad = np.zeros(half, dtype=np.int64)
        self.mins = np.zeros((half, KMAX, 3))
        self.e_min = np.zeros((half, KMAX))
        self.c_min = np.zeros((half, KMAX, 2))
        self.sads = np.zeros((half, SMAX, 3))
        self.e_sad = np.zeros((half, SMAX))
        self.c_sad = np.zeros((half, SMAX, 2))
        self.u_sad = np.zeros((half, SMAX, 3))
        self.pair = np.full((half, SMAX, 2), -1, dtype=np.int64)
        self.ring = np.zeros((half, SMAX), dtype=np.int64)
        self.down = np.zeros((max(half - 1, 1), KMAX), dtype=np.int64)
        self.up = np.zeros((max(half - 1, 1), KMAX), dtype=np.int64)
        zfac = MU_0 * landscape.particle.Ms_A_per_m
        _tables(landscape.exps, landscape.coefs, landscape.scale, landscape.grid, landscape.e_grid, landscape.nb,
                self.zdir, self.hvals, zfac, self.nmin, self.mins, self.e_min, self.c_min, self.nsad, self.sads,
                self.e_sad, self.c_sad, self.u_sad, self.pair, self.ring, self.down, self.up)
        if np.any(self.nmin == 0):
            raise RuntimeError("master equation: a field value without any minimum (search failed)")

    def cycle(self, particle, volume_m3, f, n_cycles=0):
        """⟨n̂·ĥ⟩ at the N step midpoints of the (last or steady) cycle, and the final occupations."""
        N = 2 * len(self.hvals)
        kT = K_B * particle.T_K
        A = GAMMA_E / (particle.Ms_A_per_m * (1.0 + particle.alpha**2))
        tauD = (1.0 + particle.alpha**2) * particle.Ms_A_per_m * volume_m3 / (2.0 * particle.alpha * GAMMA_E * kT)
        mz = np.zeros(N)
        p_end = np.zeros(KMAX)
        _cycle(self.nmin, self.mins, self.e_min, self.c_min, self.nsad, self.sads, self.e_sad, self.c_sad,
               self.pair, self.down, self.up, self.zdir, volume_m3 / kT, A, particle.alpha, tauD, kT / volume_m3,
               1.0 / (f * N), N, check_int("n_cycles", n_cycles, 0, 10**6), mz, p_end)
        return mz, p_end[:self.nmin[0]].copy()

    def fields(self):
        """H (A/m) at the N step midpoints of a cycle."""
        return np.concatenate([self.hvals, self.hvals[::-1]])


def master_linear_response(particle, f, directions, weights=None, dH=None):
    """Linear response of the master equation: loss per cycle per H0², its relaxation times and susceptibility.

    For each field direction d (body frame) the zero-field generator W0 and the occupation response
    q = ∂p_eq/∂H (central difference at ±dH, minima matched by continuation) give the interwell susceptibility
    χ = Ms Σ_i q_i m_i and, mode by mode, χ''(ω) = Σ_k χ_k ωτ_k/(1 + ω²τ_k²) with τ_k = 1/λ_k of W0 (the
    intrawell response is instantaneous and lossless). Returns a dict with ``area_per_H0sq`` (J/m³ per (A/m)²,
    weighted over the directions), ``tau_s`` (the slowest non-zero relaxation time), ``chi`` (weighted χ).
    """
    from ._common import cyclic_area  # noqa: F401 (kept for symmetry with the loop code)
    from .rates import Landscape

    land = Landscape(particle)
    d_all = np.atleast_2d(np.asarray(directions, float))
    w_all = np.full(len(d_all), 1.0 / len(d_all)) if weights is None else np.asarray(weights, float)
    kT = K_B * particle.T_K
    V = particle.volume_m3
    Ms = particle.Ms_A_per_m
    dH = 1e-4 * kT / (MU_0 * Ms * V) if dH is None else dH
    omega = 2.0 * np.pi * f
    area = 0.0
    chi_tot = 0.0
    taus = []
    t0 = land.critical(np.zeros(3))
    W0 = t0.rate_matrix(particle)
    lam, vec = np.linalg.eig(W0)
    order = np.argsort(-lam.real)
    lam, vec = lam[order].real, vec[:, order].real
    inv = np.linalg.inv(vec)
    taus = 1.0 / -lam[1:]
    for d, w in zip(d_all, w_all):
        peq = []
        for sgn in (1.0, -1.0):
            t = land.critical(sgn * dH * d, seeds=np.vstack([t0.minima, t0.saddles]))
            Wh = t.rate_matrix(particle)
            A = np.vstack([Wh, np.ones(t.nmin)])
            b = np.zeros(t.nmin + 1)
            b[-1] = 1.0
            p = np.linalg.lstsq(A, b, rcond=None)[0]
            # map to the zero-field minima by continuation (nearest direction)
            idx = np.argmax(t.minima @ t0.minima.T, axis=0)
            peq.append(p[idx])
        q = (peq[0] - peq[1]) / (2.0 * dH)
        red = 1.0 - 0.5 * kT / V * (1.0 / t0.c_min[:t0.nmin, 0] + 1.0 / t0.c_min[:t0.nmin, 1])
        m = np.clip(red, 0.0, 1.0) * (t0.minima @ d)
        # mode amplitudes of the response: M(ω) = m·(iω − W0)⁻¹(−W0 q) H0 = Σ_k (m·v_k)(u_k·q) λ_k/(λ_k − iω)…
        a = (m @ vec) * (inv @ q)  # χ_k/(μ0 Ms) for each mode (λ_0 = 0 carries none)
        chi_k = Ms * a[1:]
        wt = omega * taus
        chi2 = np.sum(chi_k * wt / (1.0 + wt * wt))
        area += w * MU_0 * np.pi * chi2
        chi_tot += w * float(np.sum(chi_k))
    return {"area_per_H0sq": float(area), "tau_s": float(np.max(taus)) if len(taus) else np.inf, "chi": chi_tot}
