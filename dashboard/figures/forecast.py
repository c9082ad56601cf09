"""A forecast on a panel: a dashed grey continuation to the period's end, its range as a
light band, and the words ("Prognos helår: 74, mål 80").

The numbers come from :mod:`dashboard.domain.forecast`. A forecast is never data: it is
not in a panel's table, never in a status colour, and a chart draws it only after its
months with data, in grey, with a label in words (nobody hovers on a projector).
"""

from __future__ import annotations

from dashboard.config import Settings
from dashboard.domain.forecast import Forecast, forecasts
from dashboard.figures.common import esc
from dashboard.figures.measure import text_width
from dashboard.figures.spec import Figure, number
from dashboard.figures.theme import Theme
from dashboard.i18n import _, fmt_number, fmt_percent, kpi_label, period_label
from dashboard.model.series import party_names
from dashboard.model.view import View

FORECAST_COLOUR = "#6C757D"  # grey: not a status colour, not a breakdown's colour
BAND_COLOUR = "rgba(108, 117, 125, 0.18)"
FORECAST_META = "forecast"
# Which panel says a forecast in words, by its key figure.
PANEL_OF = {"occupancy": "occupancy", "started": "flow", "exited": "flow",
            **{k: "outcomes" for k in ("completed", "work", "study", "other",
                                       "discontinued", "work_study_share", "work_share",
                                       "study_share")},
            **{k: "staffing" for k in ("fte_actual", "fte_committed", "fte_fulfilment")}}


def view_forecasts(view: View, suppress_below: int | None = None) -> list[Forecast]:
    """The forecasts of the view's targets (none for a finished period, an agreement that
    has turned them off, or a target whose count would be hidden as small)."""
    threshold = suppress_below or Settings.suppression_threshold
    # Computed once per view and threshold (each panel asks): kept on the view itself.
    kept = view.__dict__.setdefault("_forecasts", {})
    if threshold not in kept:
        last = view.span[1] if view.span else None
        kept[threshold] = forecasts(view.data, view.targets(), view.period, last, threshold)
    return kept[threshold]


def forecast_number(x: float, unit: str, lang: str) -> str:
    """A forecast as coarse as it is: counts whole, shares in whole percent, FTE to a
    tenth."""
    if unit in ("share", "percent"):
        return fmt_percent(x, 0, lang)
    if unit == "fte":
        return fmt_number(x, 1, lang)
    return fmt_number(round(x), 0, lang)


def forecast_words(f: Forecast, lang: str) -> str:
    """``Prognos helår: 74, mål 80`` (``mål högst`` for ``<=``; a half or a quarter by its
    name: ``Prognos kv. 3 2023: …``)."""
    value = forecast_number(f.value, f.unit, lang)
    target = forecast_number(f.target, f.unit, lang)
    if f.comparator == "<=":
        target = f"{_('ui.maximum', lang)} {target}"
    full = f.full_period
    if full.kind == "year":
        return _("ui.forecast_full_year", lang, value=value, target=target)
    return _("ui.forecast_to_period", lang, period=period_label(full, lang), value=value,
             target=target)


def forecast_sentence(f: Forecast, lang: str, method: bool = True,
                      party: str | None = None) -> str:
    """The forecast in a sentence for the panel: what, the words, the range and the
    method (``Beläggning – Prognos helår: 76, mål 80 (intervall 74–78). Medel av …``)."""
    label = kpi_label(f.kpi, lang)
    if f.role or f.party_id:
        label = f"{label}, {f.role or party or f.party_id}"
    low = forecast_number(f.low, f.unit, lang)
    high = forecast_number(f.high, f.unit, lang)
    span = low if low == high else f"{low}–{high}"
    sentence = _("ui.forecast_sentence", lang, what=label, words=forecast_words(f, lang),
                 range=span)
    # ui.forecast_method_flow, ui.forecast_method_level, ui.forecast_method_share
    return f"{sentence} {_(f'ui.forecast_method_{f.method}', lang)}" if method else sentence


def forecast_months(view: View, months: list[str], kpi: str,
                    suppress_below: int | None = None) -> list[str]:
    """The months of a chart's axis: ``months``, and where ``kpi`` has a forecast, the
    months left to the end of its period too."""
    f = next((f for f in view_forecasts(view, suppress_below) if f.kpi == kpi), None)
    if f is None:
        return months
    return months + [m for m in f.months_left if m not in months]


def draw_forecast(fig: Figure, f: Forecast, x_of: dict[str, str], last_value: float | None,
                  theme: Theme, lang: str) -> None:
    """The forecast on a chart of months (``x_of``: each month's category on the x axis):
    the band from the lowest to the highest month, a dashed grey line at the month's
    forecast from the last month with data to the period's end, and its words."""
    left = [m for m in f.months_left if m in x_of]
    if not left or f.last_month not in x_of:
        return
    xs = [x_of[f.last_month], *(x_of[m] for m in left)]
    start = f.monthly if last_value is None else last_value
    scale = 100.0 if f.unit in ("share", "percent") else 1.0
    low = [number(start * scale)] + [number(f.monthly_low * scale)] * len(left)
    high = [number(start * scale)] + [number(f.monthly_high * scale)] * len(left)
    line = [number(start * scale)] + [number(f.monthly * scale)] * len(left)
    name = esc(forecast_words(f, lang))
    fig.add(dict(type="scatter", x=xs, y=low, mode="lines", line=dict(width=0),
                 hoverinfo="skip", showlegend=False, meta=FORECAST_META, name=name))
    fig.add(dict(type="scatter", x=xs, y=high, mode="lines", line=dict(width=0),
                 fill="tonexty", fillcolor=BAND_COLOUR, hoverinfo="skip", showlegend=False,
                 meta=FORECAST_META, name=name))
    fig.add(dict(type="scatter", x=xs, y=line, mode="lines", name=name,
                 line=dict(color=FORECAST_COLOUR, width=theme.line_width, dash="dash"),
                 showlegend=False, meta=FORECAST_META, cliponaxis=False))
    # The words beside the line's end, on the side away from the target line; where the
    # months left are too narrow for them, on two lines, or else over the plot's corner.
    below = f.target * scale >= f.monthly * scale
    size = theme.label_size
    free = _free_width(fig, theme, len(x_of), len(left))
    lines = [name]
    if text_width(f"<b>{name}</b>", size) > free and ": " in name:
        head, tail = name.split(": ", 1)
        lines = [f"{head}:", tail]
    words = "<br>".join(f"<b>{line}</b>" for line in lines)
    place = dict(xref="x", x=xs[-1], yref="y",
                 y=number((f.monthly_low if below else f.monthly_high) * scale),
                 yanchor="top" if below else "bottom", yshift=-4 if below else 4)
    if max(text_width(f"<b>{line}</b>", size) for line in lines) > free:
        # The plot's top right corner: over the months left, clear of the bars.
        place = dict(xref="x domain", x=1, yref="y domain", y=1, yanchor="top", yshift=-2)
    fig.annotate(dict(name=FORECAST_META, text=words, xanchor="right", showarrow=False,
                      font=dict(size=size, color=theme.text_colour), **place))
    axis = fig.layout.get("yaxis", {})
    top = (axis.get("range") or [0, 0])[1]
    if top is not None and f.monthly_high * scale * 1.15 > top:
        fig.update_layout(yaxis=dict(range=[axis["range"][0],
                                            number(f.monthly_high * scale * 1.15)]))


def _free_width(fig: Figure, theme: Theme, months: int, left: int) -> float:
    """The pixels from the last bar with data to the middle of the last month on the axis,
    at the narrowest the chart is drawn."""
    margin = fig.layout.get("margin", {})
    plot = (theme.width or theme.min_width) - margin.get("l", 0) - margin.get("r", 0)
    slot = plot / max(months, 1)
    return slot * (left - 0.375) - 4


def draw_occupancy_forecast(view: View, fig: Figure, months: list[str], totals,
                            theme: Theme, suppress_below: int | None = None) -> bool:
    """The occupancy chart's forecast (``months``: its axis, ``totals``: participants by
    month), drawn after its months with data; whether there was one to draw."""
    f = next((f for f in view_forecasts(view, suppress_below) if f.kpi == "occupancy"), None)
    if f is None or not fig.data:
        return False
    axis = fig.layout.get("xaxis", {}).get("categoryarray") or []
    if len(axis) != len(months):
        return False
    last = None if totals is None or f.last_month not in totals.index \
        else float(totals[f.last_month])
    x_of = dict(zip(months, axis, strict=True))
    with_data = {x_of[m] for m in months if m <= f.last_month}
    for trace in fig.data:  # the period's mean is of the months with data: drawn over them
        if trace.get("meta") == "mean":
            trace["y"] = [y for x, y in zip(trace["x"], trace["y"], strict=True)
                          if x in with_data]
            trace["x"] = [x for x in trace["x"] if x in with_data]
    draw_forecast(fig, f, x_of, last, theme, view.lang)
    return True


def with_forecasts(view: View, panel, suppress_below: int | None = None,
                   drawn: bool = False):
    """The panel with its key figures' forecasts in words (``panel.sentences``), and on
    its slide the shorter words without the method; a chart that ``drawn`` its forecast
    (with the words) leaves them off its slide, which has no room to say things twice, and
    so does the staffing slide."""
    found = [f for f in view_forecasts(view, suppress_below)
             if PANEL_OF.get(f.kpi) == panel.key]
    if not found:
        return panel
    slide = list(panel.slide_lines)
    names = party_names(view.data)
    panel.sentences += [forecast_sentence(f, view.lang, party=names.get(f.party_id))
                        for f in found]
    # The staffing slide has no room for its figures' forecasts: its chart would shrink
    # below what the back of the room reads (the card says them).
    panel.slide_sentences = slide if drawn or panel.key == "staffing" else \
        slide + [forecast_sentence(f, view.lang, method=False, party=names.get(f.party_id))
                 for f in found]
    return panel
