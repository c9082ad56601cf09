"""Import a dataset: read, validate, and upsert or replace in one transaction.

:func:`import_dataset` never raises for bad input: it returns an :class:`ImportResult`
whose ``problems`` list every reason the import was refused; then nothing is stored.
:func:`undo_import` takes one import back.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .. import repository
from ..schema import TABLES
from .pnr import looks_like_identity_number
from .problems import ImportRefused, Problem
from .readers import read_dataset
from .validate import AfterState, ParsedTable, check_after, normalise_target_values, parse_table

DEFAULT_MAX_BYTES = 20_000_000

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


def parse_dataset(path: Path, max_bytes: int = DEFAULT_MAX_BYTES):
    """Read and type a dataset without touching the database."""
    raw = read_dataset(Path(path), max_bytes)
    problems = list(raw.problems)
    parsed: dict[str, ParsedTable] = {}
    for name in TABLES:
        if name not in raw.tables:
            continue
        table, found = parse_table(raw.tables[name])
        if name == "targets":
            table.frame = normalise_target_values(table.frame)
        parsed[name] = table
        problems += found
    return raw, parsed, problems


def _file_agreements(parsed: dict[str, ParsedTable]) -> list[str]:
    ids: set[str] = set()
    for table in parsed.values():
        ids |= {a for a in table.frame["agreement_id"] if a}
    return sorted(ids)


def merge(stored: dict[str, pd.DataFrame], parsed: dict[str, ParsedTable], replace: bool,
          agreement_ids: list[str]) -> tuple[AfterState, dict[str, pd.DataFrame]]:
    """The data after the import, and per table the stored rows it removes."""
    frames: dict[str, pd.DataFrame] = {}
    removed: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        st = stored[name].copy()
        st["_origin"] = st["import_id"]
        st["_row"] = None
        if name not in parsed:
            frames[name] = st
            continue
        incoming = parsed[name].frame.dropna(subset=list(spec.key)).copy()
        incoming["_origin"] = "file"
        if replace:
            gone = st["agreement_id"].isin(agreement_ids)
        else:
            keys = set(map(tuple, incoming[list(spec.key)].itertuples(index=False, name=None)))
            gone = pd.Series([k in keys for k in st[list(spec.key)].itertuples(
                index=False, name=None)], index=st.index, dtype=bool)
        removed[name] = st[gone]
        frames[name] = pd.concat([st[~gone], incoming], ignore_index=True) \
            if not incoming.empty else st[~gone]
    return AfterState(frames, parsed), removed


def import_dataset(engine: Engine, path: Path | str, replace: bool = False,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> ImportResult:
    """Import a workbook or CSV folder; everything or nothing is stored.

    Never raises: a file no rule foresaw, or a bug, still gives a refusal with a
    message (``internal_error``), and the transaction is rolled back.
    """
    path = Path(path)
    try:
        return _import(engine, path, replace, max_bytes)
    except Exception as exc:
        name = "" if looks_like_identity_number(path.name) else path.name
        log.exception("import of %s failed", name)
        return ImportResult(ok=False, source=name, problems=[
            Problem("internal_error", file=name or None,
                    params={"detail": type(exc).__name__})])


def _import(engine: Engine, path: Path, replace: bool, max_bytes: int) -> ImportResult:
    raw, parsed, problems = parse_dataset(path, max_bytes)
    result = ImportResult(ok=False, source=raw.source, warnings=list(raw.warnings))
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
            stored = {name: repository.stored_rows(conn, name, agreement_ids)
                      for name in TABLES}
            state, removed = merge(stored, parsed, replace, agreement_ids)
            problems += check_after(state)
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
            repository.refresh_sums(conn, agreement_ids)
            result.ok, result.import_id, result.rows = True, import_id, rows
            result.replaced = {n: len(r) for n, r in removed.items() if len(r)}
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
            repository.refresh_sums(conn, json.loads(entry["agreements_json"]))
            result.ok = True
    except ImportRefused as refused:
        result.problems = refused.problems
    except SQLAlchemyError as exc:
        result.problems = [_database_problem(exc)]
    return result
