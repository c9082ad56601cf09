"""What a steering meeting holds: the meeting, check-ins per target, decisions, actions.

Plain dataclasses, no database and no formatting. A target is named by its key figure, its
cluster, its party and its staffing role (:class:`TargetKey`), as in the output of ``kpis``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from dashboard.domain.kpis import role_key as compared_role

ASSESSMENTS = ("on_track", "at_risk", "off_track")
OPEN, CLOSED = "open", "closed"


@dataclass(frozen=True)
class TargetKey:
    """A target: ``kpi`` for the agreement (``cluster_id`` None) or a cluster, all parties
    together (``party_id`` None) or one party, all staffing roles (``role`` None) or one
    role (issue 16: Krami's ``fte_actual`` of the counsellors and of the administrator are
    two targets).

    A role is free text, compared as the key figures compare it (trimmed and
    case-insensitively, :func:`~dashboard.domain.kpis.role_key`): ``Vägledare`` and
    ``vägledare`` name one target; ``role`` keeps the spelling it was given (for names),
    ``role_key`` is what is compared and stored."""

    kpi: str
    cluster_id: str | None = None
    party_id: str | None = None
    role: str | None = field(default=None, compare=False)
    role_key: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        role = str(self.role).strip() if self.role is not None else ""
        object.__setattr__(self, "role", role or None)
        object.__setattr__(self, "role_key", compared_role(role))

    @classmethod
    def of(cls, value) -> TargetKey:
        """The key of anything with ``kpi``, ``cluster_id``, ``party_id`` and (if it has
        one) ``role``: a KpiValue, a check-in, a decision."""
        return cls(value.kpi, value.cluster_id or None, value.party_id or None,
                   getattr(value, "role", None) or None)

    @property
    def text(self) -> str:
        """``occupancy``, ``occupancy@jarva``, ``fte_actual/AF``, ``fte_actual#vägledare``:
        for ids and messages. The role comes last, after ``#``, a sign no id has (ids are
        letters, digits, ``-`` and ``_``; a KPI also ``:``); a role, being free text, may
        hold any sign, so whatever follows the first ``#`` is the role."""
        out = self.kpi
        if self.cluster_id:
            out += f"@{self.cluster_id}"
        if self.party_id:
            out += f"/{self.party_id}"
        if self.role:
            out += f"#{self.role}"
        return out


@dataclass(frozen=True)
class Meeting:
    id: int
    agreement_id: str
    period: str
    held_on: str
    title: str
    attendees: str
    status: str
    created_at: str
    created_by: str
    closed_at: str | None = None
    closed_by: str | None = None
    data_version: str | None = None

    @property
    def closed(self) -> bool:
        return self.status == CLOSED

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Checkin:
    """The group's assessment of one target at one meeting, and why."""

    id: int
    meeting_id: int
    kpi: str
    cluster_id: str | None
    party_id: str | None
    assessment: str  # on_track | at_risk | off_track
    comment: str
    written_by: str
    written_at: str
    role: str | None = None  # a target on one staffing role (as compared: role_key)

    @property
    def key(self) -> TargetKey:
        return TargetKey.of(self)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    id: int
    meeting_id: int
    text: str
    kpi: str | None
    cluster_id: str | None
    party_id: str | None
    written_by: str
    written_at: str
    role: str | None = None  # a target on one staffing role (as compared: role_key)

    @property
    def key(self) -> TargetKey | None:
        return TargetKey.of(self) if self.kpi else None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Action:
    """Something a party or a person is to do by a date; it carries over to the next
    meetings of the agreement until it is done."""

    id: int
    meeting_id: int  # the meeting that decided it
    decision_id: int | None
    agreement_id: str
    text: str
    owner: str
    due: str
    done: bool
    done_at: str | None
    done_by: str | None
    done_meeting_id: int | None
    written_by: str
    written_at: str

    def overdue(self, on: str) -> bool:
        """Not done, and its date passed before ``on`` (a meeting's date)."""
        return not self.done and self.due < on

    def carried(self, meeting_id: int) -> bool:
        """Decided at an earlier meeting than ``meeting_id``."""
        return self.meeting_id != meeting_id

    def to_dict(self) -> dict:
        return asdict(self)
