"""What every page's header shows of the person signed in: their name, opening a menu of
the pages their roles open (upload for stewards, administration for admins) and a sign-out
button; and, for the local administrator (no account yet), a note saying so."""

from __future__ import annotations

import dash
from dash import dcc, html
from flask import has_request_context, session

from dashboard.web.components.links import href
from dashboard.access.identity import current_user
from dashboard.people.rights import ADMIN, IMPORT
from dashboard.access.texts import tt


def header_items(lang: str) -> list:
    """The header's part for the person asking (nothing outside a request)."""
    user = current_user() if has_request_context() else None
    if user is None:
        return []
    rights = user.rights
    links = []
    if rights.may(IMPORT) or rights.agreements_with(IMPORT):
        links.append(dcc.Link(tt("upload", lang), href=href("/upload", lang=lang),
                              className="user-link", id="upload-link"))
    if rights.may(ADMIN):
        links.append(dcc.Link(tt("admin", lang), href=href("/admin", lang=lang),
                              className="user-link", id="admin-link"))
    name = tt("local_admin_name", lang) if user.local else user.name
    items = list(links)
    if not user.local and user.via != "header":
        items.append(html.Form([
            dcc.Input(type="hidden", name="csrf_token", value=session.get("csrf", "")),
            dcc.Input(type="hidden", name="lang", value=lang),
            html.Button(tt("sign_out", lang), type="submit", className="sign-out-button",
                        id="sign-out-button"),
        ], method="POST", action=dash.get_relative_path("/logout"), className="sign-out-form"))
    # A menu under the person's name: the header stays one line on a 1024 px projector.
    summary = html.Summary([html.Span(name, className="user-name", id="user-name"),
                            html.Span(" ▾", **{"aria-hidden": "true"})],
                           className="user-summary", title=tt("signed_in_as", lang, name=name))
    return [html.Details([summary, html.Div(items, className="user-menu")],
                         className="user-area", id="user-area")]


def banner(lang: str):
    """The local administrator's note (``make run`` before the first account)."""
    user = current_user() if has_request_context() else None
    if user is None or not user.local:
        return None
    return html.Div(tt("local_admin_banner", lang), className="local-admin-banner",
                    id="local-admin-banner", role="note")
