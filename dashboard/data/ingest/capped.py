"""An import, or its preview, in a process of its own whose memory and time are capped.

The web page's check and import of an uploaded file run here (:func:`preview_capped`,
:func:`import_capped`): the file is read by openpyxl or pandas in a child process, never in
the server's own. The limits of :mod:`.readers` refuse what they foresee (a workbook's
parts too large or packed too tightly, too many rows or cells) before anything is
unpacked; what they do not foresee can use up only the child's memory (``IMPORT_MEMORY_MB``
more than it starts with, as ``RLIMIT_AS``) and time (``UPLOAD_SECONDS``, then it is
killed), never a server worker. Either way the person gets the import's usual message
naming the limit, and the server answers as before.

The child is forked: it starts at once with the modules already loaded, and uses the
parent's engine after letting go of the connections it inherited (SQLAlchemy's way across
a fork, ``engine.dispose(close=False)``); the parent's connections are never touched.
Nothing of the child's work is kept but its result: a refused or killed import rolls
back as any failed transaction does.

The command line's ``import`` runs here too (``python -m dashboard import``), with no time
limit: memory that runs out can end a process in more ways than Python's ``MemoryError``
(an extension that does not check an allocation), and the child's death is then told as
the memory limit, not as a crash without a word.
"""

from __future__ import annotations

import faulthandler
import logging
import multiprocessing
import os
import signal
import time
from functools import partial
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.data.ingest import ImportResult, import_dataset, import_limits, memory_problem
from dashboard.data.ingest.preview import Preview, preview_import
from dashboard.data.ingest.problems import Problem
from dashboard.data.ingest.readers import ImportLimits
from dashboard.domain.pnr import contains_identity_number

log = logging.getLogger(__name__)

MB = 1 << 20


def cap_memory(megabytes: int) -> bool:
    """Let this process map at most ``megabytes`` more memory than it has mapped now
    (``RLIMIT_AS``): beyond it an allocation fails (Python's ``MemoryError``). Whether the
    cap was set (not where the platform has no such limit)."""
    try:
        import resource
    except ImportError:  # not on this platform
        return False
    now = mapped_bytes()
    if now is None:
        return False
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = now + megabytes * MB
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    return True


def mapped_bytes() -> int | None:
    """This process's address space (what ``RLIMIT_AS`` limits), or None if unknown."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def import_capped(engine: Engine, path: Path | str, replace: bool = False,
                  limits: ImportLimits | None = None,
                  only: set[str] | frozenset[str] | None = None) -> ImportResult:
    """:func:`dashboard.data.ingest.import_dataset` in a capped child process."""
    return _capped(engine, import_dataset, path, replace, limits, only,
                   refused=lambda result: result)


def preview_capped(engine: Engine, path: Path | str, replace: bool = False,
                   limits: ImportLimits | None = None,
                   only: set[str] | frozenset[str] | None = None) -> Preview:
    """:func:`dashboard.data.ingest.preview.preview_import` in a capped child process."""
    return _capped(engine, preview_import, path, replace, limits, only,
                   refused=lambda result: Preview(result=result))


def _capped(engine: Engine, reader, path: Path | str, replace: bool,
            limits: ImportLimits | None, only, refused):
    """``reader(engine, path=..., ...)`` in a capped child: its result, or the problem that
    stopped the child as a refused import (``refused`` wraps it as ``reader`` answers)."""
    limits = limits or import_limits()
    work = partial(reader, path=Path(path), replace=replace, limits=limits, only=only)
    outcome = _run(engine, work, limits)
    if isinstance(outcome, Problem):
        return refused(ImportResult(ok=False, source=_name(path), problems=[outcome]))
    return outcome


def _name(path: Path | str) -> str:
    name = Path(path).name
    return "" if contains_identity_number(name) else name


def _forkable(engine: Engine) -> bool:
    """A child can share the database (not an in-memory SQLite one) and can be forked."""
    url = engine.url
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    return hasattr(os, "fork") and not in_memory


def _run(engine: Engine, work, limits: ImportLimits):
    """``work(engine)`` in a child: its result, or the problem that stopped it."""
    if not _forkable(engine):
        return work(engine)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, engine, work, limits), daemon=True,
                            name="capped-import")
    child.start()
    send.close()
    kind, value = "died", None
    try:
        kind, value = _wait(receive, child, limits.seconds)
    except (EOFError, OSError):  # the child died without a word (killed, crashed)
        pass
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if kind == "ok":
        return value
    name = _name(getattr(work, "keywords", {}).get("path", ""))
    died_of = -child.exitcode if child.exitcode and child.exitcode < 0 else None
    if kind == "time" or died_of == signal.SIGXCPU:
        log.warning("import of %s stopped after %s s", name, limits.seconds)
        return Problem("time_limit", file=name or None, params={
            "seconds": f"{limits.seconds:g}", "setting": limits.setting("seconds")})
    if kind == "error":
        return Problem("internal_error", file=name or None, params={"detail": value})
    log.warning("import of %s died (exit %s): taken as out of memory", name, child.exitcode)
    return memory_problem(limits, name)


# A child whose address space stays this close to its cap for this long is stuck: under
# RLIMIT_AS a small allocation can fail again and again inside the C library (glibc's
# malloc was seen retrying brk for minutes after a MemoryError), and with no time limit
# (the command line) nothing else would end it.
STUCK_MARGIN = 4 * MB
STUCK_SECONDS = 5.0
STEP = 0.5  # s between looks at the child


def _wait(receive, child, seconds: float | None) -> tuple[str, object]:
    """The child's message, or ``("time", None)`` at the time limit, or ``("memory",
    None)`` when it is stuck at its memory cap; EOFError when it dies without a word."""
    deadline = time.monotonic() + seconds if seconds is not None else None
    stuck_since = None
    while True:
        left = None if deadline is None else deadline - time.monotonic()
        if receive.poll(STEP if left is None else max(0.0, min(STEP, left))):
            return receive.recv()
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            return "time", None
        if not _at_memory_cap(child.pid):
            stuck_since = None
        elif stuck_since is None:
            stuck_since = now
        elif now - stuck_since >= STUCK_SECONDS:
            log.warning("capped import stuck at its memory cap for %s s: stopped", STUCK_SECONDS)
            return "memory", None


def _at_memory_cap(pid: int | None) -> bool:
    """Whether process ``pid``'s address space is within STUCK_MARGIN of its RLIMIT_AS."""
    try:
        with open(f"/proc/{pid}/limits") as limits:
            soft = next(line.split()[3] for line in limits
                        if line.startswith("Max address space"))
        with open(f"/proc/{pid}/status") as status:
            size = next(int(line.split()[1]) * 1024 for line in status
                        if line.startswith("VmSize:"))
    except (OSError, ValueError, IndexError, StopIteration):
        return False
    return soft.isdigit() and size >= int(soft) - STUCK_MARGIN


def _child(send, engine: Engine, work, limits: ImportLimits) -> None:
    """In the child: the caps, then the work; its result (or what stopped it) sent back."""
    # Not the server's handlers (gunicorn's worker has its own, and a wake-up pipe that a
    # signal caught here would write into).
    signal.set_wakeup_fd(-1)
    # A crash (an extension that did not check an allocation) is told by the parent.
    faulthandler.disable()
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT,
                   signal.SIGUSR1, signal.SIGUSR2, signal.SIGWINCH, signal.SIGABRT):
        signal.signal(number, signal.SIG_DFL)
    if limits.seconds:
        import resource

        cpu = int(limits.seconds) + 5  # a backstop: the parent kills it at the limit
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    engine.dispose(close=False)  # the parent's connections stay the parent's
    try:
        cap_memory(limits.memory_mb)
        send.send(("ok", work(engine)))
    except MemoryError:
        send.send(("memory", None))
    except Exception as exc:  # noqa: BLE001 - said to the parent, which says it to the person
        log.exception("capped import failed")
        send.send(("error", type(exc).__name__))
    finally:
        send.close()
