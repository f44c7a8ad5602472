"""Effective field −∂E/∂ŝ_i (meV per unit spin), from the engine's compiled kernel.

The tests compare it with an independent numpy derivative of ``SpinModel.energy``.
"""
from __future__ import annotations

import numpy as np

from atomspin.engine import effective_field as _engine_effective_field


def effective_field(model, spins, field=None):
    """h_i = −∂E/∂ŝ_i in meV (Cartesian gradient, not projected) for an (N, 3) spin state."""
    return _engine_effective_field(model, np.ascontiguousarray(spins, dtype=np.float64), field)
