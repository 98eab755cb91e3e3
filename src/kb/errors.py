"""Every error the application raises on purpose, with Dutch messages; no web framework here.

The tree:

    KbError                          any error this application raises on purpose
    ├── NotFoundError                a named thing does not exist (404)
    │   └── UnknownNameError         … and here are names close to it (`did_you_mean`)
    ├── InvalidInputError            input failed validation; carries field-level errors (422)
    ├── ConflictError                the request conflicts with the current state (409)
    │   └── PreconditionFailedError  the version named in `If-Match` is not the current one (412)
    │       └── StaleVersionError    … and here is the current one (`current_etag`)
    ├── PreconditionRequiredError    a change that names no version at all (428)
    ├── PermissionDeniedError        signed in, but not allowed (403)
    ├── NotSignedInError             no valid session or token (401)
    ├── InvalidCredentialsError      wrong user name or password: one answer for both (401)
    ├── TooManyAttemptsError         too many failed sign-ins; carries `retry_after` seconds (429)
    ├── ContentError                 content or search files are invalid; carries `problems`
    ├── StartupRefusedError          the settings or accounts make it unsafe to start
    └── OperationRefusedError        a backup or restore that would harm the data is refused

Services raise these; `kb.web.errors` is the one place that turns them into problem+json for
the API or an HTML page for people. `status_code` is what that place answers with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

__all__ = [
    "ConflictError",
    "ContentError",
    "ContentProblem",
    "FieldError",
    "InvalidCredentialsError",
    "InvalidInputError",
    "KbError",
    "NotFoundError",
    "NotSignedInError",
    "OperationRefusedError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "PreconditionRequiredError",
    "StaleVersionError",
    "StartupRefusedError",
    "TooManyAttemptsError",
    "UnknownNameError",
    "dutch_field_errors",
]


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


class UnknownNameError(NotFoundError):
    """A name (a municipality) that matches nothing; `did_you_mean` lists close names, maybe none."""

    def __init__(self, detail: str, did_you_mean: Sequence[str] = ()) -> None:
        super().__init__(detail)
        self.did_you_mean = list(did_you_mean)


class InvalidInputError(KbError):
    """Field-level errors; `did_you_mean` (when not None) offers names for a mistyped one."""

    status_code = 422
    title = "Ongeldige invoer"

    def __init__(
        self,
        detail: str,
        errors: Sequence[FieldError] = (),
        did_you_mean: Sequence[str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.errors = list(errors)
        self.did_you_mean = None if did_you_mean is None else list(did_you_mean)


class ConflictError(KbError):
    status_code = 409
    title = "Conflict"


class PreconditionFailedError(ConflictError):
    status_code = 412
    title = "Versie is verouderd"


class StaleVersionError(PreconditionFailedError):
    """A change based on an older state of a version; names the current one so the caller can
    fetch it, carry their changes over and try again."""

    def __init__(self, detail: str, current_etag: str) -> None:
        super().__init__(detail)
        self.current_etag = current_etag


class PreconditionRequiredError(KbError):
    """A change without a version (`If-Match`): it could silently overwrite someone's save."""

    status_code = 428
    title = "Versie ontbreekt"


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


@dataclass(frozen=True)
class ContentProblem:
    """A problem in a content or search file, located precisely enough to fix."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentError(KbError):
    """One or more content or search files are invalid; `str()` lists every problem."""

    status_code = 500
    title = "Ongeldige inhoud"

    def __init__(self, problems: Sequence[ContentProblem] = ()) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StartupRefusedError(KbError):
    """The settings or the accounts in the database make it unsafe to start; says what to do."""

    status_code = 500
    title = "Start geweigerd"


class OperationRefusedError(KbError):
    """An operator's command (`kb backup`, `kb restore`) that would harm the data; says why and
    what to do, and nothing was changed."""

    status_code = 500
    title = "Geweigerd"


# --- Pydantic's errors in Dutch ---------------------------------------------------------------

_MESSAGES: dict[str, str] = {
    "missing": "Dit veld is verplicht.",
    "extra_forbidden": "Onbekend veld: dit formulier kent dit veld niet.",
    "int_parsing": "Moet een geheel getal zijn.",
    "int_type": "Moet een geheel getal zijn.",
    "int_from_float": "Moet een geheel getal zijn, zonder decimalen.",
    "greater_than_equal": "Moet minstens {ge} zijn.",
    "less_than_equal": "Mag hoogstens {le} zijn.",
    "greater_than": "Moet groter zijn dan {gt}.",
    "less_than": "Moet kleiner zijn dan {lt}.",
    "date_parsing": "Moet een datum zijn in de vorm JJJJ-MM-DD.",
    "date_from_datetime_parsing": "Moet een datum zijn in de vorm JJJJ-MM-DD.",
    "date_from_datetime_inexact": "Moet een datum zijn, zonder tijd.",
    "date_type": "Moet een datum zijn in de vorm JJJJ-MM-DD.",
    "string_type": "Moet tekst zijn.",
    "string_too_long": "Mag hoogstens {max_length} tekens lang zijn.",
    "too_short": "Geef er minstens {min_length} op.",
    "too_long": "Geef er hoogstens {max_length} op.",
    "bool_parsing": "Moet waar of onwaar zijn (true/false).",
    "bool_type": "Moet waar of onwaar zijn (true/false).",
    "list_type": "Moet een lijst zijn.",
    "model_type": "Moet een object met velden zijn.",
    "model_attributes_type": "Moet een object met velden zijn.",
    "dict_type": "Moet een object met velden zijn.",
}


def dutch_field_errors(
    exc: ValidationError, prefix: tuple[str | int, ...] = ()
) -> list[FieldError]:
    """Pydantic's errors as field errors with Dutch messages, each location under `prefix`.

    The input is never echoed back: it may hold a child's name typed in the wrong field.
    """
    return [
        FieldError((*prefix, *error["loc"]), _dutch_message(error["type"], error.get("ctx") or {}))
        for error in exc.errors(include_url=False)
    ]


def _dutch_message(error_type: str, ctx: dict[str, Any]) -> str:
    if error_type in ("value_error", "assertion_error"):
        return str(ctx.get("error", "Ongeldige waarde."))
    if error_type == "literal_error":
        return f"Kies een van: {_dutch_or(str(ctx.get('expected', '')))}."
    if error_type == "string_too_short":
        if ctx.get("min_length") == 1:
            return "Mag niet leeg zijn."
        return "Moet minstens {min_length} tekens lang zijn.".format(**ctx)
    template = _MESSAGES.get(error_type)
    if template is None:
        return "Ongeldige waarde."
    return template.format(**ctx)


def _dutch_or(expected: str) -> str:
    """Pydantic lists literals as "'a', 'b' or 'c'"; Dutch says "of"."""
    head, _, last = expected.rpartition(" or ")
    return f"{head} of {last}" if head else expected
