"""The slides of a steering meeting: a cover, then one slide per panel, and on request one
slide per cluster. Presentation mode shows them; the PowerPoint export writes them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dashboard.domain.periods import parse_period_or_none
from dashboard.domain.trends import target_strip_key
from dashboard.figures.costs import cost_sections
from dashboard.figures.panels import (
    Panel,
    build_panels,
    costs_panel,
    indicator_names_with_data,
    indicators_panel,
    occupancy_panel,
    outcomes_panel,
    staffing_panel,
)
from dashboard.figures.spec import Figure
from dashboard.figures.theme import Theme
from dashboard.i18n import _, date_label, fmt_value, status_label, status_symbol, target_label
from dashboard.model.series import party_names
from dashboard.model.view import View
from dashboard.model.words import strip_period, target_words

# The theme of a chart with these lines of text under it on its slide (the deck's charts
# are drawn for the room the lines leave).
ThemeFor = Callable[[list[str]], Theme]

# The order of the meeting (the contract's panels, flow beside occupancy).
SLIDE_ORDER = ("occupancy", "flow", "outcomes", "staffing", "costs", "indicators",
               "clusters_occupancy", "clusters_share")


@dataclass
class TargetLine:
    """A target in words: ``✔ Uppnått – Beläggning: 82 (minst 80)``."""

    status: str
    label: str  # "Beläggning: 82 (minst 80)"
    lang: str = "sv"
    comparator: str | None = None  # the status word depends on it (▲ Oförändrad)
    # Its status over the last periods, (period, status, value), when the view's strips
    # are computed (``View.trends``); ``strip`` says them in symbols and words.
    points: list = field(default_factory=list)

    @property
    def strip(self) -> str:
        """``kv. 1 2023 ✔ · kv. 2 ▲ · …`` (empty without an earlier period)."""
        return strip_text(self.points, self.lang, self.comparator) if len(self.points) > 1 \
            else ""

    @property
    def status_text(self) -> str:
        return status_label(self.status, self.lang, self.comparator)

    @property
    def text(self) -> str:
        return f"{self.status_text} – {self.label}"


@dataclass
class Slide:
    key: str  # cover | a panel key | cluster:<cluster_id>
    title: str
    subtitle: str = ""
    figure: Figure | None = None
    targets: list[TargetLine] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    panel: Panel | None = None


def target_lines(view: View, cluster_id: str | None = None) -> list[TargetLine]:
    """Every target of the agreement (or one cluster) with its status in words."""
    lang = view.lang
    parties = party_names(view.data)
    out = []
    for v in view.values:
        if v.cluster_id != cluster_id or v.comparator is None:
            continue
        name = target_label(v.kpi, lang, parties.get(v.party_id, v.party_id), v.role)
        value = fmt_value(v.value, v.unit, lang)
        points = (view.trends or {}).get(target_strip_key(v.kpi, v.cluster_id, v.party_id,
                                                   v.role)) or []
        out.append(TargetLine(v.status, f"{name}: {value} ({target_words(v, lang)})", lang,
                              v.comparator, list(points)))
    return out


def cover(view: View) -> Slide:
    lang = view.lang
    lines = [f"{_('ui.data_as_of', lang)} {date_label(view.data_as_of, lang)}"]
    if view.sources:
        lines.append(f"{_('ui.source', lang)}: {', '.join(view.sources)}")
    if view.synthetic:
        lines.append(f"{_('ui.synthetic', lang)}: {_('ui.synthetic_long', lang)}")
    lines += [n.text(lang) for n in view.notes]
    return Slide("cover", view.where, view.period_text, targets=target_lines(view),
                 lines=lines)


def cost_slides(view: View, theme: Theme, panel: Panel, theme_for: ThemeFor | None = None,
                readable: float | None = None) -> list[Slide]:
    """Cost sharing on as many slides as it takes to stay readable: its small charts (each
    category, then the total) shared out so that none has to shrink its type below
    ``readable`` of the theme's (default :data:`READABLE` of the theme's; a slide of
    1024x768 holds less than an image). ``theme_for(lines)``: the theme of a chart with
    these lines of text under it (the deck, whose charts are drawn for the room left)."""

    if readable is None:
        readable = READABLE.get(theme.name, min(READABLE.values()))

    def drawn(sections: list[str] | None, part: str = "") -> Panel:
        p = costs_panel(view, theme, sections, part)
        if theme_for is not None and p.sentences:
            p = costs_panel(view, theme_for(p.sentences), sections, part)
        return p

    sections = cost_sections(panel.table) if panel.table is not None else ["total"]
    whole = drawn(None) if theme_for is not None else panel
    if len(sections) < 2 or whole.figure.fit >= readable:
        return [Slide(panel.key, whole.title, view.period_text, figure=whole.figure,
                      lines=whole.sentences, panel=whole)]
    chunks, start = [], 0
    while start < len(sections):
        end = len(sections)
        while end > start + 1 and drawn(sections[start:end]).figure.fit < readable:
            end -= 1
        chunks.append(sections[start:end])
        start = end
    out = []
    for n, chunk in enumerate(chunks, start=1):
        p = drawn(chunk, f"{n}/{len(chunks)}")
        out.append(Slide(f"costs-{n}", p.title, view.period_text, figure=p.figure,
                         lines=p.sentences, panel=p))
    return out


def indicator_slides(view: View, theme: Theme, readable: float | None = None) -> list[Slide]:
    """At most four indicators to a slide, fewer where their small charts would be too
    low to read (many periods, long titles)."""
    names = indicator_names_with_data(view)
    if readable is None:
        readable = READABLE.get(theme.name, min(READABLE.values()))
    chunks, start = [], 0
    while start < len(names):
        end = min(start + INDICATORS_PER_SLIDE, len(names))
        while end > start + 1 and \
                indicators_panel(view, theme, names[start:end]).figure.fit < readable:
            end -= 1
        chunks.append(names[start:end])
        start = end
    out = []
    for n, chunk in enumerate(chunks, start=1):
        part = f"{n}/{len(chunks)}" if len(chunks) > 1 else ""
        p = indicators_panel(view, theme, chunk, part)
        key = "indicators" if len(chunks) == 1 else f"indicators-{n}"
        out.append(Slide(key, p.title, view.period_text, figure=p.figure, panel=p))
    return out


def cluster_slides(cluster_view: View, theme: Theme,
                   suppress_below: int | None = None) -> list[Slide]:
    """One cluster: its targets in words and its occupancy against the target; then its
    outcomes, by gender where the data has it (the agreements follow results per cluster
    and by gender)."""
    from dataclasses import replace


    cid = cluster_view.cluster_id
    panel = occupancy_panel(cluster_view, theme, suppress_below)
    slides = [Slide(f"cluster:{cid}", cluster_view.cluster_name or "",
                    cluster_view.period_text, figure=panel.figure,
                    targets=target_lines(cluster_view, cid), panel=panel)]
    by = replace(cluster_view, breakdown="gender") if "gender" in cluster_view.breakdowns \
        else cluster_view
    outcomes = outcomes_panel(by, theme, suppress_below)
    if outcomes.has_data:
        slides.append(Slide(f"cluster-outcomes:{cid}", cluster_view.cluster_name or "",
                            cluster_view.period_text, figure=outcomes.figure,
                            panel=outcomes))
    return slides


INDICATORS_PER_SLIDE = 4
# How far a slide's chart may shrink its type (of the theme's) before it is shared out.
READABLE = {"present": 0.8, "export": 0.7}


def build_slides(view: View, theme: Theme, *, cluster_views: list[View] | None = None,
                 suppress_below: int | None = None, theme_for: ThemeFor | None = None,
                 readable: float | None = None) -> list[Slide]:
    """Cover, the panels in meeting order, then the clusters' slides (when given).

    Indicators come four to a slide, so that each stays readable from the back.
    ``theme_for(lines)`` redraws a chart that has lines of text under it for the room
    they leave (the deck); ``readable``: how far the cost charts may shrink their type
    before they are shared out over more slides.
    """

    panels = {p.key: p for p in build_panels(view, theme, suppress_below=suppress_below)}
    slides = [cover(view)]
    for key in SLIDE_ORDER:
        if key not in panels:
            continue
        if key == "indicators":
            slides += indicator_slides(view, theme)
            continue
        if key == "costs":
            slides += cost_slides(view, theme, panels[key], theme_for, readable)
            continue
        p = panels[key]
        if theme_for is not None and p.slide_lines and key == "staffing":
            p = staffing_panel(view, theme_for(p.slide_lines))
        slides.append(Slide(key, p.title, view.period_text, figure=p.figure,
                            lines=p.slide_lines, panel=p))
    for cv in cluster_views or []:
        slides += cluster_slides(cv, theme, suppress_below)
    return slides


# The slide on which a target of the agreement is drawn, by its key figure; an indicator's
# target is on the indicators' slide that names it, a cluster's on the cluster's own slide.
TARGET_SLIDES = {"occupancy": "occupancy", "work_study_share": "outcomes",
                 **{k: "staffing" for k in ("fte_committed", "fte_actual", "fte_fulfilment",
                                            "fte_actual_min")},
                 **{k: "costs" for k in ("cost_total", "cost_paid", "cost_due",
                                         "cost_balance")}}


def target_slide(slides: list[Slide], kpi: str, cluster_id: str | None) -> int:
    """The index (from 0) of the slide that shows a target: its panel's slide, the
    cluster's slide, or else the cover (0)."""
    if cluster_id:
        return next((i for i, s in enumerate(slides) if s.key == f"cluster:{cluster_id}"), 0)
    wanted = TARGET_SLIDES.get(kpi)
    if wanted is not None:
        return next((i for i, s in enumerate(slides) if s.key == wanted or
                     s.key.startswith(wanted + "-")), 0)
    for i, s in enumerate(slides):
        if s.key.startswith("indicators") and s.panel is not None and \
                s.panel.table is not None and kpi in str(s.panel.table.to_dict()):
            return i
    return next((i for i, s in enumerate(slides) if s.key.startswith("indicators")), 0)


# --------------------------------------------------------------------------- status strips


def strip_text(points: list, lang: str = "sv", comparator: str | None = None) -> str:
    """A target's status over its last periods as one line of text, for the deck and the
    Word document (symbols and words, never colour alone): ``kv. 1 2023 ✔ · kv. 2 ▲ ·
    kv. 3 ✖ · kv. 4 ✔`` (the year written where it changes; a period without a target
    says so in words). ``points``: ``(period, status, value)`` as
    :func:`dashboard.domain.trends.status_trends` gives them."""

    items, year = [], None
    for text, status, _value in points:
        period = parse_period_or_none(text)
        when = strip_period(period, lang) if period is not None else text
        if period is not None and period.kind in ("quarter", "half"):
            if period.start[:4] == year:
                when = when.rsplit(" ", 1)[0]  # "kv. 2" after "kv. 1 2023"
            year = period.start[:4]
        mark = _("ui.no_target", lang) if status == "none" else status_symbol(status)
        items.append(f"{when} {mark}")
    return " · ".join(items)


def strip_key(strips: list[tuple[list, str | None]], lang: str = "sv") -> str:
    """What the strips' symbols mean, in words: ``Symbolerna: ✔ Uppnått, ▲ Nära målet``
    (every status the ``(points, comparator)`` given show, in the order green, amber,
    red, grey)."""
    shown = []
    for status in ("green", "amber", "red", "grey"):
        for points, comparator in strips:
            if any(p[1] == status for p in points):
                label = status_label(status, lang, comparator)
                if label not in shown:
                    shown.append(label)
    return _("ui.status_key", lang, items=", ".join(shown)) if shown else ""
