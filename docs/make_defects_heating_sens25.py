"""Sensitivity of the 25 nm defects-and-heating answer (issue #15; docs/validation.md §8h), the protocol of §8e
(12.1 nm) and §8k (16 nm) on the 25 nm particle of §8h, two realisations per point:
- the Néel surface constant K_s at the upper end of its documented range, 1e-4 J/m² (k_s = 0.104785 meV per bond),
  for defect-free, two APBs, one APB through the centre and random δ = 0.10, each ÷ the defect-free particle at the
  same K_s (``structures/recipes/defects_heating_25nm_sens_ks.toml``; it also lists the lower end, 1e-5 J/m², not
  yet run);
- the coupling across the APBs J_BB180 at the weak end of its range, −2.92 meV, for two APBs and one APB, each ÷
  the 25 nm study's defect-free particle (it has no BB180 pair; ``defects_heating_25nm_sens_japb.toml``; it also
  lists the strong end, −11.04 meV, not yet run).

Each task ran as a one-task stage (``…_sens_ks_stageK1.toml`` … ``K8``, ``…_sens_japb_stageJ1.toml`` … ``J4``, the
recipes' task hashes) in two chains at once, each on its own databases (two writers on one SQLite file are avoided):
``results/sens25a/`` (K1, K3, K5, K7, then J1, J3: seed 1) and ``results/sens25b/`` (K2, K4, K6, K8, then J2, J4:
seed 2), each

    nice -n 5 env NUMBA_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/time -v atomspin sweep \\
        structures/recipes/defects_heating_25nm_<study>_stage<i>.toml \\
        --db results/sens25<a|b>/defects_heating_25nm_<study>.db --workers 1

with its log and start/end stamps (epoch s) in ``results/defects_heating_25nm_<study>_stage<i>.log|start|end``.

    python docs/make_defects_heating_sens25.py db      # the databases → docs/figures/defects_heating/sens_25nm.json
    python docs/make_defects_heating_sens25.py table   # the markdown tables of validation §8h
    python docs/make_defects_heating_sens25.py plot    # docs/figures/defects_heating/sens_25nm.png

Statistics, ratios, verdicts, the per-realisation separation and the exact permutation p are those of
``docs/make_defects_heating_sens16.py`` (imported, not copied); the same variant at the defaults is the 25 nm
study's (``sweep_25nm.json``, four realisations). The databases are not committed: a chain whose database is gone
keeps its rows from the existing summary.
"""
import importlib.util
import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIG = ROOT / "docs" / "figures" / "defects_heating"
OUT = FIG / "sens_25nm.json"
STUDY25 = FIG / "sweep_25nm.json"
SENS16 = FIG / "sens_16nm.json"
#: per study: the one-task stages each chain (a results/ sub-folder with its own database) ran, in order
STUDIES = {"sens_ks": {"sens25a": ("K1", "K3", "K5", "K7"), "sens25b": ("K2", "K4", "K6", "K8")},
           "sens_japb": {"sens25a": ("J1", "J3"), "sens25b": ("J2", "J4")}}
CHAINS = ("sens25a", "sens25b")
VARIANTS = ("defect-free", "APB-two", "APB-centre", "vacancies-random-0.10")


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


S16 = _load("make_defects_heating_sens16", ROOT / "docs" / "make_defects_heating_sens16.py")
M16, T = S16.M16, S16.T
REFERENCE = T.REFERENCE


def stem(study):
    return f"defects_heating_25nm_{study}"


def recipe_path(study):
    return ROOT / "structures" / "recipes" / f"{stem(study)}.toml"


def db_path(study, chain):
    return ROOT / "results" / chain / f"{stem(study)}.db"


# ---------------------------------------------------------------------------------------------------- extract
def _rows_of_db(study, chain):
    rows = []
    for row, _, rec in T._mdh().sweep_rows(db_path(study, chain)):
        par, val = T.axis_of(rec)
        row.update(study=study, run=chain, axis_parameter=par, axis_value=val)
        M16._sized(row)
        row["key"] = f"{row['key']}|{par}={val}"
        rows.append(row)
    return rows


def _invocation(study, chain):
    """Wall (stamps), CPU and maximum RSS (``/usr/bin/time -v``) of each stage of a chain that ran."""
    out = {}
    for k in STUDIES[study][chain]:
        inv = T._invocation(f"{stem(study)}_stage{k}")
        if inv:
            if inv.get("written"):
                inv["cpu_s_per_task"] = float((inv.get("user_cpu_s", np.nan) + inv.get("system_cpu_s", 0.0))
                                              / inv["written"])
            out[k] = inv
    return out


def extract(out=OUT):
    """Rows of each chain's database that exists (make_defects_heating.db_row format, with the swept parameter and
    its value), the stages' invocation data and the summary; a chain whose database is gone keeps its rows."""
    prev = json.loads(out.read_text()) if out.exists() else {}
    rows, meta = [], {}
    for study in STUDIES:
        for chain in CHAINS:
            name = f"{study}|{chain}"
            if db_path(study, chain).exists():
                got = _rows_of_db(study, chain)
                rows += got
                meta[name] = dict(recipe=str(recipe_path(study).relative_to(ROOT)),
                                  database=f"results/{chain}/{stem(study)}.db", n_rows=len(got),
                                  invocation=_invocation(study, chain),
                                  task_walltime_s={f"{x['recipe_variant']} s{x['seed']}": x["elapsed_s"] for x in got},
                                  task_hashes={f"{x['recipe_variant']} s{x['seed']} {x['axis_value']:g}":
                                               x["task_hash"] for x in got})
            elif name in prev.get("meta", {}):
                rows += [r for r in prev["rows"] if r["study"] == study and r["run"] == chain]
                meta[name] = prev["meta"][name]
    for r in rows:
        r.pop("covariance_J2", None)  # the fit's covariance is not used here (the barrier error is stored)
    rows.sort(key=lambda r: (list(STUDIES).index(r["study"]), VARIANTS.index(r["recipe_variant"]),
                             r["axis_value"], r["seed"]))
    data = dict(meta=meta, rows=rows, summary=summarise(rows))
    out.write_text(S16.dump_json(data))
    return data


# ---------------------------------------------------------------------------------------------------- summary
def study25():
    """The 25 nm study's defect-free statistics (the reference at the defaults) and its per-variant entries."""
    d = json.loads(STUDY25.read_text())
    ref_rows = sorted([r for r in d["rows"] if r["recipe_variant"] == REFERENCE], key=lambda r: r["seed"])
    return T.group_stats(ref_rows), d["summary"]["main"]


def summarise(rows):
    """One entry per (study, variant, parameter value): the group's stats, its ratios and barrier difference to its
    reference (K_s: the defect-free particle at the same K_s, run here; J_BB180: the 25 nm study's defect-free
    particle, which has no BB180 pair), the per-realisation separation, and the same variant at the defaults (the
    25 nm study); ``holds``: per variant and medium the verdict at the defaults and at each point."""
    ref25, main25 = study25()
    G = T._groups(rows)
    sens, refs = [], {}
    for (study, name, par, val), members in G.items():
        s = T.group_stats(members)
        if name == REFERENCE:
            refs[f"{par}={val:g}"] = s
            continue
        if study == "sens_ks":
            r_members = G.get((study, REFERENCE, par, val))
            if not r_members:  # no reference at this K_s yet: no ratio
                continue
            rr, label = T.group_stats(r_members), f"defect-free at {par} = {val:g}"
        else:
            rr, label = ref25, "defect-free at the defaults (25 nm study)"
        s["ratio"] = {p: e for p in T.RATIO_QUANTITIES if (e := T.ratio_entry(s, rr, p))}
        s["barrier_diff_kT"] = M16.barrier_difference(s, rr)
        s["separation"] = S16.seed_separation(s, rr)
        d = main25.get(name, {})
        e = dict(study=study, variant=name, parameter=par, value=val, reference=label, reference_n=rr["n"], stats=s,
                 at_defaults=dict(variant=name, n=d.get("n"), ratio=d.get("ratio"),
                                  barrier_diff_kT=d.get("barrier_diff_kT")))
        if par == "neel_ks_meV":
            e["K_s_J_per_m2"] = _facet(val)
        sens.append(e)
    sens.sort(key=lambda e: (VARIANTS.index(e["variant"]), list(STUDIES).index(e["study"]), e["value"]))
    return dict(reference_defaults=ref25, references_same_parameters=refs, sensitivity=sens,
                holds=S16.holds(sens))


def _facet(k_s_meV):
    from atomspin.model.anisotropy import neel_facet_constant_J_per_m2

    return float(neel_facet_constant_J_per_m2(k_s_meV))


def sens16_at(variant, parameter, value, path=SENS16):
    """The 16 nm sensitivity entry of ``variant`` at the same parameter value (§8k), or None."""
    for e in json.loads(pathlib.Path(path).read_text())["summary"]["sensitivity"]:
        if e["variant"] == variant and e["parameter"] == parameter and np.isclose(e["value"], value):
            return e
    return None


def setting_words(parameter, value, newline=" "):
    """The parameter setting in words: "K_s = 1e-04 J/m²", "J_BB180 = −2.92 meV"."""
    if parameter == "neel_ks_meV":
        x = _facet(value)
        ex = int(np.floor(np.log10(abs(x)) + 1e-9))
        return f"K_s ={newline}{round(x / 10.0 ** ex, 2):g}e{ex} J/m²".replace("-", "−")
    return f"J_BB180 ={newline}{value:g} meV".replace("-", "−")


# ---------------------------------------------------------------------------------------------------- table
def table(path=OUT):
    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    lines = ["**25.0 nm at a range end (two realisations each; K_s: ÷ the defect-free particle at the same K_s; "
             "J_BB180: ÷ the 25 nm study's defect-free particle, which has no BB180 pair):**", ""]
    lines += T.sensitivity_rows(S["sensitivity"])
    lines += ["", "**The same variants at the defaults (25 nm study, four realisations), at 16.0 nm at the same setting "
              "(§8k), and the barrier change in k_BT:**", "",
              "| variant | setting | barrier − reference (k_BT) | SAR immob. ratio at the defaults | "
              "SAR water ratio at the defaults | 16.0 nm at this setting: SAR immob. / water ratio | verdict over "
              "the defaults and the settings run (immob. / water) |",
              "|---|---|---|---|---|---|---|"]

    def dcell(d):
        return f"{d['diff']:+.3g} ± {d['err']:.2g} ({d['verdict'].replace(' at 2σ', '')})" if d else "—"
    for e in S["sensitivity"]:
        ra = e["at_defaults"]["ratio"] or {}
        e16 = sens16_at(e["variant"], e["parameter"], e["value"])
        c16 = (f"{T._rcell(e16['stats']['ratio'].get('sar_sweep.sar'))} / "
               f"{T._rcell(e16['stats']['ratio'].get('sar_sweep_water.sar'))} (n = {e16['stats']['n']})"
               if e16 else "—")
        h = S["holds"][e["variant"]]
        lines.append(f"| {e['variant']} | {setting_words(e['parameter'], e['value'])} | "
                     f"{dcell(e['stats'].get('barrier_diff_kT'))} | "
                     f"{T._rcell(ra.get('sar_sweep.sar'))} | {T._rcell(ra.get('sar_sweep_water.sar'))} | {c16} | "
                     f"{h['sar_sweep.sar']['holds']} / {h['sar_sweep_water.sar']['holds']} |")
    r0 = S["reference_defaults"]
    lines += ["", "**The defect-free reference (mean ± error):**", "",
              "| defect-free at | n | Ms (kA/m) | barrier/k_BT | minima | SAR immob. (W/g) | SAR water (W/g) |",
              "|---|---|---|---|---|---|---|"]
    for lab, s in [("the defaults (25 nm study)", r0)] + list(S["references_same_parameters"].items()):
        lines.append(f"| {lab} | {s['n']} | {T._pm(s['Ms_A_per_m']['mean'] / 1e3, s['Ms_A_per_m']['err'] / 1e3, 5)}"
                     f" | {T._pm(s['barrier_over_kT']['mean'], s['barrier_over_kT']['err'])} | "
                     f"{'/'.join(f'{x:g}' for x in s['n_minima']['per_seed'])} | "
                     f"{T._pm(s['sar_sweep.sar']['mean'], s['sar_sweep.sar']['err'])} | "
                     f"{T._pm(s['sar_sweep_water.sar']['mean'], s['sar_sweep_water.sar']['err'])} |")
    lines += ["", "**Per realisation (SAR in W/g; the model the SAR step chose):**", "",
              "| variant | setting | seed | barrier/k_BT | minima | SAR immob. | SAR water | model immob. / water |",
              "|---|---|---|---|---|---|---|---|"]
    for r in data["rows"]:
        lines.append(f"| {r['recipe_variant']} | {setting_words(r['axis_parameter'], r['axis_value'])} | {r['seed']} | "
                     f"{T._pm(r['barrier_over_kT'], r['barrier_over_kT_err'])} | {r['n_minima']} | "
                     f"{r['sar_sweep']['sar']:.3g} | {r['sar_sweep_water']['sar']:.3g} | "
                     f"{r['sar_sweep'].get('model')} / {r['sar_sweep_water'].get('model')} |")
    lines += ["", "**Runs** (one task per invocation, two chains at once on the 2-core machine):", ""]
    for name, m in data["meta"].items():
        for k, inv in m["invocation"].items():
            cpu = inv.get("user_cpu_s", float("nan")) + inv.get("system_cpu_s", 0.0)
            lines.append(f"- {k} (`{m['database']}`): wall {inv.get('wall_s', float('nan')) / 60:.1f} min, "
                         f"CPU {cpu / 60:.1f} min, max RSS {inv.get('max_rss_kB', float('nan')) / 1e6:.2f} GB")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------- figure
def plot(path=OUT):
    """Each defect ÷ defect-free (immobilised, in water) at the defaults and at each setting run, at 25 nm (filled)
    and at 16 nm at the same settings (open; §8k and §8f)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = json.loads(pathlib.Path(path).read_text())
    S = data["summary"]
    main = {"25.0 nm": json.loads(STUDY25.read_text())["summary"]["main"],
            "16.0 nm": json.loads((FIG / "sweep_16nm.json").read_text())["summary"]["main"]}
    settings = [None] + sorted({(e["parameter"], e["value"]) for e in S["sensitivity"]},
                               key=lambda pv: (pv[0] != "neel_ks_meV", pv[1]))
    style = {"APB-two": ("C3", "o"), "APB-centre": ("C0", "s"), "vacancies-random-0.10": ("C2", "^")}
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.8), sharey=True)
    for ax, (p, lab) in zip(axes, (("sar_sweep.sar", "immobilised"), ("sar_sweep_water.sar", "in water"))):
        for n, v in enumerate(style):
            c, mk = style[v]
            for size, fill, dx in (("25.0 nm", c, 0.07), ("16.0 nm", "white", -0.07)):
                pts = []
                for x, pv in enumerate(settings):
                    if pv is None:
                        r = (main[size].get(v, {}).get("ratio") or {}).get(p)
                    else:
                        e = (next((e for e in S["sensitivity"] if e["variant"] == v
                                   and (e["parameter"], e["value"]) == pv), None)
                             if size == "25.0 nm" else sens16_at(v, *pv))
                        r = e["stats"]["ratio"].get(p) if e else None
                    if r:
                        pts.append((x + dx + (n - 1) * 0.2, r["ratio"], 2 * r["err"]))
                if not pts:
                    continue
                xs, ys, es = (np.array(q) for q in zip(*pts))
                ax.errorbar(xs, ys, yerr=[np.minimum(es, 0.95 * ys), es], fmt=mk, mfc=fill, mec=c, color=c, ms=7,
                            capsize=3, ls="none", label=f"{v}, {size}")
        ax.axhline(1.0, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_xticks(range(len(settings)))
        ax.set_xticklabels(["defaults\n(4 realisations)"] + [setting_words(*pv, newline="\n") + "\n(2 realisations)"
                                                            for pv in settings[1:]])
        ax.set_xlabel("parameter setting (one at a range end, the others at their defaults)")
        ax.set_title(f"SAR {lab}, 100 kHz, 15 kA/m, 310 K")
        ax.grid(alpha=0.3, which="both", axis="y")
    axes[0].set_ylabel("SAR ÷ defect-free SAR\n(ratio, log scale; error bars 2σ)")
    h, l_ = axes[0].get_legend_handles_labels()
    fig.legend(h, l_, loc="lower center", ncol=3, fontsize=9)
    fig.suptitle("Fe3O4 truncated octahedra, 25.0 nm (filled) and 16.0 nm (open) equivalent diameter: each defect ÷ "
                 "defect-free\nat the defaults and at range ends of K_s and J_BB180")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    fig.savefig(FIG / "sens_25nm.png", dpi=110)
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
    else:
        raise SystemExit(__doc__)
