"""Shifted upper-Hessenberg systems (I + ξH) x = b in O(n²): the kernels of the Fokker–Planck field path
(:class:`atomspin.sar.fokker_planck._FieldPath`).

Gaussian elimination with partial pivoting of a Hessenberg matrix only ever exchanges neighbouring rows, so the
factorisation is P A = L U with L unit lower bidiagonal (one multiplier per column) and U upper triangular; it is
backward stable in practice (growth at most n; Golub & Van Loan, "Matrix Computations", 4th ed., §3.5–4.3, not read
here). The rows of A = I + ξH are formed as they are needed, so H is read once per factorisation.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def hessenberg_lu(H, xi, U, swap, mult):
    """Factorise A = I + ξH (H (n, n) upper Hessenberg; its entries below the sub-diagonal are not read).

    Writes the upper triangle of ``U`` (n, n; its strict lower triangle is not touched), ``swap[k]`` (rows k and
    k + 1 exchanged at step k) and ``mult[k]`` (row k + 1 −= mult[k] · row k after the exchange). Returns the
    smallest |U_kk| (0: A is singular to working precision)."""
    n = H.shape[0]
    cur = np.empty(n)
    nxt = np.empty(n)
    for j in range(n):
        cur[j] = xi * H[0, j]
    cur[0] += 1.0
    small = np.inf
    for k in range(n - 1):
        for j in range(k, n):
            nxt[j] = xi * H[k + 1, j]
        nxt[k + 1] += 1.0
        if abs(nxt[k]) > abs(cur[k]):
            swap[k] = True
            for j in range(k, n):
                t = cur[j]
                cur[j] = nxt[j]
                nxt[j] = t
        else:
            swap[k] = False
        piv = cur[k]
        small = min(small, abs(piv))
        m = nxt[k] / piv if piv != 0.0 else 0.0
        mult[k] = m
        for j in range(k, n):
            U[k, j] = cur[j]
        for j in range(k + 1, n):
            cur[j] = nxt[j] - m * cur[j]
    U[n - 1, n - 1] = cur[n - 1]
    return min(small, abs(cur[n - 1]))


@njit(cache=True)
def hessenberg_lower(swap, mult, b, transpose):
    """Apply the lower factor of :func:`hessenberg_lu` in place: b ← L⁻¹ P b (``transpose`` False: before the
    back substitution with U), or b ← Pᵀ L⁻ᵀ b (True: after the forward substitution with Uᵀ, for Aᵀ x = b)."""
    n = b.shape[0]
    if not transpose:
        for k in range(n - 1):
            if swap[k]:
                t = b[k]
                b[k] = b[k + 1]
                b[k + 1] = t
            b[k + 1] -= mult[k] * b[k]
    else:
        for k in range(n - 2, -1, -1):
            b[k] -= mult[k] * b[k + 1]
            if swap[k]:
                t = b[k]
                b[k] = b[k + 1]
                b[k + 1] = t
    return b
