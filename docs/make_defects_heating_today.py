"""The 12 nm defects-and-heating study on the engine of 2026-11-29 (issue #15; docs/validation.md §8c–8e): the
rerun of every variant, the ordered and gradient vacancy series, and the sensitivity to K_s, J_BB180, the FeO/spinel
interface couplings and damping.

    atomspin sweep structures/recipes/defects_heating_12nm_today.toml --db results/defects_heating_12nm_today.db --workers 1
    atomspin sweep structures/recipes/defects_heating_12nm_vacancy_order.toml --db results/defects_heating_12nm_vacancy_order.db --workers 1
    atomspin sweep structures/recipes/defects_heating_12nm_sens_japb.toml --db results/defects_heating_12nm_sens_japb.db --workers 1
    atomspin sweep structures/recipes/defects_heating_12nm_sens_ks.toml --db results/defects_heating_12nm_sens_ks.db --workers 1
    atomspin sweep structures/recipes/defects_heating_12nm_sens_interface.toml --db results/defects_heating_12nm_sens_interface.db --workers 1
    python docs/make_defects_heating_today.py db        # the databases → docs/figures/defects_heating/sweep_12nm_today.json
    python docs/make_defects_heating_today.py alpha     # damping sensitivity from the stored landscapes (no Monte Carlo)
    python docs/make_defects_heating_today.py decompose # ΔSAR split (Ms, barrier height, shape) of seed 1 per variant
    python docs/make_defects_heating_today.py plot      # figures
    python docs/make_defects_heating_today.py table     # the markdown tables of validation §8c–8e

(each sweep ran as ``nice -n 5 env NUMBA_NUM_THREADS=1 /usr/bin/time -v atomspin sweep …``; its log
``results/<name>.log`` and the start/end stamps ``results/<name>.start|end`` give the wall and CPU time recorded
in the summary). Per group of realisations: the mean of each quantity and its error, the larger of the
seed-to-seed standard error of the mean and the propagated per-realisation errors / √n (so the verdict rests on
the between-seed spread whenever that is the larger, as it is for every SAR here); the ratio to the defect-free
reference of the same parameters with its first-order error (``atomspin.batch.report.ratio``) and the verdict
"resolved / not resolved at 2σ". The seed-spread-only ratio error is stored next to it (``err_seed``).
Comparison with the stored (stale) rows of ``sweep_12nm.json`` and ``sweep_12nm_more.json``: same summary rule;
a change of sign or of resolution is flagged.
"""
import importlib.util
import json
import pathlib
import re
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIG = ROOT / "docs" / "figures" / "defects_heating"
OUT = FIG / "sweep_12nm_today.json"
STUDIES = ("today", "vacancy_order", "sens_japb", "sens_ks", "sens_interface")
#: later invocations of a study's same command on the same database (it runs only the missing tasks): the
#: vacancy-order series' seeds 3-4, added in the next session (results/vacancy_order_34.log, .start, .end)
RESUMED = {"vacancy_order": ("vacancy_order_34",)}
REFERENCE = "defect-free"
QUANTITIES = (  # (row path, label)
    ("Ms_A_per_m", "Ms (A/m)"), ("barrier_over_kT", "barrier / k_BT"), ("n_minima", "minima"),
    ("sar_sweep.sar", "SAR immobilised (W/g)"), ("sar_sweep_water.sar", "SAR in water (W/g)"),
    ("sar_sweep.ilp", "ILP immobilised (nH m²/kg)"), ("sar_sweep_water.ilp", "ILP in water (nH m²/kg)"),
)
RATIO_QUANTITIES = ("Ms_A_per_m", "barrier_over_kT", "sar_sweep.sar", "sar_sweep_water.sar")
#: today's variant → (stored summary file, stored variant, what differs besides the engine)
STORED = {
    "defect-free": ("sweep_12nm_more.json", "defect-free", ""),
    "APB-two": ("sweep_12nm_more.json", "APB-two", ""),
    "vacancies-random-0.10": ("sweep_12nm_more.json", "vacancies-random-0.10", ""),
    "FeO-core": ("sweep_12nm_more.json", "FeO-core", ""),
    "Zn-0.20": ("sweep_12nm_more.json", "Zn-0.20", ""),
    "APB-centre": ("sweep_12nm.json", "APB-centre", "stored: immobilised only"),
    "vacancies-random-0.20": ("sweep_12nm.json", "vacancies-0.20", "stored: Fe2+-first (Verwey-layer) vacancies"),
    "vacancy-shell-0.10": ("sweep_12nm.json", "vacancy-shell-0.10", "stored: Fe2+-first (Verwey-layer) vacancies"),
}
#: damping range of the SAR step (atomspin.sar.ALPHA_DEFAULT = 0.1: measured α of magnetite from ≈ 0.01 (epitaxial
#: film, FMR) to ≈ 0.3 and above for small, disordered particles; the docstring of ALPHA_DEFAULT gives 0.01–0.76)
ALPHAS = (0.01, 0.1, 0.3)
ALPHA_VARIANTS = ("defect-free", "APB-two", "vacancies-random-0.10")
ALPHA_SEEDS = (1, 2)


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _mdh():
    return _load("make_defects_heating", ROOT / "docs" / "make_defects_heating.py")


def _more():
    return _load("make_defects_heating_more", ROOT / "docs" / "make_defects_heating_more.py")


def recipe_path(study):
    return ROOT / "structures" / "recipes" / f"defects_heating_12nm_{study}.toml"


def db_path(study):
    return ROOT / "results" / f"defects_heating_12nm_{study}.db"


def axis_of(recipe):
    """(parameter, value) of a sensitivity task from its resolved recipe, or (None, None) at the defaults."""
    m = recipe["model"]
    if m.get("surface_anisotropy") == "given":
        return "neel_ks_meV", float(m["neel_ks_meV"])
    if m.get("apb_exchange") == "given":
        return "J_BB180_meV", float(m["J_BB180_meV"])
    if m.get("interface_exchange") == "given":  # one FeO/spinel coupling at a range end, the others at defaults
        from atomspin.batch.schema import field_at

        for key in ("J_RB180_meV", "J_RB_meV", "J_RA_meV"):
            if float(m[key]) != float(field_at(f"model.{key}").default):
                return key, float(m[key])
    return None, None


def _invocation(study):
    """Wall time (start/end stamps), CPU time, memory and counts of one sweep invocation from its log."""
    res = ROOT / "results"
    out = {}
    stem = {"today": "today"}.get(study, study)
    try:
        out["wall_s"] = float((res / f"{stem}.end").read_text()) - float((res / f"{stem}.start").read_text())
    except (FileNotFoundError, ValueError):
        pass
    log = res / f"{stem}.log"
    if log.exists():
        txt = log.read_text(errors="replace")
        m = re.search(r"(\d+) written, (\d+) already done, (\d+) failed in ([\d.]+) s", txt)
        if m:
            out.update(written=int(m[1]), already_done=int(m[2]), failed=int(m[3]), sweep_wall_s=float(m[4]))
        for lab, pat in (("user_cpu_s", r"User time \(seconds\): ([\d.]+)"),
                         ("system_cpu_s", r"System time \(seconds\): ([\d.]+)"),
                         ("max_rss_kB", r"Maximum resident set size \(kbytes\): (\d+)")):
            m = re.search(pat, txt)
            if m:
                out[lab] = float(m[1])
    return out


def extract(out=OUT):
    """Rows of every database that exists (one per task, the format of docs/make_defects_heating.py) with their
    study and sensitivity axis; per-study invocation data. Keeps the ``alpha`` and ``decomposition`` entries an
    earlier ``alpha``/``decompose`` run stored."""
    from atomspin.batch.store import ResultStore

    mdh = _mdh()
    prev = json.loads(out.read_text()) if out.exists() else {}
    rows, meta = [], {}
    for study in STUDIES:
        db = db_path(study)
        if not db.exists():
            continue
        store = ResultStore(str(db), mode="r")
        n = 0
        for r in store.rows():
            row = mdh.db_row(store, r, kinds={})
            if row is None:
                continue
            rec = json.loads(r.data["recipe_json"])
            par, val = axis_of(rec)
            row.update(study=study, axis_parameter=par, axis_value=val,
                       vacancy_mode=rec["defects"]["vacancies"]["mode"])
            rows.append(row)
            n += 1
        meta[study] = dict(recipe=str(recipe_path(study).relative_to(ROOT)), n_rows=n,
                           command=f"nice -n 5 env NUMBA_NUM_THREADS=1 atomspin sweep "
                                   f"{recipe_path(study).relative_to(ROOT)} --db results/{db.name} --workers 1",
                           **_invocation(study))
        resumed = [x for x in (_invocation(stem) for stem in RESUMED.get(study, ())) if x]
        if resumed:
            meta[study]["resumed"] = resumed
        meta[study]["task_walltime_s"] = {f"{x['recipe_variant']} {x['axis_value'] or ''} s{x['seed']}".replace("  ", " "):
                                          x["elapsed_s"] for x in rows if x["study"] == study}
    rows.sort(key=lambda r: (r["study"], r["recipe_variant"], r["axis_value"] or 0.0, r["seed"]))
    data = dict(meta=meta, rows=rows)
    for k in ("alpha", "decomposition"):
        if k in prev:
            data[k] = prev[k]
    data["summary"] = summarise(data)
    out.write_text(json.dumps(data, indent=1, default=float))
    return data


def rescore(out=OUT):
    """Every row's SAR columns recomputed from its stored landscape with the current code
    (``make_defects_heating.rescore_rows``, the recipe of the row's study), then the summary from the rows."""
    data = _mdh().rescore_rows(out, lambda r: recipe_path(r["study"]))
    data["summary"] = summarise(data)
    out.write_text(json.dumps(data, indent=1, default=float))
    return data


# ---------------------------------------------------------------------------------------------------- summary
def group_stats(members):
    """Per quantity: mean ± error (larger of seed SEM and propagated/√n), the seed SEM alone and the per-seed
    values."""
    more = _more()
    s = dict(n=len(members), seeds=[m["seed"] for m in members])
    for path, _ in QUANTITIES:
        vals = [more._value(m, path) for m in members]
        if not vals or not all(np.isfinite(v) for v, _ in vals):
            continue
        v = np.array([x for x, _ in vals])
        mean, err = more.mean_error(v, [e for _, e in vals])
        sem = float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")
        s[path] = dict(mean=mean, err=err, sem=sem, per_seed=v.tolist())
    return s


def ratio_entry(s, ref, path):
    from atomspin.batch.report import ratio

    if path not in s or path not in ref:
        return None
    r_, e_ = ratio(s[path]["mean"], s[path]["err"], ref[path]["mean"], ref[path]["err"])
    _, e_seed = ratio(s[path]["mean"], s[path]["sem"], ref[path]["mean"], ref[path]["sem"])
    verdict = ("resolved at 2σ, " + ("higher" if r_ > 1 else "lower")) if abs(r_ - 1) > 2 * e_ else "not resolved at 2σ"
    return dict(ratio=float(r_), err=float(e_), err_seed=float(e_seed), verdict=verdict)


def _groups(rows):
    out = {}
    for r in rows:
        out.setdefault((r["study"], r["recipe_variant"], r["axis_parameter"], r["axis_value"]), []).append(r)
    return {k: sorted(v, key=lambda r: r["seed"]) for k, v in out.items()}


def _stored_summary(fname):
    """The stored (stale) rows of an older sweep summarised with the same rule: {variant: stats + ratios}."""
    path = FIG / fname
    if not path.exists():
        return {}
    rows = json.loads(path.read_text())["rows"]
    by = {}
    for r in rows:
        by.setdefault(r["recipe_variant"], []).append(r)
    ref = group_stats(sorted(by[REFERENCE], key=lambda r: r["seed"]))
    out = {}
    for name, members in by.items():
        s = group_stats(sorted(members, key=lambda r: r["seed"]))
        if name != REFERENCE:
            s["ratio"] = {p: ratio_entry(s, ref, p) for p in RATIO_QUANTITIES if ratio_entry(s, ref, p)}
        out[name] = s
    return out


def _direction(entry):
    if entry is None:
        return None
    return "higher" if "higher" in entry["verdict"] else ("lower" if "lower" in entry["verdict"] else "n.r.")


def summarise(data):
    """Main table (today vs today's defect-free), vacancy order (vs defect-free and vs random δ = 0.10),
    sensitivity (each group vs the defect-free of the same parameters, else today's), comparison with the
    stored rows (sign / resolution changes flagged)."""
    G = _groups(data["rows"])
    today_ref_key = ("today", REFERENCE, None, None)
    if today_ref_key not in G:
        return {}
    ref = group_stats(G[today_ref_key])
    out = dict(reference=ref, main={}, vacancy_order={}, sensitivity=[], stale={})
    stored = {f: _stored_summary(f) for f in {v[0] for v in STORED.values()}}
    for (study, name, par, val), members in G.items():
        s = group_stats(members)
        if study == "today":
            if name != REFERENCE:
                s["ratio"] = {p: e for p in RATIO_QUANTITIES if (e := ratio_entry(s, ref, p))}
            out["main"][name] = s
            f, old, note = STORED.get(name, (None, None, None))
            if f and old in stored.get(f, {}):
                o = stored[f][old]
                cmp = dict(stored_file=f, stored_variant=old, note=note, n_stored=o["n"])
                for p in RATIO_QUANTITIES:
                    a, b = (o.get("ratio") or {}).get(p), (s.get("ratio") or {}).get(p)
                    if name == REFERENCE:
                        a = dict(ratio=o[p]["mean"], err=o[p]["err"]) if p in o else None
                        b = dict(ratio=s[p]["mean"], err=s[p]["err"]) if p in s else None
                        cmp[p] = dict(stored=a, today=b)
                        continue
                    da, db_ = _direction(a), _direction(b)
                    flag = "no stored value" if a is None else None
                    if da and db_ and da != db_:
                        if {da, db_} == {"higher", "lower"}:
                            flag = "SIGN CHANGED"
                        elif db_ == "n.r.":
                            flag = "lost resolution"
                        else:
                            flag = "newly resolved"
                    if a and b and flag is None and da == db_ == "n.r." and (a["ratio"] - 1) * (b["ratio"] - 1) < 0:
                        flag = "central value changed side (neither resolved)"
                    cmp[p] = dict(stored=a, today=b, flag=flag)
                out["stale"][name] = cmp
        elif study == "vacancy_order":
            s["ratio"] = {p: e for p in RATIO_QUANTITIES if (e := ratio_entry(s, ref, p))}
            rnd = G.get(("today", "vacancies-random-0.10", None, None))
            if rnd:
                rs = group_stats(rnd)
                s["ratio_to_random"] = {p: e for p in RATIO_QUANTITIES if (e := ratio_entry(s, rs, p))}
            out["vacancy_order"][name] = s
        else:  # sensitivity
            r_members = G.get((study, REFERENCE, par, val))
            rr, ref_label = (group_stats(r_members), f"defect-free at {par} = {val:g}") if r_members else \
                (ref, "defect-free at the defaults (today's sweep)")
            if name == REFERENCE:
                continue
            s["ratio"] = {p: e for p in RATIO_QUANTITIES if (e := ratio_entry(s, rr, p))}
            out["sensitivity"].append(dict(study=study, variant=name, parameter=par, value=val,
                                           reference=ref_label, stats=s))
    import tomllib

    def order(d, study):  # recipe order (the reference first)
        names = [v["name"] for v in tomllib.loads(recipe_path(study).read_text())["sweep"]["variants"]]
        return {k: d[k] for k in sorted(d, key=lambda k: names.index(k) if k in names else len(names))}
    out["main"] = order(out["main"], "today")
    out["vacancy_order"] = order(out["vacancy_order"], "vacancy_order")
    out["stale"] = order(out["stale"], "today")
    return out


# ---------------------------------------------------------------------------------------------------- damping
def alpha_sensitivity(out=OUT, alphas=ALPHAS, variants=ALPHA_VARIANTS, seeds=ALPHA_SEEDS, study="today", skip=None):
    """SAR immobilised at drive B (the sweep's drive and model choice: sar_from_particle 'auto', 12 field
    orientations, seed 1) of the stored landscapes of the summary's rows of ``study`` (today's by default; the
    16 nm study's for §8k) at each damping α; the defect/defect-free ratio of the mean over ``seeds``. No Monte Carlo: α enters only the SAR step (τ_N). α = 0.1 (the default) is the
    check that this recomputation reproduces the sweep's own SAR. ``skip``: {"variant|seed|α": reason} of points not
    computed (stored as ``skipped``; their mean then has one realisation fewer)."""
    import time

    from atomspin import sar

    data = json.loads(out.read_text())
    mdh = _mdh()
    rows = {(r["recipe_variant"], r["seed"]): r for r in data["rows"] if r["study"] == study}
    res = data.get("alpha", {}).get("values", {})

    def tabulate():
        table = []
        for a in alphas:
            def mean(v):
                x = [res[f"{v}|{sd}|{a:g}"]["sar"] for sd in seeds if f"{v}|{sd}|{a:g}" in res]
                return (float(np.mean(x)) if x else float("nan"),
                        float(np.std(x, ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan"), len(x))
            m0, e0, n0 = mean(REFERENCE)
            for v in variants:
                if v == REFERENCE:
                    continue
                m, e, n = mean(v)
                if not (n and n0):
                    continue
                r_ = m / m0
                err = r_ * np.hypot(e / m, e0 / m0)
                table.append(dict(alpha=a, variant=v, sar=m, sar_err=e, sar_ref=m0, sar_ref_err=e0, ratio=r_,
                                  err_seed=err, n=min(n, n0),
                                  verdict="one realisation: no error, no verdict" if not np.isfinite(err) else
                                  ("resolved at 2σ, " + ("higher" if r_ > 1 else "lower"))
                                  if abs(r_ - 1) > 2 * err else "not resolved at 2σ"))
        data["alpha"] = dict(values=res, table=table, alphas=list(alphas), seeds=list(seeds), skipped=dict(skip or {}),
                             cpu_s_total=float(sum(res[f"{v}|{sd}|{a:g}"].get("cpu_s", 0.0) for a in alphas
                                                   for sd in seeds for v in variants if f"{v}|{sd}|{a:g}" in res)),
                             rule="SAR immobilised, drive B, sar_from_particle(model='auto', n_orientations=12, "
                                  "seed=1) of the stored landscape at each α; ratio of seed means, error from the "
                                  "seed spread")
        out.write_text(json.dumps(data, indent=1, default=float))

    # cheapest first (the stochastic-LLG τ_N of a low barrier costs ∝ 1/α), the table rewritten after each point
    for a in sorted(alphas, reverse=True):
        for sd in seeds:
            for v in variants:
                key = f"{v}|{sd}|{a:g}"
                if key in res or (v, sd) not in rows or key in (skip or {}):
                    continue
                row = rows[(v, sd)]
                t0 = time.process_time()
                rep = sar.sar_from_particle(mdh.particle(row, alpha=a), f=row["sar_sweep"]["f_Hz"],
                                            H0=row["sar_sweep"]["H0_A_per_m"], model="auto", seed=1,
                                            n_orientations=12, allow_nonclinical=True)
                res[key] = dict(sar=float(rep.sar_W_per_g), model=rep.model, cpu_s=time.process_time() - t0,
                                sweep_sar=row["sar_sweep"]["sar"])
                print(key, res[key], flush=True)
                tabulate()
    tabulate()
    out.write_text(json.dumps(data, indent=1, default=float))
    return data["alpha"]


def decomposition(out=OUT, seed=1):
    """ΔSAR of realisation ``seed`` of each of today's variants against the defect-free reference (its first
    realisation's landscape at the mean Ms), split along
    defect-free → Ms → barrier height → landscape shape (make_defects_heating.decompose: the SAR model atomspin.sar
    picks, immobilised, at drive A, 100 kHz, 4 kA/m)."""
    data = json.loads(out.read_text())
    mdh = _mdh()
    rows = [r for r in data["rows"] if r["study"] in ("today", "vacancy_order")]
    ref = sorted([r for r in rows if r["recipe_variant"] == REFERENCE and r["study"] == "today"],
                 key=lambda r: r["seed"])
    res, cache = {}, {}
    for r in rows:
        if r["seed"] != seed or r["recipe_variant"] == REFERENCE:
            continue
        dec = mdh.decompose(r, ref, 1.0e5, 4.0e3, cache)
        res[r["recipe_variant"]] = {k: float(v) for k, v in dec.items()}
        print(r["recipe_variant"], res[r["recipe_variant"]], flush=True)
    data["decomposition"] = dict(seed=seed, f_Hz=1.0e5, H0_A_per_m=4.0e3, values=res)
    out.write_text(json.dumps(data, indent=1, default=float))
    return res


# ---------------------------------------------------------------------------------------------------- output
def _pm(v, e, d=3):
    return f"{v:.{d}g} ± {e:.2g}"


def _rcell(r):
    return f"{r['ratio']:.3g} ± {r['err']:.2g} ({r['verdict'].replace(' at 2σ', '')})" if r else "—"


def sensitivity_rows(sensitivity):
    """Header and rows of a sensitivity table (one parameter at a range end; ratios to the defect-free particle of
    the same parameters) from a summary's ``sensitivity`` entries; §8e and §8k print it."""
    lines = ["| variant | parameter | value | n | reference | barrier/k_BT | SAR immob. ratio | SAR water ratio | "
             "barrier ratio |", "|---|---|---|---|---|---|---|---|---|"]
    for e in sensitivity:
        st = e["stats"]
        b = st.get("barrier_over_kT")
        lines.append(f"| {e['variant']} | {e['parameter']} | {e['value']:g} | {st['n']} | {e['reference']} | "
                     f"{_pm(b['mean'], b['err']) if b else '—'} | {_rcell(st['ratio'].get('sar_sweep.sar'))} | "
                     f"{_rcell(st['ratio'].get('sar_sweep_water.sar'))} | "
                     f"{_rcell(st['ratio'].get('barrier_over_kT'))} |")
    return lines


def alpha_rows(alpha):
    """Header and rows of a damping table from :func:`alpha_sensitivity`'s result; §8e and §8k print it."""
    lines = ["| α | variant | SAR (W/g) | defect-free SAR (W/g) | ratio ± seed error | verdict |", "|---|---|---|---|---|---|"]
    for e in alpha.get("table", []):
        lines.append(f"| {e['alpha']:g} | {e['variant']} | {_pm(e['sar'], e['sar_err'])} | "
                     f"{_pm(e['sar_ref'], e['sar_ref_err'])} | {e['ratio']:.3g} ± {e['err_seed']:.2g} | "
                     f"{e['verdict']} |")
    return lines


def table(path=OUT):
    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    lines = ["**Per variant (today's engine; mean ± error over the realisations):**", "",
             "| variant | n | Ms (kA/m) | barrier/k_BT | minima | SAR immob. (W/g) | SAR water (W/g) | ILP immob. "
             "(nH m²/kg) |", "|---|---|---|---|---|---|---|---|"]
    groups = list(S["main"].items()) + list(S.get("vacancy_order", {}).items())
    for name, v in groups:
        ms = v["Ms_A_per_m"]
        cells = [name, str(v["n"]), _pm(ms["mean"] / 1e3, ms["err"] / 1e3, 5)]
        for p in ("barrier_over_kT", "n_minima", "sar_sweep.sar", "sar_sweep_water.sar", "sar_sweep.ilp"):
            if p == "n_minima":
                cells.append("/".join(str(int(x)) for x in v[p]["per_seed"]))
            else:
                cells.append(_pm(v[p]["mean"], v[p]["err"]) if p in v else "—")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "**Ratio to defect-free (today), first-order error, verdict at 2σ; [seed-spread-only error]:**", "",
              "| variant ÷ defect-free | Ms | barrier/k_BT | SAR immobilised | SAR water |", "|---|---|---|---|---|"]
    for name, v in groups:
        if "ratio" not in v:
            continue
        cells = [name]
        for p in RATIO_QUANTITIES:
            r = v["ratio"].get(p)
            cells.append(_rcell(r) + (f" [{r['err_seed']:.2g}]" if r and p.startswith("sar") else ""))
        lines.append("| " + " | ".join(cells) + " |")
    if S.get("vacancy_order"):
        lines += ["", "**Placement at δ = 0.10: ordered / gradient ÷ random (today):**", "",
                  "| variant ÷ random δ = 0.10 | Ms | barrier/k_BT | SAR immobilised | SAR water |", "|---|---|---|---|---|"]
        for name, v in S["vacancy_order"].items():
            if "ratio_to_random" in v:
                lines.append("| " + " | ".join([name] + [_rcell(v["ratio_to_random"].get(p))
                                                         for p in RATIO_QUANTITIES]) + " |")
    lines += ["", "**Against the stored rows (stale engine), ratio to defect-free, each with its own reference:**", "",
              "| variant | quantity | stored | today | change |", "|---|---|---|---|---|"]
    for name, c in S.get("stale", {}).items():
        for p in RATIO_QUANTITIES:
            if p not in c:
                continue
            a, b = c[p]["stored"], c[p]["today"]
            if name == REFERENCE:
                cell = lambda x: _pm(x["ratio"], x["err"]) if x else "—"  # noqa: E731
                lines.append(f"| {name} (absolute) | {p} | {cell(a)} | {cell(b)} | |")
            else:
                lines.append(f"| {name}{' (' + c['note'] + ')' if c['note'] else ''} | {p} | {_rcell(a)} | "
                             f"{_rcell(b)} | {c[p]['flag'] or 'same verdict'} |")
    if S.get("sensitivity"):
        lines += ["", "**Sensitivity (one parameter at a range end; ratio to the defect-free of the same parameters):**",
                  ""] + sensitivity_rows(S["sensitivity"])
    if data.get("alpha", {}).get("table"):
        lines += ["", "**Damping α (SAR step only; stored landscapes of seeds "
                  f"{data['alpha']['seeds']}; SAR immobilised at drive B):**", ""] + alpha_rows(data["alpha"])
    if data.get("decomposition", {}).get("values"):
        lines += ["", "| variant (seed 1; 100 kHz, 4 kA/m, exact SAR model, immobilised) | SAR ref. → defect (W/g) | ΔSAR from Ms | "
                  "from barrier height | from landscape shape |", "|---|---|---|---|---|"]
        for name, d in data["decomposition"]["values"].items():
            lines.append(f"| {name} | {d['sar_ref']:.3g} → {d['sar_defect']:.3g} | {d['dMs']:+.3g} | "
                         f"{d['dBarrier']:+.3g} | {d['dShape']:+.3g} |")
    lines += ["", "**Runs:**", ""]
    for study, m in data["meta"].items():
        if not m["task_walltime_s"]:
            continue
        cpu = m.get("user_cpu_s", float("nan")) + m.get("system_cpu_s", 0.0)
        runs = [m] + m.get("resumed", [])
        n_first = m["n_rows"] - sum(x.get("written", 0) for x in runs[1:])
        lines.append(f"- `{m['command']}`: {m['n_rows']} tasks, wall {m.get('wall_s', float('nan')) / 60:.1f} min, "
                     f"CPU {cpu / 60:.1f} min ({cpu / max(n_first, 1):.0f} CPU s per task), max RSS "
                     f"{m.get('max_rss_kB', float('nan')) / 1e6:.2f} GB; task wall "
                     f"{min(m['task_walltime_s'].values()):.0f}–{max(m['task_walltime_s'].values()):.0f} s"
                     + (f" (first invocation: {n_first} tasks)" if len(runs) > 1 else ""))
        for x in runs[1:]:
            c = x.get("user_cpu_s", float("nan")) + x.get("system_cpu_s", 0.0)
            lines.append(f"  - resumed (same command, next session): {x.get('written', 0)} tasks written, "
                         f"{x.get('already_done', 0)} already done, wall {x.get('wall_s', float('nan')) / 60:.1f} min, "
                         f"CPU {c / 60:.1f} min ({c / max(x.get('written', 1), 1):.0f} CPU s per task), max RSS "
                         f"{x.get('max_rss_kB', float('nan')) / 1e6:.2f} GB")
    return "\n".join(lines)


def plot(path=OUT):
    """Ratios to defect-free (today vs stored) and the sensitivity ranges."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter, NullFormatter

    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    names = [n for n in S["main"] if n != REFERENCE] + list(S.get("vacancy_order", {}))
    panels = (("Ms_A_per_m", "Ms ÷ defect-free"), ("barrier_over_kT", "barrier ÷ defect-free"),
              ("sar_sweep.sar", "SAR immobilised ÷ defect-free"), ("sar_sweep_water.sar", "SAR in water ÷ defect-free"))
    fig, axes = plt.subplots(1, 4, figsize=(17, 5.2), sharey=True)
    y = np.arange(len(names))
    for ax, (p, lab) in zip(axes, panels):
        for k, name in enumerate(names):
            v = S["main"].get(name) or S["vacancy_order"].get(name)
            r = v.get("ratio", {}).get(p)
            if r:
                ax.errorbar(r["ratio"], k + 0.12, xerr=2 * r["err"], fmt="o", color="C0",
                            label="today (2σ)" if k == 0 else None)
            old = S.get("stale", {}).get(name, {}).get(p, {}).get("stored") if name in S.get("stale", {}) else None
            if old:
                ax.errorbar(old["ratio"], k - 0.12, xerr=2 * old["err"], fmt="s", color="C3", mfc="none",
                            label="stored rows, older engine (2σ)" if k == 0 else None)
        ax.axvline(1.0, color="k", lw=0.8)
        if p.startswith("sar"):
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(lab + (" (ratio, log scale)" if p.startswith("sar") else " (ratio)"))
        ax.grid(alpha=0.3, which="both")
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([f"{n} (n = {(S['main'].get(n) or S['vacancy_order'].get(n))['n']})" for n in names])
    axes[0].invert_yaxis()
    h, lab_ = axes[0].get_legend_handles_labels()
    fig.legend(h, lab_, loc="lower center", ncol=2, fontsize=8)
    fig.suptitle("12.1 nm magnetite TO, 310 K, 100 kHz, 15 kA/m: defect ÷ defect-free (mean over n realisations), "
                 "error bars 2σ")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(FIG / "today_ratios.png", dpi=110)
    plt.close(fig)
    sens = S.get("sensitivity", [])
    alpha = data.get("alpha", {}).get("table", [])
    if sens or alpha:
        fig, ax = plt.subplots(figsize=(11, 5))
        labels, k = [], 0
        for variant, col in (("APB-two", "C0"), ("vacancies-random-0.10", "C1")):
            base = S["main"].get(variant, {}).get("ratio", {}).get("sar_sweep.sar")
            if base:
                ax.errorbar(base["ratio"], k, xerr=2 * base["err"], fmt="o", color=col)
                labels.append(f"{variant}: defaults (4 seeds)")
                k += 1
            for e in sens:
                if e["variant"] != variant:
                    continue
                r = e["stats"]["ratio"].get("sar_sweep.sar")
                if r:
                    ax.errorbar(r["ratio"], k, xerr=2 * r["err"], fmt="s", color=col)
                    labels.append(f"{variant}: {e['parameter']} = {e['value']:g} ({e['stats']['n']} seeds)")
                    k += 1
            for e in alpha:
                if e["variant"] == variant and e["alpha"] != 0.1:
                    ax.errorbar(e["ratio"], k, xerr=2 * e["err_seed"], fmt="^", color=col)
                    labels.append(f"{variant}: α = {e['alpha']:g} (SAR step, {e['n']} seeds)")
                    k += 1
        ax.axvline(1.0, color="k", lw=0.8)
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.invert_yaxis()
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels(labels, fontsize=8)
        ax.set_xlabel("SAR immobilised ÷ defect-free, same parameters (ratio, log scale; error bars 2σ)")
        ax.set_title("12.1 nm TO, 310 K, 100 kHz, 15 kA/m: each parameter at an end of its range")
        ax.grid(alpha=0.3, which="both")
        fig.tight_layout()
        fig.savefig(FIG / "today_sensitivity.png", dpi=110)
        plt.close(fig)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "table"
    if cmd == "db":
        d = extract()
        print(json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "task_walltime_s"}
                          for k, v in d["meta"].items()}, indent=1))
    elif cmd == "rescore":
        rescore()
    elif cmd == "alpha":
        print(json.dumps(alpha_sensitivity()["table"], indent=1))
    elif cmd == "decompose":
        decomposition()
    elif cmd == "plot":
        plot()
    elif cmd == "table":
        print(table())
    else:
        raise SystemExit(__doc__)
