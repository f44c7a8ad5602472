"""Antiphase boundaries: the crystal on one side of a plane translated by a ¼a⟨110⟩ vector.

The plane machinery (cut between layers, zone labels, record, distances) is the generic one of
:mod:`atomspin.structures.planes`; this module holds only the APB's positive-side rule."""
from __future__ import annotations

import numpy as np

from atomspin.structures import data
from atomspin.structures.analysis import count_bob_links
from atomspin.structures.charge import require_labels
from atomspin.structures.labels import relabel
from atomspin.structures.planes import (close_pairs_removal, finish_plane_defect, ideal_positions, inside_fn,
                                        o_displacement, plane_area_nm2, snap_offset_A, transform_recorded_sites)
from atomspin.structures.shapes import depth_A, get_shape
from atomspin.validation import check_real, check_seed, check_vector

def _default_shift(normal):
    """The ¼⟨110⟩ vector (units of a) most nearly parallel to the plane normal (first in a fixed
    order on ties): a/4[110] for (110), a/4[101] for (001), a/4[110] for (111)."""
    cands = []
    for i, j in ((0, 1), (0, 2), (1, 2)):
        for si in (1, -1):
            for sj in (1, -1):
                v = np.zeros(3)
                v[i], v[j] = si * 0.25, sj * 0.25
                cands.append(v)
    cands = np.array(cands)
    score = np.abs(cands @ normal) + 1e-9 * (cands @ normal > 0)  # ties: the one pointing along n
    return cands[int(np.argmax(score))]


def _check_shift(shift):
    s = check_vector("shift", shift)
    a = np.sort(np.abs(s))
    if not np.allclose(a, [0.0, 0.25, 0.25]):
        raise ValueError(f"shift: {shift!r} must be a ¼⟨110⟩ vector in units of a, e.g. (0.25, 0.25, 0)")
    return s


def insert_apb(atoms, plane=(1, 1, 0), *, point=None, shift=None, zone_nm=0.5, cation_min_A=2.5,
               min_distance_A=1.7, seed=0):
    """Insert an antiphase boundary: the crystal on the positive side of a plane is translated by a
    ¼a⟨110⟩ vector inside the fixed particle shape.

    Parameters
    ----------
    atoms : labelled particle (pbc False) from :func:`build_particle` (any earlier defects allowed).
    plane : 3 integers (h, k, l), not (0, 0, 0)
        Boundary plane normal in the cubic crystal axes ({110} default; {100}, {111} available).
    point : 3 floats, Å, optional
        A point of the requested plane (default: the particle centre); the plane is then moved by
        < 2.5 Å along its normal into a gap between atomic layers (see Notes).
    shift : 3 floats in units of a, optional
        ¼⟨110⟩ translation; default the one most nearly along the normal (a/4[110] ⊥ (110)).
    zone_nm : float ≥ 0, nm
        Atoms with |distance to the plane| ≤ zone_nm get ``defect_zone`` = this APB's id (and the
        alias ``apb_zone`` True) and region "apb", unless nearer to an earlier plane defect.
    cation_min_A, min_distance_A : float, Å
        After the shift, cation pairs closer than cation_min_A (ideal minimum 2.97 Å) and any pair
        closer than min_distance_A are resolved by deleting the shifted-side atom (cation first).
    seed : int ≥ 0 (recorded; the operation is deterministic).

    Notes
    -----
    **Plane position.** The requested plane (through ``point``) is moved along the normal by less
    than 2.5 Å to the middle of a gap between atomic layers of the pooled unshifted + shifted
    crystal, taking the termination with the fewest overlaps, ties the nearest (record:
    ``point_A`` used, ``point_requested_A``). Sides are assigned on ideal (x = 1/4) positions, so a
    layer is never split: with x = 0.2548 the (110) O layer through the centre consists of halves
    at ±0.057 Å, and a cut through it used to duplicate one half and empty the other (10 nm sphere:
    −316 O, +632 e).
    **O sublattice.** The ideal O sublattice is invariant under any ¼⟨110⟩ translation, so the O
    sites of the positive side stay occupied (same atoms and labels) and only take the shifted
    crystal's x-displacement: the O count never changes. Cations of the shifted crystal are
    (lattice + t) ∩ shape on the positive side; sites whose source lies outside the shape are
    filled from lattice − t (2t is a lattice translation), so the surface stays intact.
    **Measured (Fe3O4 spheres, default plane and shift)**: (110) a/4[110]: no atom removed; 8 nm:
    A, B, O counts and charge unchanged, 380 new 180° links / 50.3 nm² = 7.56 nm⁻²; 10 nm: 608
    links, 7.74 nm⁻², −4 B at the surface (the shifted lattice cuts the sphere differently).
    The periodic bicrystal gives exactly 8 links per √2·a² = 8.0 nm⁻² for a/4[110] and a/4[1-10]
    (reference sheet: ≈ 7.4 nm⁻²). In-plane a/4[1-10] on (110) is not conservative here: both
    terminations put A and B in face-sharing sites (≈ 4 nm⁻²); one removes B and creates no 180°
    link, the other (``point`` ≈ 1.5 Å further along n) removes A and gives 7.8 links nm⁻².
    (001) a/4[101]: every termination puts A and B in
    face-sharing sites (A–B 1.82 Å), ≈ 2 per a² of boundary (8 nm: 140 B removed, 2.8 nm⁻²
    180° links); the in-plane a/4[110] on (001) instead gives A–A at a/4 = 2.10 Å (146 A removed
    at cation_min_A = 2.5). In this rigid-O model no {100} ¼⟨110⟩ boundary is conservative.
    (111) a/4[110]: t·n = a/(2√3) is one O-layer spacing, so the O layers continue but the
    kagome / mixed cation layers on the positive side are out of phase. With the default
    termination two mixed layers face each other: nothing overlaps, B-deficient (8 nm: −166 B =
    3.3 nm⁻², charge −332 e) and 0 links of 180° — geometrically correct for this shift. The
    other termination (``point`` ≈ 1.2 Å lower) faces two kagome layers: +166 B, −168 A, 928
    links (18.5 nm⁻²). Charge removed with overlapping cations is recorded, not compensated.
    Labels (valence, dopants, vacancies) travel with the shifted cations. For the vacancy-ordered
    maghemite cell 2t is not a lattice translation, so the vacancy order of the ≤ |t| thick
    refilled surface layer on the shifted side is not exact.
    """
    require_labels(atoms)
    if any(atoms.pbc):
        raise ValueError("atoms: insert_apb needs a finite particle (pbc False), not a periodic cell")
    if atoms.info.get("phase") == "FeO":
        raise ValueError("atoms: insert_apb needs a spinel particle (Fe3O4, gamma-Fe2O3, or a spinel "
                         "shell around an FeO core); a ¼⟨110⟩ shift is no antiphase vector of rock salt")
    n = check_vector("plane", plane, integer=True)
    n = n / np.linalg.norm(n)
    t = _check_shift(shift) if shift is not None else _default_shift(n)
    zone = check_real("zone_nm", zone_nm, 0.0, None)
    cmin = check_real("cation_min_A", cation_min_A, 0.0, 3.0)
    amin = check_real("min_distance_A", min_distance_A, 0.0, 2.0)
    seed = check_seed(seed)
    shape = get_shape(atoms)
    if point is None:
        p0 = np.asarray(shape["center_A"], float) if shape else atoms.positions.mean(axis=0)
    else:
        p0 = check_vector("point", point, allow_zero=True)
    a = float(atoms.info.get("lattice_a_A", data.MAGNETITE_A))
    tA = t * a
    inside = inside_fn(atoms)
    pos = atoms.positions
    p_req = p0
    ideal = ideal_positions(atoms)  # x = 1/4 sites: side and inside tests never split a layer
    p0 = p0 + snap_offset_A(ideal, atoms.numbers != 8, p0, n, tA, cmin, amin) * n
    reach = data.CATION_CUTOFF + float(np.linalg.norm(tA)) + 0.5  # Å: where neighbourhoods can change
    links_before = count_bob_links(atoms, mask=np.abs((pos - p0) @ n) < reach)

    eps = 1e-6  # Å: atoms on the plane stay unshifted
    is_o = atoms.numbers == 8
    neg = (ideal - p0) @ n <= eps
    # cations of the shifted crystal: (lattice + t) ∩ shape on the positive side (ideal = actual)
    q1 = ideal + tA
    prim = ((q1 - p0) @ n > eps) & inside(q1) & ~is_o
    q2 = ideal - tA
    fill = ((q2 - p0) @ n > eps) & inside(q2) & ~inside(ideal - 2 * tA) & ~is_o
    # O: the x = 1/4 O sublattice is invariant under t, so the positive-side O sites stay occupied
    # (same atoms, same labels); they only take the shifted crystal's displacement u(site − t)
    opos = ~neg & is_o
    new_o = ideal[opos] + o_displacement(atoms, ideal, ideal[opos] - tA, pos[opos], ideal[opos])
    src = np.concatenate([np.flatnonzero(neg), np.flatnonzero(prim), np.flatnonzero(fill),
                          np.flatnonzero(opos)])
    new_pos = np.concatenate([pos[neg], pos[prim] + tA, pos[fill] - tA, new_o])
    moved = np.concatenate([np.zeros(neg.sum(), bool), np.ones(prim.sum() + fill.sum() + opos.sum(), bool)])
    out = atoms[src]
    out.positions = new_pos
    is_cat = out.numbers != 8
    # overlaps can only arise between the two sides, i.e. next to the plane
    slab = np.flatnonzero(np.abs((new_pos - p0) @ n) < max(cmin, amin) + 1e-3)
    rem = slab[close_pairs_removal(new_pos[slab], is_cat[slab], moved[slab], cmin, amin)]
    keep = np.ones(len(out), bool)
    keep[rem] = False
    removed_charge = float(np.sum(out.arrays["valence"][rem]))
    n_rem_cat = int(np.sum(is_cat[rem]))
    out = out[keep]
    # neighbourhoods changed only near the plane and, on the shifted side, near the surface
    near_plane = np.abs((out.positions - p0) @ n) < reach
    if shape is not None:
        near_surf = depth_A(shape, out.positions) < reach
    else:
        near_surf = np.ones(len(out), bool)
    # positive-side O stay on their sites but see the shifted crystal's cations (and vacancies)
    moved_o = np.concatenate([np.zeros(len(src) - opos.sum(), bool), np.ones(opos.sum(), bool)])[keep]
    changed = near_plane | near_surf | moved_o
    links_after = count_bob_links(out, mask=np.abs((out.positions - p0) @ n) < reach)
    area = plane_area_nm2(out, n, p0)
    created = links_after - links_before

    def follow(sites):  # recorded vacancies move with the shifted crystal (the same rule as its atoms)
        s = (sites - p0) @ n > eps
        q = sites.copy()
        up, down = sites + tA, sites - tA
        to_up = ((up - p0) @ n > eps) & inside(up)
        to_down = ~to_up & ((down - p0) @ n > eps) & inside(down) & ~inside(sites - 2 * tA)
        q[s] = np.where(to_up[s, None], up[s], np.where(to_down[s, None], down[s], np.nan))
        return q

    transform_recorded_sites(out, follow)
    finish_plane_defect(out, dict(type="apb", kind="apb", plane=[int(v) for v in check_vector("plane", plane)],
                                  normal=[float(v) for v in n], point_A=[float(v) for v in p0],
                                  point_requested_A=[float(v) for v in p_req], shift_a=[float(v) for v in t],
                                  shift_A=[float(v) for v in tA], zone_nm=zone, cation_min_A=cmin,
                                  min_distance_A=amin, n_removed=int(len(rem)), n_removed_cations=n_rem_cat,
                                  charge_removed_e=removed_charge, links_180_created=int(created),
                                  area_nm2=area, link_density_per_nm2=created / area if area else 0.0,
                                  n_atoms_before=len(atoms), n_atoms_after=len(out), seed=seed),
                        np.abs((out.positions - p0) @ n))
    return relabel(out, coordination=changed)
