"""Recipes, study steps, Dask sweeps and the ase.db result store (used by :mod:`atomspin.cli`).

Typical use::

    from atomspin.batch import load_recipe, expand, ResultStore, open_client, run_tasks
    tasks = expand(load_recipe("structures/recipes/vacancy_sweep.toml"))
    client, cluster = open_client(workers=2)
    run_tasks(tasks, ResultStore("results.db"), client)
    rescore("structures/recipes/vacancy_sweep.toml", "results.db", f_Hz=300e3)  # SAR columns again, no Monte Carlo

The study steps are registered in :mod:`atomspin.batch.steps` (docs/batch.md); what a sweep guarantees
under kill, concurrency and corruption is in docs/guarantees.md.
"""
from atomspin.batch.recipe import load_recipe
from atomspin.batch.report import make_report
from atomspin.batch.rescoring import RescoreSummary, rescore
from atomspin.batch.resources import MemoryShortage, check_memory, estimate_task_bytes
from atomspin.batch.runner import (NoWorkers, SchedulerLost, SchedulerUnreachable, SweepSummary, open_client,
                                   run_tasks)
from atomspin.batch.schema import RecipeError, validate_recipe
from atomspin.batch.store import ResultStore, StoreBusy, StoreError
from atomspin.batch.tasks import available_steps, expand, run_task

__all__ = [  # drivers, their results and errors; schema, defaults, hashing and row coding stay in their modules
    "load_recipe", "validate_recipe", "expand", "run_task", "run_tasks", "open_client", "ResultStore",
    "make_report", "rescore", "RescoreSummary", "available_steps", "estimate_task_bytes", "check_memory",
    "SweepSummary", "RecipeError",
    "SchedulerUnreachable", "SchedulerLost", "NoWorkers", "StoreError", "StoreBusy", "MemoryShortage",
]
