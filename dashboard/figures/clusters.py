"""The clusters side by side on one figure, sorted, with each one's status."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go

from ..i18n import fmt_number, fmt_percent, status_key, status_symbol, t
from ..theme import BLUE, Theme
from .common import (
    FigureText,
    add_target_line,
    empty_figure,
    esc,
    headroom,
    new_figure,
    percent_axis,
)


def cluster_figure(rows: pd.DataFrame, metric: str, *, text: FigureText, theme: Theme,
                   target: float | None = None,
                   flagged: set[str] = frozenset()) -> go.Figure:
    """Horizontal bars of one figure per cluster, best first.

    ``metric`` is ``occupancy`` or ``work_study_share`` (then ``n`` is written beside each
    bar and clusters with no completers come last, as "–"). ``flagged`` clusters (ids) have
    not reported every month: marked ``*``, the footer says which months.
    """
    lang = text.lang
    if rows.empty or rows[metric].isna().all():
        return empty_figure(theme, text, t("no_data", lang))
    share = metric == "work_study_share"
    status_col = "share_status" if share else "occupancy_status"
    ordered = rows.assign(_v=rows[metric].fillna(-1)).sort_values("_v", ascending=False)
    labels, values, texts = [], [], []
    for r in ordered.to_dict("records"):
        symbol = status_symbol(r[status_col]) if r[status_col] != "grey" else ""
        star = " *" if r["cluster_id"] in flagged else ""
        labels.append(f"{esc(r['name'])}{star} {symbol}".strip())
        v = r[metric]
        values.append(0 if v is None or pd.isna(v) else (v * 100 if share else v))
        if share:
            n = 0 if r["completed"] is None or pd.isna(r["completed"]) else int(r["completed"])
            texts.append(f"<b>{fmt_percent(v, 0, lang)}</b>  (n = {n})")
        else:
            texts.append(f"<b>{fmt_number(v, 1, lang)}</b>")
    # The symbols beside the names are explained under the chart.
    comparators = rows["share_comparator"].dropna() if share and "share_comparator" in rows \
        else pd.Series(dtype=object)
    key = status_key(rows[status_col], lang, comparators.iloc[0] if len(comparators) else None)
    if key:
        text = replace(text, footer=" · ".join(p for p in (text.footer, key) if p))
    bar_px = max(theme.label_size * 2.2, 32)
    height = int(theme.margin_top + theme.margin_bottom + len(labels) * bar_px + 80)
    fig = new_figure(theme, text, height=max(height, int(theme.height * 0.75)))
    fig.add_bar(y=labels, x=values, orientation="h", marker=dict(color=BLUE), text=texts,
                textposition="outside", textfont=dict(size=theme.label_size),
                cliponaxis=False, showlegend=False)
    if share:
        fig.update_xaxes(range=[0, 115], **percent_axis(lang))
    else:
        fig.update_xaxes(range=[0, headroom(max(values), target, factor=1.25)],
                         tickformat=",d")
    if target is not None:
        unit_text = fmt_percent(target, 0, lang) if share else fmt_number(target, 0, lang)
        add_target_line(fig, target * 100 if share else target,
                        f"{t('target', lang)} {unit_text}", theme, horizontal=False)
    fig.update_yaxes(autorange="reversed")
    return fig
