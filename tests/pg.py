"""A throwaway PostgreSQL server for the test suite.

:class:`PostgresServer` runs Debian's (or any) PostgreSQL binaries: ``initdb`` into a
temporary data directory (in ``/dev/shm`` when there is room), ``pg_ctl start`` on a
free TCP port on 127.0.0.1 (sockets in the same directory), one database per test (a
copy of a template database that already holds the schema), and stop and delete at the
end. The server cannot run as root, so as root it runs as the ``postgres`` system user
(or ``nobody``).

Where the binaries are found: ``PG_BIN`` when set (a folder holding ``initdb``,
``pg_ctl`` and ``postgres``; nothing else is tried), else ``pg_config --bindir``, the
newest ``/usr/lib/postgresql/*/bin``, ``initdb`` on ``PATH``. ``TEST_POSTGRES_URL`` (a
superuser URL such as ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) uses a
running server instead of starting one.

The fixtures in :mod:`tests.conftest` skip the PostgreSQL tests when no binaries are
found, except when ``CI`` is set: then they fail, so that CI cannot pass without them.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

_TUNING = [  # a test server: speed over durability
    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
    "-c", "max_connections=200", "-c", "shared_buffers=32MB",
]


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL binaries are missing or the server did not start."""


def find_bin_dir() -> Path | None:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``, or None."""
    if os.environ.get("PG_BIN"):  # explicit: that folder or nothing
        folder = Path(os.environ["PG_BIN"])
        ok = all((folder / exe).is_file() for exe in ("initdb", "pg_ctl", "postgres"))
        return folder if ok else None
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 timeout=10, check=True).stdout.strip()
            candidates.append(Path(out))

    def version(p: str) -> tuple:
        part = Path(p).parent.name
        return tuple(int(x) for x in part.split(".") if x.isdigit())

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                           key=version, reverse=True)]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all((folder / exe).is_file() for exe in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _scratch_dir() -> str | None:
    """Where the data directory goes: ``PG_TEST_TMPDIR``, else RAM (``/dev/shm``) when it
    has room (copying a template database is ten times faster there), else the default."""
    if os.environ.get("PG_TEST_TMPDIR"):
        return os.environ["PG_TEST_TMPDIR"]
    shm = "/dev/shm"
    with contextlib.suppress(OSError):
        st = os.statvfs(shm)
        if os.access(shm, os.W_OK | os.X_OK) and st.f_bavail * st.f_frsize > 1_000_000_000:
            return shm
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """One server for the test session; :meth:`create_database` gives each test its own."""

    def __init__(self, bin_dir: Path | None = None, admin_url: str | None = None,
                 settings: list[str] | None = None, scratch: str | None = None):
        """``settings``: server options (``-c name=value`` pairs) instead of the test
        tuning; ``scratch``: where the data directory goes instead of :func:`_scratch_dir`
        (the benchmarks run a durable server on disk)."""
        self.bin_dir = bin_dir
        self._settings = _TUNING if settings is None else settings
        self._scratch = scratch
        self.base: Path | None = None
        self.port: int | None = None
        self._admin_url = make_url(admin_url) if admin_url else None
        self._admin = None
        self._counter = itertools.count(1)
        self._prefix = f"t{os.getpid()}_"
        self._template = "template0"
        self._strategy = ""
        self._options = ""
        self._kept: list[str] = []  # templates of prepared states (keep_database)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> PostgresServer:
        if self._admin_url is None:
            self._start_local()
        self._admin = create_engine(self.url(self._admin_url.database or "postgres"),
                                    isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with self._admin.connect() as conn:
            version = conn.execute(text("SHOW server_version_num")).scalar_one()
        # FILE_COPY copies the small template's files as they are; WAL_LOG (the default
        # from 15 on) writes every page through the write-ahead log.
        self._strategy = " STRATEGY FILE_COPY" if int(version) >= 150000 else ""
        return self

    def prepare_template(self, setup) -> None:
        """Make new databases copies of one on which ``setup(url)`` ran (e.g. the schema)."""
        name = f"{self._prefix}template"
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        setup(self.url(name))
        self._template = name

    def _start_local(self) -> None:
        if self.bin_dir is None:
            raise PostgresUnavailable("no PostgreSQL binaries")
        self.base = Path(tempfile.mkdtemp(prefix="dashboard-pg-",
                                          dir=self._scratch or _scratch_dir()))
        user = self._run_as()
        if user is not None:
            os.chown(self.base, user.pw_uid, user.pw_gid)
        data = self.base / "data"
        initdb = ["initdb", "-D", str(data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--no-sync"]
        try:
            self._run([*initdb, "--locale=C.UTF-8"], timeout=120)
        except PostgresUnavailable:  # a system without the C.UTF-8 locale
            self._run([*initdb, "--no-locale"], timeout=120)
        last_error = ""
        for _attempt in range(5):  # the free port may be taken before the server binds it
            self.port = free_port()
            options = ["-p", str(self.port), "-c", "listen_addresses=127.0.0.1",
                       "-k", str(self.base), *self._settings]
            self._options = " ".join(options)
            try:
                self._pg_ctl_start()
            except PostgresUnavailable as exc:
                last_error = str(exc)
                continue
            self._admin_url = URL.create("postgresql+psycopg", username="postgres",
                                         host="127.0.0.1", port=self.port,
                                         database="postgres")
            return
        raise PostgresUnavailable(f"the server did not start: {last_error}\n{self.log()}")

    def _pg_ctl_start(self) -> None:
        self._run(["pg_ctl", "-D", str(self.base / "data"), "-l", str(self.base / "server.log"),
                   "-w", "-t", "60", "-o", self._options, "start"], timeout=90)

    def pause(self) -> None:
        """Stop the server but keep its data and port: the database is down until
        :meth:`resume` (a server of our own only)."""
        if self.base is None:
            raise PostgresUnavailable("pause needs a server of our own, not TEST_POSTGRES_URL")
        self._run(["pg_ctl", "-D", str(self.base / "data"), "-m", "fast", "-w", "stop"],
                  timeout=60)

    def resume(self) -> None:
        """Start a paused server again, on the same port."""
        self._pg_ctl_start()

    def stop(self) -> None:
        if self._admin is not None:
            if self.base is None:  # someone else's server: leave nothing behind
                for name in self._kept:
                    with contextlib.suppress(Exception):
                        self.drop_database(self.url(name))
                if self._template != "template0":
                    with contextlib.suppress(Exception):
                        self.drop_database(self.url(self._template))
            self._admin.dispose()
        if self.base is None:
            return
        with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
            self._run(["pg_ctl", "-D", str(self.base / "data"), "-m", "immediate", "-w",
                       "stop"], timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)
        self.base = None

    def log(self) -> str:
        path = self.base / "server.log" if self.base else None
        if path and path.exists():
            return path.read_text(errors="replace")[-3000:]
        return ""

    @staticmethod
    def _run_as():
        """As root, the unprivileged user that runs the server; else None (ourselves)."""
        if os.geteuid() != 0:
            return None
        for name in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                return pwd.getpwnam(name)
        raise PostgresUnavailable("running as root and neither 'postgres' nor 'nobody' exists")

    def _run(self, args: list[str], timeout: float) -> None:
        user = self._run_as()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
               "HOME": str(self.base)}
        kwargs = {}
        if user is not None:
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        proc = subprocess.run([str(self.bin_dir / args[0]), *args[1:]], cwd=self.base,
                              env=env, capture_output=True, text=True, timeout=timeout,
                              **kwargs)
        if proc.returncode != 0:
            raise PostgresUnavailable(f"{args[0]} failed ({proc.returncode}): "
                                      f"{proc.stderr.strip() or proc.stdout.strip()}")

    # ------------------------------------------------------------------ databases

    def url(self, database: str) -> str:
        return self._admin_url.set(database=database).render_as_string(hide_password=False)

    def create_database(self, empty: bool = False, encoding: str | None = None) -> str:
        """A new database (a copy of the template, or ``empty``, or empty in another
        ``encoding`` such as ``SQL_ASCII``); returns its URL."""
        name = f"{self._prefix}{next(self._counter)}"
        template = "template0" if empty or encoding else self._template
        # Identifiers cannot be bound; the names are ours (letters, digits, '_').
        extra = f" ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C'" if encoding else ""
        with self._admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'
                              f"{self._strategy}{extra}"))
        return self.url(name)

    def keep_database(self, url: str) -> str:
        """A copy of ``url``'s database kept as a template (no one may be connected to it
        while it is copied); returns the copy's name for :meth:`restore_database`."""
        name = f"{self._prefix}kept{next(self._counter)}"
        self._until_alone(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"'
                          f"{self._strategy}")
        self._kept.append(name)
        return name

    def restore_database(self, url: str, kept: str) -> None:
        """Make ``url``'s database a fresh copy of the kept ``kept`` (same name, so its URL
        stays valid; connections to it are ended)."""
        name = make_url(url).database
        self._until_alone(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._until_alone(f'CREATE DATABASE "{name}" TEMPLATE "{kept}"{self._strategy}')

    def _until_alone(self, statement: str) -> None:
        """Run ``statement`` (one that needs a database no one is connected to), again
        while a connection that was just closed is still going away."""
        deadline = time.monotonic() + 10
        while True:
            try:
                with self._admin.connect() as conn:
                    conn.execute(text(statement))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        deadline = time.monotonic() + 10
        while True:
            try:
                with self._admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

