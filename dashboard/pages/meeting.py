"""``/meetings/<meeting_id>``: one steering meeting.

At the top "Sedan förra mötet" (each target then and now, what changed status, open and
overdue actions, data since); per target the computed status and the group's assessment
side by side (two labelled cells, never merged), the comment, who and when, the status per
quarter and the earlier assessments; the decisions and actions. A member writes check-ins
(saved as they go: when an assessment is chosen or a comment's field is left), decisions
with an action, marks actions done, and closes the meeting (asked to confirm), which
freezes its figures; a closed meeting is read only, its figures as they were, with a note
where the data has been revised since. The meeting pack is built in the job queue.

The check-in, decision and action callbacks also serve the presentation's edit panel
(:mod:`dashboard.web.pages.present`): the same components, the page's store says which page.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, callback, clientside_callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import jobs
from dashboard.web import auth
from dashboard.web.components.cards import page_frame, status_badge
from dashboard.web.components.export import HIDDEN, JOBS, SHOWN
from dashboard.web.components.links import agreement_path, href, present_path
from dashboard.web.components.view_page import not_found
from dashboard.i18n import date_label, document_title, lang_of, period_label, status_symbol
from dashboard.jobs.texts import jx
from dashboard.web.components import meeting as web
from dashboard.meetings.model import TargetKey
from dashboard.meetings.service import MeetingError
from dashboard.meetings.texts import mt
from dashboard.web.components.meeting import wt
from dashboard.domain.periods import parse_period_or_none
from dashboard.model.series import cluster_names, party_names

dash.register_page(__name__, order=4, path_template="/meetings/<meeting_id>", title="Möte",
                   name="Möte")

STATE, BODY = "meeting-state", "meeting-body"
DECISIONS, DECISION_MESSAGE, DECISION_ADD = "meeting-decisions", "decision-message", \
    "decision-add"
DECISION_FIELDS = ("text", "target", "action", "owner", "due")
CLOSE_ASK, CLOSE_BOX, CLOSE_YES, CLOSE_NO, CLOSE_MESSAGE = (
    "close-ask", "close-confirm", "close-yes", "close-no", "close-message")
PACK = {k: f"meeting-pack-{k}" for k in ("button", "download", "status", "progress", "step",
                                        "running", "done")}
NO_TARGET = "__none__"


def decision_id(name: str) -> str:
    return f"decision-{name}"


def decision_error(name: str) -> str:
    return f"decision-{name}-error"


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
    title = m.title or wt("meeting_of", lang, date=m.held_on)
    path = f"/meetings/{m.id}"
    present = href(present_path(m.agreement_id), meeting=m.id, lang=lang)
    header = html.Div([
        html.H1(title, className="view-title", id="meeting-title"),
        html.Div(f"{name} · {mt('period_reviewed', lang)}: {period_text} · "
                 f"{mt('date', lang)}: {m.held_on}", className="view-subtitle"),
        html.Div([
            dcc.Link(f"▶ {mt('present_edit' if editable else 'present_meeting', lang)}",
                     href=present, className="btn btn-dark me-2", id="meeting-present"),
            pack_controls(m.id, lang),
            dcc.Link(wt("back_to_list", lang),
                     href=href(f"{agreement_path(m.agreement_id)}/meetings", lang=lang),
                     className="btn btn-link", id="meeting-list-link"),
        ], className="view-links"),
    ], className="view-header meeting-header")
    return page_frame(html.Div([
        header,
        html.Div(meeting_body(record, lang, editable), id=BODY),
        html.Div(id=CLOSE_MESSAGE, role="alert"),
        dcc.Store(id=STATE, data={"meeting": m.id, "lang": lang, "mode": "page"}),
    ], className="meeting-page"), lang=lang, path=path, state={"lang": lang},
        crumbs=[(name, href(agreement_path(m.agreement_id), lang=lang)),
                (mt("meetings", lang), href(f"{agreement_path(m.agreement_id)}/meetings",
                                            lang=lang)),
                (m.held_on, None)],
        title=document_title(title, name, lang=lang))


def agreement_name(record) -> str:
    if record.view is not None:
        return record.view.agreement_name
    from dashboard.data import repository

    agreement = repository.get_agreement(web.engine(), record.meeting.agreement_id) or {}
    return agreement.get("name") or record.meeting.agreement_id


def names(record) -> tuple[dict, dict]:
    if record.view is None:
        return {}, {}
    return party_names(record.view.data), cluster_names(record.view.data)


def meeting_body(record, lang: str, editable: bool) -> list:
    m = record.meeting
    if record.closed:
        note = html.Div([mt("closed_note", lang, when=web.when(m.closed_at),
                                   who=m.closed_by or "–",
                                   as_of=date_label(record.data_as_of, lang))],
                        className="alert alert-secondary notes", id="meeting-status",
                        **{"data-status": "closed"})
    else:
        note = html.Div([mt("open_note", lang)], className="alert alert-info notes",
                        id="meeting-status", **{"data-status": "open"})
    read_only = None
    if not editable and not record.closed:  # a closed meeting's note says it already
        read_only = html.P(mt("read_only", lang), className="muted", id="meeting-read-only")
    attendees = html.Div([html.H2(mt("attendees", lang)),
                          html.P(m.attendees, className="attendees")]) \
        if m.attendees else None
    out = [note, read_only, attendees, since_section(record, lang),
           targets_section(record, lang, editable),
           decisions_section(record, lang, editable)]
    if editable:
        out.append(close_section(lang))
    return out


# --------------------------------------------------------------------------- since last


def since_section(record, lang: str) -> html.Section:
    since = record.since()
    if since is None:
        return html.Section([html.H2(mt("since_last", lang)),
                             html.P(mt("first_meeting", lang), className="muted")],
                            className="meeting-section since-last", id="since-last")
    prev = since.previous
    parties, clusters = names(record)
    period = parse_period_or_none(prev.period)
    intro = mt("since_intro", lang, date=prev.held_on,
               title=prev.title or wt("meeting_of", lang, date=prev.held_on),
               period=period_label(period, lang) if period else prev.period)
    head = html.Thead(html.Tr([html.Th(wt("figure", lang)), html.Th(mt("then", lang)),
                               html.Th(mt("now", lang)), html.Th(mt("changed_status", lang))]))
    rows = []
    for row in since.rows:
        cells = [html.Td(web.target_name(row.key, lang, parties, clusters))]
        for v in (row.then, row.now):
            cells.append(html.Td([
                html.Span(web.fmt_value(v.value, v.unit, lang) if v else "–",
                          className="big-number me-2"),
                status_badge(v.status, lang, comparator=v.comparator) if v else
                html.Span(mt("no_target_then", lang))]))
        cells.append(html.Td(html.Strong("⇄ " + mt("changed_status", lang))
                             if row.changed else ""))
        rows.append(html.Tr(cells, className="changed" if row.changed else "",
                            **{"data-target": web.target_id(row.key),
                               "data-changed": "1" if row.changed else "0"}))
    actions = [web.action_line(a, record, lang, editable=False) for a in since.open_actions]
    imports = [html.Li(mt("import_line", lang, when=web.when(i["imported_at"]),
                          file=i["file_name"] or "–",
                          rows=", ".join(f"{k}: {v}" for k, v in (i["rows"] or {}).items())))
               for i in since.imports]
    return html.Section([
        html.H2(mt("since_last", lang)),
        html.P(intro),
        html.Table([head, html.Tbody(rows)], className="table since-table"),
        html.H3(f"{mt('open_actions', lang)} ({len(since.open_actions)}) · "
                f"{mt('overdue_actions', lang)} ({len(since.overdue)})"),
        html.Ul(actions, className="action-list") if actions else
        html.P(mt("no_open_actions", lang), className="muted"),
        html.H3(mt("data_since", lang)),
        html.Ul(imports, id="data-since") if imports else
        html.P(mt("no_data_since", lang), className="muted", id="data-since"),
    ], className="meeting-section since-last", id="since-last")


# --------------------------------------------------------------------------- targets


def history_of(record) -> dict[TargetKey, list]:
    """The earlier meetings' check-ins per target (oldest first)."""
    from dashboard.meetings import store

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
        cards = [html.P(wt("no_data", lang), className="muted")]
    return html.Section([html.H2(mt("targets", lang)),
                         html.Div(cards, className="target-grid")],
                        className="meeting-section targets", id="meeting-targets")


def target_card(record, v, lang, editable, parties, clusters, history) -> html.Article:
    key = TargetKey.of(v)
    tid = web.target_id(key)
    name = web.target_name(key, lang, parties, clusters)
    checkin = record.checkin(key)
    computed = html.Div([html.Div(mt("computed", lang), className="cell-label"),
                         status_badge(v.status, lang, "lg", v.comparator)],
                        className="status-cell computed", **{"data-status": v.status})
    if editable:
        assessment = html.Fieldset([
            html.Legend(mt("assessment", lang), className="cell-label"),
            dbc.RadioItems(id={"type": "checkin-assessment", "target": tid},
                           options=web.assessment_options(lang),
                           value=checkin.assessment if checkin else None,
                           className="assessment-choice", inline=True),
        ], className="status-cell assessment")
        comment = html.Div([
            html.Div(mt("comment", lang), className="cell-label"),
            *web.comment_box(tid, name, checkin.comment if checkin else "", lang),
            html.Div(id={"type": "checkin-saved", "target": tid}, className="checkin-saved",
                     role="status", **{"aria-live": "polite"}),
        ], className="comment-cell")
        shown = html.Div(checkin_who(checkin, lang), className="checkin-who-line",
                         id={"type": "checkin-shown", "target": tid})
    else:
        assessment = html.Div([html.Div(mt("assessment", lang), className="cell-label"),
                               web.assessment_chip(checkin.assessment if checkin else None,
                                                   lang)],
                              className="status-cell assessment")
        comment = html.Div([html.Div(mt("comment", lang), className="cell-label"),
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
    return mt("written_by", lang, who=checkin.written_by or "–", when=web.when(checkin.written_at))


def trend_strip(record, key: TargetKey, lang: str) -> html.Div | None:
    points = record.trends.get((key.kpi, key.cluster_id, key.party_id)) or []
    if len(points) < 2:
        return None
    items = []
    for period, status, _value in points:
        p = parse_period_or_none(period)
        items.append(html.Li(f"{quarter_label(p, lang) if p else period} "
                             f"{status_symbol(status) if status != 'none' else '–'}"))
    return html.Div([html.Span(mt("trend", lang) + ": ", className="cell-label"),
                     html.Ul(items, className="trend-strip")], className="trend")


def quarter_label(period, lang: str) -> str:
    """``kv. 1 2023`` / ``Q1 2023``: short, for a strip of quarters."""
    if period.kind != "quarter":
        return period_label(period, lang)
    number, year = period.text[-1], period.text[:4]
    return f"kv. {number} {year}" if lang == "sv" else f"Q{number} {year}"


def history_list(history: list, lang: str) -> html.Div:
    if not history:
        return html.Div(mt("no_history", lang), className="muted small history")
    items = [html.Li([html.Span(f"{meeting.held_on}: "),
                      web.assessment_chip(checkin.assessment, lang),
                      html.Span(f" {checkin.comment}" if checkin.comment else "")])
             for meeting, checkin in reversed(history[-4:])]
    return html.Div([html.Div(mt("history", lang), className="cell-label"),
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
            html.Span(f" ({mt('about_target', lang)}: {about})", className="muted")
            if about else None,
            html.Div(mt("written_by", lang, who=d.written_by or "–", when=web.when(d.written_at)),
                     className="muted small"),
            html.Ul([web.action_line(a, record, lang, editable=editable)
                     for a in own.get(d.id, [])], className="action-list")
            if own.get(d.id) else None,
        ], className="decision", **{"data-decision": str(d.id)}))
    carried = [a for a in record.actions if a.carried(record.meeting.id)]
    out = [html.H3(mt("decisions", lang)),
           html.Ol(items, className="decision-list", id="decision-list") if items else
           html.P(mt("no_decisions", lang), className="muted", id="decision-list")]
    out += [html.H3(mt("open_actions", lang)),
            html.Ul([web.action_line(a, record, lang, editable=editable) for a in carried],
                    className="action-list", id="carried-actions") if carried else
            html.P(mt("no_open_actions", lang), className="muted", id="carried-actions")]
    return out


def decisions_section(record, lang: str, editable: bool) -> html.Section:
    return html.Section([
        html.H2(mt("decisions_actions", lang)),
        html.Div(decisions_body(record, lang, editable), id=DECISIONS),
        decision_form(record, lang) if editable else None,
    ], className="meeting-section decisions", id="meeting-decisions-section")


def decision_form(record, lang: str, compact: bool = False) -> html.Div:
    parties, clusters = names(record)
    targets = [{"label": mt("no_target_choice", lang), "value": NO_TARGET}] + [
        {"label": web.target_name(TargetKey.of(v), lang, parties, clusters),
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
        html.H3(wt("new_decision", lang)),
        field("text", mt("decision_text", lang),
              dcc.Textarea(id=decision_id("text"), value="", rows=2, className="form-control")),
        field("target", mt("about_target", lang),
              dbc.Select(id=decision_id("target"), options=targets, value=NO_TARGET)),
        html.Fieldset([
            html.Legend(wt("action_optional", lang), className="fs-6 fw-bold"),
            field("action", mt("action", lang),
                  dcc.Input(id=decision_id("action"), type="text", value="",
                            className="form-control", maxLength=1000)),
            html.Div([
                field("owner", mt("owner", lang),
                      dcc.Input(id=decision_id("owner"), type="text", value="",
                                className="form-control", maxLength=200,
                                list="decision-owners"), mt("owner_hint", lang)),
                field("due", mt("due", lang),
                      dcc.Input(id=decision_id("due"), type="text", value="",
                                className="form-control", maxLength=10,
                                placeholder=wt("date_hint", lang)), wt("date_hint", lang)),
            ], className="form-row-2"),
        ], className="action-fields"),
        owners,
        html.Button(mt("add_decision", lang), id=DECISION_ADD, n_clicks=0,
                    className="btn btn-dark" + ("" if compact else " btn-lg")),
        html.Div(id=DECISION_MESSAGE, role="status", className="mt-2",
                 **{"aria-live": "polite"}),
    ], className="decision-form", id="decision-form")


def close_section(lang: str) -> html.Section:
    return html.Section([
        html.H2(mt("close", lang)),
        html.Button(wt("close_ask", lang), id=CLOSE_ASK, n_clicks=0,
                    className="btn btn-outline-dark btn-lg"),
        html.Div([
            html.P(mt("close_confirm", lang), className="fw-bold"),
            html.Button(wt("close_yes", lang), id=CLOSE_YES, n_clicks=0,
                        className="btn btn-danger btn-lg me-2"),
            html.Button(wt("cancel", lang), id=CLOSE_NO, n_clicks=0,
                        className="btn btn-outline-dark btn-lg"),
        ], id=CLOSE_BOX, className="close-confirm", style={"display": "none"}),
    ], className="meeting-section close-section", id="close-section")


# --------------------------------------------------------------------------- pack


def pack_controls(meeting_id: int, lang: str) -> html.Span:
    return html.Span([
        html.Button(f"⬇ {wt('pack_button', lang)}", id=PACK["button"], n_clicks=0,
                    className="btn btn-outline-dark me-2"),
        html.Span([
            dbc.Progress(id=PACK["progress"], value=0, striped=True, animated=True,
                         style={"width": "12rem", "height": "1.1rem"}),
            html.Span(id=PACK["step"], className="small ms-2"),
        ], id=PACK["running"], style=HIDDEN),
        html.Span(html.Span(None, id=PACK["status"], className="small"),
                  id=PACK["done"], role="status", **{"aria-live": "polite"}),
        dcc.Download(id=PACK["download"]),
    ], className="export-controls meeting-pack",
        style={"display": "inline-flex", "alignItems": "center", "flexWrap": "wrap",
               "gap": "0.25rem"})


def build_meeting_pack_zip(meeting_id: int, lang: str, settings, progress=None,
                           on_browser=None) -> tuple[bytes, str, int]:
    """The zipped pack of the meeting, from its own figures (the core's writer)."""
    from dashboard.data.db import make_engine
    from dashboard.export.pack import zip_pack
    from dashboard.export.texts import slug

    writer = web.pack_writer()
    if writer is None:
        raise LookupError("no meeting pack")
    engine = make_engine(settings.database_url)
    prefix = "motespaket-mote" if lang != "en" else "meeting-pack-meeting"
    name = slug(f"{prefix}-{meeting_id}", limit=80)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / name
            out.mkdir()
            writer(engine, meeting_id, out, lang, settings.suppression_threshold,
                   progress=progress, on_browser=on_browser)
            paths = sorted(p for p in out.rglob("*") if p.is_file())
            return zip_pack(paths, Path(tmp)), f"{name}.zip", len(paths)
    finally:
        engine.dispose()


@callback(
    Output(PACK["download"], "data"),
    Output(PACK["status"], "children"),
    Input(PACK["button"], "n_clicks"),
    State(STATE, "data"),
    background=True,
    manager=JOBS,
    interval=400,
    running=[(Output(PACK["button"], "disabled"), True, False),
             (Output(PACK["running"], "style"), SHOWN, HIDDEN),
             (Output(PACK["done"], "style"), HIDDEN, {})],
    progress=[Output(PACK["progress"], "value"), Output(PACK["step"], "children")],
    progress_default=[0, ""],
    prevent_initial_call=True,
)
@auth.guard(auth.SEE, scope=lambda clicks, state: web.meeting_scope(state), audit="export_pack")
@jobs.on_lost(lambda n_clicks, state: (dash.no_update, html.Span(
    jx("job_lost", lang_of((state or {}).get("lang"))), className="text-danger")))
def make_meeting_pack(set_progress, n_clicks, state):
    """The meeting's pack as a zip, in the job queue (its place, then each step)."""
    from dashboard.web.components.export import pack_job

    if not n_clicks or not isinstance(state, dict):
        raise PreventUpdate
    lang = lang_of(state.get("lang"))
    return pack_job(set_progress, lang, lambda progress, on_browser: build_meeting_pack_zip(
        int(state["meeting"]), lang, jobs.current_settings(), progress,
        on_browser=on_browser), refusals=(MeetingError,))


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
    from dashboard.meetings import service

    mid = _meeting_id(state)
    lang = lang_of(state.get("lang"))
    key = web.key_of_id((dash.ctx.triggered_id or {}).get("target"))
    if key is None:
        raise PreventUpdate
    if not assessment:
        return html.Span(wt("choose_first", lang), className="field-error"), no_update
    try:
        checkin = service.checkin(web.engine(), mid, key, assessment, comment or "",
                                  web.writer())
    except MeetingError as exc:
        return html.Span(exc.message(lang), className="field-error"), no_update
    saved = html.Span("✔ " + wt("saved_by", lang, when=web.when(checkin.written_at),
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
    from dashboard.meetings import service

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
    body = slide_decisions(record, lang) if state.get("mode") == "slides" else \
        decisions_body(record, lang, True)
    return (body, html.Span("✔ " + wt("decision_saved", lang), className="saved-ok"),
            *errors.values(), "", "", "", "")


def slide_decisions(record, lang: str) -> list:
    """The decisions slide's body (set by :mod:`dashboard.web.pages.present`)."""
    from dashboard.web.pages.present import decisions_slide_body

    return decisions_slide_body(record, lang)


@callback(
    Output({"type": "action-state", "action": MATCH}, "children"),
    Input({"type": "action-done", "action": MATCH}, "value"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda value, state: web.meeting_scope(state))
def mark_action(value, state):
    """An action marked done (or not) at this meeting."""
    from dashboard.meetings import service

    mid = _meeting_id(state)
    lang = lang_of(state.get("lang"))
    action_id = (dash.ctx.triggered_id or {}).get("action")
    if not isinstance(action_id, int):
        raise PreventUpdate
    try:
        done = value is True or (isinstance(value, list) and "done" in value)
        action = service.set_done(web.engine(), mid, action_id, done, web.writer())
    except MeetingError as exc:
        return html.Span(exc.message(lang), className="field-error")
    record = web.record_for(mid, lang, revisions=False, trends=False)
    return web.action_state(action, record, lang)


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
    Input(CLOSE_YES, "n_clicks"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.WRITE, scope=lambda clicks, state: web.meeting_scope(state))
def close_meeting(n_clicks, state):
    """Close the meeting: its figures frozen; the page read only from then on."""
    from dashboard.meetings import service

    if not n_clicks:
        raise PreventUpdate
    mid = _meeting_id(state)
    lang = lang_of(state.get("lang"))
    try:
        service.close(web.engine(), mid, web.writer())
    except MeetingError as exc:
        return no_update, dbc.Alert(exc.message(lang), color="danger")
    record = web.record_for(mid, lang)
    return meeting_body(record, lang, False), ""
