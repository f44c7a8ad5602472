"""ResultStore (ase.db) and the serial runner: one row per task, resumable, npz side files."""
import subprocess
import sys

import numpy as np
import pytest

from atomspin.batch import ResultStore, run_tasks
from atomspin.batch.report import format_table, make_report
from atomspin.batch import store as store_mod

from _batch_helpers import toy_task, toy_tasks


def test_write_read_and_no_duplicates(tmp_path):
    st = ResultStore(tmp_path / "sub" / "r.db")
    res = toy_task(toy_tasks(1)[0])
    rid = st.write(res)
    assert rid > 0 and st.write(res) == 0  # second write of the same hash is refused
    assert st.count() == 1 and st.done_hashes() == {"h000000000000000"}
    row = st.rows()[0]
    assert row.s_x0 == np.random.default_rng(0).random(5)[0]
    np.testing.assert_array_equal(st.arrays(row)["loop"]["m"], np.random.default_rng(0).random(5))
    assert row.toatoms().get_chemical_formula() == "Fe2O"
    assert row.data["recipe_json"] == '{"seed": 0}'


def test_reserved_keys_renamed(tmp_path):
    st = ResultStore(tmp_path / "r.db")
    res = toy_task(toy_tasks(1)[0])
    res["kvp"]["energy"] = 1.0  # reserved by ase.db
    st.write(res)
    assert st.rows()[0].x_energy == 1.0


def test_numeric_strings_stored_as_numbers(tmp_path):
    st = ResultStore(tmp_path / "r.db")
    res = toy_task(toy_tasks(1)[0])
    res["kvp"].update(plane="110", zero="0", label="(110)")
    st.write(res)
    row = st.rows()[0]
    assert (row.plane, row.zero, row.label) == (110, 0, "(110)")


def test_write_failure_does_not_stop_sweep(tmp_path):
    def bad_kvp(task):
        res = toy_task(task)
        if task["seed"] == 1:
            res["kvp"]["bad key"] = object()  # not storable
        return res
    st = ResultStore(tmp_path / "r.db")
    s = run_tasks(toy_tasks(3), st, fn=bad_kvp)
    assert s["written"] == 2 and [h for h, _ in s["failed"]] == ["h000000000000001"]
    assert s["failed"][0][1].startswith("store: ")


def test_large_arrays_go_to_npz(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "NPZ_THRESHOLD_BYTES", 10)
    st = ResultStore(tmp_path / "r.db")
    st.write(toy_task(toy_tasks(1)[0]))
    row = st.rows()[0]
    assert row.npz_file == "r_npz/h000000000000000.npz"
    assert (tmp_path / row.npz_file).is_file()
    np.testing.assert_array_equal(st.arrays(row)["loop"]["m"], np.random.default_rng(0).random(5))


def test_serial_run_resumes_and_retries(tmp_path):
    st = ResultStore(tmp_path / "r.db")
    s1 = run_tasks(toy_tasks(3), st, fn=toy_task)
    assert (s1["written"], s1["skipped"]) == (3, 0)
    s2 = run_tasks(toy_tasks(5), st, fn=toy_task)
    assert (s2["written"], s2["skipped"]) == (2, 3)
    assert sorted(r.seed for r in st.rows()) == [0, 1, 2, 3, 4]
    calls = {"n": 0}

    def flaky(task):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("transient")
        return toy_task(task)
    s3 = run_tasks(toy_tasks(6), st, fn=flaky, retries=1)
    assert s3["written"] == 1 and not s3["failed"] and calls["n"] == 2

    def broken(task):
        raise RuntimeError("always\nsecond line")
    logged = []
    s4 = run_tasks(toy_tasks(7), st, fn=broken, retries=2, log=logged.append)
    assert s4["failed"] == [("h000000000000006", "RuntimeError: always")] and len(logged) == 1
    assert st.count() == 6


def test_retries_validated(tmp_path):
    with pytest.raises(ValueError, match=r"retries: -1 is outside \[0, 100\]"):
        run_tasks([], ResultStore(tmp_path / "r.db"), retries=-1)


def test_bad_db_url_one_line(tmp_path):
    with pytest.raises(ValueError, match=r"^db: cannot open"):
        ResultStore("postgresql://nobody@127.0.0.1:1/none")


def test_ase_db_cli_reads_store(tmp_path):
    st = ResultStore(tmp_path / "r.db")
    run_tasks(toy_tasks(3), st, fn=toy_task)
    out = subprocess.run([sys.executable, "-m", "ase", "db", str(tmp_path / "r.db"), "seed>0",
                          "-c", "id,seed,s_x0"], capture_output=True, text=True, check=True).stdout
    assert "Rows: 2" in out and " 2|   1|0.512" in out  # rng(1).random() = 0.5118…


def test_report_files(tmp_path):
    st = ResultStore(tmp_path / "r.db")
    run_tasks(toy_tasks(3), st, fn=toy_task)
    rep = make_report(st, tmp_path / "rep")
    names = {p.split("/")[-1] for p in rep["files"]}
    assert {"summary.csv", "summary.md", "scalars.png", "loop.png", "structures.png"} <= names
    lines = (tmp_path / "rep" / "summary.csv").read_text().splitlines()
    assert len(lines) == 4
    table = format_table(rep["rows"])
    assert "s_x0" in table and len(table.splitlines()) == 5
    assert format_table([]) == "(no rows)"


@pytest.mark.timeout(60)
def test_stale_lock_file_of_a_killed_driver_does_not_block(tmp_path):
    """A driver killed with -9 while writing leaves ASE's `<db>.lock` file behind; resuming must not wait on it
    (the store relies on SQLite transactions, not on ASE's lock file)."""
    db = tmp_path / "r.db"
    st = ResultStore(db)
    st.write(toy_task(toy_tasks(1)[0]))
    (tmp_path / "r.db.lock").write_text("")  # what ase.utils.Lock leaves when its holder dies
    again = ResultStore(db)
    assert again.write(toy_task(toy_tasks(2)[1])) > 0
    assert again.count() == 2


@pytest.mark.timeout(120)
def test_driver_killed_while_creating_the_database_leaves_no_half_made_file(tmp_path):
    """kill -9 in the middle of ASE's schema creation (after the tables, before the indices): the store file must
    not exist half-made; a rerun creates it and writes."""
    db = tmp_path / "new.db"
    script = (
        "import os, ase.db.sqlite as S\n"
        "class Kill:\n"
        "    def __iter__(self):\n"
        "        os.kill(os.getpid(), 9)\n"
        "        return iter(())\n"
        "S.index_statements = Kill()\n"
        "from atomspin.batch import ResultStore\n"
        f"ResultStore({str(db)!r})\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=100)
    assert proc.returncode == -9, proc.stderr
    assert not db.exists()
    st = ResultStore(db)
    assert st.write(toy_task(toy_tasks(1)[0])) > 0 and st.count() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]


def test_store_written_by_the_earlier_format_is_resumed(tmp_path):
    """Rows written before the task-hash prefix and checksums (bare `task_hash`, random unique_id, no
    checksum) count as done; new rows go beside them; nothing is duplicated."""
    import ase.db
    db = tmp_path / "old.db"
    old = ase.db.connect(str(db), use_lock_file=False)
    for t in toy_tasks(2):
        res = toy_task(t)
        old.write(res["atoms"], key_value_pairs={**res["kvp"], "task_hash": t["hash"]},
                  data={**res["data"], "recipe_json": "{}"})
    st = ResultStore(db)
    assert st.done_hashes() == {"h000000000000000", "h000000000000001"} and st.corrupted == {}
    s = run_tasks(toy_tasks(3), st, fn=toy_task)
    assert (s["written"], s["skipped"]) == (1, 2) and st.count() == 3
    assert st.done_hashes() == {f"h{i:015d}" for i in range(3)}
