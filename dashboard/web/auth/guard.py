"""The one check: :func:`guard` declares what a callback or a route needs, and the same
rule is enforced for every request.

* On a **callback**, ``@guard(need, scope=...)`` (under ``@callback``) attaches a
  :class:`Rule`. Every ``POST /_dash-update-component`` is checked *before Dash runs it*
  (:func:`check_callback`, called by the gate in :mod:`.web`): the callback's rule is
  evaluated with the request's own inputs and state, for the person signed in. This covers
  background callbacks (the meeting pack), whose function runs in a job process with no
  request: their start and every poll are checked in the request (the meeting pack is a
  job of its owner, :class:`dashboard.jobs.OwnedJobs`: its poll's scope is read from the
  job's claim, so only the owner, with their rights now, is answered). A server-side callback
  without a rule is refused (fail closed), and a test makes sure none is left without one.
* On a **route** (a Flask view), ``@guard(need)`` checks when the view is called.
* Inside a guarded function, an object-level refusal (an import of another agreement)
  raises :class:`NotAllowed`; the guard turns it into the same answer as "not found".

``need`` is one of :data:`.rights.NEEDS`; ``scope(*inputs_and_state)`` returns the
``(agreement_id, cluster_id)`` the call is about (or a list of them, all required). Without
a ``scope``, ``see``/``write``/``import`` mean "on at least one agreement". ``audit`` names
the audit log's action for a call a person started (a click, not a poll or a component
appearing), recorded with the scope's ids once the callback has answered
(:func:`record_done`); a click whose button id holds a value no page sends is refused
(:func:`audit_entry`).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import dash
from flask import Response, g, has_request_context, request

from dashboard.access import NotAllowed
from dashboard.access.identity import User, client_address, current_user, state
from dashboard.data import repository
from dashboard.export.images import IMAGE_FORMATS
from dashboard.figures.panels import PANEL_KEYS
from dashboard.i18n import _, lang_of
from dashboard.people import audit
from dashboard.people.rights import ADMIN, IMPORT, NEEDS, SEE, SIGNED_IN, WRITE
from dashboard.web.errors import _callback_lang, _request_lang, error_page
from dashboard.web.ids import Ids

log = logging.getLogger(__name__)

AUTH_RULE = "_auth_rule"
ROUTER_OUTPUT = "_pages_content.children"
ALERT_CLASS = "app-alert alert alert-warning m-3"

__all__ = ["ADMIN", "IMPORT", "SEE", "SIGNED_IN", "WRITE", "NotAllowed", "Rule", "guard"]


@dataclass(frozen=True)
class Rule:
    need: str
    scope: Callable | None = None
    audit: str | None = None
    unknown: int = 200  # the status when the scope cannot be read (someone else's job)

    def __post_init__(self):
        if self.need not in NEEDS:
            raise ValueError(f"unknown need {self.need!r}")

    def scopes(self, args) -> list[tuple[str, str | None]] | None:
        """What the call is about; ``None`` when the scope cannot be read (refused)."""
        try:
            found = self.scope(*args)
        except Exception:  # noqa: BLE001 - crafted arguments: not allowed
            return None
        items = found if isinstance(found, list) else [found]
        good = [i for i in items if isinstance(i, tuple) and len(i) == 2
                and isinstance(i[0], str) and i[0] and (i[1] is None or isinstance(i[1], str))]
        return good if good and len(good) == len(items) else None

    def allows(self, user: User | None, args=()) -> bool:
        if user is None:
            return False
        rights = user.rights
        if self.need in (SIGNED_IN, ADMIN):
            return rights.may(self.need)
        if self.scope is None:
            return rights.admin or bool(rights.agreements_with(self.need)) or \
                (self.need == SEE and bool(rights.clusters))
        scopes = self.scopes(args)
        return scopes is not None and all(rights.may(self.need, a, c or None)
                                          for a, c in scopes)


def view_scope(state_data) -> tuple[str, str | None] | None:
    """The scope of a view's state (``{"agreement": ..., "cluster": ...}``)."""
    if not isinstance(state_data, dict):
        return None
    cluster = state_data.get("cluster")
    return (state_data.get("agreement"), cluster if cluster else None)


def path_scope(pathname, search=None) -> tuple[str, str | None] | None:
    """The scope of an address of the app: ``/agreements/A``, ``/agreements/A/clusters/C``
    or ``/present/A?cluster=C``."""
    from urllib.parse import parse_qs, unquote

    if not isinstance(pathname, str):
        return None
    parts = [unquote(p) for p in (dash.strip_relative_path(pathname) or "").split("/")]
    if len(parts) == 2 and parts[0] == "agreements":
        return (parts[1], None)
    if len(parts) == 4 and parts[0] == "agreements" and parts[2] == "clusters":
        return (parts[1], parts[3])
    if len(parts) == 2 and parts[0] == "present":
        cluster = parse_qs((search or "").lstrip("?")).get("cluster") \
            if isinstance(search, str) else None
        return (parts[1], cluster[-1] if cluster else None)
    return None


def guard(need: str = SEE, scope: Callable | None = None, audit: str | None = None,
          unknown: int = 200):
    """Declare (and enforce) what a callback or route needs; see the module's text.
    ``unknown``: the status of the refusal when ``scope`` cannot be read (a job's poll
    with a handle that is not the asker's: 404, and nothing else happens)."""
    rule = Rule(need, scope, audit, unknown)

    def wrap(fn):
        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            if has_request_context() and not g.get("auth_checked"):
                # Not through the request check (a Flask route): check here.
                if not rule.allows(current_user(), args):
                    return refuse()
            try:
                return fn(*args, **kwargs)
            except NotAllowed:
                return refuse()

        setattr(guarded, AUTH_RULE, rule)
        return guarded

    return wrap


def rule_of(fn) -> Rule | None:
    """The rule attached to a function (through Dash's and functools' wrappers)."""
    while fn is not None:
        rule = getattr(fn, AUTH_RULE, None)
        if rule is not None:
            return rule
        fn = getattr(fn, "__wrapped__", None)
    return None


# --------------------------------------------------------------------------- answers


def _lang(body: dict | None = None) -> str:
    """The language of the page asking: its address's ``lang`` (a callback's ``search``
    input or state, else the referring page's address)."""
    from urllib.parse import parse_qs


    for item in (body or {}).get("inputs", []) + (body or {}).get("state", []):
        if isinstance(item, dict) and item.get("property") == "search" \
                and isinstance(item.get("value"), str):
            values = parse_qs(item["value"].lstrip("?")).get("lang")
            if values:
                return lang_of(values[-1])
    if body is None:
        try:
            return _callback_lang()
        except Exception:  # noqa: BLE001 - no callback context
            pass
    try:
        return _request_lang()
    except RuntimeError:
        return "sv"


def refusal_block(lang: str):
    from dash import dcc, html


    return html.Div([html.P(_("access.refused", lang), className="mb-2"),
                     dcc.Link(_("access.back", lang), href=dash.get_relative_path("/"),
                              className="btn btn-dark btn-sm")],
                    id="refused", lang=lang)


def refuse():
    """Inside a callback (or a job): a message above the page, nothing else changes.
    Inside a route: the not-found page."""
    lang = _lang()
    if has_request_context() and not request.path.endswith("_dash-update-component"):
        return not_found_page(lang)
    dash.set_props(Ids.APP_ALERT, {"children": refusal_block(lang), "className": ALERT_CLASS})
    return dash.no_update


def not_found_page(lang: str) -> Response:

    return error_page(dash.get_app(), 404, _("ui.not_found", lang), _("ui.not_found_text", lang),
                      lang)


def callback_response(block, router: bool, status: int = 200) -> Response:
    """A callback's answer that shows ``block``: as the page (the router) or above it."""
    from plotly.utils import PlotlyJSONEncoder

    if router:
        body = {"multi": True, "response": {"_pages_content": {"children": block}}}
    else:
        body = {"multi": True, "response": {},
                "sideUpdate": {Ids.APP_ALERT.value: {"children": block,
                                                     "className": ALERT_CLASS}}}
    return Response(json.dumps(body, cls=PlotlyJSONEncoder), status=status,
                    mimetype="application/json", headers={"Cache-Control": "no-store"})


# --------------------------------------------------------------------------- callbacks


def _values(items: list) -> list:
    return [[i.get("value") for i in item] if isinstance(item, list) else item.get("value")
            for item in items]


def _triggered_by_person(body: dict) -> dict | None:
    """The id of the input a person changed to a truthy value (a click), or ``None`` (a
    component appearing, a job's poll)."""
    changed = set(body.get("changedPropIds") or [])
    for item in body.get("inputs", []):
        for i in item if isinstance(item, list) else [item]:
            ident = i.get("id")
            key = (json.dumps(ident, sort_keys=True, separators=(",", ":"))
                   if isinstance(ident, dict) else str(ident)) + "." + str(i.get("property"))
            if key in changed and i.get("value"):
                return ident if isinstance(ident, dict) else {"id": ident}
    return None


def check_callback(app: dash.Dash, body: dict, user: User) -> Response | None:
    """Refuse a callback request its rule does not allow (``None``: Dash may run it)."""
    output = body.get("output", "")
    g.auth_checked = True
    if ROUTER_OUTPUT in output:  # the pages' router: each page's layout is guarded
        return None
    entry = app.callback_map.get(output) or {}
    rule = rule_of(entry.get("callback"))
    lang = _lang(body)
    if rule is None:
        log.error("callback %s has no rule (dashboard.web.auth.guard): refused", output)
        return callback_response(refusal_block(lang), router=False)
    args = _values(body.get("inputs", []) + body.get("state", []))
    if not rule.allows(user, args):
        log.info("refused %s to %s", output, user.login)
        status = rule.unknown if rule.scope is not None and rule.scopes(args) is None else 200
        return callback_response(refusal_block(lang), router=False, status=status)
    if rule.audit:
        trigger = _triggered_by_person(body)
        if trigger is not None:
            entry = audit_entry(rule, args, trigger)
            if entry is None:  # a value no page of the app sends: nothing runs or is kept
                log.info("refused %s to %s: a value outside the allowed ones", output,
                         user.login)
                return callback_response(refusal_block(lang), router=False)
            # Kept when the callback has answered with something (not refused, not "no
            # update"): the entry says what the server did, not what it was asked.
            g.audit_pending = {"action": rule.audit, "actor": user.actor,
                               "address": client_address(), **entry}
    return None


def record_done(response: Response) -> Response:
    """After a callback request (Flask's ``after_request``): the audit entry of a click
    the gate checked, when the callback answered (200, not Dash's 204 for "nothing to
    do", not an error)."""
    pending = g.pop("audit_pending", None)
    if pending is not None and response.status_code == 200:
        action = pending.pop("action")
        audit.record(state().engine, action, **pending)
    return response


def audited_values() -> dict[str, frozenset[str]]:
    """The allowed values of each part of a download button's id that the audit log keeps:
    the panels a view draws and the image formats."""
    return {"panel": frozenset(PANEL_KEYS), "format": frozenset(IMAGE_FORMATS)}


def audit_entry(rule: Rule, args, trigger: dict) -> dict | None:
    """The audit entry of a click, from values the server has checked, or ``None`` when the
    browser sent something no page sends (the call is then refused).

    Only the server writes entries, from what it did (issue 17): the agreement and cluster
    are the scope the rights were checked on and must be stored ones; of the button's id
    only ``panel`` and ``format`` are kept, and only when each is one of
    :func:`audited_values`."""
    allowed = audited_values()
    detail = {}
    for key, values in allowed.items():
        if key in trigger:
            value = trigger[key]
            if not isinstance(value, str) or value not in values:
                return None
            detail[key] = value
    scopes = rule.scopes(args) if rule.scope else None
    agreement, cluster = scopes[0] if scopes else (None, None)
    if agreement is not None:
        engine = state().engine
        if repository.get_agreement(engine, agreement) is None:
            return None
        if cluster and cluster not in set(repository.list_clusters(engine, [agreement])
                                          ["cluster_id"]):
            return None
    return {"agreement": agreement, "cluster": cluster, "detail": detail}
