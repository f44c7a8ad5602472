"""Report from a result database: summary table (terminal, CSV, Markdown) and PNG figures.

What comes from the rows (study, variant and step names, text values) is escaped where it is rendered:
Markdown headings get HTML and Markdown punctuation escaped, the table sits in a code fence longer than any
backtick run inside it, CSV cells that a spreadsheet would run as a formula (``= + - @``, tab, CR) get a
leading ``'``, figure labels get ``$`` escaped (matplotlib mathtext), and file names are made of safe
characters only and stay inside the report folder.
"""
from __future__ import annotations

import csv
import html
import math
import re
from pathlib import Path

import numpy as np

from atomspin.batch.paths import inside, safe_filename
from atomspin.batch.steps import headline_keys, result_prefixes

__all__ = ["summary_rows", "format_table", "make_report", "plot_cross_section", "IDENTITY_KEYS"]

#: columns that identify a row (shown first)
IDENTITY_KEYS = ("variant", "phase", "shape", "diameter_nm", "delta", "apb_plane", "T_K", "seed")
_BOOKKEEPING = {"task_hash", "study", "params", "steps", "walltime_s", "npz_file", "apb"}
#: prefixes of the keys the study steps absorb from their results (atomspin.batch.steps)
_RESULT_PREFIXES = result_prefixes()
#: headline results of the study steps by rank, shown first in tables and figures when present
_PRIORITY = tuple(headline_keys())
_MAX_PANELS = 6

#: preferred x arrays of result curves (first match wins)
_X_NAMES = ("fields_T", "depth_bins_nm", "distance_bins_nm", "T", "T_K", "theta")


def summary_rows(store, hashes=None, rows=None) -> list:
    """Key-value pairs of the sound rows (see :meth:`ResultStore.rows`), by id, with ``task_hash`` as the
    bare task hash; with ``hashes`` (a sequence of task hashes) only those rows, in that order."""
    out = []
    for row in (store.rows() if rows is None else rows):
        kv = dict(row.key_value_pairs)
        kv["task_hash"] = store.task_hash(row)
        if hashes is not None and kv["task_hash"] not in hashes:
            continue
        kv["id"] = row.id
        kv["natoms"] = row.natoms
        out.append(kv)
    if hashes is not None:
        order = {h: i for i, h in enumerate(hashes)}
        out.sort(key=lambda r: order[r["task_hash"]])
    return out


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text) -> str:
    """One line of text for Markdown: HTML escaped (no raw tags), Markdown punctuation backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(str(text).split()), quote=True))


def md_code_block(text: str) -> str:
    """``text`` in a fenced code block that nothing inside can close."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def csv_cell(v):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v
    return v


def mpl_text(text) -> str:
    """Text for a matplotlib label: ``$`` escaped so that it is not parsed as mathtext."""
    return str(text).replace("$", r"\$")


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
    return "".join(c if c.isprintable() else "?" for c in str(v))  # no terminal control sequences


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
        ``{"rows": [...], "table": str, "files": [paths], "corrupted": [(row id, task hash, problem)]}``
        (corrupted rows are left out of the tables and figures).
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    row_list = store.rows()
    row_objs = {row.id: row for row in row_list}
    corrupted = [(rid, h, why) for rid, (h, why) in sorted(store.corrupted.items())]
    rows = summary_rows(store, hashes, rows=row_list)
    files = []
    keys = sorted({k for r in rows for k in r})
    with open(out / "summary.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([csv_cell(k) for k in keys])
        for r in rows:
            w.writerow([csv_cell(r.get(k, "")) for k in keys])
    files.append(out / "summary.csv")
    table = format_table(rows)
    notes = "".join(f"\n- row {rid} (task {md_escape(h)}): {md_escape(why)}; left out" for rid, h, why in corrupted)
    (out / "summary.md").write_text(f"# {md_escape(title)}\n\n{md_code_block(table)}\n\n{len(rows)} rows from "
                                    f"{md_escape(store.display_url)}\n" + (f"\nCorrupted rows:{notes}\n" if notes else ""))
    files.append(out / "summary.md")

    labels = [mpl_text(f"{r.get('variant', '')}#{r['id']}") for r in rows]
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
            ax.set_title(mpl_text(k), fontsize=9)
        fig.savefig(out / "scalars.png", dpi=90)
        plt.close(fig)
        files.append(out / "scalars.png")

    # curves (loops, disorder profiles, Tc scans, ...) overlaid over rows, one figure per step
    curves = {}
    for r, label in zip(rows, labels):
        for step, x_name, x, ys in _curves(store.arrays(row_objs[r["id"]])):
            curves.setdefault(safe_filename(step, "curves"), []).append((label, x_name, x, ys))
    for step, items in curves.items():
        ynames = list(items[0][3])[:4]
        fig, axes = _grid_axes(plt, len(ynames), 4.2, 3.2)
        for ax, y_name in zip(axes, ynames):
            for label, x_name, x, ys in items:
                if y_name in ys:
                    ax.plot(x, ys[y_name], marker=".", ms=3, label=label)
            ax.set_xlabel(mpl_text(items[0][1]))
            ax.set_ylabel(mpl_text(y_name))
            ax.legend(fontsize=7)
        fig.suptitle(mpl_text(step))
        path = inside(out, f"{step}.png")
        fig.savefig(path, dpi=90)
        plt.close(fig)
        files.append(path)

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
    return {"rows": rows, "table": table, "files": [str(f) for f in files], "corrupted": corrupted}


