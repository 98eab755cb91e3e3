"""The HTML form of the analysis: flat field names ↔ the nested body, and errors ↔ field ids.

The page works without JavaScript, so repeatable blocks (children, factors, help tried,
statements) are numbered slots: every filled one and one empty one more, and the form's
"toevoegen" and "verwijderen" buttons save and come back with a block more or less (`edited`).
Parents are always A and B. An empty slot is left out of the body; a filled one keeps its slot
number, so that an error in "the second child" links to the second block on the page even when
the first was left empty. Short lists (who heard a child, stress signals) are check boxes of
the usual answers plus a text area for others, one a line.

Field names are dotted paths (`children.1.birth_year`, `children.1.contact.A.status`); a field's
id is `f-` plus the path with dashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, get_args, get_origin

from annotated_types import MaxLen
from pydantic.fields import FieldInfo

from kb.conflict_analysis.labels import FIELD_LABELS, model_of, walk_fields
from kb.conflict_analysis.schemas import AnalysisBody
from kb.vocabulary import PARENT_REFS

__all__ = [
    "CHILD_SLOTS",
    "FACTOR_SLOTS",
    "LISTS",
    "PARENT_REFS",
    "STATEMENT_SLOTS",
    "SUGGESTIONS",
    "TRIED_SLOTS",
    "AnalysisForm",
    "FormError",
    "Slots",
    "Values",
    "body_from_values",
    "edited",
    "field_id",
    "form_values",
    "values_from_body",
]

# The blocks a new form starts with (a pair of siblings, of factors, of statements is
# common); never a limit: there is always one empty block more, and "toevoegen" gives the next.
CHILD_SLOTS = 2
FACTOR_SLOTS = 2
TRIED_SLOTS = 1
STATEMENT_SLOTS = 2
MAX_SLOTS = 40  # a form with more rows than this is not from our page (the schema's lists allow 30)
CONTROL_FIELDS = frozenset({"_csrf_token", "etag", "actie"})

Values = dict[str, list[str]]


class Kind(Enum):
    TEXT = "text"  # one value; blank is absent
    INT = "int"  # one whole number; blank is absent
    BOOL = "bool"  # "ja" / "nee"; blank is absent
    MULTI = "multi"  # checkboxes: any number of values
    SUGGESTED = "suggested"  # checkboxes of usual answers, and others one a line (`_anders`)
    LINES = "lines"  # a text area holding one item a line


# Parents and a child's contacts sit in slots named A and B: that key is the slot, not a field.
KEYED = {"parents": "ref", "children.*.contact": "parent"}
# A whole number as a form field holds it: ASCII digits ("²".isdigit() is true, int("²") fails),
# short enough that the model's bounds, not the size of the number, decide.
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,18}")

# Short lists with usual answers: check boxes, and `<name>_anders` for others, one a line.
SUGGESTIONS: Mapping[str, tuple[str, ...]] = {
    "children.*.heard_by": (
        "raad",
        "rechter",
        "bijzondere curator",
        "jeugdbeschermer",
        "hulpverlener",
    ),
    "children.*.stress_signals": (
        "slapen",
        "eten",
        "school",
        "lichamelijke klachten",
        "teruggetrokken",
        "boosheid",
        "angst",
    ),
}
OTHER = "_anders"


def _kind_of(path: str, info: FieldInfo) -> Kind:
    """How the form holds a field, from its type in the schema."""
    annotation = info.annotation
    if annotation is bool or set(get_args(annotation)) == {bool, type(None)}:
        return Kind.BOOL
    if annotation is int:
        return Kind.INT
    if get_origin(annotation) is list:
        if get_origin(get_args(annotation)[0]) is Literal:
            return Kind.MULTI
        return Kind.SUGGESTED if path in SUGGESTIONS else Kind.LINES
    return Kind.TEXT


def _specs() -> dict[str, dict[str, Kind]]:
    """Every container of leaf fields in the form, by its pattern (`*` for a slot)."""
    specs: dict[str, dict[str, Kind]] = {}
    for path, _, info in walk_fields(AnalysisBody):
        if info is None or model_of(info.annotation)[0] is not None:
            continue  # a list's items, or a nested model: not a field of their own
        container, _, name = path.rpartition(".")
        if KEYED.get(container.removesuffix(".*")) == name:
            continue
        specs.setdefault(container, {})[name] = _kind_of(path, info)
    return specs


def _max_lengths() -> dict[str, int]:
    """The longest text each one-value text field takes (`children.*.own_words` → 2000)."""
    return {
        path: limit.max_length
        for path, _, info in walk_fields(AnalysisBody)
        if info is not None and get_origin(info.annotation) is not list
        for limit in info.metadata
        if isinstance(limit, MaxLen)
    }


# Derived from the schema, so a field added there appears on the form and in its errors.
SPECS: Mapping[str, Mapping[str, Kind]] = _specs()
MAX_LENGTHS: Mapping[str, int] = _max_lengths()
_SLOT = re.compile(r"(?<=\.)([0-9]+|A|B)(?=\.)")
CASE, SAFETY, CONFLICT = SPECS["case"], SPECS["safety"], SPECS["conflict"]
CHILD, CONTACT, PARENT = SPECS["children.*"], SPECS["children.*.contact.*"], SPECS["parents.*"]
FACTOR, TRIED = SPECS["factors.*"], SPECS["interventions_tried.*"]
ASSESSMENT, STATEMENT = SPECS["assessment"], SPECS["assessment.statements.*"]
DEVIATION = SPECS["assessment.deviation"]
# Lists whose items sit in numbered slots; parents and contacts are keyed by A and B instead.
SLOTTED = ("children", "factors", "interventions_tried", "assessment.statements")
LISTS = frozenset(SLOTTED)
SLOT_NAMES = {
    "children.*": "Kind {n}",
    "parents.*": "Ouder {ref}",
    "children.*.contact.*": "contact met ouder {ref}",
    "factors.*": "Factor {n}",
    "interventions_tried.*": "Hulp {n}",
    "assessment.statements.*": "Uitspraak {n}",
}


def form_values(data: Mapping[str, str | list[str]]) -> Values:
    """The posted form as lists of values (Litestar gives a list only for repeated names)."""
    values: Values = {}
    for name, value in data.items():
        if name in CONTROL_FIELDS or not isinstance(name, str):
            continue
        items = value if isinstance(value, list) else [value]
        values[name] = [str(v) for v in items]
    return values


def edited(values: Values, action: str) -> Values:
    """The form after its "verwijderen:<list>.<slot>" button: that block's fields left out.

    "toevoegen:<list>" needs no change here: the form is saved, and shown again with an empty
    block after the last filled one, where the page goes back to (`pages._anchor`).
    """
    if not action.startswith("verwijderen:"):
        return values
    block = action.removeprefix("verwijderen:")
    name, _, slot = block.rpartition(".")
    if name not in LISTS or not (slot.isascii() and slot.isdigit()):
        return values
    return {k: v for k, v in values.items() if not k.startswith(block + ".")}


# --- form → body ------------------------------------------------------------------------------


def _first(values: Values, name: str) -> str:
    items = values.get(name) or [""]
    return items[0].strip()


def _leaf(values: Values, name: str, kind: Kind) -> Any:
    """The body value of one field, or None when the field is blank."""
    if kind is Kind.MULTI:
        return [v.strip() for v in values.get(name, []) if v.strip()]
    if kind is Kind.SUGGESTED:
        ticked = [v.strip() for v in values.get(name, []) if v.strip()]
        others = _first(values, name + OTHER).splitlines()
        items = ticked + [line.strip() for line in others if line.strip()]
        return list(dict.fromkeys(items)) or None
    text = _first(values, name)
    if kind is Kind.LINES:
        return [line.strip() for line in text.splitlines() if line.strip()] or None
    if not text:
        return None
    # The model is strict (schemas.py): the form's texts become booleans and numbers here, and
    # anything else goes through unchanged, so that the model names the field.
    if kind is Kind.BOOL:
        return {"ja": True, "nee": False}.get(text, text)
    if kind is Kind.INT and _WHOLE_NUMBER.fullmatch(text):
        return int(text)
    return text


def _group(values: Values, prefix: str, spec: Mapping[str, Kind]) -> dict[str, Any]:
    group: dict[str, Any] = {}
    for name, kind in spec.items():
        value = _leaf(values, f"{prefix}.{name}", kind)
        if value is not None:
            group[name] = value
    return group


def _filled(group: Mapping[str, Any]) -> bool:
    return any(v not in (None, "", []) for v in group.values())


def _slot_numbers(values: Values, prefix: str) -> list[int]:
    """The slot numbers the form posted for a list (`children.0.…`, `children.3.…`)."""
    found = set()
    for name in values:
        head, _, rest = name.partition(prefix + ".")
        if head or not rest:
            continue
        number = rest.split(".", 1)[0]
        # ASCII digits only: "²".isdigit() is true, but int("²") is an error.
        if number.isascii() and number.isdigit() and int(number) < MAX_SLOTS:
            found.add(int(number))
    return sorted(found)


@dataclass
class Slots:
    """Where each item of the body's lists came from on the form, to place its errors."""

    lists: dict[str, list[int]] = field(default_factory=dict)  # "children" → slot of item i
    parents: list[str] = field(default_factory=list)  # item i → "A" or "B"
    contacts: dict[int, list[str]] = field(default_factory=dict)  # child slot → parent of item i


def body_from_values(values: Values) -> tuple[dict[str, Any], Slots]:
    """The body as the model expects it, from the form; blank fields and empty slots left out."""
    slots = Slots()
    body: dict[str, Any] = {
        "case": _group(values, "case", CASE),
        "safety": _group(values, "safety", SAFETY),
        "conflict": _group(values, "conflict", CONFLICT),
    }
    children = []
    child_slots = []
    for slot in _slot_numbers(values, "children"):
        child = _group(values, f"children.{slot}", CHILD)
        contacts = []
        contact_refs = []
        for ref in PARENT_REFS:
            contact = _group(values, f"children.{slot}.contact.{ref}", CONTACT)
            if _filled(contact):
                contacts.append({"parent": ref, **contact})
                contact_refs.append(ref)
        if _filled(child) or contacts:
            child["contact"] = contacts
            children.append(child)
            child_slots.append(slot)
            slots.contacts[slot] = contact_refs
    body["children"] = children
    slots.lists["children"] = child_slots

    parents = []
    for ref in PARENT_REFS:
        parent = _group(values, f"parents.{ref}", PARENT)
        if _filled(parent):
            parents.append({"ref": ref, **parent})
            slots.parents.append(ref)
    body["parents"] = parents

    for name, spec in (("interventions_tried", TRIED), ("factors", FACTOR)):
        body[name], slots.lists[name] = _slotted(values, name, spec)

    assessment = _group(values, "assessment", ASSESSMENT)
    assessment["statements"], slots.lists["assessment.statements"] = _slotted(
        values, "assessment.statements", STATEMENT
    )
    deviation = _group(values, "assessment.deviation", DEVIATION)
    if _filled(deviation):
        deviation.setdefault("reason", "")
        assessment["deviation"] = deviation
    body["assessment"] = assessment
    return body, slots


def _slotted(
    values: Values, prefix: str, spec: Mapping[str, Kind]
) -> tuple[list[dict[str, Any]], list[int]]:
    items, numbers = [], []
    for slot in _slot_numbers(values, prefix):
        item = _group(values, f"{prefix}.{slot}", spec)
        if _filled(item):
            items.append(item)
            numbers.append(slot)
    return items, numbers


# --- body → form ------------------------------------------------------------------------------


def _form_value(value: Any, kind: Kind) -> list[str]:
    if value is None:
        return []
    if kind is Kind.BOOL:
        return ["ja" if value else "nee"]
    if kind is Kind.MULTI:
        return [str(v) for v in value]
    if kind is Kind.SUGGESTED:
        return [str(v) for v in value]
    if kind is Kind.LINES:
        return ["\n".join(value)] if value else []
    return [str(value)]


def _put(values: Values, prefix: str, spec: Mapping[str, Kind], data: Mapping[str, Any]) -> None:
    for name, kind in spec.items():
        found = _form_value(data.get(name), kind)
        if kind is Kind.SUGGESTED and found:
            usual = SUGGESTIONS[_SLOT.sub("*", f"{prefix}.{name}.").removesuffix(".")]
            others = [v for v in found if v not in usual]
            found = [v for v in found if v in usual]
            if others:
                values[f"{prefix}.{name}{OTHER}"] = ["\n".join(others)]
        if found:
            values[f"{prefix}.{name}"] = found


def values_from_body(body: Mapping[str, Any]) -> Values:
    """The form's values for a stored body (JSON-shaped, as `model_dump(mode="json")` gives)."""
    values: Values = {}
    _put(values, "case", CASE, body.get("case") or {})
    _put(values, "safety", SAFETY, body.get("safety") or {})
    _put(values, "conflict", CONFLICT, body.get("conflict") or {})
    for slot, child in enumerate(body.get("children") or []):
        _put(values, f"children.{slot}", CHILD, child)
        for contact in child.get("contact") or []:
            _put(values, f"children.{slot}.contact.{contact['parent']}", CONTACT, contact)
    for parent in body.get("parents") or []:
        _put(values, f"parents.{parent['ref']}", PARENT, parent)
    for slot, tried in enumerate(body.get("interventions_tried") or []):
        _put(values, f"interventions_tried.{slot}", TRIED, tried)
    for slot, factor in enumerate(body.get("factors") or []):
        _put(values, f"factors.{slot}", FACTOR, factor)
    assessment = body.get("assessment") or {}
    _put(values, "assessment", ASSESSMENT, assessment)
    for slot, statement in enumerate(assessment.get("statements") or []):
        _put(values, f"assessment.statements.{slot}", STATEMENT, statement)
    if assessment.get("deviation"):
        _put(values, "assessment.deviation", DEVIATION, assessment["deviation"])
    return values


# --- errors → fields --------------------------------------------------------------------------


def field_id(name: str) -> str:
    return "f-" + name.replace(".", "-")


def _pattern(parts: Sequence[str], slot_positions: set[int]) -> str:
    return ".".join("*" if i in slot_positions else p for i, p in enumerate(parts))


def form_path(loc: Sequence[str | int], slots: Slots) -> tuple[list[str], set[int]]:
    """The form name for an error's location in the body, and which of its parts are slots.

    The path stops at a leaf field: an error in the third topic belongs to the topics field.
    """
    parts: list[str] = []
    slot_positions: set[int] = set()
    items = list(loc)
    i = 0
    while i < len(items):
        key = items[i]
        pattern = _pattern(parts, slot_positions)
        if isinstance(key, int):
            place = _slot_of(pattern, parts, key, slots)
            if place is None:
                break
            slot_positions.add(len(parts))
            parts.append(place)
        else:
            parts.append(str(key))
            if str(key) in SPECS.get(pattern, {}):
                break  # a leaf: anything deeper is inside its value
        i += 1
    return parts, slot_positions


def _slot_of(pattern: str, parts: list[str], index: int, slots: Slots) -> str | None:
    try:
        if pattern in SLOTTED:
            return str(slots.lists[pattern][index])
        if pattern == "parents":
            return slots.parents[index]
        if pattern == "children.*.contact":
            return slots.contacts[int(parts[1])][index]
    except (KeyError, IndexError, ValueError):
        return None
    return None


def _label(parts: list[str], slot_positions: set[int]) -> str:
    pieces: list[str] = []
    for end in range(1, len(parts) + 1):
        pattern = _pattern(parts[:end], slot_positions)
        if end - 1 in slot_positions:
            template = SLOT_NAMES.get(pattern, "{ref}")
            slot = parts[end - 1]
            number = int(slot) + 1 if slot.isdigit() else 0
            pieces[-1:] = [template.format(n=number, ref=slot)]  # "Kinderen" → "Kind 2"
        else:
            pieces.append(FIELD_LABELS.get(pattern, parts[end - 1]))
    text = ", ".join(pieces)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class FormError:
    """One message on the form: the field's name and id, its Dutch label, and the message."""

    name: str
    id: str
    label: str
    msg: str


def form_errors(errors: Iterable[Mapping[str, Any]], slots: Slots) -> list[FormError]:
    """Errors of the body (`{"loc": [...], "msg": "…"}`) placed on the form's fields."""
    placed = []
    for error in errors:
        parts, slot_positions = form_path(error.get("loc") or [], slots)
        name = ".".join(parts) or "case"
        label = _label(parts, slot_positions) if parts else "Formulier"
        placed.append(FormError(name, field_id(name), label, str(error.get("msg", ""))))
    return placed


# --- The form as templates see it -------------------------------------------------------------


def _slot_range(values: Values, prefix: str, minimum: int) -> list[int]:
    used = _slot_numbers(values, prefix)
    # Always one empty slot beyond the last one used, so a fifth child needs no JavaScript.
    return list(range(max(minimum, (used[-1] + 2) if used else 0)))


@dataclass
class AnalysisForm:
    """Values and errors of one rendering of the form, with helpers for the templates."""

    values: Values = field(default_factory=dict)
    errors: list[FormError] = field(default_factory=list)

    @classmethod
    def of(
        cls, values: Values, errors: Iterable[Mapping[str, Any]] = (), slots: Slots | None = None
    ) -> AnalysisForm:
        return cls(values, form_errors(errors, slots or Slots()))

    def id(self, name: str) -> str:
        return field_id(name)

    def maxlength(self, name: str) -> int | None:
        """The schema's limit for a text field (`children.1.own_words`), for the browser too."""
        return MAX_LENGTHS.get(_SLOT.sub("*", name))

    def value(self, name: str) -> str:
        items = self.values.get(name) or [""]
        return items[0]

    def checked(self, name: str, code: str) -> bool:
        return code in self.values.get(name, [])

    def suggestions(self, name: str) -> tuple[str, ...]:
        """The usual answers of a short list (`children.1.heard_by`), as check boxes."""
        return SUGGESTIONS.get(_SLOT.sub("*", name + ".").removesuffix("."), ())

    def filled(self, prefix: str) -> bool:
        """True when any field of a block (`children.1`) holds a value: its block starts open."""
        return any(
            name.startswith(prefix + ".") and any(v.strip() for v in items)
            for name, items in self.values.items()
        )

    def errors_within(self, prefix: str) -> bool:
        return any(e.name == prefix or e.name.startswith(prefix + ".") for e in self.errors)

    def errors_at(self, name: str) -> list[FormError]:
        return [e for e in self.errors if e.name == name]

    def describedby(self, name: str, hint: bool = False) -> str:
        ids = ([f"{field_id(name)}-hint"] if hint else []) + (
            [f"{field_id(name)}-fout"] if self.errors_at(name) else []
        )
        return " ".join(ids)

    def child_slots(self) -> list[int]:
        return _slot_range(self.values, "children", CHILD_SLOTS)

    def factor_slots(self) -> list[int]:
        return _slot_range(self.values, "factors", FACTOR_SLOTS)

    def tried_slots(self) -> list[int]:
        return _slot_range(self.values, "interventions_tried", TRIED_SLOTS)

    def statement_slots(self) -> list[int]:
        return _slot_range(self.values, "assessment.statements", STATEMENT_SLOTS)
