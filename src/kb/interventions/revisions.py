"""Revisions: what indexing changed in each entry, recorded in the same transaction as the rows.

Whatever way an entry changes — an approved proposal that writes its content file, or an editor
who edits `content/` and runs `kb index` — it reaches the database through `indexing.rebuild`,
which compares the rows it replaces with the new entries and records one revision per entry that
changed, with each field's old and new value. A rating that expires changes no file: the first
catalogue of the day it expires records it (`indexing.reindex_expired`), as `kb index` does on a
day after one expired.

The first indexing of a database records one baseline revision ("nieuw") per entry: what the
knowledge base held when its history began. The change feed leaves baselines out, because a
court that subscribes wants to hear what changed, not seventy "new" entries that were there all
along; the entry's own history starts with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.clock import DUTCH_TIME
from kb.errors import InvalidInputError, dutch_field_errors
from kb.interventions.catalogue import Catalogue
from kb.interventions.diffs import (
    EVIDENCE_FIELD,
    FieldChange,
    StoredEntry,
    changed_summary,
    display_value,
    expiry_summary,
    field_changes,
    topics,
)
from kb.interventions.models import EntryRevision
from kb.interventions.schemas import Entry
from kb.vocabulary import REVISION_KIND_LABELS, RevisionKind

__all__ = [
    "ChangeItem",
    "ChangesPage",
    "ChangesParams",
    "Replaced",
    "Revision",
    "changes",
    "expiry_revisions",
    "history",
    "latest_change_at",
    "rebuild_revisions",
    "shown_history",
]


class Revision(BaseModel):
    """One revision in an entry's history (`GET /api/v1/interventions/{slug}/history`)."""

    model_config = ConfigDict(from_attributes=True)

    revision: int
    at: dt.datetime
    kind: RevisionKind
    summary: str
    changes: list[FieldChange]
    note: str | None = None


class ChangeItem(Revision):
    """One item of the change feed: a revision with the entry it belongs to."""

    id: int
    slug: str
    title: str
    topics: list[str] = Field(
        default_factory=list, description="beoordeling (ratings or level) and/or status"
    )


class ChangesPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[ChangeItem]


class ChangesParams(BaseModel):
    """The query parameters of `GET /api/v1/changes`, validated in one place."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    since: dt.datetime | None = Field(
        default=None,
        description="Alleen wijzigingen vanaf dit moment (ISO 8601) of deze dag (Nederlandse tijd)",
    )
    kind: RevisionKind | None = Field(
        default=None, description="Soort wijziging: nieuw, gewijzigd, verlopen, verwijderd"
    )
    page: int = Field(default=1, ge=1, le=10_000, description="Pagina, vanaf 1")
    per_page: int = Field(default=20, ge=1, le=100, description="Wijzigingen per pagina, 1–100")

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("since", mode="before")
    @classmethod
    def _day_starts_at_dutch_midnight(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value.strip()) == len("2026-11-30"):
            try:
                day = dt.date.fromisoformat(value.strip())
            except ValueError:
                return value  # the datetime validation names the problem
            return dt.datetime.combine(day, dt.time(), DUTCH_TIME)
        return value

    @field_validator("since")
    @classmethod
    def _utc_when_no_zone(cls, value: dt.datetime | None) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None and not value.tzinfo else value

    @field_validator("page", "per_page", mode="before")
    @classmethod
    def _default_when_absent(cls, value: Any, info: Any) -> Any:
        return cls.model_fields[info.field_name].default if value is None else value

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> ChangesParams:
        try:
            return cls.model_validate(dict(raw))
        except ValidationError as exc:
            raise InvalidInputError(
                "Een of meer parameters zijn ongeldig.", dutch_field_errors(exc, ("query",))
            ) from None


@dataclass(frozen=True)
class Replaced:
    """What an indexing replaces: the slug of every stored entry, and the stored entries that
    may differ from their new version (the others had the same content hash) or are gone."""

    slugs: frozenset[str]
    differing: Mapping[str, StoredEntry]


# --- Recording -----------------------------------------------------------------------------------


def _next_revisions(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(EntryRevision.slug, func.max(EntryRevision.revision)).group_by(EntryRevision.slug)
    ).all()
    return {slug: latest for slug, latest in rows}


def _new(
    numbers: dict[str, int],
    slug: str,
    at: dt.datetime,
    kind: RevisionKind,
    title: str,
    summary: str,
    found: Sequence[FieldChange] = (),
    note: str | None = None,
    baseline: bool = False,
) -> EntryRevision:
    numbers[slug] = numbers.get(slug, 0) + 1
    return EntryRevision(
        slug=slug,
        revision=numbers[slug],
        at=at,
        kind=kind,
        baseline=baseline,
        title=title,
        summary=summary,
        changes=[c.model_dump(mode="json") for c in found],
        note=note,
    )


def expiry_revisions(
    session: Session,
    catalogue: Catalogue,
    previous_epoch: str,
    at: dt.datetime,
    numbers: dict[str, int] | None = None,
) -> list[EntryRevision]:
    """One "verlopen" revision per entry with a rating that expired since the day of
    `previous_epoch`: its validity ended after that epoch (so it was valid on that day) and
    before the catalogue's day. Not yet added to `session`."""
    numbers = _next_revisions(session) if numbers is None else numbers
    since = dt.date.fromisoformat(previous_epoch) if previous_epoch else dt.date.min
    made: list[EntryRevision] = []
    for entry in catalogue:
        expired = [
            r
            for r in entry.ratings
            if not r.superseded
            and r.valid_until is not None
            and since < r.valid_until < catalogue.day
        ]
        if not expired:
            continue
        first_gone = min(r.valid_until for r in expired if r.valid_until is not None)
        before = entry.evidence_on(first_gone).level  # its last valid day
        after = entry.evidence_on(catalogue.day).level
        found = [
            FieldChange(
                field=f"ratings[{entry.ratings.index(r)}].state", old="geldig", new="verlopen"
            )
            for r in expired
        ]
        if before != after:
            found.append(FieldChange(field=EVIDENCE_FIELD, old=before, new=after))
        summary = expiry_summary(expired, before, after)
        made.append(_new(numbers, entry.slug, at, "verlopen", entry.title, summary, found))
    return made


def rebuild_revisions(
    session: Session,
    replaced: Replaced,
    catalogue: Catalogue,
    fronts: Mapping[str, Mapping[str, Any]],
    previous_epoch: str | None,
    at: dt.datetime,
    note: str | None = None,
) -> list[EntryRevision]:
    """The revisions `kb index` makes by replacing `replaced` with `catalogue`, added to
    `session`.

    Args:
        fronts: Each new entry's front matter as JSON, by slug (as its row will hold it).
        previous_epoch: The evidence epoch the replaced rows were indexed for (None when unknown),
            so that ratings which expired since are recorded as such.
        note: Why this indexing happened (e.g. the proposal an editor approved).
    """
    numbers = _next_revisions(session)
    if not numbers:
        baseline = [
            _new(numbers, e.slug, at, "nieuw", e.title, _new_summary(e), note=note, baseline=True)
            for e in catalogue
        ]
        session.add_all(baseline)
        return baseline
    made = (
        expiry_revisions(session, catalogue, previous_epoch, at, numbers)
        if previous_epoch is not None
        else []
    )
    day = catalogue.day
    for entry in catalogue:
        if entry.slug not in replaced.slugs:
            made.append(
                _new(numbers, entry.slug, at, "nieuw", entry.title, _new_summary(entry), note=note)
            )
            continue
        old = replaced.differing.get(entry.slug)
        found = field_changes(old, entry, day, fronts.get(entry.slug)) if old else []
        if found:
            summary = changed_summary(found)
            made.append(
                _new(numbers, entry.slug, at, "gewijzigd", entry.title, summary, found, note)
            )
    for slug in sorted(replaced.slugs - set(catalogue.by_slug)):
        title = replaced.differing[slug].title if slug in replaced.differing else slug
        summary = "Uit de kennisbank verwijderd."
        made.append(_new(numbers, slug, at, "verwijderd", title, summary, note=note))
    session.add_all(made)
    return made


def _new_summary(entry: Entry) -> str:
    return f"Nieuw in de kennisbank: {entry.title}."


# --- Reading -------------------------------------------------------------------------------------


def history(session: Session, slug: str) -> list[Revision]:
    """Every revision of one entry, newest first (also of an entry that was removed)."""
    rows = session.scalars(
        select(EntryRevision)
        .where(EntryRevision.slug == slug)
        .order_by(EntryRevision.revision.desc())
    ).all()
    return [Revision.model_validate(row) for row in rows]


def changes(session: Session, params: ChangesParams) -> ChangesPage:
    """What changed in the knowledge base, newest first; baselines are no news (module doc)."""
    page, per_page = params.page, params.per_page
    query = select(EntryRevision).where(EntryRevision.baseline.is_(False))
    if params.since is not None:
        query = query.where(EntryRevision.at >= params.since)
    if params.kind is not None:
        query = query.where(EntryRevision.kind == params.kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(EntryRevision.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    items = [_change_item(row) for row in rows]
    return ChangesPage(total=total, page=page, per_page=per_page, items=items)


def _change_item(row: EntryRevision) -> ChangeItem:
    item = ChangeItem.model_validate(row)
    item.topics = topics(row.kind, item.changes)
    return item


def latest_change_at(session: Session) -> dt.datetime | None:
    """When the knowledge base last changed (its first indexing included)."""
    return session.scalar(select(func.max(EntryRevision.at)))


# --- Showing a value ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownRevision:
    """A revision as the entry page lists it: its changes as lines of text."""

    revision: int
    at: dt.datetime
    kind_label: str
    summary: str
    note: str | None
    changes: list[tuple[str, str, str]]


def shown_history(revisions: Sequence[Revision]) -> list[ShownRevision]:
    return [
        ShownRevision(
            revision=r.revision,
            at=r.at,
            kind_label=REVISION_KIND_LABELS.get(r.kind, r.kind),
            summary=r.summary,
            note=r.note,
            changes=[
                (c.field, display_value(c.field, c.old), display_value(c.field, c.new))
                for c in r.changes
            ],
        )
        for r in revisions
    ]
