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

from dashboard.config import Settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.migrations import SchemaNotReady, SchemaState
from dashboard.i18n import _

log = logging.getLogger(__name__)

UPGRADE_COMMAND = ".venv/bin/python -m dashboard db upgrade"

class StartupError(Exception):
    """The database cannot be used as it is; ``str()`` is one line saying what to do."""

    exit_code = 1


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
        raise StartupError(_("data.startup.bad_url", lang, url=masked_url(url))) from exc
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
                raise StartupError(_("data.startup.encoding", lang, db=url.database,
                                     encoding=encoding))


def _check_sqlite_path(database: str | None, lang: str) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return  # in memory, or a URI whose options the user chose: SQLite will say
    path = Path(database).expanduser()
    folder = path.parent.resolve()
    if not folder.is_dir():
        raise StartupError(_("data.startup.no_folder", lang, folder=folder))
    if path.is_dir():
        raise StartupError(_("data.startup.is_folder", lang, path=path))
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StartupError(_("data.startup.read_only", lang, path=path, folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StartupError(_("data.startup.folder_read_only", lang, folder=folder))


def report_change(change: repository.SchemaChange, url: str, lang: str) -> None:
    """Log what start-up did to the schema (an upgrade as a warning: someone should know)."""
    text_ = _(f"data.startup.{change.action}", lang, url=masked_url(url),
              from_=change.from_revision,
                to=change.to_revision)
    if change.action == "created":
        log.info(text_)
    else:
        log.warning(text_)


def schema_message(state: SchemaState, url: str, lang: str) -> str:
    """One line for a schema this code will not use as it is."""
    if state.status == "unknown":
        return _("data.startup.unknown", lang, revision=state.revision, head=state.head)
    if state.status == "incomplete":
        return _("data.startup.incomplete", lang, url=masked_url(url))
    return _("data.startup.behind", lang, revision=state.revision or "–", head=state.head,
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
            return _("data.startup.read_only", lang, path=path, folder=path.parent)
        if "locked" in low or "busy" in low:
            return _("data.startup.busy", lang)
        if "not a database" in low or "malformed" in low:
            return _("data.startup.not_sqlite", lang, path=path)
        if "unable to open" in low:
            return _("data.startup.folder_read_only", lang, folder=path.parent)
    else:
        user = parsed.username if parsed is not None else "?"
        db = parsed.database if parsed is not None else "?"
        key = _SQLSTATE.get(getattr(orig, "sqlstate", None) or "")
        if key:
            return _(f"data.startup.{key}", lang, user=user, db=db, url=masked)
        if "password authentication failed" in low or "no password supplied" in low:
            return _("data.startup.login", lang, user=user, url=masked)
        if repository.is_busy_error(exc):
            return _("data.startup.busy", lang)
        if is_unreachable(exc):
            where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}" if parsed else "?"
            return _("data.startup.unreachable", lang, where=where, url=masked)
    return _("data.startup.other", lang, kind=type(orig).__name__, detail=detail[:300], url=masked)


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


_READ_ONLY = ("attempt to write a readonly database", "read-only transaction",
              "read-only file system", "readonly database", "hot standby")


def is_read_only(exc: BaseException) -> bool:
    """True when a database error means "takes no writes now": a SQLite file that cannot
    be written, a PostgreSQL standby or read-only transaction (SQLSTATE 25006)."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) == "25006":
        return True
    low = " ".join(str(orig).split()).lower()
    return any(marker in low for marker in _READ_ONLY)
