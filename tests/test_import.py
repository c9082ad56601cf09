"""Importing: file formats, upsert and replace, the import log and undo.

Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from dashboard.data import repository
from dashboard.data.db import data_tables
from dashboard.data.ingest import import_dataset, undo_import
from dashboard.domain.kpis import compute_kpis
from dashboard.domain.periods import Period
from tests.builders import base_tables, write_csv_folder, write_workbook
from tests.test_refusals import snapshot


@pytest.fixture
def db_url(any_db_url):
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return any_db_url


def kpi_values(engine, period="2023-Q1"):
    data = repository.load_agreement(engine, "krami")
    return [v.contract_dict() for v in compute_kpis(data, Period.parse(period))]


def stored(engine, table, *columns):
    t = data_tables[table]
    with engine.connect() as conn:
        return sorted(conn.execute(select(*[t.c[c] for c in columns])).fetchall())


# --------------------------------------------------------------------------- formats


def test_swedish_excel_csv_folder_and_workbook_give_identical_figures(tmp_path, db_url):
    from dashboard.data.db import make_engine

    wb_engine = make_engine(db_url)
    csv_engine = make_engine(f"sqlite:///{tmp_path / 'csv.sqlite'}")
    try:
        tables = base_tables()
        folder = write_csv_folder(tmp_path / "csv", tables, swedish=True)
        # The folder really is Swedish Excel: ';', decimal comma, Windows-1252.
        raw = (folder / "costs.csv").read_bytes()
        assert b";" in raw and b"110 000,5" in raw and "avgiftsintäkter".encode("cp1252") in raw
        assert import_dataset(wb_engine, write_workbook(tmp_path / "k.xlsx", tables)).ok
        result = import_dataset(csv_engine, folder)
        assert result.ok, result.messages("en")
        for period in ("2023", "2023-Q1", "2023-02", "2023-02..2023-03"):
            assert kpi_values(wb_engine, period) == kpi_values(csv_engine, period)
        # The å/ä/ö survive both ways.
        assert stored(csv_engine, "parties", "name") == stored(wb_engine, "parties", "name")
        assert ("Kriminalvården",) in stored(csv_engine, "parties", "name")
    finally:
        wb_engine.dispose()
        csv_engine.dispose()


@pytest.mark.parametrize("bom", [True, False])
def test_utf8_csv_with_comma_separator(engine, tmp_path, bom):
    folder = write_csv_folder(tmp_path / "utf8", base_tables(), swedish=False, bom=bom)
    result = import_dataset(engine, folder)
    assert result.ok, result.messages("en")
    assert ("Söder",) in stored(engine, "clusters", "name")
    assert (110000.5,) in stored(engine, "costs", "amount_sek")


def test_csv_mixing_encodings_is_refused(engine, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    text = "agreement_id;party_id;name\nkrami;AF;Arbetsförmedlingen\n"
    (folder / "parties.csv").write_bytes(text.encode("utf-8") + "krami;KV;Kriminalvården\n"
                                         .encode("cp1252"))
    result = import_dataset(engine, folder)
    assert not result.ok
    assert result.problems[0].code == "mixed_encoding"
    assert result.problems[0].file == "parties.csv"


def test_excel_date_cells_where_a_month_was_typed(engine, tmp_path):
    tables = base_tables()
    for row in tables["occupancy"][1:]:
        year, month = map(int, row[2].split("-"))
        row[2] = dt.datetime(year, month, 1)
    assert import_dataset(engine, write_workbook(tmp_path / "dates.xlsx", tables)).ok
    assert {m for (m,) in stored(engine, "occupancy", "month")} == {
        "2023-01", "2023-02", "2023-03"}


def test_percent_formatted_excel_cells(engine, tmp_path):
    from openpyxl import load_workbook

    path = write_workbook(tmp_path / "pct.xlsx", base_tables())
    wb = load_workbook(path)
    ws = wb["cost_shares"]
    for r in range(2, 6):
        ws.cell(r, 4).value = 0.5
        ws.cell(r, 4).number_format = "0%"
    wb.save(path)
    assert import_dataset(engine, path).ok
    assert {s for (s,) in stored(engine, "cost_shares", "share")} == {0.5}


def test_single_csv_file_is_a_dataset_of_one_table(engine, tmp_path):
    assert import_dataset(engine, write_workbook(tmp_path / "b.xlsx", base_tables())).ok
    folder = write_csv_folder(tmp_path / "one", {"occupancy": base_tables()["occupancy"]})
    assert import_dataset(engine, folder / "occupancy.csv").ok


# --------------------------------------------------------------------------- upsert/replace


@pytest.fixture
def base_import(engine, tmp_path):
    result = import_dataset(engine, write_workbook(tmp_path / "base.xlsx", base_tables()))
    assert result.ok
    return result


def test_upsert_replaces_rows_with_the_same_key_and_keeps_the_rest(engine, tmp_path,
                                                                   base_import):
    header = base_tables()["occupancy"][0]
    update = {"occupancy": [header,
                            ["krami", "soder", "2023-01", None, None, 50, 3, 3],
                            ["krami", "soder", "2023-02", None, None, 44, 1, 1]]}
    result = import_dataset(engine, write_workbook(tmp_path / "upd.xlsx", update))
    assert result.ok
    assert result.rows == {"occupancy": 2}
    assert result.replaced == {"occupancy": 1}
    f = {v["kpi"]: v["value"] for v in kpi_values(engine) if v["cluster_id"] is None
         and v["party_id"] is None}
    # January 10+30+50, February 12+33+44, March 11+31+40.
    assert f["occupancy"] == pytest.approx((90 + 89 + 82) / 3)
    assert len(stored(engine, "occupancy", "id")) == 8 + 1


def test_replace_mode_replaces_all_rows_of_the_imported_tables_for_the_agreement(
        engine, tmp_path, base_import):
    header = base_tables()["occupancy"][0]
    only = {"occupancy": [header, ["krami", "soder", "2023-03", None, None, 40, 6, 1]]}
    result = import_dataset(engine, write_workbook(tmp_path / "r.xlsx", only), replace=True)
    assert result.ok
    assert result.replaced == {"occupancy": 8}
    assert stored(engine, "occupancy", "cluster_id", "month") == [("soder", "2023-03")]
    # Other tables are untouched.
    assert len(stored(engine, "outcomes", "id")) == 6


def test_replace_mode_may_not_leave_stored_rows_pointing_at_nothing(engine, tmp_path,
                                                                    base_import):
    before = snapshot(engine)
    clusters = {"clusters": [["agreement_id", "cluster_id", "name"],
                             ["krami", "norr", "Norr"]]}
    result = import_dataset(engine, write_workbook(tmp_path / "c.xlsx", clusters),
                            replace=True)
    assert not result.ok
    p = next(p for p in result.problems if p.code == "unknown_cluster")
    assert p.table in ("occupancy", "outcomes") and "soder" in p.message("sv")
    assert "lagrad rad från import 1" in p.message("sv")
    assert snapshot(engine) == before


# --------------------------------------------------------------------------- log and undo


def test_import_log_records_when_file_hash_and_rows(engine, tmp_path, base_import):
    log = repository.list_imports(engine)
    [entry] = log.to_dict("records")
    assert entry["file_name"] == "base.xlsx"
    assert len(entry["file_sha256"]) == 64
    assert json.loads(entry["rows_json"])["occupancy"] == 8
    assert entry["status"] == "active"
    assert entry["mode"] == "upsert"
    when = dt.datetime.fromisoformat(entry["imported_at"])
    assert abs((dt.datetime.now(dt.UTC) - when).total_seconds()) < 120


def test_undo_restores_exactly_what_was_there(engine, tmp_path, base_import):
    before = {n: v for n, v in snapshot(engine).items() if n != "imports"}
    header = base_tables()["occupancy"][0]
    update = {"occupancy": [header, ["krami", "soder", "2023-01", None, None, 50, 3, 3],
                            ["krami", "soder", "2023-02", None, None, 44, 1, 1]]}
    second = import_dataset(engine, write_workbook(tmp_path / "upd.xlsx", update))
    assert second.ok
    result = undo_import(engine, second.import_id)
    assert result.ok
    assert result.restored == {"occupancy": 1}
    after = {n: v for n, v in snapshot(engine).items() if n != "imports"}
    assert after == before
    statuses = dict(zip(repository.list_imports(engine)["id"],
                        repository.list_imports(engine)["status"], strict=True))
    assert statuses == {1: "active", 2: "undone"}
    assert not undo_import(engine, second.import_id).ok  # already undone


def test_undo_of_a_replace_import_brings_back_the_removed_rows(engine, tmp_path,
                                                               base_import):
    before = {n: v for n, v in snapshot(engine).items() if n != "imports"}
    header = base_tables()["occupancy"][0]
    only = {"occupancy": [header, ["krami", "soder", "2023-03", None, None, 40, 6, 1]]}
    second = import_dataset(engine, write_workbook(tmp_path / "r.xlsx", only), replace=True)
    assert undo_import(engine, second.import_id).ok
    assert {n: v for n, v in snapshot(engine).items() if n != "imports"} == before


def test_undo_is_refused_while_a_later_import_changed_the_same_agreement(engine, tmp_path,
                                                                         base_import):
    header = base_tables()["occupancy"][0]
    update = {"occupancy": [header, ["krami", "soder", "2023-01", None, None, 50, 3, 3]]}
    second = import_dataset(engine, write_workbook(tmp_path / "u.xlsx", update))
    result = undo_import(engine, base_import.import_id)
    assert not result.ok
    [p] = result.problems
    assert p.code == "undo_blocked"
    assert "Ångra import 2 först" in p.message("sv")
    assert undo_import(engine, second.import_id).ok
    assert undo_import(engine, base_import.import_id).ok
    assert stored(engine, "agreements", "agreement_id") == []


def test_undo_of_an_unknown_import(engine):
    result = undo_import(engine, 42)
    assert not result.ok and result.problems[0].code == "no_such_import"


def test_kind_and_municipalities_are_read_and_listed(engine, tmp_path, tables):
    tables["agreements"] = [
        ["agreement_id", "name", "valid_from", "valid_to", "typ", "kommuner"],
        ["krami", "Krami Test", "2023-01-01", "2023-12-31", "krami", 180],
    ]
    result = import_dataset(engine, write_workbook(tmp_path / "a.xlsx", tables))
    assert result.ok, result.messages("en")
    listed = repository.list_agreements(engine).set_index("agreement_id")
    assert listed.loc["krami", "kind"] == "krami"
    assert listed.loc["krami", "municipalities"] == "0180"  # the zero Excel dropped


def test_a_bad_municipality_code_is_refused_naming_the_cell(engine, tmp_path, tables):
    tables["agreements"] = [
        ["agreement_id", "name", "valid_from", "valid_to", "municipalities"],
        ["krami", "Krami Test", "2023-01-01", "2023-12-31", "0180;9999"],
    ]
    result = import_dataset(engine, write_workbook(tmp_path / "a.xlsx", tables))
    assert not result.ok
    [problem] = result.problems
    assert (problem.code, problem.sheet, problem.row, problem.letter) == \
        ("bad_municipalities", "agreements", 2, "E")
    assert "”9999” är ingen kommunkod" in problem.message("sv")
