"""Every view of every demo agreement, at 1920×1080 and at 1024×768, in a real browser.

For each: no console errors, no callback or prop errors from Dash's dev tools, no
sideways scrolling, and on the agreement and cluster views every key figure of
``python -m dashboard kpis`` appears in Swedish format with the same value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from dashboard.config import DATA_DIR
from tests.browser.support import (
    PORTFOLIO_READY,
    SIZES,
    assert_same_as_cli,
    dash_errors,
    kpis_cli,
    set_viewport,
    shown_kpis,
    sideways_overflow,
    visit,
    wait_for,
)


def demo_views() -> list[tuple[str, str, str | None]]:
    """(name, agreement, cluster) for every agreement and cluster in data/demo/."""
    views = []
    for path in sorted(Path(DATA_DIR / "demo").glob("*.xlsx")):
        wb = load_workbook(path, read_only=True)
        try:
            agreement = next(wb["agreements"].iter_rows(min_row=2, values_only=True))[0]
            views.append((agreement, agreement, None))
            if "clusters" in wb.sheetnames:
                for row in wb["clusters"].iter_rows(min_row=2, values_only=True):
                    if row and row[1]:
                        views.append((f"{agreement}/{row[1]}", agreement, row[1]))
        finally:
            wb.close()  # a read-only workbook keeps its file open until closed
        wb.close()
    return views


VIEWS = demo_views()


@pytest.fixture(params=list(SIZES), scope="module")
def size(request, duo):
    width, height = SIZES[request.param]
    set_viewport(duo.driver, width, height)
    return request.param


def check_page(duo) -> None:
    assert dash_errors(duo) == []
    assert sideways_overflow(duo) <= 0, "the page scrolls sideways"


def test_portfolio(duo, size):
    duo.reset_log_timestamp()
    visit(duo, "/", PORTFOLIO_READY)
    check_page(duo)
    rows = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#portfolio-grid .ag-center-cols-container"
        " .ag-row')).map(r => r.getAttribute('row-id'))")
    assert sorted(rows) == sorted(a for name, a, c in VIEWS if c is None)
    # Each agreement's worst status in words, never colour alone, and each target with
    # its symbol (the key above the table says what the symbols mean).
    words = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#portfolio-grid .status-badge'))"
        ".map(b => b.textContent)")
    assert words and all(w.split(" ", 1)[1] in ("Uppnått", "Nära målet", "Oförändrad",
                                                 "Ej uppnått", "Ej bedömt") for w in words)
    targets = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#portfolio-grid .grid-targets li'))"
        ".map(li => li.textContent)")
    assert targets and all(t[0] in "✔▲✖–" for t in targets)
    assert "ej uppnått" in duo.driver.find_element("id", "portfolio-key").text


# The values are compared with ``kpis`` at the first size a view is shown at; at the
# other, the table must be the same text (the server does not know the window's size).
# What the size changes (the page's width, names wrapping) is checked at both.
SHOWN: dict[str, dict] = {}


@pytest.mark.parametrize("name, agreement, cluster", VIEWS, ids=[v[0] for v in VIEWS])
def test_view_shows_the_key_figures_of_kpis(duo, size, browser_db_url, name, agreement,
                                            cluster):
    duo.reset_log_timestamp()
    path = f"/agreements/{agreement}" + (f"/clusters/{cluster}" if cluster else "")
    visit(duo, path, "document.querySelector('#kpi-table')")
    check_page(duo)
    # The view opened at its default period: ask kpis for that same period.
    period = duo.driver.execute_script(
        "return document.querySelector('#view-header').dataset.period")
    shown_period = duo.driver.find_element("css selector", ".view-period").text
    assert shown_period, "the view says which period it shows"
    shown = shown_kpis(duo)
    assert shown, "the page has its table of key figures"
    if path not in SHOWN:
        rows = kpis_cli(browser_db_url, agreement, period, cluster)
        if cluster:
            rows = [r for r in rows if r["cluster_id"] == cluster]
        checked = assert_same_as_cli(shown, rows)
        assert checked > 0
        SHOWN[path] = shown
    else:  # the same table, whatever the window's size (the server does not know it)
        assert shown == SHOWN[path]
    # A target's name wraps between words, never inside one ("…förvaltninge / n").
    assert duo.driver.execute_script(CUT_WORDS) == []


# The words of the targets' names wider than their cell (so broken inside).
CUT_WORDS = """
    const ctx = document.createElement('canvas').getContext('2d');
    return Array.from(document.querySelectorAll('#targets-summary td:first-child'))
      .flatMap(td => {
        const style = getComputedStyle(td);
        ctx.font = style.font;
        const room = td.clientWidth - parseFloat(style.paddingLeft) -
                     parseFloat(style.paddingRight);
        return td.textContent.split(/\\s+/).filter(w => ctx.measureText(w).width > room + 0.5);
      });"""


@pytest.mark.parametrize("path", ["/agreements/finns-inte",
                                  "/agreements/krami-sthlm-2023/clusters/finns-inte",
                                  "/ingen/sida/alls"])
def test_not_found_links_back_to_the_portfolio(duo, size, path):
    duo.reset_log_timestamp()
    visit(duo, path, "document.querySelector('#back-to-portfolio')")
    check_page(duo)
    assert "Sidan finns inte" in duo.driver.find_element("css selector", "h1").text
    duo.driver.find_element("id", "back-to-portfolio").click()
    wait_for(duo.driver, PORTFOLIO_READY)
    assert duo.driver.current_url.rstrip("/") == duo.server_url.rstrip("/")
