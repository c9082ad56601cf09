"""Schema migrations (Alembic), on SQLite and PostgreSQL.

* The migrations give exactly the schema of ``dashboard/data/db.py`` (Alembic's comparison finds
  no difference), so a change to ``db.py`` without a migration fails here.
* A database as released before migrations existed (revision 0001, no ``alembic_version``),
  filled with the demo workbooks' rows, upgrades to head and then gives the same key
  figures as a fresh database that imported the same workbooks (every table's rows, and
  the figures of every period on SQLite, of every year on PostgreSQL), and stays usable.
* An outdated schema is refused by every command and by the app, with what to run; the
  embedded default SQLite file upgrades itself and says so.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, insert, inspect, select, text

from dashboard.config import DATA_DIR, PROJECT_ROOT, load_settings
from dashboard.data import migrations, repository
from dashboard.data.db import data_tables, make_engine, metadata
from dashboard.data.ingest import import_dataset, undo_import
from dashboard.data.startup import StartupError, open_database, upgrade_command
from dashboard.domain.kpis import compute_kpis
from dashboard.domain.periods import Period
from tests import cli
from tests.conftest import BACKENDS

DEMO = sorted((DATA_DIR / "demo").glob("*.xlsx"))
ADDED_IN_0002 = {"agreements": {"kind", "municipalities"}}
HEAD = migrations.head()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request, tmp_path):
    """A database with no tables at all: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database(empty=True)
    yield url
    server.drop_database(url)


@pytest.fixture
def engine_on(empty_db_url):
    engine = make_engine(empty_db_url)
    yield engine
    engine.dispose()


def migrate(engine, target: str) -> None:
    with repository.write_transaction(engine) as conn:
        migrations.upgrade(conn, target)


def run_cli(url: str, *args: str, **env):
    """``python -m dashboard ARGS`` (its ``main(argv)``, in this process)."""
    return cli.run_cli(url, *args, **env)


# --------------------------------------------------------------------------- the schema


def test_the_migrations_give_exactly_the_schema_of_db_py(engine_on):
    migrate(engine_on, "head")
    with engine_on.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
        tables = set(inspect(conn).get_table_names())
    assert differences == [], ("dashboard/data/db.py and the migrations differ: add a migration "
                               f"in dashboard/data/migrations/versions/ (README, Upgrading): "
                               f"{differences}")
    assert tables == set(metadata.tables) | {"alembic_version"}
    if engine_on.dialect.name == "sqlite":
        # Ids are never handed out twice (undo puts rows back with their old ids).
        with engine_on.connect() as conn:
            ddl = dict(conn.execute(text("SELECT name, sql FROM sqlite_master "
                                         "WHERE type = 'table'")).all())
        for name, table in metadata.tables.items():
            wanted = table.dialect_options["sqlite"]["autoincrement"]
            assert ("AUTOINCREMENT" in ddl[name]) == bool(wanted), name


def test_revisions_are_one_line_of_history_and_go_down_and_up_again(engine_on):
    ids = [r.revision for r in migrations.revisions()]
    assert ids[:2] == ["0001", "0002"] and ids[-1] == migrations.head()
    assert [r.down_revision for r in migrations.revisions()] == [None, *ids[:-1]]
    migrate(engine_on, "head")
    with repository.write_transaction(engine_on) as conn:
        from alembic import command

        command.downgrade(migrations.alembic_config(conn), "base")
    with engine_on.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    migrate(engine_on, "head")
    assert repository.schema_state(engine_on).status == "current"


def test_an_empty_database_gets_the_schema_from_the_migrations(engine_on):
    assert repository.schema_state(engine_on).status == "empty"
    change = repository.ensure_schema(engine_on)
    assert (change.action, change.to_revision) == ("created", migrations.head())
    state = repository.schema_state(engine_on)
    assert (state.status, state.revision) == ("current", migrations.head())


def test_processes_may_not_upgrade_a_revision_they_do_not_know(engine_on):
    migrate(engine_on, "head")
    with engine_on.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StartupError, match="9999"):
        open_database(load_settings({"database_url": str(engine_on.url.render_as_string(
            hide_password=False))}))


# --------------------------------------------------------------------------- released db


def released_schema(engine) -> None:
    """The schema as released (0001) and no ``alembic_version``: from before migrations."""
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))


def released_database(engine, source) -> None:
    """:func:`released_schema` holding ``source``'s rows as the released importer stored
    them: every column of 0001, inserted in their original order through the sequences."""
    released_schema(engine)
    old = MetaData()
    with engine.connect() as conn:
        old.reflect(conn, only=sorted(migrations.RELEASED_TABLES))
    with repository.read_transaction(source) as src, engine.begin() as dst:
        for name in ["imports", "import_agreements", "import_backup", *data_tables]:
            if name not in old.tables:  # a table added later (indicator_defs, 0006)
                continue
            live = metadata.tables[name]
            columns = [c for c in old.tables[name].columns if c.name != "id"]
            order = live.c.id if "id" in live.c else live.c.import_id
            rows = [dict(r._mapping) for r in src.execute(
                select(*[live.c[c.name] for c in columns]).order_by(order))]
            if rows:  # through the sequences, in the original order: the same ids
                dst.execute(insert(old.tables[name]), rows)


def as_released(path: Path, folder: Path) -> Path:
    """The demo workbook without what a released database cannot hold (added in 0006):
    ``indicator_defs``, ``agreements.meetings_per_year``, the targets on a role."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    if "indicator_defs" in wb.sheetnames:
        del wb["indicator_defs"]
    for sheet, column in (("agreements", "meetings_per_year"), ("targets", "role")):
        ws = wb[sheet]
        heads = [c.value for c in ws[1]]
        if column not in heads:
            continue
        at = heads.index(column) + 1
        for r in range(ws.max_row, 1, -1):
            if sheet == "targets" and ws.cell(r, at).value:
                ws.delete_rows(r)
        ws.delete_cols(at)
    out = folder / path.name
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def fresh_demo(tmp_path_factory):
    """A fresh database (head) that imported every demo workbook with today's importer (as
    a released database could hold it: :func:`as_released`)."""
    folder = tmp_path_factory.mktemp("fresh")
    engine = make_engine(f"sqlite:///{folder / 'fresh.sqlite'}")
    for path in DEMO:
        assert import_dataset(engine, as_released(path, folder)).ok
    yield engine
    engine.dispose()


def every_period(agreement: dict, halves_and_quarters: bool = True) -> list[Period]:
    """Every year, half and quarter of the agreement's validity, its first month, and all
    of it (without ``halves_and_quarters``: the years, the first month and all of it)."""
    first, last = agreement["valid_from"][:7], agreement["valid_to"][:7]
    years = range(int(first[:4]), int(last[:4]) + 1)
    texts = [f"{y}" for y in years] + [first, f"{first}..{last}"]
    if halves_and_quarters:
        texts += [f"{y}-H{h}" for y in years for h in (1, 2)] + \
            [f"{y}-Q{q}" for y in years for q in (1, 2, 3, 4)]
    return [Period.parse(t) for t in texts]


def figures(engine, agreement_id: str, halves_and_quarters: bool = True) -> dict:
    data = repository.load_agreement(engine, agreement_id)
    return {p.text: [v.contract_dict() for v in compute_kpis(data, p)]
            for p in every_period(data.agreement, halves_and_quarters)}


@pytest.fixture(scope="module")
def fresh_figures(fresh_demo):
    return {a: figures(fresh_demo, a)
            for a in repository.list_agreements(fresh_demo)["agreement_id"]}


def rows(engine, name: str) -> list[dict]:
    table = metadata.tables[name]
    skip = ADDED_IN_0002.get(name, set())
    order = [table.c.id] if "id" in table.c else \
        [table.c.import_id] if "import_id" in table.c else []
    with engine.connect() as conn:
        return [{k: v for k, v in r._mapping.items() if k not in skip}
                for r in conn.execute(select(table).order_by(*order, *table.c))]


def test_a_released_database_upgrades_and_gives_the_same_figures(engine_on, fresh_demo,
                                                                 fresh_figures):
    released_database(engine_on, fresh_demo)
    url = engine_on.url.render_as_string(hide_password=False)
    assert repository.schema_state(engine_on).status == "unversioned"

    # Refused as it is, with what to run; the tables are left alone.
    refused = run_cli(url, "imports")
    assert refused.returncode == 1
    assert "db upgrade" in refused.stderr and "Traceback" not in refused.stderr
    state = repository.schema_state(engine_on)
    assert (state.status, state.revision) == ("behind", "0001")  # recognised and stamped

    done = run_cli(url, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert f"0001 → {HEAD}" in done.stdout
    assert repository.schema_state(engine_on).status == "current"

    upgraded = {name: rows(engine_on, name) for name in metadata.tables}
    for name in metadata.tables:
        assert upgraded[name] == rows(fresh_demo, name), name
    with engine_on.connect() as conn:
        kinds = conn.execute(select(data_tables["agreements"].c.kind)).scalars().all()
    assert kinds and set(kinds) == {None}  # stored before: neither kind nor municipalities
    assert len(fresh_figures) == len(DEMO)
    # Every table's rows are the fresh database's: what could still differ is how each
    # database gives them back (types) and the missing kind, which shows in any period.
    # SQLite: every period, as the fresh figures; PostgreSQL: the years, the first month
    # and the whole validity.
    every = engine_on.dialect.name == "sqlite"
    for agreement_id, expected in fresh_figures.items():
        got = figures(engine_on, agreement_id, halves_and_quarters=every)
        assert got == {p: expected[p] for p in got}, agreement_id

    # Usable as any other: an import replaces rows, and its undo puts them back: every
    # row as it was (ids included), so the figures checked above are the figures again.
    krami = next(p for p in DEMO if "krami" in p.name)
    result = import_dataset(engine_on, krami, replace=True)
    assert result.ok, result.messages("en")
    assert rows(engine_on, "occupancy") != upgraded["occupancy"]  # replaced: new ids
    assert undo_import(engine_on, result.import_id).ok
    for name in data_tables:
        assert rows(engine_on, name) == upgraded[name], name
    got = figures(engine_on, "krami-sthlm-2023", halves_and_quarters=False)
    assert got == {p: fresh_figures["krami-sthlm-2023"][p] for p in got}


def test_a_database_from_main_after_kind_was_added_is_recognised_as_0002(engine_on):
    migrate(engine_on, "0002")
    with engine_on.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    state = repository.schema_state(engine_on)
    assert (state.status, state.revision) == ("unversioned", "0002")
    change = repository.ensure_schema(engine_on, upgrade=True)
    assert (change.action, change.to_revision) == ("upgraded", HEAD)
    assert repository.schema_state(engine_on).status == "current"


def test_some_of_the_tables_but_not_all_is_left_alone(engine_on):
    migrate(engine_on, "head")
    with engine_on.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text("DROP TABLE costs"))
    url = engine_on.url.render_as_string(hide_password=False)
    with pytest.raises(StartupError, match="inte alla"):
        open_database(load_settings({"database_url": url}))
    with engine_on.connect() as conn:
        assert "alembic_version" not in inspect(conn).get_table_names()


# --------------------------------------------------------------------------- refusals


@pytest.fixture
def outdated_url(engine_on):
    """A database at revision 0001 (stamped), with a password in its URL when on
    PostgreSQL (the test server trusts every login, so any password works)."""
    migrate(engine_on, "0001")
    url = engine_on.url
    if url.get_backend_name() == "postgresql":
        url = url.set(password="hemligt-lösen")
    return url.render_as_string(hide_password=False)


def test_commands_refuse_an_outdated_schema_saying_what_to_run(outdated_url):
    out = cli.run_process(outdated_url, "imports", timeout=180)  # as a shell runs it
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "hemligt" not in out.stderr
    assert lines[0] == (f"Databasens schema är äldre (0001) än programmets "
                        f"({migrations.head()}): uppgradera den först med "
                        f"{upgrade_command(outdated_url)}")
    assert "DATABASE_URL=" in lines[0] and ".venv/bin/python -m dashboard db upgrade" in lines[0]
    english = run_cli(outdated_url, "--lang", "en", "kpis", "--agreement", "x", "--period",
                      "2023")
    assert english.returncode == 1 and english.stdout == ""
    assert english.stderr.strip().startswith("The database's schema is older (0001) than")
    assert "upgrade it first with DATABASE_URL=" in english.stderr
    assert repository_state(outdated_url) == ("behind", "0001")


def repository_state(url: str) -> tuple:
    engine = make_engine(url)
    try:
        state = repository.schema_state(engine)
        return state.status, state.revision
    finally:
        engine.dispose()


def test_db_current_history_and_upgrade(outdated_url, monkeypatch, capsys):
    from dashboard.cli.main import main

    monkeypatch.setenv("DATABASE_URL", outdated_url)
    monkeypatch.delenv("DASHBOARD_LANG", raising=False)

    def run(*args) -> tuple[int, str]:
        code = main(list(args))
        out = capsys.readouterr()
        assert "hemligt" not in out.out + out.err
        return code, out.out

    code, out = run("db", "current")
    assert code == 0 and f"Schema 0001: äldre än programmets {HEAD}" in out
    code, out = run("--lang", "en", "db", "history")
    assert code == 0 and out.splitlines()[0].startswith("0001  The schema as released")
    assert "← the database" in out.splitlines()[0]
    code, out = run("--lang", "en", "db", "upgrade")
    assert code == 0 and f"is upgraded: schema 0001 → {HEAD}" in out
    code, out = run("db", "upgrade")
    assert code == 0 and f"redan aktuell (schema {HEAD})" in out
    code, out = run("db", "current")
    assert code == 0 and f"Schema {HEAD}: aktuellt" in out
    with pytest.raises(SystemExit) as usage:
        main(["db"])
    assert usage.value.code == 2


# Two processes (app.py and gunicorn) around the same check as the commands' and
# create_app's (both databases, above and below): on PostgreSQL only, whose URL carries a
# password that must not be shown.
@pytest.mark.parametrize("empty_db_url", ["postgresql"], indirect=True)
def test_the_app_refuses_to_start_on_an_outdated_schema(outdated_url):
    for program in ([sys.executable, "app.py", "--port", "1"],
                    [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                     "--bind", "127.0.0.1:0", "dashboard.wsgi:server"]):
        out = subprocess.run(program, capture_output=True, text=True, timeout=120,
                             cwd=PROJECT_ROOT,
                             env={**os.environ, "DATABASE_URL": outdated_url, "LOAD_DEMO": "0"})
        assert out.returncode == 1, out.stderr
        assert "Traceback" not in out.stderr
        assert ".venv/bin/python -m dashboard db upgrade" in out.stderr
        assert "hemligt" not in out.stderr
    assert repository_state(outdated_url) == ("behind", "0001")


def test_create_app_refuses_and_auto_upgrade_upgrades(outdated_url, caplog):
    from dashboard.web.app import create_app

    with pytest.raises(StartupError, match="db upgrade"):
        create_app({"database_url": outdated_url, "load_demo": False})
    with caplog.at_level(logging.WARNING, logger="dashboard.data.startup"):
        engine = open_database(load_settings({"database_url": outdated_url,
                                              "auto_upgrade": True}))
    engine.dispose()
    assert f"från schema 0001 till {HEAD}" in caplog.text and "hemligt" not in caplog.text
    assert repository_state(outdated_url) == ("current", migrations.head())


def test_the_embedded_default_file_upgrades_itself(tmp_path, monkeypatch, caplog):
    default = f"sqlite:///{tmp_path / 'dashboard.sqlite'}"
    monkeypatch.setattr("dashboard.config.default_database_url", lambda: default)
    engine = make_engine(default)
    released_schema(engine)
    engine.dispose()

    settings = load_settings(environ={"AUTO_UPGRADE": "0"})
    assert settings.database_url == default and not settings.upgrades_itself
    with pytest.raises(StartupError, match="db upgrade"):
        open_database(settings)

    settings = load_settings(environ={})
    assert settings.upgrades_itself
    with caplog.at_level(logging.WARNING, logger="dashboard.data.startup"):
        open_database(settings, "en").dispose()
    assert f"upgraded itself from schema 0001 to {HEAD}" in caplog.text
    assert repository_state(default) == ("current", migrations.head())
