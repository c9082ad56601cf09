"""Session fixtures for the browser tests: one app, one headless Chromium.

``duo`` is a session-scoped ``dash_duo``: dash.testing's ``DashComposite`` around a
``ThreadedRunner``, serving one ``create_app()`` with the demo data in a fresh SQLite
file, in debug mode so that Dash's dev tools report callback and prop errors.

The app has the accounts of :data:`tests.browser.support.PEOPLE` (an admin, a viewer of
an agreement, a viewer of one cluster, a member, a steward); the browser is signed in as
the admin, and a test that needs someone else signs in as them with
:func:`tests.browser.support.signed_in_as`, which signs the admin in again afterwards.
"""

from __future__ import annotations

import socket

import pytest

from tests.browser.support import (
    AFTER_SIGN_IN_AGAIN,
    add_people,
    chrome_options,
    require_browser,
    sign_in,
)


@pytest.fixture(scope="session")
def browser_db_url(tmp_path_factory):
    return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'app.sqlite'}"


@pytest.fixture(scope="session")
def browser_jobs_dir(tmp_path_factory):
    """The job queue of the session's app (one browser at a time, as on two cores)."""
    return tmp_path_factory.mktemp("jobs")


@pytest.fixture(scope="session")
def browser_app(browser_db_url, browser_jobs_dir):
    from dashboard.web.app import create_app

    return create_app({"database_url": browser_db_url, "load_demo": True,
                       "jobs_dir": str(browser_jobs_dir), "export_browsers": 1,
                       "export_wait": 3, "secret_key": "browser-tests-" + "k" * 40})


@pytest.fixture(scope="session")
def duo(browser_app, tmp_path_factory):
    require_browser()
    from dash.testing.application_runners import ThreadedRunner
    from dash.testing.composite import DashComposite

    download = tmp_path_factory.mktemp("download")
    with ThreadedRunner() as server, DashComposite(
        server, browser="Chrome", headless=False, options=[chrome_options()],
        download_path=str(download), percy_run=False, wait_timeout=20,
    ) as composite:
        # A port of its own: another test run on the machine may hold dash.testing's
        # default (58050), and the browser must not reach that one's app.
        composite.start_server(browser_app, debug=True, use_reloader=False,
                               dev_tools_hot_reload=False, dev_tools_ui=True,
                               dev_tools_props_check=True, port=free_port())
        composite.download_dir = download
        # Started as ``make run`` starts (no account: the local administrator); now the
        # accounts, and from then on everyone signs in (the page left first, so that none
        # of its callbacks is cut off half-way).
        composite.driver.get("about:blank")
        add_people(browser_app.server.config["DASHBOARD_ENGINE"])
        sign_in(composite, "admin", next_path=AFTER_SIGN_IN_AGAIN)
        yield composite


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
