"""Decisions on the charts (issue 19): a chart of a target with a decision tied to it marks
the deciding meeting's date with a vertical line and a short label ("Beslut 12 mars:
förstärk uppsökande arbete", cut to the room there is), written on the chart (nobody
hovers); the whole decision is in the words beside the chart.

The line and its label are ink, never a status colour. They are added to a figure already
drawn, without moving anything in it: the chart's value axis is stretched so that a band
at the top of the plot is free of bars, lines and value labels (they are pinned in pixels
from their data, so they only come closer to the axis), and the labels go in that band,
one row per decision. A chart is marked only where a time axis shows the decision's date:
months (occupancy, started and exited) and an indicator's periods; a decision in the
first period shown, or before it, is said in words only, one after the last period not
at all.

The markers come as plain data (:class:`dashboard.model.view.DecisionMarker`, on the
view); this module never reads meetings.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.domain.periods import Period, parse_period_or_none
from dashboard.figures.common import esc, line_px
from dashboard.figures.measure import text_width
from dashboard.figures.spec import Figure, number
from dashboard.figures.theme import Theme
from dashboard.i18n import _, date_label
from dashboard.model.view import DecisionMarker, View

MARKER_COLOUR = "#14213D"  # the app's ink: not a status colour
MOST_ROWS = 3  # labels over one chart; more decisions are said in words only
GAP = 5  # pixels between the line and its label


def markers_for(view: View, kpis: Sequence[str]) -> list[DecisionMarker]:
    """The view's decisions on one of ``kpis`` at the view's own scope (the agreement, or
    the cluster shown), oldest first."""
    return sorted((m for m in view.markers if m.kpi in kpis and
                   m.cluster_id == view.cluster_id and m.party_id is None),
                  key=lambda m: m.on)


def marker_words(marker: DecisionMarker, lang: str) -> str:
    """The whole decision in words, beside the chart: ``Beslut 12 mars 2023: förstärk
    uppsökande arbete.``"""
    text = " ".join(marker.text.split()).rstrip(".")  # the sentence ends with its own stop
    return _("ui.decision_words", lang, date=date_label(marker.on, lang), text=text)


def marker_label(marker: DecisionMarker, lang: str, size: float, room: float) -> str:
    """``Beslut 12 mars: förstärk uppsökande arbete``, cut (``…``) to ``room`` pixels."""
    day = date_label(marker.on, lang).rsplit(" ", 1)[0]  # "12 mars 2023" -> "12 mars"
    text = " ".join(marker.text.split())
    label = _("ui.decision_label", lang, date=day, text=text)
    if text_width(esc(label), size) <= room:
        return label
    words = text.split(" ")
    while words:
        words.pop()
        short = _("ui.decision_label", lang, date=day, text=" ".join(words) + "…")
        if words and text_width(esc(short), size) <= room:
            return short
    return _("ui.decision_label", lang, date=day, text="…")


def boundary(periods: Sequence[str], on: str) -> float | None:
    """Where on a category axis of ``periods`` (months ``2023-03``, quarters, years…) the
    line of a decision taken on ``on`` goes: between the period before and the one the
    decision falls in (``None``: the first period shown, or off the axis)."""
    month = on[:7]
    for i, text in enumerate(periods):
        period = text if isinstance(text, Period) else parse_period_or_none(str(text))
        if period is None:
            return None
        months = period.months
        if months and months[-1] >= month:
            if i == 0:
                return None
            return i - 0.5
    return None


def mark_decisions(fig: Figure, theme: Theme, lang: str,
                   cells: Sequence[tuple[Sequence[str], list[DecisionMarker]]]) -> list[str]:
    """Mark ``fig``'s charts: ``cells`` gives, for each small chart in the order of its
    axes (one for a chart of its own), the periods of its category axis and its
    decisions. Returns the words of every decision marked or not (for beside the chart)."""
    axes = _axes(fig)
    words: list[str] = []
    for (periods, markers), (xaxis, yaxis) in zip(cells, axes, strict=False):
        # A decision taken after the last period shown has nothing to say about it.
        shown = [(m, boundary(periods, m.on)) for m in markers
                 if not _after(periods, m.on)]
        words += [marker_words(m, lang) for m, __ in shown]
        placed = [(m, x) for m, x in shown if x is not None][-MOST_ROWS:]
        if placed:
            _mark(fig, theme, lang, xaxis, yaxis, len(periods), placed)
    return words


def _after(periods: Sequence[str], on: str) -> bool:
    """Whether ``on`` falls after the last of ``periods``."""
    last = periods[-1] if periods else None
    period = last if isinstance(last, Period) else parse_period_or_none(str(last or ""))
    return period is None or not period.months or on[:7] > period.months[-1]


def _axes(fig: Figure) -> list[tuple[str, str]]:
    """The (x, y) axes of the figure's charts, in the order their traces come."""
    out: list[tuple[str, str]] = []
    for trace in fig.data:
        pair = (trace.get("xaxis", "x"), trace.get("yaxis", "y"))
        if pair not in out:
            out.append(pair)
    return out


def _layout_axis(ref: str) -> str:
    """``x2`` -> ``xaxis2``."""
    return f"{ref[0]}axis{ref[1:]}"


def _mark(fig: Figure, theme: Theme, lang: str, xaxis: str, yaxis: str, n: int,
          placed: list[tuple[DecisionMarker, float]]) -> None:
    layout = fig.layout
    size = theme.smaller(2)
    row = line_px(size) + 4
    band = len(placed) * row + 6
    margin = layout.get("margin", {})
    height = layout.get("height") or theme.height
    width = theme.width or theme.min_width
    plot_h = height - margin.get("t", 0) - margin.get("b", 0)
    plot_w = width - margin.get("l", 0) - margin.get("r", 0)
    y_axis = layout.setdefault(_layout_axis(yaxis), {})
    x_axis = layout.setdefault(_layout_axis(xaxis), {})
    y_domain = y_axis.get("domain", [0, 1])
    x_domain = x_axis.get("domain", [0, 1])
    cell_h = plot_h * (y_domain[1] - y_domain[0])
    cell_w = plot_w * (x_domain[1] - x_domain[0])
    low, top = (y_axis.get("range") or [0, None])[:2]
    if top is None or cell_h <= band + 40:
        return
    # What the chart wrote stays below the band: its value labels reach at most a couple
    # of lines past their data, so the scale leaves room for them too.
    reach = 2 * line_px(theme.label_size) + 8
    scale = (cell_h - reach) / max(cell_h - band - reach, 1.0)
    y_axis["range"] = [low, number(low + (top - low) * scale)]
    for i, (marker, x) in enumerate(placed):
        fig.shape(dict(type="line", name="decision", xref=xaxis, x0=x, x1=x,
                       yref=f"{yaxis} domain", y0=0,
                       # Up to its own label's row: never through an earlier one's label.
                       y1=number(round(1 - (3 + i * row) / cell_h, 6)), layer="above",
                       line=dict(color=MARKER_COLOUR, width=max(theme.line_width - 1, 2),
                                 dash="dashdot")))
        right = cell_w * (n - 0.5 - x) / n - GAP - 4
        left = cell_w * (x + 0.5) / n - GAP - 4
        to_right = right >= left
        label = marker_label(marker, lang, size, max(right, left))
        fig.annotate(dict(name="decision", text=esc(label), xref=xaxis, x=x,
                          xanchor="left" if to_right else "right",
                          xshift=GAP if to_right else -GAP, yref=f"{yaxis} domain", y=1,
                          yanchor="top", yshift=-(3 + i * row), showarrow=False,
                          align="left", bgcolor="rgba(255,255,255,0.85)",
                          font=dict(size=size, color=MARKER_COLOUR)))
