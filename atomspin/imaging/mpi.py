"""Magnetic particle imaging (MPI) figures of merit: signal, harmonic spectrum, point-spread function.

Conventions (SI; H in A/m, μ0H in tesla where a name ends in ``_T``)
--------------------------------------------------------------------
* Drive along one axis: H(t) = H_off + H_d cos(2πft), H_d = ``amplitude_T``/μ0, H_off = ``offset_T``/μ0.
  A particle at position x in a selection-field gradient G (``gradient_T_per_m`` = μ0 dH/dx) sees the
  offset −G x/μ0: an offset stands for a position.
* Receive coil: by reciprocity a coil that makes the flux density S = B/I (T/A, ``coil_sensitivity_T_per_A``)
  per unit current, homogeneous over the sample and along the drive, picks up the voltage
  u(t) = −S d(N m)/dt for N particles of moment m(t) along the drive (Faraday's law). The default S = 1 T/A
  and N = 1 make u the voltage per particle per T/A of coil sensitivity.
* Harmonics: m(t) = Σ_n |m_n| cos(nωt + φ_n); the voltage harmonic is |u_n| = S N n ω |m_n|.
* Point-spread function (x-space, Goodwill & Conolly, IEEE Trans. Med. Imaging 29, 1851 (2010)): the
  signal divided by the drive velocity, s/(dH/dt) = dm/dH, as a function of the instantaneous field H(t);
  in the ideal (equilibrium) limit it is m ξ'(H) L'(ξ), ξ = μ0 m H/(k_BT), whose full width at half
  maximum is 4.161 k_BT/(μ0 m); the image resolution is Δx = μ0 FWHM_H / (μ0 G).
* Relaxation (Croft, Goodwill & Conolly, IEEE Trans. Med. Imaging 31, 2335 (2012)): a Debye moment lags its
  equilibrium value, τ dm/dt = m_eq(H(t)) − m, i.e. m = m_eq ⊛ e^{−t/τ}/τ (periodic steady state:
  m_n → m_n/(1 + inωτ)); along a ramp of rate v the PSF is convolved with e^{−u/a}/a, a = τv (A/m),
  which delays (shifts) and broadens it.

Any other particle dynamics enters as sampled m(t) (``t_s``, ``m_Am2``) or an equilibrium curve m(H)
(``curve``); the Debye lag can be added on top of either.

Default drive: 2.5 MHz/102 = 24.51 kHz, 12 mT, gradient 1 T/m along the drive — the 1-D sequence of the
OpenMPIData sets (Bruker preclinical scanner; Knopp et al., OpenMPIData documentation, "sequences").
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from atomspin.units import MU_0
from atomspin.validation import check_array, check_nonnegative, check_positive

from ._common import ImagingResult, langevin, langevin_derivative, new_axes, xi_per_A_per_m
from ._relax import RelaxedPSF

F_DRIVE_HZ = 2.5e6 / 102
"""Drive frequency, Hz: 2.5 MHz/102 = 24.51 kHz, x channel of the OpenMPIData sequences (Bruker scanner)."""

AMPLITUDE_T = 12e-3
"""Drive amplitude μ0H_d, T: 12 mT (OpenMPIData 1-D sequence)."""

GRADIENT_T_PER_M = 1.0
"""Selection-field gradient along the drive axis, T/m: 1.0 T/m (OpenMPIData, x axis)."""

T_BODY_K = 310.0
"""Temperature, K: body temperature (37 °C)."""

PSF_WINDOW = 0.95
"""The x-space PSF is read where |cos ωt| ≤ 0.95, i.e. where the drive moves at ≥ 31 % of its peak speed
(near the turning points the velocity vanishes and s/(dH/dt) is ill-conditioned)."""


def _langevin_half_width():
    """ξ at which L'(ξ) = L'(0)/2 = 1/6 (exact root; FWHM = 2 ξ_½ k_BT/(μ0 m))."""
    return brentq(lambda x: float(langevin_derivative(np.array([x]))[0]) - 1.0 / 6.0, 1.0, 4.0, xtol=1e-15)


LANGEVIN_FWHM_XI = 2.0 * _langevin_half_width()
"""Full width at half maximum of L'(ξ): 4.1610 (exact root of L'(ξ) = 1/6, doubled)."""


# ---------------------------------------------------------------- the ideal (Langevin) ensemble
def _ensemble(moment_Am2, weights):
    # from one Bohr magneton (9.27e-24 A m²) to a 1.5 µm magnetite sphere (1e-12 A m²): beyond, nothing is a
    # superparamagnet and the Langevin arithmetic under- or overflows
    m = check_array("moment_Am2", moment_Am2, positive=True, nonempty=True, lo=9.27e-24, hi=1e-12).ravel()
    if weights is None:
        w = np.full(m.shape, 1.0 / m.size)
    else:
        w = check_array("weights", weights, nonnegative=True).ravel()
        if w.shape != m.shape:
            raise ValueError(f"weights: shape {w.shape} does not match moment_Am2 {m.shape}")
        if not w.sum() > 0:
            raise ValueError("weights: all zero; give at least one positive number fraction")
        w = w / w.sum()
    return m, w


class LangevinEnsemble:
    """Ideal superparamagnets: m(H) = Σ w_i m_i L(μ0 m_i H/k_BT) per particle (A m²), number fractions w_i."""

    def __init__(self, moment_Am2, T_K, weights=None):
        self.T_K = check_positive("T_K", T_K)
        self.m, self.w = _ensemble(moment_Am2, weights)
        self.k = xi_per_A_per_m(self.m, self.T_K)
        self.scale_A_per_m = float(1.0 / self.k.max())  # field scale of the narrowest component

    def moment(self, H):
        H = np.asarray(H, dtype=np.float64)
        return (langevin(H.reshape(-1, 1) * self.k) @ (self.w * self.m)).reshape(H.shape)

    def psf(self, H):
        """dm/dH per particle, m³ (A m² per A/m)."""
        H = np.asarray(H, dtype=np.float64)
        return (langevin_derivative(H.reshape(-1, 1) * self.k) @ (self.w * self.m * self.k)).reshape(H.shape)

    def fwhm(self):
        """Exact FWHM (A/m) of the even, unimodal equilibrium PSF."""
        return even_psf_fwhm(self.psf, self.scale_A_per_m, 1e-14)


def even_psf_fwhm(psf, scale_A_per_m, xtol_rel):
    """Full width at half maximum (A/m) of an even PSF with its maximum at H = 0, decreasing in |H|: twice the
    root of psf(H) = psf(0)/2 (brentq to ``xtol_rel`` of the bracket, bracket doubled from ``scale_A_per_m``)."""
    half = 0.5 * float(psf(np.array([0.0]))[0])
    hi = scale_A_per_m
    while float(psf(np.array([hi]))[0]) > half:
        hi *= 2.0
    return 2.0 * brentq(lambda x: float(psf(np.array([x]))[0]) - half, 0.0, hi, xtol=xtol_rel * hi)


# ---------------------------------------------------------------- point-spread function
@dataclass
class MPIPSFResult(ImagingResult):
    """Point-spread function dm/dH of an MPI tracer along the drive, from :func:`mpi_psf`.

    Attributes
    ----------
    H_A_per_m : (n,) fields at which the PSF is given, A/m.
    psf_m3 : (n,) dm/dH per particle, m³ (A m² per A/m): the relaxed PSF for a positive sweep when
        ``tau_s`` > 0, otherwise the equilibrium (Langevin) one.
    psf_langevin_m3 : (n,) the equilibrium PSF.
    fwhm_A_per_m, fwhm_mT : full width at half maximum of ``psf_m3`` (H in A/m; μ0H in mT).
    fwhm_langevin_A_per_m : FWHM of the equilibrium PSF (4.1610 k_BT/(μ0 m) for one size).
    peak_shift_A_per_m : field of the PSF maximum (0 at equilibrium; > 0: delay along the sweep).
    fwhm_ratio : fwhm_A_per_m / fwhm_langevin_A_per_m (relaxation broadening; 1 at equilibrium).
    resolution_m, resolution_langevin_m : Δx = μ0 FWHM / gradient, m.
    lag_A_per_m : a = τ × sweep rate, the width of the exponential blur kernel (0 without relaxation).
    tau_s, sweep_rate_A_per_m_per_s, gradient_T_per_m, T_K, moment_Am2, weights.
    method : how the relaxed PSF was computed ("equilibrium", "gauss-laguerre", "exponential-integrator").
    """

    H_A_per_m: np.ndarray
    psf_m3: np.ndarray
    psf_langevin_m3: np.ndarray
    fwhm_A_per_m: float
    fwhm_mT: float
    fwhm_langevin_A_per_m: float
    peak_shift_A_per_m: float
    fwhm_ratio: float
    resolution_m: float
    resolution_langevin_m: float
    lag_A_per_m: float
    tau_s: float
    sweep_rate_A_per_m_per_s: float
    gradient_T_per_m: float
    T_K: float
    moment_Am2: np.ndarray
    weights: np.ndarray
    method: str
    _summary_fields = ("fwhm_A_per_m", "fwhm_mT", "fwhm_langevin_A_per_m", "peak_shift_A_per_m", "fwhm_ratio",
                       "resolution_m", "lag_A_per_m", "tau_s", "gradient_T_per_m")

    def plot(self, ax=None):
        """PSF (normalised to the equilibrium peak) against μ0H in mT, with the FWHM marked. Returns the Axes."""
        ax = new_axes(ax)
        B = self.H_A_per_m * MU_0 * 1e3
        norm = float(np.max(self.psf_langevin_m3)) if np.max(self.psf_langevin_m3) > 0 else 1.0
        ax.plot(B, self.psf_langevin_m3 / norm, "--", color="0.4",
                label=f"equilibrium (Langevin), FWHM {self.fwhm_langevin_A_per_m * MU_0 * 1e3:.3g} mT")
        if self.tau_s > 0:
            ax.plot(B, self.psf_m3 / norm, "-", color="C0",
                    label=f"Debye τ = {self.tau_s:.3g} s, FWHM {self.fwhm_mT:.3g} mT, "
                          f"peak +{self.peak_shift_A_per_m * MU_0 * 1e3:.3g} mT")
        ax.set_xlabel("drive field μ0H (mT)")
        ax.set_ylabel("PSF dm/dH (normalised to equilibrium peak)")
        ax.set_title(f"MPI point-spread function: Δx = {self.resolution_m * 1e3:.3g} mm at "
                     f"{self.gradient_T_per_m:g} T/m", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(alpha=0.3)
        return ax


def mpi_psf(moment_Am2, T_K=T_BODY_K, H_A_per_m=None, *, weights=None, tau_s=0.0, f_Hz=F_DRIVE_HZ,
            amplitude_T=AMPLITUDE_T, sweep_rate_A_per_m_per_s=None, gradient_T_per_m=GRADIENT_T_PER_M):
    """MPI point-spread function dm/dH of ideal superparamagnets, with optional Debye relaxation blur.

    Parameters
    ----------
    moment_Am2 : float or array
        Particle moment m = Ms V, A m² (> 0); an array is an ensemble (number fractions ``weights``).
    T_K : float
        Temperature, K (> 0). Default 310 K.
    H_A_per_m : array, optional
        Fields at which the PSF is returned, A/m (1-D, finite). Default: 801 points from −6 to +6 FWHM
        (+ 6 lags a = τ × sweep rate).
    weights : array, optional
        Number fractions of the ensemble members (≥ 0, normalised here).
    tau_s : float
        Debye relaxation time, s (≥ 0; 0 = equilibrium). Use e.g. :func:`atomspin.sar.neel_time`,
        :func:`atomspin.sar.brown_time` and :func:`atomspin.sar.effective_time`.
    f_Hz, amplitude_T : float
        Drive frequency (Hz) and amplitude μ0H_d (T); they set the default sweep rate 2πf H_d, the speed
        of the drive as it passes the field-free point.
    sweep_rate_A_per_m_per_s : float, optional
        Sweep rate dH/dt of the (positive) scan, A m⁻¹ s⁻¹; overrides the drive's.
    gradient_T_per_m : float
        Selection-field gradient μ0G, T/m (> 0), for the resolution Δx = μ0 FWHM/(μ0G).

    Returns
    -------
    MPIPSFResult
    """
    ens = LangevinEnsemble(moment_Am2, T_K, weights)
    tau_s = check_nonnegative("tau_s", tau_s, hi=1.0)  # 1 s: 25000 drive periods, no signal is left
    f_Hz = check_positive("f_Hz", f_Hz, hi=1e9)
    amplitude_T = check_positive("amplitude_T", amplitude_T, hi=10.0)
    gradient_T_per_m = check_positive("gradient_T_per_m", gradient_T_per_m, hi=1e3)
    if sweep_rate_A_per_m_per_s is None:
        v = 2.0 * math.pi * f_Hz * amplitude_T / MU_0
    else:
        v = check_positive("sweep_rate_A_per_m_per_s", sweep_rate_A_per_m_per_s)
    fwhm_eq = ens.fwhm()
    a = tau_s * v
    if H_A_per_m is None:
        H = np.linspace(-6.0 * fwhm_eq, 6.0 * fwhm_eq + 6.0 * a, 801)
    else:
        H = check_array("H_A_per_m", H_A_per_m, nonempty=True)
        if H.ndim > 1:
            raise ValueError(f"H_A_per_m: expected a 1-D array, got shape {H.shape}")
        H = H.ravel()
    psf_eq = ens.psf(H)
    if a == 0.0:
        psf, fwhm, shift, method = psf_eq, fwhm_eq, 0.0, "equilibrium"
    else:
        rel = RelaxedPSF(ens.psf, a, ens.scale_A_per_m, H.min(), H.max(), required=H)
        psf = rel.values(H)
        fwhm, _, _ = rel.fwhm()
        shift, _ = rel.peak()
        method = "gauss-laguerre" if rel.quadrature else "exponential-integrator"
    res_m = MU_0 * fwhm / gradient_T_per_m
    return MPIPSFResult(H_A_per_m=H, psf_m3=psf, psf_langevin_m3=psf_eq, fwhm_A_per_m=fwhm,
                        fwhm_mT=fwhm * MU_0 * 1e3, fwhm_langevin_A_per_m=fwhm_eq, peak_shift_A_per_m=shift,
                        fwhm_ratio=fwhm / fwhm_eq, resolution_m=res_m,
                        resolution_langevin_m=MU_0 * fwhm_eq / gradient_T_per_m, lag_A_per_m=a, tau_s=tau_s,
                        sweep_rate_A_per_m_per_s=v, gradient_T_per_m=gradient_T_per_m, T_K=ens.T_K,
                        moment_Am2=ens.m, weights=ens.w, method=method)
