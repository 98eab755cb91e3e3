"""The one exception handler: every error becomes RFC 9457 problem+json or a Dutch HTML page.

Domain errors (`kb.errors`) carry their status and Dutch detail; Litestar's own errors (a
malformed body, a wrong query parameter, an unknown path) get Dutch words here; anything else is
logged and answered with a 500 that shows nothing of the inside, except that a dependency that is
down (the database, Redis) is a 503 with `Retry-After`: the request may well succeed in a moment.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.response import Redirect, Template
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from kb.errors import (
    FieldError,
    InvalidCredentialsError,
    InvalidInputError,
    KbError,
    NotSignedInError,
    TooManyAttemptsError,
)
from kb.web.observe import route_of
from kb.web.requests import INVALID_JSON

__all__ = [
    "PROBLEM_JSON",
    "RETRY_AFTER_SECONDS",
    "SIGN_IN_PATH",
    "UNAVAILABLE",
    "exception_to_response",
    "is_outage",
    "problem_document",
    "status_title",
    "wants_json",
]


logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
SIGN_IN_PATH = "/aanmelden"
# Litestar's CSRF middleware raises a 403 with this English detail; people get a Dutch one.
_CSRF_FAILED = "CSRF token verification failed"
# What a client is told to wait when a dependency is down; the pool reconnects within that.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE = (
    "De kennisbank is even niet bereikbaar: een onderdeel is tijdelijk uitgevallen. "
    "Probeer het over een paar seconden opnieuw."
)

_STATUS_TITLES = {
    400: "Ongeldig verzoek",
    401: "Niet aangemeld",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    409: "Conflict",
    412: "Versie is verouderd",
    413: "Verzoek te groot",
    415: "Niet-ondersteund formaat",
    422: "Ongeldige invoer",
    428: "Versie ontbreekt",
    429: "Te veel verzoeken",
    500: "Interne fout",
    503: "Tijdelijk niet beschikbaar",
}


def wants_json(request: Request[Any, Any, Any]) -> bool:
    """The API and clients that ask for JSON get problem+json; people get a page."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def status_title(status: int) -> str:
    """The Dutch title of an error status."""
    return _STATUS_TITLES.get(status, "Fout")


def problem_document(
    status: int, detail: str, instance: str, title: str | None = None
) -> dict[str, Any]:
    """An RFC 9457 problem, before any `errors` are added."""
    return {
        "type": "about:blank",
        "title": title or status_title(status),
        "status": status,
        "detail": detail,
        "instance": instance,
    }


def problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    title: str | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    did_you_mean: Sequence[str] | None = None,
) -> Response[Any]:
    """One error as problem+json for the API, or as the error page for people."""
    title = title or status_title(status)
    if wants_json(request):
        body = problem_document(status, detail, request.url.path, title)
        if errors is not None:
            body["errors"] = [e.as_dict() for e in errors]
        if did_you_mean is not None:
            body["did_you_mean"] = list(did_you_mean)
        return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    return Template(
        template_name="error.html",
        context={
            "status": status,
            "title": title,
            "detail": detail,
            "errors": errors or [],
            "did_you_mean": _suggestion_links(request, errors or [], did_you_mean or []),
        },
        status_code=status,
        media_type=MediaType.HTML,
        headers=headers,
    )


def _suggestion_links(
    request: Request[Any, Any, Any], errors: Sequence[FieldError], names: Sequence[str]
) -> list[dict[str, str]]:
    """ "Bedoelde u …?" as links: the same search with the mistyped parameter replaced by each
    suggestion (only for a query parameter of a GET; elsewhere the names without a link)."""
    param = next((str(e.loc[-1]) for e in errors if e.loc and e.loc[0] == "query"), None)
    if request.method != "GET" or param is None:
        return [{"name": name, "href": ""} for name in names]
    query = dict(request.query_params.items())
    return [
        {"name": name, "href": f"{request.url.path}?{urlencode(query | {param: name})}"}
        for name in names
    ]


def _sign_in_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    """Send a person to the sign-in form, coming back to this page (only after a GET)."""
    target = SIGN_IN_PATH
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?" + urlencode({"next": here})
    return Redirect(target, status_code=302)


def _domain_error(request: Request[Any, Any, Any], exc: KbError) -> Response[Any]:
    if isinstance(exc, NotSignedInError) and not wants_json(request):
        return _sign_in_redirect(request)
    headers = None
    if isinstance(exc, NotSignedInError | InvalidCredentialsError):
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(exc, TooManyAttemptsError):
        headers = {"Retry-After": str(exc.retry_after)}
    errors = exc.errors if isinstance(exc, InvalidInputError) else None
    did_you_mean = getattr(exc, "did_you_mean", None)
    return problem(request, exc.status_code, exc.detail, exc.title, errors, headers, did_you_mean)


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        key = item.get("key") or "?"
        # Litestar names the source with an enum (`ParamType.QUERY`); the problem says "query".
        source = getattr(item.get("source"), "value", item.get("source")) or "body"
        errors.append(FieldError((str(source), str(key)), _dutch(str(item.get("message", "")))))
    return errors


def _dutch(message: str) -> str:
    """Litestar's validation messages are English; give users a Dutch one."""
    lowered = message.lower()
    if re.search(r"\bint(eger)?\b", lowered):  # not "constraint" or "point"
        return "Moet een geheel getal zijn."
    if "missing" in lowered or "required" in lowered:
        return "Dit veld is verplicht."
    if "bool" in lowered:
        return "Moet waar of onwaar zijn (true/false)."
    return "Ongeldige waarde."


def _request_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's own complaints about the request, in Dutch."""
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc)
        if any(e.loc[-1] == "data" for e in errors):
            body = [FieldError(("body",), "Dit veld is verplicht.")]
            detail = "Stuur een JSON-object in de inhoud van het verzoek."
            return problem(request, 422, detail, errors=body)
        return problem(request, 422, "De invoer is niet geldig.", errors=errors)
    if exc.status_code == 403 and exc.detail == _CSRF_FAILED:
        detail = (
            "Dit formulier is verlopen of kwam niet van deze site. "
            "Laad de pagina opnieuw en probeer het nog eens."
        )
        return problem(request, 403, detail)
    if exc.status_code == 400 and "JSON" in str(exc.detail):
        return problem(request, 400, INVALID_JSON)
    if isinstance(exc, NotFoundException):
        return problem(request, 404, "Deze pagina of dit item bestaat niet.")
    if exc.status_code == 413:
        limit = request.route_handler.resolve_request_max_body_size()
        detail = f"De inhoud van het verzoek is te groot (hoogstens {limit or 0:,} bytes)."
        return problem(request, 413, detail.replace(",", "."))
    detail = exc.detail if exc.status_code < 500 else "Er ging iets mis."
    return problem(request, exc.status_code, detail, headers=exc.headers)


def is_outage(exc: BaseException) -> bool:
    """Whether `exc` says a dependency is unreachable (rather than that the code is wrong)."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeoutError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    redis_errors = sys.modules.get("redis.exceptions")  # only loaded where Redis is configured
    if redis_errors is not None:
        return isinstance(exc, redis_errors.ConnectionError | redis_errors.TimeoutError)
    return False


def exception_to_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The one exception handler: domain, HTTP and unexpected errors alike."""
    if isinstance(exc, KbError) and exc.status_code < 500:
        return _domain_error(request, exc)
    if isinstance(exc, HTTPException):
        return _request_error(request, exc)
    if is_outage(exc):
        logger.warning("Dependency down on %s: %s", route_of(request.scope), exc)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return problem(request, 503, UNAVAILABLE, headers=headers)
    logger.exception("Unhandled error on %s", route_of(request.scope), exc_info=exc)
    return problem(request, 500, "Er ging aan onze kant iets mis. Probeer het later opnieuw.")
