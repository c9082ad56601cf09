"""Jobs that cannot take the server down: every browser the server starts takes a turn.

A meeting pack or a chart's image needs a headless Chromium (about 0.5 GB and a core
while it draws). Every such job takes a turn in one queue (:mod:`.queue`): at most
``EXPORT_BROWSERS`` at once on the whole server (every gunicorn worker, every job
process; with ``REDIS_URL`` every machine), first come first served, one job per user
(:func:`current_owner`: today the browser session, tomorrow the signed-in user). A pack
waiting for its turn shows how many are before it; a chart's download waits a bounded
time (``EXPORT_WAIT``) and then says the server is busy.

The meeting pack runs as a Dash background callback (:func:`background_manager`): in a
process of its own on this machine (results in a disk cache bounded in size,
``EXPORT_CACHE_MB``), or, with ``REDIS_URL``, as a Celery task run by ``make worker``
(results in Redis). Either way results expire after ``EXPORT_RESULT_TTL`` seconds, and a
job or browser that dies is reaped and its turn given back (:mod:`.manager`).

Use::

    with browser_turn("pack", on_wait=lambda ahead: ...) as turn:
        ...  # start the browser; turn.record_browser(pid)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path

from dashboard.jobs.identity import current_owner
from dashboard.jobs.manager import job_owner, on_lost
from dashboard.jobs.queue import Busy, JobQueue, LocalQueue, OwnerBusy, QueueError, RedisQueue, Turn

__all__ = ["Busy", "JobQueue", "LocalQueue", "OwnerBusy", "QueueError", "RedisQueue", "Turn",
           "background_manager", "browser_turn", "current_owner", "current_settings",
           "get_celery", "job_owner", "job_queue", "jobs_folder", "on_lost"]

_LOCK = threading.Lock()
_QUEUES: dict[tuple, JobQueue] = {}
_CELERY: dict[tuple, object] = {}


def current_settings():
    """The app's settings (in a request or a job forked from the app), else the
    environment's (a Celery worker, a command)."""
    try:
        from flask import current_app

        return current_app.config["DASHBOARD_SETTINGS"]
    except (RuntimeError, KeyError):
        pass
    try:
        import dash

        return dash.get_app().server.config["DASHBOARD_SETTINGS"]
    except Exception:  # noqa: BLE001 - no app in this process
        from dashboard.config import load_settings

        return load_settings()


def jobs_folder(settings) -> Path:
    """Where this machine keeps the queue and the jobs' results (``JOBS_DIR``)."""
    if settings.jobs_dir:
        return Path(settings.jobs_dir)
    return Path(tempfile.gettempdir()) / f"samverkan-dashboard-jobs-{os.getuid()}"


def job_queue(settings=None) -> JobQueue:
    """The queue of the settings: in Redis with ``REDIS_URL``, else on this machine."""
    settings = settings or current_settings()
    ident = (settings.redis_url, str(jobs_folder(settings)), settings.export_browsers,
             os.getpid())
    with _LOCK:
        if ident not in _QUEUES:
            if settings.redis_url:
                _QUEUES[ident] = RedisQueue.from_url(settings.redis_url,
                                                     settings.export_browsers)
            else:
                _QUEUES[ident] = LocalQueue(jobs_folder(settings), settings.export_browsers)
        return _QUEUES[ident]


@contextlib.contextmanager
def browser_turn(kind: str, *, on_wait=None, wait: float | None = None,
                 wait_for_owner: bool = False, max_ahead: int | None = None, settings=None):
    """A turn in the queue for the job running now, on behalf of :func:`job_owner`."""
    with job_queue(settings).turn(job_owner(), kind, wait=wait, on_wait=on_wait,
                                  wait_for_owner=wait_for_owner,
                                  max_ahead=max_ahead) as turn:
        yield turn


def get_celery(settings=None):
    """The Celery app of ``REDIS_URL`` (broker and result backend), one per process."""
    settings = settings or current_settings()
    if not settings.redis_url:
        raise RuntimeError("REDIS_URL is not set: jobs run on this machine without Celery")
    ident = (settings.redis_url, settings.export_result_ttl)
    with _LOCK:
        if ident not in _CELERY:
            from celery import Celery

            app = Celery("samverkan", broker=settings.redis_url, backend=settings.redis_url)
            app.conf.update(
                result_expires=settings.export_result_ttl,
                task_serializer="json", result_serializer="json", accept_content=["json"],
                worker_prefetch_multiplier=1,  # a waiting job must not hold others back
                broker_connection_retry_on_startup=True,
                # a job waits for its turn in the queue, not in a worker's private buffer
                task_acks_late=False,
            )
            _CELERY[ident] = app
        return _CELERY[ident]


def background_manager(settings=None):
    """Dash's manager for the background callbacks: Celery with ``REDIS_URL``, else
    processes of this machine with a disk cache."""
    from dashboard.jobs.manager import QueuedCeleryManager, QueuedDiskcacheManager

    settings = settings or current_settings()
    if settings.redis_url:
        return QueuedCeleryManager(get_celery(settings), settings.export_result_ttl)
    return QueuedDiskcacheManager(jobs_folder(settings), settings.export_result_ttl,
                                  settings.export_cache_mb * 1_000_000)
