"""Occupancy per month against the target line, the period's mean, and the flow."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.i18n import fmt_auto, fmt_number, month_label, t
from dashboard.model.series import TOTAL, group_label
from dashboard.figures.theme import BLUE, GENDER_COLOURS, SEQUENCE, SKY, VERMILLION, Theme, ink
from dashboard.figures.common import Canvas, FigureText, axis_number, category_ticks, empty_figure, esc, fit_ticks, glyph_px, headroom, line_px, mean_trace, place_labels, target_label_right, target_shape, target_text, tick_labels
from dashboard.figures.common import pattern as hatch
from dashboard.figures.measure import text_width
from dashboard.figures.spec import Figure, number


def month_axis(months: list[str], lang: str, flagged: set[str] = frozenset()) -> list[str]:
    """Axis labels: ``jan``…; with the year when the months span years; ``*`` if flagged."""
    years = {m[:4] for m in months}
    labels = []
    for m in months:
        label = month_label(m, lang, year=len(years) > 1)
        labels.append(label + " *" if m in flagged else label)
    return labels


def short_month(label: str, first_of_year: bool) -> str:
    """``jan 2023 *`` -> ``jan *<br>2023`` for the first month of a year on the axis,
    ``jan *`` for the others (the year is said once, on a second line)."""
    words = label.split()
    year = next((w for w in words if w.isdigit() and len(w) == 4), None)
    if year is None:
        return label
    rest = " ".join(w for w in words if w != year)
    return f"{rest}<br>{year}" if first_of_year else rest


def group_colours(breakdown: str, groups: list[str]) -> dict[str, str]:
    if breakdown == "gender":
        return {g: GENDER_COLOURS.get(g, SEQUENCE[i % len(SEQUENCE)])
                for i, g in enumerate(groups)}
    return {g: (BLUE if g == TOTAL else SEQUENCE[i % len(SEQUENCE)])
            for i, g in enumerate(groups)}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def month_frame(theme: Theme, text: FigureText, labels: list[str], top: float, *,
                legend: list[str], right: float = 0, y_title: str | None = None,
                plot_height: float | None = None, y_format=None):
    """The plan of a chart of months: y ticks that fit, x labels that fit (thinned, the
    year once on a second line), the margins that hold them. Returns (canvas, x ticks)."""
    lang = text.lang
    fmt = y_format or (lambda v: axis_number(v, lang))
    left = text_width(fmt(top), theme.font_size) + 10
    if y_title:
        left += line_px(theme.font_size) + 4
    canvas = Canvas(theme, text, left=left, right=right, legend=legend, x_lines=1)
    values, texts, lines = category_ticks(labels, theme.font_size, canvas.plot_width,
                                          short_month)
    if lines > 1:
        canvas = Canvas(theme, text, left=left, right=right, legend=legend, x_lines=lines)
    return canvas, (values, texts)


def occupancy_figure(monthly: pd.DataFrame, *, months: list[str], breakdown: str,
                     target: float | None, mean: float | None, text: FigureText,
                     theme: Theme, flagged: set[str] = frozenset(),
                     totals: pd.Series | None = None,
                     earlier: list[float | None] | None = None,
                     earlier_label: str | None = None) -> Figure:
    """Stacked bars of participants per month, totals written on top, target and mean lines.

    ``monthly`` has ``month, group, participants`` (see :func:`series.occupancy_by_month`);
    ``months`` are the months of the axis (a month without data shows no bar); ``flagged``
    months are marked ``*`` (a cluster has not reported them).

    Exports pass a suppressed ``monthly`` (``hidden``/``small`` columns, see
    :mod:`dashboard.domain.privacy`) and the published month ``totals``: hidden groups of a month
    are drawn together as one hatched "dolt" segment (the total minus what is shown).

    ``earlier`` (by month of ``months``) is the same month a year earlier, drawn behind
    the current year as a grey mark across each month's bar and named in the legend with
    its mean (``earlier_label``: ``Föregående år``, ``Samma kvartal året innan``).

    The target's label sits in the right margin, the mean is named in the legend, and a
    month's total steps aside (into its bar, or over the line) where a line or the year
    before's mark would cross it.
    """
    lang = text.lang
    if monthly.empty:
        return empty_figure(theme, text, t("no_data", lang))
    labels = month_axis(months, lang, flagged)
    groups = list(dict.fromkeys(monthly["group"]))
    colours = group_colours(breakdown, groups)
    cells = {(m, g): (None if _missing(v) else v) for m, g, v in
             zip(monthly["month"], monthly["group"], monthly["participants"], strict=True)}
    hidden_flags = {(m, g): bool(h) for m, g, h in
                    zip(monthly["month"], monthly["group"], monthly["hidden"], strict=True)} \
        if "hidden" in monthly.columns else {}
    if totals is None:
        sums: dict[str, float] = {}
        for (m, _g), v in cells.items():
            if v is not None:
                sums[m] = sums.get(m, 0) + v
        total_y = [sums.get(m) for m in months]
    else:
        total_y = [None if _missing(totals.get(m)) else totals.get(m) for m in months]
    total_y = [number(v) for v in total_y]
    show_segments = len(groups) > 1
    any_hidden = any(hidden_flags.values())

    legend = [esc(group_label(breakdown, g, lang)) for g in groups] if show_segments else []
    if any_hidden:
        legend.append(t("hidden_legend", lang))
    mean_label = f"{t('mean', lang)} {fmt_number(mean, 1, lang)}" if mean is not None \
        else None
    if mean_label:
        legend.append(esc(mean_label))
    before = [number(v) if not _missing(v) else None for v in (earlier or [])]
    if not any(v is not None for v in before):
        before = []
    before_label = None
    if before:
        got = [v for v in before if v is not None]
        before_label = f"{earlier_label or t('previous_year', lang)}: " \
            f"{t('mean', lang).lower()} {fmt_number(sum(got) / len(got), 1, lang)}"
        legend.append(esc(before_label))
    target_label = target_text(target, "count", lang) if target is not None else None
    right = text_width(f"<b>{target_label}</b>", theme.label_size) + 10 if target_label else 0

    finite = [v for v in total_y if v is not None]
    top = headroom(max(finite, default=0), target, mean,
                   *[v for v in before if v is not None], factor=1.22)
    canvas, (tick_values, tick_texts) = month_frame(
        theme, text, labels, top * 1.3, legend=legend, right=right,
        y_title=t("participants", lang))
    plot_px = canvas.plot_height()
    slot = canvas.plot_width / max(len(months), 1)

    # The totals: as large as fits a month's slot, placed clear of the lines.
    size = theme.label_size
    widest = max((text_width(f"<b>{fmt_auto(v, lang, '')}</b>", size) for v in finite),
                 default=0)
    while widest > slot - 3 and size > max(11, theme.label_size * 0.65):
        size -= 1
        widest = max(text_width(f"<b>{fmt_auto(v, lang, '')}</b>", size) for v in finite)
    thin = 2 if widest > slot - 3 else 1  # even the smallest is too wide: every other one
    lines = [v for v in (target, mean) if v is not None]
    # Into the bar (white on its colour) only when the bar is wide enough for the number.
    placed, top = place_labels(total_y, lines, top=top, plot_px=plot_px,
                               label_px=line_px(size),
                               inside_ok=not show_segments and widest <= slot * 0.75 - 4,
                               own=[[v] if v is not None else [] for v in before]
                               if before else None)

    fig = Figure()
    k = top / plot_px
    bar_width = slot * 0.75
    for g in groups:
        y = [cells.get((m, g)) for m in months]
        # A segment's number where it fits inside it and no line crosses it.
        seg_text, seg_pos = [], []
        for i, (m, v) in enumerate(zip(months, y, strict=True)):
            label = fmt_auto(v, lang, "") if show_segments and v else ""
            fits = bool(label) and v / k >= glyph_px(theme.label_size - 2) and \
                text_width(label, theme.label_size - 2) + 4 <= bar_width
            mid = _segment_base(cells, groups, g, m) + (v or 0) / 2
            # A line, or the year before's mark (thicker: a few pixels more), over it.
            marks = [before[i]] if before and before[i] is not None else []
            crossed = any(abs(mid - ln) / k < line_px(theme.label_size - 2) / 2 + 3
                          for ln in lines) or \
                any(abs(mid - ln) / k < line_px(theme.label_size - 2) / 2 + 7 for ln in marks)
            seg_text.append(label)
            seg_pos.append("inside" if fits and not crossed else "none")
        fig.add(dict(
            type="bar", x=labels, y=[number(v) for v in y],
            name=esc(group_label(breakdown, g, lang)),
            marker=dict(color=colours[g], line=dict(color="#FFFFFF", width=1)),
            text=seg_text, textposition=seg_pos, insidetextanchor="middle", textangle=0,
            constraintext="inside",
            textfont=dict(size=theme.label_size - 2, color=ink(colours[g])),
            showlegend=show_segments))
    if any_hidden:
        _hidden_segments(fig, monthly, months, labels, total_y, theme, lang, k, bar_width,
                         lines, cells, groups, hidden_flags, before)

    colour = theme.text_colour
    texts, ys, positions, colours_ = [], [], [], []
    for i, (v, p) in enumerate(zip(total_y, placed, strict=True)):
        if v is None or p is None or (thin > 1 and i % thin):
            texts.append("")
            ys.append(v)
            positions.append("top center")
            colours_.append(colour)
            continue
        texts.append(f"<b>{fmt_auto(v, lang, '')}</b>")
        ys.append(number(p.at))
        positions.append("bottom center" if p.where == "inside" else "top center")
        colours_.append("#FFFFFF" if p.where == "inside" else colour)
    fig.add(dict(type="scatter", x=labels, y=ys, mode="text", showlegend=False,
                 text=texts, textposition=positions,
                 textfont=dict(size=size, color=colours_), cliponaxis=False))
    if before:
        _earlier_marks(fig, labels, before, before_label, bar_width, theme)
    if mean is not None:
        fig.add(mean_trace(mean, mean_label, theme, labels))
    y_ticks = fit_ticks(0, top, plot_px, lambda v: axis_number(v, lang), theme.font_size,
                        horizontal=False)
    fig.update_layout(
        barmode="stack", showlegend=True,
        yaxis=dict(range=[0, number(top)], title=dict(text=t("participants", lang),
                                                        standoff=6,
                                                        font=dict(size=theme.font_size)),
                   tickformat=",d", **tick_labels(y_ticks, lang)),
        xaxis=dict(categoryorder="array", categoryarray=labels, type="category",
                   tickvals=tick_values, ticktext=tick_texts, tickangle=0))
    if target is not None:
        fig.shape(target_shape(target, theme))
        fig.annotate(target_label_right(target_label, target, theme))
    canvas.apply(fig)
    return fig


EARLIER_COLOUR = "#333333"


def _earlier_marks(fig: Figure, labels: list[str], before: list[float | None], name: str,
                   bar_width: float, theme: Theme) -> None:
    """The same month a year earlier: a dark mark across each month's bar, on a white
    one so that it shows on the bar's colour and on the background alike."""
    # As wide as half a bar at the chart's narrowest (a card at 1024 px is narrower than
    # the width the chart is planned for), so that it stays on its own bar.
    width = max(8.0, bar_width * 0.6)
    thick = max(theme.line_width + 1, 4)
    for colour, line, legend in (("#FFFFFF", thick + 4, False), (EARLIER_COLOUR, thick, True)):
        fig.add(dict(type="scatter", x=labels, y=before, mode="markers", name=esc(name),
                     marker=dict(symbol="line-ew", size=width,
                                 line=dict(color=colour, width=line)),
                     showlegend=legend, cliponaxis=False, meta="earlier"))


def _segment_base(cells, groups, group, month) -> float:
    """Where a group's segment starts in a month's stack (the groups drawn before it)."""
    base = 0.0
    for g in groups:
        if g == group:
            return base
        v = cells.get((month, g))
        base += v or 0
    return base


def flow_figure(flow: pd.DataFrame, *, months: list[str], text: FigureText,
                theme: Theme, flagged: set[str] = frozenset()) -> Figure:
    """Started and exited per month, side by side, with the numbers written on the bars;
    ``flagged`` months are marked ``*`` (a cluster has not reported them).

    Where a month's slot is too narrow for two numbers side by side (a long period on a
    small screen), the period's sums are written in the legend instead."""
    lang = text.lang
    if flow.empty or flow[["started", "exited"]].isna().all().all():
        return empty_figure(theme, text, t("no_data", lang))
    labels = month_axis(months, lang, flagged)
    data = {m: (s, e) for m, s, e in zip(flow["month"], flow["started"], flow["exited"],
                                        strict=True)}
    series = {}
    for n, col in enumerate(("started", "exited")):
        series[col] = [None if m not in data or _missing(data[m][n]) else number(data[m][n])
                       for m in months]
    finite = [v for col in series.values() for v in col if v is not None]
    top = headroom(max(finite, default=0), factor=1.25, minimum=5)
    names = [t("started", lang), t("exited", lang)]
    canvas, _ = month_frame(theme, text, labels, top * 1.3, legend=names)
    slot = canvas.plot_width / max(len(months), 1)
    size = theme.label_size - 1
    widest = max((text_width(fmt_auto(v, lang, ""), size) for v in finite), default=0)
    while widest > slot * 0.375 - 2 and size > max(11, theme.label_size * 0.65):
        size -= 1
        widest = max(text_width(fmt_auto(v, lang, ""), size) for v in finite)
    written = widest <= slot * 0.375 - 2
    if not written:
        sums = {col: sum(v for v in series[col] if v is not None) for col in series}
        names = [f"{t('started', lang)} ({t('total', lang).lower()} "
                 f"{fmt_auto(sums['started'], lang)})",
                 f"{t('exited', lang)} ({t('total', lang).lower()} "
                 f"{fmt_auto(sums['exited'], lang)})"]
    height = int(theme.height * 0.8)
    canvas, (tick_values, tick_texts) = month_frame(theme, text, labels, top * 1.3,
                                                    legend=names)
    plot_px = canvas.plot_height(height - canvas.top - canvas.bottom)
    # The axis holds the numbers over the bars.
    top = max(top, max(finite, default=0) + (line_px(size) + 6) * top / plot_px)
    fig = Figure()
    for (col, colour), name in zip((("started", SKY), ("exited", VERMILLION)), names,
                                   strict=True):
        y = series[col]
        fig.add(dict(type="bar", x=labels, y=y, name=name, marker=dict(color=colour),
                     text=[fmt_auto(v, lang, "") for v in y],
                     textposition="outside" if written else "none",
                     textfont=dict(size=size), cliponaxis=False, constraintext="none",
                     textangle=0))
    y_ticks = fit_ticks(0, top, plot_px, lambda v: axis_number(v, lang), theme.font_size,
                        horizontal=False)
    fig.update_layout(
        barmode="group", bargap=0.25,
        yaxis=dict(range=[0, number(top)], tickformat=",d", **tick_labels(y_ticks, lang)),
        xaxis=dict(type="category", categoryorder="array", categoryarray=labels,
                   tickvals=tick_values, ticktext=tick_texts, tickangle=0))
    canvas.apply(fig, plot_height=plot_px, showlegend=True)
    return fig


def _hidden_segments(fig, monthly, months, labels, total_y, theme, lang, k, bar_width,
                     lines, cells, groups, hidden_flags, before=None) -> None:
    """One hatched segment per month for its hidden groups: the total minus what is shown."""
    small = set()
    if "small" in monthly.columns:
        small = {(m, g) for m, g, f in zip(monthly["month"], monthly["group"],
                                           monthly["small"], strict=True) if f}
    y, text, pos = [], [], []
    for i, (m, total) in enumerate(zip(months, total_y, strict=True)):
        mark = [before[i]] if before and before[i] is not None else []
        hidden_groups = [g for g in groups if hidden_flags.get((m, g))]
        if not hidden_groups:
            y.append(None)
            text.append("")
            pos.append("none")
            continue
        shown = sum(cells.get((m, g)) or 0 for g in groups if not hidden_flags.get((m, g)))
        v = float(total or 0) - float(shown)
        y.append(number(v))
        label = "<5" if all((m, g) in small for g in hidden_groups) else t("hidden", lang)
        text.append(label)
        fits = v / k >= glyph_px(theme.label_size - 2) and \
            text_width(esc(label), theme.label_size - 2) + 4 <= bar_width
        mid = shown + v / 2
        crossed = any(abs(mid - ln) / k < line_px(theme.label_size - 2) / 2 + 3
                      for ln in lines) or \
            any(abs(mid - ln) / k < line_px(theme.label_size - 2) / 2 + 7 for ln in mark)
        pos.append("inside" if fits and not crossed else "none")
    fig.add(dict(type="bar", x=labels, y=y, name=t("hidden_legend", lang), text=text,
                 textposition=pos, insidetextanchor="middle", textangle=0,
                 constraintext="inside",
                 textfont=dict(size=theme.label_size - 2, color="#000000"),
                 marker=dict(color="#DDDDDD", pattern=hatch("x", "#777777"),
                             line=dict(color="#FFFFFF", width=1))))
