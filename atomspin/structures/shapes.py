"""Convex particle shapes: signed distance below the surface (Å, positive inside).

A shape is a JSON-able dict stored in ``atoms.info["shape"]``::

    {"kind": "sphere", "center_A": [x, y, z], "radius_A": R}
    {"kind": "cube", "center_A": ..., "half_A": h}                       {100} faces at ±h
    {"kind": "octahedron", "center_A": ..., "vertex_A": R}                |x|+|y|+|z| <= R ({111} faces)
    {"kind": "truncated_octahedron", "center_A": ..., "vertex_A": R, "half_A": h}   {111} + {100}
    {"kind": "ellipsoid", "center_A": ..., "semi_axes_A": [a, b, c]}      axes along x, y, z

Depth is the distance to the nearest bounding plane (polyhedra) or to the ellipsoid surface.
"""
from __future__ import annotations

import json

import numpy as np

SHAPES = ("sphere", "cube", "octahedron", "truncated_octahedron", "ellipsoid")
_SQRT3 = np.sqrt(3.0)


def _ellipsoid_distance(p, axes, max_iter=100, tol=1e-12):
    """Distance (≥ 0) from interior points p (M,3) to the ellipsoid surface with semi-axes ``axes``.

    Eberly's method: the closest surface point is x_i = a_i² q_i / (t + a_i²) (q = |p|) with t the
    root of F(t) = Σ (a_i q_i / (t + a_i²))² − 1, which is convex and decreasing. Newton's method from
    t0 = max_i (a_i q_i − a_i²) ≤ root converges monotonically from the left; vectorised over points.
    """
    a = np.asarray(axes, float)
    a2 = a ** 2
    # a tiny offset keeps the root bracketed for points on a symmetry plane (error ≤ 1e-6 Å)
    q = np.maximum(np.abs(p), 1e-6)
    t = np.max(a * q - a2, axis=1)
    active = np.arange(len(q))
    for _ in range(max_iter):
        if len(active) == 0:
            break
        qa = q[active]
        den = t[active, None] + a2
        r = a * qa / den
        f = np.sum(r * r, axis=1) - 1.0
        fp = -2.0 * np.sum(r * r / den, axis=1)
        step = -f / fp
        t[active] += step
        active = active[np.abs(step) > tol * (1.0 + np.abs(t[active]))]
    x = a2 * q / (t[:, None] + a2)
    return np.linalg.norm(x - q, axis=1)


def inside_mask(shape, positions, tol_A=1e-6):
    """True for positions inside the shape (or within tol_A outside); cheap algebraic test."""
    if shape["kind"] == "ellipsoid":
        r = np.asarray(positions, float) - np.asarray(shape["center_A"], float)
        axes = np.asarray(shape["semi_axes_A"], float)
        return np.sum((r / axes) ** 2, axis=1) <= (1.0 + tol_A / axes.min()) ** 2
    return depth_A(shape, positions) >= -tol_A


def depth_A(shape, positions):
    """Signed depth below the surface (Å) of ``positions`` (M,3) for the shape dict; < 0 outside."""
    kind = shape["kind"]
    r = np.asarray(positions, float) - np.asarray(shape["center_A"], float)
    if kind == "sphere":
        return shape["radius_A"] - np.linalg.norm(r, axis=1)
    if kind == "cube":
        return shape["half_A"] - np.max(np.abs(r), axis=1)
    if kind == "octahedron":
        return (shape["vertex_A"] - np.sum(np.abs(r), axis=1)) / _SQRT3
    if kind == "truncated_octahedron":
        return np.minimum((shape["vertex_A"] - np.sum(np.abs(r), axis=1)) / _SQRT3,
                          shape["half_A"] - np.max(np.abs(r), axis=1))
    if kind == "ellipsoid":
        axes = np.asarray(shape["semi_axes_A"], float)
        inside = np.sum((r / axes) ** 2, axis=1) <= 1.0
        out = np.empty(len(r))
        if inside.any():
            out[inside] = _ellipsoid_distance(r[inside], axes)
        if (~inside).any():  # outside: a lower bound of the true distance is enough for a sign
            rr = r[~inside]
            k = np.sqrt(np.sum((rr / axes) ** 2, axis=1))
            out[~inside] = -np.linalg.norm(rr - rr / k[:, None], axis=1)
        return out
    raise ValueError(f"shape: {kind!r} is not one of {list(SHAPES)}")


def bounding_radius_A(shape):
    """Radius (Å) of a sphere about the centre that contains the shape."""
    kind = shape["kind"]
    if kind == "sphere":
        return shape["radius_A"]
    if kind == "cube":
        return shape["half_A"] * _SQRT3
    if kind in ("octahedron", "truncated_octahedron"):
        return shape["vertex_A"]
    return float(max(shape["semi_axes_A"]))


def volume_A3(shape):
    """Volume (Å³) of the ideal shape."""
    kind = shape["kind"]
    if kind == "sphere":
        return 4.0 / 3.0 * np.pi * shape["radius_A"] ** 3
    if kind == "cube":
        return (2 * shape["half_A"]) ** 3
    if kind == "octahedron":
        return 4.0 / 3.0 * shape["vertex_A"] ** 3
    if kind == "truncated_octahedron":
        R, h = shape["vertex_A"], shape["half_A"]
        # octahedron minus the 6 square pyramids beyond |x_i| = h (height R − h, volume (2/3)(R−h)^3 each)
        return 4.0 / 3.0 * R ** 3 - 6 * 2.0 / 3.0 * max(R - h, 0.0) ** 3
    a, b, c = shape["semi_axes_A"]
    return 4.0 / 3.0 * np.pi * a * b * c


def get_shape(atoms):
    """The shape dict stored by :func:`build_particle`, or None for bulk cells."""
    s = atoms.info.get("shape")
    if s is None or s == "":
        return None
    return json.loads(s) if isinstance(s, str) else s
