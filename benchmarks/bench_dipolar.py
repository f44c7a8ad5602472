"""Monte Carlo with and without the dipolar interaction: spin moves per second and bytes per spin.

Usage::

    python benchmarks/bench_dipolar.py                   # 10, 20, 30 nm magnetite spheres, 2 threads
    python benchmarks/bench_dipolar.py --sizes 10 --threads 1

Each (size, dipolar) point: one process builds the model (``SpinModel.from_atoms``, dipolar off or the
default "auto" = lattice FFT; its build peak is bench_build.py's business) and pickles it; a fresh process
loads it and runs the Simulation: a warm-up (JIT from the cache, first refresh), then a timed run of two
refresh intervals of the dipolar sweeper (so the refreshes are paid in proportion) at 300 K, sampling once.
Reported: moves/s, the ratio dipolar-on / off, the arrays the Monte Carlo holds (model, simulation,
sweeper, dipolar object; counted array by array) and the estimate of the dipolar transforms' working memory
during a refresh, per spin, and the peak resident memory of that process over its memory before loading
the model, per spin (this peak is set by the Simulation's construction, whose transient arrays exceed the
dipolar refresh; it also holds  the compiled code the first Monte Carlo call loads, a fixed ~20–60 MB, so the marginal
cost between two sizes is printed too).
"""
import argparse
import json
import subprocess
import sys

BUILD = r"""
import pickle, sys
from atomspin import structures as S
from atomspin.model import SpinModel
d, dip, path = float(sys.argv[1]), sys.argv[2], sys.argv[3]
m = SpinModel.from_atoms(S.build_particle("Fe3O4", "sphere", d, seed=1), dipolar=(False if dip == "off" else "auto"))
with open(path, "wb") as f:
    pickle.dump(m, f, protocol=5)
"""

CHILD = r"""
import json, pickle, sys, time
import numpy as np
from atomspin.engine import Simulation
path, dip, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
Simulation  # modules loaded before the baseline
before = status("VmRSS")
with open(path, "rb") as f:
    m = pickle.load(f)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
sim = Simulation(m, 300.0, seed=1, threads=threads)
sim.run(3, observe_every=3)
k = getattr(sim.sweeper, "refresh_every", None) or 100
n = max(2 * k, 50)
t = time.perf_counter()
sim.run(n, observe_every=n)
dt = time.perf_counter() - t
peak = status("VmHWM")
def nbytes(objs, seen, depth=0):
    tot = 0
    for a in objs:
        if isinstance(a, np.ndarray):
            base = a if not isinstance(a.base, np.ndarray) else a.base
            if id(base) not in seen:
                seen.add(id(base))
                tot += base.nbytes
        elif isinstance(a, (tuple, list)):
            tot += nbytes(a, seen, depth)
        elif hasattr(a, "__dict__") and depth < 3 and not isinstance(a, type):
            tot += nbytes(vars(a).values(), seen, depth + 1)
    return tot
held = nbytes([m, sim], set())
transient = getattr(m.dipolar, "memory_estimate", 0) if m.dipolar is not None else 0
print(json.dumps(dict(dip=dip, n=m.n, sweeps=n, seconds=dt, moves_per_s=m.n * n / dt, held_bytes=held,
                      transient_estimate=transient,
                      refresh_every=k if dip != "off" else None, sweeper=sim.sweeper.name,
                      peak_bytes=peak - before, info=m.info["dipolar"])))
"""


def run(d, dip, threads):
    import os
    import tempfile

    fd, path = tempfile.mkstemp(suffix=".pkl")
    os.close(fd)
    try:
        b = subprocess.run([sys.executable, "-c", BUILD, str(d), dip, path], capture_output=True, text=True)
        if b.returncode != 0:
            print(b.stderr[-3000:])
            return None
        out = subprocess.run([sys.executable, "-c", CHILD, path, dip, str(threads)], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        print(out.stderr[-3000:])
        return None
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["d"] = d
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=float, nargs="*", default=[10.0, 20.0, 30.0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    a = ap.parse_args(argv)
    res = []
    prev = None
    for d in a.sizes:
        r_off = run(d, "off", a.threads)
        r_on = run(d, "on", a.threads)
        if not (r_off and r_on):
            continue
        res += [r_off, r_on]
        line = (f"{d:5g} nm  N = {r_on['n']:8d}  off {r_off['moves_per_s'] / 1e6:6.2f} M/s  on {r_on['moves_per_s'] / 1e6:6.2f}"
                f" M/s  ratio {r_on['moves_per_s'] / r_off['moves_per_s']:.2f}  (refresh every {r_on['refresh_every']} "
                f"sweeps)  held B/spin off {r_off['held_bytes'] / r_off['n']:4.0f} on {r_on['held_bytes'] / r_on['n']:4.0f}"
                f" (+ refresh transforms ≤ {r_on['transient_estimate'] / r_on['n']:4.0f})"
                f"  peak RSS B/spin off {r_off['peak_bytes'] / r_off['n']:5.0f} on {r_on['peak_bytes'] / r_on['n']:5.0f}")
        if prev is not None:
            dn = r_on["n"] - prev[1]["n"]
            line += (f"  marginal off {(r_off['peak_bytes'] - prev[0]['peak_bytes']) / dn:5.0f} on "
                     f"{(r_on['peak_bytes'] - prev[1]['peak_bytes']) / dn:5.0f}")
        print(line, flush=True)
        prev = (r_off, r_on)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
