"""A meeting read whole: its figures (frozen, or following the data), check-ins, decisions,
actions, what was revised since it closed, and what changed since the meeting before.

:func:`load` is what the pages, the slides, ``meetings show`` and the meeting pack start
from, so that they all say the same.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from dashboard.data import repository
from dashboard.domain.kpis import AgreementData, KpiValue
from dashboard.domain.periods import Period
from dashboard.domain.trends import status_trends, trend_window
from dashboard.meetings import store
from dashboard.meetings.frozen import (
    figure_from_json,
    frozen_cluster_views,
    frozen_view,
    trends_from_json,
)
from dashboard.meetings.model import Action, Checkin, Decision, Meeting, TargetKey
from dashboard.meetings.service import previous_meeting
from dashboard.model.view import DecisionMarker, View, build_view, read_with_strips
from dashboard.store import versions


@dataclass
class ThenNow:
    """A target at the meeting before (``then``) and at this one (``now``)."""

    key: TargetKey
    then: KpiValue | None
    now: KpiValue | None

    @property
    def changed(self) -> bool:
        """Its status changed (a target only one of the two has counts as changed)."""
        return (self.then.status if self.then else None) != \
            (self.now.status if self.now else None)

    def to_dict(self) -> dict:
        return {"kpi": self.key.kpi, "cluster_id": self.key.cluster_id,
                "party_id": self.key.party_id, "role": self.key.role,
                "then": _figure_dict(self.then),
                "now": _figure_dict(self.now), "changed": self.changed}


def _figure_dict(value: KpiValue | None) -> dict | None:
    """A figure's value, target and status as plain data (None: no such target)."""
    if value is None:
        return None
    return {"period": value.period, "value": value.value, "value_period": value.value_period,
            "target": value.target, "comparator": value.comparator, "status": value.status,
            "unit": value.unit}


@dataclass
class SinceLast:
    """What a meeting starts from: the meeting before, each target then and now, the
    actions still open (and which of them are overdue), and the imports since."""

    previous: Meeting
    rows: list[ThenNow]
    open_actions: list[Action]
    overdue: list[Action]
    imports: list[dict]

    @property
    def changed(self) -> list[ThenNow]:
        return [r for r in self.rows if r.changed]

    def to_dict(self) -> dict:
        """Plain data (JSON as it is) for the pages, the slides and ``meetings show``."""
        overdue = {a.id for a in self.overdue}
        return {"previous": self.previous.to_dict(),
                "targets": [r.to_dict() for r in self.rows],
                "changed": [r.to_dict() for r in self.changed],
                "open_actions": [{**a.to_dict(), "overdue": a.id in overdue}
                                 for a in self.open_actions],
                "overdue_actions": [a.to_dict() for a in self.overdue],
                "imports": list(self.imports)}


@dataclass
class DecisionEffect:
    """A decision of an earlier meeting tied to a target, and what happened to the target
    since (issue 19): its figure at the deciding meeting (as that meeting closed) and at
    this one. "Beslut 12 mars: förstärk uppsökande arbete"."""

    decision: Decision
    decided_on: str  # the deciding meeting's date, YYYY-MM-DD
    key: TargetKey
    then: KpiValue | None
    now: KpiValue | None

    @property
    def marker(self) -> DecisionMarker:
        """The decision as the charts of this meeting mark it."""
        return marker_of(self.decided_on, self.decision)

    def to_dict(self) -> dict:
        return {"decision_id": self.decision.id, "meeting_id": self.decision.meeting_id,
                "decided_on": self.decided_on, "text": self.decision.text,
                "kpi": self.key.kpi, "cluster_id": self.key.cluster_id,
                "party_id": self.key.party_id, "role": self.key.role,
                "then": _figure_dict(self.then), "now": _figure_dict(self.now)}


@dataclass
class MeetingRecord:
    meeting: Meeting
    view: View | None  # None: the agreement has no data any more (an open meeting)
    frozen: dict | None
    checkins: list[Checkin]
    decisions: list[Decision]
    actions: list[Action]
    previous: Meeting | None = None
    previous_figures: list[KpiValue] = field(default_factory=list)
    previous_last_import: int | None = None  # the newest import the meeting before saw
    now: dict[TargetKey, KpiValue] | None = None  # a closed meeting's figures today
    trends: dict[tuple, list] = field(default_factory=dict)
    actions_now: dict[int, Action] = field(default_factory=dict)
    meeting_dates: dict[int, str] = field(default_factory=dict)  # the agreement's meetings
    # Decisions tied to a target at the agreement's earlier closed meetings: (the meeting,
    # the decision, the target's figure there as it closed).
    earlier_decisions: list[tuple[Meeting, Decision, KpiValue | None]] = \
        field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.meeting.closed

    @property
    def lang(self) -> str:
        return self.view.lang if self.view is not None else "sv"

    @property
    def figures(self) -> list[KpiValue]:
        return self.view.values if self.view is not None else []

    @property
    def data_as_of(self) -> str | None:
        return self.view.data_as_of if self.view is not None else None

    def targets(self, cluster: str | None | type(...) = ...) -> list[KpiValue]:
        """The figures with a target (of one scope, or of every scope)."""
        return [v for v in self.figures if v.comparator is not None
                and (cluster is ... or v.cluster_id == cluster)]

    def checkin(self, key: TargetKey) -> Checkin | None:
        return next((c for c in self.checkins if c.key == key), None)

    def revised(self, value: KpiValue) -> KpiValue | None:
        """The figure as the data gives it today, where it differs from the frozen one."""
        if self.now is None:
            return None
        key = TargetKey.of(value)
        today = self.now.get(key)
        if today is None:
            return KpiValue(value.agreement_id, value.cluster_id, value.party_id,
                            value.period, value.kpi, None, None, None, "grey", unit=value.unit,
                            role=value.role)
        if _same(value.value, today.value) and today.status == value.status:
            return None
        return today

    @property
    def overdue_on(self) -> str:
        """The day an action must be done by not to be overdue: a closed meeting's date;
        for an open meeting (the current one) its date or today, whichever is later."""
        if self.closed:
            return self.meeting.held_on
        return max(self.meeting.held_on, dt.date.today().isoformat())

    def decided_on(self, action: Action) -> str:
        """The date of the meeting that decided the action."""
        return self.meeting_dates.get(action.meeting_id, action.written_at[:10])

    def is_overdue(self, action: Action) -> bool:
        """Not done (as the meeting saw it), and due before :attr:`overdue_on`."""
        return action.overdue(self.overdue_on)

    def revisions(self) -> list[tuple[KpiValue, KpiValue]]:
        """A closed meeting's figures that the data gives differently today: (then, now)."""
        if not self.closed:
            return []
        out = []
        for v in self.figures:
            today = self.revised(v)
            if today is not None:
                out.append((v, today))
        return out

    def history(self, key: TargetKey, engine: Engine) -> list[tuple[Meeting, Checkin]]:
        """The target's check-ins at the agreement's meetings up to this one, oldest first."""
        return [(m, c) for m, c in store.checkin_history(engine, self.meeting.agreement_id)
                if c.key == key and (m.held_on, m.id) <= (self.meeting.held_on,
                                                            self.meeting.id)]

    def done_since(self, action: Action) -> bool:
        """A closed meeting's open action that has been done since."""
        now = self.actions_now.get(action.id)
        return bool(self.closed and not action.done and now is not None and now.done)

    def cluster_views(self) -> list[View]:
        """One view per cluster of the meeting (frozen figures once closed)."""
        if self.view is None:
            return []
        return frozen_cluster_views(self.view, self.frozen)

    def since(self) -> SinceLast | None:
        """Since the meeting before: None for an agreement's first meeting."""
        if self.previous is None:
            return None
        then = {TargetKey.of(v): v for v in self.previous_figures if v.comparator}
        now = {TargetKey.of(v): v for v in self.figures if v.comparator}
        keys = list(now) + [k for k in then if k not in now]
        rows = [ThenNow(k, then.get(k), now.get(k)) for k in keys]
        open_actions = [a for a in self.actions if not a.done and
                        a.carried(self.meeting.id)]
        overdue = [a for a in open_actions if self.is_overdue(a)]
        imports = []
        if self.view is not None and not self.view.data.imports.empty:
            for rec in self.view.data.imports.to_dict("records"):
                if self._arrived_since(rec):
                    rows_of = json.loads(rec.get("rows_json") or "{}")
                    imports.append({"imported_at": rec["imported_at"],
                                    "file_name": rec["file_name"], "rows": rows_of})
        return SinceLast(self.previous, rows, open_actions, overdue, imports)


    def effects(self) -> list[DecisionEffect]:
        """Every decision tied to a target at an earlier meeting: the target's figure at
        the decision and at this meeting, oldest decision first."""
        now = {TargetKey.of(v): v for v in self.figures}
        return [DecisionEffect(d, m.held_on, d.key, then, now.get(d.key))
                for m, d, then in self.earlier_decisions]

    def markers(self) -> list[DecisionMarker]:
        """The earlier decisions on targets, as this meeting's charts mark them."""
        return [e.marker for e in self.effects()]

    def _arrived_since(self, rec: dict) -> bool:
        """An import of the agreement made after the meeting before closed (import ids
        only grow; by time when that meeting saw no import)."""
        if self.previous_last_import is not None:
            return int(rec["id"]) > self.previous_last_import
        return rec["imported_at"] >= (self.previous.closed_at or "")


def marker_of(held_on: str, decision: Decision) -> DecisionMarker:
    """A decision tied to a target, as plain data for the charts."""
    return DecisionMarker(held_on, decision.text, decision.kpi, decision.cluster_id,
                          decision.party_id, decision.role)


def decision_markers(engine: Engine, agreement_id: str) -> list[DecisionMarker]:
    """Every decision tied to a target at the agreement's closed meetings, oldest first:
    what the agreement's charts mark (the page keys what it keeps by them, so a meeting
    closed with a new decision is shown at once)."""
    return [marker_of(held_on, d) for held_on, d in store.target_decisions(engine,
                                                                             agreement_id)]


def _earlier_decisions(engine: Engine, meeting: Meeting, every: list[Meeting]
                       ) -> list[tuple[Meeting, Decision, KpiValue | None]]:
    """The decisions tied to a target at the closed meetings before ``meeting``, each with
    the target's figure as its meeting closed."""
    out = []
    for m in every:
        if not m.closed or (m.held_on, m.id) >= (meeting.held_on, meeting.id):
            continue
        tied = [d for d in store.decisions(engine, m.id) if d.kpi]
        if not tied:
            continue
        figures = {TargetKey.of(f): f for f in map(
            figure_from_json, (store.frozen_of(engine, m.id) or {}).get("figures", []))}
        out += [(m, d, figures.get(d.key)) for d in tied]
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def load(engine: Engine, meeting_id: int, lang: str = "sv", *, revisions: bool = True,
         trends: bool = True, cluster_id: str | None = None,
         breakdown: str | None = None) -> MeetingRecord | None:
    """The meeting ``meeting_id`` read whole, or None when there is no such meeting."""
    meeting = store.get_meeting(engine, meeting_id)
    if meeting is None:
        return None
    frozen = store.frozen_of(engine, meeting_id) if meeting.closed else None
    if frozen is not None:
        view = frozen_view(frozen, cluster_id, breakdown, lang)
        actions = [Action(**a) for a in frozen.get("actions", [])]
        previous_id = frozen.get("previous_meeting_id")
        previous = store.get_meeting(engine, previous_id) if previous_id else None
    else:
        # The view's rows and, when asked for, its strips' rows in one read.
        read, strip_rows = read_with_strips(engine, meeting.agreement_id,
                                            lambda period: not trends)
        view = build_view(engine, meeting.agreement_id, meeting.period, cluster_id,
                          breakdown, lang, read=read)
        actions = store.actions_at(engine, meeting)
        previous = previous_meeting(engine, meeting)
    record = MeetingRecord(meeting, view, frozen, store.checkins(engine, meeting_id),
                           store.decisions(engine, meeting_id), actions, previous)
    every = store.list_meetings(engine, meeting.agreement_id)
    record.meeting_dates = {m.id: m.held_on for m in every}
    record.earlier_decisions = _earlier_decisions(engine, meeting, every)
    if previous is not None:
        before = store.frozen_of(engine, previous.id) or {}
        record.previous_figures = [figure_from_json(f) for f in before.get("figures", [])]
        record.previous_last_import = last_import(before)
    if frozen is not None:
        record.actions_now = {a.id: a for a in store.actions_at(engine, meeting)}
        if revisions:
            record.now = figures_now(engine, meeting, frozen)
    if trends:
        record.trends = trends_from_json(frozen.get("trends", [])) if frozen is not None \
            else live_trends(engine, meeting,
                             strip_rows.get(Period.parse(meeting.period).text))
    return record


def last_import(frozen: dict) -> int | None:
    """The id of the newest import whose rows a closed meeting's figures came from."""
    frame = ((frozen.get("rows") or {}).get("frames") or {}).get("imports")
    if not frame or not frame["rows"]:
        return None
    at = frame["columns"].index("id")
    return max(int(row[at]) for row in frame["rows"])


def figures_now(engine: Engine, meeting: Meeting, frozen: dict) -> dict[TargetKey, KpiValue]:
    """A closed meeting's figures as the data gives them today (the frozen ones when the
    agreement's data has not changed since)."""

    _, by_agreement = versions(engine)
    if by_agreement.get(meeting.agreement_id) == frozen.get("data_version"):
        return {TargetKey.of(v): v for v in map(figure_from_json, frozen["figures"])}
    view = build_view(engine, meeting.agreement_id, meeting.period)
    if view is None:
        return {}
    return {TargetKey.of(v): v for v in view.values}


def live_trends(engine: Engine, meeting: Meeting,
                data: AgreementData | None = None) -> dict[tuple, list]:
    """An open meeting's trend strips, from the data as it is now (``data``: its rows,
    read already with the view's)."""

    period = Period.parse(meeting.period)
    if data is None:
        data = repository.load_agreement(engine, meeting.agreement_id, trend_window(period))
    return status_trends(data, period) if data is not None else {}
