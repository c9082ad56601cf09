"""Occupancy per month against the target line, the period's mean, and the flow."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..i18n import fmt_auto, fmt_number, month_label, t
from ..series import TOTAL, group_label
from ..theme import BLUE, GENDER_COLOURS, SEQUENCE, SKY, VERMILLION, Theme
from .common import (
    FigureText,
    add_mean_line,
    add_target_line,
    empty_figure,
    esc,
    headroom,
    new_figure,
    target_text,
)


def month_axis(months: list[str], lang: str, flagged: set[str] = frozenset()) -> list[str]:
    """Axis labels: ``jan``…; with the year when the months span years; ``*`` if flagged."""
    years = {m[:4] for m in months}
    labels = []
    for m in months:
        label = month_label(m, lang, year=len(years) > 1)
        labels.append(label + " *" if m in flagged else label)
    return labels


def group_colours(breakdown: str, groups: list[str]) -> dict[str, str]:
    if breakdown == "gender":
        return {g: GENDER_COLOURS.get(g, SEQUENCE[i % len(SEQUENCE)])
                for i, g in enumerate(groups)}
    return {g: (BLUE if g == TOTAL else SEQUENCE[i % len(SEQUENCE)])
            for i, g in enumerate(groups)}


def occupancy_figure(monthly: pd.DataFrame, *, months: list[str], breakdown: str,
                     target: float | None, mean: float | None, text: FigureText,
                     theme: Theme, flagged: set[str] = frozenset(),
                     totals: pd.Series | None = None) -> go.Figure:
    """Stacked bars of participants per month, totals written on top, target and mean lines.

    ``monthly`` has ``month, group, participants`` (see :func:`series.occupancy_by_month`);
    ``months`` are the months of the axis (a month without data shows no bar); ``flagged``
    months are marked ``*`` (a cluster has not reported them).

    Exports pass a suppressed ``monthly`` (``hidden``/``small`` columns, see
    :mod:`dashboard.privacy`) and the published month ``totals``: hidden groups of a month
    are drawn together as one hatched "dolt" segment (the total minus what is shown).
    """
    lang = text.lang
    if monthly.empty:
        return empty_figure(theme, text, t("no_data", lang))
    fig = new_figure(theme, text)
    labels = month_axis(months, lang, flagged)
    by_label = dict(zip(months, labels, strict=True))
    groups = list(dict.fromkeys(monthly["group"]))
    colours = group_colours(breakdown, groups)
    if totals is None:
        totals = monthly.groupby("month")["participants"].sum()
    show_segments = len(groups) > 1
    small = set()
    if "small" in monthly.columns:
        small = {(m, g) for m, g, f in zip(monthly["month"], monthly["group"], monthly["small"],
                                           strict=True) if f}
    for g in groups:
        part = monthly[monthly["group"] == g].set_index("month")["participants"]
        y = [part.get(m) for m in months]
        y = [None if v is None or pd.isna(v) else v for v in y]
        fig.add_bar(
            x=labels, y=y, name=esc(group_label(breakdown, g, lang)),
            marker=dict(color=colours[g], line=dict(color="#FFFFFF", width=1)),
            text=[fmt_auto(v, lang, "") if show_segments and v else "" for v in y],
            textposition="inside", insidetextanchor="middle", textangle=0,
            constraintext="none",
            textfont=dict(size=theme.label_size - 2, color="#FFFFFF"),
            showlegend=show_segments,
        )
    if "hidden" in monthly.columns and monthly["hidden"].any():
        _hidden_segments(fig, monthly, months, labels, totals, small, theme, lang)
    total_y = [totals.get(m) for m in months]
    fig.add_scatter(x=labels, y=total_y, mode="text", showlegend=False,
                    text=[f"<b>{fmt_auto(v, lang, '')}</b>" if v is not None else ""
                          for v in total_y],
                    textposition="top center",
                    textfont=dict(size=theme.label_size, color=theme.text_colour),
                    cliponaxis=False)
    top = headroom(totals.max(), target, mean, factor=1.22)
    fig.update_layout(barmode="stack", showlegend=True,
                      margin=dict(r=theme.margin_side + theme.label_size * 5))
    fig.update_yaxes(range=[0, top], title=dict(text=t("participants", lang)),
                     tickformat=",d")
    fig.update_xaxes(categoryorder="array", categoryarray=list(by_label.values()),
                     type="category")
    if target is not None:
        add_target_line(fig, target, target_text(target, "count", lang), theme)
    if mean is not None:
        add_mean_line(fig, mean, f"{t('mean', lang)} {fmt_number(mean, 1, lang)}", theme,
                      labels)
    return fig


def flow_figure(flow: pd.DataFrame, *, months: list[str], text: FigureText,
                theme: Theme, flagged: set[str] = frozenset()) -> go.Figure:
    """Started and exited per month, side by side, with the numbers written on the bars;
    ``flagged`` months are marked ``*`` (a cluster has not reported them)."""
    lang = text.lang
    if flow.empty or flow[["started", "exited"]].isna().all().all():
        return empty_figure(theme, text, t("no_data", lang))
    fig = new_figure(theme, text, height=int(theme.height * 0.8))
    labels = month_axis(months, lang, flagged)
    data = flow.set_index("month")
    for col, colour in (("started", SKY), ("exited", VERMILLION)):
        y = [data[col].get(m) if m in data.index else None for m in months]
        fig.add_bar(x=labels, y=y, name=t(col, lang), marker=dict(color=colour),
                    text=[fmt_auto(v, lang, "") for v in y], textposition="outside",
                    textfont=dict(size=theme.label_size - 1), cliponaxis=False)
    top = headroom(data["started"].max(), data["exited"].max(), factor=1.25, minimum=5)
    fig.update_layout(barmode="group")
    fig.update_yaxes(range=[0, top], tickformat=",d")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    return fig


def _hidden_segments(fig, monthly, months, labels, totals, small, theme, lang) -> None:
    """One hatched segment per month for its hidden groups: the total minus what is shown."""
    shown = monthly[~monthly["hidden"]].groupby("month")["participants"].sum()
    hidden_months = set(monthly.loc[monthly["hidden"], "month"])
    y, text = [], []
    for m in months:
        if m not in hidden_months:
            y.append(None)
            text.append("")
            continue
        y.append(float(totals.get(m, 0)) - float(shown.get(m, 0)))
        groups = monthly[(monthly["month"] == m) & monthly["hidden"]]["group"]
        text.append("<5" if all((m, g) in small for g in groups) else t("hidden", lang))
    fig.add_bar(x=labels, y=y, name=t("hidden_legend", lang), text=text,
                textposition="inside", insidetextanchor="middle", textangle=0,
                constraintext="none", textfont=dict(size=theme.label_size - 2, color="#000000"),
                marker=dict(color="#DDDDDD", pattern=dict(shape="x", fgcolor="#777777"),
                            line=dict(color="#FFFFFF", width=1)))
