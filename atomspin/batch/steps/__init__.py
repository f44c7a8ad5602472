"""The study steps of a recipe: one module per step, registered here in execution order.

A step module declares

``NAME``
    Its name in ``protocol.steps`` and the table ``[protocol.<NAME>]`` of its settings.
``DOC``
    One line on what it measures (``atomspin schema``).
``SCHEMA``
    Its fragment of the recipe schema: ``{key: Field}`` under ``protocol.<NAME>`` (``{}`` if none).
``API``
    The public functions of the other layers it calls (``"module:attribute"``); a step whose functions
    cannot be imported is reported before any work.
``REQUIRES``, ``REQUIRES_ANY``
    Steps that must be in ``protocol.steps`` too (all of ``REQUIRES``; one of ``REQUIRES_ANY``).
``RESULT_KEYS``
    The headline key-value pairs it writes, ``{key: (rank, "what it is, unit")}``; the rank orders the
    columns of tables and figures (lowest first).
``PREFIX``
    Prefix of the key-value pairs absorbed from its result object (``Context.absorb``).
``check(recipe)`` (optional)
    Constraints between keys on a resolved recipe; raises :class:`~atomspin.batch.fields.RecipeError`
    with paths relative to the recipe.
``run(ctx)``
    The work, on a :class:`~atomspin.batch.context.Context`: reads ``ctx.recipe``, ``ctx.atoms``,
    ``ctx.model`` and the results of earlier steps, writes ``ctx.results[NAME]``, ``ctx.kvp``, ``ctx.data``.
    Physics lives in the layers it calls, not here.

**Adding a study step** is one new module in this folder and its name in :data:`STEP_MODULES` (where
in the order it runs). The recipe schema, ``atomspin schema``, the runner, the availability check and the
report columns follow from the module.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

__all__ = ["STEP_MODULES", "Step", "REGISTRY", "STEPS", "step", "headline_keys", "result_prefixes"]

#: the registered steps, in the order they run
STEP_MODULES = ("structure", "tc", "disorder", "loop", "kv", "sar")


@dataclass(frozen=True)
class Step:
    """One registered study step (see the module docstring for what each field means)."""

    name: str
    doc: str
    schema: dict
    api: tuple
    run: object
    requires: tuple = ()
    requires_any: tuple = ()
    result_keys: dict = field(default_factory=dict)
    prefix: str = ""
    check: object = None


def _load(name: str) -> Step:
    mod = importlib.import_module(f"atomspin.batch.steps.{name}")
    if getattr(mod, "NAME", None) != name:
        raise ImportError(f"atomspin.batch.steps.{name}: NAME must be {name!r}")
    return Step(name=name, doc=mod.DOC, schema=dict(getattr(mod, "SCHEMA", {})), api=tuple(mod.API), run=mod.run,
                requires=tuple(getattr(mod, "REQUIRES", ())), requires_any=tuple(getattr(mod, "REQUIRES_ANY", ())),
                result_keys=dict(getattr(mod, "RESULT_KEYS", {})), prefix=getattr(mod, "PREFIX", f"{name}_"),
                check=getattr(mod, "check", None))


#: name -> Step, in execution order
REGISTRY = {name: _load(name) for name in STEP_MODULES}
#: step names in execution order
STEPS = tuple(REGISTRY)


def step(name: str) -> Step:
    """The registered step ``name`` (KeyError naming the registered ones otherwise)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"no study step {name!r} (registered: {', '.join(STEPS)})") from None


def headline_keys() -> list:
    """Headline result keys of all steps, by rank (the columns shown first in tables and figures)."""
    ranks: dict = {}
    for s in REGISTRY.values():
        for key, (rank, _) in s.result_keys.items():
            ranks[key] = min(rank, ranks.get(key, rank))
    return sorted(ranks, key=lambda k: (ranks[k], k))


def result_prefixes() -> tuple:
    """Prefixes of the key-value pairs the steps absorb from their result objects."""
    return tuple(dict.fromkeys(s.prefix for s in REGISTRY.values() if s.prefix))
