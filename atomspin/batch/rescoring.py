"""Recomputing the SAR columns of stored rows from their stored landscapes (``atomspin rescore``).

A sweep row holds the measured landscape of its particle (the ``landscape`` step: the fitted F(n̂) coefficients,
volume, zero-field Ms, barrier and their errors) and the SAR columns the ``sar`` step computed from it. When the
SAR code changes (a model, its error propagation), or the SAR is wanted at another drive (f, H0) or in another
medium, :func:`rescore` runs the ``sar`` step again on every stored row — the registered step itself
(:mod:`atomspin.batch.steps.sar`), on a :class:`~atomspin.batch.context.Context` holding the row's stored
landscape (:func:`atomspin.batch.steps.landscape.restore`), its key-value pairs and its task's seed — and updates
the row in place. No Monte Carlo is run.

Which rows
    Those of the recipe's tasks. A row belongs to a task when its stored recipe (``recipe_json``), with the keys
    added to the schema since it was written filled with their defaults, is the task's recipe apart from
    ``protocol.sar`` (and ``meta``): editing the recipe's ``[protocol.sar]`` table, or passing ``f_Hz``,
    ``H0_A_per_m`` or ``media``, selects the same rows and changes only the SAR settings. Rows of other recipes
    are left alone (counted in the summary).

What a row keeps
    Its id, ``unique_id`` and ``task_hash`` (the identity of its Monte Carlo task: rerunning the sweep still
    skips it), its structure and arrays, and ``recipe_json`` (the recipe the Monte Carlo ran with).

What a row gets
    Every SAR column (keys starting ``SAR_``, ``ILP_``, ``sar_``, and ``Ms_source``) is replaced by those the
    step writes now (columns the new settings no longer produce, e.g. ``SAR_water_*`` after ``media =
    ["immobilised"]``, are deleted); ``sar_code_version`` (the code, :func:`~atomspin.batch.steps.sar.
    code_version`), ``sar_rescored_utc`` (when), ``sar_settings_json`` (the ``protocol.sar`` table used) and
    ``sar_rescore_key``; the row's checksum is recomputed. A corrupted row (failed checksum) is not touched:
    rerun the sweep to recompute it.

Resumable and idempotent
    Each row is updated in one transaction. A row whose SAR columns this code computed with these settings is up
    to date and skipped (its ``sar_rescore_key``; or a sweep row written by this code with the same
    ``protocol.sar``): an interrupted rescore, rerun, does only the rows left, and a second rescore changes
    nothing. ``force=True`` recomputes every row (the same numbers: the step is deterministic for a task's seed).
"""
from __future__ import annotations

import copy
import hashlib
import json
import time
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["rescore", "rescore_row", "RescoreSummary", "measurement_hash", "SAR_KEY_PREFIXES"]

#: row keys that belong to the SAR step (replaced by a rescore): these prefixes, and ``Ms_source``
SAR_KEY_PREFIXES = ("SAR_", "ILP_", "sar_")
_SAR_KEYS = ("Ms_source",)


def _owned(key: str) -> bool:
    return key.startswith(SAR_KEY_PREFIXES) or key in _SAR_KEYS


class RescoreSummary(dict):
    """``{"tasks", "rows", "rescored", "up_to_date", "missing", "other_rows", "no_landscape": [(row id, message)],
    "corrupted": [(row id, hash, problem)], "failed": [(row id, message)], "changes": [...], "cpu_s", "elapsed_s"}``.

    ``tasks``: tasks of the recipe; ``rows``: rows matched to them; ``missing``: tasks without a row (run the sweep);
    ``other_rows``: rows of the database that are not tasks of the recipe (left alone). ``rescored + up_to_date +
    len(no_landscape) + len(failed) == rows``. ``changes``: one dict per rescored row, ``{"row_id", "task_hash",
    "variant", "seed", "old": {key: value}, "new": {key: value}}`` over the ``SAR_*``/``ILP_*`` columns.
    ``cpu_s``: CPU seconds the SAR step took (summed over the processes that ran it).
    """


def measurement_hash(recipe: dict, seed: int) -> str:
    """The task hash of ``recipe`` without its ``protocol.sar`` table: the identity of the Monte Carlo a row
    holds, whatever SAR settings it was scored with (:func:`atomspin.batch.tasks.task_hash`)."""
    from atomspin.batch.tasks import task_hash

    body = copy.deepcopy(recipe)
    proto = body.get("protocol")
    if isinstance(proto, dict):
        proto.pop("sar", None)
    return task_hash(body, seed)


def _stored_measurement_hash(row):
    """:func:`measurement_hash` of a row's stored recipe, with the keys added to the schema since filled with
    their defaults; None when the row has no readable recipe."""
    from atomspin.batch.schema import resolve

    try:
        stored = resolve(json.loads(row.data["recipe_json"]))
        return measurement_hash(stored, int(row.key_value_pairs["seed"])), stored
    except Exception:  # noqa: BLE001 - a row without a readable recipe matches no task
        return None, None


def _rescore_key(mhash: str, sar_table: dict, code: str) -> str:
    text = json.dumps({"measurement": mhash, "sar": sar_table, "code": code}, sort_keys=True)
    return "k" + hashlib.sha256(text.encode()).hexdigest()[:16]  # a letter first: never read as a number


def _check_settings(f_Hz, H0_A_per_m, media, workers) -> dict:
    """The ``protocol.sar`` overrides, validated against the sar step's schema ranges (one ValueError each)."""
    from atomspin.batch.steps import sar as sar_step
    from atomspin.validation import check_choice, check_int, check_real

    out = {}
    for name, value in (("f_Hz", f_Hz), ("H0_A_per_m", H0_A_per_m)):
        if value is not None:
            f = sar_step.SCHEMA[name]
            out[name] = check_real(name, value, f.lo, f.hi, lo_open=f.lo_open, hi_open=f.hi_open)
    if media is not None:
        media = [media] if isinstance(media, str) else media
        try:
            media = list(media)
        except TypeError:
            raise ValueError(f"media: {media!r} is not a list of media ({', '.join(sar_step.MEDIA)})") from None
        if not media:
            raise ValueError(f"media: empty; give one or more of {', '.join(sar_step.MEDIA)}")
        for m in media:
            check_choice("media", m, sar_step.MEDIA)
        if len(set(media)) != len(media):
            raise ValueError(f"media: {media} names a medium twice")
        out["media"] = media
    check_int("workers", workers, 1, 256)
    return out


def _open_store(db):
    from atomspin.batch.store import ResultStore, StoreError

    if "://" not in str(db):
        p = Path(str(db)).expanduser()
        if not (p.is_file() and p.stat().st_size > 0):
            raise StoreError(f"db: {str(db)!r} {'is empty' if p.is_file() else 'does not exist'}; rescore updates "
                             "the rows of a sweep's database (atomspin sweep RECIPE --db DB writes one)")
    return ResultStore(db, mode="w")


def rescore_row(job: dict) -> dict:
    """Run the ``sar`` step on one stored row (on a worker, or in this process).

    ``job``: ``{"row_id", "hash", "variant", "seed", "recipe": the task's resolved recipe with the SAR settings,
    "kvp": the row's non-SAR key-value pairs, "landscape": StoredLandscape}``. Returns ``{"row_id", "kvp": the SAR
    columns the step wrote, "cpu_s"}``.
    """
    from atomspin.batch.context import Context
    from atomspin.batch.steps import REGISTRY

    t0 = time.process_time()
    ctx = Context({"hash": job["hash"], "variant": job.get("variant", ""), "seed": job["seed"],
                   "recipe": job["recipe"]})
    ctx.kvp.update(job["kvp"])  # the row as the sweep's sar step saw it
    ctx.results["landscape"] = job["landscape"]
    REGISTRY["sar"].run(ctx)
    return {"row_id": job["row_id"], "kvp": {k: v for k, v in ctx.kvp.items() if _owned(k)},
            "cpu_s": time.process_time() - t0}


def _write(store, row_id: int, new: dict) -> dict:
    """Replace the SAR columns of row ``row_id`` by ``new`` in one transaction, checksum recomputed; return the
    old SAR columns."""
    from atomspin.batch import rowcodec as rc
    from atomspin.batch.store_open import retrying

    new = {rc.storable_key(k): rc.storable_value(v) for k, v in new.items()}
    old = {}

    def go():
        row = store.db.get(id=int(row_id))
        problem = store.check(row)
        if problem is not None:
            raise RuntimeError(f"row {row_id} is corrupted ({problem}); not updated")
        kvp = dict(row.key_value_pairs)
        old.clear()
        old.update({k: v for k, v in kvp.items() if _owned(k)})
        delete = [k for k in kvp if _owned(k) and k not in new]
        merged = {k: v for k, v in kvp.items() if k not in delete}
        merged.update(new)
        data = dict(row.data or {})
        full = store._full_data(row, merged, data)
        checksum = rc.row_checksum({**merged, "npz_file": ""} if merged.get("npz_file") else merged, full,
                                   row.numbers, row.positions, row.cell, row.pbc)
        store.db.update(int(row_id), delete_keys=delete, data={"checksum": checksum}, **new)

    retrying(go)
    return old


def _headline(kvp: dict) -> dict:
    return {k: v for k, v in kvp.items() if k.startswith(("SAR_", "ILP_"))}


def rescore(recipe, db, *, f_Hz=None, H0_A_per_m=None, media=None, workers: int = 1, scheduler=None,
            scheduler_file=None, force: bool = False, progress: bool = False, log=None) -> RescoreSummary:
    """Recompute the SAR columns of the rows of ``db`` that are tasks of ``recipe``, from their stored landscapes,
    with the ``sar`` step of this code (module docstring), and update the rows in place.

    Parameters
    ----------
    recipe : str, path or dict
        The recipe the database was swept with (its ``[protocol.sar]`` table gives the SAR settings; it may differ
        from the one the rows were scored with).
    db : str or path
        The sweep's database (SQLite file, or a ``postgresql://`` URL); it must exist.
    f_Hz : float, optional
        Drive frequency f in Hz (overrides ``protocol.sar.f_Hz``), in (0, 1e8].
    H0_A_per_m : float, optional
        Drive amplitude H0 in A/m (overrides ``protocol.sar.H0_A_per_m``), in (0, 1e6].
    media : str or list of str, optional
        Media (overrides ``protocol.sar.media``): ``"immobilised"`` (Néel only), ``"water"`` (37 °C, Néel +
        Brownian).
    workers : int
        Processes: 1 (default) runs the rows in this process; more start a local Dask cluster.
    scheduler, scheduler_file : str, optional
        A running Dask scheduler (as for ``atomspin sweep``).
    force : bool
        Recompute rows that are up to date too.
    progress : bool
        Progress line on stderr (rows done, ETA).
    log : callable, optional
        ``log(str)`` for one-line messages about rows that are not rescored.

    Returns
    -------
    RescoreSummary

    Raises
    ------
    ValueError
        Before any work: an argument outside its range, a medium not in ``immobilised``/``water``, a recipe
        without the ``landscape`` and ``sar`` steps (:class:`~atomspin.batch.schema.RecipeError`), a missing or
        unusable database (:class:`~atomspin.batch.store.StoreError`).
    """
    from atomspin.batch.recipe import load_recipe
    from atomspin.batch.runner import _Bar
    from atomspin.batch.schema import RecipeError
    from atomspin.batch.steps import REGISTRY
    from atomspin.batch.steps import landscape as land_step
    from atomspin.batch.steps.sar import code_version
    from atomspin.batch.tasks import expand

    t_start = time.time()
    overrides = _check_settings(f_Hz, H0_A_per_m, media, workers)
    raw = load_recipe(recipe) if not isinstance(recipe, dict) else recipe
    tasks = expand(raw)
    steps = tasks[0]["recipe"]["protocol"]["steps"] if tasks else []
    if "sar" not in steps or "landscape" not in steps:
        raise RecipeError("protocol.steps", "rescore recomputes the sar step from the stored landscape: the recipe "
                          f"needs both 'landscape' and 'sar' (it has {', '.join(steps)})")
    by_hash, by_mhash = {}, {}
    for t in tasks:
        r = copy.deepcopy(t["recipe"])
        r["protocol"]["sar"].update(copy.deepcopy(overrides))
        REGISTRY["sar"].check(r)  # e.g. a medium the recipe's steps cannot score
        by_hash[t["hash"]] = (t, r)
        by_mhash.setdefault(measurement_hash(t["recipe"], t["seed"]), []).append((t, r))
    store = _open_store(db)
    code = code_version()

    summary = RescoreSummary(tasks=len(tasks), rows=0, rescored=0, up_to_date=0, missing=0, other_rows=0,
                             no_landscape=[], corrupted=[], failed=[], changes=[], cpu_s=0.0, elapsed_s=0.0)
    say = log or (lambda msg: None)
    jobs, seen = [], set()
    for rid in store.ids():  # one row in memory at a time
        try:
            row = store.db.get(id=rid)
        except Exception as err:  # noqa: BLE001 - an undecodable row is a corrupted row
            store.corrupted[rid] = (None, f"unreadable ({type(err).__name__})")
            continue
        if store.check(row) is not None:
            continue
        kvp = dict(row.key_value_pairs)
        h = store.task_hash(row)
        mh, stored = _stored_measurement_hash(row)
        match = by_hash.get(h)
        if match is None:  # the SAR settings (or keys added since) differ: the same Monte Carlo?
            cands = by_mhash.get(mh, [])
            if len(cands) > 1:  # tasks that differ only in protocol.sar: the one the row was scored with
                cands = [c for c in cands if stored and c[0]["recipe"]["protocol"]["sar"] == stored["protocol"]["sar"]]
            if len(cands) != 1:
                summary["other_rows"] += 1
                if mh in by_mhash:
                    say(f"row {rid} (task {h}): matches {len(by_mhash[mh])} tasks of the recipe that differ only in "
                        "protocol.sar, none scored as it was; not rescored")
                continue
            match = cands[0]
        task, r = match
        seen.add(task["hash"])
        summary["rows"] += 1
        label = f"row {rid} ({task['variant']}, seed {task['seed']}, task {h})"
        key = _rescore_key(mh, r["protocol"]["sar"], code)
        fresh_sweep_row = ("sar_rescore_key" not in kvp and kvp.get("sar_code_version") == code
                           and stored is not None and stored.get("protocol", {}).get("sar") == r["protocol"]["sar"])
        if not force and (kvp.get("sar_rescore_key") == key or fresh_sweep_row):
            summary["up_to_date"] += 1
            continue
        try:
            land = land_step.restore(kvp, store.arrays(row))
        except ValueError as err:
            msg = f"{label}: {str(err).splitlines()[0]}; not rescored"
            summary["no_landscape"].append((int(rid), msg))
            say(msg)
            continue
        jobs.append({"row_id": int(rid), "hash": h, "variant": task["variant"], "seed": int(task["seed"]),
                     "recipe": r, "landscape": land, "label": label, "key": key,
                     "kvp": {k: v for k, v in kvp.items() if not _owned(k)}})
    for rid, (h, why) in sorted(store.corrupted.items()):
        summary["corrupted"].append((rid, h, why))
        say(f"db: row {rid} (task {h}) is corrupted ({why}); not rescored: rerun the sweep to recompute it")
    summary["missing"] = len(set(by_hash) - seen)

    bar = _Bar(len(jobs), progress, label="rows")
    by_id = {j["row_id"]: j for j in jobs}

    def record(res=None, job=None, err=None):
        job = job or by_id[res["row_id"]]
        if err is not None:
            msg = f"{job['label']}: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            summary["failed"].append((job["row_id"], msg))
            say(msg)
        else:
            summary["cpu_s"] += float(res["cpu_s"])
            stamp = {"sar_rescored_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "sar_rescore_key": job["key"],
                     "sar_settings_json": json.dumps(job["recipe"]["protocol"]["sar"], sort_keys=True)}
            try:
                old = _write(store, job["row_id"], {**res["kvp"], **stamp})
            except Exception as werr:  # noqa: BLE001 - one row must not stop the others
                msg = f"{job['label']}: not stored ({type(werr).__name__}: {str(werr).splitlines()[0]})"
                summary["failed"].append((job["row_id"], msg))
                say(msg)
            else:
                summary["rescored"] += 1
                summary["changes"].append({"row_id": job["row_id"], "task_hash": job["hash"],
                                           "variant": job["variant"], "seed": job["seed"], "old": _headline(old),
                                           "new": _headline(res["kvp"])})
        bar.step(job["label"])

    try:
        if scheduler or scheduler_file or workers > 1:
            _run_on_dask(jobs, record, workers, scheduler, scheduler_file)
        else:
            for job in jobs:
                try:
                    res = rescore_row(job)
                except Exception as err:  # noqa: BLE001 - recorded per row
                    record(job=job, err=err)
                else:
                    record(res, job)
    finally:
        bar.close()
        summary["changes"].sort(key=lambda c: c["row_id"])
        summary["elapsed_s"] = time.time() - t_start
    return summary


def _run_on_dask(jobs, record, workers, scheduler, scheduler_file):
    """The jobs on Dask workers (a local cluster of ``workers`` processes, or a running scheduler); each result is
    written by this driver as it arrives."""
    from distributed import as_completed

    from atomspin.batch.runner import open_client, quiet_distributed

    if not jobs:
        return
    with quiet_distributed():
        client, cluster = open_client(scheduler=scheduler, scheduler_file=scheduler_file,
                                      workers=None if (scheduler or scheduler_file) else workers)
        try:
            with client.as_current():  # as_completed looks the client up
                futures = {client.submit(rescore_row, j, key=f"atomspin-rescore-{j['hash']}-{j['row_id']}",
                                         pure=False): j for j in jobs}
                for fut in as_completed(list(futures)):
                    job = futures[fut]
                    try:
                        res = fut.result()
                    except Exception as err:  # noqa: BLE001 - recorded per row
                        record(job=job, err=err)
                    else:
                        record(res, job)
                    fut.release()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
