"""Monte Carlo with and without the dipolar interaction: spin moves per second and bytes per spin.

Usage::

    python benchmarks/bench_dipolar.py                   # 10, 20, 30 nm magnetite spheres, 2 threads
    python benchmarks/bench_dipolar.py --sizes 10 --threads 1

Each (size, dipolar) point runs in a fresh process: the particle is built, the peak resident memory is
reset, then the model (``SpinModel.from_atoms``, dipolar off or the default "auto" = lattice FFT), the
Simulation and a warm-up run (JIT from the cache, first refresh); the timed run covers two refresh
intervals of the dipolar sweeper (so the refreshes are paid in proportion), at 300 K, sampling once.
Reported: moves/s, the ratio dipolar-on / off, and the peak memory increase per spin (model + simulation +
dipolar work arrays; it includes a fixed ~60–90 MB of loaded code, so the marginal cost between two sizes
is printed too).
"""
import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, sys, time
import numpy as np
from atomspin import structures as S
from atomspin.model import SpinModel
from atomspin.engine import Simulation
d, dip, threads = float(sys.argv[1]), sys.argv[2], int(sys.argv[3])
atoms = S.build_particle("Fe3O4", "sphere", d, seed=1)
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
m = SpinModel.from_atoms(atoms, dipolar=(False if dip == "off" else "auto"))
sim = Simulation(m, 300.0, seed=1, threads=threads)
sim.run(3, observe_every=3)
k = getattr(sim.sweeper, "refresh_every", None) or 100
n = max(2 * k, 50)
t = time.perf_counter()
sim.run(n, observe_every=n)
dt = time.perf_counter() - t
peak = status("VmHWM")
print(json.dumps(dict(d=d, dip=dip, n=m.n, sweeps=n, seconds=dt, moves_per_s=m.n * n / dt,
                      refresh_every=k if dip != "off" else None, sweeper=sim.sweeper.name,
                      peak_bytes=peak - before, info=m.info["dipolar"])))
"""


def run(d, dip, threads):
    out = subprocess.run([sys.executable, "-c", CHILD, str(d), dip, str(threads)], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr[-3000:])
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


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
                f"sweeps)  peak B/spin off {r_off['peak_bytes'] / r_off['n']:5.0f} on {r_on['peak_bytes'] / r_on['n']:5.0f}")
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
