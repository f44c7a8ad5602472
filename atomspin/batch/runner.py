"""Running tasks on Dask and writing their results from the driver.

* :func:`open_client` gives a ``distributed.Client``: a ``LocalCluster`` of worker *processes* with
  ``threads_per_worker=1`` by default, or a connection to an existing scheduler (``tcp://host:8786``
  or a scheduler file). An unreachable scheduler or an unreadable scheduler file raises
  :class:`SchedulerUnreachable` — there is no silent fallback to a local cluster.
* LocalCluster workers get ``NUMBA_NUM_THREADS=1`` (one process per core; numba threads inside a
  process would oversubscribe the cores) and the driver's ``NUMBA_CACHE_DIR`` if set, so the kernels
  (``cache=True``) are compiled once and loaded by every worker. On a cluster, export
  ``NUMBA_CACHE_DIR`` to a writable node-local (or shared) folder and ``NUMBA_NUM_THREADS`` to the
  threads per worker before starting ``dask worker``.
* :func:`run_tasks` submits the tasks not yet in the store, and the driver writes each result as it
  arrives. A task that raised is retried (``retries``) only when the error may be transient: errors that
  the same input raises again (``ValueError``, ``TypeError``, ``MemoryError``, … :data:`DETERMINISTIC`) are
  reported at once. A task whose worker dies is rescheduled by Dask. A lost scheduler ends the sweep with
  :class:`SchedulerLost`, a scheduler without workers with :class:`NoWorkers` (one line each).
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from atomspin.batch.redact import mask_secrets

__all__ = ["open_client", "run_tasks", "SchedulerUnreachable", "SchedulerLost", "NoWorkers", "worker_env",
           "SweepSummary", "DETERMINISTIC", "wait_for_workers"]

#: exceptions that the same task raises again on a rerun: never retried
DETERMINISTIC = (ValueError, TypeError, ArithmeticError, LookupError, AttributeError, NotImplementedError,
                 ImportError, AssertionError, MemoryError, RecursionError)

#: seconds between checks of the scheduler while waiting for results
POLL_S = 2.0


class SchedulerUnreachable(ValueError):
    """The given Dask scheduler could not be reached (exit code 2 in the CLI)."""


class SchedulerLost(RuntimeError):
    """The connection to the scheduler was lost during a sweep (finished rows are kept; rerun to resume)."""


class NoWorkers(RuntimeError):
    """The scheduler had no worker for longer than the allowed time."""


def worker_env(threads: int = 1) -> dict:
    """Environment for LocalCluster worker processes: one numba/BLAS thread each, and the driver's
    ``NUMBA_CACHE_DIR`` if it has one (otherwise numba's default cache beside the package, or its
    user-wide fallback when that is read-only, which driver and workers share)."""
    env = {"NUMBA_NUM_THREADS": str(int(threads)), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1"}
    if os.environ.get("NUMBA_CACHE_DIR"):
        env["NUMBA_CACHE_DIR"] = os.environ["NUMBA_CACHE_DIR"]
    return env


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return mask_secrets(text.splitlines()[0] if text else "")


def _scheduler_file_address(path: str) -> str:
    """The address in a scheduler file written by ``dask scheduler --scheduler-file``."""
    p = Path(path)
    if not p.is_file():
        raise SchedulerUnreachable(f"scheduler-file: {path} does not exist")
    try:
        info = json.loads(p.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise SchedulerUnreachable(f"scheduler-file: {path} is not a Dask scheduler file "
                                   f"({type(err).__name__}: {_first_line(err)[:80]})") from None
    address = info.get("address") if isinstance(info, dict) else None
    if not isinstance(address, str) or "://" not in address:
        raise SchedulerUnreachable(f"scheduler-file: {path} is not a Dask scheduler file (no scheduler "
                                   "address in it)")
    return address


@contextmanager
def quiet_distributed(level=logging.CRITICAL):
    """Silence distributed's own log output (tracebacks of lost connections, port notices) in this process:
    the driver reports what matters in one line."""
    import warnings

    import distributed  # noqa: F401 - its logging configuration sets levels on its loggers when imported

    names = [n for n in list(logging.root.manager.loggerDict)
             if n.split(".")[0] in ("distributed", "tornado", "asyncio")]
    loggers = [logging.getLogger(n) for n in {"distributed", "tornado", "asyncio", *names}]
    old = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(level)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            yield
    finally:
        for lg, lv in zip(loggers, old):
            lg.setLevel(lv)


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
        If a given scheduler does not answer within ``timeout_s``, or the scheduler file is missing or
        not a scheduler file.
    ValueError
        If both ``scheduler`` and ``scheduler_file`` are given, or ``workers`` is not in [1, 256].
    """
    from distributed import Client, LocalCluster

    if scheduler and scheduler_file:
        raise ValueError("scheduler: give either --scheduler or --scheduler-file, not both")
    if workers is not None and not (1 <= int(workers) <= 256):
        raise ValueError(f"workers: {workers} is outside [1, 256]")
    if scheduler or scheduler_file:
        if scheduler_file:
            scheduler = _scheduler_file_address(scheduler_file)
        if "://" not in scheduler and ":" not in scheduler:
            raise SchedulerUnreachable(f"scheduler: {scheduler!r} is not an address like tcp://host:8786")
        target = scheduler if not scheduler_file else f"{scheduler} (from {scheduler_file})"
        try:
            with quiet_distributed():
                client = Client(scheduler, timeout=f"{timeout_s}s", set_as_default=False)
        except Exception as err:  # noqa: BLE001 - OSError/TimeoutError/ValueError from comm layers
            raise SchedulerUnreachable(f"scheduler: cannot reach {target} within {timeout_s:g} s "
                                       f"({type(err).__name__}); no local fallback") from None
        return client, None
    n = int(workers) if workers else min(os.cpu_count() or 1, 8)
    with quiet_distributed():
        # the scheduler's HTTP server (no dashboard) on a free port: two sweeps at once need no notice
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, env=worker_env(1),
                               dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                               silence_logs=logging.CRITICAL)
        client = Client(cluster, set_as_default=False)
    return client, cluster


def _n_workers(client) -> int:
    return len(client.scheduler_info(n_workers=-1).get("workers", {}))


def wait_for_workers(client, timeout_s: float, address: str = "the scheduler") -> int:
    """Wait until the scheduler has a worker; return the worker count, or raise :class:`NoWorkers`."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            n = _n_workers(client)
        except Exception as err:  # noqa: BLE001
            raise SchedulerLost(f"scheduler: lost {address} ({type(err).__name__})") from None
        if n:
            return n
        if time.monotonic() >= deadline:
            raise NoWorkers(f"scheduler: no worker connected to {address} within {timeout_s:g} s; start "
                            f"workers (`dask worker {address}`) or run without --scheduler (local workers)")
        time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))


class SweepSummary(dict):
    """``{"total", "skipped", "written", "concurrent", "kept", "failed": [(hash, message)],
    "corrupted": [(row id, hash, problem)], "elapsed_s"}``.

    ``skipped``: sound rows present at the start; ``written``: rows this driver wrote; ``concurrent``: tasks
    this driver computed whose row another driver wrote first; ``kept``: results the store could not take
    (locked or unreachable for too long), kept in the store's pending file for the next run.
    ``written + skipped + concurrent + kept + len(failed) == total``.
    """


class _Bar:
    """Terminal progress line on stderr (no dependency): finished tasks, the progress inside the running
    ones (sweeps done of those expected, from :mod:`atomspin.batch.progress`) and an ETA."""

    def __init__(self, total: int, enabled: bool, label: str = "tasks"):
        self.total, self.enabled, self.label, self.t0, self.n = total, enabled, label, time.time(), 0
        self.running: dict = {}  # task hash -> last progress message
        self.last_draw = 0.0
        self.width = 0
        self.draw()

    def _fraction(self) -> float:
        inside = sum(min(1.0, m["done"] / m["total"]) for m in self.running.values() if m.get("total"))
        return min(1.0, (self.n + inside) / self.total) if self.total else 1.0

    def draw(self, extra: str = "", force: bool = True):
        if not self.enabled:
            return
        now = time.time()
        if not force and now - self.last_draw < 0.5:
            return
        self.last_draw = now
        w = 30
        frac = self._fraction()
        el = now - self.t0
        eta = f" eta {el / frac * (1 - frac):5.0f}s" if 0.005 < frac < 1 and el > 2 else ""
        done = f"{self.n}/{self.total}" if not self.running else f"{self.total * frac:.1f}/{self.total}"
        line = f"\r[{'#' * int(w * frac)}{'-' * (w - int(w * frac))}] {done} {self.label} {el:5.0f}s{eta}"
        if self.running:
            m = max(self.running.values(), key=lambda x: x.get("_t", 0.0))
            pct = f" {100 * m['done'] / m['total']:3.0f}%" if m.get("total") else ""
            more = f" (+{len(self.running) - 1} running)" if len(self.running) > 1 else ""
            line += f"  {m['label']}: {m['step']}{pct}{more}"
        elif extra:
            line += f"  {extra}"
        line = line[:160]
        pad = max(0, self.width - len(line))
        self.width = len(line)
        sys.stderr.write(line + " " * pad)
        sys.stderr.flush()

    def update(self, msg) -> None:
        """A progress message of a running task (never raises)."""
        try:
            if not isinstance(msg, dict) or "hash" not in msg:
                return
            self.running[str(msg["hash"])] = {**msg, "_t": time.time()}
        except Exception:  # noqa: BLE001 - progress must never fail the sweep
            pass

    def event(self, event) -> None:
        """Handler of the Dask progress topic: ``(timestamp, message)``."""
        try:
            self.update(event[1])
        except Exception:  # noqa: BLE001
            pass

    def local(self, msg) -> None:
        """Sink for tasks run in this process: update and redraw (throttled)."""
        self.update(msg)
        try:
            self.draw(force=False)
        except Exception:  # noqa: BLE001
            pass

    def step(self, extra: str = "", key=None):
        self.n += 1
        self.running.pop(str(key), None)
        self.draw(extra)

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def is_deterministic(err: BaseException) -> bool:
    """Whether the same task would raise ``err`` again (see :data:`DETERMINISTIC`)."""
    return isinstance(err, DETERMINISTIC) or bool(getattr(err, "deterministic", False))


def attempt(fn, task, retries: int = 0):
    """``fn(task)``, retried up to ``retries`` times while it raises an error that may be transient."""
    for i in range(int(retries) + 1):
        try:
            return fn(task)
        except Exception as err:  # noqa: BLE001 - re-raised below
            if is_deterministic(err) or i == int(retries):
                raise


def _message(err: BaseException) -> str:
    name = type(err).__name__
    if name == "KilledWorker":
        return ("KilledWorker: the workers running this task died repeatedly (out of memory? compare the "
                "memory estimate of `atomspin validate` with the workers' memory)")
    return f"{name}: {_first_line(err)}"


def run_tasks(tasks: list, store, client=None, fn=None, retries: int = 2, progress: bool = False,
              log=None, worker_timeout_s: float = 120.0, done=None, warmups=()) -> SweepSummary:
    """Run the tasks missing from ``store`` and write each result as it arrives.

    Parameters
    ----------
    tasks : list of dict
        From :func:`atomspin.batch.tasks.expand` (any dicts with a unique ``"hash"`` work).
    store : ResultStore
        The database (opened for writing).
    client : distributed.Client, optional
        Dask client; None runs the tasks serially in this process.
    fn : callable, optional
        ``fn(task) -> result`` (default :func:`atomspin.batch.tasks.run_task`).
    retries : int
        Extra attempts for a task that raised an error that may be transient (not :data:`DETERMINISTIC`);
        worker deaths are rescheduled by Dask itself.
    progress : bool
        Draw a progress bar on stderr.
    log : callable, optional
        ``log(str)`` for one-line messages about failures and corrupted rows.
    worker_timeout_s : float
        With a client: how long the scheduler may be without any worker before :class:`NoWorkers`.
    done : set, optional
        Task hashes already stored, when the caller has just read them (:meth:`ResultStore.done_hashes`
        reads and verifies every row).
    warmups : sequence of callables, optional
        Functions without arguments that compile numba kernels (:func:`atomspin.batch.tasks.warmups`). With a
        client of ≥ 2 workers each runs once, first in line, on a worker other than the one that takes the first
        task, so that worker compiles those kernels while the other starts on the tasks; the workers must share
        numba's on-disk cache (a local cluster). A warm-up that fails is reported through ``log`` and otherwise
        ignored.

    Returns
    -------
    SweepSummary

    Raises
    ------
    SchedulerLost, NoWorkers
        One line each; every result received before is stored.
    """
    from atomspin.batch.store import StoreBusy
    from atomspin.batch.tasks import run_task

    fn = fn or run_task
    if not (0 <= int(retries) <= 100):
        raise ValueError(f"retries: {retries} is outside [0, 100]")
    if not (0 < float(worker_timeout_s) <= 86400):
        raise ValueError(f"worker_timeout_s: {worker_timeout_s} is outside (0, 86400]")
    t0 = time.time()
    if done is None:
        store.store_pending()
        done = store.done_hashes()
    summary = SweepSummary(total=len(tasks), skipped=0, written=0, concurrent=0, kept=0, failed=[],
                           corrupted=[(rid, h, why) for rid, (h, why) in sorted(store.corrupted.items())],
                           elapsed_s=0.0)
    for rid, h, why in summary["corrupted"]:
        if log:
            log(f"db: row {rid} (task {h}) is corrupted ({why}): it is recomputed")
    pending = [t for t in tasks if t["hash"] not in done]
    summary["skipped"] = len(tasks) - len(pending)
    bar = _Bar(len(pending), progress)

    def record(task, result=None, err=None):
        if err is not None:
            msg = _message(err)
            summary["failed"].append((task["hash"], msg))
            if log:
                log(f"task {task['hash']} ({task.get('variant', '')}) failed: {msg}")
        else:
            try:
                if store.write(result):
                    summary["written"] += 1
                else:
                    summary["concurrent"] += 1
            except StoreBusy as busy:
                try:
                    where = store.keep(result)
                except Exception as kerr:  # noqa: BLE001 - nothing left but to say so
                    msg = f"store: {busy}; keeping it failed too ({_message(kerr)})"
                    summary["failed"].append((task["hash"], msg))
                else:
                    summary["kept"] += 1
                    if log:
                        log(f"task {task['hash']} not stored yet ({busy}); kept in {where}, stored by the next run")
            except Exception as werr:  # noqa: BLE001 - a bad row must not stop the sweep
                msg = f"store: {_message(werr)}"
                summary["failed"].append((task["hash"], msg))
                if log:
                    log(f"task {task['hash']} ({task.get('variant', '')}) not stored: {msg}")
        bar.step(task.get("variant", ""), task["hash"])

    try:
        if client is None:
            from atomspin.batch.progress import progress_sink
            for t in pending:
                try:
                    with progress_sink(bar.local if progress else None):
                        res = attempt(fn, t, retries)
                except Exception as err:  # noqa: BLE001 - recorded per task
                    record(t, err=err)
                else:
                    record(t, res)
        elif pending:
            with quiet_distributed():
                _run_on_dask(client, pending, fn, int(retries), record, float(worker_timeout_s),
                             bar if progress else None, warmups, log)
    finally:
        bar.close()
        summary["elapsed_s"] = time.time() - t0
    return summary


def _comm_failure(err: BaseException) -> bool:
    """Whether fetching a finished result failed in the driver's connection, not in the task."""
    import asyncio
    return (type(err).__module__.startswith("distributed.comm") or isinstance(err, (OSError, asyncio.CancelledError))
            or type(err).__name__ in ("CancelledError", "FutureCancelledError"))


def _subscribe(client, bar):
    """Follow the in-task progress events of the workers (False when the client cannot)."""
    from atomspin.batch.progress import TOPIC

    if bar is None:
        return False
    try:
        client.subscribe_topic(TOPIC, bar.event)
        return True
    except Exception:  # noqa: BLE001 - progress is optional
        return False


def _warm(fn):
    """Run one warm-up on a worker: its CPU seconds, or the one-line error."""
    t0 = time.process_time()
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - a warm-up only saves time; the tasks report real errors
        return _message(err)
    return time.process_time() - t0


def _submit_warmups(client, warmups):
    """Submit each warm-up to a worker other than the first (round robin), ahead of the tasks."""
    import uuid

    if not warmups:
        return []
    workers = sorted(client.scheduler_info(n_workers=-1).get("workers", {}))
    if len(workers) < 2:
        return []
    tag = uuid.uuid4().hex[:8]
    futs = []
    with client.as_current():
        for i, w in enumerate(warmups):
            futs.append(client.submit(_warm, w, key=f"atomspin-warmup-{tag}-{i}", pure=False, priority=100,
                                      workers=[workers[1 + i % (len(workers) - 1)]], allow_other_workers=False))
    return futs


def _report_warmups(futs, log=None):
    for f in futs:
        if f.status == "finished":
            try:
                got = f.result()
            except Exception as err:  # noqa: BLE001 - the result could not be fetched
                got = _message(err)
            if isinstance(got, str) and log:
                log(f"kernel warm-up failed ({got}); the tasks compile their kernels themselves")
        elif f.status == "pending":
            f.cancel()


def _run_on_dask(client, pending, fn, retries, record, worker_timeout_s, bar=None, warmups=(), log=None):
    subscribed = _subscribe(client, bar)
    warm = _submit_warmups(client, warmups)
    try:
        _run_on_dask_loop(client, pending, fn, retries, record, worker_timeout_s, bar)
    finally:
        _report_warmups(warm, log)
        if subscribed:
            try:
                from atomspin.batch.progress import TOPIC
                client.unsubscribe_topic(TOPIC)
            except Exception:  # noqa: BLE001
                pass


def _run_on_dask_loop(client, pending, fn, retries, record, worker_timeout_s, bar):
    from distributed import wait

    address = getattr(client, "scheduler", None)
    address = getattr(address, "address", None) or "the scheduler"
    by_key = {}
    with client.as_current():
        for t in pending:
            fut = client.submit(attempt, fn, t, retries, key=f"atomspin-task-{t['hash']}", pure=False)
            by_key[fut.key] = (fut, t)
    remaining = {k: f for k, (f, _) in by_key.items()}
    no_worker_since = None
    n_done = 0
    while remaining:
        try:
            with client.as_current():  # wait() looks the client up
                done, _ = wait(list(remaining.values()), timeout=POLL_S, return_when="FIRST_COMPLETED")
        except TimeoutError:
            done = set()
        except Exception:  # noqa: BLE001 - a cancelled future or a comm error: sorted out below
            done = {f for f in remaining.values() if f.status != "pending"}
            if not done:
                time.sleep(POLL_S / 4)
        if bar is not None and not done:
            bar.draw()
        lost = client.status not in ("running", "newly-created")
        for fut in done:
            task = by_key[fut.key][1]
            if fut.status == "cancelled" or lost:
                lost = True
                continue
            remaining.pop(fut.key, None)
            n_done += 1
            if fut.status == "error":
                record(task, err=fut.exception())
            else:
                try:
                    res = fut.result()
                except Exception as err:  # noqa: BLE001
                    if _comm_failure(err) or client.status not in ("running", "newly-created"):
                        lost = True  # the result could not be fetched: the task stays to do
                        n_done -= 1
                        continue
                    record(task, err=err)
                else:
                    record(task, res)
            fut.release()
        if lost:
            raise SchedulerLost(f"scheduler: lost the connection to {address} after {n_done} of {len(by_key)} "
                                f"results; finished rows are kept: restart the scheduler (or run without "
                                "--scheduler) and rerun the same command to resume")
        if not done:
            try:
                n = _n_workers(client)
            except Exception as err:  # noqa: BLE001
                raise SchedulerLost(f"scheduler: lost the connection to {address} after {n_done} of "
                                    f"{len(by_key)} results ({type(err).__name__}); finished rows are kept: "
                                    "rerun the same command to resume") from None
            if n:
                no_worker_since = None
            elif no_worker_since is None:
                no_worker_since = time.monotonic()
            elif time.monotonic() - no_worker_since > worker_timeout_s:
                raise NoWorkers(f"scheduler: no worker at {address} for {worker_timeout_s:g} s with "
                                f"{len(remaining)} tasks left; start workers (`dask worker {address}`) and "
                                "rerun the same command to resume")
