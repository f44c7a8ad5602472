"""Fokker–Planck SAR (atomspin.sar.fokker_planck) on a measured landscape: this code against an earlier revision.

Run: ``python benchmarks/bench_fokker_planck.py [--row KEY] [--json FILE] [--before REV] [--draws 6] [--only now]``.

The particle is a committed row of ``docs/figures/defects_heating/`` (default: the 19.7 nm defect-free seed-1 row):
its measured surface F/V, Ms, volume and temperature, at the sweep's drive (100 kHz, 15 kA/m, 12 orientations).
Each implementation — the module of this checkout ("now") and ``atomspin/sar/fokker_planck.py`` of ``--before``
(default: the main commit this speed-up started from), loaded from git beside it — is timed (CPU s of this process,
``time.process_time``; one BLAS and one numba thread) on

1. one operator build (``brown_operator``) with the basis caches empty (the first particle at its l_max), and a
   second one on the same basis (a new surface at the same l_max: a draw);
2. one SAR in both media (``fokker_planck_sar`` immobilised, then in water, which reuses the operator and its field
   nodes), operator included;
3. the sar step's ``landscape_sar(..., covariance_J2=..., n_draws=6)`` in both media: the nominal SAR, the Ms error
   when above 1e-3 relative, and 6 drawn surfaces. Committed rows carry no covariance, so a stand-in is built: the
   isotropic covariance s²·I of the 28 coefficients with s set so that the surface drawn from it moves, on average over
   the sphere, by the row's fit error of the barrier (``barrier_err_fit_J``) — positive definite and of the row's size.

Cold JIT is excluded: a warm-up SAR of a small synthetic particle runs first (numba kernels of the critical points
and of the sar layer). The numbers of the two implementations are compared (largest relative difference).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pathlib
import subprocess
import sys
import time
import types

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from atomspin import macrospin as ms  # noqa: E402
from atomspin import sar  # noqa: E402
from atomspin.batch.context import derived_seed  # noqa: E402
from atomspin.batch.steps import sar as step  # noqa: E402
from atomspin.sar import fokker_planck as fp_now  # noqa: E402
from atomspin.units import MU_0  # noqa: E402

#: the main commit the Fokker–Planck speed-up (Hessenberg form of the field pencil) started from
BEFORE = "58dc56d"
F_HZ, H0 = 1e5, 15e3  # the sweeps' drive (structures/recipes/defects_heating_*.toml, protocol.sar)
N_ORIENT = 12  # the sweeps' protocol.sar.n_orientations


def load_before(rev):
    """``atomspin/sar/fokker_planck.py`` of git revision ``rev`` as a module of the atomspin.sar package."""
    src = subprocess.run(["git", "show", f"{rev}:atomspin/sar/fokker_planck.py"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("atomspin.sar._fokker_planck_before", loader=None)
    mod = importlib.util.module_from_spec(spec)
    mod.__package__ = "atomspin.sar"
    exec(compile(src, f"{rev}:atomspin/sar/fokker_planck.py", "exec"), mod.__dict__)
    return mod


NAMES = ("fokker_planck_sar", "brown_operator", "ac_response", "debye_time", "default_l_max", "well_curvature",
         "FP_ADIABATIC_OMEGA_TAU", "L_MAX_CAP", "_OPERATOR_CACHE", "_BASIS_CACHE", "_FIELD_CACHE")
NOW = types.SimpleNamespace(**{k: getattr(fp_now, k) for k in NAMES})  # this checkout's, before any swap


def use(impl):
    """Make the sar layer call ``impl``'s Fokker–Planck functions (heating.particle_sar imports them per call)."""
    for name in NAMES:
        setattr(fp_now, name, getattr(impl, name))


def clear(impl):
    for cache in ("_OPERATOR_CACHE", "_BASIS_CACHE", "_FIELD_CACHE"):
        getattr(impl, cache).clear()


def row_particle(row):
    surf = ms.EnergySurface([ms.HarmonicExpansion(np.asarray(row["exponents"]),
                                                  np.asarray(row["coefficients_J_per_m3"]))])
    return sar.Particle(Ms_A_per_m=row["Ms_A_per_m"], volume_m3=row["V_m3"], T_K=row["T_K"], landscape=surf)


def stand_in_covariance(row):
    """s²·I (J²) over the row's coefficients, s such that the mean over the sphere of the drawn surface's variance
    V²·Σ_k s²/V² φ_k(n̂)² (φ_k the monomials) is the row's barrier_err_fit_J²."""
    g = ms.fibonacci_sphere(2000)
    ex = np.asarray(row["exponents"])
    phi = np.prod(g[:, None, :] ** ex[None, :, :], axis=2)  # (n, m) monomials on the sphere
    s2 = float(row["barrier_err_fit_J"]) ** 2 / float(np.mean(np.sum(phi * phi, axis=1)))
    return s2 * np.eye(len(ex))


def timed(fn, *a, **k):
    t = time.process_time()
    out = fn(*a, **k)
    return out, time.process_time() - t


def bench(mod, label, p, row, n_draws):
    use(mod)
    clear(mod)
    xi0 = MU_0 * p.Ms_A_per_m * H0 * p.volume_m3 / p.kT_J
    op, t_cold = timed(mod.brown_operator, p, xi0)
    scaled = p.replace(landscape=ms.EnergySurface([ms.HarmonicExpansion(
        p.landscape.terms[0].exponents, 1.0001 * p.landscape.terms[0].coefficients)]))
    op2, t_warm = timed(mod.brown_operator, scaled, xi0, op.l_max)
    clear(mod)

    def both():
        a = mod.fokker_planck_sar(p, F_HZ, H0, None, "random", N_ORIENT)
        b = mod.fokker_planck_sar(p, F_HZ, H0, sar.Medium.water(), "random", N_ORIENT)
        return a, b

    (a, b), t_sar = timed(both)
    clear(mod)
    media = ["immobilised", "water"]
    (values, _), t_draws = timed(step.landscape_sar, p, f=F_HZ, H0=H0, media=media, model="auto",
                                 n_orientations=N_ORIENT, seed=derived_seed(int(row["seed"]), step.NAME),
                                 barrier_err_J=float(row["barrier_err_fit_J"]),
                                 Ms_err_A_per_m=float(row["Ms_err_A_per_m"]),
                                 covariance_J2=stand_in_covariance(row), n_draws=n_draws)
    print(f"{label:>7}: operator build {t_cold:6.2f} s (basis caches empty, l_max {op.l_max}, N {op.size}), "
          f"{t_warm:6.2f} s (same basis); SAR both media {t_sar:6.1f} s; landscape_sar with {n_draws} draws "
          f"{t_draws:6.1f} s", flush=True)
    return dict(build_cold_s=t_cold, build_warm_s=t_warm, sar_both_s=t_sar, draws_s=t_draws,
                sar=[a.sar_W_per_g, b.sar_W_per_g], K0=op.K0[:4, :4].tolist(),
                values={k: v for k, v in values.items() if isinstance(v, float)})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default="docs/figures/defects_heating/sweep_20nm.json")
    ap.add_argument("--row", default="to-defect-free-30nm-default-s1")
    ap.add_argument("--before", default=BEFORE, help="git revision of the reference implementation")
    ap.add_argument("--draws", type=int, default=6)
    ap.add_argument("--only", choices=("now", "before"), help="time one implementation only")
    args = ap.parse_args(argv)
    row = next(r for r in json.loads((ROOT / args.json).read_text())["rows"] if r["key"] == args.row)
    p = row_particle(row)
    print(f"row {args.row} ({args.json}): D = {row['D_nm']} nm, barrier {row['barrier_over_kT']:.3g} k_BT, drive "
          f"{F_HZ:g} Hz, {H0:g} A/m, {N_ORIENT} orientations; CPU s of this process (1 BLAS thread), cold JIT "
          f"excluded; load {os.getloadavg()[0]:.1f}", flush=True)
    from atomspin.sar.warmup import compile_kernels

    compile_kernels()
    out = {}
    impls = {"before": (lambda: load_before(args.before)), "now": (lambda: NOW)}
    for label in ([args.only] if args.only else ["before", "now"]):
        out[label] = bench(impls[label](), label, p, row, args.draws)
    use(NOW)
    if len(out) == 2:
        b, n = out["before"], out["now"]
        rel = max(abs(n["values"][k] / b["values"][k] - 1.0) for k in b["values"] if b["values"][k])
        print(f"speed-up: build {b['build_cold_s'] / n['build_cold_s']:.2f}× (empty caches), "
              f"{b['build_warm_s'] / n['build_warm_s']:.2f}× (same basis); SAR both media "
              f"{b['sar_both_s'] / n['sar_both_s']:.2f}×; {args.draws} draws {b['draws_s'] / n['draws_s']:.2f}×")
        print(f"largest relative difference of the landscape_sar values (SAR, ILP, their errors, draws' s.d.): "
              f"{rel:.2e}; SAR both media: "
              f"{max(abs(x / y - 1.0) for x, y in zip(n['sar'], b['sar'])):.2e}")
    return out


if __name__ == "__main__":
    main()
