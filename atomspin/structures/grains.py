"""Crystal grains: rotated copies of a phase's lattice filling a region, and their orientations.

A grain is the phase's template cell (:func:`atomspin.structures.bulk.template_cell`) tiled in its own
crystal frame and placed in the laboratory frame by a rotation R (columns = the grain's crystal axes
in laboratory coordinates) and an origin (laboratory position of the template-cell origin):
x_lab = origin + R x_crystal. ``atoms.info["grains"]`` (JSON) lists every grain of a structure with
``id``, ``rotation`` (3×3), ``origin_A`` and, where it has one, ``center_A``/``radius_A``; the per-atom
``grain`` label says which grain an atom belongs to. Grain 0 of a single crystal is the identity.
"""
from __future__ import annotations

import json

import numpy as np
from ase import Atoms

from atomspin.structures import data
from atomspin.structures.labels import set_array

#: the 24 proper rotations of the cube (point group O): the crystal symmetry used for misorientations
_CUBIC = None


def cubic_rotations():
    """(24, 3, 3) proper rotations of the cubic point group O."""
    global _CUBIC
    if _CUBIC is None:
        import itertools
        ops = []
        for perm in itertools.permutations(range(3)):
            for signs in itertools.product((1, -1), repeat=3):
                m = np.zeros((3, 3))
                for i, (p, s) in enumerate(zip(perm, signs)):
                    m[i, p] = s
                if np.linalg.det(m) > 0:
                    ops.append(m)
        _CUBIC = np.array(ops)
    return _CUBIC


def rotation_about(axis, angle_deg):
    """Rotation matrix (3×3) by ``angle_deg`` about ``axis`` (right-handed, Rodrigues)."""
    a = np.asarray(axis, float)
    a = a / np.linalg.norm(a)
    t = np.radians(angle_deg)
    K = np.array([[0, -a[2], a[1]], [a[2], 0, -a[0]], [-a[1], a[0], 0]])
    return np.eye(3) + np.sin(t) * K + (1 - np.cos(t)) * K @ K


def random_rotation(rng):
    """A uniformly distributed (Haar) rotation matrix from a unit quaternion."""
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def misorientation(Ra, Rb):
    """(angle in degrees, unit axis in the laboratory frame) of the smallest rotation that takes grain a
    onto grain b, over the 24 cubic symmetry operations (the disorientation, ≤ 62.8° for cubic)."""
    best = (np.inf, np.array([0.0, 0.0, 1.0]))
    for S in cubic_rotations():
        M = Rb @ S @ Ra.T  # laboratory-frame rotation
        c = np.clip((np.trace(M) - 1.0) / 2.0, -1.0, 1.0)
        ang = float(np.degrees(np.arccos(c)))
        if ang < best[0] - 1e-9:
            ax = np.array([M[2, 1] - M[1, 2], M[0, 2] - M[2, 0], M[1, 0] - M[0, 1]])
            if np.linalg.norm(ax) < 1e-9:  # 0° or 180°: axis from M + I
                w, v = np.linalg.eigh(M + M.T)
                ax = v[:, -1]
            best = (ang, ax / np.linalg.norm(ax))
    return best


def fill_grain(phase, rotation, origin_A, region, center_A, radius_A, *, b_valence="verwey",
               vacancies="random", rng=None, region_label="core"):
    """Atoms of one grain: the phase's lattice (rotated by ``rotation`` about ``origin_A``) inside
    ``region`` (callable: (M, 3) Å → bool), searched within ``radius_A`` of ``center_A``.

    Labels as :func:`atomspin.structures.bulk.assign_labels` (magnetite B valences in Verwey order along
    the grain's own [001], seeded random maghemite vacancies on 1/6 of the B sites). Returns
    (atoms, ideal positions (x = 1/4 sites, Å) in the laboratory frame)."""
    from atomspin.structures.bulk import _verwey_fe2, assign_labels, template_cell
    from atomspin.structures.particle import tile_lattice

    phase = data.canonical_phase(phase)
    rng = np.random.default_rng(0) if rng is None else rng
    cell, a = template_cell(phase, vacancies)
    L = np.diag(np.asarray(cell.cell)).copy()
    R = np.asarray(rotation, float)
    origin = np.asarray(origin_A, float)
    c_cr = R.T @ (np.asarray(center_A, float) - origin)  # search centre in the crystal frame
    pos_cr, site = tile_lattice(cell.positions, L, c_cr, radius_A)
    ball = np.einsum("ij,ij->i", pos_cr, pos_cr) <= radius_A ** 2  # tile_lattice covers a cube
    pos_cr, site = pos_cr[ball] + c_cr, site[ball]
    sub = L / [1, 1, max(1, int(round(L[2] / L[0])))]
    ideal_cr = np.round(8.0 * pos_cr / sub) / 8.0 * sub
    lab = origin + pos_cr @ R.T
    ideal = origin + ideal_cr @ R.T
    keep = region(ideal)
    pos_cr, site, lab, ideal = pos_cr[keep], site[keep], lab[keep], ideal[keep]
    at = Atoms(numbers=cell.numbers[site], positions=pos_cr)
    set_array(at, "sublattice", cell.arrays["sublattice"][site])
    fe2 = _verwey_fe2(at, a) if phase == "Fe3O4" else None
    assign_labels(at, phase, b_valence, rng, fe2, region=region_label)
    at.positions = lab
    if phase == "gamma-Fe2O3" and vacancies == "random":
        from atomspin.structures.bulk import remove_random_fraction
        rem = remove_random_fraction(at, at.arrays["sublattice"] == "B", 1.0 / 6.0, rng)
        keep = np.ones(len(at), bool)
        keep[rem] = False
        at, ideal = at[keep], ideal[keep]
    return at, ideal


def grain_records(atoms):
    """The grains of a structure (list of dicts, see the module docstring); a single crystal without
    the record is one identity grain."""
    g = atoms.info.get("grains")
    if g:
        return json.loads(g) if isinstance(g, str) else list(g)
    origin = json.loads(atoms.info["lattice_origin_A"]) if "lattice_origin_A" in atoms.info else [0.0] * 3
    return [dict(id=0, rotation=np.eye(3).tolist(), origin_A=origin)]


def set_grain_records(atoms, records):
    atoms.info["grains"] = json.dumps(records)
