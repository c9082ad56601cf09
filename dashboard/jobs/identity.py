"""Who is asking for a job.

The person signed in (:mod:`dashboard.access`): ``"user:<account id>"`` (``"user:<login>"``
for a proxy's header, which has no account row). For the local administrator (anyone on
this computer before the first account) and without a signed-in person it is the browser
session: a random id in a cookie of its own (``samverkan_jobs``,
HttpOnly, SameSite=Lax, Secure over HTTPS), set on the first request that needs it. The
id decides whose turn a job takes, that a person has one job at a time, and whose a job
is (:mod:`.handles`): a job's result is handed out only to a request with both its handle
and this owner, so neither a forged cookie nor a replayed handle alone gets anyone's
files.
"""

from __future__ import annotations

import secrets

from dashboard.access import current_user

COOKIE = "samverkan_jobs"
COOKIE_AGE = 30 * 86_400


def current_owner() -> str:
    """The id of who asks in this request (``"user:<id>"``, else ``"session:<random>"``);
    ``"local"`` outside a request (the command line, a test calling a job directly)."""
    from flask import after_this_request, has_request_context, request

    if not has_request_context():
        return "local"

    try:
        user = current_user()
    except Exception:  # noqa: BLE001 - an app without the sign-in installed (unit tests)
        user = None
    if user is not None and not user.local:
        return f"user:{user.account_id if user.account_id is not None else user.login}"
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
