"""The app as users get it, in a process of its own: ``python app.py`` (``make run``) or
gunicorn with ``gunicorn.conf.py`` (``make serve``), on a free port, and plain HTTP to it.

A process of its own keeps the test process free of Dash apps: Dash moves ``@callback``
functions into the first app that serves a request, and the browser tests' session app
must be that one.
"""

from __future__ import annotations

import contextlib
import json
import os
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

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


def request(url: str, data: bytes | None = None, headers: dict | None = None,
            timeout: float = 60) -> Reply:
    """GET (or POST ``data``) without raising for an error status."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Reply(resp.status, dict(resp.headers), resp.read())
    except urllib.error.HTTPError as err:
        return Reply(err.code, dict(err.headers), err.read())


def post_json(base: str, body, raw: bytes | None = None,
              content_type: str = "application/json", headers: dict | None = None) -> Reply:
    data = raw if raw is not None else json.dumps(body).encode()
    return request(base + CALLBACK, data, {"Content-Type": content_type, **(headers or {})})


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
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


def run_to_end(kind: str, database_url: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``kind`` (``app``, ``gunicorn`` or ``cli``) expecting it to stop by itself."""
    return subprocess.run(program(kind), cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120, env=environment(database_url, **env))


def router_body(path: str, search: str = "") -> dict:
    """The request the browser sends to draw the page at ``path`` + ``search``."""
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
