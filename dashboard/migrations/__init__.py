"""Schema migrations with Alembic, driven from Python (no ``alembic.ini`` needed).

The revisions are in ``versions/`` beside this file, one file per change of the schema,
each written out in full (``0001`` is the schema as released before migrations existed).
The script location is this package's folder, so it works from any working directory and
from an installed package.

What a database can be, seen from here (:func:`inspect_state`):

``empty``        none of the dashboard's tables: the migrations create the schema;
``unversioned``  made before migrations existed (the tables, no ``alembic_version``): it is
                 recognised as the revision its tables match and stamped so;
``behind``       an older revision: ``python -m dashboard db upgrade`` brings it to head;
``current``      at head;
``unknown``      a revision this code does not know (a newer dashboard wrote it);
``incomplete``   some of the dashboard's tables but not all, and no revision: not ours to
                 touch.

The functions here work on a connection the caller holds in a transaction (see
:func:`dashboard.data.repository.ensure_schema`, which holds the import lock so that processes
starting together do not migrate twice).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

SCRIPT_LOCATION = Path(__file__).resolve().parent
VERSION_TABLE = "alembic_version"

# The tables of the schema as released before migrations existed (revision 0001).
RELEASED_TABLES = frozenset({
    "agreements", "parties", "clusters", "targets", "occupancy", "staffing", "cost_shares",
    "costs", "outcomes", "indicators", "imports", "import_agreements", "import_backup",
})


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands: its revision (recorded, or recognised) and the head."""

    status: str  # empty | unversioned | behind | current | unknown | incomplete
    revision: str | None
    head: str

    @property
    def pending(self) -> list[str]:
        """The revisions an upgrade would apply, oldest first."""
        if self.status in ("unknown", "incomplete", "current"):
            return []
        return pending_revisions(self.revision)

    @property
    def needs_upgrade(self) -> bool:
        return bool(self.pending)


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, built in code; ``connection`` is the one to migrate."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head() -> str:
    """The newest revision this code knows."""
    return script_directory().get_current_head()


def revisions() -> list[Script]:
    """Every revision, oldest first."""
    return list(reversed(list(script_directory().walk_revisions())))


def pending_revisions(revision: str | None) -> list[str]:
    """The revisions after ``revision`` up to head, oldest first (all for None)."""
    ids = [r.revision for r in revisions()]
    if revision is None:
        return ids
    return ids[ids.index(revision) + 1:] if revision in ids else []


def recorded_revision(conn: Connection) -> str | None:
    """The revision in ``alembic_version`` (None when there is none)."""
    return MigrationContext.configure(conn).get_current_revision()


def recognise_unversioned(conn: Connection) -> str:
    """The revision an unversioned database's tables match.

    0001 is the schema as released (main at 820dc35); a database that a later main
    created before migrations came (e81db3f on) already has 0002's columns.
    """
    columns = {c["name"] for c in inspect(conn).get_columns("agreements")}
    return "0002" if {"kind", "municipalities"} <= columns else "0001"


def inspect_state(conn: Connection) -> SchemaState:
    """Where the database behind ``conn`` stands (reads only)."""
    top = head()
    tables = set(inspect(conn).get_table_names())
    ours = tables & RELEASED_TABLES
    recorded = recorded_revision(conn) if VERSION_TABLE in tables else None
    if recorded is None:
        if not ours:
            return SchemaState("empty", None, top)
        if ours != RELEASED_TABLES:
            return SchemaState("incomplete", None, top)
        return SchemaState("unversioned", recognise_unversioned(conn), top)
    try:
        script_directory().get_revision(recorded)
    except CommandError:
        return SchemaState("unknown", recorded, top)
    if recorded == top:
        return SchemaState("current", recorded, top)
    return SchemaState("behind", recorded, top)


def upgrade(conn: Connection, target: str = "head") -> None:
    """Apply the migrations up to ``target`` in the caller's transaction."""
    command.upgrade(alembic_config(conn), target)


def stamp(conn: Connection, revision: str) -> None:
    """Record ``revision`` without changing any table (an unversioned database)."""
    command.stamp(alembic_config(conn), revision)


class SchemaNotReady(Exception):
    """The database's schema is not the one this code needs, and was left as it is."""

    def __init__(self, state: SchemaState):
        super().__init__(f"schema {state.status}: database at {state.revision}, "
                         f"code at {state.head}")
        self.state = state
