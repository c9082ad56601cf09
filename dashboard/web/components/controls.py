"""The period picker and the breakdown switch; their choice goes into the address.

Changing them replaces only what depends on them (the page's content, the steps) with the
view kept for the data's version, and the address follows (``period``/``breakdown`` in the
query string, a new history entry), so every state can be bookmarked and shared.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, clientside_callback, dcc, html

from dashboard.domain.periods import parse_period_or_none
from dashboard.i18n import _, period_label
from dashboard.model.view import View, is_span, period_options
from dashboard.web.ids import Ids

# The open period list: about ten periods at a time (of up to 38), within a 1024×768
# projector's screen under the picker (Dash caps it at the window's height − 100 px).
PERIOD_LIST_HEIGHT = 440


def dropdown_labels(lang: str) -> dict[str, str]:
    """The dropdown's own words (its search box says "Search" otherwise)."""
    keys = ("select_all", "deselect_all", "clear_search", "clear_selection")
    labels = {k: _(f"ui.{k}", lang) for k in keys}
    # Dash fills in {num_selected} itself: the braces must reach it unformatted.
    labels["selected_count"] = _("ui.selected_count", lang)
    labels["search"] = _("ui.search_period", lang)
    labels["no_options_found"] = _("ui.no_period_found", lang)
    return labels


def control_data(view: View) -> dict:
    """What the period controls offer for a view, as plain data (kept with the view)."""
    lang = view.lang
    options = spans_early(period_options(view.span, view.indicator_periods, lang))
    if view.period.text not in [v for v, __ in options]:
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
        return {"period": None, "label": _(f"ui.{none_words}", lang)}

    return {"period": target.text,
            "label": f"{_(f'ui.{words}', lang)}: {period_label(target, lang)}"}


def controls(data: dict, state: dict) -> html.Div:
    """Period (with previous / next) and, where the data is broken down, the breakdown."""
    lang = state["lang"]
    period = html.Div([
        html.Label(_("ui.period", lang), htmlFor=Ids.PERIOD, className="control-label"),
        html.Div([
            html.Span(step_button("◀", Ids.PERIOD_PREV, data["prev"]), id=Ids.PREV_HOLDER),
            dcc.Dropdown(id=Ids.PERIOD, options=data["options"], value=state["period"],
                         clearable=False, searchable=True, className="period-dropdown",
                         labels=dropdown_labels(lang), maxHeight=PERIOD_LIST_HEIGHT),
            html.Span(step_button("▶", Ids.PERIOD_NEXT, data["next"]), id=Ids.NEXT_HOLDER),
        ], className="period-row"),
    ], className="control")
    labels = {"total": _("ui.total", lang), "gender": _("ui.by_gender", lang),
              "target_group": _("ui.by_target_group", lang)}
    breakdowns = data["breakdowns"]
    # Always in the layout (the callback listens to it), hidden when there is no choice.
    breakdown = html.Div([
        html.Label(_("ui.breakdown", lang), className="control-label"),
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
