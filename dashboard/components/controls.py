"""The period picker and the breakdown switch; their choice goes into the address.

Changing them replaces only what depends on them (the page's content, the steps) with the
view kept for the data's version, and the address follows (``period``/``breakdown`` in the
query string, a new history entry), so every state can be bookmarked and shared.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from dashboard.web import auth
from dashboard.i18n import TEXT, t
from dashboard.web.ids import Ids
from dashboard.domain.periods import parse_period_or_none
from dashboard.model.view import View, is_span, period_options
from dashboard.web.components.links import href

# The open period list: about ten periods at a time (of up to 38), within a 1024×768
# projector's screen under the picker (Dash caps it at the window's height − 100 px).
PERIOD_LIST_HEIGHT = 440


def dropdown_labels(lang: str) -> dict[str, str]:
    """The dropdown's own words (its search box says "Search" otherwise)."""
    keys = ("select_all", "deselect_all", "clear_search", "clear_selection")
    labels = {k: t(k, lang) for k in keys}
    # Dash fills in {num_selected} itself: the braces must reach it unformatted.
    labels["selected_count"] = TEXT["selected_count"][0 if lang == "sv" else 1]
    labels["search"] = t("search_period", lang)
    labels["no_options_found"] = t("no_period_found", lang)
    return labels


def control_data(view: View) -> dict:
    """What the period controls offer for a view, as plain data (kept with the view)."""
    lang = view.lang
    options = spans_early(period_options(view.span, view.indicator_periods, lang))
    if view.period.text not in [v for v, _ in options]:
        options.insert(0, (view.period.text, view.period_text))
    return {"options": [{"label": label, "value": value} for value, label in options],
            "breakdowns": view.breakdowns,
            "prev": step_data(view.neighbour(-1), "prev_period", "no_earlier_data", lang),
            "next": step_data(view.neighbour(1), "next_period", "no_later_data", lang)}


def spans_early(options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The looks back over several years (and the last twelve months) moved up, after the
    latest year, its year to date and its halves: within the list's first screen, not
    after every month of every year."""
    spans = [o for o in options if is_span(o[0])]
    rest = [o for o in options if not is_span(o[0])]
    if not spans or not rest:
        return options
    latest = rest[0][0][:4]

    def year_level(value: str) -> bool:
        p = parse_period_or_none(value)
        return p is not None and value[:4] == latest and p.start[:4] == p.end[:4] and \
            p.kind not in ("quarter", "month")

    at = next((i for i, (value, _label) in enumerate(rest) if not year_level(value)),
              len(rest))
    return rest[:at] + spans + rest[at:]


def step_data(target, words: str, none_words: str, lang: str) -> dict:
    """◀ or ▶: the period it goes to, or why it goes nowhere (the data ends there)."""
    if target is None:
        return {"period": None, "label": t(none_words, lang)}
    from dashboard.i18n import period_label

    return {"period": target.text, "label": f"{t(words, lang)}: {period_label(target, lang)}"}


def controls(data: dict, state: dict) -> html.Div:
    """Period (with previous / next) and, where the data is broken down, the breakdown."""
    lang = state["lang"]
    period = html.Div([
        html.Label(t("period", lang), htmlFor=Ids.PERIOD, className="control-label"),
        html.Div([
            html.Span(step_button("◀", Ids.PERIOD_PREV, data["prev"]), id=Ids.PREV_HOLDER),
            dcc.Dropdown(id=Ids.PERIOD, options=data["options"], value=state["period"],
                         clearable=False, searchable=True, className="period-dropdown",
                         labels=dropdown_labels(lang), maxHeight=PERIOD_LIST_HEIGHT),
            html.Span(step_button("▶", Ids.PERIOD_NEXT, data["next"]), id=Ids.NEXT_HOLDER),
        ], className="period-row"),
    ], className="control")
    labels = {"total": t("total", lang), "gender": t("by_gender", lang),
              "target_group": t("by_target_group", lang)}
    breakdowns = data["breakdowns"]
    # Always in the layout (the callback listens to it), hidden when there is no choice.
    breakdown = html.Div([
        html.Label(t("breakdown", lang), className="control-label"),
        dbc.RadioItems(id=Ids.BREAKDOWN, value=state["breakdown"], inline=True,
                       options=[{"label": labels[b], "value": b} for b in breakdowns],
                       className="breakdown-switch", inputClassName="btn-check",
                       labelClassName="btn btn-outline-dark",
                       labelCheckedClassName="active"),
    ], className="control", style=None if len(breakdowns) > 1 else {"display": "none"})
    rendered = dcc.Store(id=Ids.VIEW_STATE, data=state)
    history = dcc.Store(id=Ids.HISTORY_TARGET)  # set by assets/history.js on Back/Forward
    return html.Div([period, breakdown, rendered, history], className="controls")


def step_button(symbol: str, id_: str, step: dict) -> html.Button:
    """◀ or ▶: to the period before or after of the same length; disabled, saying why,
    where that period has no data (the data's first or last period is shown)."""
    if step["period"] is None:
        return html.Button(symbol, id=id_, n_clicks=0, disabled=True,
                           className="btn btn-outline-dark step-disabled",
                           title=step["label"],
                           **{"aria-label": step["label"], "aria-disabled": "true"})
    return html.Button(symbol, id=id_, n_clicks=0, className="btn btn-outline-dark",
                       title=step["label"], **{"aria-label": step["label"]})


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
    from dashboard.web.components.cards import crumb_trail
    from dashboard.web.components.view_page import view_payload

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


def target_of(trigger, period, prev_clicks, next_clicks, breakdown,
              rendered: dict) -> tuple[str, str] | None:
    """The period and breakdown asked for, or ``None`` when nothing changes (components
    report their values when they appear; a step button that leads nowhere is disabled)."""
    current = (rendered.get("period"), rendered.get("breakdown") or "total")
    if trigger == Ids.PERIOD_PREV and prev_clicks:
        asked = (rendered.get("prev"), current[1])
    elif trigger == Ids.PERIOD_NEXT and next_clicks:
        asked = (rendered.get("next"), current[1])
    elif trigger == Ids.PERIOD and isinstance(period, str):
        asked = (period, current[1])
    elif trigger == Ids.BREAKDOWN and isinstance(breakdown, str):
        asked = (current[0], breakdown)
    else:
        return None
    if not asked[0] or parse_period_or_none(asked[0]) is None or asked == current:
        return None
    return asked


# The page's own path and state, for assets/history.js (Back and Forward).
clientside_callback(
    """
    function(state) {
        if (state) {
            window.__samverkanView = {pathname: window.location.pathname, lang: state.lang,
                                      period: state.period, breakdown: state.breakdown};
        }
        return window.dash_clientside.no_update;
    }
    """,
    Output(Ids.VIEW_STATE, "id"),
    Input(Ids.VIEW_STATE, "data"),
)
