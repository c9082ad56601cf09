"""Outcomes: the share of completers in work or study against the target (with n), and the
split work / study / other and discontinued."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import fmt_auto, fmt_percent, status_label, t
from dashboard.domain.kpis import unknown_outcome
from dashboard.model.series import group_label
from dashboard.figures.theme import BLUE, OUTCOME_COLOURS, Theme, shrunk
from dashboard.figures.common import Canvas, FigureText, axis_number, empty_figure, esc, fit_ticks, glyph_px, label_width, legend_height, legend_rows, line_px, needs_shrinking, percent_axis, place_labels, target_label_top, target_shape, target_text, tick_labels
from dashboard.figures.common import pattern as hatch
from dashboard.figures.measure import text_width
from dashboard.figures.spec import Figure, grid, number

SPLIT = ("work", "study", "other", "unknown")


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA


def outcomes_figure(groups: pd.DataFrame, *, breakdown: str, target: float | None,
                    comparator: str | None, status: str | None, text: FigureText,
                    theme: Theme, previous: float | None = None,
                    previous_label: str | None = None,
                    earlier: list[float | None] | None = None) -> Figure:
    """Top: share in work or study per group, ``57 % (n = 14)``, target line.

    ``previous_label`` names what ``previous`` is (``Samma kvartal året innan``).
    ``earlier``: each group's share in the same period a year earlier (``None`` where
    there is none or it may not be shown), drawn behind the current share as a dark
    mark across the group's bar and written after its n (``Föregående år 61 %``).
    Bottom: completers split into work, study, other, and those who discontinued.

    ``groups`` comes from :func:`series.outcomes_by_group` (the total first). The target's
    label is over its line, the status on the line of the upper chart's title, and a
    share's words step aside (into the bar, or past the line) where the line would cross
    them.
    """
    lang = text.lang
    if groups.empty or groups["completed"].isna().all():
        return empty_figure(theme, text, t("no_data", lang))
    labels = [esc(group_label(breakdown, g, lang)) for g in groups["group"]]
    n_rows = len(labels)
    records = groups.to_dict("records")
    shares = [None if _missing(r.get("share")) else float(r["share"]) for r in records]
    hidden = list(groups["hidden"]) if "hidden" in groups.columns else [()] * n_rows
    small = list(groups["small"]) if "small" in groups.columns else [()] * n_rows
    share_text = []
    for share, rec, h, sm in zip(shares, records, hidden, small, strict=True):
        n = rec.get("completed")
        if "completed" in h:
            n_text = "n <5" if "completed" in sm else f"n {t('hidden', lang)}"
        else:
            n_text = f"n = {0 if _missing(n) else int(n)}"
        value = t("hidden", lang) if "share" in h else fmt_percent(share, 0, lang)
        share_text.append(f"<b>{value}</b>  ({n_text})")

    line_value, line_label = None, None
    if target is not None and comparator in (">=", "<="):
        line_value = target * 100
        line_label = target_text(target, "share", lang, comparator)
    elif previous is not None:
        line_value = previous * 100
        line_label = f"{previous_label or t('previous_year', lang)} " \
            f"{fmt_percent(previous, 0, lang)}"
    # The same period a year earlier per group; the total's is the line already when
    # the target is a direction.
    before = [None if _missing(v) else float(v) for v in (earlier or [])][:n_rows]
    before += [None] * (n_rows - len(before))
    if line_value is not None and previous is not None and line_label and \
            comparator in ("increase", "decrease"):
        before[0] = None
    word = previous_label or t("previous_year", lang)
    share_text = [f"{s}  ·  {word} {fmt_percent(b, 0, lang)}" if b is not None else s
                  for s, b in zip(share_text, before, strict=True)]
    names = [_split_name(c, lang) for c in SPLIT] + [t("discontinued", lang)]

    # Pixels: the upper chart's title line (with the status at its right) and the line
    # over the plot for the target's label; between the charts the upper chart's tick
    # labels, the lower chart's title and the legend of its parts.
    sub_font = theme.font_size + 1
    left = label_width(labels, theme.font_size) + 10
    title_px = line_px(sub_font) + 4
    target_px = line_px(theme.label_size) + 4 if line_value is not None else 0
    canvas = Canvas(theme, text, left=left, x_lines=1, above=title_px + target_px)
    rows_legend = legend_rows(names, theme.font_size, canvas.plot_width)
    ticks_px = line_px(theme.font_size) + 12
    gap_px = ticks_px + 10 + title_px + legend_height(rows_legend, theme.font_size)
    row1 = max(theme.label_size * 2.6, 38)
    row2 = max(1.45 * (line_px(theme.label_size - 2) + line_px(theme.label_size - 3)),
               theme.label_size * 3.2)
    wanted = n_rows * (row1 + row2) + gap_px
    plot_px = canvas.plot_height(wanted)
    factor = needs_shrinking(theme, wanted, plot_px)
    if factor:  # too much for the slide or image: smaller type, once more
        fig = outcomes_figure(groups, breakdown=breakdown, target=target,
                              comparator=comparator, status=status, text=text,
                              theme=shrunk(theme, factor), previous=previous,
                              previous_label=previous_label, earlier=earlier)
        fig.fit *= factor
        return fig
    if theme.fixed_height:
        scale = (plot_px - gap_px) / (n_rows * (row1 + row2))
        row1, row2 = row1 * scale, row2 * scale
    fig = Figure()
    cells = grid(fig, [n_rows * row1, n_rows * row2], gaps=[gap_px])
    upper, lower = cells[0][0], cells[1][0]
    width_px = canvas.plot_width

    # Upper chart: the share, its words clear of the target (or last year's) line.
    x_share = [(s or 0) * 100 for s in shares]
    label_px = [text_width(s, theme.label_size) for s in share_text]
    placed, end = place_labels(x_share, [line_value] if line_value is not None else [],
                               top=112, plot_px=width_px, label_px=label_px, pad_px=6,
                               own=[[b * 100] if b is not None else [] for b in before]
                               if any(b is not None for b in before) else None)
    positions = []
    for p in placed:
        positions.append({"above": "outside", "inside": "inside"}.get(p.where, "none"))
    fig.add(dict(type="bar", y=labels, x=[number(v) for v in x_share], orientation="h",
                 xaxis=upper.x, yaxis=upper.y, marker=dict(color=BLUE), text=share_text,
                 textposition=positions, insidetextanchor="end",
                 textfont=dict(size=theme.label_size,
                               color=["#FFFFFF" if p.where == "inside" else theme.text_colour
                                      for p in placed]),
                 cliponaxis=False, showlegend=False, constraintext="none", textangle=0))
    for label, words, p in zip(labels, share_text, placed, strict=True):
        if p.where == "lifted":
            fig.annotate(dict(name="value", text=words, xref=upper.x, x=p.at,
                              xanchor="left", xshift=theme.line_width / 2 + 6, yref=upper.y,
                              y=label, yanchor="middle", showarrow=False,
                              font=dict(size=theme.label_size)))
    if any(b is not None for b in before):
        _earlier_marks(fig, labels, before, word, row1, theme, upper)
    if line_value is not None:
        fig.shape(target_shape(line_value, theme, horizontal=False, x=upper.x, y=upper.y))
        fig.annotate(target_label_top(line_label, line_value, theme, x=upper.x, y=upper.y))
    # The upper chart's title, and its status at the right of the same line.
    shift = -(canvas.left - canvas.side)
    fig.annotate(dict(name="chart-title", text=esc(t("share_title", lang)), xref="paper",
                      x=0, xanchor="left", xshift=shift, yref="paper",
                      y=fig.layout[upper.yaxis]["domain"][1], yanchor="bottom",
                      yshift=target_px, showarrow=False, font=dict(size=sub_font)))
    if status:
        fig.annotate(dict(name="status",
                          text=f"<b>{status_label(status, lang, comparator)}</b>",
                          xref="paper", yref="paper", x=1, y=fig.layout[upper.yaxis]
                          ["domain"][1], xanchor="right", yanchor="bottom",
                          yshift=target_px, showarrow=False,
                          font=dict(size=theme.label_size)))
    share_end = max(112, end)
    axis = percent_axis(lang)
    fig.layout[upper.xaxis].update(
        range=[0, number(share_end)],
        **tick_labels(fit_ticks(0, 100, width_px * 100 / share_end,
                                lambda v: axis_number(v, lang, axis["ticksuffix"]),
                                theme.font_size, horizontal=True, most=5),
                      lang, axis["ticksuffix"]),
        **axis)
    fig.layout[upper.yaxis].update(autorange="reversed", type="category",
                                   categoryorder="array", categoryarray=labels)
    _split_chart(fig, groups, records, labels, hidden, small, theme, lang, lower,
                 width_px, n_rows * row2)
    # The lower chart's title over its legend.
    legend_px = legend_height(rows_legend, theme.font_size)
    top2 = fig.layout[lower.yaxis]["domain"][1]
    fig.annotate(dict(name="chart-title", text=esc(t("outcomes_split", lang)), xref="paper",
                      x=0, xanchor="left", xshift=shift, yref="paper", y=top2,
                      yanchor="bottom", yshift=legend_px, showarrow=False,
                      font=dict(size=sub_font)))
    fig.update_layout(barmode="overlay", showlegend=True,
                      legend=dict(y=top2, yanchor="bottom", x=0, xanchor="left"))
    canvas.apply(fig, plot_height=plot_px)
    fig.layout["legend"].update(y=top2, yanchor="bottom")
    return fig


def _earlier_marks(fig: Figure, labels: list[str], before: list[float | None], name: str,
                   row_px: float, theme: Theme, cell) -> None:
    """Each group's share a year earlier: a dark upright mark across its bar, on a white
    one so that it shows on the bar and on the background alike (named in its words)."""
    size = max(10.0, row_px * 0.55)
    thick = max(theme.line_width + 1, 4)
    x = [None if b is None else number(b * 100) for b in before]
    for colour, line in (("#FFFFFF", thick + 4), ("#333333", thick)):
        fig.add(dict(type="scatter", y=labels, x=x, mode="markers", name=esc(name),
                     xaxis=cell.x, yaxis=cell.y, showlegend=False, cliponaxis=False,
                     marker=dict(symbol="line-ns", size=size,
                                 line=dict(color=colour, width=line)), meta="earlier"))


def _split_chart(fig: Figure, groups: pd.DataFrame, records: list[dict], labels: list[str],
                 hidden, small, theme: Theme, lang: str, cell, width_px: float,
                 height_px: float) -> None:
    """The lower chart: per group, one bar of the completers split into work, study, other
    and "uppgift saknas" (the parts add up to n, written at its end), and under it a
    thinner bar of those who discontinued. A numeric axis places the two bars of a group."""
    ys = list(range(len(records)))
    for rec in records:
        if "unknown" not in rec:  # completers whose outcome is not reported
            rec["unknown"] = unknown_outcome(rec.get("completed"), *(
                None if _missing(rec.get(c)) else rec[c] for c in ("work", "study", "other")))

    def count(rec, col):
        v = rec.get(col)
        return 0 if _missing(v) else int(v)

    discontinued = [count(r, "discontinued") for r in records]
    d_text = [("<5" if "discontinued" in sm else t("hidden", lang)) if "discontinued" in h
              else (fmt_auto(v, lang, "") if v else "")
              for v, h, sm in zip(discontinued, hidden, small, strict=True)]
    ends_text = []
    totals = []
    for rec, h, sm in zip(records, hidden, small, strict=True):
        counts = [c for c in h if c not in ("share", "completed", "discontinued")]
        n = rec.get("completed")
        n_text = ("n <5" if "completed" in sm else f"n {t('hidden', lang)}") \
            if "completed" in h else f"n = {count(rec, 'completed')}"
        mark = ""
        if counts:
            words = ", ".join(_split_name(c, lang).lower() for c in counts)
            mark = f" · {'<5' if set(counts) <= set(sm) else t('hidden', lang)}: {words}"
        ends_text.append(f"  {n_text}{mark}" if not _missing(n) or counts else "")
        totals.append(sum(count(rec, c) for c in SPLIT))
    # The axis holds the longest bar with its "n = ..." (and the discontinued with theirs).
    size_end, size_d = theme.label_size - 2, theme.label_size - 3
    top = max([*totals, *discontinued, 1]) * 1.05
    for _ in range(4):
        k = top / width_px
        need = max([1, *(e + (text_width(s, size_end) + 8) * k
                         for e, s in zip(totals, ends_text, strict=True)),
                    *(d + (text_width(s, size_d) + 10) * k
                      for d, s in zip(discontinued, d_text, strict=True))])
        if need <= top:
            break
        top = need * 1.02
    k = top / width_px
    row_px = height_px / max(len(records), 1)
    starts = [0] * len(records)
    for col in SPLIT:
        # A hidden count is not drawn at all: its length would give it away.
        values = [count(r, col) for r in records]
        size = theme.label_size - 2
        texts = [fmt_auto(v, lang, "") if v else "" for v in values]
        fits = ["inside" if s and v / k >= text_width(s, size) + 6 and
                0.42 * row_px >= glyph_px(size) else "none"
                for v, s in zip(values, texts, strict=True)]
        fig.add(dict(type="bar", y=[y - 0.17 for y in ys], x=values, base=list(starts),
                     width=0.42, orientation="h", xaxis=cell.x, yaxis=cell.y,
                     name=_split_name(col, lang),
                     marker=dict(color=OUTCOME_COLOURS[col],
                                 pattern=hatch("." if col == "unknown" else "",
                                               "#555555"),
                                 line=dict(color="#FFFFFF", width=1)),
                     text=texts, textposition=fits, insidetextanchor="middle", textangle=0,
                     constraintext="none",
                     textfont=dict(size=size, color="#000000" if col in ("other", "study",
                                                                         "unknown")
                                   else "#FFFFFF")))
        starts = [a + b for a, b in zip(starts, values, strict=True)]
    # A hidden number of those who discontinued is said, not drawn.
    fig.add(dict(type="bar", y=[y + 0.2 for y in ys], x=discontinued, width=0.26,
                 orientation="h", xaxis=cell.x, yaxis=cell.y, name=t("discontinued", lang),
                 marker=dict(color=OUTCOME_COLOURS["discontinued"],
                             pattern=hatch("/")),
                 text=d_text, textposition="outside", textangle=0, constraintext="none",
                 textfont=dict(size=size_d), cliponaxis=False))
    fig.add(dict(type="scatter", y=[y - 0.17 for y in ys], x=starts, mode="text",
                 text=ends_text, textposition="middle right", showlegend=False,
                 xaxis=cell.x, yaxis=cell.y, textfont=dict(size=size_end),
                 cliponaxis=False))
    fig.layout[cell.yaxis].update(autorange=False, range=[len(ys) - 0.5, -0.6], tickvals=ys,
                                  ticktext=labels)
    fig.layout[cell.xaxis].update(
        tickformat=",d", range=[0, number(top)],
        **tick_labels(fit_ticks(0, top, width_px, lambda v: axis_number(v, lang),
                                theme.font_size, horizontal=True, most=6), lang))


def _split_name(col: str, lang: str) -> str:
    return t("unknown_outcome", lang) if col == "unknown" else t(col, lang)
