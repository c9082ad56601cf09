"""The cache kept warm: after an import or an undo, what users open first is computed once,
ahead of them, not by the first users to ask.

A new data version (:func:`dashboard.store.versions`) makes the kept figures of the
agreements it touched unreachable (their keys hold the version). Without more, the first
person to open each of them after an import waits for it to be computed, and twenty
people opening twenty agreements at once wait for each other. So one process per machine
watches the data version (a small query every ``WARM_INTERVAL`` seconds) and, when it
changes, computes into the shared cache (:mod:`dashboard.store`): the portfolio at its
default period in Swedish and English (as an administrator sees it: the most common
scope; a person who sees fewer agreements gets theirs computed on first asking) and the
default view of every agreement whose version changed, newest data first. Nothing is
computed twice: each entry is the same one a page would keep.

Where it runs:

* ``make serve`` (gunicorn): a process of its own beside the workers, forked from the
  master once the app is loaded (``gunicorn.conf.py: when_ready``), at a lower priority
  (``nice`` 10), so that the workers answering people come first; it ends with the master.
* ``make run`` (``python app.py``): a thread of the app's process.
* ``WARM_CACHE=0`` turns it off (the test suite does, except the test of it).

With ``CACHE_DIR=""`` (no shared cache) there is nothing to warm for other processes, so
only the thread of ``python app.py`` warms its own process.

What is warmed is registered by those who keep it (the store never imports a page):
:func:`register_everyone` for what everyone opens first (the portfolio: called with the
language), :func:`register_agreement` for each agreement whose data changed (its default
view: called with the agreement and the language), :func:`register_asked` for what a page
asks for while it serves someone (the periods before and after the one shown, which the
◀ ▶ buttons open next: :meth:`FigureCache.ask`). The same process computes those between
its looks at the data version (every ``ASK_POLL`` seconds), so the next step of a person
reading a view is usually kept before they click.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable

from flask import Flask, g

from dashboard.access.identity import User
from dashboard.data.context import engine_of, settings_of
from dashboard.people.rights import EVERYTHING
from dashboard.store import settings_cache, versions

log = logging.getLogger(__name__)

DEFAULT_PATH_LANGS = ("sv",)
ASK_POLL = 0.2  # seconds between two looks at what pages asked for
ASKED_PER_TURN = 8

EveryoneWarmer = Callable[[str], object]
AgreementWarmer = Callable[[str, str], object]
AskedWarmer = Callable[[dict], object]
_EVERYONE: list[EveryoneWarmer] = []
_AGREEMENT: list[AgreementWarmer] = []
_ASKED: dict[str, AskedWarmer] = {}


def register_everyone(fn: EveryoneWarmer) -> EveryoneWarmer:
    """Warm ``fn(lang)`` at every new data version (e.g. the portfolio)."""
    if fn not in _EVERYONE:
        _EVERYONE.append(fn)
    return fn


def register_agreement(fn: AgreementWarmer) -> AgreementWarmer:
    """Warm ``fn(agreement_id, lang)`` for every agreement whose data changed."""
    if fn not in _AGREEMENT:
        _AGREEMENT.append(fn)
    return fn


def register_asked(kind: str, fn: AskedWarmer) -> AskedWarmer:
    """Compute ``fn(request)`` for every request of ``kind`` a page asked for
    (``FigureCache.ask({"kind": kind, ...})``)."""
    _ASKED[kind] = fn
    return fn


def warm_asked(server: Flask, limit: int = ASKED_PER_TURN) -> int:
    """Compute what pages asked for (at most ``limit``); returns how many were asked."""
    requests = settings_cache(settings_of(server)).asked(limit)
    if not requests:
        return 0
    with server.test_request_context("/"):
        g.auth_user = User(None, "warm-up", "warm-up", EVERYTHING, "local")
        for request in requests:
            fn = _ASKED.get(request.get("kind", ""))
            if fn is None:
                continue
            try:
                fn(request)
            except Exception:  # noqa: BLE001 - a request that fails must not stop the rest
                log.warning("could not compute %s ahead", request, exc_info=True)
    return len(requests)


def warm_everyone(server: Flask) -> int:
    """Compute what everyone opens first (the portfolio), in Swedish and English, as an
    administrator sees it; returns how many entries."""
    count = 0
    with server.test_request_context("/"):
        g.auth_user = User(None, "warm-up", "warm-up", EVERYTHING, "local")
        for lang in ("sv", "en"):
            for warm in _EVERYONE:
                warm(lang)
                count += 1
    return count


def warm_round(server: Flask, seen: dict[str, str] | None) -> tuple[dict[str, str], int]:
    """Compute what a new data version needs; ``seen``: the versions already warmed
    (``None``: nothing yet). Returns the versions now warmed and how many entries."""
    engine = engine_of(server)
    _, by_agreement = versions(engine)
    changed = [a for a, v in by_agreement.items() if (seen or {}).get(a) != v]
    if seen is not None and not changed and set(seen) == set(by_agreement):
        return seen, 0
    count = warm_everyone(server)
    with server.test_request_context("/"):
        g.auth_user = User(None, "warm-up", "warm-up", EVERYTHING, "local")
        # Newest data first: those are the agreements people open after an import.
        for agreement in sorted(changed, key=lambda a: by_agreement[a], reverse=True):
            for lang, warm in ((lang, w) for lang in DEFAULT_PATH_LANGS for w in _AGREEMENT):
                try:
                    warm(agreement, lang)
                    count += 1
                except Exception:  # noqa: BLE001 - one agreement must not stop the rest
                    log.warning("could not compute the view of %s ahead", agreement,
                                exc_info=True)
    return dict(by_agreement), count


def watch(server: Flask, interval: float, stop: threading.Event | None = None,
          alive=lambda: True) -> None:
    """Warm at start and at every new data version until ``stop`` is set or ``alive()``
    is false, and in between what pages ask for. A database that cannot be reached is
    tried again at the next turn."""
    seen: dict[str, str] | None = None
    next_round = 0.0
    while alive() and not (stop is not None and stop.is_set()):
        if time.monotonic() >= next_round:
            started = time.perf_counter()
            try:
                seen, count = warm_round(server, seen)
                if count:
                    log.info("Computed %d views ahead of users in %.1f s (the cache is warm).",
                             count, time.perf_counter() - started)
            except Exception:  # noqa: BLE001 - the database away, a bad moment: next turn
                log.warning("warming the cache failed; trying again", exc_info=True)
            next_round = time.monotonic() + interval
        try:
            asked = warm_asked(server)
        except Exception:  # noqa: BLE001
            log.warning("computing what was asked for failed", exc_info=True)
            asked = 0
        if asked:
            continue  # more may be waiting
        pause = max(0.0, min(ASK_POLL, next_round - time.monotonic()))
        if stop is not None:
            stop.wait(pause)
        else:
            time.sleep(pause)


def start_thread(server: Flask) -> threading.Event | None:
    """Warm in a thread of this process (``python app.py``); returns its stop event."""
    settings = settings_of(server)
    if not settings.warm_cache:
        return None
    stop = threading.Event()
    threading.Thread(target=watch, args=(server, settings.warm_interval, stop),
                     name="cache-warmer", daemon=True).start()
    return stop


def start_process(server: Flask) -> int | None:
    """Warm in a process of its own forked from this one (gunicorn's master, before its
    workers are forked); returns its pid. It ends when this process does."""
    settings = settings_of(server)
    if not settings.warm_cache or settings.cache_dir == "" and not settings.redis_url:
        return None
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:  # the child: never returns into the caller's code
        for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGCHLD", "SIGUSR1",
                     "SIGUSR2", "SIGWINCH", "SIGTTIN", "SIGTTOU"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)  # not gunicorn's master's
        os.nice(10)
        if not log.handlers:  # gunicorn's master logs only its own: say what is done
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)
        log.info("Computing views ahead of users (process %d, nice 10).", os.getpid())
        engine = engine_of(server)
        engine.dispose(close=False)  # its own connections, never the parent's
        watch(server, settings.warm_interval, alive=lambda: os.getppid() == parent)
    except BaseException:  # noqa: BLE001 - the child must not run on in the parent's code
        code = 1
    finally:
        os._exit(code)
