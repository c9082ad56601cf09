"""``/``: every agreement in one table, one line each: its worst target in words, how
many targets are met, close, not met and not assessed, the period shown, how fresh and
complete its data is (every target on demand, in the row); filter by kind, county and
status, group by county or kind, search, sort (worst first); totals per county or kind
computed from counts, downloadable with small counts hidden (contract section 5).

The rows and the totals' cells come from :func:`dashboard.model.portfolio.statuses` and
:func:`dashboard.model.portfolio.total_cells`, computed once per data version and period and
kept (:mod:`dashboard.store`); a filter sums kept cells (never a pass over the agreements'
figures) and picks kept rows.
"""

from __future__ import annotations

from collections import Counter

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.data import repository
from dashboard.domain.periods import parse_period_or_none
from dashboard.domain.places import COUNTIES, codes, municipality_name
from dashboard.i18n import (
    _,
    date_label,
    document_title,
    fmt_value,
    kind_label,
    lang_of,
    ngettext,
    period_label,
    status_label,
    status_symbol,
    target_label,
)
from dashboard.model.portfolio import (
    county_codes,
    county_group,
    group_totals,
    latest_window,
    overall,
    statuses,
    total_cells,
    worst_first,
)
from dashboard.model.view import period_options, view_window
from dashboard.store import settings_cache, versions
from dashboard.store.warm import register_everyone
from dashboard.web import auth
from dashboard.web.components.cards import page_frame
from dashboard.web.components.links import agreement_path, cluster_path, href
from dashboard.web.components.totals import totals_csv, totals_table
from dashboard.web.components.view_page import engine, settings
from dashboard.web.ids import Ids

dash.register_page(__name__, order=0, path="/", title="Överenskommelser", name="Överenskommelser")

STATUS_ORDER = {"red": 0, "amber": 1, "green": 2, "grey": 3}
LATEST = ""  # the period choice "each agreement's latest period"


def portfolio_rows(period_text: str | None, lang: str) -> dict:
    """The row of every agreement the person asking may see (plain data), kept per data
    version, period and what that person may see (dashboard.access.cache_scope): everyone
    who sees every agreement shares one."""
    eng = engine()
    version, __ = versions(eng)
    cache = settings_cache(settings())
    visible = auth.current_rights().visible_agreements()  # None: all (an admin)

    def build() -> dict:
        many = repository.load_many(eng, _window(period_text),
                                    None if visible is None else sorted(visible),
                                    window_of=None if period_text else latest_window)
        found = statuses(many, period_text or None)
        rows = sorted((_row(s, lang) for s in found), key=worst_first)
        cells = total_cells([{"kind": s.kind, "municipalities": s.municipalities,
                              "period": s.period.text, "counts": s.counts,
                              **Counter(v.status for v in s.targets)} for s in found])
        span, periods = overall(many)
        return {"rows": rows, "cells": cells,
                "options": period_options(span, periods, lang)}

    return cache.get_or_build(cache.key("portfolio", version, period_text or LATEST, lang,
                                        auth.cache_scope()), build)


@register_everyone
def warm_portfolio(lang: str) -> dict:
    """The portfolio at its default period, computed ahead at every data version."""
    return portfolio_rows(LATEST, lang)


def cluster_links(lang: str) -> html.Section | None:
    """The clusters seen without their agreement (a cluster's viewer): links to them."""
    scopes = auth.current_rights().cluster_scopes()
    if not scopes:
        return None
    listed = repository.list_agreements(engine())
    agreements = dict(zip(listed["agreement_id"], listed["name"], strict=True))
    found = repository.list_clusters(engine(), sorted({a for a, __ in scopes}))
    clusters = {(a, c): n for a, c, n in zip(found["agreement_id"], found["cluster_id"],
                                             found["name"], strict=True)}
    items = [html.Li(dcc.Link(f"{clusters[(a, c)]} – {agreements.get(a, a)}",
                              href=href(cluster_path(a, c), lang=lang)))
             for a, c in scopes if (a, c) in clusters]
    if not items:
        return None
    return html.Section([html.H2(_("access.your_clusters", lang)),
                         html.Ul(items, className="cluster-list")],
                        id="your-clusters", className="your-clusters")


def _window(period_text: str | None) -> tuple[str, str] | None:
    """The months the table needs at one period for all: P and the year before."""
    period = parse_period_or_none(period_text) if period_text else None
    if period is None:
        return None
    return view_window(period)


def _row(s, lang: str) -> dict:
    counts = Counter(v.status for v in s.targets)
    targets = [{"status": v.status, "kpi": v.kpi,
                "text": f"{status_symbol(v.status)} {_target_name(v, s.party_names, lang)}: "
                        f"{fmt_value(v.value, v.unit, lang)} ({short_target(v, lang)})"}
               for v in s.targets]
    worst = min((STATUS_ORDER[v.status] for v in s.targets), default=4)
    # The worst target in words: the first of the worst status (in the targets' order).
    worst_target = next((x["text"] for x in targets if STATUS_ORDER[x["status"]] == worst),
                        "")
    municipalities = codes(s.municipalities)
    county_list = county_codes(s.municipalities)
    counties = [COUNTIES[c] for c in county_list if c in COUNTIES]
    if not s.has_data:
        freshness = "⚠ " + _("ui.no_data_period", lang, period=period_label(s.period, lang))
    elif s.missing_months:
        freshness = "⚠ " + ngettext("ui.month_missing", "ui.months_missing",
                                    s.missing_months, lang)
    else:
        freshness = "✔ " + _("ui.complete", lang)
    return {
        "id": s.agreement_id, "name": s.name,
        "href": href(agreement_path(s.agreement_id), period=s.period.text, lang=lang),
        "kind": s.kind or "", "kind_label": kind_label(s.kind, lang),
        "counties": ", ".join(counties), "county_codes": sorted(county_list),
        "county_group": _county_sort(county_group(s.municipalities)),
        "municipalities": ", ".join(municipality_name(m) for m in municipalities),
        "parties": ", ".join(s.party_names.values()), "period": s.period.text,
        "period_label": period_label(s.period, lang),
        "worst": worst, "worst_status": _worst_status(worst) if s.targets else None,
        "worst_label": status_label(_worst_status(worst), lang) if s.targets else "–",
        "red": counts["red"], "amber": counts["amber"], "green": counts["green"],
        "grey": counts["grey"], "targets": "\n".join(x["text"] for x in targets),
        "worst_target": worst_target, "n_targets": len(targets),
        "more_targets": t_more(len(targets), lang),
        "target_list": targets, "missing": s.missing_months if s.has_data else None,
        "freshness": freshness, "has_data": s.has_data,
        "data_as_of": date_label(s.data_as_of, lang), "as_of": s.data_as_of or "",
        "synthetic": s.synthetic,
    }


def short_target(v, lang: str) -> str:
    """``≥ 80``, ``≤ 200 000 kr``, ``ska öka``: the target, short enough for a table cell."""
    if v.comparator in (">=", "<="):
        unit = "share" if v.unit in ("share", "percent") else v.unit
        return f"{'≥' if v.comparator == '>=' else '≤'}\u00a0{fmt_value(v.target, unit, lang)}"
    return _(f"ui.{v.comparator}", lang) if v.comparator else ""


def _worst_status(rank: int) -> str:
    return next((k for k, v in STATUS_ORDER.items() if v == rank), "grey")


def _target_name(v, parties: dict[str, str], lang: str) -> str:
    return target_label(v.kpi, lang, parties.get(v.party_id, v.party_id), v.role)


def filtered(rows: list[dict], kinds: list[str] | None, counties: list[str] | None,
             status: str | None) -> list[dict]:
    out = rows
    if kinds:
        out = [r for r in out if r["kind"] in kinds]
    if counties:
        out = [r for r in out if set(r["county_codes"]) & set(counties)]
    if status in STATUS_ORDER:
        out = [r for r in out if r[status]]
    return out


def _county_sort(group: str) -> str:
    """A county group as the grid sorts it: SCB code order, several counties and none
    after the counties."""
    return {"several": "~1", "": "~2"}.get(group, group)


GROUPS = ("county", "kind")
def pt(key: str, lang: str, **kw) -> str:
    """A text of this page (Swedish or English) not in :mod:`dashboard.i18n`."""
    text = _(f"web.pages.portfolio.texts.{key}", lang)
    return text.format(**kw) if kw else text


def t_more(n: int, lang: str) -> str:
    return pt("more_targets", lang, n=n) if n > 1 else pt("one_target", lang)


def totals(data: dict, group: str, kinds: list[str], counties: list[str],
           status: str | None, lang: str) -> html.Div:
    """The totals per county (``group == "county"``) or per kind (otherwise) of the
    agreements the filters leave, from the kept cells."""
    by = "county" if group == "county" else "kind"
    groups, total = group_totals(data.get("cells") or [], by, kinds, counties, status)
    return totals_table(groups, total, by, lang)


def status_key_words(lang: str) -> str:
    """What the symbols in the table mean."""
    return " · ".join(f"{status_symbol(s)} {w}" for s, w in (
        ("green", _("ui.key_green", lang)), ("amber", _("ui.key_amber", lang)),
        ("red", _("ui.key_red", lang)), ("grey", _("ui.key_grey", lang))))


def columns(lang: str, group: str = "") -> list[dict]:
    """The grid's columns, one line each. ``context.priority``: which are left out first
    where the grid is too narrow for all (assets/dashAgGridFunctions.js: fitColumns);
    every one fits at 1920 px, the agreement, its status, worst target and the counts at
    1024 px. Grouped by county or kind, that column comes first, sorts first and stays."""
    def col(field: str, header: str, priority: int, **kw) -> dict:
        return {"field": field, "headerName": header, "context": {"priority": priority},
                "tooltipField": field, **kw}

    count = {"width": 52, "minWidth": 52, "maxWidth": 64, "type": "numericColumn",
             "cellClass": "count-cell"}
    cols = [
        col("name", _("ui.agreement", lang), 0, cellRenderer="AgreementLink", minWidth=200,
            flex=2),
        col("worst_label", _("ui.status", lang), 0, minWidth=150, width=150,
            comparator={"function": "statusRank"}, sort="asc", cellRenderer="StatusBadge"),
        {"field": "worst_target", "headerName": pt("worst_target", lang), "flex": 6,
         "minWidth": 280, "autoHeight": True, "sortable": False, "cellRenderer": "WorstTarget",
         "cellClass": "worst-cell", "context": {"priority": 0}},
        col("red", "✖", 1, headerTooltip=status_label("red", lang), **count),
        col("amber", "▲", 1, headerTooltip=status_label("amber", lang), **count),
        col("green", "✔", 1, headerTooltip=status_label("green", lang), **count),
        col("grey", "–", 1, headerTooltip=pt("grey_count", lang), **count),
        col("period_label", _("ui.period", lang), 2, minWidth=110, flex=1),
        col("freshness", _("ui.reported", lang), 3, minWidth=150, flex=1),
        col("counties", _("ui.county", lang), 4, minWidth=130, flex=1,
            comparator={"function": "byField('county_group')"}),
        col("kind_label", _("ui.kind", lang), 5, minWidth=120, flex=1),
        col("municipalities", _("ui.municipalities", lang), 6, minWidth=120, flex=1),
        col("parties", _("ui.parties", lang), 7, minWidth=140, flex=1),
        col("data_as_of", _("ui.data_as_of", lang), 8, minWidth=110,
            comparator={"function": "byField('as_of')"}),
    ]
    field = {"county": "counties", "kind": "kind_label"}.get(group)
    if field:
        grouped = next(c for c in cols if c["field"] == field)
        cols.remove(grouped)
        grouped.update(sort="asc", sortIndex=0, context={"priority": 0}, minWidth=140)
        cols[1]["sortIndex"] = 1  # then the worst status first within the group
        cols.insert(0, grouped)
    return cols


def group_choice(value) -> str:
    """``county``, ``kind`` or ``""`` (no grouping)."""
    return value if value in GROUPS else ""


def layout(**query):
    lang = lang_of(query.get("lang"))
    period = query.get("period") or LATEST
    problem = None
    if period and parse_period_or_none(period) is None:
        problem, period = period, LATEST
    data = portfolio_rows(period, lang)
    kinds = [k for k in (query.get("kind") or "").split(",") if k]
    counties = [c for c in (query.get("county") or "").split(",") if c in COUNTIES]
    status = query.get("status") if query.get("status") in STATUS_ORDER else None
    group = group_choice(query.get("group"))
    rows = filtered(data["rows"], kinds, counties, status)
    all_kinds = sorted({r["kind"] for r in data["rows"] if r["kind"]})
    all_counties = sorted({c for r in data["rows"] for c in r["county_codes"]})
    state = {"lang": lang, "period": period}
    options = [{"label": _("ui.each_latest", lang), "value": LATEST}] + \
        [{"label": label, "value": value} for value, label in data["options"]]
    controls = html.Div([
        html.Div([
            html.Label(_("ui.period", lang), htmlFor=Ids.PORTFOLIO_PERIOD,
                       className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_PERIOD, options=options, value=period,
                         clearable=False, searchable=True, className="period-dropdown",
                         placeholder=_("ui.search_period", lang)),
        ], className="control control-period"),
        html.Div([
            html.Label(_("ui.kind", lang), htmlFor=Ids.PORTFOLIO_KIND, className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_KIND, multi=True, value=kinds,
                         options=[{"label": kind_label(k, lang), "value": k}
                                  for k in all_kinds], placeholder=_("ui.all_kinds", lang)),
        ], className="control"),
        html.Div([
            html.Label(_("ui.county", lang), htmlFor=Ids.PORTFOLIO_COUNTY,
                       className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_COUNTY, multi=True, value=counties,
                         options=[{"label": COUNTIES[c], "value": c} for c in all_counties],
                         placeholder=_("ui.all_counties", lang)),
        ], className="control"),
        html.Div([
            html.Label(_("ui.show", lang), htmlFor=Ids.PORTFOLIO_STATUS,
                       className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_STATUS, value=status or "", clearable=False,
                         options=[{"label": _("ui.all_agreements", lang), "value": ""}] +
                         [{"label": _('ui.' + (f"with_{s}"), lang), "value": s}
                          for s in ("red", "amber", "green")]),
        ], className="control"),
        html.Div([
            html.Label(pt("group_by", lang), htmlFor=Ids.PORTFOLIO_GROUP,
                       className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_GROUP, value=group, clearable=False,
                         options=[{"label": pt("group_none", lang), "value": ""}] +
                         [{"label": pt(f"group_{g}", lang), "value": g} for g in GROUPS]),
        ], className="control"),
        html.Div([
            html.Label(_("ui.search", lang), htmlFor=Ids.PORTFOLIO_SEARCH,
                       className="control-label"),
            dcc.Input(id=Ids.PORTFOLIO_SEARCH, type="search", debounce=False,
                      value=query.get("q") or "", placeholder=_("ui.search_agreements", lang),
                      className="form-control"),
        ], className="control"),
    ], className="controls portfolio-controls")
    grid = dag.AgGrid(
        id=Ids.PORTFOLIO_GRID, rowData=rows, columnDefs=columns(lang, group),
        defaultColDef={"sortable": True, "resizable": True, "filter": False,
                       "suppressMovable": True},
        dashGridOptions={"animateRows": False, "rowBuffer": 10, "headerHeight": 52,
                         "suppressCellFocus": False, "ensureDomOrder": True,
                         "quickFilterText": query.get("q") or "",
                         "tooltipShowDelay": 400, "suppressHorizontalScroll": False,
                         "localeText": {"noRowsToShow": _("ui.no_agreements_match", lang)}},
        eventListeners={"gridSizeChanged": ["fitColumns(params)"],
                        "firstDataRendered": ["fitColumns(params)"],
                        "newColumnsLoaded": ["fitColumns(params)"]},
        getRowId="params.data.id", className="portfolio-grid",
        style={"height": "70vh", "minHeight": "420px"})
    stored = dcc.Store(id=Ids.PORTFOLIO_STATE, data={"lang": lang})
    download = html.Div([
        html.Button(_("web.components.totals.texts.download_totals", lang),
                    id=Ids.PORTFOLIO_TOTALS_DOWNLOAD,
                    className="btn btn-link btn-sm", n_clicks=0),
        dcc.Download(id=Ids.PORTFOLIO_TOTALS_FILE)], className="downloads")
    count = html.P(_("ui.agreements_shown", lang, n=len(rows), total=len(data["rows"])),
                   id=Ids.PORTFOLIO_COUNT, className="muted", role="status")
    key = html.P(status_key_words(lang), className="status-key", id="portfolio-key")
    compare_link = dcc.Link(_("ui.compare_link", lang), href=href("/compare", lang=lang),
                            className="btn btn-outline-dark", id="compare-link")
    yours = cluster_links(lang)
    rights = auth.current_rights()
    body = [html.Div([html.H1(_("ui.portfolio", lang), className="view-title"), compare_link],
                     className="title-row"),
            dbc.Alert(_("ui.period_not_a_period", lang, asked=problem), color="warning",
                      id="period-problem") if problem else None, yours,
            controls,
            html.Div(totals(data, group, kinds, counties, status, lang),
                     id=Ids.PORTFOLIO_SUMMARY), download,
            count, key, grid, stored] if data["rows"] else \
        [html.H1(_("ui.portfolio", lang), className="view-title"), yours,
         None if yours else dbc.Alert(
             _("ui.no_agreements", lang) if rights.has_any else _("access.no_roles", lang),
             color="info", id="no-agreements")]
    shown = parse_period_or_none(period) if period else None
    title = document_title(_("ui.portfolio", lang), period_label(shown, lang) if shown else None,
                           lang=lang)
    return page_frame(body, lang=lang, path="/", state=state, title=title)


@callback(
    Output(Ids.PORTFOLIO_GRID, "rowData"),
    Output(Ids.PORTFOLIO_GRID, "columnDefs"),
    Output(Ids.PORTFOLIO_SUMMARY, "children"),
    Output(Ids.PORTFOLIO_COUNT, "children"),
    Output(Ids.URL_SYNC, "data", allow_duplicate=True),
    Input(Ids.PORTFOLIO_PERIOD, "value"),
    Input(Ids.PORTFOLIO_KIND, "value"),
    Input(Ids.PORTFOLIO_COUNTY, "value"),
    Input(Ids.PORTFOLIO_STATUS, "value"),
    Input(Ids.PORTFOLIO_GROUP, "value"),
    State(Ids.PORTFOLIO_STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SIGNED_IN)  # the rows are those the person asking may see
def refilter(period, kinds, counties, status, group, state):
    """Another period, kind, county, status or grouping: the rows (kept per period)
    filtered again, and the totals summed again from the kept cells."""
    lang, period, kinds, counties, status, group = _asked(period, kinds, counties, status,
                                                          group, state)
    data = portfolio_rows(period, lang)
    rows = filtered(data["rows"], kinds, counties, status)
    query = {"lang": lang, "period": period, "kind": ",".join(kinds),
             "county": ",".join(counties), "status": status or "", "group": group}
    return (rows, columns(lang, group), totals(data, group, kinds, counties, status, lang),
            _("ui.agreements_shown", lang, n=len(rows), total=len(data["rows"])),
            {"href": href("/", **query), "push": False})


def _asked(period, kinds, counties, status, group, state) -> tuple:
    """The controls' values, each checked (anything else: its default)."""
    state = state if isinstance(state, dict) else {}
    lang = lang_of(state.get("lang"))
    period = period if isinstance(period, str) and (
        period == LATEST or parse_period_or_none(period)) else LATEST
    kinds = [k for k in kinds or [] if isinstance(k, str)] if isinstance(kinds, list) else []
    counties = [c for c in counties or [] if c in COUNTIES] \
        if isinstance(counties, list) else []
    status = status if status in STATUS_ORDER else None
    return lang, period, kinds, counties, status, group_choice(group)


@callback(
    Output(Ids.PORTFOLIO_TOTALS_FILE, "data"),
    Input(Ids.PORTFOLIO_TOTALS_DOWNLOAD, "n_clicks"),
    State(Ids.PORTFOLIO_PERIOD, "value"),
    State(Ids.PORTFOLIO_KIND, "value"),
    State(Ids.PORTFOLIO_COUNTY, "value"),
    State(Ids.PORTFOLIO_STATUS, "value"),
    State(Ids.PORTFOLIO_GROUP, "value"),
    State(Ids.PORTFOLIO_STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SIGNED_IN, audit="export_chart")  # the totals of what the person may see
def download_totals(clicks, period, kinds, counties, status, group, state):
    """The totals shown as CSV for the minutes, small counts hidden (contract section 5)."""
    if not clicks:
        raise PreventUpdate
    lang, period, kinds, counties, status, group = _asked(period, kinds, counties, status,
                                                          group, state)
    data = portfolio_rows(period, lang)
    by = "county" if group == "county" else "kind"
    groups, total = group_totals(data.get("cells") or [], by, kinds, counties, status)
    text = totals_csv(groups, total, by, lang, settings().suppression_threshold)
    name = f"{_('web.pages.portfolio.totals_file', lang)}-{by}-{period or 'senaste'}.csv"
    return dcc.send_string(text, name.replace("..", "_"), type="text/csv")


# The search box filters the rows in the browser, as the user types.
clientside_callback(
    """function(text, options) {
        return Object.assign({}, options || {}, {quickFilterText: text || ""});
    }""",
    Output(Ids.PORTFOLIO_GRID, "dashGridOptions", allow_duplicate=True),
    Input(Ids.PORTFOLIO_SEARCH, "value"),
    State(Ids.PORTFOLIO_GRID, "dashGridOptions"),
    prevent_initial_call=True,
)
