"""The result store: an ``ase.db`` database with one row per finished task.

* SQLite by default (a file path); a ``postgresql://`` URL works with the ``[postgres]`` extra
  (ase-db-backends and psycopg2; the database must exist, its tables are created on first use).
* A row holds the final structure, key-value pairs (``task_hash``, phase, shape, size, defect parameters,
  T, seed, results …) and arrays in ``data``; how keys, values and the checksum are written is in
  :mod:`atomspin.batch.rowcodec`. Rows whose arrays exceed :data:`NPZ_THRESHOLD_BYTES` keep them in a
  side file ``<db stem>_npz/<hash>.npz`` beside the database (for a server URL: in
  ``<database name>_npz`` in the folder the store was opened from, referenced by absolute path). A side
  file is read only from that folder and only under its task's name; anything else is refused.

What the store guarantees (see ``docs/guarantees.md``):

* **One row per task.** A row's ``unique_id`` is its task hash, and ase.db's schema declares
  ``unique_id UNIQUE``: a second row of the same task is refused by the database, so concurrent drivers
  cannot duplicate a row. :meth:`ResultStore.write` returns 0 when the row was already there.
* **Atomic rows.** A row (and, on PostgreSQL, the search tables that point to it) is written in one
  transaction; a killed driver leaves the row complete or absent. (ase-db-backends' PostgreSQL code looks
  up the new row id with ``last_value`` of the id sequence, which another session may have moved; the store
  uses the session's own ``currval`` instead.)
* **Checked on open.** A folder, a file of another program or another program's ase.db is refused; a
  store opened for writing is probed with a rolled-back write, so a read-only store fails before any work.
* **Locks wait, results are kept.** A write that finds the database locked (SQLite) or unreachable retries
  with back-off for :data:`WRITE_PATIENCE_S`; then :class:`StoreBusy` is raised and the caller can
  :meth:`~ResultStore.keep` the result in a pending file that the next run stores first.
* **Corruption is detected.** Every row carries a checksum over its content; rows that fail it (or cannot
  be decoded) are listed in :attr:`ResultStore.corrupted`, not counted as done, and replaced when their
  task is computed again.
* No password is printed: messages use :attr:`ResultStore.display_url`.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from atomspin.batch import rowcodec as rc
from atomspin.batch.paths import inside, safe_filename
from atomspin.batch.redact import database_name, mask_url
from atomspin.batch.store_open import (ROW_TABLES, StoreBusy, StoreError, StoreOpening, _duplicate_row,
                                       _one_line, retrying)

__all__ = ["ResultStore", "StoreError", "StoreBusy", "NPZ_THRESHOLD_BYTES", "LOCK_TIMEOUT_S",
           "WRITE_PATIENCE_S"]

#: rows whose arrays are larger than this go to a side .npz file
NPZ_THRESHOLD_BYTES = 4 * 2**20
#: seconds one SQLite statement waits for a lock before the write is retried (ase.db's own default is 20)
LOCK_TIMEOUT_S = 5.0
#: seconds a write keeps retrying a locked or unreachable store (back-off 0.1 s doubling to 10 s)
WRITE_PATIENCE_S = 600.0

_redact = mask_url  # old name, kept for callers


class ResultStore(StoreOpening):
    """One ``ase.db`` database of sweep results.

    Parameters
    ----------
    url : str or path
        SQLite file path (created with its folder when ``mode="w"``) or a server URL,
        ``postgresql://user[:password]@host[:port]/dbname`` (also ``postgres://``; needs
        ``pip install 'atomspin[postgres]'``).
    mode : {"w", "r"}
        ``"w"`` (default): create if needed and check that a write goes through. ``"r"``: an existing
        store, read only (``atomspin report``).

    Raises
    ------
    StoreError
        One line, ``db: ...`` naming the store (password masked), when it cannot be used: a folder, a file
        that is not an SQLite database, a database of another program, an unwritable file or folder
        (``mode="w"``), a missing file (``mode="r"``), an unreachable server, a malformed URL.
    """

    def __init__(self, url, mode: str = "w"):
        if mode not in ("w", "r"):
            raise ValueError(f"mode: {mode!r} is not one of 'w', 'r'")
        self.url = str(url)
        self.display_url = mask_url(self.url)
        self.mode = mode
        self.is_file = "://" not in self.url
        #: row id -> (task hash or None, what is wrong), filled by rows(), done_hashes() and check()
        self.corrupted: dict = {}
        if self.is_file:
            self._open_file()
        else:
            self._open_server()
        if mode == "w":
            self._probe_write()

    def __repr__(self):
        return f"ResultStore({self.display_url!r}, mode={self.mode!r})"

    # --- writing ----------------------------------------------------------------------------------------
    def encode(self, result: dict):
        """``(row, kvp, data, side)`` for ``result`` (see :func:`atomspin.batch.tasks.run_task`): the ase.db
        row (structure, ``unique_id``), the key-value pairs, the data with its checksum, and for a large row
        ``(temporary file, final path)`` of its side file (moved into place once the row is stored)."""
        import json

        from ase import Atoms
        from ase.db.core import now
        from ase.db.row import AtomsRow

        h = str(result["hash"])
        kvp = {}
        for k, v in result["kvp"].items():
            kvp[rc.storable_key(k)] = rc.storable_value(v)
        kvp["task_hash"] = rc.stored_task_hash(h)
        kvp["walltime_s"] = float(result.get("elapsed_s", float("nan")))
        arrays = dict(result.get("data") or {})
        recipe_json = json.dumps(result.get("recipe", {}), sort_keys=True)
        atoms = result.get("atoms")
        row = AtomsRow(Atoms() if atoms is None else atoms)
        row.unique_id = rc.stored_task_hash(h)
        row.ctime = now()
        row.user = os.getenv("USER")
        full = {**arrays, "recipe_json": recipe_json}
        if rc.nbytes(arrays) <= NPZ_THRESHOLD_BYTES:
            checksum = rc.row_checksum(kvp, full, row.numbers, row.positions, row.cell, row.pbc)
            return row, kvp, {**full, "checksum": checksum}, None
        if self.is_file:  # relative to the database file, which may move with its folder
            rel = Path(f"{self.path.stem}_npz") / f"{h}.npz"
        else:
            rel = self._server_side_folder() / f"{h}.npz"
        kvp["npz_file"] = str(rel)
        checksum = rc.row_checksum({**kvp, "npz_file": ""}, full, row.numbers, row.positions, row.cell, row.pbc)
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{h}.{os.getpid()}.{time.monotonic_ns()}.tmp.npz")
        np.savez_compressed(tmp, **rc.flat_arrays(arrays))
        return row, kvp, {"recipe_json": recipe_json, "checksum": checksum}, (tmp, path)

    def _server_side_folder(self) -> Path:
        return self.folder / f"{safe_filename(database_name(self.url), 'results')}_npz"

    def write(self, result: dict) -> int:
        """Store one task result; return the new row id, or 0 when a sound row of this task is already
        there (written earlier or by a concurrent driver; nothing is written then). A corrupted row of the
        task is replaced. Locks and lost connections are retried with back-off.

        Raises
        ------
        StoreBusy
            The store stayed locked or unreachable for :data:`WRITE_PATIENCE_S`: :meth:`keep` the result.
        """
        return self._write_encoded(*self.encode(result))

    def _write_encoded(self, row, kvp, data, side) -> int:
        try:
            rid = self._write_row(row, kvp, data)
        except BaseException:
            if side is not None:
                side[0].unlink(missing_ok=True)
            raise
        if side is not None:
            if rid:  # the row is ours: its side file goes into place (a crash before this line leaves a row
                os.replace(*side)  # whose side file is missing: check() names it, the task is recomputed)
            else:
                side[0].unlink(missing_ok=True)
        return rid

    def _write_row(self, row, kvp, data) -> int:
        try:
            return retrying(lambda: self._insert(row, kvp, data))
        except Exception as err:  # noqa: BLE001 - sorted below
            if not _duplicate_row(err):
                raise
        existing = self._id_of(row.unique_id)
        if existing is None:  # deleted meanwhile: try once more
            return retrying(lambda: self._insert(row, kvp, data))
        if self.check(existing) is None:
            return 0
        try:
            return retrying(lambda: self._insert(row, kvp, data, replace_id=existing))
        except Exception as err:  # noqa: BLE001
            if _duplicate_row(err):  # another driver replaced it first
                return 0
            raise

    def _insert(self, row, kvp, data, replace_id=None) -> int:
        """One transaction: the delete of a corrupted row (``replace_id``) and the new row. (Not ase.db's
        ``with db:``, which leaves its connection open when the commit itself fails on a lock.)"""
        tables = self._external_tables() + list(ROW_TABLES) if replace_id is not None else []
        con = self.db._connect()
        self.db.connection, self.db.change_count = con, 0
        try:
            cur = con.cursor()
            for table in tables:
                cur.execute(f"DELETE FROM {table} WHERE id = ?", (int(replace_id),))
            rid = self.db.write(row, key_value_pairs=dict(kvp), data=data)
            con.commit()
            return rid
        except BaseException:
            try:
                con.rollback()
            except Exception:  # noqa: BLE001 - the connection may be gone; the transaction is void anyway
                pass
            raise
        finally:
            self.db.connection = None
            try:
                con.close()
            except Exception:  # noqa: BLE001
                pass

    def _sql(self, query: str, args=()):
        with self.db.managed_connection() as con:
            cur = con.cursor()
            cur.execute(query, args)
            return cur.fetchall()

    def _id_of(self, uid: str):
        r = self._sql("SELECT id FROM systems WHERE unique_id = ?", (uid,))
        return int(r[0][0]) if r else None

    # --- results that could not be stored yet -----------------------------------------------------------
    @property
    def pending_path(self) -> Path:
        """SQLite file holding results kept by :meth:`keep` (beside the store; for a server URL in the
        folder the store was opened from)."""
        stem = self.path.stem if self.is_file else safe_filename(database_name(self.url), "results")
        return self.folder / f"{stem}_pending.db"

    def keep(self, result: dict) -> Path:
        """Keep a result that could not be stored (:class:`StoreBusy`) in :attr:`pending_path`; the next
        :meth:`store_pending` (every run starts with it) moves it into the store."""
        import ase.db

        row, kvp, data, side = self.encode(result)
        if side is not None:
            if side[1].exists():
                side[0].unlink(missing_ok=True)
            else:
                os.replace(*side)
        pend = ase.db.connect(str(self.pending_path), type="db", use_lock_file=False)
        if not pend.count(task_hash=kvp["task_hash"]):
            pend.write(row, key_value_pairs=kvp, data=data)
        return self.pending_path

    def store_pending(self) -> tuple:
        """Move the results kept in :attr:`pending_path` into the store; ``(stored, already there)``."""
        import ase.db

        if not self.pending_path.is_file():
            return 0, 0
        pend = ase.db.connect(str(self.pending_path), type="db", use_lock_file=False)
        stored = present = 0
        for prow in list(pend.select()):
            kvp = dict(prow.key_value_pairs)
            data = dict(prow.data)
            ok = rc.row_checksum(kvp if not kvp.get("npz_file") else {**kvp, "npz_file": ""},
                                 self._full_data(prow, kvp, data), prow.numbers, prow.positions, prow.cell,
                                 prow.pbc) == data.get("checksum")
            if ok:
                from ase.db.row import AtomsRow
                row = AtomsRow(prow.toatoms())
                row.unique_id, row.ctime, row.user = prow.unique_id, prow.ctime, prow.get("user")
                if self._write_row(row, kvp, data):
                    stored += 1
                else:
                    present += 1
            pend.delete([prow.id])
        if pend.count() == 0:
            self.pending_path.unlink(missing_ok=True)
        return stored, present

    # --- reading ----------------------------------------------------------------------------------------
    def ids(self) -> list:
        """Row ids, ascending (read without decoding any row)."""
        return [int(r[0]) for r in self._sql("SELECT id FROM systems ORDER BY id")]

    def count(self, **selection) -> int:
        return self.db.count(**selection)

    def has(self, h: str) -> bool:
        return self._id_of(rc.stored_task_hash(h)) is not None or self.db.count(task_hash=str(h)) > 0

    def _side_file(self, row, kvp) -> Path:
        """The side file of a row, resolved inside the store's side-file folder, or ValueError."""
        h = rc.task_hash_of(kvp, getattr(row, "unique_id", None))
        p = Path(str(row.npz_file))
        if p.name != f"{h}.npz":
            raise ValueError(f"npz_file {str(p)!r} is not named after the row's task")
        if self.is_file:
            if p.is_absolute():
                raise ValueError(f"npz_file {str(p)!r} is not inside the store's folder")
            full = inside(self.folder / f"{self.path.stem}_npz", self.folder / p)
        else:
            if not p.is_absolute() or ".." in p.parts:
                raise ValueError(f"npz_file {str(p)!r} is not an absolute side-file path")
            if p.parent.name != self._server_side_folder().name:
                raise ValueError(f"npz_file {str(p)!r} is not in a {self._server_side_folder().name} folder")
            full = inside(p.parent, p)
        return full

    def _load_side_file(self, row, kvp) -> dict:
        with np.load(self._side_file(row, kvp), allow_pickle=False) as z:
            return rc.unflat({k: z[k] for k in z.files})

    def _full_data(self, row, kvp, data) -> dict:
        """The data of a row with the arrays of its side file in place (what the checksum covers)."""
        out = {k: v for k, v in data.items() if k != "checksum"}
        if kvp.get("npz_file"):
            out.update(self._load_side_file(row, kvp))
        return out

    def check(self, row_or_id):
        """None when the row is sound, else what is wrong with it (also recorded in :attr:`corrupted`)."""
        rid = row_or_id if isinstance(row_or_id, (int, np.integer)) else row_or_id.id
        h = None
        try:
            row = self.db.get(id=int(rid)) if isinstance(row_or_id, (int, np.integer)) else row_or_id
            kvp = dict(row.key_value_pairs)
            h = rc.task_hash_of(kvp, getattr(row, "unique_id", None))
            data = dict(row.data or {})
            stored = data.get("checksum")
            if stored is None:
                return None  # written before rows had checksums: nothing to check against
            full = self._full_data(row, kvp, data)
            got = rc.row_checksum({**kvp, "npz_file": ""} if kvp.get("npz_file") else kvp, full, row.numbers,
                                  row.positions, row.cell, row.pbc)
            if got != stored:
                problem = "checksum mismatch"
            elif row.unique_id != kvp.get("task_hash"):
                problem = "unique_id does not match task_hash"
            else:
                self.corrupted.pop(int(rid), None)
                return None
        except Exception as err:  # noqa: BLE001 - an undecodable row is a corrupted row
            problem = f"unreadable ({type(err).__name__}: {_one_line(err)[:120]})"
        self.corrupted[int(rid)] = (h, problem)
        return problem

    def rows(self, verify: bool = True, **selection) -> list:
        """Rows (with data) matching an ase.db selection, by id. With ``verify`` (default) rows that fail
        their checksum or cannot be decoded are left out and listed in :attr:`corrupted`."""
        if selection:
            ids = sorted(int(r.id) for r in self.db.select(columns=["id"], **selection))
        else:
            ids = self.ids()
        out = []
        for rid in ids:
            try:
                row = self.db.get(id=rid)
            except Exception as err:  # noqa: BLE001
                self.corrupted[rid] = (None, f"unreadable ({type(err).__name__}: {_one_line(err)[:120]})")
                continue
            if verify and self.check(row) is not None:
                continue
            out.append(row)
        return out

    def done_hashes(self, verify: bool = True) -> set:
        """Task hashes that have a sound row (corrupted rows are listed in :attr:`corrupted` instead)."""
        return {h for h in (self.task_hash(r) for r in self.rows(verify=verify)) if h is not None}

    def task_hash(self, row) -> str | None:
        """The task hash of a row (without the stored prefix)."""
        return rc.task_hash_of(row.key_value_pairs, getattr(row, "unique_id", None))

    def arrays(self, row) -> dict:
        """The arrays of a row, from ``data`` or from its side ``.npz`` file (resolved inside the store's
        side-file folder; a path elsewhere raises ValueError)."""
        kvp = dict(row.key_value_pairs)
        if kvp.get("npz_file"):
            try:
                return self._load_side_file(row, kvp)
            except ValueError as err:
                raise ValueError(f"db: row {row.id}: {err}; refused") from None
        out = {k: v for k, v in (row.data or {}).items() if k not in ("recipe_json", "checksum")}
        return out if self.is_file else rc.listify(out)
