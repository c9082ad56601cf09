"""The Content-Security-Policy in a real browser: every kind of page renders (plotly.js
charts drawn, Dash's callbacks answered) with no violation reported, and the policy is in
force (an injected inline script does not run). The 400 page for a repeated query
parameter is in the app's look with a way back."""

from __future__ import annotations

import pytest

from tests.browser.support import dash_errors, set_viewport, visit, wait_for

PAGES = {
    "portfolio": ("/", "document.querySelector('#portfolio-grid .ag-row')"),
    "agreement": ("/agreements/krami-sthlm-2023?period=2023",
                  "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 4"),
    "cluster": ("/agreements/sthlm-af-2023/clusters/jarva?lang=en",
                "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3"),
    "presentation": ("/present/krami-sthlm-2023?period=2023&slide=2",
                     "document.querySelector('.slide.current .js-plotly-plot .main-svg')"),
}


def violations(duo) -> list[str]:
    return [e for e in dash_errors(duo) if "Content Security Policy" in e or "Refused" in e]


@pytest.mark.parametrize("name", list(PAGES))
def test_pages_render_under_the_content_security_policy(duo, name):
    path, ready = PAGES[name]
    set_viewport(duo.driver, 1024, 768)
    duo.reset_log_timestamp()
    visit(duo, path, ready)
    assert dash_errors(duo) == []  # no violation, nor any other error
    # In force: an inline script added to the page is refused (and reported).
    ran = duo.driver.execute_script("""
        window.__injected = false;
        const s = document.createElement('script');
        s.textContent = 'window.__injected = true';
        document.body.appendChild(s);
        return window.__injected;""")
    assert ran is False
    refused = violations(duo)
    assert refused and all("inline script" in e for e in refused), refused


def test_a_repeated_query_parameter_shows_the_400_page(duo):
    duo.reset_log_timestamp()
    visit(duo, "/agreements/krami-sthlm-2023?period=2023&period=2024&lang=en",
          "document.querySelector('#error-page')")
    text = duo.driver.execute_script("return document.body.innerText")
    assert "Bad address" in text and "period more than once" in text
    # The browser reports the status itself; nothing else goes wrong on the page.
    assert [e for e in dash_errors(duo) if "status of 400" not in e] == []
    duo.reset_log_timestamp()
    duo.driver.find_element("id", "back-to-portfolio").click()
    wait_for(duo.driver, "document.querySelector('#portfolio-grid .ag-row')")
    assert dash_errors(duo) == []
