"""Single-site anisotropy terms folded into the per-site quadratic tensor Q_i (E_i = −ŝ_iᵀ Q_i ŝ_i, meV).

* uniaxial:   Q_i += k_u ê êᵀ                       (k_u > 0: easy axis ê)
* Néel pair surface anisotropy (single-site form): for a surface site i with magnetic neighbours j,
  E_i = −(k_s/2) Σ_j (ŝ_i·ê_ij)²  →  Q_i += (k_s/2) Σ_j ê_ij ê_ijᵀ,  ê_ij = unit bond vector.
  On a site with cubic point symmetry Σ_j ê_ij ê_ijᵀ ∝ 1 and the term is a constant; at the surface the
  missing neighbours leave an anisotropic remainder (Néel, J. Phys. Radium 15, 225 (1954); the form used
  in many-spin particle work, e.g. Yanes et al., PRB 76, 064416 (2007)).
* radial single-ion surface anisotropy: Q_i += k_r r̂_i r̂_iᵀ with r̂_i the unit vector from the particle
  centre (k_r > 0: radial easy axis; the "single-ion site surface anisotropy" of Mazo-Zuluaga et al.,
  J. Appl. Phys. 103, 113906 (2008)).
"""

from __future__ import annotations

import numpy as np


def uniaxial_quad(n, axis, k_meV):
    """(n, 3, 3) uniaxial tensors k ê êᵀ; ``axis`` (3,) or (n, 3), ``k_meV`` scalar or (n,)."""
    e = np.asarray(axis, dtype=np.float64)
    e = np.broadcast_to(e, (n, 3))
    norm = np.linalg.norm(e, axis=1)
    if np.any(~np.isfinite(norm)) or np.any(norm == 0):
        raise ValueError("uniaxial axis: must be a finite non-zero vector")
    e = e / norm[:, None]
    k = np.broadcast_to(np.asarray(k_meV, dtype=np.float64), (n,))
    return k[:, None, None] * np.einsum("ni,nj->nij", e, e)


def neel_pair_quad(n, i, j, vector, k_s_meV, sites_mask):
    """(n, 3, 3) Néel pair tensors (k_s/2) Σ_j ê_ij ê_ijᵀ on the sites where ``sites_mask`` is True.

    Parameters
    ----------
    n : int
        Number of sites.
    i, j : (P,) int
        Unordered pairs (each once).
    vector : (P, 3) float, Å
        r_j − r_i.
    k_s_meV : float
        Néel constant per bond, meV.
    sites_mask : (n,) bool
    """
    q = np.zeros((n, 3, 3))
    if len(i) == 0 or k_s_meV == 0.0:
        return q
    e = vector / np.linalg.norm(vector, axis=1)[:, None]
    ee = np.einsum("pi,pj->pij", e, e) * (0.5 * k_s_meV)
    np.add.at(q, i, ee)
    np.add.at(q, j, ee)
    q[~np.asarray(sites_mask, dtype=bool)] = 0.0
    return q


def radial_quad(positions, centre, k_r_meV, sites_mask):
    """(n, 3, 3) radial tensors k_r r̂ r̂ᵀ on masked sites (sites at the centre get none)."""
    r = np.asarray(positions, dtype=np.float64) - np.asarray(centre, dtype=np.float64)
    norm = np.linalg.norm(r, axis=1)
    ok = np.asarray(sites_mask, dtype=bool) & (norm > 1e-9)
    u = np.zeros_like(r)
    u[ok] = r[ok] / norm[ok, None]
    return k_r_meV * np.einsum("ni,nj->nij", u, u)
