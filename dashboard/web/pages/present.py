"""``/present/<agreement_id>?period=P&slide=N``: presentation mode for the steering meeting.

Full-screen slides, big and plain: a cover with every target's status in words, then one
slide per panel (``clusters=1`` adds one slide per cluster; ``cluster=ID`` presents one
cluster). Keys (assets/present.js): → / PageDown / Space next, ← / PageUp previous,
Home / End, F full screen, Esc back to the dashboard. The address follows the slide, so a
link opens at that slide. Nothing needs hovering, and no editing controls are on a slide.

``meeting=ID`` presents a steering meeting (its frozen figures once closed): after the
cover "Sedan förra mötet", under each chart the group's assessment of the targets it
shows, and last "Beslut och åtgärder". A member of an open meeting gets an edit panel
beside the slides (check-ins of the slide shown, the actions to mark done, a decision with
an action; saved as they go, by the callbacks of :mod:`dashboard.web.pages.meeting`, with the
widgets both pages share in :mod:`dashboard.web.components.meeting_widgets`).

``loop=SECONDS`` makes a kiosk: the slides (and the clusters' with ``clusters=1``) move on
by themselves, without controls, and reload when new data has been imported.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.data.context import engine
from dashboard.figures.describe import chart_text
from dashboard.figures.slides import Slide, build_slides, target_slide
from dashboard.figures.theme import PRESENT
from dashboard.i18n import _, document_title, fmt_value, lang_of, ngettext
from dashboard.meetings.model import TargetKey
from dashboard.meetings.record import decision_markers
from dashboard.model.view import cluster_views
from dashboard.store import versions
from dashboard.web import auth
from dashboard.web.components import meeting as web
from dashboard.web.components.cards import chart_box, status_badge, target_list
from dashboard.web.components.links import agreement_path, cluster_path, href
from dashboard.web.components.meeting_widgets import (
    PANEL_ACTIONS,
    decisions_slide_body,
    names,
    panel_actions,
)
from dashboard.web.components.view_page import not_found, view_strips

dash.register_page(__name__, order=3, path_template="/present/<agreement_id>",
                   title="Presentation", name="Presentation")

SLIDE_CONFIG = {"displayModeBar": False, "responsive": False, "staticPlot": True}


def layout(agreement_id: str | None = None, **query):
    lang = lang_of(query.get("lang"))
    if not agreement_id or "/" in agreement_id:
        return not_found(query)
    cluster_id = query.get("cluster") or None
    per_cluster = query.get("clusters") in ("1", "true", "ja") and cluster_id is None
    loop = loop_seconds(query.get("loop"))
    record = None
    if query.get("meeting"):
        record = web.record_for(query.get("meeting"), lang)
        if record is None or record.meeting.agreement_id != agreement_id or \
                record.view is None or cluster_id:
            return not_found(query)
        view = record.view
        view.trends = view.trends or record.trends  # the meeting's own (frozen when closed)
        view.markers = record.markers()  # the decisions of the meetings before
        others = record.cluster_views() if per_cluster else []
    else:
        view = auth.view_for(agreement_id, query.get("period"), cluster_id, None, lang)
        if view is None:
            return not_found(query)
        view.trends = view_strips(view)
        view.markers = decision_markers(engine(), agreement_id)
        others = cluster_views(view) if per_cluster else []
    slides = build_slides(view, PRESENT, cluster_views=others)
    places: dict[str, int] = {}
    if record is not None:
        slides = meeting_slides(slides, record, lang)
        places = {web.target_id(TargetKey.of(v)): target_slide(slides, v.kpi, v.cluster_id)
                  for v in record.targets()}
    try:
        current = min(max(int(query.get("slide", 1)), 1), len(slides))
    except ValueError:
        current = 1
    if record is not None:
        exit_href = href(f"/meetings/{record.meeting.id}", lang=lang)
    else:
        back = cluster_path(agreement_id, cluster_id) if cluster_id else \
            agreement_path(agreement_id)
        exit_href = href(back, period=view.period.text, lang=lang)
    editable = record is not None and not record.closed and loop is None and \
        web.may_write(agreement_id)
    counter = f"{current} / {len(slides)}"
    deck = html.Div([render(s, i, current, view, lang, record, places, editable)
                     for i, s in enumerate(slides, start=1)], className="slides")
    children = [
        deck,
        html.Div([
            html.Span(f"{view.where} · {view.period_text}", className="present-where"),
            html.Span(_("web.components.meeting.kiosk", lang) if loop else _("ui.present_keys",
                                                                             lang),
                      className="present-keys"),
            html.Span(counter, id="slide-number", className="slide-number",
                      **{"aria-live": "off" if loop else "polite"}),
        ], className="present-bar"),
        dcc.Link(_("ui.leave_presentation", lang), href=exit_href, id="present-exit",
                 className="visually-hidden"),
    ]
    if editable:
        children.append(edit_panel(record, slides, places, current, lang))
    if loop:
        children += kiosk_parts(view, loop)
    attrs = {"data-exit": exit_href, "data-count": str(len(slides)),
             "data-current": str(current),
             "data-document-title": document_title(
                 f"{_('ui.present', lang)}: {view.where}", view.period_text, lang=lang)}
    if loop:
        attrs["data-loop"] = str(loop)
    return html.Div(children, id="present",
                    className="present" + (" with-edit" if editable else "") +
                    (" kiosk" if loop else ""), lang=lang, **attrs)


def loop_seconds(value) -> int | None:
    """``&loop=SECONDS`` (2 to 3600), or None: no loop."""
    try:
        seconds = int(str(value))
    except (TypeError, ValueError):
        return None
    return min(max(seconds, 2), 3600)


# --------------------------------------------------------------------------- meetings


def meeting_slides(slides: list[Slide], record, lang: str) -> list[Slide]:
    """A meeting's slides: the cover, "since the last meeting" (from the second meeting
    on), the panels and clusters, and last "Beslut och åtgärder"."""
    out = slides[:1]
    if record.previous is not None:
        out.append(Slide("since", _("meetings.since_last", lang), slides[0].subtitle))
    out += slides[1:]
    out.append(Slide("decisions", _("meetings.decisions_actions", lang), slides[0].subtitle))
    return out


def since_slide_body(record, lang: str) -> list:
    """"Sedan förra mötet" on a slide: the targets that changed status then and now (the
    meeting page has every target; a slide holds what the room talks about, as the deck's
    slide does), how many kept theirs, the open actions and the data since."""
    from dashboard.web.pages.meeting import names

    since = record.since()
    parties, clusters = names(record)
    rows = []
    for row in since.changed:
        cells = [html.Td(web.target_name(row.key, lang, parties, clusters))]
        for v in (row.then, row.now):
            cells.append(html.Td([
                html.Span(fmt_value(v.value, v.unit, lang) if v else "–",
                          className="me-2"),
                status_badge(v.status, lang, "md", v.comparator) if v else None]))
        # the word, not only a mark: said in the "now" cell
        cells[-1].children.append(html.Strong(f" ⇄ {_('meetings.changed_status', lang)}",
                                              className="changed-mark"))
        rows.append(html.Tr(cells, className="changed", **{"data-changed": "1"}))
    prev = since.previous
    head = html.Thead(html.Tr([html.Th(_("web.components.meeting.figure", lang)),
                               html.Th(f"{_('meetings.then', lang)} ({prev.held_on})"),
                               html.Th(_("meetings.now", lang))]))
    actions = [web.action_line(a, record, lang, editable=False) for a in since.open_actions]
    kept = len(since.rows) - len(since.changed)
    return [
        html.H1(_("meetings.since_last", lang), className="slide-title"),
        html.Table([head, html.Tbody(rows)], className="since-table") if rows else
        html.P(_("meetings.no_changes", lang)),
        html.P(ngettext("meetings.unchanged_target", "meetings.unchanged_targets", kept, lang),
               className="slide-note") if kept else None,
        html.H2(f"{_('meetings.open_actions', lang)}: {len(since.open_actions)} · "
                f"{_('meetings.overdue_actions', lang)}: {len(since.overdue)}",
                className="slide-h2"),
        html.Ul(actions, className="action-list") if actions else
        html.P(_("meetings.no_open_actions", lang)),
        html.P(f"{_('meetings.data_since', lang)}: {len(since.imports)}"
               if since.imports else _("meetings.no_data_since", lang), className="slide-note"),
    ]


def checkins_of_slide(record, index: int, places: dict[str, int], lang: str):
    """Under a slide's chart: the group's assessment of each target the slide shows."""
    parties, clusters = names(record)
    items = []
    for v in record.targets():
        key = TargetKey.of(v)
        tid = web.target_id(key)
        if places.get(tid) != index - 1:
            continue
        name = web.target_name(key, lang, parties, clusters)
        items.append(html.Li(web.slide_checkin(key, name, record.checkin(key), lang),
                             id={"type": "checkin-shown", "target": tid},
                             **{"data-target": tid}))
    if not items:
        return None
    return html.Div([html.Div(_("web.components.meeting.meeting_slide_checkins", lang),
                              className="checkins-label"),
                     html.Ul(items, className="slide-checkins")], className="slide-checkins-box")


def edit_panel(record, slides, places: dict[str, int], current: int, lang: str) -> html.Aside:
    """Beside the slides (never on them): the check-ins of the slide shown, and a decision
    with its action; saved as they go, by the meeting page's callbacks."""
    from dashboard.web.pages.meeting import decision_form, names

    parties, clusters = names(record)
    groups = []
    for index in range(1, len(slides) + 1):
        editors = []
        for v in record.targets():
            key = TargetKey.of(v)
            tid = web.target_id(key)
            if places.get(tid) != index - 1:
                continue
            checkin = record.checkin(key)
            name = web.target_name(key, lang, parties, clusters)
            editors.append(html.Fieldset([
                html.Legend(name, className="edit-target"),
                dbc.RadioItems(id={"type": "checkin-assessment", "target": tid},
                               options=web.assessment_options(lang),
                               value=checkin.assessment if checkin else None,
                               className="assessment-choice", inline=True),
                *web.comment_box(tid, name, checkin.comment if checkin else "", lang, 3),
                html.Div(id={"type": "checkin-saved", "target": tid},
                         className="checkin-saved", role="status",
                         **{"aria-live": "polite"}),
            ], className="edit-checkin", **{"data-target": tid}))
        if not editors:
            editors = [html.P(_("meetings.edit_slide_none", lang), className="muted")]
        groups.append(html.Div(editors, className="edit-group",
                               hidden=index != current, **{"data-slide": str(index)}))
    names_of = {web.target_id(TargetKey.of(v)):
                web.target_name(TargetKey.of(v), lang, parties, clusters)
                for v in record.targets()}
    return html.Aside([
        html.H2(_("meetings.edit_panel", lang), className="edit-title"),
        html.P(_("meetings.edit_hint", lang), className="edit-hint"),
        *groups,
        html.Div(panel_actions(record, lang), id=PANEL_ACTIONS, className="edit-actions"),
        decision_form(record, lang, compact=True),
        dcc.Link(_("meetings.back_to_meeting", lang), href=href(f"/meetings/{record.meeting.id}",
                                                         lang=lang), className="d-block mt-2"),
        dcc.Store(id="meeting-state", data={"meeting": record.meeting.id, "lang": lang,
                                            "mode": "slides", "names": names_of}),
    ], className="present-edit", id="present-edit", **{"aria-label": _("meetings.edit_panel",
                                                                       lang)})


# --------------------------------------------------------------------------- kiosk


def kiosk_parts(view, loop: int) -> list:
    """A kiosk (``&loop=SECONDS``) asks now and then for the data's version and reloads
    the slides when new data has been imported (or an import undone)."""

    __, by_agreement = versions(engine())
    state = {"agreement": view.agreement_id, "cluster": view.cluster_id,
             "version": by_agreement.get(view.agreement_id)}
    return [dcc.Store(id=KIOSK_STATE, data=state), dcc.Store(id=KIOSK_LATEST),
            dcc.Interval(id=KIOSK_POLL, interval=min(max(loop, 2), 30) * 1000)]


KIOSK_STATE, KIOSK_LATEST, KIOSK_POLL = "kiosk-state", "kiosk-latest", "kiosk-poll"


@callback(
    Output(KIOSK_LATEST, "data"),
    Input(KIOSK_POLL, "n_intervals"),
    State(KIOSK_STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SEE, scope=lambda n, state: auth.view_scope(state))
def kiosk_version(n_intervals, state):
    """The agreement's data version now (one small query)."""

    if not isinstance(state, dict):
        raise PreventUpdate
    __, by_agreement = versions(engine())
    return {"version": by_agreement.get(state.get("agreement"))}


clientside_callback(
    """
    function(latest, state) {
        if (latest && state && latest.version !== state.version) {
            window.location.reload();
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output(KIOSK_STATE, "clear_data"),
    Input(KIOSK_LATEST, "data"),
    State(KIOSK_STATE, "data"),
    prevent_initial_call=True,
)


def render(slide: Slide, index: int, current: int, view, lang: str, record=None,
           places: dict[str, int] | None = None, editable: bool = False) -> html.Section:
    """One slide; only the current one is visible (the others wait, already drawn).
    ``editable``: the edit panel is beside it (the last slide's action states are then
    the ones its checkboxes update)."""
    classes = "slide" + (" current" if index == current else "")
    if slide.key == "cover":
        body = cover_body(slide, lang, view.period.text)
    elif slide.key == "since":
        body = since_slide_body(record, lang)
        classes += " text-slide"
    elif slide.key == "decisions":
        body = [html.H1(slide.title, className="slide-title"),
                html.Div(decisions_slide_body(record, lang, editable), id="meeting-decisions")]
        classes += " text-slide"
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
        # In a meeting, the group's assessment of the chart's targets under it instead of
        # the chart's sentences (they stay its text alternative, and are in the minutes):
        # both do not fit under a chart that the back of the room can still read.
        checkins = checkins_of_slide(record, index, places or {}, lang) \
            if record is not None else None
        body = [chart_box(graph, description, "slide-graph"),
                html.Ul([html.Li(line) for line in slide.lines], className="slide-lines")
                if slide.lines and checkins is None else None, checkins]
        if slide.targets:
            body.insert(0, target_list(slide, "slide-targets", lang, view.period.text))
    if record is not None and slide.key == "cover":
        body.append(checkins_of_slide(record, index, places or {}, lang))
    return html.Section(body, className=classes,
                        **{"data-index": str(index), "data-key": slide.key,
                           "aria-label": slide.title})


def cover_body(slide: Slide, lang: str, shown: str | None = None) -> list:
    return [
        html.H1(slide.title, className="cover-title"),
        html.Div(slide.subtitle, className="cover-period"),
        target_list(slide, "cover-targets", lang, shown),
        html.Ul([html.Li(line) for line in slide.lines], className="cover-lines"),
    ]
