"""Engine options in one place: what a measurement driver passes on to every Simulation it builds.

Every driver that runs Monte Carlo (loops, ZFC/FC, temperature sweeps, constrained torques, anisotropy
series, comparisons) takes ``engine={...}`` (a dict or :class:`EngineOptions`), so that a new move or
sweeper reaches them all without touching their signatures::

    hysteresis_loop(model, 300.0, fields, engine={"move": "hinzke-nowak", "threads": 1,
                                                 "collective_every": 1, "sweeper": "sequential"})

Keys (defaults = those of :class:`atomspin.engine.Simulation`): ``move``, ``threads``, ``parallel``,
``sweeper``, ``sweeper_options``, ``decomposition``, ``renumber``, ``collective_every``,
``collective_groups``, ``collective_width``, ``adapt``, ``sigma``, ``adapt_moves``; for constrained
Monte Carlo also ``constrained_sweeper`` (default ``"constrained"``), which takes ``adapt``, ``sigma``
(default 0.3 there), ``adapt_moves`` and ``sweeper_options`` and ignores the free-sweep keys.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from atomspin.engine.checks import CONSTRAINED_KEYS, DEFAULTS, check_options
from atomspin.engine.constrained import ConstrainedSimulation
from atomspin.engine.simulation import Simulation


class EngineOptions(Mapping):
    """Validated engine options (a read-only mapping of the keys given; the rest take the defaults).

    ``EngineOptions(engine, **shorthand)``: ``engine`` is None, a dict or an EngineOptions; the
    keyword arguments are a driver's shorthand arguments (``move=``, ``threads=``, ``collective_every=``),
    None meaning "not given". A key given both ways with different values is a ValueError.
    """

    def __init__(self, engine=None, **shorthand):
        if engine is None:
            engine = {}
        if not isinstance(engine, Mapping):
            raise ValueError(f"engine: {engine!r} is not a dict of engine options (keys {sorted(DEFAULTS)})")
        opts = dict(engine)
        for key, value in shorthand.items():
            if value is None:
                continue
            if key in opts and not _same(opts[key], value):
                raise ValueError(f"{key}: {value!r} conflicts with engine[{key!r}] = {opts[key]!r}; give it once")
            opts[key] = value
        self._opts = check_options(opts)

    def __getitem__(self, key):
        return self._opts[key]

    def __iter__(self):
        return iter(self._opts)

    def __len__(self):
        return len(self._opts)

    def __repr__(self):
        return f"EngineOptions({self._opts!r})"

    def get_value(self, key):
        """The value of ``key``, the default when not given."""
        return self._opts.get(key, DEFAULTS[key])

    def simulation_kwargs(self):
        """Keyword arguments of :class:`~atomspin.engine.Simulation`."""
        return {k: v for k, v in self._opts.items() if k != "constrained_sweeper"}

    def constrained_kwargs(self):
        """Keyword arguments of :class:`~atomspin.engine.ConstrainedSimulation` (free-sweep keys dropped)."""
        kw = {k: v for k, v in self._opts.items() if k in CONSTRAINED_KEYS}
        kw["sweeper"] = self.get_value("constrained_sweeper")
        return kw

    def simulation(self, model, T, seed):
        """A :class:`~atomspin.engine.Simulation` of ``model`` at ``T`` (K) with these options."""
        return Simulation(model, T, seed, **self.simulation_kwargs())

    def constrained(self, model, T, direction, seed):
        """A :class:`~atomspin.engine.ConstrainedSimulation` with these options (see :meth:`constrained_kwargs`)."""
        return ConstrainedSimulation(model, T, direction, seed, **self.constrained_kwargs())

    def to_dict(self):
        """Plain dict of the options given (for result records)."""
        return dict(self._opts)


def _same(a, b):
    try:
        return bool(np.all(a == b))
    except Exception:  # noqa: BLE001 - incomparable values are different
        return a is b
