"""due_notice: what the last daily notice of `kb notify` told each account was due

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-30

`kb notify` mailed every account with a deadline on its work list on every run, so a daily run
repeated the same notice every day and a second run the same day sent it twice. The row keeps
which deadlines the last notice covered, as one-way hashes of their keys (nothing of the case);
the next run mails only when something new is due or has become overdue.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "due_notice",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "items",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["account.id"], name="fk_due_notice_account_id_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name="pk_due_notice"),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("due_notice")
