"""Reads the pages for young people from `content/jongeren/` and finds help for their age.

Nothing a young person does here is written anywhere: the pages are read at start, and the help
list only reads the catalogue (no search analytics, no session, no cookie).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

from kb.errors import ContentError, ContentProblem
from kb.interventions.catalogue import CANDIDATE_STATUSES, Catalogue
from kb.interventions.loader import SLUG_RE, problems_from_validation, split_front_matter
from kb.interventions.schemas import Entry
from kb.markdown import render_markdown
from kb.readability import Readability, plain_text
from kb.youth.schemas import LEVELS, ReadingLevel, YouthPage, YouthPageFrontMatter

__all__ = ["YouthLibrary", "YouthService", "load_youth_pages"]

FOLDER = "jongeren"
# Help a young person can go to themselves: not tools or guidelines for professionals.
NOT_FOR_YOUNG_PEOPLE = frozenset({"instrument", "richtlijn"})


class YouthLibrary:
    """Every page of the section, by level and slug, in reading order."""

    def __init__(self, pages: Iterable[YouthPage]) -> None:
        ordered = sorted(pages, key=lambda p: (p.level.youngest, p.front.order, p.slug))
        self._pages: dict[tuple[str, str], YouthPage] = {(p.level.code, p.slug): p for p in ordered}

    def level(self, code: str) -> list[YouthPage]:
        return [page for (level, _), page in self._pages.items() if level == code]

    def get(self, code: str, slug: str) -> YouthPage | None:
        return self._pages.get((code, slug))

    def __iter__(self) -> Iterator[YouthPage]:
        return iter(self._pages.values())

    def __len__(self) -> int:
        return len(self._pages)


def load_youth_pages(content_dir: Path, known_slugs: Collection[str] | None = None) -> YouthLibrary:
    """Every page under `content/jongeren/<level>/`; all problems at once, as `kb check` shows them.

    `known_slugs` checks the pages' `related` entries exist (`kb check`, `kb index`); the server
    leaves it out and shows only the related entries it has.
    """
    pages: list[YouthPage] = []
    problems: list[ContentProblem] = []
    for level in LEVELS.values():
        for path in sorted((content_dir / FOLDER / level.code).glob("*.md")):
            try:
                pages.append(_load_page(path, level, known_slugs))
            except ContentError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return YouthLibrary(pages)


def _load_page(path: Path, level: ReadingLevel, known_slugs: Collection[str] | None) -> YouthPage:
    display = f"content/{FOLDER}/{level.code}/{path.name}"
    if not SLUG_RE.match(path.stem):
        raise ContentError([ContentProblem(display, 1, "slug", "bestandsnaam moet een slug zijn")])
    parts = split_front_matter(path.read_text(encoding="utf-8"))
    if parts is None:
        raise ContentError([ContentProblem(display, 1, "front matter", "begin met '---'")])
    raw, body = parts
    try:
        data = yaml.safe_load(raw)
        front = YouthPageFrontMatter.model_validate(data)
    except yaml.YAMLError as exc:
        raise ContentError([ContentProblem(display, 2, "yaml", str(exc))]) from exc
    except ValidationError as exc:
        raise ContentError(problems_from_validation(display, yaml.compose(raw), exc)) from exc
    problems = [
        ContentProblem(display, 2, "related", f"'{slug}' staat niet in de kennisbank")
        for slug in front.related
        if known_slugs is not None and slug not in known_slugs
    ]
    score = Readability(plain_text(body)).score
    if score < level.readability_min:
        message = (
            f"leesbaarheid {score:.0f} (Flesch-Douma) is lager dan {level.readability_min:.0f}, "
            f"het doel voor {level.label}: kortere zinnen en woorden"
        )
        problems.append(ContentProblem(display, 1, "tekst", message))
    if problems:
        raise ContentError(problems)
    return YouthPage(level, path.stem, front, render_markdown(body), score)


def _fits(entry: Entry, youngest: int, oldest: int) -> bool:
    low = entry.age_min if entry.age_min is not None else 0
    high = entry.age_max if entry.age_max is not None else 99
    return low <= oldest and youngest <= high


class YouthService:
    """The section's pages and the help a young person of a level can find themselves."""

    def __init__(self, catalogue: Catalogue, library: YouthLibrary) -> None:
        self.catalogue = catalogue
        self.library = library

    def help_for(self, level: ReadingLevel) -> list[Entry]:
        """Running help for children (`audience: kind`) whose ages overlap the level's.

        Entries written for young people (`summary_jongeren`) come first, then by title.
        """
        found = [
            entry
            for entry in self.catalogue.by_title()
            if entry.status in CANDIDATE_STATUSES
            and entry.available_in_nl
            and "kind" in entry.audience
            and entry.kind not in NOT_FOR_YOUNG_PEOPLE
            and _fits(entry, level.youngest, level.oldest)
        ]
        return sorted(found, key=lambda e: e.summary_jongeren is None)
