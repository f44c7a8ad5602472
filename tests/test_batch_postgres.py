"""ResultStore on a real PostgreSQL server (issue #6: "a postgresql:// URL works with the [postgres] extra").

The server is a throwaway one started here from the PostgreSQL binaries that the PyPI package ``pgserver``
ships (in the ``[test]`` extra; Debian's ``/usr/lib/postgresql/*/bin`` is the fallback), listening on
127.0.0.1 only, data in a temporary folder, fsync off. PostgreSQL refuses to run as root; as root the binaries
are hard-linked into a world-readable temporary folder (site-packages may sit under a 0700 /root) and the
server runs as the system user ``nobody``. The tests skip, with the reason, only when no binaries or driver
can be found or the server cannot start; ``ATOMSPIN_REQUIRE_POSTGRES=1`` turns that skip into a failure.
"""
import subprocess
import sys

import numpy as np
import pytest

from atomspin.batch import ResultStore, run_tasks
from atomspin.batch import store as store_mod
from atomspin.batch.tasks import available_steps

from _batch_helpers import TINY, run_cli, toy_task, toy_tasks
from _pgserver import pg_server, pg_url, sql as _sql  # noqa: F401 - fixtures

# --- no server needed -------------------------------------------------------------------------------------
def test_bad_postgres_urls_one_line():
    pytest.importorskip("ase_db_backends.postgresql", reason="ase-db-backends (atomspin[postgres]) is not installed")
    cases = {
        "postgresql://nobody@127.0.0.1:1/none": "OperationalError: connection to server at",  # refused
        "postgresql://[bad": "[bad",                                                           # malformed
        "http://127.0.0.1:1/x": "a URL must start with postgresql://",
        "postgresql://user:s3cret@127.0.0.1:1/db": "user:***@127.0.0.1:1/db",                 # masked
    }
    for url, part in cases.items():
        with pytest.raises(ValueError) as info:
            ResultStore(url)
        msg = str(info.value)
        assert "\n" not in msg and msg.startswith("db: cannot open '") and part in msg, msg
        assert "s3cret" not in msg
        if "[bad" not in url:
            assert store_mod._redact(url) in msg


def test_missing_backend_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ase_db_backends.postgresql", None)  # import fails as if not installed
    with pytest.raises(ValueError, match=r"^db: cannot open 'postgresql://x@127.0.0.1:1/d': the postgresql "
                                         r"backend needs .*pip install 'atomspin\[postgres\]'$"):
        ResultStore("postgresql://x@127.0.0.1:1/d")


def test_redact():
    assert store_mod._redact("postgresql://u:p@h:5/d?x=1") == "postgresql://u:***@h:5/d?x=1"
    assert store_mod._redact("postgresql://u@h/d") == "postgresql://u@h/d"
    assert store_mod._redact("results/r.db") == "results/r.db"


# --- on a real server -------------------------------------------------------------------------------------
@pytest.mark.postgres
def test_rows_round_trip(pg_url):
    st = ResultStore(pg_url)
    assert st.count() == 0 and st.done_hashes() == set()
    res = toy_task(toy_tasks(1)[0])
    res["kvp"].update(plane="110", label="(110)", flag=np.bool_(True), n=np.int64(7), energy=1.5)
    res["data"]["counts"] = np.arange(4, dtype=np.int64)
    res["data"]["with_nan"] = np.array([1.0, np.nan, np.inf, -2.5])
    res["elapsed_s"] = 1.25
    rid = st.write(res)
    assert rid > 0 and st.write(res) == 0  # second write of the same hash is refused
    assert _sql(pg_url, "select count(*) from systems") == [(1,)]  # independent of ase.db
    again = ResultStore(pg_url)  # a new connection sees the row
    assert again.count() == 1 and again.done_hashes() == {"h000000000000000"}
    row = again.rows()[0]
    x = np.random.default_rng(0).random(5)
    assert row.id == rid and row.s_x0 == x[0] and row.loop_Bc_T == x[1]  # float64 exact
    assert (row.seed, row.variant, row.plane, row.label, row.flag, row.n, row.x_energy, row.walltime_s) == \
        (0, "toy", 110, "(110)", True, 7, 1.5, 1.25)
    arr = again.arrays(row)
    np.testing.assert_array_equal(arr["loop"]["m"], x)
    np.testing.assert_array_equal(arr["loop"]["fields_T"], [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_array_equal(arr["counts"], [0, 1, 2, 3])
    assert arr["counts"].dtype.kind == "i"
    np.testing.assert_array_equal(arr["with_nan"], [1.0, np.nan, np.inf, -2.5])
    assert isinstance(arr["with_nan"], np.ndarray)
    assert row.data["recipe_json"] == '{"seed": 0}'
    atoms = row.toatoms()
    assert atoms.get_chemical_formula() == "Fe2O"
    np.testing.assert_array_equal(atoms.positions, [[0, 0, 0], [2.0, 0, 0], [1.0, 1.0, 0]])
    assert [r.id for r in again.rows(variant="toy")] == [rid] and again.rows(seed=3) == []


@pytest.mark.postgres
def test_resume_skips_finishedtoy_tasks(pg_url):
    st = ResultStore(pg_url)
    s1 = run_tasks(toy_tasks(3), st, fn=toy_task)
    assert (s1["written"], s1["skipped"]) == (3, 0)
    s2 = run_tasks(toy_tasks(5), ResultStore(pg_url), fn=toy_task)  # a rerun opens the store anew
    assert (s2["written"], s2["skipped"]) == (2, 3)
    assert sorted(r.seed for r in st.rows()) == [0, 1, 2, 3, 4]
    hashes = _sql(pg_url, "select key_value_pairs->>'task_hash' from systems order by id")
    # one row per task, in order; stored as "h" + hash (a bare hex hash may read as a number: issue #10 item 0)
    assert [h for (h,) in hashes] == ["h" + t["hash"] for t in toy_tasks(5)]


@pytest.mark.postgres
def test_concurrent_openers_of_a_new_database(pg_server):
    """Several processes (here threads) opening a fresh database at once: ase creates the schema in each; the
    losers' CREATE fails (DuplicateTable, or a unique violation in pg_class) and must reconnect, not fail."""
    import threading
    errors = []
    for i in range(3):
        url = pg_server.create_database(f"race_{i}")

        def open_store():
            try:
                ResultStore(url).count()
            except Exception as err:  # noqa: BLE001 - collected and shown below
                errors.append(f"{type(err).__name__}: {err}")
        threads = [threading.Thread(target=open_store) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert _sql(url, "select name from information") == [("version",)]  # one schema
    assert errors == []


@pytest.mark.postgres
def test_large_arrays_go_to_absolute_npz(pg_url, tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "NPZ_THRESHOLD_BYTES", 10)
    monkeypatch.chdir(tmp_path)
    st = ResultStore(pg_url)
    st.write(toy_task(toy_tasks(1)[0]))
    name = pg_url.rsplit("/", 1)[-1]
    row = st.rows()[0]
    assert row.npz_file == str(tmp_path / f"{name}_npz" / "h000000000000000.npz")
    monkeypatch.chdir("/")  # a report run from elsewhere still finds the arrays
    np.testing.assert_array_equal(ResultStore(pg_url).arrays(row)["loop"]["m"],
                                  np.random.default_rng(0).random(5))


@pytest.mark.postgres
def test_ase_db_cli_lists_rows(pg_url):
    run_tasks(toy_tasks(3), ResultStore(pg_url), fn=toy_task)
    proc = subprocess.run([sys.executable, "-m", "ase", "db", pg_url, "seed>0", "-c", "id,seed,s_x0"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Rows: 2" in proc.stdout and " 2|   1|0.512" in proc.stdout  # rng(1).random() = 0.5118…


@pytest.mark.postgres
@pytest.mark.distributed
@pytest.mark.skipif("structure" not in available_steps(), reason="atomspin.structures not available")
def test_cli_run_sweep_report_on_postgres(pg_url, tmp_path):
    """`atomspin run` into PostgreSQL gives the same rows as into SQLite; `sweep` resumes (0 to run)."""
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    rc, out, err = run_cli("run", p, "--db", pg_url, "--no-report", "--no-progress")
    assert rc == 0, err
    assert "4 written" in out
    rc, out, err = run_cli("sweep", p, "--db", pg_url, "--workers", "1", "--no-progress")
    assert rc == 0, err
    assert "4 tasks, 0 to run" in out and "0 written, 4 already done, 0 failed" in out
    rc, _, err = run_cli("run", p, "--db", tmp_path / "ref.db", "--no-report", "--no-progress")
    assert rc == 0, err
    rows = ResultStore(pg_url).rows()
    ref = {r.task_hash: r for r in ResultStore(tmp_path / "ref.db").rows()}
    assert len(rows) == 4 and {r.task_hash for r in rows} == set(ref)
    for r in rows:
        a = {k: v for k, v in r.key_value_pairs.items() if k != "walltime_s"}
        b = {k: v for k, v in ref[r.task_hash].key_value_pairs.items() if k != "walltime_s"}
        assert a == b
        np.testing.assert_array_equal(r.positions, ref[r.task_hash].positions)
        np.testing.assert_array_equal(r.numbers, ref[r.task_hash].numbers)
    rc, out, err = run_cli("report", pg_url, "-o", tmp_path / "rep")
    assert rc == 0, err
    assert (tmp_path / "rep" / "summary.csv").read_text().count("\n") == 5
