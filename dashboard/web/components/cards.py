"""Layout pieces: status badges, the targets summary, panel cards, notes, the page frame.

Pure functions of what they show (no database, no figures computed here). Text from
the data is passed to Dash as text, never as HTML or Markdown.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.domain.kpis import KpiValue
from dashboard.domain.periods import parse_period_or_none
from dashboard.domain.trends import target_strip_key
from dashboard.figures.panels import Panel
from dashboard.figures.slides import Slide
from dashboard.figures.theme import STATUS_COLOURS, STATUS_TEXT_COLOURS
from dashboard.i18n import (
    _,
    date_label,
    document_title,
    fmt_value,
    status_label,
    status_symbol,
    status_word,
    target_label,
)
from dashboard.model.series import Note
from dashboard.model.words import previous_words, strip_period, target_words
from dashboard.web.auth.layout import (  # who is signed in (dashboard/access)
    banner,
    header_items,
)
from dashboard.web.components.links import href
from dashboard.web.ids import Ids, download_id, panel_id

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
    heads = [_("ui.key_figures", lang), _("ui.value", lang), _("ui.target", lang), _("ui.status",
                                                                                     lang)]
    if strips:
        heads.append(_("ui.trend_title", lang))
    head = html.Thead(html.Tr([html.Th(h) for h in heads]))
    rows = []
    for v in values:
        name = target_label(v.kpi, lang, party_names.get(v.party_id, v.party_id),
                            getattr(v, "role", None))
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
            points = trends.get(target_strip_key(v.kpi, v.cluster_id, v.party_id, v.role)) or []
            cells.append(html.Td(trend_strip(points, lang, v.comparator, v.period) if points else
                                 html.Span("–", className="muted",
                                           title=_("ui.no_trend", lang),
                                           **{"aria-label": _("ui.no_trend", lang)}),
                                 className="trend-cell"))
        rows.append(html.Tr(cells, **{"data-kpi": v.kpi, "data-party": v.party_id or "",
                                       "data-cluster": v.cluster_id or "",
                                       "data-role": v.role or ""}))
    return html.Table([head, html.Tbody(rows)], className="table targets-table",
                      id=Ids.TARGETS)


# A period in a strip where no target applied (the target began or ended): a dot.
NO_TARGET_COLOURS = ("#E9ECEF", "#343A40")


def strip_words(points: list, lang: str, comparator: str | None = None) -> str:
    """The strip for screen readers: ``Status över tid: kv. 1 2023 ✔ Uppnått, …``."""
    items = []
    for text, status, _value in points:
        period = parse_period_or_none(text)
        when = strip_period(period, lang) if period else text
        what = _("ui.no_target", lang) if status == "none" else \
            status_label(status, lang, comparator)
        items.append(f"{when} {what}")
    return f"{_('ui.trend_title', lang)}: " + ", ".join(items)


def trend_strip(points: list, lang: str, comparator: str | None = None,
                shown: str | None = None) -> html.Div:
    """A target's status in each of its last periods: one cell per period, its symbol on
    its colour (never colour alone), the first and last period written under it, the
    whole in words for screen readers. The cell of the period shown (``shown``, a period's
    text) is outlined (``trend-current``); a strip without that period (an indicator's own
    years beside a quarter, :mod:`dashboard.domain.trends`) outlines none."""
    shown_period = parse_period_or_none(shown) if shown else None
    cells = []
    for text, status, _value in points:
        period = parse_period_or_none(text)
        when = strip_period(period, lang) if period else text
        if status == "none":
            symbol, (background, colour) = "·", NO_TARGET_COLOURS
            word = _("ui.no_target", lang)
        else:
            symbol = status_symbol(status)
            background, colour = STATUS_COLOURS[status], STATUS_TEXT_COLOURS[status]
            word = status_word(status, lang, comparator)
        current = shown_period is not None and period is not None and \
            period.same_span(shown_period)
        cells.append(html.Span(symbol, className="trend-mark trend-current" if current
                               else "trend-mark", title=f"{when}: {word}",
                               style={"backgroundColor": background, "color": colour},
                               **{"data-status": status, "data-period": text,
                                  **({"data-current": "true"} if current else {})}))
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
    head = html.Thead(html.Tr([html.Th(_("ui.cluster", lang)), html.Th(_("ui.key_figures", lang)),
                               html.Th(_("ui.value", lang)), html.Th(_("ui.target", lang)),
                               html.Th(_("ui.status", lang))]))
    rows = []
    for v in values:
        name = target_label(v.kpi, lang, party_names.get(v.party_id, v.party_id),
                            getattr(v, "role", None))
        where = cluster_names.get(v.cluster_id, v.cluster_id) if v.cluster_id else _("ui.total",
                                                                                      lang)
        rows.append(html.Tr([
            html.Td(where), html.Td(name),
            html.Td(fmt_value(v.value, v.unit, lang), className="num"),
            html.Td(target_words(v, lang) if v.comparator else ""),
            html.Td(status_word(v.status, lang, v.comparator) if v.comparator else ""),
        ], **{"data-kpi": v.kpi, "data-party": v.party_id or "",
              "data-cluster": v.cluster_id or "", "data-role": v.role or ""}))
    return html.Details([
        html.Summary(_("ui.all_key_figures", lang)),
        html.Table([head, html.Tbody(rows)], className="table table-sm kpi-table"),
    ], id=Ids.KPI_TABLE, className="kpi-details")


def notes_alert(notes: list[Note], lang: str) -> dbc.Alert | None:
    """Completeness: what has not been reported, so that a low figure is not misread."""
    if not notes:
        return None
    return dbc.Alert([html.Strong("⚠ " + _("ui.completeness", lang) + " "),
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
        html.Span(_("ui.download", lang) + ":", className="muted small me-2"),
        *[html.Button(label, id=download_id(key, fmt), className="btn btn-link btn-sm",
                      n_clicks=0)
          for fmt, label in (("png", "PNG"), ("png-print", _("ui.png_print", lang)), ("svg",
                                                                                      "SVG"))],
    ], className="downloads")


def data_line(as_of: str | None, sources: list[str], synthetic: bool, lang: str) -> html.Div:
    parts = [html.Span(f"{_('ui.data_as_of', lang)} {date_label(as_of, lang)}")]
    if sources:
        parts.append(html.Span(f" · {_('ui.source', lang)}: {', '.join(sources)}"))
    if synthetic:
        parts.append(html.Span(" · "))
        parts.append(synthetic_badge(lang))
    return html.Div(parts, className="data-line")


def synthetic_badge(lang: str) -> html.Span:
    return html.Span(_("ui.synthetic", lang), className="badge synthetic-badge",
                     title=_("ui.synthetic_long", lang))


def crumb_trail(lang: str, state: dict,
                crumbs: list[tuple[str, str | None]] | None = None) -> list:
    """Where we are: the portfolio (at the period shown), then the agreement, the cluster."""
    trail = [dcc.Link(_("ui.portfolio", lang), href=href("/", lang=lang,
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

    header = html.Header([
        html.Nav(crumb_trail(lang, state, crumbs), className="crumbs", id="crumbs",
                 **{"aria-label": "breadcrumb"}),
        *header_items(lang),
        dcc.Link(_("ui.language", lang), href=href(path, **{**state, "lang": other}),
                 className="lang-switch", id="lang-switch"),
    ], className="app-header")
    note = banner(lang)
    return html.Div([header, *([note] if note else []),
                     html.Main(children, className="app-main")], lang=lang,
                    className="page",
                    **{"data-document-title": title or document_title(lang=lang)})


def target_list(slide: Slide, class_name: str, lang: str,
                shown: str | None = None) -> html.Ul:
    """Each target as its status (symbol and word on the status colour), its figure, and
    its status over the last periods (the strip, the period ``shown`` outlined)."""
    return html.Ul([
        html.Li([status_badge(line.status, lang, "lg", line.comparator),
                 html.Span(line.label),
                 trend_strip(line.points, lang, line.comparator, shown)
                 if len(line.points) > 1 else None],
                className="cover-target", style={"borderLeftColor": STATUS_COLOURS[line.status]},
                **{"data-status": line.status})
        for line in slide.targets
    ] or [html.Li(_("ui.no_targets", lang))], className=class_name)
