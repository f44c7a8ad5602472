"""Stoner–Wohlfarth (T = 0 coherent rotation) reference loops.

Reduced energy of a uniaxial macrospin: e(θ) = ½ sin²θ − h cos(θ − ψ), with θ the moment angle
from the easy axis, ψ the field angle and h = B / B_K, B_K = 2K/(Ms) (μ0H_K = 2K/Ms).
Reference values (Stoner & Wohlfarth, Phil. Trans. R. Soc. A 240, 599 (1948); checked by direct
calculation in /work/shared/reference/physics.md §4): aligned h_c = 1, m_r = 1, loop area
4 B_K Ms; random 3-D easy axes h_c = 0.479, m_r = 0.5, area 0.988 B_K Ms.
"""
from __future__ import annotations

import numpy as np

from atomspin.measure.results import check_int


def switching_field(psi):
    """Reduced switching (astroid) field h_sw(ψ) = (cos^{2/3}ψ + sin^{2/3}ψ)^{−3/2}."""
    c = np.abs(np.cos(psi)) ** (2 / 3)
    s = np.abs(np.sin(psi)) ** (2 / 3)
    return (c + s) ** -1.5


def stoner_wohlfarth_loop(h, psi, theta0=0.0, tol=1e-12, max_iter=100000):
    """Magnetisation along the field of T = 0 SW particles following a field history.

    Parameters
    ----------
    h : (F,) reduced fields B/B_K along the field axis, in the order applied.
    psi : float or (P,) field angles from the easy axis (rad).
    theta0 : starting moment angle(s) (rad); 0 = along +easy axis.

    Returns
    -------
    (F, P) array of m·ĥ (reduced moment projected on the field axis).
    """
    h = np.asarray(h, dtype=np.float64).ravel()
    psi = np.atleast_1d(np.asarray(psi, dtype=np.float64))
    th = np.broadcast_to(np.asarray(theta0, dtype=np.float64), psi.shape).copy()
    out = np.empty((len(h), len(psi)))
    for k, hk in enumerate(h):
        for _ in range(max_iter):
            g = 0.5 * np.sin(2 * th) + hk * np.sin(th - psi)
            c = np.cos(2 * th) + hk * np.cos(th - psi)
            # Newton where the curvature is positive, else a gradient step; kick unstable equilibria
            step = np.where(c > 1e-3, g / np.maximum(c, 1e-3), 0.2 * np.sign(g))
            stuck = (np.abs(g) < tol) & (c < 0)
            step = np.where(stuck, -1e-4, step)
            step = np.clip(step, -0.2, 0.2)
            th = th - step
            if np.all(np.abs(g) < tol) and not np.any(stuck):
                break
        out[k] = np.cos(th - psi)
    return out


def random_axes_loop(h, n_orientations=400):
    """Loop of an ensemble of SW particles with random 3-D easy axes (uniform in cos ψ, ψ ∈ [0, π/2]).

    Uses the midpoint rule in cos ψ with ``n_orientations`` points. Returns (F,) reduced m·ĥ.
    """
    n = check_int("n_orientations", n_orientations, 1)
    cpsi = 1.0 - (np.arange(n) + 0.5) / n
    m = stoner_wohlfarth_loop(h, np.arccos(cpsi))
    return m.mean(axis=1)
