"""Search settings kept as data in `search/`: field weights, typo rules, stop words, synonyms, compounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kb.errors import ContentError, ContentProblem

__all__ = [
    "RELATED_WEIGHT",
    "SYNONYM_WEIGHT",
    "TOPICS",
    "UNSAFE_TOPIC",
    "Ranking",
    "SearchConfig",
    "SynonymGroup",
    "load_search_config",
]

# How much a match through another term of a group counts beside the typed term itself: a true
# synonym (`ots` for `ondertoezichtstelling`) nearly as much, a related term (`ruzie` for
# `conflict`) clearly less, so that entries using the typed word stay first.
SYNONYM_WEIGHT = 0.8
RELATED_WEIGHT = 0.5
# What a group may say a query is about. `onveiligheid`: violence or an unsafe situation; the
# search page then puts Veilig Thuis above the results and marks the joint formats.
UNSAFE_TOPIC = "onveiligheid"
TOPICS: tuple[str, ...] = (UNSAFE_TOPIC,)


class Ranking(BaseModel):
    """`search/ranking.yaml`."""

    model_config = ConfigDict(extra="forbid")

    field_boosts: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=lambda: {"title": 4.0, "aliases": 4.0, "summary": 1.5, "body": 1.0}
    )
    phrase_boost: float = Field(default=2.0, ge=0)
    typo_min_length_one: int = Field(default=5, ge=1)
    typo_min_length_two: int = Field(default=9, ge=1)
    prefix_last_word: bool = True
    did_you_mean_below: int = Field(default=3, ge=0)
    relax_below: int = Field(default=3, ge=0)
    demote_when_unsafe: list[str] = Field(default_factory=list)
    unsafe_demotion: float = Field(default=0.5, gt=0, le=1)


@dataclass(frozen=True)
class SynonymGroup:
    """One group of `search/synonyms.yaml`: terms that find each other, and why they may."""

    terms: tuple[str, ...]
    why: str = ""  # the source (an address) or the reason the group holds
    related: bool = False  # related terms rather than synonyms: the others rank lower
    topic: str | None = None  # see TOPICS

    @property
    def weight(self) -> float:
        return RELATED_WEIGHT if self.related else SYNONYM_WEIGHT


class _GroupEntry(BaseModel):
    """A group as written in the file; every group says where it comes from."""

    model_config = ConfigDict(extra="forbid")

    terms: list[Annotated[str, Field(min_length=1)]] = Field(min_length=2)
    source: str | None = None
    reason: str | None = None
    related: bool = False
    topic: str | None = None

    def group(self) -> SynonymGroup:
        why = self.source or self.reason or ""
        terms = tuple(dict.fromkeys(t.strip().lower() for t in self.terms))
        return SynonymGroup(terms, why, self.related, self.topic)


@dataclass(frozen=True)
class SearchConfig:
    """`search/` as the engines use it.

    `synonyms` holds each group's terms (what Meilisearch's synonym map needs); `synonym_groups`
    the same groups with their weight and topic, when they were read from a file.
    """

    ranking: Ranking = field(default_factory=Ranking)
    stopwords: frozenset[str] = frozenset()
    synonyms: tuple[tuple[str, ...], ...] = ()
    compounds: frozenset[str] = frozenset()
    synonym_groups: tuple[SynonymGroup, ...] = ()

    def groups(self) -> tuple[SynonymGroup, ...]:
        """The synonym groups with their weights: as read, or plain synonyms from `synonyms`."""
        if self.synonym_groups:
            return self.synonym_groups
        return tuple(SynonymGroup(tuple(terms)) for terms in self.synonyms)


def _word_list(path: Path, problems: list[ContentProblem]) -> list[str]:
    words: list[str] = []
    if not path.exists():
        return words
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if " " in line or line != line.lower():
            problems.append(
                ContentProblem(
                    str(path), number, "woord", f"'{line}': één woord, in kleine letters"
                )
            )
            continue
        words.append(line)
    return words


def _yaml(path: Path, problems: list[ContentProblem]) -> object:
    if not path.exists():
        return None
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(
            ContentProblem(
                str(path), (mark.line + 1) if mark else 1, "yaml", str(exc).split("\n")[0]
            )
        )
        return None


def _synonyms(path: Path, problems: list[ContentProblem]) -> list[SynonymGroup]:
    data = _yaml(path, problems)
    if data is None:
        return []
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        problems.append(ContentProblem(str(path), 1, "groups", "verwacht een lijst van groepen"))
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    result = []
    for i, raw in enumerate(groups):
        group, message = _synonym_group(raw)
        if group is None:
            line = _line_containing(lines, _first_term(raw))
            problems.append(ContentProblem(str(path), line, f"groups[{i}]", message))
            continue
        result.append(group)
    return result


_GROUP_FORM = (
    "een groep is 'terms: [twee of meer termen]' met een 'source' (adres) of 'reason' (waarom)"
)


def _synonym_group(raw: object) -> tuple[SynonymGroup | None, str]:
    """The group, or None and what is wrong with it (in Dutch, for `kb check`)."""
    if not isinstance(raw, dict):
        return None, _GROUP_FORM
    try:
        entry = _GroupEntry.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return None, f"{where}: {first['msg']}; {_GROUP_FORM}"
    if not (entry.source or entry.reason or "").strip():
        return None, "zonder 'source' of 'reason': zeg waar de groep vandaan komt of waarom"
    if entry.source and not entry.source.startswith(("https://", "http://")):
        return None, f"source '{entry.source}' is geen webadres; gebruik 'reason' voor uitleg"
    if entry.topic is not None and entry.topic not in TOPICS:
        return None, f"onbekend topic '{entry.topic}'. Kies uit: {', '.join(TOPICS)}."
    group = entry.group()
    if len(group.terms) < 2:
        return None, "een groep heeft twee of meer verschillende termen"
    return group, ""


def _first_term(raw: object) -> str:
    terms = raw.get("terms") if isinstance(raw, dict) else raw
    if isinstance(terms, list) and terms:
        return str(terms[0])
    return ""


def _line_containing(lines: list[str], needle: str) -> int:
    for number, line in enumerate(lines, start=1):
        if needle and needle in line:
            return number
    return 1


def _ranking(path: Path, problems: list[ContentProblem]) -> Ranking:
    data = _yaml(path, problems)
    if data is None:
        return Ranking()
    try:
        return Ranking.model_validate(data)
    except ValidationError as exc:
        lines = path.read_text(encoding="utf-8").splitlines()
        for item in exc.errors():
            name = ".".join(str(p) for p in item["loc"])
            line = _line_containing(lines, str(item["loc"][0]) + ":")
            problems.append(ContentProblem(str(path), line, name, item["msg"]))
        return Ranking()


def load_search_config(search_dir: Path) -> SearchConfig:
    """Read `search/`; raise `ContentError` listing every problem found."""
    problems: list[ContentProblem] = []
    ranking = _ranking(search_dir / "ranking.yaml", problems)
    stopwords = _word_list(search_dir / "stopwords.txt", problems)
    compounds = _word_list(search_dir / "compounds.txt", problems)
    synonyms = _synonyms(search_dir / "synonyms.yaml", problems)
    if problems:
        raise ContentError(problems)
    return SearchConfig(
        ranking,
        frozenset(stopwords),
        tuple(g.terms for g in synonyms),
        frozenset(compounds),
        tuple(synonyms),
    )
