"""Defect series of docs/validation.md §3b (issue 13): table, error calibration and figure.

8 nm magnetite spheres (the default model of §3b: dipolar + Néel on, averaged B valence, Evans rescaling; 300 K)
with random B-site vacancies, one or two (110) antiphase boundaries or a 4 nm FeO core, several realisations each
(``python docs/landscape_study.py defects KIND SEED`` → ``figures/landscape/defects.json``).

Per realisation: the reversal barrier of the measured landscape and its parts (``landscape_plots.parts_with_errors``,
the definitions of the size series: magnetocrystalline = degree ≥ 4 part, shape = + the rigid point-dipole term
n̂ᵀDn̂·m² of the particle's own dipolar object, surface = the rest of the degree-2 part, which for a defected
particle also holds the Néel terms of the defect sites), the lowest escape barrier and Ms, each with its fit error.
Per kind: the mean over realisations with error = max(s.e.m. over realisations, rms fit error / √n) (the fit
errors are too small at these n_eff: ``error_calibration``); the ratio to the defect-free particle
(``atomspin.batch.report.ratio``, first order) and the verdict "raises / lowers" when |ratio − 1| > 2σ, else
"not resolved at 2σ" (the rule of §8). The FeO-core model has rock-salt sites, so it runs without temperature
rescaling (one mapping per model); its reference is the defect-free particle with classical statistics.
"""
import numpy as np

from landscape_plots import _fig, _rows, parts_with_errors, shape_Q_of

# kind → (label, reference kind, description)
KINDS = {
    "perfect": ("defect-free", None, "no defect (realisations differ in the Monte Carlo stream only)"),
    "vac05r": ("δ = 0.05", "perfect", "random B-site vacancies, δ = 0.05 (Fe3−δO4; today's default removal)"),
    "vac10r": ("δ = 0.10", "perfect", "random B-site vacancies, δ = 0.10"),
    "vac20r": ("δ = 0.20", "perfect", "random B-site vacancies, δ = 0.20"),
    "apb1": ("1 APB", "perfect", "one (110) APB within ±5 Å of the centre"),
    "apb2": ("2 APBs", "perfect", "two (110) APBs at ±(12 ± 3) Å from the centre"),
    "perfect_classical": ("defect-free,\nclassical", None, "no defect, classical statistics (no rescaling)"),
    "feo": ("FeO core\n(classical)", "perfect_classical", "4 nm FeO core, cube-on-cube (classical statistics)"),
    "vac05": ("δ = 0.05\nFe²⁺ first", "perfect", "vacancies on the Verwey-ordered Fe²⁺ sites first, δ = 0.05"),
    "vac10": ("δ = 0.10\nFe²⁺ first", "perfect", "vacancies on the Verwey-ordered Fe²⁺ sites first, δ = 0.10"),
    "vac20": ("δ = 0.20\nFe²⁺ first", "perfect", "vacancies on the Verwey-ordered Fe²⁺ sites first, δ = 0.20"),
}
QUANTITIES = ("total", "escape", "mc", "shape_part", "surface", "Ms")


def today(r):
    """Whether a landscape row was measured with today's engine (window-averaged frozen dipolar field)."""
    return "refresh_windows_min" in r


def row_quantities(r, out):
    """{quantity: (value, fit error)} of one realisation: reversal barrier (total) and its parts, lowest escape
    barrier (J/m³), Ms (A/m)."""
    pw = parts_with_errors(r, shape_Q_of(r, out))
    q = {k: (pw[k], pw[k + "_err"]) for k in ("total", "mc", "shape_part", "surface") if k in pw}
    q["escape"] = (r["barrier_J_per_m3"], r["barrier_err_J_per_m3"])
    q["Ms"] = (r["Ms_A_per_m"], r.get("Ms_err_A_per_m", np.nan))
    return q


def combine(values, errors):
    """(mean, error, s.e.m. over realisations, rms fit error / √n): error = the larger of the two (nan-safe)."""
    v, e = np.asarray(values, float), np.asarray(errors, float)
    n = len(v)
    sem = float(np.std(v, ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    fit = float(np.sqrt(np.mean(e ** 2)) / np.sqrt(n)) if n else float("nan")
    return float(np.mean(v)), float(np.nanmax([sem, fit])), sem, fit


def verdict(r, err, what=("raises", "lowers")):
    """'raises' / 'lowers' when |r − 1| > 2σ, else 'not resolved'."""
    if not (np.isfinite(r) and np.isfinite(err)):
        return "no verdict"
    if abs(r - 1.0) > 2.0 * err:
        return what[0] if r > 1 else what[1]
    return "not resolved"


def defect_table(out):
    """One dict per kind with rows of today's engine: n, per quantity mean/err/sem/fit, ratio (± err) and verdict of
    the reversal barrier, the escape barrier and Ms against the kind's reference, the part differences (J/m³),
    minima counts and the realisations' values."""
    from atomspin.batch.report import ratio

    rows = [r for r in _rows(out, "defects") if today(r)]
    table = {}
    for kind in KINDS:
        v = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["seed"])
        if not v:
            continue
        per = [row_quantities(r, out) for r in v]
        t = dict(kind=kind, n=len(v), seeds=[r["seed"] for r in v], n_minima=[r["n_minima"] for r in v],
                 n_spins=float(np.mean([r["n_spins"] for r in v])), cpu_s=[r.get("cpu_s") for r in v],
                 wall_s=[r.get("wall_s") for r in v], n_eff_min=[r.get("n_eff_min") for r in v],
                 chi2=[r.get("chi2_per_dof") for r in v], neel_sites=float(np.mean([r["neel_sites"] for r in v])))
        for q in QUANTITIES:
            vals = [p[q][0] for p in per]
            errs = [p[q][1] for p in per]
            mean, err, sem, fit = combine(vals, errs)
            t[q] = dict(mean=mean, err=err, sem=sem, fit=fit, values=vals, fit_errors=errs)
        table[kind] = t
    for kind, t in table.items():
        ref = table.get(KINDS[kind][1])
        t["reference"] = KINDS[kind][1] if ref is not None else None
        if ref is None:
            continue
        for q in ("total", "escape", "Ms"):
            r, e = ratio(t[q]["mean"], t[q]["err"], ref[q]["mean"], ref[q]["err"])
            t[q].update(ratio=r, ratio_err=e, verdict=verdict(r, e))
        for q in ("mc", "shape_part", "surface"):
            t[q].update(diff=t[q]["mean"] - ref[q]["mean"], diff_err=float(np.hypot(t[q]["err"], ref[q]["err"])))
    return [table[k] for k in KINDS if k in table]


def error_calibration(out, kinds=("perfect", "perfect_classical")):
    """How far the fit errors of one landscape are from the spread over Monte Carlo seeds: per quantity, the pooled
    seed s.d. over the given kinds (same particle, different streams) against the rms fit error of the rows, the
    ratio s.d./fit and its 95 % interval (χ² with the pooled degrees of freedom). Also, per kind of the whole
    table, the same ratio with the realisation (structural) spread included."""
    from scipy.stats import chi2

    rows = [r for r in _rows(out, "defects") if today(r)]
    res = {}
    for q in ("total", "escape", "mc", "shape_part", "surface"):
        ss, dof, fe = 0.0, 0, []
        for k in kinds:
            v = [row_quantities(r, out)[q] for r in rows if r["kind"] == k]
            if len(v) < 2:
                continue
            x = np.array([a for a, _ in v])
            ss += float(np.sum((x - x.mean()) ** 2))
            dof += len(x) - 1
            fe += [b for _, b in v]
        if dof == 0:
            continue
        sd, rms = np.sqrt(ss / dof), float(np.sqrt(np.mean(np.square(fe))))
        lo, hi = sd * np.sqrt(dof / chi2.ppf(0.975, dof)), sd * np.sqrt(dof / chi2.ppf(0.025, dof))
        res[q] = dict(sd=float(sd), fit=rms, ratio=float(sd / rms), ratio_lo=float(lo / rms),
                      ratio_hi=float(hi / rms), dof=dof)
    per_kind = {}
    for t in defect_table(out):
        if t["n"] > 1:
            per_kind[t["kind"]] = {q: float(np.std(t[q]["values"], ddof=1) / np.sqrt(np.mean(np.square(
                t[q]["fit_errors"])))) for q in ("total", "escape", "mc", "shape_part", "surface")}
    return dict(pooled=res, kinds=list(kinds), per_kind=per_kind)


def _cell(d, key="mean", scale=1.0, fmt=".0f", sign=False):
    m, e = d[key] * scale, d["err" if key == "mean" else key + "_err"] * scale
    return f"{m:{'+' if sign else ''}{fmt}} ± {e:{fmt}}"


def _ratio_cell(d):
    if "ratio" not in d:
        return "1 (reference)"
    return f"{d['ratio']:.2f} ± {d['ratio_err']:.2f} {d['verdict']}"


def summary_defects(out):
    """Markdown lines: the defect table, the part differences and the error calibration (docs/validation.md §3b)."""
    table = defect_table(out)
    if not table:
        return []
    lines = ["", "| 8 nm sphere | realisations | reversal barrier/V (J/m³) | ÷ reference | lowest escape (J/m³) | "
             "÷ reference | minima | magnetocrystalline | shape part | surface + defect part | Ms (kA/m) | "
             "÷ reference | CPU s per realisation |", "|" + "---|" * 13]
    for t in table:
        cpu = [c for c in t["cpu_s"] if c is not None]
        cpu = f"{np.mean(cpu):.0f}" if cpu else "–"
        lines.append(
            f"| {KINDS[t['kind']][0].replace(chr(10), ' ')} | {t['n']} | {_cell(t['total'])} | {_ratio_cell(t['total'])} | "
            f"{_cell(t['escape'])} | {_ratio_cell(t['escape'])} | {'/'.join(str(x) for x in t['n_minima'])} | "
            f"{_cell(t['mc'])} | {_cell(t['shape_part'], sign=True)} | {_cell(t['surface'], sign=True)} | "
            f"{_cell(t['Ms'], scale=1e-3, fmt='.1f')} | "
            f"{_ratio_cell(t['Ms']) if 'ratio' in t['Ms'] else '1 (reference)'} | "
            f"{cpu} |")
    lines += ["", "| 8 nm sphere | reference | Δ magnetocrystalline (J/m³) | Δ shape part | Δ surface + defect part | "
              "Δ total |", "|---|---|---|---|---|---|"]
    for t in table:
        if t["reference"] is None:
            continue
        d = {q: t[q] for q in ("mc", "shape_part", "surface")}
        ref = next(x for x in table if x["kind"] == t["reference"])
        dt = t["total"]["mean"] - ref["total"]["mean"]
        dte = float(np.hypot(t["total"]["err"], ref["total"]["err"]))
        lines.append(f"| {KINDS[t['kind']][0].replace(chr(10), ' ')} | {KINDS[t['reference']][0].replace(chr(10), ' ')} | "
                     + " | ".join(f"{d[q]['diff']:+.0f} ± {d[q]['diff_err']:.0f}" for q in d)
                     + f" | {dt:+.0f} ± {dte:.0f} |")
    cal = error_calibration(out)
    if cal["pooled"]:
        lines += ["", "| quantity | seed s.d. (J/m³) | rms fit error | s.d. / fit error (95 % interval) | dof |",
                  "|---|---|---|---|---|"]
        names = dict(total="reversal barrier", escape="lowest escape", mc="magnetocrystalline part",
                     shape_part="shape part", surface="surface part")
        for q, c in cal["pooled"].items():
            lines.append(f"| {names[q]} | {c['sd']:.0f} | {c['fit']:.0f} | {c['ratio']:.2f} "
                         f"({c['ratio_lo']:.2f}–{c['ratio_hi']:.2f}) | {c['dof']} |")
    return lines


def plot_defects(out):
    """Four panels: reversal barrier and lowest escape barrier per realisation with the kind's mean ± error and the
    verdict; the three parts (mean ± error); Ms."""
    table = defect_table(out)
    if not table:
        return
    fig, axs = _fig(2, 2, figsize=(13, 8.2))
    x = np.arange(len(table))
    labels = [KINDS[t["kind"]][0] for t in table]
    mark = {"raises": "↑ (2σ)", "lowers": "↓ (2σ)", "not resolved": "n.r."}
    for ax, q, yl in ((axs[0, 0], "total", "reversal barrier / V at 300 K (J/m³)"),
                      (axs[0, 1], "escape", "lowest escape barrier / V at 300 K (J/m³)"),
                      (axs[1, 1], "Ms", "Ms at 300 K (kA/m)")):
        sc = 1e-3 if q == "Ms" else 1.0
        for i, t in enumerate(table):
            v = np.asarray(t[q]["values"]) * sc
            ax.errorbar(np.full(len(v), i) + np.linspace(-0.2, 0.05, len(v)), v,
                        yerr=np.asarray(t[q]["fit_errors"]) * sc, fmt="o", color="C0", ms=3, lw=0.8,
                        label="realisation ± fit error" if i == 0 else None)
            ax.errorbar([i + 0.22], [t[q]["mean"] * sc], yerr=[t[q]["err"] * sc], fmt="ks", ms=5, capsize=3,
                        label="mean ± max(s.e.m., fit error/√n)" if i == 0 else None)
            if "verdict" in t[q]:
                ax.annotate(mark.get(t[q]["verdict"], ""), (i + 0.22, (t[q]["mean"] + t[q]["err"]) * sc),
                            xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
        for ref, c in (("perfect", "C2"), ("perfect_classical", "C3")):
            r = next((t for t in table if t["kind"] == ref), None)
            if r is not None:
                ax.axhspan((r[q]["mean"] - r[q]["err"]) * sc, (r[q]["mean"] + r[q]["err"]) * sc, color=c, alpha=0.15,
                           label=f"{KINDS[ref][0].replace(chr(10), ' ')}: mean ± error")
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_ylabel(yl)
        if q == "Ms":
            ax.legend(fontsize=6, loc="lower left")
        else:  # barriers span 3e3–7e4 J/m³: log scale, headroom for the legend
            ax.set_yscale("log")
            lo = min(min(t[q]["values"]) for t in table)
            ax.set_ylim(lo / 1.6, 4e5)
            ax.legend(fontsize=6, loc="upper left", ncol=2)
    ax = axs[1, 0]
    for j, (q, mk, lab) in enumerate((("mc", "o", "magnetocrystalline (degree ≥ 4)"),
                                      ("shape_part", "^", "shape part (rigid point-dipole n̂ᵀDn̂·m²)"),
                                      ("surface", "s", "surface + defect part (rest of degree 2)"))):
        ax.errorbar(x + (j - 1) * 0.22, [t[q]["mean"] for t in table], yerr=[t[q]["err"] for t in table], fmt=mk,
                    capsize=2, label=lab)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylabel("part of the reversal barrier / V (J/m³)")
    ax.legend(fontsize=6)
    fig.suptitle("8 nm magnetite spheres at 300 K, default model (dipolar + Néel on): realisations and mean; "
                 "↑/↓ = raised/lowered vs the reference (band) at 2σ, n.r. = not resolved", fontsize=9)
    axs[1, 0].set_title("split of the reversal barrier (mean ± error over realisations)", fontsize=8)
    axs[1, 1].set_title("Ms (the FeO core and its reference: classical statistics)", fontsize=8)
    fig.tight_layout()
    fig.savefig(out.parent / "landscape_defects.png", dpi=130)
