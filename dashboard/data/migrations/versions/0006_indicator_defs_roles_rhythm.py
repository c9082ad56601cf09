"""Indicator definitions, staffing roles in targets, the steering group's rhythm.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

Contract.md section 1 (amended, issue 16):

* ``indicator_defs`` (new table): how an indicator reads, per agreement and indicator: the
  name users see, its unit (``count``, ``share``, ``number``, ``sek``) and how periods
  inside a longer period combine (``sum``, ``mean``, ``last``).
* ``targets.role``: an FTE target on one staffing role only (``''``: all roles). It is
  part of the targets' key, so the key's unique constraint is made anew; stored targets
  get ``''`` (all roles), as they meant.
* ``agreements.meetings_per_year``: the steering group's agreed rhythm (optional).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = 64
LABEL = 100
# SQLite copies the table in a batch: keep AUTOINCREMENT (ids never handed out twice).
_AUTOINCREMENT = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("agreements") as batch:
        batch.add_column(sa.Column("meetings_per_year", sa.Integer(), nullable=True))

    # A batch: on SQLite Alembic copies the table (a constraint cannot be altered in
    # place); on PostgreSQL, plain ALTER TABLE.
    with op.batch_alter_table("targets", table_kwargs=_AUTOINCREMENT) as batch:
        batch.add_column(sa.Column("role", sa.String(LABEL), nullable=False,
                                   server_default=""))
        batch.drop_constraint("uq_targets_key", type_="unique")
        batch.create_unique_constraint(
            "uq_targets_key",
            ["agreement_id", "cluster_id", "party_id", "role", "kpi", "valid_from"])
    # The column's default was only for the rows already stored; the code writes it.
    with op.batch_alter_table("targets", table_kwargs=_AUTOINCREMENT) as batch:
        batch.alter_column("role", server_default=None, existing_type=sa.String(LABEL),
                           existing_nullable=False)

    op.create_table(
        "indicator_defs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("indicator", sa.String(ID), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(ID), nullable=True),
        sa.Column("aggregate", sa.String(ID), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.UniqueConstraint("agreement_id", "indicator", name="uq_indicator_defs_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_indicator_defs_import_id", "indicator_defs", ["import_id"])
    op.create_index("ix_indicator_defs_agreement", "indicator_defs", ["agreement_id"])


def downgrade() -> None:
    op.drop_index("ix_indicator_defs_agreement", table_name="indicator_defs")
    op.drop_index("ix_indicator_defs_import_id", table_name="indicator_defs")
    op.drop_table("indicator_defs")
    # A target on one role has no place without roles (it would clash with the target on
    # all roles): it goes.
    op.execute("DELETE FROM targets WHERE role <> ''")
    with op.batch_alter_table("targets", table_kwargs=_AUTOINCREMENT) as batch:
        batch.drop_constraint("uq_targets_key", type_="unique")
        batch.create_unique_constraint(
            "uq_targets_key", ["agreement_id", "cluster_id", "party_id", "kpi", "valid_from"])
        batch.drop_column("role")
    with op.batch_alter_table("agreements") as batch:
        batch.drop_column("meetings_per_year")
