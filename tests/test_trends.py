"""Trends: the status strip beside each target, spans of several years in the period picker,
and the same period a year earlier behind occupancy and the share in work or study.

Expectations are computed here by hand from the demo workbooks (data/demo) with the
contract's definitions (section 3), not by the engine under test.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.data import repository
from dashboard.web.components.cards import strip_words, targets_table, trend_strip
from dashboard.web.components.controls import spans_early
from dashboard.config import load_settings
from dashboard.data.db import make_engine
from dashboard.figures.panels import earlier_shares, earlier_totals, occupancy_panel, outcomes_panel
from dashboard.domain.periods import Period
from dashboard.figures.theme import SCREEN
from dashboard.domain.trends import periods_to, quarters_to, status_trends, trend_window
from dashboard.model.view import build_view, is_span, period_options, step_period, trend_strips

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from dashboard.web.app import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('trends') / 'demo.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    assert all(r.ok for r in load_demo(engine, load_settings({"database_url": url})))
    yield engine
    engine.dispose()


def sheet(workbook: str, name: str) -> pd.DataFrame:
    return pd.read_excel(DEMO / workbook, sheet_name=name, dtype={"month": str})


def by_hand(value: float, target: float, tolerance: float = 0.10) -> str:
    """Contract section 3, ``>=``: green at the target, amber within the tolerance."""
    if value >= target:
        return "green"
    return "amber" if value >= target * (1 - tolerance) else "red"


# --------------------------------------------------------------------------- periods


def test_the_strips_periods_end_with_the_one_holding_the_periods_last_month():
    assert [p.text for p in quarters_to(Period.parse("2023-05"), 3)] == \
        ["2022-Q4", "2023-Q1", "2023-Q2"]
    assert [p.text for p in periods_to(Period.parse("2018"), "half", 3)] == \
        ["2017-H2", "2018-H1", "2018-H2"]
    assert [p.text for p in periods_to(Period.parse("2016-01..2018-12"), "year")] == \
        ["2014", "2015", "2016", "2017", "2018"]
    # Rows: eight quarters and the year before the first (for increase/decrease).
    assert trend_window(Period.parse("2023")) == ("2021-01", "2023-12")


def test_occupancy_strip_by_hand_from_the_krami_workbook(demo):
    occ = sheet("krami-stockholm-2023.xlsx", "occupancy")
    per_month = occ.groupby("month")["participants"].sum()
    expected = []
    for q in range(1, 5):
        months = [f"2023-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
        mean = per_month.reindex(months).dropna().mean()  # months with data
        expected.append((f"2023-Q{q}", by_hand(mean, 80)))
    view = build_view(demo, "krami-sthlm-2023", "2023")
    strips = trend_strips(demo, view)
    # The agreement's data starts in 2023-01: no quarter before it is shown.
    assert [(p, s) for p, s, _v in strips[("occupancy", None, None)]] == expected
    assert [s for _p, s in expected] == ["amber", "green", "red", "green"]
    values = [v for _p, _s, v in strips[("occupancy", None, None)]]
    assert values[0] == pytest.approx(per_month.reindex(["2023-01", "2023-02", "2023-03"])
                                      .mean())


def test_a_partys_fte_strip_by_hand_from_the_grums_workbook(demo):
    staffing = sheet("grums-unga-2016-2018.xlsx", "staffing")
    af = staffing[staffing["party_id"] == "AF"].groupby("month")["actual_fte"].sum()
    months_with_data = staffing.groupby("month").size().index  # months with any row
    expected = []
    for q in quarters_to(Period.parse("2018")):
        months = [m for m in q.months if m in months_with_data]
        mean = af.reindex(months).fillna(0).mean()  # a month without its row counts 0
        expected.append((q.text, by_hand(mean, 2.0)))
    strips = status_trends(repository.load_agreement(demo, "grums-unga-2016",
                                                     trend_window(Period.parse("2018"))),
                           Period.parse("2018"))
    assert [(p, s) for p, s, _v in strips[("fte_actual", None, "AF")]] == expected
    assert len(expected) == 8 and expected[0][0] == "2017-Q1"


def test_an_indicator_reported_by_half_year_or_year_has_a_strip_of_its_own_periods(demo):
    sthlm = trend_strips(demo, build_view(demo, "sthlm-af-2023", "2023"))
    # arbetsgivare_stod is reported per half-year (increase): H1 and H2 of 2023, each
    # against the same half a year earlier.
    ind = sheet("stockholm-af-2023.xlsx", "indicators")
    ind = ind[ind["indicator"] == "arbetsgivare_stod"].groupby("period")["value"].sum()
    expected = [("2023-H1", "green" if ind["2023-H1"] > ind["2022-H1"] else "red"),
                ("2023-H2", "green" if ind["2023-H2"] > ind["2022-H2"] else "red")]
    assert [(p, s) for p, s, _v in sthlm[("arbetsgivare_stod", None, None)]] == expected
    jarfalla = trend_strips(demo, build_view(demo, "jarfalla-af-2023", "2023"))
    assert [p for p, _s, _v in jarfalla[("forsorjningsstod_andel", None, None)]] == ["2023"]
    assert [p for p, _s, _v in jarfalla[("overgang_arbete", None, None)]] == \
        ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]


def test_a_clusters_view_keeps_the_clusters_strips(demo):
    view = build_view(demo, "sthlm-af-2023", "2023", "jarva")
    strips = trend_strips(demo, view)
    assert set(strips) == {("work_study_share", "jarva", None)}
    out = sheet("stockholm-af-2023.xlsx", "outcomes")
    out = out[out["cluster_id"] == "jarva"]
    share = {}
    for year in ("2022", "2023"):
        for q in range(1, 5):
            rows = out[out["month"].isin(Period.parse(f"{year}-Q{q}").months)]
            share[f"{year}-Q{q}"] = (rows["work"].sum() + rows["study"].sum()) / \
                rows["completed"].sum()
    expected = []  # increase: against the same quarter a year earlier
    for q in range(1, 5):
        now, before = share[f"2023-Q{q}"], share[f"2022-Q{q}"]
        expected.append("green" if now > before else "amber" if now == before else "red")
    assert [s for _p, s, _v in strips[("work_study_share", "jarva", None)]] == expected


# --------------------------------------------------------------------------- the strip


def test_the_strip_is_symbols_on_colours_with_its_periods_and_words():
    points = [("2023-Q1", "amber", 78.0), ("2023-Q2", "none", None),
              ("2023-Q3", "red", 60.0), ("2023-Q4", "green", 85.0)]
    strip = trend_strip(points, "sv", ">=")
    marks, span = strip.children
    assert [m.children for m in marks.children] == ["▲", "·", "✖", "✔"]
    assert span.children == "kv. 1 2023 – kv. 4 2023"
    assert strip.role == "img"
    assert strip_words(points, "sv", ">=") == (
        "Status över tid: kv. 1 2023 ▲ Nära målet, kv. 2 2023 inget mål, "
        "kv. 3 2023 ✖ Ej uppnått, kv. 4 2023 ✔ Uppnått")
    assert strip_words(points[:1], "en", "increase") == "Status over time: Q1 2023 ▲ Unchanged"


def test_the_targets_table_has_the_strip_beside_each_target(demo):
    view = build_view(demo, "krami-sthlm-2023", "2023")
    targets = view.targets()
    table = targets_table(targets, {}, "sv", trends=trend_strips(demo, view))
    head, body = table.children
    assert head.children.children[-1].children == "Status över tid"
    assert all(len(row.children) == 5 for row in body.children)
    first = body.children[0].children[-1].children
    assert first.className == "trend-strip"
    # Without trends the table is as before (four columns).
    plain = targets_table(targets, {}, "sv")
    assert len(plain.children[0].children.children) == 4


# --------------------------------------------------------------------------- spans


def test_spans_of_several_years_and_the_relative_ones():
    three = period_options(("2016-01", "2018-12"), [], "sv")
    # Exactly three years: every year is also the last three, and says so.
    assert three[-1] == ("2016-01..2018-12", "Senaste tre åren (2016–2018)")
    four = period_options(("2016-01", "2019-06"), [], "sv")
    assert four[-3:] == [("2018-07..2019-06", "Senaste året (jul 2018–jun 2019)"),
                         ("2017-01..2019-12", "Senaste tre åren (2017–2019)"),
                         ("2016-01..2019-12", "2016–2019")]
    english = dict(period_options(("2016-01", "2019-06"), [], "en"))
    assert english["2018-07..2019-06"] == "The last year (Jul 2018–Jun 2019)"
    assert english["2017-01..2019-12"] == "The last three years (2017–2019)"
    # One year of data: no span.
    assert not [v for v, _ in period_options(("2023-01", "2023-12"), [], "sv") if is_span(v)]


def test_spans_are_concrete_periods_that_step_by_their_length():
    for text, step, expected in (("2016-01..2018-12", 1, "2019-01..2021-12"),
                                 ("2018-07..2019-06", -1, "2017-07..2018-06"),
                                 ("2017-01..2019-12", -1, "2014-01..2016-12")):
        assert step_period(Period.parse(text), step).text == expected
    assert is_span("2016-01..2018-12") and is_span("2018-07..2019-06")
    assert not is_span("2023-01..2023-03") and not is_span("2023") and not is_span("x")


def test_the_picker_offers_the_spans_in_its_first_screen():
    options = spans_early(period_options(("2016-01", "2018-12"), [], "sv"))
    assert [v for v, _ in options[:4]] == ["2018", "2018-H2", "2018-H1", "2016-01..2018-12"]
    assert len(options) == len(period_options(("2016-01", "2018-12"), [], "sv"))


def test_a_span_view_is_titled_with_its_years(demo):
    view = build_view(demo, "grums-unga-2016", "2016-01..2018-12")
    assert view.period_text == "2016–2018"
    assert view.period_problem is None
    assert view.neighbour(-1) is None and view.neighbour(1) is None  # no data beyond


# --------------------------------------------------------------------------- a year earlier


def test_occupancy_a_year_earlier_by_hand(demo):
    view = build_view(demo, "grums-unga-2016", "2017")
    occ = sheet("grums-unga-2016-2018.xlsx", "occupancy")
    per_month = occ.groupby("month")["participants"].sum()
    months = view.period.months
    expected = [float(per_month[f"2016-{m[5:]}"]) for m in months]
    assert earlier_totals(view, months) == expected
    fig = occupancy_panel(view, SCREEN).figure.to_dict()
    names = [tr.get("name") for tr in fig["data"] if tr.get("meta") == "earlier"
             and tr.get("showlegend")]
    mean = sum(expected) / len(expected)
    assert names == [f"Föregående år: medel {mean:.1f}".replace(".", ",")]
    # A quarter's chart names what it is compared with in the app's words.
    quarter = occupancy_panel(build_view(demo, "grums-unga-2016", "2017-Q2"), SCREEN)
    assert any(str(tr.get("name", "")).startswith("Samma kvartal året innan")
               for tr in quarter.figure.to_dict()["data"])
    # No year before in the data (2016), and a span of years: nothing drawn.
    assert earlier_totals(build_view(demo, "grums-unga-2016", "2016"), months) is None
    assert earlier_totals(build_view(demo, "grums-unga-2016", "2016-01..2018-12"),
                          months) is None


def test_the_share_a_year_earlier_by_hand_and_hidden_in_exports_where_counts_are(demo):
    view = build_view(demo, "grums-unga-2016", "2017", breakdown="gender")
    out = sheet("grums-unga-2016-2018.xlsx", "outcomes")
    before = out[out["month"].str.startswith("2016")]
    total = (before["work"].sum() + before["study"].sum()) / before["completed"].sum()
    women = before[before["gender"] == "K"]
    share_k = (women["work"].sum() + women["study"].sum()) / women["completed"].sum()
    panel = outcomes_panel(view, SCREEN)
    shares = earlier_shares(view, panel.table)
    assert shares[0] == pytest.approx(total) and shares[1] == pytest.approx(share_k)
    words = panel.figure.to_dict()["data"][0]["text"]
    assert all("Föregående år" in w for w in words)
    # In an export, a group's share a year earlier whose counts would be hidden is not
    # shown (the whole is no breakdown: it stays).
    hidden = earlier_shares(view, panel.table, suppress_below=10_000)
    assert hidden[0] == pytest.approx(total) and hidden[1:] == [None] * (len(hidden) - 1)
