"""Classical Heisenberg model compiled from labelled structures (see :mod:`atomspin.model.core`)."""
from atomspin.model.core import DipolarCells, SpinModel

__all__ = ["SpinModel", "DipolarCells"]
