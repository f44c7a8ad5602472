"""Base class of the Monte Carlo sweepers (the contract is in :mod:`atomspin.engine.sweepers`)."""

from __future__ import annotations

import contextlib

import numba

from atomspin.engine.moves import MOVES


@contextlib.contextmanager
def numba_threads(n):
    """Temporarily set the number of numba threads (restored afterwards)."""
    old = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(old)


class Sweeper:
    """A Monte Carlo sweep of N single-spin (or pair) moves on packed model arrays.

    Subclasses set the class attributes and implement :meth:`sweep`; see the contract in
    :mod:`atomspin.engine.sweepers`. The constructor receives the packed arrays, the model, the
    requested thread count and the sweeper's own options; it may replace ``self.arrays`` by a
    renumbered copy (``arrays.permuted(perm)``).
    """

    name = "base"
    #: move names this sweeper implements (a subset of :data:`atomspin.engine.moves.MOVES`)
    moves = tuple(MOVES)
    #: True when it can sweep a model whose dipolar object is not a macrocell one
    dipolar_objects = False
    #: True when ``sweeper="auto"`` may choose it for such a model
    auto = False
    #: why collective rotations are not allowed after its sweeps (None: they are)
    no_collective = None

    def __init__(self, arrays, model, threads=1, **options):
        if options:
            raise ValueError(f"sweeper_options: {sorted(options)} not understood by sweeper {self.name!r}")
        self.arrays = arrays
        self.model = model
        self.threads = int(threads)
        self.check_supported(arrays)

    # -- what the Simulation reads -----------------------------------------------------------
    parallel = False          #: sweeps blocks of sites at once
    decomposition = "sequential"  #: how sites are split among streams (reported by Simulation)
    n_streams = 1             #: xoshiro256+ streams the Simulation seeds for it (rows of ``state``)
    numba_threads = 1         #: numba threads set around :meth:`sweep`

    @property
    def moves_per_sweep(self):
        """Moves attempted per sweep (the acceptance denominator): N."""
        return self.arrays.n

    def check_supported(self, arrays):
        if arrays.dipolar is not None and not self.dipolar_objects:
            from atomspin.engine.sweepers import sweepers_for_dipolar_objects

            others = sweepers_for_dipolar_objects()
            raise ValueError(f"sweeper: {self.name!r} sweeps macrocell dipolar terms only, not model.dipolar of "
                             f"type {type(arrays.dipolar).__name__}; sweepers that can: {others or 'none registered'}")

    def prepare_state(self, spins):
        """Called whenever the state is set from outside (construction, ``sim.spins = …``): return
        the state to use (here unchanged) after refreshing any cached field (macrocell Mc/Hc)."""
        self.arrays.refresh(spins)
        return spins

    def sweep(self, n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out):  # pragma: no cover
        """Run ``n`` sweeps in place; see the contract in :mod:`atomspin.engine.sweepers`."""
        raise NotImplementedError

    def check_move(self, move):
        if move not in self.moves:
            raise ValueError(f"move: {move!r} is not one of {sorted(self.moves)}"
                             + ("" if set(self.moves) == set(MOVES) else f" (sweeper {self.name!r})"))
        return move

