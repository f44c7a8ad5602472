"""MPI signal of an ensemble under a sinusoidal drive: m(t), induced voltage, harmonic spectrum, x-space PSF.

Conventions as in :mod:`atomspin.imaging.mpi` (drive H(t) = H_off + H_d cos 2πft, u = −S N dm/dt).
One drive period is sampled at N equidistant times t_k = k/(Nf); the Fourier coefficients
C_n = (1/N) Σ m(t_k) e^{−2πink/N} give m(t) = Σ_n C_n e^{inωt} exactly for a band-limited m (and with spectral accuracy for the analytic
Langevin response: the sample count is chosen so that the aliasing error is below 1e-15). Derivatives and the
Debye lag are applied to the C_n: dm/dt ↔ inω C_n, τ dm/dt = m_eq − m ↔ C_n/(1 + inωτ) (periodic steady state).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from atomspin.units import MU_0
from atomspin.validation import check_array, check_int, check_nonnegative, check_positive, check_real

from ._common import ImagingResult
from .mpi import AMPLITUDE_T, F_DRIVE_HZ, PSF_WINDOW, T_BODY_K, LangevinEnsemble

MAX_SAMPLES = 2**22
"""Largest number of samples per drive period."""


@dataclass
class MPISignalResult(ImagingResult):
    """One period of an MPI (or magnetic particle spectrometer) signal, from :func:`mpi_signal`.

    Attributes
    ----------
    t_s : (N,) sample times over one drive period, s.
    H_A_per_m : (N,) drive field H(t), A/m.
    moment_Am2 : (N,) moment per particle along the drive, A m² (after the Debye lag, if any).
    dm_dt_Am2_per_s : (N,) its time derivative, A m² s⁻¹.
    voltage_V : (N,) induced voltage u = −S N dm/dt, V.
    harmonic_numbers : (n_h,) 1 … n_h; frequencies_Hz the same times f.
    moment_harmonics_Am2 : (n_h,) amplitudes |m_n| per particle, A m²; moment_harmonic_phases_rad φ_n.
    voltage_harmonics_V : (n_h,) amplitudes |u_n| = S N n ω |m_n|, V.
    moment_harmonics_Am2_per_kg_Fe : (n_h,) |m_n| per kg of iron (None unless ``iron_mass_kg`` was given).
    harmonic3_moment_Am2 : |m_3| per particle; harmonic3_Am2_per_kg_Fe : |m_3| per kg of iron (None without
        ``iron_mass_kg``); harmonic3_voltage_V : |u_3|;
    harmonic5_to_3_ratio : |u_5|/|u_3| (the decay of the odd spectrum; None if u_3 = 0);
    even_to_odd_ratio : Σ_even |u_n| / Σ_odd |u_n| (0 without offset for any odd m(H); None if no odd signal).
    psf_rising_H_A_per_m, psf_rising_m3 : x-space PSF (dm/dt)/(dH/dt) on the rising sweep, m³, against H
        (where |cos ωt| ≤ 0.95); psf_falling_H_A_per_m, psf_falling_m3 for the falling sweep.
    psf_fwhm_A_per_m : FWHM of the rising-sweep PSF (None if its half-maximum points are not both swept).
    psf_peak_shift_A_per_m : half the separation of the rising and falling PSF peaks (relaxation delay;
        0 at equilibrium; None if a peak is not inside the swept window).
    f_Hz, amplitude_T, offset_T, tau_s, coil_sensitivity_T_per_A, n_particles, source, notes.
    """

    t_s: np.ndarray
    H_A_per_m: np.ndarray
    moment_Am2: np.ndarray
    dm_dt_Am2_per_s: np.ndarray
    voltage_V: np.ndarray
    harmonic_numbers: np.ndarray
    frequencies_Hz: np.ndarray
    moment_harmonics_Am2: np.ndarray
    moment_harmonic_phases_rad: np.ndarray
    voltage_harmonics_V: np.ndarray
    moment_harmonics_Am2_per_kg_Fe: np.ndarray | None
    harmonic3_moment_Am2: float
    harmonic3_Am2_per_kg_Fe: float | None
    harmonic3_voltage_V: float
    harmonic5_to_3_ratio: float | None
    even_to_odd_ratio: float | None
    psf_rising_H_A_per_m: np.ndarray
    psf_rising_m3: np.ndarray
    psf_falling_H_A_per_m: np.ndarray
    psf_falling_m3: np.ndarray
    psf_fwhm_A_per_m: float | None
    psf_peak_shift_A_per_m: float | None
    f_Hz: float
    amplitude_T: float
    offset_T: float
    tau_s: float
    coil_sensitivity_T_per_A: float
    n_particles: float
    source: str
    notes: list = field(default_factory=list)
    _coefficients: np.ndarray = field(default=None, repr=False)
    _summary_fields = ("harmonic3_moment_Am2", "harmonic3_Am2_per_kg_Fe", "harmonic3_voltage_V",
                       "harmonic5_to_3_ratio", "even_to_odd_ratio", "psf_fwhm_A_per_m",
                       "psf_peak_shift_A_per_m", "f_Hz", "amplitude_T", "offset_T", "tau_s")

    def plot(self, axes=None):
        """Four panels: m(t) with the drive, voltage u(t), harmonic spectrum, x-space PSF. Returns the axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            fig, axes = plt.subplots(2, 2, figsize=(10, 7))
        axes = np.asarray(axes).ravel()
        t_us = self.t_s * 1e6
        a = axes[0]
        a.plot(t_us, self.moment_Am2, color="C0", label="moment m(t)")
        a.set_xlabel("time (µs)")
        a.set_ylabel("moment per particle (A m²)", color="C0")
        b = a.twinx()
        b.plot(t_us, self.H_A_per_m * MU_0 * 1e3, "--", color="C1", label="drive μ0H(t)")
        b.set_ylabel("drive field μ0H (mT)", color="C1")
        a.set_title(f"{self.f_Hz / 1e3:.4g} kHz, {self.amplitude_T * 1e3:.3g} mT"
                    + (f", offset {self.offset_T * 1e3:.3g} mT" if self.offset_T else "")
                    + (f", Debye τ = {self.tau_s:.3g} s" if self.tau_s else ""), fontsize=9)
        lines = a.get_lines() + b.get_lines()
        a.legend(lines, [ln.get_label() for ln in lines], fontsize=7, loc="lower left")
        a = axes[1]
        a.plot(t_us, self.voltage_V, color="C2",
               label=f"u = −S N dm/dt (S = {self.coil_sensitivity_T_per_A:g} T/A, N = {self.n_particles:g})")
        a.set_xlabel("time (µs)")
        a.set_ylabel("induced voltage (V)")
        a.legend(fontsize=7)
        a = axes[2]
        n = self.harmonic_numbers
        u = self.voltage_harmonics_V
        pos = u > 1e-12 * u.max() if u.size and u.max() > 0 else u > 0  # below: round-off, not signal
        odd = (n % 2 == 1) & pos
        even = (n % 2 == 0) & pos
        a.semilogy(n[odd], u[odd], "o", color="C3", label="odd harmonics")
        if np.any(even):
            a.semilogy(n[even], u[even], "s", mfc="none", color="C4", label="even harmonics")
        a.set_xlabel("harmonic number n (frequency n f)")
        a.set_ylabel("voltage amplitude |u_n| (V)")
        a.legend(fontsize=7)
        a.grid(alpha=0.3, which="both")
        a = axes[3]
        a.plot(self.psf_rising_H_A_per_m * MU_0 * 1e3, self.psf_rising_m3, color="C0", label="rising sweep")
        a.plot(self.psf_falling_H_A_per_m * MU_0 * 1e3, self.psf_falling_m3, "--", color="C1", label="falling sweep")
        a.set_xlabel("instantaneous field μ0H (mT)")
        a.set_ylabel("x-space PSF (dm/dt)/(dH/dt) (m³)")
        title = "x-space PSF"
        if self.psf_fwhm_A_per_m is not None:
            title += f": FWHM {self.psf_fwhm_A_per_m * MU_0 * 1e3:.3g} mT"
        if self.psf_peak_shift_A_per_m:
            title += f", delay ±{self.psf_peak_shift_A_per_m * MU_0 * 1e3:.3g} mT"
        a.set_title(title, fontsize=9, pad=12)
        a.legend(fontsize=7)
        a.figure.tight_layout()
        return axes


def _samples_for_langevin(ens, amplitude_A_per_m, n_harmonics):
    """Samples per period so that the aliasing error of the analytic Langevin response is < 1e-15."""
    xi = float(ens.k.max()) * amplitude_A_per_m
    # distance of the nearest pole of L(ξ cos θ) from the real θ axis
    width = math.asinh(math.pi / xi) if xi > 0 else 10.0
    n = max(1024, 4 * n_harmonics + 8, int(40.0 / width) + 1)
    return int(2 ** math.ceil(math.log2(n)))


def _periodic_resample(t_s, m, f_Hz, n):
    """m at t_k = k/(n f) from samples covering at least the last full period (linear interpolation)."""
    T = 1.0 / f_Hz
    t_end = t_s[-1]
    t_start = t_end - T
    tk = np.arange(n) / (n * f_Hz)
    shifted = t_start + np.mod(tk - t_start, T)
    return np.interp(shifted, t_s, m)


def mpi_signal(*, moment_Am2=None, T_K=T_BODY_K, weights=None, curve=None, t_s=None, m_Am2=None,
               f_Hz=F_DRIVE_HZ, amplitude_T=AMPLITUDE_T, offset_T=0.0, tau_s=0.0, n_samples=None, n_harmonics=25,
               coil_sensitivity_T_per_A=1.0, n_particles=1.0, iron_mass_kg=None):
    """MPI signal, harmonic spectrum and x-space PSF of particles under a sinusoidal drive.

    Give exactly one source of m(t):

    * ``moment_Am2`` (+ ``T_K``, ``weights``): ideal superparamagnets, m(H) = Σ w_i m_i L(μ0 m_i H/k_BT);
    * ``curve``: a callable m(H) (H in A/m → moment per particle in A m², vectorised), any equilibrium curve;
    * ``t_s``, ``m_Am2``: sampled dynamics (e.g. from a SAR model) in the field H(t) = H_off + H_d cos 2πft
      (t = 0 at a drive maximum), covering at least one drive period; the last period is used (linear
      interpolation onto ``n_samples`` points; default the next power of two ≥ the samples in it, ≥ 256).
      Exactly one period of N ≥ 64 equidistant samples t_k = t_0 + k/(Nf) (e.g. the step midpoints of
      :func:`atomspin.sar.landscape_loop`, t_k = (k + ½)/(Nf)) is taken as periodic and used without
      interpolation (its Fourier coefficients shifted by t_0).

    Parameters
    ----------
    f_Hz : float
        Drive frequency, Hz. Default 24.51 kHz.
    amplitude_T : float
        Drive amplitude μ0H_d, T (> 0). Default 12 mT.
    offset_T : float
        Static offset μ0H_off, T (a particle at x in a gradient G sees −G x).
    tau_s : float
        Debye relaxation time applied to m(t), s (≥ 0; 0 = none).
    n_samples : int, optional
        Samples per period (64 … 2**22); default: automatic for the Langevin source (aliasing < 1e-15),
        8192 for ``curve``.
    n_harmonics : int
        Harmonics reported (5 … n_samples/2 − 1). Default 25.
    coil_sensitivity_T_per_A : float
        Receive-coil sensitivity S = B/I, T/A (> 0). Default 1 (voltages per T/A).
    n_particles : float
        Number of particles N (> 0). Default 1.
    iron_mass_kg : float, optional
        Iron mass per particle, kg; adds harmonics per kg of Fe (the MPS normalisation).

    Returns
    -------
    MPISignalResult
    """
    f_Hz = check_positive("f_Hz", f_Hz, hi=1e9)
    amplitude_T = check_positive("amplitude_T", amplitude_T, hi=10.0)
    offset_T = check_real("offset_T", offset_T, -10.0, 10.0)
    tau_s = check_nonnegative("tau_s", tau_s)
    n_harmonics = check_int("n_harmonics", n_harmonics, 5, MAX_SAMPLES // 2 - 1)
    S = check_positive("coil_sensitivity_T_per_A", coil_sensitivity_T_per_A)
    N_p = check_positive("n_particles", n_particles)
    fe = None if iron_mass_kg is None else check_positive("iron_mass_kg", iron_mass_kg)
    given = [name for name, v in (("moment_Am2", moment_Am2), ("curve", curve), ("t_s/m_Am2", t_s))
             if v is not None]
    if m_Am2 is not None and t_s is None:
        raise ValueError("t_s: sampled moments m_Am2 need their times t_s (s)")
    if len(given) != 1:
        raise ValueError(f"moment_Am2, curve, t_s/m_Am2: give exactly one source of m(t), got {given or 'none'}")
    H_d = amplitude_T / MU_0
    H_off = offset_T / MU_0
    omega = 2.0 * math.pi * f_Hz
    notes = []
    if n_samples is not None:
        n_samples = check_int("n_samples", n_samples, 64, MAX_SAMPLES)
    if moment_Am2 is not None:
        ens = LangevinEnsemble(moment_Am2, T_K, weights)
        source = "langevin"
        N = n_samples or min(MAX_SAMPLES, _samples_for_langevin(ens, H_d + abs(H_off), n_harmonics))
        t = np.arange(N) / (N * f_Hz)
        m = ens.moment(H_off + H_d * np.cos(omega * t))
    elif curve is not None:
        if not callable(curve):
            raise ValueError(f"curve: {curve!r} is not callable; give a function m(H) (A/m → A m²)")
        source = "curve"
        N = n_samples or 8192
        t = np.arange(N) / (N * f_Hz)
        H = H_off + H_d * np.cos(omega * t)
        m = np.asarray(curve(H), dtype=np.float64)
        if m.shape != H.shape or not np.all(np.isfinite(m)):
            raise ValueError(f"curve: must return {H.shape[0]} finite moments (A m²) for {H.shape[0]} fields")
    else:
        source = "samples"
        ts = check_array("t_s", t_s, ndim=1)
        if m_Am2 is None:
            raise ValueError("m_Am2: sampled times t_s need their moments m_Am2 (A m²)")
        ms = check_array("m_Am2", m_Am2, ndim=1)
        if ts.shape != ms.shape or ts.size < 8:
            raise ValueError(f"t_s, m_Am2: need equal lengths ≥ 8, got {ts.size} and {ms.size}")
        if not np.all(np.diff(ts) > 0):
            raise ValueError("t_s: must be strictly increasing")
        n_ts = ts.size
        one_period = (n_ts >= 64 and n_samples is None
                      and abs((ts[-1] - ts[0]) * f_Hz - (n_ts - 1) / n_ts) <= 1e-9
                      and np.allclose(np.diff(ts), 1.0 / (n_ts * f_Hz), rtol=1e-9, atol=0.0))
        if one_period:  # exactly one period of equidistant samples: periodic, used as they are (no interpolation)
            N = n_ts
            t = np.arange(N) / (N * f_Hz)
            nu0 = np.fft.fftfreq(N, 1.0 / N)
            # samples at t_k = t_0 + k/(Nf): shift the coefficients to the grid t_k = k/(Nf)
            C0 = np.fft.fft(ms) / N * np.exp(-1j * nu0 * omega * ts[0])
            if N % 2 == 0:
                C0[N // 2] = C0[N // 2].real
            m = np.real(np.fft.ifft(C0) * N)
            notes.append(f"{N} equidistant samples over one period, used as periodic (Fourier shift to t = 0)")
        else:
            if ts[-1] - ts[0] < (1.0 - 1e-9) / f_Hz:
                raise ValueError(f"t_s: spans {ts[-1] - ts[0]:.4g} s, less than one drive period 1/f = "
                                 f"{1 / f_Hz:.4g} s (or give exactly one period of equidistant samples, ≥ 64)")
            in_last = int(np.sum(ts >= ts[-1] - 1.0 / f_Hz))
            N = n_samples or int(2 ** math.ceil(math.log2(max(256, in_last))))
            t = np.arange(N) / (N * f_Hz)
            m = _periodic_resample(ts, ms, f_Hz, N)
            notes.append(f"{in_last} samples in the last period, linearly interpolated onto {N}")
    if n_harmonics >= N // 2:
        raise ValueError(f"n_harmonics: {n_harmonics} is outside [5, {N // 2 - 1}] for {N} samples per period")
    nu = np.fft.fftfreq(N, 1.0 / N)  # integer harmonic index of each FFT bin
    C = np.fft.fft(m) / N
    if tau_s > 0:
        C = C / (1.0 + 1j * nu * omega * tau_s)
    dC = 1j * nu * omega * C
    if N % 2 == 0:
        dC[N // 2] = 0.0  # the Nyquist bin has no defined derivative
    m = np.real(np.fft.ifft(C) * N)
    dm = np.real(np.fft.ifft(dC) * N)
    H = H_off + H_d * np.cos(omega * t)
    n = np.arange(1, n_harmonics + 1)
    amp = 2.0 * np.abs(C[n])
    phase = np.angle(C[n])
    u_amp = S * N_p * n * omega * amp
    odd_sum, even_sum = u_amp[n % 2 == 1].sum(), u_amp[n % 2 == 0].sum()
    psf = _xspace_psf(C, omega, H_off, H_d, t, dm, notes)
    return MPISignalResult(
        t_s=t, H_A_per_m=H, moment_Am2=m, dm_dt_Am2_per_s=dm, voltage_V=-S * N_p * dm, harmonic_numbers=n,
        frequencies_Hz=n * f_Hz, moment_harmonics_Am2=amp, moment_harmonic_phases_rad=phase,
        voltage_harmonics_V=u_amp, moment_harmonics_Am2_per_kg_Fe=None if fe is None else amp / fe,
        harmonic3_moment_Am2=float(amp[2]), harmonic3_Am2_per_kg_Fe=None if fe is None else float(amp[2] / fe),
        harmonic3_voltage_V=float(u_amp[2]),
        harmonic5_to_3_ratio=float(u_amp[4] / u_amp[2]) if u_amp[2] > 0 else None,
        even_to_odd_ratio=float(even_sum / odd_sum) if odd_sum > 0 else None,
        **psf, f_Hz=f_Hz, amplitude_T=amplitude_T, offset_T=offset_T, tau_s=tau_s, coil_sensitivity_T_per_A=S,
        n_particles=N_p, source=source, notes=notes, _coefficients=C)


def _dm_dt_at(C, omega, t):
    """Spectral interpolant of dm/dt at the scalar time t."""
    N = C.size
    k = np.arange(1, (N + 1) // 2)
    return float(np.sum(2.0 * np.real(1j * k * omega * C[k] * np.exp(1j * k * omega * t))))


def _xspace_psf(C, omega, H_off, H_d, t, dm, notes):
    """Rising and falling x-space PSFs, the FWHM (rising) and the peak delay, from the Fourier coefficients."""
    th0 = math.acos(PSF_WINDOW)
    phase = omega * t
    vel = -H_d * omega * np.sin(phase)
    out = {}
    peaks = {}
    for name, lo, hi in (("rising", math.pi + th0, 2 * math.pi - th0), ("falling", th0, math.pi - th0)):
        sel = (phase >= lo) & (phase <= hi)
        psf = dm[sel] / vel[sel]
        Hs = H_off + H_d * np.cos(phase[sel])
        order = np.argsort(Hs)
        out[f"psf_{name}_H_A_per_m"], out[f"psf_{name}_m3"] = Hs[order], psf[order]
        ts = t[sel]

        def g(tt):
            return _dm_dt_at(C, omega, tt) / (-H_d * omega * math.sin(omega * tt))

        k = int(np.argmax(psf))
        if k in (0, psf.size - 1):
            peaks[name] = None
            continue
        res = minimize_scalar(lambda tt: -g(tt), bounds=(ts[k - 1], ts[k + 1]), method="bounded",
                              options={"xatol": 1e-14 / omega})
        tp, vmax = float(res.x), float(-res.fun)
        peaks[name] = (H_off + H_d * math.cos(omega * tp), tp, vmax, ts, psf)
    out["psf_fwhm_A_per_m"] = None
    out["psf_peak_shift_A_per_m"] = None
    r = peaks.get("rising")
    if r is not None:
        Hp, tp, vmax, ts, psf = r
        half = 0.5 * vmax
        kp = int(np.argmax(psf))
        below_l = np.nonzero(psf[:kp] < half)[0]
        below_r = np.nonzero(psf[kp:] < half)[0]
        if below_l.size and below_r.size:
            kl, kr = below_l[-1], kp + below_r[0]
            f = lambda tt: _dm_dt_at(C, omega, tt) / (-H_d * omega * math.sin(omega * tt)) - half  # noqa: E731
            tl = brentq(f, ts[kl], ts[kl + 1], xtol=1e-15 / omega)
            tr = brentq(f, ts[kr - 1], ts[kr], xtol=1e-15 / omega)
            out["psf_fwhm_A_per_m"] = abs(H_d * (math.cos(omega * tr) - math.cos(omega * tl)))
        else:
            notes.append("rising PSF: a half-maximum point lies outside the swept window (|cos ωt| ≤ 0.95)")
    else:
        notes.append("rising PSF: its peak lies outside the swept window (|cos ωt| ≤ 0.95)")
    if r is not None and peaks.get("falling") is not None:
        out["psf_peak_shift_A_per_m"] = 0.5 * (r[0] - peaks["falling"][0])
    return out
