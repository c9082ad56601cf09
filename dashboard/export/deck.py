"""The PowerPoint deck (``.pptx``, python-pptx): the slides of presentation mode.

One slide per :class:`dashboard.figures.slides.Slide`, 16:9: the cover with the agreement, the
period, each target with its status as a coloured badge with symbol and word (never
colour alone), and the data line; then each chart as a full-slide image (the same
1920×1080 PNG as in the pack). Every slide carries its number; the chart's caption and
sentences go into the speaker notes, and its text alternative (its sentences: value
against target, status in words, n) into the picture's alternative text.

Every slide has a real title (the layout's title placeholder), so it shows in
PowerPoint's outline and screen readers announce it: the cover's is its visible heading;
a chart's title is drawn in the image, so its placeholder says the caption just above the
slide's top edge (off the slide, as Microsoft advises for a title not to be shown).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard.figures.describe import pack_chart_text
from dashboard.i18n import status_label
from dashboard.figures.slides import Slide, TargetLine
from dashboard.figures.theme import STATUS_COLOURS, STATUS_TEXT_COLOURS
from dashboard.export.pack import PackContents
from dashboard.export.texts import tx

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 inches: 16:9
FONT = "Calibri"
INK = RGBColor(0x14, 0x21, 0x3D)
TEXT = RGBColor(0x00, 0x00, 0x00)
MUTED = RGBColor(0x44, 0x44, 0x44)
TITLE_ONLY_LAYOUT = 5  # the default template's "Title Only": a title placeholder
SIDE = Inches(0.6)
NUMBER_BAND = Inches(0.32)


def write_deck(path: str | Path, contents: PackContents, png: Mapping[str, bytes]) -> Path:
    """Write the deck; ``png`` holds each chart's 1920×1080 PNG by chart key."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = f"{contents.view.where} – {contents.view.period_text}"
    prs.core_properties.language = "sv-SE" if contents.lang == "sv" else "en-GB"
    record = contents.meeting
    pages = []  # one function per slide: the cover, "since last" (a meeting), the charts
    for slide in contents.slides:
        chart = contents.chart(slide.key) if slide.key != "cover" else None
        image = png.get(slide.key) if chart is not None else None
        if slide.key == "cover":
            pages.append(lambda page, slide=slide: _cover(page, slide, contents))
            if record is not None:
                pages.append(lambda page: _since_slide(page, record, contents.lang))
        elif image is not None:
            pages.append(lambda page, slide=slide, chart=chart, image=image: _chart_page(
                page, slide, chart, image, contents))
    if record is not None:
        pages.append(lambda page: _decisions_slide(page, record, contents.lang))
    for number, draw in enumerate(pages, start=1):
        page = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
        draw(page)
        _number(page, number, len(pages), contents.lang)
    path = Path(path)
    prs.save(str(path))
    return path


# --------------------------------------------------------------------------- pieces


def _title(page, text: str, *, hidden: bool = False):
    """The slide's title placeholder with ``text``: the cover's heading, or (``hidden``)
    just above the slide's top edge."""
    title = page.shapes.title
    top, height, size = (-Inches(1.0), Inches(0.9), 24) if hidden else \
        (Inches(0.45), Inches(1.0), 38)
    title.left, title.top, title.width, title.height = SIDE, top, WIDTH - 2 * SIDE, height
    frame = title.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Emu(0))
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    run = paragraph.add_run()
    run.text = text
    _font(run.font, size, True, INK)
    return title


def _text(page, left, top, width, height, text: str, size: float, *, bold: bool = False,
          colour: RGBColor = TEXT, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    box = page.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Emu(0))
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    _font(run.font, size, bold, colour)
    return box


def _font(font, size: float, bold: bool, colour: RGBColor) -> None:
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = colour


def _number(page, number: int, total: int, lang: str) -> None:
    _text(page, WIDTH - Inches(1.6), HEIGHT - NUMBER_BAND, Inches(1.4), NUMBER_BAND - Inches(0.04),
          tx("slide_of", lang, n=number, total=total), 12, colour=MUTED, align=PP_ALIGN.RIGHT,
          anchor=MSO_ANCHOR.MIDDLE)


def _cover(page, slide: Slide, contents: PackContents) -> None:
    """Agreement, period, each target in words on its status colour, the data line."""
    view, lang = contents.view, contents.lang
    width = WIDTH - 2 * SIDE
    _title(page, slide.title)
    subtitle = slide.subtitle
    if view.cluster_id:
        subtitle = f"{tx('cluster_of', lang, agreement=view.agreement_name)} · {subtitle}"
    _text(page, SIDE, Inches(1.5), width, Inches(0.55), subtitle, 24, colour=MUTED)
    top = Inches(2.35)
    bottom = HEIGHT - Inches(0.55) - Inches(0.3) * min(len(slide.lines), 4)
    targets = slide.targets
    if not targets:
        _text(page, SIDE, top, width, Inches(0.5), tx("no_targets", lang), 20, colour=MUTED)
        top += Inches(0.7)
    else:
        row = min(Inches(0.7), int((bottom - top) / len(targets)))
        size = max(11.0, min(20.0, row / 12700 * 0.4))
        for i, line in enumerate(targets):
            _target(page, line, SIDE, top + i * row, width, int(row * 0.86), size, lang)
        top += row * len(targets) + Inches(0.15)
    if slide.lines:
        box = _text(page, SIDE, max(top, bottom), width, HEIGHT - max(top, bottom) -
                    Inches(0.45), slide.lines[0], 13, colour=MUTED)
        frame = box.text_frame
        for line in slide.lines[1:]:
            run = frame.add_paragraph().add_run()
            run.text = line
            _font(run.font, 13, False, MUTED)


def _target(page, line: TargetLine, left, top, width, height, size: float,
            lang: str) -> None:
    """``[✔ Uppnått]  Beläggning: 82 (minst 80)``: the badge carries symbol and word."""
    status = line.status if line.status in STATUS_COLOURS else "grey"
    label = status_label(status, lang, line.comparator)
    rest = line.text[len(label):].lstrip(" –") if line.text.startswith(label) else line.text
    badge_width = Inches(2.4 * size / 22)
    badge = page.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, badge_width, height)
    badge.fill.solid()
    badge.fill.fore_color.rgb = RGBColor.from_string(STATUS_COLOURS[status][1:].upper())
    badge.line.fill.background()
    badge.shadow.inherit = False
    frame = badge.text_frame
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    for side in ("margin_top", "margin_bottom"):
        setattr(frame, side, Emu(0))
    paragraph = frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.CENTER
    run = paragraph.add_run()
    run.text = label
    _font(run.font, size * 0.9, True,
          RGBColor.from_string(STATUS_TEXT_COLOURS[status][1:].upper()))
    gap = Inches(0.2)
    _text(page, left + badge_width + gap, top, width - badge_width - gap, height, rest, size,
          anchor=MSO_ANCHOR.MIDDLE)


def _chart_page(page, slide: Slide, chart, image: bytes, contents: PackContents) -> None:
    _title(page, chart.caption, hidden=True)
    _chart(page, slide, image, chart.caption, pack_chart_text(contents.view, chart))


def _chart(page, slide: Slide, png: bytes, caption: str, description: str) -> None:
    """The chart over the whole slide; the slide's sentences (if any) in a band below."""
    lines = [line for line in slide.lines if line]
    # A thin band under the chart always holds the slide number (never over the chart).
    band = Inches(0.2 + 0.36 * len(lines)) if lines else NUMBER_BAND
    height = HEIGHT - band
    width = int(height * 16 / 9)
    picture = page.shapes.add_picture(io.BytesIO(png), int((WIDTH - width) / 2), 0,
                                      width, height)
    picture._element.nvPicPr.cNvPr.set("descr", description)
    picture._element.nvPicPr.cNvPr.set("title", caption)
    if lines:
        box = _text(page, SIDE, height, WIDTH - 2 * SIDE - Inches(1.6), band, lines[0], 16)
        for line in lines[1:]:
            run = box.text_frame.add_paragraph().add_run()
            run.text = line
            _font(run.font, 16, False, TEXT)
    notes = page.notes_slide.notes_text_frame
    notes.text = "\n".join([caption, *lines])


# --------------------------------------------------------------------------- a meeting


def _lines(page, top, lines: list[tuple[str, bool]], size: float) -> None:
    """A text box below the title: one paragraph per ``(text, bold)``."""
    box = _text(page, SIDE, top, WIDTH - 2 * SIDE, HEIGHT - top - NUMBER_BAND - Inches(0.1),
                lines[0][0], size, bold=lines[0][1])
    frame = box.text_frame
    for text, bold in lines[1:]:
        paragraph = frame.add_paragraph()
        paragraph.space_before = Pt(size * 0.5) if bold else Pt(2)
        run = paragraph.add_run()
        run.text = text
        _font(run.font, size, bold, TEXT)


def _fit(lines: list[tuple[str, bool]], most: int, more: str) -> list[tuple[str, bool]]:
    """At most ``most`` lines (the rest said in one line: the document has them all)."""
    if len(lines) <= most:
        return lines
    return [*lines[:most - 1], (more, False)]


def _since_slide(page, record, lang: str) -> None:
    """"Sedan förra mötet": the targets that changed status, the open actions (overdue
    marked), the data that has arrived since."""
    from dashboard.i18n import kpi_label
    from dashboard.meetings.texts import mt

    _title(page, mt("since_last", lang))
    since = record.since()
    if since is None:
        _lines(page, Inches(1.6), [(mt("first_meeting", lang), False)], 22)
        return
    p = since.previous
    lines = [(mt("since_intro", lang, date=p.held_on, title=p.title or "–", period=p.period),
              False), (mt("changed_status", lang), True)]
    for row in since.changed:
        then = status_label(row.then.status, lang, row.then.comparator) if row.then else "–"
        now = status_label(row.now.status, lang, row.now.comparator) if row.now else "–"
        name = kpi_label(row.key.kpi, lang)
        if row.key.party_id:
            name += f" – {row.key.party_id}"
        if row.key.cluster_id:
            name += f" ({row.key.cluster_id})"
        lines.append((f"{name}: {then} → {now}", False))
    if not since.changed:
        lines.append((mt("no_changes", lang), False))
    lines.append((mt("open_actions", lang), True))
    overdue = {a.id for a in since.overdue}
    for a in since.open_actions:
        late = f" – {mt('overdue', lang)}" if a.id in overdue else ""
        lines.append((f"{a.text} ({a.owner}, {mt('due', lang).lower()} {a.due}){late}", False))
    if not since.open_actions:
        lines.append((mt("no_open_actions", lang), False))
    lines.append((mt("data_since", lang), True))
    for i in since.imports:
        lines.append((f"{i['imported_at'][:10]}: {i['file_name']}", False))
    if not since.imports:
        lines.append((mt("no_data_since", lang), False))
    _lines(page, Inches(1.5), _fit(lines, 16, "…"), 16)


def _decisions_slide(page, record, lang: str) -> None:
    """"Beslut och åtgärder": the decisions, then each action with owner, date and state."""
    from dashboard.meetings.texts import mt

    _title(page, mt("decisions_actions", lang))
    lines = [(mt("decisions", lang), True)]
    lines += [(f"{n}. {d.text}", False) for n, d in enumerate(record.decisions, start=1)]
    if not record.decisions:
        lines.append((mt("no_decisions", lang), False))
    lines.append((mt("actions", lang), True))
    for a in record.actions:
        state = mt("done" if a.done else "not_done", lang)
        if record.is_overdue(a):
            state += f", {mt('overdue', lang)}"
        lines.append((f"{a.text} – {a.owner} – {mt('due', lang).lower()} {a.due} – {state}",
                      False))
    if not record.actions:
        lines.append((mt("no_actions", lang), False))
    _lines(page, Inches(1.5), _fit(lines, 16, "…"), 16)
    notes = page.notes_slide.notes_text_frame
    notes.text = "\n".join(text for text, _ in lines)
