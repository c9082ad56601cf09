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


SCREEN = Theme("screen", font_size=17, title_size=22, label_size=17, footer_size=13)
PRESENT = Theme("present", font_size=24, title_size=34, label_size=25, footer_size=16,
                height=620, text_colour="#000000", grid="#CCCCCC", line_width=4,
                margin_top=90, margin_bottom=80, margin_side=30)
EXPORT = Theme("export", font_size=24, title_size=34, label_size=24, footer_size=18,
               height=1080, width=1920, text_colour="#000000", line_width=4, margin_top=110,
               margin_bottom=100, margin_side=40)

THEMES = {t.name: t for t in (SCREEN, PRESENT, EXPORT)}


def sized(theme: Theme, height: int | None = None, width: int | None = None) -> Theme:
    """The same theme at another size."""
    return replace(theme, height=height or theme.height, width=width or theme.width)
