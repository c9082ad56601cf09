"""Every refusal rule of contract.md section 1.

Each test stores a valid dataset, then imports a broken variant and checks that the
import is refused with a message naming the table (the sheet) and the column, and that
the stored data and the import log are exactly as before. The tests that read what is
stored (references, shares, breakdowns), a wrong type and every problem at once run on
SQLite and on PostgreSQL; a rule that reads only the file runs on SQLite.
"""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from dashboard.data.db import data_tables, imports
from dashboard.data.ingest import import_dataset
from tests.builders import base_tables, write_csv_folder, write_workbook
from tests.conftest import sqlite_only


@pytest.fixture
def db_url(any_db_url):
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return any_db_url


def snapshot(engine) -> dict:
    """Every stored row of every table, and the import log."""
    out = {}
    with engine.connect() as conn:
        for name, t in {**data_tables, "imports": imports}.items():
            out[name] = sorted(map(tuple, conn.execute(select(t)).fetchall()), key=repr)
    return out


@pytest.fixture
def stored(engine, tmp_path, prepared):
    """The base dataset stored; returns the snapshot taken after it."""
    def build(eng):
        result = import_dataset(eng, write_workbook(tmp_path / "base.xlsx", base_tables()))
        assert result.ok, result.messages("en")

    prepared.prepare(engine, "test_refusals.stored", build)
    return snapshot(engine)


def refuse(engine, tmp_path, tables, stored_before, name="bad.xlsx"):
    """Import ``tables``; assert refusal and no change; return the problems."""
    result = import_dataset(engine, write_workbook(tmp_path / name, tables))
    assert not result.ok
    assert result.problems
    assert snapshot(engine) == stored_before
    return result.problems


def assert_names(problem, table, column):
    assert problem.table == table
    assert problem.column == column
    for lang in ("sv", "en"):
        text = problem.message(lang)
        assert table in text
        assert column in text


def changed(edit):
    tables = copy.deepcopy(base_tables())
    edit(tables)
    return tables


@sqlite_only
def test_missing_required_column(engine, tmp_path, stored):
    def edit(t):
        t["occupancy"] = [row[:5] + row[6:] for row in t["occupancy"]]  # drop participants
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "missing_column"
    assert_names(p, "occupancy", "participants")


@sqlite_only
def test_unknown_column_is_an_error_with_a_hint(engine, tmp_path, stored):
    def edit(t):
        t["occupancy"][0][5] = "participnats"
    problems = refuse(engine, tmp_path, changed(edit), stored)
    unknown = next(p for p in problems if p.code == "unknown_column")
    assert_names(unknown, "occupancy", "participnats")
    assert "participants" in unknown.message("en")  # "Did you mean 'participants'?"
    assert any(p.code == "missing_column" for p in problems)


def test_wrong_type(engine, tmp_path, stored):
    def edit(t):
        t["occupancy"][3][5] = "tolv"
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "bad_count"
    assert p.row == 4
    assert_names(p, "occupancy", "participants")
    assert p.letter == "F"


@sqlite_only
@pytest.mark.parametrize("table, row, col, value, code, column", [
    ("occupancy", 1, 5, -3, "negative_count", "participants"),
    ("outcomes", 2, 7, -1, "negative_count", "study"),
    ("staffing", 2, 6, -0.5, "negative_fte", "actual_fte"),
])
def test_negative_count_or_fte(engine, tmp_path, stored, table, row, col, value, code,
                               column):
    def edit(t):
        t[table][row][col] = value
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == code
    assert_names(p, table, column)


@sqlite_only
@pytest.mark.parametrize("table, row, col, value, code, column", [
    ("occupancy", 1, 2, "2023-13", "month_not_exist", "month"),
    ("costs", 1, 1, "2023-00", "month_not_exist", "month"),
    ("agreements", 1, 3, "2023-02-30", "date_not_exist", "valid_to"),
    ("targets", 1, 7, "2023-04-31", "date_not_exist", "valid_from"),
])
def test_month_or_date_that_does_not_exist(engine, tmp_path, stored, table, row, col, value,
                                           code, column):
    def edit(t):
        t[table][row][col] = value
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == code
    assert_names(p, table, column)


@sqlite_only
def test_duplicate_key_inside_the_file(engine, tmp_path, stored):
    def edit(t):
        t["occupancy"].append(list(t["occupancy"][2]))
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "duplicate_key"
    assert p.table == "occupancy"
    assert p.row == len(base_tables()["occupancy"]) + 1
    text = p.message("sv")
    assert "occupancy" in text and "cluster_id=norr" in text and "month=2023-01" in text
    assert "rad 3" in text  # the first row with that key


@pytest.mark.parametrize("table, row, col, value, code, column", [
    ("occupancy", 1, 0, "okand", "unknown_agreement", "agreement_id"),
    ("occupancy", 1, 1, "vaster", "unknown_cluster", "cluster_id"),
    ("staffing", 1, 3, "FK", "unknown_party", "party_id"),
    ("costs", 1, 3, "FK", "unknown_party", "paid_by"),
    ("targets", 3, 2, "FK", "unknown_party", "party_id"),
])
def test_reference_neither_in_the_file_nor_stored(engine, tmp_path, stored, table, row, col,
                                                  value, code, column):
    def edit(t):
        t[table][row][col] = value
    problems = refuse(engine, tmp_path, changed(edit), stored)
    p = next(p for p in problems if p.code == code)
    assert_names(p, table, column)
    assert value in p.message("sv")


def test_reference_to_what_is_only_stored_is_accepted(engine, tmp_path, stored):
    # Clusters and parties are stored already; a file with only occupancy may use them.
    tables = {"occupancy": base_tables()["occupancy"]}
    tables["occupancy"][1][5] = 99
    assert import_dataset(engine, write_workbook(tmp_path / "occ.xlsx", tables)).ok


@sqlite_only
def test_cost_category_without_cost_shares(engine, tmp_path, stored):
    def edit(t):
        t["costs"].append(["krami", "2023-03", "lokaler", "STHLM", 5000, None])
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "category_without_shares"
    assert_names(p, "costs", "cost_category")
    assert "lokaler" in p.message("sv")


@sqlite_only
def test_shares_of_a_category_not_summing_to_one(engine, tmp_path, stored):
    def edit(t):
        t["cost_shares"][2][3] = 0.6
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "shares_not_one"
    assert_names(p, "cost_shares", "share")
    assert "110,0 %" in p.message("sv")


def test_shares_are_checked_with_what_is_stored(engine, tmp_path, stored):
    # Upsert of one share: 0.6 for KV with STHLM's stored 0.5 would make 110 %.
    tables = {"cost_shares": [base_tables()["cost_shares"][0],
                              ["krami", "driftskostnader", "KV", "60 %"]]}
    [p] = refuse(engine, tmp_path, tables, stored)
    assert p.code == "shares_not_one"


@sqlite_only
def test_work_study_other_more_than_completed(engine, tmp_path, stored):
    def edit(t):
        t["outcomes"][2][6] = 4  # completed 5: work 4 + study 1 + other 1 = 6
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "outcome_sum"
    assert_names(p, "outcomes", "completed")
    assert "6" in p.message("sv") and "5" in p.message("sv")


@sqlite_only
def test_blank_gender_mixed_with_gender_rows(engine, tmp_path, stored):
    def edit(t):
        t["occupancy"].append(["krami", "norr", "2023-01", None, None, 40, None, None])
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "mixed_breakdown"
    assert_names(p, "occupancy", "gender")
    assert "2023-01" in p.message("sv")


@sqlite_only
def test_blank_target_group_mixed_with_target_group_rows(engine, tmp_path, stored):
    def edit(t):
        t["outcomes"].append(["krami", "soder", "2023-01", None, "Unga", 1, 1, 0, 0, 0])
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "mixed_breakdown"
    assert_names(p, "outcomes", "target_group")


def test_breakdown_mixed_with_what_is_stored(engine, tmp_path, stored):
    # soder's January total is stored; a file adding gender rows for it would count twice.
    tables = {"occupancy": [base_tables()["occupancy"][0],
                            ["krami", "soder", "2023-01", "K", None, 5, 0, 0]]}
    [p] = refuse(engine, tmp_path, tables, stored)
    assert p.code == "mixed_breakdown"


@sqlite_only
@pytest.mark.parametrize("table, row, col, value, column", [
    ("costs", 2, 5, "Faktura för 811218-9876", "note"),
    ("occupancy", 1, 4, "19811218-9876", "target_group"),
    ("occupancy", 1, 5, 8112189876, "participants"),
    ("agreements", 1, 4, "Kontakt 811278-9873", "description"),
])
def test_personal_identity_number_in_any_cell(engine, tmp_path, stored, table, row, col,
                                               value, column):
    def edit(t):
        t[table][row][col] = value
    [p] = refuse(engine, tmp_path, changed(edit), stored)
    assert p.code == "personal_number"
    assert_names(p, table, column)
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    for lang in ("sv", "en"):
        text = "".join(ch for ch in p.message(lang) if ch.isdigit())
        assert digits[-4:] not in text  # the number is never repeated


def test_every_problem_at_once(engine, tmp_path, stored):
    def edit(t):
        t["occupancy"][1][2] = "2023-13"
        t["occupancy"][2][5] = -1
        t["costs"][1][3] = "FK"
        t["outcomes"][1][9] = "många"
    problems = refuse(engine, tmp_path, changed(edit), stored)
    assert {(p.table, p.code) for p in problems} == {
        ("occupancy", "month_not_exist"), ("occupancy", "negative_count"),
        ("costs", "unknown_party"), ("outcomes", "bad_count")}


def test_refusals_from_a_swedish_csv_folder_name_the_file(engine, tmp_path, stored):
    def edit(t):
        t["occupancy"][1][5] = "tolv"
    folder = write_csv_folder(tmp_path / "csv", changed(edit))
    result = import_dataset(engine, folder)
    assert not result.ok
    [p] = result.problems
    assert p.file == "occupancy.csv" and p.row == 2 and p.column == "participants"
    assert p.message("sv").startswith("occupancy.csv, rad 2, kolumn ”participants”:")
    assert snapshot(engine) == stored


@sqlite_only
def test_unknown_sheet_is_an_error_but_underscore_sheets_are_skipped(engine, tmp_path,
                                                                     stored):
    tables = {"ocupancy": base_tables()["occupancy"]}
    [p] = refuse(engine, tmp_path, tables, stored)
    assert p.code == "unknown_table"
    assert "ocupancy" in p.message("sv")
    ok = {"_anteckningar": [["fritt"]], "occupancy": base_tables()["occupancy"]}
    assert import_dataset(engine, write_workbook(tmp_path / "ok.xlsx", ok)).ok


@sqlite_only
def test_a_broken_file_is_refused_with_a_message_not_a_traceback(engine, tmp_path, stored):
    path = tmp_path / "trasig.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    result = import_dataset(engine, path)
    assert not result.ok
    assert result.problems[0].code == "bad_workbook"
    assert "trasig.xlsx" in result.problems[0].message("sv")
    assert snapshot(engine) == stored
