"""What can be done with a meeting, checked: the one way in for the command line and the app.

Every text (title, attendees, comment, decision, action, owner, a writer's name) is
checked for personal identity numbers like every other text the dashboard takes in
(contract section 6) and refused with a message naming the field, never the number;
dates must exist; a check-in or a decision tied to a target names a target of the
meeting; nothing is written in a closed meeting. Refusals are :class:`MeetingError`,
whose message is in Swedish or English.

Every write is in the audit log (:mod:`dashboard.people.audit`): who (the signed-in
person, or ``cli:<user>`` for the command line), from where, the meeting's id and
agreement, and ids only (a target's key, a decision's or an action's id), never the texts.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from sqlalchemy.engine import Engine

from dashboard.data import repository
from dashboard.domain import typed
from dashboard.domain.periods import Period, PeriodError
from dashboard.i18n import _
from dashboard.meetings import store
from dashboard.meetings.frozen import freeze
from dashboard.meetings.model import ASSESSMENTS, Action, Checkin, Meeting, TargetKey
from dashboard.meetings.rights import audit_source
from dashboard.meetings.texts import field_name
from dashboard.model.view import build_view
from dashboard.people import audit
from dashboard.store import versions
from dashboard.store.cache import LRU

LIMITS = {f: typed.LIMITS[f] for f in ("title", "attendees", "comment", "text", "action",
                                      "owner", "by")}


class MeetingError(Exception):
    """A refusal, said in the user's language (:meth:`message`)."""

    def __init__(self, key: str, exit_code: int = 1, **params):
        super().__init__(key)
        self.key, self.params, self.exit_code = key, params, exit_code

    def message(self, lang: str = "sv") -> str:
        """The refusal in ``lang``; what the user wrote (an id, a target) is said back
        only when it holds no identity number (contract section 6)."""
        params = {k: shown(v) for k, v in self.params.items()}
        if "field" in params:
            params["field"] = field_name(params["field"], lang)
        return _(f"meetings.{self.key}", lang, **params)


def clean_text(value: str | None, field: str, *, required: bool = False) -> str:
    """A text as it will be kept (:func:`dashboard.domain.typed.clean`: control characters
    gone, ends trimmed, bounded, no identity number in any form)."""
    try:
        return typed.clean(value if isinstance(value, str) else None, field,
                           required=required)
    except typed.TextRefused as exc:
        if exc.code == "too_long":
            raise MeetingError("too_long", field=field, n=exc.limit) from None
        raise MeetingError(exc.code, field=field) from None


def clean_date(value: str | None, field: str) -> str:
    """``YYYY-MM-DD`` of a day that exists."""
    text = (value or "").strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise MeetingError("bad_date", exit_code=2, field=field, value=_echo(text))


def _echo(text: str) -> str:
    """What the user wrote, to say back: never an identity number (contract section 6)."""
    return typed.echo(text, 40)


def shown(value):
    """``value`` as a message may say it: ``…`` for anything holding an identity number
    in any typed form (a meeting "id" typed as one, a KPI, an agreement)."""
    return typed.echo(value)


def meeting_or_refuse(engine: Engine, meeting_id: int, *, open_only: bool = False) -> Meeting:
    """The meeting; refused when there is none (or, ``open_only``, when it is closed)."""
    meeting = store.get_meeting(engine, meeting_id)
    if meeting is None:
        raise MeetingError("no_meeting", id=meeting_id)
    if open_only and meeting.closed:
        raise MeetingError("meeting_closed", id=meeting_id)
    return meeting


# --------------------------------------------------------------------------- writes


def _audit(engine: Engine, what: str, meeting: Meeting, **detail) -> None:
    """The audit entry of a write (``detail``: ids and counts; ``None`` left out)."""
    actor, address = audit_source()
    audit.record(engine, what, actor=actor, address=address, agreement=meeting.agreement_id,
                 obj=str(meeting.id), detail={k: v for k, v in detail.items() if v is not None})


def create(engine: Engine, agreement_id: str, period: str, held_on: str, title: str = "",
           attendees: str = "", by: str = "") -> int:
    """A new, open meeting of the agreement reviewing ``period``; its id."""
    try:
        period_text = Period.parse(period).text
    except PeriodError:
        raise MeetingError("bad_period", exit_code=2, p=_echo(period)) from None
    held_on = clean_date(held_on, "date")
    if repository.get_agreement(engine, agreement_id) is None:
        raise MeetingError("no_agreement", id=agreement_id)
    meeting_id = store.add_meeting(engine, agreement_id, period_text, held_on,
                                   clean_text(title, "title"),
                                   clean_text(attendees, "attendees"), clean_text(by, "by"))
    _audit(engine, "meeting_created", store.get_meeting(engine, meeting_id),
           period=period_text, date=held_on)
    return meeting_id


def edit(engine: Engine, meeting_id: int, *, held_on: str | None = None,
         title: str | None = None, attendees: str | None = None, by: str = "") -> Meeting:
    """Change an open meeting's date, title or attendees (``by``, the writer, is checked
    like every text; the meeting keeps who created it)."""
    meeting_or_refuse(engine, meeting_id, open_only=True)
    clean_text(by, "by")
    values = {}
    if held_on is not None:
        values["held_on"] = clean_date(held_on, "date")
    if title is not None:
        values["title"] = clean_text(title, "title")
    if attendees is not None:
        values["attendees"] = clean_text(attendees, "attendees")
    if values and not store.update_meeting(engine, meeting_id, **values):
        raise MeetingError("meeting_closed", id=meeting_id)
    meeting = store.get_meeting(engine, meeting_id)
    if values:
        _audit(engine, "meeting_edited", meeting, fields=sorted(values))
    return meeting


def target_keys(engine: Engine, meeting: Meeting) -> list[TargetKey]:
    """The targets of an open meeting (every figure with a target, the agreement's and its
    clusters'). Kept in this process for the agreement's data version (an import or an
    undo changes it): every check-in and decision asks, and each would compute the view."""
    _, by_agreement = versions(engine)
    # The database by its address without the password (no secret in a key).
    kept = (f"{engine.url.render_as_string()}|{meeting.agreement_id}|{meeting.period}|"
            f"{by_agreement.get(meeting.agreement_id)}")
    keys = _TARGET_KEYS.get(kept)
    if keys is None:
        view = build_view(engine, meeting.agreement_id, meeting.period)
        keys = [] if view is None else \
            [TargetKey.of(v) for v in view.values if v.comparator is not None]
        _TARGET_KEYS.set(kept, keys)
    return list(keys)


_TARGET_KEYS = LRU(64)  # see target_keys


def _target(engine: Engine, meeting: Meeting, key: TargetKey) -> TargetKey:
    """The meeting's target ``key`` names (its role spelt as the data spells it; roles
    are compared trimmed and case-insensitively), or refused naming the targets there are."""
    keys = target_keys(engine, meeting)
    found = next((k for k in keys if k == key), None)
    if found is None:
        raise MeetingError("not_a_target", target=key.text,
                           known=", ".join(k.text for k in keys) or "–")
    return found


def checkin(engine: Engine, meeting_id: int, key: TargetKey, assessment: str, comment: str,
            by: str) -> Checkin:
    """The group's assessment of a target (written over if the meeting has one already)."""
    meeting = meeting_or_refuse(engine, meeting_id, open_only=True)
    if assessment not in ASSESSMENTS:
        raise MeetingError("bad_assessment", exit_code=2)
    comment = clean_text(comment, "comment")
    by = clean_text(by, "by")
    key = _target(engine, meeting, key)
    with _still_open(meeting_id):
        saved = store.save_checkin(engine, meeting_id, key, assessment, comment, by)
    _audit(engine, "meeting_checkin", meeting, target=key.text, assessment=assessment)
    return saved


def decide(engine: Engine, meeting_id: int, text: str, key: TargetKey | None = None,
           action: tuple[str | None, str | None, str | None] | None = None,
           by: str = "") -> tuple[int, int | None]:
    """A decision (optionally about a target) and the action it hands out, if any."""
    meeting = meeting_or_refuse(engine, meeting_id, open_only=True)
    text = clean_text(text, "text", required=True)
    by = clean_text(by, "by")
    if key is not None:
        key = _target(engine, meeting, key)
    checked = None
    if action is not None and any(action):
        what, owner, due = action
        if not (what and owner and due):
            raise MeetingError("action_incomplete", exit_code=2)
        checked = (clean_text(what, "action", required=True),
                   clean_text(owner, "owner", required=True), clean_date(due, "due"))
    with _still_open(meeting_id):
        decision_id, action_id = store.add_decision(engine, meeting, text, key, by, checked)
    _audit(engine, "meeting_decision", meeting, decision=decision_id, action=action_id,
           target=key.text if key is not None else None)
    return decision_id, action_id


def set_done(engine: Engine, meeting_id: int, action_id: int, done: bool, by: str) -> Action:
    """Mark an action of an open meeting (its own or one carried over) done or not."""
    meeting = meeting_or_refuse(engine, meeting_id, open_only=True)
    if action_id not in {a.id for a in store.actions_at(engine, meeting)}:
        raise MeetingError("no_action", id=action_id, meeting=meeting_id)
    by = clean_text(by, "by")
    with _still_open(meeting_id):
        action = store.set_action_done(engine, action_id, done, by, meeting_id)
    _audit(engine, "meeting_action_done" if done else "meeting_action_reopened", meeting,
           action=action_id)
    return action


@contextlib.contextmanager
def _still_open(meeting_id: int):
    """A write that finds the meeting closed meanwhile (someone closed it since the
    check) is refused as for a closed meeting."""
    try:
        yield
    except store.MeetingClosed:
        raise MeetingError("meeting_closed", id=meeting_id) from None


def previous_meeting(engine: Engine, meeting: Meeting) -> Meeting | None:
    """The agreement's latest closed meeting before this one (by date, then as created)."""
    earlier = [m for m in store.list_meetings(engine, meeting.agreement_id)
               if m.closed and (m.held_on, m.id) < (meeting.held_on, meeting.id)]
    return earlier[-1] if earlier else None


def close(engine: Engine, meeting_id: int, by: str) -> tuple[Meeting, dict]:
    """Freeze the meeting's figures (and its actions as they stand) and close it."""
    meeting = meeting_or_refuse(engine, meeting_id, open_only=True)
    by = clean_text(by, "by")
    try:
        frozen = freeze(engine, meeting.agreement_id, meeting.period)
    except RuntimeError:
        raise MeetingError("busy") from None
    if frozen is None:
        raise MeetingError("no_agreement", id=meeting.agreement_id)
    previous = previous_meeting(engine, meeting)
    frozen["actions"] = [a.to_dict() for a in store.actions_at(engine, meeting)]
    frozen["previous_meeting_id"] = previous.id if previous else None
    closed_at = store.now()
    frozen["closed_at"] = closed_at
    if not store.close_meeting(engine, meeting_id, by, frozen["data_version"] or "", frozen,
                               closed_at):
        raise MeetingError("meeting_closed", id=meeting_id)
    _audit(engine, "meeting_closed", meeting, figures=len(frozen.get("figures") or []))
    return store.get_meeting(engine, meeting_id), frozen


__all__ = ["MeetingError", "checkin", "clean_text", "close", "create", "decide", "edit",
           "previous_meeting", "set_done"]
