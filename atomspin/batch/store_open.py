"""Opening a result store: refusing what is not a store, creating SQLite stores atomically, probing a write;
and the errors and retry rules shared by every store operation (used by :mod:`atomspin.batch.store`)."""
from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from atomspin.batch.redact import mask_secrets, mask_url

__all__ = ["StoreError", "StoreBusy", "StoreOpening", "retrying"]

_ASE_TABLES = {"systems", "species", "keys", "text_key_values", "number_key_values", "information"}
#: ase.db's tables that hold a row, in the order a row is deleted
ROW_TABLES = ("number_key_values", "text_key_values", "keys", "species", "systems")
_SQLITE_MAGIC = b"SQLite format 3\x00"


def _limits():
    """(LOCK_TIMEOUT_S, WRITE_PATIENCE_S) of :mod:`atomspin.batch.store`, read when used."""
    from atomspin.batch import store
    return store.LOCK_TIMEOUT_S, store.WRITE_PATIENCE_S


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


def retrying(fn):
    """``fn()``, retried with back-off (0.1 s doubling to 10 s) while it fails for a transient reason
    (locked, unreachable), for at most ``WRITE_PATIENCE_S``; then :class:`StoreBusy`."""
    patience = _limits()[1]
    deadline = time.monotonic() + patience
    delay = 0.1
    while True:
        try:
            return fn()
        except Exception as err:  # noqa: BLE001 - sorted below
            if not _transient(err):
                raise
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreBusy(f"{type(err).__name__}: {_one_line(err)} for {patience:g} s") from None
            time.sleep(min(delay, left))
            delay = min(2 * delay, 10.0)


class StoreOpening:
    """The opening half of :class:`~atomspin.batch.store.ResultStore` (a mixin: it sets ``db``, ``path``,
    ``folder`` on the store)."""

    def _fail(self, what: str):
        raise StoreError(f"db: {what}")

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
            self.db._connect = lambda: sqlite3.connect(str(path), timeout=_limits()[0])
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
            con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=_limits()[0])
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
                    for table in ROW_TABLES:
                        cur.execute("SELECT has_table_privilege(current_user, ?, 'INSERT, DELETE')", (table,))
                        if not cur.fetchone()[0]:
                            raise PermissionError(f"permission denied: no INSERT and DELETE on table {table}")
            finally:
                try:
                    con.rollback()
                finally:
                    con.close()
        try:
            retrying(probe)
        except StoreBusy as err:
            self._fail(f"{self.display_url!r} stayed locked or unreachable: {err}")
        except Exception as err:  # noqa: BLE001 - one line
            self._fail(f"cannot write to {self.display_url!r} ({type(err).__name__}: {_one_line(err)}); "
                       "check its permissions, or read it with `atomspin report`")
