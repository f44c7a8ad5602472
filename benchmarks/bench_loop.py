"""Wall time of a full 10 nm magnetite hysteresis loop (issue 4 target: ≥ 100 field points × ≥ 500 sweeps
in < 2 min on 2 cores).

Usage::

    python benchmarks/bench_loop.py            # 101 fields × 500 sweeps, threads = 1 and 2
    python benchmarks/bench_loop.py --quick    # 21 fields × 100 sweeps

No collective moves (the default): sweeps are the time proxy, so a 10 nm particle need not reverse.
"""
from __future__ import annotations

import argparse
import sys
import time

from atomspin.measure import hysteresis_loop, loop_fields
from atomspin.model.core import SpinModel
from atomspin.structures import build_particle


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    n_per_branch, sweeps = (10, 100) if args.quick else (50, 500)  # 2·n + 1 = 101 fields
    model = SpinModel.from_atoms(build_particle("Fe3O4", "sphere", diameter_nm=10, seed=1),
                                 anisotropy_reference=300.0)
    fields = loop_fields(1.0, n_per_branch)
    hysteresis_loop(model, 300.0, fields[:3], sweeps_per_point=2, threads=1)  # JIT warm-up
    for threads in (1, 2):
        t0 = time.perf_counter()
        res = hysteresis_loop(model, 300.0, fields, sweeps_per_point=sweeps, threads=threads, seed=1)
        dt = time.perf_counter() - t0
        print(f"10 nm Fe3O4 ({model.n:,} spins), 300 K, {len(fields)} fields × {sweeps} sweeps, threads = {threads}: "
              f"{dt:.1f} s ({model.n * len(fields) * sweeps / dt / 1e6:.1f} M moves/s), Hc = {res.Hc_A_per_m:.3g} A/m")
    return 0


if __name__ == "__main__":
    sys.exit(main())
