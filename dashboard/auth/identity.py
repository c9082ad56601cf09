"""Who is asking: the signed-in person of a request, and their rights.

One of, in this order:

1. **A trusted proxy's header** (``AUTH_HEADER``, off by default): only from the addresses
   in ``AUTH_HEADER_FROM``, and only with ``TRUSTED_PROXIES`` set; the login it names is
   the account (created without roles when ``CREATE_ACCOUNTS``).
2. **A session** made at sign-in (password or OpenID Connect): its id is in the signed
   session cookie, its row in the database (so that signing out, a password reset and a
   disabled account end it at once).
3. **The local administrator**: ``make run`` on this machine with no account yet
   (:func:`local_admin_allowed`).

Nothing else: no session, no user (:func:`current_user` is ``None``).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import secrets
from dataclasses import dataclass, field

from flask import current_app, g, has_request_context, request, session
from sqlalchemy.engine import Engine

from dashboard.people import accounts
from dashboard.people import store
from dashboard.people.rights import EVERYTHING, NOBODY, Rights
from dashboard.access.settings import AuthSettings, is_loopback

log = logging.getLogger(__name__)

LOCAL_ADMIN = "local-admin"
TOUCH_SECONDS = 60  # a session's last_seen_at is written at most once a minute
_FORWARDED = ("X-Forwarded-For", "Forwarded", "X-Real-Ip", "X-Forwarded-Host")


@dataclass
class AuthState:
    """What sign-in needs, kept on the Flask app (``server.config["DASHBOARD_AUTH"]``)."""

    settings: AuthSettings
    engine: Engine
    trusted_proxies: int = 0
    oauth: object = None
    accounts_seen: bool = False  # once an account exists, the local admin is gone for good
    header_networks: list = field(default_factory=list)


@dataclass(frozen=True)
class User:
    """The person behind a request."""

    account_id: int | None
    login: str
    name: str
    rights: Rights
    via: str  # password | oidc | header | local

    @property
    def admin(self) -> bool:
        return self.rights.admin

    @property
    def local(self) -> bool:
        return self.via == "local"

    @property
    def actor(self) -> str:
        """How the audit log names them."""
        return self.login


def state() -> AuthState:
    return current_app.config["DASHBOARD_AUTH"]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def peer_address() -> str | None:
    """The address that connected to this server (the proxy's, behind a proxy)."""
    orig = request.environ.get("werkzeug.proxy_fix.orig") or {}
    return orig.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR")


def client_address() -> str | None:
    """The user's address: the peer's, or a trusted proxy's X-Forwarded-For."""
    return request.remote_addr


def _in_networks(address: str | None, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return False
    return any(ip in net for net in networks)


def host_name(host: str) -> str:
    """``127.0.0.1:8050`` -> ``127.0.0.1``; ``[::1]:8050`` -> ``::1``."""
    if host.startswith("["):
        return host[1:host.index("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def header_networks(values: tuple[str, ...]) -> list:
    return [ipaddress.ip_network(v, strict=False) for v in values]


def user_for_account(row: dict, via: str) -> User:
    rights = Rights.of(store.roles_of(state().engine, row["id"]), admin=row["is_admin"])
    return User(row["id"], row["login"], row["name"] or row["login"], rights, via)


def local_admin_allowed() -> bool:
    """``make run`` on this machine with no account yet: the app listens on a loopback
    address, the request comes from this machine to a loopback name (not through a proxy,
    which would send forwarding headers, nor a DNS name rebound to 127.0.0.1), and neither
    single sign-on nor a proxy's header is configured."""
    st = state()
    s = st.settings
    if not s.loopback or s.auth_header or s.oidc or st.trusted_proxies:
        return False
    if not is_loopback(peer_address()) or any(h in request.headers for h in _FORWARDED):
        return False
    if not is_loopback(host_name(request.host or "")):
        return False
    if st.accounts_seen:
        return False
    if store.any_account(st.engine):
        st.accounts_seen = True
        return False
    return True


def _header_user() -> User | None:
    st = state()
    s = st.settings
    if not s.auth_header or not st.trusted_proxies:
        return None
    value = request.headers.get(s.auth_header)
    if not value:
        return None
    if not _in_networks(peer_address(), st.header_networks):
        log.warning("ignored %s from %s, which is not in AUTH_HEADER_FROM", s.auth_header,
                    peer_address())
        return None
    login = accounts.normalise_login(value)
    if login is None:
        return None
    row = store.account_by_login(st.engine, login)
    if row is None and s.create_accounts:
        accounts.add(st.engine, login, actor=f"header:{login}", source="header",
                     address=client_address())
        row = store.account_by_login(st.engine, login)
    if row is None or row["disabled"]:
        return None
    return user_for_account(row, "header")


def _session_user() -> User | None:
    token = session.get("sid")
    if not token:
        return None
    st = state()
    row = store.session_account(st.engine, token_hash(token))
    if row is None or row["disabled"]:
        session.pop("sid", None)
        return None
    if _seconds_since(row["last_seen_at"]) > TOUCH_SECONDS:
        store.touch_session(st.engine, token_hash(token))
    return user_for_account(row, row["via"])


def _seconds_since(iso: str) -> float:
    import datetime as dt

    try:
        then = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return (dt.datetime.now(dt.UTC) - then).total_seconds()


def resolve() -> User | None:
    """The person behind this request (once per request; kept on ``flask.g``)."""
    if "auth_user" in g:
        return g.auth_user
    user = _header_user() or _session_user()
    if user is None and local_admin_allowed():
        user = User(None, LOCAL_ADMIN, LOCAL_ADMIN, EVERYTHING, "local")
    g.auth_user = user
    return user


def current_user() -> User | None:
    """The signed-in person, or ``None`` (also outside a request: a background job)."""
    if not has_request_context():
        return None
    return resolve()


def current_rights() -> Rights:
    """The rights of the person asking; nobody's outside a request."""
    user = current_user()
    return user.rights if user is not None else NOBODY


def start_session(row: dict, via: str) -> None:
    """Sign ``row``'s account in: a new session (and a new CSRF token: no fixation)."""
    st = state()
    token = new_token()
    store.create_session(st.engine, token_hash(token), row["id"], via,
                         st.settings.session_hours)
    store.signed_in(st.engine, row["id"])
    session.clear()
    session.permanent = True
    session["sid"] = token
    session["csrf"] = new_token()
    g.pop("auth_user", None)


def end_session() -> None:
    token = session.get("sid")
    if token:
        store.delete_session(state().engine, token_hash(token))
    session.clear()
    g.pop("auth_user", None)
