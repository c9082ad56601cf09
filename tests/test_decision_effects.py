"""Effect since decision (issue 19, part 3): a decision of an earlier meeting tied to a
target shows, at the later meetings, the target's value at the decision and now.

Järfälla's directional target ``kolada:N03937`` (openly unemployed, decrease) on the
recorded Kolada pages (data/demo/kolada): 5.8 for 2022, 6.1 for 2023. The spring meeting
of 2023 reviews 2022 and decides "förstärk uppsökande arbete" on that target; the spring
meeting of 2024 reviews 2023: at the decision 5.8, now 6.1.
"""

from __future__ import annotations

import io
import json
import shutil

import pytest
from docx import Document
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

import dashboard.meetings as meetings
from dashboard.config import DATA_DIR
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.export.contents import effect_lines
from dashboard.export.deck import write_deck
from dashboard.export.mail import body_of
from dashboard.export.meeting import meeting_contents
from dashboard.export.minutes import write_minutes
from dashboard.export.pdf import write_pdf
from dashboard.figures.markers import boundary, marker_label
from dashboard.figures.measure import text_width
from dashboard.figures.panels import indicators_panel, occupancy_panel
from dashboard.figures.theme import SCREEN, STATUS_COLOURS
from dashboard.meetings.demo import load_demo_meetings
from dashboard.meetings.model import TargetKey
from dashboard.meetings.record import decision_markers, load
from dashboard.model.view import DecisionMarker, build_view, cluster_views
from dashboard.web.components.meeting import effects_block
from dashboard.web.components.view_page import markers_key
from tests.builders import base_tables, import_into, write_csv_folder, write_workbook
from tests.cli import run_cli
from tests.test_kolada import AGREEMENTS, PAGES


def _run(url, *args, lang=None):
    ran = run_cli(url, *args, lang=lang)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip()


def test_a_decision_on_a_target_shows_its_value_then_and_now(db_url, tmp_path):
    _run(db_url, "import", str(write_csv_folder(tmp_path / "set", AGREEMENTS, swedish=False)))
    _run(db_url, "kolada", "import", *map(str, PAGES))
    first = _run(db_url, "meetings", "add", "--agreement", "jfl", "--period", "2022",
                 "--date", "2023-03-12", "--title", "Vårens möte")
    _run(db_url, "meetings", "decide", first, "--text", "förstärk uppsökande arbete",
         "--kpi", "kolada:N03937")
    _run(db_url, "meetings", "decide", first, "--text", "nästa möte i juni")  # no target
    _run(db_url, "meetings", "close", first)
    second = _run(db_url, "meetings", "add", "--agreement", "jfl", "--period", "2023",
                  "--date", "2024-03-12")

    shown = json.loads(_run(db_url, "meetings", "show", second, "--format", "json"))
    (effect,) = shown["meeting"]["decision_effects"]
    assert (effect["decided_on"], effect["text"], effect["kpi"], effect["meeting_id"]) == \
        ("2023-03-12", "förstärk uppsökande arbete", "kolada:N03937", int(first))
    assert (effect["then"]["period"], effect["then"]["value"], effect["then"]["status"]) == \
        ("2022", 5.8, "green")  # 5.8 against 5.9 in 2021: down
    assert (effect["now"]["period"], effect["now"]["value"], effect["now"]["status"]) == \
        ("2023", 6.1, "red")  # 6.1 against 5.8: up
    text = _run(db_url, "meetings", "show", second)
    assert ("Beslut 12 mars 2023: förstärk uppsökande arbete – kolada:N03937: "
            "5,8 vid beslutet, 6,1 nu") in text
    # The deciding meeting itself shows no effect of its own decisions.
    assert json.loads(_run(db_url, "meetings", "show", first, "--format", "json"))[
        "meeting"]["decision_effects"] == []

    # The meeting page's part (beside "since the meeting before"): the same line, in words.
    engine = make_engine(db_url)
    try:
        record = load(engine, int(second), "sv", trends=False)
    finally:
        engine.dispose()
    block = effects_block(record, "sv", {}, {})
    heading, items = block.children
    assert heading.children == "Effekt sedan beslut"
    (item,) = items.children
    assert item.children == ("Beslut 12 mars 2023: förstärk uppsökande arbete – "
                             "Öppet arbetslösa, andel (%) av befolkningen 18–65 år: "
                             "5,8 vid beslutet, 6,1 nu")
    assert item.to_plotly_json()["props"]["data-target"] == "kolada:N03937"


# --------------------------------------------------------------------------- in the pack
#
# A small agreement (tests/builders.py): occupancy by month, the whole agreement's target
# 80. Occupancy is the mean over the months with data of the month's total participants
# (contract section 3): January 10 + 30 + 35 = 75, February 12 + 33 = 45 (Söder did not
# report), March 11 + 31 + 40 = 82. The February meeting reviews January (75) and decides
# "förstärk uppsökande arbete" on occupancy; the April meeting reviews the first quarter:
# (75 + 45 + 82) / 3 = 67.33…, written 67,3.

DECIDED = "förstärk uppsökande arbete"
EFFECT = ("Beslut 14 februari 2023: förstärk uppsökande arbete – Beläggning: "
          "75 vid beslutet, 67,3 nu")


@pytest.fixture(scope="module")
def decided(tmp_path_factory):
    """The agreement with the February meeting closed (its decision tied to occupancy, one
    more not tied to a target) and the April meeting open: (engine, february, april)."""
    engine = import_into(tmp_path_factory.mktemp("decided"))
    february = meetings.create(engine, "krami", "2023-01", "2023-02-14", "Februari", by="Anna")
    meetings.decide(engine, february, DECIDED, TargetKey("occupancy"), by="Anna")
    meetings.decide(engine, february, "nästa möte i april", by="Anna")
    assert decision_markers(engine, "krami") == []  # not decided until the meeting closes
    meetings.close(engine, february, "Anna")
    april = meetings.create(engine, "krami", "2023-Q1", "2023-04-20", "April", by="Anna")
    yield engine, february, april
    engine.dispose()


def test_the_effect_is_said_once_for_every_writer_and_the_mail(decided):
    engine, february, april = decided
    contents = meeting_contents(engine, april, "sv")
    assert contents.effects == [EFFECT]
    record = contents.meeting
    (effect,) = record.effects()
    assert (effect.then.value, round(effect.now.value, 4)) == (75, round(202 / 3, 4))
    # The pre-read's text says it under its own heading, from the same function.
    body = body_of(record, "sv", "krami-2023-04-20.pdf", "0" * 64).splitlines()
    at = body.index("Effekt sedan beslut:")
    assert body[at + 1] == f"  - {EFFECT}"
    english = meeting_contents(engine, april, "en").effects
    assert english == ["Decision 14 February 2023: förstärk uppsökande arbete – Occupancy: "
                       "75 at the decision, 67.3 now"]
    # The deciding meeting shows no effect of its own decisions.
    assert meeting_contents(engine, february, "sv").effects == []


@pytest.mark.slow  # WeasyPrint finds its libraries through /sbin/ldconfig: a process
def test_the_minutes_the_pdf_and_the_deck_read_back(decided, tmp_path):
    # The writers read the pack's contents; a plain image stands for each chart (the
    # charts' drawing is the pack's own test, tests/test_meetings_pack.py).
    engine, __, april = decided
    contents = meeting_contents(engine, april, "sv")
    blank = io.BytesIO()
    Image.new("RGB", (16, 9), "white").save(blank, "PNG")
    png = {c.key: blank.getvalue() for c in [*contents.charts, *contents.deck_charts]}
    by_suffix = {".docx": write_minutes(tmp_path / "m.docx", contents, png),
                 ".pdf": write_pdf(tmp_path / "m.pdf", contents, png),
                 ".pptx": write_deck(tmp_path / "m.pptx", contents, png)}

    doc = Document(str(by_suffix[".docx"]))
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("Effekt sedan beslut")
    assert doc.paragraphs[at].style.name == "Heading 2"
    assert texts[at + 1] == EFFECT and doc.paragraphs[at + 1].style.name == "List Bullet"
    # The values are the target's own figure, as the targets' table of the same document
    # gives it (the whole agreement's occupancy: no part of a breakdown, nothing to hide).
    row = next(r for r in doc.tables[0].rows if r.cells[0].text == "Beläggning")
    assert row.cells[1].text == "67,3"

    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(str(by_suffix[".pdf"])).pages)
    assert f"Effekt sedan beslut {EFFECT}" in text

    deck = Presentation(str(by_suffix[".pptx"]))
    titles = [s.shapes.title.text_frame.text for s in deck.slides]
    assert titles[1:3] == ["Sedan förra mötet", "Effekt sedan beslut"]
    slide = deck.slides[2]
    runs = [r for shape in slide.shapes if shape.has_text_frame and shape != slide.shapes.title
            for p in shape.text_frame.paragraphs for r in p.runs]
    assert EFFECT in [r.text for r in runs]
    # Readable at 1024×768: no run under 14 pt (14.9 px on a slide shown 1024 px wide).
    assert min(r.font.size.pt for r in runs) >= 14
    assert slide.notes_slide.notes_text_frame.text == EFFECT


# --------------------------------------------------------------------------- on the chart


def _decision_parts(figure) -> tuple[list[dict], list[dict]]:
    shapes = [s for s in figure.layout.get("shapes", []) if s.get("name") == "decision"]
    labels = [a for a in figure.layout.get("annotations", []) if a.get("name") == "decision"]
    return shapes, labels


def test_the_occupancy_chart_marks_the_decision_at_its_date(decided):
    engine, __, april = decided
    (marker,) = decision_markers(engine, "krami")
    assert (marker.on, marker.text, marker.kpi, marker.cluster_id) == \
        ("2023-02-14", DECIDED, "occupancy", None)
    view = build_view(engine, "krami", "2023-Q1")
    plain = occupancy_panel(view, SCREEN).figure
    view.markers = [marker]
    panel = occupancy_panel(view, SCREEN)
    (line,), (label,) = _decision_parts(panel.figure)
    # The axis is jan, feb, mar (categories 0, 1, 2): 14 February lies in February, so
    # the line goes between January and February, at 0.5, up the whole plot (to its label).
    assert (line["xref"], line["x0"], line["x1"], line["y0"]) == ("x", 0.5, 0.5, 0)
    assert line["line"]["color"] not in STATUS_COLOURS.values()
    assert label["text"] == "Beslut 14 februari: förstärk uppsökande arbete"
    assert (label["x"], label["xanchor"], label["y"], label["yref"]) == (0.5, "left", 1,
                                                                         "y domain")
    # Written on the chart (nobody hovers), and the whole decision in the words beside it.
    assert panel.figure.layout["hovermode"] is False
    assert panel.sentences[-1] == "Beslut 14 februari 2023: förstärk uppsökande arbete."
    # Nothing of the chart moves but its axis, stretched for the band the label takes.
    assert plain.layout["yaxis"]["range"][1] < panel.figure.layout["yaxis"]["range"][1]
    assert [t["y"] for t in plain.data] == [t["y"] for t in panel.figure.data]
    # A cluster's chart marks only its own decisions (this one is the whole agreement's).
    (norr,) = [cv for cv in cluster_views(view) if cv.cluster_id == "norr"]
    assert norr.markers == [marker]
    assert _decision_parts(occupancy_panel(norr, SCREEN).figure) == ([], [])
    # The meeting's slides mark the decisions of the meetings before it.
    contents = meeting_contents(engine, april, "sv")
    slide = next(s for s in contents.deck_slides if s.key == "occupancy")
    (line,), (label,) = _decision_parts(slide.figure)
    assert line["x0"] == 0.5 and label["text"].startswith("Beslut 14 februari")
    # A slide keeps the room its chart was drawn for (no line more under it): the deck
    # says the decision whole on its "Effekt sedan beslut" slide.
    assert slide.lines == []


def test_a_decision_outside_the_axis_or_in_its_first_period_is_said_in_words_only(decided):
    # Months jan, feb, mar: a decision in January (the first shown) or in April (after).
    assert boundary(["2023-01", "2023-02", "2023-03"], "2023-01-20") is None
    assert boundary(["2023-01", "2023-02", "2023-03"], "2023-04-02") is None
    assert boundary(["2023-01", "2023-02", "2023-03"], "2023-03-01") == 1.5
    # A decision after the last period shown is not the chart's at all: nothing drawn or
    # said under a chart of the year before.
    view = build_view(decided[0], "krami", "2023-01")
    view.markers = [DecisionMarker("2023-02-14", DECIDED, "occupancy")]
    panel = occupancy_panel(view, SCREEN)
    assert _decision_parts(panel.figure) == ([], []) and panel.sentences == []
    # Quarters of two years: 19 April 2018 is in the second quarter, the sixth bar.
    quarters = [f"{y}-Q{q}" for y in (2017, 2018) for q in (1, 2, 3, 4)]
    assert boundary(quarters, "2018-04-19") == 4.5


def test_a_long_decision_is_cut_to_the_room_beside_its_line():
    marker = DecisionMarker("2023-02-14", "förstärk uppsökande arbete mot frivården och "
                            "kommunens socialtjänst i alla stadsdelar", "occupancy")
    label = marker_label(marker, "sv", 17, 300)
    assert label.startswith("Beslut 14 februari: förstärk") and label.endswith("…")
    assert text_width(label, 17) <= 300


def test_a_closed_meeting_changes_what_the_page_keeps(decided, tmp_path):
    # On a copy: the module's other tests read the agreement with one decision marked,
    # whatever order they run in.
    shared, __, ___ = decided
    shared.dispose()
    shutil.copyfile(shared.url.database, tmp_path / "decided.sqlite")
    engine = make_engine(f"sqlite:///{tmp_path / 'decided.sqlite'}")
    before = markers_key(decision_markers(engine, "krami"))
    assert markers_key([]) == "-" and len(before) == 16
    # Another decision, at a meeting closed since (no import: the data version is the
    # same), gives the page's kept view another key: the new marker is shown at once.
    other = meetings.create(engine, "krami", "2023-02", "2023-03-20", "Mars", by="Anna")
    meetings.decide(engine, other, "fler platser i Söder", TargetKey("occupancy"), by="Anna")
    assert markers_key(decision_markers(engine, "krami")) == before  # still open
    meetings.close(engine, other, "Anna")
    assert markers_key(decision_markers(engine, "krami")) != before
    assert [m.on for m in decision_markers(engine, "krami")] == ["2023-02-14", "2023-03-20"]
    engine.dispose()
    assert [m.on for m in decision_markers(shared, "krami")] == ["2023-02-14"]


def test_the_decisions_marked_are_read_on_both_databases(any_engine, tmp_path):
    assert import_dataset(any_engine, write_workbook(tmp_path / "k.xlsx", base_tables())).ok
    mid = meetings.create(any_engine, "krami", "2023-01", "2023-02-14", by="Anna")
    meetings.decide(any_engine, mid, DECIDED, TargetKey("fte_actual", party_id="KV"),
                    by="Anna")
    meetings.decide(any_engine, mid, "utan mål", by="Anna")
    meetings.close(any_engine, mid, "Anna")
    assert decision_markers(any_engine, "krami") == [
        DecisionMarker("2023-02-14", DECIDED, "fte_actual", None, "KV", None)]


# --------------------------------------------------------------------------- the demo


def test_the_demo_shows_a_marker_and_an_effect(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        repository.ensure_schema(engine)
        assert import_dataset(engine, DATA_DIR / "demo" / "grums-unga-2016-2018.xlsx").ok
        april, october = load_demo_meetings(engine, {"grums-unga-2016"})
        # The share offered a measure within 90 days, from the workbook: 2018-Q1 1.000
        # (the April meeting, which decided), 2018-Q3 0.875 (the October meeting).
        record = load(engine, october, "sv", trends=False)
        (effect,) = record.effects()
        assert (effect.decided_on, effect.then.value, effect.now.value) == \
            ("2018-04-19", 1.0, 0.875)
        assert effect_lines(record, "sv") == [
            "Beslut 19 april 2018: Förstärk uppsökande arbete: första kontakt inom 30 dagar"
            " – Insats inom 90 dagar: 100\u00a0% vid beslutet, 87,5\u00a0% nu"]
        view = build_view(engine, "grums-unga-2016", "2018")
        view.markers = decision_markers(engine, "grums-unga-2016")
        (line,), (label,) = _decision_parts(indicators_panel(view, SCREEN).figure)
        # 2017-Q1 … 2018-Q4: 19 April 2018 opens the sixth bar, 2018-Q2.
        assert line["x0"] == 4.5 and label["text"].startswith("Beslut 19 april: Förstärk")
        assert record.meeting.id == october and record.previous.id == april
    finally:
        engine.dispose()
