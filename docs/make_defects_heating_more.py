"""The defect variants of the 12 nm demo particle that the first 12 nm sweep could not express (issue #15;
docs/validation.md §8a): two APBs, an FeO core, Zn doping, random vacancies δ = 0.05 and 0.10, with a
defect-free reference, 4 realisations each, immobilised and in water.

    atomspin sweep structures/recipes/defects_heating_12nm_more.toml --db results/defects_heating_12nm_more.db --workers 1
    python docs/make_defects_heating_more.py db [DB]     # the database → docs/figures/defects_heating/sweep_12nm_more.json
    python docs/make_defects_heating_more.py table       # the markdown tables of validation §8a from that JSON

``db`` keeps one landscape row per task (format of docs/make_defects_heating.py, SAR of both media as the sweep's
sar step computed them) and adds, per variant, the mean over realisations with its error (the larger of the
standard error of the mean and the propagated per-realisation errors / √n: the rule of
``atomspin.batch.quantities.aggregate``), the ratio to defect-free with its first-order error and the verdict
"resolved / not resolved at 2σ" (``atomspin.batch.report.ratio``, as ``atomspin report``), and the decomposition of
the immobilised SAR change along reference → Ms → barrier height → landscape shape (exact linear response at
100 kHz, 4 kA/m, ``make_defects_heating.decompose``; realisation 1 of each variant against the defect-free reference: its first realisation's landscape at the mean Ms).
"""
import importlib.util
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
RECIPE = ROOT / "structures" / "recipes" / "defects_heating_12nm_more.toml"
DB = ROOT / "results" / "defects_heating_12nm_more.db"
OUT = ROOT / "docs" / "figures" / "defects_heating" / "sweep_12nm_more.json"
REFERENCE = "defect-free"
QUANTITIES = (  # (row path, label)
    ("Ms_A_per_m", "Ms (A/m)"), ("barrier_over_kT", "barrier / k_BT"), ("n_minima", "minima"),
    ("sar_sweep.sar", "SAR immobilised (W/g)"), ("sar_sweep_water.sar", "SAR in water (W/g)"),
    ("sar_sweep.ilp", "ILP immobilised (nH m²/kg)"), ("sar_sweep_water.ilp", "ILP in water (nH m²/kg)"),
)


def _mdh():
    spec = importlib.util.spec_from_file_location("make_defects_heating", ROOT / "docs" / "make_defects_heating.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _value(row, path):
    """(value, error) of a row quantity (``a.b`` = row[a][b], its error row[a][b_err] or row[a]['err'])."""
    if "." in path:
        a, b = path.split(".")
        cell = row.get(a) or {}
        v = cell.get(b, np.nan)
        e = cell.get("err" if b == "sar" else f"{b}_err", np.nan)
        return float(v), float(e)
    err = {"Ms_A_per_m": "Ms_err_A_per_m"}.get(path, f"{path}_err")
    return float(row[path]), float(row.get(err, np.nan))


def mean_error(values, errors):
    """Mean over realisations and its error: max(standard error of the mean, √Σσ²/n) (batch.quantities.aggregate)."""
    v, e = np.asarray(values, float), np.asarray(errors, float)
    n = len(v)
    prop = float(np.sqrt(np.nansum(e ** 2)) / n) if np.any(np.isfinite(e)) else np.nan
    sem = float(v.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    known = [x for x in (prop, sem) if np.isfinite(x)]
    return float(v.mean()), (max(known) if known else np.nan)


def summarise(rows, decompose_seed=1, f=1.0e5, H0=4.0e3):
    """Per variant: n, mean ± error of each QUANTITIES entry, ratio to defect-free ± error with the verdict, and
    the decomposition of realisation ``decompose_seed``'s immobilised SAR change (W/g, exact linear response at
    f, H0: by default drive A of the study, 100 kHz, 4 kA/m, ξ ≈ 0.6, where the linear response holds)."""
    from atomspin.batch.report import ratio

    mdh = _mdh()
    by = {}
    for r in rows:
        by.setdefault(r["recipe_variant"], []).append(r)
    import tomllib

    planned = [v["name"] for v in tomllib.loads(RECIPE.read_text())["sweep"]["variants"]]  # recipe order
    found = list(dict.fromkeys(r["recipe_variant"] for r in rows))
    order = [REFERENCE] + [v for v in planned + found if v != REFERENCE and v in found]
    order = list(dict.fromkeys(order))
    out, ref = {}, None
    for name in order:
        members = sorted(by.get(name, []), key=lambda r: r["seed"])
        if not members:
            continue
        s = dict(n=len(members), seeds=[m["seed"] for m in members])
        for path, _ in QUANTITIES:
            vals = [_value(m, path) for m in members]
            if not all(np.isfinite(v) for v, _ in vals):
                continue
            mean, err = mean_error([v for v, _ in vals], [e for _, e in vals])
            s[path] = dict(mean=mean, err=err, per_seed=[v for v, _ in vals])
        if name == REFERENCE:
            ref = s
        elif ref is not None:
            s["ratio"] = {}
            for path, _ in QUANTITIES:
                if path in s and path in ref and path != "n_minima":
                    r_, e_ = ratio(s[path]["mean"], s[path]["err"], ref[path]["mean"], ref[path]["err"])
                    verdict = ("resolved at 2σ, " + ("higher" if r_ > 1 else "lower")) if abs(r_ - 1) > 2 * e_ \
                        else "not resolved at 2σ"
                    s["ratio"][path] = dict(ratio=float(r_), err=float(e_), verdict=verdict)
            d_rows = [m for m in members if m["seed"] == decompose_seed]
            if d_rows:
                cache = {}
                dec = mdh.decompose(d_rows[0], sorted(by[REFERENCE], key=lambda r: r["seed"]), f, H0, cache)
                s["decomposition_seed"] = decompose_seed
                s["decomposition"] = {k: float(v) for k, v in dec.items()}
        out[name] = s
    return out


def extract(db=DB, out=OUT, log=None):
    """Rows of the sweep's database + the per-variant summary → ``out`` (small, committed)."""
    import re

    from atomspin.batch.store import ResultStore

    mdh = _mdh()
    store = ResultStore(str(db), mode="r")
    rows = [x for x in (mdh.db_row(store, r, kinds={}) for r in store.rows()) if x is not None]
    rows.sort(key=lambda r: (r["recipe_variant"], r["seed"]))
    meta = dict(recipe=str(RECIPE.relative_to(ROOT)), n_tasks=len(rows),
                command=f"atomspin sweep {RECIPE.relative_to(ROOT)} --db {pathlib.Path(db).name} --workers 1",
                task_walltime_s={f"{r['recipe_variant']} s{r['seed']}": r["elapsed_s"] for r in rows})
    for i, path in enumerate([log] if log else ["/tmp/defects12_sweep.log", "/tmp/defects12_sweepB.log"]):
        p = pathlib.Path(path)
        if not p.exists():
            continue
        txt = p.read_text()
        inv = {}
        m = re.search(r"(\d+) written, (\d+) already done, (\d+) failed in ([\d.]+) s", txt)
        if m:
            inv.update(written=int(m[1]), already_done=int(m[2]), failed=int(m[3]), sweep_wall_s=float(m[4]))
        for lab, pat in (("user_cpu_s", r"User time \(seconds\): ([\d.]+)"),
                         ("system_cpu_s", r"System time \(seconds\): ([\d.]+)"),
                         ("max_rss_kB", r"Maximum resident set size \(kbytes\): (\d+)")):
            m = re.search(pat, txt)
            if m:
                inv[lab] = float(m[1])
        meta[f"invocation_{i + 1}"] = inv
    summary = summarise(rows)
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(dict(meta=meta, summary=summary, rows=rows), indent=1, default=float))
    return meta, summary


def _pm(v, e, d=3):
    return f"{v:.{d}g} ± {e:.2g}"


def table(path=OUT):
    """The markdown tables of validation §8a: per variant mean ± error and the ratio to defect-free."""
    data = json.loads(pathlib.Path(path).read_text())
    s = data["summary"]
    lines = ["| variant | n | Ms (kA/m) | barrier/k_BT | minima | SAR immob. (W/g) | SAR water (W/g) | ILP immob. "
             "(nH m²/kg) | ILP water (nH m²/kg) |", "|---|---|---|---|---|---|---|---|---|"]
    for name, v in s.items():
        ms = v["Ms_A_per_m"]
        cells = [name, str(v["n"]), _pm(ms["mean"] / 1e3, ms["err"] / 1e3, 5)]
        for p in ("barrier_over_kT", "n_minima", "sar_sweep.sar", "sar_sweep_water.sar", "sar_sweep.ilp",
                  "sar_sweep_water.ilp"):
            if p == "n_minima":
                cells.append("/".join(str(int(x)) for x in v[p]["per_seed"]))
            else:
                cells.append(_pm(v[p]["mean"], v[p]["err"]) if p in v else "—")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| variant ÷ defect-free | Ms | barrier/k_BT | SAR immobilised | SAR water |", "|---|---|---|---|---|"]
    for name, v in s.items():
        if "ratio" not in v:
            continue
        cells = [name]
        for p in ("Ms_A_per_m", "barrier_over_kT", "sar_sweep.sar", "sar_sweep_water.sar"):
            r = v["ratio"].get(p)
            cells.append(f"{r['ratio']:.4g} ± {r['err']:.2g} ({r['verdict']})" if r else "—")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| variant (seed 1; 100 kHz, 4 kA/m, linear response) | SAR ref. → defect (W/g) | ΔSAR from Ms | from barrier height | from landscape shape |"
              " minima ref. → defect |", "|---|---|---|---|---|---|"]
    for name, v in s.items():
        d = v.get("decomposition")
        if d:
            lines.append(f"| {name} | {d['sar_ref']:.3g} → {d['sar_defect']:.3g} | {d['dMs']:+.3g} | "
                         f"{d['dBarrier']:+.3g} | {d['dShape']:+.3g} | {d['n_minima_ref']} → {d['n_minima']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "table"
    if cmd == "db":
        print(json.dumps(extract(*sys.argv[2:3])[0], indent=1))
    elif cmd == "table":
        print(table())
    else:
        raise SystemExit(__doc__)
