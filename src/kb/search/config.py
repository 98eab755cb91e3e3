"""Search settings kept as data in `search/`: field weights, typo rules, stop words, synonyms, compounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kb.errors import ContentError, ContentProblem

__all__ = ["Ranking", "SearchConfig", "load_search_config"]


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


@dataclass(frozen=True)
class SearchConfig:
    ranking: Ranking = field(default_factory=Ranking)
    stopwords: frozenset[str] = frozenset()
    synonyms: tuple[tuple[str, ...], ...] = ()
    compounds: frozenset[str] = frozenset()


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


def _synonyms(path: Path, problems: list[ContentProblem]) -> list[tuple[str, ...]]:
    data = _yaml(path, problems)
    if data is None:
        return []
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        problems.append(ContentProblem(str(path), 1, "groups", "verwacht een lijst van groepen"))
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    result = []
    for i, group in enumerate(groups):
        if not (
            isinstance(group, list) and len(group) >= 2 and all(isinstance(t, str) for t in group)
        ):
            line = _line_containing(
                lines, str(group[0]) if isinstance(group, list) and group else ""
            )
            problems.append(
                ContentProblem(
                    str(path), line, f"groups[{i}]", "een groep heeft twee of meer termen"
                )
            )
            continue
        result.append(tuple(t.strip().lower() for t in group))
    return result


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
    return SearchConfig(ranking, frozenset(stopwords), tuple(synonyms), frozenset(compounds))
