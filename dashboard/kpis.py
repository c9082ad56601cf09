"""Key figures (contract.md section 3) and their status against targets.

Pure functions over the DataFrames of one agreement (:class:`AgreementData`); no
database, no formatting. Every figure is computed for the whole agreement
(``cluster_id=None``) or one cluster, and per party where the contract defines it.

Decisions where the contract is silent (documented in README, "Key figures"):

* a sum over P is ``None`` (no data) when no row of P has a value in that column;
* per-party FTE is averaged over the same months with data as the total (the months
  of P with any staffing row for the agreement or cluster), a month without a row
  for that party counting as 0; ``None`` when the party has no row in P at all;
* indicators for the whole agreement are the rows with a blank ``cluster_id``; an
  indicator matches P when its period covers exactly the same months;
* ``increase``/``decrease`` with a ``value``: a move the right way smaller than
  ``value`` is amber, like no move at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

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
KPI_NAMES = [
    "occupancy", "started", "exited", "completed", "discontinued", "work", "study", "other",
    "work_study_share", "fte_committed", "fte_actual", "fte_fulfilment",
    "cost_total", "cost_paid", "cost_due", "cost_balance",
]
PARTY_KPIS = {"fte_committed", "fte_actual", "fte_fulfilment",
              "cost_paid", "cost_due", "cost_balance"}
PARTY_ONLY_KPIS = {"cost_paid", "cost_due", "cost_balance"}
AGREEMENT_ONLY_KPIS = {"cost_total", "cost_paid", "cost_due", "cost_balance"}
SHARE_KPIS = {"work_study_share", "fte_fulfilment"}
UNITS = {
    "occupancy": "count", "work_study_share": "share", "fte_committed": "fte",
    "fte_actual": "fte", "fte_fulfilment": "share", "cost_total": "sek", "cost_paid": "sek",
    "cost_due": "sek", "cost_balance": "sek", **{k: "count" for k in COUNT_SUMS},
}
STATUSES = ("green", "amber", "red", "grey")
DEFAULT_TOLERANCE = 0.10
_EPS = 1e-9

TABLE_NAMES = ("parties", "clusters", "targets", "occupancy", "staffing", "cost_shares",
               "costs", "outcomes", "indicators")


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
    """One key figure with its target and status; the first nine fields are the contract's."""

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

    CONTRACT_FIELDS = ("agreement_id", "cluster_id", "party_id", "period", "kpi", "value",
                       "target", "comparator", "status")

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


def monthly_totals(df: pd.DataFrame, column: str) -> pd.Series:
    """Per month with data, the sum of ``column`` over all its rows (breakdowns summed)."""
    if df.empty:
        return pd.Series(dtype=float)
    values = pd.to_numeric(df[column], errors="coerce").fillna(0.0)
    return values.groupby(df["month"]).sum().sort_index()


def _sum(df: pd.DataFrame, column: str) -> float | None:
    if df.empty or column not in df.columns:
        return None
    values = pd.to_numeric(df[column], errors="coerce").dropna()
    if values.empty:
        return None
    total = values.sum()
    return int(total) if float(total).is_integer() else float(total)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _clean(x) -> float | int | None:
    if x is None or pd.isna(x):
        return None
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


# --------------------------------------------------------------------------- figures


def occupancy(data: AgreementData, period: Period, cluster_id: str | None = None):
    """Mean over months with data of the month's total participants."""
    totals = monthly_totals(rows_for(data.occupancy, period, cluster_id), "participants")
    return _clean(totals.mean()) if len(totals) else None


def work_study_share(work, study, completed) -> float | None:
    """(work + study) / completed; ``None`` when there are no completers."""
    if completed is None or completed == 0:
        return None
    return ((work or 0) + (study or 0)) / completed


def fte(data: AgreementData, period: Period, cluster_id: str | None = None,
        party_id: str | None = None) -> tuple[float | None, float | None]:
    """(committed, actual): mean over months with data of the month's total FTE."""
    rows = rows_for(data.staffing, period, cluster_id)
    if rows.empty:
        return None, None
    months = sorted(rows["month"].unique())
    if party_id is not None:
        # The party's months count over the same months with data as the total.
        rows = rows[rows["party_id"] == party_id]
        if rows.empty:
            return None, None
    out = []
    for column in ("committed_fte", "actual_fte"):
        totals = monthly_totals(rows, column).reindex(months, fill_value=0.0)
        out.append(_clean(totals.mean()))
    return out[0], out[1]


def costs(data: AgreementData, period: Period) -> tuple[float | None, dict[str, dict]]:
    """``cost_total`` and, per party, ``cost_paid``, ``cost_due`` and ``cost_balance``."""
    rows = _in_period(data.costs, period)
    parties = data.party_ids
    if rows.empty:
        return None, {p: {"cost_paid": None, "cost_due": None, "cost_balance": None}
                      for p in parties}
    amounts = pd.to_numeric(rows["amount_sek"], errors="coerce").fillna(0.0)
    total = float(amounts.sum())
    paid = amounts.groupby(rows["paid_by"]).sum()
    per_category = amounts.groupby(rows["cost_category"]).sum()
    shares = data.cost_shares
    out = {}
    for p in parties:
        due = 0.0
        mine = shares[shares["party_id"] == p] if not shares.empty else shares
        for rec in mine.itertuples(index=False):
            due += float(rec.share) * float(per_category.get(rec.cost_category, 0.0))
        paid_p = float(paid.get(p, 0.0))
        out[p] = {"cost_paid": _clean(paid_p), "cost_due": _clean(due),
                  "cost_balance": _clean(paid_p - due)}
    return _clean(total), out


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


def indicator_value(data: AgreementData, name: str, period: Period,
                    cluster_id: str | None = None) -> tuple[float | None, str]:
    """The indicator's value for exactly P (gender rows summed), and its unit."""
    ind = data.indicators
    if ind.empty:
        return None, "number"
    rows = ind[(ind["indicator"] == name) & (ind["cluster_id"] == (cluster_id or ""))]
    unit = "percent" if (rows.get("value_unit", pd.Series(dtype=str)) == "%").any() else "number"
    spans = rows["period"].map(lambda t: _span(t))
    rows = rows[spans == (period.start, period.end)]
    if rows.empty:
        return None, unit
    return _clean(pd.to_numeric(rows["value"], errors="coerce").sum()), unit


def _span(text: str):
    p = parse_period_or_none(text)
    return (p.start, p.end) if p else None


# --------------------------------------------------------------------------- all figures


@dataclass(frozen=True)
class _Raw:
    value: float | None
    n: int | None = None
    unit: str = "count"


def _values(data: AgreementData, period: Period, cluster_id: str | None) -> dict:
    """Every figure for one scope: ``{(kpi, party_id): _Raw}`` in output order."""
    out: dict[tuple[str, str | None], _Raw] = {}
    out[("occupancy", None)] = _Raw(occupancy(data, period, cluster_id))
    occ = rows_for(data.occupancy, period, cluster_id)
    res = rows_for(data.outcomes, period, cluster_id)
    sums = {}
    for kpi, table in COUNT_SUMS.items():
        sums[kpi] = _sum(occ if table == "occupancy" else res, kpi)
        out[(kpi, None)] = _Raw(sums[kpi])
    completed = sums["completed"]
    out[("work_study_share", None)] = _Raw(
        work_study_share(sums["work"], sums["study"], completed),
        n=completed, unit="share")
    parties = data.party_ids
    staffed = rows_for(data.staffing, period, cluster_id)
    # Parties with staffing rows in P, and parties with a per-party FTE target (so that a
    # party that reported nothing shows as missing against its target, not as absent).
    with_rows = set(staffed["party_id"]) if not staffed.empty else set()
    t = data.targets
    with_target = set() if t.empty else set(
        t.loc[t["kpi"].str.startswith("fte_") & (t["cluster_id"] == (cluster_id or ""))
              & (t["party_id"] != ""), "party_id"])
    staff_parties = [p for p in parties if p in with_rows | with_target]
    committed, actual = fte(data, period, cluster_id)
    per_party = {p: fte(data, period, cluster_id, p) for p in staff_parties}
    out[("fte_committed", None)] = _Raw(committed, unit="fte")
    for p, (c, _a) in per_party.items():
        out[("fte_committed", p)] = _Raw(c, unit="fte")
    out[("fte_actual", None)] = _Raw(actual, unit="fte")
    for p, (_c, a) in per_party.items():
        out[("fte_actual", p)] = _Raw(a, unit="fte")
    out[("fte_fulfilment", None)] = _Raw(_ratio(actual, committed), unit="share")
    for p, (c, a) in per_party.items():
        out[("fte_fulfilment", p)] = _Raw(_ratio(a, c), unit="share")
    if cluster_id is None:
        total, per = costs(data, period)
        out[("cost_total", None)] = _Raw(total, unit="sek")
        for kpi in ("cost_paid", "cost_due", "cost_balance"):
            for p in parties:
                out[(kpi, p)] = _Raw(per[p][kpi], unit="sek")
    for name in indicator_names(data, cluster_id):
        value, unit = indicator_value(data, name, period, cluster_id)
        out[(name, None)] = _Raw(value, unit=unit)
    return out


def find_target(data: AgreementData, kpi: str, cluster_id: str | None,
                party_id: str | None, period: Period) -> dict | None:
    """The target valid at the end of P for this figure, or ``None``."""
    t = data.targets
    if t.empty:
        return None
    rows = t[(t["kpi"] == kpi) & (t["cluster_id"] == (cluster_id or ""))
             & (t["party_id"] == (party_id or ""))]
    if rows.empty:
        return None
    day = period.last_day
    best = None
    for rec in rows.to_dict("records"):
        start = rec.get("valid_from") or data.agreement.get("valid_from") or "0000-01-01"
        end = rec.get("valid_to") or data.agreement.get("valid_to") or "9999-12-31"
        if start <= day <= end and (best is None or start > best[0]):
            best = (start, rec)
    return best[1] if best else None


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


def compute_kpis(data: AgreementData, period: Period, cluster_id: str | None = None,
                 *, clusters: bool = True) -> list[KpiValue]:
    """Every key figure of P: for the agreement and each cluster (or the one cluster asked).

    ``cluster_id`` given: only that cluster. Else the agreement, then (``clusters=True``)
    each of its clusters.
    """
    scopes = [cluster_id] if cluster_id is not None else \
        [None, *(data.cluster_ids if clusters else [])]
    earlier = period.year_earlier()
    out: list[KpiValue] = []
    for scope in scopes:
        values = _values(data, period, scope)
        previous = None
        for (kpi, party), raw in values.items():
            target = find_target(data, kpi, scope, party, period)
            comparator = target["comparator"] if target else None
            prev = None
            if comparator in ("increase", "decrease"):
                if previous is None:
                    previous = _values(data, earlier, scope)
                prev_raw = previous.get((kpi, party))
                prev = prev_raw.value if prev_raw else None
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
            ))
    return out


def kpi_frame(values: list[KpiValue]) -> pd.DataFrame:
    """Key figures as a DataFrame (all fields), for figures and tables."""
    return pd.DataFrame([asdict(v) for v in values])
