"""Debye (first-order) relaxation of a point-spread function along a field ramp: an exact exponential integrator.

A moment that lags its equilibrium value with time constant τ while the field rises at the constant rate
v = dH/dt obeys, with a = τ v (A/m), a dM/dH = M_eq(H) − M. Its solution is the equilibrium curve convolved
with the causal exponential kernel e^{−u/a}/a (u ≥ 0), so the relaxed point-spread function dM/dH is the
equilibrium one h = dM_eq/dH convolved with the same kernel (Croft, Goodwill & Conolly, IEEE Trans. Med.
Imaging 31, 2335 (2012)). With u = M − M_eq the equation reads u' = −u/a − h(H), integrated exactly step by
step:

    u(H_k + δ) = u(H_k) e^{−δ/a} − ∫_0^δ h(H_k + s) e^{−(δ−s)/a} ds,

the integral by 8-point Gauss–Legendre on steps δ ≤ min(2a, local scale of h / 4), so the relaxed PSF
−u/a is exact to ~1e-10 relative. For a ≤ w/50 (w the field scale of h) the convolution integral
∫_0^∞ h(H − a x) e^{−x} dx is evaluated directly at each H by 24-point Gauss–Laguerre quadrature (the
integrand is smooth on the scale w/a ≥ 50 in x), equally exact; the same quadrature serves fields beyond
|H| = 400 (w + a) for any a (there h varies on scales ≥ 100 (w + a)).
"""
from __future__ import annotations

import numpy as np
from numba import njit
from scipy.optimize import brentq, minimize_scalar

_GL_X, _GL_W = np.polynomial.legendre.leggauss(8)
_GL_X = 0.5 * (_GL_X + 1.0)  # nodes on [0, 1]
_GL_W = 0.5 * _GL_W
_LAG_X, _LAG_W = np.polynomial.laguerre.laggauss(24)
LAGUERRE_LIMIT = 0.02
"""For a/w ≤ 0.02 the relaxed PSF is the Gauss–Laguerre quadrature of its convolution integral."""
CORE_WIDTHS = 400.0
"""The recursion covers |H| ≤ 400 (w + a); farther out, where h varies on scales ≥ 100 (w + a) ≫ a, the
convolution integral is evaluated point by point by Gauss–Laguerre quadrature."""


@njit(cache=True)
def _exp_recursion(decay, forcing, u0):
    """u[0] = u0, u[k+1] = decay[k] u[k] + forcing[k]."""
    n = decay.shape[0]
    u = np.empty(n + 1)
    u[0] = u0
    for k in range(n):
        u[k + 1] = decay[k] * u[k] + forcing[k]
    return u


def _forcing(h, H0, delta, a):
    """−∫_0^δ h(H0 + s) e^{−(δ−s)/a} ds for arrays H0, δ (8-point Gauss–Legendre)."""
    s = delta[:, None] * _GL_X[None, :]
    vals = h((H0[:, None] + s).ravel()).reshape(s.shape) * np.exp(-(delta[:, None] - s) / a)
    return -(vals @ _GL_W) * delta


def _grid(H_lo, H_hi, a, w, required):
    """Nodes from H_lo to H_hi with steps ≤ min(2a, (w + |H|/4)/4), containing every ``required`` point."""
    nodes = []
    H = H_lo
    while H < H_hi:
        nodes.append(H)
        H = H + min(2.0 * a, 0.25 * (w + 0.25 * abs(H)))
    nodes.append(H_hi)
    grid = np.union1d(np.asarray(nodes), required)
    return grid[(grid >= H_lo) & (grid <= H_hi)]


class RelaxedPSF:
    """The relaxed PSF −u/a of the equilibrium PSF ``h`` (a callable of H in A/m) for the lag a = τ v (A/m).

    ``w`` is the field scale of h (A/m, e.g. k_BT/(μ0 m)); ``H_lo``/``H_hi`` the range that must be covered.
    ``values(H)`` at any points inside the range; ``peak()`` and ``fwhm()`` are exact (sub-step root finding).
    """

    def __init__(self, h, a, w, H_lo, H_hi, required=()):
        self.h, self.a, self.w = h, float(a), float(w)
        self.quadrature = self.a <= LAGUERRE_LIMIT * self.w
        core = CORE_WIDTHS * (self.w + self.a)  # beyond ±core h varies on scales ≥ 100 (w + a): quadrature
        lo = min(max(float(H_lo), -core), -20.0 * self.w) - 40.0 * self.a
        hi = max(min(float(H_hi), core), 20.0 * self.w + 20.0 * self.a)
        if self.quadrature:
            self.grid = np.union1d(np.linspace(-20.0 * self.w, 20.0 * self.w, 4001),
                                   np.asarray(required, dtype=np.float64))
            self.u = -self.a * self._laguerre(self.grid)
            return
        req = np.asarray(required, dtype=np.float64)
        self.grid = _grid(lo, hi, self.a, self.w, req[(req >= lo) & (req <= hi)])
        delta = np.diff(self.grid)
        decay = np.exp(-delta / self.a)
        forcing = _forcing(h, self.grid[:-1], delta, self.a)
        u0 = -self.a * float(h(np.array([self.grid[0] - self.a]))[0])  # quasi-static lag, error O(a²h')
        self.u = _exp_recursion(decay, forcing, u0)

    def _laguerre(self, H):
        H = np.asarray(H, dtype=np.float64)
        vals = self.h((H.ravel()[:, None] - self.a * _LAG_X[None, :]).ravel()).reshape(H.size, _LAG_X.size)
        return (vals @ _LAG_W).reshape(H.shape)

    def _value_at(self, H):
        """Exact relaxed PSF at a scalar H inside the grid (one sub-step from the node below)."""
        if self.quadrature:
            return float(self._laguerre(np.array([H]))[0])
        k = int(np.clip(np.searchsorted(self.grid, H, side="right") - 1, 0, len(self.grid) - 2))
        d = H - self.grid[k]
        if d <= 0.0:
            return -self.u[k] / self.a
        f = _forcing(self.h, np.array([self.grid[k]]), np.array([d]), self.a)[0]
        return -(self.u[k] * np.exp(-d / self.a) + f) / self.a

    def values(self, H):
        """Relaxed PSF at the points H (exact at grid nodes, one sub-step elsewhere)."""
        H = np.asarray(H, dtype=np.float64)
        if self.quadrature:
            return self._laguerre(H)
        out = np.empty(H.shape)
        flat = H.ravel()
        idx = np.searchsorted(self.grid, flat)
        hit = (idx < len(self.grid)) & (self.grid[np.minimum(idx, len(self.grid) - 1)] == flat)
        res = out.ravel()
        res[hit] = -self.u[idx[hit]] / self.a
        outside = ~hit & ((flat < self.grid[0]) | (flat > self.grid[-1]))
        res[outside] = self._laguerre(flat[outside])
        for j in np.nonzero(~hit & ~outside)[0]:
            res[j] = self._value_at(flat[j])
        return res.reshape(H.shape)

    def node_values(self):
        """(grid, relaxed PSF at the grid nodes)."""
        return self.grid, -self.u / self.a

    def peak(self):
        """(H of the maximum, maximum), refined between the neighbouring nodes."""
        g, v = self.node_values()
        k = int(np.argmax(v))
        lo, hi = g[max(k - 1, 0)], g[min(k + 1, len(g) - 1)]
        res = minimize_scalar(lambda x: -self._value_at(x), bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-12 * max(self.w, self.a)})
        return float(res.x), float(-res.fun)

    def fwhm(self):
        """(FWHM, left and right half-maximum fields) of the relaxed PSF, A/m."""
        Hp, vmax = self.peak()
        g, v = self.node_values()
        half = 0.5 * vmax
        kp = int(np.searchsorted(g, Hp))
        left = np.nonzero(v[:kp] < half)[0]
        right = np.nonzero(v[kp:] < half)[0]
        if left.size == 0 or right.size == 0:
            raise RuntimeError("relaxed PSF: the half-maximum points lie outside the integration range")
        kl, kr = left[-1], kp + right[0]
        f = lambda x: self._value_at(x) - half  # noqa: E731
        xtol = 1e-13 * max(self.w, self.a)
        H_left = brentq(f, g[kl], g[kl + 1], xtol=xtol)
        H_right = brentq(f, g[kr - 1], g[kr], xtol=xtol)
        return H_right - H_left, H_left, H_right
