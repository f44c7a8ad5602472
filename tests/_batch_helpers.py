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


# --- subprocess helpers for the fault tests ----------------------------------------------------------------
import os as _os
import shlex as _shlex
import shutil as _shutil
import subprocess as _subprocess
import sys as _sys
from pathlib import Path as _Path

ROOT = _Path(__file__).resolve().parents[1]


def py_env(**extra):
    """Environment for a child Python that imports this checkout (and the test helpers)."""
    path = _os.pathsep.join(filter(None, [str(ROOT), str(ROOT / "tests"), _os.environ.get("PYTHONPATH")]))
    return {**_os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg", **extra}


#: ``python -c CLI_WITH_TOY args...``: the `atomspin` CLI with run_task replaced by a deterministic toy that
#: sleeps ``ATOMSPIN_TOY_SLEEP`` s (workers get the toy by value: it is defined in __main__)
CLI_WITH_TOY = """
import os, sys, time
import numpy as np
from ase import Atoms

def toy(task):
    time.sleep(float(os.environ.get("ATOMSPIN_TOY_SLEEP", "0")))
    x = np.random.default_rng(task["seed"]).random(3)
    return {"hash": task["hash"], "kvp": {"seed": task["seed"], "variant": task["variant"], "s_x0": float(x[0])},
            "data": {"x": {"T_K": np.arange(3.0), "y": x}}, "atoms": Atoms("Fe"), "recipe": task["recipe"],
            "elapsed_s": 0.0}

if __name__ == "__main__":
    import atomspin.batch.tasks as T
    T.run_task = toy
    from atomspin.cli import main
    sys.exit(main(sys.argv[1:]))
"""


def many_seeds(n):
    """A structure-only recipe (2.5 nm) with seeds 1..n, one variant: n tasks."""
    return TINY.split("[sweep]")[0] + f"[sweep]\nseeds = {list(range(1, n + 1))}\n"


def unprivileged(cmd):
    """``cmd`` (a list) so that file permissions apply to it: as is for a normal user; as root through
    ``capsh`` without the capabilities that override permissions; None when that is not possible."""
    if _os.geteuid() != 0:
        return list(cmd)
    capsh = _shutil.which("capsh")
    if capsh is None:
        return None
    return [capsh, "--drop=cap_dac_override,cap_dac_read_search,cap_fowner", "--", "-c", _shlex.join(cmd)]


def start_scheduler(folder, workers=0):
    """A real ``dask scheduler`` (and ``workers`` ``dask worker`` processes) on loopback: (scheduler file,
    processes); stop them with :func:`stop_processes`."""
    import time
    sched_file = _Path(folder) / "scheduler.json"
    env = py_env(NUMBA_NUM_THREADS="1")
    procs = [_subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                "--scheduler-file", str(sched_file)], env=env, stdout=_subprocess.DEVNULL,
                               stderr=_subprocess.DEVNULL, start_new_session=True)]
    for _ in range(300):
        if sched_file.is_file() and sched_file.stat().st_size > 0:
            break
        time.sleep(0.1)
    else:
        stop_processes(procs)
        raise RuntimeError("dask scheduler did not start")
    for i in range(workers):
        procs.append(_subprocess.Popen(["dask", "worker", "--scheduler-file", str(sched_file), "--nthreads", "1",
                                        "--no-dashboard", "--local-directory", str(_Path(folder) / f"w{i}")],
                                       env=env, stdout=_subprocess.DEVNULL, stderr=_subprocess.DEVNULL,
                                       start_new_session=True))
    return sched_file, procs


def stop_processes(procs):
    import signal
    for p in reversed(procs):
        try:
            _os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in reversed(procs):
        try:
            p.wait(10)
        except _subprocess.TimeoutExpired:
            _os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)
