"""Processes of jobs and browsers: is one still alive, and ending a browser left behind.

A process is known by its id *and* its start time, so that an id the system has given to
a new process since is never mistaken for the old one. The start time is counted from the
machine's boot (``/proc/<pid>/stat``), never from the wall clock: Linux recomputes its boot
time from the clock at every read, so a clock set or slewed by NTP moved every process's
``psutil.create_time()`` by a second, and a live job looked dead to the other workers
(psutil #2526). Kaleido starts the browser through a
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


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
SAME = 0.005  # two start times closer than this are the same (they come in 1/_TICKS s)


def started(pid: int) -> float | None:
    """When the process ``pid`` started, in seconds since the machine booted (the same in
    every process, whatever the clock does), or ``None`` if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rpartition(b")")[2].split()
        return int(fields[19]) / _TICKS  # field 22, "starttime", in clock ticks
    except FileNotFoundError:
        return None
    except (OSError, IndexError, ValueError):  # no /proc (not Linux): the clock's
        try:
            return psutil.Process(pid).create_time()
        except psutil.Error:
            return None


def alive(pid: int, since: float) -> bool:
    """Whether the process ``pid`` that started at ``since`` still runs (a zombie does not)."""
    now = started(pid)
    if now is None or since is None or abs(now - since) >= SAME:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def group_members(pgid: int, since: float) -> list[psutil.Process]:
    """The live processes of process group ``pgid`` started at or after ``since``."""
    members = []
    for proc in psutil.process_iter():
        try:
            begun = started(proc.pid)
            if os.getpgid(proc.pid) == pgid and begun is not None and begun >= since - SAME \
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
