"""The time: aware UTC moments for what is stored, and the Dutch wall clock for what is shown."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["DUTCH_TIME", "aware", "today", "utcnow"]

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The date in the Netherlands: what a rating's validity and a review date are measured by."""
    return utcnow().astimezone(DUTCH_TIME).date()


def aware(value: dt.datetime) -> dt.datetime:
    """A moment with its time zone; naive values are UTC, as everything stored here is."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
