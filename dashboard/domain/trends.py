"""A target's status over the last periods: the trend strip beside each target.

Pure: from an agreement's rows (covering the strip's periods and a year before the first,
for targets that compare with the year before, :func:`trend_window`), the status of every
target in each of its last periods, by the same engine and rules as every other figure
(:func:`dashboard.domain.kpis.assessed_each`: every period of a strip judged in one pass,
on monthly sums computed once for all periods; no view is built per period).

What the cells are (decided for issue 16: the outlined cell is the period on screen, so
that the strip and the status beside it tell the same story):

* the strip is made of periods **of the kind shown**, ending with **the period shown**
  (outlined): a year view shows the last five years (2023 amber: an amber 2023 cell, not
  Q4's), a half-year view the last six half-years, a quarter view the last eight quarters,
  a month view the last eight months;
* a range of months of at most a year (year to date, the last twelve months) shows the
  same months in each of the four years before it (jan–sep 2024 beside jan–sep 2023:
  like with like), ending with the range shown;
* a span of several years shows the years it covers (at most five); no cell is the
  period shown, so none is outlined;
* an indicator reported for longer periods than the kind shown (a yearly indicator in a
  quarter view) keeps its own periods, ending with the one holding the period's last
  month: its value for a shorter period is none, and a strip of greys would say nothing.
  No cell is then the period shown, and none is outlined.

Periods before the first month with any data are left out.
"""

from __future__ import annotations

from collections import Counter

from dashboard.domain.kpis import (
    KPI_NAMES,
    KPI_TABLES,
    AgreementData,
    assessed_each,
    inputs_of,
    role_key,
)
from dashboard.domain.periods import Period, month_index, parse_period_or_none, shift_month

QUARTERS = 8
# How many periods a strip shows, by the kind of period it is made of.
COUNTS = {"month": 8, "quarter": QUARTERS, "half": 6, "year": 5}
# The kinds from the shortest to the longest.
KINDS = ("month", "quarter", "half", "year")
YEARS_OF_A_RANGE = 5  # a range of months beside the same months of the years before

# A target: (kpi, cluster_id, party_id, role as compared); a point: (period, status, value).
Key = tuple[str, str | None, str | None, str | None]
Point = tuple[str, str, float | None]


def periods_to(period: Period, kind: str = "quarter", count: int | None = None) -> list[Period]:
    """The last ``count`` months, quarters, half-years or years up to the one holding the
    period's last month, oldest first."""
    count = COUNTS.get(kind, QUARTERS) if count is None else count
    year, month = int(period.end[:4]), int(period.end[5:7])
    if kind == "year":
        return [Period.parse(str(y)) for y in range(year - count + 1, year + 1)]
    size = {"half": 6, "month": 1}.get(kind, 3)
    letter = {"half": "H", "quarter": "Q"}.get(kind)
    last = (year * 12 + month - 1) // size  # running number of the last one
    out = []
    for n in range(last - count + 1, last + 1):
        y, part = divmod(n, 12 // size)
        out.append(Period.parse(f"{y}-{letter}{part + 1}" if letter else f"{y}-{part + 1:02d}"))
    return out


def quarters_to(period: Period, count: int = QUARTERS) -> list[Period]:
    """The ``count`` quarters up to the one holding the period's last month, oldest first."""
    return periods_to(period, "quarter", count)


def strip_periods(period: Period, own_kind: str | None = None) -> list[Period]:
    """The periods of a strip beside a target shown for ``period``, oldest first (see the
    module's docstring); ``own_kind``: the kind of period an indicator is reported for
    (``None`` for the key figures of the monthly tables)."""
    kind = period.kind
    if kind == "range":
        if len(period.months) <= 12:
            out = [period]
            for _ in range(YEARS_OF_A_RANGE - 1):
                out.insert(0, out[0].year_earlier())
            return out
        first, last = int(period.start[:4]), int(period.end[:4])
        return [Period.parse(str(y)) for y in range(max(first, last - COUNTS["year"] + 1),
                                                    last + 1)]
    if own_kind in KINDS and KINDS.index(own_kind) > KINDS.index(kind):
        return periods_to(period, own_kind)
    return periods_to(period, kind)


def trend_window(period: Period, count: int | None = None) -> tuple[str, str]:
    """The months of rows the strips need: the periods of the strip of a key figure of the
    monthly tables and the year before the first (indicators, whatever their periods, are
    read whole). ``count``: that many quarters instead (a strip of quarters)."""
    periods = quarters_to(period, count) if count else strip_periods(period)
    return shift_month(periods[0].start, -12), max(periods[-1].end, period.end)


def indicator_kinds(data: AgreementData) -> dict[tuple[str, str], str]:
    """Per (cluster or ``""``, indicator): the kind of period it is most often reported
    for (``quarter`` for month ranges)."""
    ind = data.indicators
    if ind.empty:
        return {}
    out: dict[tuple[str, str], Counter] = {}
    for scope, name, text in zip(ind["cluster_id"].fillna(""), ind["indicator"],
                                 ind["period"], strict=True):
        p = parse_period_or_none(text)
        if p is not None:
            kind = p.kind if p.kind in KINDS else "quarter"
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


def status_trends(data: AgreementData, period: Period, count: int | None = None,
                  kept=None) -> dict[Key, list[Point]]:
    """Per target (of the agreement and of each cluster): its status in each period of its
    strip (:func:`strip_periods`; ``count``: that many quarters instead, whatever the
    period) from the first in which it applied; ``"none"`` where no target applied in a
    period after that. Periods ending before the first month with data are left out.

    The periods of a strip are judged together (:func:`dashboard.domain.kpis.assessed_each`).
    ``kept(names, build)``: a cache of each period's assessed figures (plain rows, by name)
    that returns them all, calling ``build(missing names)`` once for those not kept, so
    that strips ending at neighbouring periods share the periods they have in common (a
    view's strips then cost one new period per step, not eight); ``None``: computed here."""
    targets = data.targets
    if targets.empty:
        return {}
    kinds = indicator_kinds(data)
    first = first_month(data)
    inputs = inputs_of(data)
    wanted: dict[Key, str] = {}
    roles = targets["role"] if "role" in targets else [None] * len(targets)
    for kpi, scope, party, role in zip(targets["kpi"], targets["cluster_id"].fillna(""),
                                       targets["party_id"].fillna(""), roles, strict=True):
        own = None if kpi in KPI_NAMES else kinds.get((scope, kpi), "quarter")
        wanted[(kpi, scope or None, party or None, role_key(role) or None)] = \
            "quarter" if count else own or ""
    by_kind: dict[str, list[Period]] = {}
    for kind in set(wanted.values()):
        periods = quarters_to(period, count) if count else \
            strip_periods(period, kind or None)
        by_kind[kind] = [p for p in periods if first is None or p.end >= first]
    # Every kind's periods judged in one pass (a strip of quarters beside one of years:
    # the periods may overlap), each period once with every table a target needs.
    tables = frozenset(KPI_TABLES.get(k[0], "indicators") for k in wanted)
    names = {f"roles:{p.text}:{','.join(sorted(tables))}": p
             for periods in by_kind.values() for p in periods}

    def build(missing: list[str]) -> dict[str, list[list]]:
        ps = [names[name] for name in missing]
        return {name: _judged_rows(table) for name, table in
                zip(missing, assessed_each(inputs, ps, tables), strict=True)}

    got = build(list(names)) if kept is None else kept(list(names), build)
    found: dict[Key, dict[str, Point]] = {}
    for name, p in names.items():
        for kpi, scope, party, role, value, status in got[name]:
            key = (kpi, scope or None, party or None, role or None)
            if key in wanted:
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


def _judged_rows(table) -> list[list]:
    """The targets' rows of an assessed figure table as plain data (kept per period)."""
    table = table[table["comparator"].notna()]
    return [[k, sc, pa, role_key(ro), None if v is None or v != v else float(v), st]
            for k, sc, pa, ro, v, st in zip(table["kpi"], table["scope"], table["party_id"],
                                            table["role"], table["value"], table["status"],
                                            strict=True)]


def strip_length(points: list[Point]) -> int:
    """How many months a strip covers (for its caption)."""
    periods = [parse_period_or_none(p[0]) for p in points]
    periods = [p for p in periods if p is not None]
    if not periods:
        return 0
    return month_index(periods[-1].end) - month_index(periods[0].start) + 1


def target_strip_key(kpi: str, cluster_id: str | None, party_id: str | None,
              role: str | None = None) -> Key:
    """The key of a target's strip: a role target's strip is its role's (compared trimmed
    and case-insensitively), apart from the strip of all roles together."""
    return (kpi, cluster_id or None, party_id or None, role_key(role) or None)
