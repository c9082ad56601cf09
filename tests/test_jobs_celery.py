"""Jobs across machines: ``REDIS_URL`` set, the app in a process of its own, two Celery
workers (``celery -A dashboard.worker worker``, as two machines would run them)
and a real ``redis-server``. Three users ask for a meeting pack at once over HTTP, as the
page does (the click, then its polls with the job's handle): every pack arrives, never more
browsers run than ``EXPORT_BROWSERS``, and the ones that wait are told their place.
"""

from __future__ import annotations

import base64
import contextlib
import io
import threading
import time
import zipfile

import psutil

from tests.browser.support import chromium_path
from tests.needs import missing
from tests.webserver import (
    Client,
    celery_worker,
    environment,
    pack_poll_body,
    pack_start_body,
    serving,
)

STATE = {"agreement": "krami-sthlm-2023", "cluster": None, "period": "2023",
         "breakdown": "total", "lang": "sv"}


def ask_for_pack(base: str, user: str, steps: list, timeout: float = 240) -> dict:
    """Click and poll as the page does (one question at a time, the job's handle in the
    body); the poll's final answer."""
    client = Client(base)  # one browser: its cookies and the page's CSRF token
    client.set_cookie("samverkan_jobs", user)
    first = client.callback(pack_start_body(client, STATE))
    assert first.status == 200, first.text
    job = first.json()["response"]["export-job"]["data"]
    deadline, n = time.monotonic() + timeout, 1
    while time.monotonic() < deadline:
        time.sleep(0.4)
        reply = client.callback(pack_poll_body(client, job, n))
        n += 1
        assert reply.status == 200, reply.text[:300]
        data = reply.json()["response"]
        if "export-step" in data:
            steps.append(data["export-step"]["children"])
        if data.get("export-job", {"data": job})["data"] is None:
            return data
    raise AssertionError(f"no pack for {user} within {timeout} s; steps: {steps}")


def browsers_running(roots: set[int]) -> int:
    """Browsers started under ``roots`` (the test's Celery workers): kaleido's launchers
    (one per browser). Another test run's browsers on the machine are not counted."""
    count = 0
    for proc in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error, TypeError):
            if any("chromium_wrapper" in part for part in proc.info["cmdline"] or []) and \
                    any(parent.pid in roots for parent in proc.parents()):
                count += 1
    return count


def test_packs_under_celery_share_the_browsers_across_workers(redis_url, tmp_path):
    if chromium_path() is None:
        missing("chromium not installed: apt-get install chromium (or run .ci/run)",
                "the browser tests")
    db_url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    extra = {"REDIS_URL": redis_url, "EXPORT_BROWSERS": "1", "EXPORT_RESULT_TTL": "120",
             "JOBS_DIR": str(tmp_path / "jobs"), "CACHE_DIR": ""}
    env = environment(db_url, **extra)
    peak = [0]
    stop = threading.Event()

    roots: set[int] = set()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], browsers_running(roots))
            time.sleep(0.1)

    with serving(db_url, "app", log=tmp_path / "app.log", **extra) as base, \
            celery_worker(env, tmp_path / "worker-a.log", "a", 2) as worker_a, \
            celery_worker(env, tmp_path / "worker-b.log", "b", 2) as worker_b:
        roots.update((worker_a.pid, worker_b.pid))
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        users = [f"user-{i}-{'x' * 20}" for i in range(3)]
        steps: dict[str, list] = {u: [] for u in users}
        results: dict[str, dict] = {}

        def one(user: str) -> None:
            results[user] = ask_for_pack(base, user, steps[user])

        threads = [threading.Thread(target=one, args=(u,)) for u in users]
        for t in threads:
            t.start()
            time.sleep(0.3)
        for t in threads:
            t.join(300)
        stop.set()
        watcher.join()
        logs = "".join(p.read_text() for p in tmp_path.glob("*.log"))
        assert len(results) == 3, f"steps: {steps}\n{logs[-4000:]}"

        for user in users:
            download = results[user]["export-download"]["data"]
            assert download["filename"] == "motespaket-krami-sthlm-2023-2023.zip"
            with zipfile.ZipFile(io.BytesIO(base64.b64decode(download["content"]))) as z:
                assert any(n.endswith(".pptx") for n in z.namelist())
        said = [s for u in users for s in steps[u] if s]
        assert any("Väntar på tur" in s for s in said), said
        assert peak[0] == 1, f"{peak[0]} browsers at once"

        # Results live in Redis and expire.
        import redis

        client = redis.Redis.from_url(redis_url)
        ttls = [client.ttl(k) for k in client.scan_iter("celery-task-meta-*")]
        assert ttls and all(0 < t <= 120 for t in ttls)
        # The jobs' claims (whose each is) live in Redis beside the results, and expire; no
        # secret of the jobs' own is kept there.
        assert client.ttl("samverkan-signing-secret") == -2
        client.close()
