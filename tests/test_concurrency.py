"""Several processes at once, on SQLite and on PostgreSQL.

* Readers and an import: reader processes load an agreement and compute its occupancy
  over and over while a writer process imports new versions of the whole occupancy
  table (14 400 rows; upsert, replace, upsert). Every read must be one version, never a
  mix, and reads must really overlap the writer's transactions (timed).
* Two imports at once: two processes import different, overlapping data for the same
  agreement at the same moment. Both succeed one after the other (the second waits for
  the lock) or one is refused as busy; the log and the stored rows are exactly those of
  the successful imports applied in order, and undo takes each back.
* Busy: an import that cannot get the lock in time is refused with a clear message and
  stores nothing.
* Several processes creating the schema of an empty database at the same time.

Children are started with the ``spawn`` method (a fresh interpreter each, as web
workers are); their code is in :mod:`tests.concurrency_workers`.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import time
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from dashboard.data import repository
from dashboard.data.db import data_tables, import_backup, make_engine, metadata
from dashboard.data.ingest import import_dataset, undo_import
from tests import concurrency_workers as workers
from tests.builders import write_csv_folder
from tests.wait import wait_until

CTX = multiprocessing.get_context("spawn")
CLUSTERS = [f"c{i:02d}" for i in range(40)]
MONTHS = [f"{y}-{m:02d}" for y in (2021, 2022, 2023) for m in range(1, 13)]
GROUPS = ["a", "b", "c", "d", "e"]
ROWS_PER_CLUSTER = len(MONTHS) * 2 * len(GROUPS)  # 360
OCCUPANCY_HEADER = ["agreement_id", "cluster_id", "month", "gender", "target_group",
                    "participants"]


def occupancy_dataset(folder: Path, participants: int, clusters=CLUSTERS,
                      with_agreement: bool = False) -> Path:
    """A CSV folder with every occupancy row of ``clusters`` set to ``participants``."""
    rows = [["big", c, m, g, tg, participants]
            for c in clusters for m in MONTHS for g in ("K", "M") for tg in GROUPS]
    tables = {"occupancy": [OCCUPANCY_HEADER, *rows]}
    if with_agreement:
        tables["agreements"] = [["agreement_id", "name", "valid_from", "valid_to"],
                                ["big", "Stor överenskommelse", "2021-01-01", "2023-12-31"]]
        tables["clusters"] = [["agreement_id", "cluster_id", "name"],
                              *[["big", c, c.upper()] for c in CLUSTERS]]
    return write_csv_folder(folder, tables, swedish=False)


def occupancy_rows(engine) -> dict[tuple, tuple[int, int]]:
    """{(cluster, month, gender, target group): (participants, import_id)}."""
    t = data_tables["occupancy"]
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.cluster_id, t.c.month, t.c.gender, t.c.target_group,
                                   t.c.participants, t.c.import_id)).fetchall()
    return {tuple(r[:4]): (r[4], r[5]) for r in rows}


def keys_of(clusters) -> list[tuple]:
    return [(c, m, g, tg) for c in clusters for m in MONTHS for g in ("K", "M")
            for tg in GROUPS]


@pytest.fixture
def big(any_db_url, tmp_path):
    """The agreement 'big' stored with every participants value 1 (import 1)."""
    engine = make_engine(any_db_url)
    first = occupancy_dataset(tmp_path / "v1", 1, with_agreement=True)
    result = import_dataset(engine, first)
    assert result.ok, result.messages("en")
    yield engine
    engine.dispose()


class Children:
    """Spawned processes reporting ``(name, value)`` on one queue."""

    def __init__(self):
        self.queue = CTX.Queue()
        self.ready = CTX.Semaphore(0)
        self.go = CTX.Event()
        self.stop = CTX.Event()
        self.processes: list = []
        self.reports: dict = {}

    def start(self, target, *args, name: str, **kwargs):
        p = CTX.Process(target=target, args=(*args, self.queue, name), kwargs=kwargs,
                        name=name, daemon=True)
        p.start()
        self.processes.append(p)

    def wait_ready(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for _ in range(n):
            assert self.ready.acquire(timeout=max(0.1, deadline - time.monotonic())), \
                "a child process did not start"

    def collect(self, names: set[str], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not names <= set(self.reports):
            try:
                name, value = self.queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue_module.Empty:
                pytest.fail(f"no report from {sorted(names - set(self.reports))}")
            assert not isinstance(value, str), f"{name} failed: {value}"
            self.reports[name] = value

    def close(self) -> None:
        self.go.set()
        self.stop.set()
        for p in self.processes:
            p.join(20)
            if p.is_alive():
                p.kill()
                p.join(5)


@pytest.fixture
def children():
    c = Children()
    yield c
    c.close()


def test_readers_see_one_version_never_a_mix(big, any_db_url, tmp_path, children):
    # v1 (stored) -> v2 upsert -> v3 replace -> v4 upsert; participants 1, 3, 5, 7.
    jobs = [(str(occupancy_dataset(tmp_path / "v2", 3)), False),
            (str(occupancy_dataset(tmp_path / "v3", 5)), True),
            (str(occupancy_dataset(tmp_path / "v4", 7)), False)]
    n_rows = len(CLUSTERS) * ROWS_PER_CLUSTER
    # rows, total participants, occupancy of 2023 (mean of the months' totals)
    versions = [(n_rows, p * n_rows, p * 400.0) for p in (1, 3, 5, 7)]
    readers = [f"reader{i}" for i in range(2)]
    counts = {name: CTX.Value("i", 0) for name in readers}
    for name in readers:
        children.start(workers.reader, any_db_url, "2023", children.ready, children.go,
                       children.stop, name=name, count=counts[name])
    # No clock decides who reads when: the writer starts once every reader has read the
    # first version, and holds each write transaction until two more reads are done; the
    # readers stop once each has read five times and twice more after the last import
    # (the second of which began after its commit).
    children.start(workers.importer, any_db_url, jobs, children.ready, children.go,
                   name="writer", reads=list(counts.values()), reads_inside=2)
    children.wait_ready(len(readers) + 1)
    children.go.set()
    children.collect({"writer"}, timeout=90)
    after_writer = {name: count.value for name, count in counts.items()}
    wait_until(lambda: all(c.value >= max(5, after_writer[n] + 2) for n, c in counts.items()),
               timeout=90, message="the readers to read the last version")
    children.stop.set()
    children.collect(set(readers))

    imports = children.reports["writer"]
    assert [r["ok"] for r in imports] == [True, True, True], imports
    windows = [r["window"] for r in imports]
    all_reads = []
    for name in readers:
        reads = children.reports[name]
        assert len(reads) >= 5, name
        seen = [(rows, total, kpi) for _, _, rows, total, kpi, _ in reads]
        mixed = [s for s in seen if s not in versions]
        assert not mixed, f"{name} read a mix of versions: {mixed[:3]}"
        order = [versions.index(s) for s in seen]
        assert order == sorted(order), f"{name} went back to an older version"
        # The import log, read after the occupancy, belongs to the same version.
        assert [r[5] for r in reads] == [v + 1 for v in order], f"{name}: log and data differ"
        all_reads += reads
    seen_versions = {versions.index((r[2], r[3], r[4])) for r in all_reads}
    assert {0, 3} <= seen_versions  # before the first import and after the last
    # The reads really overlapped every write transaction.
    for locked, committed in windows:
        overlapping = [r for r in all_reads if r[0] < committed and r[1] > locked]
        assert len(overlapping) >= 2, (locked, committed)


def test_two_imports_at_once_lose_nothing(big, any_db_url, tmp_path, children):
    base = occupancy_rows(big)
    # Different data for overlapping keys: clusters 0-29 and 10-39.
    files = {"left": (occupancy_dataset(tmp_path / "left", 11, CLUSTERS[:30]), 11,
                      CLUSTERS[:30]),
             "right": (occupancy_dataset(tmp_path / "right", 22, CLUSTERS[10:]), 22,
                       CLUSTERS[10:])}
    for name, (path, _, _) in files.items():
        children.start(workers.importer, any_db_url, [(str(path), False)], children.ready,
                       children.go, name=name)
    children.wait_ready(2)
    children.go.set()
    children.collect(set(files), timeout=90)

    reports = {name: children.reports[name][0] for name in files}
    for name, r in reports.items():
        if not r["ok"]:  # the only acceptable refusal: busy, said clearly
            assert r["codes"] == ["busy"], (name, r["messages"])
            assert "En annan import pågår" in r["messages"][0]
    done = sorted((r["import_id"], name) for name, r in reports.items() if r["ok"])
    assert done, reports
    # The two calls ran at the same time, their write transactions one after the other.
    (a, b) = reports.values()
    assert a["start"] < b["end"] and b["start"] < a["end"]
    if len(done) == 2:
        first, second = (reports[name]["window"] for _, name in done)
        assert first[1] <= second[0], "the write transactions overlapped"

    # The import log: the stored import, then each successful one, in order.
    log = repository.list_imports(big).sort_values("id")
    assert list(log["id"]) == [1, *[i for i, _ in done]]
    assert set(log["status"]) == {"active"}
    # Stored rows: the successful imports applied in the order of the log.
    states = [dict(base)]
    for import_id, name in done:
        _, participants, clusters = files[name]
        state = dict(states[-1])
        state.update({k: (participants, import_id) for k in keys_of(clusters)})
        states.append(state)
    assert occupancy_rows(big) == states[-1]
    # Nothing lost: undo takes back each import in turn, down to the first.
    for (import_id, _), before in zip(reversed(done), reversed(states[:-1]), strict=True):
        assert undo_import(big, import_id).ok
        assert occupancy_rows(big) == before
    with big.connect() as conn:
        assert conn.execute(select(func.count()).select_from(import_backup)).scalar_one() == 0


def test_an_import_that_cannot_get_the_lock_is_refused_as_busy(big, any_db_url, tmp_path):
    before = occupancy_rows(big)
    path = occupancy_dataset(tmp_path / "v2", 3, CLUSTERS[:2])
    impatient = make_engine(any_db_url).execution_options(import_lock_timeout=0.3)
    try:
        with repository.write_transaction(big):  # another import holds the lock
            t0 = time.monotonic()
            result = import_dataset(impatient, path)
            waited = time.monotonic() - t0
            undo = undo_import(impatient, 1)
        assert not result.ok and [p.code for p in result.problems] == ["busy"]
        assert 0.25 <= waited < 10
        assert result.problems[0].message("sv").startswith(
            f"{path.name}: En annan import pågår just nu")
        assert "Another import is running right now" in result.problems[0].message("en")
        assert not undo.ok and [p.code for p in undo.problems] == ["busy"]
        assert occupancy_rows(big) == before
        assert list(repository.list_imports(big)["id"]) == [1]
        # Once the lock is free the same import goes through.
        assert import_dataset(impatient, path).ok
    finally:
        impatient.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request, tmp_path):
    """A database without the schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    server = request.getfixturevalue("postgres_server")
    url = server.create_database(empty=True)
    yield url
    server.drop_database(url)


def test_processes_starting_together_create_the_schema_once(empty_db_url, children):
    names = [f"worker{i}" for i in range(4)]
    for name in names:
        children.start(workers.create_schema, empty_db_url, children.ready, children.go,
                       name=name)
    children.wait_ready(len(names))
    children.go.set()
    children.collect(set(names), timeout=90)
    engine = make_engine(empty_db_url)
    try:
        with engine.connect() as conn:
            assert set(metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
