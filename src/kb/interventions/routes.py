"""HTTP for the knowledge base: `InterventionsApi` (JSON) and `InterventionsPages` (HTML)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from kb.auth.guards import requires
from kb.interventions.analytics import SearchStats, top_queries, zero_result_queries
from kb.interventions.schemas import EntryDetail, SearchPage
from kb.interventions.service import InterventionService, SearchParams
from kb.search.base import SearchBackend

__all__ = [
    "EditorPages",
    "InterventionsApi",
    "InterventionsPages",
    "provide_intervention_service",
]

ANALYTICS_DAYS = 30


def provide_intervention_service(
    search_backend: NamedDependency[SearchBackend],
    db_session: NamedDependency[Session],
) -> InterventionService:
    return InterventionService(search_backend, db_session)


def _raw_params(request: Request[Any, Any, Any]) -> dict[str, Any]:
    # Validation lives in SearchParams, shared with the page; Litestar only documents the names.
    return {k: v for k, v in request.query_params.items()}


class InterventionsApi(Controller):
    path = "/api/v1/interventions"
    tags = ["Kennisbank"]
    dependencies = {
        "service": Provide(provide_intervention_service, sync_to_thread=False),
    }

    @get(
        "/",
        summary="Zoek in de kennisbank",
        description="Vrije tekst (Nederlands) en filters; facetten tellen disjunctief.",
        sync_to_thread=False,
    )
    def search(
        self,
        request: Request[Any, Any, Any],
        search_service: NamedDependency[InterventionService],
        q: Annotated[str | None, QueryParameter(description="Vrije tekst")] = None,
        kind: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        audience: FromQuery[str | None] = None,
        age: Annotated[str | None, QueryParameter(description="Leeftijd van een kind")] = None,
        glasl_phase: Annotated[str | None, QueryParameter(description="1–3")] = None,
        route: FromQuery[str | None] = None,
        format: FromQuery[str | None] = None,
        evidence_min: Annotated[str | None, QueryParameter(description="0–5")] = None,
        municipality: FromQuery[str | None] = None,
        arrondissement: FromQuery[str | None] = None,
        contraindication_free: FromQuery[str | None] = None,
        page: Annotated[str | None, QueryParameter(description="vanaf 1")] = None,
        per_page: Annotated[str | None, QueryParameter(description="1–100")] = None,
    ) -> Response[SearchPage]:
        params = SearchParams.parse(_raw_params(request))
        body, total = search_service.search_json(params)
        search_service.count_search(params, total)
        # Already JSON (see `search_json`); the annotation documents its shape.
        return cast(Response[SearchPage], Response(body, media_type=MediaType.JSON))

    @get("/{slug:str}", summary="Eén item met bronnen en beoordelingen", sync_to_thread=False)
    def detail(
        self, slug: FromPath[str], service: NamedDependency[InterventionService]
    ) -> EntryDetail:
        return service.get(slug)


class InterventionsPages(Controller):
    path = "/interventies"
    include_in_schema = False
    dependencies = {
        "service": Provide(provide_intervention_service, sync_to_thread=False),
    }

    @get("/", sync_to_thread=False)
    def search(
        self,
        request: Request[Any, Any, Any],
        search_service: NamedDependency[InterventionService],
    ) -> Template:
        params = SearchParams.parse(_raw_params(request))
        result = search_service.search(params)
        if request.query_params.get("partial") == "1":
            # Search as you type: only the results region, replaced in place by search.js. Not
            # counted: every keystroke would count as a search nobody meant to make.
            return Template(
                "interventions/_results.html", context={"params": params, "result": result}
            )
        search_service.count_search(params, result.total)
        return Template(
            "interventions/list.html",
            context={"params": params, "result": result},
            headers={"Link": '</api/v1/interventions>; rel="alternate"; type="application/json"'},
        )

    @get("/{slug:str}", sync_to_thread=False)
    def detail(
        self, slug: FromPath[str], service: NamedDependency[InterventionService]
    ) -> Template:
        entry = service.get(slug)
        return Template(
            "interventions/detail.html",
            context={"entry": entry},
            headers={
                "Link": f'</api/v1/interventions/{slug}>; rel="alternate"; type="application/json"'
            },
        )


class EditorPages(Controller):
    """What editors need to keep the knowledge base useful: what people search, what finds nothing."""

    path = "/redactie"
    include_in_schema = False

    @get("/zoekopdrachten", guards=[requires("search_analytics.read")], sync_to_thread=False)
    def search_stats(
        self, db_session: NamedDependency[Session], search_stats: NamedDependency[SearchStats]
    ) -> Template:
        search_stats.flush()  # this worker's latest counts too
        since = dt.date.today() - dt.timedelta(days=ANALYTICS_DAYS)
        return Template(
            "editor/search_stats.html",
            context={
                "days": ANALYTICS_DAYS,
                "top": top_queries(db_session, since, limit=50),
                "zero": zero_result_queries(db_session, since, limit=50),
                "section": "redactie",
            },
        )
