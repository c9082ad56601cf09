"""The Word document for the minutes (``.docx``, python-docx).

A heading (agreement, cluster, period), the data line (data as of, source, synthetic
data), the targets with their status in words, one section per chart with the image and
a numbered caption (a real Word caption, so a list of figures can be made), every key
figure in a table (the values of ``python -m dashboard kpis``, in Swedish format), and
notes on incomplete data and on hidden small counts. Styles are Word's own (Title,
Heading 1, Caption, List Bullet), so a secretary can edit it as any other document.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from dashboard.domain.kpis import KpiValue
from dashboard.domain.trends import target_strip_key
from dashboard.export.contents import Chart, PackContents
from dashboard.figures.describe import pack_chart_text
from dashboard.figures.slides import strip_key, strip_text
from dashboard.figures.theme import STATUS_COLOURS, STATUS_TEXT_COLOURS
from dashboard.i18n import _, date_label, fmt_value, kpi_label, status_label, target_label
from dashboard.meetings.model import TargetKey
from dashboard.meetings.texts import ASSESSMENT_COLOURS, assessment_label, revised_note
from dashboard.model.series import cluster_names, party_names
from dashboard.model.words import target_words

FONT = "Calibri"
INK = RGBColor(0x14, 0x21, 0x3D)  # the app's header colour
MUTED = RGBColor(0x4A, 0x50, 0x56)
HEAD_FILL = "14213D"
GROUP_FILL = "E7EAF0"
TEXT_WIDTH_CM = 16.0
COLUMNS_CM = (7.3, 2.6, 3.1, 3.0)


def write_minutes(path: str | Path, contents: PackContents,
                  png: Mapping[str, bytes]) -> Path:
    """Write the document; ``png`` holds each chart's 1920×1080 PNG by chart key."""
    view, lang = contents.view, contents.lang
    doc = Document()
    _page_and_styles(doc, lang)
    _properties(doc, contents)
    _footer(doc, f"{view.where} · {view.period_text}", lang)

    doc.add_paragraph(view.cluster_name if view.cluster_id else view.agreement_name,
                      style="Title")
    sub = f"{_('export.follow_up', lang)} · {view.period_text}"
    if view.cluster_id:
        sub = f"{_('export.cluster_of', lang, agreement=view.agreement_name)} · {sub}"
    doc.add_paragraph(sub, style="Subtitle")
    line = doc.add_paragraph(view.footer())
    _muted(line)
    if view.synthetic:
        note = doc.add_paragraph(_("ui.synthetic_long", lang))
        _muted(note, italic=True)

    record = contents.meeting
    if record is not None:
        _meeting_record(doc, record, view, lang, contents.trends, contents.effects)
    else:
        doc.add_heading(_("export.targets", lang), level=1)
        targets = view.targets()
        if targets:
            _targets_table(doc, targets, view, lang)
            _strips(doc, targets, contents.trends, view, lang)
        else:
            doc.add_paragraph(_("export.no_targets", lang))

    section = None
    for chart in contents.charts:
        if chart.section != section:
            section = chart.section
            doc.add_heading(section, level=1)
        _figure(doc, chart, png[chart.key], contents)

    doc.add_heading(_("export.key_figures", lang), level=1)
    scope = f" ({view.cluster_name})" if view.cluster_id else ""
    intro = doc.add_paragraph(_("export.key_figures_intro", lang, scope=scope))
    intro.paragraph_format.keep_with_next = True  # the heading travels with the table
    values = view.scope_values() if view.cluster_id else view.values
    _key_figures_table(doc, values, view, lang, record)

    notes = [n.text(lang) for n in view.notes]
    if notes or contents.suppressed:
        doc.add_heading(_("export.about_data", lang), level=1)
    if notes:
        doc.add_heading(_("export.incomplete", lang), level=2)
        for text in notes:
            doc.add_paragraph(text, style="List Bullet")
    if contents.suppressed:
        doc.add_heading(_("export.privacy", lang), level=2)
        doc.add_paragraph(_("export.privacy_text", lang, below=contents.threshold - 1,
                             threshold=contents.threshold))
    path = Path(path)
    doc.save(str(path))
    return path


# --------------------------------------------------------------------------- page, styles


def _page_and_styles(doc, lang: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, not Letter
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.2)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    _language(normal, "sv-SE" if lang == "sv" else "en-GB")
    for name, size in (("Title", 26), ("Subtitle", 14), ("Heading 1", 16), ("Heading 2", 13),
                       ("Caption", 10)):
        style = styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            if fonts is not None and fonts.get(qn(attr)) is not None:
                del fonts.attrib[qn(attr)]
    for name in ("Title", "Heading 1", "Heading 2"):
        styles[name].font.color.rgb = INK
        styles[name].font.bold = True
    styles["Subtitle"].font.color.rgb = MUTED
    styles["Subtitle"].font.italic = False
    styles["Heading 1"].paragraph_format.space_before = Pt(18)
    styles["Heading 1"].paragraph_format.space_after = Pt(6)
    styles["Caption"].font.color.rgb = MUTED
    styles["Caption"].font.bold = False
    styles["Caption"].font.italic = False
    styles["Caption"].paragraph_format.space_after = Pt(14)
    title = styles["Title"]
    # Word's Title has a coloured rule under it; a plain title reads better in minutes.
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)
    title.paragraph_format.space_after = Pt(4)


def _language(style, tag: str) -> None:
    rpr = style.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), tag)


def _properties(doc, contents: PackContents) -> None:
    view = contents.view
    props = doc.core_properties
    props.title = f"{view.where} – {view.period_text}"
    props.subject = _("export.follow_up", contents.lang)
    props.language = "sv-SE" if contents.lang == "sv" else "en-GB"
    props.author = "Samverkan dashboard"
    props.comments = view.footer()


def _field(paragraph, instruction: str, shown: str) -> None:
    """A Word field (``SEQ``, ``PAGE``) showing ``shown`` until Word updates it.

    Written as Word writes it (begin, instruction, separate, result, end), so the
    result is ordinary text to any reader of the file.
    """

    def run_with(child) -> None:
        run = OxmlElement("w:r")
        run.append(child)
        paragraph._p.append(run)

    def char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run_with(char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    run_with(char("separate"))
    text = OxmlElement("w:t")
    text.text = shown
    run_with(text)
    run_with(char("end"))


def _footer(doc, text: str, lang: str) -> None:
    footer = doc.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.text = f"{text} · {_('export.page', lang)} "
    _field(paragraph, "PAGE", "1")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    style = doc.styles["Footer"]
    style.font.size = Pt(9)
    style.font.color.rgb = MUTED


def _muted(paragraph, italic: bool = False) -> None:
    for run in paragraph.runs:
        run.font.color.rgb = MUTED
        run.font.size = Pt(10)
        run.font.italic = italic


# --------------------------------------------------------------------------- figures


def _figure(doc, chart: Chart, png: bytes, contents: PackContents) -> None:
    """The image (full text width, its sentences as alternative text), then the numbered
    Word caption ``Figur 3: Beläggning – Krami Stockholm 2023, 2023``."""
    lang = contents.lang
    doc.add_picture(io.BytesIO(png), width=Cm(TEXT_WIDTH_CM))
    picture = doc.paragraphs[-1]
    picture.paragraph_format.keep_with_next = True
    picture.paragraph_format.space_after = Pt(2)
    inline = doc.inline_shapes[-1]._inline
    inline.docPr.set("descr", pack_chart_text(contents.view, chart))
    inline.docPr.set("title", chart.what)
    caption = doc.add_paragraph(style="Caption")
    caption.add_run(f"{_('export.figure', lang)} ")
    _field(caption, f"SEQ {_('export.figure', lang)} \\* ARABIC", str(chart.number))
    caption.add_run(f": {chart.caption}")
    for sentence in chart.sentences:
        doc.add_paragraph(sentence, style="List Bullet")


# --------------------------------------------------------------------------- tables


def row_name(v: KpiValue, parties: dict[str, str], lang: str) -> str:
    return target_label(v.kpi, lang, parties.get(v.party_id, v.party_id),
                        getattr(v, "role", None))


def _new_table(doc, lang: str):
    heads = (_("ui.key_figures", lang), _("ui.value", lang), _("ui.target", lang), _("ui.status",
                                                                                     lang))
    return _table(doc, heads, right=(1,))


def _table(doc, heads: tuple[str, ...], right: tuple[int, ...] = ()):
    """A table with a header row (repeated on every page) of ``heads``."""
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _cell_margins(table, top=0.05, bottom=0.05, side=0.12)
    row = table.rows[0]
    _repeat_header(row)
    for i, (cell, text) in enumerate(zip(row.cells, heads, strict=True)):
        _cell(cell, text, bold=True, colour=RGBColor(0xFF, 0xFF, 0xFF), fill=HEAD_FILL,
              right=i in right)
    return table


def _add_row(table, name: str, v: KpiValue, lang: str, note: str | None = None) -> None:
    cells = table.add_row().cells
    _cell(cells[0], name)
    _cell(cells[1], fmt_value(v.value, v.unit, lang), right=True)
    if note:  # a closed meeting's figure revised since: beside the figure, not instead
        _note(cells[1], note)
    _cell(cells[2], target_words(v, lang) if v.comparator else "")
    if v.comparator:
        status = v.status if v.status in STATUS_COLOURS else "grey"
        text = STATUS_TEXT_COLOURS[status].lstrip("#")
        _cell(cells[3], status_label(status, lang, v.comparator), bold=True,
              fill=STATUS_COLOURS[status][1:], colour=RGBColor.from_string(text.upper()))
    else:
        _cell(cells[3], "")


def _targets_table(doc, values: list[KpiValue], view, lang: str) -> None:
    parties = party_names(view.data)
    table = _new_table(doc, lang)
    for v in values:
        _add_row(table, row_name(v, parties, lang), v, lang)
    _widths(table)


def _key_figures_table(doc, values: list[KpiValue], view, lang: str, record=None) -> None:
    """Every key figure, grouped: the whole agreement, then each cluster (a closed
    meeting's revised figures with their note)."""
    notes = revision_notes(record, lang)
    parties = party_names(view.data)
    clusters = cluster_names(view.data)
    table = _new_table(doc, lang)
    scope = object()
    for v in values:
        if v.cluster_id != scope:
            scope = v.cluster_id
            label = clusters.get(scope, scope) if scope else _("export.whole_agreement", lang)
            row = table.add_row()
            merged = row.cells[0].merge(row.cells[3])
            _cell(merged, label, bold=True, fill=GROUP_FILL)
            _keep_with_next(merged)
        _add_row(table, row_name(v, parties, lang), v, lang, notes.get(_key(v)))
    _widths(table)


def _cell(cell, text: str, *, bold: bool = False, colour: RGBColor | None = None,
          fill: str | None = None, right: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.font.size = Pt(10)
    run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour
    if fill:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), fill)
        cell._tc.get_or_add_tcPr().append(shading)


def _note(cell, text: str) -> None:
    """A small second line in a cell (``reviderad sedan mötet: 37 → 39``)."""
    paragraph = cell.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.alignment = cell.paragraphs[0].alignment
    run = paragraph.add_run(text)
    run.font.size = Pt(8.5)
    run.font.italic = True
    run.font.color.rgb = MUTED


def _cell_margins(table, *, top: float, bottom: float, side: float) -> None:
    """Room around the text of every cell (centimetres)."""
    margins = OxmlElement("w:tblCellMar")
    for edge, cm in (("top", top), ("left", side), ("bottom", bottom), ("right", side)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(int(cm * 567)))  # twentieths of a point
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))  # the schema wants tblCellMar before tblLook
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)


def _repeat_header(row) -> None:
    """The header row repeats on every page the table runs over."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _keep_with_next(cell) -> None:
    for paragraph in cell.paragraphs:
        paragraph.paragraph_format.keep_with_next = True


def _widths(table, widths: tuple[float, ...] = COLUMNS_CM) -> None:
    for row in table.rows:
        cells = row.cells
        if len({id(c._tc) for c in cells}) == 1:  # a merged group row
            continue
        for cell, width in zip(cells, widths, strict=True):
            cell.width = Cm(width)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)


# --------------------------------------------------------------------------- status strips


def _strips(doc, targets: list[KpiValue], trends: dict | None, view, lang: str) -> None:
    """Each target's status over its last periods, one compact line of symbols and
    period names (``Beläggning: kv. 1 2023 ✔ · kv. 2 ▲ · …``), and what the symbols mean:
    the strips beside the targets on screen, in words (never colour alone)."""
    if trends is None:
        return

    shown = [(v, trends.get(target_strip_key(v.kpi, v.cluster_id, v.party_id, v.role)) or [])
             for v in targets]
    # A strip of one period compares with nothing (an agreement's first year): as on the
    # screen, only strips of two periods or more are written.
    if not any(len(points) > 1 for __, points in shown):
        return
    heading = doc.add_heading(_("ui.trend_title", lang), level=2)
    heading.paragraph_format.keep_with_next = True
    parties = party_names(view.data)
    for v, points in shown:
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run(f"{scoped_name(v, view, parties, lang)}: ").bold = True
        paragraph.add_run(strip_text(points, lang, v.comparator) if len(points) > 1
                          else _("ui.no_trend", lang))
    key = strip_key([(points, v.comparator) for v, points in shown], lang)
    if key:
        _muted(doc.add_paragraph(key))


# --------------------------------------------------------------------------- a meeting


def _key(v: KpiValue) -> TargetKey:
    """A figure's key among the revision notes: its target's (a role's apart)."""
    return TargetKey.of(v)


def revision_notes(record, lang: str) -> dict[TargetKey, str]:
    """A closed meeting's figures the data has revised since: the note, by figure."""
    if record is None:
        return {}

    return {_key(then): revised_note(then, now, lang) for then, now in record.revisions()}


def _meeting_record(doc, record, view, lang: str, trends: dict | None = None,
                    effects: list[str] | None = None) -> None:
    """The meeting: when, who, frozen or not; each target's computed status beside the
    group's assessment with its comment, who and when; the decisions; the actions."""

    m = record.meeting
    head = doc.add_paragraph()
    head.add_run(f"{_('meetings.meeting', lang)} {m.held_on}").bold = True
    if m.title:
        head.add_run(f" · {m.title}")
    if m.attendees:
        doc.add_paragraph(f"{_('meetings.attendees', lang)}: {'; '.join(m.attendees.splitlines())}")
    if m.closed:
        state = _("meetings.closed_note", lang, when=(m.closed_at or "")[:10],
                  who=m.closed_by or "–",
                   as_of=date_label(record.data_as_of, lang))
    else:
        state = _("meetings.open_note", lang)
    _muted(doc.add_paragraph(state), italic=True)

    doc.add_heading(_("export.targets", lang), level=1)
    # Every target the meeting may assess: the agreement's (or the cluster's), then each
    # cluster's, in the order of the key figures.
    targets = view.targets() if view.cluster_id else \
        view.targets() + [v for v in record.targets() if v.cluster_id is not None]
    if not targets:
        doc.add_paragraph(_("export.no_targets", lang))
    else:
        _assessed_table(doc, targets, record, view, lang)
        _strips(doc, targets, trends, view, lang)
        _comments(doc, targets, record, view, lang)
    if effects:  # each earlier decision on a target: the value then and now
        doc.add_heading(_("meetings.effects", lang), level=2)
        for line in effects:
            doc.add_paragraph(line, style="List Bullet")
    _decisions(doc, record, view, lang)
    _actions(doc, record, lang)


ASSESSED_CM = (5.0, 2.3, 2.9, 2.9, 2.9)


def scoped_name(v: KpiValue, view, parties: dict[str, str], lang: str) -> str:
    """``Järva: Andel i arbete eller studier`` for a cluster's target in the agreement's
    pack; the plain name where the scope goes without saying."""
    name = row_name(v, parties, lang)
    if v.cluster_id and v.cluster_id != view.cluster_id:
        name = f"{cluster_names(view.data).get(v.cluster_id, v.cluster_id)}: {name}"
    return name


def _assessed_table(doc, targets: list[KpiValue], record, view, lang: str) -> None:
    """Target, value (with a revision note), target value, computed status, assessment:
    the computed status and the group's assessment in cells of their own."""

    parties = party_names(view.data)
    notes = revision_notes(record, lang)
    table = _table(doc, (_("ui.key_figures", lang), _("ui.value", lang), _("ui.target", lang),
                         _("meetings.computed", lang), _("meetings.assessment", lang)), right=(1,))
    for v in targets:
        _add_row(table, scoped_name(v, view, parties, lang), v, lang, notes.get(_key(v)))
        cell = table.rows[-1].cells[4]
        c = record.checkin(TargetKey.of(v))
        if c is None:
            _cell(cell, _("meetings.no_checkin", lang), colour=MUTED)
        else:
            colour = RGBColor.from_string(ASSESSMENT_COLOURS[c.assessment][1:].upper())
            _cell(cell, assessment_label(c.assessment, lang), bold=True, colour=colour)
    _widths(table, ASSESSED_CM)


def _comments(doc, targets: list[KpiValue], record, view, lang: str) -> None:
    """Each check-in's comment under its target's name, with who wrote it and when."""

    parties = party_names(view.data)
    written = [(v, record.checkin(TargetKey.of(v))) for v in targets]
    written = [(v, c) for v, c in written if c is not None]
    if not written:
        return
    doc.add_heading(_("meetings.assessment", lang), level=2)
    for v, c in written:
        name = scoped_name(v, view, parties, lang)
        head = doc.add_paragraph()
        head.paragraph_format.keep_with_next = True
        head.paragraph_format.space_after = Pt(0)
        head.add_run(name).bold = True
        head.add_run(f" – {_('meetings.computed', lang).lower()}: "
                     f"{status_label(v.status, lang, v.comparator)}; "
                     f"{_('meetings.assessment', lang).lower()}: "
                     f"{assessment_label(c.assessment, lang)}")
        if c.comment:
            body = doc.add_paragraph(c.comment)
            body.paragraph_format.keep_with_next = True
            body.paragraph_format.space_after = Pt(0)
        _muted(doc.add_paragraph(_("meetings.written_by", lang, who=c.written_by or "–",
                                    when=c.written_at[:10])))


def _decisions(doc, record, view, lang: str) -> None:

    doc.add_heading(_("meetings.decisions", lang), level=1)
    if not record.decisions:
        doc.add_paragraph(_("meetings.no_decisions", lang))
        return
    parties = party_names(view.data)
    for d in record.decisions:
        paragraph = doc.add_paragraph(d.text, style="List Number")
        if d.kpi:
            about = kpi_label(d.kpi, lang)
            if d.party_id:
                about += f" – {parties.get(d.party_id, d.party_id)}"
            if d.key.role:  # a target on one staffing role, as the tables name it
                about += f" – {d.key.role}"
            if d.cluster_id:
                about += f" ({cluster_names(view.data).get(d.cluster_id, d.cluster_id)})"
            about_target = _("meetings.about_target", lang).lower()
            paragraph.add_run(f" ({about_target}: {about})").italic = True


ACTIONS_CM = (7.0, 3.4, 2.8, 2.8)


def _actions(doc, record, lang: str) -> None:
    """What, who, by when, done: the meeting's own actions and those carried over."""

    doc.add_heading(_("meetings.actions", lang), level=1)
    if not record.actions:
        doc.add_paragraph(_("meetings.no_actions", lang))
        return
    table = _table(doc, (_("meetings.action", lang), _("meetings.owner", lang), _("meetings.due",
                                                                                  lang),
                         _("meetings.done", lang)))
    for a in record.actions:
        cells = table.add_row().cells
        _cell(cells[0], a.text)
        if a.carried(record.meeting.id):
            _note(cells[0], _("meetings.carried", lang, date=record.decided_on(a)))
        _cell(cells[1], a.owner)
        _cell(cells[2], a.due)
        _cell(cells[3], _("meetings.done" if a.done else "meetings.not_done", lang), bold=a.done)
        if record.is_overdue(a):
            _note(cells[3], _("meetings.overdue", lang))
        elif record.done_since(a):
            _note(cells[3], _("meetings.done_since", lang))
    _widths(table, ACTIONS_CM)
