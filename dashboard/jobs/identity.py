"""Who is asking for a job: the one function to replace when the app gets sign-in.

Today the user is the browser session: a random id in a cookie of its own
(``samverkan_jobs``, HttpOnly, SameSite=Lax, Secure over HTTPS), set on the first
request that needs it. Nothing else is kept about the user. The id only decides whose turn
a job takes and that a user has one job at a time; results are fetched through Dash's
signed handles, never by this id, so a forged cookie gets nobody's files.

When ``dashboard/auth/`` gives the app a signed-in user, ``current_owner`` returns that
user's id instead (``"user:<id>"``), and nothing else changes.
"""

from __future__ import annotations

import secrets

COOKIE = "samverkan_jobs"
COOKIE_AGE = 30 * 86_400


def current_owner() -> str:
    """The id of who asks in this request (``"session:<random>"``); ``"local"`` outside a
    request (the command line, a test calling a job directly)."""
    from flask import after_this_request, has_request_context, request

    if not has_request_context():
        return "local"
    known = request.cookies.get(COOKIE, "")
    if 16 <= len(known) <= 64 and known.replace("-", "").replace("_", "").isalnum():
        return f"session:{known}"
    fresh = getattr(request, "_samverkan_owner", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(18)
        request._samverkan_owner = fresh

        @after_this_request
        def remember(response):
            response.set_cookie(COOKIE, fresh, max_age=COOKIE_AGE, httponly=True,
                                samesite="Lax", secure=request.is_secure, path="/")
            return response

    return f"session:{fresh}"
