"""Where an entry's help can be had (domain.md §9.1–9.2): the municipalities its providers
serve, whether it is bound to a region, and whether it reaches a given place.

A provider's area is the most precise place it names (`kb.regions.provider_area`). An entry is
*region-bound* when it is not national and some provider names a place: then it can be had only
there. An entry without any located provider is not bound, only unknown.
"""

from __future__ import annotations

from kb.interventions.schemas import Entry
from kb.regions import Municipality, provider_area

__all__ = ["reaches", "reaches_arrondissement", "region_bound", "served", "served_names"]


def served(entry: Entry) -> frozenset[Municipality]:
    """Every municipality one of the entry's providers serves."""
    return frozenset().union(
        *(provider_area(p.municipalities, p.province, p.arrondissement) for p in entry.providers)
    )


def served_names(entry: Entry) -> tuple[str, ...]:
    """The served municipalities' official names, sorted: what the search engines filter on."""
    return tuple(sorted(m.name for m in served(entry)))


def region_bound(entry: Entry) -> bool:
    """Offered only in named places: not national, and some provider names where it works."""
    return not entry.national and bool(entry.arrondissements or served(entry))


def reaches(entry: Entry, municipality: Municipality | None) -> bool:
    """Can be had by someone living in `municipality`: national, or a provider serves it."""
    return entry.national or (municipality is not None and municipality in served(entry))


def reaches_arrondissement(entry: Entry, arrondissement: str | None) -> bool:
    """Can be had in the court district `arrondissement`: national, or a provider works there."""
    return entry.national or (
        arrondissement is not None and arrondissement in entry.arrondissements
    )
