"""Wells of a uniaxial macrospin in a field of any direction (numba kernels of the two-state model).

The energy per K V of a uniaxial macrospin with the moment in the plane of its easy axis u and the
field H (angle ψ between them, h = |H|/H_K, θ the moment angle from u) is

    e(θ) = sin²θ − 2h cos(θ − ψ),          g(θ) = e'(θ) = sin 2θ + 2h sin(θ − ψ).

:func:`_wells_into` finds its minima (one or two) and the lower in-plane maximum (the saddle of
the escape over the barrier) by bracketing the roots of g on a grid and refining them (Newton,
safeguarded by bisection). :func:`_frame` gives (h, ψ) and the in-plane unit vector of a field.
These kernels serve :mod:`atomspin.sar.kinetic` (tests: tests/test_sar_kinetic.py, brute force).
"""
import math

import numpy as np
from numba import njit

_NGRID = 32
_OFFSET = 0.2137  # grid offset so that symmetric roots (0, π/2, …) never fall on a grid point
_TH = 2.0 * np.pi * (np.arange(_NGRID + 1) + _OFFSET) / _NGRID
_SIN, _COS, _SIN2 = np.sin(_TH), np.cos(_TH), np.sin(2.0 * _TH)


@njit(cache=True)
def _g(theta, h, psi):
    return math.sin(2.0 * theta) + 2.0 * h * math.sin(theta - psi)


@njit(cache=True)
def _e(theta, h, psi):
    s = math.sin(theta)
    return s * s - 2.0 * h * math.cos(theta - psi)


@njit(cache=True)
def _root(a, b, ga, gb, h, cp, sp):
    """Root of g = e'(θ) on [a, b] with g(a) = ga, g(b) = gb of opposite signs (cp, sp = cos ψ,
    sin ψ): Newton from the regula-falsi point, safeguarded by bisection."""
    x = a + (b - a) * ga / (ga - gb)
    for _ in range(60):
        s = math.sin(x)
        c = math.cos(x)
        sm = s * cp - c * sp  # sin(θ − ψ)
        cm = c * cp + s * sp  # cos(θ − ψ)
        gx = 2.0 * s * c + 2.0 * h * sm
        if gx == 0.0:
            return x
        if (gx > 0) == (ga > 0):
            a = x
            ga = gx
        else:
            b = x
        d = 2.0 * (c * c - s * s) + 2.0 * h * cm
        if d != 0.0:
            step = gx / d
            if abs(step) < 1e-12:  # converged (test before the bracket check: x may be an end)
                return x - step
            xn = x - step
        else:
            xn = 0.5 * (a + b)
        if not (a < xn < b):
            xn = 0.5 * (a + b)
        x = xn
    return x


@njit(cache=True)
def _add_root(r, ga, h, psi, th_min, e_min, nmin, emax_low):
    er = _e(r, h, psi)
    if ga < 0:  # g goes − → +: minimum
        if nmin < 4:
            th_min[nmin] = r
            e_min[nmin] = er
            nmin += 1
    elif er < emax_low:
        emax_low = er
    return nmin, emax_low


@njit(cache=True)
def _fine_scan(h, psi, ncell, th_min, e_min):
    """Bracket-and-refine all roots of g on ncell equal cells (trig evaluated on the fly)."""
    cp = math.cos(psi)
    sp = math.sin(psi)
    nmin = 0
    nroot = 0
    emax_low = np.inf
    t0 = 2.0 * math.pi * _OFFSET / ncell
    ga = _g(t0, h, psi)
    for k in range(ncell):
        a = t0 + 2.0 * math.pi * k / ncell
        b = t0 + 2.0 * math.pi * (k + 1) / ncell
        gb = _g(b, h, psi)
        if (ga > 0) != (gb > 0):
            r = _root(a, b, ga, gb, h, cp, sp)
            nmin, emax_low = _add_root(r, ga, h, psi, th_min, e_min, nmin, emax_low)
            nroot += 1
        ga = gb
    return nmin, nroot, emax_low


@njit(cache=True)
def _wells(h, psi, out):
    """:func:`_wells_into` with its own scratch arrays (convenience for tests)."""
    _wells_into(h, psi, out, np.empty(4), np.empty(4))


@njit(cache=True)
def _wells_into(h, psi, out, th_min, e_min):
    """Minima of e(θ) in the plane. out = [n_min, θ+, e+, θ−, e−, e_saddle].

    Roots of g = e'(θ) are bracketed on a 32-cell grid. SW theory says there are four stationary
    points (two minima) exactly when h < h_sw(ψ); if the coarse grid finds fewer there (a close
    min–max pair near the switching field), the circle is rescanned with 4096 cells.
    θ+ is the minimum with the larger cos θ (nearer +u). With one minimum it is stored in the
    slot of its own side (sign of cos θ) and the other slot gets e = +inf.
    """
    nmin = 0
    nroot = 0
    emax_low = np.inf
    cp = math.cos(psi)
    sp = math.sin(psi)
    ga = _SIN2[0] + 2.0 * h * (_SIN[0] * cp - _COS[0] * sp)
    for k in range(_NGRID):
        a = _TH[k]
        b = _TH[k + 1]
        gb = _SIN2[k + 1] + 2.0 * h * (_SIN[k + 1] * cp - _COS[k + 1] * sp)
        if (ga > 0) != (gb > 0):
            r = _root(a, b, ga, gb, h, cp, sp)
            nmin, emax_low = _add_root(r, ga, h, psi, th_min, e_min, nmin, emax_low)
            nroot += 1
        ga = gb
    if nroot < 4:
        hsw = (abs(cp) ** (2.0 / 3.0) + abs(sp) ** (2.0 / 3.0)) ** -1.5
        if h < hsw:
            nmin, nroot, emax_low = _fine_scan(h, psi, 4096, th_min, e_min)
    out[0] = nmin
    out[5] = emax_low
    if nmin >= 2:
        i0, i1 = 0, 1
        if math.cos(th_min[1]) > math.cos(th_min[0]):
            i0, i1 = 1, 0
        out[1] = th_min[i0]
        out[2] = e_min[i0]
        out[3] = th_min[i1]
        out[4] = e_min[i1]
    elif nmin == 1:
        if math.cos(th_min[0]) >= 0:
            out[1] = th_min[0]
            out[2] = e_min[0]
            out[3] = th_min[0] + math.pi
            out[4] = np.inf
        else:
            out[3] = th_min[0]
            out[4] = e_min[0]
            out[1] = th_min[0] - math.pi
            out[2] = np.inf
    else:  # cannot happen for a continuous periodic e(θ); keep the axis states
        out[1] = 0.0
        out[2] = 0.0
        out[3] = math.pi
        out[4] = 0.0


@njit(cache=True)
def _any_perpendicular(u, w):
    """w ← a unit vector ⊥ the unit vector u."""
    if abs(u[0]) < 0.9:
        w[0], w[1], w[2] = 1.0 - u[0] * u[0], -u[0] * u[1], -u[0] * u[2]
    else:
        w[0], w[1], w[2] = -u[1] * u[0], 1.0 - u[1] * u[1], -u[1] * u[2]
    nw = math.sqrt(w[0] ** 2 + w[1] ** 2 + w[2] ** 2)
    w[0] /= nw
    w[1] /= nw
    w[2] /= nw


@njit(cache=True)
def _frame(u, H, w):
    """Return (h_abs, psi) of field H relative to axis u; w ← unit vector ⊥ u toward H."""
    hn = math.sqrt(H[0] * H[0] + H[1] * H[1] + H[2] * H[2])
    if hn == 0.0:
        _any_perpendicular(u, w)
        return 0.0, 0.0
    c = (u[0] * H[0] + u[1] * H[1] + u[2] * H[2]) / hn
    if c > 1.0:
        c = 1.0
    elif c < -1.0:
        c = -1.0
    w[0] = H[0] / hn - c * u[0]
    w[1] = H[1] / hn - c * u[1]
    w[2] = H[2] / hn - c * u[2]
    nw = math.sqrt(w[0] ** 2 + w[1] ** 2 + w[2] ** 2)
    if nw < 1e-14:  # field along the axis: any perpendicular
        _any_perpendicular(u, w)
    else:
        w[0] /= nw
        w[1] /= nw
        w[2] /= nw
    return hn, math.acos(c)


