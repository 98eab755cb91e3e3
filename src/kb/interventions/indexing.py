"""`kb index`: load every content file, then replace the rows and the search index in one go,
recording what changed as revisions; and the index again, from the same rows, on the first day
a rating has expired since it was built."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from kb.clock import utcnow
from kb.db import Meta, read_meta, write_meta
from kb.interventions.catalogue import (
    GENERATION_KEY,
    Catalogue,
    CatalogueStore,
    GenerationSignal,
)
from kb.interventions.diffs import StoredEntry
from kb.interventions.loader import load_entries
from kb.interventions.models import EntryRow
from kb.interventions.places import served_names
from kb.interventions.revisions import Replaced, expiry_revisions, rebuild_revisions
from kb.interventions.schemas import Entry
from kb.regions import data_dir as regions_data_dir
from kb.search.base import IndexDocument, SearchBackend
from kb.search.config import load_search_config

__all__ = [
    "EVIDENCE_EPOCH_KEY",
    "IndexReport",
    "Publisher",
    "Reindexer",
    "content_fingerprint",
    "content_hash",
    "index_documents",
    "index_is_current",
    "rebuild",
    "reindex_expired",
]

logger = logging.getLogger(__name__)

# The `evidence_epoch` the rows' levels and the search index were computed for.
EVIDENCE_EPOCH_KEY = "evidence_epoch"


@dataclass(frozen=True)
class IndexReport:
    entries: int
    fingerprint: str
    catalogue: Catalogue


def content_fingerprint(*folders: Path) -> str:
    """A hash over every file in `folders`, so a start can tell whether content changed."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def content_hash(front: Mapping[str, Any], body_markdown: str) -> str:
    """What a row's content is, in 64 characters: the next indexing reads again only the rows
    whose hash differs, to record what changed in them."""
    digest = hashlib.sha256(
        json.dumps(front, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    )
    digest.update(b"\0" + body_markdown.encode())
    return digest.hexdigest()


def _row(entry: Entry, front: dict[str, Any]) -> EntryRow:
    return EntryRow(
        slug=entry.slug,
        content_hash=content_hash(front, entry.body_markdown),
        title=entry.title,
        kind=entry.kind,
        status=entry.status,
        evidence_level=entry.evidence.level,
        last_reviewed=entry.last_reviewed,
        next_review=entry.next_review,
        front_matter=front,
        body_markdown=entry.body_markdown,
        body_html=entry.body_html,
    )


# What an engine's document takes over from the entry as it is, and what it takes as a tuple.
_AS_IS = ("slug", "title", "summary", "kind", "status", "age_min", "age_max", "national")
_AS_TUPLE = (
    "aliases",
    "audience",
    "glasl_phases",
    "route",
    "format",
    "contraindications",
    "arrondissements",
)


def _document(entry: Entry, default_rank: int) -> IndexDocument:
    """The search engines' view of an entry; `payload` is its list item, returned as is."""
    taken: dict[str, Any] = {name: getattr(entry, name) for name in _AS_IS}
    taken |= {name: tuple(getattr(entry, name)) for name in _AS_TUPLE}
    return IndexDocument(
        **taken,
        # Young people's own words (summary_jongeren) are searched with the body, so "mag ik zelf
        # naar de rechter" finds the entries written for them.
        body="\n\n".join(t for t in (entry.body_markdown, entry.summary_jongeren) if t),
        evidence_level=entry.evidence.level,
        flags=tuple(entry.evidence.flags),
        # Every municipality its providers serve, so a municipality filter also finds help
        # named by province or arrondissement (contracts.md, Regions).
        municipalities=served_names(entry),
        default_rank=default_rank,
        payload=entry.list_item().model_dump(mode="json", exclude={"highlight"}),
    )


def index_documents(catalogue: Catalogue) -> list[IndexDocument]:
    """Every entry as the engines index it, ranked by the catalogue's default order."""
    return [_document(entry, rank) for rank, entry in enumerate(catalogue)]


def rebuild(
    engine: Engine,
    backend: SearchBackend,
    content_dir: Path,
    search_dir: Path,
    *,
    note: str | None = None,
    signal: GenerationSignal | None = None,
) -> IndexReport:
    """Validate everything first; a broken file raises `ContentError` before anything changes.

    The rows are replaced in one transaction, with a revision for every entry that changed
    (`revisions`), and the search index is swapped just before that transaction commits, so a
    failure in either leaves the previous data and index serving. Once committed, `signal` tells
    the other processes of this installation to load the new generation at their next request.

    Args:
        note: Why this indexing happened, kept with its revisions (e.g. an approved proposal).
    """
    entries: Sequence[Entry] = load_entries(content_dir)
    load_search_config(search_dir)
    fingerprint = content_fingerprint(content_dir, search_dir, regions_data_dir())
    catalogue = Catalogue(tuple(entries), fingerprint)
    documents = index_documents(catalogue)
    fronts = {entry.slug: entry.front_matter() for entry in catalogue}
    rows = [_row(entry, fronts[entry.slug]) for entry in catalogue]
    with Session(engine) as session, session.begin():
        # Take the write lock before reading what is replaced (see `_lock_knowledge_base`).
        _lock_knowledge_base(session)
        replaced = _replaced(session, {row.slug: row.content_hash for row in rows})
        previous_epoch = read_meta(session, EVIDENCE_EPOCH_KEY)
        rebuild_revisions(session, replaced, catalogue, fronts, previous_epoch, utcnow(), note)
        session.execute(delete(EntryRow))
        session.add_all(rows)
        write_meta(session, GENERATION_KEY, fingerprint)
        write_meta(session, EVIDENCE_EPOCH_KEY, catalogue.evidence_epoch)
        session.flush()
        backend.index(documents)
    if signal is not None:
        _announce(signal)
    return IndexReport(len(catalogue), fingerprint, catalogue)


def _announce(signal: GenerationSignal) -> None:
    # Committed already: a signal that cannot be written (a full disk) must not make the
    # indexing look failed. The workers then learn of it by asking the database, within
    # KB_GENERATION_CHECK_SECONDS.
    try:
        signal.bump()
    except OSError:
        logger.warning("Could not announce the new generation in %s", signal.path, exc_info=True)


def _lock_knowledge_base(session: Session) -> None:
    """Write before reading: the rows read for the revisions must be the ones this transaction
    replaces. On SQLite a write takes the one write lock (a transaction that read first could
    not take it once another process committed); on PostgreSQL the row lock makes a second
    indexing wait for the first's commit and then read what it wrote."""
    session.execute(
        update(Meta)
        .where(Meta.key == GENERATION_KEY)
        .values(value=Meta.value)
        .execution_options(synchronize_session=False)
    )


_READ_AT_ONCE = 500  # slugs per query: far below SQLite's limit of parameters


def _replaced(session: Session, new_hashes: Mapping[str, str | None]) -> Replaced:
    """The stored slugs, and the stored entries whose content differs from the new (or is gone):
    only those are read whole, so an indexing that changes one entry of 10,000 parses one."""
    stored = session.execute(select(EntryRow.slug, EntryRow.content_hash)).all()
    differing = [slug for slug, held in stored if held is None or held != new_hashes.get(slug)]
    entries: dict[str, StoredEntry] = {}
    for start in range(0, len(differing), _READ_AT_ONCE):
        chunk = differing[start : start + _READ_AT_ONCE]
        rows = session.execute(
            select(
                EntryRow.slug, EntryRow.title, EntryRow.front_matter, EntryRow.body_markdown
            ).where(EntryRow.slug.in_(chunk))
        ).all()
        entries |= {slug: StoredEntry(title, front, body) for slug, title, front, body in rows}
    return Replaced(frozenset(slug for slug, _ in stored), entries)


@dataclass
class Reindexer:
    """Index `content/` again from inside a running app (an approved proposal wrote a file):
    this process serves the new catalogue at once, the others at their next request."""

    engine: Engine
    backend: SearchBackend
    content_dir: Path
    search_dir: Path
    store: CatalogueStore
    signal: GenerationSignal | None = None

    def __call__(self, note: str | None = None) -> IndexReport:
        report = rebuild(
            self.engine,
            self.backend,
            self.content_dir,
            self.search_dir,
            note=note,
            signal=self.signal,
        )
        self.store.replace(report.catalogue)
        return report


class Publisher:
    """An editor's approval (kb.proposals): index `content_dir` again through the `Reindexer`,
    one publication at a time per process: two approvals at once would otherwise each rebuild
    from a folder the other is still writing to."""

    def __init__(self, reindexer: Reindexer) -> None:
        self.reindexer = reindexer
        self._lock = threading.Lock()

    @property
    def content_dir(self) -> Path:
        return self.reindexer.content_dir

    def publish(self, note: str | None = None) -> IndexReport:
        """Index again (all or nothing, as `rebuild`) and serve the result; `note` is public in
        the entries' history, so it never names a person."""
        with self._lock:
            return self.reindexer(note=note)


def reindex_expired(engine: Engine, backend: SearchBackend, catalogue: Catalogue) -> bool:
    """Index `catalogue` again when a rating expired since the index was built; True if it did.

    The levels in the search index (its filters, facets, order and list items) and in the rows
    were computed on the day of indexing. The first process to see a new epoch claims it in the
    database — a conditional update, so that of several workers exactly one re-indexes while the
    others wait for its commit and find the epoch taken — and swaps the index before committing,
    as `rebuild` does; the others' engines then notice the new index generation.
    """
    if not catalogue.generation:
        # Nothing was indexed into this database (a new or test database beside an index built
        # elsewhere): its empty catalogue must not replace that index.
        return False
    epoch = catalogue.evidence_epoch
    try:
        with Session(engine) as session, session.begin():
            claimed, previous = _claim_epoch(session, epoch)
            if not claimed:
                return False
            if previous is not None:
                # The day's first catalogue records what expired, as `kb index` would.
                session.add_all(expiry_revisions(session, catalogue, previous, utcnow()))
            for entry in catalogue:
                session.execute(
                    update(EntryRow)
                    .where(
                        EntryRow.slug == entry.slug, EntryRow.evidence_level != entry.evidence.level
                    )
                    .values(evidence_level=entry.evidence.level)
                )
            backend.index(index_documents(catalogue))
    except IntegrityError:
        return False  # another process inserted the first epoch at the same moment
    except OperationalError:
        # SQLite gave up waiting for the write lock: another process holds it while it indexes
        # this same epoch, and this process's engine picks up that index when it is swapped in.
        logger.warning("Re-indexing after an expired rating left to another process", exc_info=True)
        return False
    return True


def _claim_epoch(session: Session, epoch: str) -> tuple[bool, str | None]:
    """Whether this process takes `epoch` over, and the epoch it replaces (None: unknown)."""
    # Write first: on SQLite a transaction that read before writing cannot take the write lock
    # once another process committed, and on PostgreSQL the update waits for the other's commit;
    # the read after it then sees what that other process wrote.
    locked = session.execute(
        update(Meta)
        .where(Meta.key == EVIDENCE_EPOCH_KEY)
        .values(value=Meta.value)
        .execution_options(synchronize_session=False)
    )
    if not getattr(locked, "rowcount", 0):  # indexed before epochs were kept
        session.execute(insert(Meta).values(key=EVIDENCE_EPOCH_KEY, value=epoch))
        return True, None
    previous = session.scalar(select(Meta.value).where(Meta.key == EVIDENCE_EPOCH_KEY))
    if previous == epoch:
        return False, previous
    session.execute(
        update(Meta)
        .where(Meta.key == EVIDENCE_EPOCH_KEY)
        .values(value=epoch)
        .execution_options(synchronize_session=False)
    )
    return True, previous


def index_is_current(engine: Engine, content_dir: Path, search_dir: Path) -> bool:
    with Session(engine) as session:
        stored = read_meta(session, GENERATION_KEY)
    return stored == content_fingerprint(content_dir, search_dir, regions_data_dir())
