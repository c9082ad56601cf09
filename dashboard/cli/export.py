"""``python -m dashboard export``: write the meeting pack of an agreement and period, or of
a steering meeting.

``--agreement ID --period P [--cluster ID] --out DIR [--format png,svg,docx,pptx,pdf]
[--per-cluster]``, or ``--meeting ID --out DIR [--format ...] [--per-cluster]`` (contract
section 7: the meeting's own figures, frozen once it is closed, with its check-ins,
decisions and actions; section 10: the minutes as a tagged PDF/A, a meeting's named
``<agreement>-<meeting date>.pdf``, and ``SHA256SUMS`` in every pack). Prints every file
written; exits 0, or non-zero with a message (in Swedish, or English with ``--lang en``)
and never a traceback: 1 when the export cannot
be made (unknown agreement, no browser for the images, a folder that cannot be written),
2 for wrong usage (a period or format that does not exist).
"""

from __future__ import annotations

import logging
import sys
import time

from dashboard.cli.common import resolve
from dashboard.config import Settings
from dashboard.export.images import ExportError, require_browser
from dashboard.export.pack import parse_formats, write_pack
from dashboard.i18n import _, fmt_number

log = logging.getLogger(__name__)


def run_export(engine, args, lang: str, settings: Settings) -> int:
    """The ``export`` command; returns the exit code."""
    try:
        formats = parse_formats(args.format or "", lang)
    except ExportError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    meeting_id = getattr(args, "meeting", None)
    if meeting_id is not None:
        if args.agreement or args.period or args.cluster:
            print(_("export.meeting_alone", lang), file=sys.stderr)
            return 2
        from dashboard.meetings import MeetingError, get

        try:
            get(engine, meeting_id)  # no such meeting: said before looking for a browser
        except MeetingError as exc:
            print(exc.message(lang), file=sys.stderr)
            return 1
        write = _meeting_writer(engine, meeting_id, args, formats, lang, settings)
    else:
        if not (args.agreement and args.period):
            print(_("export.agreement_or_meeting", lang), file=sys.stderr)
            return 2
        __, period, error = resolve(engine, args.agreement, args.period, args.cluster, lang)
        if error:
            print(error[0], file=sys.stderr)
            return error[1]

        def write():
            return write_pack(engine, args.agreement, args.period, args.cluster, args.out,
                              formats, lang, settings.suppression_threshold,
                              per_cluster=getattr(args, "per_cluster", False))
    started = time.perf_counter()
    try:
        require_browser(lang)  # before anything is written: every format needs the images
        paths = write()
    except ExportError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a message, never a traceback
        log.debug("export failed", exc_info=True)
        print(_("export.failed", lang, error=exc), file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    seconds = fmt_number(time.perf_counter() - started, 1, lang)
    print(_("export.written", lang, n=len(paths), out=args.out, seconds=seconds))
    return 0


def _meeting_writer(engine, meeting_id: int, args, formats: list[str], lang: str,
                    settings: Settings):
    from dashboard.export.meeting import write_meeting_pack

    def write():
        return write_meeting_pack(engine, meeting_id, args.out, lang,
                                  settings.suppression_threshold, formats=formats,
                                  per_cluster=getattr(args, "per_cluster", False))
    return write
