"""Recipes → tasks, task identity, and running the study steps of one task.

A *task* is a plain, picklable dict::

    {"hash": "1f0c…", "variant": "vacancies", "point": {"defects.vacancies.delta": 0.1},
     "seed": 1, "recipe": <fully resolved recipe, every key present>}

``hash`` is the SHA-256 (16 hex digits) of the resolved recipe without ``meta`` plus the seed, so a task
keeps its identity across reruns, renames of the study and re-orderings of the sweep; this is what makes
sweeps resumable. The study steps are registered in :mod:`atomspin.batch.steps` (one module each);
:func:`run_task` runs those of the recipe in registry order and returns a small result dict that the driver
stores.
"""
from __future__ import annotations

import copy
import hashlib
import importlib
import json
import time

import numpy as np

from atomspin.batch.context import Context, StepUnavailable, derived_seed
from atomspin.batch.schema import RecipeError, _grid, set_path, validate_recipe
from atomspin.batch.steps import REGISTRY, STEPS

__all__ = ["expand", "task_hash", "run_task", "available_steps", "missing_api", "StepUnavailable",
           "derived_seed", "Context", "check_steps_available", "warmups"]


def _resolve_api(spec: str):
    mod, attr = spec.split(":")
    obj = importlib.import_module(mod)
    for a in attr.split("."):
        obj = getattr(obj, a)
    return obj


def missing_api(step: str) -> list:
    """API entries (``module:attr``) that ``step`` needs and that cannot be imported now."""
    out = []
    for spec in REGISTRY[step].api:
        try:
            _resolve_api(spec)
        except Exception:  # ImportError, AttributeError, or an error inside a half-written module
            out.append(spec)
    return out


def available_steps() -> list:
    """Study steps whose layer functions are importable in this installation."""
    return [s for s in STEPS if not missing_api(s)]


def check_steps_available(steps) -> None:
    """Raise :class:`RecipeError` (``protocol.steps: …``) if a requested step cannot run here."""
    for s in steps:
        miss = missing_api(s)
        if miss:
            raise RecipeError("protocol.steps", f"step {s!r} is not available in this installation "
                              f"(missing {', '.join(miss)})")


def warmups(tasks) -> list:
    """The kernel warm-ups (``WARMUP`` of each step module, as callables) of the steps these tasks run, in step
    order; a warm-up whose function cannot be imported is left out (the step itself reports it)."""
    used = {s for t in tasks for s in t["recipe"]["protocol"]["steps"]}
    out = []
    for name in STEPS:
        spec = REGISTRY[name].warmup
        if name in used and spec:
            try:
                out.append(_resolve_api(spec))
            except Exception:  # noqa: BLE001 - ImportError/AttributeError: nothing to warm
                pass
    return out


# ---------------------------------------------------------------------------------------------------------
def task_hash(recipe: dict, seed: int) -> str:
    """16-hex-digit identity of a task: SHA-256 of the resolved recipe (without ``meta``, and without the
    ``protocol.<step>`` tables of registered steps the recipe does not run, and without the ``hash_neutral``
    keys that hold their default) and the seed. A new study step, or a new key of a step, therefore changes only
    the hashes of the recipes that run that step; a new hash-neutral key changes none until it is set."""
    from atomspin.batch.schema import hash_neutral_paths

    body = copy.deepcopy({k: v for k, v in recipe.items() if k != "meta"})
    for path, default in hash_neutral_paths().items():
        *head, last = path.split(".")
        table = body
        for h in head:
            table = table.get(h) if isinstance(table, dict) else None
        if isinstance(table, dict) and last in table and table[last] == default:
            del table[last]
    proto = body.get("protocol")
    if isinstance(proto, dict):
        used = set(proto.get("steps", ()))
        body["protocol"] = {k: v for k, v in proto.items() if not (k in REGISTRY and k not in used)}
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
    for vi, var in enumerate(v["variants"]):
        for point in _grid(v["axes"]):
            r = copy.deepcopy(v["base"])
            for path, value in {**var["overrides"], **point}.items():
                set_path(r, path, value)
            for seed in v["seeds"]:
                h = task_hash(r, seed)
                if h in seen:
                    continue
                seen.add(h)
                tasks.append({"hash": h, "variant": var["name"], "variant_index": vi, "point": dict(point),
                              "seed": int(seed), "recipe": r})
    return tasks


# ---------------------------------------------------------------------------------------------------------
def base_kvp(task: dict) -> dict:
    """Key-value pairs every row carries: identity and the swept/defect parameters."""
    r = task["recipe"]
    return {
        "task_hash": task["hash"], "study": r["meta"]["name"], "variant": task["variant"],
        "variant_index": int(task.get("variant_index", 0)),
        "phase": r["structure"]["phase"], "shape": r["structure"]["shape"],
        "diameter_nm": float(r["structure"]["diameter_nm"]), "delta": float(r["defects"]["vacancies"]["delta"]),
        "apb": bool(r["defects"]["apb"]["enabled"]),
        "apb_plane": "({})".format("".join(str(h) for h in r["defects"]["apb"]["plane"]))
        if r["defects"]["apb"]["enabled"] else "none",
        "T_K": float(r["protocol"]["T_K"]), "seed": int(task["seed"]), "params": r["model"]["params"],
        "steps": ",".join(r["protocol"]["steps"]),
    }


def run_task(task: dict) -> dict:
    """Run the study steps of one task (on a worker) and return a small, picklable result.

    Returns
    -------
    dict
        ``{"hash", "kvp": {...}, "data": {...}, "atoms": ase.Atoms or None, "recipe": {...},
        "elapsed_s": float, "timings": {step: s}}``.
    """
    from atomspin.batch.progress import TaskProgress, current_sink

    t0 = time.perf_counter()
    ctx = Context(task)
    ctx.kvp.update(base_kvp(task))
    steps = [s for s in STEPS if s in task["recipe"]["protocol"]["steps"]]
    sink = current_sink()
    prog = TaskProgress(task, sink) if sink is not None else None
    with _metered(prog):
        for s in steps:
            miss = missing_api(s)
            if miss:
                raise StepUnavailable(f"step {s!r} needs {', '.join(miss)}, which is not available")
            if prog is not None:
                prog.step(s)
            t_step = time.perf_counter()
            REGISTRY[s].run(ctx)
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
        # atoms.info (shape, recorded defects: vacancy sites, plane defects) for pictures of the stored row
        ctx.data["atoms_info"] = {"json": [json.dumps(_jsonable_info(atoms.info))]}
    return {"hash": task["hash"], "kvp": ctx.kvp, "data": ctx.data, "atoms": atoms,
            "recipe": task["recipe"], "elapsed_s": time.perf_counter() - t0, "timings": ctx.timings}


def _jsonable_info(info: dict) -> dict:
    out = {}
    for k, v in info.items():
        if isinstance(v, (str, bool, int, float)) or v is None:
            out[str(k)] = v
        elif isinstance(v, (np.integer, np.floating, np.bool_)):
            out[str(k)] = v.item()
    return out


def _metered(prog):
    """Context counting the task's Monte Carlo sweeps into ``prog`` (nothing when None)."""
    import contextlib

    if prog is None:
        return contextlib.nullcontext()
    try:
        from atomspin.engine.meter import sweep_meter
    except ImportError:  # no engine here: the steps that need it say so themselves
        return contextlib.nullcontext()
    return sweep_meter(prog.add)


def __getattr__(name):  # the step functions of earlier versions: tasks.step_<name>(ctx)
    if name.startswith("step_") and name[5:] in REGISTRY:
        return REGISTRY[name[5:]].run
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
