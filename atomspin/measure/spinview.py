"""Spin configurations in 3-D: one arrow per spin at its site, turnable in a notebook.

:func:`view_spins` draws a model's spins with plotly (interactive, works offline: the figure carries
plotly.js, ``path="x.html"`` writes a self-contained page) when it is installed (``pip install
"atomspin[notebooks]"``) and with matplotlib's 3-D quiver otherwise. To look at the same state in OVITO or
``ase gui`` write it with ``structures.write_structure(atoms, path, model=model)``.
"""
from __future__ import annotations

import numpy as np

from atomspin.measure.disorder import canting_angles, local_canting_angles
from atomspin.validation import check_choice, check_positive
from atomspin.model.sums import site_gram

BACKENDS = ("auto", "plotly", "matplotlib")
COLOR_BY = ("local_canting", "canting", "sublattice")
#: colours of the site families (A tetrahedral, B octahedral, R rock-salt, other)
FAMILY_COLORS = {"A": "#1f77b4", "B": "#d62728", "R": "#2ca02c"}
FAMILY_WORDS = {"A": "A sites (tetrahedral)", "B": "B sites (octahedral)", "R": "R sites (rock salt)"}
_SCALAR_LABEL = {"local_canting": "local canting angle (deg)", "canting": "canting angle from the Néel axis (deg)"}


def plotly_available():
    """True when plotly can be imported (the optional viewer of the ``[notebooks]`` extra)."""
    try:
        import plotly.graph_objects  # noqa: F401
    except ImportError:
        return False
    return True


def view_spins(model, spins=None, *, color_by="local_canting", mask=None, backend="auto", arrow_length_A=2.5,
               title=None, path=None):
    """Draw a spin configuration in 3-D: an arrow along ŝ_i at every shown site.

    Parameters
    ----------
    model : SpinModel
        Positions (Å), sublattice labels and exchange neighbours of the spins.
    spins : (N, 3) array_like, optional
        Unit spins in the model's site order (default ``model.spins``, the current state).
    color_by : {'local_canting', 'canting', 'sublattice'}
        Colour of the sites: ``'local_canting'`` the angle (deg) between σ_i ŝ_i and the direction of its
        exchange neighbours (:func:`~atomspin.measure.local_canting_angles`: shows the canting at an APB,
        a vacancy or the surface without counting a rotated domain); ``'canting'`` the angle (deg) from the
        one Néel axis of the particle (:func:`~atomspin.measure.canting_angles`); ``'sublattice'`` one colour
        per site family. The arrows are coloured by classes of the angle (:data:`CANTING_BINS_DEG`, legend
        with counts); A and B spins of the ferrimagnet point opposite ways.
    mask : (N,) bool array_like, optional
        Spins to show (default all), e.g. a slab through a defect plane:
        ``measure.distance_to_plane_nm(model.positions, apb_record) < 1.0``. Canting angles are computed on the
        whole particle first.
    backend : {'auto', 'plotly', 'matplotlib'}
        ``'auto'``: plotly when installed, else matplotlib.
    arrow_length_A : float
        Arrow length in Å (> 0); the nearest Fe–Fe distance is ≈ 3 Å.
    title : str, optional
    path : str or path-like, optional
        Also write the figure: plotly to a self-contained HTML page (``.html``), matplotlib to an image.

    Returns
    -------
    plotly.graph_objects.Figure or matplotlib.figure.Figure
        ``fig.show()`` (plotly) displays it in a notebook.
    """
    backend = check_choice("backend", backend, BACKENDS)
    color_by = check_choice("color_by", color_by, COLOR_BY)
    length = check_positive("arrow_length_A", arrow_length_A)
    s = model.spins if spins is None else spins
    s = np.asarray(s, dtype=np.float64)
    if s.shape != (model.n, 3) or not np.all(np.isfinite(s)):
        raise ValueError(f"spins: expected finite shape ({model.n}, 3), got {s.shape}")
    if not np.allclose(np.linalg.norm(s, axis=1), 1.0, atol=1e-6):
        raise ValueError("spins: must be unit vectors")
    if mask is None:
        show = np.ones(model.n, dtype=bool)
    else:
        show = np.asarray(mask)
        if show.shape != (model.n,) or show.dtype != bool:
            raise ValueError(f"mask: expected ({model.n},) booleans, got shape {show.shape} dtype {show.dtype}")
        if not show.any():
            raise ValueError("mask: selects no spin")
    if backend == "auto":
        backend = "plotly" if plotly_available() else "matplotlib"
    elif backend == "plotly" and not plotly_available():
        raise ValueError("backend: 'plotly' is not installed (pip install \"atomspin[notebooks]\"); "
                         "use backend='matplotlib'")
    fam = (np.asarray(model.sublattice).astype(str) if model.sublattice is not None
           else np.full(model.n, "?"))
    value = None
    if color_by == "local_canting":
        value = local_canting_angles(model, s)
    elif color_by == "canting":
        value = canting_angles(model, s)[0]
    data = dict(pos=model.positions[show], s=s[show], fam=fam[show],
                value=None if value is None else value[show], color_by=color_by, length=length,
                title=title or f"{int(show.sum())} spins", n_total=model.n)
    fig = _plotly(data) if backend == "plotly" else _matplotlib(data)
    if path is not None:
        if backend == "plotly":
            fig.write_html(str(path), include_plotlyjs=True)  # offline: plotly.js is embedded
        else:
            fig.savefig(str(path), dpi=150)
    return fig


def _view_direction(pos):
    """Unit vector along the thinnest extent of the shown sites (a slab is seen face on), for the camera."""
    if len(pos) < 3:
        return np.array([1.0, 1.0, 1.0]) / np.sqrt(3.0)
    c = pos - pos.mean(axis=0)
    vals, vecs = np.linalg.eigh(site_gram(c))
    if vals[1] - vals[0] < 0.2 * vals[2]:  # no thin direction (a whole particle): the usual oblique view
        return np.array([1.25, 1.25, 1.0]) / np.linalg.norm([1.25, 1.25, 1.0])
    n = vecs[:, 0]
    return n if n[np.argmax(np.abs(n))] > 0 else -n


def _families(fam):
    return [f for f in ("A", "B", "R") if np.any(fam == f)] + sorted(set(fam) - {"A", "B", "R"})


#: canting-angle classes (deg) of the interactive view: one arrow colour per class
CANTING_BINS_DEG = (0.0, 5.0, 10.0, 20.0, 40.0, 90.0, 180.0)


def _classes(d):
    """(label, colour, mask) per arrow group: canting classes, or site families."""
    fam = d["fam"]
    if d["value"] is None:
        return [(f"spins on {FAMILY_WORDS.get(f, f)}", FAMILY_COLORS.get(f, "#7f7f7f"), fam == f)
                for f in _families(fam)]
    from matplotlib import colormaps

    v, edges = d["value"], CANTING_BINS_DEG
    cmap = colormaps["viridis"]
    word = "local canting" if d["color_by"] == "local_canting" else "canting"
    out = []
    for k, (lo, hi) in enumerate(zip(edges[:-1], edges[1:])):
        sel = (v >= lo) & ((v < hi) if k < len(edges) - 2 else (v <= hi))
        if sel.any():
            r, g, b, _ = cmap(k / (len(edges) - 2))
            out.append((f"{word} {lo:g}–{hi:g}° ({int(sel.sum())})",
                        f"#{int(255 * r):02x}{int(255 * g):02x}{int(255 * b):02x}", sel))
    nan = ~np.isfinite(v)
    if nan.any():
        out.append((f"no exchange neighbours ({int(nan.sum())})", "#7f7f7f", nan))
    return out


def _plotly(d):
    import plotly.graph_objects as go

    pos, s, fam, L = d["pos"], d["s"], d["fam"], d["length"]
    fig = go.Figure()
    for label, col, k in _classes(d):
        hover = [f"{f} site, {'' if d['value'] is None else f'{x:.1f}°'}" for f, x in
                 zip(fam[k], d["value"][k] if d["value"] is not None else np.zeros(k.sum()))]
        fig.add_trace(go.Cone(x=pos[k, 0], y=pos[k, 1], z=pos[k, 2], u=L * s[k, 0], v=L * s[k, 1], w=L * s[k, 2],
                              anchor="center", sizemode="raw", sizeref=1.0, colorscale=[[0, col], [1, col]],
                              showscale=False, showlegend=True, name=label, hovertext=hover,
                              hovertemplate="%{hovertext}<br>x %{x:.1f} Å, y %{y:.1f} Å, z %{z:.1f} Å"
                                            "<extra></extra>"))
    axis = dict(showbackground=False)
    eye = 1.8 * _view_direction(pos)
    legend_title = ("arrows: spin directions, colour = " +
                    ("site family" if d["value"] is None else _SCALAR_LABEL[d["color_by"]]))
    fig.update_layout(title=d["title"], legend=dict(x=0.0, y=1.0, title=dict(text=legend_title)),
                      scene_camera=dict(eye=dict(x=eye[0], y=eye[1], z=eye[2])),
                      scene=dict(aspectmode="data", xaxis=dict(title=dict(text="x (Å)"), **axis),
                                 yaxis=dict(title=dict(text="y (Å)"), **axis),
                                 zaxis=dict(title=dict(text="z (Å)"), **axis)),
                      margin=dict(l=0, r=0, t=40, b=0))
    return fig


def _matplotlib(d):
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    pos, s, L = d["pos"], d["s"], d["length"]
    fig = plt.figure(figsize=(7.5, 6.5))
    ax = fig.add_subplot(projection="3d")
    handles = []
    for label, col, k in _classes(d):
        ax.quiver(pos[k, 0], pos[k, 1], pos[k, 2], s[k, 0], s[k, 1], s[k, 2], length=L, normalize=False,
                  pivot="middle", color=col, linewidth=1.0, arrow_length_ratio=0.4)
        handles.append(Line2D([], [], color=col, lw=2, label=label))
    ax.set_xlabel("x (Å)")
    ax.set_ylabel("y (Å)")
    ax.set_zlabel("z (Å)")
    ax.set_box_aspect(np.maximum(np.ptp(pos, axis=0), 1e-3))
    n = _view_direction(pos)
    ax.view_init(elev=float(np.degrees(np.arcsin(np.clip(n[2], -1, 1)))), azim=float(np.degrees(np.arctan2(n[1], n[0]))))
    what = "site family" if d["value"] is None else _SCALAR_LABEL[d["color_by"]]
    fig.legend(handles=handles, loc="lower center", ncol=min(3, len(handles)), fontsize=8,
               title=f"arrows: spins, colour = {what}", title_fontsize=8, frameon=False)
    fig.subplots_adjust(bottom=0.16)
    ax.set_title(d["title"] + "\n(static view; install plotly for an interactive one)", fontsize=10)
    return fig
