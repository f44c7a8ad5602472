"""Bulk cells of magnetite, maghemite and wüstite from crystallographic data (``ase.spacegroup.crystal``)."""
from __future__ import annotations

import json

import numpy as np
from ase import Atoms
from ase.spacegroup import crystal

from atomspin.structures import data
from atomspin.validation import check_choice, check_real, check_repeat, check_seed
from atomspin.structures.labels import delete_atoms, relabel, set_array

B_VALENCE_RULES = ("verwey", "random", "averaged")
VACANCY_ORDERS = ("random", "ordered")

#: Vacancy sites of the ordered tetragonal maghemite cell, fractional coordinates in units of the
#: cubic sub-cell (z in [0, 3)) of the 1×1×3 spinel supercell (origin choice 2).
#: Derived: all 8-site B-vacancy sets that are unions of orbits of a P4_12_12 subgroup of Fd-3m in
#: the 1×1×3 cell were enumerated (24 sets, two inequivalent classes, both with nearest
#: vacancy–vacancy distance √6/4·a); this set belongs to the class with the lower Ewald energy of
#: the vacancies (point charges), i.e. the most homogeneous distribution, as Grau-Crespo et al.
#: (J. Phys.: Condens. Matter 22, 255401 (2010)) find for the stable P4_12_12 ordering. spglib
#: identifies the resulting Fe64O96 cell as P4_12_12 (No. 92); see tests/test_structures.py.
ORDERED_VACANCIES_FRAC = np.array([
    [0.50, 0.50, 0.50], [0.00, 0.75, 0.25], [0.00, 0.75, 1.25], [0.25, 0.00, 1.75],
    [0.75, 0.25, 1.00], [0.50, 0.50, 2.50], [0.25, 0.00, 2.75], [0.75, 0.25, 2.00],
])


def _spinel_cell(a, x_O, nz=1, c=None):
    """Ideal spinel cell (8a, 16d, 32e; Fd-3m origin 2), stacked nz times along z, c = nz·a unless
    given. Returns Atoms with a 'sublattice' array (A, B, O)."""
    cub = crystal(["Fe", "Fe", "O"], basis=[(1 / 8, 1 / 8, 1 / 8), (0.5, 0.5, 0.5), (x_O, x_O, x_O)],
                  spacegroup=227, setting=2, cellpar=[1.0, 1.0, 1.0, 90, 90, 90])
    kinds = cub.get_array("spacegroup_kinds")
    f = cub.get_scaled_positions()
    frac = np.concatenate([f + [0, 0, k] for k in range(nz)])
    kinds = np.tile(kinds, nz)
    c = nz * a if c is None else c
    scale = np.array([a, a, c / nz])
    atoms = Atoms(numbers=np.where(kinds == 2, 8, 26), positions=frac * scale,
                  cell=np.diag([a, a, c]), pbc=True)
    set_array(atoms, "sublattice", np.array(["A", "B", "O"])[kinds])
    return atoms


def _rocksalt_cell(a):
    at = crystal(["Fe", "O"], basis=[(0, 0, 0), (0.5, 0.5, 0.5)], spacegroup=225,
                 cellpar=[a, a, a, 90, 90, 90])
    at.pbc = True
    kinds = at.get_array("spacegroup_kinds")
    del at.arrays["spacegroup_kinds"]
    set_array(at, "sublattice", np.array(["R", "O"])[kinds])
    return at


def _verwey_fe2(atoms, a_cub):
    """Mask of magnetite B sites that carry Fe2+ in Verwey's layered ordering: B layers ⊥ [001] at
    z = 0, a/4, a/2, 3a/4 (rows along [110] and [1-10]) alternate Fe3+ / Fe2+ (Fe2+ on z = a/4, 3a/4).
    Every B tetrahedron then holds 2 Fe2+ + 2 Fe3+ (Anderson condition; checked in the tests).
    Verwey's model of Fe2+/Fe3+ order on the octahedral sites (IUPAC Gold Book "Verwey transition"
    [C]; Verwey & Haayman, Physica 8, 979 (1941) [U]). It is a bookkeeping choice, not the refined
    low-temperature structure (Wright et al., P2/c, [C] abstract)."""
    z = atoms.positions[:, 2] / a_cub
    layer = np.rint(4 * (z - np.floor(z))).astype(int) % 4
    return (atoms.arrays["sublattice"] == "B") & (layer % 2 == 1)


def assign_labels(atoms, phase, b_valence, rng, fe2_mask=None, region="bulk"):
    """Set valence, moment_muB, region, apb_zone, defect_zone (−1), grain (0), surface on a freshly built (undoped) cell or particle.

    Magnetite B valences: 'verwey' uses ``fe2_mask`` (layer pattern), 'random' draws exactly
    floor(N_B/2) Fe2+ among the B sites (seeded), 'averaged' gives +2.5 and 4.5 μB.
    Maghemite: all Fe3+. Wüstite R: Fe2+.
    """
    n = len(atoms)
    sub = atoms.arrays["sublattice"]
    val = np.zeros(n)
    val[sub == "O"] = -2.0
    val[sub == "A"] = 3.0
    val[sub == "R"] = 2.0
    b = np.flatnonzero(sub == "B")
    if phase == "Fe3O4":
        if b_valence == "averaged":
            val[b] = 2.5
        elif b_valence == "verwey":
            val[b] = 3.0
            val[fe2_mask] = 2.0
        else:
            val[b] = 3.0
            val[rng.choice(b, size=len(b) // 2, replace=False)] = 2.0
    else:
        val[b] = 3.0
    mom = np.where(sub == "O", 0.0, data.fe_moment(val))
    set_array(atoms, "valence", val)
    set_array(atoms, "moment_muB", mom)
    set_array(atoms, "region", np.full(n, region))
    set_array(atoms, "apb_zone", np.zeros(n, bool))
    set_array(atoms, "defect_zone", np.full(n, -1))
    set_array(atoms, "grain", np.zeros(n))
    set_array(atoms, "surface", np.zeros(n, bool))


def remove_random_fraction(atoms, mask, fraction, rng, exact=False):
    """Indices (into atoms) of a uniformly random subset of the ``mask`` sites of expected size
    fraction·N: stochastic rounding of the count (the expectation is exact), or with ``exact`` the
    nearest integer round(fraction·N) (periodic cells: neutral whenever fraction·N is an integer)."""
    idx = np.flatnonzero(mask)
    target = fraction * len(idx)
    n = int(np.floor(target))
    if exact:
        n = int(np.floor(target + 0.5))
    elif rng.random() < target - n:
        n += 1
    return np.sort(rng.choice(idx, size=min(n, len(idx)), replace=False))


def template_cell(phase, vacancies="random"):
    """Unit cell used for tiling: (atoms with 'sublattice', a_cub in Å, c in Å, ordered?)."""
    if phase == "Fe3O4":
        return _spinel_cell(data.MAGNETITE_A, data.MAGNETITE_X), data.MAGNETITE_A
    if phase == "gamma-Fe2O3":
        if vacancies == "ordered":
            a, c = data.MAGHEMITE_TET_A, data.MAGHEMITE_TET_C
            at = _spinel_cell(a, data.MAGHEMITE_X, nz=3, c=c)
            frac = at.positions / np.array([a, a, c / 3])
            keep = np.ones(len(at), bool)
            for v in ORDERED_VACANCIES_FRAC:
                d = np.abs(frac - v)
                d = np.minimum(d, np.array([1, 1, 3]) - d)
                hit = np.flatnonzero((d.sum(1) < 1e-6) & (at.arrays["sublattice"] == "B"))
                assert len(hit) == 1
                keep[hit] = False
            return at[keep], a
        return _spinel_cell(data.MAGHEMITE_A, data.MAGHEMITE_X), data.MAGHEMITE_A
    return _rocksalt_cell(data.WUSTITE_A), data.WUSTITE_A


def apply_fe_deficiency(atoms, x, rng):
    """Fe(1−x)O: remove a random fraction x of the R sites; oxidise 2 Fe2+ → Fe3+ per removed Fe2+
    (charge neutrality: (1−3x) Fe2+ + 2x Fe3+ per O). Returns (atoms, n_removed, n_oxidised)."""
    sub = atoms.arrays["sublattice"]
    rem = remove_random_fraction(atoms, sub == "R", x, rng)
    out = delete_atoms(atoms, rem)
    r = np.flatnonzero((out.arrays["sublattice"] == "R") & (out.arrays["valence"] == 2.0))
    n_ox = min(2 * len(rem), len(r))
    ox = rng.choice(r, size=n_ox, replace=False)
    out.arrays["valence"][ox] = 3.0
    out.arrays["moment_muB"][ox] = data.fe_moment(3.0)
    return out, len(rem), n_ox


def _base_info(atoms, phase, a, recipe, seed):
    atoms.info["phase"] = phase
    atoms.info["recipe"] = json.dumps(recipe)
    atoms.info["seed"] = int(seed)
    atoms.info["lattice_a_A"] = float(a)
    atoms.info["defects"] = "[]"


def build_bulk(phase="Fe3O4", *, repeat=(1, 1, 1), b_valence="verwey", vacancies="random",
               fe_deficiency=0.0, seed=0):
    """Periodic bulk cell of a phase, with the Contract-1 labels.

    Parameters
    ----------
    phase : {'Fe3O4', 'gamma-Fe2O3', 'FeO'} (aliases 'magnetite', 'maghemite', 'wustite', ...)
    repeat : int or 3 ints ≥ 1
        Repetitions of the unit cell (56-atom spinel cube; 1×1×3 tetragonal cell for ordered
        maghemite; 8-atom rock-salt cube).
    b_valence : {'verwey', 'random', 'averaged'}
        Magnetite B sites: Verwey layered Fe2+/Fe3+ order (default), a seeded random half Fe2+, or
        averaged Fe2.5+ (4.5 μB). Ignored for the other phases.
    vacancies : {'random', 'ordered'}
        Maghemite only: B vacancies on random B sites (seeded; exactly round(N_B/6) of them, so
        cells of 3k cubes are neutral Fe64kO96k and others carry the nearest integer charge,
        e.g. −1 e for one cube Fe21O32, +1 e for 2×2×2) or the ordered tetragonal P4_12_12 cell (Fe64O96 per 1×1×3 cell).
    fe_deficiency : float in [0, 1/3]
        Wüstite only: x of Fe(1−x)O (random R vacancies; 2 Fe3+ per vacancy keep the cell neutral).
    seed : int ≥ 0
        Seed of every random choice.

    Returns
    -------
    ase.Atoms, pbc=True, orthogonal cell (Å), labels in ``arrays`` and ``info`` (Contract 1).
    """
    phase = data.canonical_phase(phase)
    reps = check_repeat(repeat)
    check_choice("b_valence", b_valence, B_VALENCE_RULES)
    check_choice("vacancies", vacancies, VACANCY_ORDERS)
    x = check_real("fe_deficiency", fe_deficiency, 0.0, 1.0 / 3.0)
    if x > 0 and phase != "FeO":
        raise ValueError(f"fe_deficiency: {fe_deficiency!r} is only allowed for phase 'FeO' (else 0)")
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    cell, a = template_cell(phase, vacancies)
    atoms = cell.repeat(reps)
    fe2 = _verwey_fe2(atoms, a) if phase == "Fe3O4" else None
    assign_labels(atoms, phase, b_valence, rng, fe2, region="bulk")
    sites_b = int(np.sum(atoms.arrays["sublattice"] == "B"))
    n_vac = 0
    if phase == "gamma-Fe2O3":
        if vacancies == "random":
            # exactly round(N_B/6): neutral when N_B/6 is an integer (N cells a multiple of 3),
            # else the nearest composition (|charge| ≤ 1 e)
            rem = remove_random_fraction(atoms, atoms.arrays["sublattice"] == "B", 1.0 / 6.0, rng,
                                         exact=True)
            n_vac = len(rem)
            keep = np.ones(len(atoms), bool)
            keep[rem] = False
            atoms = atoms[keep]
        else:
            n_vac = len(ORDERED_VACANCIES_FRAC) * int(np.prod(reps))
            sites_b += n_vac
    n_vac_r = 0
    sites_r = int(np.sum(atoms.arrays["sublattice"] == "R"))
    if phase == "FeO" and x > 0:
        atoms, n_vac_r, _ = apply_fe_deficiency(atoms, x, rng)
    recipe = dict(builder="build_bulk", phase=phase, repeat=list(reps), b_valence=b_valence,
                  vacancies=vacancies, fe_deficiency=x, seed=seed)
    _base_info(atoms, phase, a, recipe, seed)
    if phase == "gamma-Fe2O3" and vacancies == "ordered":
        atoms.info["lattice_c_A"] = float(data.MAGHEMITE_TET_C)
    atoms.info["sites_B"] = sites_b
    atoms.info["vacancies_B"] = n_vac
    atoms.info["sites_R"] = sites_r
    atoms.info["vacancies_R"] = n_vac_r
    return relabel(atoms)
