"""analysis workflow: incomplete drafts, comments on a returned version, one open case per office

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Existing versions were all validated in full, so `complete` starts true. Columns and indexes are
added with plain ALTER TABLE / CREATE INDEX, never by copying a table on SQLite (see 0006).
`open_case` is filled for the existing analyses from their newest version, the first of each
(office, case number) keeping it when an office already holds the same case twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

_NEWEST_CASES = """
    SELECT a.id, a.office, v.case_number FROM analysis a
    JOIN analysis_version v ON v.analysis_id = a.id
    WHERE v.version = (SELECT max(w.version) FROM analysis_version w WHERE w.analysis_id = a.id)
    ORDER BY a.id
"""


def _case_key(case_number: str) -> str:
    # As `kb.conflict_analysis.service.case_key` (a migration does not import the application).
    return " ".join(case_number.split()).casefold()


def upgrade() -> None:
    op.add_column(
        "analysis_version",
        sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("analysis_version", sa.Column("missing", JSON, nullable=True))
    op.add_column("analysis", sa.Column("open_case", sa.String(length=200), nullable=True))
    op.create_table(
        "analysis_comment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["analysis_version.id"],
            name=op.f("fk_analysis_comment_version_id_analysis_version"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["account.id"], name=op.f("fk_analysis_comment_author_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_comment")),
    )
    op.create_index("ix_analysis_comment_version_id", "analysis_comment", ["version_id"])
    _fill_open_cases()
    op.create_index(
        "uq_analysis_office_open_case", "analysis", ["office", "open_case"], unique=True
    )


def _fill_open_cases() -> None:
    bind = op.get_bind()
    taken: set[tuple[str, str]] = set()
    for analysis_id, office, case_number in bind.execute(sa.text(_NEWEST_CASES)).all():
        key = _case_key(case_number or "")
        if not key or (office, key) in taken:
            continue
        taken.add((office, key))
        bind.execute(
            sa.text("UPDATE analysis SET open_case = :key WHERE id = :id"),
            {"key": key, "id": analysis_id},
        )


def downgrade() -> None:
    op.drop_index("uq_analysis_office_open_case", table_name="analysis")
    op.drop_table("analysis_comment")
    op.execute("ALTER TABLE analysis DROP COLUMN open_case")
    op.execute("ALTER TABLE analysis_version DROP COLUMN missing")
    op.execute("ALTER TABLE analysis_version DROP COLUMN complete")
