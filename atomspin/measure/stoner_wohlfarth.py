"""Closed forms of the uniaxial Stoner–Wohlfarth particle (T = 0 coherent rotation).

The T = 0 Stoner–Wohlfarth loop of *any* macrospin energy surface is one implementation,
:func:`atomspin.macrospin.stoner_wohlfarth_loop` (it follows the local minimum). For the uniaxial
particle the loop is also known in closed form, which is what this module gives (fast and exact for
whole ensembles of easy-axis angles; tests check it against the general implementation):

Reduced energy e(θ) = ½ sin²θ − h cos(θ − ψ) (θ the moment angle from the easy axis, ψ the field angle,
h = B/B_K with μ0H_K = B_K = 2K/Ms). Equilibria satisfy h = −sin 2θ / (2 sin(θ − ψ)), so each branch
is the parametric curve (h(θ), m(θ) = cos(θ − ψ)). For 0 ≤ ψ < π/2 the branch that continues from
h = +∞ (the "up" branch) runs over θ ∈ [θ_c, ψ) and ends at the astroid, h = −h_sw(ψ), where
tan³θ_c = −tan ψ and h_sw(ψ) = (cos^{2/3}ψ + sin^{2/3}ψ)^{−3/2}; the "down" branch is its mirror,
m_down(h) = −m_up(−h), and ψ → π − ψ leaves both unchanged. A loop is on the up branch until h falls
below −h_sw and on the down branch until h rises above +h_sw. References: Stoner & Wohlfarth,
Phil. Trans. R. Soc. A 240, 599 (1948). Aligned: h_c = 1, m_r = 1, loop area 4 B_K Ms;
random 3-D easy axes: h_c = 0.479, m_r = 0.5, area 0.988 B_K Ms (computed here, tests).
"""
from __future__ import annotations

import numpy as np

from atomspin.validation import check_array, check_int


def switching_field(psi):
    """Reduced switching (astroid) field h_sw(ψ) = (cos^{2/3}ψ + sin^{2/3}ψ)^{−3/2}."""
    c = np.abs(np.cos(psi)) ** (2 / 3)
    s = np.abs(np.sin(psi)) ** (2 / 3)
    return (c + s) ** -1.5


def up_branch(h, psi):
    """m = cos(θ − ψ) on the branch that continues from h = +∞, where it exists (h ≥ −h_sw(ψ)); NaN elsewhere.

    ``h`` and ``psi`` broadcast; θ is the root of sin 2θ + 2h sin(θ − ψ) = 0 in [θ_c, ψ'] (ψ' = min(ψ, π − ψ)),
    bracketed in closed form and found by bisection to machine precision.
    """
    h, psi = np.broadcast_arrays(np.asarray(h, dtype=np.float64), np.asarray(psi, dtype=np.float64))
    p = np.minimum(psi, np.pi - psi)
    hard = np.abs(p - 0.5 * np.pi) < 1e-12  # hard axis: m = clip(h, −1, 1) on both branches
    with np.errstate(divide="ignore", invalid="ignore"):
        theta_c = -np.arctan(np.cbrt(np.tan(np.where(hard, 0.0, p))))
    lo = np.where(hard, 0.0, theta_c)
    hi = np.where(hard, 0.0, p)
    exists = h >= -switching_field(p) - 1e-15
    for _ in range(26):  # g(lo) ≤ 0 ≤ g(hi) on the branch: bisection to ~5e-8 rad ...
        mid = 0.5 * (lo + hi)
        neg = np.sin(2.0 * mid) + 2.0 * h * np.sin(mid - p) < 0
        lo = np.where(neg, mid, lo)
        hi = np.where(neg, hi, mid)
    th = 0.5 * (lo + hi)
    for _ in range(3):  # ... then Newton inside the bracket (g' = 2e'' > 0 on a stable branch)
        g = np.sin(2.0 * th) + 2.0 * h * np.sin(th - p)
        dg = 2.0 * np.cos(2.0 * th) + 2.0 * h * np.cos(th - p)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(dg > 0, g / dg, 0.0)
        th = np.clip(th - step, lo, hi)
    m = np.cos(th - p)
    m = np.where(hard, np.clip(h, -1.0, 1.0), m)
    return np.where(exists, m, np.nan)


def stoner_wohlfarth_loop(h, psi, up=None):
    """Magnetisation along the field of T = 0 uniaxial SW particles following a field history (closed form).

    Parameters
    ----------
    h : (F,) reduced fields B/B_K along the field axis, in the order applied.
    psi : float or (P,) field angles from the easy axis (rad).
    up : bool or (P,) bool, optional
        Start on the up branch (the state of a large positive field); default: ``h[0] >= 0``.

    Returns
    -------
    (F, P) array of m·ĥ (reduced moment projected on the field axis).
    """
    h = check_array("h", h, nonempty=True).ravel()
    psi = np.atleast_1d(check_array("psi", psi))
    hsw = switching_field(psi)
    state = np.broadcast_to(h[0] >= 0 if up is None else np.asarray(up, dtype=bool), psi.shape).copy()
    states = np.empty((len(h), len(psi)), dtype=bool)
    for k, hk in enumerate(h):  # the history: which branch each particle is on after field k
        state &= ~(hk < -hsw)
        state |= hk > hsw
        states[k] = state
    H = np.where(states, h[:, None], -h[:, None])  # the down branch is the mirrored up branch
    m = up_branch(H, psi[None, :])
    return np.where(states, m, -m)


def loop_area(psi, h_max=np.inf):
    """Area ∮ m dh of the T = 0 loop at field angle ψ, in units of B_K Ms (μ0H_K Ms), closed form.

    Along a reversible branch de_min/dh = −m, so the area is the energy lost in the two jumps:
    2[e(θ_c; −h_sw) − e(θ_d; −h_sw)] with θ_c the astroid angle (tan³θ_c = −tan ψ') and θ_d the other
    minimum at the same field (the up branch at +h_sw, turned by π). Zero when h_max < h_sw(ψ)
    (a reversible minor loop). Aligned (ψ = 0): 4.
    """
    psi = np.asarray(psi, dtype=np.float64)
    p = np.minimum(psi, np.pi - psi)
    hsw = switching_field(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta_c = -np.arctan(np.cbrt(np.tan(p)))
    m_u = up_branch(hsw, p)
    theta_u = p - np.arccos(np.clip(m_u, -1.0, 1.0))
    e_c = 0.5 * np.sin(theta_c) ** 2 + hsw * np.cos(theta_c - p)
    e_d = 0.5 * np.sin(theta_u) ** 2 - hsw * m_u
    area = 2.0 * (e_c - e_d)
    area = np.where(np.abs(p - 0.5 * np.pi) < 1e-12, 0.0, area)
    return np.where(h_max >= hsw, area, 0.0)


def random_axes_loop(h, n_orientations=400):
    """Loop of an ensemble of SW particles with random 3-D easy axes (uniform in cos ψ, ψ ∈ [0, π/2]).

    Uses the midpoint rule in cos ψ with ``n_orientations`` points. Returns (F,) reduced m·ĥ.
    """
    n = check_int("n_orientations", n_orientations, 1)
    cpsi = 1.0 - (np.arange(n) + 0.5) / n
    m = stoner_wohlfarth_loop(h, np.arccos(cpsi))
    return m.mean(axis=1)
