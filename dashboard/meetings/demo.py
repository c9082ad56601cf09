"""The demo's steering meetings (:data:`dashboard.data.demo.DEMO_MEETINGS`), written
through the meetings' own service as a member would write them, so that the demo shows a
meeting with "Effekt sedan beslut" and a chart with a decision marked."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dashboard.data.demo import DEMO_MEETINGS
from dashboard.meetings import service
from dashboard.meetings.model import TargetKey

BY = "demo"


def load_demo_meetings(engine: Engine, agreement_ids: set[str],
                       meetings: list[dict] | None = None) -> list[int]:
    """Write the demo meetings of the agreements in ``agreement_ids`` (those whose workbook
    was imported); the ids of the meetings written, in order."""
    written = []
    for m in DEMO_MEETINGS if meetings is None else meetings:
        if m["agreement_id"] not in agreement_ids:
            continue
        mid = service.create(engine, m["agreement_id"], m["period"], m["held_on"],
                             m.get("title", ""), m.get("attendees", ""), by=BY)
        for d in m.get("decisions", []):
            key = TargetKey(d["kpi"]) if d.get("kpi") else None
            service.decide(engine, mid, d["text"], key, None, by=BY)
        if m.get("closed"):
            service.close(engine, mid, BY)
        written.append(mid)
    return written
