"""Staffing: committed against actual FTE per party, and all parties against the minimum."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..i18n import fmt_fte, month_label, status_key, status_symbol, t
from ..theme import BLUE, SKY, TARGET_COLOUR, Theme
from .common import FigureText, apply_frame, empty_figure, esc, headroom


def staffing_figure(parties: pd.DataFrame, *, text: FigureText, theme: Theme) -> go.Figure:
    """Per party (top) and for all parties (bottom): committed and actual FTE, with targets.

    ``parties`` comes from :func:`series.staffing_by_party`: one row per party and a last
    row with ``party_id`` ``None`` for all parties together.
    """
    lang = text.lang
    if parties.empty or parties["actual"].isna().all():
        return empty_figure(theme, text, t("no_data", lang))
    per_party = parties[parties["party_id"].notna()]
    total = parties[parties["party_id"].isna()]
    n = len(per_party)
    bar_px = max(theme.label_size * 2.6, 36)
    height = int(theme.margin_top + theme.margin_bottom + (n + 1) * 2 * bar_px + 120)
    fig = make_subplots(rows=2, cols=1, row_heights=[max(n, 1), 1], vertical_spacing=0.12)
    # Under the chart: what the symbols beside the parties mean.
    with_target = parties[parties["comparator"].apply(lambda c: isinstance(c, str))] \
        if "comparator" in parties else parties.iloc[0:0]
    key = status_key(with_target["status"], lang) if len(with_target) else ""
    text = replace(text, footer=" · ".join(p for p in (text.footer, key) if p))
    apply_frame(fig, theme, text, height=max(height, int(theme.height * 0.9)))
    for row, frame in ((1, per_party), (2, total)):
        if frame.empty:
            continue
        names = [_name(r, lang) for r in frame.to_dict("records")]
        for col, colour, pattern in (("committed", SKY, "/"), ("actual", BLUE, "")):
            values = list(frame[col])
            fig.add_bar(y=names, x=values, orientation="h", row=row, col=1,
                        name=t(col, lang), legendgroup=col, showlegend=row == 1,
                        marker=dict(color=colour, pattern=dict(shape=pattern,
                                                               fgcolor="#FFFFFF")),
                        text=[f"{fmt_fte(v, lang)} {t('fte_short', lang)}" for v in values],
                        textposition="inside", insidetextanchor="end", textangle=0,
                        constraintext="none",
                        textfont=dict(size=theme.label_size - 1,
                                      color="#000000" if col == "committed" else "#FFFFFF"),
                        cliponaxis=False)
        targets = [(n_, v) for n_, v in zip(names, frame["target"], strict=True)
                   if v is not None and not pd.isna(v)]
        if targets:
            fig.add_scatter(y=[n_ for n_, _ in targets], x=[v for _, v in targets], row=row,
                            col=1, mode="markers", showlegend=row == 1,
                            name=t("target", lang), legendgroup="target",
                            marker=dict(symbol="line-ns", size=bar_px * 1.3,
                                        line=dict(width=theme.line_width + 1,
                                                  color=TARGET_COLOUR)),
                            cliponaxis=False)
        top = headroom(frame["committed"].max(), frame["actual"].max(),
                       frame["target"].max() if frame["target"].notna().any() else None,
                       factor=1.3)
        fig.update_xaxes(range=[0, top], row=row, col=1, tickformat=",.1f")
        fig.update_yaxes(autorange="reversed", row=row, col=1)
    fig.update_layout(barmode="group", bargap=0.2,
                      # "åa" on the bars, explained before the legend's entries.
                      legend_title=dict(text=f"{t('fte_key', lang)}:  ",
                                        font=dict(size=theme.font_size)))
    return fig


def _name(rec: dict, lang: str) -> str:
    """``Kriminalvården ▲<br>mål 2,0 · lägst 1,5 (mar)``: the party, its status symbol, its
    target and its lowest month (``fte_actual_min``, with its own status when targeted)."""
    party = rec["party_id"]
    name = rec["party"] if isinstance(party, str) else t("all_parties", lang)
    words = []
    symbol = ""
    if isinstance(rec.get("comparator"), str):
        symbol = f" {status_symbol(rec['status'])}"
        target = rec.get("target")
        if target is not None and not pd.isna(target):
            words.append(f"{t('target', lang).lower()} {fmt_fte(target, lang)}")
    low = rec.get("lowest")
    if low is not None and not pd.isna(low) and rec.get("lowest_month"):
        month = month_label(rec["lowest_month"], lang, year=False)
        low_words = f"{t('lowest', lang)} {fmt_fte(low, lang)} ({month})"
        if isinstance(rec.get("lowest_comparator"), str):
            low_words += f" {status_symbol(rec['lowest_status'])}"
        words.append(low_words)
    if not words:
        return esc(name) + symbol
    return (f"{esc(name)}{symbol}<br>"
            f"<span style='font-size:0.85em'>{' · '.join(words)}</span>")
