"""Cost sharing: per party what it should pay (its share) against what it paid, per cost
category (each category has its own split) and in total."""

from __future__ import annotations

import pandas as pd

from dashboard.i18n import fmt_sek, t
from dashboard.figures.theme import BLUE, SKY, Theme, shrunk
from dashboard.figures.common import Canvas, FigureText, axis_number, empty_figure, esc, fit_ticks, label_width, line_px, needs_shrinking, tick_labels
from dashboard.figures.common import pattern as hatch
from dashboard.figures.measure import lines as text_lines
from dashboard.figures.measure import wrap_words
from dashboard.figures.spec import Figure, grid, number


def costs_figure(by_party: pd.DataFrame, names: dict[str, str], *, text: FigureText,
                 theme: Theme, sections: list[str] | None = None) -> Figure:
    """Grouped bars per party: due (its share of each category's total) and paid, in kronor,
    with the balance written beside each party; one small chart per cost category when
    there are several, and the total last.

    ``by_party`` comes from :func:`series.costs_by_party` (party, category, paid, due).
    ``sections`` draws only some of the small charts (category names, ``"total"`` for the
    total), for slides that share them out. One scale for all; tick labels under the last.
    """
    lang = text.lang
    if by_party.empty:
        return empty_figure(theme, text, t("no_data", lang))
    categories = list(dict.fromkeys(by_party["category"]))
    parts: list[tuple[str, str, dict]] = []  # (key, title, {party: (paid, due)})
    if len(categories) > 1:
        for category in categories:
            rows = by_party[by_party["category"] == category]
            # A party with no share and nothing paid in a category has nothing to show there.
            sums: dict[str, list[float]] = {}
            for p, paid, due in zip(rows["party_id"], rows["paid"], rows["due"], strict=True):
                if abs(paid) > 0.5 or abs(due) > 0.5:
                    s = sums.setdefault(p, [0.0, 0.0])
                    s[0] += float(paid)
                    s[1] += float(due)
            parts.append((category, category.capitalize(), sums))
    total: dict[str, list[float]] = {}
    for p, paid, due in zip(by_party["party_id"], by_party["paid"], by_party["due"],
                            strict=True):
        s = total.setdefault(p, [0.0, 0.0])
        s[0] += float(paid)
        s[1] += float(due)
    parts.append(("total", t("total", lang) if len(categories) > 1 else "", total))
    # One scale for every category (the total's and the categories' bars side by side).
    low = min(0.0, *(min(v) for _, _, s in parts for v in s.values()))
    high = max(1.0, *(max(v) for _, _, s in parts for v in s.values()))
    if sections is not None:
        parts = [p for p in parts if p[0] in sections] or parts[-1:]
    titled = any(title for _, title, _ in parts)
    if parts[0][2] == {} and len(parts) == 1:
        return empty_figure(theme, text, t("no_data", lang))

    width = theme.width or theme.min_width
    size = theme.label_size - 1
    labels_of = [[_label(names.get(p, p), s[0] - s[1], theme, lang, width * 0.36)
                  for p, s in sums.items()] for _, _, sums in parts]
    left = label_width([lab for labels in labels_of for lab in labels], theme.font_size) + 12
    canvas = Canvas(theme, text, left=left, legend=[t("due", lang), t("paid", lang)],
                    above=line_px(theme.font_size) + 4 if titled else 0)
    title_px = line_px(theme.font_size) + 10 if titled else 0
    # Every party's row as tall as the tallest name, and each bar tall enough for its
    # number; one height for the rows of every section.
    bars_px = 2 * (line_px(size) + 3) / 0.78
    row = max(bars_px, max(len(text_lines(lab)) for labels in labels_of for lab in labels
                           or ["x"]) * line_px(theme.font_size) + 10)
    rows = [max(len(labels), 1) * row for labels in labels_of]
    gaps = [title_px + 6] * (len(parts) - 1)
    plot_px = canvas.plot_height(sum(rows) + sum(gaps))
    factor = needs_shrinking(theme, sum(rows) + sum(gaps), plot_px)
    if factor:  # too much for the slide or image: smaller type, once more
        fig = costs_figure(by_party, names, text=text, theme=shrunk(theme, factor),
                           sections=sections)
        fig.fit *= factor
        return fig
    if theme.fixed_height:
        scale = (plot_px - sum(gaps)) / sum(rows)
        rows = [r * scale for r in rows]
    fig = Figure()
    cells = grid(fig, rows, gaps=gaps)
    width_px = canvas.plot_width
    every = [fmt_sek(v, lang) for _, _, s in parts for pd_ in s.values() for v in pd_]
    label_px = label_width(every, size) + 12
    # The range holds every bar and its number written past its end (left of 0 for income).
    lo, hi = low, high
    for _ in range(5):
        k = (hi - lo) / width_px
        new_lo = min(0.0, low - label_px * k) if low < 0 else 0.0
        new_hi = high + label_px * k
        if new_lo >= lo - 1e-9 and new_hi <= hi + 1e-9:
            break
        lo, hi = min(lo, new_lo), max(hi, new_hi)
    suffix = "\u00a0kr" if lang == "sv" else ""
    tick_values = fit_ticks(lo, hi, width_px, lambda v: axis_number(v, lang, suffix),
                            theme.font_size, horizontal=True, most=5)
    shift = -(canvas.left - canvas.side)
    for n, ((_key, title, sums), labels, (cell,)) in enumerate(
            zip(parts, labels_of, cells, strict=True)):
        if titled:
            fig.annotate(dict(name="chart-title", text=f"<b>{esc(title)}</b>", xref="paper",
                              x=0, xanchor="left", xshift=shift, yref="paper",
                              y=fig.layout[cell.yaxis]["domain"][1], yanchor="bottom",
                              yshift=2, showarrow=False, font=dict(size=theme.font_size)))
        parties = list(sums)
        for col, i, colour, pattern in (("due", 1, SKY, "/"), ("paid", 0, BLUE, "")):
            values = [sums[p][i] for p in parties]
            fig.add(dict(type="bar", y=labels, x=[number(v) for v in values],
                         orientation="h", name=t(col, lang), xaxis=cell.x, yaxis=cell.y,
                         legendgroup=col, showlegend=n == 0,
                         marker=dict(color=colour, pattern=hatch(pattern)),
                         text=[fmt_sek(v, lang) for v in values], textposition="outside",
                         textangle=0, constraintext="none",
                         textfont=dict(size=size), cliponaxis=False))
        last = n == len(parts) - 1
        fig.layout[cell.xaxis].update(
            range=[number(lo), number(hi)], tickformat=",d",
            ticksuffix=suffix, **tick_labels(tick_values, lang, suffix),
            showticklabels=last, zeroline=True, zerolinecolor="#888888")
        fig.layout[cell.yaxis].update(autorange="reversed", type="category",
                                      categoryorder="array", categoryarray=labels)
    fig.update_layout(barmode="group", bargap=0.22)
    canvas.apply(fig, plot_height=plot_px, showlegend=True)
    return fig


def _label(name: str, balance: float, theme: Theme, lang: str, widest: float) -> str:
    sign = "+" if balance > 0.5 else ""
    head = "<br>".join(esc(line) for line in wrap_words(str(name), theme.font_size, widest))
    return (f"{head}<br><span style='font-size:{theme.label_size - 2}px'>"
            f"{t('balance', lang)} {sign}{fmt_sek(balance, lang)}</span>")


def cost_sections(by_party: pd.DataFrame) -> list[str]:
    """The small charts :func:`costs_figure` draws, in order: each category (when there
    are several) and ``"total"``."""
    categories = list(dict.fromkeys(by_party["category"])) if not by_party.empty else []
    return (categories if len(categories) > 1 else []) + ["total"]

