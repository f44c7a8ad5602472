"""Monte Carlo engine: numba Metropolis kernels and the :class:`Simulation` driver.

Public API (Contract 3 of docs/architecture.md): :class:`Simulation`, :class:`Observables`,
:func:`effective_field`, :func:`local_energy_change`, :func:`colour_classes`, :func:`slab_blocks`,
:class:`ConstrainedSimulation`, :class:`ConstrainedObservables`; error bars with the integrated
autocorrelation time: :func:`mean_error`, :func:`integrated_autocorrelation_time`, :func:`blocking_error`. Units: energies meV, T in K,
fields μ0H in tesla, moments μB; Hamiltonian of :mod:`atomspin.model.core`.

Example::

    sim = Simulation(model, T=300.0, seed=1)          # adaptive Gaussian-cone Metropolis
    sim.run(1000)                                      # equilibrate
    obs = sim.run(5000, observe_every=5)               # Observables: energy, M, sublattices
    print(obs.reduced_m, obs.binder, obs.susceptibility)
    sim.set_field([0, 0, 0.5]); sim.set_temperature(250.0)   # no recompilation
    sim.collective_every = 1   # + one rigid rotation of all spins per sweep (equilibrium accelerator)

Reproducibility: same seed, move, ``threads``, ``parallel`` and decomposition ⇒ bit-identical
numbers (the parallel sweep gives block t of every phase its own xoshiro256+ stream t).
"""

from atomspin.engine.simulation import (  # noqa: F401
    MOVES,
    Observables,
    Simulation,
    collective_energy_change,
    colour_classes,
    effective_field,
    local_energy_change,
    slab_blocks,
)
from atomspin.engine.constrained import ConstrainedObservables, ConstrainedSimulation  # noqa: F401
from atomspin.engine.statistics import blocking_error, integrated_autocorrelation_time, mean_error  # noqa: F401

__all__ = ["Simulation", "Observables", "effective_field", "local_energy_change", "colour_classes",
           "slab_blocks", "collective_energy_change", "MOVES", "ConstrainedSimulation", "ConstrainedObservables",
           "integrated_autocorrelation_time", "mean_error", "blocking_error"]
