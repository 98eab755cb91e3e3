"""What an API operation declares once: who may call it, what it does in one line, and which
problems (problem+json) it can answer, for the guards and the API document alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.openapi import ResponseSpec

from kb.access import Action
from kb.web.auth import requires, requires_sign_in
from kb.web.errors import PROBLEM_JSON

__all__ = ["PROBLEMS", "operation"]

# What a problem status means, unless an operation says it more precisely.
PROBLEMS: Mapping[int, str] = {
    400: "De inhoud is geen geldige JSON.",
    401: "Niet aangemeld: stuur een geldig token mee (Authorization: Bearer).",
    403: "Uw rol (of uw relatie tot wat u vraagt) staat dit niet toe.",
    404: "Bestaat niet, of u mag het niet zien (dan evenmin).",
    409: "De status laat dit niet toe (bijvoorbeeld: een ingediende versie verandert niet).",
    412: "De ETag in If-Match is niet meer de huidige: iemand anders sloeg intussen op.",
    422: "Velden kloppen niet; `errors` noemt elk veld met een Nederlandse melding.",
    428: "If-Match ontbreekt.",
    429: "Te veel mislukte pogingen; zie de header Retry-After.",
}


def operation(
    summary: str,
    *problems: int,
    action: Action | None = None,
    signed_in: bool = False,
    texts: Mapping[int, str] | None = None,
    **more: Any,
) -> dict[str, Any]:
    """The keyword arguments of a route decorator (`@post(path, **operation(…))`).

    Args:
        summary: One line for the API document.
        problems: The problem statuses the operation may answer with.
        action: The permission (`PERMISSIONS`) the caller's role needs; None: anyone.
        signed_in: Without an action, still only for a signed-in caller.
        texts: More precise descriptions of some of the problems.
        more: Anything else for the decorator; database work runs in a thread unless told.
    """
    guards = [requires(action)] if action else [requires_sign_in] if signed_in else []
    described = {**PROBLEMS, **(texts or {})}
    responses = {
        code: ResponseSpec(None, description=described[code], media_type=PROBLEM_JSON)
        for code in problems
    }
    return {
        "summary": summary,
        "guards": guards,
        "responses": responses,
        "sync_to_thread": True,
    } | more
