"""Ordered (P4_332) and radial-gradient B-site vacancies of structures.add_vacancies (issue #15)."""
import numpy as np
import pytest
from ase.spacegroup import Spacegroup
from scipy.spatial import cKDTree

from atomspin import structures as S
from atomspin.structures.point_defects import ORDERED_B_FRAC, ordered_b_mask

B_NN = np.sqrt(2.0) / 4.0  # B–B nearest-neighbour distance in units of the cubic cell edge


@pytest.fixture(scope="module")
def sphere6():
    return S.build_particle("Fe3O4", "sphere", 6.0, seed=1)


def _removed(before, after):
    """Indices (into ``before``) of the B sites that ``after`` no longer has."""
    b = np.flatnonzero(before.arrays["sublattice"] == "B")
    d, _ = cKDTree(after.positions[after.arrays["sublattice"] == "B"]).query(before.positions[b])
    return b[d > 0.1]


def _wrap(x):
    return ((x + 0.5) % 1.0) - 0.5


def test_ordered_sites_are_the_p4332_4b_orbit():
    """Independent check of ORDERED_B_FRAC with ase's space-group tables: the 4b orbit of P4_332 (No. 212) is a
    subset of the 16d orbit of Fd-3m origin choice 1 and, shifted by −(1/8, 1/8, 1/8) to origin choice 2, equals
    the constant; its complement in 16d is the single 12d orbit (the Fe sites of ordered LiFe5O8)."""
    b4, _ = Spacegroup(212).equivalent_sites([(5 / 8, 5 / 8, 5 / 8)])
    d12, _ = Spacegroup(212).equivalent_sites([(1 / 8, 3 / 8, 7 / 8)])
    d16, _ = Spacegroup(227, setting=2).equivalent_sites([(0.5, 0.5, 0.5)])
    shifted = b4 - 1 / 8
    for x in shifted:
        assert np.min(np.linalg.norm(_wrap(ORDERED_B_FRAC - x), axis=1)) < 1e-9
    assert len(b4) == len(ORDERED_B_FRAC) == 4 and len(d12) == 12 and len(d16) == 16
    for x in np.concatenate([shifted, d12 - 1 / 8]):
        assert np.min(np.linalg.norm(_wrap(d16 - x), axis=1)) < 1e-9
    # 4b and 12d are disjoint: together they are the 16 B sites
    assert min(np.min(np.linalg.norm(_wrap(d12 - 1 / 8 - x), axis=1)) for x in shifted) > 0.3


def test_ordered_sublattice_one_site_per_b_tetrahedron(sphere6):
    """A quarter of the B sites, no two of them nearest neighbours (one per B4 tetrahedron), 8 distinct domains."""
    b = sphere6.arrays["sublattice"] == "B"
    a = 8.396
    masks = [ordered_b_mask(sphere6, d) for d in range(8)]
    assert len({m.tobytes() for m in masks}) == 8
    inner = b & (sphere6.arrays["depth_nm"] > 1.0)
    for m in masks:
        assert not np.any(m & ~b)
        assert np.sum(m & inner) / np.sum(inner) == pytest.approx(0.25, abs=0.02)
        pos = sphere6.positions[m]
        pairs = cKDTree(pos).query_pairs(B_NN * a * 1.05)
        assert len(pairs) == 0
        # and each ordered site has 6 B nearest neighbours, none ordered, where it has all of them
        nb = cKDTree(sphere6.positions[b]).query_ball_point(sphere6.positions[m & inner], B_NN * a * 1.05)
        assert all(len(x) == 7 for x in nb)  # itself + 6


@pytest.mark.parametrize("delta", [0.1, 0.3])
def test_ordered_vacancies_count_sites_and_charge(sphere6, delta):
    v = S.add_vacancies(sphere6, delta, mode="ordered", seed=5)
    rec = [r for r in S.defect_records(v) if r["type"] == "vacancies"][-1]
    n_b = int(np.sum(sphere6.arrays["sublattice"] == "B"))
    n = int(round(delta * n_b / 2))
    assert rec["n_removed"] == n == len(sphere6) - len(v)
    rem = _removed(sphere6, v)
    assert len(rem) == n
    assert np.all(ordered_b_mask(sphere6, rec["ordered_domain"])[rem])  # every vacancy on the 4b sublattice
    # charge bookkeeping: neutral change (the removed cation charge is restored by oxidation of Fe2+)
    assert S.describe(v)["charge_e"] == pytest.approx(S.describe(sphere6)["charge_e"], abs=1e-9)
    assert rec["charge_uncompensated_e"] == pytest.approx(0.0, abs=1e-9)
    # a fraction 2δ of the 4b sites is empty (at δ = 1/3: two thirds, van Oosterhout & Rooijmans'
    # Fe8[(Fe4/3□8/3)Fe12]O32)
    n4b = int(np.sum(ordered_b_mask(sphere6, rec["ordered_domain"])))
    assert n / n4b == pytest.approx(2 * delta, abs=0.03)


def test_ordered_vacancies_seeded_and_domain_from_seed(sphere6):
    a, b = (S.add_vacancies(sphere6, 0.1, mode="ordered", seed=3) for _ in range(2))
    assert np.array_equal(a.positions, b.positions)
    doms = {[r for r in S.defect_records(S.add_vacancies(sphere6, 0.05, mode="ordered", seed=s))
             if r["type"] == "vacancies"][-1]["ordered_domain"] for s in range(12)}
    assert len(doms) > 1


def test_ordered_vacancies_refuse_a_moved_crystal(sphere6):
    with pytest.raises(ValueError, match="atoms"):
        S.add_vacancies(S.insert_apb(sphere6, (1, 1, 0)), 0.1, mode="ordered", seed=1)
    with pytest.raises(ValueError, match="atoms"):
        S.add_vacancies(S.build_bulk("Fe3O4", repeat=2), 0.1, mode="ordered", seed=1)
    with pytest.raises(ValueError, match="domain"):
        ordered_b_mask(sphere6, 8)


def _profile(before, rem, edges):
    b = before.arrays["sublattice"] == "B"
    depth = before.arrays["depth_nm"]
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = b & (depth >= lo) & (depth < hi)
        out.append(np.isin(np.flatnonzero(sel), rem).mean())
    return np.array(out)


def test_gradient_vacancies_count_charge_and_profile(sphere6):
    """Vacancy fraction per depth shell falls with depth, by about e per shell_nm; random mode stays flat."""
    edges = np.array([0.0, 0.5, 1.0, 1.5, 2.2])  # the centre (< 0.8 nm from it) has too few sites
    n_b = int(np.sum(sphere6.arrays["sublattice"] == "B"))
    prof_g, prof_r = [], []
    for seed in (1, 2, 3):
        g = S.add_vacancies(sphere6, 0.1, mode="gradient", shell_nm=1.0, seed=seed)
        r = S.add_vacancies(sphere6, 0.1, mode="random", seed=seed)
        rec = [x for x in S.defect_records(g) if x["type"] == "vacancies"][-1]
        assert rec["n_removed"] == round(0.1 * n_b / 2) == len(sphere6) - len(g)
        assert rec["shell_nm"] == 1.0
        assert S.describe(g)["charge_e"] == pytest.approx(S.describe(sphere6)["charge_e"], abs=1e-9)
        prof_g.append(_profile(sphere6, _removed(sphere6, g), edges))
        prof_r.append(_profile(sphere6, _removed(sphere6, r), edges))
    pg, pr = np.mean(prof_g, axis=0), np.mean(prof_r, axis=0)
    assert np.all(np.diff(pg) < 0)  # monotone: denser toward the surface
    # first two shells are 0.5 nm apart: weight ratio e^0.5 = 1.65 (sampling without replacement flattens it a
    # little where the weights are large); the outer shell against 1.5–2.2 nm: ≈ e^1.6 ≈ 5
    assert 1.3 < pg[0] / pg[1] < 1.9
    assert pg[0] / pg[-1] > 3.0
    assert pr.max() / pr.min() < 1.5  # the control: random vacancies have no profile


def test_gradient_shorter_decay_is_shallower(sphere6):
    def mean_depth(shell):
        g = S.add_vacancies(sphere6, 0.1, mode="gradient", shell_nm=shell, seed=4)
        return sphere6.arrays["depth_nm"][_removed(sphere6, g)].mean()
    assert mean_depth(0.5) < mean_depth(1.0) < mean_depth(3.0)


def test_new_modes_bad_input(sphere6):
    with pytest.raises(ValueError, match="mode"):
        S.add_vacancies(sphere6, 0.1, mode="ordred")
    with pytest.raises(ValueError, match="shell_nm"):
        S.add_vacancies(sphere6, 0.1, mode="gradient", shell_nm=0.0)
