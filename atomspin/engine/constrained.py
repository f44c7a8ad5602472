"""Constrained Monte Carlo (Asselin, Evans, Chantrell et al., Phys. Rev. B 82, 054415 (2010)).

The total moment M = Σ m_i ŝ_i is held along a fixed unit vector ê while all microscopic degrees
of freedom thermalise. The sampled distribution is ∝ |M|² exp(−E/k_BT) δ²(M⊥): integrating over ê
recovers the unconstrained ensemble, so F(ê) = −k_BT ln Z(ê) is the free energy of the direction ê.
Its derivative is the mean restoring torque: rotating ê by dφ about a unit axis n̂ gives

    dF/dφ = −n̂ · ⟨τ⟩,      τ = Σ_i ŝ_i × h_i,   h_i = −∂E/∂ŝ_i   (meV)

(exchange, being isotropic, drops out of τ). Example: E = −K Σ (ŝ_i·ẑ)² with ê at polar angle θ
in the xz plane and n̂ = ŷ gives dF/dθ = (Σ K) sin 2θ at T → 0.

The moments may differ from site to site; the compensation move conserves M⊥ with the weights
m_i, m_j and the acceptance keeps the form of Asselin et al. (the weight m_j² of the Jacobian cancels).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atomspin.engine import kernels as _k
from atomspin.engine.simulation import Observables, Simulation, _numba_threads
from atomspin.engine.statistics import mean_error


@dataclass
class ConstrainedObservables(Observables):
    """:class:`Observables` plus the constraint direction and the torque samples.

    Attributes
    ----------
    direction : (3,) unit vector ê
    torque : (S, 3) τ = Σ ŝ_i × h_i per sample, meV
    """

    direction: np.ndarray = None
    torque: np.ndarray = None

    @property
    def mean_torque(self):
        """⟨τ⟩ in meV."""
        return np.mean(self.torque, axis=0)

    def free_energy_derivative(self, axis):
        """dF/dφ (meV per radian) for a rotation of ê about the unit vector ``axis``: −axis·⟨τ⟩.

        Returns
        -------
        value : float
            −axis·⟨τ⟩, meV/rad.
        error : float
            Standard error of ``value`` accounting for the autocorrelation of the torque samples,
            σ √(2τ_int/n) with τ_int from Sokal's windowed estimator
            (:func:`atomspin.engine.statistics.mean_error`; never below the naive σ/√n); nan for
            fewer than 2 samples. It is itself unreliable (too small) when the run is shorter than
            ≈ 50 τ_int; :attr:`torque` holds the samples for a closer look.
        """
        n = np.asarray(axis, dtype=float).reshape(3)
        nrm = np.linalg.norm(n)
        if not np.isfinite(nrm) or nrm == 0:
            raise ValueError(f"axis: {axis!r} must be a finite non-zero 3-vector")
        n = n / nrm
        t = -(self.torque @ n)
        value, err, _, _ = mean_error(t)
        return value, err


def _rotation_to(a, b):
    """Rotation matrix taking unit vector a onto unit vector b (Rodrigues)."""
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    if c < -1 + 1e-12:  # antiparallel: rotate by π about any axis ⟂ a
        p = np.eye(3)[np.argmin(np.abs(a))]
        k = np.cross(a, p)
        k /= np.linalg.norm(k)
        return 2 * np.outer(k, k) - np.eye(3)
    vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
    return np.eye(3) + vx + vx @ vx / (1 + c)


class ConstrainedSimulation(Simulation):
    """Constrained Monte Carlo keeping the total moment along ``direction``.

    Parameters
    ----------
    model : SpinModel
        Needs N ≥ 2 spins. The start state is ``model.spins`` rigidly rotated so that M ∥ ê
        (all spins along ê when |M| < 1e-6 Σ m_i).
    T : float, K (≥ 0)
    direction : (3,) vector (normalised internally)
    seed : int in [0, 2**64)
    adapt : bool
        Adapt the primary move's cone width towards 50 % pair acceptance (default True).
    sigma : float
        Initial cone width.
    adapt_moves : int
        Pair moves pooled per σ update.
    """

    def __init__(self, model, T, direction, seed, adapt=True, sigma=0.3, adapt_moves=_k.ADAPT_MOVES):
        super().__init__(model, T, seed, move="adaptive", threads=1, parallel=False, adapt=adapt,
                         sigma=sigma, adapt_moves=adapt_moves)
        if self._a.n < 2:
            raise ValueError(f"model: constrained MC needs at least 2 spins, got {self._a.n}")
        self.set_direction(direction)

    @property
    def direction(self):
        """(3,) unit constraint direction ê."""
        return self._e.copy()

    def set_direction(self, direction):
        """Set ê and rigidly rotate the current state so that M ∥ ê."""
        e = np.asarray(direction, dtype=float)
        if e.shape != (3,) or not np.all(np.isfinite(e)) or np.linalg.norm(e) == 0:
            raise ValueError(f"direction: {direction!r} must be a finite non-zero 3-vector")
        self._e = e / np.linalg.norm(e)
        self._align()

    def _align(self):
        a = self._a
        m = a.moments @ self._spins
        mn = np.linalg.norm(m)
        if mn < 1e-6 * np.sum(np.abs(a.moments)):
            s = np.tile(self._e, (a.n, 1))
        else:
            s = self._spins @ _rotation_to(m / mn, self._e).T
            s /= np.linalg.norm(s, axis=1, keepdims=True)
        self._spins = np.ascontiguousarray(s)
        self._refresh_dipolar()

    @property
    def collective_every(self):
        """Always 0: a rigid rotation would break the constraint M ∥ ê (not available here)."""
        return 0

    @collective_every.setter
    def collective_every(self, k):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k != 0:
            raise ValueError(f"collective_every: {k!r} is outside [0, 0]; constrained MC fixes the "
                             "direction of M, so collective rotations are not available")

    @Simulation.spins.setter
    def spins(self, value):  # noqa: D401 - property setter
        Simulation.spins.fset(self, value)
        self._align()

    def _sweeps(self, n):
        acc = np.zeros(n, dtype=np.int64)
        a = self._a
        mtot = a.moments @ self._spins
        with np.errstate(over="ignore"), _numba_threads(1):
            _k.constrained_sweeps(n, *a.model_args(self._spins), self.beta, self._e[0], self._e[1],
                                  self._e[2], self._sigma, self.adapt, self.adapt_moves, self._state, acc,
                                  mtot)
        self._sweeps_done += n
        self._accepted += int(acc.sum())
        self._tried += n * a.n
        if a.has_dip:
            self._refresh_dipolar()
        return acc

    def torque(self):
        """(3,) τ = Σ ŝ_i × h_i of the current state, meV."""
        return np.sum(np.cross(self.spins, self.local_field()), axis=0)

    def run(self, n_sweeps, observe_every=1, progress=False):
        """Run ``n_sweeps`` sweeps of N pair moves; sample energy, M and torque every ``observe_every``.

        Returns
        -------
        ConstrainedObservables
        """
        torques = []
        orig = self._magnetisation

        def observe():
            torques.append(self.torque())
            return orig()

        self._magnetisation = observe
        try:
            obs = super().run(n_sweeps, observe_every, progress)
        finally:
            del self._magnetisation
        d = {k: getattr(obs, k) for k in Observables.__dataclass_fields__}
        return ConstrainedObservables(**d, direction=self.direction,
                                      torque=np.array(torques).reshape(-1, 3))
