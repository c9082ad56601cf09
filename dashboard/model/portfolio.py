"""Many agreements at once: each one's targets and their status for a period, how complete
its data is, and one key figure across all agreements (or all clusters) for comparison.

Pure pandas over :class:`repository.ManyAgreements` (read in one snapshot): the key
figures come from the same engine as one agreement's view (:func:`kpis.figure_table`),
run once per distinct period for every agreement that shows it, not once per agreement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from dashboard.data.repository import ManyAgreements
from dashboard.domain.kpis import (
    KPI_NAMES,
    WHOLE,
    Inputs,
    KpiValue,
    MonthlySums,
    _span,
    assessed,
    figure_table,
    kpi_value,
)
from dashboard.domain.periods import Period
from dashboard.domain.places import codes
from dashboard.domain.privacy import complete, primary
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
    counts: dict[str, float | None] = field(default_factory=dict)


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
    rhythm = {a: int(n) for a, n in zip(agreements["agreement_id"],
                                        agreements["meetings_per_year"], strict=True)
              if n is not None and not pd.isna(n)} if "meetings_per_year" in agreements else {}
    return Inputs(sums=sums, costs=_subset(many.costs, ids),
                  cost_shares=_subset(many.cost_shares, ids),
                  indicators=_subset(many.indicators, ids),
                  targets=_subset(many.targets, ids), parties=dict(parties),
                  validity=validity,
                  staffing=None if many.staffing is None else _subset(many.staffing, ids),
                  indicator_defs=None if many.indicator_defs is None
                  else _subset(many.indicator_defs, ids),
                  meetings=None if many.meetings is None else _subset(many.meetings, ids),
                  meetings_per_year=rhythm)


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
    counts: dict[str, dict[str, float | None]] = defaultdict(dict)
    for text, ids in groups.items():
        period = Period.parse(text)
        inputs = inputs_for(many, ids)
        table = assessed(figure_table(inputs, period), inputs, period)
        whole = table[(table["scope"] == WHOLE) & (table["party_id"].fillna("") == "") &
                      table["kpi"].isin(COUNT_KPIS)]
        for a, kpi, value in zip(whole["agreement_id"], whole["kpi"], whole["value"],
                                 strict=True):
            counts[a][kpi] = None if value is None or pd.isna(value) else float(value)
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
            has_data=bool(has_data.get(a)), counts=dict(counts.get(a, {})),
            synthetic=any(m in (rec.get("description") or "").lower()
                          for m in ("syntetisk", "synthetic"))))
    return out


def _target_order(v: KpiValue) -> tuple:

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

    return _span(text)


# --------------------------------------------------------------------------- totals

# The key figures summed into a county's or a kind's totals: counts of people (occupancy,
# a mean of participants per month, summed over agreements as a count) and FTE.
COUNT_KPIS = ("occupancy", "started", "completed", "work", "study", "fte_actual",
              "fte_committed")
# What a group's totals hold (sums of the agreements'), and the shares made from them.
TOTAL_SUMS = ("agreements", "red", "amber", "green", "grey", "occupancy", "started",
              "completed", "work_study", "outcome_completed", "fte_actual", "fte_committed")
SEVERAL, NO_COUNTY = "several", ""
STATUSES = ("red", "amber", "green", "grey")


def county_codes(municipalities: str | None) -> list[str]:
    """The counties (län, the first two digits of each SCB municipality code) of an
    agreement's ``municipalities``, in order, each once."""
    return list(dict.fromkeys(m[:2] for m in codes(municipalities) if len(m) >= 2))


def county_group(municipalities: str | None) -> str:
    """The county an agreement's totals count under: its one county, :data:`SEVERAL` when
    it covers municipalities of several, :data:`NO_COUNTY` when none is given. Each
    agreement counts in exactly one group, so the groups add up to the total."""
    found = county_codes(municipalities)
    return found[0] if len(found) == 1 else SEVERAL if found else NO_COUNTY


def total_cells(items: list[dict]) -> list[dict]:
    """The portfolio's totals kept per data version: the agreements summed by what the
    filters and groupings tell apart (kind, counties, and which statuses their targets
    have), so that any filter's totals by county or kind are sums of these cells, never
    a pass over the agreements.

    ``items``: per agreement ``kind``, ``municipalities``, ``period`` (its text), the
    number of its targets per status (``red`` ...), and ``counts`` (:data:`COUNT_KPIS`,
    ``None`` where the agreement has no value). A share is made later from the sums of
    its numerator and denominator over the same agreements (work or study of the
    agreements with outcomes, over their completed), never as a mean of shares.
    """
    cells: dict[tuple, dict] = {}
    for it in items:
        counties = tuple(county_codes(it.get("municipalities")))
        key = (it.get("kind") or "", counties, *(bool(it.get(s)) for s in STATUSES[:3]))
        cell = cells.setdefault(key, {
            "kind": key[0], "counties": list(counties),
            "county": counties[0] if len(counties) == 1 else SEVERAL if counties
            else NO_COUNTY,
            "red_any": key[2], "amber_any": key[3], "green_any": key[4],
            "periods": [], **{k: 0.0 for k in TOTAL_SUMS},
            "reported": {k: 0 for k in ("occupancy", "started", "completed", "fte")}})
        cell["agreements"] += 1
        for s in STATUSES:
            cell[s] += it.get(s) or 0
        if it.get("period") and it["period"] not in cell["periods"]:
            cell["periods"].append(it["period"])
        c = it.get("counts") or {}
        for k in ("occupancy", "started", "completed"):
            if c.get(k) is not None:
                cell[k] += c[k]
                cell["reported"][k] += 1
        if c.get("completed") is not None and (c.get("work") is not None or
                                               c.get("study") is not None):
            cell["work_study"] += (c.get("work") or 0) + (c.get("study") or 0)
            cell["outcome_completed"] += c["completed"]
        if c.get("fte_actual") is not None and c.get("fte_committed") is not None:
            cell["fte_actual"] += c["fte_actual"]
            cell["fte_committed"] += c["fte_committed"]
            cell["reported"]["fte"] += 1
    return list(cells.values())


def cell_matches(cell: dict, kinds: list[str] | None, counties: list[str] | None,
                 status: str | None) -> bool:
    """Whether a cell's agreements pass the filters (as :func:`filtered` rows do: a kind
    of ``kinds``, a municipality in one of ``counties``, a target of ``status``)."""
    if kinds and cell["kind"] not in kinds:
        return False
    if counties and not set(cell["counties"]) & set(counties):
        return False
    return not (status in STATUSES[:3] and not cell[f"{status}_any"])


def group_totals(cells: list[dict], by: str, kinds: list[str] | None = None,
                 counties: list[str] | None = None, status: str | None = None
                 ) -> tuple[list[dict], dict]:
    """The totals of the agreements that pass the filters, per county (``by="county"``:
    the county code, :data:`SEVERAL` or :data:`NO_COUNTY`) or per kind (``"kind"``),
    and for them all: ``(groups, total)``. Each holds the sums of :data:`TOTAL_SUMS`,
    ``periods`` (sorted texts), ``work_study_share`` (summed work and study over summed
    completed of the agreements with outcomes) and ``fte_fulfilment`` (summed actual
    over summed committed FTE), ``None`` where the denominator is 0.

    Groups come in SCB code order (several counties, then none, last), kinds by code.
    """
    groups: dict[str, dict] = {}
    total = _empty_total("")
    for cell in cells:
        if not cell_matches(cell, kinds, counties, status):
            continue
        key = cell["county"] if by == "county" else cell["kind"]
        for target in (groups.setdefault(key, _empty_total(key)), total):
            for k in TOTAL_SUMS:
                target[k] += cell[k]
            for k, n in cell["reported"].items():
                target["reported"][k] += n
            target["periods"] = sorted(set(target["periods"]) | set(cell["periods"]))
    order = (lambda k: (k == NO_COUNTY, k == SEVERAL, k)) if by == "county" else \
        (lambda k: (k == "", k))
    out = [_shares(groups[k]) for k in sorted(groups, key=order)]
    return out, _shares(total)


def _empty_total(key: str) -> dict:
    return {"key": key, "periods": [], **{k: 0.0 for k in TOTAL_SUMS},
            "reported": {k: 0 for k in ("occupancy", "started", "completed", "fte")}}


def _shares(group: dict) -> dict:
    group["work_study_share"] = group["work_study"] / group["outcome_completed"] \
        if group["outcome_completed"] else None
    group["fte_fulfilment"] = group["fte_actual"] / group["fte_committed"] \
        if group["fte_committed"] else None
    for k in ("agreements", *STATUSES):
        group[k] = int(group[k])
    return group


def worst_first(row: dict) -> tuple:
    """The portfolio rows' order: the worst status first (``worst``: 0 red .. 3 grey, 4
    without targets), then more targets not met, then more close, then by name."""
    return (row["worst"], -row["red"], -row["amber"], row["name"].casefold())


# The counts of people in the totals (what is hidden when small in an export).
PEOPLE_COUNTS = ("occupancy", "started", "completed", "work_study")


def suppress_totals(groups: list[dict], total: dict, threshold: int) -> set[tuple[str, str]]:
    """The cells ``(group key, column)`` of a totals table to hide in an export (contract
    section 5): a count of people from 1 to ``threshold - 1`` in a group (the groups are
    a breakdown of the total), and as few more as it takes that none of them can be worked
    out from the total row and the other groups (:func:`dashboard.domain.privacy.complete`); the
    share of work or study where its numerator or n is hidden or small. The total row is
    published and never hidden; nor are counts of agreements or of targets."""

    values: dict[tuple[str, str], float] = {}
    hidden: set[tuple[str, str]] = set()
    relations = []
    for col in PEOPLE_COUNTS:
        parts = []
        for g in groups:
            cell = (g["key"], col)
            values[cell] = g[col]
            parts.append(cell)
            if primary(g[col], threshold):
                hidden.add(cell)
        values[("*total*", col)] = total[col]
        if len(parts) > 1 or hidden:
            relations.append((("*total*", col), parts))
    hidden = complete(values, hidden, relations)
    for g in groups:
        n, part = g["outcome_completed"], g["work_study"]
        if (g["key"], "work_study") in hidden or (g["key"], "completed") in hidden or \
                primary(n, threshold) or primary(part, threshold):
            hidden.add((g["key"], "work_study_share"))
    return hidden


# --------------------------------------------------------------------------- comparison

COMPARABLE = ("occupancy", "work_study_share", "completed", "work", "study", "started",
              "fte_actual", "fte_fulfilment", "fte_actual_min")
BY_GENDER = ("occupancy", "work_study_share", "completed", "work", "study", "started")


def _totals(table: pd.DataFrame, kpi: str, clusters: bool) -> pd.DataFrame:
    """``kpi``'s one figure per agreement (or per cluster): not a party's or a role's part
    (staffing has a row per role beside the total), so each unit is ranked once."""
    rows = table[(table["kpi"] == kpi) & (table["party_id"].fillna("") == "") &
                 (table["role"].fillna("") == "")]
    return rows[rows["scope"] != WHOLE] if clusters else rows[rows["scope"] == WHOLE]


def compare(many: ManyAgreements, period: Period, kpi: str, *, clusters: bool = False,
            by_gender: dict[str, MonthlySums] | None = None) -> pd.DataFrame:
    """One key figure of every agreement (or every cluster) for P, with its target and
    status and, for a share, n; best first. ``by_gender`` (monthly sums of each gender's
    rows) adds a row per gender (no target applies to a gender's figure: grey).

    Columns: agreement_id, scope, name, group (``""`` for the total, else K/M/X), value,
    n, target, comparator, status, unit.
    """
    columns = ["agreement_id", "scope", "name", "group", "value", "n", "target",
               "comparator", "status", "unit"]
    ids = set(many.agreements["agreement_id"])
    if not ids:  # nothing the person asking may see (or nothing of that kind): no rows
        return pd.DataFrame(columns=columns)
    inputs = inputs_for(many, ids)
    table = assessed(figure_table(inputs, period), inputs, period)
    rows = _totals(table, kpi, clusters).assign(group="")
    parts = [rows]
    for gender, sums in (by_gender or {}).items():
        if kpi not in BY_GENDER:
            break
        g_inputs = Inputs(sums=sums, costs=inputs.costs.iloc[0:0],
                          cost_shares=inputs.cost_shares, indicators=inputs.indicators.iloc[0:0],
                          targets=inputs.targets.iloc[0:0], parties=inputs.parties,
                          validity=inputs.validity)
        g = figure_table(g_inputs, period)
        g = _totals(g, kpi, clusters)
        if not g.empty:
            parts.append(g.assign(group=gender, comparator=None, target=None, status="grey"))
    out = pd.concat(parts, ignore_index=True)
    if out.empty:
        return pd.DataFrame(columns=columns)
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
    return out[columns].reset_index(drop=True)
