"""The study-step registry (issue #11 item 2): every step is one module that declares its schema fragment,
its result keys and run(ctx); schema, runner, availability check and report read the registry."""
import shutil
import subprocess
import sys

import pytest

from atomspin.batch import validate_recipe
from atomspin.batch.fields import Field, RecipeError
from atomspin.batch.schema import SCHEMA
from atomspin.batch.steps import REGISTRY, STEP_MODULES, STEPS, headline_keys, result_prefixes
from atomspin.batch.tasks import available_steps

from _batch_helpers import ROOT, TINY, py_env


def test_registry_is_the_one_table():
    assert STEPS == STEP_MODULES == ("structure", "tc", "disorder", "loop", "kv", "landscape", "sar", "mpi", "mri")
    assert SCHEMA["protocol"]["steps"].choices == STEPS
    for name, st in REGISTRY.items():
        assert st.doc and callable(st.run) and st.api
        assert all(isinstance(f, Field) and f.doc for f in st.schema.values())
        if st.schema:
            assert SCHEMA["protocol"][name] == st.schema  # the schema's section is the step's fragment
        else:
            assert name not in SCHEMA["protocol"]
        for key, (rank, doc, *rest) in st.result_keys.items():
            assert isinstance(rank, (int, float)) and doc
            assert not rest or isinstance(rest[0], (str, type(None)))  # the label (words and unit)
    assert set(SCHEMA["protocol"]) - set(STEPS) == {"steps", "T_K"}
    # columns named with their units; Mr over the ferrimagnetic Ms of the same loop (issue #16)
    assert headline_keys()[:4] == ["n_magnetic", "Ms_A_per_m", "Hc_kA_per_m", "Mr_over_Ms"]
    assert result_prefixes() == ("s_", "tc_", "disorder_", "loop_", "kv_", "landscape_", "sar_", "mpi_", "mri_")


def test_step_checks_and_requirements_come_from_the_steps():
    with pytest.raises(RecipeError, match=r"^protocol.steps: 'sar' needs 'loop' or 'kv' or 'landscape' in the steps$"):
        validate_recipe({"protocol": {"steps": ["structure", "sar"]}})
    with pytest.raises(RecipeError, match=r"^protocol.tc.T_max_K: 800 must be above protocol.tc.T_min_K = 900$"):
        validate_recipe({"protocol": {"tc": {"T_min_K": 900, "T_max_K": 800}}})


def test_sar_temperature_is_the_recipe_temperature():
    """A recipe with T = 0 no longer gets SAR at a hidden 300 K: it is refused, naming protocol.T_K."""
    with pytest.raises(RecipeError, match=r"^protocol.T_K: the sar step needs the measurement temperature above 0 K"):
        validate_recipe({"protocol": {"steps": ["structure", "kv", "sar"], "T_K": 0.0}})
    validate_recipe({"protocol": {"steps": ["structure", "kv"], "T_K": 0.0}})  # T = 0 without SAR is fine


NEW_STEP = '''"""Study step ``surface_count``: how many atoms the surface shell holds."""
from atomspin.batch.fields import Field as F

NAME = "surface_count"
DOC = "atoms in the labelled surface shell"
SCHEMA = {"min_moment_muB": F("float", 0.0, "count only atoms with a larger moment, μB", lo=0.0, hi=10.0)}
API = ("atomspin.structures:describe",)
REQUIRES = ("structure",)
RESULT_KEYS = {"n_surface": (12, "atoms in the surface shell")}


def run(ctx):
    p = ctx.recipe["protocol"][NAME]
    a = ctx.atoms.arrays
    ctx.kvp["n_surface"] = int(((a["moment_muB"] > p["min_moment_muB"]) & a["surface"]).sum())
'''


@pytest.mark.skipif("structure" not in available_steps(), reason="atomspin.structures not available")
def test_new_step_is_one_file_and_one_line(tmp_path):
    """On a copy of the package: one new module and its name in STEP_MODULES make a working step (the
    example of docs/batch.md)."""
    pkg = tmp_path / "pkg"
    shutil.copytree(ROOT / "atomspin", pkg / "atomspin", ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "atomspin" / "batch" / "steps" / "surface_count.py").write_text(NEW_STEP)
    reg = pkg / "atomspin" / "batch" / "steps" / "__init__.py"
    text = reg.read_text()
    line = 'STEP_MODULES = ("structure", "tc", "disorder", "loop", "kv", "landscape", "sar", "mpi", "mri")'
    assert line in text
    reg.write_text(text.replace(line, line.replace('"structure", ', '"structure", "surface_count", ')))
    env = py_env()
    env["PYTHONPATH"] = str(pkg) + ":" + str(ROOT / "tests")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "atomspin.cli", *map(str, args)], capture_output=True,
                              text=True, timeout=300, env=env, cwd=tmp_path)
    out = cli("schema").stdout
    assert "protocol.surface_count.min_moment_muB (float in [0, 10]) = 0.0" in out
    assert "  surface_count: atoms in the labelled surface shell" in out
    p = tmp_path / "r.toml"
    p.write_text(TINY.replace('steps = ["structure"]', 'steps = ["structure", "surface_count"]\n'
                                                       '[protocol.surface_count]\nmin_moment_muB = 1.0'))
    proc = cli("run", p, "--db", tmp_path / "r.db", "--no-report", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    # the report lists the new step's key (comparison table: one line per quantity, its key beside its words)
    line = next(ln for ln in proc.stdout.splitlines() if "n_surface" in ln)
    assert line.startswith("atoms in the surface shell") and "clean (2 seeds)" in proc.stdout
    check = subprocess.run([sys.executable, "-c", (
        "import sys, numpy as np; from atomspin.batch import ResultStore\n"
        "for r in ResultStore(sys.argv[1], mode='r').rows():\n"
        "    lab = r.data['atoms_labels']\n"
        "    n = int(((np.asarray(lab['moment_muB']) > 1.0) & np.asarray(lab['surface'])).sum())\n"
        "    assert r.n_surface == n > 0, (r.n_surface, n)\n"
        "print('ok')\n"), str(tmp_path / "r.db")], capture_output=True, text=True, timeout=120, env=env)
    assert check.stdout.strip() == "ok", check.stderr
