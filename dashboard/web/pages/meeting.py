"""``/meetings/<meeting_id>``: one steering meeting.

At the top "Sedan förra mötet" (each target then and now, what changed status, open and
overdue actions, data since); per target the computed status and the group's assessment
side by side (two labelled cells, never merged), the comment, who and when, the status per
quarter and the earlier assessments; the decisions and actions. A member writes check-ins
(saved as they go: when an assessment is chosen or a comment's field is left), decisions
with an action, marks actions done, and closes the meeting (asked to confirm), which
freezes its figures; a closed meeting is read only, its figures as they were, with a note
where the data has been revised since. The meeting pack is built in the job queue.

A member also changes an open meeting's title, date and attendees (a closed one says it
cannot be changed). The check-in, decision and action callbacks also serve the
presentation's edit panel (:mod:`dashboard.web.pages.present`): the same components (those
both draw are in :mod:`dashboard.web.components.meeting_widgets`), the page's store says
which page.

A member sends the meeting's pre-read ("Skicka förhandsmaterial": a short text and the
minutes as PDF, :mod:`dashboard.export.mail`) to the addresses among the attendees or to
addresses typed, as a job of the export queue; the sending is in the audit log.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import jobs
from dashboard.data import repository
from dashboard.domain.periods import parse_period_or_none
from dashboard.domain.trends import target_strip_key
from dashboard.export.mail import MailError
from dashboard.i18n import _, date_label, document_title, lang_of, period_label, status_symbol
from dashboard.meetings import service, store
from dashboard.meetings.model import TargetKey
from dashboard.meetings.rights import audit_source
from dashboard.meetings.service import MeetingError
from dashboard.web import auth
from dashboard.web.components import meeting as web
from dashboard.web.components.cards import page_frame, status_badge
from dashboard.web.components.export import (
    HIDDEN,
    SHOWN,
    PackIds,
    pack_callbacks,
    pack_poller,
    poll_callback,
)
from dashboard.web.components.links import agreement_path, href, present_path
from dashboard.web.components.meeting_widgets import (
    DECISION_ADD,
    DECISION_FIELDS,
    DECISION_MESSAGE,
    DECISIONS,
    NO_TARGET,
    PANEL_ACTIONS,
    decision_error,
    decision_form,
    decision_id,
    decisions_slide_body,
    names,
    panel_actions,
)
from dashboard.web.components.view_page import not_found

dash.register_page(__name__, order=4, path_template="/meetings/<meeting_id>", title="Möte",
                   name="Möte")

STATE, BODY = "meeting-state", "meeting-body"
EDIT = {k: f"meeting-edit-{k}" for k in ("section", "title", "date", "attendees", "save",
                                        "message")}
EDIT_FIELDS = ("title", "date", "attendees")
EDIT_AREA = "meeting-edit-area"
SUBTITLE, ATTENDEES, SINCE, CRUMB = ("meeting-subtitle", "meeting-attendees", "meeting-since",
                                     "meeting-crumb")
CLOSE_ASK, CLOSE_BOX, CLOSE_YES, CLOSE_NO, CLOSE_MESSAGE = (
    "close-ask", "close-confirm", "close-yes", "close-no", "close-message")
PACK = {k: f"meeting-pack-{k}" for k in ("button", "download", "status", "progress", "step",
                                        "running", "done", "job", "poll")}
MEETING_PACK = PackIds(PACK["button"], PACK["progress"], PACK["step"], PACK["running"],
                       PACK["done"], PACK["status"], PACK["download"], PACK["job"], PACK["poll"])
MAIL = {k: f"meeting-mail-{k}" for k in ("button", "download", "status", "progress", "step",
                                        "running", "done", "job", "poll", "to")}
MEETING_MAIL = PackIds(MAIL["button"], MAIL["progress"], MAIL["step"], MAIL["running"],
                       MAIL["done"], MAIL["status"], MAIL["download"], MAIL["job"], MAIL["poll"])


def edit_error(name: str) -> str:
    return f"meeting-edit-{name}-error"


def layout(meeting_id: str | None = None, **query):
    lang = lang_of(query.get("lang"))
    if meeting_id is None or "/" in str(meeting_id):
        return not_found(query)
    record = web.record_for(meeting_id, lang)
    if record is None:
        return not_found(query)
    m = record.meeting
    editable = web.may_write(m.agreement_id) and not record.closed
    name = agreement_name(record)
    period = parse_period_or_none(m.period)
    period_text = period_label(period, lang) if period else m.period
    title = m.title or _("web.components.meeting.meeting_of", lang, date=m.held_on)
    path = f"/meetings/{m.id}"
    present = href(present_path(m.agreement_id), meeting=m.id, lang=lang)
    header = html.Div([
        html.H1(title, className="view-title", id="meeting-title"),
        html.Div(subtitle(name, period_text, m.held_on, lang), className="view-subtitle",
                 id=SUBTITLE),
        html.Div([
            dcc.Link("▶ " + _("meetings.present_edit" if editable
                              else "meetings.present_meeting", lang),
                     href=present, className="btn btn-dark me-2", id="meeting-present"),
            pack_controls(m.id, lang),
            dcc.Link(_("web.components.meeting.back_to_list", lang),
                     href=href(f"{agreement_path(m.agreement_id)}/meetings", lang=lang),
                     className="btn btn-link", id="meeting-list-link"),
        ], className="view-links"),
        mail_controls(m, lang) if web.may_write(m.agreement_id) else None,
    ], className="view-header meeting-header")
    return page_frame(html.Div([
        header,
        html.Div(edit_section(m, lang), id=EDIT_AREA) if editable else None,
        html.Div(meeting_body(record, lang, editable), id=BODY),
        html.Div(id=CLOSE_MESSAGE, role="alert"),
        dcc.Store(id=STATE, data={"meeting": m.id, "lang": lang, "mode": "page"}),
    ], className="meeting-page"), lang=lang, path=path, state={"lang": lang},
        crumbs=[(name, href(agreement_path(m.agreement_id), lang=lang)),
                (_("meetings.meetings", lang), href(f"{agreement_path(m.agreement_id)}/meetings",
                                            lang=lang)),
                (html.Span(m.held_on, id=CRUMB), None)],
        title=document_title(title, name, lang=lang))


def subtitle(name: str, period_text: str, held_on: str, lang: str) -> str:
    return f"{name} · {_('meetings.period_reviewed', lang)}: {period_text} · " \
        f"{_('meetings.date', lang)}: {held_on}"


def edit_section(m, lang: str) -> html.Details:
    """An open meeting's title, date and attendees, changed by a member (folded away
    until asked for)."""

    def field(name, label, control, hint=None):
        return html.Div([
            html.Label(label, htmlFor=EDIT[name], className="form-label"),
            control,
            html.Div(hint, className="form-text") if hint else None,
            html.Div(id=edit_error(name), className="field-error", role="alert"),
        ], className=f"form-field field-{name}")

    return html.Details([
        html.Summary(_("web.components.meeting.edit_meeting", lang),
                     className="btn btn-outline-dark",
                     id="meeting-edit-open"),
        html.Div([
            html.Div([
                field("title", _("meetings.title", lang),
                      dcc.Input(id=EDIT["title"], type="text", value=m.title or "",
                                className="form-control", maxLength=200)),
                field("date", _("meetings.date", lang),
                      dcc.Input(id=EDIT["date"], type="text", value=m.held_on,
                                className="form-control", maxLength=10),
                      _("web.components.meeting.date_hint", lang)),
            ], className="form-row-2"),
            field("attendees", _("meetings.attendees", lang),
                  dcc.Textarea(id=EDIT["attendees"], value=m.attendees or "",
                               className="form-control", rows=3),
                  _("meetings.attendees_hint", lang)),
            html.Button(_("web.components.meeting.save_meeting", lang), id=EDIT["save"], n_clicks=0,
                        className="btn btn-dark"),
            html.Div(id=EDIT["message"], role="status", className="mt-2",
                     **{"aria-live": "polite"}),
        ], className="meeting-edit-form"),
    ], id=EDIT["section"], className="meeting-edit")


def agreement_name(record) -> str:
    if record.view is not None:
        return record.view.agreement_name

    agreement = repository.get_agreement(web.engine(), record.meeting.agreement_id) or {}
    return agreement.get("name") or record.meeting.agreement_id


def meeting_body(record, lang: str, editable: bool) -> list:
    m = record.meeting
    if record.closed:
        note = html.Div([_("meetings.closed_note", lang, when=web.when(m.closed_at),
                                   who=m.closed_by or "–",
                                   as_of=date_label(record.data_as_of, lang)), " ",
                         _("meetings.closed_read_only", lang)],
                        className="alert alert-secondary notes", id="meeting-status",
                        **{"data-status": "closed"})
    else:
        note = html.Div([_("meetings.open_note", lang)], className="alert alert-info notes",
                        id="meeting-status", **{"data-status": "open"})
    read_only = None
    if not editable and not record.closed:  # a closed meeting's note says it already
        read_only = html.P(_("meetings.read_only", lang), className="muted", id="meeting-read-only")
    out = [note, read_only, html.Div(attendees_block(m, lang), id=ATTENDEES),
           html.Div(since_section(record, lang), id=SINCE),
           targets_section(record, lang, editable),
           decisions_section(record, lang, editable)]
    if editable:
        out.append(close_section(lang))
    return out


def attendees_block(m, lang: str) -> html.Div | None:
    if not m.attendees:
        return None
    return html.Div([html.H2(_("meetings.attendees", lang)), html.P(m.attendees,
                                                                    className="attendees")])


# --------------------------------------------------------------------------- since last


def since_section(record, lang: str) -> html.Section:
    since = record.since()
    if since is None:
        return html.Section([html.H2(_("meetings.since_last", lang)),
                             html.P(_("meetings.first_meeting", lang), className="muted")],
                            className="meeting-section since-last", id="since-last")
    prev = since.previous
    parties, clusters = names(record)
    period = parse_period_or_none(prev.period)
    intro = _("meetings.since_intro", lang, date=prev.held_on,
               title=prev.title or _("web.components.meeting.meeting_of", lang, date=prev.held_on),
               period=period_label(period, lang) if period else prev.period)
    head = html.Thead(html.Tr([html.Th(_("web.components.meeting.figure", lang)),
                               html.Th(_("meetings.then", lang)),
                               html.Th(_("meetings.now", lang)),
                               html.Th(_("meetings.changed_status", lang))]))
    rows = []
    for row in since.rows:
        cells = [html.Td(web.target_name(row.key, lang, parties, clusters))]
        for v in (row.then, row.now):
            cells.append(html.Td([
                html.Span(web.fmt_value(v.value, v.unit, lang) if v else "–",
                          className="big-number me-2"),
                status_badge(v.status, lang, comparator=v.comparator) if v else
                html.Span(_("meetings.no_target_then", lang))]))
        cells.append(html.Td(html.Strong("⇄ " + _("meetings.changed_status", lang))
                             if row.changed else ""))
        rows.append(html.Tr(cells, className="changed" if row.changed else "",
                            **{"data-target": web.target_id(row.key),
                               "data-changed": "1" if row.changed else "0"}))
    actions = [web.action_line(a, record, lang, editable=False) for a in since.open_actions]
    imports = [html.Li(_("meetings.import_line", lang, when=web.when(i["imported_at"]),
                          file=i["file_name"] or "–",
                          rows=", ".join(f"{k}: {v}" for k, v in (i["rows"] or {}).items())))
               for i in since.imports]
    return html.Section([
        html.H2(_("meetings.since_last", lang)),
        html.P(intro),
        html.Table([head, html.Tbody(rows)], className="table since-table"),
        web.effects_block(record, lang, parties, clusters),
        html.H3(f"{_('meetings.open_actions', lang)} ({len(since.open_actions)}) · "
                f"{_('meetings.overdue_actions', lang)} ({len(since.overdue)})"),
        html.Ul(actions, className="action-list") if actions else
        html.P(_("meetings.no_open_actions", lang), className="muted"),
        html.H3(_("meetings.data_since", lang)),
        html.Ul(imports, id="data-since") if imports else
        html.P(_("meetings.no_data_since", lang), className="muted", id="data-since"),
    ], className="meeting-section since-last", id="since-last")


# --------------------------------------------------------------------------- targets


def history_of(record) -> dict[TargetKey, list]:
    """The earlier meetings' check-ins per target (oldest first)."""

    m = record.meeting
    out: dict[TargetKey, list] = {}
    for meeting, checkin in store.checkin_history(web.engine(), m.agreement_id):
        if (meeting.held_on, meeting.id) < (m.held_on, m.id):
            out.setdefault(checkin.key, []).append((meeting, checkin))
    return out


def targets_section(record, lang: str, editable: bool) -> html.Section:
    parties, clusters = names(record)
    history = history_of(record)
    cards = [target_card(record, v, lang, editable, parties, clusters,
                         history.get(TargetKey.of(v), []))
             for v in record.targets()]
    if record.view is None:
        cards = [html.P(_("web.components.meeting.no_data", lang), className="muted")]
    return html.Section([html.H2(_("meetings.targets", lang)),
                         html.Div(cards, className="target-grid")],
                        className="meeting-section targets", id="meeting-targets")


def target_card(record, v, lang, editable, parties, clusters, history) -> html.Article:
    key = TargetKey.of(v)
    tid = web.target_id(key)
    name = web.target_name(key, lang, parties, clusters)
    checkin = record.checkin(key)
    computed = html.Div([html.Div(_("meetings.computed", lang), className="cell-label"),
                         status_badge(v.status, lang, "lg", v.comparator)],
                        className="status-cell computed", **{"data-status": v.status})
    if editable:
        assessment = html.Fieldset([
            html.Legend(_("meetings.assessment", lang), className="cell-label"),
            dbc.RadioItems(id={"type": "checkin-assessment", "target": tid},
                           options=web.assessment_options(lang),
                           value=checkin.assessment if checkin else None,
                           className="assessment-choice", inline=True),
        ], className="status-cell assessment")
        comment = html.Div([
            html.Div(_("meetings.comment", lang), className="cell-label"),
            *web.comment_box(tid, name, checkin.comment if checkin else "", lang),
            html.Div(id={"type": "checkin-saved", "target": tid}, className="checkin-saved",
                     role="status", **{"aria-live": "polite"}),
        ], className="comment-cell")
        shown = html.Div(checkin_who(checkin, lang), className="checkin-who-line",
                         id={"type": "checkin-shown", "target": tid})
    else:
        assessment = html.Div([html.Div(_("meetings.assessment", lang), className="cell-label"),
                               web.assessment_chip(checkin.assessment if checkin else None,
                                                   lang)],
                              className="status-cell assessment")
        comment = html.Div([html.Div(_("meetings.comment", lang), className="cell-label"),
                            html.P(checkin.comment if checkin and checkin.comment else "–",
                                   className="checkin-comment")], className="comment-cell")
        shown = html.Div(checkin_who(checkin, lang), className="checkin-who-line")
    return html.Article([
        html.H3(name, className="target-name"),
        html.Div([html.Span(web.value_words(v, lang), className="target-value"),
                  web.revised_note(record, v, lang)]),
        html.Div([computed, assessment], className="status-pair"),
        comment, shown,
        trend_strip(record, key, lang),
        history_list(history, lang),
    ], className="target-card", **{"data-target": tid})


def checkin_who(checkin, lang: str) -> str:
    if checkin is None:
        return ""
    return _("meetings.written_by", lang, who=checkin.written_by or "–",
             when=web.when(checkin.written_at))


def trend_strip(record, key: TargetKey, lang: str) -> html.Div | None:
    points = record.trends.get(target_strip_key(key.kpi, key.cluster_id, key.party_id,
                                                key.role)) or []
    if len(points) < 2:
        return None
    items = []
    for period, status, _value in points:
        p = parse_period_or_none(period)
        items.append(html.Li(f"{quarter_label(p, lang) if p else period} "
                             f"{status_symbol(status) if status != 'none' else '–'}"))
    return html.Div([html.Span(_("meetings.trend", lang) + ": ", className="cell-label"),
                     html.Ul(items, className="trend-strip")], className="trend")


def quarter_label(period, lang: str) -> str:
    """``kv. 1 2023`` / ``Q1 2023``: short, for a strip of quarters."""
    if period.kind != "quarter":
        return period_label(period, lang)
    number, year = period.text[-1], period.text[:4]
    return _("ui.quarter_short", lang, q=number, year=year)


def history_list(history: list, lang: str) -> html.Div:
    if not history:
        return html.Div(_("meetings.no_history", lang), className="muted small history")
    items = [html.Li([html.Span(f"{meeting.held_on}: "),
                      web.assessment_chip(checkin.assessment, lang),
                      html.Span(f" {checkin.comment}" if checkin.comment else "")])
             for meeting, checkin in reversed(history[-4:])]
    return html.Div([html.Div(_("meetings.history", lang), className="cell-label"),
                     html.Ul(items, className="history-list")], className="history")


# --------------------------------------------------------------------------- decisions


def decisions_body(record, lang: str, editable: bool) -> list:
    """The meeting's decisions (each with its action), then the actions carried over."""
    parties, clusters = names(record)
    own = {}
    for a in record.actions:
        if a.decision_id is not None and not a.carried(record.meeting.id):
            own.setdefault(a.decision_id, []).append(a)
    items = []
    for d in record.decisions:
        about = web.target_name(d.key, lang, parties, clusters) if d.key else None
        items.append(html.Li([
            html.Span(d.text, className="decision-text"),
            html.Span(f" ({_('meetings.about_target', lang)}: {about})", className="muted")
            if about else None,
            html.Div(_("meetings.written_by", lang, who=d.written_by or "–",
                       when=web.when(d.written_at)),
                     className="muted small"),
            html.Ul([web.action_line(a, record, lang, editable=editable)
                     for a in own.get(d.id, [])], className="action-list")
            if own.get(d.id) else None,
        ], className="decision", **{"data-decision": str(d.id)}))
    carried = [a for a in record.actions if a.carried(record.meeting.id)]
    out = [html.H3(_("meetings.decisions", lang)),
           html.Ol(items, className="decision-list", id="decision-list") if items else
           html.P(_("meetings.no_decisions", lang), className="muted", id="decision-list")]
    out += [html.H3(_("meetings.open_actions", lang)),
            html.Ul([web.action_line(a, record, lang, editable=editable) for a in carried],
                    className="action-list", id="carried-actions") if carried else
            html.P(_("meetings.no_open_actions", lang), className="muted", id="carried-actions")]
    return out


def decisions_section(record, lang: str, editable: bool) -> html.Section:
    return html.Section([
        html.H2(_("meetings.decisions_actions", lang)),
        html.Div(decisions_body(record, lang, editable), id=DECISIONS),
        decision_form(record, lang) if editable else None,
    ], className="meeting-section decisions", id="meeting-decisions-section")


def close_section(lang: str) -> html.Section:
    return html.Section([
        html.H2(_("meetings.close", lang)),
        html.Button(_("web.components.meeting.close_ask", lang), id=CLOSE_ASK, n_clicks=0,
                    className="btn btn-outline-dark btn-lg"),
        html.Div([
            html.P(_("meetings.close_confirm", lang), className="fw-bold"),
            html.Button(_("web.components.meeting.close_yes", lang), id=CLOSE_YES, n_clicks=0,
                        className="btn btn-danger btn-lg me-2"),
            html.Button(_("web.components.meeting.cancel", lang), id=CLOSE_NO, n_clicks=0,
                        className="btn btn-outline-dark btn-lg"),
        ], id=CLOSE_BOX, className="close-confirm", style={"display": "none"}),
    ], className="meeting-section close-section", id="close-section")


# --------------------------------------------------------------------------- pack


def pack_controls(meeting_id: int, lang: str) -> html.Span:
    return html.Span([
        html.Button(f"⬇ {_('web.components.meeting.pack_button', lang)}", id=PACK["button"],
                    n_clicks=0,
                    className="btn btn-outline-dark me-2"),
        html.Span([
            dbc.Progress(id=PACK["progress"], value=0, striped=True, animated=True,
                         style={"width": "12rem", "height": "1.1rem"}),
            html.Span(id=PACK["step"], className="small ms-2"),
        ], id=PACK["running"], style=HIDDEN),
        html.Span(html.Span(None, id=PACK["status"], className="small"),
                  id=PACK["done"], role="status", **{"aria-live": "polite"}),
        dcc.Download(id=PACK["download"]),
        *pack_poller(MEETING_PACK),
    ], className="export-controls meeting-pack",
        style={"display": "inline-flex", "alignItems": "center", "flexWrap": "wrap",
               "gap": "0.25rem"})


pack_callbacks(MEETING_PACK, web.MEETING_PACKS, web.meeting_scope,
               lambda data: lang_of(data.get("lang")), STATE)


# --------------------------------------------------------------------------- pre-read


def mail_controls(m, lang: str) -> html.Details:
    """A member's "Skicka förhandsmaterial": to the attendees' addresses, or to those typed."""
    found = web.attendee_addresses(m)
    hint = _("web.components.meeting.mail_hint_attendees", lang, to=", ".join(found)) \
        if found else _("web.components.meeting.mail_hint_none", lang)
    return html.Details([
        html.Summary(f"✉ {_('web.components.meeting.mail_button', lang)}",
                     className="btn btn-outline-dark", id="meeting-mail-open"),
        html.Div([
            html.Label(_("web.components.meeting.mail_to", lang), htmlFor=MAIL["to"],
                       className="form-label"),
            dcc.Input(id=MAIL["to"], type="text", value="", className="form-control",
                      placeholder=_("web.components.meeting.mail_placeholder", lang),
                      autoComplete="email"),
            html.Div(hint, className="form-text", id="meeting-mail-hint"),
            html.Div([
                html.Button(_("web.components.meeting.mail_send", lang), id=MAIL["button"],
                            n_clicks=0, className="btn btn-dark me-2"),
                html.Span([
                    dbc.Progress(id=MAIL["progress"], value=0, striped=True, animated=True,
                                 style={"width": "12rem", "height": "1.1rem"}),
                    html.Span(id=MAIL["step"], className="small ms-2"),
                ], id=MAIL["running"], style=HIDDEN),
                html.Span(html.Span(None, id=MAIL["status"], className="small"),
                          id=MAIL["done"], role="status", **{"aria-live": "polite"}),
            ], className="export-controls mt-2",
                style={"display": "flex", "alignItems": "center", "flexWrap": "wrap",
                       "gap": "0.25rem"}),
            dcc.Download(id=MAIL["download"]),
            *pack_poller(MEETING_MAIL),
        ], className="meeting-mail-body", style={"maxWidth": "40rem", "marginTop": "0.5rem"}),
    ], className="meeting-mail mt-2", id="meeting-mail")


@callback(
    Output(MAIL["job"], "data"),
    Output(MAIL["poll"], "disabled"),
    Output(MAIL["poll"], "max_intervals"),
    Output(MAIL["button"], "disabled"),
    Output(MAIL["running"], "style"),
    Output(MAIL["done"], "style"),
    Output(MAIL["progress"], "value"),
    Output(MAIL["step"], "children"),
    Output(MAIL["status"], "children"),
    Input(MAIL["button"], "n_clicks"),
    State(MAIL["to"], "value"),
    State(STATE, "data"),
    State(MAIL["poll"], "n_intervals"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda clicks, to, state, n: web.meeting_scope(state))
def start_mail(n_clicks, to, state, n_intervals):
    """The click: the addresses checked, then the pre-read sent as a job of the person
    asking (who and from where go with it, for the audit log)."""
    meeting = web.meeting_of((state or {}).get("meeting")) if isinstance(state, dict) else None
    if not n_clicks or meeting is None:
        raise PreventUpdate
    lang = lang_of(state.get("lang"))

    def refused(text: str) -> tuple:
        return (no_update, no_update, no_update, False, HIDDEN, {}, 0, "",
                html.Span(text, className="text-danger"))

    try:
        wanted = web.preread_recipients(meeting, to if isinstance(to, str) else "", lang)
    except MailError as exc:
        return refused(str(exc))
    if not jobs.current_settings().smtp_host:
        return refused(_("export.mail.no_server", lang))
    actor, address = audit_source()
    job = {"meeting": meeting.id, "lang": lang, "to": wanted, "actor": actor,
           "address": address}
    handle = web.MEETING_MAILS.start((job,), auth.WRITE, [web.meeting_scope(state)])
    return ({"job": handle, "lang": lang}, False, (n_intervals or 0) + 1, True, SHOWN, HIDDEN,
            1, _("export.pack_starting", lang), "")


poll_callback(MEETING_MAIL, web.MEETING_MAILS)


# --------------------------------------------------------------------------- writing


def _meeting_id(state) -> int:
    mid = web.meeting_id_of((state or {}).get("meeting"))
    if mid is None:
        raise PreventUpdate
    return mid


@callback(
    Output({"type": "checkin-saved", "target": MATCH}, "children"),
    Output({"type": "checkin-shown", "target": MATCH}, "children"),
    Input({"type": "checkin-assessment", "target": MATCH}, "value"),
    Input({"type": "checkin-comment", "target": MATCH}, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda assessment, comment, state: web.meeting_scope(state))
def save_checkin(assessment, comment, state):
    """A check-in saved as it is written (the choice, or the comment's field left)."""

    mid = _meeting_id(state)
    lang = lang_of(state.get("lang"))
    key = web.key_of_id((dash.ctx.triggered_id or {}).get("target"))
    if key is None:
        raise PreventUpdate
    if not assessment:
        return html.Span(_("web.components.meeting.choose_first", lang),
                         className="field-error"), no_update
    try:
        checkin = service.checkin(web.engine(), mid, key, assessment, comment or "",
                                  web.writer())
    except MeetingError as exc:
        return html.Span(exc.message(lang), className="field-error"), no_update
    saved = html.Span("✔ " + _("web.components.meeting.saved_by", lang,
                               when=web.when(checkin.written_at),
                                  who=checkin.written_by or "–"), className="saved-ok")
    if state.get("mode") == "slides":
        return saved, web.slide_checkin(key, state.get("names", {}).get(key.text, key.text),
                                        checkin, lang)
    return saved, checkin_who(checkin, lang)


@callback(
    Output(DECISIONS, "children"),
    Output(DECISION_MESSAGE, "children"),
    *[Output(decision_error(f), "children") for f in DECISION_FIELDS],
    Output(decision_id("text"), "value"),
    Output(decision_id("action"), "value"),
    Output(decision_id("owner"), "value"),
    Output(decision_id("due"), "value"),
    Input(DECISION_ADD, "n_clicks"),
    *[State(decision_id(f), "value") for f in DECISION_FIELDS],
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda *args: web.meeting_scope(args[-1]))
def add_decision(n_clicks, text, target, action, owner, due, state):
    """A decision (about a target or not) and its action, if one is given."""

    if not n_clicks:
        raise PreventUpdate
    mid = _meeting_id(state)
    lang = lang_of(state.get("lang"))
    errors = {f: "" for f in DECISION_FIELDS}
    key = web.key_of_id(target) if target and target != NO_TARGET else None
    try:
        service.decide(web.engine(), mid, text or "", key,
                       (action or None, owner or None, due or None), web.writer())
    except MeetingError as exc:
        feedback = web.feedback_of(exc, lang)
        field = feedback.field if feedback.field in errors else "text"
        errors[field] = feedback.text
        return (no_update, no_update, *errors.values(), no_update, no_update, no_update,
                no_update)
    record = web.record_for(mid, lang, revisions=False, trends=False)
    if state.get("mode") == "slides":  # the last slide, and the panel's actions
        body = decisions_slide_body(record, lang, editable=True)
        dash.set_props(PANEL_ACTIONS, {"children": panel_actions(record, lang)})
    else:
        body = decisions_body(record, lang, True)
    return (body, html.Span("✔ " + _("web.components.meeting.decision_saved", lang),
                            className="saved-ok"),
            *errors.values(), "", "", "", "")


@callback(
    Output({"type": "action-state", "action": MATCH}, "children"),
    Output({"type": "action-saved", "action": MATCH}, "children"),
    Input({"type": "action-done", "action": MATCH}, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda value, state: web.meeting_scope(state))
def mark_action(value, state):
    """An action marked done (or not) at this meeting: on the meeting page, or in the
    presentation's edit panel (the state then shown on the last slide, and what was
    saved beside the checkbox)."""

    mid = _meeting_id(state)
    lang = lang_of(state.get("lang"))
    action_id = (dash.ctx.triggered_id or {}).get("action")
    if not isinstance(action_id, int):
        raise PreventUpdate
    try:
        done = value is True or (isinstance(value, list) and "done" in value)
        action = service.set_done(web.engine(), mid, action_id, done, web.writer())
    except MeetingError as exc:
        return no_update, html.Span(exc.message(lang), className="field-error")
    record = web.record_for(mid, lang, revisions=False, trends=False)
    shown = web.action_state_span(action, record, lang)
    if state.get("mode") != "slides":
        return shown, ""
    return shown, html.Span(_("web.components.meeting.action_saved", lang,
                              state=web.action_state(action, record, lang),
                               who=web.writer() or "–"), className="saved-ok")


clientside_callback(
    """
    function(ask, no) {
        var id = window.dash_clientside.callback_context.triggered_id;
        return {display: id === "close-ask" ? "block" : "none"};
    }
    """,
    Output(CLOSE_BOX, "style"),
    Input(CLOSE_ASK, "n_clicks"),
    Input(CLOSE_NO, "n_clicks"),
    prevent_initial_call=True,
)


@callback(
    Output(BODY, "children"),
    Output(CLOSE_MESSAGE, "children"),
    Output(EDIT_AREA, "children"),
    Input(CLOSE_YES, "n_clicks"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda clicks, state: web.meeting_scope(state))
def close_meeting(n_clicks, state):
    """Close the meeting: its figures frozen; the page read only from then on."""

    if not n_clicks:
        raise PreventUpdate
    mid = _meeting_id(state)
    lang = lang_of(state.get("lang"))
    try:
        service.close(web.engine(), mid, web.writer())
    except MeetingError as exc:
        return no_update, dbc.Alert(exc.message(lang), color="danger"), no_update
    record = web.record_for(mid, lang)
    return meeting_body(record, lang, False), "", None  # closed: nothing to change


@callback(
    Output("meeting-title", "children"),
    Output(SUBTITLE, "children"),
    Output(ATTENDEES, "children"),
    Output(SINCE, "children"),
    Output(CRUMB, "children"),
    Output(EDIT["message"], "children"),
    *[Output(edit_error(f), "children") for f in EDIT_FIELDS],
    Input(EDIT["save"], "n_clicks"),
    *[State(EDIT[f], "value") for f in EDIT_FIELDS],
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda *args: web.meeting_scope(args[-1]))
def edit_meeting(n_clicks, title, held_on, attendees, state):
    """An open meeting's title, date and attendees changed (refusals beside their field;
    a meeting closed meanwhile says so)."""

    if not n_clicks:
        raise PreventUpdate
    mid = _meeting_id(state)
    lang = lang_of(state.get("lang"))
    errors = {f: "" for f in EDIT_FIELDS}
    try:
        m = service.edit(web.engine(), mid, held_on=held_on if isinstance(held_on, str) else "",
                         title=title if isinstance(title, str) else "",
                         attendees=attendees if isinstance(attendees, str) else "",
                         by=web.writer())
    except MeetingError as exc:
        feedback = web.feedback_of(exc, lang)
        if feedback.field in errors:
            errors[feedback.field] = feedback.text
            message = ""
        else:
            message = dbc.Alert(feedback.text, color="danger", className="mb-0",
                                id="meeting-edit-refused")
        return (no_update,) * 5 + (message, *errors.values())
    record = web.record_for(mid, lang, revisions=False)
    period = parse_period_or_none(m.period)
    period_text = period_label(period, lang) if period else m.period
    return (m.title or _("web.components.meeting.meeting_of", lang, date=m.held_on),
            subtitle(agreement_name(record), period_text, m.held_on, lang),
            attendees_block(m, lang), since_section(record, lang), m.held_on,
            html.Span("✔ " + _("web.components.meeting.meeting_saved", lang), className="saved-ok",
                      id="meeting-edit-saved"), *errors.values())
