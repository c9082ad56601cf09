"""Agreements' kind and municipalities (contract.md section 1; main at e81db3f).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

``agreements.kind``: what sort of agreement, a short code (``krami``, ``lok``, ``unga``);
``agreements.municipalities``: SCB municipality codes separated by ``;``. Both optional:
agreements stored before stay as they are, with neither.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A batch: on SQLite Alembic alters the table in place where SQLite can (adding a
    # nullable column) and copies it where it cannot; on PostgreSQL, plain ALTER TABLE.
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("kind", sa.String(64), nullable=True))
        batch.add_column(sa.Column("municipalities", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("municipalities")
        batch.drop_column("kind")
