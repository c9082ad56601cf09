"""Periods of contract.md section 2: year, half, quarter, month and month range.

A period is stored as its first and last month (``YYYY-MM`` strings); the text the
user typed is kept so that output can echo "P as asked".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_YEAR = re.compile(r"^(\d{4})$")
_HALF = re.compile(r"^(\d{4})-[Hh]([12])$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2})\s*\.\.\s*(\d{4}-\d{2})$")


class PeriodError(ValueError):
    """The text is not a period of the contract."""


def month_index(month: str) -> int:
    """``'2023-03'`` -> a running month number (year * 12 + month - 1)."""
    year, mon = int(month[:4]), int(month[5:7])
    return year * 12 + mon - 1


def month_from_index(index: int) -> str:
    """Inverse of :func:`month_index`."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift_month(month: str, months: int) -> str:
    """Move a ``YYYY-MM`` month by a number of months (negative: back)."""
    return month_from_index(month_index(month) + months)


def valid_month(text: str) -> bool:
    """True if ``text`` is ``YYYY-MM`` with a month that exists."""
    m = _MONTH.match(text)
    return bool(m) and 1 <= int(m.group(2)) <= 12 and int(m.group(1)) >= 1900


@dataclass(frozen=True)
class Period:
    """A span of whole months, from ``start`` to ``end`` inclusive."""

    start: str
    end: str
    text: str

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``YYYY``, ``YYYY-Hn``, ``YYYY-Qn``, ``YYYY-MM`` or ``YYYY-MM..YYYY-MM``."""
        raw = (text or "").strip()
        if m := _YEAR.match(raw):
            y = m.group(1)
            return cls(f"{y}-01", f"{y}-12", raw)
        if m := _HALF.match(raw):
            y, h = m.group(1), int(m.group(2))
            first = 1 if h == 1 else 7
            return cls(f"{y}-{first:02d}", f"{y}-{first + 5:02d}", raw.upper())
        if m := _QUARTER.match(raw):
            y, q = m.group(1), int(m.group(2))
            first = 3 * (q - 1) + 1
            return cls(f"{y}-{first:02d}", f"{y}-{first + 2:02d}", raw.upper())
        if _MONTH.match(raw):
            if not valid_month(raw):
                raise PeriodError(raw)
            return cls(raw, raw, raw)
        if m := _RANGE.match(raw):
            start, end = m.group(1), m.group(2)
            if not (valid_month(start) and valid_month(end)) or start > end:
                raise PeriodError(raw)
            return cls(start, end, f"{start}..{end}")
        raise PeriodError(raw)

    @classmethod
    def of_months(cls, start: str, end: str) -> Period:
        """The period spanning two months, written in its shortest form."""
        return cls.parse(canonical_text(start, end))

    @property
    def months(self) -> list[str]:
        """Every month of the period, in order."""
        return [month_from_index(i) for i in range(month_index(self.start),
                                                    month_index(self.end) + 1)]

    @property
    def first_day(self) -> str:
        return f"{self.start}-01"

    @property
    def last_day(self) -> str:
        """The last date of the period, ``YYYY-MM-DD`` (the date targets are read at)."""
        year, mon = int(self.end[:4]), int(self.end[5:7])
        return f"{self.end}-{calendar.monthrange(year, mon)[1]:02d}"

    @property
    def kind(self) -> str:
        """``year``, ``half``, ``quarter``, ``month`` or ``range``."""
        t = self.text
        if _YEAR.match(t):
            return "year"
        if _HALF.match(t):
            return "half"
        if _QUARTER.match(t):
            return "quarter"
        if _MONTH.match(t):
            return "month"
        return "range"

    def year_earlier(self) -> Period:
        """The same period a year earlier: both ends shifted by twelve months."""
        start, end = shift_month(self.start, -12), shift_month(self.end, -12)
        if self.kind == "range":
            return Period(start, end, f"{start}..{end}")
        year = str(int(self.text[:4]) - 1)
        return Period(start, end, year + self.text[4:])

    def same_span(self, other: Period) -> bool:
        """True if both periods cover exactly the same months."""
        return (self.start, self.end) == (other.start, other.end)

    def __str__(self) -> str:
        return self.text


def canonical_text(start: str, end: str) -> str:
    """The shortest contract text for a month span (``2023``, ``2023-Q2``, ...)."""
    y1, m1 = int(start[:4]), int(start[5:7])
    y2, m2 = int(end[:4]), int(end[5:7])
    if start == end:
        return start
    if y1 == y2:
        if (m1, m2) == (1, 12):
            return f"{y1}"
        if (m1, m2) in ((1, 6), (7, 12)):
            return f"{y1}-H{1 if m1 == 1 else 2}"
        if m1 % 3 == 1 and m2 == m1 + 2:
            return f"{y1}-Q{(m1 - 1) // 3 + 1}"
    return f"{start}..{end}"


def parse_period_or_none(text: str | None) -> Period | None:
    """Like :meth:`Period.parse` but ``None`` for text that is not a period."""
    try:
        return Period.parse(text or "")
    except PeriodError:
        return None
