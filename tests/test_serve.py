"""Serving a team: real gunicorn workers (``make serve``'s configuration) against SQLite
and PostgreSQL, many requests at once, the demo data loaded once."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dashboard.config import PROJECT_ROOT
from dashboard.data import repository
from dashboard.data.db import make_engine
from tests.webserver import post_json, stop

GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return resp.status, resp.read()


def render_page(base: str, path: str, search: str) -> dict:
    """Ask the server for a page's layout, as the browser's pages router does."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    reply = post_json(base, body)  # with the page's cookies and CSRF token, as a browser
    assert reply.status == 200
    return reply.json()


@pytest.fixture
def served(any_db_url, tmp_path):
    if not GUNICORN.exists() and not shutil.which("gunicorn"):
        pytest.fail("gunicorn is not installed: pip install -e '.[server]'")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": any_db_url, "WORKERS": "3", "PORT": str(port),
           "HOST": "127.0.0.1", "LOAD_DEMO": "1"}
    # The server's log goes to a file: a pipe nobody reads would fill up and stop the
    # workers once the access log passes the pipe's 64 KB.
    log_path = tmp_path / "gunicorn.log"
    log = log_path.open("w")
    proc = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "dashboard.wsgi:server"],
                            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if get(base + "/")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            log.close()
            pytest.fail(f"gunicorn stopped: {log_path.read_text()}")
    else:
        proc.terminate()
        log.close()
        pytest.fail("gunicorn did not answer within 90 s")
    yield base, any_db_url
    stop(proc)
    log.close()


def test_workers_serve_pages_from_the_database_concurrently(served):
    base, url = served
    engine = make_engine(url)
    try:
        log = repository.list_imports(engine)
    finally:
        engine.dispose()
    # The app was created once before the workers forked: each demo workbook once.
    assert sorted(log["file_name"]) == sorted(p.name for p in
                                              (PROJECT_ROOT / "data" / "demo").glob("*.xlsx"))
    paths = [("/agreements/krami-sthlm-2023", "?period=2023"),
             ("/agreements/sthlm-af-2023/clusters/jarva", ""),
             ("/present/jarfalla-af-2023", ""), ("/", "")] * 6
    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(lambda p: render_page(base, *p), paths))
    texts = [json.dumps(p, ensure_ascii=False) for p in pages]
    krami = texts[0]
    # Krami's 2023 occupancy target row, in Swedish format, from whichever worker answered.
    assert "Beläggning" in krami and "minst 80" in krami
    assert all(t == texts[i % 4] for i, t in enumerate(texts))  # every worker agrees
    assert '"Järva"' in texts[1]
