"""Layout pieces: status badges, the targets summary, panel cards, notes, the page frame.

Pure functions of what they show (no database, no figures computed here). Text from
the data is passed to Dash as text, never as HTML or Markdown.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from ..i18n import date_label, fmt_value, kpi_label, status_label, status_word, t
from ..ids import Ids, download_id, panel_id
from ..kpis import KpiValue
from ..panels import Panel
from ..series import Note
from ..theme import STATUS_COLOURS, STATUS_TEXT_COLOURS
from .links import href

GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["zoom2d", "pan2d", "select2d", "lasso2d",
                                           "zoomIn2d", "zoomOut2d", "autoScale2d",
                                           "resetScale2d"]}


def status_badge(status: str, lang: str, size: str = "md") -> html.Span:
    """Symbol and word on the status colour (never colour alone)."""
    return html.Span(status_label(status, lang), className=f"status-badge status-{size}",
                     style={"backgroundColor": STATUS_COLOURS[status],
                            "color": STATUS_TEXT_COLOURS[status]},
                     **{"data-status": status})


def target_words(v: KpiValue, lang: str) -> str:
    """``minst 80`` / ``högst 200 000 kr`` / ``ska öka mot föregående år``."""
    if v.comparator in (">=", "<="):
        word = t("minimum" if v.comparator == ">=" else "maximum", lang)
        unit = "share" if v.unit in ("share", "percent") else v.unit
        return f"{word} {fmt_value(v.target, unit, lang)}"
    if v.comparator in ("increase", "decrease"):
        text = t(v.comparator, lang)
        if v.target:
            unit = "share" if v.unit in ("share", "percent") else v.unit
            text += f" ({t('minimum', lang)} {fmt_value(v.target, unit, lang)})"
        return text
    return t("no_target", lang)


def previous_words(v: KpiValue, lang: str) -> str:
    if v.comparator not in ("increase", "decrease"):
        return ""
    return f"{t('previous_year', lang)}: {fmt_value(v.previous, v.unit, lang)}"


def targets_table(values: list[KpiValue], party_names: dict[str, str], lang: str,
                  cluster_names: dict[str, str] | None = None,
                  details: dict[str, str] | None = None) -> html.Table:
    """The targets of the view: figure, value, target, status in words.

    ``details`` adds a line under a value, by ``(kpi, party, cluster)`` (e.g. "senaste:
    okt–dec 2023 (kv. 4)" for an indicator whose value is for its latest quarter).
    """
    head = html.Thead(html.Tr([html.Th(t("key_figures", lang)), html.Th(t("value", lang)),
                               html.Th(t("target", lang)), html.Th(t("status", lang))]))
    rows = []
    for v in values:
        name = kpi_label(v.kpi, lang)
        if v.party_id:
            name += f" – {party_names.get(v.party_id, v.party_id)}"
        if cluster_names and v.cluster_id:
            name = f"{cluster_names.get(v.cluster_id, v.cluster_id)}: {name}"
        # A value for a period inside P (an indicator's latest quarter): say which.
        extra = " · ".join(x for x in ((details or {}).get((v.kpi, v.party_id, v.cluster_id)),
                                       previous_words(v, lang)) if x)
        rows.append(html.Tr([
            html.Td(name),
            html.Td([html.Span(fmt_value(v.value, v.unit, lang), className="big-number"),
                     html.Div(extra, className="muted small") if extra else None]),
            html.Td(target_words(v, lang)),
            html.Td(status_badge(v.status, lang)),
        ], **{"data-kpi": v.kpi, "data-party": v.party_id or "",
              "data-cluster": v.cluster_id or ""}))
    return html.Table([head, html.Tbody(rows)], className="table targets-table",
                      id=Ids.TARGETS)


def kpi_table(values: list[KpiValue], party_names: dict[str, str],
              cluster_names: dict[str, str], lang: str) -> html.Details:
    """Every key figure of the view (and of its clusters), as ``python -m dashboard kpis``."""
    head = html.Thead(html.Tr([html.Th(t("cluster", lang)), html.Th(t("key_figures", lang)),
                               html.Th(t("value", lang)), html.Th(t("target", lang)),
                               html.Th(t("status", lang))]))
    rows = []
    for v in values:
        name = kpi_label(v.kpi, lang)
        if v.party_id:
            name += f" – {party_names.get(v.party_id, v.party_id)}"
        where = cluster_names.get(v.cluster_id, v.cluster_id) if v.cluster_id else t("total",
                                                                                      lang)
        rows.append(html.Tr([
            html.Td(where), html.Td(name),
            html.Td(fmt_value(v.value, v.unit, lang), className="num"),
            html.Td(target_words(v, lang) if v.comparator else ""),
            html.Td(status_word(v.status, lang) if v.comparator else ""),
        ], **{"data-kpi": v.kpi, "data-party": v.party_id or "",
              "data-cluster": v.cluster_id or ""}))
    return html.Details([
        html.Summary(t("all_key_figures", lang)),
        html.Table([head, html.Tbody(rows)], className="table table-sm kpi-table"),
    ], id=Ids.KPI_TABLE, className="kpi-details")


def notes_alert(notes: list[Note], lang: str) -> dbc.Alert | None:
    """Completeness: what has not been reported, so that a low figure is not misread."""
    if not notes:
        return None
    return dbc.Alert([html.Strong("⚠ " + t("completeness", lang) + " "),
                      html.Ul([html.Li(n.text(lang)) for n in notes], className="mb-0")],
                     color="warning", id=Ids.NOTES, className="notes")


def panel_card(panel: Panel, lang: str) -> dbc.Card:
    """A panel: its figure (drawn by the figure function), sentences and downloads."""
    figure = panel.figure
    body = [dcc.Graph(id=panel_id(panel.key), figure=figure.to_dict(), config=GRAPH_CONFIG,
                      className="panel-graph", style={"height": f"{figure.height}px"})]
    if figure.footer and not any(a.get("name") == "footer" for a in figure.annotations):
        # Data as of, source and n under the chart, wrapping to the card's width.
        body.append(html.P(figure.footer, className="chart-footer"))
    if panel.sentences:
        body.append(html.Ul([html.Li(s) for s in panel.sentences], className="sentences"))
    body.append(download_buttons(panel.key, lang))
    return dbc.Card(dbc.CardBody(body), className="panel-card", id=f"panel-{panel.key}")


def download_buttons(key: str, lang: str) -> html.Div:
    return html.Div([
        html.Span(t("download", lang) + ":", className="muted small me-2"),
        *[html.Button(label, id=download_id(key, fmt), className="btn btn-link btn-sm",
                      n_clicks=0)
          for fmt, label in (("png", "PNG"), ("png-print", "PNG (tryck)" if lang == "sv"
                                                else "PNG (print)"), ("svg", "SVG"))],
    ], className="downloads")


def data_line(as_of: str | None, sources: list[str], synthetic: bool, lang: str) -> html.Div:
    parts = [html.Span(f"{t('data_as_of', lang)} {date_label(as_of, lang)}")]
    if sources:
        parts.append(html.Span(f" · {t('source', lang)}: {', '.join(sources)}"))
    if synthetic:
        parts.append(html.Span(" · "))
        parts.append(synthetic_badge(lang))
    return html.Div(parts, className="data-line")


def synthetic_badge(lang: str) -> html.Span:
    return html.Span(t("synthetic", lang), className="badge synthetic-badge",
                     title=t("synthetic_long", lang))


def page_frame(children, *, lang: str, path: str, state: dict,
               crumbs: list[tuple[str, str | None]] | None = None) -> html.Div:
    """The frame of every page: the name of the app, where we are, the language switch."""
    other = "en" if lang == "sv" else "sv"
    trail = [dcc.Link(t("portfolio", lang), href=href("/", lang=lang,
                                                      period=state.get("period")))]
    for label, link in crumbs or []:
        trail.append(html.Span(" › ", className="crumb-sep"))
        trail.append(dcc.Link(label, href=link) if link else html.Span(label))
    header = html.Header([
        html.Nav(trail, className="crumbs", **{"aria-label": "breadcrumb"}),
        dcc.Link(t("language", lang), href=href(path, **{**state, "lang": other}),
                 className="lang-switch", id="lang-switch"),
    ], className="app-header")
    return html.Div([header, html.Main(children, className="app-main")], lang=lang,
                    className="page")
