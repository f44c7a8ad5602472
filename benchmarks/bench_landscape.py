"""Cost of measure.anisotropy_landscape: a 20 nm magnetite sphere at 300 K, 26 directions (issue 13: ≤ 15 min on
2 cores). Default model (Néel surface term, averaged B, temperature rescaling, lattice point-dipole term,
anisotropy_reference = 300 K) and today's engine defaults (window-averaged dipolar reference, rigid-rotation first
reference of every direction).

    NUMBA_NUM_THREADS=1 python benchmarks/bench_landscape.py                 # full: 26 directions, 2 workers
    NUMBA_NUM_THREADS=1 python benchmarks/bench_landscape.py --directions 4  # time 4 directions, extrapolate

Protocol: 300 unconstrained thermalisation sweeps, then 50 + 300 constrained sweeps per direction (the protocol of
docs/landscape_study.py above 80,000 spins: 300 sampled sweeps hold ≥ 4 refresh windows of the frozen dipolar field,
so every direction's error includes the batch means over windows; 200 sampled sweeps hold 3). Prints build time,
wall and CPU seconds (this process + its workers), the load average, and the landscape's barrier, χ²/dof,
refresh_windows_min and n_eff_min when complete.
"""
import argparse
import os
import resource
import time

import numpy as np


def _cpu_s():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--diameter", type=float, default=20.0)
    ap.add_argument("--sweeps", type=int, default=300)
    ap.add_argument("--equilibration", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--directions", type=int, default=26, help="time this many of the 26 directions only")
    a = ap.parse_args()
    from atomspin import structures
    from atomspin.measure import anisotropy_landscape
    from atomspin.model import SpinModel

    t0 = time.perf_counter()
    p = structures.build_particle("Fe3O4", "sphere", diameter_nm=a.diameter, seed=1)
    m = SpinModel.from_atoms(p, anisotropy_reference=300.0)
    t_build = time.perf_counter() - t0
    print(f"{a.diameter:g} nm sphere: {m.n} spins, built in {t_build:.1f} s; {a.sweeps} + {a.equilibration} "
          f"sweeps per direction, {a.workers} workers; load average {os.getloadavg()[0]:.1f} at start")
    if a.directions >= 26:
        t0, c0 = time.perf_counter(), _cpu_s()
        r = anisotropy_landscape(m, 300.0, n_directions=26, sweeps=a.sweeps, equilibration_sweeps=a.equilibration,
                                 thermalisation_sweeps=300, seed=1, workers=a.workers)
        dt, cpu = time.perf_counter() - t0, _cpu_s() - c0
        print(f"landscape 26 directions: {dt:.0f} s wall ({dt / 60:.1f} min), {cpu:.0f} CPU s; load average "
              f"{os.getloadavg()[0]:.1f} at end; barrier {r.barrier_J / r.volume_m3:.0f} ± "
              f"{r.barrier_err_J / r.volume_m3:.0f} J/m3 = {r.barrier_over_kT:.2f} k_BT, reversal "
              f"{r.reversal_barrier_J / r.volume_m3:.0f} ± {r.reversal_barrier_err_J / r.volume_m3:.0f} J/m3, Ms "
              f"{r.Ms_A_per_m / 1e3:.0f} kA/m, chi2/dof {r.chi2_per_dof:.2f}, refresh_windows_min "
              f"{r.refresh_windows_min:g}, n_eff_min {r.n_eff_min:.1f}")
        return
    import dataclasses
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    from atomspin.measure._rigid_reference import RigidReferenceDipolar
    from atomspin.measure.landscape import _init_worker, _thermalised, _worker, landscape_directions

    dirs = landscape_directions(26)[: a.directions]
    t0, c0 = time.perf_counter(), _cpu_s()
    start = _thermalised(m, 300.0, 300, 7, None)
    # as anisotropy_landscape does: every direction's first frozen field from a rigid rotation of this state
    start = dataclasses.replace(start, dipolar=RigidReferenceDipolar(start.dipolar, start.spins, start.moments))
    t_th = time.perf_counter() - t0
    args = [(300.0, d, 100 + k, a.sweeps, a.equilibration, 2, None) for k, d in enumerate(dirs)]
    os.environ["NUMBA_NUM_THREADS"] = "1"
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=a.workers, mp_context=mp.get_context("spawn"), initializer=_init_worker,
                             initargs=(start,)) as pool:
        runs = list(pool.map(_worker, args))
    dt = time.perf_counter() - t0
    cpu = _cpu_s() - c0
    err = np.array([r["err"] for r in runs])
    g = np.array([r["g"] for r in runs])
    tot = t_th + dt * 26 / a.directions
    print(f"thermalisation + rigid source sets: {t_th:.0f} s")
    print(f"{a.directions} directions in {dt:.0f} s on {a.workers} workers ({cpu:.0f} CPU s in all) → 26 directions "
          f"≈ {tot:.0f} s ({tot / 60:.1f} min, thermalisation included); |∇F| {np.abs(g).mean():.3g} meV/rad, error "
          f"{err.mean():.3g} meV/rad; refresh windows per direction {[r['windows'] for r in runs]}")


if __name__ == "__main__":
    main()
