"""Layout components (dashboard.web.components), inspected as Dash component trees, no browser.

Status is a symbol and a word (never colour alone); the targets table carries data
attributes for tests and tools; addresses carry the whole state (period, breakdown,
language) and leave defaults out; what a click on the period controls asks for
(``target_of``) is checked as a plain function with the values a click produces.
"""

from __future__ import annotations

import pytest
from dash import dcc, html

from dashboard.web.components.cards import (
    kpi_table,
    notes_alert,
    page_frame,
    panel_card,
    status_badge,
    target_words,
    targets_table,
)
from dashboard.web.components.controls import control_data, controls, switch_view, target_of
from dashboard.web.components.links import (
    agreement_path,
    cluster_path,
    href,
    present_path,
    query_state,
)
from dashboard.web.ids import Ids
from dashboard.domain.kpis import KpiValue
from dashboard.figures.panels import build_panels
from dashboard.model.series import Note
from dashboard.figures.theme import SCREEN, STATUS_COLOURS
from dashboard.model.view import build_view
from tests.builders import import_into

NBSP = "\u00a0"
PARTIES = {"AF": "Arbetsförmedlingen", "KV": "Kriminalvården", "STHLM": "Stockholms stad"}


def kpi(kpi_name, value, *, target=None, comparator=None, status="grey", unit="count",
        party=None, cluster=None, previous=None):
    return KpiValue(agreement_id="krami", cluster_id=cluster, party_id=party,
                    period="2023-Q1", kpi=kpi_name, value=value, target=target,
                    comparator=comparator, status=status, previous=previous, unit=unit)


TARGETED = [
    kpi("occupancy", 202 / 3, target=80, comparator=">=", status="red"),
    kpi("work_study_share", 8 / 14, target=0.6, comparator=">=", status="amber",
        unit="share"),
    kpi("fte_actual", 1.75, target=2, comparator=">=", status="red", unit="fte", party="KV"),
    kpi("aterfall", 9, comparator="decrease", status="green", unit="number", previous=11),
    kpi("overgang_arbete", 120, comparator="increase", status="green", unit="number",
        previous=100, cluster="norr"),
]


def props(component) -> dict:
    return component.to_plotly_json()["props"]


def rows_of(table: html.Table) -> list[html.Tr]:
    _head, body = table.children
    return body.children


def texts(component) -> list[str]:
    """Every string inside a component tree, in order."""
    out: list[str] = []

    def walk(x):
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, list | tuple):
            for item in x:
                walk(item)
        elif x is not None and hasattr(x, "children"):
            walk(x.children)

    walk(component)
    return out


# --------------------------------------------------------------------------- cards


@pytest.mark.parametrize(("status", "sv", "en"), [
    ("green", "✔ Uppnått", "✔ Met"),
    ("amber", "▲ Nära målet", "▲ Close"),
    ("red", "✖ Ej uppnått", "✖ Not met"),
    ("grey", "– Ej bedömt", "– Not assessed"),
])
def test_status_badge_has_symbol_word_and_data_status(status, sv, en):
    badge = status_badge(status, "sv")
    assert badge.children == sv
    assert props(badge)["data-status"] == status
    assert badge.style["backgroundColor"] == STATUS_COLOURS[status]
    assert status_badge(status, "en").children == en


def test_target_words():
    occupancy, share, fte, relapse, _ = TARGETED
    assert target_words(occupancy, "sv") == "minst 80"
    assert target_words(share, "sv") == f"minst 60{NBSP}%"
    assert target_words(share, "en") == "at least 60%"
    assert target_words(fte, "sv") == "minst 2,0"
    assert target_words(relapse, "sv") == "ska minska"
    assert target_words(kpi("cost_total", 1, target=200000, comparator="<=", unit="sek"),
                        "sv") == f"högst 200{NBSP}000{NBSP}kr"
    assert target_words(kpi("overgang_studier_andel", 0.012, target=0.01,
                            comparator="increase", unit="percent"), "sv") == \
        f"ska öka (minst 1{NBSP}%)"
    assert target_words(kpi("started", 9), "sv") == "inget mål"


def test_targets_table_rows_carry_kpi_party_cluster_and_words():
    table = targets_table(TARGETED, PARTIES, "sv", cluster_names={"norr": "Norr"})
    assert table.id == Ids.TARGETS
    rows = rows_of(table)
    assert [(props(r)["data-kpi"], props(r)["data-party"], props(r)["data-cluster"])
            for r in rows] == [("occupancy", "", ""), ("work_study_share", "", ""),
                               ("fte_actual", "KV", ""), ("aterfall", "", ""),
                               ("overgang_arbete", "", "norr")]
    name, value, target, status = rows[0].children
    assert name.children == "Beläggning"
    assert value.children[0].children == "67,3"
    assert target.children == "minst 80"
    assert status.children.children == "✖ Ej uppnått"
    assert props(status.children)["data-status"] == "red"
    assert rows[1].children[1].children[0].children == f"57,1{NBSP}%"
    assert rows[1].children[2].children == f"minst 60{NBSP}%"
    assert rows[2].children[0].children == "Faktiska årsarbetskrafter – Kriminalvården"
    assert rows[3].children[2].children == "ska minska"
    # A direction shows last year's value under this year's.
    # A quarter compares with the same quarter a year earlier, and says so.
    assert rows[3].children[1].children[1].children == "Samma kvartal året innan: 11"
    assert rows[4].children[0].children == "Norr: Övergång till arbete (antal)"
    assert rows[4].children[2].children == "ska öka"


def test_targets_table_details_line_under_a_value():
    value = kpi("aterfall", 9, comparator=">=", target=5, unit="number")
    table = targets_table([value], PARTIES, "sv",
                          details={("aterfall", None, None): "senaste: jan–mar 2023 (kv. 1)"})
    cell = rows_of(table)[0].children[1]
    assert cell.children[0].children == "9"
    assert cell.children[1].children == "senaste: jan–mar 2023 (kv. 1)"


def test_kpi_table_status_words_only_where_a_target_applies():
    values = [TARGETED[0], kpi("started", 25), kpi("occupancy", 127 / 3, cluster="norr")]
    details = kpi_table(values, PARTIES, {"norr": "Norr"}, "sv")
    assert details.id == Ids.KPI_TABLE
    summary, table = details.children
    assert summary.children == "Alla nyckeltal för perioden"
    rows = rows_of(table)
    assert [c.children for c in rows[0].children] == ["Totalt", "Beläggning", "67,3",
                                                      "minst 80", "Ej uppnått"]
    assert [c.children for c in rows[1].children] == ["Totalt", "Påbörjade", "25", "", ""]
    assert rows[2].children[0].children == "Norr"
    assert props(rows[2])["data-cluster"] == "norr"


def test_notes_alert():
    assert notes_alert([], "sv") is None
    alert = notes_alert([Note("missing_month", table="occupancy+outcomes", cluster="Söder",
                              months=["2023-02"])], "sv")
    assert alert.id == Ids.NOTES
    assert "Söder har inte rapporterat beläggning och utfall för feb 2023." in texts(alert)
    assert texts(alert)[0] == "⚠ Ofullständiga uppgifter: "


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("components")
    eng = import_into(folder)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def view(engine):
    return build_view(engine, "krami", "2023-Q1")


def test_panel_card_holds_the_figure_at_its_height(view):
    panel = build_panels(view, SCREEN)[0]
    card = panel_card(panel, "sv")
    assert card.id == "panel-occupancy"
    box, footer, downloads = card.children.children
    assert box.role == "img"  # the chart's text alternative is on its container
    graph = box.children
    assert isinstance(graph, dcc.Graph)
    assert graph.figure == panel.figure.to_dict()
    assert graph.id == {"type": "panel-graph", "panel": "occupancy"}
    assert graph.style == {"height": f"{panel.figure.layout['height']}px"}
    # The footer (data as of, source) is text under the chart, wrapping to the card.
    assert footer.children == panel.figure.footer and "Data per" in footer.children
    assert "PNG (tryck)" in texts(downloads)


def test_panel_card_lists_the_sentences(view):
    costs = next(p for p in build_panels(view, SCREEN) if p.key == "costs")
    card = panel_card(costs, "sv")
    assert f"Kriminalvården ska betala 90{NBSP}100{NBSP}kr till Stockholms stad" in texts(card)


def test_page_frame_links_keep_the_state_and_switch_language():
    state = {"period": "2023-Q1", "breakdown": "gender", "lang": "sv"}
    frame = page_frame(html.P("innehåll"), lang="sv", path="/agreements/krami", state=state,
                       crumbs=[("Krami Test", None)])
    assert props(frame)["lang"] == "sv"
    header, main = frame.children
    nav, switch = header.children
    assert switch.children == "English"
    assert query_state(switch.href.split("?")[1]) == {"period": "2023-Q1",
                                                      "breakdown": "gender", "lang": "en"}
    home = nav.children[0]
    assert home.children == "Alla överenskommelser"
    assert home.href == "/?period=2023-Q1"
    assert texts(main) == ["innehåll"]


# --------------------------------------------------------------------------- links


def test_href_leaves_defaults_out_and_keeps_the_period():
    assert href("/agreements/krami", period="2023-Q1", breakdown="total", lang="sv") == \
        "/agreements/krami?period=2023-Q1"
    assert href("/agreements/krami", period=None, lang="sv") == "/agreements/krami"
    assert href("/agreements/krami", period="2023-01..2023-03", cluster="") == \
        "/agreements/krami?period=2023-01..2023-03"
    url = href("/agreements/krami", period="2023", breakdown="gender", lang="en")
    path, query = url.split("?")
    assert path == "/agreements/krami"
    assert query_state(query) == {"period": "2023", "breakdown": "gender", "lang": "en"}


def test_query_state_parses():
    assert query_state("?period=2023-Q1&lang=en") == {"period": "2023-Q1", "lang": "en"}
    assert query_state("period=2023-01..2023-03") == {"period": "2023-01..2023-03"}
    assert query_state("?period=2022&period=2023") == {"period": "2023"}
    assert query_state("") == {}
    assert query_state(None) == {}


def test_paths_quote_the_ids():
    assert agreement_path("krami") == "/agreements/krami"
    assert cluster_path("sthlm-af-2023", "soderort_roda") == \
        "/agreements/sthlm-af-2023/clusters/soderort_roda"
    assert cluster_path("a/b", "c d") == "/agreements/a%2Fb/clusters/c%20d"
    assert present_path("krami") == "/present/krami"


# --------------------------------------------------------------------------- controls


def test_controls_offer_the_periods_and_remember_the_rendered_state(view):
    from dashboard.web.components.view_page import view_state

    state = view_state(view, "/agreements/krami")
    layout = controls(control_data(view), state)
    period, breakdown, rendered, _history = layout.children
    dropdown = period.children[1].children[1]
    assert dropdown.id == Ids.PERIOD
    assert dropdown.value == "2023-Q1"
    values = [o["value"] for o in dropdown.options]
    assert values[:3] == ["2023", "2023-01..2023-03", "2023-H1"]
    assert {"label": "jan–mar 2023 (kv. 1)", "value": "2023-Q1"} in dropdown.options
    radio = breakdown.children[1]
    assert [o["value"] for o in radio.options] == ["total", "gender"]
    assert breakdown.style is None  # shown: there is a choice
    # The periods before and after that hold data (2023-Q2 holds none: no next).
    assert rendered.data == {"agreement": "krami", "cluster": None, "path": "/agreements/krami",
                             "lang": "sv", "period": "2023-Q1", "breakdown": "total",
                             "prev": "2022-Q4", "next": None}
    prev_button = period.children[1].children[0].children
    next_button = period.children[1].children[2].children
    assert getattr(prev_button, "disabled", False) is False
    assert prev_button.title == "Föregående period: okt–dec 2022 (kv. 4)"
    assert next_button.disabled is True
    assert next_button.title.startswith("Inga senare uppgifter")


def test_controls_add_a_period_not_among_the_options(engine):
    other = build_view(engine, "krami", "2021-Q3")
    options = control_data(other)["options"]
    assert options[0] == {"label": "jul–sep 2021 (kv. 3)", "value": "2021-Q3"}


# --------------------------------------------------------------------------- switching


RENDERED = {"period": "2023-Q1", "breakdown": "total", "prev": "2022-Q4", "next": "2023-Q2"}


def test_previous_and_next_step_to_the_periods_the_page_was_drawn_with():
    assert target_of(Ids.PERIOD_PREV, "2023-Q1", 1, 0, "total", RENDERED) == \
        ("2022-Q4", "total")
    assert target_of(Ids.PERIOD_NEXT, "2023-Q1", 0, 1, "total", RENDERED) == \
        ("2023-Q2", "total")
    # The default period (no period in the address) steps from the one drawn.
    assert target_of(Ids.PERIOD_PREV, None, 1, 0, "total",
                     {"period": "2023-01..2023-03", "prev": "2022-01..2022-03"}) == \
        ("2022-01..2022-03", "total")


def test_next_keeps_the_breakdown():
    assert target_of(Ids.PERIOD_NEXT, "2023-Q1", 0, 3, "gender",
                     {**RENDERED, "breakdown": "gender"}) == ("2023-Q2", "gender")


def test_a_new_period_from_the_dropdown_and_a_new_breakdown():
    assert target_of(Ids.PERIOD, "2023-H1", 0, 0, "total", RENDERED) == ("2023-H1", "total")
    assert target_of(Ids.BREAKDOWN, "2023-Q1", 0, 0, "gender", RENDERED) == \
        ("2023-Q1", "gender")
    assert target_of(Ids.BREAKDOWN, "2023-Q1", 0, 0, "total",
                     {**RENDERED, "breakdown": "gender"}) == ("2023-Q1", "total")


def test_no_step_past_the_data():
    # The page drew no next period (none holds data): a click changes nothing.
    assert target_of(Ids.PERIOD_NEXT, "2023-Q1", 0, 1, "total",
                     {**RENDERED, "next": None}) is None


@pytest.mark.parametrize(("trigger", "args"), [
    # Components report their values on mount: equal to what the page was drawn with.
    (Ids.PERIOD, ("2023-Q1", 0, 0, "total")),
    (Ids.BREAKDOWN, ("2023-Q1", 0, 0, "total")),
    # A button that was never clicked.
    (Ids.PERIOD_PREV, ("2023-Q1", 0, 0, "total")),
    (Ids.PERIOD_NEXT, ("2023-Q1", 0, None, "total")),
    # An empty dropdown (cleared) or a period that is not one changes nothing.
    (Ids.PERIOD, (None, 0, 0, "total")),
    (Ids.PERIOD, ("2023-13", 0, 0, "total")),
])
def test_nothing_changed_is_nothing_to_do(trigger, args):
    assert target_of(trigger, *args, RENDERED) is None


def test_switch_view_is_the_plain_function():
    assert callable(switch_view)
    assert getattr(switch_view, "__wrapped__", switch_view).__name__ == "switch_view"


