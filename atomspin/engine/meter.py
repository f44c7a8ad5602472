"""Sweep meter: a hook that counts the Monte Carlo sweeps a thread performs, for progress reports.

Measurement drivers call :class:`~atomspin.engine.Simulation` many times (field steps, constrained
directions, temperatures); a caller that wants to follow the work *inside* one driver call (the batch layer
reporting sweeps done and an ETA per task) installs a callback with :func:`sweep_meter`::

    with sweep_meter(lambda n: print(n, "sweeps")):
        hysteresis_loop(model, 300, fields)

Every :class:`Simulation` of this thread then calls ``callback(n)`` after each block of n sweeps. The hook
is per thread, costs one attribute lookup per block without a callback, and never lets an error of the
callback reach the simulation (it is dropped after its first error).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

__all__ = ["sweep_meter", "count_sweeps"]

_local = threading.local()


@contextmanager
def sweep_meter(callback):
    """Call ``callback(n_sweeps)`` after every block of sweeps done in this thread, inside the block."""
    old = getattr(_local, "callback", None)
    _local.callback = callback
    try:
        yield
    finally:
        _local.callback = old


def count_sweeps(n) -> None:
    """Report ``n`` sweeps to the callback of this thread, if any (errors of the callback switch it off)."""
    cb = getattr(_local, "callback", None)
    if cb is None:
        return
    try:
        cb(int(n))
    except Exception:  # noqa: BLE001 - a progress report must never fail a simulation
        _local.callback = None
