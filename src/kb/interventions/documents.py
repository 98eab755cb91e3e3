"""Turns validated content into what the search engines index and what the list API returns."""

from __future__ import annotations

from collections.abc import Sequence

from kb.interventions.loader import LoadedEntry
from kb.interventions.schemas import SearchItem
from kb.search.base import IndexDocument

__all__ = ["build_documents", "search_item"]


def search_item(entry: LoadedEntry) -> SearchItem:
    front = entry.front
    return SearchItem(
        slug=entry.slug,
        title=front.title,
        kind=front.kind,
        status=front.status,
        summary=front.summary,
        summary_b1=front.summary_b1,
        evidence=front.headline_evidence(),
        audience=list(front.audience),
        age_min=front.age_min,
        age_max=front.age_max,
        glasl_phases=sorted(front.glasl_phases),
        contraindications=list(front.contraindications),
        route=list(front.route),
        format=list(front.format),
        national=front.national,
        arrondissements=_arrondissements(entry),
    )


def _arrondissements(entry: LoadedEntry) -> list[str]:
    return sorted({p.arrondissement for p in entry.front.providers if p.arrondissement})


def _default_order(entries: Sequence[LoadedEntry]) -> dict[str, int]:
    """Without a query, the strongest evidence first, then alphabetically."""
    ordered = sorted(
        entries, key=lambda e: (-e.front.headline_evidence().level, e.front.title.casefold())
    )
    return {e.slug: rank for rank, e in enumerate(ordered)}


def build_documents(entries: Sequence[LoadedEntry]) -> list[IndexDocument]:
    ranks = _default_order(entries)
    documents = []
    for entry in entries:
        front = entry.front
        item = search_item(entry)
        documents.append(
            IndexDocument(
                slug=entry.slug,
                title=front.title,
                aliases=tuple(front.aliases),
                summary=front.summary,
                body=entry.body_markdown,
                kind=front.kind,
                status=front.status,
                evidence_level=item.evidence.level,
                flags=tuple(item.evidence.flags),
                audience=tuple(front.audience),
                age_min=front.age_min,
                age_max=front.age_max,
                glasl_phases=tuple(sorted(front.glasl_phases)),
                route=tuple(front.route),
                format=tuple(front.format),
                contraindications=tuple(front.contraindications),
                municipalities=tuple(
                    sorted({m for p in front.providers for m in p.municipalities})
                ),
                arrondissements=tuple(item.arrondissements),
                national=front.national,
                default_rank=ranks[entry.slug],
                payload=item.model_dump(mode="json", exclude={"highlight"}),
            )
        )
    return documents
