"""account invitations: one-time activation links and a second beheerder's confirmation

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-30

Existing accounts were made on the command line with a password and stay as they are
(`needs_confirmation` false, no invitation).

The columns are added with plain ALTER TABLE, never by copying `account` in batch mode: on
SQLite the copy drops the original table, which the foreign keys of existing analyses refuse
(found by the upgrade test from the first release's data, tests/operations/test_upgrade.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("account", sa.Column("created_by_id", sa.Integer(), nullable=True))
    op.add_column("account", sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "account",
        sa.Column("needs_confirmation", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("account", sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
    op.add_column("account", sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_invitation_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_account_id"), ["account_id"])
        batch_op.create_index(batch_op.f("ix_invitation_token_hash"), ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_table("invitation")
    with op.batch_alter_table("account", schema=None) as batch_op:
        for column in (
            "confirmed_at",
            "confirmed_by_id",
            "needs_confirmation",
            "activated_at",
            "created_by_id",
        ):
            batch_op.drop_column(column)
