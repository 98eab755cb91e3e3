"""The knowledge-base entry: its front matter as written, the one `Entry` every reader gets, and
the list item of the search API (a projection of it)."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    PrivateAttr,
    computed_field,
    field_validator,
    model_validator,
)

from kb.clock import today
from kb.regions import provider_area, provider_arrondissements, register, suggestion_text
from kb.vocabulary import (
    EVIDENCE_LABELS,
    FLAGS,
    PROVINCES,
    RECOGNITION_SCHEMES,
    Arrondissement,
    Audience,
    Contraindication,
    DivorceStage,
    EvaluationStatus,
    Flag,
    Format,
    Kind,
    RatingState,
    Route,
    Scheme,
    Status,
)

__all__ = [
    "Entry",
    "EntryFrontMatter",
    "Evidence",
    "ExpiredRating",
    "Pilot",
    "Provider",
    "Rating",
    "SearchItem",
    "SearchPage",
    "Source",
    "rating_state",
]

Level = Annotated[int, Field(ge=0, le=5)]
Age = Annotated[int, Field(ge=0, le=25)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Source(_Strict):
    title: NonEmpty
    url: HttpUrl
    accessed: dt.date | None = None
    note: str | None = Field(default=None, description="e.g. 'secundaire bron' for ⚠️ facts")


class Rating(_Strict):
    """One published judgment about the entry; never folded into one column."""

    scheme: Scheme
    label: NonEmpty = Field(description="exactly as published")
    level: Level = Field(description="normalised 0–5, see EVIDENCE_LABELS")
    date: dt.date | None = None
    valid_until: dt.date | None = None
    committee: str | None = None
    source_url: HttpUrl | None = None
    flags: list[Flag] = Field(default_factory=list)
    superseded: bool = Field(
        default=False, description="replaced by a newer judgment of the same scheme; kept on record"
    )
    note: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Rating:
        if (self.level > 0 or self.flags) and self.source_url is None:
            raise ValueError(
                "een beoordeling met niveau > 0 of een vlag heeft een source_url nodig; "
                "zonder bron is het niveau 0"
            )
        if self.scheme in RECOGNITION_SCHEMES:
            # domain.md §9.3: a recognition's date comes from the register page itself, and it
            # holds for a fixed term (NJi: five years) that the content states.
            missing = [name for name in ("date", "source_url") if getattr(self, name) is None]
            if missing:
                raise ValueError(
                    f"een erkenning ({self.scheme}) heeft {' en '.join(missing)} nodig: "
                    "de datum en de pagina van het register zelf"
                )
            if self.valid_until is None:
                raise ValueError(
                    f"een erkenning ({self.scheme}) met een datum heeft valid_until nodig "
                    "(NJi: vijf jaar na de datum, tenzij de bron iets anders zegt)"
                )
        if self.date and self.valid_until and self.valid_until < self.date:
            raise ValueError("valid_until ligt vóór date")
        return self

    def counts_on(self, day: dt.date) -> bool:
        """Whether this judgment may count for the headline level on `day`."""
        return not self.superseded and not self.expired_on(day)

    def expired_on(self, day: dt.date) -> bool:
        """Its validity ended before `day` (a rating without `valid_until` does not expire)."""
        return self.valid_until is not None and self.valid_until < day


class Provider(_Strict):
    name: NonEmpty
    municipalities: list[str] = Field(default_factory=list)
    province: str | None = None
    arrondissement: Arrondissement | None = None
    url: HttpUrl | None = None
    waiting_weeks: float | None = Field(default=None, ge=0)
    cost: str | None = None

    @field_validator("municipalities")
    @classmethod
    def _known_municipalities(cls, names: list[str]) -> list[str]:
        # A place the municipality list does not know would silently match no one (domain §9.1).
        for name in names:
            if register().lookup(name) is None:
                hint = suggestion_text(register().suggest(name))
                raise ValueError(f"onbekende gemeente '{name}'. {hint}")
        return names

    @field_validator("province")
    @classmethod
    def _known_province(cls, name: str | None) -> str | None:
        if name and register().province(name) is None:
            raise ValueError(f"onbekende provincie '{name}'. Kies uit: {', '.join(PROVINCES)}.")
        return name

    @model_validator(mode="after")
    def _arrondissement_fits(self) -> Provider:
        # The arrondissement a provider names must be where its municipalities or province lie.
        if self.arrondissement and (self.municipalities or self.province):
            area = provider_area(self.municipalities, self.province, None)
            if self.arrondissement not in {m.arrondissement for m in area}:
                where = "de gemeenten" if self.municipalities else "de provincie"
                raise ValueError(
                    f"arrondissement '{self.arrondissement}' past niet bij {where} van deze "
                    "aanbieder; laat het leeg of kies het arrondissement waarin die liggen"
                )
        return self


class Pilot(_Strict):
    start: dt.date | int | None = None
    end: dt.date | int | None = None
    locations: list[str] = Field(default_factory=list)
    evaluator: str | None = None
    evaluation_status: EvaluationStatus | None = None
    result: str | None = None


class EntryFrontMatter(_Strict):
    """The YAML front matter of `content/interventions/<slug>.md` (domain.md §3.2)."""

    title: NonEmpty
    aliases: list[str] = Field(default_factory=list)
    kind: Kind
    status: Status
    summary: NonEmpty = Field(max_length=600)
    summary_b1: str | None = Field(default=None, max_length=600)
    summary_jongeren: str | None = Field(
        default=None,
        max_length=400,
        description="in de taal van jongeren (12–18), in de je-vorm; voor items met audience kind",
    )
    audience: list[Audience] = Field(default_factory=list)
    age_min: Age | None = None
    age_max: Age | None = None
    glasl_phases: list[Annotated[int, Field(ge=1, le=3)]] = Field(default_factory=list)
    divorce_stage: list[DivorceStage] = Field(default_factory=list)
    format: list[Format] = Field(default_factory=list)
    sessions: int | None = Field(default=None, ge=1)
    session_minutes: int | None = Field(default=None, ge=1)
    duration_weeks: int | None = Field(default=None, ge=1)
    route: list[Route] = Field(default_factory=list)
    contraindications: list[Contraindication] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    owner: str | None = None
    national: bool = Field(
        default=False, description="landelijk beschikbaar (e.g. online, or a legal arrangement)"
    )
    available_in_nl: bool = Field(
        default=True,
        description="in Nederland te krijgen; false voor een programma zonder Nederlandse aanbieder "
        "(getoond als 'niet in Nederland verkrijgbaar', nooit aanbevolen)",
    )
    providers: list[Provider] = Field(default_factory=list)
    ratings: list[Rating] = Field(default_factory=list)
    pilot: Pilot | None = None
    sources: list[Source] = Field(min_length=1)
    verified: bool = True
    last_reviewed: dt.date
    next_review: dt.date
    related: list[str] = Field(default_factory=list)

    @field_validator("glasl_phases")
    @classmethod
    def _phases_in_order(cls, values: list[int]) -> list[int]:
        return sorted(set(values))

    @field_validator("aliases", "conditions", "related")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("lege waarde in de lijst")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> EntryFrontMatter:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min is groter dan age_max")
        if self.next_review < self.last_reviewed:
            raise ValueError("next_review ligt vóór last_reviewed")
        source_urls = {str(s.url) for s in self.sources}
        for rating in self.ratings:
            if rating.source_url is not None and str(rating.source_url) not in source_urls:
                raise ValueError(
                    f"de source_url van beoordeling '{rating.label}' staat niet in sources"
                )
        if self.kind == "pilot" and self.pilot is None:
            raise ValueError("een pilot heeft een blok 'pilot' (start, locaties, evaluatie)")
        return self


class ExpiredRating(BaseModel):
    """A recognition whose term has ended: still shown, no longer counted (domain.md §9.3)."""

    scheme: str
    rating: str
    expired_on: dt.date


class Evidence(BaseModel):
    """The one evidence summary users see first: the level of the ratings valid on the day, plus
    every flag of every rating and the ratings that have expired."""

    level: int
    label: str
    flags: list[str]
    valid_until: dt.date | None = None
    expired_ratings: list[ExpiredRating] = Field(default_factory=list)
    disputed: bool = Field(
        default=False,
        description="current ratings of different levels disagree; the headline is the lowest",
    )

    @classmethod
    def from_ratings(cls, ratings: list[Rating], on: dt.date) -> Evidence:
        # Flags from any rating are kept, even expired or superseded ones, because a harmful or
        # no-effect finding must never be hidden.
        flags: list[str] = sorted({f for r in ratings for f in r.flags}, key=FLAGS.index)
        counted = [r for r in ratings if r.counts_on(on)]
        # domain.md §9.3: where current judgments disagree, the lower holds until an editor
        # resolves it (by marking one `superseded`); a single level stands as it is.
        levels = {r.level for r in counted}
        level = min(levels, default=0)
        expired = [
            ExpiredRating(scheme=r.scheme, rating=r.label, expired_on=r.valid_until)
            for r in ratings
            if r.valid_until is not None and not r.superseded and r.expired_on(on)
        ]
        return cls(
            level=level,
            label=EVIDENCE_LABELS[level],
            flags=flags,
            valid_until=_headline_valid_until(counted, level),
            expired_ratings=expired,
            disputed=len(levels) > 1,
        )


def _headline_valid_until(counted: list[Rating], level: int) -> dt.date | None:
    """Until when the headline level holds: the longest-valid current rating that gives it."""
    giving = [r for r in counted if r.level == level]
    if level == 0 or any(r.valid_until is None for r in giving):
        return None
    return max(r.valid_until for r in giving if r.valid_until is not None)


def rating_state(rating: Rating, entry_ratings: list[Rating], on: dt.date) -> RatingState:
    """Where one rating stands on `on`, among the entry's ratings."""
    if rating.superseded:
        return "vervangen"
    if rating.expired_on(on):
        return "verlopen"
    if len({r.level for r in entry_ratings if r.counts_on(on)}) > 1:
        return "betwist"
    return "geldig" if rating.date is not None else "zonder_datum"


class SearchItem(BaseModel):
    """One result in `GET /api/v1/interventions`."""

    slug: str
    title: str
    kind: str
    status: str
    summary: str
    summary_b1: str | None = None
    evidence: Evidence
    audience: list[str]
    age_min: int | None
    age_max: int | None
    glasl_phases: list[int]
    contraindications: list[str]
    route: list[str] = Field(default_factory=list)
    format: list[str] = Field(default_factory=list)
    national: bool = False
    available_in_nl: bool = True
    arrondissements: list[str] = Field(default_factory=list)
    highlight: str | None = None


class SearchPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[SearchItem]
    facets: dict[str, dict[str, int]]
    did_you_mean: str | None = None
    match: str | None = Field(
        default=None,
        description="how well the results answer the text: 'all' (every word), 'most' (most "
        "words or the recognised terms), 'any' (only some common word: a weak answer), 'none'; "
        "null without text",
    )
    topics: list[str] = Field(
        default_factory=list,
        description="what the text is about, e.g. 'onveiligheid' (violence or an unsafe situation)",
    )


class Entry(EntryFrontMatter):
    """One knowledge-base entry, as every reader gets it: the front matter, its slug and body,
    and the values that follow from them, each computed once.

    Loaded from its content file (`loader`) or from its row (`catalogue`); the API's detail is
    this model as JSON, the list item and the search engines' document are projections of it.
    """

    model_config = ConfigDict(frozen=True)

    slug: str
    body_html: str
    # Only indexing reads the Markdown; the API and the pages show `body_html`.
    body_markdown: str = Field(default="", exclude=True, repr=False)
    _evidence_by_day: dict[tuple[dt.date, int], Evidence] = PrivateAttr(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def evidence(self) -> Evidence:
        """The headline on today's date: ratings expire while the entry stays the same, so this
        is computed when asked (a few ratings each), never kept from the day it was loaded."""
        return self.evidence_on(today())

    def evidence_on(self, day: dt.date) -> Evidence:
        """The headline as it stands on `day`; kept for the last day asked, because matching
        asks every candidate's evidence several times for one case."""
        # Keyed by the ratings too: a `model_copy` shares this dict but may have other ratings.
        key = (day, id(self.ratings))
        kept = self._evidence_by_day.get(key)
        if kept is None:
            self._evidence_by_day.clear()
            kept = self._evidence_by_day[key] = Evidence.from_ratings(self.ratings, day)
        return kept

    def rating_states(self, day: dt.date | None = None) -> list[tuple[Rating, RatingState]]:
        """Each rating with where it stands on `day` (today when not given)."""
        on = day or today()
        return [(r, rating_state(r, self.ratings, on)) for r in self.ratings]

    @computed_field  # type: ignore[prop-decorator]
    @cached_property
    def arrondissements(self) -> list[str]:
        """Where providers offer it, by court district: named, or where the places they serve lie."""
        return sorted(
            {
                a
                for p in self.providers
                for a in provider_arrondissements(p.municipalities, p.province, p.arrondissement)
            }
        )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stale(self) -> bool:
        """`next_review` has passed: the entry needs a review."""
        return self.next_review < today()

    def fits_age(self, age: int) -> bool:
        """For a child of `age`; an entry without ages is for every age."""
        low_ok = self.age_min is None or self.age_min <= age
        high_ok = self.age_max is None or age <= self.age_max
        return low_ok and high_ok

    def fits_phase(self, phase: int) -> bool:
        """For Glasl phase `phase`; an entry without phases is not phase-specific."""
        return not self.glasl_phases or phase in self.glasl_phases

    def front_matter(self) -> dict[str, object]:
        """The front matter as JSON, as a content file or a database row keeps it."""
        return self.model_dump(mode="json", include=set(EntryFrontMatter.model_fields))

    def list_item(self) -> SearchItem:
        """The search API's list item for this entry."""
        return SearchItem.model_validate(self, from_attributes=True)

    def default_rank_key(self) -> tuple[int, str]:
        """Without a query: the strongest evidence first, then alphabetically."""
        return (-self.evidence.level, self.title.casefold())
