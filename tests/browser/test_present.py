"""Presentation mode, stepped through with the keys a presenter (or a clicker) uses."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.browser.support import (
    SIZES,
    dash_errors,
    set_viewport,
    sideways_overflow,
    visit,
    wait_for,
)

KRAMI = "/present/krami-sthlm-2023"


def press(duo, key) -> None:
    ActionChains(duo.driver).send_keys(key).perform()


def state(duo) -> tuple[int, str, str]:
    """(current slide, the slide number shown, ?slide= in the address)."""
    current = duo.driver.execute_script(
        "return Number(document.querySelector('.slide.current').dataset.index)")
    shown = duo.driver.find_element("id", "slide-number").text
    slide = parse_qs(urlparse(duo.driver.current_url).query).get("slide", [""])[-1]
    return current, shown, slide


def wait_slide(duo, n: int) -> None:
    wait_for(duo.driver, f"document.querySelector('.slide.current') && "
                         f"document.querySelector('.slide.current').dataset.index === '{n}'")


def test_keys_step_through_the_slides_and_the_address_follows(duo):
    """The keys at one size (they do not depend on it: assets/present.js moves the slides
    without the server); the deck at both sizes is the cover test's."""
    set_viewport(duo.driver, 1024, 768)
    duo.reset_log_timestamp()
    visit(duo, f"{KRAMI}?period=2023", "document.querySelector('#present .slide.current')")
    count = int(duo.driver.find_element("id", "present").get_attribute("data-count"))
    assert count >= 6  # cover, occupancy, flow, outcomes, staffing, costs
    # The cover states every target's status in words.
    cover = duo.driver.find_element("css selector", ".slide.current").text
    assert "Krami Stockholm 2023" in cover and "Nära målet" in cover and "Beläggning" in cover
    assert state(duo) == (1, f"1 / {count}", "")
    press(duo, Keys.ARROW_RIGHT)
    wait_slide(duo, 2)
    assert state(duo) == (2, f"2 / {count}", "2")
    press(duo, Keys.PAGE_DOWN)  # what a clicker sends
    wait_slide(duo, 3)
    press(duo, Keys.PAGE_UP)
    wait_slide(duo, 2)
    press(duo, Keys.ARROW_LEFT)
    wait_slide(duo, 1)
    press(duo, Keys.END)
    wait_slide(duo, count)
    assert state(duo) == (count, f"{count} / {count}", str(count))
    press(duo, Keys.ARROW_RIGHT)  # past the end stays at the end
    wait_slide(duo, count)
    press(duo, Keys.HOME)
    wait_slide(duo, 1)
    assert sideways_overflow(duo) <= 0
    # Nothing to hover, nothing to edit: graphs are static, without a mode bar.
    assert not duo.driver.find_elements("css selector", ".modebar-btn")
    assert not duo.driver.find_elements("css selector", "#present input, #present select")
    assert dash_errors(duo) == []


def test_a_link_opens_at_its_slide_and_esc_leaves(duo):
    set_viewport(duo.driver, 1024, 768)
    visit(duo, f"{KRAMI}?period=2023-Q2&slide=3",
          "document.querySelector('#present .slide.current')")
    current, shown, _ = state(duo)
    assert current == 3 and shown.startswith("3 /")
    title = duo.driver.find_element("css selector", ".slide.current").get_attribute("aria-label")
    assert title == "Inflöde och utflöde"
    press(duo, Keys.ESCAPE)
    wait_for(duo.driver, "document.querySelector('#view-header')")
    url = urlparse(duo.driver.current_url)
    assert url.path == "/agreements/krami-sthlm-2023"
    assert parse_qs(url.query)["period"] == ["2023-Q2"]


def test_f_asks_for_full_screen(duo):
    set_viewport(duo.driver, 1024, 768)
    visit(duo, KRAMI, "document.querySelector('#present .slide.current')")
    press(duo, "f")
    wait_for(duo.driver, "document.fullscreenElement && "
                         "document.fullscreenElement.id === 'present'", timeout=5)
    press(duo, "f")
    wait_for(duo.driver, "!document.fullscreenElement", timeout=5)


def test_one_slide_per_cluster_on_request(duo):
    set_viewport(duo.driver, 1920, 1080)
    visit(duo, "/present/sthlm-af-2023?period=2023&clusters=1",
          "document.querySelector('#present .slide.current')")
    keys = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.slide')).map(s => s.dataset.key)")
    assert [k for k in keys if k.startswith("cluster:")] == [
        "cluster:jarva", "cluster:vallingby-city", "cluster:soderort-grona",
        "cluster:soderort-roda", "cluster:nyanlanda"]
    assert keys[0] == "cover" and "clusters_share" in keys
    assert dash_errors(duo) == []


@pytest.mark.parametrize("size", list(SIZES))
def test_the_cover_holds_every_target_at_a_size_the_room_reads(duo, size):
    """Krami's cover has twelve targets (five of them wrap at 1024x768): every one, and the
    data's date and source under them, is on the slide, not cut off at its bottom, in type
    no smaller than 14 px (assets/present.js makes a crowded slide's words smaller); the
    page never scrolls sideways."""
    set_viewport(duo.driver, *SIZES[size])
    visit(duo, f"{KRAMI}?period=2023", "document.querySelector('#present .slide.current')")
    # Fitted (assets/present.js fits the words, then scales the charts, in one go).
    wait_for(duo.driver, "Array.from(document.querySelectorAll('#present .slide-graph "
                         ".js-plotly-plot')).every(g => g.style.transform.startsWith('scale('))")
    seen = duo.driver.execute_script("""
        const slide = document.querySelector('.slide[data-key=cover]');
        const bottom = slide.getBoundingClientRect().bottom;
        const rows = Array.from(slide.querySelectorAll('.cover-target, .cover-lines li'));
        return {rows: rows.length,
                cut: rows.filter(r => r.getBoundingClientRect().bottom > bottom + 1)
                         .map(r => r.textContent),
                smallest: Math.min(...rows.map(r => parseFloat(getComputedStyle(r).fontSize)))};
    """)
    assert seen["rows"] >= 12 + 2, seen
    assert seen["cut"] == [], seen
    assert seen["smallest"] >= 14, seen
    assert sideways_overflow(duo) <= 0
    assert dash_errors(duo) == []
