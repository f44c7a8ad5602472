"""Single-spin Monte Carlo moves: proposals, the Metropolis step and the adaptive cone width.

Moves (``MOVES``, the name a user passes as ``move=``): ``"adaptive"`` — Gaussian cone
ŝ' = (ŝ + σg)/|ŝ + σg| with σ steered towards 50 % acceptance (Alzate-Cardona et al., J. Phys.:
Condens. Matter 31, 095802 (2019)); ``"hinzke-nowak"`` — equal mixture of spin flip,
uniform-on-sphere and Gaussian cone (Hinzke & Nowak, Comput. Phys. Commun. 121, 334 (1999));
``"uniform"`` — uniform on sphere. All are symmetric proposals, so plain Metropolis acceptance
min(1, exp(−ΔE/k_BT)) holds.

A new single-spin move is one new code here: a constant, one branch of :func:`_propose` (it must be
a symmetric proposal drawn from the stream ``st`` only) and one ``MOVES`` entry; every sweeper and
every measurement driver (``engine={"move": ...}``) then offers it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from atomspin.engine.kernels import _delta_e
from atomspin.engine.rng import _gauss3, _sphere, _uniform

MOVE_ADAPTIVE = 0
MOVE_HINZKE_NOWAK = 1
MOVE_UNIFORM = 2
MOVES = {"adaptive": MOVE_ADAPTIVE, "hinzke-nowak": MOVE_HINZKE_NOWAK, "uniform": MOVE_UNIFORM}

SIGMA_MIN = 1e-4  # smallest cone width (derived: below this a move changes ŝ by < 1e-4 rad)
SIGMA_MAX = 60.0  # largest cone width (derived: ŝ + 60 g is isotropic to < 2 % — uniform sampling)
TARGET_ACCEPTANCE = 0.5  # acceptance the cone width is steered to (Alzate-Cardona et al., JPCM 31, 095802 (2019))
ADAPT_MOVES = 4096  # moves pooled per σ update (derived: acceptance noise ≈ 0.5/√4096 ≈ 1 %, so σ hardly
#                     depends on the current state — per-sweep updates bias tiny systems measurably)


@njit(cache=True, error_model="numpy", inline="always")
def _propose(move, sx, sy, sz, sigma, st):
    """Trial spin for the chosen move kind; every kind is a symmetric proposal."""
    if move == MOVE_HINZKE_NOWAK:
        r = _uniform(st)
        if r < 1.0 / 3.0:
            return -sx, -sy, -sz  # spin flip
        elif r < 2.0 / 3.0:
            return _sphere(st)
        # else: small Gaussian cone (falls through)
    elif move == MOVE_UNIFORM:
        return _sphere(st)
    gx, gy, gz = _gauss3(st)
    nx = sx + sigma * gx
    ny = sy + sigma * gy
    nz = sz + sigma * gz
    inv = 1.0 / np.sqrt(nx * nx + ny * ny + nz * nz)
    return nx * inv, ny * inv, nz * inv


@njit(cache=True, error_model="numpy")
def _adapt_width(width, acceptance, lo, hi):
    """width ← width · clip(acceptance / 0.5, 1/2, 2), kept in [lo, hi] (cone σ or rotation w)."""
    f = acceptance / TARGET_ACCEPTANCE
    if f < 0.5:
        f = 0.5
    elif f > 2.0:
        f = 2.0
    s = width * f
    if s < lo:
        s = lo
    elif s > hi:
        s = hi
    return s


@njit(cache=True, error_model="numpy")
def _end_sweep(sigma_arr, acc, n, adapt, adapt_moves):
    """Pool a sweep's acceptance in sigma_arr[1:3]; update σ = sigma_arr[0] once ≥ adapt_moves tried."""
    if not adapt or n == 0:
        return
    sigma_arr[1] += acc
    sigma_arr[2] += n
    if sigma_arr[2] >= adapt_moves:
        sigma_arr[0] = _adapt_width(sigma_arr[0], sigma_arr[1] / sigma_arr[2], SIGMA_MIN, SIGMA_MAX)
        sigma_arr[1] = 0.0
        sigma_arr[2] = 0.0


@njit(cache=True, error_model="numpy", inline="always")
def _metropolis_site(i, move, sigma, beta, st, spins, moments, zp, indptr, indices, Jc, Jv,
                     quad, k1, k2, b, has_quad, has_cubic, has_dip, cell_of, W, Hc):
    """Propose and accept/reject one move of spin i; returns (accepted, dE). Does not touch Mc/Hc."""
    sx = spins[i, 0]
    sy = spins[i, 1]
    sz = spins[i, 2]
    nx, ny, nz = _propose(move, sx, sy, sz, sigma, st)
    de = _delta_e(i, nx, ny, nz, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                  has_quad, has_cubic, has_dip, cell_of, W, Hc)
    if de <= 0.0 or _uniform(st) < np.exp(-beta * de):
        spins[i, 0] = nx
        spins[i, 1] = ny
        spins[i, 2] = nz
        return True, de
    return False, de
