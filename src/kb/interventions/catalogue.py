"""The knowledge base as its readers need it: every entry of one index generation, read once.

Matching, the desk, comparisons, handouts, the report and the entry pages read the `Catalogue`;
nothing lists entries by paging through a search engine. `CatalogueStore` keeps the current one
and loads a new one when the content in the database changed (another process ran `kb index`, or
another worker approved a proposal), and orders it again each day: ratings expire while the
content stays the same (domain.md §9.3).

How a worker learns of another's indexing: every indexing rewrites a small file beside the
search index after its commit (`GenerationSignal`), and each request compares that file's
identity (one `stat`, about a microsecond) with the one its catalogue was loaded under, so the
next request after an approval on one worker is answered from the new generation on every
worker. Processes on other machines (PostgreSQL with Meilisearch) share no such file: for them
the database's generation is still asked at most once a second.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kb.clock import today
from kb.db import read_meta
from kb.errors import NotFoundError
from kb.interventions.models import EntryRow
from kb.interventions.schemas import Entry

__all__ = [
    "CANDIDATE_KINDS",
    "CANDIDATE_STATUSES",
    "GENERATION_KEY",
    "NEVER_RECOMMENDED_FLAGS",
    "Catalogue",
    "CatalogueStore",
    "GenerationSignal",
    "evidence_epoch",
    "is_candidate",
]

# The content fingerprint `kb index` stores with the rows: a new one is a new generation.
GENERATION_KEY = "content_fingerprint"
# domain.md §4.3: what may be recommended for a case or to a parent at all.
CANDIDATE_KINDS = frozenset({"interventie", "voorziening", "pilot"})
CANDIDATE_STATUSES = frozenset({"actief", "lopend"})
# Shown in the knowledge base (the Taskforce wants harm visible) but never recommended.
NEVER_RECOMMENDED_FLAGS = frozenset({"schadelijk", "geen_effect"})


def is_candidate(entry: Entry) -> bool:
    """A running kind of help that can be had in the Netherlands and that no rating found harmful
    or without effect (domain.md §4.3, §9.2)."""
    return (
        entry.kind in CANDIDATE_KINDS
        and entry.status in CANDIDATE_STATUSES
        and entry.available_in_nl
        and not NEVER_RECOMMENDED_FLAGS.intersection(entry.evidence.flags)
    )


def evidence_epoch(entries: Iterator[Entry] | tuple[Entry, ...], day: dt.date) -> str:
    """What the headline levels on `day` depend on beyond the content: the last validity that
    ended before it. Two days with the same epoch have the same levels; an index built on one
    serves the other."""
    ended = [
        r.valid_until
        for entry in entries
        for r in entry.ratings
        if r.valid_until is not None and r.valid_until < day
    ]
    return max(ended).isoformat() if ended else ""


@dataclass(frozen=True)
class Catalogue:
    """Every entry, strongest evidence first then by title, by slug, and the candidates for
    matching, as on `day`. Immutable: a new generation or a new day is a new catalogue."""

    entries: tuple[Entry, ...]
    generation: str = ""
    day: dt.date = field(default_factory=today)
    by_slug: Mapping[str, Entry] = field(init=False, repr=False)
    candidates: tuple[Entry, ...] = field(init=False, repr=False)
    titles: Mapping[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.entries, key=Entry.default_rank_key))
        object.__setattr__(self, "entries", ordered)
        object.__setattr__(self, "by_slug", MappingProxyType({e.slug: e for e in ordered}))
        object.__setattr__(self, "candidates", tuple(e for e in ordered if is_candidate(e)))
        object.__setattr__(self, "titles", MappingProxyType({e.slug: e.title for e in ordered}))

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, slug: object) -> bool:
        return slug in self.by_slug

    def get(self, slug: str) -> Entry:
        entry = self.by_slug.get(slug)
        if entry is None:
            raise NotFoundError(f"Er is geen item met de naam '{slug}'.")
        return entry

    def by_title(self) -> list[Entry]:
        """Every entry alphabetically: what forms offer to choose from."""
        return sorted(self.entries, key=lambda e: e.title.casefold())

    @property
    def evidence_epoch(self) -> str:
        """See `evidence_epoch`: what the index must have been built for."""
        return evidence_epoch(self.entries, self.day)

    def on(self, day: dt.date) -> Catalogue:
        """The same entries as on `day`."""
        return self if day == self.day else Catalogue(self.entries, self.generation, day)


def load_catalogue(session: Session) -> Catalogue:
    """The catalogue of the entries in the database (their bodies as HTML, not Markdown)."""
    rows = session.execute(select(EntryRow.slug, EntryRow.front_matter, EntryRow.body_html)).all()
    entries = [
        Entry.model_validate(front | {"slug": slug, "body_html": html})
        for slug, front, html in rows
    ]
    return Catalogue(tuple(entries), read_meta(session, GENERATION_KEY) or "")


class GenerationSignal:
    """A file whose identity changes each time a new generation is committed (module doc).

    `bump` replaces it (a new inode, a new modification time); `token` is what a reader compares,
    None while it does not exist.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def bump(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(f"{time.time_ns()}\n", encoding="utf-8")
        os.replace(tmp, self.path)

    def token(self) -> tuple[int, int] | None:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_mtime_ns


class CatalogueStore:
    """The current catalogue of one process, shared by its requests and threads.

    Args:
        on_new_catalogue: Called with every catalogue this store starts serving (a new
            generation or a new day), under its lock; the app re-indexes there when a rating
            expired since the search index was built.
        signal: Where indexing in another process announces a new generation; checked on
            every call, the database only when it changed or a second has passed.
    """

    def __init__(
        self,
        engine: Engine,
        recheck_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        on_new_catalogue: Callable[[Catalogue], object] | None = None,
        signal: GenerationSignal | None = None,
    ) -> None:
        self._engine = engine
        self._recheck_seconds = recheck_seconds
        self._clock = clock
        self._on_new_catalogue = on_new_catalogue
        self._signal = signal
        self._lock = threading.Lock()
        self._catalogue: Catalogue | None = None
        self._checked_at = 0.0
        self._seen: tuple[int, int] | None = None

    def current(self) -> Catalogue:
        """The catalogue of the generation in the database as on today's date, loaded when the
        content changed and ordered again when the date did."""
        catalogue = self._catalogue
        seen = self._signal.token() if self._signal is not None else None
        if (
            catalogue is not None
            and seen == self._seen
            and self._clock() - self._checked_at < self._recheck_seconds
        ):
            return catalogue
        with self._lock:
            if (
                self._catalogue is not None
                and seen == self._seen
                and self._clock() - self._checked_at < self._recheck_seconds
            ):
                return self._catalogue  # another thread has just looked
            # Read before the database: a signal that changes in between is seen next time.
            self._seen = seen
            day = today()
            with Session(self._engine) as session:
                generation = read_meta(session, GENERATION_KEY) or ""
                if self._catalogue is None or self._catalogue.generation != generation:
                    self._serve(load_catalogue(session))
            assert self._catalogue is not None
            if self._catalogue.day != day:
                self._serve(self._catalogue.on(day))
            self._checked_at = self._clock()
            return self._catalogue

    def replace(self, catalogue: Catalogue) -> None:
        """Serve `catalogue` from now on (after this process indexed new content itself)."""
        with self._lock:
            self._catalogue = catalogue
            self._checked_at = self._clock()

    def _serve(self, catalogue: Catalogue) -> None:
        if self._on_new_catalogue is not None:
            self._on_new_catalogue(catalogue)
        self._catalogue = catalogue
