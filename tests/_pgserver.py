"""A throwaway PostgreSQL server for the store tests (not a test module).

The server is started from the PostgreSQL binaries that the PyPI package ``pgserver`` ships (in the
``[test]`` extra; Debian's ``/usr/lib/postgresql/*/bin`` is the fallback), listening on 127.0.0.1 only, data
in a temporary folder, fsync off. PostgreSQL refuses to run as root; as root the binaries are hard-linked into
a world-readable temporary folder (site-packages may sit under a 0700 /root) and the server runs as the system
user ``nobody``. Tests skip, with the reason, only when no binaries or driver can be found or the server
cannot start; ``ATOMSPIN_REQUIRE_POSTGRES=1`` turns that skip into a failure.
"""
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

START_TIMEOUT_S = 30.0


def _skip_or_fail(reason):
    if os.environ.get("ATOMSPIN_REQUIRE_POSTGRES", "") == "1":
        pytest.fail(f"ATOMSPIN_REQUIRE_POSTGRES=1 but {reason}")
    pytest.skip(reason)


def _pg_bindir():
    """(bin folder holding initdb and postgres, where it came from) or (None, why not)."""
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        b = Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"
        if (b / "postgres").is_file() and (b / "initdb").is_file():
            return b, "pgserver (PyPI)"
    for b in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (b / "postgres").is_file() and (b / "initdb").is_file():
            return b, f"Debian ({b})"
    return None, "no PostgreSQL binaries: pip install pgserver (in atomspin's [test] extra)"


def _mirror(src: Path, dst: Path):
    """Hard-link the tree ``src`` to ``dst`` (copying files others cannot read, or across file systems),
    keeping symlinks, so that an unprivileged user can read and run it."""
    for dirpath, dirnames, filenames in os.walk(src):
        rel = Path(dirpath).relative_to(src)
        (dst / rel).mkdir(parents=True, exist_ok=True)
        os.chmod(dst / rel, 0o755)
        for name in filenames + [d for d in dirnames if (Path(dirpath) / d).is_symlink()]:
            s, d = Path(dirpath) / name, dst / rel / name
            if s.is_symlink():
                os.symlink(os.readlink(s), d)
                continue
            mode = s.stat().st_mode
            if mode & 0o004:  # readable by others: a hard link is enough (the original is left as it is)
                try:
                    os.link(s, d)
                    continue
                except OSError:  # another file system
                    pass
            shutil.copy2(s, d)
            os.chmod(d, mode | 0o444 | (0o111 if mode & 0o100 else 0))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connect(url, timeout=1):
    import psycopg2
    return psycopg2.connect(url, connect_timeout=timeout)


def _others_can_reach(path: Path) -> bool:
    """Whether a user other than the owner can traverse to ``path`` and read/run it."""
    return all(p.stat().st_mode & 0o005 == 0o005 for p in [path, *path.parents])


class _Server:
    def __init__(self, bindir: Path):
        self.base = Path(tempfile.mkdtemp(prefix="atomspin-pg-"))
        os.chmod(self.base, 0o755)
        self.proc = None
        self.log = self.base / "server.log"
        try:
            self._start(bindir)
        except BaseException:  # a skip, a failure or ^C: leave no server and no folder behind
            self.close()
            raise

    def _start(self, bindir):
        creds = {}
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("nobody")
            except KeyError:
                _skip_or_fail("running as root and there is no system user 'nobody' to run PostgreSQL as")
            creds = dict(user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])
            if not _others_can_reach(bindir):
                # site-packages under a 0700 folder (/root/.pyenv): give `nobody` a linked copy, laid out as
                # in site-packages (the binaries find libpq through the RPATH $ORIGIN/../../../pgserver.libs)
                site, inst = bindir.parents[2], self.base / "site"
                for sub in ("bin", "lib", "share"):
                    if (bindir.parent / sub).is_dir():
                        _mirror(bindir.parent / sub, inst / bindir.parent.relative_to(site) / sub)
                if (site / "pgserver.libs").is_dir():
                    _mirror(site / "pgserver.libs", inst / "pgserver.libs")
                os.chmod(inst, 0o755)
                os.chmod(inst / bindir.parent.relative_to(site).parent, 0o755)
                bindir = inst / bindir.relative_to(site)
        self.creds = creds
        self.data = self.base / "data"
        self.data.mkdir(mode=0o700)
        if creds:
            os.chown(self.data, creds["user"], creds["group"])
            os.chown(self.base, creds["user"], creds["group"])
        env = dict(os.environ, LC_ALL="C", LANG="C", TZ="UTC")
        env.pop("PGDATA", None)
        self.env = env
        t0 = time.perf_counter()
        init = subprocess.run([str(bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                               "-E", "UTF8", "--locale=C", "--no-sync"], capture_output=True, text=True,
                              env=env, cwd=self.base, timeout=60, **creds)
        self.initdb_s = time.perf_counter() - t0
        if init.returncode != 0:
            _skip_or_fail(f"initdb failed: {(init.stderr or init.stdout).strip()[-500:]}")
        for attempt in range(3):  # a port taken between _free_port and bind: try another
            self.port = _free_port()
            with open(self.log, "w") as log:
                if creds:
                    os.chown(self.log, creds["user"], creds["group"])
                self.proc = subprocess.Popen(
                    [str(bindir / "postgres"), "-D", str(self.data), "-p", str(self.port),
                     "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
                    stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.base, start_new_session=True,
                    **creds)
            self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
            deadline = time.perf_counter() + START_TIMEOUT_S
            while time.perf_counter() < deadline and self.proc.poll() is None:
                try:
                    _connect(self.admin_url).close()
                    self.start_s = time.perf_counter() - t0
                    return
                except Exception:  # noqa: BLE001 - not up yet
                    time.sleep(0.05)
            self.stop()
            if "could not bind" not in self.log.read_text():
                break
        _skip_or_fail(f"PostgreSQL did not start: {self.log.read_text().strip()[-500:]}")

    def create_database(self, name):
        con = _connect(self.admin_url)
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        con.close()
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # PostgreSQL's "fast shutdown"
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def close(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    pytest.importorskip("psycopg2", reason="psycopg2 (atomspin[postgres]) is not installed")
    pytest.importorskip("ase_db_backends.postgresql", reason="ase-db-backends (atomspin[postgres]) is not installed")
    bindir, source = _pg_bindir()
    if bindir is None:
        _skip_or_fail(source)
    server = _Server(bindir)
    server.source = source
    print(f"\nPostgreSQL from {source}: initdb {server.initdb_s:.2f} s, ready after {server.start_s:.2f} s "
          f"on 127.0.0.1:{server.port}")
    yield server
    server.close()


_DB_COUNT = iter(range(1, 10**6))


@pytest.fixture
def pg_url(pg_server, request):
    """A new, empty database on the server, named after the test."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    return pg_server.create_database(f"{name}_{next(_DB_COUNT)}")


def sql(url, query):
    """Rows of one query, on a connection of its own."""
    con = _connect(url)
    with con.cursor() as cur:
        cur.execute(query)
        out = cur.fetchall() if cur.description else []
    con.commit()
    con.close()
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A fresh store on each back-end: an SQLite file, and a database on the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_url")
