"""Plane defects: the machinery every planar defect shares (APB, twin, stacking fault, grain boundary).

A plane defect splits a particle by a plane (normal n through a point p); the crystal on the
positive side ((x − p)·n > 0) is transformed (translated for an APB or a stacking fault, rotated for
a twin, replaced by another grain for a grain boundary). What all of them share lives here:

* the plane geometry: :func:`snap_offset_A` (the cut between atomic layers, never through one),
  :func:`plane_area_nm2`, :func:`ideal_positions` / :func:`o_displacement` (x = 1/4 reference sites),
  :func:`close_pairs_removal` (overlaps across the plane), :func:`inside_fn`;
* the labels and the record: :func:`finish_plane_defect` appends the generic record (``kind``,
  ``id``, ``normal``, ``point_A``, ``shift_A``, ``rotation``, ``zone_nm``, ``bounded``, ``grains``,
  charge bookkeeping) and sets the per-atom ``defect_zone`` (id of the nearest plane defect whose
  zone holds the atom, −1 none) and ``region`` (the kind's region label); ``apb_zone`` stays as an
  alias for old readers (``labels.update_zone_alias``);
* distances: :func:`distance_to_defect_A` (unsigned distance to a recorded plane, or to the other
  grain's atoms for bounded boundaries), used by the disorder profiles of ``atomspin.measure``;
* :func:`transform_recorded_sites`: recorded point-defect sites (vacancies) follow the crystal.

Adding a plane-defect type = one module with its positive-side rule that ends in
:func:`finish_plane_defect` (and one ``labels.register_plane_kind`` line for a new kind).
"""
from __future__ import annotations

import json

import numpy as np
from scipy.spatial import ConvexHull, cKDTree

from atomspin.structures.labels import (PLANE_KINDS, add_defect_record, defect_records, plane_defects,
                                        set_array)
from atomspin.structures.shapes import get_shape, inside_mask
from atomspin.validation import check_vector


def unit_normal(plane, name="plane", integer=True):
    """Unit normal of Miller indices (h, k, l) (integers, not all 0) in the cubic crystal axes."""
    n = check_vector(name, plane, integer=integer)
    return n / np.linalg.norm(n)


def inside_fn(atoms):
    shape = get_shape(atoms)
    if shape is not None:
        return lambda p: inside_mask(shape, p)
    hull = ConvexHull(atoms.positions)
    eq = hull.equations
    return lambda p: np.all(p @ eq[:, :3].T + eq[:, 3] <= 1e-6, axis=1)


def plane_area_nm2(atoms, normal, point, slab_A=1.5, step_A=0.25):
    """Area (nm²) of the boundary plane inside the particle: the ideal shape's cross-section sampled on
    a 2-D grid of spacing step_A (error < 1 %) when the shape is known, else the 2-D convex hull of the
    atoms within ±slab_A of the plane."""
    u = np.cross(normal, [1.0, 0, 0] if abs(normal[0]) < 0.9 else [0, 1.0, 0])
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    shape = get_shape(atoms)
    if shape is not None:
        from atomspin.structures.shapes import bounding_radius_A
        r = bounding_radius_A(shape) + np.linalg.norm(point - np.asarray(shape["center_A"]))
        step_A = max(step_A, r / 400.0)  # ≤ 640k samples; relative area error ~ step/size
        g = np.arange(-r, r + step_A, step_A)
        gu, gv = np.meshgrid(g, g, indexing="ij")
        pts = point + gu.reshape(-1, 1) * u + gv.reshape(-1, 1) * v
        return float(np.sum(inside_mask(shape, pts, 0.0))) * step_A ** 2 / 100.0
    pos = atoms.positions
    sel = pos[np.abs((pos - point) @ normal) < slab_A]
    if len(sel) < 3:
        return 0.0
    xy = np.stack([(sel - point) @ u, (sel - point) @ v], axis=1)
    return float(ConvexHull(xy).volume) / 100.0


def close_pairs_removal(pos, is_cat, moved, cat_min, any_min):
    """Indices to delete so that no cation pair is closer than cat_min and no pair closer than any_min
    (Å). Per pair, delete the moved (shifted-side) atom, a cation before an O, else the higher index."""
    tree = cKDTree(pos)
    pairs = tree.query_pairs(max(cat_min, any_min), output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros(0, np.int64)
    d = np.linalg.norm(pos[pairs[:, 0]] - pos[pairs[:, 1]], axis=1)
    bad = (d < any_min) | ((d < cat_min) & is_cat[pairs[:, 0]] & is_cat[pairs[:, 1]])
    pairs = pairs[bad]
    removed = np.zeros(len(pos), bool)
    for i, j in pairs[np.argsort(d[bad])]:  # loop over offending pairs only (few)
        if removed[i] or removed[j]:
            continue
        key_i = (moved[i], is_cat[i], i)
        key_j = (moved[j], is_cat[j], j)
        removed[i if key_i > key_j else j] = True
    return np.flatnonzero(removed)


def ideal_positions(atoms):
    """Positions (Å) with every site moved to its ideal x = 1/4 spinel (or rock-salt) position: the
    fractional coordinates of the particle's lattice rounded to multiples of 1/8 (all A, B, O and
    rock-salt sites of the cubic cell lie on that grid; the O parameter x = 0.2548 displaces O by
    0.04 Å per axis, far below 1/16 a). Without lattice info (not from build_particle): positions."""
    if "lattice_origin_A" not in atoms.info or "cell_lengths_A" not in atoms.info:
        return atoms.positions.copy()
    origin = np.asarray(json.loads(atoms.info["lattice_origin_A"]), float)
    L = np.asarray(json.loads(atoms.info["cell_lengths_A"]), float)
    sub = L / [1, 1, max(1, int(round(L[2] / L[0])))]
    f = (atoms.positions - origin) / sub
    return origin + np.round(8.0 * f) / 8.0 * sub


def o_displacement(atoms, ideal, sites, own, ideal_own):
    """Displacement (Å) actual − ideal of the O at ideal ``sites`` of the unshifted crystal, looked
    up by site class (fractional coordinates modulo the cubic (sub)cell), taken from the particle's
    own O atoms. (x − 1/4 displacements follow the cubic Fd-3m cell.)"""
    origin = np.asarray(json.loads(atoms.info["lattice_origin_A"]), float)
    L = np.asarray(json.loads(atoms.info["cell_lengths_A"]), float)
    sub = L / [1, 1, max(1, int(round(L[2] / L[0])))]
    o = atoms.numbers == 8

    def key(p):
        k = np.mod(np.rint(8.0 * (p - origin) / sub).astype(np.int64), 8)
        return k[:, 0] * 64 + k[:, 1] * 8 + k[:, 2]

    table = np.zeros((512, 3))
    seen = np.zeros(512, bool)
    ko = key(ideal[o])
    table[ko] = atoms.positions[o] - ideal[o]
    seen[ko] = True
    ks = key(sites)
    out = table[ks]
    if not np.all(seen[ks]):  # particle smaller than a cell: keep the site's own displacement
        out[~seen[ks]] = (own - ideal_own)[~seen[ks]]
    return out


def snap_offset_A(pos, is_cat, p0, n, tA, cmin, amin, window_A=2.5, disk_A=12.0):
    """Offset (Å) along the unit normal ``n`` that puts the cut plane midway between atomic layers,
    on the termination with the fewest overlaps.

    Layers of the unshifted (s) and shifted (s + t·n) crystal are pooled, s being the signed
    distance to the requested plane through ``p0``; candidate planes are the midpoints of gaps
    ≥ 0.3 Å with |midpoint| ≤ window_A, so no layer is ever split between the two sides (the (110)
    O layer is split into halves at ±0.057 Å because x = 0.2548 ≠ 1/4; a plane through it
    duplicates one half and empties the other). Among the candidates the one whose boundary gives
    the fewest close pairs (cation pairs < cmin, any pair < amin), counted on a disk of radius
    disk_A around ``p0``, wins; ties: the plane nearest to the requested one."""
    s = (pos - p0) @ n
    tn = float(tA @ n)
    near = np.abs(s) < window_A + abs(tn) + 1.0
    levels = np.concatenate([s[near], s[near] + tn])
    levels = np.unique(np.round(levels[np.abs(levels) < window_A + 1.0], 4))
    if len(levels) < 2:
        return 0.0
    gaps = np.diff(levels)
    mids = 0.5 * (levels[1:] + levels[:-1])
    mids = mids[(gaps >= 0.3) & (np.abs(mids) <= window_A)]
    if len(mids) == 0:
        return 0.0
    rin = np.linalg.norm(pos - p0 - np.outer(s, n), axis=1)
    disk = np.flatnonzero((rin < disk_A) & (np.abs(s) < window_A + abs(tn) + 4.0))
    sd, pd, cd = s[disk], pos[disk], is_cat[disk]
    lim = max(cmin, amin)
    best = None
    for off in mids[np.argsort(np.abs(mids))]:
        neg = sd <= off
        pos_side = (sd + tn > off) & (np.abs(sd + tn - off) < lim + 4.0)
        neg &= np.abs(sd - off) < lim + 4.0
        P = np.concatenate([pd[neg], pd[pos_side] + tA])
        C = np.concatenate([cd[neg], cd[pos_side]])
        side = np.concatenate([np.zeros(neg.sum(), bool), np.ones(pos_side.sum(), bool)])
        pairs = cKDTree(P).query_pairs(lim, output_type="ndarray")
        if len(pairs):
            d = np.linalg.norm(P[pairs[:, 0]] - P[pairs[:, 1]], axis=1)
            cross = side[pairs[:, 0]] != side[pairs[:, 1]]
            bad = cross & ((d < amin) | ((d < cmin) & C[pairs[:, 0]] & C[pairs[:, 1]]))
            k = int(bad.sum())
        else:
            k = 0
        if best is None or k < best[0]:
            best = (k, float(off))
    return best[1]



# ------------------------------------------------------------------------------ labels, records
def distance_to_defect_A(atoms, record, index=None, positions_A=None):
    """Unsigned distance (Å) of atoms (all, or ``index``) from one plane-defect record.

    Unbounded defects: distance to the plane (``normal``, ``point_A``). Bounded boundaries (a patch
    of a plane between two grains, ``grains`` = [g, h]): for atoms of grain g the distance to the
    nearest atom of grain h and vice versa, +inf for atoms of other grains (needs the ``grain``
    label). ``positions_A`` (optional, one row per selected atom) replaces their positions."""
    pos = atoms.positions if index is None else atoms.positions[np.asarray(index)]
    if positions_A is not None:
        pos = np.asarray(positions_A, float).reshape(len(pos), 3)
    if not record.get("bounded"):
        n = np.asarray(record["normal"], float)
        return np.abs((pos - np.asarray(record["point_A"], float)) @ n)
    g = atoms.arrays["grain"]
    gi = g if index is None else g[np.asarray(index)]
    out = np.full(len(pos), np.inf)
    a, b = record["grains"]
    for mine, other in ((a, b), (b, a)):
        sel = gi == mine
        src = atoms.positions[g == other]
        if sel.any() and len(src):
            out[sel], _ = cKDTree(src).query(pos[sel])
    return out


def distance_to_defects_A(atoms, kinds=None, index=None, positions_A=None):
    """Distance (Å) of atoms (all, or ``index``; at ``positions_A`` if given) from the nearest
    recorded plane defect (of ``kinds``); ValueError when the structure records none."""
    recs = plane_defects(atoms, kinds)
    if not recs:
        want = "plane-defect" if kinds is None else "/".join([kinds] if isinstance(kinds, str) else kinds)
        raise ValueError(f"atoms: no {want!r} record in atoms.info['defects']")
    d = np.full(len(atoms) if index is None else len(np.asarray(index)), np.inf)
    for r in recs:
        d = np.minimum(d, distance_to_defect_A(atoms, r, index, positions_A))
    return d


def finish_plane_defect(out, record, distance_A):
    """Label the zone of a new plane defect and append its generic record (in place; returns its id).

    ``record`` holds at least ``type``, ``normal``, ``point_A`` and ``zone_nm`` (and ``kind`` when
    it differs from ``type``); ``distance_A`` (per atom of ``out``) is the atom's distance from the
    new boundary. Atoms within ``zone_nm`` get ``defect_zone`` = the new id and the kind's region
    label unless they are nearer to an earlier defect whose zone already holds them."""
    kind = record.setdefault("kind", record["type"])
    if kind not in PLANE_KINDS:
        raise ValueError(f"kind: {kind!r} is not a registered plane-defect kind {sorted(PLANE_KINDS)}")
    record.setdefault("shift_A", None)
    record.setdefault("rotation", None)
    record.setdefault("bounded", False)
    new_id = len(plane_defects(out))
    record["category"] = "plane"
    record["id"] = new_id
    if "defect_zone" not in out.arrays:
        set_array(out, "defect_zone", np.full(len(out), -1))
    zone = out.arrays["defect_zone"].copy()
    inz = np.asarray(distance_A) <= 10.0 * float(record["zone_nm"])
    prev = plane_defects(out)
    for r in prev:  # atoms already in a zone keep it when that defect is nearer
        mine = np.flatnonzero(inz & (zone == r["id"]))
        if len(mine):
            d_old = distance_to_defect_A(out, r, mine)
            inz[mine[d_old <= np.asarray(distance_A)[mine]]] = False
    zone[inz] = new_id
    set_array(out, "defect_zone", zone)
    reg = out.arrays["region"].copy()
    reg[inz] = PLANE_KINDS[kind][0]
    set_array(out, "region", reg)
    add_defect_record(out, record)
    return new_id


def transform_recorded_sites(atoms, fn):
    """Apply ``fn`` ((k, 3) Å → (k, 3) Å, NaN rows = site gone) to the point-defect sites recorded so
    far (``sites_A`` of vacancy records), in place: a vacancy moves with its crystal."""
    recs = defect_records(atoms)
    changed = False
    for r in recs:
        if r.get("sites_A"):
            p = np.asarray(r["sites_A"], float).reshape(-1, 3)
            q = np.asarray(fn(p), float).reshape(-1, 3)
            q = q[np.all(np.isfinite(q), axis=1)]
            r["sites_A"] = np.round(q, 3).tolist()
            changed = True
    if changed:
        atoms.info["defects"] = json.dumps(recs)
