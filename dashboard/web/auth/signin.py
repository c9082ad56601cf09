"""Sign-in wired into the app: the gate every request passes, the sign-in and sign-out
routes, the session and CSRF cookies, and the check at start.

**The gate** (a ``before_request`` after :mod:`dashboard.web`'s checks):

* a request that changes state (anything but GET/HEAD/OPTIONS) must come from this site
  (``Origin`` the app's own when sent; ``Sec-Fetch-Site`` not ``cross-site``) **and** carry
  the session's CSRF token: the ``csrf_token`` field of a form, or the ``X-CSRFToken``
  header that Dash's renderer copies from the ``_csrf_token`` cookie on every callback
  (the synchronizer-token pattern: the server compares with the token in the signed
  session, so a forged cookie does not help). The session cookie is also
  ``SameSite=Lax``, and the callback route only takes ``application/json`` (a
  cross-site form cannot send that);
* the sign-in pages, assets and the component bundles are open; everything else needs
  someone signed in (:func:`.identity.resolve`): pages redirect to ``/login?next=…``,
  callbacks answer 401 (``assets/auth.js`` then goes to the sign-in page);
* every callback is checked against its rule (:func:`.guard.check_callback`).

**Cookies**: the session cookie (``samverkan_session``: signed with ``SECRET_KEY``,
HttpOnly, SameSite=Lax, Secure whenever the request came over TLS, directly or through a
trusted proxy) holds only the session's random id and the CSRF token; ``_csrf_token``
(readable by the page's script, SameSite=Strict, Secure over TLS) holds the token again.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
from urllib.parse import urlencode

import dash
from flask import Flask, Response, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.exc import SQLAlchemyError

from dashboard.access.identity import (
    AuthState,
    client_address,
    current_user,
    end_session,
    header_networks,
    new_token,
    resolve,
    start_session,
    state,
)
from dashboard.access.settings import is_loopback, load_auth_settings, stored_secret
from dashboard.config import Settings
from dashboard.data.context import engine_of, settings_of
from dashboard.data.startup import StartupError
from dashboard.i18n import _
from dashboard.people import audit, passwords, store, throttle
from dashboard.people.accounts import normalise_login
from dashboard.people.rights import NEEDS
from dashboard.web.auth import oidc, pages
from dashboard.web.auth.common import request_lang, safe_next
from dashboard.web.auth.guard import (
    ROUTER_OUTPUT,
    Rule,
    callback_response,
    check_callback,
    record_done,
)
from dashboard.web.errors import database_down_answer, down_block, unavailable

log = logging.getLogger(__name__)

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
SESSION_COOKIE = "samverkan_session"
CALLBACK = "_dash-update-component"
PUBLIC = {"login", "logout", "logged-out", "login/oidc", "login/oidc/callback"}
OPEN_PREFIXES = ("assets/", "_dash-component-suites/", "_favicon.ico")
FORMS = {"login", "logout"}

class SecureWhenTLS(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` whenever the request came over TLS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        try:
            return request.is_secure or bool(app.config.get("SESSION_COOKIE_SECURE"))
        except RuntimeError:
            return bool(app.config.get("SESSION_COOKIE_SECURE"))


# --------------------------------------------------------------------------- start


def check_serving(st: AuthState, lang: str, host: str | None = None) -> None:
    """Refuse to start where nobody could administer the app: no active admin account,
    and the local administrator (loopback, no account yet) does not apply."""
    s = st.settings
    host = host or s.host

    if store.active_admin_exists(st.engine):
        return
    local = is_loopback(host) and not (s.auth_header or s.oidc or st.trusted_proxies)
    if local and not store.any_account(st.engine):
        return
    if not is_loopback(host):
        where = _("web.auth.signin.where_host", lang, host=host)
    elif st.trusted_proxies or s.auth_header:
        where = _("web.auth.signin.where_proxy", lang)
    elif s.oidc:
        where = _("web.auth.signin.where_sso", lang)
    else:
        where = _("web.auth.signin.where_host", lang, host=host)
    raise StartupError(_("web.auth.signin.no_admin", lang, where=where))


def check_bind(server: Flask, hosts: list[str]) -> str | None:
    """gunicorn's hook (gunicorn.conf.py): the addresses it really binds; a line saying what
    to do when the app may not serve there, else ``None``."""
    st = server.config.get("DASHBOARD_AUTH")
    settings = settings_of(server)
    if st is None:
        return None

    for host in hosts:
        if not is_loopback(host):
            try:
                check_serving(st, settings.lang if settings else "sv", host)
            except StartupError as exc:
                return str(exc)
            if not st.settings.loopback:
                continue
            # Bound beyond this machine although HOST said loopback: no local admin.
            from dataclasses import replace

            st.settings = replace(st.settings, host=host)
    return None


def install(app: dash.Dash, settings: Settings, overrides: dict | None = None) -> AuthState:
    """Sign-in for ``app`` (``create_app`` calls this once, after :mod:`dashboard.web`)."""
    auth = load_auth_settings(overrides)
    server = app.server
    lang = settings.lang
    engine = engine_of(server)
    secret = auth.secret_key or (stored_secret() if auth.loopback else None)
    if not secret:
        raise StartupError(_("web.auth.signin.no_secret", lang, host=auth.host))
    if auth.auth_header and not settings.trusted_proxies:
        raise StartupError(_("web.auth.signin.header_needs_proxy", lang, header=auth.auth_header))
    try:
        networks = header_networks(auth.auth_header_from)
    except ValueError as exc:
        raise StartupError(_("web.auth.signin.bad_header_from", lang,
                             value=" ".join(auth.auth_header_from))) \
            from exc
    prefix = app.config.routes_pathname_prefix
    server.secret_key = secret
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE, SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_PATH=prefix,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=auth.session_hours))
    server.session_interface = SecureWhenTLS()
    st = AuthState(auth, engine, settings.trusted_proxies, header_networks=networks)
    server.config["DASHBOARD_AUTH"] = st
    check_serving(st, lang)
    if auth.oidc:

        st.oauth = oidc.install(app, auth)
    _routes(app)
    server.before_request(_gate(app))
    server.after_request(_csrf_cookie(prefix))
    server.after_request(record_done)
    for page in dash.page_registry.values():
        page["layout"] = guard_layout(page["layout"], page.get("rights"))
    if not store.any_account(engine) and auth.loopback and not (
            auth.auth_header or auth.oidc or settings.trusted_proxies):
        log.warning("No accounts yet: anyone on this computer (%s) uses the app as the local "
                    "administrator, and nobody else can reach it. Create an administrator "
                    "(Administration in the app, or .venv/bin/python -m dashboard users add "
                    "LOGIN --admin): from then on, signing in is required.", auth.host)
    return st


# --------------------------------------------------------------------------- pages


def guard_layout(layout, need: str | None):
    """A page's layout for the person asking: a page that needs more than being signed in
    (``dash.register_page(..., rights="admin")``) is "not found" to others."""
    if not callable(layout) or getattr(layout, "_auth_guarded", False):
        return layout
    if need is not None and need not in NEEDS:
        raise ValueError(f"unknown rights {need!r}")
    import functools


    rule = Rule(need or "signed_in")

    @functools.wraps(layout)
    def guarded(**params):
        if not rule.allows(current_user()):
            from dashboard.web.pages.not_found_404 import layout as not_found

            lang = params.get("lang")
            return not_found(**({"lang": lang} if isinstance(lang, str) else {}))
        return layout(**params)

    guarded._auth_guarded = True
    return guarded


# --------------------------------------------------------------------------- the gate


def _path(app: dash.Dash) -> str:
    prefix = app.config.routes_pathname_prefix
    path = request.path
    return path[len(prefix):] if path.startswith(prefix) else path.lstrip("/")


def cross_site() -> bool:
    """The request came from another site (its ``Origin``, or the browser says so)."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return True
    origin = request.headers.get("Origin")
    return origin is not None and origin != request.host_url.rstrip("/")


def csrf_ok() -> bool:
    expected = session.get("csrf")
    given = request.headers.get(CSRF_HEADER) or \
        (request.form.get("csrf_token") if request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data") else None)
    return bool(expected and given) and hmac.compare_digest(str(expected), str(given))


def ensure_csrf() -> str:
    if "csrf" not in session:
        session["csrf"] = new_token()
    return session["csrf"]


def _json(status: int, message: str, **extra) -> Response:
    return Response(json.dumps({"message": message, **extra}), status=status,
                    mimetype="application/json", headers={"Cache-Control": "no-store"})


def login_href(app: dash.Dash, next_path: str | None = None, lang: str | None = None) -> str:
    home = app.get_relative_path("/")
    query = {k: v for k, v in (("next", next_path), ("lang", lang))
             if v and v != home and not (k == "lang" and v == "sv")}
    return app.get_relative_path("/login") + (f"?{urlencode(query)}" if query else "")


def _gate(app: dash.Dash):
    prefix = app.config.routes_pathname_prefix
    pages_rules = {prefix, prefix + "<path:path>"}

    def gate():
        path = _path(app)
        lang = request_lang()
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if cross_site() or not csrf_ok():
                log.warning("refused a %s to /%s: %s", request.method, path,
                            "cross-site" if cross_site() else "no CSRF token")
                if path in FORMS:
                    return pages.sign_in_page(
                        app, lang=lang, csrf=ensure_csrf(), next_path=safe_next(None),
                        error=_("access.expired_form", lang),
                        local_login=state().settings.local_login,
                        sso_label=_sso_label(lang), status=400)
                return _json(403, _("access.csrf", lang))
        if path in PUBLIC or path.startswith(OPEN_PREFIXES):
            return None
        try:
            user = resolve()
        except SQLAlchemyError as exc:
            return _database_trouble(app, exc, path, lang)
        rule = request.url_rule.rule if request.url_rule is not None else None
        if user is None:
            if request.method == "GET" and rule in pages_rules:
                nxt = request.full_path.rstrip("?")
                return redirect(login_href(app, safe_next(nxt), lang))
            if path == CALLBACK:
                return _json(401, _("access.not_signed_in", lang), login=login_href(app))
            return _json(401, _("access.not_signed_in", lang))
        if request.method == "GET" and rule in pages_rules:
            ensure_csrf()
        if path == CALLBACK and request.method == "POST":
            body = request.get_json(silent=True)
            if isinstance(body, dict):
                try:
                    return check_callback(app, body, user)
                except SQLAlchemyError as exc:
                    return _database_trouble(app, exc, path, lang)
        return None

    return gate


def _database_trouble(app: dash.Dash, exc: SQLAlchemyError, path: str, lang: str):
    why = unavailable(exc)
    if not why:
        raise exc
    log.warning("the database %s: %s", "cannot be reached" if why == "down" else
                "takes no writes", " ".join(str(exc).split())[:300])
    if path == CALLBACK:
        body = request.get_json(silent=True) or {}
        router = ROUTER_OUTPUT in str(body.get("output", ""))
        return callback_response(down_block(lang, why), router=router)
    return database_down_answer(app, lang, why)


def _csrf_cookie(prefix: str):
    def set_cookie(response: Response) -> Response:
        token = session.get("csrf")
        if token and request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, secure=request.is_secure, httponly=False,
                                samesite="Strict", path=prefix)
        elif not token and CSRF_COOKIE in request.cookies and "sid" not in session:
            response.delete_cookie(CSRF_COOKIE, path=prefix)
        return response

    return set_cookie


# --------------------------------------------------------------------------- routes


def _sso_label(lang: str) -> str | None:
    s = state().settings
    if not s.oidc:
        return None
    return s.oidc_label or _("access.sso_default", lang)


def _routes(app: dash.Dash) -> None:
    server = app.server

    def route(path: str, **kw):
        return server.route(app.config.routes_pathname_prefix + path, **kw)

    @route("login", methods=["GET"], endpoint="auth_login")
    def login_form():
        lang = request_lang()
        nxt = safe_next(request.args.get("next"))
        user = resolve()
        if user is not None and not user.local:
            return redirect(nxt)
        s = state().settings
        # ``login=`` fills in the user name (the first administrator, just made).
        login = normalise_login(request.args.get("login")) or ""
        return pages.sign_in_page(app, lang=lang, csrf=ensure_csrf(), next_path=nxt,
                                  error=None, local_login=s.local_login,
                                  sso_label=_sso_label(lang), login=login)

    @route("login", methods=["POST"], endpoint="auth_login_post")
    def login_post():
        return sign_in(app)

    @route("logout", methods=["GET"], endpoint="auth_logout")
    def logout_form():
        lang = request_lang()
        user = resolve()
        if user is None or user.local or user.via == "header":
            return redirect(login_href(app, lang=lang))
        return pages.sign_out_page(app, lang=lang, csrf=ensure_csrf(), name=user.name)

    @route("logout", methods=["POST"], endpoint="auth_logout_post")
    def logout_post():
        lang = request_lang()
        user = resolve()
        if user is not None and not user.local:
            audit.record(state().engine, "sign_out", actor=user.actor,
                         address=client_address())
        end_session()
        query = "?lang=en" if lang == "en" else ""
        return redirect(app.get_relative_path("/logged-out") + query)

    @route("logged-out", methods=["GET"], endpoint="auth_logged_out")
    def logged_out():
        return pages.signed_out_page(app, lang=request_lang())


def sign_in(app: dash.Dash) -> Response:
    """POST /login: check the throttle, then the password; a session, or the form again."""
    st = state()
    lang = request_lang()
    nxt = safe_next(request.form.get("next"))
    typed = (request.form.get("login") or "").strip()
    password = request.form.get("password") or ""
    address = client_address()

    def again(error: str, status: int) -> Response:
        return pages.sign_in_page(app, lang=lang, csrf=ensure_csrf(), next_path=nxt,
                                  error=error, local_login=st.settings.local_login,
                                  sso_label=_sso_label(lang), login=typed[:254],
                                  status=status)

    if not st.settings.local_login:
        return again(_("access.no_local", lang), 403)
    login = normalise_login(typed) or typed.lower()[:254]
    wait = throttle.wait_seconds(st.engine, login, address)
    if wait:
        row = store.account_by_login(st.engine, login)
        audit.record(st.engine, "sign_in_blocked", actor=login if row else "?",
                     address=address, detail={"wait_seconds": wait})
        return again(_("access.blocked", lang, seconds=wait), 429)
    row = store.account_by_login(st.engine, login) if normalise_login(typed) else None
    usable = row is not None and not row["disabled"]
    if passwords.verify(row["password_hash"] if usable else None, password) and usable:
        if passwords.needs_rehash(row["password_hash"]):
            store.update_account(st.engine, row["id"],
                                 password_hash=passwords.hash_password(password))
        throttle.succeeded(st.engine, login, address)
        start_session(row, "password")
        audit.record(st.engine, "sign_in", actor=row["login"], address=address,
                     detail={"via": "password"})
        return redirect(nxt)
    throttle.failed(st.engine, login, address)
    # The typed name is kept only when it is an account's (not a mistyped password).
    audit.record(st.engine, "sign_in_failed", actor=row["login"] if row else "?",
                 address=address, detail={"disabled": True} if row and row["disabled"] else {})
    return again(_("access.wrong", lang), 401)
