"""Every chart of every demo view, in every medium: what the collision test draws and
the plotly check validates.

Views: each demo agreement and each of its clusters at its default period (the
agreements in English too), and periods that stress the layout (three years of months, a
quarter without data, breakdowns by gender and target group, a single month). Media: the
app's cards (SCREEN, as wide as a card is at 1920x1080 and at 1024x768), presentation
mode's slides (PRESENT, the charts of a 1024x768 slide, scaled up on larger screens) and
the meeting pack's images (EXPORT, 1920x1080).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from dashboard.data import repository
from dashboard.export.contents import contents_of_view
from dashboard.export.images import HEIGHT, WIDTH
from dashboard.figures.panels import build_panels
from dashboard.figures.slides import build_slides
from dashboard.figures.theme import PRESENT, SCREEN
from dashboard.meetings.record import decision_markers
from dashboard.model.view import View, build_view, cluster_views

# (agreement, period, breakdown) beyond every default view.
STRESS = [("grums-unga-2016", "2016-01..2018-12", None), ("grums-unga-2016", "2017-Q2", None),
          ("krami-sthlm-2023", "2023", "gender"), ("krami-sthlm-2023", "2023", "target_group"),
          ("sthlm-af-2023", "2023-05", None)]

# Charts that fill a whole row of the page; the others share it (two per row from 1200 px).
WIDE = ("occupancy", "flow", "outcomes", "indicators")

# How wide a card's chart is (measured in the app: tests/browser/test_collisions.py).
CARD_WIDTHS = {"1920x1080": {"wide": 1800, "half": 875}, "1024x768": {"wide": 952,
                                                                       "half": 952}}


@dataclass
class Chart:
    id: str
    medium: str  # screen | present | export
    figure: dict
    width: int
    height: int


def screen_charts(name: str, view: View) -> Iterator[Chart]:
    if not view.has_data:
        return
    for panel in build_panels(view, SCREEN):
        fig = panel.figure.to_dict()
        height = fig["layout"]["height"]
        widths = {CARD_WIDTHS[size]["wide" if panel.key in WIDE else "half"]
                  for size in CARD_WIDTHS}
        for width in sorted(widths):
            yield Chart(f"{name} {panel.key} card@{width}", "screen", fig, width, height)


def every_chart(engine: Engine) -> Iterator[Chart]:
    """Every chart of every demo view: cards, slides and the pack's images, each view and
    its clusters' views computed once. The pack's charts are ``contents_of_view`` of the
    view, as :func:`dashboard.export.contents.build_contents` makes them (its trends are
    not charts)."""
    for name, view, clusters in views(engine):
        yield from screen_charts(name, view)
        if view.breakdown != "total":
            continue
        per_cluster = clusters if view.cluster_id is None else []
        for slide in build_slides(view, PRESENT, cluster_views=per_cluster):
            if slide.figure is not None:
                fig = slide.figure.to_dict()
                yield Chart(f"{name} slide {slide.key}", "present", fig,
                            fig["layout"].get("width") or PRESENT.min_width,
                            fig["layout"]["height"])
        for chart in contents_of_view(view, 5, per_cluster or None).charts:
            yield Chart(f"{name} pack {chart.stem}", "export", chart.figure.to_dict(),
                        WIDTH, HEIGHT)


def views(engine: Engine) -> Iterator[tuple[str, View, list[View]]]:
    """(name, view, its clusters' views when it has two or more) for every demo view and
    stress period, and each agreement in English (other words, other widths); each with
    the decisions its charts mark, as the page reads them (the demo's Grums meetings)."""
    for view, clusters, name in _views(engine):
        view.markers = decision_markers(engine, view.agreement_id)
        for cv in clusters:
            cv.markers = view.markers
        yield name, view, clusters


def _views(engine: Engine) -> Iterator[tuple[View, list[View], str]]:
    for agreement in repository.list_agreements(engine)["agreement_id"]:
        view = build_view(engine, agreement)
        clusters = cluster_views(view) if len(view.data.cluster_ids) > 1 else []
        yield view, clusters, agreement
        en = build_view(engine, agreement, None, None, None, "en")
        yield en, cluster_views(en) if len(en.data.cluster_ids) > 1 else [], f"{agreement} (en)"
        for cv in clusters:
            yield cv, [], f"{agreement}/{cv.cluster_id}"
        if len(view.data.cluster_ids) == 1:
            cid = view.data.cluster_ids[0]
            yield build_view(engine, agreement, None, cid), [], f"{agreement}/{cid}"
    for agreement, period, breakdown in STRESS:
        name = f"{agreement}@{period}" + (f"/{breakdown}" if breakdown else "")
        view = build_view(engine, agreement, period, None, breakdown)
        yield view, cluster_views(view) if view.breakdown == "total" and \
            len(view.data.cluster_ids) > 1 else [], name
