"""Views (dashboard.model.view) and their panels (dashboard.figures.panels), from a real SQLite file.

``base_tables()`` is imported once for the module (read-only tests): data from January to
March 2023, soder missing February. One test imports the demo workbook of Stockholms stad
– Arbetsförmedlingen, where Söderort – Röda linjen misses May 2023.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.figures.panels import PANEL_KEYS, build_panels
from dashboard.domain.periods import Period
from dashboard.figures.theme import EXPORT, SCREEN
from dashboard.model.view import (
    build_view,
    cluster_views,
    default_period,
    period_options,
    step_period,
)
from tests.builders import import_into

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


def subtitle(fig) -> str:
    """Where · when, written under a figure's title."""
    return next(a["text"] for a in fig.annotations if a.get("name") == "subtitle")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = import_into(tmp_path_factory.mktemp("views"))
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def q1(engine):
    return build_view(engine, "krami", "2023-Q1")


# --------------------------------------------------------------------------- build_view


def test_default_period_is_year_to_date_of_the_last_month(engine):
    view = build_view(engine, "krami")
    assert view.period.text == "2023-01..2023-03"
    assert view.period_text == "jan–mar 2023"
    assert view.title("Beläggning") == "Beläggning – Krami Test – jan–mar 2023"
    assert view.period_was_invalid is False


def test_an_invalid_period_falls_back_to_the_default_and_says_why(engine):
    view = build_view(engine, "krami", "2023-13")
    assert view.period_was_invalid is True
    assert view.period.text == "2023-01..2023-03"
    assert (view.period_problem.asked, view.period_problem.reason) == \
        ("2023-13", "month_not_exist")
    years = build_view(engine, "krami", "2016..2018").period_problem
    assert years.reason == "not_a_period"
    assert years.suggestion.text == "2016-01..2018-12"  # what it may have meant


def test_a_period_without_data_is_said_so_with_every_target_grey(engine):
    view = build_view(engine, "krami", "2020")
    assert view.has_data is False
    assert view.notes == []  # no claim that months were reported or missing
    targets = view.targets()
    # The agreement's targets are valid in 2023 only; for 2020 they are still listed, grey.
    assert [v.kpi for v in targets] == ["occupancy", "work_study_share", "fte_actual"]
    assert {v.status for v in targets} == {"grey"}
    assert all(v.value is None for v in targets)


def test_stepping_stops_at_the_first_and_last_period_with_data(engine):
    # Data: monthly 2023-01..2023-03, an indicator in 2022-Q1.
    q1 = build_view(engine, "krami", "2023-Q1")
    assert q1.neighbour(1) is None  # 2023-Q2 holds nothing
    assert q1.neighbour(-1).text == "2022-Q4"  # nothing there, but 2022 is inside the data
    first = build_view(engine, "krami", "2022-Q1")
    assert first.neighbour(-1) is None
    year = build_view(engine, "krami", "2023")
    assert year.neighbour(1) is None and year.neighbour(-1).text == "2022"


def test_footer_has_the_date_and_the_imported_file(q1):
    footer = q1.footer()
    assert footer.startswith("Data per ")
    assert "Källa: krami.xlsx" in footer
    assert q1.sources == ["krami.xlsx"]
    assert q1.synthetic is False
    assert footer.endswith("Källa: krami.xlsx")
    assert q1.footer(n=14).endswith(" · n = 14 som fullföljt")
    assert q1.data_as_of[:4].isdigit()


def test_english_view(engine):
    view = build_view(engine, "krami", "2023-Q1", lang="en")
    assert view.title("Occupancy") == "Occupancy – Krami Test – Jan–Mar 2023 (Q1)"
    assert view.footer().startswith("Data as of ")
    assert "Source: krami.xlsx" in view.footer()


def test_unknown_agreement_or_cluster_is_none(engine):
    assert build_view(engine, "nope") is None
    assert build_view(engine, "nope", "2023") is None
    assert build_view(engine, "krami", "2023-Q1", "nope") is None
    assert build_view(engine, "krami", None, "nope") is None


def test_agreement_view_values(q1):
    assert q1.value("occupancy").value == pytest.approx((75 + 45 + 82) / 3)
    assert q1.value("occupancy").status == "red"  # 67.3 < 80 * 0.9
    assert q1.value("occupancy", cluster="norr").value == pytest.approx((40 + 45 + 42) / 3)
    assert q1.value("fte_actual", "KV").value == pytest.approx(1.75)
    assert [v.kpi for v in q1.targets()] == ["occupancy", "work_study_share", "fte_actual"]
    assert q1.status_counts() == {"red": 2, "amber": 1}


def test_cluster_view_values(engine):
    view = build_view(engine, "krami", "2023-Q1", "soder")
    assert view.cluster_name == "Söder"
    assert view.where == "Söder – Krami Test"
    assert view.title("Beläggning") == "Beläggning – Söder – Krami Test – jan–mar 2023 (kv. 1)"
    # soder: January 35 and March 40 (February not reported): mean over the two.
    assert view.value("occupancy").value == pytest.approx(37.5)
    assert view.value("completed").value == 4
    assert view.value("work_study_share").value == pytest.approx(2 / 4)
    # The agreement's own figures are there too (for the cluster's part of it).
    assert view.value("occupancy", cluster=None).value == pytest.approx(202 / 3)
    assert {v.cluster_id for v in view.scope_values()} == {"soder"}


def test_breakdown_not_in_the_data_falls_back_to_total(engine):
    assert build_view(engine, "krami", "2023-Q1", breakdown="gender").breakdown == "gender"
    assert build_view(engine, "krami", "2023-Q1", breakdown="target_group").breakdown == "total"
    assert build_view(engine, "krami", "2023-Q1", breakdown="bogus").breakdown == "total"


def test_view_notes_name_the_missing_month(q1):
    assert [n.text() for n in q1.notes] == [
        "Söder har inte rapporterat beläggning för feb 2023.",
        "Norr har inte rapporterat utfall för mar 2023.",
        "Söder har inte rapporterat utfall för mar 2023.",
        "Krami Test har inte rapporterat bemanning och kostnader för mar 2023."]


def test_an_indicator_value_for_a_period_inside_p_says_which(engine):
    view = build_view(engine, "krami", "2023")
    # aterfall is reported for 2023-Q1 only (K 2 + M 7): that quarter counts for 2023.
    assert view.value("aterfall").value == 9
    assert view.period_notes() == {("aterfall", None, None): "senaste: jan–mar 2023 (kv. 1)"}


def test_demo_missing_month_merged_across_tables(tmp_path):
    engine = import_into(tmp_path, workbook=DEMO / "stockholm-af-2023.xlsx")
    try:
        view = build_view(engine, "sthlm-af-2023", "2023-H1")
        assert "Söderort – Röda linjen har inte rapporterat beläggning och utfall för maj 2023." \
            in [n.text() for n in view.notes]
        assert view.synthetic is True
        assert "Syntetiska demodata" in view.footer()
        keys = [p.key for p in build_panels(view, SCREEN)]
        assert "clusters_occupancy" in keys
        occupancy = next(p for p in build_panels(view, SCREEN) if p.key == "occupancy")
        assert "maj *" in list(occupancy.figure.layout["xaxis"]["categoryarray"])
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- periods


def test_default_period_without_monthly_data_is_the_latest_indicator_period(q1):
    # span None: only indicators, the most common kind is the quarter, the latest 2023-Q1.
    periods = q1.indicator_periods
    assert default_period(periods, None).text == "2023-Q1"
    assert default_period(periods, ("2022-01", "2022-12")).text == "2022"
    assert default_period(periods, ("2022-01", "2023-05")).text == "2023-01..2023-05"
    assert default_period([], None, "2019-07-01").text == "2019"


@pytest.mark.parametrize(("text", "step", "expected"), [
    ("2023-Q1", -1, "2022-Q4"),
    ("2023-Q1", 1, "2023-Q2"),
    ("2023-Q4", 1, "2024-Q1"),
    ("2023-01", -1, "2022-12"),
    ("2023-12", 1, "2024-01"),
    ("2023", -1, "2022"),
    ("2023", 1, "2024"),
    ("2023-H2", 1, "2024-H1"),
    ("2023-H1", -1, "2022-H2"),
    # A month range (year to date) moves by a year and stays a range.
    ("2023-01..2023-03", -1, "2022-01..2022-03"),
    ("2022-11..2023-02", 1, "2023-11..2024-02"),
])
def test_step_period(text, step, expected):
    assert step_period(Period.parse(text), step).text == expected


def test_period_options_years_halves_quarters_months_and_year_to_date(q1):
    options = period_options(("2023-01", "2023-03"), q1.indicator_periods, "sv")
    values = [v for v, _ in options]
    labels = dict(options)
    for value in ("2023", "2023-H1", "2023-Q1", "2023-01", "2023-02", "2023-03"):
        assert value in values
    assert labels["2023-01..2023-03"] == "Hittills i år 2023 (jan–mar)"
    assert labels["2023-H1"] == "jan–jun 2023"
    assert labels["2023-Q1"] == "jan–mar 2023 (kv. 1)"
    assert labels["2023-02"] == "februari 2023"
    # Nothing is offered where there is no month of data.
    assert "2023-H2" not in values and "2023-Q2" not in values and "2023-04" not in values
    # The newest first: the year, its year to date, then halves, quarters and months.
    assert values[:3] == ["2023", "2023-01..2023-03", "2023-H1"]
    # Several years of data: the span of all of them comes last, as the years it covers.
    assert options[-1] == ("2022-01..2023-12", "2022–2023")
    # The indicator of 2022-Q1 brings 2022 in, without a year to date.
    assert "2022" in values and "2022-Q1" in values
    assert not [v for v in values if v.startswith("2022-01..2022")]


def test_no_year_to_date_when_the_last_month_is_december(q1):
    options = period_options(("2023-01", "2023-12"), q1.indicator_periods, "en")
    values = [v for v, _ in options]
    assert not [v for v in values if v.startswith("2023-01..")]
    assert dict(options)["2023-Q4"] == "Oct–Dec 2023 (Q4)"


# --------------------------------------------------------------------------- panels


def test_agreement_panels(q1):
    panels = build_panels(q1, SCREEN)
    assert [p.key for p in panels] == list(PANEL_KEYS)
    by_key = {p.key: p for p in panels}
    fig = by_key["occupancy"].figure
    assert fig.layout["title"]["text"] == "<b>Beläggning</b>"
    assert subtitle(fig) == "Krami Test · jan–mar 2023 (kv. 1)"
    footer = fig.footer
    assert "Data per" in footer and "Källa: krami.xlsx" in footer
    # February is marked: soder did not report it.
    assert "* = ett kluster har inte rapporterat månaden" in footer
    assert list(fig.layout["xaxis"]["categoryarray"]) == ["jan", "feb *", "mar"]
    assert any("Mål 80" in a["text"] for a in fig.annotations)
    assert fig.layout["yaxis"]["range"][1] >= 80


def test_outcomes_panel_carries_n(q1):
    panel = next(p for p in build_panels(q1, SCREEN) if p.key == "outcomes")
    assert panel.n == 14
    assert "n = 14 som fullföljt" in panel.figure.footer


def test_costs_panel_says_who_owes_whom(q1):
    panel = next(p for p in build_panels(q1, SCREEN) if p.key == "costs")
    # In total, then per category (each category has its own split):
    # operating costs KV −95 000,25, fees STHLM −4 900 (it kept the income).
    assert panel.sentences == [
        "Kriminalvården ska betala 90\u00a0100\u00a0kr till Stockholms stad",
        "Driftskostnader: Kriminalvården ska betala 95\u00a0000\u00a0kr till Stockholms stad",
        "Avgiftsintäkter: Stockholms stad ska betala 4\u00a0900\u00a0kr till Kriminalvården"]


def test_cluster_view_has_no_costs_and_no_cluster_comparison(engine):
    view = build_view(engine, "krami", "2023-Q1", "norr")
    keys = [p.key for p in build_panels(view, SCREEN)]
    assert keys[:3] == ["occupancy", "flow", "outcomes"]
    assert "costs" not in keys
    assert "clusters_occupancy" not in keys and "clusters_share" not in keys
    occupancy = build_panels(view, SCREEN)[0].figure
    assert subtitle(occupancy) == "Norr – Krami Test · jan–mar 2023 (kv. 1)"


def test_panels_in_the_export_theme(q1):
    for panel in build_panels(q1, EXPORT):
        assert panel.figure.layout["width"] == 1920
    occupancy = build_panels(q1, EXPORT)[0].figure
    assert occupancy.layout["height"] == 1080


def test_panels_without_data_for_a_period_say_so(engine):
    view = build_view(engine, "krami", "2024-Q1")
    panels = build_panels(view, SCREEN)
    # The tables the agreement reports stay, empty; the cluster comparison goes; the
    # indicator still shows its value of a year earlier (2023-Q1).
    assert [p.key for p in panels] == ["occupancy", "flow", "outcomes", "staffing", "costs",
                                       "indicators"]
    *monthly, indicators = panels
    assert indicators.has_data is True
    assert list(indicators.figure.data[0]["x"]) == ["kv. 1<br>2023"]
    for panel in monthly:
        assert panel.has_data is False
        assert "Inga uppgifter för perioden." in [a["text"] for a in panel.figure.annotations]


def test_cluster_views_from_the_agreement_view_equal_views_read_for_each_cluster(tmp_path):
    engine = import_into(tmp_path, workbook=DEMO / "stockholm-af-2023.xlsx")
    try:
        view = build_view(engine, "sthlm-af-2023", "2023-H1", lang="en")
        derived = cluster_views(view)
        assert [cv.cluster_id for cv in derived] == view.data.cluster_ids
        assert len(derived) == 5
        for cv in derived:
            read = build_view(engine, "sthlm-af-2023", "2023-H1", cv.cluster_id, lang="en")
            assert cv.values == read.values
            assert [n.text("en") for n in cv.notes] == [n.text("en") for n in read.notes]
            assert (cv.period, cv.lang, cv.breakdown) == (read.period, read.lang, "total")
    finally:
        engine.dispose()


def test_the_last_three_years_are_offered_when_there_are_more():
    options = period_options(("2016-01", "2019-06"), [], "sv")
    assert options[-2:] == [("2017-01..2019-12", "Senaste tre åren (2017–2019)"),
                            ("2016-01..2019-12", "2016–2019")]
    # A span of whole years steps by its length.
    assert step_period(Period.parse("2017-01..2019-12"), -1).text == "2014-01..2016-12"
