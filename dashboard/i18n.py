"""What users read: texts in Swedish (default) and English, and number formats.

Swedish numbers are written ``1 234,5`` (a non-breaking space between thousands, a
decimal comma, ``−`` for minus) and percentages ``60 %``; English ``1,234.5`` and ``60%``.
Numbers, percentages, kronor, dates and month names come from Babel (CLDR's sv_SE and en),
rounded half up as Excel does.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date, get_month_names
from babel.numbers import format_currency, format_decimal, format_percent, get_minus_sign_symbol
from babel.support import Translations

from dashboard.domain.periods import Period, month_from_index, month_index

NBSP = "\u00a0"
LANGS = ("sv", "en")


# --------------------------------------------------------------------------- the catalogues
#
# Every text is in the gettext catalogues dashboard/locale/{sv,en}/LC_MESSAGES/messages.po
# under an id ``<namespace>.<key>`` (``export.no_browser``); the .mo files beside them are
# compiled with Babel (``make catalogues``) and committed. See docs/developers.md, "Texts".

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


@functools.cache
def catalogue(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` ("sv" or "en"), read once per process."""
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as f:
        return Translations(f, domain=DOMAIN)


def _text_lang(lang: str | None) -> str:
    return "sv" if lang == "sv" else "en"


def known(message_id: str) -> bool:
    """Whether ``message_id`` is in the catalogues."""
    return message_id in catalogue("sv")._catalog


def _(message_id: str, lang: str = "sv", **params) -> str:
    """The text ``message_id`` in ``lang`` (Swedish unless "en"), ``params`` filled in
    with str.format (a text without params is returned as it is, braces and all)."""
    text = catalogue(_text_lang(lang)).gettext(message_id)
    return text.format(**params) if params else text


def column_heads(message_id: str, lang: str = "sv") -> tuple[str, ...]:
    """A table's column heads: the texts ``message_id.0``, ``message_id.1`` ... in ``lang``."""
    heads = []
    while known(f"{message_id}.{len(heads)}"):
        heads.append(_(f"{message_id}.{len(heads)}", lang))
    return tuple(heads)


def ngettext(singular_id: str, plural_id: str, n: int, lang: str = "sv", **params) -> str:
    """The singular or plural text for ``n``, by the language's plural rule; ``n`` is
    among the params."""
    text = catalogue(_text_lang(lang)).ngettext(singular_id, plural_id, n)
    return text.format(n=n, **params)


# Month names from CLDR (Babel): "januari", "January"; short ones three letters without a
# dot, as on the axes: "jan", "mar", "jun" ("jan.", "mars", "juni" in CLDR's Swedish).
MONTHS = {lang: list(get_month_names("wide", locale=code).values())
          for lang, code in (("sv", "sv_SE"), ("en", "en"))}
MONTHS_SHORT = {lang: [name.rstrip(".")[:3]
                       for name in get_month_names("abbreviated", locale=code).values()]
                for lang, code in (("sv", "sv_SE"), ("en", "en"))}

def kind_label(kind: str | None, lang: str = "sv") -> str:
    """``lok`` -> ``Lokal överenskommelse``; another code as it is."""
    if not kind:
        return ""
    return _(f"kind.{kind}", lang) if known(f"kind.{kind}") else kind


STATUS = {"green": "✔", "amber": "▲", "red": "✖", "grey": "–"}

DIRECTIONS = ("increase", "decrease")

APP_NAME = "Samverkan"


def document_title(*parts: str | None, lang: str = "sv") -> str:
    """The browser's title: what is shown, then the app: ``Krami Stockholm 2023 – 2023 –
    Samverkan`` (``lang`` for symmetry; the app's name is the same in both)."""
    return " – ".join([*(p for p in parts if p), APP_NAME])


def lang_of(value: str | None) -> str:
    return value if value in LANGS else "sv"


def kpi_label(kpi: str, lang: str = "sv") -> str:
    if known(f"kpi.{kpi}"):
        return _(f"kpi.{kpi}", lang)
    return indicator_label(kpi, lang)


def target_label(kpi: str, lang: str = "sv", party: str | None = None,
                 role: str | None = None) -> str:
    """A target by name: ``Faktiska årsarbetskrafter – Kriminalvården``, and a target on one
    staffing role with that role, ``Faktiska årsarbetskrafter – vägledare`` (Krami's
    counsellor team and its administrator are two targets on one key figure)."""
    return " – ".join(p for p in (kpi_label(kpi, lang), party, role) if p)


def kolada_label(kpi: str, lang: str = "sv") -> str:
    """A Kolada key figure's name (``N03937``), its id where the catalogue has none."""
    return _(f"kolada.kpi.{kpi}", lang) if known(f"kolada.kpi.{kpi}") else f"Kolada {kpi}"


def indicator_label(name: str, lang: str = "sv") -> str:
    if name.startswith("kolada:"):  # a target on a Kolada key figure (contract section 9)
        return kolada_label(name.removeprefix("kolada:"), lang)
    if known(f"indicator.{name}"):
        return _(f"indicator.{name}", lang)
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def gender_label(code: str, lang: str = "sv") -> str:
    message_id = f"gender.{code or 'empty'}"
    return _(message_id, lang) if known(message_id) else code


def status_symbol(status: str) -> str:
    return STATUS.get(status, STATUS["grey"])


def status_word(status: str, lang: str = "sv", comparator: str | None = None) -> str:
    """The status in words, for the target's ``comparator``: amber is ``Nära målet`` for
    a minimum or maximum, ``Oförändrad`` for an increase or decrease."""
    if comparator in DIRECTIONS and known(f"status_directional.{status}"):
        return _(f"status_directional.{status}", lang)
    return _(f"status.{status if status in STATUS else 'grey'}", lang)


def status_label(status: str, lang: str = "sv", comparator: str | None = None) -> str:
    """Symbol and word, never colour alone: ``✔ Uppnått``, ``▲ Oförändrad``."""
    return f"{status_symbol(status)} {status_word(status, lang, comparator)}"


def status_key(statuses, lang: str = "sv", comparator: str | None = None) -> str:
    """What the symbols on a chart mean: ``Symbolerna: ✔ Uppnått, ▲ Nära målet``
    (the statuses given, in the order green, amber, red; grey is drawn without one)."""
    shown = [s for s in ("green", "amber", "red") if s in set(statuses)]
    if not shown:
        return ""
    return _("ui.status_key", lang,
             items=", ".join(status_label(s, lang, comparator) for s in shown))


def same_period_earlier(period: Period | str, lang: str = "sv") -> str:
    """What a directional target compares with: ``Samma kvartal året innan`` for a quarter,
    ``Föregående år`` for a year (``period`` is a :class:`Period` or its ``kind``)."""
    kind = period if isinstance(period, str) else period.kind
    message_id = f"same_period_earlier.{kind}"
    return _(message_id if known(message_id) else "same_period_earlier.range", lang)


# --------------------------------------------------------------------------- numbers
#
# Babel writes the numbers from CLDR's data for sv_SE and en: the group and decimal
# symbols, the minus sign, where the % and the currency go. Two things are ours: halves
# are rounded up as Excel does (Babel rounds half to even), and a "-0" is never shown.

LOCALES = {"sv": "sv_SE", "en": "en"}
_DIGITS = re.compile(r"[#0,.]+")


def csv_delimiter(lang: str) -> str:
    """The CSV separator a spreadsheet of ``lang`` reads: ``;`` where the decimal sign is a
    comma (Swedish Excel), else ``,``."""
    decimal = _locale(lang).number_symbols["latn"]["decimal"]
    return {",": ";"}.get(decimal, ",")


def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, "sv_SE"))


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _quantize(x, decimals: int) -> Decimal:
    """``x`` rounded half up to ``decimals`` places (never a negative zero)."""
    quantum = Decimal(1).scaleb(-decimals)
    value = Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(value) if value == 0 else value


def round_half_up(x, decimals: int = 0) -> float:
    """Round halves away from zero, as Excel does (Python's round() goes to even)."""
    return float(_quantize(x, decimals))


@functools.lru_cache(maxsize=64)
def _pattern(kind: str, decimals: int, lang: str) -> str:
    """The locale's number, percent or currency pattern with ``decimals`` fraction digits,
    and its negative form with the locale's minus sign (``−`` in Swedish)."""
    locale = _locale(lang)
    base = {"decimal": locale.decimal_formats, "percent": locale.percent_formats,
            "currency": locale.currency_formats}[kind]
    pattern = (base["standard"] if kind == "currency" else base[None]).pattern
    pattern = pattern.split(";")[0]
    digits = "#,##0" + ("." + "0" * decimals if decimals else "")
    if kind == "currency" and re.match(r"¤[#0]", pattern):
        # CLDR's currency spacing (Babel leaves it out): "SEK 1,234", not "SEK1,234".
        pattern = pattern.replace("¤", "¤" + NBSP, 1)
    minus = get_minus_sign_symbol(locale)
    positive = _DIGITS.sub(digits, pattern, count=1)
    negative = _DIGITS.sub(minus + digits, pattern, count=1)
    return f"{positive};{negative}"


def fmt_number(x, decimals: int = 0, lang: str = "sv", missing: str = "–") -> str:
    """``1234.5`` -> ``1 234,5`` (sv) or ``1,234.5`` (en)."""
    if _missing(x):
        return missing
    return format_decimal(_quantize(x, decimals), format=_pattern("decimal", decimals, lang),
                          locale=_locale(lang))


def fmt_auto(x, lang: str = "sv", missing: str = "–") -> str:
    """Whole numbers without decimals, others with one."""
    if _missing(x):
        return missing
    return fmt_number(x, 0 if float(x).is_integer() else 1, lang)


def fmt_percent(fraction, decimals: int = 0, lang: str = "sv", missing: str = "–") -> str:
    """``0.6`` -> ``60 %`` (sv) or ``60%`` (en)."""
    if _missing(fraction):
        return missing
    percent = _quantize(float(fraction) * 100, decimals)
    return format_percent(percent.scaleb(-2), format=_pattern("percent", decimals, lang),
                          locale=_locale(lang))


def fmt_sek(x, lang: str = "sv", missing: str = "–") -> str:
    """``24500`` -> ``24 500 kr`` (sv) or ``SEK 24,500`` (en): whole kronor."""
    if _missing(x):
        return missing
    return format_currency(_quantize(x, 0), "SEK", format=_pattern("currency", 0, lang),
                           locale=_locale(lang), currency_digits=False)


def fmt_fte(x, lang: str = "sv", missing: str = "–") -> str:
    if _missing(x):
        return missing
    return fmt_number(x, 1 if abs(float(x) * 10 - round(float(x) * 10)) < 1e-9 else 2, lang)


def fmt_value(x, unit: str, lang: str = "sv", missing: str = "–") -> str:
    """A key figure in its unit: count, share, fte, sek, percent, number."""
    if unit in ("share", "percent"):
        return fmt_percent(x, 1 if _has_tenths(x) else 0, lang, missing)
    if unit == "sek":
        return fmt_sek(x, lang, missing)
    if unit == "fte":
        return fmt_fte(x, lang, missing)
    return fmt_auto(x, lang, missing)


def _has_tenths(fraction) -> bool:
    return not _missing(fraction) and abs(round(fraction * 100) - fraction * 100) >= 0.05


# --------------------------------------------------------------------------- months, periods


def month_label(month: str, lang: str = "sv", short: bool = True, year: bool = True) -> str:
    """``2023-03`` -> ``mar 2023`` / ``mars 2023``."""
    names = MONTHS_SHORT if short else MONTHS
    name = names[lang][int(month[5:7]) - 1]
    return f"{name} {month[:4]}" if year else name


def value_period_words(value_period: str, period: Period, lang: str = "sv") -> str:
    """A partial value's months in words, with what of P is missing:
    ``2024-01..2024-09`` of 2024 -> ``jan–sep, kv. 4 saknas`` / ``Jan–Sep, Q4 missing``."""

    covered = Period.parse(value_period)
    same_year = covered.start[:4] == covered.end[:4] == period.start[:4] == period.end[:4]

    def months_text(start: str, end: str) -> str:
        if start == end:
            return month_label(start, lang, year=not same_year)
        return (f"{month_label(start, lang, year=not same_year)}–"
                f"{month_label(end, lang, year=not same_year)}")

    def part(start: str, end: str) -> str:
        first, last = int(start[5:7]), int(end[5:7])
        if start[:4] == end[:4] and first % 3 == 1 and last == first + 2:
            q = (first - 1) // 3 + 1
            text = _("ui.quarter_number", lang, q=q)
            return text if same_year else f"{text} {start[:4]}"
        return months_text(start, end)

    missing, run = [], []
    inside = {month_index(m) for m in covered.months}
    for i in range(month_index(period.start), month_index(period.end) + 1):
        if i in inside:
            if run:
                missing.append(run)
            run = []
        else:
            run.append(i)
    if run:
        missing.append(run)
    shown = months_text(covered.start, covered.end)
    if not missing:
        return shown
    parts = [part(month_from_index(r[0]), month_from_index(r[-1])) for r in missing]
    joined = _("ui.list_and", lang).join(parts)
    return _("ui.covers_months", lang, months=shown, missing=joined)


def period_label(period: Period, lang: str = "sv") -> str:
    """A period as people say it: ``2023``, ``jan–jun 2023``, ``mars 2023``."""
    start, end = period.start, period.end
    if period.kind == "year":
        return start[:4]
    if start.endswith("-01") and end.endswith("-12"):
        return f"{start[:4]}–{end[:4]}"  # whole years
    if start == end:
        return month_label(start, lang, short=False)
    if start[:4] == end[:4]:
        label = (f"{month_label(start, lang, year=False)}–"
                 f"{month_label(end, lang, year=False)} {start[:4]}")
        if period.kind == "quarter":
            q = period.text[-1]
            label += f" ({_('ui.quarter_number', lang, q=q)})"
        return label
    return f"{month_label(start, lang)}–{month_label(end, lang)}"


def swedish_time(iso: str) -> str:
    """An ISO time stamp with a zone, moved to Swedish time (unchanged without a zone)."""
    try:
        stamp = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if stamp.tzinfo is None:
        return iso
    try:
        from zoneinfo import ZoneInfo

        return stamp.astimezone(ZoneInfo("Europe/Stockholm")).isoformat()
    except Exception:  # no time zone data on the machine
        return iso


def period_tick(period: Period, lang: str = "sv") -> str:
    """A short two-line axis label: ``kv. 1<br>2023``, ``H1<br>2023``, ``jan<br>2023``."""
    year = period.start[:4]
    if period.kind == "year":
        return year
    if period.kind == "quarter":
        return f"{_('ui.quarter_number', lang, q=period.text[-1])}<br>{year}"
    if period.kind == "half":
        return f"H{period.text[-1]}<br>{year}"
    if period.kind == "month":
        return f"{MONTHS_SHORT[lang][int(period.start[5:7]) - 1]}<br>{year}"
    return period_label(period, lang)


def date_label(iso: str | None, lang: str = "sv") -> str:
    """``2026-11-23T23:30:00+00:00`` -> ``24 november 2026`` (the date in Sweden)."""
    if not iso:
        return _("ui.unknown", lang)
    iso = swedish_time(iso)
    try:
        day = dt.date(int(iso[:4]), int(iso[5:7]), int(iso[8:10]))
    except ValueError:
        return iso
    return format_date(day, "d MMMM y", locale=_locale(lang))
