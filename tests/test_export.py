"""Exports read back: PNG sizes, SVG that parses, the Word document and the deck.

The pack is written once per module (kaleido with the machine's Chromium; no mocks) from
a fresh SQLite database with the demo workbooks, then opened as a user's program would:
PIL for the PNGs, xml.etree for the SVGs, python-docx and python-pptx for the documents.
The key-figure table of the document holds the values of ``python -m dashboard kpis``.
Small counts in breakdowns (Grums by gender, second quarter of 2017) never reach a file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from docx import Document
from PIL import Image
from pptx import Presentation

from dashboard.cli.main import main as cli_main
from dashboard.config import DATA_DIR, load_settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.domain.privacy import outcome_relations, recomputable
from dashboard.export.contents import build_contents
from dashboard.export.deck import write_deck
from dashboard.export.images import NoBrowserError, find_browser, require_browser
from dashboard.export.pack import write_pack
from dashboard.export.texts import slug
from dashboard.figures.panels import build_panels
from dashboard.figures.theme import EXPORT
from dashboard.i18n import kpi_label, status_label
from dashboard.model.series import TOTAL, outcomes_by_group, party_names
from dashboard.model.view import build_view
from tests.browser.support import assert_same_as_cli, parse_swedish
from tests.needs import missing

SVG = "{http://www.w3.org/2000/svg}"
KRAMI, GRUMS, STHLM = "krami-sthlm-2023", "grums-unga-2016", "sthlm-af-2023"



@pytest.fixture(autouse=True, scope="module")
def kaleido_browser():
    """Skip without Chrome or Chromium for kaleido, except in CI: there the tests must run."""
    if find_browser() is None:
        missing("no Chrome or Chromium for kaleido: apt-get install chromium (or .ci/run)",
                "the export tests")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    """A fresh SQLite file with the four demo workbooks."""
    from dashboard.web.app import load_demo

    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'demo.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    results = load_demo(engine, load_settings({"database_url": url,
                                               "demo_dir": DATA_DIR / "demo"}))
    assert all(r.ok for r in results)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def demo(demo_url):
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def krami_pack(demo, tmp_path_factory):
    """Krami Stockholm 2023: every format, written once for the tests below."""
    out = tmp_path_factory.mktemp("krami-pack")
    steps = []
    paths = write_pack(demo, KRAMI, "2023", None, out, lang="sv", threshold=5,
                       progress=lambda fraction, message: steps.append((fraction, message)))
    return out, paths, steps


def run_cli(db_url, monkeypatch, *args) -> tuple[int, str, str]:
    """``python -m dashboard ARGS`` in this process (the same code as from a shell)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("DASHBOARD_LANG", raising=False)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli_main(list(args))
    return code, out.getvalue(), err.getvalue()


def svg_texts(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


# --------------------------------------------------------------------------- names, browser


def test_file_names_are_plain_ascii():
    assert slug("Beläggning – Järva") == "belaggning-jarva"
    assert slug("Utfall för avslutade efter kön") == "utfall-for-avslutade-efter-kon"
    assert slug("Söderort–Röda linjen/../x") == "soderort-roda-linjen-x"


def test_a_wrong_browser_path_is_reported_with_how_to_install(monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    assert find_browser() is None
    with pytest.raises(NoBrowserError, match="apt-get install chromium"):
        require_browser("sv")
    with pytest.raises(NoBrowserError, match="Install a browser"):
        require_browser("en")


# --------------------------------------------------------------------------- images


def test_every_chart_as_png_print_png_and_svg(krami_pack):
    out, paths, _ = krami_pack
    names = [p.name for p in paths]
    # Every format, the minutes as PDF too, and SHA256SUMS last (its name as sha256sum's).
    assert names[-3:] == ["krami-sthlm-2023-2023.pptx", "krami-sthlm-2023-2023.pdf",
                          "SHA256SUMS"]
    assert all(re.fullmatch(r"[a-z0-9.-]+", n) for n in names[:-1])
    stems = sorted({n.split(".")[0].removesuffix("-tryck") for n in names
                    if n.endswith((".png", ".svg"))})
    assert stems == [s for s in stems if re.match(r"\d\d-", s)]
    assert [int(s[:2]) for s in stems] == list(range(1, len(stems) + 1))
    assert "01-belaggning" in stems and "02-belaggning-efter-kon" in stems
    assert any(s.endswith("utfall-for-avslutade-efter-kon") for s in stems)
    for stem in stems:
        with Image.open(out / f"{stem}.png") as image:
            assert image.size == (1920, 1080)
        with Image.open(out / f"{stem}-tryck.png") as image:
            assert image.size == (3840, 2160)
        root = ET.parse(out / f"{stem}.svg").getroot()
        assert (root.get("width"), root.get("height")) == ("1920", "1080")


def test_svg_has_title_where_when_target_and_footer(krami_pack):
    out, _, _ = krami_pack
    texts = svg_texts(out / "01-belaggning.svg")
    assert "Beläggning" in texts
    assert "Krami Stockholm 2023 · 2023" in texts
    assert "Mål 80" in texts
    assert any(t.startswith("Data per ") and "Källa: krami-stockholm-2023.xlsx" in t
               for t in texts)


def test_progress_is_reported_up_to_the_end(krami_pack):
    _, _, steps = krami_pack
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("Ritar diagrammen" in m for _, m in steps)


# --------------------------------------------------------------------------- Word


def key_figure_rows(table, parties: dict[str, str], cluster_ids: dict[str, str],
                    rows: list[dict]) -> dict[tuple, tuple[str, str, str]]:
    """``{(cluster, party, kpi): (value, target, status)}`` from the document's table; a
    per-role figure's kpi as ``kpi/role``."""
    names = {}
    for row in rows:
        kpi, _, role = row["kpi"].partition("/")
        name = kpi_label(kpi, "sv")
        if row["party_id"]:
            name += f" – {parties[row['party_id']]}"
        if role:
            name += f" – {role}"
        names[name] = (row["party_id"], row["kpi"])
    out, scope = {}, None
    for tr in table.rows[1:]:
        cells = [c.text for c in tr.cells]
        if len(set(cells)) == 1:  # a merged group row: the whole agreement or a cluster
            scope = cluster_ids.get(cells[0])
            continue
        party, kpi = names[cells[0]]
        out[(scope, party, kpi)] = tuple(cells[1:])
    return out


def test_word_document_headings_captions_images(krami_pack, demo):
    out, paths, _ = krami_pack
    doc = Document(str(out / "krami-sthlm-2023-2023.docx"))
    styles = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Title", "Krami Stockholm 2023") in styles
    assert ("Subtitle", "Uppföljning för styrgruppen · 2023") in styles
    headings = [text for style, text in styles if style == "Heading 1"]
    assert headings[0] == "Målen"
    for what in ("Beläggning", "Inflöde och utflöde", "Utfall för avslutade", "Bemanning",
                 "Kostnadsfördelning", "Nyckeltal"):
        assert what in headings
    assert any(text.startswith("Data per ") and "Källa: krami-stockholm-2023.xlsx" in text
               for _, text in styles)
    captions = [text for style, text in styles if style == "Caption"]
    charts = sorted(p for p in paths if p.suffix == ".svg")
    assert len(captions) == len(charts) == len(doc.inline_shapes)
    assert captions[0] == "Figur 1: Beläggning – Krami Stockholm 2023, 2023"
    assert captions[1] == "Figur 2: Beläggning efter kön – Krami Stockholm 2023, 2023"
    for shape in doc.inline_shapes:
        assert abs(shape.width.cm - 16.0) < 0.01
        assert abs(shape.height.cm - 9.0) < 0.01  # 16:9, as drawn


def test_word_key_figures_are_the_values_of_kpis(krami_pack, demo_url, demo, monkeypatch):
    out, _, _ = krami_pack
    code, stdout, _ = run_cli(demo_url, monkeypatch, "kpis", "--agreement", KRAMI,
                              "--period", "2023")
    assert code == 0
    # A per-role figure (issue 16) as kpi/role: shown as "… – vägledare" in the document.
    rows = [{**r, "kpi": f"{r['kpi']}/{r['role']}", "role": None} if r["role"] else r
            for r in json.loads(stdout)]
    view = build_view(demo, KRAMI, "2023")
    parties = party_names(view.data)
    clusters = {"Krami Stockholm": "stockholm"}
    doc = Document(str(out / "krami-sthlm-2023-2023.docx"))
    shown = key_figure_rows(doc.tables[-1], parties, clusters, rows)
    assert len(shown) == len(rows)
    assert assert_same_as_cli({k: v[0] for k, v in shown.items()}, rows) > 30
    for row in rows:
        _, _, status = shown[(row["cluster_id"], row["party_id"], row["kpi"])]
        assert status == (status_label(row["status"], "sv") if row["comparator"] else "")
    occupancy = next(r for r in rows if r["kpi"] == "occupancy" and r["cluster_id"] is None)
    value, target, status = shown[(None, None, "occupancy")]
    assert parse_swedish(value)[0] == pytest.approx(occupancy["value"], abs=0.05)
    assert target == "minst 80" and status == status_label(occupancy["status"], "sv")


# --------------------------------------------------------------------------- PowerPoint


def test_deck_has_one_slide_per_slide_of_presentation_mode(krami_pack, demo):
    out, _, _ = krami_pack
    # The slides of presentation mode, each chart drawn for its room on a slide shown
    # 1024 px wide (cost sharing over four slides: tests/test_export_words.py).
    expected = build_contents(demo, KRAMI, "2023", None, "sv", 5).deck_slides
    prs = Presentation(str(out / "krami-sthlm-2023-2023.pptx"))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 16:9
    # Krami's twelve targets (the seed's) go on from the cover to "Målen, fortsättning".
    every = list(prs.slides)
    total = len(every)
    numbered = [(n, s) for n, s in enumerate(every, start=1)
                if s.shapes.title is None or
                s.shapes.title.text_frame.text != "Målen, fortsättning"]
    assert total - len(numbered) >= 1
    assert len(numbered) == len(expected) >= 9
    for (number, slide), meant in zip(numbered, expected, strict=True):
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert f"{number} / {total}" in texts
        pictures = [s for s in slide.shapes if s.shape_type == 13]
        if meant.key == "cover":
            assert not pictures
            assert "Krami Stockholm 2023" in texts
            assert meant.targets  # each target: its status on a badge, then its words
            texts += [s.text_frame.text for page in every if page not in dict(numbered).values()
                      for s in page.shapes if s.has_text_frame]  # and on the continuation
            for line in meant.targets:
                label = status_label(line.status, "sv")
                assert label in texts
                assert line.text.removeprefix(f"{label} – ") in texts
        else:
            assert len(pictures) == 1
            descr = pictures[0]._element.nvPicPr.cNvPr.get("descr")
            assert descr.startswith(meant.panel.title)


def test_deck_per_cluster_adds_occupancy_and_outcomes_per_cluster(demo, tmp_path):
    """Written from the pack's contents with stand-in images (the drawing is the deck
    above's; here the slides and their text alternatives are counted)."""
    contents = build_contents(demo, STHLM, "2023-H1", None, "sv", 5, per_cluster=True)
    assert contents.base_name == "sthlm-af-2023-2023-h1"
    stand_in = io.BytesIO()
    Image.new("RGB", (160, 90), "white").save(stand_in, "PNG")
    path = write_deck(tmp_path / "deck.pptx", contents,
                      {s.key: stand_in.getvalue() for s in contents.deck_slides if s.figure})
    view = build_view(demo, STHLM, "2023-H1")
    panels = build_panels(view, EXPORT, suppress_below=5)
    prs = Presentation(str(path))
    clusters = len(view.data.cluster_ids)
    # Per cluster: its occupancy, and its outcomes by gender (Stockholm reports by gender).
    assert len(prs.slides) == 1 + len(panels) + 2 * clusters
    last = list(prs.slides)[-2 * clusters:]
    descr = [next(s for s in slide.shapes if s.shape_type == 13)
             ._element.nvPicPr.cNvPr.get("descr") for slide in last]
    assert descr[0].startswith("Beläggning – Järva – ")
    assert descr[1].startswith("Utfall för avslutade efter kön – Järva – ")


def test_pack_has_outcomes_by_gender_per_cluster(demo):
    contents = build_contents(demo, STHLM, "2023-H1", None, "sv", 5, per_cluster=True)
    chart = contents.chart("cluster-outcomes:jarva")
    assert chart is not None and chart.what.startswith("Utfall för avslutade efter kön")
    groups = list(chart.panel.table["group"])
    assert groups[0] == TOTAL and {"K", "M"} <= set(groups)


# --------------------------------------------------------------------------- privacy


@pytest.fixture(scope="module")
def grums_pack(demo, tmp_path_factory):
    """Grums by gender, 2017-Q2: a quarter of a youth programme, with small counts."""
    out = tmp_path_factory.mktemp("grums-pack")
    paths = write_pack(demo, GRUMS, "2017-Q2", None, out, ["svg", "docx"], threshold=5)
    return out, paths


def test_small_counts_never_reach_an_exported_breakdown(demo, grums_pack):
    out, paths = grums_pack
    contents = build_contents(demo, GRUMS, "2017-Q2", None, "sv", 5)
    chart = contents.chart("outcomes-gender")
    assert chart is not None and chart.suppressed
    # What the figure shows for women and men: no count from 1 to 4, only "<5" or "dolt".
    shown, totals = [], []
    for trace in chart.figure.data:
        for y, text in zip(trace["y"], trace.get("text") or [], strict=False):
            words = re.sub(r"<[^>]+>", "", str(text)).strip()
            # The share chart names its rows; the split chart numbers them (0: the total).
            total = y == "Totalt" if isinstance(y, str) else round(y) == 0
            (totals if total else shown).append(words)
    assert not [s for s in shown if s in {"1", "2", "3", "4"}]
    assert any("<5" in s for s in shown)
    # The file says the same: the only small numbers in it are the axis ticks and the
    # total row (the agreement's own outcome split, published unchanged as in chart 04).
    texts = svg_texts(out / f"{chart.stem}.svg")
    assert any("<5:" in t for t in texts)
    ticks = svg_axis_ticks(out / f"{chart.stem}.svg")
    small = [t.strip() for t in texts if t.strip() in {"1", "2", "3", "4"}]
    for tick in ticks:  # each tick label once, whatever its value
        if tick in small:
            small.remove(tick)
    small.sort()
    assert small == sorted(t for t in totals if t in {"1", "2", "3", "4"})


def svg_axis_ticks(path: Path) -> list[str]:
    root = ET.parse(path).getroot()
    ticks = []
    for g in root.iter(f"{SVG}g"):
        if re.fullmatch(r"[xy]\d*tick", g.get("class") or ""):  # xtick, x2tick, ...
            ticks += ["".join(e.itertext()) for e in g.iter(f"{SVG}text")]
    return ticks


def test_hidden_counts_cannot_be_worked_out_from_what_is_shown(demo):
    contents = build_contents(demo, GRUMS, "2017-Q2", None, "sv", 5)
    table = contents.chart("outcomes-gender").panel.table
    view = build_view(demo, GRUMS, "2017-Q2", breakdown="gender")
    real = outcomes_by_group(view.data, view.period, None, "gender")
    values, relations = outcome_relations(real)
    hidden = {(i, col if col != "share" else "ws") for i, cols in zip(
        table.index, table["hidden"], strict=True) for col in cols}
    assert hidden, "Grums 2017-Q2 by gender has small counts"
    assert recomputable(values, hidden, relations) == set()
    # Totals are published unchanged.
    total = table[table["group"] == TOTAL].iloc[0]
    assert total["completed"] == 11 and total["hidden"] == ()


def test_word_document_says_small_counts_are_hidden(grums_pack):
    out, _ = grums_pack
    doc = Document(str(out / "grums-unga-2016-2017-q2.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert "Små antal är dolda" in texts
    assert any("visas antal från 1 till 4 som ”<5”" in t for t in texts)


def test_threshold_is_the_configured_one(demo):
    low = build_contents(demo, GRUMS, "2017-Q2", None, "sv", 1)
    assert not low.chart("outcomes-gender").suppressed
    high = build_contents(demo, GRUMS, "2017-Q2", None, "sv", 5)
    assert high.chart("outcomes-gender").suppressed


# --------------------------------------------------------------------------- command line


def test_cli_writes_what_was_asked_and_says_so(demo_url, monkeypatch, tmp_path):
    code, stdout, stderr = run_cli(demo_url, monkeypatch, "export", "--agreement",
                                   "jarfalla-af-2023", "--period", "2023-Q4", "--out",
                                   str(tmp_path / "pack"), "--format", "svg")
    assert code == 0, stderr
    lines = stdout.strip().splitlines()
    written = [Path(line) for line in lines[:-1]]
    # The charts as SVG, then SHA256SUMS (contract section 10) with each one's sum.
    assert written[-1].name == "SHA256SUMS"
    assert written[:-1] and all(p.exists() and p.suffix == ".svg" for p in written[:-1])
    assert sorted(p.name for p in (tmp_path / "pack").iterdir()) == sorted(
        p.name for p in written)
    sums = dict(line.split("  ")[::-1] for line in written[-1].read_text().splitlines())
    assert sums == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written[:-1]}
    assert lines[-1].startswith(f"Mötespaketet är klart: {len(written)} filer")


@pytest.mark.parametrize("args, code, message", [
    (["--agreement", "nope", "--period", "2023"], 1, "finns inte"),
    (["--agreement", KRAMI, "--period", "2023-Q5"], 2, "är ingen period"),
    (["--agreement", KRAMI, "--period", "2023", "--cluster", "x"], 1, "Klustret ”x”"),
    (["--agreement", KRAMI, "--period", "2023", "--format", "png,gif"], 2, "Okänt format"),
])
def test_cli_refuses_with_a_message(demo_url, monkeypatch, tmp_path, args, code, message):
    result = run_cli(demo_url, monkeypatch, "export", *args, "--out", str(tmp_path / "o"))
    assert result[0] == code
    assert message in result[2] and "Traceback" not in result[2]
    assert not (tmp_path / "o").exists()


def test_cli_without_a_browser_says_how_to_install_one(demo_url, monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    for formats in ("png,svg", "docx", "pptx", "pdf"):
        code, _, stderr = run_cli(demo_url, monkeypatch, "--lang", "en", "export",
                                  "--agreement", KRAMI, "--period", "2023", "--out",
                                  str(tmp_path / "o"), "--format", formats)
        assert code == 1
        assert "apt-get install chromium" in stderr and "BROWSER_PATH" in stderr
    assert not (tmp_path / "o").exists()
