"""Input checks shared by the structure builders (ValueError naming the argument and its range)."""
from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np


def _fmt(x):
    for num, den in ((1, 3), (2, 3)):
        if abs(x - num / den) < 1e-12:
            return f"{num}/{den}"
    return f"{x:g}"


def check_real(name, value, lo=None, hi=None, lo_open=False, hi_open=False):
    """Return ``float(value)`` or raise ValueError naming ``name`` and the allowed interval."""
    lo_s = "-inf" if lo is None else _fmt(lo)
    hi_s = "inf" if hi is None else _fmt(hi)
    rng = ("(" if lo_open or lo is None else "[") + f"{lo_s}, {hi_s}" + (")" if hi_open or hi is None else "]")
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise ValueError(f"{name}: {value!r} is not a real number in {rng}")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name}: {value!r} is outside {rng}")
    if lo is not None and (v < lo or (lo_open and v == lo)):
        raise ValueError(f"{name}: {value!r} is outside {rng}")
    if hi is not None and (v > hi or (hi_open and v == hi)):
        raise ValueError(f"{name}: {value!r} is outside {rng}")
    return v


def check_seed(seed):
    """Seeds are non-negative integers."""
    if isinstance(seed, bool) or not isinstance(seed, (Integral, np.integer)) or int(seed) < 0:
        raise ValueError(f"seed: {seed!r} is not an integer in [0, 2**63)")
    return int(seed)


def check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name}: {value!r} is not one of {sorted(choices)}")
    return value


def check_vector(name, value, allow_zero=False, integer=False):
    """A 3-vector of finite reals (Miller indices when ``integer``); (0,0,0) rejected unless allowed."""
    try:
        v = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: {value!r} is not a 3-vector of finite numbers") from None
    if v.shape != (3,) or not np.all(np.isfinite(v)):
        raise ValueError(f"{name}: {value!r} is not a 3-vector of finite numbers")
    if integer and not np.all(v == np.round(v)):
        raise ValueError(f"{name}: {value!r} must be integer Miller indices")
    if not allow_zero and not np.any(v):
        raise ValueError(f"{name}: (0, 0, 0) is not allowed; give a non-zero vector")
    return v


def check_repeat(repeat):
    if isinstance(repeat, (Integral, np.integer)) and not isinstance(repeat, bool):
        repeat = (int(repeat),) * 3
    try:
        r = tuple(int(x) for x in repeat)
        ok = len(r) == 3 and all(float(x) == int(x) for x in repeat)
    except (TypeError, ValueError):
        ok = False
    if not ok or min(r) < 1:
        raise ValueError(f"repeat: {repeat!r} must be three integers >= 1")
    return r
