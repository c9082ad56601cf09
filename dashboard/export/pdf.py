"""The minutes as an archivable, tagged PDF (WeasyPrint), from the pack's one ``contents``.

What the Word document (:mod:`.minutes`) holds, in the same order: the heading, the data
line, the meeting (when, who, the targets with the computed status beside the group's
assessment, the status over time, the comments, the decisions, the actions) or the
targets, one section per chart (the image with its text alternative, the numbered
caption, its sentences), every key figure, and the notes on incomplete data and hidden
small counts. One HTML template and one style sheet (``templates/``); every word from the
catalogue, every text from people or data escaped (text, never HTML).

The file is PDF/A-3a (archivable and tagged: headings, tables with header cells, figures
with their alternative text, reading order) and says it is PDF/UA-1 too; its language is
the reader's (``sv`` or ``en``), its fonts (Liberation Sans, DejaVu Sans for symbols) are
embedded, its title, subject and author are in the metadata, its pages numbered. Each
chart has a landscape page of its own with its heading, where its type prints at a size
that can be read (8.5 pt; the text pages are portrait).
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping
from pathlib import Path
from string import Template
from xml.etree import ElementTree as ET

from dashboard.domain.kpis import KpiValue
from dashboard.domain.trends import target_strip_key
from dashboard.export.contents import Chart, PackContents
from dashboard.export.minutes import revision_notes, row_name, scoped_name
from dashboard.export.texts import slug
from dashboard.figures.describe import pack_chart_text
from dashboard.figures.slides import strip_key, strip_text
from dashboard.figures.theme import STATUS_COLOURS, STATUS_TEXT_COLOURS
from dashboard.i18n import _, date_label, fmt_value, kpi_label, status_label
from dashboard.meetings.model import TargetKey
from dashboard.meetings.texts import ASSESSMENT_COLOURS, assessment_label
from dashboard.model.series import cluster_names, party_names
from dashboard.model.words import target_words

TEMPLATES = Path(__file__).resolve().parent / "templates"
VARIANT = "pdf/a-3a"  # PDF/A-3, level A: archivable and tagged (WeasyPrint >= 70)
AUTHOR = "Samverkan dashboard"
MUTED = "#4a5056"


def pdf_file_name(contents: PackContents) -> str:
    """A meeting's ``krami-sthlm-2023-2024-01-25.pdf`` (its agreement and date, contract
    section 10); any other pack's ``<base name>.pdf`` like its Word document."""
    record = contents.meeting
    if record is not None:
        return f"{slug(record.meeting.agreement_id, limit=100)}-{record.meeting.held_on}.pdf"
    return f"{contents.base_name}.pdf"


def write_pdf(path: str | Path, contents: PackContents, png: Mapping[str, bytes]) -> Path:
    """Write the PDF; ``png`` holds each chart's 1920×1080 PNG by chart key."""
    from weasyprint import HTML  # a second or so to import: only where a PDF is made

    path = Path(path)
    images = {f"chart:{chart.number}": png[chart.key] for chart in contents.charts}
    document = HTML(string=minutes_html(contents), url_fetcher=_charts_only(images)).render()
    document.metadata = _UAMetadata(document.metadata)
    document.write_pdf(path, pdf_variant=VARIANT, pdf_identifier=True,
                       uncompressed_pdf=False)
    return path


# --------------------------------------------------------------------------- the HTML


def e(text) -> str:
    """Text as HTML text (never markup)."""
    return html.escape("" if text is None else str(text), quote=True)


def _css_string(text: str) -> str:
    """Text inside a CSS string in double quotes (the page footer)."""
    return re.sub(r'["\\\n]', lambda m: "\\" + ("a " if m.group() == "\n" else m.group()),
                  text)


def _charts_only(images: Mapping[str, bytes]):
    """WeasyPrint's fetcher of this document: the pack's chart images (``chart:3``), and
    nothing else: no file, no network, whatever a text might hold."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Charts(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in images:
                raise ValueError("only the pack's charts are part of the minutes")
            return URLFetcherResponse(url, body=images[url],
                                      headers={"Content-Type": "image/png"})

    return Charts(allowed_protocols=("chart",), fail_on_errors=True)


def minutes_html(contents: PackContents) -> str:
    """The whole document as HTML (the template filled in)."""
    view, lang = contents.view, contents.lang
    body: list[str] = []
    title = view.cluster_name if view.cluster_id else view.agreement_name
    body.append(f"<h1>{e(title)}</h1>")
    sub = f"{_('export.follow_up', lang)} · {view.period_text}"
    if view.cluster_id:
        sub = f"{_('export.cluster_of', lang, agreement=view.agreement_name)} · {sub}"
    body.append(f'<p class="subtitle">{e(sub)}</p>')
    body.append(f'<p class="muted">{e(view.footer())}</p>')
    if view.synthetic:
        body.append(f'<p class="muted note">{e(_("ui.synthetic_long", lang))}</p>')

    record = contents.meeting
    if record is not None:
        body += _meeting_record(record, view, lang, contents.trends, contents.effects)
    else:
        body.append(f"<h2>{e(_('export.targets', lang))}</h2>")
        targets = view.targets()
        if targets:
            body.append(_targets_table(targets, view, lang))
            body += _strips(targets, contents.trends, view, lang)
        else:
            body.append(f"<p>{e(_('export.no_targets', lang))}</p>")

    body += _charts(contents)

    body.append(f"<h2>{e(_('export.key_figures', lang))}</h2>")
    scope = f" ({view.cluster_name})" if view.cluster_id else ""
    body.append(f'<p class="lead">{e(_("export.key_figures_intro", lang, scope=scope))}</p>')
    values = view.scope_values() if view.cluster_id else view.values
    body.append(_key_figures_table(values, view, lang, record))

    notes = [n.text(lang) for n in view.notes]
    if notes or contents.suppressed:
        body.append(f"<h2>{e(_('export.about_data', lang))}</h2>")
    if notes:
        body.append(f"<h3>{e(_('export.incomplete', lang))}</h3>")
        body.append("<ul>" + "".join(f"<li>{e(t)}</li>" for t in notes) + "</ul>")
    if contents.suppressed:
        body.append(f"<h3>{e(_('export.privacy', lang))}</h3>")
        body.append(f"<p>{e(_('export.privacy_text', lang, below=contents.threshold - 1, threshold=contents.threshold))}</p>")  # noqa: E501

    footer = f"{view.where} · {view.period_text} · {_('export.page', lang)}"
    page = Template((TEMPLATES / "minutes.html").read_text(encoding="utf-8"))
    return page.substitute(
        lang="sv" if lang == "sv" else "en",
        title=e(f"{view.where} – {view.period_text}"),
        author=e(AUTHOR), subject=e(_("export.follow_up", lang)),
        keywords=e(", ".join(p for p in (view.agreement_name, view.period_text) if p)),
        generator=e(AUTHOR),
        created=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00",
                                                                                      "Z"),
        footer=_css_string(footer).replace("<", "\\3c "),  # raw text in <style>
        css=(TEMPLATES / "minutes.css").read_text(encoding="utf-8"),
        body="\n".join(body))


# --------------------------------------------------------------------------- charts


def _charts(contents: PackContents) -> list[str]:
    """One section per chart section: its heading travels with its first chart."""
    out: list[str] = []
    section = None
    for chart in contents.charts:
        heading = ""
        if chart.section != section:
            section = chart.section
            heading = f"<h2>{e(section)}</h2>"
        out.append(f'<section class="chart">{heading}{_figure(chart, contents)}</section>')
    return out


def _figure(chart: Chart, contents: PackContents) -> str:
    """The image (``chart:N``, its PNG) with its text alternative (value, target, status in
    words), then the caption ``Figur 3: Beläggning – Krami Stockholm 2023, 2023`` and its
    sentences."""
    lang = contents.lang
    alt = pack_chart_text(contents.view, chart)
    sentences = "".join(f"<li>{e(s)}</li>" for s in chart.sentences)
    return (f'<figure><img src="chart:{chart.number}" alt="{e(alt)}">'
            f"<figcaption>{e(_('export.figure', lang))} {chart.number}: {e(chart.caption)}"
            f"</figcaption></figure>"
            f"{f'<ul class=sentences>{sentences}</ul>' if sentences else ''}")


# --------------------------------------------------------------------------- tables


def _head(*cells: str) -> str:
    return "<thead><tr>" + "".join(f'<th scope="col">{e(c)}</th>' for c in cells) + \
        "</tr></thead>"


def _cols(*names: str) -> str:
    return "<colgroup>" + "".join(f'<col class="{n}">' for n in names) + "</colgroup>"


def _status_cell(v: KpiValue, lang: str) -> str:
    if not v.comparator:
        return "<td></td>"
    status = v.status if v.status in STATUS_COLOURS else "grey"
    return (f'<td class="status" style="background:{STATUS_COLOURS[status]};'
            f'color:{STATUS_TEXT_COLOURS[status]}">'
            f"{e(status_label(status, lang, v.comparator))}</td>")


def _row(name: str, v: KpiValue, lang: str, note: str | None = None) -> str:
    value = e(fmt_value(v.value, v.unit, lang))
    if note:  # a closed meeting's figure revised since: beside the figure, not instead
        value += f'<span class="cellnote">{e(note)}</span>'
    target = e(target_words(v, lang)) if v.comparator else ""
    return (f"<td>{e(name)}</td><td class=\"value\">{value}</td><td>{target}</td>"
            f"{_status_cell(v, lang)}")


def _figures_head(lang: str) -> str:
    return _cols("name", "value", "target", "status") + _head(
        _("ui.key_figures", lang), _("ui.value", lang), _("ui.target", lang),
        _("ui.status", lang))


def _targets_table(values: list[KpiValue], view, lang: str) -> str:
    parties = party_names(view.data)
    rows = "".join(f"<tr>{_row(row_name(v, parties, lang), v, lang)}</tr>" for v in values)
    return f'<table class="figures">{_figures_head(lang)}<tbody>{rows}</tbody></table>'


def _key_figures_table(values: list[KpiValue], view, lang: str, record=None) -> str:
    """Every key figure, grouped: the whole agreement, then each cluster (a group's name
    a header cell of its rows)."""
    notes = revision_notes(record, lang)
    parties = party_names(view.data)
    clusters = cluster_names(view.data)
    rows: list[str] = []
    scope = object()
    for v in values:
        if v.cluster_id != scope:
            scope = v.cluster_id
            label = clusters.get(scope, scope) if scope else _("export.whole_agreement", lang)
            rows.append(f'<tr class="group"><th class="group" colspan="4" scope="colgroup">'
                        f"{e(label)}</th></tr>")
        rows.append(f"<tr>{_row(row_name(v, parties, lang), v, lang, notes.get(TargetKey.of(v)))}"
                    "</tr>")
    return f'<table class="figures">{_figures_head(lang)}<tbody>{"".join(rows)}</tbody></table>'


# --------------------------------------------------------------------------- status strips


def _strips(targets: list[KpiValue], trends: dict | None, view, lang: str) -> list[str]:
    """Each target's status over its last periods in words and symbols (as the Word
    document: only when some strip has two periods or more)."""
    if trends is None:
        return []
    shown = [(v, trends.get(target_strip_key(v.kpi, v.cluster_id, v.party_id, v.role)) or [])
             for v in targets]
    if not any(len(points) > 1 for __, points in shown):
        return []
    parties = party_names(view.data)
    lines = []
    for v, points in shown:
        text = strip_text(points, lang, v.comparator) if len(points) > 1 \
            else _("ui.no_trend", lang)
        lines.append(f"<p><strong>{e(scoped_name(v, view, parties, lang))}:</strong> "
                     f"{e(text)}</p>")
    key = strip_key([(points, v.comparator) for v, points in shown], lang)
    out = [f"<h3>{e(_('ui.trend_title', lang))}</h3>",
           f'<div class="strips">{"".join(lines)}</div>']
    if key:
        out.append(f'<p class="muted">{e(key)}</p>')
    return out


# --------------------------------------------------------------------------- a meeting


def _meeting_record(record, view, lang: str, trends: dict | None,
                    effects: list[str] | None = None) -> list[str]:
    m = record.meeting
    head = f"<strong>{e(_('meetings.meeting', lang))} {e(m.held_on)}</strong>"
    if m.title:
        head += f" · {e(m.title)}"
    out = [f"<p>{head}</p>"]
    if m.attendees:
        out.append(f"<p>{e(_('meetings.attendees', lang))}: "
                   f"{e('; '.join(m.attendees.splitlines()))}</p>")
    if m.closed:
        state = _("meetings.closed_note", lang, when=(m.closed_at or "")[:10],
                  who=m.closed_by or "–", as_of=date_label(record.data_as_of, lang))
    else:
        state = _("meetings.open_note", lang)
    out.append(f'<p class="muted note">{e(state)}</p>')

    out.append(f"<h2>{e(_('export.targets', lang))}</h2>")
    targets = view.targets() if view.cluster_id else \
        view.targets() + [v for v in record.targets() if v.cluster_id is not None]
    if not targets:
        out.append(f"<p>{e(_('export.no_targets', lang))}</p>")
    else:
        out.append(_assessed_table(targets, record, view, lang))
        out += _strips(targets, trends, view, lang)
        out += _comments(targets, record, view, lang)
    if effects:  # each earlier decision on a target: the value then and now
        out.append(f"<h3>{e(_('meetings.effects', lang))}</h3>")
        out.append('<ul class="effects">' + "".join(f"<li>{e(t)}</li>" for t in effects)
                   + "</ul>")
    out += _decisions(record, view, lang)
    out += _actions(record, lang)
    return out


def _assessed_table(targets: list[KpiValue], record, view, lang: str) -> str:
    parties = party_names(view.data)
    notes = revision_notes(record, lang)
    rows = []
    for v in targets:
        cells = _row(scoped_name(v, view, parties, lang), v, lang, notes.get(TargetKey.of(v)))
        c = record.checkin(TargetKey.of(v))
        if c is None:
            cells += f'<td style="color:{MUTED}">{e(_("meetings.no_checkin", lang))}</td>'
        else:
            cells += (f'<td class="status" style="color:{ASSESSMENT_COLOURS[c.assessment]}">'
                      f"{e(assessment_label(c.assessment, lang))}</td>")
        rows.append(f"<tr>{cells}</tr>")
    head = _cols("name", "value", "target", "status", "assessment") + _head(
        _("ui.key_figures", lang), _("ui.value", lang), _("ui.target", lang),
        _("meetings.computed", lang), _("meetings.assessment", lang))
    return f'<table class="assessed">{head}<tbody>{"".join(rows)}</tbody></table>'


def _comments(targets: list[KpiValue], record, view, lang: str) -> list[str]:
    parties = party_names(view.data)
    written = [(v, record.checkin(TargetKey.of(v))) for v in targets]
    written = [(v, c) for v, c in written if c is not None]
    if not written:
        return []
    out = [f"<h3>{e(_('meetings.assessment', lang))}</h3>"]
    for v, c in written:
        line = (f"<p><strong>{e(scoped_name(v, view, parties, lang))}</strong> – "
                f"{e(_('meetings.computed', lang).lower())}: "
                f"{e(status_label(v.status, lang, v.comparator))}; "
                f"{e(_('meetings.assessment', lang).lower())}: "
                f"{e(assessment_label(c.assessment, lang))}</p>")
        body = f"<p>{e(c.comment)}</p>" if c.comment else ""
        who = _("meetings.written_by", lang, who=c.written_by or "–", when=c.written_at[:10])
        out.append(f'<div class="comment">{line}{body}<p class="muted">{e(who)}</p></div>')
    return out


def _decisions(record, view, lang: str) -> list[str]:
    out = [f"<h2>{e(_('meetings.decisions', lang))}</h2>"]
    if not record.decisions:
        return out + [f"<p>{e(_('meetings.no_decisions', lang))}</p>"]
    parties = party_names(view.data)
    items = []
    for d in record.decisions:
        item = e(d.text)
        if d.kpi:
            about = kpi_label(d.kpi, lang)
            if d.party_id:
                about += f" – {parties.get(d.party_id, d.party_id)}"
            if d.key.role:
                about += f" – {d.key.role}"
            if d.cluster_id:
                about += f" ({cluster_names(view.data).get(d.cluster_id, d.cluster_id)})"
            item += f" <em>({e(_('meetings.about_target', lang).lower())}: {e(about)})</em>"
        items.append(f"<li>{item}</li>")
    return out + [f"<ol>{''.join(items)}</ol>"]


def _actions(record, lang: str) -> list[str]:
    out = [f"<h2>{e(_('meetings.actions', lang))}</h2>"]
    if not record.actions:
        return out + [f"<p>{e(_('meetings.no_actions', lang))}</p>"]
    rows = []
    for a in record.actions:
        what = e(a.text)
        if a.carried(record.meeting.id):
            what += f'<span class="cellnote">{e(_("meetings.carried", lang, date=record.decided_on(a)))}</span>'  # noqa: E501
        done = e(_("meetings.done" if a.done else "meetings.not_done", lang))
        if a.done:
            done = f"<strong>{done}</strong>"
        if record.is_overdue(a):
            done += f'<span class="cellnote">{e(_("meetings.overdue", lang))}</span>'
        elif record.done_since(a):
            done += f'<span class="cellnote">{e(_("meetings.done_since", lang))}</span>'
        rows.append(f"<tr><td>{what}</td><td>{e(a.owner)}</td><td>{e(a.due)}</td>"
                    f"<td>{done}</td></tr>")
    head = _cols("what", "owner", "due", "done") + _head(
        _("meetings.action", lang), _("meetings.owner", lang), _("meetings.due", lang),
        _("meetings.done", lang))
    return out + [f'<table class="actions">{head}<tbody>{"".join(rows)}</tbody></table>']


# --------------------------------------------------------------------------- metadata


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PDFUA = "http://www.aiim.org/pdfua/ns/id/"


class _UAMetadata:
    """WeasyPrint's document metadata, whose XMP also says PDF/UA-1 (``pdfuaid:part``)
    beside PDF/A-3a: the file is tagged, its language and title set, its figures
    described, as PDF/UA asks."""

    def __init__(self, metadata):
        self.__dict__["_inner"] = metadata

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def __setattr__(self, name, value):
        setattr(self._inner, name, value)

    def include_in_pdf(self, pdf, variant, version, conformance, compress):
        type(self._inner).include_in_pdf(self, pdf, variant, version, conformance, compress)

    def generate_rdf_metadata(self, variant, version, conformance):
        xml = self._inner.generate_rdf_metadata(variant, version, conformance)
        root = ET.fromstring(xml)
        description = root.find(f"{{{_RDF}}}Description")
        if description is None:
            description = ET.SubElement(root, f"{{{_RDF}}}Description",
                                        {f"{{{_RDF}}}about": ""})
        description.set(f"{{{_PDFUA}}}part", "1")
        return ET.tostring(root)
