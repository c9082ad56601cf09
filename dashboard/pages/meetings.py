"""``/agreements/<agreement_id>/meetings``: the steering group's meetings of an agreement.

The list (date, period, title, open or closed, how many check-ins, decisions and actions),
and for a member a form to create one (date, period under review, title, attendees). A
viewer reads; anyone else gets the not-found page.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard.web import auth
from dashboard.data import repository
from dashboard.web.components.links import agreement_path, href
from dashboard.web.components.view_page import not_found
from dashboard.i18n import document_title, lang_of, period_label
from dashboard.web.components import meeting as web
from dashboard.meetings.service import MeetingError
from dashboard.meetings.texts import mt
from dashboard.web.components.meeting import wt
from dashboard.domain.periods import parse_period_or_none

# Before the agreement's page (order 2), whose template would take this address too.
dash.register_page(__name__, order=1, path_template="/agreements/<agreement_id>/meetings",
                   title="Möten", name="Möten")

STATE, LIST, MESSAGE, BUTTON = "meetings-state", "meetings-list", "meetings-message", \
    "meeting-create"
FIELDS = ("date", "period", "title", "attendees")


def field_id(name: str) -> str:
    return f"new-meeting-{name}"


def error_id(name: str) -> str:
    return f"new-meeting-{name}-error"


def layout(agreement_id: str | None = None, **query):
    lang = lang_of(query.get("lang"))
    if not agreement_id or "/" in agreement_id or not web.may_see(agreement_id):
        return not_found(query)
    agreement = repository.get_agreement(web.engine(), agreement_id)
    if agreement is None:
        return not_found(query)
    name = agreement.get("name") or agreement_id
    path = f"{agreement_path(agreement_id)}/meetings"
    body = [
        html.H1(f"{mt('meetings_of', lang)}: {name}", className="view-title"),
        html.Div(dcc.Link(wt("back_to_agreement", lang),
                          href=href(agreement_path(agreement_id), lang=lang)),
                 className="mb-2"),
        html.Section([html.H2(mt("meetings", lang)),
                      html.Div(meeting_list(agreement_id, lang), id=LIST)],
                     className="meetings-section"),
    ]
    if web.may_write(agreement_id):
        body.append(create_form(agreement_id, lang))
    else:
        body.append(html.P(mt("read_only", lang), className="muted", id="meetings-read-only"))
    body.append(dcc.Store(id=STATE, data={"agreement": agreement_id, "lang": lang}))
    return web_frame(body, lang, path, [(name, href(agreement_path(agreement_id), lang=lang)),
                                        (mt("meetings", lang), None)],
                     document_title(mt("meetings", lang), name, lang=lang))


def web_frame(body, lang, path, crumbs, title):
    from dashboard.web.components.cards import page_frame

    return page_frame(html.Div(body, className="meeting-page"), lang=lang, path=path,
                      state={"lang": lang}, crumbs=crumbs, title=title)


def meeting_list(agreement_id: str, lang: str):
    from dashboard.meetings import store

    eng = web.engine()
    meetings = list(reversed(store.list_meetings(eng, agreement_id)))
    if not meetings:
        return html.P(mt("no_meetings", lang), className="muted", id="no-meetings")
    counts = store.counts(eng, [m.id for m in meetings])
    head = html.Thead(html.Tr([html.Th(mt("date", lang)), html.Th(mt("period_reviewed", lang)),
                               html.Th(mt("title", lang)), html.Th(wt("status", lang)),
                               html.Th(wt("counts", lang))]))
    rows = []
    for m in meetings:
        c = counts.get(m.id, {})
        period = parse_period_or_none(m.period)
        status = mt("status_closed" if m.closed else "status_open", lang)
        rows.append(html.Tr([
            html.Td(m.held_on),
            html.Td(period_label(period, lang) if period else m.period),
            html.Td(dcc.Link(m.title or wt("meeting_of", lang, date=m.held_on),
                             href=href(f"/meetings/{m.id}", lang=lang),
                             id={"type": "meeting-link", "meeting": m.id})),
            html.Td(status,
                    className="meeting-status " + ("closed" if m.closed else "open")),
            html.Td(f"{c.get('checkins', 0)} · {c.get('decisions', 0)} · "
                    f"{c.get('actions', 0)}", className="num"),
        ], **{"data-meeting": str(m.id)}))
    return html.Table([head, html.Tbody(rows)], className="table meetings-table",
                      id="meetings-table")


def create_form(agreement_id: str, lang: str) -> html.Section:
    from dashboard.model.view import build_view

    view = build_view(web.engine(), agreement_id, None, lang=lang)
    default_period = view.period.text if view is not None else ""

    def field(name, label, control, hint=None):
        return html.Div([
            html.Label(label, htmlFor=field_id(name), className="form-label"),
            control,
            html.Div(hint, className="form-text", id=f"{field_id(name)}-hint") if hint else None,
            html.Div(id=error_id(name), className="field-error", role="alert"),
        ], className="form-field")

    return html.Section([
        html.H2(mt("new_meeting", lang)),
        html.Div([
            field("date", mt("date", lang),
                  dcc.Input(id=field_id("date"), type="text", value=web.today(),
                            className="form-control", maxLength=10),
                  wt("date_hint", lang)),
            field("period", mt("period_reviewed", lang),
                  dcc.Input(id=field_id("period"), type="text", value=default_period,
                            className="form-control", maxLength=40),
                  wt("period_hint", lang)),
        ], className="form-row-2"),
        field("title", mt("title", lang),
              dcc.Input(id=field_id("title"), type="text", value="", className="form-control",
                        maxLength=200)),
        field("attendees", mt("attendees", lang),
              dcc.Textarea(id=field_id("attendees"), value="", className="form-control",
                           rows=3),
              mt("attendees_hint", lang)),
        html.Button(mt("create", lang), id=BUTTON, n_clicks=0, className="btn btn-dark btn-lg"),
        html.Div(id=MESSAGE, role="status", className="mt-2", **{"aria-live": "polite"}),
    ], className="meetings-section new-meeting", id="new-meeting")


@callback(
    Output(MESSAGE, "children"),
    Output(LIST, "children"),
    *[Output(error_id(f), "children") for f in FIELDS],
    Input(BUTTON, "n_clicks"),
    *[State(field_id(f), "value") for f in FIELDS],
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda *args: (args[-1]["agreement"], None))
def create_meeting(n_clicks, held_on, period, title, attendees, state):
    """A member creates a meeting: checked by the service, refusals beside their field."""
    from dashboard.meetings import service

    if not n_clicks or not isinstance(state, dict):
        raise PreventUpdate
    lang = lang_of(state.get("lang"))
    agreement_id = state["agreement"]
    errors = {f: "" for f in FIELDS}
    try:
        mid = service.create(web.engine(), agreement_id, period or "", held_on or "",
                             title or "", attendees or "", web.writer())
    except MeetingError as exc:
        feedback = web.feedback_of(exc, lang)
        if feedback.field in errors:
            errors[feedback.field] = feedback.text
            message = no_update
        else:
            message = dbc.Alert(feedback.text, color="danger", className="mb-0")
        return (message, no_update, *errors.values())
    message = dbc.Alert([wt("created_ok", lang), " ",
                         dcc.Link(wt("open_it", lang), href=href(f"/meetings/{mid}", lang=lang),
                                  id="new-meeting-link", className="alert-link")],
                        color="success", className="mb-0")
    return (message, meeting_list(agreement_id, lang), *errors.values())
