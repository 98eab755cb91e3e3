"""Knowledge-base tables: entries, their ratings, providers and sources (a rating is its own row)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base, JsonType

__all__ = ["Entry", "EntryProvider", "EntryRating", "EntrySource", "Meta", "SearchQueryStat"]


class Entry(Base):
    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True, index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(40))
    evidence_level: Mapped[int] = mapped_column(Integer, index=True)
    verified: Mapped[bool] = mapped_column(Boolean)
    last_reviewed: Mapped[dt.date] = mapped_column(Date)
    next_review: Mapped[dt.date] = mapped_column(Date, index=True)
    # The validated front matter, so the detail view returns every field exactly as written.
    front_matter: Mapped[dict[str, Any]] = mapped_column(JsonType)
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)

    ratings: Mapped[list[EntryRating]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryRating.position"
    )
    providers: Mapped[list[EntryProvider]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryProvider.position"
    )
    sources: Mapped[list[EntrySource]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntrySource.position"
    )


class EntryRating(Base):
    __tablename__ = "entry_rating"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))
    level: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    committee: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    flags: Mapped[list[str]] = mapped_column(JsonType)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[Entry] = relationship(back_populates="ratings")


class EntryProvider(Base):
    __tablename__ = "entry_provider"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    municipalities: Mapped[list[str]] = mapped_column(JsonType)
    province: Mapped[str | None] = mapped_column(String(100))
    arrondissement: Mapped[str | None] = mapped_column(String(100), index=True)
    url: Mapped[str | None] = mapped_column(String(1000))
    waiting_weeks: Mapped[float | None] = mapped_column(Float)
    cost: Mapped[str | None] = mapped_column(String(300))

    entry: Mapped[Entry] = relationship(back_populates="providers")


class EntrySource(Base):
    __tablename__ = "entry_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(1000))
    accessed: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    entry: Mapped[Entry] = relationship(back_populates="sources")


class Meta(Base):
    """Small facts about the installation, e.g. the hash of the content last indexed."""

    __tablename__ = "kb_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SearchQueryStat(Base):
    """How often a normalised query was searched on a day, and how often it found nothing.

    No person, address, session or time of day: editors need what is asked, not who asked.
    """

    __tablename__ = "search_query_stat"
    __table_args__ = (PrimaryKeyConstraint("day", "query"),)

    day: Mapped[dt.date] = mapped_column(Date)
    query: Mapped[str] = mapped_column(String(100))
    searches: Mapped[int] = mapped_column(Integer, default=0)
    zero_results: Mapped[int] = mapped_column(Integer, default=0)
