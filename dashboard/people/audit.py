"""The audit log: who did what, when, from where — ids, never data.

An entry names the actor (a login, ``cli:<user>`` for the command line, ``local-admin``
for the loopback default), the action, the agreement and cluster by id, an object (an
import's id, an account's login, a meeting's id) and details made of ids and counts. Never
a figure, a cluster's or agreement's name, a file's contents, a text someone wrote, or a
file name that holds something like an identity number. Admins read it on
``/admin/audit`` (filtered by action, actor, agreement and dates) and download it as CSV
(:func:`csv_text`, every cell formula-safe).

**Only the server writes entries, from what it did.** Callers pass ids the server has
checked; :func:`record` bounds every value all the same (lengths, nesting, number of
items) and replaces any text holding an identity number in any typed form with ``…``, so
that no value a browser sent can make an entry large or put a number in the log.

Every write by people is recorded: sign-in and out, accounts and roles, imports and undos
(web and command line), meetings (created, edited, check-ins, decisions, actions, closed),
downloads. **Retention**: entries older than ``AUDIT_RETENTION_DAYS`` (default 730; ``0``
keeps everything) are deleted by ``python -m dashboard audit prune`` and, on its own, at
every :data:`PRUNE_EVERY`-th entry written (:func:`prune`); a prune is itself an entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json
import logging
import re

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard.config import load_settings
from dashboard.domain.pnr import in_typed_text, loggable_file_name
from dashboard.domain.safety import safe_cell
from dashboard.i18n import _
from dashboard.people import store

log = logging.getLogger(__name__)

ACTIONS = ("sign_in", "sign_in_failed", "sign_in_blocked", "sign_out", "account_added",
           "account_disabled", "account_enabled", "password_reset", "admin_granted",
           "admin_revoked", "role_granted", "role_revoked", "import", "import_refused", "undo",
           "undo_refused", "meeting_created", "meeting_edited", "meeting_checkin",
           "meeting_decision", "meeting_action_done", "meeting_action_reopened",
           "meeting_closed", "meeting_preread_sent", "export_chart", "export_pack",
           "audit_export", "audit_pruned", "throttle_lifted", "kolada_import",
           "kolada_fetch")

COLUMNS = ("id", "at", "actor", "action", "agreement_id", "cluster_id", "object", "detail",
           "address")

# Bounds of what an entry holds (characters; the columns' own sizes for the columns).
TEXT_LIMIT = 200  # a text inside the details
ITEMS_LIMIT = 50  # items of a list or a mapping inside the details
DETAIL_LIMIT = 4000  # the details as JSON
COLUMN_LIMITS = {"actor": 254, "agreement": 64, "cluster": 64, "obj": 254, "address": 64}
# Every this many entries, the entries older than the retention are deleted.
PRUNE_EVERY = 100
RETENTION_ACTOR = "retention"


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "cli"


def file_name(name: str | None) -> str | None:
    """A file name as the log may keep it: ``None`` when it holds an identity number."""
    return loggable_file_name(name)


def _text(value, limit: int) -> str:
    text = str(value)
    if in_typed_text(text):
        return "…"
    return text[:limit]


def _bounded(value, depth: int = 0):
    """A detail value as the log keeps it: plain JSON, bounded, no identity number."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _text(value, TEXT_LIMIT)
    if depth >= 3:
        return "…"
    if isinstance(value, dict):
        return {_text(k, 64): _bounded(v, depth + 1)
                for k, v in list(value.items())[:ITEMS_LIMIT]}
    if isinstance(value, list | tuple | set):
        return [_bounded(v, depth + 1) for v in list(value)[:ITEMS_LIMIT]]
    return _text(value, TEXT_LIMIT)


def bounded_detail(detail: dict | None) -> dict:
    """``detail`` as :func:`record` keeps it (see the module's text)."""
    kept = _bounded(detail or {})
    if not isinstance(kept, dict):
        return {}
    if len(json.dumps(kept, ensure_ascii=False)) > DETAIL_LIMIT:
        return {"truncated": True}
    return kept


def record(engine: Engine, action: str, *, actor: str, agreement: str | None = None,
           cluster: str | None = None, obj: str | None = None, detail: dict | None = None,
           address: str | None = None) -> None:
    """Add an entry. A log that cannot be written is itself logged, never raised: the
    action it records has already happened."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")

    def column(value, name: str):
        return None if value is None or value == "" else _text(value, COLUMN_LIMITS[name])

    try:
        entry_id = store.add_audit(
            engine, actor=column(actor, "actor") or "?", action=action,
            agreement_id=column(agreement, "agreement"), cluster_id=column(cluster, "cluster"),
            object=column(obj, "obj"), detail=bounded_detail(detail),
            address=column(address, "address"))
    except SQLAlchemyError:
        log.exception("the audit log could not be written (%s by %s)", action, actor)
        return
    if entry_id % PRUNE_EVERY == 0 and action != "audit_pruned":
        try:
            prune(engine, load_settings().audit_retention_days, actor=RETENTION_ACTOR)
        except (SQLAlchemyError, ValueError):
            log.exception("the audit log's old entries could not be deleted")


def prune(engine: Engine, days: int, *, actor: str, address: str | None = None) -> int:
    """Delete the entries older than ``days`` days (``0``: keep everything); how many.
    A prune that deleted something is itself an entry."""
    if days <= 0:
        return 0
    before = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).replace(microsecond=0)
    deleted = store.delete_audit_before(engine, before.isoformat().replace("+00:00", "Z"))
    if deleted:
        record(engine, "audit_pruned", actor=actor, address=address,
               detail={"entries": deleted, "days": days})
    return deleted


_AGREEMENT_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


def filters(action=None, actor=None, agreement=None, since=None, until=None) -> dict:
    """What an admin asked to see (the page's controls, the CSV's query), checked: an
    action of :data:`ACTIONS`, a part of an actor's name (at most 254 characters), an
    agreement's id, a first and a last day (``YYYY-MM-DD``); anything else is left out."""
    out: dict = {}
    if isinstance(action, str) and action in ACTIONS:
        out["action"] = action
    if isinstance(actor, str) and actor.strip():
        out["actor"] = actor.strip()[:COLUMN_LIMITS["actor"]]
    if isinstance(agreement, str) and _AGREEMENT_ID.match(agreement):
        out["agreement"] = agreement
    for key, value in (("since", since), ("until", until)):
        if isinstance(value, str) and len(value) == 10:
            try:
                out[key] = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
    return out


def action_label(action: str, lang: str) -> str:
    return _(f"audit.action.{action}", lang) if action in ACTIONS else action


def detail_text(detail: str | dict) -> str:
    """``{"rows": {"occupancy": 12}}`` as ``rows: occupancy 12``."""
    data = json.loads(detail) if isinstance(detail, str) else detail
    parts = []
    for key, value in sorted((data or {}).items()):
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


def csv_text(entries: list[dict], lang: str = "sv") -> str:
    """The entries as CSV (UTF-8 with BOM for Excel, ``;`` as Swedish Excel reads it), every
    text cell safe from formula injection."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([*COLUMNS, "what"])
    for e in entries:
        row = [e.get(c) for c in COLUMNS]
        writer.writerow([safe_cell("" if v is None else v) for v in row] +
                        [safe_cell(action_label(e["action"], lang))])
    return out.getvalue()
