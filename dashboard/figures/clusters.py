"""The clusters side by side on one figure, sorted, with each one's status."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard.i18n import fmt_number, fmt_percent, status_key, status_symbol, t
from dashboard.figures.theme import BLUE, Theme
from dashboard.figures.common import Canvas, FigureText, axis_number, empty_figure, esc, fit_ticks, headroom, label_width, line_px, percent_axis, place_labels, target_label_top, target_shape, tick_labels
from dashboard.figures.measure import text_width
from dashboard.figures.spec import Figure, number


def cluster_figure(rows: pd.DataFrame, metric: str, *, text: FigureText, theme: Theme,
                   target: float | None = None,
                   flagged: set[str] = frozenset()) -> Figure:
    """Horizontal bars of one figure per cluster, best first.

    ``metric`` is ``occupancy`` or ``work_study_share`` (then ``n`` is written beside each
    bar and clusters with no completers come last, as "–"). ``flagged`` clusters (ids) have
    not reported every month: marked ``*``, the footer says which months. A bar's words
    step aside (into the bar, or past the line) where the target line would cross them.
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
        missing = v is None or pd.isna(v)
        values.append(0 if missing else (v * 100 if share else v))
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
    line = None if target is None else (target * 100 if share else target)
    label = None
    if line is not None:
        unit_text = fmt_percent(target, 0, lang) if share else fmt_number(target, 0, lang)
        label = f"{t('target', lang)} {unit_text}"
    left = label_width(labels, theme.font_size) + 12
    canvas = Canvas(theme, text, left=left,
                    above=line_px(theme.label_size) + 4 if line is not None else 0)
    bar = max(theme.label_size * 2.2, 32)
    plot_px = canvas.plot_height(max(len(labels) * bar,
                                     theme.height * 0.75 - canvas.top - canvas.bottom))
    width_px = canvas.plot_width
    top = 115.0 if share else headroom(max(values), line, factor=1.15)
    label_px = [text_width(s, theme.label_size) for s in texts]
    placed, top = place_labels(values, [line] if line is not None else [], top=top,
                               plot_px=width_px, label_px=label_px, pad_px=6)
    positions = [{"above": "outside", "inside": "inside"}.get(p.where, "none") for p in placed]
    fig = Figure()
    fig.add(dict(type="bar", y=labels, x=[number(v) for v in values], orientation="h",
                 marker=dict(color=BLUE), text=texts, textposition=positions,
                 insidetextanchor="end", textangle=0, constraintext="none",
                 textfont=dict(size=theme.label_size, color=[
                     "#FFFFFF" if p.where == "inside" else theme.text_colour
                     for p in placed]),
                 cliponaxis=False, showlegend=False))
    for y, words, p in zip(labels, texts, placed, strict=True):
        if p.where == "lifted":
            fig.annotate(dict(name="value", text=words, xref="x", x=p.at, xanchor="left",
                              xshift=theme.line_width / 2 + 6, yref="y", y=y,
                              yanchor="middle", showarrow=False,
                              font=dict(size=theme.label_size)))
    if share:
        axis = percent_axis(lang)
        xaxis = dict(range=[0, number(top)], **axis, **tick_labels(
            fit_ticks(0, 100, width_px * 100 / top,
                      lambda v: axis_number(v, lang, axis["ticksuffix"]), theme.font_size,
                      horizontal=True, most=5), lang, axis["ticksuffix"]))
    else:
        xaxis = dict(range=[0, number(top)], tickformat=",d", **tick_labels(
            fit_ticks(0, top, width_px, lambda v: axis_number(v, lang), theme.font_size,
                      horizontal=True, most=6), lang))
    fig.update_layout(xaxis=xaxis, yaxis=dict(autorange="reversed", type="category",
                                              categoryorder="array", categoryarray=labels),
                      bargap=0.3)
    if line is not None:
        fig.shape(target_shape(line, theme, horizontal=False))
        fig.annotate(target_label_top(label, line, theme))
    canvas.apply(fig, plot_height=plot_px, showlegend=False)
    return fig
