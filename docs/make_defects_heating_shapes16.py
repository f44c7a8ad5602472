"""Defects in other shapes at 16 nm (issue #15; docs/validation.md §8m): the defects of the 16 nm study (§8f, a
truncated octahedron, TO, of 24.4 nm vertex to vertex = 16.0 nm equivalent sphere) inserted into a sphere and a
cube of the same volume, each with its own defect-free reference, so that every factor is a ratio within one shape.

    PYTHONPATH=$PWD nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m atomspin.cli sweep \\
        structures/recipes/defects_heating_16nm_shapes_sphere.toml --db results/shapes16_sphere.db --workers 1
    (the same with _cube → results/shapes16_cube.db)
    python docs/make_defects_heating_shapes16.py stages  # the stage recipes results/stage_<shape>_<A|B|C>.toml
    python docs/make_defects_heating_shapes16.py task-stage cube FeO-core 2  # one task: results/stage_cube_FeO-core_s2.toml
    python docs/make_defects_heating_shapes16.py db      # the databases → docs/figures/defects_heating/shapes_16nm.json
    python docs/make_defects_heating_shapes16.py table   # the markdown of validation §8m
    python docs/make_defects_heating_shapes16.py plot    # docs/figures/defects_heating/shapes_16nm.png

How the sweeps ran (validation §8m "Runs"): the tasks of both recipes in priority order across the two shapes, as
stage recipes of the same tasks (the first three variants, then APB-centre, then δ = 0.10, each a subset of the
recipe's variants with the recipe's header, so the same task hashes; ``atomspin validate`` lists them), each stage
one ``sweep`` invocation into the shape's database, with its log ``results/shapes16_<shape>_<stage>.log`` and
``date -u`` stamps ``.start``/``.end``; the full recipe rerun on the same database finds its stored tasks done.
A sampler wrote the RSS (kB) and cumulative CPU time (s) of every process of the sweeps every 10 s to
``results/shapes16_mem.log``; the CPU time and peak memory below come from it.

The second session (seeds 3–4 added to the recipes' seed lists, which leaves the hashes of seeds 1–2 unchanged;
tested) ran the missing tasks one at a time as one-task stages (``task_stage_text``: the recipe with one variant
block and ``seeds = [seed]``, same task hash) through :func:`run_queue` (a driver run *without* nice: it only
samples; each sweep runs under ``nice -n 5``, ``--workers 1``), which adds ``/usr/bin/time -v``'s CPU time and
peak RSS to each stage's log and the sampler's lines to the same file. ``db`` merges: the rows a database holds
are added to, or replace by task hash, the summary's stored rows of that shape; stored rows of tasks the database
lacks (the first run's, whose databases are gone) are kept (:func:`merge_rows`).

Every statistic, ratio, verdict and barrier difference is that of ``docs/make_defects_heating_today.py`` and
``docs/make_defects_heating_16nm.py`` (§8c, §8f; imported, not copied): per group the mean over the realisations
with the error the larger of the seed standard error and the propagated per-realisation errors / √n; the
first-order ratio error; "resolved" beyond 2σ. The TO's numbers are those of the 16 nm study's summary
(``sweep_16nm.json``): its seeds 1–2 (the realisations run here) and all four (§8f). The cross-shape factors of §8l
(the TO's defect SAR ÷ the SAR of §3b's defect-free spheres and cubes at the study's volume) come from
``make_reference_shapes.ratios``. The databases are not committed: a shape whose database is gone keeps its rows
from the existing summary, and a shape whose database holds only some tasks keeps the others.
"""
import datetime
import importlib.util
import json
import pathlib
import re
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIG = ROOT / "docs" / "figures" / "defects_heating"
OUT = FIG / "shapes_16nm.json"
STUDY16 = FIG / "sweep_16nm.json"
SHAPES = ("sphere", "cube")
#: the stage recipes of the run, in the order they ran (results/stage_<shape>_<stage>.toml; §8m "Runs")
STAGES = ("sphere_A", "cube_A", "sphere_B", "cube_B", "sphere_C", "cube_C")
MEM_LOG = ROOT / "results" / "shapes16_mem.log"
DRIVER_LOG = ROOT / "results" / "shapes16_driver.log"
MEDIA = {"sar_sweep.sar": "immobilised", "sar_sweep_water.sar": "water"}
#: the columns of the ratio table: (summary key, words)
COLUMNS = (("sphere", "sphere 16.0 nm"), ("cube", "cube 12.91 nm edge"), ("to_s12", "TO, seeds 1–2"),
           ("to_all", "TO, 4 seeds (§8f)"))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


M16 = _load("make_defects_heating_16nm", ROOT / "docs" / "make_defects_heating_16nm.py")
T = M16.T  # make_defects_heating_today, as the 16 nm script loaded it
REFERENCE = T.REFERENCE


def recipe_path(shape):
    return ROOT / "structures" / "recipes" / f"defects_heating_16nm_shapes_{shape}.toml"


def db_path(shape):
    return ROOT / "results" / f"shapes16_{shape}.db"


def variants():
    """The variant names of the recipes, in their (priority) order; both recipes have the same (tested)."""
    import tomllib

    return [v["name"] for v in tomllib.loads(recipe_path(SHAPES[0]).read_text())["sweep"]["variants"]]


def d_eq_nm(V_m3):
    """Volume-equivalent sphere diameter (nm) of a volume (m³)."""
    return float((6.0 * V_m3 / np.pi) ** (1 / 3) * 1e9)


#: the stages: letter → the recipe variants it runs (the first three, then APB-centre, then δ = 0.10)
STAGE_VARIANTS = {"A": slice(0, 3), "B": slice(3, 4), "C": slice(4, 5)}


def stage_text(shape, stage):
    """The stage recipe: the shape's recipe with only the stage's ``[[sweep.variants]]`` blocks (header, structure,
    model, protocol and seeds unchanged, so its tasks have the recipe's task hashes; tested)."""
    head, *blocks = recipe_path(shape).read_text().split("[[sweep.variants]]")
    return head + "".join("[[sweep.variants]]" + b for b in blocks[STAGE_VARIANTS[stage]])


def task_stage_name(shape, variant, seed):
    """The name of a one-task stage (second session, §8m "Runs"): ``<shape>_<variant>_s<seed>``."""
    return f"{shape}_{variant}_s{seed}"


def task_stage_text(shape, variant, seed):
    """A one-task stage recipe: the shape's recipe with only ``variant``'s ``[[sweep.variants]]`` block and
    ``seeds = [seed]`` (everything else unchanged, so its task has the recipe's task hash; tested)."""
    head, *blocks = recipe_path(shape).read_text().split("[[sweep.variants]]")
    head, n = re.subn(r"(?m)^seeds = \[[^\]]*\]$", f"seeds = [{int(seed)}]", head)
    assert n == 1, "the recipe's [sweep] seeds line"
    keep = [b for b in blocks if re.search(r'(?m)^name = "([^"]*)"$', b).group(1) == variant]
    assert len(keep) == 1, variant
    return head + "[[sweep.variants]]" + keep[0]


def write_task_stage(shape, variant, seed):
    f = ROOT / "results" / f"stage_{task_stage_name(shape, variant, seed)}.toml"
    f.parent.mkdir(exist_ok=True)
    f.write_text(task_stage_text(shape, variant, int(seed)))
    print(f.relative_to(ROOT))


def write_stages():
    for st in STAGES:
        shape, stage = st.split("_")
        f = ROOT / "results" / f"stage_{st}.toml"
        f.parent.mkdir(exist_ok=True)
        f.write_text(stage_text(shape, stage))
        print(f.relative_to(ROOT))


# ---------------------------------------------------------------------------------------------------- queue
def _tree(pid):
    """pid and every descendant (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for t in pathlib.Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (t / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            pass
    return out


def _sample(pid, log):
    """One line per live process of ``pid``'s tree: epoch s, pid, RSS kB, cumulative CPU s (utime + stime), name."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    lines = []
    for p in _tree(pid):
        try:
            stat = pathlib.Path(f"/proc/{p}/stat").read_text()
            rss = re.search(r"VmRSS:\s+(\d+)", pathlib.Path(f"/proc/{p}/status").read_text())
        except (FileNotFoundError, ProcessLookupError):
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")].replace(" ", "_")
        f = stat[stat.rindex(")") + 2:].split()
        cpu = (int(f[11]) + int(f[12])) / tick
        lines.append(f"{now:.0f} {p} {int(rss[1]) if rss else 0} {cpu:.2f} {name}\n")
    with open(log, "a") as fh:
        fh.writelines(lines)


def run_queue(items, end_by, estimates, adopt=None):
    """Run one-task stages one at a time (second session, §8m "Runs"): ``items`` [(shape, variant, seed)] in
    priority order; a task starts only if now + its estimated wall (``estimates[(shape, variant)]`` min, times the
    mean ratio of measured to estimated wall of the tasks run so far, at least 0.8: a chosen floor, so that a few
    fast tasks do not shrink the estimates below what the first measurements showed) ends by ``end_by`` (epoch s),
    else the driver log says 'skip <stage> (reason)' and the next is tried. Each: stage recipe, ``date -u +%s``
    stamps results/shapes16_<stage>.start/.end, log results/shapes16_<stage>.log with ``/usr/bin/time -v``'s report,
    and the 10 s sampler (MEM_LOG) of the sweep's process tree; its process group is killed at ``end_by`` + 5 min
    (a chosen grace; a killed task is lost). ``adopt`` = (shape, variant, seed, pid): a stage a previous driver
    started (restarted with new estimates); it is sampled until ``pid`` ends, then stamped as ended."""
    import os
    import signal
    import subprocess
    import time

    res = ROOT / "results"
    res.mkdir(exist_ok=True)
    ratios = []

    def say(msg):
        with open(DRIVER_LOG, "a") as fh:
            fh.write(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M:%S} {msg}\n")

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        st = pathlib.Path(f"/proc/{pid}/stat")
        return st.exists() and st.read_text().split(")")[-1].split()[0] != "Z"

    def finish(shape, variant, st, t0, rc):
        t1 = time.time()
        (res / f"shapes16_{st}.end").write_text(f"{t1:.0f}\n")
        wall = t1 - t0
        ratios.append(wall / (60.0 * estimates[(shape, variant)]))
        say(f"end {st}: rc {rc}, wall {wall:.0f} s (scale now {max(0.8, float(np.mean(ratios))):.2f})")

    if adopt:
        shape, variant, seed, pid = adopt
        st = task_stage_name(shape, variant, seed)
        t0 = float((res / f"shapes16_{st}.start").read_text())
        say(f"adopt {st} (pid {pid}, started by the previous driver)")
        while alive(pid):
            _sample(pid, MEM_LOG)
            time.sleep(10)
        finish(shape, variant, st, t0, "unknown (adopted)")
    for shape, variant, seed in items:
        st = task_stage_name(shape, variant, seed)
        scale = max(0.8, float(np.mean(ratios))) if ratios else 1.0
        est = 60.0 * estimates[(shape, variant)] * scale
        now = time.time()
        if now + est > end_by:
            say(f"skip {st} (estimated {est / 60:.1f} min wall, {(end_by - now) / 60:.1f} min left)")
            continue
        write_task_stage(shape, variant, seed)
        cmd = ["/usr/bin/time", "-v", "nice", "-n", "5", "env", "NUMBA_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1",
               f"PYTHONPATH={ROOT}", sys.executable, "-m", "atomspin.cli", "sweep", f"results/stage_{st}.toml",
               "--db", f"results/{db_path(shape).name}", "--workers", "1"]
        say(f"start {st} (estimated {est / 60:.1f} min): {' '.join(cmd)}")
        (res / f"shapes16_{st}.start").write_text(f"{now:.0f}\n")
        with open(res / f"shapes16_{st}.log", "w") as log:
            # its own process group, so that the hard limit stops the whole chain (time → nice → env → the sweep
            # and its workers), not only /usr/bin/time
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            killed = False
            while proc.poll() is None:
                _sample(proc.pid, MEM_LOG)
                if time.time() > end_by + 300 and not killed:
                    os.killpg(proc.pid, signal.SIGKILL)
                    killed = True
                    say(f"killed {st} at the hard limit")
                time.sleep(10)
        finish(shape, variant, st, now, proc.returncode)


# ---------------------------------------------------------------------------------------------------- extract
def _rows_of_db(shape):
    """The database rows of one shape (make_defects_heating.sweep_rows), keyed by shape and variant, with their
    equivalent diameter to two decimals."""
    rows = []
    for row, _, _ in T._mdh().sweep_rows(db_path(shape)):
        row.update(study=shape, shape=shape, D_nm=round(d_eq_nm(row["V_m3"]), 2),
                   key=f"{shape}-{row['recipe_variant']}-s{row['seed']}", axis_parameter=None, axis_value=None)
        rows.append(row)
    return rows


def _stamp(path):
    """Epoch seconds of a ``date -u`` stamp file, or None."""
    try:
        txt = path.read_text().strip()
    except FileNotFoundError:
        return None
    try:
        return float(txt)
    except ValueError:
        return datetime.datetime.strptime(txt, "%a %b %d %H:%M:%S UTC %Y").replace(
            tzinfo=datetime.timezone.utc).timestamp()


def _samples(path=MEM_LOG):
    """The sampler's lines: [(epoch s, pid, RSS kB, cumulative CPU s or nan)] (its first lines had no CPU column)."""
    out = []
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        f = line.split()
        if len(f) == 5:
            out.append((float(f[0]), int(f[1]), float(f[2]), float(f[3])))
        elif len(f) == 4:
            out.append((float(f[0]), int(f[1]), float(f[2]), float("nan")))
    return out


def _invocation(stage, rows, samples):
    """Wall (stamps), CPU (sampler: the last cumulative CPU time of each process that lived within the stage),
    peak RSS (sampler: the largest single process, and the sum over the sweep's processes at one sample) and the
    log's counts of one stage's sweep invocation."""
    stem = f"shapes16_{stage}"
    t0, t1 = _stamp(ROOT / "results" / f"{stem}.start"), _stamp(ROOT / "results" / f"{stem}.end")
    if t0 is None:
        return {}
    inv = {k: v for k, v in T._invocation(stem).items() if k != "wall_s"}  # counts from the log's summary line
    inv.update(start_unix_s=t0, command=f"sweep results/stage_{stage}.toml")
    log = ROOT / "results" / f"{stem}.log"
    if log.exists():  # the tasks that failed, with the error the sweep printed
        errs = re.findall(r"error: task \w+ \(([^)]*)\) failed: ([^\n\[]*)", log.read_text(errors="replace"))
        if errs:
            inv["failed_tasks"] = sorted({f"{v}: {e.strip()}" for v, e in errs})
    if t1 is not None:
        inv["wall_s"] = t1 - t0
    else:
        inv["running"] = True
    hi = t1 if t1 is not None else np.inf
    inside = [s for s in samples if t0 <= s[0] <= hi]
    if inside:
        pids = {}
        for t, pid, rss, cpu in inside:
            pids.setdefault(pid, []).append((t, rss, cpu))
        # cumulative CPU from the process's start: its last sample with a CPU column holds (nearly) all of it
        cpu = [max((c for _, _, c in v if np.isfinite(c)), default=np.nan) for v in pids.values()]
        inv["cpu_s"] = float(np.nansum(cpu)) if np.any(np.isfinite(cpu)) else float("nan")
        inv["cpu_complete"] = bool(all(np.isfinite(c) for c in cpu))
        by_t = {}
        for t, _, rss, _ in inside:
            by_t[t] = by_t.get(t, 0.0) + rss
        inv["max_rss_process_kB"] = float(max(s[2] for s in inside))
        inv["max_rss_total_kB"] = float(max(by_t.values()))
    mine = [x for x in rows if t0 <= x["written_unix_s"] <= hi]
    inv["rows_written"] = len(mine)
    if mine and "cpu_s" in inv and inv.get("cpu_complete"):
        inv["cpu_s_per_task"] = inv["cpu_s"] / len(mine)
    return inv


def _task_peaks(rows, samples):
    """Per row the largest single-process RSS (kB) the sampler saw while the task ran (its walltime before it was
    written), or nan where no sample fell inside."""
    for x in rows:
        t1 = x["written_unix_s"]
        t0 = t1 - x["elapsed_s"]
        rss = [s[2] for s in samples if t0 <= s[0] <= t1]
        x["peak_rss_kB"] = float(max(rss)) if rss else float("nan")


def _skipped():
    """The stages the driver did not start (its log: 'skip <stage>'), with its reason."""
    if not DRIVER_LOG.exists():
        return {}
    return {m[1]: m[2] for m in re.finditer(r"skip (\S+) \(([^)]*)\)", DRIVER_LOG.read_text())}


def task_hashes(shape):
    """{(variant, seed): task hash} of the shape's recipe (its seeds 1–4; the hashes of seeds 1–2 are those of the
    first run's recipe, which had seeds [1, 2]: a task's hash does not depend on the seed list; tested)."""
    from atomspin.batch import expand
    from atomspin.batch.recipe import load_recipe

    return {(t["variant"], int(t["seed"])): t["hash"] for t in expand(load_recipe(recipe_path(shape)))}


def merge_rows(stored, new, hashes):
    """One shape's rows: the ``stored`` rows (the summary's) with the ``new`` rows (its database) merged in by task
    hash — a new row replaces the stored row of the same task, a new task is added, and a stored row whose task is
    not in the database is kept. A row without ``task_hash`` (the summary of the first run) gets it from ``hashes``
    ({(variant, seed): hash}, :func:`task_hashes`)."""
    def h(r):
        return r.get("task_hash") or hashes[(r["recipe_variant"], int(r["seed"]))]

    out = {h(r): dict(r, task_hash=h(r)) for r in stored}
    out.update({h(r): dict(r, task_hash=h(r)) for r in new})
    rows = list(out.values())
    # two tasks of one (variant, seed) — a recipe change altered a hash — would silently count a realisation twice
    seen = {}
    for r in rows:
        key = (r["recipe_variant"], int(r["seed"]))
        if key in seen:
            raise ValueError(f"merge_rows: {key[0]} seed {key[1]} has two task hashes ({seen[key]}, "
                             f"{r['task_hash']}): the recipe changed; rerun or drop the stale row")
        seen[key] = r["task_hash"]
    return rows


def _stage_names(shape):
    """The stages of a shape with start stamps under results/ (the first run's A–C and the one-task stages)."""
    return sorted(f.name[len("shapes16_"):-len(".start")] for f in (ROOT / "results").glob(f"shapes16_{shape}_*.start"))


def extract(out=OUT):
    """Rows of every shape (one per task), per stage invocation data, and the summary. The rows of a shape are the
    summary's stored rows with those of its database, if it exists, merged in by task hash (:func:`merge_rows`);
    a stage's invocation data is recomputed where its stamps exist and kept from ``out`` otherwise."""
    prev = json.loads(out.read_text()) if out.exists() else {}
    pmeta = prev.get("meta") or {}
    samples = _samples()
    skipped = {**pmeta.get("skipped", {}), **_skipped()}
    rows, meta = [], dict(stages={}, skipped=skipped)
    for shape in SHAPES:
        stored = [r for r in prev.get("rows", []) if r["study"] == shape]
        stages = {k: v for k, v in pmeta.get("stages", {}).items() if k.startswith(shape + "_")}
        if db_path(shape).exists():
            got = _rows_of_db(shape)
            _task_peaks(got, samples)
            merged = merge_rows(stored, got, task_hashes(shape))
            for st in _stage_names(shape):
                inv = _invocation(st, merged, samples)
                if inv:
                    stages[st] = inv
        elif shape in pmeta:
            merged = stored
        else:
            continue
        rows += merged
        meta["stages"].update(stages)
        meta[shape] = dict(recipe=str(recipe_path(shape).relative_to(ROOT)), n_rows=len(merged),
                           command=f"nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python -m "
                                   f"atomspin.cli sweep <stage recipe> --db results/{db_path(shape).name} "
                                   f"--workers 1")
    order = variants()
    meta["stages"] = dict(sorted(meta["stages"].items(), key=lambda kv: kv[1].get("start_unix_s", 0.0)))
    meta["skipped"] = {k: v for k, v in meta["skipped"].items() if k not in meta["stages"]}
    rows.sort(key=lambda r: (SHAPES.index(r["study"]), order.index(r["recipe_variant"]), r["seed"]))
    data = dict(meta=meta, rows=rows)
    data["summary"] = summarise(rows)
    out.write_text(json.dumps(data, indent=1, default=float))
    return data


# ---------------------------------------------------------------------------------------------------- summary
def _group(rows):
    """{variant: stats} of one particle's rows, each defect with its ratios to that particle's defect-free and its
    barrier difference (k_BT)."""
    by = {}
    for r in rows:
        by.setdefault(r["recipe_variant"], []).append(r)
    if REFERENCE not in by:
        return {}
    ref = T.group_stats(sorted(by[REFERENCE], key=lambda r: r["seed"]))
    out = {REFERENCE: ref}
    for name in variants():
        if name == REFERENCE or name not in by:
            continue
        s = T.group_stats(sorted(by[name], key=lambda r: r["seed"]))
        s["ratio"] = {p: e for p in T.RATIO_QUANTITIES if (e := T.ratio_entry(s, ref, p))}
        s["barrier_diff_kT"] = M16.barrier_difference(s, ref)
        out[name] = s
    return out


def cross_shape(medium):
    """§8l's factors of each defect (the TO's mean SAR ÷ a §3b defect-free particle's SAR at the study's volume),
    per shape of the §3b particle: {variant: {shape: [(ratio, err, key)]}} and the §3b references' SARs."""
    RS = _load("make_reference_shapes", ROOT / "docs" / "make_reference_shapes.py")
    if not RS.OUT.exists():
        return {}, {}
    res, _ = RS.ratios("16nm", medium=medium)
    refs = json.loads(RS.OUT.read_text()).get("16nm", {})
    out = {}
    for v, rs in res.items():
        for q, e, k in rs:
            if k in refs and refs[k]["shape"] in SHAPES:
                out.setdefault(v, {}).setdefault(refs[k]["shape"], []).append((float(q), float(e), k))
    sars = {}
    for k, e in refs.items():
        if e["shape"] in SHAPES:
            sars.setdefault(e["shape"], []).append(dict(key=k, D_eq_nm=e["D_eq_nm"], sar=e[medium]["sar"],
                                                        err=e[medium]["err"], n_minima=e["n_minima"],
                                                        barrier_over_kT=e["barrier_over_kT_at_study"]))
    return out, sars


#: the particles' short names in the verdict words
WORDS = {"sphere": "sphere", "cube": "cube", "to_s12": "TO"}


def holds_words(dirs):
    """Words for the directions (T._direction) of one factor over the particles: 'holds (higher)' when every one is
    resolved the same way, 'SIGN REVERSES' when resolved both ways, else the sign where resolved and where not."""
    d = {WORDS.get(k, k): x for k, x in dirs.items() if x is not None}
    missing = [WORDS.get(k, k) for k, x in dirs.items() if x is None]
    tail = f" ({', '.join(missing)} not run)" if missing else ""
    signs = set(d.values()) - {"n.r."}
    nr = [k for k, x in d.items() if x == "n.r."]
    if not d:
        return "not measured"
    if signs == {"higher", "lower"}:
        return "SIGN REVERSES (" + ", ".join(f"{k}: {x}" for k, x in d.items()) + ")" + tail
    if not signs:
        return "not resolved in any" + tail
    if not nr:
        return f"holds ({signs.pop()})" + tail
    return f"{signs.pop()} where resolved; not resolved in " + ", ".join(nr) + tail


def summarise(rows):
    """Per particle (sphere, cube: this run; the TO's seeds 1–2 and all four: the 16 nm study) the stats and
    ratios of every variant; per defect and medium whether the factor's sign holds in every shape (the sphere, the
    cube and the TO of the same seeds 1–2), and §8l's cross-shape factors against §3b's spheres and cubes."""
    study = json.loads(STUDY16.read_text())
    names = variants()
    to_rows = [r for r in study["rows"] if r["recipe_variant"] in names]
    parts = {shape: _group([r for r in rows if r["study"] == shape]) for shape in SHAPES}
    parts["to_s12"] = _group([r for r in to_rows if r["seed"] in (1, 2)])
    parts["to_all"] = _group(to_rows)
    holds = {}
    for v in names[1:]:
        for p in MEDIA:
            dirs = {k: T._direction((parts[k].get(v) or {}).get("ratio", {}).get(p))
                    for k in ("sphere", "cube", "to_s12")}
            holds.setdefault(v, {})[p] = dict(dirs, words=holds_words(dirs))
    cross, ref_sars = {}, {}
    for p, m in MEDIA.items():
        cross[p], ref_sars[p] = cross_shape(m)
    return dict(particles=parts, holds=holds, cross_shape=cross, cross_shape_references=ref_sars)


# ---------------------------------------------------------------------------------------------------- table
def _pm(q, d=3):
    return T._pm(q["mean"], q["err"], d) if q else "—"


def _rcell(r):
    return T._rcell(r)


def _range(entries):
    if not entries:
        return "—"
    qs = [q for q, _, _ in entries]
    return f"×{min(qs):.3g} – ×{max(qs):.3g} ({len(qs)})"


def table(path=OUT):
    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    P = S["particles"]
    names = variants()
    lines = ["**Per particle and variant (mean ± error over the realisations; SAR at 100 kHz, 15 kA/m, 310 K):**", "",
             "| particle | variant | n | Ms (kA/m) | barrier/k_BT | minima | SAR immob. (W/g) | SAR water (W/g) | "
             "barrier − defect-free (k_BT) |", "|---|---|---|---|---|---|---|---|---|"]
    for key, words in COLUMNS:
        for v in names:
            s = P.get(key, {}).get(v)
            if not s:
                continue
            ms = s.get("Ms_A_per_m")
            mins = "/".join(f"{x:g}" for x in s["n_minima"]["per_seed"]) if "n_minima" in s else "—"
            d = s.get("barrier_diff_kT")
            dcell = f"{d['diff']:+.3g} ± {d['err']:.2g} ({d['verdict'].replace(' at 2σ', '')})" if d else "—"
            lines.append(f"| {words} | {v} | {s['n']} | "
                         f"{T._pm(ms['mean'] / 1e3, ms['err'] / 1e3, 5) if ms else '—'} | "
                         f"{_pm(s.get('barrier_over_kT'))} | {mins} | {_pm(s.get('sar_sweep.sar'))} | "
                         f"{_pm(s.get('sar_sweep_water.sar'))} | {dcell} |")
    lines += ["", "**Factor = SAR ÷ the defect-free SAR of the same particle (verdict at 2σ; [realisations with the "
                  "defect / without]); does its sign hold in every shape (sphere, cube, TO seeds 1–2)? Last two columns: §8l's cross-shape factors, the TO's "
                  "defect SAR (4 seeds) ÷ §3b's defect-free spheres / cubes at the study's volume (range, number of "
                  "references):**", "",
              "| variant | medium | " + " | ".join(w for _, w in COLUMNS) + " | sign in every shape | "
              "§8l: TO ÷ §3b spheres | §8l: TO ÷ §3b cubes |",
              "|---|---|" + "---|" * len(COLUMNS) + "---|---|---|"]
    for v in names[1:]:
        for p, m in MEDIA.items():
            cells = [_rcell((P.get(k, {}).get(v) or {}).get("ratio", {}).get(p))
                     + (f" [{P[k][v]['n']}/{P[k][REFERENCE]['n']}]" if v in P.get(k, {}) else "") for k, _ in COLUMNS]
            if all(c == "—" for c in cells[:2]):
                continue
            cr = (S.get("cross_shape", {}).get(p) or {}).get(v, {})
            lines.append(f"| {v} | {m} | " + " | ".join(cells) + f" | {S['holds'][v][p]['words']} | "
                         f"{_range(cr.get('sphere'))} | {_range(cr.get('cube'))} |")
    lines += ["", "**The defect-free references: measured here (same volume, 310 K) and §8l's §3b landscapes of the "
                  "same shape at the study's volume (300 K landscapes; immobilised):**", "",
              "| shape | measured here: barrier/k_BT, minima, SAR (W/g) | §3b landscapes at the study's volume: "
              "D_eq of the landscape (nm), barrier/k_BT, minima, SAR (W/g) |", "|---|---|---|"]
    for shape in SHAPES:
        s = P.get(shape, {}).get(REFERENCE)
        here = (f"{_pm(s['barrier_over_kT'])}, {'/'.join(f'{x:g}' for x in s['n_minima']['per_seed'])}, "
                f"{_pm(s['sar_sweep.sar'])}" if s else "not run")
        refs = (S.get("cross_shape_references", {}).get("sar_sweep.sar") or {}).get(shape, [])
        there = "; ".join(f"{e['D_eq_nm']:.1f}: {e['barrier_over_kT']:.2f}, {e['n_minima']}, "
                          f"{e['sar']:.3g} ± {e['err']:.2g}" for e in sorted(refs, key=lambda e: (e["D_eq_nm"], e["key"])))
        lines.append(f"| {shape} | {here} | {there or '—'} |")
    lines += ["", "**Runs** (stage recipes of the same tasks in priority order: the first run's stages A–C, then "
                  "one-task stages <shape> <variant> s<seed>; CPU and memory from the 10 s sampler of the sweep's "
                  "processes and, for the one-task stages, from `/usr/bin/time -v`):", ""]
    for st, inv in data["meta"].get("stages", {}).items():
        if inv.get("running"):
            lines.append(f"- {st.replace('_', ' ')}: running at extraction")
            continue
        cpu = inv.get("cpu_s", float("nan"))
        lines.append(f"- {st.replace('_', ' ')}: {inv.get('rows_written', 0)} task{'s' * (inv.get('rows_written', 0) != 1)}"
                     + (" (still running at extraction)" if inv.get("running") else "")
                     + f", wall {inv.get('wall_s', float('nan')) / 60:.1f} min, CPU {cpu / 60:.1f} min"
                     + (f" ({inv['cpu_s_per_task']:.0f} CPU s per written task{', failed ones included' * bool(inv.get('failed_tasks'))})" if "cpu_s_per_task" in inv else
                        " (CPU incomplete: sampler started late)" if not inv.get("cpu_complete", True) else "")
                     + f", peak RSS {inv.get('max_rss_process_kB', float('nan')) / 1e6:.2f} GB in the worker, "
                       f"{inv.get('max_rss_total_kB', float('nan')) / 1e6:.2f} GB for the whole sweep"
                     + (f"; /usr/bin/time: {inv['user_cpu_s'] + inv['system_cpu_s']:.0f} CPU s, max RSS "
                        f"{inv['max_rss_kB'] / 1e6:.2f} GB" if "user_cpu_s" in inv and "max_rss_kB" in inv else "")
                     + "".join(f"; FAILED: {x}" for x in inv.get("failed_tasks", [])))
    tw = [r["elapsed_s"] for r in data["rows"]]
    pk = [r.get("peak_rss_kB", float("nan")) for r in data["rows"]]
    if tw:
        lines.append(f"- per task: wall {min(tw):.0f}–{max(tw):.0f} s; peak worker RSS "
                     f"{np.nanmin(pk) / 1e6:.2f}–{np.nanmax(pk) / 1e6:.2f} GB")
    for st, why in data["meta"].get("skipped", {}).items():
        lines.append(f"- {st.replace('_', ' ')}: not started (would not have ended before the deadline: {why})")
    for shape in SHAPES:
        have = {(r["recipe_variant"], r["seed"]) for r in data["rows"] if r["study"] == shape}
        seeds = sorted({k for _, k in task_hashes(shape)})
        miss = [f"{v} seed{'s' * (len(ks) > 1)} {', '.join(map(str, ks))}" for v in variants()
                if (ks := [k for k in seeds if (v, k) not in have])]
        if miss:
            lines.append(f"- tasks of the {shape}'s recipe not run: " + "; ".join(miss))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- figure
def plot(path=OUT):
    """shapes_16nm.png: per defect (x) the factor within each particle (sphere, cube, TO seeds 1–2, TO 4 seeds;
    2σ error bars) and §8l's cross-shape factors against §3b's spheres and cubes (hollow, the range as a bar),
    immobilised and in water, log y."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    P = S["particles"]
    names = [v for v in variants()[1:] if any(v in P.get(k, {}) for k, _ in COLUMNS)]
    style = {"sphere": ("C0", "o"), "cube": ("C1", "s"), "to_s12": ("C3", "D"), "to_all": ("k", "*")}
    fig, axes = plt.subplots(1, 2, figsize=(14, 6), sharey=True)
    for ax, (p, m) in zip(axes, MEDIA.items()):
        for j, (key, words) in enumerate(COLUMNS):
            c, mk = style[key]
            xs, ys, lo, hi = [], [], [], []
            for i, v in enumerate(names):
                r = (P.get(key, {}).get(v) or {}).get("ratio", {}).get(p)
                if not r:
                    continue
                e2 = 2 * r["err"]
                xs.append(i + (j - 1.5) * 0.12)
                ys.append(r["ratio"])
                lo.append(min(e2, 0.95 * r["ratio"]))  # a log axis cannot draw below zero: clipped at 5 %
                hi.append(e2)
            if xs:
                ns = sorted({P[key][v]["n"] for v in names if v in P.get(key, {})} | {P[key][REFERENCE]["n"]})
                nw = f"{ns[0]}" if len(ns) == 1 else f"{ns[0]}–{ns[-1]}"
                ax.errorbar(xs, ys, yerr=[lo, hi], fmt=mk, color=c, ms=8 if mk != "*" else 11, capsize=3, ls="none",
                            label=f"{words} ({nw} realisations per variant): defect ÷ its own defect-free")
        for j, (shape, c) in enumerate((("sphere", "C0"), ("cube", "C1"))):
            first = True
            for i, v in enumerate(names):
                ent = (S.get("cross_shape", {}).get(p) or {}).get(v, {}).get(shape)
                if not ent:
                    continue
                x = i + 0.36 + 0.1 * j
                qs = [q for q, _, _ in ent]
                ax.vlines(x, min(qs), max(qs), color=c, lw=1.2, alpha=0.6)
                es = np.array([2 * e for _, e, _ in ent])
                ax.errorbar([x] * len(qs), qs, yerr=[np.minimum(es, 0.95 * np.array(qs)), es], ls="none",
                            marker="o" if shape == "sphere" else "s", mfc="none", color=c, ms=5, capsize=2,
                            label=(f"§8l: TO defect ÷ §3b defect-free {shape}s (other sizes; range)"
                                   if first else None))
                first = False
        ax.axhline(1.0, color="grey", ls=":", lw=1)
        ax.set_yscale("log")
        ax.set_xticks(range(len(names)), names, rotation=15)
        ax.set_xlabel("defect")
        ax.set_title(f"SAR {m}, 100 kHz, 15 kA/m, 310 K")
        ax.grid(alpha=0.3, which="both", axis="y")
    axes[0].set_ylabel("SAR factor: SAR with the defect ÷ defect-free SAR\n(log scale; error bars 2σ)")
    h, l_ = axes[0].get_legend_handles_labels()
    fig.legend(h, l_, loc="lower center", ncol=2, fontsize=8.5)
    fig.suptitle("Defects at 16.0 nm (equal volume): factor within a sphere, a cube and the truncated octahedron "
                 "(TO) of §8f, and §8l's cross-shape factors")
    fig.tight_layout(rect=(0, 0.14, 1, 1))
    f = FIG / "shapes_16nm.png"
    fig.savefig(f, dpi=110)
    plt.close(fig)
    return f


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "table"
    if cmd == "stages":
        write_stages()
    elif cmd == "task-stage":  # task-stage <shape> <variant> <seed>
        write_task_stage(*sys.argv[2:5])
    elif cmd == "db":
        d = extract()
        print(json.dumps(d["meta"]["stages"], indent=1))
    elif cmd == "table":
        print(table())
    elif cmd == "plot":
        print(plot())
    else:
        raise SystemExit(__doc__)
