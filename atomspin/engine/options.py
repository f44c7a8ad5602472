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

import numba
import numpy as np

from atomspin.engine.collective import COLL_WIDTH_MAX, COLL_WIDTH_MIN, COLLECTIVE_WIDTH_START
from atomspin.engine.decomposition import DECOMPOSITIONS
from atomspin.engine.moves import ADAPT_MOVES, MOVES, SIGMA_MAX, SIGMA_MIN
from atomspin.engine.sweepers import SWEEPERS
from atomspin.validation import check_bool, check_choice, check_int, check_real

SIGMA_START = 0.5  # initial cone width (derived: ~50 % acceptance for J/k_BT ~ 1 in tests; adapted anyway)
SIGMA_START_CONSTRAINED = 0.3  # initial primary cone width of constrained MC (derived: pair moves are
#                                rejected twice as often as single moves at equal σ; adapted anyway)
MAX_THREADS = 1024  # blocks per phase / RNG streams (derived: each block needs ≥ 1 site per phase and a
#                     128-byte stream; no shared-memory machine this engine targets has more cores)

DEFAULTS = {"move": "adaptive", "threads": None, "parallel": None, "sweeper": "auto", "sweeper_options": None,
            "decomposition": "auto", "renumber": None, "collective_every": 0, "collective_groups": None,
            "collective_width": COLLECTIVE_WIDTH_START, "adapt": True, "sigma": SIGMA_START,
            "adapt_moves": ADAPT_MOVES, "constrained_sweeper": "constrained"}
CONSTRAINED_KEYS = ("adapt", "sigma", "adapt_moves", "sweeper_options")


def check_threads(threads):
    """Thread count (blocks per phase of the parallel sweep) in [1, MAX_THREADS]; None → numba's."""
    return numba.get_num_threads() if threads is None else check_int("threads", threads, 1, MAX_THREADS)


def check_options(opts):
    """Validate the engine options present in ``opts`` (ValueError naming the key); returns a new dict."""
    out = dict(opts)
    for key in out:
        if key not in DEFAULTS:
            raise ValueError(f"engine: {key!r} is not an engine option; allowed: {sorted(DEFAULTS)}")
    if "move" in out:
        check_choice("move", out["move"], MOVES)
    if out.get("threads") is not None:
        out["threads"] = check_int("threads", out["threads"], 1, MAX_THREADS)
    if out.get("parallel") is not None:
        out["parallel"] = check_bool("parallel", out["parallel"])
    for key in ("sweeper", "constrained_sweeper"):
        if key in out:
            check_choice(key, out[key], (("auto",) if key == "sweeper" else ()) + tuple(SWEEPERS))
    if out.get("sweeper_options") is not None and not isinstance(out["sweeper_options"], Mapping):
        raise ValueError(f"sweeper_options: {out['sweeper_options']!r} is not a dict of sweeper options")
    if "decomposition" in out:
        check_choice("decomposition", out["decomposition"], DECOMPOSITIONS)
    if out.get("renumber") is not None:
        out["renumber"] = check_bool("renumber", out["renumber"])
    if "collective_every" in out:
        out["collective_every"] = check_int("collective_every", out["collective_every"], 0)
    if "collective_width" in out:
        out["collective_width"] = check_real("collective_width", out["collective_width"], COLL_WIDTH_MIN,
                                             COLL_WIDTH_MAX)
    if "adapt" in out:
        out["adapt"] = check_bool("adapt", out["adapt"])
    if "sigma" in out:
        out["sigma"] = check_real("sigma", out["sigma"], SIGMA_MIN, SIGMA_MAX)
    if "adapt_moves" in out:
        out["adapt_moves"] = check_int("adapt_moves", out["adapt_moves"], 1)
    return out


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
        from atomspin.engine.simulation import Simulation

        return Simulation(model, T, seed, **self.simulation_kwargs())

    def constrained(self, model, T, direction, seed):
        """A :class:`~atomspin.engine.ConstrainedSimulation` with these options (see :meth:`constrained_kwargs`)."""
        from atomspin.engine.constrained import ConstrainedSimulation

        return ConstrainedSimulation(model, T, direction, seed, **self.constrained_kwargs())

    def to_dict(self):
        """Plain dict of the options given (for result records)."""
        return dict(self._opts)


def _same(a, b):
    try:
        return bool(np.all(a == b))
    except Exception:  # noqa: BLE001 - incomparable values are different
        return a is b
