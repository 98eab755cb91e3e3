"""What differs between an entry as stored and as indexed now, field by field, and how a change
reads in Dutch (a revision's summary, a value in a line of text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from kb.interventions.schemas import Entry, Evidence, Rating
from kb.vocabulary import EVIDENCE_LABELS, SCHEME_LABELS, STATUS_LABELS

__all__ = [
    "BODY_FIELD",
    "EVIDENCE_FIELD",
    "FieldChange",
    "StoredEntry",
    "changed_summary",
    "display_value",
    "expiry_summary",
    "field_changes",
    "topics",
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


@dataclass(frozen=True)
class StoredEntry:
    """An entry as its row held it before indexing replaced it."""

    title: str
    front_matter: Mapping[str, Any]
    body_markdown: str


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


def changed_summary(found: Sequence[FieldChange]) -> str:
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


def expiry_summary(expired: Sequence[Rating], before: int, after: int) -> str:
    each = "; ".join(
        f"{SCHEME_LABELS.get(r.scheme, r.scheme)} ‘{r.label}’, geldig tot {r.valid_until:%d-%m-%Y}"
        for r in expired
        if r.valid_until is not None
    )
    moved = (
        f" Bewijsniveau {_level_text(before)} → {_level_text(after)}." if before != after else ""
    )
    return f"Erkenning verlopen: {each}.{moved}"


# --- Showing a value ---------------------------------------------------------------------------

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
