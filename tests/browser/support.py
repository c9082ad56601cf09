"""Browser test support: one app and one headless Chromium for the whole session.

Dash moves ``@callback`` functions into the first app that starts, so the browser tests
share one app (``create_app`` on a fresh SQLite file with the demo data) served by
dash.testing's ``ThreadedRunner`` and driven by its ``DashComposite`` (what ``dash_duo``
is, but session-scoped). Chromium and chromedriver are Debian's. When they are
missing, the tests are skipped, except in CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time

from tests.needs import missing
from tests.wait import wait_until

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser",
                       "/usr/bin/google-chrome")
SIZES = {"1920x1080": (1920, 1080), "1024x768": (1024, 768)}


# The accounts of the session's app: login -> (password, admin, roles).
PEOPLE = {
    "admin": ("Skrivbord-Lampa-41", True, []),
    "lasare": ("Fönster-Moln-52", False, [("viewer", "krami-sthlm-2023", None)]),
    "klusterlasare": ("Cykel-Tallrik-63", False, [("viewer", "sthlm-af-2023", "jarva")]),
    "ledamot": ("Kaffe-Penna-74", False, [("member", "krami-sthlm-2023", None)]),
    "forvaltare": ("Stol-Bok-Äpple-85", False, [("steward", "krami-sthlm-2023", None)]),
}


def add_people(engine) -> None:
    from dashboard.people import accounts

    for login, (password, admin, roles) in PEOPLE.items():
        accounts.add(engine, login, actor="test", admin=admin, password=password,
                     name=login.capitalize())
        for role, agreement, cluster in roles:
            accounts.grant(engine, login, role, agreement, cluster, actor="test")


def sign_in(duo, login: str, password: str | None = None, next_path: str = "/") -> None:
    """Sign the browser out (its cookies gone) and in as ``login``."""
    from urllib.parse import quote

    driver = duo.driver
    driver.delete_all_cookies()
    driver.get(duo.server_url + "/login?next=" + quote(next_path, safe=""))
    wait_for(driver, "document.querySelector('#sign-in-form')")
    driver.find_element("id", "login").send_keys(login)
    driver.find_element("id", "password").send_keys((password or PEOPLE[login][0]) + "\n")
    wait_for(driver, "document.querySelector('.page') && "
                     "!document.querySelector('#sign-in-form')")


def in_user_menu(driver, element_id: str):
    """An element of the menu under the person's name, the menu opened first."""
    driver.execute_script("document.getElementById('user-area').open = true")
    return driver.find_element("id", element_id)


# Where the admin lands when signed in again after a test: the sign-out page, plain HTML
# from the server (no Dash app to load, no callbacks to wait for; every test opens the
# page it needs first).
AFTER_SIGN_IN_AGAIN = "/logout"


def sign_in_again(duo) -> None:
    """The admin signed in again, as every test expects to find the browser."""
    sign_in(duo, "admin", next_path=AFTER_SIGN_IN_AGAIN)


@contextlib.contextmanager
def signed_in_as(duo, login: str, next_path: str = "/"):
    """The browser signed in as ``login`` for a while; the admin afterwards."""
    sign_in(duo, login, next_path=next_path)
    try:
        yield
    finally:
        sign_in_again(duo)


# The portfolio is ready: its table shows the four demo agreements.
PORTFOLIO_READY = "document.querySelectorAll('#portfolio-grid .ag-center-cols-container " \
    ".ag-row').length >= 4"


def chromium_path() -> str | None:
    env = os.environ.get("DASH_TEST_CHROMEPATH")
    if env and os.path.exists(env):
        return env
    return next((p for p in CHROMIUM_CANDIDATES if os.path.exists(p)), None)


def require_browser() -> None:
    """Skip (or in CI fail) when Chromium or chromedriver is not installed."""
    absent = [name for name, ok in (("chromium", chromium_path()),
                                     ("chromedriver", shutil.which("chromedriver"))) if not ok]
    if absent:
        message = (f"{' and '.join(absent)} not installed: "
                   "apt-get install chromium chromium-driver (or run .ci/run)")
        missing(message, "the browser tests")


def chrome_options():
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = chromium_path() or ""
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--hide-scrollbars",
                "--disable-extensions", "--lang=sv-SE"):
        options.add_argument(arg)
    return options


def set_viewport(driver, width: int, height: int) -> None:
    """Make the page's viewport exactly ``width`` x ``height`` CSS pixels."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(width + (width - inner[0]), height + (height - inner[1]))


# Dash has nothing to do: the page loaded, no component loading, no callback requested,
# waiting or running (the renderer's own queues, as dash.testing's wait_for_callbacks).
IDLE = """return (() => {
    if (document.readyState !== 'complete') return false;
    if (document.querySelector('[data-dash-is-loading="true"]')) return false;
    const state = window.store && window.store.getState();
    if (!state) return true;
    const queues = state.callbacks || {};
    return ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed']
        .every(k => !queues[k] || queues[k].length === 0) && !state.isLoading;
})()"""


def wait_for(driver, script: str, timeout: float = 20) -> None:
    """Wait until a JavaScript expression is true, then for Dash to finish loading."""
    end = time.monotonic() + timeout
    wait_until(lambda: driver.execute_script(f"return !!({script})"), timeout,
               f"the page: {script}")
    wait_idle(driver, end - time.monotonic())


def wait_idle(driver, timeout: float = 20) -> None:
    """Wait until Dash has nothing to do, seen twice in a row (a callback that another
    one's answer starts is queued by then); after ``timeout``, go on all the same (a
    page that polls, such as a running export, is never idle for long)."""
    seen = []

    def idle_twice() -> bool:
        seen.append(bool(driver.execute_script(IDLE)))
        return len(seen) >= 2 and seen[-1] and seen[-2]

    with contextlib.suppress(AssertionError):
        wait_until(idle_twice, max(timeout, 2), "Dash to finish its callbacks", interval=0.1)


def visit(duo, path: str, ready: str = "document.querySelector('.page')") -> None:
    duo.driver.get(duo.server_url + path)
    wait_for(duo.driver, ready)


def click(driver, element) -> None:
    """Scroll an element to the middle of the window and click it, as a user would."""
    # At once: the page's smooth scrolling (Bootstrap) would still be moving it.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})",
                          element)
    element.click()


def dash_errors(duo) -> list[str]:
    """Callback or prop errors shown by Dash's dev tools, and SEVERE console entries."""
    shown = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.dash-fe-error-item'))"
        ".map(e => e.innerText)")
    logs = [entry["message"] for entry in duo.get_logs()]
    return shown + logs


@contextlib.contextmanager
def clean_window(duo, width: int, height: int):
    """A window of this size for one test, which must end with no Dash or console error."""
    set_viewport(duo.driver, width, height)
    duo.reset_log_timestamp()
    yield
    assert dash_errors(duo) == []


def sideways_overflow(duo) -> int:
    """How many pixels the page is wider than the window (0 means no sideways scrolling)."""
    return duo.driver.execute_script(
        "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth")


def kpis_cli(db_url: str, agreement: str, period: str, cluster: str | None = None) -> list:
    """``python -m dashboard kpis`` as a user runs it (its ``main(argv)``, in this
    process: :func:`tests.cli.run_cli`)."""
    from tests.cli import run_cli

    args = ["kpis", "--agreement", agreement, "--period", period]
    if cluster:
        args += ["--cluster", cluster]
    out = run_cli(db_url, *args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# A Swedish number as the page writes it: 1 234,5 (non-breaking spaces), −3, 60 %, 24 500 kr.
SV_NUMBER = re.compile(r"^(?P<sign>\u2212)?(?P<int>\d{1,3}(?:\u00a0\d{3})*)(?:,(?P<dec>\d+))?"
                       r"(?P<unit>\u00a0%|\u00a0kr)?$")


def parse_swedish(text: str):
    """``"1 234,5"`` -> (1234.5, 1, ""); ``"60 %"`` -> (60.0, 0, "%"); ``"–"`` -> None."""
    text = text.strip()
    if text == "–":
        return None
    m = SV_NUMBER.match(text)
    assert m, f"not a Swedish number: {text!r}"
    value = float(m.group("int").replace("\u00a0", "") + "." + (m.group("dec") or "0"))
    if m.group("sign"):
        value = -value
    return value, len(m.group("dec") or ""), (m.group("unit") or "").strip()


def shown_kpis(duo) -> dict[tuple, str]:
    """The page's table of every key figure: {(cluster, party, kpi, role): value text}."""
    rows = duo.driver.execute_script("""
        return Array.from(document.querySelectorAll('#kpi-table tbody tr')).map(tr => [
            tr.getAttribute('data-cluster'), tr.getAttribute('data-party'),
            tr.getAttribute('data-kpi'), tr.getAttribute('data-role'),
            tr.children[2].textContent]);""")
    return {(c or None, p or None, k, r or None): v for c, p, k, r, v in rows}


def assert_same_as_cli(shown: dict[tuple, str], cli_rows: list[dict]) -> int:
    """Every figure of ``kpis`` appears on the page, in Swedish format, with its value."""
    checked = 0
    for row in cli_rows:
        key = (row["cluster_id"], row["party_id"], row["kpi"], row.get("role"))
        if len(next(iter(shown), ())) == 3:  # a table without roles (the kpi names it)
            key = key[:3]
        assert key in shown, f"{key} is not on the page"
        parsed = parse_swedish(shown[key])
        if row["value"] is None:
            assert parsed is None, f"{key}: page shows {shown[key]!r}, kpis says null"
            continue
        assert parsed is not None, f"{key}: page shows '–', kpis says {row['value']}"
        number, decimals, unit = parsed
        expected = row["value"] * 100 if unit == "%" else row["value"]
        if unit == "kr":
            expected = round(expected)
        assert abs(number - expected) <= 0.5 * 10 ** -decimals + 1e-9, \
            f"{key}: page shows {shown[key]!r}, kpis says {row['value']}"
        checked += 1
    return checked
