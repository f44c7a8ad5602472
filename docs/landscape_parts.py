"""The parts of the landscape study from the *measured* dipolar share (docs/validation.md §3b, issue 13).

The constrained runs sample the dipolar term's torque τ_dip = Σ ŝ_i × h_dip,i next to the total (isotropic
exchange exerts none, so τ − τ_dip is the on-site terms' torque: cubic + Néel); both are fitted with the weights of
the total's fit, so their potentials add up to the landscape exactly (``measure.anisotropy_landscape``:
``dipolar_coefficients_J``). The shape part is the barrier increment of the dipolar share's degree-2 tensor
(``landscape_plots.parts_with_errors``), the surface + defect part the rest of degree 2: the on-site (Néel) term.
The earlier split held the rigid-rotation point-dipole tensor × m_reduced² instead; both are tabulated here.

Rows: defects_dipolar.json (8 nm reruns of defects.json rows, same particle and seed, ``landscape_study.py
defects_dipolar``), paired with defects.json and defects_no_neel.json; heating_parts.json "-dip" reruns of the
12.1 nm study (``heating_dipolar``, tabulated by ``landscape_defects.heating_parts_table``).
"""
import numpy as np

from landscape_defects import (HEATING_LABELS, KINDS, N110, combine, cpu_cell, diff_to_reference, heating_parts_table,
                               kind_label, md_head)
from landscape_plots import _rows, ku_along, measured_dipolar, parts_with_errors, shape_Q_of


def _ku_row(r, which, u=N110):
    """``landscape_plots.ku_along`` along the APB normal [110] by default."""
    return ku_along(r, which, u)


def dipolar_split_table(out):
    """Per 8 nm kind with defects_dipolar.json rows: mean ± max(s.e.m., rms fit error/√n) over realisations of the
    reversal barrier, its parts with the measured shape term and with the earlier rigid × m² one, and the Ku along
    the APB normal [110] of the measured dipolar share, the rigid tensor × m² and at T = 0, the on-site share and
    the whole degree-2 part of the Néel-off rerun (the independent number); differences to the kind's reference
    (``landscape_defects.KINDS``: the defect-free particle, for the FeO core the classical one) in quadrature. ``same`` counts reruns whose total equals the defects.json row (same seed: bit-identical)."""
    rows = _rows(out, "defects_dipolar")
    full = {r["key"]: r for r in _rows(out, "defects")}
    off = {r["key"]: r for r in _rows(out, "defects_no_neel")}
    table = {}
    for kind in KINDS:
        v = sorted((r for r in rows if r["kind"] == kind and "dipolar_coefficients_J" in r), key=lambda r: r["seed"])
        if not v:
            continue
        per = []
        for r in v:
            pw = parts_with_errors(r, None)
            old = parts_with_errors(r, shape_Q_of(r, out, measured=False), dip=None)
            m2 = r["m_reduced"] ** 2
            ku_rm2 = float(-1.5 * N110 @ np.asarray(r["shape_Q_rigid_m2_J_per_m3"]) @ N110)
            q = dict(total=(pw["total"], pw["total_err"]), mc=(pw["mc"], pw["mc_err"]),
                     shape_part=(pw["shape_part"], pw["shape_part_err"]), surface=(pw["surface"], pw["surface_err"]),
                     shape_part_rigid=(old["shape_part"], old["shape_part_err"]),
                     surface_rigid=(old["surface"], old["surface_err"]),
                     ku_dipolar=_ku_row(r, "dipolar"), ku_onsite=_ku_row(r, "onsite"), ku_rigid_m2=(ku_rm2, 0.0),
                     ku_rigid_T0=(ku_rm2 / m2, 0.0), m=(r["m_reduced"], 0.0))
            o = off.get(r["key"])
            q["ku_off"] = _ku_row(o, "total") if o is not None and "covariance_J2" in o else (np.nan, np.nan)
            f = full.get(r["key"])
            q["same"] = (float(f is not None and np.allclose(f["coefficients_J"], r["coefficients_J"], rtol=1e-12,
                                                             atol=0)), 0.0)
            per.append(q)
        t = dict(kind=kind, n=len(per), seeds=[r["seed"] for r in v], cpu_s=float(np.mean([r["cpu_s"] for r in v])))
        for k in per[0]:
            vals = [p[k][0] for p in per]
            mean, err, _, _ = combine(vals, [p[k][1] for p in per])
            t[k] = dict(mean=mean, err=err, values=vals)
        table[kind] = t
    diff_to_reference(table, ("total", "mc", "shape_part", "surface", "shape_part_rigid", "surface_rigid",
                              "ku_dipolar", "ku_onsite", "ku_rigid_m2", "ku_rigid_T0", "ku_off"))
    return [table[k] for k in KINDS if k in table]


def _c(d, k="mean", sign=True):
    e = d["err" if k == "mean" else k + "_err"]
    v = d[k]
    if not np.isfinite(v):
        return "–"
    return f"{v:{'+' if sign else ''}.0f} ± {e:.0f}" if np.isfinite(e) and e > 0 else f"{v:{'+' if sign else ''}.0f}"


def _parts_row(label, count, t, rigid_m2, mid=(), tail=()):
    """One markdown row of a parts table (8 nm and 12.1 nm share it): label, realisations, the reversal barrier and
    its parts on the measured split and on the rigid × m² one, the Ku along [110] of the measured dipolar share, of
    the rigid tensor × m² (key ``rigid_m2``) and at T = 0, the cells ``mid``, the on-site Ku, the cells ``tail``."""
    cells = [label, count, _c(t["total"], sign=False), _c(t["mc"], sign=False)]
    cells += [_c(t[k]) for k in ("shape_part", "surface", "shape_part_rigid", "surface_rigid", "ku_dipolar")]
    cells += [f"{t[rigid_m2]['mean']:+.0f}", f"{t['ku_rigid_T0']['mean']:+.0f}", *mid, _c(t["ku_onsite"]), *tail]
    return "| " + " | ".join(cells) + " |"


def _diff_row(label, t, keys):
    """One markdown row of differences to the defect-free particle (``diff`` ± ``diff_err`` of each key)."""
    return f"| {label} | " + " | ".join(_c(t[k], "diff") for k in keys) + " |"


def summary_dipolar_split(out):
    """Markdown lines: the 8 nm parts from the measured dipolar share (:func:`dipolar_split_table`) and the 12.1 nm
    ones (``heating_parts_table``), each next to the earlier rigid × m² split."""
    lines = []
    table = dipolar_split_table(out)
    if table:
        lines += ["", "| 8 nm sphere, 300 K | realisations (seeds) | reversal barrier (J/m³) | magnetocrystalline | "
                  "shape part (measured dipolar) | surface + defect part (on-site: Néel) | shape part, rigid × m² | "
                  "surface + defect, rigid × m² | dipolar Ku along [110], measured | rigid Ku·m² | rigid Ku (T = 0) | "
                  "degree-2 Ku of the Néel-off rerun | on-site (Néel) Ku | m | CPU s per run |",
                  "|" + "---|" * 15]
        for t in table:
            lines.append(_parts_row(kind_label(t["kind"]), f"{t['n']} ({','.join(map(str, t['seeds']))})", t,
                                    "ku_rigid_m2", mid=[_c(t["ku_off"])],
                                    tail=[f"{t['m']['mean']:.3f}", f"{t['cpu_s']:.0f}"]))
        lines += ["", "| 8 nm sphere, Δ vs reference (J/m³) | reference | Δ total | Δ magnetocrystalline | Δ shape part (measured) | "
                  "Δ surface + defect (measured) | Δ shape part (rigid × m²) | Δ surface + defect (rigid × m²) | "
                  "Δ dipolar Ku [110] measured | Δ rigid Ku·m² | Δ on-site Ku |", "|" + "---|" * 11]
        for t in table:
            if "diff" in t["total"]:
                lines.append(_diff_row(f"{kind_label(t['kind'])} | {kind_label(t['reference'])}", t,
                                       DIFF_KEYS[:7] + ("ku_rigid_m2", "ku_onsite")))
    heat = heating_parts_table(out)
    if heat and any(t["n_measured"] for t in heat):
        lines += ["", "| 12.1 nm TO, 310 K | realisations (measured dipolar share) | reversal barrier/V (J/m³) | "
                  "magnetocrystalline | shape part (measured dipolar) | surface + defect part (on-site: Néel) | "
                  "shape part, rigid × m² | surface + defect, rigid × m² | dipolar Ku along [110], measured | "
                  "rigid Ku·m² | rigid Ku (T = 0) | on-site (Néel) Ku | rerun total − stored |", "|" + "---|" * 13]
        for t in heat:
            rr = t["rerun_total"]["mean"] - t["total"]["mean"]
            lines.append(_parts_row(HEATING_LABELS[t["variant"]], f"{t['n']} ({t['n_measured']})", t,
                                    "ku_rigid_dipolar", tail=[f"{rr:+.0f}" if np.isfinite(rr) else "–"]))
        lines += ["", "| 12.1 nm TO, Δ vs defect-free (J/m³) | Δ total | Δ magnetocrystalline | Δ shape part (measured) | "
                  "Δ surface + defect (measured) | Δ shape part (rigid × m²) | Δ surface + defect (rigid × m²) | "
                  "Δ dipolar Ku [110] measured | Δ on-site Ku |", "|" + "---|" * 9]
        for t in heat:
            if "diff" in t["total"]:
                lines.append(_diff_row(HEATING_LABELS[t["variant"]], t, DIFF_KEYS[:7] + ("ku_onsite",)))
    return lines


def neel_check_table(out):
    """The measured split's on-site (Néel) part against the Néel-off reruns (an independent measurement of it), per
    8 nm kind with both a defects_dipolar.json rerun (the measured split) and a defects_no_neel.json row (same
    particle and Monte Carlo seed, Néel term off) of a realisation:

    * ``surface``: the surface + defect part of the measured split (the on-site rest of degree 2, as a barrier
      increment over magnetocrystalline + the measured dipolar term), J/m³;
    * ``neel_total``: reversal barrier with the Néel term on − off, everything the Néel term does to the barrier
      (errors in quadrature: the two runs are separate chains);
    * ``diff`` = neel_total − surface per realisation (= barrier of magnetocrystalline + measured dipolar term of the
      Néel-on run − barrier of the Néel-off run: zero if the Néel term changes neither the dipolar term nor the
      cubic one), its error hypot(neel_total error, surface error) per realisation (conservative: both share the
      Néel-on total), then mean ± max(s.e.m., rms/√n) over realisations (:func:`combine`) and ``z`` = diff / error;
    * ``ku_onsite`` (measured on-site Ku along [110]) against ``ku_on_off`` (the whole degree-2 Ku on − off, the
      Néel-off landscape's degree 2 being its dipolar term alone), ``ku_diff`` and its ``z`` (additive, unlike
      barriers; the error of the difference from the Néel-on dipolar share and the Néel-off total, separate runs);
    * ``ku_onsite_off``: the on-site Ku of the Néel-off run where it sampled its dipolar share (cubic only: 0).

    Differences to the kind's reference (``KINDS``) of ``surface``, ``neel_total`` and ``diff`` (errors in quadrature),
    with ``z`` of the Δ's difference."""
    dip = {r["key"]: r for r in _rows(out, "defects_dipolar") if "dipolar_coefficients_J" in r}
    off = {r["key"]: r for r in _rows(out, "defects_no_neel")}
    table = {}
    for kind in KINDS:
        keys = sorted((k for k in dip if dip[k]["kind"] == kind and k in off), key=lambda k: dip[k]["seed"])
        if not keys:
            continue
        per = []
        for k in keys:
            a, b = dip[k], off[k]
            pa = parts_with_errors(a, None)
            pb = parts_with_errors(b, None, dip=None)
            nt = (pa["total"] - pb["total"], float(np.hypot(pa["total_err"], pb["total_err"])))
            su = (pa["surface"], pa["surface_err"])
            ko = _ku_row(a, "onsite")
            kd = _ku_row(a, "dipolar")
            kt_on, kt_off = _ku_row(a, "total"), _ku_row(b, "total")
            per.append(dict(surface=su, neel_total=nt, diff=(nt[0] - su[0], float(np.hypot(nt[1], su[1]))),
                            ku_onsite=ko, ku_on_off=(kt_on[0] - kt_off[0], float(np.hypot(kt_on[1], kt_off[1]))),
                            ku_diff=(kd[0] - kt_off[0], float(np.hypot(kd[1], kt_off[1]))),
                            ku_onsite_off=(_ku_row(b, "onsite") if "dipolar_coefficients_J" in b
                                           else (np.nan, np.nan))))
        t = dict(kind=kind, n=len(per), seeds=[dip[k]["seed"] for k in keys],
                 cpu_s_off=[off[k].get("cpu_s") for k in keys])
        for q in per[0]:
            ok = [p[q] for p in per if np.isfinite(p[q][0])]  # ku_onsite_off: the rows that sampled it
            if not ok:
                t[q] = dict(mean=np.nan, err=np.nan, values=[], n=0)
                continue
            mean, err, sem, fit = combine([v for v, _ in ok], [e for _, e in ok])
            t[q] = dict(mean=mean, err=err, sem=sem, fit=fit, values=[v for v, _ in ok], n=len(ok))
        t["z"] = t["diff"]["mean"] / t["diff"]["err"]
        t["ku_z"] = t["ku_diff"]["mean"] / t["ku_diff"]["err"]
        table[kind] = t
    for t, _ in diff_to_reference(table, ("surface", "neel_total", "diff", "ku_onsite", "ku_on_off", "ku_diff")):
        t["diff_z"] = t["diff"]["diff"] / t["diff"]["diff_err"]
        t["ku_diff_z"] = t["ku_diff"]["diff"] / t["ku_diff"]["diff_err"]
    return [table[k] for k in KINDS if k in table]


def summary_neel_check(out):
    """Markdown lines of :func:`neel_check_table`, with the agreement pooled over the kinds (χ² of the z's)."""
    table = neel_check_table(out)
    if not table:
        return []
    lines = md_head("8 nm sphere, 300 K", "realisations (seeds)", "surface + defect part, measured split (on-site: Néel)",
                    "Néel on − off (reversal barrier)", "difference", "÷ error", "on-site Ku along [110], measured",
                    "degree-2 Ku on − off", "difference", "÷ error",
                    "on-site Ku of the Néel-off run (rows that sampled it)", "CPU s per Néel-off row")
    for t in table:
        koff = _c(t["ku_onsite_off"]) + (f" ({t['ku_onsite_off']['n']})" if 0 < t["ku_onsite_off"]["n"] < t["n"] else "")
        lines.append(f"| {kind_label(t['kind'])} | {t['n']} ({','.join(map(str, t['seeds']))}) | {_c(t['surface'])} | "
                     f"{_c(t['neel_total'])} | {_c(t['diff'])} | {t['z']:+.1f} | {_c(t['ku_onsite'])} | "
                     f"{_c(t['ku_on_off'])} | {_c(t['ku_diff'])} | {t['ku_z']:+.1f} | {koff} | "
                     f"{cpu_cell(t['cpu_s_off'])} |")
    lines += md_head("8 nm sphere, Δ vs reference (J/m³)", "reference", "Δ surface + defect (measured split)",
                     "Δ Néel on − off", "difference", "÷ error", "Δ on-site Ku [110]", "Δ degree-2 Ku on − off",
                     "difference", "÷ error")
    for t in table:
        if "reference" not in t:
            continue
        lines.append(f"| {kind_label(t['kind'])} | {kind_label(t['reference'])} | {_c(t['surface'], 'diff')} | "
                     f"{_c(t['neel_total'], 'diff')} | {_c(t['diff'], 'diff')} | {t['diff_z']:+.1f} | "
                     f"{_c(t['ku_onsite'], 'diff')} | {_c(t['ku_on_off'], 'diff')} | {_c(t['ku_diff'], 'diff')} | "
                     f"{t['ku_diff_z']:+.1f} |")
    from scipy.stats import chi2

    for name, key in (("barrier (per kind)", "z"), ("Ku along [110] (per kind)", "ku_z"),
                      ("barrier, Δ vs reference", "diff_z"), ("Ku along [110], Δ vs reference", "ku_diff_z")):
        z = np.array([t[key] for t in table if np.isfinite(t.get(key, np.nan))])
        if len(z):
            lines.append(f"\nPooled {name}: χ² = {np.sum(z ** 2):.1f} for {len(z)} kinds "
                         f"(p = {chi2.sf(np.sum(z ** 2), len(z)):.2f}), max |z| = {np.max(np.abs(z)):.1f}.")
    return lines


#: the part differences both tables show, in their column order
DIFF_KEYS = ("total", "mc", "shape_part", "surface", "shape_part_rigid", "surface_rigid", "ku_dipolar")


__all__ = ["dipolar_split_table", "summary_dipolar_split", "measured_dipolar", "neel_check_table",
           "summary_neel_check"]
