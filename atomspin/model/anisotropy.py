"""Single-site anisotropy terms folded into the per-site quadratic tensor Q_i (E_i = −ŝ_iᵀ Q_i ŝ_i, meV).

* uniaxial:   Q_i += k_u ê êᵀ                       (k_u > 0: easy axis ê)
* Néel pair surface anisotropy (single-site form): for a surface site i with magnetic neighbours j,
  E_i = −(k_s/2) Σ_j (ŝ_i·ê_ij)²  →  Q_i += (k_s/2) Σ_j ê_ij ê_ijᵀ,  ê_ij = unit bond vector
  (Néel, J. Phys. Radium 15, 225 (1954); the form used in many-spin particle work, e.g. Yanes et al.,
  PRB 76, 064416 (2007)). Only the **missing-bond part** is kept (:func:`neel_missing_bond_quad`):
  Q_i = (k_s/2) [Σ_{j present} ê_ij ê_ijᵀ − Σ_{j ideal bulk} ê_ij ê_ijᵀ], the ideal-bulk sum taken over the
  neighbour shell of the same site type in the ideal lattice. This matters in the spinel: a fully coordinated
  B (16d) site has trigonal (D3d) symmetry, so its full-shell sum is *not* ∝ 1 (eigenvalues 1.955, 1.955,
  2.091 in units of k_s, uniaxial along its local ⟨111⟩); keeping it would put a spurious uniaxial term
  of 0.136 k_s on every fully coordinated B site labelled "surface". The bulk uniaxial part of the B sites
  is already contained in the measured bulk K1, so it must not be added again. Fully coordinated sites of
  any type therefore get exactly zero; a site with one missing neighbour along ê gets −(k_s/2) ê êᵀ
  (≡ +(k_s/2)(1 − ê êᵀ) up to a constant: for k_s > 0 the spin prefers to lie perpendicular to the missing
  bond).
* radial single-ion surface anisotropy: Q_i += k_r r̂_i r̂_iᵀ with r̂_i the unit vector from the particle
  centre (k_r > 0: radial easy axis; the "single-ion site surface anisotropy" of Mazo-Zuluaga et al.,
  J. Appl. Phys. 103, 113906 (2008)).
"""

from __future__ import annotations

from functools import lru_cache

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
    """(n, 3, 3) full-shell Néel pair tensors (k_s/2) Σ_j ê_ij ê_ijᵀ on the sites where ``sites_mask`` is True.

    This is the raw pair sum *including* the ideal-bulk part; :func:`atomspin.model.build.from_atoms` uses
    :func:`neel_missing_bond_quad`, which subtracts it (see the module docstring).

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


def _unit_rows(v):
    return v / np.linalg.norm(v, axis=1)[:, None]


@lru_cache(maxsize=8)
def _ideal_shells(r_bond, r_nn, r_far):
    """Ideal-bulk neighbour shells per family: {"A": [(K, 3) unit vectors, ...], "B": [...], "R": [...]}.

    Derived from ideal periodic lattices classified with the same cutoffs as the model (spinel: Fd-3m
    origin 2 and rock salt, lattice data from atomspin.structures.data). A sites come in 2 tetrahedral
    orientations, B sites in 4 (local trigonal axis along one of the ⟨111⟩), R sites in 1; crystal axes = x, y, z
    (the convention of the cubic term in :mod:`atomspin.model.core`).
    """
    from atomspin.model.reference_lattices import rocksalt_box, spinel_box
    from atomspin.model.geometry import classify_pairs

    out = {}
    for box in (spinel_box(2), rocksalt_box(3)):
        sub = box.arrays["sublattice"]
        cat = sub != "O"
        fam = sub[cat]
        pl = classify_pairs(box.positions[cat], fam, box.positions[~cat], cell=np.array(box.cell), pbc=box.pbc,
                            r_bond=r_bond, r_nn=r_nn, r_far=r_far)
        near = pl.distance <= r_nn
        i, j, v = pl.i[near], pl.j[near], _unit_rows(pl.vector[near])
        for site in np.unique(np.concatenate([i, j])):
            vs = np.concatenate([v[i == site], -v[j == site]])
            key = tuple(sorted(map(tuple, np.round(vs, 6))))
            lst = out.setdefault(str(fam[site]), {})
            lst.setdefault(key, vs[np.lexsort(vs.T[::-1])])
    return {f: list(d.values()) for f, d in out.items()}


def neel_missing_bond_quad(n, i, j, vector, family, k_s_meV, sites_mask, r_bond=None, r_nn=None, r_far=None,
                           chunk=4096):
    """(n, 3, 3) missing-bond Néel tensors (k_s/2)[Σ_present ê êᵀ − Σ_ideal ê êᵀ] on masked sites.

    The ideal shell of each site is the ideal-bulk shell of its family (A, B or R) whose orientation matches
    most of the site's present bond directions (cos > 0.995); ties (sites with very few neighbours) take
    the first best match. Bonds present but absent from the ideal shell (e.g. A–O–A across an antiphase
    boundary) count with + sign, missing ones with − sign.

    Parameters
    ----------
    n : int
        Number of sites.
    i, j : (P,) int
        Unordered nearest-shell pairs (each once), as classified by :func:`atomspin.model.geometry.classify_pairs`.
    vector : (P, 3) float, Å
        r_j − r_i.
    family : (n,) str
        "A", "B" or "R" per site.
    k_s_meV : float
        Néel constant per bond, meV.
    sites_mask : (n,) bool
        Sites that carry the term.
    r_bond, r_nn, r_far : float, Å, optional
        The cutoffs used to classify the pairs (defaults of :mod:`atomspin.model.geometry`).

    Returns
    -------
    (n, 3, 3) float, meV
    """
    from atomspin.model import geometry as _g

    q = np.zeros((n, 3, 3))
    mask = np.asarray(sites_mask, dtype=bool)
    if k_s_meV == 0.0 or not np.any(mask):
        return q
    shells = _ideal_shells(float(r_bond if r_bond is not None else _g.R_BOND),
                           float(r_nn if r_nn is not None else _g.R_NN),
                           float(r_far if r_far is not None else _g.R_FAR))
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    e = _unit_rows(np.asarray(vector, dtype=np.float64).reshape(-1, 3)) if len(i) else np.zeros((0, 3))
    # present bonds per site, padded: (n, kmax, 3) with zero rows as padding
    site = np.concatenate([i, j])
    ev = np.concatenate([e, -e])
    order = np.argsort(site, kind="stable")
    site, ev = site[order], ev[order]
    cnt = np.bincount(site, minlength=n)
    kmax = int(cnt.max()) if len(cnt) and len(site) else 0
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    pad = np.zeros((n, max(kmax, 1), 3))
    if len(site):
        pad[site, np.arange(len(site)) - start[site]] = ev
    present = np.einsum("nki,nkj->nij", pad, pad)
    fam = np.asarray(family).astype(str)
    ideal = np.zeros((n, 3, 3))
    for f in np.unique(fam[mask]):
        if f not in shells:
            raise ValueError(f"family: Néel surface anisotropy has no ideal shell for sublattice {f!r}")
        tmpl = shells[f]
        kt = max(len(t) for t in tmpl)
        T = np.zeros((len(tmpl), kt, 3))
        for t, vs in enumerate(tmpl):
            T[t, :len(vs)] = vs
        tens = np.einsum("tki,tkj->tij", T, T)
        idx = np.flatnonzero(mask & (fam == f))
        for c0 in range(0, len(idx), chunk):
            sl = idx[c0:c0 + chunk]
            cos = np.einsum("nkd,tmd->ntkm", pad[sl], T)
            score = np.sum(cos.max(axis=3) > 0.995, axis=2)  # matched present bonds per template
            ideal[sl] = tens[np.argmax(score, axis=1)]
    q[mask] = 0.5 * k_s_meV * (present[mask] - ideal[mask])
    return q


def radial_quad(positions, centre, k_r_meV, sites_mask):
    """(n, 3, 3) radial tensors k_r r̂ r̂ᵀ on masked sites (sites at the centre get none)."""
    r = np.asarray(positions, dtype=np.float64) - np.asarray(centre, dtype=np.float64)
    norm = np.linalg.norm(r, axis=1)
    ok = np.asarray(sites_mask, dtype=bool) & (norm > 1e-9)
    u = np.zeros_like(r)
    u[ok] = r[ok] / norm[ok, None]
    return k_r_meV * np.einsum("ni,nj->nij", u, u)
