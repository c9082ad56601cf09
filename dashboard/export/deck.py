"""The PowerPoint deck (``.pptx``, python-pptx): the slides of presentation mode.

One slide per :class:`dashboard.figures.slides.Slide`, 16:9: the cover with the agreement, the
period, each target with its status as a coloured badge with symbol and word (never
colour alone), and the data line; then each chart as a full-width image. Every slide
carries its number; the chart's caption and sentences go into the speaker notes, and its
text alternative (its sentences: value against target, status in words, n) into the
picture's alternative text. A meeting's deck adds, after "Sedan förra mötet", the targets
as a table: each target's computed status beside the group's check-in (assessment and
comment) and its status over the last periods in symbols and words.

Readable at 1024×768: a 16:9 slide shown 1024 px wide (the projector's 1024×768 with a
band above and below) is 1024×576 px, so a point of the slide (960 pt wide) is 1024/960
px. No text run is smaller than :data:`SMALLEST_PT` (14 pt, i.e. at least 14.9 px at
1024; 14 px there is 13.125 pt), and the charts are drawn in the presentation theme for
exactly the room they have at that size (:func:`deck_theme`: CSS pixels = pixels at 1024
wide, the image at 1920 px for sharpness), so their smallest type (15 px) stays 15 px;
cost sharing goes over as many slides as keep its type whole.

Every slide has a real title (the layout's title placeholder), so it shows in
PowerPoint's outline and screen readers announce it: the cover's is its visible heading;
a chart's title is drawn in the image, so its placeholder says the caption just above the
slide's top edge (off the slide, as Microsoft advises for a title not to be shown).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard.domain.trends import target_strip_key
from dashboard.export.contents import PackContents
from dashboard.export.deck_layout import (
    HEIGHT,
    LINE_PT,
    NUMBER_BAND,
    SIDE,
    SMALLEST_PT,
    WIDTH,
    chart_band,
)
from dashboard.figures.describe import pack_chart_text
from dashboard.figures.slides import Slide, TargetLine, strip_key, strip_text
from dashboard.figures.theme import STATUS_COLOURS, STATUS_TEXT_COLOURS
from dashboard.i18n import _, date_label, fmt_value, kpi_label, status_label, target_label
from dashboard.meetings.model import TargetKey
from dashboard.meetings.texts import ASSESSMENT_COLOURS, assessment_label
from dashboard.model.series import cluster_names, party_names
from dashboard.model.words import target_words

FONT = "Calibri"
INK = RGBColor(0x14, 0x21, 0x3D)
TEXT = RGBColor(0x00, 0x00, 0x00)
MUTED = RGBColor(0x44, 0x44, 0x44)
TITLE_ONLY_LAYOUT = 5  # the default template's "Title Only": a title placeholder


def write_deck(path: str | Path, contents: PackContents, png: Mapping[str, bytes]) -> Path:
    """Write the deck; ``png`` holds each deck chart's image by slide key (the charts of
    :attr:`PackContents.deck_slides`, drawn in :func:`deck_format`)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    prs.core_properties.title = f"{contents.view.where} – {contents.view.period_text}"
    prs.core_properties.language = "sv-SE" if contents.lang == "sv" else "en-GB"
    record = contents.meeting
    lang = contents.lang
    pages = []  # one function per slide: the cover, "since last" (a meeting), the charts
    for slide in contents.deck_slides:
        chart = contents.deck_chart(slide.key) if slide.key != "cover" else None
        image = png.get(slide.key) if chart is not None else None
        if slide.key == "cover":
            shown, rest = (([], slide.targets) if record is not None else
                           _cover_split(slide, contents))
            pages.append(lambda page, slide=slide, shown=shown: _cover(page, slide, contents,
                                                                       shown))
            if record is not None:
                pages.append(lambda page: _since_slide(page, record, lang))
                if contents.effects:
                    pages.append(lambda page: _effects_slide(page, contents.effects, lang))
                pages += _assessed_pages(contents)
            else:
                for part in _chunks(rest, _targets_per_slide(0)):
                    pages.append(lambda page, part=part: _more_targets(page, part,
                                                                       contents))
        elif image is not None:
            pages.append(lambda page, slide=slide, chart=chart, image=image: _chart_page(
                page, slide, chart, image, contents))
    if record is not None:
        pages.append(lambda page: _decisions_slide(page, record, lang))
    for number, draw in enumerate(pages, start=1):
        page = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
        draw(page)
        _number(page, number, len(pages), lang)
    path = Path(path)
    prs.save(str(path))
    return path


# --------------------------------------------------------------------------- pieces


def _title(page, text: str, *, hidden: bool = False, size: float = 38):
    """The slide's title placeholder with ``text``: the cover's heading, or (``hidden``)
    just above the slide's top edge."""
    title = page.shapes.title
    top, height, size = (-Inches(1.0), Inches(0.9), 24) if hidden else \
        (Inches(0.45), Inches(1.0), size)
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
          _("export.slide_of", lang, n=number, total=total), SMALLEST_PT, colour=MUTED,
          align=PP_ALIGN.RIGHT,
          anchor=MSO_ANCHOR.MIDDLE)


TARGETS_TOP = Inches(2.35)
TARGET_ROW = Inches(0.7)
TARGET_ROW_SMALLEST = Inches(SMALLEST_PT / 0.4 / 72)  # the row that gives 14 pt type


def _targets_per_slide(lines: int) -> int:
    """How many targets a slide holds at no less than 14 pt, with ``lines`` data lines
    under them."""
    bottom = HEIGHT - Inches(0.55) - Inches(0.3) * min(lines, 4)
    return max(1, int((bottom - TARGETS_TOP) // TARGET_ROW_SMALLEST))


def _cover_split(slide: Slide, contents: PackContents) -> tuple[list, list]:
    """The targets the cover holds at readable size, and the rest (on slides of their own)."""
    most = _targets_per_slide(len(slide.lines))
    return slide.targets[:most], slide.targets[most:]


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _cover(page, slide: Slide, contents: PackContents, targets: list[TargetLine]) -> None:
    """Agreement, period, each target in words on its status colour (as many as fit at a
    readable size; a meeting's targets have slides of their own), the data line."""
    view, lang = contents.view, contents.lang
    width = WIDTH - 2 * SIDE
    _title(page, slide.title)
    subtitle = slide.subtitle
    if view.cluster_id:
        subtitle = f"{_('export.cluster_of', lang, agreement=view.agreement_name)} · {subtitle}"
    record = contents.meeting
    if record is not None:

        m = record.meeting
        subtitle = f"{_('meetings.meeting', lang)} {m.held_on}" + (f" · {m.title}" if m.title
                                                             else "") + f" · {subtitle}"
    _text(page, SIDE, Inches(1.5), width, Inches(0.55), subtitle, 24, colour=MUTED)
    top = TARGETS_TOP
    bottom = HEIGHT - Inches(0.55) - Inches(0.3) * min(len(slide.lines), 4)
    if record is not None:
        top = _meeting_lines(page, record, top, width, lang)
    elif not targets:
        _text(page, SIDE, top, width, Inches(0.5), _("export.no_targets", lang), 20, colour=MUTED)
        top += Inches(0.7)
    else:
        top = _target_rows(page, targets, top, bottom, width, lang)
    if slide.lines:
        box = _text(page, SIDE, max(top, bottom), width, HEIGHT - max(top, bottom) -
                    Inches(0.45), slide.lines[0], SMALLEST_PT, colour=MUTED)
        frame = box.text_frame
        for line in slide.lines[1:]:
            run = frame.add_paragraph().add_run()
            run.text = line
            _font(run.font, SMALLEST_PT, False, MUTED)


def _target_rows(page, targets: list[TargetLine], top, bottom, width, lang: str):
    """Each target as a badge and its words, from ``top``; where the rows end."""
    row = min(TARGET_ROW, int((bottom - top) / len(targets)))
    size = max(float(SMALLEST_PT), min(20.0, row / 12700 * 0.4))
    for i, line in enumerate(targets):
        _target(page, line, SIDE, top + i * row, width, int(row * 0.86), size, lang)
    return top + row * len(targets) + Inches(0.15)


def _more_targets(page, targets: list[TargetLine], contents: PackContents) -> None:
    """The targets the cover had no room for."""
    lang = contents.lang
    _title(page, _("export.targets_more", lang))
    _target_rows(page, targets, Inches(1.6), HEIGHT - Inches(0.55), WIDTH - 2 * SIDE, lang)


def _meeting_lines(page, record, top, width, lang: str):
    """A meeting's cover: who attended, and whether its figures are frozen."""

    m = record.meeting
    lines = []
    if m.attendees:
        lines.append(f"{_('meetings.attendees', lang)}: {'; '.join(m.attendees.splitlines())}")
    lines.append(_("meetings.closed_note", lang, when=(m.closed_at or "")[:10],
                   who=m.closed_by or "–",
                    as_of=date_label(record.data_as_of, lang)) if m.closed
                 else _("meetings.open_note", lang))
    box = _text(page, SIDE, top, width, Inches(1.2), lines[0], 18)
    for line in lines[1:]:
        run = box.text_frame.add_paragraph().add_run()
        run.text = line
        _font(run.font, 18, False, TEXT)
    return top + Inches(0.45) * (len(lines) + 1)


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
    _font(run.font, max(float(SMALLEST_PT), size * 0.9), True,
          RGBColor.from_string(STATUS_TEXT_COLOURS[status][1:].upper()))
    gap = Inches(0.2)
    _text(page, left + badge_width + gap, top, width - badge_width - gap, height, rest, size,
          anchor=MSO_ANCHOR.MIDDLE)


def _chart_page(page, slide: Slide, chart, image: bytes, contents: PackContents) -> None:
    _title(page, chart.caption, hidden=True)
    _chart(page, slide, image, chart.caption, pack_chart_text(contents.view, chart))


def _chart(page, slide: Slide, png: bytes, caption: str, description: str) -> None:
    """The chart over the slide's whole width; the slide's sentences (if any) in a band
    below (the chart was drawn for the room they leave, :func:`deck_theme`)."""
    lines = [line for line in slide.lines if line]
    # A band under the chart always holds the slide number (never over the chart).
    band = chart_band(lines)
    height = HEIGHT - band
    picture = page.shapes.add_picture(io.BytesIO(png), 0, 0, WIDTH, height)
    picture._element.nvPicPr.cNvPr.set("descr", description)
    picture._element.nvPicPr.cNvPr.set("title", caption)
    if lines:
        box = _text(page, SIDE, height, WIDTH - 2 * SIDE - Inches(1.6), band, lines[0],
                    LINE_PT)
        for line in lines[1:]:
            run = box.text_frame.add_paragraph().add_run()
            run.text = line
            _font(run.font, LINE_PT, False, TEXT)
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

    _title(page, _("meetings.since_last", lang))
    data = record.view.data if record.view is not None else None
    parties = party_names(data) if data is not None else {}
    clusters = cluster_names(data) if data is not None else {}
    since = record.since()
    if since is None:
        _lines(page, Inches(1.6), [(_("meetings.first_meeting", lang), False)], 22)
        return
    p = since.previous
    lines = [(_("meetings.since_intro", lang, date=p.held_on, title=p.title or "–",
                period=p.period),
              False), (_("meetings.changed_status", lang), True)]
    for row in since.changed:
        then = status_label(row.then.status, lang, row.then.comparator) if row.then else "–"
        now = status_label(row.now.status, lang, row.now.comparator) if row.now else "–"
        name = kpi_label(row.key.kpi, lang)
        if row.key.party_id:
            name += f" – {parties.get(row.key.party_id, row.key.party_id)}"
        if row.key.role:  # a target on one staffing role, as the tables name it
            name += f" – {row.key.role}"
        if row.key.cluster_id:
            name += f" ({clusters.get(row.key.cluster_id, row.key.cluster_id)})"
        lines.append((f"{name}: {then} → {now}", False))
    if not since.changed:
        lines.append((_("meetings.no_changes", lang), False))
    lines.append((_("meetings.open_actions", lang), True))
    overdue = {a.id for a in since.overdue}
    for a in since.open_actions:
        late = f" – {_('meetings.overdue', lang)}" if a.id in overdue else ""
        lines.append((f"{a.text} ({a.owner}, {_('meetings.due', lang).lower()} {a.due}){late}",
                      False))
    if not since.open_actions:
        lines.append((_("meetings.no_open_actions", lang), False))
    lines.append((_("meetings.data_since", lang), True))
    for i in since.imports:
        lines.append((f"{i['imported_at'][:10]}: {i['file_name']}", False))
    if not since.imports:
        lines.append((_("meetings.no_data_since", lang), False))
    _lines(page, Inches(1.5), _fit(lines, 16, "…"), 16)


EFFECT_PT = 20  # a line of the effects' slide (at 1024 px wide: 21 px)


def _effects_slide(page, effects: list[str], lang: str) -> None:
    """"Effekt sedan beslut": each earlier decision on a target, its value then and now
    (as many as the slide holds at a readable size; the document has them all)."""
    _title(page, _("meetings.effects", lang))
    lines = [(line, False) for line in effects]
    _lines(page, Inches(1.6), _fit(lines, 6, "…"), EFFECT_PT)
    notes = page.notes_slide.notes_text_frame
    notes.text = "\n".join(effects)


def _decisions_slide(page, record, lang: str) -> None:
    """"Beslut och åtgärder": the decisions, then each action with owner, date and state."""

    _title(page, _("meetings.decisions_actions", lang))
    lines = [(_("meetings.decisions", lang), True)]
    lines += [(f"{n}. {d.text}", False) for n, d in enumerate(record.decisions, start=1)]
    if not record.decisions:
        lines.append((_("meetings.no_decisions", lang), False))
    lines.append((_("meetings.actions", lang), True))
    for a in record.actions:
        state = _("meetings.done" if a.done else "meetings.not_done", lang)
        if record.is_overdue(a):
            state += f", {_('meetings.overdue', lang)}"
        lines.append((f"{a.text} – {a.owner} – {_('meetings.due', lang).lower()} {a.due} – {state}",
                      False))
    if not record.actions:
        lines.append((_("meetings.no_actions", lang), False))
    _lines(page, Inches(1.5), _fit(lines, 16, "…"), 16)
    notes = page.notes_slide.notes_text_frame
    notes.text = "\n".join(text for text, __ in lines)


# --------------------------------------------------------------------------- the targets assessed


@dataclass
class AssessedRow:
    """One target of a meeting's deck: its figure in words, computed status, status over
    the last periods, and the group's check-in."""

    name: str  # "Beläggning: 78,3 (minst 80)"
    status: str
    comparator: str | None
    strip: str  # "kv. 1 2023 ✔ · kv. 2 ▲ · …" or ""
    points: list
    assessment: str | None  # on_track | at_risk | off_track, None: no check-in
    comment: str = ""
    written: str = ""  # who, when

    @property
    def height(self) -> int:
        """The row's height (EMU) in the table, from the lines its columns take (about
        half an em a letter; a renderer with wider letters grows the row)."""
        def lines(text: str, width_in: float, size: float) -> int:
            per_line = max(1, int(width_in * 72 / (size * 0.5)))
            return max(1, math.ceil(len(text) / per_line)) if text else 0

        widths = [w / 914400 - 0.2 for w in ASSESSED_COLUMNS]
        first = lines(self.name, widths[0], BODY_PT) * BODY_PT + \
            lines(self.strip, widths[0], SMALLEST_PT) * SMALLEST_PT
        label = 12 + len(self.written) if self.assessment else 16  # "◆ Risk · who, when"
        third = lines("x" * label, widths[2], BODY_PT) * BODY_PT + \
            lines(self.comment, widths[2], SMALLEST_PT) * SMALLEST_PT
        return int(Pt(max(first, BODY_PT, third) * 1.2) + Inches(0.12))


BODY_PT = 16
ASSESSED_COLUMNS = (Inches(5.9), Inches(2.4), Inches(3.833))  # 12.133 in: the slide's width
ASSESSED_TOP = Inches(1.6)  # a gap under the title (its box ends at 1.45 in)
HEADER_ROW = Inches(0.45)
# What a page of the table holds: the slide less its title and the band of the key and
# the number.
ASSESSED_ROOM = HEIGHT - ASSESSED_TOP - HEADER_ROW - NUMBER_BAND - Inches(0.1)


def _assessed_rows(contents: PackContents) -> list[AssessedRow]:
    """Every target the meeting may assess (the agreement's or the cluster's, then each
    cluster's), in the order of the key figures, with its check-in and strip."""

    view, record, lang = contents.view, contents.meeting, contents.lang
    targets = view.targets() if view.cluster_id else \
        view.targets() + [v for v in record.targets() if v.cluster_id is not None]
    parties, clusters = party_names(view.data), cluster_names(view.data)
    trends = contents.trends or {}
    rows = []
    for v in targets:
        name = target_label(v.kpi, lang, parties.get(v.party_id, v.party_id), v.role)
        if v.cluster_id and v.cluster_id != view.cluster_id:
            name = f"{clusters.get(v.cluster_id, v.cluster_id)}: {name}"
        name += f": {fmt_value(v.value, v.unit, lang)} ({target_words(v, lang)})"
        points = trends.get(target_strip_key(v.kpi, v.cluster_id, v.party_id, v.role)) or []
        c = record.checkin(TargetKey.of(v))

        rows.append(AssessedRow(
            name, v.status if v.status in STATUS_COLOURS else "grey", v.comparator,
            strip_text(points, lang, v.comparator) if len(points) > 1 else "", points,
            c.assessment if c is not None else None,
            (c.comment or "") if c is not None else "",
            _("meetings.written_by", lang, who=c.written_by or "–", when=c.written_at[:10])
            if c is not None else ""))
    return rows


def _assessed_pages(contents: PackContents) -> list:
    """One function per slide of the targets' table."""
    parts = _pages(_assessed_rows(contents))
    return [lambda page, rows=rows, n=n: _assessed_slide(page, rows, n, len(parts), contents)
            for n, rows in enumerate(parts, start=1)]


def _pages(rows: list[AssessedRow], room: int = ASSESSED_ROOM) -> list[list[AssessedRow]]:
    """The rows shared out over as few slides as they need (at least one), as evenly as
    they fit (three and three rather than five and one)."""
    pages: list[list[AssessedRow]] = [[]]
    used = 0
    for row in rows:
        if pages[-1] and used + row.height > room:
            pages.append([])
            used = 0
        pages[-1].append(row)
        used += row.height
    if len(pages) > 1:
        size = math.ceil(len(rows) / len(pages))
        even = [rows[i:i + size] for i in range(0, len(rows), size)]
        if len(even) == len(pages) and all(sum(r.height for r in page) <= room
                                           for page in even):
            return even
    return pages


def _cell_text(cell, parts: list, fill: str | None = None) -> None:
    """A table cell's paragraphs, each ``(text, size, bold, colour)`` or a list of such
    runs, on ``fill``."""
    frame = cell.text_frame
    frame.word_wrap = True
    cell.margin_left = cell.margin_right = Inches(0.1)
    cell.margin_top = cell.margin_bottom = Inches(0.05)
    cell.vertical_anchor = MSO_ANCHOR.TOP
    cell.fill.solid()
    cell.fill.fore_color.rgb = RGBColor.from_string(fill or "FFFFFF")
    for i, part in enumerate(parts):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        for text, size, bold, colour in part if isinstance(part, list) else [part]:
            run = paragraph.add_run()
            run.text = text
            _font(run.font, size, bold, colour)


def _assessed_slide(page, rows: list[AssessedRow], n: int, total: int,
                    contents: PackContents) -> None:
    """The targets as a table: figure (and its status over the last periods), computed
    status on its colour, the group's assessment with its comment, who and when."""

    lang = contents.lang
    title = _("export.targets_assessed", lang)
    _title(page, f"{title} ({n}/{total})" if total > 1 else title, size=30)
    if not rows:
        _text(page, SIDE, ASSESSED_TOP, WIDTH - 2 * SIDE, Inches(0.6), _("export.no_targets", lang),
              20, colour=MUTED)
        return
    height = HEADER_ROW + sum(r.height for r in rows)
    shape = page.shapes.add_table(len(rows) + 1, 3, SIDE, ASSESSED_TOP, sum(ASSESSED_COLUMNS),
                                  height)
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    for column, width in zip(table.columns, ASSESSED_COLUMNS, strict=True):
        column.width = width
    white = RGBColor(0xFF, 0xFF, 0xFF)
    heads = (f"{_('ui.target', lang)} · {_('ui.trend_title', lang).lower()}",
             _("meetings.computed", lang),
             _("meetings.assessment", lang))
    table.rows[0].height = HEADER_ROW
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        _cell_text(cell, [(head, BODY_PT, True, white)], "14213D")
    for i, row in enumerate(rows, start=1):
        table.rows[i].height = row.height
        cells = table.rows[i].cells
        first = [(row.name, BODY_PT, False, TEXT)]
        if row.strip:
            first.append((row.strip, SMALLEST_PT, False, MUTED))
        _cell_text(cells[0], first)
        _cell_text(cells[1], [(status_label(row.status, lang, row.comparator), BODY_PT, True,
                               RGBColor.from_string(STATUS_TEXT_COLOURS[row.status][1:]))],
                   STATUS_COLOURS[row.status][1:])
        if row.assessment is None:
            _cell_text(cells[2], [(_("meetings.no_checkin", lang), BODY_PT, False, MUTED)])
        else:
            colour = RGBColor.from_string(ASSESSMENT_COLOURS[row.assessment][1:])
            # "◆ Risk · Anna Andersson, 2024-01-25", then the comment.
            third = [[(assessment_label(row.assessment, lang), BODY_PT, True, colour),
                      (f" · {row.written}", SMALLEST_PT, False, MUTED)]]
            if row.comment:
                third.append((row.comment, SMALLEST_PT, False, TEXT))
            _cell_text(cells[2], third)
    key = strip_key([(r.points, r.comparator) for r in rows if r.strip], lang)
    if key:
        _text(page, SIDE, HEIGHT - NUMBER_BAND, WIDTH - 2 * SIDE - Inches(1.6),
              NUMBER_BAND - Inches(0.04), key, SMALLEST_PT, colour=MUTED,
              anchor=MSO_ANCHOR.MIDDLE)
    notes = page.notes_slide.notes_text_frame
    notes.text = "\n".join(
        f"{r.name} – {status_label(r.status, lang, r.comparator)} – "
        + (assessment_label(r.assessment, lang) if r.assessment else _("meetings.no_checkin", lang))
        + (f": {r.comment}" if r.comment else "") for r in rows)
