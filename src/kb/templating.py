"""Jinja set-up: filters and globals the templates use (labels of codes, evidence texts)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from kb.interventions.labels import (
    EVIDENCE_EXPLANATIONS,
    FILTER_LABELS,
    FLAG_EXPLANATIONS,
    LABELS,
    WARNING_FLAGS,
)
from kb.interventions.schemas import (
    ARRONDISSEMENTS,
    AUDIENCES,
    CONTRAINDICATIONS,
    EVIDENCE_LABELS,
    FORMATS,
    KINDS,
    ROUTES,
    STATUSES,
)
from kb.interventions.service import SearchParams
from kb.settings import Settings

__all__ = [
    "ActiveFilter",
    "active_filters",
    "age_range",
    "at_least",
    "configure_templates",
    "dutch_date",
    "dutch_number",
    "is_flagged",
    "label",
    "level_explanation",
    "page_count",
    "url_with",
    "warning_flags",
]

SEARCH_PATH = "/interventies"

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

# The order in which pages offer each filter's values: the order of the codes in the schema.
CODES: dict[str, tuple[str, ...]] = {
    "kind": KINDS,
    "status": STATUSES,
    "audience": AUDIENCES,
    "route": ROUTES,
    "format": FORMATS,
    "contraindication": CONTRAINDICATIONS,
    "arrondissement": ARRONDISSEMENTS,
    "glasl_phase": ("1", "2", "3"),
    "evidence_level": tuple(str(level) for level in EVIDENCE_LABELS),
}

# Filters shown as "active" chips, in the order of the filter form.
_FILTER_ORDER = (
    "q",
    "kind",
    "evidence_min",
    "audience",
    "age",
    "glasl_phase",
    "route",
    "format",
    "status",
    "municipality",
    "arrondissement",
    "contraindication_free",
)
_VALUE_GROUPS = {
    "kind": "kind",
    "status": "status",
    "audience": "audience",
    "route": "route",
    "format": "format",
    "glasl_phase": "glasl_phase",
    "contraindication_free": "contraindication",
}


def label(code: object, group: str) -> str:
    """The Dutch label of `code` in `group` (e.g. `label("ouderpaar", "audience")`).

    An unknown code falls back to the code itself, so a new code shows up rather than vanishing.
    """
    if code is None:
        return ""
    labels = LABELS.get(group, {})
    return labels.get(str(code), str(code))


def level_explanation(level: int | str) -> str:
    """One plain sentence saying what a normalised evidence level (0–5) means."""
    return EVIDENCE_EXPLANATIONS.get(int(level), "")


def flag_explanation(flag: str) -> str:
    return FLAG_EXPLANATIONS.get(flag, "")


def warning_flags(evidence: Any) -> list[str]:
    """The flags of `evidence` that demand a warning (`schadelijk`, `geen_effect`), worst first."""
    flags = set(getattr(evidence, "flags", None) or [])
    return [flag for flag in WARNING_FLAGS if flag in flags]


def is_flagged(evidence: Any) -> bool:
    """True when a rating found the approach harmful or without effect."""
    return bool(warning_flags(evidence))


def dutch_date(value: dt.date | int | str | None) -> str:
    """`2026-11-29` → "29 november 2026"; a bare year (pilot start) stays a year."""
    if value is None or value == "":
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        try:
            date = dt.date.fromisoformat(value)
        except ValueError:
            return value
    else:
        date = value
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def dutch_number(value: float | int | None) -> str:
    """6.0 → "6", 2.5 → "2,5": Dutch decimal comma, no needless decimals."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def age_range(age_min: int | None, age_max: int | None) -> str:
    """Ages in words: "4 tot en met 18 jaar", "vanaf 12 jaar", "tot en met 8 jaar", or ""."""
    if age_min is not None and age_max is not None:
        if age_min == age_max:
            return f"{age_min} jaar"
        return f"{age_min} tot en met {age_max} jaar"
    if age_min is not None:
        return f"vanaf {age_min} jaar"
    if age_max is not None:
        return f"tot en met {age_max} jaar"
    return ""


def url_with(params: SearchParams, **changes: Any) -> str:
    """The search URL for `params` with `changes` applied; `None` removes a filter.

    Any change other than `page` sends the user back to page 1, because the old page number
    means nothing for a different result list. Defaults are left out to keep URLs short.
    """
    values = params.model_dump()
    values.update(changes)
    if "page" not in changes:
        values["page"] = 1
    query: list[tuple[str, str]] = []
    for name, field in SearchParams.model_fields.items():
        value = values.get(name)
        if value is None or value == "" or value == field.default:
            continue
        query.append((name, str(value)))
    encoded = urlencode(query)
    return f"{SEARCH_PATH}?{encoded}" if encoded else SEARCH_PATH


@dataclass(frozen=True)
class ActiveFilter:
    """One filter in force, as the page lists it with a link that removes it."""

    name: str
    heading: str
    value: str
    raw: str
    remove_url: str


def _filter_value(name: str, value: Any) -> str:
    if name == "evidence_min":
        return f"{value} of hoger ({EVIDENCE_LABELS[int(value)]})"
    if name == "age":
        return f"{value} jaar"
    if name in _VALUE_GROUPS:
        return label(value, _VALUE_GROUPS[name])
    return str(value)


def active_filters(params: SearchParams) -> list[ActiveFilter]:
    """The filters (and search text) in force, each with its Dutch wording and a removal link."""
    active = []
    for name in _FILTER_ORDER:
        value = getattr(params, name)
        if value is None or value == "":
            continue
        active.append(
            ActiveFilter(
                name=name,
                heading=FILTER_LABELS[name],
                value=_filter_value(name, value),
                raw=str(value),
                remove_url=url_with(params, **{name: None}),
            )
        )
    return active


def at_least(counts: dict[str, int], level: int) -> int:
    """How many results have an evidence level of at least `level`, from the per-level facet."""
    return sum(count for key, count in counts.items() if key.isdigit() and int(key) >= level)


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page)) if per_page > 0 else 1


def results_text(total: int) -> str:
    """ "1 resultaat", "37 resultaten", "Geen resultaten"."""
    if total == 0:
        return "Geen resultaten"
    return f"{total} resultaat" if total == 1 else f"{total} resultaten"


def humanize_slug(slug: str) -> str:
    """`bijzondere-curator` → "Bijzondere curator", for links where only the slug is known."""
    words = slug.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def configure_templates(jinja: Any, settings: Settings) -> None:
    """Register the filters and globals on Litestar's `JinjaTemplateEngine`."""
    env = jinja.engine
    env.globals["demo"] = settings.demo
    env.globals.update(
        label=label,
        level_explanation=level_explanation,
        flag_explanation=flag_explanation,
        warning_flags=warning_flags,
        is_flagged=is_flagged,
        url_with=url_with,
        active_filters=active_filters,
        at_least=at_least,
        page_count=page_count,
        results_text=results_text,
        age_range=age_range,
        codes=CODES,
        evidence_labels=EVIDENCE_LABELS,
        search_path=SEARCH_PATH,
    )
    env.filters.update(
        label=label,
        dutch_date=dutch_date,
        dutch_number=dutch_number,
        humanize_slug=humanize_slug,
        level_explanation=level_explanation,
    )
