"""Database trouble: one line saying what to do, never a traceback, and recovery.

At start (``python app.py`` = ``make run``, gunicorn = ``make serve``, and the command
line): a SQLite file in a folder that does not exist, a SQLite file that cannot be
written, a PostgreSQL database in SQL_ASCII, a PostgreSQL server that is not running.
While running: PostgreSQL stopped under the app gives 503 pages and callback messages
("Databasen går inte att nå just nu") and the app recovers by itself once it is back,
also in a real browser.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess

import pytest

from dashboard.data.db import make_engine
from dashboard.data.repository import ensure_schema
from tests import cli
from tests.browser.support import chrome_options, require_browser
from tests.pg import PostgresServer, find_bin_dir
from tests.wait import wait_until
from tests.webserver import post_json, request, router_body, run_to_end, serving

PROGRAMS = ["cli", "app", "gunicorn"]
AGREEMENT = "/agreements/krami-sthlm-2023"


def assert_one_line(out: subprocess.CompletedProcess, *expected: str) -> None:
    """Stopped with exit code 1 and a line saying what to do, with no traceback."""
    assert out.returncode == 1, (out.returncode, out.stderr)
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
    line = next(x for x in out.stderr.splitlines() if all(e in x for e in expected))
    assert line, out.stderr
    if out.args[-1] == "imports":  # the command line says nothing else
        assert out.stderr.strip() == line and out.stdout == ""


def stopped(program: str, url: str, **env: str):
    """``program`` run on ``url`` to its end: the app and gunicorn as processes, the
    command line in this process (its ``main(argv)``; as a process once, in
    :func:`test_messages_follow_the_language`)."""
    if program == "cli":
        return cli.run_cli(url, "imports", **env)
    return run_to_end(program, url, **env)


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_missing_sqlite_folder(tmp_path, program):
    folder = tmp_path / "finns-inte"
    out = stopped(program, f"sqlite:///{folder / 'dashboard.sqlite'}")
    assert_one_line(out, f"Mappen {folder} för SQLite-filen finns inte",
                    f"mkdir -p {folder}")
    assert not folder.exists()


@contextlib.contextmanager
def read_only(path):
    """``path`` cannot be written, even by root (immutable where root runs the tests)."""
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)]
                                                        ).returncode != 0:
            pytest.skip("running as root and chattr +i is not available")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        path.chmod(0o444)
        yield
        path.chmod(0o644)


@pytest.fixture(scope="module")
def read_only_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("ro") / "dashboard.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()
    with read_only(path):
        yield path


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_read_only_sqlite_file(read_only_db, program):
    out = stopped(program, f"sqlite:///{read_only_db}", LOAD_DEMO="0")
    assert_one_line(out, f"SQLite-filen {read_only_db} går inte att skriva", "skrivrätt")


@pytest.fixture(scope="module")
def ascii_db(postgres_server):
    url = postgres_server.create_database(encoding="SQL_ASCII")
    yield url
    postgres_server.drop_database(url)


@pytest.mark.parametrize("program", PROGRAMS)
def test_a_postgresql_database_not_in_utf8(ascii_db, program):
    out = stopped(program, ascii_db, LOAD_DEMO="0")
    name = ascii_db.rsplit("/", 1)[1]
    assert_one_line(out, f"PostgreSQL-databasen {name} har teckenkodningen SQL_ASCII",
                    f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")


def test_messages_follow_the_language(tmp_path):
    out = run_to_end("cli", f"sqlite:///{tmp_path / 'no' / 'x.sqlite'}", DASHBOARD_LANG="en")
    assert_one_line(out, "The folder", "does not exist: create it")


# --------------------------------------------------------------------------- outage


@pytest.fixture(scope="module")
def own_server():
    """A PostgreSQL server of this module's own, to stop and start under the app."""
    bin_dir = find_bin_dir()
    if bin_dir is None or os.environ.get("TEST_POSTGRES_URL"):
        from tests.needs import missing

        missing("PostgreSQL binaries not found (stopping a server needs one of our own)",
                "the outage tests")
    server = PostgresServer(bin_dir).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def outage_app(own_server, tmp_path_factory):
    url = own_server.create_database(empty=True)
    log = tmp_path_factory.mktemp("outage") / "app.log"
    with serving(url, "app", log=log, LOAD_DEMO="1") as base:
        yield base, own_server, url


@contextlib.contextmanager
def database_down(server):
    server.pause()
    try:
        yield
    finally:
        server.resume()


def test_pages_and_callbacks_say_the_database_is_down_and_recover(outage_app):
    base, server, url = outage_app
    assert request(base + AGREEMENT).status == 200
    # A page drawn before the outage (its session and CSRF token in the client's cookies).
    assert post_json(base, router_body(AGREEMENT, "?period=2023")).status == 200
    with database_down(server):
        page = request(base + AGREEMENT + "?period=2023")
        assert page.status == 503
        assert "Databasen går inte att nå just nu" in page.text
        assert '<meta http-equiv="refresh" content="5">' in page.text
        assert page.headers["Retry-After"] == "5"
        english = request(base + AGREEMENT + "?lang=en")
        assert english.status == 503
        assert "The database cannot be reached right now" in english.text
        drawn = post_json(base, router_body(AGREEMENT, "?period=2023"))
        assert drawn.status == 200
        content = json.dumps(drawn.json(), ensure_ascii=False)
        assert "Databasen går inte att nå just nu" in content
        assert '"httpEquiv": "refresh"' in content  # the page reloads itself
        cli = run_to_end("cli", url)
        assert_one_line(cli, "Databasen går inte att nå", "kontrollera att PostgreSQL kör")
    wait_until(lambda: request(base + AGREEMENT).status == 200)
    drawn = post_json(base, router_body(AGREEMENT, "?period=2023"))
    assert drawn.status == 200 and "Krami" in drawn.text and "Databasen" not in drawn.text


def test_postgresql_not_running_at_start(own_server, tmp_path):
    url = own_server.create_database(empty=True)
    with database_down(own_server):
        for program in PROGRAMS:
            out = stopped(program, url, LOAD_DEMO="0")
            port = own_server.port
            assert_one_line(out, f"Databasen går inte att nå (127.0.0.1:{port})",
                            "kontrollera att PostgreSQL kör")


@pytest.mark.browser
def test_the_browser_shows_the_outage_and_recovers_by_itself(outage_app):
    """A page open in Chromium when PostgreSQL stops: the next view says so, the page
    keeps retrying, and the view is back by itself once PostgreSQL is."""
    require_browser()
    from selenium import webdriver

    base, server, _ = outage_app
    driver = webdriver.Chrome(options=chrome_options())
    try:
        driver.get(base + AGREEMENT + "?period=2023")
        wait_until(lambda: driver.execute_script(
            "return !!document.querySelector('#kpi-table')"))
        with database_down(server):
            # Another view, drawn without reloading the page (the app's own link).
            driver.execute_script(
                "document.querySelector('.crumbs a').click()")
            wait_until(lambda: "Databasen går inte att nå just nu" in driver.execute_script(
                "return document.body.innerText"))
            # It reloads itself: the server's 503 page.
            wait_until(lambda: driver.execute_script(
                "return !!document.querySelector('#error-page')"))
            assert "Databasen går inte att nå just nu" in driver.execute_script(
                "return document.body.innerText")
            assert driver.execute_script("return !!document.querySelector('#error-page')")
        wait_until(lambda: driver.execute_script(
            "return !!document.querySelector('#portfolio-grid .ag-row')"), timeout=40)
        assert "Databasen" not in driver.execute_script("return document.body.innerText")
    finally:
        driver.quit()
