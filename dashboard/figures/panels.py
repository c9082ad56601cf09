"""The panels of a view: each a titled figure with its footer, and what goes with it.

One list of panels feeds the browser pages, presentation mode and the exported pack, so
that what the minutes show is what the room saw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.domain.periods import shift_month
from dashboard.domain.privacy import suppress_monthly, suppress_outcomes
from dashboard.figures.clusters import cluster_figure
from dashboard.figures.common import FigureText
from dashboard.figures.costs import costs_figure
from dashboard.figures.forecast import draw_occupancy_forecast, forecast_months, with_forecasts
from dashboard.figures.indicators import indicators_figure
from dashboard.figures.markers import mark_decisions, markers_for
from dashboard.figures.occupancy import flow_figure, occupancy_figure
from dashboard.figures.outcomes import outcomes_figure
from dashboard.figures.spec import Figure
from dashboard.figures.staffing import staffing_figure
from dashboard.figures.theme import Theme
from dashboard.i18n import (
    _,
    fmt_fte,
    fmt_sek,
    kpi_label,
    month_label,
    same_period_earlier,
    status_label,
)
from dashboard.model.series import (
    category_balances,
    cluster_names,
    cluster_rows,
    costs_by_party,
    expected_tables,
    flow_by_month,
    indicator_rows,
    indicator_series,
    months_shown,
    occupancy_by_month,
    outcomes_by_group,
    party_names,
    settlements,
    staffing_by_party,
)
from dashboard.model.view import View

PANEL_KEYS = ("occupancy", "flow", "outcomes", "staffing", "costs", "indicators",
              "clusters_occupancy", "clusters_share")


@dataclass
class Panel:
    """One chart of a view, with its words."""

    key: str
    title: str
    figure: Figure
    n: int | None = None
    sentences: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    has_data: bool = True
    # What a slide writes under the chart, where that is less than ``sentences`` (those
    # the chart draws itself are left out: a slide has no room to say things twice).
    slide_sentences: list[str] | None = None

    @property
    def slide_lines(self) -> list[str]:
        return self.sentences if self.slide_sentences is None else self.slide_sentences


def figure_text(view: View, what: str, n: int | None = None,
                extra: str | None = None) -> FigureText:
    return FigureText(title=what, subtitle=f"{view.where} · {view.period_text}",
                      footer=view.footer(n, extra), lang=view.lang)


def _flagged_months(view: View) -> set[str]:
    """Months where a cluster has not reported occupancy (they are marked * on the chart)."""
    return {m for note in view.notes if note.kind == "missing_month"
            and "occupancy" in (note.table or "").split("+") for m in note.months}


def occupancy_panel(view: View, theme: Theme, suppress_below: int | None = None) -> Panel:
    lang = view.lang
    occ = view.value("occupancy")
    months = forecast_months(view, months_shown(view.period, view.span[1] if view.span
                                                else None), "occupancy", suppress_below)
    monthly = occupancy_by_month(view.data, view.period, view.cluster_id, view.breakdown)
    totals = monthly.groupby("month")["participants"].sum() if not monthly.empty else None
    suppressed = False
    if suppress_below and not monthly.empty:
        monthly = suppress_monthly(monthly, suppress_below)
        suppressed = bool(monthly["hidden"].any())
    flagged = _flagged_months(view) & set(months)
    notes = []
    if flagged:
        notes.append(_("ui.star_cluster_missing" if view.cluster_id is None
                       else "ui.star_month_missing", lang))
    if suppressed:
        notes.append(_("ui.suppression_note", lang))
    extra = " · ".join(notes) or None
    what = _("ui.occupancy_title", lang)
    earlier = earlier_totals(view, months)
    fig = occupancy_figure(monthly, months=months, breakdown=view.breakdown,
                           target=occ.target if occ and occ.comparator in (">=", "<=")
                           else None,
                           mean=occ.value if occ else None,
                           text=figure_text(view, what, extra=extra), theme=theme,
                           flagged=flagged, totals=totals, earlier=earlier,
                           earlier_label=same_period_earlier(view.period, lang))
    drawn = draw_occupancy_forecast(view, fig, months, totals, theme, suppress_below)
    panel = with_forecasts(view, Panel("occupancy", what, fig, has_data=not monthly.empty),
                           suppress_below, drawn)
    return decided(panel, view, theme, [(months, markers_for(view, ("occupancy",)))])


def earlier_totals(view: View, months: list[str]) -> list[float | None] | None:
    """Participants in each month of ``months`` a year earlier (the view's rows hold the
    same period a year earlier), or ``None`` for a period longer than a year (it would
    be the same months drawn twice) or without data then."""
    if len(view.period.months) > 12:
        return None
    before = view.period.year_earlier()
    rows = occupancy_by_month(view.data, before, view.cluster_id, "total")
    if rows.empty:
        return None
    by_month = rows.groupby("month")["participants"].sum()
    return [None if shift_month(m, -12) not in by_month.index
            else float(by_month[shift_month(m, -12)]) for m in months]


def flow_panel(view: View, theme: Theme) -> Panel:
    what = _("ui.flow_title", view.lang)
    months = months_shown(view.period, view.span[1] if view.span else None)
    flow = flow_by_month(view.data, view.period, view.cluster_id)
    flagged = _flagged_months(view) & set(months)
    extra = _("ui.star_cluster_missing" if view.cluster_id is None else "ui.star_month_missing",
              view.lang) if flagged else None
    fig = flow_figure(flow, months=months, text=figure_text(view, what, extra=extra),
                      theme=theme, flagged=flagged)
    panel = with_forecasts(view, Panel("flow", what, fig, has_data=not flow.empty))
    return decided(panel, view, theme, [(months, markers_for(view, ("started", "exited")))])


def outcomes_panel(view: View, theme: Theme, suppress_below: int | None = None) -> Panel:
    share = view.value("work_study_share")
    groups = outcomes_by_group(view.data, view.period, view.cluster_id, view.breakdown)
    what = _("ui.outcomes_title", view.lang)
    n = share.n if share else None
    extra = None
    if suppress_below and not groups.empty:
        groups = suppress_outcomes(groups, suppress_below)
        if any(groups["hidden"]):
            extra = _("ui.suppression_note", view.lang)
    fig = outcomes_figure(groups, breakdown=view.breakdown,
                          target=share.target if share else None,
                          comparator=share.comparator if share else None,
                          status=share.status if share and share.comparator else None,
                          previous=share.previous if share else None,
                          previous_label=same_period_earlier(view.period, view.lang),
                          text=figure_text(view, what, n=n, extra=extra), theme=theme,
                          earlier=earlier_shares(view, groups, suppress_below))
    return with_forecasts(view, Panel("outcomes", what, fig, n=n, table=groups,
                                      has_data=not groups.empty), suppress_below)


def earlier_shares(view: View, groups: pd.DataFrame,
                   suppress_below: int | None = None) -> list[float | None] | None:
    """Each group's share in work or study in the same period a year earlier (in the
    order of ``groups``), or ``None`` for a period longer than a year or without
    completers then. In exports a share is left out where its counts would be hidden
    (contract section 5)."""
    if groups.empty or len(view.period.months) > 12:
        return None
    before = outcomes_by_group(view.data, view.period.year_earlier(), view.cluster_id,
                               view.breakdown)
    if before.empty or not before["completed"].fillna(0).gt(0).any():
        return None
    if suppress_below:
        before = suppress_outcomes(before, suppress_below)
    shares = {}
    for rec in before.to_dict("records"):
        hidden = rec.get("hidden") or ()
        share = rec.get("share")
        shares[rec["group"]] = None if "share" in hidden or share is None or \
            share != share else float(share)
    return [shares.get(g) for g in groups["group"]]


def staffing_panel(view: View, theme: Theme) -> Panel:
    lang = view.lang
    parties = staffing_by_party(view.values, view.data, view.cluster_id)
    what = _("ui.staffing_title", lang)
    sentences = []
    total = parties[parties["party_id"].isna()]
    if not total.empty and total["lowest"].notna().any():
        low = total.iloc[0]
        sentences.append(_("ui.lowest_month_sentence", lang, fte=fmt_fte(low["lowest"], lang),
                           month=month_label(low["lowest_month"], lang, short=False)))
    sentences += role_sentences(view)
    fig = staffing_figure(parties, text=figure_text(view, what),
                          theme=theme)
    # The chart draws all parties' lowest month and each role with a target; a slide
    # says only the other roles in words.
    return with_forecasts(view, Panel("staffing", what, fig, table=parties, sentences=sentences,
                                      has_data=bool(parties["actual"].notna().any()),
                                      slide_sentences=role_sentences(view, teams=False)))


def role_sentences(view: View, teams: bool | None = None) -> list[str]:
    """The staffing roles apart (contract section 3, per role): a role with a target is
    the team (e.g. Krami's counsellors, "never under 3"), the other roles other staff;
    ``teams`` True or False: only those with a target, or only the others."""

    lang = view.lang
    by_role: dict[str, dict] = {}
    for v in view.scope_values():
        if v.role and v.party_id is None:
            by_role.setdefault(v.role, {})[v.kpi] = v
    out = []
    team = {r for r, f in by_role.items() if any(v.comparator for v in f.values())}
    def size(role: str) -> float:
        actual = by_role[role].get("fte_actual")
        return -(actual.value or 0) if actual is not None else 0

    for role in sorted(by_role, key=lambda r: (r not in team, size(r), r.casefold())):
        if teams is not None and (role in team) != teams:
            continue
        figures = by_role[role]
        actual, low = figures.get("fte_actual"), figures.get("fte_actual_min")
        if actual is None or actual.value is None:
            continue
        if role in team:
            judged = actual if actual.comparator else low
            target = ("≥ " if judged.comparator == ">=" else "≤ ") + fmt_fte(judged.target,
                                                                           lang)
            out.append(_("ui.role_team_sentence", lang, role=role,
                         fte=fmt_fte(actual.value, lang),
                         low=fmt_fte(low.value if low else None, lang),
                         month=month_label(low.at_month, lang, short=False)
                         if low and low.at_month else "–",
                         target=f"{t_kpi(judged.kpi, lang)} {target}",
                         status=status_label(judged.status, lang, judged.comparator)))
        else:
            out.append(_("ui.role_other_sentence", lang, role=role,
                         fte=fmt_fte(actual.value, lang)))
    return out


def t_kpi(kpi: str, lang: str) -> str:

    label = kpi_label(kpi, lang)
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def costs_panel(view: View, theme: Theme, sections: list[str] | None = None,
                part: str = "") -> Panel:
    """Cost sharing; ``sections`` (categories and/or ``"total"``) draws only those small
    charts, with only their sentences (a slide that shares them out, ``part`` "1/2")."""
    lang = view.lang
    by_party = costs_by_party(view.data, view.period)
    names = party_names(view.data)
    balances = {v.party_id: v.value for v in view.values
                if v.kpi == "cost_balance" and v.cluster_id is None}
    sentences = []
    if not by_party.empty:
        if sections is None or "total" in sections:
            sentences += settlement_sentences(balances, names, lang)
        per_category = category_balances(by_party)
        if len(per_category) > 1:
            # Each category has its own split (contract section 1): settled one by one.
            for category, own in per_category.items():
                if sections is not None and category not in sections:
                    continue
                words = settlement_sentences(own, names, lang)
                sentences.append(f"{category.capitalize()}: " + " ".join(words))
    what = _("ui.costs_title", lang) + (f" ({part})" if part else "")
    overall = settlement_sentences(balances, names, lang) if not by_party.empty else []
    extra = overall[0] if overall else None
    fig = costs_figure(by_party, names, text=figure_text(view, what, extra=extra), theme=theme,
                       sections=sections)
    return Panel("costs", what, fig, sentences=sentences, table=by_party,
                 has_data=not by_party.empty)


def settlement_sentences(balances: dict, names: dict[str, str], lang: str) -> list[str]:
    """Who owes whom, in words: one sentence per transfer, or that nobody owes anything."""
    transfers = settlements(balances)
    if not transfers:
        return [_("ui.settled", lang)]
    return [_("ui.owes", lang, debtor=names.get(d, d), creditor=names.get(c, c),
              amount=fmt_sek(amount, lang)) for d, c, amount in transfers]


def indicators_panel(view: View, theme: Theme, names: list[str] | None = None,
                     part: str = "") -> Panel:
    """The indicators (or only ``names``, e.g. four at a time for a slide)."""
    rows = indicator_rows(view.values, view.data, view.period, view.cluster_id, view.lang)
    if names is not None:
        rows = rows[rows["name"].isin(names)].reset_index(drop=True)
    series = {name: indicator_series(view.data.indicators, name, view.cluster_id, view.period)
              for name in rows["name"]}
    what = _("ui.indicators_title", view.lang) + (f" ({part})" if part else "")
    fig = indicators_figure(rows, series, text=figure_text(view, what), theme=theme,
                            columns=2 if len(rows) > 1 else 1)
    has = any(not s.empty for s in series.values())
    cells = [(list(dict.fromkeys(s["period"])), markers_for(view, (name,)))
             for name, s in series.items() if not s.empty]
    return decided(Panel("indicators", what, fig, table=rows, has_data=has), view, theme,
                   cells)


def decided(panel: Panel, view: View, theme: Theme, cells: list) -> Panel:
    """The panel with its decisions marked on its chart and said in its words beside it
    (:mod:`.markers`); ``cells``: each small chart's periods and decisions. A slide keeps
    the room its chart was drawn for: it writes no more lines under it (a meeting's deck
    says the decisions whole on its "Effekt sedan beslut" slide)."""
    if not any(markers for __, markers in cells) or not panel.has_data:
        return panel
    words = mark_decisions(panel.figure, theme, view.lang, cells)
    panel.slide_sentences = list(panel.slide_lines)
    panel.sentences = [*panel.sentences, *words]
    return panel


def indicator_names_with_data(view: View) -> list[str]:
    """Indicators of the view that have a value in P or the same period a year earlier."""
    rows = indicator_rows(view.values, view.data, view.period, view.cluster_id, view.lang)
    return [n for n in rows["name"]
            if not indicator_series(view.data.indicators, n, view.cluster_id,
                                    view.period).empty]


def cluster_panels(view: View, theme: Theme) -> list[Panel]:
    rows = cluster_rows(view.values, view.data, view.period)
    if len(rows) < 2:
        return []
    lang = view.lang
    names = cluster_names(view.data)
    out = []
    for key, metric, title in (("clusters_occupancy", "occupancy", "occupancy_title"),
                               ("clusters_share", "work_study_share", "share_title")):
        if rows[metric].isna().all():
            continue
        what = f"{_('ui.clusters_title', lang)}: {_(f'ui.{title}', lang).lower()}"
        targets = set(rows["share_target" if metric != "occupancy" else "occupancy_target"]
                      .dropna())
        target = targets.pop() if len(targets) == 1 else None
        n = int(rows["completed"].fillna(0).sum()) if metric != "occupancy" else None
        table = "occupancy" if metric == "occupancy" else "outcomes"
        missing = missing_by_cluster(view.notes, table)
        extra = "; ".join(_("ui.star_cluster_months", lang, cluster=names.get(cid, cid),
                            months=", ".join(month_label(m, lang) for m in months))
                          for cid, months in missing.items()) or None
        fig = cluster_figure(rows, metric, text=figure_text(view, what, n=n, extra=extra),
                             theme=theme, target=target, flagged=set(missing))
        out.append(Panel(key, what, fig, n=n, table=rows))
    return out


def missing_by_cluster(notes, table: str) -> dict[str, list[str]]:
    """The months each cluster has not reported in ``table`` (from the completeness notes)."""
    out: dict[str, list[str]] = {}
    for note in notes:
        if note.kind == "missing_month" and note.cluster_id and \
                table in (note.table or "").split("+"):
            out.setdefault(note.cluster_id, [])
            out[note.cluster_id] += [m for m in note.months if m not in out[note.cluster_id]]
    return out


def build_panels(view: View, theme: Theme, *, only_with_data: bool = True,
                 suppress_below: int | None = None) -> list[Panel]:
    """Every panel of the view, in the order of the page and of the minutes.

    ``suppress_below`` (exports): counts in breakdowns from 1 to ``suppress_below - 1`` are
    hidden, with complementary suppression (:mod:`dashboard.domain.privacy`).
    """
    panels = [occupancy_panel(view, theme, suppress_below), flow_panel(view, theme),
              outcomes_panel(view, theme, suppress_below), staffing_panel(view, theme)]
    if view.cluster_id is None:
        panels.append(costs_panel(view, theme))
    panels.append(indicators_panel(view, theme))
    if view.cluster_id is None:
        panels += cluster_panels(view, theme)
    if only_with_data:
        panels = [p for p in panels if p.has_data or _expected(view, p.key)]
    return panels


def _expected(view: View, key: str) -> bool:
    """A panel without data is still shown when the agreement reports that table."""

    table = {"occupancy": "occupancy", "flow": "occupancy", "outcomes": "outcomes",
             "staffing": "staffing", "costs": "costs"}.get(key)
    return table in expected_tables(view.data, view.cluster_id) if table else False
