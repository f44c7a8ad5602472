"""atomspin: atomistic spin disorder in defected iron-oxide nanoparticles.

structures → model → engine → measure → sar (and imaging, beside it) → batch/cli (one direction of imports).
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = ("structures", "model", "engine", "measure", "sar", "imaging", "batch", "units")


def __getattr__(name):  # lazy: ``import atomspin`` stays cheap
    if name in _SUBMODULES:
        return importlib.import_module(f"atomspin.{name}")
    if name == "SpinModel":
        from atomspin.model import SpinModel

        return SpinModel
    if name == "Simulation":
        from atomspin.engine import Simulation

        return Simulation
    raise AttributeError(f"module 'atomspin' has no attribute {name!r}")


__all__ = list(_SUBMODULES) + ["SpinModel", "Simulation", "__version__"]
