"""Evans et al. temperature rescaling (atomspin.model.thermal) and its one engine hook."""
import numpy as np
import pytest

from atomspin.model import SpinModel
from atomspin.model.reference_lattices import rocksalt_box, spinel_box
from atomspin.model.parameters import load_parameter_set, parameter_ranges
from atomspin.model.thermal import (TemperatureRescaling, classical_net_magnetisation, fit_alpha, rescaling_from_set,
                                    simulation_temperature)
from atomspin.units import K_B_MEV_PER_K


def test_mapping_exact_points_and_inverse():
    r = TemperatureRescaling(2.3, 858.0)
    assert r.simulation_temperature(0.0) == 0.0
    assert r.simulation_temperature(858.0) == pytest.approx(858.0)
    assert r.simulation_temperature(1000.0) == 1000.0  # identity above Tc
    T = np.linspace(1, 857, 50)
    ts = r.simulation_temperature(T)
    assert np.all(np.diff(ts) > 0) and np.all(ts < T)
    np.testing.assert_allclose(r.physical_temperature(ts), T, rtol=1e-12)
    assert r.simulation_temperature(300.0) == pytest.approx(858 * (300 / 858) ** 2.3, rel=1e-12)
    with pytest.raises(ValueError, match="alpha"):
        TemperatureRescaling(-1.0, 858.0)


def test_magnetite_alpha_reproduces_the_measured_anchor():
    """α is fitted so that this model's classical m(T_sim(300 K)) equals the measured 0.945 (Ms(300 K) = 480 kA/m
    over 4.05 μB/f.u.); the documented range 2.13–2.55 spans Ms(0) = 4.0–4.1 μB."""
    p = load_parameter_set("magnetite")
    r = rescaling_from_set(p)
    assert r.alpha == pytest.approx(2.311, abs=0.002) and r.Tc_K == 858.0
    assert classical_net_magnetisation(p, r.simulation_temperature(300.0)) == pytest.approx(0.945, abs=1e-6)
    assert classical_net_magnetisation(p, 300.0) == pytest.approx(0.7735, abs=1e-4)  # classical: 0.77
    lo, mid, hi = parameter_ranges("magnetite")["temperature_rescaling_alpha"]
    f = lambda t: classical_net_magnetisation(p, t)  # noqa: E731
    assert fit_alpha([300.0], [0.934], f, 858.0) == pytest.approx(lo, abs=0.01)
    assert fit_alpha([300.0], [0.957], f, 858.0) == pytest.approx(hi, abs=0.01)
    with pytest.raises(ValueError, match="m_measured"):
        fit_alpha([300.0], [1.2], f, 858.0)


def test_engine_samples_at_the_rescaled_temperature():
    """The one hook: Simulation.beta = 1/(k_B T_sim); the observables keep the physical T."""
    eng = pytest.importorskip("atomspin.engine")
    m = SpinModel.from_atoms(spinel_box(2))
    r = rescaling_from_set(load_parameter_set("magnetite"))
    assert m.info["temperature_rescaling"]["alpha"] == pytest.approx(r.alpha)
    sim = eng.Simulation(m, T=300.0, seed=1, threads=1)
    assert sim.beta == pytest.approx(1.0 / (K_B_MEV_PER_K * r.simulation_temperature(300.0)), rel=1e-12)
    assert simulation_temperature(m, 300.0) == pytest.approx(75.63, abs=0.05)
    m0 = SpinModel.from_atoms(spinel_box(2), temperature_rescaling=None)
    assert eng.Simulation(m0, T=300.0, seed=1, threads=1).beta == pytest.approx(1 / (K_B_MEV_PER_K * 300.0))
    assert sim.run(2, observe_every=1).T == 300.0


def test_bulk_magnetisation_at_300K_matches_experiment_only_with_rescaling():
    """Bulk magnetite, 3×3×3 periodic cells at 300 K: classical MC gives m = 0.773 (the set's table), the
    rescaled model the measured 0.945 (anchor of the fit), each within 0.01."""
    eng = pytest.importorskip("atomspin.engine")
    out = {}
    for key, resc in (("classical", None), ("rescaled", "default")):
        m = SpinModel.from_atoms(spinel_box(3), cubic=False, temperature_rescaling=resc)
        sim = eng.Simulation(m, T=300.0, seed=3, threads=1)
        sim.run(1500, observe_every=1500)
        obs = sim.run(3000, observe_every=10)
        sub = obs.sublattice_magnetisation
        ma = np.mean(np.linalg.norm(sub["A"], axis=1)) / (5.0 * np.sum(m.sublattice == "A"))
        mb = np.mean(np.linalg.norm(sub["B"], axis=1)) / (4.5 * np.sum(m.sublattice == "B"))
        out[key] = (9 * mb - 5 * ma) / 4
    assert out["classical"] == pytest.approx(0.7735, abs=0.01)
    assert out["rescaled"] == pytest.approx(0.945, abs=0.01)


def test_anisotropy_reference_uses_the_rescaled_temperature():
    """With rescaling, k = K·v / m(T_sim(T_ref))^10: MC at T_ref (sampled at T_sim) still reproduces K."""
    p = load_parameter_set("magnetite")
    r = rescaling_from_set(p)
    m = SpinModel.from_atoms(spinel_box(2), anisotropy_reference=300.0)
    m0 = SpinModel.from_atoms(spinel_box(2), temperature_rescaling=None)
    ma, mb = p.reduced_magnetisation(r.simulation_temperature(300.0))
    a, b = m.sublattice == "A", m.sublattice == "B"
    np.testing.assert_allclose(m.k1[a], m0.k1[a] / ma ** 10, rtol=1e-12)
    np.testing.assert_allclose(m.k1[b], m0.k1[b] / mb ** 10, rtol=1e-12)


def test_rocksalt_models_stay_unscaled_by_default_and_bad_input():
    m = SpinModel.from_atoms(rocksalt_box(3))
    assert m.info["temperature_rescaling"] is None and "rock-salt" in m.info["temperature_rescaling_note"]
    given = SpinModel.from_atoms(rocksalt_box(3), temperature_rescaling=(2.0, 198.0))
    assert given.info["temperature_rescaling"]["alpha"] == 2.0
    with pytest.raises(ValueError, match="temperature_rescaling"):
        SpinModel.from_atoms(spinel_box(2), temperature_rescaling="quantum")
    with pytest.raises(ValueError, match="temperature_rescaling"):
        SpinModel.from_atoms(spinel_box(2), temperature_rescaling=(2.0,))


def test_every_range_contains_its_default():
    """The documented ranges of the uncertain parameters (magnetite.toml [ranges]) hold their defaults and the
    defaults are the values the model uses."""
    r = parameter_ranges("magnetite")
    p = load_parameter_set("magnetite")
    for k in ("BB180", "AA_bridged", "K_s_J_per_m2", "temperature_rescaling_alpha"):
        assert k in r
    assert r["BB180"][1] == p.exchange["BB180"] and r["AA_bridged"][1] == p.exchange["AA_bridged"]
    assert r["K_s_J_per_m2"][1] == p.extra["surface_anisotropy"]["K_s_J_per_m2"]
    assert r["temperature_rescaling_alpha"][1] == pytest.approx(rescaling_from_set(p).alpha, abs=0.01)


def test_parameter_ranges_bad_input():
    """A K_s range is a range of magnitudes: a negative entry is one clear error naming the key."""
    base = {"name": "x", "convention": {"form": "-2J", "spin_length": "classical", "unit": "meV"},
            "exchange": {"AB": -2.92}}
    with pytest.raises(ValueError, match="ranges.K_s_J_per_m2"):
        parameter_ranges(dict(base, ranges={"K_s_J_per_m2": [-1e-5, 2.9e-5, 1e-4]}))
    with pytest.raises(ValueError, match="ranges.BB180"):
        parameter_ranges(dict(base, ranges={"BB180": [-11.0, -20.0, -2.9]}))
    with pytest.raises(ValueError, match="ranges.BB180"):
        parameter_ranges(dict(base, ranges={"BB180": [-11.0, -2.9]}))
