"""Dipolar interaction on macrocells (and exactly, one spin per cell).

E_dip = −½ Σ_{c≠d} M_cᵀ W_cd M_d − ½ Σ_c M_cᵀ W_cc M_c, with M_c = Σ_{i∈c} m_i ŝ_i in μB and::

    W_cd = μ0 μB² / (4π r_cd³) (3 r̂ r̂ᵀ − 1)        [meV / μB²], r_cd between cell centres

which for single spins is exactly the point-dipole pair energy
(μ0/4π r³)[m_i·m_j − 3(m_i·r̂)(m_j·r̂)]. The intra-cell term is W_cc = 0: for a uniformly magnetised cubic
cell of a cubic lattice the point-dipole sum inside the cell vanishes (the demagnetising field −M/3 of the
cube and the Lorentz field +M/3 cancel; the near-lattice sum is zero by symmetry), so the continuum
self term −μ0/(3V_c) must *not* be added for point dipoles. Cells of one spin each therefore reproduce the
exact pairwise sum. Cell centres are the mean positions of their spins. (Macrocell method as in Evans et
al., J. Phys.: Condens. Matter 26, 103202 (2014).) Error: the intra-cell sum of non-uniform (disordered)
cells is neglected, and cells that are not cubic-symmetric (cut at the surface) get no shape correction. This error is large for
small particles of the ferrimagnetic spinel: ΔE(x − z) of an aspect-2 magnetite ellipsoid in the Néel state,
exact vs 1 nm / 2 nm cells (meV): 3 × 6 nm 1.65 vs 5.12 / −2.15, 4 × 8 nm 4.61 vs 6.24 / 3.15, 5 × 10 nm
16.45 vs 18.54 / 6.66 (tests/test_model_dipolar.py) — hence ``from_atoms(dipolar=True)`` uses the exact
sum up to 3000 spins and 1 nm cells above.
"""

from __future__ import annotations

import numpy as np

from atomspin.model.core import DipolarCells
from atomspin.units import ANGSTROM, MEV, MU_0, MU_B

#: μ0 μB² / (4π · 1 Å³) in meV
DIP_PREFACTOR_MEV_A3 = MU_0 / (4 * np.pi) * MU_B ** 2 / ANGSTROM ** 3 / MEV

_MAX_TENSOR_BYTES = 2 * 1024 ** 3


def dipolar_tensor(centres_A, self_volume_A3=None):
    """(C, C, 3, 3) W_cd in meV/μB² for cell centres in Å.

    ``self_volume_A3`` (C,), optional: adds the continuum cube self term W_cc = −μ0 μB²/(3 V_c) (not used by
    :func:`build_macrocells`, see the module docstring); None → W_cc = 0.
    """
    r = np.asarray(centres_A, dtype=np.float64)
    c = len(r)
    d = r[None, :, :] - r[:, None, :]
    dist = np.linalg.norm(d, axis=2)
    np.fill_diagonal(dist, 1.0)
    if np.any(dist[~np.eye(c, dtype=bool)] < 1e-6):
        raise ValueError("dipolar: two macrocells share a centre")
    u = d / dist[:, :, None]
    w = (DIP_PREFACTOR_MEV_A3 / dist ** 3)[:, :, None, None] * (3 * np.einsum("cdi,cdj->cdij", u, u)
                                                                 - np.eye(3)[None, None])
    idx = np.arange(c)
    w[idx, idx] = 0.0
    if self_volume_A3 is not None:
        v = np.asarray(self_volume_A3, dtype=np.float64)
        selfw = np.where(np.isfinite(v) & (v > 0), -4 * np.pi * DIP_PREFACTOR_MEV_A3 / (3 * np.where(v > 0, v, 1)),
                         0.0)
        w[idx, idx] = selfw[:, None, None] * np.eye(3)[None]
    return w


def build_macrocells(positions_A, cell_size_nm):
    """Group spins into cubic macrocells of edge ``cell_size_nm`` and compute the dipolar tensor.

    Parameters
    ----------
    positions_A : (N, 3) float, Å
    cell_size_nm : float or "exact"
        Cell edge in nm (> 0), or ``"exact"`` for one cell per spin (exact pairwise dipolar sum).

    Returns
    -------
    DipolarCells
    """
    pos = np.asarray(positions_A, dtype=np.float64)
    n = len(pos)
    if isinstance(cell_size_nm, str):
        if cell_size_nm != "exact":
            raise ValueError(f"dipolar: {cell_size_nm!r} is not 'exact', True/False or a cell size in nm (> 0)")
        cell_of = np.arange(n, dtype=np.int64)
    else:
        size = float(cell_size_nm)
        if not np.isfinite(size) or size <= 0:
            raise ValueError(f"dipolar: cell size {cell_size_nm} nm is outside (0, inf)")
        g = np.floor((pos - pos.min(axis=0)) / (10.0 * size)).astype(np.int64)
        _, cell_of = np.unique(g, axis=0, return_inverse=True)
        cell_of = cell_of.ravel().astype(np.int64)
    nc = int(cell_of.max()) + 1 if n else 0
    need = nc * nc * 9 * 8
    if need > _MAX_TENSOR_BYTES:
        raise ValueError(f"dipolar: {nc} cells need a {need / 1024 ** 3:.1f} GiB tensor (limit 2 GiB); "
                         "use a larger cell size")
    cnt = np.bincount(cell_of, minlength=nc)
    centres = np.zeros((nc, 3))
    np.add.at(centres, cell_of, pos)
    centres /= cnt[:, None]
    return DipolarCells(cell_of=cell_of, tensor=dipolar_tensor(centres, None))
