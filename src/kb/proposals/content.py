"""A proposal as an entry: its fields checked as `kb check` checks a file, the content file it
becomes, and what it changes against the entry as it is.

The file is checked by the same loader `kb check` and `kb index` use, on the very text that is
written, so an approved proposal cannot write a file that the next `kb index` refuses.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kb.errors import ContentError, FieldError, InvalidInputError, dutch_field_errors
from kb.interventions.loader import load_entry
from kb.interventions.schemas import Entry, EntryFrontMatter
from kb.search.analysis import fold
from kb.vocabulary import ENTRY_FIELD_LABELS

__all__ = [
    "EDITORIAL_FIELDS",
    "REVIEW_INTERVAL",
    "CheckedProposal",
    "changes",
    "check_proposal",
    "for_approval",
    "new_slug",
    "read_back",
    "render_file",
    "restore_file",
    "write_file",
]

# Set by the editor who approves (domain.md §9.3: the day an editor actually checked the entry).
EDITORIAL_FIELDS = ("last_reviewed", "next_review")
REVIEW_INTERVAL = dt.timedelta(days=365)
MAX_SLUG_LENGTH = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class CheckedProposal:
    """A proposal's fields as `kb check` accepts them: the front matter as JSON, the body."""

    about: str | None
    front_matter: dict[str, Any]
    body: str
    note: str | None

    @property
    def title(self) -> str:
        return str(self.front_matter["title"])

    @property
    def kind(self) -> str:
        return str(self.front_matter["kind"])


def _body(text: str) -> str:
    # As an entry reads it back from its file: without the whitespace around it.
    return text.replace("\r\n", "\n").strip()


def check_proposal(
    about: str | None,
    front_matter: Mapping[str, Any],
    body: str,
    note: str | None,
    known: Collection[str],
    today: dt.date,
) -> CheckedProposal:
    """Validate a proposal as a content file; `InvalidInputError` with every field's problem.

    Args:
        known: The slugs of the knowledge base: `about` and `related` must name one.
        today: For the review dates an author does not set: an editor's approval sets them.
    """
    errors: list[FieldError] = []
    if about is not None and about not in known:
        errors.append(FieldError(("about",), f"Er is geen item met de naam '{about}'."))
    front = dict(front_matter)
    front.setdefault("last_reviewed", today.isoformat())
    front.setdefault("next_review", (today + REVIEW_INTERVAL).isoformat())
    if about is None:
        # A new entry's facts are the author's word until an editor has checked every one.
        front.setdefault("verified", False)
    parsed: EntryFrontMatter | None = None
    try:
        parsed = EntryFrontMatter.model_validate(front)
    except ValidationError as exc:
        errors += dutch_field_errors(exc, ("front_matter",))
    if not body.strip():
        errors.append(
            FieldError(("body",), "Mag niet leeg zijn: beschrijf doel, doelgroep en aanpak.")
        )
    if parsed is not None:
        for i, target in enumerate(parsed.related):
            if target not in known and target != about:
                errors.append(
                    FieldError(("front_matter", "related", i), f"Er is geen item '{target}'.")
                )
    if errors:
        raise InvalidInputError("Het voorstel is nog niet compleet of klopt niet.", errors)
    assert parsed is not None
    checked = CheckedProposal(about, parsed.model_dump(mode="json"), _body(body), note or None)
    # What only the loader checks (an unsourced fact marked while `verified: true`, …).
    read_back(checked.front_matter, checked.body, about or "voorstel")
    return checked


def for_approval(front_matter: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The front matter as the approving editor signs it: reviewed today, next review ahead."""
    front = dict(front_matter)
    front["last_reviewed"] = today.isoformat()
    planned = dt.date.fromisoformat(str(front.get("next_review") or today.isoformat()))
    if planned <= today:
        front["next_review"] = (today + REVIEW_INTERVAL).isoformat()
    return front


class _Dumper(yaml.SafeDumper):
    """YAML as the content files are written by hand: empty for null, dates unquoted."""


def _null(dumper: yaml.SafeDumper, _value: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(type(None), _null)


def render_file(front_matter: Mapping[str, Any], body: str) -> str:
    """The content file: the front matter in the schema's field order, then the body."""
    validated = EntryFrontMatter.model_validate(dict(front_matter))
    # Python values (dates, not strings), with URLs as text: YAML writes them as a person would.
    plain = validated.model_dump(mode="python")
    ordered = {name: _plain(plain[name]) for name in EntryFrontMatter.model_fields}
    yaml_text = yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    # A blank line after the front matter and one at the end, as the files are written by hand.
    return f"---\n{yaml_text}---\n\n{_body(body)}\n"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool | dt.date):
        return value
    return str(value)  # HttpUrl


def read_back(front_matter: Mapping[str, Any], body: str, slug: str) -> Entry:
    """The entry `kb check` reads from the file these would make; `InvalidInputError` if none."""
    text = render_file(front_matter, body)
    with tempfile.TemporaryDirectory(prefix="kb-proposal-") as folder:
        path = Path(folder) / f"{slug}.md"
        path.write_text(text, encoding="utf-8")
        try:
            return load_entry(path, f"{slug}.md")
        except ContentError as exc:
            errors = [
                FieldError(("front_matter", *problem.field.split(".")), problem.message)
                if problem.field != "body"
                else FieldError(("body",), problem.message)
                for problem in exc.problems
            ]
            raise InvalidInputError("Het voorstel is geen geldig item.", errors) from exc


def new_slug(title: str, taken: Collection[str]) -> str:
    """A file name for a new entry from its title, unlike any in `taken`."""
    base = _NOT_SLUG.sub("-", fold(title)).strip("-")[:MAX_SLUG_LENGTH].strip("-") or "item"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def write_file(content_dir: Path, slug: str, text: str) -> str | None:
    """Write `interventions/<slug>.md` at once (never half); the text it replaced, if any."""
    target = content_dir / "interventions" / f"{slug}.md"
    previous = target.read_text(encoding="utf-8") if target.exists() else None
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{slug}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return previous


def restore_file(content_dir: Path, slug: str, previous: str | None) -> None:
    """Undo `write_file`: the previous text back, or no file when there was none."""
    target = content_dir / "interventions" / f"{slug}.md"
    if previous is None:
        target.unlink(missing_ok=True)
    else:
        write_file(content_dir, slug, previous)


def changes(
    front_matter: Mapping[str, Any],
    body: str,
    current_front: Mapping[str, Any] | None,
    current_body: str | None,
) -> list[tuple[str, str, Any, Any]]:
    """Field by field what the proposal changes: (field, Dutch label, old, new).

    The review dates are left out: the approving editor sets them. Against no entry (a new one),
    every field with a value is a change.
    """
    old_front = current_front or {}
    rows = []
    for name in EntryFrontMatter.model_fields:
        if name in EDITORIAL_FIELDS:
            continue
        old, new = old_front.get(name), front_matter.get(name)
        if current_front is None and new in (None, [], ""):
            continue
        if old != new:
            rows.append((name, ENTRY_FIELD_LABELS.get(name, name), old, new))
    if (current_body or "").strip() != body.strip():
        rows.append(("body", ENTRY_FIELD_LABELS["body"], current_body, body))
    return rows
