"""Knowledge-base tables: one row per entry, its revisions, and the counts of what people search."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base, JsonType, UtcDateTime

__all__ = ["EntryRevision", "EntryRow", "SearchQueryStat"]


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
    # sha256 of the front matter and body (`indexing.content_hash`); null in rows from before.
    content_hash: Mapped[str | None] = mapped_column(String(64))


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


class EntryRevision(Base):
    """One change to one entry, as indexing found it: new, changed (with each field's old and new
    value), a rating expired, or removed. Written by `kb index` and by the day's first catalogue;
    never updated. The id orders the change feed."""

    __tablename__ = "entry_revision"
    __table_args__ = (UniqueConstraint("slug", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120))
    revision: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The first indexing of a database: what was there already, not news for the change feed.
    baseline: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JsonType)
    note: Mapped[str | None] = mapped_column(Text)
