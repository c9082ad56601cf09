"""Database schema and engine.

The tables mirror contract.md section 1 (generated from :mod:`dashboard.domain.schema`), plus
a surrogate ``id``, the ``import_id`` that wrote each row, and for number columns that
may be percentages a ``<column>_unit`` (``%`` or blank). Key columns that may be blank
hold ``''`` so that the unique key constraint works the same on SQLite and PostgreSQL.
Months are ``YYYY-MM`` text and dates ``YYYY-MM-DD`` text: they sort and compare as
text on every database.

Two bookkeeping tables: ``imports`` (the import log) and ``import_backup`` (the rows an
import replaced, so that it can be undone). The people's tables (``accounts``,
``account_roles``, ``sessions``, ``sign_in_attempts``, ``audit_log``) belong to
:mod:`dashboard.access`.

This module describes the schema the code expects; databases get it, and every later
change, through the migrations in ``dashboard/data/migrations/versions/`` (see README,
"Upgrading"). A change here without a migration fails ``tests/test_migrations.py``.

On SQLite, reads run in one transaction (one snapshot) and imports take the write lock
at their start (``BEGIN IMMEDIATE``); the file uses WAL so that readers never wait for a
writer. On PostgreSQL, reads use REPEATABLE READ and imports take an advisory lock.
Either way a second import waits for the first up to ``DEFAULT_LOCK_TIMEOUT`` seconds,
then is refused as busy. Ids are never reused (SQLite ``AUTOINCREMENT``, PostgreSQL
sequences), so undo restores rows with their old ids.
"""

from __future__ import annotations

import hashlib
import time

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine

from dashboard.domain.schema import TABLES, Kind

metadata = MetaData()

# Seconds an import (or undo) waits for another one to finish before it is refused as busy;
# ``engine.execution_options(import_lock_timeout=...)`` sets it per engine.
DEFAULT_LOCK_TIMEOUT = 30.0

_LENGTH = {Kind.ID: 64, Kind.KPI: 64, Kind.LABEL: 100, Kind.MONTH: 7, Kind.DATE: 10, Kind.PERIOD: 7,
           Kind.GENDER: 1, Kind.COMPARATOR: 10}
_NUMERIC = {Kind.COUNT: Integer, Kind.FTE: Float, Kind.MONEY: Float, Kind.SHARE: Float,
            Kind.NUMBER: Float}


def _columns_for(spec) -> list[Column]:
    cols = [Column("id", Integer, primary_key=True, autoincrement=True),
            Column("import_id", Integer, nullable=False, index=True)]
    for c in spec.columns:
        in_key = c.name in spec.key
        if c.kind in _NUMERIC:
            col_type = _NUMERIC[c.kind]
        elif c.kind in (Kind.TEXT, Kind.MUNICIPALITIES):
            col_type = Text
        else:
            col_type = String(_LENGTH[c.kind])
        # Keys are never NULL: an optional key column holds '' when blank.
        cols.append(Column(c.name, col_type, nullable=not (c.required or in_key)))
        if c.kind is Kind.NUMBER:
            cols.append(Column(f"{c.name}_unit", String(1), nullable=False, default=""))
    return cols


data_tables: dict[str, Table] = {}
for _name, _spec in TABLES.items():
    _time = _spec.time_column
    _args = [UniqueConstraint(*_spec.key, name=f"uq_{_name}_key")]
    if _time:
        _args.append(Index(f"ix_{_name}_agreement_{_time}", "agreement_id", _time))
    elif _name != "agreements":
        _args.append(Index(f"ix_{_name}_agreement", "agreement_id"))
    # AUTOINCREMENT: SQLite never hands out an id again once used (like a PostgreSQL
    # sequence), so that undo can put back rows with their old ids.
    data_tables[_name] = Table(_name, metadata, *_columns_for(_spec), *_args,
                               sqlite_autoincrement=True)

imports = Table(
    "imports", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("imported_at", String(32), nullable=False),  # ISO 8601, UTC
    Column("file_name", String(255), nullable=False),
    Column("file_sha256", String(64), nullable=False),
    Column("mode", String(10), nullable=False),  # upsert | replace
    Column("rows_json", Text, nullable=False),  # {"occupancy": 120, ...}
    Column("agreements_json", Text, nullable=False),  # ["krami-sthlm-2023", ...]
    Column("status", String(10), nullable=False, default="active"),  # active | undone
    Column("undone_at", String(32)),
    sqlite_autoincrement=True,
)

import_agreements = Table(
    "import_agreements", metadata,
    Column("import_id", Integer, nullable=False),
    Column("agreement_id", String(64), nullable=False),
    UniqueConstraint("import_id", "agreement_id", name="uq_import_agreements"),
    Index("ix_import_agreements_agreement", "agreement_id", "import_id"),
)

import_backup = Table(
    "import_backup", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("import_id", Integer, nullable=False, index=True),
    Column("table_name", String(40), nullable=False),
    Column("row_json", Text, nullable=False),
)

# Steering meetings (dashboard/meetings; README, "Meetings"): a meeting of one agreement
# reviewing one period; its check-ins per target, decisions and actions. Closing a meeting
# writes ``frozen``: the figures and the rows they came from, as they were (JSON). Times are
# ISO 8601 text in UTC like the import log's, dates ``YYYY-MM-DD``; '' for "no cluster",
# "no party", "no role", "no target" (never NULL: a unique constraint treats NULLs as
# distinct on SQLite and PostgreSQL alike, so '' is what makes "no role" one key). ``role``
# (0007) is a target's staffing role as compared (trimmed, case-insensitive).
meetings = Table(
    "meetings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agreement_id", String(64), nullable=False),
    Column("period", String(32), nullable=False),  # as asked: 2023, 2023-Q2, 2023-01..2023-08
    Column("held_on", String(10), nullable=False),
    Column("title", String(200), nullable=False, default=""),
    Column("attendees", Text, nullable=False, default=""),
    Column("status", String(10), nullable=False, default="open"),  # open | closed
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(254), nullable=False, default=""),
    Column("closed_at", String(32)),
    Column("closed_by", String(254)),
    Column("data_version", String(64)),  # the agreement's data version at closing
    Column("frozen", Text),  # JSON, written once at closing
    Index("ix_meetings_agreement", "agreement_id", "held_on"),
    sqlite_autoincrement=True,
)

meeting_checkins = Table(
    "meeting_checkins", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"),
           nullable=False),
    Column("kpi", String(64), nullable=False),
    Column("cluster_id", String(64), nullable=False, default=""),
    Column("party_id", String(64), nullable=False, default=""),
    Column("assessment", String(10), nullable=False),  # on_track | at_risk | off_track
    Column("comment", Text, nullable=False, default=""),
    Column("written_by", String(254), nullable=False, default=""),
    Column("written_at", String(32), nullable=False),
    Column("role", String(100), nullable=False, default="", server_default=""),
    UniqueConstraint("meeting_id", "kpi", "cluster_id", "party_id", "role",
                     name="uq_meeting_checkins"),
    sqlite_autoincrement=True,
)

meeting_decisions = Table(
    "meeting_decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("kpi", String(64), nullable=False, default=""),  # '': not tied to a target
    Column("cluster_id", String(64), nullable=False, default=""),
    Column("party_id", String(64), nullable=False, default=""),
    Column("written_by", String(254), nullable=False, default=""),
    Column("written_at", String(32), nullable=False),
    Column("role", String(100), nullable=False, default="", server_default=""),
    sqlite_autoincrement=True,
)

meeting_actions = Table(
    "meeting_actions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id", ondelete="CASCADE"),
           nullable=False, index=True),  # the meeting that decided it
    Column("decision_id", Integer, ForeignKey("meeting_decisions.id", ondelete="SET NULL")),
    Column("agreement_id", String(64), nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", String(200), nullable=False),  # a party's id or a person's name
    Column("due", String(10), nullable=False),
    Column("done", Boolean, nullable=False, default=False),
    Column("done_at", String(32)),
    Column("done_by", String(254)),
    Column("done_meeting_id", Integer),  # the meeting where it was marked done, if any
    Column("written_by", String(254), nullable=False, default=""),
    Column("written_at", String(32), nullable=False),
    Index("ix_meeting_actions_agreement", "agreement_id", "done"),
    sqlite_autoincrement=True,
)

# Municipal statistics from Kolada (contract.md section 9; 0008): one row per key figure,
# municipality (SCB code, ``0000`` the country), year and gender (``T``, ``K``, ``M``);
# ``value`` NULL where Kolada publishes nothing (its ``..``). Not an agreement's data: it
# is stored by ``kolada import`` / ``kolada fetch`` and never undone. A changed value is
# written as a new row (a new id), so that the newest id is the Kolada data's version.
kolada_values = Table(
    "kolada_values", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kpi", String(16), nullable=False),
    Column("municipality", String(4), nullable=False),
    Column("period", Integer, nullable=False),  # the year
    Column("gender", String(1), nullable=False),
    Column("value", Float, nullable=True),
    Column("fetched_at", String(32), nullable=False),  # ISO 8601, UTC: imported or fetched
    Column("source", String(255), nullable=False, default=""),  # a file's name, or the URL
    UniqueConstraint("kpi", "municipality", "period", "gender", name="uq_kolada_values"),
    Index("ix_kolada_values_municipality", "municipality", "kpi"),
    sqlite_autoincrement=True,
)

# Monthly sums kept per agreement at every import and undo (repository.refresh_sums):
# per scope ("" for the whole agreement, else the cluster) and month, the sums of the
# rows; ``gender`` "*" for all rows, "K"/"M"/"X" for the rows of that gender. Every key
# figure of any period is a mean, a sum or a minimum over them (dashboard/domain/kpis.py).
ALL_GENDERS = "*"


def _sums_table(name: str, columns: list[Column], extra_key: str) -> Table:
    return Table(
        name, metadata,
        Column("agreement_id", String(64), nullable=False),
        Column("scope", String(64), nullable=False),
        Column("month", String(7), nullable=False),
        Column(extra_key, String(64), nullable=False),
        *columns,
        UniqueConstraint("agreement_id", "scope", "month", extra_key, name=f"uq_{name}"),
        Index(f"ix_{name}_agreement_month", "agreement_id", "month"),
    )


sum_tables: dict[str, Table] = {
    "occupancy": _sums_table("sums_occupancy", [Column(c, Float) for c in (
        "participants", "started", "exited")], "gender"),
    "outcomes": _sums_table("sums_outcomes", [Column(c, Float) for c in (
        "completed", "work", "study", "other", "discontinued")], "gender"),
    "staffing": _sums_table("sums_staffing", [Column(c, Float) for c in (
        "committed_fte", "actual_fte")], "party_id"),
}


# Accounts, roles, sessions, sign-in attempts and the audit log (dashboard/access; README,
# "Sign-in and rights"). Times are ISO 8601 text in UTC, like the import log's; the
# sign-in throttle keeps seconds since the epoch, which it compares.
accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(254), nullable=False, unique=True),  # lower case
    Column("name", String(200), nullable=False, default=""),
    Column("password_hash", String(255)),  # argon2id; NULL: signs in by SSO only
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("source", String(10), nullable=False, default="local"),  # local|oidc|header
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("last_sign_in_at", String(32)),
    sqlite_autoincrement=True,
)

account_roles = Table(
    "account_roles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"),
           nullable=False),
    Column("agreement_id", String(64), nullable=False),
    Column("cluster_id", String(64), nullable=False, default=""),  # '': the whole agreement
    Column("role", String(10), nullable=False),  # viewer | member | steward
    Column("granted_at", String(32), nullable=False),
    Column("granted_by", String(254), nullable=False, default=""),
    UniqueConstraint("account_id", "agreement_id", "cluster_id", name="uq_account_roles"),
    Index("ix_account_roles_agreement", "agreement_id"),
    sqlite_autoincrement=True,
)

sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the token in the cookie
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("via", String(10), nullable=False),  # password | oidc
    Column("created_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
)

sign_in_attempts = Table(
    "sign_in_attempts", metadata,
    Column("key", String(300), primary_key=True),  # login:<login> | address:<ip>
    Column("failures", Integer, nullable=False, default=0),
    Column("last_failure", Float, nullable=False),  # seconds since the epoch
    Column("blocked_until", Float, nullable=False, default=0.0),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False, index=True),
    Column("actor", String(254), nullable=False),  # a login, "cli:<user>", "local-admin"
    Column("action", String(40), nullable=False),
    Column("agreement_id", String(64)),
    Column("cluster_id", String(64)),
    Column("object", String(254)),  # an import id, an account's login
    Column("detail", Text, nullable=False, default="{}"),  # JSON: ids and counts only
    Column("address", String(64)),
    sqlite_autoincrement=True,
)


def database_key(url: str) -> str:
    """A short digest naming one database by its URL: for what is kept per database
    outside it (the figure cache's keys, the uploads' default folder), so that two
    dashboards on one machine never share it."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``url`` with the transaction behaviour described above."""
    if url.startswith("sqlite"):
        connect_args = {"timeout": 30, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute(f"PRAGMA busy_timeout={int(DEFAULT_LOCK_TIMEOUT * 1000)}")
            _use_wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            options = conn.get_execution_options()
            mode = options.get("sqlite_begin", "")
            # How long an import waits for another one to finish before "busy" (reads
            # in WAL mode hardly ever wait; they keep the default).
            wait = float(options.get("import_lock_timeout", DEFAULT_LOCK_TIMEOUT)
                         if mode == "IMMEDIATE" else DEFAULT_LOCK_TIMEOUT)
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait * 1000)}")
            conn.exec_driver_sql(f"BEGIN {mode}".strip())

        return engine
    # UTF-8 on the wire whatever the database holds (so that a database in another
    # encoding can be recognised and refused with a message, dashboard/data/startup.py), and a
    # server that does not answer is reported within seconds rather than hanging a page.
    connect_args = {"client_encoding": "utf8", "connect_timeout": 10} \
        if url.startswith("postgresql") else {}
    connect_args.update(kwargs.pop("connect_args", {}))
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    return engine


def _use_wal(cur) -> None:
    """Switch the file to WAL (it stays so). Switching needs the file to itself and does
    not wait for other connections, so several processes opening a new file at once
    retry for a while instead of failing with "database is locked"."""
    import sqlite3

    deadline = time.monotonic() + DEFAULT_LOCK_TIMEOUT
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
