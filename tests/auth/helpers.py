"""Helpers of the auth tests: one check of the sign-in counters, for every store they live in."""

from __future__ import annotations

import datetime as dt

from kb.auth.security import SignInCounter

WINDOW = dt.timedelta(minutes=15)
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def check_counter(counter: SignInCounter) -> None:
    """The sliding window of three failures, for the database and the Redis counter alike."""
    keys = ["user:anna", "addr:10.0.0.1"]
    for minute in range(3):
        assert counter.reserve(keys, T0 + dt.timedelta(minutes=minute)).wait == 0
    now = T0 + dt.timedelta(minutes=3)
    # Full: a fourth attempt is refused, and its refusal is not counted as a failure.
    # Free again when the oldest of the three leaves the 15-minute window, at 09:15.
    assert counter.reserve(keys, now).wait == 12 * 60
    assert counter.retry_after(keys, now) == 12 * 60
    assert counter.retry_after(["user:bob"], now) == 0
    assert counter.retry_after(keys, T0 + WINDOW + dt.timedelta(seconds=1)) == 0
    # A successful attempt takes its reservation back; it never counts as a failure.
    success = counter.reserve(["user:carla"], now)
    assert success.wait == 0 and counter.retry_after(["user:carla"], now) == 0
    counter.release(success)
    for _ in range(2):
        counter.reserve(["user:carla"], now)
    assert counter.reserve(["user:carla"], now).wait == 0  # the third: the released one is gone
    # A successful sign-in clears the account's count, not the address's.
    counter.reset("user:anna")
    assert counter.retry_after(["user:anna"], now) == 0
    assert counter.retry_after(["addr:10.0.0.1"], now) == 12 * 60
