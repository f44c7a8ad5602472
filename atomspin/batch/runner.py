"""Running tasks on Dask and writing their results from the driver.

* :func:`open_client` gives a ``distributed.Client``: a ``LocalCluster`` of worker *processes* with
  ``threads_per_worker=1`` by default, or a connection to an existing scheduler (``tcp://host:8786``
  or a scheduler file). An unreachable scheduler raises :class:`SchedulerUnreachable` — there is no
  silent fallback to a local cluster.
* LocalCluster workers get ``NUMBA_NUM_THREADS=1`` (one process per core; numba threads inside a
  process would oversubscribe the cores) and the driver's ``NUMBA_CACHE_DIR`` if set, so the kernels
  (``cache=True``) are compiled once and loaded by every worker. On a cluster, export
  ``NUMBA_CACHE_DIR`` to a writable node-local (or shared) folder and ``NUMBA_NUM_THREADS`` to the
  threads per worker before starting ``dask worker``.
* :func:`run_tasks` submits the tasks not yet in the store, and the driver writes each result as it
  arrives. Failing tasks are retried (``retries``); a task whose worker dies is rescheduled by Dask.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

__all__ = ["open_client", "run_tasks", "SchedulerUnreachable", "worker_env", "SweepSummary"]


class SchedulerUnreachable(ValueError):
    """The given Dask scheduler could not be reached (exit code 2 in the CLI)."""


def worker_env(threads: int = 1) -> dict:
    """Environment for LocalCluster worker processes: one numba/BLAS thread each, and the driver's
    ``NUMBA_CACHE_DIR`` if it has one (otherwise numba's default cache beside the package, or its
    user-wide fallback when that is read-only, which driver and workers share)."""
    env = {"NUMBA_NUM_THREADS": str(int(threads)), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    if os.environ.get("NUMBA_CACHE_DIR"):
        env["NUMBA_CACHE_DIR"] = os.environ["NUMBA_CACHE_DIR"]
    return env


def open_client(scheduler: str | None = None, scheduler_file: str | None = None, workers: int | None = None,
                timeout_s: float = 10.0):
    """Connect to Dask.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://host:8786``.
    scheduler_file : str, optional
        JSON file written by ``dask scheduler --scheduler-file``.
    workers : int, optional
        Worker processes of the default LocalCluster (default: CPU count, at most 8); ignored when
        connecting to an existing scheduler.
    timeout_s : float
        Connection timeout in s.

    Returns
    -------
    (client, cluster)
        ``cluster`` is the LocalCluster to close afterwards, or None.

    Raises
    ------
    SchedulerUnreachable
        If a given scheduler does not answer within ``timeout_s``.
    ValueError
        If both ``scheduler`` and ``scheduler_file`` are given, or ``workers`` is not in [1, 256].
    """
    from distributed import Client, LocalCluster

    if scheduler and scheduler_file:
        raise ValueError("scheduler: give either --scheduler or --scheduler-file, not both")
    if workers is not None and not (1 <= int(workers) <= 256):
        raise ValueError(f"workers: {workers} is outside [1, 256]")
    if scheduler or scheduler_file:
        if scheduler_file and not Path(scheduler_file).is_file():
            raise SchedulerUnreachable(f"scheduler-file: {scheduler_file} does not exist")
        if scheduler and "://" not in scheduler and ":" not in scheduler:
            raise SchedulerUnreachable(f"scheduler: {scheduler!r} is not an address like tcp://host:8786")
        try:
            client = Client(scheduler, scheduler_file=scheduler_file, timeout=f"{timeout_s}s",
                            set_as_default=False)
        except Exception as err:  # noqa: BLE001 - OSError/TimeoutError/ValueError from comm layers
            target = scheduler or f"scheduler in {scheduler_file}"
            raise SchedulerUnreachable(f"scheduler: cannot reach {target} within {timeout_s:g} s "
                                       f"({type(err).__name__}); no local fallback") from None
        return client, None
    n = int(workers) if workers else min(os.cpu_count() or 1, 8)
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, env=worker_env(1),
                           dashboard_address=None, silence_logs=40)
    client = Client(cluster, set_as_default=False)
    return client, cluster


class SweepSummary(dict):
    """``{"total", "skipped", "written", "failed": [(hash, message)], "elapsed_s"}``."""


class _Bar:
    """Minimal terminal progress bar on stderr (no dependency)."""

    def __init__(self, total: int, enabled: bool, label: str = "tasks"):
        self.total, self.enabled, self.label, self.t0, self.n = total, enabled, label, time.time(), 0
        self.draw()

    def draw(self, extra: str = ""):
        if not self.enabled:
            return
        w = 30
        frac = self.n / self.total if self.total else 1.0
        el = time.time() - self.t0
        eta = f" eta {el / self.n * (self.total - self.n):5.0f}s" if 0 < self.n < self.total else ""
        sys.stderr.write(f"\r[{'#' * int(w * frac)}{'-' * (w - int(w * frac))}] {self.n}/{self.total} "
                         f"{self.label} {el:5.0f}s{eta} {extra[:40]:40s}")
        sys.stderr.flush()

    def step(self, extra: str = ""):
        self.n += 1
        self.draw(extra)

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def run_tasks(tasks: list, store, client=None, fn=None, retries: int = 2, progress: bool = False,
              log=None) -> SweepSummary:
    """Run the tasks missing from ``store`` and write each result as it arrives.

    Parameters
    ----------
    tasks : list of dict
        From :func:`atomspin.batch.tasks.expand` (any dicts with a unique ``"hash"`` work).
    store : ResultStore
        The database; this process is its single writer.
    client : distributed.Client, optional
        Dask client; None runs the tasks serially in this process.
    fn : callable, optional
        ``fn(task) -> result`` (default :func:`atomspin.batch.tasks.run_task`).
    retries : int
        Extra attempts for a task that raised (worker deaths are rescheduled by Dask itself).
    progress : bool
        Draw a progress bar on stderr.
    log : callable, optional
        ``log(str)`` for one-line messages about failures.

    Returns
    -------
    SweepSummary
    """
    from atomspin.batch.tasks import run_task

    fn = fn or run_task
    if not (0 <= int(retries) <= 100):
        raise ValueError(f"retries: {retries} is outside [0, 100]")
    t0 = time.time()
    done = store.done_hashes()
    pending = [t for t in tasks if t["hash"] not in done]
    summary = SweepSummary(total=len(tasks), skipped=len(tasks) - len(pending), written=0, failed=[],
                           elapsed_s=0.0)
    bar = _Bar(len(pending), progress)

    def record(task, result=None, err=None):
        if err is not None:
            msg = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            summary["failed"].append((task["hash"], msg))
            if log:
                log(f"task {task['hash']} ({task.get('variant', '')}) failed: {msg}")
        else:
            try:
                if store.write(result):
                    summary["written"] += 1
            except Exception as werr:  # noqa: BLE001 - a bad row must not stop the sweep
                msg = f"store: {type(werr).__name__}: {str(werr).splitlines()[0] if str(werr) else ''}"
                summary["failed"].append((task["hash"], msg))
                if log:
                    log(f"task {task['hash']} ({task.get('variant', '')}) not stored: {msg}")
        bar.step(task.get("variant", ""))

    try:
        if client is None:
            for t in pending:
                last = None
                for _ in range(int(retries) + 1):
                    try:
                        res = fn(t)
                        last = None
                        break
                    except Exception as err:  # noqa: BLE001 - recorded per task
                        last = err
                record(t, None if last else res, last)
        else:
            from distributed import as_completed

            by_key = {}
            futures = []
            with client.as_current():  # as_completed looks the client up
                for t in pending:
                    fut = client.submit(fn, t, key=f"atomspin-task-{t['hash']}", retries=int(retries),
                                        pure=False)
                    by_key[fut.key] = t
                    futures.append(fut)
                for fut in as_completed(futures):
                    t = by_key[fut.key]
                    try:
                        res = fut.result()
                    except Exception as err:  # noqa: BLE001 - recorded per task
                        record(t, err=err)
                    else:
                        record(t, res)
                    fut.release()
    finally:
        bar.close()
    summary["elapsed_s"] = time.time() - t0
    return summary
