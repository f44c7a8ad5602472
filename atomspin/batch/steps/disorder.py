"""Study step ``disorder``: equilibrate at ``protocol.T_K`` in zero field, then the spin-disorder profiles
(canting versus depth below the surface and, with an APB, versus distance from its plane)."""
from __future__ import annotations

import numpy as np

from atomspin.batch.fields import Field as F

NAME = "disorder"
DOC = "zero-field equilibrium at protocol.T_K and the spin-canting profiles"
SCHEMA = {
    "sweeps": F("int", 2000, "Monte Carlo sweeps for the spin-disorder profile", lo=1, hi=10_000_000),
    "bin_nm": F("float", 0.25, "radial bin width of the disorder profile in nm", lo=0.01, hi=5.0),
}
API = ("atomspin.model:SpinModel.from_atoms", "atomspin.engine:Simulation", "atomspin.measure:spin_disorder",
       "atomspin.measure:distance_to_plane_nm")
REQUIRES = ("structure",)
PREFIX = "disorder_"
RESULT_KEYS = {"mean_canting_deg": (4.5, "moment-weighted mean canting angle from the ferrimagnetic axis, time "
                                      "average over the second half of the run, degrees",
                                      "mean canting angle (°)")}
CURVES = (
    {"file": "disorder_depth", "title": "spin canting versus depth below the surface", "x": "depth_bins_nm",
     "xlabel": "depth below the surface (nm)", "y": (("depth_canting_deg", "mean canting angle (°)", 1.0,
                                                      "depth_canting_sem"),)},
    {"file": "disorder_distance", "title": "spin canting versus distance from the APB plane", "x": "distance_bins_nm",
     "xlabel": "distance from the APB plane (nm)", "y": (("distance_canting_deg", "mean canting angle (°)", 1.0,
                                                          "distance_canting_sem"),),
     "needs": "apb", "reference_text": "no APB: same plane"},
)
#: snapshots of the second half of the run that the mean canting and its error are taken over
N_SNAPSHOTS = 20


def WORK(r: dict) -> int:
    return r["protocol"][NAME]["sweeps"]


def run(ctx) -> None:
    from atomspin.engine import Simulation
    from atomspin.engine.statistics import mean_error
    from atomspin.measure import distance_to_plane_nm, spin_disorder

    p = ctx.recipe["protocol"]
    sweeps = p[NAME]["sweeps"]
    sim = Simulation(ctx.model, p["T_K"], seed=ctx.seed_for(NAME))
    n_eq = sweeps // 2
    k = max(1, min(N_SNAPSHOTS, sweeps - n_eq))
    blocks = np.diff(np.linspace(n_eq, sweeps, k + 1).round().astype(int))
    if n_eq:
        sim.run(n_eq, observe_every=n_eq)
    series = []
    for b in blocks:  # the same sweeps as one run of `sweeps`: the final state does not depend on k
        if b:
            sim.run(int(b), observe_every=int(b))
        series.append(spin_disorder(ctx.model, spins=sim.spins).mean_canting_deg)
    # distance from the APB plane; without an APB the same plane of the particle, the defect-free reference
    n, point = ctx.apb_plane()
    dist = np.abs(distance_to_plane_nm(ctx.model.positions, n, point))
    res = spin_disorder(ctx.model, spins=sim.spins, atoms=ctx.atoms, distance_nm=dist,
                        depth_bin_nm=p[NAME]["bin_nm"], distance_bin_nm=p[NAME]["bin_nm"])
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    mean, err, _, _ = mean_error(np.asarray(series))
    ctx.kvp["mean_canting_deg"] = float(mean)
    ctx.kvp["mean_canting_deg_err"] = float(err)
    ctx.spins = sim.spins
