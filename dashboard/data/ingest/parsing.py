"""Read one cell as its contract type (contract.md section 1, "Types").

Each parser takes the raw value (text from a CSV file, or what Excel stored: a
number, a date, text) and returns the typed value, or raises :class:`CellError`
with a problem code. Conventions a Swedish data steward expects are accepted:
decimal comma, spaces (also non-breaking) as thousands separators, ``%`` signs,
``kr`` after amounts, and Excel date cells where a month was typed.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from dashboard.data.ingest.problems import show_value
from dashboard.data.ingest.readers import MAX_CELL_CHARS, PercentCell
from dashboard.domain.kolada import PREFIX, is_kpi
from dashboard.domain.periods import parse_period_or_none, valid_month
from dashboard.domain.places import MUNICIPALITIES
from dashboard.domain.schema import Kind

ID_MAX = 64
LABEL_MAX = 100
NUMBER_LIMIT = 1e12
COUNT_LIMIT = 2**31 - 1  # counts are INTEGER columns, on PostgreSQL 32 bits

_ID = re.compile(r"^[^\W_][\w\-]*$")  # starts with a letter or digit
_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_AS_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_DATE_TEXT = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(?: \d{3})+(?:[.,]\d+)?$")
_EXCEL_ERRORS = {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                 "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#UNKNOWN!",
                 "#SAKNAS!", "#DIVISION/0!", "#NAMN?", "#REFERENS!", "#VÄRDEFEL!", "#OGILTIGT!",
                 "#NOLL!"}
_MONEY_SUFFIX = re.compile(r"\s*(?:kr|sek|:-)\.?$", re.IGNORECASE)

GENDERS = {"k": "K", "kvinna": "K", "kvinnor": "K", "m": "M", "man": "M", "män": "M",
           "x": "X", "annat": "X", "okänt": "X"}
COMPARATORS = {">=": ">=", "≥": ">=", "=>": ">=", "<=": "<=", "≤": "<=", "=<": "<=",
               "increase": "increase", "öka": "increase", "ökning": "increase",
               "decrease": "decrease", "minska": "decrease", "minskning": "decrease"}


class CellError(ValueError):
    """A cell that cannot be read as its type; ``code`` names the problem."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _text(value) -> str:
    if isinstance(value, PercentCell):
        return f"{value.value * 100:g} %"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    return str(value).strip()


def check_excel_error(value) -> None:
    if isinstance(value, str) and value.strip().upper() in _EXCEL_ERRORS:
        raise CellError("excel_error", value=value.strip())


def parse_id(value) -> str:
    text = _text(value)
    if not _ID.match(text) or len(text) > ID_MAX:
        raise CellError("bad_id", value=show_value(text), limit=ID_MAX)
    return text


def parse_kpi(value) -> str:
    """A target's key figure: a code, or a Kolada key figure ``kolada:N03937`` (contract
    section 9), written with any case of the prefix."""
    text = _text(value)
    if text[:7].lower() == PREFIX and is_kpi(text[7:].upper()):
        return PREFIX + text[7:].upper()
    return parse_id(value)


def parse_text(value, limit: int = MAX_CELL_CHARS) -> str:
    text = _text(value)
    if len(text) > limit:
        raise CellError("too_long", length=len(text), limit=limit)
    return text


def parse_label(value) -> str:
    return re.sub(r"\s+", " ", parse_text(value, LABEL_MAX))


def parse_month(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        d = value.date() if isinstance(value, dt.datetime) else value
        has_time = isinstance(value, dt.datetime) and value.time() != dt.time(0)
        if d.day != 1 or has_time:
            raise CellError("month_is_date", value=_text(value))
        return f"{d.year:04d}-{d.month:02d}"
    text = _text(value)
    if m := _MONTH_TEXT.match(text):
        month = f"{m.group(1)}-{int(m.group(2)):02d}"
        if not valid_month(month):
            raise CellError("month_not_exist", value=show_value(text))
        return month
    if m := _MONTH_AS_DATE.match(text):
        month = f"{m.group(1)}-{m.group(2)}"
        if not valid_month(month):
            raise CellError("month_not_exist", value=show_value(text))
        if m.group(3) != "01":
            _check_date(text[:10])
            raise CellError("month_is_date", value=show_value(text))
        return month
    raise CellError("bad_month", value=show_value(text))


def _check_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise CellError("date_not_exist", value=show_value(text)) from None


def parse_date(value) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _text(value)
    if m := _DATE_TEXT.match(text):
        return _check_date(f"{m.group(1)}-{m.group(2)}-{m.group(3)}")
    raise CellError("bad_date", value=show_value(text))


def parse_number(value, decimal_comma: bool = True) -> tuple[float, bool]:
    """A decimal and whether it was written as a percentage (then already divided by 100)."""
    if isinstance(value, PercentCell):
        return _finite(value.value, value), True
    if isinstance(value, bool):
        raise CellError("bad_number", value=str(value))
    if isinstance(value, int) and abs(value) > NUMBER_LIMIT:
        # Checked before float(): a 400-digit whole number does not fit a float at all.
        raise CellError("number_too_large", value=show_value(value))
    if isinstance(value, int | float):
        return _finite(float(value), value), False
    if isinstance(value, dt.date | dt.datetime | dt.time):
        raise CellError("bad_number", value=_text(value))
    text = str(value).strip().replace("\u00a0", " ").replace("\u202f", " ").replace("\u2212", "-")
    text = _MONEY_SUFFIX.sub("", text)
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    if not (_PLAIN_NUMBER.match(text) or _GROUPED_NUMBER.match(text)):
        raise CellError("bad_number", value=show_value(value))
    digits = text.replace(" ", "")
    if "," in digits and not decimal_comma and re.search(r",\d{3}$", digits):
        # "1,500" in a comma-separated file could be one and a half or fifteen hundred.
        raise CellError("bad_number", value=show_value(value))
    number = _finite(float(digits.replace(",", ".")), value)
    # Rounded so that "1,4 %" is 0.014, not 0.013999999999999999.
    return (round(number / 100.0, 12), True) if percent else (number, False)


def _finite(number: float, shown) -> float:
    if math.isnan(number) or math.isinf(number):
        raise CellError("bad_number", value=show_value(_text(shown)))
    if abs(number) > NUMBER_LIMIT:
        raise CellError("number_too_large", value=show_value(_text(shown)))
    return number


def parse_count(value, decimal_comma: bool = True) -> int:
    if isinstance(value, PercentCell):
        raise CellError("bad_count", value=_text(value))
    try:
        number, percent = parse_number(value, decimal_comma)
    except CellError as err:
        if err.code == "bad_number":
            raise CellError("bad_count", **err.params) from None
        raise
    if percent or not float(number).is_integer():
        raise CellError("bad_count", value=show_value(_text(value)))
    if number < 0:
        raise CellError("negative_count", value=int(number))
    if number > COUNT_LIMIT:
        raise CellError("number_too_large", value=show_value(_text(value)))
    return int(number)


def parse_fte(value, decimal_comma: bool = True) -> float:
    number, percent = parse_number(value, decimal_comma)
    if percent:
        raise CellError("bad_number", value=show_value(_text(value)))
    if number < 0:
        raise CellError("negative_fte", value=_text(value))
    return number


def parse_money(value, decimal_comma: bool = True) -> float:
    number, percent = parse_number(value, decimal_comma)
    if percent:
        raise CellError("bad_number", value=show_value(_text(value)))
    return number


def share_from(number: float, percent: bool, shown) -> float:
    """A share as a fraction: ``%`` means a percentage; else 0..1 a fraction, 1..100 percent."""
    if percent:
        fraction = number
    elif 0 <= number <= 1:
        fraction = number
    elif 1 < number <= 100:
        fraction = round(number / 100.0, 12)
    else:
        raise CellError("bad_share", value=show_value(_text(shown)))
    if not 0 <= fraction <= 1:
        raise CellError("bad_share", value=show_value(_text(shown)))
    return fraction


def parse_share(value, decimal_comma: bool = True) -> float:
    try:
        number, percent = parse_number(value, decimal_comma)
    except CellError as err:
        if err.code == "bad_number":
            raise CellError("bad_share", **err.params) from None
        raise
    return share_from(number, percent, value)


def parse_gender(value) -> str:
    text = _text(value).lower()
    if text not in GENDERS:
        raise CellError("bad_gender", value=show_value(_text(value)))
    return GENDERS[text]


def parse_comparator(value) -> str:
    text = _text(value).lower().replace(" ", "")
    if text not in COMPARATORS:
        raise CellError("bad_comparator", value=show_value(_text(value)))
    return COMPARATORS[text]


def parse_period(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return parse_month(value)
    text = _text(value)
    if m := _MONTH_AS_DATE.match(text):
        if m.group(3) == "01":
            return parse_month(text)
    period = parse_period_or_none(text)
    if period is None or period.kind == "range":
        raise CellError("bad_period", value=show_value(text))
    return period.text


_MUNICIPALITY = re.compile(r"^\d{3,4}$")


def parse_municipalities(value) -> str:
    """SCB municipality codes, ``0180;1280``: four digits each, ``;`` (or ``,`` or spaces)
    between them. Excel drops a leading zero from a code typed as a number (``180``), so
    three digits get it back. Each must be one of SCB's municipalities."""
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise CellError("bad_municipalities", value=show_value(_text(value)))
    text = _text(value)
    codes: list[str] = []
    for part in re.split(r"[;,\s]+", text):
        if not part:
            continue
        if not _MUNICIPALITY.match(part):
            raise CellError("bad_municipalities", value=show_value(part))
        code = part.zfill(4)
        if code not in MUNICIPALITIES:
            raise CellError("bad_municipalities", value=show_value(part))
        if code not in codes:
            codes.append(code)
    if not codes:
        raise CellError("bad_municipalities", value=show_value(text))
    return ";".join(codes)


def parse_cell(kind: Kind, value, decimal_comma: bool = True):
    """Dispatch on the column's kind. ``NUMBER`` returns ``(value, is_percent)``."""
    check_excel_error(value)
    match kind:
        case Kind.ID:
            return parse_id(value)
        case Kind.KPI:
            return parse_kpi(value)
        case Kind.TEXT:
            return parse_text(value)
        case Kind.LABEL:
            return parse_label(value)
        case Kind.MONTH:
            return parse_month(value)
        case Kind.DATE:
            return parse_date(value)
        case Kind.COUNT:
            return parse_count(value, decimal_comma)
        case Kind.FTE:
            return parse_fte(value, decimal_comma)
        case Kind.MONEY:
            return parse_money(value, decimal_comma)
        case Kind.SHARE:
            return parse_share(value, decimal_comma)
        case Kind.NUMBER:
            return parse_number(value, decimal_comma)
        case Kind.GENDER:
            return parse_gender(value)
        case Kind.COMPARATOR:
            return parse_comparator(value)
        case Kind.PERIOD:
            return parse_period(value)
        case Kind.MUNICIPALITIES:
            return parse_municipalities(value)
    raise AssertionError(kind)
