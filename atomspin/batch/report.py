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

#: preferred x arrays of result curves (first match wins)
_X_NAMES = ("fields_T", "field_T", "B_T", "H_A_per_m", "r_nm", "radius_nm", "depth_nm", "bin_nm",
            "T_K", "temperatures_K", "temperatures", "angles_rad", "angle_rad", "theta")


def summary_rows(store, hashes=None) -> list:
    """Key-value pairs of the rows (optionally only those whose ``task_hash`` is in ``hashes``)."""
    rows = []
    for row in store.rows():
        kv = dict(row.key_value_pairs)
        if hashes is not None and kv.get("task_hash") not in hashes:
            continue
        kv["id"] = row.id
        kv["natoms"] = row.natoms
        rows.append(kv)
    return rows


def _result_keys(rows) -> list:
    keys = []
    for r in rows:
        for k, v in r.items():
            if (k.startswith(_RESULT_PREFIXES) and isinstance(v, (int, float)) and not isinstance(v, bool)
                    and k not in keys):
                keys.append(k)
    return keys


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


def plot_cross_section(atoms, path, thickness_A: float = 4.0, title: str = "") -> None:
    """Central cross-section (|z − z_c| < thickness/2) of a structure as a PNG.

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

    pos = atoms.get_positions()
    fig, ax = plt.subplots(figsize=(5, 5))
    if len(atoms):
        zc = pos[:, 2].mean()
        sel = np.abs(pos[:, 2] - zc) < thickness_A / 2
        sym = np.array(atoms.get_chemical_symbols())
        for s, color, size in (("O", "tab:red", 6), ("Fe", "tab:blue", 14)):
            m = sel & (sym == s)
            ax.scatter(pos[m, 0], pos[m, 1], s=size, c=color, label=s, alpha=0.7)
        other = sel & ~np.isin(sym, ["O", "Fe"])
        if other.any():
            ax.scatter(pos[other, 0], pos[other, 1], s=14, c="tab:green", label="other")
        mm = atoms.get_initial_magnetic_moments()
        if mm.ndim == 2 and np.any(mm[sel] != 0):
            m = sel & (np.linalg.norm(mm, axis=1) > 0)
            ax.quiver(pos[m, 0], pos[m, 1], mm[m, 0], mm[m, 1], angles="xy", scale_units="xy",
                      scale=2.0, width=0.003, color="k")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlabel("x (Å)")
    ax.set_ylabel("y (Å)")
    ax.set_title(title or f"cross-section |z − z_c| < {thickness_A / 2:g} Å")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _curves(arrays: dict):
    """Yield (step, x_name, x, {y_name: y}) for every step whose data has a recognisable x array."""
    for step, d in arrays.items():
        if not isinstance(d, dict):
            continue
        one_d = {k: np.asarray(v) for k, v in d.items() if np.asarray(v).ndim == 1 and np.asarray(v).size > 1}
        x_name = next((n for n in _X_NAMES if n in one_d), None)
        if x_name is None:
            continue
        x = one_d.pop(x_name)
        ys = {k: v for k, v in one_d.items() if v.shape == x.shape and np.issubdtype(v.dtype, np.number)}
        if ys:
            yield step, x_name, x, ys


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
    if rows and rkeys:
        n = len(rkeys[:12])
        ncol = min(3, n)
        nrow = -(-n // ncol)
        fig, axes = plt.subplots(nrow, ncol, figsize=(4 * ncol, 2.8 * nrow), squeeze=False)
        for ax, k in zip(axes.flat, rkeys[:12]):
            vals = [float(r.get(k, np.nan)) for r in rows]
            ax.bar(range(len(rows)), vals, color="tab:blue")
            ax.set_xticks(range(len(rows)), labels, rotation=30, ha="right", fontsize=7)
            ax.set_title(k, fontsize=9)
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(out / "scalars.png", dpi=110)
        plt.close(fig)
        files.append(out / "scalars.png")

    # curves (loops, disorder profiles, Tc scans, ...) overlaid over rows, one figure per step
    figs: dict = {}
    row_objs = {row.id: row for row in store.rows()}
    for r, label in zip(rows, labels):
        row = row_objs[r["id"]]
        for step, x_name, x, ys in _curves(store.arrays(row)):
            if step not in figs:
                ny = min(len(ys), 4)
                figs[step] = plt.subplots(1, ny, figsize=(4.5 * ny, 3.5), squeeze=False)
            fig, axes = figs[step]
            for ax, (y_name, y) in zip(axes.flat, list(ys.items())[:4]):
                ax.plot(x, y, marker=".", label=label)
                ax.set_xlabel(x_name)
                ax.set_ylabel(y_name)
    for step, (fig, axes) in figs.items():
        for ax in axes.flat:
            ax.legend(fontsize=7)
        fig.suptitle(step)
        fig.tight_layout()
        fig.savefig(out / f"{step}.png", dpi=110)
        plt.close(fig)
        files.append(out / f"{step}.png")

    for r, label in zip(rows, labels):
        atoms = row_objs[r["id"]].toatoms()
        if len(atoms):
            p = out / f"structure_{_safe(label)}.png"
            plot_cross_section(atoms, p, title=f"{label}: {atoms.get_chemical_formula()}")
            files.append(p)
    return {"rows": rows, "table": table, "files": [str(f) for f in files]}


def _safe(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in s)
