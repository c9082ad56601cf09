"""Municipal statistics from Kolada.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Contract.md section 9 (amended, issue 19): ``kolada_values`` holds the values of Kolada's
API v3 (``kolada import`` of saved responses, ``kolada fetch``): per key figure (``N03937``),
municipality (SCB code, ``0000`` for the country), year and gender (``T``, ``K``, ``M``),
the value (NULL where Kolada publishes nothing), when it was imported or fetched and from
where. One row per key; a changed value is written as a new row, so the newest id tells
what is computed from the values that they changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kolada_values",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kpi", sa.String(16), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("fetched_at", sa.String(32), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.UniqueConstraint("kpi", "municipality", "period", "gender",
                            name="uq_kolada_values"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_kolada_values_municipality", "kolada_values",
                    ["municipality", "kpi"])


def downgrade() -> None:
    op.drop_index("ix_kolada_values_municipality", table_name="kolada_values")
    op.drop_table("kolada_values")
