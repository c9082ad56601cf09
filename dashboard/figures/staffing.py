"""Staffing: committed against actual FTE per party, and all parties against the minimum."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dashboard.figures.common import (
    Canvas,
    FigureText,
    axis_number,
    empty_figure,
    esc,
    fit_ticks,
    headroom,
    label_width,
    line_px,
    needs_shrinking,
    tick_labels,
)
from dashboard.figures.common import pattern as hatch
from dashboard.figures.measure import lines as text_lines
from dashboard.figures.measure import text_width, wrap_words
from dashboard.figures.spec import Figure, grid, number
from dashboard.figures.theme import BLUE, SKY, TARGET_COLOUR, Theme, shrunk
from dashboard.i18n import _, fmt_fte, month_label, status_key, status_symbol


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v) or v is pd.NA


def staffing_figure(parties: pd.DataFrame, *, text: FigureText, theme: Theme) -> Figure:
    """Per party (top) and for all parties (bottom): committed and actual FTE, with targets.

    ``parties`` comes from :func:`series.staffing_by_party`: one row per party, a row with
    ``party_id`` ``None`` for all parties together, and one for each role with a target
    (``role``; all parties), drawn under all parties with its target. A bar's number sits
    inside its end, or just past it where the target's mark would cross it.
    """
    lang = text.lang
    records = parties.to_dict("records")
    if not records or all(_missing(r["actual"]) for r in records):
        return empty_figure(theme, text, _("ui.no_data", lang))
    # Under the chart: what "åa" and the symbols beside the parties mean.
    with_target = [r["status"] for r in records if isinstance(r.get("comparator"), str)]
    key = status_key(with_target, lang) if with_target else ""
    given = text  # drawn again smaller below: from the text as given, the key added once
    text = replace(text, footer=" · ".join(p for p in (text.footer, _("ui.fte_key", lang), key)
                                           if p))
    per_party = [r for r in records if not _missing(r["party_id"])]
    total = [r for r in records if _missing(r["party_id"])]
    frames = [f for f in (per_party, total) if f]
    width = theme.width or theme.min_width
    names_of = [[_name(r, lang, theme, width * 0.42) for r in f] for f in frames]
    all_names = [n for names in names_of for n in names]
    left = label_width(all_names, theme.font_size) + 12
    legend = [_("ui.committed", lang), _("ui.actual", lang)]
    if any(not _missing(r["target"]) for r in records):
        legend.append(_("ui.target", lang))
    canvas = Canvas(theme, text, left=left, legend=legend)
    size = theme.smaller(1)
    # A party's row holds its two bars (each tall enough for its number) and its (two or
    # three line) name; every row of a chart is as tall as its tallest.
    bars_px = 2 * (line_px(size) + 3) / 0.8
    rows = [len(names) * max(bars_px, max(len(text_lines(n)) for n in names) *
                             line_px(theme.font_size) + 10)
            for names in names_of]
    ticks_px = line_px(theme.font_size) + 22
    wanted = sum(rows) + ticks_px * (len(frames) - 1)
    plot_px = canvas.plot_height(wanted)
    factor = needs_shrinking(theme, wanted, plot_px)
    if factor:  # too much for the slide or image: smaller type, once more
        fig = staffing_figure(parties, text=given, theme=shrunk(theme, factor))
        fig.fit *= factor
        return fig
    scale = (plot_px - ticks_px * (len(frames) - 1)) / sum(rows) if theme.fixed_height \
        else 1.0
    rows = [r * scale for r in rows]
    fig = Figure()
    cells = grid(fig, rows, gaps=[ticks_px] * (len(frames) - 1))
    width_px = canvas.plot_width
    for (frame, names), (cell,), row_px in zip(zip(frames, names_of, strict=True), cells,
                                               rows, strict=True):
        bar_row = row_px / max(len(names), 1)  # a party's two bars
        targets = [None if _missing(r["target"]) else float(r["target"]) for r in frame]
        committed = [None if _missing(r["committed"]) else float(r["committed"]) for r in frame]
        actual = [None if _missing(r["actual"]) else float(r["actual"]) for r in frame]
        top = headroom(max([v for v in committed + actual if v is not None], default=0),
                       max([v for v in targets if v is not None], default=0), factor=1.15)
        texts = {col: [f"{fmt_fte(v, lang)} {_('ui.fte_short', lang)}" for v in values]
                 for col, values in (("committed", committed), ("actual", actual))}
        # Room past the bars for a number pushed out by a target mark.
        for __ in range(4):
            k = top / width_px
            need = max(max([v or 0 for v in committed + actual]) +
                       (label_width(texts["committed"] + texts["actual"], size) + 14) * k,
                       top)
            if need <= top:
                break
            top = need
        k = top / width_px
        beyond: dict[str, list[str]] = {}
        for col, colour, pattern, values in (("committed", SKY, "/", committed),
                                             ("actual", BLUE, "", actual)):
            positions = []
            for v, words, target in zip(values, texts[col], targets, strict=True):
                w = (text_width(words, size) + 10) * k
                inside_crossed = target is not None and v is not None and \
                    v - w - 3 * k <= target <= v + 3 * k
                fits = v is not None and v - w > 0
                outside_crossed = target is not None and v is not None and \
                    v - 3 * k <= target <= v + w + 3 * k
                if fits and not inside_crossed:
                    positions.append("inside")
                elif not outside_crossed:
                    positions.append("outside")
                else:
                    positions.append("none")  # written past the target's mark, below
            beyond[col] = positions
            fig.add(dict(type="bar", y=names, x=[number(v) for v in values], orientation="h",
                         xaxis=cell.x, yaxis=cell.y, name=_(f"ui.{col}", lang), legendgroup=col,
                         showlegend=cell.row == 1,
                         marker=dict(color=colour, pattern=hatch(pattern)),
                         text=texts[col], textposition=positions, insidetextanchor="end",
                         textangle=0, constraintext="none",
                         textfont=dict(size=size, color=[
                             ("#000000" if col == "committed" else "#FFFFFF")
                             if p == "inside" else theme.text_colour for p in positions]),
                         cliponaxis=False))
        # A number whose bar ends at its target: written just past the target's mark,
        # level with its bar (a group's two bars sit a quarter of a row from its middle).
        for n_, target in enumerate(targets):
            for col, values, offset in (("committed", committed, -0.2),
                                        ("actual", actual, 0.2)):
                if beyond[col][n_] == "none" and values[n_] is not None:
                    fig.annotate(dict(name="value", text=texts[col][n_], xref=cell.x,
                                      x=max(values[n_], target), xanchor="left",
                                      xshift=theme.line_width + 6, yref=cell.y,
                                      y=n_ + offset, yanchor="middle", showarrow=False,
                                      font=dict(size=size)))
        marked = [(n, v) for n, v in zip(names, targets, strict=True) if v is not None]
        if marked:
            fig.add(dict(type="scatter", y=[n for n, __ in marked], x=[v for __, v in marked],
                         xaxis=cell.x, yaxis=cell.y, mode="markers",
                         showlegend=cell.row == 1, name=_("ui.target", lang),
                         legendgroup="target", meta="target",
                         # As tall as the party's two bars, and no taller.
                         marker=dict(symbol="line-ns", size=max(bar_row * 0.8, 10),
                                     line=dict(width=theme.line_width + 1,
                                               color=TARGET_COLOUR)),
                         cliponaxis=False))
        fig.layout[cell.xaxis].update(
            range=[0, number(top)], tickformat=",.1f",
            **tick_labels(fit_ticks(0, top, width_px, lambda v: axis_number(v, lang, ",0"),
                                    theme.font_size, horizontal=True, most=6),
                          lang, decimals=1))
        # A fixed range: the target marks are as tall as a row and must not pad it.
        fig.layout[cell.yaxis].update(range=[len(names) - 0.5, -0.5], type="category",
                                      categoryorder="array", categoryarray=names)
    fig.update_layout(barmode="group", bargap=0.2, bargroupgap=0.0)
    canvas.apply(fig, plot_height=plot_px, showlegend=True)
    return fig


def _name(rec: dict, lang: str, theme: Theme, widest: float) -> str:
    """``Kriminalvården ▲<br>mål 2,0 · lägst 1,5 (mar)``: the party, its status symbol, its
    target and its lowest month (``fte_actual_min``, with its own status when targeted).
    A long name breaks into lines no wider than ``widest`` pixels."""
    party, role = rec["party_id"], rec.get("role")
    if isinstance(party, str):
        name = rec["party"]
    elif isinstance(role, str) and role:  # a role with a target of its own, all parties
        name = _("ui.role_all_parties", lang, role=role[:1].upper() + role[1:])
    else:
        name = _("ui.all_parties", lang)
    words = []
    symbol = ""
    if isinstance(rec.get("comparator"), str):
        symbol = f" {status_symbol(rec['status'])}"
        target = rec.get("target")
        if not _missing(target):
            words.append(f"{_('ui.target', lang).lower()} {fmt_fte(target, lang)}")
    low = rec.get("lowest")
    if not _missing(low) and rec.get("lowest_month"):
        month = month_label(rec["lowest_month"], lang, year=False)
        low_words = f"{_('ui.lowest', lang)} {fmt_fte(low, lang)} ({month})"
        if isinstance(rec.get("lowest_comparator"), str):
            low_words += f" {status_symbol(rec['lowest_status'])}"
        words.append(low_words)
    head = "<br>".join(esc(line) for line in wrap_words(str(name) + symbol,
                                                         theme.font_size, widest))
    if not words:
        return head
    return (f"{head}<br>"
            f"<span style='font-size:{theme.smaller(3)}px'>{' · '.join(words)}</span>")
