"""Monte Carlo engine: numba Metropolis kernels, pluggable sweepers and the :class:`Simulation` driver.

Public API: :class:`Simulation`, :class:`Observables`, :class:`ConstrainedSimulation`,
:class:`ConstrainedObservables`, :class:`EngineOptions` (the ``engine={...}`` options of every
measurement driver), the sweeper registry ``SWEEPERS`` (:mod:`atomspin.engine.sweepers`, where the
sweeper contract is written), the kernel-computed :func:`effective_field`, :func:`local_energy_change`,
:func:`collective_energy_change`, the decompositions :func:`colour_classes`, :func:`slab_blocks`; error
bars with the integrated autocorrelation time: :func:`mean_error`, :func:`integrated_autocorrelation_time`,
:func:`blocking_error`. Units: energies meV, T in K, fields μ0H in tesla, moments μB; Hamiltonian of
:mod:`atomspin.model.core`.

Layout: ``arrays`` (packing a SpinModel), ``kernels`` (energy/field kernels), ``moves`` (single-spin
proposals), ``collective`` (rigid-rotation move), ``decomposition`` (slabs, colour classes),
``sweepers/`` (one file per sweeper), ``observables``, ``options``, ``fields``, ``simulation``,
``constrained``, ``statistics``, ``rng``.

Example::

    sim = Simulation(model, T=300.0, seed=1)          # adaptive Gaussian-cone Metropolis
    sim.run(1000)                                      # equilibrate
    obs = sim.run(5000, observe_every=5)               # Observables: energy, M, sublattices
    print(obs.reduced_m, obs.binder, obs.susceptibility)
    sim.set_field([0, 0, 0.5]); sim.set_temperature(250.0)   # no recompilation
    sim.collective_every = 1   # + one rigid rotation of all spins per sweep (equilibrium accelerator)

Reproducibility: same seed, move, sweeper, ``threads`` and decomposition ⇒ bit-identical numbers (the
parallel sweep gives block t of every phase its own xoshiro256+ stream t).
"""

from atomspin.engine.constrained import ConstrainedObservables, ConstrainedSimulation  # noqa: F401
from atomspin.engine.decomposition import colour_classes, slab_blocks  # noqa: F401
from atomspin.engine.fields import collective_energy_change, effective_field, local_energy_change  # noqa: F401
from atomspin.engine.moves import MOVES  # noqa: F401
from atomspin.engine.observables import Observables  # noqa: F401
from atomspin.engine.options import EngineOptions  # noqa: F401
from atomspin.engine.simulation import Simulation  # noqa: F401
from atomspin.engine.statistics import blocking_error, integrated_autocorrelation_time, mean_error  # noqa: F401
from atomspin.engine.sweepers import SWEEPERS  # noqa: F401

__all__ = ["Simulation", "Observables", "EngineOptions", "SWEEPERS", "effective_field", "local_energy_change",
           "colour_classes", "slab_blocks", "collective_energy_change", "MOVES", "ConstrainedSimulation",
           "ConstrainedObservables", "integrated_autocorrelation_time", "mean_error", "blocking_error"]
