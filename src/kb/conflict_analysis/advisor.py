"""The advice for a body, stored nowhere: check it against the knowledge base, compute it.

`Advisor.parse` adds to the form model (`schemas.AnalysisBody`) what the model cannot know: the
knowledge base's slugs, and what storage cannot hold (PostgreSQL keeps no NUL character in JSON
text). Lengths and counts are the model's own limits. `evaluate` and `preview` serve the API's
evaluate and the form's live preview; `AnalysisService` uses the same methods before it stores
anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from kb.conflict_analysis.matching import arrondissement_of_court
from kb.conflict_analysis.responses import Preview
from kb.conflict_analysis.rules import evaluate, safety_gate
from kb.conflict_analysis.schemas import AnalysisBody, DraftBody, Recommendation, Safety
from kb.errors import FieldError, InvalidInputError, dutch_field_errors
from kb.interventions.catalogue import Catalogue

__all__ = ["Advisor"]


class Advisor:
    """Parses analysis bodies and computes their recommendation against one catalogue.

    Args:
        catalogue: The knowledge base: the tried help must exist in it, matching reads it.
        today: The evaluation date (birth years, procedure length, dates in the advice).
    """

    def __init__(self, catalogue: Catalogue, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.catalogue = catalogue
        self.today = today

    def parse(self, data: Any, today: dt.date | None = None) -> AnalysisBody:
        """Validate a body against `today`, including that tried help exists in the knowledge base.

        Raises:
            InvalidInputError: with one Dutch message per field.
        """
        try:
            body = AnalysisBody.model_validate(data, context={"today": today or self.today()})
        except ValidationError as exc:
            raise InvalidInputError(
                "De analyse is niet volledig of niet juist ingevuld.", dutch_field_errors(exc)
            ) from None
        self._check_contents(body)
        return body

    def parse_draft(
        self, data: Any, today: dt.date | None = None
    ) -> tuple[AnalysisBody, list[FieldError]]:
        """A `concept`'s body, which may be incomplete but never wrong, and what it still lacks.

        Returns:
            The body (a `DraftBody` when something is missing) and the missing fields, each
            with a Dutch message; an empty list when the body is complete.

        Raises:
            InvalidInputError: for a value that is wrong, whatever else is missing.
        """
        today = today or self.today()
        try:
            return self.parse(data, today), []
        except InvalidInputError as complete:
            missing = complete.errors
        try:
            draft = DraftBody.model_validate(data, context={"today": today})
        except ValidationError as exc:
            raise InvalidInputError(
                "Een of meer velden zijn niet juist ingevuld.", dutch_field_errors(exc)
            ) from None
        # The draft holds no wrong value, so what the full form still finds is only missing;
        # unless the contents themselves are wrong (an unknown slug), which this raises.
        self._check_contents(draft)
        return draft, [_as_missing(error) for error in missing]

    def _check_contents(self, body: AnalysisBody) -> None:
        """What the model cannot know: the knowledge base's slugs, what storage can hold."""
        unknown = [
            FieldError(
                ("interventions_tried", index, "slug"),
                f"Onbekende interventie '{tried.slug}': kies een item uit de kennisbank.",
            )
            for index, tried in enumerate(body.interventions_tried)
            if tried.slug is not None and tried.slug not in self.catalogue
        ]
        if unknown:
            raise InvalidInputError(
                "Een of meer interventies staan niet in de kennisbank.", unknown
            )
        unstorable = _unstorable(body)
        if unstorable:
            raise InvalidInputError(
                "Een of meer teksten bevatten een teken dat niet kan worden opgeslagen.",
                unstorable,
            )

    def recommend(self, body: AnalysisBody, today: dt.date | None = None) -> Recommendation:
        return evaluate(
            body,
            self.catalogue.candidates,
            today or self.today(),
            arrondissement_of_court(body.case.court),
        )

    def evaluate(self, data: Any) -> Recommendation:
        """The recommendation for a body; nothing is stored (nor audited: it holds no case)."""
        today = self.today()
        return self.recommend(self.parse(data, today), today)

    def preview(self, data: Any) -> Preview:
        """As `evaluate`, but for a half-filled form: the safety gate comes first."""
        try:
            body = self.parse(data)
        except InvalidInputError as exc:
            safety = None
            raw = data.get("safety") if isinstance(data, dict) else None
            with contextlib.suppress(ValidationError):
                safety = safety_gate(Safety.model_validate(raw))
            return Preview(safety=safety, problems=len(exc.errors))
        return Preview(recommendation=self.recommend(body))

    def title_of(self, slug: str) -> str:
        """An entry's title for the report; the slug itself if the entry has gone since."""
        entry = self.catalogue.by_slug.get(slug)
        return entry.title if entry is not None else slug


def _as_missing(error: FieldError) -> FieldError:
    """A missing field in words for a draft: not an error yet, something still to fill in."""
    if error.msg.startswith("Geef er minstens"):
        return FieldError(error.loc, "Nog niet ingevuld: voeg er minstens één toe.")
    if error.msg == "Dit veld is verplicht.":
        return FieldError(error.loc, "Nog niet ingevuld.")
    return error


def _unstorable(body: AnalysisBody) -> list[FieldError]:
    # JSON writes a NUL character as \u0000: one search of the dump, and only a body that has
    # one is walked to say where.
    if "\\u0000" not in body.model_dump_json():
        return []
    return [
        FieldError(loc, "Deze tekst bevat een NUL-teken (\\u0000); dat kan niet worden opgeslagen.")
        for loc in _nul_texts(body.model_dump(mode="json"), ())
    ]


def _nul_texts(value: Any, loc: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    """Where the body holds a NUL character, which PostgreSQL cannot store in JSON text."""
    if isinstance(value, str):
        return [loc] if "\x00" in value else []
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _nul_texts(v, (*loc, k))]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _nul_texts(v, (*loc, i))]
    return []
