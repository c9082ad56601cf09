"""Forecast to target (issue 19, part 2): a period in progress projected to its end.

The small agreement of tests/builders.py (Krami Test, valid all of 2023) has data for
January to March 2023 only, so its default view (January–March) is a year in progress:

  occupancy, participants at month end:  jan 10+30+35 = 75, feb 12+33 = 45 (söder did not
                                         report), mar 11+31+40 = 82
  started:                               jan 2+4+3 = 9, feb 3+5 = 8, mar 1+2+6 = 9
  outcomes (no rows for March):          jan completed 2+5+4 = 11, work 1+2+1 = 4,
                                             study 0+1+1 = 2
                                         feb completed 0+3+0 = 3, work 1, study 1
  staffing, KV's actual FTE:             jan 1.5, feb 2 (no rows for March)

Targets added here: started >= 50, completed >= 40 for the agreement; completed >= 20 for
norr (jan 2+5 = 7, feb 0+3 = 3: 10) and completed >= 10 and the share >= 50 % for söder
(jan 4, feb 0: 4 completers, a count that is hidden as small).
"""

from __future__ import annotations

import copy

import pytest
from openpyxl import load_workbook

from dashboard.data import repository
from dashboard.data.ingest import import_dataset
from dashboard.data.template import write_template
from dashboard.domain.forecast import forecast_enabled, period_in_progress
from dashboard.domain.periods import Period
from dashboard.figures.forecast import FORECAST_COLOUR, view_forecasts
from dashboard.figures.panels import build_panels
from dashboard.figures.theme import SCREEN, STATUS_COLOURS
from dashboard.model.view import build_view
from tests.builders import base_tables, import_into, write_workbook


def _tables(forecast: str | None = None) -> dict:
    tables = copy.deepcopy(base_tables())
    tables["targets"] += [
        ["krami", None, None, "started", ">=", 50, None, None, None, None],
        ["krami", None, None, "completed", ">=", 40, None, None, None, None],
        ["krami", "norr", None, "completed", ">=", 20, None, None, None, None],
        ["krami", "soder", None, "completed", ">=", 10, None, None, None, None],
        ["krami", "soder", None, "work_study_share", ">=", "50 %", None, None, None, None],
    ]
    if forecast is not None:
        tables["agreements"][0].append("forecast")
        tables["agreements"][1].append(forecast)
    return tables


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = import_into(tmp_path_factory.mktemp("forecast"), _tables())
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def view(engine):
    return build_view(engine, "krami")  # the default: 2023-01..2023-03, the year to date


@pytest.fixture(scope="module")
def by_kpi(view):
    return {(f.kpi, f.cluster_id, f.party_id): f for f in view_forecasts(view)}


def test_the_default_view_is_a_year_in_progress(view):
    assert view.period.text == "2023-01..2023-03"
    assert period_in_progress(view.period, "2023-03", "2023-12-31") == Period.parse("2023")


def test_a_flow_goes_on_at_the_pace_so_far(by_kpi):
    started = by_kpi[("started", None, None)]
    # 9 + 8 + 9 = 26 in 3 months: 26 × 12 / 3 = 104; the range: the 9 months left like the
    # slowest month (8): 26 + 9 × 8 = 98, like the fastest (9): 26 + 9 × 9 = 107.
    assert (started.method, started.months_with_data, started.months_in_period) == \
        ("flow", 3, 12)
    assert (started.value, started.low, started.high) == (104, 98, 107)
    completed = by_kpi[("completed", None, None)]
    # 11 + 3 = 14 in the 2 months with outcome rows: 14 × 12 / 2 = 84; 10 months left:
    # 14 + 10 × 3 = 44 .. 14 + 10 × 11 = 124.
    assert (completed.value, completed.low, completed.high) == (84, 44, 124)
    assert completed.monthly == 7  # the pace a month: 14 / 2


def test_a_level_carries_the_mean_of_the_last_three_months_forward(by_kpi):
    occ = by_kpi[("occupancy", None, None)]
    # The last three months 75, 45, 82: mean 202 / 3 = 67.33 carried over the 9 months
    # left; the year's figure (a mean over its months): (202 + 9 × 202/3) / 12 = 67.33;
    # the range at the lowest (45) and highest (82) of them: (202 + 405) / 12 = 50.58,
    # (202 + 738) / 12 = 78.33.
    assert occ.method == "level"
    assert occ.monthly == pytest.approx(202 / 3)
    assert occ.value == pytest.approx(202 / 3)
    assert occ.low == pytest.approx(607 / 12)
    assert occ.high == pytest.approx(940 / 12)
    assert (occ.monthly_low, occ.monthly_high) == (45, 82)
    kv = by_kpi[("fte_actual", None, "KV")]
    # KV's FTE 1.5 and 2 (two months with staffing rows): 1.75 carried over 10 months:
    # (3.5 + 17.5) / 12 = 1.75; the range (3.5 + 15) / 12 .. (3.5 + 20) / 12.
    assert kv.value == pytest.approx(1.75)
    assert (kv.low, kv.high) == (pytest.approx(18.5 / 12), pytest.approx(23.5 / 12))


def test_a_share_is_the_share_so_far(by_kpi):
    share = by_kpi[("work_study_share", None, None)]
    # (4 + 2 + 1 + 1) / (11 + 3) = 8 / 14. The months' shares 6/11 and 2/3; the 10 months
    # left with 14 / 2 = 7 completers a month (70): (8 + 70 × 6/11) / 84 .. (8 + 70 × 2/3) / 84.
    assert share.method == "share"
    assert share.value == pytest.approx(8 / 14)
    assert share.low == pytest.approx((8 + 70 * 6 / 11) / 84)
    assert share.high == pytest.approx((8 + 70 * 2 / 3) / 84)


def test_the_forecast_is_said_in_words_on_its_panel_and_never_changes_a_status(engine,
                                                                                view):
    panels = {p.key: p for p in build_panels(view, SCREEN)}
    occupancy = panels["occupancy"].sentences
    assert any(s.startswith("Beläggning – Prognos helår: 67, mål 80 (intervall 51–78). "
                            "En prognos, inte utfall") for s in occupancy)
    outcomes = panels["outcomes"].sentences
    assert any("Prognos helår: 84, mål 40 (intervall 44–124)" in s for s in outcomes)
    assert any("Prognos helår: 57\xa0%, mål 60\xa0% (intervall 55\xa0%–65\xa0%)" in s
               for s in outcomes)
    assert any(s.startswith("Faktiska årsarbetskrafter, Kriminalvården – Prognos helår: 1,8, "
                            "mål 2,0") for s in panels["staffing"].sentences)
    # A slide: the words without the method; the occupancy chart draws its own, and the
    # staffing slide has no room for them.
    assert panels["outcomes"].slide_lines[-1] == \
        "Andel i arbete eller studier – Prognos helår: 57\xa0%, mål 60\xa0% " \
        "(intervall 55\xa0%–65\xa0%)."
    assert not any("Prognos" in s for key in ("occupancy", "staffing")
                   for s in panels[key].slide_lines)
    # Not data: the outcomes table holds the year to date's counts (11 + 3 completers),
    # and the statuses are the year to date's (occupancy 67.33 against 80, 10 % tolerance:
    # red; the forecast of started, 104 against 50, changes nothing).
    assert panels["outcomes"].table["completed"].iloc[0] == 14
    assert view.value("occupancy").status == "red"
    assert view.value("started").value == 26
    english = build_view(engine, "krami", lang="en")
    words = {p.key: p for p in build_panels(english, SCREEN)}["occupancy"].sentences
    assert any("Forecast full year: 67, target 80 (range 51–78)" in s for s in words)


def test_the_chart_continues_dashed_and_grey_with_a_band(view):
    panel = next(p for p in build_panels(view, SCREEN) if p.key == "occupancy")
    fig = panel.figure.to_dict()
    assert fig["layout"]["xaxis"]["categoryarray"][-1] == "dec"
    ours = [t for t in fig["data"] if t.get("meta") == "forecast"]
    line = next(t for t in ours if t["line"].get("dash") == "dash")
    band = next(t for t in ours if t.get("fill") == "tonexty")
    # From March's total (82) on, the 9 months left at 202 / 3.
    assert line["x"] == ["mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov",
                         "dec"]
    assert line["y"][0] == 82 and line["y"][1:] == [pytest.approx(202 / 3)] * 9
    assert band["y"][1:] == [82] * 9
    colours = {line["line"]["color"].upper(), band["fillcolor"]}
    assert line["line"]["color"] == FORECAST_COLOUR
    assert not colours & {c.upper() for c in STATUS_COLOURS.values()}
    assert all(not t.get("showlegend") for t in ours)
    label = next(a for a in fig["layout"]["annotations"] if a.get("name") == "forecast")
    assert label["text"] == "<b>Prognos helår: 67, mål 80</b>"


def test_no_forecast_for_a_finished_period(engine):
    for period in ("2023-Q1", "2023-03", "2022"):
        assert view_forecasts(build_view(engine, "krami", period)) == []
    # A quarter whose data stop in its second month is in progress; the agreement's end
    # ends the projection.
    assert period_in_progress(Period.parse("2023-Q1"), "2023-02") == Period.parse("2023-Q1")
    assert period_in_progress(Period.parse("2023"), "2023-03", "2023-06-30") == \
        Period.parse("2023-H1")
    assert period_in_progress(Period.parse("2023"), "2023-12") is None


def test_no_forecast_of_a_count_hidden_as_small(engine):
    soder = view_forecasts(build_view(engine, "krami", cluster_id="soder"))
    # söder's 4 completers (and its share of 4) would be shown as <5: never projected.
    assert [f.kpi for f in soder if f.cluster_id == "soder"] == []
    norr = {f.kpi: f for f in view_forecasts(build_view(engine, "krami", cluster_id="norr"))
            if f.cluster_id == "norr"}
    assert norr["completed"].value == 60  # 10 in 2 months: 10 × 12 / 2
    # With a threshold of 11, norr's 10 is hidden too.
    strict = view_forecasts(build_view(engine, "krami", cluster_id="norr"), suppress_below=11)
    assert "completed" not in {f.kpi for f in strict if f.cluster_id == "norr"}


def test_an_agreement_turns_forecasts_off(tmp_path):
    engine = import_into(tmp_path, _tables(forecast="Nej"))
    try:
        assert repository.get_agreement(engine, "krami")["forecast"] == "no"
        view = build_view(engine, "krami")
        assert not forecast_enabled(view.data.agreement)
        assert view_forecasts(view) == []
        panels = {p.key: p for p in build_panels(view, SCREEN)}
        fig = panels["occupancy"].figure.to_dict()
        assert fig["layout"]["xaxis"]["categoryarray"][-1] == "mar"
        assert not [t for t in fig["data"] if t.get("meta") == "forecast"]
        assert not any("Prognos" in s for p in panels.values() for s in p.sentences)
        # Back on with "ja" (an upsert of the agreement's row).
        assert import_dataset(engine, write_workbook(
            tmp_path / "on.xlsx", {"agreements": _tables(forecast="ja")["agreements"]})).ok
        assert view_forecasts(build_view(engine, "krami"))
    finally:
        engine.dispose()


def test_a_forecast_that_is_neither_yes_nor_no_is_refused(tmp_path):
    engine = import_into(tmp_path)
    try:
        result = import_dataset(engine, write_workbook(
            tmp_path / "bad.xlsx", {"agreements": _tables(forecast="kanske")["agreements"]}))
        assert not result.ok
        (message,) = result.messages("en")
        assert "forecast" in message and "'kanske' is not yes or no" in message
        assert repository.get_agreement(engine, "krami")["forecast"] is None
    finally:
        engine.dispose()


def test_the_mean_is_drawn_over_the_months_with_data_only(view):
    fig = next(p for p in build_panels(view, SCREEN) if p.key == "occupancy").figure
    (mean,) = [t for t in fig.data if t.get("meta") == "mean"]
    assert mean["x"] == ["jan", "feb *", "mar"]


def test_the_template_offers_ja_or_nej_for_forecast(tmp_path):
    sheet = load_workbook(write_template(tmp_path / "mall.xlsx"))["agreements"]
    column = [c.value for c in sheet[1]].index("forecast")
    letter = sheet.cell(1, column + 1).column_letter
    (rule,) = [dv for dv in sheet.data_validations.dataValidation
               if str(dv.sqref).startswith(f"{letter}2")]
    assert rule.formula1 == '"ja,nej"'
