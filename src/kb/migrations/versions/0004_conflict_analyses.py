"""conflict analyses and their versions; submitted versions refuse changes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# A submitted (`ingediend`) version is what the judge read: the database itself refuses to change
# it, whoever connects, as it does for the audit log (0002). Deleting stays possible, because
# closed cases are purged after the retention period. A later migration that alters
# analysis_version on SQLite in batch mode (a table copy) must create the SQLite trigger again.
POSTGRES_TRIGGERS = [
    """
    CREATE FUNCTION analysis_version_submitted_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'analysis_version % is ingediend (submitted) and cannot be changed', OLD.id;
    END
    $$
    """,
    """
    CREATE TRIGGER analysis_version_no_update_when_submitted BEFORE UPDATE ON analysis_version
    FOR EACH ROW WHEN (OLD.status = 'ingediend')
    EXECUTE FUNCTION analysis_version_submitted_is_final()
    """,
]
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER analysis_version_no_update_when_submitted BEFORE UPDATE ON analysis_version
    FOR EACH ROW WHEN OLD.status = 'ingediend'
    BEGIN
        SELECT RAISE(ABORT, 'analysis_version is ingediend (submitted) and cannot be changed');
    END
    """,
]


def upgrade() -> None:
    op.create_table(
        "analysis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=200), nullable=False),
        sa.Column("court", sa.String(length=100), nullable=False),
        sa.Column("office", sa.String(length=100), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["account.id"], name=op.f("fk_analysis_author_id_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis")),
    )
    with op.batch_alter_table("analysis", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_analysis_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_analysis_court"), ["court"], unique=False)
        batch_op.create_index(batch_op.f("ix_analysis_office"), ["office"], unique=False)

    op.create_table(
        "analysis_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("body", JSON, nullable=False),
        sa.Column("recommendation", JSON, nullable=False),
        sa.Column("computed_advice", sa.String(length=20), nullable=False),
        sa.Column("final_advice", sa.String(length=20), nullable=False),
        sa.Column("deviation_reason", sa.Text(), nullable=True),
        sa.Column("safety_level", sa.String(length=10), nullable=False),
        sa.Column("reassess_by", sa.Date(), nullable=False),
        sa.Column("evaluated_on", sa.Date(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('concept', 'ter_accordering', 'ingediend')",
            name=op.f("ck_analysis_version_status"),
        ),
        sa.CheckConstraint(
            "version >= 1 AND revision >= 1", name=op.f("ck_analysis_version_positive")
        ),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_analysis_version_analysis_id_analysis"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["account.id"], name=op.f("fk_analysis_version_author_id_account")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["account.id"], name=op.f("fk_analysis_version_approved_by_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_version")),
        sa.UniqueConstraint(
            "analysis_id", "version", name=op.f("uq_analysis_version_analysis_id_version")
        ),
    )
    with op.batch_alter_table("analysis_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analysis_version_analysis_id"), ["analysis_id"], unique=False
        )

    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("analysis_version")  # its trigger goes with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION analysis_version_submitted_is_final()")
    op.drop_table("analysis")
