"""The app as users get it, in a process of its own: ``python app.py`` (``make run``) or
gunicorn with ``gunicorn.conf.py`` (``make serve``), on a free port, and plain HTTP to it.

A process of its own keeps the test process free of Dash apps: Dash moves ``@callback``
functions into the first app that serves a request, and the browser tests' session app
must be that one.

Requests keep cookies per server, as a browser does: :func:`post_json` sends the session's
CSRF token as Dash's renderer does (``X-CSRFToken``, from the ``_csrf_token`` cookie), after
a first page has set it. :class:`Client` is a person: it signs in with a password.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.config import PROJECT_ROOT

GUNICORN = Path(sys.executable).parent / "gunicorn"
CALLBACK = "/_dash-update-component"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def program(kind: str, port: int | None = None) -> list[str]:
    """The command line of ``app`` (python app.py), ``gunicorn`` or ``cli`` (python -m
    dashboard imports)."""
    if kind == "app":
        return [sys.executable, "app.py", "--port", str(port or free_port())]
    if kind == "gunicorn":
        return [str(GUNICORN), "-c", "gunicorn.conf.py", "--bind",
                f"127.0.0.1:{port or free_port()}", "dashboard.wsgi:server"]
    return [sys.executable, "-m", "dashboard", "imports"]


def environment(database_url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_LANG"}
    return {**env, "DATABASE_URL": database_url, "WORKERS": "2", **extra}


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes = field(repr=False)
    set_cookie: list[str] = field(default_factory=list)  # every Set-Cookie header

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(url: str, data: bytes | None = None, headers: dict | None = None,
            timeout: float = 60, opener=None, follow: bool = True,
            method: str | None = None) -> Reply:
    """GET (or POST ``data``) without raising for an error status."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    if opener is None:
        opener = urllib.request.build_opener() if follow else \
            urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=timeout) as resp:
            return Reply(resp.status, dict(resp.headers), resp.read(),
                         resp.headers.get_all("Set-Cookie") or [])
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers), err.read(),
                     err.headers.get_all("Set-Cookie") or [])


class _FromAddress(urllib.request.HTTPHandler):
    """Connections from a given local address (``127.0.0.2``: another computer, as far as
    the server can tell, on this machine's loopback)."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection,
                                              source_address=(self.source, 0)), req)


class Client:
    """One browser's cookies on one server: a person, signed in or not; with ``source``,
    connecting from that loopback address (another computer to the server)."""

    def __init__(self, base: str, source: str | None = None):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        more = [_FromAddress(source)] if source else []
        self.follow = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  *more)
        self.stay = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                _NoRedirect, *more)

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def set_cookie(self, name: str, value: str) -> None:
        """A cookie this browser already has (as if the server had set it)."""
        from urllib.parse import urlsplit

        host = urlsplit(self.base).hostname or ""
        self.jar.set_cookie(http.cookiejar.Cookie(
            0, name, value, None, False, host, False, False, "/", True, False, None, False,
            None, None, {}))

    def get(self, path: str, follow: bool = True, headers: dict | None = None) -> Reply:
        return request(self.base + path, headers=headers,
                       opener=self.follow if follow else self.stay)

    def post(self, path: str, data: bytes, headers: dict | None = None,
             follow: bool = False) -> Reply:
        return request(self.base + path, data, headers,
                       opener=self.follow if follow else self.stay)

    def csrf(self) -> str:
        if self.cookie("_csrf_token") is None:
            self.get("/")
        return self.cookie("_csrf_token") or ""

    def form(self, path: str, fields: dict, csrf: bool = True) -> Reply:
        from urllib.parse import urlencode

        if csrf:
            page = self.get(path if path != "/logout" else "/login")
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            fields = {"csrf_token": found.group(1) if found else self.csrf(), **fields}
        return self.post(path, urlencode(fields).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})

    def sign_in(self, login: str, password: str) -> Reply:
        reply = self.form("/login", {"login": login, "password": password})
        assert reply.status == 302, (reply.status, reply.text[:300])
        return reply

    def callback(self, body, raw: bytes | None = None, content_type: str = "application/json",
                 headers: dict | None = None, csrf: bool = True, query: str = "") -> Reply:
        data = raw if raw is not None else json.dumps(body).encode()
        hdrs = {"Content-Type": content_type, **(headers or {})}
        if csrf:
            hdrs.setdefault("X-CSRFToken", self.csrf())
        return self.post(CALLBACK + query, data, hdrs)


_CLIENTS: dict[str, Client] = {}


def post_json(base: str, body, raw: bytes | None = None,
              content_type: str = "application/json", headers: dict | None = None) -> Reply:
    """A callback request from a page of ``base`` (its cookies and CSRF token)."""
    client = _CLIENTS.setdefault(base, Client(base))
    return client.callback(body, raw=raw, content_type=content_type, headers=headers)


def add_accounts(database_url: str, people: dict) -> None:
    """Accounts in the database (its schema made if need be) before a server starts:
    ``{login: (password, admin, [(role, agreement, cluster or None), ...])}``."""
    from dashboard.data import repository
    from dashboard.data.db import make_engine
    from dashboard.people import accounts

    engine = make_engine(database_url)
    try:
        repository.ensure_schema(engine)
        for login, (password, admin, roles) in people.items():
            accounts.add(engine, login, actor="test", admin=admin, password=password,
                         name=login.capitalize())
            for role, agreement, cluster in roles:
                accounts.grant(engine, login, role, agreement, cluster, actor="test")
    finally:
        engine.dispose()


@contextlib.contextmanager
def serving(database_url: str, kind: str = "app", log: Path | None = None,
            timeout: float = 120, **env: str):
    """Start the app (``kind``: ``app`` or ``gunicorn``) and yield its base URL."""
    port = free_port()
    out = open(log, "w") if log else subprocess.DEVNULL
    proc = subprocess.Popen(program(kind, port), cwd=PROJECT_ROOT, stdout=out,
                            stderr=subprocess.STDOUT, env=environment(database_url, **env))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                request(base + "/_dash-layout", timeout=5)
                break
            except OSError:
                if proc.poll() is not None:
                    detail = log.read_text() if log else ""
                    raise AssertionError(f"{kind} stopped ({proc.returncode}): {detail}") \
                        from None
                if time.monotonic() > deadline:
                    raise AssertionError(f"{kind} did not answer within {timeout} s") from None
                time.sleep(0.3)
        yield base
    finally:
        stop(proc)
        if log:
            out.close()


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """End a process started by a test: asked to stop, killed if it does not."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def celery_worker(env: dict, log: Path, name: str = "packs", concurrency: int = 1):
    """``make worker`` (``celery -A dashboard.worker worker``), its output in ``log``."""
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dashboard.worker", "worker",
             f"--concurrency={concurrency}", "--loglevel=INFO", f"--hostname={name}@%h",
             "--without-gossip", "--without-mingle"], cwd=PROJECT_ROOT, env=env, stdout=out,
            stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            stop(proc, timeout=30)


def run_to_end(kind: str, database_url: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``kind`` (``app``, ``gunicorn`` or ``cli``) expecting it to stop by itself."""
    return subprocess.run(program(kind), cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120, env=environment(database_url, **env))


def callback_of(client: Client, trigger: str) -> dict:
    """The app's callback that ``trigger`` (``id.property``) starts, from
    ``/_dash-dependencies``: its output key (with Dash's hashes) and outputs."""
    for dep in client.get("/_dash-dependencies").json():
        if any(f"{i['id']}.{i['property']}" == trigger for i in dep["inputs"]):
            outs = [o.rsplit("@", 1)[0] for o in dep["output"].strip(".").split("...")]
            return {"output": dep["output"],
                    "outputs": [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
                                for o in outs]}
    raise AssertionError(f"no callback of {trigger}")


def pack_start_body(client: Client, state: dict) -> dict:
    """The click on a view's *Mötespaket* (dashboard/web/components/export.py)."""
    return {**callback_of(client, "export-pack.n_clicks"),
            "inputs": [{"id": "export-pack", "property": "n_clicks", "value": 1}],
            "state": [{"id": "export-view", "property": "data", "value": state},
                      {"id": "export-poll", "property": "n_intervals", "value": 0}],
            "changedPropIds": ["export-pack.n_clicks"]}


def pack_poll_body(client: Client, job, n: int = 1) -> dict:
    """The page's question about its pack's job: the handle in the body, never the address."""
    return {**callback_of(client, "export-poll.n_intervals"),
            "inputs": [{"id": "export-poll", "property": "n_intervals", "value": n}],
            "state": [{"id": "export-job", "property": "data", "value": job}],
            "changedPropIds": ["export-poll.n_intervals"]}


def router_body(path: str, search: str = "") -> dict:
    """The request the browser sends to draw the page at ``path`` + ``search``."""
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def meeting_state(mid: int, mode: str = "page") -> dict:
    """The meeting page's own state (dashboard/web/pages/meeting.py), as a callback's."""
    return {"id": "meeting-state", "property": "data",
            "value": {"meeting": mid, "lang": "sv", "mode": mode}}


def mail_body(mid: int, to: str = "anna@example.se") -> dict:
    """The click on *Skicka* under *Skicka förhandsmaterial* with ``to`` typed."""
    outputs = [("job", "data"), ("poll", "disabled"), ("poll", "max_intervals"),
               ("button", "disabled"), ("running", "style"), ("done", "style"),
               ("progress", "value"), ("step", "children"), ("status", "children")]
    return {"output": "..{}..".format("...".join(f"meeting-mail-{i}.{p}" for i, p in outputs)),
            "outputs": [{"id": f"meeting-mail-{i}", "property": p} for i, p in outputs],
            "inputs": [{"id": "meeting-mail-button", "property": "n_clicks", "value": 1}],
            "state": [{"id": "meeting-mail-to", "property": "value", "value": to},
                      meeting_state(mid),
                      {"id": "meeting-mail-poll", "property": "n_intervals", "value": 0}],
            "changedPropIds": ["meeting-mail-button.n_clicks"]}


def with_output(client: Client, body: dict) -> dict:
    """``body`` with the output key the server gives that callback."""
    if body["output"]:
        return body
    outputs = body["outputs"] if isinstance(body["outputs"], list) else [body["outputs"]]
    first = outputs[0]["id"]
    first = first["type"] if isinstance(first, dict) else first

    for dep in client.get("/_dash-dependencies").json():
        out = dep["output"].strip(".").split("...")[0].rsplit(".", 1)[0]
        found = json.loads(out)["type"] if out.startswith("{") else out.split("@")[0]
        if found == first:
            return {**body, "output": dep["output"]}
    raise AssertionError(f"no callback with output {first}")


def step_body(client: Client, state: dict, step: str = "next") -> dict:
    """A click on a view's ▶ (``next``) or ◀ (``prev``), from the page's ``state``
    (dashboard/web/components/view_page.py: ``view_state``)."""
    trigger = f"period-{step}"
    inputs = [("period-select", "value", state["period"]), ("period-prev", "n_clicks", 0),
              ("period-next", "n_clicks", 0), ("breakdown-switch", "value",
                                              state.get("breakdown") or "total"),
              ("history-target", "data", None)]
    return {**callback_of(client, "period-next.n_clicks"),
            "inputs": [{"id": i, "property": p, "value": 1 if i == trigger else v}
                       for i, p, v in inputs],
            "state": [{"id": "view-state", "property": "data", "value": state}],
            "changedPropIds": [f"{trigger}.n_clicks"]}
