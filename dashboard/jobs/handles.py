"""Jobs that belong to the person who asked for them: a handle bound to its owner.

A job (a meeting pack) is started in a request by :meth:`OwnedJobs.start`, which gives the
page a *handle*: ``secrets.token_urlsafe(32)``, unguessable. The page keeps it in a
``dcc.Store`` and sends it back in the JSON body of each poll, never in an address (an
address stands in every access log, a proxy's too). The server keeps no handle: under the
handle's SHA-256 it keeps a *claim*: who asked (:func:`~.identity.current_owner`), what
the job is about (a need of :mod:`dashboard.access` and the ``(agreement, cluster)``
scopes it needs it on), and the job's id; it expires ``EXPORT_RESULT_TTL`` seconds after
its owner last asked.

Every look at a job (:meth:`OwnedJobs.look`: its place, its progress, its result) is
refused unless the claim is the asker's and their rights *now* still allow the need on
every scope: a handle replayed by someone else, or kept by someone whose role has since
been revoked, reads nothing and ends nothing; the owner still gets theirs.

The jobs run through the managers of :mod:`.manager` (a process of this machine, or a
Celery task with ``REDIS_URL``), which bound the results' size and lifetime.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dashboard.access import NotAllowed, current_rights
from dashboard.jobs.identity import current_owner
from dashboard.jobs.manager import OWNER_KEY

HANDLE_BYTES = 32
_CLAIM = "samverkan-job-claim:"


class UnknownJob(NotAllowed):
    """No job of the asker's under this handle (none at all, expired, or someone else's:
    the same answer, on purpose)."""


def handle_of(data) -> str | None:
    """The handle in what a page sends (``{"job": handle, ...}`` or the handle itself)."""
    value = data.get("job") if isinstance(data, dict) else data
    if isinstance(value, str) and 20 <= len(value) <= 100 and \
            value.replace("-", "").replace("_", "").isalnum():
        return value
    return None


def _key(handle: str) -> str:
    return hashlib.sha256(f"samverkan-job:{handle}".encode()).hexdigest()


@dataclass(frozen=True)
class Claim:
    """Whose the job is and what it is about."""

    owner: str
    need: str
    scopes: tuple[tuple[str, str | None], ...]
    job: str
    started: float
    meta: dict

    def to_json(self) -> str:
        return json.dumps({"owner": self.owner, "need": self.need,
                           "scopes": [list(s) for s in self.scopes], "job": self.job,
                           "started": self.started, "meta": self.meta})

    @classmethod
    def from_json(cls, text) -> Claim | None:
        try:
            d = json.loads(text)
            return cls(d["owner"], d["need"], tuple((a, c) for a, c in d["scopes"]),
                       str(d["job"]), float(d["started"]), dict(d.get("meta") or {}))
        except (TypeError, ValueError, KeyError):
            return None

    def allowed_now(self) -> bool:
        """The asker's current rights allow the need on every scope."""
        rights = current_rights()
        return bool(self.scopes) and all(rights.may(self.need, a, c or None)
                                         for a, c in self.scopes)


@dataclass(frozen=True)
class Look:
    """What a poll sees: ``running`` (with the latest ``progress``, or ``None``),
    ``done`` (with the ``result``) or ``lost`` (the job ended without one)."""

    state: str
    progress: Sequence | None = None
    result: object = None


class OwnedJobs:
    """One kind of job (``name``: the meeting pack of a view, a meeting's pack), run by
    ``manager``. ``fn(set_progress, *args)`` is the job; ``lost(*args)``, if given, what
    its result is when its process dies (the reaper of :mod:`.manager` writes it)."""

    def __init__(self, manager, name: str, fn: Callable, lost: Callable | None = None):
        if lost is not None:
            fn.job_lost = lost
        self.manager = manager
        self.name = name
        # Celery: registers the task "background_callback_<name>" in the app and the worker.
        self.job_fn = manager.make_job_fn(fn, True, name)

    def start(self, args: tuple, need: str, scopes: list[tuple[str, str | None]],
              meta: dict | None = None) -> str:
        """Start the job for the person asking; its handle (the page's to keep)."""
        handle = secrets.token_urlsafe(HANDLE_BYTES)
        key = _key(handle)
        owner = current_owner()
        job = self.manager.call_job_fn(key, self.job_fn, list(args), {OWNER_KEY: owner})
        claim = Claim(owner, need, tuple((a, c) for a, c in scopes), str(job), time.time(),
                      meta or {})
        self.manager.put_claim(_CLAIM + key, claim.to_json())
        return handle

    def claim(self, data) -> Claim:
        """The claim of the handle in ``data`` if it is the asker's, else
        :class:`UnknownJob`. Their rights are not checked here (:meth:`look` does)."""
        handle = handle_of(data)
        text = self.manager.get_claim(_CLAIM + _key(handle)) if handle else None
        found = Claim.from_json(text) if text else None
        if found is None or not secrets.compare_digest(found.owner, current_owner()):
            raise UnknownJob(self.name)
        # Kept while its owner asks: a job that waits long for its turn keeps its claim.
        self.manager.put_claim(_CLAIM + _key(handle), text)
        return found

    def scopes(self, data) -> list[tuple[str, str | None]]:
        """What the asker's job is about (for the guard of the poll); raises
        :class:`UnknownJob` when it is not the asker's."""
        return list(self.claim(data).scopes)

    def look(self, data) -> Look:
        """The job's state for its owner, their rights checked now (:class:`NotAllowed`
        otherwise). The result is handed out once, then forgotten."""
        claim = self.claim(data)
        if not claim.allowed_now():
            raise NotAllowed(claim.need)
        key = _key(handle_of(data))
        undefined = self.manager.UNDEFINED
        progress = self.manager.get_progress(key)
        result = self.manager.get_result(key, claim.job)
        if result is undefined:
            if self.manager.job_running(claim.job):
                return Look("running", progress)
            result = self.manager.get_result(key, claim.job)  # written as it ended
            if result is undefined:
                self.manager.drop_claim(_CLAIM + key)
                return Look("lost")
        self.manager.drop_claim(_CLAIM + key)
        return Look("done", result=result)
