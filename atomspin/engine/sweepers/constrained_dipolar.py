"""Constrained Monte Carlo (pair moves at fixed direction of M, Asselin et al., Phys. Rev. B 82, 054415
(2010)) for models with a dipolar object, under the frozen-field approximation of
:mod:`atomspin.engine.sweepers.dipolar` (E_MC: the exact energy linearised about a reference state plus the
collective term ΔSᵀKΔS, exact for rigid rotations of a collinear reference).

Reference state (option ``reference``)
--------------------------------------
``"average"`` (default): at each refresh E_MC is re-anchored at the state averaged over the sweeps of the window
just ended, r_i = ⟨ŝ_i⟩_window (|r_i| ≤ 1; σ_i = sign of r_i along its axis, S⁰ = Σ σ_i m_i r_i, D the shape
tensor of the charges m_i r_i·n̂, so a rigid rotation of a collinear r is still exact). The dipolar field is
linear in the moments, so h⁰ = h(r) is the window average of the fields: its quenched thermal part (one
snapshot's fluctuation field held static for a whole window — a random torque the autocorrelation errors do not
see) falls as (τ/window)^½. What E_MC neglects is −½ δᵀWδ of the deviation δ = ŝ − r, i.e. the dipolar
energy of correlated thermal fluctuations (measured: the torque of a 4 nm magnetite sphere equals the per-move
exact one within ± 0.1 meV/rad; docs/validation.md §6). After a state is set from outside (a new direction) the
first window is ``first_window`` sweeps (default refresh_every / 8, but not shorter than the estimated cost of a
refresh in sweeps; the first reference is that snapshot) and each next one doubles up to ``refresh_every``. ``"snapshot"``: the former rule, r = the current state.

``refresh_every``: "auto" (default) — the interval at which the estimated refresh cost is 25 % of the pair-move
sweeps, at most :data:`MAX_AUTO_CONSTRAINED` unless one refresh costs more sweeps than that (large particles, the
grain method: then the refresh cost in sweeps, so that refreshing never costs more than sweeping); an int ≥ 1; or 0 — per move, exact: all fields updated after
every accepted pair move (O(N) each, plus the pair's mutual term in ΔE), the reference the other policies are
measured against. Within each window the chain is a Metropolis chain of one fixed Hamiltonian E_MC (with the
constraint's acceptance factor), so detailed balance holds window by window; the refresh changes the
Hamiltonian, as a new window of a Markov chain with piecewise-constant target. The refresh sweep counts are
kept (``refresh_sweeps``) so that errors can be computed over windows
(:func:`atomspin.measure.landscape.window_batch_error`).

:class:`~atomspin.engine.ConstrainedSimulation` picks this sweeper instead of ``"constrained"`` when the model's
dipolar term is such an object. The torque it samples is that of E_MC (the Simulation's local fields
come from the same :class:`~atomspin.engine.sweepers.dipolar.FrozenDipolar`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from atomspin.engine.kernels import _delta_e
from atomspin.engine.moves import MOVE_ADAPTIVE, _end_sweep, _propose
from atomspin.engine.rng import _uniform
from atomspin.engine.sweepers.constrained import ConstrainedSweeper
from atomspin.model.sums import site_sum
from atomspin.engine.sweepers.dipolar import (AUTO_REFRESH_FRACTION, FIRST_WINDOW_DIVISOR, WORK_SECONDS,
                                              FrozenFieldMixin, _pair_coupling, _per_move_update)

#: cost of one constrained pair move (s) for refresh_every="auto" (derived: 230–290 ns measured for magnetite
#: spheres of 4–8 nm on one core under load with random pairs, two local energy changes per move; the array-order
#: pairs are faster at large N, so the formula is ≥ 90 sweeps there and the cap below decides; docs/validation.md §6)
PAIR_MOVE_SECONDS = 250e-9
#: largest automatic interval (sweeps) of the constrained sweeper (derived: a landscape direction of 150–1200
#: sampled sweeps then sees ≥ 1–8 refresh windows, and the quenched remainder of the reference is scattered over
#: windows where the batch-means error of measure.anisotropy_landscape can see it)
MAX_AUTO_CONSTRAINED = 100


@njit(cache=True, error_model="numpy", parallel=True)
def constrained_frozen_sweeps(n_sweeps, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                              has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc,
                              beta, ex, ey, ez, sigma_arr, adapt, adapt_moves, state, acc_out, mtot,
                              hd, wst, K, dS, acc_s, accumulate, per_move, pos, pref):
    """The pair moves of :func:`atomspin.engine.sweepers.constrained.constrained_sweeps` with the frozen
    dipolar field ``hd`` (N, 3) meV and the collective term ΔSᵀKΔS (``dS`` (3,) μB updated in place).
    With ``accumulate`` the state after each sweep is added to ``acc_s`` (N, 3) (the window average).
    ``per_move`` (K = 0): ``hd`` is the exact field, the pair's mutual term −m_i m_j Δŝ_i·W_ij·Δŝ_j is added
    to ΔE and after every accepted pair move all fields are updated from the positions ``pos`` (Å), O(N)."""
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
                if per_move:
                    de += _pair_coupling(i, j, dx, dy, dz, mj * vx, mj * vy, mj * vz, pos, pref)
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
                    if per_move:
                        _per_move_update(i, dx, dy, dz, pos, moments, pref, hd)
                        _per_move_update(j, mj * vx, mj * vy, mj * vz, pos, moments, pref, hd)
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
        if accumulate:
            for i in range(n):
                acc_s[i, 0] += spins[i, 0]
                acc_s[i, 1] += spins[i, 1]
                acc_s[i, 2] += spins[i, 2]


def _refresh_cost_sweeps(exact, n):
    """Estimated cost of one dipolar refresh in constrained sweeps (≥ 1; the object's work estimate at
    WORK_SECONDS per unit against n pair moves at PAIR_MOVE_SECONDS)."""
    work = getattr(exact, "work_estimate", None)
    work = float(work()) if callable(work) else float(n) * float(n)
    return max(1, math.ceil(work * WORK_SECONDS / (max(n, 1) * PAIR_MOVE_SECONDS)))


class ConstrainedDipolarSweeper(FrozenFieldMixin, ConstrainedSweeper):
    """Constrained pair moves with a dipolar object (options ``direction``, ``refresh_every`` (0 = per move,
    an int ≥ 1, or "auto"), ``reference`` ("average" or "snapshot") and ``first_window``; module docstring)."""

    name = "constrained_dipolar"
    dipolar_objects = True
    auto = False

    def __init__(self, arrays, model, threads=1, direction=(0.0, 0.0, 1.0), refresh_every="auto",
                 reference="average", first_window=None, **options):
        super().__init__(arrays, model, threads, direction=direction, **options)
        if isinstance(refresh_every, str) and refresh_every == "auto" and not arrays.has_dip:
            refresh_every = self._auto_refresh(arrays.dipolar, arrays.n)
            if first_window is None and reference == "average":
                # the window schedule starts at refresh_every / 8, but no window shorter than the refresh costs
                first_window = min(refresh_every, max(math.ceil(refresh_every / FIRST_WINDOW_DIVISOR),
                                                      _refresh_cost_sweeps(arrays.dipolar, arrays.n)))
        self._setup_frozen(arrays, model, refresh_every, per_move_ok=True, reference=reference,
                           first_window=first_window)
        self._install_proxy(arrays)

    def prepare_state(self, spins):
        s = super().prepare_state(spins)  # rigid rotation so that M ∥ ê
        self.restart_windows(s)
        return s

    @staticmethod
    def _auto_refresh(exact, n):
        """The interval (sweeps) at which the estimated refresh cost is AUTO_REFRESH_FRACTION of the pair-move
        sweeps (PAIR_MOVE_SECONDS per move), at most MAX_AUTO_CONSTRAINED — unless one refresh costs more than
        those sweeps (large particles, the grain method): then the interval is the refresh cost in sweeps, so
        that refreshing never costs more than sweeping."""
        if exact is None or n == 0:
            return 1
        k = _refresh_cost_sweeps(exact, n) / AUTO_REFRESH_FRACTION
        return int(max(min(MAX_AUTO_CONSTRAINED, max(1, math.ceil(k))), _refresh_cost_sweeps(exact, n)))

    def _kernel(self, n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out):
        a = self.arrays
        e = self.direction
        hd, wst, K = self._frozen_arrays(spins)
        mtot = site_sum(a.moments, spins)
        constrained_frozen_sweeps(n, *a.model_args(spins), beta, e[0], e[1], e[2], cone, adapt, adapt_moves,
                                  state, acc_out, mtot, hd, wst, K, self._dS, self._acc,
                                  self.reference == "average", self.per_move and self.frozen is not None,
                                  self._pos, self._pref)
