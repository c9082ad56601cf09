"""One key figure across agreements (or clusters), ranked, each against its own target."""

from __future__ import annotations

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
    percent_axis,
    tick_labels,
)
from dashboard.figures.measure import text_width
from dashboard.figures.spec import Figure, number
from dashboard.figures.theme import BLUE, GENDER_COLOURS, Theme
from dashboard.i18n import _, fmt_value, gender_label, status_key, status_symbol


def compare_figure(rows: pd.DataFrame, *, unit: str, text: FigureText,
                   theme: Theme) -> Figure:
    """Horizontal bars, best first: each agreement's value (its status symbol beside its
    name and its own target under it, ``n`` for a share) and under it, when asked, its
    women's and men's values. Hidden small counts (exports) are said, not drawn.

    Where a row has the reference of its kind (``median``, ``q1``, ``q3``:
    :mod:`dashboard.model.benchmark`), it is drawn under its bar, in the text colour (never
    a status colour): a line from kvartil 1 to kvartil 3 and a tick at the median, and
    written under the name ("median 18 · kvartil 13–24"), so nobody needs to hover.

    ``rows`` come from :func:`dashboard.model.portfolio.compare` (and, in exports,
    :func:`dashboard.domain.privacy.suppress_compare`). Rows are placed by number (two agreements
    both have a "Kvinnor" row) and named on the axis.
    """
    lang = text.lang
    if rows.empty or rows["value"].isna().all():
        return empty_figure(theme, text, _("ui.no_data", lang))
    share = unit in ("share", "percent")
    scale = 100 if share else 1
    labels, values, texts, colours = [], [], [], []
    hidden = rows["hidden"] if "hidden" in rows else pd.Series(False, index=rows.index)
    small = rows["small"] if "small" in rows else pd.Series(False, index=rows.index)
    records = rows.to_dict("records")
    for rec, h, sm in zip(records, hidden, small, strict=True):
        if rec["group"]:
            labels.append(esc(gender_label(rec["group"], lang)))
            colours.append(GENDER_COLOURS.get(rec["group"], BLUE))
        else:
            symbol = status_symbol(rec["status"]) if rec["status"] != "grey" else ""
            target = rec.get("target")
            under = []
            if target is not None and not pd.isna(target) and rec.get("comparator") in (
                    ">=", "<="):
                sign = "≥" if rec["comparator"] == ">=" else "≤"
                under.append(f"{_('ui.target', lang).lower()} "
                             f"{sign}\u00a0{fmt_value(target, 'share' if share else unit, lang)}")
            ref = _reference_words(rec, "share" if share else unit, lang)
            if ref:
                under.append(ref)
            goal = (f"<br><span style='font-size:0.85em'>{' · '.join(under)}</span>"
                    if under else "")
            labels.append(f"<b>{esc(rec['name'])}</b> {symbol}".strip() + goal)
            colours.append(BLUE)
        v = rec["value"]
        if h:
            values.append(0)
            texts.append("<5" if sm else _("ui.hidden", lang))
            continue
        values.append(0 if v is None or pd.isna(v) else v * scale)
        words = fmt_value(v, "share" if share else unit, lang)
        n = rec.get("n")
        if share and n is not None and not pd.isna(n):
            words += f"  (n = {int(n)})"
        texts.append(f"<b>{words}</b>" if not rec["group"] else words)
    statuses = [r["status"] for r in records if not r["group"] and r.get("comparator")]
    key = status_key(statuses, lang) if statuses else ""
    if key:
        from dataclasses import replace

        text = replace(text, footer=" · ".join(p for p in (text.footer, key) if p))
    left = label_width(labels, theme.font_size) + 12
    canvas = Canvas(theme, text, left=left)
    # A row holds its bar, and its name on two lines (the name, its target).
    row = max(2 * line_px(theme.font_size) + 8, theme.label_size * 2.2, 32)
    plot_px = canvas.plot_height(max(len(labels) * row,
                                     theme.height * 0.75 - canvas.top - canvas.bottom))
    width_px = canvas.plot_width
    # Room past the longest bar for its words.
    widest = max((v + (text_width(s, theme.label_size) + 12) * 100 / width_px * 1.0
                  for v, s in zip(values, texts, strict=True)), default=1)
    refs = [(y, r["q1"] * scale, r["median"] * scale, r["q3"] * scale)
            for y, r in enumerate(records) if _has_reference(r)]
    top = headroom(max([*values, *(q3 for *_, q3 in refs)]), factor=1.05)
    top = max(top, widest if share else top)
    if not share:
        longest = max((text_width(s, theme.label_size) + 12 for s in texts), default=0)
        top = max(top, max(values) / max(1 - longest / width_px, 0.3))
    if share:
        top = max(top, 105.0)
    ys = list(range(len(labels)))
    fig = Figure()
    fig.add(dict(type="bar", y=ys, x=[number(v) for v in values], orientation="h",
                 marker=dict(color=colours), text=texts, textposition="outside",
                 textangle=0, constraintext="none", cliponaxis=False, showlegend=False,
                 textfont=dict(size=theme.smaller(1), color=theme.text_colour)))
    if share:
        axis = percent_axis(lang)
        xaxis = dict(range=[0, number(top)], **axis, **tick_labels(
            fit_ticks(0, 100, width_px * 100 / top,
                      lambda v: axis_number(v, lang, axis["ticksuffix"]), theme.font_size,
                      horizontal=True, most=5), lang, axis["ticksuffix"]))
    else:
        xaxis = dict(range=[0, number(top)], tickformat=",", **tick_labels(
            fit_ticks(0, top, width_px, lambda v: axis_number(v, lang), theme.font_size,
                      horizontal=True, most=6), lang))
    if refs:
        # Under each bar (bars are narrower to leave it room): kvartil 1 to 3, the median.
        below = 0.39
        xs, ys_ref = [], []
        for y, q1, _m, q3 in refs:
            xs += [number(q1), number(q3), None]
            ys_ref += [y + below, y + below, None]
        fig.add(dict(type="scatter", x=xs, y=ys_ref, mode="lines", hoverinfo="skip",
                     line=dict(color=theme.text_colour, width=3), showlegend=False,
                     name=_("ui.benchmark_quartiles", lang), cliponaxis=False))
        fig.add(dict(type="scatter", x=[number(m) for _y, _q1, m, _q3 in refs],
                     y=[y + below for y, *_ in refs], mode="markers", hoverinfo="skip",
                     marker=dict(symbol="line-ns-open", size=max(8, row * 0.2),
                                 color=theme.text_colour,
                                 line=dict(color=theme.text_colour, width=3)),
                     showlegend=False, name=_("ui.benchmark_median", lang),
                     cliponaxis=False))
    fig.update_layout(xaxis=xaxis,
                      yaxis=dict(range=[len(ys) - 0.5, -0.5], tickvals=ys, ticktext=labels),
                      bargap=0.45 if refs else 0.3)
    canvas.apply(fig, plot_height=plot_px, showlegend=False)
    return fig


def _has_reference(rec: dict) -> bool:
    return not rec["group"] and all(
        rec.get(k) is not None and not pd.isna(rec.get(k)) for k in ("q1", "median", "q3"))


def _reference_words(rec: dict, unit: str, lang: str) -> str:
    """"median 18 · kvartil 13–24" for a row with the reference of its kind, else ""."""
    if not _has_reference(rec):
        return ""
    return _("ui.benchmark_words", lang, median=fmt_value(rec["median"], unit, lang),
             q1=fmt_value(rec["q1"], unit, lang), q3=fmt_value(rec["q3"], unit, lang))
