"""Study step ``mri``: the measured particle as a T2 (transverse relaxation) MRI contrast agent — r2 and r2*
per mM of iron in the outer-sphere theory with its regimes (:func:`atomspin.imaging.mri_relaxivity`).

The particle: Ms at ``protocol.T_K`` (landscape zero-field Ms, else the loop, else the constrained Monte Carlo),
the magnetic diameter of the sphere with the model's volume, the iron atoms counted in the structure; the
impermeable coating and the hydrodynamic diameter come from the recipe. The regime used (motional averaging,
static dephasing, partial refocusing) is written with every row. Error: from the standard error of Ms.
"""
from __future__ import annotations

import math

from atomspin.batch.fields import Field as F
from atomspin.batch.fields import RecipeError

NAME = "mri"
DOC = "the particle as an MRI T2 agent: r2 and r2* per mM Fe (outer-sphere theory, regime reported)"
SCHEMA = {
    "B0_T": F("float", 1.5, "static field of the scanner in T (1.5 T: the common clinical field; r2 depends on "
              "it only through the Langevin m_z)", lo=0.0, hi=30.0, lo_open=True),
    "echo_time_s": F("float", 10e-3, "spin-echo time TE in s (10 ms: a typical multi-echo CPMG spacing for T2 "
                     "mapping, a choice; matters only in the partial-refocusing regime)", lo=0.0, hi=10.0,
                     lo_open=True, usual=(1e-3, 0.2), usual_hint="TE is in seconds: 10 ms is 0.01"),
    "coating_nm": F("float", 0.0, "thickness of a water-impermeable coating in nm (0: bare particle; the "
                    "distance of closest approach of water is d/2 + coating)", lo=0.0, hi=1e4),
    "hydrodynamic_diameter_nm": F("float", 0.0, "hydrodynamic diameter in nm for the particle's own diffusion "
                                  "(0: d + 2 coating)", lo=0.0, hi=1e6),
}
API = ("atomspin.imaging:mri_relaxivity", "atomspin.measure:saturation_magnetisation")
REQUIRES = ("structure",)
REQUIRES_ANY = ("loop", "kv")
PREFIX = "mri_"
RESULT_KEYS = {
    "r2_per_mM_per_s": (9.6, "transverse relaxivity r2 (spin echo) per mM of iron, s⁻¹ mM⁻¹",
                        "r2 (s⁻¹ mM⁻¹ Fe)"),
    "r2star_per_mM_per_s": (9.7, "transverse relaxivity r2* (free induction decay) per mM of iron, s⁻¹ mM⁻¹",
                            "r2* (s⁻¹ mM⁻¹ Fe)"),
}
CONDITIONS = {"mri_B0_T": "MRI static field B0, T", "mri_echo_time_s": "spin-echo time TE, s",
              "mri_regime_r2": "relaxation regime of r2"}


def check(r: dict) -> None:
    if NAME not in r["protocol"]["steps"]:
        return
    if not r["protocol"]["T_K"] > 0:
        raise RecipeError("protocol.T_K", "the mri step needs the measurement temperature above 0 K (the "
                          "particle moment along B0 is a thermal average)")


def _Ms(ctx):
    from atomspin.measure import saturation_magnetisation

    land = ctx.results.get("landscape")
    if land is not None:
        return float(land.Ms_A_per_m), ctx.kvp.get("Ms_zero_field_A_per_m_err", float("nan")), "landscape"
    est = saturation_magnetisation(loop=ctx.results.get("loop"), anisotropy=ctx.results.get("kv"), model=ctx.model)
    return est.Ms_A_per_m, ctx.kvp.get("Ms_A_per_m_err", est.Ms_err_A_per_m), est.source


def run(ctx) -> None:
    from atomspin.batch.errors import propagate
    from atomspin.imaging import mri_relaxivity

    p = ctx.recipe["protocol"]
    sp = p[NAME]
    Ms, Ms_err, source = _Ms(ctx)
    d = (6.0 * float(ctx.model.volume_m3) / math.pi) ** (1.0 / 3.0)
    n_fe = sum(1 for s in ctx.atoms.get_chemical_symbols() if s == "Fe")
    coating = sp["coating_nm"] * 1e-9
    dh = sp["hydrodynamic_diameter_nm"] * 1e-9 or None
    ctx.kvp.update(mri_B0_T=float(sp["B0_T"]), mri_echo_time_s=float(sp["echo_time_s"]), mri_Ms_source=source)

    def relax(Ms):
        return mri_relaxivity(Ms, d, coating_m=coating, d_hydro_m=dh, B0_T=sp["B0_T"], T_K=p["T_K"],
                              echo_time_s=sp["echo_time_s"], fe_per_particle=n_fe)

    try:
        res = relax(Ms)
    except ValueError as err:  # the imaging layer refuses the measured particle: say why in the row
        ctx.kvp.update(r2_per_mM_per_s=float("nan"), r2star_per_mM_per_s=float("nan"),
                       mri_note=f"not computed: {str(err).splitlines()[0]}")
        return
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    ctx.kvp.update(r2_per_mM_per_s=float(res.r2_per_mM_per_s), r2star_per_mM_per_s=float(res.r2star_per_mM_per_s),
                   mri_regime_r2=str(res.regime_r2))
    err = propagate(lambda Ms: (lambda r: {"r2_per_mM_per_s": r.r2_per_mM_per_s,
                                           "r2star_per_mM_per_s": r.r2star_per_mM_per_s})(relax(Ms)),
                    {"Ms": Ms}, {"Ms": Ms_err})
    ctx.kvp.update({f"{k}_err": v for k, v in err.items()})
