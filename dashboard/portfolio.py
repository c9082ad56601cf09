"""Many agreements at once: each one's targets and their status for a period, how complete
its data is, and one key figure across all agreements (or all clusters) for comparison.

Pure pandas over :class:`repository.ManyAgreements` (read in one snapshot): the key
figures come from the same engine as one agreement's view (:func:`kpis.figure_table`),
run once per distinct period for every agreement that shows it, not once per agreement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd

from .kpis import (
    WHOLE,
    AgreementData,
    Inputs,
    KpiValue,
    MonthlySums,
    assessed,
    figure_table,
    has_rows,
    kpi_value,
)
from .periods import Period
from .repository import ManyAgreements
from .series import completeness, missing_month_count
from .views import default_period

SCOPE = ["agreement_id", "scope"]


@dataclass
class AgreementStatus:
    """One agreement in the portfolio: the period shown and its targets' status."""

    agreement_id: str
    name: str
    kind: str | None
    municipalities: str | None
    data_as_of: str | None
    period: Period
    targets: list[KpiValue]
    party_names: dict[str, str]
    missing_months: int
    has_data: bool
    synthetic: bool


def _by_agreement(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    if frame.empty:
        return {}
    return {a: g for a, g in frame.groupby("agreement_id", sort=False)}


def _subset(frame: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    return frame[frame["agreement_id"].isin(ids)] if not frame.empty else frame


def inputs_for(many: ManyAgreements, ids: set[str]) -> Inputs:
    """The engine's input for some of the agreements."""
    sums = MonthlySums(*(_subset(f, ids) for f in
                         (many.sums.occupancy, many.sums.outcomes, many.sums.staffing)))
    parties = defaultdict(list)
    for a, p in zip(many.parties["agreement_id"], many.parties["party_id"], strict=True):
        if a in ids:
            parties[a].append(p)
    agreements = many.agreements[many.agreements["agreement_id"].isin(ids)]
    validity = {a: (f or "", t or "") for a, f, t in zip(
        agreements["agreement_id"], agreements["valid_from"], agreements["valid_to"],
        strict=True)}
    return Inputs(sums=sums, costs=_subset(many.costs, ids),
                  cost_shares=_subset(many.cost_shares, ids),
                  indicators=_subset(many.indicators, ids),
                  targets=_subset(many.targets, ids), parties=dict(parties),
                  validity=validity)


def periods_of(many: ManyAgreements, period_text: str | None) -> dict[str, Period]:
    """The period each agreement is shown for: ``period_text`` for all, else each one's own
    default (its latest year with data, or year to date)."""
    if period_text:
        period = Period.parse(period_text)
        return {a: period for a in many.agreements["agreement_id"]}
    spans = {a: (f, t) for a, f, t in zip(many.spans["agreement_id"], many.spans["first"],
                                          many.spans["last"], strict=True)}
    periods = defaultdict(list)
    for a, p in zip(many.indicators["agreement_id"], many.indicators["period"], strict=True):
        periods[a].append(p)
    return {a: default_period(sorted(set(periods.get(a, []))), spans.get(a), valid_from)
            for a, valid_from in zip(many.agreements["agreement_id"],
                                     many.agreements["valid_from"], strict=True)}


def statuses(many: ManyAgreements, period_text: str | None = None) -> list[AgreementStatus]:
    """Every agreement's targets and their status for its period, in the agreements' order."""
    periods = periods_of(many, period_text)
    groups = defaultdict(set)
    for a, p in periods.items():
        groups[p.text].add(a)
    targets: dict[str, list[KpiValue]] = {}
    for text, ids in groups.items():
        period = Period.parse(text)
        inputs = inputs_for(many, ids)
        table = assessed(figure_table(inputs, period), inputs, period)
        table = table[table["comparator"].notna() & (table["scope"] == WHOLE)]
        for rec in table.to_dict("records"):
            targets.setdefault(rec["agreement_id"], []).append(
                kpi_value(rec["agreement_id"], period,
                          (rec["scope"], rec["party_id"], rec["kpi"]), rec))
    names: dict[str, dict[str, str]] = defaultdict(dict)
    for a, p, n in zip(many.parties["agreement_id"], many.parties["party_id"],
                       many.parties["name"], strict=True):
        names[a][p] = n
    slices = {name: _by_agreement(frame) for name, frame in (
        ("occupancy", many.sums.occupancy), ("outcomes", many.sums.outcomes),
        ("staffing", many.sums.staffing), ("costs", many.costs),
        ("targets", many.targets), ("clusters", many.clusters),
        ("indicators", many.indicators))}
    spans = {a: t for a, t in zip(many.spans["agreement_id"], many.spans["last"],
                                  strict=True)}
    out = []
    for rec in many.agreements.to_dict("records"):
        a = rec["agreement_id"]
        period = periods[a]
        light = _light_data(rec, slices, period)
        has = has_rows(light, period)
        notes = completeness(light, period, None, spans.get(a)) if has else []
        found = sorted(targets.get(a, []), key=_target_order)
        out.append(AgreementStatus(
            agreement_id=a, name=rec["name"], kind=rec.get("kind"),
            municipalities=rec.get("municipalities"), data_as_of=rec.get("data_as_of"),
            period=period, targets=found, party_names=names.get(a, {}),
            missing_months=missing_month_count(notes), has_data=has,
            synthetic=any(m in (rec.get("description") or "").lower()
                          for m in ("syntetisk", "synthetic"))))
    return out


def _target_order(v: KpiValue) -> tuple:
    from .kpis import KPI_NAMES

    order = KPI_NAMES.index(v.kpi) if v.kpi in KPI_NAMES else len(KPI_NAMES)
    return (order, v.kpi, v.party_id or "")


def _light_data(rec: dict, slices: dict, period: Period) -> AgreementData:
    """An agreement's monthly sums shaped as its rows (a row per cluster and month), within
    the window a view reads (P and the year before): enough for completeness and has_rows."""
    a = rec["agreement_id"]
    start, end = period.year_earlier().start, period.end

    def window(frame: pd.DataFrame | None) -> pd.DataFrame:
        if frame is None:
            return pd.DataFrame(columns=["agreement_id", "cluster_id", "month"])
        return frame[(frame["month"] >= start) & (frame["month"] <= end)]

    def clusters(name: str) -> pd.DataFrame:
        frame = window(slices[name].get(a))
        if "scope" not in frame:
            return frame
        frame = frame[frame["scope"] != WHOLE]
        return frame.rename(columns={"scope": "cluster_id"})

    staffing = window(slices["staffing"].get(a))
    if "scope" in staffing:
        staffing = staffing[staffing["scope"] == WHOLE].rename(columns={"scope": "cluster_id"})
    empty = pd.DataFrame(columns=["agreement_id", "cluster_id"])
    return AgreementData(
        agreement=rec, parties=empty, clusters=slices["clusters"].get(a, empty),
        targets=slices["targets"].get(a, pd.DataFrame(columns=["cluster_id", "kpi"])),
        occupancy=clusters("occupancy"), outcomes=clusters("outcomes"), staffing=staffing,
        cost_shares=empty, costs=window(slices["costs"].get(a)),
        indicators=slices["indicators"].get(a, pd.DataFrame(columns=["cluster_id", "period"])))


# --------------------------------------------------------------------------- comparison

COMPARABLE = ("occupancy", "work_study_share", "completed", "work", "study", "started",
              "fte_actual", "fte_fulfilment", "fte_actual_min")
BY_GENDER = ("occupancy", "work_study_share", "completed", "work", "study", "started")


def compare(many: ManyAgreements, period: Period, kpi: str, *, clusters: bool = False,
            by_gender: dict[str, MonthlySums] | None = None) -> pd.DataFrame:
    """One key figure of every agreement (or every cluster) for P, with its target and
    status and, for a share, n; best first. ``by_gender`` (monthly sums of each gender's
    rows) adds a row per gender (no target applies to a gender's figure: grey).

    Columns: agreement_id, scope, name, group (``""`` for the total, else K/M/X), value,
    n, target, comparator, status, unit.
    """
    ids = set(many.agreements["agreement_id"])
    inputs = inputs_for(many, ids)
    table = assessed(figure_table(inputs, period), inputs, period)
    rows = table[(table["kpi"] == kpi) & (table["party_id"] == "")]
    rows = rows[rows["scope"] != WHOLE] if clusters else rows[rows["scope"] == WHOLE]
    rows = rows.assign(group="")
    parts = [rows]
    for gender, sums in (by_gender or {}).items():
        if kpi not in BY_GENDER:
            break
        g_inputs = Inputs(sums=sums, costs=inputs.costs.iloc[0:0],
                          cost_shares=inputs.cost_shares, indicators=inputs.indicators.iloc[0:0],
                          targets=inputs.targets.iloc[0:0], parties=inputs.parties,
                          validity=inputs.validity)
        g = figure_table(g_inputs, period)
        g = g[(g["kpi"] == kpi) & (g["party_id"] == "")]
        g = g[g["scope"] != WHOLE] if clusters else g[g["scope"] == WHOLE]
        if not g.empty:
            parts.append(g.assign(group=gender, comparator=None, target=None, status="grey"))
    out = pd.concat(parts, ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=["agreement_id", "scope", "name", "group", "value", "n",
                                     "target", "comparator", "status", "unit"])
    names = dict(zip(many.agreements["agreement_id"], many.agreements["name"], strict=True))
    cluster_names = {(a, c): n for a, c, n in zip(many.clusters["agreement_id"],
                                                  many.clusters["cluster_id"],
                                                  many.clusters["name"], strict=True)}
    out["name"] = [cluster_names.get((a, s), s) + " – " + names.get(a, a) if s
                   else names.get(a, a) for a, s in zip(out["agreement_id"], out["scope"],
                                                        strict=True)]
    # Best first (the total's value ranks the agreement; its genders follow it).
    rank = out[out["group"] == ""].set_index(["agreement_id", "scope"])["value"]
    out["_rank"] = [rank.get((a, s), float("nan")) for a, s in zip(
        out["agreement_id"], out["scope"], strict=True)]
    out["_g"] = out["group"].map({"": 0, "K": 1, "M": 2, "X": 3}).fillna(4)
    out = out.sort_values(["_rank", "name", "_g"], ascending=[False, True, True],
                          na_position="last", kind="stable")
    return out[["agreement_id", "scope", "name", "group", "value", "n", "target",
                "comparator", "status", "unit"]].reset_index(drop=True)
