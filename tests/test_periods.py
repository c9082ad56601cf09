"""Periods of contract.md section 2."""

import pytest

from dashboard.domain.periods import Period, PeriodError, canonical_text, shift_month


@pytest.mark.parametrize("text, start, end, kind", [
    ("2023", "2023-01", "2023-12", "year"),
    ("2023-H1", "2023-01", "2023-06", "half"),
    ("2023-h2", "2023-07", "2023-12", "half"),
    ("2023-Q1", "2023-01", "2023-03", "quarter"),
    ("2023-Q4", "2023-10", "2023-12", "quarter"),
    ("2023-02", "2023-02", "2023-02", "month"),
    ("2023-01..2023-08", "2023-01", "2023-08", "range"),
    ("2022-11..2023-02", "2022-11", "2023-02", "range"),
])
def test_parse_each_form(text, start, end, kind):
    p = Period.parse(text)
    assert (p.start, p.end, p.kind) == (start, end, kind)


@pytest.mark.parametrize("text", ["", "23", "2023-13", "2023-Q5", "2023-H3", "2023-00",
                                  "2023-05..2023-02", "2023-1", "jan 2023", "2023-01-15"])
def test_refuses_what_is_not_a_period(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_months_of_each_form():
    assert Period.parse("2023").months == [f"2023-{m:02d}" for m in range(1, 13)]
    assert Period.parse("2023-Q2").months == ["2023-04", "2023-05", "2023-06"]
    assert Period.parse("2022-11..2023-02").months == ["2022-11", "2022-12", "2023-01",
                                                        "2023-02"]


def test_year_earlier_shifts_both_ends_by_twelve_months():
    assert Period.parse("2023-Q2").year_earlier().months == ["2022-04", "2022-05", "2022-06"]
    assert Period.parse("2023-Q2").year_earlier().text == "2022-Q2"
    earlier = Period.parse("2023-01..2023-08").year_earlier()
    assert (earlier.start, earlier.end, earlier.text) == ("2022-01", "2022-08",
                                                          "2022-01..2022-08")
    assert Period.parse("2023-03").year_earlier().text == "2022-03"


def test_last_day_is_the_date_targets_are_read_at():
    assert Period.parse("2024-02").last_day == "2024-02-29"
    assert Period.parse("2023-H1").last_day == "2023-06-30"
    assert Period.parse("2023").last_day == "2023-12-31"


def test_canonical_text_and_shift():
    assert canonical_text("2023-01", "2023-12") == "2023"
    assert canonical_text("2023-07", "2023-12") == "2023-H2"
    assert canonical_text("2023-04", "2023-06") == "2023-Q2"
    assert canonical_text("2023-01", "2023-08") == "2023-01..2023-08"
    assert shift_month("2023-01", -1) == "2022-12"
    assert shift_month("2023-12", 1) == "2024-01"
