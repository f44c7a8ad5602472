"""Result containers shared by all measurements.

Every measurement returns a dataclass of numpy arrays plus metadata. All of them provide
``to_dict()`` (JSON-friendly: arrays become lists, NaN stays float) and ``plot(ax=None)``
(matplotlib, returns the Axes).
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from atomspin.validation import check_direction, check_int, check_real  # noqa: F401 (re-exported)


def _jsonable(value):
    """Convert numpy containers / scalars recursively into plain Python objects."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "US":
            return value.astype(str).tolist()
        if value.dtype == object:
            return [_jsonable(v) for v in value.tolist()]
        return value.tolist()
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return value.to_dict() if hasattr(value, "to_dict") else _jsonable(dataclasses.asdict(value))
    return value


class ResultBase:
    """Mixin for measurement results: ``to_dict`` and a ``plot`` entry point."""

    def to_dict(self) -> dict:
        """All fields as plain Python objects (lists, floats, str), suitable for JSON."""
        out = {"type": type(self).__name__}
        for f in dataclasses.fields(self):
            if f.name.startswith("_"):
                continue
            out[f.name] = _jsonable(getattr(self, f.name))
        return out

    def _axes(self, ax):
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(5, 3.6))
        return ax

    def plot(self, ax=None, **kwargs):  # pragma: no cover - overridden
        raise NotImplementedError


def check_finite_scalar(name, value, lo=-math.inf, hi=math.inf, lo_open=False, hi_open=False):
    """Validate a real scalar in a range (see :func:`atomspin.validation.check_real`)."""
    return check_real(name, value, None if lo == -math.inf else lo, None if hi == math.inf else hi,
                      lo_open, hi_open)


def fibonacci_directions(n, hemisphere=False):
    """Quasi-uniform unit vectors on the sphere (or the upper hemisphere z ≥ 0).

    Parameters
    ----------
    n : int
        Number of directions (≥ 1).
    hemisphere : bool
        If True, restrict to z > 0 (sufficient for loops, which are odd in the field).

    Returns
    -------
    (n, 3) float64 array of unit vectors.
    """
    n = check_int("n", n, 1)
    i = np.arange(n) + 0.5
    if hemisphere:
        z = 1.0 - i / n  # uniform in z on (0, 1]
    else:
        z = 1.0 - 2.0 * i / n
    phi = np.pi * (1.0 + 5 ** 0.5) * i
    r = np.sqrt(np.clip(1.0 - z * z, 0.0, None))
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)


def advance(sim, n_sweeps):
    """Run ``n_sweeps`` unsampled sweeps of an engine simulation (one sample at the end only)."""
    n = int(n_sweeps)
    if n > 0:
        sim.run(n, observe_every=n)
