"""The schema as released (main at 820dc35), before migrations existed.

Revision ID: 0001
Revises:
Create Date: 2026-11-30

Ten data tables of contract.md section 1 (a surrogate ``id``, the ``import_id`` that
wrote the row, blank optional key columns stored as '' so that the unique key works the
same everywhere, ``<column>_unit`` beside numbers that may be percentages) and the
bookkeeping of imports (``imports``, ``import_agreements``, ``import_backup``).

Written out in full, as it was: later changes come as later revisions. A database made
before migrations existed holds exactly these tables and is stamped 0001 (see
dashboard/data/migrations/__init__.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = 64  # short codes
LABEL = 100  # target group, role, cost category
MONTH = 7  # YYYY-MM (also a period: YYYY, YYYY-Hn, YYYY-Qn, YYYY-MM)
DATE = 10  # YYYY-MM-DD


def _row_columns() -> list[sa.Column]:
    """The two columns every data table starts with."""
    return [sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
            sa.Column("import_id", sa.Integer(), nullable=False)]


def upgrade() -> None:
    # AUTOINCREMENT on SQLite: an id is never handed out twice (like a PostgreSQL
    # sequence), so that undoing an import puts rows back with their old ids.
    op.create_table(
        "agreements", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.String(DATE), nullable=False),
        sa.Column("valid_to", sa.String(DATE), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.UniqueConstraint("agreement_id", name="uq_agreements_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_agreements_import_id", "agreements", ["import_id"])

    op.create_table(
        "parties", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("party_id", sa.String(ID), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.UniqueConstraint("agreement_id", "party_id", name="uq_parties_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_parties_import_id", "parties", ["import_id"])
    op.create_index("ix_parties_agreement", "parties", ["agreement_id"])

    op.create_table(
        "clusters", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("cluster_id", sa.String(ID), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.UniqueConstraint("agreement_id", "cluster_id", name="uq_clusters_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_clusters_import_id", "clusters", ["import_id"])
    op.create_index("ix_clusters_agreement", "clusters", ["agreement_id"])

    op.create_table(
        "targets", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("cluster_id", sa.String(ID), nullable=False),
        sa.Column("party_id", sa.String(ID), nullable=False),
        sa.Column("kpi", sa.String(ID), nullable=False),
        sa.Column("comparator", sa.String(10), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("value_unit", sa.String(1), nullable=False),
        sa.Column("tolerance", sa.Float(), nullable=True),
        sa.Column("valid_from", sa.String(DATE), nullable=False),
        sa.Column("valid_to", sa.String(DATE), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("agreement_id", "cluster_id", "party_id", "kpi", "valid_from",
                            name="uq_targets_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_targets_import_id", "targets", ["import_id"])
    op.create_index("ix_targets_agreement", "targets", ["agreement_id"])

    op.create_table(
        "occupancy", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("cluster_id", sa.String(ID), nullable=False),
        sa.Column("month", sa.String(MONTH), nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("target_group", sa.String(LABEL), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("started", sa.Integer(), nullable=True),
        sa.Column("exited", sa.Integer(), nullable=True),
        sa.UniqueConstraint("agreement_id", "cluster_id", "month", "gender", "target_group",
                            name="uq_occupancy_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_occupancy_import_id", "occupancy", ["import_id"])
    op.create_index("ix_occupancy_agreement_month", "occupancy", ["agreement_id", "month"])

    op.create_table(
        "staffing", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("cluster_id", sa.String(ID), nullable=False),
        sa.Column("month", sa.String(MONTH), nullable=False),
        sa.Column("party_id", sa.String(ID), nullable=False),
        sa.Column("role", sa.String(LABEL), nullable=False),
        sa.Column("committed_fte", sa.Float(), nullable=False),
        sa.Column("actual_fte", sa.Float(), nullable=False),
        sa.UniqueConstraint("agreement_id", "cluster_id", "month", "party_id", "role",
                            name="uq_staffing_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_staffing_import_id", "staffing", ["import_id"])
    op.create_index("ix_staffing_agreement_month", "staffing", ["agreement_id", "month"])

    op.create_table(
        "cost_shares", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("cost_category", sa.String(LABEL), nullable=False),
        sa.Column("party_id", sa.String(ID), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.UniqueConstraint("agreement_id", "cost_category", "party_id",
                            name="uq_cost_shares_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_cost_shares_import_id", "cost_shares", ["import_id"])
    op.create_index("ix_cost_shares_agreement", "cost_shares", ["agreement_id"])

    op.create_table(
        "costs", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("month", sa.String(MONTH), nullable=False),
        sa.Column("cost_category", sa.String(LABEL), nullable=False),
        sa.Column("paid_by", sa.String(ID), nullable=False),
        sa.Column("amount_sek", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("agreement_id", "month", "cost_category", "paid_by",
                            name="uq_costs_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_costs_import_id", "costs", ["import_id"])
    op.create_index("ix_costs_agreement_month", "costs", ["agreement_id", "month"])

    op.create_table(
        "outcomes", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("cluster_id", sa.String(ID), nullable=False),
        sa.Column("month", sa.String(MONTH), nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("target_group", sa.String(LABEL), nullable=False),
        sa.Column("completed", sa.Integer(), nullable=False),
        sa.Column("work", sa.Integer(), nullable=False),
        sa.Column("study", sa.Integer(), nullable=False),
        sa.Column("other", sa.Integer(), nullable=True),
        sa.Column("discontinued", sa.Integer(), nullable=True),
        sa.UniqueConstraint("agreement_id", "cluster_id", "month", "gender", "target_group",
                            name="uq_outcomes_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_outcomes_import_id", "outcomes", ["import_id"])
    op.create_index("ix_outcomes_agreement_month", "outcomes", ["agreement_id", "month"])

    op.create_table(
        "indicators", *_row_columns(),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.Column("cluster_id", sa.String(ID), nullable=False),
        sa.Column("period", sa.String(MONTH), nullable=False),
        sa.Column("indicator", sa.String(ID), nullable=False),
        sa.Column("gender", sa.String(1), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("value_unit", sa.String(1), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.UniqueConstraint("agreement_id", "cluster_id", "period", "indicator", "gender",
                            name="uq_indicators_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_indicators_import_id", "indicators", ["import_id"])
    op.create_index("ix_indicators_agreement_period", "indicators", ["agreement_id", "period"])

    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("imported_at", sa.String(32), nullable=False),  # ISO 8601, UTC
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("mode", sa.String(10), nullable=False),  # upsert | replace
        sa.Column("rows_json", sa.Text(), nullable=False),
        sa.Column("agreements_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),  # active | undone
        sa.Column("undone_at", sa.String(32), nullable=True),
        sqlite_autoincrement=True,
    )

    op.create_table(
        "import_agreements",
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.String(ID), nullable=False),
        sa.UniqueConstraint("import_id", "agreement_id", name="uq_import_agreements"),
    )
    op.create_index("ix_import_agreements_agreement", "import_agreements",
                    ["agreement_id", "import_id"])

    op.create_table(
        "import_backup",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("row_json", sa.Text(), nullable=False),
    )
    op.create_index("ix_import_backup_import_id", "import_backup", ["import_id"])


def downgrade() -> None:
    for name in ("import_backup", "import_agreements", "imports", "indicators", "outcomes",
                 "costs", "cost_shares", "staffing", "occupancy", "targets", "clusters",
                 "parties", "agreements"):
        op.drop_table(name)
