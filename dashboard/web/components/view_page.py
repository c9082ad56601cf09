"""The agreement and cluster pages: one layout for both, from one :class:`View`, and the
switch of period and breakdown that replaces only what depends on them."""

from __future__ import annotations

import hashlib
import json

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.data.context import engine, settings
from dashboard.domain.kpis import AgreementData
from dashboard.domain.periods import Period
from dashboard.domain.places import municipalities_text
from dashboard.figures.describe import chart_text
from dashboard.figures.panels import build_panels
from dashboard.figures.theme import SCREEN
from dashboard.i18n import _, document_title, fmt_percent, kind_label, lang_of, period_label
from dashboard.meetings.record import decision_markers
from dashboard.model.series import cluster_names, part_of_agreement, party_names
from dashboard.model.view import View, build_view, read_with_strips, strips_of, trend_rows
from dashboard.store import settings_cache, versions
from dashboard.store.warm import register_agreement, register_asked
from dashboard.web import auth
from dashboard.web.components.cards import (
    crumb_trail,
    data_line,
    kpi_table,
    notes_alert,
    page_frame,
    panel_card,
    targets_table,
)
from dashboard.web.components.controls import control_data, controls, step_button, target_of
from dashboard.web.components.export import export_controls
from dashboard.web.components.kolada import kolada_section
from dashboard.web.components.links import agreement_path, cluster_path, href, present_path
from dashboard.web.components.not_found import not_found_layout
from dashboard.web.ids import Ids


def not_found(query: dict):
    return not_found_layout(**query)


def view_state(view: View, path: str) -> dict:
    """What the page remembers of the view it shows (the switch callback reads it)."""
    before, after = view.neighbour(-1), view.neighbour(1)
    return {"agreement": view.agreement_id, "cluster": view.cluster_id, "path": path,
            "lang": view.lang, "period": view.period.text, "breakdown": view.breakdown,
            "prev": before.text if before else None, "next": after.text if after else None}


def crumbs_of(view: View, state: dict) -> list[tuple[str, str | None]]:
    # A cluster's viewer sees the agreement's name, not its page (dashboard/people/rights.py).
    crumbs = [(view.agreement_name, href(agreement_path(view.agreement_id), **state)
               if view.cluster_id and view.agreement_visible else None)]
    if view.cluster_id:
        crumbs.append((view.cluster_name, None))
    return crumbs


def view_content(view: View, path: str) -> list:
    """Everything of the page that depends on the period and breakdown shown: the period
    and data line, the links, notes, targets, panels and every key figure."""
    lang = view.lang
    state = {"period": view.period.text, "breakdown": view.breakdown, "lang": lang}
    parties = party_names(view.data)
    clusters = cluster_names(view.data)
    subtitle = html.Div([
        html.Div([html.Span(view.period_text, className="view-period"),
                  html.Span(f" · {view.agreement_name}") if view.cluster_id else None],
                 className="view-subtitle", id="view-header",
                 **{"data-period": view.period.text}),
        data_line(view.data_as_of, view.sources, view.synthetic, lang),
    ], className="view-period-line")
    links = html.Div([
        dcc.Link(f"▶ {_('ui.present', lang)}", className="btn btn-dark me-2", id="present-link",
                 href=href(present_path(view.agreement_id), period=view.period.text,
                           lang=lang, cluster=view.cluster_id)),
        dcc.Link(f"▶ {_('ui.present_clusters', lang)}", className="btn btn-outline-dark me-2",
                 href=href(present_path(view.agreement_id), period=view.period.text,
                           lang=lang, clusters=1))
        if view.cluster_id is None and len(view.data.cluster_ids) > 1 else None,
        dcc.Link(_("ui.meetings_link", lang), id="meetings-link", className="btn btn-link",
                 href=href(f"{agreement_path(view.agreement_id)}/meetings", lang=lang))
        if view.cluster_id is None and view.agreement_visible else None,
        export_controls(view),
        *_cluster_links(view, state, clusters),
    ], className="view-links")
    targets = view.targets()
    summary = html.Section([
        html.H2(_("ui.targets_status", lang)),
        targets_table(targets, parties, lang, details=view.period_notes(),
                      trends=view.trends) if targets else
        html.P(_("ui.no_targets", lang), className="muted"),
    ], className="targets-section")
    panels = build_panels(view, SCREEN) if view.has_data else []
    grid = dbc.Row([dbc.Col(panel_card(p, lang, chart_text(view, p.key, p.title, p)), xs=12,
                            xl=12 if _wide(p.key) else 6, className="panel-col")
                    for p in panels], className="g-3")
    part = _part_of_agreement(view) if view.cluster_id and view.agreement_visible else None
    values = view.scope_values() if view.cluster_id else view.values
    return [subtitle, period_problem_alert(view, path, state), links, no_data_alert(view),
            notes_alert(view.notes, lang), summary, part, grid,
            kolada_section(view.data, view.period, lang),
            kpi_table(values, parties, clusters, lang),
            html.Footer(_("ui.synthetic_long", lang), className="page-footer")
            if view.synthetic else None]


def kept_strips(eng, cache, version: str, view: View,
                rows: AgreementData | None = None) -> dict[tuple, list]:
    """The trend strips of the view's targets, computed once per data version and period
    for the agreement and its clusters (a cluster's view and presentation mode share them);
    ``rows``: the rows they need, when read already (:func:`read_with_strips`)."""
    agreement_id = view.agreement_id
    strips = cache.get_or_build(
        _strips_key(cache, version, agreement_id, view.period),
        lambda: trend_rows(eng, agreement_id, view.period, kept=lambda names, make:
                           cache.get_or_build_many(
                               {name: cache.key("trend-period", version, agreement_id, name)
                                for name in names}, make), data=rows))
    return strips_of(strips, view.cluster_id)


def _strips_key(cache, version: str, agreement_id: str, period: Period) -> str:
    return cache.key("trends-roles", version, agreement_id, period.text)


def view_strips(view: View) -> dict[tuple, list]:
    """:func:`kept_strips` for the running app (presentation mode)."""
    eng = engine()
    __, by_agreement = versions(eng)
    version = by_agreement.get(view.agreement_id, "")
    return kept_strips(eng, settings_cache(settings()), version, view)


def view_payload(agreement_id: str, cluster_id: str | None, period_text: str | None,
                 breakdown: str | None, lang: str, path: str) -> dict | None:
    """What the page shows of one view to the person asking, as plain data: computed once
    per data version of the agreement and kept (:mod:`dashboard.store`); ``None`` when there
    is no such view or it is not theirs to see (the same answer, on purpose).

    The kept payload differs only by whether the person sees the whole agreement (a
    cluster's viewer gets no links to the agreement's page or other clusters): that is part
    of the key, so a kept answer never shows anyone more than their rights.

    The periods the ◀ ▶ buttons lead to are asked for (:meth:`FigureCache.ask`) when they
    are not kept yet: the process that computes ahead makes them while the person reads."""
    if not agreement_id:
        return None
    rights = auth.current_rights()
    if not rights.sees(agreement_id, cluster_id):
        return None
    whole = rights.sees_agreement(agreement_id)
    request = {"kind": "view", "agreement": agreement_id, "cluster": cluster_id or "",
               "period": period_text or "", "breakdown": breakdown, "lang": lang,
               "path": path, "whole": whole}
    payload, keyed = _kept(request)
    if payload is None:
        return None
    cache = settings_cache(settings())
    for step in ("prev", "next"):
        if payload["state"].get(step):
            # As the switch will ask for it (dashboard.web.components.controls.target_of).
            near = {**keyed, "period": payload["state"][step],
                    "breakdown": payload["state"].get("breakdown") or "total"}
            if not cache.has(_payload_key(cache, near)):
                cache.ask(near)
    return payload


def _payload_key(cache, request: dict) -> str:
    """The key of a view's payload: its data version, what was asked, the scope the person
    sees and the decisions its charts mark (a meeting closed with a new decision, with no
    import in between, is shown at once). A breakdown of the total is the total."""
    breakdown = request["breakdown"]
    return cache.key("view", request["version"], request["agreement"], request["cluster"],
                     request["period"], "" if breakdown in (None, "", "total") else breakdown,
                     request["lang"], request["path"],
                     "whole" if request["whole"] else "cluster", request["markers"])


def kept_payload(request: dict) -> dict | None:
    """The payload of one view (:func:`view_payload`'s ``request``: agreement, cluster,
    period, breakdown, lang, path and whether the whole agreement is seen), kept or
    computed now; ``None`` when there is no such view. No rights are checked here: the
    caller has (a page), or nobody sees the result but through a page (computing ahead)."""
    return _kept(request)[0]


def _kept(request: dict) -> tuple[dict | None, dict]:
    """:func:`kept_payload`, and ``request`` with the data version and the digest of the
    decisions marked that its key holds (the keys of its neighbours hold the same)."""
    eng = engine()
    __, by_agreement = versions(eng)
    agreement_id = request["agreement"]
    version = by_agreement.get(agreement_id)
    if version is None:
        return None, request
    cache = settings_cache(settings())
    markers = decision_markers(eng, agreement_id)
    request = {**request, "version": version, "markers": markers_key(markers)}
    key = _payload_key(cache, request)
    cluster_id, lang, path = request["cluster"] or None, request["lang"], request["path"]

    def build() -> dict:
        # One read for the view and, unless they are kept, its strips.
        read, strip_rows = read_with_strips(
            eng, agreement_id, lambda period: cache.has(
                _strips_key(cache, version, agreement_id, period)))
        view = build_view(eng, agreement_id, request["period"] or None, cluster_id,
                          request["breakdown"], lang, read=read)
        if view is None:
            return {"missing": True}
        view.agreement_visible = request["whole"]
        view.markers = markers
        view.trends = kept_strips(eng, cache, version, view,
                                  strip_rows.get(view.period.text))
        state = view_state(view, path)
        return {"content": view_content(view, path), "state": state,
                "controls": control_data(view),
                "crumbs": crumbs_of(view, {k: state[k] for k in ("period", "breakdown",
                                                                  "lang")}),
                "title": view.cluster_name if view.cluster_id else view.agreement_name,
                "facts": agreement_facts(view.data.agreement, lang),
                "document_title": document_title(view.where, view.period_text, lang=lang)}

    payload = cache.get_or_build(key, build)
    return (None if payload.get("missing") else payload), request


register_asked("view", kept_payload)


def markers_key(markers) -> str:
    """The decisions marked, as a short part of a cache key (``-`` for none)."""
    if not markers:
        return "-"
    text = json.dumps([m.to_dict() for m in markers], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@register_agreement
def warm_view(agreement_id: str, lang: str) -> dict | None:
    """An agreement's default view, computed ahead when its data changed (as everyone who
    sees the whole agreement gets it; the periods around it are asked for by the pages)."""
    return kept_payload({"kind": "view", "agreement": agreement_id, "cluster": "",
                         "period": "", "breakdown": None, "lang": lang,
                         "path": agreement_path(agreement_id), "whole": True})


def view_layout(payload: dict, path: str) -> html.Div:
    """The page of one view: its title, the period controls, and the content the period
    switch replaces (:func:`switch_view`)."""
    state = payload["state"]
    lang = state["lang"]
    header = html.Div([html.H1(payload["title"], className="view-title"), payload["facts"]],
                      className="view-header")
    return page_frame([
        header, controls(payload["controls"], state),
        html.Div(payload["content"], id=Ids.VIEW_CONTENT, className="view-content"),
    ], lang=lang, path=path,
        state={k: state[k] for k in ("period", "breakdown", "lang")},
        crumbs=[tuple(c) for c in payload["crumbs"]], title=payload["document_title"])


def agreement_facts(agreement: dict, lang: str) -> html.Div | None:
    """``Typ: Krami · Kommuner: Stockholm (Stockholms län)`` (contract section 1)."""
    parts = []
    if agreement.get("kind"):
        parts.append(f"{_('ui.kind', lang)}: {kind_label(agreement['kind'], lang)}")
    if agreement.get("municipalities"):
        parts.append(f"{_('ui.municipalities', lang)}: "
                     f"{municipalities_text(agreement['municipalities'])}")
    if not parts:
        return None
    return html.Div(" · ".join(parts), className="agreement-facts", id="agreement-facts")


def period_problem_alert(view: View, path: str, state: dict) -> dbc.Alert | None:
    """A period in the address that is not one: say so, and what is shown instead."""
    problem = view.period_problem
    if problem is None:
        return None
    lang = view.lang
    if problem.reason == "month_not_exist":
        first = _("ui.period_not_exist", lang, asked=problem.asked, month=problem.asked[-2:])
    else:
        first = _("ui.period_not_a_period", lang, asked=problem.asked)
    parts = [html.Strong("⚠ " + first + " "),
             html.Span(_("ui.period_shown_instead", lang, period=view.period_text) + " ")]
    if problem.suggestion is not None:
        label = period_label(problem.suggestion, lang)
        parts.append(dcc.Link(_("ui.period_did_you_mean", lang, period=label),
                              href=href(path, **{**state, "period": problem.suggestion.text}),
                              id="period-suggestion"))
    return dbc.Alert(parts, color="warning", id="period-problem", className="notes")


def no_data_alert(view: View) -> dbc.Alert | None:
    """A period without any data: no figures, every target grey (contract section 3)."""
    if view.has_data:
        return None
    lang = view.lang
    text = [html.Strong(_("ui.no_data_period", lang, period=view.period_text))]
    bounds = view.bounds
    if bounds:

        span = period_label(Period.of_months(*bounds), lang)
        text.append(html.Span(" " + _("ui.data_runs", lang, span=span)))
    return dbc.Alert(text, color="secondary", id="no-data", className="notes")


def _wide(key: str) -> bool:
    return key in ("occupancy", "flow", "outcomes", "indicators")


def _cluster_links(view: View, state: dict, names: dict[str, str]) -> list:
    if len(view.data.cluster_ids) < 2 and view.cluster_id is None or \
            not view.agreement_visible:
        return []
    out = [html.Span(_("ui.clusters", view.lang) + ":", className="me-2 label")]
    for cid in view.data.cluster_ids:
        if cid == view.cluster_id:
            out.append(html.Span(names.get(cid, cid), className="cluster-chip current"))
        else:
            out.append(dcc.Link(names.get(cid, cid), className="cluster-chip",
                                href=href(cluster_path(view.agreement_id, cid), **state)))
    return out


def _part_of_agreement(view: View) -> html.Section | None:
    """The cluster's part of the agreement's participants (participant-months) and completers."""
    lang = view.lang
    items = []
    for column, words in (("participants", "share_of_participants"),
                          ("completed", "share_of_completed")):
        part = part_of_agreement(view.data, view.period, view.cluster_id, column)
        if part is not None:
            items.append(html.Li([html.Span(fmt_percent(part, 0, lang), className="big-number"),
                                  f" {_(f'ui.{words}', lang)}"]))
    if not items:
        return None
    return html.Section([html.H2(_("ui.part_of_agreement", lang)),
                         html.Ul(items, className="part-list")], className="part-section")


def page(agreement_id: str | None, cluster_id: str | None, path: str, query: dict):
    if not agreement_id:
        return not_found(query)
    payload = view_payload(agreement_id, cluster_id, query.get("period"),
                           query.get("breakdown"), lang_of(query.get("lang")), path)
    if payload is None:
        return not_found(query)
    return view_layout(payload, path)


@callback(
    Output(Ids.VIEW_CONTENT, "children"),
    Output(Ids.PERIOD, "value"),
    Output(Ids.PREV_HOLDER, "children"),
    Output(Ids.NEXT_HOLDER, "children"),
    Output(Ids.VIEW_STATE, "data"),
    Output(Ids.URL_SYNC, "data", allow_duplicate=True),
    Output("crumbs", "children"),
    Output("lang-switch", "href"),
    Input(Ids.PERIOD, "value"),
    Input(Ids.PERIOD_PREV, "n_clicks"),
    Input(Ids.PERIOD_NEXT, "n_clicks"),
    Input(Ids.BREAKDOWN, "value"),
    Input(Ids.HISTORY_TARGET, "data"),
    State(Ids.VIEW_STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SEE, scope=lambda *args: auth.view_scope(args[5]))
def switch_view(period, prev_clicks, next_clicks, breakdown, history, rendered):
    """Another period or breakdown: only what changes is sent (the content, the steps, the
    address), from the view kept for this data version; the page is not rebuilt."""
    if not isinstance(rendered, dict) or not rendered.get("agreement"):
        raise PreventUpdate
    from_history = ctx.triggered_id == Ids.HISTORY_TARGET
    if from_history:
        # Back or Forward: the address already says what to show ("" = the default).
        if not isinstance(history, dict):
            raise PreventUpdate
        target = (history.get("period") or None, history.get("breakdown") or "total")
    else:
        target = target_of(ctx.triggered_id, period, prev_clicks, next_clicks, breakdown,
                           rendered)
    if target is None:
        raise PreventUpdate
    period_text, breakdown = target
    payload = view_payload(rendered["agreement"], rendered.get("cluster"), period_text,
                           breakdown, rendered["lang"], rendered["path"])
    if payload is None:
        raise PreventUpdate
    state = payload["state"]
    lang = state["lang"]
    query = {k: state[k] for k in ("period", "breakdown", "lang")}
    other = "en" if lang == "sv" else "sv"
    return (payload["content"], state["period"],
            step_button("◀", Ids.PERIOD_PREV, payload["controls"]["prev"]),
            step_button("▶", Ids.PERIOD_NEXT, payload["controls"]["next"]),
            state,
            {"href": href(state["path"], **query), "push": not from_history,
             "title": payload["document_title"]},
            crumb_trail(lang, query, [tuple(c) for c in payload["crumbs"]]),
            href(state["path"], **{**query, "lang": other}))
