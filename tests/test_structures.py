"""Bulk cells and particles of atomspin.structures against crystallographic facts and exact counts."""
import json

import numpy as np
import pytest
import spglib
from ase.neighborlist import neighbor_list

from atomspin import structures as S

A_MAG = 8.396  # Hamilton 1958


def _nearest(atoms, s1, s2, cutoff=4.0):
    """Nearest s1–s2 distance with ASE's own neighbour list (independent of the package's cKDTree)."""
    i, j, d = neighbor_list("ijd", atoms, cutoff)
    sub = atoms.arrays["sublattice"]
    m = (sub[i] == s1) & (sub[j] == s2)
    return d[m].min()


def _spg(atoms):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # spglib's OLD_ERROR_HANDLING notice
        return spglib.get_symmetry_dataset((atoms.cell[:], atoms.get_scaled_positions(), atoms.numbers),
                                           symprec=1e-3).number


# ----------------------------------------------------------------------------- magnetite cell
def test_magnetite_cell_composition_and_symmetry():
    at = S.build_bulk("Fe3O4")
    assert len(at) == 56 and at.get_chemical_formula() == "Fe24O32"
    sub = at.arrays["sublattice"]
    assert (sub == "A").sum() == 8 and (sub == "B").sum() == 16 and (sub == "O").sum() == 32
    assert _spg(at) == 227
    assert at.info["phase"] == "Fe3O4" and at.info["lattice_a_A"] == pytest.approx(A_MAG)


@pytest.mark.parametrize("pair,ref", [(("A", "B"), 3.48), (("B", "B"), 2.97), (("A", "A"), 3.64),
                                      (("A", "O"), 1.89), (("B", "O"), 2.06)])
def test_magnetite_nearest_distances(pair, ref):
    at = S.build_bulk("Fe3O4")
    assert _nearest(at, *pair) == pytest.approx(ref, abs=0.01)


def test_magnetite_coordination_numbers():
    at = S.build_bulk("Fe3O4")
    i, j = neighbor_list("ij", at, 2.3)
    sub = at.arrays["sublattice"]
    n_o = np.bincount(i[sub[j] == "O"], minlength=len(at))
    assert np.all(n_o[sub == "A"] == 4) and np.all(n_o[sub == "B"] == 6)
    assert np.all(at.arrays["missing_O"] == 0) and np.all(at.arrays["missing_cation"] == 0)


@pytest.mark.parametrize("rule", ["verwey", "random", "averaged"])
def test_magnetite_moment_4_muB_per_fu(rule):
    at = S.build_bulk("Fe3O4", repeat=2, b_valence=rule, seed=3)
    d = S.describe(at)
    assert d["moment_per_fu_muB"] == pytest.approx(4.0, abs=1e-12)
    assert d["charge_e"] == pytest.approx(0.0, abs=1e-9)
    if rule == "averaged":
        assert set(d["counts_valence"]) == {"A:Fe:+3", "B:Fe:+2.5", "O:O:-2"}
    else:
        assert d["counts_valence"]["B:Fe:+2"] == d["counts_valence"]["B:Fe:+3"] == 64


def test_verwey_order_satisfies_anderson_condition():
    # each B tetrahedron holds 2 Fe2+ + 2 Fe3+  <=>  every B has exactly 2 like-valence B neighbours of 6
    at = S.build_bulk("Fe3O4", repeat=2)
    i, j = neighbor_list("ij", at, 3.1)
    sub, val = at.arrays["sublattice"], at.arrays["valence"]
    bb = (sub[i] == "B") & (sub[j] == "B")
    like = np.bincount(i[bb & (val[i] == val[j])], minlength=len(at))
    allb = np.bincount(i[bb], minlength=len(at))
    assert np.all(allb[sub == "B"] == 6) and np.all(like[sub == "B"] == 2)


def test_random_valences_depend_on_seed_only():
    a1 = S.build_bulk("Fe3O4", repeat=2, b_valence="random", seed=5)
    a2 = S.build_bulk("Fe3O4", repeat=2, b_valence="random", seed=5)
    a3 = S.build_bulk("Fe3O4", repeat=2, b_valence="random", seed=6)
    assert np.array_equal(a1.arrays["valence"], a2.arrays["valence"])
    assert not np.array_equal(a1.arrays["valence"], a3.arrays["valence"])


# ----------------------------------------------------------------------------- maghemite
@pytest.mark.parametrize("repeat, n_vac, charge", [(1, 3, -1), (2, 21, 1), ((1, 1, 3), 8, 0), (3, 72, 0)])
def test_random_maghemite_composition_is_nearest_to_neutral(repeat, n_vac, charge):
    """Exactly round(N_B/6) vacancies: N_B = 16 per cube; Fe3+ only, so charge = 3·(8+16−v)·N − 64·N."""
    for seed in (0, 1, 2):
        at = S.build_bulk("gamma-Fe2O3", repeat=repeat, seed=seed)
        assert at.info["vacancies_B"] == n_vac and S.describe(at)["charge_e"] == charge
    big = S.build_bulk("gamma-Fe2O3", repeat=3, seed=1)  # 432 B sites: exactly 72 vacancies
    d = S.describe(big)
    assert big.info["n_Fe"] == 576 and d["moment_per_fu_muB"] == pytest.approx(2.5)
    assert d["vacancy_fraction"] == pytest.approx(1 / 6) and d["charge_e"] == 0


def test_ordered_maghemite_is_p41212_with_64_fe_per_96_o():
    at = S.build_bulk("gamma-Fe2O3", vacancies="ordered")
    assert at.get_chemical_formula() == "Fe64O96"
    assert _spg(at) in (92, 96)
    assert at.cell[2, 2] / at.cell[0, 0] == pytest.approx(25.034 / 8.346)
    assert S.describe(at)["moment_per_fu_muB"] == pytest.approx(2.5, abs=1e-12)
    sub = at.arrays["sublattice"]
    assert (sub == "A").sum() == 24 and (sub == "B").sum() == 40
    assert np.all(at.arrays["valence"][sub != "O"] == 3)


# ----------------------------------------------------------------------------- wüstite
def test_wustite_cell():
    at = S.build_bulk("FeO", repeat=2)
    assert at.get_chemical_formula() == "Fe32O32" and _spg(at) == 225
    assert _nearest(at, "R", "O") == pytest.approx(4.30 / 2, abs=1e-9)
    assert S.describe(at)["net_moment_muB"] == 0.0  # type-II AF, compensated


def test_fe_deficient_wustite_is_neutral():
    at = S.build_bulk("FeO", repeat=4, fe_deficiency=0.1, seed=2)
    d = S.describe(at)
    assert d["charge_e"] == pytest.approx(0.0)
    n_vac = 256 - d["counts"]["R"]
    assert d["counts_valence"]["R:Fe:+3"] == 2 * n_vac
    assert abs(n_vac - 25.6) <= 1


# ----------------------------------------------------------------------------- particles
def test_10nm_magnetite_sphere_fe_count():
    p = S.build_particle("Fe3O4", "sphere", 10.0)
    density = 24 / (A_MAG / 10) ** 3  # Fe per nm³ = 40.5
    assert density == pytest.approx(40.5, abs=0.1)
    expected = density * 4 / 3 * np.pi * 5.0 ** 3
    assert p.info["n_Fe"] == pytest.approx(expected, rel=0.05)
    assert S.min_distance_A(p) > 1.7


def _slow_missing(atoms):
    """Reference: full distance matrix, plain loops over site families."""
    pos = atoms.positions
    d = np.linalg.norm(pos[:, None] - pos[None], axis=2)
    np.fill_diagonal(d, np.inf)
    sub = atoms.arrays["sublattice"]
    cat = sub != "O"
    out_c, out_o = [], []
    for k in range(len(atoms)):
        if sub[k] == "O":
            out_c.append(4 - np.sum(d[k, cat] < 2.6))
            out_o.append(0)
        else:
            ideal_c = {"A": 16, "B": 12, "R": 12}[sub[k]]
            ideal_o = {"A": 4, "B": 6, "R": 6}[sub[k]]
            out_c.append(ideal_c - np.sum(d[k, cat] < 3.75))
            out_o.append(ideal_o - np.sum(d[k, ~cat] < 2.6))
    return np.array(out_c), np.array(out_o)


def test_missing_neighbour_labels_match_bruteforce():
    p = S.build_particle("Fe3O4", "cube", 2.5, center="A")
    c, o = _slow_missing(p)
    assert np.array_equal(p.arrays["missing_cation"], c)
    assert np.array_equal(p.arrays["missing_O"], o)
    deep = p.arrays["depth_nm"] > 0.45
    assert deep.any() and np.all(p.arrays["missing_cation"][deep] == 0)
    assert np.all(p.arrays["missing_O"][deep] == 0)


@pytest.mark.parametrize("shape", ["sphere", "cube", "octahedron", "truncated_octahedron", "ellipsoid"])
def test_shapes_depth_and_volume(shape):
    p = S.build_particle("Fe3O4", shape, 6.0, aspect=1.6, center="inversion")
    sh = json.loads(p.info["shape"])
    r = p.positions - sh["center_A"]
    depth = p.arrays["depth_nm"] * 10
    assert depth.min() >= 0 and depth.min() < 1.5  # outermost atoms lie at the surface
    if shape == "sphere":
        np.testing.assert_allclose(depth, 30.0 - np.linalg.norm(r, axis=1), atol=1e-9)
    elif shape == "cube":
        np.testing.assert_allclose(depth, 30.0 - np.abs(r).max(1), atol=1e-9)
    elif shape == "octahedron":  # distance to the nearest of the 8 {111} planes
        normals = np.array([[sx, sy, sz] for sx in (1, -1) for sy in (1, -1) for sz in (1, -1)]) / np.sqrt(3)
        np.testing.assert_allclose(depth, (30.0 / np.sqrt(3) - r @ normals.T).min(1), atol=1e-9)
    elif shape == "truncated_octahedron":
        assert np.abs(r).max() <= 20.0 + 1e-6 and np.abs(r).sum(1).max() <= 30.0 + 1e-6
    else:
        assert np.all(((r / [30, 30, 48]) ** 2).sum(1) <= 1 + 1e-9)
        assert depth.max() == pytest.approx(30.0, abs=1.5)
    # the Fe count follows the shape volume (±15 % at 6 nm: complete {111} surface planes)
    from atomspin.structures.shapes import volume_A3
    assert p.info["n_Fe"] == pytest.approx(24 / A_MAG ** 3 * volume_A3(sh), rel=0.15)


def test_centred_on_chosen_site():
    for site in ("A", "B", "O"):
        p = S.build_particle("Fe3O4", "sphere", 3.0, center=site)
        c = json.loads(p.info["shape"])["center_A"]
        k = np.argmin(np.linalg.norm(p.positions - c, axis=1))
        assert np.linalg.norm(p.positions[k] - c) < 1e-9 and p.arrays["sublattice"][k] == site
    # inversion centre (empty 16c): the B-centred and inversion-centred particles are centrosymmetric
    p = S.build_particle("Fe3O4", "sphere", 3.0, center="inversion")
    c = np.array(json.loads(p.info["shape"])["center_A"])
    from scipy.spatial import cKDTree
    d, _ = cKDTree(p.positions).query(2 * c - p.positions)
    assert d.max() < 1e-6


@pytest.mark.parametrize("phase", ["Fe3O4", "gamma-Fe2O3", "FeO"])
def test_small_particles_all_phases(phase):
    p = S.build_particle(phase, "sphere", 2.0, seed=1)
    assert len(p) > 100 and S.min_distance_A(p) > 1.7
    assert p.info["phase"] == phase and np.all(p.arrays["depth_nm"] <= 1.0 + 1e-9)
    for key in ("sublattice", "valence", "moment_muB", "region", "apb_zone", "surface", "depth_nm",
                "missing_cation", "missing_O"):
        assert key in p.arrays


@pytest.mark.slow
def test_large_sphere(full_scale):
    d = 30.0 if full_scale else 14.0
    p = S.build_particle("Fe3O4", "sphere", d)
    assert p.info["n_Fe"] == pytest.approx(40.55 * np.pi / 6 * d ** 3, rel=0.02)


def test_ideal_lattice_has_no_180_degree_bob_links():
    assert S.count_bob_links(S.build_bulk("Fe3O4", repeat=2)) == 0
    assert S.count_bob_links(S.build_particle("Fe3O4", "sphere", 4.0)) == 0


@pytest.mark.slow
def test_build_label_apb_vacancies_performance(full_scale):
    """Acceptance: a 20 nm sphere (~390k atoms) with vacancies and one APB, labelled, in < 15 s."""
    import time
    d = 20.0 if full_scale else 12.0
    t = time.perf_counter()
    p = S.build_particle("Fe3O4", "sphere", d, seed=1)
    q = S.insert_apb(S.add_vacancies(p, 0.1, seed=1), (1, 1, 0))
    assert time.perf_counter() - t < 15.0
    assert S.min_distance_A(q) > 1.7


def test_ellipsoid_depth_is_exact_distance():
    """Newton/Eberly distance against a brute-force minimisation over the surface parametrisation."""
    from scipy.optimize import minimize

    from atomspin.structures.shapes import depth_A
    ax = np.array([30.0, 50.0, 80.0])
    sh = {"kind": "ellipsoid", "center_A": [0.0, 0.0, 0.0], "semi_axes_A": list(ax)}
    rng = np.random.default_rng(0)
    p = rng.uniform(-80, 80, (4000, 3))
    p = np.vstack([p[((p / ax) ** 2).sum(1) < 1][:12], [[0, 0, 0], [0, 20, 0], [0, 0, 50]]])
    d = depth_A(sh, p)

    def brute(x):
        f = lambda v: np.linalg.norm(ax * [np.sin(v[0]) * np.cos(v[1]), np.sin(v[0]) * np.sin(v[1]),
                                           np.cos(v[0])] - x)
        return min(minimize(f, [t0, p0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-10}).fun
                   for t0 in np.linspace(0.1, 3.0, 5) for p0 in np.linspace(0, 6.0, 6))
    np.testing.assert_allclose(d, [brute(x) for x in p], atol=1e-5)


@pytest.mark.parametrize("shape, q0", [("cube", -805), ("octahedron", 329)])
def test_neutralise_fe3o4_by_outermost_valence_changes(shape, q0):
    """Review: cut particles are far from neutral (6 nm Fe3O4 cube −805 e, octahedron +329 e)."""
    a = S.build_particle("Fe3O4", shape, 6.0)
    b = S.build_particle("Fe3O4", shape, 6.0, neutralise=True)
    assert S.describe(a)["charge_e"] == q0 and S.describe(b)["charge_e"] == 0
    assert S.describe(b)["counts"] == S.describe(a)["counts"]  # valences only, no atom removed
    changed = b.arrays["valence"] != a.arrays["valence"]
    assert changed.sum() == abs(q0)
    va, vb = a.arrays["valence"][changed], b.arrays["valence"][changed]
    assert np.all(vb - va == np.sign(-q0))  # one e per ion, in the right direction
    assert np.all(b.arrays["moment_muB"][changed] == 4.0 + (vb - 2.0))
    # outermost first: no unchanged eligible ion lies strictly shallower than a changed one
    eligible = (a.arrays["valence"] == (2.0 if q0 < 0 else 3.0)) & (a.numbers == 26)
    if q0 > 0:
        eligible &= a.arrays["sublattice"] == "B"
    depth = a.arrays["depth_nm"]
    assert depth[eligible & ~changed].min() >= depth[changed].max()


def test_neutralise_maghemite_removes_dangling_o():
    a = S.build_particle("gamma-Fe2O3", "cube", 6.0)
    b = S.build_particle("gamma-Fe2O3", "cube", 6.0, neutralise=True)
    q0 = S.describe(a)["charge_e"]
    assert q0 < 0 and S.describe(b)["charge_e"] == 0
    n_o = S.describe(a)["counts"]["O"] - S.describe(b)["counts"]["O"]
    assert n_o == (-q0 + 1) // 2  # +2 e per O, one Fe3+ → Fe2+ more when −q0 is odd
    rec = S.defect_records(b)[-1]
    assert rec["type"] == "neutralise" and rec["n_removed_O"] == n_o
    assert rec["n_reduced_fe3"] == 2 * n_o + q0
    assert S.min_distance_A(b) > 1.7
