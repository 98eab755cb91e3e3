"""Jinja set-up: the filters and globals every template may use (Dutch dates, labels of codes,
the signed-in user). A domain's own page helpers come in through `configure_templates(extra=…)`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import pass_context

from kb.clock import DUTCH_TIME
from kb.vocabulary import (
    ARRONDISSEMENTS,
    AUDIENCES,
    CONTRAINDICATIONS,
    COURTS,
    EVIDENCE_EXPLANATIONS,
    EVIDENCE_LABELS,
    FORMATS,
    KINDS,
    LABELS,
    ROLE_LABELS,
    ROLES,
    ROUTES,
    STATUSES,
    WARNING_FLAGS,
)
from kb.web.auth import current_user

__all__ = [
    "CODES",
    "age_range",
    "configure_templates",
    "dutch_date",
    "dutch_moment",
    "dutch_number",
    "humanize_slug",
    "is_flagged",
    "label",
    "level_explanation",
    "warning_flags",
]

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

# The order in which pages offer each group's values: the order of the codes in the vocabulary.
CODES: Mapping[str, tuple[str, ...]] = {
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


def label(code: object, group: str) -> str:
    """The Dutch label of `code` in `group` (e.g. `label("ouderpaar", "audience")`).

    An unknown code falls back to the code itself, so a new code shows up rather than vanishing.
    """
    if code is None:
        return ""
    return LABELS.get(group, {}).get(str(code), str(code))


def level_explanation(level: int | str) -> str:
    """One plain sentence saying what a normalised evidence level (0–5) means."""
    return EVIDENCE_EXPLANATIONS.get(int(level), "")


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
            day = dt.date.fromisoformat(value)
        except ValueError:
            return value
    else:
        day = value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dutch_moment(moment: dt.datetime | None) -> str:
    """A moment in Dutch time: "29 november 2026 om 14:05"."""
    if moment is None:
        return ""
    local = moment.astimezone(DUTCH_TIME)
    return f"{dutch_date(local.date())} om {local:%H:%M}"


def dutch_number(value: float | None) -> str:
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


def humanize_slug(slug: str) -> str:
    """`bijzondere-curator` → "Bijzondere curator", for links where only the slug is known."""
    words = slug.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


@pass_context
def _current_user(context: Mapping[str, Any]) -> Any:
    request = context.get("request")
    return current_user(request) if request is not None else None


@pass_context
def _site_url(context: Mapping[str, Any]) -> str:
    """The address of the site the request came to, without a trailing slash: links in a report
    or PDF that leaves the browser must say where they lead, not just a path."""
    request = context.get("request")
    return str(request.base_url).rstrip("/") if request is not None else ""


# Functions a template may call, and those it may also use as a filter (`{{ d|dutch_date }}`).
FUNCTIONS = (label, level_explanation, warning_flags, is_flagged, age_range)
FILTERS = (label, level_explanation, dutch_date, dutch_moment, dutch_number, humanize_slug)
TABLES = {
    "codes": CODES,
    "evidence_labels": EVIDENCE_LABELS,
    "role_labels": ROLE_LABELS,
    "roles": ROLES,
    "courts": COURTS,
}


def configure_templates(jinja: Any, *, demo: bool, **extra: Any) -> None:
    """Register the filters and globals on Litestar's `JinjaTemplateEngine`.

    Args:
        demo: Show the demo banner and the demo accounts.
        extra: More globals: the domains' own page helpers and tables (search links, the
            analysis form's choices, the demo accounts …).
    """
    env = jinja.engine
    env.globals.update({f.__name__: f for f in FUNCTIONS}, **TABLES, **extra)
    env.globals.update(demo=demo, current_user=_current_user, site_url=_site_url)
    env.filters.update({f.__name__: f for f in FILTERS})
