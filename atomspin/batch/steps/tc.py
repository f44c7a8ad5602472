"""Study step ``tc``: a cooling temperature sweep and the Curie temperature from the susceptibility peak."""
from __future__ import annotations

import numpy as np

from atomspin.batch.fields import Field as F
from atomspin.batch.fields import RecipeError, _num

NAME = "tc"
DOC = "temperature sweep (cooling) of the particle; Tc from the peak of the susceptibility"
SCHEMA = {
    "T_min_K": F("float", 600.0, "lowest temperature of the Tc scan in K", lo=0.0, hi=3000.0),
    "T_max_K": F("float", 1000.0, "highest temperature of the Tc scan in K", lo=0.0, hi=3000.0),
    "n_T": F("int", 9, "number of temperatures", lo=2, hi=200),
    "sweeps": F("int", 2000, "sampled Monte Carlo sweeps per temperature (plus half as many "
                "equilibration sweeps)", lo=10, hi=10_000_000),
}
API = ("atomspin.model:SpinModel.from_atoms", "atomspin.measure:temperature_sweep", "atomspin.measure:tc_chi_peak")
REQUIRES = ("structure",)
PREFIX = "tc_"
RESULT_KEYS = {"Tc_K": (9, "Curie temperature from the peak of χ(T), K")}


def check(r: dict) -> None:
    tc = r["protocol"]["tc"]
    if tc["T_max_K"] <= tc["T_min_K"]:
        raise RecipeError("protocol.tc.T_max_K",
                          f"{_num(tc['T_max_K'])} must be above protocol.tc.T_min_K = {_num(tc['T_min_K'])}")


def run(ctx) -> None:
    from atomspin.measure import tc_chi_peak, temperature_sweep

    p = ctx.recipe["protocol"][NAME]
    temps = np.linspace(p["T_max_K"], p["T_min_K"], p["n_T"])  # cooling
    res = temperature_sweep(ctx.model, temps, sweeps=p["sweeps"], equilibration_sweeps=p["sweeps"] // 2,
                            seed=ctx.seed_for(NAME))
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    ctx.kvp["Tc_K"] = float(tc_chi_peak(res.T, res.chi))
