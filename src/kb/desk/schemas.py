"""Shapes of the desk pages: the guide's answers, a chosen place, chosen entries, and the results.

Every parser takes the raw form or query values and either returns a valid shape or raises
`InvalidInputError` whose field errors name the form field (`loc = ("form", name)`), so a page
can show the form again with a Dutch error summary that links to each field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, field_validator

from kb.errors import FieldError, InvalidInputError, UnknownNameError, dutch_field_errors
from kb.interventions.schemas import Entry, Provider
from kb.regions import Municipality, provider_area, register
from kb.vocabulary import (
    ARRONDISSEMENTS,
    GUIDE_COMMUNICATION,
    GUIDE_SAFETY,
    PROVINCES,
    GuideCommunication,
    GuideSafety,
)

__all__ = [
    "COMMUNICATION_PHASES",
    "COMPARE_MAX",
    "COMPARE_MIN",
    "DESK_PROFILE_FIELDS",
    "HANDOUT_MAX",
    "HANDOUT_MIN",
    "MAX_AGE",
    "MAX_CHILDREN",
    "DeskProfileIn",
    "DeskProfileOut",
    "GuideAnswers",
    "GuideMatch",
    "GuideResult",
    "LocalHelp",
    "LocalOffer",
    "Place",
    "parse_slugs",
]

PlaceKind = Literal["gemeente", "provincie", "arrondissement"]
Availability = Literal["lokaal", "landelijk", "regio", "onbekend"]

# How the parents talk → Glasl's main phase (domain.md §4.3 matches on the phase).
COMMUNICATION_PHASES: dict[str, int] = {"rustig": 1, "moeizaam": 2, "geen_contact": 3}

MAX_AGE = 25  # the knowledge base's own upper age (interventions.schemas.Age)
MAX_CHILDREN = 10
MAX_PLACE_LENGTH = 100
COMPARE_MIN, COMPARE_MAX = 2, 4
HANDOUT_MIN, HANDOUT_MAX = 1, 4

_AGE_SEPARATORS = re.compile(r"(?:\s*[,;/+&]\s*|\s+en\s+|\s+)", re.IGNORECASE)
_AGE = re.compile(r"[0-9]{1,3}")  # ASCII digits only: int() refuses "²", isdigit() does not
_AGE_WORDS = re.compile(r"\s*(?:jaar|jr\.?)\s*", re.IGNORECASE)
# Letters of any script, spaces, hyphens, apostrophes, dots and brackets: "'s-Hertogenbosch",
# "Súdwest-Fryslân", "Bergen (NH.)". Digits and other signs are refused, so nothing that looks
# like an address or a phone number is ever echoed back.
_PLACE = re.compile(r"['’]?[^\W\d_][\w\s'’.()\-]*", re.UNICODE)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,119}")


def _error(name: str, message: str) -> FieldError:
    return FieldError(("form", name), message)


def _place_name(value: str) -> str | None:
    """A cleaned place name, or None when it has signs a place name never has."""
    name = " ".join(value.split())
    if len(name) > MAX_PLACE_LENGTH or not _PLACE.fullmatch(name) or any(c.isdigit() for c in name):
        return None
    return name


class GuideAnswers(BaseModel):
    """The guide's answers. They live only for one request: nothing here is ever stored."""

    model_config = ConfigDict(frozen=True)

    ages: tuple[int, ...]
    communication: GuideCommunication
    safety: GuideSafety
    municipality: str | None = None

    @property
    def unsafe(self) -> bool:
        """Any answer but "nee" is a sign of unsafety: doubt counts, as in the safety gate."""
        return self.safety != "nee"

    @property
    def acute(self) -> bool:
        return self.safety == "nu_gevaar"

    @property
    def glasl_phase(self) -> int:
        return COMMUNICATION_PHASES[self.communication]

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> GuideAnswers:
        """Validate the form fields `leeftijden`, `omgang`, `veiligheid` and `gemeente`."""
        errors: list[FieldError] = []
        ages = _parse_ages(raw.get("leeftijden", ""), errors)
        communication = raw.get("omgang", "")
        if communication not in GUIDE_COMMUNICATION:
            errors.append(_error("omgang", "Kies hoe u en de andere ouder met elkaar praten."))
        safety = raw.get("veiligheid", "")
        if safety not in GUIDE_SAFETY:
            errors.append(
                _error("veiligheid", "Kies of iemand in uw gezin zich onveilig of bedreigd voelt.")
            )
        municipality = None
        if typed := raw.get("gemeente", "").strip():
            found = _municipality(typed, errors)
            municipality = found.name if found else None
        if errors:
            raise InvalidInputError("Een of meer antwoorden ontbreken of kloppen niet.", errors)
        return cls.model_validate(
            {
                "ages": ages,
                "communication": communication,
                "safety": safety,
                "municipality": municipality,
            }
        )


def _municipality(typed: str, errors: list[FieldError]) -> Municipality | None:
    """The municipality a parent typed, resolved through the municipality list; a Dutch error
    ("Bedoelde u …?") for a name it does not know, never a silent empty list (domain §9.1)."""
    name = _place_name(typed)
    if name is None:
        errors.append(_error("gemeente", "Vul alleen de naam van uw gemeente in, zonder cijfers."))
        return None
    try:
        return register().resolve(name)
    except UnknownNameError as exc:
        errors.append(_error("gemeente", exc.detail))
        return None


def _parse_ages(text: str, errors: list[FieldError]) -> tuple[int, ...]:
    """ "5", "5, 9", "5 en 9 jaar" → (5, 9); adds a Dutch error and returns () otherwise."""
    words = [w for w in _AGE_SEPARATORS.split(_AGE_WORDS.sub(" ", text[:200]).strip()) if w]
    if not words:
        errors.append(_error("leeftijden", "Vul de leeftijd van uw kind of kinderen in."))
        return ()
    if not all(_AGE.fullmatch(w) for w in words):
        errors.append(
            _error("leeftijden", "Schrijf elke leeftijd als een getal, bijvoorbeeld: 5, 9.")
        )
        return ()
    ages = tuple(int(w) for w in words)
    if len(ages) > MAX_CHILDREN:
        errors.append(_error("leeftijden", f"Vul hoogstens {MAX_CHILDREN} leeftijden in."))
        return ()
    if any(age > MAX_AGE for age in ages):
        errors.append(_error("leeftijden", f"Vul een leeftijd in van 0 tot en met {MAX_AGE} jaar."))
        return ()
    return ages


@dataclass(frozen=True)
class Place:
    """Where a parent looks for help: a municipality, a province or an arrondissement.

    A municipality is resolved through the municipality list, so it knows its province and
    arrondissement; help named for either is help there too.
    """

    kind: PlaceKind
    name: str
    municipality: Municipality | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> Place | None:
        """Validate `gemeente`, `provincie` and `arrondissement`; None when none is chosen."""
        given = {k: raw.get(k, "").strip() for k in ("gemeente", "provincie", "arrondissement")}
        chosen = {k: v for k, v in given.items() if v}
        if not chosen:
            return None
        errors: list[FieldError] = []
        if len(chosen) > 1:
            errors.append(
                _error(
                    next(iter(chosen)),
                    "Kies één ding: een gemeente, een provincie of een arrondissement.",
                )
            )
        kind, value = next(iter(chosen.items()))
        name: str | None = value
        municipality = None
        if kind == "gemeente":
            municipality = _municipality(value, errors)
            name = municipality.name if municipality else None
        elif kind == "provincie" and value not in PROVINCES:
            errors.append(_error("provincie", "Kies een provincie uit de lijst."))
        elif kind == "arrondissement" and value not in ARRONDISSEMENTS:
            errors.append(_error("arrondissement", "Kies een arrondissement uit de lijst."))
        if errors or name is None:
            raise InvalidInputError("Kies een plaats om hulp in de buurt te zien.", errors)
        return cls(kind=kind, name=name, municipality=municipality)  # type: ignore[arg-type]

    def matches(self, provider: Provider) -> bool:
        """The provider serves this place, or (for a province or arrondissement) part of it."""
        area = provider_area(provider.municipalities, provider.province, provider.arrondissement)
        if self.kind == "gemeente":
            return self.municipality in area
        if self.kind == "provincie":
            return any(m.province == self.name for m in area)
        return any(m.arrondissement == self.name for m in area) or (
            provider.arrondissement == self.name
        )


def parse_slugs(values: Sequence[str], minimum: int, maximum: int, purpose: str) -> list[str]:
    """The chosen entries, in the order given, each once; `purpose` words the messages.

    Only the count and the form of each slug are checked here; whether the entries exist is
    the service's question.
    """
    slugs = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    errors = []
    if len(slugs) < minimum:
        what = "één item" if minimum == 1 else f"{minimum} items"
        errors.append(_error("slug", f"Kies minstens {what} {purpose}."))
    elif len(slugs) > maximum:
        errors.append(_error("slug", f"Kies hoogstens {maximum} items {purpose}."))
    bad = [s for s in slugs if not _SLUG.fullmatch(s)]
    if bad:
        errors.append(_error("slug", "Een van de gekozen items bestaat niet. Kies uit de lijst."))
    if errors:
        raise InvalidInputError("De keuze is niet compleet.", errors)
    return slugs


@dataclass(frozen=True)
class GuideMatch:
    """One suitable entry for the parent, with the reasons in plain words."""

    item: Entry
    availability: Availability
    reasons: list[str]


@dataclass(frozen=True)
class GuideResult:
    answers: GuideAnswers
    matches: list[GuideMatch]
    also_local: list[GuideMatch]
    excluded_contraindications: tuple[str, ...]


@dataclass(frozen=True)
class LocalOffer:
    """An entry offered in the chosen place, with only the providers there."""

    item: Entry
    providers: list[Provider]


@dataclass(frozen=True)
class LocalHelp:
    place: Place | None
    local: list[LocalOffer]
    national: list[Entry]
    municipalities: list[str] = field(default_factory=list)


# --- The desk profile ---------------------------------------------------------------------------

DESK_PROFILE_FIELDS = ("name", "address", "opening_hours", "phone", "notes")
# Digits, spaces, hyphens, brackets and a leading plus: "010-123 45 67", "+31 10 123 4567".
_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]{5,38}")


class DeskProfileIn(BaseModel):
    """What the beheerder fills in for a municipality's desk; printed on its handouts."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=1, max_length=120, description="naam van het loket")
    address: str = Field(default="", max_length=300, description="bezoekadres")
    opening_hours: str = Field(default="", max_length=300, description="openingstijden")
    phone: str = Field(default="", max_length=40, description="telefoonnummer")
    notes: str = Field(default="", max_length=1000, description="opmerkingen voor ouders")

    @field_validator("phone")
    @classmethod
    def _phone_number(cls, value: str) -> str:
        if value and not _PHONE.fullmatch(value):
            raise ValueError(
                "Vul een telefoonnummer in met alleen cijfers, spaties en streepjes, "
                "bijvoorbeeld 010-123 45 67."
            )
        return value

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> DeskProfileIn:
        """The profile from a form or a JSON body; Dutch field errors otherwise."""
        try:
            return cls.model_validate(dict(raw))
        except ValidationError as exc:
            raise InvalidInputError(
                "Het loketprofiel is niet goed ingevuld.", dutch_field_errors(exc)
            ) from exc


class DeskProfileOut(DeskProfileIn):
    """A saved profile: the municipality it belongs to and its revision (the ETag)."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    municipality: str
    revision: int
    updated_at: dt.datetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def etag(self) -> str:
        return f'"{self.revision}"'

    @property
    def tel(self) -> str:
        """The phone number as a `tel:` link wants it: the plus and the digits."""
        return "".join(c for c in self.phone if c.isdigit() or c == "+")
