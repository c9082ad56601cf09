"""gunicorn settings for serving a team: ``make serve`` (see README, "Running for a team").

Every setting can be changed on the command line or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

from gunicorn.http import wsgi as _gunicorn_wsgi

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WORKERS", min(4, multiprocessing.cpu_count() * 2 + 1)))
# Load the app once in the master (schema and demo data are set up once), then fork.
preload_app = True
# A page draws from one agreement's rows in well under a second; imports run in the CLI.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# The access log has every request's address and query string: nothing secret may stand
# there (a job's handle travels in the body of its polls: dashboard/jobs/handles.py).
accesslog = "-"
errorlog = "-"
# Which X-Forwarded-* headers to believe is the app's decision (TRUSTED_PROXIES, see
# dashboard/web/security.py), not gunicorn's: by default gunicorn would take
# X-Forwarded-Proto from any local process as proof of HTTPS.
secure_scheme_headers = {}


def _without_server_header(response):
    """gunicorn's default headers minus ``Server: gunicorn``: nothing needs to know."""
    return [h for h in _default_headers(response) if not h.lower().startswith("server:")]


# gunicorn has no setting for it; where its internals differ, its header stays.
_default_headers = getattr(_gunicorn_wsgi.Response, "default_headers", None)
if _default_headers is not None:
    _gunicorn_wsgi.Response.default_headers = _without_server_header


def post_fork(server, worker):
    """Database connections must not cross a fork: each worker starts with an empty pool."""
    flask_app = worker.app.wsgi()
    engine = getattr(flask_app, "config", {}).get("DASHBOARD_ENGINE")
    if engine is not None:
        engine.dispose(close=False)


def on_starting(server):
    """The app never serves without sign-in beyond this machine: where gunicorn really
    binds (``--bind`` may differ from ``HOST``) decides, before any worker starts."""
    import sys

    from dashboard.web.auth import check_bind

    flask_app = server.app.wsgi()
    hosts = [a[0] for a in server.cfg.address if isinstance(a, tuple)]
    problem = check_bind(flask_app, hosts)
    if problem:
        print(problem, file=sys.stderr, flush=True)
        sys.exit(1)


def when_ready(server):
    """Beside the workers, one process computes the views users open first at every new
    data version, at a lower priority (dashboard/store/warm.py; ``WARM_CACHE=0``: none)."""
    from dashboard.store.warm import start_process

    start_process(server.app.wsgi())
