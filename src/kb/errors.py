"""Domain errors and the one handler that renders them.

The tree:

    KbError                      any error this application raises on purpose
    ├── NotFoundError            a named thing does not exist (404)
    ├── InvalidInputError        input failed validation; carries field-level errors (422)
    ├── ConflictError            the request conflicts with the current state (409)
    │   └── PreconditionFailedError   a stale `If-Match` (412)
    ├── PermissionDeniedError    signed in, but not allowed (403)
    ├── NotSignedInError         no valid session or token (401; a page redirects to the sign-in form)
    ├── InvalidCredentialsError  wrong user name or password: one answer for both (401)
    └── TooManyAttemptsError     too many failed sign-ins; carries `retry_after` seconds (429)
    ContentError                 a content or search file is invalid; carries `path:line: field: message`
    StartupRefusedError          the settings or accounts make it unsafe to start (not an HTTP error)

Services raise these; `exception_to_response` turns any of them (and Litestar's own HTTP and
validation errors) into RFC 9457 problem+json for the API or an HTML page for people.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

__all__ = [
    "ConflictError",
    "ContentError",
    "FieldError",
    "InvalidCredentialsError",
    "InvalidInputError",
    "KbError",
    "NotFoundError",
    "NotSignedInError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "StartupRefusedError",
    "TooManyAttemptsError",
    "exception_to_response",
]

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class FieldError:
    """One field-level message: where (`loc`) and what is wrong (`msg`), in Dutch."""

    loc: tuple[str | int, ...]
    msg: str

    def as_dict(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg}


class KbError(Exception):
    """Base of every error this application raises on purpose."""

    status_code = 400
    title = "Ongeldig verzoek"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(KbError):
    status_code = 404
    title = "Niet gevonden"


class InvalidInputError(KbError):
    status_code = 422
    title = "Ongeldige invoer"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class ConflictError(KbError):
    status_code = 409
    title = "Conflict"


class PreconditionFailedError(ConflictError):
    status_code = 412
    title = "Versie is verouderd"


class PermissionDeniedError(KbError):
    status_code = 403
    title = "Geen toegang"


class NotSignedInError(KbError):
    status_code = 401
    title = "Niet aangemeld"


class InvalidCredentialsError(KbError):
    status_code = 401
    title = "Niet aangemeld"

    def __init__(self) -> None:
        super().__init__("Gebruikersnaam of wachtwoord onjuist.")


class TooManyAttemptsError(KbError):
    status_code = 429
    title = "Te veel pogingen"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"Te veel mislukte aanmeldpogingen. Probeer het over {minutes} "
            f"{'minuut' if minutes == 1 else 'minuten'} opnieuw."
        )
        self.retry_after = retry_after


class StartupRefusedError(Exception):
    """The settings or the accounts in the database make it unsafe to start; says what to do."""


@dataclass
class ContentProblem:
    """A problem in a content or search file, located precisely enough to fix."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


@dataclass
class ContentError(Exception):
    """One or more content files are invalid."""

    problems: list[ContentProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


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
    429: "Te veel verzoeken",
    500: "Interne fout",
}


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        key = item.get("key") or "?"
        source = getattr(item.get("source"), "value", item.get("source")) or "body"
        errors.append(
            FieldError((str(source), str(key)), _dutch_message(str(item.get("message", ""))))
        )
    return errors


def _dutch_message(message: str) -> str:
    """Litestar's validation messages are English; give users a Dutch one."""
    lowered = message.lower()
    if re.search(r"\bint(eger)?\b", lowered):  # not "constraint" or "point"
        return "Moet een geheel getal zijn."
    if "missing" in lowered or "required" in lowered:
        return "Dit veld is verplicht."
    if "bool" in lowered:
        return "Moet waar of onwaar zijn (true/false)."
    return "Ongeldige waarde."


def _problem(
    request: Request[Any, Any, Any],
    status: int,
    detail: str,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    title = title or _STATUS_TITLES.get(status, "Fout")
    if _wants_json(request):
        body: dict[str, Any] = {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.url.path,
        }
        if errors is not None:
            body["errors"] = [e.as_dict() for e in errors]
        return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)
    return Template(
        template_name="error.html",
        context={"status": status, "title": title, "detail": detail, "errors": errors or []},
        status_code=status,
        media_type=MediaType.HTML,
        headers=headers,
    )


SIGN_IN_PATH = "/aanmelden"
# Litestar's CSRF middleware raises a 403 with this English detail; people get a Dutch one.
_CSRF_FAILED = "CSRF token verification failed"


def _sign_in_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    """Send a person to the sign-in form, coming back to this page (only after a GET)."""
    target = SIGN_IN_PATH
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?" + urlencode({"next": here})
    return Redirect(target, status_code=302)


def exception_to_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The one exception handler: domain, HTTP and unexpected errors alike."""
    if isinstance(exc, NotSignedInError | InvalidCredentialsError):
        if isinstance(exc, NotSignedInError) and not _wants_json(request):
            return _sign_in_redirect(request)
        return _problem(request, 401, exc.detail, exc.title, headers={"WWW-Authenticate": "Bearer"})
    if isinstance(exc, TooManyAttemptsError):
        headers = {"Retry-After": str(exc.retry_after)}
        return _problem(request, exc.status_code, exc.detail, exc.title, headers=headers)
    if isinstance(exc, HTTPException) and exc.status_code == 403 and exc.detail == _CSRF_FAILED:
        return _problem(
            request,
            403,
            "Dit formulier is verlopen of kwam niet van deze site. "
            "Laad de pagina opnieuw en probeer het nog eens.",
        )
    if isinstance(exc, InvalidInputError):
        return _problem(request, exc.status_code, exc.detail, exc.title, exc.errors)
    if isinstance(exc, KbError):
        return _problem(request, exc.status_code, exc.detail, exc.title)
    if isinstance(exc, ValidationException):
        return _problem(request, 422, "De invoer is niet geldig.", errors=_validation_errors(exc))
    if isinstance(exc, NotFoundException):
        return _problem(request, 404, "Deze pagina of dit item bestaat niet.")
    if isinstance(exc, HTTPException):
        detail = exc.detail if exc.status_code < 500 else "Er ging iets mis."
        return _problem(request, exc.status_code, detail, headers=exc.headers)
    logger.exception("Unhandled error on %s", request.url.path, exc_info=exc)
    return _problem(
        request,
        HTTP_500_INTERNAL_SERVER_ERROR,
        "Er ging aan onze kant iets mis. Probeer het later opnieuw.",
    )
