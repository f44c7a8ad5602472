"""Study step ``mpi``: the measured particle as a magnetic particle imaging (MPI) tracer — third harmonic per kg
of iron, its ratio to the ideal Langevin tracer of the same moment, the point-spread function width and the
resolution it gives at the selection-field gradient (:func:`atomspin.imaging.mpi_from_particle`).

The particle: Ms at ``protocol.T_K`` and the anisotropy from the steps that ran, the magnetic volume of the
model, the iron mass counted in the structure (defects remove iron):

* with a ``landscape`` step (``ctx.results["landscape"]``, a :class:`~atomspin.measure.LandscapeResult`): its
  whole free-energy surface and its zero-field Ms (``sar.particle_from_measurements(landscape=...)``);
* otherwise with ``kv``: a uniaxial particle whose K is the measured barrier / V (or the 2θ torque amplitude
  when the barrier is not positive), Ms from the loop or the constrained Monte Carlo;
* with a ``loop`` only (no anisotropy measured): the ideal Langevin tracer of the measured moment.

Errors: from the standard errors of Ms and (kv) of the barrier, by central differences through the same MPI
model (:func:`atomspin.batch.errors.propagate`); the error of a landscape surface enters through the spread
over seeds (the report's average over realisations).
"""
from __future__ import annotations

import math

from atomspin.batch.fields import Field as F
from atomspin.batch.fields import RecipeError

NAME = "mpi"
DOC = ("the particle as an MPI tracer at the drive (f, amplitude): 3rd harmonic per kg Fe, ratio to the ideal "
       "Langevin tracer, PSF width and resolution")
SCHEMA = {
    # OpenMPIData 1-D sequence (Bruker preclinical scanner): drive 12 mT at 2.5 MHz/102 = 24.51 kHz, selection
    # gradient 1.0 T/m along x (Knopp et al., OpenMPIData documentation, "Sequences"; confirmed)
    "f_Hz": F("float", 2.5e6 / 102, "drive frequency in Hz (24.51 kHz: OpenMPIData 1-D sequence, Bruker "
              "preclinical MPI scanner)", lo=0.0, hi=1e7, lo_open=True, usual=(1e3, 2e5),
              usual_hint="MPI drives run at 1-150 kHz, and f is in Hz: 25 kHz is 25000"),
    "amplitude_T": F("float", 12e-3, "drive amplitude μ0H in T (12 mT: OpenMPIData 1-D sequence)", lo=0.0,
                     hi=1.0, lo_open=True, usual=(1e-3, 5e-2), usual_hint="the amplitude is μ0H in tesla: "
                     "12 mT is 0.012"),
    "gradient_T_per_m": F("float", 1.0, "selection-field gradient μ0G along the drive in T/m, for the resolution "
                          "(1.0 T/m: OpenMPIData, x axis)", lo=0.0, hi=100.0, lo_open=True),
    "method": F("str", "auto", "dynamics of atomspin.imaging.mpi_from_particle: master equation over the minima "
                "(barriers ≥ 4 k_BT), equilibrium curve with the Debye lag of the particle's τ, or auto",
                choices=("auto", "master", "equilibrium")),
    "medium": F("str", "immobilised", "where the particles are: immobilised (Néel only) or water at 37 °C "
                "(Néel and Brownian)", choices=("immobilised", "water")),
    "n_orientations": F("int", 24, "field directions of the random-orientation quadrature", lo=1, hi=1000),
    "steps_per_cycle": F("int", 256, "time steps per drive period of the master equation", lo=64, hi=65536),
}
API = ("atomspin.imaging:mpi_from_particle", "atomspin.sar:particle_from_measurements",
       "atomspin.measure:saturation_magnetisation")
REQUIRES = ("structure",)
REQUIRES_ANY = ("loop", "kv")
PREFIX = "mpi_"
RESULT_KEYS = {
    "mpi_harmonic3_Am2_per_kg_Fe": (9.0, "third harmonic |m3| of the moment at the MPI drive per kg of iron, "
                                    "A m²/kg", "MPI 3rd harmonic |m3| per kg Fe (A m²/kg)"),
    "mpi_harmonic3_over_langevin": (9.1, "|m3| over that of the ideal Langevin tracer of the same moment "
                                    "(1: ideal)", "MPI |m3| / ideal Langevin tracer"),
    "mpi_psf_fwhm_mT": (9.2, "full width at half maximum μ0ΔH of the MPI point-spread function, mT",
                        "MPI PSF width μ0ΔH (mT)"),
    "mpi_resolution_mm": (9.3, "MPI resolution μ0 FWHM / gradient, mm", "MPI resolution (mm)"),
}
CONDITIONS = {"mpi_f_Hz": "MPI drive frequency f, Hz", "mpi_amplitude_T": "MPI drive amplitude μ0H, T",
              "mpi_gradient_T_per_m": "selection-field gradient, T/m", "mpi_method": "MPI dynamics",
              "mpi_medium": "medium"}
CURVES = (
    {"file": "mpi_spectrum", "title": "MPI harmonic spectrum (odd harmonics of the moment)", "x": "harmonic_n",
     "xlabel": "odd harmonic number n (frequency n f)", "all_y": True,
     "y": (("harmonic_Am2_per_kg_Fe", "moment harmonic |m_n| per kg Fe (A m²/kg)", 1.0, "harmonic_err"),
           ("harmonic_over_first_log10", "log10 of |m_n| / |m_1| (decay of the spectrum)", 1.0,
            "harmonic_over_first_log10_err"))},
    {"file": "mpi_psf", "title": "MPI point-spread function along the drive", "x": "psf_H_A_per_m",
     "xlabel": "drive field μ0H (mT)", "xscale": 4e-7 * math.pi * 1e3, "all_y": True,
     "y": (("psf_m3_per_kg_Fe", "PSF dm/dH per kg Fe (m³/kg)", 1.0, "psf_err"),
           ("psf_normalised", "PSF / its maximum", 1.0, "psf_normalised_err"))},
)


def check(r: dict) -> None:
    if NAME in r["protocol"]["steps"] and not r["protocol"]["T_K"] > 0:
        raise RecipeError("protocol.T_K", "the mpi step needs the measurement temperature above 0 K (a "
                          "superparamagnetic tracer is thermal)")


def particle_of(ctx, Ms=None, K=None):
    """(particle or None, Ms estimate, K used, source) from the measured results of the task."""
    from atomspin import sar
    from atomspin.measure import saturation_magnetisation

    T = float(ctx.recipe["protocol"]["T_K"])
    V = float(ctx.model.volume_m3)
    land = ctx.results.get("landscape")
    if land is not None:
        ms = float(land.Ms_A_per_m) if Ms is None else Ms
        p = sar.particle_from_measurements(landscape=land, Ms_A_per_m=ms, volume_m3=V, T_K=T)
        return p, ms, None, "landscape"
    if Ms is None:
        est = saturation_magnetisation(loop=ctx.results.get("loop"), anisotropy=ctx.results.get("kv"), model=ctx.model)
        Ms = est.Ms_A_per_m
    kv = ctx.results.get("kv")
    if kv is None:
        return None, Ms, None, "loop (no anisotropy measured: ideal Langevin tracer)"
    if K is None:
        p = sar.particle_from_measurements(anisotropy=kv, Ms_A_per_m=Ms, volume_m3=V, T_K=T)
        return p, Ms, p.K_uniaxial_J_per_m3, "kv: " + p.source.get("anisotropy", "")
    return sar.Particle(Ms_A_per_m=Ms, volume_m3=V, T_K=T, K_uniaxial_J_per_m3=K), Ms, K, "kv"


def iron_mass_kg(atoms) -> float:
    """Iron mass of the built particle, kg (Fe atoms × 55.845 u)."""
    from atomspin.units import AMU

    return float(sum(1 for s in atoms.get_chemical_symbols() if s == "Fe")) * 55.845 * AMU


def _evaluate(ctx, sp, Ms=None, K=None):
    from atomspin import sar
    from atomspin.imaging import mpi_from_particle, mpi_signal

    p, Ms, K, source = particle_of(ctx, Ms, K)
    fe = iron_mass_kg(ctx.atoms)
    if p is None:  # the ideal Langevin tracer of the measured moment
        from atomspin.imaging import mpi_psf

        T = float(ctx.recipe["protocol"]["T_K"])
        m0 = Ms * float(ctx.model.volume_m3)
        sig = mpi_signal(moment_Am2=m0, T_K=T, f_Hz=sp["f_Hz"], amplitude_T=sp["amplitude_T"], iron_mass_kg=fe)
        psf = mpi_psf(m0, T, f_Hz=sp["f_Hz"], amplitude_T=sp["amplitude_T"], gradient_T_per_m=sp["gradient_T_per_m"])
        return {"signal": sig, "langevin": sig, "psf_H": psf.H_A_per_m, "psf": psf.psf_m3, "fwhm": psf.fwhm_A_per_m,
                "method": "langevin", "reason": source, "fe": fe, "Ms": Ms, "K": None, "source": source}
    medium = sar.Medium.water() if sp["medium"] == "water" else None
    r = mpi_from_particle(p, f_Hz=sp["f_Hz"], amplitude_T=sp["amplitude_T"], medium=medium, method=sp["method"],
                          n_orientations=sp["n_orientations"], steps_per_cycle=sp["steps_per_cycle"],
                          gradient_T_per_m=sp["gradient_T_per_m"], iron_mass_kg=fe, seed=ctx.seed_for(NAME))
    return {"signal": r.signal, "langevin": r.langevin, "psf_H": r.psf_H_A_per_m, "psf": r.psf_m3,
            "fwhm": r.psf_fwhm_A_per_m, "method": r.method, "reason": r.reason, "fe": fe, "Ms": Ms, "K": K,
            "source": source, "result": r}


def _scalars(e, sp):
    from atomspin.units import MU_0

    h3 = float(e["signal"].moment_harmonics_Am2[2])
    h3l = float(e["langevin"].moment_harmonics_Am2[2])
    fwhm = e["fwhm"]
    return {"mpi_harmonic3_Am2_per_kg_Fe": h3 / e["fe"], "mpi_harmonic3_over_langevin": h3 / h3l,
            "mpi_psf_fwhm_mT": float("nan") if fwhm is None else fwhm * MU_0 * 1e3,
            "mpi_resolution_mm": float("nan") if fwhm is None else MU_0 * fwhm / sp["gradient_T_per_m"] * 1e3}


def run(ctx) -> None:
    import numpy as np

    from atomspin.batch.errors import propagate

    sp = ctx.recipe["protocol"][NAME]
    ctx.kvp.update(mpi_f_Hz=float(sp["f_Hz"]), mpi_amplitude_T=float(sp["amplitude_T"]),
                   mpi_gradient_T_per_m=float(sp["gradient_T_per_m"]), mpi_medium=sp["medium"])
    try:
        e = _evaluate(ctx, sp)
    except ValueError as err:  # the imaging layer refuses the measured particle: say why in the row
        ctx.kvp.update({k: float("nan") for k in RESULT_KEYS})
        ctx.kvp["mpi_note"] = f"not computed: {str(err).splitlines()[0]}"
        return
    if "result" in e:
        ctx.results[NAME] = e["result"]
    vals = _scalars(e, sp)
    ctx.kvp.update(vals)
    ctx.kvp.update(mpi_method=e["method"], mpi_particle=e["source"][:200], mpi_iron_mass_kg=e["fe"],
                   mpi_harmonic5_over_3=float(e["signal"].harmonic5_to_3_ratio or float("nan")))
    if e["fwhm"] is None:
        ctx.kvp["mpi_psf_fwhm_mT_note"] = "half maximum of the PSF outside the swept drive window"
    n = np.asarray(e["signal"].harmonic_numbers)
    odd = n % 2 == 1
    h = np.asarray(e["signal"].moment_harmonics_Am2)[odd]
    psf = np.asarray(e["psf"], dtype=float)
    ctx.data[NAME] = {"harmonic_n": n[odd].astype(float), "harmonic_Am2_per_kg_Fe": h / e["fe"],
                      "harmonic_over_first_log10": np.where(h > 1e-13 * h[0], np.log10(np.maximum(h, 1e-300) / h[0]),
                                                            np.nan),  # below 1e-13: round-off, not signal
                      "langevin_harmonic_Am2_per_kg_Fe": np.asarray(e["langevin"].moment_harmonics_Am2)[odd] / e["fe"],
                      "psf_H_A_per_m": np.asarray(e["psf_H"], dtype=float), "psf_m3_per_kg_Fe": psf / e["fe"],
                      "psf_normalised": psf / psf.max()}
    # errors: Ms (all particles) and K (kv) by central differences through the same model
    Ms_err = ctx.kvp.get("Ms_zero_field_A_per_m_err" if e["source"] == "landscape" else "Ms_A_per_m_err",
                         float("nan"))
    values, errors = {"Ms": e["Ms"]}, {"Ms": Ms_err}
    if e["K"] is not None:
        V = float(ctx.model.volume_m3)
        values["K"] = e["K"]
        errors["K"] = (ctx.kvp.get("barrier_J_err", float("nan")) / V if "barrier" in e["source"]
                       else ctx.kvp.get("torque_amplitude_2theta_J_per_m3_err", float("nan")))
    err = propagate(lambda **kw: _scalars(_evaluate(ctx, sp, **kw), sp), values, errors)
    ctx.kvp.update({f"{k}_err": v for k, v in err.items()})
