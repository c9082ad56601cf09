"""The meeting pack of one view: every chart as PNG and SVG, a Word document, a deck.

:func:`build_contents` gathers what the pack shows (the view, the slides of presentation
mode, the charts with their captions), drawn in the export theme with small counts in
breakdowns hidden. :func:`write_pack` draws every image with one browser and writes the
files; :func:`zip_pack` packs a folder for a download.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.figures.spec import Figure
from dashboard.i18n import t
from dashboard.figures.panels import Panel, build_panels
from dashboard.figures.slides import Slide, build_slides
from dashboard.figures.theme import EXPORT
from dashboard.model.view import View, build_view, cluster_views
from dashboard.export.images import IMAGE_FORMATS, ExportError, ImageJob, Renderer, figure_dict
from dashboard.export.texts import slug, tx

FORMATS = ("png", "svg", "docx", "pptx")
GENDER_PANELS = ("occupancy", "outcomes")

Progress = Callable[[float, str], None]


@dataclass
class Chart:
    """One chart of the pack: its number (files and captions share it) and its words."""

    number: int
    key: str  # a panel key, "<panel>-gender", "cluster:<id>" or "cluster-outcomes:<id>"
    what: str  # "Beläggning", "Beläggning efter kön", "Beläggning – Järva"
    caption: str  # what – where – period
    figure: Figure
    section: str  # the heading it goes under in the Word document
    sentences: list[str] = field(default_factory=list)
    suppressed: bool = False
    panel: Panel | None = None  # what the figure was drawn from (its table, if any)

    @property
    def stem(self) -> str:
        """``01-belaggning``: ASCII, numbered in the order of the minutes."""
        return f"{self.number:02d}-{slug(self.what)}"


@dataclass
class PackContents:
    """What one meeting pack shows."""

    view: View
    slides: list[Slide]
    charts: list[Chart]
    threshold: int
    # A steering meeting's pack (dashboard.export.meeting): its record (check-ins,
    # decisions, actions, since the last meeting), the view being the meeting's own.
    meeting: object | None = None

    @property
    def lang(self) -> str:
        return self.view.lang

    @property
    def suppressed(self) -> bool:
        """Whether any chart hides a small count (the documents then say so)."""
        return any(c.suppressed for c in self.charts)

    @property
    def base_name(self) -> str:
        """``krami-sthlm-2023-2023``, ``sthlm-af-2023-jarva-2023-h1``, or a meeting's
        ``mote-3-krami-sthlm-2023-2023-q1``."""
        parts = [self.view.agreement_id, self.view.cluster_id, self.view.period.text]
        if self.meeting is not None:
            parts.insert(0, f"{tx('meeting_file', self.lang)}-{self.meeting.meeting.id}")
        return slug("-".join(p for p in parts if p), limit=120)

    def chart(self, key: str) -> Chart | None:
        return next((c for c in self.charts if c.key == key), None)


def shows_suppression(figure: Figure, lang: str) -> bool:
    """Whether the figure's footer carries the note that small counts are hidden."""
    return t("suppression_note", lang) in (figure.footer or "")


def gender_panels(view: View, threshold: int) -> dict[str, Panel]:
    """Occupancy and outcomes by gender, suppressed, where the data is broken down by gender.

    The agreements ask for statistics by gender (könsuppdelad statistik).
    """
    if "gender" not in view.breakdowns:
        return {}
    by_gender = replace(view, breakdown="gender")
    return {p.key: p for p in build_panels(by_gender, EXPORT, suppress_below=threshold)
            if p.key in GENDER_PANELS and p.has_data}


def build_contents(engine: Engine, agreement_id: str, period: str | None,
                   cluster_id: str | None, lang: str, threshold: int,
                   per_cluster: bool = False) -> PackContents:
    """The view, its slides and its charts; :class:`ExportError` when it does not exist.

    ``per_cluster`` adds one slide (and chart) per cluster to an agreement's pack when the
    agreement has at least two clusters (with one, the cluster is the agreement).
    """
    view = build_view(engine, agreement_id, period, cluster_id, lang=lang)
    if view is None:
        raise ExportError(tx("not_found", lang))
    if view.period_was_invalid:
        raise ExportError(tx("bad_period", lang, period=period))
    clusters = None
    if per_cluster and cluster_id is None and len(view.data.cluster_ids) >= 2:
        clusters = cluster_views(view)
    return contents_of_view(view, threshold, clusters)


def contents_of_view(view: View, threshold: int,
                     clusters: list[View] | None = None) -> PackContents:
    """The pack of a view already computed (``clusters``: one view per cluster, for the
    per-cluster slides), in the view's language."""
    lang = view.lang
    by_id = {cv.cluster_id: cv for cv in clusters or []}
    slides = build_slides(view, EXPORT, cluster_views=clusters, suppress_below=threshold)
    by_gender = gender_panels(view, threshold)
    charts: list[Chart] = []

    def add(key: str, what: str, panel: Panel | None, figure: Figure, section: str,
            where: View = view) -> None:
        # "Beläggning – Krami Stockholm 2023, 2023": what – where, when.
        shown = what.split(" – ")[0] if where is not view else what
        caption = f"{shown} – {where.where}, {where.period_text}"
        charts.append(Chart(len(charts) + 1, key, what, caption, figure, section,
                            list(panel.sentences) if panel else [],
                            shows_suppression(figure, lang), panel))

    for slide in slides:
        if slide.figure is None:
            continue
        if slide.key.startswith(("cluster:", "cluster-outcomes:")):
            cv = by_id[slide.key.split(":", 1)[1]]
            title = slide.panel.title if slide.panel else ""
            if slide.key.startswith("cluster-outcomes:") and cv.breakdown == "total" \
                    and "gender" in cv.breakdowns:
                title = f"{title} {tx('by_gender', lang)}"
            what = f"{title} – {slide.title}".strip(" –")
            add(slide.key, what, slide.panel, slide.figure, tx("per_cluster", lang), where=cv)
            continue
        panel = slide.panel
        title = panel.title if panel else slide.title
        add(slide.key, title, panel, slide.figure, title)
        if slide.key in by_gender:
            gp = by_gender[slide.key]
            add(f"{slide.key}-gender", f"{gp.title} {tx('by_gender', lang)}", gp, gp.figure,
                title)
    return PackContents(view, slides, charts, threshold)


def parse_formats(formats: Iterable[str] | str, lang: str) -> list[str]:
    """``"png, svg"`` or ``["png", "svg"]`` -> ``["png", "svg"]`` (empty: every format);
    :class:`ExportError` for a format that does not exist."""
    if isinstance(formats, str):
        formats = formats.split(",")
    out = []
    for f in formats:
        f = f.strip().lower()
        if not f:
            continue
        if f not in FORMATS:
            raise ExportError(tx("bad_format", lang, fmt=f, known=", ".join(FORMATS)))
        if f not in out:
            out.append(f)
    return out or list(FORMATS)


def write_pack(engine: Engine, agreement_id: str, period: str | None, cluster_id: str | None,
               out_dir: str | Path, formats: Iterable[str] = FORMATS, lang: str = "sv",
               threshold: int = 5, per_cluster: bool = False,
               progress: Progress | None = None,
               on_browser: Callable[[int | None], None] | None = None) -> list[Path]:
    """Write the meeting pack into ``out_dir``; the paths written, in order.

    ``formats``: any of png (1920×1080 and print, 3840×2160), svg, docx, pptx. Counts from
    1 to ``threshold - 1`` in breakdowns are hidden. ``progress(fraction, message)`` is
    called as the work goes on; ``on_browser(pid)`` once the browser runs (the job queue
    notes it, see dashboard/jobs). Raises :class:`ExportError` (a message for the user).
    """
    return write_contents(
        lambda: build_contents(engine, agreement_id, period, cluster_id, lang, threshold,
                               per_cluster),
        out_dir, formats, lang, progress, on_browser)


def write_contents(contents_of: Callable[[], PackContents], out_dir: str | Path,
                   formats: Iterable[str] = FORMATS, lang: str = "sv",
                   progress: Progress | None = None,
                   on_browser: Callable[[int | None], None] | None = None) -> list[Path]:
    """Write the pack of what ``contents_of()`` gathers (called while the browser starts);
    the arguments and the answer as :func:`write_pack`'s."""
    formats = parse_formats(formats, lang)

    def report(fraction: float, key: str, done: int | None = None, total: int | None = None):
        if progress is None:
            return
        what = tx(key, lang)
        if done is not None:
            what = tx("pack_step", lang, what=what, done=done, total=total)
        progress(min(max(fraction, 0.0), 1.0), what)

    report(0.02, "step_views")
    renderer = Renderer(lang=lang, on_browser=on_browser)
    renderer.open(wait=False)  # the browser starts while the figures are computed
    try:
        return _write(renderer, contents_of(), Path(out_dir), formats, lang, report)
    finally:
        renderer.close()


def _write(renderer: Renderer, contents: PackContents, out: Path, formats: list[str],
           lang: str, report) -> list[Path]:
    from dashboard.export.deck import write_deck
    from dashboard.export.minutes import write_minutes

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(tx("cannot_write", lang, path=out, error=exc.strerror or exc)) \
            from exc

    kinds = []
    if {"png", "docx", "pptx"} & set(formats):
        kinds.append("png")
    if "png" in formats:
        kinds.append("png-print")
    if "svg" in formats:
        kinds.append("svg")
    jobs, names = [], []
    for chart in contents.charts:
        spec = figure_dict(chart.figure)
        for kind in kinds:
            jobs.append(ImageJob(spec, IMAGE_FORMATS[kind]))
            names.append((chart, kind))

    report(0.08, "step_browser")
    images = renderer.render(
        jobs, lambda done, total: report(0.12 + 0.7 * done / total, "step_images", done, total))
    screen_png = {chart.key: data for (chart, kind), data in zip(names, images, strict=True)
                  if kind == "png"}

    written: list[Path] = []
    report(0.84, "step_files")
    try:
        for (chart, kind), data in zip(names, images, strict=True):
            fmt = IMAGE_FORMATS[kind]
            if fmt.format not in formats:
                continue  # drawn for the documents only
            path = out / fmt.file_name(chart.stem, lang)
            path.write_bytes(data)
            written.append(path)
        if "docx" in formats:
            report(0.88, "step_docx")
            path = out / f"{contents.base_name}.docx"
            write_minutes(path, contents, screen_png)
            written.append(path)
        if "pptx" in formats:
            report(0.94, "step_pptx")
            path = out / f"{contents.base_name}.pptx"
            write_deck(path, contents, screen_png)
            written.append(path)
    except OSError as exc:
        raise ExportError(tx("cannot_write", lang, path=out, error=exc.strerror or exc)) \
            from exc
    report(1.0, "step_zip")  # what remains: packing the files (or nothing, for the CLI)
    return written


def zip_pack(paths: Iterable[Path], root: Path) -> bytes:
    """The files as one zip (PNG stored as they are: they are compressed already)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            method = zipfile.ZIP_STORED if path.suffix == ".png" else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(str(path.relative_to(root)),
                                   date_time=time.localtime(path.stat().st_mtime)[:6])
            info.compress_type = method
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
