"""Sums over sites in a fixed order, independent of the BLAS thread count.

A product whose contracted index runs over the N sites (``moments @ spins``, ``spins.T @ spins``, ``q @ fields``)
goes to BLAS, which splits the sum over its threads for large N (OpenBLAS 0.3.31: ``(N,) @ (N, 3)`` from about
1.5·10⁵ sites, a 1-D dot from 10⁴). The last bits of
the total moment then depend on ``OPENBLAS_NUM_THREADS``, and every constrained Monte Carlo run starts from that
total: a 169 005-spin cube reproduced its anisotropy landscape only to 2·10⁻⁸ relative when rerun with another BLAS
thread count (docs/validation.md §3b). The sums here use :func:`numpy.einsum` without path optimisation, which
runs numpy's own single-threaded loops and never calls BLAS, so the same input gives the same bits for any thread
count (tests/test_model_sums.py runs them under one and two BLAS threads). Cost: ≈ 1 ms per 10⁵ sites.

Products whose sum runs over the three Cartesian components only (``spins @ R.T``, ``spins @ axis``) involve no
sum over sites and stay as they are. Not covered: the T = 0 constrained minimisation
(``measure.constrained_t0``: QR of the 2N × 2 constraint matrix and L-BFGS on 2N-vectors, both BLAS/LAPACK), so
a T = 0 landscape of more than ≈ 10⁵ sites may still differ in its last bits between BLAS thread counts; and the
time-series statistics of ``engine.statistics`` (dot products over samples, not sites). The bits are fixed for a
given input array, C or Fortran order alike in value but not necessarily in the last bit.
"""
import numpy as np

__all__ = ["site_sum", "site_gram"]


def site_sum(weights, vectors):
    """Σ_i w_i v_i over sites.

    Parameters
    ----------
    weights : (N,) array
        Per-site weights (e.g. moments in μB, or signed moments).
    vectors : (..., N, k) array
        Per-site vectors (e.g. unit spins, or fields in meV), optionally a stack of states.

    Returns
    -------
    (..., k) ndarray in the product of the inputs' units.
    """
    w, v = np.asarray(weights, dtype=np.float64), np.asarray(vectors, dtype=np.float64)
    if w.ndim != 1 or v.ndim < 2 or v.shape[-2] != len(w):
        raise ValueError(f"vectors: expected shape (..., {len(w) if w.ndim == 1 else 'N'}, k) for weights of shape "
                         f"{w.shape} (one weight per site, 1-D), got {v.shape}")
    return np.einsum("i,...ij->...j", w, v)


def site_gram(a, b=None):
    """Σ_i a_i b_iᵀ over sites (b = a by default): the (k, l) matrix ``a.T @ b`` in a fixed order.

    Parameters
    ----------
    a : (N, k) array
    b : (N, l) array, optional

    Returns
    -------
    (k, l) ndarray.
    """
    a = np.asarray(a, dtype=np.float64)
    b = a if b is None else np.asarray(b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or len(a) != len(b):
        raise ValueError(f"a, b: expected (N, k) and (N, l) arrays with the same number of sites N, got {a.shape} "
                         f"and {b.shape}")
    return np.einsum("ij,ik->jk", a, b)
