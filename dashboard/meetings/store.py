"""The meetings' SQL: the only module of the room that talks to the database.

SQLAlchemy Core with bound parameters, on the tables of :mod:`dashboard.data.db`. Reads
return the dataclasses of :mod:`.model`; writes take plain values already checked by
:mod:`.service` (texts free of identity numbers, dates that exist).
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from dashboard.data.db import meeting_actions, meeting_checkins, meeting_decisions, meetings
from dashboard.meetings.model import CLOSED, OPEN, Action, Checkin, Decision, Meeting, TargetKey

_MEETING_COLUMNS = [c for c in meetings.c if c.name != "frozen"]


class MeetingClosed(Exception):
    """The meeting was closed (or removed) before the write could be made."""


def _hold_open(conn: Connection, meeting_id: int) -> None:
    """Hold the meeting open for the rest of the transaction (its row locked, so that a
    close waits for the write and freezes it), or :class:`MeetingClosed`."""
    held = conn.execute(update(meetings)
                        .where(meetings.c.id == meeting_id, meetings.c.status == OPEN)
                        .values(status=OPEN))
    if held.rowcount != 1:
        raise MeetingClosed(meeting_id)


def now() -> str:
    """The time as the import log writes it: ISO 8601, UTC, whole seconds."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _blank(value: str | None) -> str:
    return value or ""


def _none(value):
    return value if value not in ("", None) else None


def _meeting(row) -> Meeting:
    m = dict(row._mapping)
    m.pop("frozen", None)
    return Meeting(**m)


def _checkin(row) -> Checkin:
    return _checkin_of(dict(row._mapping))


def _checkin_of(m: dict) -> Checkin:
    for k in ("cluster_id", "party_id", "role"):
        m[k] = _none(m.get(k))
    return Checkin(**m)


def _decision(row) -> Decision:
    m = dict(row._mapping)
    for k in ("kpi", "cluster_id", "party_id", "role"):
        m[k] = _none(m.get(k))
    return Decision(**m)


def _role(key: TargetKey | None) -> str:
    """A target's role as stored: as compared (trimmed, case-insensitive), '' for all."""
    return key.role_key if key is not None else ""


def _action(row) -> Action:
    m = dict(row._mapping)
    m["done"] = bool(m["done"])
    return Action(**m)


# --------------------------------------------------------------------------- meetings


def add_meeting(engine: Engine, agreement_id: str, period: str, held_on: str, title: str,
                attendees: str, by: str) -> int:
    with engine.begin() as conn:
        result = conn.execute(insert(meetings).values(
            agreement_id=agreement_id, period=period, held_on=held_on, title=title,
            attendees=attendees, status=OPEN, created_at=now(), created_by=by))
        return int(result.inserted_primary_key[0])


def update_meeting(engine: Engine, meeting_id: int, **values) -> bool:
    """Change an open meeting's date, title or attendees; False when it is closed."""
    allowed = {k: v for k, v in values.items() if k in ("held_on", "title", "attendees")}
    with engine.begin() as conn:
        result = conn.execute(update(meetings).where(meetings.c.id == meeting_id,
                                                     meetings.c.status == OPEN)
                              .values(**allowed))
        return result.rowcount == 1


def get_meeting(engine: Engine, meeting_id: int) -> Meeting | None:
    with engine.connect() as conn:
        row = conn.execute(select(*_MEETING_COLUMNS)
                           .where(meetings.c.id == meeting_id)).first()
    return _meeting(row) if row else None


def list_meetings(engine: Engine, agreement_id: str) -> list[Meeting]:
    """The agreement's meetings, oldest first (by date, then as created)."""
    with engine.connect() as conn:
        rows = conn.execute(select(*_MEETING_COLUMNS)
                            .where(meetings.c.agreement_id == agreement_id)
                            .order_by(meetings.c.held_on, meetings.c.id)).all()
    return [_meeting(r) for r in rows]


def frozen_of(engine: Engine, meeting_id: int) -> dict | None:
    """What closing wrote (figures, rows, actions), or None for an open meeting."""
    with engine.connect() as conn:
        text = conn.execute(select(meetings.c.frozen)
                            .where(meetings.c.id == meeting_id)).scalar()
    return json.loads(text) if text else None


def close_meeting(engine: Engine, meeting_id: int, by: str, data_version: str,
                  frozen: dict, closed_at: str) -> bool:
    """Write what closing froze; False when the meeting was closed already (or is gone)."""
    with engine.begin() as conn:
        result = conn.execute(
            update(meetings).where(meetings.c.id == meeting_id, meetings.c.status == OPEN)
            .values(status=CLOSED, closed_at=closed_at, closed_by=by,
                    data_version=data_version,
                    frozen=json.dumps(frozen, ensure_ascii=False, separators=(",", ":"))))
        return result.rowcount == 1


def counts(engine: Engine, meeting_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per meeting: how many check-ins, decisions and actions it has."""
    from sqlalchemy import func

    out = {m: {"checkins": 0, "decisions": 0, "actions": 0} for m in meeting_ids}
    if not meeting_ids:
        return out
    with engine.connect() as conn:
        for name, table in (("checkins", meeting_checkins), ("decisions", meeting_decisions),
                            ("actions", meeting_actions)):
            stmt = (select(table.c.meeting_id, func.count())
                    .where(table.c.meeting_id.in_(meeting_ids))
                    .group_by(table.c.meeting_id))
            for mid, n in conn.execute(stmt):
                out[mid][name] = int(n)
    return out


# --------------------------------------------------------------------------- check-ins


def save_checkin(engine: Engine, meeting_id: int, key: TargetKey, assessment: str,
                 comment: str, by: str) -> Checkin:
    """The group's assessment of a target at a meeting: written, or written over."""
    values = dict(assessment=assessment, comment=comment, written_by=by, written_at=now())
    where = and_(meeting_checkins.c.meeting_id == meeting_id,
                 meeting_checkins.c.kpi == key.kpi,
                 meeting_checkins.c.cluster_id == _blank(key.cluster_id),
                 meeting_checkins.c.party_id == _blank(key.party_id),
                 meeting_checkins.c.role == _role(key))
    with engine.begin() as conn:
        _hold_open(conn, meeting_id)
        found = conn.execute(select(meeting_checkins.c.id).where(where)).scalar()
        if found is None:
            conn.execute(insert(meeting_checkins).values(
                meeting_id=meeting_id, kpi=key.kpi, cluster_id=_blank(key.cluster_id),
                party_id=_blank(key.party_id), role=_role(key), **values))
        else:
            conn.execute(update(meeting_checkins).where(meeting_checkins.c.id == found)
                         .values(**values))
        row = conn.execute(select(meeting_checkins).where(where)).first()
    return _checkin(row)


def checkins(engine: Engine, meeting_id: int) -> list[Checkin]:
    with engine.connect() as conn:
        rows = conn.execute(select(meeting_checkins)
                            .where(meeting_checkins.c.meeting_id == meeting_id)
                            .order_by(meeting_checkins.c.id)).all()
    return [_checkin(r) for r in rows]


def checkin_history(engine: Engine, agreement_id: str) -> list[tuple[Meeting, Checkin]]:
    """Every check-in of the agreement's meetings, oldest meeting first."""
    stmt = (select(*_MEETING_COLUMNS, *[c.label(f"c_{c.name}") for c in meeting_checkins.c])
            .join(meeting_checkins, meeting_checkins.c.meeting_id == meetings.c.id)
            .where(meetings.c.agreement_id == agreement_id)
            .order_by(meetings.c.held_on, meetings.c.id, meeting_checkins.c.id))
    out = []
    with engine.connect() as conn:
        for row in conn.execute(stmt):
            m = row._mapping
            meeting = Meeting(**{c.name: m[c.name] for c in _MEETING_COLUMNS})
            c = {name[2:]: m[name] for name in m.keys() if name.startswith("c_")}
            out.append((meeting, _checkin_of(c)))
    return out


# --------------------------------------------------------------------------- decisions


def add_decision(engine: Engine, meeting: Meeting, text: str, key: TargetKey | None, by: str,
                 action: tuple[str, str, str] | None = None) -> tuple[int, int | None]:
    """A decision, and the action it hands out (text, owner, due date) if any."""
    stamp = now()
    with engine.begin() as conn:
        _hold_open(conn, meeting.id)
        result = conn.execute(insert(meeting_decisions).values(
            meeting_id=meeting.id, text=text, kpi=_blank(key.kpi if key else None),
            cluster_id=_blank(key.cluster_id if key else None),
            party_id=_blank(key.party_id if key else None), role=_role(key),
            written_by=by, written_at=stamp))
        decision_id = int(result.inserted_primary_key[0])
        action_id = None
        if action is not None:
            what, owner, due = action
            result = conn.execute(insert(meeting_actions).values(
                meeting_id=meeting.id, decision_id=decision_id,
                agreement_id=meeting.agreement_id, text=what, owner=owner, due=due,
                done=False, written_by=by, written_at=stamp))
            action_id = int(result.inserted_primary_key[0])
    return decision_id, action_id


def decisions(engine: Engine, meeting_id: int) -> list[Decision]:
    with engine.connect() as conn:
        rows = conn.execute(select(meeting_decisions)
                            .where(meeting_decisions.c.meeting_id == meeting_id)
                            .order_by(meeting_decisions.c.id)).all()
    return [_decision(r) for r in rows]


def target_decisions(engine: Engine, agreement_id: str) -> list[tuple[str, Decision]]:
    """The decisions tied to a target at the agreement's closed meetings, each with its
    meeting's date, oldest first: what the charts mark (one small query)."""
    stmt = (select(meetings.c.held_on, meeting_decisions)
            .join(meetings, meetings.c.id == meeting_decisions.c.meeting_id)
            .where(meetings.c.agreement_id == agreement_id, meetings.c.status == CLOSED,
                   meeting_decisions.c.kpi != "")
            .order_by(meetings.c.held_on, meetings.c.id, meeting_decisions.c.id))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    out = []
    for row in rows:
        m = dict(row._mapping)
        held_on = m.pop("held_on")
        for k in ("kpi", "cluster_id", "party_id", "role"):
            m[k] = _none(m.get(k))
        out.append((held_on, Decision(**m)))
    return out


# --------------------------------------------------------------------------- actions


def actions_at(engine: Engine, meeting: Meeting) -> list[Action]:
    """The actions a meeting deals with: its own, and those of earlier meetings of the
    agreement that are still open (or were marked done at this meeting)."""
    earlier = or_(meetings.c.held_on < meeting.held_on,
                  and_(meetings.c.held_on == meeting.held_on, meetings.c.id < meeting.id))
    a = meeting_actions
    stmt = (select(a).join(meetings, meetings.c.id == a.c.meeting_id)
            .where(a.c.agreement_id == meeting.agreement_id,
                   or_(a.c.meeting_id == meeting.id,
                       and_(earlier, or_(a.c.done.is_(False),
                                         a.c.done_meeting_id == meeting.id))))
            .order_by(meetings.c.held_on, meetings.c.id, a.c.id))
    with engine.connect() as conn:
        return [_action(r) for r in conn.execute(stmt)]


def get_action(engine: Engine, action_id: int) -> Action | None:
    with engine.connect() as conn:
        row = conn.execute(select(meeting_actions)
                           .where(meeting_actions.c.id == action_id)).first()
    return _action(row) if row else None


def set_action_done(engine: Engine, action_id: int, done: bool, by: str,
                    meeting_id: int | None) -> Action | None:
    """Mark an action done (at the open meeting ``meeting_id``) or not done."""
    values = dict(done=done, done_at=now() if done else None, done_by=by if done else None,
                  done_meeting_id=meeting_id if done else None)
    with engine.begin() as conn:
        if meeting_id is not None:
            _hold_open(conn, meeting_id)
        conn.execute(update(meeting_actions).where(meeting_actions.c.id == action_id)
                     .values(**values))
        row = conn.execute(select(meeting_actions)
                           .where(meeting_actions.c.id == action_id)).first()
    return _action(row) if row else None


def connection_actions(conn: Connection, ids: list[int]) -> list[Action]:
    """Some actions by id (in one transaction the caller holds)."""
    if not ids:
        return []
    rows = conn.execute(select(meeting_actions).where(meeting_actions.c.id.in_(ids))).all()
    return [_action(r) for r in rows]
