"""Study step ``sar``: SAR (W/g) and ILP at the drive (f, H0) from the measured particle — Ms(T) from the
loop (or the constrained Monte Carlo), the anisotropy from the ``kv`` step, the volume of the model — at the
measurement temperature ``protocol.T_K``.

Which anisotropy number a SAR model may use, and whether it is usable at all, is decided by
:mod:`atomspin.sar`; when it refuses the measured particle (e.g. a barrier that is not positive), the row
records SAR = NaN and the reason in ``sar_note``.
"""
from __future__ import annotations

from atomspin.batch.fields import Field as F
from atomspin.batch.fields import RecipeError

NAME = "sar"
DOC = "SAR and ILP of the measured particle at the drive (f, H0), at the measurement temperature protocol.T_K"
SCHEMA = {
    # Clinical field: 100 kHz, 2.5-18 kA/m in the glioblastoma trial of Maier-Hauff et al., J. Neurooncol. 103,
    # 317 (2011) [not confirmed in the paper]. H0*f = 1.5e9 A m^-1 s^-1: above the Brezovich limit 4.85e8
    # (Brezovich, Med. Phys. Monogr. 16, 82 (1988)), below the Hergt-Dutz 5e9 (J. Magn. Magn. Mater. 311, 187
    # (2007)) [not confirmed]; sar_from_particle reports both checks with every row (sar_safety_*).
    "f_Hz": F("float", 100e3, "drive frequency in Hz (clinical: Maier-Hauff et al., J. Neurooncol. 103, 317 "
              "(2011), not confirmed)", lo=0.0, hi=1e8, lo_open=True, usual=(1e4, 1e7),
              usual_hint="hyperthermia drives run at 10 kHz-10 MHz, and f is in Hz: 100 kHz is 1e5"),
    "H0_A_per_m": F("float", 15e3, "drive amplitude H0 in A/m (clinical 2.5–18 kA/m: Maier-Hauff et al. 2011, "
                    "not confirmed; H0·f = 1.5e9 A/(m s) exceeds the Brezovich limit 4.85e8)", lo=0.0, hi=1e6,
                    lo_open=True, usual=(1e2, 2e5), usual_hint="H0 is in A/m: 15 kA/m is 15000"),
    "tau0_s": F("float", 1e-9, "Néel attempt time in s (1e-9 s, the common choice of Rosensweig-type "
                "models; 1e-9 to 1e-11 s is the usual range)", lo=1e-14, hi=1e-6),
    "model": F("str", "auto", "SAR model of atomspin.sar.sar_from_particle",
               choices=("auto", "lrt", "sw", "kinetic")),
}
API = ("atomspin.sar:sar_from_particle", "atomspin.measure:saturation_magnetisation")
REQUIRES = ("structure",)
REQUIRES_ANY = ("loop", "kv")
PREFIX = "sar_"
RESULT_KEYS = {"SAR_W_per_g": (8, "specific absorption rate at (f, H0), W per g of oxide", "SAR (W/g)"),
               "ILP_nHm2_per_kg": (8.5, "intrinsic loss power SAR/(f H0²), nH m²/kg", "ILP (nH m²/kg)")}
#: the conditions of the SAR, written with every row (``sar_medium``: how the particles are held)
CONDITIONS = {"sar_f_Hz": "drive frequency f, Hz", "sar_H0_A_per_m": "drive amplitude H0, A/m",
              "sar_medium": "medium", "sar_model": "SAR model"}
MEDIUM = "immobilised (Néel relaxation only, no Brownian rotation), random easy axes"


def check(r: dict) -> None:
    if "sar" in r["protocol"]["steps"] and not r["protocol"]["T_K"] > 0:
        raise RecipeError("protocol.T_K", "the sar step needs the measurement temperature above 0 K (Néel "
                          "relaxation is thermal; Ms and K are measured at protocol.T_K)")


def run(ctx) -> None:
    import dataclasses

    from atomspin.measure import saturation_magnetisation
    from atomspin.sar import particle_from_measurements, sar_from_particle

    p = ctx.recipe["protocol"]
    sp = p[NAME]
    est = saturation_magnetisation(loop=ctx.results.get("loop"), anisotropy=ctx.results.get("kv"), model=ctx.model)
    ctx.kvp["Ms_source"] = est.source
    ctx.kvp.setdefault("Ms_A_per_m", est.Ms_A_per_m)
    ctx.kvp.setdefault("Ms_A_per_m_err", est.Ms_err_A_per_m)
    ctx.kvp.update(sar_f_Hz=float(sp["f_Hz"]), sar_H0_A_per_m=float(sp["H0_A_per_m"]), sar_medium=MEDIUM)
    note = _torque_note(ctx.results.get("kv"))

    def sar(particle):
        return sar_from_particle(particle, f=sp["f_Hz"], H0=sp["H0_A_per_m"], tau0=sp["tau0_s"], model=sp["model"],
                                 seed=ctx.seed_for(NAME), allow_nonclinical=True)

    try:  # the typed hand-off: the measured results by role, Ms and V as measured here
        particle = particle_from_measurements(anisotropy=ctx.results.get("kv"), loop=ctx.results.get("loop"),
                                              T_K=p["T_K"], Ms_A_per_m=est.Ms_A_per_m,
                                              volume_m3=float(ctx.model.volume_m3))
        res = sar(particle)
    except ValueError as err:  # the sar layer refuses the measured particle: say why in the row
        ctx.kvp.update(SAR_W_per_g=float("nan"), ILP_nHm2_per_kg=float("nan"),
                       sar_note=f"not computed: {str(err).splitlines()[0]}; increase protocol.kv.sweeps")
        return
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    ctx.kvp.update(SAR_W_per_g=float(res.sar_W_per_g), ILP_nHm2_per_kg=float(res.ilp_nHm2_per_kg),
                   sar_model=str(res.model))
    from_barrier = "barrier" in str(particle.source.get("anisotropy", ""))
    if note and from_barrier:
        ctx.kvp["sar_note"] = note
    _errors(ctx, particle, from_barrier,
            lambda **kw: sar(dataclasses.replace(particle, source=dict(particle.source), **kw)))


def _errors(ctx, particle, from_barrier, sar):
    """SAR and ILP errors from those of Ms and of the anisotropy (the barrier or the 2θ amplitude, whichever
    the SAR used), by central differences through the same SAR model (:func:`atomspin.batch.errors.propagate`)."""
    from atomspin.batch.errors import propagate

    V = float(particle.volume_m3)
    k_err = (ctx.kvp.get("barrier_J_err", float("nan")) / V if from_barrier
             else ctx.kvp.get("torque_amplitude_2theta_J_per_m3_err", float("nan")))
    err = propagate(lambda Ms, K: (lambda r: {"SAR_W_per_g": r.sar_W_per_g, "ILP_nHm2_per_kg": r.ilp_nHm2_per_kg})(
        sar(Ms_A_per_m=Ms, K_uniaxial_J_per_m3=K)),
        {"Ms": float(particle.Ms_A_per_m), "K": float(particle.K_uniaxial_J_per_m3)},
        {"Ms": ctx.kvp.get("Ms_A_per_m_err", float("nan")), "K": k_err})
    ctx.kvp.update({f"{k}_err": v for k, v in err.items()})


def _torque_note(kv):
    """A note when the 2θ torque amplitude a ± σ of the kv step is not resolved (|a| ≤ 2σ)."""
    if kv is None:
        return None
    a, err = float(kv.torque_amplitude_2theta_meV), float(kv.torque_amplitude_2theta_err_meV)
    if a > 2 * err:
        return None
    return (f"K_eff for SAR = barrier/V; the 2-theta torque amplitude {a:.3g} +- {err:.2g} meV is not resolved "
            "(cubic particles have little 2-theta torque)")
