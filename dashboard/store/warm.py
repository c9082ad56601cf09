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
"""

from __future__ import annotations

import logging
import os
import threading
import time

from flask import Flask, g

log = logging.getLogger(__name__)

DEFAULT_PATH_LANGS = ("sv",)


def warm_round(server: Flask, seen: dict[str, str] | None) -> tuple[dict[str, str], int]:
    """Compute what a new data version needs; ``seen``: the versions already warmed
    (``None``: nothing yet). Returns the versions now warmed and how many entries."""
    from dashboard.access.identity import User
    from dashboard.people.rights import EVERYTHING
    from dashboard.web.components.links import agreement_path
    from dashboard.web.components.view_page import view_payload
    from dashboard.web.pages.portfolio import LATEST, portfolio_rows
    from dashboard.store import versions

    engine = server.config["DASHBOARD_ENGINE"]
    _, by_agreement = versions(engine)
    changed = [a for a, v in by_agreement.items() if (seen or {}).get(a) != v]
    if seen is not None and not changed and set(seen) == set(by_agreement):
        return seen, 0
    count = 0
    with server.test_request_context("/"):
        g.auth_user = User(None, "warm-up", "warm-up", EVERYTHING, "local")
        for lang in ("sv", "en"):
            portfolio_rows(LATEST, lang)
            count += 1
        # Newest data first: those are the agreements people open after an import.
        for agreement in sorted(changed, key=lambda a: by_agreement[a], reverse=True):
            for lang in DEFAULT_PATH_LANGS:
                try:
                    view_payload(agreement, None, None, None, lang, agreement_path(agreement))
                    count += 1
                except Exception:  # noqa: BLE001 - one agreement must not stop the rest
                    log.warning("could not compute the view of %s ahead", agreement,
                                exc_info=True)
    return dict(by_agreement), count


def watch(server: Flask, interval: float, stop: threading.Event | None = None,
          alive=lambda: True) -> None:
    """Warm at start and at every new data version until ``stop`` is set or ``alive()``
    is false. A database that cannot be reached is tried again at the next turn."""
    seen: dict[str, str] | None = None
    while alive() and not (stop is not None and stop.is_set()):
        started = time.perf_counter()
        try:
            seen, count = warm_round(server, seen)
            if count:
                log.info("Computed %d views ahead of users in %.1f s (the cache is warm).",
                         count, time.perf_counter() - started)
        except Exception:  # noqa: BLE001 - the database away, a bad moment: next turn
            log.warning("warming the cache failed; trying again", exc_info=True)
        if stop is not None:
            stop.wait(interval)
        else:
            time.sleep(interval)


def start_thread(server: Flask) -> threading.Event | None:
    """Warm in a thread of this process (``python app.py``); returns its stop event."""
    settings = server.config["DASHBOARD_SETTINGS"]
    if not settings.warm_cache:
        return None
    stop = threading.Event()
    threading.Thread(target=watch, args=(server, settings.warm_interval, stop),
                     name="cache-warmer", daemon=True).start()
    return stop


def start_process(server: Flask) -> int | None:
    """Warm in a process of its own forked from this one (gunicorn's master, before its
    workers are forked); returns its pid. It ends when this process does."""
    settings = server.config["DASHBOARD_SETTINGS"]
    if not settings.warm_cache or settings.cache_dir == "" and not settings.redis_url:
        return None
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 0
    try:  # the child: never returns into the caller's code
        import signal

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
        engine = server.config["DASHBOARD_ENGINE"]
        engine.dispose(close=False)  # its own connections, never the parent's
        watch(server, settings.warm_interval, alive=lambda: os.getppid() == parent)
    except BaseException:  # noqa: BLE001 - the child must not run on in the parent's code
        code = 1
    finally:
        os._exit(code)
