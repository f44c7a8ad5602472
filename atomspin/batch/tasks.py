"""Recipes → tasks, task identity, and the protocol steps that run one task.

A *task* is a plain, picklable dict::

    {"hash": "1f0c…", "variant": "vacancies", "point": {"defects.vacancies.delta": 0.1},
     "seed": 1, "recipe": <fully resolved recipe, every key present>}

``hash`` is the SHA-256 (16 hex digits) of the resolved recipe without ``meta`` plus the seed, so a task
keeps its identity across reruns, renames of the study and re-orderings of the sweep; this is what makes
sweeps resumable. Each protocol step is a small function ``step_<name>(ctx)`` calling the public API of one
layer; :func:`run_task` runs the steps in order and returns a small result dict that the driver stores.
"""
from __future__ import annotations

import copy
import hashlib
import importlib
import json
import time
import zlib

import numpy as np

from atomspin.batch.schema import STEPS, RecipeError, _grid, set_path, validate_recipe

__all__ = ["expand", "task_hash", "run_task", "available_steps", "missing_api", "StepUnavailable",
           "STEP_API", "derived_seed"]

#: public API each protocol step calls ("module:attribute")
STEP_API = {
    "structure": ["atomspin.structures:build_particle", "atomspin.structures:describe",
                  "atomspin.structures:add_vacancies", "atomspin.structures:insert_apb",
                  "atomspin.structures:label_surface"],
    "tc": ["atomspin.model:SpinModel.from_atoms", "atomspin.measure:temperature_sweep",
           "atomspin.measure:tc_chi_peak"],
    "disorder": ["atomspin.model:SpinModel.from_atoms", "atomspin.engine:Simulation",
                 "atomspin.measure:spin_disorder", "atomspin.measure:distance_to_plane_nm"],
    "loop": ["atomspin.model:SpinModel.from_atoms", "atomspin.measure:hysteresis_loop",
             "atomspin.measure:loop_fields"],
    "kv": ["atomspin.model:SpinModel.from_atoms", "atomspin.measure:effective_anisotropy"],
    "sar": ["atomspin.sar:sar_from_particle"],
}


class StepUnavailable(RuntimeError):
    """A protocol step needs a layer function that this installation does not provide."""


def _resolve_api(spec: str):
    mod, attr = spec.split(":")
    obj = importlib.import_module(mod)
    for a in attr.split("."):
        obj = getattr(obj, a)
    return obj


def missing_api(step: str) -> list:
    """API entries (``module:attr``) that ``step`` needs and that cannot be imported now."""
    out = []
    for spec in STEP_API[step]:
        try:
            _resolve_api(spec)
        except Exception:  # ImportError, AttributeError, or an error inside a half-written module
            out.append(spec)
    return out


def available_steps() -> list:
    """Protocol steps whose layer functions are importable in this installation."""
    return [s for s in STEPS if not missing_api(s)]


def check_steps_available(steps) -> None:
    """Raise :class:`RecipeError` (``protocol.steps: …``) if a requested step cannot run here."""
    for s in steps:
        miss = missing_api(s)
        if miss:
            raise RecipeError("protocol.steps", f"step {s!r} is not available in this installation "
                              f"(missing {', '.join(miss)})")


# ---------------------------------------------------------------------------------------------------------
def task_hash(recipe: dict, seed: int) -> str:
    """16-hex-digit identity of a task: SHA-256 of the resolved recipe (without ``meta``) and the seed."""
    body = {k: v for k, v in recipe.items() if k != "meta"}
    text = json.dumps({"recipe": body, "seed": int(seed)}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def expand(recipe) -> list:
    """Validate a recipe and expand it into its task list (variants × axis grid × seeds).

    Tasks with the same hash (e.g. an axis point equal to a variant) appear once.

    Raises
    ------
    RecipeError
        If the recipe is invalid (see :func:`atomspin.batch.schema.validate_recipe`).
    """
    v = validate_recipe(recipe)
    tasks, seen = [], set()
    for var in v["variants"]:
        for point in _grid(v["axes"]):
            r = copy.deepcopy(v["base"])
            for path, value in {**var["overrides"], **point}.items():
                set_path(r, path, value)
            for seed in v["seeds"]:
                h = task_hash(r, seed)
                if h in seen:
                    continue
                seen.add(h)
                tasks.append({"hash": h, "variant": var["name"], "point": dict(point), "seed": int(seed),
                              "recipe": r})
    return tasks


def derived_seed(seed: int, name: str) -> int:
    """Independent, reproducible 32-bit seed for one stochastic step of a task."""
    ss = np.random.SeedSequence([int(seed), zlib.crc32(name.encode())])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


# ---------------------------------------------------------------------------------------------------------
class Context:
    """What the steps of one task share: recipe, seed, the structure and model, and the outputs."""

    def __init__(self, task: dict):
        self.task = task
        self.recipe = task["recipe"]
        self.seed = int(task["seed"])
        self.atoms = None
        self._model = None
        self.results: dict = {}
        self.timings: dict = {}  # wall-clock seconds per step (not part of the stored row)
        self.spins = None  # last equilibrated spin state, stored with the final structure
        self.kvp: dict = {}
        self.data: dict = {}

    def seed_for(self, name: str) -> int:
        return derived_seed(self.seed, name)

    @property
    def model(self):
        """SpinModel of the current structure, compiled once per task."""
        if self._model is None:
            if self.atoms is None:
                raise StepUnavailable("a model step needs the 'structure' step first")
            from atomspin.model import SpinModel
            m = self.recipe["model"]
            self._model = SpinModel.from_atoms(self.atoms, params=None if m["params"] == "auto" else m["params"],
                                               dipolar=m["dipolar"], neel_ks_meV=m["neel_ks_meV"],
                                               anisotropy_reference=(m["anisotropy_reference_K"]
                                                                     if m["anisotropy_reference_K"] > 0 else "T0"),
                                               seed=self.seed_for("model"))
        return self._model


def _scalar_items(d: dict, prefix: str = "") -> dict:
    """Flatten a describe()-like dict to ase.db-storable scalars (keys made identifier-safe)."""
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        key = "".join(c if (c.isalnum() or c == "_") else "_" for c in str(key))
        if isinstance(v, dict):
            out.update(_scalar_items(v, key + "_"))
        elif isinstance(v, (bool, np.bool_)):
            out[key] = bool(v)
        elif isinstance(v, (int, np.integer)):
            out[key] = int(v)
        elif isinstance(v, (float, np.floating)):
            out[key] = float(v)
        elif isinstance(v, str) and len(v) <= 200:
            out[key] = v
    return out


def _apb_plane(ctx: Context):
    """(unit normal, point in Å) of the recipe's APB plane: through the particle centre + offset."""
    apb = ctx.recipe["defects"]["apb"]
    n = np.asarray(apb["plane"], dtype=float)
    n /= np.linalg.norm(n)
    centre = np.asarray(json.loads(ctx.atoms.info["shape"])["center_A"], dtype=float)
    return n, centre + 10.0 * apb["offset_nm"] * n


def step_structure(ctx: Context) -> None:
    """Build the particle, add vacancies and the APB, and describe it."""
    from atomspin.structures import add_vacancies, build_particle, describe, insert_apb, label_surface

    st, de = ctx.recipe["structure"], ctx.recipe["defects"]
    atoms = build_particle(st["phase"], st["shape"], st["diameter_nm"], seed=ctx.seed_for("structure"))
    vac = de["vacancies"]
    if vac["delta"] > 0:
        atoms = add_vacancies(atoms, vac["delta"], mode=vac["mode"], shell_nm=vac["shell_nm"],
                              seed=ctx.seed_for("vacancies"))
    ctx.atoms = atoms
    if de["apb"]["enabled"]:
        n, point = _apb_plane(ctx)
        ctx.atoms = insert_apb(atoms, plane=tuple(de["apb"]["plane"]), point=tuple(point),
                               seed=ctx.seed_for("apb"))
    ctx.atoms = label_surface(ctx.atoms, thickness_nm=st["surface_depth_nm"])
    desc = describe(ctx.atoms)
    ctx.results["structure"] = desc
    ctx.kvp.update({f"s_{k}": v for k, v in _scalar_items(desc).items()})
    ctx.kvp["n_magnetic"] = int(np.sum(ctx.atoms.arrays["moment_muB"] > 0))


def step_tc(ctx: Context) -> None:
    """Temperature sweep (cooling); Curie temperature from the susceptibility peak."""
    from atomspin.measure import tc_chi_peak, temperature_sweep

    p = ctx.recipe["protocol"]["tc"]
    temps = np.linspace(p["T_max_K"], p["T_min_K"], p["n_T"])  # cooling
    res = temperature_sweep(ctx.model, temps, sweeps=p["sweeps"], equilibration_sweeps=p["sweeps"] // 2,
                            seed=ctx.seed_for("tc"))
    ctx.results["tc"] = res
    _absorb(ctx, "tc", res)
    ctx.kvp["Tc_K"] = float(tc_chi_peak(res.T, res.chi))


def step_disorder(ctx: Context) -> None:
    """Equilibrate at protocol.T_K in zero field, then the spin-disorder (canting) profiles."""
    from atomspin.engine import Simulation
    from atomspin.measure import distance_to_plane_nm, spin_disorder

    p = ctx.recipe["protocol"]
    sim = Simulation(ctx.model, p["T_K"], seed=ctx.seed_for("disorder"))
    sim.run(p["disorder"]["sweeps"])
    dist = None
    if ctx.recipe["defects"]["apb"]["enabled"]:
        n, point = _apb_plane(ctx)
        dist = np.abs(distance_to_plane_nm(ctx.model.positions, n, point))
    res = spin_disorder(ctx.model, spins=sim.spins, atoms=ctx.atoms, distance_nm=dist,
                        depth_bin_nm=p["disorder"]["bin_nm"], distance_bin_nm=p["disorder"]["bin_nm"])
    ctx.results["disorder"] = res
    _absorb(ctx, "disorder", res)
    ctx.kvp["mean_canting_deg"] = float(res.mean_canting_deg)
    ctx.spins = sim.spins


def step_loop(ctx: Context) -> None:
    """M(H) loop at protocol.T_K: +B_max → −B_max → +B_max."""
    from atomspin.measure import hysteresis_loop, loop_fields

    p = ctx.recipe["protocol"]
    lp = p["loop"]
    res = hysteresis_loop(ctx.model, p["T_K"], loop_fields(lp["B_max_T"], lp["n_fields"]),
                          direction=tuple(lp["direction"]), n_orientations=lp["n_orientations"] or None,
                          sweeps_per_point=lp["sweeps"], seed=ctx.seed_for("loop"),
                          collective_every=lp["collective_every"])
    ctx.results["loop"] = res
    _absorb(ctx, "loop", res)
    ctx.kvp.update(Hc_A_per_m=float(res.Hc_A_per_m), Bc_T=float(res.Bc_T), Mr=float(res.Mr),
                   Ms_A_per_m=float(np.max(np.abs(res.M_A_per_m))),
                   loop_area_J_per_m3=float(res.loop_area_J_per_m3))


def step_kv(ctx: Context) -> None:
    """Effective anisotropy K_eff·V and the barrier from constrained Monte Carlo torques."""
    from atomspin.measure import effective_anisotropy

    p = ctx.recipe["protocol"]
    kv = p["kv"]
    res = effective_anisotropy(ctx.model, p["T_K"], easy_axis=tuple(kv["easy_axis"]),
                               plane_normal=tuple(kv["plane_normal"]), n_angles=kv["n_angles"],
                               sweeps=kv["sweeps"], equilibration_sweeps=kv["sweeps"] // 2,
                               observe_every=max(1, min(10, kv["sweeps"] // 10)), seed=ctx.seed_for("kv"))
    ctx.results["kv"] = res
    _absorb(ctx, "kv", res)
    ctx.kvp.update(KV_J=float(res.KV_J), barrier_J=float(res.barrier_J))
    ctx.kvp["K_eff_J_per_m3"] = float(res.K_eff_J_per_m3)
    if p["T_K"] > 0:
        from atomspin.units import K_B
        ctx.kvp["barrier_over_kT"] = float(res.barrier_J) / (K_B * p["T_K"])


def _ms_estimate(ctx: Context) -> float:
    """Ms(T) in A/m for the SAR models: |M| at the loop's largest field if a loop ran, else the
    constrained-MC magnetisation of the K_eff step times the T = 0 moment Σm_i μB / V."""
    from atomspin.units import MU_B

    if "loop" in ctx.results:
        ctx.kvp["Ms_source"] = "loop M at B_max"
        return float(np.max(np.abs(ctx.results["loop"].M_A_per_m)))
    kv = ctx.results["kv"]
    m = float(np.mean(np.abs(kv.m_constrained)))
    ms = m * float(np.sum(ctx.model.moments)) * MU_B / float(ctx.model.volume_m3)
    ctx.kvp["Ms_source"] = "kv constrained m x Ms(0)"
    ctx.kvp["Ms_A_per_m"] = ms
    return ms


def step_sar(ctx: Context) -> None:
    """SAR (W/g) and ILP at the drive (f, H0) from the K_eff and loop results."""
    from atomspin.sar import particle_from_measurements, sar_from_particle

    p = ctx.recipe["protocol"]
    sp = p["sar"]
    Ms = _ms_estimate(ctx)
    if "kv" in ctx.results:
        kv = ctx.results["kv"]
        barrier = float(kv.barrier_J)
        if not (np.isfinite(barrier) and barrier > 0):
            ctx.kvp.update(SAR_W_per_g=float("nan"), ILP_nHm2_per_kg=float("nan"),
                           sar_note=f"not computed: the measured barrier {barrier:.3g} J is not positive; "
                                    "increase protocol.kv.sweeps")
            return
        kv_mev, kv_err = float(kv.KV_meV), float(kv.KV_err_meV)
        if not kv_mev > 2 * kv_err:
            ctx.kvp["sar_note"] = (f"K_eff for SAR = barrier/V; the 2-theta torque amplitude {kv_mev:.3g} +- "
                                   f"{kv_err:.2g} meV is not resolved (cubic particles have little 2-theta torque)")
    particle = particle_from_measurements(anisotropy=ctx.results.get("kv"), loop=ctx.results.get("loop"),
                                          T_K=p["T_K"] or 300.0, Ms_A_per_m=Ms, volume_m3=float(ctx.model.volume_m3))
    res = sar_from_particle(particle, f=sp["f_Hz"], H0=sp["H0_A_per_m"], tau0=sp["tau0_s"], model=sp["model"],
                            seed=ctx.seed_for("sar"), allow_nonclinical=True)
    ctx.results["sar"] = res
    _absorb(ctx, "sar", res)
    ctx.kvp.update(SAR_W_per_g=float(res.sar_W_per_g), ILP_nHm2_per_kg=float(res.ilp_nHm2_per_kg),
                   sar_model=str(res.model))


STEP_FUNCS = {"structure": step_structure, "tc": step_tc, "disorder": step_disorder, "loop": step_loop,
              "kv": step_kv, "sar": step_sar}


def _absorb(ctx: Context, name: str, res) -> None:
    """Scalars of a result go to key-value pairs ``<name>_<key>``; 1-D numeric arrays to ``data[name]``.

    Wall-clock fields (``elapsed*``) are left out so that the same seed gives identical rows.
    """
    d = res.to_dict() if hasattr(res, "to_dict") else (res if isinstance(res, dict) else {"value": res})
    if not isinstance(d, dict):
        return
    d = {k: v for k, v in d.items() if "elapsed" not in str(k)}
    arrays = {}
    for k, v in d.items():
        a = v
        if isinstance(v, (list, tuple)) and v and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                       for x in v):
            a = np.asarray(v, dtype=float)
        if isinstance(a, np.ndarray) and a.ndim >= 1 and a.size and np.issubdtype(a.dtype, np.number):
            arrays[k] = a
    ctx.kvp.update({f"{name}_{k}": v for k, v in _scalar_items(
        {k: v for k, v in d.items() if k not in arrays}).items()})
    if arrays:
        ctx.data[name] = arrays


def base_kvp(task: dict) -> dict:
    """Key-value pairs every row carries: identity and the swept/defect parameters."""
    r = task["recipe"]
    return {
        "task_hash": task["hash"], "study": r["meta"]["name"], "variant": task["variant"],
        "phase": r["structure"]["phase"], "shape": r["structure"]["shape"],
        "diameter_nm": float(r["structure"]["diameter_nm"]), "delta": float(r["defects"]["vacancies"]["delta"]),
        "apb": bool(r["defects"]["apb"]["enabled"]),
        "apb_plane": "({})".format("".join(str(h) for h in r["defects"]["apb"]["plane"]))
        if r["defects"]["apb"]["enabled"] else "none",
        "T_K": float(r["protocol"]["T_K"]), "seed": int(task["seed"]), "params": r["model"]["params"],
        "steps": ",".join(r["protocol"]["steps"]),
    }


def run_task(task: dict) -> dict:
    """Run the protocol steps of one task (on a worker) and return a small, picklable result.

    Returns
    -------
    dict
        ``{"hash", "kvp": {...}, "data": {...}, "atoms": ase.Atoms or None, "recipe": {...},
        "elapsed_s": float}``.
    """
    t0 = time.perf_counter()
    ctx = Context(task)
    ctx.kvp.update(base_kvp(task))
    steps = [s for s in STEPS if s in task["recipe"]["protocol"]["steps"]]
    for s in steps:
        miss = missing_api(s)
        if miss:
            raise StepUnavailable(f"step {s!r} needs {', '.join(miss)}, which is not available")
        t_step = time.perf_counter()
        STEP_FUNCS[s](ctx)
        ctx.timings[s] = time.perf_counter() - t_step
    atoms = ctx.atoms
    if atoms is not None:
        atoms = atoms.copy()
        m = ctx._model
        if m is not None and m.atom_index is not None:
            # ase.db keeps only collinear magnetic moments: the (N, 3) spin state goes to data
            spins = ctx.spins if ctx.spins is not None else m.spins
            ctx.data["final_state"] = {"atom_index": np.asarray(m.atom_index, dtype=np.int64),
                                       "spins": np.asarray(spins, dtype=float),
                                       "moments_muB": np.asarray(m.moments, dtype=float)}
        # string labels do not survive ase.db; keep them (and the other per-atom labels) in data
        labels = {k: np.asarray(v) for k, v in atoms.arrays.items() if k not in ("numbers", "positions")}
        ctx.data["atoms_labels"] = {k: (v.astype(str).tolist() if v.dtype.kind in "US" else v)
                                    for k, v in labels.items() if v.dtype.kind in "USbif"}
    return {"hash": task["hash"], "kvp": ctx.kvp, "data": ctx.data, "atoms": atoms,
            "recipe": task["recipe"], "elapsed_s": time.perf_counter() - t0, "timings": ctx.timings}
