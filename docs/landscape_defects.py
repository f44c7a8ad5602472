"""Defect series of docs/validation.md §3b (issue 13): table, error calibration and figure.

8 nm magnetite spheres (the default model of §3b: dipolar + Néel on, averaged B valence, Evans rescaling; 300 K)
with random B-site vacancies, one or two (110) antiphase boundaries or a 4 nm FeO core, several realisations each
(``python docs/landscape_study.py defects KIND SEED`` → ``figures/landscape/defects.json``).

Per realisation: the reversal barrier of the measured landscape and its parts (``landscape_plots.parts_with_errors``,
the definitions of the size series: magnetocrystalline = degree ≥ 4 part, shape = + the dipolar degree-2 term,
surface = the rest of the degree-2 part, which for a defected particle also holds the Néel terms of the defect
sites), the lowest escape barrier and Ms, each with its fit error. The dipolar term is the measured dipolar share
(defects_dipolar.json reruns, same particle and seed, bit-identical totals) for kinds whose every realisation was
rerun, else the rigid point-dipole term n̂ᵀDn̂·m² of the particle's own dipolar object (``defect_table``: "split").
Per kind: the mean over realisations with error = max(s.e.m. over realisations, rms fit error / √n) (the fit
errors are too small at these n_eff: ``error_calibration``); the ratio to the defect-free particle
(``atomspin.batch.report.ratio``, first order) and the verdict "raises / lowers" when |ratio − 1| > 2σ, else
"not resolved at 2σ" (the rule of §8). The FeO-core model has rock-salt sites, so it runs without temperature
rescaling (one mapping per model); its reference is the defect-free particle with classical statistics.
"""
import numpy as np

from landscape_plots import _fig, _rows, measured_dipolar, parts_with_errors, shape_Q_of

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


def row_quantities(r, out, measured=False):
    """{quantity: (value, fit error)} of one realisation: reversal barrier (total) and its parts, lowest escape
    barrier (J/m³), Ms (A/m). ``measured``: the parts with the row's own measured dipolar share as the shape term
    (a defects_dipolar.json row), else the rigid × m² split (every row)."""
    if measured:
        pw = parts_with_errors(r, None)  # dip="row": the measured dipolar share of the same run
        if pw.get("shape_source") != "measured dipolar torque":
            raise ValueError(f"{r['key']}: no measured dipolar share")
    else:
        pw = parts_with_errors(r, shape_Q_of(r, out, measured=False), dip=None)
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
    reruns = {r["key"]: r for r in _rows(out, "defects_dipolar") if "dipolar_coefficients_J" in r}
    table = {}
    for kind in KINDS:
        v = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["seed"])
        if not v:
            continue
        # the measured split where every realisation of the kind was rerun with its dipolar share sampled (same
        # particle and seed: the totals are the stored row's, checked bit for bit), else rigid × m² for the kind
        measured = all(r["key"] in reruns for r in v)
        if measured:
            same = [bool(np.allclose(reruns[r["key"]]["coefficients_J"], r["coefficients_J"], rtol=1e-12, atol=0))
                    for r in v]
            if not all(same):
                raise ValueError(f"{kind}: a defects_dipolar rerun does not reproduce its defects.json row")
        rigid = [row_quantities(r, out) for r in v]
        per = [row_quantities(reruns[r["key"]], out, measured=True) for r in v] if measured else rigid
        t = dict(kind=kind, n=len(v), seeds=[r["seed"] for r in v], n_minima=[r["n_minima"] for r in v],
                 split="measured" if measured else "rigid",
                 n_spins=float(np.mean([r["n_spins"] for r in v])), cpu_s=[r.get("cpu_s") for r in v],
                 wall_s=[r.get("wall_s") for r in v], n_eff_min=[r.get("n_eff_min") for r in v],
                 chi2=[r.get("chi2_per_dof") for r in v], neel_sites=float(np.mean([r["neel_sites"] for r in v])))
        for q in QUANTITIES:
            vals = [p[q][0] for p in per]
            errs = [p[q][1] for p in per]
            mean, err, sem, fit = combine(vals, errs)
            t[q] = dict(mean=mean, err=err, sem=sem, fit=fit, values=vals, fit_errors=errs)
        t["rigid_parts"] = {q: dict(zip(("mean", "err"), combine([p[q][0] for p in rigid], [p[q][1] for p in rigid])))
                            for q in ("mc", "shape_part", "surface")}
        table[kind] = t
    for kind, t in table.items():
        ref = table.get(KINDS[kind][1])
        t["reference"] = KINDS[kind][1] if ref is not None else None
        if ref is None:
            continue
        for q in ("total", "escape", "Ms"):
            r, e = ratio(t[q]["mean"], t[q]["err"], ref[q]["mean"], ref[q]["err"])
            t[q].update(ratio=r, ratio_err=e, verdict=verdict(r, e))
        # parts' differences on one split: the measured one when both kinds have it, else rigid × m² for both
        t["diff_split"] = "measured" if t["split"] == ref["split"] == "measured" else "rigid"
        for q in ("mc", "shape_part", "surface"):
            a, b = (t[q], ref[q]) if t["diff_split"] == "measured" else (t["rigid_parts"][q], ref["rigid_parts"][q])
            t[q].update(diff=a["mean"] - b["mean"], diff_err=float(np.hypot(a["err"], b["err"])))
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


SPLIT_LABELS = {"measured": "measured dipolar", "rigid": "rigid × m²"}


def _diff_split(t, ref):
    """The split of a row of differences (``defect_table``: measured only when both kinds have it)."""
    return SPLIT_LABELS[t["diff_split"]]


def diff_to_reference(table, quantities):
    """Differences to each kind's reference (``KINDS``: the defect-free particle, for the FeO core the classical one)
    in a table ``{kind: row}`` whose quantities are ``{"mean", "err", ...}`` dicts: for every kind whose reference is
    in the table, sets ``row["reference"]`` and, per quantity, ``diff`` = mean − the reference's mean and
    ``diff_err`` (errors in quadrature). Returns the (row, reference row) pairs, for what a caller adds to them."""
    pairs = []
    for kind, t in table.items():
        ref = table.get(KINDS[kind][1])
        if ref is None:
            continue
        t["reference"] = KINDS[kind][1]
        for q in quantities:
            t[q]["diff"] = t[q]["mean"] - ref[q]["mean"]
            t[q]["diff_err"] = float(np.hypot(t[q]["err"], ref[q]["err"]))
        pairs.append((t, ref))
    return pairs


def kind_label(kind):
    """The kind's table label on one line."""
    return KINDS[kind][0].replace(chr(10), " ")


def md_head(*cells):
    """The lines that open a markdown table: a blank line, the header row of ``cells`` and its rule."""
    return ["", "| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]


def cpu_cell(values):
    """Table cell: the mean of the CPU seconds recorded (None where a row did not record them), or "–"."""
    v = [x for x in values if x is not None]
    return f"{np.mean(v):.0f}" if v else "–"


def summary_defects(out):
    """Markdown lines: the defect table, the part differences and the error calibration (docs/validation.md §3b)."""
    table = defect_table(out)
    if not table:
        return []
    lines = md_head("8 nm sphere", "realisations", "reversal barrier/V (J/m³)", "÷ reference", "lowest escape (J/m³)",
                    "÷ reference", "minima", "magnetocrystalline", "shape part", "surface + defect part", "split",
                    "Ms (kA/m)", "÷ reference", "CPU s per realisation")
    for t in table:
        lines.append(
            f"| {kind_label(t['kind'])} | {t['n']} | {_cell(t['total'])} | {_ratio_cell(t['total'])} | "
            f"{_cell(t['escape'])} | {_ratio_cell(t['escape'])} | {'/'.join(str(x) for x in t['n_minima'])} | "
            f"{_cell(t['mc'])} | {_cell(t['shape_part'], sign=True)} | {_cell(t['surface'], sign=True)} | "
            f"{SPLIT_LABELS[t['split']]} | {_cell(t['Ms'], scale=1e-3, fmt='.1f')} | "
            f"{_ratio_cell(t['Ms']) if 'ratio' in t['Ms'] else '1 (reference)'} | "
            f"{cpu_cell(t['cpu_s'])} |")
    lines += md_head("8 nm sphere", "reference", "Δ magnetocrystalline (J/m³)", "Δ shape part",
                     "Δ surface + defect part", "Δ total", "split")
    for t in table:
        if t["reference"] is None:
            continue
        d = {q: t[q] for q in ("mc", "shape_part", "surface")}
        ref = next(x for x in table if x["kind"] == t["reference"])
        dt = t["total"]["mean"] - ref["total"]["mean"]
        dte = float(np.hypot(t["total"]["err"], ref["total"]["err"]))
        lines.append(f"| {kind_label(t['kind'])} | {kind_label(t['reference'])} | "
                     + " | ".join(f"{d[q]['diff']:+.0f} ± {d[q]['diff_err']:.0f}" for q in d)
                     + f" | {dt:+.0f} ± {dte:.0f} | {_diff_split(t, ref)} |")
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
        ax.set_xticks(x, labels, fontsize=6, rotation=25)
        ax.set_ylabel(yl)
        if q == "Ms":
            ax.legend(fontsize=6, loc="lower left")
        else:  # barriers span 3e3–7e4 J/m³: log scale, headroom for the legend
            ax.set_yscale("log")
            lo = min(min(t[q]["values"]) for t in table)
            ax.set_ylim(lo / 1.6, 4e5)
            ax.legend(fontsize=6, loc="upper left", ncol=2)
    ax = axs[1, 0]
    splits = {t["split"] for t in table}
    both = len(splits) > 1
    shape_lab = ("shape part (measured dipolar share; * rigid point-dipole n̂ᵀDn̂·m²)" if both else
                 "shape part (measured dipolar share)" if splits == {"measured"} else
                 "shape part (rigid point-dipole n̂ᵀDn̂·m²)")
    surf_lab = ("surface + defect part (measured: on-site Néel; * rest of degree 2)" if both else
                "surface + defect part (on-site: Néel)" if splits == {"measured"} else
                "surface + defect part (rest of degree 2)")
    for j, (q, mk, lab) in enumerate((("mc", "o", "magnetocrystalline (degree ≥ 4)"), ("shape_part", "^", shape_lab),
                                      ("surface", "s", surf_lab))):
        ax.errorbar(x + (j - 1) * 0.22, [t[q]["mean"] for t in table], yerr=[t[q]["err"] for t in table], fmt=mk,
                    capsize=2, label=lab)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_yscale("symlog", linthresh=1e3, linscale=0.8)  # signed parts from −5e3 to 7e4 J/m³
    ax.set_ylim(-2e4, 1e6)
    ax.set_yticks([-1e4, -1e3, 0, 1e3, 1e4, 1e5], ["−10⁴", "−10³", "0", "10³", "10⁴", "10⁵"])
    ax.minorticks_off()
    ax.grid(True, axis="y", alpha=0.25)
    ax.set_xticks(x, [lab + (" *" if both and t["split"] == "rigid" else "") for lab, t in zip(labels, table)],
                  fontsize=6, rotation=25)
    ax.set_ylabel("part of the reversal barrier / V (J/m³; symlog)")
    ax.legend(fontsize=6, loc="upper left")
    fig.suptitle("8 nm magnetite spheres at 300 K, default model (dipolar + Néel on): realisations and mean; "
                 "↑/↓ = raised/lowered vs the reference (band) at 2σ, n.r. = not resolved", fontsize=9)
    axs[1, 0].set_title("split of the reversal barrier (mean ± error over realisations; * = kinds whose rows "
                        "did not sample the dipolar torque: rigid × m² split)" if both else
                        "split of the reversal barrier (mean ± error over realisations)", fontsize=7)
    axs[1, 1].set_title("Ms (the FeO core and its reference: classical statistics)", fontsize=8)
    fig.tight_layout()
    fig.savefig(out.parent / "landscape_defects.png", dpi=130)


# --- the APB's "surface + defect" part split into Néel and thermal dipolar (Néel-off runs, defects_no_neel.json) ---

N110 = np.array([1.0, 1.0, 0.0]) / np.sqrt(2.0)  # the APB normal of the series


def ku_along(r, Q, u=N110):
    """(Ku, error) of the traceless tensor Q (J/m³, e = n̂ᵀQn̂) along the unit vector u in the Ku (1 − (n̂·û)²)
    convention (Ku > 0: u easy), Ku = −3/2 ûᵀQû. ``Q`` is an array, or "l2" for the degree-2 part of the row's
    landscape (then the error propagates the fit covariance: the projection is linear in the coefficients)."""
    from atomspin.measure import _sphere_fit as sf

    if isinstance(Q, str):
        P = sf.l2_projector(r["degree"])
        g = -1.5 * np.einsum("i,ijp,j->p", u, P, u) / r["V_m3"]
        C = np.asarray(r["covariance_J2"]) if "covariance_J2" in r else None
        err = float(np.sqrt(max(g @ C @ g, 0.0))) if C is not None else float("nan")
        return float(g @ np.asarray(r["coefficients_J"])), err
    return float(-1.5 * u @ np.asarray(Q) @ u), 0.0


def _split_one(on, off, out):
    """{quantity: (value, error)} of one realisation measured with the Néel term on (``on``) and off (``off``)."""
    qa, qb = row_quantities(on, out), row_quantities(off, out)
    d = lambda a, b: (a[0] - b[0], float(np.hypot(a[1], b[1])))  # noqa: E731
    ku_l2_on, ku_l2_off = ku_along(on, "l2"), ku_along(off, "l2")
    ku_s_on, ku_s_off = (ku_along(on, shape_Q_of(on, out, measured=False)),
                         ku_along(off, shape_Q_of(off, out, measured=False)))
    return dict(
        total=qa["total"], total_off=qb["total"], neel_total=d(qa["total"], qb["total"]),
        mc_off=qb["mc"], shape_off=qb["shape_part"], thermal_dipolar=qb["surface"], surface_on=qa["surface"],
        neel_part=d(qa["surface"], qb["surface"]),
        # uniaxial terms along the APB normal (J/m³; additive, unlike barriers)
        ku_rigid_dipolar=ku_s_off, ku_thermal_dipolar=(ku_l2_off[0] - ku_s_off[0], ku_l2_off[1]),
        ku_neel=((ku_l2_on[0] - ku_s_on[0]) - (ku_l2_off[0] - ku_s_off[0]), float(np.hypot(ku_l2_on[1], ku_l2_off[1]))),
        ku_neel_rigid=ku_along(off, off["neel_rigid_J_per_m3"]),
        ku_neel_rigid_apb=ku_along(off, off["neel_rigid_apb_J_per_m3"]))


SPLIT_QUANTITIES = ("total", "total_off", "neel_total", "mc_off", "shape_off", "thermal_dipolar", "surface_on",
                    "neel_part", "ku_rigid_dipolar", "ku_thermal_dipolar", "ku_neel", "ku_neel_rigid",
                    "ku_neel_rigid_apb")


def neel_split_table(out):
    """Per kind with Néel-off rows: the realisations measured both ways (same particle and Monte Carlo seed),
    per quantity of :func:`_split_one` the mean ± max(s.e.m., rms error/√n) over them (:func:`combine`), and for
    defected kinds the differences to the kind's reference (``KINDS``: the defect-free particle, for the FeO core
    the classical one; errors in quadrature) and the Néel share of the barrier change, (Δ total − Δ total_off) /
    Δ total.

    Quantities (barriers / V, J/m³): ``total`` and ``total_off`` the reversal barriers with the Néel term on and
    off; ``neel_total`` their difference (everything the Néel term does to the barrier); ``thermal_dipolar`` the
    "surface + defect" part of the Néel-off landscape (its degree-2 rest beyond the rigid point-dipole term × m²:
    the thermal correction of the dipolar term alone); ``neel_part`` = "surface + defect" part on − off. ``ku_*``:
    uniaxial terms along the APB normal [110] (Ku (1 − (n̂·û)²), additive): the rigid point-dipole term × m², its
    thermal correction (Néel-off degree-2 part − rigid), the Néel term as measured (on − off degree-2 rests) and
    the rigid Néel tensor at T = 0 (all sites; the APB-zone sites alone)."""
    on = {r["key"]: r for r in _rows(out, "defects") if today(r)}
    off = _rows(out, "defects_no_neel")
    table = {}
    for kind in KINDS:
        pairs = sorted(((on[r["key"]], r) for r in off if r["kind"] == kind and r["key"] in on),
                       key=lambda p: p[0]["seed"])
        if not pairs:
            continue
        per = [_split_one(a, b, out) for a, b in pairs]
        t = dict(kind=kind, n=len(per), seeds=[a["seed"] for a, _ in pairs],
                 cpu_s=[b.get("cpu_s") for _, b in pairs], wall_s=[b.get("wall_s") for _, b in pairs],
                 load=[b.get("load_avg") for _, b in pairs], apb_sites=[b.get("neel_apb_sites") for _, b in pairs],
                 n_minima_off=[b["n_minima"] for _, b in pairs],
                 axis_off=[_global_min_axis(b) for _, b in pairs])
        for q in SPLIT_QUANTITIES:
            mean, err, sem, fit = combine([p[q][0] for p in per], [p[q][1] for p in per])
            t[q] = dict(mean=mean, err=err, sem=sem, fit=fit, values=[p[q][0] for p in per])
        table[kind] = t
    for t, ref in diff_to_reference(table, SPLIT_QUANTITIES):
        dT, dTe = t["total"]["diff"], t["total"]["diff_err"]
        dN, dNe = t["neel_total"]["diff"], t["neel_total"]["diff_err"]
        t["neel_share"] = dN / dT
        t["neel_share_err"] = float(abs(dN / dT) * np.hypot(dNe / dN if dN else 0.0, dTe / dT))
        from atomspin.batch.report import ratio

        r, e = ratio(t["total_off"]["mean"], t["total_off"]["err"], ref["total_off"]["mean"], ref["total_off"]["err"])
        t["ratio_off"], t["ratio_off_err"], t["verdict_off"] = r, e, verdict(r, e)
    return [table[k] for k in KINDS if k in table]


def _global_min_axis(r):
    """Angle (degrees) between the global minimum of a stored landscape and the APB normal [110]."""
    from landscape_plots import harmonic

    from atomspin import macrospin as ms

    cp = ms.critical_points(ms.EnergySurface([harmonic(r)]))
    g = cp.minima[cp.global_minimum]
    return float(np.degrees(np.arccos(min(1.0, abs(g @ N110)))))


def summary_neel_split(out):
    """Markdown lines of the Néel / thermal dipolar split (docs/validation.md §3b)."""
    table = neel_split_table(out)
    if not table:
        return []
    c = lambda d, k="mean": (f"{d[k]:+.0f} ± {d['err' if k == 'mean' else k + '_err']:.0f}")  # noqa: E731
    lines = md_head("8 nm sphere", "realisations (seeds)", "reversal barrier, Néel on (J/m³)", "Néel off",
                    "Néel on − off", "thermal dipolar part (Néel off)", "surface + defect part (Néel on)",
                    "Néel part of it (on − off)", "global minimum from [110], Néel off", "CPU s per Néel-off row")
    for t in table:
        lines.append(f"| {kind_label(t['kind'])} | {t['n']} ({','.join(map(str, t['seeds']))}) | {c(t['total'])} | "
                     f"{c(t['total_off'])} | {c(t['neel_total'])} | {c(t['thermal_dipolar'])} | {c(t['surface_on'])} | "
                     f"{c(t['neel_part'])} | {', '.join(f'{a:.0f}°' for a in t['axis_off'])} | "
                     f"{cpu_cell(t['cpu_s'])} |")
    lines += ["", "| 8 nm sphere, Δ vs reference (J/m³) | reference | Δ total (Néel on) | Δ total, Néel off | "
              "÷ reference, Néel off | Δ from the Néel term | Néel share of Δ total | Δ rigid point-dipole Ku·m² "
              "along [110] | Δ thermal dipolar Ku | Δ Néel Ku (measured) | Néel Ku, rigid T = 0 (APB sites) |",
              "|" + "---|" * 11]
    for t in table:
        if "neel_share" not in t:
            continue
        lines.append(f"| {kind_label(t['kind'])} | {kind_label(t['reference'])} | {c(t['total'], 'diff')} | "
                     f"{c(t['total_off'], 'diff')} | "
                     f"{t['ratio_off']:.2f} ± {t['ratio_off_err']:.2f} {t['verdict_off']} | {c(t['neel_total'], 'diff')} | "
                     f"{t['neel_share']:+.2f} ± {t['neel_share_err']:.2f} | {c(t['ku_rigid_dipolar'], 'diff')} | "
                     f"{c(t['ku_thermal_dipolar'], 'diff')} | {c(t['ku_neel'], 'diff')} | "
                     f"{t['ku_neel_rigid']['diff']:+.0f} ({t['ku_neel_rigid_apb']['mean']:+.0f}) |")
    return lines


# --- the parts split at the heating size (stored landscapes of the 12.1 nm study, heating_parts.json) ---

HEATING_LABELS = {"defect-free": "defect-free", "APB-two": "2 APBs", "APB-centre": "1 APB (centre)",
                  "vacancies-random-0.10": "δ = 0.10", "vacancies-random-0.20": "δ = 0.20",
                  "vacancy-shell-0.10": "δ = 0.10 shell", "FeO-core": "FeO core", "Zn-0.20": "Zn 0.20"}


def _stored(r):
    """A stored row of a heating study (Néel term as recorded), not one of its reruns."""
    return r.get("neel", True) and not r["key"].endswith("-dip")


def heating_parts_table(out, study="defects_heating_12nm_today"):
    """Per variant of a heating study: the parts of the reversal barrier of each stored landscape (the split of the
    8 nm series, ``parts_with_errors``), mean ± s.e.m. over realisations (the database holds no fit covariance, so
    the realisation spread is the only error), differences to the defect-free particle (errors in quadrature), the
    rigid terms along the APB normal.

    The held shape term is the measured dipolar share (the degree-2 part of the dipolar torque's potential) of the
    row's rerun (``landscape_study.py heating_dipolar``: the stored row's structure, model and seed rerun with the
    dipolar torque sampled; key "<study>:<variant>-<seed>-dip") where one exists; without it the rigid
    point-dipole term × m_reduced² of the row's own structure (``shape_source`` says which). The split with the rigid
    × m² term is kept as ``shape_part_rigid`` / ``surface_rigid`` (what moved)."""
    rows = [r for r in _rows(out, "heating_parts") if r["study"] == study]
    reruns = {(r["variant"], r["seed"]): r for r in rows if r["key"].endswith("-dip")}
    rows = [r for r in rows if _stored(r)]
    table = {}
    for var in HEATING_LABELS:
        v = sorted((r for r in rows if r["variant"] == var), key=lambda r: r["seed"])
        if not v:
            continue
        per = []
        for r in v:
            S = np.asarray(r["shape_Q_J_per_m3"])  # rigid point-dipole tensor × m_reduced²
            old = parts_with_errors(r, S, dip=None)
            rr = reruns.get((var, r["seed"]))
            d = measured_dipolar(rr)
            pw = parts_with_errors(r, S, dip=d) if d is not None else old
            q = dict(total=pw["total"], escape=r["barrier_J_per_m3"], mc=pw["mc"], shape_part=pw["shape_part"],
                     surface=pw["surface"], shape_part_rigid=old["shape_part"], surface_rigid=old["surface"],
                     Ms=r["Ms_A_per_m"], ku_rigid_dipolar=ku_along(r, S)[0],
                     ku_rigid_T0=ku_along(r, r["D_rigid_J_per_m3"])[0],
                     ku_neel_rigid=ku_along(r, r["neel_rigid_J_per_m3"])[0], ku_l2=ku_along(r, "l2")[0],
                     ku_dipolar=ku_along(r, pw["S"])[0] if d is not None else np.nan,
                     ku_onsite=ku_along(r, "l2")[0] - ku_along(r, pw["S"])[0] if d is not None else np.nan,
                     rerun_total=(parts_with_errors(rr, None, dip=None)["total"] if rr is not None else np.nan),
                     measured=float(d is not None))
            per.append(q)
        t = dict(variant=var, n=len(v), seeds=[r["seed"] for r in v], n_spins=float(np.mean([r["n_spins"] for r in v])),
                 T_K=v[0]["T_K"], n_minima=[r["n_minima"] for r in v], sweeps=v[0]["sweeps"],
                 kT_J_per_m3=1.380649e-23 * v[0]["T_K"] / v[0]["V_m3"], n_measured=int(sum(p["measured"] for p in per)))
        for q in per[0]:
            vals = [p[q] for p in per]
            mean, err, sem, _ = combine(vals, [np.nan] * len(vals))
            t[q] = dict(mean=mean, err=err, values=vals)
        table[var] = t
    ref = table.get("defect-free")
    for var, t in table.items():
        if ref is None or var == "defect-free":
            continue
        for q in ("total", "mc", "shape_part", "surface", "shape_part_rigid", "surface_rigid", "ku_rigid_dipolar",
                  "ku_rigid_T0", "ku_neel_rigid", "ku_l2", "ku_dipolar", "ku_onsite"):
            t[q]["diff"] = t[q]["mean"] - ref[q]["mean"]
            t[q]["diff_err"] = float(np.hypot(t[q]["err"], ref[q]["err"]))
    return [table[k] for k in HEATING_LABELS if k in table]


def summary_heating_parts(out):
    """Markdown lines of the parts split at the heating size (docs/validation.md §3b)."""
    table = heating_parts_table(out)
    if not table:
        return []
    c = lambda d, k="mean", s="+": f"{d[k]:{s}.0f} ± {d['err' if k == 'mean' else k + '_err']:.0f}"  # noqa: E731
    lines = ["", "| 12.1 nm TO, 310 K | realisations (with measured dipolar share) | reversal barrier/V (J/m³) | "
             "= k_BT | magnetocrystalline | shape part (dipolar) | surface + defect part (on-site) | "
             "Δ magnetocrystalline vs defect-free | Δ shape | Δ surface + defect | rigid point-dipole Ku·m² along "
             "[110] | rigid Néel Ku along [110] (T = 0) |",
             "|" + "---|" * 12]
    for t in table:
        kT = t["kT_J_per_m3"]
        dd = (" | ".join(c(t[q], "diff") for q in ("mc", "shape_part", "surface")) if "diff" in t["total"]
              else "– | – | –")
        lines.append(f"| {HEATING_LABELS[t['variant']]} | {t['n']} ({t['n_measured']}) | {c(t['total'], s='')} | "
                     f"{t['total']['mean'] / kT:.1f} ± {t['total']['err'] / kT:.1f} | {c(t['mc'], s='')} | "
                     f"{c(t['shape_part'])} | {c(t['surface'])} | {dd} | {t['ku_rigid_dipolar']['mean']:+.0f} | "
                     f"{t['ku_neel_rigid']['mean']:+.0f} |")
    return lines


def plot_defect_parts(out):
    """Four panels: (a) the 8 nm APB raise split into magnetocrystalline, rigid point-dipole, thermal dipolar and
    Néel contributions (Δ vs defect-free, mean ± error over realisations); (b) the parts at the heating size;
    (c, d) the check of the measured split's on-site (Néel) part against the Néel-off reruns, per 8 nm kind
    (``landscape_parts.neel_check_table``): as barrier increments and as Ku along [110]."""
    from landscape_parts import neel_check_table

    split, heat, check = neel_split_table(out), heating_parts_table(out), neel_check_table(out)
    if not split and not heat:
        return
    fig, axs = _fig(2, 2, figsize=(13, 9.6))
    axs = axs.ravel()
    ax = axs[0]
    kinds = [t for t in split if "neel_share" in t and t["kind"] in ("apb1", "apb2")]
    comps = (("total", "total Δ (Néel on)", "k", "D"), ("total_off", "total Δ, Néel off", "0.55", "D"),
             ("mc_off", "magnetocrystalline (Néel off)", "C0", "o"),
             ("shape_off", "rigid point-dipole n̂ᵀDn̂·m² (Néel off)", "C1", "^"),
             ("thermal_dipolar", "thermal dipolar correction (Néel off)", "C2", "v"),
             ("neel_total", "Néel term (on − off)", "C3", "s"))
    for j, (q, lab, col, mk) in enumerate(comps):
        x = np.arange(len(kinds)) + (j - 2.5) * 0.13
        ax.errorbar(x, [t[q]["diff"] for t in kinds], yerr=[t[q]["diff_err"] for t in kinds], fmt=mk, color=col,
                    capsize=3, label=lab)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_xticks(np.arange(len(kinds)), [f"{KINDS[t['kind']][0]} ({t['n']} real.)" for t in kinds])
    ax.set_ylabel("Δ reversal barrier / V vs defect-free (J/m³)")
    ax.set_title("8 nm sphere, 300 K: where the APB raise comes from (barrier increments, mean ± error)", fontsize=8)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_ylim(top=ax.get_ylim()[1] * 1.35)
    ax = axs[1]
    if heat:
        x = np.arange(len(heat))
        meas = any(t["n_measured"] for t in heat)
        comps = [("total", "total (reversal)", "D", "C0", True), ("mc", "magnetocrystalline", "o", "C1", True),
                 ("shape_part", "shape part (measured dipolar share)" if meas else
                  "shape part (rigid point-dipole × m²)", "^", "C2", True),
                 ("surface", "surface + defect part (on-site: Néel)" if meas else "surface + defect part", "s",
                  "C3", True)]
        if meas:
            comps += [("shape_part_rigid", "shape part, earlier rigid × m² split", "^", "C2", False),
                      ("surface_rigid", "surface + defect, earlier rigid × m² split", "s", "C3", False)]
        for j, (q, lab, mk, col, filled) in enumerate(comps):
            ax.errorbar(x + (j - (len(comps) - 1) / 2) * 0.12, [t[q]["mean"] for t in heat],
                        yerr=[t[q]["err"] for t in heat], fmt=mk, color=col, mfc=col if filled else "none",
                        capsize=3, label=lab)
        ax.axhline(0, color="k", lw=0.5)
        ax.set_xticks(x, [HEATING_LABELS[t["variant"]] for t in heat], fontsize=7, rotation=20)
        ax.set_ylabel("part of the reversal barrier / V (J/m³)")
        ax.set_title("12.1 nm truncated octahedra (18.5 nm vertex to vertex), 310 K: mean ± s.e.m. over "
                     "realisations", fontsize=8)
        ax.legend(fontsize=7)
    for ax, (a, b, yl, what) in zip(axs[2:], (
            ("surface", "neel_total", "Néel part of the reversal barrier / V (J/m³)", "barrier increments"),
            ("ku_onsite", "ku_on_off", "Néel (on-site) Ku along [110] (J/m³)", "uniaxial Ku along [110]"))):
        if not check:
            ax.set_visible(False)
            continue
        x = np.arange(len(check))
        ax.errorbar(x - 0.12, [t[a]["mean"] for t in check], yerr=[t[a]["err"] for t in check], fmt="s", color="C3",
                    capsize=3, label="measured split: on-site share of the Néel-on run")
        ax.errorbar(x + 0.12, [t[b]["mean"] for t in check], yerr=[t[b]["err"] for t in check], fmt="s", color="C3",
                    mfc="none", capsize=3, label="Néel on − Néel off (separate run, same particle and seed)")
        zk = "z" if a == "surface" else "ku_z"
        for i, t in enumerate(check):
            ax.annotate(f"{t[zk]:+.1f}σ", (i, max(t[a]["mean"] + t[a]["err"], t[b]["mean"] + t[b]["err"])),
                        xytext=(0, 4), textcoords="offset points", ha="center", fontsize=7)
        ax.axhline(0, color="k", lw=0.5)
        # the axis holds every error bar whole, with room above for the labels and below for the legend
        lo = min(min(t[a]["mean"] - t[a]["err"], t[b]["mean"] - t[b]["err"]) for t in check)
        hi = max(max(t[a]["mean"] + t[a]["err"], t[b]["mean"] + t[b]["err"]) for t in check)
        span = max(hi, 0.0) - min(lo, 0.0)
        ax.set_ylim(min(lo, 0.0) - 0.3 * span, max(hi, 0.0) + 0.1 * span)
        ax.set_xticks(x, [f"{KINDS[t['kind']][0]} ({t['n']})" for t in check], fontsize=7, rotation=20)
        ax.set_ylabel(yl)
        ax.set_title(f"8 nm sphere, 300 K: the Néel part two ways, as {what}\n(mean ± error over the (n) "
                     "realisations; label: difference ÷ its error)", fontsize=8)
        ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(out.parent / "landscape_defect_parts.png", dpi=130)


def heating_neel_split(out, study="defects_heating_12nm_today"):
    """Per variant with Néel-off reruns (``landscape_study.py heating_no_neel``): the stored landscape (Néel on) and
    the rerun (Néel off, same structure and Monte Carlo seed) split as :func:`neel_split_table` does at 8 nm;
    mean ± max(s.e.m., rms fit error/√n) over the realisations (the stored rows have no covariance: their parts
    enter with the s.e.m. only); differences to the defect-free particle in quadrature."""
    rows = [r for r in _rows(out, "heating_parts") if r["study"] == study]
    on = {(r["variant"], r["seed"]): r for r in rows if _stored(r)}
    table = {}
    for var in HEATING_LABELS:
        pairs = sorted(((on[(r["variant"], r["seed"])], r) for r in rows if not r.get("neel", True)
                        and r["variant"] == var and (r["variant"], r["seed"]) in on), key=lambda p: p[1]["seed"])
        if not pairs:
            continue
        per = []
        for a, b in pairs:
            pa = parts_with_errors(a, np.asarray(a["shape_Q_J_per_m3"]), dip=None)  # rigid × m²: the columns' split
            pb = parts_with_errors(b, np.asarray(b["shape_Q_J_per_m3"]), dip=None)
            per.append(dict(total=(pa["total"], np.nan), total_off=(pb["total"], pb["total_err"]),
                            neel_total=(pa["total"] - pb["total"], pb["total_err"]),
                            mc_off=(pb["mc"], pb["mc_err"]), shape_off=(pb["shape_part"], pb["shape_part_err"]),
                            thermal_dipolar=(pb["surface"], pb["surface_err"]), surface_on=(pa["surface"], np.nan),
                            cpu_s=(b.get("cpu_s", np.nan), 0.0)))
        t = dict(variant=var, n=len(per), seeds=[b["seed"] for _, b in pairs])
        for q in per[0]:
            mean, err, _, _ = combine([p[q][0] for p in per], [p[q][1] for p in per])
            t[q] = dict(mean=mean, err=err, values=[p[q][0] for p in per])
        table[var] = t
    ref = table.get("defect-free")
    for var, t in table.items():
        if ref is None or var == "defect-free":
            continue
        for q in ("total", "total_off", "neel_total", "mc_off", "shape_off", "thermal_dipolar"):
            t[q]["diff"] = t[q]["mean"] - ref[q]["mean"]
            t[q]["diff_err"] = float(np.hypot(t[q]["err"], ref[q]["err"]))
        t["neel_share"] = t["neel_total"]["diff"] / t["total"]["diff"]
        t["neel_share_err"] = abs(t["neel_share"]) * float(np.hypot(
            t["neel_total"]["diff_err"] / t["neel_total"]["diff"], t["total"]["diff_err"] / t["total"]["diff"]))
    return [table[k] for k in HEATING_LABELS if k in table]


def summary_heating_neel_split(out):
    """Markdown lines of :func:`heating_neel_split` (docs/validation.md §3b)."""
    table = heating_neel_split(out)
    if not table:
        return []
    c = lambda d, k="mean": f"{d[k]:+.0f} ± {d['err' if k == 'mean' else k + '_err']:.0f}"  # noqa: E731
    lines = ["", "| 12.1 nm TO, 310 K | realisations (seeds) | reversal barrier, Néel on (J/m³) | Néel off | "
             "Néel on − off | magnetocrystalline (off) | shape part (off) | thermal dipolar part (off) | "
             "surface + defect part (on) | Néel share of Δ vs defect-free | CPU s per Néel-off run |",
             "|" + "---|" * 11]
    for t in table:
        share = f"{t['neel_share']:+.2f} ± {t['neel_share_err']:.2f}" if "neel_share" in t else "–"
        lines.append(f"| {HEATING_LABELS[t['variant']]} | {t['n']} ({','.join(map(str, t['seeds']))}) | "
                     f"{c(t['total'])} | {c(t['total_off'])} | {c(t['neel_total'])} | {c(t['mc_off'])} | "
                     f"{c(t['shape_off'])} | {c(t['thermal_dipolar'])} | {c(t['surface_on'])} | {share} | "
                     f"{t['cpu_s']['mean']:.0f} |")
        if "diff" in t["total"]:
            lines.append(f"| Δ vs defect-free | | {c(t['total'], 'diff')} | {c(t['total_off'], 'diff')} | "
                         f"{c(t['neel_total'], 'diff')} | {c(t['mc_off'], 'diff')} | {c(t['shape_off'], 'diff')} | "
                         f"{c(t['thermal_dipolar'], 'diff')} | | | |")
    return lines
