"""Monte Carlo sweepers: the engine's seam for new sweep algorithms and backends.

A :class:`~atomspin.engine.Simulation` owns the state, the random streams, the adaptive widths, the
counters, the collective move and the sampling; it drives one *sweeper*, chosen at construction by
name (``Simulation(..., sweeper="blocks", sweeper_options={...})``, or ``engine={"sweeper": ...}`` in
every measurement driver) from :data:`SWEEPERS`. Adding a sweeper (a dipolar-aware one, a GPU one)
is one new file in this folder with a :class:`~atomspin.engine.sweepers.base.Sweeper` subclass, plus
one registration line in :data:`SWEEPERS`.

Contract
--------
Construction: ``cls(arrays, model, threads=threads, **options)`` where ``arrays`` is the
:class:`~atomspin.engine.arrays.ModelArrays` of the model (exchange codes ``Jc``/``Jv``, ``quad``,
``k1``, ``k2``, Zeeman prefactors ``zp`` and field ``b``, macrocell dipolar ``has_dip``/``cell_of``/
``W``/``Mc``/``Hc``, or ``arrays.dipolar`` for any other dipolar object), ``model`` the SpinModel
(positions, cell, labels: read only), ``threads`` the user's thread count and ``options`` the
sweeper's own options, which it validates (ValueError naming the option). It may replace
``self.arrays`` by a renumbered copy (``arrays.permuted(perm)``); the Simulation then keeps the state
in that numbering and converts at its edges. It sets ``n_streams`` (how many xoshiro256+ streams the
Simulation seeds for it), ``numba_threads``, ``parallel`` and ``decomposition`` (reported).

``sweep(n, spins, beta, move, cone, adapt, adapt_moves, state, acc_out)`` runs ``n`` sweeps in place:

* ``spins`` (N, 3) float64 C-contiguous unit vectors in the sweeper's numbering (host memory; a
  device backend copies in and out per call — the call covers many sweeps);
* ``beta`` = 1/k_BT in 1/meV (``inf`` at T = 0: accept only ΔE ≤ 0); ``move`` a name from
  :data:`~atomspin.engine.moves.MOVES` that is in the sweeper's ``moves``;
* ``cone`` = [σ, pooled accepted, pooled tried] (float64, in place): with ``adapt``, pool every sweep's
  acceptance and set σ ← clip(σ·clip(A/0.5, ½, 2), SIGMA_MIN, SIGMA_MAX) at the end of the first sweep
  with ≥ ``adapt_moves`` pooled moves (:func:`atomspin.engine.moves._end_sweep`), so that split runs
  equal whole runs;
* ``state`` (n_streams, 16) uint64: row t, words 0–3, is xoshiro256+ stream t (seeded from the user
  seed, stream t = stream 0 jumped t·2¹²⁸ steps; one 128-byte row per stream, no false sharing);
  stream 0 is shared with the collective move, which draws after the sweep;
* ``acc_out`` (n,) int64: accepted moves of each sweep (the Simulation divides by
  ``moves_per_sweep``·n).

It must satisfy detailed (or global) balance for the Boltzmann weight of the full Hamiltonian of
:mod:`atomspin.model.core`, including its dipolar term, and must leave every cached field consistent
with ``spins`` on return (the built-in ones re-anchor the macrocell fields: ``arrays.refresh``).
``prepare_state(spins)`` is called whenever the state is set from outside and returns the state to use
(the constrained sweeper rotates it so that M ∥ ê).

Reproducibility: the numbers may depend on the seed, the move, the sweeper, its options and
``n_streams`` (for the block sweeper ``threads`` blocks per phase), never on how threads are scheduled
or how many cores run them; same inputs ⇒ bit-identical spins. No Python inside the sweep loop: one
call of a compiled kernel runs all ``n`` sweeps.

Dipolar terms: a macrocell object (``cell_of``, ``tensor``; :class:`atomspin.model.core.DipolarCells`)
is packed into the kernel arrays — the sequential kernel updates the cell fields after every accepted
move (exact), the block kernel freezes them within a phase and refreshes after it (an approximation,
hence ``decomposition="auto"`` picks colour classes for dipolar models). Any other object provides
``energy_meV(spins, moments)`` and ``fields_meV(spins, moments)`` (model numbering, meV) and
``arrays.has_dip`` is False: only a sweeper with ``dipolar_objects = True`` may sweep such a model
(the others refuse it with a ValueError); ``sweeper="auto"`` picks the first registered one that also
sets ``auto = True``. Energies, local fields and the collective move of the Simulation add the object's
own ``energy_meV``/``fields_meV`` (:meth:`ModelArrays.energy`, :class:`~atomspin.engine.collective.
CollectiveMove`), so a sweeper only has to sweep.

Registered: ``"sequential"`` (sites 0…N−1, one stream), ``"blocks"`` (block-parallel: slabs or colour
classes, ``threads`` streams; options ``decomposition``, ``renumber``), ``"constrained"`` (pair moves
at fixed direction of M, option ``direction``). ``"auto"``: ``"blocks"`` when ``parallel`` (default:
threads > 1 and N ≥ PARALLEL_MIN_SPINS), else ``"sequential"``.
"""

from __future__ import annotations

import importlib

#: name → "module:Class" (imported when first used; a backend's module must import without its
#: optional dependency and import that inside its constructor)
SWEEPERS = {
    "sequential": "atomspin.engine.sweepers.sequential:SequentialSweeper",
    "blocks": "atomspin.engine.sweepers.blocks:BlockSweeper",
    "constrained": "atomspin.engine.sweepers.constrained:ConstrainedSweeper",
}

PARALLEL_MIN_SPINS = 4096  # auto-parallel threshold (derived: below it the per-phase barriers cost
#                            more than the sweep; measured 0.47 ms vs 0.04 ms per sweep for 216 spins)


def get_sweeper(name):
    """The Sweeper class registered under ``name`` (ValueError listing the names otherwise)."""
    if not isinstance(name, str) or name not in SWEEPERS:
        raise ValueError(f"sweeper: {name!r} is not one of {['auto'] + sorted(SWEEPERS)}")
    module, cls = SWEEPERS[name].split(":")
    return getattr(importlib.import_module(module), cls)


def sweepers_for_dipolar_objects(auto_only=False):
    """Names of the registered sweepers that sweep a non-macrocell dipolar object."""
    out = []
    for name in SWEEPERS:
        cls = get_sweeper(name)
        if cls.dipolar_objects and (cls.auto or not auto_only):
            out.append(name)
    return out


def choose_sweeper(name, parallel, arrays):
    """Resolve ``name`` ("auto" or a registered name) for a model; returns the Sweeper class."""
    if name != "auto":
        return get_sweeper(name)
    if arrays.dipolar is not None:
        names = sweepers_for_dipolar_objects(auto_only=True)
        if not names:
            raise ValueError(f"model.dipolar: {type(arrays.dipolar).__name__} is not a macrocell object and no "
                             "registered sweeper handles it automatically; pass sweeper=<name>")
        return get_sweeper(names[0])
    return get_sweeper("blocks" if parallel else "sequential")


__all__ = ["SWEEPERS", "PARALLEL_MIN_SPINS", "get_sweeper", "choose_sweeper", "sweepers_for_dipolar_objects"]
