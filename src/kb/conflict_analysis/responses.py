"""What the API and the pages get back: one analysis version, a row of the list, a preview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny

from kb.conflict_analysis.schemas import AnalysisBody, Recommendation, SafetyResult
from kb.vocabulary import AnalysisStatus as Status

__all__ = [
    "AnalysisOut",
    "AnalysisState",
    "AnalysisSummary",
    "Comment",
    "Missing",
    "Preview",
    "Task",
    "TaskKind",
    "VersionRef",
]


class VersionRef(BaseModel):
    """One version of the analysis that the caller may read."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    status: Status
    submitted_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None


class Missing(BaseModel):
    """A field a `concept` still lacks before it can be submitted."""

    loc: list[str | int]
    msg: str


class Comment(BaseModel):
    """A behavioural expert's comment when returning a version: kept with that version."""

    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    role: str
    text: str


class AnalysisState(BaseModel):
    """One version of an analysis as it stands: a `concept` may still be incomplete.

    An incomplete draft (`complete` false) has a body with fields still absent (null) and no
    recommendation: the advice is computed once everything it rests on is filled in.
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
    demo: bool = Field(default=False, description="Een verzonnen demonstratiezaak (demomodus)")
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
    final_advice: str | None
    deviation_reason: str | None = None
    complete: bool = Field(description="Alles ingevuld: de versie kan worden aangeboden")
    missing: list[Missing] = Field(description="Wat nog ontbreekt, per veld")
    comments: list[Comment] = Field(
        description="Opmerkingen van de gedragsdeskundige bij het terugsturen van deze versie"
    )
    # A draft's body is a `DraftBody`, a subclass: serialised as what it is.
    body: SerializeAsAny[AnalysisBody]
    recommendation: Recommendation | None
    versions: list[VersionRef]


class AnalysisOut(AnalysisState):
    """A complete version, with its recommendation: what a report is made of."""

    final_advice: str
    recommendation: Recommendation


class AnalysisSummary(BaseModel):
    """A row of the list of analyses: the newest version the caller may read."""

    id: int
    case_number: str
    court: str
    office: str
    author: str
    mine: bool
    demo: bool = False
    version: int
    status: Status
    complete: bool = True
    safety_level: str | None
    final_advice: str | None
    reassess_by: dt.date | None
    updated_at: dt.datetime


TaskKind = Literal["ter_accordering", "teruggestuurd", "concept", "herijking", "curatorrapport"]


class Task(BaseModel):
    """One item of a work list (`GET /api/v1/me/tasks`): what waits for the caller, and by when."""

    kind: TaskKind = Field(description="Wat er te doen is")
    label: str = Field(description="Hetzelfde in woorden")
    analysis_id: int
    version: int
    case_number: str
    court: str
    status: Status
    demo: bool = False
    since: dt.datetime = Field(description="Sinds wanneer dit wacht")
    due: dt.date | None = Field(default=None, description="Uiterlijk (herijking, rapport curator)")
    overdue: bool = False
    url: str = Field(description="De pagina waar het werk gedaan wordt")


@dataclass(frozen=True)
class Preview:
    """The live preview while the form is filled in: the full recommendation once the body is
    valid, before that the safety gate alone as soon as the safety section is complete."""

    recommendation: Recommendation | None = None
    safety: SafetyResult | None = None
    problems: int = 0
