"""The append-only, hash-chained audit log: `record` an event, `verify` the chain.

Each row's `hash` is SHA-256 over the previous row's hash and the canonical JSON of the row's own
fields; the first row chains to `GENESIS`. Changing, removing or reordering a row breaks the chain
at that row (or at the next one, when someone also recomputed the changed row's hash), which
`verify` reports. Triggers in the database refuse UPDATE and DELETE (migration 0002), and this
module is the only code that writes the table: it only inserts.

What the chain cannot show by itself is the loss of the newest rows; `verify` returns the head hash
so that it can be written down elsewhere and compared later.

Appending means reading the head and inserting after it, so appends are serialised across every
process: on PostgreSQL by an advisory transaction lock, on SQLite by taking the database's one
write lock (`BEGIN IMMEDIATE`) before the head is read. Two ways in:

- `record`: in the caller's transaction, for acts that change something (the act and its entry
  commit together). The lock is held until that transaction ends.
- `record_read`: queued on the session for a read. The web edge hands the queue to the process's
  `Appender` (`submit_queued`), which writes the queued events of all concurrent requests in one
  short transaction (group commit) and tells each request when its own rows are durable; the
  request is answered only then. Whatever is still queued when the session itself
  commits (the command line, tests) is appended in that transaction instead, so no read goes
  unrecorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, event, insert, select, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from kb.access import HasRole
from kb.auth.models import AuditEntry
from kb.clock import aware, utcnow
from kb.metrics import AUDIT_APPEND_SECONDS

__all__ = [
    "GENESIS",
    "Actor",
    "Appender",
    "VerifyResult",
    "entry_hash",
    "record",
    "record_read",
    "take_queued",
    "verify",
]

logger = logging.getLogger(__name__)

GENESIS = "0" * 64
# Arbitrary constant naming the PostgreSQL advisory lock that serialises appends.
_APPEND_LOCK = 0x6B62_4155  # "kbAU"
# Where `record_read` queues a read's events on its session (`Session.info`).
_QUEUE_KEY = "kb_audit_queue"
_COLUMNS = tuple(column.key for column in AuditEntry.__table__.columns)


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


def _event(
    *,
    user: Actor | None,
    action: str,
    object_type: str | None,
    object_id: str | int | None,
    version: int | None,
    address: str | None,
    detail: Mapping[str, Any] | None,
    now: dt.datetime | None,
) -> AuditEntry:
    """An entry without its place in the chain (`id`, `prev_hash`, `hash`) yet."""
    return AuditEntry(
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
    )


def _lock_chain(connection: Connection) -> None:
    """Hold the chain for the rest of `connection`'s transaction: no other process appends
    until it ends, so the head read next stays the head."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
    elif dialect == "sqlite" and not _sqlite_writing(connection):
        # The driver begins a transaction only at the first write; a transaction that read the
        # head first could chain to a row another process has since followed. Taking the one
        # write lock before reading waits (busy timeout) instead of colliding.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_writing(connection: Connection) -> bool:
    """Whether the driver has begun a transaction, which it does only at the first write."""
    return bool(connection.connection.dbapi_connection.in_transaction)  # type: ignore[union-attr]


def _chain(connection: Connection, entries: Sequence[AuditEntry]) -> None:
    """Give `entries` their ids and hashes after the current head (the chain must be locked)."""
    last = connection.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    prev_id, prev_hash = (last.id, last.hash) if last else (0, GENESIS)
    for entry in entries:
        prev_id += 1
        entry.id = prev_id
        entry.prev_hash = prev_hash
        entry.hash = prev_hash = entry_hash(prev_hash, entry)


def _append(
    connection: Connection,
    entries: Sequence[AuditEntry] | Callable[[], Sequence[AuditEntry]],
) -> None:
    """Lock the chain, chain `entries` to its head and insert them, in `connection`'s
    transaction. `entries` may be a function, called once the lock is held."""
    started = time.perf_counter()
    _lock_chain(connection)
    appended = entries() if callable(entries) else entries
    _chain(connection, appended)
    rows = [{key: getattr(entry, key) for key in _COLUMNS} for entry in appended]
    connection.execute(insert(AuditEntry), rows)
    AUDIT_APPEND_SECONDS.observe(time.perf_counter() - started)


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
    entry = _event(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        version=version,
        address=address,
        detail=detail,
        now=now,
    )
    session.flush()  # the caller's own pending writes first, inside the same transaction
    _append(session.connection(), [entry])
    return entry


def record_read(
    session: Session,
    *,
    user: Actor | None,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    version: int | None = None,
    address: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Queue a read's event on `session`; the arguments are those of `record`.

    The web edge appends the queue through the `Appender` before it answers; otherwise the
    session's own commit appends it (see the module).
    """
    entry = _event(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        version=version,
        address=address,
        detail=detail,
        now=None,
    )
    session.info.setdefault(_QUEUE_KEY, []).append(entry)


def take_queued(session: Session) -> list[AuditEntry]:
    """The events `record_read` queued on `session`, removed from it."""
    queued: list[AuditEntry] = session.info.pop(_QUEUE_KEY, [])
    return queued


@event.listens_for(Session, "before_commit")
def _append_left_in_queue(session: Session) -> None:
    queued = take_queued(session)
    if queued:
        _append(session.connection(), queued)


@event.listens_for(Session, "after_rollback")
def _forget_queue(session: Session) -> None:
    session.info.pop(_QUEUE_KEY, None)


_Batch = tuple[list[AuditEntry], "Future[None]"]


class Appender:
    """Group commit for one process: appends the queued events of concurrent requests.

    `submit` hands over one request's events and returns a future that completes when they are
    committed (or fails with the database's error). One thread takes everything submitted
    meanwhile and writes it in one transaction holding the chain's lock, so under load a commit
    (and its wait for the disk) is shared by many requests instead of paid by each in turn.
    It gathers the batch only once it holds the lock: what arrives while another process
    appends joins this commit instead of waiting for the next one.

    Args:
        engine: The database.
        max_batch: At most this many requests' events per transaction.
    """

    def __init__(self, engine: Engine, max_batch: int = 256) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Batch | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._start_lock = threading.Lock()

    def submit_queued(self, session: Session) -> Future[None] | None:
        """Submit what `record_read` queued on `session`; None when nothing was."""
        queued = take_queued(session)
        return self.submit(queued) if queued else None

    def submit(self, entries: Sequence[AuditEntry]) -> Future[None]:
        """Append `entries` (one request's, kept together and in order); see the class."""
        done: Future[None] = Future()
        # Running from now on: a request that goes away cannot cancel it, so its read is still
        # recorded and the thread never sets the result of a cancelled future.
        done.set_running_or_notify_cancel()
        self._ensure_thread()
        self._queue.put((list(entries), done))
        return done

    def close(self) -> None:
        """Finish what was submitted, then stop the thread."""
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            self._queue.put(None)
            thread.join(timeout=10)
        self._thread = None

    def _ensure_thread(self) -> None:
        # A forked worker inherits the object but not the thread: start one of its own.
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="kb-audit-appender", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            self._write([first], gather=True)

    def _gather(self, batch: list[_Batch]) -> None:
        """Add what else was submitted by now to `batch`, up to the limit."""
        while len(batch) < self._max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is None:
                self._queue.put(None)  # stop after this batch
                return
            batch.append(item)

    def _write(self, batch: list[_Batch], gather: bool = False) -> None:
        try:
            self._commit(batch, gather)
        except Exception as exc:
            if len(batch) > 1 and isinstance(exc, IntegrityError | DataError):
                # One request's bad event must not fail the others: try each on its own.
                for single in batch:
                    self._write([single])
                return
            logger.error("Audit append failed for %d request(s): %s", len(batch), exc)
            for _, done in batch:
                done.set_exception(exc)
            return
        for _, done in batch:
            done.set_result(None)

    def _commit(self, batch: list[_Batch], gather: bool) -> None:
        def gathered() -> list[AuditEntry]:
            if gather:
                self._gather(batch)
            return [entry for entries, _ in batch for entry in entries]

        with self._engine.begin() as connection:
            _append(connection, gathered)


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
