"""Forecasts to target, switchable per agreement.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Issue 19 (part 2): ``agreements.forecast`` (optional, ``yes`` or ``no``; NULL means yes):
whether the agreement's views show a forecast to the end of a period in progress for its
targets of counts and shares. Stored agreements keep NULL, so they show forecasts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = 64
# SQLite copies the table in a batch: keep AUTOINCREMENT (ids never handed out twice).
_AUTOINCREMENT = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("agreements", table_kwargs=_AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("forecast", sa.String(ID), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agreements", table_kwargs=_AUTOINCREMENT) as batch:
        batch.drop_column("forecast")
