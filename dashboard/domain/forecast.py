"""A forecast to the end of a period in progress, for the targets of counts and shares.

Pure pandas, no I/O. A period is **in progress** when the agreement's data stop inside it:
a year, half or quarter (or the year to date, ``2023-01..2023-06``, whose period is then
the whole year) whose last month with data comes before its end (or before the end of the
agreement's validity, if that comes first). A finished period has no forecast.

The methods, in the words of docs/users.md ("Prognos till periodens slut"):

* **flows** (counts summed over months: ``started``, ``exited``, ``completed``, ``work``,
  ``study``, ``other``, ``discontinued``): the pace so far, ``value × months in the period
  / months with data``; the range: the rest of the period like the slowest month so far,
  or like the fastest (``value + months left × slowest month`` … ``× fastest month``);
* **levels** (``occupancy``, ``fte_actual``, ``fte_committed``: a mean over months): the
  mean of the last three months with data carried forward over the months left, and the
  period's figure as the key figure defines it (the mean over all its months); the range:
  the months left at the lowest, or at the highest, of those three months;
* **shares** (``work_study_share``, ``work_share``, ``study_share``, ``fte_fulfilment``):
  the share so far; the range: the months left (with as many completers a month as so far)
  at the lowest, or the highest, monthly share so far.

Only targets with a value (``>=``, ``<=``) get a forecast: ``increase`` and ``decrease``
compare with the same months a year earlier, which the year to date already does. A
forecast never changes a status. No forecast where the target's figure is a count that
small-count suppression hides (contract section 5: a count, or a share's numerator or
denominator, from 1 to the threshold − 1), and none for an agreement that has turned
forecasts off (``agreements.forecast`` = ``no``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.domain.kpis import COUNT_SUMS, AgreementData, KpiValue, role_key
from dashboard.domain.periods import Period, canonical_text, month_index
from dashboard.domain.schema import FORECAST_CHOICES

FLOW_KPIS = tuple(COUNT_SUMS)
LEVEL_KPIS = ("occupancy", "fte_actual", "fte_committed")
SHARE_PARTS = {  # share -> (table, numerator columns, denominator column)
    "work_study_share": ("outcomes", ("work", "study"), "completed"),
    "work_share": ("outcomes", ("work",), "completed"),
    "study_share": ("outcomes", ("study",), "completed"),
    "fte_fulfilment": ("staffing", ("actual_fte",), "committed_fte"),
}
LEVEL_COLUMN = {"occupancy": ("occupancy", "participants"),
                "fte_actual": ("staffing", "actual_fte"),
                "fte_committed": ("staffing", "committed_fte")}
COUNT_KPIS = {*FLOW_KPIS, "occupancy"}
LEVEL_MONTHS = 3  # a level: the mean of the last three months carried forward


@dataclass(frozen=True)
class Forecast:
    """A target's figure projected to the end of its period in progress."""

    kpi: str
    cluster_id: str | None
    party_id: str | None
    role: str | None
    method: str  # flow | level | share
    value: float  # the period's figure as projected (as the key figure defines it)
    low: float
    high: float
    target: float
    comparator: str
    unit: str
    start: str  # the period projected to: its first ...
    end: str  # ... and last month
    last_month: str  # the last month with data
    months_with_data: int
    months_in_period: int
    # The months left, as each month's figure: what a chart continues with (a flow's pace
    # per month, a level's carried mean, a share), and its lowest and highest.
    monthly: float
    monthly_low: float
    monthly_high: float

    @property
    def months_left(self) -> list[str]:
        """The months after the last month with data, to the end of the period."""
        return Period.parse(f"{self.start}..{self.end}").months[
            month_index(self.last_month) - month_index(self.start) + 1:]

    @property
    def full_period(self) -> Period:
        return Period.parse(canonical_text(self.start, self.end))


def forecast_enabled(agreement: dict) -> bool:
    """Whether the agreement shows forecasts (``agreements.forecast``, blank: yes)."""
    value = agreement.get("forecast")
    if value is None or (isinstance(value, float) and value != value):
        return True
    return FORECAST_CHOICES.get(str(value).strip().lower(), "yes") != "no"


def period_in_progress(period: Period, last_month: str | None,
                       valid_to: str | None = None,
                       valid_from: str | None = None) -> Period | None:
    """The period a forecast runs to, or ``None`` when P is finished (or not one to
    project: a month, a span of years, or a period without data yet).

    A year, half or quarter is its own; the year to date (January to the last month with
    data) runs to the end of its year. The end is the agreement's last valid month where
    that comes first (and the start its first valid month where that comes later).
    """
    if not last_month:
        return None
    if period.kind in ("year", "half", "quarter"):
        start, end = period.start, period.end
    elif period.kind == "range" and period.start[:4] == period.end[:4] and \
            period.start.endswith("-01") and period.end == last_month:
        start, end = period.start, f"{period.start[:4]}-12"
    else:
        return None
    if valid_to:
        end = min(end, str(valid_to)[:7])
    if valid_from:
        start = max(start, str(valid_from)[:7])
    if not start <= last_month < end:
        return None
    return Period.parse(canonical_text(start, end))


def _records(data: AgreementData, table: str, cluster_id: str | None, start: str,
             end: str, kept: dict) -> list[dict]:
    """The rows of a monthly table for the scope from ``start`` to ``end`` as records, read
    once per table and scope (``kept``)."""
    key = (table, cluster_id)
    if key not in kept:
        frame = getattr(data, table)
        if frame is None or frame.empty:
            kept[key] = []
        else:
            rows = frame[(frame["month"] >= start) & (frame["month"] <= end)]
            if cluster_id is not None and "cluster_id" in rows:
                rows = rows[rows["cluster_id"] == cluster_id]
            kept[key] = rows.to_dict("records")
    return kept[key]


def _number(x) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if x != x else x


def _monthly(records: list[dict], columns, months: list[str], keep=None) -> pd.Series:
    """Per month of ``months`` with rows, the sum of ``columns`` over its rows that
    ``keep`` keeps (all by default); a month with rows but none kept, or no value in them,
    counts 0 (a party's staffing: the scope's months with data, as the key figure)."""
    sums: dict[str, float] = {}
    for r in records:
        value = sum(_number(r.get(c)) for c in columns) if keep is None or keep(r) else 0.0
        sums[r["month"]] = sums.get(r["month"], 0.0) + value
    have = [m for m in months if m in sums]
    return pd.Series([sums[m] for m in have], index=have, dtype=float)


def _staffing_keep(party: str | None, role: str | None):
    """Which staffing rows are a party's or a role's (``None``: all)."""
    if party is None and role is None:
        return None
    wanted = role_key(role) if role is not None else None
    return lambda r: (party is None or r.get("party_id") == party) and \
        (wanted is None or role_key(r.get("role")) == wanted)


def small_count(v: KpiValue, threshold: int) -> bool:
    """Whether the target's figure is a count that small-count suppression hides (or a
    share whose numerator or denominator is one): never projected."""
    def hidden(x) -> bool:
        return x is not None and 0 < round(x) < threshold

    if v.kpi in COUNT_KPIS:
        return hidden(v.value)
    if v.kpi in SHARE_PARTS and SHARE_PARTS[v.kpi][0] == "outcomes":
        if v.n is None or v.value is None:
            return False
        return hidden(v.n) or hidden(v.value * v.n)
    return False


def forecast_for(data: AgreementData, v: KpiValue, full: Period, last_month: str,
                 threshold: int = 5, kept: dict | None = None) -> Forecast | None:
    """The forecast of one target's figure to the end of ``full`` (a period in progress,
    :func:`period_in_progress`), or ``None`` where there is none to make (``kept``: the
    rows read for other targets of the same data, by table and scope)."""
    if v.comparator not in (">=", "<=") or v.target is None or v.value is None:
        return None
    if small_count(v, threshold):
        return None
    months = Period.parse(canonical_text(full.start, last_month)).months
    n_period = len(full.months)
    kept = {} if kept is None else kept
    if v.kpi in FLOW_KPIS:
        rows = _records(data, COUNT_SUMS[v.kpi], v.cluster_id, full.start, last_month, kept)
        return _flow(v, _monthly(rows, (v.kpi,), months), full, last_month, n_period)
    if v.kpi in LEVEL_KPIS:
        table, column = LEVEL_COLUMN[v.kpi]
        rows = _records(data, table, v.cluster_id, full.start, last_month, kept)
        keep = _staffing_keep(v.party_id, v.role) if table == "staffing" else None
        return _level(v, _monthly(rows, (column,), months, keep), full, last_month,
                      n_period)
    if v.kpi in SHARE_PARTS:
        table, numerator, denominator = SHARE_PARTS[v.kpi]
        rows = _records(data, table, v.cluster_id, full.start, last_month, kept)
        keep = _staffing_keep(v.party_id, v.role) if table == "staffing" else None
        return _share(v, _monthly(rows, numerator, months, keep),
                      _monthly(rows, (denominator,), months, keep), full, last_month,
                      n_period)
    return None


def _make(v: KpiValue, method: str, full: Period, last_month: str, m: int, n: int,
          value: float, low: float, high: float, monthly: float, monthly_low: float,
          monthly_high: float) -> Forecast:
    return Forecast(kpi=v.kpi, cluster_id=v.cluster_id, party_id=v.party_id, role=v.role,
                    method=method, value=value, low=low, high=high, target=v.target,
                    comparator=v.comparator, unit=v.unit, start=full.start, end=full.end,
                    last_month=last_month, months_with_data=m, months_in_period=n,
                    monthly=monthly, monthly_low=monthly_low, monthly_high=monthly_high)


def _flow(v: KpiValue, series: pd.Series, full: Period, last_month: str,
          n: int) -> Forecast | None:
    m = len(series)
    if not m:
        return None
    so_far = float(series.sum())
    left = n - m
    slow, fast = float(series.min()), float(series.max())
    return _make(v, "flow", full, last_month, m, n, value=so_far * n / m,
                 low=so_far + left * slow, high=so_far + left * fast,
                 monthly=so_far / m, monthly_low=slow, monthly_high=fast)


def _level(v: KpiValue, series: pd.Series, full: Period, last_month: str,
           n: int) -> Forecast | None:
    m = len(series)
    if not m:
        return None
    last = series.iloc[-LEVEL_MONTHS:]
    carried, lowest, highest = float(last.mean()), float(last.min()), float(last.max())
    so_far = float(series.sum())
    left = n - m
    return _make(v, "level", full, last_month, m, n,
                 value=(so_far + left * carried) / n, low=(so_far + left * lowest) / n,
                 high=(so_far + left * highest) / n,
                 monthly=carried, monthly_low=lowest, monthly_high=highest)


def _share(v: KpiValue, numerator: pd.Series, denominator: pd.Series, full: Period,
           last_month: str, n: int) -> Forecast | None:
    m = len(denominator)
    num, den = float(numerator.sum()), float(denominator.sum())
    if not m or den <= 0:
        return None
    with_any = denominator > 0
    monthly = numerator[with_any] / denominator[with_any]
    worst, best = float(monthly.min()), float(monthly.max())
    more = den / m * (n - m)  # the months left, with as many a month as so far
    return _make(v, "share", full, last_month, m, n, value=num / den,
                 low=(num + more * worst) / (den + more),
                 high=(num + more * best) / (den + more),
                 monthly=num / den, monthly_low=worst, monthly_high=best)


def forecasts(data: AgreementData, values: list[KpiValue], period: Period,
              last_month: str | None, threshold: int = 5) -> list[Forecast]:
    """Every forecast of ``values`` (a view's figures with targets) for P, in their order:
    none when P is finished or the agreement has turned forecasts off."""
    if not forecast_enabled(data.agreement):
        return []
    full = period_in_progress(period, last_month, data.agreement.get("valid_to"),
                              data.agreement.get("valid_from"))
    if full is None:
        return []
    out, kept = [], {}
    for v in values:
        f = forecast_for(data, v, full, last_month, threshold, kept)
        if f is not None:
            out.append(f)
    return out
