"""Single sign-on with OpenID Connect (Authlib): the authorization-code flow with PKCE.

``/login/oidc`` sends the browser to the provider (``OIDC_ISSUER``'s discovery document
names its endpoints) with a ``state``, a ``nonce`` and a PKCE ``code_challenge`` (S256),
all kept in the signed session. ``/login/oidc/callback`` exchanges the code (with the
``code_verifier``) for tokens, and Authlib checks the ID token: signature (the provider's
JWKS), issuer, audience, expiry and nonce. The claim ``OIDC_LOGIN_CLAIM`` (default
``preferred_username``; e-mail addresses and UPNs are common in Swedish municipalities and
agencies) is the login: it names the account. An unknown login gets an account without
any role when ``CREATE_ACCOUNTS`` is on (an admin then grants roles), else a page saying to
ask for one.
"""

from __future__ import annotations

import logging

import dash
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import redirect, request, session

from dashboard.access.identity import client_address, start_session, state
from dashboard.access.settings import AuthSettings
from dashboard.i18n import _
from dashboard.people import accounts, audit, store
from dashboard.web.auth import pages
from dashboard.web.auth.common import request_lang, safe_next

log = logging.getLogger(__name__)

NAME = "sso"


def install(app: dash.Dash, auth: AuthSettings) -> OAuth:
    server = app.server
    oauth = OAuth(server)
    oauth.register(
        NAME, client_id=auth.oidc_client_id, client_secret=auth.oidc_client_secret,
        server_metadata_url=auth.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": auth.oidc_scopes, "code_challenge_method": "S256"})
    prefix = app.config.routes_pathname_prefix

    @server.route(prefix + "login/oidc", methods=["GET"], endpoint="auth_oidc")
    def start():
        session["oidc_next"] = safe_next(request.args.get("next"))
        session["oidc_lang"] = request_lang()
        redirect_uri = auth.oidc_redirect_url or \
            (request.host_url.rstrip("/") + app.get_relative_path("/login/oidc/callback"))
        try:
            return oauth.create_client(NAME).authorize_redirect(redirect_uri)
        except Exception:  # noqa: BLE001 - the provider cannot be reached or is broken
            log.exception("single sign-on could not start")
            return _failed(app, session.get("oidc_lang", "sv"), 502)

    @server.route(prefix + "login/oidc/callback", methods=["GET"], endpoint="auth_oidc_back")
    def back():
        lang = session.get("oidc_lang", "sv")
        try:
            client = oauth.create_client(NAME)
            token = client.authorize_access_token()
            claims = dict(token.get("userinfo") or {})
            if auth.oidc_login_claim not in claims:
                claims.update(client.userinfo(token=token))
        except OAuthError as exc:
            log.warning("single sign-on refused: %s", exc)
            return _failed(app, lang, 400)
        except Exception:  # noqa: BLE001
            log.exception("single sign-on failed")
            return _failed(app, lang, 502)
        return _signed_in(app, claims, auth, lang)

    return oauth


def _label(auth: AuthSettings, lang: str) -> str:
    return auth.oidc_label or _("access.sso_default", lang)


def _failed(app: dash.Dash, lang: str, status: int):
    auth = state().settings
    return pages.message_page(app, lang=lang, title=_("access.sign_in", lang),
                              text=_("access.sso_failed", lang, label=_label(auth, lang)),
                              status=status)


def _signed_in(app: dash.Dash, claims: dict, auth: AuthSettings, lang: str):
    st = state()
    value = claims.get(auth.oidc_login_claim)
    login = accounts.normalise_login(value if isinstance(value, str) else None)
    if login is None:
        return pages.message_page(app, lang=lang, title=_("access.sign_in", lang), status=403,
                                  text=_("access.sso_no_login", lang, label=_label(auth, lang),
                                          claim=auth.oidc_login_claim))
    row = store.account_by_login(st.engine, login)
    name = claims.get(auth.oidc_name_claim)
    name = name if isinstance(name, str) else ""
    if row is None:
        if not auth.create_accounts:
            audit.record(st.engine, "sign_in_failed", actor="?", address=client_address(),
                         detail={"via": "oidc", "unknown": True})
            return pages.message_page(app, lang=lang, title=_("access.sign_in", lang), status=403,
                                      text=_("access.sso_unknown", lang, login=login))
        accounts.add(st.engine, login, actor=f"oidc:{login}", name=name, source="oidc",
                     address=client_address())
        row = store.account_by_login(st.engine, login)
    if row["disabled"]:
        audit.record(st.engine, "sign_in_failed", actor=row["login"], address=client_address(),
                     detail={"via": "oidc", "disabled": True})
        return pages.message_page(app, lang=lang, title=_("access.sign_in", lang), status=403,
                                  text=_("access.disabled", lang))
    if name and not row["name"]:
        store.update_account(st.engine, row["id"], name=accounts.name_from_provider(name))

    nxt = safe_next(session.pop("oidc_next", None))
    start_session(row, "oidc")
    audit.record(st.engine, "sign_in", actor=row["login"], address=client_address(),
                 detail={"via": "oidc"})
    return redirect(nxt)
