"""Accounts and roles: what the command line (``python -m dashboard users``) and the admin
page do, with the same checks and the same audit entries.

Every function takes the actor (who does it) and records what it did in the audit log.
Refusals raise :class:`AccountError`, whose ``code`` names a text ``access.<code>``
of the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from dashboard.domain import typed
from dashboard.people import audit, passwords, store, throttle
from dashboard.people.rights import ROLES

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@+_\-]{0,253}$")
_ID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


class AccountError(Exception):
    """Refused: ``code`` names the text, ``params`` fill it in."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class Added:
    account_id: int
    login: str
    password: str | None = None  # the generated one, shown once


@dataclass
class Granted:
    login: str
    role: str
    agreement_id: str
    cluster_id: str
    replaced: str | None = None
    notes: list[str] = field(default_factory=list)


def normalise_login(text: str | None) -> str | None:
    """``Anna.Andersson@Kommun.se `` -> ``anna.andersson@kommun.se``; None if not a login
    (also one holding an identity number in any form: single sign-on and the proxy's
    header get no account for it either)."""
    login = (text or "").strip().lower() if isinstance(text, str) else ""
    if not _LOGIN.match(login) or typed.holds_identity_number(login):
        return None
    return login


def check_login(text: str) -> str:
    """The login normalised, or :class:`AccountError` saying why it is none (never
    echoing an identity number)."""
    login = normalise_login(text)
    if login is None:
        if typed.holds_identity_number(text if isinstance(text, str) else None):
            raise AccountError("login_identity_number")
        raise AccountError("bad_login", login=typed.echo(text or "", 60))
    return login


def clean_name(name: str | None) -> str:
    """An account's name as it is kept (:func:`dashboard.domain.typed.clean`); refused
    when too long or holding an identity number."""
    try:
        return typed.clean(name if isinstance(name, str) else None, "name")
    except typed.TextRefused as exc:
        if exc.code == "too_long":
            raise AccountError("name_too_long", n=exc.limit) from None
        raise AccountError("name_identity_number") from None


def name_from_provider(name) -> str:
    """A name from single sign-on as it is kept: cleaned, or empty when it would be
    refused (the person still signs in; the name is not kept)."""
    try:
        return clean_name(name)
    except AccountError:
        return ""


def _account(engine: Engine, login: str) -> dict:
    """An existing account (one stored before logins were checked for identity numbers
    can still be disabled, reset or have its roles taken)."""
    text = (login or "").strip().lower() if isinstance(login, str) else ""
    if not _LOGIN.match(text):
        check_login(login)  # says why
    row = store.account_by_login(engine, text)
    if row is None:
        raise AccountError("no_account", login=typed.echo(text))
    return row


def add(engine: Engine, login: str, *, actor: str, name: str = "", admin: bool = False,
        password: str | None = None, source: str = "local",
        address: str | None = None) -> Added:
    """A new account; with no ``password`` (and a local account) one is generated."""
    login = check_login(login)
    name = clean_name(name) if source == "local" else name_from_provider(name)
    generated = None
    if source == "local" and password is None:
        password = generated = passwords.generate()
    if password is not None:
        reason = passwords.problem(password, login, name or "")
        if reason:
            raise AccountError(reason, n=passwords.MIN_LENGTH)
    account_id = store.create_account(
        engine, login, name, passwords.hash_password(password) if password else None,
        admin, source)
    if account_id is None:
        raise AccountError("account_exists", login=login)
    audit.record(engine, "account_added", actor=actor, obj=login, address=address,
                 detail={"admin": admin, "source": source})
    return Added(account_id, login, generated)


def grant(engine: Engine, login: str, role: str, agreement_id: str,
          cluster_id: str | None = None, *, actor: str, address: str | None = None,
          known: dict[str, set[str]] | None = None) -> Granted:
    """Give ``role`` on an agreement (or, for a viewer, on one of its clusters).

    ``known`` (agreement -> its clusters) adds a note where the agreement or cluster is not
    stored yet: a steward may be named before the first import of a new agreement."""
    account = _account(engine, login)
    if role not in ROLES:
        raise AccountError("bad_role", role=role, roles=", ".join(ROLES))
    if not _ID.match(agreement_id or ""):
        raise AccountError("bad_id", value=typed.echo(agreement_id or "", 60))
    cluster_id = cluster_id or ""
    if cluster_id and not _ID.match(cluster_id):
        raise AccountError("bad_id", value=typed.echo(cluster_id, 60))
    if cluster_id and role != "viewer":
        raise AccountError("cluster_viewer_only", role=role)
    replaced = store.set_role(engine, account["id"], agreement_id, cluster_id, role, actor)
    audit.record(engine, "role_granted", actor=actor, agreement=agreement_id,
                 cluster=cluster_id, obj=account["login"], address=address,
                 detail={"role": role, **({"replaced": replaced} if replaced else {})})
    notes = []
    if known is not None:
        if agreement_id not in known:
            notes.append("agreement_not_stored")
        elif cluster_id and cluster_id not in known[agreement_id]:
            notes.append("cluster_not_stored")
    return Granted(account["login"], role, agreement_id, cluster_id, replaced, notes)


def revoke(engine: Engine, login: str, agreement_id: str | None = None,
           cluster_id: str | None = None, *, actor: str, address: str | None = None,
           exact: bool = False) -> list[dict]:
    """Take away roles: every one (no agreement), those on an agreement (and its
    clusters), or the one on a cluster; ``exact``: only the one at that level (the
    agreement's own with ``cluster_id`` ''). Returns what was taken."""
    account = _account(engine, login)
    if cluster_id and not agreement_id:
        raise AccountError("cluster_needs_agreement")
    cluster = (cluster_id or "") if exact and agreement_id else (cluster_id or None)
    taken = store.delete_roles(engine, account["id"], agreement_id or None, cluster)
    for r in taken:
        audit.record(engine, "role_revoked", actor=actor, agreement=r["agreement_id"],
                     cluster=r["cluster_id"], obj=account["login"], address=address,
                     detail={"role": r["role"]})
    return taken


def reset_password(engine: Engine, login: str, *, actor: str, password: str | None = None,
                   address: str | None = None) -> str | None:
    """A new password (generated when none is given; returned to be shown once); the
    account's sessions end, and its failed sign-ins are forgotten (the way back in must
    not wait out the throttle)."""
    account = _account(engine, login)
    generated = None
    if password is None:
        password = generated = passwords.generate()
    reason = passwords.problem(password, account["login"], account.get("name") or "")
    if reason:
        raise AccountError(reason, n=passwords.MIN_LENGTH)
    store.update_account(engine, account["id"], password_hash=passwords.hash_password(password))
    store.delete_sessions_of(engine, account["id"])
    throttle.succeeded(engine, account["login"])
    audit.record(engine, "password_reset", actor=actor, obj=account["login"], address=address)
    return generated


def set_disabled(engine: Engine, login: str, disabled: bool, *, actor: str,
                 address: str | None = None) -> None:
    """Disable (every session ends at once) or enable an account."""
    account = _account(engine, login)
    if disabled and account["is_admin"] and not _another_admin(engine, account["id"]):
        raise AccountError("last_admin")
    store.update_account(engine, account["id"], disabled=disabled)
    if disabled:
        store.delete_sessions_of(engine, account["id"])
    audit.record(engine, "account_disabled" if disabled else "account_enabled", actor=actor,
                 obj=account["login"], address=address)


def set_admin(engine: Engine, login: str, admin: bool, *, actor: str,
              address: str | None = None) -> None:
    account = _account(engine, login)
    if not admin and account["is_admin"] and not _another_admin(engine, account["id"]):
        raise AccountError("last_admin")
    store.update_account(engine, account["id"], is_admin=admin)
    audit.record(engine, "admin_granted" if admin else "admin_revoked", actor=actor,
                 obj=account["login"], address=address)


def _another_admin(engine: Engine, account_id: int) -> bool:
    return any(a["is_admin"] and not a["disabled"] and a["id"] != account_id
               for a in store.list_accounts(engine))


def listing(engine: Engine) -> list[dict]:
    """Every account as plain data (``users list --format json``): no hashes."""
    return [{"login": a["login"], "name": a["name"], "admin": a["is_admin"],
             "disabled": a["disabled"], "source": a["source"],
             "password": a["password_hash"] is not None, "created_at": a["created_at"],
             "last_sign_in_at": a["last_sign_in_at"],
             "roles": [{"role": r["role"], "agreement_id": r["agreement_id"],
                        "cluster_id": r["cluster_id"] or None} for r in a["roles"]]}
            for a in store.list_accounts(engine)]
