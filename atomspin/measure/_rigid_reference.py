"""Dipolar fields of rigid rotations of one state, from nine precomputed source sets.

Every direction of a landscape starts from the same thermalised state ŝ⁰ rigidly rotated (ŝ_i = R ŝ⁰_i), and the
constrained sweeper anchors its frozen dipolar field there (a full dipolar evaluation per direction: the largest
single cost of a landscape of a lattice-dipolar particle, and far more for the grain method). The field is linear
in the moments, so for any rotation R

    h_i = m_i Σ_j W_ij m_j R ŝ⁰_j = m_i Σ_{c,b} R_cb G^{cb}_i,   G^{cb}_i = Σ_j W_ij ê_c m_j ŝ⁰_{j,b},

nine fields computed once; and the shape tensor of the longitudinal charges q_i = m_i ŝ_i·n̂ is the same for every
rotation (q_i = m_i ŝ⁰_i·n̂⁰ when n̂ = R n̂⁰). :class:`RigidReferenceDipolar` wraps the model's dipolar object and
answers ``fields_and_axis_shape_tensor_meV`` from them whenever the state is a rigid rotation of ŝ⁰ (found by the
Kabsch fit, checked to 1e-9 per component); any other state (the window-averaged references after the first
window) goes to the wrapped object. Results equal the direct evaluation to rounding (tests/test_measure_landscape.py).
"""
from __future__ import annotations

import numpy as np
from atomspin.model.sums import site_gram, site_sum

#: largest |ŝ_i − R ŝ⁰_i| (any component) for a state to count as a rigid rotation of the reference (derived:
#: rotations applied in float64 leave ~1e-15; a thermal step moves spins by ≫ 1e-3)
RIGID_TOL = 1e-9
#: directions from which the nine source sets pay off (derived: 9 field evaluations + 1 shape tensor ≈ 5 refreshes)
RIGID_MIN_DIRECTIONS = 6


class RigidReferenceDipolar:
    """The model's dipolar object with rigid rotations of ``spins0`` answered from precomputed fields."""

    def __init__(self, exact, spins0, moments):
        self.exact = exact
        self.s0 = np.ascontiguousarray(spins0, dtype=np.float64)
        self.m = np.ascontiguousarray(moments, dtype=np.float64)
        n = len(self.m)
        self.G = np.empty((3, 3, n, 3))
        for b in range(3):
            q = self.m * self.s0[:, b]
            for c in range(3):
                mu = np.zeros((n, 3))
                mu[:, c] = q
                self.G[c, b] = exact.field_per_moment(mu)
        # the axis the sweeper's refresh takes: S⁰/|S⁰|, S⁰ = Σ σ_i m_i ŝ⁰_i, σ_i the sign along the principal axis
        axis = np.linalg.eigh(site_gram(self.s0))[1][:, -1]
        S0 = site_sum(np.where(self.s0 @ axis >= 0.0, 1.0, -1.0) * self.m, self.s0)
        self.n0 = S0 / np.linalg.norm(S0)
        _, self.D0 = exact.fields_and_axis_shape_tensor_meV(self.s0, self.m, self.n0)
        self.hits = 0

    def __getattr__(self, name):  # every other part of the dipolar contract: the wrapped object
        if name == "exact":
            raise AttributeError(name)
        return getattr(self.exact, name)

    def __reduce__(self):  # pickled (spawned workers) as the wrapped object plus the precomputed arrays
        return (_restore, (self.exact, self.s0, self.m, self.G, self.n0, self.D0))

    def rotation_of(self, spins):
        """R with spins ≈ spins0 Rᵀ (3, 3), or None when ``spins`` is not a rigid rotation of the reference."""
        s = np.asarray(spins, dtype=np.float64)
        if s.shape != self.s0.shape:
            return None
        u, _, vt = np.linalg.svd(site_gram(self.s0, s))
        d = np.sign(np.linalg.det(u @ vt))
        R = (u @ np.diag([1.0, 1.0, d]) @ vt).T
        if np.max(np.abs(s - self.s0 @ R.T)) > RIGID_TOL:
            return None
        return R

    def fields_and_axis_shape_tensor_meV(self, spins, moments, axis):
        R = self.rotation_of(spins)
        m = np.asarray(moments, dtype=np.float64)
        if R is None or m.shape != self.m.shape or np.any(m != self.m) \
                or abs(abs(float(np.asarray(axis) @ (R @ self.n0))) - 1.0) > RIGID_TOL:
            return self.exact.fields_and_axis_shape_tensor_meV(spins, moments, axis)
        self.hits += 1
        h = np.einsum("cb,cbnk->nk", R, self.G)
        return self.m[:, None] * h, self.D0.copy()


def _restore(exact, s0, m, G, n0, D0):
    obj = RigidReferenceDipolar.__new__(RigidReferenceDipolar)
    obj.exact, obj.s0, obj.m, obj.G, obj.n0, obj.D0, obj.hits = exact, s0, m, G, n0, D0, 0
    return obj
