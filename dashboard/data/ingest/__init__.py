"""Import a dataset: read, validate, and upsert or replace in one transaction.

:func:`import_dataset` never raises for bad input: it returns an :class:`ImportResult`
whose ``problems`` list every reason the import was refused; then nothing is stored.
:func:`undo_import` takes one import back.

The dataset is read one file at a time, the biggest first, and parsed a column at a
time (see :mod:`.readers` and :mod:`.validate`). The rows go to the database in bulk
(see :func:`dashboard.data.repository.replace_rows`), all in the one transaction that holds
the import lock, which a thread of its own runs (:class:`_WriteThread`): in upsert mode
each table is written as soon as it is parsed, while no problem has been found, so that
the database inserts one table while the next is parsed. The rules across tables then
look at the data as it would be after the import; any problem rolls everything back.
Readers see the data before or after, never a mix. The limits (file size, rows per
table, cells per workbook) are settings.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from dataclasses import replace as replace_
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from dashboard.config import load_settings
from dashboard.data import repository
from dashboard.data.ingest.problems import ImportRefused, Problem
from dashboard.data.ingest.readers import ImportLimits, read_dataset
from dashboard.data.ingest.validate import (
    FILE_ORIGIN,
    AfterState,
    ParsedTable,
    check_after,
    checked_columns,
    group_ids,
    is_none,
    normalise_forecast,
    normalise_indicator_defs,
    normalise_target_values,
    object_frame,
    parse_table,
)
from dashboard.domain.pnr import contains_identity_number
from dashboard.domain.schema import TABLES

DEFAULT_MAX_BYTES = ImportLimits().max_bytes

log = logging.getLogger(__name__)


@dataclass
class ImportResult:
    ok: bool
    source: str
    import_id: int | None = None
    rows: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Seconds: reading and parsing; the rules across tables (with what is stored); the
    # rest of the writing and the commit (the database writes while the file is parsed).
    timings: dict[str, float] = field(default_factory=dict)

    def messages(self, lang: str = "sv") -> list[str]:
        return [p.message(lang) for p in self.problems]


@dataclass
class UndoResult:
    ok: bool
    import_id: int
    restored: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _sort_key(p: Problem):
    order = list(TABLES)
    return (p.file or "", order.index(p.table) if p.table in order else -1,
            p.row if p.row is not None else -1, p.letter or "", p.column or "")


def import_limits(max_bytes: int | None = None) -> ImportLimits:
    """The limits of the settings (environment), with ``max_bytes`` instead if given."""

    limits = load_settings().import_limits
    return limits if max_bytes is None else replace_(limits, max_bytes=max_bytes)


def parse_dataset(path: Path, max_bytes: int | None = None,
                  limits: ImportLimits | None = None):
    """Read and type a dataset without touching the database.

    Returns ``(raw, parsed, problems)``; ``parsed`` in the order of :data:`TABLES`."""
    limits = limits or import_limits(max_bytes)
    raw = read_dataset(Path(path), limits)
    problems: list[Problem] = []
    found: dict[str, ParsedTable] = {}
    for table, table_problems in _parsed_tables(raw):
        found[table.name] = table
        problems += table_problems
    problems = list(raw.problems) + problems
    parsed = {name: found[name] for name in TABLES if name in found}
    return raw, parsed, problems


def _parsed_tables(raw):
    """``(table, its problems)`` for each table of the dataset, in reading order; a
    table whose reading failed half-way is left out (the reader said why)."""
    for table in raw.tables():
        parsed_table, table_problems = parse_table(table)
        if table.failed:
            continue
        if table.name == "targets":
            parsed_table.frame = normalise_target_values(parsed_table.frame)
        if table.name == "indicator_defs":
            parsed_table.frame = normalise_indicator_defs(parsed_table.frame)
        if table.name == "agreements":
            parsed_table.frame = normalise_forecast(parsed_table.frame)
        yield parsed_table, table_problems


def _file_agreements(parsed: dict[str, ParsedTable]) -> list[str]:
    ids: set[str] = set()
    for table in parsed.values():
        ids |= {a for a in pd.unique(table.frame["agreement_id"].to_numpy()) if a}
    return sorted(ids)


def _after_frame(columns: list[str], stored: pd.DataFrame, keep=None) -> dict:
    """Stored rows (those ``keep`` selects) as after-state columns."""
    keep = slice(None) if keep is None else keep
    after = {c: stored[c].to_numpy(dtype=object)[keep] for c in columns}
    after["_origin"] = stored["import_id"].to_numpy(dtype=np.int64)[keep]
    after["_row"] = np.full(len(after["_origin"]), -1, dtype=np.int64)
    return after


def merge_table(name: str, stored: pd.DataFrame, table: ParsedTable, replace: bool,
                agreement_ids: list[str]) -> tuple[dict, dict, np.ndarray]:
    """One table after the import: ``(stored rows kept, the file's rows, ids of the
    stored rows removed)``, the first two as after-state columns (see
    :class:`.validate.AfterState`)."""
    spec = TABLES[name]
    columns, key = checked_columns(spec), list(spec.key)
    frame = table.frame
    complete = np.ones(len(frame), dtype=bool)
    for c in key:
        complete &= ~is_none(frame[c].to_numpy())
    if stored.empty:
        gone = np.zeros(0, dtype=bool)
    elif replace:
        gone = stored["agreement_id"].isin(agreement_ids).to_numpy()
    else:
        ids = group_ids([np.concatenate([stored[c].to_numpy(dtype=object),
                                         frame[c].to_numpy(dtype=object)[complete]])
                         for c in key])
        gone = np.isin(ids[:len(stored)], ids[len(stored):])
    kept = _after_frame(columns, stored, ~gone)
    rows = slice(None) if complete.all() else complete  # a slice copies nothing
    incoming = {c: frame[c].to_numpy(dtype=object)[rows] for c in columns}
    incoming["_row"] = frame["_row"].to_numpy(dtype=np.int64)[rows]
    incoming["_origin"] = np.full(len(incoming["_row"]), FILE_ORIGIN, dtype=np.int64)
    return kept, incoming, stored["id"].to_numpy(dtype=np.int64)[gone]


def _joined(parts: list[dict]) -> pd.DataFrame:
    filled = [p for p in parts if len(p["_row"])] or parts[:1]
    if len(filled) == 1:
        return object_frame(filled[0])
    return object_frame({c: np.concatenate([p[c] for p in filled]) for c in filled[0]})


class _WriteThread:
    """The import's one write transaction, in a thread of its own, so that the database
    writes one table while the importer parses the next (PostgreSQL's server inserts in a
    process of its own; SQLite lets go of Python's lock while it writes).

    Tasks (functions of the connection) run in order; after the last one the
    transaction commits; it rolls back when a task fails or the importer gives up. Only
    this thread touches the connection. An engine whose pool gives each thread its own
    connection (in-memory SQLite) gets the tasks run by :meth:`finish` in the caller's
    thread instead: the same result, without the overlap."""

    _DONE, _ABORT = object(), object()

    def __init__(self, engine: Engine):
        self.engine = engine
        self.tasks: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        self.threaded = not isinstance(engine.pool, SingletonThreadPool | StaticPool)

    def submit(self, task) -> None:
        if not self.threaded:
            self.tasks.put(task)
            return
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="import-writer",
                                           daemon=True)
            self.thread.start()
        self.tasks.put(task)

    def _run(self) -> None:
        try:
            repository.ensure_schema(self.engine)
            with repository.write_transaction(self.engine) as conn:
                while (task := self.tasks.get()) is not self._DONE:
                    if task is self._ABORT:
                        raise _Aborted
                    task(conn)
        except _Aborted:
            pass
        except BaseException as exc:  # handed to the importer by finish()
            self.failure = exc

    def finish(self) -> None:
        """Commit after the tasks submitted; raise what failed, if anything did."""
        if not self.threaded:
            self.tasks.put(self._DONE)
            self._run()
        if self.thread is not None:
            self.tasks.put(self._DONE)
            self.thread.join()
            self.thread = None
        if self.failure is not None:
            raise self.failure

    def abort(self) -> None:
        """Roll back (if the transaction is still open) and wait for the thread."""
        if self.thread is not None:
            self.tasks.put(self._ABORT)
            self.thread.join()
            self.thread = None


class _Aborted(Exception):
    """The importer gave up: roll the write transaction back."""


@dataclass
class _Writing:
    """What the write thread has done so far, and the importer's results."""

    mode: str
    import_id: int | None = None
    kept: dict[str, dict] = field(default_factory=dict)  # table -> stored rows kept
    incoming: dict[str, dict] = field(default_factory=dict)  # table -> the file's rows
    agreements: dict[str, list[str]] = field(default_factory=dict)  # table -> its agreements
    replaced: dict[str, int] = field(default_factory=dict)
    check_seconds: float = 0.0

    def started(self, conn) -> int:
        if self.import_id is None:
            self.import_id = repository.record_import(conn, "", "", self.mode, {}, [])
        return self.import_id


def _write_now(writing: _Writing, table: ParsedTable, conn) -> None:
    """Upsert one table at once (no problem found so far): the stored rows of its
    agreements with the same keys are backed up and replaced."""
    spec = TABLES[table.name]
    ids = sorted(a for a in pd.unique(table.frame["agreement_id"].to_numpy()) if a)
    stored = repository.stored_rows(conn, table.name, ids,
                                    ["id", "import_id", *checked_columns(spec)])
    kept, incoming, gone = merge_table(table.name, stored, table, False, ids)
    repository.replace_rows(conn, writing.started(conn), table.name, gone, table.frame)
    writing.kept[table.name], writing.incoming[table.name] = kept, incoming
    writing.agreements[table.name] = ids
    writing.replaced[table.name] = len(gone)


def _check_and_write(writing: _Writing, parsed: dict[str, ParsedTable],
                     problems: list[Problem], replace: bool, agreement_ids: list[str],
                     raw, conn) -> None:
    """Last task: the data as it would be after the import, the rules across tables;
    refused (rolled back) with every problem, else the tables not yet written are
    written and the log entry completed."""
    clock = time.perf_counter()
    frames: dict[str, pd.DataFrame] = {}
    removed: dict[str, np.ndarray] = {}
    for name, spec in TABLES.items():
        columns = ["id", "import_id", *checked_columns(spec)]
        if name in writing.incoming:  # written: its other agreements' rows are untouched
            others = sorted(set(agreement_ids) - set(writing.agreements[name]))
            extra = repository.stored_rows(conn, name, others, columns)
            frames[name] = _joined([writing.kept.pop(name),
                                    _after_frame(checked_columns(spec), extra),
                                    writing.incoming.pop(name)])
            continue
        stored = repository.stored_rows(conn, name, agreement_ids, columns)
        if name in parsed:
            kept, incoming, removed[name] = merge_table(name, stored, parsed[name], replace,
                                                        agreement_ids)
            frames[name] = _joined([kept, incoming])
        else:
            frames[name] = object_frame(_after_frame(checked_columns(spec), stored))
    problems = problems + check_after(AfterState(frames, parsed))
    del frames
    writing.check_seconds = time.perf_counter() - clock
    if problems:
        raise ImportRefused(problems)
    import_id = writing.started(conn)
    for name in TABLES:
        if name in removed:
            repository.replace_rows(conn, import_id, name, removed[name], parsed[name].frame)
            writing.replaced[name] = len(removed[name])
    rows = {name: len(t.frame) for name, t in parsed.items()}
    repository.complete_import(conn, import_id, raw.source, raw.sha256, rows, agreement_ids)
    # The monthly sums the key figures read, in the same transaction as the rows.
    repository.refresh_sums(conn, agreement_ids)


def import_dataset(engine: Engine, path: Path | str, replace: bool = False,
                   max_bytes: int | None = None,
                   limits: ImportLimits | None = None,
                   only: set[str] | frozenset[str] | None = None) -> ImportResult:
    """Import a workbook, a folder or zip of CSV files, or one CSV file; everything or
    nothing is stored.

    ``limits`` default to the settings (``MAX_IMPORT_MB``, ``MAX_TABLE_ROWS``,
    ``MAX_WORKBOOK_CELLS``, ``MAX_WORKBOOK_PART_MB``); ``max_bytes`` overrides the size
    limit alone. ``only``: the agreements the importer may touch; a file that names
    another is refused whole with the one problem ``not_yours`` naming them, nothing else
    said about it (``None``: any agreement).

    Never raises: a file no rule foresaw, or a bug, still gives a refusal with a
    message (``internal_error``; ``memory_limit`` when memory ran out), and the
    transaction is rolled back.
    """
    path = Path(path)
    limits = limits or import_limits(max_bytes)
    try:
        return _import(engine, path, replace, limits, only)
    except MemoryError:
        name = "" if contains_identity_number(path.name) else path.name
        log.warning("import of %s ran out of memory", name)
        return ImportResult(ok=False, source=name, problems=[memory_problem(limits, name)])
    except Exception as exc:
        name = "" if contains_identity_number(path.name) else path.name
        log.exception("import of %s failed", name)
        return ImportResult(ok=False, source=name, problems=[
            Problem("internal_error", file=name or None,
                    params={"detail": type(exc).__name__})])


def memory_problem(limits: ImportLimits, name: str | None = None) -> Problem:
    """The refusal of an import that needed more memory than ``limits`` give it."""
    return Problem("memory_limit", file=name or None, params={
        "limit_mb": f"{limits.memory_mb:,}".replace(",", " "),
        "setting": limits.setting("memory")})


def _import(engine: Engine, path: Path, replace: bool, limits: ImportLimits,
            only: set[str] | frozenset[str] | None = None) -> ImportResult:
    clock = time.perf_counter()
    raw = read_dataset(Path(path), limits)
    result = ImportResult(ok=False, source=raw.source)
    writing = _Writing("replace" if replace else "upsert")
    writer = _WriteThread(engine)
    try:
        parsed: dict[str, ParsedTable] = {}
        found: list[Problem] = []
        others: set[str] = set()
        for table, table_problems in _parsed_tables(raw):
            parsed[table.name] = table
            found += table_problems
            if only is not None and "agreement_id" in table.frame:
                others |= {a for a in pd.unique(table.frame["agreement_id"].to_numpy())
                           if isinstance(a, str) and a and a not in only}
            if not replace and not found and not raw.problems and not others \
                    and len(table.frame):
                writer.submit(partial(_write_now, writing, table))
        if others:  # nothing else is said about a file of another's agreements
            writer.abort()
            result.problems = [Problem("not_yours", file=raw.source or None,
                                       params={"ids": ", ".join(sorted(others))})]
            return result
        problems = list(raw.problems) + found
        parsed = {name: parsed[name] for name in TABLES if name in parsed}
        result.warnings = list(raw.warnings)
        result.timings["read"] = time.perf_counter() - clock
        if not parsed and not problems:
            problems.append(Problem("no_tables", file=raw.source,
                                    params={"tables": ", ".join(TABLES)}))
        if not parsed:
            writer.abort()
            result.problems = sorted(problems, key=_sort_key)
            return result
        if not problems and not any(len(t.frame) for t in parsed.values()):
            problems.append(Problem("empty_dataset", file=raw.source))
        agreement_ids = _file_agreements(parsed)
        writer.submit(partial(_check_and_write, writing, parsed, problems, replace,
                              agreement_ids, raw))
        writer.finish()
        result.ok, result.import_id = True, writing.import_id
        result.rows = {name: len(t.frame) for name, t in parsed.items()}
        result.replaced = {n: r for n, r in writing.replaced.items() if r}
    except ImportRefused as refused:
        result.problems = sorted(refused.problems, key=_sort_key)
    except SQLAlchemyError as exc:
        result.problems = [_database_problem(exc, raw.source)]
    finally:
        writer.abort()
    result.timings["check"] = writing.check_seconds
    result.timings["write"] = time.perf_counter() - clock - sum(result.timings.values())
    return result


def _database_problem(exc: SQLAlchemyError, source: str | None = None) -> Problem:
    """``busy`` when another import holds the lock, else ``database_error``."""
    code = "busy" if repository.is_busy_error(exc) else "database_error"
    detail = type(getattr(exc, "orig", None) or exc).__name__
    return Problem(code, file=source, params={"detail": detail})


def undo_import(engine: Engine, import_id: int) -> UndoResult:
    """Take back one import: its rows go, the rows it replaced come back."""
    result = UndoResult(ok=False, import_id=import_id)
    try:
        repository.ensure_schema(engine)
        with repository.write_transaction(engine) as conn:
            entry = repository.get_import(conn, import_id)
            if entry is None:
                raise ImportRefused([Problem("no_such_import", params={"import_id": import_id})])
            if entry["status"] != "active":
                raise ImportRefused([Problem("already_undone",
                                             params={"import_id": import_id})])
            later = repository.later_import_of_same_agreements(conn, import_id)
            if later is not None:
                raise ImportRefused([Problem("undo_blocked", params={
                    "import_id": import_id, "later": later["id"], "file": later["file_name"],
                    "agreement": later["agreement_id"]})])
            result.restored = repository.undo_rows(conn, import_id)
            repository.refresh_sums(conn, json.loads(entry["agreements_json"]))
            result.ok = True
    except ImportRefused as refused:
        result.problems = refused.problems
    except SQLAlchemyError as exc:
        result.problems = [_database_problem(exc)]
    return result
