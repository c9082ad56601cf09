"""Write small datasets for tests: a workbook or a CSV folder from inline tables.

A dataset is ``{table: [header, row, row, ...]}`` with rows as lists of cell values.
"""

from __future__ import annotations

import atexit
import csv
import functools
import shutil
import tempfile
from pathlib import Path


def new_workbook(tables: dict[str, list[list]]):
    """An openpyxl workbook with one sheet per table (not saved: a test may edit it)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    return wb


def write_workbook(path: Path, tables: dict[str, list[list]]) -> Path:
    """An .xlsx with one sheet per table; text cells stay text (like the template)."""
    new_workbook(tables).save(path)
    return path


def write_csv_folder(folder: Path, tables: dict[str, list[list]], *, swedish: bool = True,
                     bom: bool = False) -> Path:
    """A folder of CSV files: Swedish Excel (``;``, decimal comma, cp1252) or UTF-8 ``,``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        path = folder / f"{name}.csv"
        if swedish:
            with path.open("w", encoding="cp1252", newline="") as fh:
                writer = csv.writer(fh, delimiter=";", lineterminator="\r\n")
                for row in rows:
                    writer.writerow([_swedish(v) for v in row])
        else:
            with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
                writer = csv.writer(fh, delimiter=",", lineterminator="\n")
                for row in rows:
                    writer.writerow(["" if v is None else v for v in row])
    return folder


def _swedish(value) -> str:
    """A cell as Swedish Excel writes it: decimal comma, spaces between thousands."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    if isinstance(value, float):
        text = f"{value:,.10f}".rstrip("0").rstrip(".")
        return text.replace(",", " ").replace(".", ",")
    return str(value)


def base_tables() -> dict[str, list[list]]:
    """A small valid agreement: two clusters, three parties, targets, costs, outcomes."""
    return {
        "agreements": [
            ["agreement_id", "name", "valid_from", "valid_to", "description"],
            ["krami", "Krami Test", "2023-01-01", "2023-12-31", "Testdata för Krami, åäö"],
        ],
        "parties": [
            ["agreement_id", "party_id", "name"],
            ["krami", "AF", "Arbetsförmedlingen"],
            ["krami", "KV", "Kriminalvården"],
            ["krami", "STHLM", "Stockholms stad"],
        ],
        "clusters": [
            ["agreement_id", "cluster_id", "name"],
            ["krami", "norr", "Norr"],
            ["krami", "soder", "Söder"],
        ],
        "targets": [
            ["agreement_id", "cluster_id", "party_id", "kpi", "comparator", "value",
             "tolerance", "valid_from", "valid_to", "note"],
            ["krami", None, None, "occupancy", ">=", 80, None, None, None, "Mål 80"],
            ["krami", None, None, "work_study_share", ">=", "60 %", None, None, None, None],
            ["krami", None, "KV", "fte_actual", ">=", 2, None, None, None, None],
        ],
        "occupancy": [
            ["agreement_id", "cluster_id", "month", "gender", "target_group", "participants",
             "started", "exited"],
            ["krami", "norr", "2023-01", "K", None, 10, 2, 1],
            ["krami", "norr", "2023-01", "M", None, 30, 4, 2],
            ["krami", "soder", "2023-01", None, None, 35, 3, 3],
            ["krami", "norr", "2023-02", "K", None, 12, 3, 1],
            ["krami", "norr", "2023-02", "M", None, 33, 5, 2],
            # soder did not report February
            ["krami", "norr", "2023-03", "K", None, 11, 1, 2],
            ["krami", "norr", "2023-03", "M", None, 31, 2, 4],
            ["krami", "soder", "2023-03", None, None, 40, 6, 1],
        ],
        "staffing": [
            ["agreement_id", "cluster_id", "month", "party_id", "role", "committed_fte",
             "actual_fte"],
            ["krami", None, "2023-01", "AF", "vägledare", 2, 2],
            ["krami", None, "2023-01", "KV", "vägledare", 2, 1.5],
            ["krami", None, "2023-01", "STHLM", "vägledare", 2, 2],
            ["krami", None, "2023-01", "STHLM", "administratör", 0.5, 0.5],
            ["krami", None, "2023-02", "AF", "vägledare", 2, 2],
            ["krami", None, "2023-02", "KV", "vägledare", 2, 2],
            ["krami", None, "2023-02", "STHLM", "vägledare", 2, 1],
            ["krami", None, "2023-02", "STHLM", "administratör", 0.5, 0.5],
        ],
        "cost_shares": [
            ["agreement_id", "cost_category", "party_id", "share"],
            ["krami", "driftskostnader", "KV", 0.5],
            ["krami", "driftskostnader", "STHLM", 0.5],
            ["krami", "avgiftsintäkter", "KV", "50 %"],
            ["krami", "avgiftsintäkter", "STHLM", "50 %"],
        ],
        "costs": [
            ["agreement_id", "month", "cost_category", "paid_by", "amount_sek", "note"],
            ["krami", "2023-01", "driftskostnader", "STHLM", 100000, None],
            ["krami", "2023-01", "driftskostnader", "KV", 20000, None],
            ["krami", "2023-02", "driftskostnader", "STHLM", 110000.5, None],
            ["krami", "2023-02", "avgiftsintäkter", "STHLM", -9800, "Avgift annan kommun"],
        ],
        "outcomes": [
            ["agreement_id", "cluster_id", "month", "gender", "target_group", "completed",
             "work", "study", "other", "discontinued"],
            ["krami", "norr", "2023-01", "K", None, 2, 1, 0, 1, 1],
            ["krami", "norr", "2023-01", "M", None, 5, 2, 1, 1, 2],
            ["krami", "soder", "2023-01", None, None, 4, 1, 1, 2, 0],
            ["krami", "norr", "2023-02", "K", None, 0, 0, 0, 0, 1],
            ["krami", "norr", "2023-02", "M", None, 3, 1, 1, 1, 0],
            ["krami", "soder", "2023-02", None, None, 0, 0, 0, 0, 2],
        ],
        "indicators": [
            ["agreement_id", "cluster_id", "period", "indicator", "gender", "value", "source"],
            ["krami", None, "2023-Q1", "aterfall", "K", 2, "KV"],
            ["krami", None, "2023-Q1", "aterfall", "M", 7, "KV"],
            ["krami", None, "2022-Q1", "aterfall", "K", 3, "KV"],
            ["krami", None, "2022-Q1", "aterfall", "M", 8, "KV"],
        ],
    }


@functools.cache
def schema_file() -> Path:
    """A SQLite file with the schema, made once per test process (the migrations take
    about 0.1 s, a copy a millisecond): a fresh test database starts as a copy of it."""
    from dashboard.data import repository
    from dashboard.data.db import make_engine

    folder = Path(tempfile.mkdtemp(prefix="schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "schema.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    try:
        repository.ensure_schema(engine)
    finally:
        engine.dispose()
    return path


def import_into(folder: Path, tables=None, workbook: Path | None = None):
    """A fresh SQLite file under ``folder`` holding ``tables`` (default: :func:`base_tables`)
    or ``workbook``, imported as a user would; its engine (the caller disposes it)."""
    from dashboard.data import repository
    from dashboard.data.db import make_engine
    from dashboard.data.ingest import import_dataset

    database = folder / "test.sqlite"
    if not database.exists():
        shutil.copyfile(schema_file(), database)
    engine = make_engine(f"sqlite:///{database}")
    repository.ensure_schema(engine)
    path = workbook or write_workbook(folder / "krami.xlsx", tables or base_tables())
    result = import_dataset(engine, path)
    assert result.ok, result.messages("en")
    return engine
