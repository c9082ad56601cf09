"""The meeting pack of one view: every chart as PNG and SVG, a Word document, a deck, the
minutes as PDF, and ``SHA256SUMS``.

What the pack shows is gathered in :mod:`.contents`. :func:`write_pack` draws every image
with one browser and writes the files, then ``SHA256SUMS`` (each file's SHA-256 as
``sha256sum -c`` reads it, contract section 10); :func:`zip_pack` packs a folder for a
download.
"""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.export.contents import FORMATS, PackContents, Progress, build_contents
from dashboard.export.deck import write_deck
from dashboard.export.deck_layout import deck_format
from dashboard.export.images import IMAGE_FORMATS, ExportError, ImageJob, Renderer, figure_dict
from dashboard.export.minutes import write_minutes
from dashboard.export.pdf import pdf_file_name, write_pdf
from dashboard.i18n import _


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
            raise ExportError(_("export.bad_format", lang, fmt=f, known=", ".join(FORMATS)))
        if f not in out:
            out.append(f)
    return out or list(FORMATS)


def write_pack(engine: Engine, agreement_id: str, period: str | None, cluster_id: str | None,
               out_dir: str | Path, formats: Iterable[str] = FORMATS, lang: str = "sv",
               threshold: int = 5, per_cluster: bool = False,
               progress: Progress | None = None,
               on_browser: Callable[[int | None], None] | None = None) -> list[Path]:
    """Write the meeting pack into ``out_dir``; the paths written, in order.

    ``formats``: any of png (1920×1080 and print, 3840×2160), svg, docx, pptx, pdf; the pack
    always ends with ``SHA256SUMS`` (:func:`write_sums`). Counts from
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
        what = _(f"export.{key}", lang)
        if done is not None:
            what = _("export.pack_step", lang, what=what, done=done, total=total)
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
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(_("export.cannot_write", lang, path=out, error=exc.strerror or exc)) \
            from exc

    kinds = []
    if {"png", "docx", "pdf"} & set(formats):
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

    deck_keys = []
    if "pptx" in formats:
        for slide in contents.deck_slides:
            if slide.figure is not None:
                jobs.append(ImageJob(figure_dict(slide.figure), deck_format(slide.lines)))
                deck_keys.append(slide.key)
    report(0.08, "step_browser")
    images = renderer.render(
        jobs, lambda done, total: report(0.12 + 0.7 * done / total, "step_images", done, total))
    screen_png = {chart.key: data for (chart, kind), data in zip(names, images, strict=False)
                  if kind == "png"}
    deck_png = dict(zip(deck_keys, images[len(names):], strict=True))

    written: list[Path] = []
    report(0.84, "step_files")
    try:
        for (chart, kind), data in zip(names, images, strict=False):
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
            write_deck(path, contents, deck_png)
            written.append(path)
        if "pdf" in formats:
            report(0.96, "step_pdf")
            path = out / pdf_file_name(contents)
            write_pdf(path, contents, screen_png)
            written.append(path)
        written.append(write_sums(out, written))
    except OSError as exc:
        raise ExportError(_("export.cannot_write", lang, path=out, error=exc.strerror or exc)) \
            from exc
    report(1.0, "step_zip")  # what remains: packing the files (or nothing, for the CLI)
    return written


SUMS = "SHA256SUMS"


def sha256_of(path: Path) -> str:
    """The file's SHA-256 in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_sums(folder: Path, paths: Iterable[Path]) -> Path:
    """``folder/SHA256SUMS``: one line per file, its SHA-256 in hex, two spaces, its name
    (relative to the folder), as ``sha256sum -c SHA256SUMS`` checks them in that folder."""
    lines = [f"{sha256_of(p)}  {p.relative_to(folder).as_posix()}\n" for p in paths
             if p.name != SUMS]
    path = folder / SUMS
    path.write_text("".join(lines), encoding="utf-8", newline="\n")
    return path


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
