"""Hamiltonian kernels of the Monte Carlo engine (private; flat arrays, no allocation inside sweeps).

One cohesive set: the exact single-site energy change, the local fields, the total energy, the
incremental macrocell dipolar bookkeeping and the magnetisation — the numba twins of the numpy
reference :mod:`atomspin.model.hamiltonian` (tests compare them term by term).

Energy convention: :mod:`atomspin.model.core` (meV, unit spins). All kernels take the model as
flat arrays, in this order ("model arrays", built by :class:`atomspin.engine.arrays.ModelArrays`)::

    spins (N,3), moments (N,) μB, zp (N,) m_i μB in meV/T, indptr, indices, Jc, Jv,
    quad (N,6) meV, k1, k2 (N,) meV, b (3,) tesla, has_quad, has_cubic,
    has_dip, cell_of (N,), W (C,C,3,3) meV/μB², Mc (C,3) μB, Hc (C,3) meV/μB

The exchange constant of CSR entry p is ``Jv[Jc[p]]`` (meV): ``Jv`` holds the distinct values and
``Jc`` (uint8/uint16/int32) one code per pair, so a sweep reads 1–2 bytes per bond instead of 8 (a
spinel has ~6 distinct J; measured +6–8 % on 2 threads for 98k-spin bulk, where memory traffic limits).
``Hc[c] = Σ_d W_cd M_d`` is the dipolar field per unit moment acting on cell c (kept current by
the kernels). ``has_dip`` is True only for a macrocell dipolar object (``cell_of``, ``tensor``);
any other dipolar object is evaluated outside the kernels (see :mod:`atomspin.engine.sweepers`).
"""

from __future__ import annotations

from numba import njit


@njit(cache=True, error_model="numpy", inline="always")
def _site_energy_nonlinear(i, x, y, z, quad, k1, k2, has_quad, has_cubic):
    """Quadratic + cubic anisotropy energy (meV) of site i with spin (x, y, z)."""
    e = 0.0
    if has_quad:
        e -= (quad[i, 0] * x * x + quad[i, 1] * y * y + quad[i, 2] * z * z
              + 2.0 * (quad[i, 3] * x * y + quad[i, 4] * x * z + quad[i, 5] * y * z))
    if has_cubic:
        x2 = x * x
        y2 = y * y
        z2 = z * z
        e += k1[i] * (x2 * y2 + y2 * z2 + z2 * x2) + k2[i] * x2 * y2 * z2
    return e


@njit(cache=True, error_model="numpy", inline="always")
def _anisotropy_change(i, nx, ny, nz, sx, sy, sz, quad, k1, k2, has_quad, has_cubic):
    """Quadratic + cubic anisotropy energy change (meV) of site i from (sx, sy, sz) to (nx, ny, nz)."""
    if has_quad or has_cubic:
        return (_site_energy_nonlinear(i, nx, ny, nz, quad, k1, k2, has_quad, has_cubic)
                - _site_energy_nonlinear(i, sx, sy, sz, quad, k1, k2, has_quad, has_cubic))
    return 0.0


@njit(cache=True, error_model="numpy", inline="always")
def _bilinear(w, ax, ay, az, bx, by, bz):
    """aᵀ w b for a 3×3 block w."""
    return (ax * (w[0, 0] * bx + w[0, 1] * by + w[0, 2] * bz)
            + ay * (w[1, 0] * bx + w[1, 1] * by + w[1, 2] * bz)
            + az * (w[2, 0] * bx + w[2, 1] * by + w[2, 2] * bz))


@njit(cache=True, error_model="numpy", inline="always")
def _delta_e(i, nx, ny, nz, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
             has_quad, has_cubic, has_dip, cell_of, W, Hc):
    """Exact energy change (meV) when spin i moves to (nx, ny, nz), all others fixed."""
    sx = spins[i, 0]
    sy = spins[i, 1]
    sz = spins[i, 2]
    zi = zp[i]
    hx = zi * b[0]
    hy = zi * b[1]
    hz = zi * b[2]
    for p in range(indptr[i], indptr[i + 1]):
        j = indices[p]
        jj = Jv[Jc[p]]
        hx += jj * spins[j, 0]
        hy += jj * spins[j, 1]
        hz += jj * spins[j, 2]
    dx = nx - sx
    dy = ny - sy
    dz = nz - sz
    de = -(dx * hx + dy * hy + dz * hz)
    if has_quad or has_cubic:
        de += _anisotropy_change(i, nx, ny, nz, sx, sy, sz, quad, k1, k2, has_quad, has_cubic)
    if has_dip:
        c = cell_of[i]
        m = moments[i]
        ax = m * dx
        ay = m * dy
        az = m * dz
        de -= ax * Hc[c, 0] + ay * Hc[c, 1] + az * Hc[c, 2]
        de -= 0.5 * _bilinear(W[c, c], ax, ay, az, ax, ay, az)
    return de


@njit(cache=True, error_model="numpy")
def _dip_apply(c, ax, ay, az, W, Mc, Hc):
    """Cell c changed its moment by (ax, ay, az) μB: update Mc and every Hc (O(C))."""
    Mc[c, 0] += ax
    Mc[c, 1] += ay
    Mc[c, 2] += az
    for e in range(Hc.shape[0]):
        w = W[e, c]
        Hc[e, 0] += w[0, 0] * ax + w[0, 1] * ay + w[0, 2] * az
        Hc[e, 1] += w[1, 0] * ax + w[1, 1] * ay + w[1, 2] * az
        Hc[e, 2] += w[2, 0] * ax + w[2, 1] * ay + w[2, 2] * az


@njit(cache=True, error_model="numpy")
def _dip_refresh(spins, moments, cell_of, W, Mc, Hc):
    """Recompute cell moments Mc (μB) and fields Hc = Σ_d W_cd M_d from the spins."""
    nc = Mc.shape[0]
    for c in range(nc):
        Mc[c, 0] = 0.0
        Mc[c, 1] = 0.0
        Mc[c, 2] = 0.0
    for i in range(spins.shape[0]):
        c = cell_of[i]
        m = moments[i]
        Mc[c, 0] += m * spins[i, 0]
        Mc[c, 1] += m * spins[i, 1]
        Mc[c, 2] += m * spins[i, 2]
    for c in range(nc):
        hx = 0.0
        hy = 0.0
        hz = 0.0
        for d in range(nc):
            w = W[c, d]
            hx += w[0, 0] * Mc[d, 0] + w[0, 1] * Mc[d, 1] + w[0, 2] * Mc[d, 2]
            hy += w[1, 0] * Mc[d, 0] + w[1, 1] * Mc[d, 1] + w[1, 2] * Mc[d, 2]
            hz += w[2, 0] * Mc[d, 0] + w[2, 1] * Mc[d, 1] + w[2, 2] * Mc[d, 2]
        Hc[c, 0] = hx
        Hc[c, 1] = hy
        Hc[c, 2] = hz


@njit(cache=True, error_model="numpy")
def local_fields(spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                 has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc, out):
    """out[i] = −∂E/∂ŝ_i (meV) for every site; refreshes Mc and Hc from the spins first."""
    n = spins.shape[0]
    if has_dip:
        _dip_refresh(spins, moments, cell_of, W, Mc, Hc)
    for i in range(n):
        x = spins[i, 0]
        y = spins[i, 1]
        z = spins[i, 2]
        hx = zp[i] * b[0]
        hy = zp[i] * b[1]
        hz = zp[i] * b[2]
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            hx += Jv[Jc[p]] * spins[j, 0]
            hy += Jv[Jc[p]] * spins[j, 1]
            hz += Jv[Jc[p]] * spins[j, 2]
        if has_quad:
            hx += 2.0 * (quad[i, 0] * x + quad[i, 3] * y + quad[i, 4] * z)
            hy += 2.0 * (quad[i, 3] * x + quad[i, 1] * y + quad[i, 5] * z)
            hz += 2.0 * (quad[i, 4] * x + quad[i, 5] * y + quad[i, 2] * z)
        if has_cubic:
            x2 = x * x
            y2 = y * y
            z2 = z * z
            hx -= 2.0 * x * (k1[i] * (y2 + z2) + k2[i] * y2 * z2)
            hy -= 2.0 * y * (k1[i] * (x2 + z2) + k2[i] * x2 * z2)
            hz -= 2.0 * z * (k1[i] * (x2 + y2) + k2[i] * x2 * y2)
        if has_dip:
            c = cell_of[i]
            m = moments[i]
            hx += m * Hc[c, 0]
            hy += m * Hc[c, 1]
            hz += m * Hc[c, 2]
        out[i, 0] = hx
        out[i, 1] = hy
        out[i, 2] = hz


@njit(cache=True, error_model="numpy")
def total_energy(spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                 has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc):
    """Total energy (meV); refreshes Mc and Hc."""
    n = spins.shape[0]
    e = 0.0
    for i in range(n):
        x = spins[i, 0]
        y = spins[i, 1]
        z = spins[i, 2]
        hx = 0.0
        hy = 0.0
        hz = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            hx += Jv[Jc[p]] * spins[j, 0]
            hy += Jv[Jc[p]] * spins[j, 1]
            hz += Jv[Jc[p]] * spins[j, 2]
        e -= 0.5 * (x * hx + y * hy + z * hz)
        e -= zp[i] * (x * b[0] + y * b[1] + z * b[2])
        if has_quad or has_cubic:
            e += _site_energy_nonlinear(i, x, y, z, quad, k1, k2, has_quad, has_cubic)
    if has_dip:
        _dip_refresh(spins, moments, cell_of, W, Mc, Hc)
        for c in range(Mc.shape[0]):
            e -= 0.5 * (Mc[c, 0] * Hc[c, 0] + Mc[c, 1] * Hc[c, 1] + Mc[c, 2] * Hc[c, 2])
    return e


@njit(cache=True, error_model="numpy")
def magnetisation(spins, moments, group, n_groups, out_total, out_groups):
    """Total moment Σ m_i ŝ_i (μB) into out_total and per group (e.g. sublattice) into out_groups."""
    for k in range(3):
        out_total[k] = 0.0
    for g in range(n_groups):
        for k in range(3):
            out_groups[g, k] = 0.0
    for i in range(spins.shape[0]):
        m = moments[i]
        g = group[i]
        for k in range(3):
            v = m * spins[i, k]
            out_total[k] += v
            if n_groups > 0:
                out_groups[g, k] += v
