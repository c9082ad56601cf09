"""A target and its comparison in words (``minst 80``, ``Samma kvartal året innan: 11``):
the same on the screen, on the slides and in the documents."""

from __future__ import annotations

from dashboard.domain.kpis import KpiValue
from dashboard.domain.periods import Period, parse_period_or_none
from dashboard.i18n import _, fmt_value, period_label, same_period_earlier


def target_words(v: KpiValue, lang: str) -> str:
    """``minst 80`` / ``högst 200 000 kr`` / ``ska öka mot föregående år``."""
    if v.comparator in (">=", "<="):
        word = _("ui.minimum" if v.comparator == ">=" else "ui.maximum", lang)
        unit = "share" if v.unit in ("share", "percent") else v.unit
        return f"{word} {fmt_value(v.target, unit, lang)}"
    if v.comparator in ("increase", "decrease"):
        text = _(f"ui.{v.comparator}", lang)
        if v.target:
            unit = "share" if v.unit in ("share", "percent") else v.unit
            text += f" ({_('ui.minimum', lang)} {fmt_value(v.target, unit, lang)})"
        return text
    return _("ui.no_target", lang)


def previous_words(v: KpiValue, lang: str) -> str:
    """``Samma kvartal året innan: 11``: what an increase/decrease target compares with."""
    if v.comparator not in ("increase", "decrease"):
        return ""
    return f"{earlier_words(v, lang)}: {fmt_value(v.previous, v.unit, lang)}"


def earlier_words(v: KpiValue, lang: str) -> str:
    """The same period a year earlier, for the period the value is of (``value_period``
    where the figure is the latest period inside P)."""
    period = parse_period_or_none(getattr(v, "value_period", None) or v.period)
    return same_period_earlier(period or "range", lang)


def strip_period(period: Period, lang: str) -> str:
    """A strip's period, short: ``kv. 1 2023`` / ``Q1 2023``, ``H1 2023``, ``2023``."""
    year = period.start[:4]
    if period.kind == "quarter":
        return _("ui.quarter_short", lang, q=period.text[-1], year=year)
    if period.kind == "half":
        return f"H{period.text[-1]} {year}"
    if period.kind == "year":
        return year

    return period_label(period, lang)
