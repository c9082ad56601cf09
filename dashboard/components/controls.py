"""The period picker and the breakdown switch; their choice goes into the address.

Changing them navigates (without reloading) to the same view with a new ``period`` or
``breakdown`` in the query string, so every state can be bookmarked and shared.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update, strip_relative_path

from .. import auth
from ..i18n import TEXT, t
from ..ids import Ids
from ..periods import parse_period_or_none
from ..views import View, period_options
from .links import href, query_state

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


def controls(view: View) -> html.Div:
    """Period (with previous / next) and, where the data is broken down, the breakdown."""
    lang = view.lang
    options = period_options(view.span, view.indicator_periods, lang)
    values = [v for v, _ in options]
    if view.period.text not in values:
        options.insert(0, (view.period.text, view.period_text))
    before, after = view.neighbour(-1), view.neighbour(1)
    period = html.Div([
        html.Label(t("period", lang), htmlFor=Ids.PERIOD, className="control-label"),
        html.Div([
            step_button("◀", Ids.PERIOD_PREV, before, "prev_period", "no_earlier_data", view),
            dcc.Dropdown(id=Ids.PERIOD, options=[{"label": label, "value": value}
                                                 for value, label in options],
                         value=view.period.text, clearable=False, searchable=True,
                         className="period-dropdown", labels=dropdown_labels(lang),
                         maxHeight=PERIOD_LIST_HEIGHT),
            step_button("▶", Ids.PERIOD_NEXT, after, "next_period", "no_later_data", view),
        ], className="period-row"),
    ], className="control")
    labels = {"total": t("total", lang), "gender": t("by_gender", lang),
              "target_group": t("by_target_group", lang)}
    # Always in the layout (the callback listens to it), hidden when there is no choice.
    breakdown = html.Div([
        html.Label(t("breakdown", lang), className="control-label"),
        dbc.RadioItems(id=Ids.BREAKDOWN, value=view.breakdown, inline=True,
                       options=[{"label": labels[b], "value": b} for b in view.breakdowns],
                       className="breakdown-switch", inputClassName="btn-check",
                       labelClassName="btn btn-outline-dark",
                       labelCheckedClassName="active"),
    ], className="control", style=None if len(view.breakdowns) > 1 else {"display": "none"})
    rendered = dcc.Store(id=Ids.VIEW_STATE, data={
        "period": view.period.text, "breakdown": view.breakdown,
        "prev": before.text if before else None, "next": after.text if after else None})
    return html.Div([period, breakdown, rendered], className="controls")


def step_button(symbol: str, id_: str, target, words: str, none_words: str,
                view: View) -> html.Button:
    """◀ or ▶: to the period before or after of the same length; disabled, saying why,
    where that period has no data (the data's first or last period is shown)."""
    lang = view.lang
    if target is None:
        label = t(none_words, lang)
        return html.Button(symbol, id=id_, n_clicks=0, disabled=True,
                           className="btn btn-outline-dark step-disabled", title=label,
                           **{"aria-label": label, "aria-disabled": "true"})
    from ..i18n import period_label

    label = f"{t(words, lang)}: {period_label(target, lang)}"
    return html.Button(symbol, id=id_, n_clicks=0, className="btn btn-outline-dark",
                       title=label, **{"aria-label": label})


@callback(
    Output(Ids.URL, "href"),
    Input(Ids.PERIOD, "value"),
    Input(Ids.PERIOD_PREV, "n_clicks"),
    Input(Ids.PERIOD_NEXT, "n_clicks"),
    Input(Ids.BREAKDOWN, "value"),
    State(Ids.URL, "pathname"),
    State(Ids.URL, "search"),
    State(Ids.VIEW_STATE, "data"),
    prevent_initial_call=True,
)
@auth.guard(auth.SEE, scope=lambda *args: auth.path_scope(args[4], args[5]))
def navigate(period, prev_clicks, next_clicks, breakdown, pathname, search, rendered):
    """Put the chosen period or breakdown into the address.

    Only a real change navigates: a button clicked at least once, or a choice other
    than the one the page was drawn with (components report their values on mount).
    """
    rendered = rendered or {}
    state = query_state(search)
    state["period"] = rendered.get("period") or state.get("period")
    triggered = {t["prop_id"].split(".")[0] for t in ctx.triggered}
    if Ids.PERIOD_PREV in triggered and prev_clicks or Ids.PERIOD_NEXT in triggered \
            and next_clicks:
        # The page knows the periods before and after that hold data (none past them).
        target = rendered.get("prev") if Ids.PERIOD_PREV in triggered and prev_clicks \
            else rendered.get("next")
        if not target or parse_period_or_none(target) is None:
            return no_update
        state["period"] = target
    elif Ids.PERIOD in triggered and period and period != rendered.get("period"):
        state["period"] = period
    elif Ids.BREAKDOWN in triggered and breakdown and \
            breakdown != rendered.get("breakdown", "total"):
        state["breakdown"] = breakdown
    else:
        return no_update
    path = "/" + (strip_relative_path(pathname or "/") or "")
    return href(path, **state)
