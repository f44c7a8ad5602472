"""Monte Carlo engine: numba Metropolis kernels and the :class:`Simulation` driver.

Public API (Contract 3 of docs/architecture.md): :class:`Simulation`, :class:`Observables`,
:func:`effective_field`, :func:`local_energy_change`, :func:`colour_classes`,
:class:`ConstrainedSimulation`. Units: meV, K, tesla, μB (see :mod:`atomspin.units`).
"""

from atomspin.engine.simulation import (  # noqa: F401
    MOVES,
    Observables,
    Simulation,
    colour_classes,
    effective_field,
    local_energy_change,
)
from atomspin.engine.constrained import ConstrainedObservables, ConstrainedSimulation  # noqa: F401

__all__ = ["Simulation", "Observables", "effective_field", "local_energy_change", "colour_classes",
           "MOVES", "ConstrainedSimulation", "ConstrainedObservables"]
