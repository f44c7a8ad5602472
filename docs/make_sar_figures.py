"""Regenerate the figures of docs/validation.md, section "Heating from the landscape", and print the numbers quoted.

    PYTHONPATH=. MPLBACKEND=Agg python docs/make_sar_figures.py [name ...]     # all: ~15 min on one loaded core

Figures go to docs/figures/sar_*.png. Exact references (Fokker–Planck by finite volumes) come from tests/naive.py,
the same ones the tests use. Names: relaxation, mfpt, sw, lowfield, overlap, fluid, map, size, crossover.
"""
from __future__ import annotations

import math
import os
import sys
import time

import matplotlib.pyplot as plt
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

import naive  # noqa: E402
from atomspin import macrospin as M  # noqa: E402
from atomspin import sar  # noqa: E402
from atomspin.sar._common import cyclic_area  # noqa: E402
from atomspin.sar.fokker_planck import brown_asymptote, debye_time, uniaxial_relaxation_time  # noqa: E402
from atomspin.sar.master import OrientationTables, master_linear_response  # noqa: E402
from atomspin.sar.rates import Landscape, escape_rates, rates_relaxation_time  # noqa: E402
from atomspin.units import K_B, MU_0  # noqa: E402

OUT = os.path.join(HERE, "figures")
MS, K, T = 4.8e5, 1e4, 300.0
K1, K2 = -1.1e4, -0.28e4
CUBIC = M.EnergySurface([M.CubicAnisotropy(K1, K2)])


def uni(sigma, alpha=1.0, **kw):
    return sar.Particle(Ms_A_per_m=MS, volume_m3=sigma * K_B * T / K, T_K=T, K_uniaxial_J_per_m3=K, alpha=alpha, **kw)


def save(fig, name):
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, f"sar_{name}.png"), dpi=130)
    plt.close(fig)
    print(f"  -> docs/figures/sar_{name}.png")


def fig_relaxation():
    print("== relaxation time of a uniaxial macrospin (zero field) ==")
    s = np.geomspace(0.05, 14, 60)
    exact = np.array([uniaxial_relaxation_time(x) for x in s])
    rates = np.array([rates_relaxation_time(uni(x, 0.1)) / debye_time(MS, x * K_B * T / K, T, 0.1) if x >= 2 else np.nan
                      for x in s])
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    ax[0].semilogy(s, exact, "k-", label="exact: 1/λ₁ of the Fokker–Planck operator (Legendre)")
    sv = np.array([0.05, 0.5, 1, 2, 4, 8, 12])
    fv = [naive.fv_uniaxial_relaxation(x) for x in sv]
    ax[0].semilogy(sv, fv, "ks", mfc="none", label="finite volumes (tests/naive.py)")
    ax[0].semilogy(s, rates, "b--", label="escape-rate model (Langer/Brown, exact ring factor)")
    ax[0].semilogy(s[s >= 2], [brown_asymptote(x) for x in s[s >= 2]], "y-.", lw=0.8,
                   label="… with the analytic factor 1 − 1/σ instead")
    ax[0].semilogy(s[s > 1.5], [brown_asymptote(x) for x in s[s > 1.5]], "g:", label="Brown asymptote /(1 − 1/σ)")
    ax[0].semilogy(s, 0.5 * np.sqrt(np.pi) * s**-1.5 * np.exp(s), "c:", label="bare Brown asymptote")
    ax[0].axhline(1.0, color="0.6", lw=0.8, label="free diffusion τ_D")
    llg_s = [0.05, 0.5, 1.0, 2.0, 3.0, 4.0]
    llg, err = [], []
    for x in llg_s:
        p = uni(x, 1.0)
        t, e = sar.macrospin_llg.llg_relaxation_time(p, seed=3, n_particles=400)
        tD = debye_time(MS, p.volume_m3, T, 1.0)
        llg.append(t / tD)
        err.append(e / tD)
        print(f"σ = {x:5.2f}: LLG τ/τ_D = {t / tD:.4f} ± {e / tD:.4f}, exact {uniaxial_relaxation_time(x):.4f}")
    ax[0].errorbar(llg_s, llg, yerr=err, fmt="ro", ms=4, label="stochastic LLG (400 macrospins, α = 1)")
    ax[0].axvline(sar.SIGMA_CROSSOVER, color="r", ls="--", lw=0.8)
    ax[0].text(sar.SIGMA_CROSSOVER + 0.1, 2e3, "crossover\n4 k_BT", color="r", fontsize=8)
    ax[0].set_xlabel("σ = KV/k_BT")
    ax[0].set_ylabel("τ/τ_D")
    ax[0].legend(fontsize=6)
    ax[1].axhspan(-5, 5, color="0.9")
    ax[1].plot(s, (rates / exact - 1) * 100, "b-", label="escape-rate model")
    ax[1].plot(s[s > 1.5], (np.array([brown_asymptote(x) for x in s[s > 1.5]]) / exact[s > 1.5] - 1) * 100, "g:",
               label="Brown asymptote /(1 − 1/σ)")
    ax[1].plot(s, (0.5 * np.sqrt(np.pi) * s**-1.5 * np.exp(s) / exact - 1) * 100, "c:", label="bare asymptote")
    ax[1].errorbar(llg_s, (np.array(llg) / np.array([uniaxial_relaxation_time(x) for x in llg_s]) - 1) * 100,
                   yerr=np.array(err) / np.array([uniaxial_relaxation_time(x) for x in llg_s]) * 100, fmt="ro",
                   label="stochastic LLG")
    ax[1].set_ylim(-30, 30)
    ax[1].set_xlabel("σ = KV/k_BT")
    ax[1].set_ylabel("deviation from exact τ (%)")
    ax[1].legend(fontsize=7)
    for x in (4, 6, 8, 12):
        print(f"σ = {x}: rates/exact − 1 = {rates_relaxation_time(uni(x, 0.1)) / debye_time(MS, x * K_B * T / K, T, 0.1) / uniaxial_relaxation_time(x) - 1:+.4f}")
    save(fig, "relaxation")


def fig_mfpt():
    print("== escape rates vs stochastic-LLG residence times ==")
    fig, ax = plt.subplots(figsize=(5.5, 4))
    bar = -K1 / 12 - K2 / 27
    cub = lambda x: sar.Particle(Ms_A_per_m=MS, volume_m3=x * K_B * T / bar, T_K=T, landscape=CUBIC, alpha=1.0)  # noqa
    for label, make, sig, col, meas, fmt in (
            ("uniaxial, first passage to the equator, Γ = 1/2T", lambda x: uni(x, 1.0), [2, 3, 4, 6, 8], "b", "boundary",
             "o-"),
            ("uniaxial, committed hops", lambda x: uni(x, 1.0), [2, 4, 8], "b", "hops", "o:"),
            ("cubic K1 < 0, committed hops", cub, [2, 3, 4, 6], "r", "hops", "s-"),
            ("cubic K1 < 0, to the boundary, Γ = 1/2T", cub, [2, 4, 6], "r", "boundary", "s:")):
        rs, es = [], []
        for x in sig:
            p = make(x)
            r = sar.first_passage_times(p, seed=11, n_particles=200, transitions=300, measure=meas)
            model = escape_rates(p)["escape_rate"]
            ratio = r["rate_s"] / model
            rs.append(np.mean(ratio))
            es.append(np.mean(ratio) / math.sqrt(r["transitions"].sum()))
            print(f"{label} σ = {x}: LLG/model = {rs[-1]:.3f} ± {es[-1]:.3f} ({r['transitions'].sum()} transitions)")
        ax.errorbar(sig, rs, yerr=es, fmt=fmt, color=col, mfc="none" if meas != "hops" or "cubic" not in label else col,
                    label=label)
    ax.axhspan(0.85, 1.15, color="0.9", label="±15 %")
    ax.axhline(1, color="k", lw=0.8)
    ax.axvline(sar.SIGMA_CROSSOVER, color="0.4", ls="--", lw=0.8)
    ax.set_xlabel("lowest barrier / k_BT")
    ax.set_ylabel("LLG escape rate / Langer–Brown rate")
    ax.set_title("α = 1, zero field; deep = within half the angle to the nearest saddle", fontsize=8)
    ax.legend(fontsize=8)
    save(fig, "mfpt")


def fig_sw():
    print("== T → 0 slow sweeps vs Stoner–Wohlfarth ==")
    HK = 2 * K / (MU0 * MS) if False else 2 * K / (MU_0 * MS)
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (20e-9) ** 3, T_K=1e-6, K_uniaxial_J_per_m3=K)
    fig, ax = plt.subplots(1, 3, figsize=(12, 3.6))
    from atomspin.measure.stoner_wohlfarth import stoner_wohlfarth_loop

    for i, (axes, n) in enumerate((("aligned", 1), ("random", 40))):
        r = sar.landscape_loop(p, 1e3, 2 * HK, axes=axes, n_orientations=n, steps_per_cycle=2000)
        h = r.H_A_per_m / HK
        ax[i].plot(h, r.M_over_Ms, "b-", lw=2, label=f"master equation, T → 0: area {r.loop_area_J_per_m3 / (MU_0 * HK * MS):.4f}")
        psi = np.array([0.0]) if axes == "aligned" else np.arccos((np.arange(200) + 0.5) / 200)
        ref = stoner_wohlfarth_loop(np.concatenate([h, h]), psi, up=True)[len(h):].mean(axis=1)
        exact = 4.0 if axes == "aligned" else 0.9883
        ax[i].plot(h, ref, "k--", label=f"Stoner–Wohlfarth (closed form): area {exact}")
        ax[i].set_title(f"uniaxial, {axes} axes", fontsize=9)
        print(f"{axes}: area {r.loop_area_J_per_m3 / (MU_0 * HK * MS):.4f} μ0 H_K Ms (SW {exact})")
    pc = sar.Particle(Ms_A_per_m=MS, volume_m3=1e-23, T_K=1e-6, landscape=CUBIC)
    d = np.array([0.3, 0.5, 0.81])
    d /= np.linalg.norm(d)
    tab = OrientationTables(Landscape(pc), d, 3e4, 400)
    mz, _ = tab.cycle(pc, pc.volume_m3, 1e3)
    H = tab.fields()
    swc = M.stoner_wohlfarth_loop(CUBIC, MS, np.concatenate([H, H])[:, None] * d[None, :]).m_parallel[len(H):]
    a1, a2 = MU_0 * MS * cyclic_area(mz, H)[0], MU_0 * MS * cyclic_area(swc, H)[0]
    ax[2].plot(H / 1e3, mz, "b-", lw=2, label=f"master equation: {a1:.1f} J/m³")
    ax[2].plot(H / 1e3, swc, "k--", label=f"macrospin.stoner_wohlfarth_loop: {a2:.1f} J/m³")
    ax[2].set_title("cubic magnetite (K1, K2), field along (0.3, 0.5, 0.81)", fontsize=9)
    print(f"cubic: master {a1:.2f} J/m³, SW {a2:.2f} J/m³")
    for a in ax[:2]:
        a.set_xlabel("H / H_K")
    ax[2].set_xlabel("H (kA/m)")
    for a in ax:
        a.set_ylabel("M / Ms along the field")
        a.legend(fontsize=6)
    save(fig, "sw")


def fig_lowfield():
    print("== low field: master equation vs linear response ==")
    fig, ax = plt.subplots(figsize=(5.5, 4))
    fs = np.geomspace(1e4, 3e6, 9)
    for sigma, col in ((5.5, "b"), (8.0, "r")):
        p = uni(sigma, 0.1)
        dirs, w = sar.heating.orientations(p, "aligned", 1)
        loop = [sar.landscape_loop(p, f, 3.0, axes="aligned").loop_area_J_per_m3 for f in fs]
        lr = [master_linear_response(p, f, dirs, w)["area_per_H0sq"] * 9.0 for f in fs]
        ex = [sar.exact_linear_response(p, f, 3.0, axes="aligned").loop_area_J_per_m3 for f in fs]
        ax.loglog(fs, loop, "o", color=col, label=f"σ = {sigma}: master equation, H0 = 3 A/m")
        ax.loglog(fs, lr, "-", color=col, label="  linear response, same rates")
        ax.loglog(fs, ex, ":", color=col, label="  linear response, exact FP τ and χ∥")
        print(f"σ = {sigma}: loop/LRT(same rates) {np.min(np.array(loop) / lr):.4f}–{np.max(np.array(loop) / lr):.4f}; "
              f"loop/LRT(exact) {np.min(np.array(loop) / ex):.3f}–{np.max(np.array(loop) / ex):.3f}")
    ax.set_xlabel("f (Hz)")
    ax.set_ylabel("loop area per cycle (J/m³)")
    ax.legend(fontsize=6)
    save(fig, "lowfield")


def fig_overlap():
    print("== master equation vs stochastic LLG in the overlap ==")
    p = uni(5.0, 1.0)
    tau = rates_relaxation_time(p)
    f = 1.0 / (2 * math.pi * tau)
    fig, ax = plt.subplots(figsize=(5, 4))
    for frac, col in ((0.15, "b"), (0.3, "r")):
        H0 = frac * p.H_K_A_per_m
        m = sar.landscape_loop(p, f, H0, axes="aligned", allow_nonclinical=True)
        ll = sar.llg_sar(p, f, H0, axes="aligned", n_particles=400, n_cycles=8, seed=4, allow_nonclinical=True)
        ax.plot(m.H_A_per_m / 1e3, m.M_over_Ms, "-", color=col, label=f"master, H0 = {frac} H_K: {m.loop_area_J_per_m3:.0f} J/m³")
        ax.plot(ll.H_A_per_m / 1e3, ll.M_over_Ms, ".", color=col, ms=3,
                label=f"LLG: {ll.loop_area_J_per_m3:.0f} ± {ll.loop_area_err_J_per_m3:.0f} J/m³")
        print(f"H0 = {frac} H_K: master {m.loop_area_J_per_m3:.1f}, LLG {ll.loop_area_J_per_m3:.1f} ± {ll.loop_area_err_J_per_m3:.1f} J/m³")
    ax.set_xlabel("H (kA/m)")
    ax.set_ylabel("M / Ms")
    ax.set_title(f"uniaxial σ = 5, α = 1, aligned, f = 1/(2πτ) = {f / 1e6:.1f} MHz", fontsize=8)
    ax.legend(fontsize=6)
    save(fig, "overlap")


def fig_fluid():
    print("== liquids: Néel jumps + Brownian rotation ==")
    fig, ax = plt.subplots(1, 2, figsize=(10, 4))
    p = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (20e-9) ** 3, T_K=T, K_uniaxial_J_per_m3=2e5,
                     hydrodynamic_diameter_m=30e-9)
    med = sar.Medium(2e-3)
    tauB = med.brown_time_s(p)
    H0 = 0.3 * K_B * T / (MU_0 * MS * p.volume_m3)
    chi = MU_0 * MS**2 * p.volume_m3 / (3 * K_B * T)
    wts = np.array([0.2, 0.5, 1, 2, 5])
    got, err = [], []
    for wt in wts:
        r = sar.landscape_loop(p, wt / (2 * math.pi * tauB), H0, medium=med, n_orientations=300, n_cycles=5,
                               steps_per_cycle=100, seed=3)
        got.append(r.loop_area_J_per_m3)
        err.append(r.loop_area_err_J_per_m3)
    x = np.geomspace(0.1, 10, 100)
    ax[0].plot(x, MU_0 * math.pi * chi * H0**2 * x / (1 + x * x), "k-", label="Debye: μ0πχ_iH0² ωτ_B/(1+ω²τ_B²)")
    ax[0].errorbar(wts, got, yerr=err, fmt="ro", label="Néel + Brown hybrid (blocked moment)")
    ax[0].set_xscale("log")
    ax[0].set_xlabel("ωτ_B")
    ax[0].set_ylabel("loop area (J/m³)")
    ax[0].set_title(f"20 nm, K = 2e5 J/m³ (σ ≈ 200), η = 2 mPa s, ξ = 0.3", fontsize=8)
    ax[0].legend(fontsize=7)
    print("Debye check:", [f"{g / (MU_0 * math.pi * chi * H0**2 * w / (1 + w * w)):.3f}" for g, w in zip(got, wts)])
    q = uni(7.0, 0.1)
    H0 = 0.5 * q.H_K_A_per_m
    etas = [1e-3, 1e-2, 1e-1, 1.0, 1e3]
    solid = sar.landscape_loop(q, 1e5, H0, n_orientations=32).loop_area_J_per_m3
    vals, errs = [], []
    for eta in etas:
        r = sar.landscape_loop(q, 1e5, H0, medium=sar.Medium(eta), n_orientations=200, n_cycles=4,
                               steps_per_cycle=200, seed=2)
        vals.append(r.loop_area_J_per_m3)
        errs.append(r.loop_area_err_J_per_m3)
        print(f"η = {eta:g} Pa s: {r.loop_area_J_per_m3:.0f} ± {r.loop_area_err_J_per_m3:.0f} J/m³ (τ_B = {r.params['tau_B_s']:.2g} s)")
    ax[1].errorbar(etas, vals, yerr=errs, fmt="bo-", label="Néel + Brown hybrid")
    ax[1].axhline(solid, color="k", ls="--", label=f"immobilised master equation: {solid:.0f} J/m³")
    ax[1].set_xscale("log")
    ax[1].set_xlabel("viscosity (Pa s)")
    ax[1].set_ylabel("loop area (J/m³)")
    ax[1].set_title("uniaxial σ = 7, 100 kHz, H0 = 0.5 H_K, random axes", fontsize=8)
    ax[1].legend(fontsize=7)
    save(fig, "fluid")


def landscape_particle(d_nm, Ms=4.6e5, T_K=310.0, aspect=1.15):
    """Magnetite cubic K1, K2 plus the shape anisotropy of a spheroid (aspect 1.15) along a fixed body axis."""
    Npar, Nperp = sar.heating.shape_factors(np.array(aspect))
    Ksh = 0.5 * MU_0 * Ms**2 * float(Nperp - Npar)
    surf = M.EnergySurface([M.CubicAnisotropy(K1, K2), M.UniaxialAnisotropy(Ksh, (0.3, 0.2, 0.93))])
    return sar.Particle(Ms_A_per_m=Ms, volume_m3=math.pi / 6 * (d_nm * 1e-9) ** 3, T_K=T_K, alpha=0.1,
                        landscape=surf, hydrodynamic_diameter_m=(d_nm + 10) * 1e-9)


def fig_map():
    print("== SAR map over (f, H0) from a landscape ==")
    p = landscape_particle(18)
    fv = np.linspace(5e4, 1e6, 8)
    hv = np.linspace(2e3, 3e4, 7)
    t0 = time.time()
    m = sar.sar_map(fv, hv, p, model="auto", n_orientations=16, allow_nonclinical=True)
    print(f"8 x 7 map in {time.time() - t0:.1f} s; SAR {m.min():.3g} … {m.max():.3g} W/g")
    fig = sar.plot_sar_map(fv, hv, m)
    fig.axes[0].set_title("18 nm magnetite landscape (cubic + shape), 310 K, immobilised", fontsize=8)
    save(fig, "map")


def fig_size():
    print("== SAR against size from landscapes (typed-in cubic + shape family) ==")
    ds = [8, 10, 12, 14, 16, 18, 20, 22, 25]
    fig, axs = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for ax, medium in zip(axs, (None, sar.Medium.water())):
        t0 = time.time()
        res = sar.size_series_sar([landscape_particle(d) for d in ds], [1e5, 3e5, 5e5], [1e4, 2.5e4], medium=medium,
                                  n_orientations=16, n_particles=48, allow_nonclinical=True)
        res.plot(ax=ax)
        print(f"{res.medium}: {time.time() - t0:.0f} s; models {dict(zip(*np.unique(res.models, return_counts=True)))}")
        for j, f in enumerate(res.f_Hz):
            print(f"  {f / 1e3:g} kHz, 25 kA/m: " + ", ".join(f"{d:.0f} nm {s:.3g}" for d, s in
                                                              zip(res.diameters_nm, res.sar_W_per_g[:, j, 1])))
    save(fig, "size_typed_in")  # docs/figures/sar_size.png is the atomistic series of docs/make_sar_size.py


def fig_crossover():
    """SAR against the barrier at the clinical drive: the exact Fokker–Planck solution against the master equation,
    the adiabatic response with the zero-field τ and linear response (12.1 nm uniaxial, random axes)."""
    print("== crossover: exact Fokker–Planck vs master equation, adiabatic (zero-field τ), linear ==")
    V, T_, Ms, f = math.pi / 6 * (12.1e-9) ** 3, 310.0, 4.8e5, 1e5
    kT = K_B * T_
    sigmas = [2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    print("| σ = KV/k_BT | ξ | exact (Fokker–Planck) | master equation | adiabatic, zero-field τ | linear |")
    print("|---|---|---|---|---|---|")
    for H0, col in ((2e3, "tab:blue"), (15e3, "tab:red")):
        rows = {"fokker_planck": [], "master": [], "adiabatic": [], "linear": []}
        for s_ in sigmas:
            p = sar.Particle(Ms_A_per_m=Ms, volume_m3=V, T_K=T_, alpha=0.1, K_uniaxial_J_per_m3=s_ * kT / V,
                             easy_axis=(0.0, 0.0, 1.0))
            fp = sar.fokker_planck_sar(p, f, H0, n_orientations=24).sar_W_per_g
            me = sar.landscape_loop(p, f, H0, n_orientations=24).sar_W_per_g if s_ >= 3 else float("nan")
            ad = sar.adiabatic_sar(p, f, H0, n_orientations=24).sar_W_per_g
            li = sar.exact_linear_response(p, f, H0).sar_W_per_g
            for k, v in zip(rows, (fp, me, ad, li)):
                rows[k].append(v)
            xi = MU_0 * Ms * H0 * V / kT
            print(f"| {s_:g} | {xi:.2f} | {fp:.3g} | {me:.3g} | {ad:.3g} | {li:.3g} |")
        lab = f"H0 = {H0 / 1e3:g} kA/m"
        ax.plot(sigmas, rows["fokker_planck"], "-o", color=col, label=f"exact Fokker–Planck, {lab}")
        ax.plot(sigmas, rows["master"], "--s", color=col, mfc="none", label=f"master equation, {lab}")
        ax.plot(sigmas, rows["adiabatic"], ":^", color=col, mfc="none", label=f"adiabatic, zero-field τ, {lab}")
    ax.set_yscale("log")
    ax.axvline(6.0, color="k", lw=0.8)
    ax.text(6.05, 0.02, "regime rule:\nmaster equation\nabove 6 k_BT", fontsize=7, transform=ax.get_xaxis_transform())
    ax.set_xlabel("smallest escape barrier σ = KV/k_BT")
    ax.set_ylabel("SAR (W/g)")
    ax.set_title("12.1 nm uniaxial macrospin, 310 K, 100 kHz, random axes", fontsize=9)
    ax.legend(fontsize=6.5)
    save(fig, "crossover")


ALL = {"relaxation": fig_relaxation, "mfpt": fig_mfpt, "sw": fig_sw, "lowfield": fig_lowfield,
       "overlap": fig_overlap, "fluid": fig_fluid, "map": fig_map, "size": fig_size, "crossover": fig_crossover}

if __name__ == "__main__":
    names = sys.argv[1:] or list(ALL)
    for n in names:
        t0 = time.time()
        ALL[n]()
        print(f"   ({time.time() - t0:.0f} s)")
