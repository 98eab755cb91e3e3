"""Pydantic shapes of the conflict analysis: the form (contracts.md, version 1), the recommendation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kb.interventions.schemas import ARRONDISSEMENTS, Contraindication

__all__ = [
    "COURT_ARRONDISSEMENTS",
    "MAX_CHILD_AGE",
    "TOPIC_LABELS",
    "Advice",
    "AnalysisBody",
    "Assessment",
    "Case",
    "Child",
    "Conflict",
    "Contact",
    "CuratorAdvice",
    "Deviation",
    "Factor",
    "InterventionTried",
    "MatchedIntervention",
    "Parent",
    "Reason",
    "Recommendation",
    "Safety",
    "SafetyResult",
    "Statement",
    "dutch_errors",
    "unknown_intervention_slugs",
]

# --- Codes (domain.md §4) -------------------------------------------------------------------

Topic = Literal[
    "gezag",
    "hoofdverblijf",
    "zorgregeling",
    "omgang",
    "verhuizing",
    "informatie_en_consultatie",
    "alimentatie",
    "ouderschapsplan",
]
PartnerViolence = Literal["geen", "vermoeden", "situationeel", "dwingende_controle"]
ViolenceForm = Literal[
    "psychisch",
    "dwingende_controle",
    "bedreiging",
    "fysiek",
    "ernstig_fysiek",
    "seksueel",
    "stalking",
]
ChildAbuse = Literal["geen", "vermoeden", "vastgesteld"]
LethalityIndicator = Literal[
    "wapen", "verwurging", "doodsbedreiging", "stalking_na_scheiding", "escalerend_geweld"
]
Pattern = Literal["wederzijds", "eenzijdig"]
Communication = Literal["direct", "via_derden", "geen"]
AgreementsKept = Literal["ja", "deels", "nee"]
LoyaltyConflict = Literal["geen", "vermoed", "duidelijk"]
DevelopmentThreatened = Literal["nee", "mogelijk", "ja"]
ParentRef = Literal["A", "B"]
ContactStatus = Literal["normaal", "weerstand", "weigering", "verlies"]
RefusalReason = Literal["gerechtvaardigd", "beinvloed", "onduidelijk"]
Concern = Literal[
    "psychisch", "verslaving", "persoonlijkheid", "trauma", "ontkenning_behoeften_kind"
]
Outcome = Literal[
    "afgerond_verbeterd", "afgerond_zonder_verbetering", "voortijdig_gestopt", "geweigerd", "lopend"
]
ChildInterest = Literal["ja", "nee", "twijfel"]
FactorKind = Literal["beschermend", "belemmerend"]
StatementKind = Literal["feit", "mening"]
Advice = Literal["benoemen", "overwegen", "niet_nodig"]
SafetyLevel = Literal["acuut", "zorgen", "geen"]
Strength = Literal["sterk", "matig"]
Profile = Literal["gedragswetenschapper", "jurist"]

NonEmpty = Annotated[str, Field(min_length=1)]

TOPIC_LABELS: dict[str, str] = {
    "gezag": "gezag",
    "hoofdverblijf": "hoofdverblijf",
    "zorgregeling": "zorgregeling",
    "omgang": "omgang",
    "verhuizing": "verhuizing",
    "informatie_en_consultatie": "informatie en consultatie",
    "alimentatie": "alimentatie",
    "ouderschapsplan": "ouderschapsplan",
}

# Every rechtbank carries the name of its arrondissement, so the map follows from the one list.
COURT_ARRONDISSEMENTS: dict[str, str] = {f"Rechtbank {name}": name for name in ARRONDISSEMENTS}

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
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- The form -------------------------------------------------------------------------------


class Case(_Form):
    """1. Zaak en procedure."""

    case_number: NonEmpty
    court: str
    topics: list[Topic] = Field(min_length=1)
    procedure_started_on: dt.date
    earlier_procedures: int = Field(ge=0)
    separated_on: dt.date | None = None

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

    partner_violence: PartnerViolence
    violence_forms: list[ViolenceForm] = Field(default_factory=list)
    child_abuse: ChildAbuse
    child_witnessed_violence: bool
    veilig_thuis_reports: int = Field(ge=0)
    police_involved: bool
    protective_measures: list[NonEmpty] = Field(default_factory=list)
    lethality_indicators: list[LethalityIndicator] = Field(default_factory=list)
    acute_danger: bool

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

    glasl_step: int
    pattern: Pattern
    child_drawn_in: bool
    network_escalates: bool
    communication: Communication
    agreements_kept: AgreementsKept

    @field_validator("glasl_step")
    @classmethod
    def _glasl_range(cls, value: int) -> int:
        if not 1 <= value <= 9:
            raise ValueError("De Glasl-trede loopt van 1 tot en met 9.")
        return value


class Contact(_Form):
    parent: ParentRef
    status: ContactStatus
    refusal_reason: RefusalReason | None = None

    @model_validator(mode="after")
    def _reason_only_for_refusal(self) -> Contact:
        if self.refusal_reason is not None and self.status not in _CONTACT_REFUSED:
            raise ValueError(
                "Een reden van weigering (refusal_reason) hoort alleen bij contact "
                "'weigering' of 'verlies'."
            )
        return self


class Child(_Form):
    """4. One child, by pseudonym and birth year only."""

    ref: str
    birth_year: int
    heard: bool
    heard_by: list[NonEmpty] = Field(default_factory=list)
    own_words: str | None = None
    wants_representation: bool
    loyalty_conflict: LoyaltyConflict
    stress_signals: list[NonEmpty] = Field(default_factory=list)
    development_threatened: DevelopmentThreatened
    contact: list[Contact] = Field(default_factory=list)

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

    ref: ParentRef
    has_authority: bool
    concerns: list[Concern] = Field(default_factory=list)
    accepts_help: bool
    supports_other_parent: bool


class InterventionTried(_Form):
    """7. Help tried: a knowledge-base slug (checked by `unknown_intervention_slugs`)."""

    slug: NonEmpty
    outcome: Outcome


class Factor(_Form):
    """6. A protective or hindering factor, weighed 1–3, with its source."""

    kind: FactorKind
    text: NonEmpty
    weight: int = Field(ge=1, le=3)
    source: NonEmpty


class Statement(_Form):
    """8. One statement in the weighing: fact or opinion, its source, hoor en wederhoor."""

    text: NonEmpty
    kind: StatementKind
    source: NonEmpty
    other_side_responded: bool | None = None


class Deviation(_Form):
    """9. The investigator's own advice where it differs from the computed one, with the reason."""

    advice: Advice
    reason: str

    @field_validator("reason")
    @classmethod
    def _reason_given(cls, value: str) -> str:
        if not value:
            raise ValueError("Wie van het berekende advies afwijkt, schrijft op waarom.")
        return value


class Assessment(_Form):
    """8. Afweging."""

    child_interest_at_stake: ChildInterest
    summary: str = ""
    statements: list[Statement] = Field(default_factory=list)
    deviation: Deviation | None = None


class AnalysisBody(_Form):
    """The analysis body of contracts.md (version 1) plus `factors`, `statements`, `deviation`.

    Validate with `AnalysisBody.model_validate(data, context={"today": date})` to fix the date
    that birth years and procedure dates are checked against; without it the clock is used.
    """

    case: Case
    safety: Safety
    conflict: Conflict
    children: list[Child] = Field(min_length=1)
    parents: list[Parent] = Field(min_length=1, max_length=2)
    interventions_tried: list[InterventionTried] = Field(default_factory=list)
    factors: list[Factor] = Field(default_factory=list)
    assessment: Assessment

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


def unknown_intervention_slugs(body: AnalysisBody, known_slugs: set[str]) -> list[dict[str, Any]]:
    """Field errors for tried interventions that are not in the knowledge base.

    Kept out of the model because the model cannot know the knowledge base; the caller passes
    its slugs.
    """
    return [
        {
            "loc": ["interventions_tried", index, "slug"],
            "msg": f"Onbekende interventie '{tried.slug}': kies een item uit de kennisbank.",
        }
        for index, tried in enumerate(body.interventions_tried)
        if tried.slug not in known_slugs
    ]


# --- Dutch messages for Pydantic's own errors ------------------------------------------------

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


def dutch_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors as `[{"loc": [...], "msg": "…"}]` with Dutch messages.

    The input is never echoed back: it may hold a child's name typed in the wrong field.
    """
    return [
        {"loc": list(error["loc"]), "msg": _dutch_message(error["type"], error.get("ctx") or {})}
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


class Recommendation(BaseModel):
    safety: SafetyResult
    curator: CuratorAdvice
    interventions: list[MatchedIntervention]
    reassess_by: dt.date
