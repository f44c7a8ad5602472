"""Cost of measure.anisotropy_landscape: a 20 nm magnetite sphere at 300 K, 26 directions (issue 13: ≤ 15 min on
2 cores). Default model (Néel surface term, averaged B, temperature rescaling, anisotropy_reference = 300 K).

    python benchmarks/bench_landscape.py                     # full: 26 directions, 2 workers
    python benchmarks/bench_landscape.py --directions 4      # time 4 directions only and extrapolate

Prints the build time, seconds per direction and the (extrapolated) total, plus the barrier when complete.
"""
import argparse
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--diameter", type=float, default=20.0)
    ap.add_argument("--sweeps", type=int, default=200)
    ap.add_argument("--equilibration", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--directions", type=int, default=26, help="time this many of the 26 directions only")
    a = ap.parse_args()
    from atomspin import structures
    from atomspin.measure import anisotropy_landscape
    from atomspin.measure.landscape import _constrained_run, landscape_directions
    from atomspin.model import SpinModel

    t0 = time.perf_counter()
    p = structures.build_particle("Fe3O4", "sphere", diameter_nm=a.diameter, seed=1)
    m = SpinModel.from_atoms(p, anisotropy_reference=300.0)
    t_build = time.perf_counter() - t0
    print(f"{a.diameter:g} nm sphere: {m.n} spins, built in {t_build:.1f} s; {a.sweeps} + {a.equilibration} "
          f"sweeps per direction, {a.workers} workers")
    if a.directions >= 26:
        t0 = time.perf_counter()
        r = anisotropy_landscape(m, 300.0, n_directions=26, sweeps=a.sweeps, equilibration_sweeps=a.equilibration,
                                 thermalisation_sweeps=300, seed=1, workers=a.workers)
        dt = time.perf_counter() - t0
        print(f"landscape 26 directions: {dt:.0f} s ({dt / 60:.1f} min); barrier {r.barrier_J / r.volume_m3:.0f} ± "
              f"{r.barrier_err_J / r.volume_m3:.0f} J/m3 = {r.barrier_over_kT:.2f} k_BT, Ms {r.Ms_A_per_m / 1e3:.0f} "
              f"kA/m, chi2/dof {r.chi2_per_dof:.2f}")
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from atomspin.measure.landscape import _init_worker, _thermalised, _worker

    dirs = landscape_directions(26)[: a.directions]
    t0 = time.perf_counter()
    start = _thermalised(m, 300.0, 300, 7, None)
    t_th = time.perf_counter() - t0
    args = [(300.0, d, 100 + k, a.sweeps, a.equilibration, 10, {}) for k, d in enumerate(dirs)]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=a.workers, mp_context=mp.get_context("spawn"), initializer=_init_worker,
                             initargs=(start,)) as pool:
        runs = list(pool.map(_worker, args))
    dt = time.perf_counter() - t0 + t_th * 0
    print(f"thermalisation (300 unconstrained sweeps): {t_th:.0f} s")
    err = np.array([r["err"] for r in runs])
    g = np.array([r["g"] for r in runs])
    tot = t_th + dt * 26 / a.directions
    print(f"{a.directions} directions in {dt:.0f} s on {a.workers} workers → 26 directions ≈ {tot:.0f} s "
          f"({tot / 60:.1f} min, thermalisation included); |∇F| {np.abs(g).mean():.3g} meV/rad, error {err.mean():.3g} meV/rad")
    _ = _constrained_run


if __name__ == "__main__":
    main()
