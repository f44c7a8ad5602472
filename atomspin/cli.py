"""The ``atomspin`` command line.

::

    atomspin build RECIPE -o FILE.extxyz      structure only: extxyz + PNG cross-section + description
    atomspin run RECIPE [--db DB] [-o DIR]     one study, in this process; table + report
    atomspin sweep RECIPE --db DB [--scheduler tcp://host:8786 | --scheduler-file f.json] [--workers N]
    atomspin report DB [-o DIR] [--spins]      plots + summary table from a result database
    atomspin demo [--quick] [-o DIR]           does a defect raise or lower heating? 12 nm Fe3O4, the main job
    atomspin rescore RECIPE --db DB [--f-Hz F] [--H0-A-per-m H] [--medium M] [--workers N]
                                               SAR columns recomputed from the stored landscapes, rows updated
    atomspin validate RECIPE                   check a recipe and list its tasks
    atomspin schema                            every recipe key with type, range, default and source

Exit codes: 0 ok, 2 bad input (recipe, arguments, unreachable scheduler), 1 unexpected error or failed
tasks. Errors are one line; set ``ATOMSPIN_DEBUG=1`` for a traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2


class _UsageError(Exception):
    """Bad command-line arguments (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump on stderr noise
        raise _UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="atomspin", description="Atomistic spin disorder in defected iron-oxide nanoparticles.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    b = sub.add_parser("build", help="build the structure of a recipe (extxyz + PNG cross-section)")
    b.add_argument("recipe")
    b.add_argument("-o", "--output", required=True, help="output .extxyz file (PNG written beside it)")
    b.add_argument("--variant", default=None, help="build only this variant (default: every variant, each "
                   "to its own file named after it)")
    b.add_argument("--seed", type=int, default=None, help="build the structure of this seed of the recipe's "
                   "[sweep] seeds (default: the first one; 'all' structures of every seed with --all-seeds)")
    b.add_argument("--all-seeds", action="store_true", help="build one structure per seed (files named -seed<s>)")
    b.add_argument("--spins", action="store_true", help="add the T = 0 ferrimagnetic spin directions per atom "
                   "(columns spins, dipoles, initial_magmoms: OVITO and ase gui show them in 3-D)")

    r = sub.add_parser("run", help="run one study in this process")
    r.add_argument("recipe")
    r.add_argument("--db", default=None, help="result database (default results/<name>.db)")
    r.add_argument("-o", "--output", default=None, help="report folder (default results/<name>_report)")
    r.add_argument("--no-progress", action="store_true")
    r.add_argument("--no-report", action="store_true", help="only the table, no report folder")
    r.add_argument("--threads", type=int, default=1,
                   help="numba threads in this process (default 1; more only pays for large particles)")
    r.add_argument("--memory", type=float, default=None, metavar="GiB",
                   help="memory the tasks may use, in GiB (default: what the machine has available now)")
    r.add_argument("--spins", action="store_true", help="also write each task's final spin state as extended "
                   "XYZ into <report>/spins/ (OVITO, ase gui)")

    s = sub.add_parser("sweep", help="run a sweep on Dask into an ase.db database")
    s.add_argument("recipe")
    s.add_argument("--db", required=True, help="SQLite file or postgresql:// URL")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--scheduler", default=None, help="address of a running scheduler, tcp://host:8786")
    g.add_argument("--scheduler-file", default=None, help="scheduler file of a running scheduler")
    s.add_argument("--workers", type=int, default=None, help="LocalCluster worker processes")
    s.add_argument("--retries", type=int, default=2, help="retries of a failing task (default 2)")
    s.add_argument("--connect-timeout", type=float, default=10.0,
                   help="seconds to wait for --scheduler / --scheduler-file (default 10)")
    s.add_argument("--worker-timeout", type=float, default=60.0,
                   help="seconds a scheduler may be without any worker before the sweep stops (default 60)")
    s.add_argument("--memory", type=float, default=None, metavar="GiB",
                   help="memory the local workers may use together, in GiB (default: what the machine has "
                        "available now); with --scheduler each worker's own memory limit counts")
    s.add_argument("--no-progress", action="store_true")

    rp = sub.add_parser("report", help="plots + summary table from a result database")
    rp.add_argument("db")
    rp.add_argument("-o", "--output", default=None, help="report folder (default: <database name>_report beside "
                    "an SQLite file, in the current folder for a server)")
    rp.add_argument("--spins", action="store_true", help="also write each row's final spin state as extended "
                    "XYZ into <report>/spins/ (OVITO, ase gui)")

    d = sub.add_parser("demo", help="do vacancies or an APB raise or lower the heating of a 12 nm Fe3O4 particle? "
                       "(measured landscape -> SAR at 310 K, 100 kHz, 15 kA/m, immobilised and in water)")
    d.add_argument("--quick", action="store_true", help="4 nm particle, short runs (CI; numbers not converged)")
    d.add_argument("-o", "--output", default="atomspin-demo", help="results folder (default ./atomspin-demo)")
    d.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    g = d.add_mutually_exclusive_group()
    g.add_argument("--scheduler", default=None)
    g.add_argument("--scheduler-file", default=None)
    d.add_argument("--worker-timeout", type=float, default=60.0,
                   help="seconds a scheduler may be without any worker before the demo stops (default 60)")
    d.add_argument("--memory", type=float, default=None, metavar="GiB",
                   help="memory the local workers may use together, in GiB (default: available now)")
    d.add_argument("--no-progress", action="store_true")

    rs = sub.add_parser("rescore", help="recompute the SAR columns of a sweep's database from its stored "
                        "landscapes (no Monte Carlo): after a change of the SAR code, or at another drive or medium")
    rs.add_argument("recipe", help="the recipe the database was swept with (its [protocol.sar] gives the settings)")
    rs.add_argument("--db", required=True, help="the sweep's database (SQLite file or postgresql:// URL)")
    rs.add_argument("--f-Hz", type=float, default=None, dest="f_Hz", metavar="HZ",
                    help="drive frequency f in Hz, (0, 1e8] (default: the recipe's protocol.sar.f_Hz)")
    rs.add_argument("--H0-A-per-m", type=float, default=None, dest="H0_A_per_m", metavar="A_PER_M",
                    help="drive amplitude H0 in A/m, (0, 1e6] (default: the recipe's protocol.sar.H0_A_per_m)")
    rs.add_argument("--medium", action="append", default=None, dest="media", metavar="MEDIUM",
                    help="immobilised or water; repeat for both (default: the recipe's protocol.sar.media)")
    rs.add_argument("--workers", type=int, default=1, help="processes (default 1: in this process)")
    g = rs.add_mutually_exclusive_group()
    g.add_argument("--scheduler", default=None, help="address of a running scheduler, tcp://host:8786")
    g.add_argument("--scheduler-file", default=None, help="scheduler file of a running scheduler")
    rs.add_argument("--force", action="store_true", help="recompute rows that are up to date too")
    rs.add_argument("--no-progress", action="store_true")

    v = sub.add_parser("validate", help="validate a recipe and list its tasks")
    v.add_argument("recipe")

    sub.add_parser("schema", help="list every recipe key")
    return p


def _out(msg: str = "") -> None:
    from atomspin.batch.redact import mask_secrets
    print(mask_secrets(msg), flush=True)


def _err(msg: str) -> None:
    from atomspin.batch.redact import mask_secrets
    print(f"atomspin: error: {mask_secrets(msg)}", file=sys.stderr, flush=True)


def _warn(msg: str) -> None:
    from atomspin.batch.redact import mask_secrets
    print(f"atomspin: {mask_secrets(msg)}", file=sys.stderr, flush=True)


def _check_workers(n):
    if n is not None and not (1 <= n <= 256):
        raise _UsageError(f"--workers: {n} is outside [1, 256]")


def _available(a):
    """Memory available to the tasks in bytes (``--memory`` in GB, else what the machine has now)."""
    from atomspin.batch.resources import available_memory_bytes

    gb = getattr(a, "memory", None)
    if gb is None:
        return available_memory_bytes()
    if not (0 < gb <= 1e6):
        raise _UsageError(f"--memory: {gb:g} is outside (0, 1e6] GiB")
    return gb * 2**30


def _steps_of(tasks) -> list:
    from atomspin.batch.schema import STEPS
    used = {s for t in tasks for s in t["recipe"]["protocol"]["steps"]}
    return [s for s in STEPS if s in used]


def _prepare(recipe_path):
    from atomspin.batch import expand, load_recipe
    from atomspin.batch.tasks import check_steps_available

    recipe = load_recipe(recipe_path)
    tasks = expand(recipe)
    check_steps_available(_steps_of(tasks))
    return recipe, tasks


def _summary_line(summary) -> str:
    extra = ""
    if summary.get("concurrent"):
        extra += f", {summary['concurrent']} written by another driver meanwhile"
    if summary.get("kept"):
        extra += f", {summary['kept']} kept for the next run (store busy)"
    return (f"{summary['written']} written, {summary['skipped']} already done{extra}, {len(summary['failed'])} "
            f"failed in {summary['elapsed_s']:.1f} s")


def _print_report(rep) -> None:
    """Table, conditions, legend and notes of a report (or of the rows, without a report folder)."""
    _out(rep["table"])
    if rep.get("conditions"):
        _out("conditions: " + "; ".join(rep["conditions"]))
    if rep.get("legend"):
        _out(rep["legend"])
    for n in rep.get("notes", []):
        _out(f"note: {n}")


def _finish(store, tasks, summary, report_dir, title, spins=False) -> int:
    from atomspin.batch.report import make_report, summarise

    hashes = [t["hash"] for t in tasks]
    if report_dir is None:
        _print_report(summarise(store, hashes))
    else:
        rep = make_report(store, report_dir, hashes=hashes, title=title, spins=spins)
        _print_report(rep)
    _out(f"\n{_summary_line(summary)}; database {store.display_url}" + (f"; report {report_dir}" if report_dir else ""))
    if summary["failed"]:
        for h, msg in summary["failed"]:
            _err(f"task {h} failed: {msg}")
        return EXIT_FAIL
    return EXIT_OK


# ---------------------------------------------------------------------------------------------------------
#: what the numbers `atomspin build` prints mean (structures.describe)
DESCRIBE_NOTES = {
    "n_atoms": "atoms in the particle",
    "formula_per_fu": "cations per formula unit of the phase",
    "net_moment_muB": "net moment of the T = 0 ferrimagnetic order (A antiparallel to B)",
    "moment_per_fu_muB": "the same per formula unit (magnetite bulk: 4 μB)",
    "vacancy_fraction": "vacant / ideal B sites",
    "charge_e": "sum of the formal valences: a cut particle is not neutral (its surface termination decides "
                "the excess); not a defect",
    "charge_per_fu_e": "the same per formula unit (O-rich surfaces give < 0)",
    "charge_uncompensated_e": "charge the defect operations left uncompensated (0: every vacancy, substitution "
                              "and boundary was compensated)",
}


def _build_outputs(out: Path, tasks) -> list:
    """Output path per task: ``out`` for one task, else ``<stem>-<variant>[-<swept values>][-seed<s>]<suffix>``."""
    if len(tasks) == 1:
        return [out]
    from atomspin.batch.paths import safe_filename

    seeds = len({t["seed"] for t in tasks}) > 1
    paths = []
    for t in tasks:
        parts = [out.stem, safe_filename(t["variant"], "variant")]
        parts += [safe_filename(f"{k.rsplit('.', 1)[-1]}{v}") for k, v in t["point"].items()]
        if seeds:
            parts.append(f"seed{t['seed']}")
        paths.append(out.with_name("-".join(parts) + out.suffix))
    return paths


def cmd_build(a) -> int:
    from atomspin.batch import expand, load_recipe
    from atomspin.batch.steps import step
    from atomspin.batch.tasks import Context, check_steps_available
    from atomspin.structures import plot_particle, write_structure

    recipe = load_recipe(a.recipe)
    tasks = expand(recipe)
    check_steps_available(["structure"])
    if a.variant is not None:
        chosen = [t for t in tasks if t["variant"] == a.variant]
        if not chosen:
            names = sorted({t["variant"] for t in tasks})
            raise _UsageError(f"--variant: {a.variant!r} is not one of {', '.join(names)}")
        tasks = chosen
    seeds = list(dict.fromkeys(t["seed"] for t in tasks))
    if a.seed is not None:
        if a.seed not in seeds:
            raise _UsageError(f"--seed: {a.seed} is not one of the recipe's seeds {seeds}")
        tasks = [t for t in tasks if t["seed"] == a.seed]
    elif not a.all_seeds:
        tasks = [t for t in tasks if t["seed"] == seeds[0]]
    out = Path(a.output)
    if out.suffix.lower() not in (".extxyz", ".xyz"):
        raise _UsageError(f"-o: {a.output!r} must end in .extxyz or .xyz")
    if len(tasks) > 1:
        _out(f"{len(tasks)} structures ({', '.join(dict.fromkeys(t['variant'] for t in tasks))}); --variant "
             "builds one variant only")
    import matplotlib.pyplot as plt

    for task, path in zip(tasks, _build_outputs(out, tasks)):
        ctx = Context(task)
        step("structure").run(ctx)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_structure(ctx.atoms, path, model=ctx.model if a.spins else None)
        png = path.with_suffix(".png")
        defects = task["recipe"]["defects"]
        defected = defects["apb"]["enabled"] or defects["vacancies"]["delta"] > 0
        plt.close(plot_particle(ctx.atoms, color_by="defect" if defected else "sublattice", path=png))
        point = ", ".join(f"{k} = {v}" for k, v in task["point"].items())
        _out(f"{task['variant']}{' (' + point + ')' if point else ''} (task {task['hash']}, seed {task['seed']})")
        for k, v in ctx.results["structure"].items():
            note = DESCRIBE_NOTES.get(k)
            _out(f"  {k:28s} {v}" + (f"   # {note}" if note else ""))
        _out(f"wrote {path}{' (with the T = 0 ferrimagnetic spins)' if a.spins else ''} and {png}")
    return EXIT_OK


def cmd_run(a) -> int:
    from atomspin.batch import ResultStore, run_tasks
    from atomspin.batch.paths import safe_filename
    from atomspin.batch.resources import check_memory

    import numba

    recipe, tasks = _prepare(a.recipe)
    if a.spins and a.no_report:
        raise _UsageError("--spins: the spin states go into the report folder; drop --no-report")
    if not (1 <= a.threads <= numba.config.NUMBA_NUM_THREADS):
        raise _UsageError(f"--threads: {a.threads} is outside [1, {numba.config.NUMBA_NUM_THREADS}]")
    check_memory(tasks, workers=1, available_bytes=_available(a))
    numba.set_num_threads(a.threads)
    name = recipe.get("meta", {}).get("name", Path(a.recipe).stem)
    stem = safe_filename(name)  # the study name labels rows; as a file name only its safe characters count
    db = a.db or f"results/{stem}.db"
    report = None if a.no_report else (a.output or f"results/{stem}_report")
    store = ResultStore(db)
    summary = run_tasks(tasks, store, client=None, progress=not a.no_progress, log=_err)
    return _finish(store, tasks, summary, report, name, spins=a.spins)


def _check_timeouts(a):
    timeout = getattr(a, "connect_timeout", 10.0)
    if not (0 < timeout <= 3600):
        raise _UsageError(f"--connect-timeout: {timeout:g} is outside (0, 3600]")
    wt = getattr(a, "worker_timeout", 60.0)
    if not (0 < wt <= 86400):
        raise _UsageError(f"--worker-timeout: {wt:g} is outside (0, 86400]")
    return timeout, wt


def _local_workers(a, tasks) -> int:
    """Local worker count: ``--workers``, or as many as the CPUs and the memory allow (said so)."""
    from atomspin.batch.resources import MemoryShortage, check_memory, default_workers, format_bytes

    avail = _available(a)
    if a.workers is not None:
        check_memory(tasks, workers=a.workers, available_bytes=avail)
        return a.workers
    n = default_workers()
    try:
        check_memory(tasks, workers=n, available_bytes=avail)
    except MemoryShortage:
        est = check_memory(tasks, workers=1, available_bytes=avail)  # one task must fit, else this raises
        n = max(1, min(n, int(avail // est["total"])))
        _warn(f"memory: {n} local workers ({format_bytes(est['total'])} per task, {format_bytes(avail)} "
              "available); --workers sets the number")
    return n


def _with_client(a, tasks, fn):
    """Connect (external scheduler: wait for a worker, check its memory) or start local workers, run
    ``fn(client, worker_timeout, local)``, close (``local``: the workers were started here and share numba's
    on-disk cache)."""
    from atomspin.batch import open_client
    from atomspin.batch.resources import check_memory
    from atomspin.batch.runner import quiet_distributed, wait_for_workers

    _check_workers(a.workers)
    timeout, worker_timeout = _check_timeouts(a)
    external = bool(a.scheduler or a.scheduler_file)
    workers = None if external else _local_workers(a, tasks)
    with quiet_distributed():  # distributed's own tracebacks of lost connections: our one line says it
        client, cluster = open_client(scheduler=a.scheduler, scheduler_file=a.scheduler_file, workers=workers,
                                      timeout_s=timeout)
        try:
            if external:
                address = client.scheduler.address
                wait_for_workers(client, worker_timeout, address)
                limits = [w.get("memory_limit") or 0
                          for w in client.scheduler_info(n_workers=-1)["workers"].values()]
                limits = [x for x in limits if x > 0]
                if limits:
                    check_memory(tasks, per_worker_bytes=min(limits))
            return fn(client, worker_timeout, not external)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _open_for_sweep(url):
    """The store if it exists (or is a server URL), else None: an SQLite file is created only once the
    scheduler answered. Results kept from an earlier run are stored first."""
    from atomspin.batch import ResultStore

    if "://" not in str(url) and not Path(url).expanduser().exists():
        return None
    store = ResultStore(url)
    stored, _ = store.store_pending()
    if stored:
        _warn(f"db: stored {stored} results kept from an earlier run")
    return store


def cmd_sweep(a) -> int:
    from atomspin.batch import ResultStore, run_tasks
    from atomspin.batch.redact import mask_url

    recipe, tasks = _prepare(a.recipe)
    if not (0 <= a.retries <= 100):
        raise _UsageError(f"--retries: {a.retries} is outside [0, 100]")
    _check_workers(a.workers)
    _check_timeouts(a)
    store = _open_for_sweep(a.db)
    done = store.done_hashes() if store is not None else set()
    if store is not None:
        for rid, (h, why) in sorted(store.corrupted.items()):
            _err(f"db: row {rid} (task {h}) is corrupted ({why}): it is recomputed")
    todo = len(tasks) - len(done & {t["hash"] for t in tasks})
    _out(f"{len(tasks)} tasks, {todo} to run -> {mask_url(a.db)}")
    if todo == 0:
        _out(f"0 written, {len(tasks)} already done, 0 failed in 0.0 s")
        return EXIT_OK

    def go(client, worker_timeout, local):
        from atomspin.batch.tasks import warmups

        nonlocal store
        if store is None:
            store = ResultStore(a.db)
        todo_tasks = [t for t in tasks if t["hash"] not in done]
        return run_tasks(tasks, store, client, retries=a.retries, progress=not a.no_progress, log=_err,
                         worker_timeout_s=worker_timeout, done=done, warmups=warmups(todo_tasks) if local else ())

    summary = _with_client(a, tasks, go)
    _out(_summary_line(summary))
    for h, msg in summary["failed"]:
        _err(f"task {h} failed: {msg}")
    return EXIT_FAIL if summary["failed"] else EXIT_OK


def cmd_report(a) -> int:
    from atomspin.batch import ResultStore
    from atomspin.batch.report import make_report

    store = ResultStore(a.db, mode="r")
    output = a.output or _default_report_dir(store, a.db)
    rep = make_report(store, output, spins=a.spins)
    _print_report(rep)
    _out(f"\nwrote {len(rep['files'])} files to {output}")
    for rid, h, why in rep["corrupted"]:
        _err(f"db: row {rid} (task {h}) is corrupted ({why}); left out of the report: rerun the sweep to "
             "recompute it")
    return EXIT_FAIL if rep["corrupted"] else EXIT_OK


def _default_report_dir(store, url) -> str:
    """``<name>_report`` beside an SQLite store, in the current folder for a server."""
    from atomspin.batch.paths import safe_filename

    if store.is_file:
        p = Path(url).expanduser()
        return str(p.with_name(f"{safe_filename(p.stem, 'results')}_report"))
    from atomspin.batch.redact import database_name
    return f"{safe_filename(database_name(str(url)), 'results')}_report"


def cmd_demo(a) -> int:
    from atomspin.batch import ResultStore, expand, run_tasks
    from atomspin.batch.defaults import demo_recipe
    from atomspin.batch.tasks import available_steps, warmups

    avail = available_steps()
    full = demo_recipe(quick=a.quick)["protocol"]["steps"]
    steps = [s for s in full if s in avail]
    if "sar" in steps and not ({"loop", "kv", "landscape"} & set(steps)):
        steps.remove("sar")
    skipped = [s for s in full if s not in steps]
    if "structure" not in steps:
        raise RuntimeError("the structure layer (atomspin.structures) is not available in this installation")
    recipe = demo_recipe(quick=a.quick, steps=steps)
    tasks = expand(recipe)
    out = Path(a.output)
    _check_workers(a.workers)  # bad arguments, memory and an unreachable scheduler fail before anything is made
    _check_timeouts(a)
    _out(f"atomspin demo{' --quick' if a.quick else ''}: {recipe['meta']['description']}")
    _out(f"steps: {', '.join(steps)}" + (f"  (not available yet, skipped: {', '.join(skipped)})"
                                         if skipped else ""))
    store = None

    def go(client, worker_timeout, local):
        nonlocal store
        out.mkdir(parents=True, exist_ok=True)
        store = ResultStore(out / "results.db")
        return run_tasks(tasks, store, client, progress=not a.no_progress, log=_err, worker_timeout_s=worker_timeout,
                         warmups=warmups(tasks) if local else ())

    summary = _with_client(a, tasks, go)
    return _finish(store, tasks, summary, out / "report", recipe["meta"]["name"], spins=True)


def _pm(kvp: dict, key: str) -> str:
    v, e = kvp.get(key), kvp.get(f"{key}_err")
    if v is None:
        return "-"
    return f"{v:.4g} ± {e:.2g}" if isinstance(e, float) else f"{v:.4g}"


def cmd_rescore(a) -> int:
    from atomspin.batch.rescoring import rescore
    from atomspin.batch.redact import mask_url

    _check_workers(a.workers)
    s = rescore(a.recipe, a.db, f_Hz=a.f_Hz, H0_A_per_m=a.H0_A_per_m, media=a.media, workers=a.workers,
                scheduler=a.scheduler, scheduler_file=a.scheduler_file, force=a.force, progress=not a.no_progress,
                log=_warn)
    for c in s["changes"]:
        keys = [k for k in c["new"] if k.startswith("SAR_") and not k.endswith("_err")]
        keys += [k for k in c["old"] if k.startswith("SAR_") and not k.endswith("_err") and k not in keys]
        cells = "; ".join(f"{k}: {_pm(c['old'], k)} -> {_pm(c['new'], k)}" for k in keys)
        _out(f"row {c['row_id']} {c['variant']} seed {c['seed']}: {cells}")
    other = f", {s['other_rows']} rows of other recipes left alone" if s["other_rows"] else ""
    missing = f", {s['missing']} tasks not in the database (run the sweep)" if s["missing"] else ""
    _out(f"{s['rows']} rows of {s['tasks']} tasks: {s['rescored']} rescored, {s['up_to_date']} up to date, "
         f"{len(s['no_landscape'])} without a landscape, {len(s['failed'])} failed{other}{missing}; "
         f"{s['cpu_s']:.1f} CPU s in the sar step, {s['elapsed_s']:.1f} s -> {mask_url(a.db)}")
    if s["rows"] == 0:
        raise _UsageError(f"--db: no row of {mask_url(a.db)} is a task of {a.recipe} (rescore the database with "
                          "the recipe it was swept with)")
    return EXIT_FAIL if (s["failed"] or s["corrupted"]) else EXIT_OK


def cmd_validate(a) -> int:
    from atomspin.batch import expand, load_recipe
    from atomspin.batch.tasks import missing_api

    from atomspin.batch.resources import estimate_task_bytes, format_bytes

    tasks = expand(load_recipe(a.recipe))
    _out(f"{a.recipe}: ok, {len(tasks)} tasks")
    if tasks:
        peak = max(estimate_task_bytes(t["recipe"])["total"] for t in tasks)
        _out(f"  memory: about {format_bytes(peak)} per task at its peak (the largest task; one per worker)")
    for t in tasks:
        point = ", ".join(f"{k}={v}" for k, v in t["point"].items())
        _out(f"  {t['hash']}  {t['variant']}  seed={t['seed']}  {point}")
    for s in _steps_of(tasks):
        miss = missing_api(s)
        if miss:
            _out(f"  note: step {s!r} is not available here (missing {', '.join(miss)})")
    return EXIT_OK


def cmd_schema(a) -> int:
    from atomspin.batch.schema import schema_doc

    _out(schema_doc())
    return EXIT_OK


def _recipe_warnings():
    """Print each :class:`~atomspin.batch.fields.RecipeWarning` (implausible value, likely a unit slip) once, as
    one line on stderr; other warnings are left to Python."""
    import contextlib
    import warnings

    from atomspin.batch.fields import RecipeWarning

    @contextlib.contextmanager
    def ctx():
        seen = set()
        with warnings.catch_warnings():
            old = warnings.showwarning

            def show(message, category, filename, lineno, file=None, line=None):
                if issubclass(category, RecipeWarning):
                    if str(message) not in seen:
                        seen.add(str(message))
                        _warn(f"warning: {message}")
                else:
                    old(message, category, filename, lineno, file, line)

            warnings.showwarning = show
            warnings.simplefilter("always", RecipeWarning)
            yield

    return ctx()


COMMANDS = {"build": cmd_build, "run": cmd_run, "sweep": cmd_sweep, "report": cmd_report, "demo": cmd_demo,
            "rescore": cmd_rescore, "validate": cmd_validate, "schema": cmd_schema}


def main(argv=None) -> int:
    """Entry point; returns the exit code (0 ok, 2 bad input, 1 unexpected error / failed tasks)."""
    from atomspin.batch.runner import NoWorkers, SchedulerLost, SchedulerUnreachable
    from atomspin.batch.schema import RecipeError
    from atomspin.batch.store import StoreError

    debug = os.environ.get("ATOMSPIN_DEBUG", "") not in ("", "0")
    try:
        a = build_parser().parse_args(argv)
        if a.version:
            from atomspin import __version__
            _out(f"atomspin {__version__}")
            return EXIT_OK
        if not a.command:
            raise _UsageError("atomspin: a command is needed (build, run, sweep, report, demo, rescore, validate, "
                              "schema); see atomspin --help")
        with _recipe_warnings():
            return COMMANDS[a.command](a)
    except (_UsageError, RecipeError, SchedulerUnreachable, StoreError, NoWorkers) as err:
        if debug:
            raise
        _err(str(err).splitlines()[0] if str(err) else type(err).__name__)
        return EXIT_BAD_INPUT
    except SchedulerLost as err:
        if debug:
            raise
        _err(str(err).splitlines()[0])
        return EXIT_FAIL
    except ValueError as err:  # public API input validation (one line by contract)
        if debug:
            raise
        _err(str(err).splitlines()[0] if str(err) else type(err).__name__)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. `atomspin validate r.toml | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAIL
    except KeyboardInterrupt:
        _err("interrupted; rerun the same command to resume (finished tasks are kept)")
        return 130
    except SystemExit as err:  # argparse --help
        return int(err.code or 0) if isinstance(err.code, int) else EXIT_OK
    except Exception as err:  # noqa: BLE001 - one line unless debugging
        if debug:
            raise
        first = str(err).splitlines()[0] if str(err) else ""
        _err(f"unexpected {type(err).__name__}: {first} (set ATOMSPIN_DEBUG=1 for a traceback)")
        return EXIT_FAIL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

