"""an entry is one row: ratings, providers and sources only in its front matter

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

The child tables held copies of what `entry.front_matter` holds, and `verified` a copy of one of
its fields; nothing reads them since the catalogue serves every entry from the front matter.
Their contents are rebuilt from `content/` by `kb index`, so the downgrade does not recreate them:
restore the backup made before upgrading instead.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("entry_source", "entry_rating", "entry_provider"):
        op.drop_table(table)
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_column("verified")


def downgrade() -> None:
    raise NotImplementedError(
        "0005 cannot be undone in place: restore the backup made before upgrading to 0005."
    )
