"""Generate notebooks/05_defects_and_heating.ipynb (stored without outputs).

Run from anywhere: ``python notebooks/_make_notebook_05.py``. Same conventions as ``_make_notebooks.py``:
``ATOMSPIN_NB_SIZE`` "ci" (default: 4 nm particles, very short Monte Carlo, numbers not converged) or "full"
(reads the study results written by ``docs/make_defects_heating.py``, the 16 nm summary of
``docs/make_defects_heating_16nm.py`` (``sweep_16nm.json``), and the 12 nm study on today's engine: the
ase.db files of the CLI sweeps of ``structures/recipes/defects_heating_12nm_today.toml`` (+ vacancy order, K_s and
J_BB180 sensitivity), or their committed summary ``docs/figures/defects_heating/sweep_12nm_today.json``). The one
markdown table of full-size numbers is generated from that committed summary when this script runs (it names its
source); every other number is computed by the cells.
"""
import json
from pathlib import Path

import nbformat

from _make_notebooks import FOOTER, HEADER, _nb

HERE = Path(__file__).resolve().parent
TODAY = HERE.parent / "docs" / "figures" / "defects_heating" / "sweep_12nm_today.json"
SIZE16 = HERE.parent / "docs" / "figures" / "defects_heating" / "sweep_16nm.json"


def _pm(v, e):
    return f"{v:.3g} ± {e:.2g}"


def answer_md(path=TODAY):
    """Markdown: the full-size answer at the 12.1 nm demo particle from the committed summary of today's sweeps."""
    if not path.is_file():
        return "*(The full-size summary `docs/figures/defects_heating/sweep_12nm_today.json` is not there yet.)*"
    data = json.loads(path.read_text())
    S = data["summary"]
    n_tasks = sum(m["n_rows"] for m in data["meta"].values())
    lines = ["## The full-size answer at 12.1 nm (stored study, not computed here)", "",
             "From `docs/figures/defects_heating/sweep_12nm_today.json`: the `atomspin demo` particle (Fe3O4 truncated "
             "octahedron, 12.1 nm equivalent sphere, ≈ 39,500 spins), 310 K, every model default, the demo's "
             "landscape protocol, SAR at 100 kHz, 15 kA/m with the model `sar_from_particle` picks; "
             f"{n_tasks} CLI Dask sweep tasks on the engine of 2026-11-29 (docs/validation.md §8c–8e). Mean ± error "
             "over the realisations (the larger of the seed-to-seed standard error and the propagated errors / √n); "
             "ratio to defect-free with its first-order error; *resolved* only beyond 2σ.", "",
             "| variant | n | Ms ratio | barrier/k_BT | SAR immobilised (W/g) | SAR ratio immobilised | SAR ratio in water |",
             "|---|---|---|---|---|---|---|"]

    def cell(r):
        return f"{r['ratio']:.3g} ± {r['err']:.2g} ({r['verdict'].replace(' at 2σ', '')})" if r else "—"

    for name, v in list(S["main"].items()) + list(S.get("vacancy_order", {}).items()):
        rt = v.get("ratio", {})
        b, sa = v["barrier_over_kT"], v["sar_sweep.sar"]
        lines.append(f"| {name} | {v['n']} | {cell(rt.get('Ms_A_per_m')) if rt else '1'} | {_pm(b['mean'], b['err'])} | "
                     f"{_pm(sa['mean'], sa['err'])} | {cell(rt.get('sar_sweep.sar')) if rt else '1'} | "
                     f"{cell(rt.get('sar_sweep_water.sar')) if rt else '1'} |")
    sens = S.get("sensitivity", [])
    if sens:
        lines += ["", "Sensitivity (one uncertain parameter at an end of its documented range, 2 realisations, "
                  "ratio to the defect-free particle of the same parameters):", "",
                  "| variant | parameter | value | SAR ratio immobilised | SAR ratio in water |", "|---|---|---|---|---|"]
        for e in sens:
            lines.append(f"| {e['variant']} | {e['parameter']} | {e['value']:g} | "
                         f"{cell(e['stats']['ratio'].get('sar_sweep.sar'))} | "
                         f"{cell(e['stats']['ratio'].get('sar_sweep_water.sar'))} |")
    for e in data.get("alpha", {}).get("table", []):
        if e["alpha"] == data["alpha"]["alphas"][0]:
            lines += ["", "Damping α (SAR step only, from the stored landscapes):", "",
                      "| α | variant | SAR ratio immobilised |", "|---|---|---|"]
        lines.append(f"| {e['alpha']:g} | {e['variant']} | {e['ratio']:.3g} ± {e['err_seed']:.2g} ({e['verdict']}) |")
    return "\n".join(lines)

def answer16_md(path=SIZE16):
    """Markdown: the 16 nm answer and how each 12 nm verdict carries to 16 nm, from the committed summary of
    the 16 nm sweep (docs/make_defects_heating_16nm.py)."""
    if not path.is_file():
        return "*(The 16 nm summary `docs/figures/defects_heating/sweep_16nm.json` is not there yet.)*"
    data = json.loads(path.read_text())
    S = data["summary"]
    lines = ["## Does the answer hold at 16 nm? (stored study, not computed here)", "",
             "From `docs/figures/defects_heating/sweep_16nm.json`: a Fe3O4 truncated octahedron of 24.4 nm vertex "
             "to vertex = 16.0 nm equivalent sphere (≈ 88,000 spins), the same temperature, protocol and drive as "
             f"at 12.1 nm; {data['meta']['n_rows']} CLI Dask sweep tasks "
             "(`structures/recipes/defects_heating_16nm.toml`, docs/validation.md §8f). Same error rule and verdict "
             "as above; ratios to the defect-free particle *of the same size*.", "",
             "| variant | n (16 nm) | barrier/k_BT at 16 nm | SAR immobilised at 16 nm (W/g) | SAR ratio 12.1 nm | "
             "SAR ratio 16.0 nm | with size | SAR ratio in water 12.1 → 16.0 nm |", "|---|---|---|---|---|---|---|---|"]

    def cell(r):
        return f"{r['ratio']:.3g} ± {r['err']:.2g} ({r['verdict'].replace(' at 2σ', '')})" if r else "—"

    for name, v in S["main"].items():
        b, sa = v["barrier_over_kT"], v["sar_sweep.sar"]
        c = S.get("compare", {}).get(name)
        if c is None:
            lines.append(f"| {name} | {v['n']} | {_pm(b['mean'], b['err'])} | {_pm(sa['mean'], sa['err'])} | 1 | 1 | — | — |")
            continue
        im, wa = c["sar_sweep.sar"], c["sar_sweep_water.sar"]
        lines.append(f"| {name} | {v['n']} | {_pm(b['mean'], b['err'])} | {_pm(sa['mean'], sa['err'])} | "
                     f"{cell(im['r12'])} | {cell(im['r16'])} | {im['trend']} | {cell(wa['r12'])} → {cell(wa['r16'])} |")
    return "\n".join(lines)


INTRO = """# 5 · Defects and heating: which defects raise SAR, which lower it, and why

The question of Lak et al., *Adv. Sci.* **8**, 2002682 (2021) and Lappas et al., *PRX* **9**, 041044 (2019):
for magnetite particles that heat (10–25 nm), do vacancies, antiphase boundaries (APBs), FeO cores, surface
shells and dopants raise or lower the specific absorption rate (SAR), by how much, and why?

The chain used here, for every variant:

1. `structures.build_particle` + a defect builder (`add_vacancies`, `insert_apb`, `core_shell`, `dope`);
2. `SpinModel.from_atoms(p)` with the defaults (dipolar, Néel surface/defect anisotropy, temperature rescaling);
3. `measure.anisotropy_landscape(model, T=310)`: the free-energy landscape F(n̂) of the moment direction,
   its minima, saddles and lowest barrier ΔE with error bars, and Ms(310 K);
4. `sar.particle_from_measurements(landscape=r)` → `sar.sar_from_particle(particle, f=, H0=, medium=)`: the SAR
   model valid for that particle (it says which and why).

The change ΔSAR of each defect is split into the part due to ΔMs, to the barrier height, and to the landscape
shape (number of minima, anisotropy field), by recomputing the SAR with one quantity swapped at a time through
`sar.Particle` — and compared with the dead-layer picture (the same moment on a smaller, fully magnetic core).
Each ratio to the defect-free particle carries its uncertainty and a verdict: *resolved* only when it differs
from 1 by more than twice its error."""

SIZE_MD = ("**Size.** `ATOMSPIN_NB_SIZE=ci` (default) runs 4 nm spheres with very short constrained Monte Carlo "
           "runs so that the notebook executes in about a minute (that is how CI runs it): those particles do "
           "not heat, the landscapes are not converged, and the numbers only show that the pipeline works — "
           "they are **not converged** and are **not** the study's answer. `ATOMSPIN_NB_SIZE=full` reads the "
           "study's stored results: the 8 and 12 nm spheres of `docs/figures/defects_heating/results.json` "
           "(`python docs/make_defects_heating.py`), and the `atomspin demo` particle (a 12.1 nm-equivalent "
           "truncated octahedron, TO) on the engine of 2026-11-29 — defect-free, random vacancies δ = 0.10 and "
           "0.20, a vacancy-rich shell, ordered (P4_332) and gradient vacancies, one and two (110) APBs, an FeO "
           "core, Zn0.2Fe2.8O4, with the K_s, J_BB180 and damping sensitivity — from the CLI Dask sweeps "
           "`atomspin sweep structures/recipes/defects_heating_12nm_today.toml --db "
           "results/defects_heating_12nm_today.db --workers 1` (and `…_vacancy_order`, `…_sens_ks`, "
           "`…_sens_japb`), whose ase.db files this notebook reads when they are there (`ATOMSPIN_DEFECTS_DB`), "
           "else their committed summary `docs/figures/defects_heating/sweep_12nm_today.json`; and the 16.0 nm "
           "TO (24.4 nm vertex to vertex: defect-free, two APBs, FeO core, random δ = 0.10) of "
           "`atomspin sweep structures/recipes/defects_heating_16nm.toml --db results/defects_heating_16nm.db "
           "--workers 1`, summarised in `docs/figures/defects_heating/sweep_16nm.json` "
           "(`python docs/make_defects_heating_16nm.py db`).")

NB5 = [
    ("md", INTRO),
    ("md", SIZE_MD),
    ("md", answer_md()),
    ("md", answer16_md()),
    ("code", HEADER + '''
import json
from pathlib import Path

T_BODY = 310.0  # K (body temperature)
# Drives (f Hz, H0 A/m): A below the Brezovich limit; B 100 kHz, 15 kA/m, the package's clinical default
# (protocol.sar of the batch schema); C just below the Hergt–Dutz limit.
DRIVES = {"A": (1.0e5, 4.0e3), "B": (1.0e5, 15.0e3), "C": (3.0e5, 15.0e3)}
for k, (f, H0) in DRIVES.items():
    print(f"drive {k}: f = {f / 1e3:g} kHz, H0 = {H0 / 1e3:g} kA/m, H·f = {f * H0:.2g} A/(m s) "
          f"(Brezovich {sar.BREZOVICH_LIMIT:.3g}, Hergt–Dutz {sar.HERGT_DUTZ_LIMIT:.3g})")'''),
    ("md", "## 1 · Build the variants and measure their landscapes\n\n"
           "At CI size: 4 nm spheres, one realisation each, a few hundred constrained sweeps per direction. "
           "In full mode this cell is skipped and the stored study is read instead."),
    ("code", '''def build(kind, D, seed):
    p = S.build_particle("Fe3O4", "sphere", diameter_nm=D, seed=seed)
    if kind == "vacancies δ=0.10":
        return S.add_vacancies(p, delta=0.10, removal="random", seed=seed)
    if kind == "one (110) APB":
        return S.insert_apb(p, plane=(1, 1, 0), seed=seed)
    return p


KINDS = ("defect-free", "vacancies δ=0.10", "one (110) APB")
landscapes = {}
if not FULL:
    D_CI, SWEEPS = 4.0, 200
    for kind in KINDS:
        t0 = time.perf_counter()
        model = SpinModel.from_atoms(build(kind, D_CI, 1))
        landscapes[kind] = M.anisotropy_landscape(model, T_BODY, sweeps=SWEEPS, equilibration_sweeps=50,
                                                  thermalisation_sweeps=100, seed=1)
        r = landscapes[kind]
        print(f"{kind:18s} N = {model.n:5d}  Ms = {r.Ms_A_per_m / 1e3:6.1f} ± {r.Ms_err_A_per_m / 1e3:.1f} kA/m  "
              f"ΔE/k_BT = {r.barrier_over_kT:.3f} ± {r.barrier_err_J / (K_B * T_BODY):.3f}  minima: {len(r.minima)}  "
              f"({time.perf_counter() - t0:.0f} s)")'''),
    ("md", "## 2 · SAR, ratio to defect-free, verdict\n\n"
           "Immobilised (Néel only, as inside cells) and in water (Brownian rotation added). Errors of a single "
           "realisation: the landscape's barrier fit error propagated through the relaxation time, and Ms; in "
           "full mode the realisation-to-realisation scatter is included."),
    ("code", '''def raised(surface, c):
    """The same anisotropy surface (J/m³) multiplied by c."""
    from atomspin import macrospin as ms
    t = surface.terms[0]
    return ms.EnergySurface([ms.HarmonicExpansion(t.exponents, c * t.coefficients)])


def sar_with_error(r, f, H0, medium=None):
    """SAR (W/g) of a landscape result with the model sar_from_particle picks, and its error: the barrier's fit
    error propagated (the surface raised by its relative barrier error, same seed) ⊕ 2 δMs/Ms."""
    p = sar.particle_from_measurements(landscape=r)
    rep = sar.sar_from_particle(p, f=f, H0=H0, medium=medium, seed=1)
    rel_b = r.barrier_err_J / r.barrier_J if r.barrier_J > 0 else 0.0
    p_up = sar.Particle(Ms_A_per_m=p.Ms_A_per_m, volume_m3=p.volume_m3, T_K=p.T_K, landscape=raised(r.surface, 1 + rel_b))
    lin = sar.sar_from_particle(p, f=f, H0=H0, medium=medium, model="linear", seed=1).sar_W_per_g
    lin_up = sar.sar_from_particle(p_up, f=f, H0=H0, medium=medium, model="linear", seed=1).sar_W_per_g
    rel = np.hypot((lin_up - lin) / lin, 2 * r.Ms_err_A_per_m / r.Ms_A_per_m)
    return rep.sar_W_per_g, np.hypot(rel * rep.sar_W_per_g, getattr(rep, "sar_err_W_per_g", 0.0) or 0.0), rep.model


def sar_verdict(ratio, err):
    """Words for a ratio to defect-free: at CI size never a claim (the numbers are not converged)."""
    if not FULL:
        return ("beyond" if abs(ratio - 1) > 2 * err else "within") + " 2σ of this short run; CI size: not converged"
    if abs(ratio - 1) > 2 * err:
        return "raises" if ratio > 1 else "lowers"
    return "not resolved at 2σ"


table = []
if not FULL:
    for label in ("A", "B"):
        f, H0 = DRIVES[label]
        for mname, medium in (("immobilised", None), ("water", sar.Medium.water())):
            s0, e0, _ = sar_with_error(landscapes["defect-free"], f, H0, medium)
            for kind in KINDS:
                s, e, model = sar_with_error(landscapes[kind], f, H0, medium)
                ratio = s / s0
                rerr = 0.0 if kind == "defect-free" else ratio * np.hypot(e / s, e0 / s0)
                table.append(dict(drive=label, medium=mname, kind=kind, D_nm=D_CI, n_real=1,
                                  Ms=landscapes[kind].Ms_A_per_m, barrier_over_kT=landscapes[kind].barrier_over_kT,
                                  sar=s, err=e, ratio=ratio, ratio_err=rerr, model=model,
                                  verdict="reference" if kind == "defect-free" else sar_verdict(ratio, rerr)))
else:
    import atomspin
    candidates = [Path(os.environ.get("ATOMSPIN_DEFECTS_RESULTS", "")),
                  Path.cwd().parent / "docs/figures/defects_heating/results.json",
                  Path(atomspin.__file__).resolve().parents[1] / "docs/figures/defects_heating/results.json"]
    path = next(p for p in candidates if p.is_file())
    res = json.loads(path.read_text())
    print("study results:", path)
    for e in res["table"]:
        for key, v in e.items():
            if not key.startswith("sar_"):
                continue
            _, label, mname, *auto = key.split("_")
            table.append(dict(drive=label, medium=mname, kind=e["kind"], D_nm=e["D_nm"], n_real=e["n_real"],
                              Ms=e["Ms_A_per_m"], barrier_over_kT=e["barrier_over_kT"], sar=v["sar"], err=v["err"],
                              ratio=v.get("ratio", 1.0), ratio_err=v.get("ratio_err", 0.0),
                              model="/".join(v["models"]) + (" (picked)" if auto else ""),
                              verdict=v.get("verdict", "reference")))

print(f"{'drive':5s} {'medium':11s} {'variant':20s} {'D nm':>6s} {'n':>2s} {'Ms kA/m':>8s} {'ΔE/kT':>7s} "
      f"{'SAR W/g':>18s} {'ratio':>14s}  model     verdict")
for t in table:
    print(f"{t['drive']:5s} {t['medium']:11s} {t['kind']:20s} {t['D_nm']:6.1f} {t['n_real']:2d} {t['Ms'] / 1e3:8.1f} "
          f"{t['barrier_over_kT']:7.3f} {t['sar']:9.3g} ± {t['err']:<7.2g} {t['ratio']:6.3f} ± {t['ratio_err']:<6.3f} "
          f"{t['model']:9s} {t['verdict']}")
if not FULL:
    print("CI size: 4 nm particles and short runs — these numbers are NOT converged and are not the study's answer.")'''),
    ("md", "## 3 · Why: decomposition of ΔSAR\n\n"
           "Path defect-free → (defect's Ms) → (defect's barrier height on the defect-free landscape shape) → "
           "(the defect's own landscape), exact linear response at drive A, immobilised. The dead-layer column "
           "is the SAR change if the moment lost to the defect were a non-magnetic shell (smaller core at the "
           "defect-free Ms, same total barrier energy) instead of a uniform reduction."),
    ("code", '''def swap_sar(Ms, V, T, surface, f, H0):
    p = sar.Particle(Ms_A_per_m=Ms, volume_m3=V, T_K=T, landscape=surface)
    return sar.sar_from_particle(p, f=f, H0=H0, model="linear").sar_W_per_g


def scaled(surface, c):
    from atomspin import macrospin as ms
    t = surface.terms[0]
    return ms.EnergySurface([ms.HarmonicExpansion(t.exponents, c * t.coefficients)])


decomposition = []
if not FULL:
    f, H0 = DRIVES["A"]
    ref = landscapes["defect-free"]
    V, T = ref.volume_m3, ref.T_K
    s0 = swap_sar(ref.Ms_A_per_m, V, T, ref.surface, f, H0)
    for kind in KINDS[1:]:
        r = landscapes[kind]
        s_ms = swap_sar(r.Ms_A_per_m, V, T, ref.surface, f, H0)
        s_bar = swap_sar(r.Ms_A_per_m, V, T, scaled(ref.surface, r.barrier_J / ref.barrier_J), f, H0)
        s_d = swap_sar(r.Ms_A_per_m, V, T, r.surface, f, H0)
        frac = r.Ms_A_per_m / ref.Ms_A_per_m
        s_dead = swap_sar(ref.Ms_A_per_m, V * frac, T, scaled(r.surface, 1 / frac), f, H0)
        decomposition.append(dict(kind=kind, D_nm=D_CI, sar_ref=s0, dMs=s_ms - s0, dBarrier=s_bar - s_ms,
                                  dShape=s_d - s_bar, dDeadLayer=s_dead - s_d, sar_defect=s_d))
else:
    decomposition = res["decomposition"]
for d in decomposition:
    s0 = d["sar_ref"]
    print(f"{d['kind']:18s} {d['D_nm']:4.0f} nm: ΔSAR/SAR0 = {100 * (d['sar_defect'] / s0 - 1):+8.1f} %  = ΔMs "
          f"{100 * d['dMs'] / s0:+8.1f} % + barrier {100 * d['dBarrier'] / s0:+8.1f} % + shape "
          f"{100 * d['dShape'] / s0:+8.1f} %;  dead-layer picture {100 * d['dDeadLayer'] / s0:+8.1f} %")'''),
    ("md", "## 4 · Figure: ratio to defect-free with error bars"),
    ("code", '''fig, ax = plt.subplots(figsize=(8, 4))
sel = [t for t in table if t["drive"] == "A" and t["verdict"] != "reference"]
labels = sorted({(t["kind"], t["D_nm"]) for t in sel}, key=lambda k: (k[1], k[0]))
for j, (mname, marker) in enumerate((("immobilised", "o"), ("water", "s"))):
    ts = [t for t in sel if t["medium"] == mname]
    x = [labels.index((t["kind"], t["D_nm"])) + 0.15 * (j - 0.5) for t in ts]
    ax.errorbar(x, [t["ratio"] for t in ts], yerr=[t["ratio_err"] for t in ts], fmt=marker, capsize=3,
                label=mname)
ax.axhline(1, color="k", lw=0.8)
ax.set_xticks(range(len(labels)))
ax.set_xticklabels([f"{k} ({D:g} nm)" for k, D in labels], rotation=30, ha="right", fontsize=8)
ax.set_yscale("log")
ax.set_ylabel("SAR / SAR(defect-free, same size)")
ax.set_title(f"Drive A: f = {DRIVES['A'][0] / 1e3:g} kHz, H0 = {DRIVES['A'][1] / 1e3:g} kA/m, 310 K"
             + ("" if FULL else " — CI size, not converged"))
ax.legend()
fig.tight_layout()
plt.show()'''),
    ("md", "## 5 · The 12.1 nm study on the CLI Dask sweep (full mode only)\n\n"
           "`atomspin sweep structures/recipes/defects_heating_12nm_today.toml --db "
           "results/defects_heating_12nm_today.db --workers 1` (and the vacancy-order and sensitivity recipes "
           "`defects_heating_12nm_vacancy_order`, `…_sens_ks`, `…_sens_japb`) store one row per task (variant × "
           "parameter value × seed) in an ase.db: the landscape (barrier, minima, Ms, fit coefficients) and the SAR "
           "at the recipe's drive, immobilised and in water, with the model `sar_from_particle` picked. Read here "
           "from the databases when they are there, else from their committed summary: per group, the mean over "
           "the realisations, its error (the larger of the seed-to-seed standard error and the propagated errors "
           "divided by √n), the ratio to the defect-free particle of the same parameters and the 2σ verdict. Then "
           "the study figures of `docs/validation.md`, section *Defects and heating*."),
    ("code", '''def mean_err(v, e):
    v, e = np.asarray(v, float), np.asarray(e, float)
    sem = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
    return v.mean(), max(sem, np.sqrt(np.sum(e ** 2)) / len(v))


STUDIES = ("today", "vacancy_order", "sens_japb", "sens_ks")
if FULL:
    from IPython.display import Image, display
    root = path.parents[3]
    summary = path.parent / "sweep_12nm_today.json"
    env = os.environ.get("ATOMSPIN_DEFECTS_DB", "")
    dbs = [Path(x) for x in env.split(os.pathsep) if x] or [root / f"results/defects_heating_12nm_{s}.db" for s in STUDIES]
    per = {}  # group label -> [(SAR imm, err, SAR water, err, barrier/kT, Ms, model)]
    if any(db.is_file() for db in dbs):
        import ase.db
        for db in dbs:
            if not db.is_file():
                continue
            print("CLI sweep database:", db)
            for row in ase.db.connect(str(db)).select():
                kv = row.key_value_pairs
                if "SAR_immobilised_W_per_g" not in kv:
                    continue
                m = json.loads(row.data["recipe_json"])["model"]
                tag = ((f" [neel_ks_meV = {m['neel_ks_meV']:g}]" if m.get("surface_anisotropy") == "given" else "")
                       + (f" [J_BB180_meV = {m['J_BB180_meV']:g}]" if m.get("apb_exchange") == "given" else ""))
                per.setdefault(kv["variant"] + tag, []).append(
                    (kv["SAR_immobilised_W_per_g"], kv["SAR_immobilised_W_per_g_err"], kv["SAR_water_W_per_g"],
                     kv["SAR_water_W_per_g_err"], kv["barrier_over_kT"], kv["landscape_Ms_A_per_m"], kv["sar_model"]))
    else:  # the committed summary of the same databases
        sw = json.loads(summary.read_text())
        print(f"databases not here; their summary {summary.name} ({len(sw['rows'])} tasks)")
        for r in sw["rows"]:
            tag = f" [{r['axis_parameter']} = {r['axis_value']:g}]" if r["axis_parameter"] else ""
            per.setdefault(r["recipe_variant"] + tag, []).append(
                (r["sar_sweep"]["sar"], r["sar_sweep"]["err"], r["sar_sweep_water"]["sar"], r["sar_sweep_water"]["err"],
                 r["barrier_over_kT"], r["Ms_A_per_m"], r["sar_sweep"]["model"]))
    for name, xs in per.items():
        tag = name[name.index(" ["):] if " [" in name else ""
        ref_name = "defect-free" + tag if "defect-free" + tag in per else "defect-free"
        line = (f"{name:42s} n = {len(xs)}  Ms = {np.mean([x[5] for x in xs]) / 1e3:6.1f} kA/m  "
                f"ΔE/k_BT = {np.mean([x[4] for x in xs]):6.2f}")
        for j, medium in ((0, "immobilised"), (2, "water")):
            s, e = mean_err([x[j] for x in xs], [x[j + 1] for x in xs])
            line += f"  SAR {medium} = {s:.3g} ± {e:.2g} W/g"
            if name != ref_name and ref_name in per:
                s0, e0 = mean_err([x[j] for x in per[ref_name]], [x[j + 1] for x in per[ref_name]])
                r = s / s0
                re = r * np.hypot(e / s, e0 / s0)
                line += f" (÷ {ref_name}: {r:.3g} ± {re:.2g}, {sar_verdict(r, re)})"
        print(line)
    for name in ("size_ratios", "sar_size_map", "today_ratios", "today_sensitivity", "ms_barrier", "sar_ratio", "sar_measured_map", "decomposition",
                 "sar_defect_size_map", "sar_fH_map", "sensitivity"):
        png = path.parent / f"{name}.png"
        if png.is_file():
            display(Image(filename=str(png)))
else:
    print("CI size: the CLI sweeps and the stored study are read in full mode (ATOMSPIN_NB_SIZE=full).")'''),
    ("code", FOOTER),
]


def main():
    nb = _nb(NB5)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / "05_defects_and_heating.ipynb")
    print("wrote", HERE / "05_defects_and_heating.ipynb")


if __name__ == "__main__":
    main()
