"""Ensembles of macrospins: size distributions, easy-axis distributions, positions (shared by all models).

Everything here is seeded (``seed``) and validated; :func:`check_axes` and :func:`check_positions`
are the one place where the models turn user input into (N, 3) arrays of unit axes and centres.
"""
from __future__ import annotations

import math

import numpy as np

from atomspin.validation import check_direction, check_real, check_seed

from ._common import check_array, check_int, check_nonnegative, check_positive, sphere_volume

def lognormal_diameters(d_median, sigma, n, seed):
    """Diameters (m) drawn from a lognormal distribution.

    Parameters
    ----------
    d_median : float
        Median diameter, m (> 0).
    sigma : float
        Standard deviation of ln d (> 0; use a plain diameter for a monodisperse ensemble).
    n : int
        Number of particles.
    seed : int
        Seed of the random generator.
    """
    d_median = check_positive("d_median", d_median)
    sigma = check_positive("sigma", sigma)
    n = check_int("n", n)
    rng = np.random.default_rng(check_seed(seed))
    return d_median * np.exp(sigma * rng.standard_normal(n))


def random_axes(n, seed):
    """n unit vectors uniformly distributed on the sphere (seeded)."""
    n = check_int("n", n)
    rng = np.random.default_rng(check_seed(seed))
    v = rng.standard_normal((n, 3))
    return v / np.linalg.norm(v, axis=1)[:, None]


def arrangement(kind, diameters, gap=1e-9, volume_fraction=0.1, seed=0, axis=(0.0, 0.0, 1.0)):
    """Particle centre positions (m) for dipolar ensembles.

    Parameters
    ----------
    kind : {"chain", "cluster", "random_dense"}
        ``"chain"``: touching-plus-gap chain along ``axis``; ``"cluster"``: random sequential
        addition of non-overlapping spheres with centres inside a sphere whose volume is
        Σ V_i / volume_fraction; ``"random_dense"``: the same inside a cube.
    diameters : array
        Particle diameters, m.
    gap : float
        Surface-to-surface gap of the chain, m (>= 0).
    volume_fraction : float
        Packing fraction in (0, 0.4] for "cluster" and "random_dense".
    seed : int
        Seed for the random placements.
    """
    d = check_array("diameters", diameters, positive=True).ravel()
    n = d.size
    if kind == "chain":
        gap = check_nonnegative("gap", gap)
        ax = check_direction("axis", axis)
        s = np.concatenate([[0.0], np.cumsum(0.5 * (d[:-1] + d[1:]) + gap)])
        return s[:, None] * ax[None, :]
    if kind not in ("cluster", "random_dense"):
        raise ValueError(f"kind: {kind!r} is not 'chain', 'cluster' or 'random_dense'")
    volume_fraction = check_real("volume_fraction", volume_fraction, 0.0, 0.4, lo_open=True)
    rng = np.random.default_rng(check_seed(seed))
    vtot = float(np.sum(sphere_volume(d))) / volume_fraction
    if kind == "cluster":
        R = (3 * vtot / (4 * math.pi)) ** (1 / 3)
    else:
        L = vtot ** (1 / 3)
    pos = np.zeros((n, 3))
    order = np.argsort(-d)
    placed = []
    for idx in order:
        for _ in range(200000):
            if kind == "cluster":
                p = rng.uniform(-R, R, 3)
                if np.linalg.norm(p) > R:
                    continue
            else:
                p = rng.uniform(0.0, L, 3)
            if all(np.linalg.norm(p - pos[j]) >= 0.5 * (d[idx] + d[j]) for j in placed):
                break
        else:
            raise ValueError(f"volume_fraction: {volume_fraction} too dense to place {n} particles")
        pos[idx] = p
        placed.append(idx)
    return pos


def check_axes(axes, n, seed=0):
    """Easy axes of n particles as a C-contiguous (n, 3) array of unit vectors.

    ``axes`` is ``"random"`` (uniform on the sphere, seeded), ``"aligned"`` (all +z), one 3-vector
    (shared by every particle) or an (n, 3) array.
    """
    if isinstance(axes, str):
        if axes == "random":
            return np.ascontiguousarray(random_axes(n, seed))
        if axes == "aligned":
            return np.tile([0.0, 0.0, 1.0], (n, 1))
        raise ValueError(f"axes: {axes!r} is not 'random', 'aligned' or an (N, 3) array")
    ax = check_array("axes", axes)
    if ax.shape == (3,):
        ax = np.tile(ax, (n, 1))
    if ax.shape != (n, 3):
        raise ValueError(f"axes: shape {ax.shape} is not ({n}, 3)")
    nrm = np.linalg.norm(ax, axis=1)
    if np.any(nrm == 0):
        raise ValueError("axes: zero vector")
    return np.ascontiguousarray(ax / nrm[:, None])


def check_positions(positions, diameters):
    """Particle centres (m) as a C-contiguous (n, 3) array; zeros (and no interaction) for ``None``.

    Returns ``(positions, interacting)``; ValueError when two spheres of the given diameters overlap.
    """
    d = np.asarray(diameters, dtype=float).ravel()
    n = d.size
    if positions is None:
        return np.zeros((n, 3)), False
    pos = check_array("positions", positions)
    if pos.shape != (n, 3):
        raise ValueError(f"positions: shape {pos.shape} is not ({n}, 3)")
    dist = np.linalg.norm(pos[:, None] - pos[None], axis=-1) + np.eye(n) * 1e300
    if np.any(dist < 0.5 * (d[:, None] + d[None, :]) * (1 - 1e-9)):
        raise ValueError("positions: particles overlap")
    return np.ascontiguousarray(pos), n > 1
