"""Parallel decomposition of a model into phases of independent blocks: slabs or colour classes.

A decomposition is ``(phase_ptr, block_ptr, sites)``: phase p owns blocks ``phase_ptr[p] …
phase_ptr[p+1]−1``, block k is the site list ``sites[block_ptr[k]:block_ptr[k+1]]``. No exchange
bond joins two different blocks of one phase, so the blocks of a phase can be swept at once
(:mod:`atomspin.engine.sweepers.blocks`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

DECOMPOSITIONS = ("auto", "slabs", "colours")


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


def colour_classes(model):
    """Greedy colouring of the exchange graph.

    Returns
    -------
    colour : (N,) int64, colour of each site (neighbours never share a colour)
    col_ptr : (n_colours + 1,) int64 and col_sites : (N,) int64
        Sites of colour c are ``col_sites[col_ptr[c]:col_ptr[c+1]]`` in increasing order.
    """
    indptr = np.ascontiguousarray(model.indptr, dtype=np.int64)
    indices = np.ascontiguousarray(model.indices, dtype=np.int64)
    colour, n_col = greedy_colouring(indptr, indices)
    col_sites = np.argsort(colour, kind="stable").astype(np.int64)
    col_ptr = np.zeros(n_col + 1, dtype=np.int64)
    col_ptr[1:] = np.cumsum(np.bincount(colour, minlength=n_col))
    return colour, col_ptr, col_sites


def colour_blocks(model, n_chunks):
    """Colour classes as phases, each split into ``n_chunks`` contiguous chunks (blocks)."""
    _, col_ptr, col_sites = colour_classes(model)
    n_col = len(col_ptr) - 1
    lo = col_ptr[:-1, None] + ((col_ptr[1:] - col_ptr[:-1])[:, None] * np.arange(n_chunks)) // n_chunks
    block_ptr = np.append(lo.reshape(-1), col_ptr[-1]).astype(np.int64)
    phase_ptr = np.arange(n_col + 1, dtype=np.int64) * n_chunks
    return phase_ptr, block_ptr, col_sites


def slab_blocks(model, n_blocks):
    """Cut the model into ``2·n_blocks`` slabs of equal spin count along its longest axis.

    Slab s belongs to phase s mod 2 and is block s // 2 of that phase; inside a slab the sites
    are listed in increasing order (memory order). Along a periodic axis the slab coordinate is
    the fractional one, and the slab count is even, so the wrap-around pair (first, last) lies in
    different phases.

    Returns
    -------
    (phase_ptr, block_ptr, sites) as used by the block sweep, or None when the slabs are too thin:
    some exchange bond joins two different slabs of one phase (small systems, or positions that
    do not reflect the bonds).
    """
    if isinstance(n_blocks, bool) or not isinstance(n_blocks, (int, np.integer)) or n_blocks < 1:
        raise ValueError(f"n_blocks: {n_blocks!r} is outside [1, inf) (integer)")
    n = model.n
    n_slabs = 2 * int(n_blocks)
    if n < n_slabs:
        return None
    pos = np.asarray(model.positions, dtype=np.float64)
    pbc = np.asarray(model.pbc, dtype=bool) if model.cell is not None else np.zeros(3, dtype=bool)
    if pbc.any():
        cell = np.asarray(model.cell, dtype=np.float64)
        frac = np.linalg.solve(cell.T, pos.T).T
        lengths = np.linalg.norm(cell, axis=1)
        ext = np.where(pbc, lengths, np.ptp(pos @ (cell / lengths[:, None]).T, axis=0))
        ax = int(np.argmax(ext))
        x = frac[:, ax] % 1.0 if pbc[ax] else frac[:, ax]
    else:
        ax = int(np.argmax(np.ptp(pos, axis=0)))
        x = pos[:, ax]
    order = np.lexsort((np.arange(n), x))
    slab = np.empty(n, dtype=np.int64)
    slab[order] = (np.arange(n) * n_slabs) // n
    indptr = np.asarray(model.indptr, dtype=np.int64)
    row = np.repeat(np.arange(n), np.diff(indptr))
    col = np.asarray(model.indices, dtype=np.int64)
    if np.any((slab[row] % 2 == slab[col] % 2) & (slab[row] != slab[col])):
        return None
    key = (slab % 2) * n_blocks + slab // 2  # phase-major block number
    sites = np.lexsort((np.arange(n), key)).astype(np.int64)
    block_ptr = np.zeros(n_slabs + 1, dtype=np.int64)
    block_ptr[1:] = np.cumsum(np.bincount(key, minlength=n_slabs))
    phase_ptr = np.array([0, n_blocks, n_slabs], dtype=np.int64)
    return phase_ptr, block_ptr, sites


def decompose(model, n_blocks, decomposition="auto", dipolar=False):
    """Choose and build a decomposition with ``n_blocks`` blocks per phase.

    ``"slabs"`` (refused with a ValueError when too thin), ``"colours"``, or ``"auto"``: slabs when
    valid and the model has no dipolar term (slabs would freeze the dipolar field over half the
    particle per phase), else colours. Returns (name, (phase_ptr, block_ptr, sites)).
    """
    if decomposition not in DECOMPOSITIONS:
        raise ValueError(f"decomposition: {decomposition!r} is not one of 'auto', 'slabs', 'colours'")
    blocks = None
    if decomposition == "slabs" or (decomposition == "auto" and not dipolar):
        blocks = slab_blocks(model, n_blocks)
        if blocks is None and decomposition == "slabs":
            raise ValueError(f"decomposition: 'slabs' impossible here: {2 * n_blocks} slabs of "
                             f"{model.n} spins are thinner than the exchange range (bonds join "
                             f"two slabs of one phase); use 'colours' or fewer threads")
    if blocks is None:
        return "colours", colour_blocks(model, n_blocks)
    return "slabs", blocks
