"""The web server's armour, wired once by :func:`dashboard.web.app.create_app`.

:mod:`.security`: security headers on every response, trusted proxies.
:mod:`.errors`: a 400 page or message for requests the app cannot read, a 503 page that
reloads itself while the database is out of reach, a message instead of a 500 from any
callback. :mod:`.server`: the development server without a ``Server`` header.
"""

from __future__ import annotations

from dash import Dash

from dashboard.config import Settings
from dashboard.web import errors, security
from dashboard.web.errors import callback_error

__all__ = ["callback_error", "install"]


def install(app: Dash, settings: Settings) -> None:
    """Add the headers and the error handling to ``app``."""
    security.install(app, settings)
    errors.install(app)
