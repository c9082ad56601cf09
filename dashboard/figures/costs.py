"""Cost sharing: per party what it should pay (its share) against what it paid."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..i18n import fmt_sek, t
from ..theme import BLUE, SKY, Theme
from .common import FigureText, empty_figure, esc, new_figure


def costs_figure(by_party: pd.DataFrame, names: dict[str, str], *, text: FigureText,
                 theme: Theme) -> go.Figure:
    """Grouped bars per party: due (its share of each category's total) and paid, in kronor,
    with the balance written beside each party.

    ``by_party`` comes from :func:`series.costs_by_party` (party, category, paid, due).
    """
    lang = text.lang
    if by_party.empty:
        return empty_figure(theme, text, t("no_data", lang))
    sums = by_party.groupby("party_id", sort=False)[["paid", "due"]].sum()
    parties = list(sums.index)
    labels = []
    for p in parties:
        balance = sums.loc[p, "paid"] - sums.loc[p, "due"]
        sign = "+" if balance > 0.5 else ""
        labels.append(f"{esc(names.get(p, p))}<br><span style='font-size:{theme.label_size - 2}px'>"
                      f"{t('balance', lang)} {sign}{fmt_sek(balance, lang)}</span>")
    bar_px = max(theme.label_size * 2.4, 34)
    height = int(theme.margin_top + theme.margin_bottom + len(parties) * 2 * bar_px + 110)
    fig = new_figure(theme, text, height=max(height, int(theme.height * 0.8)))
    for col, colour, pattern in (("due", SKY, "/"), ("paid", BLUE, "")):
        values = [float(sums.loc[p, col]) for p in parties]
        fig.add_bar(y=labels, x=values, orientation="h", name=t(col, lang),
                    marker=dict(color=colour, pattern=dict(shape=pattern, fgcolor="#FFFFFF")),
                    text=[fmt_sek(v, lang) for v in values], textposition="outside",
                    textfont=dict(size=theme.label_size - 1), cliponaxis=False)
    low = min(0.0, float(sums.min().min()))
    high = max(1.0, float(sums.max().max()))
    span = high - low
    fig.update_layout(barmode="group", bargap=0.22)
    fig.update_xaxes(range=[low - (0.05 * span if low < 0 else 0), high + 0.45 * span],
                     tickformat=",d", ticksuffix="\u00a0kr" if lang == "sv" else "")
    fig.update_yaxes(autorange="reversed")
    return fig
