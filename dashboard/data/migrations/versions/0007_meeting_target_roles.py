"""Check-ins and decisions name a target's staffing role.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08

Contract.md section 1 (``targets.role``, amended, issue 16): a staffing target may concern
one role only, so two targets may differ by their role alone (Krami's ``fte_actual`` of the
counsellor team and of the administrator). A meeting's check-in and decision name their
target with its role:

* ``meeting_checkins.role`` and ``meeting_decisions.role``: the role as compared (trimmed,
  case-insensitive), ``''`` for a target on all roles. Like ``cluster_id`` and
  ``party_id``, "none" is ``''`` and never NULL, since a unique constraint lets NULLs
  repeat (on SQLite and PostgreSQL alike). Stored rows get ``''``: they were written on
  targets of all roles (a check-in could not name a role before).
* The check-ins' unique constraint (one per target and meeting) includes the role; it is
  made anew in a batch (SQLite copies the table; PostgreSQL alters it in place).

``meeting_decisions`` gets its column in place, not in a batch: on SQLite a batch copies
the table and drops the old one, and with foreign keys on, dropping it would set every
action's ``decision_id`` to NULL (``ON DELETE SET NULL``). So both new columns keep their
server default ``''`` (as ``db.py`` declares it): taking it away again would need that copy.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LABEL = 100
# SQLite copies the table in a batch: keep AUTOINCREMENT (ids never handed out twice).
_AUTOINCREMENT = {"sqlite_autoincrement": True}


def upgrade() -> None:
    # A batch: on SQLite Alembic copies the table (a constraint cannot be altered in
    # place); on PostgreSQL, plain ALTER TABLE. Nothing refers to a check-in's id.
    with op.batch_alter_table("meeting_checkins", table_kwargs=_AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("role", sa.String(LABEL), nullable=False,
                                   server_default=""))
        batch.drop_constraint("uq_meeting_checkins", type_="unique")
        batch.create_unique_constraint(
            "uq_meeting_checkins", ["meeting_id", "kpi", "cluster_id", "party_id", "role"])
    # In place on both (SQLite adds a column with a constant default without a copy).
    op.add_column("meeting_decisions", sa.Column("role", sa.String(LABEL), nullable=False,
                                                 server_default=""))


def downgrade() -> None:
    # A check-in on one role has no place without roles (it would clash with another
    # role's, or the target on all roles): it goes. A decision keeps its text and key
    # figure, without the role.
    op.execute("DELETE FROM meeting_checkins WHERE role <> ''")
    with op.batch_alter_table("meeting_checkins", table_kwargs=_AUTOINCREMENT) as batch:
        batch.drop_constraint("uq_meeting_checkins", type_="unique")
        batch.create_unique_constraint(
            "uq_meeting_checkins", ["meeting_id", "kpi", "cluster_id", "party_id"])
        batch.drop_column("role")
    # SQLite (3.35 and later) and PostgreSQL drop a column in place.
    op.drop_column("meeting_decisions", "role")
