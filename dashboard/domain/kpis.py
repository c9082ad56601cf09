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
  indicator matches P when its period covers exactly the same months; otherwise it is
  made by its aggregate (``indicator_defs``, default ``last``): ``last`` the latest
  period inside P (the latest end; of two ending together, the longer), "a year earlier"
  exactly that period shifted twelve months; ``sum``/``mean`` the months' finest periods
  (:func:`combine_periods`), "a year earlier" the same months twelve months back made the
  same way, and none (grey) unless those earlier months are all covered;
* the per-role FTE figures (all parties) average over the scope's months with any
  staffing row, a month without a row of the role counting 0, like a party's; a target
  may name a role or a party, not both (refused at import: the role's figure is for all
  parties together);
* ``meetings`` is 0 in a period with rows but no closed meeting, and none in a period
  without any row or meeting; the rhythm's default target applies to a calendar year
  inside the agreement's validity;
* ``increase``/``decrease`` with a ``value``: a move the right way smaller than
  ``value`` is amber, like no move at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard.domain.periods import Period, month_from_index, month_index, parse_period_or_none

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
    "unknown", "work_study_share", "work_share", "study_share", "fte_committed", "fte_actual",
    "fte_fulfilment", "fte_actual_min", "cost_total", "income", "cost_paid", "cost_due",
    "cost_balance", "meetings",
]
# What each key figure is, for a period P, the whole agreement and each cluster: the table
# of docs/key-figures.md is written from it (`python -m dashboard.cli.docgen`; key figures
# with the same text share a row). "Months with data" are the months of P with a row of the
# figure's table; breakdown rows (gender, target group) are summed first.
_SUM = "sums over P"
_FTE = ("the mean over months with data of the month's total FTE; also per party (all "
        "roles) and per role (all parties: `role` in `kpis`)")
MEANINGS = {
    "occupancy": "the mean over months with data of the month's total `participants`",
    **{k: _SUM for k in ("started", "exited", "completed", "discontinued", "work", "study",
                         "other")},
    "unknown": "`completed` − `work` − `study` − `other`: completers whose outcome is not "
               "reported",
    "work_study_share": "(`work` + `study`) / `completed`, as a fraction; none when "
                        "`completed` is 0",
    "work_share": "`work` / `completed`, as a fraction (the seeds' share to work, apart "
                  "from study); none when `completed` is 0",
    "study_share": "`study` / `completed`, as a fraction; none when `completed` is 0",
    "fte_committed": _FTE,
    "fte_actual": _FTE,
    "fte_fulfilment": "`fte_actual` / `fte_committed`; also per party and per role",
    "fte_actual_min": "the lowest month's total `actual_fte` among months with data (\"never "
                      "under 3 FTE\"); also per party and per role",
    "cost_total": "the sum of `amount_sek` over P, all categories and payers (income, being "
                  "negative, reduces it)",
    "income": "the income in P as a positive number: minus the sum of the negative "
              "`amount_sek` (e.g. fees of 24 500 kr per participant from municipalities "
              "outside the agreement); 0 when P has cost rows but no income, none without "
              "cost rows",
    "cost_paid": "per party: the sum of what it paid",
    "cost_due": "per party: for each category, its share times the category's total, summed",
    "cost_balance": "per party: `cost_paid` − `cost_due` (positive: it paid more than its "
                    "share)",
    "meetings": "the closed steering meetings of the agreement dated in P (the whole "
                "agreement only); with `meetings_per_year` and no target naming it, a "
                "calendar year has the target `>=` that number (\"meetings 2023: 3 of 4\")",
}
INDICATOR_MEANING = (
    "its `value` for exactly P (summed over gender rows); where no row has exactly P, made "
    "by its `aggregate` (`indicator_defs`): `last` the latest period inside P, `sum` / "
    "`mean` each month from the finest period inside P that covers it, summed or averaged "
    "(weighted by months); `value_period` says which months a partial value covers "
    "(\"jan–sep, Q4 missing\")")
FTE_KPIS = ("fte_committed", "fte_actual", "fte_fulfilment", "fte_actual_min")
PARTY_KPIS = {*FTE_KPIS, "cost_paid", "cost_due", "cost_balance"}
PARTY_ONLY_KPIS = {"cost_paid", "cost_due", "cost_balance"}
COST_KPIS = {"cost_total", "income", "cost_paid", "cost_due", "cost_balance"}
AGREEMENT_ONLY_KPIS = {*COST_KPIS, "meetings"}
SHARE_KPIS = {"work_study_share", "work_share", "study_share", "fte_fulfilment"}
UNITS = {
    "occupancy": "count", "work_study_share": "share", "work_share": "share",
    "study_share": "share", "fte_committed": "fte",
    "fte_actual": "fte", "fte_fulfilment": "share", "fte_actual_min": "fte",
    "cost_total": "sek", "income": "sek", "cost_paid": "sek", "cost_due": "sek",
    "cost_balance": "sek", "meetings": "count",
    "unknown": "count", **{k: "count" for k in COUNT_SUMS},
}
# The monthly table each key figure is computed from (indicators: "indicators").
KPI_TABLES = {"occupancy": "occupancy", "started": "occupancy", "exited": "occupancy",
              **{k: "outcomes" for k in (*OUTCOME_COUNTS, "unknown", "work_study_share",
                                         "work_share", "study_share")},
              **{k: "staffing" for k in FTE_KPIS},
              **{k: "costs" for k in COST_KPIS}, "meetings": "meetings"}
# indicator_defs: the unit of an indicator as the figures carry it (a share as "percent",
# formatted as a percentage like the rows written with "%"), and the aggregates.
INDICATOR_UNIT_OF = {"count": "count", "share": "percent", "number": "number", "sek": "sek"}
AGGREGATES = ("sum", "mean", "last")
DEFAULT_AGGREGATE = "last"
STATUSES = ("green", "amber", "red", "grey")
DEFAULT_TOLERANCE = 0.10
_EPS = 1e-9

TABLE_NAMES = ("parties", "clusters", "targets", "occupancy", "staffing", "cost_shares",
               "costs", "outcomes", "indicators", "indicator_defs")
MONTHLY_TABLES = ("occupancy", "outcomes", "staffing", "costs")
WHOLE = ""  # the whole agreement as a scope (no cluster id is blank)
SCOPE = ["agreement_id", "scope"]
FIGURE_COLUMNS = ["agreement_id", "scope", "party_id", "role", "kpi", "value", "n", "unit",
                  "value_period", "at_month"]
# The key of a figure; ``role`` is "" except for the per-role FTE figures (as spelt first).
FIGURE_KEY = ["agreement_id", "scope", "party_id", "role", "kpi"]


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
    indicator_defs: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The agreement's steering meetings (id, held_on, status); None: not known here.
    meetings: pd.DataFrame | None = None
    # Kolada's values for its municipalities and the country (kpi, municipality, period,
    # gender, value; contract section 9): context beside its own figures. None: not read.
    kolada: pd.DataFrame | None = None

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

    role: str | None = None  # the staffing role of a per-role FTE figure
    name: str | None = None  # an indicator's name from indicator_defs

    CONTRACT_FIELDS = ("agreement_id", "cluster_id", "party_id", "period", "kpi", "value",
                       "role", "value_period", "target", "comparator", "status")

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
    months = df["month"].to_numpy()
    try:  # compared as plain strings: half the time of pandas' own comparison
        return df[(months >= start) & (months <= end)]
    except TypeError:  # a month missing (NaN): in no period, as pandas compares it
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
    # The staffing rows (per-role FTE figures); None: no role figures.
    staffing: pd.DataFrame | None = None
    indicator_defs: pd.DataFrame | None = None  # None: every indicator as ``last``
    meetings: pd.DataFrame | None = None  # agreement_id, held_on, status; None: no figure
    meetings_per_year: dict[str, int] = field(default_factory=dict)


def inputs_of(data: AgreementData) -> Inputs:
    a = data.agreement_id
    rhythm = data.agreement.get("meetings_per_year")
    return Inputs(sums=data.monthly_sums(), costs=data.costs, cost_shares=data.cost_shares,
                  indicators=data.indicators, targets=data.targets,
                  parties={a: data.party_ids},
                  validity={a: (data.agreement.get("valid_from") or "",
                                data.agreement.get("valid_to") or "")},
                  staffing=data.staffing, indicator_defs=data.indicator_defs,
                  meetings=data.meetings,
                  meetings_per_year={} if rhythm is None or pd.isna(rhythm)
                  else {a: int(rhythm)})


def _figures(kpi: str, frame: pd.DataFrame, value: str, **extra) -> pd.DataFrame:
    """Rows of the figure table from a frame with ``agreement_id, scope`` and ``value``."""
    out = pd.DataFrame({"agreement_id": frame["agreement_id"].to_numpy(),
                        "scope": frame["scope"].to_numpy(),
                        "party_id": frame["party_id"].to_numpy() if "party_id" in frame
                        else "", "role": frame["role"].to_numpy() if "role" in frame else "",
                        "kpi": kpi, "value": frame[value].to_numpy(dtype=float),
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
    for kpi, part in (("work_share", "work"), ("study_share", "study")):
        t[kpi] = (t[part].fillna(0) / t["completed"]).where(t["completed"] > 0)
        out.append(_figures(kpi, t, kpi, n=t["completed"]))
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
    grid = _fte_grid([rows[k].to_numpy() for k in (*SCOPE, "month", "party_id")],
                     rows["committed_fte"].fillna(0.0), rows["actual_fte"].fillna(0.0))
    if grid is None:
        return []
    out = _fte_figures(grid.total_stats())
    # Every party at once (0 in a month of its scope without its row), where it has rows.
    out += _fte_figures(grid.key_stats("party_id"))
    # Parties with an FTE target at a scope but no row there: listed without a value.
    missing = _targeted_without_rows(targets, grid)
    if missing:
        keys = dict(zip((*SCOPE, "party_id"), np.array(missing, dtype=object).T, strict=True))
        out += _fte_rows({**keys, "role": ""}, [np.full(len(missing), np.nan)] * 4)
    return out


def _targeted_without_rows(targets: pd.DataFrame, grid: _FteGrid) -> list[tuple]:
    """(agreement, scope, party) of each party's FTE target (once, in the targets' order)
    at a scope with staffing rows where that party has none."""
    if targets.empty:
        return []
    first = grid.block_start
    scopes = set(zip(grid.agreement[first], grid.scope[first], strict=True))
    block, key = grid.present
    present = set(zip(grid.agreement[first[block]], grid.scope[first[block]],
                      grid.keys[key], strict=True))
    targeted = dict.fromkeys(
        (a, s, p) for a, s, p, kpi in zip(targets["agreement_id"], targets["cluster_id"],
                                          targets["party_id"], targets["kpi"], strict=True)
        if kpi in FTE_KPIS and p != "")
    return [k for k in targeted if k[:2] in scopes and k not in present]


@dataclass
class _FteGrid:
    """FTE per (agreement, scope, month with data) and per key (party or role), a key
    without a row in a month of its scope counting 0: what the FTE figures average.

    Rows are the (agreement, scope, month) sorted, each scope's months one block; columns
    are every key of the rows, sorted."""

    agreement: np.ndarray  # per row
    scope: np.ndarray
    month: np.ndarray
    keys: np.ndarray  # per column
    committed: np.ndarray  # (rows, keys), C order
    actual: np.ndarray
    block_start: np.ndarray  # per scope, its first row and its number of months
    block_len: np.ndarray
    present: tuple[np.ndarray, np.ndarray]  # (block, column) of the cells with rows, sorted

    def total_stats(self) -> dict[str, np.ndarray]:
        """The figures' inputs of each scope's total (all keys summed per month)."""
        # As pandas sums a frame's rows: numpy's (pairwise) sum of each row, zeros and all.
        committed = np.add.reduce(self.committed, axis=1)
        actual = np.add.reduce(self.actual, axis=1)
        blocks = np.arange(len(self.block_start))
        return self._stats(blocks, committed, actual, self._rows_of(blocks), True)

    def key_stats(self, name: str) -> dict[str, np.ndarray]:
        """The figures' inputs of each key with rows at a scope (the key as ``name``)."""
        block, key = self.present
        rows = self._rows_of(block)
        columns = np.repeat(key, self.block_len[block])
        # pandas grouped the stacked grid (month by month, every key in each month): each
        # key's months come one after another only with one key or one month per scope.
        in_turn = len(self.keys) == 1 or bool((self.block_len == 1).all())
        stats = self._stats(block, self.committed[rows, columns], self.actual[rows, columns],
                            rows, in_turn)
        stats[name] = self.keys[key]
        return stats

    def _rows_of(self, blocks: np.ndarray) -> np.ndarray:
        """The rows of each block in turn."""
        lengths = self.block_len[blocks]
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return np.repeat(self.block_start[blocks], lengths) + offsets

    def _stats(self, blocks: np.ndarray, committed: np.ndarray, actual: np.ndarray,
               rows: np.ndarray, in_turn: bool) -> dict[str, np.ndarray]:
        """Mean committed and actual FTE and the lowest actual with its month, of each run
        of months (the values of ``blocks`` one after another, at ``rows``)."""
        mean_c, mean_a, low, at = _run_stats(committed, actual, self.block_len[blocks],
                                             in_turn)
        first = self.block_start[blocks]
        return {"agreement_id": self.agreement[first], "scope": self.scope[first],
                "committed_fte": mean_c, "actual_fte": mean_a, "low": low,
                "low_month": self.month[rows[at]]}


def _fte_grid(columns: list[np.ndarray], committed, actual) -> _FteGrid | None:
    """The :class:`_FteGrid` of rows (``columns``: agreement, scope, month and key) with
    their committed and actual FTE (no NaN) summed per cell as pandas'
    ``groupby(...).sum()`` adds. A row with a missing key is left out, as by a group-by;
    ``None`` when none is left."""
    kept = ~np.logical_or.reduce([pd.isna(c) for c in columns])
    if not kept.any():
        return None
    columns = [c[kept] for c in columns]
    scope_id, month_id, cell = _sorted_ids(columns)[1:]
    # pandas adds with reduceat when the rows (left out or not) come cell by cell in turn.
    ids = np.full(len(kept), -1)
    ids[kept] = cell
    in_turn = bool((np.diff(ids) >= 0).all())
    order = np.argsort(cell, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(cell[order]) != 0])
    codes, keys = pd.factorize(columns[3], sort=True)
    first = order[starts]  # a row of each cell
    month_rows = np.unique(month_id, return_index=True)[1]  # a row of each month
    grid = []
    for values in (committed, actual):
        values = np.asarray(values, dtype=float)[kept]
        sums = _group_sums(values, order, starts, in_turn)
        grid.append(np.zeros((len(month_rows), len(keys))))
        grid[-1][month_id[first], codes[first]] = sums
    scope_of = scope_id[month_rows]
    block_start = np.flatnonzero(np.r_[True, scope_of[1:] != scope_of[:-1]])
    pairs = np.unique(scope_id.astype(np.int64) * len(keys) + codes)
    return _FteGrid(*(c[month_rows] for c in columns[:3]), np.asarray(keys, dtype=object),
                    *grid, block_start, np.diff(np.r_[block_start, len(month_rows)]),
                    (pairs // len(keys), pairs % len(keys)))


def _sorted_ids(columns: list[np.ndarray]) -> list[np.ndarray]:
    """Per row, the group of its first 1, 2, ... columns (no missing value), numbered in
    the groups' sorted order (as a sorted group-by)."""
    out = []
    ids = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, sort=True)
        ids = np.unique(ids * len(uniques) + codes, return_inverse=True)[1].reshape(-1)
        out.append(ids)
    return out


def _group_sums(values: np.ndarray, order: np.ndarray, starts: np.ndarray,
                in_turn: bool) -> np.ndarray:
    """The sum of each group's values (``values[order]`` group by group from ``starts``)
    as pandas' group-by adds them: with numpy's reduceat when the rows come group by
    group (``in_turn``), else in row order with Kahan's compensation."""
    if in_turn:
        return np.add.reduceat(values, starts)
    return _kahan_sums(values[order], starts, np.diff(np.r_[starts, len(values)]))


def _kahan_sums(values: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The sum of each run ``values[start:start + length]`` in order with Kahan's
    compensation, step for step as pandas' Cython group sum and mean (no NaN)."""
    total = np.zeros(len(starts))
    compensation = np.zeros(len(starts))
    for j in range(int(lengths.max(initial=0))):
        live = np.flatnonzero(lengths > j)
        y = values[starts[live] + j] - compensation[live]
        before = total[live]
        t = before + y
        c = t - before - y
        c[np.isnan(c)] = 0.0  # an infinite value: its sum stays infinite (pandas GH#53606)
        compensation[live] = c
        total[live] = t
    return total


def _run_stats(committed: np.ndarray, actual: np.ndarray, lengths: np.ndarray,
               in_turn: bool) -> tuple[np.ndarray, ...]:
    """Of each run of ``lengths`` values: the means of committed and actual, the lowest
    actual and its place (the first of equal lowest), as pandas' group-by computes them."""
    starts = np.cumsum(lengths) - lengths
    order = np.arange(len(actual))
    sums = [_group_sums(v, order, starts, in_turn) for v in (committed, actual)]
    low = np.minimum.reduceat(actual, starts)
    hits = np.flatnonzero(actual == np.repeat(low, lengths))
    at = hits[np.searchsorted(hits, starts)]
    if not in_turn:  # the Cython minimum keeps the first of equal values (0.0 and -0.0)
        low = actual[at]
    return sums[0] / lengths, sums[1] / lengths, low, at


def _fte_figures(stats: dict[str, np.ndarray]) -> list[pd.DataFrame]:
    """From the means of committed and actual FTE and the lowest month's actual with its
    month (``low``, ``low_month``) per agreement, scope and maybe party or role: the four
    FTE figures (fulfilment: actual over committed, none when nothing is committed)."""
    committed, actual = stats["committed_fte"], stats["actual_fte"]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(committed != 0, actual / committed, np.nan)
    keys = {k: stats.get(k, "") for k in (*SCOPE, "party_id", "role")}
    months = np.r_[np.full(3 * len(committed), np.nan, dtype=object), stats["low_month"]]
    return _fte_rows(keys, [committed, actual, ratio, stats["low"]], at_month=months)


def _fte_rows(keys: dict, values: list[np.ndarray], **extra) -> list[pd.DataFrame]:
    """Rows of the figure table for the four :data:`FTE_KPIS`, each figure's rows in turn
    in one frame: ``keys`` (agreement_id, scope, party_id, role) of each figure's rows,
    ``values`` each figure's values."""
    n = len(values[0])
    frame = {k: np.tile(np.broadcast_to(np.asarray(v, dtype=object), n), len(FTE_KPIS))
             for k, v in keys.items()}
    frame["kpi"] = np.repeat(np.array(FTE_KPIS, dtype=object), n)
    frame["value"] = np.concatenate(values).astype(float)
    frame["unit"] = np.repeat(np.array([UNITS[k] for k in FTE_KPIS], dtype=object), n)
    return [pd.DataFrame({**frame, **extra})]


def role_key(role) -> str:
    """A staffing role as roles are compared: trimmed, case-insensitive."""
    return str(role or "").strip().casefold()


def role_spellings(staffing: pd.DataFrame | None) -> dict[tuple[str, str], str]:
    """Per (agreement, role key): the role as first written in the data."""
    if staffing is None or staffing.empty:
        return {}
    agreements = staffing["agreement_id"].to_numpy()
    roles = staffing["role"].to_numpy()
    a_codes, r_codes = pd.factorize(agreements)[0], pd.factorize(roles)[0]
    # The first row of each (agreement, spelling), in the rows' order; a role's key then
    # keeps the first of its spellings.
    pair = a_codes.astype(np.int64) * (int(r_codes.max()) + 2) + r_codes
    spelt: dict[tuple[str, str], str] = {}
    for i in np.sort(np.unique(pair, return_index=True)[1]):
        spelt.setdefault((agreements[i], role_key(roles[i])), roles[i])
    return spelt


def _role_table(staffing: pd.DataFrame | None, period: Period,
                wanted: set[tuple[str, str]] | None = None) -> list[pd.DataFrame]:
    """The FTE figures per role, all parties together (contract section 3): over the
    months with data of the scope (any staffing row), a month without a row of the role
    counting 0. ``wanted``: only these (agreement, role key); ``None``: every role."""
    if staffing is None or staffing.empty:
        return []
    rows = _in_period(staffing, period)
    if rows.empty:
        return []
    cluster = rows["cluster_id"].fillna("").to_numpy()
    clustered = cluster != ""
    # Every row for the whole agreement, then the clustered rows again for their cluster.
    columns = [_twice(rows["agreement_id"].to_numpy(), clustered),
               np.r_[np.full(len(rows), WHOLE, dtype=object), cluster[clustered]],
               _twice(rows["month"].to_numpy(), clustered),
               _twice(_role_keys(rows["role"].to_numpy()), clustered)]
    values = [_twice(pd.to_numeric(rows[c], errors="coerce").fillna(0.0).to_numpy(
        dtype=float), clustered) for c in ("committed_fte", "actual_fte")]
    grid = _fte_grid(columns, *values)
    if grid is None:
        return []
    if wanted is not None:
        block, key = grid.present
        keep = np.array([(a, k) in wanted for a, k in zip(
            grid.agreement[grid.block_start[block]], grid.keys[key], strict=True)], dtype=bool)
        if not keep.any():
            return []
        grid = replace(grid, present=(block[keep], key[keep]))
    stats = grid.key_stats("role")
    spelt = role_spellings(staffing)
    stats["role"] = np.array([spelt.get((a, k), k) for a, k in
                              zip(stats["agreement_id"], stats["role"], strict=True)],
                             dtype=object)
    return _fte_figures(stats)


def _role_keys(roles: np.ndarray) -> np.ndarray:
    """:func:`role_key` of each role, computed once per spelling."""
    codes, spellings = pd.factorize(roles)
    keys = np.array([role_key(r) for r in spellings] + [""], dtype=object)[codes]
    blank = codes < 0  # a missing role, as role_key reads it
    keys[blank] = [role_key(r) for r in roles[blank]]
    return keys


def _twice(values: np.ndarray, again: np.ndarray) -> np.ndarray:
    """``values`` followed by those of the rows marked ``again``."""
    return np.concatenate([values, values[again]])


def _meetings_table(inputs: Inputs, period: Period) -> list[pd.DataFrame]:
    """``meetings``: the closed steering meetings of each agreement held in P; 0 where
    none was but P has rows, none in a period without any row or meeting (contract
    section 3: such a period has every figure none)."""
    meetings = inputs.meetings
    if meetings is None:
        return []
    counts: dict = {}
    if not meetings.empty:
        held = meetings["held_on"].fillna("").astype(str)
        closed = meetings[(meetings["status"] == "closed") & (held >= period.first_day)
                          & (held <= period.last_day)]
        counts = closed.groupby("agreement_id").size().to_dict()
    with_rows = _agreements_with_rows(inputs, period)
    agreements = list(inputs.validity)
    frame = pd.DataFrame({"agreement_id": agreements, "scope": WHOLE,
                          "v": [float(counts[a]) if a in counts else
                                0.0 if a in with_rows else np.nan for a in agreements]})
    return [_figures("meetings", frame, "v")] if agreements else []


def _agreements_with_rows(inputs: Inputs, period: Period) -> set[str]:
    """The agreements with any monthly row in P or an indicator row inside P."""
    found: set[str] = set()
    for frame in (inputs.sums.occupancy, inputs.sums.outcomes, inputs.sums.staffing,
                  inputs.costs):
        rows = _in_period(frame, period)
        if not rows.empty:
            found |= set(rows["agreement_id"])
    ind = inputs.indicators
    if not ind.empty:
        spans = ind["period"].map(_span)
        inside = [bool(s) and period.start <= s[0] and s[1] <= period.end for s in spans]
        found |= set(ind.loc[inside, "agreement_id"])
    return found


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
    # Income as a positive number: minus the sum of the negative amounts (0 without any).
    income = (-amounts["amount"].clip(upper=0.0)).groupby(amounts["agreement_id"],
                                                         sort=False).sum() + 0.0
    income = income.rename("income").reset_index()
    income["scope"] = WHOLE
    out.append(_figures("income", income, "income"))
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


def indicator_defs_of(defs: pd.DataFrame | None) -> dict[tuple[str, str], dict]:
    """Per (agreement, indicator): its definition (name, unit, aggregate), defaults filled."""
    if defs is None or defs.empty:
        return {}
    n = len(defs)
    name, unit, aggregate = (defs[c].tolist() if c in defs else [None] * n
                             for c in ("name", "unit", "aggregate"))
    return {(a, i): {"name": nm or None, "unit": u or None,
                     "aggregate": agg or DEFAULT_AGGREGATE}
            for a, i, nm, u, agg in zip(defs["agreement_id"].tolist(),
                                        defs["indicator"].tolist(), name, unit, aggregate,
                                        strict=True)}


def _aggregate_of(defs: dict, agreement_id: str, indicator: str) -> str:
    return defs.get((agreement_id, indicator), {}).get("aggregate", DEFAULT_AGGREGATE)


def combine_periods(values: dict[tuple[str, str], float], period: Period,
                    how: str) -> tuple[float | None, str | None]:
    """An indicator's ``sum`` or ``mean`` over P from its values per period inside P
    (``{(start, end): value}``, each period's gender rows already summed): each month of
    P is taken from the finest period that covers it, a coarser period only where none of
    its months has a finer one (contract section 3); a mean is weighted by the months each
    period covers. Returns ``(value, value_period)``: ``value_period`` the months covered
    from first to last (``YYYY-MM..YYYY-MM``, one month as ``YYYY-MM``), ``None`` when
    they are all of P."""
    covered: set[int] = set()
    used: list[tuple[float, int]] = []
    for (start, end), value in sorted(values.items(), key=lambda kv: (
            month_index(kv[0][1]) - month_index(kv[0][0]), kv[0][0])):
        span = range(month_index(start), month_index(end) + 1)
        if value is None or pd.isna(value) or any(m in covered for m in span):
            continue
        covered.update(span)
        used.append((float(value), len(span)))
    if not used:
        return None, None
    if how == "sum":
        value = sum(v for v, _ in used)
    else:
        value = sum(v * n for v, n in used) / sum(n for _, n in used)
    first, last = min(covered), max(covered)
    if len(covered) == month_index(period.end) - month_index(period.start) + 1:
        return value, None
    if first == last:
        return value, month_from_index(first)
    return value, f"{month_from_index(first)}..{month_from_index(last)}"


# Several periods at once (the periods of a trend strip): each agreement ``a`` stands, for
# the i-th period, as the agreement ``a`` + TAG + ``i`` holding only the rows of that
# period's months, so that one pass of the engine's group-bys computes every period (the
# per-call cost of pandas, not the rows, is what a strip of eight periods paid eight times).
TAG = "\x1f"  # never in an agreement id (ids are printable, contract section 1)
MONTHLY_TABLES = frozenset({"occupancy", "outcomes", "staffing", "costs"})


def _untagged(ids) -> list[str]:
    return [str(a).split(TAG, 1)[0] for a in ids]


def _rows_in_each(start, end, periods: list[Period]) -> tuple[np.ndarray, np.ndarray]:
    """(row, place) for every row whose span ``start``..``end`` (arrays of months) lies
    inside a period, once for each period it lies in: periods may overlap (a strip of
    quarters beside one of years). Rows stay in their order; a row in several periods
    comes once per period, in the periods' order."""
    rows, places = [], []
    for i, p in enumerate(periods):
        hit = np.flatnonzero((start >= p.start) & (end <= p.end))
        rows.append(hit)
        places.append(np.full(len(hit), i))
    rows, places = np.concatenate(rows), np.concatenate(places)
    order = np.argsort(rows, kind="stable")
    return rows[order], places[order]


def _indicator_table(indicators: pd.DataFrame, period: Period | list[Period],
                     defs: pd.DataFrame | None = None) -> list[pd.DataFrame]:
    """Each indicator's value for P: summed over the rows (gender) of exactly P, else made
    from the periods inside P by its aggregate (``value_period``: what the value is for):
    ``last`` the latest period inside P, ``sum``/``mean`` see :func:`combine_periods`.

    Several periods (a list): each row counts for every one it is inside, and the agreement
    ids are tagged with the period's place (:data:`TAG`)."""
    if indicators.empty:
        return []
    periods = period if isinstance(period, list) else [period]
    n = len(periods)
    spans = indicators["period"].map(_span)
    ok = spans.notna().to_numpy()
    if not ok.any():
        return []
    # A row whose period text is not a period spans nothing (its end before its start).
    start = np.array([s[0] if s else "9999-12" for s in spans])
    end = np.array([s[1] if s else "0000-01" for s in spans])
    inside, at = _rows_in_each(start, end, periods)
    if not len(inside):
        return []
    ind = indicators.iloc[inside].reset_index(drop=True)
    p_start = np.array([p.start for p in periods])[at]
    p_end = np.array([p.end for p in periods])[at]
    start, end = start[inside], end[inside]
    exact = (start == p_start) & (end == p_end)
    keys = ["agreement_id", "cluster_id", "indicator"]
    defined = indicator_defs_of(defs)
    how = np.array([_aggregate_of(defined, a, i) for a, i in
                    zip(ind["agreement_id"], ind["indicator"], strict=True)], dtype=object)
    ind = ind.assign(_exact=exact, _end=end, _start=start, _how=how, _at=at)
    if n > 1:
        ind = ind.assign(agreement_id=[f"{a}{TAG}{i}" for a, i in
                                       zip(ind["agreement_id"], at, strict=True)])
    if "value_unit" not in ind:
        ind = ind.assign(value_unit="")
    ind = ind.assign(_v=pd.to_numeric(ind["value"], errors="coerce"),
                     _pct=ind["value_unit"] == "%")
    # Exactly P, else the latest end (the longer of two ending together): ``last``, and
    # every indicator with a row for exactly P.
    has_exact = ind.groupby(keys, sort=False)["_exact"].transform("any")
    latest = ind[has_exact | (ind["_how"] == "last")]
    frames = []
    if not latest.empty:
        order = latest.sort_values(["_exact", "_end", "_start"], ascending=[False, False, True],
                                   kind="stable")
        chosen = order.groupby(keys, sort=False)["period"].transform("first")
        picked = order[order["period"] == chosen]
        frame = picked.groupby([*keys, "period"], sort=False).agg(
            value=("_v", lambda v: v.sum(min_count=1)), pct=("_pct", "any"),
            at=("_at", "first")).reset_index()
        is_p = [_span(text) == (periods[i].start, periods[i].end)
                for text, i in zip(frame["period"], frame["at"], strict=True)]
        frames.append(pd.DataFrame({
            "agreement_id": frame["agreement_id"], "scope": frame["cluster_id"],
            "party_id": "", "role": "", "kpi": frame["indicator"],
            "value": frame["value"].astype(float),
            "unit": np.where(frame["pct"], "percent", "number"),
            "value_period": frame["period"].where(~np.array(is_p, dtype=bool), None)}))
    combined = ind[~has_exact & (ind["_how"] != "last")]
    if not combined.empty:
        records = []
        per_period = combined.groupby([*keys, "_start", "_end"], sort=False).agg(
            value=("_v", lambda v: v.sum(min_count=1)), pct=("_pct", "any"),
            how=("_how", "first"), at=("_at", "first")).reset_index()
        for key, group in per_period.groupby(keys, sort=False):
            value, value_period = combine_periods(
                dict(zip(zip(group["_start"], group["_end"], strict=True), group["value"],
                         strict=True)), periods[group["at"].iloc[0]], group["how"].iloc[0])
            records.append((*key, np.nan if value is None else value,
                            "percent" if group["pct"].any() else "number", value_period))
        frame = pd.DataFrame(records, columns=[*keys, "value", "unit", "value_period"])
        frames.append(pd.DataFrame({
            "agreement_id": frame["agreement_id"], "scope": frame["cluster_id"],
            "party_id": "", "role": "", "kpi": frame["indicator"],
            "value": frame["value"].astype(float), "unit": frame["unit"],
            "value_period": frame["value_period"]}))
    if defined:
        for frame in frames:
            units = [defined.get((a, k), {}).get("unit") for a, k in
                     zip(_untagged(frame["agreement_id"]), frame["kpi"], strict=True)]
            frame["unit"] = [INDICATOR_UNIT_OF.get(u, u) if u else old
                             for u, old in zip(units, frame["unit"], strict=True)]
    return frames


def targeted_roles(targets: pd.DataFrame) -> set[tuple[str, str]]:
    """(agreement, role key) of every target with a role."""
    if targets.empty or "role" not in targets:
        return set()
    roles = targets["role"].fillna("")
    named = targets[roles != ""]
    return {(a, role_key(r)) for a, r in zip(named["agreement_id"], named["role"],
                                             strict=True)}


def figure_table(inputs: Inputs, period: Period,
                 tables: frozenset[str] | set[str] | None = None,
                 roles: bool | None = None) -> pd.DataFrame:
    """Every figure of P for every scope in ``inputs``: agreement_id, scope, party_id
    (``""`` for the total), role (``""`` but for the per-role FTE figures), kpi, value
    (NaN: none), n, unit, value_period, at_month. ``tables`` limits it to the figures of
    some tables (occupancy, outcomes, staffing, costs, indicators, meetings).

    ``roles``: the per-role FTE figures of every role (``True``), of none (``False``), or
    (``None``) of the roles a target names."""
    sums = inputs.sums

    def wanted(name: str) -> bool:
        return tables is None or name in tables

    role_rows = []
    if wanted("staffing") and roles is not False:
        wanted_roles = None if roles else targeted_roles(inputs.targets)
        if wanted_roles is None or wanted_roles:
            role_rows = _role_table(inputs.staffing, period, wanted_roles)
    parts = [*(_occupancy_table(sums.occupancy, period) if wanted("occupancy") else []),
             *(_outcome_table(sums.outcomes, period) if wanted("outcomes") else []),
             *(_staffing_table(sums.staffing, period, inputs.targets, inputs.parties)
               if wanted("staffing") else []),
             *role_rows,
             *(_cost_table(inputs, period) if wanted("costs") else []),
             *(_meetings_table(inputs, period) if wanted("meetings") else []),
             *(_indicator_table(inputs.indicators, period, inputs.indicator_defs)
               if wanted("indicators") else [])]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    for col in FIGURE_COLUMNS:
        if col not in table:
            table[col] = None
    table["role"] = table["role"].fillna("")
    return table[FIGURE_COLUMNS]


def _per_period_inputs(inputs: Inputs, periods: list[Period]) -> Inputs:
    """The monthly tables' inputs with each agreement split into one per period (see
    :data:`TAG`); a month in several periods (they may overlap) is in each of them."""
    n = len(periods)

    def monthly(df: pd.DataFrame | None) -> pd.DataFrame | None:
        if df is None or df.empty:
            return df
        months = df["month"].to_numpy()
        inside, at = _rows_in_each(months, months, periods)
        rows = df.iloc[inside].reset_index(drop=True)
        return rows.assign(agreement_id=rows["agreement_id"].astype(str).to_numpy()
                           + np.array([f"{TAG}{i}" for i in range(n)], dtype=object)[at])

    def each(df: pd.DataFrame | None) -> pd.DataFrame | None:
        if df is None or df.empty:
            return df
        ids = df["agreement_id"].astype(str)
        return pd.concat([df.assign(agreement_id=ids + f"{TAG}{i}") for i in range(n)],
                         ignore_index=True)

    def each_key(d: dict) -> dict:
        return {f"{a}{TAG}{i}": v for a, v in d.items() for i in range(n)}

    sums = inputs.sums
    return Inputs(sums=MonthlySums(monthly(sums.occupancy), monthly(sums.outcomes),
                                   monthly(sums.staffing)),
                  costs=monthly(inputs.costs), cost_shares=each(inputs.cost_shares),
                  indicators=inputs.indicators.iloc[0:0], targets=each(inputs.targets),
                  parties=each_key(inputs.parties), validity=each_key(inputs.validity),
                  staffing=monthly(inputs.staffing), indicator_defs=None, meetings=None)


def _tagged_figures(inputs: Inputs, periods: list[Period],
                    tables: frozenset[str] | set[str] | None = None,
                    roles: bool | None = None) -> pd.DataFrame:
    """:func:`figure_table` of each period in one table: agreement ids tagged with the
    period (:data:`TAG`, none for a single period) and ``_at`` its place in ``periods``."""
    n = len(periods)
    if n == 1:
        return figure_table(inputs, periods[0], tables, roles).assign(_at=0)
    wanted = set(MONTHLY_TABLES | {"meetings", "indicators"} if tables is None else tables)
    parts = []
    monthly = wanted & MONTHLY_TABLES
    others = wanted - MONTHLY_TABLES
    if monthly:
        span = Period(min(p.start for p in periods), max(p.end for p in periods), "")
        table = figure_table(_per_period_inputs(inputs, periods), span, monthly, roles)
        table["_at"] = [int(a.rsplit(TAG, 1)[1]) for a in table["agreement_id"]]
        spelt = role_spellings(inputs.staffing)  # as first written in all the rows read
        named = table["role"] != ""
        if named.any():
            table.loc[named, "role"] = [
                spelt.get((a, role_key(r)), r) for a, r in zip(
                    _untagged(table.loc[named, "agreement_id"]), table.loc[named, "role"],
                    strict=True)]
        parts.append(table)
    if "indicators" in others:
        others = others - {"indicators"}
        found = [f for f in _indicator_table(inputs.indicators, periods,
                                             inputs.indicator_defs) if len(f)]
        if found:
            table = pd.concat(found, ignore_index=True)
            table = table.assign(**{c: None for c in FIGURE_COLUMNS if c not in table})
            table = table[FIGURE_COLUMNS].assign(
                _at=[int(a.rsplit(TAG, 1)[1]) for a in table["agreement_id"]])
            parts.append(table)
    if others:
        for i, p in enumerate(periods):
            table = figure_table(inputs, p, others, roles)
            parts.append(table.assign(agreement_id=table["agreement_id"].astype(str)
                                      + f"{TAG}{i}", _at=i))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=[*FIGURE_COLUMNS, "_at"])
    return pd.concat(parts, ignore_index=True)


def _split(table: pd.DataFrame, n: int, columns: list[str] | None = None) -> list[pd.DataFrame]:
    """A tagged table (:func:`_tagged_figures`) as one table per period, ids untagged."""
    if n == 1:
        return [table.drop(columns="_at")[columns or list(table.columns.drop("_at"))]]
    table = table.assign(agreement_id=_untagged(table["agreement_id"]))
    columns = columns or list(table.columns.drop("_at"))
    # Sorted by period once (each period's rows in their order), then cut into slices.
    at = table["_at"].to_numpy()
    order = np.argsort(at, kind="stable")
    bounds = np.searchsorted(at[order], np.arange(n + 1))
    table = table[columns].iloc[order]
    return [table.iloc[bounds[i]:bounds[i + 1]].reset_index(drop=True) for i in range(n)]


def figure_tables(inputs: Inputs, periods: list[Period],
                  tables: frozenset[str] | set[str] | None = None,
                  roles: bool | None = None) -> list[pd.DataFrame]:
    """:func:`figure_table` of each period, computed together (the same figures, one pass
    of the monthly tables when the periods do not overlap)."""
    if not periods:
        return []
    return _split(_tagged_figures(inputs, periods, tables, roles), len(periods),
                  FIGURE_COLUMNS)


# --------------------------------------------------------------------------- targets


def _targets_on(targets: pd.DataFrame, days: list[str],
                validity: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The targets valid on each of ``days`` (the latest ``valid_from`` where several apply),
    in one table: ``_at`` the day's place, ``scope`` the cluster (``""``: the agreement),
    ``party`` (``""``: all) and ``_rk`` the role compared (``""``: all roles)."""
    if targets.empty:
        return targets.assign(scope=[], party=[], _rk=[], _at=[])
    if "role" not in targets:
        targets = targets.assign(role="")
    targets = targets.assign(role=targets["role"].fillna(""))
    # Each target's first and last day: its own, else its agreement's, else open.
    agreement = [validity.get(a, ("", "")) for a in targets["agreement_id"]]
    start = np.array([_day_or(own, of[0], "0000-01-01") for own, of in zip(
        targets["valid_from"], agreement, strict=True)], dtype=object)
    end = np.array([_day_or(own, of[1], "9999-12-31") for own, of in zip(
        targets["valid_to"], agreement, strict=True)], dtype=object)
    # Every (day, target) in turn, day by day; kept where the target is valid that day.
    n = len(targets)
    rows = np.tile(np.arange(n), len(days))
    day = np.repeat(np.array(days, dtype=object), n)
    ok = np.flatnonzero((start[rows] <= day) & (day <= end[rows]))
    valid = targets.iloc[rows[ok]]
    valid.index = pd.RangeIndex(n * len(days))[ok] if len(days) > 1 else valid.index
    valid = valid.assign(_start=pd.array(start[rows[ok]], dtype="str"), _at=ok // n)
    valid = valid.assign(_rk=valid["role"].map(role_key))
    valid = valid.sort_values("_start", kind="stable").drop_duplicates(
        ["agreement_id", "kpi", "cluster_id", "party_id", "_rk", "_at"], keep="last")
    return valid.assign(scope=valid["cluster_id"].fillna(""),
                        party=valid["party_id"].fillna(""))


def _day_or(own, agreement: str, open_end: str) -> str:
    """A target's own first (or last) day when it has one, else its agreement's, else
    ``open_end``."""
    if isinstance(own, str) and own:
        return own
    return agreement if isinstance(agreement, str) and agreement else open_end


def default_targets(inputs: Inputs, period: Period, valid: pd.DataFrame) -> pd.DataFrame:
    """The rhythm's target: ``meetings >= meetings_per_year`` for a calendar year P inside
    the agreement's validity, where no target row names ``meetings`` (contract section 3)."""
    if not inputs.meetings_per_year or not (
            period.start[:4] == period.end[:4] and period.start.endswith("-01")
            and period.end.endswith("-12")):
        return valid.iloc[0:0]
    named = set() if inputs.targets.empty else \
        set(inputs.targets.loc[inputs.targets["kpi"] == "meetings", "agreement_id"])
    day = period.last_day
    rows = []
    for a, n in inputs.meetings_per_year.items():
        first, last = inputs.validity.get(a, ("", ""))
        if a in named or not (first or "0000") <= day <= (last or "9999"):
            continue
        rows.append({"agreement_id": a, "cluster_id": "", "party_id": "", "role": "",
                     "kpi": "meetings", "comparator": ">=", "value": float(n),
                     "tolerance": None, "scope": "", "party": "", "_rk": ""})
    return pd.DataFrame(rows) if rows else valid.iloc[0:0]


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
    earlier (for increase/decrease) and status. A target with a role is judged on that
    role's figure (roles compared trimmed and case-insensitively)."""
    return _split(_assessed_tagged(table.assign(_at=0), inputs, [period]), 1)[0]


def assessed_each(inputs: Inputs, periods: list[Period],
                  tables: frozenset[str] | set[str] | None = None) -> list[pd.DataFrame]:
    """``assessed(figure_table(inputs, P, tables), inputs, P)`` of each period P, computed
    together (one pass of the group-bys, the merge and the statuses for all of them)."""
    if not periods:
        return []
    return _split(_assessed_tagged(_tagged_figures(inputs, periods, tables), inputs,
                                   periods), len(periods))


def _assessed_tagged(table: pd.DataFrame, inputs: Inputs,
                     periods: list[Period]) -> pd.DataFrame:
    """:func:`assessed` of a tagged table of several periods (:func:`_tagged_figures`)."""
    n = len(periods)
    valid = _targets_on(inputs.targets, [p.last_day for p in periods], inputs.validity)
    extra_targets = [default_targets(inputs, p, valid.iloc[0:0]).assign(_at=i)
                     for i, p in enumerate(periods)]
    extra_targets = [t for t in extra_targets if not t.empty]
    if extra_targets:
        valid = pd.concat([valid, *extra_targets], ignore_index=True) if not valid.empty \
            else pd.concat(extra_targets, ignore_index=True)
    if n > 1 and not valid.empty:
        valid = valid.assign(agreement_id=[f"{a}{TAG}{i}" for a, i in zip(
            valid["agreement_id"], valid["_at"], strict=True)])
    table = table.assign(_rk=table["role"].fillna("").map(role_key)) if len(table) else \
        table.assign(_rk=pd.Series(dtype=object))
    key = ["agreement_id", "scope", "party_id", "_rk", "kpi"]
    if not valid.empty:
        # A target whose figure has no value for P is still assessed (grey).
        have = pd.MultiIndex.from_frame(table[key]) if len(table) else None
        wanted = valid[["agreement_id", "scope", "party", "_rk", "kpi", "role", "_at"]] \
            .rename(columns={"party": "party_id"})
        extra = wanted if have is None else \
            wanted[~pd.MultiIndex.from_frame(wanted[key]).isin(have)]
        if not extra.empty:
            # A role as first written in the staffing rows, else in the targets.
            spelt = role_spellings(inputs.staffing)
            for a, k, r in zip(_untagged(valid["agreement_id"]), valid["_rk"], valid["role"],
                               strict=True):
                spelt.setdefault((a, k), r)
            extra = extra.assign(value=np.nan, unit=[UNITS.get(k, "number")
                                                     for k in extra["kpi"]],
                                 role=[spelt.get((a, k), r) if k else "" for a, k, r in zip(
                                     _untagged(extra["agreement_id"]), extra["_rk"],
                                     extra["role"], strict=True)])
            table = pd.concat([table, extra], ignore_index=True)
    merged = table.merge(
        valid.rename(columns={"party": "party_id_t", "value": "target"})[
            ["agreement_id", "scope", "party_id_t", "_rk", "kpi", "comparator", "target",
             "tolerance"]].rename(columns={"party_id_t": "party_id"}),
        on=key, how="left")
    merged["previous"] = np.nan
    merged["previous_period"] = None
    directional = merged["comparator"].isin(["increase", "decrease"])
    if directional.any():
        earlier = [p.year_earlier() for p in periods]
        at = merged["_at"].to_numpy()
        monthly = directional & merged["kpi"].isin(KPI_NAMES)
        if monthly.any():
            needed = {KPI_TABLES[k] for k in merged.loc[monthly, "kpi"].unique()}
            before = _tagged_figures(inputs, earlier, needed)
            before = before.assign(_rk=before["role"].map(role_key)).set_index(key)["value"]
            idx = pd.MultiIndex.from_frame(merged.loc[monthly, key])
            merged.loc[monthly, "previous"] = before.reindex(idx).to_numpy()
            merged.loc[monthly, "previous_period"] = [earlier[i].text for i in
                                                      at[monthly.to_numpy()]]
        indicators = (directional & ~merged["kpi"].isin(KPI_NAMES)).to_numpy()
        if indicators.any():
            rows = merged.index[indicators]
            sub = merged.loc[rows].assign(agreement_id=_untagged(
                merged.loc[rows, "agreement_id"]))
            previous, texts = _indicator_previous(inputs, sub,
                                                  [periods[i] for i in at[indicators]])
            merged.loc[rows, "previous"] = previous
            merged.loc[rows, "previous_period"] = texts
    # A figure without a target is grey; only the targets' rows are judged one by one.
    judged = np.full(len(merged), "grey", dtype=object)
    targeted = np.flatnonzero([isinstance(c, str) for c in merged["comparator"]])
    if len(targeted):
        rows = merged.iloc[targeted]
        judged[targeted] = [
            status(_clean(v), c, _clean(t), None if tol is None or pd.isna(tol)
                   else float(tol), _clean(p))
            for v, c, t, tol, p in zip(rows["value"], rows["comparator"], rows["target"],
                                       rows["tolerance"], rows["previous"], strict=True)]
    merged["status"] = judged.tolist()
    return merged.drop(columns=["_rk"])


def _indicator_previous(inputs: Inputs, sub: pd.DataFrame,
                        periods: list[Period]) -> tuple[np.ndarray, list[str]]:
    """Indicators' values a year before the period their value is for (``periods``: the
    period each row of ``sub`` is a figure of), made the same way: ``last`` the same period
    twelve months earlier; ``sum``/``mean`` over the same months a year earlier, by the
    same rule (none unless those months are all covered)."""
    defined = indicator_defs_of(inputs.indicator_defs)
    before = [(Period.parse(vp) if isinstance(vp, str) else period).year_earlier()
              for vp, period in zip(sub["value_period"], periods, strict=True)]
    previous = np.array(_indicator_exact(inputs.indicators, sub["agreement_id"],
                                         sub["scope"], sub["kpi"], before), dtype=float)
    keys = list(zip(sub["agreement_id"], sub["scope"], sub["kpi"], strict=True))
    todo = [i for i, (a, _s, kpi) in enumerate(keys)
            if _aggregate_of(defined, a, kpi) != "last" and np.isnan(previous[i])]
    texts = [p.text for p in before]
    if not todo:
        return previous, texts
    # The rest made as their values were, each over its months a year earlier: all in one
    # pass of the indicator table (each indicator's value is made from its own rows alone),
    # kept where it covers all of its period.
    first: dict[tuple[str, str], int] = {}  # each span of months: the first row asking
    for i in todo:
        first.setdefault((before[i].start, before[i].end), i)
    place = {span: at for at, span in enumerate(first)}
    wanted = [before[i] for i in first.values()]
    whole = {}
    for frame in _indicator_table(inputs.indicators, wanted, inputs.indicator_defs):
        for a, scope, kpi, value, value_period in zip(
                frame["agreement_id"], frame["scope"], frame["kpi"], frame["value"],
                frame["value_period"], strict=True):
            if pd.isna(value_period):
                whole[(a, scope, kpi)] = value
    for i in todo:
        a, scope, kpi = keys[i]
        at = place[(before[i].start, before[i].end)]
        tagged = f"{a}{TAG}{at}" if len(wanted) > 1 else a
        if (tagged, scope, kpi) in whole:
            previous[i] = whole[(tagged, scope, kpi)]
    return previous, texts


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
    defined = indicator_defs_of(data.indicator_defs).get((data.agreement_id, name), {})
    if defined.get("unit"):
        unit = INDICATOR_UNIT_OF.get(defined["unit"], unit)
    table = [t for t in _indicator_table(rows, period, data.indicator_defs) if not t.empty]
    if not table:
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
    as ``None``), per-party and per-role figures after each total, then the indicators.
    A key is (scope, party, role, kpi)."""
    keys = []
    parties = data.party_ids
    roles = sorted({k[2] for k in present if k[0] == scope and k[2]},
                   key=lambda r: (role_key(r), r))
    for kpi in KPI_NAMES:
        if kpi in AGREEMENT_ONLY_KPIS and scope != WHOLE:
            continue
        if kpi == "meetings" and (scope, "", "", kpi) not in present:
            continue  # the meetings are not known here (no figure at all)
        if kpi not in PARTY_ONLY_KPIS:
            keys.append((scope, "", "", kpi))
        if kpi in FTE_KPIS:
            keys += [(scope, p, "", kpi) for p in parties if (scope, p, "", kpi) in present]
            keys += [(scope, "", r, kpi) for r in roles if (scope, "", r, kpi) in present]
        elif kpi in PARTY_ONLY_KPIS:
            keys += [(scope, p, "", kpi) for p in parties]
    keys += [(scope, "", "", name) for name in indicator_names(data, scope or None)]
    return keys


def compute_kpis(data: AgreementData, period: Period, cluster_id: str | None = None,
                 *, clusters: bool = True,
                 scopes: list[str] | tuple[str, ...] | None = None) -> list[KpiValue]:
    """Every key figure of P: for the agreement and each cluster (or the one cluster asked).

    ``cluster_id`` given: only that cluster. Else the agreement, then (``clusters=True``)
    each of its clusters. ``scopes``: these, in this order (:data:`WHOLE` for the
    agreement), from one computation. The FTE figures come per party and per role too.
    """
    if scopes is None:
        scopes = [cluster_id] if cluster_id is not None else \
            [WHOLE, *(data.cluster_ids if clusters else [])]
    inputs = inputs_of(data)
    table = assessed(figure_table(inputs, period, roles=True), inputs, period)
    by_key = {(r["scope"], r["party_id"], r["role"] or "", r["kpi"]): r
              for r in table.to_dict("records")}
    present = set(by_key)
    units = _indicator_units(data.indicators, data.indicator_defs, data.agreement_id)
    names = {k[1]: d["name"] for k, d in indicator_defs_of(data.indicator_defs).items()
             if d.get("name")}
    out: list[KpiValue] = []
    for scope in scopes:
        for key in _ordered_keys(data, scope, present):
            rec = by_key.get(key)
            if (scope, key[3]) in units:  # an indicator's unit, whether or not P has a value
                rec = {**(rec or {}), "unit": units[(scope, key[3])]}
            value = kpi_value(data.agreement_id, period, key, rec)
            if key[3] in names and key[3] not in KPI_NAMES:
                value = replace(value, name=names[key[3]])
            out.append(value)
    return out


def _indicator_units(indicators: pd.DataFrame, defs: pd.DataFrame | None = None,
                     agreement_id: str | None = None) -> dict[tuple[str, str], str]:
    """Per (cluster, indicator): the unit of indicator_defs, else ``percent`` when any of
    its rows was written with ``%``, else ``number``."""
    out: dict[tuple[str, str], str] = {}
    if not indicators.empty and "value_unit" in indicators:
        pct = indicators["value_unit"] == "%"
        grouped = pct.groupby([indicators["cluster_id"], indicators["indicator"]]).any()
        out = {k: "percent" if v else "number" for k, v in grouped.items()}
    defined = indicator_defs_of(defs)
    if defined:
        levels = {c for c, _ in out} | {""}
        if not indicators.empty:
            levels |= set(indicators["cluster_id"])
        for (a, name), d in defined.items():
            if d.get("unit") and (agreement_id is None or a == agreement_id):
                for level in levels:
                    if (level, name) in out or level == "":
                        out[(level, name)] = INDICATOR_UNIT_OF.get(d["unit"], "number")
    return out


def kpi_value(agreement_id: str, period: Period, key: tuple, rec: dict | None) -> KpiValue:
    """One row of an assessed figure table as a :class:`KpiValue` (``rec`` None: no data).
    ``key``: (scope, party, kpi), or (scope, party, role, kpi)."""
    if len(key) == 4:
        scope, party, role, kpi = key
    else:
        (scope, party, kpi), role = key, None
    rec = rec or {}
    if role is None:
        role = rec.get("role")
    role = role if isinstance(role, str) and role else None
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
        at_month=rec.get("at_month") if isinstance(rec.get("at_month"), str) else None,
        role=role)


def costs(data: AgreementData, period: Period) -> tuple[float | None, dict[str, dict]]:
    """``cost_total`` and, per party, ``cost_paid``, ``cost_due`` and ``cost_balance``."""
    table = figure_table(inputs_of(data), period, {"costs"})
    rows = table[table["kpi"].isin(PARTY_ONLY_KPIS | {"cost_total"})]
    total = rows.loc[rows["kpi"] == "cost_total", "value"]
    per = {p: {k: None for k in PARTY_ONLY_KPIS} for p in data.party_ids}
    for rec in rows[rows["party_id"] != ""].to_dict("records"):
        per.setdefault(rec["party_id"], {})[rec["kpi"]] = _clean(rec["value"])
    return (_clean(total.iloc[0]) if len(total) else None), per


def kpi_frame(values: list[KpiValue]) -> pd.DataFrame:
    """Key figures as a DataFrame (all fields), for figures and tables."""
    return pd.DataFrame([asdict(v) for v in values])
