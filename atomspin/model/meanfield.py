"""Classical mean-field ordering temperature of a compiled model (cheap check of the J convention).

For unit classical spins the linearised mean-field equations are 3 k_B T ⟨ŝ_i⟩ = Σ_j J_ij ⟨ŝ_j⟩, so
order appears at k_B T_MF = λ_max / 3 with λ_max the largest eigenvalue of the symmetric exchange matrix
(J_ij in meV). For a ferrimagnet the eigenvector is the Néel pattern (A and B of opposite sign). Mean field
overestimates Tc: classical Monte Carlo on the spinel lattice gives ≈ 0.8 T_MF (derived: the
bulk Tc tests, tests/test_tc.py and docs/validation.md §2).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from atomspin.units import K_B_MEV_PER_K


def exchange_matrix(model) -> sp.csr_matrix:
    """The symmetric (N, N) exchange matrix J_ij in meV as a scipy CSR matrix."""
    n = model.n
    return sp.csr_matrix((model.J, model.indices, model.indptr), shape=(n, n))


def mean_field_tc(model) -> float:
    """Classical mean-field T_MF in K: λ_max(J) / (3 k_B) for unit spins.

    Parameters
    ----------
    model : SpinModel

    Returns
    -------
    float
        T_MF in K (0 when no coupling is positive-definite in any pattern, i.e. λ_max ≤ 0).
    """
    if model.n == 0 or len(model.J) == 0:
        return 0.0
    mat = exchange_matrix(model)
    if model.n <= 400:
        lam = float(np.linalg.eigvalsh(mat.toarray())[-1])
    else:
        lam = float(spla.eigsh(mat, k=1, which="LA", return_eigenvectors=False, tol=1e-10)[0])
    return max(lam, 0.0) / (3.0 * K_B_MEV_PER_K)
