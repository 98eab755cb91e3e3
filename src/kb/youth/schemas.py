"""The pages for children and young people: reading levels, front matter, and a loaded page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from kb.readability import EASY_FOR_CHILDREN, EASY_FOR_YOUNG_PEOPLE

__all__ = [
    "LEVELS",
    "LevelCode",
    "ReadingLevel",
    "YouthPage",
    "YouthPageFrontMatter",
    "YouthSource",
]

LevelCode = Literal["8-11", "12-18"]


@dataclass(frozen=True)
class ReadingLevel:
    """Who a level is written for, and the Flesch-Douma score each of its pages must reach
    (the targets and why: kb.readability)."""

    code: LevelCode
    label: str
    youngest: int
    oldest: int
    readability_min: float


LEVELS: dict[str, ReadingLevel] = {
    "8-11": ReadingLevel("8-11", "8 tot 12 jaar", 8, 11, EASY_FOR_CHILDREN),
    "12-18": ReadingLevel("12-18", "12 tot 18 jaar", 12, 17, EASY_FOR_YOUNG_PEOPLE),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class YouthSource(_Strict):
    title: str = Field(min_length=1)
    url: HttpUrl
    accessed: dt.date | None = None
    cites: str | None = Field(
        default=None, description="het wetsartikel of de uitspraak waarop de pagina steunt"
    )


class YouthPageFrontMatter(_Strict):
    """The YAML front matter of `content/jongeren/<level>/<slug>.md` (content/jongeren/README.md)."""

    title: str = Field(min_length=1, max_length=90)
    summary: str = Field(min_length=1, max_length=200)
    order: int = Field(ge=1)
    legal: bool = Field(
        default=False, description="vertelt over een recht: noemt artikel of uitspraak"
    )
    related: list[str] = Field(default_factory=list)
    sources: list[YouthSource] = Field(min_length=1)

    @model_validator(mode="after")
    def _legal_pages_cite(self) -> YouthPageFrontMatter:
        if self.legal and not any(source.cites for source in self.sources):
            raise ValueError(
                "een pagina over rechten (legal: true) noemt bij minstens één bron het artikel "
                "of de uitspraak (cites)"
            )
        return self


@dataclass(frozen=True)
class YouthPage:
    level: ReadingLevel
    slug: str
    front: YouthPageFrontMatter
    body_html: str
    readability: float

    @property
    def path(self) -> str:
        return f"/jongeren/{self.level.code}/{self.slug}"
