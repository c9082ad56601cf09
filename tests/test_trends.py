"""Trends: the status strip beside each target, spans of several years in the period picker,
and the same period a year earlier behind occupancy and the share in work or study.

Expectations are computed here by hand from the demo workbooks (data/demo) with the
contract's definitions (section 3), not by the engine under test.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.config import load_settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.domain.kpis import assessed, assessed_each, figure_table, inputs_of
from dashboard.domain.periods import Period
from dashboard.domain.trends import (
    periods_to,
    quarters_to,
    status_trends,
    strip_periods,
    target_strip_key,
    trend_window,
)
from dashboard.figures.panels import earlier_shares, earlier_totals, occupancy_panel, outcomes_panel
from dashboard.figures.slides import build_slides
from dashboard.figures.theme import PRESENT, SCREEN
from dashboard.model.view import (
    build_view,
    is_span,
    period_options,
    step_period,
    strips_of,
    trend_rows,
    trend_strips,
)
from dashboard.web.components.cards import strip_words, target_list, targets_table, trend_strip
from dashboard.web.components.controls import spans_early

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
    assert [p.text for p in periods_to(Period.parse("2023-02"), "month", 3)] == \
        ["2022-12", "2023-01", "2023-02"]


def test_the_strip_is_made_of_periods_of_the_kind_shown_ending_with_it():
    def texts(period, own=None):
        return [p.text for p in strip_periods(Period.parse(period), own)]

    # A year: the last five years, the year shown last (not its last quarter).
    assert texts("2023") == ["2019", "2020", "2021", "2022", "2023"]
    assert texts("2023-H1") == ["2020-H2", "2021-H1", "2021-H2", "2022-H1", "2022-H2",
                                "2023-H1"]
    assert texts("2023-Q2") == ["2021-Q3", "2021-Q4", "2022-Q1", "2022-Q2", "2022-Q3",
                                "2022-Q4", "2023-Q1", "2023-Q2"]
    assert texts("2023-05")[-2:] == ["2023-04", "2023-05"] and len(texts("2023-05")) == 8
    # Year to date: the same months of the years before.
    assert texts("2024-01..2024-09") == ["2020-01..2020-09", "2021-01..2021-09",
                                         "2022-01..2022-09", "2023-01..2023-09",
                                         "2024-01..2024-09"]
    # A span of years: the years it covers (none of them is the span shown).
    assert texts("2016-01..2018-12") == ["2016", "2017", "2018"]
    # An indicator reported by year, in a quarter view: its own years; reported by
    # quarter, in a year view: years (the view's kind).
    assert texts("2023-Q2", "year")[-1] == "2023"
    assert texts("2023", "quarter")[-1] == "2023"
    # Rows: the strip's periods and the year before the first (for increase/decrease).
    assert trend_window(Period.parse("2023")) == ("2018-01", "2023-12")
    assert trend_window(Period.parse("2023-Q4")) == ("2021-01", "2023-12")
    assert trend_window(Period.parse("2023"), 8) == ("2021-01", "2023-12")


def test_occupancy_strip_by_hand_from_the_krami_workbook(demo):
    occ = sheet("krami-stockholm-2023.xlsx", "occupancy")
    per_month = occ.groupby("month")["participants"].sum()
    expected = []
    for q in range(1, 5):
        months = [f"2023-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
        mean = per_month.reindex(months).dropna().mean()  # months with data
        expected.append((f"2023-Q{q}", by_hand(mean, 80)))
    view = build_view(demo, "krami-sthlm-2023", "2023-Q4")  # a quarter: quarters
    strips = trend_strips(demo, view)
    # The agreement's data starts in 2023-01: no quarter before it is shown.
    assert [(p, s) for p, s, _v in strips[("occupancy", None, None, None)]] == expected
    assert [s for _p, s in expected] == ["amber", "green", "red", "green"]
    values = [v for _p, _s, v in strips[("occupancy", None, None, None)]]
    assert values[0] == pytest.approx(per_month.reindex(["2023-01", "2023-02", "2023-03"])
                                      .mean())


def test_a_partys_fte_strip_by_hand_from_the_grums_workbook(demo):
    staffing = sheet("grums-unga-2016-2018.xlsx", "staffing")
    af = staffing[staffing["party_id"] == "AF"].groupby("month")["actual_fte"].sum()
    months_with_data = staffing.groupby("month").size().index  # months with any row
    expected = []
    for q in quarters_to(Period.parse("2018-Q4")):
        months = [m for m in q.months if m in months_with_data]
        mean = af.reindex(months).fillna(0).mean()  # a month without its row counts 0
        expected.append((q.text, by_hand(mean, 2.0)))
    strips = status_trends(repository.load_agreement(demo, "grums-unga-2016",
                                                     trend_window(Period.parse("2018-Q4"))),
                           Period.parse("2018-Q4"))
    assert [(p, s) for p, s, _v in strips[("fte_actual", None, "AF", None)]] == expected
    assert len(expected) == 8 and expected[0][0] == "2017-Q1"


def test_an_indicator_reported_by_half_year_or_year_has_a_strip_of_its_own_periods(demo):
    # In a view of a shorter period than the indicator's own (a year's indicator beside
    # a quarter): its own periods.
    sthlm = trend_strips(demo, build_view(demo, "sthlm-af-2023", "2023-H2"))
    # arbetsgivare_stod is reported per half-year (increase): H1 and H2 of 2023, each
    # against the same half a year earlier.
    ind = sheet("stockholm-af-2023.xlsx", "indicators")
    ind = ind[ind["indicator"] == "arbetsgivare_stod"].groupby("period")["value"].sum()
    expected = [("2023-H1", "green" if ind["2023-H1"] > ind["2022-H1"] else "red"),
                ("2023-H2", "green" if ind["2023-H2"] > ind["2022-H2"] else "red")]
    assert [(p, s) for p, s, _v in sthlm[("arbetsgivare_stod", None, None, None)]] == expected
    jarfalla = trend_strips(demo, build_view(demo, "jarfalla-af-2023", "2023-Q4"))
    assert [p for p, _s, _v in jarfalla[("forsorjningsstod_andel", None, None, None)]] == ["2023"]
    assert [p for p, _s, _v in jarfalla[("overgang_arbete", None, None, None)]] == \
        ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]


@pytest.mark.slow  # ~20 s; the strips by hand above run the one pass in the fast tier
@pytest.mark.parametrize(("agreement", "shown"), [
    ("krami-sthlm-2023", ["2023-Q4", "2023-01..2023-09"]),
    ("grums-unga-2016", ["2018-Q4", "2018"]),  # a party's and a role's FTE targets
    ("sthlm-af-2023", ["2023-H2", "2023-05"]),  # indicators: increase, a year earlier
    ("jarfalla-af-2023", ["2023-Q4", "2023"]),  # yearly indicators
])
def test_a_strips_periods_judged_together_are_each_judged_alone(demo, agreement, shown):
    """The strip's periods in one pass (each agreement split into one per period) give
    every figure, target, value a year earlier and status of each period judged alone,
    which the tests above check by hand; also for periods that overlap (judged one by one)."""
    data = repository.load_agreement(demo, agreement, ("2010-01", "2030-12"))
    inputs = inputs_of(data)
    cases = [strip_periods(Period.parse(text)) for text in shown]
    cases.append([Period.parse(shown[0]), Period.parse(shown[0][:4])])  # overlapping
    for periods in cases:
        for tables in (None, {"staffing", "indicators"}):
            together = assessed_each(inputs, periods, tables)
            assert len(together) == len(periods)
            for p, table in zip(periods, together, strict=True):
                alone = assessed(figure_table(inputs, p, tables), inputs, p)
                assert list(table.columns) == list(alone.columns)
                order = ["kpi", "scope", "party_id", "role"]
                pd.testing.assert_frame_equal(
                    table.sort_values(order).reset_index(drop=True).astype(str),
                    alone.sort_values(order).reset_index(drop=True).astype(str),
                    obj=f"{agreement} {p.text} {sorted(tables or ['all'])}")
    # The cases hold targets, judged (not all grey).
    judged = [t for periods in cases for t in assessed_each(inputs, periods)]
    assert any(t["comparator"].notna().any() for t in judged)
    assert any(t["status"].isin(["green", "amber", "red"]).any() for t in judged)


def test_a_clusters_view_keeps_the_clusters_strips(demo):
    view = build_view(demo, "sthlm-af-2023", "2023-Q4", "jarva")
    strips = trend_strips(demo, view)
    # The seed's "andel som börjar arbeta respektive studera": work and study apart too.
    assert set(strips) == {("work_study_share", "jarva", None, None),
                           ("work_share", "jarva", None, None),
                           ("study_share", "jarva", None, None)}
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
    assert [s for _p, s, _v in strips[("work_study_share", "jarva", None, None)]] == expected


@pytest.mark.parametrize("agreement, year", [("krami-sthlm-2023", "2023"),
                                             ("jarfalla-af-2023", "2023"),
                                             ("grums-unga-2016", "2018"),
                                             ("grums-unga-2016", "2017"),
                                             ("sthlm-af-2023", "2023")])
def test_a_years_strip_is_years_and_its_outlined_cell_is_the_year_shown(demo, agreement,
                                                                       year):
    """Issue 16: a year that is amber outlines an amber year cell, not its last quarter's.
    Every target's last cell is the year shown, with the status the table beside it gives."""
    view = build_view(demo, agreement, year)
    strips = trend_strips(demo, view)
    targets = [v for v in view.targets() if v.comparator]
    assert targets
    for v in targets:
        points = strips.get(target_strip_key(v.kpi, v.cluster_id, v.party_id, v.role))
        if not points:
            continue
        assert all(Period.parse(p).kind == "year" for p, _s, _v in points), points
        assert points[-1][0] == year and points[-1][1] == v.status, (v.kpi, points)
        strip = trend_strip(points, "sv", v.comparator, v.period)
        marks = strip.children[0].children
        outlined = [m for m in marks if "trend-current" in m.className]
        assert len(outlined) == 1 and outlined[0] is marks[-1]
        assert marks[-1].to_plotly_json()["props"]["data-status"] == v.status


def test_grums_2018_and_jarfalla_2023_outline_the_year_by_hand(demo):
    """The two years of the issue, by hand from the workbooks: each strip's last cell is
    the year, with the year's status."""
    grums = trend_strips(demo, build_view(demo, "grums-unga-2016", "2018"))
    # The Grums workbook's data begins in 2016: the years 2016-2018.
    for points in grums.values():
        assert [p for p, _s, _v in points][-1] == "2018"
        assert {p for p, _s, _v in points} <= {"2016", "2017", "2018"}
    occ = sheet("grums-unga-2016-2018.xlsx", "occupancy")
    per_month = occ[occ["month"].str.startswith("2018")].groupby("month")["participants"].sum()
    targets = sheet("grums-unga-2016-2018.xlsx", "targets")
    target = targets[(targets["kpi"] == "occupancy") & targets["cluster_id"].isna()]
    if not target.empty and ("occupancy", None, None) in grums:
        tol = target["tolerance"].iloc[0]
        expected = by_hand(per_month.mean(), float(target["value"].iloc[0]),
                           0.10 if pd.isna(tol) else float(tol))
        assert grums[("occupancy", None, None, None)][-1][1] == expected
    jarfalla = trend_strips(demo, build_view(demo, "jarfalla-af-2023", "2023"))
    for points in jarfalla.values():
        assert points[-1][0] == "2023"


def test_the_outline_is_on_the_period_shown_only():
    points = [("2022", "green", 1.0), ("2023", "amber", 2.0)]
    marks = trend_strip(points, "sv", ">=", "2023").children[0].children
    assert [m.className for m in marks] == ["trend-mark", "trend-mark trend-current"]
    # A yearly indicator beside a quarter: no cell is the quarter, none outlined.
    marks = trend_strip(points, "sv", ">=", "2023-Q4").children[0].children
    assert all(m.className == "trend-mark" for m in marks)


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


def test_presentation_cover_shows_each_targets_strip_with_the_year_shown_outlined(demo):
    """Presentation mode: beside each target of the cover its status over the last years
    (Grums 2016-2018 shown for 2018), the year shown outlined and its cell the target's
    status; an agreement of one year shows no strip (nothing to compare)."""
    view = build_view(demo, "grums-unga-2016", "2018", None, None, "sv")
    view.trends = strips_of(trend_rows(demo, view.agreement_id, view.period), None)
    cover = build_slides(view, PRESENT)[0]
    items = target_list(cover, "cover-targets", "sv", "2018").children
    assert len(items) == len(cover.targets)
    with_strips = [(line, item) for line, item in zip(cover.targets, items, strict=True)
                   if len(line.points) > 1]
    assert len(with_strips) >= 3  # occupancy, the 90-day guarantee, AF's FTE ...
    for line, item in zip(cover.targets, items, strict=True):
        assert (item.children[2] is None) == (len(line.points) <= 1)
    for line, item in with_strips:
        strip = item.children[2]
        marks = strip.children[0].children
        assert [m.__dict__["data-period"] for m in marks] == ["2016", "2017", "2018"]
        current = [m for m in marks if "trend-current" in m.className]
        assert [m.__dict__["data-period"] for m in current] == ["2018"]
        assert current[0].__dict__["data-status"] == line.status
    one_year = build_view(demo, "krami-sthlm-2023", "2023", None, None, "sv")
    one_year.trends = strips_of(trend_rows(demo, "krami-sthlm-2023", one_year.period),
                                None)
    for item in target_list(build_slides(one_year, PRESENT)[0], "c", "sv", "2023").children:
        assert item.children[2] is None
