"""Tables of the monitor: the de-identified outcome facts it counts, and each live case's closure.

Two tables, so that a purge has nothing to rewrite: `CaseOutcome` holds only what the monitor
counts (court, year, the outcome booleans, the procedure's length) and is never linked to a case
by anything but the `CaseClosure` row, which goes with the case. Its key is random, not a
sequence, so the order of the facts cannot be lined up with the order of the closures in the
audit log once the case is gone.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base, UtcDateTime

__all__ = ["CaseClosure", "CaseOutcome", "new_outcome_id"]


def new_outcome_id() -> str:
    return uuid.uuid4().hex


class CaseOutcome(Base):
    """One closed case as the monitor counts it (domain.md §9.7); None is "unknown".

    `synthetic` marks the invented outcomes of demo mode, which only a demo installation counts.
    """

    __tablename__ = "case_outcome"
    __table_args__ = (Index("ix_case_outcome_year_court", "year", "court"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_outcome_id)
    court: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    procedure_days: Mapped[int | None] = mapped_column(Integer)
    settled_by_mediation: Mapped[bool | None] = mapped_column(Boolean)
    curator_appointed: Mapped[bool | None] = mapped_column(Boolean)
    municipal_support: Mapped[bool | None] = mapped_column(Boolean)
    curator_disciplinary: Mapped[bool | None] = mapped_column(Boolean)
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False)


class CaseClosure(Base):
    """That a live case was closed, when, by whom, and which outcome row it gave: the case's
    only link to its outcome, deleted with the case (ON DELETE CASCADE) when it is purged.
    `closed_at` (the moment it was recorded) starts the retention period."""

    __tablename__ = "case_closure"

    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analysis.id", ondelete="CASCADE"), primary_key=True
    )
    outcome_id: Mapped[str] = mapped_column(ForeignKey("case_outcome.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    closed_on: Mapped[dt.date] = mapped_column(Date)
    procedure_ended_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    closed_by: Mapped[int] = mapped_column(ForeignKey("account.id"))
