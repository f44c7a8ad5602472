"""What a reported number is and how sure it is: labels with units, ``value ± error`` cells, the
resolved / not-resolved verdict, and the average over seeds.

Conventions of the rows (written by the study steps, :mod:`atomspin.batch.steps`):

* ``<key>_err`` is the standard error of ``<key>`` (autocorrelation-aware Monte Carlo errors, bootstrap or
  first-order propagation: see each step);
* ``<key>_note`` says why ``<key>`` is not a number (e.g. a loop that is not open has no coercive field);
* a value is *resolved* when |value| > 2 error (:data:`RESOLVED_SIGMA`); otherwise it is shown as
  "n.r." (not resolved): at this run length it cannot be told from zero.

Rows of the same variant and swept values that differ only in the seed are *realisations*: their average
has the error max(s/√n, √(Σσ_i²)/n) (s: the spread of the n values; the second term, the propagated errors of
the single runs, guards against a spread that happens to be small for two or three seeds).
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["RESOLVED_SIGMA", "key_label", "path_label", "format_measured", "resolved", "error_of", "note_of",
           "is_number", "aggregate"]

#: |value| must exceed this many standard errors to count as resolved
RESOLVED_SIGMA = 2.0

#: unit suffix of a key → (unit text, scale applied to the value); longest suffixes first
_UNITS = (
    ("_per_mM_per_s", "s⁻¹ mM⁻¹", 1.0), ("_nHm2_per_kg", "nH m²/kg", 1.0), ("_J_per_m3", "J/m³", 1.0),
    ("_kA_per_m", "kA/m", 1.0), ("_A_per_m", "A/m", 1.0), ("_W_per_g", "W/g", 1.0), ("_Am2_per_kg_Fe", "A m²/kg Fe", 1.0),
    ("_Am2", "A m²", 1.0), ("_T_per_m", "T/m", 1.0), ("_muB", "μB", 1.0), ("_meV", "meV", 1.0), ("_deg", "°", 1.0),
    ("_nm", "nm", 1.0), ("_mT", "mT", 1.0), ("_Hz", "Hz", 1.0), ("_K", "K", 1.0), ("_T", "T", 1.0), ("_J", "J", 1.0),
    ("_m3", "m³", 1.0), ("_mm", "mm", 1.0), ("_m", "m", 1.0), ("_s", "s", 1.0), ("_V", "V", 1.0),
)

#: words for the recipe paths that sweeps usually vary: (label with unit, scale of the value)
_PATHS = {
    "defects.vacancies.delta": ("vacancy parameter δ of Fe₃₋δO₄", 1.0),
    "structure.diameter_nm": ("particle diameter (nm)", 1.0),
    "structure.surface_depth_nm": ("surface shell thickness (nm)", 1.0),
    "protocol.T_K": ("temperature T (K)", 1.0),
    "defects.apb.offset_nm": ("APB distance from the centre (nm)", 1.0),
    "defects.vacancies.shell_nm": ("vacancy shell thickness (nm)", 1.0),
    "model.neel_ks_meV": ("Néel surface anisotropy k_s (meV per bond)", 1.0),
    "protocol.sar.H0_A_per_m": ("drive amplitude H0 (kA/m)", 1e-3),
    "protocol.sar.f_Hz": ("drive frequency f (kHz)", 1e-3),
    "protocol.loop.B_max_T": ("largest loop field μ0H (T)", 1.0),
}


def is_number(v) -> bool:
    """A real number (not a bool), finite or not."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def key_label(key: str) -> str:
    """Words and unit of a row key: ``"Ms_A_per_m"`` → ``"Ms (A/m)"``, ``"mean_canting_deg"`` → ``"mean canting (°)"``."""
    key = str(key)
    for suffix, unit, _ in _UNITS:
        if key.endswith(suffix) and len(key) > len(suffix):
            return f"{key[:-len(suffix)].replace('_', ' ')} ({unit})"
    return key.replace("_", " ")


def path_label(path: str):
    """``(axis label with unit, scale)`` of a swept recipe path (known paths in words, others from the key)."""
    if path in _PATHS:
        return _PATHS[path]
    return key_label(path.rsplit(".", 1)[-1]), 1.0


def error_of(row: dict, key: str) -> float:
    """The standard error ``<key>_err`` of a row (nan when it has none)."""
    e = row.get(f"{key}_err")
    return float(e) if is_number(e) else float("nan")


def note_of(row: dict, key: str) -> str:
    """Why ``key`` is not a number in this row ("" when no step said)."""
    n = row.get(f"{key}_note")
    return str(n) if n else ""


def resolved(value, err) -> bool:
    """|value| > 2 σ; a value with an unknown error counts as resolved (it is shown with "± ?")."""
    if not (is_number(value) and math.isfinite(value)):
        return False
    if not (is_number(err) and math.isfinite(err)):
        return True
    return abs(value) > RESOLVED_SIGMA * err


def _exp10(x: float) -> int:
    return int(math.floor(math.log10(abs(x)))) if x else 0


def format_measured(value, err=None, measured: bool = True) -> str:
    """A table cell: ``"343.1 ± 5.2"``, ``"(2.6 ± 1.7)e-23"``, ``"n.r. 0.8 ± 1.3"`` (not resolved),
    ``"n/a"`` (not a number), ``"1.23e+05 ± ?"`` (a measured value without an error estimate) or the plain
    value (``measured=False``: exact counts, inputs)."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if not is_number(value):
        return "".join(c if c.isprintable() else "?" for c in str(value))  # no terminal control sequences
    v = float(value)
    if not math.isfinite(v):
        return "n/a"
    e = float(err) if is_number(err) else float("nan")
    if not measured:
        return _plain(v)
    if not math.isfinite(e):
        return f"{_plain(v)} ± ?"
    cell = _with_error(v, e)
    return cell if resolved(v, e) else f"n.r. {cell}"


def _plain(v: float) -> str:
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    if v != 0 and (abs(v) >= 1e5 or abs(v) < 1e-3):
        return f"{v:.3e}"
    return f"{v:.4g}"


def _with_error(v: float, e: float) -> str:
    """v ± e with e to two significant digits and v to the same decimal place."""
    if e <= 0:
        return f"{_plain(v)} ± 0"
    ee = _exp10(e)
    ev = max(_exp10(v), ee)
    if -3 <= ev < 5:
        dec = max(0, 1 - ee)
        if ee > 1:  # round to tens, hundreds, …
            q = 10.0 ** (ee - 1)
            return f"{round(v / q) * q:.0f} ± {round(e / q) * q:.0f}"
        return f"{v:.{dec}f} ± {e:.{dec}f}"
    d = max(0, ev - ee + 1)
    s = 10.0 ** ev
    return f"({v / s:.{d}f} ± {e / s:.{d}f})e{ev:+03d}"


# --------------------------------------------------------------------------------------------- realisations
def aggregate(rows: list, group_of, keys) -> list:
    """Average rows over realisations.

    Parameters
    ----------
    rows : list of dict
        Summary rows (key-value pairs).
    group_of : callable
        ``group_of(row) -> hashable``: rows with the same group differ only in their seed.
    keys : iterable of str
        Measured keys to average (their ``<key>_err`` are used and written).

    Returns
    -------
    list of dict
        One row per group, in the order groups first appear: the first row's other keys, ``n_seeds``, and
        for each key its mean and error (see the module docstring); a key with no finite value keeps the
        first row's value and ``<key>_note``.
    """
    groups: dict = {}
    for r in rows:
        groups.setdefault(group_of(r), []).append(r)
    out = []
    for members in groups.values():
        agg = dict(members[0])
        agg["n_seeds"] = len(members)
        agg["seeds"] = ",".join(str(m.get("seed", "")) for m in members)
        if len(members) > 1:
            for k in keys:
                vals = np.array([float(m[k]) for m in members if is_number(m.get(k)) and math.isfinite(m[k])])
                errs = np.array([error_of(m, k) for m in members if is_number(m.get(k)) and math.isfinite(m[k])])
                if vals.size == 0:
                    continue
                mean = float(vals.mean())
                prop = float(np.sqrt(np.sum(errs ** 2)) / vals.size)
                spread = float(vals.std(ddof=1) / np.sqrt(vals.size)) if vals.size > 1 else float("nan")
                known = [x for x in (prop, spread) if math.isfinite(x)]
                err = max(known) if known else float("nan")
                agg[k], agg[f"{k}_err"] = mean, err
                if vals.size < len(members):
                    agg[f"{k}_note"] = f"mean of the {vals.size} of {len(members)} seeds where it is a number"
        out.append(agg)
    return out

