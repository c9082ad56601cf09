"""Waiting on a condition, never for a fixed time: :func:`wait_until`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 30, message: str = "",
               interval: float = 0.05) -> T:
    """Call ``condition`` until it returns something true, and return that; raise an
    ``AssertionError`` (with ``message``) when ``timeout`` seconds pass first. The
    interval is only how often to look, never a wait for something to happen."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for "
                                 f"{message or getattr(condition, '__name__', 'a condition')}")
        time.sleep(interval)
