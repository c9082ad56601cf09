"""The meetings in the app: what the pages and the presentation share.

* who may read and write (through :mod:`dashboard.access`: a viewer of the whole agreement
  reads, a member writes; anyone else is told the meeting does not exist);
* the scope of a meeting callback (:func:`meeting_scope`, for ``@auth.guard``);
* the pieces drawn on the meeting page and on the slides (a target's computed status and
  the group's assessment side by side, never merged; a check-in; an action);
* the texts the core's do not have (``web.components.meeting.*`` in the catalogue).

Every text from people (comments, decisions, names) is given to Dash as text, never HTML.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import jobs
from dashboard.data.context import engine
from dashboard.data.db import make_engine
from dashboard.domain.typed import addresses_in
from dashboard.export.mail import MailError, recipients, send_preread
from dashboard.export.meeting import write_meeting_pack
from dashboard.export.pack import zip_pack
from dashboard.export.texts import slug
from dashboard.i18n import _, date_label, fmt_value, lang_of, swedish_time, target_label
from dashboard.meetings import store
from dashboard.meetings.model import ASSESSMENTS, Action, Checkin, Meeting, TargetKey
from dashboard.meetings.record import load
from dashboard.meetings.service import MeetingError
from dashboard.meetings.texts import ASSESSMENT, ASSESSMENT_COLOURS, assessment_label
from dashboard.model.words import target_words
from dashboard.web import auth
from dashboard.web.components.export import JOBS, pack_job, queued_job


def meeting_id_of(value) -> int | None:
    """A meeting id from an address or a store (anything else: None)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def meeting_of(value) -> Meeting | None:

    mid = meeting_id_of(value)
    return store.get_meeting(engine(), mid) if mid is not None else None


def meeting_scope(state) -> tuple[str, None] | None:
    """A meeting callback's scope: the agreement of the meeting in the page's store
    (``{"meeting": id, ...}``); None (refused) for no such meeting."""
    if not isinstance(state, dict):
        return None
    meeting = meeting_of(state.get("meeting"))
    return (meeting.agreement_id, None) if meeting is not None else None


def may_see(agreement_id: str) -> bool:
    """Meetings are the whole agreement's: a viewer of one cluster does not see them."""
    return auth.current_rights().sees_agreement(agreement_id)


def may_write(agreement_id: str) -> bool:
    return auth.current_rights().may(auth.WRITE, agreement_id)


def writer() -> str:
    """The name written beside what the person asking writes."""
    user = auth.current_user()
    if user is None:
        return ""
    return (user.name or user.login or "")[:200]


def record_for(meeting_id, lang: str = "sv", **kw):
    """The meeting read whole for the person asking, or None (no such meeting, or not
    theirs to see: the same answer)."""

    meeting = meeting_of(meeting_id)
    if meeting is None or not may_see(meeting.agreement_id):
        return None
    return load(engine(), meeting.id, lang_of(lang), **kw)


def when(iso: str | None) -> str:
    """``2026-11-30 19:05`` in Swedish time."""
    return swedish_time(iso or "")[:16].replace("T", " ")


def today() -> str:
    return dt.date.today().isoformat()


def pack_writer():
    """``write_meeting_pack`` of the meetings' export (:mod:`dashboard.export.meeting`)."""

    return write_meeting_pack


def build_meeting_pack_zip(meeting_id: int, lang: str, settings, progress=None,
                           on_browser=None) -> tuple[bytes, str, int]:
    """The zipped pack of the meeting, from its own figures (the core's writer)."""

    writer = pack_writer()
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


def _make_meeting_pack(set_progress, state):
    """The job: the meeting's pack as a zip, in the job queue (its place, then each step)."""
    lang = lang_of(state.get("lang"))
    return pack_job(set_progress, lang, lambda progress, on_browser: build_meeting_pack_zip(
        int(state["meeting"]), lang, jobs.current_settings(), progress,
        on_browser=on_browser), refusals=(MeetingError,))


MEETING_PACKS = jobs.OwnedJobs(JOBS, "meeting_pack", _make_meeting_pack, lost=lambda state: (
    dash.no_update, html.Span(_("jobs.job_lost", lang_of((state or {}).get("lang"))),
                              className="text-danger")))


# --------------------------------------------------------------------------- pre-read


def attendee_addresses(meeting: Meeting | None) -> list[str]:
    """The e-mail addresses written among the meeting's attendees."""
    return addresses_in(meeting.attendees) if meeting is not None else []


def preread_recipients(meeting: Meeting, typed: str | None, lang: str) -> list[str]:
    """Whom a member's "Skicka förhandsmaterial" sends to: the addresses typed (through the
    one check of typed text), else the attendees'; :class:`MailError` says why none."""
    if typed and typed.strip():
        return recipients([typed], lang)
    found = attendee_addresses(meeting)
    if not found:
        raise MailError(_("web.components.meeting.mail_no_addresses", lang))
    return found


def _send_preread(set_progress, state):
    """The job: the meeting's PDF built and the pre-read sent, in its turn of the queue
    (the browser that draws the charts takes turns with every pack's). ``state`` is made
    by the server (the addresses checked, who asked and from where, for the audit log)."""
    lang = lang_of(state.get("lang"))

    def work(progress, on_browser) -> tuple:
        settings = jobs.current_settings()
        db = make_engine(settings.database_url)  # a job's own: never a parent's pool
        try:
            sent = send_preread(db, int(state["meeting"]), list(state["to"]), settings, lang,
                                progress, on_browser, actor=state.get("actor") or "?",
                                address=state.get("address"))
        finally:
            db.dispose()
        return dash.no_update, _("web.components.meeting.mail_sent", lang,
                                 to=", ".join(sent.recipients), sum=sent.sha256)

    return queued_job(set_progress, lang, work, refusals=(MailError, MeetingError))


MEETING_MAILS = jobs.OwnedJobs(JOBS, "meeting_preread", _send_preread, lost=lambda state: (
    dash.no_update, html.Span(_("jobs.job_lost", lang_of((state or {}).get("lang"))),
                              className="text-danger")))


# --------------------------------------------------------------------------- targets


def target_name(key: TargetKey, lang: str, parties: dict[str, str],
                clusters: dict[str, str]) -> str:
    """A target by name, with its staffing role when it is a target on one role."""
    name = target_label(key.kpi, lang, parties.get(key.party_id, key.party_id), key.role)
    if key.cluster_id:
        name = f"{clusters.get(key.cluster_id, key.cluster_id)}: {name}"
    return name


def dom_id(ident: dict) -> str:
    """The id a pattern-matching component has in the page (for a label's ``for``): as
    Dash's renderer writes it (JSON.stringify: a role's ``ä`` stays ``ä``, not ``\\u00e4``)."""
    import json

    return json.dumps(ident, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def comment_box(tid: str, name: str, value: str, lang: str, rows: int = 2) -> list:
    """A check-in's comment: its label and the field, saved when the field is left."""
    ident = {"type": "checkin-comment", "target": tid}
    return [html.Label(f"{_('meetings.comment', lang)}: {name}", htmlFor=dom_id(ident),
                       className="visually-hidden"),
            dbc.Textarea(id=ident, value=value, debounce=True, rows=rows,
                         placeholder=_("meetings.comment_hint", lang),
                         className="form-control checkin-textarea")]


def target_id(key: TargetKey) -> str:
    """The text naming a target in component ids (``fte_actual/AF``,
    ``fte_actual#vägledare``)."""
    return key.text


def key_of_id(text: str) -> TargetKey | None:
    """The target named by :func:`target_id` (``kpi[@cluster][/party][#role]``). The role
    is whatever follows the first ``#`` (free text: it may hold ``@``, ``/`` or ``#``
    itself); no id and no key figure holds a ``#``."""
    if not isinstance(text, str) or not text or len(text) > 300:
        return None
    text, role = text.split("#", 1) if "#" in text else (text, None)
    rest, party = (text.split("/", 1) + [None])[:2] if "/" in text else (text, None)
    kpi, cluster = (rest.split("@", 1) + [None])[:2] if "@" in rest else (rest, None)
    return TargetKey(kpi, cluster or None, party or None, role or None) if kpi else None


def assessment_chip(assessment: str | None, lang: str) -> html.Span:
    """The group's assessment: a shape and a word, a coloured edge (never colour alone,
    and never the computed status's ✔ ▲ ✖)."""
    if assessment not in ASSESSMENT:
        return html.Span(_("web.components.meeting.no_assessment_yet", lang),
                         className="assessment-chip none",
                         **{"data-assessment": ""})
    return html.Span(assessment_label(assessment, lang), className="assessment-chip",
                     style={"borderColor": ASSESSMENT_COLOURS[assessment]},
                     **{"data-assessment": assessment})


def assessment_options(lang: str) -> list[dict]:
    return [{"label": assessment_label(a, lang), "value": a} for a in ASSESSMENTS]


def checkin_text(checkin: Checkin | None, lang: str, *, with_comment: bool = True) -> list:
    """A check-in as read: assessment, comment, who and when."""
    if checkin is None:
        return [assessment_chip(None, lang)]
    out = [assessment_chip(checkin.assessment, lang)]
    if with_comment and checkin.comment:
        out.append(html.Span(checkin.comment, className="checkin-comment"))
    who = checkin.written_by or "–"
    out.append(html.Span(_("meetings.written_by", lang, who=who, when=when(checkin.written_at)),
                         className="checkin-who"))
    return out


def slide_checkin(key: TargetKey, name: str, checkin: Checkin | None, lang: str) -> list:
    """What a slide shows under its chart for a target: ``Beläggning: ◆ Risk – comment``."""
    parts = [html.Strong(f"{name}: "), assessment_chip(checkin.assessment if checkin else None,
                                                        lang)]
    if checkin is not None and checkin.comment:
        parts.append(html.Span(f" {checkin.comment}", className="checkin-comment"))
    return parts


def value_words(v, lang: str) -> str:

    return f"{fmt_value(v.value, v.unit, lang)} ({target_words(v, lang)})"


def revised_note(record, v, lang: str) -> html.Div | None:
    """``reviderad sedan mötet: 37 → 39`` where a closed meeting's figure has changed."""
    today = record.revised(v) if record.closed else None
    if today is None:
        return None
    return html.Div("⚠ " + _("meetings.revised", lang, then=fmt_value(v.value, v.unit, lang),
                                now=fmt_value(today.value, today.unit, lang)),
                    className="revised-note")


# --------------------------------------------------------------------------- actions


def action_state(action: Action, record, lang: str) -> str:
    if action.done:
        return "✔ " + _("meetings.done", lang)
    if record.done_since(action):
        return "✔ " + _("meetings.done_since", lang)
    if record.is_overdue(action):
        return _("meetings.overdue", lang)
    return _("meetings.not_done", lang)


def action_state_span(action: Action, record, lang: str) -> html.Span:
    """The state as it changes when the action is marked (overdue in its colour only while
    it is overdue): what the checkbox's callback puts in place."""
    return html.Span(action_state(action, record, lang),
                     className="overdue" if record.is_overdue(action) else "")


def action_line(action: Action, record, lang: str, *, editable: bool) -> html.Li:
    """What, who, by when, done; overdue marked with a sign and a word. ``editable``: a
    checkbox marks it done (its state and any refusal are updated in place)."""
    overdue = record.is_overdue(action)
    parts = []
    if editable:
        parts.append(dbc.Checkbox(
            id={"type": "action-done", "action": action.id}, value=bool(action.done),
            label=f"{_('meetings.done', lang)}: {action.text}", className="action-check",
            label_class_name="visually-hidden"))
    parts += [
        html.Span(action.text, className="action-text"),
        html.Span(f" · {_('meetings.owner', lang)}: ", className="muted"),
        html.Span(action.owner, className="action-owner"),
        html.Span(f" · {_('meetings.due', lang)}: {action.due}", className="action-due"),
    ]
    if editable:  # the one the checkbox updates (an action shown twice is read only once)
        parts.append(html.Span(action_state_span(action, record, lang), className="action-state",
                               id={"type": "action-state", "action": action.id}))
    else:
        parts.append(html.Span(action_state(action, record, lang),
                               className="action-state" + (" overdue" if overdue else "")))
    if editable:
        parts.append(html.Span(id={"type": "action-saved", "action": action.id},
                               className="action-saved", role="status"))
    if action.carried(record.meeting.id):
        parts.append(html.Span(" (" + _("meetings.carried", lang, date=carried_date(action)) + ")",
                               className="muted small"))
    return html.Li(parts, className="action-line" + (" is-overdue" if overdue else ""),
                   **{"data-action": str(action.id), "data-overdue": "1" if overdue else "0"})


def carried_date(action: Action) -> str:

    meeting = store.get_meeting(engine(), action.meeting_id)
    return meeting.held_on if meeting is not None else "?"


@dataclass
class Feedback:
    """Where a refusal is said: beside the field it is about."""

    field: str | None
    text: str


def feedback_of(error, lang: str) -> Feedback:
    field = error.params.get("field") if hasattr(error, "params") else None
    if error.key in ("bad_period",):
        field = "period"
    if error.key in ("not_a_target",):
        field = "target"
    if error.key in ("action_incomplete",):
        field = "action"
    return Feedback(field, error.message(lang))


def effects_block(record, lang: str, parties, clusters) -> html.Div | None:
    """Each earlier decision tied to a target: the target's value at the decision and now
    ("Beslut 12 mars 2023: förstärk uppsökande arbete – …: 5,8 vid beslutet, 6,1 nu")."""
    effects = record.effects()
    if not effects:
        return None
    lines = []
    for e in effects:
        then = fmt_value(e.then.value, e.then.unit, lang) if e.then else "–"
        now = fmt_value(e.now.value, e.now.unit, lang) if e.now else "–"
        lines.append(html.Li(_("meetings.effect_line", lang,
                               date=date_label(e.decided_on, lang), text=e.decision.text,
                               target=target_name(e.key, lang, parties, clusters),
                               then=then, now=now),
                             **{"data-target": target_id(e.key),
                                "data-decision": str(e.decision.id)}))
    return html.Div([html.H3(_("meetings.effects", lang)),
                     html.Ul(lines, className="effect-list")], id="decision-effects")
