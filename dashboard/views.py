"""What one view (agreement or cluster, one period) needs, read and computed once.

Pages, presentation mode and exports all start from :func:`build_view`: it reads one
agreement's rows (the period and the same period a year earlier) in one snapshot,
computes the key figures, and knows the view's titles, footer and completeness notes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from . import repository
from .i18n import date_label, kpi_label, period_label, t
from .kpis import KPI_NAMES, AgreementData, KpiValue, compute_kpis
from .periods import Period, PeriodError, canonical_text, month_index, parse_period_or_none
from .series import (
    BREAKDOWNS,
    Note,
    available_breakdowns,
    cluster_names,
    completeness,
)

SYNTHETIC_MARKERS = ("syntetisk", "synthetic")


@dataclass
class View:
    """One agreement (or one of its clusters) for one period."""

    data: AgreementData
    period: Period
    cluster_id: str | None
    breakdown: str
    lang: str
    values: list[KpiValue]
    span: tuple[str, str] | None
    notes: list[Note] = field(default_factory=list)
    period_was_invalid: bool = False

    # ------------------------------------------------------------------ names

    @property
    def agreement_id(self) -> str:
        return self.data.agreement_id

    @property
    def agreement_name(self) -> str:
        return self.data.agreement["name"]

    @property
    def cluster_name(self) -> str | None:
        if self.cluster_id is None:
            return None
        return cluster_names(self.data).get(self.cluster_id, self.cluster_id)

    @property
    def where(self) -> str:
        """``Krami Stockholm 2023`` or ``Järva – Stockholms stad – AF 2023``."""
        if self.cluster_id is None:
            return self.agreement_name
        return f"{self.cluster_name} – {self.agreement_name}"

    @property
    def period_text(self) -> str:
        return period_label(self.period, self.lang)

    def title(self, what: str) -> str:
        """What, where and when: ``Beläggning – Krami Stockholm 2023 – jan–jun 2023``."""
        return f"{what} – {self.where} – {self.period_text}"

    # ------------------------------------------------------------------ data as of

    @property
    def data_as_of(self) -> str | None:
        imports = self.data.imports
        if imports.empty:
            return None
        return str(max(imports["imported_at"]))

    @property
    def sources(self) -> list[str]:
        imports = self.data.imports
        if imports.empty:
            return []
        return list(dict.fromkeys(reversed(list(imports["file_name"]))))

    @property
    def synthetic(self) -> bool:
        text = (self.data.agreement.get("description") or "").lower()
        return any(m in text for m in SYNTHETIC_MARKERS)

    def footer(self, n: int | None = None, extra: str | None = None) -> str:
        """``Data per 23 november 2026 · Källa: krami.xlsx · n = 14 som fullföljt``."""
        lang = self.lang
        parts = [f"{t('data_as_of', lang)} {date_label(self.data_as_of, lang)}"]
        sources = self.sources
        if sources:
            shown = ", ".join(sources[:2]) + (" …" if len(sources) > 2 else "")
            parts.append(f"{t('source', lang)}: {shown}")
        if self.synthetic:
            parts.append(t("synthetic", lang))
        if n is not None:
            parts.append(t("n_completed", lang, n=n))
        if extra:
            parts.append(extra)
        return " · ".join(parts)

    # ------------------------------------------------------------------ figures

    def scope_values(self) -> list[KpiValue]:
        return [v for v in self.values if v.cluster_id == self.cluster_id]

    def value(self, kpi: str, party: str | None = None,
              cluster: str | None | type(...) = ...) -> KpiValue | None:
        scope = self.cluster_id if cluster is ... else cluster
        for v in self.values:
            if v.kpi == kpi and v.party_id == party and v.cluster_id == scope:
                return v
        return None

    def targets(self) -> list[KpiValue]:
        """The figures of this scope that have a target, in output order."""
        return [v for v in self.scope_values() if v.comparator is not None]

    def status_counts(self) -> Counter:
        return Counter(v.status for v in self.targets())

    @property
    def breakdowns(self) -> list[str]:
        return available_breakdowns(self.data)

    def kpi_label(self, kpi: str) -> str:
        return kpi_label(kpi, self.lang)

    def sub_period_text(self) -> dict[str, str]:
        """For indicators with no value for exactly P: their values inside P, in words.

        ``{"inom_90_dagar_andel": "kv. 1: 100 %, kv. 2: 92,9 %, …"}`` (the contract's
        figure is for exactly P; these tell the room what the quarters said).
        """
        from .i18n import fmt_value, period_tick
        from .series import indicator_series

        out = {}
        for v in self.scope_values():
            if v.value is not None or v.kpi in KPI_NAMES:
                continue
            s = indicator_series(self.data.indicators, v.kpi, self.cluster_id, self.period)
            inside = s[s["current"]] if not s.empty else s
            if inside.empty:
                continue
            parts = [f"{period_tick(p, self.lang).split('<br>')[0]}: "
                     f"{fmt_value(val, v.unit, self.lang)}"
                     for p, val in zip(inside["period"], inside["value"], strict=True)]
            out[v.kpi] = ", ".join(parts)
        return out


def default_period(data: AgreementData, span: tuple[str, str] | None) -> Period:
    """The period a view opens at: the latest year with data, year to date if unfinished.

    An agreement with indicators only opens at the latest period of its most common
    indicator period length (e.g. the latest quarter).
    """
    if span is not None:
        last = span[1]
        if last.endswith("-12"):
            return Period.parse(last[:4])
        return Period.parse(f"{last[:4]}-01..{last}")
    periods = [p for p in (parse_period_or_none(x) for x in data.indicators.get("period", []))
               if p is not None]
    if periods:
        kinds = Counter(p.kind for p in periods)
        kind = kinds.most_common(1)[0][0]
        latest = max((p for p in periods if p.kind == kind), key=lambda p: p.end)
        return latest
    valid_from = data.agreement.get("valid_from") or "2000-01-01"
    return Period.parse(valid_from[:4])


def period_options(span: tuple[str, str] | None, data: AgreementData,
                   lang: str) -> list[tuple[str, str]]:
    """``(value, label)`` of every period worth offering: years, halves, quarters, months."""
    from .i18n import MONTHS_SHORT

    months: list[str] = []
    if span is not None:
        months = Period.parse(f"{span[0]}..{span[1]}").months
    for text in data.indicators.get("period", []):
        p = parse_period_or_none(text)
        if p is not None:
            months += [m for m in p.months if m not in months]
    if not months:
        return []
    months = sorted(set(months))
    years = sorted({m[:4] for m in months}, reverse=True)
    out: list[tuple[str, str]] = []
    last = months[-1]
    for y in years:
        out.append((y, y))
        if not last.endswith("-12") and last.startswith(y):
            ytd = f"{y}-01..{last}"
            label = f"{t('year_to_date', lang)} {y} (jan–{MONTHS_SHORT[lang][int(last[5:]) - 1]})"
            out.append((ytd, label))
        for h in (2, 1):
            p = Period.parse(f"{y}-H{h}")
            if any(p.start <= m <= p.end for m in months):
                out.append((p.text, period_label(p, lang)))
        for q in (4, 3, 2, 1):
            p = Period.parse(f"{y}-Q{q}")
            if any(p.start <= m <= p.end for m in months):
                out.append((p.text, period_label(p, lang)))
        for m in sorted((m for m in months if m.startswith(y)), reverse=True):
            out.append((m, period_label(Period.parse(m), lang)))
    return out


def step_period(period: Period, step: int) -> Period:
    """The next (``step=1``) or previous (``-1``) period of the same length."""
    length = month_index(period.end) - month_index(period.start) + 1
    if period.kind in ("year", "half", "quarter", "month"):
        shift = length * step
    else:
        shift = 12 * step  # a month range such as year to date moves by a year
    from .periods import shift_month

    start, end = shift_month(period.start, shift), shift_month(period.end, shift)
    if period.kind == "range":
        return Period(start, end, f"{start}..{end}")
    return Period.parse(canonical_text(start, end))


def build_view(engine: Engine, agreement_id: str, period_text: str | None = None,
               cluster_id: str | None = None, breakdown: str | None = None,
               lang: str = "sv", with_clusters: bool = True) -> View | None:
    """Read and compute one view; ``None`` when the agreement or cluster does not exist."""
    span = repository.month_span(engine, agreement_id)
    period = None
    invalid = False
    if period_text:
        try:
            period = Period.parse(period_text)
        except PeriodError:
            invalid = True
    if period is None:
        # The agreement without its monthly rows: enough to choose the default period.
        head = repository.load_agreement(engine, agreement_id, months=("0000-00", "0000-00"))
        if head is None:
            return None
        period = default_period(head, span)
    window = (period.year_earlier().start, period.end)
    data = repository.load_agreement(engine, agreement_id, window)
    if data is None:
        return None
    if cluster_id is not None and cluster_id not in data.cluster_ids:
        return None
    return _compute(data, period, span, cluster_id, breakdown, lang, invalid, with_clusters)


def cluster_views(view: View) -> list[View]:
    """One view per cluster of ``view``'s agreement, same period, breakdown and language,
    computed from the rows ``view`` has already read (no second trip to the database)."""
    return [_compute(view.data, view.period, view.span, cid, view.breakdown, view.lang,
                     False, False) for cid in view.data.cluster_ids]


def _compute(data: AgreementData, period: Period, span, cluster_id: str | None,
             breakdown: str | None, lang: str, invalid: bool, with_clusters: bool) -> View:
    """The view of rows already read: key figures, breakdown, completeness notes."""
    values = compute_kpis(data, period, cluster_id) if cluster_id else \
        compute_kpis(data, period, clusters=with_clusters)
    if cluster_id is not None:
        values = compute_kpis(data, period, None, clusters=False) + values
    breakdown = breakdown if breakdown in BREAKDOWNS else "total"
    view = View(data=data, period=period, cluster_id=cluster_id, breakdown=breakdown,
                lang=lang, values=values, span=span, period_was_invalid=invalid)
    if breakdown not in view.breakdowns:
        view.breakdown = "total"
    view.notes = completeness(data, period, cluster_id, span[1] if span else None)
    return view
