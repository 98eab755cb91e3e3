"""Search analytics: counts per day and query, nothing that identifies a person, batched writes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kb.db import make_engine, migrate
from kb.interventions.analytics import (
    SearchStats,
    normalise_query,
    top_queries,
    zero_result_queries,
)
from kb.interventions.models import SearchQueryStat
from kb.settings import Settings

DAY = dt.date(2026, 11, 29)


@pytest.fixture()
def engine(tmp_path: Path, empty_database: str) -> Iterator[Engine]:
    """A migrated database of its own."""
    settings = Settings(data_dir=tmp_path, database_url=empty_database, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        pytest.param("  Kinderen   uit de KNEL ", "kinderen uit de knel", id="folded-and-trimmed"),
        pytest.param("Coördinatie", "coordinatie", id="accents"),
        pytest.param("123456782", None, id="citizen-number"),
        pytest.param("C/13/745123 omgang", None, id="case-number"),
        pytest.param("ouder@example.nl", None, id="e-mail"),
        pytest.param("", None, id="empty"),
        pytest.param("knel\x00\x01", "knel", id="control-characters"),
        pytest.param("a " * 30, "a a a a a a a a", id="at-most-eight-words"),
    ],
)
def test_normalise(raw: str, kept: str | None) -> None:
    assert normalise_query(raw) == kept


def test_counts_are_batched_and_summed(engine: Engine) -> None:
    stats = SearchStats(engine, flush_every=3, today=lambda: DAY)
    stats.record("omgang", 5)
    stats.record("Omgang", 4)
    with Session(engine) as session:
        assert session.scalars(select(SearchQueryStat)).all() == []  # not yet written
    stats.record("xyzzy", 0)  # the third search writes the batch
    stats.record("omgang", 3)
    stats.flush()
    with Session(engine) as session:
        top = top_queries(session, since=DAY)
        zero = zero_result_queries(session, since=DAY)
    assert [(c.query, c.searches) for c in top] == [("omgang", 3), ("xyzzy", 1)]
    assert [(c.query, c.zero_results) for c in zero] == [("xyzzy", 1)]


def _stored(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {c.query: c.searches for c in top_queries(session, since=DAY)}


def test_a_started_writer_writes_batches_in_the_background(engine: Engine) -> None:
    stats = SearchStats(engine, flush_every=2, flush_seconds=60, today=lambda: DAY)
    stats.start()
    try:
        stats.record("omgang", 5)
        stats.record("omgang", 5)  # a full batch wakes the writer; the search does not wait
        deadline = time.monotonic() + 10
        while not _stored(engine) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _stored(engine) == {"omgang": 2}
        stats.record("knel", 1)
    finally:
        stats.close()  # writes what is left
    assert _stored(engine) == {"omgang": 2, "knel": 1}


def test_counts_survive_a_failed_write(engine: Engine) -> None:
    stats = SearchStats(engine, today=lambda: DAY)
    stats.record("omgang", 5)
    with Session(engine) as session, session.begin():
        session.execute(text("ALTER TABLE search_query_stat RENAME TO search_query_stat_away"))
    with pytest.raises(SQLAlchemyError):
        stats.flush()
    with Session(engine) as session, session.begin():
        session.execute(text("ALTER TABLE search_query_stat_away RENAME TO search_query_stat"))
    stats.flush()
    assert _stored(engine) == {"omgang": 1}


def test_nothing_personal_is_stored(engine: Engine) -> None:
    columns = {c["name"] for c in inspect(engine).get_columns("search_query_stat")}
    assert columns == {"day", "query", "searches", "zero_results"}


def test_old_counts_expire(engine: Engine) -> None:
    old = SearchStats(engine, today=lambda: DAY - dt.timedelta(days=400))
    old.record("omgang", 1)
    old.flush()
    stats = SearchStats(engine, today=lambda: DAY)
    assert stats.purge(keep_days=365) == 1


def test_searches_are_counted_and_shown_to_editors(client_as: Any) -> None:
    """A page search and an API search count; an as-you-type fragment does not; editors see them."""
    editor = client_as("redacteur")
    word = "zoekwoordnietgevonden"
    editor.get("/interventies", params={"q": word})
    editor.get("/api/v1/interventions", params={"q": word})
    editor.get("/interventies", params={"q": word + "x", "partial": "1"})
    page = editor.get("/redactie/zoekopdrachten")
    assert page.status_code == 200
    rows = {
        cells[0].get_text(strip=True): [c.get_text(strip=True) for c in cells[1:]]
        for table in BeautifulSoup(page.text, "html.parser").find_all("table")[:1]
        for cells in (tr.find_all("td") for tr in table.find_all("tr"))
        if cells
    }
    assert rows[word] == ["2", "2"]
    assert word + "x" not in rows


@pytest.mark.parametrize("role", ["loketmedewerker", "rechter", "beheerder"])
def test_only_editors_see_search_counts(client_as: Any, role: str) -> None:
    assert client_as(role).get("/redactie/zoekopdrachten").status_code == 403


def test_weak_answers_count_as_unanswered(engine: Engine) -> None:
    """A search that found only a weak any-word answer is shown to editors beside nothing found."""
    stats = SearchStats(engine, today=lambda: DAY)
    stats.record("kind vader fiets", 12, weak=True)
    stats.record("omgang", 8)
    stats.flush()
    with Session(engine) as session:
        zero = zero_result_queries(session, since=DAY)
    assert [(c.query, c.zero_results, c.searches) for c in zero] == [("kind vader fiets", 1, 1)]


def test_a_weak_page_search_reaches_the_editors(client_as: Any) -> None:
    """Through the whole stack: a page search whose only answer is weak is counted unanswered."""
    editor = client_as("redacteur")
    q = "fietsenstalling zeilboot hulp"  # only the common word matches anything
    body = editor.get("/api/v1/interventions", params={"q": q}).json()
    assert body["match"] == "any" and body["total"] > 0
    editor.get("/interventies", params={"q": q})
    page = BeautifulSoup(editor.get("/redactie/zoekopdrachten").text, "html.parser")
    first = page.find_all("table")[0]
    rows = {
        cells[0].get_text(strip=True): [c.get_text(strip=True) for c in cells[1:]]
        for cells in (tr.find_all("td") for tr in first.find_all("tr"))
        if cells
    }
    assert rows[q] == ["2", "2"]
