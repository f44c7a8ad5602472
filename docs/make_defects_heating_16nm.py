"""Defects and heating at 16 nm, against 12 nm (issue #15; docs/validation.md §8f): the 16 nm sweep's summary, the
12 → 16 nm comparison of every verdict, the ΔSAR decomposition of both sizes and the SAR map against (defect
content, size) at three clinical drives.

    nice -n 5 env NUMBA_NUM_THREADS=1 atomspin sweep structures/recipes/defects_heating_16nm.toml \\
        --db results/defects_heating_16nm.db --workers 1
    python docs/make_defects_heating_16nm.py db DB      # a database → docs/figures/defects_heating/sweep_16nm.json
                                                        # (merged with the stored rows; the study's first database,
                                                        # results/defects_heating_16nm.db, is gone)
    python docs/make_defects_heating_16nm.py decompose [SEEDS [VARIANTS [SIZES]]]
                                                        # ΔSAR split (Ms, barrier height, shape, dead layer), 12 + 16 nm
    python docs/make_defects_heating_16nm.py map        # SAR at drives A and C from the stored landscapes (no MC)
    python docs/make_defects_heating_16nm.py plot       # figures (size_ratios, sar_size_map, placement)
    python docs/make_defects_heating_16nm.py table      # the markdown tables of validation §8f
    python docs/make_defects_heating_16nm.py placement  # the vacancy-placement tables of validation §8f alone
    python docs/make_defects_heating_16nm.py replication [DB]
                                                        # the shell replication (stages R1-R8, seeds 5-8): rows →
                                                        # summary["replication"], their map values, figure, table
    python docs/make_defects_heating_16nm.py vacancy-geometry  # the shell's vacancy arrangement, seeds 1-8 (no MC)
    python docs/make_defects_heating_16nm.py swap [S,T ...]    # shell structure of seed S, landscape stream of seed T

The 12 nm rows are those of ``docs/make_defects_heating_today.py`` (its committed summary
``sweep_12nm_today.json``); every statistic, ratio, verdict and log parser is that script's (imported, not copied):
per variant the mean over the realisations, error = the larger of the seed standard error and the propagated
per-realisation errors / √n, first-order ratio errors, "resolved" beyond 2σ. The sweep wrote its log to
``results/16nm.log`` and its start/end stamps to ``results/16nm.start|end``.

Vacancy placement (2026-12-01): the ordered (P4_332) and radial-gradient δ = 0.10 variants of validation §8d, appended
to the recipe and run as the one-task stage recipes ``defects_heating_16nm_stageP1.toml`` … ``_stageP8.toml`` into a
fresh database (the earlier one is gone), ``python docs/make_defects_heating_16nm.py db
results/defects_heating_16nm_place.db`` merging its rows into the stored 28; :func:`placement_table` sets them
against random δ = 0.10 and defect-free at 16.0 nm and 12.1 nm (§8d), with the same statistics.

Vacancy shell (2026-12-01): the 12.1 nm study's ``vacancy-shell-0.10`` (§8c; δ = 0.10 within 1 nm of the surface, the
shell not scaled with the particle) appended after the placements and run as ``_stageP9.toml`` … ``_stageP12.toml``
into ``results/defects_heating_16nm_shell.db``, merged the same way (``db results/defects_heating_16nm_shell.db``).

Replication (2026-12-01): the shell's drive-A candidate (× 1.09 ± 0.03, seeds 1-4, one 2σ cell of ≈ 8) tested on new
realisations, the prediction (:data:`PREDICTION`) stated in §8f and the stage recipes before they ran: seeds 5-8 of
defect-free and the shell as stages ``_stageR1.toml`` … ``_stageR8.toml`` into ``results/defects_heating_16nm_rep.db``,
kept as the separate group ``summary["replication"]`` (:func:`extract_replication`; the seeds 1-4 tables are
unchanged), their map cells from the same call as :func:`sar_map` (:func:`replication_map`) and the verdict from
the rows (:func:`replication`).
"""
import importlib.util
import json
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIG = ROOT / "docs" / "figures" / "defects_heating"
OUT = FIG / "sweep_16nm.json"
RECIPE = ROOT / "structures" / "recipes" / "defects_heating_16nm.toml"
DB = ROOT / "results" / "defects_heating_16nm.db"
STEM = "16nm"  # results/16nm.log, .start, .end
SIZES = ("12nm", "16nm")
#: the words of each size label (equivalent-sphere diameter of the truncated octahedron, equivalent_diameter_nm)
SIZE_WORDS = {"12nm": "12.1 nm", "16nm": "16.0 nm", "20nm": "19.7 nm", "25nm": "25.0 nm"}
#: marker and colour of each size in the figures
SIZE_STYLE = {"12nm": ("C0", "o"), "16nm": ("C3", "s"), "20nm": ("C2", "^"), "25nm": ("C4", "D")}
#: drives of the SAR map (docs/make_defects_heating.py PAIRS: A below Brezovich, B the clinical default, C just
#: below Hergt–Dutz), all three recomputed from the stored landscapes with one model call (so that the drives
#: share one stochastic-LLG stream); B in water is the sweeps' own SAR step.
MAP_DRIVES = ("A", "B", "C")
#: the recomputation's model and seed: those of the ``alpha`` subcommand of make_defects_heating_today.py
MAP_MODEL = dict(model="auto", seed=1, n_orientations=12, allow_nonclinical=True)


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


T = _load("make_defects_heating_today", ROOT / "docs" / "make_defects_heating_today.py")
REFERENCE = T.REFERENCE


def equivalent_diameter_nm(vertex_nm, truncation=2.0 / 3.0):
    """Equivalent-sphere diameter (nm) of the truncated octahedron of ``vertex_nm`` vertex to vertex
    (make_defects_heating.to_equivalent_diameter_nm)."""
    return T._mdh().to_equivalent_diameter_nm(vertex_nm, truncation)


def _sized(row):
    """A db_row of the 16 nm sweep with its size label (its equivalent diameter to one decimal; db_row gives the same)."""
    mdh = T._mdh()
    row["D_nm"] = round(equivalent_diameter_nm(row["size_nm"]), 1)
    row["key"] = mdh.point_key(row["size_nm"], row["kind"], row["seed"], shape="to")
    return row


def summary_path(size):
    """The committed summary of one size: 12 nm = make_defects_heating_today.py's, 16 nm = this script's, any
    other size = ``sweep_<size>.json`` (19.7 and 25.0 nm: docs/make_defects_heating_20nm.py)."""
    return {"12nm": T.OUT, "16nm": OUT}.get(size, FIG / f"sweep_{size}.json")


def sizes_present():
    """The sizes whose summary exists, smallest first (the figures show every one)."""
    return [s for s in SIZE_WORDS if summary_path(s).exists()]


def rows_of(size, data12=None, data16=None):
    """Landscape rows of one size: 12 nm = today's main sweep (+ the vacancy-order rows), 16 nm = this sweep, any
    other size = its own summary; ``data16`` is the summary of ``size`` when it is not 12 nm (default: read)."""
    if size == "12nm":
        d = data12 or json.loads(T.OUT.read_text())
        return [r for r in d["rows"] if r["study"] in ("today", "vacancy_order")]
    d = data16 or json.loads(summary_path(size).read_text())
    return d["rows"]


# ---------------------------------------------------------------------------------------------------- extract
#: the invocations of the sweep command on the 16 nm database, in order: the timing task alone (one-task recipe,
#: same task hash), the sweep (stopped with SIGINT when the CPU budget's planned tasks were done), its resumption
#: (random δ = 0.10 seeds 3-4), the next session's resumption (one APB through the centre), and the resumption after
#: Zn0.2 and δ = 0.20 were added to the recipe (2026-11-30)
INVOCATIONS = (("timing task (defect-free seed 1 alone)", f"{STEM}_timing"), ("sweep", STEM),
               ("sweep resumed", f"{STEM}_resume"), ("sweep resumed: APB-centre", f"{STEM}_centre"),
               ("sweep resumed: Zn-0.20, vacancies-random-0.20", f"{STEM}_zn"))
#: the vacancy placements appended on 2026-12-01 (validation §8d's definitions), in the order they were run: seeds 1-2
#: of both, then seeds 3-4; stage recipe ``defects_heating_16nm_stageP<i>.toml``, log ``results/16nm_stageP<i>.log``
PLACEMENTS = ("vacancies-ordered-0.10", "vacancies-gradient-0.10")
#: the placements' common reference besides defect-free: random B-site vacancies at the same δ
RANDOM = "vacancies-random-0.10"
STAGES_P = tuple((v, s) for pair in ((1, 2), (3, 4)) for s in pair for v in PLACEMENTS)
INVOCATIONS += tuple((f"stage P{i}: {v}, seed {s}", f"{STEM}_stageP{i}") for i, (v, s) in enumerate(STAGES_P, 1))
#: the 1 nm vacancy shell of the 12.1 nm study (validation §8c), appended on 2026-12-01 after the placements with the
#: 12.1 nm definition (δ = 0.10 on the B sites within 1 nm of the surface: an oxidation depth, not scaled with the
#: particle) and run as stages P9-P12 (seeds 1-4, one task each) into ``results/defects_heating_16nm_shell.db``
SHELL = "vacancy-shell-0.10"
STAGES_SHELL = tuple((SHELL, s) for s in (1, 2, 3, 4))
INVOCATIONS += tuple((f"stage P{i}: {v}, seed {s}", f"{STEM}_stageP{i}")
                     for i, (v, s) in enumerate(STAGES_SHELL, len(STAGES_P) + 1))
#: the pre-stated replication of the shell's drive-A candidate (validation §8f, 2026-12-01): new realisations (seeds 5-8)
#: of defect-free and the shell, alternating so that any prefix holds complete pairs, as one-task stages R1-R8
#: (``defects_heating_16nm_stageR<i>.toml``: the main recipe's tasks with its seeds extended to 1-8) into a fresh
#: database; their rows are a separate group of the summary (``data["replication"]``), never folded into ``rows``
REPLICATION_SEEDS = (5, 6, 7, 8)
STAGES_REP = tuple((v, s) for s in REPLICATION_SEEDS for v in (REFERENCE, SHELL))
INVOCATIONS_REP = tuple((f"stage R{i}: {v}, seed {s}", f"{STEM}_stageR{i}") for i, (v, s) in enumerate(STAGES_REP, 1))
REP_DB = ROOT / "results" / "defects_heating_16nm_rep.db"
#: the prediction, as §8f and the stage recipes state it (written before any replication task ran)
PREDICTION = ("at drive A (100 kHz, 4 kA/m, immobilised) the shell's SAR ÷ defect-free's is > 1, at 2σ by the "
              "study's rule (map_cells: ratio of the means, first-order error from the two seed standard errors), on "
              "new realisations (seeds 5-8) alone")


def extract(out=OUT, db=DB, recipe=RECIPE, study="16nm", invocations=INVOCATIONS, command_db=None):
    """Rows of the ``study`` database ``db``, each invocation's wall/CPU time and the summary; keeps the
    ``decomposition`` and ``sar_map`` entries an earlier run stored. ``meta.command`` is the recipe's sweep command
    on the study's database ``command_db`` (default ``db``'s name: the command that runs or resumes the whole study),
    ``meta.merged_db`` the database read now (e.g. the fresh database a subset recipe filled).

    Merges into the summary ``out`` when it exists (:func:`merge_previous`): a database that holds only some of the
    study's rows (e.g. a fresh database filled by a subset recipe after the earlier one was lost) replaces the rows it
    holds and keeps every other row of ``out``, and the invocations whose logs are gone keep their stored entries."""
    prev = json.loads(out.read_text()) if out.exists() else {}
    rows = []
    for row, k, _ in T._mdh().sweep_rows(db):
        row.update(study=study, axis_parameter=None, axis_value=None)
        if "sar_scale_rel_err" in k:  # the SAR error rule's scale, as ``rescore`` records it
            row["sar_scale_rel_err"] = k["sar_scale_rel_err"]
        rows.append(_sized(row))
    n_db = len(rows)
    rows, kept = merge_previous(rows, prev)
    meta = dict(recipe=str(recipe.relative_to(ROOT)), n_rows=len(rows),
                command=f"nice -n 5 env NUMBA_NUM_THREADS=1 atomspin sweep {recipe.relative_to(ROOT)} "
                        f"--db results/{command_db or db.name} --workers 1", merged_db=f"results/{db.name}",
                invocations={})
    for label, stem in invocations:
        inv = T._invocation(stem)
        if not inv:
            continue
        start = ROOT / "results" / f"{stem}.start"
        if "written" not in inv and start.exists():  # interrupted: no summary line; count the rows it wrote
            t0 = float(start.read_text())
            t1 = t0 + inv.get("wall_s", np.inf)
            inv.update(interrupted=True, written=sum(1 for x in rows if t0 <= x["written_unix_s"] <= t1))
        meta["invocations"][label] = inv
    meta["invocations"] = merge_invocations(meta["invocations"], prev, invocations)
    if kept:
        meta.update(n_rows_db=n_db, n_rows_kept=len(kept))
    meta["task_walltime_s"] = {f"{x['recipe_variant']} s{x['seed']}": x["elapsed_s"] for x in rows}
    data = dict(meta=meta, rows=rows)
    for k in ("decomposition", "decomposition_rule", "sar_map", "alpha", "replication", "field_regime", "landscape_swap"):
        if k in prev:
            data[k] = prev[k]
    data["summary"] = summarise(rows, recipe=recipe, size=study)
    out.write_text(json.dumps(data, indent=1, default=float))
    return data


def merge_previous(rows, prev):
    """``rows`` (from the database) merged with the rows of the earlier summary ``prev``: every row of ``prev``
    whose ``key`` (variant, size, seed) is not among ``rows`` is kept as stored, a row of the database replaces the
    stored row of the same key. Returns (rows sorted by variant and seed, the kept rows)."""
    keys = {r["key"] for r in rows}
    kept = [r for r in prev.get("rows", []) if r["key"] not in keys]
    return sorted(rows + kept, key=lambda r: (r["recipe_variant"], r["seed"])), kept


def merge_invocations(measured, prev, invocations=()):
    """Per invocation label the entry measured now from its log and stamps (``measured``) or, when those are gone,
    the entry stored in the earlier summary ``prev``; in the order of ``invocations`` (label, stem), then any
    other stored label."""
    stored = (prev.get("meta") or {}).get("invocations") or {}
    merged = {**stored, **measured}
    order = [label for label, _ in invocations] + list(stored) + list(measured)
    return {label: merged[label] for label in dict.fromkeys(order) if label in merged}


# ---------------------------------------------------------------------------------------------------- summary
def rescore(out=OUT, recipe=RECIPE, study="16nm"):
    """Every row's SAR columns recomputed from its stored landscape with the current code
    (``make_defects_heating.rescore_rows``; the databases are not kept, the json is the record), then the summary
    from the rows; the ``sar_map`` cells of the sweeps' own SAR step are read from the rows by ``table``."""
    data = T._mdh().rescore_rows(out, lambda r: recipe)
    data["summary"] = summarise(data["rows"], recipe=recipe, size=study)
    out.write_text(json.dumps(data, indent=1, default=float))
    return data


def _trend(a, b, at="16 nm"):
    """How a verdict at the smaller size (a) carries to the larger size ``at`` (b), from their directions
    (T._direction)."""
    da, db_ = T._direction(a), T._direction(b)
    if da is None or db_ is None:
        return "not measured at both sizes"
    if da == db_:
        return "holds" if da != "n.r." else "not resolved at either size"
    if {da, db_} == {"higher", "lower"}:
        return "REVERSED"
    return f"lost resolution at {at}" if db_ == "n.r." else f"newly resolved at {at}"


def barrier_difference(s, ref):
    """Barrier change in k_BT (defect − defect-free) with its error in quadrature and the 2σ verdict: the
    meaningful comparison where the reference barrier is ≲ 1 k_BT and its ratio error therefore unbounded."""
    if "barrier_over_kT" not in s or "barrier_over_kT" not in ref:
        return None
    a, b = s["barrier_over_kT"], ref["barrier_over_kT"]
    d, e = a["mean"] - b["mean"], float(np.hypot(a["err"], b["err"]))
    return dict(diff=float(d), err=e, verdict=("resolved at 2σ, " + ("higher" if d > 0 else "lower"))
                if abs(d) > 2 * e else "not resolved at 2σ")


def seed_verdict(entry):
    """The ratio entry judged with its seed-spread-only error (``err_seed``): the verdict where the propagated
    per-realisation error overstates the uncertainty (validation §8f: the low-barrier 16 nm reference)."""
    if entry is None or not np.isfinite(entry.get("err_seed", np.nan)):
        return None
    r, e = entry["ratio"], entry["err_seed"]
    return dict(ratio=r, err=e, verdict=("resolved at 2σ, " + ("higher" if r > 1 else "lower")) if abs(r - 1) > 2 * e
                else "not resolved at 2σ")


def summarise(rows, data12=None, recipe=RECIPE, size="16nm"):
    """Per variant stats and ratios to the defect-free particle of the same size; each ratio next to the 12 nm one
    (keys ``r12``/``r16``, ``seed12``/``seed16``, ``trend``/``trend_seed``: ``r16`` is the ratio at ``size``) and,
    above 16 nm, the 16 nm one too (``r16_prev``, ``seed16_prev``, ``trend16``/``trend_seed16``: 16 nm → ``size``)."""
    by = {}
    for r in rows:
        by.setdefault(r["recipe_variant"], []).append(r)
    if REFERENCE not in by:
        return {}
    ref = T.group_stats(sorted(by[REFERENCE], key=lambda r: r["seed"]))
    d12 = data12 or (json.loads(T.OUT.read_text()) if T.OUT.exists() else {})
    # the 12.1 nm variants: today's sweep (§8c) and the vacancy placements (§8d), both against today's defect-free
    main12 = {**d12.get("summary", {}).get("main", {}), **d12.get("summary", {}).get("vacancy_order", {})}
    at = "16 nm" if size == "16nm" else SIZE_WORDS.get(size, size)
    main16 = (json.loads(OUT.read_text()).get("summary", {}).get("main", {}) if size != "16nm" and OUT.exists()
              else {})
    main, compare = {}, {}
    import tomllib

    names = [v["name"] for v in tomllib.loads(recipe.read_text())["sweep"]["variants"]]
    for name in sorted(by, key=lambda n: names.index(n) if n in names else len(names)):
        s = T.group_stats(sorted(by[name], key=lambda r: r["seed"]))
        if name != REFERENCE:
            s["ratio"] = {p: e for p in T.RATIO_QUANTITIES if (e := T.ratio_entry(s, ref, p))}
            s["barrier_diff_kT"] = barrier_difference(s, ref)
            r12 = (main12.get(name) or {}).get("ratio", {})
            r16p = (main16.get(name) or {}).get("ratio", {})
            here = s["ratio"]
            compare[name] = {p: dict(r12=r12.get(p), r16=here.get(p), trend=_trend(r12.get(p), here.get(p), at),
                                     seed12=seed_verdict(r12.get(p)), seed16=seed_verdict(here.get(p)),
                                     trend_seed=_trend(seed_verdict(r12.get(p)), seed_verdict(here.get(p)), at))
                             for p in T.RATIO_QUANTITIES}
            if main16:
                for p in T.RATIO_QUANTITIES:
                    compare[name][p].update(r16_prev=r16p.get(p), seed16_prev=seed_verdict(r16p.get(p)),
                                            trend16=_trend(r16p.get(p), here.get(p), at),
                                            trend_seed16=_trend(seed_verdict(r16p.get(p)), seed_verdict(here.get(p)), at))
        main[name] = s
    if RANDOM in main:  # the placements against random vacancies at the same δ (§8d's second reference)
        for name in PLACEMENTS:
            if name in main:
                main[name]["ratio_to_random"] = {p: e for p in T.RATIO_QUANTITIES
                                                 if (e := T.ratio_entry(main[name], main[RANDOM], p))}
                main[name]["barrier_diff_random_kT"] = barrier_difference(main[name], main[RANDOM])
    absolute = {p: dict(r12=(main12.get(REFERENCE) or {}).get(p), r16=ref.get(p)) for p in T.RATIO_QUANTITIES}
    if main16:
        for p in T.RATIO_QUANTITIES:
            absolute[p]["r16_prev"] = (main16.get(REFERENCE) or {}).get(p)
    return dict(reference=ref, main=main, compare=compare, reference_12_vs_16=absolute)


# ---------------------------------------------------------------------------------------------------- decomposition
def decomposition(out=OUT, seeds=(1,), sizes=SIZES, variants=None):
    """ΔSAR of each variant's realisations ``seeds`` against the defect-free reference of the same
    size (its first realisation's landscape at the defect-free mean Ms), split along
    defect-free → Ms → barrier height → landscape shape, and the dead-layer representation
    (``make_defects_heating.decompose``: the SAR model atomspin.sar picks — Fokker–Planck below 6 k_BT, master
    equation above — at drive A, 100 kHz, 4 kA/m, immobilised), of the variants ``variants`` (default: every
    one). Stored in ``out["decomposition"][size][variant|seed]`` after each realisation (an interrupted run
    resumes)."""
    data = json.loads(out.read_text())
    unknown = [sz for sz in sizes if sz not in SIZE_WORDS]
    if unknown:
        raise ValueError(f"sizes: {unknown} unknown; allowed: {sorted(SIZE_WORDS)}")
    if variants is not None:
        variants = tuple(v for v in variants if v)
        if not variants:
            raise ValueError("variants: empty; leave it out to decompose every variant")
        names = {r["recipe_variant"] for sz in sizes for r in rows_of(sz, data16=data)}
        missing = sorted(set(variants) - names)
        if missing:
            raise ValueError(f"variants: {missing} not among the rows of {', '.join(sizes)}: {sorted(names)}")
    mdh = T._mdh()
    dec = data.setdefault("decomposition", {})
    for size in sizes:
        rows = rows_of(size, data16=data)
        ref = sorted([r for r in rows if r["recipe_variant"] == REFERENCE and r.get("study") != "vacancy_order"],
                     key=lambda r: r["seed"])
        res = dec.setdefault(size, {})
        cache = {}
        for r in rows:
            key = f"{r['recipe_variant']}|{r['seed']}"
            if r["seed"] not in seeds or r["recipe_variant"] == REFERENCE or key in res or \
                    (variants and r["recipe_variant"] not in variants):
                continue
            t0 = time.process_time()
            d = mdh.decompose(r, ref, 1.0e5, 4.0e3, cache)
            res[key] = {k: float(v) for k, v in d.items()}
            res[key].update(cpu_s=time.process_time() - t0, barrier_over_kT=r["barrier_over_kT"],
                            Ms_ratio=r["Ms_A_per_m"] / float(np.mean([x["Ms_A_per_m"] for x in ref])))
            print(size, key, {k: round(v, 4) for k, v in res[key].items()}, flush=True)
            data["decomposition_rule"] = ("realisation(s) of each variant against the defect-free reference of the same "
                                          "size (its first realisation's landscape at the defect-free mean Ms, "
                                          "the reference's seed spread not included); the SAR model atomspin.sar picks (Fokker–Planck below 6 k_BT, master "
                                          "equation above), 100 kHz, 4 kA/m, immobilised; path "
                                          "defect-free → Ms → barrier height on the defect-free shape → own landscape;"
                                          " dead layer: the defect's moment carried by a smaller core at the "
                                          "defect-free Ms with the same total barrier energy")
            out.write_text(json.dumps(data, indent=1, default=float))
    return dec


def decomposition_means(data, min_n=2):
    """{(size, variant): dict(n, total=, dMs=, dBarrier=, dShape=)} over the decomposed realisations of each variant
    with at least ``min_n`` of them: each term (and the total SAR change) as a percentage of the defect-free SAR
    of the same size, mean and seed standard error (ddof = 1, / √n)."""
    out = {}
    for size, dec in data.get("decomposition", {}).items():
        by = {}
        for key, d in dec.items():
            by.setdefault(key.split("|")[0], []).append(d)
        for name, ds in by.items():
            if len(ds) < min_n:
                continue
            m = dict(n=len(ds))
            for k in ("total", "dMs", "dBarrier", "dShape"):
                x = np.array([100 * ((d["sar_defect"] - d["sar_ref"]) if k == "total" else d[k]) / d["sar_ref"]
                              for d in ds])
                m[k] = dict(mean=float(x.mean()), err=float(x.std(ddof=1) / np.sqrt(len(x))))
            out[(size, name)] = m
    return out


# ---------------------------------------------------------------------------------------------------- SAR map
def _pair(label):
    return next(p for p in T._mdh().PAIRS if p[0] == label)


def sar_map(out=OUT, drives=MAP_DRIVES, sizes=("16nm", "12nm"), variants=None, seeds=(1, 2, 3, 4)):
    """SAR immobilised at the drives ``drives`` of every stored realisation (``sar_from_particle(model='auto')``,
    the alpha subcommand's call), no Monte Carlo; resumable, written after each point, 16 nm first."""
    from atomspin import sar

    data = json.loads(out.read_text())
    mdh = T._mdh()
    m = data.setdefault("sar_map", {})
    vals = m.setdefault("values", {})
    m.update(rule="A, B, C immobilised: sar_from_particle(model='auto', n_orientations=12, seed=1) of the stored "
                  "landscape; B in water and B-sweep: the sweeps' own SAR step (its LLG stream drawn from the task "
                  "seed); per cell the mean over the realisations, error = the seed standard error",
             drives={lab: dict(f_Hz=f, H0_A_per_m=h, why=w) for lab, f, h, w in mdh.PAIRS})
    for size in sizes:
        for r in rows_of(size, data16=data):
            if r.get("study") == "vacancy_order" or r["seed"] not in seeds or (variants and r["recipe_variant"] not in variants):
                continue
            for lab in drives:
                key = f"{size}|{r['recipe_variant']}|{r['seed']}|{lab}"
                if key in vals:
                    continue
                _, f, h, _ = _pair(lab)
                t0 = time.process_time()
                rep = sar.sar_from_particle(mdh.particle(r), f=f, H0=h, **MAP_MODEL)
                vals[key] = dict(sar=float(rep.sar_W_per_g), model=rep.model, cpu_s=time.process_time() - t0)
                print(key, vals[key], flush=True)
                out.write_text(json.dumps(data, indent=1, default=float))
    return m


def map_cells(data, data12=None, more=None):
    """{(size, variant, drive[, medium]): dict(mean, err, n, ratio, ratio_err, verdict)} of the SAR map: the 12 and
    16 nm cells of ``data`` (the 16 nm summary, which holds both sizes' recomputed values) and those of each
    further ``{size: its summary}`` in ``more`` (default: every other size whose summary exists)."""
    d12 = data12 or json.loads(T.OUT.read_text())
    if more is None:
        more = {sz: json.loads(summary_path(sz).read_text()) for sz in sizes_present() if sz not in SIZES}
    vals = dict(data.get("sar_map", {}).get("values", {}))
    for d in more.values():
        vals.update(d.get("sar_map", {}).get("values", {}))
    cells = {}
    for size in list(SIZES) + list(more):
        rows = [r for r in rows_of(size, d12, more.get(size, data)) if r.get("study") != "vacancy_order"]
        for lab in ("A", "B", "B-sweep", "B-water", "C"):
            per = {}
            for r in rows:
                if lab == "B-sweep":
                    v = (r.get("sar_sweep") or {}).get("sar")
                elif lab == "B-water":
                    v = (r.get("sar_sweep_water") or {}).get("sar")
                else:
                    v = (vals.get(f"{size}|{r['recipe_variant']}|{r['seed']}|{lab}") or {}).get("sar")
                if v is not None:
                    per.setdefault(r["recipe_variant"], {})[r["seed"]] = v
            ref = per.get(REFERENCE, {})
            for name, sv in per.items():
                cells[(size, name, lab)] = _cell(sv, ref if name != REFERENCE else None)
    return cells


# ---------------------------------------------------------------------------------------------------- replication
def extract_replication(db=REP_DB, out=OUT):
    """The replication rows of ``db`` (stages R1-R8) stored as ``out["replication"]["rows"]`` — merged by key with the
    replication rows stored before, the main ``rows`` and ``summary`` untouched — with each stage's wall/CPU time and
    peak memory (``meta.invocations``) and the pre-stated prediction. Refuses a row that is not a replication task
    (a variant other than defect-free and the shell, or a seed of the main study)."""
    data = json.loads(out.read_text())
    rep = data.setdefault("replication", {})
    rows = []
    for row, k, _ in T._mdh().sweep_rows(db):
        if (row["recipe_variant"], row["seed"]) not in STAGES_REP:
            raise ValueError(f"{db}: {row['recipe_variant']} seed {row['seed']} is not a replication task {STAGES_REP}")
        row.update(study="16nm_replication", axis_parameter=None, axis_value=None)
        rows.append(_sized(row))
    keys = {r["key"] for r in rows}
    rows = sorted(rows + [r for r in rep.get("rows", []) if r["key"] not in keys],
                  key=lambda r: (r["seed"], r["recipe_variant"] != REFERENCE))
    inv = {label: x for label, stem in INVOCATIONS_REP if (x := T._invocation(stem))}
    rep.update(prediction=PREDICTION, rows=rows,
               meta=dict(merged_db=f"results/{db.name}", n_rows=len(rows),
                         invocations=merge_invocations(inv, rep, INVOCATIONS_REP),
                         command="nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v atomspin "
                                 "sweep structures/recipes/defects_heating_16nm_stageR<i>.toml --db "
                                 f"results/{db.name} --workers 1 (i = 1..8, one task each)"))
    rep["meta"]["task_walltime_s"] = {f"{x['recipe_variant']} s{x['seed']}": x["elapsed_s"] for x in rows}
    out.write_text(json.dumps(data, indent=1, default=float))
    return rep


def replication_map(out=OUT, drives=MAP_DRIVES):
    """The SAR-map values (drives A, B, C immobilised; :data:`MAP_MODEL`, the call of :func:`sar_map`) of every
    replication row, in ``out["replication"]["sar_map"]["values"]`` keyed as the main map; resumable."""
    from atomspin import sar

    data = json.loads(out.read_text())
    mdh = T._mdh()
    vals = data["replication"].setdefault("sar_map", {}).setdefault("values", {})
    for r in data["replication"]["rows"]:
        for lab in drives:
            key = f"16nm|{r['recipe_variant']}|{r['seed']}|{lab}"
            if key in vals:
                continue
            _, f, h, _ = _pair(lab)
            t0 = time.process_time()
            rep = sar.sar_from_particle(mdh.particle(r), f=f, H0=h, **MAP_MODEL)
            vals[key] = dict(sar=float(rep.sar_W_per_g), model=rep.model, cpu_s=time.process_time() - t0)
            print(key, vals[key], flush=True)
            out.write_text(json.dumps(data, indent=1, default=float))
    return vals


def permutation_p(a, b):
    """Two-sided exact permutation p of the difference of the means of ``a`` and ``b`` (every relabelling of the
    pooled values into groups of their sizes; make_defects_heating_20nm uses this one): 2 / C(n+m, n) when every
    value of one lies beyond every value of the other."""
    import itertools

    pooled, n = [float(x) for x in a] + [float(x) for x in b], len(a)
    if not (n and len(b)) or not np.all(np.isfinite(pooled)):
        raise ValueError(f"permutation_p: needs two non-empty samples of finite values, got {list(a)} and {list(b)}")
    obs = abs(np.mean(a) - np.mean(b))
    tol = 1e-9 * max(1.0, float(np.max(np.abs(pooled))))
    hits = total = 0
    for idx in itertools.combinations(range(len(pooled)), n):
        x = [pooled[i] for i in idx]
        y = [pooled[i] for i in range(len(pooled)) if i not in idx]
        hits += abs(np.mean(x) - np.mean(y)) >= obs - tol
        total += 1
    return hits / total


def _per_seed(rows, vals, lab):
    """{variant: {seed: SAR}} of ``rows`` at map cell ``lab`` (A, B, C: ``vals``; B-sweep, B-water: the rows' own)."""
    per = {}
    for r in rows:
        if lab == "B-sweep":
            v = (r.get("sar_sweep") or {}).get("sar")
        elif lab == "B-water":
            v = (r.get("sar_sweep_water") or {}).get("sar")
        else:
            v = (vals.get(f"16nm|{r['recipe_variant']}|{r['seed']}|{lab}") or {}).get("sar")
        if v is not None:
            per.setdefault(r["recipe_variant"], {})[r["seed"]] = v
    return per


def _cell(sv, ref):
    """A map cell of per-seed values ``sv`` against the reference's ``ref`` ({seed: SAR}): mean ± seed standard
    error, and the ratio with its first-order error and 2σ verdict (the rule of :func:`map_cells`)."""
    x = np.array(list(sv.values()))
    mean = float(x.mean())
    err = float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan")
    c = dict(mean=mean, err=err, n=len(x), seeds=sorted(sv))
    if ref is not None and len(ref) > 1:
        y = np.array(list(ref.values()))
        m0, e0 = float(y.mean()), float(y.std(ddof=1) / np.sqrt(len(y)))
        rt = mean / m0
        re_ = rt * float(np.hypot(err / mean, e0 / m0)) if len(x) > 1 else float("nan")
        c.update(ratio=rt, ratio_err=re_, verdict=("resolved at 2σ, " + ("higher" if rt > 1 else "lower"))
                 if np.isfinite(re_) and abs(rt - 1) > 2 * re_ else "not resolved at 2σ")
    return c


def replication(data=None):
    """The replication's verdict from the stored rows: per group — ``replication`` (seeds 5-8 alone, the test),
    ``discovery`` (seeds 1-4, the main rows: the candidate) and ``pooled`` (seeds 1-8, secondary) — and per map cell
    (A, B, C immobilised, B-sweep and B-water the sweeps' own SAR step) the shell's and defect-free's cells with the
    ratio, its error and verdict (:func:`_cell`, the map's rule), the per-realisation values, the exact permutation p
    and whether every shell realisation lies above every defect-free one; then ``prediction_holds``: the drive-A ratio
    of seeds 5-8 resolved higher at 2σ (None when fewer than two realisations a side have their drive-A value)."""
    data = data or json.loads(OUT.read_text())
    rep = data.get("replication") or {}
    rrows = rep.get("rows", [])
    main = [r for r in data["rows"] if r["recipe_variant"] in (REFERENCE, SHELL)]
    vals = {**data.get("sar_map", {}).get("values", {}), **rep.get("sar_map", {}).get("values", {})}
    out = dict(prediction=rep.get("prediction", PREDICTION), groups={})
    for group, rows in (("replication", rrows), ("discovery", main), ("pooled", main + rrows)):
        g = out["groups"][group] = {}
        for lab in ("A", "B", "B-sweep", "B-water", "C"):
            per = _per_seed(rows, vals, lab)
            ref, sh = per.get(REFERENCE, {}), per.get(SHELL, {})
            if len(ref) < 2 or len(sh) < 2:
                continue
            c = _cell(sh, ref)
            c.update(reference=_cell(ref, None), shell_per_seed=sh, reference_per_seed=ref,
                     permutation_p=permutation_p(list(sh.values()), list(ref.values())),
                     all_above=bool(min(sh.values()) > max(ref.values())))
            g[lab] = c
        by = {n: sorted((r for r in rows if r["recipe_variant"] == n), key=lambda r: r["seed"]) for n in (REFERENCE, SHELL)}
        if all(len(v) > 1 for v in by.values()):  # the default drive with the summary's rule (T.ratio_entry)
            s, ref = T.group_stats(by[SHELL]), T.group_stats(by[REFERENCE])
            g["rule"] = {q: T.ratio_entry(s, ref, q) for q in ("sar_sweep.sar", "sar_sweep_water.sar")}
            g["rule"]["barrier_diff_kT"] = barrier_difference(s, ref)
            g["rule"]["n_minima"] = {n: {r["seed"]: r["n_minima"] for r in v} for n, v in by.items()}
            g["rule"]["barrier_over_kT"] = {n: {r["seed"]: r["barrier_over_kT"] for r in v} for n, v in by.items()}
    a = out["groups"]["replication"].get("A")
    out["prediction_holds"] = None if a is None else a["verdict"] == "resolved at 2σ, higher"
    return out


def replication_table(data=None):
    """The markdown of §8f's replication: per group and map cell the shell's ratio to defect-free (the map's rule),
    n a side, the permutation p, and the per-realisation drive-A values; then the verdict on the prediction."""
    R = replication(data)
    if not R["groups"].get("replication"):
        return ""
    words = {"replication": "seeds 5–8 (the test)", "discovery": "seeds 1–4 (the candidate)",
             "pooled": "seeds 1–8 (pooled, secondary)"}
    labs = ("A", "B", "B-sweep", "B-water", "C")
    lines = ["**Replication: vacancy shell ÷ defect-free at 16.0 nm, SAR-map cells (ratio of the means ± first-order "
             "error from the seed standard errors; ↑/↓ resolved at 2σ; p: exact two-sided permutation p of the "
             "realisations)**", "",
             "| realisations | n a side | " + " | ".join(
                 {"A": "A: 100 kHz, 4 kA/m", "B": "B: 100 kHz, 15 kA/m", "B-sweep": "B (sweep)",
                  "B-water": "B, water (sweep)", "C": "C"}[lab] for lab in labs) + " |",
             "|---|---|" + "---|" * len(labs)]
    for group in ("replication", "discovery", "pooled"):
        g = R["groups"].get(group, {})
        if not g:
            continue
        n = f"{g['A']['n']} / {g['A']['reference']['n']}" if "A" in g else "—"
        cells = []
        for lab in labs:
            c = g.get(lab)
            if not c:
                cells.append("—")
                continue
            arrow = "" if c["verdict"].startswith("not") else (" ↑" if c["ratio"] > 1 else " ↓")
            cells.append(f"× {c['ratio']:.3g} ± {c['ratio_err']:.2g}{arrow}, p = {c['permutation_p']:.2g}")
        lines.append(f"| {words[group]} | {n} | " + " | ".join(cells) + " |")
    lines += ["", "**The default drive (100 kHz, 15 kA/m) with the summary's rule** (error: the larger of the seed standard "
              "error and the propagated per-realisation errors / √n; T.ratio_entry), and the barrier change:", "",
              "| realisations | SAR immobilised | SAR in water | barrier − defect-free (k_BT) | minima of the shell's landscapes |",
              "|---|---|---|---|---|"]
    for group in ("replication", "discovery", "pooled"):
        u = R["groups"].get(group, {}).get("rule")
        if u:
            mins = "/".join(str(u["n_minima"][SHELL][s]) for s in sorted(u["n_minima"][SHELL]))
            lines.append(f"| {words[group]} | {T._rcell(u['sar_sweep.sar'])} | {T._rcell(u['sar_sweep_water.sar'])} | "
                         f"{_kt_cell(u['barrier_diff_kT'])} | {mins} |")
    a = R["groups"]["replication"].get("A")
    if a:
        lines += ["", "| drive A, SAR (W/g) | " + " | ".join(f"seed {s}" for s in sorted(a["shell_per_seed"])) +
                  " | mean ± seed error |", "|---|" + "---|" * (len(a["shell_per_seed"]) + 1)]
        for name, per, c in ((REFERENCE, a["reference_per_seed"], a["reference"]), (SHELL, a["shell_per_seed"], a)):
            lines.append(f"| {name} | " + " | ".join(f"{per[s]:.4g}" if s in per else "—"
                                                     for s in sorted(a["shell_per_seed"])) +
                         f" | {c['mean']:.4g} ± {c['err']:.2g} |")
        lines += ["", f"Prediction ({R['prediction']}): "
                  + ("**holds**" if R["prediction_holds"] else "**does not hold**")
                  + f" (× {a['ratio']:.3g} ± {a['ratio_err']:.2g}, {a['verdict']}; n = {a['n']} / {a['reference']['n']})."]
    meta = (data or json.loads(OUT.read_text()))["replication"].get("meta", {})
    if meta.get("task_walltime_s"):
        lines += runs_lines(dict(meta, command=meta["command"]))
    return "\n".join(lines)


def _task_atoms(variant, seed):
    """The structure (ase Atoms) of one task of the main recipe with its seeds extended to 1-8 (the recipe's structure
    step, as ``atomspin build`` runs it; no Monte Carlo)."""
    import tomllib

    from atomspin.batch import expand
    from atomspin.batch.recipe import load_recipe
    from atomspin.batch.steps import step
    from atomspin.batch.tasks import Context

    recipe = load_recipe(RECIPE)
    assert tomllib.loads(RECIPE.read_text())["sweep"]["seeds"] == [1, 2, 3, 4]
    recipe["sweep"]["seeds"] = list(range(1, 9))
    task = next(t for t in expand(recipe) if t["variant"] == variant and t["seed"] == seed)
    ctx = Context(task)
    step("structure").run(ctx)
    return ctx.atoms


def shell_vacancy_geometry(seeds=tuple(range(1, 9)), out=OUT):
    """Per shell realisation (structure only): the number of vacant B sites (the defect-free particle's B-site Fe
    missing from the shell's; the defect-free lattice does not depend on the seed), the largest |eigenvalue| of the
    vacancies' traceless second moment about the particle's centre, (3 r rᵀ − r² I) summed and divided by Σ r²
    (0 for an isotropic arrangement; a measure of how uniaxial the vacancy arrangement is), its axis, and the relative
    spread (s.d. ÷ mean) of the vacancy counts over the eight octants. Stored in
    ``out["replication"]["vacancy_geometry"]``; a check of whether the arrangement tells the 2-minimum shells apart."""
    def bfe(a):
        m = (a.arrays["sublattice"] == "B") & (a.numbers == 26)
        return {tuple(np.round(x, 3)) for x in a.positions[m]}

    data = json.loads(out.read_text())
    ref_atoms = _task_atoms(REFERENCE, 1)
    ref, c = bfe(ref_atoms), ref_atoms.positions.mean(axis=0)
    res = {}
    for s in seeds:
        t0 = time.process_time()
        vac = np.array(sorted(ref - bfe(_task_atoms(SHELL, s))))
        r = vac - c
        q = (3 * np.einsum("ni,nj->ij", r, r) - np.eye(3) * (r ** 2).sum()) / (r ** 2).sum()
        w, v = np.linalg.eigh(q)
        k = int(np.argmax(np.abs(w)))
        octs = np.bincount(((r[:, 0] > 0) * 4 + (r[:, 1] > 0) * 2 + (r[:, 2] > 0)).astype(int), minlength=8)
        res[str(s)] = dict(n_vacant=len(vac), quadrupole_max=float(abs(w[k])), quadrupole_axis=v[:, k].tolist(),
                           octant_spread=float(octs.std() / octs.mean()), cpu_s=time.process_time() - t0)
        print(s, res[str(s)], flush=True)
    data.setdefault("replication", {})["vacancy_geometry"] = res
    out.write_text(json.dumps(data, indent=1, default=float))
    return res


def landscape_swap(pairs=((5, 7), (7, 5)), out=OUT):
    """The shell's landscape with the structure of one realisation and the landscape step's Monte Carlo stream of
    another: per (structure seed, stream seed) the recipe's structure step at the structure seed, then its landscape
    step (the recipe's protocol) with ``derived_seed(stream seed, "landscape")``; barrier/k_BT, its fit error and the
    number of minima, stored in ``out["replication"]["landscape_swap"]["<structure>|<stream>"]`` after each pair.
    Says whether the 2-minimum kind follows the vacancy arrangement or the Monte Carlo stream."""
    from atomspin.batch.context import derived_seed
    from atomspin.batch.steps import step
    from atomspin.batch.tasks import Context

    data = json.loads(out.read_text())
    res = data.setdefault("replication", {}).setdefault("landscape_swap", {})
    import tomllib

    from atomspin.batch import expand
    from atomspin.batch.recipe import load_recipe

    recipe = load_recipe(RECIPE)
    assert tomllib.loads(RECIPE.read_text())["sweep"]["seeds"] == [1, 2, 3, 4]
    recipe["sweep"]["seeds"] = list(range(1, 9))
    for s_struct, s_stream in pairs:
        key = f"{s_struct}|{s_stream}"
        if key in res:
            continue
        t0, w0 = time.process_time(), time.time()
        task = next(t for t in expand(recipe) if t["variant"] == SHELL and t["seed"] == s_struct)
        ctx = Context(task)
        step("structure").run(ctx)
        ctx.seed_for = lambda name, s=s_stream: derived_seed(s, name)  # the landscape's stream of the other seed
        step("landscape").run(ctx)
        k = ctx.kvp
        res[key] = dict(structure_seed=s_struct, stream_seed=s_stream, barrier_over_kT=k["barrier_over_kT"],
                        barrier_over_kT_err=k["barrier_over_kT_err"], n_minima=k["n_minima"],
                        cpu_s=time.process_time() - t0, wall_s=time.time() - w0)
        print(key, res[key], flush=True)
        out.write_text(json.dumps(data, indent=1, default=float))
    return res


def plot_replication(data=None, out=FIG / "sweep_16nm_replication.png"):
    """``sweep_16nm_replication.png``: left, the drive-A SAR of every realisation of defect-free and the shell at
    16.0 nm, seeds 1-4 (the candidate) and 5-8 (the replication), with each group's mean ± 2σ (seed standard error);
    right, the shell ÷ defect-free ratio of each group (seeds 1-4, 5-8, 1-8) at every map cell, ± 2σ (the map's rule)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    R = replication(data)
    G = R["groups"]
    if not G.get("replication", {}).get("A"):
        return None
    fig, (ax, cx, bx) = plt.subplots(1, 3, figsize=(18, 5.0))
    style = {REFERENCE: ("C0", "o"), SHELL: ("C3", "s")}
    for k, group in enumerate(("discovery", "replication")):
        c = G[group]["A"]
        for j, (name, per, cell) in enumerate(((REFERENCE, c["reference_per_seed"], c["reference"]),
                                               (SHELL, c["shell_per_seed"], c))):
            col, mk = style[name]
            x0 = 2 * k + j
            seeds = sorted(per, key=int)
            ax.plot(x0 - 0.12 + np.linspace(-0.06, 0.06, len(seeds)), [per[s] for s in seeds], mk, color=col,
                    mfc="none", label=f"{name}: one realisation" if k == 0 else None)
            ax.errorbar(x0 + 0.12, cell["mean"], yerr=2 * cell["err"], fmt=mk, color=col, capsize=4,
                        label=f"{name}: mean ± 2σ (seed error)" if k == 0 else None)
    ax.set_xticks(range(4))
    ax.set_xticklabels(["defect-free\nseeds 1–4", "shell\nseeds 1–4 (candidate)", "defect-free\nseeds 5–8",
                        "shell\nseeds 5–8 (replication)"], fontsize=8)
    ax.axvline(1.5, color="grey", lw=0.8)
    ax.set_ylabel("SAR immobilised at drive A, 100 kHz, 4 kA/m (W/g)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    d = data or json.loads(OUT.read_text())
    groups = (("discovery", d["rows"]), ("replication", d["replication"]["rows"]))
    for k, (group, rows) in enumerate(groups):
        for j, name in enumerate((REFERENCE, SHELL)):
            col, mk = style[name]
            rs = sorted((r for r in rows if r["recipe_variant"] == name), key=lambda r: r["seed"])
            xs = 2 * k + j + np.linspace(-0.15, 0.15, len(rs))
            cx.errorbar(xs, [r["barrier_over_kT"] for r in rs], yerr=[2 * r["barrier_over_kT_err"] for r in rs],
                        fmt=mk, color=col, mfc="none", capsize=2,
                        label=f"{name}: one realisation ± 2σ (fit)" if k == 0 else None)
            for x, r in zip(xs, rs):
                cx.annotate(f"{r['n_minima']}", (x, r["barrier_over_kT"]), xytext=(3, 3), textcoords="offset points",
                            fontsize=7, color=col)
    cx.set_xticks(range(4))
    cx.set_xticklabels(ax.get_xticklabels(), fontsize=8)
    cx.axvline(1.5, color="grey", lw=0.8)
    cx.set_ylabel("energy barrier (k_BT at 310 K)")
    cx.set_title("barrier of each realisation; the number: minima of its landscape", fontsize=9)
    ax.set_title("SAR of each realisation at drive A", fontsize=9)
    bx.set_title("shell ÷ defect-free, ratio of the means per group", fontsize=9)
    cx.grid(alpha=0.3)
    cx.legend(fontsize=7)
    labs = ("A", "B", "B-water", "C")
    for dx, (group, col, mk, word) in zip((-0.2, 0.0, 0.2), (("discovery", "C7", "o", "seeds 1–4 (candidate)"),
                                                             ("replication", "C3", "s", "seeds 5–8 (replication)"),
                                                             ("pooled", "k", "D", "seeds 1–8 (pooled)"))):
        xs, ys, es = [], [], []
        for j, lab in enumerate(labs):
            c = G.get(group, {}).get(lab)
            if c:
                xs.append(j + dx)
                ys.append(c["ratio"])
                es.append(2 * c["ratio_err"])
        bx.errorbar(xs, ys, yerr=es, fmt=mk, color=col, capsize=4, label=f"{word}: ratio ± 2σ")
    bx.axhline(1.0, color="grey", ls=":", label="no change")
    bx.set_xticks(range(len(labs)))
    drv = (data or json.loads(OUT.read_text()))["sar_map"]["drives"]
    bx.set_xticklabels([f"{lab[0]}: {drv[lab[0]]['f_Hz'] / 1e3:g} kHz,\n{drv[lab[0]]['H0_A_per_m'] / 1e3:g} kA/m"
                        + (", water" if lab == "B-water" else ", immob.") for lab in labs], fontsize=8)
    bx.set_ylabel("SAR of the 1 nm vacancy shell ÷ defect-free (ratio)")
    bx.grid(alpha=0.3)
    bx.legend(fontsize=7)
    a = G["replication"]["A"]
    fig.suptitle("Pre-stated replication at 16.0 nm (magnetite TO, 310 K): does the 1 nm vacancy shell (δ = 0.10 within "
                 f"1 nm) heat more than defect-free at drive A?\nseeds 5–8: × {a['ratio']:.3g} ± {a['ratio_err']:.2g}, "
                 f"{a['verdict']}; prediction " + ("holds" if R["prediction_holds"] else "does not hold"), fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


# ---------------------------------------------------------------------------------------------------- output
def map_cell_text(c):
    """One SAR-map cell: mean ± seed error (n), ×ratio ± error to defect-free of the same size, ↑/↓ when resolved."""
    if not c:
        return "—"
    t = f"{c['mean']:.3g} ± {c['err']:.2g} (n={c['n']})"
    if "ratio" in c:
        arrow = "" if c["verdict"].startswith("not") else (" ↑" if c["ratio"] > 1 else " ↓")
        t += f" ×{c['ratio']:.2g} ± {c['ratio_err']:.2g}{arrow}"
    return t


def runs_lines(m):
    """The "Runs" lines of a study's summary ``meta``: the command, task wall times, each invocation's CPU/wall."""
    last = f" (`{m['merged_db']}`)" if m.get("merged_db") else ""
    held = (f"{m['n_rows']} rows ({m['n_rows_db']} from the database merged last{last}, {m['n_rows_kept']} from "
            f"earlier databases, kept in the summary)" if m.get("n_rows_kept") else f"{m['n_rows']} rows in the database")
    lines = ["", "**Runs** (measured under load):", "", f"- `{m['command']}`: {held}; "
             f"task wall {min(m['task_walltime_s'].values()):.0f}–{max(m['task_walltime_s'].values()):.0f} s"]
    tot_cpu, tot_n = 0.0, 0
    for label, inv in m.get("invocations", {}).items():
        cpu = inv.get("user_cpu_s", float("nan")) + inv.get("system_cpu_s", 0.0)
        n = inv.get("written", 0)
        tot_cpu, tot_n = tot_cpu + cpu, tot_n + n
        lines.append(f"  - {label}: {n} task(s) written" + (" (stopped with SIGINT)" if inv.get("interrupted") else "")
                     + f", wall {inv.get('wall_s', float('nan')) / 60:.1f} min, CPU {cpu / 60:.1f} min"
                     + (f" ({cpu / n:.0f} CPU s per task)" if n else "")
                     + f", max RSS {inv.get('max_rss_kB', float('nan')) / 1e6:.2f} GB")
    if tot_n:
        lines.append(f"  - in all: {tot_n} tasks, CPU {tot_cpu / 60:.1f} min ({tot_cpu / tot_n:.0f} CPU s per task)")
    return lines


def placement(data=None, data12=None, sizes=("16nm",)):
    """The placement factors at 12.1 nm (§8d, ``data12``: today's summary) and at each of ``sizes`` (each study's
    committed summary; ``data`` replaces the 16 nm one): per placement variant and size, per quantity
    dict(random=, defect_free=, random_seed=, defect_free_seed=), each a ratio entry (ratio, err, verdict; the
    ``_seed`` ones judged by the seed spread alone), the barrier change in k_BT against each reference
    (``barrier_diff``, :func:`barrier_difference`) and ``n``. Every size's references are its own random δ = 0.10
    and defect-free particles (at 12.1 nm today's, §8c)."""
    src = {"12nm": main12_all(data12)}
    for size in sizes:
        d = data if data is not None and size == "16nm" else json.loads(summary_path(size).read_text())
        src[size] = d["summary"]["main"]
    out = {}
    for name in PLACEMENTS:
        for size, m in src.items():
            v = m.get(name)
            if not v:
                continue
            e = out.setdefault(name, {}).setdefault(size, {})
            for p in T.RATIO_QUANTITIES:
                r = T.ratio_entry(v, m[RANDOM], p) if RANDOM in m else None
                f = T.ratio_entry(v, m[REFERENCE], p) if REFERENCE in m else None
                e[p] = dict(random=r, defect_free=f, random_seed=seed_verdict(r), defect_free_seed=seed_verdict(f))
            e["barrier_diff"] = {k: barrier_difference(v, m[ref]) if ref in m else None
                                 for k, ref in (("random", RANDOM), ("defect_free", REFERENCE))}
            e["n"] = v["n"]
    return out


PLACEMENT_LABEL = {"Ms_A_per_m": "Ms", "barrier_over_kT": "barrier/k_BT", "sar_sweep.sar": "SAR immobilised",
                   "sar_sweep_water.sar": "SAR water"}


def _kt_cell(x):
    """A barrier change in k_BT with its error and verdict, as the tables print it."""
    return f"{x['diff']:+.3g} ± {x['err']:.2g} ({x['verdict'].replace(' at 2σ', '')})" if x else "—"


def placement_table(sizes=("16nm",), data=None, data12=None):
    """The markdown tables of a study's vacancy-placement part (validation §8f: ``sizes`` = ("16nm",); §8h: every
    size that ran the placements up to 25 nm): ordered / gradient ÷ random δ = 0.10 and ÷ defect-free at 12.1 nm (§8d)
    and each of ``sizes``, each with the rule's error and verdict, the seed-spread-only verdict at the largest size,
    then the barrier changes in k_BT."""
    P = placement(data, data12, sizes)
    if not P:
        return ""
    all_sizes, last = ("12nm", *sizes), sizes[-1]
    w = {sz: SIZE_WORDS[sz] for sz in all_sizes}
    n = {name: "/".join(str(P[name][sz]["n"]) if sz in P[name] else "0" for sz in all_sizes) for name in P}
    head = []
    for ref in ("random", "defect-free"):
        head += [f"÷ {ref}, {w[sz]}" for sz in all_sizes] + [f"÷ {ref}, {w[last]}, seed spread"]
    lines = ["**Placement at δ = 0.10: ordered / gradient ÷ random δ = 0.10 and ÷ defect-free of the same size, "
             f"{' → '.join(w[sz] + (' (§8d)' if sz == '12nm' else '') for sz in all_sizes)}; verdict at 2σ (the rule's "
             "error; seed spread: the seed-spread-only error)**", "",
             f"| variant (n at {' / '.join(w[sz] for sz in all_sizes)}) | quantity | " + " | ".join(head) + " |",
             "|---" * (2 + len(head)) + "|"]
    for name, by in P.items():
        for p in T.RATIO_QUANTITIES:
            c = [f"{name} ({n[name]})", PLACEMENT_LABEL[p]]
            for ref in ("random", "defect_free"):
                c += [T._rcell(by.get(sz, {}).get(p, {}).get(ref)) for sz in all_sizes]
                c.append(T._rcell(by.get(last, {}).get(p, {}).get(f"{ref}_seed")))
            lines.append("| " + " | ".join(c) + " |")
    head = [f"− {ref}, {w[sz]}" for ref in ("random", "defect-free") for sz in all_sizes]
    lines += ["", "**Placement: barrier change in k_BT at 310 K (error in quadrature):**", "",
              "| variant | " + " | ".join(head) + " |", "|---" * (1 + len(head)) + "|"]
    for name, by in P.items():
        lines.append(f"| {name} | " + " | ".join(_kt_cell(by.get(sz, {}).get("barrier_diff", {}).get(ref))
                                                 for ref in ("random", "defect_free") for sz in all_sizes) + " |")
    return "\n".join(lines)


def plot_placement(sizes=("12nm", "16nm", "25nm"), out=FIG / "placement.png"):
    """``placement.png``: random, ordered and gradient δ = 0.10 vacancies and the 1 nm vacancy shell (δ = 0.10 within the shell, 0.05 of the
    shell's B sites) against the defect-free particle of the same
    size, at each of ``sizes`` (12.1 nm: the §8c/§8d rows; above: each study's committed summary): the barrier
    change in k_BT and the SAR ratio immobilised and in water, every realisation (hollow, against the defect-free
    mean) and each variant's mean ± 2σ (filled: :func:`barrier_difference` and the ratio entries, the rule's
    error)."""
    import tomllib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullLocator

    stats = {sz: main12_all() if sz == "12nm" else json.loads(summary_path(sz).read_text())["summary"]["main"]
             for sz in sizes}
    sar = tomllib.loads(RECIPE.read_text())["protocol"]["sar"]
    names = [RANDOM, *PLACEMENTS, SHELL]
    panels = (("barrier_over_kT", "barrier change against defect-free (k_BT at 310 K)"),
              ("sar_sweep.sar", "SAR immobilised ÷ defect-free (log scale)"),
              ("sar_sweep_water.sar", "SAR in water ÷ defect-free (log scale)"))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8))
    offsets = np.linspace(-0.25, 0.25, len(sizes))
    for ax, (p, lab) in zip(axes, panels):
        for dx, size in zip(offsets, sizes):
            col, mk = SIZE_STYLE[size]
            ref = stats[size].get(REFERENCE)
            for j, n in enumerate(names):
                v = stats[size].get(n)
                if not v or not ref or p not in v:
                    continue
                if p == "barrier_over_kT":
                    each = np.asarray(v[p]["per_seed"]) - ref[p]["mean"]
                    d = barrier_difference(v, ref)
                    mid, err = d["diff"], d["err"]
                else:
                    each = np.asarray(v[p]["per_seed"]) / ref[p]["mean"]
                    r = T.ratio_entry(v, ref, p)
                    mid, err = r["ratio"], r["err"]
                ax.plot(j + dx - 0.04 + np.linspace(-0.03, 0.03, len(each)), each, mk, color=col, mfc="none", ms=5,
                        label=f"{SIZE_WORDS[size]} TO: one realisation" if j == 0 else None)
                ax.errorbar(j + dx + 0.05, mid, yerr=2 * err, fmt=mk, color=col, capsize=3,
                            label=f"{SIZE_WORDS[size]} TO: mean ± 2σ" if j == 0 else None)
                if v["n"] != ref["n"]:  # fewer realisations than the reference: say how many
                    ax.annotate(f"n = {v['n']}", (j + dx + 0.05, mid), xytext=(4, -10), textcoords="offset points",
                                fontsize=7, color=col)
        ax.axhline(0.0 if p == "barrier_over_kT" else 1.0, color="grey", ls=":", label="defect-free")
        if p.startswith("sar"):
            ax.set_yscale("log")
            lo, hi = ax.get_ylim()
            ax.yaxis.set_major_locator(FixedLocator([t for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.2, 1.5, 2, 3)
                                                     if lo <= t <= hi]))
            ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
            ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(["random\nδ = 0.10", "ordered (P4₃32)\nδ = 0.10", "gradient (1 nm)\nδ = 0.10",
                            "1 nm shell\nδ = 0.10 in the shell"], fontsize=8)
        ax.set_ylabel(lab)
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=7)
    fig.suptitle("Where the B-site vacancies sit (δ = 0.10; the shell: δ = 0.10 within 1 nm, 0.05 of its B sites), against the "
                 "defect-free particle of the same size:\n"
                 f"magnetite truncated octahedra at 310 K, {sar['f_Hz'] / 1e3:g} kHz, {sar['H0_A_per_m'] / 1e3:g} kA/m; "
                 + ", ".join(SIZE_WORDS[sz] for sz in sizes), fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main12_all(d12=None):
    """The 12.1 nm per-variant summaries: today's sweep (§8c) then the vacancy placements (§8d), both against today's
    defect-free particle (``make_defects_heating_today.summarise``)."""
    S = (d12 or json.loads(T.OUT.read_text()))["summary"]
    return {**S["main"], **S.get("vacancy_order", {})}


def table(path=OUT):
    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    pm = T._pm
    lines = ["**16.0 nm, per variant (mean ± error over the realisations):**", "",
             "| variant | n | Ms (kA/m) | barrier/k_BT | minima | SAR immob. (W/g) | SAR water (W/g) | ILP immob. "
             "(nH m²/kg) | χ²/dof | n_eff min | refresh windows min |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, v in S["main"].items():
        rows = [r for r in data["rows"] if r["recipe_variant"] == name]
        ms = v["Ms_A_per_m"]
        cells = [name, str(v["n"]), pm(ms["mean"] / 1e3, ms["err"] / 1e3, 5)]
        for p in ("barrier_over_kT", "n_minima", "sar_sweep.sar", "sar_sweep_water.sar", "sar_sweep.ilp"):
            if p == "n_minima":
                cells.append("/".join(str(int(x)) for x in v[p]["per_seed"]))
            else:
                cells.append(pm(v[p]["mean"], v[p]["err"]) if p in v else "—")
        cells += [f"{min(r['chi2_per_dof'] for r in rows):.2g}–{max(r['chi2_per_dof'] for r in rows):.2g}",
                  f"{min(r['n_eff_min'] for r in rows):.2g}", f"{min(r['refresh_windows_min'] for r in rows):g}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "**Barrier change against defect-free of the same size (k_BT at 310 K; error in quadrature):**", "",
              "| variant | 16.0 nm: Δ barrier/k_BT | 12.1 nm: Δ barrier/k_BT |", "|---|---|---|"]
    d12 = main12_all()
    for name, v in S["main"].items():
        if "barrier_diff_kT" in v and v["barrier_diff_kT"]:
            b = v["barrier_diff_kT"]
            o = barrier_difference(d12[name], d12[REFERENCE]) if name in d12 else None
            cell = _kt_cell
            lines.append(f"| {name} | {cell(b)} | {cell(o)} |")
    lines += ["", "**Ratio to defect-free of the same size, 12.1 nm (§8c) → 16.0 nm; verdict at 2σ; does the trend "
              "hold with size? (the rule's error, then the seed-spread-only error)**", "",
              "| variant ÷ defect-free | quantity | 12.1 nm | 16.0 nm | with size | 12.1 nm, seed spread | "
              "16.0 nm, seed spread | with size, seed spread |", "|---|---|---|---|---|---|---|---|"]
    label = {"Ms_A_per_m": "Ms", "barrier_over_kT": "barrier/k_BT", "sar_sweep.sar": "SAR immobilised",
             "sar_sweep_water.sar": "SAR water"}
    for name, c in S.get("compare", {}).items():
        for p in T.RATIO_QUANTITIES:
            lines.append(f"| {name} | {label[p]} | {T._rcell(c[p]['r12'])} | {T._rcell(c[p]['r16'])} | {c[p]['trend']} | "
                         f"{T._rcell(c[p].get('seed12'))} | {T._rcell(c[p].get('seed16'))} | {c[p].get('trend_seed', '')} |")
    ab = S.get("reference_12_vs_16", {})
    if ab:
        lines += ["", "| defect-free | 12.1 nm | 16.0 nm |", "|---|---|---|"]
        for p in T.RATIO_QUANTITIES:
            a, b = ab[p]["r12"], ab[p]["r16"]
            f = (lambda x: pm(x["mean"] / 1e3, x["err"] / 1e3, 5) + " kA/m") if p == "Ms_A_per_m" else \
                (lambda x: pm(x["mean"], x["err"]))
            lines.append(f"| {label[p]} | {f(a) if a else '—'} | {f(b) if b else '—'} |")
    dec = data.get("decomposition", {})
    if dec:
        lines += ["", "**ΔSAR decomposition** (the SAR model atomspin.sar picks, 100 kHz, 4 kA/m, immobilised; realisation → "
                  "defect-free reference of the same size: its first realisation's landscape at the mean Ms; W/g; dead layer: the moment loss as a magnetically dead shell of "
                  "that thickness, same total barrier energy):", "",
                  "| size | variant (seed) | barrier/k_BT | SAR ref. → defect | from Ms | from barrier height | "
                  "from landscape shape | dead-layer thickness (nm) | dead layer − actual |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for size in SIZES:
            for key, d in dec.get(size, {}).items():
                n, sd = key.split("|")
                tot = d["sar_defect"] - d["sar_ref"]

                def pc(x):
                    return f"{x:+.3g} ({100 * x / abs(d['sar_ref']):+.0f} %)"
                lines.append(f"| {size} | {n} ({sd}) | {d['barrier_over_kT']:.3g} | {d['sar_ref']:.3g} → "
                             f"{d['sar_defect']:.3g} ({100 * tot / d['sar_ref']:+.0f} %) | {pc(d['dMs'])} | "
                             f"{pc(d['dBarrier'])} | {pc(d['dShape'])} | {d['dead_layer_nm']:.3f} | {pc(d['dDeadLayer'])} |")
        means = decomposition_means(data)
        if means:
            lines += ["", "**ΔSAR decomposition, mean over the decomposed realisations** (each term as a percentage of "
                      "the defect-free SAR of the same size at drive A; ± the seed standard error; n realisations):", "",
                      "| size | variant | n | total | from Ms | from barrier height | from landscape shape |",
                      "|---|---|---|---|---|---|---|"]
            for (size, name), m in means.items():
                lines.append(f"| {size} | {name} | {m['n']} | " + " | ".join(
                    f"{m[k]['mean']:+.0f} ± {m[k]['err']:.0f} %" for k in ("total", "dMs", "dBarrier", "dShape")) + " |")
    if data.get("sar_map", {}).get("values"):
        cells = map_cells(data)
        drv = data["sar_map"]["drives"]
        lines += ["", "**SAR map (W/g), mean ± seed error over the realisations, ×ratio to defect-free of the same size "
                  "(↑/↓ resolved at 2σ):**", "",
                  "| size | variant | " + " | ".join(
                      f"{lab}: {drv[lab[0]]['f_Hz'] / 1e3:g} kHz, {drv[lab[0]]['H0_A_per_m'] / 1e3:g} kA/m"
                      + {"B-water": " (water; sweep)", "B-sweep": " (sweep)"}.get(lab, "")
                      for lab in ("A", "B", "B-sweep", "B-water", "C")) + " |",
                  "|---|---|---|---|---|---|---|"]
        S12 = json.loads(T.OUT.read_text())["summary"]["main"]
        for size in SIZES:
            present = {n for (s, n, _) in cells if s == size}
            for n in [x for x in S12 if x in present] + sorted(present - set(S12)):
                row = [size, n]
                row += [map_cell_text(cells.get((size, n, lab))) for lab in ("A", "B", "B-sweep", "B-water", "C")]
                lines.append("| " + " | ".join(row) + " |")
    lines += runs_lines(data["meta"])
    for k in ("decomposition", "sar_map"):
        src = data.get(k, {})
        vals = src.get("values", src) if k == "sar_map" else [d for s in src.values() for d in s.values()]
        cpu_k = sum(v["cpu_s"] for v in (vals.values() if isinstance(vals, dict) else vals) if "cpu_s" in v)
        if cpu_k:
            lines.append(f"- `python docs/make_defects_heating_16nm.py {'map' if k == 'sar_map' else 'decompose'}`: "
                         f"CPU {cpu_k / 60:.1f} min")
    return "\n".join(lines)


def plot(path=OUT):
    """``size_ratios.png``: each ratio to defect-free at every size measured (12.1, 16.0 and, once its summary
    exists, 19.7 nm); ``sar_size_map.png``: SAR(defect content, size) at the three drives with the Brezovich and
    Hergt–Dutz limits."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter, NullFormatter

    from atomspin import sar

    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    d12 = json.loads(T.OUT.read_text())
    S12 = main12_all(d12)  # today's variants (§8c) and the vacancy placements (§8d)
    more = {sz: json.loads(summary_path(sz).read_text()) for sz in sizes_present() if sz not in SIZES}
    mains = {"12nm": S12, "16nm": S["main"], **{sz: d["summary"]["main"] for sz, d in more.items()}}
    sizes = list(mains)
    offs = np.linspace(-0.15, 0.15, len(sizes)) if len(sizes) > 1 else [0.0]
    names = [n for n in S["main"] if n != REFERENCE and n in S12]  # the variants measured at 12 and 16 nm
    panels = (("Ms_A_per_m", "Ms ÷ defect-free (ratio)"),
              ("barrier_diff_kT", "barrier − defect-free barrier (k_BT at 310 K)"),
              ("sar_sweep.sar", "SAR immobilised ÷ defect-free (ratio, log)"),
              ("sar_sweep_water.sar", "SAR in water ÷ defect-free (ratio, log)"))
    first = {sz: next((k for k, n in enumerate(names) if n in mains[sz]), None) for sz in sizes}
    fig, axes = plt.subplots(1, 4, figsize=(17, 1.2 + 0.9 * max(len(names), 2)), sharey=True)
    for ax, (p, lab) in zip(axes, panels):
        for k, name in enumerate(names):
            for dy, sz in zip(offs, sizes):
                src, (col, mk) = mains[sz], SIZE_STYLE[sz]
                leg = f"{SIZE_WORDS[sz]} TO" + (" (§8c)" if sz == "12nm" else "")
                if REFERENCE not in src:
                    continue
                v = src.get(name) or {}
                if p == "barrier_diff_kT":
                    r = barrier_difference(v, src[REFERENCE])
                    if r:
                        ax.errorbar(r["diff"], k + dy, xerr=2 * r["err"], fmt=mk, color=col,
                                    label=leg if k == 0 else None)
                    continue
                r = v.get("ratio", {}).get(p)
                if not r:
                    continue
                lin = p == "Ms_A_per_m"
                for e, lw, cap, alpha in ((r["err"], 1.0, 3, 1.0), (r.get("err_seed", np.nan), 6.0, 0, 0.45)):
                    if not np.isfinite(e):
                        continue
                    lo = 2 * e if lin else min(2 * e, 0.999 * r["ratio"])
                    ax.errorbar(r["ratio"], k + dy, xerr=[[lo], [2 * e]], fmt=mk, color=col, lw=lw, capsize=cap,
                                ecolor=col, alpha=alpha, mec=col,
                                label=(leg + (": 2σ of the rule (thin bar), of the seed spread (thick bar)"
                                              if not lin else "")) if k == first.get(sz) and lw == 1.0 else None)
        ax.axvline(0.0 if p == "barrier_diff_kT" else 1.0, color="k", lw=0.8)
        if p.startswith("sar"):
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(lab)
        ax.grid(alpha=0.3, which="both")
    axes[0].set_yticks(range(len(names)))
    axes[0].set_yticklabels([f"{n} (n = " + " / ".join(str(mains[sz][n]["n"]) if n in mains[sz] else "0" for sz in sizes)
                             + ")" for n in names])
    axes[0].invert_yaxis()
    axes[0].set_ylim(len(names) - 0.5, -0.5)
    h, lab_ = axes[2].get_legend_handles_labels()
    fig.legend(h, lab_, loc="lower center", ncol=len(sizes) if len(sizes) <= 3 else 2, fontsize=8)
    fig.suptitle("Magnetite truncated octahedra, 310 K, 100 kHz, 15 kA/m: defect ÷ defect-free of the same size "
                 f"(mean over n realisations at {' / '.join(SIZE_WORDS[sz] for sz in sizes)}), error bars 2σ")
    fig.tight_layout(rect=(0, 0.1 if len(sizes) <= 3 else 0.16, 1, 1))
    fig.savefig(FIG / "size_ratios.png", dpi=110)
    plt.close(fig)

    if not data.get("sar_map", {}).get("values"):
        return
    cells = map_cells(data, d12, more)
    drv = data["sar_map"]["drives"]
    order = [REFERENCE] + [n for n in S12 if n != REFERENCE]  # every 12 nm variant; blank where not measured
    fig, axs = plt.subplots(2, 2, figsize=(15, 9.5))
    for ax, lab in zip(axs.flat[:3], ("A", "B", "C")):
        for dx, size in zip(np.linspace(-0.16, 0.16, len(sizes)) if len(sizes) > 1 else [0.0], sizes):
            col, mk = SIZE_STYLE[size]
            for med, fill in (("", True), ("-water", False)):
                if med and lab != "B":
                    continue
                xs, ys, es = [], [], []
                for j, n in enumerate(order):
                    c = cells.get((size, n, lab + med))
                    if c:
                        xs.append(j + dx + (0.06 if med else 0.0))
                        ys.append(c["mean"])
                        es.append(2 * c["err"] if np.isfinite(c["err"]) else 0.0)
                if xs:
                    ys, es = np.array(ys), np.array(es)
                    ax.errorbar(xs, ys, yerr=[np.minimum(es, 0.999 * ys), es], fmt=mk, color=col,
                                mfc=col if fill else "none",
                                label=f"{SIZE_WORDS[size]} TO, {'in water' if med else 'immobilised'}")
        f, h = drv[lab]["f_Hz"], drv[lab]["H0_A_per_m"]
        hf = f * h
        lim = ("below the Brezovich limit" if hf <= sar.BREZOVICH_LIMIT else
               "above Brezovich, below Hergt–Dutz" if hf <= sar.HERGT_DUTZ_LIMIT else "above Hergt–Dutz")
        ax.set_yscale("log")
        ax.set_xticks(range(len(order)))
        ax.set_xticklabels([n.replace("vacancies-", "vac. ").replace("-", " ") for n in order], rotation=30,
                           ha="right", fontsize=8)
        ax.set_ylabel("SAR (W/g of magnetite), log scale")
        ax.set_title(f"drive {lab}: {f / 1e3:g} kHz, {h / 1e3:g} kA/m, H0·f = {hf:.2g} A m⁻¹ s⁻¹ ({lim})", fontsize=9)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=7)
    ax = axs.flat[3]
    fgrid = np.logspace(4.5, 6.3, 100)
    for lim_v, name, ls in ((sar.BREZOVICH_LIMIT, "Brezovich H0·f = 4.85e8 A m⁻¹ s⁻¹", "--"),
                            (sar.HERGT_DUTZ_LIMIT, "Hergt–Dutz H0·f = 5e9 A m⁻¹ s⁻¹", ":")):
        ax.plot(fgrid / 1e3, lim_v / fgrid / 1e3, "k" + ls, label=name)
    for lab in ("A", "B", "C"):
        ax.plot(drv[lab]["f_Hz"] / 1e3, drv[lab]["H0_A_per_m"] / 1e3, "o", color="C2")
        ax.annotate(f" {lab}", (drv[lab]["f_Hz"] / 1e3, drv[lab]["H0_A_per_m"] / 1e3), fontsize=10)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(1, 100)
    ax.set_xlabel("frequency f (kHz)")
    ax.set_ylabel("field amplitude H0 (kA/m)")
    ax.set_title("the three drives against the clinical H0·f limits", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, which="both")
    fig.suptitle("SAR(defect content, size) of magnetite truncated octahedra at 310 K: mean over the realisations, "
                 "error bars 2σ (seed spread)\nimmobilised: recomputed from the stored landscapes (no Monte Carlo); in water: "
                 "the sweeps' own SAR step", fontsize=10)
    fig.tight_layout()
    fig.savefig(FIG / "sar_size_map.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "table"
    if cmd == "db":  # the study's own database is gone: the database to merge is named explicitly
        if len(sys.argv) < 3:
            raise SystemExit("db DB: name the database to merge into the summary (the study's first database, "
                             f"results/{DB.name}, is gone; its rows are kept in {OUT.relative_to(ROOT)})")
        d = extract(db=pathlib.Path(sys.argv[2]).resolve(), command_db=DB.name)
        print(json.dumps({k: v for k, v in d["meta"].items() if k != "task_walltime_s"}, indent=1))
    elif cmd == "replication":  # replication [DB]: the stages R1-R8 rows, their map values, then the table
        extract_replication(db=pathlib.Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else REP_DB)
        replication_map()
        plot_replication()
        print(replication_table())
    elif cmd == "vacancy-geometry":  # the shell's vacancy arrangement per realisation, seeds 1-8 (structure only)
        shell_vacancy_geometry()
    elif cmd == "swap":  # swap [S1,S2 ...]: shell structure of S1 with the landscape stream of S2 (Monte Carlo)
        landscape_swap(tuple(tuple(int(x) for x in a.split(",")) for a in sys.argv[2:]) or ((5, 7), (7, 5)))
    elif cmd == "rescore":
        rescore()
    elif cmd == "decompose":  # decompose [SEEDS [VARIANTS [SIZES]]], comma-separated (default: 1, every one, 12nm,16nm)
        seeds = tuple(int(s) for s in sys.argv[2].split(",")) if len(sys.argv) > 2 else (1,)
        variants = tuple(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
        sizes = tuple(sys.argv[4].split(",")) if len(sys.argv) > 4 else SIZES
        decomposition(seeds=seeds, variants=variants, sizes=sizes)
    elif cmd == "map":
        seeds = tuple(int(s) for s in sys.argv[2].split(",")) if len(sys.argv) > 2 else (1, 2, 3, 4)
        sar_map(seeds=seeds)
    elif cmd == "plot":
        plot()
        plot_placement()
    elif cmd == "table":
        print(table())
    elif cmd == "placement":
        print(placement_table())
    else:
        raise SystemExit(__doc__)
