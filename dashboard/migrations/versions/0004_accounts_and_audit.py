"""Accounts, roles per agreement and cluster, sessions, sign-in attempts, the audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

The tables of dashboard/access (README, "Sign-in and rights"): ``accounts`` (local,
single sign-on or proxy accounts; an argon2id hash for a password), ``account_roles``
(viewer, member or steward of an agreement, or viewer of one cluster), ``sessions``
(server-side, so that signing out and disabling an account end them at once),
``sign_in_attempts`` (failures per login and per address, shared by every worker) and
``audit_log`` (who did what and when: ids, never figures or names from the data). A
database upgraded to this revision has no account yet: see README for the first one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("login", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("last_sign_in_at", sa.String(32), nullable=True),
        sa.UniqueConstraint("login"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "account_roles",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.Integer(),
                  sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("agreement_id", sa.String(64), nullable=False),
        sa.Column("cluster_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("granted_at", sa.String(32), nullable=False),
        sa.Column("granted_by", sa.String(254), nullable=False),
        sa.UniqueConstraint("account_id", "agreement_id", "cluster_id",
                            name="uq_account_roles"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_account_roles_agreement", "account_roles", ["agreement_id"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("account_id", sa.Integer(),
                  sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_seen_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_sessions_account_id", "sessions", ["account_id"])
    op.create_table(
        "sign_in_attempts",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure", sa.Float(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("agreement_id", sa.String(64), nullable=True),
        sa.Column("cluster_id", sa.String(64), nullable=True),
        sa.Column("object", sa.String(254), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("address", sa.String(64), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("sign_in_attempts")
    op.drop_index("ix_sessions_account_id", table_name="sessions")
    op.drop_table("sessions")
    op.drop_index("ix_account_roles_agreement", table_name="account_roles")
    op.drop_table("account_roles")
    op.drop_table("accounts")
