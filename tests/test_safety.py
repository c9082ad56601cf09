"""Output safety: files the project writes never let a spreadsheet run a formula.

A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
a formula to Excel and LibreOffice. :func:`dashboard.domain.safety.safe_cell` prefixes such
text with an apostrophe; numbers stay numbers. Checked on the function, on the CSV of
``python -m dashboard kpis`` (with negative figures, which must stay numbers), on the
import log that ``python -m dashboard imports`` prints, and on the template workbook.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from dashboard.domain.safety import FORMULA_STARTS, safe_cell
from tests.builders import base_tables, write_workbook
from tests.test_cli import run


@pytest.mark.parametrize("text", ["=1+1", "=HYPERLINK(\"http://x\",\"klicka\")", "+46 8 123",
                                  "-5", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Krami", "", "5", "5-3", "a=b", " =1", "'=1", "100 %",
                                   "åäö", "2023-Q1"])
def test_other_text_is_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [0, 5, -5, -0.5, 1e12, -1e-9, 0.0, True, None])
def test_numbers_and_blanks_stay_what_they_are(value):
    out = safe_cell(value)
    assert out is value or out == value
    assert type(out) is type(value)


def test_kpis_csv_keeps_numbers_numbers_and_no_text_cell_can_run(db_url, tmp_path):
    assert run(db_url, "import", str(write_workbook(tmp_path / "k.xlsx", base_tables()))) \
        .returncode == 0
    out = run(db_url, "kpis", "--agreement", "krami", "--period", "2023-Q1", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows
    negative = [r for r in rows if r["value"].startswith("-")]
    assert negative, "the base data has a party that paid less than its share"
    for r in rows:
        if r["value"]:
            float(r["value"])  # a number, not "'-12345"
        if r["target"]:
            float(r["target"])
        for field in ("agreement_id", "cluster_id", "party_id", "period", "kpi", "comparator",
                      "status"):
            assert not r[field].startswith(FORMULA_STARTS), (field, r[field])
    balance = next(r for r in negative if r["kpi"] == "cost_balance")
    assert float(balance["value"]) < 0


def test_import_log_protects_file_names(db_url, tmp_path):
    for name in ("=1+1.xlsx", "@x.xlsx", "-x.xlsx", "+x.xlsx"):
        path = write_workbook(tmp_path / name, base_tables())
        assert run(db_url, "import", str(path)).returncode == 0
    log = run(db_url, "imports")
    assert log.returncode == 0, log.stderr
    names = [line.split("\t")[4] for line in log.stdout.splitlines()[1:]]
    assert sorted(names) == ["'+x.xlsx", "'-x.xlsx", "'=1+1.xlsx", "'@x.xlsx"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_template_holds_no_formula(tmp_path, lang, db_url):
    path = tmp_path / f"mall-{lang}.xlsx"
    assert run(db_url, "--lang", lang, "template", str(path)).returncode == 0
    wb = load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value
