"""Study step ``kv``: constrained Monte Carlo torques at ``protocol.T_K`` along a circle through the trial easy
axis — the 2θ torque amplitude and the escape barrier of the particle."""
from __future__ import annotations

import numpy as np

from atomspin.batch.fields import Field as F
from atomspin.batch.fields import RecipeError

NAME = "kv"
DOC = "constrained Monte Carlo at protocol.T_K: 2θ torque amplitude and escape barrier of the particle moment"
SCHEMA = {
    "sweeps": F("int", 2000, "constrained Monte Carlo sweeps per direction", lo=10, hi=10_000_000),
    "n_angles": F("int", 13, "constrained directions from the easy axis to its reverse "
                  "(≥ 5: θ = 0, π/2, π alone cannot fit the sin 2θ torque)", lo=5, hi=181),
    "easy_axis": F("list[float]", [1.0, 1.0, 1.0], "trial easy axis (crystal axes); <111> for magnetite, "
                   "K1 < 0 (Bickford, Phys. Rev. 78, 449 (1950))", lo=-1.0, hi=1.0, length=3),
    "plane_normal": F("list[float]", [1.0, -1.0, 0.0], "normal of the sampled circle (must be "
                      "perpendicular to easy_axis); (1,-1,0) with easy_axis (1,1,1) holds <111>, <110> "
                      "and <100>, so the barrier over <110> (|K1|V/12) is sampled", lo=-1.0, hi=1.0, length=3),
}
API = ("atomspin.model:SpinModel.from_atoms", "atomspin.measure:effective_anisotropy",
       "atomspin.measure.uncertainty:barrier_error")
REQUIRES = ("structure",)
PREFIX = "kv_"
RESULT_KEYS = {
    "torque_amplitude_2theta_J_per_m3": (5, "2θ harmonic amplitude of the constrained-MC torque per volume, "
                                         "J/m³ (not an anisotropy constant: a cubic particle has little)",
                                         "2θ torque amplitude per volume (J/m³)"),
    "barrier_J": (6, "lowest escape barrier of the particle moment, J", "escape barrier ΔE (J)"),
    "barrier_over_kT": (7, "barrier_J / k_B T at protocol.T_K", "escape barrier ΔE / k_BT"),
}

CURVES = ({"file": "kv_torque", "title": "constrained Monte Carlo torque along the sampled circle", "x": "theta",
           "xlabel": "angle θ of the moment from the trial easy axis (°)", "xscale": 57.29577951308232,
           "y": (("torque_meV", "mean torque ⟨n·τ⟩ = −dF/dθ (meV/rad)", 1.0, "torque_err_meV"),)},)


def WORK(r: dict) -> int:
    kv = r["protocol"][NAME]
    return kv["n_angles"] * (kv["sweeps"] + kv["sweeps"] // 2)


def check(r: dict) -> None:
    kv = r["protocol"]["kv"]
    for key in ("easy_axis", "plane_normal"):
        if all(x == 0 for x in kv[key]):
            raise RecipeError(f"protocol.kv.{key}", "[0, 0, 0] is not a direction")
    ea, pn = np.asarray(kv["easy_axis"], dtype=float), np.asarray(kv["plane_normal"], dtype=float)
    if abs(ea @ pn) > 1e-6 * np.linalg.norm(ea) * np.linalg.norm(pn):
        raise RecipeError("protocol.kv.plane_normal", f"{pn.tolist()} is not perpendicular to kv.easy_axis "
                          f"{ea.tolist()}")


def run(ctx) -> None:
    from atomspin.measure import effective_anisotropy
    from atomspin.units import energy_over_kT

    p = ctx.recipe["protocol"]
    kv = p[NAME]
    res = effective_anisotropy(ctx.model, p["T_K"], easy_axis=tuple(kv["easy_axis"]),
                               plane_normal=tuple(kv["plane_normal"]), n_angles=kv["n_angles"],
                               sweeps=kv["sweeps"], equilibration_sweeps=kv["sweeps"] // 2,
                               observe_every=max(1, min(10, kv["sweeps"] // 10)), seed=ctx.seed_for(NAME))
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    ctx.kvp.update(torque_amplitude_2theta_J=float(res.torque_amplitude_2theta_J), barrier_J=float(res.barrier_J))
    ctx.kvp["torque_amplitude_2theta_J_per_m3"] = float(res.torque_amplitude_2theta_J_per_m3)
    _errors(ctx, res, p["T_K"])
    if p["T_K"] > 0:
        ctx.kvp["barrier_over_kT"] = float(energy_over_kT(float(res.barrier_J), p["T_K"]))
        ctx.kvp["barrier_over_kT_err"] = float(energy_over_kT(ctx.kvp["barrier_J_err"], p["T_K"]))


def _errors(ctx, res, T) -> None:
    """Standard errors: the 2θ amplitude from its fit, the barrier by resampling the torques within their
    errors (:func:`atomspin.measure.uncertainty.barrier_error`)."""
    from atomspin.measure.uncertainty import barrier_error
    from atomspin.units import MEV

    ctx.kvp["torque_amplitude_2theta_J_per_m3_err"] = (float(res.torque_amplitude_2theta_err_meV) * MEV
                                                       / float(res.volume_m3))
    ctx.kvp["barrier_J_err"] = barrier_error(res, seed=ctx.seed_for("kv_error")) * MEV
