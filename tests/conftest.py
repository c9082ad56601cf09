"""Shared fixtures: a fresh SQLite database file per test, and dataset builders."""

from __future__ import annotations

import pytest

from dashboard import repository
from dashboard.db import make_engine
from tests.builders import base_tables


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    repository.ensure_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def tables():
    return base_tables()
