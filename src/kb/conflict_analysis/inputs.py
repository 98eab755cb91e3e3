"""What comes in: a body checked against the knowledge base and the date, and the If-Match header.

`parse_body` adds to the form model (`schemas.AnalysisBody`) what the model cannot know: the
knowledge base's slugs, and the limits that storage needs (PostgreSQL keeps no NUL character in
JSON text; a varchar has a length).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from kb.conflict_analysis.matching import CandidateEntry
from kb.conflict_analysis.schemas import AnalysisBody, dutch_errors, unknown_intervention_slugs
from kb.errors import FieldError, InvalidInputError, KbError
from kb.interventions.schemas import SearchItem
from kb.interventions.service import InterventionService, SearchParams
from kb.search.base import SearchBackend

__all__ = ["KnowledgeBase", "PreconditionRequiredError", "parse_body", "parse_if_match"]

_PAGE_SIZE = 100


class PreconditionRequiredError(KbError):
    """A change without `If-Match` (428): it could silently overwrite someone else's save."""

    status_code = 428
    title = "Versie ontbreekt"


class KnowledgeBase:
    """The knowledge base's entries as the analysis needs them, read once per request."""

    def __init__(self, backend: SearchBackend) -> None:
        self._interventions = InterventionService(backend)
        self._items: list[SearchItem] | None = None

    def items(self) -> list[SearchItem]:
        if self._items is None:
            items: list[SearchItem] = []
            page = 1
            while True:
                result = self._interventions.search(SearchParams(page=page, per_page=_PAGE_SIZE))
                items += result.items
                if not result.items or len(items) >= result.total:
                    break
                page += 1
            self._items = items
        return self._items

    def candidates(self) -> list[CandidateEntry]:
        return [CandidateEntry.from_search_item(item) for item in self.items()]

    def titles(self) -> dict[str, str]:
        return {item.slug: item.title for item in self.items()}


def parse_body(data: Any, today: dt.date, known_slugs: set[str]) -> AnalysisBody:
    """Validate a body against `today`, including that tried help exists in the knowledge base.

    Raises:
        InvalidInputError: with one Dutch message per field.
    """
    try:
        body = AnalysisBody.model_validate(data, context={"today": today})
    except ValidationError as exc:
        raise InvalidInputError(
            "De analyse is niet volledig of niet juist ingevuld.", _field_errors(dutch_errors(exc))
        ) from None
    unknown = unknown_intervention_slugs(body, known_slugs)
    if unknown:
        raise InvalidInputError(
            "Een of meer interventies staan niet in de kennisbank.", _field_errors(unknown)
        )
    unstorable = _unstorable(body)
    if unstorable:
        raise InvalidInputError("Een of meer velden zijn te lang of te groot.", unstorable)
    return body


# Bounds the form model leaves open but storage and arithmetic need.
_MAX_CASE_NUMBER = 200
_MAX_COUNTS = {("case", "earlier_procedures"): 100, ("safety", "veilig_thuis_reports"): 1000}


def _unstorable(body: AnalysisBody) -> list[FieldError]:
    errors = []
    if len(body.case.case_number) > _MAX_CASE_NUMBER:
        errors.append(
            FieldError(
                ("case", "case_number"), f"Mag hoogstens {_MAX_CASE_NUMBER} tekens lang zijn."
            )
        )
    for (section, name), maximum in _MAX_COUNTS.items():
        if getattr(getattr(body, section), name) > maximum:
            errors.append(FieldError((section, name), f"Mag hoogstens {maximum} zijn."))
    errors += [
        FieldError(loc, "Deze tekst bevat een NUL-teken (\\u0000); dat kan niet worden opgeslagen.")
        for loc in _nul_texts(body.model_dump(mode="json"), ())
    ]
    return errors


def _nul_texts(value: Any, loc: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    """Where the body holds a NUL character, which PostgreSQL cannot store in JSON text."""
    if isinstance(value, str):
        return [loc] if "\x00" in value else []
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _nul_texts(v, (*loc, k))]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _nul_texts(v, (*loc, i))]
    return []


def _field_errors(errors: Sequence[dict[str, Any]]) -> list[FieldError]:
    return [FieldError(tuple(e["loc"]), e["msg"]) for e in errors]


def parse_if_match(header: str | None) -> list[str]:
    """The ETags of an If-Match header; `*` is refused, because it would overwrite blindly."""
    if header is None or not header.strip():
        raise PreconditionRequiredError(
            "Stuur de versie mee die u wijzigt: de header If-Match met de ETag die u kreeg, "
            'bijvoorbeeld If-Match: "1-3". Zo overschrijft u nooit ongemerkt andermans werk.'
        )
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        raise PreconditionRequiredError(
            "If-Match: * is hier niet toegestaan: stuur de ETag van de versie die u wijzigt."
        )
    return tags
