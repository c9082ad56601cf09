"""Every role against every route, callback and download, on SQLite and PostgreSQL.

The app runs as users run it (``python app.py`` in a process of its own) on the demo data
plus one later import of Krami (so that undoing Krami's first import is refused, not done),
with one account per role: a viewer, member and steward of Krami, a viewer of one cluster
(Järva), an account without roles, an admin, and an account disabled while signed in; and
nobody signed in. Each person asks for each page (drawn by Dash's router, as the browser
asks for it), each callback (period switch, breakdown, portfolio filter, chart download,
meeting pack, upload check, import log's undo, admin and audit callbacks) and each route
(the audit log as CSV, the file upload). Allowed: the answer itself. Refused: a clear answer
that looks like "not found" (a page), a message above the page (a callback), 404 (a route),
or 401 for nobody signed in — never a blank page or a 500.
"""

from __future__ import annotations

import json

import openpyxl
import pytest

from dashboard.config import DATA_DIR
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.people import accounts
from tests.conftest import BACKENDS
from tests.webserver import Client, add_accounts, router_body, serving

KRAMI, STHLM = "krami-sthlm-2023", "sthlm-af-2023"
PASSWORD = "matris-losenord-1"
PEOPLE = {
    "admin": (PASSWORD, True, []),
    "viewer": (PASSWORD, False, [("viewer", KRAMI, None)]),
    "cluster_viewer": (PASSWORD, False, [("viewer", STHLM, "jarva")]),
    "member": (PASSWORD, False, [("member", KRAMI, None)]),
    "steward": (PASSWORD, False, [("steward", KRAMI, None)]),
    "nobody": (PASSWORD, False, []),
    "disabled": (PASSWORD, False, [("viewer", KRAMI, None)]),
}
ROLES = ["anonymous", "disabled", "nobody", "viewer", "cluster_viewer", "member", "steward",
         "admin"]
KRAMI_PEOPLE = {"viewer", "member", "steward", "admin"}


@pytest.fixture(scope="module", params=BACKENDS)
def matrix(request, tmp_path_factory):
    """The server, and a signed-in client per role (``disabled`` disabled after signing in)."""
    folder = tmp_path_factory.mktemp(f"matrix-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'app.sqlite'}"
    else:
        server = request.getfixturevalue("postgres_server")
        url = server.create_database()
    add_accounts(url, PEOPLE)
    engine = make_engine(url)
    for path in sorted((DATA_DIR / "demo").glob("*.xlsx")):
        assert import_dataset(engine, path).ok
    later = folder / "krami-later.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "occupancy"
    book.active.append(["agreement_id", "cluster_id", "month", "participants"])
    book.active.append([KRAMI, "stockholm", "2024-01", 70])
    # Krami's validity to 2024 in the same file: a month outside it is refused (issue 16).
    valid = book.create_sheet("agreements")
    valid.append(["agreement_id", "name", "valid_from", "valid_to"])
    valid.append([KRAMI, "Krami Stockholm 2023–2024", "2023-01-01", "2024-12-31"])
    book.save(later)
    assert import_dataset(engine, later).ok
    log = repository.list_imports(engine)
    first_krami = int(log[log["file_name"] == "krami-stockholm-2023.xlsx"]["id"].iloc[0])
    with serving(url, "app", log=folder / "app.log", LOAD_DEMO="0",
                 BROWSER_PATH=str(folder / "no-browser")) as base:
        clients = {"anonymous": Client(base)}
        for login in PEOPLE:
            clients[login] = Client(base)
            clients[login].sign_in(login, PASSWORD)
        accounts.set_disabled(engine, "disabled", True, actor="test")
        yield base, clients, {"first_krami": first_krami}
    engine.dispose()
    if request.param != "sqlite":
        request.getfixturevalue("postgres_server").drop_database(url)


# --------------------------------------------------------------------------- what is asked

PAGES = {  # name: (path, search, who may see it, what shows it was drawn)
    "portfolio": ("/", "", set(ROLES) - {"anonymous", "disabled"}, "view-title"),
    "agreement": (f"/agreements/{KRAMI}", "?period=2023", KRAMI_PEOPLE, "kpi-table"),
    "another agreement": (f"/agreements/{STHLM}", "", {"admin"}, "kpi-table"),
    "a cluster": (f"/agreements/{STHLM}/clusters/jarva", "", {"admin", "cluster_viewer"},
                  "kpi-table"),
    "another cluster": (f"/agreements/{STHLM}/clusters/vallingby-city", "", {"admin"},
                        "kpi-table"),
    "the agreement's cluster": (f"/agreements/{KRAMI}/clusters/stockholm", "", KRAMI_PEOPLE,
                                "kpi-table"),
    "presentation": (f"/present/{KRAMI}", "?period=2023&slide=2", KRAMI_PEOPLE,
                     "present-bar"),
    "a cluster's presentation": (f"/present/{STHLM}", "?cluster=jarva",
                                 {"admin", "cluster_viewer"}, "present-bar"),
    "presentation per cluster": (f"/present/{STHLM}", "?clusters=1", {"admin"},
                                 "present-bar"),
    "upload": ("/upload", "", {"admin", "steward"}, "upload-drop"),
    "admin": ("/admin", "", {"admin"}, "accounts-table"),
    "audit log": ("/admin/audit", "", {"admin"}, "audit-table"),
    "no such agreement": ("/agreements/no-such-thing", "", set(), "kpi-table"),
}


def navigate(pathname: str, breakdown: str = "total", changed: str = "period-select.value"):
    """The period switch's request (web/components/view_page.py: switch_view), as the page sends
    it from the view at ``pathname``."""
    parts = pathname.strip("/").split("/")
    agreement, cluster = parts[1], parts[3] if len(parts) == 4 else None
    outputs = [("view-content", "children"), ("period-select", "value"),
               ("period-prev-holder", "children"), ("period-next-holder", "children"),
               ("view-state", "data"), ("url-sync", "data"), ("crumbs", "children"),
               ("lang-switch", "href")]
    return {"output": "", "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "period-select", "property": "value", "value": "2023-H1"},
                       {"id": "period-prev", "property": "n_clicks", "value": 0},
                       {"id": "period-next", "property": "n_clicks", "value": 0},
                       {"id": "breakdown-switch", "property": "value", "value": breakdown},
                       {"id": "history-target", "property": "data", "value": None}],
            "state": [{"id": "view-state", "property": "data",
                       "value": {"agreement": agreement, "cluster": cluster,
                                 "path": pathname, "lang": "sv", "period": "2023",
                                 "breakdown": "total", "prev": None, "next": None}}],
            "changedPropIds": [changed]}


def view_state(agreement: str, cluster: str | None = None) -> dict:
    return {"agreement": agreement, "cluster": cluster, "period": "2023",
            "breakdown": "total", "lang": "sv"}


def chart(state: dict):
    return {"output": "..panel-download-file.data...panel-download-fallback.data..."
                      "panel-download-status.children...panel-download-status.is_open..",
            "outputs": [{"id": "panel-download-file", "property": "data"},
                        {"id": "panel-download-fallback", "property": "data"},
                        {"id": "panel-download-status", "property": "children"},
                        {"id": "panel-download-status", "property": "is_open"}],
            "inputs": [[{"id": {"type": "panel-download", "panel": "occupancy",
                                "format": "png"}, "property": "n_clicks", "value": 1}]],
            "state": [{"id": "export-view", "property": "data", "value": state}],
            "changedPropIds": ['{"format":"png","panel":"occupancy","type":"panel-download"}'
                               ".n_clicks"]}


def pack(state: dict):
    """The click that starts the view's meeting pack (a job of the person: its handle in the
    answer, dashboard/jobs/handles.py)."""
    outputs = [("export-job", "data"), ("export-poll", "disabled"),
               ("export-poll", "max_intervals"), ("export-pack", "disabled"),
               ("export-running", "style"), ("export-done", "style"),
               ("export-progress", "value"), ("export-step", "children"),
               ("export-status", "children")]
    return {"output": "..{}..".format("...".join(f"{i}.{p}" for i, p in outputs)),
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "export-pack", "property": "n_clicks", "value": 1}],
            "state": [{"id": "export-view", "property": "data", "value": state},
                      {"id": "export-poll", "property": "n_intervals", "value": 0}],
            "changedPropIds": ["export-pack.n_clicks"]}


def portfolio_filter():
    return {"output": "",  # the server's key (with its hash): output_of
            "outputs": [{"id": "portfolio-grid", "property": "rowData"},
                        {"id": "portfolio-grid", "property": "columnDefs"},
                        {"id": "portfolio-summary-box", "property": "children"},
                        {"id": "portfolio-count", "property": "children"},
                        {"id": "url-sync", "property": "data"}],
            "inputs": [{"id": "portfolio-period", "property": "value", "value": "2023"},
                       {"id": "portfolio-kind", "property": "value", "value": []},
                       {"id": "portfolio-county", "property": "value", "value": []},
                       {"id": "portfolio-status", "property": "value", "value": ""},
                       {"id": "portfolio-group", "property": "value", "value": ""}],
            "state": [{"id": "portfolio-state", "property": "data", "value": {"lang": "sv"}}],
            "changedPropIds": ["portfolio-period.value"]}


def simple(output: str, outputs, inputs: list, state: list, changed: str) -> dict:
    return {"output": output, "outputs": outputs, "inputs": inputs, "state": state,
            "changedPropIds": [changed]}


def upload_check():
    return simple("upload-result.children", {"id": "upload-result", "property": "children"},
                  [{"id": "upload-token", "property": "data", "value": {"token": "x" * 32}},
                   {"id": "upload-mode", "property": "value", "value": "upsert"}],
                  [{"id": "upload-state", "property": "data", "value": {"lang": "sv"}}],
                  "upload-token.data")


def undo(import_id: int):
    return simple("", [{"id": "upload-log", "property": "children"},
                       {"id": "upload-message", "property": "children"}],
                  [[{"id": {"type": "undo-import", "import": import_id},
                     "property": "n_clicks", "value": 1}]],
                  [{"id": "upload-state", "property": "data", "value": {"lang": "sv"}}],
                  json.dumps({"import": import_id, "type": "undo-import"},
                             separators=(",", ":")) + ".n_clicks")


def add_account():
    return simple("", [{"id": "admin-message", "property": "children"},
                       {"id": "admin-accounts", "property": "children"},
                       {"id": "grant-login", "property": "options"},
                       {"id": "admin-forms", "property": "hidden"},
                       {"id": "new-password", "property": "value"},
                       {"id": "new-password-again", "property": "value"}],
                  [{"id": "new-account", "property": "n_clicks", "value": 1}],
                  [{"id": "new-login", "property": "value", "value": "Not A Login!"},
                   {"id": "new-name", "property": "value", "value": ""},
                   {"id": "new-admin", "property": "value", "value": []},
                   {"id": "new-password", "property": "value", "value": ""},
                   {"id": "new-password-again", "property": "value", "value": ""},
                   {"id": "admin-state", "property": "data", "value": {"lang": "sv"}}],
                  "new-account.n_clicks")


def audit_filter():
    return simple("..audit-entries.children...audit-csv.href..",
                  [{"id": "audit-entries", "property": "children"},
                   {"id": "audit-csv", "property": "href"}],
                  [{"id": "audit-action", "property": "value", "value": "sign_in"},
                   {"id": "audit-actor", "property": "value", "value": ""},
                   {"id": "audit-agreement", "property": "value", "value": ""},
                   {"id": "audit-since", "property": "value", "value": ""},
                   {"id": "audit-until", "property": "value", "value": ""}],
                  [{"id": "audit-state", "property": "data", "value": {"lang": "sv"}}],
                  "audit-action.value")


CALLBACKS = {  # name: (body, who may, what an allowed answer holds)
    "period switch": (lambda ids: navigate(f"/agreements/{KRAMI}"), KRAMI_PEOPLE,
                      "period=2023-H1"),
    "breakdown of a cluster": (lambda ids: navigate(f"/agreements/{STHLM}/clusters/jarva",
                                                    "gender", "breakdown-switch.value"),
                               {"admin", "cluster_viewer"}, "breakdown=gender"),
    "period switch of another agreement": (lambda ids: navigate(f"/agreements/{STHLM}"),
                                           {"admin"}, "period=2023-H1"),
    "chart download": (lambda ids: chart(view_state(KRAMI)), KRAMI_PEOPLE, "Beläggning"),
    "a cluster's chart": (lambda ids: chart(view_state(STHLM, "jarva")),
                          {"admin", "cluster_viewer"}, "Järva"),
    "another agreement's chart": (lambda ids: chart(view_state(STHLM)), {"admin"},
                                  "Beläggning"),
    "meeting pack": (lambda ids: pack(view_state(KRAMI)), KRAMI_PEOPLE, "export-job"),
    "a cluster's meeting pack": (lambda ids: pack(view_state(STHLM, "jarva")),
                                 {"admin", "cluster_viewer"}, "export-job"),
    "another agreement's meeting pack": (lambda ids: pack(view_state(STHLM)), {"admin"},
                                         "export-job"),
    "upload check": (lambda ids: upload_check(), {"admin", "steward"}, "upload-gone"),
    "undo in the import log": (lambda ids: undo(ids["first_krami"]), {"admin", "steward"},
                               "undo-failed"),
    "add an account": (lambda ids: add_account(), {"admin"}, "admin-refused"),
    "audit filter": (lambda ids: audit_filter(), {"admin"}, "audit-table"),
}


def output_of(client: Client, body: dict) -> dict:
    """``body`` with the output key the server gives that callback (Dash adds a hash to a
    duplicate output's key; several callbacks here share their first output)."""
    if body["output"] and "@" not in body["output"]:
        return body
    deps = client.get("/_dash-dependencies")
    wanted = [o["id"] + "." + o["property"] for o in (
        body["outputs"] if isinstance(body["outputs"], list) else [body["outputs"]])]
    inputs = [i[0]["id"] if isinstance(i, list) else i["id"] for i in body["inputs"]]
    for dep in deps.json():
        outs = dep["output"].strip(".").split("...")
        ins = [json.loads(i["id"]) if i["id"].startswith("{") else i["id"]
               for i in dep["inputs"]]
        same_outs = [o.split("@")[0] for o in outs] == wanted
        if same_outs and all(_same_id(a, b) for a, b in zip(ins, inputs, strict=False)):
            return {**body, "output": dep["output"]}
    raise AssertionError(f"no callback with outputs {wanted}")


def _same_id(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.get("type") == b.get("type")
    return a == b


# --------------------------------------------------------------------------- the walk


def text_of(reply) -> str:
    """The answer's text with its JSON's unicode escapes read."""
    try:
        return json.dumps(reply.json(), ensure_ascii=False)
    except ValueError:
        return reply.text


def refused_page(reply) -> bool:
    content = json.dumps(reply.json()["response"]["_pages_content"], ensure_ascii=False)
    return "not-found" in content and "Sidan finns inte" in content


def refused_callback(reply) -> bool:
    body = reply.json()
    side = json.dumps(body.get("sideUpdate", {}), ensure_ascii=False)
    return reply.status == 200 and "refused" in side and not body.get("response")


def test_every_role_against_every_page(matrix):
    base, clients, _ = matrix
    wrong = []
    for name, (path, search, allowed, marker) in PAGES.items():
        for role in ROLES:
            reply = clients[role].callback(router_body(path, search))
            assert reply.status != 500 and reply.body, (role, name, reply.status)
            if role in ("anonymous", "disabled"):
                ok = reply.status == 401 and "inte inloggad" in reply.json()["message"]
                shown = False
            else:
                assert reply.status == 200, (role, name, reply.text[:300])
                shown = not refused_page(reply)
                ok = shown == (role in allowed)
                if shown:
                    ok = ok and marker in text_of(reply)
            if not ok:
                wrong.append(f"{role} {name}: {reply.status} shown={shown} "
                             f"{reply.text[:160]}")
    assert wrong == [], "\n".join(wrong)


def test_page_addresses_need_a_sign_in(matrix):
    base, clients, _ = matrix
    reply = clients["anonymous"].get(f"/agreements/{KRAMI}?period=2023", follow=False)
    assert reply.status == 302
    assert reply.headers["Location"] == "/login?next=%2Fagreements%2Fkrami-sthlm-2023%3F" \
                                        "period%3D2023"
    assert clients["disabled"].get("/", follow=False).status == 302
    for role in ("viewer", "cluster_viewer", "nobody"):
        # The same page for an agreement of theirs, of another's and none: the router
        # decides what is drawn (test_every_role_against_every_page).
        for path in (f"/agreements/{KRAMI}", f"/agreements/{STHLM}", "/agreements/nope"):
            assert clients[role].get(path).status == 200
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert clients["anonymous"].get(path).status == 401


def test_the_portfolio_shows_only_what_each_may_see(matrix):
    base, clients, _ = matrix
    seen = {}
    # The admin first: what is kept for the admin (dashboard/store) must not reach others.
    for role in ["admin", *[r for r in ROLES if r != "admin"]]:
        if role in ("anonymous", "disabled"):
            reply = clients[role].callback(output_of(clients["admin"], portfolio_filter()))
            assert reply.status == 401
            continue
        reply = clients[role].callback(output_of(clients["admin"], portfolio_filter()))
        assert reply.status == 200, (role, reply.text[:300])
        rows = reply.json()["response"]["portfolio-grid"]["rowData"]
        seen[role] = {r["id"] for r in rows}
        text = text_of(clients[role].callback(router_body("/", "")))
        if role == "cluster_viewer":
            assert "your-clusters" in text and "/agreements/sthlm-af-2023/clusters/jarva" in text
        if role == "nobody":
            assert "ingen behörighet" in text
    assert seen["admin"] == {KRAMI, STHLM, "jarfalla-af-2023", "grums-unga-2016"}
    for role in ("viewer", "member", "steward"):
        assert seen[role] == {KRAMI}
    assert seen["cluster_viewer"] == seen["nobody"] == set()


def test_every_role_against_every_callback(matrix):
    base, clients, ids = matrix
    wrong = []
    for name, (make, allowed, marker) in CALLBACKS.items():
        body = output_of(clients["admin"], make(ids))
        for role in ROLES:
            reply = clients[role].callback(body)
            assert reply.status != 500, (role, name, reply.text[:300])
            if role in ("anonymous", "disabled"):
                ok = reply.status == 401
            elif role in allowed:
                ok = reply.status == 200 and marker in text_of(reply) and \
                    not refused_callback(reply)
            else:
                ok = refused_callback(reply)
            if not ok:
                wrong.append(f"{role} {name}: {reply.status} {reply.text[:200]}")
    assert wrong == [], "\n".join(wrong)
    # The downloads and packs asked for are in the audit log, by whom and of what (ids).
    log = clients["admin"].get("/admin/audit.csv").text.lstrip("\ufeff").splitlines()
    exports = {tuple(line.split(";")[2:6]) for line in log[1:]
               if line.split(";")[3] in ("export_chart", "export_pack")}
    assert ("viewer", "export_chart", KRAMI, "") in exports
    assert ("cluster_viewer", "export_pack", STHLM, "jarva") in exports
    assert not any(who == "cluster_viewer" and agreement == KRAMI
                   for who, _, agreement, _ in exports)


def test_every_role_against_the_routes(matrix):
    base, clients, _ = matrix
    for role in ROLES:
        csv = clients[role].get("/admin/audit.csv")
        sent = clients[role].post("/upload/file", b"agreement_id\n",
                                  {"X-File-Name": "krami.csv",
                                   "X-CSRFToken": clients[role].csrf(),
                                   "Content-Type": "application/octet-stream"})
        if role in ("anonymous", "disabled"):
            assert (csv.status, sent.status) == (401, 401), role
        elif role == "admin":
            assert csv.status == 200 and csv.headers["Content-Type"].startswith("text/csv")
            assert "sign_in" in csv.text and "matris-losenord" not in csv.text
            assert sent.status == 200 and len(sent.json()["token"]) > 20
        elif role == "steward":
            assert csv.status == 404 and "Sidan finns inte" in csv.text
            assert sent.status == 200
        else:
            assert csv.status == 404 and "Sidan finns inte" in csv.text, role
            assert sent.status == 404, role


def test_a_state_change_without_the_csrf_token_is_refused(matrix):
    base, clients, _ = matrix
    admin = clients["admin"]
    body = output_of(admin, add_account())
    assert admin.callback(body, csrf=False).status == 403
    assert admin.callback(body, headers={"X-CSRFToken": "forged"}).status == 403
    other = Client(base)  # another browser's token is not this session's
    assert admin.callback(body, headers={"X-CSRFToken": other.csrf()}).status == 403
    assert admin.callback(body, headers={"Origin": "https://evil.example"}).status == 403
    assert admin.callback(body, headers={"Sec-Fetch-Site": "cross-site"}).status == 403
    assert admin.callback(body, headers={"Origin": base}).status == 200
    # A form from elsewhere: no token, so no sign-out (and no sign-in into an attacker's
    # account either).
    assert admin.form("/logout", {}, csrf=False).status == 400
    assert admin.get("/admin", follow=False).status == 200


STHLM_NAME = "Stockholms stad – Arbetsförmedlingen 2023"


def compare_rows(reply) -> list[str]:
    """The ranked names in the comparison's table (not the gender rows under them)."""
    names = []

    def walk(node, in_table=False):
        if isinstance(node, dict):
            props = node.get("props", {})
            table = in_table or props.get("id") == "compare-table"
            if table and node.get("type") == "Tr":
                cells = props.get("children") or []
                if len(cells) > 1 and isinstance(cells[1], dict) and \
                        cells[1].get("type") == "Td" and cells[0]["props"].get("children"):
                    names.append(str(cells[1]["props"].get("children")).strip())
            for value in props.values():
                walk(value, table)
        elif isinstance(node, list):
            for item in node:
                walk(item, in_table)

    walk(reply.json()["response"]["_pages_content"]["children"])
    return names


@pytest.mark.parametrize("search", ["?period=2023", "?level=agreements&period=2023",
                                    "?level=clusters&gender=1&period=2023"])
def test_the_comparison_for_every_role(matrix, search):
    """/compare answers every signed-in role with what that person may see: the agreements
    seen whole, a cluster viewer's own clusters (whatever level is asked), and a word for
    someone without a role; never "Något gick fel"."""
    base, clients, _ = matrix
    # The matrix's Krami runs 2023–2024 (its later file holds a 2024 row).
    krami = {"Krami Stockholm 2023–2024", "Krami Stockholm – Krami Stockholm 2023–2024"}
    for role in ROLES:
        reply = clients[role].callback(router_body("/compare", search))
        if role in ("anonymous", "disabled"):
            assert reply.status == 401, role
            continue
        assert reply.status == 200, (role, reply.text[:300])
        text = text_of(reply)
        assert "Något gick fel" not in text and "not-found" not in text, (role, text[:300])
        names = set(compare_rows(reply))
        if role == "nobody":
            assert "compare-empty" in text and "ingen behörighet" in text
            assert "compare-table" not in text
        elif role == "cluster_viewer":
            # Only clusters, and only Järva (the level asked is not theirs to choose).
            assert names == {"Järva – " + STHLM_NAME}, names
        elif role == "admin":
            if "clusters" in search:  # every cluster with outcomes in 2023
                assert len(names) == 6 and "Järva – " + STHLM_NAME in names, names
            else:
                assert names == {"Krami Stockholm 2023–2024", STHLM_NAME}
        else:  # Krami's viewer, member and steward: Krami (or its one cluster)
            assert len(names) == 1 and names <= krami, (role, names)
