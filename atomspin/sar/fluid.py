"""Particles in a liquid: Néel switching between the minima of the landscape *and* Brownian rotation of the body.

Model (coupled Néel–Brown rotational diffusion in the high-barrier limit; valid in the nonlinear regime):
each particle carries its body orientation R (body → lab) and the minimum a of its landscape that the moment
occupies. Over a time step Δt, with the field H(t) ẑ seen in the body frame as Rᵀ ẑ H(t):

1. the minima and saddles are followed from the previous step (Newton from the previous points, and a short
   solve from the points that vanished and have not come back — :func:`remember_vanished`, where a field that
   turns back recreates them; a full search every ``search_every`` steps and whenever the number of minima or
   saddles changes finds points that a field creates elsewhere or that tracking lost: with these rules the
   lowest saddle equals that of a full search at ≥ 99 % of the steps of a 12 nm particle turning in water,
   tests/test_sar_landscape.py); the occupied minimum is followed by descent (a minimum that vanishes hands the
   moment to where it flows);
2. the moment jumps to minimum b with the probability [exp(WΔt)]_{ba} of the master equation of
   :mod:`atomspin.sar.master` (Langer/Brown rates for the frozen field; exact for a two-level or multi-level
   jump process over the step);
3. the body turns as an overdamped sphere (friction ζ = 6ηV_H, rotational diffusion D_r = k_BT/ζ = 1/(2τ_B))
   under the torque of the field on the moment locked in its well, μ0MsV m̂ × H:
   ω = μ0MsV (m̂ × H)/ζ + √(2D_r) ξ, R ← exp(ω̂Δt) R (Brown's rigid-body rotational diffusion; Debye).

Limits (tests): ζ → ∞ gives the immobilised master equation; rates → 0 (a blocked moment) give a rigid dipole
whose low-field loss is Debye's, χ'' = χ_i ωτ_B/(1 + ω²τ_B²). Between the two, the moment relaxes by both
channels at once, through the same torque that couples the lattice to the moment. The intrawell moment is
the minimum's direction (the harmonic thermal shortening of :mod:`atomspin.sar.master` is applied too).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from atomspin.units import GAMMA_E, K_B, MU_0

from ._landscape import KMAX, SMAX, descend, find_critical
from .macrospin_llg import _rotate
from .master import expm_small
from .rates import rate_matrix

#: most vanished critical points remembered (the oldest is forgotten first)
MEMORY_SIZE = 24
#: a critical point of the previous step with no point of this step within this angle has vanished, and a
#: remembered point with a point of this step within it has come back (derived: a step moves a critical point by a
#: fraction of the turn of the field in the body frame, ≤ 0.14 rad rms per step of τ_B/50 for the Brownian turn and
#: 2π/400 for the AC field; 0.25 rad is above both, and a point recreated within it is tracked again)
VANISHED_RAD = 0.25


@njit(cache=True)
def _near_any(x, mins, nmin, sads, nsad, cos_max):
    """Whether one of the nmin minima or nsad saddles lies within arccos(cos_max) of the direction x."""
    for q in range(nmin + nsad):
        pt = mins[q] if q < nmin else sads[q - nmin]
        if x[0] * pt[0] + x[1] * pt[1] + x[2] * pt[2] > cos_max:
            return True
    return False


@njit(cache=True)
def remember_vanished(prev, nprev, mins, nmin, sads, nsad, memory, nmem):
    """Update the memory of vanished critical points after a step (in place); returns the new count.

    The first ``nprev`` rows of ``prev`` are the previous step's critical points, ``mins``/``sads`` this step's.
    A remembered point with a point of this step within :data:`VANISHED_RAD` has come back (it is tracked again)
    and is dropped; a previous point with none of this step within it has vanished (a minimum and a saddle that
    annihilate in a growing field) and is remembered, so that a field turning back finds it again with a short
    Newton solve. Remembering only these — not every position a moving point passed — keeps the solves per step
    to the few points that are gone: 3.4 remembered points per step instead of 24 on the demo's APB particle in
    water, whose liquid SAR (64 members) took 25 instead of 44 CPU s (benchmarks/README.md)."""
    c = math.cos(VANISHED_RAD)
    w = 0
    for r in range(nmem):  # drop the points that came back
        if not _near_any(memory[r], mins, nmin, sads, nsad, c):
            if w != r:
                memory[w, 0], memory[w, 1], memory[w, 2] = memory[r, 0], memory[r, 1], memory[r, 2]
            w += 1
    nmem = w
    for p in range(nprev):  # remember the points that vanished
        if _near_any(prev[p], mins, nmin, sads, nsad, c):
            continue
        if nmem == memory.shape[0]:  # full: forget the oldest
            for r in range(nmem - 1):
                memory[r, 0], memory[r, 1], memory[r, 2] = memory[r + 1, 0], memory[r + 1, 1], memory[r + 1, 2]
            nmem -= 1
        memory[nmem, 0], memory[nmem, 1], memory[nmem, 2] = prev[p, 0], prev[p, 1], prev[p, 2]
        nmem += 1
    return nmem


@njit(cache=True)
def next_seeds(mins, nmin, sads, nsad, memory, nmem, seeds):
    """Seeds of the next step's tracked search: this step's minima and saddles, then the ``nmem`` remembered
    points (:func:`remember_vanished`); returns their number."""
    ns = 0
    for q in range(nmin):
        seeds[ns, 0], seeds[ns, 1], seeds[ns, 2] = mins[q, 0], mins[q, 1], mins[q, 2]
        ns += 1
    for q in range(nsad):
        seeds[ns, 0], seeds[ns, 1], seeds[ns, 2] = sads[q, 0], sads[q, 1], sads[q, 2]
        ns += 1
    for r in range(nmem):
        if ns < seeds.shape[0]:
            seeds[ns, 0], seeds[ns, 1], seeds[ns, 2] = memory[r, 0], memory[r, 1], memory[r, 2]
            ns += 1
    return ns


@njit(cache=True)
def _hybrid(exps, coefs, scale, grid, e_grid, nb, Ms, vols, zeta, alpha, kT, H0, omega, dt, nsteps, rec_every,
            search_every, R0, seed, m_rec, h_rec):
    """Néel jumps + Brownian rotation of independent particles; m_rec[r, i] = moment·ẑ (reduced)."""
    np.random.seed(seed)
    n = vols.shape[0]
    A = GAMMA_E / (Ms * (1.0 + alpha * alpha))
    mins = np.zeros((KMAX, 3))
    e_min = np.zeros(KMAX)
    c_min = np.zeros((KMAX, 2))
    sads = np.zeros((SMAX, 3))
    e_sad = np.zeros(SMAX)
    c_sad = np.zeros((SMAX, 2))
    u_sad = np.zeros((SMAX, 3))
    pair = np.zeros((SMAX, 2), dtype=np.int64)
    ring = np.zeros(SMAX, dtype=np.int64)
    seeds = np.zeros((KMAX + SMAX + MEMORY_SIZE, 3))
    memory = np.zeros((MEMORY_SIZE, 3))  # critical points that vanished: seeds for those a field recreates
    z = np.empty(3)
    w = np.empty(3)
    bz = np.empty(3)
    for i in range(n):
        R = R0[i].copy()
        V = vols[i]
        bV = V / kT
        tauD = (1.0 + alpha * alpha) * Ms * V / (2.0 * alpha * GAMMA_E * kT)
        ns = 0
        ntr = 0
        nmem = 0
        nprev = 0
        sprev = 0
        rec = 0
        cur = -1
        for k in range(nsteps):
            t = (k + 0.5) * dt
            h = H0 * math.cos(omega * t)
            for c in range(3):
                bz[c] = R[2, c]  # body coordinates of the lab ẑ: Rᵀ ẑ
                z[c] = MU_0 * Ms * h * bz[c]
            full = (k % search_every == 0) or ns == 0
            nmin, nsad = find_critical(exps, coefs, z, scale, grid, e_grid, nb, seeds, ns, mins, e_min, c_min, sads,
                                       e_sad, c_sad, u_sad, pair, ring, full, ntr)
            if not full and (nmin != nprev or nsad != sprev):  # a point born, lost or died: full search
                nmin, nsad = find_critical(exps, coefs, z, scale, grid, e_grid, nb, seeds, ns, mins, e_min, c_min,
                                           sads, e_sad, c_sad, u_sad, pair, ring, True, ntr)
            nprev = nmin
            sprev = nsad
            if nmin == 0:
                nmin, nsad = find_critical(exps, coefs, z, scale, grid, e_grid, nb, seeds, ns, mins, e_min, c_min,
                                           sads, e_sad, c_sad, u_sad, pair, ring, True)
            # occupied minimum: follow the moment by descent into the new field
            if cur < 0:
                best = 0
                for q in range(nmin):
                    if e_min[q] < e_min[best]:
                        best = q
                for c in range(3):
                    w[c] = mins[best, c]
            descend(exps, coefs, z, w, scale, 2000)
            best = 0
            bd = -2.0
            for q in range(nmin):
                d = mins[q, 0] * w[0] + mins[q, 1] * w[1] + mins[q, 2] * w[2]
                if d > bd:
                    bd = d
                    best = q
            cur = best
            # Néel jumps over the two halves of the step; the moment is recorded at the midpoint
            E = np.zeros((nmin, nmin))
            if nmin > 1:
                W = np.zeros((nmin, nmin))
                rate_matrix(nmin, mins, e_min, c_min, nsad, sads, e_sad, c_sad, pair, bV, A, alpha, tauD, W)
                expm_small(W * (0.5 * dt), E)
            for half in range(2):
                if nmin > 1:
                    u = np.random.random()
                    acc = 0.0
                    for q in range(nmin):
                        acc += E[q, cur]
                        if u < acc:
                            cur = q
                            break
                if half == 0:
                    red = 1.0 - 0.5 * kT / V * (1.0 / max(c_min[cur, 0], 1e-300) + 1.0 / max(c_min[cur, 1], 1e-300))
                    red = min(max(red, 0.0), 1.0)
                    ml2 = R[2, 0] * mins[cur, 0] + R[2, 1] * mins[cur, 1] + R[2, 2] * mins[cur, 2]
                    if k % rec_every == rec_every // 2 and rec < m_rec.shape[0]:
                        m_rec[rec, i] = red * ml2
                        if i == 0:
                            h_rec[rec] = h
                        rec += 1
            for c in range(3):
                w[c] = mins[cur, c]
            red = 1.0 - 0.5 * kT / V * (1.0 / max(c_min[cur, 0], 1e-300) + 1.0 / max(c_min[cur, 1], 1e-300))
            red = min(max(red, 0.0), 1.0)
            # moment in the lab
            ml0 = R[0, 0] * w[0] + R[0, 1] * w[1] + R[0, 2] * w[2]
            ml1 = R[1, 0] * w[0] + R[1, 1] * w[1] + R[1, 2] * w[2]
            # rotation of the body by the field torque on the locked moment, plus rotational noise
            if zeta[i] > 0.0:
                a = MU_0 * Ms * V * red / zeta[i]
                s_r = math.sqrt(2.0 * kT / (zeta[i] * dt))
                w0 = a * (ml1 * h) + s_r * np.random.standard_normal()  # m × (h ẑ) = (m_y h, −m_x h, 0)
                w1 = -a * (ml0 * h) + s_r * np.random.standard_normal()
                w2 = s_r * np.random.standard_normal()
                _rotate(R, w0, w1, w2, dt)
            # seeds for the next step: this step's critical points, then the points that vanished and have not
            # come back (a minimum that a field removed and recreates is found again from where it was)
            nmem = remember_vanished(seeds, ntr, mins, nmin, sads, nsad, memory, nmem)
            ns = next_seeds(mins, nmin, sads, nsad, memory, nmem, seeds)
            ntr = nmin + nsad  # the seeds after these are remembered points (a short Newton solve each)
            if k % 4096 == 4095:
                u_, _, vt = np.linalg.svd(R)
                Rn = u_ @ vt
                for a_ in range(3):
                    for b_ in range(3):
                        R[a_, b_] = Rn[a_, b_]
