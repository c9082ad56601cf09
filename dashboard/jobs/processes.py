"""Processes of jobs and browsers: is one still alive, and ending a browser left behind.

A process is known by its id *and* its start time, so that an id the system has given to
a new process since is never mistaken for the old one. Kaleido starts the browser through a
small launcher in a session of its own; the launcher's id is the browser's process group,
so ending that group ends every Chromium process of that browser.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal

import psutil

log = logging.getLogger(__name__)


def started(pid: int) -> float | None:
    """When the process ``pid`` started (seconds since the epoch), or ``None`` if it is gone."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def alive(pid: int, since: float) -> bool:
    """Whether the process ``pid`` that started at ``since`` still runs (a zombie does not)."""
    try:
        proc = psutil.Process(pid)
        return abs(proc.create_time() - since) < 0.05 and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def group_members(pgid: int, since: float) -> list[psutil.Process]:
    """The live processes of process group ``pgid`` started at or after ``since``."""
    members = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.create_time() >= since - 0.05 \
                    and proc.status() != psutil.STATUS_ZOMBIE:
                members.append(proc)
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
    return members


def end_browser(pgid: int, since: float) -> int:
    """End a browser whose job died: every process of its group; how many were ended."""
    members = group_members(pgid, since)
    for proc in members:
        with contextlib.suppress(psutil.Error, OSError):
            proc.send_signal(signal.SIGKILL)
    if members:
        log.warning("ended a browser left by a job that died (%d processes)", len(members))
        psutil.wait_procs(members, timeout=3)  # reaps those that are our children
    return len(members)
