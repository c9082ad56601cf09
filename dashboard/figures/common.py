"""What every chart shares: title (what; where and when), footer, target line, labels.

Names from the data are escaped before plotly sees them: plotly reads a little HTML
in text (``<b>``, ``<a href>``), and a cluster name must never become markup.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import plotly.graph_objects as go

from ..i18n import fmt_value, t
from ..theme import MEAN_COLOUR, TARGET_COLOUR, Theme


@dataclass(frozen=True)
class FigureText:
    """The words around a chart: ``title`` says what, ``subtitle`` where and when."""

    title: str
    subtitle: str = ""
    footer: str = ""
    lang: str = "sv"


def esc(text) -> str:
    """Plain text for plotly: ``<`` and ``&`` cannot start markup."""
    return html.escape(str(text), quote=False)


def new_figure(theme: Theme, text: FigureText, height: int | None = None) -> go.Figure:
    """An empty figure with the title, footer, fonts and Swedish or English separators."""
    fig = go.Figure()
    apply_frame(fig, theme, text, height)
    return fig


def top_margin(theme: Theme, legend: bool = True, text: FigureText | None = None) -> int:
    """Pixels above the plot: title, subtitle (its lines, for ``text``) and (optionally) a
    legend line, stacked."""
    sub = subtitle_size(theme)
    extra_lines = len(subtitle_lines(text, theme)) - 1 if text is not None else 0
    return int(12 + theme.title_size * 1.35 + sub * 1.45 + max(extra_lines, 0) * sub * 1.25 +
               (theme.font_size * 2.0 if legend else 0) + 4)


def subtitle_lines(text: FigureText, theme: Theme) -> list[str]:
    """The subtitle (where · when) in lines that fit: a long one (a cluster of an agreement
    with a long name) breaks before its period rather than running off a 4:3 slide."""
    return wrap(text.subtitle, theme, subtitle_size(theme), 0.5) if text.subtitle else [""]


def subtitle_size(theme: Theme) -> int:
    return theme.title_size - 4 if theme.name != "screen" else theme.font_size


def apply_frame(fig: go.Figure, theme: Theme, text: FigureText,
                height: int | None = None, x_label_lines: int = 1) -> go.Figure:
    """Title (what) over subtitle (where – when), legend under them, footer at the bottom.

    The footer sits below the x tick labels (``x_label_lines`` lines of them); the bottom
    margin is sized to hold both.
    """
    footer_lines = wrap(text.footer, theme) if text.footer else []
    ticks_px = int(x_label_lines * theme.font_size * 1.35 + 14)
    bottom = ticks_px + int(len(footer_lines) * theme.footer_size * 1.35) + 12
    fig.update_layout(
        title=dict(text=f"<b>{esc(text.title)}</b>", x=0, xref="container", xanchor="left",
                   y=1, yref="container", yanchor="top",
                   pad=dict(t=10, l=theme.margin_side),
                   font=dict(size=theme.title_size, color=theme.text_colour),
                   subtitle=dict(text="<br>".join(esc(line)
                                                  for line in subtitle_lines(text, theme)),
                                 font=dict(size=subtitle_size(theme), color=theme.text_colour))),
        font=dict(family=theme.font_family, size=theme.font_size, color=theme.text_colour),
        paper_bgcolor=theme.paper, plot_bgcolor=theme.plot,
        margin=dict(l=theme.margin_side, r=theme.margin_side, t=top_margin(theme, text=text),
                    b=bottom),
        height=height or theme.height, width=theme.width,
        separators=",\u00a0" if text.lang == "sv" else ".,",
        legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom",
                    font=dict(size=theme.font_size), traceorder="normal"),
        hovermode=False,
        bargap=0.25,
    )
    fig.update_xaxes(gridcolor=theme.grid, zerolinecolor=theme.grid, automargin=True,
                     tickfont=dict(size=theme.font_size))
    fig.update_yaxes(gridcolor=theme.grid, zerolinecolor=theme.grid, automargin=True,
                     tickfont=dict(size=theme.font_size))
    if footer_lines:
        fig.add_annotation(text="<br>".join(esc(line) for line in footer_lines),
                           xref="paper", yref="paper", x=0, y=0, xanchor="left",
                           yanchor="top", showarrow=False, align="left",
                           yshift=-ticks_px,
                           font=dict(size=theme.footer_size, color="#444444"))
    return fig


def wrap(text: str, theme: Theme, size: int | None = None, ratio: float = 0.56) -> list[str]:
    """Break a footer (or a subtitle, in font ``size``) at its " · " into lines that fit the
    figure's width (900 px when unknown); ``ratio`` is a character's width per font size."""
    width = theme.width or 900
    per_line = max(int(width / ((size or theme.footer_size) * ratio)), 40)
    lines: list[str] = []
    current = ""
    for part in text.split(" · "):
        candidate = f"{current} · {part}" if current else part
        if len(candidate) <= per_line or not current:
            current = candidate
        else:
            lines.append(current)
            current = part
    if current:
        lines.append(current)
    return lines


def target_text(target, unit: str, lang: str, comparator: str = ">=") -> str:
    """``Mål 80`` / ``Mål minst 60 %`` / ``Target 80``."""
    value = fmt_value(target, unit, lang)
    if comparator == "<=":
        return f"{t('target', lang)} {t('maximum', lang)} {value}"
    return f"{t('target', lang)} {value}"


def add_target_line(fig: go.Figure, target: float, label: str, theme: Theme, *,
                    horizontal: bool = True, row=None, col=None) -> None:
    """A labelled target line; the caller makes sure the axis reaches it."""
    kwargs = dict(line=dict(color=TARGET_COLOUR, width=theme.line_width, dash="dash"),
                  annotation=dict(text=f"<b>{esc(label)}</b>",
                                  font=dict(size=theme.label_size, color=TARGET_COLOUR),
                                  bgcolor="rgba(255,255,255,0.85)"))
    if row is not None:
        kwargs.update(row=row, col=col)
    if horizontal:
        fig.add_hline(y=target, annotation_position="right", **kwargs)
    else:
        fig.add_vline(x=target, annotation_position="top", **kwargs)


def add_mean_line(fig: go.Figure, mean: float, label: str, theme: Theme,
                  x: list) -> None:
    """The period's mean as a dotted line, named in the legend (no label to collide)."""
    fig.add_scatter(x=x, y=[mean] * len(x), mode="lines", name=esc(label),
                    line=dict(color=MEAN_COLOUR, width=max(theme.line_width - 0.5, 1.5),
                              dash="dot"),
                    showlegend=True)


def headroom(*values, factor: float = 1.18, minimum: float = 1.0) -> float:
    """An axis top that holds every value (and the target) with room for labels."""
    finite = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    top = max(finite) if finite else 0.0
    return max(top * factor, minimum)


def percent_axis(lang: str, decimals: int = 0) -> dict:
    """Axis settings for shares plotted in percent (×100): ``60 %`` in Swedish."""
    return dict(tickformat=f",.{decimals}f", ticksuffix="\u00a0%" if lang == "sv" else "%")


def empty_figure(theme: Theme, text: FigureText, message: str,
                 height: int | None = None) -> go.Figure:
    """A titled figure that says there is nothing to show (never a blank box)."""
    fig = new_figure(theme, text, height or max(theme.height // 2, 220))
    fig.add_annotation(text=esc(message), xref="paper", yref="paper", x=0.5, y=0.5,
                       showarrow=False, font=dict(size=theme.title_size, color="#555555"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
