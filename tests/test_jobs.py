"""The job queue with real processes: at most N at once, first come first served, one job
per owner, a bounded wait, and a job that dies gives its turn back and leaves no browser.

Every queue test runs on both stores: the SQLite table of one machine and a real Redis
(a throwaway ``redis-server``, see :mod:`tests.redis_server`). No timed assertions: times
only order events.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import signal
import threading
import time

import psutil
import pytest

from dashboard.jobs import Busy, LocalQueue, OwnerBusy, RedisQueue
from dashboard.jobs import processes as procs
from tests.browser.support import chromium_path
from tests.needs import missing
from tests.wait import wait_until

CTX = multiprocessing.get_context("fork")


def make_queue(spec: tuple, browsers: int, lease: float = 30):
    kind, where = spec
    if kind == "local":
        return LocalQueue(where, browsers)
    return RedisQueue.from_url(where, browsers, lease=lease)


@pytest.fixture(params=["local", "redis"])
def store(request, tmp_path):
    """What a process needs to open the same queue: ("local", folder) or ("redis", url)."""
    if request.param == "local":
        return ("local", str(tmp_path / "jobs"))
    return ("redis", request.getfixturevalue("redis_url"))


def _job(spec, browsers, owner, release, events):
    """Take a turn and hold it until ``release`` is set (the test decides, not a clock)."""
    queue = make_queue(spec, browsers)
    seen = []
    with queue.turn(owner, "pack", on_wait=seen.append):
        events.put(("start", owner, time.time(), seen))
        release.wait(120)
        events.put(("end", owner, time.time(), None))


def test_at_most_n_at_once_in_the_order_asked(store):
    events = CTX.Queue()
    owners = [f"user{i}" for i in range(5)]
    releases = {owner: CTX.Event() for owner in owners}
    jobs, log = [], []
    queue = make_queue(store, 2)

    def logged(kind: str) -> list[str]:
        while True:
            try:
                log.append(events.get_nowait())
            except queue_module.Empty:
                return [e[1] for e in log if e[0] == kind]

    for owner in owners:
        p = CTX.Process(target=_job, args=(store, 2, owner, releases[owner], events))
        p.start()
        jobs.append(p)
        # Each asks after the one before has started or waits in line (whatever the
        # machine's load).
        wait_until(lambda owner=owner: owner in logged("start") or owner in {
            o for o, _ in queue.status()["waiting"]}, 30, f"{owner} to get a ticket")
    # The jobs end one at a time, in order, each once the one its end lets in has started.
    for done, owner in enumerate(owners):
        releases[owner].set()
        wait_until(lambda owner=owner, done=done: owner in logged("end")
                   and len(logged("start")) >= min(len(owners), done + 3), 60,
                   f"{owner} to end and the next in line to start")
    for p in jobs:
        p.join(60)
        assert p.exitcode == 0
    running, peak = 0, 0
    log = sorted(log, key=lambda e: e[2])
    assert len(log) == 2 * len(owners)
    for kind, *_ in log:
        running += 1 if kind == "start" else -1
        peak = max(peak, running)
    assert peak == 2
    starts = [e for e in log if e[0] == "start"]
    assert [e[1] for e in starts] == owners  # first come, first served
    positions = {e[1]: e[3] for e in starts}
    assert positions["user0"] == [] and positions["user1"] == []  # two browsers free
    assert positions["user2"] and positions["user2"][0] == 0  # next in line
    assert positions["user4"][0] == 2  # two before it when it asked
    assert positions["user4"] == sorted(positions["user4"], reverse=True)
    assert queue.status() == {"running": [], "waiting": []}


def test_one_job_per_owner(store):
    queue = make_queue(store, 2)
    with queue.turn("anna", "pack"):
        with pytest.raises(OwnerBusy):
            with queue.turn("anna", "pack"):
                pass
        with queue.turn("bertil", "pack"):  # someone else may
            pass
        # A chart may wait for the owner's other job, but only so long.
        with pytest.raises(Busy):
            with queue.turn("anna", "image", wait=0.5, wait_for_owner=True):
                pass
    assert queue.status() == {"running": [], "waiting": []}

    outer = queue.turn("anna", "pack")
    outer.__enter__()
    threading.Timer(0.5, outer.__exit__, (None, None, None)).start()
    with queue.turn("anna", "image", wait=30, wait_for_owner=True) as turn:
        assert turn.kind == "image"


def test_a_bounded_wait_gives_up_and_leaves_the_queue(store):
    queue = make_queue(store, 1)
    with queue.turn("anna", "pack"):
        seen = []
        with pytest.raises(Busy):
            with queue.turn("bertil", "image", wait=0.6, on_wait=seen.append):
                pass
        assert seen == [0]  # next in line, until it gave up
        assert queue.status() == {"running": [("anna", "pack")], "waiting": []}


def _hold_forever(spec, browsers, ready, lease):
    queue = make_queue(spec, browsers, lease)
    with queue.turn("doomed", "pack"):
        ready.set()
        time.sleep(600)


def test_a_job_that_dies_gives_its_turn_back(store):
    lease = 1.5  # Redis: the dead job's lease runs out (the local queue asks the system)
    ready = CTX.Event()
    p = CTX.Process(target=_hold_forever, args=(store, 1, ready, lease))
    p.start()
    assert ready.wait(30)
    queue = make_queue(store, 1, lease)
    assert queue.status()["running"] == [("doomed", "pack")]
    os.kill(p.pid, signal.SIGKILL)
    p.join(10)
    with queue.turn("anna", "pack", wait=30):
        assert queue.status()["running"] == [("anna", "pack")]


def test_process_identity_is_id_and_start_time():
    me = os.getpid()
    assert procs.alive(me, procs.started(me))
    assert not procs.alive(me, procs.started(me) - 100)  # an older process with our id
    assert procs.started(2 ** 22 + 12345) is None


def test_a_clock_set_by_ntp_does_not_make_a_live_job_look_dead(tmp_path, monkeypatch):
    """Linux recomputes its boot time from the wall clock at every read: when NTP moves
    the clock, ``psutil.create_time()`` of every process moves with it (seen in CI: a
    pack still being made was taken for dead by another worker, and its owner got
    nothing). A start time counted from the boot does not move."""
    from dashboard.jobs.manager import QueuedDiskcacheManager, _job_id

    manager = QueuedDiskcacheManager(tmp_path, ttl=60, size_limit=5_000_000)
    sleeper = CTX.Process(target=time.sleep, args=(60,))
    sleeper.start()
    try:
        job = _job_id(sleeper.pid, procs.started(sleeper.pid))
        queue = LocalQueue(str(tmp_path / "queue"), 1)
        with queue.turn("anna", "pack"):
            boot, before = psutil.boot_time(), psutil.Process(sleeper.pid).create_time()
            monkeypatch.setattr(psutil._pslinux, "boot_time", lambda: boot + 1.0)
            moved = psutil.Process(sleeper.pid).create_time() - before
            assert moved == pytest.approx(1.0)  # the clock moved...
            assert manager.job_running(job)  # ...the job still runs
            assert procs.alive(sleeper.pid, procs.started(sleeper.pid))
            assert [t["owner"] for t in queue.tickets()] == ["anna"]  # and keeps its turn
    finally:
        sleeper.kill()
        sleeper.join()


# --------------------------------------------------------------------------- browsers


@pytest.fixture
def chromium():
    if chromium_path() is None:
        missing("chromium not installed: apt-get install chromium (or run .ci/run)",
                "the browser tests")


def _draw_forever(folder, ready):
    import plotly.graph_objects as go

    from dashboard.export.images import IMAGE_FORMATS, ImageJob, Renderer

    queue = LocalQueue(folder, 1)
    figure = go.Figure(go.Bar(x=[1, 2, 3], y=[3, 1, 2])).to_plotly_json()
    with queue.turn("doomed", "pack") as turn:
        with Renderer(on_browser=turn.record_browser) as renderer:
            while True:
                renderer.render([ImageJob(figure, IMAGE_FORMATS["png-print"])] * 2)
                ready.set()


def _start_drawing(folder):
    ready = CTX.Event()
    job = CTX.Process(target=_draw_forever, args=(folder, ready))
    job.start()
    assert ready.wait(60), "the job did not draw"
    tree = psutil.Process(job.pid).children(recursive=True)
    assert any("chrom" in p.name() for p in tree)
    return job, tree


def _left_over(tree, timeout: float = 15) -> list:
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in tree if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive or time.monotonic() > deadline:
            return [f"{p.pid} {p.name()}" for p in alive]
        time.sleep(0.2)


def test_a_job_killed_while_drawing_leaves_no_browser(tmp_path, chromium):
    folder = str(tmp_path / "jobs")
    job, tree = _start_drawing(folder)
    queue = LocalQueue(folder, 1)
    [ticket] = queue.tickets()
    assert ticket["pid"] == job.pid and ticket["browser_pid"]
    job.kill()
    job.join(10)  # reaped: no zombie of ours
    queue.prune()  # what the job's reaper does
    assert _left_over(tree) == []
    assert queue.tickets() == []


def test_a_browser_that_outlives_its_job_is_ended(tmp_path, chromium):
    """A browser that would not go when its job died (here: stopped) is ended by the
    queue, from the process group the job noted."""
    folder = str(tmp_path / "jobs")
    job, tree = _start_drawing(folder)
    browser = [p for p in tree if p.pid != job.pid]
    for p in browser:
        p.suspend()
    job.kill()
    job.join(10)
    time.sleep(1)
    assert any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in browser)
    LocalQueue(folder, 1).prune()
    assert _left_over(browser) == []


def test_a_browser_killed_mid_job_fails_the_job_not_the_queue(tmp_path, chromium):
    import plotly.graph_objects as go

    from dashboard.export.images import IMAGE_FORMATS, ExportError, ImageJob, Renderer

    queue = LocalQueue(str(tmp_path / "jobs"), 1)
    figure = go.Figure(go.Bar(x=[1, 2], y=[2, 1])).to_plotly_json()
    with pytest.raises(ExportError):
        with queue.turn("anna", "pack") as turn:
            with Renderer(on_browser=turn.record_browser) as renderer:
                renderer.render([ImageJob(figure, IMAGE_FORMATS["png"])])
                [ticket] = queue.tickets()
                launcher = psutil.Process(ticket["browser_pid"])
                tree = launcher.children(recursive=True) + [launcher]
                for p in tree:
                    if "chrom" in p.name():
                        p.kill()
                renderer.render([ImageJob(figure, IMAGE_FORMATS["png"])])
    assert queue.tickets() == []
    assert _left_over(tree) == []



def test_a_long_queue_is_refused_at_once(store):
    queue = make_queue(store, 1)
    waiting = threading.Event()
    done = threading.Event()

    def bertil() -> None:
        with make_queue(store, 1).turn("bertil", "pack", on_wait=lambda ahead: waiting.set()):
            done.set()

    with queue.turn("anna", "pack"):
        thread = threading.Thread(target=bertil)
        thread.start()
        assert waiting.wait(30)
        began = time.monotonic()
        with pytest.raises(Busy):
            with queue.turn("carl", "image", wait=60, max_ahead=0):
                pass
        assert time.monotonic() - began < 30  # refused, not timed out
    thread.join(30)
    assert done.is_set()


# --------------------------------------------------------------------------- settings, results


def test_settings_of_the_jobs():
    from dashboard.config import default_browsers, load_settings

    plain = load_settings(environ={})
    assert plain.export_browsers == default_browsers() >= 1
    assert (plain.export_result_ttl, plain.export_wait, plain.export_cache_mb) == (3600, 20, 1024)
    given = load_settings(environ={"EXPORT_BROWSERS": "3", "EXPORT_RESULT_TTL": "60",
                                   "EXPORT_WAIT": "2.5", "EXPORT_CACHE_MB": "10",
                                   "JOBS_DIR": "/srv/jobs"})
    assert (given.export_browsers, given.export_result_ttl, given.export_wait,
            given.export_cache_mb, given.jobs_dir) == (3, 60, 2.5, 10, "/srv/jobs")


def test_results_on_disk_expire_and_the_cache_is_bounded(tmp_path):
    from dashboard.jobs.manager import QueuedDiskcacheManager

    manager = QueuedDiskcacheManager(tmp_path, ttl=120, size_limit=5_000_000)
    manager.handle.set("result", b"x" * 1000)  # as Dash's job writes it: no expiry given
    _, expires = manager.handle.get("result", expire_time=True)
    assert 100 < expires - time.time() <= 120
    assert manager.handle.size_limit == 5_000_000
    secret = manager.get_or_create_signing_secret(lambda: b"first")
    assert manager.get_or_create_signing_secret(lambda: b"second") == secret == b"first"
    assert "samverkan-signing-secret" not in manager.handle  # never evicted with results


def test_a_job_is_known_by_id_and_start_time(tmp_path):
    """Dash never ends a process that merely got the old job's id."""
    from dashboard.jobs.manager import QueuedDiskcacheManager, _job_id

    manager = QueuedDiskcacheManager(tmp_path, ttl=60, size_limit=5_000_000)
    sleeper = CTX.Process(target=time.sleep, args=(60,))
    sleeper.start()
    try:
        since = procs.started(sleeper.pid)
        real, impostor = _job_id(sleeper.pid, since), _job_id(sleeper.pid, since - 3600)
        assert manager.job_running(real) and not manager.job_running(impostor)
        manager.terminate_job(impostor)
        assert procs.alive(sleeper.pid, since)
        manager.terminate_job(real)  # ends and reaps it
        assert not procs.alive(sleeper.pid, since) and not manager.job_running(real)
    finally:
        sleeper.kill()
        sleeper.join()
