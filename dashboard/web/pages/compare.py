"""``/compare``: one key figure across every agreement (or every cluster), ranked, each
against its own target, optionally for women and men, with n; as a chart (downloadable as
PNG or SVG, small counts hidden) and as a table.

What the AF–KV blog post asks: compare units across the country, and see why results are
weaker for women. The rows come from :func:`dashboard.model.portfolio.compare`, computed once per
data version and choice and kept (:mod:`dashboard.store`).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import jobs
from dashboard.data import repository
from dashboard.domain.kpis import UNITS
from dashboard.domain.periods import Period, parse_period_or_none
from dashboard.domain.privacy import suppress_compare
from dashboard.export.images import IMAGE_FORMATS, ExportError, NoBrowserError
from dashboard.export.texts import slug
from dashboard.figures.common import FigureText
from dashboard.figures.compare import compare_figure
from dashboard.figures.theme import EXPORT, SCREEN
from dashboard.i18n import (
    _,
    date_label,
    document_title,
    fmt_value,
    gender_label,
    kind_label,
    kpi_label,
    lang_of,
    period_label,
    status_label,
)
from dashboard.model.benchmark import MIN_UNITS, benchmark, references_for, with_reference
from dashboard.model.portfolio import BY_GENDER, COMPARABLE, compare, overall
from dashboard.model.view import default_period, period_options, view_window
from dashboard.store import settings_cache, versions
from dashboard.store.warm import register_everyone
from dashboard.web import auth
from dashboard.web.components.cards import GRAPH_CONFIG, page_frame
from dashboard.web.components.export import queued_image
from dashboard.web.components.links import href
from dashboard.web.components.view_page import engine, settings
from dashboard.web.ids import Ids

dash.register_page(__name__, order=1, path="/compare", title="Jämför", name="Jämför")

LEVELS = ("agreements", "clusters")


def levels_for(rights) -> tuple[str, ...]:
    """The levels the person may compare at: agreements and clusters; only clusters for a
    viewer of clusters who sees no agreement whole; none for someone without a role."""
    if rights.visible_agreements() != set():  # an admin (None) or some agreement whole
        return LEVELS
    return ("clusters",) if rights.cluster_scopes() else ()


def choices(query: dict, levels: tuple[str, ...] = LEVELS) -> dict:
    """The comparison asked for, each part checked (anything else: the default); the level
    one of ``levels`` (those the person may compare at)."""
    kpi = query.get("kpi") if query.get("kpi") in COMPARABLE else "work_study_share"
    level = query.get("level") if query.get("level") in levels else \
        (levels[0] if levels else "agreements")
    gender = query.get("gender") in ("1", "true", "ja", True) and kpi in BY_GENDER
    period = query.get("period") if parse_period_or_none(query.get("period") or "") else ""
    return {"kpi": kpi, "level": level, "kind": query.get("kind") or "", "gender": gender,
            "period": period, "lang": lang_of(query.get("lang"))}


def comparison(choice: dict) -> dict:
    """The ranked rows (plain data) and the period they are for, of what the person asking
    may see (dashboard.access): kept per data version and per what one may see (everyone who
    sees every agreement shares one), in either language (only the period picker's labels,
    made on the way out, are in the reader's)."""
    eng = engine()
    version, __ = versions(eng)
    cache = settings_cache(settings())
    rights = auth.current_rights()
    visible = rights.visible_agreements()  # None: all (an admin)
    clusters = choice["level"] == "clusters"
    ids = None if visible is None else sorted(
        visible | ({a for a, __ in rights.cluster_scopes()} if clusters else set()))

    def build() -> dict:
        chosen = {}

        def window_of(light) -> tuple[str, str]:
            span, periods = overall(light)
            period = Period.parse(choice["period"]) if choice["period"] else \
                default_period(periods, span)
            chosen.update(period=period, span=span, periods=periods)
            return view_window(period)

        many = repository.load_many(eng, None, ids, window_of=window_of)
        period, span, periods = chosen["period"], chosen["span"], chosen["periods"]
        window = view_window(period)
        kinds = sorted({k for k in many.agreements["kind"] if k})
        kinds_of = _kinds_of(many)
        if choice["kind"]:
            many.agreements = many.agreements[many.agreements["kind"] == choice["kind"]]
        by_gender = None
        if choice["gender"]:
            with repository.read_transaction(eng) as conn:
                by_gender = {g: repository.load_sums(conn, ids, window, gender=g,
                                                     whole_only=choice["level"] ==
                                                     "agreements") for g in ("K", "M")}
        rows = compare(many, period, choice["kpi"], clusters=clusters, by_gender=by_gender)
        # Someone who sees every agreement, all kinds, without genders, has just computed
        # what the national benchmark is made from: it need not read the country again.
        every = rows if visible is None and not choice["kind"] and not by_gender else None
        if visible is not None and clusters:  # a cluster's viewer: that cluster only
            rows = rows[[rights.sees(a, c) for a, c in zip(rows["agreement_id"],
                                                            rows["scope"], strict=True)]]
        refs = references_for(national_benchmark(choice["kpi"], clusters, period,
                                                 (every, kinds_of) if every is not None
                                                 else None),
                              rights, list(zip(rows["agreement_id"], rows["scope"],
                                               strict=True)))
        rows = with_reference(rows, kinds_of, refs)
        present = set(rows["kind"].dropna()) if not rows.empty else set()
        references = [{"kind": k, "shown": r.shown, "units": r.units}
                      for k, r in sorted(refs.items()) if k in present]
        as_of = many.agreements["data_as_of"].dropna()
        rows = rows.astype(object).where(rows.notna(), None)  # JSON: null, never NaN
        return {"period": period.text, "rows": rows.to_dict("records"), "kinds": kinds,
                "references": references, "span": list(span) if span else None,
                "periods": list(periods),
                "data_as_of": str(as_of.max()) if len(as_of) else None}

    key = cache.key("compare", version, choice["kpi"], choice["level"], choice["kind"],
                    int(choice["gender"]), choice["period"] or "-", auth.cache_scope())
    data = cache.get_or_build(key, build)
    span = tuple(data["span"]) if data["span"] else None
    return {**data, "options": period_options(span, data["periods"], choice["lang"])}


@register_everyone
def warm_comparison(lang: str) -> dict:
    """The comparison as first opened, and the national benchmark it reads, computed ahead
    at every data version (the second language finds both kept)."""
    return comparison(choices({"lang": lang}))


def national_benchmark(kpi: str, clusters: bool, period: Period,
                       made_from: tuple[pd.DataFrame, dict[str, str]] | None = None) -> dict:
    """The median and quartiles of ``kpi`` per kind of agreement for ``period``, made from
    every agreement (or cluster) in the database, whoever asks: computed once per data
    version, key figure, level and period and kept (:mod:`dashboard.model.benchmark`; what
    each person sees of it is decided by :func:`~dashboard.model.benchmark.references_for`).
    ``made_from``: every agreement's rows of :func:`~dashboard.model.portfolio.compare` for
    this and their kinds, when the caller has them (else they are read here)."""
    eng = engine()
    version, __ = versions(eng)
    threshold = settings().suppression_threshold

    def build() -> dict:
        if made_from is None:
            many = repository.load_many(eng, view_window(period))
            return benchmark(compare(many, period, kpi, clusters=clusters), _kinds_of(many),
                             kpi, threshold)
        return benchmark(*made_from, kpi, threshold)

    key = settings_cache(settings()).key("benchmark", version, kpi, int(clusters),
                                         period.text, threshold)
    return settings_cache(settings()).get_or_build(key, build)


def _kinds_of(many) -> dict[str, str | None]:
    """Each agreement's kind (agreement id -> kind)."""
    return dict(zip(many.agreements["agreement_id"], many.agreements["kind"], strict=True))


def figure_of(data: dict, choice: dict, theme, threshold: int | None = None):
    """The chart of a comparison; for export (``threshold``) with small counts hidden."""
    lang = choice["lang"]
    rows = pd.DataFrame(data["rows"])
    unit = UNITS.get(choice["kpi"], "number")
    hidden_any = False
    if threshold and not rows.empty:
        rows = suppress_compare(rows, threshold, share=unit == "share")
        hidden_any = bool(rows["hidden"].any())
    period = Period.parse(data["period"])
    level = _("ui.compare_clusters" if choice["level"] == "clusters" else "ui.compare_agreements",
              lang)
    where = level + (f" · {kind_label(choice['kind'], lang)}" if choice["kind"] else "")
    footer = [f"{_('ui.data_as_of', lang)} {date_label(data['data_as_of'], lang)}"]
    if unit == "share":
        footer.append(_("ui.compare_n", lang))
    if choice["gender"]:
        footer.append(_("ui.compare_gender_note", lang))
    if any(r.get("median") is not None for r in data["rows"]):
        footer.append(_("ui.benchmark_note", lang, n=MIN_UNITS))
    missing = [kind_label(r["kind"], lang) for r in data.get("references", [])
               if not r["shown"]]
    if missing:
        footer.append(_("ui.benchmark_none", lang, kinds=", ".join(missing), n=MIN_UNITS))
    if hidden_any:
        footer.append(_("ui.suppression_note", lang))
    text = FigureText(title=kpi_label(choice["kpi"], lang),
                      subtitle=f"{where} · {period_label(period, lang)}",
                      footer=" · ".join(footer), lang=lang)
    return compare_figure(rows if not rows.empty else pd.DataFrame(
        columns=["name", "group", "value", "n", "target", "comparator", "status"]),
        unit=unit, text=text, theme=theme)


def table_of(data: dict, choice: dict) -> html.Table:
    """The same rows as a table: rank, name, value, n, target, status in words, and the
    reference of its kind (median, kvartil 1 and 3, of how many) where one is shown."""
    lang = choice["lang"]
    unit = UNITS.get(choice["kpi"], "number")
    head = html.Thead(html.Tr([html.Th("#"), html.Th(_("ui.agreement", lang)),
                               html.Th(_("ui.value", lang)), html.Th("n"),
                               html.Th(_("ui.target", lang)), html.Th(_("ui.status", lang)),
                               html.Th(_("ui.benchmark_median_col", lang)),
                               html.Th(_("ui.benchmark_q1_col", lang)),
                               html.Th(_("ui.benchmark_q3_col", lang)),
                               html.Th(_("ui.benchmark_units_col", lang))]))
    body, rank = [], 0
    for r in data["rows"]:
        if not r["group"]:
            rank += 1
        name = r["name"] if not r["group"] else f"   {gender_label(r['group'], lang)}"
        target = r.get("target")
        body.append(html.Tr([
            html.Td(rank if not r["group"] else ""), html.Td(name),
            html.Td(fmt_value(r["value"], unit, lang), className="num"),
            html.Td("" if r.get("n") is None else int(r["n"]), className="num"),
            html.Td(fmt_value(target, unit, lang) if target is not None else ""),
            html.Td(status_label(r["status"], lang, r.get("comparator"))
                    if not r["group"] and r.get("comparator") else ""),
            *[html.Td("" if r.get(k) is None else fmt_value(r[k], unit, lang),
                      className="num") for k in ("median", "q1", "q3")],
            html.Td("" if r.get("ref_units") is None else int(r["ref_units"]),
                    className="num"),
        ], className="compare-gender" if r["group"] else None))
    return html.Table([head, html.Tbody(body)], className="table table-sm compare-table",
                      id="compare-table")


def layout(**query):
    levels = levels_for(auth.current_rights())
    choice = choices(query, levels)
    lang = choice["lang"]
    if not levels:  # signed in without a role: nothing to compare, and a word why
        body = [html.H1(_("ui.compare_title", lang), className="view-title"),
                dbc.Alert(_("access.no_roles", lang), color="info", id="compare-empty")]
        return page_frame(body, lang=lang, path="/compare", state={"lang": lang},
                          title=document_title(_("ui.compare_title", lang), lang=lang))
    data = comparison(choice)
    figure = figure_of(data, choice, SCREEN)
    options = [{"label": kpi_label(k, lang), "value": k} for k in COMPARABLE]
    controls = html.Div([
        html.Div([html.Label(_("ui.key_figure", lang), htmlFor="compare-kpi",
                             className="control-label"),
                  dcc.Dropdown(id="compare-kpi", options=options, value=choice["kpi"],
                               clearable=False)], className="control"),
        html.Div([html.Label(_("ui.level", lang), htmlFor="compare-level",
                             className="control-label"),
                  dcc.Dropdown(id="compare-level", clearable=False, value=choice["level"],
                               options=[{"label": _('ui.' + (f"compare_{lv}"), lang), "value": lv}
                                        for lv in levels])], className="control"),
        html.Div([html.Label(_("ui.kind", lang), htmlFor="compare-kind",
                             className="control-label"),
                  dcc.Dropdown(id="compare-kind", value=choice["kind"], clearable=False,
                               options=[{"label": _("ui.all_kinds", lang), "value": ""}] +
                               [{"label": kind_label(k, lang), "value": k}
                                for k in data["kinds"]])], className="control"),
        html.Div([html.Label(_("ui.period", lang), htmlFor="compare-period",
                             className="control-label"),
                  dcc.Dropdown(id="compare-period", value=data["period"], clearable=False,
                               options=[{"label": label, "value": value}
                                        for value, label in data["options"]])],
                 className="control"),
        html.Div([dbc.Checkbox(id="compare-gender", value=choice["gender"],
                               label=_("ui.women_and_men", lang),
                               disabled=choice["kpi"] not in BY_GENDER)],
                 className="control compare-gender-switch"),
    ], className="controls portfolio-controls")
    downloads = html.Div([
        html.Span(_("ui.download", lang) + ":", className="muted small me-2"),
        *[html.Button(label, id={"type": "compare-download", "format": fmt},
                      className="btn btn-link btn-sm", n_clicks=0)
          for fmt, label in (("png", "PNG"), ("png-print", _("ui.png_print", lang)),
                             ("svg", "SVG"))],
        dcc.Download(id="compare-download-file"),
        html.Span(id="compare-download-status", className="small", role="status"),
    ], className="downloads")
    chart = dbc.Card(dbc.CardBody([
        html.Div(dcc.Graph(id="compare-graph", figure=figure.to_dict(), config=GRAPH_CONFIG,
                           style={"height": f"{figure.height}px"}),
                 role="img", **{"aria-label": _("ui.compare_alt", lang,
                                                what=kpi_label(choice["kpi"], lang),
                                                n=sum(1 for r in data["rows"]
                                                      if not r["group"]))}),
        html.P(figure.footer, className="chart-footer")
        if figure.footer and not any(a.get("name") == "footer" for a in figure.annotations)
        else None,
        downloads,
    ]), className="panel-card", id="compare-chart")
    state = dcc.Store(id="compare-state", data={**choice, "period": data["period"]})
    body = [html.H1(_("ui.compare_title", lang), className="view-title"),
            html.P(_("ui.compare_lead", lang), className="lead"), controls, chart,
            html.Details([html.Summary(_("ui.compare_table", lang)), table_of(data, choice)],
                         className="kpi-details", open=len(data["rows"]) <= 12),
            state]
    title = document_title(_("ui.compare_title", lang),
                           period_label(Period.parse(data["period"]), lang), lang=lang)
    return page_frame(body, lang=lang, path="/compare",
                      state={"lang": lang, "period": data["period"]}, title=title)


@callback(
    Output(Ids.URL, "href", allow_duplicate=True),
    Input("compare-kpi", "value"),
    Input("compare-level", "value"),
    Input("compare-kind", "value"),
    Input("compare-period", "value"),
    Input("compare-gender", "value"),
    State("compare-state", "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SIGNED_IN)  # the rows are those the person asking may see
def rechoose(kpi, level, kind, period, gender, state):
    """Another choice: the page of that comparison (its address carries the choice)."""

    if not isinstance(state, dict):
        raise PreventUpdate
    asked = choices({"kpi": kpi, "level": level, "kind": kind if isinstance(kind, str) else "",
                     "period": period, "gender": bool(gender), "lang": state.get("lang")},
                    levels_for(auth.current_rights()))
    if all(asked[k] == state.get(k) for k in ("kpi", "level", "kind", "period", "gender")):
        raise PreventUpdate
    return href("/compare", kpi=asked["kpi"], level=asked["level"], kind=asked["kind"],
                period=asked["period"], gender=1 if asked["gender"] else None,
                lang=asked["lang"])


@callback(
    Output("compare-download-file", "data"),
    Output("compare-download-status", "children"),
    Input({"type": "compare-download", "format": ALL}, "n_clicks"),
    State("compare-state", "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SIGNED_IN, audit="export_chart")  # of the rows the person may see
def download_comparison(clicks, state):
    """The comparison as PNG (1920×1080 or print) or SVG, drawn for export with small counts
    hidden (contract section 5)."""
    trigger = ctx.triggered_id
    if not trigger or not isinstance(state, dict) or not any(c for c in clicks or [] if c):
        raise PreventUpdate
    fmt = trigger.get("format")
    if fmt not in IMAGE_FORMATS:
        raise PreventUpdate
    levels = levels_for(auth.current_rights())
    if not levels:
        raise PreventUpdate
    choice = choices(state, levels)
    data = comparison(choice)
    figure = figure_of(data, choice, EXPORT, settings().suppression_threshold)
    image = IMAGE_FORMATS[fmt]
    stem = slug(f"{kpi_label(choice['kpi'], choice['lang'])}-{choice['level']}-"
                f"{data['period']}", limit=120)
    try:
        png = queued_image(figure, fmt, choice["lang"], settings())
    except jobs.Busy:
        return dash.no_update, _("jobs.image_busy", choice["lang"])
    except (NoBrowserError, ExportError) as exc:
        return dash.no_update, str(exc)
    return dcc.send_bytes(png, image.file_name(stem, choice["lang"]), type=image.mime), ""
