"""What a pack shows: the view, the slides of presentation mode, and the charts with
their captions, drawn in the export theme with small counts in breakdowns hidden.

:func:`build_contents` gathers it for an agreement (or a cluster) and a period;
:func:`contents_of_view` for a view already built. The writers (:mod:`.minutes`,
:mod:`.deck`, :mod:`.images`) read it; :mod:`.pack` writes them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy.engine import Engine

from dashboard.export.deck_layout import DECK_READABLE, deck_theme
from dashboard.export.images import ExportError
from dashboard.export.texts import slug
from dashboard.figures.panels import Panel, build_panels
from dashboard.figures.slides import Slide, build_slides
from dashboard.figures.spec import Figure
from dashboard.figures.theme import EXPORT
from dashboard.i18n import _, date_label, fmt_value, target_label
from dashboard.meetings.record import decision_markers
from dashboard.model.series import cluster_names, party_names
from dashboard.model.view import View, build_view, cluster_views, trend_rows

FORMATS = ("png", "svg", "docx", "pptx", "pdf")
GENDER_PANELS = ("occupancy", "outcomes")

Progress = Callable[[float, str], None]


@dataclass
class Chart:
    """One chart of the pack: its number (files and captions share it) and its words."""

    number: int
    key: str  # a panel key, "<panel>-gender", "cluster:<id>" or "cluster-outcomes:<id>"
    what: str  # "Beläggning", "Beläggning efter kön", "Beläggning – Järva"
    caption: str  # what – where – period
    figure: Figure
    section: str  # the heading it goes under in the Word document
    sentences: list[str] = field(default_factory=list)
    suppressed: bool = False
    panel: Panel | None = None  # what the figure was drawn from (its table, if any)

    @property
    def stem(self) -> str:
        """``01-belaggning``: ASCII, numbered in the order of the minutes."""
        return f"{self.number:02d}-{slug(self.what)}"


@dataclass
class PackContents:
    """What one meeting pack shows."""

    view: View
    slides: list[Slide]
    charts: list[Chart]
    threshold: int
    # A steering meeting's pack (dashboard.export.meeting): its record (check-ins,
    # decisions, actions, since the last meeting), the view being the meeting's own.
    meeting: object | None = None
    clusters: list[View] | None = None  # one view per cluster (the per-cluster slides)
    # Each target's status over its last periods, by (kpi, cluster, party)
    # (dashboard.domain.trends); None: not computed, and the documents show no strips.
    trends: dict[tuple, list] | None = None
    _deck: tuple[list[Slide], list[Chart]] | None = None

    @property
    def deck_slides(self) -> list[Slide]:
        """The deck's slides: those of presentation mode with each chart drawn for the
        room it has on a 16:9 slide shown 1024 px wide (:func:`.deck.deck_theme`), cost
        sharing over as many slides as keep its type whole."""
        return self._deck_parts()[0]

    @property
    def deck_charts(self) -> list[Chart]:
        """The deck's charts (captions and text alternatives), one per chart slide."""
        return self._deck_parts()[1]

    def _deck_parts(self) -> tuple[list[Slide], list[Chart]]:
        if self._deck is None:
            slides = build_slides(self.view, deck_theme([]), cluster_views=self.clusters,
                                  suppress_below=self.threshold, theme_for=deck_theme,
                                  readable=DECK_READABLE)
            self._deck = (slides, charts_of(self.view, slides, self.clusters))
        return self._deck

    @property
    def lang(self) -> str:
        return self.view.lang

    @property
    def effects(self) -> list[str]:
        """A meeting's effect since decision, in words (:func:`effect_lines`): what the
        Word document, the PDF and the deck say (and the pre-read, from the same
        function)."""
        return effect_lines(self.meeting, self.lang) if self.meeting is not None else []

    @property
    def suppressed(self) -> bool:
        """Whether any chart hides a small count (the documents then say so)."""
        return any(c.suppressed for c in self.charts)

    @property
    def base_name(self) -> str:
        """``krami-sthlm-2023-2023``, ``sthlm-af-2023-jarva-2023-h1``, or a meeting's
        ``mote-3-krami-sthlm-2023-2023-q1``."""
        parts = [self.view.agreement_id, self.view.cluster_id, self.view.period.text]
        if self.meeting is not None:
            parts.insert(0, f"{_('export.meeting_file', self.lang)}-{self.meeting.meeting.id}")
        return slug("-".join(p for p in parts if p), limit=120)

    def chart(self, key: str) -> Chart | None:
        return next((c for c in self.charts if c.key == key), None)

    def deck_chart(self, key: str) -> Chart | None:
        return next((c for c in self.deck_charts if c.key == key), None)


def target_name(key, parties: dict, clusters: dict, lang: str) -> str:
    """A target of a meeting by name, with its party and role (:func:`i18n.target_label`)
    and its cluster: ``Beläggning``, ``Faktiska årsarbetskrafter – vägledare (Järva)``."""
    party = parties.get(key.party_id, key.party_id) if key.party_id else None
    name = target_label(key.kpi, lang, party, key.role)
    if key.cluster_id:
        name += f" ({clusters.get(key.cluster_id, key.cluster_id)})"
    return name


def effect_lines(record, lang: str) -> list[str]:
    """Each decision of an earlier meeting tied to a target, with the target's value at
    the decision and at this meeting (``record.effects()``), in words: ``Beslut 12 mars
    2023: förstärk uppsökande arbete – Beläggning: 74 vid beslutet, 81 nu``. The values
    are the targets' own figures (the whole agreement's or a cluster's, never a part of a
    breakdown), as the targets' tables of the same pack show them."""
    effects = record.effects()
    if not effects:
        return []
    data = record.view.data if record.view is not None else None
    parties = party_names(data) if data is not None else {}
    clusters = cluster_names(data) if data is not None else {}
    out = []
    for e in effects:
        then = fmt_value(e.then.value, e.then.unit, lang) if e.then else "–"
        now = fmt_value(e.now.value, e.now.unit, lang) if e.now else "–"
        out.append(_("meetings.effect_line", lang, date=date_label(e.decided_on, lang),
                     text=" ".join(e.decision.text.split()),
                     target=target_name(e.key, parties, clusters, lang), then=then, now=now))
    return out


def shows_suppression(figure: Figure, lang: str) -> bool:
    """Whether the figure's footer carries the note that small counts are hidden."""
    return _("ui.suppression_note", lang) in (figure.footer or "")


def gender_panels(view: View, threshold: int) -> dict[str, Panel]:
    """Occupancy and outcomes by gender, suppressed, where the data is broken down by gender.

    The agreements ask for statistics by gender (könsuppdelad statistik).
    """
    if "gender" not in view.breakdowns:
        return {}
    by_gender = replace(view, breakdown="gender")
    return {p.key: p for p in build_panels(by_gender, EXPORT, suppress_below=threshold)
            if p.key in GENDER_PANELS and p.has_data}


def build_contents(engine: Engine, agreement_id: str, period: str | None,
                   cluster_id: str | None, lang: str, threshold: int,
                   per_cluster: bool = False) -> PackContents:
    """The view, its slides and its charts; :class:`ExportError` when it does not exist.

    ``per_cluster`` adds one slide (and chart) per cluster to an agreement's pack when the
    agreement has at least two clusters (with one, the cluster is the agreement).
    """
    view = build_view(engine, agreement_id, period, cluster_id, lang=lang)
    if view is None:
        raise ExportError(_("export.not_found", lang))
    if view.period_was_invalid:
        raise ExportError(_("export.bad_period", lang, period=period))
    view.markers = decision_markers(engine, agreement_id)  # as the agreement's page
    clusters = None
    if per_cluster and cluster_id is None and len(view.data.cluster_ids) >= 2:
        clusters = cluster_views(view)
    contents = contents_of_view(view, threshold, clusters)
    contents.trends = {(r[0], r[1], r[2], r[3]): [tuple(p) for p in r[4]]  # every scope's
                       for r in trend_rows(engine, view.agreement_id, view.period)}
    return contents


def contents_of_view(view: View, threshold: int,
                     clusters: list[View] | None = None) -> PackContents:
    """The pack of a view already computed (``clusters``: one view per cluster, for the
    per-cluster slides), in the view's language."""
    slides = build_slides(view, EXPORT, cluster_views=clusters, suppress_below=threshold)
    charts = charts_of(view, slides, clusters, gender_panels(view, threshold))
    return PackContents(view, slides, charts, threshold, clusters=clusters)


def charts_of(view: View, slides: list[Slide], clusters: list[View] | None,
              by_gender: dict[str, Panel] | None = None) -> list[Chart]:
    """One chart per slide with a figure (and, ``by_gender``, a panel's chart by gender
    after its own), numbered in order, with their captions."""
    lang = view.lang
    by_id = {cv.cluster_id: cv for cv in clusters or []}
    by_gender = by_gender or {}
    charts: list[Chart] = []

    def add(key: str, what: str, panel: Panel | None, figure: Figure, section: str,
            where: View = view) -> None:
        # "Beläggning – Krami Stockholm 2023, 2023": what – where, when.
        shown = what.split(" – ")[0] if where is not view else what
        caption = f"{shown} – {where.where}, {where.period_text}"
        charts.append(Chart(len(charts) + 1, key, what, caption, figure, section,
                            list(panel.sentences) if panel else [],
                            shows_suppression(figure, lang), panel))

    for slide in slides:
        if slide.figure is None:
            continue
        if slide.key.startswith(("cluster:", "cluster-outcomes:")):
            cv = by_id[slide.key.split(":", 1)[1]]
            title = slide.panel.title if slide.panel else ""
            if slide.key.startswith("cluster-outcomes:") and cv.breakdown == "total" \
                    and "gender" in cv.breakdowns:
                title = f"{title} {_('export.by_gender', lang)}"
            what = f"{title} – {slide.title}".strip(" –")
            add(slide.key, what, slide.panel, slide.figure, _("export.per_cluster", lang), where=cv)
            continue
        panel = slide.panel
        title = panel.title if panel else slide.title
        add(slide.key, title, panel, slide.figure, title)
        if slide.key in by_gender:
            gp = by_gender[slide.key]
            add(f"{slide.key}-gender", f"{gp.title} {_('export.by_gender', lang)}", gp, gp.figure,
                title)
    return charts
