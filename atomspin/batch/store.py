"""The result store: an ``ase.db`` database with one row per finished task.

* SQLite by default (a file path); a ``postgresql://`` URL works with the ``[postgres]`` extra.
* Each row holds the final structure (spins as non-collinear initial magnetic moments when a model ran),
  key-value pairs (``task_hash``, phase, shape, size, defect parameters, T, seed, results …) and arrays in
  ``data``. When a row's arrays exceed :data:`NPZ_THRESHOLD_BYTES` they go to a per-task ``.npz`` file
  next to the database, referenced by the key ``npz_file`` (path relative to the database folder; for a
  server URL an absolute path under the folder the store was opened from).
* PostgreSQL (``postgresql://user@host:port/dbname``, needs ``pip install 'atomspin[postgres]'``, i.e.
  ase-db-backends and psycopg2): the schema is created in one transaction on first use (no temporary file,
  no lock file); arrays in ``data`` holding NaN or inf come back as lists there, :meth:`ResultStore.arrays`
  turns them back into arrays. An unusable URL is one ValueError line naming it (password masked).
* The driver is the only writer. A row is written in one transaction after its task finished, and only
  if no row with the same ``task_hash`` exists, so a killed driver or worker can never leave a duplicate
  or a half row; a rerun skips the hashes already present. ``ase db results.db`` (or ``ase db URL``) works.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import numpy as np

__all__ = ["ResultStore", "NPZ_THRESHOLD_BYTES"]

#: rows whose arrays are larger than this go to a per-task .npz file
NPZ_THRESHOLD_BYTES = 4 * 2**20

_RESERVED = None


def _reserved():
    global _RESERVED
    if _RESERVED is None:
        from ase.db.core import reserved_keys
        _RESERVED = set(reserved_keys)
    return _RESERVED


def _nbytes(obj) -> int:
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(_nbytes(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_nbytes(v) for v in obj) + 8 * len(obj)
    return 16


def _flat_arrays(data: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flat_arrays(v, key + "/"))
        else:
            out[key] = np.asarray(v)
    return out


def _unflat(flat: dict) -> dict:
    out: dict = {}
    for k, v in flat.items():
        d = out
        parts = k.split("/")
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = v
    return out


def _redact(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part replaced by ``***`` (for messages)."""
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*):[^@/?#]*@", r"\1:***@", url)


def _one_line(err: BaseException) -> str:
    """The message of ``err`` on one line (libpq's messages span several lines)."""
    return " ".join(str(err).split()) or type(err).__name__


def _lost_creation_race(err: BaseException) -> bool:
    """Whether ``err`` is PostgreSQL refusing our CREATE TABLE because a concurrent creator's won: either
    "relation ... already exists" or a unique violation in the system catalogue (pg_class, pg_type)."""
    name = type(err).__name__
    return name == "DuplicateTable" or (name == "UniqueViolation" and "_nsp_index" in str(err))


def _listify(obj):
    """Nested lists back to arrays: the PostgreSQL backend stores an array holding NaN or inf as a list."""
    if isinstance(obj, dict):
        return {k: _listify(v) for k, v in obj.items()}
    if isinstance(obj, list):
        try:
            return np.asarray(obj, dtype=float)
        except (TypeError, ValueError):
            return obj
    return obj


def _numeric(s: str):
    for t in (int, float):
        try:
            return t(s)
        except ValueError:
            pass
    return None


class ResultStore:
    """One ``ase.db`` database of sweep results; the driver process is its single writer.

    Parameters
    ----------
    url : str or path
        SQLite file path (created with its folder) or a server URL, ``postgresql://user[:password]@host
        [:port]/dbname`` (also ``postgres://``; needs ``pip install 'atomspin[postgres]'``; the database must
        exist, its tables are created on first use).

    Raises
    ------
    ValueError
        One line, ``db: cannot open '<url>' (...)`` with any password masked, when the file or server cannot
        be used (unreachable or refusing server, malformed URL, unknown scheme, backend not installed).
    """

    def __init__(self, url):
        import ase.db
        url = str(url)
        self.url = url
        self.is_file = "://" not in url
        if self.is_file:
            path = Path(url).expanduser().resolve()
            path.parent.mkdir(parents=True, exist_ok=True)
            self.folder = path.parent
            self._create_atomically(path)
            kind = "db"
        else:
            # A server database has no folder of its own: side files (rows over NPZ_THRESHOLD_BYTES, which
            # is rare there, see write) go to the folder the store was opened from and are referenced by
            # absolute path, so a report run from elsewhere still finds them.
            self.folder = Path.cwd()
            kind = self._server_kind(url)
            # libpq's default is no connect timeout (a host that drops packets holds the driver for the OS's
            # TCP timeout, ~2 min on Linux); 10 s is ample for a real server. Read by libpq; a value the
            # user set wins.
            os.environ.setdefault("PGCONNECT_TIMEOUT", "10")
        try:
            # No ASE lock file: the driver is the single writer and SQLite's transactions make each row
            # atomic. ASE's lock is a plain file that a driver killed with -9 during a write leaves behind,
            # and the rerun would then wait on it forever. (Server backends never use ASE's lock file.)
            for attempt in range(5):
                self.db = ase.db.connect(url, type=kind, use_lock_file=False)
                try:
                    self.db.count()  # touch: fails now if the URL is unusable; creates the schema if new
                    break
                except Exception as err:  # noqa: BLE001
                    if self.is_file or attempt == 4 or not _lost_creation_race(err):
                        raise
                    # Another process created the schema between ase's check and its CREATE. PostgreSQL
                    # runs the whole schema creation as one transaction, so the winner's schema is
                    # complete once our CREATE failed on it: reconnect and use it.
                    time.sleep(0.05 * (attempt + 1))
        except ModuleNotFoundError as err:
            raise ValueError(f"db: cannot open {_redact(url)!r}: the {kind} backend needs the module "
                             f"{err.name!r}: pip install 'atomspin[postgres]'") from None
        except Exception as err:  # noqa: BLE001 - turned into one clear line
            raise ValueError(f"db: cannot open {_redact(url)!r} ({type(err).__name__}: "
                             f"{_one_line(err)})") from None

    @staticmethod
    def _server_kind(url: str) -> str:
        """The ase.db backend of a URL, or a ValueError naming the URL and the schemes allowed."""
        scheme = url.split("://", 1)[0].lower()
        kinds = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
        if scheme not in kinds:
            raise ValueError(f"db: cannot open {_redact(url)!r}: a URL must start with postgresql:// "
                             f"(or postgres://, mysql://, mariadb://), got {scheme + '://'!r}; "
                             "a file path means SQLite")
        return kinds[scheme]

    @staticmethod
    def _create_atomically(path):
        """Create a new SQLite store with its full schema under a temporary name, then rename it: a driver
        killed while ASE creates the tables (each CREATE TABLE commits on its own) leaves no half-made file."""
        import os

        import ase.db
        if path.exists():
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
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    # -----------------------------------------------------------------------------------------------------
    def done_hashes(self) -> set:
        """Set of task hashes that have a row."""
        return {row.get("task_hash") for row in self.db.select(columns=["key_value_pairs"],
                                                               include_data=False)
                if row.get("task_hash") is not None}

    def count(self, **selection) -> int:
        return self.db.count(**selection)

    def has(self, h: str) -> bool:
        return self.db.count(task_hash=h) > 0

    def write(self, result: dict) -> int:
        """Store one task result (see :func:`atomspin.batch.tasks.run_task`); return the row id, or 0
        if a row with the same ``task_hash`` already exists (nothing is written then)."""
        h = result["hash"]
        if self.has(h):
            return 0
        kvp = {}
        for k, v in result["kvp"].items():
            if k in _reserved() or not k.isidentifier():
                k = f"x_{k}"
            if isinstance(v, (np.bool_, bool)):
                v = bool(v)
            elif isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, np.floating):
                v = float(v)
            elif isinstance(v, str) and _numeric(v) is not None:
                v = _numeric(v)  # ase.db refuses strings that read as numbers
            kvp[k] = v
        kvp["task_hash"] = h
        kvp["walltime_s"] = float(result.get("elapsed_s", float("nan")))
        data = dict(result.get("data") or {})
        data["recipe_json"] = json.dumps(result.get("recipe", {}), sort_keys=True)
        if _nbytes(result.get("data") or {}) > NPZ_THRESHOLD_BYTES:
            if self.is_file:  # relative to the database file, which may move with its folder
                rel = Path(Path(self.url).stem + "_npz") / f"{h}.npz"
            else:  # a server database has no folder: absolute, named after the database
                name = re.sub(r"[^A-Za-z0-9_.-]", "_", self.url.split("?")[0].rsplit("/", 1)[-1]) or "results"
                rel = self.folder / f"{name}_npz" / f"{h}.npz"
            path = self.folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, **_flat_arrays(result["data"]))
            os.replace(tmp, path)
            kvp["npz_file"] = str(rel)
            data = {"recipe_json": data["recipe_json"]}
        atoms = result.get("atoms")
        if atoms is None:
            from ase import Atoms
            atoms = Atoms()
        return self.db.write(atoms, key_value_pairs=kvp, data=data)

    def rows(self, **selection) -> list:
        """All rows (with data) matching an ase.db selection, ordered by id."""
        return list(self.db.select(sort="id", **selection))

    def arrays(self, row) -> dict:
        """The arrays of a row, from ``data`` or from its referenced ``.npz`` file."""
        if row.get("npz_file"):
            with np.load(self.folder / row.npz_file) as z:
                return _unflat({k: z[k] for k in z.files})
        out = {k: v for k, v in (row.data or {}).items() if k != "recipe_json"}
        return out if self.is_file else _listify(out)
