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

from dashboard.config import PROJECT_ROOT
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.store import versions
from tests.webserver import (
    GUNICORN,
    Client,
    environment,
    post_json,
    router_body,
    serving,
    step_body,
)

DEMO = PROJECT_ROOT / "data" / "demo"
KRAMI = "krami-sthlm-2023"


def kept_keys(cache_dir: Path, kind: str) -> list[list[str]]:
    """The parts after ``kind`` of every key of that kind in the shared disk cache."""
    import diskcache

    with diskcache.Cache(str(cache_dir)) as cache:
        keys = [str(key).split(":") for key in cache.iterkeys()]
    return [parts[parts.index(kind) + 1:] for parts in keys if kind in parts]


def kept_views(cache_dir: Path) -> set[tuple[str, str]]:
    """(agreement, version) of every default view in the shared disk cache."""
    return {(agreement, version)
            for version, agreement, cluster, period, *__ in kept_keys(cache_dir, "view")
            if not cluster and not period}


def kept_periods(cache_dir: Path, agreement: str) -> list[str]:
    """The period asked for of every view of ``agreement`` in the shared disk cache (one
    entry per key: a period twice means two keys for one view)."""
    return sorted(parts[3] for parts in kept_keys(cache_dir, "view") if parts[1] == agreement)


def wait_until(check, what: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


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
        # The portfolio and the comparison in two languages, the four demo agreements'
        # default views.
        assert "Computed 8 views ahead of users" in text
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
            # Only the agreement the import touched (and the portfolio and comparison) again.
            assert "Computed 5 views ahead of users" in text
            _, after = versions(engine)
            assert after[KRAMI] != before[KRAMI]
            assert {a: v for a, v in after.items() if a != KRAMI} == \
                {a: v for a, v in before.items() if a != KRAMI}
            assert (KRAMI, after[KRAMI]) in kept_views(cache_dir)
            assert len(repository.list_imports(engine)) == 5
        finally:
            engine.dispose()


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_the_periods_beside_a_view_are_kept_before_the_arrows_are_clicked(tmp_path):
    """A view served (2023-Q2) asks for the periods its ◀ ▶ lead to; the warming process
    (gunicorn's, nice 10) computes them while the person reads; the click on ▶ is then
    answered from that entry (no second key for the same view), and asks for the next."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    cache_dir, log = tmp_path / "cache", tmp_path / "gunicorn.log"
    with serving(url, "gunicorn", log=log, LOAD_DEMO="1", WARM_CACHE="1",
                 WARM_INTERVAL="0.5", CACHE_DIR=str(cache_dir)) as base:
        wait_for(log, "the cache is warm")
        assert kept_periods(cache_dir, KRAMI) == [""]  # the default view only
        page = post_json(base, router_body(f"/agreements/{KRAMI}", "?period=2023-Q2"))
        assert page.status == 200 and "(kv. 2)" in page.text
        wait_until(lambda: kept_periods(cache_dir, KRAMI) == ["", "2023-Q1", "2023-Q2",
                                                               "2023-Q3"],
                   "the quarters before and after 2023-Q2 kept")
        client = Client(base)
        state = {"agreement": KRAMI, "cluster": None, "path": f"/agreements/{KRAMI}",
                 "lang": "sv", "period": "2023-Q2", "breakdown": "total",
                 "prev": "2023-Q1", "next": "2023-Q3"}
        step = client.callback(step_body(client, state, "next"))
        assert step.status == 200 and "(kv. 3)" in step.text
        assert '"next":"2023-Q4"' in step.text.replace(" ", "")
        # Read from the warmed entry (the same key), and the next quarter asked for in turn.
        wait_until(lambda: kept_periods(cache_dir, KRAMI) == ["", "2023-Q1", "2023-Q2",
                                                               "2023-Q3", "2023-Q4"],
                   "2023-Q4 kept after the step to 2023-Q3")


def kept_portfolios(cache_dir: Path) -> set[tuple[str, str]]:
    """(data version, language) of every portfolio in the shared disk cache."""
    return {(parts[0], parts[2]) for parts in kept_keys(cache_dir, "portfolio")}


def test_an_import_and_an_undo_from_the_command_line_compute_the_portfolio_ahead(
        tmp_path, monkeypatch, capsys):
    """An import made while no server runs: the first person after it (and a start) finds
    the portfolio of the new data version kept, in both languages; an undo the same."""
    from dashboard.cli.main import main

    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    cache_dir = tmp_path / "cache"
    for name, value in {"DATABASE_URL": url, "CACHE_DIR": str(cache_dir), "WARM_CACHE": "1",
                        "LOAD_DEMO": "0", "DASHBOARD_LANG": "en"}.items():
        monkeypatch.setenv(name, value)
    for workbook in ("grums-unga-2016-2018.xlsx", "krami-stockholm-2023.xlsx"):
        assert main(["import", str(DEMO / workbook)]) == 0
    assert "The portfolio and the comparison are computed ahead for the new data version" in \
        capsys.readouterr().out
    engine = make_engine(url)
    try:
        first, __ = versions(engine)
        assert (first, "sv") in kept_portfolios(cache_dir)
        assert (first, "en") in kept_portfolios(cache_dir)
        # The comparison as first opened (one entry for both languages: only the period
        # picker's labels are in the reader's, made on the way out), and the national
        # benchmark of its key figure and period, made from the same rows.
        assert [k[:4] for k in kept_keys(cache_dir, "compare") if k[0] == first] == [
            [first, "work_study_share", "agreements", ""]]
        assert [k[:3] for k in kept_keys(cache_dir, "benchmark") if k[0] == first] == [
            [first, "work_study_share", "0"]]
        assert main(["undo", str(repository.list_imports(engine)["id"].iloc[0])]) == 0
        second, __ = versions(engine)
        assert "computed ahead" in capsys.readouterr().out
    finally:
        engine.dispose()
    assert second != first
    assert {(second, "sv"), (second, "en")} <= kept_portfolios(cache_dir)
    # Without a shared cache there is nobody to keep it for: nothing is computed.
    monkeypatch.setenv("CACHE_DIR", "")
    assert main(["import", str(DEMO / "krami-stockholm-2023.xlsx"), "--replace"]) == 0
    assert "computed ahead" not in capsys.readouterr().out
