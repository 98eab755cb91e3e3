"""Pydantic shapes of a knowledge-base entry: the content file's front matter and the API's JSON."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

__all__ = [
    "ARRONDISSEMENTS",
    "AUDIENCES",
    "CONTRAINDICATIONS",
    "EVIDENCE_LABELS",
    "FLAGS",
    "FORMATS",
    "KINDS",
    "ROUTES",
    "STATUSES",
    "Audience",
    "Contraindication",
    "EntryDetail",
    "EntryFrontMatter",
    "Evidence",
    "Kind",
    "Pilot",
    "Provider",
    "Rating",
    "SearchItem",
    "SearchPage",
    "Source",
    "Status",
]

Kind = Literal["interventie", "pilot", "richtlijn", "instrument", "voorziening", "werkwijze"]
Status = Literal["actief", "lopend", "afgerond", "gestopt"]
Audience = Literal["kind", "ouders", "ouderpaar", "gezin", "netwerk", "professional"]
DivorceStage = Literal["overweging", "procedure", "na_scheiding"]
Format = Literal[
    "groep",
    "individueel",
    "gezin",
    "online",
    "ouder_kind_parallel",
    "gesprekken",
    "netwerkberaad",
    "procedure",
    "informatie",
    "inloop",
]
Route = Literal[
    "vrij_toegankelijk", "via_wijkteam", "uniform_hulpaanbod", "gedwongen_kader", "rechtspraak"
]
Contraindication = Literal[
    "dwingende_controle",
    "huiselijk_geweld",
    "acute_onveiligheid",
    "kindermishandeling",
    "ernstige_psychiatrie",
    "verslaving",
]
Scheme = Literal[
    "nji",
    "movisie",
    "trimbos",
    "loket_gezond_leven",
    "justitieel",
    "cebc",
    "blueprints",
    "eif",
    "title_iv_e",
    "crimesolutions",
    "richtlijn",
]
Flag = Literal["onder_voorbehoud", "niet_erkend", "geen_effect", "schadelijk"]
Arrondissement = Literal[
    "Amsterdam",
    "Den Haag",
    "Gelderland",
    "Limburg",
    "Midden-Nederland",
    "Noord-Holland",
    "Noord-Nederland",
    "Oost-Brabant",
    "Overijssel",
    "Rotterdam",
    "Zeeland-West-Brabant",
]

KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
AUDIENCES: tuple[str, ...] = Audience.__args__  # type: ignore[attr-defined]
FORMATS: tuple[str, ...] = Format.__args__  # type: ignore[attr-defined]
ROUTES: tuple[str, ...] = Route.__args__  # type: ignore[attr-defined]
CONTRAINDICATIONS: tuple[str, ...] = Contraindication.__args__  # type: ignore[attr-defined]
FLAGS: tuple[str, ...] = Flag.__args__  # type: ignore[attr-defined]
ARRONDISSEMENTS: tuple[str, ...] = Arrondissement.__args__  # type: ignore[attr-defined]

EVIDENCE_LABELS: dict[int, str] = {
    0: "niet beoordeeld",
    1: "goed beschreven",
    2: "goed onderbouwd",
    3: "effectief — eerste aanwijzingen",
    4: "effectief — goede aanwijzingen",
    5: "effectief — sterke aanwijzingen",
}

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
        return self


class Provider(_Strict):
    name: NonEmpty
    municipalities: list[str] = Field(default_factory=list)
    province: str | None = None
    arrondissement: Arrondissement | None = None
    url: HttpUrl | None = None
    waiting_weeks: float | None = Field(default=None, ge=0)
    cost: str | None = None


class Pilot(_Strict):
    start: dt.date | int | None = None
    end: dt.date | int | None = None
    locations: list[str] = Field(default_factory=list)
    evaluator: str | None = None
    evaluation_status: Literal["geen", "lopend", "afgerond"] | None = None
    result: str | None = None


class EntryFrontMatter(_Strict):
    """The YAML front matter of `content/interventions/<slug>.md` (domain.md §3.2)."""

    title: NonEmpty
    aliases: list[str] = Field(default_factory=list)
    kind: Kind
    status: Status
    summary: NonEmpty = Field(max_length=600)
    summary_b1: str | None = Field(default=None, max_length=600)
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
    providers: list[Provider] = Field(default_factory=list)
    ratings: list[Rating] = Field(default_factory=list)
    pilot: Pilot | None = None
    sources: list[Source] = Field(min_length=1)
    verified: bool = True
    last_reviewed: dt.date
    next_review: dt.date
    related: list[str] = Field(default_factory=list)

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

    def headline_evidence(self) -> Evidence:
        return Evidence.from_ratings(self.ratings)


class Evidence(BaseModel):
    """The one evidence summary users see first: the best sourced level plus every flag."""

    level: int
    label: str
    flags: list[str]

    @classmethod
    def from_ratings(cls, ratings: list[Rating]) -> Evidence:
        # The headline level is the strongest current judgment; flags from any rating are kept,
        # even superseded ones, because a harmful or no-effect finding must never be hidden.
        level = max((r.level for r in ratings if not r.superseded), default=0)
        flags: list[str] = sorted({f for r in ratings for f in r.flags}, key=FLAGS.index)
        return cls(level=level, label=EVIDENCE_LABELS[level], flags=flags)


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
    arrondissements: list[str] = Field(default_factory=list)
    highlight: str | None = None


class SearchPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[SearchItem]
    facets: dict[str, dict[str, int]]
    did_you_mean: str | None = None


class EntryDetail(EntryFrontMatter):
    """`GET /api/v1/interventions/{slug}`: every front-matter field plus the rendered body."""

    slug: str
    evidence: Evidence
    body_html: str
    stale: bool = Field(description="next_review has passed: the entry needs a review")
