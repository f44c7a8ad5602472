"""Numba kernels on a macrospin energy surface: energy, gradient and Hessian on the sphere, critical points
(minima, first-order saddles and which minima each joins) in a field, descent to a local minimum.

The anisotropy is a polynomial on the sphere, e(n̂) = Σ_k c_k x^{a_k} y^{b_k} z^{c_k} (J/m³), as given by
:meth:`atomspin.macrospin.EnergySurface.polynomial`; the Zeeman density of a field H is −z·n̂ with
z = μ0 Ms H (J/m³). Tangent basis, Riemannian gradient and Hessian follow :mod:`atomspin.macrospin`
(H_R = Tᵀ∇²e T − (n̂·∇e) 1), so the two agree to rounding (tests/test_sar_landscape.py checks the critical
points against :func:`atomspin.macrospin.critical_points`).

:func:`find_critical` searches a fixed quasi-uniform grid (the anisotropy energy on it is computed once per
particle; only the Zeeman part changes with the field): discrete Morse classification of each grid point
from the sign pattern of e around it, plus the critical points of the previous field as extra seeds, Newton
refinement on the sphere, classification by the Hessian, duplicates removed, and the two minima each saddle
joins found by descent along its unstable direction. Saddles that lie on a continuous ring (one zero
curvature: a uniaxial particle with the field along its axis) are merged per pair of minima (one ring).
This module is one cohesive algorithm (kept in one file for that reason).
"""
import math

import numpy as np
from numba import njit

KMAX = 32  # most minima kept per field (cubic K1 < 0: 8; with a uniaxial term fewer)
SMAX = 64  # most first-order saddles kept per field (cubic: 12 or 24)
#: a saddle's descent stops this close (rad) to a known minimum with a positive-definite Hessian there (derived: the
#: pairing test of the full descent accepts a minimum within 2° = 0.035 rad of its end point; 0.01 rad is well
#: inside every basin of a nondegenerate minimum, and the Newton-refined minima are exact to 1e-8 rad)
PAIR_STOP_RAD = 0.01
#: Newton iterations for a remembered seed (find_critical's ``n_tracked``) (derived: Newton from a point within
#: ~0.1 rad of a nondegenerate critical point converges to 1e-8 in ≤ 5 iterations; a seed that has not converged by
#: 10 is a stale point, and the full grid search every few steps finds what it would have)
MEMORY_NEWTON_ITERS = 8


@njit(cache=True)
def poly_egh(exps, coefs, n, g, H):
    """Energy of the polynomial at n (3,) and its Euclidean gradient g (3,) and Hessian H (3, 3)."""
    dmax = 0
    for k in range(exps.shape[0]):
        for c in range(3):
            if exps[k, c] > dmax:
                dmax = exps[k, c]
    pw = np.ones((3, dmax + 1))
    for c in range(3):
        for p in range(1, dmax + 1):
            pw[c, p] = pw[c, p - 1] * n[c]
    e = 0.0
    for c in range(3):
        g[c] = 0.0
        for d in range(3):
            H[c, d] = 0.0
    for k in range(exps.shape[0]):
        a0, a1, a2 = exps[k, 0], exps[k, 1], exps[k, 2]
        ck = coefs[k]
        e += ck * pw[0, a0] * pw[1, a1] * pw[2, a2]
        if a0 > 0:
            g[0] += ck * a0 * pw[0, a0 - 1] * pw[1, a1] * pw[2, a2]
        if a1 > 0:
            g[1] += ck * a1 * pw[0, a0] * pw[1, a1 - 1] * pw[2, a2]
        if a2 > 0:
            g[2] += ck * a2 * pw[0, a0] * pw[1, a1] * pw[2, a2 - 1]
        if a0 > 1:
            H[0, 0] += ck * a0 * (a0 - 1) * pw[0, a0 - 2] * pw[1, a1] * pw[2, a2]
        if a1 > 1:
            H[1, 1] += ck * a1 * (a1 - 1) * pw[0, a0] * pw[1, a1 - 2] * pw[2, a2]
        if a2 > 1:
            H[2, 2] += ck * a2 * (a2 - 1) * pw[0, a0] * pw[1, a1] * pw[2, a2 - 2]
        if a0 > 0 and a1 > 0:
            H[0, 1] += ck * a0 * a1 * pw[0, a0 - 1] * pw[1, a1 - 1] * pw[2, a2]
        if a0 > 0 and a2 > 0:
            H[0, 2] += ck * a0 * a2 * pw[0, a0 - 1] * pw[1, a1] * pw[2, a2 - 1]
        if a1 > 0 and a2 > 0:
            H[1, 2] += ck * a1 * a2 * pw[0, a0] * pw[1, a1 - 1] * pw[2, a2 - 1]
    H[1, 0] = H[0, 1]
    H[2, 0] = H[0, 2]
    H[2, 1] = H[1, 2]
    return e


@njit(cache=True)
def poly_grad(exps, coefs, n, g, pw):
    """Euclidean gradient only (for the dynamics). pw: scratch (3, degree + 1). Returns the energy."""
    for c in range(3):
        pw[c, 0] = 1.0
        for p in range(1, pw.shape[1]):
            pw[c, p] = pw[c, p - 1] * n[c]
    e = 0.0
    g[0] = 0.0
    g[1] = 0.0
    g[2] = 0.0
    for k in range(exps.shape[0]):
        a0, a1, a2 = exps[k, 0], exps[k, 1], exps[k, 2]
        x0 = pw[0, a0]
        x1 = pw[1, a1]
        x2 = pw[2, a2]
        ck = coefs[k]
        e += ck * x0 * x1 * x2
        if a0 > 0:
            g[0] += ck * a0 * pw[0, a0 - 1] * x1 * x2
        if a1 > 0:
            g[1] += ck * a1 * x0 * pw[1, a1 - 1] * x2
        if a2 > 0:
            g[2] += ck * a2 * x0 * x1 * pw[2, a2 - 1]
    return e


@njit(cache=True)
def tangent(n, t1, t2):
    """Orthonormal tangent basis at n with t1 × t2 = n (as atomspin.macrospin.tangent_basis)."""
    if abs(n[0]) < 0.9:
        r0, r1, r2 = 1.0, 0.0, 0.0
    else:
        r0, r1, r2 = 0.0, 1.0, 0.0
    d = r0 * n[0] + r1 * n[1] + r2 * n[2]
    t1[0] = r0 - d * n[0]
    t1[1] = r1 - d * n[1]
    t1[2] = r2 - d * n[2]
    nn = math.sqrt(t1[0] ** 2 + t1[1] ** 2 + t1[2] ** 2)
    t1[0] /= nn
    t1[1] /= nn
    t1[2] /= nn
    t2[0] = n[1] * t1[2] - n[2] * t1[1]
    t2[1] = n[2] * t1[0] - n[0] * t1[2]
    t2[2] = n[0] * t1[1] - n[1] * t1[0]


@njit(cache=True)
def riemann(exps, coefs, z, n, t1, t2, gt, Hr):
    """e(n) − z·n with its tangential gradient gt (2,) and Riemannian Hessian Hr (2, 2) in (t1, t2)."""
    g = np.empty(3)
    H = np.empty((3, 3))
    e = poly_egh(exps, coefs, n, g, H)
    for c in range(3):
        e -= z[c] * n[c]
        g[c] -= z[c]
    tangent(n, t1, t2)
    gt[0] = g[0] * t1[0] + g[1] * t1[1] + g[2] * t1[2]
    gt[1] = g[0] * t2[0] + g[1] * t2[1] + g[2] * t2[2]
    radial = g[0] * n[0] + g[1] * n[1] + g[2] * n[2]
    for a in range(2):
        ta = t1 if a == 0 else t2
        for b in range(2):
            tb = t1 if b == 0 else t2
            s = 0.0
            for i in range(3):
                for j in range(3):
                    s += ta[i] * H[i, j] * tb[j]
            Hr[a, b] = s
    Hr[0, 0] -= radial
    Hr[1, 1] -= radial
    return e


@njit(cache=True)
def eig2(Hr, v0, v1):
    """Eigenvalues (w0 ≤ w1) and unit eigenvectors of a symmetric 2×2 matrix."""
    a, b, d = Hr[0, 0], 0.5 * (Hr[0, 1] + Hr[1, 0]), Hr[1, 1]
    m = 0.5 * (a + d)
    r = math.hypot(0.5 * (a - d), b)
    th = 0.5 * math.atan2(2.0 * b, a - d)  # (cos th, sin th) belongs to the larger eigenvalue
    c, s = math.cos(th), math.sin(th)
    v1[0], v1[1] = c, s
    v0[0], v0[1] = -s, c
    return m - r, m + r


@njit(cache=True)
def _step(n, d0, d1, t1, t2, out):
    """out = normalise(n + d0 t1 + d1 t2)."""
    s = 0.0
    for c in range(3):
        out[c] = n[c] + d0 * t1[c] + d1 * t2[c]
        s += out[c] * out[c]
    s = math.sqrt(s)
    for c in range(3):
        out[c] /= s


@njit(cache=True)
def newton(exps, coefs, z, n, scale, maxit):
    """Newton iteration for a critical point from n (modified in place); pseudo-inverse on a zero curvature.

    Returns the final |tangential gradient| / scale.
    """
    t1 = np.empty(3)
    t2 = np.empty(3)
    gt = np.empty(2)
    Hr = np.empty((2, 2))
    v0 = np.empty(2)
    v1 = np.empty(2)
    m = np.empty(3)
    res = 1e300
    for _ in range(maxit):
        riemann(exps, coefs, z, n, t1, t2, gt, Hr)
        res = math.sqrt(gt[0] ** 2 + gt[1] ** 2) / scale
        if res < 1e-13:
            break
        w0, w1 = eig2(Hr, v0, v1)
        p0 = gt[0] * v0[0] + gt[1] * v0[1]
        p1 = gt[0] * v1[0] + gt[1] * v1[1]
        s0 = -p0 / w0 if abs(w0) > 1e-10 * scale else 0.0
        s1 = -p1 / w1 if abs(w1) > 1e-10 * scale else 0.0
        d0 = s0 * v0[0] + s1 * v1[0]
        d1 = s0 * v0[1] + s1 * v1[1]
        ln = math.sqrt(d0 * d0 + d1 * d1)
        if ln > 0.2:
            d0 *= 0.2 / ln
            d1 *= 0.2 / ln
        if ln == 0.0:
            break
        _step(n, d0, d1, t1, t2, m)
        n[0], n[1], n[2] = m[0], m[1], m[2]
    return res


@njit(cache=True)
def descend(exps, coefs, z, n, scale, maxit):
    """Local minimum reached from n by descent (Newton where the Hessian is positive, backtracking gradient
    steps elsewhere; an unstable equilibrium is left along its negative curvature). n is modified in place."""
    descend_to(exps, coefs, z, n, scale, maxit, np.zeros((0, 3)), 0, 2.0)


@njit(cache=True)
def descend_to(exps, coefs, z, n, scale, maxit, mins, nmin, cos_stop):
    """:func:`descend`, stopping early once n is within arccos(cos_stop) of one of the ``nmin`` known minima
    ``mins`` where the Hessian is positive definite (the descent from there ends in that minimum's basin).
    Returns the index of that minimum, or −1 when the descent ran to its end (then n is the local minimum)."""
    t1 = np.empty(3)
    t2 = np.empty(3)
    gt = np.empty(2)
    Hr = np.empty((2, 2))
    v0 = np.empty(2)
    v1 = np.empty(2)
    m = np.empty(3)
    eta = 0.3 / scale
    e = riemann(exps, coefs, z, n, t1, t2, gt, Hr)
    for _ in range(maxit):
        w0, w1 = eig2(Hr, v0, v1)
        if w0 > 1e-9 * scale:
            for q in range(nmin):
                if mins[q, 0] * n[0] + mins[q, 1] * n[1] + mins[q, 2] * n[2] > cos_stop:
                    return q
        gn = math.sqrt(gt[0] ** 2 + gt[1] ** 2)
        if gn < 1e-12 * scale:
            if w0 > 1e-9 * scale:
                return -1
            d0, d1 = 1e-3 * v0[0], 1e-3 * v0[1]
            forced = True
        elif w0 > 1e-9 * scale:
            p0 = gt[0] * v0[0] + gt[1] * v0[1]
            p1 = gt[0] * v1[0] + gt[1] * v1[1]
            d0 = -(p0 / w0 * v0[0] + p1 / w1 * v1[0])
            d1 = -(p0 / w0 * v0[1] + p1 / w1 * v1[1])
            forced = False
        else:
            d0, d1 = -eta * gt[0], -eta * gt[1]
            forced = False
        ln = math.sqrt(d0 * d0 + d1 * d1)
        if not forced and w0 > 1e-9 * scale and ln < 1e-11:
            return -1  # converged Newton step at a minimum
        if ln > 0.3:
            d0 *= 0.3 / ln
            d1 *= 0.3 / ln
        ok = False
        for _k in range(60):
            _step(n, d0, d1, t1, t2, m)
            em = riemann(exps, coefs, z, m, t1, t2, gt, Hr)
            if em <= e + 1e-14 * scale or forced:
                ok = True
                break
            d0 *= 0.5
            d1 *= 0.5
            tangent(n, t1, t2)
        if not ok:
            riemann(exps, coefs, z, n, t1, t2, gt, Hr)
            return -1
        moved = abs(m[0] - n[0]) + abs(m[1] - n[1]) + abs(m[2] - n[2])
        n[0], n[1], n[2] = m[0], m[1], m[2]
        e = em
        if moved < 1e-14:
            return -1
    return -1


@njit(cache=True)
def find_critical(exps, coefs, z, scale, grid, e_grid, nb, seeds, nseeds,
                  mins, e_min, c_min, sads, e_sad, c_sad, u_sad, pair, ring, use_grid=True, n_tracked=-1):
    """Minima and first-order saddles of e(n) − z·n.

    Parameters
    ----------
    grid : (G, 3) quasi-uniform directions; e_grid : (G,) anisotropy energy on it; nb : (G, k) neighbours of
    each grid point sorted by angle around it; seeds : (S, 3) extra start points (the critical points of the
    previous field), the first ``nseeds`` used; with ``n_tracked`` ≥ 0, seeds from index ``n_tracked`` on are
    remembered points that may no longer be critical: their Newton solve stops after :data:`MEMORY_NEWTON_ITERS`
    iterations (a point the field recreates where it was converges quadratically well within that).

    Outputs (filled in place): mins (KMAX, 3), e_min, c_min (KMAX, 2) Hessian eigenvalues; sads (SMAX, 3),
    e_sad, c_sad (SMAX, 2) [negative, other], u_sad (SMAX, 3) unstable tangent direction, pair (SMAX, 2)
    indices of the joined minima (−1 if the descent found none), ring (SMAX) 1 for a merged ring of saddles.

    Returns (number of minima, number of saddles).
    """
    G = grid.shape[0]
    k = nb.shape[1]
    e = np.empty(G)
    emin_g = 1e300
    emax_g = -1e300
    for i in range(G):
        e[i] = e_grid[i] - (z[0] * grid[i, 0] + z[1] * grid[i, 1] + z[2] * grid[i, 2])
        emin_g = min(emin_g, e[i])
        emax_g = max(emax_g, e[i])
    tol = 1e-10 * (emax_g - emin_g)
    ncand_max = G + seeds.shape[0]
    cand = np.empty((ncand_max, 3))
    nc = 0
    for i in range(G if use_grid else 0):
        nhi = 0
        nlo = 0
        changes = 0
        first = 0
        prev = 0
        for j in range(k):
            de = e[nb[i, j]] - e[i]
            s = -1 if de < -tol else 1
            if de > tol:
                nhi += 1
            elif de < -tol:
                nlo += 1
            if j == 0:
                first = s
            else:
                if s != prev:
                    changes += 1
            prev = s
        if prev != first:
            changes += 1
        if nhi == k or nlo == k or changes >= 4:
            cand[nc, 0], cand[nc, 1], cand[nc, 2] = grid[i, 0], grid[i, 1], grid[i, 2]
            nc += 1
    nc0 = nc  # grid candidates before the seeds
    for i in range(nseeds):
        cand[nc, 0], cand[nc, 1], cand[nc, 2] = seeds[i, 0], seeds[i, 1], seeds[i, 2]
        nc += 1
    t1 = np.empty(3)
    t2 = np.empty(3)
    gt = np.empty(2)
    Hr = np.empty((2, 2))
    v0 = np.empty(2)
    v1 = np.empty(2)
    nmin = 0
    nsad = 0
    zero = 1e-7 * scale
    cos_dup = math.cos(1e-4)
    pt = np.empty(3)
    for c in range(nc):
        pt[0], pt[1], pt[2] = cand[c, 0], cand[c, 1], cand[c, 2]
        res = newton(exps, coefs, z, pt, scale, MEMORY_NEWTON_ITERS if (0 <= n_tracked <= c - nc0) else 60)
        if res > 1e-8:
            continue
        ep = riemann(exps, coefs, z, pt, t1, t2, gt, Hr)
        w0, w1 = eig2(Hr, v0, v1)
        if w0 > zero or (abs(w0) <= zero and w1 > zero):
            dup = False
            for q in range(nmin):
                if mins[q, 0] * pt[0] + mins[q, 1] * pt[1] + mins[q, 2] * pt[2] > cos_dup:
                    dup = True
                    break
            if not dup and nmin < mins.shape[0]:
                mins[nmin, 0], mins[nmin, 1], mins[nmin, 2] = pt[0], pt[1], pt[2]
                e_min[nmin] = ep
                c_min[nmin, 0], c_min[nmin, 1] = w0, w1
                nmin += 1
        elif w0 < -zero and w1 >= -zero:
            dup = False
            for q in range(nsad):
                if sads[q, 0] * pt[0] + sads[q, 1] * pt[1] + sads[q, 2] * pt[2] > cos_dup:
                    dup = True
                    break
            if not dup and nsad < sads.shape[0]:
                sads[nsad, 0], sads[nsad, 1], sads[nsad, 2] = pt[0], pt[1], pt[2]
                e_sad[nsad] = ep
                c_sad[nsad, 0], c_sad[nsad, 1] = w0, w1
                for cc in range(3):
                    u_sad[nsad, cc] = v0[0] * t1[cc] + v0[1] * t2[cc]
                nsad += 1
    # which minima each saddle joins: the descent from either side of the saddle along its unstable direction
    # stops once it is within PAIR_STOP_RAD of a known minimum where the Hessian is positive definite
    m = np.empty(3)
    cos_stop = math.cos(PAIR_STOP_RAD)
    for s in range(nsad):
        ring[s] = 1 if abs(c_sad[s, 1]) <= zero else 0
        for side in range(2):
            sg = 1.0 if side == 0 else -1.0
            tangent(sads[s], t1, t2)
            nn = 0.0
            for cc in range(3):
                m[cc] = sads[s, cc] + sg * 2e-2 * u_sad[s, cc]
                nn += m[cc] * m[cc]
            nn = math.sqrt(nn)
            for cc in range(3):
                m[cc] /= nn
            best = descend_to(exps, coefs, z, m, scale, 5000, mins, nmin, cos_stop)
            if best < 0:  # ran to a local minimum: the known one within 2°
                bd = math.cos(math.radians(2.0))
                for q in range(nmin):
                    d = mins[q, 0] * m[0] + mins[q, 1] * m[1] + mins[q, 2] * m[2]
                    if d > bd:
                        bd = d
                        best = q
            pair[s, side] = best
    # merge the saddles of a ring (zero curvature along it) per pair of minima: one ring, the lowest point
    keep = np.ones(nsad, dtype=np.bool_)
    for s in range(nsad):
        if ring[s] == 0 or not keep[s]:
            continue
        for q in range(s + 1, nsad):
            if ring[q] == 1 and keep[q]:
                same = (pair[q, 0] == pair[s, 0] and pair[q, 1] == pair[s, 1]) or (
                    pair[q, 0] == pair[s, 1] and pair[q, 1] == pair[s, 0])
                if same:
                    if e_sad[q] < e_sad[s]:
                        keep[s] = False
                        break
                    keep[q] = False
    w = 0
    for s in range(nsad):
        if keep[s]:
            if w != s:
                for cc in range(3):
                    sads[w, cc] = sads[s, cc]
                    u_sad[w, cc] = u_sad[s, cc]
                e_sad[w] = e_sad[s]
                c_sad[w, 0], c_sad[w, 1] = c_sad[s, 0], c_sad[s, 1]
                pair[w, 0], pair[w, 1] = pair[s, 0], pair[s, 1]
                ring[w] = ring[s]
            w += 1
    return nmin, w
