"""Outcomes: the share of completers in work or study against the target (with n), and the
split work / study / other and discontinued."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..i18n import fmt_auto, fmt_percent, status_label, t
from ..series import group_label
from ..theme import BLUE, OUTCOME_COLOURS, Theme
from .common import (
    FigureText,
    add_target_line,
    apply_frame,
    empty_figure,
    esc,
    percent_axis,
    target_text,
    top_margin,
)


def outcomes_figure(groups: pd.DataFrame, *, breakdown: str, target: float | None,
                    comparator: str | None, status: str | None, text: FigureText,
                    theme: Theme, previous: float | None = None,
                    previous_label: str | None = None) -> go.Figure:
    """Top: share in work or study per group, ``57 % (n = 14)``, target line.
    Bottom: completers split into work, study, other, and those who discontinued.

    ``previous_label`` names what ``previous`` is (``Samma kvartal året innan``).

    ``groups`` comes from :func:`series.outcomes_by_group` (the total first).
    """
    lang = text.lang
    if groups.empty or groups["completed"].isna().all():
        return empty_figure(theme, text, t("no_data", lang))
    labels = [esc(group_label(breakdown, g, lang)) for g in groups["group"]]
    n_rows = len(labels)
    # Heights in pixels: each chart holds its bars; between them room for the upper
    # chart's axis labels and the lower chart's title and legend.
    bar_px = max(theme.label_size * 2.6, 38)
    chart_px = n_rows * bar_px + theme.font_size
    gap_px = theme.font_size * 5.5
    plot_px = 2 * chart_px + gap_px
    top_px = top_margin(theme, legend=False, text=text) + theme.font_size * 2
    fig = make_subplots(rows=2, cols=1, vertical_spacing=gap_px / plot_px,
                        subplot_titles=[esc(t("share_title", lang)),
                                        esc(t("outcomes_split", lang))])
    apply_frame(fig, theme, text, height=int(plot_px + top_px + theme.margin_bottom))
    fig.update_layout(margin=dict(t=top_px))
    shares = [None if s is None or pd.isna(s) else s for s in groups["share"]]
    hidden = list(groups["hidden"]) if "hidden" in groups.columns else [()] * len(groups)
    small = list(groups["small"]) if "small" in groups.columns else [()] * len(groups)
    share_text = []
    for share, n, h, sm in zip(shares, groups["completed"], hidden, small, strict=True):
        if "completed" in h:
            n_text = "n <5" if "completed" in sm else f"n {t('hidden', lang)}"
        else:
            n_text = f"n = {0 if n is None or pd.isna(n) else int(n)}"
        value = t("hidden", lang) if "share" in h else fmt_percent(share, 0, lang)
        share_text.append(f"<b>{value}</b>  ({n_text})")
    fig.add_bar(y=labels, x=[(s or 0) * 100 for s in shares], orientation="h", row=1, col=1,
                marker=dict(color=BLUE), text=share_text, textposition="outside",
                textfont=dict(size=theme.label_size), cliponaxis=False, showlegend=False,
                constraintext="none")
    if target is not None and comparator in (">=", "<="):
        add_target_line(fig, target * 100, target_text(target, "share", lang, comparator),
                        theme, horizontal=False, row=1, col=1)
    elif previous is not None:
        label = f"{previous_label or t('previous_year', lang)} {fmt_percent(previous, 0, lang)}"
        add_target_line(fig, previous * 100, label, theme, horizontal=False, row=1, col=1)
    if status:
        fig.add_annotation(text=f"<b>{status_label(status, lang, comparator)}</b>",
                           xref="x domain",
                           yref="y domain", x=1, y=1.0, xanchor="right", yanchor="bottom",
                           showarrow=False, font=dict(size=theme.label_size),
                           row=1, col=1)
    fig.update_xaxes(range=[0, 112], row=1, col=1, **percent_axis(lang))
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    for col in ("work", "study", "other", "discontinued"):
        # A hidden count is not drawn at all: its length would give it away.
        values = [0 if v is None or pd.isna(v) else int(v) for v in groups[col]]
        fig.add_bar(y=labels, x=values, orientation="h", row=2, col=1, name=t(col, lang),
                    marker=dict(color=OUTCOME_COLOURS[col],
                                pattern=dict(shape="/" if col == "discontinued" else "")),
                    text=[fmt_auto(v, lang, "") if v else "" for v in values],
                    textposition="inside", insidetextanchor="middle", textangle=0,
                    textfont=dict(size=theme.label_size - 2,
                                  color="#000000" if col in ("other", "study") else "#FFFFFF"))
    marks = []
    for h, sm in zip(hidden, small, strict=True):
        counts = [c for c in h if c not in ("share", "completed")]
        if not counts:
            marks.append("")
            continue
        words = ", ".join(t(c, lang).lower() for c in counts)
        marks.append(f"{'<5' if set(counts) <= set(sm) else t('hidden', lang)}: {words}")
    if any(marks):
        ends = [sum(0 if v is None or pd.isna(v) else v
                    for v in (r["work"], r["study"], r["other"], r["discontinued"]))
                for r in groups.to_dict("records")]
        fig.add_scatter(y=labels, x=ends, mode="text", text=[f"  {m}" for m in marks],
                        textposition="middle right", showlegend=False, row=2, col=1,
                        textfont=dict(size=theme.label_size - 2), cliponaxis=False)
    # The legend sits on the line of the lower chart's title, at the right.
    row2_top = fig.layout.yaxis2.domain[1]
    fig.update_layout(barmode="stack", showlegend=True,
                      legend=dict(y=row2_top + 0.01, yanchor="bottom", x=1, xanchor="right",
                                  orientation="h"))
    fig.update_yaxes(autorange="reversed", row=2, col=1)
    fig.update_xaxes(tickformat=",d", row=2, col=1)
    for annotation in fig.layout.annotations[:2]:
        annotation.font = dict(size=theme.font_size + 1)
        annotation.x = 0
        annotation.xanchor = "left"
    return fig
