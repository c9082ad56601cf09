"""Two levels of cache for computed figures: the process's own LRU, then one shared by every
worker (Redis, or a disk cache on this machine)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from dashboard.data.db import database_key

log = logging.getLogger(__name__)


def _default(value):
    """JSON for what figures and components hold besides plain data."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "to_plotly_json"):
        return value.to_plotly_json()
    raise TypeError(f"cannot keep {type(value).__name__} in the cache")


def dumps(value) -> bytes:
    return json.dumps(value, default=_default, separators=(",", ":"),
                      ensure_ascii=False).encode()


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str):
        with self.lock:
            if key not in self.items:
                return None
            self.items.move_to_end(key)
            return self.items[key]

    def set(self, key: str, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class FigureCache:
    """``get_or_build(key, build)``: the value kept under ``key``, or ``build()`` kept.

    ``shared`` is a Redis client or a ``diskcache.Cache`` (or ``None``: this process only).
    A shared cache that fails (Redis down) is logged and skipped: pages are computed.
    One builder per entry: a worker that finds an entry being built by another process
    (a claim in the shared cache, lapsing after :attr:`BUILDING_TTL` seconds) waits for
    it instead of computing it again on the same cores (the first view after a start and
    the warming process, a step at once and its neighbour computed ahead).

    It also carries a short queue of what users are likely to open next (:meth:`ask`,
    :meth:`asked`), read by the process that computes ahead (:mod:`dashboard.store.warm`):
    in the shared cache when there is one, so that any worker's request reaches it.
    """

    ASKED_ITEMS = 64  # the queue's bound: the newest asks, older ones are dropped
    ASKED_TTL = 60  # seconds an ask waits at most: later, the user has moved on
    BUILDING_TTL = 30  # seconds a claim to build an entry holds at most
    WAIT_FOR_OTHERS = 3.0  # seconds a request waits for an entry another process builds
    WAIT_POLL = 0.02  # seconds between two looks at it

    def __init__(self, namespace: str, shared=None, local_items: int = 128,
                 ttl: int = 86_400):
        self.namespace = namespace
        self.shared = shared
        self.local = LRU(local_items)
        self.ttl = ttl
        self.hits = {"local": 0, "shared": 0, "built": 0, "waited": 0}
        self._building: dict[str, threading.Event] = {}  # without a shared one
        self._asked: deque[bytes] = deque(maxlen=self.ASKED_ITEMS)  # without a shared one

    def key(self, *parts) -> str:
        return f"{self.namespace}:" + ":".join(str(p) for p in parts)

    def get_or_build(self, key: str, build: Callable[[], Any]):
        """The value kept under ``key``, or ``build()`` kept. While another worker (or the
        warming process) builds the same entry, wait for it rather than build it a second
        time on the same cores (at most :attr:`WAIT_FOR_OTHERS` seconds: then build)."""
        value = self._kept(key)
        if value is not None:
            return value
        claimed = self._claim(key)
        if not claimed:
            value = self._wait_for(key)
            if value is not None:
                self.hits["waited"] += 1
                return value
        try:
            value = json.loads(dumps(build()))  # as every later reader will see it
            self.hits["built"] += 1
            self.local.set(key, value)
            self._shared_set(key, dumps(value))
        finally:
            if claimed:
                self._release(key)
        return value

    def _kept(self, key: str):
        """The value kept here or in the shared cache (``None``: not kept)."""
        value = self.local.get(key)
        if value is not None:
            self.hits["local"] += 1
            return value
        raw = self._shared_get(key)
        if raw is None:
            return None
        value = json.loads(raw)
        self.local.set(key, value)
        self.hits["shared"] += 1
        return value

    def _claim(self, key: str) -> bool:
        """Say that this process builds ``key`` now; ``False``: another one already does.
        A claim lapses after :attr:`BUILDING_TTL` seconds (its builder may have died)."""
        mark = key + ":building"
        if self.shared is None:
            with self.local.lock:
                if mark in self._building:
                    return False
                self._building[mark] = threading.Event()
                return True
        try:
            if hasattr(self.shared, "setex"):  # Redis
                return bool(self.shared.set(mark, b"1", nx=True, ex=self.BUILDING_TTL))
            return bool(self.shared.add(mark, 1, expire=self.BUILDING_TTL))
        except Exception:  # noqa: BLE001 - a shared cache that fails: build, as before
            log.warning("the shared figure cache could not be written", exc_info=True)
            return True

    def _release(self, key: str) -> None:
        mark = key + ":building"
        if self.shared is None:
            with self.local.lock:
                done = self._building.pop(mark, None)
            if done is not None:
                done.set()
            return
        try:
            self.shared.delete(mark)
        except Exception:  # noqa: BLE001
            log.warning("the shared figure cache could not be written", exc_info=True)

    def _building_now(self, key: str) -> bool:
        mark = key + ":building"  # in the shared cache (this process only: see _wait_for)
        try:
            return bool(self.shared.exists(mark)) if hasattr(self.shared, "setex") \
                else mark in self.shared
        except Exception:  # noqa: BLE001
            return False

    def _wait_for(self, key: str):
        """The value another builder is making, once kept; ``None`` when it is not kept
        within :attr:`WAIT_FOR_OTHERS` seconds or its builder stopped without keeping it."""
        deadline = time.monotonic() + self.WAIT_FOR_OTHERS
        if self.shared is None:
            done = self._building.get(key + ":building")
            if done is not None:
                done.wait(self.WAIT_FOR_OTHERS)
            return self.local.get(key)
        while time.monotonic() < deadline:
            value = self._kept(key)
            if value is not None or not self._building_now(key):
                return value if value is not None else self._kept(key)
            time.sleep(self.WAIT_POLL)
        return None

    def get_or_build_many(self, keys: dict[str, str],
                          build: Callable[[list[str]], dict[str, Any]]) -> dict[str, Any]:
        """Per name, the value kept under its key (``keys``: name → key); those not kept
        are built together by one ``build(missing names)`` (name → value) and kept."""
        out: dict[str, Any] = {}
        for name, key in keys.items():
            value = self._kept(key)
            if value is not None:
                out[name] = value
        missing = [name for name in keys if name not in out]
        if missing:
            built = json.loads(dumps(build(missing)))  # as every later reader will see it
            for name in missing:
                value = built[name]
                self.hits["built"] += 1
                self.local.set(keys[name], value)
                self._shared_set(keys[name], dumps(value))
                out[name] = value
        return out

    def has(self, key: str) -> bool:
        """Whether a value is kept under ``key`` (here or in the shared cache)."""
        if self.local.get(key) is not None:
            return True
        if self.shared is None:
            return False
        try:
            return bool(self.shared.exists(key)) if hasattr(self.shared, "setex") \
                else key in self.shared
        except Exception:  # noqa: BLE001 - a shared cache that fails is only slower
            log.warning("the shared figure cache could not be read", exc_info=True)
            return False

    def ask(self, request: dict) -> None:
        """Ask for ``request`` (plain data) to be computed ahead: queued, bounded, dropped
        after :attr:`ASKED_TTL` seconds; never raises (it only makes a later view faster)."""
        raw = dumps(request)
        if self.shared is None:
            self._asked.append(raw)
            return
        queue = self.key("asked")
        try:
            if hasattr(self.shared, "setex"):  # Redis: a capped list that expires
                with self.shared.pipeline() as pipe:
                    pipe.rpush(queue, raw).ltrim(queue, -self.ASKED_ITEMS, -1)
                    pipe.expire(queue, self.ASKED_TTL).execute()
            else:  # diskcache's own queue, its oldest dropped past the bound
                last = self.shared.push(raw, prefix=queue, expire=self.ASKED_TTL)
                first, __ = self.shared.peek(prefix=queue)
                if first is not None and _number(last) - _number(first) >= self.ASKED_ITEMS:
                    self.shared.pull(prefix=queue)
        except Exception:  # noqa: BLE001
            log.warning("the shared figure cache could not be written", exc_info=True)

    def asked(self, limit: int = 8) -> list[dict]:
        """Up to ``limit`` of the requests asked (:meth:`ask`), oldest first, each once."""
        raws: list[bytes] = []
        try:
            if self.shared is None:
                while self._asked and len(raws) < limit:
                    raws.append(self._asked.popleft())
            elif hasattr(self.shared, "setex"):
                raws = self.shared.lpop(self.key("asked"), limit) or []
            else:
                while len(raws) < limit:
                    __, raw = self.shared.pull(prefix=self.key("asked"))
                    if raw is None:
                        break
                    raws.append(raw)
        except Exception:  # noqa: BLE001
            log.warning("the shared figure cache could not be read", exc_info=True)
        out: list[dict] = []
        for raw in raws:
            request = json.loads(raw)
            if request not in out:
                out.append(request)
        return out

    def _shared_get(self, key: str) -> bytes | None:
        if self.shared is None:
            return None
        try:
            return self.shared.get(key)
        except Exception:  # noqa: BLE001 - a shared cache that fails is only slower
            log.warning("the shared figure cache could not be read", exc_info=True)
            return None

    def _shared_set(self, key: str, raw: bytes) -> None:
        if self.shared is None:
            return
        try:
            if hasattr(self.shared, "setex"):  # Redis
                self.shared.setex(key, self.ttl, raw)
            else:
                self.shared.set(key, raw, expire=self.ttl)
        except Exception:  # noqa: BLE001
            log.warning("the shared figure cache could not be written", exc_info=True)


def _number(queue_key: str) -> int:
    """The place of an item in a diskcache queue (its key is ``prefix-number``)."""
    return int(str(queue_key).rsplit("-", 1)[1])


_CACHES: dict[tuple, FigureCache] = {}
_LOCK = threading.Lock()


def code_version() -> str:
    """A digest of the dashboard's code: what is kept is shaped by the code that made it, so
    another version of the code (an upgrade) never reads it.

    Taken when this module is first imported, as the process starts, not when something is
    first kept: files upgraded under a running server then leave it keeping under the
    version of the code it runs, never under the new one (whose processes would read
    what the old code made), and the processes of one server agree on it."""
    return _CODE_VERSION


def _code_digest() -> str:
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


_CODE_VERSION: str = _code_digest()


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"samverkan-dashboard-cache-{os.getuid()}"


def cache_for(database_url: str, redis_url: str | None = None,
              cache_dir: str | Path | None = None, local_items: int = 128,
              ttl: int = 86_400) -> FigureCache:
    """The cache of one database (its keys carry the database, so that two databases
    never read each other's figures), one per process and settings."""
    ident = (database_url, redis_url, str(cache_dir), local_items, ttl, os.getpid())
    with _LOCK:
        if ident not in _CACHES:
            namespace = f"fig:{code_version()}:{database_key(database_url)}"
            _CACHES[ident] = FigureCache(namespace, _shared(redis_url, cache_dir),
                                         local_items, ttl)
        return _CACHES[ident]


def _shared(redis_url: str | None, cache_dir: str | Path | None):
    if redis_url:
        import redis

        return redis.Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    if cache_dir == "":
        return None  # CACHE_DIR set to nothing: each process keeps its own
    import diskcache

    folder = Path(cache_dir) if cache_dir else default_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return diskcache.Cache(str(folder), size_limit=512 * 1024 * 1024, eviction_policy=
                           "least-recently-used")
