"""Output safety for files the project writes (CSV, Excel).

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
is taken as a formula by Excel and LibreOffice; such cells get a leading apostrophe.
Numbers stay numbers.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell value that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


_NUMBER_TEXT = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")


def safe_csv_cell(value):
    """A CSV cell written as text: a number written out (``-12,5``) stays a number, any
    other text is :func:`safe_cell`."""
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        return value
    return safe_cell(value)
