"""MPI tracer performance of a measured particle: its own equilibrium curve and dynamics → harmonics and PSF.

The bridge from :class:`atomspin.sar.Particle` (uniaxial or with a measured anisotropy landscape) to the MPI
figures of merit of :mod:`atomspin.imaging.mpi` and :mod:`atomspin.imaging.mpi_signal`.

Equilibrium curve (:class:`EquilibriumCurve`)
---------------------------------------------
For a field H along the unit vector d (body frame) the equilibrium moment along d of a macrospin of volume V
and anisotropy energy density e(n̂) is the Boltzmann average over the sphere

    m(H) = Ms V ⟨x⟩,   ⟨g⟩ = ∫ g(n̂) exp(−V e(n̂)/k_BT + ξ x) dΩ / ∫ exp(−V e(n̂)/k_BT + ξ x) dΩ,

x = n̂·d, ξ = μ0 Ms V H/(k_BT). With the polar axis along d the azimuthal integral depends on x only,
A(x) = ∫ exp(−V e/k_BT) dφ, computed once per orientation (trapezoid rule in φ, spectrally exact for the
periodic integrand); the field enters only through e^{ξx}, so m(H) and the PSF dm/dH = Ms V (dξ/dH) Var(x)
(exact: d⟨x⟩/dξ = ⟨x²⟩ − ⟨x⟩²) are one-dimensional Gauss–Legendre sums in x for any number of fields.
Random orientations are the quadrature of :func:`atomspin.sar.heating.orientations` (uniaxial: midpoints in
cos ψ; a landscape: a Fibonacci set). Exact limits: e ≡ 0 gives the Langevin function; a uniaxial particle
along its axis gives ∫x e^{σx²+ξx}dx / ∫e^{σx²+ξx}dx (tests).

Dynamics (:func:`mpi_from_particle`)
------------------------------------
``method="master"``: the periodic steady state of the master equation over the minima of the particle's
landscape in H(t) = H_d cos ωt (:func:`atomspin.sar.landscape_loop`, valid for barriers ≥ 4 k_BT and
precessional switching fast on the drive period); its M(t) is the MPI signal — harmonics, x-space PSF with
the relaxation delay and broadening the particle's own rates produce.

``method="equilibrium"``: the equilibrium curve followed with a Debye lag of the particle's zero-field
relaxation time τ = 1/(1/τ_N + 1/τ_B) (τ_N = :func:`atomspin.sar.relaxation_time`, τ_B from the medium):
m_n → m_n/(1 + inωτ) and the PSF convolved with e^{−u/a}/a, a = τ × sweep rate (Croft, Goodwill &
Conolly 2012). Exact as ωτ → 0 at any amplitude (the adiabatic response); used for barriers < 4 k_BT, where
τ_N is a few Debye times τ_D (≲ 0.1 µs) and ωτ ≲ 1e-2 at MPI drive frequencies.

``method="auto"``: "master" where the smallest zero-field escape barrier of any minimum is ≥ 4 k_BT
(:data:`atomspin.sar.SIGMA_CROSSOVER`) and the particle is immobilised, "equilibrium" otherwise (refused
when ωτ > 0.3, where neither holds: there only stochastic LLG is valid, ~1e7 steps per drive period at kHz).

Per unit iron: the harmonic amplitudes are divided by the iron mass of one particle (``iron_mass_kg``,
e.g. counted from the atomistic structure; default stoichiometric magnetite of the particle's volume).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit

from atomspin.units import K_B, MU_0
from atomspin.validation import check_choice, check_int, check_positive, check_real, check_seed

from ._common import FE_DENSITY_MAGNETITE, M_FE_KG_PER_MOL, N_AVOGADRO, ImagingResult, jsonable
from ._relax import RelaxedPSF
from .mpi import AMPLITUDE_T, F_DRIVE_HZ, GRADIENT_T_PER_M, even_psf_fwhm, mpi_psf
from .mpi_signal import MPISignalResult, mpi_signal

N_POLAR_MIN = 64
"""Fewest Gauss–Legendre nodes in x = n̂·d of the equilibrium average. The count used is
n = N_POLAR_MIN + 1.5 ξ_max + 12 √σ_span (≤ 1024; ξ_max the largest Langevin argument the curve is built for,
σ_span = V (e_max − e_min)/k_BT): enough for e^{ξx} (Gauss–Legendre is exact to ~1e-15 once n > 1.4 ξ) and
for anisotropy peaks of width ~1/√(2σ) in x (derived; converged to < 1e-9 relative against twice the nodes,
tests/test_imaging_particle.py)."""
N_AZIMUTH = 128
"""Fewest trapezoid nodes in the azimuth of the equilibrium average. The count used is max(128, 16 √σ_span)
(≤ 4096): the trapezoid rule of a periodic integrand converges spectrally once its step is below ~0.7 of the
narrowest anisotropy peak, 1/√(2σ_span) rad (error ~ exp(−2π² (width/step)²) < 1e-16)."""
MAX_OMEGA_TAU = 0.3
"""Largest ωτ for which the Debye-lagged equilibrium response is used (the same bound as the SAR layer's
adiabatic regime, :data:`atomspin.sar.heating.ADIABATIC_OMEGA_TAU`: mixed terms O((ωτ)²ξ²) ≲ 9 %)."""


@njit(cache=True)
def _moments_one(xi, x, logw_o):
    """(⟨x⟩, Var x) under exp(xi x_j + logw_o[j]), max-shifted (no overflow at any ξ)."""
    top = -1e300
    for j in range(x.shape[0]):
        v = xi * x[j] + logw_o[j]
        if v > top:
            top = v
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    for j in range(x.shape[0]):
        p = math.exp(xi * x[j] + logw_o[j] - top)
        s0 += p
        s1 += p * x[j]
        s2 += p * x[j] * x[j]
    m1 = s1 / s0
    v2 = s2 / s0 - m1 * m1
    return m1, (v2 if v2 > 0.0 else 0.0)


@njit(cache=True)
def _boltzmann_moments(xi, x, logw, wts, mean, var):
    """mean[i], var[i] = Σ_o wts[o] (⟨x⟩, Var x) under the weights exp(xi[i] x_j + logw[o, j]).

    Fast path: exp(ξ(x_j − sgn ξ)) once per field times the precomputed exp(logw[o, j] − max_j logw[o]);
    where that product underflows (s0 < 1e-250) the max-shifted sum of :func:`_moments_one` is used.
    """
    no, nx = logw.shape
    W = np.empty((no, nx))
    for o in range(no):
        top = -1e300
        for j in range(nx):
            if logw[o, j] > top:
                top = logw[o, j]
        for j in range(nx):
            W[o, j] = math.exp(logw[o, j] - top)
    ex = np.empty(nx)
    for i in range(xi.shape[0]):
        sh = 1.0 if xi[i] >= 0.0 else -1.0
        for j in range(nx):
            ex[j] = math.exp(xi[i] * (x[j] - sh))
        a = 0.0
        b = 0.0
        for o in range(no):
            s0 = 0.0
            s1 = 0.0
            s2 = 0.0
            for j in range(nx):
                p = ex[j] * W[o, j]
                s0 += p
                s1 += p * x[j]
                s2 += p * x[j] * x[j]
            if s0 > 1e-250:
                m1 = s1 / s0
                v2 = s2 / s0 - m1 * m1
                if v2 < 0.0:
                    v2 = 0.0
            else:
                m1, v2 = _moments_one(xi[i], x, logw[o])
            a += wts[o] * m1
            b += wts[o] * v2
        mean[i] = a
        var[i] = b


class EquilibriumCurve:
    """Equilibrium moment m(H) (A m² per particle, along the field) of a :class:`atomspin.sar.Particle`.

    Parameters
    ----------
    particle : atomspin.sar.Particle
        Uniaxial or with a landscape; ``T_K`` > 0.
    axes : "random", "aligned" or (n, 3) array
        Field directions in the body frame (as :func:`atomspin.sar.landscape_loop`). Default "random".
    n_orientations : int
        Quadrature points for "random" (1 … 10⁴). Default 24.
    xi_max : float
        Largest Langevin argument μ0 Ms V |H|/k_BT the curve must be exact for (sets the node count;
        larger fields stay accurate while the moment is saturated). Default 40.
    """

    def __init__(self, particle, axes="random", n_orientations=24, xi_max=40.0):
        from atomspin.sar import Particle
        from atomspin.sar.heating import orientations
        from atomspin.sar.rates import anisotropy_surface, polynomial_of

        if not isinstance(particle, Particle):
            raise ValueError(f"particle: a {type(particle).__name__} is not an atomspin.sar.Particle")
        if not particle.T_K > 0:
            raise ValueError(f"particle: T_K = {particle.T_K} K; the equilibrium curve needs T_K > 0")
        n_orientations = check_int("n_orientations", n_orientations, 1, 10**4)
        xi_max = check_positive("xi_max", xi_max, hi=1e4)
        self.particle = particle
        self.dirs, self.w = orientations(particle, axes, n_orientations)
        self.moment_Am2 = particle.Ms_A_per_m * particle.volume_m3
        self.k = MU_0 * self.moment_Am2 / (K_B * particle.T_K)  # ξ per A/m
        self.scale_A_per_m = 1.0 / self.k
        surface = anisotropy_surface(particle)
        exps, coefs = polynomial_of(surface)  # the same surface as one polynomial: fast on many points

        def energy(n):
            return np.prod(n[:, None, :] ** exps[None, :, :], axis=2) @ coefs

        beta_V = particle.volume_m3 / (K_B * particle.T_K)
        from atomspin.macrospin import fibonacci_sphere

        g = fibonacci_sphere(4000)
        e_g = energy(g)
        self.sigma_span = float(beta_V * (e_g.max() - e_g.min()))
        self.n_polar = int(min(1024, N_POLAR_MIN + 1.5 * xi_max + 12.0 * math.sqrt(self.sigma_span)))
        x, gw = np.polynomial.legendre.leggauss(self.n_polar)
        self.x = x
        self.n_azimuth = int(min(4096, max(N_AZIMUTH, 8 * math.ceil(2.0 * math.sqrt(self.sigma_span)))))
        phi = 2.0 * np.pi * np.arange(self.n_azimuth) / self.n_azimuth
        s = np.sqrt(np.clip(1.0 - x**2, 0.0, None))
        logw = np.empty((len(self.dirs), self.n_polar))
        for i, d in enumerate(self.dirs):
            e1 = np.cross(d, [1.0, 0.0, 0.0] if abs(d[0]) < 0.9 else [0.0, 1.0, 0.0])
            e1 /= np.linalg.norm(e1)
            e2 = np.cross(d, e1)
            n = (x[:, None, None] * d[None, None, :]
                 + s[:, None, None] * (np.cos(phi)[None, :, None] * e1 + np.sin(phi)[None, :, None] * e2))
            e = energy(n.reshape(-1, 3)).reshape(self.n_polar, self.n_azimuth)
            z = -beta_V * (e - e.min())
            zmax = z.max(axis=1, keepdims=True)
            logw[i] = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1)) + np.log(gw)
        self.logw = np.ascontiguousarray(logw)

    def _moments(self, H):
        """(⟨x⟩, Var x) averaged over the orientations, for fields H (A/m)."""
        H = np.asarray(H, dtype=np.float64)
        xi = np.ascontiguousarray(self.k * H.ravel())
        mean = np.empty(xi.shape)
        var = np.empty(xi.shape)
        _boltzmann_moments(xi, self.x, self.logw, np.ascontiguousarray(self.w, dtype=np.float64), mean, var)
        return mean.reshape(H.shape), var.reshape(H.shape)

    def moment(self, H):
        """Equilibrium moment per particle along the field, A m² (H in A/m, any shape)."""
        return self.moment_Am2 * self._moments(H)[0]

    def psf(self, H):
        """Equilibrium PSF dm/dH per particle, m³ (exact: Ms V (dξ/dH) Var x)."""
        return self.moment_Am2 * self.k * self._moments(H)[1]

    def fwhm(self):
        """FWHM (A/m) of the equilibrium PSF (even and unimodal in H), exact root."""
        return even_psf_fwhm(self.psf, self.scale_A_per_m, 1e-13)


@dataclass
class MPIParticleResult(ImagingResult):
    """MPI tracer figures of merit of one particle type, from :func:`mpi_from_particle`.

    Attributes
    ----------
    signal : MPISignalResult of the particle's own response (dynamics or Debye-lagged equilibrium).
    langevin : MPISignalResult of the ideal Langevin tracer of the same moment Ms V (no anisotropy, no lag).
    method, reason : "master" or "equilibrium", and why.
    harmonic3_Am2, harmonic3_Am2_per_kg_Fe : |m_3| per particle and per kg of iron.
    harmonic3_langevin_Am2_per_kg_Fe : the same for the ideal Langevin tracer.
    harmonic5_to_3_ratio : |u_5|/|u_3| of the particle's signal.
    psf_H_A_per_m, psf_m3, psf_equilibrium_m3, psf_langevin_m3 : the PSF used for the FWHM (equilibrium
        method: the equilibrium PSF blurred by the Debye kernel; master: the rising-sweep x-space PSF of the
        signal), the particle's equilibrium PSF and the Langevin one at the same fields (m³ per particle).
    psf_fwhm_A_per_m, psf_fwhm_mT : FWHM of ``psf_m3`` (None when its half-maximum points are not swept);
    psf_fwhm_equilibrium_A_per_m : FWHM of the particle's equilibrium PSF;
    psf_fwhm_langevin_A_per_m : 4.1610 k_BT/(μ0 Ms V);
    psf_peak_shift_A_per_m : delay of the PSF peak along the sweep (0 without relaxation);
    resolution_mm : μ0 FWHM / gradient, mm.
    tau_N_s, tau_B_s, tau_s, omega_tau : relaxation times (zero field) and ωτ at the drive frequency.
    barrier_over_kT : smallest zero-field escape barrier of any minimum / k_BT (inf for a surface without
        saddles).
    iron_mass_kg, iron_mass_source : iron per particle and where it came from.
    f_Hz, amplitude_T, gradient_T_per_m, moment_Am2, T_K, medium.
    """

    signal: MPISignalResult
    langevin: MPISignalResult
    method: str
    reason: str
    harmonic3_Am2: float
    harmonic3_Am2_per_kg_Fe: float
    harmonic3_langevin_Am2_per_kg_Fe: float
    harmonic5_to_3_ratio: float | None
    psf_H_A_per_m: np.ndarray
    psf_m3: np.ndarray
    psf_equilibrium_m3: np.ndarray
    psf_langevin_m3: np.ndarray
    psf_fwhm_A_per_m: float | None
    psf_fwhm_mT: float | None
    psf_fwhm_equilibrium_A_per_m: float
    psf_fwhm_langevin_A_per_m: float
    psf_peak_shift_A_per_m: float | None
    resolution_mm: float | None
    tau_N_s: float
    tau_B_s: float
    tau_s: float
    omega_tau: float
    barrier_over_kT: float
    iron_mass_kg: float
    iron_mass_source: str
    f_Hz: float
    amplitude_T: float
    gradient_T_per_m: float
    moment_Am2: float
    T_K: float
    medium: str
    notes: list = field(default_factory=list)
    _summary_fields = ("harmonic3_Am2", "harmonic3_Am2_per_kg_Fe", "harmonic3_langevin_Am2_per_kg_Fe",
                       "harmonic5_to_3_ratio", "psf_fwhm_A_per_m", "psf_fwhm_mT", "psf_fwhm_equilibrium_A_per_m",
                       "psf_fwhm_langevin_A_per_m", "psf_peak_shift_A_per_m", "resolution_mm", "tau_s",
                       "omega_tau", "barrier_over_kT", "method")

    def to_dict(self) -> dict:
        out = {"type": type(self).__name__}
        for k, v in self.__dict__.items():
            if k.startswith("_"):
                continue
            out[k] = v.to_dict() if isinstance(v, MPISignalResult) else jsonable(v)
        return out

    def plot(self, axes=None, label=None):
        """Two panels: harmonic spectrum per kg Fe (with the Langevin tracer) and the PSF. Returns the axes."""
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(10, 3.8))
        a, b = np.asarray(axes).ravel()[:2]
        lab = label or f"{self.method}"
        n = self.signal.harmonic_numbers
        fe = self.iron_mass_kg
        for src, style, lb in ((self.signal, dict(marker="o", ls="-", ms=4), lab),
                               (self.langevin, dict(color="k", ls="--", lw=0.8), "ideal Langevin, same moment")):
            h = src.moment_harmonics_Am2
            keep = (n % 2 == 1) & (h > 1e-12 * h[0])  # below: round-off of the FFT, not signal
            a.semilogy(n[keep], h[keep] / fe, label=lb, **style)
        a.set_xlabel("harmonic number n (frequency n f)")
        a.set_ylabel("moment harmonic |m_n| per kg Fe (A m²/kg)")
        a.set_title(f"{self.f_Hz / 1e3:.4g} kHz, {self.amplitude_T * 1e3:.3g} mT drive", fontsize=9)
        a.grid(alpha=0.3, which="both")
        a.legend(fontsize=7)
        B = self.psf_H_A_per_m * MU_0 * 1e3
        b.plot(B, self.psf_m3 / fe, "-", label=lab + (f", FWHM {self.psf_fwhm_mT:.3g} mT"
                                                       if self.psf_fwhm_mT else ""))
        b.plot(B, self.psf_langevin_m3 / fe, "k--", lw=0.8, label="ideal Langevin, FWHM "
               f"{self.psf_fwhm_langevin_A_per_m * MU_0 * 1e3:.3g} mT")
        amp = self.amplitude_T * 1e3
        b.axvspan(-amp, amp, color="C2", alpha=0.12, lw=0, label=f"swept by the drive (±{amp:.3g} mT)")
        b.set_xlabel("drive field μ0H (mT)")
        b.set_ylabel("PSF dm/dH per kg Fe (m³/kg)")
        b.grid(alpha=0.3)
        b.legend(fontsize=7)
        b.figure.tight_layout()
        return a, b


def _iron_mass(particle, iron_mass_kg):
    if iron_mass_kg is not None:
        return check_positive("iron_mass_kg", iron_mass_kg), "argument"
    return (FE_DENSITY_MAGNETITE * particle.volume_m3 * M_FE_KG_PER_MOL / N_AVOGADRO,
            "stoichiometric magnetite of the magnetic volume (4.055e28 Fe/m³)")


def _barrier_over_kT(particle):
    from atomspin.sar.rates import check_landscape

    _, t = check_landscape(particle)
    if not t.nsad:
        return math.inf
    return float(np.min(t.barriers_J(particle.volume_m3))) / particle.kT_J


def mpi_from_particle(particle, *, f_Hz=F_DRIVE_HZ, amplitude_T=AMPLITUDE_T, offset_T=0.0, medium=None,
                      method="auto", axes="random", n_orientations=24, steps_per_cycle=512,
                      gradient_T_per_m=GRADIENT_T_PER_M, n_harmonics=25, iron_mass_kg=None, tau_N_s=None, seed=0):
    """Harmonic spectrum, PSF and relaxation blur of a particle as an MPI tracer, from its own physics.

    Parameters
    ----------
    particle : atomspin.sar.Particle
        Uniaxial or with a measured landscape (:func:`atomspin.sar.particle_from_measurements`); T_K > 0.
    f_Hz : float
        Drive frequency, Hz. Default 24.51 kHz (OpenMPIData 1-D sequence).
    amplitude_T : float
        Drive amplitude μ0H_d, T. Default 12 mT (OpenMPIData).
    offset_T : float
        Static offset μ0H_off, T (a position in the selection field; "equilibrium" method only). Default 0.
    medium : atomspin.sar.Medium, optional
        Immobilised (default) or a liquid (adds Brownian relaxation τ_B).
    method : {"auto", "master", "equilibrium"}
        See the module docstring.
    axes : "random", "aligned" or (n, 3)
        Field directions in the body frame. Default "random".
    n_orientations : int
        Orientation quadrature points. Default 24.
    steps_per_cycle : int
        Time steps per drive period of the master equation (even, 64 … 2**16). Default 512.
    gradient_T_per_m : float
        Selection-field gradient μ0G, T/m, for the resolution. Default 1 T/m (OpenMPIData).
    n_harmonics : int
        Harmonics reported. Default 25.
    iron_mass_kg : float, optional
        Iron mass of one particle, kg (e.g. Fe atoms of the structure × 55.845 u). Default: stoichiometric
        magnetite of the particle's volume.
    tau_N_s : float, optional
        Zero-field Néel time, s; default :func:`atomspin.sar.relaxation_time` of the particle.
    seed : int
        For the stochastic parts (Néel time by LLG for low landscape barriers; liquid master equation).

    Returns
    -------
    MPIParticleResult
    """
    from atomspin.sar import Medium, Particle, landscape_loop, relaxation_time
    from atomspin.sar.rates import SIGMA_CROSSOVER

    if not isinstance(particle, Particle):
        raise ValueError(f"particle: a {type(particle).__name__} is not an atomspin.sar.Particle")
    if not particle.T_K > 0:
        raise ValueError(f"particle: T_K = {particle.T_K} K; MPI of a thermal particle needs T_K > 0")
    f_Hz = check_positive("f_Hz", f_Hz, hi=1e9)
    amplitude_T = check_positive("amplitude_T", amplitude_T, hi=10.0)
    offset_T = check_real("offset_T", offset_T, -10.0, 10.0)
    method = check_choice("method", method, ("auto", "master", "equilibrium"))
    steps = check_int("steps_per_cycle", steps_per_cycle, 64, 2**16)
    steps += steps % 2
    gradient_T_per_m = check_positive("gradient_T_per_m", gradient_T_per_m, hi=1e3)
    seed = check_seed(seed)
    medium = Medium.solid() if medium is None else medium
    if not isinstance(medium, Medium):
        raise ValueError(f"medium: a {type(medium).__name__} is not an atomspin.sar.Medium")
    fe, fe_src = _iron_mass(particle, iron_mass_kg)
    notes = []
    sigma = _barrier_over_kT(particle)
    tauN = float(relaxation_time(particle, seed=seed)) if tau_N_s is None else check_positive("tau_N_s", tau_N_s)
    tauB = float(medium.brown_time_s(particle))
    tau = 1.0 / (1.0 / tauN + 1.0 / tauB)
    omega = 2.0 * math.pi * f_Hz
    wt = omega * tau
    if method == "auto":
        if sigma >= SIGMA_CROSSOVER and medium.immobilised:
            method, reason = "master", (f"smallest zero-field escape barrier of any minimum {sigma:.3g} k_BT ≥ "
                                        f"{SIGMA_CROSSOVER:g} k_BT: master equation over the minima (the particle's "
                                        "own Néel dynamics)")
        elif wt <= MAX_OMEGA_TAU:
            method, reason = "equilibrium", (f"barrier {sigma:.3g} k_BT, ωτ = {wt:.3g} ≤ {MAX_OMEGA_TAU:g}: "
                                             "equilibrium curve with the Debye lag of τ")
        else:
            raise ValueError(f"particle: barrier {sigma:.3g} k_BT with ωτ = {wt:.3g} > {MAX_OMEGA_TAU:g} "
                             f"{'in a liquid ' if not medium.immobilised else ''}: neither the master equation "
                             "nor the adiabatic response is valid; use atomspin.sar.llg_sar for M(t)")
    else:
        reason = f"forced: method={method!r}"
    if method == "master" and offset_T != 0.0:
        raise ValueError("offset_T: the master-equation path drives H_d cos ωt without an offset; use "
                         "method='equilibrium' or offset_T=0")
    H_d = amplitude_T / MU_0
    k = MU_0 * particle.Ms_A_per_m * particle.volume_m3 / particle.kT_J
    curve = EquilibriumCurve(particle, axes, n_orientations, xi_max=max(40.0, k * (H_d + abs(offset_T) / MU_0)))
    v = omega * H_d  # sweep rate at the field-free point
    m0 = particle.Ms_A_per_m * particle.volume_m3
    common = dict(f_Hz=f_Hz, amplitude_T=amplitude_T, n_harmonics=n_harmonics, iron_mass_kg=fe)
    lang = mpi_signal(moment_Am2=m0, T_K=particle.T_K, offset_T=offset_T, **common)
    fwhm_eq = curve.fwhm()
    psf_l = mpi_psf(m0, particle.T_K, gradient_T_per_m=gradient_T_per_m)
    fwhm_l = psf_l.fwhm_A_per_m
    if method == "master":
        loop = landscape_loop(particle, f_Hz, H_d, medium, axes, n_orientations, steps, 0, seed=seed,
                              allow_nonclinical=True)
        N = len(loop.M_over_Ms)
        t = (np.arange(N) + 0.5) / (N * f_Hz)
        sig = mpi_signal(t_s=t, m_Am2=np.asarray(loop.M_over_Ms) * m0, **common)
        notes += [f"master equation: {N} steps per period, periodic steady state"]
        H_psf = sig.psf_rising_H_A_per_m
        psf = sig.psf_rising_m3
        fwhm = sig.psf_fwhm_A_per_m
        shift = sig.psf_peak_shift_A_per_m
        if fwhm is None:
            notes.append("x-space PSF: half maximum outside the swept window (|cos ωt| ≤ 0.95); FWHM not given")
    else:
        sig = mpi_signal(curve=curve.moment, offset_T=offset_T, tau_s=tau, **common)
        a = tau * v
        H_psf = np.linspace(-4.0 * fwhm_eq, 4.0 * fwhm_eq + 6.0 * a, 241)  # the tracer's PSF, not the window
        if a > 0:
            rel = RelaxedPSF(curve.psf, a, curve.scale_A_per_m, H_psf.min(), H_psf.max(), required=H_psf)
            psf = rel.values(H_psf)
            fwhm, _, _ = rel.fwhm()
            shift, _ = rel.peak()
        else:
            psf, fwhm, shift = curve.psf(H_psf), fwhm_eq, 0.0
    psf_eq = curve.psf(H_psf)
    psf_lang = _langevin_psf(m0, particle.T_K, H_psf)
    h3 = float(sig.moment_harmonics_Am2[2])
    return MPIParticleResult(
        signal=sig, langevin=lang, method=method, reason=reason, harmonic3_Am2=h3, harmonic3_Am2_per_kg_Fe=h3 / fe,
        harmonic3_langevin_Am2_per_kg_Fe=float(lang.moment_harmonics_Am2[2]) / fe,
        harmonic5_to_3_ratio=sig.harmonic5_to_3_ratio, psf_H_A_per_m=H_psf, psf_m3=psf, psf_equilibrium_m3=psf_eq,
        psf_langevin_m3=psf_lang, psf_fwhm_A_per_m=fwhm, psf_fwhm_mT=None if fwhm is None else fwhm * MU_0 * 1e3,
        psf_fwhm_equilibrium_A_per_m=fwhm_eq, psf_fwhm_langevin_A_per_m=fwhm_l, psf_peak_shift_A_per_m=shift,
        resolution_mm=None if fwhm is None else MU_0 * fwhm / gradient_T_per_m * 1e3, tau_N_s=tauN, tau_B_s=tauB,
        tau_s=tau, omega_tau=wt, barrier_over_kT=sigma, iron_mass_kg=fe, iron_mass_source=fe_src, f_Hz=f_Hz,
        amplitude_T=amplitude_T, gradient_T_per_m=gradient_T_per_m, moment_Am2=m0, T_K=particle.T_K,
        medium=medium.name, notes=notes + list(sig.notes))


def _langevin_psf(m, T, H):
    from .mpi import LangevinEnsemble

    return LangevinEnsemble(m, T).psf(H)


__all__ = ["EquilibriumCurve", "MPIParticleResult", "mpi_from_particle"]
