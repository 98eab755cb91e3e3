"""HTTP for the conflict analysis: `AnalysisApi` (JSON, contracts.md) here, `AnalysisPages`
(HTML) in `pages.py`. Both call the same `AnalysisService` methods; `ANALYSIS_ROUTES` is what the
application mounts.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.di import NamedDependency
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler

from kb.auth.guards import requires
from kb.conflict_analysis.pages import AnalysisPages
from kb.conflict_analysis.responses import AnalysisOut, AnalysisSummary
from kb.conflict_analysis.schemas import Recommendation
from kb.conflict_analysis.service import AnalysisService
from kb.conflict_analysis.web import (
    API_PATH,
    PROBLEM_HANDLERS,
    SERVICE,
    BodyData,
    IfMatch,
    VersionQuery,
    caller_of,
    problem_responses,
    report_document,
    report_pdf,
    with_etag,
)

__all__ = ["ANALYSIS_ROUTES", "AnalysisApi"]


# --- The API --------------------------------------------------------------------------------


class AnalysisApi(Controller):
    """contracts.md: the conflict analyses, for the Raad's and the courts' own systems."""

    path = API_PATH
    tags = ["Conflictanalyse"]
    dependencies = SERVICE
    exception_handlers = PROBLEM_HANDLERS

    @get(
        "/",
        guards=[requires("analysis.read")],
        summary="De analyses die u mag lezen",
        description="Rechter: de ingediende van uw rechtbank; Raad: die van uw vestiging.",
        sync_to_thread=True,
    )
    def overview(
        self, request: Request[Any, Any, Any], service: NamedDependency[AnalysisService]
    ) -> list[AnalysisSummary]:
        return service.overview(caller_of(request, "api"))

    @post(
        "/",
        guards=[requires("analysis.create")],
        summary="Maak een analyse (versie 1, concept)",
        responses=problem_responses(400, 403, 422),
        sync_to_thread=True,
    )
    def create(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        data: BodyData,
    ) -> Response[AnalysisOut]:
        return with_etag(service.create(caller_of(request, "api"), data), 201)

    @post(
        "/evaluate",
        guards=[requires("analysis.evaluate")],
        status_code=200,
        summary="Bereken het advies voor een analyse, zonder iets op te slaan",
        responses=problem_responses(400, 422),
        sync_to_thread=True,
    )
    def evaluate(self, service: NamedDependency[AnalysisService], data: BodyData) -> Recommendation:
        return service.evaluate(data)

    @get(
        "/{analysis_id:int}",
        guards=[requires("analysis.read")],
        summary="De nieuwste versie die u mag lezen, of ?version=N",
        responses=problem_responses(404),
        sync_to_thread=True,
    )
    def read(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        version: VersionQuery = None,
    ) -> Response[AnalysisOut]:
        return with_etag(service.read(caller_of(request, "api"), analysis_id, version))

    @put(
        "/{analysis_id:int}",
        guards=[requires("analysis.edit_own_draft")],
        summary="Vervang het concept (If-Match verplicht)",
        responses=problem_responses(400, 403, 404, 409, 412, 422, 428),
        sync_to_thread=True,
    )
    def save(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        data: BodyData,
        if_match: IfMatch = None,
    ) -> Response[AnalysisOut]:
        return with_etag(service.save(caller_of(request, "api"), analysis_id, data, if_match))

    @post(
        "/{analysis_id:int}/submit",
        guards=[requires("analysis.submit")],
        status_code=200,
        summary="Bied het concept ter accordering aan",
        responses=problem_responses(403, 404, 409, 412),
        sync_to_thread=True,
    )
    def submit(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        if_match: IfMatch = None,
    ) -> Response[AnalysisOut]:
        return with_etag(service.submit(caller_of(request, "api"), analysis_id, if_match))

    @post(
        "/{analysis_id:int}/approve",
        guards=[requires("analysis.approve")],
        status_code=200,
        summary="Accordeer: de versie wordt ingediend en verandert niet meer",
        responses=problem_responses(403, 404, 409, 412),
        sync_to_thread=True,
    )
    def approve(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        if_match: IfMatch = None,
    ) -> Response[AnalysisOut]:
        return with_etag(service.approve(caller_of(request, "api"), analysis_id, if_match))

    @post(
        "/{analysis_id:int}/reassessments",
        guards=[requires("analysis.reassess")],
        summary="Start een herijking: een nieuwe conceptversie, gekopieerd van de laatst ingediende",
        responses=problem_responses(403, 404, 409),
        sync_to_thread=True,
    )
    def reassess(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
    ) -> Response[AnalysisOut]:
        return with_etag(service.reassess(caller_of(request, "api"), analysis_id), 201)

    @get(
        "/{analysis_id:int}/report",
        guards=[requires("analysis.read")],
        media_type=MediaType.HTML,
        summary="Het rapport voor de rechter (HTML)",
        responses=problem_responses(404),
        sync_to_thread=True,
    )
    def report(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        version: VersionQuery = None,
    ) -> Template:
        return report_document(request, service, analysis_id, version, "api", "rapport")

    @get(
        "/{analysis_id:int}/report.pdf",
        guards=[requires("analysis.read")],
        media_type="application/pdf",
        summary="Het rapport voor de rechter (PDF)",
        responses=problem_responses(404),
        sync_to_thread=True,
    )
    def report_pdf(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        version: VersionQuery = None,
    ) -> Response[bytes]:
        return report_pdf(request, service, analysis_id, version, "api")


ANALYSIS_ROUTES: list[ControllerRouterHandler | type[BaseRouteHandler]] = [
    AnalysisApi,
    AnalysisPages,
]
