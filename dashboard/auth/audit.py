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

from dashboard.domain.safety import safe_cell
from dashboard.people import store

try:  # the ingest rewrite's name for the check
    from dashboard.domain.pnr import contains_identity_number as _has_identity_number
except ImportError:  # pragma: no cover - before the rewrite
    from dashboard.domain.pnr import looks_like_identity_number as _has_identity_number

log = logging.getLogger(__name__)

ACTIONS = {
    "sign_in": ("Inloggning", "Sign-in"),
    "sign_in_failed": ("Misslyckad inloggning", "Failed sign-in"),
    "sign_in_blocked": ("Inloggning spärrad (för många försök)",
                        "Sign-in blocked (too many attempts)"),
    "sign_out": ("Utloggning", "Sign-out"),
    "account_added": ("Konto skapat", "Account added"),
    "account_disabled": ("Konto avstängt", "Account disabled"),
    "account_enabled": ("Konto återöppnat", "Account enabled"),
    "password_reset": ("Lösenord återställt", "Password reset"),
    "admin_granted": ("Administratör utsedd", "Made admin"),
    "admin_revoked": ("Administratörsrätt borttagen", "Admin right taken"),
    "role_granted": ("Roll tilldelad", "Role granted"),
    "role_revoked": ("Roll borttagen", "Role revoked"),
    "import": ("Import", "Import"),
    "import_refused": ("Import avvisad", "Import refused"),
    "undo": ("Import ångrad", "Import undone"),
    "export_chart": ("Diagram nedladdat", "Chart downloaded"),
    "export_pack": ("Mötespaket beställt", "Meeting pack requested"),
    "audit_export": ("Granskningsloggen exporterad", "Audit log exported"),
}

COLUMNS = ("id", "at", "actor", "action", "agreement_id", "cluster_id", "object", "detail",
           "address")


def cli_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "cli"


def file_name(name: str | None) -> str | None:
    """A file name as the log may keep it: ``None`` when it holds an identity number."""
    if not name or _has_identity_number(name):
        return None
    return name[:200]


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
    words = ACTIONS.get(action)
    return words[0 if lang == "sv" else 1] if words else action


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
