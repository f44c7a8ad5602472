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
    The headline key-value pairs it writes, ``{key: (rank, "what it is, unit")}`` or
    ``{key: (rank, "what it is, unit", "label (unit)"[, plotted[, scale]])}``; the rank orders the columns of
    tables and figures (lowest first); ``plotted=False`` keeps the key out of the figures; ``scale`` converts
    the stored value to the label's unit (tables and figures). A measured key comes
    with its standard error ``<key>_err`` (and may carry ``<key>_note``: why it is not a number); the
    report shows ``value ± error`` and "not resolved" when |value| < 2 error.
``PREFIX``
    Prefix of the key-value pairs absorbed from its result object (``Context.absorb``).
``WORK(recipe)`` (optional)
    The Monte Carlo sweeps the step will do for a resolved recipe (an estimate for progress lines and ETAs;
    steps without it count as no work).
``CONDITIONS`` (optional)
    ``{key: "what it is, unit"}``: row keys that state under which conditions the results hold (drive
    field, frequency, medium); the report prints them once above the table when they are the same in
    every row, and as columns when they vary.
``CURVES`` (optional)
    The curves of its stored arrays that the report plots: a tuple of dicts (:mod:`atomspin.batch.report_figures`
    says which keys: file name, x and y arrays with their labels, units and scales, error arrays, branches).
``report_figures(study, entries, outdir)`` (optional)
    Extra report figures (e.g. recomputed from stored inputs with a result's ``.plot()``); returns the paths.
``WARMUP`` (optional)
    ``"module:function"``: a function without arguments that compiles the step's numba kernels on a small
    input. A sweep on a local cluster of ≥ 2 workers runs it on a worker other than the first while the first
    starts the first task, so each kernel is compiled once per sweep (the workers share numba's on-disk cache)
    instead of once per worker.
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

__all__ = ["STEP_MODULES", "Step", "REGISTRY", "STEPS", "step", "headline_keys", "result_prefixes", "quantity",
           "conditions"]

#: the registered steps, in the order they run
STEP_MODULES = ("structure", "tc", "disorder", "loop", "kv", "landscape", "sar", "mpi", "mri")


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
    work: object = None
    conditions: dict = field(default_factory=dict)
    report_figures: object = None
    curves: tuple = ()
    warmup: str = ""


def _load(name: str) -> Step:
    mod = importlib.import_module(f"atomspin.batch.steps.{name}")
    if getattr(mod, "NAME", None) != name:
        raise ImportError(f"atomspin.batch.steps.{name}: NAME must be {name!r}")
    return Step(name=name, doc=mod.DOC, schema=dict(getattr(mod, "SCHEMA", {})), api=tuple(mod.API), run=mod.run,
                requires=tuple(getattr(mod, "REQUIRES", ())), requires_any=tuple(getattr(mod, "REQUIRES_ANY", ())),
                result_keys=dict(getattr(mod, "RESULT_KEYS", {})), prefix=getattr(mod, "PREFIX", f"{name}_"),
                check=getattr(mod, "check", None), work=getattr(mod, "WORK", None),
                conditions=dict(getattr(mod, "CONDITIONS", {})), report_figures=getattr(mod, "report_figures", None),
                curves=tuple(getattr(mod, "CURVES", ())), warmup=str(getattr(mod, "WARMUP", "")))


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
        for key, spec in s.result_keys.items():
            rank = spec[0]
            ranks[key] = min(rank, ranks.get(key, rank))
    return sorted(ranks, key=lambda k: (ranks[k], k))


def quantity(key: str):
    """``(meaning, label, plotted, scale)`` of a headline key: the label (words and unit) is the step's, or
    derived from the meaning (the text before its last comma, the unit after it in parentheses); ``plotted``
    is False for keys kept out of the figures (exact counts); ``scale`` converts the stored value to the
    label's unit (e.g. 1e-3 for a key in A/m shown in kA/m). None for a key no step declares."""
    for s in REGISTRY.values():
        spec = s.result_keys.get(key)
        if spec is None:
            continue
        doc = spec[1]
        plotted = bool(spec[3]) if len(spec) > 3 else True
        scale = float(spec[4]) if len(spec) > 4 else 1.0
        if len(spec) > 2 and spec[2]:
            return doc, spec[2], plotted, scale
        words, _, unit = doc.rpartition(", ")
        return doc, (f"{words} ({unit})" if words else doc), plotted, scale
    return None


def conditions() -> dict:
    """``{key: meaning}`` of the condition keys all steps declare (``CONDITIONS``)."""
    out: dict = {}
    for s in REGISTRY.values():
        out.update(s.conditions)
    return out


def result_prefixes() -> tuple:
    """Prefixes of the key-value pairs the steps absorb from their result objects."""
    return tuple(dict.fromkeys(s.prefix for s in REGISTRY.values() if s.prefix))
