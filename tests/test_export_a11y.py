"""The exported documents read well without seeing them (issue 8): every slide of the deck
has a real title (a title placeholder: PowerPoint's outline, screen readers), every
picture a text alternative made of the chart's sentences, and the Word captions read
"Figur 3: Beläggning – Krami Stockholm 2023, 2023" in Word's numbered Caption style.

The files are written from the demo data with stand-in images (no browser needed) and
read back with python-pptx and python-docx.
"""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER

from dashboard.data import repository
from dashboard.config import load_settings
from dashboard.data.db import make_engine
from dashboard.export.deck import write_deck
from dashboard.export.minutes import write_minutes
from dashboard.export.pack import build_contents

KRAMI, STHLM, JARFALLA = "krami-sthlm-2023", "sthlm-af-2023", "jarfalla-af-2023"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from dashboard.web.app import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('export-a11y') / 'demo.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    assert all(r.ok for r in load_demo(engine, load_settings({"database_url": url})))
    yield engine
    engine.dispose()


def stand_in_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 90), "white").save(buffer, "PNG")
    return buffer.getvalue()


def written(demo, tmp_path, agreement: str, period: str, lang: str = "sv",
            per_cluster: bool = False):
    contents = build_contents(demo, agreement, period, None, lang, 5, per_cluster)
    png = {chart.key: stand_in_png() for chart in contents.charts}
    deck = write_deck(tmp_path / "deck.pptx", contents, png)
    minutes = write_minutes(tmp_path / "minutes.docx", contents, png)
    return contents, Presentation(str(deck)), Document(str(minutes))


def test_every_slide_has_a_title_placeholder(demo, tmp_path):
    contents, prs, _ = written(demo, tmp_path, STHLM, "2023-H1", per_cluster=True)
    slides = list(prs.slides)
    assert len(slides) == len(contents.slides)
    titles = []
    for slide in slides:
        title = slide.shapes.title
        assert title is not None and title.is_placeholder
        assert title.placeholder_format.type == PP_PLACEHOLDER.TITLE
        assert title.text_frame.text.strip()
        titles.append(title.text_frame.text)
    assert titles[0] == "Stockholms stad – Arbetsförmedlingen 2023"
    # The cover's title is its heading, on the slide; a chart's title is drawn in the
    # image, so its placeholder waits just above the slide (outline and screen readers).
    assert slides[0].shapes.title.top >= 0
    charts = [c for c in contents.charts if not c.key.endswith("-gender")]
    assert titles[1:] == [c.caption for c in charts]
    assert titles[1] == "Beläggning – Stockholms stad – Arbetsförmedlingen 2023, jan–jun 2023"
    # Per cluster its occupancy and its outcomes (by gender): five clusters, ten slides.
    assert titles[-10].startswith("Beläggning – Järva – Stockholms stad")
    assert titles[-9].startswith("Utfall för avslutade efter kön – Järva – ")
    for slide in slides[1:]:
        assert slide.shapes.title.top + slide.shapes.title.height <= 0


def test_every_picture_says_what_the_chart_shows(demo, tmp_path):
    _, prs, doc = written(demo, tmp_path, KRAMI, "2023")
    pictures = [s for slide in prs.slides for s in slide.shapes if s.shape_type == 13]
    described = [p._element.nvPicPr.cNvPr.get("descr") for p in pictures]
    occupancy = ("Beläggning – Krami Stockholm 2023 – 2023. Beläggning 78,3 i genomsnitt per "
                 "månad, mål minst 80: ▲ Nära målet.")
    assert described[0] == occupancy
    outcomes = next(d for d in described if d.startswith("Utfall för avslutade –"))
    assert "(n = 103 som fullföljt), mål minst 60\u00a0%: ✖ Ej uppnått" in outcomes
    costs = next(d for d in described if d.startswith("Kostnadsfördelning"))
    assert "Kriminalvården ska betala 734\u00a0000\u00a0kr till Stockholms stad" in costs
    in_word = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert in_word[0] == occupancy
    assert all(d and ". " in d for d in in_word)


def test_word_captions_are_numbered_captions_saying_what_where_when(demo, tmp_path):
    contents, _, doc = written(demo, tmp_path, KRAMI, "2023")
    captions = [p for p in doc.paragraphs if p.style.name == "Caption"]
    assert [p.text for p in captions[:2]] == [
        "Figur 1: Beläggning – Krami Stockholm 2023, 2023",
        "Figur 2: Beläggning efter kön – Krami Stockholm 2023, 2023"]
    assert len(captions) == len(contents.charts)
    for number, caption in enumerate(captions, start=1):
        fields = [i.text for i in caption._p.iter(qn("w:instrText"))]
        assert fields == [" SEQ Figur \\* ARABIC "]  # Word numbers them (list of figures)
        assert caption.text.startswith(f"Figur {number}: ")


def test_english_captions_and_titles(demo, tmp_path):
    _, prs, doc = written(demo, tmp_path, JARFALLA, "2023-Q4", lang="en")
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[0].startswith("Figure 1: Indicators")
    assert captions[0].endswith(", Oct–Dec 2023 (Q4)")
    assert list(prs.slides)[0].shapes.title.text_frame.text == \
        "Järfälla kommun – Arbetsförmedlingen 2023"
    described = [s._element.nvPicPr.cNvPr.get("descr") for slide in prs.slides
                 for s in slide.shapes if s.shape_type == 13]
    assert any("same quarter a year earlier: 100): ▲ Unchanged" in d for d in described)
