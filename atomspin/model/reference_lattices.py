"""Ideal bulk reference lattices of the model layer: spinel and rock-salt boxes and spheres.

Built directly with ``ase.spacegroup.crystal`` (lattice data from :mod:`atomspin.structures.data`) and labelled
with only what the model needs, independently of the structure builders of :mod:`atomspin.structures`. Used by
:mod:`atomspin.model.anisotropy` to derive the ideal-bulk neighbour shells of the Néel surface term, and
by the model tests as independent inputs.
"""

from __future__ import annotations

import numpy as np
from ase.spacegroup import crystal

from atomspin.structures.data import MAGNETITE_A as A_MAGNETITE  # Å, Hamilton, Phys. Rev. 110, 1050 (1958)
from atomspin.structures.data import MAGNETITE_X as X_O_MAGNETITE  # Hamilton 1958
from atomspin.structures.data import WUSTITE_A as A_FEO  # Å, Yamamoto, Acta Cryst. B38, 1451 (1982)


def _label(atoms, sub, moment, phase):
    atoms.set_array("sublattice", np.asarray(sub, dtype="<U8"))
    atoms.set_array("moment_muB", np.asarray(moment, dtype=np.float64))
    atoms.set_array("surface", np.zeros(len(atoms), dtype=bool))
    atoms.set_array("region", np.full(len(atoms), "bulk", dtype="<U8"))
    atoms.info["phase"] = phase
    return atoms


def spinel_box(L=2, a=A_MAGNETITE, x_O=X_O_MAGNETITE, phase="Fe3O4", b_moment=4.5, vacancy_fraction=0.0,
               seed=0):
    """Periodic L×L×L spinel box (Fd-3m origin 2: A 8a, B 16d, O 32e).

    Magnetite: A 5 μB, B ``b_moment`` (4.5 = averaged Fe2.5+). Maghemite: pass ``phase="gamma-Fe2O3"``,
    ``b_moment=5`` and ``vacancy_fraction=1/6`` (exactly round(n_B/6) random B sites removed).
    """
    cub = crystal(["Fe", "Fe", "O"], basis=[(1 / 8, 1 / 8, 1 / 8), (0.5, 0.5, 0.5), (x_O, x_O, x_O)],
                  spacegroup=227, setting=2, cellpar=[a, a, a, 90, 90, 90])
    kinds = cub.get_array("spacegroup_kinds")
    del cub.arrays["spacegroup_kinds"]
    sub = np.array(["A", "B", "O"])[kinds]
    mom = np.array([5.0, b_moment, 0.0])[kinds]
    _label(cub, sub, mom, phase)
    cub.pbc = True
    atoms = cub.repeat((L, L, L))
    if vacancy_fraction > 0:
        rng = np.random.default_rng(seed)
        b = np.flatnonzero(atoms.arrays["sublattice"] == "B")
        drop = rng.choice(b, size=int(round(len(b) * vacancy_fraction)), replace=False)
        keep = np.ones(len(atoms), bool)
        keep[drop] = False
        atoms = atoms[keep]
    return atoms


def rocksalt_box(L=3, a=A_FEO, moment=4.0):
    """Periodic L×L×L FeO rock-salt box (Fe 4 μB labelled 'R')."""
    at = crystal(["Fe", "O"], basis=[(0, 0, 0), (0.5, 0.5, 0.5)], spacegroup=225, cellpar=[a, a, a, 90, 90, 90])
    kinds = at.get_array("spacegroup_kinds")
    del at.arrays["spacegroup_kinds"]
    _label(at, np.array(["R", "O"])[kinds], np.array([moment, 0.0])[kinds], "FeO")
    at.pbc = True
    return at.repeat((L, L, L))


def spinel_sphere(diameter_A, **kw):
    """Open sphere cut from an ideal spinel box (pbc off); ``surface`` = magnetic sites with fewer cation
    neighbours within 3.7 Å than in the bulk."""
    L = int(np.ceil(diameter_A / kw.get("a", A_MAGNETITE))) + 1
    box = spinel_box(L, **kw)
    c = box.cell.sum(axis=0) / 2
    keep = np.linalg.norm(box.positions - c, axis=1) <= diameter_A / 2
    p = box[keep]
    p.pbc = False
    p.cell = np.zeros((3, 3))
    p.positions -= c
    from scipy.spatial import cKDTree

    cat = p.arrays["sublattice"] != "O"
    tree = cKDTree(p.positions[cat])
    cnt = np.array([len(x) - 1 for x in tree.query_ball_point(p.positions[cat], 3.7)])
    bulk = {"A": 16, "B": 12}
    sub = p.arrays["sublattice"][cat]
    surf = np.zeros(len(p), bool)
    surf[np.flatnonzero(cat)] = cnt < np.array([bulk[s] for s in sub])
    p.set_array("surface", surf)
    return p
