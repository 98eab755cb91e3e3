"""Search analytics for editors: which queries people type, and which find nothing.

Nothing that identifies a person is kept: no account, address, session or time of day — only the
day, the normalised query and counts. Queries with digits (citizen numbers, case numbers, phone
numbers) or an e-mail address are not kept at all, and rows expire after a retention period.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kb.interventions.models import SearchQueryStat
from kb.search.analysis import fold

__all__ = ["QueryCount", "SearchStats", "normalise_query", "top_queries", "zero_result_queries"]

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 80
# What is held of a typed query until it is normalised: enough for MAX_WORDS words.
_RAW_LENGTH = 4 * MAX_QUERY_LENGTH
MAX_WORDS = 8
_PRIVATE = re.compile(r"\d|@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


def normalise_query(q: str) -> str | None:
    """The form a query is counted in, or None when it must not be kept."""
    text = _SPACE.sub(" ", _CONTROL.sub(" ", fold(q))).strip()
    if not text or _PRIVATE.search(text):
        return None
    return " ".join(text.split(" ")[:MAX_WORDS])[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class QueryCount:
    query: str
    searches: int
    zero_results: int


class SearchStats:
    """Counts searches in memory and writes them in batches, off the hot path of each search.

    Once `start()` ran (the app does it at startup) a background thread writes the counts every
    `flush_seconds`, or sooner when `flush_every` searches are waiting; a search never waits
    for the database. Without it (tests, the CLI) a full batch is written by the search itself.
    """

    def __init__(
        self,
        engine: Engine,
        flush_every: int = 1000,
        flush_seconds: float = 30.0,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.engine = engine
        self.flush_every = flush_every
        self.flush_seconds = flush_seconds
        self.today = today
        self._lock = threading.Lock()
        self._searches: Counter[tuple[dt.date, str]] = Counter()
        self._zero: Counter[tuple[dt.date, str]] = Counter()
        self._pending = 0
        self._wake = threading.Event()
        self._stopping = False
        self._writer: threading.Thread | None = None

    def record(self, q: str, total: int, weak: bool = False) -> None:
        """Count one search; one that found nothing, or only a weak any-word answer (`weak`),
        counts as unanswered too: both are what editors need to add words or content for."""
        # Counted as typed and normalised when written, off the request's path; a query that
        # must not be kept (digits, an e-mail address) is dropped then, before any storage.
        key = (self.today(), q[:_RAW_LENGTH])
        with self._lock:
            self._searches[key] += 1
            if total == 0 or weak:
                self._zero[key] += 1
            self._pending += 1
            due = self._pending >= self.flush_every
        if not due:
            return
        if self._writer is not None:
            self._wake.set()
        else:
            self.flush()

    def start(self) -> None:
        """Write counts from a background thread from now on."""
        if self._writer is None:
            self._stopping = False
            self._writer = threading.Thread(
                target=self._write_loop, name="search-stats", daemon=True
            )
            self._writer.start()

    def close(self) -> None:
        """Stop the background thread and write what is left."""
        writer, self._writer = self._writer, None
        if writer is not None:
            self._stopping = True
            self._wake.set()
            writer.join(timeout=10)
        self.flush()

    def _write_loop(self) -> None:
        while not self._stopping:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            try:
                self.flush()
            except SQLAlchemyError:
                # Counts are kept for the next attempt; a busy database must not stop the thread.
                logger.warning(
                    "Zoekstatistiek niet opgeslagen; volgende poging later", exc_info=True
                )

    def flush(self) -> None:
        with self._lock:
            searches, zero = self._searches, self._zero
            self._searches, self._zero = Counter(), Counter()
            self._pending = 0
        if not searches:
            return
        try:
            self._write(searches, zero)
        except SQLAlchemyError:
            with self._lock:
                self._searches.update(searches)
                self._zero.update(zero)
            raise

    def _write(
        self, searches: Counter[tuple[dt.date, str]], zero: Counter[tuple[dt.date, str]]
    ) -> None:
        totals: Counter[tuple[dt.date, str]] = Counter()
        zeros: Counter[tuple[dt.date, str]] = Counter()
        for (day, typed), n in searches.items():
            query = normalise_query(typed)
            if query is not None:
                totals[(day, query)] += n
                zeros[(day, query)] += zero[(day, typed)]
        if not totals:
            return
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        rows = [
            {"day": day, "query": query, "searches": n, "zero_results": zeros[(day, query)]}
            for (day, query), n in totals.items()
        ]
        statement = insert(SearchQueryStat).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["day", "query"],
            set_={
                "searches": SearchQueryStat.searches + statement.excluded.searches,
                "zero_results": SearchQueryStat.zero_results + statement.excluded.zero_results,
            },
        )
        with Session(self.engine) as session, session.begin():
            session.execute(statement)

    def purge(self, keep_days: int) -> int:
        """Forget counts older than `keep_days`; returns how many rows went."""
        cutoff = self.today() - dt.timedelta(days=keep_days)
        with Session(self.engine) as session, session.begin():
            result = session.execute(delete(SearchQueryStat).where(SearchQueryStat.day < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)


def _counts(session: Session, since: dt.date, only_zero: bool, limit: int) -> list[QueryCount]:
    searches = func.sum(SearchQueryStat.searches)
    zero = func.sum(SearchQueryStat.zero_results)
    statement = (
        select(SearchQueryStat.query, searches, zero)
        .where(SearchQueryStat.day >= since)
        .group_by(SearchQueryStat.query)
    )
    if only_zero:
        statement = statement.having(zero > 0).order_by(zero.desc(), SearchQueryStat.query)
    else:
        statement = statement.order_by(searches.desc(), SearchQueryStat.query)
    return [QueryCount(q, int(s), int(z)) for q, s, z in session.execute(statement.limit(limit))]


def top_queries(session: Session, since: dt.date, limit: int = 20) -> list[QueryCount]:
    return _counts(session, since, only_zero=False, limit=limit)


def zero_result_queries(session: Session, since: dt.date, limit: int = 20) -> list[QueryCount]:
    return _counts(session, since, only_zero=True, limit=limit)
