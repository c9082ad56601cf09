"""What an import would change, before it is made: a dry run of the real import.

:func:`preview_import` runs :func:`import_dataset` itself (every refusal rule, the same
code path) on an engine whose write transaction is rolled back at the end
(:func:`dashboard.data.repository.dry_run_engine`). Just before the rollback, with the import's
rows in place but not committed, it compares them with the rows as stored (read on another
connection, which still sees the committed data): per table the rows added, replaced (same
key) and removed (replace mode), the agreements and months the file touches, the imports
of the same agreements already made and whether stored data reaches later than the file.
Nothing is kept; another import waits for the preview as it would for an import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from dashboard.data import repository
from dashboard.data.ingest import ImportResult, import_dataset, parse_dataset
from dashboard.data.ingest.readers import ImportLimits
from dashboard.domain.schema import TABLES


@dataclass
class TableChange:
    table: str
    in_file: int
    added: int
    replaced: int
    removed: int


@dataclass
class Preview:
    """The dry run's result: ``result.ok`` and ``result.problems`` as the import's own."""

    result: ImportResult
    tables: list[TableChange] = field(default_factory=list)
    agreements: list[str] = field(default_factory=list)
    months: dict[str, tuple[str, str]] = field(default_factory=dict)  # agreement -> span
    earlier: list[dict] = field(default_factory=list)  # active imports of these agreements
    later_data: dict[str, str] = field(default_factory=dict)  # agreement -> stored last month
    same_file: dict | None = None  # an active import of the very same file (SHA-256)
    sha256: str | None = None

    @property
    def ok(self) -> bool:
        return self.result.ok


def _time_column(table: str) -> str | None:
    columns = {c.name for c in TABLES[table].columns}
    return "month" if "month" in columns else None


def _keys(frame, key: list[str]) -> set[tuple]:
    if frame.empty:
        return set()
    return set(frame[key].astype(object).where(frame[key].notna(), None)
               .itertuples(index=False, name=None))


def _observe(engine: Engine, found: dict):
    def observe(conn: Connection) -> None:
        entry = repository.newest_import(conn)
        if entry is None:
            return
        agreements = json.loads(entry["agreements_json"] or "[]")
        tables = [t for t in TABLES if t in json.loads(entry["rows_json"] or "{}")]
        changes, months = [], {}
        with repository.read_transaction(engine) as before_conn:  # still the committed data
            for table in tables:
                key = list(TABLES[table].key)
                after = repository.stored_rows(conn, table, agreements)
                before = repository.stored_rows(before_conn, table, agreements)
                new = after[after["import_id"] == entry["id"]] if not after.empty else after
                new_keys, before_keys = _keys(new, key), _keys(before, key)
                changes.append(TableChange(
                    table, len(new), len(new_keys - before_keys), len(new_keys & before_keys),
                    len(before_keys - _keys(after, key))))
                column = _time_column(table)
                if column and not new.empty:
                    for a, group in new.groupby("agreement_id"):
                        values = [m for m in group[column] if isinstance(m, str) and m]
                        if values:
                            lo, hi = months.get(a, (min(values), max(values)))
                            months[a] = (min(lo, min(values)), max(hi, max(values)))
        found.update(tables=changes, agreements=agreements, months=months,
                     sha256=entry["file_sha256"])
    return observe


def file_agreements(path: Path | str, max_bytes: int | None = None) -> list[str]:
    """The agreements a dataset names (as far as it can be read), without the database: what
    a steward's rights are checked against before anything else is said about the file."""

    args = (Path(path),) if max_bytes is None else (Path(path), max_bytes)
    try:
        _raw, parsed, _problems = parse_dataset(*args)
    except Exception:  # noqa: BLE001 - a file no rule foresaw: the import says what went wrong
        return []
    ids: set[str] = set()
    for table in parsed.values():
        if "agreement_id" in table.frame:
            ids |= {a for a in table.frame["agreement_id"] if isinstance(a, str) and a}
    return sorted(ids)


def preview_import(engine: Engine, path: Path | str, replace: bool = False,
                   max_bytes: int | None = None, limits: ImportLimits | None = None,
                   only: set[str] | frozenset[str] | None = None) -> Preview:
    """The import of ``path`` as it would happen now, rolled back; see the module's text.
    ``max_bytes``, ``limits`` and ``only`` as :func:`import_dataset` takes them."""
    found: dict = {}
    dry = repository.dry_run_engine(engine, _observe(engine, found))
    result = import_dataset(dry, path, replace=replace, max_bytes=max_bytes, limits=limits,
                            only=only)
    preview = Preview(result=result, tables=found.get("tables", []),
                      agreements=found.get("agreements", []), months=found.get("months", {}),
                      sha256=found.get("sha256"))
    if not result.ok:
        return preview
    result.import_id = None  # rolled back: there is no such import
    log = repository.list_imports(engine)
    mine = set(preview.agreements)
    for rec in log.to_dict("records") if not log.empty else []:
        if rec["status"] != "active":
            continue
        touched = set(json.loads(rec["agreements_json"] or "[]"))
        if touched & mine:
            preview.earlier.append({"id": int(rec["id"]), "imported_at": rec["imported_at"],
                                    "file_name": rec["file_name"],
                                    "agreements": sorted(touched & mine)})
            if preview.sha256 and rec["file_sha256"] == preview.sha256 and \
                    preview.same_file is None:
                preview.same_file = preview.earlier[-1]
    for a in preview.agreements:
        span = repository.month_span(engine, a)
        last_in_file = preview.months.get(a, (None, None))[1]
        if span and last_in_file and span[1] > last_in_file:
            preview.later_data[a] = span[1]
    return preview
