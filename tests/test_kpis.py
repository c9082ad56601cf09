"""Key figures of contract.md section 3, against values computed by hand.

The data is ``tests.builders.base_tables()`` imported into a real SQLite file and into a
PostgreSQL database: two clusters (norr reports by gender, soder only totals and misses
February), three parties, costs with a negative income row, and an indicator with the
previous year's value.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.data import repository
from dashboard.data.ingest import import_dataset
from dashboard.domain.kpis import Inputs, compute_kpis, figure_table, status, sums_from_rows
from dashboard.domain.periods import Period
from tests.builders import base_tables, write_workbook


@pytest.fixture
def db_url(any_db_url):
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return any_db_url


@pytest.fixture
def data(engine, tmp_path, prepared):
    def build(eng):
        tables = base_tables()
        tables["targets"] += [
            ["krami", None, None, "aterfall", "decrease", None, None, None, None, None],
            ["krami", "norr", None, "occupancy", ">=", 45, "5 %", None, None, None],
            ["krami", None, None, "cost_total", "<=", 200000, None, None, None, None],
        ]
        result = import_dataset(eng, write_workbook(tmp_path / "k.xlsx", tables))
        assert result.ok, result.messages("en")

    prepared.prepare(engine, "test_kpis.data", build)
    return repository.load_agreement(engine, "krami")


def figures(data, period, cluster=None):
    """{(cluster, party, kpi): KpiValue} for one period."""
    return {(v.cluster_id, v.party_id, v.kpi): v
            for v in compute_kpis(data, Period.parse(period), cluster) if v.role is None}


def test_occupancy_is_the_mean_over_months_with_data_a_month_missing_in_one_cluster(data):
    f = figures(data, "2023-Q1")
    # January 10+30+35, February 12+33 (soder missing), March 11+31+40.
    assert f[(None, None, "occupancy")].value == pytest.approx((75 + 45 + 82) / 3)
    # norr reports by gender: K+M summed per month.
    assert f[("norr", None, "occupancy")].value == pytest.approx((40 + 45 + 42) / 3)
    # soder has data in January and March only: its mean is over those two months.
    assert f[("soder", None, "occupancy")].value == pytest.approx((35 + 40) / 2)


def test_sums_over_the_period_with_gender_rows_summed(data):
    f = figures(data, "2023-Q1")
    assert f[(None, None, "started")].value == 2 + 4 + 3 + 3 + 5 + 1 + 2 + 6
    assert f[(None, None, "exited")].value == 1 + 2 + 3 + 1 + 2 + 2 + 4 + 1
    assert f[(None, None, "completed")].value == 2 + 5 + 4 + 0 + 3 + 0
    assert f[(None, None, "work")].value == 1 + 2 + 1 + 0 + 1 + 0
    assert f[(None, None, "study")].value == 0 + 1 + 1 + 0 + 1 + 0
    assert f[(None, None, "other")].value == 1 + 1 + 2 + 0 + 1 + 0
    assert f[(None, None, "discontinued")].value == 1 + 2 + 0 + 1 + 0 + 2
    assert f[("norr", None, "completed")].value == 2 + 5 + 0 + 3


def test_work_study_share_and_its_status(data):
    f = figures(data, "2023-Q1")
    share = f[(None, None, "work_study_share")]
    assert share.value == pytest.approx((5 + 3) / 14)
    assert share.n == 14
    assert share.target == pytest.approx(0.6)  # "60 %" in the file
    # 0.571 < 0.6 but >= 0.6 * (1 - 0.10) = 0.54: amber.
    assert share.status == "amber"
    assert f[("soder", None, "work_study_share")].value == pytest.approx((1 + 1) / 4)


def test_share_with_zero_completers_has_no_value_not_zero(data):
    f = figures(data, "2023-02", "soder")
    assert f[("soder", None, "completed")].value == 0
    assert f[("soder", None, "discontinued")].value == 2
    assert f[("soder", None, "work_study_share")].value is None
    assert f[("soder", None, "work_study_share")].status == "grey"


def test_occupancy_status_against_the_target(data):
    f = figures(data, "2023-Q1")
    # 67.3 < 80 * 0.9 = 72: red.
    assert f[(None, None, "occupancy")].status == "red"
    assert f[(None, None, "occupancy")].target == 80
    # norr: 42.3 against 45 with 5 % tolerance: 45 * 0.95 = 42.75 > 42.3: red.
    assert f[("norr", None, "occupancy")].status == "red"
    assert f[("norr", None, "occupancy")].tolerance == pytest.approx(0.05)
    # A month with 45 in norr: green.
    assert figures(data, "2023-02")[("norr", None, "occupancy")].status == "green"
    # soder has no target of its own: grey (the agreement's target is the agreement's).
    assert f[("soder", None, "occupancy")].status == "grey"


def test_fte_means_over_months_with_data_also_per_party(data):
    f = figures(data, "2023-Q1")
    assert f[(None, None, "fte_committed")].value == pytest.approx(6.5)
    assert f[(None, None, "fte_actual")].value == pytest.approx((6.0 + 5.5) / 2)
    assert f[(None, None, "fte_fulfilment")].value == pytest.approx(5.75 / 6.5)
    assert f[(None, "KV", "fte_actual")].value == pytest.approx((1.5 + 2) / 2)
    assert f[(None, "STHLM", "fte_committed")].value == pytest.approx(2.5)
    assert f[(None, "STHLM", "fte_actual")].value == pytest.approx((2.5 + 1.5) / 2)
    assert f[(None, "STHLM", "fte_fulfilment")].value == pytest.approx(2.0 / 2.5)
    # KV: 1.75 against 2 with 10 %: 1.8 needed for amber: red.
    assert f[(None, "KV", "fte_actual")].status == "red"
    # Staffing has no cluster rows here: a cluster has no FTE figures.
    assert f[("norr", None, "fte_actual")].value is None


def test_cost_balances_with_a_negative_income_row_and_a_party_that_paid_nothing(data):
    f = figures(data, "2023-Q1")
    operating = 100000 + 20000 + 110000.5
    income = -9800
    assert f[(None, None, "cost_total")].value == pytest.approx(operating + income)
    # Each of KV and STHLM is due half of each category; AF has no share.
    due = 0.5 * operating + 0.5 * income
    paid_sthlm = 100000 + 110000.5 - 9800
    assert f[(None, "STHLM", "cost_paid")].value == pytest.approx(paid_sthlm)
    assert f[(None, "STHLM", "cost_due")].value == pytest.approx(due)
    assert f[(None, "STHLM", "cost_balance")].value == pytest.approx(paid_sthlm - due)
    assert f[(None, "KV", "cost_paid")].value == 20000
    assert f[(None, "KV", "cost_balance")].value == pytest.approx(20000 - due)
    assert f[(None, "AF", "cost_paid")].value == 0
    assert f[(None, "AF", "cost_due")].value == 0
    assert f[(None, "AF", "cost_balance")].value == 0
    # The balances of all parties sum to zero: what one is owed, the others owe.
    total_balance = sum(f[(None, p, "cost_balance")].value for p in ("AF", "KV", "STHLM"))
    assert total_balance == pytest.approx(0)
    # cost_total 220 200.5 against <= 200 000 with 10 %: within 220 000? No: red.
    assert f[(None, None, "cost_total")].status == "red"
    # Costs are per agreement only.
    assert ("norr", None, "cost_total") not in f


def test_indicator_summed_over_gender_rows_and_decrease_against_a_year_earlier(data):
    f = figures(data, "2023-Q1")
    ind = f[(None, None, "aterfall")]
    assert ind.value == 2 + 7
    assert ind.previous == 3 + 8
    assert ind.comparator == "decrease"
    assert ind.status == "green"
    assert ind.value_period is None  # the value is for exactly P


def test_a_year_of_a_quarterly_indicator_takes_its_latest_quarter_inside(data):
    # Contract section 3: no row has exactly 2023, so the latest period inside 2023 with
    # rows counts (2023-Q1: 2 + 7), compared with that quarter a year earlier (3 + 8).
    ind = figures(data, "2023")[(None, None, "aterfall")]
    assert (ind.value, ind.value_period) == (2 + 7, "2023-Q1")
    assert (ind.previous, ind.previous_period) == (3 + 8, "2022-Q1")
    assert ind.status == "green"  # decrease: 9 < 11
    assert ind.contract_dict()["value_period"] == "2023-Q1"
    # No row lies inside 2023-H2: none, and grey.
    h2 = figures(data, "2023-H2")[(None, None, "aterfall")]
    assert (h2.value, h2.value_period, h2.status) == (None, None, "grey")
    # 2022-Q1 has a value but no earlier year: grey.
    f22 = figures(data, "2022-Q1")
    assert f22[(None, None, "aterfall")].value == 11
    assert f22[(None, None, "aterfall")].status == "grey"


@pytest.mark.parametrize("period, expected", [
    ("2023", (75 + 45 + 82) / 3),
    ("2023-H1", (75 + 45 + 82) / 3),
    ("2023-Q1", (75 + 45 + 82) / 3),
    ("2023-02", 45),
    ("2023-02..2023-03", (45 + 82) / 2),
    ("2023-Q2", None),
])
def test_each_period_form(data, period, expected):
    value = figures(data, period)[(None, None, "occupancy")].value
    assert value == (pytest.approx(expected) if expected is not None else None)


def test_target_groups_summed(engine, tmp_path):
    tables = base_tables()
    tables["occupancy"] = [tables["occupancy"][0],
                           ["krami", "norr", "2023-01", "K", "1 Anstalt", 3, 1, 0],
                           ["krami", "norr", "2023-01", "K", "2 Övervakning", 4, 0, 1],
                           ["krami", "norr", "2023-01", "M", "1 Anstalt", 20, 2, 0],
                           ["krami", "norr", "2023-01", "M", "2 Övervakning", 25, 3, 2]]
    assert import_dataset(engine, write_workbook(tmp_path / "tg.xlsx", tables)).ok
    data = repository.load_agreement(engine, "krami")
    f = figures(data, "2023-01")
    assert f[(None, None, "occupancy")].value == 3 + 4 + 20 + 25
    assert f[(None, None, "started")].value == 1 + 0 + 2 + 3


def test_per_party_fte_counts_a_month_without_a_row_as_zero(engine, tmp_path):
    tables = base_tables()
    # KV reports January only; the agreement has staffing in January and February.
    tables["staffing"] = [r for r in tables["staffing"]
                          if not (r[3] == "KV" and r[2] == "2023-02")]
    assert import_dataset(engine, write_workbook(tmp_path / "s.xlsx", tables)).ok
    f = figures(repository.load_agreement(engine, "krami"), "2023-Q1")
    assert f[(None, "KV", "fte_actual")].value == pytest.approx((1.5 + 0) / 2)
    assert f[(None, "KV", "fte_committed")].value == pytest.approx((2 + 0) / 2)


class TestStatusRule:
    def test_at_least(self):
        assert status(80, ">=", 80, 0.1) == "green"
        assert status(72, ">=", 80, 0.1) == "amber"
        assert status(71.9, ">=", 80, 0.1) == "red"
        assert status(76, ">=", 80, None) == "amber"  # default tolerance 10 %

    def test_at_most(self):
        assert status(100, "<=", 100, 0.1) == "green"
        assert status(110, "<=", 100, 0.1) == "amber"
        assert status(110.1, "<=", 100, 0.1) == "red"

    def test_increase_and_decrease_with_the_previous_year(self):
        assert status(12, "increase", None, None, previous=10) == "green"
        assert status(10, "increase", None, None, previous=10) == "amber"
        assert status(9, "increase", None, None, previous=10) == "red"
        assert status(9, "decrease", None, None, previous=10) == "green"
        assert status(11, "decrease", None, None, previous=10) == "red"
        # "by at least value": a smaller move the right way is amber.
        assert status(10.5, "increase", 1, None, previous=10) == "amber"
        assert status(11, "increase", 1, None, previous=10) == "green"

    def test_increase_without_the_previous_year_is_grey(self):
        assert status(12, "increase", None, None, previous=None) == "grey"

    def test_grey_without_value_or_target(self):
        assert status(None, ">=", 80, 0.1) == "grey"
        assert status(80, None, None, None) == "grey"
        assert status(80, ">=", None, None) == "grey"


def test_unknown_outcome_is_completed_minus_the_reported_outcomes(engine, tmp_path):
    tables = base_tables()
    # norr, January, M: 5 completed, 2 work, 1 study, 1 other -> 1 not reported;
    # soder, March: other blank (not reported): counts as 0 -> 4 - 1 - 1 = 2 unknown.
    tables["outcomes"] = [tables["outcomes"][0],
                          ["krami", "norr", "2023-01", "M", None, 5, 2, 1, 1, 2],
                          ["krami", "soder", "2023-03", None, None, 4, 1, 1, None, 0]]
    assert import_dataset(engine, write_workbook(tmp_path / "u.xlsx", tables)).ok
    data = repository.load_agreement(engine, "krami")
    f = figures(data, "2023-Q1")
    assert f[("norr", None, "unknown")].value == 5 - 2 - 1 - 1
    assert f[("soder", None, "unknown")].value == 4 - 1 - 1 - 0
    assert f[(None, None, "unknown")].value == (5 + 4) - (2 + 1) - (1 + 1) - 1
    # The parts add up to the completers: work + study + other + unknown = completed.
    parts = sum(f[(None, None, k)].value for k in ("work", "study", "other", "unknown"))
    assert parts == f[(None, None, "completed")].value
    # No outcome row in P: none.
    assert figures(data, "2023-02")[(None, None, "unknown")].value is None


def test_fte_actual_min_is_the_lowest_month_also_per_party(data):
    # base_tables: January AF 2 + KV 1.5 + STHLM 2 + 0.5 = 6.0; February 2 + 2 + 1 + 0.5
    # = 5.5 -> the lowest month is February, 5.5. Per party: KV's lowest is January (1.5),
    # STHLM's February (1.5), AF's January (2, the first of two equal months).
    f = figures(data, "2023-Q1")
    low = f[(None, None, "fte_actual_min")]
    assert (low.value, low.at_month, low.unit) == (5.5, "2023-02", "fte")
    assert (f[(None, "KV", "fte_actual_min")].value,
            f[(None, "KV", "fte_actual_min")].at_month) == (1.5, "2023-01")
    assert (f[(None, "STHLM", "fte_actual_min")].value,
            f[(None, "STHLM", "fte_actual_min")].at_month) == (1.5, "2023-02")
    assert f[(None, "AF", "fte_actual_min")].at_month == "2023-01"
    # The contract's output has no month: value_period is for indicators.
    assert low.contract_dict()["value_period"] is None


def test_fte_actual_min_as_a_target_never_under_three(engine, tmp_path):
    tables = base_tables()
    tables["targets"].append(["krami", None, "STHLM", "fte_actual_min", ">=", 2, None,
                              None, None, None])
    tables["targets"].append(["krami", None, None, "fte_actual_min", ">=", 6, None,
                              None, None, None])
    assert import_dataset(engine, write_workbook(tmp_path / "m.xlsx", tables)).ok
    f = figures(repository.load_agreement(engine, "krami"), "2023-Q1")
    # STHLM's lowest month 1.5 against at least 2 (10 %: 1.8): red, although its mean is 2.0.
    assert f[(None, "STHLM", "fte_actual_min")].status == "red"
    assert f[(None, "STHLM", "fte_actual")].value == pytest.approx(2.0)
    # The whole team's lowest month 5.5 against 6: 5.4 is amber's edge: amber.
    assert f[(None, None, "fte_actual_min")].status == "amber"


def test_a_period_without_rows_has_every_figure_none_and_every_target_grey(data):
    from dashboard.domain.kpis import has_rows

    values = compute_kpis(data, Period.parse("2020"))
    assert values, "the figures are listed, with no value"
    assert all(v.value is None for v in values)
    assert all(v.status == "grey" for v in values)
    assert not has_rows(data, Period.parse("2020"))
    assert has_rows(data, Period.parse("2023"))
    # soder misses February's occupancy but reported its outcomes then; in April nothing.
    assert has_rows(data, Period.parse("2023-02"), "soder")
    assert not has_rows(data, Period.parse("2023-04"), "soder")
    # An indicator row inside P is a row: 2022-Q1 has only the indicator.
    assert has_rows(data, Period.parse("2022"))


def _staffing_figures(rows: list[tuple], period: str, targets: list[tuple] = ()) -> dict:
    """{(scope, party, role, kpi): (value or None, at_month)} of the FTE figures (per role
    too) of staffing rows (agreement "x": cluster, month, party, role, committed, actual)."""
    staffing = pd.DataFrame([("x", *r) for r in rows], columns=[
        "agreement_id", "cluster_id", "month", "party_id", "role", "committed_fte",
        "actual_fte"])
    none = pd.DataFrame()
    inputs = Inputs(sums=sums_from_rows(none, none, staffing), costs=none, cost_shares=none,
                    indicators=none, targets=pd.DataFrame(
                        [("x", *t) for t in targets],
                        columns=["agreement_id", "cluster_id", "party_id", "kpi", "role"]),
                    parties={"x": []}, validity={"x": ("", "")}, staffing=staffing)
    table = figure_table(inputs, Period.parse(period), {"staffing"}, roles=True)
    return {(s, p, r, k): (None if math.isnan(v) else v, m if isinstance(m, str) else None)
            for s, p, r, k, v, m in zip(table["scope"], table["party_id"], table["role"],
                                        table["kpi"], table["value"], table["at_month"],
                                        strict=True)}


def test_fte_means_of_tenths_are_the_exact_mean_not_a_rounded_sum():
    # A party with 0.1 FTE in each of ten months averages exactly 0.1 (summed naively,
    # 0.1 ten times is 0.9999999999999999: a mean just under 0.1, amber against ">= 0.1").
    months = [f"2023-{m:02d}" for m in range(1, 11)]
    rows = [r for m in months for r in (("", m, "A", "r", 0.1, 0.1),
                                        ("", m, "B", "r", 1.0, 1.0))]
    f = _staffing_figures(rows, "2023-01..2023-10")
    assert f[("", "A", "", "fte_actual")] == (0.1, None)
    assert f[("", "A", "", "fte_committed")] == (0.1, None)
    assert f[("", "A", "", "fte_fulfilment")] == (1.0, None)
    assert status(f[("", "A", "", "fte_actual")][0], ">=", 0.1, 0.1) == "green"
    # The total, 1.1 each month: its mean and its lowest month (the first of ten equal).
    assert f[("", "", "", "fte_actual")] == (1.1, None)
    assert f[("", "", "", "fte_actual_min")] == (1.1, "2023-01")


def test_fte_per_party_and_role_in_a_cluster_and_targeted_parties_without_rows():
    rows = [("n", "2023-01", "A", "Vägledare", 1.0, 0.5),
            ("", "2023-01", "B", "vägledare ", 1.0, 1.0),
            ("", "2023-01", "E", "admin", 0.0, 0.0),
            ("n", "2023-02", "A", "VÄGLEDARE", 1.0, 0.25),
            ("n", "2023-02", "C", "Admin", 0.5, 0.5)]
    targets = [("", "D", "fte_actual", ""),  # no row of D at all: listed, no value
               ("n", "B", "fte_actual_min", ""),  # B has rows, none in cluster n
               ("s", "A", "fte_actual", ""),  # no staffing row in cluster s: not listed
               ("", "", "fte_actual", "vägledare")]
    f = _staffing_figures(rows, "2023-Q1", targets)
    # The whole agreement: January 1.5 of 2.0 committed, February 0.75 of 1.5.
    assert f[("", "", "", "fte_committed")] == (1.75, None)
    assert f[("", "", "", "fte_actual")] == (1.125, None)
    assert f[("", "", "", "fte_fulfilment")] == (1.125 / 1.75, None)
    assert f[("", "", "", "fte_actual_min")] == (0.75, "2023-02")
    # A party counts 0 in a month of the scope without its row.
    assert f[("", "B", "", "fte_actual")] == (0.5, None)
    assert f[("", "B", "", "fte_actual_min")] == (0.0, "2023-02")
    assert f[("", "C", "", "fte_actual_min")] == (0.0, "2023-01")
    assert f[("", "E", "", "fte_fulfilment")] == (None, None)  # nothing committed
    assert f[("n", "A", "", "fte_actual")] == (0.375, None)
    assert f[("n", "A", "", "fte_actual_min")] == (0.25, "2023-02")
    assert ("n", "E", "", "fte_actual") not in f
    # Targeted parties without rows at a scope with rows: every FTE figure, no value.
    for kpi in ("fte_committed", "fte_actual", "fte_fulfilment", "fte_actual_min"):
        assert f[("", "D", "", kpi)] == (None, None)
        assert f[("n", "B", "", kpi)] == (None, None)
    assert not [k for k in f if k[0] == "s"]
    # Per role, all parties together, spelt as first written: vägledare 1.5 then 0.25.
    assert f[("", "", "Vägledare", "fte_actual")] == (0.875, None)
    assert f[("", "", "Vägledare", "fte_committed")] == (1.5, None)
    assert f[("", "", "Vägledare", "fte_actual_min")] == (0.25, "2023-02")
    assert f[("", "", "admin", "fte_actual")] == (0.25, None)
    assert f[("", "", "admin", "fte_actual_min")] == (0.0, "2023-01")
    assert f[("n", "", "Vägledare", "fte_actual")] == (0.375, None)
    assert f[("n", "", "admin", "fte_committed")] == (0.25, None)
