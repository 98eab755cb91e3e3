"""HTTP for the conflict analysis: `AnalysisApi` (JSON, contracts.md) here, `AnalysisPages` (HTML)
in `pages.py`. Both call the same `AnalysisService` methods through the same dependencies.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Reference
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from kb.access import Caller
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.notices import Notifier
from kb.conflict_analysis.report import build_report, pdf_filename
from kb.conflict_analysis.responses import AnalysisState, AnalysisSummary, Task
from kb.conflict_analysis.schemas import Recommendation
from kb.conflict_analysis.service import COMMENT_TEXT, AnalysisService
from kb.interventions.catalogue import Catalogue
from kb.web.conditional import Expected, provide_expected, with_etag
from kb.web.operations import operation
from kb.web.pages import NO_STORE, AnyRequest, page
from kb.web.pdf import pdf_response

__all__ = [
    "ANALYSIS_DEPENDENCIES",
    "API_PATH",
    "TASKS_PATH",
    "Analyses",
    "AnalysisApi",
    "Id",
    "Kb",
    "ReturnData",
    "TasksApi",
    "VersionQuery",
    "report_page",
]

API_PATH = "/api/v1/conflict-analyses"
TASKS_PATH = "/api/v1/me/tasks"


# Checked by the service, for a Dutch message on the field.
ReturnData = Annotated[
    Any,
    Body(
        title="Terugsturen",
        description='{"comment": "…"}: wat de onderzoeker moet aanvullen of veranderen.',
        schema_extra={
            "type": "object",
            "required": ["comment"],
            "properties": {"comment": {"type": "string", "maxLength": COMMENT_TEXT}},
        },
    ),
]

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
    notifier: NamedDependency[Notifier | None],
) -> AnalysisService:
    return AnalysisService(db_session, advisor, caller, notifier)


# For both controllers: the service of the signed-in caller, and the version a change names.
ANALYSIS_DEPENDENCIES = {
    "advisor": Provide(provide_advisor, sync_to_thread=False),
    "analyses": Provide(provide_analyses, sync_to_thread=False),
    "expected": Provide(provide_expected, sync_to_thread=False),
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


# The API's operations: who may call each, what it does, which problems it can answer.
_NOT_YOURS = {404: "Bestaat niet, of u mag hem niet zien (dan evenmin)."}
LIST = operation(
    "De analyses die u mag lezen",
    action="analysis.read",
    description="Rechter: de ingediende van uw rechtbank; Raad: die van uw vestiging.",
)
CREATE = operation("Maak een analyse (versie 1, concept)", 400, 403, 422, action="analysis.create")
EVALUATE = operation(
    "Bereken het advies voor een analyse, zonder iets op te slaan",
    400,
    422,
    action="analysis.evaluate",
    status_code=200,
    sync_to_thread=False,  # the catalogue only: no database, nothing to wait for
)
READ = operation(
    "De nieuwste versie die u mag lezen, of ?version=N",
    404,
    action="analysis.read",
    texts=_NOT_YOURS,
)
SAVE = operation(
    "Vervang het concept (If-Match verplicht)",
    *(400, 403, 404, 409, 412, 422, 428),
    action="analysis.edit_own_draft",
    texts=_NOT_YOURS,
)
SUBMIT = operation(
    "Bied het concept ter accordering aan",
    403,
    404,
    409,
    412,
    action="analysis.submit",
    status_code=200,
    texts=_NOT_YOURS,
)
APPROVE = operation(
    "Accordeer: de versie wordt ingediend en verandert niet meer",
    *(403, 404, 409, 412),
    action="analysis.approve",
    status_code=200,
    texts=_NOT_YOURS,
)
RETURN = operation(
    "Stuur de versie terug naar de onderzoeker, met een opmerking: weer een concept",
    *(403, 404, 409, 412, 422),
    action="analysis.approve",
    status_code=200,
    texts=_NOT_YOURS,
)
TASKS = operation(
    "Uw werklijst: wat op u wacht, het dringendste eerst",
    signed_in=True,
    description=(
        "Gedragsdeskundige: analyses die op uw accordering wachten. Raadsonderzoeker: uw "
        "teruggestuurde en open concepten, herijkingen en curatorrapporten die binnen twee weken "
        "vallen of te laat zijn. Rechter: curatorrapporten van de zaken van uw rechtbank. "
        "Gesorteerd op de uiterste datum, werk zonder datum op hoe lang het al wacht."
    ),
)
REASSESS = operation(
    "Start een herijking: een nieuwe conceptversie, gekopieerd van de laatst ingediende",
    *(403, 404, 409),
    action="analysis.reassess",
    texts=_NOT_YOURS,
)
REPORT = operation(
    "Het rapport voor de rechter (HTML)", 404, action="analysis.read", media_type=MediaType.HTML
)
REPORT_PDF = operation(
    "Het rapport voor de rechter (PDF)", 404, action="analysis.read", media_type="application/pdf"
)

# What the handlers of the API and the pages take, named once.
Analyses = NamedDependency[AnalysisService]
Kb = NamedDependency[Catalogue]
Id = FromPath[int]
Answer = Response[AnalysisState]


class AnalysisApi(Controller):
    """contracts.md: the conflict analyses, for the Raad's and the courts' own systems."""

    path = API_PATH
    tags = ["Conflictanalyse"]
    dependencies = ANALYSIS_DEPENDENCIES

    @get("/", **LIST)
    def overview(self, analyses: Analyses) -> list[AnalysisSummary]:
        return analyses.overview()

    @post("/", **CREATE)
    def create(self, analyses: Analyses, data: BodyData) -> Answer:
        created = analyses.create(data)
        return with_etag(created, 201, f"{API_PATH}/{created.id}")

    @post("/evaluate", **EVALUATE)
    def evaluate(self, advisor: NamedDependency[Advisor], data: BodyData) -> Recommendation:
        return advisor.evaluate(data)

    @get("/{analysis_id:int}", **READ)
    def read(self, analyses: Analyses, analysis_id: Id, version: VersionQuery = None) -> Answer:
        return with_etag(analyses.read(analysis_id, version))

    @put("/{analysis_id:int}", **SAVE)
    def save(
        self, analyses: Analyses, analysis_id: Id, data: BodyData, expected: Expected
    ) -> Answer:
        return with_etag(analyses.save(analysis_id, data, expected))

    @post("/{analysis_id:int}/submit", **SUBMIT)
    def submit(self, analyses: Analyses, analysis_id: Id, expected: Expected) -> Answer:
        return with_etag(analyses.submit(analysis_id, expected))

    @post("/{analysis_id:int}/approve", **APPROVE)
    def approve(self, analyses: Analyses, analysis_id: Id, expected: Expected) -> Answer:
        return with_etag(analyses.approve(analysis_id, expected))

    @post("/{analysis_id:int}/return", **RETURN)
    def return_(
        self, analysis_id: Id, data: ReturnData, analyses: Analyses, expected: Expected
    ) -> Answer:
        comment = data.get("comment") if isinstance(data, dict) else None
        return with_etag(analyses.return_(analysis_id, comment, expected))

    @post("/{analysis_id:int}/reassessments", **REASSESS)
    def reassess(self, analyses: Analyses, analysis_id: Id) -> Answer:
        return with_etag(analyses.reassess(analysis_id), 201, f"{API_PATH}/{analysis_id}")

    @get("/{analysis_id:int}/report", **REPORT)
    def report(
        self, analyses: Analyses, catalogue: Kb, analysis_id: Id, version: VersionQuery = None
    ) -> Template:
        document = "analysis/report_document.html"
        return report_page(document, analyses, catalogue, analysis_id, version, "rapport")

    @get("/{analysis_id:int}/report.pdf", **REPORT_PDF)
    def report_pdf(
        self,
        request: AnyRequest,
        analyses: Analyses,
        catalogue: Kb,
        analysis_id: Id,
        version: VersionQuery = None,
    ) -> Response[bytes]:
        return report_pdf(request, analyses, catalogue, analysis_id, version)


class TasksApi(Controller):
    """contracts.md: the caller's work list."""

    path = TASKS_PATH
    tags = ["Conflictanalyse"]
    dependencies = ANALYSIS_DEPENDENCIES

    @get("/", **TASKS)
    def tasks(self, analyses: Analyses) -> list[Task]:
        return analyses.tasks()
