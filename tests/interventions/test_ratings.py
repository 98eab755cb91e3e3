"""Ratings expire and disagree (domain.md §9.3): the headline counts only ratings valid on the day,
takes the lower of two that disagree, and follows the clock without re-indexing by hand; `kb
check` refuses undated recognitions and unsourced facts in verified entries; `kb report content`
counts what the content holds."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kb.cli import main
from kb.db import make_engine, migrate
from kb.errors import ContentError
from kb.interventions.catalogue import CatalogueStore
from kb.interventions.indexing import rebuild, reindex_expired
from kb.interventions.loader import load_entries
from kb.interventions.models import EntryRow
from kb.interventions.schemas import Evidence, Rating
from kb.search.base import SearchQuery
from kb.search.config import load_search_config
from kb.search.embedded import EmbeddedBackend
from kb.settings import Settings
from tests.factories import entry
from tests.helpers import FIXTURE_CONTENT, SEARCH

DAY = dt.date(2026, 11, 30)


def rating(**fields: Any) -> Rating:
    """A recognition as the content would hold it, changed by `fields`."""
    base: dict[str, Any] = {
        "scheme": "nji",
        "label": "Effectief volgens goede aanwijzingen",
        "level": 4,
        "date": dt.date(2022, 1, 10),
        "valid_until": dt.date(2027, 1, 10),
        "source_url": "https://example.org/register",
    }
    return Rating.model_validate(base | fields)


@pytest.mark.parametrize(
    ("ratings", "day", "level", "disputed", "expired", "valid_until"),
    [
        pytest.param([rating()], DAY, 4, False, 0, dt.date(2027, 1, 10), id="current"),
        pytest.param(
            [rating()], dt.date(2027, 1, 10), 4, False, 0, dt.date(2027, 1, 10), id="last-day"
        ),
        pytest.param([rating()], dt.date(2027, 1, 11), 0, False, 1, None, id="expired-next-day"),
        pytest.param(
            [rating(), rating(scheme="richtlijn", level=2, date=None, valid_until=None)],
            dt.date(2027, 1, 11),
            2,
            False,
            1,
            None,
            id="expired-falls-back-to-other-scheme",
        ),
        pytest.param(
            [rating(), rating(label="Goed onderbouwd", level=2)],
            DAY,
            2,
            True,
            0,
            dt.date(2027, 1, 10),
            id="disputed-headlines-the-lower",
        ),
        pytest.param(
            [rating(), rating(label="Goed onderbouwd", level=2, valid_until=dt.date(2026, 1, 1))],
            DAY,
            4,
            False,
            1,
            dt.date(2027, 1, 10),
            id="an-expired-rival-no-longer-disputes",
        ),
        pytest.param(
            [rating(), rating(scheme="blueprints", level=3, date=None, valid_until=None)],
            DAY,
            3,
            True,
            0,
            None,
            id="other-schemes-disagree-too",
        ),
        pytest.param(
            [rating(), rating(scheme="blueprints", label="Promising", date=None, valid_until=None)],
            DAY,
            4,
            False,
            0,
            None,
            id="agreeing-schemes-without-validity",
        ),
        pytest.param(
            [rating(superseded=True), rating(label="Goed onderbouwd", level=2)],
            DAY,
            2,
            False,
            0,
            dt.date(2027, 1, 10),
            id="superseded-not-counted",
        ),
    ],
)
def test_headline_counts_ratings_valid_on_the_day(
    ratings: list[Rating],
    day: dt.date,
    level: int,
    disputed: bool,
    expired: int,
    valid_until: dt.date | None,
) -> None:
    evidence = Evidence.from_ratings(ratings, day)
    assert (evidence.level, evidence.disputed) == (level, disputed)
    assert len(evidence.expired_ratings) == expired
    assert evidence.valid_until == valid_until


def test_an_entrys_evidence_follows_the_day_and_its_own_ratings() -> None:
    """The headline is kept for the day asked (matching asks it many times per case), yet a
    later day and a copy with other ratings each get their own."""
    rated = entry(
        "kept",
        ratings=[rating(level=4, valid_until=DAY)],
        sources=[{"title": "Register", "url": "https://example.org/register"}],
    )
    assert rated.evidence_on(DAY) is rated.evidence_on(DAY)
    assert rated.evidence_on(DAY).level == 4
    assert rated.evidence_on(DAY + dt.timedelta(days=1)).level == 0  # expired the day after
    unrated = rated.model_copy(update={"ratings": []})
    assert unrated.evidence_on(DAY).level == 0
    assert rated.evidence_on(DAY).level == 4


def test_a_harmful_flag_stays_after_its_rating_expired() -> None:
    harmful = rating(level=0, flags=["schadelijk"], valid_until=dt.date(2023, 1, 1))
    evidence = Evidence.from_ratings([harmful], DAY)
    assert evidence.flags == ["schadelijk"]
    assert [e.expired_on for e in evidence.expired_ratings] == [dt.date(2023, 1, 1)]


# --- kb check ------------------------------------------------------------------------------


def _unchanged(text: str) -> str:
    """The file as it is."""
    return text


@pytest.mark.parametrize(
    ("change", "field", "message_part"),
    [
        pytest.param(
            lambda t: t.replace("    date: 2025-06-01\n", ""),
            "ratings[0]",
            "heeft date nodig",
            id="recognition-without-date",
        ),
        pytest.param(
            lambda t: t.replace("    source_url: https://example.org/alpha-groep\n", "").replace(
                "level: 4", "level: 0"
            ),
            "ratings[0]",
            "heeft source_url nodig",
            id="recognition-without-register-page",
        ),
        pytest.param(
            lambda t: t.replace("    valid_until: 2030-06-01\n", ""),
            "ratings[0]",
            "valid_until nodig",
            id="nji-without-valid-until",
        ),
        pytest.param(
            lambda t: t.replace("valid_until: 2030-06-01", "valid_until: 2020-06-01"),
            "ratings[0]",
            "vóór date",
            id="valid-until-before-date",
        ),
        pytest.param(
            lambda t: t + "\nDe groep telt acht kinderen (onbevestigd).\n",
            "verified",
            "body noemt een feit '(onbevestigd)'",
            id="verified-with-marker-in-body",
        ),
        pytest.param(
            lambda t: t.replace("summary: Groepstraining", "summary: (onbevestigd) Groepstraining"),
            "verified",
            "summary noemt",
            id="verified-with-marker-in-summary",
        ),
        pytest.param(
            lambda t: t.replace(
                "    url: https://example.org/alpha-groep\n",
                "    url: https://example.org/alpha-groep\n    note: secundaire bron voor de duur\n",
            ),
            "verified",
            "sources[0].note",
            id="verified-with-secondary-source",
        ),
    ],
)
def test_check_refuses(
    tmp_path: Path, change: Callable[[str], str], field: str, message_part: str
) -> None:
    target = tmp_path / "interventions" / "alpha-groep.md"
    target.parent.mkdir()
    source = FIXTURE_CONTENT / "interventions" / "alpha-groep.md"
    target.write_text(change(source.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_entries(tmp_path)
    [problem] = caught.value.problems
    assert problem.path.endswith("alpha-groep.md")
    assert (problem.field, message_part in problem.message) == (field, True), problem


def test_an_unverified_entry_may_admit_an_unsourced_fact(tmp_path: Path) -> None:
    target = tmp_path / "interventions" / "alpha-groep.md"
    target.parent.mkdir()
    text = (FIXTURE_CONTENT / "interventions" / "alpha-groep.md").read_text(encoding="utf-8")
    text = text.replace("verified: true", "verified: false") + "\nAcht kinderen (onbevestigd).\n"
    target.write_text(text, encoding="utf-8")
    assert [e.slug for e in load_entries(tmp_path)] == ["alpha-groep"]


# --- Time passes without re-indexing --------------------------------------------------------


@pytest.fixture()
def indexed(tmp_path: Path, empty_database: str) -> Iterator[tuple[Engine, EmbeddedBackend]]:
    """The fixture corpus indexed on DAY, with alpha-groep's level-4 recognition valid until
    2027-03-01."""
    settings = Settings(data_dir=tmp_path / "data", database_url=empty_database, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    migrate(engine)
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    alpha = content / "interventions" / "alpha-groep.md"
    alpha.write_text(
        alpha.read_text(encoding="utf-8").replace(
            "valid_until: 2030-06-01", "valid_until: 2027-03-01"
        ),
        encoding="utf-8",
    )
    backend = EmbeddedBackend(settings.index_dir, load_search_config(SEARCH))
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC), tick=False):
        rebuild(engine, backend, content, SEARCH)
    yield engine, backend
    engine.dispose()


def _level_four(backend: EmbeddedBackend) -> list[str]:
    return sorted(h.slug for h in backend.search(SearchQuery(evidence_min=4)).hits)


@pytest.mark.parametrize(
    ("day", "found", "level", "facet_zero", "row_level"),
    [
        pytest.param(dt.date(2027, 3, 1), ["alpha-groep"], 4, 3, 4, id="last-valid-day"),
        pytest.param(dt.date(2027, 3, 2), [], 0, 4, 0, id="day-after-expiry"),
    ],
)
def test_an_expired_rating_stops_counting_without_kb_index(
    indexed: tuple[Engine, EmbeddedBackend],
    day: dt.date,
    found: list[str],
    level: int,
    facet_zero: int,
    row_level: int,
) -> None:
    engine, backend = indexed
    store = CatalogueStore(
        engine,
        recheck_seconds=0,
        on_new_catalogue=lambda catalogue: reindex_expired(engine, backend, catalogue),
    )
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), dt.UTC), tick=False):
        catalogue = store.current()
        alpha = catalogue.get("alpha-groep")
        assert alpha.evidence.level == level
        assert [e.expired_on for e in alpha.evidence.expired_ratings] == (
            [] if level else [dt.date(2027, 3, 1)]
        )
        assert _level_four(backend) == found
        result = backend.search(SearchQuery())
        assert result.facets["evidence_level"].get("0") == facet_zero
        payload = next(h.payload for h in result.hits if h.slug == "alpha-groep")
        assert payload["evidence"]["level"] == level
    with Session(engine) as session:
        stored = session.scalar(
            select(EntryRow.evidence_level).where(EntryRow.slug == "alpha-groep")
        )
    assert stored == row_level


def test_the_index_is_rebuilt_once_per_expiry(indexed: tuple[Engine, EmbeddedBackend]) -> None:
    engine, backend = indexed
    store = CatalogueStore(engine, recheck_seconds=0)
    later = dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(later, tick=False):
        catalogue = store.current()
        first, again = (reindex_expired(engine, backend, catalogue) for _ in range(2))
    assert (first, again) == (True, False)
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC), tick=False):
        # Nothing expired between the day of indexing and this one (its epoch is that day's).
        store_then = CatalogueStore(engine, recheck_seconds=0)
        assert store_then.current().evidence_epoch == ""


def test_a_database_without_content_leaves_the_index_alone(
    indexed: tuple[Engine, EmbeddedBackend], tmp_path: Path
) -> None:
    """An app on a new database beside an existing index (as the tests' `isolated` apps are)
    must not index its empty catalogue over that index."""
    _, backend = indexed
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"  # any second database will do
    settings = Settings(data_dir=tmp_path / "other", database_url=url, _env_file=None)  # type: ignore[call-arg]
    other = make_engine(settings)
    migrate(other)
    try:
        with time_machine.travel(dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC), tick=False):
            empty = CatalogueStore(other, recheck_seconds=0).current()
            assert reindex_expired(other, backend, empty) is False
        assert backend.search(SearchQuery()).total == 5
    finally:
        other.dispose()


# --- kb report content ----------------------------------------------------------------------


def _disputed_beta(text: str) -> str:
    """beta-bemiddeling with a second, lower current recognition of the same scheme."""
    return text.replace(
        "sources:\n",
        "  - scheme: nji\n    date: 2025-09-01\n    valid_until: 2030-09-01\n"
        "    label: Goed beschreven\n    level: 1\n"
        "    source_url: https://example.org/beta-bemiddeling\n"
        "sources:\n",
        1,
    )


@pytest.mark.parametrize(
    ("day", "beta", "current", "expired", "disputed", "reviewed"),
    [
        pytest.param(DAY, _unchanged, 3, 0, 0, 0, id="all-current"),
        pytest.param(dt.date(2030, 6, 2), _unchanged, 0, 3, 0, 0, id="all-expired"),
        pytest.param(DAY, _disputed_beta, 2, 0, 2, 0, id="two-disagree"),
        # Every fixture entry was last reviewed on 2026-01-01.
        pytest.param(dt.date(2026, 1, 1), _unchanged, 3, 0, 0, 5, id="reviewed-that-day"),
    ],
)
def test_content_report_totals(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    day: dt.date,
    beta: Callable[[str], str],
    current: int,
    expired: int,
    disputed: int,
    reviewed: int,
) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    path = content / "interventions" / "beta-bemiddeling.md"
    path.write_text(beta(path.read_text(encoding="utf-8")), encoding="utf-8")
    monkeypatch.setenv("KB_CONTENT_DIR", str(content))
    output = tmp_path / "rapport" / "content-report.md"
    with time_machine.travel(dt.datetime.combine(day, dt.time(9), dt.UTC), tick=False):
        assert main(["report", "content", "--output", str(output)]) == 0
    printed = capsys.readouterr().out
    assert f"verlopen {expired}, betwist {disputed}" in printed
    report = output.read_text(encoding="utf-8")
    totals = report.split("## Totalen", 1)[1].split("## Per item", 1)[0]
    assert "- Items: 5\n" in totals
    assert "- Items met minstens één bron: 5\n" in totals
    assert "- Geverifieerd (`verified: true`): 5\n" in totals
    ratings = current + expired + disputed
    assert (
        f"- Beoordelingen: {ratings} (geldig {current}, verlopen {expired}, "
        f"bronnen spreken elkaar tegen {disputed}, zonder datum 0, "
        "vervangen door een nieuwer oordeel 0)"
    ) in totals
    assert "- Lopende pilots (status `lopend`): 1\n" in totals
    assert f"- Gecontroleerd op {day.isoformat()} (`last_reviewed`): {reviewed}\n" in totals
    rows = [line for line in report.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == sorted(
        ["alpha-groep", "beta-bemiddeling", "delta-loket", "epsilon-schadelijk", "gamma-pilot"]
    )
