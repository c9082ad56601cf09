"""Steering meetings: meetings, check-ins per target, decisions and actions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

A meeting belongs to one agreement and reviews one period (contract.md section 7). Until it
is closed its figures follow the data; closing writes ``meetings.frozen`` (JSON: every key
figure of the agreement and its clusters for the period, the rows they were computed from,
the actions as they stood) and the agreement's data version. Check-ins (one per target
and meeting), decisions (optionally tied to a target) and actions (owner, due date, done)
are rows of their own; open actions carry over to later meetings until done.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("held_on", sa.String(10), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("closed_at", sa.String(32), nullable=True),
        sa.Column("closed_by", sa.String(254), nullable=True),
        sa.Column("data_version", sa.String(64), nullable=True),
        sa.Column("frozen", sa.Text(), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_meetings_agreement", "meetings", ["agreement_id", "held_on"])

    op.create_table(
        "meeting_checkins",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer(),
                  sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kpi", sa.String(64), nullable=False),
        sa.Column("cluster_id", sa.String(64), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("assessment", sa.String(10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("written_by", sa.String(254), nullable=False),
        sa.Column("written_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("meeting_id", "kpi", "cluster_id", "party_id",
                            name="uq_meeting_checkins"),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "meeting_decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer(),
                  sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kpi", sa.String(64), nullable=False),
        sa.Column("cluster_id", sa.String(64), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("written_by", sa.String(254), nullable=False),
        sa.Column("written_at", sa.String(32), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_meeting_decisions_meeting_id", "meeting_decisions", ["meeting_id"])

    op.create_table(
        "meeting_actions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("meeting_id", sa.Integer(),
                  sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("decision_id", sa.Integer(),
                  sa.ForeignKey("meeting_decisions.id", ondelete="SET NULL"), nullable=True),
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due", sa.String(10), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_at", sa.String(32), nullable=True),
        sa.Column("done_by", sa.String(254), nullable=True),
        sa.Column("done_meeting_id", sa.Integer(), nullable=True),
        sa.Column("written_by", sa.String(254), nullable=False),
        sa.Column("written_at", sa.String(32), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_meeting_actions_meeting_id", "meeting_actions", ["meeting_id"])
    op.create_index("ix_meeting_actions_agreement", "meeting_actions",
                    ["agreement_id", "done"])


def downgrade() -> None:
    op.drop_index("ix_meeting_actions_agreement", table_name="meeting_actions")
    op.drop_index("ix_meeting_actions_meeting_id", table_name="meeting_actions")
    op.drop_table("meeting_actions")
    op.drop_index("ix_meeting_decisions_meeting_id", table_name="meeting_decisions")
    op.drop_table("meeting_decisions")
    op.drop_table("meeting_checkins")
    op.drop_index("ix_meetings_agreement", table_name="meetings")
    op.drop_table("meetings")
