"""What the child processes of tests/test_concurrency.py do.

Kept apart from the test module so that a spawned child imports only this (no pytest,
no fixtures). Every function runs in its own process with its own engine, as a web
worker or an import from the command line would, and reports through a queue with
times from ``time.monotonic()`` (one clock for all processes on the machine).
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import event

from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.domain.kpis import compute_kpis
from dashboard.domain.periods import Period

AGREEMENT = "big"


def _lock_times(engine) -> list[tuple[str, float]]:
    """Record when the import lock is taken and when a transaction commits."""
    marks: list[tuple[str, float]] = []

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):
        if "BEGIN IMMEDIATE" in statement or "pg_advisory_xact_lock" in statement:
            marks.append(("locked", time.monotonic()))

    @event.listens_for(engine, "commit")
    def _commit(conn):
        marks.append(("commit", time.monotonic()))

    return marks


def write_window(marks: list[tuple[str, float]]) -> tuple[float, float] | None:
    """(lock taken, commit) of the last write transaction in ``marks``."""
    window = locked = None
    for kind, t in marks:
        if kind == "locked":
            locked = t
        elif kind == "commit" and locked is not None:
            window, locked = (locked, t), None
    return window


def _wait_for(condition, timeout: float = 120) -> None:
    """Poll a condition shared between the processes (no fixed wait)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the other processes did not get there")
        time.sleep(0.005)


def reader(url: str, period: str, ready, go, stop, queue, name: str, count=None) -> None:
    """Load the agreement and compute its occupancy over and over until ``stop``; each
    read done adds one to ``count`` (a shared ``multiprocessing.Value``), if given."""
    engine = make_engine(url)
    try:
        repository.load_agreement(engine, AGREEMENT)  # connect and warm up
        ready.release()
        go.wait(60)
        reads = []
        while not stop.is_set():
            t0 = time.monotonic()
            data = repository.load_agreement(engine, AGREEMENT)
            occ = data.occupancy
            value = next(v.value for v in compute_kpis(data, Period.parse(period),
                                                       clusters=False)
                         if v.kpi == "occupancy" and v.party_id is None)
            t1 = time.monotonic()
            last_import = int(data.imports["id"].max())  # the log is read last
            reads.append((t0, t1, len(occ), int(occ["participants"].sum()), value,
                          last_import))
            if count is not None:
                with count.get_lock():
                    count.value += 1
        queue.put((name, reads))
    except BaseException as exc:  # report, so that the test fails with a reason
        queue.put((name, repr(exc)))
    finally:
        engine.dispose()


def importer(url: str, jobs: list[tuple[str, bool]], ready, go, queue, name: str,
             reads=None, reads_inside: int = 0) -> None:
    """Once ``go`` is set, import each ``(path, replace)`` in turn; report every result
    with the times of the call and of its write transaction (lock taken, commit).

    With ``reads`` (the readers' shared counters): first wait until every reader has read
    once, and hold each write transaction, once it has the lock, until the readers have
    done ``reads_inside`` more reads, so that reads overlap every write on any machine."""
    engine = make_engine(url)
    try:
        marks = _lock_times(engine)
        repository.ensure_schema(engine)
        ready.release()
        go.wait(60)
        if reads:
            def done() -> int:
                return sum(c.value for c in reads)

            @event.listens_for(engine, "after_cursor_execute")
            def _hold(conn, cursor, statement, parameters, context, executemany):
                if "BEGIN IMMEDIATE" in statement or "pg_advisory_xact_lock" in statement:
                    before = done()
                    _wait_for(lambda: done() >= before + reads_inside)

            _wait_for(lambda: all(c.value >= 1 for c in reads))
        reports = []
        for path, replace in jobs:
            del marks[:]
            t0 = time.monotonic()
            result = import_dataset(engine, Path(path), replace=replace)
            t1 = time.monotonic()
            reports.append({
                "ok": result.ok, "import_id": result.import_id, "rows": result.rows,
                "codes": [p.code for p in result.problems],
                "messages": [p.message(lang) for p in result.problems for lang in ("sv", "en")],
                "start": t0, "end": t1, "window": write_window(marks) if result.ok else None,
            })
        queue.put((name, reports))
    except BaseException as exc:
        queue.put((name, repr(exc)))
    finally:
        engine.dispose()


def create_schema(url: str, ready, go, queue, name: str) -> None:
    """Create the schema of an empty database, as every web worker does at start."""
    engine = make_engine(url)
    try:
        ready.release()
        go.wait(60)
        repository.ensure_schema(engine)
        queue.put((name, True))
    except BaseException as exc:
        queue.put((name, repr(exc)))
    finally:
        engine.dispose()
