"""Shared fixtures: a fresh database per test, and dataset builders; the test tiers.

``db_url`` and ``engine`` are a SQLite file per test. ``any_db_url`` and ``any_engine``
run a test twice: on a SQLite file and on a fresh database of a throwaway PostgreSQL
server (:mod:`tests.pg`, started once per session when a test first needs it). A test
module runs on both by overriding ``db_url`` with ``any_db_url``.

Tiers (``make test-fast`` runs ``-m "not slow"``, ``make test`` everything): every test is
marked here by what it uses, so that a new test lands in its tier without anyone marking
it: ``browser`` (under ``tests/browser/``), ``postgres`` (a PostgreSQL database: a
``postgresql`` parameter or the ``postgres_server`` fixture), ``redis`` (a redis-server),
``subprocess`` (it, a fixture it uses or a helper of ``tests/`` they call starts a process:
``subprocess``, ``multiprocessing``, :func:`tests.webserver.serving` ...), and ``slow``
for all of these and for the in-process tests that take seconds (:data:`SLOW_TESTS`). In the fast
tier a test that starts a process all the same is skipped where it starts it, saying so.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import subprocess
import types
from pathlib import Path

# Authlib switches its own deprecation warnings to "always" when first imported; imported
# here, that switch is undone with the rest of collection's warning filters, and the
# project's filters (pyproject.toml) decide, as for every other library.
import authlib.deprecate  # noqa: F401
import pytest

from dashboard.data import repository
from dashboard.data.db import make_engine
from tests.builders import base_tables, schema_file
from tests.needs import missing, missing_parts
from tests.pg import PostgresServer, PostgresUnavailable, find_bin_dir

# Apps and servers of the tests compute no views ahead of users (dashboard/store/warm.py),
# which would only load the machine under other tests; tests/test_warm.py turns it on.
os.environ.setdefault("WARM_CACHE", "0")

BACKENDS = ["sqlite", "postgresql"]

# For a test of a module that runs on both databases whose rule is the same on both (it
# tests logic, not SQL, transactions or the database's types): SQLite only.
sqlite_only = pytest.mark.parametrize("any_db_url", ["sqlite"], indirect=True)

# ---------------------------------------------------------------------------- tiers

TIERS = ("browser", "postgres", "redis", "subprocess")
# Names whose use in a test, its fixtures or the tests/ helpers they call starts a process.
PROCESS_NAMES = {"subprocess", "Popen", "multiprocessing", "Process", "ProcessPoolExecutor",
                 "serving", "run_to_end", "run_process"}
REDIS_FIXTURES = {"redis_server", "redis_url"}
# In-process tests that take seconds (measured with --durations on this 2-core machine):
# whole datasets imported, every demo figure drawn, every slide written, fuzzing. They run
# in ``make test``; a node id here is a file, or a file's test (any of its parameters).
SLOW_TESTS = (
    "tests/test_figure_specs.py",
    "tests/test_fuzz_import.py",
    "tests/test_export.py",
    "tests/test_export_a11y.py",
    "tests/test_meetings_pack.py",
    "tests/test_meetings_migration.py",
    "tests/test_bulk_import.py",
    "tests/test_demo.py",
    "tests/test_describe.py",
    "tests/test_privacy.py::test_no_hidden_outcome_count_can_be_worked_out_even_through_shares",
    "tests/test_migrations.py::test_a_released_database_upgrades_and_gives_the_same_figures",
    "tests/test_store.py::test_the_demo_figures_from_kept_sums_equal_those_from_rows",
    "tests/test_store.py::test_kept_sums_follow_an_import_and_an_undo",
    "tests/test_newcomer.py::test_an_unknown_agreement_in_a_loaded_database_still_lists_the",
    "tests/test_newcomer.py::test_the_log_says_the_demo_data_was_loaded_from_where",
    "tests/test_meetings.py::test_a_closed_meeting_keeps_its_figures_through_import_and_undo",
    "tests/test_meetings.py::test_the_next_meeting_starts_from_the_last_one",
    "tests/test_meetings.py::test_the_api_the_app_uses",
    "tests/test_meetings.py::test_list_in_json_and_as_a_table",
    "tests/test_meetings.py::test_refusals_name_the_problem_with_exit_codes",
    "tests/test_cli.py::test_template_has_every_sheet_and_column_and_imports_when_filled",
    "tests/test_views_panels.py::test_cluster_views_from_the_agreement_view_equal_views_read",
    "tests/test_views_panels.py::test_demo_missing_month_merged_across_tables",
    "tests/test_portfolio.py::test_each_agreements_statuses_equal_its_own_view",
    "tests/test_portfolio.py::test_comparison_of_clusters",
    "tests/test_portfolio.py::test_comparison_of_the_share_by_gender",
    "tests/test_store.py::test_a_replace_import_leaves_no_sums_of_removed_rows",
    "tests/test_import.py::test_swedish_excel_csv_folder_and_workbook_give_identical_figures",
    "tests/test_trends.py::test_occupancy_strip_by_hand_from_the_krami_workbook",
    "tests/test_trends.py::test_an_indicator_reported_by_half_year_or_year_has_a_strip_of_its",
    "tests/test_trends.py::test_a_clusters_view_keeps_the_clusters_strips",
    "tests/test_privacy.py::test_no_hidden_month_count_can_be_worked_out",
    "tests/test_safety.py::test_template_holds_no_formula",
    # issue 16's: the demo packs read word by word, the demo loaded for totals, strips and
    # every seed's targets
    "tests/test_export_words.py",
    # issue 20's: the meeting's PDF drawn, sent and read back (the refusals stay fast)
    *(f"tests/test_export_pdf.py::test_{name}" for name in (
        "the_pre_read_arrives_with_the_pdf_and_its_sum",
        "the_metadata_say_pdf_a_3a_and_pdf_ua_1_title_and_language",
        "every_font_is_embedded",
        "headings_tables_with_header_cells_and_figures_are_tagged",
        "every_chart_is_a_figure_saying_value_target_and_status",
        "a_chart_stays_on_one_page_with_its_heading", "every_page_is_numbered",
        "the_meeting_its_check_ins_decisions_and_actions_are_text",
        "no_small_count_reaches_the_pdf")),
    "tests/test_portfolio_totals.py::test_the_demo_totals_per_county_by_hand_for_2023",
    "tests/test_trends.py",
    "tests/test_roles_income_meetings.py::test_every_target_of_each_seed_has_a_status_at_its",
    "tests/test_pnr_forms.py",
)


def _code_names(code: types.CodeType) -> tuple[set[str], set[str]]:
    """The global and attribute names, and the string constants, of ``code`` and of the
    functions defined in it."""
    names, strings = set(code.co_names), set()
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            inner_names, inner_strings = _code_names(const)
            names |= inner_names
            strings |= inner_strings
        elif isinstance(const, str):
            strings.add(const)
    return names, strings


def _uses(func, seen: set) -> tuple[set[str], set[str]]:
    """The names and strings of ``func`` and of the functions and classes of ``tests/``
    it reaches by name (helpers, the methods of helper classes), transitively."""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return set(), set()
    seen.add(code)
    names, strings = _code_names(code)
    module_globals = getattr(func, "__globals__", {})
    for name in list(names):
        found = module_globals.get(name)
        if isinstance(found, types.ModuleType) and found.__name__.startswith("tests."):
            # ``from tests import cli`` then ``cli.run_process``: attributes of the module
            found = None
        for target in _own_functions(found):
            more_names, more_strings = _uses(target, seen)
            names |= more_names
            strings |= more_strings
    return names, strings


def _own_functions(found) -> list:
    if isinstance(found, types.FunctionType) and found.__module__.startswith("tests"):
        return [found]
    if isinstance(found, type) and found.__module__.startswith("tests"):
        return [v for v in vars(found).values() if isinstance(v, types.FunctionType)]
    return []


def tiers_of(item) -> set[str]:
    """The tier markers of a collected test, from what it uses."""
    marks = set()
    if item.nodeid.startswith(SLOW_TESTS):
        marks.add("slow")
    path = str(item.fspath).replace("\\", "/")
    if "/tests/browser/" in path:
        marks.add("browser")
    params = getattr(getattr(item, "callspec", None), "params", {})
    fixtures = set(getattr(item, "fixturenames", ()))
    if "postgresql" in params.values() or "postgres_server" in fixtures:
        marks.add("postgres")
    if "redis" in params.values() or fixtures & REDIS_FIXTURES:
        marks.add("redis")
    seen: set = set()
    names, strings = _uses(getattr(item, "obj", None), seen)
    info = getattr(item, "_fixtureinfo", None)
    for name in fixtures - {"_no_process_in_the_fast_tier"}:
        for fixturedef in (info.name2fixturedefs.get(name, ()) if info else ()):
            more_names, more_strings = _uses(fixturedef.func, seen)
            names |= more_names
            strings |= more_strings
    if names & PROCESS_NAMES:
        marks.add("subprocess")
    if not params:  # fixtures asked for by name (``request.getfixturevalue``)
        if "postgres_server" in strings:
            marks.add("postgres")
        if strings & REDIS_FIXTURES:
            marks.add("redis")
    return marks


def pytest_collection_modifyitems(config, items):
    for item in items:
        marks = tiers_of(item)
        for mark in sorted(marks - {"slow"}):
            item.add_marker(getattr(pytest.mark, mark))
        if marks:
            item.add_marker(pytest.mark.slow)


def _fast_tier(config) -> bool:
    return "not slow" in (config.getoption("markexpr", "") or "")


@pytest.fixture(autouse=True)
def _no_process_in_the_fast_tier(request, monkeypatch):
    """In the fast tier (``-m "not slow"``) a test that starts a process after all (one
    this file's marking did not see, e.g. deep in a library) is skipped where it starts it:
    it runs in ``make test``. Mark it ``slow`` to keep it out of the fast tier for good."""
    if not _fast_tier(request.config):
        return
    def refuse(self, args, *more, **kwargs):
        program = args if isinstance(args, str) else (list(args) or [""])[0]
        pytest.skip(f"starts a process ({program}): it runs in make test, not in the "
                    "fast tier (mark it slow)")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Name the parts missing on this machine (redis-server, PostgreSQL, Chromium,
    axe-core ...) and how many tests each kept from running: never skipped in silence."""
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            reasons.append(str(longrepr[2]))
        elif longrepr is not None:
            reasons.append(str(longrepr))
    parts = missing_parts(reasons)
    if not parts:
        return
    terminalreporter.section("missing on this machine: these tests did not run",
                             sep="=", yellow=True, bold=True)
    for part, count in sorted(parts.items()):
        terminalreporter.line(f"  {part} ({count} test{'s' if count != 1 else ''} skipped)")
    terminalreporter.line("  (with CI set, a missing part fails the run)")


@pytest.fixture
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@contextlib.contextmanager
def schema_engine(url: str):
    """An engine on ``url`` with the schema created; disposed afterwards."""
    eng = make_engine(url)
    try:
        repository.ensure_schema(eng)
        yield eng
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    """A SQLite file with the schema, made once per test process: a test's empty database
    is a copy of it (the migrations take about 0.1 s, a copy a millisecond); the one
    :func:`tests.builders.import_into` starts from."""
    return schema_file()


def _copy_template(url: str, template: Path) -> None:
    """Start a SQLite database that does not exist yet as a copy of the template."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            shutil.copyfile(template, path)


class PreparedStates:
    """States of a database that many tests start from, made once per test process.

    ``prepare(engine, key, build)`` brings ``engine``'s fresh database to the state
    ``build(engine)`` makes. The first call builds it and keeps a copy under ``key``; later
    calls copy that in (the same rows, ids, sequences and import log, in milliseconds
    instead of an import). On SQLite the copy is the file; on PostgreSQL a database of the
    session's server kept as a template (``CREATE DATABASE ... TEMPLATE``), the test's
    database dropped and made again from it under the same name.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[str, Path] = {}
        self.databases: dict[str, str] = {}

    def prepare(self, engine, key: str, build) -> None:
        if engine.dialect.name == "postgresql" and _SERVER:
            self._prepare_postgresql(_SERVER[0], engine, key, build)
            return
        if engine.dialect.name != "sqlite":
            build(engine)
            return
        path = Path(engine.url.database)
        engine.dispose()  # no open connection while the file is copied (WAL folded in)
        if key in self.files:
            shutil.copyfile(self.files[key], path)
            return
        build(engine)
        engine.dispose()
        kept = self.folder / f"{len(self.files)}.sqlite"
        shutil.copyfile(path, kept)
        self.files[key] = kept

    def _prepare_postgresql(self, server: PostgresServer, engine, key: str, build) -> None:
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()  # no open connection of ours while the database is copied
        if key in self.databases:
            server.restore_database(url, self.databases[key])
            return
        build(engine)
        engine.dispose()
        self.databases[key] = server.keep_database(url)


# The session's PostgreSQL server once started (``postgres_server``), for PreparedStates.
_SERVER: list[PostgresServer] = []


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> PreparedStates:
    return PreparedStates(tmp_path_factory.mktemp("prepared"))


@pytest.fixture
def engine(db_url, sqlite_template):
    _copy_template(db_url, sqlite_template)
    with schema_engine(db_url) as eng:
        yield eng


@pytest.fixture
def tables():
    return base_tables()


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server for the session; skipped without binaries, except in CI."""
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    bin_dir = None if admin_url else find_bin_dir()
    if admin_url is None and bin_dir is None:
        reason = ("PostgreSQL binaries not found: install Debian's postgresql package, or "
                  "set PG_BIN or TEST_POSTGRES_URL")
        missing(reason, "the PostgreSQL tests")
    server = PostgresServer(bin_dir, admin_url)
    try:
        server.start()
    except PostgresUnavailable as exc:
        server.stop()
        pytest.fail(f"PostgreSQL did not start: {exc}", pytrace=False)
    server.prepare_template(_create_schema)
    _SERVER.append(server)
    yield server
    _SERVER.remove(server)
    server.stop()


def _create_schema(url: str) -> None:
    with schema_engine(url):
        pass


@pytest.fixture(params=BACKENDS)
def any_db_url(request, tmp_path):
    """A fresh empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database()
    yield url
    server.drop_database(url)


@pytest.fixture
def any_engine(any_db_url, sqlite_template):
    _copy_template(any_db_url, sqlite_template)
    with schema_engine(any_db_url) as eng:
        yield eng


@pytest.fixture(scope="session")
def redis_server():
    """A throwaway redis-server for the session; skipped without the binary, except in CI."""
    from tests.redis_server import RedisServer, RedisUnavailable, find_redis_server

    url = os.environ.get("TEST_REDIS_URL")
    binary = None if url else find_redis_server()
    if url is None and binary is None:
        missing("redis-server not found: install Debian's redis-server package, or set "
                "REDIS_SERVER or TEST_REDIS_URL", "the Redis tests")
    server = RedisServer(binary, url)
    try:
        server.start()
    except RedisUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """The throwaway server's URL, its database empty."""
    redis_server.flush()
    return redis_server.url
