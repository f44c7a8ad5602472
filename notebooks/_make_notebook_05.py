"""Generate notebooks/05_defects_and_heating.ipynb (stored without outputs).

Run from anywhere: ``python notebooks/_make_notebook_05.py``. Same conventions as ``_make_notebooks.py``:
``ATOMSPIN_NB_SIZE`` "ci" (default: 4 nm particles, very short Monte Carlo, numbers not converged) or "full"
(reads the stored 8/12 nm sphere study of ``docs/make_defects_heating.py`` instead of computing). At every size
setting the notebook also reads the full-size CLI Dask sweeps of the study: the 12.1, 16.0 and 19.7 nm truncated
octahedra (``structures/recipes/defects_heating_12nm_today.toml``, ``…_16nm.toml``, ``…_20nm.toml``, with the
12.1 nm vacancy-order and sensitivity sweeps) from their ase.db files under ``results/`` when they are there, else
from their committed summaries ``docs/figures/defects_heating/sweep_12nm_today.json``, ``sweep_16nm.json``,
``sweep_20nm.json``. No result is written into the markdown: every number is printed by a cell from the data, so
that a rescored database (``atomspin rescore``) changes what the notebook shows without regenerating it.
"""
from pathlib import Path

import nbformat

from _make_notebooks import FOOTER, HEADER, _nb

HERE = Path(__file__).resolve().parent

SIZE_STUDY_MD = """## 5 · Does the answer hold with size? 12.1, 16.0, 19.7 nm … (full-size studies, read here, not computed)

This section runs at every size setting: it computes nothing, it reads the **full-size** CLI Dask sweeps of the
study (`docs/validation.md` §8c, §8f, §8g), all at 310 K with every model default, the landscape protocol of
`atomspin demo` and the SAR at the sweeps' drive (printed below), immobilised and in water:

| size (equivalent sphere) | recipe | database (when present) | committed summary (otherwise) |
|---|---|---|---|
| 12.1 nm (18.5 nm TO) | `structures/recipes/defects_heating_12nm_today.toml` | `results/defects_heating_12nm_today.db` | `docs/figures/defects_heating/sweep_12nm_today.json` |
| 16.0 nm (24.4 nm TO) | `structures/recipes/defects_heating_16nm.toml` | `results/defects_heating_16nm.db` | `docs/figures/defects_heating/sweep_16nm.json` |
| 19.7 nm (30.0 nm TO) | `structures/recipes/defects_heating_20nm.toml` | `results/defects_heating_20nm.db` | `docs/figures/defects_heating/sweep_20nm.json` |
| any further size | `structures/recipes/defects_heating_<size>nm.toml` | `results/defects_heating_<size>nm.db` | `docs/figures/defects_heating/sweep_<size>nm.json` |

The databases are not committed (`atomspin sweep RECIPE --db results/….db --workers 1` writes them; set
`ATOMSPIN_RESULTS_DIR` to read them from another folder); a fresh clone reads the committed summaries, which hold
the same rows. Either way the rows go through the same code: per variant and size the mean over the realisations
(`atomspin.batch.quantities.aggregate`: error = the larger of the seed-to-seed standard error and the propagated
per-realisation errors / √n), the ratio to the defect-free particle *of the same size* with its first-order error
(`atomspin.batch.report.ratio`), and its verdict: *higher* or *lower* only when the ratio differs from 1 by more
than twice its error ("resolved" in `docs/validation.md`), else *not resolved at 2σ*. The ratio is also given with
the seed-spread error alone (the second verdict of §8f). The barrier is compared as a difference in k_BT: the
defect-free barrier can be close to zero (it is printed), and a ratio to it then has no useful error. The number
of realisations of each variant is printed, and a size with fewer than three per variant is flagged: a
seed-spread error from so few seeds is itself uncertain.

**SAR model.** Each row carries the SAR of the model `sar_from_particle` picked when the row was written (printed
per variant). For low barriers that model has changed between versions of the package: rows written before
Brown's Fokker–Planck equation became the low-barrier model (`sar.heating.choose_regime`) carry "adiabatic" or
"linear" there, zero-field-τ approximations that overestimate the SAR of low-barrier particles (docs/validation.md
§7 gives by how much). `atomspin rescore RECIPE --db DB` recomputes a database's SAR columns from its stored
landscapes with the installed SAR code, and this cell then prints the rescored numbers
(the committed summaries follow when `python docs/make_defects_heating_<size>.py db` is rerun; the cell says when
a database and its summary differ). The SAR values and ratios here are those *at the SAR model stored in the
data*, never typed into this text."""

SIZE_STUDY_CODE = '''import inspect
import tomllib

import atomspin
from atomspin.batch.quantities import aggregate
from atomspin.batch.report import ratio
from atomspin.structures.shapes import volume_A3

REPO = Path(atomspin.__file__).resolve().parents[1]
RESULTS_DIR = Path(os.environ.get("ATOMSPIN_RESULTS_DIR") or REPO / "results")
SUMMARY_DIR = REPO / "docs" / "figures" / "defects_heating"
# size -> (database, committed summary, the summary's study label of the size series): the 12.1 nm study, then
# every other size that has a database or a summary (16 and 19.7 nm, and any size run later)
SIZE_STUDIES = {"12nm": ("defects_heating_12nm_today.db", "sweep_12nm_today.json", "today")}
found = {p.stem.removeprefix("sweep_") for p in SUMMARY_DIR.glob("sweep_*nm.json")}
found |= {p.stem.removeprefix("defects_heating_") for p in RESULTS_DIR.glob("defects_heating_*nm.db")}
for d in sorted(int(x.removesuffix("nm")) for x in found if x.removesuffix("nm").isdigit() and x != "12nm"):
    SIZE_STUDIES[f"{d}nm"] = (f"defects_heating_{d}nm.db", f"sweep_{d}nm.json", f"{d}nm")
REFERENCE = "defect-free"
KEYS = ("Ms_zero_field_A_per_m", "barrier_over_kT", "SAR_immobilised_W_per_g", "SAR_water_W_per_g")
TRUNCATION = inspect.signature(S.build_particle).parameters["truncation"].default  # the recipes keep the default


def equivalent_diameter_nm(vertex_nm):
    """Equivalent-sphere diameter (nm) of the truncated octahedron of ``vertex_nm`` vertex to vertex."""
    V = volume_A3({"kind": "truncated_octahedron", "vertex_A": 5.0 * vertex_nm, "half_A": 5.0 * TRUNCATION * vertex_nm})
    return float((6.0 * V / np.pi) ** (1.0 / 3.0) / 10.0)


def rows_from_database(db):
    """One dict per task of a sweep database (its key-value pairs), tasks without a SAR left out."""
    from atomspin.batch.report import summary_rows
    from atomspin.batch.store import ResultStore

    return [r for r in summary_rows(ResultStore(str(db), mode="r"))
            if "SAR_immobilised_W_per_g" in r and "barrier_over_kT" in r]


def rows_from_summary(path, study):
    """The same rows from a committed summary, under the database's key names (the 12.1 nm file also holds the
    vacancy-order and sensitivity sweeps: only its main sweep, ``study``, is the size series)."""
    out = []
    for r in json.loads(path.read_text())["rows"]:
        if r["study"] != study:
            continue
        im, wa = r["sar_sweep"], r["sar_sweep_water"]
        out.append({"variant": r["recipe_variant"], "seed": r["seed"], "diameter_nm": r["size_nm"],
                    "shape": r["shape"], "T_K": r["T_K"], "sar_f_Hz": im["f_Hz"], "sar_H0_A_per_m": im["H0_A_per_m"],
                    "sar_model": f"immobilised: {im['model']}; water: {wa['model']}",
                    "Ms_zero_field_A_per_m": r["Ms_A_per_m"], "Ms_zero_field_A_per_m_err": r["Ms_err_A_per_m"],
                    "barrier_over_kT": r["barrier_over_kT"], "barrier_over_kT_err": r["barrier_over_kT_err"],
                    "SAR_immobilised_W_per_g": im["sar"], "SAR_immobilised_W_per_g_err": im["err"],
                    "SAR_water_W_per_g": wa["sar"], "SAR_water_W_per_g_err": wa["err"]})
    return out


def seed_sem(members, key):
    v = np.array([m[key] for m in members], float)
    return float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else float("nan")


def beyond_2sigma(r, e):
    """Verdict of a ratio to defect-free (1 = no change) or of a difference (0 = no change) given as r − 1."""
    if not (np.isfinite(r) and np.isfinite(e)):
        return "no error estimate"
    return ("higher" if r > 0 else "lower") + ", beyond 2σ" if abs(r) > 2 * e else "not resolved at 2σ"


size_series = {}  # size label -> dict(D_nm, vertex_nm, source, variants={name: stats})
for label, (db_name, summary_name, study) in SIZE_STUDIES.items():
    db, summary = RESULTS_DIR / db_name, SUMMARY_DIR / summary_name
    if db.is_file():
        rows, source = rows_from_database(db), f"database {db}"
    elif summary.is_file():
        rows, source = rows_from_summary(summary, study), f"committed summary {summary.relative_to(REPO)}"
    else:
        print(f"{label}: neither {db} nor {summary} is there; size left out")
        continue
    vertex = {float(r["diameter_nm"]) for r in rows}
    assert len(vertex) == 1 and {r["shape"] for r in rows} == {"truncated_octahedron"}, (label, vertex)
    vertex = vertex.pop()
    members = {}
    for r in rows:
        members.setdefault(r["variant"], []).append(r)
    recipe = REPO / "structures" / "recipes" / db_name.replace(".db", ".toml")
    names = ([v["name"] for v in tomllib.loads(recipe.read_text())["sweep"]["variants"]] if recipe.is_file() else [])
    groups = {g["variant"]: g for g in sorted(aggregate(rows, lambda r: r["variant"], KEYS), key=lambda g: (
        g["variant"] != REFERENCE, names.index(g["variant"]) if g["variant"] in names else len(names), g["variant"]))}
    ref = groups[REFERENCE]
    variants = {}
    for name, g in groups.items():
        s = dict(n=g["n_seeds"], models=sorted({m["sar_model"] for m in members[name]}),
                 **{k: (g[k], g[f"{k}_err"], seed_sem(members[name], k)) for k in KEYS})
        if name != REFERENCE:
            for k in ("Ms_zero_field_A_per_m", "SAR_immobilised_W_per_g", "SAR_water_W_per_g"):
                r_, e_ = ratio(g[k], g[f"{k}_err"], ref[k], ref[f"{k}_err"])
                _, e_seed = ratio(g[k], s[k][2], ref[k], seed_sem(members[REFERENCE], k))
                s[f"ratio {k}"] = (r_, e_, e_seed)
            d = g["barrier_over_kT"] - ref["barrier_over_kT"]
            s["barrier difference"] = (d, float(np.hypot(g["barrier_over_kT_err"], ref["barrier_over_kT_err"])))
        variants[name] = s
    if db.is_file() and summary.is_file():  # is the committed summary the same data? (not after a rescore)
        committed = {g["variant"]: g for g in aggregate(rows_from_summary(summary, study), lambda r: r["variant"], KEYS)}
        dev = max(abs(committed[v][k] / groups[v][k] - 1) for v in groups if v in committed
                  for k in ("SAR_immobilised_W_per_g", "SAR_water_W_per_g"))
        same = set(committed) == set(groups) and all(committed[v]["n_seeds"] == groups[v]["n_seeds"] for v in groups)
        print(f"{label}: database against its committed summary {summary.name}: largest SAR difference "
              f"{100 * dev:.2g} %, same variants and seeds: {same}"
              + ("" if dev < 1e-6 and same else " (the summary predates the database's last rescore or resume)"))
    size_series[label] = dict(D_nm=equivalent_diameter_nm(vertex), vertex_nm=vertex, source=source, variants=variants,
                              T_K=rows[0]["T_K"], f_Hz=rows[0]["sar_f_Hz"], H0=rows[0]["sar_H0_A_per_m"])

print("FULL-SIZE STUDIES, read from their data (not computed in this notebook; independent of ATOMSPIN_NB_SIZE)")
print("ratio = ÷ defect-free of the same size, ± error by the study's rule [± seed-spread error alone]; "
      "SAR at the SAR model stored with each row")
for label, st in size_series.items():
    print(f"\\n{st['D_nm']:.1f} nm equivalent sphere ({st['vertex_nm']:g} nm truncated octahedron vertex to vertex), "
          f"{st['T_K']:g} K, f = {st['f_Hz'] / 1e3:g} kHz, H0 = {st['H0'] / 1e3:g} kA/m; {st['source']}")
    n_min = min(v["n"] for v in st["variants"].values())
    if n_min < 3:
        print(f"  (only {n_min} realisations per variant here: a standard error from {n_min} seeds is itself uncertain "
              f"by ≈ {100 / np.sqrt(2 * (n_min - 1)):.0f} %, so these verdicts are indicative, and a change at ≈ 2σ is "
              "not claimed)")
    for name, s in st["variants"].items():
        ms, b, si, sw = (s[k] for k in KEYS)
        print(f"  {name:22s} n = {s['n']}  Ms = {ms[0] / 1e3:6.1f} ± {ms[1] / 1e3:.2f} kA/m  "
              f"barrier/k_BT = {b[0]:6.2f} ± {b[1]:.2f}  SAR immobilised = {si[0]:.3g} ± {si[1]:.2g} W/g  "
              f"in water = {sw[0]:.3g} ± {sw[1]:.2g} W/g  [{'; '.join(s['models'])}]")
        if name == REFERENCE:
            continue
        d, de = s["barrier difference"]
        print(f"  {'':22s} Δbarrier = {d:+.2f} ± {de:.2f} k_BT ({beyond_2sigma(d, de)})")
        for k, words in (("Ms_zero_field_A_per_m", "Ms"), ("SAR_immobilised_W_per_g", "SAR immobilised"),
                         ("SAR_water_W_per_g", "SAR in water")):
            r_, e_, es = s[f"ratio {k}"]
            print(f"  {'':22s} {words:15s} ÷ defect-free = {r_:.3g} ± {e_:.2g} ({beyond_2sigma(r_ - 1, e_)}) "
                  f"[± {es:.2g}: {beyond_2sigma(r_ - 1, es)}]")'''

SIZE_FIG_CODE = '''VARIANT_STYLE = {"APB-two": ("C3", "s", "two (110) APBs"), "APB-centre": ("C1", "D", "one (110) APB through the centre"),
                 "FeO-core": ("C2", "^", "FeO core"), "vacancies-random-0.10": ("C0", "o", "random vacancies, δ = 0.10"),
                 "vacancies-random-0.20": ("C9", "v", "random vacancies, δ = 0.20"),
                 "vacancy-shell-0.10": ("C4", "P", "vacancy-rich shell, δ = 0.10"), "Zn-0.20": ("C5", "X", "Zn0.2Fe2.8O4"),
                 REFERENCE: ("k", "*", "defect-free")}
# the variants measured at more than one size (the others are single points at 12.1 nm, in the printed table)
names_all = list(dict.fromkeys(v for st in size_series.values() for v in st["variants"]))
series_variants = [v for v in names_all if sum(v in st["variants"] for st in size_series.values()) > 1]
fig, axes = plt.subplots(2, 2, figsize=(11, 8), sharex=True)
panels = ((axes[0, 0], "barrier_over_kT", "lowest escape barrier ÷ k_BT at 310 K", False),
          (axes[0, 1], "ratio Ms_zero_field_A_per_m", "Ms ÷ Ms of the defect-free particle\\n(same size, 310 K)", False),
          (axes[1, 0], "ratio SAR_immobilised_W_per_g", "SAR immobilised ÷ SAR of the defect-free\\nparticle (same size)", True),
          (axes[1, 1], "ratio SAR_water_W_per_g", "SAR in water ÷ SAR of the defect-free\\nparticle (same size)", True))
for j, v in enumerate(series_variants):
    color, marker, words = VARIANT_STYLE.get(v, (f"C{6 + j % 4}", "x", v))
    for ax, key, ylabel, logy in panels:
        pts = [(st["D_nm"], *st["variants"][v][key][:2]) for st in size_series.values()
               if v in st["variants"] and key in st["variants"][v]]
        if not pts:
            continue
        D, y, e = map(np.array, zip(*pts))
        x = D + 0.12 * (j - (len(series_variants) - 1) / 2)  # side by side, not on top of each other
        lo = np.minimum(e, 0.999 * y) if logy else e  # a log axis cannot show a bar below zero: clipped there
        ax.errorbar(x, y, yerr=[lo, e], color=color, marker=marker, capsize=3, lw=1, label=words)
for ax, key, ylabel, logy in panels:
    if key.startswith("ratio"):
        ax.axhline(1.0, color="k", lw=0.8, ls=":")
    if logy:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
for ax in axes[1]:
    ax.set_xlabel("equivalent-sphere diameter of the truncated octahedron (nm)")
axes[0, 0].legend(fontsize=8)
st0 = next(iter(size_series.values()))
fig.suptitle(f"Full-size CLI sweeps (stored study, not computed here): Fe3O4 truncated octahedra, {st0['T_K']:g} K; "
             f"SAR at f = {st0['f_Hz'] / 1e3:g} kHz, H0 = {st0['H0'] / 1e3:g} kA/m with the SAR model stored in the data\\n"
             "error bars: ± 1 standard error by the study's rule (on the log axes a bar reaching below zero is cut); "
             "points of one size are set side by side", fontsize=9)
fig.tight_layout()
plt.show()'''


INTRO = """# 5 · Defects and heating: which defects raise SAR, which lower it, and why

The question of Lak et al., *Adv. Sci.* **8**, 2002682 (2021) and Lappas et al., *PRX* **9**, 041044 (2019):
for magnetite particles that heat (10–25 nm), do vacancies, antiphase boundaries (APBs), FeO cores, surface
shells and dopants raise or lower the specific absorption rate (SAR), by how much, and why? The full-size study
answers it at 12.1, 16.0 and 19.7 nm (sections 5 and 6).

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

SIZE_MD = ("**Which numbers are which.** Sections 1–4 *compute*: with `ATOMSPIN_NB_SIZE=ci` (the default, how CI "
           "runs this notebook) they build 4 nm spheres and run very short constrained Monte Carlo, so that the "
           "notebook executes in about a minute. Those particles do not heat, the landscapes are not converged, and "
           "the numbers only show that the pipeline works: they are **not converged** and are **not** the study's "
           "answer (their verdicts say so). With `ATOMSPIN_NB_SIZE=full` sections 1–4 read the stored 8 and 12 nm "
           "sphere study instead (`docs/figures/defects_heating/results.json`, `python docs/make_defects_heating.py`). "
           "Sections 5 and 6 *read* the full-size study at every size setting and compute nothing: the CLI Dask "
           "sweeps of Fe3O4 truncated octahedra of 12.1, 16.0 and 19.7 nm equivalent-sphere diameter "
           "(`atomspin sweep structures/recipes/defects_heating_12nm_today.toml --db "
           "results/defects_heating_12nm_today.db --workers 1`, and `…_16nm.toml`, `…_20nm.toml`, with the 12.1 nm "
           "vacancy-order and sensitivity sweeps), from their ase.db files under `results/` when they are there "
           "(`ATOMSPIN_RESULTS_DIR` points elsewhere), else from their committed summaries in "
           "`docs/figures/defects_heating/` (`sweep_12nm_today.json`, `sweep_16nm.json`, `sweep_20nm.json`), so that a "
           "fresh clone without `results/` runs it too. Those numbers are the converged, full-size ones, with the "
           "error bars and verdicts of `docs/validation.md` §8c–8g. No number is written into this text: every one "
           "is printed from the data.")

NB5 = [
    ("md", INTRO),
    ("md", SIZE_MD),
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
    ("md", SIZE_STUDY_MD),
    ("code", SIZE_STUDY_CODE),
    ("code", SIZE_FIG_CODE),
    ("md", "## 6 · The 12.1 nm study in detail: vacancy order and sensitivity (full-size, read here)\n\n"
           "`atomspin sweep structures/recipes/defects_heating_12nm_today.toml --db "
           "results/defects_heating_12nm_today.db --workers 1` and the vacancy-order and sensitivity recipes "
           "(`defects_heating_12nm_vacancy_order`, `…_sens_ks`, `…_sens_japb`, `…_sens_interface`: one uncertain "
           "parameter at an end of its documented range) store one row per task (variant × parameter value × seed) "
           "in an ase.db: the landscape (barrier, minima, Ms, fit coefficients) and the SAR at the recipe's drive, "
           "immobilised and in water, with the model `sar_from_particle` picked. Read here, at every size setting, "
           "from each database that is there (or from the databases `ATOMSPIN_DEFECTS_DB` names, separated by "
           "`os.pathsep`), else from the committed summary of the same sweeps "
           "(`docs/figures/defects_heating/sweep_12nm_today.json`): per group the mean over the realisations and "
           "its error by the rule of section 5, the ratio to the defect-free particle of the same parameters (of "
           "the default parameters where the sweep has no defect-free group) and the 2σ verdict; then the damping "
           "sensitivity (SAR step only, recomputed from the stored landscapes by "
           "`docs/make_defects_heating_today.py alpha`, so only in the summary). In full mode the study figures of "
           "`docs/validation.md`, section *Defects and heating*, follow."),
    ("code", '''def recipe_axis(m):
    """(parameter, value) of a sensitivity task from its resolved recipe's model section, (None, None) at the
    defaults (the one parameter a sensitivity recipe moves off its default)."""
    from atomspin.batch.schema import field_at

    if m.get("surface_anisotropy") == "given":
        return "neel_ks_meV", float(m["neel_ks_meV"])
    if m.get("apb_exchange") == "given":
        return "J_BB180_meV", float(m["J_BB180_meV"])
    if m.get("interface_exchange") == "given":
        for key in ("J_RB180_meV", "J_RB_meV", "J_RA_meV"):
            if float(m[key]) != float(field_at(f"model.{key}").default):
                return key, float(m[key])
    return None, None


STUDIES_12 = ("today", "vacancy_order", "sens_japb", "sens_ks", "sens_interface")
summary12 = SUMMARY_DIR / "sweep_12nm_today.json"
sw12 = json.loads(summary12.read_text()) if summary12.is_file() else {"rows": []}
per = {}  # group label -> list of row dicts in the database's key names
# ATOMSPIN_DEFECTS_DB (databases separated by os.pathsep) replaces the 12.1 nm databases by any sweep databases
named = [Path(x) for x in os.environ.get("ATOMSPIN_DEFECTS_DB", "").split(os.pathsep) if x]
sources = ([(db.stem, db) for db in named] if named else
           [(study, RESULTS_DIR / f"defects_heating_12nm_{study}.db") for study in STUDIES_12])
for study, db in sources:
    if named and not db.is_file():
        print(f"ATOMSPIN_DEFECTS_DB: {db} is not there")
    elif db.is_file():
        import ase.db
        n = 0
        for row in ase.db.connect(str(db)).select():
            kv = row.key_value_pairs
            if "SAR_immobilised_W_per_g" not in kv:
                continue
            par, val = recipe_axis(json.loads(row.data["recipe_json"])["model"])
            tag = f" [{par} = {val:g}]" if par else ""
            per.setdefault(kv["variant"] + tag, []).append(
                dict(kv, Ms_zero_field_A_per_m=kv["landscape_Ms_A_per_m"],
                     Ms_zero_field_A_per_m_err=kv["landscape_Ms_err_A_per_m"]))
            n += 1
        print(f"{study}: {n} tasks from database {db}")
    else:
        rows = [r for r in rows_from_summary(summary12, study)] if summary12.is_file() else []
        for r, raw in zip(rows, [x for x in sw12["rows"] if x["study"] == study]):
            tag = f" [{raw['axis_parameter']} = {raw['axis_value']:g}]" if raw["axis_parameter"] else ""
            per.setdefault(r["variant"] + tag, []).append(r)
        print(f"{study}: {len(rows)} tasks from the committed summary {summary12.name} (database not here)")
groups12 = {name: aggregate(per[name], lambda r: 0, KEYS)[0]  # the defaults first, the reference first
            for name in sorted(per, key=lambda n: (" [" in n, n.split(" [")[0] != REFERENCE, n))}
for name, g in groups12.items():
    tag = name[name.index(" ["):] if " [" in name else ""
    ref_name = REFERENCE + tag if REFERENCE + tag in groups12 else REFERENCE
    line = (f"{name:40s} n = {g['n_seeds']}  Ms = {g['Ms_zero_field_A_per_m'] / 1e3:6.1f} kA/m  "
            f"barrier/k_BT = {g['barrier_over_kT']:6.2f} ± {g['barrier_over_kT_err']:.2f}")
    for k, medium in (("SAR_immobilised_W_per_g", "immobilised"), ("SAR_water_W_per_g", "in water")):
        line += f"  SAR {medium} = {g[k]:.3g} ± {g[k + '_err']:.2g} W/g"
        if name != ref_name and ref_name in groups12:
            r_, e_ = ratio(g[k], g[k + "_err"], groups12[ref_name][k], groups12[ref_name][k + "_err"])
            line += f" (÷ {ref_name}: {r_:.3g} ± {e_:.2g}, {beyond_2sigma(r_ - 1, e_)})"
    print(line)
alpha = json.loads(summary12.read_text()).get("alpha", {}) if summary12.is_file() else {}
if alpha:
    print(f"\\ndamping α of the SAR step at 12.1 nm (committed summary: stored landscapes, seeds {alpha['seeds']}; SAR immobilised ÷ defect-free at the "
          "same α, ± seed-spread error):")
    for e in alpha["table"]:
        print(f"  α = {e['alpha']:<5g} {e['variant']:24s} {e['ratio']:.3g} ± {e['err_seed']:.2g} "
              f"({beyond_2sigma(e['ratio'] - 1, e['err_seed'])})")
if FULL:
    from IPython.display import Image, display
    for name in ("size_ratios", "sar_size_map", "today_ratios", "today_sensitivity", "ms_barrier", "sar_ratio",
                 "sar_measured_map", "decomposition", "sar_defect_size_map", "sar_fH_map", "sensitivity"):
        png = SUMMARY_DIR / f"{name}.png"
        if png.is_file():
            display(Image(filename=str(png)))'''),
    ("code", FOOTER),
]


def main():
    nb = _nb(NB5)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / "05_defects_and_heating.ipynb")
    print("wrote", HERE / "05_defects_and_heating.ipynb")


if __name__ == "__main__":
    main()
