"""Migration 0005 (the meetings' tables) on a database at 0004 (accounts), on SQLite and
PostgreSQL: the upgrade keeps the data and the accounts, adds the four tables, and the
meetings then work; the downgrade takes them away again."""

from __future__ import annotations

from sqlalchemy import inspect, select

import dashboard.meetings as meetings
from dashboard.data import migrations
from dashboard.data import repository
from dashboard.people import accounts
from dashboard.data.db import data_tables, make_engine
from dashboard.data.ingest import import_dataset
from tests.test_meetings import KRAMI, WORKBOOK
from tests.test_migrations import empty_db_url, migrate  # noqa: F401 - the fixture

MEETING_TABLES = {"meetings", "meeting_checkins", "meeting_decisions", "meeting_actions"}


def downgrade(engine, target: str) -> None:
    from alembic import command

    with repository.write_transaction(engine) as conn:
        command.downgrade(migrations.alembic_config(conn), target)


def tables(engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_a_database_at_0004_upgrades_to_0005(empty_db_url):  # noqa: F811
    # Data and an account, then back to 0004: the database as 0004 left it.
    setup = make_engine(empty_db_url)
    try:
        migrate(setup, "head")
        assert import_dataset(setup, WORKBOOK).ok
        accounts.add(setup, "anna", actor="test", name="Anna Andersson")
        downgrade(setup, "0004")
        assert not MEETING_TABLES & tables(setup)
    finally:
        setup.dispose()

    engine = make_engine(empty_db_url)  # a process started on the old database
    try:
        state = repository.schema_state(engine)
        assert (state.status, state.revision) == ("behind", "0004")
        change = repository.ensure_schema(engine, upgrade=True)
        assert (change.action, change.to_revision) == ("upgraded", "0005")
        assert migrations.head() == "0005"
        assert MEETING_TABLES <= tables(engine)
        with engine.connect() as conn:
            agreements = conn.execute(select(data_tables["agreements"].c.agreement_id))
            assert agreements.scalars().all() == [KRAMI]
        assert [a["login"] for a in accounts.listing(engine)] == ["anna"]

        mid = meetings.create(engine, KRAMI, "2023-Q1", "2023-04-20", by="Anna Andersson")
        meetings.checkin(engine, mid, meetings.TargetKey("occupancy"), "at_risk", "Färre",
                         "Anna Andersson")
        meetings.decide(engine, mid, "Beslut", action=("Ring", "KV", "2023-05-15"), by="Anna")
        meetings.close(engine, mid, "Anna Andersson")
        record = meetings.load_record(engine, mid)
        assert record.closed and len(record.checkins) == 1 and len(record.actions) == 1

        downgrade(engine, "0004")  # and down again: the meetings go, the rest stays
        assert not MEETING_TABLES & tables(engine)
        assert [a["login"] for a in accounts.listing(engine)] == ["anna"]
    finally:
        engine.dispose()
