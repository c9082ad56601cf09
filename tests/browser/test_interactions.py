"""What users click: the period picker, previous/next, the breakdown switch, the language,
the browser's back button, and links from the portfolio. Every state is in the address."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.support import (
    PORTFOLIO_READY,
    assert_same_as_cli,
    clean_window,
    click,
    kpis_cli,
    shown_kpis,
    visit,
    wait_for,
)

KRAMI = "/agreements/krami-sthlm-2023"


@pytest.fixture(autouse=True)
def window(duo):
    with clean_window(duo, 1024, 768):
        yield


def query(duo) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(duo.driver.current_url).query).items()}


def drawn_period(duo) -> str:
    return duo.driver.execute_script(
        "return document.querySelector('#view-header').dataset.period")


def wait_period(duo, period: str) -> None:
    wait_for(duo.driver, "document.querySelector('#view-header') && "
                         f"document.querySelector('#view-header').dataset.period === '{period}'")


def test_choosing_a_period_puts_it_in_the_address_and_redraws(duo, browser_db_url):
    visit(duo, KRAMI, "document.querySelector('#period-select')")
    assert drawn_period(duo) == "2023"
    duo.driver.find_element("id", "period-select").click()
    wait_for(duo.driver, "document.querySelectorAll('.dash-options-list-option').length > 3")
    option = next(o for o in duo.driver.find_elements("css selector", ".dash-options-list-option")
                  if o.text == "apr–jun 2023 (kv. 2)")
    option.click()
    wait_period(duo, "2023-Q2")
    assert query(duo)["period"] == "2023-Q2"
    assert duo.driver.find_element("css selector", ".view-period").text == \
        "apr–jun 2023 (kv. 2)"
    rows = kpis_cli(browser_db_url, "krami-sthlm-2023", "2023-Q2")
    assert assert_same_as_cli(shown_kpis(duo), rows) > 10
    # The address opens the same view again (a bookmark).
    url = duo.driver.current_url
    duo.driver.get(url)
    wait_period(duo, "2023-Q2")


def test_previous_and_next_step_by_the_same_length(duo):
    visit(duo, f"{KRAMI}?period=2023-Q2", "document.querySelector('#period-next')")
    duo.driver.find_element("id", "period-next").click()
    wait_period(duo, "2023-Q3")
    duo.driver.find_element("id", "period-prev").click()
    wait_period(duo, "2023-Q2")
    duo.driver.find_element("id", "period-prev").click()
    wait_period(duo, "2023-Q1")
    # The browser's back button returns to the previous period.
    duo.driver.back()
    wait_period(duo, "2023-Q2")


def test_breakdown_switch_shows_women_and_men(duo):
    visit(duo, f"{KRAMI}?period=2023", "document.querySelector('#breakdown-switch')")
    labels = duo.driver.find_elements("css selector", "#breakdown-switch label")
    assert [label.text for label in labels] == ["Totalt", "Kön", "Målgrupp"]
    click(duo.driver, next(label for label in labels if label.text == "Kön"))
    wait_for(duo.driver, "new URLSearchParams(location.search).get('breakdown') === 'gender'"
                         " && document.querySelector('#panel-occupancy .legend')")
    legend = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#panel-occupancy .legendtext'))"
        ".map(e => e.textContent)")
    assert "Kvinnor" in legend and "Män" in legend
    assert query(duo) == {"period": "2023", "breakdown": "gender"}


def test_language_switch_to_english_and_back(duo, browser_db_url):
    occupancy = next(r["value"] for r in kpis_cli(browser_db_url, "krami-sthlm-2023", "2023")
                     if r["kpi"] == "occupancy" and r["cluster_id"] is None)
    # English format, one decimal, rounded half up as Excel does (78.25 -> 78.3).
    expected = str(Decimal(str(occupancy)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    visit(duo, f"{KRAMI}?period=2023", "document.querySelector('#lang-switch')")
    duo.driver.find_element("id", "lang-switch").click()
    wait_for(duo.driver, "new URLSearchParams(location.search).get('lang') === 'en' && "
                         "document.querySelector('#targets-summary')")
    assert query(duo)["period"] == "2023"
    text = duo.driver.find_element("id", "targets-summary").text
    assert "Occupancy" in text and expected in text and "Not met" in text
    assert duo.driver.find_element("id", "lang-switch").text == "Svenska"
    duo.driver.find_element("id", "lang-switch").click()
    wait_for(duo.driver, "!new URLSearchParams(location.search).get('lang') && "
                         "document.querySelector('#targets-summary')")
    assert "Beläggning" in duo.driver.find_element("id", "targets-summary").text


def test_portfolio_links_open_the_agreement_and_its_clusters(duo):
    visit(duo, "/", PORTFOLIO_READY)
    click(duo.driver, duo.driver.find_element(
        "css selector", "#portfolio-grid .ag-row[row-id='sthlm-af-2023'] a.grid-link"))
    wait_for(duo.driver, "document.querySelector('.cluster-chip')")
    assert urlparse(duo.driver.current_url).path == "/agreements/sthlm-af-2023"
    chip = next(c for c in duo.driver.find_elements("css selector", "a.cluster-chip")
                if c.text == "Järva")
    click(duo.driver, chip)
    wait_for(duo.driver, "document.querySelector('.cluster-chip.current')")
    assert urlparse(duo.driver.current_url).path == \
        "/agreements/sthlm-af-2023/clusters/jarva"
    assert duo.driver.find_element("css selector", "h1").text == "Järva"
    assert "Stockholms stad – Arbetsförmedlingen 2023" in \
        duo.driver.find_element("css selector", "nav.crumbs").text


def test_completeness_note_for_the_missing_month(duo):
    visit(duo, "/agreements/sthlm-af-2023?period=2023-Q2", "document.querySelector('.page')")
    note = duo.driver.find_element("id", "completeness-notes").text
    assert "Söderort – Röda linjen har inte rapporterat beläggning och utfall för maj 2023" \
        in note
