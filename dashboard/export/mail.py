"""The meeting's pre-read by e-mail: a short text and the minutes as PDF (contract section 10).

:func:`send_preread` builds the meeting's PDF (:mod:`.pdf`, through the meeting's pack),
writes the whole message first (what the meeting reviews, the targets whose status changed
since the meeting before, the open and overdue actions, the attached PDF's SHA-256 and how
to check it), then sends it in **one** SMTP transaction: every recipient is asked for
before the message is given, and if the server refuses any of them the transaction is
reset and nobody gets it. A server that cannot be reached, refuses the sign-in or the
message is a :class:`MailError` with a message for the user; nothing was sent then. The
server is reached once before the PDF is drawn (:func:`probe`: greeted, signed in, left),
so that one that is down is said at once rather than after the drawing.

The server is ``SMTP_HOST`` / ``SMTP_PORT`` (``SMTP_USER``, ``SMTP_PASSWORD``,
``SMTP_STARTTLS=1``, ``SMTP_FROM``: :mod:`dashboard.config`). Addresses go through the one
check of typed text (:func:`dashboard.domain.typed.clean_address`). Every sending is in
the audit log (``meeting_preread_sent``: who, the number of recipients, the PDF's sum).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.config import Settings
from dashboard.domain.periods import parse_period_or_none
from dashboard.domain.typed import TextRefused, clean_address, echo
from dashboard.export.contents import Progress, effect_lines, target_name
from dashboard.export.images import ExportError
from dashboard.export.meeting import write_meeting_pack
from dashboard.export.pack import sha256_of
from dashboard.i18n import _, period_label, status_label
from dashboard.meetings import store as meeting_store
from dashboard.meetings.record import MeetingRecord, load
from dashboard.meetings.rights import audit_source
from dashboard.meetings.service import shown
from dashboard.model.series import cluster_names, party_names
from dashboard.people import audit

TIMEOUT = 20  # seconds to wait for the server at each step
MAX_RECIPIENTS = 50


class MailError(Exception):
    """Why the pre-read was not sent (a message for the user); nothing was sent."""


@dataclass(frozen=True)
class Sent:
    """A pre-read sent: to whom, the PDF's name and SHA-256."""

    recipients: tuple[str, ...]
    pdf_name: str
    sha256: str
    subject: str


def recipients(typed: Iterable[str | None], lang: str = "sv") -> list[str]:
    """The addresses as the one check of typed text gives them (each once); a
    :class:`MailError` naming the first that is not an address, or when there is none."""
    out: list[str] = []
    for value in typed:
        for part in str(value or "").replace(";", ",").replace("\n", ",").split(","):
            if not part.strip():
                continue
            try:
                address = clean_address(part)
            except TextRefused as exc:
                if exc.code == "identity_number":
                    raise MailError(_("export.mail.identity_number", lang)) from exc
                raise MailError(_("export.mail.not_address", lang,
                                  address=echo(part.strip(), 80))) from exc
            if address.lower() not in (a.lower() for a in out):
                out.append(address)
    if not out:
        raise MailError(_("export.mail.no_recipients", lang))
    if len(out) > MAX_RECIPIENTS:
        raise MailError(_("export.mail.too_many", lang, n=MAX_RECIPIENTS))
    return out


# --------------------------------------------------------------------------- the text


def subject_of(record: MeetingRecord, lang: str) -> str:
    m = record.meeting
    name = record.view.agreement_name if record.view is not None else m.agreement_id
    return _("export.mail.subject", lang, agreement=name, date=m.held_on)


def body_of(record: MeetingRecord, lang: str, pdf_name: str, sha256: str) -> str:
    """The pre-read's text: what the meeting reviews, the targets whose status changed
    since the meeting before, the open and overdue actions, the PDF and its sum."""
    m, view = record.meeting, record.view
    data = view.data if view is not None else None
    parties = party_names(data) if data is not None else {}
    clusters = cluster_names(data) if data is not None else {}
    name = view.agreement_name if view is not None else m.agreement_id
    period = view.period_text if view is not None else m.period
    lines = [_("export.mail.greeting", lang), "",
             _("export.mail.intro", lang, agreement=name, date=m.held_on,
               title=f" ({m.title})" if m.title else ""),
             _("export.mail.reviews", lang, period=period), ""]

    since = record.since()
    lines.append(_("export.mail.changed", lang))
    if since is None:
        lines.append(f"  {_('meetings.first_meeting', lang)}")
    else:
        lines.append(f"  {_('meetings.since_intro', lang, date=since.previous.held_on, title=since.previous.title or '–', period=_period(since.previous.period, lang))}")  # noqa: E501
        for row in since.changed:
            then = status_label(row.then.status, lang, row.then.comparator) if row.then else "–"
            now = status_label(row.now.status, lang, row.now.comparator) if row.now else "–"
            lines.append(f"  - {target_name(row.key, parties, clusters, lang)}: {then} → {now}")
        if not since.changed:
            lines.append(f"  {_('meetings.no_changes', lang)}")
    lines.append("")
    effects = effect_lines(record, lang)
    if effects:
        lines.append(f"{_('meetings.effects', lang)}:")
        lines += [f"  - {line}" for line in effects]
        lines.append("")

    lines.append(_("export.mail.open_actions", lang))
    open_actions = [a for a in record.actions if not a.done]
    for a in open_actions:
        late = f" – {_('meetings.overdue', lang)}" if record.is_overdue(a) else ""
        lines.append(f"  - {a.text} ({a.owner}, {_('meetings.due', lang).lower()} {a.due}){late}")
    if not open_actions:
        lines.append(f"  {_('meetings.no_open_actions', lang)}")
    lines += ["", _("export.mail.attached", lang, name=pdf_name),
              _("export.mail.sha256", lang, sum=sha256),
              _("export.mail.check", lang, name=pdf_name), "",
              _("export.mail.signature", lang)]
    return "\n".join(lines) + "\n"


def _period(text: str, lang: str) -> str:
    period = parse_period_or_none(text)
    return period_label(period, lang) if period is not None else text


# --------------------------------------------------------------------------- the message


def sender(settings: Settings) -> str:
    """``SMTP_FROM``, else ``SMTP_USER`` when it is an address, else dashboard@<host>."""
    if settings.smtp_from:
        return settings.smtp_from
    if settings.smtp_user and "@" in settings.smtp_user:
        return settings.smtp_user
    return f"dashboard@{socket.gethostname() or 'localhost'}"


def build_message(record: MeetingRecord, pdf: Path, to: list[str], settings: Settings,
                  lang: str) -> tuple[EmailMessage, str]:
    """The whole message (text and the PDF attached) and the PDF's SHA-256."""
    sha256 = sha256_of(pdf)
    message = EmailMessage()
    frm = sender(settings)
    message["Subject"] = subject_of(record, lang)
    message["From"] = frm
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=frm.rsplit("@", 1)[-1] or "localhost")
    message.set_content(body_of(record, lang, pdf.name, sha256), charset="utf-8")
    message["Content-Language"] = "sv" if lang == "sv" else "en"  # the text's part
    message.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                           filename=pdf.name)
    return message, sha256


def _server(settings: Settings) -> tuple[str, int, str]:
    host = settings.smtp_host or ""
    port = settings.smtp_port or (587 if settings.smtp_starttls else 25)
    return host, port, f"{host}:{port}"


def _open(smtp: smtplib.SMTP, settings: Settings) -> None:
    """Greet the server, encrypt (``SMTP_STARTTLS``) and sign in (``SMTP_USER``)."""
    smtp.ehlo_or_helo_if_needed()
    if settings.smtp_starttls:
        smtp.starttls(context=ssl.create_default_context())
        smtp.ehlo()
    if settings.smtp_user:
        smtp.login(settings.smtp_user, settings.smtp_password or "")


def _talk(settings: Settings, lang: str, conversation: Callable[[smtplib.SMTP], None]) -> None:
    """A connection to the server for ``conversation``; its failures as :class:`MailError`."""
    if not settings.smtp_host:
        raise MailError(_("export.mail.no_server", lang))
    host, port, where = _server(settings)
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT) as smtp:
            _open(smtp, settings)
            conversation(smtp)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(_("export.mail.login_refused", lang, server=where,
                          answer=_answer(exc.smtp_code, exc.smtp_error))) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(_("export.mail.refused", lang, server=where,
                          answer=_answer(exc.smtp_code, exc.smtp_error))) from exc
    except (OSError, smtplib.SMTPException) as exc:  # no answer, a lost connection, TLS
        raise MailError(_("export.mail.unreachable", lang, server=where,
                          error=str(exc) or type(exc).__name__)) from exc


def probe(settings: Settings, lang: str = "sv") -> None:
    """Reach the server, greet it and sign in, then leave, sending nothing: a server that
    cannot be reached is said before the PDF is drawn (seconds), not after."""
    _talk(settings, lang, lambda smtp: None)


def send(message: EmailMessage, to: list[str], settings: Settings, lang: str = "sv") -> None:
    """Send ``message`` to ``to`` in one SMTP transaction: every recipient accepted before
    the message is given, else nothing is sent. :class:`MailError` says why not."""
    _h, _p, where = _server(settings)
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))

    def transaction(smtp: smtplib.SMTP) -> None:
        code, answer = smtp.mail(str(message["From"]))
        if code != 250:
            smtp.rset()
            raise MailError(_("export.mail.refused", lang, server=where,
                              answer=_answer(code, answer)))
        for address in to:
            code, answer = smtp.rcpt(address)
            if code not in (250, 251):
                smtp.rset()  # the transaction ends here: nobody gets the message
                raise MailError(_("export.mail.recipient_refused", lang, address=address,
                                  answer=_answer(code, answer)))
        smtp.data(data)

    _talk(settings, lang, transaction)


def _answer(code, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def send_preread(engine: Engine, meeting_id: int, to: Iterable[str], settings: Settings,
                 lang: str = "sv", progress: Progress | None = None,
                 on_browser: Callable[[int | None], None] | None = None, *,
                 actor: str | None = None, address: str | None = None) -> Sent:
    """Build the meeting's PDF and send the pre-read to ``to``; what was sent.

    Raises :class:`MailError` (no server set, an address that is none, the server not
    reached or refusing: nothing sent) or :class:`ExportError` (no such meeting, no
    browser for the charts). ``actor``/``address``: who asked, for the audit log (default:
    the person asking now, or the command line)."""
    wanted = recipients(to, lang)
    if meeting_store.get_meeting(engine, meeting_id) is not None:
        probe(settings, lang)  # before the record is read, the charts and the PDF drawn
    record = load(engine, meeting_id, lang)
    if record is None:
        raise ExportError(_("meetings.no_meeting", lang, id=shown(meeting_id)))
    with tempfile.TemporaryDirectory(prefix="preread-") as tmp:
        paths = write_meeting_pack(engine, meeting_id, tmp, lang,
                                   settings.suppression_threshold, progress=progress,
                                   on_browser=on_browser, formats=["pdf"])
        pdf = next(p for p in paths if p.suffix == ".pdf")
        message, sha256 = build_message(record, pdf, wanted, settings, lang)
        if progress is not None:
            progress(0.98, _("export.mail.sending", lang))
        send(message, wanted, settings, lang)
    if actor is None:
        actor, address = audit_source()
    audit.record(engine, "meeting_preread_sent", actor=actor, address=address,
                 agreement=record.meeting.agreement_id, obj=str(meeting_id),
                 detail={"recipients": len(wanted), "sha256": sha256})
    return Sent(tuple(wanted), pdf.name, sha256, str(message["Subject"]))
