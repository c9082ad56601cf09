"""Every chart's text alternative: its sentences (value against target, status in words,
n where a share is shown), on the chart's container as role="img" with aria-label."""

from __future__ import annotations

import pytest

from dashboard.data import repository
from dashboard.web.components.cards import panel_card
from dashboard.figures.describe import chart_sentences, chart_text, kpi_sentence
from dashboard.config import load_settings
from dashboard.data.db import make_engine
from dashboard.domain.kpis import KpiValue
from dashboard.figures.panels import build_panels
from dashboard.figures.theme import SCREEN
from dashboard.model.view import build_view

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from dashboard.web.app import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('describe') / 'demo.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    assert all(r.ok for r in load_demo(engine, load_settings({"database_url": url})))
    yield engine
    engine.dispose()


def test_a_key_figure_as_a_sentence():
    v = KpiValue(agreement_id="a", cluster_id=None, party_id=None, period="2023",
                 kpi="work_study_share", value=0.398, target=0.6, comparator=">=",
                 status="red", n=103, unit="share")
    assert kpi_sentence(v, "sv") == (f"Andel i arbete eller studier 39,8{NBSP}% (n = 103 som "
                                     f"fullföljt), mål minst 60{NBSP}%: ✖ Ej uppnått")
    assert kpi_sentence(v, "en") == ("Share in work or study 39.8% (n = 103 completers), "
                                     "target at least 60%: ✖ Not met")
    flat = KpiValue(agreement_id="a", cluster_id=None, party_id=None, period="2023-Q4",
                    kpi="kommunal_insats_under_55", value=100, target=None,
                    comparator="increase", status="amber", previous=100, unit="number")
    assert kpi_sentence(flat, "sv") == ("Under 55 år i kommunal insats 100, mål ska öka "
                                        "(samma kvartal året innan: 100): ▲ Oförändrad")


def test_every_panel_of_every_demo_view_has_sentences(demo):
    for agreement in repository.list_agreements(demo)["agreement_id"]:
        view = build_view(demo, agreement)
        for panel in build_panels(view, SCREEN):
            text = chart_text(view, panel.key, panel.title, panel)
            assert text.startswith(f"{panel.title} – {view.where} – {view.period_text}. ")
            assert chart_sentences(view, panel.key, panel), (agreement, panel.key)


def test_the_cluster_comparison_names_each_cluster(demo):
    view = build_view(demo, "sthlm-af-2023", "2023")
    panel = next(p for p in build_panels(view, SCREEN) if p.key == "clusters_share")
    sentences = chart_sentences(view, panel.key, panel)
    assert len(sentences) == 5
    assert sentences[0].startswith("Järva: Andel i arbete eller studier ")
    assert all("som fullföljt" in s and ("✔" in s or "✖" in s or "▲" in s)
               for s in sentences)


def test_the_panel_card_puts_it_on_the_chart_as_an_image_label(demo):
    view = build_view(demo, "krami-sthlm-2023", "2023")
    panel = build_panels(view, SCREEN)[0]
    text = chart_text(view, panel.key, panel.title, panel)
    card = panel_card(panel, "sv", text)
    box = card.children.children[0]
    assert box.role == "img"
    assert box.to_plotly_json()["props"]["aria-label"] == text == (
        "Beläggning – Krami Stockholm 2023 – 2023. Beläggning 78,3 i genomsnitt per månad, "
        "mål minst 80: ▲ Nära målet.")
