"""Generic plane-defect machinery (labels, records, distances), recorded vacancies, the one
cross-section plotter and the one lattice table."""
import json
import math

import numpy as np
import pytest
from scipy.spatial import cKDTree

from atomspin import structures as S
from atomspin.structures import data


@pytest.fixture(scope="module")
def sphere5():
    return S.build_particle("Fe3O4", "sphere", 5.0, seed=1)


def test_fresh_particles_carry_generic_labels(sphere5):
    assert sphere5.arrays["defect_zone"].dtype == np.int64 and np.all(sphere5.arrays["defect_zone"] == -1)
    assert np.all(sphere5.arrays["grain"] == 0)
    assert not sphere5.arrays["apb_zone"].any()
    assert S.plane_defects(sphere5) == []


def test_apb_zone_is_generic_record_and_alias(sphere5):
    c = np.array(json.loads(sphere5.info["shape"])["center_A"])
    q = S.insert_apb(sphere5, (1, 1, 0), point=c - [6.0, 6.0, 0.0])
    q = S.insert_apb(q, (1, 1, 0), point=c + [6.0, 6.0, 0.0])
    recs = S.plane_defects(q)
    assert [r["id"] for r in recs] == [0, 1] and all(r["kind"] == "apb" and r["category"] == "plane" for r in recs)
    n = np.array([1, 1, 0]) / math.sqrt(2)
    for r in recs:
        assert np.allclose(r["normal"], n)
        assert np.allclose(r["shift_A"], np.array(r["shift_a"]) * data.MAGNETITE_A)
    d = np.stack([np.abs((q.positions - r["point_A"]) @ n) for r in recs])
    inzone = d.min(axis=0) <= 5.0
    zone = q.arrays["defect_zone"]
    assert np.array_equal(zone >= 0, inzone)
    # each zone atom carries the id of the nearer plane
    assert np.array_equal(zone[inzone], np.argmin(d, axis=0)[inzone])
    assert np.array_equal(q.arrays["apb_zone"], inzone)
    assert np.all(q.arrays["region"][inzone] == "apb")


def test_legacy_records_and_files_are_read(tmp_path, sphere5):
    from atomspin.structures.io import read_structure, write_structure

    q = S.insert_apb(sphere5, (1, 1, 0))
    old = q.copy()
    del old.arrays["defect_zone"]
    del old.arrays["grain"]
    recs = S.defect_records(old)
    keep = ("type", "plane", "point_A", "point_requested_A", "shift_a", "zone_nm", "charge_removed_e")
    old.info["defects"] = json.dumps([{k: r[k] for k in keep} for r in recs])  # as written before
    write_structure(old, tmp_path / "old.extxyz")
    back = read_structure(tmp_path / "old.extxyz")
    assert np.array_equal(back.arrays["defect_zone"], q.arrays["defect_zone"])
    r = S.plane_defects(back)[0]
    assert r["kind"] == "apb" and r["id"] == 0 and np.allclose(r["shift_A"], S.plane_defects(q)[0]["shift_A"])
    assert S.describe(back)["charge_uncompensated_e"] == S.describe(q)["charge_uncompensated_e"]


def test_vacancy_sites_recorded_and_follow_the_shifted_crystal(sphere5):
    v = S.add_vacancies(sphere5, 0.1, seed=3)
    sites = np.array(S.defect_records(v)[-1]["sites_A"])
    assert len(sites) == S.defect_records(v)[-1]["n_removed"] > 0
    # recorded sites are empty B sites of the perfect particle
    d, k = cKDTree(sphere5.positions).query(sites)
    assert d.max() < 1e-3 and np.all(sphere5.arrays["sublattice"][k] == "B")
    assert cKDTree(v.positions).query(sites)[0].min() > 1.0
    q = S.insert_apb(v, (1, 1, 0))
    moved = np.array(S.defect_records(q)[0]["sites_A"])
    rec = S.plane_defects(q)[0]
    side = (sites - rec["point_A"]) @ np.array(rec["normal"]) > 0
    assert side.any() and (~side).any()
    # unshifted side: unchanged; shifted side: moved by t, except images that leave the sphere (few)
    assert cKDTree(moved).query(sites[~side])[0].max() < 1e-6
    assert len(sites) - 10 <= len(moved) <= len(sites)
    new = moved[cKDTree(sites[~side]).query(moved)[0] > 1e-6]
    t = np.array(rec["shift_A"])
    assert np.all(np.minimum(cKDTree(sites[side]).query(new - t)[0], cKDTree(sites[side]).query(new + t)[0]) < 1e-2)
    # the moved vacancies are empty sites of the shifted crystal: an O octahedron around each
    # (6 O at ≈ 2.06 Å) and no atom on them
    assert cKDTree(q.positions).query(moved)[0].min() > 1.0
    o = cKDTree(q.positions[q.numbers == 8])
    from atomspin.structures.shapes import depth_A, get_shape
    deep = new[depth_A(get_shape(q), new) > 3.0]
    assert len(deep) > 5 and np.all(o.query_ball_point(deep, 2.3, return_length=True) == 6)


def test_core_shell_fills_recorded_vacancies_and_new_atoms_have_no_zone():
    p = S.build_particle("Fe3O4", "sphere", 6.0, seed=1)
    q = S.insert_apb(S.add_vacancies(p, 0.1, seed=2), (1, 1, 0))
    c = S.core_shell(q, 3.0)
    r = c.arrays["sublattice"] == "R"
    assert np.all(c.arrays["defect_zone"][r] == -1) and np.all(c.arrays["grain"][r] == 0)
    cen = np.array(json.loads(c.info["shape"])["center_A"])
    sites = np.array(S.defect_records(c)[0]["sites_A"])
    assert np.all(np.linalg.norm(sites - cen, axis=1) > 15.0 - 1e-6)


def test_distances_to_recorded_planes(sphere5):
    from atomspin import SpinModel
    from atomspin.measure import apb_distance_nm, defect_distance_nm, distance_to_plane_nm

    q = S.insert_apb(sphere5, (1, 0, 0))
    m = SpinModel.from_atoms(q)
    rec = S.plane_defects(q)[0]
    ref = np.abs((m.positions - rec["point_A"]) @ np.array([1.0, 0, 0])) / 10.0
    assert np.allclose(defect_distance_nm(m, q), ref)
    assert np.allclose(apb_distance_nm(m, q), ref)
    assert np.allclose(distance_to_plane_nm(m.positions, rec), ref)
    assert np.allclose(distance_to_plane_nm(m.positions, [rec, rec]), ref)
    with pytest.raises(ValueError, match="twin"):
        defect_distance_nm(m, q, "twin")
    with pytest.raises(ValueError, match="point_A"):
        distance_to_plane_nm(m.positions, (1, 0, 0))


def test_cross_section_plotter_shows_vacancies_boundaries_in_nm(tmp_path, sphere5):
    import matplotlib.pyplot as plt
    from PIL import Image

    q = S.insert_apb(S.add_vacancies(sphere5, 0.1, seed=1), (1, 1, 0))
    f = S.plot_cross_section(q, color_by="defect", slab_nm=0.6, path=tmp_path / "c.png")
    ax = f.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert "APB" in labels and "APB zone" in labels and any(s.startswith("vacancy") for s in labels)
    assert "(nm)" in ax.get_xlabel() and "(nm)" in ax.get_ylabel()
    w, h = Image.open(tmp_path / "c.png").size
    assert w >= 7.5 * 150 - 1  # saved at ≥ 150 dpi
    plt.close(f)
    # spins on top of the structure, coloured by a value, with a colour bar
    from atomspin import SpinModel

    m = SpinModel.from_atoms(q)
    f = S.plot_cross_section(q, spins=m.spins, spin_index=m.atom_index, values=np.arange(m.n, dtype=float))
    assert len(f.axes) == 2 and f.axes[1].get_xlabel().startswith("canting")
    plt.close(f)
    with pytest.raises(ValueError, match="color_by"):
        S.plot_cross_section(q, color_by="nonsense")
    with pytest.raises(ValueError, match="atoms"):
        S.plot_cross_section(None, spins=m.spins)


def test_lattice_data_in_one_table():
    from atomspin.model.parameters import load_parameter_set
    from atomspin.sar import RHO_MAGHEMITE, RHO_MAGNETITE

    N_A = 6.02214076e23
    fe, o = 55.845, 15.9994
    formula = {"Fe3O4": (8, 3 * fe + 4 * o), "gamma-Fe2O3": (8, 8 / 3 * fe + 4 * o), "FeO": (4, 0.902 * fe + o)}
    for phase, (z, molar) in formula.items():
        lat = data.lattice(phase)
        rho = z * molar / (N_A * (lat.a_A * 1e-8) ** 3) * 1e3
        assert lat.density_kg_per_m3 == pytest.approx(rho, abs=0.5)  # the stated 4-digit value
    assert (RHO_MAGNETITE, RHO_MAGHEMITE) == (5197.0, 4876.0)
    for name, phase in (("magnetite", "Fe3O4"), ("maghemite", "gamma-Fe2O3"), ("feo", "FeO")):
        ps = load_parameter_set(name)
        lat = data.lattice(phase)
        assert ps.anisotropy["cell_a_A"] == lat.a_A
        assert ps.oxygen_volume_A3() == pytest.approx(lat.a_A ** 3 / lat.oxygen_per_cell)
    # the builders use the same a
    assert S.build_bulk("FeO").info["lattice_a_A"] == data.lattice("FeO").a_A
