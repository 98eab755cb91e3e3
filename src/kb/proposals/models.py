"""The proposal table: a pilot registered or an entry proposed, waiting for an editor's decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.auth.models import Account
from kb.db import Base, JsonType, UtcDateTime

__all__ = ["Proposal"]


class Proposal(Base):
    """One proposal: the front matter and body of an entry as its author wrote them.

    `about` names the entry a correction is for (None: a new entry); `slug` is the file an
    approval wrote. `version` counts every save and decision, and the ETag is `"<id>-<version>"`:
    a change names the version it was based on, and the UPDATE itself checks it (412 otherwise).
    """

    __tablename__ = "proposal"
    __table_args__ = (
        CheckConstraint("status IN ('ingediend', 'goedgekeurd', 'afgewezen')", name="status"),
        CheckConstraint("version >= 1", name="positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    about: Mapped[str | None] = mapped_column(String(100))
    slug: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    front_matter: Mapped[dict[str, Any]] = mapped_column(JsonType)
    body: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(Text)

    author: Mapped[Account] = relationship(lazy="joined", foreign_keys=[author_id])
    decided_by: Mapped[Account | None] = relationship(lazy="joined", foreign_keys=[decided_by_id])

    @property
    def etag(self) -> str:
        return f'"{self.id}-{self.version}"'
