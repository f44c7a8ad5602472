"""Dask sweeps: LocalCluster, a real `dask scheduler` + `dask worker` pair on loopback, worker crashes,
an unreachable scheduler, and kill -9 of the driver mid-sweep (0 lost, 0 duplicated rows)."""
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from atomspin.batch import ResultStore, SchedulerUnreachable, open_client, run_tasks

pytestmark = pytest.mark.distributed


def toy_task(task):
    """Deterministic stand-in for run_task; optional sleep, exception or hard worker crash on first try."""
    import os as _os
    import time as _time

    import numpy as _np
    from ase import Atoms

    flag = task.get("flag")
    if flag and task.get("fail"):
        try:
            fd = _os.open(flag, _os.O_CREAT | _os.O_EXCL | _os.O_WRONLY)  # first attempt only
            _os.close(fd)
            if task["fail"] == "crash":
                _os.kill(_os.getpid(), 9)  # a real kill -9 of the worker process
            raise RuntimeError("transient failure")
        except FileExistsError:
            pass
    _time.sleep(task.get("sleep", 0.0))
    x = _np.random.default_rng(task["seed"]).random(3)
    return {"hash": task["hash"], "kvp": {"seed": task["seed"], "variant": "toy", "s_x0": float(x[0]),
                                          "pid": _os.getpid()},
            "data": {"x": {"T_K": _np.arange(3.0), "y": x}}, "atoms": Atoms("Fe"), "recipe": {},
            "elapsed_s": 0.0}


def _tasks(n, **extra):
    return [{"hash": f"t{i:015d}", "seed": 100 + i, "variant": "toy", **extra} for i in range(n)]


def _check_rows(store, n):
    rows = store.rows()
    hashes = [store.task_hash(r) for r in rows]
    assert len(hashes) == n and len(set(hashes)) == n, "lost or duplicated rows"
    for r in rows:
        assert r.s_x0 == np.random.default_rng(r.seed).random(3)[0]
        assert r.seed == 100 + int(store.task_hash(r)[1:])


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_local_cluster_sweep_and_same_seed_identical(tmp_path):
    client, cluster = open_client(workers=2)
    try:
        env = client.run(lambda: {k: os.environ.get(k) for k in ("NUMBA_NUM_THREADS", "NUMBA_CACHE_DIR")})
        assert len(env) == 2
        assert all(e["NUMBA_NUM_THREADS"] == "1" and e["NUMBA_CACHE_DIR"] == os.environ.get("NUMBA_CACHE_DIR")
                   for e in env.values())
        assert all(w["nthreads"] == 1 for w in client.scheduler_info()["workers"].values())
        a, b = ResultStore(tmp_path / "a.db"), ResultStore(tmp_path / "b.db")
        tasks = _tasks(6, sleep=0.05)
        sa = run_tasks(tasks, a, client, fn=toy_task)
        sb = run_tasks(tasks, b, client, fn=toy_task)
        assert sa["written"] == sb["written"] == 6
        again = run_tasks(tasks, a, client, fn=toy_task)
        assert (again["written"], again["skipped"]) == (0, 6)
        ra = {r.task_hash: r for r in a.rows()}
        rb = {r.task_hash: r for r in b.rows()}
        skip = {"walltime_s", "pid"}
        for h in ra:
            ka = {k: v for k, v in ra[h].key_value_pairs.items() if k not in skip}
            kb = {k: v for k, v in rb[h].key_value_pairs.items() if k not in skip}
            assert ka == kb
            np.testing.assert_array_equal(a.arrays(ra[h])["x"]["y"], b.arrays(rb[h])["x"]["y"])
        _check_rows(a, 6)
    finally:
        client.close()
        cluster.close()


def _record_warmup(path):
    import os as _os

    with open(path, "a") as fh:
        fh.write(f"{_os.getpid()}\n")


def _failing_warmup():
    raise RuntimeError("no compiler here")


def test_warmups_run_once_each_on_a_second_worker_and_never_fail_the_sweep(tmp_path):
    """run_tasks(warmups=...): each warm-up runs once, on a worker other than the first, ahead of the tasks; a
    failing warm-up is logged and the sweep completes; with one worker there is nothing to overlap and none runs."""
    import functools

    from atomspin.batch.tasks import expand, warmups
    from atomspin.sar.warmup import compile_kernels

    assert warmups(expand({"protocol": {"steps": ["structure", "landscape", "sar"]}})) == [compile_kernels]
    assert warmups(expand({"protocol": {"steps": ["structure", "landscape"]}})) == []
    rec = tmp_path / "warm.txt"
    client, cluster = open_client(workers=2)
    try:
        log = []
        s = run_tasks(_tasks(6, sleep=0.5), ResultStore(tmp_path / "a.db"), client, fn=toy_task, log=log.append,
                      warmups=[functools.partial(_record_warmup, str(rec)), _failing_warmup])
        assert s["written"] == 6 and not s["failed"]
        pids = client.run(os.getpid)
        second = pids[sorted(pids)[1]]
        assert [int(p) for p in rec.read_text().split()] == [second]
        assert any("kernel warm-up failed" in m and "no compiler here" in m for m in log), log
    finally:
        client.close()
        cluster.close()
    client, cluster = open_client(workers=1)
    try:
        s = run_tasks(_tasks(2), ResultStore(tmp_path / "b.db"), client, fn=toy_task,
                      warmups=[functools.partial(_record_warmup, str(tmp_path / "one.txt"))])
        assert s["written"] == 2 and not (tmp_path / "one.txt").exists()
    finally:
        client.close()
        cluster.close()


def test_unreachable_scheduler_fails_loudly(tmp_path):
    port = _free_port()
    t0 = time.time()
    with pytest.raises(SchedulerUnreachable, match=rf"^scheduler: cannot reach tcp://127.0.0.1:{port} .*no local"):
        open_client(scheduler=f"tcp://127.0.0.1:{port}", timeout_s=2)
    assert time.time() - t0 < 30
    with pytest.raises(SchedulerUnreachable, match="does not exist"):
        open_client(scheduler_file=str(tmp_path / "nope.json"))
    with pytest.raises(ValueError, match=r"workers: 0 is outside \[1, 256\]"):
        open_client(workers=0)


@pytest.fixture
def scheduler_pair(tmp_path):
    """A real `dask scheduler` and `dask worker` (with nanny) on loopback, started here."""
    sched_file = tmp_path / "scheduler.json"
    # like any cluster, scheduler and worker need the client's environment: here, this test module
    env = {**os.environ, "NUMBA_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")]))}
    procs = [subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(sched_file)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        for _ in range(300):
            if sched_file.is_file() and sched_file.stat().st_size > 0:
                break
            time.sleep(0.1)
        else:
            pytest.fail("dask scheduler did not start")
        procs.append(subprocess.Popen(["dask", "worker", "--scheduler-file", str(sched_file), "--nthreads", "1",
                                       "--no-dashboard", "--local-directory", str(tmp_path / "w")], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        yield sched_file
    finally:
        for p in reversed(procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in reversed(procs):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)


def test_real_scheduler_worker_pair_with_crash_and_retry(tmp_path, scheduler_pair):
    address = json.loads(scheduler_pair.read_text())["address"]
    client, cluster = open_client(scheduler=address)
    assert cluster is None
    try:
        client.wait_for_workers(1, timeout=60)
        tasks = _tasks(4)
        tasks[1].update(fail="crash", flag=str(tmp_path / "crash.flag"))   # worker killed on first try
        tasks[2].update(fail="raise", flag=str(tmp_path / "raise.flag"))   # exception on first try
        store = ResultStore(tmp_path / "pair.db")
        s = run_tasks(tasks, store, client, fn=toy_task, retries=2)
        assert s["written"] == 4 and not s["failed"]
        assert (tmp_path / "crash.flag").exists() and (tmp_path / "raise.flag").exists()
        _check_rows(store, 4)
    finally:
        client.close()
    client, _ = open_client(scheduler_file=str(scheduler_pair))  # the same cluster through its scheduler file
    try:
        s = run_tasks(_tasks(5), ResultStore(tmp_path / "pair.db"), client, fn=toy_task)
        assert (s["written"], s["skipped"]) == (1, 4)
    finally:
        client.close()


DRIVER = textwrap.dedent("""
    import sys, time
    import numpy as np
    from ase import Atoms
    from atomspin.batch import ResultStore, open_client, run_tasks

    def toy(task):
        time.sleep(task["sleep"])
        x = np.random.default_rng(task["seed"]).random(3)
        return {"hash": task["hash"], "kvp": {"seed": task["seed"], "variant": "toy", "s_x0": float(x[0])},
                "data": {}, "atoms": Atoms("Fe"), "recipe": {}, "elapsed_s": 0.0}

    if __name__ == "__main__":
        db, n, sleep = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
        tasks = [{"hash": f"t{i:015d}", "seed": 100 + i, "variant": "toy", "sleep": sleep} for i in range(n)]
        client, cluster = open_client(workers=2)
        print("started", flush=True)
        run_tasks(tasks, ResultStore(db), client, fn=toy)
        client.close(); cluster.close()
""")


def test_kill_driver_mid_sweep_then_resume(tmp_path):
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    db = tmp_path / "kill.db"
    n = 12
    p = subprocess.Popen([sys.executable, str(script), str(db), str(n), "0.4"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 45
        while time.time() < deadline:
            if db.is_file() and ResultStore(db).count() >= 3:
                break
            if p.poll() is not None:
                pytest.fail("driver ended before it could be killed")
            time.sleep(0.05)
        else:
            pytest.fail("no rows appeared")
        os.kill(p.pid, signal.SIGKILL)  # kill -9 of the driver mid-sweep
        p.wait(10)
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)  # its LocalCluster workers, started in its own session
        except ProcessLookupError:
            pass
    store = ResultStore(db)
    partial = store.count()
    assert 3 <= partial < n
    assert len(store.done_hashes()) == partial  # no duplicate, no half row
    # rerun (this process is the new driver): a worker is also killed -9 by one of the tasks
    tasks = [{"hash": f"t{i:015d}", "seed": 100 + i, "variant": "toy", "sleep": 0.0} for i in range(n)]
    missing = [t for t in tasks if t["hash"] not in store.done_hashes()]
    missing[0].update(fail="crash", flag=str(tmp_path / "crash.flag"))
    client, cluster = open_client(workers=2)
    try:
        s = run_tasks(tasks, store, client, fn=toy_task)
    finally:
        client.close()
        cluster.close()
    assert (s["written"], s["skipped"], s["failed"]) == (n - partial, partial, [])
    assert (tmp_path / "crash.flag").exists()
    _check_rows(store, n)
