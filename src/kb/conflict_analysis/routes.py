"""HTTP for the conflict analysis: `AnalysisApi` (JSON, contracts.md) here, `AnalysisPages` (HTML)
in `pages.py`. Both call the same `AnalysisService` methods through the same dependencies.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Reference
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from kb.auth.schemas import Caller
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.report import build_report, pdf_filename
from kb.conflict_analysis.responses import AnalysisOut, AnalysisSummary
from kb.conflict_analysis.schemas import Recommendation
from kb.conflict_analysis.service import AnalysisService
from kb.interventions.catalogue import Catalogue
from kb.web.auth import requires
from kb.web.conditional import Expected, provide_expected, with_etag
from kb.web.errors import PROBLEM_JSON
from kb.web.pages import NO_STORE, page
from kb.web.pdf import pdf_response

__all__ = [
    "ANALYSIS_DEPENDENCIES",
    "API_PATH",
    "AnalysisApi",
    "VersionQuery",
    "report_page",
]

API_PATH = "/api/v1/conflict-analyses"

# The body is validated by the service (Dutch messages, the knowledge base's slugs, today's date),
# so Litestar takes any JSON and the OpenAPI document still shows the form's schema.
BodyData = Annotated[
    Any,
    Body(
        title="Analyse",
        description="De analyse (contracts.md, versie 1), met factors, statements en deviation.",
        schema_extra={"all_of": [Reference(ref="#/components/schemas/AnalysisBody")]},
    ),
]
VersionQuery = Annotated[
    int | None, QueryParameter(ge=1, le=1_000_000, description="Een oudere versie (vanaf 1)")
]


def provide_advisor(catalogue: NamedDependency[Catalogue]) -> Advisor:
    return Advisor(catalogue)


def provide_analyses(
    db_session: NamedDependency[Session],
    advisor: NamedDependency[Advisor],
    caller: NamedDependency[Caller],
) -> AnalysisService:
    return AnalysisService(db_session, advisor, caller)


# For both controllers: the service of the signed-in caller, and the version a change names.
ANALYSIS_DEPENDENCIES = {
    "advisor": Provide(provide_advisor, sync_to_thread=False),
    "analyses": Provide(provide_analyses, sync_to_thread=False),
    "expected": Provide(provide_expected, sync_to_thread=False),
}

_PROBLEMS = {
    400: "De inhoud is geen geldige JSON.",
    403: "Uw rol of uw relatie tot deze analyse staat dit niet toe.",
    404: "Bestaat niet, of u mag hem niet zien (dan evenmin).",
    409: "De status laat dit niet toe (bijvoorbeeld: een ingediende versie verandert niet).",
    412: "De ETag in If-Match is niet meer de huidige: iemand anders sloeg intussen op.",
    422: "Velden kloppen niet; `errors` noemt elk veld met een Nederlandse melding.",
    428: "If-Match ontbreekt.",
}


def _problems(*codes: int) -> dict[int, ResponseSpec]:
    """The problem answers an operation can give, for the API document."""
    return {
        code: ResponseSpec(None, description=_PROBLEMS[code], media_type=PROBLEM_JSON)
        for code in codes
    }


def report_page(
    template: str,
    analyses: AnalysisService,
    catalogue: Catalogue,
    analysis_id: int,
    version: int | None,
    purpose: str,
    **context: Any,
) -> Template:
    """The judge's report of a version, with what changed since the submitted one before it."""
    current, previous = analyses.read_with_previous(analysis_id, version, purpose)
    report = build_report(current, previous, catalogue.titles, dt.date.today())
    return page(template, headers=NO_STORE, report=report, analysis=current, **context)


def report_pdf(
    request: Request[Any, Any, Any],
    analyses: AnalysisService,
    catalogue: Catalogue,
    analysis_id: int,
    version: int | None,
) -> Response[bytes]:
    document = report_page(
        "analysis/report_document.html", analyses, catalogue, analysis_id, version, "pdf"
    )
    return pdf_response(request, document, pdf_filename(document.context["analysis"]))


class AnalysisApi(Controller):
    """contracts.md: the conflict analyses, for the Raad's and the courts' own systems."""

    path = API_PATH
    tags = ["Conflictanalyse"]
    dependencies = ANALYSIS_DEPENDENCIES

    @get(
        "/",
        guards=[requires("analysis.read")],
        summary="De analyses die u mag lezen",
        description="Rechter: de ingediende van uw rechtbank; Raad: die van uw vestiging.",
        sync_to_thread=True,
    )
    def overview(self, analyses: NamedDependency[AnalysisService]) -> list[AnalysisSummary]:
        return analyses.overview()

    @post(
        "/",
        guards=[requires("analysis.create")],
        summary="Maak een analyse (versie 1, concept)",
        responses=_problems(400, 403, 422),
        sync_to_thread=True,
    )
    def create(
        self, analyses: NamedDependency[AnalysisService], data: BodyData
    ) -> Response[AnalysisOut]:
        created = analyses.create(data)
        return with_etag(created, 201, f"{API_PATH}/{created.id}")

    @post(
        "/evaluate",
        guards=[requires("analysis.evaluate")],
        status_code=200,
        summary="Bereken het advies voor een analyse, zonder iets op te slaan",
        responses=_problems(400, 422),
        sync_to_thread=False,
    )
    def evaluate(self, advisor: NamedDependency[Advisor], data: BodyData) -> Recommendation:
        return advisor.evaluate(data)

    @get(
        "/{analysis_id:int}",
        guards=[requires("analysis.read")],
        summary="De nieuwste versie die u mag lezen, of ?version=N",
        responses=_problems(404),
        sync_to_thread=True,
    )
    def read(
        self,
        analyses: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        version: VersionQuery = None,
    ) -> Response[AnalysisOut]:
        return with_etag(analyses.read(analysis_id, version))

    @put(
        "/{analysis_id:int}",
        guards=[requires("analysis.edit_own_draft")],
        summary="Vervang het concept (If-Match verplicht)",
        responses=_problems(400, 403, 404, 409, 412, 422, 428),
        sync_to_thread=True,
    )
    def save(
        self,
        analyses: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        data: BodyData,
        expected: NamedDependency[Expected],
    ) -> Response[AnalysisOut]:
        return with_etag(analyses.save(analysis_id, data, expected))

    @post(
        "/{analysis_id:int}/submit",
        guards=[requires("analysis.submit")],
        status_code=200,
        summary="Bied het concept ter accordering aan",
        responses=_problems(403, 404, 409, 412),
        sync_to_thread=True,
    )
    def submit(
        self,
        analyses: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        expected: NamedDependency[Expected],
    ) -> Response[AnalysisOut]:
        return with_etag(analyses.submit(analysis_id, expected))

    @post(
        "/{analysis_id:int}/approve",
        guards=[requires("analysis.approve")],
        status_code=200,
        summary="Accordeer: de versie wordt ingediend en verandert niet meer",
        responses=_problems(403, 404, 409, 412),
        sync_to_thread=True,
    )
    def approve(
        self,
        analyses: NamedDependency[AnalysisService],
        analysis_id: FromPath[int],
        expected: NamedDependency[Expected],
    ) -> Response[AnalysisOut]:
        return with_etag(analyses.approve(analysis_id, expected))

    @post(
        "/{analysis_id:int}/reassessments",
        guards=[requires("analysis.reassess")],
        summary="Start een herijking: een nieuwe conceptversie, gekopieerd van de laatst ingediende",
        responses=_problems(403, 404, 409),
        sync_to_thread=True,
    )
    def reassess(
        self, analyses: NamedDependency[AnalysisService], analysis_id: FromPath[int]
    ) -> Response[AnalysisOut]:
        return with_etag(analyses.reassess(analysis_id), 201, f"{API_PATH}/{analysis_id}")

    @get(
        "/{analysis_id:int}/report",
        guards=[requires("analysis.read")],
        media_type=MediaType.HTML,
        summary="Het rapport voor de rechter (HTML)",
        responses=_problems(404),
        sync_to_thread=True,
    )
    def report(
        self,
        analyses: NamedDependency[AnalysisService],
        catalogue: NamedDependency[Catalogue],
        analysis_id: FromPath[int],
        version: VersionQuery = None,
    ) -> Template:
        return report_page(
            "analysis/report_document.html", analyses, catalogue, analysis_id, version, "rapport"
        )

    @get(
        "/{analysis_id:int}/report.pdf",
        guards=[requires("analysis.read")],
        media_type="application/pdf",
        summary="Het rapport voor de rechter (PDF)",
        responses=_problems(404),
        sync_to_thread=True,
    )
    def report_pdf(
        self,
        request: Request[Any, Any, Any],
        analyses: NamedDependency[AnalysisService],
        catalogue: NamedDependency[Catalogue],
        analysis_id: FromPath[int],
        version: VersionQuery = None,
    ) -> Response[bytes]:
        return report_pdf(request, analyses, catalogue, analysis_id, version)
