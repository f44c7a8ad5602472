"""Study step ``loop``: the M(H) loop at ``protocol.T_K``, +B_max → −B_max → +B_max."""
from __future__ import annotations

from atomspin.batch.fields import Field as F
from atomspin.batch.fields import RecipeError

NAME = "loop"
DOC = "hysteresis loop M(H) at protocol.T_K (one field direction or an orientation average)"
SCHEMA = {
    "B_max_T": F("float", 2.0, "maximum applied field μ0H in T", lo=0.0, hi=50.0, lo_open=True),
    "n_fields": F("int", 41, "fields per branch", lo=3, hi=10_001),
    "sweeps": F("int", 500, "Monte Carlo sweeps per field", lo=2, hi=10_000_000),
    "direction": F("list[float]", [0.0, 0.0, 1.0], "field direction (crystal axes) when "
                   "n_orientations = 0", lo=-1.0, hi=1.0, length=3),
    "n_orientations": F("int", 0, "average over this many field directions (random-orientation "
                        "ensemble); 0 = one direction", lo=0, hi=200),
    "collective_every": F("int", 1, "one collective rigid-rotation move after every k sweeps (k >= 1; "
                          "equilibrium M(H) of the particle moment at finite T); 0 = single-spin "
                          "moves only (sweeps as a time proxy, SW-like switching)", lo=0, hi=1_000_000),
}
API = ("atomspin.model:SpinModel.from_atoms", "atomspin.measure:hysteresis_loop", "atomspin.measure:loop_fields")
REQUIRES = ("structure",)
PREFIX = "loop_"
RESULT_KEYS = {
    "Ms_A_per_m": (1, "magnetisation |M| at the largest field of the loop (mean over the points at ±B_max: the "
                   "Ms(T) the SAR step uses), A/m", "Ms at the largest field (kA/m)", True, 1e-3),
    "Hc_kA_per_m": (2, "coercive field H_c, kA/m; none when the loop is not open (area within 2σ of 0 or "
                    "negative: superparamagnetic or lagging)", "coercive field Hc (kA/m)"),
    "Mr_over_Ms": (3, "remanence M_r/M_s, both along the field, M_s as Ms_A_per_m (the ferrimagnetic "
                   "|Σ m_i ŝ_i| at the largest field)", "remanence Mr/Ms"),
    "loop_area_J_per_m3": (4, "hysteresis loss per cycle μ0∮M dH, J/m³", "loop area μ0∮M dH (kJ/m³)", True, 1e-3),
}

CURVES = ({"file": "loop", "title": "hysteresis loops M(H)", "x": "fields_T", "xlabel": "applied field μ0H (mT)",
           "xscale": 1e3, "y": (("M_A_per_m", "magnetisation along the field M (kA/m)", 1e-3, "M_err_A_per_m"),
                                 ("m", "reduced moment along the field m", 1.0, "m_err")),
           "branches": True},)


def WORK(r: dict) -> int:
    lp = r["protocol"][NAME]
    return (2 * lp["n_fields"] + 1) * lp["sweeps"] * max(1, lp["n_orientations"])


def check(r: dict) -> None:
    if all(x == 0 for x in r["protocol"]["loop"]["direction"]):
        raise RecipeError("protocol.loop.direction", "[0, 0, 0] is not a direction")


def run(ctx) -> None:
    import math
    import warnings

    from atomspin.measure import hysteresis_loop, loop_fields, saturation_magnetisation

    p = ctx.recipe["protocol"]
    lp = p[NAME]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = hysteresis_loop(ctx.model, p["T_K"], loop_fields(lp["B_max_T"], lp["n_fields"]),
                              direction=tuple(lp["direction"]), n_orientations=lp["n_orientations"] or None,
                              sweeps_per_point=lp["sweeps"], seed=ctx.seed_for(NAME),
                              collective_every=lp["collective_every"])
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    ms = saturation_magnetisation(loop=res)
    for w in caught:  # "a branch never crossed m = 0" is the row's Hc note; the others go on
        if "never crossed" not in str(w.message):
            warnings.warn(w.message, stacklevel=2)
    ctx.kvp.update(Ms_A_per_m=ms.Ms_A_per_m, Ms_A_per_m_err=ms.Ms_err_A_per_m,
                   Hc_kA_per_m=float(res.Hc_A_per_m) * 1e-3, Hc_kA_per_m_err=float(res.Hc_err_A_per_m) * 1e-3,
                   Mr_over_Ms=float(res.Mr_over_Ms), Mr_over_Ms_err=float(res.Mr_over_Ms_err),
                   loop_area_J_per_m3=float(res.loop_area_J_per_m3),
                   loop_area_J_per_m3_err=float(res.loop_area_err_J_per_m3))
    if not math.isfinite(res.Hc_A_per_m) and res.coercivity_note:
        ctx.kvp["Hc_kA_per_m_note"] = res.coercivity_note
