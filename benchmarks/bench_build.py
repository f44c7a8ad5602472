"""Model build (``SpinModel.from_atoms``) time and peak memory vs N, periodic boxes and open spheres.

Usage::

    python benchmarks/bench_build.py                 # default series up to ~1e6 spins
    python benchmarks/bench_build.py --quick         # small series (seconds)
    python benchmarks/bench_build.py --periodic 24 --sphere 20   # chosen sizes (cells per edge, nm)

Each point runs in a fresh process: the structure is built first, the peak resident memory is reset
(/proc/self/clear_refs), then ``from_atoms`` runs and the increase of the peak (VmHWM) over the memory
before the call is reported per spin. ``dipolar`` is the default ("auto": the lattice FFT object for open
particles, built lazily — its kernels are made on first use, not by from_atoms).
"""
import argparse
import json
import subprocess
import sys
import time

CHILD = r"""
import json, sys, time, os
import numpy as np
from atomspin import structures as S
from atomspin.model import SpinModel
kind, size = sys.argv[1], float(sys.argv[2])
if kind == "periodic":
    atoms = S.build_bulk("Fe3O4", repeat=int(size))
else:
    atoms = S.build_particle("Fe3O4", "sphere", size, seed=1)
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
before = status("VmRSS")
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    reset = True
except OSError:
    reset = False
t = time.perf_counter()
m = SpinModel.from_atoms(atoms)
dt = time.perf_counter() - t
peak = status("VmHWM")
print(json.dumps(dict(kind=kind, size=size, n=m.n, atoms=len(atoms), seconds=dt,
                      peak_extra_bytes=peak - before, reset=reset, model_bytes=int(sum(
                          getattr(m, k).nbytes for k in ("positions", "spins", "moments", "indptr", "indices",
                                                         "J", "quad", "k1", "k2"))))))
"""


def run(kind, size):
    out = subprocess.run([sys.executable, "-c", CHILD, kind, str(size)], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr[-2000:])
        return None
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{kind:8s} {size:6g}  N = {r['n']:9d}  build {r['seconds']:7.2f} s  "
          f"{r['seconds'] / r['n'] * 1e6:6.2f} µs/spin  peak +{r['peak_extra_bytes'] / 2**20:8.1f} MiB "
          f"= {r['peak_extra_bytes'] / r['n']:6.0f} B/spin" + ("" if r["reset"] else " (peak not reset)"),
          flush=True)
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--periodic", type=int, nargs="*", help="cells per edge")
    ap.add_argument("--sphere", type=float, nargs="*", help="diameters in nm")
    ap.add_argument("--json", help="write the results to this file")
    a = ap.parse_args(argv)
    if a.periodic is None and a.sphere is None:
        per = [4, 8] if a.quick else [8, 12, 16, 24, 32, 35]
        sph = [5, 10] if a.quick else [10, 15, 20, 25, 30, 36]
    else:
        per, sph = a.periodic or [], a.sphere or []
    res = []
    t0 = time.perf_counter()
    for L in per:
        res.append(run("periodic", L))
    for d in sph:
        res.append(run("sphere", d))
    print(f"total {time.perf_counter() - t0:.0f} s")
    if a.json:
        with open(a.json, "w") as f:
            json.dump([r for r in res if r], f, indent=1)


if __name__ == "__main__":
    main()
