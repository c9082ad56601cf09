"""Shaping rows for the charts (dashboard.model.series), against values computed by hand.

The data is ``tests.builders.base_tables()`` imported into a SQLite file: cluster norr
reports by gender (K, M), soder only totals and misses February in occupancy; staffing and
costs are reported for January and February; one indicator (``aterfall``) for 2023-Q1 and
2022-Q1, by gender.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.data import repository
from dashboard.domain.kpis import compute_kpis
from dashboard.domain.periods import Period
from dashboard.model.series import (
    TOTAL,
    available_breakdowns,
    cluster_rows,
    completeness,
    costs_by_party,
    expected_tables,
    flow_by_month,
    indicator_rows,
    indicator_series,
    months_shown,
    occupancy_by_month,
    outcomes_by_group,
    settlements,
    staffing_by_party,
)
from tests.builders import base_tables, import_into

Q1 = Period.parse("2023-Q1")


def load(folder, tables):
    """Import ``tables`` into a fresh SQLite file under ``folder``; all rows of ``krami``."""
    engine = import_into(folder, tables)
    try:
        return repository.load_agreement(engine, "krami")
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return load(tmp_path_factory.mktemp("series"), base_tables())


def records(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict("records")


# --------------------------------------------------------------------------- occupancy


def test_occupancy_by_month_total_sums_gender_rows_and_clusters(data):
    out = occupancy_by_month(data, Q1, None)
    # January: norr 10 + 30, soder 35; February: norr 12 + 33 (soder missing); March:
    # norr 11 + 31, soder 40.
    assert list(out["month"]) == ["2023-01", "2023-02", "2023-03"]
    assert set(out["group"]) == {TOTAL}
    assert list(out["participants"]) == [75, 45, 82]


def test_occupancy_by_month_split_by_gender_with_unsplit_rows_last(data):
    out = occupancy_by_month(data, Q1, None, "gender")
    got = [(r["month"], r["group"], r["participants"]) for r in records(out)]
    assert got == [
        ("2023-01", "K", 10), ("2023-01", "M", 30), ("2023-01", "", 35),
        ("2023-02", "K", 12), ("2023-02", "M", 33),
        ("2023-03", "K", 11), ("2023-03", "M", 31), ("2023-03", "", 40),
    ]


def test_occupancy_by_month_of_one_cluster(data):
    out = occupancy_by_month(data, Q1, "norr")
    assert list(out["participants"]) == [40, 45, 42]
    # soder is not broken down by gender: asking for gender gives its total.
    soder = occupancy_by_month(data, Q1, "soder", "gender")
    assert list(soder["group"]) == [TOTAL, TOTAL]
    assert list(soder["participants"]) == [35, 40]


def test_occupancy_by_month_outside_the_data_is_empty(data):
    out = occupancy_by_month(data, Period.parse("2024"), None)
    assert out.empty
    assert list(out.columns) == ["month", "group", "participants"]


def test_flow_by_month_sums_started_and_exited(data):
    out = flow_by_month(data, Q1, None)
    assert records(out) == [
        {"month": "2023-01", "started": 2 + 4 + 3, "exited": 1 + 2 + 3},
        {"month": "2023-02", "started": 3 + 5, "exited": 1 + 2},
        {"month": "2023-03", "started": 1 + 2 + 6, "exited": 2 + 4 + 1},
    ]


def test_available_breakdowns(data):
    assert available_breakdowns(data) == ["total", "gender"]


def test_months_shown_stop_at_the_last_month_with_data():
    assert months_shown(Period.parse("2023"), "2023-03") == ["2023-01", "2023-02", "2023-03"]
    assert months_shown(Q1, None) == ["2023-01", "2023-02", "2023-03"]


# --------------------------------------------------------------------------- outcomes


def test_outcomes_total_first_then_genders(data):
    out = outcomes_by_group(data, Q1, None, "gender")
    assert list(out["group"]) == [TOTAL, "K", "M", ""]
    total, women, men, unsplit = records(out)
    assert {k: total[k] for k in ("completed", "work", "study", "other", "discontinued")} == {
        "completed": 2 + 5 + 4 + 0 + 3 + 0, "work": 1 + 2 + 1 + 0 + 1 + 0,
        "study": 0 + 1 + 1 + 0 + 1 + 0, "other": 1 + 1 + 2 + 0 + 1 + 0,
        "discontinued": 1 + 2 + 0 + 1 + 0 + 2}
    assert total["share"] == pytest.approx((5 + 3) / 14)
    # K: completed 2 + 0, work 1, study 0.
    assert (women["completed"], women["share"]) == (2, pytest.approx(1 / 2))
    # M: completed 5 + 3, work 2 + 1, study 1 + 1.
    assert (men["completed"], men["share"]) == (8, pytest.approx(5 / 8))
    # soder (not broken down): completed 4 + 0, work 1, study 1.
    assert (unsplit["completed"], unsplit["share"]) == (4, pytest.approx(2 / 4))


def test_outcomes_with_zero_completers_has_no_share_not_zero(data):
    # soder in February: nobody completed, two discontinued.
    out = outcomes_by_group(data, Period.parse("2023-02"), "soder")
    (row,) = records(out)
    assert row["completed"] == 0
    assert row["discontinued"] == 2
    assert row["share"] is None or pd.isna(row["share"])


def test_outcomes_zero_completers_in_one_gender_only(data):
    # norr in February: K completed 0 (one discontinued); M completed 3, work 1, study 1.
    out = outcomes_by_group(data, Period.parse("2023-02"), "norr", "gender")
    by_group = {r["group"]: r for r in records(out)}
    assert pd.isna(by_group["K"]["share"])
    assert by_group["K"]["discontinued"] == 1
    assert by_group["M"]["share"] == pytest.approx(2 / 3)
    assert by_group[TOTAL]["share"] == pytest.approx(2 / 3)


# --------------------------------------------------------------------------- staffing, costs


def test_staffing_by_party_per_party_then_all(data):
    values = compute_kpis(data, Q1)
    out = staffing_by_party(values, data, None)
    assert list(out["party_id"].fillna("ALL")) == ["AF", "KV", "STHLM", "ALL"]
    rows = {r["party_id"] if isinstance(r["party_id"], str) else "ALL": r
            for r in records(out)}
    # KV: committed 2 and 2, actual 1.5 and 2 -> 1.75 against a target of at least 2.
    kv = rows["KV"]
    assert (kv["party"], kv["committed"], kv["actual"]) == ("Kriminalvården", 2, 1.75)
    assert kv["fulfilment"] == pytest.approx(1.75 / 2)
    assert (kv["target"], kv["comparator"], kv["status"]) == (2, ">=", "red")
    # STHLM: vägledare + administratör, committed 2.5 both months, actual 2.5 and 1.5.
    assert (rows["STHLM"]["committed"], rows["STHLM"]["actual"]) == (2.5, 2.0)
    # All parties: committed 6.5 both months; actual 6.0 and 5.5.
    assert (rows["ALL"]["committed"], rows["ALL"]["actual"]) == (6.5, 5.75)
    assert rows["ALL"]["status"] == "grey"


def test_costs_by_party_paid_and_due_per_category(data):
    out = costs_by_party(data, Q1)
    got = {(r["party_id"], r["category"]): (r["paid"], r["due"]) for r in records(out)}
    # driftskostnader: 100 000 + 20 000 + 110 000,50 = 230 000,50, half each for KV, STHLM.
    assert got[("KV", "driftskostnader")] == (20000, pytest.approx(115000.25))
    assert got[("STHLM", "driftskostnader")] == (pytest.approx(210000.5),
                                                 pytest.approx(115000.25))
    # avgiftsintäkter: −9 800 paid (received) by STHLM, −4 900 due each.
    assert got[("STHLM", "avgiftsintäkter")] == (-9800, pytest.approx(-4900))
    assert got[("KV", "avgiftsintäkter")] == (0, pytest.approx(-4900))
    # AF has no share: it owes nothing and paid nothing.
    assert got[("AF", "driftskostnader")] == (0, 0)


def test_settlements_two_parties_from_the_base_costs():
    # KV: paid 20 000, due 115 000,25 − 4 900 -> −90 100,25; STHLM the opposite; AF 0.
    balances = {"AF": 0.0, "KV": -90100.25, "STHLM": 90100.25}
    assert settlements(balances) == [("KV", "STHLM", pytest.approx(90100.25))]


def test_settlements_one_creditor_two_debtors_largest_first():
    out = settlements({"A": 300.0, "B": -100.0, "C": -200.0})
    assert out == [("C", "A", 200.0), ("B", "A", 100.0)]


def test_settlements_one_debtor_two_creditors_largest_first():
    out = settlements({"A": 100.0, "B": 200.0, "C": -300.0})
    assert out == [("C", "B", 200.0), ("C", "A", 100.0)]


def test_settlements_balance_every_party_and_leave_out_the_settled():
    balances = {"A": 500.0, "B": -300.0, "C": 100.0, "D": -300.0, "E": 0.0, "F": 0.2}
    out = settlements(balances)
    assert out == [("B", "A", 300.0), ("D", "A", 200.0), ("D", "C", 100.0)]
    net = dict.fromkeys(balances, 0.0)
    for debtor, creditor, amount in out:
        assert amount > 0
        net[debtor] -= amount
        net[creditor] += amount
    for party in ("A", "B", "C", "D"):
        assert net[party] == pytest.approx(balances[party])
    parties = {p for d, c, _ in out for p in (d, c)}
    assert "E" not in parties and "F" not in parties  # zero, and under half a krona


def test_settlements_nothing_to_settle():
    assert settlements({"A": 0.0, "B": None, "C": 0.3}) == []


# --------------------------------------------------------------------------- indicators


def indicator_frame(rows):
    return pd.DataFrame(rows, columns=["indicator", "cluster_id", "period", "gender", "value"])


def test_indicator_series_keeps_p_and_p_a_year_earlier():
    frame = indicator_frame([
        ["aterfall", "", "2023-Q1", "K", 2], ["aterfall", "", "2023-Q1", "M", 7],
        ["aterfall", "", "2023-01", "", 5],     # a month inside P
        ["aterfall", "", "2023-Q2", "", 100],   # after P
        ["aterfall", "", "2022-Q1", "", 11],    # P a year earlier
        ["aterfall", "", "2022-03", "", 4],     # a month inside P a year earlier
        ["aterfall", "", "2022", "", 50],       # the year 2022 is not inside 2022-Q1
        ["aterfall", "", "2022-Q4", "", 60],    # between the two
        ["aterfall", "norr", "2023-Q1", "", 70],  # another level
        ["annat", "", "2023-Q1", "", 80],       # another indicator
        ["aterfall", "", "not-a-period", "", 90],
    ])
    out = indicator_series(frame, "aterfall", None, Q1)
    # 2023-Q1 is reported for women and men: one row each, adding up to its value 2 + 7.
    assert [p.text for p in out["period"]] == ["2022-Q1", "2022-03", "2023-01", "2023-Q1",
                                               "2023-Q1"]
    assert list(out["value"]) == [11, 4, 5, 2, 7]
    assert list(out["group"]) == [TOTAL, TOTAL, TOTAL, "K", "M"]
    assert list(out["current"]) == [False, False, True, True, True]


def test_indicator_series_of_a_cluster():
    frame = indicator_frame([["aterfall", "norr", "2023-Q1", "", 70],
                             ["aterfall", "", "2023-Q1", "", 9]])
    out = indicator_series(frame, "aterfall", "norr", Q1)
    assert list(out["value"]) == [70]


def test_indicator_rows_with_the_previous_year(data):
    out = indicator_rows(compute_kpis(data, Q1), data, Q1, None)
    (row,) = records(out)
    # 2023-Q1: K 2 + M 7; 2022-Q1: K 3 + M 8.
    assert (row["name"], row["label"], row["value"], row["previous"]) == (
        "aterfall", "Aterfall", 9, 11)
    assert row["status"] == "grey"


# --------------------------------------------------------------------------- clusters


def test_cluster_rows_part_of_participants_in_a_complete_month(data):
    period = Period.parse("2023-01")
    out = cluster_rows(compute_kpis(data, period), data, period)
    rows = {r["cluster_id"]: r for r in records(out)}
    assert list(out["name"]) == ["Norr", "Söder"]
    # January: norr 10 + 30 = 40, soder 35, the agreement 75.
    assert rows["norr"]["occupancy"] == 40
    assert rows["norr"]["part_of_participants"] == pytest.approx(40 / 75)
    assert rows["soder"]["part_of_participants"] == pytest.approx(35 / 75)
    # Completers in January: norr 2 + 5, soder 4.
    assert rows["norr"]["part_of_completed"] == pytest.approx(7 / 11)
    assert rows["norr"]["work_study_share"] == pytest.approx((1 + 2 + 0 + 1) / 7)


def test_cluster_parts_of_participants_sum_to_one_when_a_cluster_misses_a_month(data):
    # Q1: norr reports all three months (40, 45, 42), soder two (35, 40); every participant
    # of the agreement is in norr or soder, so their parts must add up to 100 %.
    out = cluster_rows(compute_kpis(data, Q1), data, Q1)
    assert out["part_of_participants"].sum() == pytest.approx(1.0)


# --------------------------------------------------------------------------- completeness


def test_expected_tables(data):
    assert expected_tables(data) == ["occupancy", "outcomes", "staffing", "costs"]


JAN_FEB = Period.parse("2023-01..2023-02")  # every table reports January and February


def test_a_cluster_missing_a_month_is_named_with_the_month(data):
    notes = completeness(data, JAN_FEB, None, "2023-03")
    texts = [n.text() for n in notes]
    # soder has outcomes for February (zero completers) but no occupancy row.
    assert texts == ["Söder har inte rapporterat beläggning för feb 2023."]
    assert notes[0].kind == "missing_month"
    assert notes[0].months == ["2023-02"]
    assert notes[0].text("en") == "Söder has not reported occupancy for Feb 2023."


def test_missing_month_in_two_tables_is_one_note(tmp_path):
    tables = base_tables()
    tables["outcomes"] = [r for r in tables["outcomes"]
                          if not (r[1] == "soder" and r[2] == "2023-02")]
    data = load(tmp_path, tables)
    notes = completeness(data, JAN_FEB, None, "2023-03")
    assert [n.text() for n in notes] == [
        "Söder har inte rapporterat beläggning och utfall för feb 2023."]
    assert notes[0].text("en") == "Söder has not reported occupancy and outcomes for Feb 2023."


def test_no_missing_month_for_a_cluster_that_reported_every_month(data):
    # Staffing is reported for the agreement as a whole (blank cluster): a cluster page
    # does not call it missing.
    assert completeness(data, JAN_FEB, "norr", "2023-03") == []


def test_a_table_that_stops_reporting_early_is_noted(data):
    # Occupancy runs to March; outcomes, staffing and costs stop in February.
    notes = completeness(data, Q1, None, "2023-03")
    assert [n.text() for n in notes] == [
        "Söder har inte rapporterat beläggning för feb 2023.",
        "Norr har inte rapporterat utfall för mar 2023.",
        "Söder har inte rapporterat utfall för mar 2023.",
        "Krami Test har inte rapporterat bemanning och kostnader för mar 2023."]


def test_incomplete_period_note_comes_first(data):
    notes = completeness(data, Period.parse("2023"), None, "2023-03")
    assert notes[0].kind == "incomplete_period"
    assert notes[0].text() == "Perioden är inte komplett: uppgifter finns till och med mars 2023."
    assert notes[0].text("en") == "The period is not complete: data runs to March 2023."
    assert "Söder har inte rapporterat beläggning för feb 2023." in [n.text() for n in notes]


def test_a_period_without_data_names_each_table(data):
    notes = completeness(data, Period.parse("2024-Q1"), None, "2023-03")
    assert [n.text() for n in notes] == [
        "Inga uppgifter om beläggning för perioden.",
        "Inga uppgifter om utfall för perioden.",
        "Inga uppgifter om bemanning för perioden.",
        "Inga uppgifter om kostnader för perioden.",
    ]


def test_agreement_level_table_missing_a_middle_month_is_named_by_the_agreement(tmp_path):
    tables = base_tables()
    # Staffing for January and March, none for February.
    tables["staffing"] = [r if r[2] != "2023-02" else [*r[:2], "2023-03", *r[3:]]
                          for r in tables["staffing"]]
    data = load(tmp_path, tables)
    texts = [n.text() for n in completeness(data, Q1, None, "2023-03")]
    assert "Krami Test har inte rapporterat bemanning för feb 2023." in texts
