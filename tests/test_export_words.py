"""Every text of every export in the reader's language, and a deck readable at 1024×768.

The demo packs are written once for the module (kaleido with the machine's Chromium, no
mocks): every demo agreement at its default period with a slide per cluster, in Swedish
and in English, and a steering meeting of Krami Stockholm 2023 (2023-Q4) with check-ins
in both (its minutes as PDF too). Then every text a reader meets is read back: the Word
documents' paragraphs, tables, footers and picture descriptions (python-docx), every
shape's text, table, notes and picture description of the decks (python-pptx), every
page's text, figure's text alternative and the metadata of the PDFs (pypdf), and the
``<text>`` of every SVG
(the PNGs are drawn from the same figures: their text is the SVG's). No key-figure code
(``fte_actual_min``, ``unknown`` written as "Unknown") and no word of the other language
may be among them; names that come from the data (parties, clusters, cost categories,
what the meeting's members wrote) are Swedish in both and are left out of the check.

The deck is read at the size a 1024×768 projector shows it: a 16:9 slide 1024 px wide,
so 14 px there is 14 × 960 / 1024 = 13.125 pt of the 960 pt wide slide. Every text run
is at least that (the deck's floor is 14 pt), and each chart is drawn for the room it
has at that size, so a font size in its figure is pixels seen: cost sharing then goes
over as many slides as keep its type at 14 px or more.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader
from pypdf.generic import IndirectObject

import dashboard.meetings as meetings
from dashboard.config import DATA_DIR, load_settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.domain.kpis import KPI_NAMES
from dashboard.export.images import figure_dict, find_browser
from dashboard.export.meeting import meeting_contents, write_meeting_pack
from dashboard.export.pack import build_contents, write_pack
from dashboard.i18n import STATUS, _, gender_label, known, kpi_label, status_word
from tests.needs import missing

SVG = "{http://www.w3.org/2000/svg}"
KRAMI = "krami-sthlm-2023"
LANGS = ("sv", "en")
MEETING = "meeting"  # the packs' key of the meeting's pack (in place of an agreement)
MEETING_ID: list[int] = []  # the meeting the module makes

# What the meeting's members write (user data, in Swedish in both languages' packs).
CHECKINS = [
    ("occupancy", None, "at_risk", "Färre remisser från KV under hösten", "Anna Andersson"),
    ("work_study_share", None, "off_track", "Långt under målet hela året", "Bo Berg"),
    ("fte_actual", "AF", "on_track", "Ny handläggare från februari", "Bo Berg"),
]
MEETING_WORDS = ["Styrgrupp januari", "Anna Andersson (AF)", "Bo Berg (KV)", "Anna Andersson",
                 "Bo Berg", "KV ser över remissvägarna", "Möte med frivården om remisser",
                 *(c[3] for c in CHECKINS)]


@pytest.fixture(autouse=True, scope="module")
def kaleido_browser():
    if find_browser() is None:
        missing("no Chrome or Chromium for kaleido: apt-get install chromium (or .ci/run)",
                "the export language tests")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The four demo workbooks, and meeting 1: Krami 2023-Q4 with three check-ins and a
    decision with its action."""
    from dashboard.web.app import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('export-words') / 'demo.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    assert all(r.ok for r in load_demo(engine, load_settings(
        {"database_url": url, "demo_dir": DATA_DIR / "demo"})))
    mid = meetings.create(engine, KRAMI, "2023-Q4", "2024-01-25", title="Styrgrupp januari",
                          attendees="Anna Andersson (AF)\nBo Berg (KV)", by="Anna Andersson")
    for kpi, party, assessment, comment, who in CHECKINS:
        meetings.checkin(engine, mid, meetings.TargetKey(kpi, party_id=party), assessment,
                         comment, who)
    meetings.decide(engine, mid, "KV ser över remissvägarna", meetings.TargetKey("occupancy"),
                    ("Möte med frivården om remisser", "KV", "2024-02-15"), by="Anna Andersson")
    MEETING_ID.append(mid)
    yield engine
    engine.dispose()


def agreements(engine) -> list[str]:
    with engine.connect() as c:
        return sorted(r[0] for r in c.execute(sa.text("select agreement_id from agreements")))


@pytest.fixture(scope="module")
def packs(demo, tmp_path_factory) -> dict[tuple[str, str], list[Path]]:
    """Every demo agreement's pack (SVG, Word, deck) and the meeting's (Word, deck), in
    both languages: written once, read by every test below."""
    out = tmp_path_factory.mktemp("packs")
    written = {}
    for lang in LANGS:
        for agreement in agreements(demo):
            written[(agreement, lang)] = write_pack(
                demo, agreement, None, None, out / f"{agreement}-{lang}",
                ["svg", "docx", "pptx"], lang=lang, per_cluster=True)
        written[(MEETING, lang)] = write_meeting_pack(
            demo, MEETING_ID[0], out / f"meeting-{lang}", lang, formats=["docx", "pptx", "pdf"])
    return written


# --------------------------------------------------------------------------- reading back


def docx_texts(path: Path) -> list[str]:
    doc = Document(str(path))
    out = [p.text for p in doc.paragraphs]
    out += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    for section in doc.sections:
        out += [p.text for p in section.footer.paragraphs + section.header.paragraphs]
    for shape in doc.inline_shapes:
        out += [shape._inline.docPr.get("descr") or "", shape._inline.docPr.get("title") or ""]
    props = doc.core_properties
    return out + [props.title or "", props.subject or "", props.comments or ""]


def pptx_texts(path: Path) -> list[str]:
    prs = Presentation(str(path))
    out = [prs.core_properties.title or ""]
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if shape.has_table:
                out += [c.text for row in shape.table.rows for c in row.cells]
            if shape.shape_type == 13:  # a picture: its text alternative and title
                out += [shape._element.nvPicPr.cNvPr.get(a) or "" for a in ("descr", "title")]
        if slide.has_notes_slide:
            out.append(slide.notes_slide.notes_text_frame.text)
    return out


def svg_texts(path: Path) -> list[str]:
    return ["".join(e.itertext()) for e in ET.parse(path).getroot().iter(f"{SVG}text")]


def pdf_texts(path: Path) -> list[str]:
    """Every page's text (its footer too), each figure's text alternative, the metadata."""
    reader = PdfReader(path)
    out = [page.extract_text() for page in reader.pages]

    def alts(element) -> None:
        element = element.get_object()
        if "/Alt" in element:
            out.append(str(element["/Alt"]))
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, IndirectObject):
                alts(kid)

    alts(reader.trailer["/Root"]["/StructTreeRoot"])
    info = reader.metadata
    return out + [info.title or "", info.subject or "", info.get("/Keywords") or ""]


READERS = {".docx": docx_texts, ".pptx": pptx_texts, ".svg": svg_texts, ".pdf": pdf_texts}


def texts_of(path: Path) -> list[str]:
    return [t for t in READERS[path.suffix](path) if t and t.strip()]


def data_words(engine) -> list[str]:
    """Names that come from the data (the same in both languages), longest first."""
    with engine.connect() as c:
        rows = [r[0] for q in ("select name from agreements", "select name from parties",
                               "select name from clusters",
                               "select distinct cost_category from costs")
                for r in c.execute(sa.text(q)) if r[0]]
    words = {*rows, *(w[:1].upper() + w[1:] for w in rows), *MEETING_WORDS}
    return sorted(words, key=len, reverse=True)


def without_data(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " ")
    return re.sub(r"[\w.-]+\.xlsx", " ", text)  # the source workbooks' file names


# --------------------------------------------------------------------------- the words


def telltales(lang: str) -> list[str]:
    """Words of ``lang`` that the other language's files must not contain: the two
    languages' texts of the same entries where they differ (labels of every key figure,
    the status words, genders, the charts' and documents' own words)."""
    pairs = [*((kpi_label(k, "sv"), kpi_label(k, "en")) for k in KPI_NAMES),
             *((status_word(s, "sv"), status_word(s, "en")) for s in STATUS),
             *((gender_label(g, "sv"), gender_label(g, "en")) for g in ("K", "M"))]
    pairs += [(_(f"ui.{k}", "sv"), _(f"ui.{k}", "en")) for k in (
        "target", "value", "data_as_of", "source", "synthetic", "total", "occupancy_title",
        "flow_title", "outcomes_title", "staffing_title", "costs_title", "indicators_title",
        "committed", "actual", "paid", "due", "balance", "mean", "participants", "work",
        "study", "other", "hidden", "minimum", "maximum", "lowest", "trend_title",
        "no_target", "unknown_outcome", "key_figures", "settled")]
    pairs += [(_(f"export.{k}", "sv"), _(f"export.{k}", "en")) for k in (
        "figure", "page", "whole_agreement", "follow_up", "targets_assessed", "privacy")]
    pairs += [(_(f"meetings.{k}", "sv"), _(f"meetings.{k}", "en")) for k in (
        "computed", "assessment", "no_checkin", "decisions", "actions", "since_last",
        "attendees", "meeting")]
    i = 0 if lang == "sv" else 1
    words = {p[i] for p in pairs if p[0] != p[1]}
    # The short forms used in charts: "kv. 1" and "åa" in Swedish, "Q1" and "FTE" in English.
    words |= {"kv.", "åa"} if lang == "sv" else {"Q1", "Q2", "Q3", "Q4", "FTE"}
    return sorted(words, key=len, reverse=True)


def found(words: list[str], text: str) -> list[str]:
    """The words (whole words, case as in the table) that occur in ``text``."""
    return [w for w in words
            if re.search(rf"(?<![\w.]){re.escape(w)}(?![\w])", text)]


def code_leaks(text: str) -> list[str]:
    """Key-figure (or indicator) codes written as they are, or dressed as words the way a
    missing label used to be (``fte_actual_min`` as "Fte actual min", ``unknown`` as
    "Unknown")."""
    leaks = re.findall(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b", text)
    for code in KPI_NAMES:
        dressed = code.replace("_", " ").capitalize()
        if (code == "unknown" or "_" in code) and \
                dressed not in (kpi_label(code, "sv"), kpi_label(code, "en")) and \
                re.search(rf"\b{re.escape(dressed)}\b", text):
            leaks.append(dressed)
    return leaks


def test_every_key_figure_has_a_label_in_both_languages():
    for code in KPI_NAMES:
        assert known(f"kpi.{code}"), code
        sv, en = kpi_label(code, "sv"), kpi_label(code, "en")
        assert sv != en and "_" not in sv + en, code
    assert kpi_label("unknown", "sv") == "Utfall saknas"
    assert kpi_label("fte_actual_min", "en") == "Lowest month's FTE"


def test_the_telltales_catch_what_the_issue_found():
    """The words the check looks for: the issue's "Unknown" and "Fte actual min" in a
    Swedish document are caught, and so is a Swedish status word in an English one."""
    assert code_leaks("Unknown 5") == ["Unknown"]
    assert "Fte actual min" in code_leaks("Fte actual min – Kriminalvården")
    assert code_leaks("fte_actual_min: 5,5") == ["fte_actual_min"]
    assert code_leaks("Utfall saknas 5 · Lägsta månadens årsarbetskrafter 5,5") == []
    assert found(telltales("en"), "Beläggning: 78,3 (Target 80)") == ["Target"]
    assert "Occupancy" in telltales("en") and "Beläggning" in telltales("sv")
    assert found(telltales("sv"), "Occupancy: 78.3 (✔ Uppnått)") == ["Uppnått"]
    assert found(telltales("sv"), "Arbetsförmedlingen") == []  # whole words only


@pytest.mark.parametrize("lang", LANGS)
def test_every_export_text_is_in_the_readers_language(packs, demo, lang):
    other = telltales("en" if lang == "sv" else "sv")
    names = data_words(demo)
    problems = []
    files = 0
    for (_what, pack_lang), paths in packs.items():
        if pack_lang != lang:
            continue
        for path in paths:
            if path.suffix not in READERS:
                continue
            files += 1
            for text in texts_of(path):
                plain = without_data(text, names)
                for bad in code_leaks(plain) + found(other, plain):
                    problems.append(f"{path.name}: {bad!r} in {text[:90]!r}")
    assert files >= 31  # every agreement's SVGs, Word documents and decks, the meeting's
    assert [p.name for p in packs[(MEETING, lang)] if p.suffix == ".pdf"] == [
        f"{KRAMI}-2024-01-25.pdf"]  # the meeting's minutes as PDF are read too
    assert problems == []


# --------------------------------------------------------------------------- the deck at 1024


def smallest_pt(prs) -> float:
    """14 px on a slide shown 1024 px wide, in points of this deck's slide."""
    return 14 * (prs.slide_width / 12700) / 1024


def runs(prs):
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [c.text_frame for row in shape.table.rows for c in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        yield number, run


def test_no_text_of_any_deck_is_under_14_px_at_1024(packs):
    decks = [p for paths in packs.values() for p in paths if p.suffix == ".pptx"]
    assert len(decks) == len(packs) >= 10  # four demo agreements and the meeting, twice
    for path in decks:
        prs = Presentation(str(path))
        least = smallest_pt(prs)
        assert round(least, 3) == 13.125  # 960 pt wide: 14 px at 1024 is 13.125 pt
        small = [(n, run.text, run.font.size) for n, run in runs(prs)
                 if run.text.strip() and (run.font.size is None or run.font.size.pt < least)]
        assert small == [], path.name


def font_sizes(spec, out=None) -> list[float]:
    """Every font size a figure sets (its layout's, its texts', its axes', its traces')."""
    out = [] if out is None else out
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key.endswith("font") and isinstance(value, dict) and "size" in value:
                sizes = value["size"]
                out += sizes if isinstance(sizes, list) else [sizes]
            font_sizes(value, out)
    elif isinstance(spec, list):
        for value in spec:
            font_sizes(value, out)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_cost_sharing_goes_over_as_many_slides_as_keep_it_readable(packs, demo, lang):
    """Krami's cost sharing (three categories and the total) at 1024: each chart is drawn
    1024 px wide for the slide's width, so its fonts are the pixels seen, none under 14;
    it takes four slides, each category's settlement under its own chart."""
    contents = meeting_contents(demo, MEETING_ID[0], lang)
    costs = [s for s in contents.deck_slides if s.key.startswith("costs")]
    title = _("ui.costs_title", lang)
    assert [s.title for s in costs] == [f"{title} ({n}/4)" for n in range(1, 5)]
    prs = Presentation(str(next(p for p in packs[(MEETING, lang)] if p.suffix == ".pptx")))
    captions = {s.shapes.title.text_frame.text: s for s in prs.slides}
    for slide in costs:
        spec = figure_dict(slide.figure)
        assert spec["layout"]["width"] == 1024
        chart = contents.deck_chart(slide.key)
        page = captions[chart.caption]
        picture = next(s for s in page.shapes if s.shape_type == 13)
        shown_px = picture.width / prs.slide_width * 1024
        assert shown_px == 1024
        assert min(font_sizes(spec)) * shown_px / spec["layout"]["width"] >= 14
        # The picture is the figure's shape: its height on the slide is the figure's.
        assert abs(picture.height / prs.slide_width * 1024 - spec["layout"]["height"]) < 1
    lines = [line for s in costs for line in s.lines]
    if lang == "sv":
        assert lines == [
            "Driftskostnader: Kriminalvården ska betala 155\u00a0900\u00a0kr till Stockholms "
            "stad (Arbetsmarknadsförvaltningen)",
            "Administratör: Kriminalvården ska betala 36\u00a0000\u00a0kr till Stockholms stad "
            "(Arbetsmarknadsförvaltningen)",
            "Avgiftsintäkter: Stockholms stad (Arbetsmarknadsförvaltningen) ska betala "
            "85\u00a0750\u00a0kr till Kriminalvården",
            "Kriminalvården ska betala 106\u00a0150\u00a0kr till Stockholms stad "
            "(Arbetsmarknadsförvaltningen)"]
        # By hand from the demo's costs, 2023-Q4, every category 50/50 KV/Stockholm:
        # fees −171 500 kr (Stockholm's, 24 500 kr a participant), so each is due −85 750 and
        # Stockholm owes KV 85 750; in all KV is due 214 300 + 36 000 − 85 750 = 164 550 and
        # paid 58 400: it owes 106 150.


# --------------------------------------------------------------------------- check-ins, strips


def table_of(slide) -> list[list[str]]:
    table = next(s for s in slide.shapes if s.has_table).table
    return [[c.text for c in row.cells] for row in table.rows]


def test_the_meeting_deck_shows_each_check_in_beside_the_computed_status(packs):
    """Krami 2023-Q4: occupancy 86,3 (Oct 82, Nov 87, Dec 90) against at least 80 is met;
    the group said "at risk". Its strip: Q1 73,7 is within 10 % under 80 (close), Q2 82,0
    met, Q3 71,0 more than 10 % under (not met), Q4 met."""
    today = date.today().isoformat()
    prs = Presentation(str(next(p for p in packs[(MEETING, "sv")] if p.suffix == ".pptx")))
    slides = list(prs.slides)
    titles = [s.shapes.title.text_frame.text for s in slides]
    assert titles[1] == "Sedan förra mötet"
    assert titles[2].startswith("Målen och styrgruppens bedömning")
    rows = [row for s in slides if s.shapes.title.text_frame.text.startswith("Målen och")
            for row in table_of(s)[1:]]
    head = table_of(slides[2])[0]
    assert head == ["Mål · status över tid", "Beräknad status", "Styrgruppens bedömning"]
    assert rows[0] == ["Beläggning: 86,3 (minst 80)\nkv. 1 2023 ▲ · kv. 2 ✔ · kv. 3 ✖ · kv. 4 ✔",
                       "✔ Uppnått",
                       f"◆ Risk · Anna Andersson, {today}\nFärre remisser från KV under hösten"]
    assert rows[1][1:] == ["✖ Ej uppnått",
                           f"■ Ur fas · Bo Berg, {today}\nLångt under målet hela året"]
    assert rows[1][0].startswith("Andel i arbete eller studier: 51,9\u00a0% (minst 60\u00a0%)")
    af = next(r for r in rows if r[0].startswith("Faktiska årsarbetskrafter – Arbetsförm"))
    assert af[2] == f"● I fas · Bo Berg, {today}\nNy handläggare från februari"
    # Krami's 11 targets at 2023-Q4 since the demo follows the seed, 3 checked in.
    assert len(rows) == 11 and sum(r[2] == "Ingen bedömning" for r in rows) == 8
    texts = [s.text_frame.text for s in slides[2].shapes if s.has_text_frame]
    assert "Symbolerna: ✔ Uppnått, ▲ Nära målet, ✖ Ej uppnått" in texts

    prs = Presentation(str(next(p for p in packs[(MEETING, "en")] if p.suffix == ".pptx")))
    rows = [row for s in prs.slides
            if s.shapes.title.text_frame.text.startswith("The targets and")
            for row in table_of(s)[1:]]
    assert rows[0][:2] == ["Occupancy: 86.3 (at least 80)\nQ1 2023 ▲ · Q2 ✔ · Q3 ✖ · Q4 ✔",
                           "✔ Met"]
    assert rows[0][2].startswith("◆ At risk · Anna Andersson, ")


def test_the_word_documents_carry_each_targets_status_over_time(packs):
    """The meeting's (2023-Q4: its quarters): one line per target under the targets, the
    symbols said in words beneath. Krami 2023's own pack has none: a year's strip is made of
    years, and 2023 is the agreement's only one (a strip of one period compares with
    nothing)."""
    doc = Document(str(next(p for p in packs[(KRAMI, "sv")] if p.suffix == ".docx")))
    assert "Status över tid" not in [p.text for p in doc.paragraphs]
    doc = Document(str(next(p for p in packs[(MEETING, "sv")] if p.suffix == ".docx")))
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("Status över tid")
    assert texts[at + 1] == "Beläggning: kv. 1 2023 ▲ · kv. 2 ✔ · kv. 3 ✖ · kv. 4 ✔"
    assert texts[at + 2].startswith("Andel i arbete eller studier: kv. 1 2023 ")
    key = next(text for text in texts[at:] if text.startswith("Symbolerna: "))
    assert all(word in key for word in ("✔ Uppnått", "▲ Nära målet", "✖ Ej uppnått"))
    doc = Document(str(next(p for p in packs[(MEETING, "en")] if p.suffix == ".docx")))
    texts = [p.text for p in doc.paragraphs]
    at = texts.index("Status over time")
    assert texts[at + 1] == "Occupancy: Q1 2023 ▲ · Q2 ✔ · Q3 ✖ · Q4 ✔"
    assert texts.index("Status over time") < texts.index("The group's assessment")


def test_an_agreements_deck_has_every_target_on_readable_slides(packs, demo):
    """Stockholm's many targets at 14 pt or more: the cover holds what fits, the rest
    follow on slides of their own; each target once."""
    contents = build_contents(demo, "sthlm-af-2023", None, None, "sv", 5)
    wanted = [line.label for line in contents.slides[0].targets]
    prs = Presentation(str(next(p for p in packs[("sthlm-af-2023", "sv")]
                                if p.suffix == ".pptx")))
    shown = [s.text_frame.text for slide in prs.slides for s in slide.shapes
             if s.has_text_frame and s.text_frame.text in wanted]
    assert sorted(shown) == sorted(wanted) and wanted
    assert Emu(prs.slide_width).inches == pytest.approx(13.333, abs=0.001)
