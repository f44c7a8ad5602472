"""The result store: an ``ase.db`` database with one row per finished task.

* SQLite by default (a file path); a ``postgresql://`` URL works with the ``[postgres]`` extra
  (ase-db-backends and psycopg2; the database must exist, its tables are created on first use).
* A row holds the final structure, key-value pairs (``task_hash``, phase, shape, size, defect parameters,
  T, seed, results …) and arrays in ``data``; how keys, values and the checksum are written is in
  :mod:`atomspin.batch.rowcodec`. Rows whose arrays exceed :data:`NPZ_THRESHOLD_BYTES` keep them in a
  side file ``<db stem>_npz/<hash>.<checksum>.npz`` beside the database (for a server URL: in
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
import sqlite3
import time
from pathlib import Path

import numpy as np

from atomspin.batch import rowcodec as rc
from atomspin.batch.paths import inside, safe_filename
from atomspin.batch.redact import database_name, mask_secrets, mask_url

__all__ = ["ResultStore", "StoreError", "StoreBusy", "NPZ_THRESHOLD_BYTES", "LOCK_TIMEOUT_S",
           "WRITE_PATIENCE_S"]

#: rows whose arrays are larger than this go to a side .npz file
NPZ_THRESHOLD_BYTES = 4 * 2**20
#: seconds one SQLite statement waits for a lock before the write is retried (ase.db's own default is 20)
LOCK_TIMEOUT_S = 5.0
#: seconds a write keeps retrying a locked or unreachable store (back-off 0.1 s doubling to 10 s)
WRITE_PATIENCE_S = 600.0

_ASE_TABLES = {"systems", "species", "keys", "text_key_values", "number_key_values", "information"}
_ROW_TABLES = ("number_key_values", "text_key_values", "keys", "species", "systems")
_SQLITE_MAGIC = b"SQLite format 3\x00"

_redact = mask_url  # old name, kept for callers


class StoreError(ValueError):
    """The store cannot be used (one line, password masked; exit code 2 in the CLI)."""


class StoreBusy(RuntimeError):
    """A write found the store locked or unreachable for longer than :data:`WRITE_PATIENCE_S`."""


def _one_line(err: BaseException) -> str:
    """The message of ``err`` on one line (libpq's messages span several lines), secrets masked."""
    return mask_secrets(" ".join(str(err).split()) or type(err).__name__)


def _lost_creation_race(err: BaseException) -> bool:
    """Whether ``err`` is PostgreSQL refusing our CREATE TABLE because a concurrent creator's won: either
    "relation ... already exists" or a unique violation in the system catalogue (pg_class, pg_type)."""
    name = type(err).__name__
    return name == "DuplicateTable" or (name == "UniqueViolation" and "_nsp_index" in str(err))


def _duplicate_row(err: BaseException) -> bool:
    """Whether ``err`` is the database refusing a second row with the same ``unique_id``."""
    return type(err).__name__ in ("IntegrityError", "UniqueViolation") and "unique_id" in str(err)


def _transient(err: BaseException) -> bool:
    """Whether a failed write may succeed later: a SQLite lock, a lost or refused server connection."""
    if isinstance(err, sqlite3.OperationalError):
        msg = str(err).lower()
        return "locked" in msg or "busy" in msg
    if type(err).__module__.split(".")[0] == "psycopg2":
        return type(err).__name__ in ("OperationalError", "InterfaceError", "SerializationFailure",
                                      "DeadlockDetected", "AdminShutdown", "CannotConnectNow",
                                      "LockNotAvailable", "QueryCanceled")
    return False


class ResultStore:
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

    def _fail(self, what: str):
        raise StoreError(f"db: {what}")

    # --- opening ----------------------------------------------------------------------------------------
    def _open_file(self):
        import ase.db

        path = Path(self.url).expanduser().absolute()
        self.path = path
        self.folder = path.parent
        if path.is_dir():
            self._fail(f"{self.display_url!r} is a folder, not a database file")
        exists = path.is_file() and path.stat().st_size > 0
        if path.exists() and not path.is_file():
            self._fail(f"{self.display_url!r} is not a regular file")
        if exists:
            self._check_sqlite_file(path)
        elif self.mode == "r":
            self._fail(f"{self.display_url!r} {'is empty' if path.exists() else 'does not exist'}")
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not os.access(path.parent, os.W_OK | os.X_OK):
                    raise PermissionError(13, "Permission denied", str(path.parent))
                self._create_atomically(path)
            except OSError as err:
                self._fail(f"cannot create {self.display_url!r} ({err.strerror or type(err).__name__}: "
                           f"{err.filename or path.parent}); choose a writable folder")
            except sqlite3.Error as err:
                self._fail(f"cannot create {self.display_url!r} ({_one_line(err)}); choose a writable folder")
        try:
            # No ASE lock file: SQLite's transactions make each row atomic, and ASE's lock is a plain file
            # that a driver killed with -9 during a write leaves behind (the rerun would wait on it forever).
            self.db = ase.db.connect(str(path), type="db", use_lock_file=False)
            self.db._connect = lambda: sqlite3.connect(str(path), timeout=LOCK_TIMEOUT_S)
            self.db.count()
        except Exception as err:  # noqa: BLE001 - turned into one clear line
            self._fail(f"cannot open {self.display_url!r} ({type(err).__name__}: {_one_line(err)})")

    def _check_sqlite_file(self, path: Path):
        """Refuse a file that is not SQLite, or an SQLite database of another program."""
        try:
            with open(path, "rb") as fh:
                head = fh.read(16)
        except OSError as err:
            self._fail(f"cannot read {self.display_url!r} ({err.strerror or type(err).__name__})")
        if head != _SQLITE_MAGIC:
            self._fail(f"{self.display_url!r} is not an SQLite database (an atomspin store is an ase.db file)")
        try:
            con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=LOCK_TIMEOUT_S)
            try:
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                foreign_rows = self._foreign_rows(con.cursor(), tables)
            finally:
                con.close()
        except sqlite3.Error as err:
            self._fail(f"cannot read {self.display_url!r} ({type(err).__name__}: {_one_line(err)})")
        self._refuse_foreign(tables, foreign_rows)

    @staticmethod
    def _foreign_rows(cur, tables) -> int:
        """Rows of an ase.db without a ``task_hash`` key (another program's ase.db), 0 when there are none."""
        if not {"systems", "keys"} <= set(tables):
            return 0
        cur.execute("SELECT COUNT(*) FROM systems WHERE id NOT IN (SELECT id FROM keys WHERE key='task_hash')")
        return int(cur.fetchone()[0])

    def _refuse_foreign(self, tables, foreign_rows: int):
        tables = {t for t in tables if not t.startswith("sqlite_")}
        extra = sorted(tables - _ASE_TABLES)
        if tables and not {"systems", "information"} <= tables:
            self._fail(f"{self.display_url!r} holds tables of another program ({', '.join(sorted(tables)[:5])}); "
                       "atomspin writes only to its own ase.db stores: choose a new file or database")
        if foreign_rows:
            self._fail(f"{self.display_url!r} is an ase.db database of another program ({foreign_rows} rows "
                       "without task_hash); choose a new file or database")
        if extra and self.mode == "w":
            self._fail(f"{self.display_url!r} holds tables that ase.db does not know "
                       f"({', '.join(extra[:5])}); choose a new file or database")

    def _external_tables(self):
        """Names of ase.db "external tables" (none in an atomspin store; deleted with a row if present)."""
        return self.db._get_external_table_names()

    def _open_server(self):
        import ase.db

        # A server database has no folder of its own: side files (rows over NPZ_THRESHOLD_BYTES, rare
        # there) go to the folder the store was opened from and are referenced by absolute path.
        self.path = None
        self.folder = Path.cwd()
        kind = self._server_kind(self.url)
        # libpq's default is no connect timeout (a host that drops packets holds the driver for the OS's TCP
        # timeout, ~2 min on Linux); 10 s is ample for a real server. Read by libpq; a value set by the user wins.
        os.environ.setdefault("PGCONNECT_TIMEOUT", "10")
        try:
            if kind == "postgresql":
                import ase_db_backends.postgresql  # noqa: F401 - a missing backend is named before connecting
                import psycopg2  # noqa: F401
                self._check_server_tables()
            for attempt in range(5):
                self.db = ase.db.connect(self.url, type=kind, use_lock_file=False)
                if kind == "postgresql":
                    self._patch_postgresql()
                try:
                    self.db.count()  # touch: fails now if the URL is unusable; creates the schema if new
                    break
                except Exception as err:  # noqa: BLE001
                    if attempt == 4 or not _lost_creation_race(err):
                        raise
                    # Another process created the schema between ase's check and its CREATE. PostgreSQL runs
                    # the whole schema creation as one transaction, so the winner's schema is complete.
                    time.sleep(0.05 * (attempt + 1))
        except StoreError:
            raise
        except ModuleNotFoundError as err:
            self._fail(f"cannot open {self.display_url!r}: the {kind} backend needs the module {err.name!r}: "
                       "pip install 'atomspin[postgres]'")
        except Exception as err:  # noqa: BLE001 - turned into one clear line
            self._fail(f"cannot open {self.display_url!r} ({type(err).__name__}: {_one_line(err)})")

    def _check_server_tables(self):
        import psycopg2

        con = psycopg2.connect(self.url)
        try:
            with con.cursor() as cur:
                cur.execute("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = current_schema()")
                tables = {r[0] for r in cur.fetchall()}
                foreign_rows = self._foreign_rows(cur, tables)
        finally:
            con.close()
        self._refuse_foreign(tables, foreign_rows)

    def _patch_postgresql(self):
        """Two fixes to ase-db-backends' PostgreSQL code, on this connection object only: the id of a new row
        is the session's ``currval`` (``last_value`` belongs to whichever session inserted last), and the
        connection wrapper can roll back (``with db:`` calls ``rollback`` on an error)."""
        from ase_db_backends import postgresql as pg
        from psycopg2 import connect

        class _Connection(pg.Connection):
            def rollback(self):
                self.con.rollback()

        def get_last_id(cur):
            cur.execute("SELECT currval('systems_id_seq')")
            return int(cur.fetchone()[0])

        url = self.url
        self.db._connect = lambda: _Connection(connect(url))
        self.db.get_last_id = get_last_id

    @staticmethod
    def _server_kind(url: str) -> str:
        """The ase.db backend of a URL, or a StoreError naming the URL and the schemes allowed."""
        scheme = url.split("://", 1)[0].lower()
        kinds = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
        if scheme not in kinds:
            raise StoreError(f"db: cannot open {mask_url(url)!r}: a URL must start with postgresql:// "
                             f"(or postgres://, mysql://, mariadb://), got {scheme + '://'!r}; "
                             "a file path means SQLite")
        return kinds[scheme]

    @staticmethod
    def _create_atomically(path):
        """Create a new SQLite store with its full schema under a temporary name, then rename it: a driver
        killed while ASE creates the tables (each CREATE TABLE commits on its own) leaves no half-made file."""
        import ase.db

        if path.is_file() and path.stat().st_size > 0:
            return
        for stale in path.parent.glob(f".{path.name}.init-*"):  # left by a creator that was killed
            pid = stale.name.split(".init-")[-1].split("-")[0]
            try:
                os.kill(int(pid), 0)
            except (ValueError, ProcessLookupError):
                stale.unlink(missing_ok=True)
            except PermissionError:  # alive, another user's
                pass
        tmp = path.with_name(f".{path.name}.init-{os.getpid()}")
        try:
            ase.db.connect(str(tmp), type="db", use_lock_file=False).count()
            if path.is_file() and path.stat().st_size > 0:  # another creator won meanwhile
                return
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def _probe_write(self):
        """A write into ase.db's ``information`` table, rolled back (and, on a server, the role's INSERT and
        DELETE privileges on the row tables): a read-only file, folder or role fails here,
        before any task runs. A lock held by another writer is waited for (see :meth:`_retrying`)."""
        def probe():
            con = self.db._connect()
            try:
                cur = con.cursor()
                cur.execute("INSERT INTO information VALUES (?, ?)", ("atomspin_write_probe", "1"))
                if not self.is_file:  # a role may hold INSERT on some tables only
                    for table in _ROW_TABLES:
                        cur.execute("SELECT has_table_privilege(current_user, ?, 'INSERT, DELETE')", (table,))
                        if not cur.fetchone()[0]:
                            raise PermissionError(f"permission denied: no INSERT and DELETE on table {table}")
            finally:
                try:
                    con.rollback()
                finally:
                    con.close()
        try:
            self._retrying(probe)
        except StoreBusy as err:
            self._fail(f"{self.display_url!r} stayed locked or unreachable: {err}")
        except Exception as err:  # noqa: BLE001 - one line
            self._fail(f"cannot write to {self.display_url!r} ({type(err).__name__}: {_one_line(err)}); "
                       "check its permissions, or read it with `atomspin report`")

    # --- writing ----------------------------------------------------------------------------------------
    @staticmethod
    def _retrying(fn):
        """``fn()``, retried with back-off while it fails for a transient reason (locked, unreachable)."""
        deadline = time.monotonic() + WRITE_PATIENCE_S
        delay = 0.1
        while True:
            try:
                return fn()
            except Exception as err:  # noqa: BLE001 - sorted below
                if not _transient(err):
                    raise
                left = deadline - time.monotonic()
                if left <= 0:
                    raise StoreBusy(f"{type(err).__name__}: {_one_line(err)} for {WRITE_PATIENCE_S:g} s") from None
                time.sleep(min(delay, left))
                delay = min(2 * delay, 10.0)

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
            return self._retrying(lambda: self._insert(row, kvp, data))
        except Exception as err:  # noqa: BLE001 - sorted below
            if not _duplicate_row(err):
                raise
        existing = self._id_of(row.unique_id)
        if existing is None:  # deleted meanwhile: try once more
            return self._retrying(lambda: self._insert(row, kvp, data))
        if self.check(existing) is None:
            return 0
        try:
            return self._retrying(lambda: self._insert(row, kvp, data, replace_id=existing))
        except Exception as err:  # noqa: BLE001
            if _duplicate_row(err):  # another driver replaced it first
                return 0
            raise

    def _insert(self, row, kvp, data, replace_id=None) -> int:
        """One transaction: the delete of a corrupted row (``replace_id``) and the new row. (Not ase.db's
        ``with db:``, which leaves its connection open when the commit itself fails on a lock.)"""
        tables = self._external_tables() + list(_ROW_TABLES) if replace_id is not None else []
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
        h = rc.task_hash_of(kvp)
        p = Path(str(row.npz_file))
        if not (p.name == f"{h}.npz" or (p.name.startswith(f"{h}.") and p.name.endswith(".npz"))):
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
            h = rc.task_hash_of(kvp)
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
        return {h for h in (rc.task_hash_of(r.key_value_pairs) for r in self.rows(verify=verify))
                if h is not None}

    def task_hash(self, row) -> str | None:
        """The task hash of a row (without the stored prefix)."""
        return rc.task_hash_of(row.key_value_pairs)

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
