"""Two app servers, one database (issue 18, item 4): the app as a team runs it on two
machines behind one address.

One deployment for the module, as ``docs/administrators.md`` ("Running on several
machines") describes it: a PostgreSQL database, one Redis, two gunicorn servers (``make
serve``'s configuration, on ports of their own as two hosts would be) with the same
``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``, ``TRUSTED_PROXIES=1`` and ``UPLOAD_DIR`` (a
shared folder), a Celery worker for the meeting packs, and nginx in front, started from
``deploy/nginx.conf`` itself (the app servers, ports, certificate and IPv6 lines replaced
by the test's own: see :func:`site_config`), over HTTPS with a certificate made here. The
first server loads the demo into the empty database at its start, as ``make serve`` does.

Each server computes nothing ahead of users (``WARM_CACHE=0``, the tests' default), so
what is kept in Redis is what a request made.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import datetime as dt
import functools
import hashlib
import http.client
import http.cookiejar
import io
import ipaddress
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from dashboard.config import PROJECT_ROOT, Settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.i18n import fmt_value
from dashboard.model.view import build_view
from tests.browser.support import chromium_path
from tests.needs import missing
from tests.wait import wait_until
from tests.webserver import (
    Client,
    add_accounts,
    callback_of,
    celery_worker,
    environment,
    free_port,
    pack_poll_body,
    pack_start_body,
    router_body,
    serving,
)

NGINX_CONF = PROJECT_ROOT / "deploy" / "nginx.conf"
KRAMI = "krami-sthlm-2023"
PASSWORD = "tva-servrar-en-databas-18"
PEOPLE = {"anna": (PASSWORD, True, [])}


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None)


# ------------------------------------------------------------------ nginx from the docs


def site_config(text: str, upstreams: list[str], https_port: int, http_port: int,
                cert: Path, key: Path) -> str:
    """``deploy/nginx.conf`` with the test's app servers, ports (on 127.0.0.1, no IPv6)
    and certificate; everything else as written for administrators. Fails when a line
    it replaces is not there as expected (the file and this test must change together)."""

    def replace(pattern: str, new, count: int) -> None:
        nonlocal text
        text, found = re.subn(pattern, new, text, flags=re.MULTILINE)
        assert found == count, f"deploy/nginx.conf: {pattern!r} {found} times, not {count}"

    servers = iter(upstreams)
    replace(r"^(\s*)server app\d\.example\.local:8050;$",
            lambda m: f"{m.group(1)}server {next(servers)};", 2)
    replace(r"^\s*listen \[::\]:\d+.*\n", "", 2)
    replace(r"^(\s*)listen 80;$", rf"\g<1>listen 127.0.0.1:{http_port};", 1)
    replace(r"^(\s*)listen 443 ssl http2;$", rf"\g<1>listen 127.0.0.1:{https_port} ssl http2;",
            1)
    replace(r"^(\s*ssl_certificate\s+)\S+;$", rf"\g<1>{cert};", 1)
    replace(r"^(\s*ssl_certificate_key\s+)\S+;$", rf"\g<1>{key};", 1)
    return text


def main_config(folder: Path, site: Path) -> str:
    """nginx.conf around the site: every file nginx writes inside ``folder``, and an access
    log that names the app server each request went to."""
    # As root, nginx's workers would run as nobody, who cannot enter the test's folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$remote_addr "$request" $status $upstream_addr';
    access_log {folder}/access.log upstream;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
"""


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (the clients trust exactly it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    return cert_path, key_path


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def nginx_in_front(binary: str, folder: Path, upstreams: list[str]):
    """nginx in the foreground as this user, from ``deploy/nginx.conf``; yields its HTTPS
    and HTTP bases."""
    folder.mkdir()
    cert, key = self_signed(folder)
    https_port, http_port = free_port(), free_port()
    site = folder / "samverkan.conf"
    site.write_text(site_config(NGINX_CONF.read_text(), upstreams, https_port, http_port,
                                cert, key))
    conf = folder / "nginx.conf"
    conf.write_text(main_config(folder, site))
    with open(folder / "nginx.out", "w") as out:
        proc = subprocess.Popen([binary, "-p", str(folder), "-c", str(conf),
                                 "-e", str(folder / "error.log"), "-g", "daemon off;"],
                                stdout=out, stderr=subprocess.STDOUT)
        try:
            def up() -> bool:
                if proc.poll() is not None:
                    raise AssertionError(f"nginx stopped ({proc.returncode}): "
                                         f"{(folder / 'nginx.out').read_text()}"
                                         f"{(folder / 'error.log').read_text()}")
                return listening(https_port) and listening(http_port)

            wait_until(up, 20, "nginx listening")
            yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}"
        finally:
            proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ------------------------------------------------------------------ clients


class _HTTPSHandler(urllib.request.HTTPSHandler):
    """HTTPS trusting ``context``, connecting from a given loopback address (``127.0.0.2``:
    another computer, as far as the proxy can tell)."""

    def __init__(self, context: ssl.SSLContext, source: str | None = None):
        super().__init__(context=context)
        self.source = source

    def https_open(self, req):
        return self.do_open(functools.partial(
            http.client.HTTPSConnection, context=self._context,
            source_address=(self.source, 0) if self.source else None), req)


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser(Client):
    """A browser reaching the app through the proxy: HTTPS, its own cookies."""

    def __init__(self, base: str, context: ssl.SSLContext, source: str | None = None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        https = _HTTPSHandler(context, source)
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.follow = urllib.request.build_opener(cookies, https)
        self.stay = urllib.request.build_opener(cookies, _Stay, https)


def same_browser(signed_in: Client, base: str) -> Client:
    """A client of ``base`` (one app server, straight) holding ``signed_in``'s cookies:
    the same person, whose next request the balancer sent elsewhere."""
    client = Client(base)
    for name in ("samverkan_session", "_csrf_token"):
        client.set_cookie(name, signed_in.cookie(name))
    return client


# ------------------------------------------------------------------ what a page shows


def nodes(tree):
    """Every component (a dict with ``props``) of a Dash layout, depth first."""
    if isinstance(tree, dict):
        if isinstance(tree.get("props"), dict):
            yield tree
        for value in tree.values():
            yield from nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from nodes(value)


def shown_value(page: dict, kpi: str) -> str:
    """The value the targets table shows for ``kpi`` of the view (its whole scope)."""
    table = next(n for n in nodes(page) if n["props"].get("id") == "targets-summary")
    row = next(n for n in nodes(table) if n["props"].get("data-kpi") == kpi
               and not n["props"].get("data-party") and not n["props"].get("data-role")
               and not n["props"].get("data-cluster"))
    return next(n for n in nodes(row)
                if n["props"].get("className") == "big-number")["props"]["children"]


def page(client: Client, path: str, search: str = "") -> dict:
    """The page at ``path`` as the browser's router asks for it: the server's answer, read.

    Compared read, not as bytes: the parts of a page built at each request (the period
    controls) come out with an element's ``aria-*`` and ``data-*`` attributes in an order
    that differs from process to process (Dash collects a component's arguments in a set,
    ordered by the process's string hashing), so the same page may differ in key order."""
    reply = client.callback(router_body(path, search))
    assert reply.status == 200, (reply.status, reply.text[:300])
    return reply.json()


def computed_value(url: str, kpi: str, period: str | None = None) -> str:
    """``kpi`` of Krami's view computed here, from the database (no server, no cache),
    as the page writes it."""
    engine = make_engine(url)
    try:
        value = build_view(engine, KRAMI, period, None, None, "sv").value(kpi)
    finally:
        engine.dispose()
    return fmt_value(value.value, value.unit, "sv")


# ------------------------------------------------------------------ the deployment


@dataclass
class Deployment:
    proxy: str  # the one address (HTTPS, nginx)
    proxy_http: str  # nginx's plain HTTP, which only sends to HTTPS
    a: str  # app server A, straight
    b: str  # app server B, straight
    db_url: str
    redis_url: str
    env: dict  # the settings every server and worker has
    tls: ssl.SSLContext
    folder: Path  # logs: a.log, b.log, worker.log, nginx/access.log ...

    def log(self, name: str) -> str:
        return (self.folder / name).read_text(errors="replace")

    def browser(self, source: str | None = None) -> Browser:
        return Browser(self.proxy, self.tls, source)

    def signed_in(self) -> Browser:
        """Anna, signed in through the proxy as a browser does it (the form, then its POST
        with the page's Origin)."""
        browser = self.browser()
        reply = sign_in(browser)
        assert reply.status == 302, (reply.status, reply.text[:300])
        return browser


def sign_in(browser: Client, login: str = "anna", password: str = PASSWORD):
    form = browser.get("/login")
    assert form.status == 200, form.status
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return browser.post("/login", urlencode({"csrf_token": token, "login": login,
                                             "password": password}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded",
                         "Origin": browser.base})


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    found = find_nginx()
    if found is None:
        missing("nginx not found: install Debian's nginx package (or run .ci/run)",
                "the two-server tests")
    return found


@pytest.fixture(scope="module")
def deployment(nginx_binary, postgres_server, redis_server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-servers")
    redis_server.flush()
    db_url = postgres_server.create_database()
    add_accounts(db_url, PEOPLE)
    settings = {"REDIS_URL": redis_server.url, "SECRET_KEY": secrets.token_urlsafe(48),
                "TRUSTED_PROXIES": "1", "LOAD_DEMO": "1", "WORKERS": "2", "WARM_CACHE": "0",
                "EXPORT_BROWSERS": "1", "EXPORT_RESULT_TTL": "300",
                "UPLOAD_DIR": str(folder / "shared-uploads")}
    try:
        # Each machine's own folders (a job queue's and packs' folder is a local disk).
        with serving(db_url, "gunicorn", log=folder / "a.log",
                     JOBS_DIR=str(folder / "jobs-a"), **settings) as a, \
                serving(db_url, "gunicorn", log=folder / "b.log",
                        JOBS_DIR=str(folder / "jobs-b"), **settings) as b, \
                celery_worker(environment(db_url, JOBS_DIR=str(folder / "jobs-w"), **settings),
                              folder / "worker.log"), \
                nginx_in_front(nginx_binary, folder / "nginx",
                               [a.removeprefix("http://"), b.removeprefix("http://")]) as (
                    proxy, proxy_http):
            tls = ssl.create_default_context(cafile=str(folder / "nginx" / "cert.pem"))
            yield Deployment(proxy, proxy_http, a, b, db_url, redis_server.url,
                             environment(db_url, **settings), tls, folder)
    finally:
        postgres_server.drop_database(db_url)


# ------------------------------------------------------------------ the tests


def test_the_nginx_config_fits_the_app_s_limits():
    """``deploy/nginx.conf`` against the app's defaults: an upload the app takes passes
    nginx (and one a little larger reaches the app for its own message), nginx waits longer
    than gunicorn, no sticky sessions, and every forwarded header the app believes with
    ``TRUSTED_PROXIES`` is set."""
    conf = NGINX_CONF.read_text()
    defaults = Settings(database_url="sqlite://")
    size = re.search(r"^\s*client_max_body_size (\d+)m;$", conf, re.MULTILINE)
    assert size, "client_max_body_size in MiB"
    body = int(size.group(1)) * 1024 * 1024
    assert defaults.upload_max_bytes <= body < defaults.upload_max_bytes * 1.1
    gunicorn = int(re.search(r'"GUNICORN_TIMEOUT", "(\d+)"',
                             (PROJECT_ROOT / "gunicorn.conf.py").read_text()).group(1))
    read = int(re.search(r"^\s*proxy_read_timeout (\d+)s;$", conf, re.MULTILINE).group(1))
    assert read > gunicorn > defaults.upload_seconds > defaults.export_wait
    upstream = re.search(r"upstream samverkan_app \{(.*?)\n\}", conf, re.DOTALL).group(1)
    lines = [line.split("#")[0].strip() for line in upstream.splitlines()]
    assert [x for x in lines if x.startswith("server ")] == [
        "server app1.example.local:8050;", "server app2.example.local:8050;"]
    assert not [x for x in lines if x.split(" ")[0] in ("ip_hash", "hash", "sticky")]
    for header, value in (("Host", "$host"), ("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
                          ("X-Forwarded-Proto", "$scheme"), ("X-Forwarded-Host", "$host"),
                          ("X-Forwarded-Port", "$server_port")):
        assert re.search(rf"^\s*proxy_set_header {header}\s+{re.escape(value)};$", conf,
                         re.MULTILINE), header


def test_a_sign_in_through_the_proxy_holds_on_both_servers(deployment):
    """Anna signs in through nginx over HTTPS from another computer (127.0.0.2): the app
    believes nginx's headers (the audit log has her address, not nginx's; the cookie is
    Secure and HSTS is sent, as over HTTPS), and her cookie opens a page that needs a
    sign-in on server A and on server B, each asked straight. Through nginx her requests
    go to both servers (no sticky sessions) and every one is served signed in."""
    d = deployment
    browser = d.browser(source="127.0.0.2")
    reply = sign_in(browser)
    assert reply.status == 302 and reply.headers["Location"] == "/", reply.text[:300]
    session = next(c for c in reply.set_cookie if c.startswith("samverkan_session="))
    assert "Secure" in session and "HttpOnly" in session
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=")
    assert reply.headers["Server"] == "nginx"  # no version (server_tokens off)
    engine = make_engine(d.db_url)
    try:
        with engine.connect() as conn:
            address = conn.execute(text(
                "SELECT address FROM audit_log WHERE action = 'sign_in' AND actor = 'anna' "
                "ORDER BY id DESC LIMIT 1")).scalar_one()
    finally:
        engine.dispose()
    assert address == "127.0.0.2"

    signed_out = {base: Client(base).get(f"/agreements/{KRAMI}", follow=False)
                  for base in (d.a, d.b)}
    assert all(r.status == 302 and r.headers["Location"].startswith("/login")
               for r in signed_out.values())
    for base in (d.a, d.b):
        anna = same_browser(browser, base)
        opened = anna.get(f"/agreements/{KRAMI}", follow=False)
        assert opened.status == 200, (base, opened.status, opened.headers.get("Location"))
        shown = page(anna, f"/agreements/{KRAMI}")
        assert [n["props"]["children"] for n in nodes(shown)
                if n["props"].get("className") == "view-title"] == ["Krami Stockholm 2023"]
        assert shown_value(shown, "occupancy")

    access = d.folder / "nginx" / "access.log"
    seen = len(access.read_text().splitlines())
    for _ in range(6):
        assert browser.get(f"/agreements/{KRAMI}", follow=False).status == 200
    # nginx writes a request's line once its answer is sent.
    lines = wait_until(lambda: (lambda new: new if len(new) == 6 else None)(
        access.read_text().splitlines()[seen:]), 5, "six lines in nginx's access log")
    assert all(" 200 " in line for line in lines), lines
    went_to = {line.rsplit(" ", 1)[1] for line in lines}
    assert went_to == {d.a.removeprefix("http://"), d.b.removeprefix("http://")}, lines
    # Plain HTTP only sends to HTTPS.
    moved = Client(d.proxy_http).get(f"/agreements/{KRAMI}", follow=False)
    assert moved.status == 301
    assert moved.headers["Location"] == f"https://127.0.0.1/agreements/{KRAMI}"


def figure_keys(redis_url: str) -> dict[str, tuple[str, int]]:
    """Every entry of the figure cache in Redis: its value's digest and milliseconds left
    to live (a key written again would live longer). The queue of views asked for ahead
    (``…:asked``) is left out: every request that shows a view adds its ◀ ▶ to it."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        out = {}
        for key in client.scan_iter("fig:*"):
            name = key.decode()
            if not name.endswith(":asked"):
                out[name] = (hashlib.sha256(client.get(key)).hexdigest(), client.pttl(key))
        return out
    finally:
        client.close()


def test_a_view_computed_by_one_server_is_served_by_the_other_from_redis(deployment):
    """Server A computes a view nobody asked for before (Järfälla, 2023-Q3) and keeps it
    in Redis under a key of its data version; server B then serves the same page (the
    same JSON) without writing any entry: no new key, and none written again (each one's
    time to live only went down). A server that computes a view always writes it to the
    shared cache (``FigureCache.get_or_build``), and B's log has no failed write, so B
    computed nothing: it read what A kept."""
    d = deployment
    path, search, view = "/agreements/jarfalla-af-2023", "?period=2023-Q3", \
        ":view:{}:jarfalla-af-2023::2023-Q3:"
    anna = d.signed_in()
    before = figure_keys(d.redis_url)
    assert not [k for k in before if ":jarfalla-af-2023::2023-Q3:" in k]

    on_a = page(same_browser(anna, d.a), path, search)
    kept = figure_keys(d.redis_url)
    views = [k for k in kept if re.search(view.format(r"[^:]+"), k)]
    assert len(views) == 1, sorted(kept)
    assert set(before) < set(kept)  # the view, and the trend strips it was built with
    assert on_a["response"]["_pages_content"]["children"]

    on_b = page(same_browser(anna, d.b), path, search)
    assert on_b == on_a
    after = figure_keys(d.redis_url)
    assert set(after) == set(kept)
    assert all(after[k][0] == kept[k][0] and after[k][1] <= kept[k][1] for k in kept), \
        [k for k in kept if after[k] != kept[k]]
    assert "shared figure cache could not" not in d.log("b.log")


def test_a_meeting_pack_started_through_one_server_is_fetched_through_the_other(deployment):
    """The *Mötespaket* click goes to server A, every poll and the download to server B:
    the Celery worker makes the pack (its log says the task succeeded), B reads its
    progress and the zip from Redis, and the zip is whole (every file's SHA-256 as
    ``SHA256SUMS`` says). Every export that runs as a job of the queue (a view's or a
    meeting's pack, a meeting's pre-read) draws its charts in Chromium, and a chart's PNG
    is drawn by the web worker itself, not a job; so this is the lightest: the demo's
    smallest pack (Järfälla, 2023-Q4, three charts), 5-15 s."""
    if chromium_path() is None:
        missing("chromium not installed: apt-get install chromium (or run .ci/run)",
                "the browser tests")
    d = deployment
    anna = d.signed_in()
    on_a, on_b = same_browser(anna, d.a), same_browser(anna, d.b)
    state = {"agreement": "jarfalla-af-2023", "cluster": None, "period": "2023-Q4",
             "breakdown": "total", "lang": "sv"}  # the demo's smallest pack: 3 charts
    started = on_a.callback(pack_start_body(on_a, state))
    assert started.status == 200, started.text[:300]
    job = started.json()["response"]["export-job"]["data"]
    assert job and job.get("job")
    polls = [0]

    def done():
        polls[0] += 1
        reply = on_b.callback(pack_poll_body(on_b, job, polls[0]))
        assert reply.status == 200, reply.text[:300]
        answer = reply.json()["response"]
        return answer if answer.get("export-job", {"data": job})["data"] is None else None

    answer = wait_until(done, 120, "the pack, polled on B", interval=0.4)
    download = answer["export-download"]["data"]
    assert download["filename"] == "motespaket-jarfalla-af-2023-2023-q4.zip"
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))) as z:
        names = set(z.namelist())
        sums_file = next(n for n in names if n.rsplit("/", 1)[-1] == "SHA256SUMS")
        folder = sums_file.removesuffix("SHA256SUMS")
        sums = {folder + name: digest for digest, name in
                (line.split("  ", 1) for line in z.read(sums_file).decode().splitlines())}
        assert set(sums) == names - {sums_file}
        assert all(hashlib.sha256(z.read(n)).hexdigest() == sums[n] for n in sums)
        assert {n.rsplit(".", 1)[-1] for n in sums} >= {"png", "svg", "docx", "pptx", "pdf"}
    assert re.search(r"Task background_callback_view_pack\[[^]]+\] succeeded",
                     d.log("worker.log"))


def upload(client: Client, path: Path):
    """The file as the upload page sends it (``assets/upload.js``)."""
    return client.post("/upload/file", path.read_bytes(), {
        "X-File-Name": path.name, "X-CSRFToken": client.csrf(),
        "Content-Type": "application/octet-stream"})


def upload_check(client: Client, token: str) -> str:
    """The page's check of an uploaded file (the callback the upload starts)."""
    reply = client.callback({
        "output": "upload-result.children",
        "outputs": {"id": "upload-result", "property": "children"},
        "inputs": [{"id": "upload-token", "property": "data", "value": {"token": token}},
                   {"id": "upload-mode", "property": "value", "value": "upsert"}],
        "state": [{"id": "upload-state", "property": "data", "value": {"lang": "sv"}}],
        "changedPropIds": ["upload-token.data"]})
    assert reply.status == 200, (reply.status, reply.text[:300])
    return json.dumps(reply.json()["response"], ensure_ascii=False)


def upload_import(client: Client, token: str) -> str:
    """The click on *Importera* under the preview."""
    reply = client.callback({
        **callback_of(client, "upload-import.n_clicks"),
        "inputs": [{"id": "upload-import", "property": "n_clicks", "value": 1}],
        "state": [{"id": "upload-token", "property": "data", "value": {"token": token}},
                  {"id": "upload-mode", "property": "value", "value": "upsert"},
                  {"id": "upload-state", "property": "data", "value": {"lang": "sv"}}],
        "changedPropIds": ["upload-import.n_clicks"]})
    assert reply.status == 200, (reply.status, reply.text[:300])
    return json.dumps(reply.json()["response"], ensure_ascii=False)


def occupancy_csv(folder: Path, month: str, gender: str, group: str, participants: int,
                  started: int, exited: int) -> Path:
    """One row of Krami's occupancy as a steward's CSV file."""
    folder.mkdir()
    path = folder / "occupancy.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(["agreement_id", "cluster_id", "month", "gender", "target_group",
                       "participants", "started", "exited"])
        rows.writerow([KRAMI, "stockholm", month, gender, group, participants, started,
                       exited])
    return path


def test_an_import_through_one_server_is_shown_by_the_other_at_once(deployment, tmp_path):
    """A steward's file (Krami's men in *4 Övriga* in December 2023: 17 participants made
    134) is uploaded to server A, checked by server B (the upload folder is shared, as the
    docs ask) and imported by A; B's very next view of Krami shows the new occupancy for
    2023, the one computed here from the database, within a second of the import."""
    d = deployment
    anna = d.signed_in()
    on_a, on_b = same_browser(anna, d.a), same_browser(anna, d.b)
    before = shown_value(page(on_b, f"/agreements/{KRAMI}"), "occupancy")
    assert before == computed_value(d.db_url, "occupancy") == "78,3"

    sent = upload(on_a, occupancy_csv(tmp_path / "d", "2023-12", "M", "4 Övriga", 134, 1, 3))
    assert sent.status == 200, sent.text
    token = sent.json()["token"]
    checked = upload_check(on_b, token)
    assert '"upload-ok"' in checked and '"data-table": "occupancy"' in checked, checked[:600]
    imported = upload_import(on_a, token)
    assert '"upload-imported"' in imported, imported[:600]
    # (939 + 117) / 12 participants a month; every request reads the data version, so
    # B's next answer is already the new one.
    wait_until(lambda: shown_value(page(on_b, f"/agreements/{KRAMI}"), "occupancy") == "88",
               1.0, "B showing the new occupancy")
    assert computed_value(d.db_url, "occupancy") == "88"


def cli(deployment: Deployment, *args: str) -> str:
    """``python -m dashboard …`` on a third machine: the same database, nothing else."""
    done = subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=PROJECT_ROOT,
                          env=environment(deployment.db_url), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_kept_figures_equal_fresh_ones_after_an_import_and_an_undo_on_both_servers(
        deployment, tmp_path):
    """Krami's view, its cluster's and the portfolio, kept by both servers (in Redis and
    in each worker's memory), then an import and its undo with the command line: after
    each, server A's and server B's pages are byte for byte those of a third server started
    with no cache at all (no Redis, no cache folder: it computes every view it is asked),
    the import's figure is shown (the occupancy computed here from the database), and after
    the undo the pages are again exactly what they were before the import."""
    d = deployment
    anna = d.signed_in()
    paths = [(f"/agreements/{KRAMI}", ""), (f"/agreements/{KRAMI}/clusters/stockholm", ""),
             ("/", "")]
    servers = {"A": same_browser(anna, d.a), "B": same_browser(anna, d.b)}
    with serving(d.db_url, "gunicorn", log=d.folder / "fresh.log", WORKERS="1", LOAD_DEMO="0",
                 REDIS_URL="", CACHE_DIR="", SECRET_KEY=d.env["SECRET_KEY"],
                 TRUSTED_PROXIES="1", JOBS_DIR=str(d.folder / "jobs-fresh")) as fresh_base:
        fresh = same_browser(anna, fresh_base)

        def pages(client: Client) -> list[dict]:
            return [page(client, path, search) for path, search in paths]

        kept = {name: pages(client) for name, client in servers.items()}
        assert kept["A"] == kept["B"]
        for name, client in servers.items():  # now also in each server's own memory
            assert pages(client) == kept[name]
        before = computed_value(d.db_url, "occupancy")

        cli(d, "import", str(occupancy_csv(tmp_path / "e", "2023-11", "M",
                                           "1 Anstalt, utsluss", 80, 4, 2)))
        engine = make_engine(d.db_url)
        try:
            import_id = int(repository.list_imports(engine)["id"].max())
        finally:
            engine.dispose()
        expected = computed_value(d.db_url, "occupancy")
        assert expected != before  # 60 more participants in November: 5 more a month
        imported = pages(fresh)
        assert shown_value(imported[0], "occupancy") == expected
        for name, client in servers.items():
            assert pages(client) == imported, name
        assert imported[0] != kept["A"][0]

        cli(d, "undo", str(import_id))
        assert computed_value(d.db_url, "occupancy") == before
        undone = pages(fresh)
        assert shown_value(undone[0], "occupancy") == before
        for name, client in servers.items():
            assert pages(client) == undone, name
        assert undone == kept["A"]


def test_an_upload_too_large_is_refused_by_the_app_in_its_words_or_by_nginx(deployment):
    """A file one byte over ``UPLOAD_MAX_MB`` passes nginx (``client_max_body_size`` is a
    little larger) and is refused by the app with its own message; one over nginx's limit
    is refused by nginx before any app server sees it."""
    d = deployment
    anna = d.signed_in()
    limit = Settings(database_url="sqlite://").upload_max_bytes

    def send(size: int):
        return anna.post("/upload/file", b"0" * size, {
            "X-File-Name": "occupancy.csv", "X-CSRFToken": anna.csrf(),
            "Content-Type": "application/octet-stream"})

    over = send(limit + 1)
    assert over.status == 413, over.text[:300]
    assert over.json()["message"] == "Filen är större än gränsen på 20 MB (UPLOAD_MAX_MB)."
    far = send(21 * 1024 * 1024)
    assert far.status == 413 and "<center>nginx</center>" in far.text, far.text[:300]


def test_with_one_server_down_the_other_serves_everyone(deployment):
    """Last in the file, as it stops server B (gunicorn told to stop, as at a restart or a
    crash): through nginx, Anna's pages and callbacks keep coming, signed in as before,
    all from server A; nginx tried B, found nobody there and sent the request on."""
    import psutil

    d = deployment
    anna = d.signed_in()
    access = d.folder / "nginx" / "access.log"
    b_address = d.b.removeprefix("http://")
    b_server = next(p for p in psutil.Process().children()
                    if b_address in p.cmdline() and "gunicorn" in " ".join(p.cmdline()))
    b_server.terminate()
    b_server.wait(30)
    assert not listening(int(b_address.rsplit(":", 1)[1]))
    seen = len(access.read_text().splitlines())
    for _ in range(4):
        assert anna.get(f"/agreements/{KRAMI}", follow=False).status == 200
        assert shown_value(page(anna, f"/agreements/{KRAMI}"), "occupancy")
    lines = wait_until(lambda: (lambda new: new if len(new) == 8 else None)(
        access.read_text().splitlines()[seen:]), 5, "eight lines in nginx's access log")
    a_address = d.a.removeprefix("http://")
    assert all(" 200 " in line and line.endswith(a_address) for line in lines), lines
    assert any(f"{b_address}, {a_address}" in line for line in lines), lines
