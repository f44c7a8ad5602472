"""Sign of the Néel surface constant K_s at 12.1 nm (issue #15; docs/validation.md §8e): the fits give |K_s|, so §8e's
K_s sensitivity (1e-5 and 1e-4 J/m²) is extended to K_s = −2.9e-5 (minus the default) and −1e-4 J/m² (minus the upper
end of the range), as §8k did at 16 nm, and −1e-5 J/m² (minus the lower end;
defects_heating_12nm_sens_kssign_small.toml, its own database, one task per invocation); defect-free, two APBs,
one APB through the centre and random δ = 0.10, two realisations each, each against the defect-free particle at
the same K_s, immobilised and in water; at −1e-5 J/m² two more realisations (seeds 3-4;
defects_heating_12nm_sens_kssign_small_seeds34.toml, its own database, one task per invocation), whose rows join
seeds 1-2 of sens_kssign_small (four realisations at that K_s), as §8k did at 16 nm.

    PYTHONPATH=$PWD nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v python -m atomspin.cli \\
        sweep structures/recipes/defects_heating_12nm_sens_kssign_probe.toml \\
        --db results/defects_heating_12nm_sens_kssign.db --workers 1
    (then the same with defects_heating_12nm_sens_kssign.toml on the same database: it skips the probe's task;
    −1e-5 J/m²: each task of defects_heating_12nm_sens_kssign_small.toml alone, in a one-variant, one-seed copy of
    the recipe (same task hash), --db results/defects_heating_12nm_sens_kssign_small.db, its log and stamps
    results/defects_heating_12nm_sens_kssign_small_<variant>_s<seed>.log|start|end; seeds 3-4 at −1e-5 J/m² the
    same way with defects_heating_12nm_sens_kssign_small_seeds34.toml,
    --db results/defects_heating_12nm_sens_kssign_small_seeds34.db)
    python docs/make_defects_heating_sens12.py db      # the database → docs/figures/defects_heating/sens_12nm.json
    python docs/make_defects_heating_sens12.py table   # the markdown tables of validation §8e (sign of K_s)
    python docs/make_defects_heating_sens12.py plot    # docs/figures/defects_heating/sens_12nm.png
    python docs/make_defects_heating_sens12.py codecheck  # the current SAR code on stored 12.1 nm rows (code_check)

Each invocation writes its log ``results/<recipe stem>.log`` (with ``/usr/bin/time -v``) and its start/end stamps
(epoch seconds) ``results/<recipe stem>.start|end``; the wall, CPU time and maximum RSS come from those.

Every statistic, ratio, verdict and parser is that of ``docs/make_defects_heating_today.py`` (§8c–8e; imported, not
copied): per group the mean over the realisations with the error the larger of the seed standard error and the
propagated per-realisation errors / √n; the first-order ratio error; "resolved" beyond 2σ. The barrier change in
k_BT is ``make_defects_heating_16nm.barrier_difference`` (§8k). References: the defect-free particle of this sweep at
the same K_s. For the verdict over the whole K_s axis the positive-K_s points are §8e's (the ``sens_ks`` entries of
``sweep_12nm_today.json``: 1e-5 and 1e-4 J/m², two realisations) and the default (+2.9e-5 J/m²) is the 12.1 nm
study's (``main`` of the same summary, four realisations; §8c/§8i). The database is not committed: once it is gone
the rows are kept from the existing summary.
"""
import functools
import importlib.util
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIG = ROOT / "docs" / "figures" / "defects_heating"
OUT = FIG / "sens_12nm.json"
STUDIES = ("sens_kssign", "sens_kssign_small", "sens_kssign_small_seeds34")
#: runs whose rows are more realisations of another study's tasks (same recipe but the seeds, same task hashes as
#: that recipe with the seeds extended): their rows carry that study's name (so they join its groups) and their own
#: run name (``run``); a row without ``run`` is of the run its study names (make_defects_heating_sens16.EXTENDS)
EXTENDS = {"sens_kssign_small_seeds34": "sens_kssign_small"}
VARIANTS = ("defect-free", "APB-two", "APB-centre", "vacancies-random-0.10")
#: studies run as several invocations on one database (the recipe stems in order; each has its own log and stamps).
#: The −1e-5 J/m² point (sens_kssign_small) ran one task per invocation (a one-variant, one-seed copy of its recipe
#: each, same task hash): the stems ``sens_kssign_small_<variant>_s<seed>`` are of their logs and stamps
STAGES = {"sens_kssign": ("sens_kssign_probe", "sens_kssign"),
          "sens_kssign_small": tuple(f"sens_kssign_small_{v}_s{k}" for v in VARIANTS for k in (1, 2)),
          "sens_kssign_small_seeds34": tuple(f"sens_kssign_small_seeds34_{v}_s{k}" for v in VARIANTS for k in (3, 4))}
#: studies whose STAGES are one-task copies of the study's recipe, not recipes of their own
PER_TASK = ("sens_kssign_small", "sens_kssign_small_seeds34")
MEDIA = (("sar_sweep.sar", "immobilised"), ("sar_sweep_water.sar", "in water"))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


M16 = _load("make_defects_heating_16nm", ROOT / "docs" / "make_defects_heating_16nm.py")
T = M16.T  # make_defects_heating_today, as the 16 nm script loaded it
REFERENCE = T.REFERENCE
STUDY12 = T.OUT  # sweep_12nm_today.json: the 12.1 nm study (defaults) and §8e's K_s magnitude points


def stem(study):
    return f"defects_heating_12nm_{study}"


def recipe_path(study):
    return ROOT / "structures" / "recipes" / f"{stem(study)}.toml"


def db_path(study):
    return ROOT / "results" / f"{stem(study)}.db"


def ks_J_per_m2(k_s_meV):
    """The {111} facet constant K_s (J/m²) of a per-bond k_s (meV), the conversion of the recipes (k_s = 2K_s/b)."""
    from atomspin.model.anisotropy import neel_facet_constant_J_per_m2

    return float(neel_facet_constant_J_per_m2(k_s_meV))


# ---------------------------------------------------------------------------------------------------- extract
def _rows_of_db(study):
    """The database rows of one study (make_defects_heating.sweep_rows) with the parameter axis of their recipe."""
    rows = []
    for row, _, rec in T._mdh().sweep_rows(db_path(study)):
        par, val = T.axis_of(rec)
        row.update(study=EXTENDS.get(study, study), axis_parameter=par, axis_value=val)
        if study in EXTENDS:
            row["run"] = study
        row["key"] = f"{row['key']}|{par}={val}"  # two rows per variant and seed: the key names the K_s too
        rows.append(row)
    return rows


def _one_invocation(s, rows):
    inv = T._invocation(stem(s))
    start = ROOT / "results" / f"{stem(s)}.start"
    if inv and "written" not in inv and start.exists():  # stopped before its summary line
        t0 = float(start.read_text())
        t1 = t0 + inv.get("wall_s", np.inf)
        inv.update(interrupted=True, written=sum(1 for x in rows if t0 <= x["written_unix_s"] <= t1))
    return inv


def _invocation(study, rows):
    """Wall (stamps), CPU and maximum RSS (``/usr/bin/time -v``) of the study's invocations, each on its own and
    summed (RSS: the largest)."""
    parts = {stem(s): p for s in STAGES.get(study, (study,)) if (p := _one_invocation(s, rows))}
    inv = dict(stages=parts)
    for k in ("wall_s", "user_cpu_s", "system_cpu_s", "written"):
        if any(k in p for p in parts.values()):
            inv[k] = sum(p.get(k, 0) for p in parts.values())
    if any("max_rss_kB" in p for p in parts.values()):
        inv["max_rss_kB"] = max(p.get("max_rss_kB", 0.0) for p in parts.values())
    if any(p.get("interrupted") for p in parts.values()):
        inv["interrupted"] = True
    if inv.get("written"):
        inv["cpu_s_per_task"] = float((inv.get("user_cpu_s", np.nan) + inv.get("system_cpu_s", 0.0)) / inv["written"])
    return inv


def _command(study):
    """The command line(s) of a study's invocations (a per-task study: its recipe's one-task copies, one invocation
    each)."""
    run = ("nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 atomspin sweep {} "
           f"--db results/{db_path(study).name} --workers 1")
    if study in PER_TASK:
        return (run.format(f"<one-variant, one-seed copy of {recipe_path(study).relative_to(ROOT)}>")
                + f" (one invocation per task under /usr/bin/time -v, {len(STAGES[study])} tasks, same task hashes)")
    return " && ".join(run.format(recipe_path(s).relative_to(ROOT)) for s in STAGES.get(study, (study,)))


def extract(out=OUT):
    """Rows of the database (one per task, the format of make_defects_heating.db_row, with the swept parameter and
    its value), the invocation data and the summary. A study whose database is gone keeps its rows and invocation
    data from ``out``."""
    prev = json.loads(out.read_text()) if out.exists() else {}
    rows, meta = [], {}
    for study in STUDIES:
        if db_path(study).exists():
            got = _rows_of_db(study)
            rows += got
            meta[study] = dict(recipe=str(recipe_path(study).relative_to(ROOT)), n_rows=len(got),
                               command=_command(study),
                               invocation=_invocation(study, got),
                               task_walltime_s={f"{x['recipe_variant']} {x['axis_parameter']}={x['axis_value']:g} "
                                                f"s{x['seed']}": x["elapsed_s"] for x in got})
        elif study in prev.get("meta", {}):
            rows += [r for r in prev["rows"] if r.get("run", r["study"]) == study]
            meta[study] = prev["meta"][study]
    rows.sort(key=lambda r: (VARIANTS.index(r["recipe_variant"]), r["axis_value"], r["seed"]))
    data = dict(meta=meta, rows=rows)
    if "code_check" in prev:
        data["code_check"] = prev["code_check"]
    data["summary"] = summarise(rows)
    out.write_text(json.dumps(data, indent=1, default=float))
    return data


# ---------------------------------------------------------------------------------------------------- summary
def study12(path=STUDY12):
    """The 12.1 nm summary: its defect-free stats at the defaults, the ``main`` entries (every variant at the
    defaults) and §8e's K_s-magnitude entries (``sens_ks``)."""
    d = json.loads(pathlib.Path(path).read_text())["summary"]
    ks = [e for e in d["sensitivity"] if e["study"] == "sens_ks"]
    return d["reference"], d["main"], ks


def _entry(variant, value, stats, ref_stats, ref_label, source):
    s = dict(stats)
    s["ratio"] = {p: e for p in T.RATIO_QUANTITIES if (e := T.ratio_entry(s, ref_stats, p))}
    s["barrier_diff_kT"] = M16.barrier_difference(s, ref_stats)
    s["separation"] = _S16().seed_separation(s, ref_stats)
    return dict(variant=variant, parameter="neel_ks_meV", value=value, K_s_J_per_m2=ks_J_per_m2(value),
                reference=ref_label, reference_n=ref_stats["n"], source=source, stats=s)


def summarise(rows, path12=STUDY12):
    """``sensitivity``: one entry per (variant, K_s) measured here, its ratios to the defect-free particle at the same
    K_s and the barrier change in k_BT; ``references``: the defect-free stats at each K_s; ``axis``: every variant at
    every K_s known (−1e-4, −2.9e-5 and −1e-5 J/m² here, +1e-5 and +1e-4 from §8e's ``sens_ks`` entries, +2.9e-5 the
    defaults of the 12.1 nm study), each with its ratios; ``apb_one_over_two``: one APB ÷ two APBs at each K_s where
    both were measured; ``holds``: per variant and medium the verdict at each K_s and whether it holds along the
    axis."""
    ref0, main12, ks12 = study12(path12)
    G = T._groups(rows)
    refs = {val: T.group_stats(m) for (st, name, par, val), m in G.items() if name == REFERENCE}
    sens = []
    for (st, name, par, val), members in G.items():
        if name == REFERENCE:
            continue
        sens.append(_entry(name, val, T.group_stats(members), refs[val], f"defect-free at {par} = {val:g}",
                           "this sweep"))
    sens.sort(key=lambda e: (VARIANTS.index(e["variant"]), e["value"]))
    # the whole K_s axis: the defaults (4 realisations) and §8e's magnitudes, their stats and ratios as stored
    from atomspin.model.parameters import load_parameter_set
    from atomspin.model.anisotropy import neel_ks_from_surface_constant

    default_ks = load_parameter_set("magnetite").extra["surface_anisotropy"]["K_s_J_per_m2"]
    axis = [dict(e, K_s_J_per_m2=ks_J_per_m2(e["value"])) for e in sens]
    for name in VARIANTS[1:]:
        if name in main12:
            st = main12[name]
            axis.append(dict(variant=name, parameter="neel_ks_meV",
                             value=float(neel_ks_from_surface_constant(default_ks)), K_s_J_per_m2=default_ks,
                             reference="defect-free at the defaults (12.1 nm study)", reference_n=ref0["n"],
                             source="12.1 nm study at the defaults (§8c/§8i)",
                             stats=dict(st, barrier_diff_kT=M16.barrier_difference(st, ref0))))
    # the defect-free reference along the axis (the defaults, §8e's magnitudes, this sweep)
    d12 = json.loads(pathlib.Path(path12).read_text())
    ref_axis = {ks_key(default_ks): dict(ref0, source="12.1 nm study at the defaults")}
    G12 = T._groups([r for r in d12["rows"] if r["study"] == "sens_ks"])
    refs12 = {val: T.group_stats(m) for (st, name, par, val), m in G12.items() if name == REFERENCE}
    for val, s in refs12.items():
        ref_axis[ks_key(ks_J_per_m2(val))] = dict(s, source="§8e (K_s magnitude)")
    for e in ks12:
        axis.append(dict(variant=e["variant"], parameter=e["parameter"], value=e["value"],
                         K_s_J_per_m2=ks_J_per_m2(e["value"]), reference=e["reference"],
                         reference_n=refs12[e["value"]]["n"], source="§8e (K_s magnitude)",
                         stats=dict(e["stats"], barrier_diff_kT=M16.barrier_difference(e["stats"],
                                                                                      refs12[e["value"]]))))
    axis.sort(key=lambda e: (VARIANTS.index(e["variant"]), e["K_s_J_per_m2"]))
    for val, s in refs.items():
        ref_axis[ks_key(ks_J_per_m2(val))] = dict(s, source="this sweep")
    ref_axis = dict(sorted(ref_axis.items(), key=lambda kv: float(kv[0])))
    # one APB ÷ two APBs, where both were measured at the same K_s
    by = {(e["variant"], e["K_s_J_per_m2"]): e for e in axis}
    one_two = {}
    for (v, k), e in sorted(by.items(), key=lambda kv: kv[0][1]):
        if v == "APB-centre" and ("APB-two", k) in by:
            two = by[("APB-two", k)]["stats"]
            one_two[ks_key(k)] = {p: T.ratio_entry(e["stats"], two, p) for p, _ in MEDIA}
    return dict(sensitivity=sens, references=ref_axis, axis=axis, apb_one_over_two=one_two,
                holds=holds(axis), default_K_s_J_per_m2=default_ks)


@functools.lru_cache(maxsize=1)
def _S16():
    """make_defects_heating_sens16 (its ``seed_separation``, ``separation_lines``, ``runs_lines``, holds words)."""
    return _load("make_defects_heating_sens16", ROOT / "docs" / "make_defects_heating_sens16.py")


def holds(axis):
    """Per variant and medium: the direction at each K_s on the axis ('higher', 'lower', 'n.r.') and whether the
    verdict holds along it (make_defects_heating_sens16's words: 'holds (…)', 'SIGN REVERSES (…)', or where it is not
    resolved)."""
    S16 = _S16()
    out = {}
    for e in axis:
        for p, _ in MEDIA:
            d = out.setdefault(e["variant"], {}).setdefault(p, {})
            d[ks_key(e["K_s_J_per_m2"])] = T._direction(e["stats"]["ratio"].get(p))
    for v in out.values():
        for p, d in v.items():
            v[p] = dict(d, holds=S16._holds_words(d))
    return out


# ---------------------------------------------------------------------------------------------------- code check
def code_check(out=OUT, variants=VARIANTS, seed=1, path12=STUDY12):
    """The SAR code of this sweep's rows (``sar_code_version``) may be newer than that of the stored 12.1 nm rows the
    axis compares them with (the defaults and §8e). Recompute the SAR columns of realisation ``seed`` of each
    ``variants`` at the defaults from its stored landscape with the current code (``make_defects_heating.rescore_rows``
    on a copy: the sar step's own function, the row's errors and seed) and store new ÷ stored under ``code_check``
    of ``out``; the stored summaries are not changed."""
    import copy
    import tempfile

    mdh = T._mdh()
    d12 = json.loads(pathlib.Path(path12).read_text())
    picked = [copy.deepcopy(r) for r in d12["rows"] if r["study"] == "today" and r["recipe_variant"] in variants
              and r["seed"] == seed]
    with tempfile.TemporaryDirectory() as tmp:
        f = pathlib.Path(tmp) / "rows.json"
        f.write_text(json.dumps(dict(rows=picked), default=float))
        new = mdh.rescore_rows(f, lambda r: T.recipe_path("today"))["rows"]
    res = {}
    for old, r in zip(picked, new):
        res[f"{r['recipe_variant']} s{r['seed']}"] = {
            c: dict(stored=old[c]["sar"], current=r[c]["sar"], new_over_stored=r[c]["sar"] / old[c]["sar"],
                    model_stored=old[c].get("model"), model_current=r[c].get("model"))
            for c in ("sar_sweep", "sar_sweep_water")} | dict(stored_code=old.get("sar_code_version"),
                                                            current_code=r.get("sar_code_version"),
                                                            cpu_s=r.get("sar_rescore_cpu_s"))
    data = json.loads(out.read_text())
    data["code_check"] = res
    out.write_text(json.dumps(data, indent=1, default=float))
    return res


# ---------------------------------------------------------------------------------------------------- table
def ks_key(x):
    """K_s (J/m²) as a short key, two significant digits: −2.9e-5 → "-2.9e-5" (ASCII minus: ``float`` reads it)."""
    m, e = f"{x:.1e}".split("e")
    return f"{float(m):g}e{int(e)}"


def _ks_words(x):
    return ks_key(x).replace("-", "−")


def table(path=OUT):
    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    lines = T.sensitivity_rows(S["sensitivity"])

    def dcell(d):
        return f"{d['diff']:+.3g} ± {d['err']:.2g} ({d['verdict'].replace(' at 2σ', '')})" if d else "—"
    lines += ["", "**Every variant along the K_s axis** (K_s of the {111} facet, J/m²; −1e-4, −2.9e-5 and −1e-5: "
              "this sweep; +1e-5 and +1e-4: §8e's K_s sweep (one APB not run there); +2.9e-5: the defaults, the "
              "12.1 nm study (§8c, exact SAR model of §8i); ratio to the defect-free particle at the same K_s; ± 1σ, verdict at "
              "2σ):", "",
              "| variant | K_s (J/m²) | n | SAR immob. (W/g) | SAR immob. ratio | SAR water (W/g) | SAR water ratio | "
              "barrier/k_BT | barrier − reference (k_BT) | Ms ratio |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for e in S["axis"]:
        st = e["stats"]
        r = st["ratio"]
        lines.append(f"| {e['variant']} | {_ks_words(e['K_s_J_per_m2'])} | {st['n']} | "
                     f"{T._pm(st['sar_sweep.sar']['mean'], st['sar_sweep.sar']['err'])} | "
                     f"{T._rcell(r.get('sar_sweep.sar'))} | "
                     f"{T._pm(st['sar_sweep_water.sar']['mean'], st['sar_sweep_water.sar']['err'])} | "
                     f"{T._rcell(r.get('sar_sweep_water.sar'))} | "
                     f"{T._pm(st['barrier_over_kT']['mean'], st['barrier_over_kT']['err'])} | "
                     f"{dcell(st.get('barrier_diff_kT'))} | {T._rcell(r.get('Ms_A_per_m'))} |")
    lines += ["", "**The defect-free reference along the K_s axis (100 kHz, 15 kA/m; mean ± error):**", "",
              "| K_s (J/m²) | source | n | Ms (kA/m) | barrier/k_BT | SAR immob. (W/g) | SAR water (W/g) |",
              "|---|---|---|---|---|---|---|"]
    for k, s in S["references"].items():
        lines.append(f"| {_ks_words(float(k))} | {s['source']} | {s['n']} | "
                     f"{T._pm(s['Ms_A_per_m']['mean'] / 1e3, s['Ms_A_per_m']['err'] / 1e3, 5)} | "
                     f"{T._pm(s['barrier_over_kT']['mean'], s['barrier_over_kT']['err'])} | "
                     f"{T._pm(s['sar_sweep.sar']['mean'], s['sar_sweep.sar']['err'])} | "
                     f"{T._pm(s['sar_sweep_water.sar']['mean'], s['sar_sweep_water.sar']['err'])} |")
    if S["apb_one_over_two"]:
        lines += ["", "**One APB through the centre ÷ two APBs (same K_s):**", "",
                  "| K_s (J/m²) | SAR immob. ratio | SAR water ratio |", "|---|---|---|"]
        for k, d in S["apb_one_over_two"].items():
            lines.append(f"| {_ks_words(float(k))} | {T._rcell(d.get('sar_sweep.sar'))} | "
                         f"{T._rcell(d.get('sar_sweep_water.sar'))} |")
    ks_cols = sorted({k for dd in S["holds"].values() for d in dd.values() for k in d if k != "holds"}, key=float)
    lines += ["", "**Verdict along the K_s axis** (direction of the SAR ratio at each K_s, J/m²: resolved at 2σ "
              "higher or lower, or n.r.; — not measured):", "",
              "| variant | medium | " + " | ".join(_ks_words(float(k)) for k in ks_cols) + " | over the axis |"]
    lines.append("|---|---|" + "---|" * len(ks_cols) + "---|")
    for v, dd in S["holds"].items():
        for p, lab in MEDIA:
            d = dd[p]
            lines.append(f"| {v} | {lab} | " + " | ".join(str(d.get(k) or "—") for k in ks_cols)
                         + f" | {d['holds']} |")
    S16 = _S16()
    return "\n".join(lines + S16.separation_lines(S["sensitivity"]) + S16.runs_lines(data["meta"]))


# ---------------------------------------------------------------------------------------------------- figure
def plot(path=OUT):
    """SAR ÷ defect-free SAR (immobilised, in water) and the barrier of every particle against K_s: −1e-4, −2.9e-5
    and −1e-5 J/m² from this sweep, +1e-5 and +1e-4 from §8e, +2.9e-5 the defaults (12.1 nm study)."""
    import matplotlib.pyplot as plt

    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    ks = sorted({ks_key(e["K_s_J_per_m2"]) for e in S["axis"]} | set(S["references"]), key=float)
    xi = {k: i for i, k in enumerate(ks)}
    style = {"defect-free": ("k", "x"), "APB-two": ("C3", "o"), "APB-centre": ("C0", "s"),
             "vacancies-random-0.10": ("C2", "^")}
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.6))
    names = list(dict.fromkeys(e["variant"] for e in S["axis"]))
    for ax, (p, lab) in zip(axes[:2], MEDIA):
        for n, v in enumerate(names):
            c, mk = style[v]
            pts = [(xi[ks_key(e["K_s_J_per_m2"])], e["stats"]["ratio"][p], e["stats"]["n"]) for e in S["axis"]
                   if e["variant"] == v and p in e["stats"]["ratio"]]
            if not pts:
                continue
            off = (n - (len(names) - 1) / 2) * 0.1
            xs = np.array([x for x, _, _ in pts]) + off
            ys = np.array([r["ratio"] for _, r, _ in pts])
            es = np.array([2 * r["err"] for _, r, _ in pts])
            lo = np.minimum(es, 0.95 * ys)  # a log axis cannot draw a bar below zero: clipped at 5 % of the value
            ax.errorbar(xs, ys, yerr=[lo, es], fmt=mk, color=c, ms=7, capsize=3, ls="none", label=v)
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_title(f"SAR {lab}, 100 kHz, 15 kA/m")
        ax.set_ylabel("SAR ÷ defect-free SAR at the same K_s\n(ratio, log scale; error bars 2σ)")
    ax = axes[2]
    for n, v in enumerate(["defect-free"] + names):
        c, mk = style[v]
        if v == "defect-free":
            pts = [(xi[k], s["barrier_over_kT"]) for k, s in S["references"].items()]
        else:
            pts = [(xi[ks_key(e["K_s_J_per_m2"])], e["stats"]["barrier_over_kT"]) for e in S["axis"]
                   if e["variant"] == v]
        off = (n - len(names) / 2) * 0.1
        ax.errorbar([x + off for x, _ in pts], [b["mean"] for _, b in pts], yerr=[2 * b["err"] for _, b in pts],
                    fmt=mk, color=c, ms=7, capsize=3, ls="none",
                    label="defect-free (barrier panel; the reference of the ratios)" if v == REFERENCE else v)
    ax.set_title("zero-field barrier of each particle")
    ax.set_ylabel("energy barrier / k_BT at 310 K\n(error bars 2σ)")
    labels = [k.replace("-", "−") + (" J/m²\n(default)" if k == ks_key(S["default_K_s_J_per_m2"]) else " J/m²")
              for k in ks]
    for ax in axes:
        ax.set_xticks(range(len(ks)))
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_xlabel("Néel surface constant K_s of the {111} facet (J/m²)")
        ax.axvline(sum(float(k) < 0 for k in ks) - 0.5, color="0.6", lw=0.8, ls=":")  # K_s = 0: easy axis ↔ easy plane
        ax.grid(alpha=0.3, which="both", axis="y")
    h, l_ = axes[2].get_legend_handles_labels()
    fig.legend(h, l_, loc="lower center", ncol=4, fontsize=9)
    fig.suptitle("12.1 nm Fe3O4 truncated octahedron, 310 K: defect ÷ defect-free against the sign and size of K_s "
                 "(2 realisations; 4 at −1e-5 J/m² and at the default)")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(FIG / "sens_12nm.png", dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "table"
    if cmd == "db":
        d = extract()
        print(json.dumps({k: v.get("invocation") for k, v in d["meta"].items()}, indent=1))
    elif cmd == "table":
        print(table())
    elif cmd == "plot":
        plot()
    elif cmd == "codecheck":  # the current SAR code on stored rows of the 12.1 nm study (no Monte Carlo)
        print(json.dumps(code_check(), indent=1))
    else:
        raise SystemExit(__doc__)
