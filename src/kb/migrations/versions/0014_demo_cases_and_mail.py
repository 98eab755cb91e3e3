"""demo cases and e-mail notices: `analysis.demo`, `account.email`

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-01

`analysis.demo` marks the invented cases that demo mode seeds, so that every page showing one
says so; existing analyses are real (false). `account.email` is optional: only accounts with an
address get the e-mail notices of KB_SMTP_URL. Both are added with plain ALTER TABLE, never by
copying a table on SQLite (see 0007).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "analysis", sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("account", sa.Column("email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE account DROP COLUMN email")
    op.execute("ALTER TABLE analysis DROP COLUMN demo")
