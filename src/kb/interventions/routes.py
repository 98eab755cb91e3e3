"""HTTP for the knowledge base: `InterventionsApi` (JSON), `InterventionsPages` (HTML), the
editors' search statistics, and the helpers the search page's templates use."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, cast, get_args
from urllib.parse import urlencode

from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.enums import ParamType
from litestar.openapi.spec import OpenAPIType, Operation, Parameter, Schema
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.orm import Session

from kb.interventions.analytics import SearchStats, top_queries, zero_result_queries
from kb.interventions.revisions import history, shown_history
from kb.interventions.schemas import Entry, SearchPage
from kb.interventions.service import InterventionService, SearchParams
from kb.regions import register
from kb.search.config import UNSAFE_TOPIC
from kb.vocabulary import EVIDENCE_LABELS, FILTER_LABELS, JOINT_FORMAT_CONTRAINDICATIONS
from kb.web.auth import requires
from kb.web.pages import alternate, page
from kb.web.templating import label

__all__ = [
    "SEARCH_PAGE_HELPERS",
    "EditorPages",
    "InterventionsApi",
    "InterventionsPages",
    "about_unsafety",
    "active_filters",
    "glasl_steps",
    "joint_format",
    "url_with",
]

API_PATH = "/api/v1/interventions"
SEARCH_PATH = "/interventies"
ANALYTICS_DAYS = 30


@dataclass
class SearchOperation(Operation):
    """The search API in the API document, with the query parameters `SearchParams` reads.

    The handler validates its parameters itself (one place, shared with the search page, with
    Dutch messages), so they are documented here rather than declared one by one: Litestar would
    otherwise parse fourteen parameters on every request only to hand them back unused.
    """

    def __post_init__(self) -> None:
        self.parameters = [
            Parameter(
                name=name,
                param_in=ParamType.QUERY,
                required=False,
                description=field.description,
                schema=Schema(
                    type=_OPENAPI_TYPES.get(_base_type(field.annotation), OpenAPIType.STRING)
                ),
            )
            for name, field in SearchParams.model_fields.items()
        ]


_OPENAPI_TYPES = {int: OpenAPIType.INTEGER, str: OpenAPIType.STRING}


def _base_type(annotation: Any) -> Any:
    """`Annotated[int, …] | None` → `int`."""
    for part in (annotation, *get_args(annotation)):
        if part in _OPENAPI_TYPES:
            return part
        inner = get_args(part)
        if inner and inner[0] in _OPENAPI_TYPES:
            return inner[0]
    return str


def _raw_params(request: Request[Any, Any, Any]) -> dict[str, Any]:
    # Validation lives in SearchParams, shared with the page; Litestar only documents the names.
    return dict(request.query_params.items())


class InterventionsApi(Controller):
    path = API_PATH
    tags = ["Kennisbank"]

    @get(
        "/",
        summary="Zoek in de kennisbank",
        description="Vrije tekst (Nederlands) en filters; facetten tellen disjunctief.",
        operation_class=SearchOperation,
        sync_to_thread=False,
    )
    def search(
        self, request: Request[Any, Any, Any], search_service: NamedDependency[InterventionService]
    ) -> Response[SearchPage]:
        params = SearchParams.parse(_raw_params(request))
        body, total, weak = search_service.search_json(params)
        search_service.count_search(params, total, weak)
        # Already JSON (see `search_json`); the annotation documents its shape.
        return cast(Response[SearchPage], Response(body, media_type=MediaType.JSON))

    @get("/{slug:str}", summary="Eén item met bronnen en beoordelingen", sync_to_thread=False)
    def detail(
        self, slug: FromPath[str], search_service: NamedDependency[InterventionService]
    ) -> Entry:
        return search_service.get(slug)


class InterventionsPages(Controller):
    path = SEARCH_PATH
    include_in_schema = False

    @get("/", sync_to_thread=False)
    def search(
        self, request: Request[Any, Any, Any], search_service: NamedDependency[InterventionService]
    ) -> Template:
        params = SearchParams.parse(_raw_params(request))
        result = search_service.search(params)
        if request.query_params.get("partial") == "1":
            # Search as you type: only the results region, replaced in place by search.js. Not
            # counted: every keystroke would count as a search nobody meant to make.
            return page("interventions/_results.html", params=params, result=result)
        search_service.count_search(params, result.total, result.match == "any")
        return page(
            "interventions/list.html", headers=alternate(API_PATH), params=params, result=result
        )

    @get("/{slug:str}", sync_to_thread=True)
    def detail(
        self,
        slug: FromPath[str],
        search_service: NamedDependency[InterventionService],
        db_session: NamedDependency[Session],
    ) -> Template:
        entry = search_service.get(slug)
        return page(
            "interventions/detail.html",
            headers=alternate(f"{API_PATH}/{slug}"),
            entry=entry,
            history=shown_history(history(db_session, slug)),
        )


class EditorPages(Controller):
    """What editors need to keep the knowledge base useful: what people search, what finds nothing."""

    path = "/redactie"
    include_in_schema = False
    guards = [requires("search_analytics.read")]

    @get("/zoekopdrachten", sync_to_thread=True)
    def search_stats(
        self, db_session: NamedDependency[Session], search_stats: NamedDependency[SearchStats]
    ) -> Template:
        search_stats.flush()  # this worker's latest counts too
        since = dt.date.today() - dt.timedelta(days=ANALYTICS_DAYS)
        return page(
            "editor/search_stats.html",
            days=ANALYTICS_DAYS,
            top=top_queries(db_session, since, limit=50),
            zero=zero_result_queries(db_session, since, limit=50),
        )


# --- What the search page's templates use ----------------------------------------------------

# Filters shown as "active" chips, in the order of the filter form, with the label group of
# their values.
_ACTIVE_FILTERS: dict[str, str | None] = {
    "q": None,
    "kind": "kind",
    "evidence_min": None,
    "audience": "audience",
    "age": None,
    "glasl_phase": "glasl_phase",
    "route": "route",
    "format": "format",
    "status": "status",
    "municipality": None,
    "arrondissement": None,
    "contraindication_free": "contraindication",
}


def url_with(params: SearchParams, **changes: Any) -> str:
    """The search URL for `params` with `changes` applied; `None` removes a filter.

    Any change other than `page` sends the user back to page 1, because the old page number
    means nothing for a different result list. Defaults are left out to keep URLs short.
    """
    values = params.model_dump() | changes
    if "page" not in changes:
        values["page"] = 1
    query = [
        (name, str(values[name]))
        for name, field in SearchParams.model_fields.items()
        if values.get(name) not in (None, "", field.default)
    ]
    encoded = urlencode(query)
    return f"{SEARCH_PATH}?{encoded}" if encoded else SEARCH_PATH


@dataclass(frozen=True)
class ActiveFilter:
    """One filter in force, as the page lists it with a link that removes it."""

    name: str
    heading: str
    value: str
    raw: str
    remove_url: str


def _filter_value(name: str, value: Any) -> str:
    if name == "evidence_min":
        return f"{value} of hoger ({EVIDENCE_LABELS[int(value)]})"
    if name == "age":
        return f"{value} jaar"
    group = _ACTIVE_FILTERS[name]
    return label(value, group) if group else str(value)


def active_filters(params: SearchParams) -> list[ActiveFilter]:
    """The filters (and search text) in force, each with its Dutch wording and a removal link."""
    return [
        ActiveFilter(
            name=name,
            heading=FILTER_LABELS[name],
            value=_filter_value(name, value),
            raw=str(value),
            remove_url=url_with(params, **{name: None}),
        )
        for name in _ACTIVE_FILTERS
        if (value := getattr(params, name)) not in (None, "")
    ]


def at_least(counts: dict[str, int], level: int) -> int:
    """How many results have an evidence level of at least `level`, from the per-level facet."""
    return sum(count for key, count in counts.items() if key.isdigit() and int(key) >= level)


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page)) if per_page > 0 else 1


def results_text(total: int) -> str:
    """ "1 resultaat", "37 resultaten", "Geen resultaten"."""
    if total == 0:
        return "Geen resultaten"
    return f"{total} resultaat" if total == 1 else f"{total} resultaten"


def joint_format(contraindications: list[str]) -> bool:
    """Whether an entry is a joint format, unsafe under coercive control or acute danger."""
    return not set(JOINT_FORMAT_CONTRAINDICATIONS).isdisjoint(contraindications)


def glasl_steps(phase: int | str) -> tuple[int, int, int]:
    """The three steps (1–9) of one of Glasl's phases: phase 2 holds steps 4, 5 and 6."""
    first = (int(phase) - 1) * 3 + 1
    return first, first + 1, first + 2


def about_unsafety(topics: list[str]) -> bool:
    """Whether a search is about violence or an unsafe situation (Veilig Thuis goes first)."""
    return UNSAFE_TOPIC in topics


SEARCH_PAGE_HELPERS: dict[str, Any] = {
    "joint_format": joint_format,
    "glasl_steps": glasl_steps,
    "about_unsafety": about_unsafety,
    "url_with": url_with,
    "active_filters": active_filters,
    "at_least": at_least,
    "page_count": page_count,
    "results_text": results_text,
    "search_path": SEARCH_PATH,
    # The filter suggests only names it accepts (the register resolves old names too).
    "municipality_names": lambda: [m.name for m in register()],
}
