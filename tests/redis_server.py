"""A throwaway Redis server for the test suite (Debian's ``redis-server``).

:class:`RedisServer` starts ``redis-server`` on a free port of 127.0.0.1 with its files in
a temporary folder (no persistence), and stops it and deletes the folder at the end.
``REDIS_SERVER`` names the binary (else ``redis-server`` on ``PATH``); ``TEST_REDIS_URL``
uses a running server instead (its database is flushed: give one for tests only).

The fixtures in :mod:`tests.conftest` skip the Redis tests when no binary is found, except
when ``CI`` is set: then they fail, so that CI cannot pass without them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.webserver import free_port


class RedisUnavailable(RuntimeError):
    """No redis-server binary, or it did not start."""


def find_redis_server() -> str | None:
    explicit = os.environ.get("REDIS_SERVER")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if os.access(p, os.X_OK)),
        None)


class RedisServer:
    """``start()``, ``url``, ``flush()``, ``stop()``."""

    def __init__(self, binary: str | None = None, url: str | None = None):
        self.binary = binary
        self.url = url
        self.folder: Path | None = None
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self.url:
            return
        if not self.binary:
            raise RedisUnavailable("no redis-server binary")
        self.folder = Path(tempfile.mkdtemp(prefix="redis-test-"))
        port = free_port()
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--dir",
             str(self.folder), "--save", "", "--appendonly", "no", "--protected-mode", "yes",
             "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.url = f"redis://127.0.0.1:{port}/0"
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    log = (self.folder / "redis.log")
                    detail = log.read_text() if log.exists() else ""
                    self.stop()
                    raise RedisUnavailable(f"redis-server did not start: {detail}") from None
                time.sleep(0.1)
        client.close()

    def flush(self) -> None:
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            client.flushdb()
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
