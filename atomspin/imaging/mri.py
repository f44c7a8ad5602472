"""MRI transverse relaxivity r2, r2* of magnetic nanoparticles (outer-sphere theory and its regimes).

Model (SI). A particle of moment m (A m², = Ms × its magnetic volume) magnetised along B0 to
m_z = m L(m B0/k_BT) is an impermeable sphere of radius r (the distance of closest approach of water:
magnetic radius + water-impermeable coating) in water of relative translational diffusion coefficient
D = D_water(T) + k_BT/(3πη d_hydro) (water and particle both diffuse; Stokes–Einstein for the particle).
Outside it the dipole field shifts the proton frequency by Δω(r') = Δω (r/r')³ (3cos²θ − 1) with

    Δω = γ_p μ0 m_z / (4π r³)            equatorial shift at the surface (= γ μ0 M/3 for a bare sphere)
    τ_D = r²/D                           diffusion time past the sphere
    f = n (4π/3) r³                      volume fraction of the spheres, n particles per m³

Regimes (Δω τ_D decides; Brooks, Moiny & Gillis, Magn. Reson. Med. 45, 1014 (2001)):

* motional averaging (outer-sphere, Gillis & Koenig, Magn. Reson. Med. 5, 323 (1987)):
  R2 = R2* = (16/45) f τ_D Δω²  [= (4/9) f τ_D Δω_r² with the rms surface shift Δω_r = (2/√5) Δω];
* static dephasing (Yablonskiy & Haacke, Magn. Reson. Med. 32, 749 (1994)):
  R2* = (2π/(3√3)) f Δω, independent of r and D;
* echo-limited / partial refocusing (Gillis, Moiny & Brooks, Magn. Reson. Med. 47, 257 (2002)), spin echo
  with half echo spacing τ_CP = TE/2 for strongly magnetised spheres (x = Δω_r τ_CP > 1):
  R2 = 1.8 (f/τ_D) x^{1/3} (1.52 + f x)^{5/3}.

Both coefficients 16/45 and 2π/(3√3) are re-derived in the tests from the theory itself (the zero-frequency
outer-sphere correlation integral of the dipole field around a reflecting sphere; the long-time static
dephasing integral of randomly placed dipoles). The partial-refocusing constants 1.8 and 1.52 and the form
above are as published by Gillis et al. (2002), who define Δω_r as the rms surface shift and τ_CP as half the
echo spacing (confirmed from the paper's text); the constants themselves could not be re-checked here and
are flagged in every result that uses them.

r2* follows the motional-averaging law up to Δωτ_D = x_c = (2π/(3√3))(45/16) = 3.40, where the two closed
forms meet, and the static-dephasing law beyond (the maximum, a plateau, is reached at x_c). The spin-echo
r2 follows r2* (the echo cannot refocus motional narrowing) and, beyond x_c, the smaller of the static
dephasing and partial-refocusing rates: r2 falls again for large particles. Relaxivities are R/[Fe] in
s⁻¹ mM⁻¹ (1 mM = 1 mol m⁻³ of iron). Inner-sphere (chemical exchange) contributions are not included.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from atomspin.sar import VISCOSITY_WATER_37C
from atomspin.units import K_B, MU_0
from atomspin.validation import check_array, check_nonnegative, check_positive

from ._common import (FE_DENSITY_MAGNETITE, GAMMA_PROTON, N_AVOGADRO, ImagingResult, langevin, new_axes,
                      sphere_volume, water_self_diffusion)

B0_T = 1.5
"""Static field, T: the common clinical 1.5 T (r2 depends on it only through the Langevin m_z)."""

ECHO_TIME_S = 10e-3
"""Spin-echo time TE, s: 10 ms, a typical multi-echo CPMG spacing for T2 mapping (a choice, not a
literature constant); τ_CP = TE/2. It matters only in the partial-refocusing regime."""

FE_MM = 1.0
"""Iron concentration, mM, at which the (concentration-dependent) partial-refocusing law is evaluated; the
motional-averaging and static-dephasing relaxivities do not depend on it."""

MAR_COEFFICIENT = 16.0 / 45.0
SDR_COEFFICIENT = 2.0 * math.pi / (3.0 * math.sqrt(3.0))
X_CROSSOVER = SDR_COEFFICIENT / MAR_COEFFICIENT
"""Δω τ_D = 3.40 at which (16/45) x = 2π/(3√3): the motional-averaging and static-dephasing laws meet."""
PRM_A = 1.8
PRM_B = 1.52
RMS_OVER_EQUATORIAL = 2.0 / math.sqrt(5.0)
"""Δω_r/Δω: rms of (3cos²θ − 1) over the sphere surface, √(4/5)."""
PRM_NOTE = ("partial-refocusing law of Gillis, Moiny & Brooks (2002): constants 1.8 and 1.52 as published, "
            "not re-checked here")


# ---------------------------------------------------------------- the closed forms
def r2_motional_averaging(volume_fraction, tau_D_s, delta_omega_rad_per_s):
    """R2 = R2* = (16/45) f τ_D Δω² in s⁻¹ (Gillis & Koenig 1987; Brooks et al. 2001), arrays broadcast.

    Parameters
    ----------
    volume_fraction : float or array
        f, volume fraction of the impermeable spheres (> 0).
    tau_D_s : float or array
        τ_D = r²/D, s (> 0).
    delta_omega_rad_per_s : float or array
        Equatorial frequency shift at the sphere surface, rad/s (> 0).
    """
    f = check_array("volume_fraction", volume_fraction, positive=True)
    t = check_array("tau_D_s", tau_D_s, positive=True)
    w = check_array("delta_omega_rad_per_s", delta_omega_rad_per_s, positive=True)
    return MAR_COEFFICIENT * f * t * w**2


def r2star_static_dephasing(volume_fraction, delta_omega_rad_per_s):
    """R2* = (2π/(3√3)) f Δω in s⁻¹ (Yablonskiy & Haacke 1994, spheres), arrays broadcast."""
    f = check_array("volume_fraction", volume_fraction, positive=True)
    w = check_array("delta_omega_rad_per_s", delta_omega_rad_per_s, positive=True)
    return SDR_COEFFICIENT * f * w


def r2_partial_refocusing(volume_fraction, tau_D_s, delta_omega_rad_per_s, tau_CP_s):
    """Spin-echo R2 = 1.8 (f/τ_D) x^{1/3} (1.52 + f x)^{5/3}, x = Δω_r τ_CP, in s⁻¹ (Gillis et al. 2002).

    ``delta_omega_rad_per_s`` is the equatorial shift Δω; the law uses the rms surface shift
    Δω_r = (2/√5) Δω. ``tau_CP_s`` is half the echo spacing (s). Valid for x > 1 (strongly magnetised).
    """
    f = check_array("volume_fraction", volume_fraction, positive=True)
    t = check_array("tau_D_s", tau_D_s, positive=True)
    w = check_array("delta_omega_rad_per_s", delta_omega_rad_per_s, positive=True)
    tcp = check_array("tau_CP_s", tau_CP_s, positive=True)
    x = RMS_OVER_EQUATORIAL * w * tcp
    return PRM_A * f / t * np.cbrt(x) * (PRM_B + f * x) ** (5.0 / 3.0)


# ---------------------------------------------------------------- one particle
def _particle(Ms, d, coating, d_hydro, B0, T, fe_per_particle, D_water, eta):
    """Derived quantities (arrays broadcast over d)."""
    V = sphere_volume(d)
    m = Ms * V
    m_z = m * langevin(m * B0 / (K_B * T))
    r = 0.5 * d + coating
    dh = 2.0 * r if d_hydro is None else np.broadcast_to(d_hydro, r.shape).astype(float)
    n_fe = FE_DENSITY_MAGNETITE * V if fe_per_particle is None else fe_per_particle * np.ones_like(V)
    D = D_water + K_B * T / (3.0 * math.pi * eta * dh)
    delta_omega = GAMMA_PROTON * MU_0 * m_z / (4.0 * math.pi * r**3)
    tau_D = r**2 / D
    n_per_mM = N_AVOGADRO / n_fe  # particles per m³ at 1 mol m⁻³ of Fe
    f_per_mM = n_per_mM * 4.0 * math.pi / 3.0 * r**3
    return dict(V=V, m=m, m_z=m_z, r=r, dh=dh, n_fe=n_fe, D=D, delta_omega=delta_omega, tau_D=tau_D,
                f_per_mM=f_per_mM)


def _rates(p, fe_mM, tau_CP):
    """R2*, R2 (s⁻¹) and their regimes for derived quantities ``p`` at ``fe_mM``."""
    f = p["f_per_mM"] * fe_mM
    x = p["delta_omega"] * p["tau_D"]
    mar = MAR_COEFFICIENT * f * p["tau_D"] * p["delta_omega"] ** 2
    sdr = SDR_COEFFICIENT * f * p["delta_omega"]
    prm = r2_partial_refocusing(f, p["tau_D"], p["delta_omega"], tau_CP)
    strong = RMS_OVER_EQUATORIAL * p["delta_omega"] * tau_CP > 1.0
    in_mar = x < X_CROSSOVER
    r2star = np.where(in_mar, mar, sdr)
    use_prm = ~in_mar & strong & (prm < sdr)
    r2 = np.where(in_mar, mar, np.where(use_prm, prm, sdr))
    regime_star = np.where(in_mar, "motional averaging", "static dephasing")
    regime = np.where(in_mar, "motional averaging", np.where(use_prm, "partial refocusing", "static dephasing"))
    return dict(x=x, f=f, mar=mar, sdr=sdr, prm=prm, r2star=r2star, r2=r2, regime_star=regime_star,
                regime=regime)


def _validate(Ms_A_per_m, coating_m, d_hydro_m, B0_T, T_K, echo_time_s, fe_mM, fe_per_particle, D_water_m2_per_s,
              viscosity_Pa_s):
    Ms = check_positive("Ms_A_per_m", Ms_A_per_m, hi=1e7)
    coating = check_nonnegative("coating_m", coating_m, hi=1e-5)
    B0 = check_positive("B0_T", B0_T, hi=30.0)
    T = check_positive("T_K", T_K, hi=1e4)
    te = check_positive("echo_time_s", echo_time_s, hi=10.0)
    fe_mM = check_positive("fe_mM", fe_mM, hi=1e4)
    fpp = None if fe_per_particle is None else check_positive("fe_per_particle", fe_per_particle)
    D_w = water_self_diffusion(T) if D_water_m2_per_s is None else check_positive("D_water_m2_per_s",
                                                                                  D_water_m2_per_s, hi=1e-6)
    eta = check_positive("viscosity_Pa_s", viscosity_Pa_s, hi=1e3)
    dh = None if d_hydro_m is None else check_positive("d_hydro_m", d_hydro_m, hi=1e-3)
    return Ms, coating, dh, B0, T, te, fe_mM, fpp, D_w, eta


@dataclass
class RelaxivityResult(ImagingResult):
    """Transverse relaxivities of one particle type, from :func:`mri_relaxivity`.

    Attributes
    ----------
    r2_per_mM_per_s, r2star_per_mM_per_s : spin-echo and free-induction relaxivities, s⁻¹ mM⁻¹ of Fe.
    regime_r2, regime_r2star : "motional averaging", "static dephasing" or "partial refocusing".
    r2_motional_averaging_per_mM_per_s, r2star_static_dephasing_per_mM_per_s,
    r2_partial_refocusing_per_mM_per_s : the three closed forms at this particle (whatever the regime).
    delta_omega_rad_per_s : equatorial frequency shift at the distance of closest approach.
    tau_D_s : r²/D; delta_omega_tau_D : the regime parameter x (x_c = 3.40).
    tau_CP_s : half the echo time.
    volume_fraction_per_mM : f per mM of Fe (impermeable spheres).
    moment_Am2, moment_along_B0_Am2 : m and m L(m B0/k_BT).
    closest_approach_m : r = d/2 + coating; d_hydro_m : hydrodynamic diameter used for the particle's diffusion.
    D_m2_per_s : relative diffusion coefficient; fe_per_particle : iron atoms per particle.
    Ms_A_per_m, d_magnetic_m, coating_m, B0_T, T_K, echo_time_s, fe_mM : inputs. notes : validity remarks.
    """

    r2_per_mM_per_s: float
    r2star_per_mM_per_s: float
    regime_r2: str
    regime_r2star: str
    r2_motional_averaging_per_mM_per_s: float
    r2star_static_dephasing_per_mM_per_s: float
    r2_partial_refocusing_per_mM_per_s: float
    delta_omega_rad_per_s: float
    tau_D_s: float
    delta_omega_tau_D: float
    tau_CP_s: float
    volume_fraction_per_mM: float
    moment_Am2: float
    moment_along_B0_Am2: float
    closest_approach_m: float
    d_hydro_m: float
    D_m2_per_s: float
    fe_per_particle: float
    Ms_A_per_m: float
    d_magnetic_m: float
    coating_m: float
    B0_T: float
    T_K: float
    echo_time_s: float
    fe_mM: float
    notes: list = field(default_factory=list)
    _inputs: dict = field(default=None, repr=False)
    _summary_fields = ("r2_per_mM_per_s", "r2star_per_mM_per_s", "regime_r2", "regime_r2star", "delta_omega_tau_D",
                       "B0_T", "echo_time_s")

    def plot(self, ax=None, d_range_m=None):
        """r2 and r2* against magnetic diameter for this Ms, coating and field, with this particle marked."""
        inp = dict(self._inputs)
        d0 = self.d_magnetic_m
        inp["fe_per_particle"] = None  # keep this particle's iron density and hydration shell across sizes
        inp["fe_density_per_m3"] = self.fe_per_particle / float(sphere_volume(d0))
        inp["d_hydro_m"] = None
        inp["hydration_shell_m"] = 0.5 * (self.d_hydro_m - d0) - self.coating_m
        lo, hi = d_range_m or (min(2e-9, 0.3 * d0), max(2e-6, 3 * d0))
        sweep = mri_size_sweep(diameters_m=np.geomspace(lo, hi, 300), **inp)
        ax = sweep.plot(ax)
        ax.plot([d0 * 1e9], [self.r2_per_mM_per_s], "o", color="k", zorder=5,
                label=f"this particle: r2 = {self.r2_per_mM_per_s:.3g} s⁻¹mM⁻¹ ({self.regime_r2})")
        ax.legend(fontsize=7, loc="lower right")
        return ax


def mri_relaxivity(Ms_A_per_m, d_magnetic_m, *, coating_m=0.0, d_hydro_m=None, B0_T=B0_T, T_K=310.0,
                   echo_time_s=ECHO_TIME_S, fe_mM=FE_MM, fe_per_particle=None, D_water_m2_per_s=None,
                   viscosity_Pa_s=VISCOSITY_WATER_37C):
    """Transverse relaxivities r2 (spin echo) and r2* (free induction) with the regime used.

    Parameters
    ----------
    Ms_A_per_m : float
        Magnetisation of the magnetic volume, A/m (> 0): with a dead layer, the particle moment divided
        by the volume of diameter ``d_magnetic_m``.
    d_magnetic_m : float
        Magnetic (core) diameter, m (> 0).
    coating_m : float
        Thickness of a water-impermeable coating, m (≥ 0): the distance of closest approach is
        d/2 + coating. Default 0.
    d_hydro_m : float, optional
        Hydrodynamic diameter, m (≥ d + 2 coating), for the particle's own diffusion; default d + 2 coating.
    B0_T : float
        Static field, T (> 0). Default 1.5 T.
    T_K : float
        Temperature, K. Default 310 K.
    echo_time_s : float
        Spin-echo time TE, s (τ_CP = TE/2). Default 10 ms.
    fe_mM : float
        Iron concentration, mM (only the partial-refocusing law depends on it). Default 1 mM.
    fe_per_particle : float, optional
        Iron atoms per particle (e.g. from an atomistic structure). Default: magnetite, 4.055e28 m⁻³ × volume.
    D_water_m2_per_s : float, optional
        Water self-diffusion coefficient, m²/s. Default: Holz et al. (2000) at ``T_K``.
    viscosity_Pa_s : float
        Carrier viscosity for the particle's Stokes–Einstein diffusion, Pa s. Default water at 37 °C.

    Returns
    -------
    RelaxivityResult
    """
    d = check_positive("d_magnetic_m", d_magnetic_m, hi=1e-3)
    Ms, coating, dh, B0, T, te, fe_mM, fpp, D_w, eta = _validate(
        Ms_A_per_m, coating_m, d_hydro_m, B0_T, T_K, echo_time_s, fe_mM, fe_per_particle, D_water_m2_per_s,
        viscosity_Pa_s)
    if dh is not None and dh < (d + 2.0 * coating) * (1.0 - 1e-12):
        raise ValueError(f"d_hydro_m: {d_hydro_m!r} is outside [{d + 2 * coating:g}, 1e-3] m "
                         "(at least the magnetic diameter plus twice the coating)")
    p = {k: float(np.ravel(v)[0]) for k, v in _particle(Ms, np.array([d]), coating, dh, B0, T, fpp, D_w, eta).items()}
    tau_CP = 0.5 * te
    rr = _rates({k: np.array([v]) for k, v in p.items()}, fe_mM, tau_CP)
    notes = []
    x = float(rr["x"][0])
    if 1.0 < x < 10.0:
        notes.append(f"Δω τ_D = {x:.3g} lies in the crossover (1–10), where neither limiting law is exact")
    if str(rr["regime"][0]) == "motional averaging" and tau_CP < 10.0 * p["tau_D"]:
        notes.append("τ_CP < 10 τ_D: the echo train partly refocuses even motional-averaging dephasing; "
                     "r2 is overestimated")
    if str(rr["regime"][0]) == "partial refocusing":
        notes.append(PRM_NOTE)
    if float(rr["f"][0]) > 0.01:
        notes.append(f"volume fraction {float(rr['f'][0]):.3g} > 0.01: the dilute-suspension theories lose accuracy")
    inputs = dict(Ms_A_per_m=Ms, coating_m=coating, d_hydro_m=dh, B0_T=B0, T_K=T, echo_time_s=te, fe_mM=fe_mM,
                  fe_per_particle=fpp, D_water_m2_per_s=D_w, viscosity_Pa_s=eta)
    per = 1.0 / fe_mM
    return RelaxivityResult(
        r2_per_mM_per_s=float(rr["r2"][0]) * per, r2star_per_mM_per_s=float(rr["r2star"][0]) * per,
        regime_r2=str(rr["regime"][0]), regime_r2star=str(rr["regime_star"][0]),
        r2_motional_averaging_per_mM_per_s=float(rr["mar"][0]) * per,
        r2star_static_dephasing_per_mM_per_s=float(rr["sdr"][0]) * per,
        r2_partial_refocusing_per_mM_per_s=float(rr["prm"][0]) * per,
        delta_omega_rad_per_s=p["delta_omega"], tau_D_s=p["tau_D"], delta_omega_tau_D=x, tau_CP_s=tau_CP,
        volume_fraction_per_mM=p["f_per_mM"], moment_Am2=p["m"], moment_along_B0_Am2=p["m_z"],
        closest_approach_m=p["r"], d_hydro_m=p["dh"], D_m2_per_s=p["D"], fe_per_particle=p["n_fe"],
        Ms_A_per_m=Ms, d_magnetic_m=d, coating_m=coating, B0_T=B0, T_K=T, echo_time_s=te, fe_mM=fe_mM,
        notes=notes, _inputs=inputs)


# ---------------------------------------------------------------- size dependence
@dataclass
class RelaxivitySweep(ImagingResult):
    """r2 and r2* against magnetic diameter, from :func:`mri_size_sweep`.

    Attributes
    ----------
    diameters_m : (n,) magnetic diameters, m.
    r2_per_mM_per_s, r2star_per_mM_per_s : (n,) relaxivities, s⁻¹ mM⁻¹; regime_r2, regime_r2star : (n,) str.
    delta_omega_tau_D : (n,) the regime parameter.
    crossover_diameter_m : diameter at which Δω τ_D = x_c = 3.40 (motional averaging → static dephasing):
        r2 and r2* reach their maximum here (None if outside the range searched, 1e-10 … 1e-3 m).
    refocusing_diameter_m : diameter beyond which the partial-refocusing r2 falls below the static-dephasing
        value (None if it does not within 1e-3 m).
    r2_max_per_mM_per_s : the maximum r2 (the static-dephasing plateau if the crossover is reached).
    Ms_A_per_m, coating_m, hydration_shell_m, B0_T, T_K, echo_time_s, fe_mM : inputs.
    """

    diameters_m: np.ndarray
    r2_per_mM_per_s: np.ndarray
    r2star_per_mM_per_s: np.ndarray
    regime_r2: np.ndarray
    regime_r2star: np.ndarray
    delta_omega_tau_D: np.ndarray
    crossover_diameter_m: float | None
    refocusing_diameter_m: float | None
    r2_max_per_mM_per_s: float
    Ms_A_per_m: float
    coating_m: float
    hydration_shell_m: float
    B0_T: float
    T_K: float
    echo_time_s: float
    fe_mM: float
    _summary_fields = ("crossover_diameter_m", "refocusing_diameter_m", "r2_max_per_mM_per_s")

    def plot(self, ax=None):
        """log–log r2 and r2* against magnetic diameter (nm) with the regime boundaries. Returns the Axes."""
        ax = new_axes(ax, figsize=(6.0, 4.2))
        d = self.diameters_m * 1e9
        ax.loglog(d, self.r2_per_mM_per_s, "-", color="C0", label=f"r2 (spin echo, TE = {self.echo_time_s * 1e3:g} ms)")
        ax.loglog(d, self.r2star_per_mM_per_s, "--", color="C1", label="r2* (free induction decay)")
        if self.crossover_diameter_m is not None:
            ax.axvline(self.crossover_diameter_m * 1e9, color="0.5", ls=":",
                       label=f"Δωτ_D = 3.40 at {self.crossover_diameter_m * 1e9:.3g} nm (maximum)")
        if self.refocusing_diameter_m is not None:
            ax.axvline(self.refocusing_diameter_m * 1e9, color="0.3", ls="-.",
                       label=f"r2 falls (partial refocusing) beyond {self.refocusing_diameter_m * 1e9:.3g} nm")
        ax.set_xlabel("magnetic diameter (nm)")
        ax.set_ylabel("relaxivity (s⁻¹ mM⁻¹ Fe)")
        ax.set_title(f"Ms = {self.Ms_A_per_m / 1e3:.4g} kA/m, B0 = {self.B0_T:g} T, T = {self.T_K:g} K, "
                     f"coating {self.coating_m * 1e9:g} nm", fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7, loc="lower right")
        return ax


def mri_size_sweep(Ms_A_per_m, diameters_m, *, coating_m=0.0, hydration_shell_m=0.0, B0_T=B0_T, T_K=310.0,
                   echo_time_s=ECHO_TIME_S, fe_mM=FE_MM, fe_density_per_m3=FE_DENSITY_MAGNETITE,
                   D_water_m2_per_s=None, viscosity_Pa_s=VISCOSITY_WATER_37C, fe_per_particle=None, d_hydro_m=None):
    """r2 and r2* of particles of one magnetisation over a range of magnetic diameters, with the crossovers.

    Parameters as :func:`mri_relaxivity`, with ``diameters_m`` an array (m, > 0); ``hydration_shell_m``
    (≥ 0) is added on each side to d + 2 coating for the hydrodynamic diameter, and ``fe_density_per_m3``
    (iron atoms per m³ of magnetic volume, default magnetite) gives the iron per particle.
    """
    if fe_per_particle is not None or d_hydro_m is not None:
        raise ValueError("fe_per_particle, d_hydro_m: fixed per-particle values do not scale with size; give "
                         "fe_density_per_m3 and hydration_shell_m to mri_size_sweep")
    d = check_array("diameters_m", diameters_m, positive=True, nonempty=True, hi=1e-3).ravel()
    Ms, coating, _, B0, T, te, fe_mM, _, D_w, eta = _validate(
        Ms_A_per_m, coating_m, None, B0_T, T_K, echo_time_s, fe_mM, None, D_water_m2_per_s, viscosity_Pa_s)
    shell = check_nonnegative("hydration_shell_m", hydration_shell_m, hi=1e-5)
    rho_fe = check_positive("fe_density_per_m3", fe_density_per_m3, hi=1e30)
    tau_CP = 0.5 * te

    def rates(dd):
        dd = np.atleast_1d(np.asarray(dd, dtype=np.float64))
        p = _particle(Ms, dd, coating, dd + 2 * coating + 2 * shell, B0, T, rho_fe * sphere_volume(dd), D_w, eta)
        return _rates(p, fe_mM, tau_CP)

    rr = rates(d)
    lo, hi = 1e-10, 1e-3
    g1 = lambda ld: float(rates(math.exp(ld))["x"][0]) - X_CROSSOVER  # noqa: E731
    d1 = None
    if g1(math.log(lo)) < 0 < g1(math.log(hi)):
        d1 = math.exp(brentq(g1, math.log(lo), math.log(hi), xtol=1e-12))
    d2 = None
    if d1 is not None:
        def g2(ld):
            r = rates(math.exp(ld))
            return math.log(float(r["prm"][0]) / float(r["sdr"][0]))
        if g2(math.log(d1)) > 0 > g2(math.log(hi)):
            d2 = math.exp(brentq(g2, math.log(d1), math.log(hi), xtol=1e-12))
    r2 = rr["r2"] / fe_mM
    return RelaxivitySweep(diameters_m=d, r2_per_mM_per_s=r2, r2star_per_mM_per_s=rr["r2star"] / fe_mM,
                           regime_r2=rr["regime"], regime_r2star=rr["regime_star"], delta_omega_tau_D=rr["x"],
                           crossover_diameter_m=d1, refocusing_diameter_m=d2, r2_max_per_mM_per_s=float(r2.max()),
                           Ms_A_per_m=Ms, coating_m=coating, hydration_shell_m=shell, B0_T=B0, T_K=T,
                           echo_time_s=te, fe_mM=fe_mM)
