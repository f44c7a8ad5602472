"""Per-atom labels of Contract 1 (docs/architecture.md) and their (re)computation.

All neighbour counting is vectorised through :class:`scipy.spatial.cKDTree` (periodic for bulk cells).
"""
from __future__ import annotations

import json

import numpy as np
from scipy.spatial import cKDTree

from atomspin.structures import data
from atomspin.structures.shapes import depth_A, get_shape

#: depth_nm given to atoms of periodic bulk cells (no surface); Contract 1 forbids +inf
BULK_DEPTH_NM = 1.0e6

STR_ARRAYS = ("sublattice", "region")
ARRAY_DTYPES = {
    "sublattice": "U1", "valence": np.float64, "moment_muB": np.float64, "region": "U8",
    "apb_zone": bool, "surface": bool, "depth_nm": np.float64,
    "missing_cation": np.int64, "missing_O": np.int64, "defect_zone": np.int64, "grain": np.int64,
}
#: neutral value of a label for atoms that a builder adds (no zone: −1, first grain: 0)
NEUTRAL = {"defect_zone": -1, "grain": 0}


def set_array(atoms, name, values):
    """Set (create or replace) a per-atom array with the Contract-1 dtype."""
    dtype = ARRAY_DTYPES.get(name)
    if name in STR_ARRAYS:
        values = np.asarray(values).astype(str)
        width = max(8, int(values.dtype.itemsize // 4) if len(values) else 1)
        values = values.astype(f"U{width}")
    elif dtype is not None:
        values = np.asarray(values, dtype=dtype)
    if name in atoms.arrays:
        del atoms.arrays[name]
    atoms.new_array(name, values)


def _wrapped(atoms):
    """Positions wrapped into an orthogonal periodic box (and the box), or raw positions (box None)."""
    if all(atoms.pbc):
        cell = np.asarray(atoms.cell)
        if not np.allclose(cell, np.diag(np.diag(cell))):
            raise ValueError("atoms: periodic cells must be orthogonal for neighbour labelling")
        box = np.diag(cell).copy()
        return np.mod(atoms.positions, box) % box, box
    return atoms.positions, None


def _small_periodic(atoms):
    if not all(atoms.pbc):
        return None
    box = np.diag(np.asarray(atoms.cell))
    reps = np.maximum(1, np.ceil(2.0 * data.CATION_CUTOFF / box + 1e-9)).astype(int)
    return tuple(reps) if np.any(reps > 1) else None


def neighbour_counts(atoms, only=None):
    """(n_cation_neighbours, n_O_neighbours) per atom: cations within data.CATION_CUTOFF (for cations)
    or data.BOND_CUTOFF (for O), O within data.BOND_CUTOFF. ``only`` (bool mask) restricts the
    queries to those atoms (others get 0)."""
    reps = _small_periodic(atoms)
    if reps is not None:  # small cells: count on a repeated copy (minimum image needs L > 2 r)
        n, o = neighbour_counts(atoms.repeat(reps))
        return n[: len(atoms)], o[: len(atoms)]
    pos, box = _wrapped(atoms)
    is_o = atoms.numbers == 8
    sel = np.ones(len(atoms), bool) if only is None else np.asarray(only, bool)
    n_cat = np.zeros(len(atoms), np.int64)
    n_o = np.zeros(len(atoms), np.int64)
    cat = np.flatnonzero(~is_o & sel)
    oxy = np.flatnonzero(is_o & sel)
    if (~is_o).any():
        cat_tree = cKDTree(pos[~is_o], boxsize=box)
        if len(cat):
            n_cat[cat] = cat_tree.query_ball_point(pos[cat], data.CATION_CUTOFF, return_length=True) - 1
        if len(oxy):
            n_cat[oxy] = cat_tree.query_ball_point(pos[oxy], data.BOND_CUTOFF, return_length=True)
    if is_o.any() and len(cat):
        o_tree = cKDTree(pos[is_o], boxsize=box)
        n_o[cat] = o_tree.query_ball_point(pos[cat], data.BOND_CUTOFF, return_length=True)
    return n_cat, n_o


def ideal_counts(atoms):
    """Ideal (cation, O) neighbour numbers of every atom's site (see :func:`update_coordination`)."""
    sub = atoms.arrays["sublattice"]
    ideal_c = np.zeros(len(atoms), np.int64)
    ideal_o = np.zeros(len(atoms), np.int64)
    for s in ("A", "B", "R"):
        m = sub == s
        ideal_c[m] = data.IDEAL_CATIONS[s]
        ideal_o[m] = data.IDEAL_O[s]
    is_o = sub == "O"
    if atoms.info.get("phase") == "FeO":
        rocksalt = np.ones(len(atoms), bool)
    else:
        rocksalt = atoms.arrays["region"] == "FeO"
    ideal_c[is_o] = np.where(rocksalt[is_o], data.IDEAL_O_CATIONS["rocksalt"], data.IDEAL_O_CATIONS["spinel"])
    return ideal_c, ideal_o


def update_coordination(atoms, only=None):
    """Recompute ``missing_cation`` and ``missing_O`` relative to the ideal bulk site.

    Cations: ideal (cations, O) = A (16, 4), B (12, 6), R (12, 6). O: missing_cation relative to 4
    (spinel: 1 A + 3 B) or 6 (rock-salt region "FeO" or phase FeO); missing_O = 0 for O.
    ``only`` (bool mask): recompute those atoms and keep the others' labels.
    """
    n_cat, n_o = neighbour_counts(atoms, only)
    ideal_c, ideal_o = ideal_counts(atoms)
    is_o = atoms.arrays["sublattice"] == "O"
    miss_c = ideal_c - n_cat
    miss_o = np.where(is_o, 0, ideal_o - n_o)
    if only is not None and "missing_cation" in atoms.arrays:
        keep = ~np.asarray(only, bool)
        miss_c[keep] = atoms.arrays["missing_cation"][keep]
        miss_o[keep] = atoms.arrays["missing_O"][keep]
    set_array(atoms, "missing_cation", miss_c)
    set_array(atoms, "missing_O", miss_o)


def removal_increments(atoms, removed):
    """Exact change of (missing_cation, missing_O) of every atom of ``atoms`` when the atoms
    ``removed`` (indices) are deleted: +1 per removed neighbour within the label cutoffs."""
    inc_c = np.zeros(len(atoms), np.int64)
    inc_o = np.zeros(len(atoms), np.int64)
    removed = np.asarray(removed, np.int64)
    if len(removed) == 0:
        return inc_c, inc_o
    pos, box = _wrapped(atoms)
    is_o = atoms.numbers == 8
    cat = np.flatnonzero(~is_o)
    oxy = np.flatnonzero(is_o)
    rc = removed[~is_o[removed]]
    ro = removed[is_o[removed]]

    def hits(tree_idx, centres, r):
        if len(tree_idx) == 0 or len(centres) == 0:
            return np.zeros(0, np.int64)
        lists = cKDTree(pos[tree_idx], boxsize=box).query_ball_point(pos[centres], r)
        flat = np.fromiter((j for lst in lists for j in lst), dtype=np.int64)
        return tree_idx[flat]

    if len(rc):
        h = hits(cat, rc, data.CATION_CUTOFF)
        np.add.at(inc_c, h, 1)
        np.add.at(inc_c, hits(oxy, rc, data.BOND_CUTOFF), 1)
    if len(ro):
        np.add.at(inc_o, hits(cat, ro, data.BOND_CUTOFF), 1)
    return inc_c, inc_o


def delete_atoms(atoms, removed):
    """Return ``atoms`` without the ``removed`` indices, updating missing_cation / missing_O exactly
    and incrementally (no full neighbour search)."""
    removed = np.unique(np.asarray(removed, np.int64))
    keep = np.ones(len(atoms), bool)
    keep[removed] = False
    if _small_periodic(atoms) is not None or "missing_cation" not in atoms.arrays:
        out = atoms[keep]
        if "region" in out.arrays:
            update_coordination(out)
        return out
    inc_c, inc_o = removal_increments(atoms, removed)
    is_o = atoms.arrays["sublattice"] == "O"
    mc = atoms.arrays["missing_cation"] + inc_c
    mo = np.where(is_o, 0, atoms.arrays["missing_O"] + inc_o)
    out = atoms[keep]
    set_array(out, "missing_cation", mc[keep])
    set_array(out, "missing_O", mo[keep])
    return out


def update_depth(atoms):
    """Recompute ``depth_nm`` from the stored particle shape (bulk cells: BULK_DEPTH_NM)."""
    shape = get_shape(atoms)
    if shape is None:
        set_array(atoms, "depth_nm", np.full(len(atoms), BULK_DEPTH_NM))
    else:
        set_array(atoms, "depth_nm", np.maximum(depth_A(shape, atoms.positions), 0.0) / 10.0)


def update_counts(atoms):
    """Store counts per sublattice / element and the total charge in ``atoms.info``."""
    sub = atoms.arrays["sublattice"]
    for s in ("A", "B", "O", "R"):
        atoms.info[f"n_{s}"] = int(np.sum(sub == s))
    atoms.info["n_atoms"] = len(atoms)
    atoms.info["n_Fe"] = int(np.sum(atoms.numbers == 26))
    atoms.info["charge_e"] = float(np.round(np.sum(atoms.arrays["valence"]), 6))


def relabel(atoms, coordination=True):
    """Recompute all derived labels (coordination, depth, counts, the ``apb_zone`` alias) after a
    structural change. ``coordination``: False keeps missing_* as they are, or a bool mask of atoms
    to recompute."""
    if coordination is True:
        update_coordination(atoms)
    elif coordination is not False:
        update_coordination(atoms, only=coordination)
    update_depth(atoms)
    update_counts(atoms)
    update_zone_alias(atoms)
    return atoms


# ------------------------------------------------------------------------------- plane defects
#: Plane-defect kinds: kind → (region label of its zone, name in legends). A new kind (one module)
#: adds its entry here through :func:`register_plane_kind`.
PLANE_KINDS = {
    "apb": ("apb", "APB"),
    "twin": ("twin", "twin boundary"),
    "stacking_fault": ("fault", "stacking fault"),
    "grain_boundary": ("boundary", "grain boundary"),
}


def register_plane_kind(kind, region, label):
    """Declare a plane-defect kind: the ``region`` label of its zone atoms and its legend name."""
    PLANE_KINDS[str(kind)] = (str(region), str(label))


def plane_defects(atoms, kinds=None):
    """The plane-defect records of a structure, in order, each normalised to the generic fields.

    Every record has ``kind`` (see ``PLANE_KINDS``), ``id`` (its index in this list; the value of
    the per-atom ``defect_zone`` label), ``normal`` (unit vector, Cartesian = crystal axes of the
    first grain), ``point_A`` (a point of the plane, Å), ``shift_A`` (translation of the crystal on
    the positive side, Å, or None), ``rotation`` (3×3 rotation of the positive side about
    ``point_A``, or None), ``zone_nm``, ``bounded`` (True when the boundary is only a patch of its
    plane, e.g. between two cores of a multicore particle: then ``grains`` names the two grains it
    separates and distances are measured to the other grain's atoms) plus the operation's own keys.
    Records written before the generic fields existed (``type`` "apb" with ``plane``, ``point_A``,
    ``shift_a``) are read the same way. ``kinds`` (iterable of str) keeps only those kinds.
    """
    out = []
    a = float(atoms.info.get("lattice_a_A", 0.0) or 0.0) if hasattr(atoms, "info") else 0.0
    for rec in defect_records(atoms):
        if rec.get("category") != "plane" and rec.get("type") != "apb":
            continue
        r = dict(rec)
        r.setdefault("kind", r.get("type"))
        r["id"] = len(out)
        if "normal" not in r:
            n = np.asarray(r["plane"], float)
            r["normal"] = (n / np.linalg.norm(n)).tolist()
        if "shift_A" not in r:
            r["shift_A"] = (np.asarray(r["shift_a"], float) * a).tolist() if ("shift_a" in r and a) else None
        r.setdefault("rotation", None)
        r.setdefault("zone_nm", 0.5)
        r.setdefault("bounded", False)
        out.append(r)
    if kinds is not None:
        kinds = {kinds} if isinstance(kinds, str) else set(kinds)
        out = [r for r in out if r["kind"] in kinds]
    return out


def update_zone_alias(atoms):
    """``apb_zone`` (bool, kept for old readers) = ``defect_zone`` names an APB record."""
    if "defect_zone" not in atoms.arrays:
        return
    zone = atoms.arrays["defect_zone"]
    apb_ids = [r["id"] for r in plane_defects(atoms) if r["kind"] == "apb"]
    set_array(atoms, "apb_zone", np.isin(zone, apb_ids) & (zone >= 0))


def add_defect_record(atoms, record):
    """Append one JSON record to ``atoms.info["defects"]``."""
    recs = json.loads(atoms.info.get("defects", "[]") or "[]")
    recs.append(record)
    atoms.info["defects"] = json.dumps(recs)


def defect_records(atoms):
    """The list of defect records (dicts) of a structure."""
    return json.loads(atoms.info.get("defects", "[]") or "[]")
