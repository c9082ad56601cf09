"""What the meeting page (:mod:`dashboard.web.pages.meeting`) and the presentation's edit panel
(:mod:`dashboard.web.pages.present`) both draw: the names of parties and clusters, the
decision form, the decisions and actions of the last slide, and the actions to mark done.

Both pages import this module (neither imports the other): the decision and action
callbacks of the meeting page serve the edit panel too, by the component ids kept here.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import _
from dashboard.meetings.model import TargetKey
from dashboard.model.series import cluster_names, party_names
from dashboard.web.components import meeting as web

DECISIONS, DECISION_MESSAGE, DECISION_ADD = "meeting-decisions", "decision-message", \
    "decision-add"
DECISION_FIELDS = ("text", "target", "action", "owner", "due")
NO_TARGET = "__none__"
PANEL_ACTIONS = "present-edit-actions"


def decision_id(name: str) -> str:
    return f"decision-{name}"


def decision_error(name: str) -> str:
    return f"decision-{name}-error"


def action_done_id(action_id: int) -> dict:
    return {"type": "action-done", "action": action_id}


def action_state_id(action_id: int) -> dict:
    return {"type": "action-state", "action": action_id}


def action_saved_id(action_id: int) -> dict:
    return {"type": "action-saved", "action": action_id}


def names(record) -> tuple[dict, dict]:
    """The meeting's parties and clusters by id (empty without figures)."""
    if record.view is None:
        return {}, {}
    return party_names(record.view.data), cluster_names(record.view.data)


def decision_form(record, lang: str, compact: bool = False) -> html.Div:
    """A decision (about a target or not) and, optionally, the action it hands out."""
    parties, clusters = names(record)
    targets = [{"label": _("meetings.no_target_choice", lang), "value": NO_TARGET}] + [
        {"label": web.target_name(TargetKey.of(v), lang, parties, clusters, v.role),
         "value": web.target_id(TargetKey.of(v))} for v in record.targets()]

    def field(name, label, control, hint=None):
        return html.Div([
            html.Label(label, htmlFor=decision_id(name), className="form-label"),
            control,
            html.Div(hint, className="form-text") if hint else None,
            html.Div(id=decision_error(name), className="field-error", role="alert"),
        ], className=f"form-field field-{name}")

    owners = html.Datalist([html.Option(value=n) for n in parties.values()] +
                           [html.Option(value=p) for p in parties], id="decision-owners")
    return html.Div([
        html.H3(_("web.components.meeting.new_decision", lang)),
        field("text", _("meetings.decision_text", lang),
              dcc.Textarea(id=decision_id("text"), value="", rows=2, className="form-control")),
        field("target", _("meetings.about_target", lang),
              dbc.Select(id=decision_id("target"), options=targets, value=NO_TARGET)),
        html.Fieldset([
            html.Legend(_("web.components.meeting.action_optional", lang),
                        className="fs-6 fw-bold"),
            field("action", _("meetings.action", lang),
                  dcc.Input(id=decision_id("action"), type="text", value="",
                            className="form-control", maxLength=1000)),
            html.Div([
                field("owner", _("meetings.owner", lang),
                      dcc.Input(id=decision_id("owner"), type="text", value="",
                                className="form-control", maxLength=200,
                                list="decision-owners"), _("meetings.owner_hint", lang)),
                field("due", _("meetings.due", lang),
                      dcc.Input(id=decision_id("due"), type="text", value="",
                                className="form-control", maxLength=10,
                                placeholder=_("web.components.meeting.date_hint", lang)),
                      _("web.components.meeting.date_hint", lang)),
            ], className="form-row-2"),
        ], className="action-fields"),
        owners,
        html.Button(_("meetings.add_decision", lang), id=DECISION_ADD, n_clicks=0,
                    className="btn btn-dark" + ("" if compact else " btn-lg")),
        html.Div(id=DECISION_MESSAGE, role="status", className="mt-2",
                 **{"aria-live": "polite"}),
    ], className="decision-form", id="decision-form")


def decisions_slide_body(record, lang: str, editable: bool = False) -> list:
    """The last slide: the decisions, and every action the meeting deals with as a table
    (what, who, by when, done; overdue marked). ``editable`` (the edit panel is beside
    it): each action's state is the one the panel's checkbox updates."""
    parties, clusters = names(record)
    decisions = [html.Li([html.Span(d.text), html.Span(
        f" ({web.target_name(d.key, lang, parties, clusters)})", className="muted")
        if d.key else None]) for d in record.decisions]

    def state(a):
        if editable:
            return html.Td(html.Span(web.action_state_span(a, record, lang),
                                     id=action_state_id(a.id)))
        return html.Td(web.action_state(a, record, lang),
                       className="overdue" if record.is_overdue(a) else "")

    rows = [html.Tr([html.Td(a.text), html.Td(a.owner), html.Td(a.due), state(a)],
                    **{"data-action": str(a.id)}) for a in record.actions]
    head = html.Thead(html.Tr([html.Th(_("meetings.action", lang)), html.Th(_("meetings.owner",
                                                                              lang)),
                               html.Th(_("meetings.due", lang)),
                               html.Th(_("web.components.meeting.status", lang))]))
    return [
        html.H2(_("meetings.decisions", lang), className="slide-h2"),
        html.Ol(decisions, className="slide-decisions") if decisions else
        html.P(_("meetings.no_decisions", lang)),
        html.H2(_("meetings.actions", lang), className="slide-h2"),
        html.Table([head, html.Tbody(rows)], className="slide-actions") if rows else
        html.P(_("meetings.no_actions", lang)),
    ]


def panel_actions(record, lang: str) -> list:
    """The edit panel's actions: each one the meeting deals with (its own and those
    carried over), a checkbox to mark it done, and what was saved."""
    if not record.actions:
        return [html.H3(_("meetings.actions", lang), className="edit-actions-title"),
                html.P(_("meetings.no_actions", lang), className="muted")]
    items = []
    for a in record.actions:
        items.append(html.Li([
            dbc.Checkbox(id=action_done_id(a.id), value=bool(a.done),
                         label=f"{_('meetings.done', lang)}: {a.text}",
                         className="action-check", label_class_name="panel-action-label"),
            html.Div(f"{_('meetings.owner', lang)}: {a.owner} · {_('meetings.due', lang)}: {a.due}",
                     className="panel-action-meta"),
            # its state now; once ticked, what was saved and by whom
            html.Div(web.action_state_span(a, record, lang), id=action_saved_id(a.id),
                     className="checkin-saved", role="status", **{"aria-live": "polite"}),
        ], className="panel-action", **{"data-action": str(a.id)}))
    return [html.H3(_("meetings.actions", lang), className="edit-actions-title"),
            html.Ul(items, className="panel-actions")]
