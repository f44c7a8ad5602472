"""Single-site anisotropy terms folded into the per-site quadratic tensor Q_i (E_i = −ŝ_iᵀ Q_i ŝ_i, meV).

* uniaxial:   Q_i += k_u ê êᵀ                       (k_u > 0: easy axis ê)
* Néel pair anisotropy from the local bond geometry (:func:`neel_local_quad`, on by default in
  :func:`atomspin.model.build.from_atoms`). Néel's pair model (Néel, J. Phys. Radium 15, 225 (1954); in
  many-spin particle work e.g. Yanes et al., PRB 76, 064416 (2007)) gives every magnetic pair (i, j) of the
  nearest cation shell an energy −(k_s/2)(ŝ_i·ê_ij)² on each of its two sites. Summed over an ideal bulk shell
  this is part of the measured bulk anisotropy (a fully coordinated spinel B site has a trigonal full-shell
  sum with eigenvalues 1.955, 1.955, 2.091 k_s, uniaxial along its local ⟨111⟩), so it must not be added
  again. What is kept is the **difference between the actual bonds and the bulk reference**:

      Q_i = (k_s/2) [Σ_{j actual} ê_ij ê_ijᵀ − Σ_{j ideal shell of i} ê_ij ê_ijᵀ],

  with the ideal shell the bulk shell of the site's family (A, B or R) in the orientation that matches most
  of its actual bonds. A fully coordinated site gets exactly zero; a bond missing along ê (surface, cation
  vacancy, a pair that lost its bridging O next to an O vacancy) gives −(k_s/2) ê êᵀ (for k_s > 0 the spin
  prefers to lie perpendicular to the missing bond); a bond present but absent from the ideal shell (A–O–A
  across an antiphase boundary, R–A at an FeO/spinel interface) gives +(k_s/2) ê êᵀ. Vacancies and APBs can
  therefore raise as well as lower the local anisotropy, and the surface is recognised from the geometry,
  not from a label. The bonds are the exchange pairs of :func:`atomspin.model.geometry.classify_pairs`
  (nearest A–A, A–B, B–B shells, the 180° B–O–B pairs an APB creates at 4.1 Å, rock-salt J1 and J2,
  FeO/spinel interface pairs), one k_s for all: the pair anisotropy is an anisotropic part of the pair
  interaction, so a pair without an exchange path carries none. In the bulk spinel this is exactly the
  nearest shell (r ≤ 3.7 Å); an APB turns some 90° B–B pairs (2.97 Å) into 180° ones (4.1 Å) along other
  directions and adds A–O–A pairs, which shows up as missing *and* extra bonds.
* The **surface constant** of a flat facet with normal ν̂ follows exactly from the pair sum
  (:func:`facet_bond_tensor`): averaged over the position of the cut plane, the bonds of vector d crossing it
  per unit area are n_d·abs(d·ν̂) (n_d their number per volume), so E/A = (k_s/2) ŝᵀ T ŝ with
  T = Σ_d n_d abs(d·ν̂) ê_d ê_dᵀ = t_⊥ 1 + b ν̂ν̂ᵀ for ⟨100⟩ and ⟨111⟩ facets: the facet constant is
  K_s = k_s b / 2 (E/A = const + K_s (ŝ·ν̂)²). Magnetite (a = 8.396 Å, x = 0.2548): b = 0.1109 Å⁻² on {100},
  0.1191 Å⁻² on {111}, 0.1176 Å⁻² on {110} (derived here; tests/test_model_neel.py checks it on cut slabs).
* radial single-ion surface anisotropy: Q_i += k_r r̂_i r̂_iᵀ with r̂_i the unit vector from the particle
  centre (k_r > 0: radial easy axis; the "single-ion site surface anisotropy" of Mazo-Zuluaga et al.,
  J. Appl. Phys. 103, 113906 (2008)). Acts on the labelled surface shell only.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

#: two bond directions are "the same" when cos(angle) exceeds this (5.7°; derived: relaxed or strained
#: structures keep their bonds within a few degrees, while distinct nearest-shell directions of the spinel
#: differ by ≥ 25°)
MATCH_COS = 0.995


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

    This is the raw pair sum *including* the ideal-bulk part; the model uses :func:`neel_local_quad`, which
    subtracts it (see the module docstring).

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


def _ideal_pairs(box, r_bond, r_nn, r_far):
    from atomspin.model.geometry import classify_pairs

    sub = box.arrays["sublattice"]
    cat = sub != "O"
    pl = classify_pairs(box.positions[cat], sub[cat], box.positions[~cat], cell=np.array(box.cell), pbc=box.pbc,
                        r_bond=r_bond, r_nn=r_nn, r_far=r_far)
    return pl.i, pl.j, pl.vector, sub[cat]


@lru_cache(maxsize=8)
def _ideal_shells(r_bond, r_nn, r_far):
    """Ideal-bulk nearest shells per family: {"A": [(K, 3) unit vectors, ...], "B": [...], "R": [...]}.

    Derived from ideal periodic lattices classified with the same cutoffs as the model (spinel: Fd-3m
    origin 2 and rock salt, lattice data from atomspin.structures.data). A sites come in 2 tetrahedral
    orientations, B sites in 4 (local trigonal axis along one of the ⟨111⟩), R sites in 1; crystal axes = x, y, z
    (the convention of the cubic term in :mod:`atomspin.model.core`).
    """
    from atomspin.model.reference_lattices import rocksalt_box, spinel_box

    out = {}
    for box in (spinel_box(2), rocksalt_box(3)):
        i, j, v, fam = _ideal_pairs(box, r_bond, r_nn, r_far)
        v = _unit_rows(v)
        for site in np.unique(np.concatenate([i, j])):
            vs = np.concatenate([v[i == site], -v[j == site]])
            key = tuple(sorted(map(tuple, np.round(vs, 6))))
            lst = out.setdefault(str(fam[site]), {})
            lst.setdefault(key, vs[np.lexsort(vs.T[::-1])])
    return {f: list(d.values()) for f, d in out.items()}


def _cutoffs(r_bond, r_nn, r_far):
    from atomspin.model import geometry as _g

    return (float(r_bond if r_bond is not None else _g.R_BOND), float(r_nn if r_nn is not None else _g.R_NN),
            float(r_far if r_far is not None else _g.R_FAR))


def neel_local_quad(n, i, j, vector, family, k_s_meV, sites_mask=None, r_bond=None, r_nn=None, r_far=None,
                    chunk=4096):
    """(n, 3, 3) Néel tensors (k_s/2)[Σ_actual ê êᵀ − Σ_ideal ê êᵀ]: zero on every site whose bonds are bulk.

    The ideal shell of a site is the bulk shell of its family (A, B or R) in the orientation that matches the
    largest number of its actual bond directions (cos > :data:`MATCH_COS`); when several orientations match
    equally (sites with very few bonds) their ideal tensors are averaged, so the result does not depend on
    the order of the templates. Bonds present but absent from the ideal shell count with + sign, missing ones
    with − sign (module docstring). A site whose bonds are exactly an ideal shell gets exactly 0.

    Parameters
    ----------
    n : int
        Number of sites.
    i, j : (P,) int
        Unordered exchange pairs (each once), as classified by :func:`atomspin.model.geometry.classify_pairs`.
    vector : (P, 3) float, Å
        r_j − r_i.
    family : (n,) str
        "A", "B" or "R" per site.
    k_s_meV : float
        Néel constant per bond, meV (any sign).
    sites_mask : (n,) bool, optional
        Sites that may carry the term (default: all; the geometry decides where it is non-zero).
    r_bond, r_nn, r_far : float, Å, optional
        The cutoffs used to classify the pairs (defaults of :mod:`atomspin.model.geometry`).
    chunk : int
        Sites per vectorised block (memory ∝ chunk · bonds² · orientations).

    Returns
    -------
    (n, 3, 3) float, meV
    """
    q = np.zeros((n, 3, 3))
    mask = np.ones(n, dtype=bool) if sites_mask is None else np.asarray(sites_mask, dtype=bool)
    if k_s_meV == 0.0 or not np.any(mask):
        return q
    shells = _ideal_shells(*_cutoffs(r_bond, r_nn, r_far))
    i = np.asarray(i, dtype=np.int64)
    j = np.asarray(j, dtype=np.int64)
    e = _unit_rows(np.asarray(vector, dtype=np.float64).reshape(-1, 3)) if len(i) else np.zeros((0, 3))
    # actual bonds per site, padded: (n, kmax, 3) with zero rows as padding
    site = np.concatenate([i, j])
    ev = np.concatenate([e, -e])
    order = np.argsort(site, kind="stable")
    site, ev = site[order], ev[order]
    cnt = np.bincount(site, minlength=n)
    kmax = int(cnt.max()) if len(site) else 0
    start = np.concatenate([[0], np.cumsum(cnt)[:-1]])
    pad = np.zeros((n, max(kmax, 1), 3))
    if len(site):
        pad[site, np.arange(len(site)) - start[site]] = ev
    fam = np.asarray(family).astype(str)
    for f in np.unique(fam[mask]):
        if f not in shells:
            raise ValueError(f"family: Néel anisotropy has no ideal shell for sublattice {f!r}")
        tmpl = shells[f]
        kt = max(len(t) for t in tmpl)
        T = np.zeros((len(tmpl), kt, 3))
        size = np.array([len(t) for t in tmpl])
        for t, vs in enumerate(tmpl):
            T[t, :len(vs)] = vs
        tens = np.einsum("tki,tkj->tij", T, T)
        idx = np.flatnonzero(mask & (fam == f))
        for c0 in range(0, len(idx), chunk):
            sl = idx[c0:c0 + chunk]
            P = pad[sl]
            cos = np.einsum("nkd,tmd->ntkm", P, T)
            hit = cos > MATCH_COS
            matched = np.sum(hit.any(axis=3), axis=2)  # (n, t) actual bonds found in template t
            best = matched == matched.max(axis=1, keepdims=True)
            w = best / best.sum(axis=1, keepdims=True)
            ideal = np.einsum("nt,tij->nij", w, tens)
            present = np.einsum("nki,nkj->nij", P, P)
            qq = 0.5 * k_s_meV * (present - ideal)
            # exact zero where the actual shell is an ideal shell (all bonds matched, none missing)
            nb = cnt[sl]
            bulk = np.any(best & (matched == nb[:, None]) & (size[None, :] == nb[:, None]), axis=1)
            qq[bulk] = 0.0
            q[sl] = qq
    return q


def neel_missing_bond_quad(n, i, j, vector, family, k_s_meV, sites_mask, r_bond=None, r_nn=None, r_far=None,
                           chunk=4096):
    """Former name of :func:`neel_local_quad` (same result on the masked sites)."""
    return neel_local_quad(n, i, j, vector, family, k_s_meV, sites_mask, r_bond, r_nn, r_far, chunk)


@lru_cache(maxsize=32)
def _facet_tensor_cached(normal, phase, r_bond, r_nn, r_far):
    from atomspin.model.reference_lattices import rocksalt_box, spinel_box

    box = spinel_box(2) if phase == "spinel" else rocksalt_box(3)
    i, j, v, _ = _ideal_pairs(box, r_bond, r_nn, r_far)
    nu = np.asarray(normal, dtype=np.float64)
    w = np.abs(v @ nu)
    e = _unit_rows(v)
    return np.einsum("p,pi,pj->ij", w, e, e) / box.get_volume()


def facet_bond_tensor(normal, phase="spinel", r_bond=None, r_nn=None, r_far=None):
    """T = Σ_d n_d abs(d·ν̂) ê_d ê_dᵀ (Å⁻²): the missing bonds (exchange pairs) per unit area of a flat facet.

    Averaged over the position of the cut plane, a facet with outward normal ν̂ cuts n_d·abs(d·ν̂) bonds of
    vector d per unit area (n_d = bonds of that vector per unit volume, each bond once), each missing for
    one surface site; the Néel energy per area is then (k_s/2) ŝᵀ T ŝ (module docstring).

    Parameters
    ----------
    normal : 3-vector
        Facet normal (Miller direction in the cubic axes), normalised internally.
    phase : "spinel" or "rocksalt"
        Ideal lattice: magnetite spinel (a = 8.396 Å, x = 0.2548) or FeO rock salt (a = 4.296 Å).

    Returns
    -------
    (3, 3) float, Å⁻²
    """
    from atomspin.validation import check_choice, check_direction

    nu = check_direction("normal", normal)
    check_choice("phase", phase, ("spinel", "rocksalt"))
    return _facet_tensor_cached(tuple(float(x) for x in nu), phase, *_cutoffs(r_bond, r_nn, r_far)).copy()


def facet_b(normal, phase="spinel"):
    """b of T = t⊥ 1 + b ν̂ν̂ᵀ (Å⁻²): νᵀTν − (tr T − νᵀTν)/2, the anisotropic part along the normal."""
    from atomspin.validation import check_direction

    nu = check_direction("normal", normal)
    T = facet_bond_tensor(nu, phase)
    tn = float(nu @ T @ nu)
    return tn - 0.5 * (float(np.trace(T)) - tn)


def neel_facet_constant_J_per_m2(k_s_meV, normal=(1, 1, 1), phase="spinel"):
    """Facet surface constant K_s = k_s b / 2 in J/m² of a Néel constant per bond ``k_s_meV`` (meV).

    E/A = const + K_s (ŝ·ν̂)² for a flat facet (cut-averaged, exact in the collinear state at T = 0).
    """
    from atomspin.units import ANGSTROM, MEV
    from atomspin.validation import check_real

    ks = check_real("k_s_meV", k_s_meV)
    return 0.5 * ks * MEV * facet_b(normal, phase) / ANGSTROM ** 2


def neel_ks_from_surface_constant(K_s_J_per_m2, normal=(1, 1, 1), phase="spinel"):
    """Néel constant per bond (meV) whose facet constant (:func:`neel_facet_constant_J_per_m2`) is K_s (J/m²)."""
    from atomspin.units import ANGSTROM, MEV
    from atomspin.validation import check_real

    Ks = check_real("K_s_J_per_m2", K_s_J_per_m2)
    return 2.0 * Ks * ANGSTROM ** 2 / (MEV * facet_b(normal, phase))


def resolve_neel_ks(spec, pset):
    """(k_s in meV, source) for ``from_atoms(neel_ks_meV=spec)`` with spinel parameter set ``pset``.

    "default": the set's ``[surface_anisotropy]`` K_s (J/m²) on its ``facet`` through
    :func:`neel_ks_from_surface_constant`; a number is used as given (meV per bond).
    """
    if isinstance(spec, str):
        tab = (getattr(pset, "extra", None) or {}).get("surface_anisotropy")
        if not tab:
            return 0.0, f"off: set {pset.name!r} has no [surface_anisotropy] table"
        Ks = float(tab["K_s_J_per_m2"])
        facet = tuple(tab.get("facet", (1, 1, 1)))
        ks = neel_ks_from_surface_constant(Ks, facet)
        return ks, f"set {pset.name}: K_s = {Ks:g} J/m2 on {{{''.join(str(int(f)) for f in facet)}}} -> {ks:.4g} meV/bond"
    return float(spec), "given"


def radial_quad(positions, centre, k_r_meV, sites_mask):
    """(n, 3, 3) radial tensors k_r r̂ r̂ᵀ on masked sites (sites at the centre get none)."""
    r = np.asarray(positions, dtype=np.float64) - np.asarray(centre, dtype=np.float64)
    norm = np.linalg.norm(r, axis=1)
    ok = np.asarray(sites_mask, dtype=bool) & (norm > 1e-9)
    u = np.zeros_like(r)
    u[ok] = r[ok] / norm[ok, None]
    return k_r_meV * np.einsum("ni,nj->nij", u, u)
