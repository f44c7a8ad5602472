"""Wall time of `atomspin demo` (issue 15: ≤ 5 min cold on 2 cores, numba compilation included).

    python benchmarks/bench_demo.py                # cold (fresh numba cache) then warm, default demo
    python benchmarks/bench_demo.py --quick        # the CI-sized demo
    python benchmarks/bench_demo.py --runs 2       # each twice

Cold: a fresh ``NUMBA_CACHE_DIR`` (every kernel compiled, in both Dask workers); warm: the cache that run left.
Prints per run the wall time, the CPU time of the whole process tree (the CLI, the Dask nanny and worker
processes: ``RUSAGE_CHILDREN`` after the run), the load average before and after, and the per-task wall times
the rows record. On a machine shared with other jobs the wall time is an upper bound; CPU/2 estimates the wall
time on two idle cores (both workers busy all the time).
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(quick: bool, cache: str, out: Path) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    shutil.rmtree(out, ignore_errors=True)
    load0 = os.getloadavg()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "atomspin.cli", "demo", "-o", str(out), "--no-progress"]
                          + (["--quick"] if quick else []), env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if proc.returncode:
        sys.exit(f"demo failed ({proc.returncode}): {proc.stderr[-2000:]}")
    from atomspin.batch import ResultStore

    tasks = sorted(float(r.get("walltime_s", float("nan"))) for r in ResultStore(out / "results.db").rows())
    return {"wall_s": wall, "cpu_s": cpu, "load_before": load0, "load_after": os.getloadavg(), "tasks_s": tasks,
            "stdout": proc.stdout}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--show", action="store_true", help="print the demo's table of the last run")
    ap.add_argument("--cold-only", action="store_true", help="skip the warm rerun")
    ap.add_argument("-o", "--output", default=None, help="keep the demo folder here (default: a temporary one)")
    a = ap.parse_args()
    out = Path(a.output) if a.output else Path(tempfile.mkdtemp(prefix="bench_demo_"))
    last = None
    for k in range(a.runs):
        cache = tempfile.mkdtemp(prefix="numba_cold_")
        for label in ("cold",) if a.cold_only else ("cold", "warm"):
            res = run(a.quick, cache, out / "demo")
            last = res
            print(f"{'quick' if a.quick else 'default'} demo, {label} (run {k + 1}): wall {res['wall_s']:.1f} s, "
                  f"CPU of the process tree {res['cpu_s']:.1f} s (CPU/2 = {res['cpu_s'] / 2:.1f} s), load "
                  f"{res['load_before'][0]:.2f} -> {res['load_after'][0]:.2f}; tasks "
                  + ", ".join(f"{t:.0f}" for t in res["tasks_s"]) + " s", flush=True)
        shutil.rmtree(cache, ignore_errors=True)
    if a.show and last:
        print(last["stdout"])


if __name__ == "__main__":
    main()
