"""The command line of contract.md section 4, run as a user runs it: ``main(argv)`` in
the test process (:mod:`tests.cli`), and an import and a refused one as a process of its
own (``python -m dashboard``).

The key figures run on SQLite and on PostgreSQL; the rest of the command line, a shell
around the repository (tested on both in test_kpis, test_import, ...), on SQLite.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from dashboard.data.db import make_engine
from dashboard.domain.schema import TABLES
from tests.builders import base_tables, write_workbook
from tests.cli import run_cli, run_process
from tests.conftest import sqlite_only


@pytest.fixture
def db_url(any_db_url):
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return any_db_url


def run(db_url, *args, lang=None):
    """``python -m dashboard ARGS`` (its ``main(argv)``, in this process)."""
    return run_cli(db_url, *args, lang=lang)


@pytest.fixture
def loaded(db_url, tmp_path):
    path = write_workbook(tmp_path / "krami.xlsx", base_tables())
    result = run(db_url, "import", str(path))
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def stored(db_url, tmp_path, prepared):
    """The database as ``loaded`` leaves it (krami.xlsx imported from the command line,
    import 1): imported once per test process and database, each test starting from a
    copy (``prepared``). The import's own answer is ``loaded``'s."""
    def build(engine):
        url = engine.url.render_as_string(hide_password=False)
        path = write_workbook(tmp_path / "krami.xlsx", base_tables())
        result = run(url, "import", str(path))
        assert result.returncode == 0, result.stderr

    engine = make_engine(db_url)
    try:
        prepared.prepare(engine, "test_cli.stored", build)
    finally:
        engine.dispose()


@sqlite_only
def test_import_prints_rows_per_table(loaded):
    assert "Import 1 klar: krami.xlsx" in loaded.stdout
    assert "occupancy" in loaded.stdout and "8 rader" in loaded.stdout


def test_kpis_json_has_the_contract_fields(db_url, stored):
    out = run(db_url, "kpis", "--agreement", "krami", "--period", "2023-Q1")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert all(list(r) == ["agreement_id", "cluster_id", "party_id", "period", "kpi", "value",
                           "role", "value_period", "target", "comparator", "status"]
               for r in rows)
    occ = next(r for r in rows if r["kpi"] == "occupancy" and r["cluster_id"] is None)
    assert occ == {"agreement_id": "krami", "cluster_id": None, "party_id": None,
                   "period": "2023-Q1", "kpi": "occupancy",
                   "value": pytest.approx((75 + 45 + 82) / 3), "role": None,
                   "value_period": None,
                   "target": 80, "comparator": ">=", "status": "red"}
    share = next(r for r in rows if r["kpi"] == "work_study_share" and r["cluster_id"] is None)
    assert share["target"] == 0.6 and share["status"] == "amber"
    assert {r["cluster_id"] for r in rows} == {None, "norr", "soder"}


@sqlite_only
def test_kpis_for_one_cluster_in_csv(db_url, stored):
    out = run(db_url, "kpis", "--agreement", "krami", "--period", "2023-02..2023-03",
              "--cluster", "soder", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert {r["cluster_id"] for r in rows} == {"soder"}
    occ = next(r for r in rows if r["kpi"] == "occupancy")
    assert occ["value"] == "40" and occ["period"] == "2023-02..2023-03"
    assert occ["target"] == "" and occ["status"] == "grey"
    assert list(rows[0]) == ["agreement_id", "cluster_id", "party_id", "period", "kpi", "value",
                             "role", "value_period", "target", "comparator", "status"]


@sqlite_only
def test_kpis_gives_an_indicators_latest_period_inside_p(db_url, stored):
    # The quarterly indicator has no row for the year 2023: its latest quarter counts.
    out = run(db_url, "kpis", "--agreement", "krami", "--period", "2023")
    rows = json.loads(out.stdout)
    ind = next(r for r in rows if r["kpi"] == "aterfall")
    assert (ind["value"], ind["value_period"], ind["period"]) == (2 + 7, "2023-Q1", "2023")
    assert {r["kpi"] for r in rows} >= {"unknown", "fte_actual_min"}


@sqlite_only
def test_kpis_refuses_unknown_agreement_and_bad_period(db_url, stored):
    out = run(db_url, "kpis", "--agreement", "nope", "--period", "2023")
    assert out.returncode == 1 and "krami" in out.stderr and "Traceback" not in out.stderr
    out = run(db_url, "kpis", "--agreement", "krami", "--period", "2023-13")
    assert out.returncode == 2 and "ingen period" in out.stderr
    out = run(db_url, "kpis", "--agreement", "krami", "--period", "2023", "--cluster", "x")
    assert out.returncode == 1 and "norr" in out.stderr


@sqlite_only
def test_refused_import_exits_non_zero_listing_every_problem(db_url, tmp_path, stored):
    tables = base_tables()
    tables["occupancy"][1][5] = -4
    tables["costs"][1][3] = "FK"
    out = run(db_url, "import", str(write_workbook(tmp_path / "bad.xlsx", tables)))
    assert out.returncode == 1
    assert "inget har sparats" in out.stderr
    assert out.stderr.count("  - ") == 2
    assert "Traceback" not in out.stderr
    out_en = run(db_url, "--lang", "en", "import", str(tmp_path / "bad.xlsx"))
    assert "nothing was stored" in out_en.stderr


@sqlite_only
def test_imports_log_and_undo(db_url, stored):
    log = run(db_url, "imports")
    assert log.returncode == 0 and "krami.xlsx" in log.stdout and "aktiv" in log.stdout
    undo = run(db_url, "undo", "1")
    assert undo.returncode == 0, undo.stderr
    assert "ångrad" in run(db_url, "imports").stdout
    again = run(db_url, "undo", "1")
    assert again.returncode == 1 and "redan ångrad" in again.stderr


@sqlite_only
def test_template_has_every_sheet_and_column_and_imports_when_filled(db_url, tmp_path):
    path = tmp_path / "mall.xlsx"
    out = run(db_url, "template", str(path))
    assert out.returncode == 0, out.stderr
    wb = load_workbook(path)
    assert wb.sheetnames[0] == "_instruktioner"
    for name, table in TABLES.items():
        headings = [c.value for c in wb[name][1]]
        assert headings == table.column_names
        assert all(c.comment is not None for c in wb[name][1])
    # Months, dates, periods, ids and labels are text columns (Excel would turn 2023-01
    # into a date): the column's own format, taken by every cell typed into it.
    occupancy = wb["occupancy"]
    text_columns = {occupancy.cell(1, i).value for i in range(1, occupancy.max_column + 1)
                    if occupancy.column_dimensions[get_column_letter(i)].number_format == "@"}
    assert {"agreement_id", "cluster_id", "month"} <= text_columns
    assert "participants" not in text_columns
    instructions = [r[1] for r in wb["_instruktioner"].iter_rows(values_only=True)]
    assert "participants" in instructions and "work_study_share" in str(
        list(wb["_instruktioner"].iter_rows(values_only=True)))
    # An empty template is refused as empty, filled in it imports.
    empty = run(db_url, "import", str(path))
    assert empty.returncode == 1 and "inga rader" in empty.stderr
    for name, rows in base_tables().items():
        for row in rows[1:]:
            wb[name].append(row)
    wb.save(path)
    filled = run(db_url, "import", str(path))
    assert filled.returncode == 0, filled.stderr


@sqlite_only
def test_the_command_line_as_a_process(db_url, tmp_path):
    """``python -m dashboard`` as a shell runs it: an import, a refused import with every
    problem and its exit code, never a traceback."""
    done = run_process(db_url, "import", str(write_workbook(tmp_path / "krami.xlsx",
                                                            base_tables())))
    assert done.returncode == 0, done.stderr
    assert "Import 1 klar: krami.xlsx" in done.stdout
    tables = base_tables()
    tables["occupancy"][1][5] = -4
    tables["costs"][1][3] = "FK"
    out = run_process(db_url, "import", str(write_workbook(tmp_path / "bad.xlsx", tables)))
    assert out.returncode == 1
    assert "inget har sparats" in out.stderr and out.stderr.count("  - ") == 2
    assert "Traceback" not in out.stderr
