"""Monthly sums kept per agreement, scope and month (the figure store).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Three tables of monthly sums from which every key figure of any period is a mean, a sum or
a minimum (dashboard/domain/kpis.py): ``sums_occupancy`` and ``sums_outcomes`` per agreement,
scope (``''`` for the whole agreement, else the cluster), month and gender (``'*'`` for
all rows, ``K``/``M``/``X`` for one gender's rows), and ``sums_staffing`` per party. They
are refreshed in every import's and undo's transaction; this revision fills them from the
rows already stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COUNTS = {"sums_occupancy": ("occupancy", "gender", ("participants", "started", "exited")),
           "sums_outcomes": ("outcomes", "gender",
                             ("completed", "work", "study", "other", "discontinued"))}


def _create(name: str, extra_key: str, columns: tuple[str, ...]) -> None:
    op.create_table(
        name,
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column(extra_key, sa.String(64), nullable=False),
        *[sa.Column(c, sa.Float(), nullable=True) for c in columns],
        sa.UniqueConstraint("agreement_id", "scope", "month", extra_key, name=f"uq_{name}"),
    )
    op.create_index(f"ix_{name}_agreement_month", name, ["agreement_id", "month"])


def upgrade() -> None:
    for name, (source, key, columns) in _COUNTS.items():
        _create(name, key, columns)
        sums = ", ".join(f"SUM({c})" for c in columns)
        parts = [
            f"SELECT agreement_id, cluster_id, month, '*', {sums} FROM {source} "
            "GROUP BY agreement_id, cluster_id, month",
            f"SELECT agreement_id, '', month, '*', {sums} FROM {source} "
            "GROUP BY agreement_id, month",
            f"SELECT agreement_id, cluster_id, month, gender, {sums} FROM {source} "
            "WHERE gender <> '' GROUP BY agreement_id, cluster_id, month, gender",
            f"SELECT agreement_id, '', month, gender, {sums} FROM {source} "
            "WHERE gender <> '' GROUP BY agreement_id, month, gender",
        ]
        op.execute(f"INSERT INTO {name} (agreement_id, scope, month, gender, "
                   f"{', '.join(columns)}) " + " UNION ALL ".join(parts))
    _create("sums_staffing", "party_id", ("committed_fte", "actual_fte"))
    op.execute(
        "INSERT INTO sums_staffing (agreement_id, scope, month, party_id, committed_fte, "
        "actual_fte) "
        "SELECT agreement_id, '', month, party_id, SUM(committed_fte), SUM(actual_fte) "
        "FROM staffing GROUP BY agreement_id, month, party_id "
        "UNION ALL "
        "SELECT agreement_id, cluster_id, month, party_id, SUM(committed_fte), "
        "SUM(actual_fte) FROM staffing WHERE cluster_id <> '' "
        "GROUP BY agreement_id, cluster_id, month, party_id")


def downgrade() -> None:
    for name in ("sums_staffing", "sums_outcomes", "sums_occupancy"):
        op.drop_index(f"ix_{name}_agreement_month", table_name=name)
        op.drop_table(name)
