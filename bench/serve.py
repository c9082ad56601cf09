"""What users wait for: the national dataset served as ``make serve`` serves a team.

    .venv/bin/python bench/serve.py [--data DIR] [--db URL] [--workers 4] [--users 20]
                                    [--no-browser]

1. The national dataset (``bench/national.py``: 330 agreements, ~1 300 clusters, monthly
   2015–2024, about 2 million rows; the first agreement has ten clusters) is generated
   into ``--data`` (default ``/tmp/national``) unless it is there, and imported into a
   fresh SQLite file (or the database of ``--db``, imported there unless it holds it).
2. gunicorn serves it as ``make serve`` does (``gunicorn.conf.py``, ``--workers``, on a
   free port, ``LOAD_DEMO=0``, a cache folder of its own so nothing is kept from before
   but what the import computed ahead into it: the portfolio of the new data version,
   as ``python -m dashboard import`` does with a shared cache; with ``--db`` already
   holding the data nothing is imported, so nothing is kept and the line says so).
3. It measures, from clients on the same machine (what the server does, not the network),
   each signed in as an administrator (``bench-admin``, added to the database) with its
   own session and CSRF token, as a team's users are:

   * the portfolio ``/``: the server's time to lay out the page (Dash's router request),
     the first time after the import and again (warm); ready in headless Chromium (from
     navigation to the table's rows drawn);
   * a period switch on the ten-cluster agreement: the server's time for the switch
     request, the first time each period is asked for after the import and again;
   * a view ready in Chromium (navigation to every chart drawn) against the render floor:
     the same figures drawn by the same plotly.js on a static page in the same browser;
   * ``--users`` users at once, each opening the portfolio, an agreement, and switching
     its period three times: p50 and p95 of every request, errors, requests per second;
   * each worker's resident memory after it has served over 50 views.

Prints each figure beside its goal (issue 9). No figure is asserted anywhere: the machine
may be shared, so runs differ; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOALS = {
    "portfolio_server": 0.300, "portfolio_ready": 2.0, "switch_warm": 0.050,
    "switch_cold": 0.200, "view_vs_floor": 1.5, "p95": 0.500, "rss_mb": 250,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# An administrator (sees everything); the password passes the rules of contract section 8.
LOGIN, PASSWORD = "bench-admin", "Tidtagning-Och-Matning-26"


def signed_in(base: str):
    """A person signed in (:class:`tests.webserver.Client`: cookies and the CSRF token as
    a browser keeps them), as a team's users are."""
    from tests.webserver import Client

    client = Client(base)
    client.sign_in(LOGIN, PASSWORD)
    return client


def post(client, body: dict) -> tuple[float, int, dict | None]:
    """One callback request as the page sends it: (seconds, status, answer)."""
    started = time.perf_counter()
    try:
        reply = client.callback(body)
    except Exception:  # noqa: BLE001 - a refused or dropped connection is an error too
        return time.perf_counter() - started, 0, None
    seconds = time.perf_counter() - started
    answer = reply.json() if reply.status == 200 and reply.body else None
    return seconds, reply.status, answer


def router(path: str, search: str = "") -> dict:
    """The request the browser sends to lay out the page at ``path`` + ``search``."""
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


SWITCH_OUTPUTS = [("view-content", "children"), ("period-select", "value"),
                  ("period-prev-holder", "children"), ("period-next-holder", "children"),
                  ("view-state", "data"), ("url-sync", "data"), ("crumbs", "children"),
                  ("lang-switch", "href")]


def switch(key: str, agreement: str, period: str, rendered: str) -> dict:
    """The period switch's request when the user picks ``period`` on a page showing
    ``rendered``."""
    return {"output": key,
            "outputs": [{"id": i, "property": p} for i, p in SWITCH_OUTPUTS],
            "inputs": [{"id": "period-select", "property": "value", "value": period},
                       {"id": "period-prev", "property": "n_clicks", "value": 0},
                       {"id": "period-next", "property": "n_clicks", "value": 0},
                       {"id": "breakdown-switch", "property": "value", "value": "total"},
                       {"id": "history-target", "property": "data", "value": None}],
            "state": [{"id": "view-state", "property": "data",
                       "value": {"agreement": agreement, "cluster": None,
                                 "path": f"/agreements/{agreement}", "lang": "sv",
                                 "period": rendered, "breakdown": "total"}}],
            "changedPropIds": ["period-select.value"]}


def switch_key(client) -> str:
    deps = client.get("/_dash-dependencies").json()
    return next(d["output"] for d in deps if d["output"].startswith("..view-content."))


def add_account(url: str) -> None:
    """The administrator the benchmark signs in as (kept if it is there already)."""
    from dashboard.people.accounts import AccountError
    from tests.webserver import add_accounts

    try:
        add_accounts(url, {LOGIN: (PASSWORD, True, [])})
    except AccountError as exc:
        if exc.code != "account_exists":  # a refused password must not pass in silence
            raise


def prepare(data: Path, url: str | None, cache: str) -> tuple[str, bool]:
    """The national dataset in a database: its URL, and whether this run imported it
    (``cache``: the figure cache the import computes the portfolio ahead into)."""
    from bench.national import generate

    if not (data / "occupancy.csv").exists():
        print(f"generating the national dataset into {data} …", flush=True)
        generate(data)
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
        url = f"sqlite:///{folder / 'national.sqlite'}"
    env = {**os.environ, "DATABASE_URL": url, "LOAD_DEMO": "0"}
    listed = subprocess.run([sys.executable, "-m", "dashboard", "imports"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    if "national" in listed.stdout:
        return url, False
    print("importing it …", flush=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dashboard", "import", str(data)],
                          cwd=ROOT, env={**env, "CACHE_DIR": cache, "WARM_CACHE": "1"},
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stderr[-2000:])
    print(f"imported in {time.perf_counter() - started:.0f} s", flush=True)
    return url, True


class Server:
    """gunicorn as ``make serve`` runs it, on a free port."""

    def __init__(self, url: str, workers: int, cache: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.cache = cache
        env = {**os.environ, "DATABASE_URL": url, "LOAD_DEMO": "0", "HOST": "127.0.0.1",
               "PORT": str(self.port), "WORKERS": str(workers), "CACHE_DIR": self.cache}
        self.log = open(Path(self.cache) / "gunicorn.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
             "dashboard.wsgi:server"], cwd=ROOT, env=env, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)
        end = time.time() + 180
        while time.time() < end:
            try:
                urllib.request.urlopen(self.base + "/login", timeout=5).read()
                return
            except Exception:  # noqa: BLE001
                if self.proc.poll() is not None:
                    raise SystemExit(Path(self.log.name).read_text()[-3000:]) from None
                time.sleep(0.5)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def log_text(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def warmer_pid(self) -> int | None:
        """The process computing views ahead of users (dashboard/store/warm.py)."""
        import re

        found = re.search(r"views ahead of users \(process (\d+)", self.log_text())
        return int(found.group(1)) if found else None

    def wait_warm(self, timeout: float = 900) -> float | None:
        """Seconds until the warmer says it is done (``None``: no warmer, or not in time)."""
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if "the cache is warm" in self.log_text():
                return time.perf_counter() - started
            if self.warmer_pid() is None and time.perf_counter() - started > 10:
                return None
            time.sleep(0.5)
        return None

    @staticmethod
    def rss_mb(pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def workers_rss_mb(self) -> list[float]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        warmer = self.warmer_pid()
        return [self.rss_mb(int(pid)) for pid in children.read_text().split()
                if int(pid) != warmer]

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def big_agreement(url: str) -> tuple[str, list[str]]:
    """The agreement with the most clusters, and periods its picker offers."""
    from dashboard.data import repository
    from dashboard.data.db import make_engine
    from dashboard.model.view import period_options

    engine = make_engine(url)
    try:
        many = repository.load_many(engine, ("2024-01", "2024-01"))
        counts = many.clusters.groupby("agreement_id").size().sort_values(ascending=False)
        agreement = counts.index[0]
        span = repository.month_span(engine, agreement)
        options = [v for v, _ in period_options(span, repository.indicator_periods(
            engine, agreement), "sv")]
    finally:
        engine.dispose()
    return agreement, options


def browser_timings(base: str, agreement: str) -> dict:
    """Portfolio and a view ready in headless Chromium, and the render floor."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--window-size=1920,1080"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    try:
        out = {}
        driver.get(base + "/login")  # signed in first, as a team's users are
        driver.find_element("id", "login").send_keys(LOGIN)
        driver.find_element("id", "password").send_keys(PASSWORD + "\n")
        started = time.perf_counter()
        while driver.execute_script("return !!document.querySelector('#sign-in-form')"):
            if time.perf_counter() - started > 60:
                raise RuntimeError("could not sign in")
            time.sleep(0.05)

        def ready(path: str, script: str) -> float:
            started = time.perf_counter()
            driver.get(path if path.startswith("file:") else base + path)
            while not driver.execute_script(f"return !!({script})"):
                if time.perf_counter() - started > 120:
                    return float("nan")
                time.sleep(0.02)
            return time.perf_counter() - started

        # Rows are tall (a line per target): the first screen holds only a few of them.
        rows = ("document.querySelectorAll('#portfolio-grid .ag-center-cols-container "
                ".ag-row').length > 0")
        ready("/", rows)  # the browser's own cache of scripts warmed
        out["portfolio_ready"] = median([ready("/", rows) for _ in range(3)])
        drawn = ("document.querySelector('#kpi-table') && Array.from(document.querySelectorAll("
                 "'.panel-graph')).length > 0 && Array.from(document.querySelectorAll("
                 "'.panel-graph')).every(g => g.querySelector('.main-svg'))")
        path = f"/agreements/{agreement}"
        ready(path, drawn)
        out["view_ready"] = median([ready(path, drawn) for _ in range(3)])
        # The render floor: the same figures drawn by plotly.js on a static page (a file
        # with nothing else, plotly.js beside it), navigation to drawn, in the same browser.
        figures = driver.execute_script(
            "return Array.from(document.querySelectorAll('.panel-graph')).map(g => {"
            "const p = g.querySelector('.js-plotly-plot'); return {data: p.data, layout: "
            "p.layout, width: p.offsetWidth, height: p.offsetHeight}; })")
        page = floor_page(figures)
        ready_file = lambda: ready(page.as_uri(), "window.drawn === true")  # noqa: E731
        ready_file()
        floor = [ready_file() for _ in range(3)]
        out["floor"] = median(floor)
        return out
    finally:
        driver.quit()


def floor_page(figures: list) -> Path:
    """A static page drawing ``figures`` with plotly.js (the installed package's)."""
    import plotly

    folder = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    source = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    (folder / "plotly.min.js").write_bytes(source.read_bytes())
    page = folder / "floor.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><script src='plotly.min.js'>"
        "</script></head><body><script>const figures = " + json.dumps(figures) + ";\n"
        "Promise.all(figures.map(f => { const d = document.createElement('div');"
        "d.style.width = f.width + 'px'; d.style.height = f.height + 'px';"
        "document.body.appendChild(d); return Plotly.newPlot(d, f.data, f.layout, "
        "{displayModeBar: false}); })).then(() => { window.drawn = true; });"
        "</script></body></html>")
    return page


READING = 3.0  # seconds a person looks at a view before a step with ◀


def months_of(periods: list[str]) -> list[str]:
    """The single months among the picker's periods, as it lists them."""
    return [p for p in periods if len(p) == 7 and "-Q" not in p and "-H" not in p]


def user(base: str, key: str, agreement: str, periods: list[str]) -> list[tuple]:
    """One user (signed in before the clock starts): the portfolio, an agreement, three
    period switches."""
    client = signed_in(base)
    out = [("portfolio", *post(client, router("/"))[:2]),
           ("agreement", *post(client, router(f"/agreements/{agreement}"))[:2])]
    rendered = periods[0]
    for p in periods[1:4]:
        out.append(("switch", *post(client, switch(key, agreement, p, rendered))[:2]))
        rendered = p
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/national"))
    parser.add_argument("--db", help="a database holding the national dataset (or to fill)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="bench-cache-")
    url, imported = prepare(args.data, args.db, cache)
    add_account(url)
    agreement, periods = big_agreement(url)
    server = Server(url, args.workers, cache)
    results: dict[str, float] = {}
    try:
        base = server.base
        me = signed_in(base)
        key = switch_key(me)
        seconds, status, _ = post(me, router("/"))
        results["portfolio_server_cold"] = seconds  # racing the warmer, if any
        warmed = server.wait_warm()
        results["warm_seconds"] = warmed if warmed is not None else float("nan")
        results["portfolio_server"] = median([post(me, router("/"))[0] for _ in range(5)])
        post(me, router(f"/agreements/{agreement}"))
        years = [p for p in periods if len(p) == 4][:4]
        quarters = [p for p in periods if "-Q" in p][:4]
        months = months_of(periods)[:4]
        asked = [p for p in years + quarters + months]
        cold, warm = [], []
        rendered = periods[0]
        for p in asked:
            cold.append(post(me, switch(key, agreement, p, rendered))[0])
            rendered = p
        for p in asked:
            warm.append(post(me, switch(key, agreement, p, rendered))[0])
            rendered = p
        results["switch_cold"] = median(cold)
        results["switch_cold_max"] = max(cold)
        results["switch_warm"] = median(warm)
        results["switch_warm_max"] = max(warm)
        # A step back after reading a view for READING seconds, against a step at once:
        # the view served asks for its neighbours, which the warming process computes.
        from dashboard.domain.periods import Period
        from dashboard.model.view import step_period

        read, hurried = [], []
        for i, month in enumerate(months_of(periods)[6:38:4]):
            post(me, switch(key, agreement, month, rendered))
            before = step_period(Period.parse(month), -1).text
            if i % 2 == 0:
                time.sleep(READING)
                read.append(post(me, switch(key, agreement, before, month))[0])
            else:
                hurried.append(post(me, switch(key, agreement, before, month))[0])
            rendered = before
        results["step_read"], results["step_read_max"] = median(read), max(read)
        results["step_hurried"], results["step_hurried_max"] = median(hurried), max(hurried)
        if not args.no_browser:
            results.update(browser_timings(base, agreement))
        # Users at once: each on an agreement of its own, the portfolio for all.
        from dashboard.data import repository
        from dashboard.data.db import make_engine

        engine = make_engine(url)
        ids = list(repository.list_agreements(engine)["agreement_id"])
        engine.dispose()
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.users) as pool:
            jobs = [pool.submit(user, base, key, ids[(i * 7) % len(ids)], periods)
                    for i in range(args.users)]
            done = [r for j in jobs for r in j.result()]
        wall = time.perf_counter() - started
        latencies = [s for _, s, _ in done]
        errors = sum(1 for _, _, status in done if status != 200)
        results["p50"] = percentile(latencies, 50)
        results["p95"] = percentile(latencies, 95)
        results["errors"] = errors
        results["requests_per_s"] = len(done) / wall
        # More views per worker before memory is read: 50 or more each.
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: post(me, router(f"/agreements/{ids[i % len(ids)]}")),
                          range(60 * args.workers)))
        rss = server.workers_rss_mb()
        results["rss_mb"] = max(rss) if rss else float("nan")
        warmer = server.warmer_pid()
        results["warmer_rss_mb"] = server.rss_mb(warmer) if warmer else float("nan")
    finally:
        server.stop()
    report(results, agreement, args, imported)
    return 0


def report(r: dict, agreement: str, args, imported: bool) -> None:
    ms = lambda s: f"{s * 1000:,.0f} ms"  # noqa: E731
    rows = [
        ("portfolio, server (first request after the import and the start)" if imported else
         "portfolio, server (first request after the start, nothing kept)",
         ms(r["portfolio_server_cold"]),
         "≤ 300 ms"),
        ("views computed ahead of users, done after", f"{r['warm_seconds']:.0f} s"
         if r["warm_seconds"] == r["warm_seconds"] else "– (no warmer)", ""),
        ("portfolio, server (again)", ms(r["portfolio_server"]), "≤ 300 ms"),
        ("portfolio ready in Chromium", f"{r['portfolio_ready']:.2f} s"
         if "portfolio_ready" in r else "–", "≤ 2 s"),
        (f"period switch, server, first ({agreement}: median, slowest)",
         f"{ms(r['switch_cold'])}, {ms(r['switch_cold_max'])}", "≤ 200 ms"),
        ("period switch, server, again (median, slowest)",
         f"{ms(r['switch_warm'])}, {ms(r['switch_warm_max'])}", "≤ 50 ms"),
        (f"a step ◀ after reading a view {READING:.0f} s, server (median, slowest)",
         f"{ms(r['step_read'])}, {ms(r['step_read_max'])}", "≤ 50 ms"),
        ("a step ◀ at once, server (median, slowest)",
         f"{ms(r['step_hurried'])}, {ms(r['step_hurried_max'])}", "≤ 50 ms"),
        ("a view ready in Chromium / render floor",
         f"{r['view_ready'] / r['floor']:.2f}× ({r['view_ready']:.2f} s / {r['floor']:.2f} s)"
         if "view_ready" in r else "–", "≤ 1.5×"),
        (f"{args.users} users at once, {args.workers} workers: p50, p95",
         f"{ms(r['p50'])}, {ms(r['p95'])}", "p95 ≤ 500 ms"),
        ("errors", str(r["errors"]), "0"),
        ("requests per second", f"{r['requests_per_s']:.1f}", ""),
        ("worker memory after over 50 views (RSS, largest)", f"{r['rss_mb']:.0f} MB",
         "≤ 250 MB"),
        ("the warming process's memory (RSS)", f"{r['warmer_rss_mb']:.0f} MB", ""),
    ]
    width = max(len(a) for a, _, _ in rows)
    print(f"\n{'what':<{width}}  {'measured':<24} goal")
    for what, measured, goal in rows:
        print(f"{what:<{width}}  {measured:<24} {goal}")


if __name__ == "__main__":
    sys.exit(main())
