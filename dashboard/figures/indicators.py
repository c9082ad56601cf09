"""Indicators: each one's values in the period and the same period a year earlier,
with its target (a line for at-least / at-most, a direction for increase / decrease)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..i18n import fmt_value, gender_label, period_tick, status_label, t
from ..series import TOTAL
from ..theme import BLUE, GENDER_COLOURS, LIGHT_GREY, TARGET_COLOUR, Theme
from .common import (
    FigureText,
    apply_frame,
    empty_figure,
    esc,
    headroom,
    percent_axis,
    top_margin,
)


def indicators_figure(rows: pd.DataFrame, series: dict[str, pd.DataFrame], *,
                      text: FigureText, theme: Theme, columns: int = 2) -> go.Figure:
    """Small multiples, one per indicator: bars for the year before (grey) and the period
    (blue), values written on them, the target line or the wanted direction, and status.

    ``rows`` comes from :func:`series.indicator_rows`; ``series`` maps each indicator to
    :func:`indicator_series`.
    """
    lang = text.lang
    shown = [r for r in rows.to_dict("records") if not series.get(r["name"],
                                                                  pd.DataFrame()).empty]
    if not shown:
        return empty_figure(theme, text, t("no_data", lang))
    cols = min(columns, len(shown))
    n_rows = math.ceil(len(shown) / cols)
    titles = []
    for r in shown:
        has_target = isinstance(r["comparator"], str)
        direction = {"increase": " ↑", "decrease": " ↓"}.get(r["comparator"], "")
        goal = ""
        if r["comparator"] in (">=", "<="):
            goal = f" ({t('target', lang).lower()} {'≥' if r['comparator'] == '>=' else '≤'} " \
                   f"{fmt_value(r['target'], r['unit'], lang)})"
        titles.append(f"<b>{esc(r['label'])}</b>{direction}{goal}  "
                      f"{status_label(r['status'], lang, r['comparator'])}" if has_target
                      else f"<b>{esc(r['label'])}</b>")
    per_row = max(theme.height * 0.6, 240)
    gap = theme.font_size * 5.5  # room for the x labels and the next row's title
    plot_height = n_rows * per_row + (n_rows - 1) * gap
    fig = make_subplots(rows=n_rows, cols=cols, subplot_titles=titles,
                        vertical_spacing=gap / plot_height if n_rows > 1 else 0,
                        horizontal_spacing=0.1)
    top = top_margin(theme, legend=False, text=text) + theme.font_size * 2
    bottom = int(2 * theme.font_size * 1.35 + 14 + theme.footer_size * 3)
    height = int(plot_height + top + bottom)
    apply_frame(fig, theme, text, height=height, x_label_lines=2)
    fig.update_layout(margin=dict(t=top))
    gender_legend = False
    for i, r in enumerate(shown):
        row, col = i // cols + 1, i % cols + 1
        s = series[r["name"]]
        unit = r["unit"]
        percent = unit == "percent"
        if "group" in s and (s["group"] != TOTAL).any():
            values = _by_gender(fig, s, unit, lang, theme, row, col, first=not gender_legend)
            gender_legend = True
        else:
            labels = [period_tick(p, lang) for p in s["period"]]
            values = [v * 100 if percent else v for v in s["value"]]
            colours = [BLUE if c else LIGHT_GREY for c in s["current"]]
            fig.add_bar(x=labels, y=values, row=row, col=col, marker=dict(color=colours),
                        text=[fmt_value(v, unit, lang) for v in s["value"]],
                        textposition="auto", insidetextanchor="end", textangle=0,
                        textfont=dict(size=theme.label_size - 2), cliponaxis=False,
                        constraintext="none", showlegend=False)
        target = r["target"] if r["comparator"] in (">=", "<=") else None
        drawn_target = target * 100 if target is not None and percent else target
        top = headroom(max(values) if values else None, drawn_target, factor=1.3)
        axis = percent_axis(lang, 1 if top < 5 else 0) if percent else dict(tickformat=",")
        fig.update_yaxes(range=[0, top], row=row, col=col, **axis)
        fig.update_xaxes(type="category", tickfont=dict(size=theme.font_size - 2),
                         tickangle=0, row=row, col=col)
        if target is not None:
            # The target's value is in the small chart's title; the line shows where it is.
            fig.add_hline(y=drawn_target, row=row, col=col,
                          line=dict(color=TARGET_COLOUR, dash="dash", width=theme.line_width))
    for annotation in fig.layout.annotations[:len(shown)]:
        annotation.font = dict(size=theme.font_size)
    return fig


def _by_gender(fig: go.Figure, s: pd.DataFrame, unit: str, lang: str, theme: Theme, row: int,
               col: int, first: bool) -> list[float]:
    """An indicator reported for women and men: stacked bars per period (women, men, other),
    each part written inside, the total (the indicator's value) on top. The periods a year
    earlier are drawn paler. Returns the totals drawn (for the axis)."""
    percent = unit == "percent"
    periods = list(dict.fromkeys(s["period"]))
    labels = [period_tick(p, lang) for p in periods]
    current = {p: c for p, c in zip(s["period"], s["current"], strict=True)}
    totals = []
    for g in dict.fromkeys(s["group"]):
        part = {p: v for p, v, grp in zip(s["period"], s["value"], s["group"], strict=True)
                if grp == g}
        y = [part.get(p) for p in periods]
        drawn = [None if v is None else (v * 100 if percent else v) for v in y]
        fig.add_bar(x=labels, y=drawn, row=row, col=col, name=esc(gender_label(g, lang)),
                    legendgroup=f"gender-{g}", showlegend=first,
                    marker=dict(color=GENDER_COLOURS.get(g, LIGHT_GREY),
                                opacity=[1.0 if current[p] else 0.45 for p in periods],
                                line=dict(color="#FFFFFF", width=1)),
                    text=[fmt_value(v, unit, lang) if v is not None else "" for v in y],
                    textposition="inside", insidetextanchor="middle", textangle=0,
                    textfont=dict(size=theme.label_size - 3, color="#FFFFFF"),
                    constraintext="none")
    for p in periods:
        totals.append(sum(v for v, pp in zip(s["value"], s["period"], strict=True) if pp == p))
    drawn_totals = [v * 100 if percent else v for v in totals]
    fig.add_scatter(x=labels, y=drawn_totals, mode="text", row=row, col=col,
                    text=[f"<b>{fmt_value(v, unit, lang)}</b>" for v in totals],
                    textposition="top center", showlegend=False, cliponaxis=False,
                    textfont=dict(size=theme.label_size - 2, color=theme.text_colour))
    fig.update_layout(barmode="stack")
    return drawn_totals
