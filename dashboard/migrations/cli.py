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

from dashboard.data import repository
from dashboard.config import Settings
from dashboard.i18n import words
from dashboard.data.startup import StartupError, database_message, masked_url, open_database, schema_message, upgrade_command
from dashboard.data.migrations import SchemaNotReady, revisions

_T = {
    "created": ("Databasen {url} har fått dashboardens schema (version {to}).",
                "The database {url} now has the dashboard's schema (revision {to})."),
    "upgraded": ("Databasen {url} är uppgraderad: schema {from_} → {to}.",
                 "The database {url} is upgraded: schema {from_} → {to}."),
    "stamped": ("Databasen {url} är från före migreringarna; dess tabeller motsvarar schema "
                "{to}, vilket nu är antecknat.",
                "The database {url} predates migrations; its tables match schema {to}, "
                "which is now recorded."),
    "up_to_date": ("Databasen {url} är redan aktuell (schema {to}).",
                   "The database {url} is already up to date (schema {to})."),
    "current": ("Schema {revision}: aktuellt.", "Schema {revision}: up to date."),
    "behind": ("Schema {revision}: äldre än programmets {head}. Uppgradera med {command}",
               "Schema {revision}: older than the program's {head}. Upgrade with {command}"),
    "unversioned": ("Ingen schemaversion antecknad: databasen är från före migreringarna och "
                    "dess tabeller motsvarar schema {revision} (programmets: {head}). "
                    "{command} antecknar den och uppgraderar vid behov.",
                    "No schema revision recorded: the database predates migrations and its "
                    "tables match schema {revision} (the program's: {head}). {command} "
                    "records it and upgrades as needed."),
    "empty": ("Databasen är tom: schemat ({head}) skapas vid första användningen eller med "
              "{command}",
              "The database is empty: the schema ({head}) is created on first use or with "
              "{command}"),
    "database": ("Databas: {url}", "Database: {url}"),
    "is_current": ("← databasen", "← the database"),
}


def _t(key: str, lang: str, **kw) -> str:
    return words(_T, key, lang, kw)


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
            print(_t("database", lang, url=masked_url(url)))
            print(_describe(state, url, lang))
            return 0
        for script in revisions():
            mark = f"  {_t('is_current', lang)}" if script.revision == state.revision else ""
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
        print(_t("stamped", lang, url=masked, to=before.revision))
    if change is None or change.action == "stamped":
        print(_t("up_to_date", lang, url=masked, to=before.head))
    elif change.action == "created":
        print(_t("created", lang, url=masked, to=change.to_revision))
    else:
        print(_t("upgraded", lang, url=masked, from_=change.from_revision,
                 to=change.to_revision))
    return 0


def _describe(state, url: str, lang: str) -> str:
    if state.status in ("unknown", "incomplete"):
        return schema_message(state, url, lang)
    return _t(state.status, lang, revision=state.revision, head=state.head,
              command=upgrade_command(url))
