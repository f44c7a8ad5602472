"""The figures of a report: results against what was varied, curves with their reference, structures.

Every figure is written at :data:`DPI` (≥ 150) with axes in words and units, a legend, and error bars
(standard errors) wherever the rows carry them:

``scalars.png``
    One panel per headline result (every one a step declares, none dropped). Against the swept variable
    (δ, diameter, T, …) when the study sweeps one — one line per variant — else one point per variant, the
    reference variant (``defect-free``, or the first) as a dashed line with its ±1σ band. Open markers: not
    resolved (|value| < 2σ); values that are not numbers are named in the panel.
``<curve>.png``
    The curves the steps declare (``CURVES`` of :mod:`atomspin.batch.steps`): loops with descending (solid,
    ▼) and ascending (dashed, ▲) branches, canting profiles, torques, M(T) and χ(T). The reference variant is
    black and drawn first; more than :data:`OVERLAY_MAX` curves get one panel per variant, coloured by the
    swept value. One seed per variant/sweep point (the first) is drawn.
``structures.png``
    Cross-sections of one particle per variant (:func:`atomspin.structures.plot_cross_section`): atoms by
    defect zone with a colour legend, vacancies as open squares, plane defects as lines, the final spins
    as arrows coloured by σ ŝ·n (σ = −1 on A sites, +1 on B sites: 1 is the ideal ferrimagnetic order).
plus the figures of steps with a ``report_figures`` function (MPI spectrum and PSF, MRI relaxivity).
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np

from atomspin.batch.paths import inside, safe_filename
from atomspin.batch.quantities import is_number, key_label, path_label, resolved

__all__ = ["DPI", "OVERLAY_MAX", "make_figures", "scalar_figure", "curve_figures", "structure_figure",
           "Entry", "entries"]

#: resolution of every report figure (dots per inch)
DPI = 150
#: at most this many curves share one panel
OVERLAY_MAX = 8
#: preferred abscissae of arrays of steps that declare no curves (first match wins)
_X_NAMES = ("fields_T", "depth_bins_nm", "distance_bins_nm", "T", "T_K", "theta")
_MARKERS = "osD^v<>ph*"
#: thickness of the structure cross-sections (nm): two B-site layers along [001] (a/4 = 0.21 nm apart)
SLAB_NM = 0.5


def _plt():
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    return plt


def _wrap(text, width=34) -> str:
    from atomspin.batch.report import mpl_text
    return "\n".join(textwrap.wrap(mpl_text(text), width)) or mpl_text(text)


class Entry:
    """One row (or seed-averaged group) as drawn: its label, colour, marker and line style."""

    def __init__(self, row, label, color, marker, reference):
        self.row, self.label, self.color, self.marker, self.reference = row, label, color, marker, reference


def entries(study, groups=True) -> list:
    """Drawing styles: the reference variant black with circles, the other variants C0, C1, … with their own
    markers (the same for every point of a variant)."""
    others = [v for v in study.variants if v != study.reference]
    style = {study.reference: ("black", "o")}
    for i, v in enumerate(others):
        style[v] = (f"C{i % 10}", _MARKERS[(i + 1) % len(_MARKERS)])
    src = study.groups if groups else study.rows
    out = []
    for r in src:
        c, m = style.get(str(r.get("variant", "")), ("gray", "o"))
        out.append(Entry(r, study.label(r), c, m, str(r.get("variant")) == study.reference))
    return out


def _save(fig, path) -> Path:
    fig.savefig(path, dpi=DPI)
    _plt().close(fig)
    return Path(path)


def _grid(n, w, h, ncol_max=3):
    plt = _plt()
    ncol = max(1, min(ncol_max, n))
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(w * ncol, h * nrow), squeeze=False, layout="constrained")
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n]


def _suptitle(fig, title, study):
    from atomspin.batch.report import mpl_text
    cond = study.condition_lines()
    width = max(40, int(fig.get_figwidth() * 13))  # characters of 9-pt text that fit the figure
    text = _wrap(title, width) + ("\n" + _wrap("; ".join(cond), width) if cond else "")
    fig.suptitle(text, fontsize=9)


# --------------------------------------------------------------------------------------------- scalars
def scalar_figure(study, out, title="") -> list:
    """``scalars.png``: every plotted headline result against the swept variable, or per variant."""
    from atomspin.batch.report import label_of, plotted, result_keys

    keys = [k for k in result_keys(study.rows) if plotted(k) and any(
        is_number(g.get(k)) for g in study.groups)]
    if not study.groups or not keys:
        return []
    ents = entries(study)
    xpath = None
    if study.axis_paths and study.axis_paths[0] in study.numeric_swept:
        xpath = max((p for p in study.axis_paths if p in study.numeric_swept),
                    key=lambda p: len({repr(study.points.get(e.row['group_ids'][0], {}).get(p)) for e in ents}))
    fig, axes = _grid(len(keys), 4.3, 3.4)
    for ax, k in zip(axes, keys):
        if xpath is None:
            _per_variant(ax, study, ents, k)
        else:
            _against(ax, study, ents, k, xpath)
        ax.set_ylabel(_wrap(label_of(k), 32), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    _legend_scalars(axes[0], ents, xpath is None)
    _suptitle(fig, title or "results with standard errors", study)
    return [_save(fig, out / "scalars.png")]


def _point(ax, x, y, e, ent, label=None):
    ok = resolved(y, e)
    ax.errorbar([x], [y], yerr=None if not math.isfinite(e) else [e], fmt=ent.marker, color=ent.color, ms=6,
                mfc=ent.color if ok else "white", capsize=3, elinewidth=1, label=label)


def _per_variant(ax, study, ents, k):
    from atomspin.batch.report import mpl_text
    missing = []
    from atomspin.batch.report import scaled
    for i, ent in enumerate(ents):
        y, e = scaled(ent.row, k)
        if not math.isfinite(y):
            missing.append(ent.label)
            continue
        _point(ax, i, y, e, ent)
        if ent.reference:
            if math.isfinite(e):
                ax.axhspan(y - e, y + e, color="0.88", zorder=0)
            ax.axhline(y, color="black", ls="--", lw=0.8, zorder=1)
    ax.set_xticks(range(len(ents)), [_wrap(e.label, 16) for e in ents], fontsize=7)
    ax.set_xlim(-0.6, len(ents) - 0.4)
    if missing:
        ax.text(0.02, 0.02, mpl_text("n/a: " + ", ".join(missing)), transform=ax.transAxes, fontsize=6, color="0.3")


def _against(ax, study, ents, k, xpath):
    from atomspin.batch.report import mpl_text
    label, scale = path_label(xpath)
    series: dict = {}
    for ent in ents:
        point = study.points.get(ent.row["group_ids"][0], {})
        others = tuple((p, point.get(p)) for p in study.axis_paths if p != xpath)
        series.setdefault((str(ent.row.get("variant")), others), []).append((point.get(xpath), ent))
    missing = []
    for (variant, others), pts in series.items():
        pts.sort(key=lambda t: t[0])
        ent0 = pts[0][1]
        xs, ys, es = [], [], []
        from atomspin.batch.report import scaled
        for x, ent in pts:
            y, e = scaled(ent.row, k)
            if math.isfinite(y):
                xs.append(float(x) * scale)
                ys.append(y)
                es.append(e)
                _point(ax, xs[-1], ys[-1], e, ent)
            else:
                missing.append(f"{x * scale:g}")
        name = variant + "".join(f", {p.rsplit('.', 1)[-1]} = {v}" for p, v in others)
        ax.plot(xs, ys, "-" if not ent0.reference else "--", color=ent0.color, lw=1, label=mpl_text(name))
    ax.set_xlabel(_wrap(label, 40), fontsize=8)
    if missing:
        ax.text(0.02, 0.02, mpl_text(f"n/a at {', '.join(missing)}"), transform=ax.transAxes, fontsize=6, color="0.3")


def _legend_scalars(ax, ents, categorical):
    from matplotlib.lines import Line2D

    from atomspin.batch.report import mpl_text
    handles, labels = ax.get_legend_handles_labels()
    extra = [Line2D([], [], marker="o", ls="", mfc="white", color="0.3"),
             Line2D([], [], marker="o", ls="", color="0.3")]
    extra_l = ["open: not resolved (|x| < 2σ)", "filled: resolved"]
    if categorical and any(e.reference for e in ents):
        extra.append(Line2D([], [], ls="--", color="black"))
        extra_l.append(mpl_text(f"reference ({next(e.label for e in ents if e.reference)}) ± 1σ"))
    ax.legend(handles + extra, labels + extra_l, fontsize=6, loc="best")


# ---------------------------------------------------------------------------------------------- curves
def _specs(study, arrays_of) -> list:
    """(step, spec) of the declared curves, plus heuristic ones for steps without declarations."""
    from atomspin.batch.steps import REGISTRY

    out = []
    declared = set()
    for name, st in REGISTRY.items():
        for spec in st.curves:
            out.append((name, spec))
            declared.add(name)
    seen = set()
    for r in study.rows:
        for step, d in arrays_of(r).items():
            if step in declared or step in seen or not isinstance(d, dict) or step in (
                    "atoms_labels", "atoms_info", "final_state"):
                continue
            seen.add(step)
            arrs = {k: np.asarray(v) for k, v in d.items()}
            xs = [n for n in _X_NAMES if n in arrs and arrs[n].ndim == 1 and arrs[n].size > 1]
            for x in xs[:1]:
                ys = tuple((k, key_label(k), 1.0, f"{k}_err") for k, v in arrs.items()
                           if k != x and v.ndim == 1 and v.shape == arrs[x].shape and np.issubdtype(v.dtype, np.number)
                           and not k.endswith(("_err", "_sem", "_count")))[:4]
                if ys:
                    out.append((step, {"file": safe_filename(step, "curves"), "title": key_label(step), "x": x,
                                       "xlabel": key_label(x), "y": ys, "all_y": True}))
    return out


def _branches(x):
    d = np.sign(np.diff(x))
    cuts = [0] + [k + 1 for k in range(len(d) - 1) if d[k] != d[k + 1] and d[k + 1] != 0] + [len(x) - 1]
    return [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1)]


def _draw_curve(ax, x, y, e, color, label, branches, marker, lw=1.2, ls="-"):
    if branches:
        for i, (a, b) in enumerate(_branches(x)):
            down = x[b] < x[a]
            sl = slice(a, b + 1)
            ax.errorbar(x[sl], y[sl], yerr=None if e is None else e[sl], fmt="v-" if down else "^--", color=color,
                        ms=3, lw=lw, elinewidth=0.7, capsize=1.5, label=label if i == 0 else None)
    else:
        ax.errorbar(x, y, yerr=e, fmt=marker + ls, color=color, ms=3, lw=lw, elinewidth=0.7, capsize=1.5, label=label)


def curve_figures(store, rows_by_id, study, out, title="") -> list:
    """One PNG per declared curve (``CURVES``) that the rows hold."""
    from matplotlib.lines import Line2D

    from atomspin.batch.report import mpl_text

    cache: dict = {}

    def arrays_of(r):
        if r["id"] not in cache:
            try:
                cache[r["id"]] = store.arrays(rows_by_id[r["id"]])
            except Exception:  # noqa: BLE001 - a row without readable arrays draws no curve
                cache[r["id"]] = {}
        return cache[r["id"]]

    files = []
    ents = entries(study)
    for step, spec in _specs(study, arrays_of):
        if spec.get("needs") and not any(r.get(spec["needs"]) for r in study.rows):
            continue
        drawn = []
        for ent in ents:
            first = next((r for r in study.rows if r["id"] == ent.row["group_ids"][0]), None)
            d = arrays_of(first).get(step) if first is not None else None
            if not isinstance(d, dict) or spec["x"] not in d:
                continue
            x = np.asarray(d[spec["x"]], dtype=float) * spec.get("xscale", 1.0)
            ys = [(k, lab, sc, ek) for k, lab, sc, ek in spec["y"] if k in d]
            if not ys:
                continue
            if not spec.get("all_y"):
                ys = ys[:1]
            curves = []
            for k, lab, sc, ek in ys:
                y = np.atleast_2d(np.asarray(d[k], dtype=float))[0] * sc
                e = d.get(ek)
                e = None if e is None else np.atleast_2d(np.asarray(e, dtype=float))[0] * abs(sc)
                if y.shape != x.shape:
                    continue
                curves.append((lab, y, None if e is None or e.shape != x.shape else e))
            if curves:
                drawn.append((ent, first, x, curves))
        if not drawn:
            continue
        n_y = max(len(c[3]) for c in drawn)
        per_variant = len(drawn) > OVERLAY_MAX
        panels = list(dict.fromkeys(str(c[0].row.get("variant")) for c in drawn)) if per_variant else [None]
        fig, axes = _grid(len(panels) * n_y, 5.0, 3.8)
        for pi, var in enumerate(panels):
            sub = [c for c in drawn if var is None or str(c[0].row.get("variant")) == var]
            cmap = _plt().get_cmap("viridis")
            for j in range(n_y):
                ax = axes[pi * n_y + j]
                for i, (ent, first, x, curves) in enumerate(sorted(sub, key=lambda c: not c[0].reference)):
                    if j >= len(curves):
                        continue
                    lab, y, e = curves[j]
                    color = cmap(i / max(len(sub) - 1, 1)) if per_variant else ent.color
                    ref_text = spec.get("reference_text")
                    has = first.get(spec.get("needs")) if spec.get("needs") else True
                    label = ent.label + (f" ({ref_text})" if ref_text and not has else "")
                    _draw_curve(ax, x, y, e, "0.45" if (ref_text and not has) else color, mpl_text(label),
                                spec.get("branches"), ent.marker, lw=1.6 if ent.reference else 1.1,
                                ls="--" if (ref_text and not has) else "-")
                    ax.set_ylabel(_wrap(lab, 40), fontsize=8)
                ax.set_xlabel(_wrap(spec["xlabel"], 50), fontsize=8)
                ax.axhline(0, color="0.8", lw=0.5, zorder=0)
                ax.grid(alpha=0.3)
                ax.tick_params(labelsize=7)
                handles, labels = ax.get_legend_handles_labels()
                if spec.get("branches"):
                    handles += [Line2D([], [], color="0.3", marker="v", ls="-", ms=4),
                                Line2D([], [], color="0.3", marker="^", ls="--", ms=4)]
                    labels += ["descending branch (+H → −H)", "ascending branch (−H → +H)"]
                ax.legend(handles, labels, fontsize=6, loc="best")
                if var is not None:
                    ax.set_title(mpl_text(var), fontsize=8)
        seeds = " (first seed of each)" if any(g.get("n_seeds", 1) > 1 for g in study.groups) else ""
        _suptitle(fig, (title + ": " if title else "") + spec.get("title", step) + seeds, study)
        path = inside(out, f"{safe_filename(spec['file'], 'curves')}.png")
        files.append(_save(fig, path))
    return files


# ------------------------------------------------------------------------------------------- structures
def _structure_panel(ax, atoms, state):
    """Cross-section of one stored particle (labelled: the structures plotter; unlabelled: by element)."""
    from atomspin.batch.report import mpl_text
    labelled = all(k in atoms.arrays for k in ("sublattice", "surface", "missing_cation", "missing_O"))
    spins = idx = sigma = None
    if state and "atom_index" in state:
        idx = np.asarray(state["atom_index"], dtype=int)
        spins = np.asarray(state["spins"], dtype=float)
        if labelled:
            sub = np.asarray(atoms.arrays["sublattice"]).astype(str)[idx]
            sigma = np.where(sub == "A", -1.0, 1.0)
    if labelled:
        from atomspin.structures import plot_cross_section

        kinds = [r for r in _defect_kinds(atoms)]
        plot_cross_section(atoms, color_by="defect" if kinds else "sublattice", spins=spins, spin_index=idx,
                           sigma=sigma, ax=ax, title="", slab_nm=SLAB_NM)
        return
    pos = atoms.get_positions()
    sym = np.array(atoms.get_chemical_symbols())
    for i, s in enumerate(sorted(set(sym))):
        m = sym == s
        ax.scatter(pos[m, 0] / 10, pos[m, 1] / 10, s=12, color=f"C{i}", label=mpl_text(s))
    ax.set_xlabel("x (nm)")
    ax.set_ylabel("y (nm)")
    ax.set_aspect("equal")
    ax.legend(fontsize=7, title="element", title_fontsize=7)


def _defect_kinds(atoms):
    import json
    try:
        recs = json.loads(atoms.info.get("defects", "[]"))
    except (TypeError, ValueError):
        return []
    return [r.get("type") for r in recs if isinstance(r, dict)]


def structure_figure(store, rows_by_id, study, out, title="") -> list:
    """``structures.png``: one cross-section per variant (its first row), at most six."""
    from atomspin.batch.report import mpl_text, row_atoms

    picks, seen = [], set()
    for r in study.rows:
        v = str(r.get("variant", ""))
        if v in seen or not r.get("natoms"):
            continue
        seen.add(v)
        picks.append(r)
    picks = picks[:6]
    if not picks:
        return []
    fig, axes = _grid(len(picks), 6.4, 5.6, ncol_max=2 if len(picks) in (2, 4) else 3)
    for ax, r in zip(axes, picks):
        row = rows_by_id[r["id"]]
        atoms = row_atoms(store, row)
        try:
            state = store.arrays(row).get("final_state")
        except Exception:  # noqa: BLE001
            state = None
        _structure_panel(ax, atoms, state)
        ax.set_title(mpl_text(f"{study.label(r)}: {atoms.get_chemical_formula()}"), fontsize=8)
    shown = "final spins: arrows coloured by σ ŝ·n (σ = −1 on A, +1 on B sites)" if any(
        "final_state" in store.arrays(rows_by_id[r["id"]]) for r in picks) else ""
    _suptitle(fig, (title + ": " if title else "") + "central cross-sections" + (f"; {shown}" if shown else ""), study)
    return [_save(fig, out / "structures.png")]


def make_figures(store, rows_by_id, study, out, title="") -> list:
    """All figures of a report (see the module docstring); returns their paths."""
    from atomspin.batch.steps import REGISTRY

    out = Path(out)
    files = scalar_figure(study, out, title)
    files += curve_figures(store, rows_by_id, study, out, title)
    files += structure_figure(store, rows_by_id, study, out, title)
    for name, st in REGISTRY.items():
        if st.report_figures is not None and any(name in str(r.get("steps", "")).split(",") for r in study.rows):
            files += list(st.report_figures(study, entries(study), out) or [])
    return files
