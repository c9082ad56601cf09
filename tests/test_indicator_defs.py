"""Indicators read by their definition (contract.md sections 1, 3 and 4, amended in issue 16):
``indicator_defs`` names an indicator's unit and how periods inside a longer period combine
(``sum`` for flows, ``mean`` for rates, ``last`` for levels); ``value_period`` says which
months a partial value covers; increase/decrease compares the same months a year earlier.

Every expected value below is worked out by hand from the rows written here. Each test runs
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from dashboard.data import repository
from dashboard.data.ingest import import_dataset
from dashboard.data.template import write_template
from dashboard.domain.kpis import combine_periods, compute_kpis
from dashboard.domain.periods import Period
from tests.builders import write_workbook

A = "ind"


@pytest.fixture
def db_url(any_db_url):
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return any_db_url


def tables() -> dict[str, list[list]]:
    indicators = [["agreement_id", "cluster_id", "period", "indicator", "gender", "value",
                   "source"]]
    # A flow: people who moved to work during the quarter. 2024-Q1 comes by gender (5 + 7);
    # 2024-Q4 is not reported yet.
    for period, value in (("2023-Q1", 10), ("2023-Q2", 20), ("2023-Q3", 30), ("2023-Q4", 40),
                          ("2024-Q2", 25), ("2024-Q3", 33)):
        indicators.append([A, None, period, "to_work", None, value, "AF"])
    indicators += [[A, None, "2024-Q1", "to_work", "K", 5, "AF"],
                   [A, None, "2024-Q1", "to_work", "M", 7, "AF"]]
    # A rate measured each quarter: in 2023 three quarters miss 100 %, the last meets it.
    for period, value in (("2023-Q1", "90 %"), ("2023-Q2", "60 %"), ("2023-Q3", "70 %"),
                          ("2023-Q4", "100 %")):
        indicators.append([A, None, period, "within_90", None, value, "AF"])
    # 2024 mixes months, a quarter and a half year: January and February by month (so the
    # first quarter's row is not used), nothing for March to June, the second half year.
    for period, value in (("2024-01", "50 %"), ("2024-02", "60 %"), ("2024-Q1", "80 %"),
                          ("2024-H2", "90 %")):
        indicators.append([A, None, period, "within_90", None, value, "AF"])
    # A level: long-term unemployed at the end of the quarter.
    for period, value in (("2023-Q1", 500), ("2023-Q2", 480), ("2023-Q3", 470),
                          ("2023-Q4", 450), ("2024-Q1", 440), ("2024-Q2", 430),
                          ("2024-Q3", 420)):
        indicators.append([A, None, period, "long_term", None, value, "AF"])
    return {
        "agreements": [["agreement_id", "name", "valid_from", "valid_to"],
                       [A, "Indikatorer", "2023-01-01", "2024-12-31"]],
        "indicator_defs": [
            ["agreement_id", "indicator", "name", "unit", "aggregate", "source"],
            [A, "to_work", "Övergång till arbete", "count", "sum", "AF"],
            [A, "within_90", "Insats inom 90 dagar", "Andel", "Medel", None],  # Swedish words
            [A, "long_term", None, "count", None, None],  # blank aggregate: last
        ],
        "targets": [
            ["agreement_id", "kpi", "comparator", "value"],
            [A, "to_work", "increase", None],
            [A, "within_90", ">=", "100 %"],
            [A, "long_term", "decrease", None],
        ],
        "indicators": indicators,
    }


@pytest.fixture
def data(engine, tmp_path):
    result = import_dataset(engine, write_workbook(tmp_path / "ind.xlsx", tables()))
    assert result.ok, result.messages("en")
    return repository.load_agreement(engine, A)


def figure(data, period: str, kpi: str):
    return next(v for v in compute_kpis(data, Period.parse(period)) if v.kpi == kpi)


def test_the_definitions_are_stored_with_their_english_codes(data):
    defs = data.indicator_defs.set_index("indicator")
    assert defs.loc["within_90", "unit"] == "share"
    assert defs.loc["within_90", "aggregate"] == "mean"
    assert defs.loc["long_term", "aggregate"] is None


def test_a_year_of_a_flow_is_the_sum_of_its_quarters(data):
    v = figure(data, "2023", "to_work")
    assert v.value == 10 + 20 + 30 + 40
    assert v.value_period is None  # the quarters cover all of 2023
    assert v.unit == "count" and v.name == "Övergång till arbete"


def test_a_partial_year_of_a_flow_says_the_months_it_covers_and_compares_like_with_like(data):
    v = figure(data, "2024", "to_work")
    assert v.value == (5 + 7) + 25 + 33  # Q1 by gender summed first; Q4 missing
    assert v.value_period == "2024-01..2024-09"
    # A year earlier: the same nine months, made the same way (10 + 20 + 30), not all 2023.
    assert v.previous == 10 + 20 + 30
    assert v.previous_period == "2023-01..2023-09"
    assert v.status == "green"  # 70 > 60: increased


def test_a_half_year_of_a_flow_covered_by_its_quarters_is_complete(data):
    v = figure(data, "2024-H1", "to_work")
    assert v.value == 12 + 25 and v.value_period is None


def test_a_year_of_a_rate_is_the_mean_of_its_quarters_not_its_last(data):
    v = figure(data, "2023", "within_90")
    assert v.value == pytest.approx((0.9 + 0.6 + 0.7 + 1.0) / 4)  # 0.8, where Q4 alone is 1
    assert v.value_period is None
    # Target 100 % with the default tolerance of 10 %: 0.8 < 0.9, red (Q4 alone was green).
    assert (v.target, v.comparator, v.status) == (1, ">=", "red")
    assert v.unit == "percent"


def test_a_mean_takes_each_month_from_the_finest_period_and_weighs_by_months(data):
    v = figure(data, "2024", "within_90")
    # January and February by month; Q1 not used (two of its months have finer rows);
    # March to June missing; H2 six months: (0.5·1 + 0.6·1 + 0.9·6) / 8.
    assert v.value == pytest.approx((0.5 + 0.6 + 0.9 * 6) / 8)
    # The first to the last month covered; not all of P is covered, so not null.
    assert v.value_period == "2024-01..2024-12"


def test_a_level_is_its_latest_quarter_inside_the_period(data):
    v = figure(data, "2024", "long_term")
    assert (v.value, v.value_period) == (420, "2024-Q3")
    assert (v.previous, v.previous_period) == (470, "2023-Q3")
    assert v.status == "green"  # 420 < 470: decreased
    v = figure(data, "2023", "long_term")
    assert (v.value, v.value_period) == (450, "2023-Q4")
    assert v.unit == "count"


def test_combine_periods_alone():
    year = Period.parse("2024")
    q = {("2024-01", "2024-03"): 1.0, ("2024-04", "2024-06"): 2.0}
    assert combine_periods(q, year, "sum") == (3.0, "2024-01..2024-06")
    assert combine_periods(q, year, "mean") == (1.5, "2024-01..2024-06")
    one = {("2024-05", "2024-05"): 4.0}
    assert combine_periods(one, year, "sum") == (4.0, "2024-05")
    assert combine_periods({}, year, "sum") == (None, None)


def test_kpis_command_gives_value_period_and_role_fields(db_url, tmp_path, data):
    env = {**os.environ, "DATABASE_URL": db_url}
    env.pop("DASHBOARD_LANG", None)
    done = subprocess.run([sys.executable, "-m", "dashboard", "kpis", "--agreement", A,
                           "--period", "2024", "--format", "json"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = {r["kpi"]: r for r in json.loads(done.stdout)}
    assert rows["to_work"]["value"] == 70
    assert rows["to_work"]["value_period"] == "2024-01..2024-09"
    assert rows["to_work"]["role"] is None
    assert list(rows["to_work"]) == ["agreement_id", "cluster_id", "party_id", "period", "kpi",
                                     "value", "role", "value_period", "target", "comparator",
                                     "status"]


def test_unknown_units_and_aggregates_are_refused_with_nothing_stored(engine, tmp_path):
    t = tables()
    t["indicator_defs"] += [[A, "x", None, "procent", "average", None]]
    result = import_dataset(engine, write_workbook(tmp_path / "bad.xlsx", t))
    assert not result.ok
    messages = result.messages("en")
    assert any("sheet 'indicator_defs', row 5, column D 'unit'" in m and "'procent'" in m
               and "count, share, number, sek" in m for m in messages), messages
    assert any("row 5, column E 'aggregate'" in m and "sum, mean, last" in m
               for m in messages), messages
    assert repository.list_agreements(engine).empty


def test_a_target_may_name_an_indicator_defined_but_not_yet_reported(engine, tmp_path):
    t = tables()
    t["indicator_defs"].append([A, "new_one", "Nytt", "count", "sum", None])
    t["targets"].append([A, "new_one", "increase", None])
    result = import_dataset(engine, write_workbook(tmp_path / "t.xlsx", t))
    assert result.ok, result.messages("en")


def test_the_template_has_the_indicator_defs_sheet(tmp_path):
    wb = load_workbook(write_template(tmp_path / "mall.xlsx"))
    sheet = wb["indicator_defs"]
    assert [c.value for c in sheet[1]] == ["agreement_id", "indicator", "name", "unit",
                                           "aggregate", "source"]
    assert "role" in [c.value for c in wb["targets"][1]]
    assert "meetings_per_year" in [c.value for c in wb["agreements"][1]]
