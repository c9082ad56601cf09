"""Opening the database at start: the app, gunicorn's preload and every command come here.

:func:`open_database` makes the engine, checks that the database can be reached, written
and holds text as UTF-8, and that its schema is the one this code needs (creating it in an
empty database, upgrading an older one where the settings allow). Any trouble becomes a
:class:`StartupError` whose message is one line saying what to do, in Swedish or English,
never a traceback. The database URL in messages has its password masked.
"""

from __future__ import annotations

import logging
import os
import shlex
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from dashboard.data import repository
from dashboard.config import Settings
from dashboard.data.db import make_engine
from dashboard.i18n import words
from dashboard.data.migrations import SchemaNotReady, SchemaState

log = logging.getLogger(__name__)

UPGRADE_COMMAND = ".venv/bin/python -m dashboard db upgrade"

_T = {
    "bad_url": ("DATABASE_URL ({url}) är ingen databasadress som går att använda: skriv t.ex. "
                "sqlite:////sökväg/dashboard.sqlite eller "
                "postgresql+psycopg://användare:lösenord@värd/databas.",
                "DATABASE_URL ({url}) is not a database address that can be used: write e.g. "
                "sqlite:////path/dashboard.sqlite or postgresql+psycopg://user:password@host/db."),
    "no_folder": ("Mappen {folder} för SQLite-filen finns inte: skapa den "
                  "(mkdir -p {folder}) eller ändra DATABASE_URL.",
                  "The folder {folder} for the SQLite file does not exist: create it "
                  "(mkdir -p {folder}) or change DATABASE_URL."),
    "is_folder": ("{path} är en mapp, inte en SQLite-fil: ändra DATABASE_URL.",
                  "{path} is a folder, not an SQLite file: change DATABASE_URL."),
    "read_only": ("SQLite-filen {path} går inte att skriva: ge programmets användare "
                  "skrivrätt till filen och till mappen {folder} (WAL-läget skriver filer "
                  "bredvid), eller ändra DATABASE_URL.",
                  "The SQLite file {path} cannot be written: give the program's user write "
                  "access to the file and to the folder {folder} (WAL mode writes files "
                  "beside it), or change DATABASE_URL."),
    "folder_read_only": ("Mappen {folder} går inte att skriva, och SQLite behöver skapa "
                         "filer där: ge programmets användare skrivrätt till mappen, eller "
                         "ändra DATABASE_URL.",
                         "The folder {folder} cannot be written, and SQLite needs to create "
                         "files there: give the program's user write access to it, or "
                         "change DATABASE_URL."),
    "not_sqlite": ("{path} är ingen SQLite-databas (eller är skadad): återställ den från "
                   "säkerhetskopian eller ändra DATABASE_URL.",
                   "{path} is not an SQLite database (or is damaged): restore it from the "
                   "backup or change DATABASE_URL."),
    "busy": ("Databasen är upptagen (en import eller uppgradering pågår): försök igen om en "
             "stund.",
             "The database is busy (an import or upgrade is running): try again in a "
             "while."),
    "unreachable": ("Databasen går inte att nå ({where}): kontrollera att PostgreSQL kör och "
                    "att DATABASE_URL ({url}) stämmer.",
                    "The database cannot be reached ({where}): check that PostgreSQL is "
                    "running and that DATABASE_URL ({url}) is right."),
    "login": ("PostgreSQL nekade inloggningen för användaren {user}: kontrollera användare "
              "och lösenord i DATABASE_URL ({url}).",
              "PostgreSQL refused the login of user {user}: check the user and password in "
              "DATABASE_URL ({url})."),
    "no_database": ("PostgreSQL-databasen {db} finns inte: skapa den (createdb -E UTF8 {db}) "
                    "eller ändra DATABASE_URL ({url}).",
                    "The PostgreSQL database {db} does not exist: create it "
                    "(createdb -E UTF8 {db}) or change DATABASE_URL ({url})."),
    "no_privilege": ("Användaren {user} får inte skapa eller ändra tabeller i databasen {db}: "
                     "låt användaren äga databasen, eller ge den rätt "
                     "(GRANT CREATE ON SCHEMA public TO {user}).",
                     "The user {user} may not create or change tables in the database {db}: "
                     "make the user its owner, or grant it "
                     "(GRANT CREATE ON SCHEMA public TO {user})."),
    "encoding": ("PostgreSQL-databasen {db} har teckenkodningen {encoding}, men dashboarden "
                 "behöver UTF8 (å, ä, ö): skapa en ny databas med "
                 "CREATE DATABASE {db} ENCODING 'UTF8' TEMPLATE template0 och importera "
                 "data där.",
                 "The PostgreSQL database {db} has the encoding {encoding}, but the dashboard "
                 "needs UTF8 (å, ä, ö): create a new database with "
                 "CREATE DATABASE {db} ENCODING 'UTF8' TEMPLATE template0 and import the "
                 "data there."),
    "other": ("Databasfel ({kind}): {detail} – kontrollera DATABASE_URL ({url}).",
              "Database error ({kind}): {detail} – check DATABASE_URL ({url})."),
    "behind": ("Databasens schema är äldre ({revision}) än programmets ({head}): uppgradera "
               "den först med {command}",
               "The database's schema is older ({revision}) than the program's ({head}): "
               "upgrade it first with {command}"),
    "unknown": ("Databasen har schemaversion {revision}, som den här versionen av programmet "
                "inte känner till (dess senaste är {head}): en nyare version har uppgraderat "
                "den, så använd den nyare versionen.",
                "The database has schema revision {revision}, which this version of the "
                "program does not know (its newest is {head}): a newer version upgraded it, "
                "so use that newer version."),
    "incomplete": ("Databasen ({url}) har en del av dashboardens tabeller men inte alla, och "
                   "ingen schemaversion: använd en tom databas eller återställ den från "
                   "säkerhetskopian.",
                   "The database ({url}) has some of the dashboard's tables but not all, and "
                   "no schema revision: use an empty database or restore it from the "
                   "backup."),
    "created": ("Databasen {url} fick dashboardens schema (version {to}).",
                "The database {url} was given the dashboard's schema (revision {to})."),
    "stamped": ("Databasen {url} är från före migreringarna; dess tabeller motsvarar schema "
                "{to}, och det är nu antecknat.",
                "The database {url} predates migrations; its tables match schema {to}, which "
                "is now recorded."),
    "upgraded": ("Databasen {url} uppgraderades av sig själv från schema {from_} till {to} "
                 "(AUTO_UPGRADE).",
                 "The database {url} upgraded itself from schema {from_} to {to} "
                 "(AUTO_UPGRADE)."),
}


class StartupError(Exception):
    """The database cannot be used as it is; ``str()`` is one line saying what to do."""

    exit_code = 1


def msg(key: str, lang: str, **params) -> str:
    return words(_T, key, lang, params)


def masked_url(url: str) -> str:
    """``url`` with its password shown as ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show nothing of it that could be a secret
        return "…"


def upgrade_command(url: str) -> str:
    """What to run to upgrade the database of ``url`` (the password masked)."""
    return f"DATABASE_URL={shlex.quote(masked_url(url))} {UPGRADE_COMMAND}"


def open_database(settings: Settings, lang: str = "sv", *, schema: bool = True) -> Engine:
    """An engine on ``settings.database_url``, checked (and its schema ready with ``schema``).

    Raises :class:`StartupError` with a one-line message on any trouble.
    """
    url = settings.database_url
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError, ImportError) as exc:
        raise StartupError(msg("bad_url", lang, url=masked_url(url))) from exc
    try:
        check_database(engine, lang)
        if schema:
            change = repository.ensure_schema(engine, upgrade=settings.upgrades_itself)
            if change is not None:
                report_change(change, url, lang)
    except SchemaNotReady as exc:
        engine.dispose()
        raise StartupError(schema_message(exc.state, url, lang)) from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StartupError(database_message(exc, url, lang)) from exc
    except StartupError:
        engine.dispose()
        raise
    except Exception as exc:  # a driver's surprise: still one line, never a traceback
        engine.dispose()
        log.debug("opening the database failed", exc_info=exc)
        raise StartupError(database_message(exc, url, lang)) from exc
    return engine


def check_database(engine: Engine, lang: str = "sv") -> None:
    """Reach the database; SQLite: a file that can be written; PostgreSQL: UTF-8."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        _check_sqlite_path(url.database, lang)
        # Take the write lock and give it back at once: a file SQLite can only read fails
        # here. A running import holds the lock: that is busy, not read-only.
        with engine.connect().execution_options(sqlite_begin="IMMEDIATE",
                                                import_lock_timeout=0) as conn:
            try:
                with conn.begin():
                    pass
            except OperationalError as exc:
                if not repository.is_busy_error(exc):
                    raise
    with engine.connect() as conn:
        if url.get_backend_name() == "postgresql":
            encoding = conn.execute(text("SHOW server_encoding")).scalar_one()
            if str(encoding).upper().replace("-", "") != "UTF8":
                raise StartupError(msg("encoding", lang, db=url.database, encoding=encoding))


def _check_sqlite_path(database: str | None, lang: str) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return  # in memory, or a URI whose options the user chose: SQLite will say
    path = Path(database).expanduser()
    folder = path.parent.resolve()
    if not folder.is_dir():
        raise StartupError(msg("no_folder", lang, folder=folder))
    if path.is_dir():
        raise StartupError(msg("is_folder", lang, path=path))
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StartupError(msg("read_only", lang, path=path, folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StartupError(msg("folder_read_only", lang, folder=folder))


def report_change(change: repository.SchemaChange, url: str, lang: str) -> None:
    """Log what start-up did to the schema (an upgrade as a warning: someone should know)."""
    text_ = msg(change.action, lang, url=masked_url(url), from_=change.from_revision,
                to=change.to_revision)
    if change.action == "created":
        log.info(text_)
    else:
        log.warning(text_)


def schema_message(state: SchemaState, url: str, lang: str) -> str:
    """One line for a schema this code will not use as it is."""
    if state.status == "unknown":
        return msg("unknown", lang, revision=state.revision, head=state.head)
    if state.status == "incomplete":
        return msg("incomplete", lang, url=masked_url(url))
    return msg("behind", lang, revision=state.revision or "–", head=state.head,
               command=upgrade_command(url))


_SQLSTATE = {"28P01": "login", "28000": "login", "3D000": "no_database",
             "42501": "no_privilege"}


def database_message(exc: BaseException, url: str, lang: str) -> str:
    """One line saying what to do about a database error met at start."""
    orig = getattr(exc, "orig", None) or exc
    detail = " ".join(str(orig).split())  # one line
    low = detail.lower()
    try:
        parsed = make_url(url)
    except Exception:
        parsed = None
    masked = masked_url(url)
    if parsed is not None and parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if "readonly" in low or "read-only" in low:
            return msg("read_only", lang, path=path, folder=path.parent)
        if "locked" in low or "busy" in low:
            return msg("busy", lang)
        if "not a database" in low or "malformed" in low:
            return msg("not_sqlite", lang, path=path)
        if "unable to open" in low:
            return msg("folder_read_only", lang, folder=path.parent)
    else:
        user = parsed.username if parsed is not None else "?"
        db = parsed.database if parsed is not None else "?"
        key = _SQLSTATE.get(getattr(orig, "sqlstate", None) or "")
        if key:
            return msg(key, lang, user=user, db=db, url=masked)
        if "password authentication failed" in low or "no password supplied" in low:
            return msg("login", lang, user=user, url=masked)
        if repository.is_busy_error(exc):
            return msg("busy", lang)
        if is_unreachable(exc):
            where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}" if parsed else "?"
            return msg("unreachable", lang, where=where, url=masked)
    return msg("other", lang, kind=type(orig).__name__, detail=detail[:300], url=masked)


_UNREACHABLE = ("connection refused", "could not connect", "connection failed",
                "server closed the connection", "terminating connection", "timeout expired",
                "connection timed out", "no route to host", "name or service not known",
                "could not translate host name", "the database system is starting up",
                "the database system is shutting down", "connection is closed",
                "consuming input failed", "server conn crashed", "ssl syscall error",
                "unable to open database file", "disk i/o error")


def is_unreachable(exc: BaseException) -> bool:
    """True when a database error means "cannot be reached now" (worth retrying later)."""
    if getattr(exc, "connection_invalidated", False):
        return True
    orig = getattr(exc, "orig", None) or exc
    low = " ".join(str(orig).split()).lower()
    return any(marker in low for marker in _UNREACHABLE)
