"""Report from a result database: summary tables (terminal, CSV, Markdown) and PNG figures.

Every measured number is shown with its standard error (the ``<key>_err`` the study steps write) and as
"n.r." when it is not resolved (|value| < 2σ); a number a step could not give is "n/a" with the step's note
(``<key>_note``). Rows that differ only in their seed are averaged (:func:`atomspin.batch.quantities.aggregate`).
Up to :data:`COMPARE_MAX` variants/sweep points are shown side by side (one column each, quantities as rows);
larger studies get one row per variant/sweep point. The conditions of the results (SAR drive field,
frequency and medium, temperature, …) are stated once above the table when all rows share them.
The figures are in :mod:`atomspin.batch.report_figures`.

What comes from the rows (study, variant and step names, text values) is escaped where it is rendered:
Markdown headings get HTML and Markdown punctuation escaped, the table sits in a code fence longer than any
backtick run inside it, CSV cells that a spreadsheet would run as a formula (``= + - @``, tab, CR) get a
leading ``'``, figure labels get ``$`` escaped (matplotlib mathtext), and file names are made of safe
characters only and stay inside the report folder.
"""
from __future__ import annotations

import csv
import html
import json
import math
import re
from pathlib import Path

import numpy as np

from atomspin.batch.paths import inside, safe_filename
from atomspin.batch.quantities import (aggregate, error_of, format_measured, is_number, key_label, note_of,
                                       path_label)
from atomspin.batch.steps import conditions, headline_keys, quantity, result_prefixes

__all__ = ["summary_rows", "format_table", "format_comparison", "summarise", "make_report", "IDENTITY_KEYS",
           "Study", "row_atoms", "write_spin_states", "COMPARE_MAX", "RATIO_KEYS", "ratio", "ratio_cell"]

#: columns that identify a row (shown first when they vary)
IDENTITY_KEYS = ("variant", "phase", "shape", "diameter_nm", "delta", "apb_plane", "T_K", "seed")
#: at most this many variants/sweep points are compared side by side
COMPARE_MAX = 6
_RESULT_PREFIXES = result_prefixes()
_PRIORITY = tuple(headline_keys())
#: the quantities compared with the reference variant as a ratio (the question of issue 15: does a defect raise
#: or lower the magnetisation, the barrier and the heating?); ILP ratios equal the SAR ratios at one (f, H0)
RATIO_KEYS = ("Ms_A_per_m", "Ms_zero_field_A_per_m", "barrier_over_kT", "SAR_W_per_g", "SAR_immobilised_W_per_g",
              "SAR_water_W_per_g")
LEGEND = ("value ± standard error (Monte Carlo errors with their autocorrelation, bootstrap or propagated; "
          "docs/batch.md); n.r. = not resolved, |value| < 2σ; n/a = not a number (see the notes); "
          "± ? = no error estimate (run too short)")


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


def _clean(text) -> str:
    return "".join(c if c.isprintable() else "?" for c in str(text))


# ------------------------------------------------------------------------------------------------ columns
def result_keys(rows) -> list:
    """The result columns: the steps' headline keys present in the rows (by rank); for rows without any
    (earlier or foreign rows), their numeric keys with a step prefix."""
    present = [k for k in _PRIORITY if any(k in r for r in rows)]
    if present:
        return present
    keys = []
    for r in rows:
        for k, v in r.items():
            if (k.startswith(_RESULT_PREFIXES) and is_number(v) and not k.endswith(("_err", "_note"))
                    and k not in keys):
                keys.append(k)
    return keys


def label_of(key: str) -> str:
    """Words and unit of a result key (the step's label, else derived from the key)."""
    q = quantity(key)
    return q[1] if q else key_label(key)


def plotted(key: str) -> bool:
    q = quantity(key)
    return q[2] if q else True


def scale_of(key: str) -> float:
    """Factor from the stored value of a result key to the unit of its label."""
    q = quantity(key)
    return q[3] if q else 1.0


def scaled(row, key):
    """``(value, error)`` of a result key in the unit of its label (nan when absent or not a number)."""
    v, e, f = row.get(key), error_of(row, key), scale_of(key)
    v = float(v) * f if is_number(v) else float("nan")
    return v, e * abs(f)


def _measured(key, rows) -> bool:
    """A measured result (shown with its error, "± ?" without one): a plotted headline key or one with errors."""
    return any(f"{key}_err" in r for r in rows) or (quantity(key) is not None and plotted(key))


def format_table(rows, keys=None, max_cols: int = 14) -> str:
    """Plain-text table, one line per row: identity columns that vary, then the result columns as
    ``value ± error`` (see :func:`atomspin.batch.quantities.format_measured`)."""
    if not rows:
        return "(no rows)"
    if keys is None:
        keys = ["id"] + [k for k in IDENTITY_KEYS if any(k in r for r in rows)]
        keys += [k for k in conditions() if any(k in r for r in rows)]
        keys = [k for k in keys if k in ("id", "variant") or len({repr(r.get(k)) for r in rows}) > 1]
        if any("n_seeds" in r for r in rows):
            keys = [k for k in keys if k not in ("id", "seed")] + ["n_seeds"]
        keys = (keys + result_keys(rows))[:max_cols]
    meas = {k: _measured(k, rows) for k in keys}
    cells = [[format_measured(r.get(k, ""), error_of(r, k), meas[k]) if is_number(r.get(k)) else
              _clean(r.get(k, "")) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    out = ["  ".join(k.rjust(w) for k, w in zip(keys, widths)), "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------ the study
def _flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, dict):
            out.update(_flat(v, path))
        else:
            out[path] = tuple(v) if isinstance(v, list) else v
    return out


class Study:
    """The rows of a report with what varies between them.

    Attributes
    ----------
    rows : list of dict
        Summary rows (key-value pairs, ``id``), in store order.
    swept : list of str
        Recipe paths whose value differs between rows (``defects.vacancies.delta``, …), numeric first.
    points : dict
        Row id → {swept path: value}.
    groups : list of dict
        Rows averaged over seeds (:func:`atomspin.batch.quantities.aggregate`), each with ``group_label``
        and ``group_ids``.
    reference : str or None
        The variant the others are compared with: ``defect-free`` if present, else the first variant.
    """

    def __init__(self, rows: list, recipes: dict):
        flats = {rid: _flat({k: v for k, v in rec.items() if k != "meta"}) for rid, rec in recipes.items()
                 if isinstance(rec, dict)}
        paths = sorted({p for f in flats.values() for p in f})
        swept = [p for p in paths if p.rsplit(".", 1)[-1] != "seed"
                 and len({repr(f.get(p)) for f in flats.values()}) > 1 and p != "protocol.steps"]
        numeric = [p for p in swept if all(is_number(f.get(p)) for f in flats.values())]
        self.swept = numeric + [p for p in swept if p not in numeric]
        self.numeric_swept = numeric
        self.points = {rid: {p: f.get(p) for p in self.swept} for rid, f in flats.items()}

        names = {str(r.get("variant", "")) for r in rows}

        def order(r):  # recipe order of the variants (else the reference first), the swept values, the seed
            point = self.points.get(r.get("id"), {})
            vals = tuple((0, float(point[p]), "") if is_number(point.get(p)) else (1, 0.0, repr(point.get(p)))
                         for p in self.swept)
            vi = r.get("variant_index")
            first = 0 if ("defect-free" in names and r.get("variant") == "defect-free") else 1
            return (vi if is_number(vi) else 1e9, first, str(r.get("variant", "")), vals, r.get("seed", 0),
                    r.get("id", 0))

        self.rows = sorted(rows, key=order)
        rows = self.rows
        variants = list(dict.fromkeys(str(r.get("variant", "")) for r in rows))
        self.variants = variants
        self.reference = "defect-free" if "defect-free" in variants else (variants[0] if variants else None)
        # the variant's own overrides are not "swept values": only what varies within a variant
        self.axis_paths = [p for p in self.swept if any(
            len({repr(self.points.get(r["id"], {}).get(p)) for r in rows if r.get("variant") == v}) > 1
            for v in variants)]
        keys = result_keys(rows)
        groups = aggregate(rows, self.group_key, keys)
        for g in groups:
            members = [r for r in rows if self.group_key(r) == self.group_key(g)]
            g["group_ids"] = [r["id"] for r in members]
            g["group_label"] = self.label(g)
        self.groups = groups

    def group_key(self, row):
        point = self.points.get(row.get("id"))
        if point is None:
            return (row.get("variant"), "id", row.get("id"))
        return (row.get("variant"), tuple(repr(point.get(p)) for p in self.axis_paths))

    def point_text(self, row) -> str:
        point = self.points.get(row.get("id"), {})
        parts = []
        for p in self.axis_paths:
            label, scale = path_label(p)
            v = point.get(p)
            name = label.split(" (")[0]
            unit = label.split(" (")[1].rstrip(")") if " (" in label else ""
            val = f"{v * scale:g}" if is_number(v) else str(v)
            parts.append(f"{name.split()[-1] if len(name) > 14 else name} = {val}{(' ' + unit) if unit else ''}")
        return ", ".join(parts)

    def label(self, row) -> str:
        """``variant, swept values`` of a row or group (and the number of seeds averaged)."""
        text = ", ".join(x for x in (str(row.get("variant", "")), self.point_text(row)) if x)
        n = row.get("n_seeds", 1)
        return f"{text} ({n} seeds)" if n and n > 1 else text

    def condition_lines(self) -> list:
        """``"what: value"`` for the condition keys all rows share (those that vary are table columns)."""
        lines = []
        for key, meaning in {**conditions(), "T_K": "temperature of the measurements, K"}.items():
            vals = {repr(r.get(key)) for r in self.rows if key in r}
            if len(vals) != 1:
                continue
            v = next(r[key] for r in self.rows if key in r)
            words, _, unit = meaning.rpartition(", ") if ", " in meaning else (meaning, "", "")
            if is_number(v) and unit == "Hz" and v >= 1e3:
                text = f"{v / 1e3:g} kHz"
            elif is_number(v) and unit == "A/m" and v >= 1e3:
                text = f"{v / 1e3:g} kA/m"
            elif is_number(v):
                text = f"{v:g}{(' ' + unit) if unit else ''}"
            else:
                text = _clean(v)
            lines.append(f"{words}: {text}")
        return lines


def ratio(a, a_err, b, b_err):
    """``(r, σ_r)`` of r = a/b for independent a ± a_err, b ± b_err (first order:
    σ_r = |r| √((σ_a/a)² + (σ_b/b)²)); nan when b is not a positive-or-negative finite number or a is not finite,
    σ_r nan when an error is unknown."""
    vals = [float(x) if is_number(x) else float("nan") for x in (a, a_err, b, b_err)]
    a, a_err, b, b_err = vals
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return float("nan"), float("nan")
    r = a / b
    if r == 0:
        return r, abs(a_err / b) if math.isfinite(a_err) else float("nan")
    rel = math.hypot(a_err / a, b_err / b)
    return r, abs(r) * rel


def ratio_cell(r, err) -> str:
    """A ratio cell with its verdict: ``"0.87 ± 0.07 lower, resolved at 2σ"``, ``"1.03 ± 0.10 not resolved at 2σ"``
    (|r − 1| ≤ 2σ_r: the change cannot be told from none), ``"n/a"``, ``"0.87 ± ?"`` (no error estimate)."""
    if not (is_number(r) and math.isfinite(r)):
        return "n/a"
    if not (is_number(err) and math.isfinite(err)):
        return f"{_plain_ratio(r)} ± ? (no verdict)"
    cell = format_measured(r, err).removeprefix("n.r. ")
    if abs(r - 1.0) > 2.0 * err:
        return f"{cell} {'higher' if r > 1 else 'lower'}, resolved at 2σ"
    return f"{cell} not resolved at 2σ"


def _plain_ratio(r) -> str:
    return f"{r:.3g}"


def _ratio_rows(study: Study, groups, keys) -> list:
    """``[label, key, cells...]`` rows: each RATIO_KEYS key of each group divided by the reference variant's
    value at the same swept point (the reference column says so)."""
    ref_name = study.reference
    if ref_name is None or len(study.variants) < 2:
        return []
    refs = {study.group_key(g)[1]: g for g in groups if g.get("variant") == ref_name}
    out = []
    for k in (k for k in RATIO_KEYS if k in keys):
        cells = []
        for g in groups:
            ref = refs.get(study.group_key(g)[1])
            if ref is None:
                cells.append("–")
            elif g is ref:
                cells.append("1 (reference)")
            else:
                cells.append(ratio_cell(*ratio(g.get(k), error_of(g, k), ref.get(k), error_of(ref, k))))
        out.append([f"{label_of(k).split(' (')[0]} ÷ {_clean(ref_name)}", f"{k} ratio"] + cells)
    return out


def format_comparison(study: Study) -> str:
    """Quantities as rows, one column per variant/sweep point (averaged over seeds), ``value ± error``; then, for
    the :data:`RATIO_KEYS`, the ratio to the reference variant (defect-free) with its error and the verdict
    "resolved / not resolved at 2σ" (:func:`ratio_cell`)."""
    groups = study.groups
    if not groups:
        return "(no rows)"
    keys = result_keys(study.rows)
    meas = {k: _measured(k, study.rows) for k in keys}
    header = ["quantity", "key"] + [_clean(g["group_label"]) for g in groups]
    body = [[label_of(k), k] + [format_measured(*scaled(g, k), meas[k]) if
                                is_number(g.get(k)) else _clean(g.get(k, "–")) for g in groups] for k in keys]
    ratios = _ratio_rows(study, groups, keys)
    if ratios:
        body += [["ratio to " + _clean(study.reference), ""] + [""] * len(groups)] + ratios
    widths = [max(len(header[i]), *(len(b[i]) for b in body)) if body else len(header[i]) for i in range(len(header))]

    def line(cells):
        return "  ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i]) for i, c in enumerate(cells))

    out = [line(header), "  ".join("-" * w for w in widths)] + [line(b) for b in body]
    return "\n".join(out)


def notes(study: Study) -> list:
    """``"label: what: note"`` for every ``<key>_note`` (and ``sar_note``) of the rows."""
    out = []
    for r in study.rows:
        said = set()
        head = [f"{k}_note" for k in _PRIORITY]
        for k in sorted(r, key=lambda k: (head.index(k) if k in head else len(head), k)):
            v = r[k]
            if k.endswith("_note") and v and str(v) not in said:
                said.add(str(v))
                base = k[:-5]
                what = label_of(base) if quantity(base) else base.replace("_", " ")
                out.append(f"{_clean(study.label(r))} (row {r['id']}): {what}: {_clean(v)}")
    return out


def _recipes(rows_by_id) -> dict:
    out = {}
    for rid, row in rows_by_id.items():
        try:
            out[rid] = json.loads((row.data or {}).get("recipe_json", "null"))
        except (TypeError, ValueError):
            out[rid] = None
    return out


def row_atoms(store, row):
    """The structure of a stored row with its per-atom labels and ``info`` (shape, recorded defects), as
    the structure step built it; None for a row without atoms."""
    if not row.natoms:
        return None
    atoms = row.toatoms()
    data = store.arrays(row)
    for k, v in (data.get("atoms_labels") or {}).items():
        a = np.asarray(v)
        if a.shape[:1] == (len(atoms),) and k not in atoms.arrays:
            atoms.set_array(k, a)
    info = data.get("atoms_info") or {}
    text = info.get("json")
    if text is not None:
        text = np.asarray(text).ravel()
        try:
            atoms.info.update(json.loads(str(text[0])))
        except (IndexError, TypeError, ValueError):
            pass
    return atoms


def write_spin_states(store, rows_by_id, rows, folder) -> list:
    """Each row's final spin state as extended XYZ (``spins``, ``dipoles``, ``initial_magmoms`` per atom:
    OVITO and ``ase gui`` show them in 3-D), ``<folder>/<variant>-<task hash>.extxyz``."""
    from atomspin.structures import write_structure

    folder = Path(folder)
    written = []
    for r in rows:
        row = rows_by_id[r["id"]]
        state = store.arrays(row).get("final_state")
        atoms = row_atoms(store, row)
        if atoms is None or not state or "atom_index" not in state:
            continue
        spins = np.zeros((len(atoms), 3))
        idx = np.asarray(state["atom_index"], dtype=int)
        spins[idx] = np.asarray(state["spins"], dtype=float)
        folder.mkdir(parents=True, exist_ok=True)
        path = inside(folder, f"{safe_filename(r.get('variant', ''), 'row')}-{safe_filename(r['task_hash'])}.extxyz")
        write_structure(atoms, path, spins=spins)
        written.append(path)
    return written


def summarise(store, hashes=None, row_list=None) -> dict:
    """The text of a report without files: ``{"rows", "study", "table", "conditions", "notes", "legend",
    "rows_by_id"}`` (the comparison table for up to :data:`COMPARE_MAX` variants/sweep points, else one line
    per row, or per seed-averaged group)."""
    row_list = store.rows() if row_list is None else row_list
    rows_by_id = {row.id: row for row in row_list}
    rows = summary_rows(store, hashes, rows=row_list)
    study = Study(rows, _recipes({r["id"]: rows_by_id[r["id"]] for r in rows}))
    aggregated = any(g.get("n_seeds", 1) > 1 for g in study.groups)
    keys = result_keys(rows)
    if rows and len(study.groups) <= COMPARE_MAX and any(quantity(k) for k in keys):
        table = format_comparison(study)
    else:
        table = format_table(study.groups if aggregated else rows)
    return {"rows": rows, "study": study, "table": table, "conditions": study.condition_lines(),
            "notes": notes(study), "legend": LEGEND, "rows_by_id": rows_by_id, "aggregated": aggregated}


def make_report(store, outdir, hashes=None, title: str = "atomspin report", spins: bool = False) -> dict:
    """Write ``summary.csv``, ``summary.md`` and PNG figures for the rows of ``store``.

    Parameters
    ----------
    store : ResultStore
    outdir : path
        Report folder (created).
    hashes : sequence of str, optional
        Only these tasks, in this order.
    title : str
    spins : bool
        Also write each row's final spin state as extended XYZ into ``outdir/spins/``.

    Returns
    -------
    dict
        ``{"rows": [...], "table": str, "notes": [str], "conditions": [str], "files": [paths],
        "corrupted": [(row id, task hash, problem)]}`` (corrupted rows are left out of the tables and
        figures).
    """
    from atomspin.batch.report_figures import make_figures

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    text = summarise(store, hashes)
    rows, study, table, rows_by_id = text["rows"], text["study"], text["table"], text["rows_by_id"]
    corrupted = [(rid, h, why) for rid, (h, why) in sorted(store.corrupted.items())]
    files = []
    keys = sorted({k for r in rows for k in r})
    with open(out / "summary.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([csv_cell(k) for k in keys])
        for r in rows:
            w.writerow([csv_cell(r.get(k, "")) for k in keys])
    files.append(out / "summary.csv")
    aggregated = text["aggregated"]
    cond, note_lines = text["conditions"], text["notes"]
    bad = "".join(f"\n- row {rid} (task {md_escape(h)}): {md_escape(why)}; left out" for rid, h, why in corrupted)
    md = [f"# {md_escape(title)}", ""]
    if cond:
        md += ["Conditions: " + "; ".join(md_escape(c) for c in cond), ""]
    md += [md_code_block(table), "", md_escape(LEGEND), ""]
    if note_lines:
        md += ["Notes:", ""] + [f"- {md_escape(n)}" for n in note_lines] + [""]
    md += [f"{len(rows)} rows from {md_escape(store.display_url)}" + (
        f", averaged over seeds into {len(study.groups)}" if aggregated else "")]
    if bad:
        md += ["", f"Corrupted rows:{bad}"]
    (out / "summary.md").write_text("\n".join(md) + "\n")
    files.append(out / "summary.md")
    files += make_figures(store, rows_by_id, study, out, title)
    if spins:
        files += write_spin_states(store, rows_by_id, rows, out / "spins")
    return {"rows": rows, "table": table, "notes": note_lines, "conditions": cond, "legend": LEGEND,
            "files": [str(f) for f in files], "corrupted": corrupted, "study": study}
