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
    "Ms_A_per_m": (1, "magnetisation |M| at the largest field of the loop (the Ms(T) the SAR step uses), A/m"),
    "Hc_A_per_m": (2, "coercive field, A/m"),
    "Mr": (3, "remanence M_r/M_s"),
}


def check(r: dict) -> None:
    if all(x == 0 for x in r["protocol"]["loop"]["direction"]):
        raise RecipeError("protocol.loop.direction", "[0, 0, 0] is not a direction")


def run(ctx) -> None:
    from atomspin.measure import hysteresis_loop, loop_fields

    p = ctx.recipe["protocol"]
    lp = p[NAME]
    res = hysteresis_loop(ctx.model, p["T_K"], loop_fields(lp["B_max_T"], lp["n_fields"]),
                          direction=tuple(lp["direction"]), n_orientations=lp["n_orientations"] or None,
                          sweeps_per_point=lp["sweeps"], seed=ctx.seed_for(NAME),
                          collective_every=lp["collective_every"])
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    from atomspin.measure import saturation_magnetisation

    ctx.kvp.update(Hc_A_per_m=float(res.Hc_A_per_m), Bc_T=float(res.Bc_T), Mr=float(res.Mr),
                   Ms_A_per_m=saturation_magnetisation(loop=res).Ms_A_per_m,
                   loop_area_J_per_m3=float(res.loop_area_J_per_m3))
