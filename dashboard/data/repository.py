"""The only module that talks SQL. Reads return DataFrames; writes take plain rows.

Every query binds its parameters (SQLAlchemy Core), and every view's read goes
through :func:`load_agreement`, which reads one agreement's rows (by the
``agreement_id`` indexes), never whole tables.
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import (
    ARRAY,
    Float,
    Integer,
    String,
    Table,
    and_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from dashboard.data import migrations
from dashboard.data.db import (
    ALL_GENDERS,
    DEFAULT_LOCK_TIMEOUT,
    data_tables,
    import_agreements,
    import_backup,
    imports,
    is_sqlite,
    kolada_values,
    meetings,
    sum_tables,
)
from dashboard.domain import kolada
from dashboard.domain.kpis import OCCUPANCY_SUMS, OUTCOME_COUNTS, AgreementData, MonthlySums
from dashboard.domain.pnr import contains_identity_number
from dashboard.domain.schema import TABLES

IMPORT_LOCK_KEY = 741_852_963  # PostgreSQL advisory lock id for imports
_CHUNK = 500
_FETCH = 50_000  # rows per batch read or written in bulk
_IDS_PER_STATEMENT = 50_000  # ids in one statement (one array parameter)
# Values bound in one statement of a bulk insert on SQLite (it allows 32 766; a few
# hundred rows per statement are as fast as more).
_VARIABLES = 900


# --------------------------------------------------------------------------- transactions


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see one snapshot of the database."""
    if is_sqlite(engine):
        with engine.connect() as conn, conn.begin():
            yield conn
    else:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
                conn.begin():
            yield conn


# An execution option naming a function of the connection: an engine that has it
# (:func:`dry_run_engine`) rolls every write transaction back instead of committing it,
# after calling the function with the connection (which then sees the data as the
# transaction left it). The import's preview runs the real import on such an engine.
DRY_RUN = "dashboard_dry_run"


class _RolledBack(Exception):
    """Ends a dry run's transaction (rolled back on purpose)."""


def dry_run_engine(engine: Engine, observe) -> Engine:
    """``engine`` whose write transactions are rolled back, ``observe(conn)`` first."""
    return engine.execution_options(**{DRY_RUN: observe})


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the import lock (see :func:`_locked_transaction`); on an
    engine of :func:`dry_run_engine` it is observed, then rolled back."""
    observe = engine.get_execution_options().get(DRY_RUN)
    if observe is None:
        with _locked_transaction(engine) as conn:
            yield conn
        return
    try:
        with _locked_transaction(engine) as conn:
            yield conn
            observe(conn)
            raise _RolledBack
    except _RolledBack:
        pass


@contextmanager
def _locked_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction holding the import lock: imports run one at a time.

    A second import waits for the lock up to ``import_lock_timeout`` seconds (an
    execution option of the engine; default :data:`~dashboard.data.db.DEFAULT_LOCK_TIMEOUT`),
    then fails with an error that :func:`is_busy_error` recognises.
    """
    if is_sqlite(engine):
        # The wait is the busy timeout that the "begin" hook in db.py sets.
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, \
                conn.begin():
            yield conn
    else:
        wait = float(engine.get_execution_options().get("import_lock_timeout",
                                                        DEFAULT_LOCK_TIMEOUT))
        with engine.connect() as conn, conn.begin():
            usual = conn.execute(select(func.current_setting("lock_timeout"))).scalar_one()
            conn.execute(select(func.set_config("lock_timeout", f"{int(wait * 1000)}ms",
                                                True)))
            conn.execute(select(func.pg_advisory_xact_lock(IMPORT_LOCK_KEY)))
            conn.execute(select(func.set_config("lock_timeout", usual, True)))
            yield conn


_BUSY_SQLSTATES = {"55P03", "40001", "40P01"}  # lock_not_available, serialization, deadlock


def is_busy_error(exc: BaseException) -> bool:
    """True when a database error means "another import holds the lock": try again."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    text_ = str(orig).lower()
    return "database is locked" in text_ or "database is busy" in text_


@dataclass(frozen=True)
class SchemaChange:
    """What :func:`ensure_schema` did: ``created``, ``stamped`` or ``upgraded``."""

    action: str
    from_revision: str | None
    to_revision: str


def ensure_schema(engine: Engine, *, upgrade: bool = False) -> SchemaChange | None:
    """Make sure the database has the schema this code needs (see :mod:`.migrations`).

    An empty database gets it from the migrations; one made before migrations existed is
    stamped with the revision its tables match; an older revision is upgraded only with
    ``upgrade`` (else :class:`~dashboard.data.migrations.SchemaNotReady`, as for a revision
    this code does not know). Cheap when the schema is current (one look at the
    catalogue, then remembered per engine); any change runs under the import lock, so
    that several processes starting at once (web workers, an import) do it once.
    """
    if engine in _SCHEMA_READY:
        return None
    with engine.connect() as conn:
        state = migrations.inspect_state(conn)
    change = None
    if state.status != "current":
        change = _prepare_schema(engine, upgrade)
    _SCHEMA_READY.add(engine)
    return change


def _prepare_schema(engine: Engine, upgrade: bool) -> SchemaChange | None:
    refused = None
    change = None
    with write_transaction(engine) as conn:
        state = migrations.inspect_state(conn)  # again, now holding the lock
        if state.status in ("unknown", "incomplete"):
            raise migrations.SchemaNotReady(state)
        if state.status == "unversioned":
            migrations.stamp(conn, state.revision)
            change = SchemaChange("stamped", None, state.revision)
        if state.status == "empty":
            migrations.upgrade(conn)
            change = SchemaChange("created", None, state.head)
        elif state.needs_upgrade and upgrade:
            migrations.upgrade(conn)
            change = SchemaChange("upgraded", state.revision, state.head)
        elif state.needs_upgrade:
            refused = migrations.SchemaState("behind", state.revision, state.head)
    if refused is not None:  # the stamp, if any, is kept: it only says what is there
        raise migrations.SchemaNotReady(refused)
    return change


_SCHEMA_READY: weakref.WeakSet = weakref.WeakSet()


def schema_state(engine: Engine) -> migrations.SchemaState:
    """Where the database's schema stands (reads only)."""
    with engine.connect() as conn:
        return migrations.inspect_state(conn)


def upgrade_schema(engine: Engine) -> tuple[migrations.SchemaState, SchemaChange | None]:
    """``db upgrade``: create, stamp and upgrade as needed; the state before, what was done."""
    with engine.connect() as conn:
        before = migrations.inspect_state(conn)
    _SCHEMA_READY.discard(engine)
    return before, ensure_schema(engine, upgrade=True)


# --------------------------------------------------------------------------- reading


def _frame(conn: Connection, stmt, table) -> pd.DataFrame:
    return _frame_of(*_fetch(conn, stmt, table))


def _fetch(conn: Connection, stmt, table) -> tuple[list[tuple], list[str]]:
    """A query's rows as plain tuples, and its columns' names."""
    result = conn.execute(stmt)
    # Plain tuples: pandas reads SQLAlchemy's rows ten times slower (it probes each one).
    rows = [tuple(r) for r in result.fetchall()]
    return rows, list(result.keys()) if rows else [c.name for c in table.columns]


def _frame_of(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return _blank_is_none(pd.DataFrame.from_records(rows, columns=columns))


def _within(fetched: tuple[list[tuple], list[str]], months: tuple[str, str] | None,
            union: tuple[str, str] | None) -> tuple[list[tuple], list[str]]:
    """The fetched rows of a monthly table whose month is in ``months``, in their order, as
    a query limited to ``months`` gives them (the rows were read for ``union``)."""
    rows, columns = fetched
    if months == union or "month" not in columns:
        return fetched
    at = columns.index("month")
    first, last = months
    return [r for r in rows if r[at] is not None and first <= r[at] <= last], columns


def _blank_is_none(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns hold ``None`` where the database holds NULL.

    pandas 3 makes a text column with a NULL a ``str`` column holding NaN, which is
    truthy and compares with nothing: ``rec["valid_to"] or default`` would go wrong.
    """
    for name, column in list(frame.items()):  # column by column: a few times cheaper
        if isinstance(column.dtype, pd.StringDtype):
            nulls = column.isna().to_numpy()
            if nulls.any():
                values = column.to_numpy(dtype=object)
                values[nulls] = None
                frame[name] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def stored_rows(conn: Connection, table_name: str, agreement_ids: list[str],
                columns: list[str] | None = None) -> pd.DataFrame:
    """All stored rows of a table for some agreements (by default every column, with
    ``id`` and ``import_id``), in the order they were stored.

    Compact for millions of rows: read in batches, each column's equal values share one
    Python object (object columns, ``None`` for NULL); ``id`` and ``import_id`` are
    integer columns."""
    t = data_tables[table_name]
    names = columns or [c.name for c in t.columns]
    parts: dict[str, list] = {c: [] for c in names}
    shared: dict[str, dict] = {c: {} for c in names}
    ids = sorted(agreement_ids)
    for i in range(0, len(ids), _CHUNK):
        stmt = (select(*[t.c[c] for c in names])
                .where(t.c.agreement_id.in_(ids[i:i + _CHUNK])).order_by(t.c.id))
        result = conn.execute(stmt, execution_options={"stream_results": True})
        while batch := result.fetchmany(_FETCH):
            for name, values in zip(names, zip(*batch, strict=True), strict=True):
                if name in ("id", "import_id"):
                    parts[name].append(np.fromiter(values, dtype=np.int64, count=len(values)))
                else:
                    codes, uniques = pd.factorize(_objects(values))
                    same = shared[name]
                    canonical = [same.setdefault(u, u) for u in uniques]
                    parts[name].append(_objects([*canonical, None])[codes])
    data = {}
    for name in names:
        dtype = np.int64 if name in ("id", "import_id") else object
        data[name] = np.concatenate(parts[name]) if parts[name] else np.empty(0, dtype=dtype)
    return pd.DataFrame({n: pd.Series(v, dtype=v.dtype, copy=False) for n, v in data.items()},
                        copy=False)


def _objects(values: list) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


def list_agreements(engine: Engine) -> pd.DataFrame:
    """Every agreement with the time of its latest import (``data_as_of``)."""
    with read_transaction(engine) as conn:
        return list_agreements_in(conn)


def list_agreements_in(conn: Connection) -> pd.DataFrame:
    a = data_tables["agreements"]
    latest = (select(import_agreements.c.agreement_id,
                     func.max(imports.c.imported_at).label("data_as_of"))
              .join(imports, imports.c.id == import_agreements.c.import_id)
              .where(imports.c.status == "active")
              .group_by(import_agreements.c.agreement_id)).subquery()
    stmt = (select(a.c.agreement_id, a.c.name, a.c.valid_from, a.c.valid_to, a.c.description,
                   a.c.kind, a.c.municipalities, a.c.meetings_per_year, latest.c.data_as_of)
            .outerjoin(latest, latest.c.agreement_id == a.c.agreement_id)
            .order_by(a.c.id))
    result = conn.execute(stmt)
    return _blank_is_none(pd.DataFrame(result.fetchall(), columns=list(result.keys())))


def load_agreement(engine: Engine, agreement_id: str,
                   months: tuple[str, str] | None = None) -> AgreementData | None:
    """One agreement's rows, in one snapshot; monthly tables limited to ``months``."""
    with read_transaction(engine) as conn:
        return load_agreement_in(conn, agreement_id, months)


def load_agreement_in(conn: Connection, agreement_id: str,
                      months: tuple[str, str] | None = None) -> AgreementData | None:
    return load_agreement_windows_in(conn, agreement_id, [months])[0]


def load_agreement_windows(engine: Engine, agreement_id: str,
                           windows: list[tuple[str, str] | None]) -> list[AgreementData | None]:
    """:func:`load_agreement` for each window of months, from one read in one snapshot
    (of the months of them all): a view and its trend strips for the price of one read.
    Each is built from its own rows exactly as :func:`load_agreement` builds it."""
    with read_transaction(engine) as conn:
        return load_agreement_windows_in(conn, agreement_id, windows)


def load_agreement_windows_in(conn: Connection, agreement_id: str,
                              windows: list[tuple[str, str] | None]
                              ) -> list[AgreementData | None]:
    a = data_tables["agreements"]
    row = conn.execute(select(a).where(a.c.agreement_id == agreement_id)).mappings().first()
    if row is None:
        return [None] * len(windows)
    union = None if None in windows else (min(w[0] for w in windows),
                                          max(w[1] for w in windows))
    fetched = {}
    for name in ("parties", "clusters", "targets", "occupancy", "staffing", "cost_shares",
                 "costs", "outcomes", "indicators", "indicator_defs"):
        t = data_tables[name]
        stmt = select(t).where(t.c.agreement_id == agreement_id)
        if union is not None and "month" in t.c:
            stmt = stmt.where(t.c.month >= union[0], t.c.month <= union[1])
        fetched[name] = _fetch(conn, stmt.order_by(t.c.id), t)
    imports_of = _imports_of(conn, agreement_id)
    meeting_rows = meetings_of(conn, [agreement_id])
    # The monthly sums as kept at the last import or undo (the key figures' input).
    sums = [_fetch(conn, stmt, s) for s, stmt in _sum_queries([agreement_id], union)]
    # Kolada's values for its municipalities and the country (the view's context), and
    # its ``kolada:KPI`` targets read as indicators (contract section 9).
    places = [*kolada.municipalities_of(row["municipalities"]), kolada.COUNTRY]
    context = kolada_values_in(conn, places)
    out = []
    for n, months in enumerate(windows):
        frames = {name: _frame_of(*_within(f, months, union)) for name, f in fetched.items()}
        # Each window its own frames: nothing computed from one is seen by another.
        frames["imports"] = imports_of if n == 0 else imports_of.copy()
        frames["meetings"] = meeting_rows if n == 0 else meeting_rows.copy()
        kept = MonthlySums(*(_sum_frame(*_within(f, months, union)) for f in sums))
        values = context if n == 0 else context.copy()
        frames["indicators"], frames["indicator_defs"] = _with_kolada(
            frames["indicators"], frames["indicator_defs"], values,
            [(agreement_id, row["municipalities"])], frames["targets"])
        out.append(AgreementData(agreement=dict(row), **frames, sums=kept, kolada=values))
    return out


def _with_kolada(indicators: pd.DataFrame, defs: pd.DataFrame, values: pd.DataFrame,
                 agreements: list[tuple[str, str | None]],
                 targets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``indicators`` and ``defs`` with the ``kolada:KPI`` indicators of ``agreements``."""
    if targets.empty or not targets["kpi"].astype(str).str.startswith(kolada.PREFIX).any():
        return indicators, defs
    more_rows, more_defs = [], []
    for agreement_id, municipalities in agreements:
        rows, new_defs = kolada.indicator_rows(
            values, agreement_id, municipalities,
            targets[targets["agreement_id"] == agreement_id])
        more_rows.append(rows)
        more_defs.append(new_defs)
    def joined(frame, extra):
        extra = [e for e in extra if not e.empty]
        if not extra:
            return frame
        return pd.concat([frame, *extra], ignore_index=True) if not frame.empty else \
            pd.concat(extra, ignore_index=True)
    return joined(indicators, more_rows), joined(defs, more_defs)


def meetings_of(conn: Connection, agreement_ids: list[str] | None = None) -> pd.DataFrame:
    """The steering meetings of some agreements (or all): agreement_id, id, held_on, status
    (the key figure ``meetings`` counts the closed ones held in a period)."""
    stmt = select(meetings.c.agreement_id, meetings.c.id, meetings.c.held_on,
                  meetings.c.status)
    if agreement_ids is not None:
        stmt = stmt.where(meetings.c.agreement_id.in_(sorted(agreement_ids)))
    rows = [tuple(r) for r in conn.execute(stmt.order_by(meetings.c.id))]
    return pd.DataFrame(rows, columns=["agreement_id", "id", "held_on", "status"])


def _imports_of(conn: Connection, agreement_id: str) -> pd.DataFrame:
    stmt = (select(imports.c.id, imports.c.imported_at, imports.c.file_name,
                   imports.c.rows_json)
            .join(import_agreements, import_agreements.c.import_id == imports.c.id)
            .where(import_agreements.c.agreement_id == agreement_id,
                   imports.c.status == "active")
            .order_by(imports.c.id))
    result = conn.execute(stmt)
    return _blank_is_none(pd.DataFrame(result.fetchall(), columns=list(result.keys())))


def month_span(engine: Engine, agreement_id: str) -> tuple[str, str] | None:
    """The first and last month with any monthly data for the agreement."""
    lows, highs = [], []
    with read_transaction(engine) as conn:
        for name in ("occupancy", "staffing", "costs", "outcomes"):
            t = data_tables[name]
            lo, hi = conn.execute(select(func.min(t.c.month), func.max(t.c.month))
                                  .where(t.c.agreement_id == agreement_id)).one()
            if lo:
                lows.append(lo)
                highs.append(hi)
    return (min(lows), max(highs)) if lows else None


def get_agreement(engine: Engine, agreement_id: str) -> dict | None:
    """The agreement's own row (name, validity, kind, …), or ``None``."""
    a = data_tables["agreements"]
    with read_transaction(engine) as conn:
        row = conn.execute(select(a).where(a.c.agreement_id == agreement_id)).mappings().first()
    return dict(row) if row else None


def indicator_periods(engine: Engine, agreement_id: str) -> list[str]:
    """The distinct periods of the agreement's indicator rows (for the period picker)."""
    t = data_tables["indicators"]
    with read_transaction(engine) as conn:
        rows = conn.execute(select(t.c.period).where(t.c.agreement_id == agreement_id)
                            .distinct()).scalars().all()
    return sorted(rows)


def is_empty(engine: Engine) -> bool:
    """True when no agreement is stored (first start)."""
    a = data_tables["agreements"]
    with read_transaction(engine) as conn:
        return conn.execute(select(func.count()).select_from(a)).scalar_one() == 0


# --------------------------------------------------------------------------- writing


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def record_import(conn: Connection, file_name: str, sha256: str, mode: str,
                  rows: dict[str, int], agreement_ids: list[str]) -> int:
    """Add an entry to the import log; returns its id.

    A file name that looks like it holds a personal identity number is never stored
    (the importer refuses such files before; this is the last line of defence)."""

    if contains_identity_number(file_name):
        file_name = ""
    result = conn.execute(insert(imports).values(
        imported_at=_now(), file_name=file_name[:255], file_sha256=sha256, mode=mode,
        rows_json=json.dumps(rows), agreements_json=json.dumps(sorted(agreement_ids)),
        status="active"))
    import_id = int(result.inserted_primary_key[0])
    if agreement_ids:
        conn.execute(insert(import_agreements), [
            {"import_id": import_id, "agreement_id": a} for a in sorted(agreement_ids)])
    return import_id


def complete_import(conn: Connection, import_id: int, file_name: str, sha256: str,
                    rows: dict[str, int], agreement_ids: list[str]) -> None:
    """Fill in an import log entry begun by :func:`record_import` with placeholders (the
    importer starts writing rows before it has read the whole file), in the same
    transaction. The time is the completion's."""

    if contains_identity_number(file_name):
        file_name = ""
    conn.execute(update(imports).where(imports.c.id == import_id).values(
        imported_at=_now(), file_name=file_name[:255], file_sha256=sha256,
        rows_json=json.dumps(rows), agreements_json=json.dumps(sorted(agreement_ids))))
    if agreement_ids:
        conn.execute(insert(import_agreements), [
            {"import_id": import_id, "agreement_id": a} for a in sorted(agreement_ids)])


def replace_rows(conn: Connection, import_id: int, table_name: str, remove,
                 add: pd.DataFrame) -> None:
    """Back up and delete the stored rows with the ids ``remove``, then insert ``add``
    (the file's typed rows, plain Python values) for this import. In bulk, in the
    caller's transaction (see :func:`insert_rows`)."""
    t = data_tables[table_name]
    db_columns = [c.name for c in t.columns]
    ids = np.sort(np.asarray(remove, dtype=np.int64))
    step = _ids_per_statement(conn)
    for i in range(0, len(ids), step):
        among = _ids_among(conn, t.c.id, ids[i:i + step])
        result = conn.execute(select(t).where(among).order_by(t.c.id))
        while batch := result.fetchmany(_FETCH):
            texts = _json_rows(t, batch)
            rows = np.empty((len(texts), 3), dtype=object)
            rows[:, 0], rows[:, 1], rows[:, 2] = import_id, table_name, texts
            insert_rows(conn, import_backup, ["import_id", "table_name", "row_json"], rows)
        conn.execute(delete(t).where(among))
    value_columns = [c for c in db_columns if c not in ("id", "import_id")]
    arrays = [add[c].to_numpy(dtype=object) for c in value_columns]
    for i in range(0, len(add), _FETCH):
        n = min(_FETCH, len(add) - i)
        rows = np.empty((n, 1 + len(arrays)), dtype=object)
        rows[:, 0] = import_id
        for k, values in enumerate(arrays, start=1):
            rows[:, k] = values[i:i + n]
        insert_rows(conn, t, ["import_id", *value_columns], rows)


def _ids_among(conn: Connection, column, ids: np.ndarray):
    """``column IN ids`` with the ids as one parameter (an array on PostgreSQL, a JSON
    array on SQLite): thousands of ids without thousands of bound values."""
    values = [int(v) for v in ids]
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam("ids", values, type_=ARRAY(Integer)))
    if _has_json_each(conn):
        listed = func.json_each(bindparam("ids", json.dumps(values))).table_valued("value")
        return column.in_(select(listed.c.value))
    return column.in_(values)


def _has_json_each(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite" and conn.dialect.dbapi.sqlite_version_info >= (3, 38)


def _ids_per_statement(conn: Connection) -> int:
    """Ids in one statement: many as one array parameter, else a few hundred binds."""
    if conn.dialect.name == "postgresql" or _has_json_each(conn):
        return _IDS_PER_STATEMENT
    return _CHUNK


def insert_rows(conn: Connection, table, columns: list[str], rows: np.ndarray) -> None:
    """Insert ``rows`` (an object array, one row per line, plain Python values in the
    order of ``columns``) into ``table`` in bulk, within the connection's transaction:
    PostgreSQL's ``COPY`` through psycopg 3; elsewhere ``executemany`` of statements
    that insert many rows each."""
    if not len(rows):
        return
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        _copy_rows(conn, table, columns, rows)
        return
    single = str(insert(table).compile(dialect=conn.dialect, column_keys=columns))
    positions = insert(table).compile(dialect=conn.dialect, column_keys=columns).positiontup
    order = [columns.index(name) for name in positions]
    if order != list(range(len(columns))):
        rows = rows[:, order]
    head, group = single.rsplit(" VALUES ", 1)
    per = max(1, _VARIABLES // len(columns))  # rows per statement
    whole = len(rows) // per * per
    if whole:
        many = f"{head} VALUES {', '.join([group] * per)}"
        params = rows[:whole].reshape(-1, per * len(columns)).tolist()
        conn.exec_driver_sql(many, list(map(tuple, params)))
    if whole < len(rows):
        conn.exec_driver_sql(single, list(map(tuple, rows[whole:].tolist())))


def _copy_rows(conn: Connection, table, columns: list[str], rows: np.ndarray) -> None:
    from psycopg import Error, sql

    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns)))
    driver = conn.connection.driver_connection
    try:
        with driver.cursor() as cur, cur.copy(query) as copy:
            write = copy.write_row
            for row in rows.tolist():
                write(row)
    except Error as err:  # as SQLAlchemy reports any other database error
        raise sa_exc.DatabaseError(query.as_string(driver), None, err) from err


def _json_rows(t, rows: list) -> list[str]:
    """Each row as the JSON object ``{"column": value, ...}`` that undo restores, built a
    column at a time: each distinct value encoded once (floats exactly, as ``json``
    writes them), then one template filled per row."""
    names = [c.name for c in t.columns]
    floats = {c.name for c in t.columns if isinstance(c.type, Float)}
    encoded = []
    for name, values in zip(names, zip(*rows, strict=True), strict=True):
        if name in ("id", "import_id"):
            encoded.append(list(map(str, values)))
            continue
        codes, uniques = pd.factorize(_objects(values))
        if name in floats:
            texts = [float.__repr__(float(u)) for u in uniques]
        else:
            texts = [json.dumps(u) for u in uniques]
        encoded.append(_objects([*texts, "null"])[codes].tolist())
    template = "{" + ", ".join(f"{json.dumps(n)}: %s" for n in names) + "}"
    return [template % parts for parts in zip(*encoded, strict=True)]


def list_imports(engine: Engine) -> pd.DataFrame:
    """The import log, newest first."""
    with read_transaction(engine) as conn:
        result = conn.execute(select(imports).order_by(imports.c.id.desc()))
        return _blank_is_none(pd.DataFrame(result.fetchall(), columns=list(result.keys())))


def get_import(conn: Connection, import_id: int) -> dict | None:
    row = conn.execute(select(imports).where(imports.c.id == import_id)).mappings().first()
    return dict(row) if row else None


def later_import_of_same_agreements(conn: Connection, import_id: int) -> dict | None:
    """The newest active import after ``import_id`` that touched one of its agreements."""
    mine = select(import_agreements.c.agreement_id).where(
        import_agreements.c.import_id == import_id)
    stmt = (select(imports.c.id, imports.c.file_name, import_agreements.c.agreement_id)
            .join(import_agreements, import_agreements.c.import_id == imports.c.id)
            .where(and_(imports.c.id > import_id, imports.c.status == "active",
                        import_agreements.c.agreement_id.in_(mine)))
            .order_by(imports.c.id.desc()).limit(1))
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def undo_rows(conn: Connection, import_id: int) -> dict[str, int]:
    """Delete the rows an import wrote and restore the rows it replaced (in bulk)."""
    restored: dict[str, int] = {}
    for t in data_tables.values():
        conn.execute(delete(t).where(t.c.import_id == import_id))
    for table_name in TABLES:  # parents before children
        t = data_tables[table_name]
        names = [c.name for c in t.columns]
        result = conn.execute(select(import_backup.c.row_json)
                              .where(import_backup.c.import_id == import_id,
                                     import_backup.c.table_name == table_name)
                              .order_by(import_backup.c.id),
                              execution_options={"stream_results": True})
        while batch := result.fetchmany(_FETCH):
            # One decoding per batch; a backup from before a column was added lacks it.
            decoded = json.loads("[" + ",".join(text_ for (text_,) in batch) + "]")
            rows = np.empty((len(decoded), len(names)), dtype=object)
            for k, name in enumerate(names):
                rows[:, k] = [r.get(name) for r in decoded]
            insert_rows(conn, t, names, rows)
            restored[table_name] = restored.get(table_name, 0) + len(rows)
    conn.execute(delete(import_backup).where(import_backup.c.import_id == import_id))
    conn.execute(update(imports).where(imports.c.id == import_id)
                 .values(status="undone", undone_at=_now()))
    return restored


# --------------------------------------------------------------------------- monthly sums


def _text(value: str):
    """A constant text column that every database types the same in a UNION."""
    return cast(literal(value), String(64))


def _sums_select(t, columns, chunk: list[str], scope, gender, *where):
    """Sums of ``columns`` per agreement and month, and per cluster and/or gender when
    ``scope``/``gender`` are those columns (else the constants given)."""
    keys = [t.c.agreement_id, t.c.month]
    keys += [t.c.cluster_id] if scope is t.c.cluster_id else []
    keys += [t.c.gender] if gender is t.c.gender else []
    return (select(t.c.agreement_id, scope, t.c.month, gender,
                   *[func.sum(t.c[c]) for c in columns])
            .where(t.c.agreement_id.in_(chunk), *where).group_by(*keys))


def refresh_sums(conn: Connection, agreement_ids) -> None:
    """Recompute the monthly sums of these agreements from their rows (in the import's or
    undo's own transaction, so that readers see sums and rows of the same moment)."""
    ids = sorted(set(agreement_ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        for name, columns in (("occupancy", OCCUPANCY_SUMS), ("outcomes", OUTCOME_COUNTS)):
            t, s = data_tables[name], sum_tables[name]
            conn.execute(delete(s).where(s.c.agreement_id.in_(chunk)))
            query = union_all(
                _sums_select(t, columns, chunk, t.c.cluster_id, _text(ALL_GENDERS)),
                _sums_select(t, columns, chunk, _text(""), _text(ALL_GENDERS)),
                _sums_select(t, columns, chunk, t.c.cluster_id, t.c.gender,
                             t.c.gender != ""),
                _sums_select(t, columns, chunk, _text(""), t.c.gender, t.c.gender != ""))
            conn.execute(insert(s).from_select(
                ["agreement_id", "scope", "month", "gender", *columns], query))
        t, s = data_tables["staffing"], sum_tables["staffing"]
        conn.execute(delete(s).where(s.c.agreement_id.in_(chunk)))
        sums = [func.sum(t.c.committed_fte), func.sum(t.c.actual_fte)]
        whole = (select(t.c.agreement_id, _text(""), t.c.month, t.c.party_id, *sums)
                 .where(t.c.agreement_id.in_(chunk))
                 .group_by(t.c.agreement_id, t.c.month, t.c.party_id))
        clustered = (select(t.c.agreement_id, t.c.cluster_id, t.c.month, t.c.party_id, *sums)
                     .where(t.c.agreement_id.in_(chunk), t.c.cluster_id != "")
                     .group_by(t.c.agreement_id, t.c.cluster_id, t.c.month, t.c.party_id))
        conn.execute(insert(s).from_select(
            ["agreement_id", "scope", "month", "party_id", "committed_fte", "actual_fte"],
            union_all(whole, clustered)))


def load_sums(conn: Connection, agreement_ids: list[str] | None = None,
              months: tuple[str, str] | None = None, *, whole_only: bool = False,
              gender: str = ALL_GENDERS) -> MonthlySums:
    """The kept monthly sums (of all rows, or of one gender's) for some agreements (or all),
    some months, every scope (or only the whole agreements)."""
    return MonthlySums(*(_sum_frame(*_fetch(conn, stmt, s)) for s, stmt in
                         _sum_queries(agreement_ids, months, whole_only, gender)))


def _sum_queries(agreement_ids: list[str] | None, months: tuple[str, str] | None,
                 whole_only: bool = False, gender: str = ALL_GENDERS) -> list[tuple]:
    """(table, query) of the kept sums of occupancy, outcomes and staffing."""
    queries = []
    for name in ("occupancy", "outcomes", "staffing"):
        s = sum_tables[name]
        stmt = select(s)
        if agreement_ids is not None:
            stmt = stmt.where(s.c.agreement_id.in_(sorted(agreement_ids)))
        if months is not None:
            stmt = stmt.where(s.c.month >= months[0], s.c.month <= months[1])
        if whole_only:
            stmt = stmt.where(s.c.scope == "")
        if name != "staffing":
            stmt = stmt.where(s.c.gender == gender)
        # The whole key (one gender is read): rows in one order on every database;
        # PostgreSQL orders ties as it likes, and the parties' FTE are added in order.
        key = [s.c.agreement_id, s.c.scope, s.c.month]
        if name == "staffing":
            key.append(s.c.party_id)
        queries.append((s, stmt.order_by(*key)))
    return queries


def _sum_frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return _frame_of(rows, columns).drop(columns=["gender"], errors="ignore")


def data_versions(conn: Connection) -> tuple[str, dict[str, str]]:
    """The version of all the data and of each agreement's: an import or an undo changes
    it (the newest import's id, and how many were undone), so that what is computed from
    the data can be kept under it and is never read once the data has changed."""
    first, top, undone = conn.execute(select(func.min(imports.c.imported_at),
                                             func.max(imports.c.id),
                                             func.count(imports.c.undone_at))).one()
    # The first import's time tells a database made again (same ids) from the old one.
    epoch = (first or "").replace(":", "").replace("-", "")[:15]
    stmt = (select(import_agreements.c.agreement_id, func.max(imports.c.id),
                   func.count(imports.c.undone_at))
            .join(imports, imports.c.id == import_agreements.c.import_id)
            .group_by(import_agreements.c.agreement_id))
    # Kolada's values are context and ``kolada:KPI`` targets of every agreement: their
    # newest id (a changed value is a new row) is part of every version.
    newest = conn.execute(select(func.max(kolada_values.c.id))).scalar()
    tail = f".k{newest}" if newest else ""
    return (f"{epoch}.{top or 0}.{undone}{tail}",
            {a: f"{epoch}.{t}.{u}{tail}" for a, t, u in conn.execute(stmt)})


# --------------------------------------------------------------------------- many agreements


@dataclass
class ManyAgreements:
    """What a portfolio of agreements needs, read in one snapshot: each agreement's row,
    parties, clusters, targets, indicator rows, cost shares, the span of its months, and
    for some months its monthly sums and costs."""

    agreements: pd.DataFrame
    parties: pd.DataFrame
    clusters: pd.DataFrame
    targets: pd.DataFrame
    indicators: pd.DataFrame
    cost_shares: pd.DataFrame
    costs: pd.DataFrame
    sums: MonthlySums
    spans: pd.DataFrame  # agreement_id, first, last (months with monthly rows)
    # indicator_defs rows, and the steering meetings (agreement_id, id, held_on, status).
    indicator_defs: pd.DataFrame | None = None
    meetings: pd.DataFrame | None = None
    # The staffing rows of the agreements with a target on a role, for the same months
    # as the sums (the per-role FTE figures).
    staffing: pd.DataFrame | None = None


def load_many(engine: Engine, months: tuple[str, str] | None,
              agreement_ids: list[str] | None = None, *,
              window_of: Callable[[ManyAgreements], tuple[str, str] | None] | None = None
              ) -> ManyAgreements:
    """Every agreement (or some) with their monthly sums and costs for ``months`` (all
    months when ``None``).

    ``window_of`` instead decides the months from the rest (each agreement's row, targets,
    indicators and span of months): the portfolio at each agreement's own latest period
    reads only the months those periods need, all in the same snapshot.
    """
    def table(conn, name, with_months=False, window=None):
        t = data_tables[name]
        stmt = select(t)
        if agreement_ids is not None:
            stmt = stmt.where(t.c.agreement_id.in_(sorted(agreement_ids)))
        if with_months and window is not None:
            stmt = stmt.where(t.c.month >= window[0], t.c.month <= window[1])
        return _frame(conn, stmt.order_by(t.c.id), t)

    with read_transaction(engine) as conn:
        agreements = list_agreements_in(conn)
        if agreement_ids is not None:
            agreements = agreements[agreements["agreement_id"].isin(agreement_ids)]
        many = ManyAgreements(
            agreements=agreements.reset_index(drop=True),
            parties=table(conn, "parties"), clusters=table(conn, "clusters"),
            targets=table(conn, "targets"), indicators=table(conn, "indicators"),
            cost_shares=table(conn, "cost_shares"), costs=_empty(data_tables["costs"]),
            sums=MonthlySums(*(_empty(sum_tables[n])
                               for n in ("occupancy", "outcomes", "staffing"))),
            spans=_spans(conn, agreement_ids),
            indicator_defs=table(conn, "indicator_defs"),
            meetings=meetings_of(conn, agreement_ids))
        kolada_agreements = _kolada_agreements(agreements, many.targets)
        if kolada_agreements:
            values = kolada_values_in(conn, sorted({
                m for _, text in kolada_agreements
                for m in kolada.municipalities_of(text)}))
            many.indicators, many.indicator_defs = _with_kolada(
                many.indicators, many.indicator_defs, values, kolada_agreements,
                many.targets)
        window = window_of(many) if window_of is not None else months
        many.costs = table(conn, "costs", True, window)
        many.sums = load_sums(conn, agreement_ids, window)
        many.staffing = _role_staffing(conn, many.targets, window)
        return many


def _kolada_agreements(agreements: pd.DataFrame,
                       targets: pd.DataFrame) -> list[tuple[str, str | None]]:
    """(agreement, municipalities) of the agreements with a ``kolada:KPI`` target."""
    if targets.empty:
        return []
    named = set(targets.loc[targets["kpi"].astype(str).str.startswith(kolada.PREFIX),
                            "agreement_id"])
    return [(a, m) for a, m in zip(agreements["agreement_id"], agreements["municipalities"],
                                   strict=True) if a in named]


def _role_staffing(conn: Connection, targets: pd.DataFrame,
                   window: tuple[str, str] | None) -> pd.DataFrame:
    """The staffing rows (for ``window``) of the agreements that have a target on a role."""
    t = data_tables["staffing"]
    ids = [] if targets.empty or "role" not in targets else \
        sorted(set(targets.loc[targets["role"].fillna("") != "", "agreement_id"]))
    if not ids:
        return _empty(t)
    stmt = select(t).where(t.c.agreement_id.in_(ids))
    if window is not None:
        stmt = stmt.where(t.c.month >= window[0], t.c.month <= window[1])
    return _frame(conn, stmt.order_by(t.c.id), t)


def _empty(t: Table) -> pd.DataFrame:
    """An empty frame with a table's columns."""
    return pd.DataFrame(columns=[c.name for c in t.columns])


def _spans(conn: Connection, agreement_ids: list[str] | None) -> pd.DataFrame:
    """Per agreement the first and last month with monthly rows (from the kept sums of the
    whole agreement, which have a row for every month with any row, and the costs)."""
    spans = []
    tables = [sum_tables[n] for n in ("occupancy", "outcomes", "staffing")]
    for t in [*tables, data_tables["costs"]]:
        stmt = select(t.c.agreement_id, func.min(t.c.month), func.max(t.c.month))
        if t is not data_tables["costs"]:
            stmt = stmt.where(t.c.scope == "")
        if agreement_ids is not None:
            stmt = stmt.where(t.c.agreement_id.in_(sorted(agreement_ids)))
        spans += [tuple(r) for r in conn.execute(stmt.group_by(t.c.agreement_id))]
    span = pd.DataFrame(spans, columns=["agreement_id", "first", "last"])
    return span.groupby("agreement_id", as_index=False).agg(first=("first", "min"),
                                                            last=("last", "max"))


# --------------------------------------------------------------------------- previews


def newest_import(conn: Connection) -> dict | None:
    """The import log's newest entry, as ``conn`` sees it (a dry run's own, inside it)."""
    top = conn.execute(select(func.max(imports.c.id))).scalar()
    return get_import(conn, top) if top is not None else None


def list_clusters(engine: Engine, agreement_ids: list[str] | None = None) -> pd.DataFrame:
    """Every cluster (``agreement_id``, ``cluster_id``, ``name``) of some agreements (or all),
    for pickers and links (dashboard/access)."""
    t = data_tables["clusters"]
    stmt = select(t.c.agreement_id, t.c.cluster_id, t.c.name)
    if agreement_ids is not None:
        stmt = stmt.where(t.c.agreement_id.in_(sorted(agreement_ids)))
    with read_transaction(engine) as conn:
        result = conn.execute(stmt.order_by(t.c.agreement_id, t.c.name))
        return pd.DataFrame(result.fetchall(), columns=["agreement_id", "cluster_id", "name"])


# --------------------------------------------------------------------------- Kolada


def kolada_values_in(conn: Connection, municipalities: list[str],
                     kpis: list[str] | None = None) -> pd.DataFrame:
    """Kolada's stored values (kpi, municipality, period, gender, value; value NaN where
    not published) for some municipalities (and, optionally, key figures)."""
    k = kolada_values
    stmt = select(k.c.kpi, k.c.municipality, k.c.period, k.c.gender, k.c.value) \
        .where(k.c.municipality.in_(sorted(set(municipalities))))
    if kpis is not None:
        stmt = stmt.where(k.c.kpi.in_(sorted(set(kpis))))
    rows = [tuple(r) for r in conn.execute(stmt.order_by(k.c.kpi, k.c.municipality,
                                                         k.c.period, k.c.gender))]
    frame = pd.DataFrame(rows, columns=kolada.COLUMNS)
    frame["value"] = frame["value"].astype(float)
    frame["period"] = frame["period"].astype(int)
    return frame


def kolada_values_of(engine: Engine, municipalities: list[str],
                     kpis: list[str] | None = None) -> pd.DataFrame:
    """:func:`kolada_values_in` in a read transaction of its own."""
    with read_transaction(engine) as conn:
        return kolada_values_in(conn, municipalities, kpis)


@dataclass(frozen=True)
class KoladaStored:
    """What storing Kolada's values did: rows new, changed (replaced) and the same."""

    added: int
    changed: int
    same: int


def store_kolada(engine: Engine, values: pd.DataFrame, source: str) -> KoladaStored:
    """Store Kolada's values (kpi, municipality, period, gender, value), one row per key:
    the same value again is left as it is; a different one replaces the stored row (as a
    new row, so that the data's version changes)."""
    k = kolada_values
    at = _now()
    with write_transaction(engine) as conn:
        stored = {}
        for kpi in sorted(set(values["kpi"])):
            sub = values[values["kpi"] == kpi]
            for i in range(0, len(places := sorted(set(sub["municipality"]))), _CHUNK):
                stmt = select(k.c.id, k.c.kpi, k.c.municipality, k.c.period, k.c.gender,
                              k.c.value).where(k.c.kpi == kpi,
                                               k.c.municipality.in_(places[i:i + _CHUNK]))
                for row in conn.execute(stmt):
                    stored[(row.kpi, row.municipality, row.period, row.gender)] = \
                        (row.id, row.value)
        new, gone, same = [], [], 0
        for kpi, municipality, period, gender, value in values[kolada.COLUMNS].itertuples(
                index=False):
            value = None if value is None or pd.isna(value) else float(value)
            key = (kpi, municipality, int(period), gender)
            old = stored.get(key)
            if old is not None:
                if old[1] == value or (old[1] is None and value is None):
                    same += 1
                    continue
                gone.append(old[0])
            new.append({"kpi": kpi, "municipality": municipality, "period": int(period),
                        "gender": gender, "value": value, "fetched_at": at,
                        "source": source[:255]})
        for i in range(0, len(gone), _CHUNK):
            conn.execute(delete(k).where(k.c.id.in_(gone[i:i + _CHUNK])))
        for i in range(0, len(new), _CHUNK):
            conn.execute(insert(k), new[i:i + _CHUNK])
    return KoladaStored(added=len(new) - len(gone), changed=len(gone), same=same)


def kolada_municipalities(engine: Engine) -> list[str]:
    """The municipalities of every stored agreement (for ``kolada fetch``), in order."""
    a = data_tables["agreements"]
    with read_transaction(engine) as conn:
        texts = conn.execute(select(a.c.municipalities).order_by(a.c.id)).scalars().all()
    return list(dict.fromkeys(m for text in texts for m in kolada.municipalities_of(text)))
