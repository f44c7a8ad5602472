"""Geometry on the unit sphere: quasi-uniform grids, tangent bases, checked directions and rotations."""
from __future__ import annotations

import numpy as np

from atomspin.validation import check_int


def fibonacci_sphere(n):
    """``n`` quasi-uniform unit vectors on the sphere (Fibonacci lattice), shape (n, 3)."""
    n = check_int("n", n, 1)
    i = np.arange(n) + 0.5
    z = 1.0 - 2.0 * i / n
    phi = np.pi * (1.0 + 5 ** 0.5) * i
    r = np.sqrt(np.clip(1.0 - z * z, 0.0, None))
    return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=-1)


def _unit(n, name="n"):
    a = np.asarray(n, dtype=np.float64)
    if a.shape[-1:] != (3,):
        raise ValueError(f"{name}: expected directions of shape (..., 3), got {a.shape}")
    nrm = np.linalg.norm(a, axis=-1, keepdims=True)
    if not np.all(np.isfinite(a)) or np.any(nrm == 0):
        raise ValueError(f"{name}: directions must be finite and non-zero")
    return a / nrm


def tangent_basis(n):
    """Orthonormal tangent vectors (t1, t2), each (..., 3), with t1 × t2 = n̂ (a smooth choice away from ±x)."""
    n = _unit(n)
    ref = np.zeros_like(n)
    use_x = np.abs(n[..., 0]) < 0.9
    ref[..., 0] = np.where(use_x, 1.0, 0.0)
    ref[..., 1] = np.where(use_x, 0.0, 1.0)
    t1 = ref - np.sum(ref * n, axis=-1, keepdims=True) * n
    t1 /= np.linalg.norm(t1, axis=-1, keepdims=True)
    t2 = np.cross(n, t1)
    return t1, t2


def _rotation_matrix(R, name="rotation"):
    R = np.asarray(R, dtype=np.float64)
    if R.shape != (3, 3) or not np.all(np.isfinite(R)):
        raise ValueError(f"{name}: expected a finite 3×3 rotation matrix, got shape {R.shape}")
    if not np.allclose(R @ R.T, np.eye(3), atol=1e-9) or np.linalg.det(R) < 0:
        raise ValueError(f"{name}: not a proper rotation (R Rᵀ ≠ 1 or det R < 0)")
    return R


