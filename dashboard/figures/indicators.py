"""Indicators: each one's values in the period and the same period a year earlier,
with its target (a line for at-least / at-most, a direction for increase / decrease)."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.i18n import fmt_value, gender_label, period_tick, status_label, t
from dashboard.model.series import TOTAL
from dashboard.figures.theme import BLUE, GENDER_COLOURS, LIGHT_GREY, TARGET_COLOUR, Theme
from dashboard.figures.common import Canvas, FigureText, axis_number, category_ticks, empty_figure, esc, fit_ticks, glyph_px, headroom, label_size_for, line_px, percent_axis, place_labels, tick_labels
from dashboard.figures.measure import text_width, wrap_words
from dashboard.figures.spec import Figure, grid, number


def short_tick(label: str, first_of_year: bool) -> str:
    """``kv. 2<br>2023`` -> ``kv. 2`` unless it is the first of its year on the axis."""
    head, _, year = label.partition("<br>")
    return label if first_of_year or not year else head


def indicators_figure(rows: pd.DataFrame, series: dict[str, pd.DataFrame], *,
                      text: FigureText, theme: Theme, columns: int = 2) -> Figure:
    """Small multiples, one per indicator: bars for the year before (grey) and the period
    (blue), values written on them, the target line or the wanted direction, and status.

    ``rows`` comes from :func:`series.indicator_rows`; ``series`` maps each indicator to
    :func:`indicator_series`. Two columns only when each small chart's bars have room for
    their numbers side by side; the target's value is in the small chart's title.
    """
    lang = text.lang
    shown = [r for r in rows.to_dict("records") if not series.get(r["name"],
                                                                  pd.DataFrame()).empty]
    if not shown:
        return empty_figure(theme, text, t("no_data", lang))
    width = theme.width or theme.min_width
    size = theme.label_size - 2
    tick_size = theme.font_size - 2
    # Two columns when the widest chart's bars (and tick labels) fit side by side there.
    cols = min(columns, len(shown))
    if cols > 1:
        half = (width - 2 * theme.margin_side) * 0.45 - 70
        for r in shown:
            s = series[r["name"]]
            periods = list(dict.fromkeys(s["period"]))
            need = max(text_width(fmt_value(v, r["unit"], lang), size) + 8 for v in s["value"])
            ticks = [short_tick(period_tick(p, lang), i == 0) for i, p in enumerate(periods)]
            need = max(need, max(text_width(x, tick_size) for x in ticks) + 8)
            if need * len(periods) > half:
                cols = 1
                break
    n_rows = math.ceil(len(shown) / cols)
    cell_width = (width - 2 * theme.margin_side) / cols
    titles = []
    for r in shown:
        has_target = isinstance(r["comparator"], str)
        direction = {"increase": " ↑", "decrease": " ↓"}.get(r["comparator"], "")
        goal = ""
        if r["comparator"] in (">=", "<="):
            goal = f" ({t('target', lang).lower()} {'≥' if r['comparator'] == '>=' else '≤'} " \
                   f"{fmt_value(r['target'], r['unit'], lang)})"
        titles.append(f"<b>{esc(r['label'])}</b>{direction}{goal}  "
                      f"{status_label(r['status'], lang, r['comparator'])}" if has_target
                      else f"<b>{esc(r['label'])}</b>")
    # A small chart's title may take two lines where the column is narrow.
    title_lines = [_fit_title(s, theme.font_size, cell_width - 10) for s in titles]
    lines_per_row = [max(len(title_lines[i].split("<br>"))
                         for i in range(r * cols, min((r + 1) * cols, len(shown))))
                     for r in range(n_rows)]
    gender = any("group" in series[r["name"]] and (series[r["name"]]["group"] != TOTAL).any()
                 for r in shown)
    legend = [esc(gender_label(g, lang)) for g in ("K", "M")] if gender else []
    y_label_px = text_width("100\u00a0%", theme.font_size) + 10
    canvas = Canvas(theme, text, left=y_label_px, legend=legend, x_lines=2,
                    above=(lines_per_row[0] + 0.5) * line_px(theme.font_size) + 8)
    ticks_px = 2 * line_px(tick_size) + 12
    gaps = [ticks_px + (lines_per_row[r + 1] + 0.5) * line_px(theme.font_size) + 14
            for r in range(n_rows - 1)]
    per_row = max(theme.height * 0.55, 220) if not theme.fixed_height else None
    plot_px = canvas.plot_height(n_rows * per_row + sum(gaps) if per_row else None)
    row_px = (plot_px - sum(gaps)) / n_rows
    fig = Figure()
    # Too many small charts for a slide or an image leave each too low to read: say so
    # (a slide then takes fewer of them).
    fig.fit = min(1.0, row_px / (4.5 * line_px(theme.label_size)))
    col_gap = 0.1 if cols > 1 else 0.0
    cells = grid(fig, [row_px] * n_rows, cols, gaps=gaps, col_gap=col_gap)
    chart_width = canvas.plot_width * (1 - col_gap * (cols - 1)) / cols
    # The titles first (in the order of the charts), so that they can be found as such.
    for i, title in enumerate(title_lines):
        cell = cells[i // cols][i % cols]
        x0 = fig.layout[cell.xaxis]["domain"][0]
        fig.annotate(dict(name="chart-title", text=title, xref="paper", x=x0,
                          xanchor="left", xshift=-(canvas.left - canvas.side) if x0 == 0
                          else -y_label_px + 6, yref="paper",
                          y=fig.layout[cell.yaxis]["domain"][1], yanchor="bottom",
                          yshift=line_px(theme.font_size) / 2 + 4,
                          showarrow=False, align="left", font=dict(size=theme.font_size)))
    gender_legend = False
    for i, r in enumerate(shown):
        cell = cells[i // cols][i % cols]
        s = series[r["name"]]
        unit = r["unit"]
        percent = unit == "percent"
        target = r["target"] if r["comparator"] in (">=", "<=") else None
        drawn_target = None if target is None or _missing(target) else \
            (target * 100 if percent else target)
        periods = list(dict.fromkeys(s["period"]))
        labels = [period_tick(p, lang) for p in periods]
        if "group" in s and (s["group"] != TOTAL).any():
            values, top = _by_gender(fig, s, unit, lang, theme, cell, first=not gender_legend,
                                     row_px=row_px, chart_width=chart_width,
                                     target=drawn_target)
            gender_legend = True
        else:
            values = [v * 100 if percent else v for v in s["value"]]
            values = [None if _missing(v) else float(v) for v in values]
            words = [fmt_value(v, unit, lang) for v in s["value"]]
            size, thin = label_size_for(words, theme.label_size - 2,
                                        chart_width / max(len(labels), 1) - 6)
            words = [w if i % thin == 0 else "" for i, w in enumerate(words)]
            top = headroom(max([v for v in values if v is not None], default=0),
                           drawn_target, factor=1.2)
            placed, top = place_labels(values, [drawn_target] if drawn_target is not None
                                       else [], top=top, plot_px=row_px,
                                       label_px=line_px(size), pad_px=3)
            positions = []
            for p in placed:
                positions.append("none" if p is None or p.where == "lifted" else
                                 ("outside" if p.where == "above" else "inside"))
            colours = [BLUE if c else LIGHT_GREY for c in s["current"]]
            fig.add(dict(type="bar", x=labels, y=[number(v) for v in values],
                         xaxis=cell.x, yaxis=cell.y, marker=dict(color=colours),
                         text=words, textposition=positions, insidetextanchor="end",
                         textangle=0, cliponaxis=False, constraintext="none",
                         textfont=dict(size=size, color=[
                             ("#FFFFFF" if c else "#000000") if pos == "inside"
                             else theme.text_colour
                             for c, pos in zip(s["current"], positions, strict=True)]),
                         showlegend=False))
            for x, word, p in zip(labels, words, placed, strict=True):
                if p is not None and p.where == "lifted":
                    fig.annotate(dict(name="value", text=word, xref=cell.x, x=x, yref=cell.y,
                                      y=p.at, yanchor="bottom",
                                      yshift=theme.line_width / 2 + 3, showarrow=False,
                                      font=dict(size=size)))
        values_x, texts_x, _ = category_ticks(labels, tick_size, chart_width, short_tick)
        axis = percent_axis(lang, 1 if top < 5 else 0) if percent else dict(tickformat=",")
        suffix = axis.get("ticksuffix", "")
        fig.layout[cell.yaxis].update(
            range=[0, number(top)],
            **tick_labels(fit_ticks(0, top, row_px,
                                    lambda v, sfx=suffix: axis_number(v, lang, sfx),
                                    theme.font_size, horizontal=False, most=5),
                          lang, suffix),
            **axis)
        fig.layout[cell.xaxis].update(type="category", categoryorder="array",
                                      categoryarray=labels, tickvals=values_x,
                                      ticktext=texts_x, tickfont=dict(size=tick_size),
                                      tickangle=0)
        if drawn_target is not None:
            # The target's value is in the small chart's title; the line shows where it is.
            fig.shape(dict(type="line", name="target", xref=f"{cell.x} domain", x0=0, x1=1,
                           yref=cell.y, y0=drawn_target, y1=drawn_target, layer="above",
                           line=dict(color=TARGET_COLOUR, dash="dash",
                                     width=theme.line_width)))
    canvas.apply(fig, plot_height=plot_px, showlegend=gender_legend)
    return fig


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _fit_title(title: str, size: float, width: float) -> str:
    """A small chart's title on one line, or broken before its target and status."""
    if text_width(title, size) <= width:
        return title
    head, sep, rest = title.partition("</b>")
    head += sep
    if not rest:
        return title
    parts = wrap_words(rest.strip(), size, width, separators=("  ", " "))
    return "<br>".join([head, *parts]) if text_width(head + rest, size) > width else title


def _by_gender(fig: Figure, s: pd.DataFrame, unit: str, lang: str, theme: Theme, cell,
               first: bool, row_px: float, chart_width: float,
               target: float | None) -> tuple[list[float], float]:
    """An indicator reported for women and men: stacked bars per period (women, men, other),
    each part written inside where it fits, the total (the indicator's value) on top. The
    periods a year earlier are drawn paler. Returns the totals drawn and the axis top."""
    percent = unit == "percent"
    periods = list(dict.fromkeys(s["period"]))
    labels = [period_tick(p, lang) for p in periods]
    current = {p: c for p, c in zip(s["period"], s["current"], strict=True)}
    totals = []
    for p in periods:
        totals.append(sum(v for v, pp in zip(s["value"], s["period"], strict=True) if pp == p))
    drawn_totals = [v * 100 if percent else v for v in totals]
    total_words = [f"<b>{fmt_value(v, unit, lang)}</b>" for v in totals]
    size, thin = label_size_for(total_words, theme.label_size - 2,
                                chart_width / max(len(periods), 1) - 6)
    total_words = [w if i % thin == 0 else "" for i, w in enumerate(total_words)]
    top = headroom(max(drawn_totals, default=0), target, factor=1.25)
    placed, top = place_labels(drawn_totals, [target] if target is not None else [],
                               top=top, plot_px=row_px, label_px=line_px(size), pad_px=3,
                               inside_ok=False)
    k = top / row_px
    bar_width = chart_width / max(len(periods), 1) * 0.75
    base = {p: 0.0 for p in periods}
    for g in dict.fromkeys(s["group"]):
        part = {p: v for p, v, grp in zip(s["period"], s["value"], s["group"], strict=True)
                if grp == g}
        y = [part.get(p) for p in periods]
        drawn = [None if v is None else (v * 100 if percent else v) for v in y]
        words = [fmt_value(v, unit, lang) if v is not None else "" for v in y]
        positions = []
        for p, v, w in zip(periods, drawn, words, strict=True):
            fits = v is not None and w and v / k >= glyph_px(theme.label_size - 3) and \
                text_width(w, theme.label_size - 3) + 4 <= bar_width
            mid = base[p] + (v or 0) / 2
            crossed = target is not None and abs(mid - target) / k < \
                line_px(theme.label_size - 3) / 2 + 3
            positions.append("inside" if fits and not crossed else "none")
            base[p] += v or 0
        fig.add(dict(type="bar", x=labels, y=[number(v) for v in drawn], xaxis=cell.x,
                     yaxis=cell.y, name=esc(gender_label(g, lang)),
                     legendgroup=f"gender-{g}", showlegend=first,
                     marker=dict(color=GENDER_COLOURS.get(g, LIGHT_GREY),
                                 opacity=[1.0 if current[p] else 0.45 for p in periods],
                                 line=dict(color="#FFFFFF", width=1)),
                     text=words, textposition=positions, insidetextanchor="middle",
                     textangle=0, constraintext="none",
                     textfont=dict(size=theme.label_size - 3, color=[
                         "#FFFFFF" if current[p] and GENDER_COLOURS.get(g) == BLUE
                         else "#000000" for p in periods])))
    fig.add(dict(type="scatter", x=labels, y=[number(p.at) for p in placed], mode="text",
                 xaxis=cell.x, yaxis=cell.y,
                 text=total_words,
                 textposition="top center", showlegend=False, cliponaxis=False,
                 textfont=dict(size=size, color=theme.text_colour)))
    fig.update_layout(barmode="stack")
    return drawn_totals, top

