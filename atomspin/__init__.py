"""atomspin: atomistic spin disorder in defected iron-oxide nanoparticles.

The layers, in the one direction of imports::

    structures → model → engine → measure → sar (and imaging, beside it) → batch/cli

``macrospin``, ``units`` and ``validation`` are importable from every layer. ``SpinModel`` and
``Simulation`` are at the top for convenience. Layers are imported when first used (``import atomspin``
stays cheap); ``dir(atomspin)`` lists them.
"""

__version__ = "0.1.0"

#: the layers, in import order, and the modules every layer may use
_LAYERS = ("structures", "model", "engine", "measure", "sar", "imaging", "batch")
_SHARED = ("macrospin", "units", "validation")
_SUBMODULES = _LAYERS + _SHARED


def __getattr__(name):  # lazy: ``import atomspin`` stays cheap
    from importlib import import_module

    if name in _SUBMODULES:
        return import_module(f"atomspin.{name}")
    if name == "SpinModel":
        return import_module("atomspin.model").SpinModel
    if name == "Simulation":
        return import_module("atomspin.engine").Simulation
    raise AttributeError(f"module 'atomspin' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


__all__ = list(_SUBMODULES) + ["SpinModel", "Simulation", "__version__"]
