"""Spin configurations in extended XYZ: written from the API, read back exactly, readable by ASE's GUI code
and OVITO's column names (``write_structure(atoms, path, model=...)``, ``spins_from_atoms``)."""
import ase.io
import numpy as np
import pytest

from atomspin import structures as S
from atomspin.model import SpinModel


@pytest.fixture(scope="module")
def particle():
    atoms = S.add_vacancies(S.build_particle("Fe3O4", "sphere", diameter_nm=2.0, seed=3), 0.1, seed=3)
    model = SpinModel.from_atoms(atoms)
    rng = np.random.default_rng(7)
    s = rng.normal(size=(model.n, 3))
    model.spins = s / np.linalg.norm(s, axis=1)[:, None]
    return atoms, model


def test_round_trip_with_model(particle, tmp_path):
    atoms, model = particle
    path = tmp_path / "spins.extxyz"
    S.write_structure(atoms, path, model=model)
    assert "spins" not in atoms.arrays  # the caller's atoms are not modified
    back = S.read_structure(path)
    idx = model.atom_index
    np.testing.assert_allclose(back.arrays["spins"][idx], model.spins, atol=2e-8)
    others = np.setdiff1d(np.arange(len(atoms)), idx)
    assert others.size and np.all(back.arrays["spins"][others] == 0.0)  # O rows are zero
    np.testing.assert_allclose(back.arrays["dipoles"][idx], model.spins * model.moments[:, None], atol=1e-7)
    # the labels survive next to the spins
    assert list(back.arrays["sublattice"]) == list(atoms.arrays["sublattice"])
    np.testing.assert_allclose(back.positions, atoms.positions, atol=1e-7)
    # back into the model's site order: unit vectors equal to the state written
    s = S.spins_from_atoms(back, model)
    np.testing.assert_allclose(s, model.spins, atol=2e-8)
    np.testing.assert_allclose(np.linalg.norm(s, axis=1), 1.0, atol=1e-14)


def test_viewers_read_the_columns(particle, tmp_path):
    atoms, model = particle
    path = tmp_path / "spins.extxyz"
    S.write_structure(atoms, path, model=model)
    header = path.read_text().splitlines()[1]
    # OVITO maps the extxyz column "dipoles" to its standard vector property "Dipole Orientation" (arrows)
    for col in ("spins:R:3", "dipoles:R:3", "initial_magmoms:R:3"):
        assert col in header
    # ASE: plain ase.io.read gives non-collinear initial moments, and the GUI's arrow code reads them
    from ase.gui.utils import get_magmoms

    plain = ase.io.read(path)
    mm = plain.get_initial_magnetic_moments()
    assert mm.shape == (len(atoms), 3)
    np.testing.assert_allclose(mm[model.atom_index], model.spins * model.moments[:, None], atol=1e-7)
    np.testing.assert_allclose(np.asarray(get_magmoms(plain)), mm)


def test_neel_state_carries_the_formula_moment(tmp_path):
    """The Néel ground state written to file sums to the T = 0 moment that describe() reports (4 μB/f.u.)."""
    atoms = S.build_particle("Fe3O4", "sphere", diameter_nm=2.0, seed=1)
    model = SpinModel.from_atoms(atoms)
    sign = np.where(model.sublattice == "A", -1.0, 1.0)
    spins = np.zeros((model.n, 3))
    spins[:, 2] = sign
    path = tmp_path / "neel.extxyz"
    S.write_structure(atoms, path, spins=spins, model=model)
    back = ase.io.read(path)
    n_fu = np.count_nonzero(atoms.arrays["sublattice"] == "O") / 4
    total = back.get_initial_magnetic_moments().sum(axis=0)
    assert abs(total[0]) < 1e-9 and abs(total[1]) < 1e-9
    assert total[2] / n_fu == pytest.approx(S.describe(atoms)["moment_per_fu_muB"], abs=1e-9)


def test_per_atom_spins_without_model(particle, tmp_path):
    atoms, model = particle
    per_atom = np.zeros((len(atoms), 3))
    per_atom[model.atom_index] = model.spins
    path = tmp_path / "a.extxyz"
    S.write_structure(atoms, path, spins=per_atom)
    np.testing.assert_allclose(S.read_structure(path).arrays["spins"], per_atom, atol=2e-8)


def test_bad_spin_input(particle, tmp_path):
    atoms, model = particle
    p = tmp_path / "x.extxyz"
    with pytest.raises(ValueError, match="spins: expected shape"):
        S.write_structure(atoms, p, spins=model.spins[:-1], model=model)
    with pytest.raises(ValueError, match="unit vectors"):
        S.write_structure(atoms, p, spins=2 * model.spins, model=model)
    with pytest.raises(ValueError, match="non-finite"):
        S.write_structure(atoms, p, spins=np.full_like(model.spins, np.nan), model=model)
    per_atom = np.zeros((len(atoms), 3))
    per_atom[model.atom_index] = model.spins
    o = int(np.flatnonzero(atoms.arrays["sublattice"] == "O")[0])
    per_atom[o] = (0.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="moment_muB = 0"):
        S.write_structure(atoms, p, spins=per_atom)
    with pytest.raises(ValueError, match="one row per atom"):
        S.write_structure(atoms, p, spins=model.spins)
    other = S.build_particle("Fe3O4", "sphere", diameter_nm=2.0, seed=3)  # no vacancies: other atoms
    with pytest.raises(ValueError, match="model: was not compiled from these atoms"):
        S.write_structure(other, p, model=model)
    with pytest.raises(ValueError, match="no spin state stored"):
        S.spins_from_atoms(atoms, model)
    assert not p.exists()  # every error comes before the file is written
