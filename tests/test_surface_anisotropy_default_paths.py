"""Issue 13 §1: "the same default in the Python API and the CLI" for the Néel surface / defect anisotropy.

The Python path is ``structures.build_particle`` + ``SpinModel.from_atoms`` with every default; the CLI path is a
recipe file read by ``load_recipe`` (as ``atomspin run/build/sweep`` read it), expanded to its task and run through
the ``structure`` step and the task context's model (``[model] params = "auto"``, ``surface_anisotropy`` left at
the schema default), which is what every CLI command compiles.
"""
import numpy as np
import pytest

from atomspin.batch import expand, load_recipe
from atomspin.batch.context import Context, derived_seed
from atomspin.batch.schema import SCHEMA
from atomspin.batch.steps import REGISTRY
from atomspin.model import SpinModel
from atomspin.model.anisotropy import neel_facet_constant_J_per_m2, neel_ks_from_surface_constant
from atomspin.model.core import quad_to_matrix
from atomspin.model.parameters import load_parameter_set

st = pytest.importorskip("atomspin.structures")

RECIPE = """
[meta]
name = "ks-default"
[structure]
phase = "Fe3O4"
shape = "sphere"
diameter_nm = 3.5
[model]
params = "auto"
dipolar = false
{extra}
[protocol]
steps = ["structure"]
[sweep]
seeds = [7]
"""


def _cli_model(tmp_path, name, extra=""):
    """(task seed, atoms, SpinModel) of the one task of a recipe file, compiled as the CLI compiles it."""
    path = tmp_path / f"{name}.toml"
    path.write_text(RECIPE.format(extra=extra))
    (task,) = expand(load_recipe(path))
    ctx = Context(task)
    REGISTRY["structure"].run(ctx)
    return task["seed"], ctx.atoms, ctx.model


def test_python_api_and_recipe_path_give_the_same_default_surface_anisotropy(tmp_path):
    """Same particle (the recipe's structure seed handed to build_particle), both paths at their defaults: the same
    k_s (the magnetite set's K_s = 2.9e-5 J/m² on {111}, Pérez et al. 2008, i.e. 0.0304 meV per bond), the same
    sites carrying a Néel tensor and the same tensors, bit for bit. The recipe path labels a 0.5 nm surface shell
    (label_surface) and build_particle labels none: the term does not depend on the labels. The recipe's
    ``surface_anisotropy = "off"`` and ``"given"`` are honoured by the same model step (so the comparison above is not
    two paths that ignore the key)."""
    assert SCHEMA["model"]["surface_anisotropy"].default == "default"
    seed, atoms_cli, m_cli = _cli_model(tmp_path, "default")
    p = st.build_particle("Fe3O4", "sphere", diameter_nm=3.5, seed=derived_seed(seed, "structure"))
    m_py = SpinModel.from_atoms(p)
    assert p.arrays["surface"].sum() != atoms_cli.arrays["surface"].sum()  # the labels differ ...
    np.testing.assert_array_equal(m_py.positions, m_cli.positions)  # ... the spins do not

    Ks = float(load_parameter_set("magnetite").extra["surface_anisotropy"]["K_s_J_per_m2"])
    ks = neel_ks_from_surface_constant(Ks, (1, 1, 1))
    assert Ks == pytest.approx(2.9e-5, rel=1e-12) and ks == pytest.approx(0.030388, rel=1e-4)
    assert m_py.info["neel"]["k_s_meV"] == m_cli.info["neel"]["k_s_meV"] == pytest.approx(ks, rel=1e-12)
    assert neel_facet_constant_J_per_m2(m_cli.info["neel"]["k_s_meV"]) == pytest.approx(Ks, rel=1e-12)
    assert m_py.info["neel"]["source"] == m_cli.info["neel"]["source"]

    q_py, q_cli = quad_to_matrix(m_py.quad), quad_to_matrix(m_cli.quad)
    sites_py = np.flatnonzero(np.abs(q_py).max(axis=(1, 2)) > 0)
    sites_cli = np.flatnonzero(np.abs(q_cli).max(axis=(1, 2)) > 0)
    np.testing.assert_array_equal(sites_py, sites_cli)
    assert len(sites_py) == m_py.info["neel"]["sites"] == m_cli.info["neel"]["sites"] > 0.3 * m_py.n
    np.testing.assert_array_equal(q_py, q_cli)

    # the key is read: "off" removes the term, "given" with the Python default reproduces it
    _, _, m_off = _cli_model(tmp_path, "off", 'surface_anisotropy = "off"')
    assert m_off.info["neel"]["k_s_meV"] == 0.0 and m_off.info["neel"]["sites"] == 0 and np.all(m_off.quad == 0)
    _, _, m_given = _cli_model(tmp_path, "given", f'surface_anisotropy = "given"\nneel_ks_meV = {ks!r}')
    np.testing.assert_allclose(quad_to_matrix(m_given.quad), q_py, rtol=1e-12, atol=0)
