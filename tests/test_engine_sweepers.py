"""The engine seam: sweepers chosen from a registry, the sweeper contract, engine options that reach
every measurement driver, and validation at the Simulation entry point.

The sweepers defined here are registered for a test only (``monkeypatch.setitem(SWEEPERS, ...)``): a new
sweeper is one class plus one registry line, and nothing else changes.
"""
import numpy as np
import pytest
from naive import ref_sequential
from toy_models import ExternalDipolar, random_model

from atomspin.engine import SWEEPERS, ConstrainedSimulation, EngineOptions, Simulation
from atomspin.engine import collective_energy_change, local_energy_change
from atomspin.engine.kernels import _delta_e
from atomspin.engine.moves import MOVES, _end_sweep, _propose
from atomspin.engine.rng import _uniform
from atomspin.engine.sweepers import get_sweeper
from atomspin.engine.sweepers.base import Sweeper
from atomspin.engine.sweepers.constrained import ConstrainedSweeper
from atomspin.engine.sweepers.sequential import SequentialSweeper

HERE = __name__


class ReversedSweeper(SequentialSweeper):
    """Sites N−1 … 0: the sequential kernel with another visiting order."""

    name = "reversed"

    def __init__(self, arrays, model, threads=1, **options):
        super().__init__(arrays, model, threads, **options)
        self.order = np.ascontiguousarray(self.order[::-1])


class PythonDipolarSweeper(Sweeper):
    """Metropolis in Python for any dipolar object (ΔE_dip from two ``energy_meV`` calls), drawing the
    same random numbers in the same order as the sequential kernel."""

    name = "python-dipolar"
    dipolar_objects = True
    auto = True

    def sweep(self, n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out):
        a, st, mv = self.arrays, state[0], MOVES[move]
        for sw in range(n):
            acc = 0
            for i in range(a.n):
                old = spins[i].copy()
                new = np.array(_propose(mv, old[0], old[1], old[2], cone[0], st))
                de = _delta_e(i, new[0], new[1], new[2], *a.model_args(spins)[:14], a.cell_of, a.W, a.Hc)
                e0 = a.dipolar.energy_meV(spins, a.moments)
                spins[i] = new
                de += a.dipolar.energy_meV(spins, a.moments) - e0
                if de <= 0.0 or _uniform(st) < np.exp(-beta * de):
                    acc += 1
                else:
                    spins[i] = old
            acc_out[sw] = acc
            _end_sweep(cone, acc, a.n, adapt, adapt_moves)


class CountingSweeper(SequentialSweeper):
    """The sequential sweeper, recording that it ran and with which move."""

    name = "counting"
    log = []

    def sweep(self, n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out):
        CountingSweeper.log.append(move)
        super().sweep(n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out)


class CountingConstrainedSweeper(ConstrainedSweeper):
    name = "counting-constrained"
    log = []

    def sweep(self, n, *args):
        CountingConstrainedSweeper.log.append(n)
        super().sweep(n, *args)


@pytest.fixture
def registered(monkeypatch):
    for cls in (ReversedSweeper, PythonDipolarSweeper, CountingSweeper, CountingConstrainedSweeper):
        monkeypatch.setitem(SWEEPERS, cls.name, f"{HERE}:{cls.__name__}")
    CountingSweeper.log.clear()
    CountingConstrainedSweeper.log.clear()


# ----------------------------------------------------------------------------- registry and contract
def test_registry_names_the_built_in_sweepers():
    assert {"sequential", "blocks", "constrained"} <= set(SWEEPERS)
    for name in ("sequential", "blocks", "constrained"):
        assert get_sweeper(name).name == name
    model = random_model(n=6, n_pairs=6, seed=0)
    assert Simulation(model, 10.0, 0, threads=1).sweeper.name == "sequential"
    assert Simulation(model, 10.0, 0, threads=2, parallel=True).sweeper.name == "blocks"
    assert ConstrainedSimulation(model, 10.0, [0, 0, 1], 0).sweeper.name == "constrained"
    with pytest.raises(ValueError, match="sweeper: 'gpu' is not one of"):
        Simulation(model, 10.0, 0, sweeper="gpu")


@pytest.mark.nojit
def test_a_registered_sweeper_drives_the_simulation(registered):
    model = random_model(n=8, n_pairs=12, seed=21, dipolar=True)
    sim = Simulation(model, T=80.0, seed=99, sweeper="reversed", adapt_moves=20)
    assert isinstance(sim.sweeper, ReversedSweeper) and sim.decomposition == "sequential"
    sim.run(6, observe_every=3)
    ref_s, ref_sigma = ref_sequential(model, 80.0, 99, "adaptive", 6, order=range(model.n - 1, -1, -1))
    assert np.allclose(sim.spins, ref_s, rtol=0, atol=1e-12)
    assert sim.cone_width == pytest.approx(ref_sigma, rel=1e-15) and ref_sigma != 0.5


@pytest.mark.nojit
def test_external_dipolar_object_needs_a_sweeper_that_handles_it(registered):
    """A model whose dipolar object only offers energy_meV/fields_meV: the built-in sweepers refuse it,
    "auto" picks the registered sweeper that handles it, and sweeps, energies, fields, the collective
    move and the engine's reference functions give the numbers of the macrocell kernel path."""
    model = random_model(n=8, n_pairs=12, seed=3, dipolar=True)
    ext = random_model(n=8, n_pairs=12, seed=3, dipolar=True)
    ext.dipolar = ExternalDipolar(model.dipolar)
    with pytest.raises(ValueError, match="sweeper: 'sequential' sweeps macrocell dipolar terms only"):
        Simulation(ext, T=60.0, seed=9, sweeper="sequential")
    labels = np.array([0, 0, 1, -1, 1, 0, 1, 0])
    kw = dict(T=60.0, seed=9, threads=1, adapt_moves=20, collective_every=2, collective_groups=labels)
    a = Simulation(model, **kw)
    b = Simulation(ext, **kw)
    assert b.sweeper.name == "python-dipolar"
    oa, ob = a.run(20, observe_every=5), b.run(20, observe_every=5)
    assert np.allclose(a.spins, b.spins, rtol=0, atol=1e-12)
    assert np.allclose(oa.energy, ob.energy, rtol=1e-12)
    assert a.collective_width == pytest.approx(b.collective_width, rel=1e-12) != 0.1
    assert oa.collective_acceptance == ob.collective_acceptance
    assert np.allclose(a.local_field(), b.local_field(), rtol=1e-12, atol=1e-12)
    s, rot = a.spins, np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert local_energy_change(ext, 2, [0.6, 0.0, 0.8], spins=s) == pytest.approx(
        local_energy_change(model, 2, [0.6, 0.0, 0.8], spins=s), rel=1e-10)
    assert collective_energy_change(ext, rot, sites=[0, 1, 5], spins=s) == pytest.approx(
        collective_energy_change(model, rot, sites=[0, 1, 5], spins=s), rel=1e-10)


def test_sweeper_options_and_moves_are_validated(registered):
    model = random_model(n=6, n_pairs=6, seed=0)
    with pytest.raises(ValueError, match="sweeper_options"):
        Simulation(model, 1.0, 0, sweeper="sequential", sweeper_options={"bogus": 1})
    with pytest.raises(ValueError, match="sweeper_options"):
        Simulation(model, 1.0, 0, sweeper_options=[1])
    with pytest.raises(ValueError, match="parallel: True contradicts sweeper 'sequential'"):
        Simulation(model, 1.0, 0, sweeper="sequential", parallel=True)
    with pytest.raises(ValueError, match="move: 'uniform' is not one of \\['adaptive'\\] \\(sweeper 'constrained'\\)"):
        Simulation(model, 1.0, 0, move="uniform", sweeper="constrained", sweeper_options={"direction": [0, 0, 1]})
    with pytest.raises(ValueError, match="collective_every: 1 is outside \\[0, 0\\]"):
        Simulation(model, 1.0, 0, sweeper="constrained", collective_every=1)
    with pytest.raises(ValueError, match="decomposition"):
        Simulation(model, 1.0, 0, sweeper="blocks", decomposition="stripes")


# ----------------------------------------------------------------------------- validation at the entry point
@pytest.mark.nojit
def test_simulation_entry_point_names_bad_arguments():
    model = random_model(n=4, n_pairs=4, seed=0)
    for kwargs, err, match in (
            (dict(adapt_moves=10 ** 20), ValueError,
             "adapt_moves: 100000000000000000000 is outside \\[1, 1000000000\\]"),
            (dict(adapt_moves=0), ValueError, "adapt_moves"),
            (dict(threads=2 ** 63), ValueError, "threads: 9223372036854775808 is outside \\[1, 1024\\]"),
            (dict(threads=1.5), ValueError, "threads"),
            (dict(sigma="wide"), ValueError, "sigma"),
            (dict(sigma=100.0), ValueError, "sigma"),
            (dict(adapt="yes"), ValueError, "adapt"),
            (dict(collective_width=float("nan")), ValueError, "collective_width"),
            (dict(renumber="no"), ValueError, "renumber"),
            (dict(parallel=2), ValueError, "parallel")):
        with pytest.raises(err, match=match):
            Simulation(model, T=1.0, seed=0, **kwargs)
    with pytest.raises(TypeError, match="model: expected a SpinModel .* got float"):
        Simulation(1.5, T=1.0, seed=0)
    with pytest.raises(TypeError, match="model"):
        ConstrainedSimulation("model", T=1.0, direction=[0, 0, 1], seed=0)
    sim = Simulation(model, T=1.0, seed=0, threads=1)
    with pytest.raises(ValueError, match="n_sweeps"):
        sim.run(10 ** 12)
    with pytest.raises(ValueError, match="observe_every"):
        sim.run(3, observe_every=2.5)


# ----------------------------------------------------------------------------- engine options
def test_engine_options_merge_and_validate():
    opts = EngineOptions({"move": "uniform", "threads": 1}, move="uniform", collective_every=None)
    assert dict(opts) == {"move": "uniform", "threads": 1}
    assert opts.get_value("sweeper") == "auto" and opts.get_value("collective_every") == 0
    assert EngineOptions(opts) == opts
    assert opts.constrained_kwargs() == {"sweeper": "constrained"}
    with pytest.raises(ValueError, match="move: 'adaptive' conflicts with engine\\['move'\\] = 'uniform'"):
        EngineOptions({"move": "uniform"}, move="adaptive")
    with pytest.raises(ValueError, match="engine: 'moves' is not an engine option"):
        EngineOptions({"moves": "uniform"})
    with pytest.raises(ValueError, match="engine"):
        EngineOptions("uniform")
    with pytest.raises(ValueError, match="move"):
        EngineOptions({"move": "heatbath"})
    with pytest.raises(ValueError, match="threads"):
        EngineOptions(threads=0)
    with pytest.raises(ValueError, match="constrained_sweeper"):
        EngineOptions({"constrained_sweeper": "nope"})


@pytest.mark.filterwarnings("ignore:hysteresis_loop:RuntimeWarning")
def test_engine_options_reach_every_measurement_driver(registered):
    """A sweeper and a move given once as engine={...} are used by loops, ZFC/FC, temperature sweeps,
    constrained torques, anisotropy series and comparisons (no driver names the sweeper)."""
    from atomspin.measure import (anisotropy_temperature_series, effective_anisotropy, hysteresis_loop,
                                  temperature_sweep, uniaxial_cluster, zfc_fc)
    from atomspin.measure.compare import standard_protocol

    m = uniaxial_cluster((2, 2, 1), J_meV=20.0, K_meV=0.05)
    eng = {"sweeper": "counting", "move": "hinzke-nowak", "threads": 1, "constrained_sweeper": "counting-constrained"}
    runs = {}

    def count(name, call):
        CountingSweeper.log.clear()
        CountingConstrainedSweeper.log.clear()
        call()
        runs[name] = (len(CountingSweeper.log), len(CountingConstrainedSweeper.log), set(CountingSweeper.log))

    count("loop", lambda: hysteresis_loop(m, 10.0, [1.0, 0.0, -1.0], sweeps_per_point=4, engine=eng))
    count("zfc", lambda: zfc_fc(m, [5.0, 10.0], 0.5, sweeps_per_point=4, engine=eng))
    count("tsweep", lambda: temperature_sweep(m, [10.0], sweeps=10, equilibration_sweeps=0, engine=eng))
    count("torque", lambda: effective_anisotropy(m, 10.0, n_angles=3, sweeps=10, equilibration_sweeps=0,
                                                 observe_every=5, engine=eng))
    count("series", lambda: anisotropy_temperature_series(m, [5.0, 10.0], sweeps=10, equilibration_sweeps=0,
                                                          observe_every=5, engine=eng))
    count("compare", lambda: standard_protocol(10.0, [1.0, -1.0, 1.0], sweeps_per_point=4, anisotropy=True,
                                               anisotropy_kwargs=dict(n_angles=3, sweeps=10, equilibration_sweeps=0,
                                                                      observe_every=5), engine=eng)(m, 1))
    for name, (free, constrained, moves) in runs.items():
        if name != "torque":
            assert free > 0 and moves == {"hinzke-nowak"}, (name, runs[name])
        if name in ("torque", "series", "compare"):
            assert constrained > 0, (name, runs[name])
    with pytest.raises(ValueError, match="move: 'adaptive' conflicts"):
        hysteresis_loop(m, 10.0, [1.0, 0.0, -1.0], sweeps_per_point=4, move="adaptive", engine=eng)
    with pytest.raises(ValueError, match="engine: 'sweepers' is not an engine option"):
        temperature_sweep(m, [10.0], sweeps=10, engine={"sweepers": "counting"})
