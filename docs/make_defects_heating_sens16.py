"""Sensitivity of the 16 nm defects-and-heating answer (issue #15; docs/validation.md §8k): K_s, J across the APBs
(J_BB180) and the FeO/spinel interface couplings, each at the ends of its documented range, two realisations each,
as §8e did at 12.1 nm; and the sign of K_s (the fits give |K_s|): K_s = −2.9e-5 (minus the default) and −1e-4 J/m²,
and −1e-5 J/m² (minus the lower end; defects_heating_16nm_sens_kssign_small.toml, its own database); at −2.9e-5 J/m²
two more realisations (seeds 3-4; defects_heating_16nm_sens_kssign_seeds34.toml, its own database, one task per
invocation), whose rows join the seeds 1-2 of the sign-of-K_s study (four realisations at that K_s); the same at
−1e-4 J/m² (defects_heating_16nm_sens_kssign_seeds34_large.toml; all eight tasks, in two sessions) and at −1e-5 J/m²
(defects_heating_16nm_sens_kssign_small_seeds34.toml, whose rows join seeds 1-2 of sens_kssign_small).

    nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 atomspin sweep \\
        structures/recipes/defects_heating_16nm_sens_ks.toml --db results/defects_heating_16nm_sens_ks.db --workers 1
    (the same with _sens_japb and _sens_interface; the sign of K_s in two stages on one database,
    defects_heating_16nm_sens_kssign_default.toml (−2.9e-5 J/m²) then defects_heating_16nm_sens_kssign.toml (which
    skips those tasks and runs −1e-4 J/m²), both with --db results/defects_heating_16nm_sens_kssign.db; −1e-5 J/m²:
    defects_heating_16nm_sens_kssign_small.toml --db results/defects_heating_16nm_sens_kssign_small.db; seeds 3-4
    at −2.9e-5 J/m²: each task of defects_heating_16nm_sens_kssign_seeds34.toml alone, in a one-variant, one-seed
    copy of the recipe (same task hash), --db results/defects_heating_16nm_sens_kssign_seeds34.db, its log and stamps
    results/defects_heating_16nm_sens_kssign_seeds34_<variant>_s<seed>.log|start|end; the same for
    defects_heating_16nm_sens_kssign_seeds34_large and defects_heating_16nm_sens_kssign_small_seeds34)
    python docs/make_defects_heating_sens16.py db      # the databases → docs/figures/defects_heating/sens_16nm.json
    python docs/make_defects_heating_sens16.py table   # the markdown tables of validation §8k
    python docs/make_defects_heating_sens16.py plot    # docs/figures/defects_heating/sens_16nm.png
    python docs/make_defects_heating_sens16.py codecheck  # the current SAR code on the stored rows at −2.9e-5 J/m²
    python docs/make_defects_heating_sens16.py codecheck_large  # the same at −1e-4 J/m² (``code_check_large``)

Each sweep ran as ``nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v atomspin sweep …``
with its log in ``results/<recipe stem>.log`` and the start/end stamps (epoch seconds) in
``results/<recipe stem>.start|end``; the wall, CPU time and maximum RSS of each invocation come from those.

Every statistic, ratio, verdict and parser is that of ``docs/make_defects_heating_today.py`` (§8c–8e; imported, not
copied): per group the mean over the realisations with the error the larger of the seed standard error and the
propagated per-realisation errors / √n (the rows' barrier error is the landscape fit's own,
``landscape_barrier_err_J`` of the database, as ``make_defects_heating.db_row`` reads it); the first-order ratio
error; "resolved" beyond 2σ. References: the defect-free particle of the same sweep at the same K_s; for J_BB180 and
the interface couplings (a defect-free particle has neither link) the defect-free rows of the 16 nm study at every
default (``sweep_16nm.json``, four realisations). The ratios at the defaults are those of that study's summary.
Each entry also carries the per-realisation values against the reference's, whether they separate, and the exact
permutation p (``seed_separation``).
The databases are not committed: a study whose database is gone keeps its rows from the existing summary (a row's
``run`` names the invocation it came from where that differs from its study).
"""
import importlib.util
import json
import pathlib
import re
import sys

import numpy as np


#: a list of numbers (no nested list or object) as json.dumps(indent=1) spreads it over one line per number
_NUMBER_LIST = re.compile(r"\[\s*(-?[0-9][-+0-9.eE]*(?:,\s*-?[0-9][-+0-9.eE]*)*)\s*\]")


def dump_json(data):
    """``json.dumps(data, indent=1)`` with every innermost list of numbers on one line, its numbers separated by a
    bare comma (the rows' covariance matrices, F_J, coefficients): the same JSON, a readable diff, ≈ 20 % fewer bytes
    (sens_16nm.json stays under the repository's 2 MB per file, 2,000,000 bytes, with its 78 rows)."""
    return _NUMBER_LIST.sub(lambda m: "[" + re.sub(r",\s*", ",", m.group(1)) + "]",
                            json.dumps(data, indent=1, default=float))


ROOT = pathlib.Path(__file__).resolve().parents[1]
FIG = ROOT / "docs" / "figures" / "defects_heating"
OUT = FIG / "sens_16nm.json"
STUDY16 = FIG / "sweep_16nm.json"
STUDIES = ("sens_ks", "sens_japb", "sens_interface", "sens_kssign", "sens_kssign_small", "sens_kssign_seeds34",
           "sens_kssign_seeds34_large", "sens_kssign_small_seeds34")
#: runs whose rows are more realisations of another study's tasks (same recipe but the seeds, same task hashes as
#: that recipe with the seeds extended): their rows carry that study's name (so they join its groups) and their own
#: run name (``run``); a row without ``run`` is of the run its study names
EXTENDS = {"sens_kssign_seeds34": "sens_kssign", "sens_kssign_seeds34_large": "sens_kssign",
           "sens_kssign_small_seeds34": "sens_kssign_small"}
#: the variants of the sign-of-K_s recipes (the K_s recipe's), in recipe order
KSSIGN_VARIANTS = ("defect-free", "APB-two", "APB-centre", "vacancies-random-0.10")
#: studies run as several invocations on one database (the recipe stems in order; each has its own log and stamps).
#: Seeds 3-4 at −2.9e-5 J/m² ran one task per invocation (a one-variant, one-seed copy of the recipe each, same
#: task hash): the stems ``sens_kssign_seeds34_<variant>_s<seed>`` are of their logs and stamps, not of recipes
STAGES = {"sens_kssign": ("sens_kssign_default", "sens_kssign"),
          "sens_kssign_seeds34": tuple(f"sens_kssign_seeds34_{v}_s{k}" for v in KSSIGN_VARIANTS for k in (3, 4)),
          "sens_kssign_seeds34_large": tuple(f"sens_kssign_seeds34_large_{v}_s{k}" for v in KSSIGN_VARIANTS
                                             for k in (3, 4)),
          "sens_kssign_small_seeds34": tuple(f"sens_kssign_small_seeds34_{v}_s{k}" for v in KSSIGN_VARIANTS
                                             for k in (3, 4))}
#: the variant of the 16 nm study whose ratio at the defaults each sensitivity variant is compared with
AT_DEFAULTS = {"APB-two": "APB-two", "APB-centre": "APB-centre", "vacancies-random-0.10": "vacancies-random-0.10",
               "FeO-core-RB180-strong": "FeO-core", "FeO-core-RB-ferro": "FeO-core", "FeO-core-RA-weak": "FeO-core"}
#: the documented range of each swept parameter in words (atomspin/model/params/magnetite.toml and interface.toml
#: [ranges]; K_s as the per-bond k_s of the {111} facet, validation §8e)
RANGE_WORDS = {"neel_ks_meV": "K_s 1e-5 … 1e-4 J/m² (k_s 0.0105 … 0.105 meV per bond; default 2.9e-5 J/m²); "
                              "its sign at −1e-5, −2.9e-5 and −1e-4 J/m²",
               "J_BB180_meV": "J_BB180 −11.04 … −2.92 meV (default −9.49)",
               "J_RB180_meV": "J_RB180 −9.49 … −1.4775 meV (default −1.4775)",
               "J_RB_meV": "J_RB 0 … +0.24 meV (default 0)",
               "J_RA_meV": "J_RA −2.92 … −1.46 meV (default −2.92)"}


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


M16 = _load("make_defects_heating_16nm", ROOT / "docs" / "make_defects_heating_16nm.py")
T = M16.T  # make_defects_heating_today, as the 16 nm script loaded it
REFERENCE = T.REFERENCE


def stem(study):
    return f"defects_heating_16nm_{study}"


def recipe_path(study):
    return ROOT / "structures" / "recipes" / f"{stem(study)}.toml"


def db_path(study):
    return ROOT / "results" / f"{stem(study)}.db"


# ---------------------------------------------------------------------------------------------------- extract
def _rows_of_db(study):
    """The database rows of one study (make_defects_heating.sweep_rows) with the parameter axis of their recipe."""
    rows = []
    for row, _, rec in T._mdh().sweep_rows(db_path(study)):
        par, val = T.axis_of(rec)
        row.update(study=EXTENDS.get(study, study), axis_parameter=par, axis_value=val)
        if study in EXTENDS:
            row["run"] = study
        rows.append(M16._sized(row))
        # the key of a sensitivity row also names its parameter value (two rows per variant and seed)
        row["key"] = f"{row['key']}|{par}={val}"
    return rows


def _invocation(study, rows):
    """Wall (stamps), CPU and maximum RSS (``/usr/bin/time -v``) of the study's sweep invocation; an invocation
    stopped before its summary line counts the rows written between its stamps. A study of several invocations
    (``STAGES``) sums their wall, CPU and written rows and keeps the largest RSS."""
    if study in STAGES:
        parts = [(s, _one_invocation(s, rows)) for s in STAGES[study]]
        parts = [(s, p) for s, p in parts if p]  # the invocations that ran (logs or stamps exist)
        if not parts:
            return {}
        inv = dict(stages=[stem(s) for s, _ in parts], interrupted=any(p.get("interrupted") for _, p in parts))
        parts = [p for _, p in parts]
        for k in ("wall_s", "user_cpu_s", "system_cpu_s", "written"):
            if any(k in p for p in parts):
                inv[k] = sum(p.get(k, 0) for p in parts)
        if any("max_rss_kB" in p for p in parts):
            inv["max_rss_kB"] = max(p.get("max_rss_kB", 0.0) for p in parts)
        if not inv["interrupted"]:
            del inv["interrupted"]
        if inv.get("written"):
            inv["cpu_s_per_task"] = float((inv.get("user_cpu_s", np.nan) + inv.get("system_cpu_s", 0.0)) / inv["written"])
        return inv
    return _one_invocation(study, rows)


def _one_invocation(study, rows):
    inv = T._invocation(stem(study))
    start = ROOT / "results" / f"{stem(study)}.start"
    if inv and "written" not in inv and start.exists():
        t0 = float(start.read_text())
        t1 = t0 + inv.get("wall_s", np.inf)
        inv.update(interrupted=True, written=sum(1 for x in rows if t0 <= x["written_unix_s"] <= t1))
    cpu = inv.get("user_cpu_s", np.nan) + inv.get("system_cpu_s", 0.0)
    if inv.get("written"):
        inv["cpu_s_per_task"] = float(cpu / inv["written"])
    return inv


def extract(out=OUT):
    """Rows of every sensitivity database that exists (one per task, the format of make_defects_heating.db_row,
    with the study, the swept parameter and its value), the invocation data and the summary. A study whose database
    is gone keeps its rows and invocation data from ``out``."""
    prev = json.loads(out.read_text()) if out.exists() else {}
    rows, meta = [], {}
    for study in STUDIES:
        if db_path(study).exists():
            got = _rows_of_db(study)
            inv = _invocation(study, got)
            rows += got
            meta[study] = dict(recipe=str(recipe_path(study).relative_to(ROOT)), n_rows=len(got),
                               command=_command(study, len(got)), invocation=inv,
                               task_walltime_s={f"{x['recipe_variant']} {x['axis_parameter']}={x['axis_value']:g} "
                                                f"s{x['seed']}": x["elapsed_s"] for x in got})
        elif study in prev.get("meta", {}):
            rows += [r for r in prev["rows"] if r.get("run", r["study"]) == study]
            meta[study] = prev["meta"][study]
    rows.sort(key=lambda r: (STUDIES.index(r["study"]), r["recipe_variant"], r["axis_parameter"] or "",
                             r["axis_value"] or 0.0, r["seed"]))
    data = dict(meta=meta, rows=rows)
    for k in CODE_CHECK_KEYS.values():
        if k in prev:
            data[k] = prev[k]
    data["summary"] = summarise(rows)
    out.write_text(dump_json(data))
    return data


def _command(study, n_tasks=None):
    """The command line(s) of a study's invocations (a per-task run: the recipe's one-task copies, one invocation
    each)."""
    run = ("nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v atomspin sweep {} "
           f"--db results/{db_path(study).name} --workers 1")
    if study in EXTENDS:
        return (run.format(f"<one-variant, one-seed copy of {recipe_path(study).relative_to(ROOT)}>")
                + f" (one invocation per task, {n_tasks or len(STAGES[study])} tasks, same task hashes)")
    return " && ".join(run.format(recipe_path(s).relative_to(ROOT)) for s in STAGES.get(study, (study,)))


def permutation_p(a, b):
    """Two-sided exact permutation p of the difference of the means of samples ``a`` and ``b`` (every relabelling
    of the pooled values into groups of their sizes)."""
    import itertools

    pooled, n = list(a) + list(b), len(a)
    obs = abs(np.mean(a) - np.mean(b))
    hits = total = 0
    for idx in itertools.combinations(range(len(pooled)), n):
        x = [pooled[i] for i in idx]
        y = [pooled[i] for i in range(len(pooled)) if i not in idx]
        hits += abs(np.mean(x) - np.mean(y)) >= obs * (1 - 1e-12)
        total += 1
    return hits / total


def seed_separation(s, ref):
    """Per SAR medium and the barrier: the per-realisation values of a group and its reference, whether every one of
    the group lies above (below) every one of the reference, and the exact two-sided permutation p of the
    difference of the means (the smallest it can be is 2 / C(n+m, n): 2/70 for four against four, 1/3 for two
    against two, so two realisations cannot separate by it)."""
    import math

    out = {}
    for p in ("sar_sweep.sar", "sar_sweep_water.sar", "barrier_over_kT"):
        if p not in s or p not in ref:
            continue
        a, b = s[p]["per_seed"], ref[p]["per_seed"]
        out[p] = dict(per_seed=a, reference_per_seed=b, all_above=bool(min(a) > max(b)),
                      all_below=bool(max(a) < min(b)), permutation_p=float(permutation_p(a, b)),
                      permutation_p_min=float(2 / math.comb(len(a) + len(b), len(a))))
    return out


#: where ``code_check`` stores its result in the summary, per k_s (meV per bond): −2.9e-5 J/m² (seeds 3-4 of
#: sens_kssign_seeds34) and −1e-4 J/m² (seeds 3-4 of sens_kssign_seeds34_large)
CODE_CHECK_KEYS = {-0.0303876: "code_check", -0.104785: "code_check_large"}


def code_check(out=OUT, value=-0.0303876, seeds=(1, 2)):
    """The rows of seeds 3-4 at K_s = −2.9e-5 and −1e-4 J/m² (``run`` sens_kssign_seeds34 and
    sens_kssign_seeds34_large) carry a newer SAR code (``sar_code_version``) than the stored seeds 1-2 they are
    averaged with. Recompute the SAR columns of the stored rows of ``seeds`` of every variant at ``value`` from their
    stored landscapes with the current code (``make_defects_heating.rescore_rows`` on a copy: the sar step's own
    function, the row's errors and seed, the drive, media and model of the recipe) and store new ÷ stored under
    ``CODE_CHECK_KEYS[value]`` of ``out``; the stored rows, the summary and the other K_s's check are not changed."""
    import copy
    import tempfile

    mdh = T._mdh()
    data = json.loads(out.read_text())
    picked = [copy.deepcopy(r) for r in data["rows"] if r["study"] == "sens_kssign" and "run" not in r
              and r["axis_value"] == value and r["seed"] in seeds]
    with tempfile.TemporaryDirectory() as tmp:
        f = pathlib.Path(tmp) / "rows.json"
        f.write_text(json.dumps(dict(rows=picked), default=float))
        new = mdh.rescore_rows(f, lambda r: recipe_path("sens_kssign"))["rows"]
    res = {}
    for old, r in zip(picked, new):
        res[f"{r['recipe_variant']} s{r['seed']}"] = {
            c: dict(stored=old[c]["sar"], current=r[c]["sar"], new_over_stored=r[c]["sar"] / old[c]["sar"],
                    model_stored=old[c].get("model"), model_current=r[c].get("model"))
            for c in ("sar_sweep", "sar_sweep_water")} | dict(stored_code=old.get("sar_code_version"),
                                                            current_code=r.get("sar_code_version"),
                                                            cpu_s=r.get("sar_rescore_cpu_s"), neel_ks_meV=value)
    data = json.loads(out.read_text())
    data[CODE_CHECK_KEYS[value]] = res
    out.write_text(dump_json(data))
    return res


# ---------------------------------------------------------------------------------------------------- summary
def study16():
    """The 16 nm study's summary (sweep_16nm.json): its defect-free stats (the reference at the defaults) and the
    ratio entries of every variant at the defaults."""
    d = json.loads(STUDY16.read_text())
    ref_rows = sorted([r for r in d["rows"] if r["recipe_variant"] == REFERENCE], key=lambda r: r["seed"])
    return T.group_stats(ref_rows), d["summary"]["main"]


def summarise(rows):
    """One entry per (study, variant, parameter, value): the group's stats, its ratios to the reference (the
    defect-free of the same sweep at the same parameters, else the 16 nm study's defect-free at the defaults), the
    barrier difference in k_BT, and the same variant's ratios at the defaults (16 nm study)."""
    ref16, main16 = study16()
    G = T._groups(rows)
    sens, refs = [], {}
    for (study, name, par, val), members in G.items():
        s = T.group_stats(members)
        if name == REFERENCE:
            refs[f"{par}={val:g}"] = s
            continue
        r_members = G.get((study, REFERENCE, par, val))
        rr, label = ((T.group_stats(r_members), f"defect-free at {par} = {val:g}") if r_members else
                     (ref16, "defect-free at the defaults (16 nm study)"))
        s["ratio"] = {p: e for p in T.RATIO_QUANTITIES if (e := T.ratio_entry(s, rr, p))}
        s["barrier_diff_kT"] = M16.barrier_difference(s, rr)
        s["separation"] = seed_separation(s, rr)
        dflt = main16.get(AT_DEFAULTS.get(name, name), {})
        sens.append(dict(study=study, variant=name, parameter=par, value=val, reference=label,
                         reference_n=rr["n"], stats=s, at_defaults=dict(variant=AT_DEFAULTS.get(name, name),
                                                                       n=dflt.get("n"), ratio=dflt.get("ratio"),
                                                                       barrier_diff_kT=dflt.get("barrier_diff_kT"))))
    order = {"FeO-core-RA-weak": 0, "FeO-core-RB-ferro": 1, "FeO-core-RB180-strong": 2, "APB-two": 3,
             "APB-centre": 4, "vacancies-random-0.10": 5}
    par_order = {"J_RA_meV": 0, "J_RB_meV": 0, "J_RB180_meV": 0, "J_BB180_meV": 1, "neel_ks_meV": 2}
    sens.sort(key=lambda e: (order.get(e["variant"], 9), par_order.get(e["parameter"], 9), e["value"]))
    return dict(reference_defaults=ref16, references_same_parameters=refs, sensitivity=sens,
                holds=holds(sens))


def holds(sens):
    """Per variant and medium: the verdict at the defaults (16 nm study) and at each range end measured here, and
    whether the sign holds at every one (all 'higher' or all 'lower')."""
    out = {}
    for e in sens:
        for p in ("sar_sweep.sar", "sar_sweep_water.sar"):
            d = out.setdefault(e["variant"], {}).setdefault(p, {})
            if "defaults" not in d:
                r0 = (e["at_defaults"]["ratio"] or {}).get(p)
                d["defaults"] = T._direction(r0)
            d[f"{e['parameter']}={e['value']:g}"] = T._direction(e["stats"]["ratio"].get(p))
    for v in out.values():
        for p, d in v.items():
            v[p] = dict(d, holds=_holds_words(d))
    return out


def _holds_words(d):
    """'holds (higher|lower)' when every point is resolved the same way; 'SIGN REVERSES' when resolved both ways;
    else the sign where resolved and the points where it is not."""
    dirs = {x for x in d.values() if x is not None}
    nr = [k for k, x in d.items() if x == "n.r."]
    signs = dirs - {"n.r."}
    if signs == {"higher", "lower"}:
        return "SIGN REVERSES (" + ", ".join(f"{k}: {x}" for k, x in d.items()) + ")"
    if not signs:
        return "not resolved at any point"
    if not nr:
        return f"holds ({signs.pop()})"
    return f"{signs.pop()} where resolved; not resolved at " + ", ".join(nr)


# ---------------------------------------------------------------------------------------------------- table
def _rcell(r):
    return T._rcell(r)


def table(path=OUT):
    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    lines = T.sensitivity_rows(S["sensitivity"])
    lines += ["", "**The same variants at the defaults (16 nm study, §8f) and the barrier change in k_BT "
              "(the ratio's error is large where the reference barrier is ≲ 1 k_BT):**", "",
              "| variant | parameter | value | barrier − reference (k_BT) | SAR immob. ratio at the defaults | "
              "SAR water ratio at the defaults | barrier − defect-free at the defaults (k_BT) |",
              "|---|---|---|---|---|---|---|"]

    def dcell(d):
        return f"{d['diff']:+.3g} ± {d['err']:.2g} ({d['verdict'].replace(' at 2σ', '')})" if d else "—"
    for e in S["sensitivity"]:
        a = e["at_defaults"]
        ra = a["ratio"] or {}
        lines.append(f"| {e['variant']} | {e['parameter']} | {e['value']:g} | {dcell(e['stats'].get('barrier_diff_kT'))}"
                     f" | {_rcell(ra.get('sar_sweep.sar'))} (n = {a['n']}, {a['variant']}) | "
                     f"{_rcell(ra.get('sar_sweep_water.sar'))} | {dcell(a.get('barrier_diff_kT'))} |")
    refs = S.get("references_same_parameters", {})
    if refs:
        r0 = S["reference_defaults"]
        lines += ["", "**The defect-free reference (SAR immobilised, 100 kHz, 15 kA/m; mean ± error):**", "",
                  "| defect-free at | n | Ms (kA/m) | barrier/k_BT | SAR immob. (W/g) | SAR water (W/g) |",
                  "|---|---|---|---|---|---|"]
        for lab, s in [("the defaults (16 nm study)", r0)] + list(refs.items()):
            lines.append(f"| {lab} | {s['n']} | {T._pm(s['Ms_A_per_m']['mean'] / 1e3, s['Ms_A_per_m']['err'] / 1e3, 5)}"
                         f" | {T._pm(s['barrier_over_kT']['mean'], s['barrier_over_kT']['err'])} | "
                         f"{T._pm(s['sar_sweep.sar']['mean'], s['sar_sweep.sar']['err'])} | "
                         f"{T._pm(s['sar_sweep_water.sar']['mean'], s['sar_sweep_water.sar']['err'])} |")
    lines += separation_lines(S["sensitivity"])
    return "\n".join(lines + runs_lines(data["meta"]))


def separation_lines(sensitivity, min_n=3):
    """Markdown of the per-realisation evidence of every entry with at least ``min_n`` realisations in it and in its
    reference: each realisation's value against the reference's, whether every one lies above (below) every one of
    the reference, and the exact two-sided permutation p (``seed_separation``)."""
    rows = [e for e in sensitivity if e["stats"]["n"] >= min_n and e["reference_n"] >= min_n]
    if not rows:
        return []
    lines = ["", f"**Per realisation, where both groups have ≥ {min_n} (the variant's values against the reference's; "
                 "separated: every one above or below every one of the reference; p: exact two-sided permutation "
                 "test of the difference of the means, its smallest possible value in brackets):**", "",
             "| variant | parameter | value | quantity | variant, per realisation | reference, per realisation | "
             "separated | p |", "|---|---|---|---|---|---|---|---|"]
    words = {"sar_sweep.sar": "SAR immob. (W/g)", "sar_sweep_water.sar": "SAR water (W/g)",
             "barrier_over_kT": "barrier/k_BT"}
    for e in rows:
        for q, d in e["stats"]["separation"].items():
            sep = "all above" if d["all_above"] else ("all below" if d["all_below"] else "no")
            lines.append(f"| {e['variant']} | {e['parameter']} | {e['value']:g} | {words[q]} | "
                         + ", ".join(f"{x:.3g}" for x in d["per_seed"]) + " | "
                         + ", ".join(f"{x:.3g}" for x in d["reference_per_seed"])
                         + f" | {sep} | {d['permutation_p']:.3f} ({d['permutation_p_min']:.3f}) |")
    return lines


def runs_lines(meta):
    """The "Runs" lines of a sensitivity summary's ``meta`` ({study: command, rows, invocation, task wall times});
    make_defects_heating_sens12.py uses it too."""
    lines = ["", "**Runs:**", ""]
    for study, m in meta.items():
        inv = m.get("invocation", {})
        cpu = inv.get("user_cpu_s", float("nan")) + inv.get("system_cpu_s", 0.0)
        tw = list(m.get("task_walltime_s", {}).values())
        lines.append(f"- `{m['command']}`: {m['n_rows']} tasks"
                     + (" (stopped before the end)" if inv.get("interrupted") else "")
                     + f", wall {inv.get('wall_s', float('nan')) / 60:.1f} min, CPU {cpu / 60:.1f} min "
                     f"({inv.get('cpu_s_per_task', float('nan')):.0f} CPU s per task), max RSS "
                     f"{inv.get('max_rss_kB', float('nan')) / 1e6:.2f} GB"
                     + (f"; task wall {min(tw):.0f}–{max(tw):.0f} s" if tw else ""))
    return lines


# ---------------------------------------------------------------------------------------------------- figure
def plot(path=OUT):
    """Ratio to defect-free (SAR immobilised and in water) of each defect at the defaults (16 nm study) and at each
    range end measured here: x = the parameter setting, one series per defect (the three FeO-core variants are the
    FeO core at three interface settings)."""
    import matplotlib.pyplot as plt

    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    names = {"neel_ks_meV": "K_s", "J_BB180_meV": "J_BB180", "J_RB180_meV": "J_RB180", "J_RB_meV": "J_RB",
             "J_RA_meV": "J_RA"}

    def words(par, val):
        if par is None:
            return "defaults\n(16 nm study,\n4 realisations)"
        if par == "neel_ks_meV":  # the facet constant of the {111} conversion (1e-5, 1e-4, −2.9e-5, −1e-4 J/m²)
            from atomspin.model.anisotropy import neel_facet_constant_J_per_m2

            x = neel_facet_constant_J_per_m2(val)
            ex = int(np.floor(np.log10(abs(x)) + 1e-9))
            return f"K_s =\n{round(x / 10.0 ** ex, 2):g}e{ex} J/m²".replace("-", "−")
        return f"{names[par]} =\n{val:g} meV"
    settings = [(None, None)] + sorted({(e["parameter"], e["value"]) for e in S["sensitivity"]},
                                       key=lambda pv: (list(RANGE_WORDS).index(pv[0]), pv[1]))
    xi = {pv: k for k, pv in enumerate(settings)}
    n_at = {}  # the numbers of realisations at each setting measured here (two unless more were run)
    for e in S["sensitivity"]:
        n_at.setdefault((e["parameter"], e["value"]), set()).update(
            {e["stats"]["n"]} | ({e["reference_n"]} if "the defaults" not in e["reference"] else set()))
    particles = list(dict.fromkeys(AT_DEFAULTS.get(e["variant"], e["variant"]) for e in S["sensitivity"]))
    style = {"APB-two": ("C3", "o"), "APB-centre": ("C0", "s"), "vacancies-random-0.10": ("C2", "^"),
             "FeO-core": ("C1", "D")}
    fig, axes = plt.subplots(1, 2, figsize=(18, 6), sharey=True)
    for ax, (p, lab) in zip(axes, (("sar_sweep.sar", "immobilised"), ("sar_sweep_water.sar", "in water"))):
        for n, part in enumerate(particles):
            c, mk = style.get(part, ("k", "x"))
            off = (n - (len(particles) - 1) / 2) * 0.12
            pts = []
            for e in S["sensitivity"]:
                if AT_DEFAULTS.get(e["variant"], e["variant"]) != part:
                    continue
                r0 = (e["at_defaults"]["ratio"] or {}).get(p)
                if r0:
                    pts.append((xi[(None, None)], r0, e["at_defaults"]["n"]))
                r = e["stats"]["ratio"].get(p)
                if r:
                    pts.append((xi[(e["parameter"], e["value"])], r, e["stats"]["n"]))
            pts = sorted({x: (x, r, k) for x, r, k in pts}.values(), key=lambda t: t[0])
            if not pts:
                continue
            xs = np.array([x for x, _, _ in pts]) + off
            ys = np.array([r["ratio"] for _, r, _ in pts])
            es = np.array([2 * r["err"] for _, r, _ in pts])
            lo = np.minimum(es, 0.95 * ys)  # a log axis cannot draw a bar below zero: clipped at 5 % of the value
            ax.errorbar(xs, ys, yerr=[lo, es], fmt=mk, color=c, ms=7, capsize=3, ls="none",
                        label=f"{part}" + (" (12.2 nm core; J_RB180, J_RB, J_RA points: interface couplings)"
                                                      if part == "FeO-core" else ""))
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_xticks(range(len(settings)))
        ax.set_xticklabels([words(*pv) + (f"\n(n = {min(n_at[pv])}" + (f"–{max(n_at[pv])})" if len(n_at[pv]) > 1
                                                                     else ")") if n_at.get(pv, {2}) != {2} else "")
                            for pv in settings], fontsize=7.5)
        ax.set_xlabel("parameter setting (one at an end of its documented range, or K_s with its sign reversed;\n"
                      "the others at their defaults)")
        ax.set_title(f"SAR {lab}, 100 kHz, 15 kA/m")
        ax.grid(alpha=0.3, which="both", axis="y")
    axes[0].set_ylabel("SAR ÷ defect-free SAR, same parameters\n(ratio, log scale; error bars 2σ)")
    h, l_ = axes[0].get_legend_handles_labels()
    fig.legend(h, l_, loc="lower center", ncol=4, fontsize=9)
    fig.suptitle("16.0 nm Fe3O4 truncated octahedron, 310 K: defect ÷ defect-free at each range end and at −K_s "
                 "(2 realisations each; 4 at −1e-5, −2.9e-5 and −1e-4 J/m²)\n"
                 "and at the defaults")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(FIG / "sens_16nm.png", dpi=110)
    plt.close(fig)


#: the variants whose SAR is recomputed at each damping α (make_defects_heating_today.ALPHAS) from the stored
#: landscapes of the 16 nm study (seeds 1-2), as §8e did at 12.1 nm
ALPHA_VARIANTS = ("defect-free", "APB-two", "APB-centre", "vacancies-random-0.10")


def alpha_table(path=STUDY16):
    """Markdown of the damping table of validation §8k from ``alpha`` of the 16 nm summary (``alpha`` command)."""
    a = json.loads(pathlib.Path(path).read_text()).get("alpha", {})
    return "\n".join([f"**Damping α (SAR step only; stored landscapes of the 16 nm study, seeds {a.get('seeds')}; "
                      "SAR immobilised at 100 kHz, 15 kA/m; ratio ± seed error):**", ""] + T.alpha_rows(a))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "table"
    if cmd == "db":
        d = extract()
        print(json.dumps({k: v.get("invocation") for k, v in d["meta"].items()}, indent=1))
    elif cmd == "table":
        print(table())
    elif cmd == "plot":
        plot()
    elif cmd == "codecheck":  # the current SAR code on the stored seeds 1-2 rows at −2.9e-5 J/m² (no Monte Carlo)
        print(json.dumps(code_check(), indent=1))
    elif cmd == "codecheck_large":  # the same at −1e-4 J/m²
        print(json.dumps(code_check(value=-0.104785), indent=1))
    elif cmd == "alpha":  # damping: SAR step only, from the 16 nm study's stored landscapes (no Monte Carlo)
        T.alpha_sensitivity(out=STUDY16, variants=ALPHA_VARIANTS, study="16nm")
        print(alpha_table())
    else:
        raise SystemExit(__doc__)
