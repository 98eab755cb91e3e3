"""entry revisions: every change to an entry, with its field changes (history and change feed);
each entry row's content hash

Revision ID: 0011
Revises: 0012
Create Date: 2026-11-30

Existing installations start with an empty history: the first `kb index` (or start) after the
upgrade records one baseline revision ("nieuw") per entry, which the change feed leaves out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011"
down_revision = "0012"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "entry_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_revision")),
        sa.UniqueConstraint("slug", "revision", name=op.f("uq_entry_revision_slug")),
    )
    with op.batch_alter_table("entry_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_revision_at"), ["at"])
    # Indexing reads again only the rows whose content differs from the new entry.
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_column("content_hash")
    op.drop_table("entry_revision")
