"""Detect Swedish personal identity numbers (personnummer, samordningsnummer) in text.

The dashboard holds aggregates only, so any cell that looks like one refuses the import.
A match needs all of:

* 10 digits (``YYMMDD-NNNN``, ``YYMMDD+NNNN``, ``YYMMDDNNNN``) or 12 digits with a
  century of 18, 19 or 20 (``YYYYMMDD-NNNN``, ``YYYYMMDDNNNN``); the separator may be
  ``-``, ``+``, a space or nothing; no digit directly before or after;
* a date that exists, where a samordningsnummer adds 60 to the day (61–91);
* a correct Luhn check digit over the ten digits ``YYMMDDNNNC``.

Organisation numbers (month part 20 or more, e.g. 212000-0142), dates, amounts with
thousands separators and phone numbers in their usual forms do not match.
"""

from __future__ import annotations

import calendar
import re

_CANDIDATE = re.compile(
    r"(?<![\d])((?:18|19|20)?\d{6})([-+ ]?)(\d{4})(?![\d])"
)


def luhn_ok(digits: str) -> bool:
    """Luhn check over a string of digits (the last one is the check digit)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _date_ok(year: int | None, yy: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    if day > 60:  # samordningsnummer
        day -= 60
    if day < 1:
        return False
    if year is None:
        # Two-digit year: allow 29 February when some century makes it a leap year.
        leap = yy % 4 == 0
        limit = 29 if (month == 2 and leap) else calendar.monthrange(2001, month)[1]
        return day <= limit
    return day <= calendar.monthrange(year, month)[1]


def _is_identity(date_part: str, tail: str) -> bool:
    year = None
    if len(date_part) == 8:
        year = int(date_part[:4])
        date_part = date_part[2:]
    yy, mm, dd = int(date_part[:2]), int(date_part[2:4]), int(date_part[4:6])
    if not _date_ok(year, yy, mm, dd):
        return False
    return luhn_ok(date_part + tail)


def looks_like_identity_number(text: str) -> bool:
    """True if ``text`` holds something that looks like a personal identity number."""
    if not text or len(text) < 10:
        return False
    for m in _CANDIDATE.finditer(text):
        date_part, _sep, tail = m.group(1), m.group(2), m.group(3)
        if _is_identity(date_part, tail):
            return True
        # A 12-digit run may also hold a 10-digit number after two leading digits that
        # are not a century (e.g. "00811218-9876"); the lookbehind forbids that, which
        # is what we want: such runs are not identity numbers in any written form.
    return False


def cell_text(value) -> str | None:
    """The text of a cell to scan: strings as they are, whole numbers without decimals."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e13:
            return str(int(value))
        return None
    return None
