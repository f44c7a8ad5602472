"""Pairs of points within a cutoff: a linear-time cell-list search (numba), open or periodic boundaries.

:func:`pairs_within` returns every unordered pair (and periodic image) once, with the same conventions as
the searches it replaces (scipy's ``cKDTree.query_pairs`` for open boundaries: distance ≤ cutoff; ASE's
``neighbor_list`` for periodic ones: distance < cutoff, a site paired with its own image kept once with
D canonically positive). Cost O(N) time and O(N + pairs) memory: points are sorted into bins of
perpendicular width ≥ cutoff/k (k chosen so that small periodic boxes are searched through as many
images as the cutoff needs) and only neighbouring bins are compared. Triclinic cells are supported.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


def _scan_pairs(frac_bin, order, bin_start, nb, rng, periodic, pos, cellm, cut2, strict, count_only, counts,
                offsets, out_a, out_b, out_d):
    """Every unordered pair within the cutoff, bin by bin: counted per bin (``count_only``, pass 1) or written as
    (a, b, D = r_b − r_a + S·cell) in the slots given by ``offsets`` (pass 2). A pair is found from its lower
    index a ≤ b; a site paired with its own image is kept once, with D canonically positive."""
    nbx, nby, nbz = nb[0], nb[1], nb[2]
    nbins = nbx * nby * nbz
    for bi in prange(nbins):
        bx = bi // (nby * nbz)
        by = (bi // nbz) % nby
        bz = bi % nbz
        c = 0 if count_only else offsets[bi]
        for ox in range(-rng[0], rng[0] + 1):
            jx = bx + ox
            sx = 0
            if periodic[0]:
                sx = jx // nbx
                jx -= sx * nbx
            elif jx < 0 or jx >= nbx:
                continue
            for oy in range(-rng[1], rng[1] + 1):
                jy = by + oy
                sy = 0
                if periodic[1]:
                    sy = jy // nby
                    jy -= sy * nby
                elif jy < 0 or jy >= nby:
                    continue
                for oz in range(-rng[2], rng[2] + 1):
                    jz = bz + oz
                    sz = 0
                    if periodic[2]:
                        sz = jz // nbz
                        jz -= sz * nbz
                    elif jz < 0 or jz >= nbz:
                        continue
                    bj = (jx * nby + jy) * nbz + jz
                    shx = sx * cellm[0, 0] + sy * cellm[1, 0] + sz * cellm[2, 0]
                    shy = sx * cellm[0, 1] + sy * cellm[1, 1] + sz * cellm[2, 1]
                    shz = sx * cellm[0, 2] + sy * cellm[1, 2] + sz * cellm[2, 2]
                    same_image = sx == 0 and sy == 0 and sz == 0
                    for pa in range(bin_start[bi], bin_start[bi + 1]):
                        a = order[pa]
                        for pb in range(bin_start[bj], bin_start[bj + 1]):
                            b = order[pb]
                            if b < a:
                                continue
                            if b == a and same_image:
                                continue
                            dx = pos[pb, 0] - pos[pa, 0] + shx
                            dy = pos[pb, 1] - pos[pa, 1] + shy
                            dz = pos[pb, 2] - pos[pa, 2] + shz
                            if b == a and not (dx > 0 or (dx == 0 and (dy > 0 or (dy == 0 and dz > 0)))):
                                continue
                            d2 = dx * dx + dy * dy + dz * dz
                            if (strict and d2 < cut2) or ((not strict) and d2 <= cut2):
                                if not count_only:
                                    out_a[c] = a
                                    out_b[c] = b
                                    out_d[c, 0] = dx
                                    out_d[c, 1] = dy
                                    out_d[c, 2] = dz
                                c += 1
        if count_only:
            counts[bi] = c


def _csr_search(qbin, qpos, order, bin_start, nb, rng, periodic, tpos, cellm, cut2, strict, exclude_self,
                offsets, out_j, out_s, count_only, counts, wq, wt):
    """Bipartite search: for every query point the target points within the cutoff (all images), written
    as CSR rows (``out_j`` target index, ``out_s`` image shift of the original positions: the wrapped-frame
    shift − wt[target] + wq[query], ``wq``/``wt`` the integer wraps) or only counted."""
    nbx, nby, nbz = nb[0], nb[1], nb[2]
    nq = qpos.shape[0]
    for qi in prange(nq):
        bx = qbin[qi, 0]
        by = qbin[qi, 1]
        bz = qbin[qi, 2]
        c = 0 if count_only else offsets[qi]
        for ox in range(-rng[0], rng[0] + 1):
            jx = bx + ox
            sx = 0
            if periodic[0]:
                sx = jx // nbx
                jx -= sx * nbx
            elif jx < 0 or jx >= nbx:
                continue
            for oy in range(-rng[1], rng[1] + 1):
                jy = by + oy
                sy = 0
                if periodic[1]:
                    sy = jy // nby
                    jy -= sy * nby
                elif jy < 0 or jy >= nby:
                    continue
                for oz in range(-rng[2], rng[2] + 1):
                    jz = bz + oz
                    sz = 0
                    if periodic[2]:
                        sz = jz // nbz
                        jz -= sz * nbz
                    elif jz < 0 or jz >= nbz:
                        continue
                    bj = (jx * nby + jy) * nbz + jz
                    shx = sx * cellm[0, 0] + sy * cellm[1, 0] + sz * cellm[2, 0]
                    shy = sx * cellm[0, 1] + sy * cellm[1, 1] + sz * cellm[2, 1]
                    shz = sx * cellm[0, 2] + sy * cellm[1, 2] + sz * cellm[2, 2]
                    for pb in range(bin_start[bj], bin_start[bj + 1]):
                        b = order[pb]
                        if exclude_self and b == qi and sx == 0 and sy == 0 and sz == 0:
                            continue
                        dx = tpos[pb, 0] + shx - qpos[qi, 0]
                        dy = tpos[pb, 1] + shy - qpos[qi, 1]
                        dz = tpos[pb, 2] + shz - qpos[qi, 2]
                        d2 = dx * dx + dy * dy + dz * dz
                        if (strict and d2 < cut2) or ((not strict) and d2 <= cut2):
                            if not count_only:
                                out_j[c] = b
                                out_s[c, 0] = sx - wt[b, 0] + wq[qi, 0]
                                out_s[c, 1] = sy - wt[b, 1] + wq[qi, 1]
                                out_s[c, 2] = sz - wt[b, 2] + wq[qi, 2]
                            c += 1
        if count_only:
            counts[qi] = c


_csr_serial = njit(cache=True)(_csr_search)
_csr_parallel = njit(cache=True, parallel=True)(_csr_search)


def neighbour_csr(query, targets, cutoff, cell=None, pbc=(False, False, False), strict=None, same=False):
    """For every query point, the target points closer than ``cutoff`` (every periodic image), as CSR.

    Parameters
    ----------
    query : (Nq, 3) float, Å
    targets : (Nt, 3) float, Å
    cutoff : float, Å
    cell, pbc : as :func:`pairs_within`
    strict : bool, optional (default: < with periodicity, ≤ without, as :func:`pairs_within`)
    same : bool
        ``query`` and ``targets`` are the same set: a point is not its own neighbour (its other images are).

    Returns
    -------
    ptr : (Nq + 1,) int64
    idx : (nnz,) int32, target indices (query i's neighbours are idx[ptr[i]:ptr[i+1]])
    shift : (nnz, 3) int8, image S with D = targets[j] + S·cell − query[i] (zeros without periodicity)
    """
    q = np.ascontiguousarray(query, dtype=np.float64).reshape(-1, 3)
    t = np.ascontiguousarray(targets, dtype=np.float64).reshape(-1, 3)
    per = np.array([bool(p) for p in np.broadcast_to(np.asarray(pbc, dtype=bool), (3,))])
    cut = float(cutoff)
    if not (np.isfinite(cut) and cut > 0):
        raise ValueError(f"cutoff: {cutoff!r} is outside (0, inf) Å")
    if strict is None:
        strict = bool(per.any())
    nq, nt = len(q), len(t)
    if nq == 0 or nt == 0:
        return np.zeros(nq + 1, np.int64), np.zeros(0, np.int32), np.zeros((0, 3), np.int8)
    cellm = np.asarray(cell, dtype=np.float64).reshape(3, 3) if per.any() else np.eye(3)
    inv = np.linalg.inv(cellm)
    fq, ft = q @ inv, t @ inv  # not a site sum (row-wise)
    wq = np.zeros((nq, 3))
    wt = np.zeros((nt, 3))
    wq[:, per] = np.floor(fq[:, per])
    wt[:, per] = np.floor(ft[:, per])
    fq -= wq
    ft -= wt
    vol = abs(np.linalg.det(cellm))
    perp = np.array([vol / np.linalg.norm(np.cross(cellm[(i + 1) % 3], cellm[(i + 2) % 3])) for i in range(3)])
    lo = np.where(per, 0.0, np.minimum(fq.min(axis=0), ft.min(axis=0)))
    hi = np.where(per, 1.0, np.maximum(fq.max(axis=0), ft.max(axis=0)))
    span = np.maximum(hi - lo, 1e-12)
    width = span * perp
    nb = np.maximum(1, np.floor(width / cut)).astype(np.int64)
    rng = np.maximum(np.ceil(cut / (width / nb) - 1e-12).astype(np.int64), 1)
    rng[~per] = np.minimum(rng[~per], nb[~per])
    while np.prod(nb) > 4 * nt + 64:
        k = int(np.argmax(nb))
        nb[k] = max(1, nb[k] // 2)
        rng[k] = max(1, int(np.ceil(cut / (width[k] / nb[k]) - 1e-12)))
    ibt = np.clip(np.floor((ft - lo) / span * nb).astype(np.int64), 0, nb - 1)
    ibq = np.ascontiguousarray(np.clip(np.floor((fq - lo) / span * nb).astype(np.int64), 0, nb - 1))
    code = (ibt[:, 0] * nb[1] + ibt[:, 1]) * nb[2] + ibt[:, 2]
    del ibt
    order = np.argsort(code, kind="stable").astype(np.int64)
    nbins = int(np.prod(nb))
    bin_start = np.zeros(nbins + 1, dtype=np.int64)
    bin_start[1:] = np.cumsum(np.bincount(code, minlength=nbins))
    del code
    tposw = np.ascontiguousarray((ft @ cellm)[order])
    qposw = np.ascontiguousarray(fq @ cellm)
    del fq, ft
    fn = _csr_parallel if nq >= PARALLEL_MIN_POINTS else _csr_serial
    wqi = wq.astype(np.int64)
    wti = wt.astype(np.int64)
    del wq, wt
    if len(wqi) and (np.abs(wqi).max() > 100 or np.abs(wti).max() > 100):
        raise ValueError("positions: sites lie more than 100 periodic images outside the cell")
    counts = np.zeros(nq, dtype=np.int64)
    ptr = np.zeros(nq + 1, dtype=np.int64)
    dummy_j = np.zeros(1, np.int32)
    dummy_s = np.zeros((1, 3), np.int8)
    fn(ibq, qposw, order, bin_start, nb, rng, per, tposw, cellm, cut * cut, bool(strict), bool(same), ptr,
       dummy_j, dummy_s, True, counts, wqi, wti)
    ptr[1:] = np.cumsum(counts)
    del counts
    idx = np.empty(int(ptr[-1]), dtype=np.int32)
    sh = np.empty((int(ptr[-1]), 3), dtype=np.int8)
    fn(ibq, qposw, order, bin_start, nb, rng, per, tposw, cellm, cut * cut, bool(strict), bool(same), ptr,
       idx, sh, False, ptr, wqi, wti)
    return ptr, idx, sh


_scan_serial = njit(cache=True)(_scan_pairs)
_scan_parallel = njit(cache=True, parallel=True)(_scan_pairs)
#: above this many points the bins are searched by all numba threads (below, thread start-up costs more
#: than the search; derived: 448 points took 25 ms in parallel vs 1 ms serially on a loaded 2-core machine)
PARALLEL_MIN_POINTS = 50000


def pairs_within(positions, cutoff, cell=None, pbc=(False, False, False), strict=None):
    """Unordered pairs of points closer than ``cutoff``, each pair (and periodic image) once.

    Parameters
    ----------
    positions : (N, 3) float, Å
    cutoff : float, Å (> 0)
    cell : (3, 3) float, Å, optional
        Cell vectors (rows); required when any ``pbc``.
    pbc : 3 bools
    strict : bool, optional
        Distance < cutoff (True) or ≤ cutoff (False). Default: ≤ for open boundaries (as scipy's
        cKDTree), < with any periodic direction (as ASE's neighbor_list).

    Returns
    -------
    a, b : (P,) int64
        a < b, or a == b for a site and its own periodic image.
    D : (P, 3) float64, Å
        r_b − r_a + S·cell for the image S found (S·cell = 0 without periodicity), computed from the
        positions wrapped into the cell (equal to the unwrapped difference up to rounding); for a == b
        the image with D canonically positive (first non-zero component > 0).
    """
    pos = np.ascontiguousarray(positions, dtype=np.float64).reshape(-1, 3)
    n = len(pos)
    per = np.array([bool(p) for p in np.broadcast_to(np.asarray(pbc, dtype=bool), (3,))])
    cut = float(cutoff)
    if not (np.isfinite(cut) and cut > 0):
        raise ValueError(f"cutoff: {cutoff!r} is outside (0, inf) Å")
    if strict is None:
        strict = bool(per.any())
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 3))
    if per.any():
        cellm = np.asarray(cell, dtype=np.float64).reshape(3, 3)
    else:
        cellm = np.eye(3)
    # fractional coordinates along the (cell or Cartesian) axes; periodic ones wrapped into [0, 1)
    inv = np.linalg.inv(cellm)
    frac = pos @ inv
    wrap = np.zeros((n, 3))
    wrap[:, per] = np.floor(frac[:, per])
    fw = frac - wrap
    # perpendicular widths of the cell: V / |a_j × a_k|
    vol = abs(np.linalg.det(cellm))
    perp = np.array([vol / np.linalg.norm(np.cross(cellm[(i + 1) % 3], cellm[(i + 2) % 3])) for i in range(3)])
    lo = np.where(per, 0.0, fw.min(axis=0))
    span = np.where(per, 1.0, np.maximum(fw.max(axis=0) - lo, 1e-12))
    width = span * perp  # Å across the binned range along each axis
    nb = np.maximum(1, np.floor(width / cut)).astype(np.int64)
    # bins along open axes: cap at what the extent needs; search range in bins
    rng = np.ceil(cut / (width / nb) - 1e-12).astype(np.int64)
    rng = np.maximum(rng, 1)
    rng[~per] = np.minimum(rng[~per], nb[~per])
    # bound the bin count (memory O(N))
    while np.prod(nb) > 4 * n + 64:
        k = int(np.argmax(nb))
        nb[k] = max(1, nb[k] // 2)
        rng[k] = max(1, int(np.ceil(cut / (width[k] / nb[k]) - 1e-12)))
    ib = np.minimum(np.floor((fw - lo) / span * nb).astype(np.int64), nb - 1)
    ib = np.maximum(ib, 0)
    code = (ib[:, 0] * nb[1] + ib[:, 1]) * nb[2] + ib[:, 2]
    order = np.argsort(code, kind="stable").astype(np.int64)
    nbins = int(np.prod(nb))
    bin_start = np.zeros(nbins + 1, dtype=np.int64)
    bin_start[1:] = np.cumsum(np.bincount(code, minlength=nbins))
    posw = np.ascontiguousarray((fw @ cellm)[order])  # wrapped Cartesian positions, in bin order
    counts = np.zeros(nbins, dtype=np.int64)
    args = (ib, order, bin_start, nb, rng, per, posw, cellm, cut * cut, bool(strict))
    scan = _scan_parallel if n >= PARALLEL_MIN_POINTS else _scan_serial
    empty_i, empty_d = np.zeros(0, dtype=np.int64), np.zeros((0, 3), dtype=np.float64)
    scan(*args, True, counts, np.zeros(1, dtype=np.int64), empty_i, empty_i, empty_d)
    offsets = np.zeros(nbins + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    total = int(offsets[-1])
    a = np.empty(total, dtype=np.int64)
    b = np.empty(total, dtype=np.int64)
    D = np.empty((total, 3), dtype=np.float64)
    scan(*args, False, counts, offsets, a, b, D)
    return a, b, D


@njit(cache=True)
def _fill_symmetric(n, pi, pj, vals, cls, keep, indptr, cols, out_v, out_c):
    fill = indptr[:-1].copy()
    for half in range(2):
        for p in range(pi.shape[0]):
            if not keep[p]:
                continue
            r = pi[p] if half == 0 else pj[p]
            c = pj[p] if half == 0 else pi[p]
            k = fill[r]
            cols[k] = c
            out_v[k] = vals[p]
            out_c[k] = cls[p]
            fill[r] = k + 1
    for r in range(n):  # stable insertion sort of each row by column
        lo = indptr[r]
        for k in range(lo + 1, indptr[r + 1]):
            c = cols[k]
            v = out_v[k]
            t = out_c[k]
            q = k
            while q > lo and cols[q - 1] > c:
                cols[q] = cols[q - 1]
                out_v[q] = out_v[q - 1]
                out_c[q] = out_c[q - 1]
                q -= 1
            cols[q] = c
            out_v[q] = v
            out_c[q] = t


def symmetric_csr(n, i, j, values, classes, keep=None):
    """Symmetric CSR (row i holds j and row j holds i) of the pairs (i, j) with ``values`` and ``classes``,
    rows sorted by column, ties in pair order (the order of a stable lexsort of the concatenated (i, j),
    (j, i) lists) — without the concatenated copies.

    Returns
    -------
    indptr (n + 1,) int64, indices (nnz,) int32, values (nnz,) float64, classes (nnz,) int8
    """
    i = np.ascontiguousarray(i)
    j = np.ascontiguousarray(j)
    keep = np.ones(len(i), dtype=np.bool_) if keep is None else np.ascontiguousarray(keep, dtype=np.bool_)
    deg = np.bincount(i[keep], minlength=n) + np.bincount(j[keep], minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(deg, out=indptr[1:])
    nnz = int(indptr[-1])
    cols = np.empty(nnz, dtype=np.int32)
    out_v = np.empty(nnz, dtype=np.float64)
    out_c = np.empty(nnz, dtype=np.int8)
    _fill_symmetric(n, i, j, np.ascontiguousarray(values, dtype=np.float64), np.ascontiguousarray(classes),
                    keep, indptr, cols, out_v, out_c)
    return indptr, cols, out_v, out_c


#: peak memory of SpinModel.from_atoms per magnetic site (bytes; derived: 0.86–0.91 KB/spin measured at 10⁶
#: spins, benchmarks/README.md, with a margin)
BUILD_BYTES_PER_SPIN = 1100


def available_memory_bytes():
    """MemAvailable of /proc/meminfo in bytes, or None where it cannot be read (not Linux)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def check_build_memory(n_spins, name="atoms"):
    """ValueError naming ``name`` before any work when a model of ``n_spins`` would not fit in the memory
    available now (estimate :data:`BUILD_BYTES_PER_SPIN` per spin)."""
    need = int(n_spins) * BUILD_BYTES_PER_SPIN
    avail = available_memory_bytes()
    if avail is not None and need > avail:
        raise ValueError(f"{name}: a model of {n_spins} magnetic sites needs ≈ {need / 2**30:.1f} GiB to build, "
                         f"only {avail / 2**30:.1f} GiB are available; use a smaller particle")
