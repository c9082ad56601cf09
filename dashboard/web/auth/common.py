"""What the sign-in routes share: the language a request asks for, and where to go after
signing in."""

from __future__ import annotations

import dash
from flask import request

from dashboard.i18n import lang_of


def request_lang() -> str:
    value = request.values.get("lang") if request.method == "POST" and \
        request.mimetype == "application/x-www-form-urlencoded" else request.args.get("lang")
    return lang_of(value)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: an address of this app (with its prefix), nothing
    else (no other site, no scheme)."""
    home = dash.get_relative_path("/")
    if not value or not value.startswith(home) or value.startswith(("//", "/\\")) \
            or any(c in value for c in "\r\n\t\\"):
        return home
    return value
