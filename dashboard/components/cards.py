"""Layout pieces: status badges, the targets summary, panel cards, notes, the page frame.

Pure functions of what they show (no database, no figures computed here). Text from
the data is passed to Dash as text, never as HTML or Markdown.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import date_label, document_title, fmt_value, kpi_label, same_period_earlier, status_label, status_symbol, status_word, t
from dashboard.web.ids import Ids, download_id, panel_id
from dashboard.domain.kpis import KpiValue
from dashboard.figures.panels import Panel
from dashboard.domain.periods import Period, parse_period_or_none
from dashboard.model.series import Note
from dashboard.figures.theme import STATUS_COLOURS, STATUS_TEXT_COLOURS
from dashboard.web.components.links import href

# No mode bar: its buttons (in English, one of them "Share chart…" to a cloud service)
# would be controls inside the chart's role="img", and the card has its own downloads.
GRAPH_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": True}


def status_badge(status: str, lang: str, size: str = "md",
                 comparator: str | None = None) -> html.Span:
    """Symbol and word on the status colour (never colour alone); the word fits the
    target's ``comparator`` (``▲ Oförändrad`` on an increase/decrease target)."""
    return html.Span(status_label(status, lang, comparator),
                     className=f"status-badge status-{size}",
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
    """``Samma kvartal året innan: 11``: what an increase/decrease target compares with."""
    if v.comparator not in ("increase", "decrease"):
        return ""
    return f"{earlier_words(v, lang)}: {fmt_value(v.previous, v.unit, lang)}"


def earlier_words(v: KpiValue, lang: str) -> str:
    """The same period a year earlier, for the period the value is of (``value_period``
    where the figure is the latest period inside P)."""
    period = parse_period_or_none(getattr(v, "value_period", None) or v.period)
    return same_period_earlier(period or "range", lang)


def targets_table(values: list[KpiValue], party_names: dict[str, str], lang: str,
                  cluster_names: dict[str, str] | None = None,
                  details: dict[str, str] | None = None,
                  trends: dict[tuple, list] | None = None) -> html.Table:
    """The targets of the view: figure, value, target, status in words, and (``trends``,
    by ``(kpi, cluster, party)``, see :func:`dashboard.domain.trends.status_trends`) the status
    over the last periods as a strip of symbols.

    ``details`` adds a line under a value, by ``(kpi, party, cluster)`` (e.g. "senaste:
    okt–dec 2023 (kv. 4)" for an indicator whose value is for its latest quarter).
    """
    strips = trends is not None
    heads = [t("key_figures", lang), t("value", lang), t("target", lang), t("status", lang)]
    if strips:
        heads.append(t("trend_title", lang))
    head = html.Thead(html.Tr([html.Th(h) for h in heads]))
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
        cells = [
            html.Td(name),
            html.Td([html.Span(fmt_value(v.value, v.unit, lang), className="big-number"),
                     html.Div(extra, className="muted small") if extra else None]),
            html.Td(target_words(v, lang)),
            html.Td(status_badge(v.status, lang, comparator=v.comparator)),
        ]
        if strips:
            points = trends.get((v.kpi, v.cluster_id, v.party_id)) or []
            cells.append(html.Td(trend_strip(points, lang, v.comparator) if points else
                                 html.Span("–", className="muted",
                                           title=t("no_trend", lang),
                                           **{"aria-label": t("no_trend", lang)}),
                                 className="trend-cell"))
        rows.append(html.Tr(cells, **{"data-kpi": v.kpi, "data-party": v.party_id or "",
                                       "data-cluster": v.cluster_id or ""}))
    return html.Table([head, html.Tbody(rows)], className="table targets-table",
                      id=Ids.TARGETS)


# A period in a strip where no target applied (the target began or ended): a dot.
NO_TARGET_COLOURS = ("#E9ECEF", "#343A40")


def strip_period(period: Period, lang: str) -> str:
    """A strip's period, short: ``kv. 1 2023`` / ``Q1 2023``, ``H1 2023``, ``2023``."""
    year = period.start[:4]
    if period.kind == "quarter":
        return f"kv. {period.text[-1]} {year}" if lang == "sv" else f"Q{period.text[-1]} {year}"
    if period.kind == "half":
        return f"H{period.text[-1]} {year}"
    if period.kind == "year":
        return year
    from dashboard.i18n import period_label

    return period_label(period, lang)


def strip_words(points: list, lang: str, comparator: str | None = None) -> str:
    """The strip for screen readers: ``Status över tid: kv. 1 2023 ✔ Uppnått, …``."""
    items = []
    for text, status, _value in points:
        period = parse_period_or_none(text)
        when = strip_period(period, lang) if period else text
        what = t("no_target", lang) if status == "none" else \
            status_label(status, lang, comparator)
        items.append(f"{when} {what}")
    return f"{t('trend_title', lang)}: " + ", ".join(items)


def trend_strip(points: list, lang: str, comparator: str | None = None) -> html.Div:
    """A target's status in each of its last periods: one cell per period, its symbol on
    its colour (never colour alone), the first and last period written under it, the
    whole in words for screen readers; the last cell is the period shown."""
    cells = []
    for text, status, _value in points:
        period = parse_period_or_none(text)
        when = strip_period(period, lang) if period else text
        if status == "none":
            symbol, (background, colour) = "·", NO_TARGET_COLOURS
            word = t("no_target", lang)
        else:
            symbol = status_symbol(status)
            background, colour = STATUS_COLOURS[status], STATUS_TEXT_COLOURS[status]
            word = status_word(status, lang, comparator)
        cells.append(html.Span(symbol, className="trend-mark", title=f"{when}: {word}",
                               style={"backgroundColor": background, "color": colour},
                               **{"data-status": status, "data-period": text}))
    first, last = (parse_period_or_none(points[0][0]), parse_period_or_none(points[-1][0]))
    span = strip_period(first, lang) if first else points[0][0]
    if len(points) > 1:
        span += " – " + (strip_period(last, lang) if last else points[-1][0])
    return html.Div([html.Div(cells, className="trend-marks", **{"aria-hidden": "true"}),
                     html.Div(span, className="trend-span", **{"aria-hidden": "true"})],
                    className="trend-strip", role="img",
                    **{"aria-label": strip_words(points, lang, comparator)})


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
            html.Td(status_word(v.status, lang, v.comparator) if v.comparator else ""),
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


def chart_box(graph: dcc.Graph, description: str, class_name: str = "chart-box") -> html.Div:
    """A chart with its text alternative: ``role="img"`` and the chart's sentences as its
    ``aria-label`` (screen readers read them instead of the drawing)."""
    return html.Div(graph, role="img", className=class_name,
                    **{"aria-label": description})


def panel_card(panel: Panel, lang: str, description: str | None = None) -> dbc.Card:
    """A panel: its figure (drawn by the figure function), sentences and downloads;
    ``description`` is the chart's text alternative (:mod:`.describe`)."""
    figure = panel.figure
    graph = dcc.Graph(id=panel_id(panel.key), figure=figure.to_dict(), config=GRAPH_CONFIG,
                      className="panel-graph", style={"height": f"{figure.height}px"})
    body = [chart_box(graph, description or panel.title)]
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


def crumb_trail(lang: str, state: dict,
                crumbs: list[tuple[str, str | None]] | None = None) -> list:
    """Where we are: the portfolio (at the period shown), then the agreement, the cluster."""
    trail = [dcc.Link(t("portfolio", lang), href=href("/", lang=lang,
                                                      period=state.get("period")))]
    for label, link in crumbs or []:
        trail.append(html.Span(" › ", className="crumb-sep"))
        trail.append(dcc.Link(label, href=link) if link else html.Span(label))
    return trail


def page_frame(children, *, lang: str, path: str, state: dict,
               crumbs: list[tuple[str, str | None]] | None = None,
               title: str | None = None) -> html.Div:
    """The frame of every page: the name of the app, where we are, the language switch.

    ``title`` becomes the browser's title (assets/a11y.js copies it from
    ``data-document-title``, on first load and after every navigation)."""
    other = "en" if lang == "sv" else "sv"
    from dashboard.web.auth.layout import banner, header_items  # who is signed in (dashboard/access)

    header = html.Header([
        html.Nav(crumb_trail(lang, state, crumbs), className="crumbs", id="crumbs",
                 **{"aria-label": "breadcrumb"}),
        *header_items(lang),
        dcc.Link(t("language", lang), href=href(path, **{**state, "lang": other}),
                 className="lang-switch", id="lang-switch"),
    ], className="app-header")
    note = banner(lang)
    return html.Div([header, *([note] if note else []),
                     html.Main(children, className="app-main")], lang=lang,
                    className="page",
                    **{"data-document-title": title or document_title(lang=lang)})
