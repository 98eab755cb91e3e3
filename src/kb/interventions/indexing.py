"""`kb index`: load every content file, then replace the rows and the search index in one go; and
the index again, from the same rows, on the first day a rating has expired since it was built."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, insert, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from kb.db import Meta, read_meta, write_meta
from kb.interventions.catalogue import GENERATION_KEY, Catalogue, CatalogueStore
from kb.interventions.loader import load_entries
from kb.interventions.models import EntryRow
from kb.interventions.places import served_names
from kb.interventions.schemas import Entry
from kb.regions import data_dir as regions_data_dir
from kb.search.base import IndexDocument, SearchBackend
from kb.search.config import load_search_config

__all__ = [
    "EVIDENCE_EPOCH_KEY",
    "IndexReport",
    "Publisher",
    "content_fingerprint",
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


def _row(entry: Entry) -> EntryRow:
    return EntryRow(
        slug=entry.slug,
        title=entry.title,
        kind=entry.kind,
        status=entry.status,
        evidence_level=entry.evidence.level,
        last_reviewed=entry.last_reviewed,
        next_review=entry.next_review,
        front_matter=entry.front_matter(),
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
    engine: Engine, backend: SearchBackend, content_dir: Path, search_dir: Path
) -> IndexReport:
    """Validate everything first; a broken file raises `ContentError` before anything changes.

    The rows are replaced in one transaction and the search index is swapped just before that
    transaction commits, so a failure in either leaves the previous data and index serving.
    """
    entries: Sequence[Entry] = load_entries(content_dir)
    load_search_config(search_dir)
    fingerprint = content_fingerprint(content_dir, search_dir, regions_data_dir())
    catalogue = Catalogue(tuple(entries), fingerprint)
    documents = index_documents(catalogue)
    with Session(engine) as session, session.begin():
        session.execute(delete(EntryRow))
        session.add_all(_row(e) for e in catalogue)
        write_meta(session, GENERATION_KEY, fingerprint)
        write_meta(session, EVIDENCE_EPOCH_KEY, catalogue.evidence_epoch)
        session.flush()
        backend.index(documents)
    return IndexReport(len(catalogue), fingerprint, catalogue)


class Publisher:
    """`rebuild` for a running application: after an editor wrote a content file, the rows and
    the index are built again from `content_dir`, and this process serves the new catalogue at
    once (other processes notice the new generation, as after `kb index`).

    One publication at a time per process: two approvals at once would otherwise each rebuild
    from a folder the other is still writing to.
    """

    def __init__(
        self,
        engine: Engine,
        backend: SearchBackend,
        content_dir: Path,
        search_dir: Path,
        catalogues: CatalogueStore,
    ) -> None:
        self.engine = engine
        self.backend = backend
        self.content_dir = content_dir
        self.search_dir = search_dir
        self.catalogues = catalogues
        self._lock = threading.Lock()

    def publish(self) -> IndexReport:
        """Index `content_dir` again (all or nothing, as `rebuild`) and serve the result."""
        with self._lock:
            report = rebuild(self.engine, self.backend, self.content_dir, self.search_dir)
            self.catalogues.replace(report.catalogue)
            return report


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
            if not _claim_epoch(session, epoch):
                return False
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


def _claim_epoch(session: Session, epoch: str) -> bool:
    # Write first: on SQLite a transaction that read before writing cannot take the write lock
    # once another process committed, and on PostgreSQL the update waits for the other's commit
    # and then finds the epoch already set.
    claimed = session.execute(
        update(Meta)
        .where(Meta.key == EVIDENCE_EPOCH_KEY, Meta.value != epoch)
        .values(value=epoch)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0):
        return True
    if read_meta(session, EVIDENCE_EPOCH_KEY) is None:  # indexed before epochs were kept
        session.execute(insert(Meta).values(key=EVIDENCE_EPOCH_KEY, value=epoch))
        return True
    return False


def index_is_current(engine: Engine, content_dir: Path, search_dir: Path) -> bool:
    with Session(engine) as session:
        stored = read_meta(session, GENERATION_KEY)
    return stored == content_fingerprint(content_dir, search_dir, regions_data_dir())
