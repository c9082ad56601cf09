"""Shared fixtures: a fresh database per test, and dataset builders.

``db_url`` and ``engine`` are a SQLite file per test. ``any_db_url`` and ``any_engine``
run a test twice: on a SQLite file and on a fresh database of a throwaway PostgreSQL
server (:mod:`tests.pg`, started once per session when a test first needs it). A test
module runs on both by overriding ``db_url`` with ``any_db_url``.
"""

from __future__ import annotations

import contextlib
import os

# Authlib switches its own deprecation warnings to "always" when first imported; imported
# here, that switch is undone with the rest of collection's warning filters, and the
# project's filters (pyproject.toml) decide, as for every other library.
import authlib.deprecate  # noqa: F401
import pytest

from dashboard.data import repository
from dashboard.data.db import make_engine
from tests.builders import base_tables
from tests.needs import missing
from tests.pg import PostgresServer, PostgresUnavailable, find_bin_dir

# Apps and servers of the tests compute no views ahead of users (dashboard/store/warm.py),
# which would only load the machine under other tests; tests/test_warm.py turns it on.
os.environ.setdefault("WARM_CACHE", "0")

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@contextlib.contextmanager
def schema_engine(url: str):
    """An engine on ``url`` with the schema created; disposed afterwards."""
    eng = make_engine(url)
    try:
        repository.ensure_schema(eng)
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def engine(db_url):
    with schema_engine(db_url) as eng:
        yield eng


@pytest.fixture
def tables():
    return base_tables()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the session; skipped without binaries, except in CI."""
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    bin_dir = None if admin_url else find_bin_dir()
    if admin_url is None and bin_dir is None:
        reason = ("PostgreSQL binaries not found: install Debian's postgresql package, or "
                  "set PG_BIN or TEST_POSTGRES_URL")
        missing(reason, "the PostgreSQL tests")
    server = PostgresServer(bin_dir, admin_url)
    try:
        server.start()
    except PostgresUnavailable as exc:
        server.stop()
        pytest.fail(f"PostgreSQL did not start: {exc}", pytrace=False)
    server.prepare_template(_create_schema)
    yield server
    server.stop()


def _create_schema(url: str) -> None:
    with schema_engine(url):
        pass


@pytest.fixture(params=BACKENDS)
def any_db_url(request, tmp_path):
    """A fresh empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture
def any_engine(any_db_url):
    with schema_engine(any_db_url) as eng:
        yield eng


@pytest.fixture(scope="session")
def redis_server():
    """A throwaway redis-server for the session; skipped without the binary, except in CI."""
    from tests.redis_server import RedisServer, RedisUnavailable, find_redis_server

    url = os.environ.get("TEST_REDIS_URL")
    binary = None if url else find_redis_server()
    if url is None and binary is None:
        missing("redis-server not found: install Debian's redis-server package, or set "
                "REDIS_SERVER or TEST_REDIS_URL", "the Redis tests")
    server = RedisServer(binary, url)
    try:
        server.start()
    except RedisUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """The throwaway server's URL, its database empty."""
    redis_server.flush()
    return redis_server.url
