"""What the API and the pages get back: one analysis version, a row of the list, a preview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from kb.conflict_analysis.schemas import AnalysisBody, Recommendation, SafetyResult
from kb.vocabulary import AnalysisStatus as Status

__all__ = ["AnalysisOut", "AnalysisSummary", "Preview", "VersionRef"]


class VersionRef(BaseModel):
    """One version of the analysis that the caller may read."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    status: Status
    submitted_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None


class AnalysisOut(BaseModel):
    """One version of an analysis: the body as filled in and the recommendation computed for it.

    `recommendation.curator.advice` is the computed advice, `final_advice` the investigator's
    (equal unless they deviated, with `deviation_reason`); both stay on record.
    """

    id: int
    version: int
    revision: int = Field(description="Telt de bewaarmomenten en statuswijzigingen van deze versie")
    etag: str = Field(description='Stuur mee als If-Match bij PUT, bijvoorbeeld "1-3"')
    status: Status
    case_number: str
    court: str
    office: str
    author: str
    author_id: int
    approved_by: str | None = None
    # Who wrote and who approved the version, as the report prints them: the account's display
    # name (its username when it has none) and role.
    author_name: str | None = None
    author_role: str | None = None
    approved_by_name: str | None = None
    approved_by_role: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    evaluated_on: dt.date = Field(description="De datum waarop het advies is berekend")
    final_advice: str
    deviation_reason: str | None = None
    body: AnalysisBody
    recommendation: Recommendation
    versions: list[VersionRef]


class AnalysisSummary(BaseModel):
    """A row of the list of analyses: the newest version the caller may read."""

    id: int
    case_number: str
    court: str
    office: str
    author: str
    mine: bool
    version: int
    status: Status
    safety_level: str
    final_advice: str
    reassess_by: dt.date
    updated_at: dt.datetime


@dataclass(frozen=True)
class Preview:
    """The live preview while the form is filled in: the full recommendation once the body is
    valid, before that the safety gate alone as soon as the safety section is complete."""

    recommendation: Recommendation | None = None
    safety: SafetyResult | None = None
    problems: int = 0
