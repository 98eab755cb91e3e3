"""The append-only, hash-chained audit log: `record` an event, `verify` the chain.

Each row's `hash` is SHA-256 over the previous row's hash and the canonical JSON of the row's own
fields; the first row chains to `GENESIS`. Changing, removing or reordering a row breaks the chain
at that row (or at the next one, when someone also recomputed the changed row's hash), which
`verify` reports. Triggers in the database refuse UPDATE and DELETE (migration 0002), and this
module is the only code that writes the table: it only inserts.

What the chain cannot show by itself is the loss of the newest rows; `verify` returns the head hash
so that it can be written down elsewhere and compared later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kb.access import HasRole
from kb.auth.models import AuditEntry
from kb.clock import aware, utcnow

__all__ = ["GENESIS", "Actor", "VerifyResult", "entry_hash", "record", "verify"]

GENESIS = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_APPEND_LOCK = 0x6B62_4155  # "kbAU"


class Actor(HasRole, Protocol):
    """Who did it: a `CurrentUser` or an `Account`."""

    @property
    def id(self) -> int: ...

    @property
    def username(self) -> str: ...


def _timestamp(value: dt.datetime) -> str:
    return aware(value).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": _timestamp(entry.at),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "version": entry.version,
        "address": entry.address,
        "detail": entry.detail,
    }


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """SHA-256 of the previous hash followed by the canonical JSON of the entry's fields."""
    canonical = json.dumps(
        _fields(entry), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    user: Actor | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    version: int | None = None,
    address: str | None = None,
    detail: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append one event to the log, in the caller's transaction.

    Args:
        session: The session whose commit makes the entry (and the act it records) permanent.
        user: Who acted; None for an anonymous request or the command line.
        action: What happened, e.g. `analysis.read`, `auth.sign_in`, `account.disable`.
        object_type: The kind of object acted on, e.g. `conflict_analysis`, `account`.
        object_id: Its id (stored as text).
        version: The object's version, for versioned objects such as analyses.
        address: The client's address.
        detail: Metadata only (e.g. `{"via": "api"}`); never case content.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Two workers appending at once would otherwise both chain to the same row.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
    last = session.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    prev_id, prev_hash = (last.id, last.hash) if last else (0, GENESIS)
    entry = AuditEntry(
        id=prev_id + 1,
        at=now or utcnow(),
        actor_id=user.id if user else None,
        actor=user.username if user else None,
        role=user.role if user else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:100] if object_id is not None else None,
        version=version,
        address=address,
        # Round-tripped through JSON now, so the hash sees what the database will give back.
        detail=json.loads(json.dumps(dict(detail or {}))),
        prev_hash=prev_hash,
    )
    entry.hash = entry_hash(prev_hash, entry)
    session.add(entry)
    # Flush now, so that a second `record` in the same transaction chains to this one.
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `verify`: whether the chain holds, how many entries were checked, and
    the first entry that breaks it with the reason."""

    ok: bool
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None
    head_hash: str = GENESIS


def verify(session: Session, batch_size: int = 1000) -> VerifyResult:
    """Walk the whole log in id order and check every link and every hash."""
    result = session.execute(
        select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=batch_size)
    )
    try:
        return _walk(session, result.scalars())
    finally:
        result.close()  # stopping at a broken entry must not leave a server-side cursor open


def _walk(session: Session, rows: Iterable[AuditEntry]) -> VerifyResult:
    expected_prev = GENESIS
    expected_id = 1
    checked = 0
    for entry in rows:
        if entry.id != expected_id:
            reason = f"entry {expected_id} is missing; the log continues at {entry.id}"
            return VerifyResult(False, checked, entry.id, reason, expected_prev)
        if entry.prev_hash != expected_prev:
            reason = (
                "its link to the previous entry does not match (that one was changed or removed)"
            )
            return VerifyResult(False, checked, entry.id, reason, expected_prev)
        if entry.hash != entry_hash(expected_prev, entry):
            reason = "its content does not match its hash (the entry was changed)"
            return VerifyResult(False, checked, entry.id, reason, expected_prev)
        expected_prev = entry.hash
        expected_id += 1
        checked += 1
        session.expunge(entry)
    return VerifyResult(True, checked, head_hash=expected_prev)
