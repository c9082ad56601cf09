"""Import a dataset: read, validate, and upsert or replace in one transaction.

:func:`import_dataset` never raises for bad input: it returns an :class:`ImportResult`
whose ``problems`` list every reason the import was refused; then nothing is stored.
:func:`undo_import` takes one import back.

The dataset is read one file at a time and parsed a column at a time (see
:mod:`.readers` and :mod:`.validate`); the rows go to the database in bulk (see
:func:`dashboard.repository.replace_rows`), all in the one transaction that holds the
import lock. The limits (file size, rows per table, cells per workbook) are settings.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from dataclasses import replace as replace_
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .. import repository
from ..schema import TABLES
from .pnr import contains_identity_number
from .problems import ImportRefused, Problem
from .readers import ImportLimits, read_dataset
from .validate import (
    FILE_ORIGIN,
    AfterState,
    ParsedTable,
    check_after,
    checked_columns,
    group_ids,
    is_none,
    normalise_target_values,
    object_frame,
    parse_table,
)

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
    # Seconds spent reading and parsing, checking against what is stored, and writing.
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
    from ..config import load_settings

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
    for table in raw.tables():
        parsed_table, table_problems = parse_table(table)
        if table.failed:
            continue  # reading it failed half-way; the reader said why
        if table.name == "targets":
            parsed_table.frame = normalise_target_values(parsed_table.frame)
        found[table.name] = parsed_table
        problems += table_problems
    problems = list(raw.problems) + problems
    parsed = {name: found[name] for name in TABLES if name in found}
    return raw, parsed, problems


def _file_agreements(parsed: dict[str, ParsedTable]) -> list[str]:
    ids: set[str] = set()
    for table in parsed.values():
        ids |= {a for a in pd.unique(table.frame["agreement_id"].to_numpy()) if a}
    return sorted(ids)


def merge(stored: dict[str, pd.DataFrame], parsed: dict[str, ParsedTable], replace: bool,
          agreement_ids: list[str]) -> tuple[AfterState, dict[str, np.ndarray]]:
    """The data after the import (the columns the rules need), and per table the ids of
    the stored rows it removes."""
    frames: dict[str, pd.DataFrame] = {}
    removed: dict[str, np.ndarray] = {}
    for name, spec in TABLES.items():
        columns = checked_columns(spec)
        st = stored[name]
        after = {c: st[c].to_numpy(dtype=object) for c in columns}
        after["_origin"] = st["import_id"].to_numpy(dtype=np.int64)
        after["_row"] = np.full(len(st), -1, dtype=np.int64)
        if name not in parsed:
            frames[name] = object_frame(after)
            continue
        key = list(spec.key)
        frame = parsed[name].frame
        complete = np.ones(len(frame), dtype=bool)
        for c in key:
            complete &= ~is_none(frame[c].to_numpy())
        if st.empty:
            gone = np.zeros(0, dtype=bool)
        elif replace:
            gone = st["agreement_id"].isin(agreement_ids).to_numpy()
        else:
            ids = group_ids([np.concatenate([st[c].to_numpy(dtype=object),
                                             frame[c].to_numpy(dtype=object)[complete]])
                             for c in key])
            gone = np.isin(ids[:len(st)], ids[len(st):])
        removed[name] = st["id"].to_numpy(dtype=np.int64)[gone]
        incoming = {c: frame[c].to_numpy(dtype=object)[complete] for c in columns}
        incoming["_origin"] = np.full(int(complete.sum()), FILE_ORIGIN, dtype=np.int64)
        incoming["_row"] = frame["_row"].to_numpy(dtype=np.int64)[complete]
        frames[name] = object_frame({c: np.concatenate([after[c][~gone], incoming[c]])
                                     for c in after})
    return AfterState(frames, parsed), removed


def import_dataset(engine: Engine, path: Path | str, replace: bool = False,
                   max_bytes: int | None = None,
                   limits: ImportLimits | None = None) -> ImportResult:
    """Import a workbook, a folder or zip of CSV files, or one CSV file; everything or
    nothing is stored.

    ``limits`` default to the settings (``MAX_IMPORT_MB``, ``MAX_TABLE_ROWS``,
    ``MAX_WORKBOOK_CELLS``); ``max_bytes`` overrides the size limit alone.

    Never raises: a file no rule foresaw, or a bug, still gives a refusal with a
    message (``internal_error``), and the transaction is rolled back.
    """
    path = Path(path)
    try:
        return _import(engine, path, replace, limits or import_limits(max_bytes))
    except Exception as exc:
        name = "" if contains_identity_number(path.name) else path.name
        log.exception("import of %s failed", name)
        return ImportResult(ok=False, source=name, problems=[
            Problem("internal_error", file=name or None,
                    params={"detail": type(exc).__name__})])


def _import(engine: Engine, path: Path, replace: bool, limits: ImportLimits) -> ImportResult:
    clock = time.perf_counter()
    raw, parsed, problems = parse_dataset(path, limits=limits)
    result = ImportResult(ok=False, source=raw.source, warnings=list(raw.warnings))
    result.timings["read"] = time.perf_counter() - clock
    if not parsed and not problems:
        problems.append(Problem("no_tables", file=raw.source,
                                params={"tables": ", ".join(TABLES)}))
    if not parsed:
        result.problems = sorted(problems, key=_sort_key)
        return result
    if not problems and not any(len(t.frame) for t in parsed.values()):
        problems.append(Problem("empty_dataset", file=raw.source))
    agreement_ids = _file_agreements(parsed)
    try:
        repository.ensure_schema(engine)
        with repository.write_transaction(engine) as conn:
            stored = {name: repository.stored_rows(conn, name, agreement_ids,
                                                   ["id", "import_id", *checked_columns(spec)])
                      for name, spec in TABLES.items()}
            state, removed = merge(stored, parsed, replace, agreement_ids)
            problems += check_after(state)
            del state, stored
            result.timings["check"] = time.perf_counter() - clock - result.timings["read"]
            if problems:
                raise ImportRefused(problems)
            rows = {name: len(t.frame) for name, t in parsed.items()}
            import_id = repository.record_import(
                conn, raw.source, raw.sha256, "replace" if replace else "upsert", rows,
                agreement_ids)
            for name in TABLES:
                if name in parsed:
                    repository.replace_rows(conn, import_id, name, removed[name],
                                            parsed[name].frame)
            result.ok, result.import_id, result.rows = True, import_id, rows
            result.replaced = {n: len(r) for n, r in removed.items() if len(r)}
            result.timings["write"] = time.perf_counter() - clock - sum(result.timings.values())
        result.timings["commit"] = time.perf_counter() - clock - sum(result.timings.values())
    except ImportRefused as refused:
        result.problems = sorted(refused.problems, key=_sort_key)
    except SQLAlchemyError as exc:
        result.problems = [_database_problem(exc, raw.source)]
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
            result.ok = True
    except ImportRefused as refused:
        result.problems = refused.problems
    except SQLAlchemyError as exc:
        result.problems = [_database_problem(exc)]
    return result
