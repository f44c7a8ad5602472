"""Progress *inside* a task: Monte Carlo sweeps done, per step, with an ETA, from worker to driver.

A task announces its expected work (the sum of the ``WORK(recipe)`` sweep counts its steps declare) and
counts the sweeps its simulations do (:func:`atomspin.engine.meter.sweep_meter`). At most once a second it
sends ``{"hash", "label", "step", "done", "total", "elapsed_s"}`` to a *sink*:

* in this process (``atomspin run``, serial sweeps) the sink installed by :func:`progress_sink` (the
  driver's progress bar);
* on a Dask worker, an event on the topic :data:`TOPIC` (``Worker.log_event``), which the driver receives
  with ``Client.subscribe_topic``.

Reporting progress never fails or slows a task: every error in it is swallowed, and the meter costs one
call per block of sweeps.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

__all__ = ["TOPIC", "task_label", "expected_sweeps", "TaskProgress", "progress_sink", "current_sink"]

#: Dask event topic of the in-task progress messages
TOPIC = "atomspin-progress"
#: seconds between two messages of one task
MIN_INTERVAL_S = 1.0

_local = threading.local()

_SHORT = {"defects.vacancies.delta": ("δ", ""), "structure.diameter_nm": ("d", " nm"), "protocol.T_K": ("T", " K"),
          "defects.apb.offset_nm": ("APB offset", " nm"), "structure.phase": ("", "")}


def _num(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def task_label(task: dict) -> str:
    """``variant, <swept values>, seed s``: how a task is named in progress lines and messages."""
    parts = [str(task.get("variant", ""))]
    for path, value in (task.get("point") or {}).items():
        name, unit = _SHORT.get(path, (path.rsplit(".", 1)[-1], ""))
        parts.append(f"{name} = {_num(value)}{unit}" if name else _num(value))
    if "seed" in task:
        parts.append(f"seed {task['seed']}")
    return ", ".join(p for p in parts if p)


def expected_sweeps(recipe: dict) -> dict:
    """``{step: Monte Carlo sweeps}`` the steps of a resolved recipe will do (steps without ``WORK``: 0)."""
    from atomspin.batch.steps import REGISTRY

    out = {}
    for name in recipe["protocol"]["steps"]:
        st = REGISTRY.get(name)
        work = getattr(st, "work", None) if st is not None else None
        try:
            out[name] = max(0, int(work(recipe))) if work is not None else 0
        except Exception:  # noqa: BLE001 - an estimate only
            out[name] = 0
    return out


@contextmanager
def progress_sink(callback):
    """Send the progress messages of tasks run in this thread to ``callback(message)``."""
    old = getattr(_local, "sink", None)
    _local.sink = callback
    try:
        yield
    finally:
        _local.sink = old


def _dask_sink(msg: dict) -> None:
    from distributed import get_worker

    get_worker().log_event(TOPIC, msg)


def current_sink():
    """The sink for a task run now: the one of :func:`progress_sink`, else the Dask worker's event log when
    running on a worker, else None (nobody listens)."""
    sink = getattr(_local, "sink", None)
    if sink is not None:
        return sink
    try:
        from distributed import get_worker

        get_worker()
    except Exception:  # noqa: BLE001 - not on a worker (or no distributed)
        return None
    return _dask_sink


class TaskProgress:
    """Counts the sweeps of one task and sends throttled messages to ``sink`` (see the module docstring)."""

    def __init__(self, task: dict, sink, min_interval_s: float = MIN_INTERVAL_S):
        self.sink = sink
        self.hash = str(task.get("hash", ""))
        self.label = task_label(task)
        try:
            self.plan = expected_sweeps(task["recipe"])
        except Exception:  # noqa: BLE001
            self.plan = {}
        self.total = sum(self.plan.values())
        self.done = 0
        self.step_name = ""
        self.min_interval_s = float(min_interval_s)
        self.t0 = time.monotonic()
        self.last = -1e9

    def step(self, name: str) -> None:
        """A new step starts (one message, whatever the throttle)."""
        self.step_name = name
        self._send(force=True)

    def add(self, n: int) -> None:
        """``n`` more sweeps done."""
        self.done += int(n)
        self._send()

    def _send(self, force: bool = False) -> None:
        if self.sink is None:
            return
        now = time.monotonic()
        if not force and now - self.last < self.min_interval_s:
            return
        self.last = now
        try:
            self.sink({"hash": self.hash, "label": self.label, "step": self.step_name, "done": int(self.done),
                       "total": int(max(self.total, self.done)), "elapsed_s": float(now - self.t0)})
        except Exception:  # noqa: BLE001 - progress must never fail a task
            self.sink = None
