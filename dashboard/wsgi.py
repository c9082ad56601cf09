"""WSGI entry for a production server: ``gunicorn -c gunicorn.conf.py dashboard.wsgi:server``.

The app is created once (gunicorn preloads it, see gunicorn.conf.py), with the database
from ``DATABASE_URL``; each worker then opens its own connections. A database that cannot
be used stops gunicorn with one line saying what to do (exit code 1), not a traceback.
"""

import sys

from dashboard.web.app import create_app
from dashboard.data.startup import StartupError

try:
    app = create_app()
except StartupError as exc:
    print(exc, file=sys.stderr, flush=True)
    sys.exit(exc.exit_code)
server = app.server
