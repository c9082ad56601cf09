"""The words of issue 8: one term per thing, status words that fit the target, the period a
directional target compares with, keys for symbols and abbreviations, plain notes.

Each test would have failed before: "Andel att betala" beside an amount, "Nära målet" for
an unchanged value, "Föregående år" for the same quarter a year earlier, ✔/✖ and "åa"
without a key, "dolt = dolt så att …".
"""

from __future__ import annotations

import html

from dashboard.web.components.cards import kpi_table, previous_words, targets_table
from dashboard.figures.clusters import cluster_figure
from dashboard.figures.outcomes import outcomes_figure
from dashboard.figures.staffing import staffing_figure
from dashboard.i18n import (
    kpi_label,
    same_period_earlier,
    status_key,
    status_label,
    status_word,
    t,
)
from dashboard.domain.kpis import KpiValue
from dashboard.domain.periods import Period
from dashboard.figures.slides import TargetLine
from dashboard.figures.theme import EXPORT, SCREEN
from tests.test_figures import cluster_frame, outcome_frame, staffing_frame, text

PARTIES = {"KV": "Kriminalvården"}


def kpi(name, value, *, comparator=None, status="grey", period="2023-Q1", target=None,
        previous=None, unit="count") -> KpiValue:
    return KpiValue(agreement_id="a", cluster_id=None, party_id=None, period=period,
                    kpi=name, value=value, target=target, comparator=comparator,
                    status=status, previous=previous, unit=unit)


def footer(fig) -> str:
    """The figure's footer (text under the chart in the app, in the image for exports), as
    one line of text."""
    return html.unescape((fig.footer or "").replace("<br>", " · "))


# --------------------------------------------------------------------------- one term


def test_what_a_party_should_pay_has_one_name_everywhere():
    assert kpi_label("cost_due") == t("due") == "Ska betala"
    assert kpi_label("cost_due", "en") == t("due", "en") == "Due"


# --------------------------------------------------------------------------- status words


def test_amber_is_close_for_a_limit_and_unchanged_for_a_direction():
    assert status_label("amber", "sv", ">=") == "▲ Nära målet"
    assert status_label("amber", "sv", "<=") == "▲ Nära målet"
    assert status_label("amber", "sv", "increase") == "▲ Oförändrad"
    assert status_label("amber", "en", "decrease") == "▲ Unchanged"
    assert status_word("amber", "sv", "decrease") == "Oförändrad"
    # The other statuses read the same whatever the comparator; symbol and colour stay.
    assert status_label("green", "sv", "increase") == "✔ Uppnått"
    assert status_label("red", "en", "decrease") == "✖ Not met"
    assert status_label("amber") == "▲ Nära målet"


def test_unchanged_in_the_targets_table_the_kpi_table_and_on_slides():
    flat = kpi("overgang_arbete", 100, comparator="increase", status="amber", previous=100,
               unit="number")
    close = kpi("occupancy", 78, comparator=">=", status="amber", target=80)
    table = targets_table([flat, close], PARTIES, "sv")
    badges = [row.children[3].children for row in table.children[1].children]
    assert [b.children for b in badges] == ["▲ Oförändrad", "▲ Nära målet"]
    english = targets_table([flat], PARTIES, "en")
    assert english.children[1].children[0].children[3].children.children == "▲ Unchanged"
    every = kpi_table([flat, close], PARTIES, {}, "sv")
    words = [row.children[4].children for row in every.children[1].children[1].children]
    assert words == ["Oförändrad", "Nära målet"]
    line = TargetLine("amber", "Övergång till arbete: 100 (ska öka)", "sv", "increase")
    assert line.text == "▲ Oförändrad – Övergång till arbete: 100 (ska öka)"


def test_unchanged_on_the_outcomes_chart_and_the_indicator_titles():
    fig = outcomes_figure(outcome_frame(), breakdown="total", target=None,
                          comparator="increase", status="amber", previous=0.5,
                          text=text(), theme=SCREEN)
    texts = [a["text"] for a in fig.annotations]
    assert "<b>▲ Oförändrad</b>" in texts and "<b>▲ Nära målet</b>" not in texts


# --------------------------------------------------------------------------- a year earlier


def test_the_same_period_a_year_earlier_by_kind():
    assert same_period_earlier(Period.parse("2023")) == "Föregående år"
    assert same_period_earlier(Period.parse("2023-H1")) == "Samma halvår året innan"
    assert same_period_earlier(Period.parse("2023-Q2")) == "Samma kvartal året innan"
    assert same_period_earlier(Period.parse("2023-04")) == "Samma månad året innan"
    assert same_period_earlier(Period.parse("2023-01..2023-05")) == "Samma period året innan"
    assert same_period_earlier(Period.parse("2023-Q2"), "en") == "Same quarter a year earlier"
    assert same_period_earlier("month", "en") == "Same month a year earlier"


def test_the_targets_table_and_the_outcomes_chart_name_the_period_compared():
    v = kpi("aterfall", 9, comparator="decrease", status="green", previous=11,
            period="2023-Q2", unit="number")
    assert previous_words(v, "sv") == "Samma kvartal året innan: 11"
    assert previous_words(kpi("a", 9, comparator="increase", previous=8, period="2023"),
                          "en") == "Previous year: 8"
    fig = outcomes_figure(outcome_frame(), breakdown="total", target=None,
                          comparator="increase", status="green", previous=0.5,
                          previous_label=same_period_earlier(Period.parse("2023-Q2")),
                          text=text(), theme=SCREEN)
    assert any("Samma kvartal året innan 50\u00a0%" in a["text"] for a in fig.annotations)


# --------------------------------------------------------------------------- keys


def test_status_key_explains_the_symbols_shown():
    assert status_key(["red", "green", "grey"]) == "Symbolerna: ✔ Uppnått, ✖ Ej uppnått"
    assert status_key(["amber"], "en", "increase") == "Symbols: ▲ Unchanged"
    assert status_key(["grey"]) == ""


def test_the_cluster_comparison_says_what_its_symbols_mean():
    for theme in (SCREEN, EXPORT):
        fig = cluster_figure(cluster_frame(), "occupancy", text=text(footer="Data per x"),
                             theme=theme, target=80)
        assert "Symbolerna: ▲ Nära målet, ✖ Ej uppnått" in footer(fig)
        assert "Data per x" in footer(fig)
    share = cluster_figure(cluster_frame(), "work_study_share", text=text(lang="en"),
                           theme=SCREEN, target=0.6)
    assert "Symbols: ✔ Met, ✖ Not met" in footer(share)


def test_the_staffing_chart_explains_fte_and_its_symbols():
    fig = staffing_figure(staffing_frame(), text=text("Bemanning"), theme=SCREEN)
    assert any("åa" in str(bar.get("text")) for bar in fig.data)
    assert "åa = årsarbetskrafter" in footer(fig)
    assert "Symbolerna: ✖ Ej uppnått" in footer(fig)
    english = staffing_figure(staffing_frame(), text=text("Staffing", lang="en"),
                              theme=SCREEN)
    assert "FTE = full-time equivalents" in footer(english)


# --------------------------------------------------------------------------- suppression


def test_the_suppression_note_reads_as_a_sentence():
    sv, en = t("suppression_note"), t("suppression_note", "en")
    assert "dolt = dolt" not in sv.lower() and "hidden = hidden" not in en.lower()
    assert sv == ("<5 = 1–4 personer. Dolt: ett värde som döljs för att ett litet antal "
                  "annars kan räknas fram")
    assert en.startswith("<5 = 1–4 people. Hidden: ")
