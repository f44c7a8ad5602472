"""T → 0 net moments from the compiled exchange (independent zero-temperature quench) and bad input."""
import numpy as np
import pytest

from atomspin.model import SpinModel
from atomspin.model.reference_lattices import spinel_box


def _quench(m, sweeps=60, seed=1):
    """Zero-temperature relaxation from a random state: each spin in turn set along its exchange field
    (slow, obvious reference; no engine involved)."""
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(m.n, 3))
    s /= np.linalg.norm(s, axis=1)[:, None]
    ip, ix, J = m.indptr, m.indices, m.J
    for _ in range(sweeps):
        for i in range(m.n):
            h = J[ip[i]:ip[i + 1]] @ s[ix[ip[i]:ip[i + 1]]]
            s[i] = h / np.linalg.norm(h)
    return s


@pytest.mark.parametrize("case", ["magnetite", "magnetite_verwey", "maghemite"])
def test_zero_temperature_moment_per_formula_unit(case):
    """Néel ground state: 4.0 μB per Fe3O4 (A 5 μB antiparallel to 2 B of 4.5 μB, or Fe2+ 4 + Fe3+ 5) and
    2.5 μB per Fe2O3 ((40/3 − 8)·5 μB per 32 O = 10⅔ Fe2O3)."""
    if case == "maghemite":
        atoms = spinel_box(3, phase="gamma-Fe2O3", b_moment=5.0, vacancy_fraction=1 / 6, seed=4)
        per_fu, expected = 3, 2.5
    else:
        atoms = spinel_box(2)
        if case == "magnetite_verwey":
            b = np.flatnonzero(atoms.arrays["sublattice"] == "B")
            mom = atoms.arrays["moment_muB"].copy()
            mom[b[::2]], mom[b[1::2]] = 4.0, 5.0
            atoms.set_array("moment_muB", mom)
        per_fu, expected = 4, 4.0
    m = SpinModel.from_atoms(atoms, cubic=False)  # exchange only: the quench ignores anisotropy
    s = _quench(m)
    n_fu = np.sum(atoms.arrays["sublattice"] == "O") / per_fu
    net = np.linalg.norm(m.magnetisation(s))
    assert net / n_fu == pytest.approx(expected, rel=1e-9)
    # collinear Néel state: the quench reaches the "ground" initial state's energy
    assert m.energy(s) == pytest.approx(m.energy(m.spins), rel=1e-9)


def test_with_structures_build_bulk_if_available():
    st = pytest.importorskip("atomspin.structures.bulk")
    atoms = st.build_bulk("Fe3O4", repeat=2)
    m = SpinModel.from_atoms(atoms)
    assert m.info["params"] == "magnetite"
    assert m.info["pair_counts"] == {"AA": 128, "AB": 768, "BB": 384}
    n_fu = np.sum(atoms.arrays["sublattice"] == "O") / 4
    assert np.linalg.norm(m.magnetisation()) / n_fu == pytest.approx(4.0)


def test_bad_input():
    atoms = spinel_box(2)
    with pytest.raises(ValueError, match="params: unknown parameter set"):
        SpinModel.from_atoms(atoms, params="magnetite_v9")
    bare = atoms.copy()
    del bare.arrays["sublattice"]
    with pytest.raises(ValueError, match="sublattice"):
        SpinModel.from_atoms(bare)
    bare = atoms.copy()
    del bare.arrays["moment_muB"]
    with pytest.raises(ValueError, match="moment_muB"):
        SpinModel.from_atoms(bare)
    with pytest.raises(ValueError, match="field"):
        SpinModel.from_atoms(atoms, field=(0.0, np.nan, 0.0))
    with pytest.raises(ValueError, match="field"):
        SpinModel.from_atoms(atoms, field=1.0)
    with pytest.raises(ValueError, match="surface"):
        nos = atoms.copy()
        del nos.arrays["surface"]
        SpinModel.from_atoms(nos, neel_ks_meV=0.1)
    with pytest.raises(ValueError, match="neel_ks_meV"):
        SpinModel.from_atoms(atoms, neel_ks_meV=np.inf)
    with pytest.raises(ValueError, match="phase"):
        odd = atoms.copy()
        odd.info["phase"] = "CoFe2O4"
        SpinModel.from_atoms(odd)
    with pytest.raises(ValueError, match="atoms"):
        SpinModel.from_atoms(atoms.positions)
    with pytest.raises(ValueError, match="sublattice"):
        bad = atoms.copy()
        lab = bad.arrays["sublattice"].copy()
        lab[0] = "X"
        bad.set_array("sublattice", lab)
        SpinModel.from_atoms(bad)


def test_negative_temperature_rejected_by_engine():
    eng = pytest.importorskip("atomspin.engine")
    m = SpinModel.from_atoms(spinel_box(2))
    with pytest.raises(ValueError, match="T"):
        eng.Simulation(m, T=-5.0, seed=1)


def test_random_initial_state_is_seeded():
    a = SpinModel.from_atoms(spinel_box(2), initial="random", seed=5).spins
    b = SpinModel.from_atoms(spinel_box(2), initial="random", seed=5).spins
    c = SpinModel.from_atoms(spinel_box(2), initial="random", seed=6).spins
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_zn_dopant_is_nonmagnetic_and_index_kept():
    """Zn²⁺ on A sites (moment 0) carries no spin; the remaining spins keep their ase.Atoms index.
    With the B moments left as labelled, removing x A moments raises the net moment by 5x μB per f.u."""
    atoms = spinel_box(2)
    a_sites = np.flatnonzero(atoms.arrays["sublattice"] == "A")
    zn = a_sites[:16]  # x = 0.25 of the 64 A sites
    num = atoms.numbers.copy()
    num[zn] = 30
    atoms.numbers = num
    mom = atoms.arrays["moment_muB"].copy()
    mom[zn] = 0.0
    atoms.set_array("moment_muB", mom)
    m = SpinModel.from_atoms(atoms)
    assert m.n == 192 - 16 and not np.isin(zn, m.atom_index).any()
    assert np.all(atoms.numbers[m.atom_index] == 26)
    assert np.allclose(m.positions, atoms.positions[m.atom_index])
    n_fu = 64
    assert np.linalg.norm(m.magnetisation()) / n_fu == pytest.approx(4.0 + 5 * 0.25)
    assert m.info["pair_counts"]["AB"] == 768 - 16 * 12


def test_particle_volume_counts_oxygen_not_iron():
    """volume_m3 of an open particle = N_O · a³/32 (spinel, 32 O per cubic cell), independent of B
    vacancies and of zero-moment Zn dopants; before the fix it was N_Fe · a³/24 (0.888 × for δ = 1/3)."""
    from atomspin.model.reference_lattices import spinel_sphere
    from atomspin.units import ANGSTROM

    a = 8.396
    full = spinel_sphere(40.0)
    n_o = int(np.sum(full.arrays["sublattice"] == "O"))
    v_o = n_o * a ** 3 / 32 * ANGSTROM ** 3
    m_full = SpinModel.from_atoms(full)
    assert m_full.volume_m3 == pytest.approx(v_o, rel=1e-12)
    # the O-count volume of a sphere is its geometric volume up to the surface roughness of a 4 nm cut
    assert m_full.volume_m3 == pytest.approx(4 / 3 * np.pi * (20.0 * ANGSTROM) ** 3, rel=0.05)
    # Fe3−δO4 with δ = 1/3 (1/6 of the B sites empty): same O, same volume
    vac = spinel_sphere(40.0, vacancy_fraction=1 / 6, seed=3)
    assert int(np.sum(vac.arrays["sublattice"] == "O")) == n_o
    m_vac = SpinModel.from_atoms(vac)
    assert m_vac.n < 0.9 * m_full.n
    assert m_vac.volume_m3 == pytest.approx(v_o, rel=1e-12)
    # Zn on a quarter of the A sites (moment 0): same volume
    zn = full.copy()
    a_sites = np.flatnonzero(zn.arrays["sublattice"] == "A")
    mom = zn.arrays["moment_muB"].copy()
    mom[a_sites[::4]] = 0.0
    zn.set_array("moment_muB", mom)
    assert SpinModel.from_atoms(zn).volume_m3 == pytest.approx(v_o, rel=1e-12)
    # periodic box: the cell volume
    assert SpinModel.from_atoms(spinel_box(2)).volume_m3 == pytest.approx((2 * a * ANGSTROM) ** 3, rel=1e-12)
