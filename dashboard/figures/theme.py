"""Colours, type sizes and the three media the figures are drawn for.

The palette is Okabe–Ito, safe for the common forms of colour blindness; status is
always shown with a symbol and a word as well as a colour (see :mod:`dashboard.i18n`).

* ``SCREEN``: the dashboard in a browser, on a projector at 1024×768 or a 1920×1080 screen;
* ``PRESENT``: presentation mode, larger and with stronger contrast;
* ``EXPORT``: images for the minutes (PNG/SVG), drawn at 1920×1080.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
BLACK = "#000000"
GREY = "#6C757D"
LIGHT_GREY = "#BBBBBB"

SEQUENCE = [BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION, YELLOW, GREY]

# Status colours, darkened where needed for 4.5:1 contrast with their text colour.
STATUS_COLOURS = {"green": "#00734F", "amber": "#E69F00", "red": "#B84A00", "grey": "#5A6268"}
STATUS_TEXT_COLOURS = {"green": "#FFFFFF", "amber": "#000000", "red": "#FFFFFF",
                       "grey": "#FFFFFF"}

GENDER_COLOURS = {"K": ORANGE, "M": BLUE, "X": GREY, "": BLUE}
OUTCOME_COLOURS = {"work": BLUE, "study": SKY, "other": LIGHT_GREY, "unknown": "#FFFFFF",
                   "discontinued": VERMILLION}
TARGET_COLOUR = BLACK
MEAN_COLOUR = "#444444"


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (a number written in a bar)."""
    lum = _luminance(colour)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"


@dataclass(frozen=True)
class Theme:
    """How a figure looks on one medium."""

    name: str
    font_family: str = "Arial, 'Liberation Sans', 'DejaVu Sans', Helvetica, sans-serif"
    font_size: int = 16
    title_size: int = 20
    label_size: int = 15
    footer_size: int = 12
    height: int = 400
    width: int | None = None
    text_colour: str = "#212529"
    paper: str = "#FFFFFF"
    plot: str = "#FFFFFF"
    grid: str = "#E3E3E3"
    line_width: float = 2.5
    margin_top: int = 70
    margin_bottom: int = 70
    margin_side: int = 20
    # The narrowest the figure is drawn (when ``width`` is None it follows its container):
    # texts are wrapped, ticks thinned and labels placed for this width, and hold wider.
    min_width: int = 860
    # Whether ``height`` is the height the figure gets (a slide, an image) rather than a
    # starting point the figure grows from to hold its bars (a card in the app).
    fixed_height: bool = False
    # Whether the footer (data as of, source, n) is drawn in the image; the app writes it
    # under the chart as text instead, where it wraps to the card's real width.
    footer_in_figure: bool = True
    # The medium's type size when a dense chart has shrunk its own (see :func:`shrunk`).
    base_font_size: int | None = None

    def smaller(self, by: int) -> int:
        """A secondary label's size, ``by`` pixels under the labels', never under
        :data:`SMALLEST_LABEL` (a shrunk theme's labels are at their floor already)."""
        return max(SMALLEST_LABEL, self.label_size - by)


# The app's cards are 952 px wide at 1024x768 and 875 px (half) or 1800 px at 1920x1080.
SCREEN = Theme("screen", font_size=17, title_size=22, label_size=17, footer_size=13,
               min_width=860, footer_in_figure=False)
# A slide's chart is at least 980x650 px (1024x768, with a line of text under it) and
# 1860x920 at 1920x1080: drawn for 980x620, it fills the slide (``fixed_height``).
PRESENT = Theme("present", font_size=24, title_size=34, label_size=25, footer_size=16,
                height=620, text_colour="#000000", grid="#CCCCCC", line_width=4,
                margin_top=90, margin_bottom=80, margin_side=30, min_width=980,
                fixed_height=True)
EXPORT = Theme("export", font_size=24, title_size=34, label_size=24, footer_size=18,
               height=1080, width=1920, text_colour="#000000", line_width=4, margin_top=110,
               margin_bottom=100, margin_side=40, min_width=1920, fixed_height=True)

THEMES = {t.name: t for t in (SCREEN, PRESENT, EXPORT)}

# No text a chart draws is smaller: 14 px is what the back of the room reads on a 1024x768
# projector (the deck's charts are drawn at the pixels a 1024 px wide slide shows).
SMALLEST_LABEL = 14


SMALLEST_FONT = 15  # what a figure may shrink its type to, to fit a slide or an image


def shrunk(theme: Theme, factor: float) -> Theme:
    """The same theme with its chart type (not its title) ``factor`` times smaller, never
    below :data:`SMALLEST_FONT`: a dense chart that must fit a slide or an image."""
    def size(v: int) -> int:
        return max(SMALLEST_FONT, int(v * factor))

    return replace(theme, font_size=size(theme.font_size), label_size=size(theme.label_size),
                   base_font_size=theme.base_font_size or theme.font_size)


def sized(theme: Theme, height: int | None = None, width: int | None = None) -> Theme:
    """The same theme at another size."""
    return replace(theme, height=height or theme.height, width=width or theme.width,
                   min_width=width or theme.min_width)
