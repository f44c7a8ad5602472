"""Issue #10: the batch store and CLI under concurrency, faults and hostile input (items 0-8 and 10; item 9 is
tests/test_api_fuzz.py). Concurrency and kill tests run on both store back-ends (`store_url`: SQLite and the
throwaway PostgreSQL server of tests/_pgserver.py)."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from atomspin.batch import ResultStore, run_tasks
from atomspin.batch import store as store_mod
from atomspin.batch.tasks import available_steps, task_hash

from _batch_helpers import (CLI_WITH_TOY, TINY, many_seeds, py_env, run_cli, start_scheduler, stop_processes,
                            toy_task, toy_tasks, unprivileged)
from _pgserver import pg_server, pg_url, sql, store_url  # noqa: F401 - fixtures

needs_structures = pytest.mark.skipif("structure" not in available_steps(),
                                      reason="atomspin.structures not available")


def one_line_error(err):
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("atomspin: error: ") and "Traceback" not in err
    return lines[0][len("atomspin: error: "):]


def _cli(*args, timeout=120, env=None, cwd=None, toy_sleep=None):
    """`atomspin ARGS` in a child process (the CLI with the toy task when ``toy_sleep`` is given)."""
    if toy_sleep is None:
        cmd = [sys.executable, "-m", "atomspin.cli", *map(str, args)]
        e = py_env(**(env or {}))
    else:
        cmd = [sys.executable, "-c", CLI_WITH_TOY, *map(str, args)]
        e = py_env(ATOMSPIN_TOY_SLEEP=str(toy_sleep), **(env or {}))
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e, cwd=cwd)


def _hashes(store):
    return sorted(store.task_hash(r) for r in store.rows())


def _raw_count(url):
    """Rows in a store, read with the driver library alone (cheap enough to poll); -1 before it exists."""
    try:
        if "://" in url:
            return sql(url, "SELECT COUNT(*) FROM systems")[0][0]
        con = sqlite3.connect(f"file:{url}?mode=ro", uri=True)
        try:
            return con.execute("SELECT COUNT(*) FROM systems").fetchone()[0]
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - not created yet
        return -1


# --- item 0: every task can be stored ---------------------------------------------------------------------
def test_hash_that_reads_as_a_number_is_stored(store_url):
    st = ResultStore(store_url)
    res = toy_task({"hash": "044060296e186657", "seed": 3, "variant": "toy"})  # the hash of issue #10
    res["kvp"].update(label="1e5", flag="True", plane="110")  # strings ase.db would read as number / bool
    assert st.write(res) > 0
    assert st.done_hashes() == {"044060296e186657"} and st.write(res) == 0
    row = st.rows()[0]
    assert row.task_hash == "h044060296e186657" and row.unique_id == "h044060296e186657"
    assert (row.label, row.flag, row.plane) == (100000.0, True, 110)
    assert [r.id for r in st.db.select(task_hash="h044060296e186657")] == [row.id]  # ase db selection


@needs_structures
def test_sweep_with_a_numeric_looking_hash_completes(tmp_path):
    """A recipe whose task hash reads as a number (about 1 in 1000 do): `run` stores it and a rerun has
    nothing left to do (before: refused on every run, the sweep could never complete)."""
    from atomspin.batch.schema import resolve
    from atomspin.batch import expand
    base = resolve({"structure": {"diameter_nm": 2.5}, "protocol": {"steps": ["structure"]}})
    seed = next(s for s in range(1, 200_000) if _reads_as_number(task_hash(base, s)))
    p = tmp_path / "r.toml"
    p.write_text(TINY.split("[sweep]")[0] + f"[sweep]\nseeds = [{seed}, 1]\n")
    h = [t["hash"] for t in expand(_load(p))]
    assert _reads_as_number(h[0])
    rc, out, err = run_cli("run", p, "--db", tmp_path / "r.db", "--no-report", "--no-progress")
    assert rc == 0 and "2 written, 0 already done, 0 failed" in out, err
    rc, out, _ = run_cli("run", p, "--db", tmp_path / "r.db", "--no-report", "--no-progress")
    assert rc == 0 and "0 written, 2 already done" in out
    assert _hashes(ResultStore(tmp_path / "r.db")) == sorted(h)


def _reads_as_number(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _load(p):
    from atomspin.batch import load_recipe
    return load_recipe(p)


# --- item 1: concurrent drivers never duplicate --------------------------------------------------------------
DRIVER = """
import json, sys, time
from pathlib import Path
import numpy as np
from ase import Atoms
from atomspin.batch import ResultStore, run_tasks

def toy(task):
    time.sleep(0.05)
    x = np.random.default_rng(task["seed"]).random(3)
    return {"hash": task["hash"], "kvp": {"seed": task["seed"], "s_x0": float(x[0])},
            "data": {"x": {"T_K": np.arange(3.0), "y": x}}, "atoms": Atoms("Fe"), "recipe": {}, "elapsed_s": 0.0}

url, me, other, n = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
store = ResultStore(url)
me.write_text("ready")
while not other.exists():  # both drivers read the (empty) store before either writes
    time.sleep(0.01)
tasks = [{"hash": f"c{i:015d}", "seed": i} for i in range(n)]
s = run_tasks(tasks, store, fn=toy)
print(json.dumps({k: s[k] for k in ("written", "skipped", "concurrent", "kept")} | {"failed": len(s["failed"])}))
"""


def test_two_drivers_at_once_write_each_task_once(store_url, tmp_path):
    n = 10
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    a, b = tmp_path / "a.ready", tmp_path / "b.ready"
    procs = [subprocess.Popen([sys.executable, str(script), store_url, str(x), str(y), str(n)], env=py_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for x, y in ((a, b), (b, a))]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    sums = [json.loads(o[0].strip().splitlines()[-1]) for o in outs]
    st = ResultStore(store_url)
    assert _hashes(st) == [f"c{i:015d}" for i in range(n)]  # each task once
    assert st.count() == n
    assert sum(s["written"] for s in sums) == n  # honest counts: what each driver wrote adds up
    for s in sums:
        assert s["written"] + s["skipped"] + s["concurrent"] + s["kept"] + s["failed"] == n, sums
    if not st.is_file:  # the search tables point at the right rows (ase-db-backends' id lookup is racy)
        bad = sql(store_url, "SELECT COUNT(*) FROM text_key_values t JOIN systems s ON t.id = s.id "
                             "WHERE t.key = 'task_hash' AND t.value <> s.key_value_pairs->>'task_hash'")
        assert bad == [(0,)]
        assert sql(store_url, "SELECT COUNT(*) FROM text_key_values WHERE key = 'task_hash'") == [(n,)]


@pytest.mark.distributed
def test_two_drivers_on_one_scheduler(store_url, tmp_path):
    """Two `atomspin sweep` of one recipe and store through one shared scheduler: 10 rows, counts add up."""
    sched_file, procs = start_scheduler(tmp_path, workers=2)
    try:
        p = tmp_path / "r.toml"
        p.write_text(many_seeds(10))
        args = ["sweep", p, "--db", store_url, "--scheduler-file", sched_file, "--no-progress"]
        cmd = [sys.executable, "-c", CLI_WITH_TOY, *map(str, args)]
        drivers = [subprocess.Popen(cmd, env=py_env(ATOMSPIN_TOY_SLEEP="0.3"), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [d.communicate(timeout=180) for d in drivers]
    finally:
        stop_processes(procs)
    assert all(d.returncode == 0 for d in drivers), [o[1][-1500:] for o in outs]
    st = ResultStore(store_url)
    assert st.count() == 10 and len(set(_hashes(st))) == 10
    written = 0
    for out, _ in outs:
        last = out.strip().splitlines()[-1]
        nums = [int(w) for w in last.replace(",", " ").split() if w.isdigit()]
        written += nums[0]
        assert sum(nums) == 10, last  # written + already done + by the other driver + failed
    assert written == 10


# --- item 2: no secret is printed or written -----------------------------------------------------------------
@pytest.mark.parametrize("url,secret", [
    ("postgresql://me:s3cr/et@db:5432/x", "s3cr/et"),
    ("postgresql://me:s3c#ret@db/x", "s3c#ret"),
    ("postgresql://me:p%40ss%2Fw@db/x", "p%40ss%2Fw"),
    ("postgresql://me:pa@ss@db/x", "pa@ss"),
    ("postgresql://me@db/x?password=hunter22&sslmode=require", "hunter22"),
    ("postgres://me@db/x?sslmode=require&sslpassword=keypass9", "keypass9"),
])
def test_mask_url(url, secret):
    from atomspin.batch.redact import mask_secrets, mask_url
    masked = mask_url(url)
    assert secret not in masked and "***" in masked and masked.startswith(url.split("://")[0] + "://me")
    assert secret not in mask_secrets(f"db: cannot open {url!r} (reason)")


def test_unreachable_url_with_odd_password_is_masked(tmp_path):
    for url in ("postgresql://me:pa/ss#w@127.0.0.1:1/db", "postgresql://me@127.0.0.1:1/db?password=hunter22"):
        rc, out, err = run_cli("sweep", tmp_path / "none.toml", "--db", url)  # the recipe error comes first
        rc, out, err = run_cli("report", url, "-o", tmp_path / "rep")
        assert rc == 2 and "pa/ss#w" not in err + out and "hunter22" not in err + out, err


@pytest.mark.postgres
@needs_structures
def test_password_never_printed_or_written(pg_url, tmp_path):
    """The throwaway server trusts every login: a password in the URL is accepted and ignored."""
    url = pg_url.replace("postgres@", "postgres:Secr3t%2Fpw@") + "?password=Other5ecret"
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    texts = []
    for args in (["run", p, "--db", url, "-o", tmp_path / "rep", "--no-progress"],
                 ["sweep", p, "--db", url, "--workers", "1", "--no-progress"],
                 ["report", url, "-o", tmp_path / "rep2"]):
        rc, out, err = run_cli(*args)
        assert rc == 0, err
        texts.append(out + err)
    texts += [f.read_text(errors="replace") for f in (tmp_path / "rep").iterdir() if f.suffix in (".md", ".csv")]
    texts += [f.read_text(errors="replace") for f in (tmp_path / "rep2").iterdir() if f.suffix in (".md", ".csv")]
    assert any("postgres:***@" in t for t in texts)
    assert not any("Secr3t" in t or "Other5ecret" in t for t in texts)


# --- item 3: no write outside the chosen folder, no read outside the store -----------------------------------
@needs_structures
def test_study_name_cannot_escape_the_working_folder(tmp_path):
    work = tmp_path / "a" / "b" / "c"
    work.mkdir(parents=True)
    p = work / "evil.toml"
    p.write_text(TINY.replace('name = "tiny"', 'name = "../../../outside/pwn"'))
    before = {q for q in tmp_path.rglob("*")}
    proc = _cli("run", p, "--no-progress", cwd=work)
    assert proc.returncode == 0, proc.stderr
    created = {q for q in tmp_path.rglob("*")} - before
    assert created and all(work in q.parents for q in created), sorted(map(str, created))
    assert (work / "results" / "outside_pwn.db").is_file() and (work / "results" / "outside_pwn_report").is_dir()


def test_report_file_names_stay_in_the_report_folder(tmp_path):
    st = ResultStore(tmp_path / "r.db")
    res = toy_task(toy_tasks(1)[0])
    res["data"]["../../../x"] = {"T_K": np.arange(3.0), "y": np.arange(3.0) ** 2}
    st.write(res)
    rep = tmp_path / "a" / "b" / "rep"
    rc, out, err = run_cli("report", tmp_path / "r.db", "-o", rep)
    assert rc == 0, err
    pngs = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.png"))
    assert all(p.parts[:3] == ("a", "b", "rep") for p in pngs) and len(pngs) == 4, pngs  # scalars, loop, x, structures
    assert not (tmp_path / "x.png").exists()


def test_side_file_outside_the_store_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "NPZ_THRESHOLD_BYTES", 10)
    st = ResultStore(tmp_path / "r.db")
    st.write(toy_task(toy_tasks(1)[0]))
    secret = tmp_path / "outside.npz"
    np.savez(secret, leaked=np.arange(3))
    row = st.rows()[0]
    for path in (str(secret), "../outside.npz", "r_npz/../../outside.npz"):
        row.__dict__["npz_file"] = path
        with pytest.raises(ValueError, match=r"^db: row 1: npz_file .*refused$"):
            st.arrays(row)


# --- item 4: fail before the work, not after ---------------------------------------------------------------
@needs_structures
def test_read_only_store_fails_before_any_task(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    db = tmp_path / "ro.db"
    ResultStore(db)
    os.chmod(db, 0o444)
    cmd = unprivileged([sys.executable, "-m", "atomspin.cli", "run", str(p), "--db", str(db), "--no-progress"])
    if cmd is None:
        pytest.skip("running as root without capsh: file permissions cannot be applied")
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=py_env())
    assert proc.returncode == 2, proc.stderr
    msg = one_line_error(proc.stderr)
    assert msg.startswith(f"db: cannot write to '{db}'") and "readonly" in msg
    assert "written" not in proc.stdout and time.time() - t0 < 60


@needs_structures
def test_store_in_an_unwritable_folder_is_one_line(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    folder = tmp_path / "locked"
    folder.mkdir()
    os.chmod(folder, 0o555)
    cmd = unprivileged([sys.executable, "-m", "atomspin.cli", "run", str(p), "--db", str(folder / "r.db"),
                        "--no-progress"])
    if cmd is None:
        pytest.skip("running as root without capsh: file permissions cannot be applied")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=py_env())
    assert proc.returncode == 2, proc.stderr
    assert one_line_error(proc.stderr) == (f"db: cannot create '{folder / 'r.db'}' (Permission denied: {folder}); "
                                           "choose a writable folder")


def _hold_read_lock(db, seconds, ready):
    con = sqlite3.connect(str(db), isolation_level=None)
    con.execute("BEGIN")
    con.execute("SELECT COUNT(*) FROM systems").fetchall()  # a SHARED lock until the transaction ends
    ready.set()
    time.sleep(seconds)
    con.execute("COMMIT")
    con.close()


def test_locked_store_is_waited_for(tmp_path, monkeypatch):
    """A reader holding a lock longer than SQLite's busy timeout: the write is retried with back-off."""
    monkeypatch.setattr(store_mod, "LOCK_TIMEOUT_S", 0.2)
    db = tmp_path / "r.db"
    st = ResultStore(db)
    ready = threading.Event()
    th = threading.Thread(target=_hold_read_lock, args=(db, 2.0, ready))
    th.start()
    ready.wait(10)
    t0 = time.time()
    assert st.write(toy_task(toy_tasks(1)[0])) > 0
    th.join()
    assert time.time() - t0 > 1.0 and st.count() == 1


def test_result_is_kept_when_the_store_stays_locked(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "LOCK_TIMEOUT_S", 0.1)
    monkeypatch.setattr(store_mod, "WRITE_PATIENCE_S", 0.5)
    db = tmp_path / "r.db"
    st = ResultStore(db)
    calls = []

    def fn(task):
        calls.append(task["hash"])
        return toy_task(task)
    ready = threading.Event()
    th = threading.Thread(target=_hold_read_lock, args=(db, 2.5, ready))
    th.start()
    ready.wait(10)
    logged = []
    s = run_tasks(toy_tasks(1), st, fn=fn, log=logged.append)
    th.join()
    assert (s["written"], s["kept"], s["failed"]) == (0, 1, []) and st.count() == 0
    assert "kept in" in logged[0] and st.pending_path.is_file()
    s2 = run_tasks(toy_tasks(2), ResultStore(db), fn=fn)  # the next run stores it first, computes only task 2
    assert (s2["written"], s2["skipped"]) == (1, 1) and calls == ["h000000000000000", "h000000000000001"]
    assert _hashes(st) == ["h000000000000000", "h000000000000001"] and not st.pending_path.exists()
    x = np.random.default_rng(0).random(5)
    assert st.rows()[0].s_x0 == x[0]


# --- item 5: refuse what cannot fit ------------------------------------------------------------------------
def test_largest_dipolar_recipe_validates_quickly(tmp_path):
    """The lattice FFT dipolar sum (~200 B/spin) fits every diameter the schema allows (≤ 30 nm): validate
    accepts the largest dipolar recipe in seconds, without building it; the model's own limit (~91 nm) is
    checked from the recipe by batch.resources.dipolar_limit_problem (tests/test_batch_resources.py)."""
    p = tmp_path / "big.toml"
    p.write_text('[structure]\ndiameter_nm = 30.0\n[model]\ndipolar = true\n')
    t0 = time.time()
    rc, out, err = run_cli("validate", p)
    assert rc == 0, err
    assert "memory: about" in out and time.time() - t0 < 30


def test_memory_compared_with_workers_and_machine(tmp_path):
    p = tmp_path / "m.toml"
    p.write_text('[structure]\ndiameter_nm = 20.0\n[protocol]\nsteps = ["structure", "disorder"]\n')
    rc, out, _ = run_cli("validate", p)
    assert rc == 0 and "memory: about 1.3 GiB per task" in out
    rc, _, err = run_cli("run", p, "--db", tmp_path / "r.db", "--memory", "0.5")
    assert rc == 2 and one_line_error(err) == ("memory: a task (study: 20 nm sphere, dipolar) needs about 1.3 GiB, "
                                               "more than the 512 MiB available; use a smaller structure.diameter_nm "
                                               "or model.dipolar = false")
    rc, _, err = run_cli("sweep", p, "--db", tmp_path / "r.db", "--workers", "8", "--memory", "4")
    assert rc == 2 and one_line_error(err).startswith("memory: 8 workers x 1.3 GiB per task = 10.7 GiB, more than "
                                                      "the 4.0 GiB available; use --workers 2 (or fewer)")
    assert not (tmp_path / "r.db").exists()


def test_deterministic_errors_not_retried(tmp_path):
    calls = []

    def bad(task):
        calls.append(task["hash"])
        raise ValueError("structure.diameter_nm: too big\nsecond line")
    s = run_tasks(toy_tasks(2), ResultStore(tmp_path / "r.db"), fn=bad, retries=3)
    assert len(calls) == 2  # once each, not 4 times
    assert [m for _, m in s["failed"]] == ["ValueError: structure.diameter_nm: too big"] * 2


@pytest.mark.distributed
def test_deterministic_errors_not_retried_on_dask(tmp_path):
    from atomspin.batch import open_client
    client, cluster = open_client(workers=1)
    try:
        flag = tmp_path / "calls"
        tasks = [{"hash": "d000000000000000", "seed": 1, "flag": str(flag)}]
        s = run_tasks(tasks, ResultStore(tmp_path / "r.db"), client, fn=_count_and_raise, retries=3)
    finally:
        client.close()
        cluster.close()
    assert flag.read_text() == "x" and s["failed"][0][1] == "MemoryError: 16.7 GiB"


def _count_and_raise(task):
    with open(task["flag"], "a") as fh:
        fh.write("x")
    raise MemoryError("16.7 GiB")


# --- item 6: scheduler trouble is reported, not dumped --------------------------------------------------------
@pytest.mark.distributed
def test_scheduler_without_workers_times_out_with_a_message(tmp_path):
    sched_file, procs = start_scheduler(tmp_path, workers=0)
    try:
        p = tmp_path / "r.toml"
        p.write_text(many_seeds(2))
        t0 = time.time()
        proc = _cli("sweep", p, "--db", tmp_path / "r.db", "--scheduler-file", sched_file, "--worker-timeout", "2",
                    "--no-progress", timeout=90)
    finally:
        stop_processes(procs)
    assert proc.returncode == 2, proc.stderr
    assert one_line_error(proc.stderr).startswith("scheduler: no worker connected to tcp://127.0.0.1:")
    assert time.time() - t0 < 60


@pytest.mark.distributed
def test_lost_scheduler_is_one_line_and_resumable(store_url, tmp_path):
    sched_file, procs = start_scheduler(tmp_path, workers=1)
    p = tmp_path / "r.toml"
    p.write_text(many_seeds(16))
    args = ["sweep", p, "--db", store_url, "--scheduler-file", sched_file, "--no-progress"]
    driver = subprocess.Popen([sys.executable, "-c", CLI_WITH_TOY, *map(str, args)],
                              env=py_env(ATOMSPIN_TOY_SLEEP="0.5"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline and driver.poll() is None and _raw_count(store_url) < 2:
            time.sleep(0.05)
        if driver.poll() is not None:
            pytest.fail(f"the driver ended before the scheduler could be killed: {driver.communicate()}")
        os.killpg(procs[0].pid, signal.SIGKILL)  # the scheduler dies mid-sweep
        out, err = driver.communicate(timeout=120)
    finally:
        if driver.poll() is None:
            driver.kill()
        stop_processes(procs)
    assert driver.returncode == 1, (out, err)
    assert one_line_error(err).startswith("scheduler: lost the connection to tcp://127.0.0.1:")
    st = ResultStore(store_url)
    partial = st.count()
    assert 2 <= partial < 16 and len(set(_hashes(st))) == partial
    proc = _cli("sweep", p, "--db", store_url, "--workers", "1", "--no-progress", toy_sleep=0)
    assert proc.returncode == 0 and f"{16 - partial} written, {partial} already done" in proc.stdout, proc.stderr
    assert len(set(_hashes(ResultStore(store_url)))) == 16


# --- kill -9 of the driver on both back-ends ---------------------------------------------------------------
def test_kill_driver_mid_sweep_then_resume(store_url, tmp_path):
    p = tmp_path / "r.toml"
    p.write_text(many_seeds(12))
    driver = subprocess.Popen([sys.executable, "-c", CLI_WITH_TOY, "run", str(p), "--db", store_url,
                               "--no-report", "--no-progress"], env=py_env(ATOMSPIN_TOY_SLEEP="0.2"),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and _raw_count(store_url) < 3:
            if driver.poll() is not None:
                pytest.fail("driver ended before it could be killed")
            time.sleep(0.02)
        driver.kill()  # kill -9
        driver.wait(10)
    finally:
        if driver.poll() is None:
            driver.kill()
    st = ResultStore(store_url)
    partial = st.count()
    assert 3 <= partial < 12 and len(set(_hashes(st))) == partial  # no duplicate, no half row
    assert all(st.check(r) is None for r in st.rows(verify=False))
    proc = _cli("run", p, "--db", store_url, "--no-report", "--no-progress", toy_sleep=0)
    assert proc.returncode == 0 and f"{12 - partial} written, {partial} already done" in proc.stdout, proc.stderr
    assert st.count() == 12 and len(set(_hashes(st))) == 12


# --- item 7: corruption is detected -------------------------------------------------------------------------
def _flip(path, needle: bytes, offset=0):
    data = bytearray(path.read_bytes())
    i = data.find(needle)
    assert i >= 0 and data.find(needle, i + 1) < 0
    data[i + offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_bit_flips_are_detected_named_and_recomputed(tmp_path):
    db = tmp_path / "r.db"
    st = ResultStore(db)
    run_tasks(toy_tasks(3), st, fn=toy_task)
    x1 = np.random.default_rng(1).random(5)
    _flip(db, repr(float(x1[0])).encode(), offset=5)  # one digit of s_x0 of row 2 in the page
    x2 = np.random.default_rng(2).random(5)
    _flip(db, x2.tobytes(), offset=3)  # one bit of the array data["loop"]["m"] of row 3
    again = ResultStore(db)
    assert again.done_hashes() == {"h000000000000000"}
    assert sorted(again.corrupted) == [2, 3] and {why for _, why in again.corrupted.values()} == {"checksum mismatch"}
    rc, out, err = run_cli("report", db, "-o", tmp_path / "rep")
    assert rc == 1 and "1 rows from" in (tmp_path / "rep" / "summary.md").read_text()
    assert err.count("is corrupted (checksum mismatch); left out of the report") == 2 and "row 2 (task h0000" in err
    logged = []
    s = run_tasks(toy_tasks(3), again, fn=toy_task, log=logged.append)
    assert (s["written"], s["skipped"], len(s["corrupted"])) == (2, 1, 2)
    assert logged[0].startswith("db: row 2 (task h000000000000001) is corrupted (checksum mismatch)")
    fresh = ResultStore(db)
    assert fresh.done_hashes() == {f"h{i:015d}" for i in range(3)} and fresh.corrupted == {} and fresh.count() == 3
    np.testing.assert_array_equal(fresh.arrays(fresh.rows(seed=2)[0])["loop"]["m"], x2)


@pytest.mark.postgres
def test_changed_values_detected_on_postgres(pg_url):
    st = ResultStore(pg_url)
    run_tasks(toy_tasks(2), st, fn=toy_task)
    sql(pg_url, "UPDATE systems SET key_value_pairs = jsonb_set(key_value_pairs, '{s_x0}', '0.5') WHERE id = 2")
    again = ResultStore(pg_url)
    assert again.done_hashes() == {"h000000000000000"} and list(again.corrupted) == [2]
    s = run_tasks(toy_tasks(2), again, fn=toy_task)
    assert (s["written"], s["skipped"]) == (1, 1) and ResultStore(pg_url).count() == 2


def test_changed_side_file_detected(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "NPZ_THRESHOLD_BYTES", 10)
    st = ResultStore(tmp_path / "r.db")
    st.write(toy_task(toy_tasks(1)[0]))
    row = st.rows()[0]
    np.savez(tmp_path / row.npz_file, **{"loop/fields_T": np.zeros(5), "loop/m": np.zeros(5)})
    assert ResultStore(tmp_path / "r.db").done_hashes() == set()
    (tmp_path / row.npz_file).unlink()
    again = ResultStore(tmp_path / "r.db")
    assert again.done_hashes() == set() and "No such file" in again.corrupted[1][1]


# --- item 8: escape what is rendered -----------------------------------------------------------------------
@needs_structures
def test_markdown_and_csv_escaped(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text(TINY.replace('name = "tiny"', 'name = "<img src=x onerror=alert(1)> `x` [l](javascript:a)"')
                 .replace('name = "clean"', 'name = "=HYPERLINK(\\"http://evil\\")"')
                 .replace('name = "vac"', 'name = "$\\\\frac{"'))
    rc, out, err = run_cli("run", p, "--db", tmp_path / "r.db", "-o", tmp_path / "rep", "--no-progress")
    assert rc == 0, err
    md = (tmp_path / "rep" / "summary.md").read_text()
    assert "<img" not in md and "&lt;img src=x onerror=alert\\(1\\)&gt;" in md and "](javascript" not in md
    cells = [c for line in (tmp_path / "rep" / "summary.csv").read_text().splitlines() for c in line.split(",")]
    assert not any(c.lstrip('"').startswith(("=", "+", "@")) for c in cells)
    assert any(c.lstrip('"').startswith("'=HYPERLINK") for c in cells)
    pngs = sorted((tmp_path / "rep").glob("*.png"))  # structure-only study: the structures figure, with the names
    assert pngs and all(f.stat().st_size > 1000 for f in pngs)  # "$\frac{" did not break mathtext


# --- item 10: the smaller ones -----------------------------------------------------------------------------
def test_foreign_sqlite_file_refused_untouched(tmp_path):
    f = tmp_path / "places.sqlite"
    con = sqlite3.connect(f)
    con.execute("CREATE TABLE moz_places (id INTEGER, url TEXT)")
    con.commit()
    con.close()
    before = f.read_bytes()
    with pytest.raises(ValueError, match=r"^db: '.*places.sqlite' holds tables of another program \(moz_places\)"):
        ResultStore(f)
    other = tmp_path / "dft.db"
    import ase.db
    from ase import Atoms
    ase.db.connect(str(other)).write(Atoms("H2"), energy_note=1.0)
    with pytest.raises(ValueError, match=r"is an ase.db database of another program \(1 rows without task_hash\)"):
        ResultStore(other)
    notdb = tmp_path / "notes.txt"
    notdb.write_text("hello")
    with pytest.raises(ValueError, match=r"is not an SQLite database"):
        ResultStore(notdb)
    assert f.read_bytes() == before and notdb.read_text() == "hello"


def test_report_on_a_folder_says_so(tmp_path):
    rc, _, err = run_cli("report", tmp_path, "-o", tmp_path / "rep")
    assert rc == 2 and one_line_error(err) == f"db: '{tmp_path}' is a folder, not a database file"


@needs_structures
def test_garbage_scheduler_file_one_line(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    bad = tmp_path / "sched.json"
    for text in ("garbage{", '{"type": "Scheduler"}', "[1, 2]"):
        bad.write_text(text)
        proc = _cli("sweep", p, "--db", tmp_path / "r.db", "--scheduler-file", bad, "--no-progress")
        assert proc.returncode == 2
        assert one_line_error(proc.stderr).startswith(f"scheduler-file: {bad} is not a Dask scheduler file")
    assert not (tmp_path / "r.db").exists()


@needs_structures
def test_unreachable_scheduler_creates_no_database(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    rc, _, err = run_cli("sweep", p, "--db", tmp_path / "new" / "r.db", "--scheduler", "tcp://127.0.0.1:1",
                         "--connect-timeout", "1")
    assert rc == 2 and "cannot reach" in one_line_error(err)
    assert not (tmp_path / "new").exists()


@needs_structures
def test_nothing_to_do_starts_no_cluster(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    rc, _, err = run_cli("run", p, "--db", tmp_path / "r.db", "--no-report", "--no-progress")
    assert rc == 0, err
    # an unreachable scheduler is never contacted when every task is done
    rc, out, err = run_cli("sweep", p, "--db", tmp_path / "r.db", "--scheduler", "tcp://127.0.0.1:1")
    assert rc == 0 and "4 tasks, 0 to run" in out and "0 written, 4 already done, 0 failed" in out, err


@pytest.mark.distributed
def test_second_local_cluster_prints_no_port_notice(tmp_path, capfd, recwarn):
    import socket
    from atomspin.batch import open_client
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", 8787))  # the default dashboard port, as a running sweep would hold it
        holder.listen()
    except OSError:
        pass  # already held by something else: just as good
    try:
        client, cluster = open_client(workers=1)  # as a second sweep on this machine would
        client.close()
        cluster.close()
    finally:
        holder.close()
    captured = capfd.readouterr()
    assert "Port 8787" not in captured.err + captured.out
    assert not [w for w in recwarn.list if "already in use" in str(w.message)]
