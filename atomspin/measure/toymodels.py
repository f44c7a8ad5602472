"""Small analytic spin models for validating measurements (Stoner–Wohlfarth-like clusters).

These build :class:`~atomspin.model.core.SpinModel` objects directly (no structure layer), so
the measurements can be checked against exact results: a stiff ferromagnetic cluster with
per-site uniaxial anisotropy Q_i = K e eᵀ behaves as a macrospin with K_eff V = Σ_i K and
anisotropy field B_K = 2 Σ K / (Σ m μB).
"""
from __future__ import annotations

import numpy as np

from atomspin.measure.results import check_direction, check_finite_scalar, check_int
from atomspin.model.core import SpinModel, quad_from_matrix
from atomspin.units import ANGSTROM, MU_B_MEV_PER_T


def uniaxial_cluster(n=(3, 3, 3), J_meV=50.0, K_meV=0.05, axis=(0.0, 0.0, 1.0), moment_muB=5.0,
                     spacing_A=3.0, sublattices=False, periodic=False):
    """Simple-cubic cluster of n[0]×n[1]×n[2] spins with nearest-neighbour exchange.

    Parameters
    ----------
    n : 3 ints
        Spins along x, y, z.
    J_meV : float
        Nearest-neighbour exchange (meV), > 0 ferromagnetic. With ``sublattices=True`` the
        lattice is split into a checkerboard "A"/"B" and J is applied with a negative sign
        (antiferromagnetic A–B coupling), giving a ferrimagnet when the moments differ.
    K_meV : float
        Uniaxial anisotropy per site (meV): E = −K (ŝ·e)².
    axis : 3-vector
        Easy axis e.
    moment_muB : float or (2,) floats
        Moment per site (μB); two values give the A and B moments when ``sublattices=True``.
    spacing_A : float
        Lattice spacing (Å); the volume is N·spacing³.
    periodic : bool
        Periodic boundaries (a bulk box) instead of an open cluster.

    Returns
    -------
    SpinModel with all spins along +e (the ferro/ferrimagnetic ground state).
    """
    n = tuple(check_int(f"n[{k}]", v, 1) for k, v in enumerate(n))
    check_finite_scalar("J_meV", J_meV)
    check_finite_scalar("K_meV", K_meV)
    spacing_A = check_finite_scalar("spacing_A", spacing_A, 0.0, np.inf, lo_open=True)
    e = check_direction("axis", axis)
    idx = np.array(np.meshgrid(*[np.arange(k) for k in n], indexing="ij")).reshape(3, -1).T
    N = len(idx)
    lin = {tuple(p): i for i, p in enumerate(idx)}
    rows = [[] for _ in range(N)]
    parity = idx.sum(axis=1) % 2
    for i, p in enumerate(idx):
        for d in range(3):
            for step in (-1, 1):
                q = p.copy()
                q[d] += step
                if periodic:
                    if n[d] < 3:
                        continue
                    q[d] %= n[d]
                j = lin.get(tuple(q))
                if j is not None:
                    rows[i].append(j)
    indptr = np.zeros(N + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.array([j for r in rows for j in r], dtype=np.int64)
    sign = np.ones(len(indices))
    if sublattices:
        row = np.repeat(np.arange(N), np.diff(indptr))
        sign = np.where(parity[row] != parity[indices], -1.0, 1.0)
    Jarr = J_meV * sign
    mom = np.atleast_1d(np.asarray(moment_muB, dtype=np.float64))
    if sublattices and mom.size == 2:
        moments = np.where(parity == 0, mom[0], mom[1])
    else:
        moments = np.full(N, float(mom[0]))
    spins = np.tile(e, (N, 1))
    lab = None
    if sublattices:
        lab = np.where(parity == 0, "A", "B")
        spins[parity == 0] *= -1.0
    quad = quad_from_matrix(np.broadcast_to(K_meV * np.outer(e, e), (N, 3, 3)))
    cell = np.diag(np.array(n, dtype=float) * spacing_A) if periodic else None
    return SpinModel(positions=idx * spacing_A, spins=spins, moments=moments, indptr=indptr, indices=indices,
                     J=Jarr, quad=quad, k1=np.zeros(N), k2=np.zeros(N), sublattice=lab,
                     region=np.full(N, "core"), atom_index=np.arange(N), cell=cell,
                     pbc=(periodic,) * 3, volume_m3=N * (spacing_A * ANGSTROM) ** 3)


def anisotropy_field_T(model, axis=None):
    """Macrospin anisotropy field B_K = 2 Σ K_i / (Σ m_i μB) in tesla for uniaxial Q_i = K_i e eᵀ.

    K_i is read as eᵀ Q_i e along ``axis`` (default: +z). Exact for a stiff ferromagnet.
    """
    from atomspin.model.core import quad_to_matrix

    e = np.array([0.0, 0.0, 1.0]) if axis is None else check_direction("axis", axis)
    K = np.einsum("i,nij,j->n", e, quad_to_matrix(model.quad), e)
    return float(2.0 * K.sum() / (np.abs(model.magnetisation(model.spins) @ e) * MU_B_MEV_PER_T))
