"""Constrained Monte Carlo (pair moves at fixed direction of M, Asselin et al., Phys. Rev. B 82, 054415
(2010)) for models with a dipolar object, under the frozen-field approximation of
:mod:`atomspin.engine.sweepers.dipolar` (E_MC: exact fields and energy at each refresh, the collective term
ΔSᵀKΔS exact for rigid rotations; refreshed every ``refresh_every`` sweeps, or "auto").

:class:`~atomspin.engine.ConstrainedSimulation` picks it instead of ``"constrained"`` when the model's
dipolar term is such an object. The torque it samples is that of E_MC (the Simulation's local fields
come from the same :class:`~atomspin.engine.sweepers.dipolar.FrozenDipolar`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from atomspin.engine.kernels import _delta_e
from atomspin.engine.moves import MOVE_ADAPTIVE, _end_sweep, _propose
from atomspin.engine.rng import _uniform
from atomspin.engine.sweepers.constrained import ConstrainedSweeper
from atomspin.engine.sweepers.dipolar import FrozenFieldMixin


@njit(cache=True, error_model="numpy", parallel=True)
def constrained_frozen_sweeps(n_sweeps, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                              has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc,
                              beta, ex, ey, ez, sigma_arr, adapt, adapt_moves, state, acc_out, mtot,
                              hd, wst, K, dS):
    """The pair moves of :func:`atomspin.engine.sweepers.constrained.constrained_sweeps` with the frozen
    dipolar field ``hd`` (N, 3) meV and the collective term ΔSᵀKΔS (``dS`` (3,) μB updated in place)."""
    n = spins.shape[0]
    acc_t = np.zeros(1, dtype=np.int64)
    for sw in range(n_sweeps):
        sigma = sigma_arr[0]
        for _t in prange(1):
            st = state[0]
            acc = 0
            lx = dS[0]
            ly = dS[1]
            lz = dS[2]
            # primary spins in array order, partner j = i + shift (mod N) with one uniform shift ∈ [1, N−1] per
            # sweep: each pair move is a reversible Metropolis–Hastings step for its fixed pair, so the sequence
            # keeps the Boltzmann distribution, the random shift makes every pair reachable, and both streams
            # run through memory in order (2.5x the moves/s of random i and j on a 39,500-spin particle)
            shift = 1 + int(_uniform(st) * (n - 1))
            for i in range(n):
                j = i + shift
                if j >= n:
                    j -= n
                sx = spins[i, 0]
                sy = spins[i, 1]
                sz = spins[i, 2]
                nx, ny, nz = _propose(MOVE_ADAPTIVE, sx, sy, sz, sigma, st)
                mi = moments[i]
                mj = moments[j]
                dx = mi * (nx - sx)
                dy = mi * (ny - sy)
                dz = mi * (nz - sz)
                dpar = dx * ex + dy * ey + dz * ez
                tx = spins[j, 0]
                ty = spins[j, 1]
                tz = spins[j, 2]
                tpar = tx * ex + ty * ey + tz * ez
                px = tx - tpar * ex - (dx - dpar * ex) / mj
                py = ty - tpar * ey - (dy - dpar * ey) / mj
                pz = tz - tpar * ez - (dz - dpar * ez) / mj
                p2 = px * px + py * py + pz * pz
                if p2 > 1.0:
                    continue
                npar = np.sqrt(1.0 - p2)
                if tpar < 0.0:
                    npar = -npar
                jx = px + npar * ex
                jy = py + npar * ey
                jz = pz + npar * ez
                mpar = mtot[0] * ex + mtot[1] * ey + mtot[2] * ez
                mpar_new = mpar + dpar + mj * (npar - tpar)
                if mpar_new <= 0.0:
                    continue
                de = _delta_e(i, nx, ny, nz, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                              has_quad, has_cubic, False, cell_of, W, Hc)
                spins[i, 0] = nx
                spins[i, 1] = ny
                spins[i, 2] = nz
                de += _delta_e(j, jx, jy, jz, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                               has_quad, has_cubic, False, cell_of, W, Hc)
                # frozen field and collective term of both changes
                ux = nx - sx
                uy = ny - sy
                uz = nz - sz
                vx = jx - tx
                vy = jy - ty
                vz = jz - tz
                de -= ux * hd[i, 0] + uy * hd[i, 1] + uz * hd[i, 2] + vx * hd[j, 0] + vy * hd[j, 1] + vz * hd[j, 2]
                ax = wst[i] * ux + wst[j] * vx
                ay = wst[i] * uy + wst[j] * vy
                az = wst[i] * uz + wst[j] * vz
                kx = K[0, 0] * lx + K[0, 1] * ly + K[0, 2] * lz
                ky = K[1, 0] * lx + K[1, 1] * ly + K[1, 2] * lz
                kz = K[2, 0] * lx + K[2, 1] * ly + K[2, 2] * lz
                de += 2.0 * (ax * kx + ay * ky + az * kz)
                de += (ax * (K[0, 0] * ax + K[0, 1] * ay + K[0, 2] * az)
                       + ay * (K[1, 0] * ax + K[1, 1] * ay + K[1, 2] * az)
                       + az * (K[2, 0] * ax + K[2, 1] * ay + K[2, 2] * az))
                ratio = (mpar_new / mpar) ** 2 * abs(tpar) / abs(npar)
                if de != 0.0:
                    ratio *= np.exp(-beta * de)
                if ratio >= 1.0 or _uniform(st) < ratio:
                    acc += 1
                    spins[j, 0] = jx
                    spins[j, 1] = jy
                    spins[j, 2] = jz
                    mtot[0] += dx + mj * (jx - tx)
                    mtot[1] += dy + mj * (jy - ty)
                    mtot[2] += dz + mj * (jz - tz)
                    lx += ax
                    ly += ay
                    lz += az
                else:
                    spins[i, 0] = sx
                    spins[i, 1] = sy
                    spins[i, 2] = sz
            acc_t[0] = acc
            dS[0] = lx
            dS[1] = ly
            dS[2] = lz
        acc_out[sw] = acc_t[0]
        _end_sweep(sigma_arr, acc_t[0], n, adapt, adapt_moves)


class ConstrainedDipolarSweeper(FrozenFieldMixin, ConstrainedSweeper):
    """Constrained pair moves with a dipolar object (options ``direction`` and ``refresh_every`` ≥ 1 or
    "auto"; the per-move policy is not offered: a pair move changes two fields)."""

    name = "constrained_dipolar"
    dipolar_objects = True
    auto = False

    def __init__(self, arrays, model, threads=1, direction=(0.0, 0.0, 1.0), refresh_every="auto", **options):
        super().__init__(arrays, model, threads, direction=direction, **options)
        self._setup_frozen(arrays, model, refresh_every, per_move_ok=False)
        self._install_proxy(arrays)

    def prepare_state(self, spins):
        s = super().prepare_state(spins)  # rigid rotation so that M ∥ ê
        self.refresh(s)
        return s

    def _kernel(self, n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out):
        a = self.arrays
        e = self.direction
        hd, wst, K = self._frozen_arrays(spins)
        mtot = a.moments @ spins
        constrained_frozen_sweeps(n, *a.model_args(spins), beta, e[0], e[1], e[2], cone, adapt, adapt_moves,
                                  state, acc_out, mtot, hd, wst, K, self._dS)
