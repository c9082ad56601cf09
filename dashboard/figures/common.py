"""What every chart shares: title (what; where and when), footer, target line, labels,
and the pixel plan that keeps them apart.

Every text a chart writes is measured (:mod:`measure`) and given room before plotly.js
sees the figure: the margins hold the tick labels and the target's label, the header
holds the title, the subtitle and the legend's rows, the footer is wrapped to the width
there is, and value labels step aside for the target and mean lines. A figure is
planned for the narrowest it is drawn (``theme.min_width``, and for slides the height of
a 1024x768 slide) and only gains room when drawn larger: everything is placed in pixels
from the edges of the plot, so a wider or taller figure only moves things apart.

Names from the data are escaped before plotly sees them: plotly reads a little HTML
in text (``<b>``, ``<a href>``), and a cluster name must never become markup.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dashboard.i18n import fmt_value, t
from dashboard.figures.theme import MEAN_COLOUR, TARGET_COLOUR, Theme
from dashboard.figures.measure import LINE, line_width, text_width, wrap_words
from dashboard.figures.spec import Figure

HEADER_PAD = 10  # pixels above the title
LEGEND_SYMBOL = 40  # pixels plotly gives a legend item's symbol, before its text
LEGEND_GAP = 5  # pixels between legend items
TICK_GAP = 10  # pixels between tick labels and the plot
TICK_STANDOFF = 6  # pixels between a y axis's tick labels and the plot
FOOTER_COLOUR = "#3D3D3D"


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


def subtitle_size(theme: Theme) -> int:
    """Where and when, under the title: smaller on a slide, so that it keeps to a line."""
    if theme.name == "screen":
        return theme.font_size
    return theme.title_size - (8 if theme.name == "present" else 4)


def line_px(size: float) -> float:
    """The height of one line of text in font ``size`` (plotly's line spacing)."""
    return size * LINE


def glyph_px(size: float) -> float:
    """The height a one-line number needs inside a bar (its box, and a pixel around)."""
    return size * 1.15 + 2


def legend_rows(names: Sequence[str], size: float, width: float) -> int:
    """How many rows a horizontal legend of ``names`` takes in ``width`` pixels (plotly
    wraps an item to the next row when it would pass the plot's right edge)."""
    if not names:
        return 0
    rows, x = 1, 0.0
    for name in names:
        item = LEGEND_SYMBOL + text_width(name, size)
        if x > 0 and x + item > width:
            rows += 1
            x = 0.0
        x += item + LEGEND_GAP
    return rows


def legend_height(rows: int, size: float) -> float:
    return rows * (line_px(size) + 3) + 12 if rows else 0.0


class Canvas:
    """The pixel plan of one figure: margins around the plot that hold what is written
    there, the header (title, subtitle, legend), the x tick labels and the footer.

    ``left``/``right`` are the pixels the texts beside the plot need (tick labels, a
    target's label); ``legend`` the names in the legend; ``x_lines`` the lines of the x
    tick labels (0: none); ``above`` pixels between the legend and the plot (a label over
    a vertical target line, the first small chart's title); ``below`` pixels between the
    tick labels and the footer.
    """

    def __init__(self, theme: Theme, text: FigureText, *, left: float = 0, right: float = 0,
                 legend: Sequence[str] = (), x_lines: int = 1, above: float = 0,
                 below: float = 0):
        self.theme = theme
        self.text = text
        self.width = theme.width or theme.min_width
        side = theme.margin_side
        self.side = side
        self.left = int(math.ceil(max(side, left + side + TICK_STANDOFF)))
        self.right = int(math.ceil(max(side, right + side)))
        inner = self.width - 2 * side
        self.sub_size = subtitle_size(theme)
        self.subtitle = wrap_words(text.subtitle, self.sub_size, inner) if text.subtitle \
            else []
        self.footer = wrap_words(text.footer, theme.footer_size, inner) if text.footer \
            else []
        self.legend_rows = legend_rows(list(legend), theme.font_size, self.plot_width)
        title_bottom = HEADER_PAD + 1.0 * theme.title_size
        self.subtitle_top = title_bottom + 0.3 * self.sub_size
        header = self.subtitle_top + len(self.subtitle) * line_px(self.sub_size) + 6
        self.legend_px = legend_height(self.legend_rows, theme.font_size)
        self.above = above
        self.top = int(math.ceil(header + self.legend_px + above))
        self.ticks_px = (x_lines * line_px(theme.font_size) + TICK_GAP) if x_lines else 4
        self.below = below
        footer_px = (len(self.footer) * line_px(theme.footer_size) + 8) \
            if self.footer and theme.footer_in_figure else 0
        self.bottom = int(math.ceil(self.ticks_px + below + footer_px + 8))

    @property
    def plot_width(self) -> float:
        """The plot's width in pixels at the narrowest the figure is drawn."""
        return self.width - self.left - self.right

    def plot_height(self, wanted: float | None = None) -> float:
        """The plot's height: what the medium leaves (a slide, an image), or ``wanted``
        (a card grows to hold its bars), or what the theme's height leaves."""
        if self.theme.fixed_height or wanted is None:
            return self.theme.height - self.top - self.bottom
        return wanted

    def height(self, plot_height: float | None = None) -> int:
        if self.theme.fixed_height or plot_height is None:
            return self.theme.height
        return int(math.ceil(plot_height + self.top + self.bottom))

    def apply(self, fig: Figure, plot_height: float | None = None,
              showlegend: bool | None = None) -> Figure:
        """Title, subtitle, legend, fonts, margins, size and footer onto ``fig``."""
        theme, text = self.theme, self.text
        fig.update_layout(
            title=dict(text=f"<b>{esc(text.title)}</b>", x=0, xref="container",
                       xanchor="left", y=1, yref="container", yanchor="top",
                       pad=dict(t=HEADER_PAD, l=self.side, r=0, b=0),
                       font=dict(size=theme.title_size, color=theme.text_colour)),
            font=dict(family=theme.font_family, size=theme.base_font_size or theme.font_size,
                      color=theme.text_colour),
            paper_bgcolor=theme.paper, plot_bgcolor=theme.plot,
            margin=dict(l=self.left, r=self.right, t=self.top, b=self.bottom,
                        pad=0, autoexpand=False),
            height=self.height(plot_height), width=theme.width,
            separators=",\u00a0" if text.lang == "sv" else ".,",
            legend=dict(orientation="h", x=0, xanchor="left", y=1, yanchor="bottom",
                        yref="paper", font=dict(size=theme.font_size),
                        traceorder="normal", bgcolor="rgba(0,0,0,0)"),
            hovermode=False,
        )
        if showlegend is not None:
            fig.layout["showlegend"] = showlegend
        # The legend's foot sits ``above`` pixels over the plot (the figure's height is
        # known in every medium, so a fraction of the plot's height is exact).
        plot_px = fig.layout["height"] - self.top - self.bottom
        if self.above and plot_px > 0:
            fig.layout["legend"]["y"] = round(1 + self.above / plot_px, 6)
        fig.layout.setdefault("bargap", 0.25)
        if self.subtitle:
            fig.annotate(dict(
                name="subtitle", text="<br>".join(esc(line) for line in self.subtitle),
                xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="top",
                xshift=-(self.left - self.side), yshift=self.top - self.subtitle_top,
                align="left", showarrow=False,
                font=dict(size=self.sub_size, color=theme.text_colour)))
        fig.footer = text.footer
        if self.footer and theme.footer_in_figure:
            fig.annotate(dict(
                name="footer", text="<br>".join(esc(line) for line in self.footer),
                xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
                xshift=-(self.left - self.side), yshift=-(self.ticks_px + self.below + 2),
                align="left", showarrow=False,
                font=dict(size=theme.footer_size, color=FOOTER_COLOUR)))
        style_axes(fig, theme)
        return fig


def pattern(shape: str, colour: str = "#FFFFFF") -> dict:
    """A bar's hatching (drawn over its colour), so that bars differ without colour too."""
    return dict(shape=shape, fgcolor=colour, fillmode="overlay", size=10, solidity=0.25)


def style_axes(fig: Figure, theme: Theme) -> None:
    """Grid colours, tick fonts and fixed margins on every axis of the figure."""
    for key, axis in list(fig.layout.items()):
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            axis.setdefault("gridcolor", theme.grid)
            axis.setdefault("zerolinecolor", theme.grid)
            axis.setdefault("automargin", False)
            axis.setdefault("tickfont", dict(size=theme.font_size))
            axis.setdefault("fixedrange", True)
            if key.startswith("yaxis"):
                axis.setdefault("ticklabelstandoff", TICK_STANDOFF)
    for key in ("xaxis", "yaxis"):
        if key not in fig.layout:
            fig.layout[key] = dict(gridcolor=theme.grid, zerolinecolor=theme.grid,
                                   automargin=False, tickfont=dict(size=theme.font_size),
                                   fixedrange=True)


def wrap(text: str, theme: Theme, size: int | None = None, width: float | None = None) -> list[str]:
    """Break a footer (or a subtitle, in font ``size``) at its " · " into lines that fit
    the figure's width (its narrowest, when it follows its container)."""
    inner = (width or theme.width or theme.min_width) - 2 * theme.margin_side
    return wrap_words(text, size or theme.footer_size, inner)


def target_text(target, unit: str, lang: str, comparator: str = ">=") -> str:
    """``Mål 80`` / ``Mål minst 60 %`` / ``Target 80``."""
    value = fmt_value(target, unit, lang)
    if comparator == "<=":
        return f"{t('target', lang)} {t('maximum', lang)} {value}"
    return f"{t('target', lang)} {value}"


def target_shape(value: float, theme: Theme, *, horizontal: bool = True, x: str = "x",
                 y: str = "y", name: str = "target") -> dict:
    """A dashed target line across the plot (horizontal) or up it (vertical)."""
    line = dict(color=TARGET_COLOUR, width=theme.line_width, dash="dash")
    if horizontal:
        return dict(type="line", name=name, xref=f"{x} domain", x0=0, x1=1, yref=y,
                    y0=value, y1=value, line=line, layer="above")
    return dict(type="line", name=name, xref=x, x0=value, x1=value, yref=f"{y} domain",
                y0=0, y1=1, line=line, layer="above")


def target_label_right(label: str, value: float, theme: Theme, *, x: str = "x",
                       y: str = "y") -> dict:
    """The target's label in the right margin, level with its line (never on a bar)."""
    return dict(name="target", text=f"<b>{esc(label)}</b>", xref=f"{x} domain", x=1,
                xanchor="left", xshift=6, yref=y, y=value, yanchor="middle",
                showarrow=False, font=dict(size=theme.label_size, color=TARGET_COLOUR))


def target_label_top(label: str, value: float, theme: Theme, *, x: str = "x",
                     y: str = "y") -> dict:
    """The label of a vertical target line, over the plot at the line's top."""
    return dict(name="target", text=f"<b>{esc(label)}</b>", xref=x, x=value,
                xanchor="center", yref=f"{y} domain", y=1, yanchor="bottom", yshift=3,
                showarrow=False, font=dict(size=theme.label_size, color=TARGET_COLOUR))


def mean_trace(mean: float, label: str, theme: Theme, x: list) -> dict:
    """The period's mean as a dotted line, named in the legend (no label to collide)."""
    return dict(type="scatter", x=x, y=[mean] * len(x), mode="lines", name=esc(label),
                line=dict(color=MEAN_COLOUR, width=max(theme.line_width - 0.5, 1.5),
                          dash="dot"),
                showlegend=True, meta="mean", cliponaxis=False)


def headroom(*values, factor: float = 1.18, minimum: float = 1.0) -> float:
    """An axis top that holds every value (and the target) with room for labels."""
    finite = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    top = max(finite) if finite else 0.0
    return max(top * factor, minimum)


def percent_axis(lang: str, decimals: int = 0) -> dict:
    """Axis settings for shares plotted in percent (×100): ``60 %`` in Swedish."""
    return dict(tickformat=f",.{decimals}f", ticksuffix="\u00a0%" if lang == "sv" else "%")


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving at most ``count`` steps."""
    if span <= 0 or count < 1:
        return 1.0
    raw = span / count
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw - 1e-12:
            return m * power
    return 10 * power


def ticks(low: float, high: float, count: int) -> list[float]:
    """Round tick values from ``low`` to ``high``, at most ``count + 1`` of them."""
    step = nice_step(high - low, max(count, 1))
    start = math.ceil(low / step - 1e-9) * step
    out = []
    v = start
    while v <= high + 1e-9 * max(abs(high), 1):
        out.append(round(v, 10))
        v += step
    return out


def fit_ticks(low: float, high: float, length: float, label: Callable[[float], str],
              size: float, *, horizontal: bool, most: int = 8) -> list[float]:
    """As many round ticks between ``low`` and ``high`` as fit ``length`` pixels with
    their labels (``label(v)`` in font ``size``) apart: never crowded, never rotated."""
    for count in range(most, 0, -1):
        values = ticks(low, high, count)
        if len(values) < 2:
            return values
        need = max(text_width(label(v), size) for v in values) if horizontal \
            else line_px(size)
        if (need + size) * (len(values) - 1) + need / 2 <= length or count == 1:
            return values
    return ticks(low, high, 1)


def axis_number(v: float, lang: str, suffix: str = "") -> str:
    """A tick value as plotly writes it with the figure's separators (for measuring)."""
    decimals = 0 if float(v).is_integer() else (1 if abs(v * 10 - round(v * 10)) < 1e-9 else 2)
    text = f"{v:,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
    return text + suffix


def decimals_of(values: Sequence[float]) -> int:
    """The fewest decimals that write every value exactly (at most two)."""
    for d in (0, 1, 2):
        if all(abs(v * 10 ** d - round(v * 10 ** d)) < 1e-6 for v in values):
            return d
    return 2


def tick_labels(values: Sequence[float], lang: str, suffix: str = "",
                decimals: int | None = None) -> dict:
    """``tickvals`` and their ``ticktext`` in the figure's language (plotly.js writes no
    ``ticksuffix`` beside tick values given as an array, so the text is written here)."""
    d = decimals_of(values) if decimals is None else decimals
    texts = []
    for v in values:
        text = f"{v:,.{d}f}"
        if lang == "sv":
            text = text.replace(",", "\u00a0").replace(".", ",").replace("-", "\u2212")
        texts.append(text + suffix)
    return dict(tickvals=list(values), ticktext=texts)


def category_ticks(labels: list[str], size: float, length: float,
                   short: Callable[[str, bool], str] | None = None) -> tuple[list, list, int]:
    """Which categories of an axis get a label, and what it says: every one when they fit
    side by side, otherwise every second, third, … (never rotated, never over the footer).

    ``short(label, first_of_year)`` may shorten a label (``jan<br>2023`` for the first
    month of a year, ``feb`` for the others). Returns (values, texts, lines).
    """
    n = len(labels)
    if n == 0:
        return [], [], 1
    shown = [short(lab, i == 0 or _year(lab) != _year(labels[i - 1])) if short else lab
             for i, lab in enumerate(labels)]
    slot = length / n
    flat = [s.replace("<br>", " ") for s in shown]
    if max(text_width(s, size) for s in flat) + size * 0.6 <= slot:
        return list(labels), flat, 1  # every label on one line: they fit side by side
    widest = max(text_width(s, size) for s in shown) + size * 0.6
    every = max(1, math.ceil(widest / slot))
    if every > 1:
        # Keep the first of each year labelled where the steps allow it.
        for step in (3, 4, 6, 12):
            if step >= every:
                every = step
                break
        else:
            every = math.ceil(every / 12) * 12
    values = labels[::every]
    texts = []
    for i in range(0, n, every):
        first = i == 0 or _year(labels[i]) != _year(labels[i - every])
        texts.append(short(labels[i], first) if short else labels[i])
    lines = max(len(s.split("<br>")) for s in texts) if texts else 1
    return values, texts, lines


def _year(label: str) -> str:
    digits = [w for w in label.replace("<br>", " ").split() if w.isdigit() and len(w) == 4]
    return digits[-1] if digits else ""


@dataclass
class Placed:
    """Where a value label goes: at data ``y`` (or ``x``), written ``above`` or
    ``inside`` the end of its bar."""

    at: float
    where: str  # "above" | "inside" | "lifted"


def place_labels(values: Sequence[float | None], lines: Sequence[float], *, top: float,
                 plot_px: float, label_px: float | Sequence[float], pad_px: float = 4,
                 inside_ok: bool = True, low: float = 0.0,
                 own: Sequence[Sequence[float]] | None = None,
                 ) -> tuple[list[Placed | None], float]:
    """Place each bar's value label past the end of its bar so that no target or mean
    line (``lines``, in data units) runs through it.

    A label goes past its bar's end; where a line would cross it, inside the bar's end
    (``inside_ok`` and the bar long enough); otherwise just past the line. ``label_px`` is
    each label's length along the bar (its height for upright bars, its width for lying
    ones). Works in data units along the bars' axis from ``low`` to ``top`` over
    ``plot_px`` pixels, and returns the placements and an axis end that holds every
    label. Placed for the smallest drawing, they hold for larger ones: a label is pinned
    to its anchor in pixels, so as the scale grows it only moves towards the anchor.
    ``own`` adds lines that cross one bar only (the same month a year earlier, drawn as
    a mark over that bar), by bar.
    """
    every = lines
    sizes = [label_px] * len(values) if isinstance(label_px, (int, float)) else list(label_px)
    placed: list[Placed | None] = [None] * len(values)
    for _ in range(5):
        k = (top - low) / plot_px  # data units per pixel
        margin = (6 if own else 2) * k  # a mark is thicker than a line
        need = top
        for i, v in enumerate(values):
            if v is None:
                placed[i] = None
                continue
            lines = [*every, *own[i]] if own else every
            reach = (pad_px + sizes[i]) * k
            crossing = [ln for ln in lines if v - margin <= ln <= v + reach + margin]
            if not crossing:
                placed[i] = Placed(v, "above")
            elif inside_ok and v - low - reach - margin > 0 and not any(
                    v - reach - margin <= ln <= v + margin for ln in lines):
                placed[i] = Placed(v, "inside")
            else:
                at = max(crossing)
                while True:
                    more = [ln for ln in lines if at < ln <= at + reach + margin]
                    if not more:
                        break
                    at = max(more)
                placed[i] = Placed(at, "lifted")
            if placed[i].where != "inside":
                need = max(need, placed[i].at + reach + 4 * k)
        if need <= top + 1e-9:
            return placed, top
        top = low + (need - low) * 1.03
    return placed, top


def empty_figure(theme: Theme, text: FigureText, message: str,
                 height: int | None = None) -> Figure:
    """A titled figure that says there is nothing to show (never a blank box)."""
    canvas = Canvas(theme, text, x_lines=0)
    fig = Figure()
    fig.annotate(dict(name="message", text=esc(message), xref="paper", yref="paper",
                      x=0.5, y=0.5, showarrow=False,
                      font=dict(size=theme.title_size, color="#555555")))
    fig.update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False))
    plot = (height or max(theme.height // 2, 220)) - canvas.top - canvas.bottom
    canvas.apply(fig, plot_height=max(plot, 60), showlegend=False)
    return fig


def label_size_for(texts: Sequence[str], size: float, room: float,
                   smallest: float = 12) -> tuple[int, int]:
    """The largest font size (from ``size`` down to ``smallest``) at which every text fits
    ``room`` pixels side by side, and 1 — or 2 when even the smallest does not fit and
    only every other text can be written."""
    size = int(size)
    widest = lambda s: max((text_width(t, s) for t in texts if t), default=0)  # noqa: E731
    while size > smallest and widest(size) > room:
        size -= 1
    return size, (1 if widest(size) <= room else 2)


def needs_shrinking(theme: Theme, wanted: float, available: float) -> float | None:
    """The factor to shrink the chart's type by when ``wanted`` pixels do not fit the
    ``available`` height of a slide or an image (``None``: it fits, or cannot shrink)."""
    if not theme.fixed_height or wanted <= available * 1.001:
        return None
    from dashboard.figures.theme import SMALLEST_FONT

    if theme.font_size <= SMALLEST_FONT and theme.label_size <= SMALLEST_FONT:
        return None
    return max(available / wanted, 0.5)


def label_width(labels: Sequence[str], size: float, bold: bool = False) -> float:
    return max((text_width(lab, size, bold) for lab in labels), default=0.0)


__all__ = ["Canvas", "Figure", "FigureText", "Placed", "category_ticks",
           "empty_figure", "esc", "fit_ticks", "glyph_px", "headroom", "label_size_for",
           "label_width", "legend_rows", "line_px", "line_width", "mean_trace",
           "needs_shrinking", "pattern", "percent_axis", "place_labels", "target_label_right",
           "target_label_top", "target_shape", "target_text", "tick_labels", "ticks", "wrap"]
