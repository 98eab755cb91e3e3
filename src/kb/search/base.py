"""The search contract shared by every engine: the query, the documents, the result, the protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol, runtime_checkable

import msgspec

__all__ = [
    "FACETS",
    "IndexDocument",
    "SearchBackend",
    "SearchHit",
    "SearchQuery",
    "SearchResult",
]

# The facets every engine counts, in the order pages show them. Each maps to a document field.
FACETS: tuple[str, ...] = (
    "kind",
    "status",
    "evidence_level",
    "audience",
    "route",
    "format",
    "glasl_phase",
    "arrondissement",
)


@dataclass(frozen=True)
class IndexDocument:
    """One entry as the engines index it: text to search, codes to filter and count, a payload.

    `payload` is the ready-made list item (contracts.md), returned as is so that a search never
    needs the database.
    """

    slug: str
    title: str
    aliases: tuple[str, ...]
    summary: str
    body: str
    kind: str
    status: str
    evidence_level: int
    flags: tuple[str, ...]
    audience: tuple[str, ...]
    age_min: int | None
    age_max: int | None
    glasl_phases: tuple[int, ...]
    route: tuple[str, ...]
    format: tuple[str, ...]
    contraindications: tuple[str, ...]
    municipalities: tuple[str, ...]
    arrondissements: tuple[str, ...]
    national: bool
    default_rank: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class SearchQuery:
    """A validated search: free text, filters (all optional, combined with AND) and a page.

    Multi-valued fields (audience, route, format, glasl phases, places) match when the entry has
    the asked value. `age` matches entries whose range holds it or that name no ages; an empty
    `glasl_phases` likewise means "not phase-specific" and matches any phase. `municipality` and
    `arrondissement` match entries offered there or available nationally.
    """

    q: str = ""
    kind: str | None = None
    status: str | None = None
    audience: str | None = None
    age: int | None = None
    glasl_phase: int | None = None
    route: str | None = None
    format: str | None = None
    evidence_min: int | None = None
    municipality: str | None = None
    arrondissement: str | None = None
    contraindication_free: str | None = None
    page: int = 1
    per_page: int = 20
    facets: bool = True

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def without_page(self) -> tuple[Any, ...]:
        """What the results depend on but the page: the text and every filter (a cache key)."""
        return (
            self.q,
            self.kind,
            self.status,
            self.audience,
            self.age,
            self.glasl_phase,
            self.route,
            self.format,
            self.evidence_min,
            self.municipality,
            self.arrondissement,
            self.contraindication_free,
        )

    def active_facet_filters(self) -> dict[str, Any]:
        """Filters that correspond to a facet, keyed by facet name (for disjunctive counts)."""
        pairs = {
            "kind": self.kind,
            "status": self.status,
            "audience": self.audience,
            "route": self.route,
            "format": self.format,
            "glasl_phase": self.glasl_phase,
            "arrondissement": self.arrondissement,
            "evidence_level": self.evidence_min,
        }
        return {k: v for k, v in pairs.items() if v is not None}


@dataclass(frozen=True)
class SearchHit:
    """One result: the indexed payload as JSON, and the summary with the query's words marked.

    The payload stays JSON until something asks for it as a dict: the API copies it into its
    answer as it is (`item_json`), and keeping JSON rather than dicts halves an engine's memory.
    """

    slug: str
    score: float
    payload_json: bytes
    highlight: str | None = None

    @classmethod
    def from_payload(
        cls, slug: str, score: float, payload: Mapping[str, Any], highlight: str | None = None
    ) -> SearchHit:
        return cls(slug, score, msgspec.json.encode(payload), highlight)

    @cached_property
    def payload(self) -> dict[str, Any]:
        decoded = msgspec.json.decode(self.payload_json)
        return decoded if isinstance(decoded, dict) else {}

    def item_json(self) -> bytes:
        """The API's list item: the payload's fields, then `highlight`."""
        head = self.payload_json.rstrip()[:-1].rstrip()  # without the closing brace
        separator = b"," if head != b"{" else b""
        return head + separator + b'"highlight":' + msgspec.json.encode(self.highlight) + b"}"


@dataclass(frozen=True)
class SearchResult:
    """What a search found.

    `match` says how well the results answer the text (`kb.search.analysis.MATCHES`; None
    without text); `topics` what the text is about, from the synonym groups it used.
    """

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    did_you_mean: str | None = None
    match: str | None = None
    topics: tuple[str, ...] = ()

    @property
    def weak(self) -> bool:
        """Only a weak any-word answer: counted for the editors beside searches finding nothing."""
        return self.match == "any"


@runtime_checkable
class SearchBackend(Protocol):
    """What the application needs of a search engine. Implementations: embedded, Meilisearch."""

    name: str

    def index(self, documents: Sequence[IndexDocument]) -> None:
        """Replace the whole index with `documents`, atomically: on failure the old one stays."""
        ...

    def search(self, query: SearchQuery) -> SearchResult:
        """Run `query`; never raise for odd user text (quotes, operators, very long strings)."""
        ...

    def similar(self, text: str, limit: int = 5) -> list[SearchHit]:
        """Entries like `text`, best first, ranked by the engine's own relevance over any of its
        terms ("more like this"): the duplicate-pilot warning of the pilot registry."""
        ...

    def health(self) -> dict[str, Any]:
        """`{"ok": bool, "engine": str, "documents": int, ...}` for the health endpoint."""
        ...
