"""Throughput of the atomspin Monte Carlo engine (spin moves per second).

Usage::

    python benchmarks/bench_engine.py            # cluster (~21k spins) + 98,304-spin periodic bulk
    python benchmarks/bench_engine.py --scaling  # also cost per sweep for N = 1e3 … 1e6
    python benchmarks/bench_engine.py --quick    # fewer sweeps
    python benchmarks/bench_engine.py --ratios 5 # + 2-thread/sequential ratio, median over 5 fresh processes

Prints, per system: JIT warm-up (first call: compile or cache load), then moves/s for the
sequential sweep (1 thread), the same with one collective rotation per sweep (``collective_every=1``),
and the parallel block sweep (slab and colour-class decompositions) on 1 and 2 threads, as
wall-clock rates (median and best of interleaved runs) and, for single-thread runs, CPU-time
rates (less sensitive to a shared, busy machine). Memory is the
bytes per spin of the arrays the SpinModel holds and of those the Simulation adds.
On an oversubscribed machine numba's default OpenMP layer (busy-waiting barriers, one per phase:
2 for slabs, one per colour class for colours) can make 2 threads far slower than 1; ``NUMBA_THREADING_LAYER=workqueue`` avoids that for
a single process (workqueue is not safe when several Python threads call numba concurrently).
Systems: (a) ``build_particle("Fe3O4", "sphere", diameter_nm=10)`` → ``SpinModel.from_atoms``
(falls back to a synthetic 21k-spin graph with 12 neighbours per site if those are unavailable);
(b) periodic bulk Fe3O4 16×16×16 cells = 98,304 Fe (``build_bulk``; fallback: synthetic).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numba
import numpy as np

from atomspin.engine import Simulation
from atomspin.model.core import SpinModel


def synthetic_model(n, z=12, seed=0):
    """Periodic random-regular-like graph: site i couples to i±1, i±k2, … (z neighbours), J = 1 meV."""
    offsets = [1, 7, 61, 523, 4099, 32771][: z // 2]
    offsets = [o % n for o in offsets if o % n]
    rows = np.arange(n)
    cols = np.concatenate([(rows + o) % n for o in offsets] + [(rows - o) % n for o in offsets])
    r = np.concatenate([rows] * (2 * len(offsets)))
    order = np.lexsort((cols, r))
    r, cols = r[order], cols[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, r + 1, 1)
    indptr = np.cumsum(indptr)
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(n, 3))
    s /= np.linalg.norm(s, axis=1, keepdims=True)
    q = np.zeros((n, 6))
    q[:, 2] = 0.01
    return SpinModel(positions=np.zeros((n, 3)), spins=s, moments=np.full(n, 4.5), indptr=indptr,
                     indices=cols, J=np.ones(len(cols)), quad=q, k1=np.full(n, -0.002), k2=np.zeros(n))


def particle_model():
    try:
        from atomspin.structures import build_particle
        atoms = build_particle("Fe3O4", "sphere", diameter_nm=10, seed=1)
        return SpinModel.from_atoms(atoms), "Fe3O4 sphere 10 nm (build_particle + from_atoms)"
    except Exception as exc:  # pragma: no cover - depends on other layers being present
        print(f"  (particle build failed: {exc!r}; using synthetic graph)")
        return synthetic_model(21_000), "synthetic 21,000 spins, 12 neighbours"


def bulk_model():
    try:
        from atomspin.structures import build_bulk
        atoms = build_bulk("Fe3O4", repeat=(16, 16, 16), seed=1)
        return SpinModel.from_atoms(atoms), "Fe3O4 bulk 16³ cells periodic (build_bulk + from_atoms)"
    except Exception as exc:  # pragma: no cover
        print(f"  (bulk build failed: {exc!r}; using synthetic graph)")
        return synthetic_model(98_304), "synthetic 98,304 spins periodic, 12 neighbours"


def _bases(objs, seen):
    total = 0
    for a in objs:
        if isinstance(a, np.ndarray):
            base = a if a.base is None or not isinstance(a.base, np.ndarray) else a.base
            if id(base) not in seen:
                seen.add(id(base))
                total += base.nbytes
    return total


def array_bytes(sim):
    """(bytes held by the SpinModel, extra bytes held by the Simulation)."""
    seen = set()
    model = _bases(vars(sim.model).values(), seen)
    held = [sim, sim._a, sim.sweeper, sim._collective]  # the simulation, its arrays, sweeper, collective move
    engine = _bases([v for o in held for v in vars(o).values()], seen)
    return model, engine


def rate(sim, sweeps, cpu=False):
    clock = time.process_time if cpu else time.perf_counter
    t0 = clock()
    sim.run(sweeps, observe_every=sweeps)
    return sim.model.n * sweeps / (clock() - t0)


def bench(model, label, sweeps, T=300.0, repeats=5):
    n = model.n
    nn = len(model.indices) / n
    print(f"\n== {label}: N = {n:,}, {nn:.2f} neighbours/site, T = {T} K")
    t0 = time.perf_counter()
    sim = Simulation(model, T=T, seed=1, threads=1, parallel=False)
    sim.run(1, observe_every=1)
    print(f"  JIT warm-up (sequential kernel, first call incl. compile/cache load): "
          f"{time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    Simulation(model, T=T, seed=1, threads=2, parallel=True).run(1, observe_every=1)
    print(f"  JIT warm-up (parallel block kernel): {time.perf_counter() - t0:.2f} s")
    mb, eb = array_bytes(sim)
    print(f"  memory: SpinModel arrays {mb / n:.0f} B/spin + sequential Simulation {eb / n:.0f} B/spin")
    for dec in ("slabs", "colours"):
        mb, eb = array_bytes(Simulation(model, T=T, seed=1, threads=2, parallel=True, decomposition=dec))
        extra = " (renumbered copy of the model arrays)" if dec == "colours" else ""
        print(f"          parallel Simulation, {dec}{extra}: {eb / n:.0f} B/spin → total {(mb + eb) / n:.0f}")
    configs = [("sequential", False, 1, "auto"), ("slabs", True, 1, "slabs"), ("slabs", True, 2, "slabs"),
               ("colours", True, 1, "colours"), ("colours", True, 2, "colours")]
    sims = {}
    for name, par, th, dec in configs:
        sims[name, th] = Simulation(model, T=T, seed=1, threads=th, parallel=par, decomposition=dec)
        sims[name, th].run(3, observe_every=3)
    walls = {k: [] for k in sims}
    for _ in range(repeats):  # interleaved, so that a noisy spell hits every configuration
        for k, s in sims.items():
            walls[k].append(rate(s, sweeps))
    base = np.median(walls["sequential", 1])
    for (name, th), w in walls.items():
        sim = sims[name, th]
        line = (f"  {name:10s} threads={th}: median {np.median(w) / 1e6:6.2f}, best {max(w) / 1e6:6.2f} "
                f"M moves/s wall ({repeats} runs; median ×{np.median(w) / base:.2f} vs sequential)")
        if th == 1:
            line += f", {rate(sim, sweeps, cpu=True) / 1e6:6.2f} M moves/s CPU time"
        print(line + f", acceptance {sim.acceptance:.2f}, σ = {sim.cone_width:.3g}")
    sim = Simulation(model, T=T, seed=1, threads=1, parallel=False, collective_every=1)
    sim.run(3, observe_every=3)
    walls = [rate(sim, sweeps) for _ in range(3)]
    print(f"  sequential + collective_every=1: {max(walls) / 1e6:6.2f} M moves/s wall (best of 3; one "
          f"O(N) rigid-rotation attempt per sweep), collective acceptance {sim.collective_acceptance:.2f}, "
          f"width {sim.collective_width:.3g} rad")


def scaling(sweeps_moves=3_000_000):
    print("\n== scaling: sequential sweep, synthetic 12-neighbour graph, cost per spin per sweep")
    for n in (1_000, 10_000, 100_000, 1_000_000):
        m = synthetic_model(n)
        sim = Simulation(m, T=300.0, seed=1, threads=1, parallel=False)
        sim.run(1, observe_every=1)
        sweeps = max(2, sweeps_moves // n)
        r = rate(sim, sweeps, cpu=True)
        print(f"  N = {n:>9,}: {1e9 / r:6.1f} ns per move (CPU time), {sweeps} sweeps")


def _ratio_child(path, sweeps, repeats=5):
    """In a fresh process: interleaved median moves/s of sequential and 2-thread slabs/colours."""
    import pickle

    with open(path, "rb") as fh:
        model = pickle.load(fh)
    sims = {"seq": Simulation(model, T=300.0, seed=1, threads=1, parallel=False),
            "slabs": Simulation(model, T=300.0, seed=1, threads=2, parallel=True, decomposition="slabs"),
            "colours": Simulation(model, T=300.0, seed=1, threads=2, parallel=True, decomposition="colours")}
    for sim in sims.values():
        sim.run(3, observe_every=3)
    walls = {k: [] for k in sims}
    for _ in range(repeats):
        for k, sim in sims.items():
            walls[k].append(rate(sim, sweeps))
    med = {k: float(np.median(v)) for k, v in walls.items()}
    print(f"{med['seq']:.4g} {med['slabs']:.4g} {med['colours']:.4g}")


def ratios(n_processes, sweeps):
    """2-thread / sequential ratios measured in ``n_processes`` fresh interpreters per system: a single
    process varies by ±5 % from run to run (memory placement), so the median over processes is reported."""
    import pickle
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for (model, label), sw in ((particle_model(), sweeps), (bulk_model(), max(2, sweeps // 4))):
            path = os.path.join(tmp, "model.pkl")
            with open(path, "wb") as fh:
                pickle.dump(model, fh)
            rows = []
            for _ in range(n_processes):
                out = subprocess.run([sys.executable, __file__, "--child", path, str(sw)], check=True,
                                     capture_output=True, text=True).stdout.split()
                rows.append([float(x) for x in out[-3:]])
            r = np.array(rows)
            sl, co = r[:, 1] / r[:, 0], r[:, 2] / r[:, 0]
            print(f"\n== {label}: 2-thread / sequential over {n_processes} processes")
            print(f"  sequential {np.median(r[:, 0]) / 1e6:.2f} M/s; slabs 2 threads {np.median(r[:, 1]) / 1e6:.2f} M/s, "
                  f"ratio median {np.median(sl):.2f} (range {sl.min():.2f}–{sl.max():.2f}); colours 2 threads "
                  f"{np.median(r[:, 2]) / 1e6:.2f} M/s, ratio median {np.median(co):.2f} ({co.min():.2f}–{co.max():.2f})")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--scaling", action="store_true")
    ap.add_argument("--ratios", type=int, default=0, metavar="K",
                    help="also measure the 2-thread/sequential ratios in K fresh processes per system")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _ratio_child(args.child[0], int(args.child[1]))
        return 0
    print(f"numba {numba.__version__}, threading layer default, NUMBA_NUM_THREADS = "
          f"{numba.config.NUMBA_NUM_THREADS}, CPUs = {os.cpu_count()}, load average = "
          f"{os.getloadavg()[0]:.1f}")
    sweeps = 10 if args.quick else 60
    t0 = time.perf_counter()
    m, label = particle_model()
    print(f"(built particle model in {time.perf_counter() - t0:.1f} s)")
    bench(m, label, sweeps)
    t0 = time.perf_counter()
    m, label = bulk_model()
    print(f"(built bulk model in {time.perf_counter() - t0:.1f} s)")
    bench(m, label, max(2, sweeps // 4))
    if args.scaling:
        scaling()
    if args.ratios:
        ratios(args.ratios, sweeps)
    try:  # numba >= 0.57 exposes the chosen layer after the first parallel run
        print(f"\nthreading layer used: {numba.threading_layer()}")
    except ValueError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
