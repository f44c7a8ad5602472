"""The one numpy evaluator atomspin.model.hamiltonian against the slow references of tests/naive.py,
the dipolar-object contract, and the compiled kernels of the engine against it."""
import numpy as np
import pytest
from naive import naive_energy_terms, naive_fields
from toy_models import ExternalDipolar, random_model, random_unit

from atomspin.engine import Simulation, effective_field
from atomspin.model.hamiltonian import TERMS, Hamiltonian, energy, energy_terms


@pytest.mark.nojit
@pytest.mark.parametrize("dipolar", [False, True])
def test_terms_energy_and_fields_match_the_loops(dipolar):
    model = random_model(n=9, n_pairs=16, seed=7, dipolar=dipolar)
    H = Hamiltonian(model)
    for s in (model.spins, random_unit(np.random.default_rng(1), model.n)):
        ref = naive_energy_terms(model, s)
        got = H.energy_terms(s)
        assert set(got) == set(TERMS)
        for k in TERMS:
            assert got[k] == pytest.approx(ref[k], rel=1e-12, abs=1e-12), k
        assert (ref["dipolar"] != 0) == dipolar and all(ref[k] != 0 for k in TERMS[:4])
        tf = H.term_fields(s)
        for k in TERMS:
            assert np.allclose(tf[k], naive_fields(model, s, terms=(k,)), rtol=1e-7, atol=1e-8), k
        e, h = H.energy_and_fields(s)
        assert e == pytest.approx(sum(ref.values()), rel=1e-12) == H.energy(s) == model.energy(s)
        assert np.allclose(h, sum(tf.values()), rtol=1e-13, atol=1e-13)


def test_batches_equal_single_states_and_field_override():
    model = random_model(n=11, n_pairs=20, seed=2, dipolar=True)
    band = np.stack([random_unit(np.random.default_rng(k), model.n) for k in range(4)])
    b = np.array([0.0, -1.5, 0.4])
    H = Hamiltonian(model, field=b)
    e, h = H.energy_and_fields(band)
    terms = H.energy_terms(band)
    assert e.shape == (4,) and h.shape == band.shape and terms["dipolar"].shape == (4,)
    for p in range(4):
        assert e[p] == pytest.approx(energy(model, band[p], field=b), rel=1e-12)
        assert np.allclose(h[p], H.fields(band[p]), rtol=0, atol=1e-13)
        assert terms["zeeman"][p] == pytest.approx(naive_energy_terms(model, band[p], b)["zeeman"], rel=1e-12)
    assert energy_terms(model)["exchange"] == pytest.approx(naive_energy_terms(model, model.spins)["exchange"])
    with pytest.raises(ValueError, match="spins"):
        H.energy(np.zeros((3, 3)))


def test_dipolar_cells_contract_and_quadratic_form():
    model = random_model(n=10, n_pairs=12, seed=4, dipolar=True, cells=4)
    cells = model.dipolar
    s = random_unit(np.random.default_rng(3), model.n)
    e = cells.energy_meV(s, model.moments)
    h = cells.fields_meV(s, model.moments)
    assert e == pytest.approx(naive_energy_terms(model, s)["dipolar"], rel=1e-12)
    assert e == pytest.approx(-0.5 * np.sum(s * h), rel=1e-12)  # a quadratic form
    assert np.allclose(h, naive_fields(model, s, terms=("dipolar",)), rtol=1e-7, atol=1e-9)
    band = np.stack([s, -s, s[::-1]])  # batched calls agree with one state at a time
    assert np.allclose(cells.energy_meV(band, model.moments), [cells.energy_meV(x, model.moments) for x in band])
    assert np.allclose(cells.fields_meV(band, model.moments), [cells.fields_meV(x, model.moments) for x in band])


@pytest.mark.parametrize("parallel", [False, True])
def test_kernels_and_external_dipolar_objects_agree_with_the_evaluator(parallel):
    """The engine's compiled energy and fields (macrocell kernel path) equal the evaluator; a dipolar
    object that only offers energy_meV/fields_meV gives the same numbers through the evaluator and the
    engine's reference functions."""
    model = random_model(n=12, n_pairs=20, seed=9, dipolar=True)
    s = random_unit(np.random.default_rng(5), model.n)
    H = Hamiltonian(model)
    assert np.allclose(effective_field(model, s), H.fields(s), rtol=1e-12, atol=1e-12)
    sim = Simulation(model, T=10.0, seed=1, threads=2, parallel=parallel)
    sim.spins = s
    assert sim.energy() == pytest.approx(H.energy(s), rel=1e-12)
    assert np.allclose(sim.local_field(), H.fields(s), rtol=1e-12, atol=1e-12)
    ext = random_model(n=12, n_pairs=20, seed=9, dipolar=True)
    ext.dipolar = ExternalDipolar(model.dipolar)
    He = Hamiltonian(ext)
    assert He.energy(s) == pytest.approx(H.energy(s), rel=1e-13)
    assert np.allclose(He.fields(s), H.fields(s), rtol=1e-13, atol=1e-13)
    assert np.allclose(effective_field(ext, s), H.fields(s), rtol=1e-12, atol=1e-12)
    assert ext.dipolar.calls > 0
