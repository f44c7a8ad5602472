"""Sequential sweeper: sites 0…N−1 in turn on stream 0; macrocell dipolar fields exact."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from atomspin.engine.kernels import _dip_apply
from atomspin.engine.moves import MOVES, _end_sweep, _metropolis_site
from atomspin.engine.sweepers.base import Sweeper


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


class SequentialSweeper(Sweeper):
    """Visits sites 0…N−1 in memory order with one stream and one numba thread."""

    name = "sequential"

    def __init__(self, arrays, model, threads=1, **options):
        super().__init__(arrays, model, threads, **options)
        self.order = np.arange(arrays.n, dtype=np.int32)

    def sweep(self, n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out):
        sweep_sequential(n, *self.arrays.model_args(spins), beta, MOVES[move], cone, adapt, adapt_moves,
                         state, acc_out, self.order)
        self.arrays.refresh(spins)  # re-anchor the incrementally updated dipolar fields
