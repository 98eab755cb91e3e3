"""case outcomes for the monitor, and each case's closure (domain.md §8, §9.7)

Revision ID: 0012
Revises: 0013
Create Date: 2026-11-30

`case_outcome` holds the de-identified facts the monitor counts and survives the purge of its
case; `case_closure` links a live case to its outcome and goes with the case.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_outcome",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("court", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("procedure_days", sa.Integer(), nullable=True),
        sa.Column("settled_by_mediation", sa.Boolean(), nullable=True),
        sa.Column("curator_appointed", sa.Boolean(), nullable=True),
        sa.Column("municipal_support", sa.Boolean(), nullable=True),
        sa.Column("curator_disciplinary", sa.Boolean(), nullable=True),
        sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_outcome")),
    )
    op.create_index("ix_case_outcome_year_court", "case_outcome", ["year", "court"])
    op.create_table(
        "case_closure",
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("procedure_ended_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis.id"],
            name=op.f("fk_case_closure_analysis_id_analysis"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["case_outcome.id"],
            name=op.f("fk_case_closure_outcome_id_case_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["account.id"], name=op.f("fk_case_closure_closed_by_account")
        ),
        sa.PrimaryKeyConstraint("analysis_id", name=op.f("pk_case_closure")),
        sa.UniqueConstraint("outcome_id", name=op.f("uq_case_closure_outcome_id")),
    )
    op.create_index(op.f("ix_case_closure_closed_at"), "case_closure", ["closed_at"])
    # The token the monitor's cache is keyed by (kb.monitor.service.outcomes_changed): present
    # from the start, so writers only ever UPDATE it and never race to INSERT it.
    meta = sa.table("kb_meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.bulk_insert(meta, [{"key": "monitor_outcomes", "value": "0"}])


def downgrade() -> None:
    op.execute("DELETE FROM kb_meta WHERE key = 'monitor_outcomes'")
    op.drop_table("case_closure")
    op.drop_index("ix_case_outcome_year_court", table_name="case_outcome")
    op.drop_table("case_outcome")
