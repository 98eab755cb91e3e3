"""What the proposals API takes and gives (contracts.md, "Proposals: pilot registry and editing")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kb.vocabulary import Kind, ProposalStatus

__all__ = [
    "MAX_BODY_LENGTH",
    "Approved",
    "DueEntry",
    "DueRating",
    "DueReport",
    "DueSearch",
    "DueSource",
    "FieldChange",
    "ProposalCreated",
    "ProposalIn",
    "ProposalOut",
    "ProposalSummary",
    "RejectIn",
    "SimilarEntry",
    "SimilarIn",
    "SimilarOut",
]

MAX_BODY_LENGTH = 50_000
MAX_NOTE_LENGTH = 5_000


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SimilarIn(_Input):
    """What is typed so far: the warning looks for entries like it."""

    title: str = Field(default="", max_length=300)
    summary: str = Field(default="", max_length=2_000)
    kind: Kind | None = None
    locations: list[str] = Field(default_factory=list, max_length=20)


class SimilarEntry(BaseModel):
    """An existing or ended entry like the proposal, with what it found (its result, its evidence)."""

    slug: str
    title: str
    kind: str
    status: str
    score: float
    result: str | None = Field(description="a pilot's result as its sources report it, if any")
    evidence: str = Field(description="the headline evidence label, e.g. 'goed onderbouwd'")
    url: str


class SimilarOut(BaseModel):
    similar: list[SimilarEntry]


class ProposalIn(_Input):
    """A new entry or a correction: the entry's front matter and body, as in a content file."""

    about: str | None = Field(default=None, description="the slug a correction is for; null: new")
    front_matter: dict[str, Any] = Field(description="the entry's fields, as in its content file")
    body: str = Field(max_length=MAX_BODY_LENGTH, description="Markdown: Doel, Doelgroep, Aanpak…")
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH, description="for the editor")


class RejectIn(_Input):
    reason: str = Field(min_length=1, max_length=2_000)


class FieldChange(BaseModel):
    """One field a proposal changes against the current entry (a new entry: every filled field)."""

    field: str
    label: str
    old: Any
    new: Any


class ProposalSummary(BaseModel):
    """A proposal in a list."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    about: str | None
    slug: str | None
    title: str
    kind: str
    status: ProposalStatus
    author: str
    version: int
    etag: str
    created_at: dt.datetime
    updated_at: dt.datetime


class ProposalOut(ProposalSummary):
    """A whole proposal, with its changes against the entry as it is now."""

    front_matter: dict[str, Any]
    body: str
    note: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None
    changes: list[FieldChange]


class ProposalCreated(ProposalOut):
    """The new proposal, and the entries like it that its author has now seen."""

    similar: list[SimilarEntry]


class Approved(BaseModel):
    """The entry an approval wrote: searchable when this answer arrives."""

    id: int
    slug: str
    url: str
    status: ProposalStatus
    etag: str


class DueEntry(BaseModel):
    slug: str
    title: str
    next_review: dt.date


class DueRating(BaseModel):
    slug: str
    title: str
    scheme: str
    rating: str
    expired_on: dt.date


class DueSource(BaseModel):
    slug: str
    title: str
    source: str
    url: str
    accessed: dt.date | None = Field(description="null: never recorded as read")


class DueSearch(BaseModel):
    query: str
    searches: int
    zero_results: int


class DueReport(BaseModel):
    """What needs an editor: stale entries, expired ratings, old sources, unanswered searches."""

    on: dt.date
    entries_past_review: list[DueEntry]
    expired_ratings: list[DueRating]
    unchecked_sources: list[DueSource]
    searches_without_results: list[DueSearch]
