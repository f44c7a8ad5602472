"""Issue #11 item 6: a small public API. ``import atomspin`` shows its layers; each subpackage's ``__all__``
holds its drivers and result types (functions and classes), not internals."""
import importlib
import inspect

import pytest

import atomspin

LAYERS = ["structures", "model", "engine", "measure", "sar", "imaging", "batch"]
SHARED = ["macrospin", "units", "validation"]
#: named in issue #11 as internals that belong elsewhere or stay private
INTERNALS = {"measure": ["fit_torque", "trend_figures", "internal_torque", "binned_profile", "geodesic_path", "relax"],
             "sar": ["langevin", "random_axes", "arrangement"],
             "engine": ["effective_field", "local_energy_change", "slab_blocks", "colour_classes", "MOVES"],
             "model": ["classify_pairs", "PAIR_CLASSES"],
             "structures": ["relabel", "count_bob_links"],
             "batch": ["task_hash", "derived_seed", "to_toml", "SCHEMA", "worker_env"]}


def test_import_atomspin_shows_its_layers():
    assert dir(atomspin) == sorted(LAYERS + SHARED + ["SpinModel", "Simulation", "__version__"])
    assert "importlib" not in vars(atomspin)
    for name in LAYERS + SHARED:
        assert getattr(atomspin, name).__name__ == f"atomspin.{name}"
    assert atomspin.SpinModel is importlib.import_module("atomspin.model").SpinModel


@pytest.mark.parametrize("layer", LAYERS + ["macrospin"])
def test_all_holds_drivers_and_result_types(layer):
    mod = importlib.import_module(f"atomspin.{layer}")
    names = mod.__all__
    assert len(names) == len(set(names)) and names
    for n in names:
        obj = getattr(mod, n)
        assert inspect.isfunction(obj) or inspect.isclass(obj), f"atomspin.{layer}.{n} is not a function or class"
    assert not set(INTERNALS.get(layer, [])) & set(names)


def test_named_internals_stay_in_their_modules():
    from atomspin.measure import anisotropy, figures
    from atomspin.sar import linear_response
    assert callable(anisotropy.fit_torque) and callable(figures.trend_figures) and callable(linear_response.langevin)
    for layer, name in (("measure", "fit_torque"), ("measure", "trend_figures"), ("sar", "langevin")):
        assert not hasattr(importlib.import_module(f"atomspin.{layer}"), name), f"atomspin.{layer}.{name}"
