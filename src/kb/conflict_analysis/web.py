"""What the API and the pages share: the service for a request, who asks, templates, the PDF."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Reference
from litestar.params import Body, HeaderParameter, QueryParameter
from litestar.response import Template
from litestar.types import ExceptionHandlersMap
from sqlalchemy.orm import Session

from kb.auth.guards import client_address, current_user
from kb.auth.schemas import CurrentUser
from kb.conflict_analysis.inputs import KnowledgeBase
from kb.conflict_analysis.labels import (
    ADVICE_LABELS,
    OPTIONS,
    SAFETY_LABELS,
    STATUS_LABELS,
    code_label,
)
from kb.conflict_analysis.report import build_report, pdf_filename
from kb.conflict_analysis.responses import AnalysisOut
from kb.conflict_analysis.schemas import COURT_ARRONDISSEMENTS
from kb.conflict_analysis.service import AnalysisService, Caller
from kb.desk.pdf import render_pdf
from kb.errors import FieldError, InvalidInputError, KbError, exception_to_response
from kb.search.base import SearchBackend
from kb.templating import dutch_date

__all__ = [
    "API_PATH",
    "NOTICE",
    "NO_STORE",
    "PAGES_PATH",
    "PROBLEM_HANDLERS",
    "SERVICE",
    "TEXTS",
    "BodyData",
    "FormData",
    "IfMatch",
    "VersionQuery",
    "caller_of",
    "local_time",
    "page",
    "problem_responses",
    "provide_analysis_service",
    "render",
    "report_context",
    "report_document",
    "report_pdf",
    "request_problem",
    "user_of",
    "with_etag",
]

API_PATH = "/api/v1/conflict-analyses"
PAGES_PATH = "/analyses"
PROBLEM = "application/problem+json"
NO_STORE = {"Cache-Control": "no-store"}
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")
NOTICE = "analysis_notice"

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
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
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        description='De ETag van de versie die u wijzigt, bijvoorbeeld "1-3".',
    ),
]
VersionQuery = Annotated[
    int | None, QueryParameter(ge=1, le=1_000_000, description="Een oudere versie (vanaf 1)")
]


def provide_analysis_service(
    db_session: NamedDependency[Session], search_backend: NamedDependency[SearchBackend]
) -> AnalysisService:
    return AnalysisService(db_session, KnowledgeBase(search_backend))


SERVICE = {"service": Provide(provide_analysis_service, sync_to_thread=False)}


def user_of(request: Request[Any, Any, Any]) -> CurrentUser:
    user = current_user(request)
    assert user is not None  # every route here is guarded
    return user


def caller_of(request: Request[Any, Any, Any], via: str) -> Caller:
    return Caller(user_of(request), client_address(request), via)


def problem_responses(*codes: int) -> dict[int, ResponseSpec]:
    texts = {
        400: "De inhoud is geen geldige JSON.",
        403: "Uw rol of uw relatie tot deze analyse staat dit niet toe.",
        404: "Bestaat niet, of u mag hem niet zien (dan evenmin).",
        409: "De status laat dit niet toe (bijvoorbeeld: een ingediende versie verandert niet).",
        412: "De ETag in If-Match is niet meer de huidige: iemand anders sloeg intussen op.",
        422: "Velden kloppen niet; `errors` noemt elk veld met een Nederlandse melding.",
        428: "If-Match ontbreekt.",
    }
    return {code: ResponseSpec(None, description=texts[code], media_type=PROBLEM) for code in codes}


def request_problem(request: Request[Any, Any, Any], exc: ClientException) -> Response[Any]:
    """Litestar's own complaints about the request body, in Dutch and with a field."""
    if isinstance(exc, ValidationException):
        extra = exc.extra if isinstance(exc.extra, list) else []
        for item in extra:
            # Litestar names the source with an enum (`ParamType.QUERY`); the problem says "query".
            if isinstance(item, dict) and hasattr(item.get("source"), "value"):
                item["source"] = item["source"].value
        if any(isinstance(e, dict) and e.get("key") == "data" for e in extra):
            missing = InvalidInputError(
                "Stuur de analyse als JSON-object in de inhoud van het verzoek.",
                [FieldError(("body",), "Dit veld is verplicht.")],
            )
            return exception_to_response(request, missing)
        return exception_to_response(request, exc)
    if exc.status_code == 400 and "JSON" in str(exc.detail):
        malformed = KbError(
            "De inhoud is geen geldige JSON. Stuur de analyse als JSON-object "
            "(Content-Type: application/json)."
        )
        return exception_to_response(request, malformed)
    return exception_to_response(request, exc)


# Litestar's complaints about a request, in Dutch: for both controllers.
PROBLEM_HANDLERS: ExceptionHandlersMap = {ClientException: request_problem}


def with_etag(analysis: AnalysisOut, status_code: int = 200) -> Response[AnalysisOut]:
    headers = {"ETag": analysis.etag, "Cache-Control": "no-store"}
    if status_code == 201:
        headers["Location"] = f"{API_PATH}/{analysis.id}"
    return Response(analysis, status_code=status_code, headers=headers)


def local_time(moment: dt.datetime | None) -> str:
    """ "29 november 2026 om 14:05", in Dutch time."""
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL_TIME)
    return f"{dutch_date(local.date())} om {local:%H:%M}"


# Shared by every template of this package: the Dutch wording of the codes.
TEXTS: dict[str, Any] = {
    "options": OPTIONS,
    "status_labels": STATUS_LABELS,
    "advice_labels": ADVICE_LABELS,
    "safety_labels": SAFETY_LABELS,
    "code_label": code_label,
    "court_options": tuple((court, court) for court in COURT_ARRONDISSEMENTS),
    "local_time": local_time,
    "section": "analyses",
}


def page(
    name: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Template:
    return Template(
        f"analysis/{name}.html",
        context=TEXTS | context,
        status_code=status_code,
        headers=NO_STORE | (headers or {}),
    )


def render(request: Request[Any, Any, Any], template: Template) -> str:
    engine = request.app.template_engine
    assert engine is not None
    context = template.create_template_context(request)
    return engine.get_template(template.template_name).render(**context)


def report_context(
    request: Request[Any, Any, Any],
    service: AnalysisService,
    analysis_id: int,
    version: int | None,
    via: str,
    purpose: str,
) -> dict[str, Any]:
    caller = caller_of(request, via)
    current = service.read(caller, analysis_id, version, purpose=purpose)
    previous = service.previous_submitted(caller, current)
    report = build_report(current, previous, service.knowledge.titles(), dt.date.today())
    return {"report": report, "analysis": current}


def report_document(
    request: Request[Any, Any, Any],
    service: AnalysisService,
    analysis_id: int,
    version: int | None,
    via: str,
    purpose: str,
) -> Template:
    context = report_context(request, service, analysis_id, version, via, purpose)
    return page("report_document", **context)


def report_pdf(
    request: Request[Any, Any, Any],
    service: AnalysisService,
    analysis_id: int,
    version: int | None,
    via: str,
) -> Response[bytes]:
    document = report_document(request, service, analysis_id, version, via, "pdf")
    analysis: AnalysisOut = document.context["analysis"]
    return Response(
        render_pdf(render(request, document)),
        media_type="application/pdf",
        headers=NO_STORE | {"Content-Disposition": f'inline; filename="{pdf_filename(analysis)}"'},
    )
