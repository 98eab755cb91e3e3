"""Pydantic shapes of the conflict analysis: the form (contracts.md, version 1), the recommendation."""

from __future__ import annotations

import copy
import datetime as dt
import re
from types import UnionType
from typing import Annotated, Any, Union, cast, get_args, get_origin

from annotated_types import MinLen
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kb.vocabulary import (
    COURT_ARRONDISSEMENTS,
    Advice,
    AgreementsKept,
    ChildAbuse,
    ChildInterest,
    Communication,
    Concern,
    ContactStatus,
    Contraindication,
    DevelopmentThreatened,
    FactorKind,
    LethalityIndicator,
    LoyaltyConflict,
    Outcome,
    ParentRef,
    PartnerViolence,
    Pattern,
    Profile,
    RefusalReason,
    SafetyLevel,
    StatementKind,
    Strength,
    Topic,
    ViolenceForm,
)

__all__ = [
    "MAX_CHILD_AGE",
    "AnalysisBody",
    "Assessment",
    "Case",
    "Child",
    "Conflict",
    "Contact",
    "CuratorAdvice",
    "Deviation",
    "DraftBody",
    "Factor",
    "InterventionTried",
    "MatchedIntervention",
    "Parent",
    "Reason",
    "Recommendation",
    "Safety",
    "SafetyResult",
    "Statement",
]

# Limits on what one analysis may hold, so that storing it, its report and its PDF stay bounded:
# a 9.5 MB `own_words` took 21 s to print. With every text and list at its limit the report runs
# to some 35 pages, still a real case's: 2,000 characters hold a child's words of a long talk.
ITEM_TEXT = 100  # an item of a list: a measure, a stress signal, who heard the child
SHORT_TEXT = 200  # a case number, a source, a slug
TEXT = 1_000  # a statement, a factor
LONG_TEXT = 2_000  # a child's own words, the reason for deviating from the advice
SUMMARY_TEXT = 5_000  # the investigator's summary of the weighing
MAX_CHILDREN = 10
MAX_ITEMS = 10  # protective measures, stress signals, who heard the child
MAX_ENTRIES = 20  # help tried, factors
MAX_STATEMENTS = 30

NonEmpty = Annotated[str, Field(min_length=1, max_length=SHORT_TEXT)]
Item = Annotated[str, Field(min_length=1, max_length=ITEM_TEXT)]
Text = Annotated[str, Field(min_length=1, max_length=TEXT)]


def _date_text(value: Any) -> Any:
    # Lax dates would take a number as seconds since 1970; the API takes dates as text only.
    if isinstance(value, str | dt.date):
        return value
    raise PydanticCustomError("date_type", "Input should be a date in the form YYYY-MM-DD")


Day = Annotated[dt.date, Field(strict=False), BeforeValidator(_date_text)]


def _codes(literal: Any) -> int:
    """How many codes a list of codes may hold at most: each of them once."""
    return len(get_args(literal))


MAX_CHILD_AGE = 18
# Only pseudonyms: a child's name must never reach the database (domain.md §7).
_CHILD_REF = re.compile(r"K[1-9][0-9]*")
_CONTACT_REFUSED = ("weigering", "verlies")


def _today(info: ValidationInfo) -> dt.date:
    """The evaluation date from the validation context (`{"today": date}`), else the clock."""
    context = info.context if isinstance(info.context, dict) else {}
    today = context.get("today")
    if isinstance(today, dt.datetime):
        return today.date()
    return today if isinstance(today, dt.date) else dt.date.today()


def _not_in_future(value: dt.date | None, info: ValidationInfo) -> dt.date | None:
    if value is not None and value > _today(info):
        raise ValueError("Deze datum ligt in de toekomst.")
    return value


class _Form(BaseModel):
    # Strict: the API takes JSON as it is, so `true` is never Glasl step 1 and "5" never a number.
    # The HTML form posts text and converts it at its own edge (`form.py`); dates are the one
    # text the model parses (`Day`).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


# --- The form -------------------------------------------------------------------------------


class Case(_Form):
    """1. Zaak en procedure."""

    case_number: NonEmpty = Field(title="zaaknummer")
    court: str = Field(title="rechtbank")
    topics: list[Topic] = Field(min_length=1, max_length=_codes(Topic), title="onderwerpen")
    procedure_started_on: Day = Field(title="begin van de procedure")
    earlier_procedures: int = Field(ge=0, le=100, title="aantal eerdere procedures")
    separated_on: Day | None = Field(default=None, title="datum van de scheiding")

    @field_validator("court")
    @classmethod
    def _known_court(cls, value: str) -> str:
        if value not in COURT_ARRONDISSEMENTS:
            courts = ", ".join(COURT_ARRONDISSEMENTS)
            raise ValueError(f"Onbekende rechtbank. Kies een van de elf rechtbanken: {courts}.")
        return value

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("Elk onderwerp mag maar één keer voorkomen.")
        return value

    @field_validator("procedure_started_on", "separated_on")
    @classmethod
    def _dates_not_in_future(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _not_in_future(value, info)


class Safety(_Form):
    """2. Veiligheid: partner violence (MASIC forms), child abuse, lethality, acute danger."""

    partner_violence: PartnerViolence = Field(title="partnergeweld")
    violence_forms: list[ViolenceForm] = Field(
        default_factory=list, max_length=_codes(ViolenceForm), title="vormen van geweld"
    )
    child_abuse: ChildAbuse = Field(title="kindermishandeling")
    child_witnessed_violence: bool = Field(title="kind getuige van geweld")
    veilig_thuis_reports: int = Field(ge=0, le=1000, title="meldingen bij Veilig Thuis")
    police_involved: bool = Field(title="politie betrokken")
    protective_measures: list[Item] = Field(
        default_factory=list, max_length=MAX_ITEMS, title="beschermende maatregelen"
    )
    lethality_indicators: list[LethalityIndicator] = Field(
        default_factory=list,
        max_length=_codes(LethalityIndicator),
        title="letaliteitsindicatoren",
    )
    acute_danger: bool = Field(title="acuut gevaar")

    @model_validator(mode="after")
    def _forms_need_violence(self) -> Safety:
        if self.violence_forms and self.partner_violence == "geen":
            raise ValueError(
                "Vormen van geweld (violence_forms) passen niet bij partnergeweld 'geen': "
                "kies de soort partnergeweld of laat de vormen leeg."
            )
        return self


class Conflict(_Form):
    """3. Conflict: the Glasl step and how the parents deal with each other."""

    glasl_step: int = Field(title="Glasl-trede")
    pattern: Pattern = Field(title="patroon")
    child_drawn_in: bool = Field(title="kind in het conflict betrokken")
    network_escalates: bool = Field(title="netwerk escaleert")
    communication: Communication = Field(title="communicatie")
    agreements_kept: AgreementsKept = Field(title="afspraken nagekomen")

    @field_validator("glasl_step")
    @classmethod
    def _glasl_range(cls, value: int) -> int:
        if not 1 <= value <= 9:
            raise ValueError("De Glasl-trede loopt van 1 tot en met 9.")
        return value


class Contact(_Form):
    """A child's contact with one parent; a refusal with how it looks (Cafcass CIAF)."""

    model_config = ConfigDict(title="contact met ouder")

    parent: ParentRef = Field(title="ouder")
    status: ContactStatus = Field(title="contact")
    refusal_reason: RefusalReason | None = Field(default=None, title="reden van weigering")

    @model_validator(mode="after")
    def _reason_only_for_refusal(self) -> Contact:
        # A draft may name the reason before the status (DraftBody): that waits for the status.
        status = self.status
        if (
            self.refusal_reason is not None
            and status is not None
            and status not in _CONTACT_REFUSED
        ):
            raise ValueError(
                "Een reden van weigering (refusal_reason) hoort alleen bij contact "
                "'weigering' of 'verlies'."
            )
        return self


class Child(_Form):
    """4. One child, by pseudonym and birth year only."""

    model_config = ConfigDict(title="Kind")

    ref: str = Field(title="pseudoniem")
    birth_year: int = Field(title="geboortejaar")
    heard: bool = Field(title="gehoord")
    heard_by: list[Item] = Field(default_factory=list, max_length=MAX_ITEMS, title="gehoord door")
    own_words: str | None = Field(default=None, max_length=LONG_TEXT, title="eigen woorden")
    wants_representation: bool = Field(title="vraagt om een eigen vertegenwoordiger")
    loyalty_conflict: LoyaltyConflict = Field(title="loyaliteitsconflict")
    stress_signals: list[Item] = Field(
        default_factory=list, max_length=MAX_ITEMS, title="stresssignalen"
    )
    development_threatened: DevelopmentThreatened = Field(title="ontwikkeling bedreigd")
    contact: list[Contact] = Field(
        default_factory=list, max_length=2, title="contact met de ouders"
    )

    @field_validator("ref")
    @classmethod
    def _pseudonym(cls, value: str) -> str:
        if not _CHILD_REF.fullmatch(value):
            raise ValueError(
                "Gebruik een pseudoniem als K1, K2, K3 …; namen van kinderen worden nooit opgeslagen."
            )
        return value

    @field_validator("birth_year")
    @classmethod
    def _minor(cls, value: int, info: ValidationInfo) -> int:
        this_year = _today(info).year
        if value > this_year:
            raise ValueError("Het geboortejaar ligt in de toekomst.")
        if this_year - value > MAX_CHILD_AGE:
            raise ValueError(
                f"Het geboortejaar ligt meer dan {MAX_CHILD_AGE} jaar terug: "
                "de conflictanalyse gaat over minderjarige kinderen."
            )
        return value

    @field_validator("contact")
    @classmethod
    def _one_contact_per_parent(cls, value: list[Contact]) -> list[Contact]:
        parents = [c.parent for c in value]
        if len(set(parents)) != len(parents):
            raise ValueError("Geef het contact met elke ouder maar één keer op.")
        return value


class Parent(_Form):
    """5. One parent, A or B."""

    model_config = ConfigDict(title="Ouder")

    ref: ParentRef = Field(title="ouder")
    has_authority: bool = Field(title="gezag")
    concerns: list[Concern] = Field(
        default_factory=list, max_length=_codes(Concern), title="zorgen"
    )
    accepts_help: bool = Field(title="aanvaardt hulp")
    supports_other_parent: bool = Field(title="steunt de band met de andere ouder")


class InterventionTried(_Form):
    """7. Help tried: a knowledge-base slug (checked by `unknown_intervention_slugs`)."""

    model_config = ConfigDict(title="Hulp")

    slug: NonEmpty = Field(title="interventie")
    outcome: Outcome = Field(title="uitkomst")


class Factor(_Form):
    """6. A protective or hindering factor, weighed 1–3, with its source."""

    model_config = ConfigDict(title="Factor")

    kind: FactorKind = Field(title="soort")
    text: Text = Field(title="omschrijving")
    weight: int = Field(ge=1, le=3, title="gewicht")
    source: NonEmpty = Field(title="bron")


class Statement(_Form):
    """8. One statement in the weighing: fact or opinion, its source, hoor en wederhoor."""

    model_config = ConfigDict(title="Uitspraak")

    text: Text = Field(title="tekst")
    kind: StatementKind = Field(title="feit of mening")
    source: NonEmpty = Field(title="bron")
    other_side_responded: bool | None = Field(default=None, title="wederhoor")


class Deviation(_Form):
    """9. The investigator's own advice where it differs from the computed one, with the reason."""

    advice: Advice = Field(title="eigen advies")
    reason: str = Field(max_length=LONG_TEXT, title="reden van afwijken")

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value:
            raise ValueError("Wie van het berekende advies afwijkt, schrijft op waarom.")
        return value


class Assessment(_Form):
    """8. Afweging."""

    child_interest_at_stake: ChildInterest = Field(title="belang van het kind in het geding")
    summary: str = Field(default="", max_length=SUMMARY_TEXT, title="samenvatting")
    statements: list[Statement] = Field(
        default_factory=list, max_length=MAX_STATEMENTS, title="uitspraken"
    )
    deviation: Deviation | None = Field(default=None, title="Afwijking van het advies")


class AnalysisBody(_Form):
    """The analysis body of contracts.md (version 1) plus `factors`, `statements`, `deviation`.

    Validate with `AnalysisBody.model_validate(data, context={"today": date})` to fix the date
    that birth years and procedure dates are checked against; without it the clock is used.
    """

    case: Case = Field(title="Zaak en procedure")
    safety: Safety = Field(title="Veiligheid")
    conflict: Conflict = Field(title="Conflict")
    children: list[Child] = Field(min_length=1, max_length=MAX_CHILDREN, title="Kinderen")
    parents: list[Parent] = Field(min_length=1, max_length=2, title="Ouders")
    interventions_tried: list[InterventionTried] = Field(
        default_factory=list, max_length=MAX_ENTRIES, title="Hulpverlening"
    )
    factors: list[Factor] = Field(
        default_factory=list, max_length=MAX_ENTRIES, title="Beschermende en belemmerende factoren"
    )
    assessment: Assessment = Field(title="Afweging")

    @field_validator("children")
    @classmethod
    def _unique_children(cls, value: list[Child]) -> list[Child]:
        refs = [c.ref for c in value]
        if len(set(refs)) != len(refs):
            raise ValueError("Elk kind heeft een eigen pseudoniem (K1, K2 …): dubbel pseudoniem.")
        return value

    @field_validator("parents")
    @classmethod
    def _unique_parents(cls, value: list[Parent]) -> list[Parent]:
        refs = [p.ref for p in value]
        if len(set(refs)) != len(refs):
            raise ValueError("De ouders heten A en B, elk één keer.")
        return value


# --- A draft: the same form, anything still to be filled in --------------------------------------


def _drop_blanks(data: Any) -> Any:
    """In a draft, null is "not filled in yet": the same as leaving the field out."""
    if isinstance(data, dict):
        return {key: value for key, value in data.items() if value is not None}
    return data


def _draft_type(annotation: Any) -> Any:
    """The draft counterpart of a field's type: a form model's draft, also inside a list."""
    if isinstance(annotation, type) and issubclass(annotation, _Form):
        return _draft_model(annotation)
    origin = get_origin(annotation)
    if origin is list:
        (item,) = get_args(annotation)
        return list[_draft_type(item)]  # type: ignore[misc]
    if origin in (Union, UnionType):
        return Union[tuple(_draft_type(arg) for arg in get_args(annotation))]  # noqa: UP007
    return annotation


_DRAFTS: dict[type[BaseModel], type[BaseModel]] = {}
_DROP_BLANKS: Any = model_validator(mode="before")(_drop_blanks)


def _draft_model(model: type[_Form]) -> type[BaseModel]:
    """`model` with every field optional and no list's minimum: what a `concept` may hold.

    A subclass, so each value keeps the model's own checks (a pseudonym, a known court, a date
    not in the future): a draft may be incomplete, never wrong. What it still lacks is what the
    full model finds missing (`Advisor.parse_draft`).
    """
    if model in _DRAFTS:
        return _DRAFTS[model]
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation = _draft_type(info.annotation)
        kept = copy.copy(info)
        kept.metadata = [m for m in info.metadata if not isinstance(m, MinLen)]
        if info.is_required():
            annotation = annotation | None
            kept.default = None
        kept.annotation = annotation
        fields[name] = (annotation, kept)
    draft: type[BaseModel] = create_model(
        f"Draft{model.__name__}",
        __base__=model,
        __module__=__name__,
        __validators__={"_drop_blanks": _DROP_BLANKS},
        **fields,
    )
    _DRAFTS[model] = draft
    return draft


# The form as a `concept` may hold it: a subclass of `AnalysisBody` whose fields may be absent.
DraftBody: type[AnalysisBody] = cast(type[AnalysisBody], _draft_model(AnalysisBody))


# --- The recommendation (contracts.md) ---------------------------------------------------------


class SafetyResult(BaseModel):
    """The safety gate's verdict. `signals` (an extension) says what led to the level."""

    level: SafetyLevel
    excluded_contraindications: list[Contraindication]
    actions: list[str]
    signals: list[str] = Field(default_factory=list)


class Reason(BaseModel):
    code: str
    strength: Strength
    text: str
    basis: str


class CuratorAdvice(BaseModel):
    """The computed `advice` and, beside it, the `final_advice` after any deviation.

    `profile`, `task` and `report_by` follow the final advice: an appointment the investigator
    proposes against the computed advice still needs a profile, a task and a date.
    """

    advice: Advice
    reasons: list[Reason]
    profile: Profile | None
    task: str | None
    report_by: dt.date | None
    final_advice: Advice
    deviation_reason: str | None = None


class MatchedIntervention(BaseModel):
    slug: str
    title: str
    reasons: list[str]
    available_in_arrondissement: bool
    kind: str
    evidence_level: int
    # None in recommendations stored before the status was kept with each match.
    status: str | None = None


class Recommendation(BaseModel):
    safety: SafetyResult
    curator: CuratorAdvice
    interventions: list[MatchedIntervention]
    reassess_by: dt.date
