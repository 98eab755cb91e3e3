"""The Dutch names of the analysis's fields, read from the form schema, and of its codes.

Each field's name is its `title` in `schemas.py`; a list's items are named by their model's
title. `FIELD_LABELS` keys are paths with `*` for an item (`children.*.birth_year`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from kb.conflict_analysis.schemas import AnalysisBody
from kb.vocabulary import ANALYSIS_CHOICES

__all__ = ["FIELD_LABELS", "code_label", "model_of", "walk_fields"]


def model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds, and whether it holds a list of them (`list[Child]`)."""
    is_list = get_origin(annotation) is list
    for part in get_args(annotation) if is_list else (annotation, *get_args(annotation)):
        # `Deviation | None` holds a model too.
        if isinstance(part, type) and issubclass(part, BaseModel):
            return part, is_list
    return None, False


def walk_fields(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, Any]]:
    """Every field of `model` and its nested models: (path, Dutch name, field info), depth first.

    A list of models yields its items too, under `path.*`, named by the item model's title.
    """
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path, info.title or name, info
        nested, is_list = model_of(info.annotation)
        if nested is None:
            continue
        if is_list:
            path += ".*"
            yield path, str(nested.model_config.get("title") or name), None
        yield from walk_fields(nested, path + ".")


FIELD_LABELS: Mapping[str, str] = MappingProxyType(
    {path: label for path, label, _ in walk_fields(AnalysisBody)}
)

# Which choices a field's codes come from, where the field name alone does not say it.
_CHOICES_OF_FIELD = {
    "status": "contact_status",
    "kind": "factor_kind",
    "weight": "factor_weight",
    "advice": "advice",
}


def code_label(field: str, code: object) -> str:
    """The Dutch label of `code` as a value of `field` (`"partner_violence"`, `"vermoeden"`)."""
    if code is None:
        return ""
    if isinstance(code, bool):
        return "ja" if code else "nee"
    choices = ANALYSIS_CHOICES.get(_CHOICES_OF_FIELD.get(field, field), {})
    return choices.get(str(code), str(code).replace("_", " "))
