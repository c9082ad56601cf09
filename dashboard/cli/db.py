"""``python -m dashboard db upgrade|current|history``: the database's schema.

``upgrade`` creates the schema in an empty database, records the revision of a database
made before migrations existed, and applies every migration it lacks, in one transaction
holding the import lock. ``current`` says where the database stands; ``history`` lists
the revisions. Exit codes as the other commands: 0 done, 1 refused (the database cannot
be used), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.exc import SQLAlchemyError

from dashboard.config import Settings
from dashboard.data import repository
from dashboard.data.migrations import SchemaNotReady, revisions
from dashboard.data.startup import (
    StartupError,
    database_message,
    masked_url,
    open_database,
    schema_message,
    upgrade_command,
)
from dashboard.i18n import _


def add_parser(sub) -> None:
    """The ``db`` command and its subcommands, on the main parser's ``sub``."""
    db = sub.add_parser("db", help="the database's schema: upgrade, current, history")
    actions = db.add_subparsers(dest="db_command", required=True)
    actions.add_parser("upgrade", help="create the schema or apply the migrations it lacks")
    actions.add_parser("current", help="the database's schema revision")
    actions.add_parser("history", help="every schema revision, oldest first")


def run(args: argparse.Namespace, settings: Settings, lang: str) -> int:
    url = settings.database_url
    try:
        engine = open_database(settings, lang, schema=False)
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    try:
        if args.db_command == "upgrade":
            return _upgrade(engine, url, lang)
        state = repository.schema_state(engine)
        if args.db_command == "current":
            print(_("cli.db.database", lang, url=masked_url(url)))
            print(_describe(state, url, lang))
            return 0
        for script in revisions():
            mark = f"  {_('cli.db.is_current', lang)}" if script.revision == state.revision else ""
            print(f"{script.revision}  {script.doc}{mark}")
        return 0
    except SQLAlchemyError as exc:
        print(database_message(exc, url, lang), file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def _upgrade(engine, url: str, lang: str) -> int:
    try:
        before, change = repository.upgrade_schema(engine)
    except SchemaNotReady as exc:
        print(schema_message(exc.state, url, lang), file=sys.stderr)
        return 1
    masked = masked_url(url)
    if before.status == "unversioned":
        print(_("cli.db.stamped", lang, url=masked, to=before.revision))
    if change is None or change.action == "stamped":
        print(_("cli.db.up_to_date", lang, url=masked, to=before.head))
    elif change.action == "created":
        print(_("cli.db.created", lang, url=masked, to=change.to_revision))
    else:
        print(_("cli.db.upgraded", lang, url=masked, from_=change.from_revision,
                 to=change.to_revision))
    return 0


def _describe(state, url: str, lang: str) -> str:
    if state.status in ("unknown", "incomplete"):
        return schema_message(state, url, lang)
    return _(f"cli.db.{state.status}", lang, revision=state.revision, head=state.head,
              command=upgrade_command(url))
