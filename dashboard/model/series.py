"""What each panel draws, shaped from one agreement's rows (pure pandas).

The key figures themselves come from :mod:`dashboard.domain.kpis`; this module arranges
rows and figures for charts: months with their breakdown groups, outcome groups,
parties, cost settlements, indicators beside their previous year, the clusters side
by side, and the completeness notes (a cluster that has not reported a month).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.domain.kpis import (
    KPI_NAMES,
    AgreementData,
    KpiValue,
    indicator_exact,
    rows_for,
    unknown_outcome,
    work_study_share,
)
from dashboard.domain.periods import Period
from dashboard.domain.privacy import TOTAL
from dashboard.i18n import _, gender_label, kpi_label, month_label

BREAKDOWNS = ("total", "gender", "target_group")


def group_column(breakdown: str) -> str | None:
    return {"gender": "gender", "target_group": "target_group"}.get(breakdown)


def available_breakdowns(data: AgreementData) -> list[str]:
    """``total`` always; ``gender`` and ``target_group`` where rows are broken down."""
    out = ["total"]
    for col in ("gender", "target_group"):
        frames = (data.occupancy, data.outcomes, data.indicators) if col == "gender" else \
            (data.occupancy, data.outcomes)
        for frame in frames:
            if not frame.empty and col in frame and (frame[col] != "").any():
                out.append(col)
                break
    return out


def group_label(breakdown: str, group: str, lang: str) -> str:
    if group == TOTAL:
        return _("ui.total", lang)
    if breakdown == "gender":
        return gender_label(group, lang)
    return group if group else gender_label("", lang)


def _groups(frame: pd.DataFrame, breakdown: str) -> pd.Series:
    """Each row's group; all rows in the total when this table is not broken down so."""
    col = group_column(breakdown)
    if col is None or frame.empty or (frame[col] == "").all():
        return pd.Series([TOTAL] * len(frame), index=frame.index, dtype=object)
    return frame[col].astype(object)


def _group_order(breakdown: str, groups) -> list[str]:
    groups = [g for g in dict.fromkeys(groups)]
    if breakdown == "gender":
        rank = {"K": 0, "M": 1, "X": 2, "": 3}
        return sorted(groups, key=lambda g: rank.get(g, 9))
    return sorted(groups, key=lambda g: (g == "", g))


def months_shown(period: Period, last_month: str | None) -> list[str]:
    """The months of P up to the agreement's last month with data."""
    months = period.months
    if last_month:
        months = [m for m in months if m <= last_month] or months
    return months


# --------------------------------------------------------------------------- occupancy


def occupancy_by_month(data: AgreementData, period: Period, cluster_id: str | None,
                       breakdown: str = "total") -> pd.DataFrame:
    """``month, group, participants``: participants at month end per breakdown group."""
    rows = rows_for(data.occupancy, period, cluster_id)
    if rows.empty:
        return pd.DataFrame(columns=["month", "group", "participants"])
    frame = pd.DataFrame({"month": rows["month"], "group": _groups(rows, breakdown),
                          "participants": pd.to_numeric(rows["participants"]).fillna(0)})
    out = frame.groupby(["month", "group"], as_index=False)["participants"].sum()
    order = _group_order(breakdown, out["group"])
    out["_o"] = out["group"].map({g: i for i, g in enumerate(order)})
    return out.sort_values(["month", "_o"]).drop(columns="_o").reset_index(drop=True)


def flow_by_month(data: AgreementData, period: Period, cluster_id: str | None) -> pd.DataFrame:
    """``month, started, exited`` per month with data (``None`` where not reported)."""
    rows = rows_for(data.occupancy, period, cluster_id)
    if rows.empty:
        return pd.DataFrame(columns=["month", "started", "exited"])
    out = []
    for month, group in rows.groupby("month", sort=True):
        rec = {"month": month}
        for col in ("started", "exited"):
            values = pd.to_numeric(group[col], errors="coerce").dropna()
            rec[col] = None if values.empty else int(values.sum())
        out.append(rec)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- outcomes


def outcomes_by_group(data: AgreementData, period: Period, cluster_id: str | None,
                      breakdown: str = "total") -> pd.DataFrame:
    """Per group (the total first): completed, work, study, other, discontinued, unknown
    (completers whose outcome is not reported: work + study + other + unknown = completed),
    and the share in work or study."""
    rows = rows_for(data.outcomes, period, cluster_id)
    cols = ["completed", "work", "study", "other", "discontinued"]
    if rows.empty:
        return pd.DataFrame(columns=["group", *cols, "unknown", "share"])
    numbers = rows[cols].apply(pd.to_numeric, errors="coerce")
    numbers["group"] = _groups(rows, breakdown)
    records = []

    def record(group, frame):
        sums = {c: (None if frame[c].dropna().empty else int(frame[c].sum())) for c in cols}
        sums["unknown"] = unknown_outcome(sums["completed"], sums["work"], sums["study"],
                                          sums["other"])
        sums["share"] = work_study_share(sums["work"], sums["study"], sums["completed"])
        return {"group": group, **sums}

    records.append(record(TOTAL, numbers))
    if group_column(breakdown) and not (numbers["group"] == TOTAL).all():
        for g in _group_order(breakdown, numbers["group"]):
            records.append(record(g, numbers[numbers["group"] == g]))
    return pd.DataFrame(records)


# --------------------------------------------------------------------------- staffing


def party_names(data: AgreementData) -> dict[str, str]:
    if data.parties.empty:
        return {}
    return dict(zip(data.parties["party_id"], data.parties["name"], strict=True))


def cluster_names(data: AgreementData) -> dict[str, str]:
    if data.clusters.empty:
        return {}
    return dict(zip(data.clusters["cluster_id"], data.clusters["name"], strict=True))


def staffing_by_party(values: list[KpiValue], data: AgreementData,
                      cluster_id: str | None) -> pd.DataFrame:
    """Per party, then all parties: committed, actual, fulfilment, target, status, and the
    lowest month's actual FTE (``fte_actual_min``) with its month, target and status; then
    all parties in each staffing role that has a target of its own (``role``; Krami's
    counsellor team, judged without its administrator, and the administrator), largest
    first."""
    names = party_names(data)
    by_key = {(v.kpi, v.party_id): v for v in values if v.cluster_id == cluster_id
              and v.role is None  # the per-role figures are not a party's or the total
              and v.kpi in ("fte_committed", "fte_actual", "fte_fulfilment",
                            "fte_actual_min")}
    parties = [p for (k, p) in by_key if k == "fte_actual" and p is not None]
    out = []
    for p in [*parties, None]:
        if ("fte_actual", p) in by_key:
            out.append(_staffing_row(p, names.get(p, p) if p else None, None, by_key, p))
    by_role = {(v.kpi, v.role): v for v in values if v.cluster_id == cluster_id
               and v.role and v.party_id is None}
    teams = {r for (k, r), v in by_role.items()
             if k in ("fte_actual", "fte_actual_min") and v.comparator}
    rows = [_staffing_row(None, None, r, by_role, r) for r in teams
            if ("fte_actual", r) in by_role]
    out += sorted(rows, key=lambda row: (-(row["actual"] or 0), row["role"].casefold()))
    return pd.DataFrame(out, columns=STAFFING_COLUMNS)


def _staffing_row(party: str | None, name: str | None, role: str | None, by_key: dict,
                  who: str | None) -> dict:
    """One row of :func:`staffing_by_party` from figures keyed ``(kpi, who)``."""
    actual = by_key[("fte_actual", who)]
    committed = by_key.get(("fte_committed", who))
    fulfil = by_key.get(("fte_fulfilment", who))
    low = by_key.get(("fte_actual_min", who))
    return {"party_id": party, "party": name, "role": role,
            "committed": committed.value if committed else None,
            "actual": actual.value, "fulfilment": fulfil.value if fulfil else None,
            "target": actual.target, "comparator": actual.comparator,
            "status": actual.status,
            "lowest": low.value if low else None,
            "lowest_month": low.at_month if low else None,
            "lowest_target": low.target if low else None,
            "lowest_comparator": low.comparator if low else None,
            "lowest_status": low.status if low else "grey"}


STAFFING_COLUMNS = ["party_id", "party", "role", "committed", "actual", "fulfilment",
                    "target", "comparator", "status", "lowest", "lowest_month",
                    "lowest_target", "lowest_comparator", "lowest_status"]


# --------------------------------------------------------------------------- costs


def costs_by_party(data: AgreementData, period: Period) -> pd.DataFrame:
    """Per party and category: ``paid`` and ``due`` (share × the category's total)."""
    rows = rows_for(data.costs, period, None)
    if rows.empty:
        return pd.DataFrame(columns=["party_id", "category", "paid", "due", "share"])
    amounts = pd.to_numeric(rows["amount_sek"], errors="coerce").fillna(0.0)
    totals = amounts.groupby(rows["cost_category"]).sum()
    paid = amounts.groupby([rows["paid_by"], rows["cost_category"]]).sum()
    shares = data.cost_shares
    # Categories in the order the agreement's cost shares list them.
    listed = list(dict.fromkeys(shares["cost_category"])) if not shares.empty else []
    categories = [c for c in listed if c in totals.index] + \
        [c for c in totals.index if c not in listed]
    out = []
    for p in data.party_ids:
        for category in categories:
            share_rows = shares[(shares["party_id"] == p) & (shares["cost_category"] == category)]
            share = float(share_rows["share"].iloc[0]) if not share_rows.empty else 0.0
            out.append({"party_id": p, "category": category,
                        "paid": float(paid.get((p, category), 0.0)),
                        "due": share * float(totals[category]), "share": share})
    return pd.DataFrame(out)


def category_balances(by_party: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per cost category, each party's balance in it: paid − due (its share of the category's
    total). Categories in the order they first appear."""
    out: dict[str, dict[str, float]] = {}
    for rec in by_party.to_dict("records"):
        out.setdefault(rec["category"], {})[rec["party_id"]] = rec["paid"] - rec["due"]
    return out


def settlements(balances: dict[str, float], tolerance: float = 0.5) -> list[tuple]:
    """Who owes whom: ``(debtor, creditor, amount)`` settling every balance.

    A positive balance means the party paid more than its share and is owed money.
    Debts are matched largest first, so the steering group sees few, round transfers.
    """
    debtors = sorted(((p, -b) for p, b in balances.items() if b is not None and b < -tolerance),
                     key=lambda x: -x[1])
    creditors = sorted(((p, b) for p, b in balances.items() if b is not None and b > tolerance),
                       key=lambda x: -x[1])
    debtors = [list(d) for d in debtors]
    creditors = [list(c) for c in creditors]
    out = []
    i = j = 0
    while i < len(debtors) and j < len(creditors):
        amount = min(debtors[i][1], creditors[j][1])
        out.append((debtors[i][0], creditors[j][0], amount))
        debtors[i][1] -= amount
        creditors[j][1] -= amount
        if debtors[i][1] <= tolerance:
            i += 1
        if creditors[j][1] <= tolerance:
            j += 1
    return out


# --------------------------------------------------------------------------- indicators


def indicator_rows(values: list[KpiValue], data: AgreementData, period: Period,
                   cluster_id: str | None, lang: str = "sv") -> pd.DataFrame:
    """Each indicator with its value, the same period a year earlier, target and status."""

    out = []
    for v in values:
        if v.cluster_id != cluster_id or v.kpi in KPI_NAMES:
            continue
        previous = v.previous
        if previous is None:
            # The same period a year earlier: of the period the value is for.
            at = Period.parse(v.value_period) if v.value_period else period
            previous = indicator_exact(data, v.kpi, at.year_earlier(), cluster_id)
        out.append({"name": v.kpi, "label": kpi_label(v.kpi, lang), "value": v.value,
                    "value_period": v.value_period, "previous": previous, "unit": v.unit,
                    "target": v.target, "comparator": v.comparator, "status": v.status,
                    "by_gender": indicator_genders(data, v.kpi, cluster_id)})
    return pd.DataFrame(out, columns=["name", "label", "value", "value_period", "previous",
                                      "unit", "target", "comparator", "status", "by_gender"])


def indicator_series(data_indicators: pd.DataFrame, name: str, cluster_id: str | None,
                     period: Period) -> pd.DataFrame:
    """Values of one indicator whose period lies inside P or inside P a year earlier.

    Returns ``period, value, current, group`` in time order (``current``: inside P). Where
    the rows are broken down by gender, one row per gender (``group`` K, M, X), whose
    values add up to the indicator's value; else ``group`` is :data:`TOTAL`.
    """
    ind = data_indicators
    columns = ["period", "value", "current", "group"]
    if ind.empty:
        return pd.DataFrame(columns=columns)
    rows = ind[(ind["indicator"] == name) & (ind["cluster_id"] == (cluster_id or ""))]
    earlier = period.year_earlier()
    # The periods inside P or a year earlier, each parsed once; then only their rows are
    # grouped (the indicators are read whole: years of rows, of which a few count here).
    wanted: dict[str, tuple[Period, bool]] = {}
    for text in rows["period"].unique():
        if pd.isna(text):  # NULL, NaN: no group (as groupby drops them)
            continue
        try:
            p = Period.parse(text)
        except ValueError:
            continue
        inside = period.start <= p.start and p.end <= period.end
        before = earlier.start <= p.start and p.end <= earlier.end
        if inside or before:
            wanted[text] = (p, inside)
    out = []
    for text, group in rows[rows["period"].isin(list(wanted))].groupby("period"):
        p, inside = wanted[text]
        genders = group["gender"] if "gender" in group else pd.Series([""] * len(group))
        if (genders != "").any():
            for g in _group_order("gender", genders):
                values = pd.to_numeric(group.loc[genders == g, "value"], errors="coerce")
                out.append({"period": p, "value": float(values.sum()), "current": inside,
                            "group": g})
        else:
            out.append({"period": p, "value": float(pd.to_numeric(group["value"]).sum()),
                        "current": inside, "group": TOTAL})
    out.sort(key=lambda r: (r["period"].start, r["period"].end))
    return pd.DataFrame(out, columns=columns)


def indicator_genders(data: AgreementData, name: str, cluster_id: str | None) -> bool:
    """Whether an indicator's rows are broken down by gender."""
    ind = data.indicators
    if ind.empty or "gender" not in ind:
        return False
    rows = ind[(ind["indicator"] == name) & (ind["cluster_id"] == (cluster_id or ""))]
    return bool((rows["gender"] != "").any())


# --------------------------------------------------------------------------- clusters


def cluster_rows(values: list[KpiValue], data: AgreementData,
                 period: Period | None = None) -> pd.DataFrame:
    """The clusters side by side on the same figures (for the comparison panel)."""
    names = cluster_names(data)
    by = {(v.cluster_id, v.kpi, v.party_id): v for v in values if v.role is None}
    parts = {c: parts_of_agreement(data, period, c) if period else {}
             for c in ("participants", "completed")}
    out = []
    for cid in data.cluster_ids:
        occ = by.get((cid, "occupancy", None))
        share = by.get((cid, "work_study_share", None))
        completed = by.get((cid, "completed", None))
        fulfil = by.get((cid, "fte_fulfilment", None))
        out.append({
            "cluster_id": cid, "name": names.get(cid, cid),
            "occupancy": occ.value if occ else None,
            "occupancy_status": occ.status if occ else "grey",
            "occupancy_target": occ.target if occ else None,
            "work_study_share": share.value if share else None,
            "share_status": share.status if share else "grey",
            "share_target": share.target if share else None,
            "share_previous": share.previous if share else None,
            "share_comparator": share.comparator if share else None,
            "completed": completed.value if completed else None,
            "fte_fulfilment": fulfil.value if fulfil else None,
            "part_of_participants": parts["participants"].get(cid),
            "part_of_completed": parts["completed"].get(cid),
        })
    return pd.DataFrame(out)


def part_of_agreement(data: AgreementData, period: Period, cluster_id: str,
                      column: str) -> float | None:
    """A cluster's part of the agreement over P: its sum of ``column`` over the agreement's.

    For occupancy that is participant-months, so that the clusters' parts add up to 100 %
    even when a cluster has not reported a month (a ratio of means would not).
    """
    return parts_of_agreement(data, period, column).get(cluster_id)


def parts_of_agreement(data: AgreementData, period: Period, column: str) -> dict[str, float]:
    """Every cluster's part of the agreement over P (:func:`part_of_agreement`); a cluster
    without a row in P has 0; none at all when the agreement's sum is 0 or has no rows."""
    table = data.occupancy if column == "participants" else data.outcomes
    rows = rows_for(table, period, None)
    if rows.empty:
        return {}
    values = pd.to_numeric(rows[column], errors="coerce").fillna(0)
    total = float(values.sum())
    if not total:
        return {}
    sums = values.groupby(rows["cluster_id"].to_numpy()).sum()
    return {c: float(sums.get(c, 0.0)) / total for c in data.cluster_ids}


# --------------------------------------------------------------------------- completeness


@dataclass
class Note:
    """Something the room must know about the data: a missing month, a missing table."""

    kind: str  # incomplete_period | missing_month | no_data_table
    table: str | None = None
    cluster: str | None = None
    months: list[str] = field(default_factory=list)
    cluster_id: str | None = None  # the cluster that has not reported (None: the agreement)

    def text(self, lang: str = "sv") -> str:
        """The note in words; merged tables read "beläggning och utfall"."""
        parts = [_('ui.' + (f"tables_{p}"),
                   lang) for p in self.table.split("+")] if self.table else []
        what = _("ui.list_and", lang).join(parts)
        if self.kind == "incomplete_period":
            return _("ui.incomplete_period", lang, month=month_label(self.months[0], lang,
                                                                    short=False))
        if self.kind == "missing_month":
            months = ", ".join(month_label(m, lang) for m in self.months)
            return _("ui.missing_month", lang, cluster=self.cluster, what=what, months=months)
        return _("ui.no_data_table", lang, what=what)


MONTHLY_TABLES = ("occupancy", "outcomes", "staffing", "costs")
TARGET_TABLE = {"occupancy": "occupancy", "started": "occupancy", "exited": "occupancy",
                "completed": "outcomes", "work": "outcomes", "study": "outcomes",
                "other": "outcomes", "discontinued": "outcomes",
                "work_study_share": "outcomes", "fte_committed": "staffing",
                "fte_actual": "staffing", "fte_fulfilment": "staffing",
                "cost_total": "costs", "cost_paid": "costs", "cost_due": "costs",
                "cost_balance": "costs"}


def expected_tables(data: AgreementData, cluster_id: str | None = None) -> list[str]:
    """Monthly tables the agreement (or cluster) reports: rows of them, or targets on them.

    A cluster reports occupancy and outcomes; staffing only if it has staffing rows of
    its own (staffing may be reported for the whole agreement); costs never.
    """
    out = [n for n in MONTHLY_TABLES if not getattr(data, n).empty]
    if not data.targets.empty:
        level = data.targets[data.targets["cluster_id"] == (cluster_id or "")]
        for kpi in level["kpi"]:
            table = TARGET_TABLE.get(kpi)
            if table and table not in out:
                out.append(table)
    if cluster_id is not None:
        staffing = data.staffing
        own = not staffing.empty and (staffing["cluster_id"] == cluster_id).any()
        out = [n for n in out if n != "costs" and (n != "staffing" or own)]
    return [n for n in MONTHLY_TABLES if n in out]


def completeness(data: AgreementData, period: Period, cluster_id: str | None,
                 last_month: str | None) -> list[Note]:
    """Missing months per cluster and table, a table with nothing for P, an open period."""
    notes: list[Note] = []
    months = months_shown(period, last_month)
    if last_month and period.end > last_month >= period.start:
        notes.append(Note("incomplete_period", months=[last_month]))
    names = cluster_names(data)
    clusters = [cluster_id] if cluster_id else data.cluster_ids
    for table in expected_tables(data, cluster_id):
        frame = getattr(data, table)
        in_p = frame[frame["month"].isin(months)] if not frame.empty else frame
        if cluster_id and table in ("occupancy", "outcomes", "staffing") and not in_p.empty:
            in_p = in_p[in_p["cluster_id"] == cluster_id]
        if in_p.empty:
            notes.append(Note("no_data_table", table=table))
            continue
        # From the table's first month to the last month shown: a table that stops
        # reporting before the others is missing those months too.
        first = frame["month"].min()
        span = [m for m in months if m >= first]
        if table in ("occupancy", "outcomes"):
            for cid in clusters:
                have = set(in_p.loc[in_p["cluster_id"] == cid, "month"])
                if frame.loc[frame["cluster_id"] == cid, "month"].empty:
                    continue
                missing = [m for m in span if m not in have]
                if missing:
                    notes.append(Note("missing_month", table=table,
                                      cluster=names.get(cid, cid), months=missing,
                                      cluster_id=cid))
        else:
            have = set(in_p["month"])
            missing = [m for m in span if m not in have]
            if missing:
                label = names.get(cluster_id, cluster_id) if cluster_id else data.agreement["name"]
                notes.append(Note("missing_month", table=table, cluster=label,
                                  months=missing, cluster_id=cluster_id))
    return _merge_notes(notes)


def _merge_notes(notes: list[Note]) -> list[Note]:
    """One note per cluster and months when several tables miss the same months."""
    merged: dict[tuple, Note] = {}
    out: list[Note] = []
    for note in notes:
        if note.kind != "missing_month":
            out.append(note)
            continue
        key = (note.cluster, tuple(note.months))
        if key in merged:
            merged[key].table = f"{merged[key].table}+{note.table}"
        else:
            merged[key] = Note(note.kind, note.table, note.cluster, list(note.months),
                               note.cluster_id)
            out.append(merged[key])
    return out


def missing_month_count(notes: list[Note]) -> int:
    return sum(len(n.months) for n in notes if n.kind == "missing_month")
