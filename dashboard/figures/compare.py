"""One key figure across agreements (or clusters), ranked, each against its own target."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..i18n import fmt_value, gender_label, status_symbol, t
from ..theme import BLUE, GENDER_COLOURS, Theme
from .common import FigureText, empty_figure, esc, headroom, new_figure, percent_axis


def compare_figure(rows: pd.DataFrame, *, unit: str, text: FigureText,
                   theme: Theme) -> go.Figure:
    """Horizontal bars, best first: each agreement's value (its status symbol and its own
    target under its name, ``n`` for a share) and under it, when asked, its women's and
    men's values. Hidden small counts (exports) are said, not drawn.

    ``rows`` come from :func:`dashboard.portfolio.compare` (and, in exports,
    :func:`dashboard.privacy.suppress_compare`).
    """
    lang = text.lang
    if rows.empty or rows["value"].isna().all():
        return empty_figure(theme, text, t("no_data", lang))
    share = unit in ("share", "percent")
    scale = 100 if share else 1
    labels, values, texts, colours = [], [], [], []
    hidden = rows["hidden"] if "hidden" in rows else pd.Series(False, index=rows.index)
    small = rows["small"] if "small" in rows else pd.Series(False, index=rows.index)
    for rec, h, sm in zip(rows.to_dict("records"), hidden, small, strict=True):
        if rec["group"]:
            labels.append(f"    {esc(gender_label(rec['group'], lang))}")
            colours.append(GENDER_COLOURS.get(rec["group"], BLUE))
        else:
            symbol = status_symbol(rec["status"]) if rec["status"] != "grey" else ""
            target = rec.get("target")
            goal = ""
            if target is not None and not pd.isna(target) and rec.get("comparator") in (
                    ">=", "<="):
                sign = "≥" if rec["comparator"] == ">=" else "≤"
                goal = (f"<br><span style='font-size:0.85em'>{t('target', lang).lower()} "
                        f"{sign}\u00a0{fmt_value(target, 'share' if share else unit, lang)}"
                        "</span>")
            labels.append(f"{esc(rec['name'])} {symbol}".strip() + goal)
            colours.append(BLUE)
        v = rec["value"]
        if h:
            values.append(0)
            texts.append("<5" if sm else t("hidden", lang))
            continue
        values.append(0 if v is None or pd.isna(v) else v * scale)
        words = fmt_value(v, "share" if share else unit, lang)
        n = rec.get("n")
        if share and n is not None and not pd.isna(n):
            words += f"  (n = {int(n)})"
        texts.append(f"<b>{words}</b>" if not rec["group"] else words)
    bar_px = max(theme.label_size * 2.6, 36)  # two lines: the name, and its target
    height = int(theme.margin_top + theme.margin_bottom + len(labels) * bar_px + 90)
    fig = new_figure(theme, text, height=max(height, int(theme.height * 0.75)))
    # Rows by number (two agreements both have "Kvinnor"), named on the axis.
    ys = list(range(len(labels)))
    fig.add_bar(y=ys, x=values, orientation="h", marker=dict(color=colours),
                text=texts, textposition="outside", textfont=dict(size=theme.label_size - 1),
                cliponaxis=False, showlegend=False)
    top = headroom(max(values), factor=1.3)
    if share:
        fig.update_xaxes(range=[0, max(115, top)], **percent_axis(lang))
    else:
        fig.update_xaxes(range=[0, top], tickformat=",")
    fig.update_yaxes(range=[len(ys) - 0.5, -0.5], tickvals=ys, ticktext=labels)
    fig.update_layout(bargap=0.3)
    return fig
