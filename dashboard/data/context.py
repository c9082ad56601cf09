"""The running app's engine and settings.

:func:`dashboard.web.app.create_app` opens the one engine (:func:`dashboard.data.db.make_engine`
through :func:`dashboard.data.startup.open_database`) and keeps it with the settings on the
Flask app (:func:`keep`); pages, callbacks, routes, the access check and the warmer read them
here (:func:`engine` and :func:`settings` in a request, :func:`engine_of` and
:func:`settings_of` with the server at hand), never make their own.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy.engine import Engine

from dashboard.config import Settings

ENGINE_KEY = "DASHBOARD_ENGINE"
SETTINGS_KEY = "DASHBOARD_SETTINGS"


def keep(server: Flask, engine: Engine, settings: Settings) -> None:
    """Keep the app's engine and settings on its server (``create_app``)."""
    server.config[ENGINE_KEY] = engine
    server.config[SETTINGS_KEY] = settings


def engine_of(server: Flask) -> Engine:
    return server.config[ENGINE_KEY]


def settings_of(server: Flask) -> Settings | None:
    return server.config.get(SETTINGS_KEY)


def engine() -> Engine:
    """The database engine of the running app (in a request)."""
    return engine_of(current_app)


def settings() -> Settings:
    """The settings of the running app (in a request)."""
    return current_app.config[SETTINGS_KEY]
