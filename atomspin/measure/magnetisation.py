"""Ms(T) of a particle from measurements made at T (for the SAR hand-off).

Two estimates, in order of preference:

* from a loop: |M| at the largest applied field of a :class:`~atomspin.measure.HysteresisResult`, the mean
  over the points of the sweep at ±max|B| with its standard error (a lower bound of Ms(T) when the loop does
  not saturate);
* from constrained Monte Carlo: the mean reduced magnetisation ``m_constrained`` of an
  :class:`~atomspin.measure.EffectiveAnisotropyResult` (|Σ m_i ŝ_i| / Σ m_i) times Σ m_i μB / V of its model.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atomspin.units import MU_B

__all__ = ["MsEstimate", "saturation_magnetisation"]


@dataclass(frozen=True)
class MsEstimate:
    """Ms(T) in A/m, its standard error (nan when unknown) and where it came from."""

    Ms_A_per_m: float
    source: str
    Ms_err_A_per_m: float = float("nan")


def saturation_magnetisation(loop=None, anisotropy=None, model=None) -> MsEstimate:
    """Ms(T) in A/m from a loop (preferred) or from constrained Monte Carlo and its model.

    Parameters
    ----------
    loop : HysteresisResult, optional
        Uses ``M_A_per_m`` (A/m).
    anisotropy : EffectiveAnisotropyResult, optional
        Uses ``m_constrained`` (reduced); needs ``model``.
    model : SpinModel, optional
        Uses ``moments`` (μB) and ``volume_m3`` (m³).

    Returns
    -------
    MsEstimate
    """
    if loop is not None:
        ms = float(getattr(loop, "Ms_A_per_m", np.nan))
        if np.isfinite(ms):
            return MsEstimate(ms, "loop M at B_max", float(getattr(loop, "Ms_err_A_per_m", np.nan)))
        return MsEstimate(float(np.max(np.abs(np.asarray(loop.M_A_per_m, dtype=float)))), "loop M at B_max")
    if anisotropy is None or model is None:
        raise ValueError("loop, anisotropy: give a loop result, or an anisotropy result together with its model")
    mc = np.abs(np.asarray(anisotropy.m_constrained, dtype=float)).ravel()
    m = float(np.mean(mc))
    ms0 = float(np.sum(model.moments)) * MU_B / float(model.volume_m3)
    err = float(np.std(mc, ddof=1) / np.sqrt(mc.size)) if mc.size > 1 else float("nan")
    return MsEstimate(m * ms0, "kv constrained m x Ms(0)", err * ms0)
