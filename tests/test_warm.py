"""Views computed ahead of users (dashboard/store/warm.py): gunicorn as ``make serve`` runs
it, with its warming process on; after the start every demo agreement's default view and
the portfolio are in the shared cache before anyone asks, and after an import only the
agreement it touched is computed again, under its new data version."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.data import repository
from dashboard.config import PROJECT_ROOT
from dashboard.data.db import make_engine
from dashboard.store import versions
from tests.webserver import GUNICORN, environment, post_json, router_body, serving

DEMO = PROJECT_ROOT / "data" / "demo"
KRAMI = "krami-sthlm-2023"


def kept_views(cache_dir: Path) -> set[tuple[str, str]]:
    """(agreement, version) of every default view in the shared disk cache."""
    import diskcache

    out = set()
    with diskcache.Cache(str(cache_dir)) as cache:
        for key in cache.iterkeys():
            parts = str(key).split(":")
            if "view" in parts:
                at = parts.index("view")
                version, agreement, cluster, period = parts[at + 1:at + 5]
                if not cluster and not period:
                    out.add((agreement, version))
    return out


def wait_for(log: Path, text: str, count: int = 1, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = log.read_text(errors="replace")
        if seen.count(text) >= count:
            return seen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} ×{count} not in the log: {log.read_text()[-3000:]}")


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_the_views_are_kept_before_anyone_asks_and_again_after_an_import(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    cache_dir, log = tmp_path / "cache", tmp_path / "gunicorn.log"
    with serving(url, "gunicorn", log=log, LOAD_DEMO="1", WARM_CACHE="1",
                 WARM_INTERVAL="0.5", CACHE_DIR=str(cache_dir)) as base:
        text = wait_for(log, "the cache is warm")
        # The portfolio in two languages and the four demo agreements' default views.
        assert "Computed 6 views ahead of users" in text
        engine = make_engine(url)
        try:
            _, before = versions(engine)
            assert kept_views(cache_dir) == set(before.items())
            assert len(before) == 4
            # A user's first request is then answered from what was kept.
            page = post_json(base, router_body(f"/agreements/{KRAMI}"))
            assert page.status == 200 and "Krami" in page.text

            done = subprocess.run(
                [sys.executable, "-m", "dashboard", "import",
                 str(DEMO / "krami-stockholm-2023.xlsx"), "--replace"],
                cwd=PROJECT_ROOT, env=environment(url), capture_output=True, text=True,
                timeout=120)
            assert done.returncode == 0, done.stderr
            text = wait_for(log, "the cache is warm", count=2)
            # Only the agreement the import touched (and the portfolio) again.
            assert "Computed 3 views ahead of users" in text
            _, after = versions(engine)
            assert after[KRAMI] != before[KRAMI]
            assert {a: v for a, v in after.items() if a != KRAMI} == \
                {a: v for a, v in before.items() if a != KRAMI}
            assert (KRAMI, after[KRAMI]) in kept_views(cache_dir)
            assert len(repository.list_imports(engine)) == 5
        finally:
            engine.dispose()
