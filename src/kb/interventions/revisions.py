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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.clock import DUTCH_TIME
from kb.errors import InvalidInputError, dutch_field_errors
from kb.interventions.catalogue import Catalogue
from kb.interventions.models import EntryRevision
from kb.interventions.schemas import Entry, Evidence, Rating
from kb.vocabulary import (
    EVIDENCE_LABELS,
    REVISION_KIND_LABELS,
    SCHEME_LABELS,
    STATUS_LABELS,
    RevisionKind,
)

__all__ = [
    "ChangeItem",
    "ChangesPage",
    "ChangesParams",
    "FieldChange",
    "Replaced",
    "Revision",
    "StoredEntry",
    "changes",
    "display_value",
    "expiry_revisions",
    "history",
    "latest_change_at",
    "rebuild_revisions",
    "shown_history",
]

# Lists whose items are records: a change names the item and its field, not the whole list.
_ITEMISED: dict[str, tuple[str, ...]] = {
    "ratings": ("scheme", "label"),
    "providers": ("name",),
    "sources": ("url",),
}
# The derived value a change of ratings may move: the headline level readers filter on.
EVIDENCE_FIELD = "evidence.level"
BODY_FIELD = "body"
_FIELD_NAMES = {
    "title": "titel",
    "aliases": "andere namen",
    "kind": "soort",
    "summary": "samenvatting",
    "summary_b1": "samenvatting voor ouders",
    "audience": "doelgroep",
    "age_min": "leeftijd vanaf",
    "age_max": "leeftijd tot",
    "glasl_phases": "conflictfasen",
    "divorce_stage": "moment in de scheiding",
    "format": "vorm",
    "sessions": "aantal bijeenkomsten",
    "session_minutes": "duur per bijeenkomst",
    "duration_weeks": "duur",
    "route": "toegang",
    "contraindications": "contra-indicaties",
    "conditions": "voorwaarden",
    "owner": "eigenaar",
    "national": "landelijk beschikbaar",
    "available_in_nl": "in Nederland verkrijgbaar",
    "ratings": "beoordelingen",
    "providers": "aanbieders",
    "pilot": "pilot",
    "sources": "bronnen",
    "verified": "verificatie",
    "related": "zie ook",
    BODY_FIELD: "tekst",
    "last_reviewed": "laatst bekeken",
    "next_review": "volgende controle",
}


class FieldChange(BaseModel):
    """One field's value before and after (null: the field or item did not exist)."""

    field: str
    old: Any = None
    new: Any = None


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
class StoredEntry:
    """An entry as its row held it before indexing replaced it."""

    title: str
    front_matter: Mapping[str, Any]
    body_markdown: str


@dataclass(frozen=True)
class Replaced:
    """What an indexing replaces: the slug of every stored entry, and the stored entries that
    may differ from their new version (the others had the same content hash) or are gone."""

    slugs: frozenset[str]
    differing: Mapping[str, StoredEntry]


# --- Differences -------------------------------------------------------------------------------


def _item_key(item: Any, fields: tuple[str, ...]) -> tuple[Any, ...] | None:
    return tuple(item.get(f) for f in fields) if isinstance(item, dict) else None


def _pairs(
    old: Sequence[Any], new: Sequence[Any], key_fields: tuple[str, ...]
) -> list[tuple[int | None, int | None]]:
    """Old and new items paired by their key (a rating by scheme and label, a source by its url),
    what is left by position, so an edited label reads as a changed item, not a new one."""
    old_left = dict(enumerate(old))
    pairs: list[tuple[int | None, int | None]] = []
    unmatched_new: list[int] = []
    for j, item in enumerate(new):
        key = _item_key(item, key_fields)
        match = next((i for i, o in old_left.items() if _item_key(o, key_fields) == key), None)
        if match is None:
            unmatched_new.append(j)
        else:
            del old_left[match]
            pairs.append((match, j))
    for j in unmatched_new:
        i = j if j in old_left else None
        if i is not None:
            del old_left[i]
        pairs.append((i, j))
    pairs.extend((i, None) for i in old_left)
    return sorted(pairs, key=lambda p: p[1] if p[1] is not None else p[0] or 0)


def _list_changes(name: str, old: Sequence[Any], new: Sequence[Any]) -> list[FieldChange]:
    found: list[FieldChange] = []
    for i, j in _pairs(old, new, _ITEMISED[name]):
        where = f"{name}[{j if j is not None else i}]"
        before = old[i] if i is not None else None
        after = new[j] if j is not None else None
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            for key in [*before, *(k for k in after if k not in before)]:
                if before.get(key) != after.get(key):
                    found.append(
                        FieldChange(field=f"{where}.{key}", old=before.get(key), new=after.get(key))
                    )
        else:
            found.append(FieldChange(field=where, old=before, new=after))
    return found


def _level(front_matter: Mapping[str, Any], day: dt.date) -> int | None:
    """The headline level the front matter's ratings give on `day`; None if they no longer
    validate (a row written under an older schema)."""
    try:
        ratings = [Rating.model_validate(r) for r in front_matter.get("ratings") or []]
    except ValueError:
        return None
    return Evidence.from_ratings(ratings, day).level


def field_changes(
    old: StoredEntry, new: Entry, day: dt.date, new_front: Mapping[str, Any] | None = None
) -> list[FieldChange]:
    """Every field that differs between the stored entry and the new one, in the order of the
    front matter; then the body, and the headline level on `day` when the ratings moved it.

    Args:
        new_front: `new.front_matter()`, when the caller has it already.
    """
    before, after = old.front_matter, new_front or new.front_matter()
    found: list[FieldChange] = []
    for name in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        if name in _ITEMISED and isinstance(a, list) and isinstance(b, list):
            found += _list_changes(name, a, b)
        else:
            found.append(FieldChange(field=name, old=a, new=b))
    if old.body_markdown != new.body_markdown:
        found.append(FieldChange(field=BODY_FIELD, old=old.body_markdown, new=new.body_markdown))
    level_before, level_after = _level(before, day), new.evidence_on(day).level
    if found and level_before is not None and level_before != level_after:
        found.append(FieldChange(field=EVIDENCE_FIELD, old=level_before, new=level_after))
    return found


def topics(kind: str, found: Iterable[FieldChange]) -> list[str]:
    """What a follower may care about in a revision: ratings or the level, the status."""
    names = {c.field.split("[", 1)[0].split(".", 1)[0] for c in found}
    about: list[str] = []
    if kind == "verlopen" or names & {"ratings", "evidence"}:
        about.append("beoordeling")
    if "status" in names:
        about.append("status")
    return about


# --- Summaries, in Dutch -------------------------------------------------------------------------


def _level_text(level: Any) -> str:
    return f"{level} ({EVIDENCE_LABELS.get(int(level), '')})" if isinstance(level, int) else "?"


def _changed_summary(found: Sequence[FieldChange]) -> str:
    parts: list[str] = []
    by_field = {c.field: c for c in found}
    if status := by_field.get("status"):
        parts.append(
            f"status {STATUS_LABELS.get(str(status.old), str(status.old)).lower()} → "
            f"{STATUS_LABELS.get(str(status.new), str(status.new)).lower()}"
        )
    if level := by_field.get(EVIDENCE_FIELD):
        parts.append(f"bewijsniveau {_level_text(level.old)} → {_level_text(level.new)}")
    names: list[str] = []
    for change in found:
        name = change.field.split("[", 1)[0].split(".", 1)[0]
        if name in {"status", "evidence"}:
            continue
        shown = _FIELD_NAMES.get(name, name)
        if shown not in names:
            names.append(shown)
    if names:
        parts.append(("gewijzigd: " if parts else "") + ", ".join(names))
    text = "; ".join(parts) or "gewijzigd"
    return text[0].upper() + text[1:] + "."


def _expiry_summary(expired: Sequence[Rating], before: int, after: int) -> str:
    each = "; ".join(
        f"{SCHEME_LABELS.get(r.scheme, r.scheme)} ‘{r.label}’, geldig tot {r.valid_until:%d-%m-%Y}"
        for r in expired
        if r.valid_until is not None
    )
    moved = (
        f" Bewijsniveau {_level_text(before)} → {_level_text(after)}." if before != after else ""
    )
    return f"Erkenning verlopen: {each}.{moved}"


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
        summary = _expiry_summary(expired, before, after)
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
            summary = _changed_summary(found)
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

SHOWN_CHARACTERS = 160


def display_value(field: str, value: Any) -> str:
    """A field's value in a line of text (the entry page, the feed): lists joined, records as
    `name: value`, long text cut, the body only by its length."""
    if value is None or value == []:
        return "—"
    if field == BODY_FIELD and isinstance(value, str):
        return f"tekst van {len(value)} tekens"
    text = _plain(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items() if v not in (None, [], ""))
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    return str(value)


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
