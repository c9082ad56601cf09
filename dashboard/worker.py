"""The Celery app of the jobs, for the worker: ``make worker`` runs

    celery -A dashboard.worker worker --concurrency=N

with the same ``REDIS_URL``, ``DATABASE_URL`` and ``EXPORT_*`` settings as the app
servers. Importing this module registers the app's jobs (the meeting packs of a view and
of a meeting, :class:`dashboard.jobs.OwnedJobs`) as this Celery app's tasks, so the worker
runs exactly the code the app submits.
"""

from __future__ import annotations

from dashboard.jobs import get_celery

app = get_celery()

from dashboard.web.components import export, meeting  # noqa: E402,F401 - registers the jobs

celery = app
