"""WSGI entry for a production server: ``gunicorn -c gunicorn.conf.py dashboard.wsgi:server``.

The app is created once (gunicorn preloads it, see gunicorn.conf.py), with the database
from ``DATABASE_URL``; each worker then opens its own connections.
"""

from .app import create_app

app = create_app()
server = app.server
