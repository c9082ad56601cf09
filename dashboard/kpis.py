"""Key figures (contract.md section 3) and their status against targets.

Pure pandas; no database, no formatting. One engine computes every figure of a period for
many scopes at once: a scope is ``(agreement_id, cluster)`` with ``""`` for the whole
agreement, so the same group-bys give one agreement's view (the agreement and each of its
clusters, :func:`compute_kpis`) and a national portfolio (every agreement as a whole,
:func:`figure_table` over many agreements).

The engine starts from **monthly sums** (:class:`MonthlySums`): per scope and month, the
sums of occupancy and outcome rows (breakdown rows summed) and per party the staffing.
They are computed from an agreement's rows (:func:`sums_from_rows`) or read as kept in the
database (``repository``, refreshed at every import and undo), and every figure of any
period is a mean, a sum or a minimum over them.

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

import numpy as np
import pandas as pd

from dashboard.domain.periods import Period, parse_period_or_none

COUNT_SUMS = {
    "started": "occupancy",
    "exited": "occupancy",
    "completed": "outcomes",
    "discontinued": "outcomes",
    "work": "outcomes",
    "study": "outcomes",
    "other": "outcomes",
}
OCCUPANCY_SUMS = ("participants", "started", "exited")
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
WHOLE = ""  # the whole agreement as a scope (no cluster id is blank)
SCOPE = ["agreement_id", "scope"]
FIGURE_COLUMNS = ["agreement_id", "scope", "party_id", "kpi", "value", "n", "unit",
                  "value_period", "at_month"]


@dataclass
class MonthlySums:
    """Per scope and month with data: what every figure of any period is computed from.

    ``occupancy``: agreement_id, scope, month, participants, started, exited;
    ``outcomes``: agreement_id, scope, month, completed, work, study, other, discontinued;
    ``staffing``: agreement_id, scope, month, party_id, committed_fte, actual_fte.
    ``scope`` is the cluster, or :data:`WHOLE` for the agreement (all its rows). Sums are
    NaN where no row of the month has a value in that column.
    """

    occupancy: pd.DataFrame
    outcomes: pd.DataFrame
    staffing: pd.DataFrame

    def within(self, start: str, end: str) -> MonthlySums:
        """Only the months from ``start`` to ``end``."""
        return MonthlySums(*(_months(f, start, end) for f in
                             (self.occupancy, self.outcomes, self.staffing)))


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
    sums: MonthlySums | None = None  # as kept in the database; else from the rows

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

    def monthly_sums(self) -> MonthlySums:
        if self.sums is None:
            self.sums = sums_from_rows(self.occupancy, self.outcomes, self.staffing)
        return self.sums


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
    return _months(df, period.start, period.end)


def _months(df: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    if df.empty:
        return df
    return df[(df["month"] >= start) & (df["month"] <= end)]


def rows_for(df: pd.DataFrame, period: Period, cluster_id: str | None) -> pd.DataFrame:
    """The rows of a monthly table for P and the agreement (``None``) or one cluster."""
    return _in_period(_scope(df, cluster_id), period)


def _numbers(df: pd.DataFrame, columns) -> pd.DataFrame:
    """The columns as floats (``None`` -> NaN), for sums with ``min_count``."""
    return df[list(columns)].apply(pd.to_numeric, errors="coerce").astype(float)


def monthly_totals(df: pd.DataFrame, column: str) -> pd.Series:
    """Per month with data, the sum of ``column`` over all its rows (breakdowns summed)."""
    if df.empty:
        return pd.Series(dtype=float)
    values = pd.to_numeric(df[column], errors="coerce").fillna(0.0)
    return values.groupby(df["month"]).sum().sort_index()


def _clean(x) -> float | int | None:
    if x is None or pd.isna(x):
        return None
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


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


# --------------------------------------------------------------------------- monthly sums


def _grouped_sums(rows: pd.DataFrame, columns, keys) -> pd.DataFrame:
    """Sums of ``columns`` per ``keys`` (NaN where no row has a value), keys as columns."""
    values = _numbers(rows, columns)
    for k in keys:
        values[k] = rows[k].to_numpy()
    return values.groupby(list(keys), sort=True).sum(min_count=1).reset_index()


def sums_from_rows(occupancy: pd.DataFrame, outcomes: pd.DataFrame,
                   staffing: pd.DataFrame) -> MonthlySums:
    """The monthly sums of one or many agreements' rows: per cluster, and for the whole
    agreement (every row, :data:`WHOLE`)."""
    out = []
    for rows, columns in ((occupancy, OCCUPANCY_SUMS), (outcomes, OUTCOME_COUNTS)):
        if rows.empty:
            out.append(pd.DataFrame(columns=[*SCOPE, "month", *columns]))
            continue
        rows = rows.assign(scope=rows["cluster_id"])
        per_cluster = _grouped_sums(rows, columns, ("agreement_id", "scope", "month"))
        whole = _grouped_sums(rows.assign(scope=WHOLE), columns,
                              ("agreement_id", "scope", "month"))
        out.append(pd.concat([whole, per_cluster], ignore_index=True))
    if staffing.empty:
        staff = pd.DataFrame(columns=[*SCOPE, "month", "party_id", "committed_fte",
                                      "actual_fte"])
    else:
        cols = ("committed_fte", "actual_fte")
        keys = ("agreement_id", "scope", "month", "party_id")
        clustered = staffing[staffing["cluster_id"] != ""]
        parts = [_grouped_sums(staffing.assign(scope=WHOLE), cols, keys)]
        if not clustered.empty:
            parts.append(_grouped_sums(clustered.assign(scope=clustered["cluster_id"]),
                                       cols, keys))
        staff = pd.concat(parts, ignore_index=True)
    return MonthlySums(out[0], out[1], staff)


# --------------------------------------------------------------------------- the engine


@dataclass
class Inputs:
    """What the engine reads: monthly sums and the rows that are not summed by month."""

    sums: MonthlySums
    costs: pd.DataFrame  # agreement_id, month, cost_category, paid_by, amount_sek
    cost_shares: pd.DataFrame
    indicators: pd.DataFrame
    targets: pd.DataFrame
    parties: dict[str, list[str]]  # agreement -> its parties, in order
    validity: dict[str, tuple[str, str]]  # agreement -> (valid_from, valid_to)


def inputs_of(data: AgreementData) -> Inputs:
    a = data.agreement_id
    return Inputs(sums=data.monthly_sums(), costs=data.costs, cost_shares=data.cost_shares,
                  indicators=data.indicators, targets=data.targets,
                  parties={a: data.party_ids},
                  validity={a: (data.agreement.get("valid_from") or "",
                                data.agreement.get("valid_to") or "")})


def _figures(kpi: str, frame: pd.DataFrame, value: str, **extra) -> pd.DataFrame:
    """Rows of the figure table from a frame with ``agreement_id, scope`` and ``value``."""
    out = pd.DataFrame({"agreement_id": frame["agreement_id"].to_numpy(),
                        "scope": frame["scope"].to_numpy(),
                        "party_id": frame["party_id"].to_numpy() if "party_id" in frame
                        else "", "kpi": kpi, "value": frame[value].to_numpy(dtype=float),
                        "unit": UNITS.get(kpi, "number")})
    for k, v in extra.items():
        out[k] = v.to_numpy() if isinstance(v, pd.Series) else v
    return out


def _occupancy_table(sums: pd.DataFrame, period: Period) -> list[pd.DataFrame]:
    rows = _in_period(sums, period)
    if rows.empty:
        return []
    g = rows.groupby(SCOPE, sort=False)
    mean = g["participants"].mean().rename("v").reset_index()
    totals = g[["started", "exited"]].sum(min_count=1).reset_index()
    return [_figures("occupancy", mean, "v"), _figures("started", totals, "started"),
            _figures("exited", totals, "exited")]


def _outcome_table(sums: pd.DataFrame, period: Period) -> list[pd.DataFrame]:
    rows = _in_period(sums, period)
    if rows.empty:
        return []
    t = rows.groupby(SCOPE, sort=False)[list(OUTCOME_COUNTS)].sum(min_count=1).reset_index()
    out = [_figures(k, t, k) for k in OUTCOME_COUNTS]
    ws = t["work"].fillna(0) + t["study"].fillna(0)
    t["unknown"] = t["completed"] - ws - t["other"].fillna(0)
    t["share"] = (ws / t["completed"]).where(t["completed"] > 0)
    out.append(_figures("unknown", t, "unknown"))
    out.append(_figures("work_study_share", t, "share", n=t["completed"]))
    return out


def _staffing_table(sums: pd.DataFrame, period: Period, targets: pd.DataFrame,
                    parties: dict[str, list[str]]) -> list[pd.DataFrame]:
    """FTE committed, actual, fulfilment and the lowest month, total and per party.

    The months with data of a scope are its months of P with any staffing row; a party
    without a row in such a month counts 0 there (README, "Key figures").
    """
    rows = _in_period(sums, period)
    if rows.empty:
        return []
    rows = rows.fillna({"committed_fte": 0.0, "actual_fte": 0.0})
    # Per scope, month and party, every party in every month of its scope (0 if absent).
    grid = rows.groupby([*SCOPE, "month", "party_id"], sort=True)[
        ["committed_fte", "actual_fte"]].sum().unstack("party_id", fill_value=0.0)
    committed, actual = grid["committed_fte"], grid["actual_fte"]
    out = _fte_figures(committed.sum(axis=1), actual.sum(axis=1))
    present = rows.groupby([*SCOPE, "party_id"]).size()
    # Every party at once (0 in a month of its scope without its row), kept where it has rows.
    out += _fte_figures(committed.stack(), actual.stack(), keep=present.index)
    # Parties with an FTE target at a scope but no row there: listed without a value.
    if not targets.empty:
        targeted = targets[targets["kpi"].isin(FTE_KPIS) & (targets["party_id"] != "")]
        if not targeted.empty:
            scopes = present.reset_index()[SCOPE].drop_duplicates()
            missing = targeted.rename(columns={"cluster_id": "scope"})[
                ["agreement_id", "scope", "party_id"]].drop_duplicates().merge(scopes,
                                                                              on=SCOPE)
            got = pd.MultiIndex.from_frame(present.reset_index()[[*SCOPE, "party_id"]])
            missing = missing[~pd.MultiIndex.from_frame(missing).isin(got)]
            if not missing.empty:
                out += [_figures(kpi, missing.assign(v=np.nan), "v") for kpi in FTE_KPIS]
    return out


def _fte_figures(committed: pd.Series, actual: pd.Series,
                 keep: pd.MultiIndex | None = None) -> list[pd.DataFrame]:
    """From FTE per (agreement, scope, month[, party]): mean committed, mean actual, their
    ratio, and the lowest month's actual with its month (the first of equal lowest months);
    per party when the index has one, only for the (agreement, scope, party) in ``keep``."""
    keys = [*SCOPE, *(["party_id"] if "party_id" in actual.index.names else [])]
    month_at = actual.index.names.index("month")
    g_c = committed.groupby(level=keys, sort=False)
    g_a = actual.groupby(level=keys, sort=False)
    frame = pd.DataFrame({"committed_fte": g_c.mean(), "actual_fte": g_a.mean(),
                          "low": g_a.min()})
    frame["low_month"] = [i[month_at] for i in g_a.idxmin()]
    if keep is not None:
        frame = frame[frame.index.isin(keep)]
    frame = frame.reset_index()
    if "party_id" not in frame:
        frame["party_id"] = ""
    frame["ratio"] = (frame["actual_fte"] / frame["committed_fte"]).where(
        frame["committed_fte"] != 0)
    return [_figures("fte_committed", frame, "committed_fte"),
            _figures("fte_actual", frame, "actual_fte"),
            _figures("fte_fulfilment", frame, "ratio"),
            _figures("fte_actual_min", frame, "low", at_month=frame["low_month"])]


def _cost_table(inputs: Inputs, period: Period) -> list[pd.DataFrame]:
    """cost_total, and per party cost_paid, cost_due (shares × category totals), balance."""
    rows = _in_period(inputs.costs, period)
    if rows.empty:
        return []
    amounts = rows.assign(amount=pd.to_numeric(rows["amount_sek"], errors="coerce")
                          .fillna(0.0))
    total = amounts.groupby("agreement_id", sort=False)["amount"].sum().reset_index()
    total["scope"] = WHOLE
    out = [_figures("cost_total", total, "amount")]
    paid = amounts.groupby(["agreement_id", "paid_by"])["amount"].sum()
    per_category = amounts.groupby(["agreement_id", "cost_category"])["amount"].sum()
    shares = inputs.cost_shares
    due = pd.Series(dtype=float)
    if not shares.empty:
        key = pd.MultiIndex.from_frame(shares[["agreement_id", "cost_category"]])
        cat_total = per_category.reindex(key).fillna(0.0).to_numpy()
        due = (pd.to_numeric(shares["share"]).astype(float).to_numpy() * cat_total)
        due = pd.Series(due).groupby([shares["agreement_id"].to_numpy(),
                                      shares["party_id"].to_numpy()]).sum()
    records = []
    for a in total["agreement_id"]:
        for p in inputs.parties.get(a, []):
            paid_p = float(paid.get((a, p), 0.0))
            due_p = float(due.get((a, p), 0.0)) if len(due) else 0.0
            records.append((a, p, paid_p, due_p, paid_p - due_p))
    frame = pd.DataFrame(records, columns=["agreement_id", "party_id", "paid", "due", "bal"])
    frame["scope"] = WHOLE
    out += [_figures("cost_paid", frame, "paid"), _figures("cost_due", frame, "due"),
            _figures("cost_balance", frame, "bal")]
    return out


@lru_cache(maxsize=8192)
def _span(text: str) -> tuple[str, str] | None:
    p = parse_period_or_none(text)
    return (p.start, p.end) if p else None


def _indicator_table(indicators: pd.DataFrame, period: Period) -> list[pd.DataFrame]:
    """Each indicator's value for P: summed over the rows (gender) of exactly P, else of
    the latest period inside P (``value_period``)."""
    if indicators.empty:
        return []
    spans = indicators["period"].map(_span)
    ok = spans.notna().to_numpy()
    if not ok.any():
        return []
    start = np.array([s[0] if s else "" for s in spans])
    end = np.array([s[1] if s else "" for s in spans])
    inside = ok & (start >= period.start) & (end <= period.end)
    if not inside.any():
        return []
    ind = indicators[inside]
    exact = (start[inside] == period.start) & (end[inside] == period.end)
    keys = ["agreement_id", "cluster_id", "indicator"]
    # The period each indicator takes: exactly P if any, else the latest end, the longer.
    order = ind.assign(_exact=exact, _end=end[inside], _start=start[inside]).sort_values(
        ["_exact", "_end", "_start"], ascending=[False, False, True], kind="stable")
    chosen = order.groupby(keys, sort=False)["period"].transform("first")
    picked = order[order["period"] == chosen]
    values = pd.to_numeric(picked["value"], errors="coerce")
    g = picked.assign(_v=values, _pct=picked["value_unit"] == "%"
                      if "value_unit" in picked else False).groupby([*keys, "period"],
                                                                    sort=False)
    frame = g.agg(value=("_v", lambda v: v.sum(min_count=1)), pct=("_pct", "any")) \
        .reset_index()
    is_p = frame["period"].map(lambda text: _span(text) == (period.start, period.end))
    return [pd.DataFrame({"agreement_id": frame["agreement_id"],
                          "scope": frame["cluster_id"], "party_id": "",
                          "kpi": frame["indicator"], "value": frame["value"].astype(float),
                          "unit": np.where(frame["pct"], "percent", "number"),
                          "value_period": frame["period"].where(~is_p, None)})]


def figure_table(inputs: Inputs, period: Period,
                 tables: frozenset[str] | set[str] | None = None) -> pd.DataFrame:
    """Every figure of P for every scope in ``inputs``: agreement_id, scope, party_id
    (``""`` for the total), kpi, value (NaN: none), n, unit, value_period, at_month.
    ``tables`` limits it to the figures of some tables (occupancy, outcomes, staffing,
    costs, indicators)."""
    sums = inputs.sums

    def wanted(name: str) -> bool:
        return tables is None or name in tables

    parts = [*(_occupancy_table(sums.occupancy, period) if wanted("occupancy") else []),
             *(_outcome_table(sums.outcomes, period) if wanted("outcomes") else []),
             *(_staffing_table(sums.staffing, period, inputs.targets, inputs.parties)
               if wanted("staffing") else []),
             *(_cost_table(inputs, period) if wanted("costs") else []),
             *(_indicator_table(inputs.indicators, period) if wanted("indicators")
               else [])]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    for col in FIGURE_COLUMNS:
        if col not in table:
            table[col] = None
    return table[FIGURE_COLUMNS]


# --------------------------------------------------------------------------- targets


def targets_at(targets: pd.DataFrame, period: Period,
               validity: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The targets valid at the end of P (the latest ``valid_from`` where several apply),
    with ``scope`` for the cluster (``""``: the agreement) and ``party`` (``""``: all)."""
    if targets.empty:
        return targets.assign(scope=[], party=[])
    day = period.last_day
    agreement_from = targets["agreement_id"].map(lambda a: validity.get(a, ("", ""))[0])
    agreement_to = targets["agreement_id"].map(lambda a: validity.get(a, ("", ""))[1])
    start = targets["valid_from"].where(targets["valid_from"].fillna("").astype(bool),
                                        agreement_from).fillna("").replace("", "0000-01-01")
    end = targets["valid_to"].where(targets["valid_to"].fillna("").astype(bool),
                                    agreement_to).fillna("").replace("", "9999-12-31")
    valid = targets[(start <= day) & (day <= end)].assign(_start=start)
    valid = valid.sort_values("_start", kind="stable").drop_duplicates(
        ["agreement_id", "kpi", "cluster_id", "party_id"], keep="last")
    return valid.assign(scope=valid["cluster_id"].fillna(""),
                        party=valid["party_id"].fillna(""))


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


def assessed(table: pd.DataFrame, inputs: Inputs, period: Period) -> pd.DataFrame:
    """The figure table with each figure's target, comparator, tolerance, the value a year
    earlier (for increase/decrease) and status."""
    valid = targets_at(inputs.targets, period, inputs.validity)
    key = ["agreement_id", "scope", "party_id", "kpi"]
    if not valid.empty:
        # A target whose figure has no value for P is still assessed (grey).
        have = pd.MultiIndex.from_frame(table[key]) if len(table) else None
        wanted = valid[["agreement_id", "scope", "party", "kpi"]].set_axis(key, axis=1)
        extra = wanted if have is None else \
            wanted[~pd.MultiIndex.from_frame(wanted).isin(have)]
        if not extra.empty:
            extra = extra.assign(value=np.nan, unit=[UNITS.get(k, "number")
                                                     for k in extra["kpi"]])
            table = pd.concat([table, extra], ignore_index=True)
    merged = table.merge(
        valid.rename(columns={"party": "party_id_t", "value": "target"})[
            ["agreement_id", "scope", "party_id_t", "kpi", "comparator", "target",
             "tolerance"]].rename(columns={"party_id_t": "party_id"}),
        on=key, how="left")
    merged["previous"] = np.nan
    merged["previous_period"] = None
    directional = merged["comparator"].isin(["increase", "decrease"])
    if directional.any():
        earlier = period.year_earlier()
        monthly = directional & merged["kpi"].isin(KPI_NAMES)
        if monthly.any():
            needed = {KPI_TABLES[k] for k in merged.loc[monthly, "kpi"].unique()}
            before = figure_table(inputs, earlier, needed).set_index(key)["value"]
            idx = pd.MultiIndex.from_frame(merged.loc[monthly, key])
            merged.loc[monthly, "previous"] = before.reindex(idx).to_numpy()
            merged.loc[monthly, "previous_period"] = earlier.text
        rows = merged.index[directional & ~merged["kpi"].isin(KPI_NAMES)]
        if len(rows):
            # An indicator's value a year before the period it was taken for.
            sub = merged.loc[rows]
            before = [(Period.parse(vp) if isinstance(vp, str) else period).year_earlier()
                      for vp in sub["value_period"]]
            merged.loc[rows, "previous"] = _indicator_exact(
                inputs.indicators, sub["agreement_id"], sub["scope"], sub["kpi"], before)
            merged.loc[rows, "previous_period"] = [p.text for p in before]
    merged["status"] = [
        status(_clean(v), c if isinstance(c, str) else None, _clean(t),
               None if tol is None or pd.isna(tol) else float(tol), _clean(p))
        for v, c, t, tol, p in zip(merged["value"], merged["comparator"], merged["target"],
                                   merged["tolerance"], merged["previous"], strict=True)]
    return merged


def _indicator_exact(indicators: pd.DataFrame, agreements, scopes, names,
                     periods: list[Period]) -> np.ndarray:
    """Indicators' values for exactly these periods (their rows, one per gender, summed),
    NaN where there is none; one lookup for any number of them."""
    if indicators.empty:
        return np.full(len(periods), np.nan)
    spans = indicators["period"].map(_span)
    ok = spans.notna().to_numpy()
    ind = indicators[ok]
    frame = pd.DataFrame({
        "agreement_id": ind["agreement_id"].to_numpy(), "scope": ind["cluster_id"].to_numpy(),
        "kpi": ind["indicator"].to_numpy(), "start": [s[0] for s in spans[ok]],
        "end": [s[1] for s in spans[ok]],
        "value": pd.to_numeric(ind["value"], errors="coerce").to_numpy()})
    sums = frame.groupby(["agreement_id", "scope", "kpi", "start", "end"])["value"] \
        .sum(min_count=1)
    wanted = pd.MultiIndex.from_arrays([list(agreements), list(scopes), list(names),
                                        [p.start for p in periods], [p.end for p in periods]])
    return sums.reindex(wanted).to_numpy(dtype=float)


# --------------------------------------------------------------------------- one agreement


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


def indicator_exact(data: AgreementData, name: str, period: Period,
                    cluster_id: str | None = None) -> float | None:
    """The indicator's value for exactly ``period`` (gender rows summed), else ``None``."""
    return _clean(_indicator_exact(data.indicators, [data.agreement_id], [cluster_id or ""],
                                   [name], [period])[0])


def indicator_figure(data: AgreementData, name: str, period: Period,
                     cluster_id: str | None = None) -> tuple[float | None, str, Period | None]:
    """(value, unit, the period the value is for) of one indicator for P."""
    ind = data.indicators
    rows = ind[(ind["indicator"] == name) & (ind["cluster_id"] == (cluster_id or ""))] \
        if not ind.empty else ind
    unit = "percent" if not rows.empty and "value_unit" in rows and \
        (rows["value_unit"] == "%").any() else "number"
    table = _indicator_table(rows, period)
    if not table or table[0].empty:
        return None, unit, None
    rec = table[0].iloc[0]
    at = Period.parse(rec["value_period"]) if isinstance(rec["value_period"], str) else period
    return _clean(rec["value"]), unit, at


def indicator_value(data: AgreementData, name: str, period: Period,
                    cluster_id: str | None = None) -> tuple[float | None, str]:
    """The indicator's value for P (contract section 3) and its unit."""
    value, unit, _ = indicator_figure(data, name, period, cluster_id)
    return value, unit


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


def _ordered_keys(data: AgreementData, scope: str, present: set[tuple]) -> list[tuple]:
    """The figures of one scope in the contract's order: every key figure (a missing one
    as ``None``), per-party figures after each total, then the indicators."""
    keys = []
    parties = data.party_ids
    for kpi in KPI_NAMES:
        if kpi in AGREEMENT_ONLY_KPIS and scope != WHOLE:
            continue
        if kpi not in PARTY_ONLY_KPIS:
            keys.append((scope, "", kpi))
        if kpi in FTE_KPIS:
            keys += [(scope, p, kpi) for p in parties if (scope, p, kpi) in present]
        elif kpi in PARTY_ONLY_KPIS:
            keys += [(scope, p, kpi) for p in parties]
    keys += [(scope, "", name) for name in indicator_names(data, scope or None)]
    return keys


def compute_kpis(data: AgreementData, period: Period, cluster_id: str | None = None,
                 *, clusters: bool = True) -> list[KpiValue]:
    """Every key figure of P: for the agreement and each cluster (or the one cluster asked).

    ``cluster_id`` given: only that cluster. Else the agreement, then (``clusters=True``)
    each of its clusters.
    """
    scopes = [cluster_id] if cluster_id is not None else \
        [WHOLE, *(data.cluster_ids if clusters else [])]
    inputs = inputs_of(data)
    table = assessed(figure_table(inputs, period), inputs, period)
    by_key = {(r["scope"], r["party_id"], r["kpi"]): r for r in table.to_dict("records")}
    present = set(by_key)
    units = _indicator_units(data.indicators)
    out: list[KpiValue] = []
    for scope in scopes:
        for key in _ordered_keys(data, scope, present):
            rec = by_key.get(key)
            if (scope, key[2]) in units:  # an indicator's unit, whether or not P has a value
                rec = {**(rec or {}), "unit": units[(scope, key[2])]}
            out.append(kpi_value(data.agreement_id, period, key, rec))
    return out


def _indicator_units(indicators: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Per (cluster, indicator): ``percent`` when any of its rows was written with ``%``."""
    if indicators.empty or "value_unit" not in indicators:
        return {}
    pct = indicators["value_unit"] == "%"
    grouped = pct.groupby([indicators["cluster_id"], indicators["indicator"]]).any()
    return {k: "percent" if v else "number" for k, v in grouped.items()}


def kpi_value(agreement_id: str, period: Period, key: tuple, rec: dict | None) -> KpiValue:
    """One row of an assessed figure table as a :class:`KpiValue` (``rec`` None: no data)."""
    scope, party, kpi = key
    rec = rec or {}
    comparator = rec.get("comparator")
    comparator = comparator if isinstance(comparator, str) else None
    tol = rec.get("tolerance")
    tol = None if tol is None or pd.isna(tol) else float(tol)
    value_period = rec.get("value_period")
    n = rec.get("n")
    return KpiValue(
        agreement_id=agreement_id, cluster_id=scope or None, party_id=party or None,
        period=period.text, kpi=kpi, value=_clean(rec.get("value")),
        target=_clean(rec.get("target")) if comparator else None, comparator=comparator,
        status=rec.get("status", "grey"),
        tolerance=(tol if tol is not None else DEFAULT_TOLERANCE) if comparator else None,
        previous=_clean(rec.get("previous")), n=None if n is None or pd.isna(n) else int(n),
        unit=rec.get("unit") or UNITS.get(kpi, "number"),
        value_period=value_period if isinstance(value_period, str) else None,
        previous_period=rec.get("previous_period") if comparator in ("increase", "decrease")
        else None,
        at_month=rec.get("at_month") if isinstance(rec.get("at_month"), str) else None)


def costs(data: AgreementData, period: Period) -> tuple[float | None, dict[str, dict]]:
    """``cost_total`` and, per party, ``cost_paid``, ``cost_due`` and ``cost_balance``."""
    table = figure_table(inputs_of(data), period)
    rows = table[table["kpi"].isin(AGREEMENT_ONLY_KPIS)]
    total = rows.loc[rows["kpi"] == "cost_total", "value"]
    per = {p: {k: None for k in PARTY_ONLY_KPIS} for p in data.party_ids}
    for rec in rows[rows["party_id"] != ""].to_dict("records"):
        per.setdefault(rec["party_id"], {})[rec["kpi"]] = _clean(rec["value"])
    return (_clean(total.iloc[0]) if len(total) else None), per


def kpi_frame(values: list[KpiValue]) -> pd.DataFrame:
    """Key figures as a DataFrame (all fields), for figures and tables."""
    return pd.DataFrame([asdict(v) for v in values])
