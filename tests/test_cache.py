"""The figure cache's queue of what pages ask to be computed ahead (dashboard/store/cache.py:
``FigureCache.ask`` and ``asked``) on each of its three backends: this process only, the
disk cache of one machine, and Redis (several servers); several entries read at once; one
builder per entry (a second asker waits for its value, not long for a builder that died)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import diskcache
import pytest
import redis

from dashboard.store.cache import FigureCache, code_version

ROOT = Path(__file__).resolve().parent.parent

Q1 = {"kind": "view", "agreement": "krami", "period": "2023-Q1", "whole": True}
Q3 = {**Q1, "period": "2023-Q3"}


@pytest.fixture(params=["process", "disk", "redis"])
def cache(request, tmp_path):
    if request.param == "process":
        yield FigureCache("t")
    elif request.param == "disk":
        with diskcache.Cache(str(tmp_path / "cache")) as shared:
            yield FigureCache("t", shared)
    else:
        shared = redis.Redis.from_url(request.getfixturevalue("redis_url"))
        yield FigureCache("t", shared)
        shared.close()


def test_what_is_asked_comes_out_once_in_order_and_deduplicated(cache):
    assert cache.asked() == []
    for request in (Q1, Q3, Q1):
        cache.ask(request)
    assert cache.asked() == [Q1, Q3]  # the second ask for Q1 is the same work
    assert cache.asked() == []  # taken: nobody computes it twice


def test_the_queue_is_bounded_and_taken_a_few_at_a_time(cache):
    for n in range(FigureCache.ASKED_ITEMS + 6):
        cache.ask({**Q1, "period": f"p{n}"})
    first = cache.asked(limit=8)
    # The newest 64 are kept: the six oldest were dropped.
    assert [r["period"] for r in first] == [f"p{n}" for n in range(6, 14)]
    assert len(cache.asked(limit=1000)) == FigureCache.ASKED_ITEMS - 8


def test_has_says_what_is_kept(cache):
    key = cache.key("view", "v1", "krami")
    assert not cache.has(key)
    assert cache.get_or_build(key, lambda: {"a": 1}) == {"a": 1}
    assert cache.has(key)
    if cache.shared is not None:  # another process sees it in the shared cache
        assert FigureCache("t", cache.shared).has(key)


def test_several_values_kept_are_read_and_the_missing_built_together_once(cache):
    keys = {name: cache.key("trend-period", "v1", "krami", name) for name in ("q1", "q2", "q3")}
    assert cache.get_or_build(keys["q2"], lambda: [["occupancy", 2]]) == [["occupancy", 2]]
    calls = []

    def build(missing):
        calls.append(missing)
        return {name: [["occupancy", int(name[1])]] for name in missing}

    got = cache.get_or_build_many(keys, build)
    assert got == {"q1": [["occupancy", 1]], "q2": [["occupancy", 2]], "q3": [["occupancy", 3]]}
    assert calls == [["q1", "q3"]]  # q2 was kept: only the others, in one call
    assert cache.get_or_build_many(keys, build) == got
    assert calls == [["q1", "q3"]]  # all kept now: nothing built
    if cache.shared is not None:  # another process reads them from the shared cache
        assert FigureCache("t", cache.shared).get_or_build_many(keys, build) == got
        assert len(calls) == 1


def test_an_entry_being_built_elsewhere_is_waited_for_not_built_twice(cache):
    """Two workers asking for one entry at once (or a worker and the warming process):
    the second waits for the first's value instead of computing it again."""
    key = cache.key("portfolio", "v1", "sv")
    other = FigureCache("t", cache.shared) if cache.shared is not None else cache
    started, release, refused = threading.Event(), threading.Event(), threading.Event()
    claim = other._claim

    def watched_claim(k):
        got = claim(k)
        if not got:
            refused.set()
        return got

    def slow_build():
        started.set()
        assert release.wait(30)
        return {"rows": 330}

    first = threading.Thread(target=lambda: cache.get_or_build(key, slow_build))
    first.start()
    assert started.wait(30)
    other._claim = watched_claim
    got = {}
    second = threading.Thread(target=lambda: got.update(
        value=other.get_or_build(key, lambda: {"rows": "built twice"})))
    second.start()
    assert refused.wait(30)  # the second found the first building it
    release.set()
    first.join(30)
    second.join(30)
    assert got["value"] == {"rows": 330}
    assert other.hits["waited"] == 1
    assert not cache.has(key + ":building")  # the claim is gone with the build


def test_a_claim_whose_builder_died_is_not_waited_for_long(cache):
    key = cache.key("view", "v1", "krami")
    assert cache._claim(key)  # a builder that never finishes
    other = FigureCache("t", cache.shared) if cache.shared is not None else cache
    other.WAIT_FOR_OTHERS = 0.1
    assert other.get_or_build(key, lambda: {"built": "here"}) == {"built": "here"}
    assert other.hits["built"] == 1


def test_the_code_version_is_that_of_the_code_the_process_started_with(tmp_path):
    """Files changed under a running process (an upgrade, a checkout) do not change the
    version it keeps under: that is the version of the code it runs, taken as it starts."""
    shutil.copytree(ROOT / "dashboard", tmp_path / "dashboard",
                    ignore=shutil.ignore_patterns("__pycache__"))
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from pathlib import Path
        import dashboard.store.cache as cache
        assert cache.__file__.startswith({str(tmp_path)!r}), cache.__file__
        changed = Path({str(tmp_path / "dashboard" / "domain" / "kpis.py")!r})
        changed.write_text(changed.read_text() + "\\n# upgraded\\n")
        print(cache.code_version(), cache._code_digest())
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=tmp_path).stdout.split()
    started, now = out
    assert started == code_version() and now != started
