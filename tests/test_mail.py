"""The meeting's pre-read by e-mail (contract section 10), against a real SMTP server.

A real server (aiosmtpd) listens on a free port of this machine for the module; it keeps
what it receives and refuses the address ``refuse@example.se`` (550), as a server refuses
an unknown mailbox. ``python -m dashboard mail`` runs in this process (the PDF drawn with
the machine's Chromium and WeasyPrint, no mocks), and the tests read what the server
received: the envelope, the subject, the Swedish text, the attached PDF and its SHA-256,
the one in the text. An unreachable server, a refused recipient and addresses that are
none are a message and an exit code, and nothing is sent.

Krami Stockholm 2023 (data/demo/krami-stockholm-2023.xlsx): the meeting of 2023-10-20
reviewed 2023-Q3, when occupancy was 71,0 (Jul–Sep) against at least 80, not met; the
meeting of 2024-01-25 reviews 2023-Q4, 86,3, met. The first meeting's action (due
2023-11-30, not done) is open and overdue at the second.
"""

from __future__ import annotations

import email
import hashlib
import io
import re
import socket
from contextlib import redirect_stderr, redirect_stdout
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

import dashboard.meetings as meetings
from dashboard.cli.main import main
from dashboard.config import load_settings
from dashboard.data import repository
from dashboard.data.db import make_engine
from dashboard.data.ingest import import_dataset
from dashboard.domain.typed import TextRefused, addresses_in, clean_address
from dashboard.export import mail
from dashboard.export.images import find_browser
from dashboard.people import store as people_store
from tests.needs import missing
from tests.test_meetings import KRAMI, WORKBOOK

ATTENDEES = "Anna Andersson (AF) <anna@example.se>\nBo Berg (KV) <bo.berg@example.se>"
REFUSED = "refuse@example.se"


class Inbox:
    """What the server received: (sender, recipients, bytes) per message."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def meeting(tmp_path_factory):
    """Krami's workbook; the meeting of 2023-10-20 (closed, with an action) and the one of
    2024-01-25 with its attendees' addresses."""
    url = f"sqlite:///{tmp_path_factory.mktemp('mail') / 'krami.sqlite'}"
    engine = make_engine(url)
    repository.ensure_schema(engine)
    assert import_dataset(engine, WORKBOOK).ok
    first = meetings.create(engine, KRAMI, "2023-Q3", "2023-10-20", title="Styrgrupp oktober",
                            by="Anna Andersson")
    meetings.decide(engine, first, "Fler anvisningar från KV", meetings.TargetKey("occupancy"),
                    ("Träffa frivården om anvisningar", "KV", "2023-11-30"), by="Anna Andersson")
    meetings.close(engine, first, "Anna Andersson")
    mid = meetings.create(engine, KRAMI, "2023-Q4", "2024-01-25", title="Styrgrupp januari",
                          attendees=ATTENDEES, by="Anna Andersson")
    meetings.decide(engine, mid, "Ny rutin för remisser", None,
                    ("Skriv rutinen", "AF", "2099-02-15"), by="Bo Berg")
    yield url, engine, mid
    engine.dispose()


def run(url: str, *args: str, **env: str) -> tuple[int, str, str]:
    """``python -m dashboard ARGS`` in this process, with these settings."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DATABASE_URL", url)
        for name in ("DASHBOARD_LANG", "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD",
                     "SMTP_STARTTLS", "SMTP_FROM"):
            mp.delenv(name, raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        with redirect_stdout(out), redirect_stderr(err):
            code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def sent(server, meeting):
    """The pre-read sent once to the two attendees."""
    if find_browser() is None:
        missing("no Chrome or Chromium for kaleido: apt-get install chromium", "the mail tests")
    inbox, port = server
    url, _engine, mid = meeting
    before = len(inbox.received)
    result = run(url, "mail", "--meeting", str(mid), "--to", "anna@example.se",
                 "--to", "Bo.Berg@EXAMPLE.se", SMTP_HOST="127.0.0.1", SMTP_PORT=str(port),
                 SMTP_FROM="styrgrupp@example.se")
    return result, inbox.received[before:]


def test_the_pre_read_arrives_with_the_pdf_and_its_sum(sent, meeting):
    (code, stdout, stderr), received = sent
    assert code == 0, stderr
    assert len(received) == 1  # one message, one transaction, to both
    sender, rcpt, raw = received[0]
    assert sender == "styrgrupp@example.se"
    assert rcpt == ["anna@example.se", "Bo.Berg@example.se"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == ("Förhandsmaterial: Krami Stockholm 2023 – styrgruppens möte "
                                  "2024-01-25")
    assert message["To"] == "anna@example.se, Bo.Berg@example.se"
    text = message.get_body(("plain",))
    assert text["Content-Language"] == "sv"
    body = text.get_content()
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [f"{KRAMI}-2024-01-25.pdf"]
    pdf = attachments[0].get_content()
    assert attachments[0].get_content_type() == "application/pdf" and pdf[:5] == b"%PDF-"
    digest = hashlib.sha256(pdf).hexdigest()
    assert f"Filens SHA-256: {digest}" in body.splitlines()
    assert stdout.splitlines() == [
        "Förhandsmaterialet är skickat till anna@example.se, Bo.Berg@example.se (2 st.).",
        f"Bifogad PDF: {KRAMI}-2024-01-25.pdf, SHA-256 {digest}"]

    lines = body.splitlines()
    assert lines[0] == "Hej!"
    assert ("Här är underlaget inför styrgruppens möte 2024-01-25 (Styrgrupp januari) för "
            "Krami Stockholm 2023: protokollet som PDF, bifogat.") in lines
    assert "Mötet följer upp perioden okt–dec 2023 (kv. 4)." in lines
    changed = lines.index("Mål som bytt status sedan förra mötet:")
    assert lines[changed + 1] == ("  Förra mötet: 2023-10-20, Styrgrupp oktober "
                                  "(jul–sep 2023 (kv. 3)).")
    assert "  - Beläggning: ✖ Ej uppnått → ✔ Uppnått" in lines[changed:]
    actions = lines.index("Öppna och försenade åtgärder:")
    assert lines[actions + 1:actions + 3] == [
        "  - Träffa frivården om anvisningar (KV, klart senast 2023-11-30) – ⚠ Försenad",
        "  - Skriv rutinen (AF, klart senast 2099-02-15)"]
    assert f"sha256sum {KRAMI}-2024-01-25.pdf" in body
    # Swedish throughout: none of the English text's words.
    assert not re.search(r"\b(the|meeting|Attached|Targets|actions)\b", body)

    # In the audit log: who sent it (the command line), to how many, the PDF's sum.
    _url, engine, mid = meeting
    entry = people_store.audit_entries(engine, 1, action="meeting_preread_sent")[0]
    assert entry["actor"].startswith("cli") and entry["object"] == str(mid)
    assert entry["agreement_id"] == KRAMI
    assert f'"sha256": "{digest}"' in entry["detail"] and '"recipients": 2' in entry["detail"]


def test_an_unreachable_server_is_a_message_and_nothing_is_sent(server, meeting):
    """Nothing listens on the port: said before anything is drawn, exit 1, no traceback,
    nothing in the server's inbox or the audit log."""
    inbox, _port = server
    url, engine, mid = meeting
    port = free_port()
    received, logged = len(inbox.received), people_store.audit_count(
        engine, action="meeting_preread_sent")
    code, stdout, stderr = run(url, "mail", "--meeting", str(mid), "--to", "anna@example.se",
                               SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    assert code == 1 and stdout == ""
    assert stderr.startswith(f"Kunde inte nå e-postservern 127.0.0.1:{port} (")
    assert stderr.rstrip().endswith("Inget skickades.") and "Traceback" not in stderr
    assert len(inbox.received) == received
    assert people_store.audit_count(engine, action="meeting_preread_sent") == logged
    code, _, stderr = run(url, "--lang", "en", "mail", "--meeting", str(mid), "--to",
                          "anna@example.se", SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    assert code == 1 and stderr.startswith(f"Could not reach the mail server 127.0.0.1:{port}")


def test_a_refused_recipient_means_nobody_gets_it(server):
    """One transaction: the server refuses the second recipient, the transaction is reset
    before the message is given, and the first gets nothing either."""
    inbox, port = server
    settings = load_settings({"smtp_host": "127.0.0.1", "smtp_port": port})
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.se", "b@example.se", "x"
    message.set_content("x")
    received = len(inbox.received)
    with pytest.raises(mail.MailError) as refused:
        mail.send(message, ["anna@example.se", REFUSED], settings)
    assert str(refused.value) == (f"E-postservern tog inte emot mottagaren {REFUSED} (550 5.1.1 "
                                  "No such mailbox). Inget skickades.")
    assert len(inbox.received) == received
    mail.send(message, ["anna@example.se"], settings)  # the same server takes a good one
    assert inbox.received[-1][1] == ["anna@example.se"]


@pytest.mark.parametrize("to, message", [
    (["anna@example.se", "inte en adress"], "”inte en adress” är ingen e-postadress."),
    (["anna@example.se\nBcc: eve@example.se"], "”Bcc: eve@example.se” är ingen e-postadress."),
    (["121212-1212@example.se"], "En adress ser ut att innehålla ett personnummer (visas inte)."),
])
def test_addresses_that_are_none_are_refused_before_anything(meeting, to, message):
    url, _engine, mid = meeting
    args = [a for address in to for a in ("--to", address)]
    code, stdout, stderr = run(url, "mail", "--meeting", str(mid), *args,
                               SMTP_HOST="127.0.0.1", SMTP_PORT="1")
    assert code == 2 and stdout == "" and stderr.startswith(message)
    assert "121212" not in stderr and "Traceback" not in stderr


def test_no_server_set_and_no_such_meeting_are_messages(meeting):
    url, _engine, mid = meeting
    code, _, stderr = run(url, "mail", "--meeting", str(mid), "--to", "anna@example.se")
    assert code == 1 and stderr.startswith("Ingen e-postserver är inställd: sätt SMTP_HOST")
    code, _, stderr = run(url, "mail", "--meeting", "999", "--to", "anna@example.se",
                          SMTP_HOST="127.0.0.1")
    assert code == 1 and stderr.strip() == "Mötet 999 finns inte."


def test_the_one_check_of_typed_text_finds_and_checks_addresses():
    assert addresses_in(ATTENDEES) == ["anna@example.se", "bo.berg@example.se"]
    assert addresses_in("Anna (a@b) och cecilia@Kommun.SE; cecilia@kommun.se.") == [
        "cecilia@kommun.se"]
    assert clean_address("  Anna.Berg@Kommun.SE ") == "Anna.Berg@kommun.se"
    for text in ("a@b", "a b@c.se", "a..b@c.se", '"a"@c.se', "a@b.se,c@d.se", "x" * 250 + "@b.se"):
        with pytest.raises(TextRefused):
            clean_address(text)
    with pytest.raises(TextRefused) as refused:
        clean_address("811218.9876@kommun.se")
    assert refused.value.code == "identity_number"
