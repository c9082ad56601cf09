"""People and rights: accounts, sign-in, roles per agreement and cluster, the one check.

The way in for the rest of the app:

* :func:`install` (``create_app``): the gate every request passes, the sign-in routes,
  cookies, single sign-on (:mod:`.web`, :mod:`.oidc`).
* :func:`guard` on every callback and route that needs more than a signed-in person, and
  ``dash.register_page(..., rights=...)`` on pages that do (:mod:`.guard`).
* :func:`view_for`: the one function pages, presentations and downloads call to load a view
  for the person asking; "no such agreement" and "not yours" are both ``None``.
* :func:`current_rights` / :func:`current_user`, and :func:`cache_scope` for the keys of
  anything cached per view or per portfolio (what one person may see, so that a cached
  answer never reaches someone who may see less).
* :func:`record` (the audit log, actor and address from the request).

Roles and what they allow are in :mod:`.rights`; the SQL is in :mod:`.store`; the command
line's ``users`` in :mod:`.cli`.
"""

from __future__ import annotations

from flask import current_app

from dashboard.web.auth.guard import NotAllowed, Rule, guard, path_scope, view_scope
from dashboard.access.identity import User, client_address, current_rights, current_user
from dashboard.people.rights import ADMIN, IMPORT, SEE, SIGNED_IN, WRITE, Rights
from dashboard.web.auth.signin import check_bind, install

__all__ = ["ADMIN", "IMPORT", "SEE", "SIGNED_IN", "WRITE", "NotAllowed", "Rights", "Rule",
           "User", "cache_scope", "check_bind", "current_rights", "current_user", "guard",
           "install", "path_scope", "record", "require", "view_for", "view_scope"]


def view_for(agreement_id: str | None, period: str | None = None,
             cluster_id: str | None = None, breakdown: str | None = None, lang: str = "sv"):
    """The view of an agreement (or one cluster) for the person asking, or ``None`` when it
    does not exist or is not theirs to see (the same answer, on purpose)."""
    from dashboard.model.view import build_view

    rights = current_rights()
    if not agreement_id or not rights.sees(agreement_id, cluster_id):
        return None
    view = build_view(current_app.config["DASHBOARD_ENGINE"], agreement_id, period,
                      cluster_id, breakdown, lang)
    if view is not None:
        view.agreement_visible = rights.sees_agreement(agreement_id)
    return view


def require(need: str, agreement_id: str | None = None, cluster_id: str | None = None) -> None:
    """Raise :class:`NotAllowed` unless the person asking may ``need`` on this agreement."""
    if not current_rights().may(need, agreement_id, cluster_id):
        raise NotAllowed(need)


def cache_scope() -> str:
    """What the person asking may see, as a part of a cache key (``all`` for admins)."""
    return current_rights().key()


def record(action: str, **kw) -> None:
    """An audit entry for the person asking (their login, their address)."""
    from dashboard.people import audit
    from dashboard.access.identity import state

    user = current_user()
    audit.record(state().engine, action, actor=user.actor if user else "?",
                 address=client_address(), **kw)
