"""Dash's background-callback managers, made to know who asks and to keep nothing forever.

* :class:`QueuedDiskcacheManager` (one machine): each job in a process of its own, forked
  from the gunicorn worker that got the click, its result in a disk cache bounded in size
  whose entries expire. A thread per job waits for its process, so a job that ends or
  dies is reaped at once (no zombie); a job that dies without a result has its ticket
  dropped, its browser ended and, where the callback says how (:func:`on_lost`), a
  message for the page in place of the result. A job is named by its process id *and*
  start time, so Dash never kills a process that took an old id.
* :class:`QueuedCeleryManager` (``REDIS_URL``): jobs are Celery tasks run by ``make
  worker`` on any machine; results live in Redis and expire (Celery's ``result_expires``).

Both record the owner of each job (:func:`~dashboard.jobs.identity.current_owner`, read in
the request) in the job's context, where :func:`job_owner` finds it, and give every job a
cache key of its own (two users asking for the same pack never share a result).
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import uuid
from pathlib import Path

import dash

from dashboard.jobs import processes
from dashboard.jobs.identity import current_owner
from dashboard.jobs.queue import current_settings, job_queue

log = logging.getLogger(__name__)

OWNER_KEY = "samverkan_owner"
SECRET_KEY = "samverkan-signing-secret"
_REAPING = "reaping:"  # the job's reaper is not done: the job still counts as running
_ENDED = "ended:"  # Dash ended the job on purpose (result fetched, or cancelled)


def job_owner() -> str:
    """Who asked for the job running now (in a background job: who clicked; in a request:
    :func:`current_owner`)."""
    from dash._callback_context import context_value

    try:
        context = context_value.get()
    except LookupError:
        context = None
    owner = context.get(OWNER_KEY) if isinstance(context, dict) else None
    return owner or current_owner()


def on_lost(build):
    """Decorate a background callback (below ``@callback``) with what its outputs should be
    when its job dies without a result: ``build(*callback_args)``."""

    def mark(fn):
        fn.job_lost = build
        return fn

    return mark


class _Owned:
    """What both managers add: the owner in the context, a cache key per job."""

    def build_cache_key(self, fn, args, cache_args_to_ignore, triggered):
        base = super().build_cache_key(fn, args, cache_args_to_ignore, triggered)
        unique = f"{base}:{current_owner()}:{uuid.uuid4().hex}"
        return hashlib.sha256(unique.encode()).hexdigest()

    def _with_owner(self, context):
        context[OWNER_KEY] = current_owner()
        return context

    # Claims (dashboard.jobs.handles): whose a job is, kept as long as its result.
    def put_claim(self, name: str, value: str) -> None:
        raise NotImplementedError

    def get_claim(self, name: str) -> str | None:
        raise NotImplementedError

    def drop_claim(self, name: str) -> None:
        raise NotImplementedError


class ExpiringCache:
    """Builds a ``diskcache.Cache`` whose entries expire after ``ttl`` unless told otherwise
    (Dash's jobs write their results and progress without an expiry)."""

    def __new__(cls, folder: Path, ttl: int, size_limit: int):
        import diskcache

        class _Cache(diskcache.Cache):
            def set(self, key, value, expire=None, read=False, tag=None, retry=False):
                return super().set(key, value, expire=expire or ttl, read=read, tag=tag,
                                   retry=retry)

        return _Cache(str(folder), size_limit=size_limit,
                      eviction_policy="least-recently-stored")


def _job_id(pid: int, started: float | None) -> str:
    return f"{pid}_{started or 0:.3f}"


def _parse_job(job) -> tuple[int, float] | None:
    try:
        pid, _, started = str(job).partition("_")
        return int(pid), float(started or 0)
    except (TypeError, ValueError):
        return None


class QueuedDiskcacheManager(_Owned, dash.DiskcacheManager):
    """Background jobs in processes of their own on this machine (see the module)."""

    def __init__(self, folder: str | Path, ttl: int, size_limit: int):
        folder = Path(folder)
        self.folder = folder
        self.ttl = ttl
        self._lost: dict = {}
        super().__init__(ExpiringCache(folder / "results", ttl, size_limit))

    def get_or_create_signing_secret(self, generate):
        """The secret that signs job handles, shared by the workers and never evicted (the
        results' cache drops its oldest entries when full)."""
        import diskcache

        with diskcache.Cache(str(self.folder / "secret")) as store:
            store.add(SECRET_KEY, generate())
            return store.get(SECRET_KEY)

    def _claims(self):
        """The claims, in a cache of their own: never evicted with the results."""
        import diskcache

        return diskcache.Cache(str(self.folder / "claims"))

    def put_claim(self, name: str, value: str) -> None:
        with self._claims() as claims:
            claims.set(name, value, expire=self.ttl)

    def get_claim(self, name: str) -> str | None:
        with self._claims() as claims:
            return claims.get(name)

    def drop_claim(self, name: str) -> None:
        with self._claims() as claims:
            claims.delete(name)

    def make_job_fn(self, fn, progress, key=None):
        job_fn = super().make_job_fn(fn, progress, key)
        lost = getattr(fn, "job_lost", None)
        if lost is not None:
            self._lost[job_fn] = lost
        return job_fn

    def call_job_fn(self, key, job_fn, args, context):
        from multiprocess import Process

        self._with_owner(context)
        process = Process(target=job_fn, args=(key, self._make_progress_key(key), args,
                                               context), daemon=False)
        process.start()
        job = _job_id(process.pid, processes.started(process.pid))
        # Until the reaper is done, the job counts as running (for every worker that polls).
        me = os.getpid()
        self.handle.set(_REAPING + job, (me, processes.started(me)))
        lost = self._lost.get(job_fn)
        threading.Thread(target=self._reap, args=(process, job, key, args, lost), daemon=True,
                         name=f"job-reaper-{process.pid}").start()
        return job

    def _reap(self, process, job, key, args, lost) -> None:
        """Wait for the job's process (so that it never lingers as a zombie); when it died
        without a result, tell the page and clean up after it."""
        process.join()
        try:
            if process.exitcode != 0 and not self.handle.get(_ENDED + job):
                self._after_death(process, key, args, lost)
        finally:
            self.handle.delete(_REAPING + job)
            self.handle.delete(_ENDED + job)

    def _after_death(self, process, key, args, lost) -> None:
        log.warning("a background job (process %s) stopped with exit code %s",
                    process.pid, process.exitcode)
        if self.handle.get(key) is None and lost is not None:
            try:
                values = args if isinstance(args, (list, tuple)) else [args]
                self.handle.set(key, lost(*values))
            except Exception:  # noqa: BLE001
                log.warning("could not tell the page that its job stopped", exc_info=True)
        try:

            queue = job_queue(current_settings())  # the app's (jobs take turns there)
            if hasattr(queue, "prune"):
                queue.prune()
        except Exception:  # noqa: BLE001 - cleaning up must not fail the reaper
            log.warning("could not clean up after a job", exc_info=True)

    # Jobs are known by process id and start time: never act on a process that only
    # happens to have the same id.
    def _process(self, job):
        import psutil

        parsed = _parse_job(job)
        if parsed is None:
            return None
        pid, since = parsed
        if not processes.alive(pid, since):
            return None
        try:
            return psutil.Process(pid)
        except psutil.Error:
            return None

    def terminate_job(self, job):
        """End the job's process and its children (Dash calls this after fetching a result,
        and to cancel); the reaper then knows it was no accident."""
        import psutil

        proc = self._process(job)
        if proc is None:
            return
        self.handle.set(_ENDED + str(job), True)
        with self.handle.transact():
            try:
                family = proc.children(recursive=True) + [proc]
            except psutil.Error:  # it has just ended by itself
                return
            for member in family:
                try:
                    member.kill()
                except psutil.Error:
                    pass
            try:
                proc.wait(1)
            except (psutil.Error, ChildProcessError):
                pass

    def terminate_unhealthy_job(self, job):
        if self._process(job) is not None and not self.job_running(job):
            self.terminate_job(job)
            return True
        return False

    def job_running(self, job):
        """The job's process runs, or it ended and its reaper (in a live worker) is not
        done yet: the page keeps asking until the result or the message is there."""
        import psutil

        proc = self._process(job)
        try:
            if proc is not None and proc.status() != psutil.STATUS_ZOMBIE:
                return True
        except psutil.Error:
            pass
        reaper = self.handle.get(_REAPING + str(job))
        return bool(reaper) and processes.alive(*reaper)


def celery_manager(celery_app, ttl: int):
    """A ``CeleryManager`` for ``celery_app`` (see :class:`QueuedCeleryManager`)."""
    return QueuedCeleryManager(celery_app, ttl)


class QueuedCeleryManager(_Owned, dash.CeleryManager):
    """Background jobs as Celery tasks; results in Redis, expiring after ``ttl``."""

    def __init__(self, celery_app, ttl: int):
        celery_app.conf.result_expires = ttl
        self.ttl = ttl
        super().__init__(celery_app)

    def call_job_fn(self, key, job_fn, args, context):
        return super().call_job_fn(key, job_fn, args, self._with_owner(context))

    def put_claim(self, name: str, value: str) -> None:
        self.handle.backend.client.set(name, value, ex=self.ttl)

    def get_claim(self, name: str) -> str | None:
        value = self.handle.backend.client.get(name)
        return value.decode() if isinstance(value, bytes) else value

    def drop_claim(self, name: str) -> None:
        self.handle.backend.client.delete(name)

    def get_or_create_signing_secret(self, generate):
        """Kept in Redis without expiry (the results expire, the secret must not)."""
        client = self.handle.backend.client
        client.set(SECRET_KEY, generate() or secrets.token_bytes(32), nx=True)
        return client.get(SECRET_KEY)
