"""gunicorn settings for serving a team: ``make serve`` (see README, "Running for a team").

Every setting can be changed on the command line or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8050')}"
workers = int(os.environ.get("WORKERS", min(4, multiprocessing.cpu_count() * 2 + 1)))
# Load the app once in the master (schema and demo data are set up once), then fork.
preload_app = True
# A page draws from one agreement's rows in well under a second; imports run in the CLI.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
errorlog = "-"


def post_fork(server, worker):
    """Database connections must not cross a fork: each worker starts with an empty pool."""
    flask_app = worker.app.wsgi()
    engine = getattr(flask_app, "config", {}).get("DASHBOARD_ENGINE")
    if engine is not None:
        engine.dispose(close=False)
