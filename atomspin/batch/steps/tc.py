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
API = ("atomspin.model:SpinModel.from_atoms", "atomspin.measure:temperature_sweep", "atomspin.measure:tc_chi_peak",
       "atomspin.measure.uncertainty:tc_chi_peak_error")
REQUIRES = ("structure",)
PREFIX = "tc_"
RESULT_KEYS = {"Tc_K": (9, "Curie temperature from the peak of χ(T), K", "Curie temperature Tc (K)")}

CURVES = (
    {"file": "tc_magnetisation", "title": "order parameter versus temperature", "x": "T", "xlabel": "temperature T (K)",
     "y": (("m", "reduced magnetisation ⟨|M|⟩ / Σ m_i", 1.0, "m_err"),)},
    {"file": "tc_susceptibility", "title": "susceptibility versus temperature (Tc at its peak)", "x": "T",
     "xlabel": "temperature T (K)", "y": (("chi", "susceptibility χ (meV⁻¹, per Σ m_i)", 1.0, "chi_err"),)},
)


def WORK(r: dict) -> int:
    tc = r["protocol"][NAME]
    return tc["n_T"] * (tc["sweeps"] + tc["sweeps"] // 2)


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
    from atomspin.measure.uncertainty import tc_chi_peak_error

    T, chi = np.asarray(res.T, dtype=float), np.asarray(res.chi, dtype=float)
    tc = float(tc_chi_peak(T, chi))
    ctx.kvp["Tc_K"] = tc
    chi_err = np.full_like(chi, np.nan) if res.chi_err is None else res.chi_err
    ctx.kvp["Tc_K_err"] = tc_chi_peak_error(T, chi, chi_err, seed=ctx.seed_for("tc_error"))
    k = int(np.nanargmax(chi))
    if k in (0, len(T) - 1):  # a maximum at the end of the scan is not a peak: Tc lies outside it
        ctx.kvp["Tc_K"] = float("nan")
        ctx.kvp["Tc_K_note"] = (f"χ(T) is largest at the {'lower' if T[k] == T.min() else 'upper'} end of the "
                                f"scan ({T[k]:g} K): Tc lies outside [{T.min():g}, {T.max():g}] K")
