"""``/present/<agreement_id>?period=P&slide=N``: presentation mode for the steering meeting.

Full-screen slides, big and plain: a cover with every target's status in words, then one
slide per panel (``clusters=1`` adds one slide per cluster; ``cluster=ID`` presents one
cluster). Keys (assets/present.js): → / PageDown / Space next, ← / PageUp previous,
Home / End, F full screen, Esc back to the dashboard. The address follows the slide, so a
link opens at that slide. Nothing needs hovering and there are no editing controls.
"""

from __future__ import annotations

import dash
from dash import dcc, html

from .. import auth
from ..components.cards import chart_box, status_badge
from ..components.describe import chart_text
from ..components.links import agreement_path, cluster_path, href
from ..components.view_page import not_found
from ..i18n import document_title, lang_of, t
from ..slides import Slide, build_slides
from ..theme import PRESENT, STATUS_COLOURS
from ..views import cluster_views

dash.register_page(__name__, order=3, path_template="/present/<agreement_id>",
                   title="Presentation", name="Presentation")

SLIDE_CONFIG = {"displayModeBar": False, "responsive": False, "staticPlot": True}


def layout(agreement_id: str | None = None, **query):
    lang = lang_of(query.get("lang"))
    if not agreement_id or "/" in agreement_id:
        return not_found(query)
    cluster_id = query.get("cluster") or None
    view = auth.view_for(agreement_id, query.get("period"), cluster_id, None, lang)
    if view is None:
        return not_found(query)
    per_cluster = query.get("clusters") in ("1", "true", "ja") and cluster_id is None
    slides = build_slides(view, PRESENT, cluster_views=cluster_views(view) if per_cluster else [])
    try:
        current = min(max(int(query.get("slide", 1)), 1), len(slides))
    except ValueError:
        current = 1
    back = cluster_path(agreement_id, cluster_id) if cluster_id else agreement_path(agreement_id)
    exit_href = href(back, period=view.period.text, lang=lang)
    counter = f"{current} / {len(slides)}"
    return html.Div([
        html.Div([render(s, i, current, view, lang)
                  for i, s in enumerate(slides, start=1)], className="slides"),
        html.Div([
            html.Span(f"{view.where} · {view.period_text}", className="present-where"),
            html.Span(t("present_keys", lang), className="present-keys"),
            html.Span(counter, id="slide-number", className="slide-number",
                      **{"aria-live": "polite"}),
        ], className="present-bar"),
        dcc.Link(t("leave_presentation", lang), href=exit_href, id="present-exit",
                 className="visually-hidden"),
    ], id="present", className="present", lang=lang,
        **{"data-exit": exit_href, "data-count": str(len(slides)),
           "data-current": str(current),
           "data-document-title": document_title(
               f"{t('present', lang)}: {view.where}", view.period_text, lang=lang)})


def render(slide: Slide, index: int, current: int, view, lang: str) -> html.Section:
    """One slide; only the current one is visible (the others wait, already drawn)."""
    classes = "slide" + (" current" if index == current else "")
    if slide.key == "cover":
        body = cover_body(slide, lang)
    else:
        # Drawn at the size of a 1024x768 slide and scaled to the slide it is on
        # (assets/present.js), so that it looks the same, only larger, at 1920x1080.
        figure = slide.figure.to_dict()
        figure["layout"] = {**figure["layout"], "autosize": False,
                            "width": figure["layout"].get("width") or PRESENT.min_width}
        where = slide.title if slide.key.startswith("cluster:") else None
        title = slide.panel.title if slide.panel is not None else slide.title
        description = chart_text(view, slide.key, title, slide.panel, where)
        graph = dcc.Graph(figure=figure, config=SLIDE_CONFIG)
        body = [chart_box(graph, description, "slide-graph"),
                html.Ul([html.Li(line) for line in slide.lines], className="slide-lines")
                if slide.lines else None]
        if slide.targets:
            body.insert(0, target_list(slide, "slide-targets", lang))
    return html.Section(body, className=classes,
                        **{"data-index": str(index), "data-key": slide.key,
                           "aria-label": slide.title})


def cover_body(slide: Slide, lang: str) -> list:
    return [
        html.H1(slide.title, className="cover-title"),
        html.Div(slide.subtitle, className="cover-period"),
        target_list(slide, "cover-targets", lang),
        html.Ul([html.Li(line) for line in slide.lines], className="cover-lines"),
    ]


def target_list(slide: Slide, class_name: str, lang: str) -> html.Ul:
    """Each target as its status (symbol and word on the status colour) and its figure."""
    return html.Ul([
        html.Li([status_badge(line.status, lang, "lg", line.comparator),
                 html.Span(line.label)],
                className="cover-target", style={"borderLeftColor": STATUS_COLOURS[line.status]},
                **{"data-status": line.status})
        for line in slide.targets
    ] or [html.Li(t("no_targets", lang))], className=class_name)
