"""Cost sharing: per party what it should pay (its share) against what it paid, per cost
category (each category has its own split) and in total."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..i18n import fmt_sek, t
from ..theme import BLUE, SKY, Theme
from .common import FigureText, apply_frame, empty_figure, esc, top_margin


def costs_figure(by_party: pd.DataFrame, names: dict[str, str], *, text: FigureText,
                 theme: Theme) -> go.Figure:
    """Grouped bars per party: due (its share of each category's total) and paid, in kronor,
    with the balance written beside each party; one small chart per cost category when
    there are several, and the total last.

    ``by_party`` comes from :func:`series.costs_by_party` (party, category, paid, due).
    """
    lang = text.lang
    if by_party.empty:
        return empty_figure(theme, text, t("no_data", lang))
    categories = list(dict.fromkeys(by_party["category"]))
    sections: list[tuple[str, pd.DataFrame]] = []
    if len(categories) > 1:
        for category in categories:
            rows = by_party[by_party["category"] == category]
            # A party with no share and nothing paid in a category has nothing to show there.
            rows = rows[(rows["paid"].abs() > 0.5) | (rows["due"].abs() > 0.5)]
            sections.append((category.capitalize(), rows.groupby("party_id", sort=False)
                             [["paid", "due"]].sum()))
    total = by_party.groupby("party_id", sort=False)[["paid", "due"]].sum()
    sections.append((t("total", lang) if len(categories) > 1 else "", total))
    bar_px = max(theme.label_size * 2.4, 34)
    heights = [max(len(frame), 1) for _, frame in sections]
    gap_px = theme.font_size * 4.2
    plot_px = sum(heights) * 2 * bar_px + (len(sections) - 1) * gap_px
    top_px = top_margin(theme, text=text) + (theme.font_size * 1.6 if len(sections) > 1 else 0)
    fig = make_subplots(rows=len(sections), cols=1, row_heights=heights,
                        vertical_spacing=gap_px / plot_px if len(sections) > 1 else 0,
                        subplot_titles=[f"<b>{esc(title)}</b>" for title, _ in sections]
                        if len(sections) > 1 else None)
    apply_frame(fig, theme, text, height=int(max(plot_px + top_px + theme.margin_bottom + 40,
                                                 theme.height * 0.8)))
    fig.update_layout(margin=dict(t=int(top_px)))
    low = min(0.0, float(min(frame[["paid", "due"]].min().min() for _, frame in sections)))
    high = max(1.0, float(max(frame[["paid", "due"]].max().max() for _, frame in sections)))
    span = high - low
    for row, (_title, frame) in enumerate(sections, start=1):
        parties = list(frame.index)
        labels = [_label(names.get(p, p), frame.loc[p, "paid"] - frame.loc[p, "due"], theme,
                         lang) for p in parties]
        for col, colour, pattern in (("due", SKY, "/"), ("paid", BLUE, "")):
            values = [float(frame.loc[p, col]) for p in parties]
            fig.add_bar(y=labels, x=values, orientation="h", name=t(col, lang), row=row, col=1,
                        legendgroup=col, showlegend=row == 1,
                        marker=dict(color=colour, pattern=dict(shape=pattern,
                                                               fgcolor="#FFFFFF")),
                        text=[fmt_sek(v, lang) for v in values], textposition="outside",
                        textfont=dict(size=theme.label_size - 1), cliponaxis=False)
        fig.update_xaxes(range=[low - (0.05 * span if low < 0 else 0), high + 0.45 * span],
                         tickformat=",d", ticksuffix="\u00a0kr" if lang == "sv" else "",
                         row=row, col=1)
        fig.update_yaxes(autorange="reversed", row=row, col=1)
    fig.update_layout(barmode="group", bargap=0.22)
    for annotation in fig.layout.annotations[:len(sections) if len(sections) > 1 else 0]:
        annotation.font = dict(size=theme.font_size)
        annotation.x = 0
        annotation.xanchor = "left"
    return fig


def _label(name: str, balance: float, theme: Theme, lang: str) -> str:
    sign = "+" if balance > 0.5 else ""
    return (f"{esc(name)}<br><span style='font-size:{theme.label_size - 2}px'>"
            f"{t('balance', lang)} {sign}{fmt_sek(balance, lang)}</span>")
