"""The one numpy evaluation of the Hamiltonian: energies, local fields and their per-term breakdown.

For the Hamiltonian of :mod:`atomspin.model.core` (meV, unit spins)::

    E = E_exchange + E_quadratic + E_cubic + E_zeeman + E_dipolar

:class:`Hamiltonian` evaluates E(ŝ) and the local field h_i = −∂E/∂ŝ_i (Cartesian gradient, not
projected on the tangent plane) for one state (N, 3) or a batch of states (P, N, 3) at once, term by
term (:data:`TERMS`). It is the obvious reference the compiled kernels of :mod:`atomspin.engine` are
tested against, and the evaluator every numpy consumer uses (``SpinModel.energy``, GNEB, the torque
of :mod:`atomspin.measure.anisotropy`). The dipolar term is whatever ``model.dipolar`` is: any object
with ``energy_meV(spins, moments)`` and ``fields_meV(spins, moments)`` for one (N, 3) state (e.g.
:class:`~atomspin.model.core.DipolarCells`), so a new dipolar method plugs in without changes here.

Every term is a polynomial of degree ≤ 4 in the spin components. Exchange, quadratic and dipolar are
quadratic forms, so E_t = −½ Σ_i ŝ_i·h_i^t for them (used to get the dipolar energy from its fields
in :meth:`Hamiltonian.energy_and_fields`, one dipolar evaluation per state instead of two).
"""

from __future__ import annotations

import numpy as np

from atomspin.model.core import quad_to_matrix

TERMS = ("exchange", "quadratic", "cubic", "zeeman", "dipolar")


class Hamiltonian:
    """Prepared evaluator of E and h = −∂E/∂ŝ for a SpinModel (the model is read, never modified).

    Parameters
    ----------
    model : SpinModel
    field : (3,) μ0H in tesla, optional (default ``model.field``)

    Methods take ``spins`` of shape (N, 3) (results: float / (N, 3)) or (P, N, 3) (results: (P,) /
    (P, N, 3)). Unit length is not enforced: the polynomial is evaluated as written.
    """

    def __init__(self, model, field=None):
        import scipy.sparse as sp

        n = len(model.moments)
        self.n = n
        row = np.repeat(np.arange(n), np.diff(model.indptr))
        self.Jmat = sp.csr_matrix((np.asarray(model.J, dtype=np.float64), (row, model.indices)), shape=(n, n))
        self.Q = quad_to_matrix(np.asarray(model.quad, dtype=np.float64).reshape(n, 6))
        self.has_quad = bool(np.any(self.Q))
        self.k1 = np.asarray(model.k1, dtype=np.float64)
        self.k2 = np.asarray(model.k2, dtype=np.float64)
        self.moments = np.asarray(model.moments, dtype=np.float64)
        b = np.asarray(model.field if field is None else field, dtype=np.float64).reshape(3)
        self.zb = model.zeeman_prefactor()[:, None] * b[None, :]  # m_i μB B, meV
        self.dipolar = model.dipolar

    def _batch(self, spins):
        s = np.asarray(spins, dtype=np.float64)
        if s.shape[-2:] != (self.n, 3) or s.ndim not in (2, 3):
            raise ValueError(f"spins: expected shape ({self.n}, 3) or (P, {self.n}, 3), got {s.shape}")
        return s[None] if s.ndim == 2 else s, s.ndim == 2

    def _exchange_field(self, S):
        P, n, _ = S.shape
        return (self.Jmat @ S.transpose(1, 0, 2).reshape(n, 3 * P)).reshape(n, P, 3).transpose(1, 0, 2)

    def _dipolar(self, S, what):
        f = getattr(self.dipolar, what)
        return np.array([f(x, self.moments) for x in S], dtype=np.float64)

    def term_fields(self, spins):
        """dict term → h^t = −∂E_t/∂ŝ (meV), each shaped like ``spins`` (a term that is absent: zeros)."""
        S, single = self._batch(spins)
        x, y, z = S[..., 0], S[..., 1], S[..., 2]
        x2, y2, z2 = x * x, y * y, z * z
        k1, k2 = self.k1, self.k2
        cub = np.stack([-2 * x * (k1 * (y2 + z2) + k2 * y2 * z2), -2 * y * (k1 * (x2 + z2) + k2 * x2 * z2),
                        -2 * z * (k1 * (x2 + y2) + k2 * x2 * y2)], axis=-1)
        out = {"exchange": self._exchange_field(S), "quadratic": 2 * np.einsum("nij,pnj->pni", self.Q, S),
               "cubic": cub, "zeeman": np.broadcast_to(self.zb, S.shape).copy(),
               "dipolar": np.zeros_like(S) if self.dipolar is None else self._dipolar(S, "fields_meV")}
        return {k: v[0] for k, v in out.items()} if single else out

    def energy_terms(self, spins):
        """dict term → E_t (meV): float for one state, (P,) for a batch."""
        S, single = self._batch(spins)
        x2, y2, z2 = S[..., 0] ** 2, S[..., 1] ** 2, S[..., 2] ** 2
        out = {"exchange": -0.5 * np.einsum("pni,pni->p", S, self._exchange_field(S)),
               "quadratic": -np.einsum("pni,nij,pnj->p", S, self.Q, S),
               "cubic": np.sum(self.k1 * (x2 * y2 + y2 * z2 + z2 * x2) + self.k2 * x2 * y2 * z2, axis=1),
               "zeeman": -np.einsum("pni,ni->p", S, self.zb),
               "dipolar": np.zeros(len(S)) if self.dipolar is None else self._dipolar(S, "energy_meV")}
        return {k: float(v[0]) for k, v in out.items()} if single else out

    def energy(self, spins):
        """Total energy (meV): float for one state, (P,) for a batch."""
        t = self.energy_terms(spins)
        return sum(t[k] for k in TERMS)

    def fields(self, spins):
        """Total local field h = −∂E/∂ŝ (meV), shaped like ``spins``."""
        return self.energy_and_fields(spins)[1]

    def energy_and_fields(self, spins):
        """(E, h) sharing the intermediate products; E_dipolar = −½ Σ ŝ·h^dip (a quadratic form)."""
        S, single = self._batch(spins)
        hx = self._exchange_field(S)
        h = hx + self.zb[None]
        e = -0.5 * np.einsum("pni,pni->p", S, hx) - np.einsum("pni,ni->p", S, self.zb)
        if self.has_quad:
            qs = np.einsum("nij,pnj->pni", self.Q, S)
            e -= np.einsum("pni,pni->p", S, qs)
            h += 2 * qs
        x, y, z = S[..., 0], S[..., 1], S[..., 2]
        x2, y2, z2 = x * x, y * y, z * z
        k1, k2 = self.k1, self.k2
        e += np.sum(k1 * (x2 * y2 + y2 * z2 + z2 * x2) + k2 * x2 * y2 * z2, axis=1)
        h[..., 0] -= 2 * x * (k1 * (y2 + z2) + k2 * y2 * z2)
        h[..., 1] -= 2 * y * (k1 * (x2 + z2) + k2 * x2 * z2)
        h[..., 2] -= 2 * z * (k1 * (x2 + y2) + k2 * x2 * y2)
        if self.dipolar is not None:
            hd = self._dipolar(S, "fields_meV")
            e -= 0.5 * np.einsum("pni,pni->p", S, hd)
            h += hd
        return (float(e[0]), h[0]) if single else (e, h)


def energy(model, spins=None, field=None):
    """Total energy (meV) of ``spins`` (default ``model.spins``; (N, 3) or (P, N, 3))."""
    return Hamiltonian(model, field).energy(model.spins if spins is None else spins)


def energy_terms(model, spins=None, field=None):
    """Per-term energies (meV) of ``spins`` (default ``model.spins``): dict over :data:`TERMS`."""
    return Hamiltonian(model, field).energy_terms(model.spins if spins is None else spins)


def effective_field(model, spins=None, field=None):
    """Local field h_i = −∂E/∂ŝ_i (meV) of ``spins`` (default ``model.spins``; (N, 3) or (P, N, 3))."""
    return Hamiltonian(model, field).fields(model.spins if spins is None else spins)
