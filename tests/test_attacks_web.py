"""Issue 17's attacks on the web server, each tried again against the running app over
real HTTP: ``/compare`` for every role (6), encoded traversal (7), versions (8),
``Cache-Control`` (9), and sign-in while PostgreSQL is stopped or takes no writes (11).

One server per database for the module (demo data, an administrator, a viewer of one
cluster and an account without a role): gunicorn on SQLite, ``python app.py`` on
PostgreSQL, so that both web servers and both databases are tried. Attack 11 stops a
PostgreSQL server of its own under an app of its own (:mod:`tests.pg`), and brings it
back without restarting the app.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import BACKENDS
from tests.pg import PostgresServer, find_bin_dir
from tests.wait import wait_until
from tests.webserver import Client, add_accounts, pack_start_body, router_body, serving

PASSWORD = "plommon-Kavaj-fyrtorn-58"
GRUMS = ("grums-unga-2016", "grums")
PEOPLE = {
    "admin": (PASSWORD, True, []),
    "grumsviewer": (PASSWORD, False, [("viewer", *GRUMS)]),
    "norole": (PASSWORD, False, []),
}
KRAMI = "/agreements/krami-sthlm-2023"
UNAVAILABLE = "Tjänsten är tillfälligt otillgänglig"


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, tmp_path_factory):
    """The app on the demo data, a signed-in client per login, and its log."""
    folder = tmp_path_factory.mktemp(f"attacks-{request.param}")
    if request.param == "sqlite":
        url, kind = f"sqlite:///{folder / 'app.sqlite'}", "gunicorn"
    else:
        url, kind = request.getfixturevalue("postgres_server").create_database(), "app"
    add_accounts(url, PEOPLE)
    # No browser for images (the chart's answer says so); gunicorn does not wait for the
    # pack's job when the module ends.
    with serving(url, kind, log=folder / "app.log", LOAD_DEMO="1",
                 BROWSER_PATH=str(folder / "no-browser"),
                 GUNICORN_CMD_ARGS="--graceful-timeout 2") as base:
        clients = {}
        for login in PEOPLE:
            clients[login] = Client(base)
            clients[login].sign_in(login, PASSWORD)
        yield base, clients, folder / "app.log"
    if request.param != "sqlite":
        request.getfixturevalue("postgres_server").drop_database(url)


def content(reply) -> str:
    """What the router's answer shows (the page's components as JSON text)."""
    assert reply.status == 200, reply.text[:300]
    return json.dumps(reply.json()["response"]["_pages_content"], ensure_ascii=False)


# --------------------------------------------------------------------------- 6


def find(component, wanted: str):
    """The component with id ``wanted`` in a Dash layout (plain JSON)."""
    if isinstance(component, list):
        return next((f for c in component if (f := find(c, wanted)) is not None), None)
    if not isinstance(component, dict):
        return None
    props = component.get("props", {})
    if props.get("id") == wanted:
        return component
    return find(props.get("children"), wanted)


def table_names(reply) -> list[str]:
    """The names in the comparison's table, a row each (the genders' rows left out)."""
    table = find(reply.json()["response"]["_pages_content"]["children"], "compare-table")
    body = table["props"]["children"][1]["props"]["children"]
    return [row["props"]["children"][1]["props"]["children"] for row in body
            if row["props"].get("className") != "compare-gender"]


def test_compare_answers_every_role(served):
    """Attack 6: ``/compare`` gave "Något gick fel" to a viewer of a cluster (and with
    staffing's key figures to everyone: a row per role was ranked beside the total)."""
    base, clients, log = served
    viewer = clients["grumsviewer"]
    for kpi in ("work_study_share", "fte_actual", "fte_fulfilment", "fte_actual_min"):
        for level in ("clusters", "agreements"):
            shown = content(viewer.callback(router_body("/compare",
                                                        f"?kpi={kpi}&level={level}")))
            assert "Något gick fel" not in shown and "compare-table" in shown, (kpi, level)
            # Their one cluster, named, and nothing of an agreement they do not see.
            assert "Grums" in shown and "Krami" not in shown and "Järva" not in shown
    assert viewer.get("/compare?kpi=fte_actual").status == 200
    # The administrator's ranking of staffing: each agreement once (not once per role).
    admin = clients["admin"].callback(router_body("/compare", "?kpi=fte_actual"))
    names = table_names(admin)
    assert "Något gick fel" not in content(admin) and "Krami Stockholm 2023" in names
    assert len(names) == len(set(names)), names
    # Without a role: the usual word that there is nothing yet, not an error.
    none = content(clients["norole"].callback(router_body("/compare", "?kpi=fte_actual")))
    assert "compare-empty" in none and "ingen behörighet till någon överenskommelse" in none
    assert "Något gick fel" not in none
    assert "a callback failed" not in log.read_text()


# --------------------------------------------------------------------------- 7

TRAVERSALS = [
    "/_dash-component-suites/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/_dash-component-suites/dash/..%2f..%2fdashboard%2fconfig.py",
    "/_dash-component-suites/dash%2f..%2f..%2fversion.py",
    "/_dash-component-suites/dash/deps/..%5c..%5cversion.py",
    "/_dash-component-suites/dash/%2e%2e/%2e%2e/version.py",
    "/_dash-component-suites/dash/dcc/..%252f..%252fversion.py",
    "/_dash-component-suites/dash/dcc/async-graph.js%00.py",
    "/_dash-component-suites/dash/version.py",  # Dash's own, but not a bundle it serves
    "/assets/..%2f..%2fdashboard%2fconfig.py",
    "/agreements/..%2f..%2fadmin",
]


@pytest.mark.parametrize("signed_in", [False, True])
def test_traversing_or_malformed_paths_are_404(served, signed_in):
    """Attack 7: ``/_dash-component-suites/..%2f…`` gave 500; now 404 before Dash reads it,
    signed in or not, and the bundles the page links are still served."""
    base, clients, log = served
    client = clients["admin"] if signed_in else Client(base)
    for path in TRAVERSALS:
        reply = client.get(path, follow=False)
        assert reply.status == 404, (path, reply.status, reply.text[:200])
        assert "Sidan finns inte" in reply.text and "Traceback" not in reply.text
        assert "root:" not in reply.text and "import" not in reply.text
    page = clients["admin"].get("/")
    assert page.status == 200
    links = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    assert len(links) > 10
    for link in [*links, "/_dash-component-suites/dash/dcc/async-graph.js",
                 "/_dash-component-suites/plotly/package_data/plotly.min.js"]:
        assert client.get(link).status == 200, link
    assert "a request failed" not in log.read_text()


# --------------------------------------------------------------------------- 8

VERSIONS = {"python_version", "dash_version", "plotly_version", "ddk_version"}


def installed_versions() -> set[str]:
    from importlib.metadata import version

    found = {f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"}
    for package in ("dash", "plotly", "flask", "werkzeug", "gunicorn",
                    "dash-bootstrap-components", "dash-ag-grid"):
        v = version(package)
        found |= {v, v.replace(".", "_")}
    return found


def test_no_version_in_the_page_its_links_or_headers(served):
    """Attack 8: the page's config named Python, Dash and Plotly; the bundles carried
    Dash's ``.v<version>m<mtime>``; now a hash of each file's content, and no header
    names a server."""
    base, clients, _ = served
    admin = clients["admin"]
    page = admin.get("/")
    config = json.loads(re.search(r'<script id="_dash-config" type="application/json">'
                                  r"(.*?)</script>", page.text, re.S).group(1))
    assert not VERSIONS & set(config)
    for version in installed_versions():
        assert f"v{version}" not in page.text and f"={version}" not in page.text, version
        assert f'"{version}"' not in page.text, version
    links = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    bundles = [u for u in links if u.startswith("/_dash-component-suites/")]
    assert len(bundles) >= 8
    for link in links:
        reply = admin.get(link)
        digest = hashlib.sha256(reply.body).hexdigest()
        if link in bundles:  # name.v<8 hex>m<12 hex>.js: the file's SHA-256
            assert f".v{digest[:8]}m{digest[8:20]}." in link, link
        else:  # assets and the favicon: ?h=<20 hex>
            assert link.endswith(f"?h={digest[:20]}"), link
    replies = [page, admin.get(bundles[0]), admin.get("/login"), admin.get("/nowhere%2f"),
               admin.callback(router_body("/", "")), Client(base).get("/", follow=False)]
    for reply in replies:
        headers = {k.lower(): v for k, v in reply.headers.items()}
        assert "server" not in headers and "x-powered-by" not in headers, headers


# --------------------------------------------------------------------------- 9


def view_state(agreement="krami-sthlm-2023"):
    return {"agreement": agreement, "cluster": None, "period": "2023",
            "breakdown": "total", "lang": "sv"}


def output_key(client: Client, first: str) -> str:
    """The output key the server gives the callback whose first output is ``first``."""
    deps = client.get("/_dash-dependencies").json()
    return next(d["output"] for d in deps if d["output"].startswith(".." + first + "."))


def switch_body(client: Client) -> dict:
    outputs = [("view-content", "children"), ("period-select", "value"),
               ("period-prev-holder", "children"), ("period-next-holder", "children"),
               ("view-state", "data"), ("url-sync", "data"), ("crumbs", "children"),
               ("lang-switch", "href")]
    return {"output": output_key(client, "view-content"),
            "outputs": [{"id": i, "property": p} for i, p in outputs],
            "inputs": [{"id": "period-select", "property": "value", "value": "2023"},
                       {"id": "period-prev", "property": "n_clicks", "value": 0},
                       {"id": "period-next", "property": "n_clicks", "value": 0},
                       {"id": "breakdown-switch", "property": "value", "value": "total"},
                       {"id": "history-target", "property": "data", "value": None}],
            "state": [{"id": "view-state", "property": "data",
                       "value": {"agreement": "krami-sthlm-2023", "cluster": None,
                                 "path": KRAMI, "lang": "sv", "period": "2022",
                                 "breakdown": "total", "prev": None, "next": "2023"}}],
            "changedPropIds": ["period-select.value"]}


def chart_body() -> dict:
    return {"output": "..panel-download-file.data...panel-download-fallback.data..."
                      "panel-download-status.children...panel-download-status.is_open..",
            "outputs": [{"id": "panel-download-file", "property": "data"},
                        {"id": "panel-download-fallback", "property": "data"},
                        {"id": "panel-download-status", "property": "children"},
                        {"id": "panel-download-status", "property": "is_open"}],
            "inputs": [[{"id": {"type": "panel-download", "panel": "occupancy",
                                "format": "png"}, "property": "n_clicks", "value": 1}]],
            "state": [{"id": "export-view", "property": "data", "value": view_state()}],
            "changedPropIds": ['{"format":"png","panel":"occupancy","type":"panel-download"}'
                               ".n_clicks"]}


def test_everything_personal_is_no_store_and_static_files_may_be_kept(served):
    """Attack 9: the view callback with its figures, the chart download and the pack had
    no ``Cache-Control``; now ``no-store`` on every page, callback, form and route."""
    base, clients, _ = served
    admin = clients["admin"]
    view = admin.callback(switch_body(admin))
    assert view.status == 200 and '"figure"' in view.text  # the figures themselves
    chart = admin.callback(chart_body())
    assert chart.status == 200
    pack = admin.callback(pack_start_body(admin, view_state()))
    assert pack.status in (200, 202, 204), pack.text[:300]
    personal = {
        "the view with its figures": view, "the chart download": chart, "the pack": pack,
        "a page": admin.get(KRAMI + "?period=2023"), "the portfolio": admin.get("/"),
        "the router's page": admin.callback(router_body(KRAMI, "?period=2023")),
        "the layout": admin.get("/_dash-layout"),
        "the callbacks' list": admin.get("/_dash-dependencies"),
        "the audit log": admin.get("/admin/audit.csv"),
        "the sign-in form": Client(base).get("/login"),
        "a redirect to sign in": Client(base).get(KRAMI, follow=False),
        "a refused callback": Client(base).callback(router_body("/", "")),
        "a 404": admin.get("/x/..%2fy"),
    }
    for name, reply in personal.items():
        assert reply.headers.get("Cache-Control") == "no-store", (name, reply.headers)
    page = admin.get("/")
    for link in re.findall(r'(?:src|href)="(/[^"]+)"', page.text)[:6]:
        assert "no-store" not in admin.get(link).headers.get("Cache-Control", ""), link


# --------------------------------------------------------------------------- 11


@pytest.fixture(scope="module")
def own_server():
    """A PostgreSQL server of this test's own, to stop and start under the app."""
    bin_dir = find_bin_dir()
    if bin_dir is None or os.environ.get("TEST_POSTGRES_URL"):
        from tests.needs import missing

        missing("PostgreSQL binaries not found (stopping a server needs one of our own)",
                "the outage tests")
    server = PostgresServer(bin_dir).start()
    yield server
    server.stop()


@contextlib.contextmanager
def stopped(server: PostgresServer):
    server.pause()
    try:
        yield
    finally:
        server.resume()


@contextlib.contextmanager
def read_only(server: PostgresServer):
    """Every session of the server takes no writes (as a standby), until the end."""
    admin = create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT",
                          poolclass=NullPool)

    def setting(statement: str) -> None:
        with admin.connect() as conn:
            conn.execute(text("SET default_transaction_read_only = off"))
            conn.execute(text(statement))
            conn.execute(text("SELECT pg_reload_conf()"))

    setting("ALTER SYSTEM SET default_transaction_read_only = on")
    try:
        yield
    finally:
        setting("ALTER SYSTEM RESET default_transaction_read_only")
        admin.dispose()


def sign_in_form(client: Client) -> str:
    """The sign-in form's CSRF token (the form read while the database answers)."""
    page = client.get("/login")
    assert page.status == 200, page.text[:300]
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def post_sign_in(client: Client, token: str, password: str = PASSWORD):
    from urllib.parse import urlencode

    return client.post("/login", urlencode({"csrf_token": token, "login": "admin",
                                            "password": password}).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded"})


def signs_in(client: Client) -> bool:
    """The form read and sent: signed in (a redirect to the app)."""
    return post_sign_in(client, sign_in_form(client)).status == 302


def assert_unavailable(reply, *words: str, title: str = UNAVAILABLE) -> None:
    assert reply.status == 503, (reply.status, reply.text[:300])
    assert title in reply.text and "Något gick fel" not in reply.text
    assert reply.headers.get("Retry-After") == "5"
    assert reply.headers.get("Cache-Control") == "no-store"
    for word in words:
        assert word in reply.text, word


def test_sign_in_while_postgresql_is_stopped_or_read_only_and_after(own_server,
                                                                    tmp_path):
    """Attack 11: signing in while PostgreSQL was down gave a bare 500; now the form and
    its POST answer 503 "Tjänsten är tillfälligt otillgänglig" (as every route does), and
    signing in works again once the database is back, without restarting the app."""
    url = own_server.create_database(empty=True)
    add_accounts(url, {"admin": (PASSWORD, True, [])})
    log = tmp_path / "app.log"
    with serving(url, "app", log=log, LOAD_DEMO="0") as base:
        person = Client(base)
        token = sign_in_form(person)
        upload_token = Client(base)
        upload_token.sign_in("admin", PASSWORD)
        csrf = upload_token.csrf()
        with stopped(own_server):
            assert_unavailable(person.get("/login"), "Databasen går inte att nå just nu")
            assert_unavailable(post_sign_in(person, token), "Databasen går inte att nå")
            assert_unavailable(person.get("/login?lang=en"),
                               "The database cannot be reached right now",
                               title="The service is temporarily unavailable")
            assert_unavailable(upload_token.get("/"))
            assert_unavailable(upload_token.get("/admin/audit.csv"))
            upload = upload_token.post("/upload/file", b"x", {
                "X-CSRFToken": csrf, "X-File-Name": "a.csv",
                "Content-Type": "application/octet-stream"})
            assert upload.status == 503 and UNAVAILABLE in upload.json()["message"]
        wait_until(lambda: person.get("/login").status == 200, timeout=60)
        with read_only(own_server):
            wait_until(lambda: post_sign_in(person, sign_in_form(person)).status == 503,
                       timeout=30)
            assert_unavailable(post_sign_in(person, sign_in_form(person)),
                               "Databasen tar inte emot ändringar just nu")
            assert_unavailable(post_sign_in(person, sign_in_form(person), "fel-losenord-99"))
        # Back, with the same app process: the person signs in and sees the app.
        wait_until(lambda: signs_in(Client(base)), timeout=30)
        assert signs_in(person)
        assert person.get("/").status == 200
        assert person.callback(router_body("/", "")).status == 200
    text_log = log.read_text()
    assert "Traceback" not in text_log and "a request failed" not in text_log
    own_server.drop_database(url)
