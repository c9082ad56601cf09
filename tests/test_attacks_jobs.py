"""Issue 17, attacks 4, 5 and 12, against the running app over real HTTP, on SQLite and
PostgreSQL (one gunicorn per database for the module, as ``make serve`` runs it).

4. **A replayed job handle**: a signed-in person without a role replays the handle of
   someone else's meeting pack: refused (404) while it runs and after, nothing downloaded;
   the owner still gets theirs; while the owner's role is revoked, nothing for them either;
   the handle stands in no line of the access log.
5. **Weak passwords**: refused by ``users add``, ``users password`` and the admin's form,
   each with the reason, in the user's language; nothing stored.
12. **Lockout of a victim**: an attacker at one address guessing a victim's password is
   slowed; the victim, from their own address, signs in right after; an administrator
   sees the throttles and lifts them (page and command line), audited.
"""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile

import pytest

from dashboard.config import DATA_DIR
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.i18n import _
from dashboard.people import accounts, passwords, store
from tests.browser.support import chromium_path
from tests.cli import run_cli
from tests.conftest import BACKENDS
from tests.needs import missing
from tests.webserver import (
    Client,
    add_accounts,
    callback_of,
    pack_poll_body,
    pack_start_body,
    router_body,
    serving,
)

KRAMI, JARFALLA = "krami-sthlm-2023", "jarfalla-af-2023"
PASSWORD = "Ordning-Och-Reda-17"
PEOPLE = {
    "admin": (PASSWORD, True, []),
    "anna": (PASSWORD, False, [("member", JARFALLA, None)]),
    "bertil": (PASSWORD, False, [("member", KRAMI, None)]),
    "nils": (PASSWORD, False, []),  # signed in, no role
}


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, tmp_path_factory):
    """gunicorn on the demo data, its log (the access log) in a file; the database URL."""
    folder = tmp_path_factory.mktemp(f"attacks-jobs-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'app.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    engine = make_engine(url)
    repository.ensure_schema(engine)  # no account yet: the first administrator is made below
    for name in ("jarfalla-af-2023.xlsx", "krami-stockholm-2023.xlsx"):  # the small ones
        assert import_dataset(engine, DATA_DIR / "demo" / name).ok
    engine.dispose()
    log = folder / "gunicorn.log"
    with serving(url, "gunicorn", log=log, LOAD_DEMO="0", EXPORT_BROWSERS="1",
                 JOBS_DIR=str(folder / "jobs"), CACHE_DIR="") as base:
        yield base, url, log
    if request.param != "sqlite":
        request.getfixturevalue("postgres_server").drop_database(url)


@pytest.fixture
def people(served):
    """Every account of :data:`PEOPLE` (those missing added; the first administrator is
    made through the form by the first test)."""
    base, url, __ = served
    engine = make_engine(url)
    try:
        missing_people = {k: v for k, v in PEOPLE.items()
                          if store.account_by_login(engine, k) is None}
    finally:
        engine.dispose()
    add_accounts(url, missing_people)
    return served


def signed_in(base: str, login: str, source: str | None = None) -> Client:
    client = Client(base, source)
    client.sign_in(login, PASSWORD)
    return client


# --------------------------------------------------------------------------- 5: passwords

WEAK = {  # the password, the reason's text (its id), for the login FIRST
    "aaaaaaaaaaaa": "access.password_repeated",
    "password1234": "access.password_common",
    "sommar2024!!": "access.password_common",
    "Vinter-2023-vinter": "access.password_common",
    "Välkommen2025": "access.password_common",
    "karin.lindqvist": "access.password_like_login",  # the login itself
    "Karin.Lindqvist-1": "access.password_like_login",
    "kort-lösen": "access.password_short",
}
FIRST = "karin.lindqvist"


def first_admin_body(client: Client, login: str, password: str) -> dict:
    """The admin page's *Skapa konto* as the local administrator sends it (the first
    account: the password typed twice)."""
    fields = [("new-login", login), ("new-name", "Karin Lindqvist"), ("new-admin", ["admin"]),
              ("new-password", password), ("new-password-again", password)]
    return {**callback_of(client, "new-account.n_clicks"),
            "inputs": [{"id": "new-account", "property": "n_clicks", "value": 1}],
            "state": [*({"id": i, "property": "value", "value": v} for i, v in fields),
                      {"id": "admin-state", "property": "data", "value": {"lang": "sv"}}],
            "changedPropIds": ["new-account.n_clicks"]}


def test_weak_passwords_are_refused_by_the_first_administrators_form(served):
    """Before any account: the local administrator's form refuses each weak password, says
    why, stores nothing; a good one makes the first administrator."""
    base, url, __ = served
    local = Client(base)  # this machine, no account yet: the local administrator
    engine = make_engine(url)
    try:
        assert not store.any_account(engine), "this test runs first for each database"
        for password, reason in WEAK.items():
            answer = local.callback(first_admin_body(local, FIRST, password))
            assert answer.status == 200, answer.text[:300]
            said = json.dumps(answer.json(), ensure_ascii=False)
            assert "admin-refused" in said and _(reason, "sv", n=12) in said, (password, said)
            assert not store.any_account(engine)
        answer = local.callback(first_admin_body(local, FIRST, PASSWORD))
        assert "admin-first-done" in answer.text, answer.text[:300]
        row = store.account_by_login(engine, FIRST)
        assert row is not None and row["is_admin"]
    finally:
        engine.dispose()
    signed_in(base, FIRST)  # the chosen password works


def test_weak_passwords_are_refused_by_the_command_line(people):
    base, url, __ = people
    for password, reason in WEAK.items():
        done = run_cli(url, "users", "add", FIRST.replace("karin", "kalle"), "--password-stdin",
                       stdin=password + "\n")
        if reason == "access.password_like_login":  # like Karin's login, not Kalle's
            continue
        assert done.returncode == 1 and _(reason, "sv", n=12) in done.stderr, (password, done)
        changed = run_cli(url, "users", "password", FIRST, "--password-stdin",
                          stdin=password + "\n", lang="en")
        assert changed.returncode == 1 and _(reason, "en", n=12) in changed.stderr, \
            (password, changed)
    assert run_cli(url, "users", "password", FIRST, "--password-stdin",
                   stdin=f"{FIRST}\n").returncode == 1
    engine = make_engine(url)
    try:
        assert store.account_by_login(engine, "kalle.lindqvist") is None
        assert passwords.verify(store.account_by_login(engine, FIRST)["password_hash"],
                                PASSWORD)  # unchanged
    finally:
        engine.dispose()
    signed_in(base, FIRST)


# --------------------------------------------------------------------------- 12: throttle


def test_an_attacker_is_slowed_and_the_victim_signs_in_from_their_own_address(people):
    base, url, __ = people
    attacker = Client(base, source="127.0.0.2")
    answers = [attacker.form("/login", {"login": "anna", "password": f"gissning-{i}"}).status
               for i in range(18)]
    # Five guesses are looked at, then the address waits 1, 2, 4 … s before the next one
    # is (a guess while it waits: 429, the password not even checked).
    assert answers[:5] == [401] * 5 and answers.count(429) >= 9, answers
    # Anna, right after, from her own address: in at once, with her password.
    anna = Client(base, source="127.0.0.3")
    assert anna.sign_in("anna", PASSWORD).status == 302
    assert anna.get("/", follow=False).status == 200

    # An administrator sees the delay: on the admin page, and on the command line.
    admin = signed_in(base, FIRST)
    page = admin.callback(router_body("/admin"))
    shown = json.dumps(page.json(), ensure_ascii=False)
    assert "throttles-table" in shown and "127.0.0.2" in shown and "anna" in shown
    listed = json.loads(run_cli(url, "users", "throttles", "--format", "json").stdout)
    pair = next(t for t in listed if t["kind"] == "pair" and t["login"] == "anna")
    assert pair["address"] == "127.0.0.2" and pair["failures"] == answers.count(401)

    # ... and lifts it on the page (audited); the attacker's address may try again.
    lift = {**callback_of(admin, "{\"key\":[\"ALL\"],\"type\":\"throttle-lift\"}.n_clicks"),
            "inputs": [[{"id": {"type": "throttle-lift", "key": pair["key"]},
                         "property": "n_clicks", "value": 1}]],
            "state": [{"id": "admin-state", "property": "data", "value": {"lang": "sv"}}],
            "changedPropIds": [json.dumps({"key": pair["key"], "type": "throttle-lift"},
                                          separators=(",", ":")) + ".n_clicks"]}
    answer = admin.callback(lift)
    assert answer.status == 200 and "admin-done" in answer.text, answer.text[:300]
    assert attacker.form("/login", {"login": "anna", "password": "fel"}).status == 401
    # The rest on the command line.
    done = run_cli(url, "users", "throttles", "--lift", "--address", "127.0.0.2")
    assert done.returncode == 0, done
    left = json.loads(run_cli(url, "users", "throttles", "--format", "json").stdout)
    assert left and all(t["address"] != "127.0.0.2" for t in left)  # Anna's own count stays
    done = run_cli(url, "users", "throttles", "--lift", "--login", "anna")
    assert done.returncode == 0 and "anna" in done.stdout, done
    assert "Inga inloggningar fördröjs nu." in run_cli(url, "users", "throttles").stdout
    engine = make_engine(url)
    try:
        lifted = store.audit_entries(engine, action="throttle_lifted")
        assert {e["actor"] for e in lifted} >= {FIRST} and len(lifted) >= 2
        assert any(e["address"] == "127.0.0.1" for e in lifted)
    finally:
        engine.dispose()
    # People elsewhere were never slowed: a user without a role signs in from another address.
    assert signed_in(base, "nils", source="127.0.0.4").get("/", follow=False).status == 200


# --------------------------------------------------------------------------- 4: job handles


def start_pack(client: Client, state: dict) -> tuple:
    """Click the view's *Mötespaket*: the answer and the job's handle, if one was given."""
    reply = client.callback(pack_start_body(client, state))
    job = (reply.json().get("response", {}).get("export-job") or {}).get("data") \
        if reply.status == 200 else None
    return reply, job


def poll(client: Client, job, n: int = 1):
    return client.callback(pack_poll_body(client, job, n))


def view_state(agreement: str) -> dict:
    return {"agreement": agreement, "cluster": None, "period": "2023", "breakdown": "total",
            "lang": "sv"}


def refused(reply) -> bool:
    """Refused, with nothing of the job in the answer."""
    return reply.status in (403, 404) and "export-download" not in reply.text and \
        "content" not in reply.text


def test_a_replayed_job_handle_gets_nothing_and_the_owner_gets_theirs(people):
    """And rights are read at every poll: while Anna's role is revoked, her own pack is
    refused to her too (the page says so); given back, she gets it."""
    if chromium_path() is None:
        missing("chromium not installed: apt-get install chromium (or run .ci/run)",
                "the meeting pack")
    base, url, log = people
    anna, nils, bertil = (signed_in(base, who) for who in ("anna", "nils", "bertil"))

    reply, job = start_pack(anna, view_state(JARFALLA))
    assert reply.status == 200 and job and len(job["job"]) >= 40, reply.text[:300]
    handle = job["job"]

    # Nils (signed in, no role) and Bertil (a member elsewhere) replay it while it runs.
    assert refused(poll(nils, job)), poll(nils, job).text[:300]
    assert refused(poll(bertil, job))
    assert refused(poll(nils, {"job": handle[:-2] + "xx", "lang": "sv"}))  # guessed
    assert refused(poll(nils, handle))

    engine = make_engine(url)
    try:
        accounts.revoke(engine, "anna", JARFALLA, None, actor="test")
        answer = poll(anna, job)
        assert answer.status == 200 and "refused" in answer.text  # the page says why
        assert "export-download" not in answer.text
    finally:
        accounts.grant(engine, "anna", "member", JARFALLA, None, actor="test")
        engine.dispose()

    # The owner polls as the page does (one question at a time) and gets the pack.
    download, places, deadline, n = None, [], time.monotonic() + 240, 1
    while time.monotonic() < deadline:
        answer = poll(anna, job, n)
        assert answer.status == 200, answer.text[:300]
        data = answer.json()["response"]
        if "export-step" in data:
            places.append(data["export-step"]["children"])
        if data.get("export-download", {}).get("data"):
            download = data["export-download"]["data"]
            break
        n += 1
        time.sleep(0.4)
    assert download is not None, f"no pack within 240 s: {places}"
    assert download["filename"] == "motespaket-jarfalla-af-2023-2023.zip"
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))) as z:
        assert any(n.endswith(".pptx") for n in z.namelist())
    assert data["export-job"]["data"] is None and data["export-poll"]["disabled"] is True

    # Afterwards: nothing for anyone, the owner included (a result is handed out once).
    assert refused(poll(nils, job))
    assert refused(poll(anna, job))

    # Nobody signed in: 401 before anything else.
    assert Client(base).callback(pack_poll_body(anna, job)).status == 401

    # A start for an agreement that is not theirs is refused, and starts nothing.
    reply, job_of_nils = start_pack(nils, view_state(JARFALLA))
    assert job_of_nils is None and "refused" in reply.text

    # The handle never stands in a logged address (the access log has the callbacks).
    text = log.read_text()
    assert text.count("/_dash-update-component") >= 5
    assert handle not in text and handle[:20] not in text
