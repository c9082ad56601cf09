"""A target's status over the last periods: the trend strip beside each target.

Pure: from an agreement's rows (covering the strip's periods and a year before the first,
for targets that compare with the year before, :func:`trend_window`), the status of every
target in each of its last periods, by the same engine and rules as every other figure
(:func:`dashboard.domain.kpis.figure_table` and :func:`dashboard.domain.kpis.assessed`, on monthly sums
computed once for all periods; no view is built per period).

A target's periods follow how its figure is reported: the key figures of the monthly
tables by quarter (the last eight), an indicator by its own most common period (the last
eight quarters, six half-years or five years; a monthly indicator by quarter, its latest
month inside each quarter). Periods before the first month with any data are left out.
"""

from __future__ import annotations

from collections import Counter

from dashboard.domain.kpis import KPI_NAMES, KPI_TABLES, AgreementData, assessed, figure_table, inputs_of
from dashboard.domain.periods import Period, month_index, parse_period_or_none, shift_month

QUARTERS = 8
# How many periods a strip shows, by the kind of period its figure is reported for.
COUNTS = {"quarter": QUARTERS, "half": 6, "year": 5}

# A target: (kpi, cluster_id, party_id); a point: (period, status, value).
Key = tuple[str, str | None, str | None]
Point = tuple[str, str, float | None]


def periods_to(period: Period, kind: str = "quarter", count: int | None = None) -> list[Period]:
    """The last ``count`` quarters, half-years or years up to the one holding the
    period's last month, oldest first."""
    count = COUNTS.get(kind, QUARTERS) if count is None else count
    year, month = int(period.end[:4]), int(period.end[5:7])
    if kind == "year":
        return [Period.parse(str(y)) for y in range(year - count + 1, year + 1)]
    size = 6 if kind == "half" else 3
    letter = "H" if kind == "half" else "Q"
    last = (year * 12 + month - 1) // size  # running number of the last half or quarter
    out = []
    for n in range(last - count + 1, last + 1):
        y, part = divmod(n, 12 // size)
        out.append(Period.parse(f"{y}-{letter}{part + 1}"))
    return out


def quarters_to(period: Period, count: int = QUARTERS) -> list[Period]:
    """The ``count`` quarters up to the one holding the period's last month, oldest first."""
    return periods_to(period, "quarter", count)


def trend_window(period: Period, count: int = QUARTERS) -> tuple[str, str]:
    """The months of rows the strips need: their quarters and the year before the first
    (indicators, whatever their periods, are read whole)."""
    quarters = quarters_to(period, count)
    return shift_month(quarters[0].start, -12), quarters[-1].end


def indicator_kinds(data: AgreementData) -> dict[tuple[str, str], str]:
    """Per (cluster or ``""``, indicator): the kind of period it is most often reported
    for (``quarter`` for months and month ranges)."""
    ind = data.indicators
    if ind.empty:
        return {}
    out: dict[tuple[str, str], Counter] = {}
    for scope, name, text in zip(ind["cluster_id"].fillna(""), ind["indicator"],
                                 ind["period"], strict=True):
        p = parse_period_or_none(text)
        if p is not None:
            kind = p.kind if p.kind in COUNTS else "quarter"
            out.setdefault((scope, name), Counter())[kind] += 1
    return {k: c.most_common(1)[0][0] for k, c in out.items()}


def first_month(data: AgreementData) -> str | None:
    """The first month with any row of the rows read (a monthly row or an indicator's)."""
    firsts = [frame["month"].min() for frame in (data.occupancy, data.outcomes,
                                                 data.staffing, data.costs)
              if not frame.empty]
    if not data.indicators.empty:
        starts = [p.start for p in map(parse_period_or_none, data.indicators["period"].unique())
                  if p is not None]
        firsts += [min(starts)] if starts else []
    return min(firsts) if firsts else None


def status_trends(data: AgreementData, period: Period, count: int = QUARTERS,
                  kept=None) -> dict[Key, list[Point]]:
    """Per target (of the agreement and of each cluster): its status in each of its last
    periods (``count`` quarters, or the half-years or years of an indicator reported so)
    from the first in which it applied; ``"none"`` where no target applied in a period
    after that. Periods ending before the first month with data are left out.

    ``kept(name, build)``: a cache of each period's assessed figures (plain rows), so that
    strips ending at neighbouring periods share the periods they have in common (a view's
    strips then cost one new period per step, not eight); ``None``: computed here."""
    targets = data.targets
    if targets.empty:
        return {}
    kinds = indicator_kinds(data)
    first = first_month(data)
    inputs = inputs_of(data)
    wanted: dict[Key, str] = {}
    for kpi, scope, party in zip(targets["kpi"], targets["cluster_id"].fillna(""),
                                 targets["party_id"].fillna(""), strict=True):
        kind = "quarter" if kpi in KPI_NAMES else kinds.get((scope, kpi), "quarter")
        wanted[(kpi, scope or None, party or None)] = kind
    by_kind: dict[str, list[Period]] = {}
    for kind in set(wanted.values()):
        periods = periods_to(period, kind, count if kind == "quarter" else None)
        by_kind[kind] = [p for p in periods if first is None or p.end >= first]
    found: dict[Key, dict[str, Point]] = {}
    for kind, periods in by_kind.items():
        keys = {k for k, v in wanted.items() if v == kind}
        tables = {KPI_TABLES.get(k[0], "indicators") for k in keys}
        for p in periods:
            def build(p=p, tables=tables) -> list[list]:
                table = assessed(figure_table(inputs, p, tables), inputs, p)
                table = table[table["comparator"].notna()]
                return [[k, sc, pa, None if v is None or v != v else float(v), st]
                        for k, sc, pa, v, st in zip(table["kpi"], table["scope"],
                                                    table["party_id"], table["value"],
                                                    table["status"], strict=True)]

            rows = build() if kept is None else kept(f"{p.text}:{','.join(sorted(tables))}",
                                                     build)
            for kpi, scope, party, value, status in rows:
                key = (kpi, scope or None, party or None)
                if key not in keys:
                    continue
                found.setdefault(key, {})[p.text] = (p.text, status, value)
    out = {}
    for key, kind in wanted.items():
        points = found.get(key)
        if not points:
            continue
        strip = [points.get(p.text, (p.text, "none", None)) for p in by_kind[kind]]
        while strip and strip[0][1] == "none":  # before the target applied at all
            strip.pop(0)
        out[key] = strip
    return out


def strip_length(points: list[Point]) -> int:
    """How many months a strip covers (for its caption)."""
    periods = [parse_period_or_none(p[0]) for p in points]
    periods = [p for p in periods if p is not None]
    if not periods:
        return 0
    return month_index(periods[-1].end) - month_index(periods[0].start) + 1
