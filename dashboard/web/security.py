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

* ``Cache-Control: no-store`` on everything but the static files (``/assets/``, Dash's
  component bundles, the favicon): pages, callbacks (figures, downloads, the pack), the
  sign-in forms, routes. What one person may see is never kept by a browser or a proxy
  for the next one.
* **Odd paths are 404** before anything else reads them: a path as sent with an encoded
  ``.``, ``/``, ``\\``, ``%`` or NUL (``..%2f``, ``%2e%2e``, ``%5c``, ``%00``, ``%252f``), a
  ``.`` or ``..`` segment, a backslash, a control character or bytes that are not UTF-8
  (:func:`odd_path`); Dash's component bundles answer 404 for a file they do not serve.
* **No version** (:class:`QuietDash`): the page's config names no Dash, Python or Plotly
  version (unless the dev tools are shown: ``python app.py --debug``), and the bundles,
  assets and favicon it links carry a hash of their content instead of Dash's
  ``.v<version>m<mtime>``, ``?v=<version>`` and ``?m=<mtime>``.

The ``Server`` header is the web server's: ``python app.py`` and gunicorn (see
``gunicorn.conf.py`` and :mod:`dashboard.web.server`) send none.
"""

from __future__ import annotations

import hashlib
import json
import pkgutil
import re
from pathlib import Path

from dash import Dash
from dash.fingerprint import build_fingerprint, check_fingerprint
from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.config import Settings
from dashboard.data.startup import StartupError
from dashboard.i18n import _
from dashboard.web.errors import _request_lang, error_page

HSTS = "max-age=31536000"
PRESENTATION_PREFIX = "present/"
# What a browser may keep: files that are the same for everyone (the rest is no-store).
STATIC_PREFIXES = ("assets/", "_dash-component-suites/", "_favicon.ico")
# In a path as sent: an encoded dot, slash, backslash, percent sign or NUL.
_ENCODED = re.compile(r"%(2e|2f|5c|25|00)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")
# The page config's keys that name versions (Dash's dev tools show them).
VERSION_KEYS = ("dash_version", "python_version", "plotly_version", "ddk_version",
                "dash_version_url")

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


def odd_path(raw_path: str, path: str) -> bool:
    """A path no page, route or file of the app has: ``raw_path`` as the client sent it
    (before decoding; empty when the server does not say), ``path`` as WSGI decoded it
    (``PATH_INFO``: bytes as latin-1)."""
    if _ENCODED.search(raw_path) or _CONTROL.search(path) or _ENCODED.search(path):
        return True
    if any(part in (".", "..") for part in path.split("/")):
        return True
    try:
        path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return True
    return False


class QuietDash(Dash):
    """Dash whose page names no version: the config without :data:`VERSION_KEYS` (kept
    while Dash's dev tools are shown, which read them), and every bundle, asset and the
    favicon linked with a hash of its content where Dash writes its version or the file's
    time (``.v4_4_1m1796590606.min.js``, ``?v=4.4.1``, ``?m=1796603162.2``)."""

    _LINK = re.compile(r'((?:src|href)=")([^"]+)(")')

    def interpolate_index(self, **kwargs):
        for key in ("css", "scripts", "favicon"):
            if kwargs.get(key):
                kwargs[key] = self._LINK.sub(
                    lambda m: m.group(1) + self.hashed_url(m.group(2)) + m.group(3),
                    kwargs[key])
        if kwargs.get("config") and not self._dev_tools.ui:
            kwargs["config"] = without_versions(kwargs["config"])
        return super().interpolate_index(**kwargs)

    def hashed_url(self, url: str) -> str:
        """``url`` with a hash of the file's content for Dash's fingerprint (unchanged
        when it is not one of the app's files)."""
        cache = self.__dict__.setdefault("_content_hashes", {})
        if url not in cache:
            cache[url] = self._content_url(url)
        return cache[url]

    def _content_url(self, url: str) -> str:
        prefix = self.config.requests_pathname_prefix
        path, _sep, query = url.partition("?")
        if not path.startswith(prefix):
            return url
        local = path[len(prefix):]
        try:
            if local.startswith("_dash-component-suites/"):
                namespace, _sep, fingerprinted = local.split("/", 1)[1].partition("/")
                name, has_fingerprint = check_fingerprint(fingerprinted)
                data = pkgutil.get_data(namespace, name) if has_fingerprint else None
                if data is None:
                    return url
                digest = hashlib.sha256(data).hexdigest()
                return f"{prefix}_dash-component-suites/{namespace}/" + \
                    build_fingerprint(name, digest[:8], digest[8:20])
            if local == "_favicon.ico":
                data = pkgutil.get_data("dash", "favicon.ico") or b""
            elif local.startswith("assets/") and query:
                data = (Path(self.config.assets_folder) / local[len("assets/"):]).read_bytes()
            else:
                return url
        except (OSError, ImportError, ValueError):
            return url
        return f"{path}?h={hashlib.sha256(data).hexdigest()[:20]}"


def without_versions(config_html: str) -> str:
    """Dash's ``<script id="_dash-config" type="application/json">`` without versions."""
    start, end = config_html.find(">") + 1, config_html.rfind("</script>")
    try:
        config = json.loads(config_html[start:end])
    except ValueError:
        return config_html
    for key in VERSION_KEYS:
        config.pop(key, None)
    config["disable_version_check"] = True
    text = json.dumps(config, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return config_html[:start] + text + config_html[end:]


def install(app: Dash, settings: Settings) -> None:
    """Add the headers to every response of ``app``; trust ``settings.trusted_proxies``;
    refuse odd paths."""
    server: Flask = app.server
    framers = frame_sources(settings.frame_ancestors)
    if settings.trusted_proxies > 0:
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    prefix = app.config.routes_pathname_prefix
    static = tuple(prefix + p for p in STATIC_PREFIXES)
    cache: dict[tuple, str] = {}

    @server.before_request
    def refuse_odd_paths():
        # As sent (gunicorn: RAW_URI, Werkzeug: REQUEST_URI), and as decoded.
        raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
        if odd_path(raw.split("?", 1)[0], request.environ.get("PATH_INFO", "")):
            return not_found(app)
        if request.path.startswith(prefix + "_dash-component-suites/") and \
                not serves_bundle(app, request.path[len(prefix):]):
            return not_found(app)
        return None

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
        if not request.path.startswith(static):
            headers["Cache-Control"] = "no-store"
        return response


def serves_bundle(app: Dash, local: str) -> bool:
    """Dash serves ``_dash-component-suites/<package>/<file>`` (a file it registered)."""
    parts = local.split("/", 2)
    if len(parts) != 3 or not parts[2]:
        return False
    name, _fingerprinted = check_fingerprint(parts[2])
    return name in app.registered_paths.get(parts[1], ())


def not_found(app: Dash) -> Response:
    """The 404 page in the app's look (no script, no database)."""
    lang = _request_lang()
    return error_page(app, 404, _("ui.not_found", lang), _("ui.not_found_text", lang), lang)
