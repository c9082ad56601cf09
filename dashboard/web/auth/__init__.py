"""Sign-in on the web and the guard of every page, callback and download.

* :func:`install` (``create_app``): the gate every request passes, the sign-in routes,
  cookies, single sign-on (:mod:`.signin`, :mod:`.oidc`).
* :func:`guard` on every callback and route that needs more than a signed-in person, and
  ``dash.register_page(..., rights=...)`` on pages that do (:mod:`.guard`).

What a person may see and do is answered below, in :mod:`dashboard.access`; this package
re-exports it so that a page needs one import.
"""

from __future__ import annotations

from dashboard.access import (
    ADMIN,
    IMPORT,
    SEE,
    SIGNED_IN,
    WRITE,
    NotAllowed,
    Rights,
    User,
    cache_scope,
    client_address,
    current_rights,
    current_user,
    record,
    require,
    view_for,
)
from dashboard.web.auth.guard import Rule, guard, path_scope, view_scope
from dashboard.web.auth.signin import check_bind, install

__all__ = ["ADMIN", "IMPORT", "SEE", "SIGNED_IN", "WRITE", "NotAllowed", "Rights", "Rule",
           "User", "cache_scope", "check_bind", "client_address", "current_rights",
           "current_user", "guard",
           "install", "path_scope", "record", "require", "view_for", "view_scope"]
