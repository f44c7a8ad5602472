"""Pictures of labelled structures and spin states: the one cross-section plotter of atomspin.

:func:`plot_cross_section` draws the atoms of a slab (coloured by a label), the vacancies and plane
defects recorded in ``atoms.info["defects"]`` and, when given, the spins as arrows (in-plane
components, coloured by a per-site value or by σ ŝ·n). :func:`plot_particle` is its structure-only
form; ``atomspin.measure.plot_cross_section`` and ``SpinDisorderResult.plot(kind="cross_section")``
call it. :func:`plot_grain_moments` draws one magnetisation arrow per grain on the grain outlines.
"""
from __future__ import annotations

import numpy as np

from atomspin.structures.labels import PLANE_KINDS, defect_records, plane_defects
from atomspin.structures.shapes import get_shape
from atomspin.validation import check_choice, check_real, check_vector

COLOR_BY = ("sublattice", "region", "defect", "grain")
_COLORS = {
    "sublattice": {"A": "tab:red", "B": "tab:blue", "O": "tab:green", "R": "tab:purple"},
    "region": {"core": "tab:blue", "shell": "tab:orange", "apb": "tab:red", "FeO": "tab:purple",
               "spinel": "tab:cyan", "bulk": "tab:gray", "twin": "tab:pink", "fault": "tab:brown",
               "boundary": "tab:olive"},
}
#: zone colour (color_by="defect") and boundary line style per plane-defect kind
_KIND_STYLE = {"apb": ("tab:red", "k", "--"), "twin": ("tab:pink", "tab:purple", "-."),
               "stacking_fault": ("tab:brown", "tab:brown", ":"), "grain_boundary": ("tab:olive", "k", "-")}
_SPIN_AXIS_LABEL = "σ ŝ·n (spin along the reference axis)"


def _fmt(vec):
    """Direction as [h k l] text (integers when the direction is a lattice direction)."""
    v = np.asarray(vec, float)
    k = v / np.abs(v[np.abs(v) > 1e-9]).min()
    if np.allclose(k, np.round(k), atol=1e-6) and np.abs(k).max() < 10:
        return "[" + " ".join(str(int(x)) for x in np.round(k)) + "]"
    return "[" + " ".join(f"{x:.2f}" for x in v) + "]"


def _frame(normal):
    """(n, u, v): unit slab normal and in-plane axes; n = [001] gives u = [100], v = [010]."""
    n = check_vector("normal", normal)
    n = n / np.linalg.norm(n)
    ref = np.array([0.0, 1.0, 0.0]) if abs(n[1]) < 0.9 else np.array([0.0, 0.0, 1.0])
    u = np.cross(ref, n)
    u /= np.linalg.norm(u)
    return n, u, np.cross(n, u)


def _kind_label(kind):
    return PLANE_KINDS.get(kind, (kind, kind))[1]


def _atom_colours(atoms, sel, color_by):
    """Colours of the selected atoms and the legend {label: colour}."""
    if color_by == "defect":
        col = np.full(sel.sum(), "lightgray", dtype=object)
        miss = (atoms.arrays["missing_cation"] > 0) | (atoms.arrays["missing_O"] > 0)
        col[miss[sel]] = "gold"
        col[atoms.arrays["surface"][sel]] = "tab:orange"
        legend = {"bulk-like": "lightgray", "missing neighbours": "gold", "surface": "tab:orange"}
        zone = atoms.arrays.get("defect_zone")
        if zone is not None:
            for rec in plane_defects(atoms):
                c = _KIND_STYLE.get(rec["kind"], ("tab:red",))[0]
                m = zone[sel] == rec["id"]
                if m.any():
                    col[m] = c
                    legend[f"{_kind_label(rec['kind'])} zone"] = c
        elif "apb_zone" in atoms.arrays:  # structures written before defect_zone existed
            col[atoms.arrays["apb_zone"][sel]] = "tab:red"
            legend["APB zone"] = "tab:red"
        return col, legend
    if color_by == "grain":
        g = atoms.arrays["grain"][sel] if "grain" in atoms.arrays else np.zeros(sel.sum(), int)
        cmap = __import__("matplotlib").colormaps["tab20"]
        col = np.array([cmap(int(k) % 20) for k in g], dtype=object)
        return col, {f"grain {k}": cmap(int(k) % 20) for k in sorted(set(g.tolist()))}
    cmap = _COLORS[color_by]
    lab = atoms.arrays[color_by][sel]
    col = np.array([cmap.get(s, "black") for s in lab], dtype=object)
    return col, {k: cmap.get(k, "black") for k in sorted(set(lab))}


def plot_cross_section(atoms=None, *, color_by="sublattice", spins=None, spin_positions_A=None,
                       spin_index=None, values=None, value_label="canting angle (°)", axis=None, sigma=None,
                       normal=(0, 0, 1), slab_nm=0.4, center_A=None, include_oxygen=True, vacancies=True,
                       boundaries=True, path=None, ax=None, title=None, point_size=None, cmap=None, dpi=150):
    """Cross-section of a structure and/or a spin state: everything within ±slab_nm/2 of a plane.

    Parameters
    ----------
    atoms : ase.Atoms, optional
        Labelled structure (atoms coloured by ``color_by``, recorded vacancies and plane defects drawn).
        May be None when ``spins`` and ``spin_positions_A`` are given (spins only).
    color_by : {'sublattice', 'region', 'defect', 'grain'}
        'defect': plane-defect zones in the colour of their kind, surface orange, atoms missing
        neighbours gold, others grey; 'grain': one colour per ``grain`` label.
    spins : (N, 3) unit vectors, optional
        Drawn as arrows (in-plane components) at ``spin_positions_A`` (Å), or at
        ``atoms.positions[spin_index]`` (e.g. ``SpinModel.atom_index``), or at the atoms themselves
        when N = len(atoms).
    values : (N,) float, optional
        Arrow colour per spin (e.g. canting angles, labelled ``value_label``); default σ_i ŝ_i·n with
        the reference ``axis`` (default the net spin direction) and signs ``sigma`` (0 → +1).
    normal : 3 floats, slab normal in the crystal (Cartesian) axes.
    slab_nm : float > 0, nm, slab thickness.
    center_A : 3 floats, Å, optional: a point of the slab's mid-plane (default: the particle centre).
    include_oxygen, vacancies, boundaries : bool
        Draw O atoms; recorded vacancy sites (open squares); plane-defect traces (lines; bounded grain
        boundaries as segments over their zone).
    path : str or Path, optional: save the figure there (PNG, at ``dpi`` ≥ 150).
    ax : matplotlib Axes, optional.

    Returns
    -------
    matplotlib Figure. Axes are in nm along the named crystal directions.
    """
    from matplotlib import pyplot as plt

    check_choice("color_by", color_by, COLOR_BY)
    n, u, v = _frame(normal)
    slab = check_real("slab_nm", slab_nm, 0.0, None, lo_open=True) * 10.0
    dpi = max(150, int(check_real("dpi", dpi, 1.0, 2400.0)))
    if atoms is None and (spins is None or spin_positions_A is None):
        raise ValueError("atoms: give a labelled structure, or spins together with spin_positions_A")
    sp = None
    if spins is not None:
        s = np.asarray(spins, dtype=np.float64)
        if s.ndim != 2 or s.shape[1] != 3 or not np.all(np.isfinite(s)):
            raise ValueError(f"spins: expected a finite (N, 3) array, got shape {s.shape}")
        if spin_positions_A is not None:
            sp = np.asarray(spin_positions_A, dtype=np.float64)
        elif spin_index is not None:
            sp = atoms.positions[np.asarray(spin_index, dtype=np.int64)]
        elif len(s) == len(atoms):
            sp = atoms.positions
        else:
            raise ValueError(f"spins: {len(s)} spins for {len(atoms)} atoms; pass spin_index or spin_positions_A")
        if sp.shape != s.shape:
            raise ValueError(f"spin_positions_A: expected shape {s.shape}, got {sp.shape}")
    if center_A is not None:
        c = check_vector("center_A", center_A, allow_zero=True)
    else:
        shape = get_shape(atoms) if atoms is not None else None
        c = (np.asarray(shape["center_A"], float) if shape else
             (atoms.positions if atoms is not None else sp).mean(axis=0))
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 6), layout="constrained")
    else:
        fig = ax.figure
    extent = []
    legend = {}
    if atoms is not None:
        rel = atoms.positions - c
        sel = np.abs(rel @ n) <= slab / 2
        if not include_oxygen:
            sel &= atoms.numbers != 8
        xy = np.stack([rel[sel] @ u, rel[sel] @ v], axis=1) / 10.0
        col, legend = _atom_colours(atoms, sel, color_by)
        size = point_size if point_size is not None else max(1.0, 4000.0 / max(len(xy), 1) ** 0.75)
        alpha = 1.0 if spins is None else 0.35
        ax.scatter(xy[:, 0], xy[:, 1], c=list(col), s=size, linewidths=0, alpha=alpha, zorder=1)
        extent.append(xy)
        if vacancies:
            vs = [np.asarray(r["sites_A"], float).reshape(-1, 3) for r in defect_records(atoms) if r.get("sites_A")]
            if vs:
                vr = np.concatenate(vs) - c
                vr = vr[np.abs(vr @ n) <= slab / 2]
                if len(vr):
                    ax.scatter(vr @ u / 10.0, vr @ v / 10.0, marker="s", facecolors="none", edgecolors="k",
                               s=max(6.0, 2 * size), linewidths=0.6, zorder=3, label=f"vacancy ({len(vr)} in slab)")
        if boundaries:
            _draw_boundaries(ax, atoms, c, n, u, v, sel, xy)
    if spins is not None:
        rel = sp - c
        m = np.abs(rel @ n) <= slab / 2
        if values is None:
            if axis is None:
                axis = s.sum(axis=0)
            axis = np.asarray(axis, dtype=np.float64)
            axis = axis / (np.linalg.norm(axis) or 1.0)
            sg = np.ones(len(s)) if sigma is None else np.where(np.asarray(sigma) == 0, 1.0, sigma)
            colv, clim, label, cm = sg[m] * (s[m] @ axis), (-1.0, 1.0), _SPIN_AXIS_LABEL, cmap or "coolwarm"
        else:
            colv = np.nan_to_num(np.asarray(values, dtype=np.float64)[m])
            hi = max(float(np.percentile(colv, 98)), 1e-9) if len(colv) else 1.0
            clim, label, cm = (0.0, hi), value_label, cmap or "viridis"
        xs = np.stack([rel[m] @ u, rel[m] @ v], axis=1) / 10.0
        q = ax.quiver(xs[:, 0], xs[:, 1], s[m] @ u, s[m] @ v, colv, cmap=cm, clim=clim, pivot="mid",
                      angles="xy", scale_units="xy", scale=1.0 / 0.22, width=0.004, zorder=4)
        fig.colorbar(q, ax=ax, label=label, shrink=0.6, location="bottom", pad=0.02)
        extent.append(xs)
    for k, colr in legend.items():
        ax.scatter([], [], color=colr, label=k, s=20)
    allxy = np.concatenate(extent) if extent else np.zeros((0, 2))
    lim = np.abs(allxy).max() * 1.08 if len(allxy) else 1.0
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(f"position along {_fmt(u)} (nm)")
    ax.set_ylabel(f"position along {_fmt(v)} (nm)")
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    if uniq:
        ax.legend(uniq.values(), uniq.keys(), loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
    if title is None:
        phase = atoms.info.get("phase", "") if atoms is not None else ""
        what = f"by {color_by}" if atoms is not None else ""
        if spins is not None:
            what = (what + ", spins" if what else "spins")
        title = f"{phase} cross-section ⊥ {_fmt(n)}, {slab / 10:.2g} nm slab, {what}".replace("  ", " ")
    ax.set_title(title.strip(), fontsize=9)
    if path is not None:
        fig.savefig(str(path), dpi=dpi)
    return fig


def _draw_boundaries(ax, atoms, c, n, u, v, sel, xy):
    """Traces of the recorded plane defects in the slab (one legend entry per kind)."""
    zone = atoms.arrays.get("defect_zone")
    ext = np.abs(xy).max() * 10.0 * 1.1 if len(xy) else 10.0
    for rec in plane_defects(atoms):
        pn = np.asarray(rec["normal"], float)
        line = np.cross(pn, n)  # direction of the plane's trace in the slab
        if np.linalg.norm(line) < 1e-8:
            continue
        line /= np.linalg.norm(line)
        q = np.asarray(rec["point_A"], float) - c
        perp = np.cross(n, line)  # in the slab mid-plane, ⊥ the trace: the trace point nearest to c
        p0 = (q @ pn) / (perp @ pn) * perp  # not a site sum
        lo, hi = -ext, ext
        if rec.get("bounded"):
            if zone is None:
                continue
            z = (zone == rec["id"]) & sel
            if not z.any():
                continue
            t = (atoms.positions[z] - c - p0) @ line
            lo, hi = t.min(), t.max()
        _, lc, ls = _KIND_STYLE.get(rec["kind"], ("", "k", "--"))
        pts = np.array([p0 + lo * line, p0 + hi * line])
        ax.plot(pts @ u / 10.0, pts @ v / 10.0, color=lc, ls=ls, lw=1.2, label=_kind_label(rec["kind"]), zorder=2)


def plot_particle(atoms, color_by="sublattice", *, normal=(0, 0, 1), slab_nm=0.4, include_oxygen=True,
                  path=None, ax=None, point_size=None):
    """Cross-section picture of a structure: :func:`plot_cross_section` without spins.

    ``color_by`` in {'sublattice', 'region', 'defect', 'grain'}; plane defects (from
    ``info["defects"]``) are drawn as lines labelled by their kind ("APB", "twin boundary", …) and
    recorded vacancies as open squares. Returns the matplotlib Figure."""
    return plot_cross_section(atoms, color_by=color_by, normal=normal, slab_nm=slab_nm,
                              include_oxygen=include_oxygen, path=path, ax=ax, point_size=point_size)


def grain_moments(atoms, spins, spin_index=None):
    """Magnetisation per grain: {grain: (M vector in μB (3,), number of spins)} of Σ m_i ŝ_i over the
    spins of each grain (``moment_muB`` and ``grain`` labels of ``atoms``; ``spin_index`` maps the
    spins to atoms, default all atoms with a moment)."""
    s = np.asarray(spins, dtype=np.float64)
    idx = (np.flatnonzero(atoms.arrays["moment_muB"] > 0) if spin_index is None
           else np.asarray(spin_index, dtype=np.int64))
    if s.shape != (len(idx), 3):
        raise ValueError(f"spins: expected shape ({len(idx)}, 3), got {s.shape}")
    g = atoms.arrays["grain"][idx] if "grain" in atoms.arrays else np.zeros(len(idx), int)
    w = atoms.arrays["moment_muB"][idx]
    return {int(k): ((w[g == k, None] * s[g == k]).sum(axis=0), int(np.sum(g == k))) for k in np.unique(g)}


def plot_grain_moments(atoms, spins, spin_index=None, *, normal=(0, 0, 1), path=None, ax=None, title=None,
                       dpi=150):
    """Per-grain magnetisation directions on the particle outline (projection along ``normal``).

    Each grain is drawn as the outline (convex hull) of its projected atoms, with one arrow from its
    centroid along the in-plane part of its magnetisation M_g = Σ m_i ŝ_i (black, length ∝ in-plane
    fraction of |M_g|) and a ⊙/⊗ coloured and sized by the out-of-plane component M_g·n/|M_g|; the
    legend lists |M_g| per spin in μB. Returns the matplotlib Figure.
    """
    from matplotlib import pyplot as plt
    from scipy.spatial import ConvexHull

    n, u, v = _frame(normal)
    mom = grain_moments(atoms, spins, spin_index)
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 7.5), layout="constrained")
    else:
        fig = ax.figure
    shape = get_shape(atoms)
    c = np.asarray(shape["center_A"], float) if shape else atoms.positions.mean(axis=0)
    g_all = atoms.arrays["grain"] if "grain" in atoms.arrays else np.zeros(len(atoms), int)
    cmap = plt.colormaps["tab20"]
    norm = plt.Normalize(-1.0, 1.0)
    arrows = []
    for k, (M, cnt) in mom.items():
        p = (atoms.positions[g_all == k] - c) / 10.0
        xy = np.stack([p @ u, p @ v], axis=1)
        if len(xy) >= 3:
            h = ConvexHull(xy)
            poly = xy[np.append(h.vertices, h.vertices[0])]
            ax.fill(poly[:, 0], poly[:, 1], color=cmap(k % 20), alpha=0.25, lw=0)
            ax.plot(poly[:, 0], poly[:, 1], color=cmap(k % 20), lw=1.0)
        size = np.sqrt(max(np.ptp(xy[:, 0]) * np.ptp(xy[:, 1]), 1e-6)) if len(xy) else 1.0
        mag = np.linalg.norm(M)
        m = M / mag if mag > 0 else np.zeros(3)
        cen = xy.mean(axis=0) if len(xy) else np.zeros(2)
        arrows.append((cen, 0.45 * size * np.array([m @ u, m @ v]), m @ n))
        ax.plot([], [], color=cmap(k % 20), lw=4,
                label=f"grain {k}: |M|/N = {mag / max(cnt, 1):.2f} μB, M·n/|M| = {m @ n:+.2f}")
    for cen, d, mz in arrows:
        col = plt.colormaps["coolwarm"](norm(mz))
        if np.linalg.norm(d) > 1e-3:
            ax.annotate("", xy=cen + d / 2, xytext=cen - d / 2,
                        arrowprops=dict(arrowstyle="-|>", lw=2.4, mutation_scale=20, color="k"))
        # out-of-plane part: ⊙ (towards the viewer, along n) or ⊗, sized by |M·n|/|M|
        ax.text(*cen, "⊙" if mz >= 0 else "⊗", ha="center", va="center", color=col,
                fontsize=6 + 10 * abs(mz), zorder=5)
    sm = plt.cm.ScalarMappable(norm=norm, cmap="coolwarm")
    fig.colorbar(sm, ax=ax, label=f"out-of-plane component M·n/|M| (n = {_fmt(n)})", shrink=0.7)
    ax.set_aspect("equal")
    ax.set_xlabel(f"position along {_fmt(u)} (nm)")
    ax.set_ylabel(f"position along {_fmt(v)} (nm)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=7, ncol=2)
    ax.set_title(title or f"magnetisation per grain, projected along {_fmt(n)}", fontsize=9)
    if path is not None:
        fig.savefig(str(path), dpi=max(150, int(dpi)))
    return fig
