"""SQLite and PostgreSQL give the same answers, and ids stay right through undo.

* The four demo workbooks imported into a SQLite file and into a PostgreSQL database give
  identical key figures (every field, not only the value) for several periods of each
  agreement, for the agreement and for each cluster.
* Undo puts rows back with their old ids; ids are never handed out twice (a PostgreSQL
  sequence, SQLite ``AUTOINCREMENT``), so later imports still work.
* Without the PostgreSQL binaries the PostgreSQL tests are skipped with a reason, except
  in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from dashboard.data import repository
from dashboard.data.db import data_tables, make_engine
from dashboard.data.ingest import import_dataset, undo_import
from dashboard.domain.kpis import compute_kpis
from dashboard.domain.periods import Period
from tests.builders import base_tables, write_workbook

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "data" / "demo"


@pytest.fixture(scope="module")
def demo_engines(postgres_server, tmp_path_factory):
    """All four demo workbooks in a SQLite file and in a PostgreSQL database."""
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    pg_url = postgres_server.create_database()
    engines = {"sqlite": make_engine(sqlite_url), "postgresql": make_engine(pg_url)}
    for engine in engines.values():
        for path in sorted(DEMO_DIR.glob("*.xlsx")):
            result = import_dataset(engine, path)
            assert result.ok, (path.name, result.messages("en"))
    yield engines
    for engine in engines.values():
        engine.dispose()
    postgres_server.drop_database(pg_url)


def periods_of(first: str, last: str) -> list[str]:
    """Every year, the first half, a quarter, a month and a year to date within the span."""
    y0, y1 = int(first[:4]), int(last[:4])
    out = [str(y) for y in range(y0, y1 + 1)]
    out += [f"{y1}-H1", f"{y0}-H2", f"{y0}-Q2", f"{y1}-Q4", first, last,
            f"{y1}-01..{last}", f"{first}..{last}"]
    return out


def test_demo_workbooks_give_identical_figures(demo_engines):
    sqlite, pg = demo_engines["sqlite"], demo_engines["postgresql"]
    ids = list(repository.list_agreements(sqlite)["agreement_id"])
    assert ids == list(repository.list_agreements(pg)["agreement_id"])
    assert len(ids) == 4
    compared = 0
    for agreement_id in ids:
        span = repository.month_span(sqlite, agreement_id)
        assert span == repository.month_span(pg, agreement_id)
        data = {name: repository.load_agreement(e, agreement_id)
                for name, e in demo_engines.items()}
        if span is None:  # indicators only: the agreement's validity
            span = (data["sqlite"].agreement["valid_from"][:7],
                    data["sqlite"].agreement["valid_to"][:7])
        for table in ("occupancy", "staffing", "costs", "outcomes", "indicators", "targets"):
            a, b = (getattr(d, table).drop(columns=["id", "import_id"]) for d in data.values())
            assert a.equals(b), (agreement_id, table)
        per_agreement = 0
        for text in periods_of(*span):
            period = Period.parse(text)
            values = {name: [dataclasses.asdict(v) for v in compute_kpis(d, period)]
                      for name, d in data.items()}
            assert values["sqlite"] == values["postgresql"], (agreement_id, text)
            with_value = sum(v["value"] is not None for v in values["sqlite"])
            compared += with_value
            per_agreement += with_value
        assert per_agreement > 20, agreement_id
        # The months a command-line request loads give the same figures too.
        period = Period.parse(f"{span[1][:4]}")
        months = (period.year_earlier().start, period.end)
        limited = [[dataclasses.asdict(v) for v in compute_kpis(
            repository.load_agreement(e, agreement_id, months), period)]
            for e in demo_engines.values()]
        assert limited[0] == limited[1]
    assert compared > 1500


def ids_of(engine, table: str, agreement_id: str | None = None) -> list[int]:
    t = data_tables[table]
    stmt = select(t.c.id).order_by(t.c.id)
    if agreement_id:
        stmt = stmt.where(t.c.agreement_id == agreement_id)
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def other_agreement() -> dict:
    tables = {name: [list(r) for r in rows] for name, rows in base_tables().items()}
    for rows in tables.values():
        for row in rows[1:]:
            row[0] = "annan"
    return tables


def test_undo_restores_old_ids_and_ids_are_never_handed_out_twice(any_engine, tmp_path):
    base = import_dataset(any_engine, write_workbook(tmp_path / "base.xlsx", base_tables()))
    assert base.ok
    original = ids_of(any_engine, "occupancy")
    assert len(original) == 8
    rows_before = repository.load_agreement(any_engine, "krami").occupancy
    # Replace krami's occupancy with nothing: its 8 rows go (backed up).
    header = base_tables()["occupancy"][0]
    emptied = import_dataset(any_engine, write_workbook(tmp_path / "empty.xlsx", {
        "agreements": base_tables()["agreements"], "occupancy": [header]}), replace=True)
    assert emptied.ok and emptied.replaced["occupancy"] == 8
    assert ids_of(any_engine, "occupancy") == []
    # Another agreement's rows get new ids, never the freed ones.
    other = import_dataset(any_engine, write_workbook(tmp_path / "other.xlsx",
                                                      other_agreement()))
    assert other.ok, other.messages("en")
    assert min(ids_of(any_engine, "occupancy", "annan")) > max(original)
    # Undo puts krami's rows back with their old ids, exactly as they were.
    undone = undo_import(any_engine, emptied.import_id)
    assert undone.ok, [p.message("en") for p in undone.problems]
    assert ids_of(any_engine, "occupancy", "krami") == original
    assert repository.load_agreement(any_engine, "krami").occupancy.equals(rows_before)
    # The id counter went on from where it was: the next rows come after all of them.
    highest = max(ids_of(any_engine, "occupancy"))
    header_row = ["krami", "soder", "2023-02", None, None, 44, 1, 1]
    later = import_dataset(any_engine, write_workbook(tmp_path / "later.xlsx", {
        "occupancy": [header, header_row]}))
    assert later.ok, later.messages("en")
    assert max(ids_of(any_engine, "occupancy")) > highest
    with any_engine.connect() as conn:
        t = data_tables["occupancy"]
        n = conn.execute(select(func.count()).select_from(t)).scalar_one()
    assert n == 8 + 8 + 1


def _pytest_without_postgres(ci: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("CI", "TEST_POSTGRES_URL", "PYTEST_ADDOPTS")}
    env["PG_BIN"] = str(ROOT / "no-such-folder")
    if ci:
        env["CI"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
         "tests/test_kpis.py", "-k", "postgresql and test_target_groups_summed"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_without_postgresql_binaries_ci_fails_and_elsewhere_skips():
    local = _pytest_without_postgres(ci=False)
    assert local.returncode == 0, local.stdout + local.stderr
    assert "1 skipped" in local.stdout
    assert "PostgreSQL binaries not found" in local.stdout
    # Named in the run's summary of missing parts, not only in the skip list.
    summary = local.stdout.split("missing on this machine: these tests did not run", 1)
    assert len(summary) == 2 and "PostgreSQL binaries not found" in summary[1].split(
        "short test summary")[0]
    ci = _pytest_without_postgres(ci=True)
    assert ci.returncode != 0
    assert "CI is set: the PostgreSQL tests must run" in ci.stdout
    assert "passed" not in ci.stdout.splitlines()[-1]


def test_a_blank_text_cell_reads_back_as_none(any_engine, tmp_path):
    # One target with an end date, the others blank: pandas would make the blanks NaN
    # (truthy, and not comparable with a date), and the target would be lost or crash.
    tables = base_tables()
    tables["targets"][1][8] = "2023-06-30"
    assert import_dataset(any_engine, write_workbook(tmp_path / "t.xlsx", tables)).ok
    data = repository.load_agreement(any_engine, "krami")
    assert list(data.targets["valid_to"]) == ["2023-06-30", None, None]
    assert data.targets["note"].tolist() == ["Mål 80", None, None]
    figures = {(v.cluster_id, v.party_id, v.kpi): v
               for v in compute_kpis(data, Period.parse("2023-Q1"))}
    assert figures[(None, "KV", "fte_actual")].target == 2
    assert figures[(None, None, "occupancy")].target == 80
    later = {(v.cluster_id, v.party_id, v.kpi): v
             for v in compute_kpis(data, Period.parse("2023-Q3"))}
    assert later[(None, None, "occupancy")].target is None  # ended in June
    assert later[(None, None, "work_study_share")].target == 0.6


def same_rows(a, b, where: str) -> None:
    """Two reads of an agreement hold the same rows: every table's frame equal, with its
    dtypes, index and each cell's Python type (``None`` stays ``None``, never NaN)."""
    assert a.agreement == b.agreement, where
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "agreement":
            continue
        if f.name == "sums":
            for g in dataclasses.fields(x):
                same_frame(getattr(x, g.name), getattr(y, g.name), f"{where} sums.{g.name}")
            continue
        same_frame(x, y, f"{where} {f.name}")


def same_frame(x, y, where: str) -> None:
    pd.testing.assert_frame_equal(x, y, check_dtype=True, check_index_type=True,
                                  obj=where)
    for name in x.columns:
        assert [type(v) for v in x[name]] == [type(v) for v in y[name]], (where, name)


def test_one_read_of_several_windows_equals_a_read_of_each(demo_engines):
    """A view and its trend strips read at once (one query per table, the months of both)
    get exactly what two reads give: the windows overlapping, apart, one without a row
    (empty frames keep the columns' types of an empty read), and the whole agreement."""
    compared = 0
    for engine in demo_engines.values():
        for agreement_id in repository.list_agreements(engine)["agreement_id"]:
            first, last = repository.month_span(engine, agreement_id) or ("2016-01", "2018-12")
            for windows in ([(first, last), (first, first)],
                            [(last, last), (first, first)],
                            [(first, last), ("1990-01", "1990-12")],
                            [None, (last, last)],
                            [(f"{first[:4]}-07", f"{last[:4]}-06"), (first, last)]):
                both = repository.load_agreement_windows(engine, agreement_id, windows)
                for window, data in zip(windows, both, strict=True):
                    same_rows(data, repository.load_agreement(engine, agreement_id, window),
                              f"{engine.dialect.name} {agreement_id} {window}")
                    compared += 1
    assert compared == 2 * 4 * 5 * 2
    assert repository.load_agreement_windows(demo_engines["sqlite"], "finns-inte",
                                             [None, ("2023-01", "2023-12")]) == [None, None]
