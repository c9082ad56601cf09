"""A target's status over the last periods: the trend strip (e.g. the last eight quarters).

Pure: from an agreement's rows (covering the quarters and a year before the first, for
targets that compare with the year before), the status of every target in each quarter, by
the same engine and rules as every other figure (:func:`dashboard.kpis.compute_kpis`).
"""

from __future__ import annotations

from .kpis import AgreementData, compute_kpis
from .periods import Period, shift_month

QUARTERS = 8

# A target: (kpi, cluster_id, party_id); a point: (period, status, value).
Key = tuple[str, str | None, str | None]
Point = tuple[str, str, float | None]


def quarters_to(period: Period, count: int = QUARTERS) -> list[Period]:
    """The ``count`` quarters up to the one holding the period's last month, oldest first."""
    year, month = int(period.end[:4]), int(period.end[5:7])
    last = Period.parse(f"{year}-Q{(month - 1) // 3 + 1}")
    out = []
    start = last.start
    for _ in range(count):
        out.append(Period.parse(f"{start[:4]}-Q{(int(start[5:7]) - 1) // 3 + 1}"))
        start = shift_month(start, -3)
    return list(reversed(out))


def trend_window(period: Period, count: int = QUARTERS) -> tuple[str, str]:
    """The months of rows the trend needs: its quarters and the year before the first."""
    quarters = quarters_to(period, count)
    return shift_month(quarters[0].start, -12), quarters[-1].end


def status_trends(data: AgreementData, period: Period,
                  count: int = QUARTERS) -> dict[Key, list[Point]]:
    """Per target (of the agreement and of each cluster): its status in each of the last
    ``count`` quarters from the first in which it applied; ``"none"`` where no target
    applied in a quarter after that."""
    quarters = quarters_to(period, count)
    found: dict[Key, dict[str, Point]] = {}
    for quarter in quarters:
        for v in compute_kpis(data, quarter):
            if v.comparator is None:
                continue
            key = (v.kpi, v.cluster_id, v.party_id)
            value = None if v.value is None else float(v.value)
            found.setdefault(key, {})[quarter.text] = (quarter.text, v.status, value)
    out = {}
    for key, points in found.items():
        strip = [points.get(q.text, (q.text, "none", None)) for q in quarters]
        while strip and strip[0][1] == "none":  # before the target applied at all
            strip.pop(0)
        out[key] = strip
    return out
