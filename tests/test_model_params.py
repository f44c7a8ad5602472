"""Parameter sets, the convention conversion and the mean-field check of the convention."""
import numpy as np
import pytest

from atomspin.model import SpinModel, available_parameter_sets, load_parameter_set, mean_field_tc
from atomspin.model.reference_lattices import rocksalt_box, spinel_box
from atomspin.units import K_B_MEV_PER_K

KB = K_B_MEV_PER_K


def _mf_sublattice(jaa, jab, jbb, p=1.0):
    """Exact two-sublattice mean field of the spinel (z_AA = 4, z_AB = 12, z_BA = 6, z_BB = 6; B occupancy p)
    for unit-spin couplings in meV → T_MF in K."""
    m = np.array([[4 * jaa, 12 * p * jab], [6 * jab, 6 * p * jbb]])
    return max(np.linalg.eigvals(m).real) / (3 * KB)


def _literal(jbb=0.63, form="-J", spin_length="unit", unit="meV", aa=-0.11, ab=-2.92):
    return {"name": "lit", "convention": {"form": form, "spin_length": spin_length, "unit": unit},
            "exchange": {"AA": aa, "AB": ab, "BB": jbb, "BB180": ab},
            "anisotropy": {"cell_a_A": 8.396, "magnetic_sites_per_cell": 24}}


def test_shipped_sets_and_sources():
    names = available_parameter_sets()
    assert {"magnetite", "maghemite", "maghemite_kodama", "feo", "interface"} <= set(names)
    for n in names:
        text = open(load_parameter_set(n).source, encoding="utf-8").read()
        # every set states where its numbers come from (a reference or "derived"/"ASSUMPTION")
        assert any(w in text for w in ("Phys. Rev", "J. Phys", "derived", "ASSUMPTION"))


def test_magnetite_conversion_by_hand():
    """−2J S·S, classical S = m/2: J_ij = 2 J S_i S_j (S_A = 5/2, S_B = 9/4)."""
    p = load_parameter_set("magnetite")
    assert p.unit_coupling("AB", 5.0, 4.5) == pytest.approx(2 * -2.92 * 2.5 * 2.25)  # −32.85 meV
    assert p.unit_coupling("AA", 5.0, 5.0) == pytest.approx(-1.375)
    assert p.unit_coupling("BB", 4.5, 4.5) == pytest.approx(2 * 0.24 * 2.25 ** 2)  # 2.430 meV
    assert p.unit_coupling("BB", 4.0, 5.0) == pytest.approx(2 * 0.24 * 2.0 * 2.5)  # explicit Fe2+–Fe3+


def test_maghemite_default_is_uhl_set_and_kodama_by_name():
    """γ-Fe2O3 default = magnetite integrals (−2J S·S, classical S = 5/2 on A and B): J_AB = 2·(−2.92)·6.25;
    the former name "maghemite_uhl" is an alias of it."""
    p = load_parameter_set("maghemite")
    assert p.unit_coupling("AB", 5.0, 5.0) == pytest.approx(2 * -2.92 * 6.25)  # −36.5 meV
    assert p.unit_coupling("BB", 5.0, 5.0) == pytest.approx(2 * 0.24 * 6.25)
    assert load_parameter_set("maghemite_uhl").exchange == p.exchange
    m = SpinModel.from_atoms(spinel_box(2, phase="gamma-Fe2O3", b_moment=5.0, vacancy_fraction=1 / 6))
    assert m.info["params"] == "maghemite"
    rc = np.array(m.info["pair_class_names"])[m.pair_class]
    assert np.allclose(m.J[rc == "AB"], 2 * -2.92 * 6.25)


def test_maghemite_kodama_conversion_by_hand():
    """−2J S·S, quantum length √(S(S+1)), J in K: J_ij = 2 J k_B S(S+1) for Fe3+ (S = 5/2)."""
    p = load_parameter_set("maghemite_kodama")
    assert p.unit_coupling("AB", 5.0, 5.0) == pytest.approx(2 * -28.1 * KB * 8.75)
    assert p.unit_coupling("BB", 5.0, 5.0) == pytest.approx(2 * -8.6 * KB * 8.75)
    assert p.unit_coupling("AA", 5.0, 5.0) == pytest.approx(2 * -21.0 * KB * 8.75)


@pytest.mark.parametrize("conv, expected", [
    # mean-field Tc of the magnetite set (J_BB = 0.63 meV), derived by hand from the three-sublattice mean-field equations
    (("-J", "unit"), 103.0),
    (("-J", "classical"), 572.0),
    (("-2J", "classical"), 1145.0),
    (("-2J", "quantum"), 1630.0),
])
def test_mean_field_table_magnetite(conv, expected):
    form, sl = conv
    atoms = spinel_box(2)
    m = SpinModel.from_atoms(atoms, params=_literal(form=form, spin_length=sl))
    assert mean_field_tc(m) == pytest.approx(expected, rel=0.005)


def test_mean_field_default_set_exact():
    m = SpinModel.from_atoms(spinel_box(2))
    exact = _mf_sublattice(2 * -0.11 * 6.25, 2 * -2.92 * 2.5 * 2.25, 2 * 0.24 * 2.25 ** 2)
    assert mean_field_tc(m) == pytest.approx(exact, rel=1e-9)
    assert m.mean_field_tc() == pytest.approx(1096.6, abs=0.5)
    # explicit Verwey-like Fe2+/Fe3+ B sites of the same mean spin give nearly the same T_MF
    atoms = spinel_box(2)
    b = np.flatnonzero(atoms.arrays["sublattice"] == "B")
    mom = atoms.arrays["moment_muB"].copy()
    mom[b[::2]], mom[b[1::2]] = 4.0, 5.0
    atoms.set_array("moment_muB", mom)
    assert mean_field_tc(SpinModel.from_atoms(atoms)) == pytest.approx(1096.6, rel=0.01)


def test_mean_field_maghemite_against_table():
    """Sheet: 905 K (−2J, quantum) for the Kodama set at B occupancy 5/6 in the virtual crystal; the
    random-vacancy lattice lies within a few per cent of it. Default set: virtual-crystal value of the
    magnetite integrals with S = 5/2 everywhere."""
    vca = _mf_sublattice(*(2 * j * KB * 8.75 for j in (-21.0, -28.1, -8.6)), p=5 / 6)
    assert vca == pytest.approx(905.0, rel=0.002)
    atoms = spinel_box(3, phase="gamma-Fe2O3", b_moment=5.0, vacancy_fraction=1 / 6, seed=1)
    m = SpinModel.from_atoms(atoms, params="maghemite_kodama")
    assert m.info["params"] == "maghemite_kodama"
    assert mean_field_tc(m) == pytest.approx(vca, rel=0.05)
    vca_uhl = _mf_sublattice(*(2 * j * 6.25 for j in (-0.11, -2.92, 0.24)), p=5 / 6)
    assert mean_field_tc(SpinModel.from_atoms(atoms)) == pytest.approx(vca_uhl, rel=0.05)


def test_feo_mean_field_type2():
    """Type-II order: 6 antiparallel J2 neighbours, J1 cancels → k_B T_MF = 6 |J2| / 3."""
    m = SpinModel.from_atoms(rocksalt_box(4), overrides={"RR1": 0.7})
    assert mean_field_tc(m) == pytest.approx(2 * 11.82 / KB, rel=1e-6)


def test_overrides_and_unknown_set():
    m = SpinModel.from_atoms(spinel_box(2), overrides={"BB": -1.0})
    rc = np.array(m.info["pair_class_names"])[m.pair_class]
    assert np.all(m.J[rc == "BB"] == -1.0)
    assert np.allclose(m.J[rc == "AB"], -32.85)
    with pytest.raises(ValueError, match="unknown parameter set"):
        SpinModel.from_atoms(spinel_box(2), params="hematite")
    with pytest.raises(ValueError, match="overrides"):
        SpinModel.from_atoms(spinel_box(2), overrides={"XY": 1.0})
    with pytest.raises(ValueError, match="form"):
        load_parameter_set(_literal(form="-3J"))


def test_interface_couplings_follow_feo_per_spin_product():
    """One rule (interface.toml): R–O–B links take the FeO value of the same geometry per classical S_i S_j,
    so R–O–B 180° and R–O–R 180° agree for equal moments (both −11.82 meV for 4 μB), 90° both 0."""
    inter, feo = load_parameter_set("interface"), load_parameter_set("feo")
    assert inter.unit_coupling("RB180", 4.0, 4.0) == pytest.approx(feo.unit_coupling("RR2", 4.0, 4.0), rel=1e-12)
    assert inter.unit_coupling("RB180", 4.0, 4.0) == pytest.approx(-11.82, rel=1e-12)
    assert inter.unit_coupling("RB", 4.0, 4.5) == 0.0 == feo.unit_coupling("RR1", 4.0, 4.0)
    # R–O–B 180° to a 4.5 μB B site: −11.82 · (2.25/2)
    assert inter.unit_coupling("RB180", 4.0, 4.5) == pytest.approx(-11.82 * 2.25 / 2.0, rel=1e-12)


def test_anisotropy_reference_rescales_by_callen_callen():
    """anisotropy_reference=300: k1 = K1 a³/24 / m(300 K)^10 per sublattice (m from the set's table:
    m_A 0.895, m_B 0.841), k2 likewise; the default "T0" keeps K1 a³/24; bad input is named."""
    from atomspin.units import ANGSTROM, MEV

    k1_0 = -1.1e4 * 8.396 ** 3 / 24 * ANGSTROM ** 3 / MEV  # −0.001693 meV
    k2_0 = -0.28e4 * 8.396 ** 3 / 24 * ANGSTROM ** 3 / MEV
    m0 = SpinModel.from_atoms(spinel_box(2))
    # classical statistics (no temperature rescaling): the table is read at T_ref itself
    m = SpinModel.from_atoms(spinel_box(2), anisotropy_reference=300.0, temperature_rescaling=None)
    a, b = m.sublattice == "A", m.sublattice == "B"
    assert np.allclose(m0.k1, k1_0, rtol=1e-12)
    assert np.allclose(m.k1[a], k1_0 / 0.895 ** 10, rtol=1e-12) and np.allclose(m.k1[b], k1_0 / 0.841 ** 10, rtol=1e-12)
    assert np.allclose(m.k2[b], k2_0 / 0.841 ** 10, rtol=1e-12)
    # 150 K: linear interpolation between the 100 K and 200 K rows
    m150 = SpinModel.from_atoms(spinel_box(2), anisotropy_reference=150.0, temperature_rescaling=None)
    assert np.allclose(m150.k1[a], k1_0 / ((0.968 + 0.933) / 2) ** 10, rtol=1e-12)
    with pytest.raises(ValueError, match="anisotropy_reference"):
        SpinModel.from_atoms(spinel_box(2), anisotropy_reference=900.0)
    with pytest.raises(ValueError, match="anisotropy_reference"):
        SpinModel.from_atoms(spinel_box(2), anisotropy_reference="room")
    with pytest.raises(ValueError, match="anisotropy_reference"):
        SpinModel.from_atoms(spinel_box(2), anisotropy_reference=-5.0)
    with pytest.raises(ValueError, match="anisotropy_reference"):
        SpinModel.from_atoms(spinel_box(2), params=_literal(), anisotropy_reference=300.0)
