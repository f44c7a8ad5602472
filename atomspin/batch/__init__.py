"""Recipes, task lists, Dask sweeps and the ase.db result store (used by :mod:`atomspin.cli`).

Typical use::

    from atomspin.batch import load_recipe, expand, ResultStore, open_client, run_tasks
    tasks = expand(load_recipe("structures/recipes/vacancy_sweep.toml"))
    client, cluster = open_client(workers=2)
    run_tasks(tasks, ResultStore("results.db"), client)
"""
from atomspin.batch.defaults import DEMO_RECIPE, demo_recipe, to_toml
from atomspin.batch.recipe import load_recipe
from atomspin.batch.runner import SchedulerUnreachable, open_client, run_tasks, worker_env
from atomspin.batch.schema import SCHEMA, RecipeError, schema_doc, validate_recipe
from atomspin.batch.store import ResultStore
from atomspin.batch.tasks import available_steps, derived_seed, expand, run_task, task_hash

__all__ = ["load_recipe", "validate_recipe", "expand", "task_hash", "run_task", "derived_seed",
           "available_steps", "ResultStore", "open_client", "run_tasks", "SchedulerUnreachable",
           "worker_env", "RecipeError", "SCHEMA", "schema_doc", "DEMO_RECIPE", "demo_recipe", "to_toml"]
