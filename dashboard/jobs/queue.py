"""The job queue: at most N browsers at once, one job per user, first come first served.

Every job that needs a browser (a meeting pack, a chart's image) takes a *turn*::

    with queue.turn(owner, "pack", on_wait=show_position) as turn:
        ...  # start the browser, draw, close it
        turn.record_browser(pid)  # optional: lets a dead job's browser be ended

``turn`` puts a ticket in the queue (refused with :class:`OwnerBusy` while the owner has
another ticket; chart downloads may wait for it instead), waits until fewer than N jobs run
and every ticket before it has started (``on_wait(ahead)`` whenever the number of
tickets before it changes), and gives the slot back at the end however the job ends. With
``wait`` it gives up after that many seconds (:class:`Busy`).

Two stores, one algorithm:

* :class:`LocalQueue` (one machine, no Redis): a small SQLite table in the jobs folder,
  changed in ``BEGIN IMMEDIATE`` transactions, so every gunicorn worker and every job
  process of the machine sees one queue. A ticket names its process (id and start time):
  a ticket whose process has died is dropped by whoever looks next, and the browser it
  recorded is ended. No lease to wait out: the system says at once that a process is gone.
* :class:`RedisQueue` (``REDIS_URL``): the same steps as Lua scripts in Redis, atomic for
  every app server and Celery worker that shares the Redis. Processes on other machines
  cannot be asked whether they live, so tickets are leases: a waiting job renews its own at
  every look (a few times a second), a running one every few seconds from a thread; a
  ticket not renewed for :data:`LEASE` seconds is dropped. Time is Redis's own clock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dashboard.jobs import processes

log = logging.getLogger(__name__)

POLL = 0.25  # seconds between two looks at the queue while waiting
LEASE = 30  # seconds a Redis ticket lives without being renewed


class QueueError(Exception):
    """Base of the queue's refusals."""


class Busy(QueueError):
    """No browser became free within the time the caller was ready to wait."""


class OwnerBusy(QueueError):
    """The owner already has a job queued or running."""


@dataclass
class Turn:
    """A job's place: while the ``with`` block runs, it holds one of the N browsers."""

    queue: JobQueue
    ticket: str
    owner: str
    kind: str
    waited: float = 0.0  # seconds spent in the queue

    def record_browser(self, pid: int | None) -> None:
        """Note the browser this job started (its launcher's id, the process group)."""
        if pid:
            self.queue._record_browser(self.ticket, pid)


class JobQueue:
    """The steps of the queue; a store implements ``_submit``, ``_try``, ``_release``."""

    browsers: int

    @contextlib.contextmanager
    def turn(self, owner: str, kind: str, *, wait: float | None = None,
             on_wait: Callable[[int], None] | None = None,
             wait_for_owner: bool = False, max_ahead: int | None = None) -> Iterator[Turn]:
        """Hold one of the N browsers for the ``with`` block (see the module). With
        ``max_ahead``, give up at once (:class:`Busy`) when more tickets than that are
        before this one: a request that would wait long does not occupy a worker."""
        began = time.monotonic()
        deadline = None if wait is None else began + wait
        ticket = uuid.uuid4().hex
        while not self._submit(ticket, owner, kind):
            if not wait_for_owner:
                raise OwnerBusy(owner)
            if deadline is not None and time.monotonic() >= deadline:
                raise Busy(owner)
            time.sleep(POLL)
        try:
            shown = None
            while (ahead := self._try(ticket)) is not None:
                if max_ahead is not None and ahead > max_ahead:
                    raise Busy(owner)
                if ahead != shown and on_wait is not None:
                    on_wait(ahead)
                shown = ahead
                if deadline is not None and time.monotonic() >= deadline:
                    raise Busy(owner)
                time.sleep(POLL)
            with self._holding(ticket):
                yield Turn(self, ticket, owner, kind, time.monotonic() - began)
        finally:
            self._release(ticket)

    @contextlib.contextmanager
    def _holding(self, ticket: str) -> Iterator[None]:
        yield

    # what a store implements
    def _submit(self, ticket: str, owner: str, kind: str) -> bool:
        raise NotImplementedError

    def _try(self, ticket: str) -> int | None:
        """``None`` when the ticket now holds a browser, else how many tickets are before it."""
        raise NotImplementedError

    def _release(self, ticket: str) -> None:
        raise NotImplementedError

    def _record_browser(self, ticket: str, pid: int) -> None:
        raise NotImplementedError

    def status(self) -> dict:
        """``{"running": [(owner, kind), ...], "waiting": [...]}`` in queue order."""
        raise NotImplementedError

    def clear(self) -> None:
        """Forget every ticket (tests)."""
        raise NotImplementedError


# --------------------------------------------------------------------------- one machine


class LocalQueue(JobQueue):
    """The queue of one machine, in ``<folder>/queue.sqlite``."""

    SCHEMA = """
        CREATE TABLE IF NOT EXISTS tickets (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            owner TEXT NOT NULL,
            kind TEXT NOT NULL,
            running INTEGER NOT NULL DEFAULT 0,
            pid INTEGER NOT NULL,
            pid_started REAL NOT NULL,
            browser_pid INTEGER,
            browser_started REAL,
            since REAL NOT NULL
        )"""

    def __init__(self, folder: str | Path, browsers: int):
        self.folder = Path(folder)
        self.browsers = max(1, int(browsers))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "queue.sqlite"
        conn = self._connect()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(self.SCHEMA)
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def _prune(self, conn: sqlite3.Connection) -> list[tuple[int, float]]:
        """Drop the tickets of processes that have died; their browsers, to be ended."""
        dead, browsers = [], []
        for tid, pid, since, bpid, bsince in conn.execute(
                "SELECT id, pid, pid_started, browser_pid, browser_started FROM tickets"):
            if not processes.alive(pid, since):
                dead.append((tid,))
                if bpid:
                    browsers.append((bpid, bsince))
        if dead:
            log.warning("dropped %d job(s) whose process died", len(dead))
            conn.executemany("DELETE FROM tickets WHERE id = ?", dead)
        return browsers

    def prune(self) -> None:
        """Drop dead jobs' tickets and end the browsers they left (the reaper calls this)."""
        with self._write() as conn:
            browsers = self._prune(conn)
        for pid, since in browsers:
            processes.end_browser(pid, since)

    def _submit(self, ticket: str, owner: str, kind: str) -> bool:
        pid = os.getpid()
        with self._write() as conn:
            browsers = self._prune(conn)
            taken = conn.execute("SELECT 1 FROM tickets WHERE owner = ?", (owner,)).fetchone()
            if taken is None:
                conn.execute("INSERT INTO tickets (id, owner, kind, pid, pid_started, since) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             (ticket, owner, kind, pid, processes.started(pid), time.time()))
        for bpid, since in browsers:
            processes.end_browser(bpid, since)
        return taken is None

    def _try(self, ticket: str) -> int | None:
        with self._write() as conn:
            browsers = self._prune(conn)
            row = conn.execute("SELECT seq, running FROM tickets WHERE id = ?",
                               (ticket,)).fetchone()
            if row is None:
                raise QueueError("the ticket was lost")
            seq, running = row
            ahead = None
            if not running:
                busy = conn.execute("SELECT count(*) FROM tickets WHERE running = 1"
                                    ).fetchone()[0]
                ahead = conn.execute("SELECT count(*) FROM tickets WHERE running = 0 AND "
                                     "seq < ?", (seq,)).fetchone()[0]
                if ahead < self.browsers - busy:
                    conn.execute("UPDATE tickets SET running = 1, since = ? WHERE id = ?",
                                 (time.time(), ticket))
                    ahead = None
        for bpid, since in browsers:
            processes.end_browser(bpid, since)
        return ahead

    def _release(self, ticket: str) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM tickets WHERE id = ?", (ticket,))

    def _record_browser(self, ticket: str, pid: int) -> None:
        with self._write() as conn:
            conn.execute("UPDATE tickets SET browser_pid = ?, browser_started = ? WHERE id = ?",
                         (pid, processes.started(pid), ticket))

    def status(self) -> dict:
        with self._write() as conn:
            self._prune(conn)
            rows = conn.execute("SELECT owner, kind, running FROM tickets ORDER BY seq"
                                ).fetchall()
        return {"running": [(o, k) for o, k, r in rows if r],
                "waiting": [(o, k) for o, k, r in rows if not r]}

    def tickets(self) -> list[dict]:
        """Every live ticket with its processes, in queue order (monitoring, tests)."""
        with self._write() as conn:
            self._prune(conn)
            rows = conn.execute("SELECT owner, kind, running, pid, browser_pid FROM tickets "
                                "ORDER BY seq").fetchall()
        return [dict(zip(("owner", "kind", "running", "pid", "browser_pid"), r, strict=True))
                for r in rows]

    def clear(self) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM tickets")


# --------------------------------------------------------------------------- Redis

_LUA_PRUNE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local waiting, running, leases, owners, tickets = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local function drop(id)
  redis.call('ZREM', waiting, id)
  redis.call('ZREM', running, id)
  redis.call('ZREM', leases, id)
  local info = redis.call('HGET', tickets, id)
  if info then
    local owner = string.match(info, '^([^\\t]*)')
    if redis.call('HGET', owners, owner) == id then redis.call('HDEL', owners, owner) end
    redis.call('HDEL', tickets, id)
  end
end
for _, key in ipairs({running, leases}) do
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', now)) do drop(id) end
end
"""

# ARGV: ticket, owner, kind, lease (ms)
_LUA_SUBMIT = _LUA_PRUNE + """
if redis.call('HEXISTS', owners, ARGV[2]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[6])
redis.call('ZADD', waiting, seq, ARGV[1])
redis.call('ZADD', leases, now + tonumber(ARGV[4]), ARGV[1])
redis.call('HSET', owners, ARGV[2], ARGV[1])
redis.call('HSET', tickets, ARGV[1], ARGV[2] .. '\\t' .. ARGV[3])
return 1
"""

# ARGV: ticket, lease (ms), browsers. -1: holds a browser; -2: lost; else tickets before it.
_LUA_TRY = _LUA_PRUNE + """
local id, lease = ARGV[1], tonumber(ARGV[2])
if redis.call('ZSCORE', running, id) then
  redis.call('ZADD', running, now + lease, id)
  return -1
end
local rank = redis.call('ZRANK', waiting, id)
if not rank then return -2 end
redis.call('ZADD', leases, now + lease, id)
if rank < tonumber(ARGV[3]) - redis.call('ZCARD', running) then
  redis.call('ZREM', waiting, id)
  redis.call('ZREM', leases, id)
  redis.call('ZADD', running, now + lease, id)
  return -1
end
return rank
"""

# ARGV: ticket, lease (ms)
_LUA_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
  return 1
end
return 0
"""

_LUA_RELEASE = _LUA_PRUNE + "drop(ARGV[1])\nreturn 1\n"

_LUA_STATUS = _LUA_PRUNE + """
local out = {}
for _, key in ipairs({running, waiting}) do
  local part = {}
  for _, id in ipairs(redis.call('ZRANGE', key, 0, -1)) do
    table.insert(part, redis.call('HGET', tickets, id) or '')
  end
  table.insert(out, part)
end
return out
"""


class RedisQueue(JobQueue):
    """The queue of every machine that shares one Redis (keys under ``prefix``)."""

    def __init__(self, client, browsers: int, prefix: str = "samverkan:jobs",
                 lease: float = LEASE):
        self.client = client
        self.browsers = max(1, int(browsers))
        self.lease_ms = int(lease * 1000)
        self.keys = [f"{prefix}:{name}" for name in
                     ("waiting", "running", "leases", "owners", "tickets", "seq")]
        self._submit_script = client.register_script(_LUA_SUBMIT)
        self._try_script = client.register_script(_LUA_TRY)
        self._renew_script = client.register_script(_LUA_RENEW)
        self._release_script = client.register_script(_LUA_RELEASE)
        self._status_script = client.register_script(_LUA_STATUS)

    @classmethod
    def from_url(cls, url: str, browsers: int, **kwargs) -> RedisQueue:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        return cls(client, browsers, **kwargs)

    def _submit(self, ticket: str, owner: str, kind: str) -> bool:
        return bool(self._submit_script(keys=self.keys,
                                        args=[ticket, owner, kind, self.lease_ms]))

    def _try(self, ticket: str) -> int | None:
        answer = int(self._try_script(keys=self.keys,
                                      args=[ticket, self.lease_ms, self.browsers]))
        if answer == -2:
            raise QueueError("the ticket was lost (not renewed in time)")
        return None if answer == -1 else answer

    @contextlib.contextmanager
    def _holding(self, ticket: str) -> Iterator[None]:
        """Renew the running ticket's lease from a thread while the job works."""
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.lease_ms / 6000):
                try:
                    self._renew_script(keys=self.keys, args=[ticket, self.lease_ms])
                except Exception:  # noqa: BLE001 - Redis away for a moment: try again
                    log.warning("could not renew a job's lease", exc_info=True)

        thread = threading.Thread(target=renew, daemon=True, name="job-lease")
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=5)

    def _release(self, ticket: str) -> None:
        try:
            self._release_script(keys=self.keys, args=[ticket])
        except Exception:  # noqa: BLE001 - the lease runs out by itself
            log.warning("could not release a job's ticket; it expires in %d s",
                        self.lease_ms // 1000, exc_info=True)

    def _record_browser(self, ticket: str, pid: int) -> None:
        """Browsers on other machines are not ended from here: the lease frees the slot."""

    def status(self) -> dict:
        running, waiting = self._status_script(keys=self.keys, args=[])

        def pairs(items):
            return [tuple(i.decode().split("\t", 1)) for i in items if i]

        return {"running": pairs(running), "waiting": pairs(waiting)}

    def clear(self) -> None:
        self.client.delete(*self.keys)
