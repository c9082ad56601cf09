"""Output safety for files the project writes (CSV, Excel).

A text cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return)
is taken as a formula by Excel and LibreOffice; such cells get a leading apostrophe.
Numbers stay numbers.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell value that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
