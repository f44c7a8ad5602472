"""Samples of a Monte Carlo run (:class:`Observables`) and a minimal progress line."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

import numpy as np

from atomspin.units import K_B_MEV_PER_K, MU_B_MEV_PER_T

@dataclass
class Observables:
    """Samples of a run and derived thermodynamic quantities.

    Attributes
    ----------
    T : float, K
    field : (3,) μ0H in tesla
    energy : (S,) total energy per sample, meV
    magnetisation : (S, 3) total moment Σ m_i ŝ_i per sample, μB
    sublattice_magnetisation : dict label → (S, 3) μB (empty when the model has no sublattice)
    m_sat : float, Σ m_i in μB (saturation moment)
    n_spins : int
    acceptance : float, accepted fraction of single-spin moves over the run
    sweeps : (S,) int, sweep number (counted from the simulation's start) of each sample
    collective_acceptance : float, accepted fraction of collective rotation attempts over the run
        (nan when none were made)
    """

    T: float
    field: np.ndarray
    energy: np.ndarray
    magnetisation: np.ndarray
    sublattice_magnetisation: dict
    m_sat: float
    n_spins: int
    acceptance: float
    sweeps: np.ndarray
    collective_acceptance: float = float("nan")

    @property
    def abs_m(self):
        """(S,) |M| per sample, μB."""
        return np.linalg.norm(self.magnetisation, axis=1)

    @property
    def mean_abs_m(self):
        """⟨|M|⟩ in μB."""
        return float(np.mean(self.abs_m))

    @property
    def reduced_m(self):
        """⟨|M|⟩ / Σ m_i (dimensionless, 1 = saturated)."""
        return self.mean_abs_m / self.m_sat

    @property
    def mean_energy(self):
        """⟨E⟩ in meV."""
        return float(np.mean(self.energy))

    @property
    def susceptibility(self):
        """χ = μB (⟨M²⟩ − ⟨|M|⟩²) / (k_B T) in μB/T (finite-size |M| estimator; = ∂⟨M⟩/∂(μ0H)).

        Multiply by μB/(μ0 V) for SI volume susceptibility. Undefined (inf) at T = 0.
        """
        m = self.abs_m
        var = np.mean(m * m) - np.mean(m) ** 2
        kt = K_B_MEV_PER_K * self.T
        return float(MU_B_MEV_PER_T * var / kt) if kt > 0 else float("inf")

    @property
    def binder(self):
        """Binder cumulant U4 = 1 − ⟨M⁴⟩ / (3⟨M²⟩²) (2/3 ordered, 4/9 paramagnetic for 3-vectors)."""
        m2 = np.sum(self.magnetisation ** 2, axis=1)
        return float(1.0 - np.mean(m2 * m2) / (3.0 * np.mean(m2) ** 2))

    @property
    def specific_heat(self):
        """C = (⟨E²⟩ − ⟨E⟩²) / (k_B T²) of the whole system in meV/K (divide by k_B N for per-spin k_B units)."""
        if self.T <= 0:
            return float("inf")
        return float(np.var(self.energy) / (K_B_MEV_PER_K * self.T ** 2))

    def to_dict(self):
        """Plain dict of arrays and derived scalars."""
        d = {k: getattr(self, k) for k in ("T", "energy", "magnetisation", "m_sat", "n_spins",
                                           "acceptance", "sweeps")}
        d["field"] = np.asarray(self.field)
        d["sublattice_magnetisation"] = dict(self.sublattice_magnetisation)
        for k in ("mean_abs_m", "reduced_m", "mean_energy", "susceptibility", "binder", "specific_heat"):
            d[k] = getattr(self, k)
        return d


class Progress:
    """Minimal stderr progress line (no dependencies)."""

    def __init__(self, total, enabled):
        self.total, self.enabled, self.t0, self.last = total, enabled, time.perf_counter(), 0.0

    def update(self, done):
        if not self.enabled:
            return
        now = time.perf_counter()
        if done < self.total and now - self.last < 0.5:
            return
        self.last = now
        el = now - self.t0
        eta = el / done * (self.total - done) if done else float("nan")
        sys.stderr.write(f"\r[atomspin] sweep {done}/{self.total}  {el:.1f}s elapsed, ~{eta:.1f}s left")
        if done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
