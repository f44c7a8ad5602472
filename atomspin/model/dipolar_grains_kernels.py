"""Numba kernels of :mod:`atomspin.model.dipolar_grains` (private; flat arrays, meV, μB, Å): node multipoles,
the multipole field of a node, the far-field stencils of target nodes, and the per-site sum of near pairs,
leaf far nodes and local expansions. W_ij = p/r³ (3 r̂ r̂ᵀ − 1) as in :mod:`atomspin.model.dipolar_kernels`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True)
def multipoles(pos, src, node_of, cen, M, S, Q):
    """M[k, b] = Σ_{j∈b} μ_j, S[k, b, a, c] = Σ_{j∈b} δ_ja μ_jc and Q[k, b, a, e, c] = Σ_{j∈b} δ_ja δ_je μ_jc
    (δ_j = r_j − c_b) for every node b of every level."""
    n, nlev = node_of.shape
    dl = np.empty(3)
    for k in range(src.shape[0]):
        for j in range(n):
            for lev in range(nlev):
                b = node_of[j, lev]
                for a in range(3):
                    dl[a] = pos[j, a] - cen[b, a]
                for c in range(3):
                    mc = src[k, j, c]
                    M[k, b, c] += mc
                    for a in range(3):
                        S[k, b, a, c] += dl[a] * mc
                        for e in range(3):
                            Q[k, b, a, e, c] += dl[a] * dl[e] * mc


@njit(cache=True, error_model="numpy", inline="always")
def node_field(dx, dy, dz, M, S, Q, k, b, pref):
    """Field (3 floats, meV/μB) at offset d from the centroid of node b of its dipole M, first moment S and
    second moment Q: W_ab = p ∂_a∂_b (1/r), r_j = c + δ_j, Σ_j W(d − δ_j) μ_j = W M − Σ ∂_k W_ab S_kb
    + ½ Σ ∂_k∂_l W_ab Q_klb + O(δ³/d⁶)."""
    r2 = dx * dx + dy * dy + dz * dz
    ir2 = 1.0 / r2
    ir3 = pref * ir2 * np.sqrt(ir2)
    ir5 = ir3 * ir2
    ir7 = ir5 * ir2
    mx, my, mz = M[k, b, 0], M[k, b, 1], M[k, b, 2]
    dm = dx * mx + dy * my + dz * mz
    s = S[k, b]
    sd0 = s[0, 0] * dx + s[0, 1] * dy + s[0, 2] * dz  # (S d)_a = Σ_c S_ac d_c
    sd1 = s[1, 0] * dx + s[1, 1] * dy + s[1, 2] * dz
    sd2 = s[2, 0] * dx + s[2, 1] * dy + s[2, 2] * dz
    st0 = s[0, 0] * dx + s[1, 0] * dy + s[2, 0] * dz  # (Sᵀ d)_a
    st1 = s[0, 1] * dx + s[1, 1] * dy + s[2, 1] * dz
    st2 = s[0, 2] * dx + s[1, 2] * dy + s[2, 2] * dz
    tr = s[0, 0] + s[1, 1] + s[2, 2]
    dsd = dx * st0 + dy * st1 + dz * st2
    c1 = 3.0 * ir5 * (dm - tr) + 15.0 * ir7 * dsd
    # second order: ½ Σ_klb ∂_a∂_b∂_k∂_l(1/r) Q_klb with (Q_b d)_a = Σ_l Q_alb d_l
    q = Q[k, b]
    qd00 = q[0, 0, 0] * dx + q[0, 1, 0] * dy + q[0, 2, 0] * dz
    qd01 = q[1, 0, 0] * dx + q[1, 1, 0] * dy + q[1, 2, 0] * dz
    qd02 = q[2, 0, 0] * dx + q[2, 1, 0] * dy + q[2, 2, 0] * dz
    qd10 = q[0, 0, 1] * dx + q[0, 1, 1] * dy + q[0, 2, 1] * dz
    qd11 = q[1, 0, 1] * dx + q[1, 1, 1] * dy + q[1, 2, 1] * dz
    qd12 = q[2, 0, 1] * dx + q[2, 1, 1] * dy + q[2, 2, 1] * dz
    qd20 = q[0, 0, 2] * dx + q[0, 1, 2] * dy + q[0, 2, 2] * dz
    qd21 = q[1, 0, 2] * dx + q[1, 1, 2] * dy + q[1, 2, 2] * dz
    qd22 = q[2, 0, 2] * dx + q[2, 1, 2] * dy + q[2, 2, 2] * dz
    q20 = dx * qd00 + dy * qd01 + dz * qd02
    q21 = dx * qd10 + dy * qd11 + dz * qd12
    q22 = dx * qd20 + dy * qd21 + dz * qd22
    t0 = q[0, 0, 0] + q[1, 1, 0] + q[2, 2, 0]
    t1 = q[0, 0, 1] + q[1, 1, 1] + q[2, 2, 1]
    t2 = q[0, 0, 2] + q[1, 1, 2] + q[2, 2, 2]
    A = dx * q20 + dy * q21 + dz * q22
    cs = qd00 + qd11 + qd22
    dd = dx * t0 + dy * t1 + dz * t2
    f1 = c1 + 52.5 * ir7 * ir2 * A - 7.5 * ir7 * (2.0 * cs + dd)
    bv0 = dx * qd00 + dy * qd10 + dz * qd20
    bv1 = dx * qd01 + dy * qd11 + dz * qd21
    bv2 = dx * qd02 + dy * qd12 + dz * qd22
    e0 = q[0, 0, 0] + q[0, 1, 1] + q[0, 2, 2]
    e1 = q[1, 0, 0] + q[1, 1, 1] + q[1, 2, 2]
    e2 = q[2, 0, 0] + q[2, 1, 1] + q[2, 2, 2]
    hx = f1 * dx - ir3 * mx - 3.0 * ir5 * (sd0 + st0) - 7.5 * ir7 * (q20 + 2.0 * bv0) + 1.5 * ir5 * (t0 + 2.0 * e0)
    hy = f1 * dy - ir3 * my - 3.0 * ir5 * (sd1 + st1) - 7.5 * ir7 * (q21 + 2.0 * bv1) + 1.5 * ir5 * (t1 + 2.0 * e1)
    hz = f1 * dz - ir3 * mz - 3.0 * ir5 * (sd2 + st2) - 7.5 * ir7 * (q22 + 2.0 * bv2) + 1.5 * ir5 * (t2 + 2.0 * e2)
    return hx, hy, hz


@njit(cache=True, parallel=True, error_model="numpy")
def far_stencil(fptr, fidx, cen, h, stencil, M, S, Q, pref, loc, nleaf):
    """loc[k, T, p] = Σ over the far nodes B of T of B's multipole field at c_T + h_T u_p, for the target
    nodes above the leaves (T ≥ nleaf; leaves evaluate their far nodes at their sites)."""
    nk = M.shape[0]
    npt = stencil.shape[0]
    for it in prange(fptr.shape[0] - 1 - nleaf):
        t = nleaf + it
        if fptr[t + 1] == fptr[t]:
            continue
        for f in range(fptr[t], fptr[t + 1]):
            b = fidx[f]
            for p in range(npt):
                dx = cen[t, 0] + h[t] * stencil[p, 0] - cen[b, 0]
                dy = cen[t, 1] + h[t] * stencil[p, 1] - cen[b, 1]
                dz = cen[t, 2] + h[t] * stencil[p, 2] - cen[b, 2]
                for k in range(nk):
                    hx, hy, hz = node_field(dx, dy, dz, M, S, Q, k, b, pref)
                    loc[k, t, p, 0] += hx
                    loc[k, t, p, 1] += hy
                    loc[k, t, p, 2] += hz


@njit(cache=True, parallel=True, error_model="numpy")
def near_and_local(pos, src, q, lptr, lsites, nptr, nidx, node_of, fptr, fidx, cen, h, M, S, Q, coef, pref, out,
                    g):
    """out[k, i] += the far nodes of i's leaf (multipole field at the site), the local expansions (quadratic
    in u = (r_i − c_T)/h_T) of every larger node T holding site i that has far nodes, and the exact fields of
    the sites of the near leaves of i's leaf; with charges q
    (len N) the near pairs of the sets k ≥ 1 go to g[i] = Σ_j q_j W_ij (xx, yy, zz, xy, xz, yz) instead."""
    nk = src.shape[0]
    withq = q.shape[0] > 0
    nkn = 1 if withq else nk
    nlev = node_of.shape[1]
    for t in prange(lptr.shape[0] - 1):
        for p in range(lptr[t], lptr[t + 1]):
            i = lsites[p]
            xi, yi, zi = pos[i, 0], pos[i, 1], pos[i, 2]
            for f in range(fptr[t], fptr[t + 1]):  # the leaf's own far nodes, at the site
                b = fidx[f]
                for k in range(nk):
                    hx, hy, hz = node_field(xi - cen[b, 0], yi - cen[b, 1], zi - cen[b, 2], M, S, Q, k, b, pref)
                    out[k, i, 0] += hx
                    out[k, i, 1] += hy
                    out[k, i, 2] += hz
            for lev in range(1, nlev):
                tn = node_of[i, lev]
                if fptr[tn + 1] == fptr[tn]:
                    continue
                ux = (xi - cen[tn, 0]) / h[tn]
                uy = (yi - cen[tn, 1]) / h[tn]
                uz = (zi - cen[tn, 2]) / h[tn]
                for k in range(nk):
                    for c in range(3):
                        cc = coef[k, tn]
                        out[k, i, c] += (cc[0, c] + cc[1, c] * ux + cc[2, c] * uy + cc[3, c] * uz
                                         + cc[4, c] * ux * ux + cc[5, c] * uy * uy + cc[6, c] * uz * uz
                                         + cc[7, c] * ux * uy + cc[8, c] * ux * uz + cc[9, c] * uy * uz)
            for w in range(nptr[t], nptr[t + 1]):
                bl = nidx[w]
                for pj in range(lptr[bl], lptr[bl + 1]):
                    j = lsites[pj]
                    dx = xi - pos[j, 0]
                    dy = yi - pos[j, 1]
                    dz = zi - pos[j, 2]
                    r2 = dx * dx + dy * dy + dz * dz
                    ir2 = 1.0 / r2
                    ir3 = pref * ir2 * np.sqrt(ir2)
                    for k in range(nkn):
                        rm = 3.0 * (dx * src[k, j, 0] + dy * src[k, j, 1] + dz * src[k, j, 2]) * ir2
                        out[k, i, 0] += ir3 * (rm * dx - src[k, j, 0])
                        out[k, i, 1] += ir3 * (rm * dy - src[k, j, 1])
                        out[k, i, 2] += ir3 * (rm * dz - src[k, j, 2])
                    if withq:
                        tq = 3.0 * ir2 * ir3 * q[j]
                        iq = ir3 * q[j]
                        g[i, 0] += tq * dx * dx - iq
                        g[i, 1] += tq * dy * dy - iq
                        g[i, 2] += tq * dz * dz - iq
                        g[i, 3] += tq * dx * dy
                        g[i, 4] += tq * dx * dz
                        g[i, 5] += tq * dy * dz
