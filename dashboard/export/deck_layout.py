"""The deck's geometry: a 16:9 slide shown 1024 px wide (a 1024×768 projector), the room
a chart has under its title and above its sentences, and the theme and image size a deck
chart is drawn in. The pack's contents (:mod:`.contents`) draw the deck's charts to it; the
deck (:mod:`.deck`) places them."""

from __future__ import annotations

import math
from dataclasses import replace

from pptx.util import Emu, Inches

from dashboard.export.images import ImageFormat
from dashboard.figures.slides import READABLE
from dashboard.figures.theme import PRESENT, Theme

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 inches: 16:9
SIDE = Inches(0.6)
NUMBER_BAND = Inches(0.32)

# The slide shown 1024 px wide (a 1024×768 projector): pixels per inch of the slide, and
# the smallest type any text may have there.
SHOWN_WIDTH_PX = 1024
PX_PER_INCH = SHOWN_WIDTH_PX / (WIDTH / 914400)  # 76.8
SMALLEST_PX = 14
SMALLEST_PT = 14  # >= 14 px at 1024 wide (13.125 pt would be exactly 14 px)
LINE_PT = 16  # the sentences under a chart
LINE_STEP = Inches(0.36)  # one such line, with its spacing
CHARS_PER_LINE = 90  # of LINE_PT text across the band (Calibri, about half an em a letter)
# Cost sharing on a deck slide shrinks its type no more than presentation mode's (its
# smallest stays 15 px, the theme's floor), and is shared out over more slides before.
DECK_READABLE = READABLE["present"]
IMAGE_SCALE = 1920 / SHOWN_WIDTH_PX  # the image 1920 px wide, sharp on a large screen


def _wrapped(lines: list[str]) -> int:
    """How many printed lines the sentences take under a chart."""
    return sum(max(1, math.ceil(len(line) / CHARS_PER_LINE)) for line in lines if line)


def chart_band(lines: list[str]) -> int:
    """The height (EMU) under a chart: its sentences, or the slide number alone."""
    n = _wrapped(lines)
    return Inches(0.2) + LINE_STEP * n if n else NUMBER_BAND


def chart_size_px(lines: list[str]) -> tuple[int, int]:
    """The chart's size in pixels of the slide shown 1024 px wide."""
    height = (HEIGHT - chart_band(lines)) / 914400 * PX_PER_INCH
    return SHOWN_WIDTH_PX, int(height)


def deck_theme(lines: list[str]) -> Theme:
    """The presentation theme at the size a chart has on a deck slide shown 1024 px wide
    (its CSS pixels are then the pixels seen), with ``lines`` of text under it."""
    width, height = chart_size_px(lines)
    return replace(PRESENT, width=width, min_width=width, height=height)


def deck_format(lines: list[str]) -> ImageFormat:
    """The image of a deck chart with ``lines`` under it: its theme's size, 1920 px wide."""
    width, height = chart_size_px(lines)
    return ImageFormat("deck", "png", IMAGE_SCALE, "png", width, height)
