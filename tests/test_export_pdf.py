"""The minutes as PDF (contract section 10) read back as a reader's program would.

The demo meeting is made once for the module: Krami Stockholm 2023, reviewing 2023-Q4,
held 2024-01-25, with three check-ins (one comment written as a formula and HTML), a
decision and its action. ``python -m dashboard export --meeting M --format pdf`` runs
once, in this process (kaleido with the machine's Chromium, WeasyPrint; no mocks), and
every test below reads what it wrote with pypdf: the file name and ``SHA256SUMS``, the
identification in the XMP metadata (PDF/A-3a and PDF/UA-1), the language, the tags
(headings, tables with header cells, figures with their text alternative) and their
pages, the embedded fonts, the page numbers, and the text: check-ins, decisions, actions,
and no small count (the quarter's outcomes by gender hide women's and men's counts).

Figures worked out by hand from data/demo/krami-stockholm-2023.xlsx (as in
tests/test_meetings.py): occupancy Oct 82, Nov 87, Dec 90 -> 86,3 against at least 80,
met; work or study 14 of the 27 who completed -> 51,9 % against at least 60 %, not met.
"""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout

import pytest
from pypdf import PdfReader
from pypdf.generic import IndirectObject

import dashboard.meetings as meetings
from dashboard.cli.main import main
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.domain.privacy import outcome_relations, recomputable
from dashboard.export.contents import gender_panels, shows_suppression
from dashboard.export.images import find_browser
from dashboard.model.series import outcomes_by_group
from dashboard.model.view import build_view
from tests.needs import missing
from tests.test_meetings import KRAMI, WORKBOOK

PDF_NAME = f"{KRAMI}-2024-01-25.pdf"  # <agreement>-<meeting date>.pdf (contract section 10)
FORMULA = "=SUM(A1) <b>inte fet</b>"
CHECKINS = [
    ("occupancy", None, "at_risk", "Färre remisser från KV under hösten", "Anna Andersson"),
    ("work_study_share", None, "off_track", FORMULA, "Bo Berg"),
    ("fte_actual", "AF", "on_track", "Ny handläggare från februari", "Bo Berg"),
]
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"


@pytest.fixture(scope="module")
def meeting(tmp_path_factory):
    """Krami's workbook in a fresh SQLite file, and the meeting of 2024-01-25."""
    if find_browser() is None:
        missing("no Chrome or Chromium for kaleido: apt-get install chromium", "the PDF tests")
    url = f"sqlite:///{tmp_path_factory.mktemp('pdf') / 'krami.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    assert import_dataset(engine, WORKBOOK).ok
    mid = meetings.create(engine, KRAMI, "2023-Q4", "2024-01-25", title="Styrgrupp januari",
                          attendees="Anna Andersson (AF)\nBo Berg (KV)", by="Anna Andersson")
    for kpi, party, assessment, comment, who in CHECKINS:
        meetings.checkin(engine, mid, meetings.TargetKey(kpi, party_id=party), assessment,
                         comment, who)
    meetings.decide(engine, mid, "KV ser över remissvägarna", meetings.TargetKey("occupancy"),
                    ("Möte med frivården om remisser", "KV", "2024-02-15"), by="Anna Andersson")
    yield url, engine, mid
    engine.dispose()


@pytest.fixture(scope="module")
def exported(meeting, tmp_path_factory):
    """``python -m dashboard export --meeting M --out DIR --format pdf``, once."""
    url, _engine, mid = meeting
    out = tmp_path_factory.mktemp("pdf-pack")
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        mp.delenv("DASHBOARD_LANG", raising=False)
        with redirect_stdout(stdout), redirect_stderr(stderr):
            code = main(["export", "--meeting", str(mid), "--out", str(out), "--format", "pdf"])
    return code, stdout.getvalue(), stderr.getvalue(), out


@pytest.fixture(scope="module")
def pdf(exported) -> PdfReader:
    code, _out, err, folder = exported
    assert code == 0, err
    return PdfReader(folder / PDF_NAME)


@pytest.fixture(scope="module")
def tags(pdf) -> list[dict]:
    """Every structure element in reading order: its type, page number (1-based), its
    text alternative, and the types of its children."""
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(pdf.pages, start=1)}
    out = []

    def walk(element, depth):
        element = element.get_object()
        kids = element.get("/K")
        kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
        kids = [k.get_object() for k in kids if isinstance(k, IndirectObject)]
        kids = [k for k in kids if k.get("/Type") == "/StructElem"]
        page = element.get("/Pg")
        out.append({"type": element["/S"][1:], "depth": depth,
                    "page": pages.get(page.idnum) if page is not None else None,
                    "alt": str(element["/Alt"]) if "/Alt" in element else None,
                    "kids": [k["/S"][1:] for k in kids]})
        for kid in kids:
            walk(kid, depth + 1)

    document = pdf.trailer["/Root"]["/StructTreeRoot"]["/K"][0].get_object()
    assert document["/S"] == "/Document"
    for element in document["/K"]:
        walk(element, 0)
    return out


@pytest.fixture(scope="module")
def pages_text(pdf) -> list[str]:
    return [page.extract_text() for page in pdf.pages]


# --------------------------------------------------------------------------- the pack


def test_the_cli_writes_the_pdf_named_by_agreement_and_date_with_its_sums(exported):
    code, stdout, stderr, out = exported
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[:2] == [str(out / PDF_NAME), str(out / "SHA256SUMS")]
    assert lines[-1].startswith("Mötespaketet är klart: 2 filer")
    # SHA256SUMS as sha256sum -c reads it: every other file of the pack, its sum recomputed.
    files = sorted(p.name for p in out.iterdir() if p.name != "SHA256SUMS")
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert sums == "".join(f"{hashlib.sha256((out / name).read_bytes()).hexdigest()}  {name}\n"
                           for name in files)
    assert files == [PDF_NAME] and re.fullmatch(r"[0-9a-f]{64}  \S+\n", sums)


# --------------------------------------------------------------------------- identification


def test_the_metadata_say_pdf_a_3a_and_pdf_ua_1_title_and_language(pdf):
    xmp = ET.fromstring(pdf.trailer["/Root"]["/Metadata"].get_object().get_data())
    said = {}
    for description in xmp.iter(f"{RDF}Description"):
        said.update(description.attrib)
        said.update({child.tag: child for child in description})
    assert said[f"{PDFAID}part"] == "3" and said[f"{PDFAID}conformance"] == "A"
    assert said[f"{PDFUAID}part"] == "1"
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "sv"
    assert bool(root["/MarkInfo"]["/Marked"])  # tagged
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])  # the title, not the name
    assert root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"  # the colours' profile (sRGB)
    info = pdf.metadata
    assert info.title == "Krami Stockholm 2023 – okt–dec 2023 (kv. 4)"
    assert info.subject == "Uppföljning för styrgruppen"
    assert info.author == "Samverkan dashboard"
    assert pdf.pdf_header == "%PDF-1.7"


def test_every_font_is_embedded(pdf):
    fonts = {}
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert len(fonts) >= 2
    for name, font in fonts.items():
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
            else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert {"/FontFile2", "/FontFile3"} & set(descriptor), f"{name} is not embedded"
    # The text's font, and DejaVu Sans for the status symbols (✔ ▲ ✖ ◆ ■).
    assert any("Liberation-Sans" in n for n in fonts) and any("DejaVu-Sans" in n for n in fonts)


# --------------------------------------------------------------------------- tags


def test_headings_tables_with_header_cells_and_figures_are_tagged(tags):
    types = [t["type"] for t in tags]
    assert types.count("H1") == 1 and types[0] == "H1"  # the agreement's name, first
    assert types.count("H2") >= 10 and "H3" in types
    tables = [i for i, t in enumerate(tags) if t["type"] == "Table"]
    assert len(tables) >= 3  # the targets assessed, the actions, every key figure
    for i in tables:  # each table (and each page of one) opens with its row of header cells
        head = next(t for t in tags[i + 1:] if t["type"] == "TR")
        assert head["kids"] and set(head["kids"]) == {"TH"}, tags[i]
    assert types.count("TH") >= 4 + 5 + 4  # at least the three tables' headers
    assert "L" in types and "LI" in types  # the decisions and the charts' sentences
    assert types.count("Caption") == types.count("Figure") == 8


CHARTS = ["Beläggning", "Beläggning efter kön", "Inflöde och utflöde", "Utfall för avslutade",
          "Utfall för avslutade efter kön", "Bemanning", "Kostnadsfördelning", "Indikatorer"]


def test_every_chart_is_a_figure_saying_value_target_and_status(tags):
    alts = [t["alt"] for t in tags if t["type"] == "Figure"]
    where = " – Krami Stockholm 2023 – okt–dec 2023 (kv. 4). "
    assert [a.split(where)[0] for a in alts] == CHARTS
    assert alts[0] == f"Beläggning{where}Beläggning 86,3 i genomsnitt per månad, mål minst " \
                      "80: ✔ Uppnått."
    assert "Andel i arbete eller studier 51,9\u00a0% (n = 27 som fullföljt), mål minst " \
           "60\u00a0%: ✖ Ej uppnått." in alts[3]
    assert alts[2] == f"Inflöde och utflöde{where}Påbörjade 53. Avslutade 40."
    assert "Kriminalvården ska betala" in alts[6]  # cost sharing says who owes whom
    assert all(a.endswith(".") for a in alts)


def test_a_chart_stays_on_one_page_with_its_heading(tags):
    """Reading order: a section's heading, then its first chart on the same page; each
    chart's image and its caption on one page (WeasyPrint's break-after / break-inside:
    avoid)."""
    checked = 0
    for i, tag in enumerate(tags):
        if tag["type"] != "Figure":
            continue
        caption = next(t for t in tags[i + 1:] if t["type"] == "Caption")
        assert caption["page"] == tag["page"]
        before = [t for t in tags[:i] if t["type"] in ("H2", "H3", "Figure")]
        if before[-1]["type"] == "H2":  # the first chart of its section
            assert before[-1]["page"] == tag["page"]
            checked += 1
    assert checked == 6  # occupancy, flow, outcomes, staffing, costs, indicators


# --------------------------------------------------------------------------- the text


def test_every_page_is_numbered(pages_text):
    n = len(pages_text)
    assert n >= 5
    for number, text in enumerate(pages_text, start=1):
        assert f"Krami Stockholm 2023 · okt–dec 2023 (kv. 4) · sida {number} / {n}" in text


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_meeting_its_check_ins_decisions_and_actions_are_text(pages_text):
    text = plain(" ".join(pages_text))
    assert "Möte 2024-01-25 · Styrgrupp januari" in text
    assert "Närvarande: Anna Andersson (AF); Bo Berg (KV)" in text
    assert "Beläggning 86,3 minst 80 ✔ Uppnått ◆ Risk" in text
    assert "Färre remisser från KV under hösten" in text
    assert FORMULA in text  # what people write stays text: no formula, no markup
    assert "Beläggning – beräknad status: ✔ Uppnått; styrgruppens bedömning: ◆ Risk" in text
    assert "KV ser över remissvägarna (gäller mål: Beläggning)" in text
    assert "Möte med frivården om remisser KV 2024-02-15" in text
    assert "Status över tid" in text and "Beläggning: kv. 1 2023 ▲ · kv. 2 ✔ · kv. 3 ✖ · kv. 4 ✔" \
        in text
    for sentence in ("Nyckeltal", "Hela överenskommelsen", "Om uppgifterna"):
        assert sentence in text


def test_no_small_count_reaches_the_pdf(tags, pages_text, meeting):
    """The quarter's outcomes by gender hide women's and men's counts (5 and 22 completed,
    each split into counts of 1 to 4): the PDF says so, its chart is the suppressed one
    (none of its hidden counts can be worked out, the check of every export), and no text
    gives a count of women or men."""
    _url, engine, _mid = meeting
    text = plain(" ".join(pages_text))
    assert "Små antal är dolda" in text and "visas antal från 1 till 4 som ”<5”" in text
    panel = gender_panels(build_view(engine, KRAMI, "2023-Q4"), 5)["outcomes"]
    assert shows_suppression(panel.figure, "sv")  # the chart drawn into the PDF says so
    table = panel.table
    view = build_view(engine, KRAMI, "2023-Q4", breakdown="gender")
    values, relations = outcome_relations(outcomes_by_group(view.data, view.period, None,
                                                            "gender"))
    hidden = {(i, col if col != "share" else "ws") for i, cols in zip(
        table.index, table["hidden"], strict=True) for col in cols}
    assert hidden and recomputable(values, hidden, relations) == set()
    assert not re.search(r"\b(Kvinnor|Män)\b[^.]{0,40}?\b[1-4]\b", text)
    assert not re.search(r"\b(Kvinnor|Män)\b", " ".join(t["alt"] or "" for t in tags))

