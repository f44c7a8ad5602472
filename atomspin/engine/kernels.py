"""Numba kernels of the Monte Carlo engine (private; flat arrays, no allocation inside sweeps).

Energy convention: :mod:`atomspin.model.core` (meV, unit spins). All kernels take the model as
flat arrays, in this order ("model arrays")::

    spins (N,3), moments (N,) μB, zp (N,) m_i μB in meV/T, indptr, indices, Jc, Jv,
    quad (N,6) meV, k1, k2 (N,) meV, b (3,) tesla, has_quad, has_cubic,
    has_dip, cell_of (N,), W (C,C,3,3) meV/μB², Mc (C,3) μB, Hc (C,3) meV/μB

The exchange constant of CSR entry p is ``Jv[Jc[p]]`` (meV): ``Jv`` holds the distinct values and
``Jc`` (uint8/uint16/int32) one code per pair, so a sweep reads 1–2 bytes per bond instead of 8 (a
spinel has ~6 distinct J; measured +6–8 % on 2 threads for 98k-spin bulk, where memory traffic limits).
``Hc[c] = Σ_d W_cd M_d`` is the dipolar field per unit moment acting on cell c (kept current by
the kernels). Move kinds: 0 adaptive Gaussian cone, 1 Hinzke–Nowak mixture, 2 uniform on sphere.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from atomspin.engine.rng import _gauss3, _sphere, _uniform

MOVE_ADAPTIVE = 0
MOVE_HINZKE_NOWAK = 1
MOVE_UNIFORM = 2

SIGMA_MIN = 1e-4  # smallest cone width (derived: below this a move changes ŝ by < 1e-4 rad)
SIGMA_MAX = 60.0  # largest cone width (derived: ŝ + 60 g is isotropic to < 2 % — uniform sampling)
TARGET_ACCEPTANCE = 0.5  # acceptance the cone width is steered to (Alzate-Cardona et al., JPCM 31, 095802 (2019))
ADAPT_MOVES = 4096  # moves pooled per σ update (derived: acceptance noise ≈ 0.5/√4096 ≈ 1 %, so σ hardly
#                     depends on the current state — per-sweep updates bias tiny systems measurably)


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
        de += (_site_energy_nonlinear(i, nx, ny, nz, quad, k1, k2, has_quad, has_cubic)
               - _site_energy_nonlinear(i, sx, sy, sz, quad, k1, k2, has_quad, has_cubic))
    if has_dip:
        c = cell_of[i]
        m = moments[i]
        ax = m * dx
        ay = m * dy
        az = m * dz
        de -= ax * Hc[c, 0] + ay * Hc[c, 1] + az * Hc[c, 2]
        w = W[c, c]
        de -= 0.5 * (ax * (w[0, 0] * ax + w[0, 1] * ay + w[0, 2] * az)
                     + ay * (w[1, 0] * ax + w[1, 1] * ay + w[1, 2] * az)
                     + az * (w[2, 0] * ax + w[2, 1] * ay + w[2, 2] * az))
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


@njit(cache=True, error_model="numpy", inline="always")
def _propose(move, sx, sy, sz, sigma, st):
    """Trial spin for the chosen move kind; every kind is a symmetric proposal."""
    if move == MOVE_HINZKE_NOWAK:
        r = _uniform(st)
        if r < 1.0 / 3.0:
            return -sx, -sy, -sz  # spin flip
        elif r < 2.0 / 3.0:
            return _sphere(st)
        # else: small Gaussian cone (falls through)
    elif move == MOVE_UNIFORM:
        return _sphere(st)
    gx, gy, gz = _gauss3(st)
    nx = sx + sigma * gx
    ny = sy + sigma * gy
    nz = sz + sigma * gz
    inv = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
    return nx * inv, ny * inv, nz * inv


@njit(cache=True, error_model="numpy")
def _adapt_sigma(sigma, acceptance):
    """σ ← σ · clip(acceptance / 0.5, 1/2, 2), kept in [SIGMA_MIN, SIGMA_MAX]."""
    f = acceptance / TARGET_ACCEPTANCE
    if f < 0.5:
        f = 0.5
    elif f > 2.0:
        f = 2.0
    s = sigma * f
    if s < SIGMA_MIN:
        s = SIGMA_MIN
    elif s > SIGMA_MAX:
        s = SIGMA_MAX
    return s


@njit(cache=True, error_model="numpy")
def _end_sweep(sigma_arr, acc, n, adapt, adapt_moves):
    """Pool a sweep's acceptance in sigma_arr[1:3]; update σ = sigma_arr[0] once ≥ adapt_moves tried."""
    if not adapt or n == 0:
        return
    sigma_arr[1] += acc
    sigma_arr[2] += n
    if sigma_arr[2] >= adapt_moves:
        sigma_arr[0] = _adapt_sigma(sigma_arr[0], sigma_arr[1] / sigma_arr[2])
        sigma_arr[1] = 0.0
        sigma_arr[2] = 0.0


@njit(cache=True, error_model="numpy", inline="always")
def _metropolis_site(i, move, sigma, beta, st, spins, moments, zp, indptr, indices, Jc, Jv,
                     quad, k1, k2, b, has_quad, has_cubic, has_dip, cell_of, W, Hc):
    """Propose and accept/reject one move of spin i; returns (accepted, dE). Does not touch Mc/Hc."""
    sx = spins[i, 0]
    sy = spins[i, 1]
    sz = spins[i, 2]
    nx, ny, nz = _propose(move, sx, sy, sz, sigma, st)
    de = _delta_e(i, nx, ny, nz, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                  has_quad, has_cubic, has_dip, cell_of, W, Hc)
    if de <= 0.0 or _uniform(st) < np.exp(-beta * de):
        spins[i, 0] = nx
        spins[i, 1] = ny
        spins[i, 2] = nz
        return True, de
    return False, de


@njit(cache=True, error_model="numpy", parallel=True)
def sweep_sequential(n_sweeps, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                     has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc,
                     beta, move, sigma_arr, adapt, adapt_moves, state, acc_out, order):
    """``n_sweeps`` sweeps visiting the sites in the fixed ``order`` on stream 0; dipolar fields exact.

    ``acc_out[s]`` receives the number of accepted moves of sweep s; ``sigma_arr = [σ, accepted,
    tried]``: σ is adapted (when ``adapt``) at the end of the first sweep at which ≥ ``adapt_moves``
    moves have been pooled since the last update.

    The body is wrapped in a one-iteration ``prange``: numba compiles parfor bodies with
    non-aliasing array arguments, which measured 1.5–3× faster here than the plain function
    (call with numba threads set to 1). The driver passes the site order 0…N−1, which streams
    through memory (measured 2× faster than colour-class order on 98k-spin bulk).
    """
    n = spins.shape[0]
    acc_t = np.zeros(1, dtype=np.int64)
    for sw in range(n_sweeps):
        sigma = sigma_arr[0]
        for _t in prange(1):
            st = state[0]
            acc = 0
            for q in range(n):
                i = order[q]
                sx = spins[i, 0]
                sy = spins[i, 1]
                sz = spins[i, 2]
                ok, de = _metropolis_site(i, move, sigma, beta, st, spins, moments, zp,
                                          indptr, indices, Jc, Jv, quad, k1, k2, b, has_quad, has_cubic,
                                          has_dip, cell_of, W, Hc)
                if ok:
                    acc += 1
                    if has_dip:
                        m = moments[i]
                        _dip_apply(cell_of[i], m * (spins[i, 0] - sx), m * (spins[i, 1] - sy),
                                   m * (spins[i, 2] - sz), W, Mc, Hc)
            acc_t[0] = acc
        acc_out[sw] = acc_t[0]
        _end_sweep(sigma_arr, acc_t[0], n, adapt, adapt_moves)


@njit(cache=True, error_model="numpy", parallel=True)
def sweep_blocks(n_sweeps, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                 has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc,
                 beta, move, sigma_arr, adapt, adapt_moves, state, acc_out,
                 phase_ptr, block_ptr, sites):
    """Parallel sweeps over a block decomposition: phases in turn, the blocks of a phase at once.

    Phase p owns blocks ``phase_ptr[p] … phase_ptr[p+1]−1``; block k is the site list
    ``sites[block_ptr[k]:block_ptr[k+1]]``, visited in that order with RNG stream
    ``k − phase_ptr[p]``. The driver guarantees that no exchange bond joins two different blocks
    of one phase, so the blocks of a phase evolve independently and the sweep equals a sequential
    sweep in some site order (global balance). Two decompositions are used: colour classes split
    into chunks (no bond inside a block either) and slabs (two phases, sequential inside a slab).
    Dipolar fields are frozen within a phase and refreshed after it (approximation; exact only
    without dipolar terms). The output depends on the decomposition and the seed, never on how
    threads are scheduled.
    """
    n = spins.shape[0]
    n_phase = phase_ptr.shape[0] - 1
    n_streams = state.shape[0]
    acc_t = np.zeros(n_streams, dtype=np.int64)
    for sw in range(n_sweeps):
        sigma = sigma_arr[0]
        for t in range(n_streams):
            acc_t[t] = 0
        for p in range(n_phase):
            k0 = phase_ptr[p]
            nb = phase_ptr[p + 1] - k0
            for t in prange(nb):
                # bounds as locals before the loop: measured 8 % faster than range(block_ptr[k], …)
                lo = block_ptr[k0 + t]
                hi = block_ptr[k0 + t + 1]
                st = state[t]
                a = 0
                for q in range(lo, hi):
                    i = sites[q]
                    ok, de = _metropolis_site(i, move, sigma, beta, st, spins, moments,
                                              zp, indptr, indices, Jc, Jv, quad, k1, k2, b, has_quad,
                                              has_cubic, has_dip, cell_of, W, Hc)
                    if ok:
                        a += 1
                acc_t[t] = acc_t[t] + a
            if has_dip:
                _dip_refresh(spins, moments, cell_of, W, Mc, Hc)
        tot = 0
        for t in range(n_streams):
            tot += acc_t[t]
        acc_out[sw] = tot
        _end_sweep(sigma_arr, tot, n, adapt, adapt_moves)


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


@njit(cache=True, error_model="numpy")
def greedy_colouring(indptr, indices):
    """Greedy colouring of the CSR graph in site order; returns (colour (N,), n_colours)."""
    n = indptr.shape[0] - 1
    colour = -np.ones(n, dtype=np.int64)
    mark = -np.ones(n + 1, dtype=np.int64)
    n_col = 0
    for i in range(n):
        for p in range(indptr[i], indptr[i + 1]):
            j = indices[p]
            if colour[j] >= 0:
                mark[colour[j]] = i
        c = 0
        while mark[c] == i:
            c += 1
        colour[i] = c
        if c + 1 > n_col:
            n_col = c + 1
    return colour, n_col


@njit(cache=True, error_model="numpy", parallel=True)
def constrained_sweeps(n_sweeps, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                       has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc,
                       beta, ex, ey, ez, sigma_arr, adapt, adapt_moves, state, acc_out,
                       mtot):
    """Constrained Monte Carlo sweeps (Asselin et al., PRB 82, 054415 (2010)).

    A sweep is N pair moves. Each: primary spin i (uniform random) takes a Gaussian-cone trial
    ŝ_i'; compensation spin j ≠ i (uniform random) gets ŝ_j'⊥ = ŝ_j⊥ − m_i(ŝ_i' − ŝ_i)⊥ / m_j and
    ŝ_j'∥ = sign(ŝ_j∥)·sqrt(1 − |ŝ_j'⊥|²), which keeps M⊥ = 0 (⊥, ∥ relative to ê = (ex, ey, ez)).
    Accepted with probability min[1, (M'∥/M∥)² · |ŝ_j∥|/|ŝ_j'∥| · exp(−βΔE)]; moves with
    |ŝ_j'⊥| > 1 or M'∥ ≤ 0 are rejected. ``mtot`` (3,) holds M = Σ m_i ŝ_i (μB) and is updated.
    """
    n = spins.shape[0]
    acc_t = np.zeros(1, dtype=np.int64)
    for sw in range(n_sweeps):
        sigma = sigma_arr[0]
        for _t in prange(1):  # parfor body: non-aliasing arrays, faster code (see sweep_sequential)
            st = state[0]
            acc = 0
            for _ in range(n):
                i = int(_uniform(st) * n)
                j = int(_uniform(st) * (n - 1))
                if j >= i:
                    j += 1
                sx = spins[i, 0]
                sy = spins[i, 1]
                sz = spins[i, 2]
                nx, ny, nz = _propose(MOVE_ADAPTIVE, sx, sy, sz, sigma, st)
                mi = moments[i]
                mj = moments[j]
                dx = mi * (nx - sx)
                dy = mi * (ny - sy)
                dz = mi * (nz - sz)
                dpar = dx * ex + dy * ey + dz * ez
                # compensation spin, perpendicular part
                tx = spins[j, 0]
                ty = spins[j, 1]
                tz = spins[j, 2]
                tpar = tx * ex + ty * ey + tz * ez
                px = tx - tpar * ex - (dx - dpar * ex) / mj
                py = ty - tpar * ey - (dy - dpar * ey) / mj
                pz = tz - tpar * ez - (dz - dpar * ez) / mj
                p2 = px * px + py * py + pz * pz
                if p2 > 1.0:
                    continue
                npar = np.sqrt(1.0 - p2)
                if tpar < 0.0:
                    npar = -npar
                jx = px + npar * ex
                jy = py + npar * ey
                jz = pz + npar * ez
                mpar = mtot[0] * ex + mtot[1] * ey + mtot[2] * ez
                mpar_new = mpar + dpar + mj * (npar - tpar)
                if mpar_new <= 0.0:
                    continue
                de = _delta_e(i, nx, ny, nz, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                              has_quad, has_cubic, has_dip, cell_of, W, Hc)
                spins[i, 0] = nx
                spins[i, 1] = ny
                spins[i, 2] = nz
                if has_dip:
                    _dip_apply(cell_of[i], dx, dy, dz, W, Mc, Hc)
                de += _delta_e(j, jx, jy, jz, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                               has_quad, has_cubic, has_dip, cell_of, W, Hc)
                ratio = (mpar_new / mpar) ** 2 * abs(tpar) / abs(npar)
                if de != 0.0:
                    ratio *= np.exp(-beta * de)
                if ratio >= 1.0 or _uniform(st) < ratio:
                    acc += 1
                    if has_dip:
                        _dip_apply(cell_of[j], mj * (jx - tx), mj * (jy - ty), mj * (jz - tz), W, Mc, Hc)
                    spins[j, 0] = jx
                    spins[j, 1] = jy
                    spins[j, 2] = jz
                    mtot[0] += dx + mj * (jx - tx)
                    mtot[1] += dy + mj * (jy - ty)
                    mtot[2] += dz + mj * (jz - tz)
                else:
                    spins[i, 0] = sx
                    spins[i, 1] = sy
                    spins[i, 2] = sz
                    if has_dip:
                        _dip_apply(cell_of[i], -dx, -dy, -dz, W, Mc, Hc)
            acc_t[0] = acc
        acc_out[sw] = acc_t[0]
        _end_sweep(sigma_arr, acc_t[0], n, adapt, adapt_moves)


# ----------------------------------------------------------------------------- collective rotation move
COLL_WIDTH_MIN = 1e-4  # smallest rotation-angle half-width, rad (derived: as SIGMA_MIN)
COLL_WIDTH_MAX = np.pi  # largest half-width, rad (derived: angles in [−π, π] cover all rotations)
COLL_ADAPT_ATTEMPTS = 10  # collective attempts pooled per width update (derived: w can grow ×2 every 10
#                          attempts, 0.1 rad → π in 50; acceptance noise 0.5/√10 ≈ 16 % only jitters w by ≲ ×1.3)


@njit(cache=True, error_model="numpy", inline="always")
def _rotation_matrix(ux, uy, uz, ang, rot):
    """Rodrigues: rot ← rotation by ``ang`` (rad) about the unit axis (ux, uy, uz)."""
    c = np.cos(ang)
    s = np.sin(ang)
    t = 1.0 - c
    rot[0, 0] = c + t * ux * ux
    rot[0, 1] = t * ux * uy - s * uz
    rot[0, 2] = t * ux * uz + s * uy
    rot[1, 0] = t * uy * ux + s * uz
    rot[1, 1] = c + t * uy * uy
    rot[1, 2] = t * uy * uz - s * ux
    rot[2, 0] = t * uz * ux - s * uy
    rot[2, 1] = t * uz * uy + s * ux
    rot[2, 2] = c + t * uz * uz


@njit(cache=True, error_model="numpy", inline="always")
def _rotate(rot, x, y, z):
    """rot·(x, y, z), renormalised to a unit vector (removes rounding drift)."""
    nx = rot[0, 0] * x + rot[0, 1] * y + rot[0, 2] * z
    ny = rot[1, 0] * x + rot[1, 1] * y + rot[1, 2] * z
    nz = rot[2, 0] * x + rot[2, 1] * y + rot[2, 2] * z
    inv = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
    return nx * inv, ny * inv, nz * inv


@njit(cache=True, error_model="numpy")
def _collective_delta_e(rot, lo, hi, sites, blo, bhi, bnd_i, bnd_j, bnd_J,
                        spins, moments, zp, quad, k1, k2, b, has_quad, has_cubic, has_dip,
                        cell_of, W, Hc, dM):
    """Exact ΔE (meV) when the sites ``sites[lo:hi]`` are all rotated by ``rot``, others fixed.

    Exchange inside the group is invariant; only the bonds (bnd_i[p] in group, bnd_j[p] outside),
    p in [blo, bhi), contribute. ``dM`` (C, 3) receives the change of every cell moment (μB).
    One pass over the group, no allocation; spins are not modified.
    """
    b0 = b[0]
    b1 = b[1]
    b2 = b[2]
    de = 0.0
    if has_dip:
        for c in range(dM.shape[0]):
            dM[c, 0] = 0.0
            dM[c, 1] = 0.0
            dM[c, 2] = 0.0
    for q in range(lo, hi):
        i = sites[q]
        sx = spins[i, 0]
        sy = spins[i, 1]
        sz = spins[i, 2]
        nx, ny, nz = _rotate(rot, sx, sy, sz)
        dx = nx - sx
        dy = ny - sy
        dz = nz - sz
        de -= zp[i] * (dx * b0 + dy * b1 + dz * b2)
        if has_quad or has_cubic:
            de += (_site_energy_nonlinear(i, nx, ny, nz, quad, k1, k2, has_quad, has_cubic)
                   - _site_energy_nonlinear(i, sx, sy, sz, quad, k1, k2, has_quad, has_cubic))
        if has_dip:
            c = cell_of[i]
            m = moments[i]
            dM[c, 0] += m * dx
            dM[c, 1] += m * dy
            dM[c, 2] += m * dz
    for p in range(blo, bhi):
        i = bnd_i[p]
        j = bnd_j[p]
        sx = spins[i, 0]
        sy = spins[i, 1]
        sz = spins[i, 2]
        nx, ny, nz = _rotate(rot, sx, sy, sz)
        de -= bnd_J[p] * ((nx - sx) * spins[j, 0] + (ny - sy) * spins[j, 1] + (nz - sz) * spins[j, 2])
    if has_dip:
        nc = dM.shape[0]
        for c in range(nc):
            ax = dM[c, 0]
            ay = dM[c, 1]
            az = dM[c, 2]
            if ax == 0.0 and ay == 0.0 and az == 0.0:
                continue
            de -= ax * Hc[c, 0] + ay * Hc[c, 1] + az * Hc[c, 2]
            for d in range(nc):
                w = W[c, d]
                ex = dM[d, 0]
                ey = dM[d, 1]
                ez = dM[d, 2]
                de -= 0.5 * (ax * (w[0, 0] * ex + w[0, 1] * ey + w[0, 2] * ez)
                             + ay * (w[1, 0] * ex + w[1, 1] * ey + w[1, 2] * ez)
                             + az * (w[2, 0] * ex + w[2, 1] * ey + w[2, 2] * ez))
    return de


@njit(cache=True, error_model="numpy")
def collective_attempts(spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                        has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc,
                        beta, grp_ptr, grp_sites, bnd_ptr, bnd_i, bnd_j, bnd_J,
                        width_arr, adapt, state, rot, dM):
    """One rigid-rotation Metropolis attempt per group; returns the number accepted.

    Group g is ``grp_sites[grp_ptr[g]:grp_ptr[g+1]]``; its exchange bonds to sites outside it are
    ``bnd_*[bnd_ptr[g]:bnd_ptr[g+1]]``. Per attempt, from stream ``state[0]``: axis û uniform on
    the sphere (Marsaglia), angle θ = w(2u − 1) with w = ``width_arr[0]``, then (if ΔE > 0) one
    uniform for the Metropolis test. R(û, θ) and R(û, −θ) = R⁻¹ are equally likely: symmetric
    proposal. ``width_arr = [w, accepted, tried]``; w ← clip(w·clip(A/0.5, ½, 2), 1e-4, π) after
    every COLL_ADAPT_ATTEMPTS attempts when ``adapt``. Mc/Hc are updated on acceptance.
    """
    st = state[0]
    n_acc = 0
    for g in range(grp_ptr.shape[0] - 1):
        lo = grp_ptr[g]
        hi = grp_ptr[g + 1]
        if hi == lo:
            continue
        ux, uy, uz = _sphere(st)
        ang = width_arr[0] * (2.0 * _uniform(st) - 1.0)
        _rotation_matrix(ux, uy, uz, ang, rot)
        de = _collective_delta_e(rot, lo, hi, grp_sites, bnd_ptr[g], bnd_ptr[g + 1], bnd_i, bnd_j,
                                 bnd_J, spins, moments, zp, quad, k1, k2, b, has_quad, has_cubic,
                                 has_dip, cell_of, W, Hc, dM)
        ok = de <= 0.0 or _uniform(st) < np.exp(-beta * de)
        if ok:
            n_acc += 1
            for q in range(lo, hi):
                i = grp_sites[q]
                nx, ny, nz = _rotate(rot, spins[i, 0], spins[i, 1], spins[i, 2])
                spins[i, 0] = nx
                spins[i, 1] = ny
                spins[i, 2] = nz
            if has_dip:
                for c in range(dM.shape[0]):
                    if dM[c, 0] != 0.0 or dM[c, 1] != 0.0 or dM[c, 2] != 0.0:
                        _dip_apply(c, dM[c, 0], dM[c, 1], dM[c, 2], W, Mc, Hc)
        if adapt:
            if ok:
                width_arr[1] += 1.0
            width_arr[2] += 1.0
            if width_arr[2] >= COLL_ADAPT_ATTEMPTS:
                f = (width_arr[1] / width_arr[2]) / TARGET_ACCEPTANCE
                if f < 0.5:
                    f = 0.5
                elif f > 2.0:
                    f = 2.0
                w = width_arr[0] * f
                if w < COLL_WIDTH_MIN:
                    w = COLL_WIDTH_MIN
                elif w > COLL_WIDTH_MAX:
                    w = COLL_WIDTH_MAX
                width_arr[0] = w
                width_arr[1] = 0.0
                width_arr[2] = 0.0
    return n_acc
