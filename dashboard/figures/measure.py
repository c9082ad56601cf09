"""How much room a text takes, in pixels, before the browser draws it.

The figure layer reserves room for every text (margins, legend rows, labels beside bars,
footers) instead of letting plotly.js push things around after the fact. Widths come from
:mod:`metrics` (the advance widths of the theme's font, measured in Chromium), so a
label measured here is the label drawn by the app, presentation mode and kaleido alike.

Texts may carry plotly's little markup: ``<b>``, ``<br>``, ``<span style='font-size:
0.85em'>`` and HTML entities (``&lt;``, ``&amp;``); they are measured as drawn.
"""

from __future__ import annotations

import html
import re

from dashboard.figures.metrics import BOLD, REGULAR

UNKNOWN = 0.62  # a character not in the tables (an average wide letter)
SAFETY = 1.03  # kerning and rounding: never measure a text narrower than it is
LINE = 1.3  # a line of text is this many font sizes high (plotly's line spacing)

_TAG = re.compile(r"<(/?)(b|span|br|i|sup|sub)([^>]*)>", re.IGNORECASE)
_EM = re.compile(r"font-size:\s*([0-9.]+)(em|px)")


def _plain_width(text: str, bold: bool) -> float:
    table = BOLD if bold else REGULAR
    return sum(table.get(ch, UNKNOWN) for ch in text)


def lines(text: str) -> list[str]:
    """The lines of a text as plotly draws them (``<br>`` breaks a line)."""
    return re.split(r"<br\s*/?>", str(text), flags=re.IGNORECASE)


def line_width(line: str, size: float, bold: bool = False) -> float:
    """Pixels one line (no ``<br>``) takes in font ``size``, markup taken into account."""
    width = 0.0
    scale = [1.0]
    weight = [bold]
    pos = 0
    for m in _TAG.finditer(line):
        width += _plain_width(html.unescape(line[pos:m.start()]), weight[-1]) * size * scale[-1]
        pos = m.end()
        closing, tag = m.group(1), m.group(2).lower()
        if tag == "b":
            if closing:
                if len(weight) > 1:
                    weight.pop()
            else:
                weight.append(True)
        elif tag == "span":
            if closing:
                if len(scale) > 1:
                    scale.pop()
            else:
                em = _EM.search(m.group(3) or "")
                if em is None:
                    scale.append(scale[-1])
                elif em.group(2) == "em":
                    scale.append(scale[-1] * float(em.group(1)))
                else:
                    scale.append(float(em.group(1)) / size)
    width += _plain_width(html.unescape(line[pos:]), weight[-1]) * size * scale[-1]
    return width * SAFETY


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Pixels the widest line of ``text`` takes in font ``size``."""
    return max((line_width(part, size, bold) for part in lines(text)), default=0.0)


def text_height(text: str, size: float) -> float:
    """Pixels the lines of ``text`` take, one above the other."""
    return len(lines(text)) * size * LINE


def wrap_words(text: str, size: float, width: float, bold: bool = False,
               separators: tuple[str, ...] = (" · ", " – ", " ")) -> list[str]:
    """``text`` (plain, no markup) in lines no wider than ``width`` px.

    Breaks at the first of ``separators`` that makes every line fit (a footer breaks at
    its " · ", a long subtitle at its " – " before its words), filling each line as far
    as it goes; a " · " or a space at a break is dropped, a dash stays at the line's end.
    A single word wider than ``width`` stays whole.
    """
    if line_width(text, size, bold) <= width:
        return [text]
    for n, sep in enumerate(separators):
        if sep not in text and n < len(separators) - 1:
            continue
        out: list[str] = []
        current = ""
        for part in text.split(sep):
            candidate = f"{current}{sep}{part}" if current else part
            if line_width(candidate, size, bold) <= width or not current:
                current = candidate
            else:
                out.append(current + (sep.rstrip() if sep.strip() not in ("·", "") else ""))
                current = part
        if current:
            out.append(current)
        if all(line_width(line, size, bold) <= width for line in out) or \
                n == len(separators) - 1:
            return out
    return [text]
