"""Defects and heating above 16 nm (issue #15; docs/validation.md §8g at 19.7 nm, §8h at 25.0 nm): one script for
every size above the 16 nm study, each size one entry of ``STUDIES`` (its recipe, database and sweep invocations).
Per size: the sweep's summary, the comparison of each of its ratios with those of every smaller size, its ΔSAR
decomposition, its cells of the SAR map and a size-trend figure.

    nice -n 5 env NUMBA_NUM_THREADS=1 atomspin sweep structures/recipes/defects_heating_20nm.toml \\
        --db results/defects_heating_20nm.db --workers 1
    python docs/make_defects_heating_20nm.py db         # the database → docs/figures/defects_heating/sweep_20nm.json
    python docs/make_defects_heating_20nm.py decompose  # ΔSAR split (Ms, barrier height, shape, dead layer)
    python docs/make_defects_heating_20nm.py map        # SAR at drives A, B, C from the stored landscapes (no MC)
    python docs/make_defects_heating_20nm.py plot       # size_ratios.png, sar_size_map.png (every size), size_trend_<size>.png
    python docs/make_defects_heating_20nm.py table      # the markdown tables of validation §8g
    python docs/make_defects_heating_20nm.py --size 25nm db|decompose|map|plot|table   # the same at 25.0 nm (§8h)
    python docs/make_defects_heating_20nm.py --size 25nm rescore   # SAR columns recomputed from the json's landscapes
    python docs/make_defects_heating_20nm.py --size 25nm draws [DB [SEEDS]]   # rule vs draws errors of a database
    python docs/make_defects_heating_20nm.py calibration  # the SAR error rule against the defect-free seed spread
    python docs/make_defects_heating_20nm.py --size 25nm alpha [SEEDS]  # SAR at damping α = 0.01, 0.1, 0.3 (no MC)
    python docs/make_defects_heating_20nm.py regime [SEEDS]  # 12.1 and 25.0 nm surface vacancies at each other's
                                                             # reduced drive (SAR step only, no MC; §8h)
    python docs/make_defects_heating_20nm.py swap [SEEDS]    # each size's surface-vacancy change on the other
                                                             # size's reference shape (SAR step only, no MC; §8h)

``decompose`` and ``map`` take the seeds as a further argument (``decompose 1,2``; default 1 and 1,2,3,4). Every
statistic is the 16 nm study's (``docs/make_defects_heating_16nm.py``, imported and called with this size's
database, recipe and summary), whose statistics are in turn those of ``docs/make_defects_heating_today.py``: per
variant the mean over the realisations, error = the larger of the seed standard error and the propagated
per-realisation errors / √n, first-order ratio errors, "resolved" beyond 2σ; the seed-spread-only verdicts next to
them. The sweep's invocations wrote their logs to ``results/<stem>.log`` (``/usr/bin/time -v`` output) and
start/end stamps to ``results/<stem>.start|end`` (each study's ``invocations``). After a change of the SAR model,
``atomspin rescore RECIPE --db DB`` and then ``db``, ``map`` (after deleting the ``sar_map`` entry of the summary),
``table`` and ``plot`` regenerate every SAR number from the database.
"""
import importlib.util
import json
import pathlib
import sys
import textwrap

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


S16 = _load("make_defects_heating_16nm", ROOT / "docs" / "make_defects_heating_16nm.py")
T = S16.T
REFERENCE = S16.REFERENCE
FIG = S16.FIG
#: the variants of the damping sensitivity above 16 nm (``alpha``): every variant run at all four seeds at 25 nm
ALPHA_VARIANTS = ("defect-free", "APB-two", "APB-centre", "FeO-core", "vacancies-random-0.10")
#: damping points not computed, with the reason (validation §8h says so)
ALPHA_SKIP = {"25nm": {"vacancies-random-0.10|2|0.01": "the Fokker–Planck harmonic balance (ωτ above the adiabatic "
                                                        "limit at α = 0.01) needed > 127 harmonics per orientation; "
                                                        "stopped after 10 CPU-min"}}

#: the studies above 16 nm: per size label its recipe and the invocations of the sweep command on its database
#: (``results/defects_heating_<size>.db``), in priority order. Each invocation ran a subset recipe of the recipe
#: (the same particle, protocol and variant definitions, fewer variants/seeds: the same task hashes, as
#: ``atomspin validate`` lists them), so that the CPU budget ran the must-have tasks first; rerunning the recipe
#: itself runs only the rest. The 25 nm stages F1 and F2 (structures/recipes/defects_heating_25nm_stageF1.toml,
#: _stageF2.toml, committed) filled a fresh database after the one of stages A-E was lost: ``db`` merges it into
#: the committed summary (the rows and invocations it lacks are kept as stored). The 19.7 nm stages Z1-Z3 (the
#: variants Zn-0.20 and vacancies-random-0.20 appended to the recipe; _stageZ1.toml to _stageZ3.toml) ran on a fresh
#: database of their own (``db``, default ``defects_heating_<size>.db``), merged the same way into the 16 rows of
#: stages 1-4c, whose database is gone. The 25 nm stages S1-S10 (_stageS1.toml to _stageS10.toml: one seed-3/4 task
#: each), S11-S14 (_stageS11.toml to _stageS14.toml: seeds 1-2 of the variants Zn-0.20 and
#: vacancies-random-0.20 appended to the recipe), S15-S18 (their seeds 3-4) and S19-S26 (seeds 1-4 of the vacancy
#: placements vacancies-gradient-0.10 and vacancies-ordered-0.10 appended after them, gradient first) and S27-S34
#: (seeds 1-4 of the vacancy shell, then of the gradient with the 12.1 nm surface density, appended last) likewise ran
#: on fresh databases, merged in turn by ``db``.
STUDIES = {
    "20nm": dict(recipe="defects_heating_20nm.toml", section="§8g",
                 invocations=(("stage 1: defect-free and APB-two, seed 1", "20nm_stage1"),
                              ("stage 2: defect-free and APB-two, seed 2", "20nm_stage2"),
                              ("stage 3a: FeO-core, seeds 1-2", "20nm_stage3a"),
                              ("stage 3b: vacancies-random-0.10, seeds 1-2", "20nm_stage3b"),
                              ("stage 4a: defect-free seed 3 alone (timing task)", "20nm_stage4a"),
                              ("stage 4b: defect-free seed 4, APB-two seeds 3-4", "20nm_stage4b"),
                              ("stage 4c: FeO-core and vacancies-random-0.10, seeds 3-4", "20nm_stage4c"),
                              ("stage Z1: Zn-0.20 and vacancies-random-0.20, seeds 1-2", "20nm_stageZ1"),
                              ("stage Z2: Zn-0.20 and vacancies-random-0.20, seed 3", "20nm_stageZ2"),
                              ("stage Z3: Zn-0.20 and vacancies-random-0.20, seed 4", "20nm_stageZ3")),
                 db="defects_heating_20nm_z.db"),
    "25nm": dict(recipe="defects_heating_25nm.toml", section="§8h",
                 invocations=(("stage A: timing task (defect-free seed 1 alone)", "25nm_stageA"),
                              ("stage B: defect-free and APB-two, seeds 1-2", "25nm_stageB"),
                              ("stage C: APB-centre, seeds 1-2", "25nm_stageC"),
                              ("stage D: defect-free, seeds 3-4", "25nm_stageD"),
                              ("stage E: APB-two, seeds 3-4", "25nm_stageE"),
                              ("stage F1: FeO-core and vacancies-random-0.10, seed 1", "25nm_stageF1"),
                              ("stage F2: FeO-core and vacancies-random-0.10, seed 2", "25nm_stageF2"),
                              ("stage S1: defect-free, seed 3", "25nm_stageS1"),
                              ("stage S2: defect-free, seed 4", "25nm_stageS2"),
                              ("stage S3: APB-two, seed 3", "25nm_stageS3"),
                              ("stage S4: APB-two, seed 4", "25nm_stageS4"),
                              ("stage S5: FeO-core, seed 3", "25nm_stageS5"),
                              ("stage S6: FeO-core, seed 4", "25nm_stageS6"),
                              ("stage S7: APB-centre, seed 3", "25nm_stageS7"),
                              ("stage S8: APB-centre, seed 4", "25nm_stageS8"),
                              ("stage S9: vacancies-random-0.10, seed 3", "25nm_stageS9"),
                              ("stage S10: vacancies-random-0.10, seed 4", "25nm_stageS10"),
                              ("stage S11: Zn-0.20, seed 1", "25nm_stageS11"),
                              ("stage S12: Zn-0.20, seed 2", "25nm_stageS12"),
                              ("stage S13: vacancies-random-0.20, seed 1", "25nm_stageS13"),
                              ("stage S14: vacancies-random-0.20, seed 2", "25nm_stageS14"),
                              ("stage S15: Zn-0.20, seed 3", "25nm_stageS15"),
                              ("stage S16: Zn-0.20, seed 4", "25nm_stageS16"),
                              ("stage S17: vacancies-random-0.20, seed 3", "25nm_stageS17"),
                              ("stage S18: vacancies-random-0.20, seed 4", "25nm_stageS18"),
                              *((f"stage S{i}: vacancies-{v}-0.10, seed {seed}", f"25nm_stageS{i}")
                                for i, (v, seed) in enumerate([(v, seed) for seed in (1, 2, 3, 4)
                                                               for v in ("gradient", "ordered")], 19)),
                              *((f"stage S{i}: {v}, seed {seed}", f"25nm_stageS{i}")
                                for i, (v, seed) in enumerate([(v, seed)
                                                               for v in ("vacancy-shell-0.10", "vacancies-gradient-0.053")
                                                               for seed in (1, 2, 3, 4)], 27)))),
}
#: size labels in increasing size (the comparison columns of a size's tables are every smaller size)
ORDER = ("12nm", "16nm", "20nm", "25nm")
LABEL = {"Ms_A_per_m": "Ms", "barrier_over_kT": "barrier/k_BT", "sar_sweep.sar": "SAR immobilised",
         "sar_sweep_water.sar": "SAR water"}


class Study:
    """One size's files: ``recipe``, ``db``, ``out`` (the committed summary json), ``words`` (e.g. "25.0 nm")."""

    def __init__(self, size):
        size = size if size.endswith("nm") else f"{size}nm"
        if size not in STUDIES:
            raise ValueError(f"size must be one of {sorted(STUDIES)}, got {size!r}")
        s = STUDIES[size]
        self.size, self.section, self.invocations = size, s["section"], s["invocations"]
        self.recipe = ROOT / "structures" / "recipes" / s["recipe"]
        self.db = ROOT / "results" / s.get("db", f"defects_heating_{size}.db")
        self.out = S16.summary_path(size)
        self.words = S16.SIZE_WORDS[size]


def vertex_size_nm(size="20nm"):
    """Vertex-to-vertex size (nm) of the truncated octahedron of the recipe of ``size``."""
    import tomllib

    return float(tomllib.loads(Study(size).recipe.read_text())["structure"]["diameter_nm"])


def extract(size="20nm"):
    """The database of ``size`` → ``sweep_<size>.json`` (rows, invocations, summary against the smaller sizes)."""
    st = Study(size)
    return S16.extract(out=st.out, db=st.db, recipe=st.recipe, study=st.size, invocations=st.invocations)


def mains(upto):
    """{size: per-variant summary} of every size whose summary exists, up to and including ``upto``."""
    out = {}
    for sz in ORDER[:ORDER.index(upto) + 1]:
        p = S16.summary_path(sz)
        if p.exists():
            out[sz] = json.loads(p.read_text())["summary"]["main"]
    return out


def _short(sz):
    """The size in a trend column's arrow ("12 → 19.7 nm")."""
    return {"12nm": "12", "16nm": "16", "20nm": "19.7", "25nm": "25"}[sz]


def error_calibration(variant=REFERENCE):
    """The SAR error rule against the realisation spread: per size, the ``variant`` rows' SAR (immobilised, water)
    seed standard deviation ÷ the rms of their propagated per-row errors. The realisations of the defect-free
    particle are one particle with different Monte Carlo streams, so their spread measures exactly the statistical
    error the rule estimates (a defect's realisations also differ in where the defect sits). Pooled: √(Σ(n−1)s² /
    Σ(n−1)σ²) with its 95 % interval from χ² over Σ(n−1) degrees of freedom. Markdown table."""
    from scipy.stats import chi2

    lines = ["| size | n | medium | SAR (W/g) | seed s.d. | rms propagated error | s.d. ÷ error |", "|---|---|---|---|---|---|---|"]
    pooled = {}
    for sz in ORDER:
        rows = [r for r in S16.rows_of(sz) if r["recipe_variant"] == variant]
        if len(rows) < 2:
            continue
        for cell, word in (("sar_sweep", "immobilised"), ("sar_sweep_water", "water")):
            v = np.array([r[cell]["sar"] for r in rows if cell in r])
            e = np.array([r[cell]["err"] for r in rows if cell in r])
            sd, rms = float(np.std(v, ddof=1)), float(np.sqrt(np.mean(e ** 2)))
            acc = pooled.setdefault(word, [0.0, 0.0, 0])
            acc[0] += (len(v) - 1) * sd ** 2
            acc[1] += (len(v) - 1) * rms ** 2
            acc[2] += len(v) - 1
            lines.append(f"| {S16.SIZE_WORDS[sz]} | {len(v)} | {word} | {v.mean():.3g} | {sd:.2g} ({sd / v.mean():.1%}) "
                         f"| {rms:.2g} ({rms / v.mean():.1%}) | {sd / rms:.2f} |")
    for word, (ss, ee, dof) in pooled.items():
        r = np.sqrt(ss / ee)
        lo, hi = r * np.sqrt(dof / chi2.ppf(0.975, dof)), r * np.sqrt(dof / chi2.ppf(0.025, dof))
        lines.append(f"| pooled | {dof} dof | {word} | | | | {r:.2f} (95 %: {lo:.2f}–{hi:.2f}) |")
    return "\n".join(lines)


def table(size="20nm"):
    """The markdown tables of the section of ``size`` (§8g at 19.7 nm, §8h at 25.0 nm): per variant, per
    realisation, barrier change and ratios at every size up to this one with the trend from each smaller size,
    the reference particle at every size, the vacancy placements against random vacancies and defect-free (where
    run), the ΔSAR decomposition, the SAR-map cells and the runs."""
    st = Study(size)
    data = json.loads(st.out.read_text())
    S, pm, WORDS = data["summary"], T._pm, st.words
    M = mains(st.size)
    prev = [sz for sz in M if sz != st.size]
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
    per_seed = ["", "**Per realisation** (SAR immobilised / in water, W/g; barrier/k_BT; the SAR model of each row, "
                "as stored: `fokker_planck` Brown's exact Fokker–Planck solution, `master` the master equation over the "
                "minima, `adiabatic`/`lrt` the low-barrier models used until 2026-11-30, `llg` stochastic LLG):", "",
                "| variant | seed | barrier/k_BT | SAR immob. ± propagated | SAR water ± propagated | SAR model immob. / water |",
                "|---|---|---|---|---|---|"]
    for r in data["rows"]:
        si, sw = r.get("sar_sweep") or {}, r.get("sar_sweep_water") or {}
        per_seed.append(f"| {r['recipe_variant']} | {r['seed']} | {pm(r['barrier_over_kT'], r.get('barrier_over_kT_err', float('nan')))} | "
                        f"{pm(si.get('sar', float('nan')), si.get('err', float('nan')))} | "
                        f"{pm(sw.get('sar', float('nan')), sw.get('err', float('nan')))} | "
                        f"{si.get('model', '—')} / {sw.get('model', '—')} |")
    lines += per_seed
    words = [S16.SIZE_WORDS[sz] for sz in M]
    lines += ["", "**Barrier change against defect-free of the same size (k_BT at 310 K; error in quadrature):**", "",
              "| variant | " + " | ".join(words) + " |", "|---" * (len(M) + 1) + "|"]
    for name in S["main"]:
        if name == REFERENCE:
            continue
        lines.append(f"| {name} | " + " | ".join(
            S16._kt_cell(S16.barrier_difference(m[name], m[REFERENCE]) if name in m and REFERENCE in m else None)
            for m in M.values()) + " |")
    arrows = [f"{_short(sz)} → {WORDS}" for sz in prev]
    lines += ["", f"**Ratio to defect-free of the same size at {', '.join(words)}; verdict at 2σ; does the trend hold "
              f"with size? (first the rule's error, then the seed-spread-only error)**", "",
              "| variant ÷ defect-free | quantity | " + " | ".join(words) + " | " + " | ".join(arrows) +
              f" | {WORDS}, seed spread | " + " | ".join(a + ", seed spread" for a in arrows) + " |",
              "|---" * (2 + len(M) + 1 + 2 * len(prev)) + "|"]
    for name in S["main"]:
        if name == REFERENCE:
            continue
        for p in T.RATIO_QUANTITIES:
            r = {sz: (m.get(name) or {}).get("ratio", {}).get(p) for sz, m in M.items()}
            here = r[st.size]
            c = [name, LABEL[p]] + [T._rcell(r[sz]) for sz in M]
            c += [S16._trend(r[sz], here, WORDS) for sz in prev]
            c += [T._rcell(S16.seed_verdict(here))]
            c += [S16._trend(S16.seed_verdict(r[sz]), S16.seed_verdict(here), WORDS) for sz in prev]
            lines.append("| " + " | ".join(c) + " |")
    lines += ["", "| defect-free | " + " | ".join(words) + " |", "|---" * (len(M) + 1) + "|"]
    for p in T.RATIO_QUANTITIES:
        f = (lambda x: pm(x["mean"] / 1e3, x["err"] / 1e3, 5) + " kA/m") if p == "Ms_A_per_m" else \
            (lambda x: pm(x["mean"], x["err"]))
        lines.append(f"| {LABEL[p]} | " + " | ".join(f(m[REFERENCE][p]) if p in m.get(REFERENCE, {}) else "—"
                                                     for m in M.values()) + " |")
    # the vacancy placements, when this study ran them: against every size up to this one that did
    ran = [sz for sz in ORDER[1:ORDER.index(st.size) + 1] if any(n in M.get(sz, {}) for n in S16.PLACEMENTS)]
    placement = S16.placement_table(tuple(ran)) if st.size in ran else ""
    if placement:
        lines += ["", placement]
    shells = shell_table(st.size, data)
    if shells:
        lines += ["", shells]
    regime = field_regime_table(data) if st.size == "25nm" else ""
    if regime:
        lines += ["", regime]
    swap = landscape_swap_table(data) if st.size == "25nm" else ""
    if swap:
        lines += ["", swap]
    dec = data.get("decomposition", {}).get(st.size, {})
    if dec:
        lines += ["", f"**ΔSAR decomposition at {WORDS}** (the SAR model `atomspin.sar` picks: exact Fokker–Planck below "
                  "6 k_BT, master equation above; 100 kHz, 4 kA/m, immobilised; "
                  "realisation → defect-free reference of the same size: its first realisation's landscape at the mean Ms; W/g):", "",
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
        cells = S16.map_cells(json.loads(S16.OUT.read_text()), more={st.size: data})
        lines += ["", f"**SAR map cells at {WORDS}** (W/g, mean ± seed error, ×ratio to defect-free of the same size, "
                  "↑/↓ resolved at 2σ):", "", "| variant | A: 100 kHz, 4 kA/m | B: 100 kHz, 15 kA/m | B in water (sweep) | "
                  "C: 300 kHz, 15 kA/m |", "|---|---|---|---|---|"]
        for n in S["main"]:
            row = [n]
            row += [S16.map_cell_text(cells.get((st.size, n, lab))) for lab in ("A", "B", "B-water", "C")]
            lines.append("| " + " | ".join(row) + " |")
    if data.get("alpha", {}).get("table"):
        a = data["alpha"]
        lines += ["", f"**Damping α at {WORDS}** (SAR step alone from the stored landscapes, seeds "
                  f"{', '.join(str(s) for s in a['seeds'])}, {a['cpu_s_total']:.0f} CPU s; SAR immobilised at 100 kHz, "
                  "15 kA/m; ratio ± seed error):", ""] + T.alpha_rows(a)
        lines += [f"- not computed: {k} ({why})" for k, why in a.get("skipped", {}).items()]
    lines += S16.runs_lines(data["meta"])
    return "\n".join(lines)


#: the surface-vacancy variants of the 25 nm study (appended 2026-12-01), each with the 12.1 nm variant of the same
#: outer-shell density (validation §8h): the 1 nm vacancy shell is the 12.1 nm one (vacant fraction δ/2 = 0.05 of its
#: B sites at every size); the δ = 0.053 gradient has the outer 0.5 nm of the 12.1 nm δ = 0.10 gradient; the δ = 0.10
#: gradient has the 12.1 nm definition but a denser outer shell (tests/test_defects_heating.py measures all three)
SHELL_TWINS = {"vacancy-shell-0.10": "vacancy-shell-0.10", "vacancies-gradient-0.053": "vacancies-gradient-0.10",
               "vacancies-gradient-0.10": "vacancies-gradient-0.10"}
#: the variant each shell variant is also compared with at its own size: the matched gradient with the δ = 0.10 one
SHELL_PAIRS = (("vacancies-gradient-0.053", "vacancies-gradient-0.10"), ("vacancies-gradient-0.053", "vacancies-random-0.10"),
               ("vacancy-shell-0.10", "vacancies-random-0.10"))


#: the exact two-sided permutation p (one owner: make_defects_heating_16nm.permutation_p)
permutation_p = S16.permutation_p


def shell_table(size="25nm", data=None, data12=None):
    """The markdown tables of the surface-vacancy part of a study (validation §8h): per shell variant run at ``size``
    (:data:`SHELL_TWINS`), its barrier change (k_BT) and SAR ratios to the defect-free particle of the same size with
    the rule's error and verdict, the exact permutation p of the realisations against defect-free, and the 12.1 nm
    ratio of its twin (§8c/§8d); then each pair of :data:`SHELL_PAIRS` at ``size`` directly."""
    st = Study(size)
    data = data or json.loads(st.out.read_text())
    m, m12 = data["summary"]["main"], S16.main12_all(data12)
    ran = [n for n in SHELL_TWINS if n in m and n != "vacancies-gradient-0.10"]
    if not ran or REFERENCE not in m:
        return ""
    ref = m[REFERENCE]
    lines = [f"**Surface vacancies at {st.words} and their 12.1 nm twins** (the twin has the same vacancy profile near "
             "the surface, except for the δ = 0.10 gradient: the same definition, a denser outer shell at "
             f"{st.words}; ÷ defect-free of the same size, the rule's error, verdict at 2σ; p: exact permutation p of "
             "the realisations against defect-free, two-sided; 12.1 nm: §8c/§8d, exact model):", "",
             f"| variant (n) | 12.1 nm twin | barrier − defect-free (k_BT), {st.words} | 12.1 nm | "
             f"SAR immob. ÷ defect-free, {st.words} | p | 12.1 nm | SAR water ÷ defect-free, {st.words} | p | 12.1 nm |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name in SHELL_TWINS:
        if name not in m:
            continue
        v, twin = m[name], m12.get(SHELL_TWINS[name])
        c = [f"{name} ({v['n']})", SHELL_TWINS[name],
             S16._kt_cell(S16.barrier_difference(v, ref)),
             S16._kt_cell(S16.barrier_difference(twin, m12[REFERENCE]) if twin else None)]
        for q in ("sar_sweep.sar", "sar_sweep_water.sar"):
            c += [T._rcell(T.ratio_entry(v, ref, q)),
                  f"{permutation_p(v[q]['per_seed'], ref[q]['per_seed']):.2g}" if q in v and q in ref else "—",
                  T._rcell(T.ratio_entry(twin, m12[REFERENCE], q)) if twin else "—"]
        lines.append("| " + " | ".join(c) + " |")
    pairs = [(a, b) for a, b in SHELL_PAIRS if a in m and b in m]
    if pairs:
        lines += ["", f"**At {st.words}, one vacancy variant against another** (ratio, the rule's error; barrier "
                  "difference in k_BT; p: exact permutation p of the realisations):", "",
                  "| variant ÷ variant | Ms | barrier (k_BT difference) | SAR immob. | p | SAR water | p |",
                  "|---|---|---|---|---|---|---|"]
        for a, b in pairs:
            va, vb = m[a], m[b]
            c = [f"{a} ÷ {b}", T._rcell(T.ratio_entry(va, vb, "Ms_A_per_m")),
                 S16._kt_cell(S16.barrier_difference(va, vb))]
            for q in ("sar_sweep.sar", "sar_sweep_water.sar"):
                c += [T._rcell(T.ratio_entry(va, vb, q)), f"{permutation_p(va[q]['per_seed'], vb[q]['per_seed']):.2g}"]
            lines.append("| " + " | ".join(c) + " |")
    return "\n".join(lines)


#: the field-regime probe (validation §8h): the particles of each size driven at the other size's reduced drive
FIELD_REGIME_VARIANTS = {"12nm": ("defect-free", "vacancies-gradient-0.10", "vacancy-shell-0.10"),
                         "25nm": ("defect-free", "vacancies-gradient-0.10", "vacancies-gradient-0.053",
                                  "vacancy-shell-0.10")}


def _write_json(path, data):
    """Write ``data`` to ``path`` atomically (a temporary file, then os.replace): readers never see a partial file."""
    import os

    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=float))
    os.replace(tmp, path)


def regime_scale(small="12nm", large="25nm"):
    """(Ms V)_large / (Ms V)_small of the two sizes' defect-free particles (means over the realisations; Ms at 310 K,
    V the built particle's volume). Brown's Fokker–Planck equation in reduced form depends on the drive only through
    ξ = μ0 Ms V H0 / k_BT and ωτ_D with τ_D = Ms V (1 + α²) / (2 γ α k_BT), γ in rad s⁻¹ T⁻¹, the same α at
    both sizes (Brown, Phys. Rev. 130, 1677 (1963);
    Coffey & Kalmykov, The Langevin Equation, 4th ed., ch. 9), both ∝ Ms V: scaling f and H0 by this number puts the
    small particle at the large one's (ξ, ωτ_D) and the reduced energy landscape βE(n) is the only difference left."""
    mv = {sz: float(np.mean([r["Ms_A_per_m"] * r["V_m3"] for r in S16.rows_of(sz)
                             if r["recipe_variant"] == REFERENCE and r.get("study", "today") in ("today", sz)]))
          for sz in (small, large)}
    return mv[large] / mv[small]


def field_regime(seeds=(1, 2, 3, 4), probes=("25nm|other", "12nm|own")):
    """SAR immobilised of the :data:`FIELD_REGIME_VARIANTS` realisations ``seeds`` at the other size's reduced drive
    (the 25.0 nm particles at 100 kHz / s, 15 kA/m / s; the 12.1 nm ones at 100 kHz × s, 15 kA/m × s; s =
    :func:`regime_scale`) and, for the 12.1 nm ones, at their own drive B (100 kHz, 15 kA/m) with the same call (the
    25.0 nm own-drive values are the SAR map's cell B, the same call); ``sar_from_particle`` as the SAR map
    (S16.MAP_MODEL), no Monte Carlo. ``probes``: which of "25nm|other", "12nm|own", "12nm|other" to compute (the
    last is not in the default: the 12.1 nm particle at ξ ≈ 16 and 735 kHz needs a large Fokker–Planck basis,
    > 4 CPU-min per point before it was stopped). Stored in ``sweep_25nm.json`` under ``field_regime`` after each
    point (resumable)."""
    import time

    from atomspin import sar
    from atomspin.units import K_B

    st = Study("25nm")
    data = json.loads(st.out.read_text())
    mdh = T._mdh()
    s = regime_scale()
    fr = data.setdefault("field_regime", {})
    drives = {"25nm|other": (1.0e5 / s, 15.0e3 / s), "12nm|other": (1.0e5 * s, 15.0e3 * s), "12nm|own": (1.0e5, 15.0e3)}
    new_drives = {k: dict(f_Hz=f, H0_A_per_m=h) for k, (f, h) in drives.items()}
    if fr.get("drives") not in (None, new_drives) or fr.get("scale") not in (None, s):
        fr.clear()  # values of other drives (the rows changed) are not resumed
    fr.update(scale=s, drives=new_drives,
              rule="SAR immobilised, sar_from_particle(model='auto', n_orientations=12, seed=1) of the stored landscape "
                   "(the SAR map's call); 'other': f and H0 of 100 kHz, 15 kA/m scaled by (Ms V)_25 / (Ms V)_12.1 of "
                   "the defect-free means (× for 12.1 nm, ÷ for 25.0 nm), so each size's defect-free particle has "
                   "the other's ξ and ωτ_D; 'own' 100 kHz, 15 kA/m (25.0 nm: the SAR map's cell B); per cell the "
                   "mean over the realisations, error = the seed standard error")
    vals = fr.setdefault("values", {})
    unknown = sorted(set(probes) - set(drives))
    if unknown:
        raise ValueError(f"probes: {unknown} unknown; allowed: {sorted(drives)}")
    for size in dict.fromkeys(pr.split("|")[0] for pr in probes):
        for r in S16.rows_of(size, data16=data if size == "25nm" else None):
            if r["seed"] not in seeds or r["recipe_variant"] not in FIELD_REGIME_VARIANTS[size]:
                continue
            for probe in ("other", "own"):
                if f"{size}|{probe}" not in probes:
                    continue
                key = f"{size}|{r['recipe_variant']}|{r['seed']}|{probe}"
                if key in vals:
                    continue
                f, h = drives[f"{size}|{probe}"]
                t0 = time.process_time()
                rep = sar.sar_from_particle(mdh.particle(r), f=f, H0=h, **S16.MAP_MODEL)
                xi = 4e-7 * np.pi * r["Ms_A_per_m"] * r["V_m3"] * h / (K_B * r["T_K"])
                vals[key] = dict(sar=float(rep.sar_W_per_g), model=rep.model, xi=float(xi),
                                 cpu_s=time.process_time() - t0)
                print(key, vals[key], flush=True)
                _write_json(st.out, data)
    return fr


def field_regime_cells(data=None):
    """{(size, variant, probe): dict(n, per_seed, mean, err, ratio, ratio_err, verdict, p)} of the field-regime probe:
    per cell the mean and seed standard error over the realisations, the ratio to the same size's defect-free cell
    (first-order error of the seed errors, resolved beyond 2σ) and the exact permutation p of the realisations."""
    data = data or json.loads(Study("25nm").out.read_text())
    vals = dict(data.get("field_regime", {}).get("values", {}))
    for k, v in data.get("sar_map", {}).get("values", {}).items():
        size, name, seed, lab = k.split("|")
        if size == "25nm" and lab == "B" and name in FIELD_REGIME_VARIANTS["25nm"]:
            vals[f"25nm|{name}|{seed}|own"] = v
    return _ratio_cells(vals)


def _ratio_cells(vals):
    """Cells of SAR values keyed "size|variant|seed[|probe]": per (size, variant[, probe]) the mean and seed standard
    error over the realisations, and for each variant its ratio to the defect-free cell of the same size (and probe)
    (first-order error of the seed errors, resolved beyond 2σ) with the exact permutation p of the realisations."""
    from atomspin.batch.report import ratio

    per = {}
    for k, v in vals.items():
        size, name, seed, *probe = k.split("|")
        per.setdefault((size, name, *probe), {})[int(seed)] = v["sar"]
    cells = {}
    for key, d in per.items():
        x = np.array([d[s] for s in sorted(d)])
        cells[key] = dict(n=len(x), per_seed=x.tolist(), mean=float(x.mean()),
                          err=float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else float("nan"))
    for (size, name, *probe), c in cells.items():
        ref = cells.get((size, REFERENCE, *probe))
        if name == REFERENCE or not ref or c["n"] < 2 or ref["n"] < 2:
            continue
        r_, e_ = ratio(c["mean"], c["err"], ref["mean"], ref["err"])
        c.update(ratio=float(r_), ratio_err=float(e_), p=permutation_p(c["per_seed"], ref["per_seed"]),
                 verdict=("resolved, " + ("higher" if r_ > 1 else "lower")) if abs(r_ - 1) > 2 * e_ else "not resolved")
    return cells


def field_regime_table(data=None):
    """Markdown of the field-regime probe (validation §8h)."""
    data = data or json.loads(Study("25nm").out.read_text())
    fr = data.get("field_regime")
    if not fr:
        return ""
    cells = field_regime_cells(data)
    d = fr["drives"]

    def cell(size, name, probe):
        c = cells.get((size, name, probe))
        if not c or "ratio" not in c:
            return "—"
        return f"× {c['ratio']:.3g} ± {c['ratio_err']:.2g} ({c['verdict']}; p = {c['p']:.2g}; n = {c['n']})"
    lines = [f"**Field regime: each size's surface-vacancy particles at the other size's reduced drive** (f and H0 "
             f"scaled by (Ms V)_25 / (Ms V)_12.1 = {fr['scale']:.3g}: the 12.1 nm particles at "
             f"{d['12nm|other']['f_Hz'] / 1e3:.0f} kHz, {d['12nm|other']['H0_A_per_m'] / 1e3:.0f} kA/m, the 25.0 nm ones "
             f"at {d['25nm|other']['f_Hz'] / 1e3:.1f} kHz, {d['25nm|other']['H0_A_per_m'] / 1e3:.2f} kA/m, so that each "
             "defect-free particle has the other's ξ and ωτ_D; SAR immobilised ÷ defect-free of the same size at the "
             "same drive, mean ± seed error, p: exact permutation p of the realisations):", "",
             "| variant | 12.1 nm, own drive (100 kHz, 15 kA/m) | 12.1 nm at the 25.0 nm reduced drive | "
             "25.0 nm at the 12.1 nm reduced drive | 25.0 nm, own drive (100 kHz, 15 kA/m) |", "|---|---|---|---|---|"]
    for name in FIELD_REGIME_VARIANTS["25nm"]:
        if name == REFERENCE:
            continue
        lines.append(f"| {name} | {cell('12nm', name, 'own')} | {cell('12nm', name, 'other')} | "
                     f"{cell('25nm', name, 'other')} | {cell('25nm', name, 'own')} |")
    ref = [cells.get((sz, REFERENCE, pr)) for sz, pr in (("12nm", "own"), ("12nm", "other"), ("25nm", "other"),
                                                          ("25nm", "own"))]
    lines.append("| defect-free (W/g) | " + " | ".join(f"{c['mean']:.3g} ± {c['err']:.2g}" if c else "—" for c in ref)
                 + " |")
    xi = {}
    for k, v in fr["values"].items():
        size, name, _, probe = k.split("|")
        if name == REFERENCE:
            xi.setdefault((size, probe), []).append(v["xi"])
    cpu = sum(v["cpu_s"] for v in fr["values"].values())
    lines += ["", "ξ = μ0 Ms V H0 / k_BT of the defect-free particles: " + "; ".join(
        f"{S16.SIZE_WORDS[sz]} {'own drive' if pr == 'own' else 'at the other size’s drive'} {np.mean(x):.3g}"
        for (sz, pr), x in sorted(xi.items())) + f". {len(fr['values'])} SAR calls, {cpu / 60:.1f} CPU-min."]
    return "\n".join(lines)


#: the landscape swap (validation §8h): the surface-vacancy variants whose landscape change is moved onto the other
#: size's reference shape, per size (the δ = 0.10 gradient, the resolved 25 nm raise and the 12.1 nm lowering; the
#: others are left out: each 25 nm variant call costs ≈ 3 CPU-min at drive A, > 7 at drive B)
SWAP_VARIANTS = {"12nm": ("vacancies-gradient-0.10",), "25nm": ("vacancies-gradient-0.10",)}
#: the swap's drive: A (100 kHz, 4 kA/m), the decomposition's (make_defects_heating_16nm.decomposition)
SWAP_DRIVE = (1.0e5, 4.0e3)


def _swap_rows(data):
    """{size: {(variant, seed): row}} of the 12.1 nm (today's and the vacancy-order rows) and 25.0 nm studies."""
    out = {"12nm": {}, "25nm": {}}
    for size in out:
        for r in S16.rows_of(size, data16=data if size == "25nm" else None):
            if r.get("study") in ("today", "vacancy_order", size):
                out[size][(r["recipe_variant"], r["seed"])] = r
    return out


def landscape_swap(seeds=(1, 2, 3, 4), sizes=("25nm",)):
    """SAR immobilised (drive A, 100 kHz, 4 kA/m, :data:`SWAP_DRIVE`, the decomposition's drive; the SAR map's call,
    no Monte Carlo) of each size's
    surface-vacancy change put onto the OTHER size's reference landscape shape. Per seed k, with F the measured
    surface F/V (J/m³) and Δ_k = F(variant_k) − F(defect-free_k) the variant's landscape change at its own size:
    the reference is the other size's defect-free surface F(other defect-free_k) scaled by c so that its barrier
    density is this size's mean defect-free one (c = ⟨ΔE/V⟩_this / ⟨ΔE/V⟩_other over the defect-free rows: the same
    barrier in k_BT, the other shape: the 12.1 nm particle gets the 25 nm bulk cubic ⟨111⟩ shape at 3.2 k_BT, the
    25 nm particle the 12.1 nm termination axis at 1.6 k_BT); the variant is that reference + Δ_k with the variant's
    own Ms; the ratio is SAR(variant) / SAR(reference) at this size's volume, Ms and drive. ``sizes``: the sizes
    whose change is moved; "12nm" is not in the default: the 25 nm cubic shape at 3.2 k_BT has wells too stiff for
    the Fokker–Planck basis (κ ≈ 16 × the barrier), so the SAR call falls back to stochastic LLG, > 3 CPU-min per
    point before it was stopped. Stored in ``sweep_25nm.json`` under ``landscape_swap`` after each point
    (resumable)."""
    import time

    from atomspin import sar

    st = Study("25nm")
    data = json.loads(st.out.read_text())
    mdh = T._mdh()
    rows = _swap_rows(data)
    dens = {sz: float(np.mean([r["barrier_J"] / r["V_m3"] for (v, _), r in rows[sz].items() if v == REFERENCE]))
            for sz in rows}
    sw = data.setdefault("landscape_swap", {})
    drive = dict(f_Hz=SWAP_DRIVE[0], H0_A_per_m=SWAP_DRIVE[1])
    if sw.get("drive") != drive or sw.get("barrier_density_J_per_m3") not in (None, dens):
        sw.clear()  # values of another drive or of other rows are not resumed
    sw.update(barrier_density_J_per_m3=dens, drive=drive,
              rule="per seed k: reference = the other size's defect-free surface F/V of seed k scaled to this size's "
                   "mean defect-free barrier density; variant = reference + (F(variant_k) − F(defect-free_k)) of this "
                   "size, at the variant's Ms; both at this size's volume, 100 kHz, 4 kA/m (drive A), immobilised, "
                   "sar_from_particle(model='auto', n_orientations=12, seed=1); ratio = variant / reference")
    vals = sw.setdefault("values", {})
    unknown = sorted(set(sizes) - set(SWAP_VARIANTS))
    if unknown:
        raise ValueError(f"sizes: {unknown} unknown; allowed: {sorted(SWAP_VARIANTS)}")
    for size in sizes:
        other = next(sz for sz in SWAP_VARIANTS if sz != size)
        c = dens[size] / dens[other]
        for k in seeds:
            d_here, d_other = rows[size][(REFERENCE, k)], rows[other][(REFERENCE, k)]
            ref_surface = mdh.surface_of(d_other, c)
            jobs = [(REFERENCE, d_here, ref_surface)]
            for v in SWAP_VARIANTS[size]:
                g = rows[size][(v, k)]
                jobs.append((v, g, ref_surface + mdh.surface_of(g) + mdh.surface_of(d_here, -1.0)))
            for v, row, surface in jobs:
                key = f"{size}|{v}|{k}"
                if key in vals:
                    continue
                t0 = time.process_time()
                rep = sar.sar_from_particle(mdh.particle(row, surface=surface), f=SWAP_DRIVE[0], H0=SWAP_DRIVE[1],
                                            **S16.MAP_MODEL)
                vals[key] = dict(sar=float(rep.sar_W_per_g), model=rep.model, cpu_s=time.process_time() - t0)
                print(key, vals[key], flush=True)
                _write_json(st.out, data)
    return sw


def landscape_swap_cells(data=None):
    """{(size, variant): dict(n, per_seed, mean, err, ratio, ratio_err, verdict, p)}: the swap's SAR per cell (mean,
    seed standard error), its ratio to the swapped reference of the same size (first-order error, resolved beyond
    2σ) and the exact permutation p of the realisations."""
    data = data or json.loads(Study("25nm").out.read_text())
    return _ratio_cells(data.get("landscape_swap", {}).get("values", {}))


def landscape_swap_table(data=None):
    """Markdown of the landscape swap (validation §8h), next to the same variant's factor on its own reference at the
    same drive (the SAR map's cell A, the same call)."""
    data = data or json.loads(Study("25nm").out.read_text())
    sw = data.get("landscape_swap")
    if not sw:
        return ""
    cells = landscape_swap_cells(data)
    own = S16.map_cells(json.loads(S16.OUT.read_text()), more={"25nm": data})

    def cell(c):
        if not c or "ratio" not in c:
            return "—"
        return f"× {c['ratio']:.3g} ± {c['ratio_err']:.2g} ({c['verdict']}; p = {c['p']:.2g}; n = {c['n']})"
    lines = ["**Landscape swap: the 25 nm surface-vacancy change on the 12.1 nm reference shape** (per seed, the "
             "variant's measured landscape change F(variant) − F(defect-free) added to the 12.1 nm defect-free "
             "landscape (its termination easy axis) scaled to the 25 nm mean defect-free barrier density, at the 25 nm "
             "volume, Ms and drive A, 100 kHz, 4 kA/m, immobilised; ÷ that swapped reference; mean ± seed error, p: "
             "exact permutation p; the pairs share a swapped reference per seed, analysed unpaired, which is "
             "conservative):", "",
             "| variant | on the 12.1 nm reference shape | on its own reference (the 25 nm cubic landscape; SAR map cell A) |",
             "|---|---|---|"]
    for name in SWAP_VARIANTS["25nm"]:
        o = own.get(("25nm", name, "A"))
        oc = (f"× {o['ratio']:.3g} ± {o['ratio_err']:.2g} ({o['verdict'].replace(' at 2σ', '')}; n = {o['n']})"
              if o and "ratio" in o else "—")
        lines.append(f"| {name} | {cell(cells.get(('25nm', name)))} | {oc} |")
    r = cells.get(("25nm", REFERENCE))
    if r:
        o = own.get(("25nm", REFERENCE, "A"))
        lines.append(f"| defect-free / swapped reference (W/g) | {r['mean']:.3g} ± {r['err']:.2g} | "
                     + (f"{o['mean']:.3g} ± {o['err']:.2g} |" if o else "— |"))
    cpu = sum(v["cpu_s"] for v in sw["values"].values())
    lines += ["", f"Barrier densities of the defect-free rows (means): 12.1 nm "
              f"{sw['barrier_density_J_per_m3']['12nm']:.4g} J/m³, 25.0 nm {sw['barrier_density_J_per_m3']['25nm']:.4g} "
              f"J/m³. {len(sw['values'])} SAR calls, {cpu / 60:.1f} CPU-min."]
    return "\n".join(lines)


def plot_size_trend(size="20nm"):
    """``size_trend_<size>.png``: Ms(310 K), barrier/k_BT and SAR (100 kHz, 15 kA/m, immobilised and in water)
    against the equivalent-sphere diameter, every variant measured at ``size``, every size up to it; mean over the
    realisations, error bars 2σ (the rule's error)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from atomspin.units import K_B

    st = Study(size)
    M = mains(st.size)
    names = list(M[st.size])
    D = {sz: float(S16.SIZE_WORDS[sz].split()[0]) for sz in M}
    fig, axes = plt.subplots(1, 3, figsize=(18, 4.8))
    # distinct colours for every variant: the default cycle's ten (tab20's even entries, so the first ten variants
    # keep the colours of the other figures), then tab20's light entries; beyond 20 the cycle repeats
    cmap = plt.get_cmap("tab20")
    for k, name in enumerate(names):
        col = cmap((2 * k if k % 20 < 10 else 2 * (k - 10) + 1) % 20)
        for ax, p, scale, ylab in ((axes[0], "Ms_A_per_m", 1e-3, "Ms at 310 K (kA/m)"),
                                   (axes[1], "barrier_over_kT", 1.0, "lowest escape barrier / k_BT at 310 K"),
                                   (axes[2], "sar_sweep.sar", 1.0, "SAR at 100 kHz, 15 kA/m (W/g of magnetite), log")):
            for q, fill, lab in (((p,), True, ""), (("sar_sweep_water.sar",), False, ", in water") if p.startswith("sar")
                                 else ((), True, "")):
                if not q:
                    continue
                xs, ys, es = [], [], []
                for sz, m in M.items():
                    v = (m.get(name) or {}).get(q[0])
                    xs.append(D[sz] + (0.15 if not fill else 0.0))  # a size not run: NaN, so no line spans it
                    ys.append(v["mean"] * scale if v else np.nan)
                    es.append(2 * v["err"] * scale if v else np.nan)
                if np.all(np.isnan(ys)):
                    continue
                ys, es = np.array(ys), np.array(es)
                lo = np.minimum(es, 0.999 * ys) if p.startswith("sar") else es
                ax.errorbar(xs, ys, yerr=[lo, es], fmt="o-" if fill else "s--", color=col, mfc=col if fill else "none",
                            capsize=3, label=name + (", immobilised" if p.startswith("sar") and fill else lab))
            ax.set_ylabel(ylab)
    # the bulk magnetocrystalline barrier |K1|/12 + |K2|/27 of the model's magnetite (atomspin/model/params/
    # magnetite.toml: K1 = -1.1e4, K2 = -0.28e4 J/m³; minima ⟨111⟩, saddles ⟨110⟩) of a sphere of each diameter
    dd = np.linspace(min(D.values()) - 0.5, max(D.values()) + 0.5, 100)
    axes[1].plot(dd, (1.1e4 / 12 + 0.28e4 / 27) * np.pi / 6 * (dd * 1e-9) ** 3 / (K_B * 310.0), "k:", lw=1.2,
                 label="bulk cubic barrier |K1|/12 + |K2|/27 of magnetite × sphere volume")
    # one legend of the variants (right of the SAR panel, clear of the data); the barrier panel names its bulk line
    h, lab = axes[1].get_legend_handles_labels()
    axes[1].legend([x for x, t in zip(h, lab) if t.startswith("bulk")], [t for t in lab if t.startswith("bulk")],
                   fontsize=8, loc="upper left")
    axes[2].set_yscale("log")
    for ax in axes:
        ax.set_xlabel("equivalent-sphere diameter (nm)")
        ax.set_xticks(list(D.values()))
        ax.grid(alpha=0.3, which="both")
    axes[2].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.02, 0.5))
    counts = {M[st.size][n]["n"] for n in names}
    n_at = (f"every variant n = {counts.pop()}" if len(counts) == 1 else
            "\n".join(textwrap.wrap(", ".join(f"{n} n = {M[st.size][n]['n']}" for n in names), 170)))
    fig.suptitle(f"Magnetite truncated octahedra at 310 K against size ({', '.join(S16.SIZE_WORDS[s] for s in M)}): "
                 f"mean over the realisations, error bars 2σ\n(at {st.words}: {n_at}; SAR: the sweeps' own SAR step)",
                 fontsize=10)
    fig.tight_layout()
    path = FIG / f"size_trend_{st.size}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv):
    size = "20nm"
    if "--size" in argv:
        i = argv.index("--size")
        size = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    st = Study(size)
    cmd = argv[0] if argv else "table"
    if cmd == "db":
        d = extract(st.size)
        print(json.dumps({k: v for k, v in d["meta"].items() if k != "task_walltime_s"}, indent=1))
    elif cmd == "calibration":
        print(error_calibration())
    elif cmd == "draws":  # draws [DB [SEEDS]]: scale-rule vs draws errors of the study database's rows (§8j)
        out = FIG / f"draws_calibration_{st.size}.json"
        T._mdh().draws_errors(argv[1] if len(argv) > 1 else st.db, out=out, recipe=st.recipe, committed=st.out,
                              seeds=tuple(int(s) for s in argv[2].split(",")) if len(argv) > 2 else None)
        print(T._mdh().draws_calibration_table(out, committed=st.out))
    elif cmd == "rescore":
        S16.rescore(out=st.out, recipe=st.recipe, study=st.size)
    elif cmd == "decompose":
        S16.decomposition(out=st.out, seeds=tuple(int(s) for s in (argv[1] if len(argv) > 1 else "1").split(",")),
                          sizes=(st.size,))
    elif cmd == "map":
        S16.sar_map(out=st.out, sizes=(st.size,),
                    seeds=tuple(int(s) for s in (argv[1] if len(argv) > 1 else "1,2,3,4").split(",")))
    elif cmd == "alpha":  # damping: SAR step only, from the stored landscapes (no Monte Carlo)
        T.alpha_sensitivity(out=st.out, variants=ALPHA_VARIANTS, study=st.size, skip=ALPHA_SKIP.get(st.size),
                            seeds=tuple(int(s) for s in (argv[1] if len(argv) > 1 else "1,2,3,4").split(",")))
        print(table(st.size))
    elif cmd == "regime":  # the field-regime probe (25.0 and 12.1 nm surface vacancies; SAR step only, no MC)
        field_regime(seeds=tuple(int(s) for s in (argv[1] if len(argv) > 1 else "1,2,3,4").split(",")))
        print(field_regime_table())
    elif cmd == "swap":  # the landscape swap (12.1 and 25.0 nm surface vacancies; SAR step only, no MC)
        landscape_swap(seeds=tuple(int(s) for s in (argv[1] if len(argv) > 1 else "1,2,3,4").split(",")))
        print(landscape_swap_table())
    elif cmd == "plot":
        S16.plot()
        print(plot_size_trend(st.size))
    elif cmd == "table":
        print(table(st.size))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
