"""`kb purge`: closed cases past the retention period are deleted (domain.md §7, §9.7).

A case is due when its outcome was recorded (`CaseClosure.closed_at`) more than
`KB_RETENTION_DAYS` ago. Its analysis, every version and its closure are deleted in one
transaction; its `CaseOutcome` stays, linked to nothing, so the monitor's history does not change.
The purge is audited with counts only, appended to the chain like any other entry: the chain
never loses a row, so `kb audit verify` holds after a purge. Earlier audit entries about the
case keep their metadata (who read which analysis id when), never its content.

Deleted rows can linger in the database files until the space is reused: SQLite is told to
overwrite them (`secure_delete`); on PostgreSQL autovacuum reclaims them. Backups made before the
purge still hold the case until they expire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from kb.auth import audit
from kb.clock import utcnow
from kb.conflict_analysis.models import Analysis, AnalysisVersion
from kb.monitor.models import CaseClosure

__all__ = ["PURGE", "PurgeReport", "purge"]

PURGE = "retention.purge"
# Ids per DELETE: large enough to be quick, small enough for every driver's parameter limit.
_BATCH = 5000


@dataclass(frozen=True)
class PurgeReport:
    """What a purge deleted (or, as a dry run, would delete)."""

    cases: int
    versions: int
    closed_before: dt.datetime
    dry_run: bool


def purge(
    session: Session,
    retention_days: int,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> PurgeReport:
    """Delete every closed case whose retention ended, in the session's transaction (the caller
    commits); a dry run only counts."""
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    ids = list(
        session.scalars(
            select(CaseClosure.analysis_id)
            .where(CaseClosure.closed_at <= cutoff)
            .order_by(CaseClosure.analysis_id)
        )
    )
    versions = sum(_count_versions(session, batch) for batch in _batches(ids))
    report = PurgeReport(len(ids), versions, cutoff, dry_run)
    if dry_run or not ids:
        return report
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))
    for batch in _batches(ids):
        session.execute(delete(AnalysisVersion).where(AnalysisVersion.analysis_id.in_(batch)))
        session.execute(delete(CaseClosure).where(CaseClosure.analysis_id.in_(batch)))
        session.execute(delete(Analysis).where(Analysis.id.in_(batch)))
    audit.record(
        session,
        user=None,
        action=PURGE,
        object_type="conflict_analysis",
        detail={
            "cases": report.cases,
            "versions": report.versions,
            "retention_days": retention_days,
            "closed_before": cutoff.date().isoformat(),
        },
    )
    return report


def _batches(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + _BATCH] for i in range(0, len(ids), _BATCH)]


def _count_versions(session: Session, ids: Sequence[int]) -> int:
    query = select(func.count()).where(AnalysisVersion.analysis_id.in_(ids))
    return int(session.scalar(query) or 0)
