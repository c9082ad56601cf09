"""Jobs that cannot take the server down: every browser the server starts takes a turn.

A meeting pack or a chart's image needs a headless Chromium (about 0.5 GB and a core
while it draws). Every such job takes a turn in one queue (:mod:`.queue`): at most
``EXPORT_BROWSERS`` at once on the whole server (every gunicorn worker, every job
process; with ``REDIS_URL`` every machine), first come first served, one job per user
(:func:`current_owner`: the signed-in person, else the browser session). A pack
waiting for its turn shows how many are before it; a chart's download waits a bounded
time (``EXPORT_WAIT``) and then says the server is busy.

The meeting pack is a job of its owner (:class:`OwnedJobs`, :mod:`.handles`): started
by a callback, it gives the page an unguessable handle, bound to the person, which the
page sends back in the body of its polls; every poll checks the person and their current
rights. It runs through :func:`background_manager`: in a process of its own on this
machine (results in a disk cache bounded in size, ``EXPORT_CACHE_MB``), or, with
``REDIS_URL``, as a Celery task run by ``make worker`` (results in Redis). Either way
results expire after ``EXPORT_RESULT_TTL`` seconds, and a job or browser that dies is
reaped and its turn given back (:mod:`.manager`).

Use::

    with browser_turn("pack", on_wait=lambda ahead: ...) as turn:
        ...  # start the browser; turn.record_browser(pid)
"""

from __future__ import annotations

import contextlib
import threading

from dashboard.jobs.handles import Look, OwnedJobs, UnknownJob, handle_of
from dashboard.jobs.identity import current_owner
from dashboard.jobs.manager import QueuedCeleryManager, QueuedDiskcacheManager, job_owner, on_lost
from dashboard.jobs.queue import (
    Busy,
    JobQueue,
    LocalQueue,
    OwnerBusy,
    QueueError,
    RedisQueue,
    Turn,
    current_settings,
    job_queue,
    jobs_folder,
)

__all__ = ["Busy", "JobQueue", "LocalQueue", "Look", "OwnedJobs", "OwnerBusy", "QueueError",
           "RedisQueue", "Turn", "UnknownJob", "background_manager", "browser_turn",
           "current_owner", "current_settings", "get_celery", "handle_of", "job_owner",
           "job_queue", "jobs_folder", "on_lost"]

_LOCK = threading.Lock()
_CELERY: dict[tuple, object] = {}


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
    settings = settings or current_settings()
    if settings.redis_url:
        return QueuedCeleryManager(get_celery(settings), settings.export_result_ttl)
    return QueuedDiskcacheManager(jobs_folder(settings), settings.export_result_ttl,
                                  settings.export_cache_mb * 1_000_000)
