"""Metropolis Monte Carlo driver: :class:`Simulation`.

Conventions: energies meV, T in K, fields μ0H in tesla, moments in μB, unit spins; Hamiltonian as in
:mod:`atomspin.model.core`. The single-spin moves are those of :mod:`atomspin.engine.moves`
(``"adaptive"`` Gaussian cone with σ steered towards 50 % acceptance, ``"hinzke-nowak"``,
``"uniform"``); all are symmetric proposals, so plain Metropolis acceptance min(1, exp(−ΔE/k_BT))
holds. Strictly, adapting σ during sampling makes the chain non-Markovian; set ``adapt=False`` (or
:meth:`Simulation.freeze_cone`) after equilibration for textbook detailed balance.
Optional collective move (``collective_every``, :mod:`atomspin.engine.collective`): a rigid rotation of
all spins (or of each group, e.g. each exchange-connected particle) by a random small rotation,
Metropolis on the exact ΔE — an equilibrium-sampling accelerator for the slow total-moment rotation
of exchange-stiff particles.

The sweep itself is done by a *sweeper* chosen at construction from the registry
:mod:`atomspin.engine.sweepers` (sequential, block-parallel, constrained, …); the Simulation owns the
state, the random streams, the adaptive widths, the counters and the sampling.
"""

from __future__ import annotations

import numpy as np

from atomspin.engine.arrays import ModelArrays, check_field, check_model, check_spins, check_T
from atomspin.engine.collective import COLLECTIVE_WIDTH_START, CollectiveMove, group_labels
from atomspin.engine.kernels import magnetisation
from atomspin.engine.meter import count_sweeps
from atomspin.engine.moves import ADAPT_MOVES
from atomspin.engine.observables import Observables, Progress
from atomspin.engine.checks import SIGMA_START, check_options, check_threads
from atomspin.engine.rng import seed_streams
from atomspin.engine.sweepers import PARALLEL_MIN_SPINS, choose_sweeper
from atomspin.engine.sweepers.base import numba_threads
from atomspin.model.thermal import simulation_temperature
from atomspin.units import K_B_MEV_PER_K
from atomspin.validation import check_int, check_seed

__all__ = ["Simulation", "PARALLEL_MIN_SPINS", "SIGMA_START", "COLLECTIVE_WIDTH_START"]


class Simulation:
    """Single-spin Metropolis Monte Carlo of a :class:`~atomspin.model.core.SpinModel`, with an
    optional collective (rigid rotation) move.

    Parameters
    ----------
    model : SpinModel
        Not modified; the simulation works on a copy of ``model.spins`` and ``model.field``.
    T : float
        Temperature in K (≥ 0; 0 accepts only moves that do not raise the energy).
    seed : int
        Seed in [0, 2**64). Same seed, move, sweeper, threads and decomposition ⇒ bit-identical results.
    move : {"adaptive", "hinzke-nowak", "uniform"}
    threads : int, optional
        Number of blocks per phase / RNG streams of the parallel sweep and numba threads used (default:
        ``numba.get_num_threads()``), in [1, 1024]. ``threads=1`` is honoured everywhere (see Notes).
    parallel : bool, optional
        With ``sweeper="auto"``: parallel block sweep (True) or sequential sweep (False). The sequential
        sweep visits sites 0…N−1 in turn. The parallel sweep runs phases in turn and the blocks of a
        phase at once, one RNG stream per block (see ``decomposition``). Default: ``threads > 1 and
        N >= 4096``. The numbers depend on ``threads`` and the decomposition, never on thread scheduling.
    decomposition : {"auto", "slabs", "colours"}
        Parallel sweep only. ``"slabs"``: 2·threads slabs of equal spin count along the longest
        axis (fractional coordinate along a periodic one), alternately in phase 0 and 1, each swept
        sequentially in site order by one thread: two barriers per sweep. Valid only when no
        exchange bond joins two slabs of one phase (checked; slabs must be thicker than the
        exchange range). ``"colours"``: greedy colouring of the exchange graph, one phase per colour
        class (9–10 on spinel), each class split into ``threads`` contiguous chunks. ``"auto"``
        (default): slabs when valid and the model has no dipolar term (slabs would freeze the
        dipolar field over half the particle per phase), else colours. The choice is in
        ``self.decomposition``.
    adapt : bool
        Adapt the cone width σ towards 50 % acceptance (default True): at the end of the first
        sweep after ≥ ``adapt_moves`` moves have been pooled, σ ← σ·clip(2·acceptance, ½, 2).
    sigma : float
        Initial cone width σ, in [1e-4, 60].
    adapt_moves : int
        Moves pooled per σ update (σ changes by at most ×2 per update), in [1, 10⁹].
    renumber : bool, optional
        Parallel sweep only: keep an internal copy of the model arrays renumbered so that each
        block is contiguous (≈ 300 B/spin more memory). Default: True for colours (scattered
        classes: ~2× faster on 98k-spin bulk), False for slabs (already nearly contiguous when the
        atoms are stored cell by cell, as ASE builds them). Same numbers either way.
    collective_every : int ≥ 0
        Collective move: 0 = off (default); k ≥ 1 = after every k-th sweep (counted from the
        simulation's start), one rigid-rotation attempt per group of ``collective_groups``: all
        spins of the group are rotated by R(û, θ), û uniform on the sphere, θ uniform in [−w, w],
        accepted with Metropolis on the exact ΔE (exchange inside the group is rotation invariant;
        anisotropy, Zeeman, dipolar and exchange bonds leaving the group are included). R and
        R⁻¹ are equally likely, so detailed balance holds. The half-width w adapts towards 50 %
        acceptance (see ``collective_width``, ``collective_acceptance``; frozen by
        :meth:`freeze_cone`). It draws from stream 0, after the sweep, so same seed and threads ⇒
        same numbers. Settable later (``sim.collective_every = 1``).
        This is an *equilibrium sampling accelerator*: it lets the total moment of an
        exchange-stiff particle relax in a few sweeps instead of ~10⁴, so equilibrium (e.g.
        superparamagnetic, reversible) M(H) is reached; but the number of sweeps becomes an
        even poorer proxy for physical time. Hysteresis users choose: with it, loops approach
        the equilibrium (Hc → 0 when KV ≲ 25 k_BT over the run); without it, coercivity also
        reflects the slow single-spin dynamics.
    collective_groups : None, "all", "components" or (N,) int array
        Groups rotated together: None/"all" = every spin (one group); "components" = each
        connected component of the exchange graph (e.g. each particle of an assembly); an
        array = label per site (−1 = never rotated collectively).
    collective_width : float
        Initial rotation-angle half-width w in rad, in [1e-4, π].
    sweeper : str
        ``"auto"`` (default: ``"blocks"`` when ``parallel``, else ``"sequential"``) or a name registered
        in :data:`atomspin.engine.sweepers.SWEEPERS` (contract there).
    sweeper_options : dict, optional
        Options of that sweeper (e.g. ``{"direction": ...}`` for ``"constrained"``).

    Notes
    -----
    Threads: ``threads=1`` is honoured everywhere: the sweep is then sequential (unless
    ``parallel=True`` is forced, which then runs the block sweep with one block per phase) and every
    kernel runs with numba set to one thread. Under CPU contention the parallel sweep
    can be orders of magnitude slower (measured 0.24 s vs 0.001 s per sweep for 1395 spins on a
    loaded 2-core machine); pass ``threads=1`` there.
    """

    def __init__(self, model, T, seed, move="adaptive", threads=None, parallel=None, adapt=True,
                 sigma=SIGMA_START, adapt_moves=ADAPT_MOVES, renumber=None, collective_every=0,
                 collective_groups=None, collective_width=COLLECTIVE_WIDTH_START, decomposition="auto",
                 sweeper="auto", sweeper_options=None):
        self.model = check_model(model)
        self.T = check_T(T)
        self.seed = check_seed(seed)
        opts = check_options(dict(move=move, parallel=parallel, adapt=adapt, sigma=sigma, adapt_moves=adapt_moves,
                                  renumber=renumber, collective_every=collective_every,
                                  collective_width=collective_width, decomposition=decomposition,
                                  sweeper=sweeper, sweeper_options=sweeper_options))
        self.threads = check_threads(threads)
        self.adapt = opts["adapt"]
        self.adapt_moves = opts["adapt_moves"]
        a = ModelArrays(model)
        if parallel is None:
            parallel = self.threads > 1 and a.n >= PARALLEL_MIN_SPINS
        cls = choose_sweeper(sweeper, parallel, a)
        options = dict(sweeper_options or {})
        if cls.parallel:
            options.update(decomposition=decomposition, renumber=opts["renumber"])
            if getattr(cls, "takes_parallel", False):  # a sweeper that may also sweep sequentially
                options["parallel"] = bool(parallel)
        elif opts["parallel"]:
            raise ValueError(f"parallel: True contradicts sweeper {cls.name!r}, which sweeps sequentially")
        self._sweeper = cls(a, model, threads=self.threads, **options)
        self.move = self._sweeper.check_move(opts["move"])
        self._a = self._sweeper.arrays  # the sweeper's numbering (renumbered for colour blocks)
        self._cone = np.array([opts["sigma"], 0.0, 0.0])  # σ, pooled accepted, pooled tried
        # one 128-byte row per stream (only words 0-3 are used): no false sharing between threads
        self._state = np.zeros((self._sweeper.n_streams, 16), dtype=np.uint64)
        self._state[:, :4] = seed_streams(self.seed, self._sweeper.n_streams)
        self._spins = self._sweeper.prepare_state(self._a.to_internal(check_spins(model.spins, a.n)))
        self._sweeps_done = 0
        self._accepted = 0
        self._tried = 0
        if model.sublattice is not None:
            self._sub_names, sub_group = np.unique(np.asarray(model.sublattice), return_inverse=True)
        else:
            self._sub_names, sub_group = np.array([], dtype=object), np.zeros(a.n)
        self._sub_group = np.ascontiguousarray(self._a.to_internal(sub_group.astype(np.int32)))
        self.collective_every = opts["collective_every"]
        labels = self._a.to_internal(group_labels(a.n, np.asarray(model.indptr, dtype=np.int64),
                                                  np.asarray(model.indices, dtype=np.int64), collective_groups))
        self._collective = CollectiveMove(self._a, labels, opts["collective_width"])

    # -- engine ------------------------------------------------------------------------------
    @property
    def sweeper(self):
        """The sweeper object doing the sweeps (:mod:`atomspin.engine.sweepers`)."""
        return self._sweeper

    @property
    def parallel(self):
        """True when the sweeper sweeps blocks of sites on parallel threads."""
        return self._sweeper.parallel

    @property
    def decomposition(self):
        """"sequential", "slabs" or "colours" (or the sweeper's own word)."""
        return self._sweeper.decomposition

    @property
    def collective_every(self):
        """Sweeps between collective rotation attempts (0 = off)."""
        return self._collective_every

    @collective_every.setter
    def collective_every(self, k):
        k = check_int("collective_every", k, 0)
        if k and self._sweeper.no_collective:
            raise ValueError(f"collective_every: {k} is outside [0, 0]; {self._sweeper.no_collective}")
        self._collective_every = k

    @property
    def collective_width(self):
        """Current half-width w (rad) of the collective rotation angle θ ∈ [−w, w]."""
        return float(self._collective.width[0])

    @property
    def collective_acceptance(self):
        """Accepted fraction of all collective attempts so far (nan before the first)."""
        c = self._collective
        return c.accepted / c.tried if c.tried else float("nan")

    # -- state -------------------------------------------------------------------------------
    @property
    def spins(self):
        """(N, 3) current spin state (a copy, model's site order). Assign (N, 3) unit vectors to set it."""
        return self._a.to_model(self._spins)

    @spins.setter
    def spins(self, value):
        self._spins = self._sweeper.prepare_state(self._a.to_internal(check_spins(value, self._a.n)))

    @property
    def field(self):
        """(3,) applied μ0H in tesla."""
        return self._a.b.copy()

    @property
    def cone_width(self):
        """Current Gaussian cone width σ of the adaptive move (dimensionless)."""
        return float(self._cone[0])

    def freeze_cone(self):
        """Stop adapting σ and the collective width w (use after equilibration for strict detailed balance)."""
        self.adapt = False

    @property
    def acceptance(self):
        """Accepted fraction of all moves tried so far (nan before the first sweep)."""
        return self._accepted / self._tried if self._tried else float("nan")

    @property
    def sweeps_done(self):
        """Number of sweeps run so far."""
        return self._sweeps_done

    @property
    def beta(self):
        """1 / (k_B T_sim) in 1/meV (inf at T = 0); T_sim = T unless the model rescales T (model.thermal)."""
        t = simulation_temperature(self.model, self.T)
        return 1.0 / (K_B_MEV_PER_K * t) if t > 0 else np.inf

    def set_temperature(self, T):
        """Set the temperature T in K (≥ 0)."""
        self.T = check_T(T)

    def set_field(self, B_T):
        """Set the applied field μ0H (3-vector, tesla); no recompilation."""
        self._a.b[:] = check_field(B_T, "B_T")

    def energy(self):
        """Total energy (meV) of the current state."""
        return self._a.energy(self._spins)

    def local_field(self):
        """(N, 3) −∂E/∂ŝ_i of the current state, meV."""
        return self._a.to_model(self._a.fields(self._spins))

    def _magnetisation(self):
        tot = np.empty(3)
        grp = np.empty((max(len(self._sub_names), 1), 3))
        magnetisation(self._spins, self._a.moments, self._sub_group, len(self._sub_names), tot, grp)
        return tot, grp[:len(self._sub_names)]

    # -- running -----------------------------------------------------------------------------
    def _sweeps(self, n):
        """n sweeps, with a collective attempt after every sweep whose global number is a
        multiple of ``collective_every`` (so split runs equal whole runs)."""
        k = self._collective_every
        with np.errstate(over="ignore"), numba_threads(self._sweeper.numba_threads):
            if k == 0 or self._collective.n_groups == 0:
                self._plain_sweeps(n)
                return
            done = 0
            while done < n:
                m = min(n - done, k - self._sweeps_done % k)
                self._plain_sweeps(m)
                done += m
                if self._sweeps_done % k == 0:  # serial kernel: thread count irrelevant
                    self._collective.attempt(self._spins, self.beta, self.adapt, self._state)

    def _plain_sweeps(self, n):
        """n sweeps of the sweeper (caller sets np.errstate and the numba thread count)."""
        acc = np.zeros(n, dtype=np.int64)
        self._sweeper.sweep(n, self._spins, self.beta, self.move, self._cone, self.adapt, self.adapt_moves,
                            self._state, acc)
        self._sweeps_done += n
        self._accepted += int(acc.sum())
        self._tried += n * self._sweeper.moves_per_sweep
        count_sweeps(n)

    def _extra_sample(self):
        """Per-sample extra observable of a subclass (None: none)."""
        return None

    def _observables(self, fields, extra):
        """Build the result of :meth:`run` from the :class:`Observables` fields and the extra samples."""
        return Observables(**fields)

    def run(self, n_sweeps, observe_every=1, progress=False, sample_energy=True):
        """Run ``n_sweeps`` sweeps (N moves each), sampling every ``observe_every`` sweeps.

        With ``collective_every = k > 0``, one collective rotation attempt per group follows every
        sweep whose number (counted from the start of the simulation) is a multiple of k.

        Parameters
        ----------
        n_sweeps : int in [0, 10⁹]
        observe_every : int in [1, 10⁹]
            A sample is taken after sweeps observe_every, 2·observe_every, …
        progress : bool
            Print a progress line to stderr.
        sample_energy : bool
            Evaluate the total energy at every sample (default). False leaves ``energy`` NaN: with a dipolar term
            each energy is one more dipolar evaluation, and callers that use only M or the torque (the
            anisotropy landscape) need not pay for it.

        Returns
        -------
        Observables
        """
        n_sweeps = check_int("n_sweeps", n_sweeps, 0)
        observe_every = check_int("observe_every", observe_every, 1)
        n_samples = n_sweeps // observe_every
        energy = np.full(n_samples, np.nan)
        mag = np.empty((n_samples, 3))
        sub = np.empty((n_samples, len(self._sub_names), 3))
        sweeps = np.empty(n_samples, dtype=np.int64)
        extra = []
        acc0, tried0 = self._accepted, self._tried
        cacc0, ctried0 = self._collective.accepted, self._collective.tried
        bar = Progress(n_sweeps, progress)
        done = 0
        for s in range(n_samples):
            self._sweeps(observe_every)
            done += observe_every
            if sample_energy:
                energy[s] = self.energy()
            mag[s], sub[s] = self._magnetisation()
            x = self._extra_sample()
            if x is not None:
                extra.append(x)
            sweeps[s] = self._sweeps_done
            bar.update(done)
        if n_sweeps > done:
            self._sweeps(n_sweeps - done)
            bar.update(n_sweeps)
        tried = self._tried - tried0
        ctried = self._collective.tried - ctried0
        fields = dict(
            T=self.T, field=self.field, energy=energy, magnetisation=mag,
            sublattice_magnetisation={str(k): sub[:, g].copy() for g, k in enumerate(self._sub_names)},
            m_sat=float(np.sum(self._a.moments)), n_spins=self._a.n,
            acceptance=(self._accepted - acc0) / tried if tried else float("nan"), sweeps=sweeps,
            collective_acceptance=(self._collective.accepted - cacc0) / ctried if ctried else float("nan"))
        return self._observables(fields, extra)
