"""What needs an editor (domain.md §6, §9.3): entries past their review date, ratings past their
validity, sources nobody checked for a year, and searches that found nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from kb.interventions.analytics import zero_result_queries
from kb.interventions.catalogue import Catalogue
from kb.proposals.schemas import DueEntry, DueRating, DueReport, DueSearch, DueSource

__all__ = ["SEARCH_DAYS", "SOURCE_CHECK_DAYS", "due_report"]

SOURCE_CHECK_DAYS = 365
SEARCH_DAYS = 30
MAX_SEARCHES = 50


def due_report(session: Session, catalogue: Catalogue, today: dt.date) -> DueReport:
    """The due list, oldest first in each part."""
    entries = sorted(catalogue, key=lambda e: (e.next_review, e.title.casefold()))
    checked_since = today - dt.timedelta(days=SOURCE_CHECK_DAYS)
    expired = [
        DueRating(
            slug=e.slug,
            title=e.title,
            scheme=r.scheme,
            rating=r.label,
            expired_on=r.valid_until,
        )
        for e in entries
        for r in e.ratings
        if r.valid_until is not None and r.expired_on(today) and not r.superseded
    ]
    unchecked = [
        DueSource(slug=e.slug, title=e.title, source=s.title, url=str(s.url), accessed=s.accessed)
        for e in entries
        for s in e.sources
        if s.accessed is None or s.accessed < checked_since
    ]
    searches = zero_result_queries(
        session, today - dt.timedelta(days=SEARCH_DAYS), limit=MAX_SEARCHES
    )
    return DueReport(
        on=today,
        entries_past_review=[
            DueEntry(slug=e.slug, title=e.title, next_review=e.next_review)
            for e in entries
            if e.next_review < today
        ],
        expired_ratings=sorted(expired, key=lambda r: r.expired_on),
        unchecked_sources=sorted(unchecked, key=lambda s: (s.accessed or dt.date.min, s.title)),
        searches_without_results=[
            DueSearch(query=q.query, searches=q.searches, zero_results=q.zero_results)
            for q in searches
        ],
    )
