"""Input checks shared by every layer: one clear ``ValueError`` naming the argument and its allowed range.

Like :mod:`atomspin.units`, this module is importable from every layer (it imports only numpy). Every
public entry point validates its arguments with these helpers *before* any work starts, so that bad
input never reaches a numba kernel (no TypingError, no "array is too big") and is never silently
clamped. Messages read ``"<name>: <value> is outside [lo, hi]"`` or ``"<name>: <value> is not …"``.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np

MAX_COUNT = 10**9
"""Largest count (sweeps, fields, directions, threads …) accepted where a caller gives no tighter bound:
a larger number is a typo or an attempt to allocate petabytes, never a run that could finish."""


def _fmt(x):
    if x is None:
        return None
    for num, den in ((1, 3), (2, 3)):
        if abs(x - num / den) < 1e-12:
            return f"{num}/{den}"
    return f"{x:g}" if isinstance(x, float) else str(x)


def interval(lo=None, hi=None, lo_open=False, hi_open=False):
    """Text of an interval, e.g. ``[0, 1)`` or ``(0, inf)``."""
    lo_s = "-inf" if lo is None or lo == -math.inf else _fmt(lo)
    hi_s = "inf" if hi is None or hi == math.inf else _fmt(hi)
    lb = "(" if lo_open or lo_s == "-inf" else "["
    rb = ")" if hi_open or hi_s == "inf" else "]"
    return f"{lb}{lo_s}, {hi_s}{rb}"


def _is_real(value):
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, np.ndarray):
        return value.shape == () and value.dtype.kind in "iuf"
    return isinstance(value, (Real, np.floating, np.integer))


def check_real(name, value, lo=None, hi=None, lo_open=False, hi_open=False):
    """Return ``float(value)``; ValueError unless a finite real number in the stated interval."""
    rng = interval(lo, hi, lo_open, hi_open)
    if not _is_real(value):
        raise ValueError(f"{name}: {value!r} is not a real number in {rng}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name}: {value!r} is outside {rng} (not finite)")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise ValueError(f"{name}: {value!r} is outside {rng}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise ValueError(f"{name}: {value!r} is outside {rng}")
    return v


def check_positive(name, value, hi=None):
    """Return ``float(value)``; ValueError unless 0 < value (≤ hi) and finite."""
    return check_real(name, value, 0.0, hi, lo_open=True)


def check_nonnegative(name, value, hi=None):
    """Return ``float(value)``; ValueError unless 0 ≤ value (≤ hi) and finite."""
    return check_real(name, value, 0.0, hi)


def check_int(name, value, lo=None, hi=MAX_COUNT):
    """Return ``int(value)``; ValueError unless an integer in [lo, hi].

    A float with an integral value (``100.0``) is accepted; bool, NaN and other types are not. ``hi``
    defaults to :data:`MAX_COUNT`; pass ``hi=None`` for no upper bound.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: {value!r} is not an integer in {interval(lo, hi)}")
    if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        value = int(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iu":
        value = int(value)
    if not isinstance(value, (Integral, np.integer)):
        raise ValueError(f"{name}: {value!r} is not an integer in {interval(lo, hi)}")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{name}: {v} is outside {interval(lo, hi)}")
    return v


def check_seed(seed, name="seed"):
    """Seeds are integers in [0, 2**64) (NaN, floats and bools are refused, never truncated)."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (Integral, np.integer)):
        raise ValueError(f"{name}: {seed!r} is not an integer in [0, 2**64)")
    seed = int(seed)
    if not 0 <= seed < 2**64:
        raise ValueError(f"{name}: {seed} is outside [0, 2**64)")
    return seed


def check_bool(name, value):
    """Return ``bool(value)`` for a real bool (or numpy bool); ValueError for NaN, numbers and strings."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name}: {value!r} is not True or False")


def check_choice(name, value, choices):
    """Return ``value`` if it is one of ``choices``; ValueError listing them otherwise."""
    try:
        ok = value in choices
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"{name}: {value!r} is not one of {sorted(map(str, choices))}")
    return value


def check_vector(name, value, allow_zero=False, integer=False, unit=None):
    """A 3-vector of finite reals as float64 (Miller indices when ``integer``).

    (0, 0, 0) is rejected unless ``allow_zero``. ``unit`` is the unit named in the message (e.g.
    ``"tesla"``).
    """
    what = "3-vector of finite numbers" + (f" ({unit})" if unit else "")
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name}: {value!r} is not a {what}")
    try:
        v = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a {what}") from None
    if v.shape == ():
        raise ValueError(f"{name}: expected a {what}, got the scalar {value!r}")
    if v.shape != (3,):
        raise ValueError(f"{name}: expected a {what}, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name}: {v.tolist()} is not a {what} (NaN/inf)")
    if integer and not np.all(v == np.round(v)):
        raise ValueError(f"{name}: {value!r} must be integer Miller indices")
    if not allow_zero and not np.any(v):
        raise ValueError(f"{name}: (0, 0, 0) is not allowed; give a non-zero vector")
    return np.array(v, dtype=np.float64)


def check_direction(name, value):
    """A finite non-zero 3-vector, returned normalised to unit length."""
    v = check_vector(name, value)
    return v / float(np.linalg.norm(v))


def check_field_T(name, value, max_T=None):
    """An applied field μ0H as a 3-vector in tesla (copy); ``max_T`` bounds its magnitude."""
    b = check_vector(name, value, allow_zero=True, unit="tesla")
    if max_T is not None and float(np.linalg.norm(b)) > max_T:
        raise ValueError(f"{name}: |μ0H| = {np.linalg.norm(b):.4g} T is outside [0, {max_T:g}] T")
    return b


def check_array(name, value, positive=False, nonnegative=False, lo=None, hi=None, ndim=None, nonempty=False):
    """Return a float64 array; ValueError on non-numeric, non-finite or out-of-range entries."""
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name}: {value!r} is not an array of numbers")
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: cannot be converted to an array of numbers") from None
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {a.shape}")
    if nonempty and a.size == 0:
        raise ValueError(f"{name}: empty; give at least one value")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains non-finite values (NaN/inf)")
    if a.size:
        if positive and not np.all(a > 0):
            raise ValueError(f"{name}: {a.min():g} is outside (0, inf)")
        if nonnegative and not np.all(a >= 0):
            raise ValueError(f"{name}: {a.min():g} is outside [0, inf)")
        if lo is not None and a.min() < lo:
            raise ValueError(f"{name}: {a.min():g} is outside {interval(lo, hi)}")
        if hi is not None and a.max() > hi:
            raise ValueError(f"{name}: {a.max():g} is outside {interval(lo, hi)}")
    return a


def check_repeat(repeat, name="repeat"):
    """A cell repetition: one integer ≥ 1 or three of them; returns a 3-tuple of int."""
    if isinstance(repeat, (Integral, np.integer)) and not isinstance(repeat, (bool, np.bool_)):
        repeat = (int(repeat),) * 3
    try:
        r = tuple(int(x) for x in repeat)
        ok = len(r) == 3 and all(not isinstance(x, (bool, np.bool_)) and float(x) == int(x) for x in repeat)
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok or min(r) < 1 or max(r) > 10**4:
        raise ValueError(f"{name}: {repeat!r} must be three integers in [1, 10000]")
    return r
