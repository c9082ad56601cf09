"""Steering meetings (contract.md section 7; README, "Meetings"): the API the app and the
command line share.

Every function takes the engine first. Writes take the writer's name (``by``: a login, a
name, ``cli:<user>``); the caller decides who may write (:mod:`dashboard.people.rights`,
members and above). Refusals raise :class:`MeetingError`; ``exc.message(lang)`` says why
in Swedish or English (never echoing an identity number), ``exc.exit_code`` is the
command line's (1 refused, 2 wrong usage).

Writes::

    create(engine, agreement_id, period, held_on, title="", attendees="", by="") -> int
    edit(engine, meeting_id, *, held_on=None, title=None, attendees=None, by="") -> Meeting
    checkin(engine, meeting_id, key: TargetKey, assessment, comment, by) -> Checkin
    decide(engine, meeting_id, text, key=None, action=(what, owner, due) | None, by="")
        -> (decision_id, action_id | None)
    set_done(engine, meeting_id, action_id, done: bool, by) -> Action
    close(engine, meeting_id, by) -> (Meeting, frozen: dict)

Reads::

    get(engine, meeting_id) -> Meeting                  (MeetingError when there is none)
    list_meetings(engine, agreement_id) -> list[Meeting]  (oldest first)
    load_record(engine, meeting_id, lang="sv", ...) -> MeetingRecord
        figures (frozen once closed), check-ins, decisions, actions, revisions,
        ``record.since()`` (SinceLast, ``.to_dict()`` plain data) and
        ``record.history(key, engine)``
    since_last(engine, meeting_id, lang="sv") -> dict | None   (SinceLast.to_dict())
    target_keys(engine, meeting_id) -> list[TargetKey]  (what check-ins may be about)
    checkin_history(engine, agreement_id, key=None) -> list[(Meeting, Checkin)]
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dashboard.meetings import store
from dashboard.meetings.model import ASSESSMENTS, CLOSED, OPEN, Action, Checkin, Decision, Meeting, TargetKey
from dashboard.meetings.record import MeetingRecord, SinceLast, ThenNow, load
from dashboard.meetings.service import MeetingError, checkin, close, create, decide, edit, meeting_or_refuse, previous_meeting, set_done
from dashboard.meetings.service import target_keys as _target_keys


def get(engine: Engine, meeting_id: int) -> Meeting:
    """The meeting; :class:`MeetingError` ``no_meeting`` when there is none."""
    return meeting_or_refuse(engine, meeting_id)


def list_meetings(engine: Engine, agreement_id: str) -> list[Meeting]:
    """The agreement's meetings, oldest first (by date, then as created)."""
    return store.list_meetings(engine, agreement_id)


def load_record(engine: Engine, meeting_id: int, lang: str = "sv", **options) -> MeetingRecord:
    """The meeting read whole (:func:`.record.load`; ``options``: ``revisions``,
    ``trends``, ``cluster_id``, ``breakdown``); :class:`MeetingError` when there is none."""
    record = load(engine, meeting_id, lang, **options)
    if record is None:
        raise MeetingError("no_meeting", id=meeting_id)
    return record


def since_last(engine: Engine, meeting_id: int, lang: str = "sv") -> dict | None:
    """What changed since the meeting before, as plain data; None for a first meeting."""
    since = load_record(engine, meeting_id, lang, revisions=False, trends=False).since()
    return since.to_dict() if since is not None else None


def target_keys(engine: Engine, meeting_id: int) -> list[TargetKey]:
    """The targets a check-in or a decision of the meeting may be about (those of the
    meeting's figures: frozen once it is closed)."""
    meeting = get(engine, meeting_id)
    if meeting.closed:
        record = load_record(engine, meeting_id, revisions=False, trends=False)
        return [TargetKey.of(v) for v in record.targets()]
    return _target_keys(engine, meeting)


def checkin_history(engine: Engine, agreement_id: str,
                    key: TargetKey | None = None) -> list[tuple[Meeting, Checkin]]:
    """The agreement's check-ins (of one target, or all), oldest meeting first."""
    return [(m, c) for m, c in store.checkin_history(engine, agreement_id)
            if key is None or c.key == key]


__all__ = ["ASSESSMENTS", "CLOSED", "OPEN", "Action", "Checkin", "Decision", "Meeting",
           "MeetingError", "MeetingRecord", "SinceLast", "TargetKey", "ThenNow", "checkin",
           "checkin_history", "close", "create", "decide", "edit", "get", "list_meetings",
           "load", "load_record", "previous_meeting", "set_done", "since_last",
           "target_keys"]
