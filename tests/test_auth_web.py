"""Sign-in as users meet it, with the app in a process of its own (``python app.py``,
gunicorn): the local administrator of ``make run`` and its end, refusing to start where
nobody could sign in, cookies, the sign-in throttle, signing out for real, the trusted
proxy's header, and single sign-on against a real OpenID provider (``oidc-provider-mock``,
started here)."""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard.data.db import make_engine
from dashboard.people import store
from tests.webserver import (
    Client,
    add_accounts,
    environment,
    request,
    router_body,
    run_to_end,
    serving,
)

try:  # imported now: Authlib turns its deprecation warnings on when first imported
    import oidc_provider_mock
except ImportError:  # pragma: no cover - a test dependency (pyproject.toml)
    oidc_provider_mock = None

KRAMI = "/agreements/krami-sthlm-2023"
PASSWORD = "webb-losenord-12"
PEOPLE = {"admin": (PASSWORD, True, []),
          "viewer": (PASSWORD, False, [("viewer", "krami-sthlm-2023", None)])}


def with_krami(url: str) -> None:
    """Krami's demo workbook imported before the server starts: the one agreement these
    tests draw (the server then starts with LOAD_DEMO=0 instead of importing all four)."""
    from dashboard.config import DATA_DIR
    from dashboard.data.ingest import import_dataset

    engine = make_engine(url)
    try:
        assert import_dataset(engine, DATA_DIR / "demo" / "krami-stockholm-2023.xlsx").ok
    finally:
        engine.dispose()


def set_cookies(reply) -> dict[str, str]:
    """Every Set-Cookie of a reply, by name: the whole header line."""
    return {line.split("=", 1)[0].strip(): line for line in reply.set_cookie}


def text_of(reply) -> str:
    try:
        return json.dumps(reply.json(), ensure_ascii=False)
    except ValueError:
        return reply.text


# --------------------------------------------------------------------------- make run


def test_make_run_before_the_first_account_is_the_local_administrator(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    log = tmp_path / "app.log"
    with serving(url, "app", log=log, LOAD_DEMO="1") as base:
        local = Client(base)
        assert local.get("/").status == 200
        page = local.callback(router_body("/", ""))
        assert "local-admin-banner" in page.text and "lokal administratör" in text_of(page)
        assert local.callback(router_body("/admin", "")).status == 200
        assert "accounts-table" not in page.text
        # Not through a proxy, nor by a name that only points here (DNS rebinding).
        assert local.get("/", follow=False, headers={"X-Forwarded-For": "10.0.0.9"}).status \
            == 302
        assert local.get("/", follow=False, headers={"Host": "evil.example"}).status == 302
        assert "No accounts yet: anyone on this computer" in log.read_text()
        # The first account (as the README says): from then on, everyone signs in.
        add_accounts(url, {"anna": (PASSWORD, True, [])})
        assert local.get("/", follow=False).status == 302
        assert local.callback(router_body("/", "")).status == 401
        local.sign_in("anna", PASSWORD)
        assert local.get("/").status == 200


def stopped_saying(out, *expected: str) -> str:
    """Stopped (exit code 1) with a line saying what to do, and no traceback."""
    assert out.returncode == 1, (out.returncode, out.stderr[-500:])
    assert "Traceback" not in out.stderr
    lines = [x for x in out.stderr.splitlines() if all(e in x for e in expected)]
    assert lines, out.stderr[-800:]
    return lines[-1]


def test_the_app_never_serves_beyond_this_machine_without_sign_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    line = stopped_saying(run_to_end("app", url, HOST="0.0.0.0", LOAD_DEMO="0",
                                     SECRET_KEY="s" * 48),
                          "users add LOGIN --admin", "på 0.0.0.0")
    assert line.startswith("Inget aktivt administratörskonto finns")
    stopped_saying(run_to_end("app", url, HOST="0.0.0.0", LOAD_DEMO="0"), "SECRET_KEY saknas")
    stopped_saying(run_to_end("app", url, TRUSTED_PROXIES="1", LOAD_DEMO="0"),
                   "bakom en proxy", "users add LOGIN --admin")
    stopped_saying(run_to_end("app", url, AUTH_HEADER="X-Remote-User", LOAD_DEMO="0"),
                   "AUTH_HEADER=X-Remote-User kräver TRUSTED_PROXIES")
    # gunicorn told to bind everywhere though HOST says this machine: refused too.
    import subprocess
    import sys
    from pathlib import Path

    from dashboard.config import PROJECT_ROOT
    from tests.webserver import free_port

    gunicorn = Path(sys.executable).parent / "gunicorn"
    done = subprocess.run([str(gunicorn), "-c", "gunicorn.conf.py", "--bind",
                           f"0.0.0.0:{free_port()}", "dashboard.wsgi:server"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          env=environment(url, LOAD_DEMO="0", SECRET_KEY="s" * 48))
    stopped_saying(done, "Inget aktivt administratörskonto finns", "på 0.0.0.0")


# --------------------------------------------------------------------------- passwords


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("signin")
    url = f"sqlite:///{folder / 'app.sqlite'}"
    add_accounts(url, {**PEOPLE, "throttled": (PASSWORD, False, [])})
    # Signing in and out needs no data (make run's demo: the first test of this file).
    with serving(url, "app", log=folder / "app.log", LOAD_DEMO="0") as base:
        yield base, url


def test_cookies_are_http_only_same_site_and_hold_no_identity(app_url):
    base, _ = app_url
    person = Client(base)
    page = person.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    reply = person.post("/login", f"login=viewer&password={PASSWORD}&csrf_token={token}"
                        .encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 302
    cookies = set_cookies(reply)
    session = cookies["samverkan_session"].lower()
    assert "httponly" in session and "samesite=lax" in session and "path=/" in session
    assert "secure" not in session  # plain HTTP here; over TLS it is Secure (below)
    csrf = cookies["_csrf_token"].lower()
    assert "samesite=strict" in csrf and "httponly" not in csrf
    assert "viewer" not in cookies["samverkan_session"]  # an id, signed; no login in it
    assert person.cookie("_csrf_token") != token  # a new token for the new session


def test_signing_out_ends_the_session_on_the_server(app_url):
    base, _ = app_url
    person = Client(base)
    person.sign_in("viewer", PASSWORD)
    copied = SimpleCookie()
    copied["samverkan_session"] = person.cookie("samverkan_session")
    assert person.get("/", follow=False).status == 200
    out = person.form("/logout", {})
    assert out.status == 302 and out.headers["Location"] == "/logged-out"
    stolen = request(base + "/", headers={"Cookie": copied.output(header="").strip()},
                     follow=False)
    assert stolen.status == 302 and stolen.headers["Location"].startswith("/login")


def test_wrong_passwords_are_slowed_down_per_login(app_url):
    base, url = app_url
    person = Client(base)
    for _ in range(5):
        assert person.form("/login", {"login": "throttled", "password": "nope"}).status == 401
    blocked = person.form("/login", {"login": "throttled", "password": PASSWORD})
    assert blocked.status == 429 and "Försök igen om" in blocked.text
    # Another login from the same address is still tried (its own count).
    assert person.form("/login", {"login": "admin", "password": PASSWORD}).status == 302
    engine = make_engine(url)
    try:
        actions = [e["action"] for e in store.audit_entries(engine, 10)]
        assert "sign_in_blocked" in actions and "sign_in_failed" in actions
        failed = [e for e in store.audit_entries(engine, None, action="sign_in_failed")]
        assert {e["actor"] for e in failed} == {"throttled"}
    finally:
        engine.dispose()


def test_an_unknown_login_is_not_told_apart_and_not_logged(app_url):
    base, url = app_url
    person = Client(base)
    typed = "mitt-hemliga-lösenord"  # a password typed in the login field
    reply = person.form("/login", {"login": typed, "password": "x"})
    assert reply.status == 401 and "Fel användarnamn eller lösenord." in reply.text
    engine = make_engine(url)
    try:
        entries = store.audit_entries(engine, 5, action="sign_in_failed")
        assert entries and entries[0]["actor"] == "?" and typed not in json.dumps(entries)
    finally:
        engine.dispose()


def test_after_sign_in_only_addresses_of_the_app(app_url):
    base, _ = app_url
    person = Client(base)
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        reply = person.form("/login", {"login": "viewer", "password": PASSWORD,
                                       "next": evil})
        assert reply.status == 302 and reply.headers["Location"] == "/", evil


# --------------------------------------------------------------------------- a proxy


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    folder = tmp_path_factory.mktemp("header")
    url = f"sqlite:///{folder / 'app.sqlite'}"
    add_accounts(url, PEOPLE)
    with_krami(url)
    with serving(url, "gunicorn", log=folder / "g.log", LOAD_DEMO="0", TRUSTED_PROXIES="1",
                 AUTH_HEADER="X-Remote-User", SECRET_KEY="p" * 48) as base:
        yield base, url


def test_the_proxys_header_signs_in_and_makes_unknown_people_without_roles(proxied):
    base, url = proxied
    as_viewer = Client(base)
    headers = {"X-Remote-User": "Viewer"}
    assert as_viewer.get("/", headers=headers).status == 200
    drawn = as_viewer.callback(router_body(KRAMI, ""), headers=headers)
    assert "kpi-table" in drawn.text
    stranger = Client(base)
    page = stranger.callback(router_body("/", ""), headers={"X-Remote-User": "ny@kommun.se"})
    assert "ingen behörighet" in text_of(page)
    engine = make_engine(url)
    try:
        made = store.account_by_login(engine, "ny@kommun.se")
        assert made["source"] == "header" and store.roles_of(engine, made["id"]) == []
    finally:
        engine.dispose()
    # Over TLS (the proxy says so): the cookies are Secure (and this plain-HTTP client
    # would not send them back).
    tls = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.1.1"}
    cookies = set_cookies(Client(base).get("/login", headers=tls))
    assert "; secure" in cookies["samverkan_session"].lower()
    assert "; secure" in cookies["_csrf_token"].lower()


def test_the_header_is_believed_only_from_the_proxys_address(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    add_accounts(url, PEOPLE)
    with serving(url, "app", LOAD_DEMO="0", TRUSTED_PROXIES="1", AUTH_HEADER="X-Remote-User",
                 AUTH_HEADER_FROM="10.9.9.9", SECRET_KEY="q" * 48) as base:
        reply = request(base + "/", headers={"X-Remote-User": "admin"}, follow=False)
        assert reply.status == 302 and reply.headers["Location"].startswith("/login")


# --------------------------------------------------------------------------- OpenID Connect


@pytest.fixture(scope="module")
def provider():
    if oidc_provider_mock is None:
        pytest.skip("oidc-provider-mock is not installed (pip install -e '.[test]')")
    import os

    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the provider's own check (plain HTTP)
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso(provider, tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc")
    url = f"sqlite:///{folder / 'app.sqlite'}"
    add_accounts(url, PEOPLE)
    with_krami(url)
    with serving(url, "app", log=folder / "app.log", LOAD_DEMO="0", OIDC_ISSUER=provider,
                 OIDC_CLIENT_ID="samverkan", OIDC_CLIENT_SECRET="hemligt",
                 OIDC_LABEL="Kommunens konto", AUTHLIB_INSECURE_TRANSPORT="1",
                 SECRET_KEY="o" * 48) as base:
        yield base, url


def set_user(provider: str, sub: str, claims: dict) -> None:
    reply = request(f"{provider}/users/{sub}", json.dumps(claims).encode(),
                    {"Content-Type": "application/json"}, method="PUT")
    assert reply.status == 204, reply.text


def single_sign_on(base: str, provider: str, sub: str, next_path: str = "/") -> Client:
    person = Client(base)
    page = person.get("/login")
    assert "Logga in med Kommunens konto" in page.text
    start = person.get(f"/login/oidc?next={next_path}", follow=False)
    assert start.status == 302
    authorize = start.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(provider + "/oauth2/authorize")
    assert query["response_type"] == ["code"] and query["client_id"] == ["samverkan"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["nonce"] and query["state"] and "openid" in query["scope"][0]
    back = request(authorize, f"sub={sub}".encode(),
                   {"Content-Type": "application/x-www-form-urlencoded"}, follow=False)
    assert back.status == 302 and back.headers["Location"].startswith(base)
    done = person.get(back.headers["Location"][len(base):], follow=False)
    assert done.status == 302, done.text[:300]
    assert done.headers["Location"] == next_path
    return person


def test_single_sign_on_with_a_real_provider(sso, provider):
    base, url = sso
    set_user(provider, "u-123", {"preferred_username": "Viewer", "name": "Vera Viewer"})
    person = single_sign_on(base, provider, "u-123", KRAMI)
    assert "kpi-table" in person.callback(router_body(KRAMI, "")).text  # viewer's rights
    set_user(provider, "u-456", {"preferred_username": "okand@kommun.se", "name": "Ny"})
    stranger = single_sign_on(base, provider, "u-456")
    assert "ingen behörighet" in text_of(stranger.callback(router_body("/", "")))
    engine = make_engine(url)
    try:
        made = store.account_by_login(engine, "okand@kommun.se")
        assert made["source"] == "oidc" and made["name"] == "Ny"
        assert made["password_hash"] is None
        via = [json.loads(e["detail"]).get("via") for e in
               store.audit_entries(engine, 10, action="sign_in")]
        assert via[:2] == ["oidc", "oidc"]
    finally:
        engine.dispose()


def test_a_forged_answer_from_the_provider_is_refused(sso, provider):
    base, _ = sso
    set_user(provider, "u-789", {"preferred_username": "viewer"})
    person = Client(base)
    start = person.get("/login/oidc", follow=False)
    authorize = start.headers["Location"].replace("state=", "state=x")  # not our state
    back = request(authorize, b"sub=u-789",
                   {"Content-Type": "application/x-www-form-urlencoded"}, follow=False)
    reply = person.get(back.headers["Location"][len(base):], follow=False)
    assert reply.status == 400 and "misslyckades" in reply.text
    assert person.get("/", follow=False).status == 302  # not signed in
