"""What users read: Swedish and English number formats, month and period names, status words.

Swedish numbers use a non-breaking space between thousands, a decimal comma, a real minus
sign and ``60 %`` with a non-breaking space; English ``1,234.5`` and ``60%``. Every
expectation below is written out by hand.
"""

from __future__ import annotations

import pytest

from dashboard.i18n import (
    MONTHS,
    date_label,
    fmt_fte,
    fmt_number,
    fmt_percent,
    fmt_sek,
    fmt_value,
    kpi_label,
    month_label,
    period_label,
    period_tick,
    status_label,
)
from dashboard.domain.periods import Period

NBSP = "\u00a0"
MINUS = "\u2212"


# --------------------------------------------------------------------------- numbers


def test_swedish_number_has_nbsp_thousands_and_decimal_comma():
    assert fmt_number(1234.5, 1) == f"1{NBSP}234,5"
    assert fmt_number(1234567) == f"1{NBSP}234{NBSP}567"
    assert fmt_number(12) == "12"


def test_english_number_has_comma_thousands_and_decimal_point():
    assert fmt_number(1234.5, 1, lang="en") == "1,234.5"
    assert fmt_number(1234567, lang="en") == "1,234,567"


def test_swedish_negative_uses_the_minus_sign_and_never_minus_zero():
    assert fmt_number(-1234.5, 1) == f"{MINUS}1{NBSP}234,5"
    assert fmt_number(-1234.5, 1, lang="en") == "-1,234.5"
    assert fmt_number(-0.04, 1) == "0,0"
    assert fmt_number(-0.4) == "0"


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_number_is_a_dash(missing):
    assert fmt_number(missing) == "–"
    assert fmt_percent(missing) == "–"
    assert fmt_sek(missing) == "–"
    assert fmt_fte(missing) == "–"
    assert fmt_value(missing, "share") == "–"


def test_percent_swedish_and_english():
    assert fmt_percent(0.6) == f"60{NBSP}%"
    assert fmt_percent(0.6, lang="en") == "60%"
    assert fmt_percent(0.575, 1) == f"57,5{NBSP}%"
    assert fmt_percent(-0.05) == f"{MINUS}5{NBSP}%"


def test_kronor_swedish_and_english():
    assert fmt_sek(24500) == f"24{NBSP}500{NBSP}kr"
    assert fmt_sek(-9800) == f"{MINUS}9{NBSP}800{NBSP}kr"
    assert fmt_sek(24500, lang="en") == f"SEK{NBSP}24,500"
    # Whole kronor: 110 100,25 is shown as 110 100 kr.
    assert fmt_sek(110100.25) == f"110{NBSP}100{NBSP}kr"


def test_fte_has_one_decimal_or_two_when_needed():
    assert fmt_fte(2) == "2,0"
    assert fmt_fte(1.75) == "1,75"
    assert fmt_fte(6.5, lang="en") == "6.5"


def test_value_in_its_unit():
    assert fmt_value(0.6, "share") == f"60{NBSP}%"
    # 4/7 = 57.14... %: a share that is not a whole percent gets one decimal.
    assert fmt_value(4 / 7, "share") == f"57,1{NBSP}%"
    assert fmt_value(0.01, "percent") == f"1{NBSP}%"
    assert fmt_value(24500, "sek") == f"24{NBSP}500{NBSP}kr"
    assert fmt_value(1.75, "fte") == "1,75"
    assert fmt_value(67, "count") == "67"
    assert fmt_value(202 / 3, "count") == "67,3"
    assert fmt_value(1234.5, "count", lang="en") == "1,234.5"


def test_halves_round_up_like_excel():
    # 5 of 8 completers is 62.5 %; Excel's ROUND and a data steward say 63 %.
    assert fmt_percent(5 / 8) == f"63{NBSP}%"
    assert fmt_number(2.5) == "3"
    assert fmt_sek(24500.5) == f"24{NBSP}501{NBSP}kr"


def test_numbers_are_written_by_babel_from_the_locales_data(monkeypatch):
    # The same output as the hand-written code had, but from CLDR: a locale whose minus
    # sign were different would show it.
    import dashboard.i18n as i18n

    monkeypatch.setattr(i18n, "get_minus_sign_symbol", lambda locale: "~")
    i18n._pattern.cache_clear()
    try:
        assert fmt_number(-3) == "~3"
    finally:
        monkeypatch.undo()
        i18n._pattern.cache_clear()
    assert fmt_number(-3) == f"{MINUS}3"


@pytest.mark.parametrize(("call", "sv", "en"), [
    # negative zero, from rounding or as it comes
    (lambda lang: fmt_number(-0.0, 0, lang), "0", "0"),
    (lambda lang: fmt_number(-0.04, 1, lang), "0,0", "0.0"),
    (lambda lang: fmt_percent(-0.004, 0, lang), f"0{NBSP}%", "0%"),
    (lambda lang: fmt_sek(-0.4, lang), f"0{NBSP}kr", f"SEK{NBSP}0"),
    # large numbers
    (lambda lang: fmt_number(1234567890.25, 1, lang), f"1{NBSP}234{NBSP}567{NBSP}890,3",
     "1,234,567,890.3"),
    (lambda lang: fmt_sek(-12345678, lang), f"{MINUS}12{NBSP}345{NBSP}678{NBSP}kr",
     f"SEK{NBSP}-12,345,678"),
    (lambda lang: fmt_percent(12.5, 0, lang), f"1{NBSP}250{NBSP}%", "1,250%"),
    # halves round up (away from zero), as Excel does; Babel alone would go to even
    (lambda lang: fmt_number(0.5, 0, lang), "1", "1"),
    (lambda lang: fmt_number(-0.5, 0, lang), f"{MINUS}1", "-1"),
    (lambda lang: fmt_number(2.675, 2, lang), "2,68", "2.68"),
    (lambda lang: fmt_number(0.25, 1, lang), "0,3", "0.3"),
    (lambda lang: fmt_percent(0.625, 0, lang), f"63{NBSP}%", "63%"),
    (lambda lang: fmt_percent(0.0125, 1, lang), f"1,3{NBSP}%", "1.3%"),
    (lambda lang: fmt_sek(0.5, lang), f"1{NBSP}kr", f"SEK{NBSP}1"),
    (lambda lang: fmt_sek(1234, lang), f"1{NBSP}234{NBSP}kr", f"SEK{NBSP}1,234"),
    (lambda lang: fmt_fte(6.25, lang), "6,25", "6.25"),
    (lambda lang: fmt_fte(-1, lang), f"{MINUS}1,0", "-1.0"),
])
def test_number_edge_cases(call, sv, en):
    assert call("sv") == sv
    assert call("en") == en


def test_short_month_names_are_three_letters_without_a_dot():
    from dashboard.i18n import MONTHS_SHORT

    assert MONTHS_SHORT["sv"] == ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug",
                                  "sep", "okt", "nov", "dec"]
    assert MONTHS_SHORT["en"] == ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                  "Sep", "Oct", "Nov", "Dec"]
    assert MONTHS["en"][4] == "May"


def test_date_label_moves_to_swedish_time_and_survives_a_bad_date():
    # 23:30 UTC on New Year's Eve is already the new year in Stockholm.
    assert date_label("2025-12-31T23:30:00+00:00") == "1 januari 2026"
    assert date_label("2025-12-31T23:30:00+00:00", "en") == "1 January 2026"
    assert date_label("2023-02-30") == "2023-02-30"


# --------------------------------------------------------------------------- months, periods


def test_swedish_month_names_in_lower_case():
    assert MONTHS["sv"] == ["januari", "februari", "mars", "april", "maj", "juni", "juli",
                            "augusti", "september", "oktober", "november", "december"]


def test_month_label_short_long_and_english():
    assert month_label("2023-03") == "mar 2023"
    assert month_label("2023-03", short=False) == "mars 2023"
    assert month_label("2023-05", year=False) == "maj"
    assert month_label("2023-10") == "okt 2023"
    assert month_label("2023-03", "en") == "Mar 2023"
    assert month_label("2023-03", "en", short=False) == "March 2023"


@pytest.mark.parametrize(("text", "sv", "en"), [
    ("2023", "2023", "2023"),
    ("2023-H1", "jan–jun 2023", "Jan–Jun 2023"),
    ("2023-H2", "jul–dec 2023", "Jul–Dec 2023"),
    ("2023-Q1", "jan–mar 2023 (kv. 1)", "Jan–Mar 2023 (Q1)"),
    ("2023-Q4", "okt–dec 2023 (kv. 4)", "Oct–Dec 2023 (Q4)"),
    ("2023-03", "mars 2023", "March 2023"),
    ("2023-01..2023-05", "jan–maj 2023", "Jan–May 2023"),
    ("2022-11..2023-02", "nov 2022–feb 2023", "Nov 2022–Feb 2023"),
])
def test_period_label_for_every_form(text, sv, en):
    period = Period.parse(text)
    assert period_label(period) == sv
    assert period_label(period, "en") == en


@pytest.mark.parametrize(("text", "sv", "en"), [
    ("2023", "2023", "2023"),
    ("2023-H2", "H2<br>2023", "H2<br>2023"),
    ("2023-Q1", "kv. 1<br>2023", "Q1<br>2023"),
    ("2023-03", "mar<br>2023", "Mar<br>2023"),
])
def test_period_tick_two_lines(text, sv, en):
    assert period_tick(Period.parse(text)) == sv
    assert period_tick(Period.parse(text), "en") == en


def test_date_label():
    assert date_label("2026-11-23T08:00:00+00:00") == "23 november 2026"
    assert date_label("2023-03-05") == "5 mars 2023"
    assert date_label("2026-11-23T08:00:00+00:00", "en") == "23 November 2026"
    assert date_label(None) == "okänt"
    assert date_label(None, "en") == "unknown"


# --------------------------------------------------------------------------- words


@pytest.mark.parametrize(("status", "sv", "en"), [
    ("green", "✔ Uppnått", "✔ Met"),
    ("amber", "▲ Nära målet", "▲ Close"),
    ("red", "✖ Ej uppnått", "✖ Not met"),
    ("grey", "– Ej bedömt", "– Not assessed"),
])
def test_status_label_is_symbol_and_word(status, sv, en):
    assert status_label(status) == sv
    assert status_label(status, "en") == en


def test_unknown_status_reads_as_not_assessed():
    assert status_label("purple") == "– Ej bedömt"


def test_kpi_labels_and_indicator_names():
    assert kpi_label("occupancy") == "Beläggning"
    assert kpi_label("occupancy", "en") == "Occupancy"
    assert kpi_label("work_study_share") == "Andel i arbete eller studier"
    assert kpi_label("forsorjningsstod_andel") == "Andel med försörjningsstöd"
    # An indicator code nobody named: underscores become spaces, first letter capital.
    assert kpi_label("aterfall_inom_ett_ar") == "Aterfall inom ett ar"
