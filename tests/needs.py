"""What a test needs from the machine (a browser, PostgreSQL): skipped where it is missing,
except in CI (``CI`` set), where a missing part fails the run instead of hiding tests."""

from __future__ import annotations

import os

import pytest


def missing(message: str, tests: str = "these tests") -> None:
    """Skip the test with ``message``, or fail it when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: {tests} must run)", pytrace=False)
    pytest.skip(message)
