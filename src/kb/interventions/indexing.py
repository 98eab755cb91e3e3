"""`kb index`: load every content file, then replace the rows and the search index in one go."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from kb.interventions.documents import build_documents
from kb.interventions.loader import LoadedEntry, load_entries
from kb.interventions.models import Entry, EntryProvider, EntryRating, EntrySource, Meta
from kb.search.base import SearchBackend
from kb.search.config import load_search_config

__all__ = ["IndexReport", "content_fingerprint", "index_is_current", "rebuild"]

FINGERPRINT_KEY = "content_fingerprint"


@dataclass(frozen=True)
class IndexReport:
    entries: int
    fingerprint: str


def content_fingerprint(*folders: Path) -> str:
    """A hash over every file in `folders`, so a start can tell whether content changed."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _entry_row(entry: LoadedEntry) -> Entry:
    front = entry.front
    data = front.model_dump(mode="json")
    return Entry(
        slug=entry.slug,
        title=front.title,
        kind=front.kind,
        status=front.status,
        evidence_level=front.headline_evidence().level,
        verified=front.verified,
        last_reviewed=front.last_reviewed,
        next_review=front.next_review,
        front_matter=data,
        body_markdown=entry.body_markdown,
        body_html=entry.body_html,
        ratings=[
            EntryRating(
                position=i,
                **r.model_dump(mode="json") | {"date": r.date, "valid_until": r.valid_until},
            )
            for i, r in enumerate(front.ratings)
        ],
        providers=[
            EntryProvider(position=i, **p.model_dump(mode="json"))
            for i, p in enumerate(front.providers)
        ],
        sources=[
            EntrySource(position=i, **s.model_dump(mode="json") | {"accessed": s.accessed})
            for i, s in enumerate(front.sources)
        ],
    )


def _set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def rebuild(
    engine: Engine, backend: SearchBackend, content_dir: Path, search_dir: Path
) -> IndexReport:
    """Validate everything first; a broken file raises `ContentError` before anything changes.

    The rows are replaced in one transaction and the search index is swapped just before that
    transaction commits, so a failure in either leaves the previous data and index serving.
    """
    entries = load_entries(content_dir)
    load_search_config(search_dir)
    fingerprint = content_fingerprint(content_dir, search_dir)
    documents = build_documents(entries)
    with Session(engine) as session, session.begin():
        for model in (EntryRating, EntryProvider, EntrySource, Entry):
            session.execute(delete(model))
        session.add_all(_entry_row(e) for e in entries)
        _set_meta(session, FINGERPRINT_KEY, fingerprint)
        session.flush()
        backend.index(documents)
    return IndexReport(entries=len(entries), fingerprint=fingerprint)


def index_is_current(engine: Engine, content_dir: Path, search_dir: Path) -> bool:
    with Session(engine) as session:
        stored = session.scalar(select(Meta.value).where(Meta.key == FINGERPRINT_KEY))
    return stored == content_fingerprint(content_dir, search_dir)
