"""Reads and validates `content/interventions/*.md` into `Entry`s, reporting problems as
`path:line: field: message`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kb.errors import ContentError, ContentProblem
from kb.interventions.schemas import Entry, EntryFrontMatter
from kb.markdown import render_markdown
from kb.readability import EASY_FOR_YOUNG_PEOPLE, flesch_douma

__all__ = [
    "SECONDARY_SOURCE_NOTE",
    "UNSOURCED_MARKER",
    "load_entries",
    "load_entry",
    "problems_from_validation",
    "split_front_matter",
]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER_FIRST_LINE = 2  # line 1 is the opening `---`
# What an entry knows from its file rather than from its front matter.
_NOT_IN_FRONT_MATTER = frozenset(Entry.model_fields) - frozenset(EntryFrontMatter.model_fields)
# libyaml when the wheel has it: `kb index` parses every file, and the pure-Python parser was most
# of its time on large corpora.
SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# How an entry admits a fact without a primary source (docs/content.md): the text marks the fact
# with this, or the source it rests on has a note that starts with `SECONDARY_SOURCE_NOTE`.
# Either makes `verified: true` an error (domain.md §9.3).
UNSOURCED_MARKER = "(onbevestigd)"
SECONDARY_SOURCE_NOTE = "secundaire bron"


def split_front_matter(text: str) -> tuple[str, str] | None:
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end == -1:
        end_at_eof = text.rstrip().endswith("\n---")
        if not end_at_eof:
            return None
        end = len(text.rstrip()) - 4
    return text[4 : end + 1], text[end + 5 :]


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Follow a Pydantic error location through the YAML node tree to a 0-based line."""
    found = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            if match is None:
                key = next((k for k, _ in node.value if k.value == part), None)
                return key.start_mark.line if key is not None else found
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return found
            node = node.value[part]
        else:
            return found
        found = node.start_mark.line
    return found


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "front matter"


def problems_from_validation(
    display: str, root: yaml.Node | None, error: ValidationError
) -> list[ContentProblem]:
    problems = []
    for item in error.errors():
        # Pydantic adds the union member's type to the location; it is not a field.
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p[:1].isupper()))
        loc = tuple(p for p in loc if p not in {"function-after"})
        line0 = _line_of(root, loc)
        line = FRONT_MATTER_FIRST_LINE + (line0 if line0 is not None else 0)
        message = item["msg"].removeprefix("Value error, ")
        problems.append(ContentProblem(display, line, _field_name(loc), message))
    return problems


def load_entry(path: Path, display: str | None = None) -> Entry:
    """Parse one content file; raise `ContentError` with located problems."""
    display = display or str(path)
    slug = path.stem
    if not SLUG_RE.match(slug):
        raise ContentError(
            [ContentProblem(display, 1, "slug", "bestandsnaam moet een slug zijn: a-z, 0-9 en -")]
        )
    text = path.read_text(encoding="utf-8")
    parts = split_front_matter(text)
    if parts is None:
        raise ContentError(
            [ContentProblem(display, 1, "front matter", "begin met '---', YAML, dan '---'")]
        )
    raw, body = parts
    try:
        data: Any = yaml.load(raw, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = FRONT_MATTER_FIRST_LINE + (mark.line if mark else 0)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError([ContentProblem(display, line, "yaml", problem)]) from exc
    if not isinstance(data, dict):
        raise ContentError(
            [ContentProblem(display, FRONT_MATTER_FIRST_LINE, "front matter", "verwacht sleutels")]
        )
    reserved = sorted(_NOT_IN_FRONT_MATTER.intersection(data))
    if reserved:
        message = f"'{reserved[0]}' volgt uit het bestand zelf en staat niet in de front matter"
        raise ContentError([ContentProblem(display, FRONT_MATTER_FIRST_LINE, reserved[0], message)])
    body_line = text[: len(raw) + 8].count("\n") + 1
    try:
        entry = Entry.model_validate(
            data | {"slug": slug, "body_markdown": body, "body_html": render_markdown(body)}
        )
    except ValidationError as exc:
        # The node tree, with line numbers, is only needed to point at a problem.
        root = yaml.compose(raw, Loader=SafeLoader)
        raise ContentError(problems_from_validation(display, root, exc)) from exc
    if not body.strip():
        raise ContentError([ContentProblem(display, body_line, "body", "de tekst ontbreekt")])
    if entry.verified and (admitted := _admitted_unsourced(entry)):
        line = _key_line(text, "verified")
        message = (
            f"verified: true, maar {admitted}; zet verified op false of geef het feit een "
            "eigen (primaire) bron"
        )
        raise ContentError([ContentProblem(display, line, "verified", message)])
    if entry.summary_jongeren and (problem := _young_summary_problem(entry)):
        line = _key_line(text, "summary_jongeren")
        raise ContentError([ContentProblem(display, line, "summary_jongeren", problem)])
    return entry


def _young_summary_problem(entry: Entry) -> str | None:
    """Why `summary_jongeren` does not do its job, in Dutch; None when it does.

    It is shown to young people themselves (/jongeren), so the entry must be for children and the
    text as easy to read as the section's pages for 12–18 (kb.readability).
    """
    if "kind" not in entry.audience:
        return "hoort alleen bij een item voor kinderen (audience: kind)"
    score = flesch_douma(entry.summary_jongeren or "")
    if score < EASY_FOR_YOUNG_PEOPLE:
        return (
            f"leesbaarheid {score:.0f} (Flesch-Douma) is lager dan {EASY_FOR_YOUNG_PEOPLE:.0f}: "
            "kortere zinnen en woorden"
        )
    return None


def _admitted_unsourced(entry: Entry) -> str | None:
    """Where the entry itself says a fact is unconfirmed, in Dutch; None when it does not."""
    for field_name in ("summary", "summary_b1", "summary_jongeren", "body_markdown"):
        if UNSOURCED_MARKER in (getattr(entry, field_name) or ""):
            shown = "body" if field_name == "body_markdown" else field_name
            return f"{shown} noemt een feit '{UNSOURCED_MARKER}'"
    for i, source in enumerate(entry.sources):
        if (source.note or "").strip().casefold().startswith(SECONDARY_SOURCE_NOTE):
            return f"sources[{i}].note noemt een '{SECONDARY_SOURCE_NOTE}'"
    return None


def _key_line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(f"{key}:"):
            return number
    return FRONT_MATTER_FIRST_LINE


def load_entries(content_dir: Path) -> list[Entry]:
    """Load every entry; collect all problems before failing, so one run shows them all."""
    folder = content_dir / "interventions"
    if not folder.is_dir():
        raise ContentError([ContentProblem(str(folder), 1, "map", "map bestaat niet")])
    entries: list[Entry] = []
    problems: list[ContentProblem] = []
    for path in sorted(folder.glob("*.md")):
        display = _display(path)
        try:
            entries.append(load_entry(path, display))
        except ContentError as exc:
            problems.extend(exc.problems)
    problems.extend(_cross_reference_problems(folder, entries))
    if problems:
        raise ContentError(problems)
    return entries


def _cross_reference_problems(folder: Path, entries: list[Entry]) -> list[ContentProblem]:
    slugs = {e.slug for e in entries}
    problems = []
    for entry in entries:
        path = folder / f"{entry.slug}.md"
        for i, target in enumerate(entry.related):
            if target not in slugs:
                problems.append(
                    ContentProblem(
                        _display(path),
                        _related_line(path, target),
                        f"related[{i}]",
                        f"'{target}' bestaat niet in content/interventions",
                    )
                )
    return problems


def _related_line(path: Path, target: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if re.search(rf"(^|[\s\[,]){re.escape(target)}([\s\],]|$)", line):
            return number
    return 1


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
