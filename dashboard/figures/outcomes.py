"""Outcomes: the share of completers in work or study against the target (with n), and the
split work / study / other and discontinued."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..i18n import fmt_auto, fmt_percent, status_label, t
from ..kpis import unknown_outcome
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
    _split_chart(fig, groups, labels, hidden, small, theme, lang)
    for annotation in fig.layout.annotations[:2]:
        annotation.font = dict(size=theme.font_size + 1)
        annotation.x = 0
        annotation.xanchor = "left"
    return fig


SPLIT = ("work", "study", "other", "unknown")


def _split_chart(fig: go.Figure, groups: pd.DataFrame, labels: list[str], hidden, small,
                 theme: Theme, lang: str) -> None:
    """The lower chart: per group, one bar of the completers split into work, study, other
    and "uppgift saknas" (the parts add up to n, written at its end), and under it a
    thinner bar of those who discontinued. A numeric axis places the two bars of a group."""
    ys = list(range(len(groups)))
    records = groups.to_dict("records")
    for rec in records:
        if "unknown" not in rec:  # completers whose outcome is not reported
            rec["unknown"] = unknown_outcome(rec.get("completed"), *(
                None if rec.get(c) is None or pd.isna(rec.get(c)) else rec[c]
                for c in ("work", "study", "other")))

    def count(rec, col):
        v = rec.get(col)
        return 0 if v is None or pd.isna(v) else int(v)

    starts = [0] * len(records)
    for col in SPLIT:
        # A hidden count is not drawn at all: its length would give it away.
        values = [count(r, col) for r in records]
        fig.add_bar(y=[y - 0.17 for y in ys], x=values, base=list(starts), width=0.42,
                    orientation="h", row=2, col=1, name=_split_name(col, lang),
                    marker=dict(color=OUTCOME_COLOURS[col],
                                pattern=dict(shape="." if col == "unknown" else "",
                                             fgcolor="#555555"),
                                line=dict(color="#FFFFFF", width=1)),
                    text=[fmt_auto(v, lang, "") if v else "" for v in values],
                    textposition="inside", insidetextanchor="middle", textangle=0,
                    constraintext="none",
                    textfont=dict(size=theme.label_size - 2,
                                  color="#000000" if col in ("other", "study", "unknown")
                                  else "#FFFFFF"))
        starts = [a + b for a, b in zip(starts, values, strict=True)]
    discontinued = [count(r, "discontinued") for r in records]
    # A hidden number of those who discontinued is said, not drawn.
    d_text = [("<5" if "discontinued" in sm else t("hidden", lang)) if "discontinued" in h
              else (fmt_auto(v, lang, "") if v else "")
              for v, h, sm in zip(discontinued, hidden, small, strict=True)]
    fig.add_bar(y=[y + 0.2 for y in ys], x=discontinued, width=0.26, orientation="h",
                row=2, col=1, name=t("discontinued", lang),
                marker=dict(color=OUTCOME_COLOURS["discontinued"],
                            pattern=dict(shape="/", fgcolor="#FFFFFF")),
                text=d_text,
                textposition="outside", textangle=0, constraintext="none",
                textfont=dict(size=theme.label_size - 3), cliponaxis=False)
    ends = []
    for rec, h, sm, end in zip(records, hidden, small, starts, strict=True):
        counts = [c for c in h if c not in ("share", "completed", "discontinued")]
        n = rec.get("completed")
        n_text = ("n <5" if "completed" in sm else f"n {t('hidden', lang)}") \
            if "completed" in h else f"n = {count(rec, 'completed')}"
        mark = ""
        if counts:
            words = ", ".join(_split_name(c, lang).lower() for c in counts)
            mark = f" · {'<5' if set(counts) <= set(sm) else t('hidden', lang)}: {words}"
        ends.append((end, f"  {n_text}{mark}" if n is not None or counts else ""))
    fig.add_scatter(y=[y - 0.17 for y in ys], x=[e for e, _ in ends], mode="text",
                    text=[txt for _, txt in ends], textposition="middle right",
                    showlegend=False, row=2, col=1,
                    textfont=dict(size=theme.label_size - 2), cliponaxis=False)
    top = max([*starts, *discontinued, 1])
    # The legend sits on the line of the lower chart's title, at the right.
    row2_top = fig.layout.yaxis2.domain[1]
    fig.update_layout(barmode="overlay", showlegend=True,
                      legend=dict(y=row2_top + 0.01, yanchor="bottom", x=1, xanchor="right",
                                  orientation="h", traceorder="normal"))
    fig.update_yaxes(autorange=False, range=[len(ys) - 0.5, -0.6], tickvals=ys,
                     ticktext=labels, row=2, col=1)
    fig.update_xaxes(tickformat=",d", range=[0, top * 1.35], row=2, col=1)


def _split_name(col: str, lang: str) -> str:
    return t("unknown_outcome", lang) if col == "unknown" else t(col, lang)
