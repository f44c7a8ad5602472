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
RESULT_KEYS = {"mean_canting_deg": (8, "mean canting angle from the sublattice axis, degrees")}


def run(ctx) -> None:
    from atomspin.engine import Simulation
    from atomspin.measure import distance_to_plane_nm, spin_disorder

    p = ctx.recipe["protocol"]
    sim = Simulation(ctx.model, p["T_K"], seed=ctx.seed_for(NAME))
    sim.run(p[NAME]["sweeps"])
    dist = None
    if ctx.recipe["defects"]["apb"]["enabled"]:
        n, point = ctx.apb_plane()
        dist = np.abs(distance_to_plane_nm(ctx.model.positions, n, point))
    res = spin_disorder(ctx.model, spins=sim.spins, atoms=ctx.atoms, distance_nm=dist,
                        depth_bin_nm=p[NAME]["bin_nm"], distance_bin_nm=p[NAME]["bin_nm"])
    ctx.results[NAME] = res
    ctx.absorb(NAME, res)
    ctx.kvp["mean_canting_deg"] = float(res.mean_canting_deg)
    ctx.spins = sim.spins
