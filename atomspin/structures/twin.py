"""{111} twin boundaries (spinel law) and {111} stacking faults.

Spinel-law twin: the crystal on one side of a {111} plane is rotated by 180° about the plane normal
⟨111⟩ through an O site of a close-packed O layer (``operation="rotation"``), or mirrored on that O
layer (``operation="mirror"``). Either operation maps the O layer of the twin plane onto itself,
so the O sublattice stays close packed across the plane (…ABCACBA…: the stacking is reversed) and
only the cation layers next to the plane meet in a new way. The two operations differ by a rigid
translation of the twinned crystal (the spinel has no inversion centre in an O layer), i.e. they
are two translation states of the same Σ3 twin.

Observed: {111} twins are common in spinel ferrites and in magnetite nanoparticles; in Fe3O4 films
aberration-corrected STEM finds the (111) twin boundary non-stoichiometric, lacking one Fe
octahedral plane, and DFT finds the Fe–O–Fe superexchange across it of the bulk kind (Gilks et al.,
Sci. Rep. 6, 20943 (2016), doi:10.1038/srep20943 [C, abstract]). Multi-core nanoflowers show
crystallographically related cores joined by such boundaries (Lartigue et al., ACS Nano 6, 10935
(2012) [title and abstract confirmed: multi-core maghemite particles, polyol route; the crystallographic relation
of the cores is NOT in the abstract, U]; Bender et al., J. Phys. Chem. C,
doi:10.1021/acs.jpcc.7b11255 (2018) [C, title/authors]).

Stacking fault: the crystal on one side of a {111} plane is translated by a Shockley vector of the O
sublattice, a/12⟨112⟩ (|t| = a/(2√6) = 1.71 Å, in the plane), so that the O stacking becomes
…ABC|BCA… with one hcp-like O layer; the cations follow the translation.

Both go through :func:`atomspin.structures.planes.rigid_half` (the transformed side, labels travelling
with the crystal) and :func:`~atomspin.structures.planes.finish_plane_defect` (zone labels, record).
"""
from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from atomspin.structures import data
from atomspin.structures.charge import require_labels
from atomspin.structures.grains import grain_records, set_grain_records
from atomspin.structures.labels import relabel, set_array, update_counts, update_zone_alias
from atomspin.structures.planes import (boundary_coordination, close_pairs_removal, finish_plane_defect,
                                        ideal_positions, plane_area_nm2, rigid_half, site_family_by_coordination,
                                        transform_recorded_sites)
from atomspin.structures.shapes import depth_A, get_shape
from atomspin.validation import check_choice, check_real, check_seed, check_vector

TWIN_OPERATIONS = ("rotation", "mirror")


def _require_single_crystal_spinel(atoms, what):
    require_labels(atoms)
    if any(atoms.pbc):
        raise ValueError(f"atoms: {what} needs a finite particle (pbc False), not a periodic cell")
    if atoms.info.get("phase") not in ("Fe3O4", "gamma-Fe2O3") or np.any(atoms.arrays["sublattice"] == "R"):
        raise ValueError(f"atoms: {what} needs a spinel particle (Fe3O4 or gamma-Fe2O3) without a rock-salt core, "
                         f"got phase {atoms.info.get('phase')!r}")
    if "lattice_origin_A" not in atoms.info or get_shape(atoms) is None:
        raise ValueError(f"atoms: {what} needs a particle from build_particle (shape and lattice info)")
    if len(grain_records(atoms)) > 1:
        raise ValueError(f"atoms: {what} needs a single-crystal particle (one grain); this one has "
                         f"{len(grain_records(atoms))} grains")


def _check_111(plane, name="plane"):
    h = check_vector(name, plane, integer=True)
    a = np.abs(h)
    if not (a[0] == a[1] == a[2] and a[0] > 0):
        raise ValueError(f"{name}: {tuple(int(v) for v in h)} is not a {{111}} plane; the spinel-law twin "
                         "and the close-packed stacking fault lie on {111} planes, e.g. (1, 1, 1) or (1, -1, 1)")
    return h, h / np.linalg.norm(h)


def _check_plane_args(atoms, what, plane, point, termination, zone_nm, cation_min_A, min_distance_A, seed):
    """The arguments insert_twin and insert_stacking_fault share, validated before any work:
    (Miller indices, unit normal, requested point (Å), zone_nm, cation_min_A, min_distance_A, seed)."""
    _require_single_crystal_spinel(atoms, what)
    h, n = _check_111(plane)
    if termination is not None:
        check_choice("termination", termination, ("kagome", "mixed"))
    zone = check_real("zone_nm", zone_nm, 0.0, None)
    cmin = check_real("cation_min_A", cation_min_A, 0.0, 3.0)
    amin = check_real("min_distance_A", min_distance_A, 0.0, 2.0)
    seed = check_seed(seed)
    shape = get_shape(atoms)
    p_req = np.asarray(shape["center_A"], float) if point is None else check_vector("point", point, allow_zero=True)
    return h, n, p_req, zone, cmin, amin, seed


def _rotation_op(q, n):
    R = 2.0 * np.outer(n, n) - np.eye(3)  # 180° about n
    return R, (lambda x: q + (np.asarray(x) - q) @ R.T)


def _mirror_op(q, n):
    R = np.eye(3) - 2.0 * np.outer(n, n)
    return R, (lambda x: q + (np.asarray(x) - q) @ R.T)


def _cross_overlaps(atoms, ideal, n, q, op, cmin, amin, disk_A=12.0, window_A=6.0):
    """Close pairs across the plane through q for a trial operation, counted on a disk around q."""
    s = (ideal - q) @ n
    rin = np.linalg.norm(ideal - q - np.outer(s, n), axis=1)
    near = (rin < disk_A + window_A) & (np.abs(s) < window_A)
    pos = atoms.positions[near]
    cat = atoms.numbers[near] != 8
    sn = s[near]
    img = op(pos)
    si = (op(ideal[near]) - q) @ n
    P = np.concatenate([pos[sn <= 1e-6], img[si > 1e-6]])
    C = np.concatenate([cat[sn <= 1e-6], cat[si > 1e-6]])
    side = np.concatenate([np.zeros(int(np.sum(sn <= 1e-6)), bool), np.ones(int(np.sum(si > 1e-6)), bool)])
    inner = np.linalg.norm(P - q - np.outer((P - q) @ n, n), axis=1) < disk_A
    pairs = cKDTree(P).query_pairs(max(cmin, amin), output_type="ndarray")
    if len(pairs) == 0:
        return 0
    d = np.linalg.norm(P[pairs[:, 0]] - P[pairs[:, 1]], axis=1)
    bad = (side[pairs[:, 0]] != side[pairs[:, 1]]) & ((d < amin) | ((d < cmin) & C[pairs[:, 0]] & C[pairs[:, 1]]))
    bad &= inner[pairs[:, 0]] | inner[pairs[:, 1]]
    return int(bad.sum())


def _remove_overlaps(out, moved, n, p0, cmin, amin):
    """Delete atoms so that no pair across the plane is too close (a cation before an O). Returns
    (atoms, moved, number removed, cations removed, charge removed)."""
    is_cat = out.numbers != 8
    slab = np.flatnonzero(np.abs((out.positions - p0) @ n) < max(cmin, amin) + 1.0)
    rem = slab[close_pairs_removal(out.positions[slab], is_cat[slab], moved[slab], cmin, amin, keep_oxygen=True)]
    keep = np.ones(len(out), bool)
    keep[rem] = False
    return out[keep], moved[keep], int(len(rem)), int(np.sum(is_cat[rem])), float(np.sum(out.arrays["valence"][rem]))


def _finish(atoms, out, moved, n, p0, record, *, cmin, amin, zone, reach, removed=(0, 0, 0.0)):
    """Overlap removal across the plane, charge bookkeeping, zone labels, record, relabel."""
    q_before = float(np.sum(atoms.arrays["valence"]))
    out, moved, n_rem, n_rem_cat, removed_charge = _remove_overlaps(out, moved, n, p0, cmin, amin)
    n_rem += removed[0]
    n_rem_cat += removed[1]
    removed_charge += removed[2]
    shape = get_shape(out)
    p0 = np.asarray(record["point_A"], float)  # zone, coordination and area about the recorded plane
    near_plane = np.abs((out.positions - p0) @ n) < reach
    near_surf = depth_A(shape, out.positions) < reach
    # missing_* of the transformed side and of atoms near the plane or the surface are recomputed
    out = relabel(out, coordination=near_plane | near_surf | moved)
    coord_mask = (np.abs((out.positions - p0) @ n) < 3.0) & (out.numbers != 8)
    n_rel = site_family_by_coordination(out, coord_mask)
    sub_before = {s: int(np.sum(atoms.arrays["sublattice"] == s)) for s in ("A", "B", "O")}
    sub_after = {s: int(np.sum(out.arrays["sublattice"] == s)) for s in ("A", "B", "O")}
    record.update(cation_min_A=cmin, min_distance_A=amin, zone_nm=zone, n_removed=n_rem,
                  n_removed_cations=n_rem_cat, charge_removed_e=removed_charge,
                  charge_before_e=q_before, charge_after_e=float(np.sum(out.arrays["valence"])),
                  counts_before=sub_before, counts_after=sub_after, n_relabelled_site_family=n_rel,
                  area_nm2=plane_area_nm2(out, n, p0),
                  boundary_coordination=boundary_coordination(out, coord_mask),
                  n_atoms_before=len(atoms), n_atoms_after=len(out))
    finish_plane_defect(out, record, np.abs((out.positions - p0) @ n))
    update_counts(out)
    update_zone_alias(out)
    return out


def _choose_twin_layer(atoms, n, p_req, operation, termination, cmin, amin):
    """(termination, trial overlaps, axis point q, R, op) of the twin on one of the two O layers
    nearest to ``p_req`` (see insert_twin)."""
    ideal = ideal_positions(atoms)
    is_o = atoms.numbers == 8
    # the O layers nearest to the requested point, and which cation layer lies below each
    s_o = (ideal[is_o] - p_req) @ n
    levels = np.unique(np.round(s_o[np.abs(s_o) < 4.0], 3))
    if len(levels) == 0:
        raise ValueError("point: no O layer within 4 Å of the requested point inside the particle")
    levels = levels[np.argsort(np.abs(levels))][:2]
    a = float(atoms.info["lattice_a_A"])
    cands = []
    for lev in levels:
        layer = np.flatnonzero(is_o)[np.abs(s_o - lev) < 1e-3]
        proj = ideal[layer] - np.outer((ideal[layer] - p_req) @ n, n)
        q = ideal[layer[np.argmin(np.linalg.norm(proj - p_req, axis=1))]]
        # cation layer just below: A sites (mixed layer) within a/(4√3)·… below the O layer?
        s_all = (ideal - q) @ n
        below = (~is_o) & (s_all < -0.1) & (s_all > -0.8 * a / (2 * np.sqrt(3.0)))
        has_a = np.any(atoms.arrays["sublattice"][below] == "A")
        term = "mixed" if has_a else "kagome"
        R, op = (_rotation_op if operation == "rotation" else _mirror_op)(q, n)
        k = _cross_overlaps(atoms, ideal, n, q, op, cmin, amin)
        cands.append((term, k, abs(float(lev)), q, R, op))
    if termination is not None:
        cands = [c for c in cands if c[0] == termination] or cands
        if cands[0][0] != termination:
            raise ValueError(f"termination: no {termination!r} O layer within 4 Å of the requested point")
    term, k, _, q, R, op = min(cands, key=lambda c: (c[1], c[2]))
    return term, k, q, R, op


def insert_twin(atoms, plane=(1, 1, 1), *, point=None, operation="rotation", termination=None, zone_nm=0.5,
                cation_min_A=2.5, min_distance_A=1.7, seed=0):
    """Insert a spinel-law {111} twin boundary: the crystal on the positive side of an O close-packed
    (111) layer is rotated by 180° about the layer normal (or mirrored on the layer).

    Parameters
    ----------
    atoms : labelled single-crystal spinel particle (Fe3O4 or γ-Fe2O3, pbc False) from
        :func:`build_particle`, earlier point defects and dopants allowed.
    plane : 3 integers, a {111} plane, e.g. (1, 1, 1), (1, -1, 1). Anything else is no spinel-law
        twin plane: ValueError naming ``plane``.
    point : 3 floats, Å, optional
        A point near the wanted boundary (default the particle centre); the boundary is put on the O
        layer chosen by ``termination`` within ±3 Å of it, the twin axis through the O site of that
        layer nearest to it.
    operation : {'rotation', 'mirror'}
        180° rotation about ⟨111⟩ (the spinel law) or mirror on the O layer (another translation
        state of the same twin; see the module docstring).
    termination : {None, 'kagome', 'mixed'}
        The cation layer on the negative side of the twin O layer: 'kagome' (the B-only 3/4 layer) or
        'mixed' (A–B–A). Default None: of the two O layers nearest to ``point``, the one whose
        boundary puts the fewest atom pairs too close (counted on a 12 Å disk), ties the nearer.
    zone_nm : float ≥ 0, nm: atoms within it get ``defect_zone`` = this boundary's id, region "twin".
    cation_min_A, min_distance_A : float, Å
        Cation pairs closer than cation_min_A (bulk minimum 2.97 Å) and any pair closer than
        min_distance_A across the plane are resolved by deleting one atom: a cation before an O (the
        O sublattice stays whole), else the atom of the twinned side. Cations within 3 Å of the plane
        then take the site family of their actual O coordination (4 → "A", 6 → "B"; counted in
        ``n_relabelled_site_family``).
    seed : int ≥ 0: fresh lattice sites (where the rotated crystal reaches beyond the source
        particle) get seeded labels (maghemite vacancies, random B valences).

    Returns
    -------
    ase.Atoms with ``grain`` 1 on the twinned side (``info["grains"]`` holds both orientations), and a
    plane-defect record (kind "twin") with ``rotation``, ``termination``, the atoms and charge removed
    (``charge_removed_e``, not compensated: ``describe`` reports it as uncompensated, as for APBs), the
    A/B/O counts before and after, the O coordination of the cations within 3 Å of the plane
    (``boundary_coordination``) and the boundary area.

    Notes
    -----
    Measured (8 nm Fe3O4 sphere, default arguments): see tests/test_structures_twin.py and
    benchmarks/bench_structures.py. The exchange across the boundary comes from the actual Fe–O–Fe
    geometry (``SpinModel.from_atoms``; pair classes per boundary: ``atomspin.model.boundary_pair_classes``).
    """
    check_choice("operation", operation, TWIN_OPERATIONS)
    h, n, p_req, zone, cmin, amin, seed = _check_plane_args(atoms, "insert_twin", plane, point, termination, zone_nm,
                                                          cation_min_A, min_distance_A, seed)
    rng = np.random.default_rng(seed)
    term, k, q, R, op = _choose_twin_layer(atoms, n, p_req, operation, termination, cmin, amin)
    out, moved = rigid_half(atoms, n, q, op, rng=rng)
    # grains: the twinned side is a new grain of orientation R (about q)
    grains = grain_records(atoms)
    g0 = grains[0]
    new_id = max(int(g["id"]) for g in grains) + 1
    R0 = np.asarray(g0["rotation"], float)
    o0 = np.asarray(g0["origin_A"], float)
    grains.append(dict(id=new_id, rotation=(R @ R0).tolist(), origin_A=op(o0[None])[0].tolist(),
                       parent=int(g0["id"]), operation=operation))
    g = out.arrays["grain"].copy()
    g[moved] = new_id
    set_array(out, "grain", g)
    set_grain_records(out, grains)

    def follow(sites):  # vacancies: unshifted side stays, the twinned side gets the images
        keep = (sites - q) @ n <= 1e-6
        img = op(sites)
        ins = ((img - q) @ n > 1e-6) & _inside(out, img)
        return np.concatenate([sites[keep], img[ins]])

    transform_recorded_sites(out, follow)
    record = dict(type="twin", kind="twin", plane=[int(v) for v in h], normal=[float(v) for v in n],
                  point_A=[float(v) for v in q], point_requested_A=[float(v) for v in p_req],
                  operation=operation, rotation=R.tolist(), shift_A=None, termination=term,
                  overlaps_at_trial=int(k), grains=[int(g0["id"]), new_id], seed=seed)
    reach = data.CATION_CUTOFF + 0.5
    return _finish(atoms, out, moved, n, q, record, cmin=cmin, amin=amin, zone=zone, reach=reach)


def _inside(atoms, pts):
    from atomspin.structures.planes import inside_fn
    return inside_fn(atoms)(pts)


def insert_stacking_fault(atoms, plane=(1, 1, 1), *, point=None, termination="kagome", zone_nm=0.5, cation_min_A=2.5,
                          min_distance_A=1.7, seed=0):
    """Insert an intrinsic {111} stacking fault: the O stacking …ABCABC… becomes …ABCACABC… (one
    close-packed layer missing), built as a twin lamella one O layer thick — the crystal above an O
    layer L rotated by 180° about ⟨111⟩ (as :func:`insert_twin`), then the crystal above the next O
    layer rotated back. The crystal above the fault ends in the original orientation, translated by
    a Shockley-type vector of the O sublattice in the plane (``shift_A`` of the record); the cations
    between the two O layers sit in the holes of the faulted (hcp-like) stacking.

    Parameters
    ----------
    atoms : labelled single-crystal spinel particle (as :func:`insert_twin`).
    plane : 3 integers, a {111} plane (ValueError naming ``plane`` otherwise).
    point : 3 floats, Å, optional: a point near the fault (default the centre); L is the O layer
        chosen as for :func:`insert_twin`.
    termination : {'kagome', 'mixed', None}: the cation layer below L (as :func:`insert_twin`).
        Default 'kagome': the lamella then holds the mixed (A–B–A) layer and the fault stays
        exchange-coupled (8 nm Fe3O4 sphere: 587 A–O–B pairs across, 643 atoms removed); with
        'mixed' the kagome B layer of the lamella is lost at the two planes and almost no path
        crosses (2 A–O–B pairs, 486 atoms removed). None: the fewest trial overlaps (as insert_twin).
    zone_nm, cation_min_A, min_distance_A, seed : as :func:`insert_twin` (region label "fault").

    Returns
    -------
    ase.Atoms with a plane-defect record (kind "stacking_fault", ``point_A`` in the middle of the
    lamella, ``shift_A``/``shift_a`` the translation of the upper crystal, ``layers_A`` the two O
    layers, atoms and charge removed at both planes, counts, ``boundary_coordination``). The grain
    label is unchanged (the crystal keeps its orientation on both sides).
    """
    h, n, p_req, zone, cmin, amin, seed = _check_plane_args(atoms, "insert_stacking_fault", plane, point, termination,
                                                          zone_nm, cation_min_A, min_distance_A, seed)
    rng = np.random.default_rng(seed)
    a = float(atoms.info["lattice_a_A"])
    term, k, q1, R1, op1 = _choose_twin_layer(atoms, n, p_req, "rotation", termination, cmin, amin)
    out1, moved1 = rigid_half(atoms, n, q1, op1, rng=rng)
    out1, moved1, r1, rc1, qc1 = _remove_overlaps(out1, moved1, n, q1, cmin, amin)
    # the next O layer above L, in the lamella's (rotated) frame
    origin0 = np.asarray(grain_records(atoms)[0]["origin_A"], float)
    frame1 = (R1, op1(origin0[None])[0])
    ideal1 = ideal_positions(out1, frame1)
    d_o = a / (2.0 * np.sqrt(3.0))  # (111) O-layer spacing
    is_o = out1.numbers == 8
    s1 = (ideal1 - q1) @ n
    layer = np.flatnonzero(is_o & moved1 & (np.abs(s1 - d_o) < 0.05))
    if len(layer) == 0:
        raise ValueError("point: the stacking fault needs an O layer above the chosen one inside the particle")
    proj = ideal1[layer] - np.outer((ideal1[layer] - q1) @ n, n)
    q2 = ideal1[layer[np.argmin(np.linalg.norm(proj - q1, axis=1))]]
    R2, op2 = _rotation_op(q2, n)
    out, moved2 = rigid_half(out1, n, q2, op2, rng=rng, frame=frame1)
    # the two half-turns about parallel axes compose to a translation of the upper crystal
    t = op2(op1(np.zeros((1, 3))))[0]
    g = out.arrays["grain"].copy()
    g[:] = grain_records(atoms)[0]["id"]
    set_array(out, "grain", g)
    moved = moved2.copy()

    def follow(sites):
        lo = (sites - q1) @ n <= 1e-6
        img1 = op1(sites[~lo])
        mid = (img1 - q2) @ n <= 1e-6
        img2 = op2(img1[~mid])
        keep = [sites[lo], img1[mid & _inside(out, img1)], img2[_inside(out, img2)]]
        return np.concatenate(keep)

    transform_recorded_sites(out, follow)
    p0 = 0.5 * (q1 + q2)
    record = dict(type="stacking_fault", kind="stacking_fault", plane=[int(v) for v in h],
                  normal=[float(v) for v in n], point_A=[float(v) for v in p0],
                  point_requested_A=[float(v) for v in p_req], layers_A=[q1.tolist(), q2.tolist()],
                  shift_A=[float(v) for v in t], shift_a=[float(v) / a for v in t], rotation=None,
                  termination=term, seed=seed)
    reach = data.CATION_CUTOFF + d_o + 0.5
    return _finish(atoms, out, moved | (((out.positions - q1) @ n) > 0), n, q2, record, cmin=cmin, amin=amin,
                   zone=zone, reach=reach, removed=(r1, rc1, qc1))


__all__ = ["insert_twin", "insert_stacking_fault", "TWIN_OPERATIONS"]
