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

:class:`ConstrainedSimulation` is a :class:`~atomspin.engine.Simulation` composed with the pair-move
sweeper of :mod:`atomspin.engine.sweepers.constrained` (which keeps M ∥ ê whenever the state is set)
and a torque sampled with every sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atomspin.engine.arrays import is_macrocell
from atomspin.engine.moves import ADAPT_MOVES
from atomspin.engine.observables import Observables
from atomspin.engine.checks import SIGMA_START_CONSTRAINED
from atomspin.engine.simulation import Simulation
from atomspin.engine.statistics import mean_error


def macrocell_torque(spins, moments, cell_of, W):
    """(3,) Σ ŝ_i × h_i of a macrocell dipolar term, h_i = m_i Σ_d W_cd M_d (meV; cells c, cell moments M_d (μB),
    W (C, C, 3, 3) meV/μB²: the field of the kernels' ``_dip_refresh``)."""
    mc = np.zeros((W.shape[0], 3))
    np.add.at(mc, cell_of, moments[:, None] * spins)
    hc = np.einsum("cdij,dj->ci", W, mc)
    return np.sum(np.cross(spins, moments[:, None] * hc[cell_of]), axis=0)


@dataclass
class ConstrainedObservables(Observables):
    """:class:`Observables` plus the constraint direction and the torque samples.

    Attributes
    ----------
    direction : (3,) unit vector ê
    torque : (S, 3) τ = Σ ŝ_i × h_i per sample, meV
    dipolar_torque : (S, 3) τ_dip = Σ ŝ_i × h_dip,i per sample, meV: the dipolar term's share of ``torque``
        (sampled when :attr:`ConstrainedSimulation.sample_dipolar_torque` is set; None otherwise)
    """

    direction: np.ndarray = None
    torque: np.ndarray = None
    dipolar_torque: np.ndarray = None

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
    sweeper : str
        A registered sweeper that keeps M ∥ ê and takes the option ``direction`` (default
        ``"constrained"``, which becomes ``"constrained_dipolar"`` for a model with a dipolar object);
        ``sweeper_options`` are passed on to it.
    """

    def __init__(self, model, T, direction, seed, adapt=True, sigma=SIGMA_START_CONSTRAINED,
                 adapt_moves=ADAPT_MOVES, sweeper="constrained", sweeper_options=None):
        options = dict(sweeper_options or {}, direction=direction)
        if sweeper == "constrained" and getattr(model, "dipolar", None) is not None and not is_macrocell(model.dipolar):
            sweeper = "constrained_dipolar"  # the pair moves with a dipolar object (lattice FFT, exact pairs)
        super().__init__(model, T, seed, move="adaptive", threads=1, parallel=False, adapt=adapt,
                         sigma=sigma, adapt_moves=adapt_moves, sweeper=sweeper, sweeper_options=options)

    @property
    def direction(self):
        """(3,) unit constraint direction ê."""
        return self._sweeper.direction.copy()

    def set_direction(self, direction):
        """Set ê and rigidly rotate the current state so that M ∥ ê."""
        self._sweeper.set_direction(direction)
        self._spins = self._sweeper.prepare_state(self._spins)

    #: also sample τ_dip (:meth:`dipolar_torque`) with every torque sample (one more dipolar field evaluation per
    #: sample; it leaves the Markov chain and ``torque`` unchanged)
    sample_dipolar_torque = False

    def torque(self):
        """(3,) τ = Σ ŝ_i × h_i of the current state, meV."""
        return np.sum(np.cross(self.spins, self.local_field()), axis=0)

    def dipolar_torque(self):
        """(3,) τ_dip = Σ ŝ_i × h_dip,i of the current state, meV: the share of :meth:`torque` that comes from
        the dipolar term (the field the sampler uses, e.g. the frozen field of ``constrained_dipolar``); zero
        without one. Isotropic exchange adds nothing to τ (Σ_ij J_ij ŝ_i × ŝ_j = 0), so τ − τ_dip is the torque
        of the on-site terms (cubic, Néel, uniaxial). A macrocell term: h_dip,i = m_i Σ_d W_cd M_d (c the cell of
        i), the kernels' field."""
        a = self._a
        if a.has_dip:
            return macrocell_torque(self._spins, a.moments, a.cell_of, a.W)
        if a.dipolar is None:
            return np.zeros(3)
        h = np.asarray(a.dipolar.fields_meV(a.to_model(self._spins), a._model_moments()))
        return np.sum(np.cross(self.spins, h), axis=0)

    def _extra_sample(self):
        if self.sample_dipolar_torque:
            return np.concatenate([self.torque(), self.dipolar_torque()])
        return self.torque()

    def _observables(self, fields, extra):
        if self.sample_dipolar_torque:
            x = np.array(extra).reshape(-1, 6)
            return ConstrainedObservables(**fields, direction=self.direction, torque=x[:, :3],
                                          dipolar_torque=x[:, 3:])
        return ConstrainedObservables(**fields, direction=self.direction, torque=np.array(extra).reshape(-1, 3))

    def run(self, n_sweeps, observe_every=1, progress=False, sample_energy=True):
        """Run ``n_sweeps`` sweeps of N pair moves; sample energy (unless ``sample_energy`` is False), M and torque
        every ``observe_every``.

        Returns
        -------
        ConstrainedObservables
        """
        return super().run(n_sweeps, observe_every, progress, sample_energy)
