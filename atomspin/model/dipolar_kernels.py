"""Numba kernels of the point-dipole interaction (private; flat arrays, meV, μB, Å).

W_ij = p / r³ (3 r̂ r̂ᵀ − 1) with p = μ0 μB² / (4π Å³) in meV (``DIP_PREFACTOR_MEV_A3``), r = r_i − r_j in Å,
so that E = −½ Σ_{i≠j} μ_iᵀ W_ij μ_j for moments μ = m ŝ in μB, and the field per unit moment
H_i = Σ_{j≠i} W_ij μ_j (meV/μB). Tensor components are stored as (xx, yy, zz, xy, xz, yz).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(cache=True, error_model="numpy", inline="always")
def _add_w_mu(pref, dx, dy, dz, mx, my, mz):
    """(W(r) μ) for r = (dx, dy, dz) Å: p/r³ [3 r̂ (r̂·μ) − μ]; returns three floats (meV/μB)."""
    r2 = dx * dx + dy * dy + dz * dz
    ir2 = 1.0 / r2
    ir3 = pref * ir2 * np.sqrt(ir2)
    rm = 3.0 * (dx * mx + dy * my + dz * mz) * ir2
    return ir3 * (rm * dx - mx), ir3 * (rm * dy - my), ir3 * (rm * dz - mz)


def _pairwise_fields(pos, mu, pref, out):
    """out_i = Σ_{j≠i} W_ij μ_j for all i (exact O(N²) sum; rows in parallel). Two sites at the same
    position are a caller error (checked before)."""
    n = pos.shape[0]
    for i in prange(n):
        xi = pos[i, 0]
        yi = pos[i, 1]
        zi = pos[i, 2]
        hx = 0.0
        hy = 0.0
        hz = 0.0
        for j in range(n):
            if j == i:
                continue
            fx, fy, fz = _add_w_mu(pref, xi - pos[j, 0], yi - pos[j, 1], zi - pos[j, 2], mu[j, 0], mu[j, 1], mu[j, 2])
            hx += fx
            hy += fy
            hz += fz
        out[i, 0] = hx
        out[i, 1] = hy
        out[i, 2] = hz


def _pairwise_fields_t(pos, mu, pref, out, T):
    """As :func:`pairwise_fields`, and T[i] (6, 3, 3) = Σ_{j≠i} W_ij,c μ_iα μ_jβ per row i (c = xx, yy, zz,
    xy, xz, yz), summed by the caller: the rigid-rotation tensor T_{kl,αβ} = Σ_{i≠j} μ_iα W_ij,kl μ_jβ."""
    n = pos.shape[0]
    for i in prange(n):
        xi = pos[i, 0]
        yi = pos[i, 1]
        zi = pos[i, 2]
        g = np.zeros((6, 3))
        hx = 0.0
        hy = 0.0
        hz = 0.0
        for j in range(n):
            if j == i:
                continue
            dx = xi - pos[j, 0]
            dy = yi - pos[j, 1]
            dz = zi - pos[j, 2]
            r2 = dx * dx + dy * dy + dz * dz
            ir2 = 1.0 / r2
            ir3 = pref * ir2 * np.sqrt(ir2)
            t = 3.0 * ir2 * ir3
            wxx = t * dx * dx - ir3
            wyy = t * dy * dy - ir3
            wzz = t * dz * dz - ir3
            wxy = t * dx * dy
            wxz = t * dx * dz
            wyz = t * dy * dz
            mx = mu[j, 0]
            my = mu[j, 1]
            mz = mu[j, 2]
            hx += wxx * mx + wxy * my + wxz * mz
            hy += wxy * mx + wyy * my + wyz * mz
            hz += wxz * mx + wyz * my + wzz * mz
            for be in range(3):
                mb = mu[j, be]
                g[0, be] += wxx * mb
                g[1, be] += wyy * mb
                g[2, be] += wzz * mb
                g[3, be] += wxy * mb
                g[4, be] += wxz * mb
                g[5, be] += wyz * mb
        out[i, 0] = hx
        out[i, 1] = hy
        out[i, 2] = hz
        for c in range(6):
            for al in range(3):
                for be in range(3):
                    T[i, c, al, be] = mu[i, al] * g[c, be]


def _pairwise_fields_axis(pos, mu, nvec, pref, out, drows):
    """As :func:`pairwise_fields`, and drows[i, c] = q_i Σ_{j≠i} W_ij,c q_j with q = μ·n (c = xx, yy, zz, xy,
    xz, yz), summed by the caller into the shape tensor of the charges q."""
    n = pos.shape[0]
    for i in prange(n):
        xi = pos[i, 0]
        yi = pos[i, 1]
        zi = pos[i, 2]
        hx = 0.0
        hy = 0.0
        hz = 0.0
        g0 = 0.0
        g1 = 0.0
        g2 = 0.0
        g3 = 0.0
        g4 = 0.0
        g5 = 0.0
        for j in range(n):
            if j == i:
                continue
            dx = xi - pos[j, 0]
            dy = yi - pos[j, 1]
            dz = zi - pos[j, 2]
            r2 = dx * dx + dy * dy + dz * dz
            ir2 = 1.0 / r2
            ir3 = pref * ir2 * np.sqrt(ir2)
            t = 3.0 * ir2 * ir3
            wxx = t * dx * dx - ir3
            wyy = t * dy * dy - ir3
            wzz = t * dz * dz - ir3
            wxy = t * dx * dy
            wxz = t * dx * dz
            wyz = t * dy * dz
            mx = mu[j, 0]
            my = mu[j, 1]
            mz = mu[j, 2]
            hx += wxx * mx + wxy * my + wxz * mz
            hy += wxy * mx + wyy * my + wyz * mz
            hz += wxz * mx + wyz * my + wzz * mz
            qj = mx * nvec[0] + my * nvec[1] + mz * nvec[2]
            g0 += wxx * qj
            g1 += wyy * qj
            g2 += wzz * qj
            g3 += wxy * qj
            g4 += wxz * qj
            g5 += wyz * qj
        out[i, 0] = hx
        out[i, 1] = hy
        out[i, 2] = hz
        qi = mu[i, 0] * nvec[0] + mu[i, 1] * nvec[1] + mu[i, 2] * nvec[2]
        drows[i, 0] = qi * g0
        drows[i, 1] = qi * g1
        drows[i, 2] = qi * g2
        drows[i, 3] = qi * g3
        drows[i, 4] = qi * g4
        drows[i, 5] = qi * g5


pairwise_fields_axis = njit(cache=True, error_model="numpy", parallel=True)(_pairwise_fields_axis)
pairwise_fields_axis_serial = njit(cache=True, error_model="numpy")(_pairwise_fields_axis)
pairwise_fields = njit(cache=True, error_model="numpy", parallel=True)(_pairwise_fields)
pairwise_fields_serial = njit(cache=True, error_model="numpy")(_pairwise_fields)
pairwise_fields_t = njit(cache=True, error_model="numpy", parallel=True)(_pairwise_fields_t)
pairwise_fields_t_serial = njit(cache=True, error_model="numpy")(_pairwise_fields_t)
#: below this many sites the pair sums run on one thread (thread start-up costs more; derived: ~1 ms per
#: parallel call on a loaded 2-core machine vs 0.1 ms of work at 300 sites)
PARALLEL_MIN_SITES = 1000


@njit(cache=True, error_model="numpy", parallel=True)
def offgrid_fields(pos, mu, off, is_off, pref, out):
    """Add the exact fields that involve the off-grid sites ``off`` (is_off[i] marks them) to ``out``:
    fields of off-grid sources at every site, and fields of on-grid sources at off-grid sites.
    Each ordered pair (target, source) with at least one off-grid member is counted once."""
    n = pos.shape[0]
    m = off.shape[0]
    for i in prange(n):  # off-grid sources → every target
        hx = 0.0
        hy = 0.0
        hz = 0.0
        for k in range(m):
            j = off[k]
            if j == i:
                continue
            fx, fy, fz = _add_w_mu(pref, pos[i, 0] - pos[j, 0], pos[i, 1] - pos[j, 1], pos[i, 2] - pos[j, 2],
                                   mu[j, 0], mu[j, 1], mu[j, 2])
            hx += fx
            hy += fy
            hz += fz
        out[i, 0] += hx
        out[i, 1] += hy
        out[i, 2] += hz
    for k in prange(m):  # on-grid sources → off-grid targets
        i = off[k]
        hx = 0.0
        hy = 0.0
        hz = 0.0
        for j in range(n):
            if is_off[j]:
                continue
            fx, fy, fz = _add_w_mu(pref, pos[i, 0] - pos[j, 0], pos[i, 1] - pos[j, 1], pos[i, 2] - pos[j, 2],
                                   mu[j, 0], mu[j, 1], mu[j, 2])
            hx += fx
            hy += fy
            hz += fz
        out[i, 0] += hx
        out[i, 1] += hy
        out[i, 2] += hz


@njit(cache=True, error_model="numpy", inline="always")
def _wedge_index(k0, k1, k2):
    """Index of the wedge point 0 ≤ k0 ≤ k1 ≤ k2 in the order (k2, k1, k0) lexicographic:
    k2(k2+1)(k2+2)/6 + k1(k1+1)/2 + k0."""
    return k2 * (k2 + 1) * (k2 + 2) // 6 + k1 * (k1 + 1) // 2 + k0


@njit(cache=True, error_model="numpy", inline="always")
def _signed(k, p):
    return k if 2 * k <= p else k - p


@njit(cache=True, error_model="numpy", parallel=True)
def slab_apply(S, kz, P, cubic, Kw, gtab_cls, gtab_conj, gtab_t, phase, nb, want_t, Tacc, Eacc,
               tproj, tvec):
    """Apply the coset-pair kernels to one kz-slab of coset spectra, in place.

    S : (3·B, Px, Py) complex — on entry the spectra M̂_{b,c}(kx, ky, kz) (row 3b + c), on exit Ĥ.
    P : (3,) int padded sizes; ``cubic``: kernels are stored on the wedge 0 ≤ k0 ≤ k1 ≤ k2 ≤ P/2 and every
    k is mapped there by the signed permutation g (index gi = 8·perm + sign bits) with g k = k*, else
    stored for every (kx, ky, kz) of the half spectrum (g = identity).
    Kw : (n_points, n_stored, 6) kernels (xx, yy, zz, xy, xz, yz), point index :func:`_wedge_index` (cubic)
    or (kx·Py + ky)·Kz + kz.
    gtab_cls, gtab_conj, gtab_t : (48 or 1, B·B) stored kernel, conjugation flag, cell shift (−1…1) of
    every pair (target a, source b) = a·B + b under each g. phase : (3, 3, Pmax) e^{2πi t k/P_axis}.
    want_t : also accumulate T_{kl,αβ} = Σ conj(M̂_aα) (K M̂_β)_a,kl into Tacc (Px, 6, 3, 3) real, weight
    included by the caller; with ``tproj`` only the projection on ``tvec`` (3,): Tacc[:, :, 0, 0] =
    Σ conj(M̂_a·t) (K (M̂·t))_a (a third of the work; the shape tensor of the charges q = μ·t).
    Eacc (Px,) receives Σ Re conj(M̂)·Ĥ (both per kx row, summed by the caller).
    """
    px = S.shape[1]
    py = S.shape[2]
    perms = np.array([[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]])
    ksg = _signed(kz, P[2])
    for ix in prange(px):
        Mr = np.empty((nb, 3), dtype=S.dtype)
        Hr = np.empty((nb, 3), dtype=S.dtype)
        G = np.empty((nb, 6, 3), dtype=S.dtype)
        pi = np.zeros(3, dtype=np.int64)
        sg = np.ones(3, dtype=np.int64)
        ka = np.zeros(3, dtype=np.int64)
        kstar = np.zeros(3, dtype=np.int64)
        kxs = _signed(ix, P[0])
        e_row = 0.0
        for iy in range(py):
            kys = _signed(iy, P[1])
            gi = 0
            if cubic:
                ks0 = kxs
                ks1 = kys
                ks2 = ksg
                ka[0] = abs(ks0)
                ka[1] = abs(ks1)
                ka[2] = abs(ks2)
                # sort |k| ascending: permutation pi with kstar[i] = ka[pi[i]]
                for pidx in range(6):
                    a0 = perms[pidx, 0]
                    a1 = perms[pidx, 1]
                    a2 = perms[pidx, 2]
                    if ka[a0] <= ka[a1] and ka[a1] <= ka[a2]:
                        pi[0] = a0
                        pi[1] = a1
                        pi[2] = a2
                        gi = pidx * 8
                        break
                kk = (ks0, ks1, ks2)
                for i in range(3):
                    v = kk[0] if pi[i] == 0 else (kk[1] if pi[i] == 1 else kk[2])
                    sg[i] = -1 if v < 0 else 1
                    if v < 0:
                        gi += 1 << i
                    kstar[i] = ka[pi[i]]
                w = _wedge_index(kstar[0], kstar[1], kstar[2])
            else:
                pi[0] = 0
                pi[1] = 1
                pi[2] = 2
                sg[0] = 1
                sg[1] = 1
                sg[2] = 1
                kstar[0] = ix
                kstar[1] = iy
                kstar[2] = kz
                w = (ix * py + iy) * (P[2] // 2 + 1) + kz
            # rotate the source spectra: M' = g M, (g v)_i = s_i v_{pi(i)}
            for b in range(nb):
                for i in range(3):
                    Mr[b, i] = sg[i] * S[3 * b + pi[i], ix, iy]
            gt = gi if cubic else 0
            for a in range(nb):
                Hr[a, 0] = 0.0
                Hr[a, 1] = 0.0
                Hr[a, 2] = 0.0
                if want_t:
                    for c in range(6):
                        for be in range(3):
                            G[a, c, be] = 0.0
            # each unordered coset pair once: K_ba = conj(K_ab) (a real kernel, W symmetric), also after g
            for a in range(nb):
                for b in range(a, nb):
                    pr = a * nb + b
                    cl = gtab_cls[gt, pr]
                    ph = (phase[0, gtab_t[gt, pr, 0] + 1, kstar[0]] * phase[1, gtab_t[gt, pr, 1] + 1, kstar[1]]
                          * phase[2, gtab_t[gt, pr, 2] + 1, kstar[2]])
                    if gtab_conj[gt, pr]:
                        kxx = Kw[w, cl, 0].conjugate() * ph
                        kyy = Kw[w, cl, 1].conjugate() * ph
                        kzz = Kw[w, cl, 2].conjugate() * ph
                        kxy = Kw[w, cl, 3].conjugate() * ph
                        kxz = Kw[w, cl, 4].conjugate() * ph
                        kyz = Kw[w, cl, 5].conjugate() * ph
                    else:
                        kxx = Kw[w, cl, 0] * ph
                        kyy = Kw[w, cl, 1] * ph
                        kzz = Kw[w, cl, 2] * ph
                        kxy = Kw[w, cl, 3] * ph
                        kxz = Kw[w, cl, 4] * ph
                        kyz = Kw[w, cl, 5] * ph
                    mx = Mr[b, 0]
                    my = Mr[b, 1]
                    mz = Mr[b, 2]
                    Hr[a, 0] += kxx * mx + kxy * my + kxz * mz
                    Hr[a, 1] += kxy * mx + kyy * my + kyz * mz
                    Hr[a, 2] += kxz * mx + kyz * my + kzz * mz
                    if b != a:
                        mx = Mr[a, 0]
                        my = Mr[a, 1]
                        mz = Mr[a, 2]
                        cxx = kxx.conjugate()
                        cyy = kyy.conjugate()
                        czz = kzz.conjugate()
                        cxy = kxy.conjugate()
                        cxz = kxz.conjugate()
                        cyz = kyz.conjugate()
                        Hr[b, 0] += cxx * mx + cxy * my + cxz * mz
                        Hr[b, 1] += cxy * mx + cyy * my + cyz * mz
                        Hr[b, 2] += cxz * mx + cyz * my + czz * mz
                    if want_t:  # G_{a,c,β} = Σ_b K_ab,c M_bβ (lab-frame source components β)
                        for be in range(1 if tproj else 3):
                            if tproj:
                                mb = tvec[0] * S[3 * b, ix, iy] + tvec[1] * S[3 * b + 1, ix, iy] + tvec[2] * S[3 * b + 2, ix, iy]
                            else:
                                mb = S[3 * b + be, ix, iy]
                            G[a, 0, be] += kxx * mb
                            G[a, 1, be] += kyy * mb
                            G[a, 2, be] += kzz * mb
                            G[a, 3, be] += kxy * mb
                            G[a, 4, be] += kxz * mb
                            G[a, 5, be] += kyz * mb
                            if b != a:
                                if tproj:
                                    ma = (tvec[0] * S[3 * a, ix, iy] + tvec[1] * S[3 * a + 1, ix, iy]
                                          + tvec[2] * S[3 * a + 2, ix, iy])
                                else:
                                    ma = S[3 * a + be, ix, iy]
                                G[b, 0, be] += kxx.conjugate() * ma
                                G[b, 1, be] += kyy.conjugate() * ma
                                G[b, 2, be] += kzz.conjugate() * ma
                                G[b, 3, be] += kxy.conjugate() * ma
                                G[b, 4, be] += kxz.conjugate() * ma
                                G[b, 5, be] += kyz.conjugate() * ma
            if want_t:
                # T_{kl,αβ} += Σ_a conj(M̂_aα) G_{a,c',β}: stored-frame component c' = (k', l') is the lab
                # component (pi(k'), pi(l')) with sign s_k' s_l' (K_lab = gᵀ K' g)
                for a in range(nb):
                    for c in range(6):
                        k1 = 0 if (c == 0 or c == 3 or c == 4) else (1 if (c == 1 or c == 5) else 2)
                        l1 = 0 if c == 0 else (1 if (c == 1 or c == 3) else 2)
                        kl = pi[k1]
                        ll = pi[l1]
                        sgn = sg[k1] * sg[l1]
                        lo = kl if kl < ll else ll
                        hi = ll if kl < ll else kl
                        lc = lo if lo == hi else (3 if (lo == 0 and hi == 1) else (4 if (lo == 0 and hi == 2) else 5))
                        if tproj:
                            ma = (tvec[0] * S[3 * a, ix, iy] + tvec[1] * S[3 * a + 1, ix, iy]
                                  + tvec[2] * S[3 * a + 2, ix, iy]).conjugate()
                            Tacc[ix, lc, 0, 0] += sgn * (ma * G[a, c, 0]).real
                            continue
                        for al in range(3):
                            ma = S[3 * a + al, ix, iy].conjugate()
                            for be in range(3):
                                Tacc[ix, lc, al, be] += sgn * (ma * G[a, c, be]).real
            # energy density (rotation invariant) and back-rotation H = gᵀ H'
            for a in range(nb):
                for i in range(3):
                    e_row += (Mr[a, i].conjugate() * Hr[a, i]).real
                for i in range(3):
                    S[3 * a + pi[i], ix, iy] = sg[i] * Hr[a, i]
        Eacc[ix] += e_row


@njit(cache=True, error_model="numpy", parallel=True)
def kernel_real_space(lo, hi, px, py, pz, Lx, Ly, Lz, dx, dy, dz, pref, out):
    """Real-space kernel K_d(Δ) = W(Δ⊙L + d) for lo ≤ Δ ≤ hi (cells, per axis), stored at Δ mod P in
    ``out`` (Px, Py, Pz, 6), zero elsewhere; ``d`` = (dx, dy, dz) Å is the coset offset; K = 0 at r = 0."""
    for ix in prange(lo[0], hi[0] + 1):
        rx = ix * Lx + dx
        jx = ix % px
        for iy in range(lo[1], hi[1] + 1):
            ry = iy * Ly + dy
            jy = iy % py
            for iz in range(lo[2], hi[2] + 1):
                rz = iz * Lz + dz
                jz = iz % pz
                r2 = rx * rx + ry * ry + rz * rz
                if r2 == 0.0:
                    continue
                ir2 = 1.0 / r2
                ir3 = pref * ir2 * np.sqrt(ir2)
                t = 3.0 * ir2 * ir3
                out[jx, jy, jz, 0] = t * rx * rx - ir3
                out[jx, jy, jz, 1] = t * ry * ry - ir3
                out[jx, jy, jz, 2] = t * rz * rz - ir3
                out[jx, jy, jz, 3] = t * rx * ry
                out[jx, jy, jz, 4] = t * rx * rz
                out[jx, jy, jz, 5] = t * ry * rz
