"""Account tables: accounts, invitations, API tokens, failed sign-ins and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base, JsonType, UtcDateTime

__all__ = [
    "DISPLAY_NAME_LENGTH",
    "Account",
    "ApiToken",
    "AuditEntry",
    "Invitation",
    "SignInFailure",
]

DISPLAY_NAME_LENGTH = 120


class Account(Base):
    """A person who signs in, with one role and the scope that role needs."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True, index=True)
    # The name reports print ("mr. J. de Vries"); None for accounts made before it was asked.
    display_name: Mapped[str | None] = mapped_column(String(DISPLAY_NAME_LENGTH))
    role: Mapped[str] = mapped_column(String(40))
    court: Mapped[str | None] = mapped_column(String(100))
    office: Mapped[str | None] = mapped_column(String(100))
    municipality: Mapped[str | None] = mapped_column(String(100))
    # Optional (migration 0014): where the e-mail notices of KB_SMTP_URL go; never case content.
    email: Mapped[str | None] = mapped_column(String(254))
    # Empty until the user sets a password on the activation page (an invitation).
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Seeded by demo mode with a published password; start-up refuses these outside demo mode.
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every session carries the version it was made under; bumping it ends them all at once,
    # in the database and in Redis alike.
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Who invited the account (None: the operator on the command line), when its user set a
    # password, and — for invited accounts of roles that read case content — which second
    # beheerder confirmed it. `active` turns true only when all that is needed is there.
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    activated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    needs_confirmation: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    @property
    def status(self) -> str:
        """invited (no password yet) → awaiting_confirmation (a case-reading role, until a second
        beheerder confirms) → active; disabled at any point."""
        if self.disabled_at is not None:
            return "disabled"
        if not self.has_password:
            return "invited"
        if self.needs_confirmation and self.confirmed_at is None:
            return "awaiting_confirmation"
        return "active"


class Invitation(Base):
    """A one-time activation link for an account; only the link's SHA-256 is stored."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Whoever saw the link could have set the password: they may not confirm the account.
    created_by_id: Mapped[int | None] = mapped_column(Integer)


class ApiToken(Base):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class SignInFailure(Base):
    """One failed sign-in, counted per account (`user:NAME`) and per address (`addr:IP`)."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


class AuditEntry(Base):
    """One event in the append-only, hash-chained audit log (see `kb.auth.audit`).

    Database triggers refuse UPDATE and DELETE on this table; the application only inserts.
    `id` is assigned by `audit.record` (the previous id + 1) because it is part of the hash.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(100), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonType)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
