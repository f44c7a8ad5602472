"""Regenerate the imaging figures of docs/validation.md (section "Imaging") and print the numbers quoted there.

    PYTHONPATH=. MPLBACKEND=Agg python docs/make_imaging_figures.py      # ~2 min on one core

Figures go to docs/figures/imaging_*.png. The reference values (markers) come from the slow references in
tests/naive.py, the same ones the tests use.
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
from atomspin.imaging import (AMPLITUDE_T, F_DRIVE_HZ, LANGEVIN_FWHM_XI, mpi_psf, mpi_signal,  # noqa: E402
                              mri_size_sweep)
from atomspin.sar import kinetic_loop  # noqa: E402
from atomspin.units import K_B, MU_0  # noqa: E402

OUT = os.path.join(HERE, "figures")
MS, T = 4.8e5, 310.0


def moment(d_nm):
    return MS * math.pi / 6 * (d_nm * 1e-9) ** 3


def fig_psf():
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    for d in (15, 20, 25):
        m = moment(d)
        r = mpi_psf(m, T, np.linspace(-30e-3 / MU_0, 30e-3 / MU_0, 1201))
        w = K_B * T / (MU_0 * m)
        a.plot(r.H_A_per_m * MU_0 * 1e3, r.psf_m3 / r.psf_m3.max(),
               label=f"{d} nm: FWHM {r.fwhm_mT:.3g} mT = {r.fwhm_A_per_m / w:.4f} k_BT/(μ0m); "
                     f"Δx = {r.resolution_m * 1e3:.3g} mm")
        print(f"PSF {d} nm: FWHM {r.fwhm_A_per_m:.6g} A/m = {r.fwhm_A_per_m / w:.7f} kT/(mu0 m), "
              f"{r.fwhm_mT:.4g} mT, resolution {r.resolution_m * 1e3:.4g} mm at 1 T/m")
    a.set_xlabel("drive field μ0H (mT)")
    a.set_ylabel("PSF dm/dH (normalised to its peak)")
    a.set_title(f"equilibrium (Langevin) PSF, magnetite Ms = 480 kA/m, {T:g} K", fontsize=9)
    a.legend(fontsize=7)
    a.grid(alpha=0.3)
    m = moment(25)
    w = K_B * T / (MU_0 * m)
    H = np.linspace(-10e-3 / MU_0, 25e-3 / MU_0, 701)
    eq = mpi_psf(m, T, H)
    norm = eq.psf_m3.max()
    b.plot(H * MU_0 * 1e3, eq.psf_m3 / norm, "k--", label=f"equilibrium, FWHM {eq.fwhm_mT:.3g} mT")
    worst = 0.0
    for i, tau in enumerate((0.5e-6, 2e-6)):
        r = mpi_psf(m, T, H, tau_s=tau)
        b.plot(H * MU_0 * 1e3, r.psf_m3 / norm, color=f"C{i}",
               label=f"Debye τ = {tau * 1e6:g} µs: FWHM {r.fwhm_mT:.3g} mT (×{r.fwhm_ratio:.3f}), "
                     f"peak +{r.peak_shift_A_per_m * MU_0 * 1e3:.3g} mT")
        Hs = H[::50]
        ref = np.array([naive.debye_relaxed_psf(h, m, 1 / w, r.lag_A_per_m) for h in Hs])
        b.plot(Hs * MU_0 * 1e3, ref / norm, "o", mfc="none", color=f"C{i}")
        worst = max(worst, float(np.max(np.abs(r.psf_m3[::50] - ref)) / ref.max()))
        print(f"Debye tau={tau:g}: lag a = {r.lag_A_per_m:.5g} A/m = {r.lag_A_per_m / w:.4g} w, FWHM "
              f"{r.fwhm_mT:.5g} mT (x{r.fwhm_ratio:.4f}), peak shift {r.peak_shift_A_per_m * MU_0 * 1e3:.4g} mT")
    print(f"Debye PSF vs naive convolution: max deviation {worst:.2g} of the peak")
    b.plot([], [], "o", mfc="none", color="0.4", label="reference: direct convolution (tests/naive.py)")
    b.set_xlabel("drive field μ0H (mT)")
    b.set_ylabel("PSF dm/dH (normalised to equilibrium peak)")
    b.set_title(f"25 nm, relaxation blur along the drive ramp ({F_DRIVE_HZ / 1e3:.4g} kHz, "
                f"{AMPLITUDE_T * 1e3:g} mT)", fontsize=9)
    b.legend(fontsize=7)
    b.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "imaging_mpi_psf.png"), dpi=110)
    plt.close(fig)


def fig_spectrum():
    fig, ax = plt.subplots(figsize=(6.5, 4.3))
    m = moment(20)
    k = MU_0 * m / (K_B * T)
    xi = k * AMPLITUDE_T / MU_0
    omega = 2 * math.pi * F_DRIVE_HZ
    n_ref = np.arange(1, 16)
    eq = mpi_signal(moment_Am2=m, T_K=T)
    n = eq.harmonic_numbers
    ax.semilogy(n[::2], eq.voltage_harmonics_V[::2], "-", color="C0", label="20 nm, equilibrium (Langevin)")
    ref = np.array([abs(naive.langevin_harmonic(xi, j)) for j in n_ref]) * m * n_ref * omega
    ax.semilogy(n_ref[::2], ref[::2], "o", mfc="none", color="C0",
                label="Fourier coefficients of L(ξ cos ωt) by quadrature")
    dev = np.max(np.abs(eq.voltage_harmonics_V[:15:2] - ref[::2]) / ref[::2])
    print(f"Langevin harmonics 1..15 vs quadrature: max relative deviation {dev:.2g}; "
          f"|u5/u3| = {eq.harmonic5_to_3_ratio:.4f}, |u3| = {eq.harmonic3_voltage_V:.4g} V per T/A")
    tau = 1e-6
    rel = mpi_signal(moment_Am2=m, T_K=T, tau_s=tau)
    ax.semilogy(n[::2], rel.voltage_harmonics_V[::2], "-", color="C1", label=f"20 nm, Debye τ = {tau * 1e6:g} µs")
    c = naive.debye_relaxed_harmonics(xi, omega * tau, 15, n_theta=128)
    refd = 2 * np.abs(c[1:]) * m * n_ref * omega
    ax.semilogy(n_ref[::2], refd[::2], "s", mfc="none", color="C1", label="time-domain exponential convolution")
    devd = np.max(np.abs(rel.voltage_harmonics_V[:15:2] - refd[::2]) / refd[::2])
    print(f"Debye harmonics vs time-domain convolution: max relative deviation {devd:.2g}; "
          f"|u5/u3| = {rel.harmonic5_to_3_ratio:.4f}")
    d = 18e-9
    t0 = time.perf_counter()
    kin = kinetic_loop(F_DRIVE_HZ, AMPLITUDE_T / MU_0, [d], Ms=MS, K=8e3, T=T, axes="aligned",
                       steps_per_cycle=2000, n_cycles=4)
    nk = kin.M_over_Ms.size
    tk = (np.arange(nk) + 0.5) / (nk * F_DRIVE_HZ)
    mk = MS * math.pi / 6 * d**3
    sk = mpi_signal(t_s=np.concatenate([tk, tk + 1 / F_DRIVE_HZ]), m_Am2=np.tile(kin.M_over_Ms * mk, 2))
    print(f"kinetic two-state 18 nm (K = 8 kJ/m3, aligned): |u5/u3| = {sk.harmonic5_to_3_ratio:.4f}, "
          f"x-space FWHM {sk.psf_fwhm_A_per_m * MU_0 * 1e3:.4g} mT, "
          f"delay {sk.psf_peak_shift_A_per_m * MU_0 * 1e3:.4g} mT "
          f"({time.perf_counter() - t0:.1f} s)")
    ax.semilogy(sk.harmonic_numbers[::2], sk.voltage_harmonics_V[::2], "-^", ms=4, color="C2",
                label="18 nm, K = 8 kJ/m³ aligned: two-state Néel master equation (sar.kinetic_loop)")
    ax.set_xlabel("harmonic number n (odd; frequency n × 24.51 kHz)")
    ax.set_ylabel("voltage harmonic |u_n| per particle (V per T/A)")
    ax.set_title(f"MPI spectrum at {AMPLITUDE_T * 1e3:g} mT, {T:g} K (even harmonics vanish)", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "imaging_mpi_spectrum.png"), dpi=110)
    plt.close(fig)
    axes = mpi_signal(moment_Am2=moment(25), T_K=T, tau_s=1e-6).plot()
    axes[0].figure.savefig(os.path.join(OUT, "imaging_mpi_signal.png"), dpi=100)
    plt.close("all")


def fig_mri():
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    d = np.geomspace(2e-9, 3e-6, 400)
    for coating, style in ((0.0, "-"), (5e-9, ":")):
        sw = mri_size_sweep(MS, d, coating_m=coating)
        lab = "bare" if coating == 0 else f"{coating * 1e9:g} nm impermeable coating"
        ax.loglog(d * 1e9, sw.r2_per_mM_per_s, style, color="C0", label=f"r2 (spin echo, TE 10 ms), {lab}")
        ax.loglog(d * 1e9, sw.r2star_per_mM_per_s, style, color="C1", lw=1, label=f"r2*, {lab}")
        print(f"MRI {lab}: crossover (x = 3.40) at {sw.crossover_diameter_m * 1e9:.4g} nm, max r2 "
              f"{sw.r2_max_per_mM_per_s:.4g} /s/mM, partial refocusing beyond {sw.refocusing_diameter_m * 1e9:.4g} nm;"
              f" r2(10 nm) = {np.interp(10e-9, d, sw.r2_per_mM_per_s):.4g}")
        if coating == 0:
            ax.axvline(sw.crossover_diameter_m * 1e9, color="0.5", ls="--", lw=0.8)
            ax.axvline(sw.refocusing_diameter_m * 1e9, color="0.3", ls="-.", lw=0.8)
            ax.text(sw.crossover_diameter_m * 1e9 * 1.1, 2, "Δωτ_D = 3.40", fontsize=7, rotation=90)
            ax.text(sw.refocusing_diameter_m * 1e9 * 1.1, 2, "partial refocusing", fontsize=7, rotation=90)
    ax.text(3, 400, "motional\naveraging", fontsize=8)
    ax.text(60, 1500, "static dephasing", fontsize=8)
    ax.set_ylim(1e-1, 3e3)
    ax.set_xlabel("magnetic diameter (nm)")
    ax.set_ylabel("relaxivity (s⁻¹ mM⁻¹ Fe)")
    ax.set_title("magnetite Ms = 480 kA/m, B0 = 1.5 T, 310 K, 1 mM Fe", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "imaging_mri_size.png"), dpi=110)
    plt.close(fig)


def fig_particle():
    """MPI from a sar.Particle: the master equation against the Boltzmann curve (O(1/σ²)), and magnetite
    particles with K = 10 kJ/m³ (random axes) at the OpenMPIData drive against the ideal Langevin tracer."""
    from atomspin import sar
    from atomspin.imaging import mpi_from_particle

    K = 1e4
    fig, axs = plt.subplots(1, 3, figsize=(15, 4.2))
    sigmas = np.array([8.0, 10.0, 12.0, 14.0, 17.0, 20.0])  # with K = 100 kJ/m³: τ short enough for f ≥ 1 mHz
    dev = []
    for sg in sigmas:
        p = sar.Particle(Ms_A_per_m=MS, volume_m3=sg * K_B * T / (10 * K), T_K=T, K_uniaxial_J_per_m3=10 * K)
        tau = sar.relaxation_time(p, method="rates")
        f = 1e-3 / (2 * math.pi * tau)
        B = MU_0 * 2.0 * K_B * T / (MU_0 * MS * p.volume_m3)
        rm = mpi_from_particle(p, f_Hz=f, amplitude_T=B, axes="aligned", method="master", steps_per_cycle=256)
        re = mpi_from_particle(p, f_Hz=f, amplitude_T=B, axes="aligned", method="equilibrium", tau_N_s=1e-30)
        dev.append(np.abs(rm.signal.moment_harmonics_Am2[[0, 2, 4]] / re.signal.moment_harmonics_Am2[[0, 2, 4]] - 1))
    dev = np.array(dev)
    for j, n in enumerate((1, 3, 5)):
        axs[0].loglog(sigmas, dev[:, j], "o-", label=f"harmonic {n}")
    axs[0].loglog(sigmas, 1.0 / sigmas**2, "k--", label="1/σ²")
    axs[0].set_xlabel("barrier σ = KV/k_BT (uniaxial, field along the axis)")
    axs[0].set_ylabel("|master / Boltzmann − 1| of |m_n| (ωτ = 1e-3, ξ = 2)")
    axs[0].legend(fontsize=7)
    axs[0].grid(alpha=0.3, which="both")
    print("master vs Boltzmann |m_n| (n=1,3,5): " + "; ".join(
        f"sigma {sg:g}: {d[0]:.2e} {d[1]:.2e} {d[2]:.2e}" for sg, d in zip(sigmas, dev)))
    ds = np.array([12.0, 14.0, 16.0, 18.0, 20.0, 22.0, 24.0, 26.0])
    h3, h3l, fw, fwl, meth = [], [], [], [], []
    for d in ds:
        p = sar.Particle(Ms_A_per_m=MS, volume_m3=math.pi / 6 * (d * 1e-9) ** 3, T_K=T, K_uniaxial_J_per_m3=K)
        r = mpi_from_particle(p, n_orientations=12, steps_per_cycle=256)
        h3.append(r.harmonic3_Am2_per_kg_Fe)
        h3l.append(r.harmonic3_langevin_Am2_per_kg_Fe)
        fw.append(np.nan if r.psf_fwhm_mT is None else r.psf_fwhm_mT)
        fwl.append(r.psf_fwhm_langevin_A_per_m * MU_0 * 1e3)
        meth.append(r.method)
        print(f"{d:g} nm: {r.method}, barrier {r.barrier_over_kT:.3g} kT, omega*tau {r.omega_tau:.3g}, |m3|/kg Fe "
              f"{r.harmonic3_Am2_per_kg_Fe:.4g} (Langevin {r.harmonic3_langevin_Am2_per_kg_Fe:.4g}), FWHM "
              f"{fw[-1]:.4g} mT (Langevin {fwl[-1]:.4g}), delay {0 if r.psf_peak_shift_A_per_m is None else r.psf_peak_shift_A_per_m * MU_0 * 1e3:.3g} mT")
    mk = ["s" if m == "master" else "o" for m in meth]
    for x, y, m in zip(ds, h3, mk):
        axs[1].plot(x, y, m, color="C0")
    axs[1].plot(ds, h3, "-", color="C0", label="particle, K = 10 kJ/m³, random axes (○ equilibrium + Debye, □ master)")
    axs[1].plot(ds, h3l, "k--", label="ideal Langevin tracer, same moment")
    axs[1].set_xlabel("magnetic diameter (nm)")
    axs[1].set_ylabel("3rd harmonic |m3| per kg Fe (A m²/kg)")
    axs[1].set_title(f"{F_DRIVE_HZ / 1e3:.4g} kHz, {AMPLITUDE_T * 1e3:g} mT (OpenMPIData 1-D)", fontsize=9)
    axs[1].legend(fontsize=7)
    axs[1].grid(alpha=0.3)
    axs[2].plot(ds, fw, "o-", label="particle: PSF FWHM (equilibrium + Debye, or x-space of M(t))")
    axs[2].plot(ds, fwl, "k--", label="ideal Langevin: 4.161 k_BT/(μ0 m)")
    axs[2].set_xlabel("magnetic diameter (nm)")
    axs[2].set_ylabel("PSF FWHM μ0ΔH (mT)")
    axs[2].set_yscale("log")
    axs[2].legend(fontsize=7)
    axs[2].grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(os.path.join(OUT, "imaging_mpi_particle.png"), dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    print(f"L'(xi) FWHM = {LANGEVIN_FWHM_XI:.10f}")
    fig_psf()
    fig_spectrum()
    fig_mri()
    fig_particle()
