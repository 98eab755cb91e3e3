"""Knowledge-base rules: validate a search, run it, and read one entry. No web framework here."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kb.errors import FieldError, InvalidInputError, UnknownNameError, dutch_field_errors
from kb.interventions.analytics import SearchStats
from kb.interventions.catalogue import Catalogue
from kb.interventions.schemas import Entry, SearchItem, SearchPage
from kb.metrics import SEARCH_SECONDS
from kb.regions import register
from kb.search.base import SearchBackend, SearchQuery, SearchResult
from kb.vocabulary import (
    ARRONDISSEMENTS,
    AUDIENCES,
    CONTRAINDICATIONS,
    FORMATS,
    KINDS,
    ROUTES,
    STATUSES,
)

__all__ = ["MAX_QUERY_LENGTH", "InterventionService", "SearchParams"]

MAX_QUERY_LENGTH = 500
MAX_PLACE_LENGTH = 100
_CODES: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "status": STATUSES,
    "audience": AUDIENCES,
    "route": ROUTES,
    "format": FORMATS,
    "contraindication_free": CONTRAINDICATIONS,
    "arrondissement": ARRONDISSEMENTS,
}


class SearchParams(BaseModel):
    """The query parameters of the list API and the search page, validated in one place."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: str = Field(default="", description="Vrije tekst, in het Nederlands")
    kind: str | None = Field(default=None, description="Soort: " + ", ".join(KINDS))
    status: str | None = Field(default=None, description="Status: " + ", ".join(STATUSES))
    audience: str | None = Field(default=None, description="Voor wie: " + ", ".join(AUDIENCES))
    age: Annotated[int, Field(ge=0, le=25)] | None = Field(
        default=None, description="Leeftijd van een kind"
    )
    glasl_phase: Annotated[int, Field(ge=1, le=3)] | None = Field(
        default=None, description="Conflictfase 1–3"
    )
    route: str | None = Field(default=None, description="Toegang: " + ", ".join(ROUTES))
    format: str | None = Field(default=None, description="Vorm: " + ", ".join(FORMATS))
    evidence_min: Annotated[int, Field(ge=0, le=5)] | None = Field(
        default=None, description="Bewijsniveau minimaal, 0–5"
    )
    municipality: Annotated[str, Field(max_length=MAX_PLACE_LENGTH)] | None = Field(
        default=None,
        description="Gemeente (ook een oude naam); vindt hulp in die gemeente, haar provincie of "
        "haar arrondissement, en landelijke hulp",
    )
    arrondissement: str | None = Field(default=None, description="Arrondissement")
    contraindication_free: str | None = Field(
        default=None,
        description="Alleen zonder deze contra-indicatie: " + ", ".join(CONTRAINDICATIONS),
    )
    page: Annotated[int, Field(ge=1, le=10_000)] = Field(default=1, description="Pagina, vanaf 1")
    per_page: Annotated[int, Field(ge=1, le=100)] = Field(
        default=20, description="Resultaten per pagina, 1–100"
    )

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: Any, info: Any) -> Any:
        # An empty form field (`?kind=`) means "no filter", as browsers send it.
        if value == "" and info.field_name not in {"q"}:
            return None
        return value

    @field_validator("q")
    @classmethod
    def _trim_query(cls, value: str) -> str:
        # Very long text is cut rather than refused: a pasted paragraph still gets an answer.
        return value[:MAX_QUERY_LENGTH]

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> SearchParams:
        """Validate raw parameters; unknown codes and bad numbers raise `InvalidInputError`."""
        errors = [
            FieldError(
                ("query", name), f"Onbekende waarde '{value}'. Kies uit: {', '.join(allowed)}."
            )
            for name, allowed in _CODES.items()
            if (value := str(raw.get(name) or "").strip()) and value not in allowed
        ]
        place, did_you_mean = _municipality(raw.get("municipality"), errors)
        try:
            params = cls.model_validate(raw)
        except ValidationError as exc:
            errors += dutch_field_errors(exc, ("query",))
        if errors:
            raise InvalidInputError(
                "Een of meer zoekparameters zijn ongeldig.", errors, did_you_mean
            )
        # The official name, which the engines index (an old name or "Den Haag" is resolved).
        return params.model_copy(update={"municipality": place}) if place else params

    def to_query(self, facets: bool = True) -> SearchQuery:
        return SearchQuery(**dict(self), facets=facets)


def _municipality(value: Any, errors: list[FieldError]) -> tuple[str | None, list[str] | None]:
    """The official name of the municipality asked for, or an error that suggests names."""
    typed = str(value or "").strip()
    if not typed or len(typed) > MAX_PLACE_LENGTH:
        return None, None  # absent, or too long: the field's own validation says so
    try:
        return register().resolve(typed).name, None
    except UnknownNameError as exc:
        errors.append(FieldError(("query", "municipality"), exc.detail))
        return None, exc.did_you_mean


class InterventionService:
    """Searches the engine and reads entries from the catalogue; the pages and the API call this.

    Args:
        backend: The search engine.
        catalogue: The current catalogue (`CatalogueStore.current`).
        stats: Where searches are counted for the editors; None counts nothing.
    """

    def __init__(
        self,
        backend: SearchBackend,
        catalogue: Callable[[], Catalogue],
        stats: SearchStats | None = None,
    ) -> None:
        self.backend = backend
        self.catalogue = catalogue
        self.stats = stats

    def count_search(self, params: SearchParams, total: int, weak: bool = False) -> None:
        """Count a search for the editors (when this service keeps counts); `weak`: it found
        only a weak any-word answer, which editors need to see as much as nothing found."""
        # Only first pages of real queries: paging through results is not a new search.
        if self.stats is not None and params.q and params.page == 1:
            self.stats.record(params.q, total, weak)

    def _search(self, params: SearchParams) -> SearchResult:
        started = time.perf_counter()
        result = self.backend.search(params.to_query())
        SEARCH_SECONDS.labels(self.backend.name).observe(time.perf_counter() - started)
        return result

    def search(self, params: SearchParams) -> SearchPage:
        result = self._search(params)
        items = [SearchItem(**hit.payload, highlight=hit.highlight) for hit in result.hits]
        return SearchPage(
            total=result.total,
            page=params.page,
            per_page=params.per_page,
            items=items,
            facets=result.facets,
            did_you_mean=result.did_you_mean,
            match=result.match,
            topics=list(result.topics),
        )

    def search_json(self, params: SearchParams) -> tuple[bytes, int, bool]:
        """The API's `SearchPage` as JSON, its total and whether the answer is weak, encoded
        straight from the payloads.

        Payloads are list items already, validated and dumped when indexed (indexing.py);
        building the models again for every request was a fifth of the API's time.
        """
        result = self._search(params)
        items = b"[" + b",".join(hit.item_json() for hit in result.hits) + b"]"
        page = {
            "total": result.total,
            "page": params.page,
            "per_page": params.per_page,
            "items": msgspec.Raw(items),
            "facets": result.facets,
            "did_you_mean": result.did_you_mean,
            "match": result.match,
            "topics": list(result.topics),
        }
        return msgspec.json.encode(page), result.total, result.weak

    def get(self, slug: str) -> Entry:
        """One entry; `NotFoundError` when there is none by that name."""
        return self.catalogue().get(slug)
