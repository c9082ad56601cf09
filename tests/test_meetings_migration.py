"""Migration 0005 (the meetings' tables) on a database at 0004 (accounts), on SQLite and
PostgreSQL: the upgrade keeps the data and the accounts, adds the four tables, and the
meetings then work; the downgrade takes them away again. Migration 0007 (a target's role
in check-ins and decisions) on a database at 0006 holding a meeting: its check-ins and
decision read as targets of all roles, its action keeps its decision, and each of Krami's
two ``fte_actual`` targets then gets a check-in of its own."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

import dashboard.meetings as meetings
from dashboard.data import migrations, repository
from dashboard.data.db import data_tables, make_engine
from dashboard.data.ingest import import_dataset
from dashboard.people import accounts
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
        assert (change.action, change.to_revision) == ("upgraded", migrations.head())
        assert migrations.head() >= "0005"
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


def columns(engine, table: str) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def test_a_database_at_0006_with_checkins_upgrades_to_0007(empty_db_url):  # noqa: F811
    # A meeting as the code of 0006 wrote it: two check-ins (no role column), a decision
    # about occupancy with an action.
    setup = make_engine(empty_db_url)
    try:
        migrate(setup, "head")
        assert import_dataset(setup, WORKBOOK).ok
        downgrade(setup, "0006")  # the database as 0006 left it (the code refuses to import)
        assert "role" not in columns(setup, "meeting_checkins")
        with setup.begin() as conn:
            conn.execute(text(
                "INSERT INTO meetings (agreement_id, period, held_on, title, attendees, "
                "status, created_at, created_by) VALUES (:a, '2023-Q1', '2023-04-20', "
                "'April', '', 'open', '2023-04-20T10:00:00+00:00', 'Anna')"), {"a": KRAMI})
            mid = conn.execute(text("SELECT id FROM meetings")).scalar()
            for kpi, party, assessment, comment in (
                    ("occupancy", "", "at_risk", "Färre remisser"),
                    ("fte_actual", "KV", "on_track", "Ny handledare")):
                conn.execute(text(
                    "INSERT INTO meeting_checkins (meeting_id, kpi, cluster_id, party_id, "
                    "assessment, comment, written_by, written_at) VALUES (:m, :k, '', :p, "
                    ":a, :c, 'Anna', '2023-04-20T10:05:00+00:00')"),
                    {"m": mid, "k": kpi, "p": party, "a": assessment, "c": comment})
            conn.execute(text(
                "INSERT INTO meeting_decisions (meeting_id, text, kpi, cluster_id, party_id, "
                "written_by, written_at) VALUES (:m, 'KV ser över remisserna', 'occupancy', "
                "'', '', 'Anna', '2023-04-20T10:10:00+00:00')"), {"m": mid})
            decision = conn.execute(text("SELECT id FROM meeting_decisions")).scalar()
            conn.execute(text(
                "INSERT INTO meeting_actions (meeting_id, decision_id, agreement_id, text, "
                "owner, due, done, written_by, written_at) VALUES (:m, :d, :a, 'Ring KV', "
                "'KV', '2023-05-15', :f, 'Anna', '2023-04-20T10:10:00+00:00')"),
                {"m": mid, "d": decision, "a": KRAMI, "f": False})
    finally:
        setup.dispose()

    engine = make_engine(empty_db_url)  # a process started on the old database
    try:
        state = repository.schema_state(engine)
        assert (state.status, state.revision) == ("behind", "0006")
        change = repository.ensure_schema(engine, upgrade=True)
        assert (change.action, change.to_revision) == ("upgraded", migrations.head())
        assert {"role"} <= columns(engine, "meeting_checkins") & \
            columns(engine, "meeting_decisions")
        # What was there: targets of all roles, the action still tied to its decision.
        record = meetings.load_record(engine, mid)
        assert [(c.id, c.kpi, c.party_id, c.role, c.comment) for c in record.checkins] == [
            (1, "occupancy", None, None, "Färre remisser"),
            (2, "fte_actual", "KV", None, "Ny handledare")]
        assert record.checkin(meetings.TargetKey("fte_actual", None, "KV")).comment == \
            "Ny handledare"
        assert [(d.key, d.role) for d in record.decisions] == \
            [(meetings.TargetKey("occupancy"), None)]
        assert [a.decision_id for a in record.actions] == [decision]

        # Krami's two fte_actual targets of the whole agreement: a check-in each.
        for role, comment in (("vägledare", "KV:s vakans i mars"),
                              ("administratör", "Halvtid som avtalat")):
            meetings.checkin(engine, mid, meetings.TargetKey("fte_actual", role=role),
                             "on_track", comment, "Bo")
        record = meetings.load_record(engine, mid)
        assert sorted((c.kpi, c.party_id or "", c.role or "", c.comment)
                      for c in record.checkins) == [
            ("fte_actual", "", "administratör", "Halvtid som avtalat"),
            ("fte_actual", "", "vägledare", "KV:s vakans i mars"),
            ("fte_actual", "KV", "", "Ny handledare"),
            ("occupancy", "", "", "Färre remisser")]
        # One check-in per target and meeting, also for "no role" ('' is not NULL: the
        # unique constraint holds on both databases).
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO meeting_checkins (meeting_id, kpi, cluster_id, party_id, role, "
                "assessment, comment, written_by, written_at) VALUES (:m, 'occupancy', '', "
                "'', '', 'on_track', 'twice', 'Bo', '2023-04-20T11:00:00+00:00')"),
                {"m": mid})

        # Down again: a check-in on one role has no place in 0006; the rest stays.
        downgrade(engine, "0006")
        assert "role" not in columns(engine, "meeting_checkins") | \
            columns(engine, "meeting_decisions")
        with engine.connect() as conn:
            left = conn.execute(text("SELECT kpi, party_id, comment FROM meeting_checkins "
                                     "ORDER BY id")).all()
            tied = conn.execute(text("SELECT decision_id FROM meeting_actions")).scalars()
            assert list(tied) == [decision]
        assert [tuple(r) for r in left] == [("occupancy", "", "Färre remisser"),
                                            ("fte_actual", "KV", "Ny handledare")]
    finally:
        engine.dispose()
