"""The meetings in the app against every role, as tests/test_auth_matrix.py does it.

The app runs as users run it (``python app.py`` in a process of its own) on the demo data,
with one account per role and two meetings of Krami (one closed, one open) and one of
another agreement. Each person asks for the meetings pages and the meeting's presentation
(drawn by Dash's router, as the browser asks) and each meeting callback (create a meeting,
a check-in, a decision, an action done, close, the pack, the kiosk's data version).
Allowed: the answer itself. Refused: the not-found page, or a message above the page for a
callback, never a blank page or a 500. Refusals of the service (an identity number, a date
that does not exist) come back beside their field, in the page's language.
"""

from __future__ import annotations

import json

import pytest

from dashboard.config import DATA_DIR
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.meetings import service, store
from dashboard.meetings.model import TargetKey
from tests.test_auth_matrix import KRAMI, PASSWORD, STHLM, refused_callback, text_of
from tests.test_auth_matrix import PEOPLE as MATRIX_PEOPLE
from tests.webserver import (
    Client,
    add_accounts,
    mail_body,
    meeting_state,
    router_body,
    serving,
    with_output,
)

# The role matrix's people (tests/test_auth_matrix.py), without the disabled account.
PEOPLE = {k: v for k, v in MATRIX_PEOPLE.items() if k != "disabled"}
ROLES = ["anonymous", *PEOPLE]
KRAMI_PEOPLE = {"viewer", "member", "steward", "admin"}
KRAMI_WRITERS = {"member", "steward", "admin"}
EDITOR = '"type": "checkin-comment"'  # a check-in's comment field (writers only)
PNR = "19121212-1212"  # Skatteverket's test number: looks like an identity number


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("meetings-web")
    url = f"sqlite:///{folder / 'app.sqlite'}"
    add_accounts(url, PEOPLE)
    engine = make_engine(url)
    # The two agreements the pages and callbacks below ask for (Krami's meetings, and
    # Stockholm's: another agreement's), not the whole demo.
    for name in ("krami-stockholm-2023.xlsx", "stockholm-af-2023.xlsx"):
        assert import_dataset(engine, DATA_DIR / "demo" / name).ok
    first = service.create(engine, KRAMI, "2023-H1", "2023-08-20", "Augusti", "", "test")
    service.decide(engine, first, "Rekrytera fler deltagare", None,
                   ("Kontakta frivården", "KV", "2023-09-30"), "test")
    service.close(engine, first, "test")
    open_id = service.create(engine, KRAMI, "2023", "2024-02-10", "Februari", "", "test")
    other = service.create(engine, STHLM, "2023", "2024-02-11", "Stockholm", "", "test")
    carried = store.actions_at(engine, store.get_meeting(engine, open_id))[0].id
    ids = {"closed": first, "open": open_id, "other": other, "action": carried}
    with serving(url, "app", log=folder / "app.log", LOAD_DEMO="0",
                 BROWSER_PATH=str(folder / "no-browser")) as base:
        clients = {"anonymous": Client(base)}
        for login in PEOPLE:
            clients[login] = Client(base)
            clients[login].sign_in(login, PASSWORD)
        yield clients, ids, engine
    engine.dispose()


def refused_page(reply) -> bool:
    content = json.dumps(reply.json()["response"]["_pages_content"], ensure_ascii=False)
    return "not-found" in content and ("Sidan finns inte" in content or "Page not found" in content)


def pages(ids) -> dict:
    """name: (path, search, who may see it, what shows it was drawn)."""
    return {
        "meetings list": (f"/agreements/{KRAMI}/meetings", "", KRAMI_PEOPLE, "meetings-table"),
        "another agreement's meetings": (f"/agreements/{STHLM}/meetings", "", {"admin"},
                                         "meetings-table"),
        "an open meeting": (f"/meetings/{ids['open']}", "", KRAMI_PEOPLE, "meeting-targets"),
        "a closed meeting": (f"/meetings/{ids['closed']}", "?lang=en", KRAMI_PEOPLE,
                             "meeting-targets"),
        "another agreement's meeting": (f"/meetings/{ids['other']}", "", {"admin"},
                                        "meeting-targets"),
        "no such meeting": ("/meetings/999999", "", set(), "meeting-targets"),
        "not a meeting id": ("/meetings/abc", "", set(), "meeting-targets"),
        "the meeting's presentation": (f"/present/{KRAMI}", f"?meeting={ids['open']}",
                                       KRAMI_PEOPLE, "present-bar"),
        "a meeting under another agreement": (f"/present/{STHLM}", f"?meeting={ids['open']}",
                                              set(), "present-bar"),
        "a kiosk": (f"/present/{KRAMI}", "?loop=5&clusters=1", KRAMI_PEOPLE, "kiosk-poll"),
    }


def test_every_role_against_the_meeting_pages(served):
    clients, ids, _ = served
    wrong = []
    for name, (path, search, allowed, marker) in pages(ids).items():
        for role in ROLES:
            reply = clients[role].callback(router_body(path, search))
            assert reply.status != 500 and reply.body, (role, name, reply.status)
            if role == "anonymous":
                ok, shown = reply.status == 401, False
            else:
                shown = not refused_page(reply)
                ok = shown == (role in allowed) and (not shown or marker in text_of(reply))
            if not ok:
                wrong.append(f"{role} {name}: {reply.status} shown={shown} {reply.text[:160]}")
    assert wrong == [], "\n".join(wrong)


def test_only_members_get_the_forms_and_the_edit_panel(served):
    clients, ids, _ = served
    for role in ("viewer", "member", "steward", "admin"):
        writer = role in KRAMI_WRITERS
        listing = text_of(clients[role].callback(router_body(f"/agreements/{KRAMI}/meetings")))
        assert ("new-meeting-title" in listing) == writer, role
        assert ("meetings-read-only" in listing) == (not writer), role
        page = text_of(clients[role].callback(router_body(f"/meetings/{ids['open']}")))
        assert (EDITOR in page) == writer and ("decision-add" in page) == writer
        assert ("close-yes" in page) == writer
        assert ("meeting-mail-button" in page) == writer, role  # Skicka förhandsmaterial
        slides = text_of(clients[role].callback(router_body(f"/present/{KRAMI}",
                                                            f"?meeting={ids['open']}")))
        assert ("present-edit" in slides) == writer, role
        assert ("meeting-edit-save" in page) == writer, role
        assert ('"type": "action-done"' in slides) == writer, role
        assert "Beslut och åtgärder" in slides and "Sedan förra mötet" in slides
        # A closed meeting: nobody writes; its frozen figures and the carried action.
        closed = text_of(clients[role].callback(router_body(f"/meetings/{ids['closed']}")))
        assert EDITOR not in closed and "close-yes" not in closed
        assert "meeting-edit-save" not in closed and "inget kan ändras" in closed
        kiosk = text_of(clients[role].callback(router_body(f"/present/{KRAMI}",
                                                           f"?meeting={ids['open']}&loop=3")))
        assert "present-edit" not in kiosk and '"data-loop": "3"' in kiosk


# --------------------------------------------------------------------------- callbacks


def create_body(agreement: str, title: str = "Nytt", held_on: str = "2024-03-01") -> dict:
    fields = {"date": held_on, "period": "2023", "title": title, "attendees": "AF, KV"}
    return {"output": "", "outputs": [
        {"id": "meetings-message", "property": "children"},
        {"id": "meetings-list", "property": "children"},
        *[{"id": f"new-meeting-{f}-error", "property": "children"} for f in fields]],
        "inputs": [{"id": "meeting-create", "property": "n_clicks", "value": 1}],
        "state": [*[{"id": f"new-meeting-{f}", "property": "value", "value": v}
                    for f, v in fields.items()],
                  {"id": "meetings-state", "property": "data",
                   "value": {"agreement": agreement, "lang": "sv"}}],
        "changedPropIds": ["meeting-create.n_clicks"]}


def checkin_body(mid: int, target: str = "occupancy", comment: str = "Bra") -> dict:
    def ident(kind):
        return {"type": kind, "target": target}

    return {"output": "", "outputs": [{"id": ident("checkin-saved"), "property": "children"},
                                      {"id": ident("checkin-shown"), "property": "children"}],
            "inputs": [{"id": ident("checkin-assessment"), "property": "value",
                        "value": "at_risk"},
                       {"id": ident("checkin-comment"), "property": "value", "value": comment}],
            "state": [meeting_state(mid)],
            "changedPropIds": [json.dumps(ident("checkin-assessment"), separators=(",", ":"))
                               + ".value"]}


def decision_body(mid: int, text: str = "Beslut", due: str = "2024-04-30") -> dict:
    fields = ("text", "target", "action", "owner", "due")
    values = {"text": text, "target": "occupancy", "action": "Ring", "owner": "AF",
              "due": due}
    return {"output": "", "outputs": [
        {"id": "meeting-decisions", "property": "children"},
        {"id": "decision-message", "property": "children"},
        *[{"id": f"decision-{f}-error", "property": "children"} for f in fields],
        *[{"id": f"decision-{f}", "property": "value"} for f in ("text", "action", "owner",
                                                                  "due")]],
        "inputs": [{"id": "decision-add", "property": "n_clicks", "value": 1}],
        "state": [*[{"id": f"decision-{f}", "property": "value", "value": values[f]}
                    for f in fields], meeting_state(mid)],
        "changedPropIds": ["decision-add.n_clicks"]}


def action_body(mid: int, action: int, mode: str = "page", done: bool = True) -> dict:
    """An action marked done on the meeting page, or (``mode="slides"``) in the
    presentation's edit panel."""
    ident = {"type": "action-done", "action": action}
    return {"output": "", "outputs": [{"id": {"type": "action-state", "action": action},
                                       "property": "children"},
                                      {"id": {"type": "action-saved", "action": action},
                                       "property": "children"}],
            "inputs": [{"id": ident, "property": "value", "value": done}],
            "state": [meeting_state(mid, mode)],
            "changedPropIds": [json.dumps(ident, separators=(",", ":")) + ".value"]}


EDIT_FIELDS = ("title", "date", "attendees")


def edit_body(mid: int, title: str = "Februarimötet", held_on: str = "2024-02-10",
              attendees: str = "Anna Andersson, AF\nKim Karlsson, KV") -> dict:
    """An open meeting's title, date and attendees changed on its page."""
    values = {"title": title, "date": held_on, "attendees": attendees}
    return {"output": "", "outputs": [
        {"id": "meeting-title", "property": "children"},
        {"id": "meeting-subtitle", "property": "children"},
        {"id": "meeting-attendees", "property": "children"},
        {"id": "meeting-since", "property": "children"},
        {"id": "meeting-crumb", "property": "children"},
        {"id": "meeting-edit-message", "property": "children"},
        *[{"id": f"meeting-edit-{f}-error", "property": "children"} for f in EDIT_FIELDS]],
        "inputs": [{"id": "meeting-edit-save", "property": "n_clicks", "value": 1}],
        "state": [*[{"id": f"meeting-edit-{f}", "property": "value", "value": values[f]}
                    for f in EDIT_FIELDS], meeting_state(mid)],
        "changedPropIds": ["meeting-edit-save.n_clicks"]}


def kiosk_body(agreement: str) -> dict:
    return {"output": "kiosk-latest.data", "outputs": {"id": "kiosk-latest", "property": "data"},
            "inputs": [{"id": "kiosk-poll", "property": "n_intervals", "value": 1}],
            "state": [{"id": "kiosk-state", "property": "data",
                       "value": {"agreement": agreement, "cluster": None, "version": "x"}}],
            "changedPropIds": ["kiosk-poll.n_intervals"]}


def pack_body(mid: int) -> dict:
    """The click that starts the meeting's pack (a job of the person: its handle in the
    answer)."""
    outputs = [("job", "data"), ("poll", "disabled"), ("poll", "max_intervals"),
               ("button", "disabled"), ("running", "style"), ("done", "style"),
               ("progress", "value"), ("step", "children"), ("status", "children")]
    return {"output": "..{}..".format("...".join(f"meeting-pack-{i}.{p}" for i, p in outputs)),
            "outputs": [{"id": f"meeting-pack-{i}", "property": p} for i, p in outputs],
            "inputs": [{"id": "meeting-pack-button", "property": "n_clicks", "value": 1}],
            "state": [meeting_state(mid),
                      {"id": "meeting-pack-poll", "property": "n_intervals", "value": 0}],
            "changedPropIds": ["meeting-pack-button.n_clicks"]}


def test_every_role_against_the_meeting_callbacks(served):
    clients, ids, _ = served
    callbacks = {  # name: (body, who may, what an allowed answer holds)
        "create a meeting": (create_body(KRAMI), KRAMI_WRITERS, "new-meeting-link"),
        "create in another agreement": (create_body(STHLM), {"admin"}, "new-meeting-link"),
        "a check-in": (checkin_body(ids["open"]), KRAMI_WRITERS, "Sparat"),
        "a check-in in another agreement": (checkin_body(ids["other"], "work_study_share"),
                                            {"admin"}, "Sparat"),
        "a decision": (decision_body(ids["open"]), KRAMI_WRITERS, "Beslutet är sparat"),
        "an action done": (action_body(ids["open"], ids["action"]), KRAMI_WRITERS, "Klar"),
        "an action done in the edit panel": (
            action_body(ids["open"], ids["action"], "slides"), KRAMI_WRITERS, "Sparat: ✔ Klar"),
        "an action in another agreement's panel": (
            action_body(ids["other"], ids["action"], "slides"), {"admin"},
            "hör inte till mötet"),
        "an open meeting's title, date and attendees": (
            edit_body(ids["open"]), KRAMI_WRITERS, "Ändringarna är sparade"),
        "another agreement's meeting's title": (
            edit_body(ids["other"], "Stockholm", "2024-02-11"), {"admin"},
            "Ändringarna är sparade"),
        "the kiosk's data version": (kiosk_body(KRAMI), KRAMI_PEOPLE, "version"),
        "another agreement's kiosk": (kiosk_body(STHLM), {"admin"}, "version"),
        "the meeting pack": (pack_body(ids["open"]), KRAMI_PEOPLE, "meeting-pack-job"),
        "another agreement's pack": (pack_body(ids["other"]), {"admin"},
                                     "meeting-pack-job"),
        # The pre-read is a member's (this server has no SMTP_HOST: it says so).
        "the pre-read by e-mail": (mail_body(ids["open"]), KRAMI_WRITERS,
                                   "Ingen e-postserver är inställd"),
        "another agreement's pre-read": (mail_body(ids["other"]), {"admin"},
                                         "Ingen e-postserver är inställd"),
        "a meeting that does not exist": (checkin_body(999999), set(), "Sparat"),
    }
    wrong = []
    for name, (body, allowed, marker) in callbacks.items():
        body = with_output(clients["admin"], body)
        for role in ROLES:
            reply = clients[role].callback(body)
            assert reply.status != 500, (role, name, reply.text[:300])
            if role == "anonymous":
                ok = reply.status == 401
            elif role in allowed:
                ok = reply.status == 200 and marker in text_of(reply) and \
                    not refused_callback(reply)
            else:
                ok = refused_callback(reply)
            if not ok:
                wrong.append(f"{role} {name}: {reply.status} {reply.text[:200]}")
    assert wrong == [], "\n".join(wrong)


def test_the_pre_reads_addresses_are_checked_before_anything(served):
    """What a member types is checked as every typed text (an identity number is never
    said back); with nothing typed, the attendees' addresses (the open meeting's have
    none)."""
    clients, ids, _ = served
    member = clients["member"]
    for to, said in (("anna@example.se, inte en adress", "”inte en adress” är ingen "
                      "e-postadress"),
                     (f"{PNR}@example.se", "En adress ser ut att innehålla ett personnummer"),
                     ("", "De närvarande har inga e-postadresser i mötet")):
        reply = member.callback(with_output(member, mail_body(ids["open"], to)))
        assert reply.status == 200 and said in text_of(reply), (to, reply.text[:300])
        assert PNR not in reply.text and '"meeting-mail-job"' not in reply.text.replace(
            "meeting-mail-job.data", "")


def test_refusals_are_said_beside_their_field(served):
    clients, ids, engine = served
    member = clients["member"]
    reply = member.callback(with_output(member, create_body(KRAMI, title=f"Möte {PNR}")))
    answer = reply.json()["response"]
    assert "personnummer" in json.dumps(answer["new-meeting-title-error"], ensure_ascii=False)
    assert PNR not in reply.text
    reply = member.callback(with_output(member, create_body(KRAMI, held_on="2024-02-30")))
    assert "inget datum" in json.dumps(reply.json()["response"]["new-meeting-date-error"],
                                       ensure_ascii=False)
    reply = member.callback(with_output(member, checkin_body(ids["open"],
                                                             comment=f"Se {PNR}")))
    saved = json.dumps(reply.json()["response"], ensure_ascii=False)
    assert "personnummer" in saved and PNR not in saved
    reply = member.callback(with_output(member, decision_body(ids["open"], due="snart")))
    assert "inget datum" in json.dumps(reply.json()["response"]["decision-due-error"],
                                       ensure_ascii=False)
    # Text is kept and shown as text: no HTML is made of it.
    reply = member.callback(with_output(member, checkin_body(
        ids["open"], comment="<img src=x onerror=alert(1)>")))
    assert reply.status == 200
    page = member.callback(router_body(f"/meetings/{ids['open']}")).json()
    assert "dangerously_allow_html" not in json.dumps(page)
    checkin = next(c for c in store.checkins(engine, ids["open"])
                   if c.key == TargetKey("occupancy"))
    assert checkin.comment == "<img src=x onerror=alert(1)>"
    # A closed meeting takes nothing.
    reply = member.callback(with_output(member, checkin_body(ids["closed"])))
    assert "är stängt" in reply.text
    before = store.get_meeting(engine, ids["closed"])
    reply = member.callback(with_output(member, edit_body(ids["closed"], "Ny rubrik")))
    message = json.dumps(reply.json()["response"]["meeting-edit-message"], ensure_ascii=False)
    assert f"Mötet {ids['closed']} är stängt: det kan inte ändras." in message
    assert store.get_meeting(engine, ids["closed"]) == before
    reply = member.callback(with_output(member, action_body(ids["closed"], ids["action"],
                                                            "slides")))
    assert "är stängt" in json.dumps(reply.json()["response"], ensure_ascii=False)
    # The edit's refusals beside their field, nothing changed.
    before = store.get_meeting(engine, ids["open"])
    reply = member.callback(with_output(member, edit_body(ids["open"], held_on="2024-02-30")))
    answer = reply.json()["response"]
    assert "inget datum" in json.dumps(answer["meeting-edit-date-error"], ensure_ascii=False)
    assert "meeting-title" not in answer  # the page keeps what it shows
    reply = member.callback(with_output(member, edit_body(ids["open"],
                                                          attendees=f"Anna {PNR}")))
    error = json.dumps(reply.json()["response"]["meeting-edit-attendees-error"],
                       ensure_ascii=False)
    assert "personnummer" in error and PNR not in reply.text
    assert store.get_meeting(engine, ids["open"]) == before



def test_a_member_changes_an_open_meeting_and_ticks_an_action_in_the_panel(served):
    clients, ids, engine = served
    member = clients["member"]
    mid = ids["open"]
    before = store.get_meeting(engine, mid)
    try:
        reply = member.callback(with_output(member, edit_body(
            mid, " Styrgrupp i mars ", "2024-03-05", "Anna Andersson, AF\r\nBo Berg, KV ")))
        answer = reply.json()["response"]
        assert answer["meeting-title"]["children"] == "Styrgrupp i mars"
        assert answer["meeting-subtitle"]["children"].endswith("Datum: 2024-03-05")
        assert answer["meeting-crumb"]["children"] == "2024-03-05"
        shown = json.dumps(answer["meeting-attendees"], ensure_ascii=False)
        assert "Anna Andersson, AF\\nBo Berg, KV" in shown
        # The meeting before it is still the closed one of 2023-08-20.
        assert "2023-08-20" in json.dumps(answer["meeting-since"], ensure_ascii=False)
        after = store.get_meeting(engine, mid)
        assert (after.title, after.held_on, after.attendees) == (
            "Styrgrupp i mars", "2024-03-05", "Anna Andersson, AF\nBo Berg, KV")
        assert (after.period, after.created_by) == (before.period, before.created_by)
        # The carried action, ticked in the edit panel and then unticked: the last slide's
        # state and what was saved, by whom (the signed-in person, not what a page says).
        done = member.callback(with_output(member, action_body(mid, ids["action"], "slides")))
        answer = done.json()["response"]
        state = answer[next(k for k in answer if "action-state" in k)]["children"]
        assert state["props"]["children"] == "✔ Klar"
        saved = json.dumps(answer, ensure_ascii=False)
        assert "Sparat: ✔ Klar (Member)" in saved
        action = next(a for a in store.actions_at(engine, after) if a.id == ids["action"])
        assert action.done and action.done_by == "Member" and action.done_meeting_id == mid
        undone = member.callback(with_output(member, action_body(mid, ids["action"], "slides",
                                                                 done=False)))
        assert "Sparat: Ej klar" in undone.text or "Sparat: ⚠ Försenad" in undone.text
        action = next(a for a in store.actions_at(engine, after) if a.id == ids["action"])
        assert not action.done
    finally:
        service.edit(engine, mid, held_on=before.held_on, title=before.title,
                     attendees=before.attendees)


PACK_SCRIPT = """
import io, sys, zipfile
import docx
from dashboard.web.app import create_app
from dashboard.data.ingest import import_dataset
from dashboard import meetings
from dashboard.meetings.model import TargetKey
url = sys.argv[1]
app = create_app({"database_url": url, "load_demo": False, "secret_key": "k" * 40})
engine = app.server.config["DASHBOARD_ENGINE"]
assert import_dataset(engine, sys.argv[2]).ok
mid = meetings.create(engine, "krami-sthlm-2023", "2023", "2024-02-01", "Styrgrupp", by="Anna")
meetings.checkin(engine, mid, TargetKey("occupancy", None, None), "at_risk",
                 "Färre anvisningar i höstas", "Anna")
meetings.close(engine, mid, "Anna")
from dashboard.web.components.meeting import build_meeting_pack_zip
data, name, files = build_meeting_pack_zip(mid, "sv", app.server.config["DASHBOARD_SETTINGS"],
                                           lambda f, m: None)
z = zipfile.ZipFile(io.BytesIO(data))
word = [n for n in z.namelist() if n.endswith(".docx")]
document = docx.Document(io.BytesIO(z.read(word[0])))
text = " ".join([p.text for p in document.paragraphs] +
                [c.text for t in document.tables for r in t.rows for c in r.cells])
import hashlib
folder = name.removesuffix(".zip")
sums = z.read(folder + "/SHA256SUMS").decode().splitlines()
checked = all(hashlib.sha256(z.read(folder + "/" + line.split("  ")[1])).hexdigest()
              == line.split("  ")[0] for line in sums)
listed = len(sums) == len(z.namelist()) - 1
pdf = [n for n in z.namelist() if n.endswith(".pdf")]
print(pdf[0].split("/")[-1], checked and listed, name, files, len(word),
      sum(n.endswith(".pptx") for n in z.namelist()), "Färre anvisningar i höstas" in text)
"""


def test_the_pack_button_builds_the_zip_with_the_cores_writer(tmp_path):
    """The app's pack job (pages/meeting.py) zips what the core's ``write_meeting_pack``
    writes from the meeting's own figures: a Word document with the check-in and a deck.
    In a process of its own: an app created here would take the browser tests' callbacks."""
    import subprocess
    import sys

    from dashboard.config import PROJECT_ROOT
    from dashboard.export.images import find_browser
    from tests.needs import missing

    if find_browser() is None:
        missing("no Chrome or Chromium for kaleido: apt-get install chromium",
                "the meeting pack from the app")
    done = subprocess.run(
        [sys.executable, "-c", PACK_SCRIPT, f"sqlite:///{tmp_path / 'app.sqlite'}",
         str(DATA_DIR / "demo" / "krami-stockholm-2023.xlsx")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
        env={**__import__("os").environ, "WARM_CACHE": "0"})
    assert done.returncode == 0, done.stderr[-3000:]
    # The zip holds the minutes as PDF (named by agreement and date, contract section 10)
    # and SHA256SUMS listing every other file with its sum, recomputed.
    assert done.stdout.split()[-7:] == ["krami-sthlm-2023-2024-02-01.pdf", "True",
                                        "motespaket-mote-1.zip", done.stdout.split()[-4],
                                        "1", "1", "True"]
