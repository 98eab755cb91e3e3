"""Tables of the conflict analysis: one `Analysis` per case, one `AnalysisVersion` per (re-)assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.auth.models import Account
from kb.db import Base, JsonType, UtcDateTime

__all__ = ["Analysis", "AnalysisVersion"]


class Analysis(Base):
    """One case (zaak). The office is the investigator's Raad office, which decides who at the
    Raad may read and approve it. Court and case number belong to each version (migration 0006):
    a re-assessment may move to another court, and a submitted version keeps the one it was
    written for, which alone decides which judges read it."""

    __tablename__ = "analysis"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office: Mapped[str] = mapped_column(String(100), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    # Names for the pages and the API, loaded with the analysis.
    author: Mapped[Account] = relationship(lazy="joined", foreign_keys=[author_id])
    versions: Mapped[list[AnalysisVersion]] = relationship(
        back_populates="analysis",
        order_by="AnalysisVersion.version",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class AnalysisVersion(Base):
    """One version: the first analysis or a re-assessment (herijking).

    `revision` counts the saves of a draft and every change of status; the ETag is
    `"<version>-<revision>"`. A submitted (`ingediend`) version is immutable: the service
    refuses, and a database trigger (migration 0004) refuses any UPDATE of such a row.
    `recommendation` is the computed advice at the last save (on `evaluated_on`); `final_advice` and
    `deviation_reason` record where the investigator deviated from it, beside it.
    """

    __tablename__ = "analysis_version"
    __table_args__ = (
        UniqueConstraint("analysis_id", "version", name="uq_analysis_version_analysis_id_version"),
        CheckConstraint("status IN ('concept', 'ter_accordering', 'ingediend')", name="status"),
        CheckConstraint("version >= 1 AND revision >= 1", name="positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analysis.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    # This version's case as its body names it; the court decides which judges may read it.
    case_number: Mapped[str] = mapped_column(String(200))
    court: Mapped[str] = mapped_column(String(100), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JsonType)
    recommendation: Mapped[dict[str, Any]] = mapped_column(JsonType)
    computed_advice: Mapped[str] = mapped_column(String(20))
    final_advice: Mapped[str] = mapped_column(String(20))
    deviation_reason: Mapped[str | None] = mapped_column(Text)
    safety_level: Mapped[str] = mapped_column(String(10))
    reassess_by: Mapped[dt.date] = mapped_column(Date)
    # The date the body was last validated and the advice computed: a stored body is read back
    # against this date, so a child who has since turned 18 does not make an old version invalid.
    evaluated_on: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    analysis: Mapped[Analysis] = relationship(back_populates="versions")
    approver: Mapped[Account | None] = relationship(lazy="joined", foreign_keys=[approved_by])

    @property
    def etag(self) -> str:
        return f'"{self.version}-{self.revision}"'
