"""Who may write in meetings, and who is writing: the one place the meetings ask.

Members of an agreement write check-ins, decisions and actions in its meetings; viewers
read (contract section 8). Every write of the app goes through :func:`can_write` and
names its writer with :func:`who`; the command line runs with the server's rights.

Until accounts exist (the ``auth`` room), everyone who reaches the app may write (as
everyone may read: put a reverse proxy with the organisation's login in front, README
"Running for a team"), and the writer is the name they give in the edit panel.
"""

from __future__ import annotations

import getpass


def can_see(agreement_id: str | None, cluster_id: str | None = None) -> bool:
    """Whether the person asking may see the agreement's meetings."""
    return bool(agreement_id)


def can_write(agreement_id: str | None) -> bool:
    """Whether the person asking may write in the agreement's meetings."""
    return bool(agreement_id)


def who(claimed: str | None = None) -> str:
    """The name written beside what the person asking writes (``claimed``: the name typed
    in the edit panel, before accounts exist)."""
    return (claimed or "").strip()[:200]


def names_writer() -> bool:
    """Whether the edit panel asks for the writer's name (no accounts to name them)."""
    return True


def cli_writer(given: str | None = None) -> str:
    """The writer of a command: ``--by`` if given, else ``cli:<the server's user>``."""
    if given:
        return given.strip()[:200]
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name on this system
        return "cli"
