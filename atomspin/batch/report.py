"""Report from a result database: summary table (terminal, CSV, Markdown) and PNG figures."""
from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

__all__ = ["summary_rows", "format_table", "make_report", "plot_cross_section", "IDENTITY_KEYS"]

#: columns that identify a row (shown first)
IDENTITY_KEYS = ("variant", "phase", "shape", "diameter_nm", "delta", "apb_plane", "T_K", "seed")
_BOOKKEEPING = {"task_hash", "study", "params", "steps", "walltime_s", "npz_file", "apb"}
_RESULT_PREFIXES = ("s_", "tc_", "disorder_", "loop_", "kv_", "sar_")
#: headline results, shown first in tables and figures when present
_PRIORITY = ("n_magnetic", "Ms_A_per_m", "Hc_A_per_m", "Mr", "barrier_J", "barrier_over_kT",
             "SAR_W_per_g", "mean_canting_deg", "Tc_K", "s_net_moment_muB", "s_vacancy_fraction")
_MAX_PANELS = 6

#: preferred x arrays of result curves (first match wins)
_X_NAMES = ("fields_T", "depth_bins_nm", "distance_bins_nm", "T", "T_K", "theta")


def summary_rows(store, hashes=None) -> list:
    """Key-value pairs of the rows, by id; with ``hashes`` (a sequence of task hashes) only those rows,
    in that order."""
    rows = []
    for row in store.rows():
        kv = dict(row.key_value_pairs)
        if hashes is not None and kv.get("task_hash") not in hashes:
            continue
        kv["id"] = row.id
        kv["natoms"] = row.natoms
        rows.append(kv)
    if hashes is not None:
        order = {h: i for i, h in enumerate(hashes)}
        rows.sort(key=lambda r: order[r["task_hash"]])
    return rows


def _result_keys(rows) -> list:
    keys = []
    for r in rows:
        for k, v in r.items():
            if ((k.startswith(_RESULT_PREFIXES) or k in _PRIORITY) and isinstance(v, (int, float)) and not isinstance(v, bool)
                    and k not in keys):
                keys.append(k)
    return [k for k in _PRIORITY if k in keys] + [k for k in keys if k not in _PRIORITY]


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
            return f"{v:.3e}"
        return f"{v:.4g}"
    return str(v)


def format_table(rows, keys=None, max_cols: int = 12) -> str:
    """Plain-text table of rows (identity columns first, then result columns)."""
    if not rows:
        return "(no rows)"
    if keys is None:
        keys = ["id"] + [k for k in IDENTITY_KEYS if any(k in r for r in rows)] + _result_keys(rows)
        # drop identity columns that do not vary (except variant)
        keys = [k for k in keys if k in ("id", "variant") or len({repr(r.get(k)) for r in rows}) > 1
                or k not in IDENTITY_KEYS]
        keys = keys[:max_cols]
    cells = [[_fmt(r.get(k, "")) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    line = "  ".join(k.rjust(w) for k, w in zip(keys, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(out)


def _cross_section(ax, atoms, thickness_A: float = 4.0, final_state=None) -> None:
    pos = atoms.get_positions()
    zc = pos[:, 2].mean()
    sel = np.abs(pos[:, 2] - zc) < thickness_A / 2
    sym = np.array(atoms.get_chemical_symbols())
    for s, color, size in (("O", "tab:red", 4), ("Fe", "tab:blue", 10)):
        m = sel & (sym == s)
        ax.scatter(pos[m, 0], pos[m, 1], s=size, c=color, label=s, alpha=0.7, linewidths=0)
    other = sel & ~np.isin(sym, ["O", "Fe"])
    if other.any():
        ax.scatter(pos[other, 0], pos[other, 1], s=10, c="tab:green", label="other", linewidths=0)
    if final_state is not None and "atom_index" in final_state:
        idx = np.asarray(final_state["atom_index"], dtype=int)
        spins = np.asarray(final_state["spins"], dtype=float)
        m = sel[idx]
        ax.quiver(pos[idx[m], 0], pos[idx[m], 1], spins[m, 0], spins[m, 1], angles="xy", scale_units="xy",
                  scale=0.6, width=0.003, color="k")
    ax.set_aspect("equal")
    ax.set_xlabel("x (Å)", fontsize=8)
    ax.set_ylabel("y (Å)", fontsize=8)


def plot_cross_section(atoms, path, thickness_A: float = 4.0, title: str = "", final_state=None) -> None:
    """Central cross-section (|z − z_c| < thickness/2, Å) of a structure as a PNG; with
    ``final_state`` (``{"atom_index", "spins"}`` from a task's data) arrows show the in-plane spin
    components.

    Parameters
    ----------
    atoms : ase.Atoms
    path : str or Path
        Output PNG.
    thickness_A : float
        Slab thickness in Å.
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5))
    if len(atoms):
        _cross_section(ax, atoms, thickness_A, final_state)
        ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title or f"cross-section |z − z_c| < {thickness_A / 2:g} Å")
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _grid_axes(plt, n: int, w: float, h: float):
    ncol = min(3, n)
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(w * ncol, h * nrow), squeeze=False)
    fig.subplots_adjust(left=0.1 if ncol > 1 else 0.17, right=0.98, bottom=0.16, top=0.88, wspace=0.4, hspace=0.6)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n]


def _curves(arrays: dict):
    """Yield (name, x_name, x, {y_name: y}) for the curves in a row's arrays: per step, every array
    named like an abscissa (``_X_NAMES``) with the same-length arrays beside it (for ``*_bins_nm``
    abscissae only those with the same prefix, e.g. ``depth_bins_nm`` → ``depth_canting_deg``);
    2-D arrays (planes × points) contribute their first row."""
    for step, d in arrays.items():
        if not isinstance(d, dict) or step in ("atoms_labels", "final_state"):
            continue
        arrs = {k: np.asarray(v) for k, v in d.items()}
        arrs = {k: v for k, v in arrs.items() if v.ndim in (1, 2) and v.size > 1
                and np.issubdtype(v.dtype, np.number)}
        xs = [n for n in _X_NAMES if n in arrs and arrs[n].ndim == 1]
        for x_name in xs:
            x = arrs[x_name]
            prefix = x_name.split("_bins")[0] + "_" if "_bins" in x_name else ""
            ys = {}
            for k, v in arrs.items():
                if k in xs or not k.startswith(prefix) or v.shape[-1] != x.size or any(
                        t in k for t in ("_err", "_sem", "_count", "fields_")):
                    continue
                ys[k] = v if v.ndim == 1 else v[0]
            if ys:
                yield (f"{step}_{x_name.split('_')[0]}" if "_bins" in x_name else step), x_name, x, ys


def make_report(store, outdir, hashes=None, title: str = "atomspin report") -> dict:
    """Write ``summary.csv``, ``summary.md`` and PNG figures for the rows of ``store``.

    Returns
    -------
    dict
        ``{"rows": [...], "table": str, "files": [paths]}``.
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    rows = summary_rows(store, hashes)
    files = []
    keys = sorted({k for r in rows for k in r})
    with open(out / "summary.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(keys)
        for r in rows:
            w.writerow([r.get(k, "") for k in keys])
    files.append(out / "summary.csv")
    table = format_table(rows)
    (out / "summary.md").write_text(f"# {title}\n\n```\n{table}\n```\n\n{len(rows)} rows from {store.url}\n")
    files.append(out / "summary.md")

    labels = [f"{r.get('variant', '')}#{r['id']}" for r in rows]
    rkeys = _result_keys(rows)
    shown = [k for k in _PRIORITY if k in rkeys or any(k in r for r in rows)]
    shown += [k for k in rkeys if k not in shown]
    shown = shown[:_MAX_PANELS]
    if rows and shown:
        fig, axes = _grid_axes(plt, len(shown), 3.6, 2.6)
        for ax, k in zip(axes, shown):
            vals = [float(r.get(k, np.nan)) if isinstance(r.get(k), (int, float)) else np.nan for r in rows]
            ax.bar(range(len(rows)), vals, color="tab:blue")
            ax.set_xticks(range(len(rows)), labels, rotation=30, ha="right", fontsize=7)
            ax.set_title(k, fontsize=9)
        fig.savefig(out / "scalars.png", dpi=90)
        plt.close(fig)
        files.append(out / "scalars.png")

    # curves (loops, disorder profiles, Tc scans, ...) overlaid over rows, one figure per step
    row_objs = {row.id: row for row in store.rows()}
    curves = {}
    for r, label in zip(rows, labels):
        for step, x_name, x, ys in _curves(store.arrays(row_objs[r["id"]])):
            curves.setdefault(step, []).append((label, x_name, x, ys))
    for step, items in curves.items():
        ynames = list(items[0][3])[:4]
        fig, axes = _grid_axes(plt, len(ynames), 4.2, 3.2)
        for ax, y_name in zip(axes, ynames):
            for label, x_name, x, ys in items:
                if y_name in ys:
                    ax.plot(x, ys[y_name], marker=".", ms=3, label=label)
            ax.set_xlabel(items[0][1])
            ax.set_ylabel(y_name)
            ax.legend(fontsize=7)
        fig.suptitle(step)
        fig.savefig(out / f"{step}.png", dpi=90)
        plt.close(fig)
        files.append(out / f"{step}.png")

    # structure cross-sections: one panel per row (first _MAX_PANELS rows)
    panels = [(label, row_objs[r["id"]]) for r, label in zip(rows, labels)][:_MAX_PANELS]
    panels = [(label, row.toatoms(), store.arrays(row).get("final_state")) for label, row in panels
              if row.natoms]
    if panels:
        fig, axes = _grid_axes(plt, len(panels), 3.4, 3.4)
        for ax, (label, atoms, state) in zip(axes, panels):
            _cross_section(ax, atoms, final_state=state)
            ax.set_title(f"{label}: {atoms.get_chemical_formula()}", fontsize=8)
        fig.savefig(out / "structures.png", dpi=90)
        plt.close(fig)
        files.append(out / "structures.png")
    return {"rows": rows, "table": table, "files": [str(f) for f in files]}


def _safe(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in s)
