"""The audit log: who did what, when, from where — ids, never data.

An entry names the actor (a login, ``cli:<user>`` for the command line, ``local-admin``
for the loopback default), the action, the agreement and cluster by id, an object (an
import's id, an account's login) and details made of ids and counts. Never a figure, a
cluster's or agreement's name, a file's contents, or a file name that holds something like
an identity number. Admins read it on ``/admin/audit`` and download it as CSV
(:func:`csv_text`, every cell formula-safe).
"""

from __future__ import annotations

import csv
import getpass
import io
import json
import logging

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from dashboard.domain.pnr import loggable_file_name
from dashboard.domain.safety import safe_cell
from dashboard.i18n import _
from dashboard.people import store

log = logging.getLogger(__name__)

ACTIONS = ("sign_in", "sign_in_failed", "sign_in_blocked", "sign_out", "account_added",
           "account_disabled", "account_enabled", "password_reset", "admin_granted",
           "admin_revoked", "role_granted", "role_revoked", "import", "import_refused", "undo",
           "export_chart", "export_pack", "audit_export", "throttle_lifted")

COLUMNS = ("id", "at", "actor", "action", "agreement_id", "cluster_id", "object", "detail",
           "address")


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "cli"


def file_name(name: str | None) -> str | None:
    """A file name as the log may keep it: ``None`` when it holds an identity number."""
    return loggable_file_name(name)


def record(engine: Engine, action: str, *, actor: str, agreement: str | None = None,
           cluster: str | None = None, obj: str | None = None, detail: dict | None = None,
           address: str | None = None) -> None:
    """Add an entry. A log that cannot be written is itself logged, never raised: the
    action it records has already happened."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    try:
        store.add_audit(engine, actor=actor[:254], action=action, agreement_id=agreement,
                        cluster_id=cluster or None, object=None if obj is None else str(obj),
                        detail=detail or {}, address=address)
    except SQLAlchemyError:
        log.exception("the audit log could not be written (%s by %s)", action, actor)


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
