"""The pack of a steering meeting (``export --meeting``, and the app's button on a meeting).

The same pack as an agreement's (:mod:`.pack`: charts, Word document, deck, the minutes as
PDF, ``SHA256SUMS``), drawn from the
meeting's own figures: the frozen ones once it is closed (whatever has been imported or
undone since), the data as it is while it is open. The Word document adds, per target,
the computed status and the group's assessment side by side with the comment, who and
when, then the decisions and the actions table; the deck adds a "Sedan förra mötet" slide
and a "Beslut och åtgärder" slide. Small counts are hidden as in every export.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.export.contents import FORMATS, PackContents, Progress, contents_of_view
from dashboard.export.images import ExportError
from dashboard.export.pack import write_contents
from dashboard.i18n import _
from dashboard.meetings.record import load
from dashboard.meetings.service import shown


def meeting_contents(engine: Engine, meeting_id: int, lang: str = "sv", threshold: int = 5,
                     per_cluster: bool = False) -> PackContents:
    """What the meeting's pack shows; :class:`ExportError` when there is no such meeting
    (or an open meeting's agreement has no data any more)."""

    record = load(engine, meeting_id, lang)  # with its strips (frozen once closed)
    if record is None:
        raise ExportError(_("meetings.no_meeting", lang, id=shown(meeting_id)))
    if record.view is None:
        raise ExportError(_("export.meeting_no_data", lang, id=meeting_id))
    record.view.markers = record.markers()  # the decisions of the meetings before
    clusters = None
    if per_cluster and len(record.view.data.cluster_ids) >= 2:
        clusters = record.cluster_views()
    contents = contents_of_view(record.view, threshold, clusters)
    contents.meeting = record
    contents.trends = record.trends
    return contents


def write_meeting_pack(engine: Engine, meeting_id: int, out_dir: str | Path,
                       lang: str = "sv", threshold: int = 5,
                       progress: Progress | None = None,
                       on_browser: Callable[[int | None], None] | None = None, *,
                       formats: Iterable[str] = FORMATS,
                       per_cluster: bool = False) -> list[Path]:
    """Write the pack of meeting ``meeting_id`` into ``out_dir``; the paths written, in order.

    Stable for the app (the meeting page's pack button, through the job queue):

    * ``lang``: ``"sv"`` or ``"en"``; ``threshold``: counts from 1 to ``threshold - 1`` in
      breakdowns are hidden (``settings.suppression_threshold``);
    * ``progress(fraction, message)`` is called as the work goes on, ``on_browser(pid)``
      once the browser runs (as :func:`.pack.write_pack`);
    * ``formats``: any of png, svg, docx, pptx, pdf (default all); ``per_cluster``: one
      slide and chart per cluster as well.

    Files are named ``mote-<id>-<agreement>-<period>.docx`` (``meeting-…`` in English), the
    charts ``01-belaggning.png`` as in every pack, the minutes as PDF
    ``<agreement>-<meeting date>.pdf`` (contract section 10), and ``SHA256SUMS`` last.
    Raises :class:`ExportError` with a message for the user (no such meeting, no browser,
    a folder that cannot be written).
    """
    return write_contents(
        lambda: meeting_contents(engine, meeting_id, lang, threshold, per_cluster),
        out_dir, formats, lang, progress, on_browser)
