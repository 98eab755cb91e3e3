"""Secrets at rest and brute force: argon2id passwords, hashed API tokens, sign-in counters."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kb.auth.models import SignInFailure
from kb.clock import aware

if TYPE_CHECKING:
    from redis import Redis

__all__ = [
    "Attempt",
    "DatabaseSignInCounter",
    "Passwords",
    "RedisSignInCounter",
    "SignInCounter",
    "new_token",
    "token_digest",
]


class Passwords:
    """argon2id hashing with the cost of one of argon2-cffi's profiles."""

    def __init__(self, profile: str = "RFC_9106_LOW_MEMORY") -> None:
        self._hasher = argon2.PasswordHasher.from_parameters(getattr(argon2.profiles, profile))

    @cached_property
    def _dummy(self) -> str:
        # Verified against when the user does not exist, so that an unknown name costs as much
        # time as a wrong password and the answer time gives nothing away.
        return self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when `password` matches; `stored_hash=None` spends the same time and fails."""
        try:
            matched = self._hasher.verify(stored_hash or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return False
        return matched and stored_hash is not None

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other parameters (e.g. a cheaper profile)."""
        return self._hasher.check_needs_rehash(stored_hash)


def new_token() -> str:
    """A bearer token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token. A plain SHA-256 suffices: the token is random."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt reserved in the counters before its password is checked.

    `wait` > 0: the limit was already reached and nothing stays reserved. Otherwise `marks` name
    what was recorded (rows or set members), so a successful attempt can take them back.
    """

    wait: int
    marks: tuple[str, ...] = ()


class SignInCounter(Protocol):
    """Failed sign-ins in a sliding window, per key (`user:NAME`, `addr:IP`).

    Reserve, then check: an attempt counts as a failure *before* its password is verified, and is
    taken back when it succeeds. Counting afterwards let 30 parallel wrong passwords all pass the
    check "fewer than 5 so far" before any of them was recorded (finding 7).
    """

    def reserve(self, keys: Sequence[str], now: dt.datetime) -> Attempt:
        """Record an attempt under every key, atomically with counting; over the limit, record
        nothing and return the seconds until any of `keys` may try again."""
        ...

    def release(self, attempt: Attempt) -> None:
        """Take back a reservation: the attempt succeeded."""
        ...

    def retry_after(self, keys: Sequence[str], now: dt.datetime) -> int:
        """Seconds until any of `keys` may try again; 0 when all may try now."""
        ...

    def reset(self, key: str) -> None: ...


class DatabaseSignInCounter:
    """Counts in the `sign_in_failure` table.

    `reserve` commits the caller's session twice: the reservation must be visible to every other
    request before this one counts, which is what makes the limit hold under concurrency (of any
    set of parallel attempts, the last to commit its row sees all the others).
    """

    def __init__(self, session: Session, max_failures: int, window: dt.timedelta) -> None:
        self._session = session
        self._max = max_failures
        self._window = window

    def reserve(self, keys: Sequence[str], now: dt.datetime) -> Attempt:
        self._session.execute(delete(SignInFailure).where(SignInFailure.at <= now - self._window))
        rows = [SignInFailure(key=key, at=now) for key in keys]
        self._session.add_all(rows)
        self._session.commit()
        since = now - self._window
        counts = self._session.execute(
            select(SignInFailure.key, func.count())
            .where(SignInFailure.key.in_(list(keys)), SignInFailure.at > since)
            .group_by(SignInFailure.key)
        ).all()
        attempt = Attempt(0, tuple(str(row.id) for row in rows))
        if any(count > self._max for _, count in counts):
            self.release(attempt)
            # Never 0: the others that filled the window may have succeeded since.
            return Attempt(max(self.retry_after(keys, now), 1))
        return attempt

    def release(self, attempt: Attempt) -> None:
        ids = [int(mark) for mark in attempt.marks]
        if ids:
            self._session.execute(delete(SignInFailure).where(SignInFailure.id.in_(ids)))
            self._session.commit()

    def retry_after(self, keys: Sequence[str], now: dt.datetime) -> int:
        since = now - self._window
        wait = 0
        for key in keys:
            times = (
                self._session.execute(
                    select(SignInFailure.at)
                    .where(SignInFailure.key == key, SignInFailure.at > since)
                    .order_by(SignInFailure.at.desc())
                    .limit(self._max)
                )
                .scalars()
                .all()
            )
            if len(times) >= self._max:
                # Free again when the oldest of the last `max` failures leaves the window.
                free_at = aware(times[-1]) + self._window
                wait = max(wait, math.ceil((free_at - now).total_seconds()))
        return max(wait, 0)

    def reset(self, key: str) -> None:
        self._session.execute(delete(SignInFailure).where(SignInFailure.key == key))


class RedisSignInCounter:
    """Counts in Redis sorted sets (score = time), shared by every worker and host.

    Adding the attempt and counting happen in one MULTI/EXEC transaction per key, which Redis
    runs without anything in between.
    """

    def __init__(
        self, client: Redis, max_failures: int, window: dt.timedelta, prefix: str = "kb:signin:"
    ) -> None:
        self._redis = client
        self._max = max_failures
        self._window = window
        self._prefix = prefix

    def reserve(self, keys: Sequence[str], now: dt.datetime) -> Attempt:
        since = now.timestamp() - self._window.total_seconds()
        # A unique member per attempt, so that two in the same instant both count.
        member = f"{now.timestamp()}:{secrets.token_hex(8)}"
        pipe = self._redis.pipeline(transaction=True)
        for key in keys:
            name = self._prefix + key
            pipe.zremrangebyscore(name, "-inf", since)
            pipe.zadd(name, {member: now.timestamp()})
            pipe.zcard(name)
            pipe.expire(name, math.ceil(self._window.total_seconds()))
        counts = pipe.execute()[2::4]
        attempt = Attempt(0, tuple(f"{self._prefix}{key}\n{member}" for key in keys))
        if any(int(count) > self._max for count in counts):
            self.release(attempt)
            return Attempt(max(self.retry_after(keys, now), 1))
        return attempt

    def release(self, attempt: Attempt) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for mark in attempt.marks:
            name, _, member = mark.partition("\n")
            pipe.zrem(name, member)
        pipe.execute()

    def retry_after(self, keys: Sequence[str], now: dt.datetime) -> int:
        since = now.timestamp() - self._window.total_seconds()
        wait = 0.0
        for key in keys:
            newest = self._redis.zrevrangebyscore(
                self._prefix + key, "+inf", f"({since}", start=0, num=self._max, withscores=True
            )
            if len(newest) >= self._max:
                oldest_score = float(newest[-1][1])
                wait = max(wait, oldest_score + self._window.total_seconds() - now.timestamp())
        return max(math.ceil(wait), 0)

    def reset(self, key: str) -> None:
        self._redis.delete(self._prefix + key)
