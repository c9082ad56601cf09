"""``python -m dashboard mail --meeting M --to ADDRESS [--to ADDRESS ...]`` (contract section 10).

Sends the meeting's pre-read: a short text (what the meeting reviews, the targets whose
status changed since the meeting before, the open and overdue actions, the PDF's SHA-256)
with the minutes as PDF attached, through the SMTP server of ``SMTP_HOST`` / ``SMTP_PORT``
(:mod:`dashboard.export.mail`). Prints to whom it went and the PDF's SHA-256.

Exit codes: 0 sent; 1 not sent (no such meeting, no server set, the server not reached or
refusing a recipient: nothing is sent then), 2 wrong usage (an address that is none).
Messages in Swedish, or English with ``--lang en``; never a traceback.
"""

from __future__ import annotations

import logging
import sys

from dashboard.config import Settings
from dashboard.export.images import ExportError, require_browser
from dashboard.export.mail import MailError, recipients, send_preread
from dashboard.i18n import _
from dashboard.meetings import MeetingError, get

log = logging.getLogger(__name__)


def add_parser(sub, meeting_id) -> None:
    m = sub.add_parser("mail", help="e-mail a meeting's pre-read (a short text and the "
                                    "minutes as PDF) through SMTP_HOST")
    m.add_argument("--meeting", required=True, type=meeting_id)
    m.add_argument("--to", action="append", required=True, metavar="ADDRESS",
                   help="a recipient (repeat for more)")


def run_mail(engine, args, lang: str, settings: Settings) -> int:
    """The ``mail`` command; returns the exit code."""
    try:
        to = recipients(args.to, lang)
    except MailError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        get(engine, args.meeting)  # no such meeting: said before anything is drawn
    except MeetingError as exc:
        print(exc.message(lang), file=sys.stderr)
        return 1
    if not settings.smtp_host:
        print(_("export.mail.no_server", lang), file=sys.stderr)
        return 1
    try:
        require_browser(lang)
        sent = send_preread(engine, args.meeting, to, settings, lang)
    except (MailError, ExportError) as exc:
        print(exc, file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - a message, never a traceback
        log.debug("mail failed", exc_info=True)
        print(_("export.mail.failed", lang, error=exc), file=sys.stderr)
        return 1
    print(_("cli.mail.sent", lang, n=len(sent.recipients), to=", ".join(sent.recipients)))
    print(_("cli.mail.sum", lang, name=sent.pdf_name, sum=sent.sha256))
    return 0
