"""What one view (agreement or cluster, one period) needs, read and computed once.

Pages, presentation mode and exports all start from :func:`build_view`: it reads one
agreement's rows (the period and the same period a year earlier) in one snapshot,
computes the key figures, and knows the view's titles, footer and completeness notes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from dashboard.data import repository
from dashboard.domain.kpis import (
    UNITS,
    WHOLE,
    AgreementData,
    KpiValue,
    compute_kpis,
    has_rows,
)
from dashboard.domain.periods import (
    Period,
    PeriodError,
    canonical_text,
    month_index,
    parse_period_or_none,
    shift_month,
)
from dashboard.domain.trends import status_trends, trend_window
from dashboard.i18n import MONTHS_SHORT, _, date_label, kpi_label, period_label, value_period_words
from dashboard.model.series import (
    BREAKDOWNS,
    Note,
    available_breakdowns,
    cluster_names,
    completeness,
)

SYNTHETIC_MARKERS = ("syntetisk", "synthetic")


@dataclass(frozen=True)
class PeriodProblem:
    """A period in the address that is not one: what was asked, why not, and what it may
    have meant (``2016..2018`` -> 2016-01..2018-12)."""

    asked: str
    reason: str  # month_not_exist | not_a_period
    suggestion: Period | None = None


@dataclass(frozen=True)
class DecisionMarker:
    """A steering group's decision tied to a target, as the charts mark it (issue 19): the
    deciding meeting's date, the decision's text and the target it is about. Plain data,
    read through :mod:`dashboard.meetings` by the layer that builds the view (a figure
    never reads meetings)."""

    on: str  # the deciding meeting's date, YYYY-MM-DD
    text: str
    kpi: str
    cluster_id: str | None = None
    party_id: str | None = None
    role: str | None = None

    def to_dict(self) -> dict:
        return {"on": self.on, "text": self.text, "kpi": self.kpi,
                "cluster_id": self.cluster_id, "party_id": self.party_id, "role": self.role}


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
    period_problem: PeriodProblem | None = None
    indicator_periods: list[str] = field(default_factory=list)
    has_data: bool = True
    # Whether the person asking may see the whole agreement (a cluster's viewer may not:
    # set by dashboard.access.view_for; the cluster page then leaves out the agreement's parts).
    agreement_visible: bool = True
    # Each target's status over its last periods, by (kpi, cluster, party) (the strip
    # beside the targets, :func:`trend_strips`); ``None`` until computed.
    trends: dict[tuple, list] | None = None
    # Decisions tied to a target, marked on the charts of their targets (set by the page,
    # the presentation or the pack from the meetings; empty: none marked).
    markers: list[DecisionMarker] = field(default_factory=list)

    @property
    def period_was_invalid(self) -> bool:
        return self.period_problem is not None

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
        parts = [f"{_('ui.data_as_of', lang)} {date_label(self.data_as_of, lang)}"]
        sources = self.sources
        if sources:
            shown = ", ".join(sources[:2]) + (" …" if len(sources) > 2 else "")
            parts.append(f"{_('ui.source', lang)}: {shown}")
        if self.synthetic:
            parts.append(_("ui.synthetic", lang))
        if n is not None:
            parts.append(_("ui.n_completed", lang, n=n))
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
        """The figures of this scope that have a target, in output order.

        A period without data outside the targets' validity still lists the agreement's
        targets (the latest of each), every one grey: no data, not "no targets".
        """
        found = [v for v in self.scope_values() if v.comparator is not None]
        if found or self.has_data:
            return found
        return stored_targets(self.data, self.period, self.cluster_id)

    def status_counts(self) -> Counter:
        return Counter(v.status for v in self.targets())

    @property
    def breakdowns(self) -> list[str]:
        return available_breakdowns(self.data)

    def kpi_label(self, kpi: str) -> str:
        return kpi_label(kpi, self.lang)

    def period_notes(self) -> dict[tuple, str]:
        """What a value is for when it is not P: ``senaste: kv. 4 2023`` for an indicator
        with no row for exactly P (contract section 3), by ``(kpi, party, cluster)``."""

        out = {}
        for v in self.scope_values():
            if v.value_period and ".." in v.value_period and \
                    parse_period_or_none(v.value_period) is not None:
                # A sum or mean over the months it covers (contract section 4).
                out[(v.kpi, v.party_id, v.cluster_id)] = \
                    value_period_words(v.value_period, self.period, self.lang)
            elif v.value_period:
                at = parse_period_or_none(v.value_period)
                if at is not None:
                    out[(v.kpi, v.party_id, v.cluster_id)] = \
                        f"{_('ui.latest', self.lang)}: {period_label(at, self.lang)}"
        return out

    # ------------------------------------------------------------------ periods around

    @property
    def bounds(self) -> tuple[str, str] | None:
        """The first and last month with any data (monthly rows or an indicator's period)."""
        return data_bounds(self.span, self.indicator_periods)

    def neighbour(self, step: int) -> Period | None:
        """The period before (``-1``) or after (``1``) of the same length, or ``None``
        when it holds no data (the ◀ ▶ buttons stop at the data's first and last period)."""
        bounds = self.bounds
        if bounds is None:
            return None
        other = step_period(self.period, step)
        if other.end < bounds[0] or other.start > bounds[1]:
            return None
        return other


def stored_targets(data: AgreementData, period: Period,
                   cluster_id: str | None) -> list[KpiValue]:
    """The agreement's targets at this level (the latest of each), without values: grey."""

    t = data.targets
    if t.empty:
        return []
    rows = t[t["cluster_id"] == (cluster_id or "")].sort_values("valid_from", kind="stable")
    latest = {(r["kpi"], r["party_id"]): r for r in rows.to_dict("records")}
    return [KpiValue(agreement_id=data.agreement_id, cluster_id=cluster_id,
                     party_id=party or None, period=period.text, kpi=kpi, value=None,
                     target=r["value"], comparator=r["comparator"], status="grey",
                     unit=UNITS.get(kpi, "percent" if r.get("value_unit") == "%" else "number"))
            for (kpi, party), r in latest.items()]


def data_bounds(span: tuple[str, str] | None,
                indicator_periods: list[str]) -> tuple[str, str] | None:
    """The first and last month of the monthly span and of every indicator period."""
    lows, highs = ([span[0]], [span[1]]) if span else ([], [])
    for text in indicator_periods:
        p = parse_period_or_none(text)
        if p is not None:
            lows.append(p.start)
            highs.append(p.end)
    return (min(lows), max(highs)) if lows else None


def default_period(indicator_periods: list[str], span: tuple[str, str] | None,
                   valid_from: str | None = None) -> Period:
    """The period a view opens at: the latest year with data, year to date if unfinished.

    An agreement with indicators only opens at the latest period of its most common
    indicator period length (e.g. the latest quarter).
    """
    if span is not None:
        last = span[1]
        if last.endswith("-12"):
            return Period.parse(last[:4])
        return Period.parse(f"{last[:4]}-01..{last}")
    periods = [p for p in (parse_period_or_none(x) for x in indicator_periods)
               if p is not None]
    if periods:
        kinds = Counter(p.kind for p in periods)
        kind = kinds.most_common(1)[0][0]
        latest = max((p for p in periods if p.kind == kind), key=lambda p: p.end)
        return latest
    return Period.parse((valid_from or "2000-01-01")[:4])


def period_options(span: tuple[str, str] | None, indicator_periods: list[str],
                   lang: str) -> list[tuple[str, str]]:
    """``(value, label)`` of every period worth offering: years, halves, quarters, months,
    and where the data covers several years, spans of years (all of them; the last three)."""

    months: list[str] = []
    if span is not None:
        months = Period.parse(f"{span[0]}..{span[1]}").months
    for text in indicator_periods:
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
            label = (f"{_('ui.year_to_date', lang)} {y} "
                     f"(jan–{MONTHS_SHORT[lang][int(last[5:]) - 1]})")
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
    return out + year_spans(years, lang, last)


def year_spans(years: list[str], lang: str, last: str | None = None) -> list[tuple[str, str]]:
    """Spans for a look back over several years, as concrete periods of the contract (the
    address says which months, whatever day it is opened): the last twelve months up to
    ``last`` (the last month with data) where they are not a calendar year ("Senaste
    året (jul 2018–jun 2019)"), the last three years ("Senaste tre åren (2017–2019)"; the
    label of the span of every year when there are exactly three), and every year with
    data ("2016–2019")."""
    out = []
    if last is not None and not last.endswith("-12") and len(years) > 1:
        p = Period.parse(f"{shift_month(last, -11)}..{last}")
        out.append((p.text, f"{_('ui.last_year_span', lang)} ({period_label(p, lang)})"))
    if len(years) < 2:
        return out
    first, latest = min(years), max(years)
    spans = [Period.parse(f"{first}-01..{latest}-12")]
    if len(years) > 3:
        spans.insert(0, Period.parse(f"{int(latest) - 2}-01..{latest}-12"))
    for p in spans:
        label = period_label(p, lang)
        if p.start[:4] != first or len(years) == 3:
            label = f"{_('ui.last_three_years', lang)} ({label})"
        out.append((p.text, label))
    return out


def is_span(value: str) -> bool:
    """Whether a period's text is a look back over several years or the last twelve months
    (:func:`year_spans`), not a period inside one year."""
    p = parse_period_or_none(value)
    return p is not None and p.kind == "range" and \
        month_index(p.end) - month_index(p.start) + 1 >= 12


def trend_rows(engine: Engine, agreement_id: str, period: Period, kept=None,
               data: AgreementData | None = None) -> list[list]:
    """Every target's strip of the agreement and its clusters for P, as plain data
    (``[kpi, cluster, party, role, [[period, status, value], ...]]``, kept as JSON once per data
    version and period for the agreement, its clusters, breakdowns and languages): one
    more read of the agreement's rows, the quarters before P and a year before them
    (``data``: those rows, read already with the view's by :func:`read_with_strips`)."""

    if data is None:
        data = repository.load_agreement(engine, agreement_id, trend_window(period))
    if data is None:
        return []
    return [[k[0], k[1], k[2], k[3], [list(p) for p in points]]
            for k, points in status_trends(data, period, kept=kept).items()]


def strips_of(rows: list[list], cluster_id: str | None) -> dict[tuple, list]:
    """The strips of one scope (the agreement's, or one cluster's) from :func:`trend_rows`,
    by :func:`dashboard.domain.trends.target_strip_key`."""
    return {(r[0], r[1], r[2], r[3]): [tuple(p) for p in r[4]] for r in rows
            if r[1] == cluster_id}


def trend_strips(engine: Engine, view: View) -> dict[tuple, list]:
    """The strips of the view's targets (:func:`dashboard.domain.trends.status_trends`)."""
    return strips_of(trend_rows(engine, view.agreement_id, view.period), view.cluster_id)


def step_period(period: Period, step: int) -> Period:
    """The next (``step=1``) or previous (``-1``) period of the same length."""
    length = month_index(period.end) - month_index(period.start) + 1
    if period.kind in ("year", "half", "quarter", "month"):
        shift = length * step
    elif length % 12 == 0 and period.start.endswith("-01"):
        shift = length * step  # a span of whole years moves by its length
    else:
        shift = 12 * step  # a month range such as year to date moves by a year

    start, end = shift_month(period.start, shift), shift_month(period.end, shift)
    if period.kind == "range":
        return Period(start, end, f"{start}..{end}")
    return Period.parse(canonical_text(start, end))


_YEARS = re.compile(r"^\s*(\d{4})\s*(?:\.\.|-|–)\s*(\d{4})\s*$")
_MONTH_13 = re.compile(r"^\s*\d{4}-(\d{2})\s*$")


def period_problem(text: str) -> PeriodProblem:
    """Why ``text`` is not a period, and what it may have meant."""
    if m := _YEARS.match(text):
        first, last = sorted((m.group(1), m.group(2)))
        return PeriodProblem(text, "not_a_period", Period.parse(f"{first}-01..{last}-12"))
    if (m := _MONTH_13.match(text)) and not 1 <= int(m.group(1)) <= 12:
        return PeriodProblem(text, "month_not_exist")
    return PeriodProblem(text, "not_a_period")


def build_view(engine: Engine, agreement_id: str, period_text: str | None = None,
               cluster_id: str | None = None, breakdown: str | None = None,
               lang: str = "sv", with_clusters: bool = True,
               read: Callable[[Period, tuple[str, str]], AgreementData | None] | None = None
               ) -> View | None:
    """Read and compute one view; ``None`` when the agreement or cluster does not exist.

    A ``period_text`` that is not a period gives the default period, and the view says so
    (:attr:`View.period_problem`). ``read(period, months)``: the agreement's rows of those
    months, read some other way than :func:`repository.load_agreement` (see
    :func:`read_with_strips`).
    """
    span = repository.month_span(engine, agreement_id)
    indicator_periods = repository.indicator_periods(engine, agreement_id)
    period = None
    problem = None
    if period_text:
        try:
            period = Period.parse(period_text)
        except PeriodError:
            problem = period_problem(period_text)
    if period is None:
        row = repository.get_agreement(engine, agreement_id)
        if row is None:
            return None
        period = default_period(indicator_periods, span, row["valid_from"])
    window = view_window(period)
    data = read(period, window) if read is not None else \
        repository.load_agreement(engine, agreement_id, window)
    if data is None:
        return None
    if cluster_id is not None and cluster_id not in data.cluster_ids:
        return None
    return _compute(data, period, span, cluster_id, breakdown, lang, problem, with_clusters,
                    indicator_periods)


def view_window(period: Period) -> tuple[str, str]:
    """The months of rows a view of P reads: P and the same period a year earlier."""
    return period.year_earlier().start, period.end


def read_with_strips(engine: Engine, agreement_id: str, kept: Callable[[Period], bool]
                     ) -> tuple[Callable, dict[str, AgreementData]]:
    """A ``read`` for :func:`build_view` that, unless ``kept(period)`` says the view's
    strips are kept already, reads the rows of the view and of its strips
    (:func:`trend_rows`) at once, in one snapshot; and the strips' rows it read, by period."""
    strips: dict[str, AgreementData] = {}

    def read(period: Period, window: tuple[str, str]) -> AgreementData | None:
        if kept(period):
            return repository.load_agreement(engine, agreement_id, window)
        data, wide = repository.load_agreement_windows(engine, agreement_id,
                                                       [window, trend_window(period)])
        if wide is not None:
            strips[period.text] = wide
        return data

    return read, strips


def view_from_data(data: AgreementData, period: Period, span: tuple[str, str] | None,
                   indicator_periods: list[str], cluster_id: str | None = None,
                   breakdown: str | None = None, lang: str = "sv",
                   values: list[KpiValue] | None = None) -> View:
    """The view of rows read before (a steering meeting's rows as they were at its close,
    dashboard/meetings): the same computation as :func:`build_view`, without the database.
    ``values``: its key figures as computed before (a closed meeting's frozen ones), which
    are then not computed again."""
    if values is not None:
        return _view_of(data, period, span, cluster_id, breakdown, lang, None,
                        indicator_periods, values)
    return _compute(data, period, span, cluster_id, breakdown, lang, None, True,
                    indicator_periods)


def cluster_views(view: View) -> list[View]:
    """One view per cluster of ``view``'s agreement, same period, breakdown and language,
    from the rows ``view`` has already read (no second trip to the database) and, when
    ``view`` is the agreement's with its clusters, from its key figures (no second
    computation: a cluster's view shows the agreement's figures, then the cluster's)."""
    ids = view.data.cluster_ids
    scopes = {v.cluster_id for v in view.values}
    if view.cluster_id is not None or not set(ids) <= scopes:
        views = [_compute(view.data, view.period, view.span, cid, view.breakdown, view.lang,
                          None, False, view.indicator_periods) for cid in ids]
    else:
        whole = [v for v in view.values if v.cluster_id is None]
        views = [_view_of(view.data, view.period, view.span, cid, view.breakdown, view.lang,
                          None, view.indicator_periods,
                          whole + [v for v in view.values if v.cluster_id == cid])
                 for cid in ids]
    for cv in views:
        cv.markers = view.markers  # each cluster's charts mark its own decisions
    return views


def _compute(data: AgreementData, period: Period, span, cluster_id: str | None,
             breakdown: str | None, lang: str, problem: PeriodProblem | None,
             with_clusters: bool, indicator_periods: list[str]) -> View:
    """The view of rows already read: key figures, breakdown, completeness notes."""
    # A cluster's view: the agreement's figures, then the cluster's (one computation).
    values = compute_kpis(data, period, scopes=(WHOLE, cluster_id)) \
        if cluster_id is not None else compute_kpis(data, period, clusters=with_clusters)
    return _view_of(data, period, span, cluster_id, breakdown, lang, problem,
                    indicator_periods, values)


def _view_of(data: AgreementData, period: Period, span, cluster_id: str | None,
             breakdown: str | None, lang: str, problem: PeriodProblem | None,
             indicator_periods: list[str], values: list[KpiValue]) -> View:
    """The view of key figures computed before: breakdown, completeness notes."""
    breakdown = breakdown if breakdown in BREAKDOWNS else "total"
    view = View(data=data, period=period, cluster_id=cluster_id, breakdown=breakdown,
                lang=lang, values=values, span=span, period_problem=problem,
                indicator_periods=list(indicator_periods),
                has_data=has_rows(data, period, cluster_id))
    if breakdown not in view.breakdowns:
        view.breakdown = "total"
    # No data at all for P: no claim that months were (or were not) reported.
    view.notes = completeness(data, period, cluster_id, span[1] if span else None) \
        if view.has_data else []
    return view
