"""Issue 17, attacks 1, 3 and 10: what people write, and the audit log.

* **Attack 1, audit log injection**: the audited download callbacks took their "format" and
  "panel" from the browser, so any signed-in user (even without a role) stored an entry of
  30 000 097 characters and entries holding an identity number. Now only the server writes
  entries, from what it did: a value no page sends is refused before anything runs or is
  kept, and every value of an entry is bounded and kept without an identity number.
* **Attack 3, identity numbers typed by people**: 11 of 16 were accepted (a login, a name, every
  dot form in check-ins and decisions, the admin's new-account form) and shown again by
  ``users list`` and ``meetings show``. Now every text a person writes goes through one
  check (:mod:`dashboard.domain.typed`), where a dot is a separator.
* **Attack 10, writes not audited**: check-ins and decisions (web and command line), the
  command line's ``import`` and ``undo`` left no entry. Now every write by people and by the
  command line is in the log (who, what, when, from where), admins filter it, and it is
  kept ``AUDIT_RETENTION_DAYS``.

The app runs as users run it (``python app.py`` in a process of its own, one per module and
database) on SQLite and PostgreSQL, with Krami's demo workbook and an account per role; the
command line runs in this process (:func:`tests.cli.run_cli`) on the same database. Each
attack asserts the refusal, that nothing was stored, and that the server answers afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import insert, select

from dashboard.config import DATA_DIR, PROJECT_ROOT
from dashboard.data import repository
from dashboard.data.db import audit_log, make_engine, meeting_checkins, meeting_decisions
from dashboard.data.ingest import import_dataset
from dashboard.domain import typed
from dashboard.domain.pnr import contains_identity_number, in_typed_text
from dashboard.domain.safety import FORMULA_STARTS
from dashboard.meetings import service, store
from dashboard.model.portfolio import group_totals, total_cells
from dashboard.people import accounts, audit
from dashboard.people import store as people_store
from dashboard.web.components.totals import totals_csv
from tests.cli import run_cli
from tests.conftest import BACKENDS
from tests.test_auth_matrix import chart, refused_callback, text_of
from tests.test_meetings_web import (
    action_body,
    checkin_body,
    create_body,
    decision_body,
    edit_body,
    with_output,
)
from tests.test_portfolio_totals import item
from tests.webserver import Client, add_accounts, serving

KRAMI = "krami-sthlm-2023"
WORKBOOK = DATA_DIR / "demo" / "krami-stockholm-2023.xlsx"
PASSWORD = "attack-losenord-17"
PEOPLE = {
    "admin": (PASSWORD, True, []),
    "viewer": (PASSWORD, False, [("viewer", KRAMI, None)]),
    "member": (PASSWORD, False, [("member", KRAMI, None)]),
    "nobody": (PASSWORD, False, []),
}
# Valid numbers (Luhn), not real people's: Skatteverket's example and test number.
DIGITS = "9876"  # the serial of 811218-9876: in no entry, text or answer afterwards
DOT_FORMS = ["811218.9876", "19811218.9876", "Född 811218.9876, avslutad",
             "ring 19811218.9876.", "0.8112189876", "８１１２１８．９８７６", "811218 . 9876",
             "1981.12.18.9876"]


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("text", DOT_FORMS + [
    "19811218-9876", "811218-9876", "811218+9876", "8112189876", "Anna 811218 9876",
    "19121212\u20111212", "811218\u200b-9876", "81/12/18-9876", "811218_9876"])
def test_typed_text_refuses_an_identity_number_in_any_form(text):
    assert in_typed_text(text)
    with pytest.raises(typed.TextRefused) as refused:
        typed.clean(text, "comment")
    assert refused.value.code == "identity_number" and DIGITS not in str(refused.value)


@pytest.mark.parametrize("text", ["811218.9876", "19811218.9876", "0.8112189876"])
def test_an_imported_numeric_cell_still_reads_a_dot_as_a_decimal_point(text):
    """Contract section 6: in a numeric column of an import, 811218.9876 is a decimal."""
    assert not contains_identity_number(text)


@pytest.mark.parametrize("text", ["Möte 2023-04-20", "Perioden 2023.01.01 - 2023.12.31",
                                  "Budget 1.250.000 kr", "Tel 08-123 456 78", "3,8112189876",
                                  "Org.nr 212000-0142", "811218-9875"])
def test_typed_text_that_only_looks_like_one_is_kept(text):
    assert typed.clean(text, "comment") == text


def test_control_characters_are_removed_and_lengths_bounded():
    assert typed.clean("A\x00n\x07na\u202e \x1b[31m\r\nBerg\t", "comment") == "Anna [31m\nBerg"
    assert typed.clean("  Styrgrupp\n april\x85 ", "title") == "Styrgrupp april"
    assert typed.clean(None, "by") == ""
    with pytest.raises(typed.TextRefused) as refused:
        typed.clean("x" * (typed.LIMITS["title"] + 1), "title")
    assert (refused.value.code, refused.value.limit) == ("too_long", 200)
    assert typed.clean("x" * 200, "title") == "x" * 200
    with pytest.raises(typed.TextRefused):
        typed.clean(" \n ", "text", required=True)
    assert typed.echo("Anna 811218.9876") == "…" and typed.echo("Anna\x00") == "Anna"


def test_the_limits_are_the_ones_the_administrators_guide_lists():
    text = (PROJECT_ROOT / "docs" / "administrators.md").read_text()
    section = text[text.index("### Texts people write"):]
    rows = dict(re.findall(r"^\| ([a-z ()`-]+?) \| (\d+) \|$", section, re.M))
    named = {"login": "login", "account name": "name", "meeting title": "title",
             "attendees": "attendees", "check-in comment": "comment", "decision": "text",
             "action": "action", "action owner": "owner", "written by (`--by`)": "by",
             "e-mail address": "address"}
    assert {named[k]: int(v) for k, v in rows.items()} == typed.LIMITS


def test_every_csv_written_neutralises_formula_cells():
    """The portfolio's totals (a kind comes from the data) and the audit log's CSV."""
    cells = total_cells([item("=HYPERLINK(\"http://x\")", "0180", completed=40, work=20,
                              occupancy=30, started=12)])
    groups, total = group_totals(cells, "kind")
    rows = list(csv.reader(io.StringIO(totals_csv(groups, total, "kind", "sv", 5)),
                           delimiter=";"))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"
    assert not any(c.startswith(FORMULA_STARTS) for r in rows for c in r)
    entries = [{"id": 1, "at": "2026-01-01T00:00:00Z", "actor": "@evil", "action": "sign_in",
                "agreement_id": "-x", "cluster_id": None, "object": "+1", "detail": "{}",
                "address": "=1"}]
    rows = list(csv.reader(io.StringIO(audit.csv_text(entries).lstrip("\ufeff")),
                           delimiter=";"))
    assert not any(c.startswith(FORMULA_STARTS) for c in rows[1])


def test_an_entry_is_bounded_and_never_holds_an_identity_number(engine):
    audit.record(engine, "export_chart", actor="x" * 1000, agreement="19811218-9876",
                 obj="811218.9876", address="1" * 500,
                 detail={"format": "y" * 30_000_000, "panel": "Anna 811218.9876",
                         "many": list(range(10_000)), "deep": {"a": {"b": {"c": {"d": 1}}}}})
    entry = people_store.audit_entries(engine, 1)[0]
    kept = json.dumps(entry)
    assert DIGITS not in kept and len(kept) < audit.DETAIL_LIMIT + 1000
    assert entry["agreement_id"] == entry["object"] == "…"
    assert len(entry["actor"]) == 254 and len(entry["address"]) == 64


# --------------------------------------------------------------------------- the running app


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    """The app on a database (SQLite, then PostgreSQL) with Krami and an account per role,
    an open meeting of Krami; signed-in clients. Yields ``(url, clients, engine, ids)``."""
    folder = tmp_path_factory.mktemp(f"attacks-text-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'app.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database()
    add_accounts(url, PEOPLE)
    engine = make_engine(url)
    assert import_dataset(engine, WORKBOOK).ok
    meeting = service.create(engine, KRAMI, "2023", "2024-02-10", "Februari", "", "test")
    with serving(url, "app", log=folder / "app.log", LOAD_DEMO="0",
                 BROWSER_PATH=str(folder / "no-browser")) as base:
        clients = {"anonymous": Client(base)}
        for login in PEOPLE:
            clients[login] = Client(base)
            clients[login].sign_in(login, PASSWORD)
        yield url, clients, engine, {"meeting": meeting, "folder": folder}
    engine.dispose()
    if request.param != "sqlite":
        request.getfixturevalue("postgres_server").drop_database(url)


def whole_log(engine) -> list[dict]:
    return people_store.audit_entries(engine, None)


def nothing_holds_the_number(engine) -> None:
    """No audit entry, account, check-in or decision holds the typed number."""
    assert not [e for e in whole_log(engine) if DIGITS in json.dumps(e, ensure_ascii=False)]
    assert not [a for a in accounts.listing(engine)
                if DIGITS in json.dumps(a, ensure_ascii=False, default=str)]
    with engine.connect() as conn:
        texts = [r.comment for r in conn.execute(select(meeting_checkins.c.comment))]
        texts += [r.text for r in conn.execute(select(meeting_decisions.c.text))]
    assert not [t for t in texts if DIGITS in t or in_typed_text(t)]


def answers(client: Client) -> None:
    """The server still answers that person normally."""
    reply = client.get("/")
    assert reply.status == 200 and "Något gick fel" not in reply.text


def compare_download(fmt: str) -> dict:
    ident = {"format": fmt, "type": "compare-download"}
    return {"output": "..compare-download-file.data...compare-download-status.children..",
            "outputs": [{"id": "compare-download-file", "property": "data"},
                        {"id": "compare-download-status", "property": "children"}],
            "inputs": [[{"id": ident, "property": "n_clicks", "value": 1}]],
            "state": [{"id": "compare-state", "property": "data",
                       "value": {"kpi": "occupancy", "lang": "sv"}}],
            "changedPropIds": [json.dumps(ident, sort_keys=True, separators=(",", ":"))
                               + ".n_clicks"]}


def panel_download(panel, fmt, agreement: str = KRAMI) -> dict:
    body = chart({"agreement": agreement, "cluster": None, "period": "2023",
                  "breakdown": "total", "lang": "sv"})
    ident = {"format": fmt, "panel": panel, "type": "panel-download"}
    body["inputs"] = [[{"id": ident, "property": "n_clicks", "value": 1}]]
    body["changedPropIds"] = [json.dumps(ident, sort_keys=True, separators=(",", ":"))
                              + ".n_clicks"]
    return body


def test_attack_1_nothing_the_browser_sends_becomes_an_audit_entry(site):
    _, clients, engine, _ = site
    nobody, viewer, admin = clients["nobody"], clients["viewer"], clients["admin"]
    before = len(whole_log(engine))
    crafted = [
        (nobody, compare_download("x" * 1_000_000)),  # the 30 MB entry, smaller
        (nobody, compare_download("811218.9876")),
        (nobody, compare_download({"nested": "811218.9876"})),
        (viewer, panel_download("811218.9876", "png")),
        (viewer, panel_download("occupancy", "811218.9876")),
        (viewer, panel_download("occupancy", "png" * 100_000)),
        (admin, panel_download("occupancy", "png", agreement="19811218-9876")),  # no such one
    ]
    for client, body in crafted:
        reply = client.callback(body)
        assert reply.status == 200 and refused_callback(reply), reply.text[:300]
        assert DIGITS not in reply.text
    # A button the pages do offer, by someone with no role: nothing was done, nothing kept.
    reply = nobody.callback(compare_download("png"))
    assert reply.status == 204
    assert len(whole_log(engine)) == before
    nothing_holds_the_number(engine)
    # What the server did is still kept, from its own values.
    reply = viewer.callback(panel_download("occupancy", "png"))
    assert reply.status == 200 and not refused_callback(reply)
    entry = whole_log(engine)[0]
    assert (entry["actor"], entry["action"], entry["agreement_id"], entry["address"]) == \
        ("viewer", "export_chart", KRAMI, "127.0.0.1")
    assert json.loads(entry["detail"]) == {"format": "png", "panel": "occupancy"}
    longest = max(len(json.dumps(e)) for e in whole_log(engine))
    assert longest < audit.DETAIL_LIMIT + 1000
    for client in (nobody, viewer, admin):
        answers(client)


def add_account_body(login: str, name: str = "") -> dict:
    return {"output": "", "outputs": [{"id": "admin-message", "property": "children"},
                                      {"id": "admin-accounts", "property": "children"},
                                      {"id": "grant-login", "property": "options"},
                                      {"id": "admin-forms", "property": "hidden"},
                                      {"id": "new-password", "property": "value"},
                                      {"id": "new-password-again", "property": "value"}],
            "inputs": [{"id": "new-account", "property": "n_clicks", "value": 1}],
            "state": [{"id": "new-login", "property": "value", "value": login},
                      {"id": "new-name", "property": "value", "value": name},
                      {"id": "new-admin", "property": "value", "value": []},
                      {"id": "new-password", "property": "value", "value": ""},
                      {"id": "new-password-again", "property": "value", "value": ""},
                      {"id": "admin-state", "property": "data", "value": {"lang": "sv"}}],
            "changedPropIds": ["new-account.n_clicks"]}


def test_attack_3_identity_numbers_typed_in_the_browser_are_refused(site):
    _, clients, engine, ids = site
    admin, member = clients["admin"], clients["member"]
    mid = ids["meeting"]
    accounts_before = len(accounts.listing(engine))
    for login, name in (("19811218-9876", ""), ("811218.9876", ""), ("anna.a", "Anna 811218.9876"),
                        ("bo.b", "Bo 19811218.9876")):
        reply = admin.callback(with_output(admin, add_account_body(login, name)))
        said = text_of(reply)
        assert reply.status == 200 and "personnummer" in said and DIGITS not in said, said[:300]
    assert len(accounts.listing(engine)) == accounts_before
    for text in DOT_FORMS:
        reply = member.callback(with_output(member, checkin_body(mid, comment=text)))
        said = text_of(reply)
        assert "personnummer" in said and DIGITS not in said, (text, said[:300])
        reply = member.callback(with_output(member, decision_body(mid, text=text)))
        errors = json.dumps(reply.json()["response"]["decision-text-error"], ensure_ascii=False)
        assert "personnummer" in errors and DIGITS not in reply.text, text
    reply = member.callback(with_output(member, create_body(KRAMI, title="Möte 811218.9876")))
    assert "personnummer" in json.dumps(reply.json()["response"]["new-meeting-title-error"],
                                        ensure_ascii=False)
    reply = member.callback(with_output(member, edit_body(mid, attendees="Anna 19811218.9876")))
    assert "personnummer" in json.dumps(reply.json()["response"]
                                        ["meeting-edit-attendees-error"], ensure_ascii=False)
    assert store.checkins(engine, mid) == [] and store.decisions(engine, mid) == []
    assert [m.title for m in store.list_meetings(engine, KRAMI)] == ["Februari"]
    nothing_holds_the_number(engine)
    for client in (admin, member):
        answers(client)


def test_attack_3_identity_numbers_typed_on_the_command_line_are_refused(site):
    url, _, engine, ids = site
    mid = str(ids["meeting"])
    refused = [
        ("users", "add", "19811218-9876"),
        ("users", "add", "811218.9876"),
        ("users", "add", "cia.c", "--name", "Cia 811218.9876"),
        ("users", "password", "19811218.9876"),
        ("meetings", "add", "--agreement", KRAMI, "--period", "2023", "--date", "2024-03-01",
         "--title", "Möte 19811218.9876"),
        ("meetings", "add", "--agreement", KRAMI, "--period", "2023", "--date", "2024-03-01",
         "--by", "811218.9876"),
        *[("meetings", "checkin", mid, "--kpi", "occupancy", "--assessment", "at_risk",
           "--comment", text) for text in DOT_FORMS],
        *[("meetings", "decide", mid, "--text", text) for text in DOT_FORMS],
        ("meetings", "decide", mid, "--text", "Ring", "--action", "Ring 811218.9876",
         "--owner", "KV", "--due", "2024-04-30"),
        ("meetings", "decide", mid, "--text", "Ring", "--action", "Ring", "--owner",
         "811218.9876", "--due", "2024-04-30"),
    ]
    for args in refused:
        ran = run_cli(url, *args, stdin="ett-langt-losenord-2024\n")
        assert ran.returncode in (1, 2), (args, ran.stdout, ran.stderr)
        assert "personnummer" in ran.stderr and DIGITS not in ran.stderr + ran.stdout, args
    listed = run_cli(url, "users", "list")
    as_json = run_cli(url, "users", "list", "--format", "json")
    shown = run_cli(url, "meetings", "show", mid, "--format", "json")
    assert DIGITS not in listed.stdout + as_json.stdout + shown.stdout
    assert {a["login"] for a in json.loads(as_json.stdout)} == set(PEOPLE)
    assert json.loads(shown.stdout)["checkins"] == json.loads(shown.stdout)["decisions"] == []
    nothing_holds_the_number(engine)


def audit_filter_body(**values) -> dict:
    asked = {"action": "", "actor": "", "agreement": "", "since": "", "until": "", **values}
    return {"output": "..audit-entries.children...audit-csv.href..",
            "outputs": [{"id": "audit-entries", "property": "children"},
                        {"id": "audit-csv", "property": "href"}],
            "inputs": [{"id": f"audit-{k}", "property": "value", "value": v}
                       for k, v in asked.items()],
            "state": [{"id": "audit-state", "property": "data", "value": {"lang": "sv"}}],
            "changedPropIds": ["audit-actor.value"]}


def shown_actions(reply) -> list[str]:
    """The actions of the rows the audit page shows."""
    return re.findall(r'"data-action": "([a-z_]+)"', text_of(reply))


def csv_rows(client: Client, query: str) -> list[list[str]]:
    reply = client.get(f"/admin/audit.csv?{query}")
    assert reply.status == 200
    return list(csv.reader(io.StringIO(reply.text.lstrip("\ufeff")), delimiter=";"))[1:]


def test_attack_10_writes_in_the_browser_are_audited_and_admins_filter_them(site):
    _, clients, engine, ids = site
    admin, member = clients["admin"], clients["member"]
    mid = ids["meeting"]
    secret = "Kommentaren som inte hör hemma i loggen"
    writes = [create_body(KRAMI, title="Mars"), edit_body(mid, title="Februarimötet"),
              checkin_body(mid, comment=secret), decision_body(mid, text=secret)]
    for body in writes:
        reply = member.callback(with_output(member, body))
        assert reply.status == 200 and not refused_callback(reply), reply.text[:300]
    action = store.actions_at(engine, store.get_meeting(engine, mid))[0].id
    assert member.callback(with_output(member, action_body(mid, action))).status == 200
    mine = [e for e in whole_log(engine) if e["actor"] == "member"]
    done = [e["action"] for e in mine][::-1]
    assert done[-5:] == ["meeting_created", "meeting_edited", "meeting_checkin",
                         "meeting_decision", "meeting_action_done"]
    for e in mine[:5]:
        assert (e["agreement_id"], e["address"]) == (KRAMI, "127.0.0.1")
        assert e["at"][:10] == dt.datetime.now(dt.UTC).date().isoformat()
        assert secret not in json.dumps(e, ensure_ascii=False)
    checkin = next(e for e in mine if e["action"] == "meeting_checkin")
    assert checkin["object"] == str(mid)
    assert json.loads(checkin["detail"]) == {"assessment": "at_risk", "target": "occupancy"}
    # The admin filters by action, by who, by agreement and by days; so does the CSV.
    reply = admin.callback(audit_filter_body(actor="MEMB", action="meeting_checkin"))
    assert shown_actions(reply) == ["meeting_checkin"]
    reply = admin.callback(audit_filter_body(actor="member", agreement=KRAMI))
    assert shown_actions(reply)[:5] == done[-5:][::-1]
    today = dt.datetime.now(dt.UTC).date()
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=1)
    assert shown_actions(admin.callback(audit_filter_body(since=tomorrow.isoformat()))) == []
    assert shown_actions(admin.callback(audit_filter_body(until=yesterday.isoformat()))) == []
    same_day = shown_actions(admin.callback(audit_filter_body(
        actor="member", since=today.isoformat(), until=today.isoformat())))
    assert same_day[:5] == done[-5:][::-1]
    rows = csv_rows(admin, "actor=member&action=meeting_decision")
    assert [(r[2], r[3], r[4]) for r in rows] == [("member", "meeting_decision", KRAMI)]
    assert csv_rows(admin, f"since={tomorrow.isoformat()}") == []
    # Crafted filters are left out, never an error.
    reply = admin.callback(audit_filter_body(action="'; drop", since="2024-02-30",
                                             agreement="x" * 500, actor="%_"))
    assert reply.status == 200 and shown_actions(reply) == []
    assert admin.get("/admin/audit.csv?since=nonsense&actor=" + "x" * 5000).status == 200
    # Only admins: the filter and the CSV are refused to others.
    assert refused_callback(member.callback(audit_filter_body(actor="admin")))
    assert member.get("/admin/audit.csv").status == 404
    answers(admin)


def later_workbook(folder: Path) -> Path:
    """Krami's validity to 2024 and one month of 2024 (an import that undo can take back)."""
    book = openpyxl.Workbook()
    book.active.title = "occupancy"
    book.active.append(["agreement_id", "cluster_id", "month", "participants"])
    book.active.append([KRAMI, "stockholm", "2024-01", 70])
    valid = book.create_sheet("agreements")
    valid.append(["agreement_id", "name", "valid_from", "valid_to"])
    valid.append([KRAMI, "Krami Stockholm 2023–2024", "2023-01-01", "2024-12-31"])
    path = folder / "krami-later.xlsx"
    book.save(path)
    return path


def test_attack_10_writes_on_the_command_line_are_audited(site):
    url, _, engine, ids = site
    folder = ids["folder"]
    actor = audit.cli_actor()
    assert actor.startswith("cli")
    ran = run_cli(url, "import", str(later_workbook(folder)))
    assert ran.returncode == 0, ran.stderr
    import_id = int(repository.list_imports(engine)["id"].iloc[0])
    bad = later_workbook(folder).with_name("krami-bad.xlsx")
    book = openpyxl.load_workbook(folder / "krami-later.xlsx")
    book["occupancy"].append([KRAMI, "19811218-9876", "2024-02", 70])
    book.save(bad)
    assert run_cli(url, "import", str(bad)).returncode == 1
    assert run_cli(url, "undo", str(import_id)).returncode == 0
    assert run_cli(url, "undo", "999999").returncode == 1
    mid = run_cli(url, "meetings", "add", "--agreement", KRAMI, "--period", "2023-Q1",
                  "--date", "2024-04-01", "--by", "Anna Andersson").stdout.strip()
    steps = [("meetings", "checkin", mid, "--kpi", "occupancy", "--assessment", "on_track",
              "--comment", "Bra"),
             ("meetings", "decide", mid, "--text", "Fortsätt", "--action", "Ring KV",
              "--owner", "KV", "--due", "2024-05-01"),
             ("meetings", "close", mid)]
    for args in steps:
        ran = run_cli(url, *args)
        assert ran.returncode == 0, (args, ran.stderr)
    entries = [e for e in whole_log(engine) if e["actor"] == actor][::-1]
    assert [e["action"] for e in entries][-8:] == [
        "import", "import_refused", "undo", "undo_refused", "meeting_created",
        "meeting_checkin", "meeting_decision", "meeting_closed"]
    imported, refused, undone = entries[-8:-5]
    assert (imported["agreement_id"], imported["object"], imported["address"]) == \
        (KRAMI, str(import_id), None)
    assert json.loads(imported["detail"])["rows"] == {"agreements": 1, "occupancy": 1}
    assert json.loads(refused["detail"])["problems"] >= 1
    assert (undone["object"], undone["agreement_id"]) == (str(import_id), KRAMI)
    assert {e["object"] for e in entries[-4:]} == {mid}
    nothing_holds_the_number(engine)


def test_the_audit_log_keeps_entries_as_long_as_the_setting_says(site):
    url, clients, engine, _ = site
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=800)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with engine.begin() as conn:
        for at in (old, old, recent):
            conn.execute(insert(audit_log).values(at=at, actor="old", action="sign_in",
                                                  detail="{}"))
    ran = run_cli(url, "audit", "prune", AUDIT_RETENTION_DAYS="0")
    assert ran.returncode == 0 and "inget raderat" in ran.stdout
    assert len([e for e in whole_log(engine) if e["actor"] == "old"]) == 3
    ran = run_cli(url, "audit", "prune")  # the default: 730 days
    assert ran.returncode == 0 and "2 poster äldre än 730 dagar" in ran.stdout, ran.stdout
    assert [e["at"] for e in whole_log(engine) if e["actor"] == "old"] == [recent]
    pruned = whole_log(engine)[0]
    assert (pruned["action"], json.loads(pruned["detail"])) == \
        ("audit_pruned", {"days": 730, "entries": 2})
    assert run_cli(url, "audit", "prune", "--days", "365").returncode == 0
    assert [e for e in whole_log(engine) if e["actor"] == "old"] == []
    assert run_cli(url, "audit", "prune", "--days", "-1").returncode == 2
    # On its own: every hundredth entry written deletes what is older than the retention.
    with engine.begin() as conn:
        conn.execute(insert(audit_log).values(at=old, actor="old", action="sign_in",
                                              detail="{}"))
    for _ in range(audit.PRUNE_EVERY):
        audit.record(engine, "sign_out", actor="someone")
    assert [e for e in whole_log(engine) if e["actor"] == "old"] == []
    assert any(e["actor"] == audit.RETENTION_ACTOR for e in whole_log(engine))
    answers(clients["admin"])
