"""Key figures (contract.md section 3) and their status against targets.

Pure functions over the DataFrames of one agreement (:class:`AgreementData`); no
database, no formatting. Every figure is computed for the whole agreement
(``cluster_id=None``) and each cluster, and per party where the contract defines it.

The work is vectorised per table, over all scopes at once: the rows of P are summed per
cluster and month in one group-by, the agreement's months are the sums of its clusters'
(:func:`monthly_sums`), and every figure is a mean, a sum or a minimum over those months.

Decisions where the contract is silent (documented in README, "Key figures"):

* a sum over P is ``None`` (no data) when no row of P has a value in that column;
* per-party FTE is averaged (and its lowest month found) over the same months with data as
  the total (the months of P with any staffing row for the agreement or cluster), a month
  without a row for that party counting as 0; ``None`` when the party has no row in P;
* ``unknown`` counts a blank ``other`` as 0 (only ``work`` and ``study`` are required);
* indicators for the whole agreement are the rows with a blank ``cluster_id``; an
  indicator matches P when its period covers exactly the same months; otherwise the
  latest period inside P counts (the latest end; of two ending together, the longer);
  "a year earlier" is then exactly that period shifted twelve months;
* ``increase``/``decrease`` with a ``value``: a move the right way smaller than
  ``value`` is amber, like no move at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache

import pandas as pd

from .periods import Period, parse_period_or_none

COUNT_SUMS = {
    "started": "occupancy",
    "exited": "occupancy",
    "completed": "outcomes",
    "discontinued": "outcomes",
    "work": "outcomes",
    "study": "outcomes",
    "other": "outcomes",
}
OUTCOME_COUNTS = ("completed", "work", "study", "other", "discontinued")
KPI_NAMES = [
    "occupancy", "started", "exited", "completed", "discontinued", "work", "study", "other",
    "unknown", "work_study_share", "fte_committed", "fte_actual", "fte_fulfilment",
    "fte_actual_min", "cost_total", "cost_paid", "cost_due", "cost_balance",
]
FTE_KPIS = ("fte_committed", "fte_actual", "fte_fulfilment", "fte_actual_min")
PARTY_KPIS = {*FTE_KPIS, "cost_paid", "cost_due", "cost_balance"}
PARTY_ONLY_KPIS = {"cost_paid", "cost_due", "cost_balance"}
AGREEMENT_ONLY_KPIS = {"cost_total", "cost_paid", "cost_due", "cost_balance"}
SHARE_KPIS = {"work_study_share", "fte_fulfilment"}
UNITS = {
    "occupancy": "count", "work_study_share": "share", "fte_committed": "fte",
    "fte_actual": "fte", "fte_fulfilment": "share", "fte_actual_min": "fte",
    "cost_total": "sek", "cost_paid": "sek", "cost_due": "sek", "cost_balance": "sek",
    "unknown": "count", **{k: "count" for k in COUNT_SUMS},
}
# The monthly table each key figure is computed from (indicators: "indicators").
KPI_TABLES = {"occupancy": "occupancy", "started": "occupancy", "exited": "occupancy",
              **{k: "outcomes" for k in (*OUTCOME_COUNTS, "unknown", "work_study_share")},
              **{k: "staffing" for k in FTE_KPIS},
              **{k: "costs" for k in AGREEMENT_ONLY_KPIS}}
STATUSES = ("green", "amber", "red", "grey")
DEFAULT_TOLERANCE = 0.10
_EPS = 1e-9

TABLE_NAMES = ("parties", "clusters", "targets", "occupancy", "staffing", "cost_shares",
               "costs", "outcomes", "indicators")
MONTHLY_TABLES = ("occupancy", "outcomes", "staffing", "costs")
WHOLE = ""  # the whole agreement as a scope in grouped frames (no cluster id is blank)


@dataclass
class AgreementData:
    """Everything stored for one agreement (possibly limited to some months)."""

    agreement: dict
    parties: pd.DataFrame
    clusters: pd.DataFrame
    targets: pd.DataFrame
    occupancy: pd.DataFrame
    staffing: pd.DataFrame
    cost_shares: pd.DataFrame
    costs: pd.DataFrame
    outcomes: pd.DataFrame
    indicators: pd.DataFrame
    imports: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def agreement_id(self) -> str:
        return self.agreement["agreement_id"]

    @property
    def cluster_ids(self) -> list[str]:
        return list(self.clusters["cluster_id"]) if not self.clusters.empty else []

    @property
    def party_ids(self) -> list[str]:
        ids = list(self.parties["party_id"]) if not self.parties.empty else []
        for frame, col in ((self.cost_shares, "party_id"), (self.costs, "paid_by"),
                           (self.staffing, "party_id")):
            if not frame.empty:
                ids += [p for p in frame[col].unique() if p not in ids]
        return ids


@dataclass(frozen=True)
class KpiValue:
    """One key figure with its target and status; ``CONTRACT_FIELDS`` are the contract's
    (section 4), the rest are for the room (tolerance, the value a year earlier, n, unit,
    the month of a lowest month)."""

    agreement_id: str
    cluster_id: str | None
    party_id: str | None
    period: str
    kpi: str
    value: float | None
    target: float | None
    comparator: str | None
    status: str
    tolerance: float | None = None
    previous: float | None = None
    n: int | None = None
    unit: str = "count"
    value_period: str | None = None
    previous_period: str | None = None
    at_month: str | None = None  # fte_actual_min: the month of the lowest total

    CONTRACT_FIELDS = ("agreement_id", "cluster_id", "party_id", "period", "kpi", "value",
                       "value_period", "target", "comparator", "status")

    def contract_dict(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in self.CONTRACT_FIELDS}


# --------------------------------------------------------------------------- helpers


def _scope(df: pd.DataFrame, cluster_id: str | None) -> pd.DataFrame:
    if cluster_id is None or df.empty or "cluster_id" not in df.columns:
        return df
    return df[df["cluster_id"] == cluster_id]


def _in_period(df: pd.DataFrame, period: Period) -> pd.DataFrame:
    if df.empty:
        return df
    return df[(df["month"] >= period.start) & (df["month"] <= period.end)]


def rows_for(df: pd.DataFrame, period: Period, cluster_id: str | None) -> pd.DataFrame:
    """The rows of a monthly table for P and the agreement (``None``) or one cluster."""
    return _in_period(_scope(df, cluster_id), period)


def _numbers(df: pd.DataFrame, columns) -> pd.DataFrame:
    """The columns as floats (``None`` -> NaN), for sums with ``min_count``."""
    return df[list(columns)].apply(pd.to_numeric, errors="coerce").astype(float)


def monthly_sums(df: pd.DataFrame, period: Period, columns) -> pd.DataFrame:
    """Per scope and month of P with data, the sum of each column over its rows
    (breakdown rows summed; NaN where no row has a value).

    Index ``(scope, month)``: a cluster's rows under its id, and every row again under
    :data:`WHOLE` (``""``), the whole agreement, whose month is the sum of its clusters'.
    """
    rows = _in_period(df, period)
    if rows.empty:
        return pd.DataFrame(columns=list(columns), index=pd.MultiIndex.from_tuples(
            [], names=["scope", "month"]), dtype=float)
    values = _numbers(rows, columns)
    values["scope"] = rows["cluster_id"].to_numpy()
    values["month"] = rows["month"].to_numpy()
    per_cluster = values.groupby(["scope", "month"], sort=True).sum(min_count=1)
    whole = values.drop(columns="scope").groupby("month", sort=True).sum(min_count=1)
    whole.index = pd.MultiIndex.from_arrays([[WHOLE] * len(whole), whole.index],
                                            names=["scope", "month"])
    return pd.concat([whole, per_cluster])


def monthly_totals(df: pd.DataFrame, column: str) -> pd.Series:
    """Per month with data, the sum of ``column`` over all its rows (breakdowns summed)."""
    if df.empty:
        return pd.Series(dtype=float)
    values = pd.to_numeric(df[column], errors="coerce").fillna(0.0)
    return values.groupby(df["month"]).sum().sort_index()


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _clean(x) -> float | int | None:
    if x is None or pd.isna(x):
        return None
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def work_study_share(work, study, completed) -> float | None:
    """(work + study) / completed; ``None`` when there are no completers."""
    if completed is None or completed == 0:
        return None
    return ((work or 0) + (study or 0)) / completed


def unknown_outcome(completed, work, study, other) -> int | float | None:
    """Completers whose outcome is not reported: completed − work − study − other."""
    if completed is None:
        return None
    return _clean(completed - (work or 0) - (study or 0) - (other or 0))


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class _Raw:
    value: float | None
    n: int | None = None
    unit: str = "count"
    value_period: str | None = None
    at_month: str | None = None


Values = dict[tuple[str | None, str, str | None], _Raw]  # (scope, kpi, party) -> figure


def _occupancy_figures(data: AgreementData, period: Period, out: Values) -> None:
    """occupancy (a mean of month totals), started, exited (sums), for every scope."""
    sums = monthly_sums(data.occupancy, period, ("participants", "started", "exited"))
    if sums.empty:
        return
    by_scope = sums.groupby(level="scope", sort=False)
    means = by_scope["participants"].mean()
    totals = by_scope[["started", "exited"]].sum(min_count=1)
    for scope, mean in means.items():
        key = scope or None
        out[(key, "occupancy", None)] = _Raw(_clean(mean))
        for kpi in ("started", "exited"):
            out[(key, kpi, None)] = _Raw(_clean(totals.at[scope, kpi]))


def _outcome_figures(data: AgreementData, period: Period, out: Values) -> None:
    """The outcome sums, unknown and the share in work or study, for every scope."""
    sums = monthly_sums(data.outcomes, period, OUTCOME_COUNTS)
    if sums.empty:
        return
    totals = sums.groupby(level="scope", sort=False).sum(min_count=1)
    for scope, rec in zip(totals.index, totals.to_dict("records"), strict=True):
        key = scope or None
        got = {k: _clean(rec[k]) for k in OUTCOME_COUNTS}
        for kpi in OUTCOME_COUNTS:
            out[(key, kpi, None)] = _Raw(got[kpi])
        out[(key, "unknown", None)] = _Raw(unknown_outcome(
            got["completed"], got["work"], got["study"], got["other"]))
        out[(key, "work_study_share", None)] = _Raw(
            work_study_share(got["work"], got["study"], got["completed"]),
            n=got["completed"], unit="share")


def _staffing_figures(data: AgreementData, period: Period, scopes: list[str | None],
                      out: Values) -> None:
    """FTE committed, actual, fulfilment and the lowest month, total and per party.

    The months with data of a scope are the months of P with any of its staffing rows;
    a party without a row in such a month counts 0 there (README, "Key figures").
    """
    rows = _in_period(data.staffing, period)
    if rows.empty:
        return
    values = _numbers(rows, ("committed_fte", "actual_fte")).fillna(0.0)
    values["cluster"] = rows["cluster_id"].to_numpy()
    values["month"] = rows["month"].to_numpy()
    values["party"] = rows["party_id"].to_numpy()
    targets = data.targets
    order = data.party_ids
    for scope in scopes:
        mine = values if scope is None else values[values["cluster"] == scope]
        if mine.empty:
            continue
        per = mine.groupby(["month", "party"], sort=True)[["committed_fte", "actual_fte"]].sum()
        committed = per["committed_fte"].unstack("party", fill_value=0.0)
        actual = per["actual_fte"].unstack("party", fill_value=0.0)
        with_target = set() if targets.empty else set(targets.loc[
            targets["kpi"].isin(FTE_KPIS) & (targets["cluster_id"] == (scope or ""))
            & (targets["party_id"] != ""), "party_id"])
        parties = [p for p in order if p in committed.columns or p in with_target]
        for kpi in FTE_KPIS:
            out[(scope, kpi, None)] = _fte(kpi, committed.sum(axis=1), actual.sum(axis=1))
        for p in parties:
            if p not in committed.columns:
                for kpi in FTE_KPIS:
                    out[(scope, kpi, p)] = _Raw(None, unit=UNITS[kpi])
                continue
            for kpi in FTE_KPIS:
                out[(scope, kpi, p)] = _fte(kpi, committed[p], actual[p])


def _fte(kpi: str, committed: pd.Series, actual: pd.Series) -> _Raw:
    """One FTE figure from month totals (index: the scope's months with data)."""
    if kpi == "fte_committed":
        return _Raw(_clean(committed.mean()), unit="fte")
    if kpi == "fte_actual":
        return _Raw(_clean(actual.mean()), unit="fte")
    if kpi == "fte_fulfilment":
        return _Raw(_ratio(_clean(actual.mean()), _clean(committed.mean())), unit="share")
    low = actual.idxmin()  # the first of the months with the lowest total
    return _Raw(_clean(actual.loc[low]), unit="fte", at_month=low)


def _cost_figures(data: AgreementData, period: Period, out: Values) -> None:
    """cost_total, and per party cost_paid, cost_due (shares × category totals), balance."""
    total, per = costs(data, period)
    out[(None, "cost_total", None)] = _Raw(total, unit="sek")
    for kpi in ("cost_paid", "cost_due", "cost_balance"):
        for p in data.party_ids:
            out[(None, kpi, p)] = _Raw(per[p][kpi], unit="sek")


def costs(data: AgreementData, period: Period) -> tuple[float | None, dict[str, dict]]:
    """``cost_total`` and, per party, ``cost_paid``, ``cost_due`` and ``cost_balance``."""
    rows = _in_period(data.costs, period)
    parties = data.party_ids
    if rows.empty:
        return None, {p: {"cost_paid": None, "cost_due": None, "cost_balance": None}
                      for p in parties}
    amounts = pd.to_numeric(rows["amount_sek"], errors="coerce").fillna(0.0)
    paid = amounts.groupby(rows["paid_by"]).sum()
    per_category = amounts.groupby(rows["cost_category"]).sum()
    shares = data.cost_shares
    if shares.empty:
        due = pd.Series(dtype=float)
    else:
        totals = shares["cost_category"].map(per_category).fillna(0.0)
        due = (pd.to_numeric(shares["share"]).astype(float) * totals).groupby(
            shares["party_id"]).sum()
    out = {}
    for p in parties:
        paid_p, due_p = float(paid.get(p, 0.0)), float(due.get(p, 0.0))
        out[p] = {"cost_paid": _clean(paid_p), "cost_due": _clean(due_p),
                  "cost_balance": _clean(paid_p - due_p)}
    return _clean(float(amounts.sum())), out


# --------------------------------------------------------------------------- indicators


@lru_cache(maxsize=4096)
def _span(text: str) -> tuple[str, str] | None:
    p = parse_period_or_none(text)
    return (p.start, p.end) if p else None


def indicator_names(data: AgreementData, cluster_id: str | None) -> list[str]:
    """Indicators followed at this level: those with rows, and those with targets."""
    names: list[str] = []
    level = cluster_id or ""
    ind = data.indicators
    if not ind.empty:
        names += list(dict.fromkeys(ind.loc[ind["cluster_id"] == level, "indicator"]))
    t = data.targets
    if not t.empty:
        for k in t.loc[t["cluster_id"] == level, "kpi"]:
            if k not in KPI_NAMES and k not in names:
                names.append(k)
    return names


def _indicator_rows(data: AgreementData, name: str, cluster_id: str | None) -> pd.DataFrame:
    ind = data.indicators
    if ind.empty:
        return ind
    return ind[(ind["indicator"] == name) & (ind["cluster_id"] == (cluster_id or ""))]


def _unit(rows: pd.DataFrame) -> str:
    return "percent" if "value_unit" in rows and (rows["value_unit"] == "%").any() \
        else "number"


def indicator_period(data: AgreementData, name: str, period: Period,
                     cluster_id: str | None = None) -> Period | None:
    """The period an indicator's value for P is for: P itself when a row has exactly P,
    else the latest period inside P with rows (``None`` when none lies inside P)."""
    rows = _indicator_rows(data, name, cluster_id)
    if rows.empty:
        return None
    best = None
    for text in rows["period"].unique():
        span = _span(text)
        if span is None:
            continue
        if span == (period.start, period.end):
            return period
        if period.start <= span[0] and span[1] <= period.end:
            rank = (span[1], -_months(span))
            if best is None or rank > best[0]:
                best = (rank, text)
    return Period.parse(best[1]) if best else None


def _months(span: tuple[str, str]) -> int:
    return (int(span[1][:4]) - int(span[0][:4])) * 12 + int(span[1][5:]) - int(span[0][5:])


def indicator_exact(data: AgreementData, name: str, period: Period,
                    cluster_id: str | None = None) -> float | None:
    """The indicator's value for exactly ``period`` (gender rows summed), else ``None``."""
    rows = _indicator_rows(data, name, cluster_id)
    if rows.empty:
        return None
    spans = rows["period"].map(_span)
    rows = rows[spans == (period.start, period.end)]
    if rows.empty:
        return None
    return _clean(pd.to_numeric(rows["value"], errors="coerce").sum())


def indicator_value(data: AgreementData, name: str, period: Period,
                    cluster_id: str | None = None) -> tuple[float | None, str]:
    """The indicator's value for P (contract section 3) and its unit."""
    value, unit, _ = indicator_figure(data, name, period, cluster_id)
    return value, unit


def indicator_figure(data: AgreementData, name: str, period: Period,
                     cluster_id: str | None = None) -> tuple[float | None, str, Period | None]:
    """(value, unit, the period the value is for)."""
    rows = _indicator_rows(data, name, cluster_id)
    unit = _unit(rows) if not rows.empty else "number"
    at = indicator_period(data, name, period, cluster_id)
    if at is None:
        return None, unit, None
    return indicator_exact(data, name, at, cluster_id), unit, at


def _indicator_figures(data: AgreementData, period: Period, scopes, out: Values) -> None:
    for scope in scopes:
        for name in indicator_names(data, scope):
            value, unit, at = indicator_figure(data, name, period, scope)
            out[(scope, name, None)] = _Raw(
                value, unit=unit,
                value_period=at.text if at is not None and not at.same_span(period) else None)


# --------------------------------------------------------------------------- no data


def has_rows(data: AgreementData, period: Period, cluster_id: str | None = None) -> bool:
    """Whether the agreement (or cluster) has any row for P: a monthly row of a month of P,
    or an indicator row whose period lies inside P (contract section 3: a period without
    any is "Inga uppgifter för perioden")."""
    for name in MONTHLY_TABLES:
        if name == "costs" and cluster_id is not None:
            continue
        if not rows_for(getattr(data, name), period, cluster_id).empty:
            return True
    ind = data.indicators
    if ind.empty:
        return False
    if cluster_id is not None:
        ind = ind[ind["cluster_id"] == cluster_id]
    for text in ind["period"].unique():
        span = _span(text)
        if span and period.start <= span[0] and span[1] <= period.end:
            return True
    return False


# --------------------------------------------------------------------------- all figures


def _values(data: AgreementData, period: Period, scopes: list[str | None]) -> Values:
    """Every figure of P for the scopes, ``{(scope, kpi, party): _Raw}``."""
    out: Values = {}
    _occupancy_figures(data, period, out)
    _outcome_figures(data, period, out)
    _staffing_figures(data, period, scopes, out)
    if None in scopes:
        _cost_figures(data, period, out)
    _indicator_figures(data, period, scopes, out)
    return out


def _ordered(data: AgreementData, scope: str | None, values: Values) -> list[tuple]:
    """The figures of one scope in the contract's order: every key figure (a missing one
    as ``None``), per-party figures after each total, then the indicators."""
    keys = []
    parties = data.party_ids
    for kpi in KPI_NAMES:
        if kpi in AGREEMENT_ONLY_KPIS and scope is not None:
            continue
        if kpi not in PARTY_ONLY_KPIS:
            keys.append((scope, kpi, None))
        if kpi in FTE_KPIS:
            keys += [(scope, kpi, p) for p in parties if (scope, kpi, p) in values]
        elif kpi in PARTY_ONLY_KPIS:
            keys += [(scope, kpi, p) for p in parties]
    keys += [(scope, name, None) for name in indicator_names(data, scope)]
    return keys


def find_target(data: AgreementData, kpi: str, cluster_id: str | None,
                party_id: str | None, period: Period) -> dict | None:
    """The target valid at the end of P for this figure, or ``None``."""
    return _targets_at(data, period).get((kpi, cluster_id or "", party_id or ""))


def _targets_at(data: AgreementData, period: Period) -> dict[tuple, dict]:
    """Every target valid at the end of P, by ``(kpi, cluster_id, party_id)`` (the one with
    the latest ``valid_from`` where several apply)."""
    t = data.targets
    if t.empty:
        return {}
    day = period.last_day
    start = t["valid_from"].fillna(data.agreement.get("valid_from") or "0000-01-01")
    end = t["valid_to"].fillna(data.agreement.get("valid_to") or "9999-12-31")
    start = start.where(start.astype(bool), data.agreement.get("valid_from") or "0000-01-01")
    end = end.where(end.astype(bool), data.agreement.get("valid_to") or "9999-12-31")
    valid = t[(start <= day) & (day <= end)].assign(_start=start)
    valid = valid.sort_values("_start", kind="stable")
    out: dict[tuple, dict] = {}
    for rec in valid.to_dict("records"):
        out[(rec["kpi"], rec["cluster_id"] or "", rec["party_id"] or "")] = rec
    return out


def status(value, comparator: str | None, target: float | None,
           tolerance: float | None = None, previous=None) -> str:
    """The status rule of contract.md section 3: green, amber, red or grey."""
    if comparator is None or value is None:
        return "grey"
    t = DEFAULT_TOLERANCE if tolerance is None else tolerance
    if comparator in (">=", "<="):
        if target is None:
            return "grey"
        eps = _EPS * max(1.0, abs(target))
        if comparator == ">=":
            if value >= target - eps:
                return "green"
            return "amber" if value >= target * (1 - t) - eps else "red"
        if value <= target + eps:
            return "green"
        return "amber" if value <= target * (1 + t) + eps else "red"
    if comparator in ("increase", "decrease"):
        if previous is None:
            return "grey"
        change = value - previous
        if comparator == "decrease":
            change = -change
        eps = _EPS * max(1.0, abs(previous))
        if change < -eps:
            return "red"
        if abs(change) <= eps:
            return "amber"
        if target is not None and change < target - eps:
            return "amber"
        return "green"
    return "grey"


def _previous(data: AgreementData, key: tuple, raw: _Raw, period: Period,
              earlier: Values) -> tuple[float | None, str | None]:
    """The value a year earlier that an increase/decrease target compares with, and the
    period it is for: an indicator's value for its period shifted twelve months."""
    scope, kpi, party = key
    if kpi not in KPI_NAMES:
        at = Period.parse(raw.value_period) if raw.value_period else period
        before = at.year_earlier()
        return indicator_exact(data, kpi, before, scope), before.text
    prev = earlier.get(key)
    return (prev.value if prev else None), period.year_earlier().text


def compute_kpis(data: AgreementData, period: Period, cluster_id: str | None = None,
                 *, clusters: bool = True) -> list[KpiValue]:
    """Every key figure of P: for the agreement and each cluster (or the one cluster asked).

    ``cluster_id`` given: only that cluster. Else the agreement, then (``clusters=True``)
    each of its clusters.
    """
    scopes = [cluster_id] if cluster_id is not None else \
        [None, *(data.cluster_ids if clusters else [])]
    values = _values(data, period, scopes)
    targets = _targets_at(data, period)
    earlier: Values | None = None
    out: list[KpiValue] = []
    for scope in scopes:
        for key in _ordered(data, scope, values):
            _s, kpi, party = key
            raw = values.get(key) or _Raw(None, unit=UNITS.get(kpi, "number"))
            target = targets.get((kpi, scope or "", party or ""))
            comparator = target["comparator"] if target else None
            prev = prev_period = None
            if comparator in ("increase", "decrease"):
                if earlier is None and kpi in KPI_NAMES:
                    earlier = _values(data, period.year_earlier(), scopes)
                prev, prev_period = _previous(data, key, raw, period, earlier or {})
            tval = _clean(target["value"]) if target and target.get("value") is not None \
                else None
            tol = target.get("tolerance") if target else None
            tol = None if tol is None or pd.isna(tol) else float(tol)
            out.append(KpiValue(
                agreement_id=data.agreement_id, cluster_id=scope, party_id=party,
                period=period.text, kpi=kpi, value=_clean(raw.value), target=tval,
                comparator=comparator,
                status=status(raw.value, comparator, tval, tol, prev),
                tolerance=(tol if tol is not None else DEFAULT_TOLERANCE) if target else None,
                previous=_clean(prev), n=raw.n, unit=raw.unit,
                value_period=raw.value_period, previous_period=prev_period,
                at_month=raw.at_month,
            ))
    return out


def kpi_frame(values: list[KpiValue]) -> pd.DataFrame:
    """Key figures as a DataFrame (all fields), for figures and tables."""
    return pd.DataFrame([asdict(v) for v in values])

