"""Dipolar-aware sweeper: the dipolar field frozen between refreshes, the rigid (shape) part exact.

Approximation (the Hamiltonian this sweeper samples exactly between refreshes)
-----------------------------------------------------------------------------
At a refresh (every ``refresh_every`` sweeps, and whenever the state is set from outside) the model's
dipolar object gives the exact fields h⁰_i = −∂E_dip/∂ŝ_i and energy E⁰ of the state ŝ⁰, and the
shape tensor D of its longitudinal moments q_i = μ⁰_i·n̂ (n̂ = S⁰/|S⁰|, S⁰ = Σ σ_i μ⁰_i the staggered
moment, σ_i = ±1 the sign of ŝ⁰_i along the state's axis). Until the next refresh the dipolar energy is

    E_MC(ŝ) = E⁰ − Σ_i (ŝ_i − ŝ⁰_i)·h⁰_i + ΔSᵀ K ΔS,   ΔS = Σ_i σ_i m_i (ŝ_i − ŝ⁰_i),  K = D / |S⁰|²

— the exact energy linearised about ŝ⁰ plus the exact quadratic (shape) term of the collective mode:
for every rigid rotation of a collinear ŝ⁰, E_MC = E_dip exactly (the linear term and ΔSᵀKΔS sum to
the exact n̂ᵀDn̂ change), so collective moves sample the exact shape anisotropy; the neglected term is
−½ δᵀWδ of the non-rigid deviation δ = μ − μ_rigid since the refresh (thermal spin-wave fluctuations,
whose dipolar coupling is ≪ k_BT; measured in docs/validation.md). Single-spin ΔE is the exact change
of E_MC (tests/test_engine_dipolar.py); the collective move, the sampled energies and the local fields
of the Simulation use E_MC through this sweeper's dipolar object (:class:`FrozenDipolar`), so the
whole chain satisfies detailed balance for one Hamiltonian between refreshes.

With ``threads`` > 1 the sites are swept in the engine's blocks (slabs or colour classes); the shared
ΔS is then seen by each block at the start of a phase plus its own changes (the other blocks' changes
arrive at the end of the phase), as the engine's block sweep does for macrocell fields; with one
thread the sweep is exact for E_MC.

Refresh policy: ``refresh_every`` = k sweeps (an int ≥ 1), or "auto" (default): the smallest k that
keeps the estimated refresh cost ≤ 25 % of k sweeps (derived from the dipolar object's operation
count; deterministic, recorded as ``sweeper.refresh_every``), or 0: **per move** — exact, the fields of
all sites updated from the positions after every accepted move (O(N) each; one thread, small models),
the reference the other policies are measured against.

The reference state ŝ⁰ is the current state at the refresh (``reference="snapshot"``). The constrained sweeper
(:mod:`atomspin.engine.sweepers.constrained_dipolar`) takes ``reference="average"`` (its default): ŝ⁰ = the
state averaged over the window just ended, which removes most of the quenched thermal part of h⁰. The free
sweeper keeps the snapshot: its moment rotates (collective moves, diffusion), and a window average of a
rotating state would shrink |S⁰| and with it the sampled shape anisotropy.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

from atomspin.engine.decomposition import decompose
from atomspin.engine.kernels import _delta_e
from atomspin.engine.moves import MOVES, _end_sweep, _propose
from atomspin.engine.rng import _uniform
from atomspin.engine.sweepers.base import Sweeper
from atomspin.model.sums import site_gram, site_sum

#: refresh cost allowed per sweep for refresh_every="auto" (fraction of a sweep; derived: keeps the
#: dipolar overhead of the refreshes at ~25 %)
AUTO_REFRESH_FRACTION = 0.25
#: estimated cost of one single-spin move (s) and of one dipolar "work unit" (s) for the auto rule
#: (derived: 60 ns/move measured for magnetite on one core, benchmarks/README.md; the work unit is
#: calibrated on the lattice FFT, 1.5 ns per estimated operation)
MOVE_SECONDS = 60e-9
WORK_SECONDS = 1.5e-9
MAX_AUTO_REFRESH = 1000
#: the reference state a refresh linearises about: "snapshot" (the current state) or "average" (the state
#: averaged over the sweeps of the window just ended; constrained MC only, where the direction of M is fixed)
REFERENCES = ("snapshot", "average")
#: with reference="average" the first window after a state is set from outside is refresh_every / 8 sweeps and
#: each next window doubles up to refresh_every (derived: replaces the initial snapshot within ≈ refresh_every
#: sweeps at the cost of 3 extra refreshes, docs/validation.md §6 "Monte Carlo with dipolar terms")
FIRST_WINDOW_DIVISOR = 8


@njit(cache=True, error_model="numpy", inline="always")
def _dip_delta(i, dx, dy, dz, hd, wst, K, lx, ly, lz):
    """ΔE_MC (meV) of the frozen-field + collective terms when ŝ_i changes by (dx, dy, dz), given the
    current ΔS = (lx, ly, lz) μB; returns (ΔE, a) with a = σ_i m_i Δŝ the change of ΔS."""
    w = wst[i]
    ax = w * dx
    ay = w * dy
    az = w * dz
    de = -(dx * hd[i, 0] + dy * hd[i, 1] + dz * hd[i, 2])
    kx = K[0, 0] * lx + K[0, 1] * ly + K[0, 2] * lz
    ky = K[1, 0] * lx + K[1, 1] * ly + K[1, 2] * lz
    kz = K[2, 0] * lx + K[2, 1] * ly + K[2, 2] * lz
    de += 2.0 * (ax * kx + ay * ky + az * kz)
    de += (ax * (K[0, 0] * ax + K[0, 1] * ay + K[0, 2] * az) + ay * (K[1, 0] * ax + K[1, 1] * ay + K[1, 2] * az)
           + az * (K[2, 0] * ax + K[2, 1] * ay + K[2, 2] * az))
    return de, ax, ay, az


@njit(cache=True, error_model="numpy")
def _per_move_update(i, ax, ay, az, pos, moments, pref, hd):
    """Exact field update after spin i changed its moment by (ax, ay, az) μB: hd_j += m_j W_ji a (O(N))."""
    n = pos.shape[0]
    xi = pos[i, 0]
    yi = pos[i, 1]
    zi = pos[i, 2]
    for j in range(n):
        if j == i:
            continue
        dx = pos[j, 0] - xi
        dy = pos[j, 1] - yi
        dz = pos[j, 2] - zi
        r2 = dx * dx + dy * dy + dz * dz
        ir2 = 1.0 / r2
        ir3 = pref * ir2 * np.sqrt(ir2)
        rm = 3.0 * (dx * ax + dy * ay + dz * az) * ir2
        mj = moments[j]
        hd[j, 0] += mj * ir3 * (rm * dx - ax)
        hd[j, 1] += mj * ir3 * (rm * dy - ay)
        hd[j, 2] += mj * ir3 * (rm * dz - az)


@njit(cache=True, error_model="numpy", inline="always")
def _pair_coupling(i, j, ax, ay, az, bx, by, bz, pos, pref):
    """−a·W_ij·b (meV): the dipolar energy of the moment changes a (site i) and b (site j), μB."""
    dx = pos[j, 0] - pos[i, 0]
    dy = pos[j, 1] - pos[i, 1]
    dz = pos[j, 2] - pos[i, 2]
    r2 = dx * dx + dy * dy + dz * dz
    ir2 = 1.0 / r2
    ir3 = pref * ir2 * np.sqrt(ir2)
    return -ir3 * (3.0 * (dx * ax + dy * ay + dz * az) * (dx * bx + dy * by + dz * bz) * ir2
                   - (ax * bx + ay * by + az * bz))


@njit(cache=True, error_model="numpy", parallel=True)
def sweep_frozen_dipolar(n_sweeps, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                         has_quad, has_cubic, has_dip, cell_of, W, Mc, Hc,
                         beta, move, sigma_arr, adapt, adapt_moves, state, acc_out,
                         phase_ptr, block_ptr, sites, hd, wst, K, dS, dS_t, per_move, pos, pref):
    """Sweeps over a block decomposition (one block = the sequential sweep) with the frozen dipolar
    field ``hd`` (N, 3) meV and the collective term ΔSᵀKΔS (``dS`` (3,) μB, updated in place; ``wst``
    (N,) = σ_i m_i μB). Block t of a phase uses stream t and sees ΔS at the phase start plus its own
    changes (``dS_t`` (n_streams, 3) scratch). ``per_move`` (one block only, K = 0): ``hd`` is the exact
    field, updated from the positions ``pos`` (Å) after every accepted move."""
    n = spins.shape[0]
    n_phase = phase_ptr.shape[0] - 1
    n_streams = state.shape[0]
    acc_t = np.zeros(n_streams, dtype=np.int64)
    for sw in range(n_sweeps):
        sigma = sigma_arr[0]
        for t in range(n_streams):
            acc_t[t] = 0
        for p in range(n_phase):
            k0 = phase_ptr[p]
            nb = phase_ptr[p + 1] - k0
            for t in prange(nb):
                lo = block_ptr[k0 + t]
                hi = block_ptr[k0 + t + 1]
                st = state[t]
                lx = dS[0]
                ly = dS[1]
                lz = dS[2]
                ox = 0.0
                oy = 0.0
                oz = 0.0
                a = 0
                for q in range(lo, hi):
                    i = sites[q]
                    sx = spins[i, 0]
                    sy = spins[i, 1]
                    sz = spins[i, 2]
                    nx, ny, nz = _propose(move, sx, sy, sz, sigma, st)
                    de = _delta_e(i, nx, ny, nz, spins, moments, zp, indptr, indices, Jc, Jv, quad, k1, k2, b,
                                  has_quad, has_cubic, False, cell_of, W, Hc)
                    dd, ax, ay, az = _dip_delta(i, nx - sx, ny - sy, nz - sz, hd, wst, K, lx, ly, lz)
                    de += dd
                    if de <= 0.0 or _uniform(st) < np.exp(-beta * de):
                        spins[i, 0] = nx
                        spins[i, 1] = ny
                        spins[i, 2] = nz
                        if per_move:
                            mi = moments[i]
                            _per_move_update(i, mi * (nx - sx), mi * (ny - sy), mi * (nz - sz), pos, moments,
                                             pref, hd)
                        lx += ax
                        ly += ay
                        lz += az
                        ox += ax
                        oy += ay
                        oz += az
                        a += 1
                dS_t[t, 0] = ox
                dS_t[t, 1] = oy
                dS_t[t, 2] = oz
                acc_t[t] = acc_t[t] + a
            for t in range(nb):  # fixed order: deterministic
                dS[0] += dS_t[t, 0]
                dS[1] += dS_t[t, 1]
                dS[2] += dS_t[t, 2]
        tot = 0
        for t in range(n_streams):
            tot += acc_t[t]
        acc_out[sw] = tot
        _end_sweep(sigma_arr, tot, n, adapt, adapt_moves)


class FrozenDipolar:
    """The dipolar term the sweeper samples between refreshes (E_MC of the module docstring), with the
    dipolar-object contract (``energy_meV``, ``fields_meV``, model numbering), so that the Simulation's
    energies, local fields and collective moves use the same Hamiltonian as the sweeps.

    Attributes (sweeper numbering): ``hd`` (N, 3) frozen fields (meV), ``wst`` (N,) σ_i m_i (μB),
    ``K`` (3, 3) meV/μB², ``S0`` (3,) μB, ``const`` = E⁰ + Σ ŝ⁰·h⁰ (meV), ``exact`` the model's object.
    With ``per_move`` the fields are kept exact by the sweep and energies/fields are the exact object's.
    """

    def __init__(self, exact, arrays, per_move=False):
        self.exact = exact
        self.per_move = bool(per_move)
        self._arrays = arrays
        n = arrays.n
        self.hd = np.zeros((n, 3), dtype=np.float64)
        self.wst = np.zeros(n, dtype=np.float64)
        self.K = np.zeros((3, 3))
        self.S0 = np.zeros(3)
        self.const = 0.0
        self.e0 = 0.0

    def _internal(self, spins):
        return self._arrays.to_internal(np.asarray(spins, dtype=np.float64))

    def delta_s(self, s_int):
        """ΔS = Σ σ_i m_i ŝ_i − S⁰ (μB) of a state in the sweeper's numbering."""
        return site_sum(self.wst, s_int) - self.S0

    def energy_meV(self, spins, moments=None):
        """E_MC (meV) of ``spins`` (model numbering)."""
        if self.per_move:
            return float(self.exact.energy_meV(spins, self._arrays.to_model(self._arrays.moments)))
        s = self._internal(spins)
        ds = self.delta_s(s)
        return float(self.const - np.sum(s * self.hd) + ds @ self.K @ ds)

    def fields_meV(self, spins, moments=None):
        """−∂E_MC/∂ŝ_i (N, 3) meV, model numbering."""
        if self.per_move:
            return self.exact.fields_meV(spins, self._arrays.to_model(self._arrays.moments))
        s = self._internal(spins)
        ds = self.delta_s(s)
        out = self.hd - 2.0 * self.wst[:, None] * (self.K @ ds)[None, :]
        return self._arrays.to_model(out)

    def refresh(self, s_int, moments_model):
        """Anchor E_MC at the state ``s_int`` (sweeper numbering): exact fields, energy and shape tensor."""
        a = self._arrays
        s_mod = a.to_model(s_int)
        ex = self.exact
        m_int = a.moments
        self.K = np.zeros((3, 3))
        self.wst = np.zeros(a.n, dtype=np.float64)
        self.S0 = np.zeros(3)
        nhat = None
        if not self.per_move and a.n:
            # staggered signs along the state's axis and the staggered moment S⁰
            axis = np.linalg.eigh(site_gram(s_int))[1][:, -1]
            sig = np.where(s_int @ axis >= 0.0, 1.0, -1.0)
            self.wst = np.ascontiguousarray(sig * m_int, dtype=np.float64)
            self.S0 = site_sum(self.wst, s_int)
            s_norm = float(np.linalg.norm(self.S0))
            if s_norm > 1e-3 * float(np.sum(np.abs(m_int))):
                nhat = self.S0 / s_norm
        d = None
        if nhat is not None and hasattr(ex, "fields_and_axis_shape_tensor_meV"):
            h, d = ex.fields_and_axis_shape_tensor_meV(s_mod, moments_model, nhat)
        else:
            h = np.asarray(ex.fields_meV(s_mod, moments_model), dtype=np.float64)
            if nhat is not None and hasattr(ex, "charge_shape_tensor_meV"):
                d = ex.charge_shape_tensor_meV(a.to_model((s_int @ nhat) * m_int))
        self.hd = np.ascontiguousarray(a.to_internal(np.asarray(h)), dtype=np.float64)
        self.e0 = float(-0.5 * np.sum(s_int * self.hd))
        if d is not None:
            self.K = np.ascontiguousarray(0.5 * (d + d.T) / float(self.S0 @ self.S0))
        self.const = self.e0 + float(np.sum(s_int * self.hd))


class FrozenFieldMixin:
    """Refresh policy and the FrozenDipolar proxy shared by the dipolar-aware sweepers."""

    def _setup_frozen(self, arrays, model, refresh_every, per_move_ok=True, reference="snapshot", first_window=None):
        from atomspin.model.dipolar import DIP_PREFACTOR_MEV_A3, EXACT_MAX_SPINS
        from atomspin.validation import check_choice, check_int

        if arrays.has_dip:
            raise ValueError(f"sweeper: {self.name!r} sweeps dipolar objects (lattice, exact); this model has "
                             "macrocells — use sweeper='sequential' or 'blocks'")
        exact = arrays.dipolar
        self.reference = check_choice("reference", reference, REFERENCES)
        if refresh_every == "auto":
            refresh_every = self._auto_refresh(exact, arrays.n)
        self.refresh_every = check_int("refresh_every", refresh_every, 0 if per_move_ok else 1)
        self.per_move = self.refresh_every == 0
        if self.per_move and arrays.n > EXACT_MAX_SPINS:
            raise ValueError(f"refresh_every: 0 (per-move exact fields, O(N) per accepted move) is allowed up to "
                             f"{EXACT_MAX_SPINS} spins, the model has {arrays.n}; use an interval ≥ 1")
        if first_window is None:
            first_window = (max(1, math.ceil(self.refresh_every / FIRST_WINDOW_DIVISOR))
                            if self.reference == "average" else self.refresh_every)
        self.first_window = check_int("first_window", first_window, 1 if not self.per_move else 0,
                                      max(self.refresh_every, 1))
        self.exact = exact
        self._pos = (np.ascontiguousarray(arrays.to_internal(np.asarray(model.positions, dtype=np.float64)))
                     if self.per_move else np.zeros((1, 3)))
        self._pref = float(DIP_PREFACTOR_MEV_A3)
        self._since = 0
        self._window = self.first_window
        self.refreshes = 0
        self.sweeps_done = 0
        #: cumulative sweep counts at which the frozen field was re-anchored (refresh-window boundaries)
        self.refresh_sweeps = []
        self._dS = np.zeros(3)
        self._acc = np.zeros((arrays.n, 3)) if self.reference == "average" else np.zeros((1, 3))
        self._nacc = 0

    def _install_proxy(self, arrays):
        """self.arrays ← a copy of ``arrays`` whose dipolar object is the sampled Hamiltonian E_MC (the
        Simulation evaluates energies, fields and collective moves through arrays.dipolar)."""
        proxy_arrays = object.__new__(type(arrays))
        proxy_arrays.__dict__.update(arrays.__dict__)
        self.frozen = FrozenDipolar(self.exact, proxy_arrays, self.per_move) if self.exact is not None else None
        proxy_arrays.dipolar = self.frozen
        self.arrays = proxy_arrays

    @staticmethod
    def _auto_refresh(exact, n):
        if exact is None or n == 0:
            return 1
        work = getattr(exact, "work_estimate", None)
        work = float(work()) if callable(work) else float(n) * float(n)
        k = work * WORK_SECONDS / (AUTO_REFRESH_FRACTION * n * MOVE_SECONDS)
        return int(min(MAX_AUTO_REFRESH, max(1, math.ceil(k))))

    def refresh(self, spins):
        """Re-anchor the frozen field at ``spins`` (sweeper numbering; with ``reference="average"`` the
        reference may be a window-averaged, non-unit state)."""
        if self.frozen is not None:
            self.frozen.refresh(spins, self.arrays.to_model(self.arrays.moments))
        self._dS[:] = 0.0
        self._since = 0
        self._nacc = 0
        self._acc[:] = 0.0
        self.refreshes += 1
        self.refresh_sweeps.append(self.sweeps_done)

    def restart_windows(self, spins):
        """A state set from outside: re-anchor at it (a snapshot) and start the window schedule again."""
        self._window = self.first_window
        self.refresh(spins)

    def _frozen_arrays(self, spins):
        f = self.frozen
        if f is None:
            return (np.zeros((self.arrays.n, 3), dtype=np.float64), np.zeros(self.arrays.n, dtype=np.float64),
                    np.zeros((3, 3)))
        self._dS[:] = f.delta_s(spins)  # collective moves may have rotated the state since
        return f.hd, f.wst, f.K

    def sweep(self, n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out):
        if self.per_move:
            self.refresh(spins)  # exact fields of the current state (collective moves act between calls)
            self._kernel(n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out)
            self.sweeps_done += n
            return
        done = 0
        while done < n:
            m = min(n - done, self._window - self._since)
            self._kernel(m, spins, beta, move, cone, adapt, adapt_moves, state, acc_out[done:done + m])
            done += m
            self._since += m
            self._nacc += m
            self.sweeps_done += m
            if self._since >= self._window:
                if self.reference == "average" and self._nacc > 0:
                    self.refresh(np.ascontiguousarray(self._acc / self._nacc))
                else:
                    self.refresh(spins)
                self._window = min(2 * self._window, self.refresh_every)


class DipolarSweeper(FrozenFieldMixin, Sweeper):
    """Sweeps a model with a dipolar object (lattice FFT, exact pairwise, …) under the frozen-field
    approximation of the module docstring, or exactly (``refresh_every=0``: per-move field updates).

    Options: ``refresh_every`` (0 = per move, an int ≥ 1, or "auto"), ``decomposition`` ("auto", "slabs",
    "colours") and ``renumber`` (as the block sweeper). Blocks on ``threads`` streams when the Simulation's
    ``parallel`` says so (default: threads > 1 and N ≥ PARALLEL_MIN_SPINS), else the sequential sweep.
    """

    name = "dipolar"
    dipolar_objects = True
    auto = True
    parallel = True  # takes the block options (decomposition, renumber) …
    takes_parallel = True  # … and the Simulation's parallel decision (blocks only when it says so)

    def __init__(self, arrays, model, threads=1, refresh_every="auto", decomposition="auto", renumber=None,
                 parallel=None, **options):
        super().__init__(arrays, model, threads, **options)
        from atomspin.engine.sweepers import PARALLEL_MIN_SPINS

        self._setup_frozen(arrays, model, refresh_every)
        if parallel is None:
            parallel = self.threads > 1 and arrays.n >= PARALLEL_MIN_SPINS
        if parallel and self.threads > 1 and not self.per_move:
            self.decomposition, blocks = decompose(model, self.threads, decomposition, dipolar=False)
            self.phase_ptr, self.block_ptr, sites = blocks
            self.sites = sites.astype(np.int32)
            if renumber is None:
                renumber = self.decomposition == "colours"
            if renumber:
                arrays = arrays.permuted(self.sites)
                self.sites = np.arange(arrays.n, dtype=np.int32)
        else:
            self.parallel = False
            self.decomposition = "sequential"
            self.phase_ptr = np.array([0, 1], dtype=np.int64)
            self.block_ptr = np.array([0, arrays.n], dtype=np.int64)
            self.sites = np.arange(arrays.n, dtype=np.int32)
        self.n_streams = self.threads if self.parallel else 1
        self.numba_threads = min(self.n_streams, numba.config.NUMBA_NUM_THREADS)
        self._install_proxy(arrays)
        self._dS_t = np.zeros((max(self.n_streams, 1), 3))

    def prepare_state(self, spins):
        self.restart_windows(spins)
        return spins

    def _kernel(self, n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out):
        hd, wst, K = self._frozen_arrays(spins)
        sweep_frozen_dipolar(n, *self.arrays.model_args(spins), beta, MOVES[move], cone, adapt, adapt_moves,
                             state, acc_out, self.phase_ptr, self.block_ptr, self.sites, hd, wst, K,
                             self._dS, self._dS_t, self.per_move and self.frozen is not None, self._pos, self._pref)
