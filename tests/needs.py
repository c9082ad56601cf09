"""What a test needs from the machine (a browser, PostgreSQL, redis-server, axe-core):
skipped where it is missing, except in CI (``CI`` set), where a missing part fails the run
instead of hiding tests. The skipped tests' missing parts are named at the end of the run
(:func:`tests.conftest.pytest_terminal_summary`), never skipped in silence."""

from __future__ import annotations

import os

import pytest

# The start of every skip reason given by :func:`missing`: the summary finds them by it.
MISSING = "missing on this machine: "


def missing(message: str, tests: str = "these tests") -> None:
    """Skip the test with ``message``, or fail it when ``CI`` is set."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: {tests} must run)", pytrace=False)
    pytest.skip(MISSING + message)


def missing_parts(reasons: list[str]) -> dict[str, int]:
    """``{what is missing: how many tests it kept from running}`` of skip reasons."""
    parts: dict[str, int] = {}
    for reason in reasons:
        at = reason.find(MISSING)
        if at >= 0:
            part = reason[at + len(MISSING):]
            parts[part] = parts.get(part, 0) + 1
    return parts
