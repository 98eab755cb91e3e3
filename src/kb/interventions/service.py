"""Knowledge-base rules: validate a search, run it, and read one entry. No web framework here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kb.errors import FieldError, InvalidInputError, NotFoundError
from kb.interventions.analytics import SearchStats
from kb.interventions.models import Entry
from kb.interventions.schemas import (
    ARRONDISSEMENTS,
    AUDIENCES,
    CONTRAINDICATIONS,
    FORMATS,
    KINDS,
    ROUTES,
    STATUSES,
    EntryDetail,
    Evidence,
    SearchItem,
    SearchPage,
)
from kb.search.base import SearchBackend, SearchQuery

__all__ = ["MAX_QUERY_LENGTH", "InterventionService", "SearchParams"]

MAX_QUERY_LENGTH = 500
_CODES: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "status": STATUSES,
    "audience": AUDIENCES,
    "route": ROUTES,
    "format": FORMATS,
    "contraindication_free": CONTRAINDICATIONS,
    "arrondissement": ARRONDISSEMENTS,
}
_MESSAGES = {
    "int_parsing": "Moet een geheel getal zijn.",
    "int_type": "Moet een geheel getal zijn.",
    "greater_than_equal": "Moet minstens {ge} zijn.",
    "less_than_equal": "Mag hoogstens {le} zijn.",
    "string_too_long": "Te lang.",
    "bool_parsing": "Moet waar of onwaar zijn.",
}


class SearchParams(BaseModel):
    """The query parameters of the list API and the search page, validated in one place."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: str = ""
    kind: str | None = None
    status: str | None = None
    audience: str | None = None
    age: Annotated[int, Field(ge=0, le=25)] | None = None
    glasl_phase: Annotated[int, Field(ge=1, le=3)] | None = None
    route: str | None = None
    format: str | None = None
    evidence_min: Annotated[int, Field(ge=0, le=5)] | None = None
    municipality: Annotated[str, Field(max_length=100)] | None = None
    arrondissement: str | None = None
    contraindication_free: str | None = None
    page: Annotated[int, Field(ge=1, le=10_000)] = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20

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
        try:
            params = cls.model_validate(raw)
        except ValidationError as exc:
            errors += [FieldError(("query", str(e["loc"][0])), _message(e)) for e in exc.errors()]
        if errors:
            raise InvalidInputError("Een of meer zoekparameters zijn ongeldig.", errors)
        return params

    def to_query(self, facets: bool = True) -> SearchQuery:
        return SearchQuery(**self.model_dump(), facets=facets)


def _message(error: Any) -> str:
    template = _MESSAGES.get(error["type"], "Ongeldige waarde.")
    return template.format(**(error.get("ctx") or {}))


class InterventionService:
    """Searches the engine and reads entries from the database; both pages and API call this."""

    def __init__(
        self,
        backend: SearchBackend,
        session: Session | None = None,
        stats: SearchStats | None = None,
    ) -> None:
        self.backend = backend
        self.session = session
        self.stats = stats

    def count_search(self, params: SearchParams, total: int) -> None:
        """Count a search for the editors (when this service keeps counts)."""
        # Only first pages of real queries: paging through results is not a new search.
        if self.stats is not None and params.q and params.page == 1:
            self.stats.record(params.q, total)

    def search(self, params: SearchParams) -> SearchPage:
        result = self.backend.search(params.to_query())
        items = [SearchItem(**hit.payload, highlight=hit.highlight) for hit in result.hits]
        return SearchPage(
            total=result.total,
            page=params.page,
            per_page=params.per_page,
            items=items,
            facets=result.facets,
            did_you_mean=result.did_you_mean,
        )

    def search_json(self, params: SearchParams) -> tuple[bytes, int]:
        """The API's `SearchPage` as JSON, and its total, encoded straight from the payloads.

        Payloads are `SearchItem`s already, validated and dumped when indexed (documents.py);
        building the models again for every request was a fifth of the API's time.
        """
        result = self.backend.search(params.to_query())
        items = b"[" + b",".join(hit.item_json() for hit in result.hits) + b"]"
        page = {
            "total": result.total,
            "page": params.page,
            "per_page": params.per_page,
            "items": msgspec.Raw(items),
            "facets": result.facets,
            "did_you_mean": result.did_you_mean,
        }
        return msgspec.json.encode(page), result.total

    def get(self, slug: str, today: dt.date | None = None) -> EntryDetail:
        if self.session is None:
            raise RuntimeError("InterventionService.get needs a database session")
        entry = self.session.scalar(
            select(Entry)
            .where(Entry.slug == slug)
            .options(
                selectinload(Entry.ratings),
                selectinload(Entry.providers),
                selectinload(Entry.sources),
            )
        )
        if entry is None:
            raise NotFoundError(f"Er is geen item met de naam '{slug}'.")
        return _detail(entry, today or dt.date.today())


def _detail(entry: Entry, today: dt.date) -> EntryDetail:
    data = dict(entry.front_matter)
    # Ratings, providers and sources come from their own rows: those are what queries use.
    data["ratings"] = [
        {
            "scheme": r.scheme,
            "label": r.label,
            "level": r.level,
            "date": r.date,
            "valid_until": r.valid_until,
            "committee": r.committee,
            "source_url": r.source_url,
            "flags": r.flags,
            "superseded": r.superseded,
            "note": r.note,
        }
        for r in entry.ratings
    ]
    data["providers"] = [
        {
            "name": p.name,
            "municipalities": p.municipalities,
            "province": p.province,
            "arrondissement": p.arrondissement,
            "url": p.url,
            "waiting_weeks": p.waiting_weeks,
            "cost": p.cost,
        }
        for p in entry.providers
    ]
    data["sources"] = [
        {"title": s.title, "url": s.url, "accessed": s.accessed, "note": s.note}
        for s in entry.sources
    ]
    detail = EntryDetail.model_validate(
        data
        | {
            "slug": entry.slug,
            "evidence": Evidence(level=0, label="", flags=[]),
            "body_html": entry.body_html,
            "stale": entry.next_review < today,
        }
    )
    detail.evidence = detail.headline_evidence()
    return detail
