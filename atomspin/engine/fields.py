"""Energies and fields of a model computed by the engine's compiled kernels.

The numpy reference of the same Hamiltonian is :mod:`atomspin.model.hamiltonian` (batched over
states, per-term breakdown); these functions expose the kernels the sweeps use, so that tests and
users can check them against it.
"""

from __future__ import annotations

import numpy as np

from atomspin.engine.kernels import _delta_e
from atomspin.engine.arrays import ModelArrays, check_spins
from atomspin.engine.collective import _collective_delta_e, group_arrays


def effective_field(model, spins=None, field=None):
    """Local field h_i = −∂E/∂ŝ_i of every spin.

    Parameters
    ----------
    model : SpinModel
    spins : (N, 3) array of unit vectors, optional
        State; default ``model.spins``.
    field : (3,) array, optional
        Applied μ0H in tesla; default ``model.field``.

    Returns
    -------
    (N, 3) float64, meV
        Exchange Σ_j J_ij ŝ_j + quadratic 2Q_iŝ_i + cubic gradient + Zeeman m_i μB B + dipolar
        (macrocell: m_i Σ_d W_{c(i)d} M_d; any other dipolar object: its ``fields_meV``). A move
        ŝ_i → ŝ_i' changes the energy by −(ŝ_i'−ŝ_i)·h_i to first order.
    """
    a = ModelArrays(model, field)
    s = check_spins(model.spins if spins is None else spins, a.n)
    return a.fields(s)


def local_energy_change(model, i, new_spin, spins=None, field=None):
    """Exact energy change (meV) when spin ``i`` alone moves to the unit vector ``new_spin``.

    Parameters
    ----------
    model : SpinModel
    i : int, site index in [0, N)
    new_spin : (3,) unit vector
    spins : (N, 3) unit vectors, optional (default ``model.spins``)
    field : (3,) μ0H in tesla, optional (default ``model.field``)
    """
    a = ModelArrays(model, field)
    s = check_spins(model.spins if spins is None else spins, a.n)
    i = int(i)
    if not 0 <= i < a.n:
        raise ValueError(f"i: {i} is outside [0, {a.n - 1}]")
    v = check_spins(np.reshape(new_spin, (1, 3)), 1, "new_spin")[0]
    a.refresh(s)
    de = float(_delta_e(i, v[0], v[1], v[2], s, a.moments, a.zp, a.indptr, a.indices, a.Jc, a.Jv,
                           a.quad, a.k1, a.k2, a.b, a.has_quad, a.has_cubic, a.has_dip,
                           a.cell_of, a.W, a.Hc))
    if a.dipolar is not None:
        t = s.copy()
        t[i] = v
        de += float(a.dipolar.energy_meV(t, a.moments) - a.dipolar.energy_meV(s, a.moments))
    return de


def _check_rotation(rotation):
    r = np.asarray(rotation, dtype=np.float64)
    if r.shape != (3, 3) or not np.all(np.isfinite(r)):
        raise ValueError(f"rotation: expected a finite (3, 3) rotation matrix, got shape {r.shape}")
    if not np.allclose(r @ r.T, np.eye(3), atol=1e-10) or np.linalg.det(r) < 0:
        raise ValueError("rotation: must be a proper rotation (RRᵀ = 1 within 1e-10, det = +1)")
    return np.ascontiguousarray(r)


def collective_energy_change(model, rotation, sites=None, spins=None, field=None):
    """Exact energy change (meV) when the spins ``sites`` are all rotated rigidly by ``rotation``.

    Parameters
    ----------
    model : SpinModel
    rotation : (3, 3) proper rotation matrix (dimensionless)
    sites : array of int in [0, N), optional
        Rotated sites (default: all). Exchange bonds to the other sites are included exactly.
    spins : (N, 3) unit vectors, optional (default ``model.spins``)
    field : (3,) μ0H in tesla, optional (default ``model.field``)

    Returns
    -------
    float, meV
        Computed by the O(N) kernel of the collective Monte Carlo move.
    """
    a = ModelArrays(model, field)
    s = check_spins(model.spins if spins is None else spins, a.n)
    rot = _check_rotation(rotation)
    lab = np.zeros(a.n, dtype=np.int64)
    if sites is not None:
        idx = np.asarray(sites)
        if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
            raise ValueError("sites: expected a 1-D integer array of site indices")
        if idx.size and (idx.min() < 0 or idx.max() >= a.n):
            raise ValueError(f"sites: indices must be in [0, {a.n - 1}]")
        lab[:] = -1
        lab[idx] = 0
    grp_ptr, grp_sites, bnd_ptr, bi, bj, bJ = group_arrays(lab, a.indptr, a.indices, a.J)
    if len(grp_ptr) < 2:
        return 0.0
    a.refresh(s)
    dM = np.zeros_like(a.Mc)
    de = float(_collective_delta_e(rot, grp_ptr[0], grp_ptr[1], grp_sites, bnd_ptr[0], bnd_ptr[1],
                                   bi, bj, bJ, s, a.moments, a.zp, a.quad, a.k1, a.k2, a.b,
                                   a.has_quad, a.has_cubic, a.has_dip, a.cell_of, a.W, a.Hc, dM))
    if a.dipolar is not None:
        t = s.copy()
        t[grp_sites] = s[grp_sites] @ rot.T
        de += float(a.dipolar.energy_meV(t, a.moments) - a.dipolar.energy_meV(s, a.moments))
    return de
