"""Issue 13 / docs/validation.md §6: one landscape direction of a magnetite sphere at 300 K (150 + 600 constrained
sweeps from a thermalised state), ∇F (meV/rad) per refresh policy of the constrained dipolar sweeper, with the
τ_int error, the batch-means error over refresh windows and the wall time of one run.

    PYTHONPATH=. NUMBA_NUM_THREADS=1 python benchmarks/bench_constrained_reference.py [D_nm] [seeds] [ref:k,...]
    e.g. ... 4 31,32,33 snapshot:0,snapshot:1,snapshot:560,average:100   (k = 0: per move, exact)

Writes constrained_reference_<D>_<seeds>_....json in the working directory."""
import sys, time, json, numpy as np
from atomspin import structures
from atomspin.model import SpinModel
from atomspin.engine import EngineOptions
from atomspin.engine.statistics import mean_error
from atomspin.engine.sweepers.dipolar import FrozenFieldMixin
from atomspin.engine.sweepers.constrained_dipolar import ConstrainedDipolarSweeper
from atomspin.measure.landscape import _thermalised, landscape_directions
from atomspin.measure import _sphere_fit as sf
from atomspin.measure.results import advance

D = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
seeds = [int(x) for x in sys.argv[2].split(",")] if len(sys.argv) > 2 else [1, 2, 3, 4]
SW, EQ, OBS = 600, 150, 2
p = structures.build_particle("Fe3O4", shape="sphere", diameter_nm=D, seed=1, b_valence="averaged")
m = SpinModel.from_atoms(p, anisotropy_reference=300.0)
d = landscape_directions(26)[7]
old_auto = FrozenFieldMixin._auto_refresh(m.dipolar, m.n)
new_auto = ConstrainedDipolarSweeper._auto_refresh(m.dipolar, m.n)
print(f"N={m.n} dir={d.round(3)} old auto {old_auto} new auto {new_auto}", flush=True)
pols = [("snapshot", 1), ("snapshot", 10), ("snapshot", 30), ("snapshot", 100), ("snapshot", old_auto),
        ("average", 10), ("average", 30), ("average", 100), ("average", new_auto)]
if len(sys.argv) > 3:
    pols = [(a.split(":")[0], int(a.split(":")[1])) for a in sys.argv[3].split(",")]
rows = []
for seed in seeds:
    start = _thermalised(m, 300.0, 300, 1000 + seed, {})
    for ref, k in pols:
        eng = {"sweeper_options": {"refresh_every": k, "reference": ref}}
        t0 = time.perf_counter()
        sim = EngineOptions(eng).constrained(start, 300.0, d, seed)
        advance(sim, EQ)
        s0 = sim.sweeper.sweeps_done
        obs = sim.run(SW, observe_every=OBS)
        wall = time.perf_counter() - t0
        t = sf.tangent_basis(d)[0]
        g = np.cross(d, obs.torque) @ t.T
        me = [mean_error(g[:, j]) for j in range(2)]
        # batch means over refresh windows inside the sampled part
        b = [x - s0 for x in sim.sweeper.refresh_sweeps if s0 < x < s0 + SW]
        edges = [0] + b + [SW]
        samp_t = (np.arange(len(g)) + 1) * OBS
        wid = np.searchsorted(np.array(edges[1:-1]), samp_t, side="left")
        nb = len(edges) - 1
        berr = [float("nan")] * 2
        if nb >= 2:
            for j in range(2):
                xb = np.array([g[wid == b_, j].mean() for b_ in range(nb) if np.any(wid == b_)])
                nb_ = np.array([np.sum(wid == b_) for b_ in range(nb) if np.any(wid == b_)], dtype=float)
                mu = np.sum(nb_ * xb) / nb_.sum()
                B = len(xb)
                berr[j] = float(np.sqrt(np.sum(nb_ ** 2 * (xb - mu) ** 2) / nb_.sum() ** 2 * B / (B - 1)))
        row = dict(seed=seed, ref=ref, k=k, g=[x[0] for x in me], err=[x[1] for x in me], berr=berr, wall=wall,
                   windows=len(edges) - 1, refreshes=sim.sweeper.refreshes)
        rows.append(row)
        print(f"seed {seed} {ref:8s} k={k:4d}: g=({me[0][0]:+.3f}±{me[0][1]:.3f}, {me[1][0]:+.3f}±{me[1][1]:.3f}) "
              f"batch ({berr[0]:.3f}, {berr[1]:.3f}) windows {len(edges)-1} refreshes {sim.sweeper.refreshes} wall {wall:.2f}s", flush=True)
json.dump(rows, open(f"constrained_reference_{D:g}_{'_'.join(map(str, seeds))}_{len(pols)}_{pols[0][0]}{pols[0][1]}.json", "w"), indent=1)
