"""Multicore particles (nanoflowers) and bicrystals: grains, boundaries, overlaps, depth, charge, exchange."""
import json
import math

import numpy as np
import pytest
from scipy.spatial import cKDTree

from atomspin import structures as S
from atomspin.structures.grains import misorientation, rotation_about


@pytest.fixture(scope="module")
def flower():
    return S.build_multicore(n_cores=5, core_diameter_nm=4.0, misorientation_deg=None, seed=1)


def _cross_min(atoms):
    """Shortest cation–cation, O–O and any pair between atoms of different grains (Å)."""
    pos, g, cat = atoms.positions, atoms.arrays["grain"], atoms.numbers != 8
    pairs = cKDTree(pos).query_pairs(3.0, output_type="ndarray")
    x = pairs[g[pairs[:, 0]] != g[pairs[:, 1]]]
    d = np.linalg.norm(pos[x[:, 0]] - pos[x[:, 1]], axis=1)
    cc = cat[x[:, 0]] & cat[x[:, 1]]
    oo = ~cat[x[:, 0]] & ~cat[x[:, 1]]
    return d.min(), d[cc].min(), d[oo].min()


def test_multicore_grains_boundaries_and_overlaps(flower):
    g = flower.arrays["grain"]
    assert sorted(set(g.tolist())) == [0, 1, 2, 3, 4]
    grains = json.loads(flower.info["grains"])
    assert [k["id"] for k in grains] == [0, 1, 2, 3, 4]
    assert S.min_distance_A(flower) >= 1.7
    dmin, cmin, omin = _cross_min(flower)
    assert dmin >= 1.7 and cmin >= 2.5 and omin >= 2.2
    recs = S.plane_defects(flower)
    assert len(recs) >= 4  # five cores in one aggregate: at least a spanning tree of contacts
    for r in recs:
        assert r["kind"] == "grain_boundary" and r["bounded"]
        i, j = r["grains"]
        Ri, Rj = (np.array(grains[k]["rotation"]) for k in (i, j))
        assert r["misorientation_deg"] == pytest.approx(misorientation(Ri, Rj)[0])
        assert 0 <= r["misorientation_deg"] <= 62.8 + 1e-6  # cubic disorientation
        zone = flower.arrays["defect_zone"] == r["id"]
        assert zone.any() and set(g[zone].tolist()) <= {i, j}
        assert np.all(flower.arrays["region"][zone] == "boundary")
        from atomspin.structures.planes import distance_to_defect_A
        assert distance_to_defect_A(flower, r, np.flatnonzero(zone)).max() <= 5.0 + 1e-9
        coord = r["boundary_coordination"]
        assert coord["B"]["ideal_O"] == 6 and coord["B"]["n"] > 0
    # charge: what the boundaries removed is reported as uncompensated
    total = sum(r["charge_removed_e"] for r in recs)
    assert S.describe(flower)["charge_uncompensated_e"] == pytest.approx(-total)
    summ = [r for r in S.defect_records(flower) if r["type"] == "multicore_summary"][0]
    assert summ["n_removed"] == sum(r["n_removed"] for r in recs)


def test_multicore_reproducible_by_seed():
    a = S.build_multicore(n_cores=3, core_diameter_nm=3.0, seed=7)
    b = S.build_multicore(n_cores=3, core_diameter_nm=3.0, seed=7)
    c = S.build_multicore(n_cores=3, core_diameter_nm=3.0, seed=8)
    assert np.array_equal(a.positions, b.positions) and np.array_equal(a.arrays["grain"], b.arrays["grain"])
    assert a.info["grains"] == b.info["grains"] and a.info["defects"] == b.info["defects"]
    assert len(a) != len(c) or not np.allclose(a.positions, c.positions)


def test_aligned_cores_are_one_crystal():
    """Oriented attachment without misorientation: the cores continue one lattice, nothing to resolve,
    and every exchange pair between cores is a bulk pair."""
    from atomspin import SpinModel
    from atomspin.model import boundary_pair_classes

    m = S.build_multicore(n_cores=4, core_diameter_nm=3.5, misorientation_deg=0.0, seed=2)
    recs = S.plane_defects(m)
    assert recs and all(r["n_removed"] == 0 and r["misorientation_deg"] < 1e-6 for r in recs)
    rep = boundary_pair_classes(SpinModel.from_atoms(m), m)
    across = set().union(*[set(r["across"]) for r in rep])
    assert across and across <= {"AA", "AB", "BB"}
    # every atom is a site of core 0's lattice
    origin = np.array(json.loads(m.info["grains"])[0]["origin_A"])
    f = (m.positions - origin) / m.info["lattice_a_A"]
    assert np.abs(8 * f - np.round(8 * f)).max() * m.info["lattice_a_A"] / 8 < 0.1


def test_small_misorientation_gives_small_angle_boundaries():
    m = S.build_multicore(n_cores=6, core_diameter_nm=3.0, misorientation_deg=2.0, seed=3)
    ang = [r["misorientation_deg"] for r in S.plane_defects(m)]
    assert max(ang) < 15.0
    r = S.build_multicore(n_cores=6, core_diameter_nm=3.0, misorientation_deg=None, seed=3)
    assert np.median([q["misorientation_deg"] for q in S.plane_defects(r)]) > 15.0


def test_multicore_bad_input():
    for n in (0, 2, 31):
        with pytest.raises(ValueError, match="n_cores"):
            S.build_multicore(n_cores=n, core_diameter_nm=3.0)
    with pytest.raises(ValueError, match="core_diameter_nm"):
        S.build_multicore(n_cores=3, core_diameter_nm=0.0)
    with pytest.raises(ValueError, match="overlap"):
        S.build_multicore(n_cores=3, core_diameter_nm=3.0, overlap=0.9)
    with pytest.raises(ValueError, match="misorientation_deg"):
        S.build_multicore(n_cores=3, core_diameter_nm=3.0, misorientation_deg=-1.0)
    # a core swallowed by another cannot be resolved into a boundary
    with pytest.raises(ValueError, match="centers_nm"):
        S.build_multicore(centers_nm=[[0, 0, 0], [0.2, 0, 0], [2.5, 0, 0]], core_diameter_nm=4.0)
    with pytest.raises(ValueError, match="centers_nm"):  # not one aggregate
        S.build_multicore(centers_nm=[[0, 0, 0], [3.0, 0, 0], [30.0, 0, 0]], core_diameter_nm=4.0)
    with pytest.raises(ValueError, match="centers_nm"):
        S.build_multicore(centers_nm=[[0, 0], [1, 1]], core_diameter_nm=4.0)


def test_union_of_balls_depth_is_the_distance_to_the_exposed_surface():
    from atomspin.structures import shapes

    sh = dict(kind="spheres", center_A=[0, 0, 0],
              spheres_A=[[0, 0, 0, 20.0], [28, 0, 0, 15.0], [10, 22, 0, 14.0], [10, 8, 20, 16.0]])
    rng = np.random.default_rng(0)
    x = rng.uniform(-25, 45, size=(30000, 3))
    x = x[shapes.inside_mask(sh, x)]
    c, r = shapes._balls(sh)
    pts = []
    for j in range(len(r)):  # slow reference: a dense sampling of the exposed surface
        m = 300000
        i = np.arange(m) + 0.5
        phi, th = np.arccos(1 - 2 * i / m), np.pi * (1 + 5 ** 0.5) * i
        p = c[j] + r[j] * np.stack([np.cos(th) * np.sin(phi), np.sin(th) * np.sin(phi), np.cos(phi)], 1)
        keep = np.all([np.linalg.norm(p - c[q], axis=1) >= r[q] for q in range(len(r)) if q != j], axis=0)
        pts.append(p[keep])
    ref, _ = cKDTree(np.concatenate(pts)).query(x)
    assert np.abs(shapes.depth_A(sh, x) - ref).max() < 0.08  # sampling resolution of the reference
    out = rng.uniform(-25, 45, size=(2000, 3))
    out = out[~shapes.inside_mask(sh, out)]
    exact = np.min([np.linalg.norm(out - c[k], axis=1) - r[k] for k in range(len(r))], axis=0)
    assert np.allclose(shapes.depth_A(sh, out), -exact)


def test_bicrystal_tilt_and_twist():
    t = S.build_bicrystal("Fe3O4", "tilt", 12.0, axis=(0, 0, 1), diameter_nm=4.0, seed=1)
    rec = S.plane_defects(t)[0]
    assert rec["kind"] == "grain_boundary" and not rec["bounded"] and rec["boundary_type"] == "tilt"
    assert abs(np.dot(rec["normal"], [0, 0, 1])) < 1e-9  # tilt: the axis lies in the boundary
    assert rec["misorientation_deg"] == pytest.approx(12.0)
    assert np.allclose(np.abs(rec["misorientation_axis"]), [0, 0, 1], atol=1e-9)
    g = t.arrays["grain"]
    s = (t.positions - rec["point_A"]) @ np.array(rec["normal"])
    assert np.all(g[s < -0.1] == 0) and np.all(g[s > 0.1] == 1)  # sides by ideal sites (O x ≠ 1/4)
    dmin, cmin, omin = _cross_min(t)
    assert dmin >= 1.7 and cmin >= 2.5 and omin >= 2.2
    w = S.build_bicrystal("Fe3O4", "twist", 30.0, axis=(1, 1, 1), diameter_nm=4.0, seed=1)
    rw = S.plane_defects(w)[0]
    assert np.allclose(rw["normal"], np.ones(3) / math.sqrt(3)) and rw["boundary_type"] == "twist"
    grains = json.loads(w.info["grains"])
    R0, R1 = (np.array(k["rotation"]) for k in grains)
    assert np.allclose(R1 @ R0.T, rotation_about((1, 1, 1), 30.0))
    with pytest.raises(ValueError, match="plane"):
        S.build_bicrystal("Fe3O4", "tilt", 10.0, axis=(0, 0, 1), plane=(0, 0, 1))
    with pytest.raises(ValueError, match="plane"):
        S.build_bicrystal("Fe3O4", "twist", 10.0, axis=(0, 0, 1), plane=(1, 0, 0))
    with pytest.raises(ValueError, match="angle_deg"):
        S.build_bicrystal("Fe3O4", "tilt", 0.0)
    with pytest.raises(ValueError, match="boundary"):
        S.build_bicrystal("Fe3O4", "mixed", 10.0)


def test_exchange_windows_for_off_lattice_paths():
    """classify_pairs gives every family pair one class per Fe–O–Fe angle window (geometry.py)."""
    from atomspin.model.geometry import PAIR_CLASSES, classify_pairs

    def cls(fam, angle_deg, r=2.0):
        t = math.radians(angle_deg)
        cat = np.array([[r, 0, 0], [r * math.cos(t), r * math.sin(t), 0]])
        pl = classify_pairs(cat, list(fam), np.zeros((1, 3)))
        return [PAIR_CLASSES[k] for k in pl.cls]

    assert cls("AB", 95) == ["AB90"] and cls("AB", 124) == ["AB"] and cls("AB", 170) == ["AB180"]
    assert cls("BB", 92) == ["BB"] and cls("BB", 120) == ["BB125"] and cls("BB", 177) == ["BB180"]
    assert cls("AA", 107) == ["AA_bridged"] and cls("AA", 160) == ["AA180"]
    from atomspin.model.parameters import load_parameter_set
    for name in ("magnetite", "maghemite", "maghemite_kodama"):
        ex = load_parameter_set(name).exchange
        assert ex["AB90"] == ex["BB"] and ex["BB125"] == ex["AB"] and ex["AB180"] == ex["BB180"] == ex["AA180"]


def test_per_grain_magnetisation_picture(tmp_path, flower):
    import matplotlib.pyplot as plt
    from atomspin import SpinModel

    m = SpinModel.from_atoms(flower)
    mom = S.plotting.grain_moments(flower, m.spins, m.atom_index)
    assert sorted(mom) == [0, 1, 2, 3, 4]
    # the ground state (A antiparallel to B in every grain) has a net moment in every grain
    assert all(np.linalg.norm(v) > 0 for v, _ in mom.values())
    f = S.plot_grain_moments(flower, m.spins, m.atom_index, path=tmp_path / "g.png")
    assert (tmp_path / "g.png").stat().st_size > 10000 and len(f.axes) == 2
    plt.close(f)


@pytest.mark.slow
def test_nanoflower_build_time(full_scale):
    """Acceptance: a ~300k-Fe nanoflower in ≤ 30 s (reduced by default: ~40k Fe in ≤ 10 s)."""
    import time
    kw = dict(n_cores=12, core_diameter_nm=11.0, overlap=0.3) if full_scale else dict(n_cores=6, core_diameter_nm=7.0,
                                                                                          overlap=0.3)
    t = time.perf_counter()
    m = S.build_multicore(misorientation_deg=5.0, seed=1, **kw)
    el = time.perf_counter() - t
    assert el < (30.0 if full_scale else 10.0)
    assert m.info["n_Fe"] > (250000 if full_scale else 20000)
