"""Reading cells as their contract types, as a Swedish data steward writes them."""

import datetime as dt

import pytest

from dashboard.data.ingest.parsing import (
    CellError,
    parse_cell,
    parse_comparator,
    parse_count,
    parse_date,
    parse_fte,
    parse_gender,
    parse_id,
    parse_money,
    parse_month,
    parse_number,
    parse_period,
    parse_share,
)
from dashboard.data.ingest.readers import PercentCell
from dashboard.domain.schema import Kind


def code_of(fn, *args):
    with pytest.raises(CellError) as err:
        fn(*args)
    return err.value.code


def test_month_text_and_excel_dates():
    assert parse_month("2023-01") == "2023-01"
    assert parse_month(" 2023-1 ") == "2023-01"
    # Excel turns a typed month into the first of that month.
    assert parse_month(dt.datetime(2023, 3, 1)) == "2023-03"
    assert parse_month("2023-03-01") == "2023-03"
    assert parse_month("2023-03-01 00:00:00") == "2023-03"
    assert code_of(parse_month, dt.datetime(2023, 3, 15)) == "month_is_date"
    assert code_of(parse_month, "2023-13") == "month_not_exist"
    assert code_of(parse_month, "2023-02-30") == "date_not_exist"
    assert code_of(parse_month, "mars") == "bad_month"


def test_dates():
    assert parse_date("2023-12-31") == "2023-12-31"
    assert parse_date(dt.datetime(2023, 1, 1)) == "2023-01-01"
    assert code_of(parse_date, "2023-02-29") == "date_not_exist"
    assert code_of(parse_date, "31/12/2023") == "bad_date"


def test_counts_in_swedish_and_plain_forms():
    assert parse_count("1 234") == 1234
    assert parse_count("1\u00a0234") == 1234  # Excel's non-breaking space
    assert parse_count(12) == 12
    assert parse_count(12.0) == 12
    assert parse_count("12,0") == 12
    assert code_of(parse_count, "12,5") == "bad_count"
    assert code_of(parse_count, "-3") == "negative_count"
    assert code_of(parse_count, "tolv") == "bad_count"
    assert code_of(parse_count, PercentCell(0.5)) == "bad_count"


def test_decimals_money_and_fte():
    assert parse_money("1 234,5") == 1234.5
    assert parse_money("-24 500 kr") == -24500
    assert parse_money("\u221224 500") == -24500  # Unicode minus sign
    assert parse_money("1234.5") == 1234.5
    assert parse_fte("0,5") == 0.5
    assert code_of(parse_fte, "-0,5") == "negative_fte"
    assert code_of(parse_money, "1,234.5") == "bad_number"
    # "1,500" in a comma-separated file could mean 1.5 or 1500: refused, not guessed.
    assert code_of(parse_money, "1,500", False) == "bad_number"
    assert parse_money("1,500", True) == 1.5
    assert code_of(parse_money, "1e400") == "bad_number"
    assert code_of(parse_money, float("nan")) == "bad_number"
    assert code_of(parse_money, 1e15) == "number_too_large"


def test_shares_as_fractions_or_percentages():
    assert parse_share("0,5") == 0.5
    assert parse_share("50") == 0.5
    assert parse_share("50 %") == 0.5
    assert parse_share("50%") == 0.5
    assert parse_share(PercentCell(0.5)) == 0.5
    assert parse_share("1") == 1.0
    assert parse_share("1 %") == 0.01
    assert code_of(parse_share, "150") == "bad_share"
    assert code_of(parse_share, "-0,1") == "bad_share"


def test_numbers_remember_percent():
    assert parse_number("1,2 %") == (pytest.approx(0.012), True)
    assert parse_number("7") == (7.0, False)


def test_codes_gender_comparator_period():
    assert parse_id("krami-sthlm_2023") == "krami-sthlm_2023"
    assert parse_id(12) == "12"
    assert code_of(parse_id, "krami sthlm") == "bad_id"
    assert code_of(parse_id, "=1+1") == "bad_id"
    assert code_of(parse_id, "-abc") == "bad_id"
    assert parse_gender("k") == "K"
    assert parse_gender("Män") == "M"
    assert code_of(parse_gender, "Q") == "bad_gender"
    assert parse_comparator("≥") == ">="
    assert parse_comparator("Öka") == "increase"
    assert parse_comparator("decrease") == "decrease"
    assert code_of(parse_comparator, "=") == "bad_comparator"
    assert parse_period("2023-q1") == "2023-Q1"
    assert parse_period(2023) == "2023"
    assert parse_period(dt.datetime(2023, 5, 1)) == "2023-05"
    assert code_of(parse_period, "2023-01..2023-03") == "bad_period"


@pytest.mark.parametrize("value, expected", [
    ("0180", "0180"),
    ("0180;1280", "0180;1280"),
    ("0180, 1280", "0180;1280"),
    ("0180 ; 0180", "0180"),  # the same code twice is one code
    (180, "0180"),  # Excel dropped the leading zero of a code typed as a number
    (180.0, "0180"),
    ("1764;1761;1780", "1764;1761;1780"),
])
def test_municipalities(value, expected):
    assert parse_cell(Kind.MUNICIPALITIES, value) == expected


@pytest.mark.parametrize("value", ["9999", "01800", "Stockholm", "0280", "0180;12", 180.5,
                                   "0180;abc", "0199"])  # 0199: Stockholms län, no such kommun
def test_municipalities_refused(value):
    with pytest.raises(CellError) as err:
        parse_cell(Kind.MUNICIPALITIES, value)
    assert err.value.code == "bad_municipalities"
