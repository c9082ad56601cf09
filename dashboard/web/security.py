"""Security headers on every response, and which proxies to believe.

* ``Content-Security-Policy``: scripts only from the app itself, plus Dash's inline
  scripts by their hashes (``Dash.csp_hashes()``: the renderer's start and the clientside
  callbacks); styles from the app and inline (plotly.js and React set style attributes,
  dcc's dropdown injects its styles); images, fonts from the app and ``data:``/``blob:``
  (plotly.js draws its modebar and exports through them); no plugins; no ``<base>``;
  forms only to the app; nothing may frame the app (``frame-ancestors 'none'``), except
  that ``FRAME_ANCESTORS`` may name origins allowed to show the presentation
  (``/present/…``, e.g. an office kiosk screen).
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``,
  ``X-Frame-Options`` for browsers that predate ``frame-ancestors``.
* ``Strict-Transport-Security`` only on a request that came over TLS. Behind a reverse
  proxy that terminates TLS, ``TRUSTED_PROXIES=N`` (the number of proxies in front)
  makes the app believe their ``X-Forwarded-For/-Proto/-Host/-Port`` (Werkzeug's
  ``ProxyFix``); without it those headers are ignored, so that nobody can claim HTTPS or
  another address by sending them.

The ``Server`` header is the web server's: ``python app.py`` and gunicorn (see
``gunicorn.conf.py`` and :mod:`dashboard.web.server`) send none.
"""

from __future__ import annotations

import re

from dash import Dash
from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.config import Settings
from dashboard.data.startup import StartupError

HSTS = "max-age=31536000"
PRESENTATION_PREFIX = "present/"

# An origin in frame-ancestors: 'self', a scheme, or [scheme://]host[:port] (wildcards allowed).
_SOURCE = re.compile(r"^('self'|https?:|(https?://)?(\*\.)?[A-Za-z0-9.-]+(:(\d+|\*))?)$")


class SettingError(StartupError):
    """A setting that cannot be used as written (the app does not start)."""


def frame_sources(values: tuple[str, ...]) -> list[str]:
    """``FRAME_ANCESTORS`` checked: each an origin, nothing that could end the directive."""
    bad = [v for v in values if not _SOURCE.match(v)]
    if bad:
        raise SettingError(f"FRAME_ANCESTORS: not an origin: {' '.join(bad)} "
                           "(write e.g. https://kiosk.example.local)")
    return list(values)


def policy(script_hashes: list[str], frame_ancestors: list[str]) -> str:
    """The Content-Security-Policy with these inline-script hashes and framers."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": frame_ancestors or ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install(app: Dash, settings: Settings) -> None:
    """Add the headers to every response of ``app``; trust ``settings.trusted_proxies``."""
    server: Flask = app.server
    framers = frame_sources(settings.frame_ancestors)
    if settings.trusted_proxies > 0:
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    prefix = app.config.routes_pathname_prefix
    cache: dict[tuple, str] = {}

    @server.after_request
    def security_headers(response: Response) -> Response:
        hashes = app.csp_hashes()
        kiosk = bool(framers) and request.path.startswith(prefix + PRESENTATION_PREFIX)
        key = (tuple(hashes), kiosk)
        if key not in cache:
            cache.clear()
            cache[key] = policy(hashes, framers if kiosk else [])
        headers = response.headers
        headers["Content-Security-Policy"] = cache[key]
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        if not kiosk:
            headers["X-Frame-Options"] = "DENY"
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response
