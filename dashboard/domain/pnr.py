"""Detect Swedish personal identity numbers (personnummer, samordningsnummer) in text.

The dashboard holds aggregates only, so any cell, heading, sheet or file name that looks
like one refuses the import (contract.md section 6); other parts of the app call
:func:`contains_identity_number` on free text (notes, names) for the same reason.

**Normalise first** (:func:`normalise`): Unicode NFKC (full-width digits become ASCII),
format characters removed (category Cf: zero-width space and joiners, soft hyphen, BOM,
direction marks), every dash and minus sign becomes ``-``, every kind of space
(non-breaking, narrow, tab, line break) becomes a space, digits of other scripts become
ASCII digits.

**Then test.** A match needs all of:

* 10 digits ``YYMMDDNNNC`` or 12 digits with a century of 18, 19 or 20 written right
  before the year (``YYYYMMDDNNNC``); no digit directly before or after;
* between the year, month and day, nothing or one separator: ``-``, ``.``, ``/``,
  ``_`` or up to two spaces, optionally with up to two spaces around it
  (``81 12 18``, ``81-12-18``, ``1981.12.18``); before the last four digits the same,
  or ``+`` (100 years or older); the last four digits are written together;
* a date that exists, where a samordningsnummer adds 60 to the day (61–91);
* a correct Luhn check digit over the ten digits ``YYMMDDNNNC``.

Look-alikes that do not match: organisation numbers (month part 20 or more, e.g.
212000-0142), dates (2023-01-01), amounts with thousands separators, phone numbers in
their usual forms, and decimals: ``811218.9876`` (six digits, a point, four digits and
nothing else between) is a decimal number, as is a candidate right after a decimal point
(``0.8112189876``) or followed by one (``811218-9876.5``); a candidate followed by a
separator and more digits (``2023-01-01 - 2023-12-31``) is a range, not a number.

**Typed text** (``typed=True``: everything a person writes into the dashboard, contract
section 6, amended): a dot is a separator like any other, so ``811218.9876``,
``19811218.9876`` and ``0.8112189876`` are identity numbers there (a comma is still a
decimal comma, and a range such as ``2023.01.01 - 2023.12.31`` is still a range).

:func:`identity_number_cells` tests many texts at once (a column of a table): one pass
of a loose pattern over all of them finds the few that can hold a number at all (a run
of at least ten digits and separators), and only those are tested exactly.
"""

from __future__ import annotations

import bisect
import calendar
import re
import unicodedata
from collections.abc import Sequence

__all__ = ["cell_text", "contains_identity_number", "identity_number_cells", "in_typed_text",
           "looks_like_identity_number", "luhn_ok", "normalise"]

# Other minus signs than the dash punctuation (category Pd) that NFKC leaves alone.
_MINUS_SIGNS = {"\u2212", "\u2796", "\u02d7", "\u2043", "\u2e3a", "\u2e3b"}


class _Unify(dict):
    """``str.translate`` table, filled on demand: format characters removed, dashes to
    ``-``, spaces to `` ``, decimal digits of any script to ASCII digits."""

    def __missing__(self, code: int):
        ch = chr(code)
        category = unicodedata.category(ch)
        if category == "Cf":
            value = None
        elif category == "Pd" or ch in _MINUS_SIGNS:
            value = "-"
        elif category in ("Zs", "Zl", "Zp") or ch.isspace():
            value = " "
        elif category == "Nd":
            value = str(unicodedata.decimal(ch))
        else:
            value = code
        self[code] = value
        return value


_UNIFY = _Unify()


def normalise(text: str) -> str:
    """``text`` as the detector reads it: NFKC, no format characters, one dash, one space.

    ASCII text is returned as it is (the patterns below treat every ASCII space alike).
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_UNIFY)


# After normalisation. A space is any ASCII whitespace; a separator between the parts of
# the date, or before the last four digits, is one of - . / _ with up to two spaces
# around it, or one or two spaces.
_SP = r"[\t-\r\x1c-\x20]"
_SEP = rf"(?:{_SP}{{0,2}}[-./_]{_SP}{{0,2}}|{_SP}{{1,2}})"
_CANDIDATE = re.compile(
    rf"(?<![0-9])(?<![0-9][.,])"  # no digit right before, nor a decimal point after one
    rf"(?P<century>1[89]|20)?(?P<yy>[0-9]{{2}})(?P<s1>{_SEP}?)(?P<mm>[0-9]{{2}})"
    rf"(?P<s2>{_SEP}?)(?P<dd>[0-9]{{2}})"
    rf"(?P<s3>{_SEP}|{_SP}{{0,2}}\+{_SP}{{0,2}})?(?P<serial>[0-9]{{4}})"
    rf"(?![0-9])(?![.,][0-9])(?!{_SP}{{0,2}}[-./_]{_SP}{{0,2}}[0-9])"
)
# Typed text: a dot is a separator, never a decimal point (a comma still is one).
_CANDIDATE_TYPED = re.compile(
    rf"(?<![0-9])(?<![0-9],)"
    rf"(?P<century>1[89]|20)?(?P<yy>[0-9]{{2}})(?P<s1>{_SEP}?)(?P<mm>[0-9]{{2}})"
    rf"(?P<s2>{_SEP}?)(?P<dd>[0-9]{{2}})"
    rf"(?P<s3>{_SEP}|{_SP}{{0,2}}\+{_SP}{{0,2}})?(?P<serial>[0-9]{{4}})"
    rf"(?![0-9])(?!,[0-9])(?!{_SP}{{0,2}}[-./_]{_SP}{{0,2}}[0-9])"
)
# A run of at least ten digits, spaces and separators that starts with a digit: every
# candidate above lies in one. Cheap to find, so it is looked for first.
_LOOSE = re.compile(r"[0-9][0-9\t-\r\x1c-\x20./_+-]{9,}")


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


def _is_identity(m: re.Match, typed: bool = False) -> bool:
    century, yy, mm, dd = m.group("century", "yy", "mm", "dd")
    s1, s2, s3 = m.group("s1", "s2", "s3")
    if s3 == "." and not s1 and not s2 and not typed:
        return False  # 811218.9876: a decimal number (in a cell, not in typed text)
    year = int(century + yy) if century else None
    if not _date_ok(year, int(yy), int(mm), int(dd)):
        return False
    return luhn_ok(yy + mm + dd + m.group("serial"))


def _search(text: str, typed: bool = False) -> bool:
    """True if the normalised ``text`` holds an identity number."""
    pattern = _CANDIDATE_TYPED if typed else _CANDIDATE
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        if _is_identity(m, typed):
            return True
        pos = m.start() + 1  # a later candidate may overlap a rejected one
    return False


def contains_identity_number(text, *, typed: bool = False) -> bool:
    """True if ``text`` holds something that looks like a personal identity number,
    however it is written (see the module's description). Numbers are read as
    :func:`cell_text` reads them; anything else that is not text is never one.

    ``typed``: ``text`` is what a person wrote (a login, a name, a comment): a dot is a
    separator there, so ``811218.9876`` is an identity number, not a decimal."""
    if not isinstance(text, str):
        text = cell_text(text)
    if not text or len(text) < 10:
        return False
    text = normalise(text)
    return _LOOSE.search(text) is not None and _search(text, typed)


def in_typed_text(text: str | None) -> bool:
    """True if what a person typed holds an identity number (a dot is a separator)."""
    return contains_identity_number(text, typed=True) if text else False


# The name the importer has always used; the same function.
looks_like_identity_number = contains_identity_number


def identity_number_cells(texts: Sequence[str | None]) -> list[int]:
    """The positions in ``texts`` (``None`` for an empty cell) that hold an identity
    number: :func:`contains_identity_number` for many texts at once, fast when few do."""
    if not texts:
        return []
    plain = ["" if t is None else t for t in texts]
    joined = "\x00".join(plain)
    if not joined.isascii():
        plain = [t if t.isascii() else normalise(t) for t in plain]
        joined = "\x00".join(plain)
    if _LOOSE.search(joined) is None:
        return []
    # Start of each text in ``joined``, to tell which text a loose match lies in.
    starts, at = [], 0
    for t in plain:
        starts.append(at)
        at += len(t) + 1
    found: list[int] = []
    pos = 0
    while (m := _LOOSE.search(joined, pos)) is not None:
        i = bisect.bisect_right(starts, m.start()) - 1
        if _search(plain[i]):
            found.append(i)
        pos = starts[i] + len(plain[i]) + 1  # on to the next text
    return found


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


def loggable_file_name(name: str | None) -> str | None:
    """A file name as a log may keep it: ``None`` when it holds an identity number."""
    if not name or contains_identity_number(name):
        return None
    return name[:200]
