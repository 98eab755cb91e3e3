"""Tables of the conflict analysis: one `Analysis` per case, one `AnalysisVersion` per (re-)assessment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.auth.models import Account
from kb.db import Base, JsonType, UtcDateTime

__all__ = ["Analysis", "AnalysisComment", "AnalysisVersion", "DueNotice"]


class Analysis(Base):
    """One case (zaak). The office is the investigator's Raad office, which decides who at the
    Raad may read and approve it. Court and case number belong to each version (migration 0006):
    a re-assessment may move to another court, and a submitted version keeps the one it was
    written for, which alone decides which judges read it."""

    __tablename__ = "analysis"
    __table_args__ = (
        # One open analysis per case number per office (domain.md §9.5): the database keeps it,
        # also for two investigators creating the same case at the same moment.
        # A unique index, not a constraint: SQLite adds an index without copying the table.
        Index("uq_analysis_office_open_case", "office", "open_case", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office: Mapped[str] = mapped_column(String(100), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # The newest version's case number, normalised (`service.case_key`), while the case is open;
    # NULL while a draft has none yet, and for a closed case (which frees the number).
    open_case: Mapped[str | None] = mapped_column(String(200))
    # The day the case was closed with its outcome (kb.monitor): from then on nothing about the
    # analysis changes, and its retention period runs. NULL while the case is open.
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    # An invented case that demo mode seeded (migration 0014): every page showing it says so.
    demo: Mapped[bool] = mapped_column(Boolean, default=False)

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
    # A `concept` may be incomplete (migration 0008): `missing` lists what it lacks, as
    # [{"loc", "msg"}]. While `complete` is false the body may lack fields and there is no
    # advice: `recommendation` is {}, the advice and safety columns are "" and `reassess_by`
    # is the day of the save, none of them shown.
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    missing: Mapped[list[dict[str, Any]] | None] = mapped_column(JsonType)
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
    comments: Mapped[list[AnalysisComment]] = relationship(
        order_by="AnalysisComment.at",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def etag(self) -> str:
        return f'"{self.version}-{self.revision}"'


class AnalysisComment(Base):
    """A behavioural expert's comment on returning a version to its investigator.

    Kept with the version it was written on, never changed: the next submit of that version
    shows what was asked and what followed. Written once; no UPDATE path exists in the service.
    """

    __tablename__ = "analysis_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_version.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("account.id"))
    role: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    text: Mapped[str] = mapped_column(Text)


class DueNotice(Base):
    """What the last daily notice of `kb notify` told an account was due (migration 0016).

    `items` holds a one-way hash of each deadline's key (kind, analysis, version, date, whether
    overdue), so the row says nothing of any case; the next run compares the account's work list
    with it and mails only when something new is due or has become overdue (`reminders`).
    """

    __tablename__ = "due_notice"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    items: Mapped[list[str]] = mapped_column(JsonType)
