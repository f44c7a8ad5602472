"""Shared helpers of the batch/CLI/store tests (not a test module)."""
import contextlib
import io

import numpy as np
from ase import Atoms

from atomspin.cli import main

#: smallest sweep recipe: 2 variants × 2 seeds, structure step only
TINY = """
[meta]
name = "tiny"
[structure]
phase = "Fe3O4"
diameter_nm = 2.5
[protocol]
steps = ["structure"]
[sweep]
seeds = [1, 2]
[[sweep.variants]]
name = "clean"
[[sweep.variants]]
name = "vac"
defects.vacancies.delta = 0.2
"""


def run_cli(*args):
    """(exit code, stdout, stderr) of ``atomspin ARGS`` run in-process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in args])
    return rc, out.getvalue(), err.getvalue()


def toy_task(task):
    """Deterministic stand-in for run_task: exact values from the seed."""
    rng = np.random.default_rng(task["seed"])
    x = rng.random(5)
    atoms = Atoms("Fe2O", positions=[[0, 0, 0], [2.0, 0, 0], [1.0, 1.0, 0]])
    return {"hash": task["hash"], "kvp": {"seed": task["seed"], "variant": "toy", "s_x0": float(x[0]),
                                          "loop_Bc_T": float(x[1])},
            "data": {"loop": {"fields_T": np.linspace(-1, 1, 5), "m": x}}, "atoms": atoms,
            "recipe": {"seed": task["seed"]}, "elapsed_s": 0.0}


def toy_tasks(n):
    return [{"hash": f"h{i:015d}", "seed": i, "variant": "toy"} for i in range(n)]
