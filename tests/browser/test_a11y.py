"""Accessibility (WCAG 2.1 AA, which Swedish public bodies must meet): axe-core in the page.

One test walks every demo view (the portfolio, each agreement, a cluster, by gender where
the data has it, once in English), the period list opened, and every slide of
presentation mode (all slides of a deck shown at once, in one run) at 1024×768, and those
of each kind again at 1920×1080, in the session's browser, and asks axe-core
(``npm ci`` installs the version pinned in package-lock.json; nothing is fetched at run
time) for violations of the WCAG 2.0/2.1 A and AA rules. It also checks that every chart
has a text alternative and that the browser's title names what is shown.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dashboard.people import audit
from tests.browser.support import (
    PORTFOLIO_READY,
    SIZES,
    click,
    dash_errors,
    set_viewport,
    visit,
    wait_for,
)
from tests.needs import missing

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Dash's dev tools (the test app runs in debug mode) are not part of the dashboard.
DEV_TOOLS = [[".dash-debug-menu__outer"], [".dash-debug-menu"], [".dash-debug-alert"]]

# (path, what must be on the page before axe looks, the browser's title)
VIEW = "document.querySelector('#kpi-table')"
PORTFOLIO = PORTFOLIO_READY
COMPARE = "document.querySelector('#compare-table tbody tr')"
KRAMI, STHLM = "Krami Stockholm 2023", "Stockholms stad – Arbetsförmedlingen 2023"
JARFALLA = "Järfälla kommun – Arbetsförmedlingen 2023"
GRUMS = "Grums kommun – Arbetsförmedlingen, unga 16–24 (2016–2018)"
PAGES = [
    ("/", PORTFOLIO, "Alla överenskommelser – Samverkan"),
    ("/?lang=en&period=2023", PORTFOLIO, "All agreements – 2023 – Samverkan"),
    ("/agreements/krami-sthlm-2023", VIEW, f"{KRAMI} – 2023 – Samverkan"),
    ("/agreements/krami-sthlm-2023?breakdown=gender", VIEW, f"{KRAMI} – 2023 – Samverkan"),
    ("/agreements/sthlm-af-2023", VIEW, f"{STHLM} – 2023 – Samverkan"),
    ("/agreements/sthlm-af-2023?breakdown=gender", VIEW, f"{STHLM} – 2023 – Samverkan"),
    ("/agreements/sthlm-af-2023/clusters/jarva?breakdown=gender&period=2023-H1", VIEW,
     f"Järva – {STHLM} – jan–jun 2023 – Samverkan"),
    ("/agreements/jarfalla-af-2023", VIEW,
     f"{JARFALLA} – okt–dec 2023 (kv. 4) – Samverkan"),
    ("/agreements/grums-unga-2016", VIEW, f"{GRUMS} – 2018 – Samverkan"),
    ("/agreements/grums-unga-2016?breakdown=gender", VIEW, f"{GRUMS} – 2018 – Samverkan"),
    ("/agreements/krami-sthlm-2023/clusters/stockholm?lang=en&period=2023-Q2", VIEW,
     f"Krami Stockholm – {KRAMI} – Apr–Jun 2023 (Q2) – Samverkan"),
    ("/compare?kpi=work_study_share&gender=1&period=2023", COMPARE,
     "Jämför överenskommelser – 2023 – Samverkan"),
    ("/agreements/krami-sthlm-2023?period=2020", "document.querySelector('#no-data')",
     f"{KRAMI} – 2020 – Samverkan"),
]
OPEN_LIST = "/agreements/sthlm-af-2023"
PRESENTATIONS = [
    ("/present/krami-sthlm-2023", f"Presentera: {KRAMI} – 2023 – Samverkan"),
    ("/present/sthlm-af-2023?clusters=1", f"Presentera: {STHLM} – 2023 – Samverkan"),
    ("/present/jarfalla-af-2023", f"Presentera: {JARFALLA} – okt–dec 2023 (kv. 4) – Samverkan"),
    ("/present/grums-unga-2016?lang=en", f"Present: {GRUMS} – 2018 – Samverkan"),
]

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


def violations(driver, source: str, include: list | None = None) -> list[str]:
    """axe-core's WCAG A/AA violations on the page (or in ``include``), one line each."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(source)
    driver.set_script_timeout(60)
    context = {"exclude": DEV_TOOLS}
    if include:
        context["include"] = include
    found = driver.execute_async_script(RUN_AXE, context, TAGS)
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


# Every slide of the deck shown at once, one under the other, each exactly as large as
# the slides' box (so present.js fits its words and scales its chart as on the screen):
# one axe run sees every slide as the room does, with nothing on top of it. The bar
# stays under the last slide; a meeting's edit panel beside them shows every slide's
# check-ins. ``arguments[0]`` true: show all; false: back to one slide at a time.
ALL_SLIDES = """
const deck = document.getElementById('present');
if (!arguments[0]) {
    document.getElementById('all-slides').remove();
    deck.querySelectorAll('.edit-group').forEach(
        g => { g.hidden = g.dataset.slide !== deck.dataset.current; });
    window.dispatchEvent(new Event('resize'));
    return 0;
}
const box = deck.querySelector('.slides');
const [w, h] = [box.clientWidth, box.clientHeight];
const bar = deck.querySelector('.present-bar').offsetHeight;
const style = document.createElement('style');
style.id = 'all-slides';
style.textContent = `
  #present { position: absolute !important; inset: 0 0 auto 0 !important;
             overflow: visible !important; padding-bottom: ${bar}px; }
  #present .slides { position: relative !important; inset: auto !important;
                     width: ${w}px !important; }
  #present .slide { position: relative !important; inset: auto !important;
                    height: ${h}px !important; visibility: visible !important; }`;
document.head.appendChild(style);
deck.querySelectorAll('.edit-group').forEach(g => { g.hidden = false; });
window.dispatchEvent(new Event('resize'));
return deck.querySelectorAll('.slide').length;
"""

# Every chart of the deck scaled to its slide (present.js refits on the next frame).
FITTED = """Array.from(document.querySelectorAll('#present .slide-graph')).every(b => {
  const gd = b.querySelector('.js-plotly-plot');
  const svg = gd && gd.querySelector('.main-svg');
  const w = Number(svg && svg.getAttribute('width'));
  const h = Number(svg && svg.getAttribute('height'));
  if (!svg || !b.clientWidth || !w || !h) return true;
  const scale = Math.min(b.clientWidth / w, b.clientHeight / h);
  const shown = parseFloat((gd.style.transform.match(/scale\\(([^)]+)\\)/) || [])[1]);
  return Math.abs(shown / scale - 1) < 1e-5;
})"""


def step_through(driver) -> int:
    """Step through the deck with the → key (at once, no server); the number of slides."""
    count = int(driver.find_element("id", "present").get_attribute("data-count"))
    for n in range(2, count + 1):
        shown = driver.execute_script(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight'}));"
            "return document.querySelector('.slide.current').dataset.index")
        assert shown == str(n)
    return count


def deck_violations(driver, source: str, include: list | None = None) -> list[str]:
    """axe-core on the whole deck (the bar, every slide, an edit panel's every group) in
    one run: the slides shown all at once (:data:`ALL_SLIDES`), as large as on the
    screen, instead of one run per slide shown; then back as it was."""
    assert driver.execute_script(ALL_SLIDES, True) > 0
    try:
        wait_for(driver, FITTED)
        return violations(driver, source, include or [["#present"]])
    finally:
        driver.execute_script(ALL_SLIDES, False)


# At 1920×1080 (the room's screen), the views that differ in more than their data: the
# portfolio, an agreement with its period list, a cluster by gender, the comparison and a
# page without data, in Swedish and English. axe's rules do not depend on the window's
# size except where the layout does (what fits, what wraps, what is cut): these have every
# kind of part the others have. Every view and every presentation is checked at 1024×768,
# where the least fits; at 1920×1080 the presentations of WIDE_DECKS: the largest deck
# (every kind of slide: cover, targets, indicators, each cluster's) and one in English.
WIDE_PAGES = {"/", "/agreements/sthlm-af-2023",
              "/agreements/sthlm-af-2023/clusters/jarva?breakdown=gender&period=2023-H1",
              "/agreements/krami-sthlm-2023/clusters/stockholm?lang=en&period=2023-Q2",
              "/compare?kpi=work_study_share&gender=1&period=2023",
              "/agreements/krami-sthlm-2023?period=2020"}
WIDE_DECKS = {"/present/sthlm-af-2023?clusters=1", "/present/grums-unga-2016?lang=en"}


def test_no_wcag_violations_on_any_view_or_slide(duo, axe_source):
    started = time.perf_counter()
    problems: list[str] = []
    driver = duo.driver
    for size, (width, height) in SIZES.items():
        set_viewport(driver, width, height)
        duo.reset_log_timestamp()
        for path, ready, title in PAGES:
            if size == "1920x1080" and path not in WIDE_PAGES:
                continue
            visit(duo, path, ready)
            if driver.title != title:
                problems.append(f"{size} {path}: title {driver.title!r}, not {title!r}")
            lang = driver.execute_script("return document.documentElement.lang")
            if lang != ("en" if "lang=en" in path else "sv"):
                problems.append(f"{size} {path}: <html lang={lang!r}>")
            problems += [f"{size} {path}: {v}" for v in violations(driver, axe_source)]
            problems += [f"{size} {path}: chart without text alternative: {c}"
                         for c in charts_without_text(driver)]
            if path == OPEN_LIST:  # the period list, opened: its options are on the page
                click(driver, driver.find_element("id", "period-select"))
                wait_for(driver,
                         "document.querySelectorAll('.dash-options-list-option').length > 3")
                problems += [f"{size} {path}, period list open: {v}"
                             for v in violations(driver, axe_source)]
        for path, title in PRESENTATIONS:
            if size == "1920x1080" and path not in WIDE_DECKS:
                continue
            visit(duo, path, "document.querySelector('#present .slide.current')")
            if driver.title != title:
                problems.append(f"{size} {path}: title {driver.title!r}, not {title!r}")
            step_through(driver)
            problems += [f"{size} {path}: {v}" for v in deck_violations(driver, axe_source)]
            problems += [f"{size} {path}: chart without text alternative: {c}"
                         for c in charts_without_text(driver)]
        assert dash_errors(duo) == []
    seconds = time.perf_counter() - started
    print(f"axe-core walked {len(PAGES)} views, the open period list and "
          f"{len(PRESENTATIONS)} presentations in {seconds:.0f} s")
    assert problems == [], "\n".join(problems)


def test_the_deck_check_sees_every_slide(duo, axe_source):
    """The check itself: grey text put on a slide in the middle and on the last one (not
    shown) is found by the one run over the whole deck, and the deck is as before after."""
    driver = duo.driver
    set_viewport(driver, 1024, 768)
    visit(duo, "/present/krami-sthlm-2023", "document.querySelector('#present .slide.current')")
    driver.execute_script("""
        const slides = document.querySelectorAll('#present .slide');
        [['grey-middle', slides[Math.floor(slides.length / 2)]],
         ['grey-last', slides[slides.length - 1]]].forEach(([id, slide]) => {
            const p = document.createElement('p');
            p.id = id; p.textContent = 'grå text'; p.style.color = '#ddd';
            slide.prepend(p);
        });""")
    found = " ".join(deck_violations(driver, axe_source))
    assert "color-contrast" in found and "#grey-middle" in found and "#grey-last" in found
    assert driver.execute_script(
        "return !document.getElementById('all-slides') && "
        "document.querySelectorAll('#present .slide.current').length === 1 && "
        "getComputedStyle(document.getElementById('grey-last')).visibility === 'hidden'")


def test_the_title_follows_navigation(duo):
    """The title is right after navigating inside the app, not only on first load."""
    driver = duo.driver
    set_viewport(driver, 1920, 1080)
    visit(duo, "/", PORTFOLIO)
    assert driver.title == "Alla överenskommelser – Samverkan"
    click(driver, driver.find_element(
        "css selector", "#portfolio-grid .ag-row[row-id='sthlm-af-2023'] a.grid-link"))
    wait_for(driver, f"document.title === '{STHLM} – 2023 – Samverkan'")
    click(driver, driver.find_element("css selector", "a.cluster-chip"))
    wait_for(driver, f"document.title === 'Järva – {STHLM} – 2023 – Samverkan'")
    driver.back()
    wait_for(driver, f"document.title === '{STHLM} – 2023 – Samverkan'")


def test_the_period_list_speaks_swedish_and_shows_many_periods(duo):
    """The search box and the list are in the page's language; the open list shows about
    ten of its periods at 1024×768 without covering the screen."""
    driver = duo.driver
    set_viewport(driver, 1024, 768)
    for lang, placeholder in (("sv", "Sök period"), ("en", "Search periods")):
        visit(duo, f"/agreements/sthlm-af-2023?lang={lang}", VIEW)
        driver.find_element("id", "period-select").click()
        wait_for(driver, "document.querySelector('.dash-dropdown-search')")
        search = driver.find_element("css selector", ".dash-dropdown-search")
        assert search.get_attribute("placeholder").startswith(placeholder)
        shown = driver.execute_script("""
            const list = document.querySelector('.dash-dropdown-content');
            const box = list.getBoundingClientRect();
            const options = Array.from(list.querySelectorAll('.dash-options-list-option'))
                .filter(o => { const r = o.getBoundingClientRect();
                               return r.top >= box.top - 1 && r.bottom <= box.bottom + 1; });
            return [options.length, box.bottom, window.innerHeight];""")
        visible, bottom, height = shown
        assert visible >= 8, f"only {visible} periods shown at once"
        assert bottom <= height, "the list runs off the screen"
        # The button is in the tab order and named by its label and value.
        name = driver.execute_script("""
            const b = document.getElementById('period-select');
            return [b.tabIndex, b.getAttribute('aria-labelledby')];""")
        assert name[0] == 0 and name[1].startswith("period-select-label")


# Sign-in and the pages of roles: (path, ready, title, who is signed in: None = nobody).
ACCOUNT_PAGES = [
    ("/login", "document.querySelector('#sign-in-form')", "Logga in – Samverkan", None),
    ("/login?lang=en", "document.querySelector('#sign-in-form')", "Sign in – Samverkan", None),
    ("/logged-out", "document.querySelector('#signed-out')", "Du är utloggad – Samverkan",
     None),
    ("/logout", "document.querySelector('#sign-out-form')", "Logga ut – Samverkan", "admin"),
    ("/admin", "document.querySelector('#accounts-table')", "Administration – Samverkan",
     "admin"),
    ("/admin/audit?lang=en", "document.querySelector('#audit-table')",
     "Audit log – Samverkan", "admin"),
    ("/upload", "document.querySelector('#upload-drop')", "Ladda upp data – Samverkan",
     "forvaltare"),
    ("/", "document.querySelector('#your-clusters')", "Alla överenskommelser – Samverkan",
     "klusterlasare"),
]


# axe at 1920×1080 too (as WIDE_PAGES): a form, the widest table with the menu opened,
# a portfolio of another kind. Titles and sideways scrolling are checked at both sizes.
WIDE_ACCOUNT_PAGES = {"/login", "/admin", "/"}


def test_no_wcag_violations_on_the_sign_in_and_account_pages(duo, axe_source, browser_app):
    """The sign-in, sign-out, admin, audit and upload pages, and a cluster viewer's
    portfolio, at both sizes; the audit log with an entry of long words (a digest, an
    address, a file name: within the page at 1024 px, as an earlier test's entry was not)."""
    from tests.browser.support import AFTER_SIGN_IN_AGAIN, sign_in, sign_in_again

    audit.record(browser_app.server.config["DASHBOARD_ENGINE"], "meeting_preread_sent",
                 actor="anna.a", agreement="krami-sthlm-2023",
                 obj="krami-sthlm-2023-2023-09-12-forhandsmaterial.pdf",
                 detail={"to": "anna.andersson@stockholm.example.se", "sha256": "a" * 64},
                 address="2001:db8:85a3:0000:0000:8a2e:0370:7334")

    problems: list[str] = []
    driver = duo.driver
    try:
        for who in (None, "admin", "forvaltare", "klusterlasare"):
            if who is None:
                driver.delete_all_cookies()
            else:
                sign_in(duo, who, next_path=AFTER_SIGN_IN_AGAIN)  # each page opened below
            for size, (width, height) in SIZES.items():
                set_viewport(driver, width, height)
                for path, ready, title, needs in ACCOUNT_PAGES:
                    if needs != who:
                        continue
                    duo.reset_log_timestamp()
                    visit(duo, path, ready)
                    if driver.title != title:
                        problems.append(f"{size} {path}: title {driver.title!r}, not {title!r}")
                    if size == "1024x768" or path in WIDE_ACCOUNT_PAGES:
                        problems += [f"{size} {path}: {v}"
                                     for v in violations(driver, axe_source)]
                    if who == "admin" and path == "/admin":  # the menu under the name, open
                        driver.execute_script(
                            "document.getElementById('user-area').open = true")
                        problems += [f"{size} {path}, menu open: {v}"
                                     for v in violations(driver, axe_source)]
                    overflow = driver.execute_script(
                        "return document.documentElement.scrollWidth - window.innerWidth")
                    if overflow > 0:
                        problems.append(f"{size} {path}: {overflow} px sideways")
                    assert dash_errors(duo) == []
    finally:
        sign_in_again(duo)
    assert problems == [], "\n".join(problems)
