"""analysis.closed_on: the day a case was closed with its outcome

Revision ID: 0015
Revises: 0011
Create Date: 2026-11-30

A closed case takes no new version (no re-assessment, no edit): the analysis itself says so, so
the case workflow need not know about the monitor's tables. Cases closed before this revision get
the day from their `case_closure`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("analysis", sa.Column("closed_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE analysis SET closed_on = (SELECT closed_on FROM case_closure "
        "WHERE case_closure.analysis_id = analysis.id)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE analysis DROP COLUMN closed_on")
