"""Run the tests marked ``nojit`` again with ``NUMBA_DISABLE_JIT=1``, and check that they call every
``@njit`` function of the package.

The kernels are plain Python when numba's JIT is disabled, so this run exercises the same code paths
as pure Python (for coverage, and to catch code that only works because numba coerces types). The
list of njit functions is read from the source (:func:`njit_functions`), so a new kernel without a
``nojit`` test that reaches it fails here, by name.
"""
import ast
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1",
                                reason="already running without the JIT")


def _is_njit(dec):
    """True for ``@njit``, ``@jit``, ``@numba.njit``, ``@numba.jit`` with or without arguments."""
    if isinstance(dec, ast.Call):
        dec = dec.func
    name = dec.attr if isinstance(dec, ast.Attribute) else getattr(dec, "id", None)
    return name in ("njit", "jit")


def njit_functions():
    """Sorted ``"atomspin/<path>.py:<name>"`` of every function decorated with numba's njit/jit."""
    out = []
    for path in sorted((ROOT / "atomspin").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(_is_njit(d) for d in node.decorator_list):
                out.append(f"{path.relative_to(ROOT).as_posix()}:{node.name}")
    return out


def test_njit_functions_are_found():
    names = njit_functions()
    for known in ("atomspin/engine/sweepers/sequential.py:sweep_sequential", "atomspin/engine/kernels.py:_delta_e",
                  "atomspin/engine/rng.py:_next_u64", "atomspin/sar/_dipole.py:add_dipole_fields"):
        assert known in names
    assert len(names) == len(set(names)), "two njit functions share a module and a name"


def test_nojit_subset_passes_without_jit_and_calls_every_njit_function(tmp_path):
    trace = tmp_path / "called.txt"
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", ATOMSPIN_NJIT_TRACE=str(trace))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-m", "nojit", "-p", "no:cacheprovider", "-p", "no:xdist",
         str(ROOT / "tests")],
        env=env, capture_output=True, text=True, timeout=900, cwd=ROOT,
    )
    tail = (proc.stdout + proc.stderr)[-3000:]
    # exit code 5 means no test is marked nojit: that is a failure of this check too
    assert proc.returncode == 0, tail
    assert " passed" in proc.stdout, tail
    called = set(trace.read_text().split())
    missing = [f for f in njit_functions() if f.replace("/", os.sep) not in called and f not in called]
    assert not missing, ("njit functions never called by the NUMBA_DISABLE_JIT=1 run of the tests marked nojit "
                         f"(add a fast @pytest.mark.nojit test that reaches them): {missing}")
