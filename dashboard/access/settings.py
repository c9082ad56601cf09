"""Settings of sign-in: defaults, then environment variables, then explicit overrides.

=========================  =================================  ==============================
setting                    environment variable               default
=========================  =================================  ==============================
host                       ``HOST`` (where the app listens)   ``127.0.0.1``
secret_key                 ``SECRET_KEY``                     loopback: made once, kept in
                                                              ``data/secret_key``; else none
session_hours              ``SESSION_HOURS``                  10 (a working day)
local_login                ``LOCAL_LOGIN`` (``0``: SSO only)  on
auth_header                ``AUTH_HEADER`` (e.g.              off
                           ``X-Remote-User``)
auth_header_from           ``AUTH_HEADER_FROM`` (addresses    ``127.0.0.1 ::1``
                           or networks of the proxy)
oidc_issuer                ``OIDC_ISSUER`` (URL)              off
oidc_client_id, _secret    ``OIDC_CLIENT_ID``,                none
                           ``OIDC_CLIENT_SECRET``
oidc_scopes                ``OIDC_SCOPES``                    ``openid profile email``
oidc_login_claim           ``OIDC_LOGIN_CLAIM``               ``preferred_username``
oidc_name_claim            ``OIDC_NAME_CLAIM``                ``name``
oidc_label                 ``OIDC_LABEL`` (the button)        "organisationens konto"
oidc_redirect_url          ``OIDC_REDIRECT_URL``              this app's address +
                                                              ``/login/oidc/callback``
create_accounts            ``CREATE_ACCOUNTS`` (SSO and       on: an unknown login gets an
                           proxy users)                       account without any role
upload_dir                 ``UPLOAD_DIR``                     a private folder in the
                                                              system's temporary folder,
                                                              one per database
upload_minutes             ``UPLOAD_MINUTES``                 60: an upload not imported
                                                              by then is deleted
=========================  =================================  ==============================
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, fields, replace
from pathlib import Path

from dashboard.config import DATA_DIR

SECRET_FILE = DATA_DIR / "secret_key"
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


@dataclass(frozen=True)
class AuthSettings:
    host: str = "127.0.0.1"
    secret_key: str | None = None
    session_hours: float = 10.0
    local_login: bool = True
    auth_header: str | None = None
    auth_header_from: tuple[str, ...] = ("127.0.0.1", "::1")
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    oidc_login_claim: str = "preferred_username"
    oidc_name_claim: str = "name"
    oidc_label: str | None = None
    oidc_redirect_url: str | None = None
    create_accounts: bool = True
    upload_dir: str | None = None
    upload_minutes: float = 60.0

    @property
    def oidc(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def loopback(self) -> bool:
        """Whether the app listens on this machine only (127.0.0.0/8, ::1, localhost)."""
        return is_loopback(self.host)


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _yes(text: str) -> bool:
    return text.strip().lower() not in ("0", "false", "no", "nej", "off")


def load_auth_settings(overrides: dict | None = None, environ=None) -> AuthSettings:
    """Merge defaults, environment and ``overrides`` (tests, ``app.py --host``)."""
    env = os.environ if environ is None else environ
    values: dict = {}
    text_settings = {"HOST": "host", "SECRET_KEY": "secret_key", "AUTH_HEADER": "auth_header",
                     "OIDC_ISSUER": "oidc_issuer", "OIDC_CLIENT_ID": "oidc_client_id",
                     "OIDC_CLIENT_SECRET": "oidc_client_secret", "OIDC_SCOPES": "oidc_scopes",
                     "OIDC_LOGIN_CLAIM": "oidc_login_claim",
                     "OIDC_NAME_CLAIM": "oidc_name_claim", "OIDC_LABEL": "oidc_label",
                     "OIDC_REDIRECT_URL": "oidc_redirect_url", "UPLOAD_DIR": "upload_dir"}
    for variable, name in text_settings.items():
        if env.get(variable, "").strip():
            values[name] = env[variable].strip()
    for variable, name in (("SESSION_HOURS", "session_hours"),
                           ("UPLOAD_MINUTES", "upload_minutes")):
        if env.get(variable, "").strip():
            values[name] = float(env[variable])
    for variable, name in (("LOCAL_LOGIN", "local_login"),
                           ("CREATE_ACCOUNTS", "create_accounts")):
        if env.get(variable, "").strip():
            values[name] = _yes(env[variable])
    if env.get("AUTH_HEADER_FROM", "").strip():
        values["auth_header_from"] = tuple(env["AUTH_HEADER_FROM"].replace(",", " ").split())
    settings = AuthSettings(**values)
    if overrides:
        known = {f.name for f in fields(AuthSettings)}
        settings = replace(settings, **{k: v for k, v in overrides.items() if k in known})
    return settings


def stored_secret(path: Path = SECRET_FILE) -> str:
    """The secret kept in the data folder for the loopback default, made on first use
    (readable by the program's user only)."""
    if path.exists():
        text = path.read_text(encoding="ascii").strip()
        if len(text) >= 32:
            return text
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secret + "\n")
    return secret
