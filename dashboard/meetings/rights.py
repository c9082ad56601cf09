"""Who may write in meetings, and who is writing: the one place the meetings ask.

Members of an agreement (and stewards, and admins) write check-ins, decisions and actions
in its meetings; viewers read (contract section 8, :data:`dashboard.people.rights.WRITE`).
In the app the person asking is the signed-in one (:mod:`dashboard.access`); the command
line runs with the server's rights and signs what it writes ``--by`` or ``cli:<user>``.
Outside a request (the command line, a test) everything may be seen and written.
"""

from __future__ import annotations

from flask import has_request_context

from dashboard.access import client_address, current_rights, current_user
from dashboard.people.audit import cli_actor
from dashboard.people.rights import WRITE


def _rights():
    """The rights of the person asking, or None outside a request (the server's rights)."""
    if not has_request_context():
        return None

    return current_rights()


def can_see(agreement_id: str | None, cluster_id: str | None = None) -> bool:
    """Whether the person asking may see the agreement's meetings (a cluster's viewer sees
    no meetings: they hold the whole agreement's figures)."""
    rights = _rights()
    if rights is None:
        return bool(agreement_id)
    return rights.sees_agreement(agreement_id)


def can_write(agreement_id: str | None) -> bool:
    """Whether the person asking may write in the agreement's meetings (members and up)."""

    rights = _rights()
    if rights is None:
        return bool(agreement_id)
    return bool(agreement_id) and rights.may(WRITE, agreement_id)


def who(claimed: str | None = None) -> str:
    """The name written beside what the person asking writes: the signed-in person's name
    (their login when they have none); ``claimed`` only outside a request."""
    if has_request_context():

        user = current_user()
        if user is not None:
            return (user.name or user.login)[:200]
    return (claimed or "").strip()[:200]


def names_writer() -> bool:
    """Whether the edit panel must ask for the writer's name (nobody signed in)."""
    if not has_request_context():
        return True

    return current_user() is None


def cli_writer(given: str | None = None) -> str:
    """The writer of a command: ``--by`` if given, else ``cli:<the server's user>`` (as the
    audit log names the command line)."""

    if given:
        return given.strip()[:200]
    return cli_actor()


def audit_source() -> tuple[str, str | None]:
    """Who writes and from where, as the audit log names them: the signed-in person's
    login and their address in a request; ``cli:<user>`` and no address outside one (the
    command line), whatever ``--by`` says."""
    if has_request_context():
        user = current_user()
        return (user.actor if user is not None else "?"), client_address()
    return cli_actor(), None
