"""Desk tables: each municipality's desk profile, printed on the handouts its desk workers make."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base, UtcDateTime

__all__ = ["DeskProfile"]


class DeskProfile(Base):
    """The walk-in desk of one municipality: what a parent needs to find and reach it.

    One row per municipality (its official name, domain.md §9.1): every desk account of that
    municipality prints the same profile. Kept by the beheerder; `revision` is the ETag.
    """

    __tablename__ = "desk_profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300), default="")
    opening_hours: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(Integer)
