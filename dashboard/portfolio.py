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

from dashboard.domain.kpis import WHOLE, Inputs, KpiValue, MonthlySums, assessed, figure_table, kpi_value
from dashboard.domain.periods import Period
from dashboard.data.repository import ManyAgreements
from dashboard.model.series import TARGET_TABLE
from dashboard.model.view import default_period

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


def latest_window(many: ManyAgreements) -> tuple[str, str] | None:
    """The months the agreements' own latest periods need (each P and the year before)."""
    periods = periods_of(many, None).values()
    if not periods:
        return None
    return (min(p.year_earlier().start for p in periods), max(p.end for p in periods))


def overall(many: ManyAgreements) -> tuple[tuple[str, str] | None, list[str]]:
    """The months with data across the agreements (first, last) and their indicators'
    periods: what the period picker offers."""
    span = (many.spans["first"].min(), many.spans["last"].max()) \
        if not many.spans.empty else None
    periods = sorted(set(many.indicators["period"])) if not many.indicators.empty else []
    return span, periods


def statuses(many: ManyAgreements, period_text: str | None = None) -> list[AgreementStatus]:
    """Every agreement's targets and their status for its period, in the agreements' order.

    Vectorised over the agreements: one run of the engine per distinct period, and the
    months missing and whether there is any data counted for all agreements at once (the
    same counts as each agreement's own view, :func:`series.completeness`).
    """
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
    missing, has_data = reporting(many, periods)
    out = []
    for rec in many.agreements.to_dict("records"):
        a = rec["agreement_id"]
        found = sorted(targets.get(a, []), key=_target_order)
        out.append(AgreementStatus(
            agreement_id=a, name=rec["name"], kind=rec.get("kind"),
            municipalities=rec.get("municipalities"), data_as_of=rec.get("data_as_of"),
            period=periods[a], targets=found, party_names=names.get(a, {}),
            missing_months=missing.get(a, 0) if has_data.get(a) else 0,
            has_data=bool(has_data.get(a)),
            synthetic=any(m in (rec.get("description") or "").lower()
                          for m in ("syntetisk", "synthetic"))))
    return out


def _target_order(v: KpiValue) -> tuple:
    from dashboard.domain.kpis import KPI_NAMES

    order = KPI_NAMES.index(v.kpi) if v.kpi in KPI_NAMES else len(KPI_NAMES)
    return (order, v.kpi, v.party_id or "")


def reporting(many: ManyAgreements, periods: dict[str, Period]
              ) -> tuple[dict[str, int], dict[str, bool]]:
    """Per agreement, the months its view says are missing (a cluster or table that has not
    reported a month shown, merged across tables as the view merges its notes), and whether
    it has any row for its period; for every agreement at once."""

    bounds = pd.DataFrame([(a, p.year_earlier().start, p.start, p.end)
                           for a, p in periods.items()],
                          columns=["agreement_id", "w_start", "p_start", "p_end"])
    last = dict(zip(many.spans["agreement_id"], many.spans["last"], strict=True))
    # The months each agreement's view shows: those of P up to its last month with data.
    shown = []
    for a, p in periods.items():
        months = p.months
        end = last.get(a)
        if end:
            months = [m for m in months if m <= end] or months
        shown += [(a, m) for m in months]
    shown = pd.DataFrame(shown, columns=["agreement_id", "month"])
    targeted = set()
    if not many.targets.empty:
        level = many.targets[many.targets["cluster_id"] == ""]
        targeted = {(a, TARGET_TABLE[k]) for a, k in zip(level["agreement_id"], level["kpi"],
                                                          strict=True) if k in TARGET_TABLE}

    def units(frame: pd.DataFrame, clustered: bool) -> pd.DataFrame:
        if frame.empty:
            return pd.DataFrame(columns=["agreement_id", "unit", "month"])
        unit = frame["scope"] if clustered else ""
        out = pd.DataFrame({"agreement_id": frame["agreement_id"].to_numpy(),
                            "unit": unit if isinstance(unit, str) else unit.to_numpy(),
                            "month": frame["month"].to_numpy()}).drop_duplicates()
        out = out.merge(bounds, on="agreement_id")
        return out[(out["month"] >= out["w_start"]) & (out["month"] <= out["p_end"])][
            ["agreement_id", "unit", "month"]]

    sums = many.sums
    frames = {
        "occupancy": units(sums.occupancy[sums.occupancy["scope"] != WHOLE], True),
        "outcomes": units(sums.outcomes[sums.outcomes["scope"] != WHOLE], True),
        "staffing": units(sums.staffing[sums.staffing["scope"] == WHOLE], False),
        "costs": units(many.costs.assign(scope=WHOLE), False)
        if not many.costs.empty else units(many.costs, False),
    }
    notes = []
    has_rows = set()
    for table, frame in frames.items():
        in_p = frame.merge(shown, on=["agreement_id", "month"])
        has_rows |= set(in_p["agreement_id"])
        with_rows = set(frame["agreement_id"])
        expected = with_rows | {a for a, t in targeted if t == table}
        reported = set(in_p["agreement_id"])
        if not (expected & reported):
            continue
        first = frame.groupby("agreement_id")["month"].min()
        span = shown[shown["agreement_id"].isin(expected & reported)]
        span = span[span["month"] >= span["agreement_id"].map(first)]
        cells = frame[["agreement_id", "unit"]].drop_duplicates().merge(span,
                                                                         on="agreement_id")
        have = pd.MultiIndex.from_frame(in_p[["agreement_id", "unit", "month"]])
        gone = cells[~pd.MultiIndex.from_frame(cells[["agreement_id", "unit", "month"]])
                     .isin(have)]
        for (a, unit), months in gone.groupby(["agreement_id", "unit"])["month"]:
            notes.append((a, unit, tuple(sorted(months))))
    # The view merges one cluster's (or the agreement's) notes of the same months.
    counts: dict[str, int] = defaultdict(int)
    for a, _unit, months in set(notes):
        counts[a] += len(months)
    # Indicator rows inside P are data too.
    if not many.indicators.empty:
        spans = many.indicators["period"].map(_period_span)
        inside = [(a, s) for a, s in zip(many.indicators["agreement_id"], spans, strict=True)
                  if s and a in periods and periods[a].start <= s[0] and
                  s[1] <= periods[a].end]
        has_rows |= {a for a, _ in inside}
    return dict(counts), {a: a in has_rows for a in periods}


def _period_span(text: str):
    from dashboard.domain.kpis import _span

    return _span(text)


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
