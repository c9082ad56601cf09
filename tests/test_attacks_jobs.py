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
import time
import zipfile

import pytest

from dashboard.config import DATA_DIR
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.people import accounts
from tests.browser.support import chromium_path
from tests.conftest import BACKENDS
from tests.needs import missing
from tests.webserver import Client, add_accounts, pack_poll_body, pack_start_body, serving

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
    add_accounts(url, PEOPLE)
    engine = make_engine(url)
    for name in ("jarfalla-af-2023.xlsx", "krami-stockholm-2023.xlsx"):  # the small ones
        assert import_dataset(engine, DATA_DIR / "demo" / name).ok
    engine.dispose()
    log = folder / "gunicorn.log"
    with serving(url, "gunicorn", log=log, LOAD_DEMO="0", EXPORT_BROWSERS="1",
                 JOBS_DIR=str(folder / "jobs"), CACHE_DIR="") as base:
        yield base, url, log
    if request.param != "sqlite":
        request.getfixturevalue("postgres_server").drop_database(url)


def signed_in(base: str, login: str) -> Client:
    client = Client(base)
    client.sign_in(login, PASSWORD)
    return client


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


def test_a_replayed_job_handle_gets_nothing_and_the_owner_gets_theirs(served):
    """And rights are read at every poll: while Anna's role is revoked, her own pack is
    refused to her too (the page says so); given back, she gets it."""
    if chromium_path() is None:
        missing("chromium not installed: apt-get install chromium (or run .ci/run)",
                "the meeting pack")
    base, url, log = served
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
