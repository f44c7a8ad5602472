"""Integration with atomspin.structures: APB and FeO/spinel core–shell particles compile into the right
pair classes (cross-checked against the structures package's own, independent B–O–B link counter)."""
import numpy as np
import pytest

from atomspin.model import PAIR_CLASSES, SpinModel

st = pytest.importorskip("atomspin.structures")
defects = pytest.importorskip("atomspin.structures.defects")


def test_apb_180_links_match_independent_count():
    p = st.build_particle("Fe3O4", "sphere", diameter_nm=5.0, seed=1)
    d = defects.insert_apb(p, plane=(1, 1, 0))
    m0 = SpinModel.from_atoms(p)
    m = SpinModel.from_atoms(d)
    assert "BB180" not in m0.info["pair_counts"]
    n180 = m.info["pair_counts"]["BB180"]
    assert n180 > 50
    assert n180 == st.count_bob_links(d, angle_min_deg=150.0)
    rc = np.array(m.info["pair_class_names"])[m.pair_class]
    # strongly AF: the APB coupling is the A–B value scaled by 1/cos²(123.7°) (magnetite.toml: −9.49 meV,
    # −2J convention, classical S), converted with the actual spin lengths
    s_b = m.moments / 2
    row = np.repeat(np.arange(m.n), np.diff(m.indptr))
    sel = rc == "BB180"
    assert np.allclose(m.J[sel], 2 * -9.49 * s_b[row[sel]] * s_b[m.indices[sel]])
    # every BB180 pair touches the labelled APB zone
    zone = d.arrays["apb_zone"][m.atom_index]
    assert np.all(zone[row[sel]] | zone[m.indices[sel]])


def test_core_shell_has_rocksalt_and_interface_classes():
    p = st.build_particle("Fe3O4", "sphere", diameter_nm=6.0, seed=2)
    cs = defects.core_shell(p, 3.0)
    m = SpinModel.from_atoms(cs, overrides={"RR1": 0.5})
    c = m.info["pair_counts"]
    for name in ("AA", "AB", "BB", "RR1", "RR2", "RB", "RB180"):
        assert c.get(name, 0) > 0, name
    assert m.info["class_source"]["RR2"] == "feo" and m.info["class_source"]["RB"] == "interface"
    rc = np.array(PAIR_CLASSES)[m.pair_class]
    assert np.allclose(m.J[rc == "RR2"], -11.82) and np.allclose(m.J[rc == "RR1"], 0.5)
    # FeO sites get the FeO (zero) cubic anisotropy, spinel sites the magnetite one
    r = m.sublattice == "R"
    assert np.all(m.k1[r] == 0) and np.all(m.k1[~r] < 0)


def test_apb_a_o_a_links_are_bridged_class_with_stated_coupling():
    """A–A pairs sharing an O across the APB (≈ 107°, 2.97 Å) form the AA_bridged class and get
    J = 2·(−0.85)·S_A² (magnetite.toml, cos²-scaled J_AB), not the unbridged J_AA = −1.375 meV."""
    p = st.build_particle("Fe3O4", "sphere", diameter_nm=5.0, seed=1)
    d = defects.insert_apb(p, plane=(1, 1, 0))
    assert "AA_bridged" not in SpinModel.from_atoms(p).info["pair_counts"]
    m = SpinModel.from_atoms(d)
    rc = np.array(m.info["pair_class_names"])[m.pair_class]
    sel = rc == "AA_bridged"
    assert m.info["pair_counts"]["AA_bridged"] > 20
    assert np.allclose(m.J[sel], 2 * -0.85 * 2.5 * 2.5)
    row = np.repeat(np.arange(m.n), np.diff(m.indptr))
    dist = np.linalg.norm(m.positions[m.indices[sel]] - m.positions[row[sel]], axis=1)
    assert np.all(dist < 3.2)
    assert np.allclose(m.J[rc == "AA"], -1.375)


def test_neel_zero_on_fully_coordinated_sites_of_a_built_particle():
    """Review case (6 nm sphere, 0.5 nm shell: 474 of 1304 shell B sites fully coordinated, each formerly
    carrying 0.136 k_s): on an atomspin.structures particle every fully coordinated site gets Q = 0."""
    from atomspin.model.core import quad_to_matrix

    p = st.build_particle("Fe3O4", "sphere", diameter_nm=6.0, seed=1)
    m = SpinModel.from_atoms(p, cubic=False, neel_ks_meV=0.1, surface_sites=np.ones(len(p), bool))
    row = np.repeat(np.arange(m.n), np.diff(m.indptr))
    z = np.bincount(row, minlength=m.n)
    full = z == np.where(m.sublattice == "A", 16, 12)
    r = np.linalg.norm(m.positions - m.positions.mean(axis=0), axis=1)
    shell_b_full = full & (m.sublattice == "B") & (r > r.max() - 5.0)
    assert shell_b_full.sum() > 300
    q = quad_to_matrix(m.quad)
    assert np.max(np.abs(q[full])) < 1e-12
    assert np.all(np.abs(q[~full]).max(axis=(1, 2)) > 1e-4)
