"""Six meeting packs asked for at once against ``make serve`` (gunicorn), through the job queue.

    .venv/bin/python bench/jobs.py [--requests 6] [--workers 4] [--browsers N]

Starts gunicorn with ``gunicorn.conf.py`` on a free port (a fresh SQLite file with the
demo data, a jobs folder of its own), asks for one pack alone (the baseline), then for
``--requests`` packs at once, each as another user, over HTTP as the page does (the
click, then its polls every 0.4 s with the job's handle in the body). Meanwhile it
samples, every 0.1 s, the browsers running on the machine (kaleido's launchers) and the
memory of every Chromium process (proportional set size, so shared pages count once).
Prints, per request, how long it waited for its turn (until its first step of work), how
long the pack then took and the total; then the peak browsers and Chromium memory beside
the goals: at most ``EXPORT_BROWSERS`` browsers, and a pack alone within 10 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dashboard.config import default_browsers  # noqa: E402

CALLBACK = "/_dash-update-component"
STATE = {"agreement": "krami-sthlm-2023", "cluster": None, "period": "2023",
         "breakdown": "total", "lang": "sv"}
WAITING = ("Väntar på tur", "Förbereder mötespaketet")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict, user: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, json.dumps(body).encode(), {
        "Content-Type": "application/json", "Cookie": f"samverkan_jobs={user}"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.status, resp.read()


def callback_of(base: str, trigger: str) -> tuple[str, list]:
    """The app's callback that ``trigger`` starts: its output key and outputs."""
    with urllib.request.urlopen(base + "/_dash-dependencies", timeout=60) as resp:
        deps = json.loads(resp.read())
    for dep in deps:
        if any(f"{i['id']}.{i['property']}" == trigger for i in dep["inputs"]):
            outs = [o.rsplit("@", 1)[0] for o in dep["output"].strip(".").split("...")]
            return dep["output"], [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True))
                                   for o in outs]
    raise LookupError(trigger)


def pack(base: str, user: str) -> dict:
    """Ask for one pack as the page does (the click, then one poll at a time with the job's
    handle in the body); when it waited, worked and finished."""
    output, outputs = callback_of(base, "export-pack.n_clicks")
    body = {"output": output, "outputs": outputs,
            "inputs": [{"id": "export-pack", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["export-pack.n_clicks"],
            "state": [{"id": "export-view", "property": "data", "value": STATE},
                      {"id": "export-poll", "property": "n_intervals", "value": 0}]}
    output, outputs = callback_of(base, "export-poll.n_intervals")
    asked = time.monotonic()
    _, raw = post(base + CALLBACK, body, user)
    job = json.loads(raw)["response"]["export-job"]["data"]
    started = None
    places = []
    n = 0
    while True:
        time.sleep(0.4)
        n += 1
        poll = {"output": output, "outputs": outputs,
                "inputs": [{"id": "export-poll", "property": "n_intervals", "value": n}],
                "changedPropIds": ["export-poll.n_intervals"],
                "state": [{"id": "export-job", "property": "data", "value": job}]}
        status, raw = post(base + CALLBACK, poll, user)
        data = json.loads(raw).get("response", {}) if status == 200 else {}
        step = (data.get("export-step") or {}).get("children") or ""
        if step.startswith("Väntar på tur"):
            places.append(step)
        elif step and started is None and not step.startswith(WAITING):
            started = time.monotonic()
        if (data.get("export-job") or {"data": job})["data"] is None or status != 200:
            done = time.monotonic()
            ok = bool((data.get("export-download") or {}).get("data"))
            return {"user": user, "asked": asked, "started": started or done, "done": done,
                    "ok": ok, "places": places}


class Sampler:
    """Peak browsers (kaleido's launchers) and peak PSS of all Chromium processes."""

    def __init__(self, root: int):
        self.root = psutil.Process(root)  # gunicorn's master: its workers, jobs, browsers
        self.peak_browsers = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            browsers, pss, family = 0, 0, []
            with contextlib.suppress(psutil.Error):
                family = self.root.children(recursive=True)
            for proc in family:
                with contextlib.suppress(psutil.Error, TypeError):
                    if any("chromium_wrapper" in p for p in proc.cmdline()):
                        browsers += 1
                    elif "chrom" in proc.name():
                        pss += proc.memory_full_info().pss
            self.peak_browsers = max(self.peak_browsers, browsers)
            self.peak_pss = max(self.peak_pss, pss)
            time.sleep(0.1)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@contextlib.contextmanager
def gunicorn(tmp: Path, workers: int, browsers: int):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
           "WORKERS": str(workers), "EXPORT_BROWSERS": str(browsers),
           "JOBS_DIR": str(tmp / "jobs"), "CACHE_DIR": str(tmp / "cache"), "LOAD_DEMO": "1"}
    env.pop("REDIS_URL", None)
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
           "--bind", f"127.0.0.1:{port}", "dashboard.wsgi:server"]
    log = open(tmp / "gunicorn.log", "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(base + "/_dash-layout", timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start: " +
                                     (tmp / "gunicorn.log").read_text()[-2000:]) from None
                time.sleep(0.3)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=6, help="packs at once (default 6)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--browsers", type=int, default=default_browsers(),
                        help="EXPORT_BROWSERS (default: max(1, cores // 2))")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder, \
            gunicorn(Path(folder), args.workers, args.browsers) as (base, master):
        print(f"machine: {os.cpu_count()} cores; gunicorn {args.workers} workers; "
              f"EXPORT_BROWSERS={args.browsers}; pack of {STATE['agreement']} "
              f"{STATE['period']} (every format, one slide per cluster)")
        pack(base, "warm-up-user-0000000000")  # the workers' first figures
        with Sampler(master) as alone_sample:
            alone = pack(base, "alone-user-00000000000")
        print(f"one pack alone: {alone['done'] - alone['asked']:.1f} s, "
              f"{alone_sample.peak_browsers} browser, Chromium peak "
              f"{alone_sample.peak_pss / 1e6:.0f} MB")

        results: list[dict] = []
        users = [f"bench-user-{i:02d}-{'x' * 12}" for i in range(args.requests)]
        threads = [threading.Thread(target=lambda u=u: results.append(pack(base, u)))
                   for u in users]
        began = time.monotonic()
        with Sampler(master) as sample:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        total = time.monotonic() - began

    print(f"{args.requests} packs at once:")
    print(f"{'user':<8} {'waited s':>8} {'made in s':>9} {'total s':>8}  first place told")
    for r in sorted(results, key=lambda r: r["done"]):
        told = r["places"][0] if r["places"] else "-"
        print(f"{r['user'][11:13]:<8} {r['started'] - r['asked']:>8.1f} "
              f"{r['done'] - r['started']:>9.1f} {r['done'] - r['asked']:>8.1f}  {told}"
              f"{'' if r['ok'] else '  (FAILED)'}")
    waits = sorted(r["started"] - r["asked"] for r in results)
    print(f"peak browsers: {sample.peak_browsers} (goal: at most {args.browsers}); peak "
          f"Chromium memory (PSS): {sample.peak_pss / 1e6:.0f} MB; longest wait "
          f"{waits[-1]:.1f} s; all {args.requests} in {total:.1f} s; a pack alone "
          f"{alone['done'] - alone['asked']:.1f} s (goal: at most 10 s)")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
