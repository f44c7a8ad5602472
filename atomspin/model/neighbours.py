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


def _count_pairs(frac_bin, order, bin_start, nb, rng, periodic, pos, cellm, cut2, strict, counts):
    """Pass 1: number of pairs found from the points of each bin (a ≤ b rule, see _fill_pairs)."""
    nbx, nby, nbz = nb[0], nb[1], nb[2]
    nbins = nbx * nby * nbz
    for bi in prange(nbins):
        bx = bi // (nby * nbz)
        by = (bi // nbz) % nby
        bz = bi % nbz
        c = 0
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
                                c += 1
        counts[bi] = c


def _fill_pairs(frac_bin, order, bin_start, nb, rng, periodic, pos, cellm, cut2, strict, offsets,
                out_a, out_b, out_d):
    """Pass 2: write the pairs (a, b, D = r_b − r_a + S·cell) in the slots given by ``offsets``."""
    nbx, nby, nbz = nb[0], nb[1], nb[2]
    nbins = nbx * nby * nbz
    for bi in prange(nbins):
        bx = bi // (nby * nbz)
        by = (bi // nbz) % nby
        bz = bi % nbz
        c = offsets[bi]
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
                                out_a[c] = a
                                out_b[c] = b
                                out_d[c, 0] = dx
                                out_d[c, 1] = dy
                                out_d[c, 2] = dz
                                c += 1


_count_serial = njit(cache=True)(_count_pairs)
_fill_serial = njit(cache=True)(_fill_pairs)
_count_parallel = njit(cache=True, parallel=True)(_count_pairs)
_fill_parallel = njit(cache=True, parallel=True)(_fill_pairs)
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
    count, fill = (_count_parallel, _fill_parallel) if n >= PARALLEL_MIN_POINTS else (_count_serial, _fill_serial)
    count(*args, counts)
    offsets = np.zeros(nbins + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    total = int(offsets[-1])
    a = np.empty(total, dtype=np.int64)
    b = np.empty(total, dtype=np.int64)
    D = np.empty((total, 3), dtype=np.float64)
    fill(*args, offsets, a, b, D)
    return a, b, D
