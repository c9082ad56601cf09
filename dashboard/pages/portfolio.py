"""``/``: every agreement in one table: each target's status in words and symbol, the period
shown, how fresh and complete its data is; filter by kind and county, search, sort (worst
first); a summary of the statuses across the portfolio and by kind.

The rows come from :func:`dashboard.model.portfolio.statuses`, computed once per data version and
period and kept (:mod:`dashboard.store`); filtering happens on the kept rows.
"""

from __future__ import annotations

from collections import Counter

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.web import auth
from dashboard.data import repository
from dashboard.access.texts import tt as auth_text
from dashboard.web.components.cards import page_frame
from dashboard.web.components.links import agreement_path, cluster_path, href
from dashboard.web.components.view_page import engine, settings
from dashboard.i18n import date_label, document_title, fmt_value, kind_label, kpi_label, lang_of, period_label, status_label, status_symbol, t
from dashboard.web.ids import Ids
from dashboard.domain.periods import parse_period_or_none
from dashboard.domain.places import COUNTIES, codes, county_of, municipality_name
from dashboard.model.portfolio import latest_window, overall, statuses
from dashboard.store import settings_cache, versions
from dashboard.model.view import period_options

dash.register_page(__name__, order=0, path="/", title="Överenskommelser", name="Överenskommelser")

STATUS_ORDER = {"red": 0, "amber": 1, "green": 2, "grey": 3}
LATEST = ""  # the period choice "each agreement's latest period"


def portfolio_rows(period_text: str | None, lang: str) -> dict:
    """The row of every agreement the person asking may see (plain data), kept per data
    version, period and what that person may see (dashboard.access.cache_scope): everyone
    who sees every agreement shares one."""
    eng = engine()
    version, _ = versions(eng)
    cache = settings_cache(settings())
    visible = auth.current_rights().visible_agreements()  # None: all (an admin)

    def build() -> dict:
        many = repository.load_many(eng, _window(period_text),
                                    None if visible is None else sorted(visible),
                                    window_of=None if period_text else latest_window)
        rows = [_row(s, lang) for s in statuses(many, period_text or None)]
        span, periods = overall(many)
        return {"rows": rows, "options": period_options(span, periods, lang)}

    return cache.get_or_build(cache.key("portfolio", version, period_text or LATEST, lang,
                                        auth.cache_scope()), build)


def cluster_links(lang: str) -> html.Section | None:
    """The clusters seen without their agreement (a cluster's viewer): links to them."""
    scopes = auth.current_rights().cluster_scopes()
    if not scopes:
        return None
    listed = repository.list_agreements(engine())
    agreements = dict(zip(listed["agreement_id"], listed["name"], strict=True))
    found = repository.list_clusters(engine(), sorted({a for a, _ in scopes}))
    clusters = {(a, c): n for a, c, n in zip(found["agreement_id"], found["cluster_id"],
                                             found["name"], strict=True)}
    items = [html.Li(dcc.Link(f"{clusters[(a, c)]} – {agreements.get(a, a)}",
                              href=href(cluster_path(a, c), lang=lang)))
             for a, c in scopes if (a, c) in clusters]
    if not items:
        return None
    return html.Section([html.H2(auth_text("your_clusters", lang)),
                         html.Ul(items, className="cluster-list")],
                        id="your-clusters", className="your-clusters")


def _window(period_text: str | None) -> tuple[str, str] | None:
    """The months the table needs at one period for all: P and the year before."""
    period = parse_period_or_none(period_text) if period_text else None
    if period is None:
        return None
    return (period.year_earlier().start, period.end)


def _row(s, lang: str) -> dict:
    counts = Counter(v.status for v in s.targets)
    targets = [{"status": v.status, "kpi": v.kpi,
                "text": f"{status_symbol(v.status)} {_target_name(v, s.party_names, lang)}: "
                        f"{fmt_value(v.value, v.unit, lang)} ({short_target(v, lang)})"}
               for v in s.targets]
    worst = min((STATUS_ORDER[v.status] for v in s.targets), default=4)
    municipalities = codes(s.municipalities)
    counties = list(dict.fromkeys(c for c in (county_of(m) for m in municipalities) if c))
    if not s.has_data:
        freshness = "⚠ " + t("no_data_period", lang, period=period_label(s.period, lang))
    elif s.missing_months:
        freshness = "⚠ " + (t("month_missing", lang) if s.missing_months == 1
                            else t("months_missing", lang, n=s.missing_months))
    else:
        freshness = "✔ " + t("complete", lang)
    return {
        "id": s.agreement_id, "name": s.name,
        "href": href(agreement_path(s.agreement_id), period=s.period.text, lang=lang),
        "kind": s.kind or "", "kind_label": kind_label(s.kind, lang),
        "counties": ", ".join(counties), "county_codes": sorted({m[:2] for m in municipalities}),
        "municipalities": ", ".join(municipality_name(m) for m in municipalities),
        "parties": ", ".join(s.party_names.values()), "period": s.period.text,
        "period_label": period_label(s.period, lang),
        "worst": worst, "worst_status": _worst_status(worst) if s.targets else None,
        "worst_label": status_label(_worst_status(worst), lang) if s.targets else "–",
        "red": counts["red"], "amber": counts["amber"], "green": counts["green"],
        "grey": counts["grey"], "targets": "\n".join(x["text"] for x in targets),
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
    return t(v.comparator, lang) if v.comparator else ""


def _worst_status(rank: int) -> str:
    return next((k for k, v in STATUS_ORDER.items() if v == rank), "grey")


def _target_name(v, parties: dict[str, str], lang: str) -> str:
    return kpi_label(v.kpi, lang) + (f" – {parties.get(v.party_id, v.party_id)}"
                                     if v.party_id else "")


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


def summary(rows: list[dict], lang: str) -> html.Div:
    """How many targets are met, close, not met and not assessed: in all, and by kind."""
    def cells(group: list[dict]) -> list:
        return [html.Td(sum(r[s] for r in group), className=f"num summary-{s}")
                for s in ("red", "amber", "green", "grey")]

    by_kind: dict[str, list[dict]] = {}
    for r in rows:
        by_kind.setdefault(r["kind_label"] or t("no_kind", lang), []).append(r)
    head = html.Thead(html.Tr([html.Th(t("kind", lang)), html.Th(t("agreements_n", lang)),
                               *[html.Th(status_label(s, lang), scope="col")
                                 for s in ("red", "amber", "green", "grey")]]))
    body = [html.Tr([html.Th(name, scope="row"), html.Td(len(group), className="num"),
                     *cells(group)]) for name, group in sorted(by_kind.items())]
    if len(by_kind) > 1:
        body.append(html.Tr([html.Th(t("total", lang), scope="row"),
                             html.Td(len(rows), className="num"), *cells(rows)],
                            className="summary-total"))
    return html.Table([html.Caption(t("portfolio_summary", lang)), head, html.Tbody(body)],
                      className="table table-sm portfolio-summary", id="portfolio-summary")


def status_key_words(lang: str) -> str:
    """What the symbols in the table mean."""
    return " · ".join(f"{status_symbol(s)} {w}" for s, w in (
        ("green", t("key_green", lang)), ("amber", t("key_amber", lang)),
        ("red", t("key_red", lang)), ("grey", t("key_grey", lang))))


def columns(lang: str) -> list[dict]:
    return [
        {"field": "name", "headerName": t("agreement", lang), "cellRenderer": "AgreementLink",
         "minWidth": 240, "flex": 2, "wrapText": True, "autoHeight": True, "pinned": "left"},
        {"field": "worst_label", "headerName": t("status", lang), "minWidth": 170,
         "comparator": {"function": "statusRank"}, "sort": "asc",
         "cellRenderer": "StatusBadge"},
        {"field": "targets", "headerName": t("targets_status", lang), "flex": 4,
         "minWidth": 340, "autoHeight": True, "sortable": False,
         "cellRenderer": "TargetList", "cellClass": "targets-cell"},
        {"field": "red", "headerName": "✖", "headerTooltip": status_label("red", lang),
         "width": 76, "type": "numericColumn"},
        {"field": "amber", "headerName": "▲", "headerTooltip": status_label("amber", lang),
         "width": 76, "type": "numericColumn"},
        {"field": "green", "headerName": "✔", "headerTooltip": status_label("green", lang),
         "width": 76, "type": "numericColumn"},
        {"field": "period_label", "headerName": t("period", lang), "minWidth": 130},
        {"field": "freshness", "headerName": t("reported", lang), "minWidth": 190,
         "wrapText": True, "autoHeight": True},
        {"field": "kind_label", "headerName": t("kind", lang), "minWidth": 140},
        {"field": "counties", "headerName": t("county", lang), "minWidth": 150,
         "wrapText": True, "autoHeight": True},
        {"field": "municipalities", "headerName": t("municipalities", lang), "minWidth": 150,
         "wrapText": True, "autoHeight": True},
        {"field": "parties", "headerName": t("parties", lang), "minWidth": 200, "flex": 1,
         "wrapText": True, "autoHeight": True},
        {"field": "data_as_of", "headerName": t("data_as_of", lang), "minWidth": 150,
         "comparator": {"function": "byField('as_of')"}},
    ]


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
    rows = filtered(data["rows"], kinds, counties, status)
    all_kinds = sorted({r["kind"] for r in data["rows"] if r["kind"]})
    all_counties = sorted({c for r in data["rows"] for c in r["county_codes"]})
    state = {"lang": lang, "period": period}
    options = [{"label": t("each_latest", lang), "value": LATEST}] + \
        [{"label": label, "value": value} for value, label in data["options"]]
    controls = html.Div([
        html.Div([
            html.Label(t("period", lang), htmlFor=Ids.PORTFOLIO_PERIOD,
                       className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_PERIOD, options=options, value=period,
                         clearable=False, searchable=True, className="period-dropdown",
                         placeholder=t("search_period", lang)),
        ], className="control"),
        html.Div([
            html.Label(t("kind", lang), htmlFor=Ids.PORTFOLIO_KIND, className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_KIND, multi=True, value=kinds,
                         options=[{"label": kind_label(k, lang), "value": k}
                                  for k in all_kinds], placeholder=t("all_kinds", lang)),
        ], className="control"),
        html.Div([
            html.Label(t("county", lang), htmlFor=Ids.PORTFOLIO_COUNTY,
                       className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_COUNTY, multi=True, value=counties,
                         options=[{"label": COUNTIES[c], "value": c} for c in all_counties],
                         placeholder=t("all_counties", lang)),
        ], className="control"),
        html.Div([
            html.Label(t("show", lang), htmlFor=Ids.PORTFOLIO_STATUS,
                       className="control-label"),
            dcc.Dropdown(id=Ids.PORTFOLIO_STATUS, value=status or "", clearable=False,
                         options=[{"label": t("all_agreements", lang), "value": ""}] +
                         [{"label": t(f"with_{s}", lang), "value": s}
                          for s in ("red", "amber", "green")]),
        ], className="control"),
        html.Div([
            html.Label(t("search", lang), htmlFor=Ids.PORTFOLIO_SEARCH,
                       className="control-label"),
            dcc.Input(id=Ids.PORTFOLIO_SEARCH, type="search", debounce=False,
                      value=query.get("q") or "", placeholder=t("search_agreements", lang),
                      className="form-control"),
        ], className="control"),
    ], className="controls portfolio-controls")
    grid = dag.AgGrid(
        id=Ids.PORTFOLIO_GRID, rowData=rows, columnDefs=columns(lang),
        defaultColDef={"sortable": True, "resizable": True, "filter": False,
                       "suppressMovable": True},
        dashGridOptions={"animateRows": False, "rowBuffer": 10, "headerHeight": 52,
                         "suppressCellFocus": False, "ensureDomOrder": True,
                         "quickFilterText": query.get("q") or "",
                         "localeText": {"noRowsToShow": t("no_agreements_match", lang)}},
        getRowId="params.data.id", className="portfolio-grid",
        style={"height": "70vh", "minHeight": "420px"})
    stored = dcc.Store(id=Ids.PORTFOLIO_STATE, data={"lang": lang})
    count = html.P(t("agreements_shown", lang, n=len(rows), total=len(data["rows"])),
                   id=Ids.PORTFOLIO_COUNT, className="muted", role="status")
    key = html.P(status_key_words(lang), className="status-key", id="portfolio-key")
    compare_link = dcc.Link(t("compare_link", lang), href=href("/compare", lang=lang),
                            className="btn btn-outline-dark", id="compare-link")
    yours = cluster_links(lang)
    rights = auth.current_rights()
    body = [html.Div([html.H1(t("portfolio", lang), className="view-title"), compare_link],
                     className="title-row"),
            dbc.Alert(t("period_not_a_period", lang, asked=problem), color="warning",
                      id="period-problem") if problem else None, yours,
            controls, html.Div(summary(rows, lang), id=Ids.PORTFOLIO_SUMMARY),
            count, key, grid, stored] if data["rows"] else \
        [html.H1(t("portfolio", lang), className="view-title"), yours,
         None if yours else dbc.Alert(
             t("no_agreements", lang) if rights.has_any else auth_text("no_roles", lang),
             color="info", id="no-agreements")]
    shown = parse_period_or_none(period) if period else None
    title = document_title(t("portfolio", lang), period_label(shown, lang) if shown else None,
                           lang=lang)
    return page_frame(body, lang=lang, path="/", state=state, title=title)


@callback(
    Output(Ids.PORTFOLIO_GRID, "rowData"),
    Output(Ids.PORTFOLIO_SUMMARY, "children"),
    Output(Ids.PORTFOLIO_COUNT, "children"),
    Output(Ids.URL_SYNC, "data", allow_duplicate=True),
    Input(Ids.PORTFOLIO_PERIOD, "value"),
    Input(Ids.PORTFOLIO_KIND, "value"),
    Input(Ids.PORTFOLIO_COUNTY, "value"),
    Input(Ids.PORTFOLIO_STATUS, "value"),
    State(Ids.PORTFOLIO_STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SIGNED_IN)  # the rows are those the person asking may see
def refilter(period, kinds, counties, status, state):
    """Another period, kind, county or status: the rows (kept per period) filtered again."""
    state = state if isinstance(state, dict) else {}
    lang = lang_of(state.get("lang"))
    period = period if isinstance(period, str) and (
        period == LATEST or parse_period_or_none(period)) else LATEST
    kinds = [k for k in kinds or [] if isinstance(k, str)]
    counties = [c for c in counties or [] if c in COUNTIES]
    data = portfolio_rows(period, lang)
    status = status if status in STATUS_ORDER else None
    rows = filtered(data["rows"], kinds, counties, status)
    query = {"lang": lang, "period": period, "kind": ",".join(kinds),
             "county": ",".join(counties), "status": status or ""}
    return (rows, summary(rows, lang),
            t("agreements_shown", lang, n=len(rows), total=len(data["rows"])),
            {"href": href("/", **query), "push": False})


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
