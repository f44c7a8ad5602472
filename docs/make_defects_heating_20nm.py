"""Defects and heating at ≈ 20 nm (issue #15; docs/validation.md §8g): the 19.7 nm sweep's summary, the comparison
of each of its ratios with the 12.1 and 16.0 nm ones, its ΔSAR decomposition and its cells of the SAR map.

    nice -n 5 env NUMBA_NUM_THREADS=1 atomspin sweep structures/recipes/defects_heating_20nm.toml \\
        --db results/defects_heating_20nm.db --workers 1
    python docs/make_defects_heating_20nm.py db         # the database → docs/figures/defects_heating/sweep_20nm.json
    python docs/make_defects_heating_20nm.py decompose  # ΔSAR split (Ms, barrier height, shape, dead layer)
    python docs/make_defects_heating_20nm.py map        # SAR at drives A, B, C from the stored landscapes (no MC)
    python docs/make_defects_heating_20nm.py plot       # size_ratios.png and sar_size_map.png, every size
    python docs/make_defects_heating_20nm.py table      # the markdown tables of validation §8g

Every function is the 16 nm study's (``docs/make_defects_heating_16nm.py``, imported and called with this size's
database, recipe and summary), whose statistics are in turn those of ``docs/make_defects_heating_today.py``: per
variant the mean over the realisations, error = the larger of the seed standard error and the propagated
per-realisation errors / √n, first-order ratio errors, "resolved" beyond 2σ; the seed-spread-only verdicts next to
them. The sweep's invocations wrote their logs to ``results/20nm_<stage>.log`` and start/end stamps to
``results/20nm_<stage>.start|end`` (``INVOCATIONS``).
"""
import importlib.util
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SIZE = "20nm"
RECIPE = ROOT / "structures" / "recipes" / "defects_heating_20nm.toml"
DB = ROOT / "results" / "defects_heating_20nm.db"
#: the invocations on the 20 nm database, in priority order: each ran a subset recipe of RECIPE (the same particle,
#: protocol and variant definitions, fewer variants/seeds: the same task hashes, as ``atomspin validate`` lists
#: them), so that the CPU budget ran the must-have tasks first; rerunning RECIPE itself runs only the rest
INVOCATIONS = (("stage 1: defect-free and APB-two, seed 1", "20nm_stage1"),
               ("stage 2: defect-free and APB-two, seed 2", "20nm_stage2"),
               ("stage 3a: FeO-core, seeds 1-2", "20nm_stage3a"),
               ("stage 3b: vacancies-random-0.10, seeds 1-2", "20nm_stage3b"))


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


S16 = _load("make_defects_heating_16nm", ROOT / "docs" / "make_defects_heating_16nm.py")
T = S16.T
REFERENCE = S16.REFERENCE
OUT = S16.summary_path(SIZE)
WORDS = S16.SIZE_WORDS[SIZE]


def vertex_size_nm():
    """Vertex-to-vertex size (nm) of the recipe's truncated octahedron."""
    import tomllib

    return float(tomllib.loads(RECIPE.read_text())["structure"]["diameter_nm"])


def extract():
    """The 20 nm database → ``sweep_20nm.json`` (rows, invocations, summary against 12.1 and 16.0 nm)."""
    return S16.extract(out=OUT, db=DB, recipe=RECIPE, study=SIZE, invocations=INVOCATIONS)


def table(path=OUT):
    """The markdown tables of validation §8g."""
    data = json.loads(pathlib.Path(path).read_text())
    S, pm = data["summary"], T._pm
    lines = [f"**{WORDS}, per variant (mean ± error over the realisations):**", "",
             "| variant | n (seeds) | Ms (kA/m) | barrier/k_BT | minima | SAR immob. (W/g) | SAR water (W/g) | χ²/dof | "
             "n_eff min | refresh windows min |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, v in S["main"].items():
        rows = [r for r in data["rows"] if r["recipe_variant"] == name]
        ms = v["Ms_A_per_m"]
        cells = [name, f"{v['n']} ({', '.join(str(r['seed']) for r in rows)})", pm(ms["mean"] / 1e3, ms["err"] / 1e3, 5),
                 pm(v["barrier_over_kT"]["mean"], v["barrier_over_kT"]["err"]),
                 "/".join(str(int(x)) for x in v["n_minima"]["per_seed"])]
        for p in ("sar_sweep.sar", "sar_sweep_water.sar"):
            cells.append(pm(v[p]["mean"], v[p]["err"]) if p in v else "—")
        cells += [f"{min(r['chi2_per_dof'] for r in rows):.2g}–{max(r['chi2_per_dof'] for r in rows):.2g}",
                  f"{min(r['n_eff_min'] for r in rows):.2g}", f"{min(r['refresh_windows_min'] for r in rows):g}"]
        lines.append("| " + " | ".join(cells) + " |")
    per_seed = ["", "**Per realisation** (SAR immobilised / in water, W/g; barrier/k_BT):", "",
                "| variant | seed | barrier/k_BT | SAR immob. ± propagated | SAR water ± propagated |", "|---|---|---|---|---|"]
    for r in data["rows"]:
        si, sw = r.get("sar_sweep") or {}, r.get("sar_sweep_water") or {}
        per_seed.append(f"| {r['recipe_variant']} | {r['seed']} | {pm(r['barrier_over_kT'], r.get('barrier_over_kT_err', float('nan')))} | "
                        f"{pm(si.get('sar', float('nan')), si.get('err', float('nan')))} | "
                        f"{pm(sw.get('sar', float('nan')), sw.get('err', float('nan')))} |")
    lines += per_seed
    d16 = json.loads(S16.OUT.read_text())["summary"]["main"]
    d12 = json.loads(T.OUT.read_text())["summary"]["main"]
    lines += ["", f"**Barrier change against defect-free of the same size (k_BT at 310 K; error in quadrature):**", "",
              f"| variant | 12.1 nm | 16.0 nm | {WORDS} |", "|---|---|---|---|"]

    def cell(x):
        return f"{x['diff']:+.3g} ± {x['err']:.2g} ({x['verdict'].replace(' at 2σ', '')})" if x else "—"
    for name, v in S["main"].items():
        if name == REFERENCE:
            continue
        o12 = S16.barrier_difference(d12[name], d12[REFERENCE]) if name in d12 else None
        o16 = S16.barrier_difference(d16[name], d16[REFERENCE]) if name in d16 else None
        lines.append(f"| {name} | {cell(o12)} | {cell(o16)} | {cell(v.get('barrier_diff_kT'))} |")
    label = {"Ms_A_per_m": "Ms", "barrier_over_kT": "barrier/k_BT", "sar_sweep.sar": "SAR immobilised",
             "sar_sweep_water.sar": "SAR water"}
    lines += ["", f"**Ratio to defect-free of the same size at 12.1, 16.0 and {WORDS}; verdict at 2σ; does the trend "
              f"hold with size? (first the rule's error, then the seed-spread-only error)**", "",
              f"| variant ÷ defect-free | quantity | 12.1 nm | 16.0 nm | {WORDS} | 12 → {WORDS} | 16 → {WORDS} | "
              f"{WORDS}, seed spread | 12 → {WORDS}, seed spread | 16 → {WORDS}, seed spread |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in S.get("compare", {}).items():
        for p in T.RATIO_QUANTITIES:
            x = c[p]
            lines.append(f"| {name} | {label[p]} | {T._rcell(x['r12'])} | {T._rcell(x.get('r16_prev'))} | "
                         f"{T._rcell(x['r16'])} | {x['trend']} | {x.get('trend16', '—')} | {T._rcell(x.get('seed16'))} | "
                         f"{x.get('trend_seed', '')} | {x.get('trend_seed16', '—')} |")
    ab = S.get("reference_12_vs_16", {})
    if ab:
        lines += ["", f"| defect-free | 12.1 nm | 16.0 nm | {WORDS} |", "|---|---|---|---|"]
        for p in T.RATIO_QUANTITIES:
            f = (lambda x: pm(x["mean"] / 1e3, x["err"] / 1e3, 5) + " kA/m") if p == "Ms_A_per_m" else \
                (lambda x: pm(x["mean"], x["err"]))
            lines.append(f"| {label[p]} | " + " | ".join(f(ab[p][k]) if ab[p].get(k) else "—"
                                                         for k in ("r12", "r16_prev", "r16")) + " |")
    dec = data.get("decomposition", {}).get(SIZE, {})
    if dec:
        lines += ["", f"**ΔSAR decomposition at {WORDS}** (exact linear response, 100 kHz, 4 kA/m, immobilised; "
                  "realisation → defect-free mean of the same size; W/g):", "",
                  "| variant (seed) | barrier/k_BT | SAR ref. → defect | from Ms | from barrier height | "
                  "from landscape shape | dead-layer thickness (nm) | dead layer − actual |", "|---|---|---|---|---|---|---|---|"]
        for key, d in dec.items():
            n, sd = key.split("|")

            def pc(x):
                return f"{x:+.3g} ({100 * x / abs(d['sar_ref']):+.0f} %)"
            lines.append(f"| {n} ({sd}) | {d['barrier_over_kT']:.3g} | {d['sar_ref']:.3g} → {d['sar_defect']:.3g} "
                         f"({100 * (d['sar_defect'] - d['sar_ref']) / d['sar_ref']:+.0f} %) | {pc(d['dMs'])} | "
                         f"{pc(d['dBarrier'])} | {pc(d['dShape'])} | {d['dead_layer_nm']:.3f} | {pc(d['dDeadLayer'])} |")
    if data.get("sar_map", {}).get("values"):
        cells = S16.map_cells(json.loads(S16.OUT.read_text()), more={SIZE: data})
        lines += ["", f"**SAR map cells at {WORDS}** (W/g, mean ± seed error, ×ratio to defect-free of the same size, "
                  "↑/↓ resolved at 2σ):", "", "| variant | A: 100 kHz, 4 kA/m | B: 100 kHz, 15 kA/m | B in water (sweep) | "
                  "C: 300 kHz, 15 kA/m |", "|---|---|---|---|---|"]
        for n in S["main"]:
            row = [n]
            row += [S16.map_cell_text(cells.get((SIZE, n, lab))) for lab in ("A", "B", "B-water", "C")]
            lines.append("| " + " | ".join(row) + " |")
    lines += S16.runs_lines(data["meta"])
    return "\n".join(lines)


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "table"
    if cmd == "db":
        d = extract()
        print(json.dumps({k: v for k, v in d["meta"].items() if k != "task_walltime_s"}, indent=1))
    elif cmd == "decompose":
        S16.decomposition(out=OUT, seeds=tuple(int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "1").split(",")),
                          sizes=(SIZE,))
    elif cmd == "map":
        S16.sar_map(out=OUT, sizes=(SIZE,))
    elif cmd == "plot":
        S16.plot()
    elif cmd == "table":
        print(table())
    else:
        raise SystemExit(__doc__)
