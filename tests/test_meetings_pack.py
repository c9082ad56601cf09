"""The meeting pack (``export --meeting``, :func:`write_meeting_pack`) read back.

A closed meeting's pack gives the figures as at closing after a later ``import --replace``
and an ``undo``, with the "revised" note beside the revised figure; its Word document
has, per target, the computed status and the group's assessment in cells of their own,
the comments with who and when, the decisions and the actions table; its deck has the
"Sedan förra mötet" and "Beslut och åtgärder" slides; its minutes as PDF are named by the
agreement and the meeting's date, and ``SHA256SUMS`` gives every file's sum (the PDF read
back: tests/test_export_pdf.py). Texts stay text. Small counts are
hidden as in every export. Figures as in tests/test_meetings.py (worked out by hand
from the demo workbook).
"""

from __future__ import annotations

import hashlib
import io
from contextlib import redirect_stderr, redirect_stdout

import pytest
from docx import Document
from PIL import Image
from pptx import Presentation

import dashboard.meetings as meetings
from dashboard.cli.main import main
from dashboard.config import DATA_DIR
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset, undo_import
from dashboard.export.deck import write_deck
from dashboard.export.images import find_browser
from dashboard.export.meeting import meeting_contents
from tests.needs import missing
from tests.test_meetings import KRAMI, WORKBOOK, changed_workbook

GRUMS = "grums-unga-2016"


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pack.sqlite'}")
    repository.ensure_schema(engine)
    assert import_dataset(engine, WORKBOOK).ok
    yield engine
    engine.dispose()


def hold(engine) -> tuple[int, int]:
    """Meeting 1 (2023-Q1) held and closed; its action is still open."""
    mid = meetings.create(engine, KRAMI, "2023-Q1", "2023-04-20", title="Styrgrupp april",
                          attendees="Anna Andersson (AF)\nBo Berg (KV)", by="Anna Andersson")
    meetings.checkin(engine, mid, meetings.TargetKey("occupancy"), "at_risk",
                     "Färre remisser från KV under vintern", "Anna Andersson")
    meetings.checkin(engine, mid, meetings.TargetKey("work_study_share"), "off_track",
                     "=SUM(A1) <b>inte fet</b>", "Bo Berg")
    _, action = meetings.decide(engine, mid, "KV ser över remissvägarna",
                                meetings.TargetKey("occupancy"),
                                ("Möte med frivården om remisser", "KV", "2023-05-15"),
                                by="Anna Andersson")
    meetings.close(engine, mid, "Anna Andersson")
    return mid, action


def cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_pack_of_a_closed_meeting_after_import_and_undo(engine, tmp_path, monkeypatch):
    if find_browser() is None:
        missing("no Chrome or Chromium for kaleido: apt-get install chromium",
                "the meeting pack tests")
    mid, action = hold(engine)
    assert import_dataset(engine, changed_workbook(tmp_path, 1), replace=True).ok  # 2
    later = import_dataset(engine, changed_workbook(tmp_path, 5, name="later.xlsx"))
    assert undo_import(engine, later.import_id).ok

    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    monkeypatch.delenv("DASHBOARD_LANG", raising=False)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["export", "--meeting", str(mid), "--out", str(tmp_path / "pack"),
                     "--format", "docx,pptx,pdf"])
    assert code == 0, err.getvalue()
    name = f"mote-{mid}-{KRAMI}-2023-q1"
    # The minutes as PDF named by the agreement and the meeting's date (contract section
    # 10), then SHA256SUMS: each file's SHA-256, two spaces, its name (sha256sum -c).
    pack = tmp_path / "pack"
    files = [f"{name}.docx", f"{name}.pptx", f"{KRAMI}-2023-04-20.pdf"]
    assert out.getvalue().splitlines()[:4] == [str(pack / f) for f in [*files, "SHA256SUMS"]]
    assert (pack / "SHA256SUMS").read_text() == "".join(
        f"{hashlib.sha256((pack / f).read_bytes()).hexdigest()}  {f}\n" for f in files)
    assert sorted(p.name for p in pack.iterdir()) == sorted([*files, "SHA256SUMS"])

    doc = Document(str(tmp_path / "pack" / f"{name}.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert "Möte 2023-04-20 · Styrgrupp april" in texts
    assert "Närvarande: Anna Andersson (AF); Bo Berg (KV)" in texts
    assessed = cells(doc.tables[0])
    assert assessed[0] == ["Nyckeltal", "Värde", "Mål", "Beräknad status",
                           "Styrgruppens bedömning"]
    # The figure as at closing, the revision beside it; status and assessment apart.
    assert assessed[1] == ["Beläggning", "73,7\nreviderad sedan mötet: 73,7 → 81,7",
                           "minst 80", "▲ Nära målet", "◆ Risk"]
    assert assessed[2] == ["Andel i arbete eller studier", "33,3\xa0%", "minst 60\xa0%",
                           "✖ Ej uppnått", "■ Ur fas"]
    assert assessed[3][3:] == ["✔ Uppnått", "Ingen bedömning"]
    # The comments, who and when; a text that looks like a formula or HTML stays text.
    at = texts.index("Färre remisser från KV under vintern")
    assert texts[at - 1] == ("Beläggning – beräknad status: ▲ Nära målet; styrgruppens "
                             "bedömning: ◆ Risk")
    assert texts[at + 1].startswith("Anna Andersson, 20")
    assert "=SUM(A1) <b>inte fet</b>" in texts
    # The decisions, then the actions table.
    assert "KV ser över remissvägarna (gäller mål: Beläggning)" in texts
    assert texts.index("Beslut") < texts.index("Åtgärder")
    assert cells(doc.tables[1]) == [["Åtgärd", "Ansvarig", "Klart senast", "Klar"],
                                    ["Möte med frivården om remisser", "KV", "2023-05-15",
                                     "Ej klar"]]
    key_figures = cells(doc.tables[2])
    assert ["Beläggning", "73,7\nreviderad sedan mötet: 73,7 → 81,7", "minst 80",
            "▲ Nära målet"] in key_figures

    deck = Presentation(str(tmp_path / "pack" / f"{name}.pptx"))
    titles = [s.shapes.title.text_frame.text for s in deck.slides]
    assert titles[1] == "Sedan förra mötet" and titles[-1] == "Beslut och åtgärder"
    last = "\n".join(s.text_frame.text for s in deck.slides[-1].shapes if s.has_text_frame)
    assert "1. KV ser över remissvägarna" in last
    assert "Möte med frivården om remisser – KV – klart senast 2023-05-15 – Ej klar" in last

    # The next meeting's deck: since the last meeting, the open action overdue (its slides'
    # text read from a deck written with stand-in images: the drawing is the one above).
    nxt = meetings.create(engine, KRAMI, "2023-Q2", "2023-08-24", by="Bo Berg")
    contents = meeting_contents(engine, nxt, "en", 5)
    assert contents.base_name == f"meeting-{nxt}-{KRAMI}-2023-q2"
    image = io.BytesIO()
    Image.new("RGB", (16, 9), "white").save(image, "PNG")
    deck = Presentation(str(write_deck(tmp_path / "next.pptx", contents, {
        s.key: image.getvalue() for s in contents.deck_slides if s.figure})))
    since = deck.slides[1]
    assert since.shapes.title.text_frame.text == "Since the last meeting"
    body = "\n".join(s.text_frame.text for s in since.shapes if s.has_text_frame)
    assert "The last meeting: 2023-04-20, Styrgrupp april (2023-Q1)." in body
    assert "Möte med frivården om remisser (KV, due 2023-05-15) – ⚠ Overdue" in body
    assert "Occupancy: ▲ Close → ✔ Met" in body


def test_a_meeting_pack_hides_small_counts(engine):
    """Grums 2017-Q2 by gender has small counts: the meeting's pack hides them so that
    none can be worked out (the same check as every export's, tests/test_export.py)."""
    from dashboard.domain.privacy import outcome_relations, recomputable
    from dashboard.model.series import TOTAL, outcomes_by_group
    from dashboard.model.view import build_view

    assert import_dataset(engine, DATA_DIR / "demo" / "grums-unga-2016-2018.xlsx").ok
    mid = meetings.create(engine, GRUMS, "2017-Q2", "2017-06-20", by="x")
    meetings.close(engine, mid, "x")
    contents = meeting_contents(engine, mid, "sv", 5)
    chart = contents.chart("outcomes-gender")
    assert chart is not None and chart.suppressed
    table = chart.panel.table
    view = build_view(engine, GRUMS, "2017-Q2", breakdown="gender")
    values, relations = outcome_relations(outcomes_by_group(view.data, view.period, None,
                                                            "gender"))
    hidden = {(i, col if col != "share" else "ws") for i, cols in zip(
        table.index, table["hidden"], strict=True) for col in cols}
    assert hidden and recomputable(values, hidden, relations) == set()
    assert table[table["group"] == TOTAL].iloc[0]["hidden"] == ()


def test_no_such_meeting_is_a_message(engine, tmp_path):
    from dashboard.export.images import ExportError

    with pytest.raises(ExportError, match="Mötet 42 finns inte."):
        meeting_contents(engine, 42)


def test_a_clusters_target_and_its_check_in_are_in_the_document(engine, tmp_path):
    """Stockholm–AF follows work or study per cluster: a check-in on Järva's target goes
    into the agreement's meeting document, named by its cluster (no browser: the charts
    are stand-in images)."""
    from PIL import Image

    from dashboard.export.minutes import write_minutes

    assert import_dataset(engine, DATA_DIR / "demo" / "stockholm-af-2023.xlsx").ok
    mid = meetings.create(engine, "sthlm-af-2023", "2023", "2024-02-01", by="x")
    key = meetings.TargetKey("work_study_share", "jarva")
    assert key in meetings.target_keys(engine, mid)
    meetings.checkin(engine, mid, key, "on_track", "Fler till studier", "Cecilia")
    contents = meeting_contents(engine, mid, "sv", 5)
    image = io.BytesIO()
    Image.new("RGB", (16, 9), "white").save(image, "PNG")
    path = write_minutes(tmp_path / "m.docx", contents,
                         {c.key: image.getvalue() for c in contents.charts})
    doc = Document(str(path))
    rows = cells(doc.tables[0])
    jarva = next(r for r in rows if r[0] == "Järva: Andel i arbete eller studier")
    assert jarva[3:] == ["✔ Uppnått", "● I fas"]
    # The header; the agreement's work_study_share, work_share, study_share, arbetsgivare_stod
    # and the rhythm's meetings (5); work_study_share, work_share, study_share per cluster.
    assert len(rows) == 1 + 5 + 5 * 3
    texts = [p.text for p in doc.paragraphs]
    assert "Fler till studier" in texts
    assert texts[texts.index("Fler till studier") + 1].startswith("Cecilia, 20")


def test_each_role_target_with_its_check_in_in_the_document_and_the_deck(engine, tmp_path):
    """Krami's two fte_actual targets (issue 16), the counsellor team's and the
    administrator's, each with a check-in of its own: both named with their role, each
    beside its own assessment, in the Word document and the deck (no browser: the charts
    are stand-in images). 2023-Q1: the team 17.5 / 3 = 5,83 FTE against at least 6
    (amber), the administrator 0,5 against at least 0,5 (green)."""
    from PIL import Image

    from dashboard.export.deck import write_deck
    from dashboard.export.minutes import write_minutes

    mid = meetings.create(engine, KRAMI, "2023-Q1", "2023-04-20", by="Anna Andersson")
    meetings.checkin(engine, mid, meetings.TargetKey("fte_actual", role="vägledare"),
                     "at_risk", "KV:s vakans i mars", "Anna Andersson")
    meetings.checkin(engine, mid, meetings.TargetKey("fte_actual", role="administratör"),
                     "on_track", "Halvtid som avtalat", "Bo Berg")
    meetings.decide(engine, mid, "AF lånar ut en vägledare",
                    meetings.TargetKey("fte_actual", role="vägledare"), by="Anna Andersson")
    meetings.close(engine, mid, "Anna Andersson")
    contents = meeting_contents(engine, mid, "sv", 5)
    image = io.BytesIO()
    Image.new("RGB", (16, 9), "white").save(image, "PNG")

    doc = Document(str(write_minutes(tmp_path / "m.docx", contents,
                                     {c.key: image.getvalue() for c in contents.charts})))
    rows = {r[0]: r for r in cells(doc.tables[0])}
    assert rows["Faktiska årsarbetskrafter – vägledare"][1:] == [
        "5,83", "minst 6,0", "▲ Nära målet", "◆ Risk"]
    assert rows["Faktiska årsarbetskrafter – administratör"][1:] == [
        "0,5", "minst 0,5", "✔ Uppnått", "● I fas"]
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("KV:s vakans i mars")
    assert texts[at - 1].startswith("Faktiska årsarbetskrafter – vägledare – beräknad status")
    at = texts.index("Halvtid som avtalat")
    assert texts[at - 1].startswith("Faktiska årsarbetskrafter – administratör – beräknad")
    assert "AF lånar ut en vägledare (gäller mål: Faktiska årsarbetskrafter – vägledare)" \
        in texts

    deck = Presentation(str(write_deck(tmp_path / "m.pptx", contents,
                                       {c.key: image.getvalue()
                                        for c in contents.deck_charts})))
    notes = "\n".join(s.notes_slide.notes_text_frame.text for s in deck.slides
                      if s.has_notes_slide)
    assert "Faktiska årsarbetskrafter – vägledare: 5,83 (minst 6,0) – ▲ Nära målet – " \
           "◆ Risk: KV:s vakans i mars" in notes
    assert "Faktiska årsarbetskrafter – administratör: 0,5 (minst 0,5) – ✔ Uppnått – " \
           "● I fas: Halvtid som avtalat" in notes
