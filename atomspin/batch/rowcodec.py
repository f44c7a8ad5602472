"""How a task result becomes an ``ase.db`` row, and the checksum that guards it.

Keys and values (nothing can be refused for its content)
    * ``task_hash`` is stored as ``"h" + <16 hex digits>`` (:data:`TASK_PREFIX`): a bare hex hash such as
      ``044060296e186657`` reads as a number, and ase.db refuses a string that reads as a number. The same
      text is the row's ``unique_id``, which ase.db's schema declares ``UNIQUE``: one row per task is a
      constraint of the database itself (SQLite and PostgreSQL alike). Query with
      ``ase db results.db task_hash=h044060296e186657``.
    * Other keys become identifiers (``[A-Za-z_][A-Za-z0-9_]*``; other characters become ``_``; a key
      that is reserved by ase.db or starts with a digit gets ``x_`` in front).
    * A string value that ase.db would read as a number or a boolean is stored as that number or boolean
      (``"110"`` → 110, ``"True"`` → True), as ase.db asks.

Checksum
    :func:`row_checksum` is a SHA-256 over a canonical form of the key-value pairs, the ``data`` (with
    the arrays of a side ``.npz`` file in their place) and the structure (numbers, positions, cell, pbc).
    Numbers are hashed as float64 (so that SQLite's and PostgreSQL's spellings of the same value agree:
    PostgreSQL's jsonb writes 1e300 as an integer, arrays holding NaN come back as lists there); strings
    as UTF-8. It is stored in the row's ``data["checksum"]`` and verified when a row is read.
"""
from __future__ import annotations

import hashlib
import numbers
import re
import struct
from collections.abc import Mapping

import numpy as np

__all__ = ["TASK_PREFIX", "stored_task_hash", "task_hash_of", "storable_key", "storable_value",
           "row_checksum", "flat_arrays", "unflat", "nbytes", "listify"]

#: letter in front of the hex task hash in ``task_hash`` and ``unique_id`` (hex digits never include it)
TASK_PREFIX = "h"

_RESERVED = None
_NOT_WORD = re.compile(r"[^0-9A-Za-z_]")


def stored_task_hash(h: str) -> str:
    """The text stored for task hash ``h`` (``task_hash`` and ``unique_id``)."""
    return TASK_PREFIX + str(h)


def task_hash_of(kvp, unique_id=None) -> str | None:
    """The task hash of a row's key-value pairs. Rows of earlier versions of the store hold it bare, with
    a random ``unique_id``; a row of this version has ``unique_id == task_hash``. Without ``unique_id`` a
    leading :data:`TASK_PREFIX` is taken for the prefix (a hex hash never starts with it)."""
    v = kvp.get("task_hash")
    if v is None:
        return None
    v = str(v)
    if unique_id is not None and str(unique_id) != v:
        return v  # written by an earlier version
    return v[len(TASK_PREFIX):] if v.startswith(TASK_PREFIX) else v


def _reserved():
    global _RESERVED
    if _RESERVED is None:
        from ase.db.core import reserved_keys
        _RESERVED = set(reserved_keys)
    return _RESERVED


def storable_key(key) -> str:
    """``key`` as an ase.db key: an ASCII identifier that ase.db does not reserve."""
    k = _NOT_WORD.sub("_", str(key))
    if not k or k[0].isdigit() or k in _reserved():
        k = f"x_{k}"
    return k


def _as_number(s: str):
    """What ase.db would read ``s`` as (int, float, bool), or None when it stays a string."""
    from ase.db.core import convert_str_to_int_float_bool_or_str
    v = convert_str_to_int_float_bool_or_str(s)
    return None if isinstance(v, str) else v


def storable_value(v):
    """``v`` as an ase.db value: numpy scalars become Python ones; a string that ase.db would read as a
    number or boolean becomes that number or boolean. Other types are left for ase.db to refuse."""
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, str):
        n = _as_number(v)
        return v if n is None else n
    return v


# --- checksum ---------------------------------------------------------------------------------------------
def _put(h, tag: bytes, payload: bytes = b"") -> None:
    h.update(tag + struct.pack("<Q", len(payload)) + payload)


def _canon_array(a: np.ndarray, h) -> None:
    shape = struct.pack(f"<{a.ndim + 1}q", a.ndim, *a.shape)
    if a.size == 0:
        _put(h, b"E", shape)
    elif a.dtype.kind in "biuf":
        x = np.ascontiguousarray(a, dtype=np.float64) + 0.0  # -0.0 -> 0.0 (PostgreSQL numeric has no -0)
        x[np.isnan(x)] = np.nan
        _put(h, b"A", shape + x.tobytes())
    elif a.dtype.kind == "c":
        _canon_array(np.stack([a.real, a.imag], axis=-1), h)
    elif a.dtype.kind in "US":
        _put(h, b"L", shape)
        for s in a.ravel().tolist():
            _canon(s.decode() if isinstance(s, bytes) else s, h)
    else:  # object arrays: element by element
        _put(h, b"L", shape)
        for x in a.ravel().tolist():
            _canon(x, h)


def _canon(obj, h) -> None:
    if isinstance(obj, Mapping):
        _put(h, b"{", struct.pack("<Q", len(obj)))
        for k in sorted(obj, key=str):
            _put(h, b"k", str(k).encode())
            _canon(obj[k], h)
    elif isinstance(obj, (str, np.str_)):
        _put(h, b"s", str(obj).encode("utf-8", "surrogatepass"))
    elif obj is None:
        _put(h, b"n")
    elif isinstance(obj, (bool, np.bool_)):
        _put(h, b"A", struct.pack("<q", 0) + struct.pack("<d", float(obj)))
    elif isinstance(obj, numbers.Real):
        try:
            x = float(obj)
        except OverflowError:
            _put(h, b"i", str(int(obj)).encode())
            return
        _put(h, b"A", struct.pack("<q", 0) + struct.pack("<d", (np.nan if x != x else x + 0.0)))
    elif isinstance(obj, np.ndarray):
        _canon_array(obj, h)
    elif isinstance(obj, (list, tuple)):
        try:
            a = np.asarray(obj)
        except (ValueError, TypeError):  # ragged
            a = None
        if a is not None and a.dtype.kind != "O":
            _canon_array(a, h)
        else:
            _put(h, b"L", struct.pack("<2q", 1, len(obj)))
            for x in obj:
                _canon(x, h)
    else:
        _put(h, b"r", repr(obj).encode())


def row_checksum(kvp, data, numbers_, positions, cell, pbc) -> str:
    """``"sha256:<hex>"`` of a row's content (``data`` without its own ``checksum`` entry)."""
    h = hashlib.sha256()
    _canon({"kvp": dict(kvp), "data": {k: v for k, v in dict(data or {}).items() if k != "checksum"},
            "atoms": {"numbers": np.asarray(numbers_), "positions": np.asarray(positions, dtype=float),
                      "cell": np.asarray(cell, dtype=float).reshape(3, 3),
                      "pbc": np.asarray(pbc, dtype=bool).reshape(3)}}, h)
    return "sha256:" + h.hexdigest()


# --- arrays -----------------------------------------------------------------------------------------------
def nbytes(obj) -> int:
    """Approximate size of nested arrays/lists in bytes."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, Mapping):
        return sum(nbytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(nbytes(v) for v in obj) + 8 * len(obj)
    return 16


def flat_arrays(data: Mapping, prefix: str = "") -> dict:
    """Nested dict of arrays → ``{"a/b": array}`` (for ``np.savez``)."""
    out = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, Mapping):
            out.update(flat_arrays(v, key + "/"))
        else:
            out[key] = np.asarray(v)
    return out


def unflat(flat: Mapping) -> dict:
    """Inverse of :func:`flat_arrays`."""
    out: dict = {}
    for k, v in flat.items():
        d = out
        parts = k.split("/")
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = v
    return out


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def listify(obj):
    """Numeric lists back to arrays: the PostgreSQL backend stores an array holding NaN or inf as a list.
    Lists of strings (labels) stay lists."""
    if isinstance(obj, Mapping):
        return {k: listify(v) for k, v in obj.items()}
    if isinstance(obj, list):
        flat = obj
        while flat and all(isinstance(x, list) for x in flat):
            flat = [y for x in flat for y in x]
        if flat and all(_is_number(x) for x in flat):
            try:
                return np.asarray(obj, dtype=float)
            except (TypeError, ValueError):
                return obj
        return obj
    return obj
