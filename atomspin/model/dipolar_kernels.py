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


@njit(cache=True, error_model="numpy", parallel=True)
def pairwise_fields(pos, mu, pref, out):
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


@njit(cache=True, error_model="numpy", parallel=True)
def kspace_apply(Mk, Kk, pair_ptr, pair_src, pair_ker, pair_conj, pair_t, phx, phy, phz, Hk):
    """Per-coset lattice convolution in k-space: Ĥ_a(k) = Σ_b φ_ab(k) K̂_ab(k) M̂_b(k).

    Mk, Hk : (Px, Py, Kz, B, 3) complex128 — coset spectra of the moments and of the fields.
    Kk : (Px, Py, Kz, nK, 6) complex128 — stored kernel spectra (xx, yy, zz, xy, xz, yz).
    Pairs of target coset a are ``pair_ptr[a]:pair_ptr[a+1]``: source coset ``pair_src``, kernel
    ``pair_ker``, ``pair_conj`` (use the complex conjugate of the stored kernel) and cell shift
    ``pair_t`` (3 ints in −1…1) whose phase e^{2πi k·t/P} is ``phx[t_x+1, kx]·phy[…]·phz[…]``.
    """
    px, py, kz = Mk.shape[0], Mk.shape[1], Mk.shape[2]
    nb = Mk.shape[3]
    for ix in prange(px):
        for iy in range(py):
            for iz in range(kz):
                for a in range(nb):
                    ax = 0.0 + 0.0j
                    ay = 0.0 + 0.0j
                    az = 0.0 + 0.0j
                    for p in range(pair_ptr[a], pair_ptr[a + 1]):
                        b = pair_src[p]
                        kk = pair_ker[p]
                        ph = phx[pair_t[p, 0] + 1, ix] * phy[pair_t[p, 1] + 1, iy] * phz[pair_t[p, 2] + 1, iz]
                        kxx = Kk[ix, iy, iz, kk, 0]
                        kyy = Kk[ix, iy, iz, kk, 1]
                        kzz = Kk[ix, iy, iz, kk, 2]
                        kxy = Kk[ix, iy, iz, kk, 3]
                        kxz = Kk[ix, iy, iz, kk, 4]
                        kyz = Kk[ix, iy, iz, kk, 5]
                        if pair_conj[p]:
                            kxx = kxx.conjugate()
                            kyy = kyy.conjugate()
                            kzz = kzz.conjugate()
                            kxy = kxy.conjugate()
                            kxz = kxz.conjugate()
                            kyz = kyz.conjugate()
                        mx = Mk[ix, iy, iz, b, 0] * ph
                        my = Mk[ix, iy, iz, b, 1] * ph
                        mz = Mk[ix, iy, iz, b, 2] * ph
                        ax += kxx * mx + kxy * my + kxz * mz
                        ay += kxy * mx + kyy * my + kyz * mz
                        az += kxz * mx + kyz * my + kzz * mz
                    Hk[ix, iy, iz, a, 0] = ax
                    Hk[ix, iy, iz, a, 1] = ay
                    Hk[ix, iy, iz, a, 2] = az


@njit(cache=True, error_model="numpy", parallel=True)
def kernel_real_space(nx, ny, nz, px, py, pz, Lx, Ly, Lz, dx, dy, dz, pref, out):
    """Real-space kernel K_d(Δ) = W(Δ⊙L + d) for Δ ∈ [−n, n]³ (cells), stored at Δ mod P in ``out``
    (Px, Py, Pz, 6), zero elsewhere; ``d`` = (dx, dy, dz) Å is the coset offset; K = 0 at r = 0."""
    for ix in prange(-nx, nx + 1):
        rx = ix * Lx + dx
        jx = ix % px
        for iy in range(-ny, ny + 1):
            ry = iy * Ly + dy
            jy = iy % py
            for iz in range(-nz, nz + 1):
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
