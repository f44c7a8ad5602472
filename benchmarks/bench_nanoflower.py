"""Cost of a 25 nm nanoflower (~300k Fe; issue 17: built in ≤ 30 s, landscape within 20 min on 2 cores).

The flower: 12 cores of 11 nm, 30 % interpenetration (the aggregate of benchmarks/bench_structures.py). Stages:
build (``structures.build_multicore``), model (``SpinModel.from_atoms``, the defaults), thermalisation, and a few
constrained directions of the landscape protocol (200 sampled + 50 equilibration sweeps per direction, 150
thermalisation sweeps: docs/make_defects_heating.py's protocol for > 30k spins), timed one by one in this process
and **extrapolated** to 26 directions on 2 workers (directions are independent: total ≈ thermalisation +
26/2 × seconds per direction; the landscape's own fit and critical points take < 1 s).

Core orientation decides the dipolar method of ``dipolar="auto"``:
* ``--misorientation 0`` (default): oriented attachment in its limit, every core on one lattice → the exact
  lattice FFT dipolar sum (the default model);
* ``--misorientation 5``: the cores lie on no common lattice → the grain method (``atomspin.model.dipolar_grains``:
  one lattice FFT per core, inter-core pairs exact near and by multipoles far); ``--no-dipolar`` times the same
  flower without the dipolar term.

Printed: build and model time, peak memory (ru_maxrss), the dipolar object, one field evaluation and one sweeper
refresh (fields + axis shape tensor), thermalisation, the timed directions and the 26-direction extrapolation;
the load average (``os.getloadavg``) is printed at the start and the end: label figures "measured under load"
when it exceeds the core count.

    python benchmarks/bench_nanoflower.py [--misorientation DEG] [--no-dipolar] [--dipolar METHOD] [--directions N]
"""
import argparse
import os
import resource
import time


def _mem():
    return f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB"


def _load():
    return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--misorientation", type=float, default=0.0)
    ap.add_argument("--no-dipolar", action="store_true")
    ap.add_argument("--dipolar", default="auto", help="dipolar method (auto, grains, lattice, exact)")
    ap.add_argument("--directions", type=int, default=2, help="directions timed (then extrapolated to 26)")
    ap.add_argument("--sweeps", type=int, default=200)
    ap.add_argument("--equilibration", type=int, default=50)
    ap.add_argument("--thermalisation", type=int, default=150)
    ap.add_argument("--no-refresh-timing", action="store_true", help="skip timing one full sweeper refresh")
    a = ap.parse_args()
    from atomspin import structures as S
    from atomspin.measure.landscape import _constrained_run, _thermalised, landscape_directions
    from atomspin.model import SpinModel

    print(_load(), flush=True)
    t0 = time.perf_counter()
    fl = S.build_multicore(n_cores=12, core_diameter_nm=11.0, overlap=0.3, misorientation_deg=a.misorientation,
                           seed=1)
    t_build = time.perf_counter() - t0
    print(f"build_multicore 12 x 11 nm, misorientation {a.misorientation:g}°: {t_build:.1f} s, {len(fl)} atoms, "
          f"{fl.info['n_Fe']} Fe, envelope {fl.info['size_nm']:.1f} nm", flush=True)
    t0 = time.perf_counter()
    try:
        m = SpinModel.from_atoms(fl, dipolar=False if a.no_dipolar else a.dipolar)
    except ValueError as err:
        print(f"SpinModel.from_atoms (default dipolar): refused after {time.perf_counter() - t0:.1f} s: {err}")
        return
    t_model = time.perf_counter() - t0
    print(f"SpinModel.from_atoms: {t_model:.1f} s, {m.n} spins, dipolar: {m.info.get('dipolar')}; {_mem()}",
          flush=True)
    if m.dipolar is not None:
        m.dipolar.fields_meV(m.spins, m.moments)  # first call: kernels (lattice FFT) and numba compilation
        t0 = time.perf_counter()
        m.dipolar.fields_meV(m.spins, m.moments)
        t_f = time.perf_counter() - t0
        msg = f"dipolar: one field evaluation {t_f:.1f} s"
        if not a.no_refresh_timing:
            t0 = time.perf_counter()
            m.dipolar.fields_and_axis_shape_tensor_meV(m.spins, m.moments, (0.0, 0.0, 1.0))
            msg += f", one sweeper refresh (fields + axis shape tensor) {time.perf_counter() - t0:.1f} s"
        print(f"{msg}; {_mem()}", flush=True)
    T = 310.0
    if a.directions < 1:
        return
    t0 = time.perf_counter()
    start = _thermalised(m, T, a.thermalisation, 7, None)
    t_th = time.perf_counter() - t0
    print(f"thermalisation ({a.thermalisation} unconstrained sweeps): {t_th:.0f} s", flush=True)
    t_pre = 0.0
    if start.dipolar is not None:  # as measure.anisotropy_landscape: first references from nine source sets
        import dataclasses

        from atomspin.measure._rigid_reference import RigidReferenceDipolar

        t0 = time.perf_counter()
        start = dataclasses.replace(start, dipolar=RigidReferenceDipolar(start.dipolar, start.spins, start.moments))
        t_pre = time.perf_counter() - t0
        print(f"rigid-rotation reference (nine source sets + shape tensor): {t_pre:.0f} s", flush=True)
    per = []
    for k, d in enumerate(landscape_directions(26)[: a.directions]):
        t0 = time.perf_counter()
        _constrained_run(start, T, d, 100 + k, a.sweeps, a.equilibration, 2, {})
        per.append(time.perf_counter() - t0)
        print(f"direction {k}: {per[-1]:.0f} s ({a.sweeps} + {a.equilibration} sweeps)", flush=True)
    mean = sum(per) / len(per)
    tot = t_th + t_pre + 26 / 2 * mean
    print(f"EXTRAPOLATED landscape, 26 directions on 2 workers: {t_th:.0f} + {t_pre:.0f} + 13 x {mean:.0f} s = "
          f"{tot:.0f} s ({tot / 60:.1f} min); on 1 core {t_th + t_pre + 26 * mean:.0f} s; build + model "
          f"{t_build + t_model:.0f} s")
    print(f"{_mem()}; {_load()}; CPU {sum(os.times()[:2]):.0f} s (user + system)")


if __name__ == "__main__":
    main()
