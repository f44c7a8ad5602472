"""Validation of the engine options (shared by :class:`~atomspin.engine.Simulation` and
:class:`~atomspin.engine.EngineOptions`): one ValueError naming the option and its allowed values."""

from __future__ import annotations

from collections.abc import Mapping

import numba

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
