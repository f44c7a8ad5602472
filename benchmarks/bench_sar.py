"""Benchmarks and reference figures of atomspin.sar.

Run: ``python benchmarks/bench_sar.py [--quick] [--landscape-only] [--liquid-only] [--fokker-planck-only]``.
Prints timings (after a warm-up call that compiles the numba kernels) and the physics figures quoted in the
validation notes: LRT optimum size, SW areas, kinetic-vs-LRT/SW ratios, the interacting-pair (Muñoz-Menendez) case, and one SAR
point from a landscape (ensemble of 100 particles, 5 cycles; target ≤ 30 s).
"""
from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, as in the Dask workers (set before numpy)

import numpy as np  # noqa: E402

from atomspin import sar  # noqa: E402
from atomspin.units import MU_0  # noqa: E402


def timed(fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    return out, time.perf_counter() - t


def main(quick=False):
    Ms, K = 4.8e5, 1e4
    HK = 2 * K / (MU_0 * Ms)
    print("== LRT ==")
    _, t = timed(sar.linear_response_sar, np.linspace(5e4, 1e6, 200)[None, :], np.linspace(1e3, 3e4, 200)[:, None],
                 d=14e-9, warn=False)
    print(f"200x200 SAR(f, H0) grid: {t * 1e3:.1f} ms")
    for form in ("brown", "arrhenius"):
        d, s = sar.optimum_diameter(3e5, 5e3, K=K, T=300.0, neel_form=form)
        print(f"optimum diameter (magnetite, K=1e4, 300 kHz, 5 kA/m, immobilised, {form}): {d * 1e9:.2f} nm, "
              f"SAR {s:.1f} W/g")

    print("== Stoner-Wohlfarth T=0 ==")
    r, t = timed(sar.sw_ensemble_loop, "random", 2.0, 2001, 200)
    print(f"random axes: area {r.area:.4f} mu0 HK Ms, Hc {r.coercivity:.4f} HK, Mr {r.remanence:.4f}  ({t:.2f} s)")
    r = sar.sw_ensemble_loop("aligned")
    print(f"aligned: area {r.area:.4f}, Hc {r.coercivity:.4f}")

    print("== kinetic (two-state master equation / kMC) ==")
    n = 64
    u = (np.arange(n) + 0.5) / n
    ax = np.stack([np.sqrt(1 - u**2), np.zeros(n), u], axis=1)
    sar.kinetic_loop(1e5, 100.0, np.full(4, 18e-9), axes=ax[:4], n_cycles=2, steps_per_cycle=100)  # compile
    for f in (3e4, 1e5, 3e5, 1e6):
        lrt = sar.linear_response_sar(f, 100.0, d=18e-9, neel_form="arrhenius", warn=False)
        kin, t = timed(sar.kinetic_loop, f, 100.0, np.full(n, 18e-9), axes=ax)
        steps = kin.params["n_cycles"] * kin.params["steps_per_cycle"] * n
        print(f"f={f:.0e}: kinetic/LRT area = {kin.loop_area_J_per_m3 / float(lrt.loop_area_J_per_m3):.4f}  "
              f"({t:.2f} s, {steps / t / 1e6:.2f} M particle-steps/s)")
    kin = sar.kinetic_loop(1e3, 2 * HK, np.full(100, 20e-9), T=1e-3, axes=np.stack(
        [np.sqrt(1 - ((np.arange(100) + 0.5) / 100) ** 2), np.zeros(100), (np.arange(100) + 0.5) / 100], 1),
        n_cycles=2, steps_per_cycle=4000)
    print(f"T->0 random axes: area {kin.loop_area_J_per_m3 / (MU_0 * HK * Ms):.4f} mu0 HK Ms (SW 0.9883)")
    d = sar.lognormal_diameters(16e-9, 0.2, 100 if quick else 400, seed=1)
    pos = sar.arrangement("random_dense", d, volume_fraction=0.1, seed=1)
    r0, t0 = timed(sar.kinetic_loop, 3e5, 1.2e4, d, seed=1, steps_per_cycle=2000)
    r1, t1 = timed(sar.kinetic_loop, 3e5, 1.2e4, d, positions=pos, seed=1, steps_per_cycle=2000)
    print(f"lognormal 16 nm sigma 0.2, N={d.size}: SAR {r0.sar_W_per_g:.1f} W/g ({t0:.2f} s); "
          f"dense random (phi=0.1): {r1.sar_W_per_g:.1f} W/g ({t1:.2f} s)")

    print("== interacting LLG (A 22 nm || H, B 18 nm at 30 deg, 500 Oe, 500 kHz, alpha 0.1) ==")
    H = 500 * 1e3 / (4 * math.pi)
    axes = np.array([[0, 0, 1.0], [math.sin(math.pi / 6), 0, math.cos(math.pi / 6)]])
    for sep in (100e-9, 7.1e-9, 1.5e-9):
        pos = np.array([[0, 0, 0], [20e-9 + sep, 0, 0]])
        r, t = timed(sar.interacting_llg, 5e5, H, [22e-9, 18e-9], axes, pos, alpha=0.1, n_cycles=2, n_record=2000)
        steps = r.params["steps_per_cycle"] * 2
        print(f"sep {sep * 1e9:5.1f} nm: global area {r.global_area_J_per_m3:9.1f} J/m3, heat {r.heat_per_volume_J_per_m3:9.1f}"
              f" J/m3 (balance {r.heat_per_volume_J_per_m3 / r.global_area_J_per_m3 - 1:+.2e}), local areas "
              f"{np.round(r.local_area_J_per_m3, 0)}, heat/V {np.round(r.heat_J / (math.pi / 6 * np.array([22e-9, 18e-9]) ** 3), 0)}"
              f", dT/cycle {r.delta_T_K} K, SAR {r.sar_W_per_g:.0f} W/g  ({t:.2f} s, {steps / t / 1e6:.2f} M RK4 steps/s)")


def landscape_point(n_particles=100, n_cycles=5, n_realisations=1):
    """One SAR point from a landscape: magnetite cubic K1, K2 plus the shape anisotropy of a prolate spheroid of
    aspect ratio 1.25 (Osborn factors) along (0.3, 0.2, 0.93), 20 nm median, 310 K, α = 0.1, Ms 460 kA/m;
    members drawn with lognormal σ = 0.1 in size (every member keeps a barrier ≥ 4 k_BT:
    the master equation); 300 kHz, 12 kA/m, immobilised, random axes; ``n_particles`` members, ``n_cycles``
    cycles from equilibrium."""
    from atomspin import macrospin
    from atomspin.units import MU_0

    Ms = 4.6e5
    Npar, Nperp = sar.heating.shape_factors(np.array(1.25))
    Ksh = 0.5 * MU_0 * Ms**2 * float(Nperp - Npar)
    surface = macrospin.EnergySurface([macrospin.CubicAnisotropy(-1.1e4, -0.28e4),
                                       macrospin.UniaxialAnisotropy(Ksh, (0.3, 0.2, 0.93))])
    p = sar.Particle(Ms_A_per_m=Ms, volume_m3=math.pi / 6 * (20e-9) ** 3, T_K=310.0, alpha=0.1, landscape=surface)
    t0 = time.perf_counter()
    r = sar.ensemble_sar(p, 3e5, 1.2e4, n_particles=n_particles, size_sigma=0.1, shape_sigma=0.0, axes="random",
                         n_realisations=n_realisations, n_cycles=n_cycles, seed=1)
    return r, time.perf_counter() - t0


def main_landscape(quick=False):
    print("== landscape master equation (one SAR point, ensemble) ==")
    landscape_point(n_particles=2, n_cycles=5)  # compile the kernels
    r, t = landscape_point(n_particles=100, n_cycles=5, n_realisations=1)
    print(f"100 particles, 5 cycles from equilibrium: SAR {r.sar_W_per_g:.1f} W/g, models {r.models}, {t:.2f} s "
          "(target <= 30 s)")
    if not quick:
        r, t = landscape_point(n_particles=100, n_cycles=5, n_realisations=5)
        print(f"5 realisations x 100 particles: SAR {r.sar_W_per_g:.1f} +- {r.sar_err_W_per_g:.1f} W/g, {t:.2f} s")


def demo_like_particle(sigma):
    """A 12.1 nm macrospin at 310 K, Ms 520 kA/m, with a cubic (K1 = −2 kJ/m³) + uniaxial landscape of barrier ≈ σ k_BT."""
    from atomspin import macrospin as ms

    V = math.pi / 6 * (12.1e-9) ** 3
    kT = 1.380649e-23 * 310.0
    land = ms.EnergySurface([ms.CubicAnisotropy(-2e3), ms.UniaxialAnisotropy(sigma * kT / V, (0.3, 0.2, 0.93))])
    return sar.Particle(Ms_A_per_m=5.2e5, volume_m3=V, T_K=310.0, landscape=land)


def main_liquid():
    """The demo's particle in water: 12.1 nm sphere, cubic + uniaxial landscape at σ = 6.8 and 9.6 k_BT (the APB and
    Fe-deficient barriers of the demo), 100 kHz, 15 kA/m, master equation + Brownian rotation, 64 members, CPU
    seconds of this process (the kernels compiled first)."""
    print("== liquid: master equation + Brownian rotation (one sampled run, 64 members) ==")
    for sigma in (6.8, 9.6):
        p = demo_like_particle(sigma)
        sar.landscape_loop(p, 1e5, 15e3, sar.Medium.water(), n_orientations=1, seed=3, allow_nonclinical=True)
        t = time.process_time()
        r = sar.landscape_loop(p, 1e5, 15e3, sar.Medium.water(), n_orientations=64, seed=3, allow_nonclinical=True)
        dt = time.process_time() - t
        steps = r.params["steps_per_cycle"] * r.params["substeps"] * r.params["n_cycles"] * 64
        print(f"sigma {sigma:g} kT: SAR {r.sar_W_per_g:.1f} +- {r.sar_err_W_per_g:.1f} W/g, {dt:.1f} CPU s "
              f"({dt / steps * 1e6:.0f} us per member-step)")


def main_fokker_planck():
    """The exact Fokker–Planck SAR (sar.fokker_planck_sar) of a 12.1 nm particle at 100 kHz, 15 kA/m, 24 orientations:
    a cubic + uniaxial landscape at σ = 3.2 k_BT (the defect-free demo particle's barrier: adiabatic solution) and
    σ = 5.5 (both use the adiabatic solution at 100 kHz: ωτ ≤ 0.05), CPU seconds of this process (one BLAS
    thread, as in the Dask workers)."""
    print("== exact Fokker-Planck SAR, 24 orientations ==")
    for sigma in (3.2, 5.5):
        p = demo_like_particle(sigma)
        sar.fokker_planck_sar(p, 1e5, 15e3, n_orientations=1)  # basis and operators cached
        t = time.process_time()
        r = sar.fokker_planck_sar(p, 1e5, 15e3, n_orientations=24)
        dt = time.process_time() - t
        print(f"sigma {sigma:g} kT: SAR {r.sar_W_per_g:.3g} W/g, l_max {r.params['l_max']}, "
              f"{r.params['solution']}, {dt:.1f} CPU s ({dt / 24:.2f} s per orientation)")


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    p.add_argument("--landscape-only", action="store_true")
    p.add_argument("--liquid-only", action="store_true", help="only the demo particle in water")
    p.add_argument("--fokker-planck-only", action="store_true", help="only the exact Fokker-Planck SAR")
    a = p.parse_args()
    if a.fokker_planck_only:
        main_fokker_planck()
        raise SystemExit
    if a.liquid_only:
        main_liquid()
        raise SystemExit
    if not a.landscape_only:
        main(a.quick)
    main_landscape(a.quick)
    main_liquid()
    main_fokker_planck()
