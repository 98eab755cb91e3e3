"""each analysis version carries its own court and case number

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 07:00:00

The court lived on the analysis and followed the newest draft: editing the court of a
re-assessment moved the already submitted versions to that court's judges. Each version now keeps
the court (and case number) its body names; the existing rows are filled from their analysis,
which is what every version of a case had until now.

Submitted rows refuse any UPDATE (the trigger of 0004), so the trigger is dropped while the rows
are filled and created again at once, all in the migration's one transaction. Columns are added
and dropped with plain ALTER TABLE, never by copying a table on SQLite: a copy of `analysis` would
drop the original, and its ON DELETE CASCADE would take every version with it.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The trigger of 0004, as it was made there (a migration does not import another); its PostgreSQL
# function stays in place while the trigger is gone.
_POSTGRES_TRIGGER = """
    CREATE TRIGGER analysis_version_no_update_when_submitted BEFORE UPDATE ON analysis_version
    FOR EACH ROW WHEN (OLD.status = 'ingediend')
    EXECUTE FUNCTION analysis_version_submitted_is_final()
"""
_SQLITE_TRIGGER = """
    CREATE TRIGGER analysis_version_no_update_when_submitted BEFORE UPDATE ON analysis_version
    FOR EACH ROW WHEN OLD.status = 'ingediend'
    BEGIN
        SELECT RAISE(ABORT, 'analysis_version is ingediend (submitted) and cannot be changed');
    END
"""

_FILL_VERSIONS = """
    UPDATE analysis_version SET
        court = (SELECT a.court FROM analysis a WHERE a.id = analysis_version.analysis_id),
        case_number = (
            SELECT a.case_number FROM analysis a WHERE a.id = analysis_version.analysis_id
        )
"""
# Back to one court per case: the newest version's, as the draft's edits used to leave it.
_FILL_ANALYSES = """
    UPDATE analysis SET
        court = (
            SELECT v.court FROM analysis_version v WHERE v.analysis_id = analysis.id
            ORDER BY v.version DESC LIMIT 1
        ),
        case_number = (
            SELECT v.case_number FROM analysis_version v WHERE v.analysis_id = analysis.id
            ORDER BY v.version DESC LIMIT 1
        )
"""


def _postgres() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _drop_trigger() -> None:
    on_table = " ON analysis_version" if _postgres() else ""
    op.execute(f"DROP TRIGGER analysis_version_no_update_when_submitted{on_table}")


def _create_trigger() -> None:
    op.execute(_POSTGRES_TRIGGER if _postgres() else _SQLITE_TRIGGER)


def _add_text_columns(table: str) -> None:
    # NOT NULL needs a default for the rows already there; PostgreSQL drops it again below.
    op.execute(f"ALTER TABLE {table} ADD COLUMN case_number VARCHAR(200) NOT NULL DEFAULT ''")
    op.execute(f"ALTER TABLE {table} ADD COLUMN court VARCHAR(100) NOT NULL DEFAULT ''")


def _drop_defaults(table: str) -> None:
    if _postgres():
        for column in ("case_number", "court"):
            op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")


def _drop_text_columns(table: str) -> None:
    op.execute(f"DROP INDEX ix_{table}_court")
    op.execute(f"ALTER TABLE {table} DROP COLUMN court")
    op.execute(f"ALTER TABLE {table} DROP COLUMN case_number")


def upgrade() -> None:
    _drop_trigger()
    _add_text_columns("analysis_version")
    op.execute(_FILL_VERSIONS)
    _drop_defaults("analysis_version")
    op.create_index("ix_analysis_version_court", "analysis_version", ["court"])
    _create_trigger()
    _drop_text_columns("analysis")


def downgrade() -> None:
    _add_text_columns("analysis")
    op.execute(_FILL_ANALYSES)
    _drop_defaults("analysis")
    op.create_index("ix_analysis_court", "analysis", ["court"])
    _drop_trigger()
    _drop_text_columns("analysis_version")
    _create_trigger()
