"""Knowledge-base tables: one row per entry, and the counts of what people search."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base, JsonType

__all__ = ["EntryRow", "SearchQueryStat"]


class EntryRow(Base):
    """One entry: its validated front matter as JSON (ratings, providers and sources included,
    exactly as written) and its body; a few columns beside it for the editors' queries."""

    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(40))
    evidence_level: Mapped[int] = mapped_column(Integer, index=True)
    last_reviewed: Mapped[dt.date] = mapped_column(Date)
    next_review: Mapped[dt.date] = mapped_column(Date, index=True)
    front_matter: Mapped[dict[str, Any]] = mapped_column(JsonType)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)


class SearchQueryStat(Base):
    """How often a normalised query was searched on a day, and how often it went unanswered:
    found nothing, or only a weak any-word answer (`zero_results` keeps its name; no migration).

    No person, address, session or time of day: editors need what is asked, not who asked.
    """

    __tablename__ = "search_query_stat"
    __table_args__ = (PrimaryKeyConstraint("day", "query"),)

    day: Mapped[dt.date] = mapped_column(Date)
    query: Mapped[str] = mapped_column(String(100))
    searches: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)
