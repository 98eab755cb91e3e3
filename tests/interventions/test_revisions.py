"""Revisions: every change indexing makes becomes one, with its fields' old and new values; the
first indexing is a baseline the change feed leaves out; a rating that expires is one too."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from kb.db import make_engine, migrate
from kb.interventions.catalogue import CatalogueStore
from kb.interventions.diffs import FieldChange, StoredEntry, display_value, field_changes
from kb.interventions.indexing import rebuild, reindex_expired
from kb.interventions.models import EntryRevision, EntryRow
from kb.interventions.revisions import ChangesParams, Revision, changes, history
from kb.interventions.schemas import Entry
from kb.search.config import load_search_config
from kb.search.embedded import EmbeddedBackend
from kb.settings import Settings
from tests.helpers import FIXTURE_CONTENT, SEARCH

DAY = dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC)


@pytest.fixture()
def kb(tmp_path: Path, empty_database: str) -> Iterator[tuple[Engine, EmbeddedBackend, Path]]:
    """A migrated database of its own, an engine and a writable copy of the fixture corpus."""
    settings = Settings(data_dir=tmp_path / "data", database_url=empty_database, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    migrate(engine)
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    backend = EmbeddedBackend(settings.index_dir, load_search_config(SEARCH))
    yield engine, backend, content
    engine.dispose()


def _edit(content: Path, slug: str, old: str, new: str) -> None:
    path = content / "interventions" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {slug}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _index(kb: tuple[Engine, EmbeddedBackend, Path], when: dt.datetime = DAY, **kw: str) -> None:
    engine, backend, content = kb
    with time_machine.travel(when, tick=False):
        rebuild(engine, backend, content, SEARCH, **kw)


def _history(engine: Engine, slug: str) -> list[Revision]:
    with Session(engine) as session:
        return history(session, slug)


def _feed(engine: Engine, **params: object) -> list[tuple[str, str]]:
    with Session(engine) as session:
        page = changes(session, ChangesParams.parse(params))
    return [(item.kind, item.slug) for item in page.items]


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(EntryRevision)) or 0


def test_the_first_indexing_is_a_baseline_the_feed_leaves_out(
    kb: tuple[Engine, EmbeddedBackend, Path],
) -> None:
    engine = kb[0]
    _index(kb)
    assert _count(engine) == 5
    [first] = _history(engine, "alpha-groep")
    assert (first.revision, first.kind, first.changes) == (1, "nieuw", [])
    assert first.at == DAY
    assert "Alpha Kindergroep" in first.summary
    assert _feed(engine) == []  # seventy "new" entries that were always there are no news
    _index(kb, DAY + dt.timedelta(minutes=5))  # nothing changed: nothing recorded
    assert _count(engine) == 5


def test_rows_without_a_content_hash_are_compared_field_by_field(
    kb: tuple[Engine, EmbeddedBackend, Path],
) -> None:
    """Rows indexed before hashes were kept are read whole: equal ones make no revision."""
    engine, _, content = kb
    _index(kb)
    with Session(engine) as session, session.begin():
        session.execute(update(EntryRow).values(content_hash=None))
    _edit(content, "beta-bemiddeling", "status: actief", "status: gestopt")
    _index(kb, DAY + dt.timedelta(minutes=5))
    assert _feed(engine) == [("gewijzigd", "beta-bemiddeling")]


def test_a_changed_entry_records_each_field_old_and_new(
    kb: tuple[Engine, EmbeddedBackend, Path],
) -> None:
    engine, _, content = kb
    _index(kb)
    _edit(content, "alpha-groep", "status: actief", "status: gestopt")
    _edit(content, "alpha-groep", "    level: 4\n", "    level: 3\n")
    _edit(content, "alpha-groep", "age_max: 12", "age_max: 14")
    _edit(content, "alpha-groep", "in een groep.", "in een kleine groep.")
    _index(kb, DAY + dt.timedelta(hours=1), note="Voorstel 7 goedgekeurd")
    latest, first = _history(engine, "alpha-groep")
    assert (latest.revision, latest.kind, first.revision) == (2, "gewijzigd", 1)
    assert latest.note == "Voorstel 7 goedgekeurd"
    found = {c.field: (c.old, c.new) for c in latest.changes}
    assert found == {
        "status": ("actief", "gestopt"),
        "age_max": (12, 14),
        "ratings[0].level": (4, 3),
        "body": (
            found["body"][0],
            found["body"][0].replace("in een groep.", "in een kleine groep."),
        ),
        "evidence.level": (4, 3),
    }
    assert latest.summary.startswith("Status actief → gestopt; bewijsniveau 4")
    assert _feed(engine) == [("gewijzigd", "alpha-groep")]  # the others did not change
    with Session(engine) as session:
        [item] = changes(session, ChangesParams()).items
    assert item.topics == ["beoordeling", "status"]


def test_new_and_removed_entries(kb: tuple[Engine, EmbeddedBackend, Path]) -> None:
    engine, _, content = kb
    _index(kb)
    beta = (content / "interventions" / "beta-bemiddeling.md").read_text(encoding="utf-8")
    (content / "interventions" / "zeta-vadergroep.md").write_text(
        beta.replace("Beta Ouderschapsbemiddeling", "Zeta Vadergroep"), encoding="utf-8"
    )
    (content / "interventions" / "gamma-pilot.md").unlink()
    _index(kb, DAY + dt.timedelta(days=1))
    assert sorted(_feed(engine)) == [("nieuw", "zeta-vadergroep"), ("verwijderd", "gamma-pilot")]
    assert _feed(engine, kind="verwijderd") == [("verwijderd", "gamma-pilot")]
    # The history of a removed entry stays readable.
    assert [r.kind for r in _history(engine, "gamma-pilot")] == ["verwijderd", "nieuw"]
    assert _feed(engine, since="2026-12-02") == []
    assert len(_feed(engine, since="2026-12-01")) == 2


def test_a_rating_that_expired_between_two_indexings_is_recorded(
    kb: tuple[Engine, EmbeddedBackend, Path],
) -> None:
    engine, _, content = kb
    _edit(content, "alpha-groep", "valid_until: 2030-06-01", "valid_until: 2027-03-01")
    _index(kb)
    _index(kb, dt.datetime(2027, 3, 1, 20, tzinfo=dt.UTC))  # its last valid day (Dutch time)
    assert _feed(engine) == []
    _index(kb, dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC))
    assert _feed(engine) == [("verlopen", "alpha-groep")]
    latest = _history(engine, "alpha-groep")[0]
    assert [(c.field, c.old, c.new) for c in latest.changes] == [
        ("ratings[0].state", "geldig", "verlopen"),
        ("evidence.level", 4, 0),
    ]
    assert "geldig tot 01-03-2027" in latest.summary
    _index(kb, dt.datetime(2027, 3, 5, 9, tzinfo=dt.UTC))  # expired once, recorded once
    assert _feed(engine) == [("verlopen", "alpha-groep")]


def test_the_days_first_catalogue_records_an_expiry_once(
    kb: tuple[Engine, EmbeddedBackend, Path],
) -> None:
    """A running app re-indexes on the first day a rating has expired, and of several workers
    exactly one claims it: the expiry is in the feed once, without `kb index`."""
    engine, backend, content = kb
    _edit(content, "alpha-groep", "valid_until: 2030-06-01", "valid_until: 2027-03-01")
    _index(kb)
    with time_machine.travel(dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        workers = [CatalogueStore(engine, recheck_seconds=0) for _ in range(2)]
        catalogues = [store.current() for store in workers]
        claimed = [reindex_expired(engine, backend, c) for c in catalogues]
    assert sorted(claimed) == [False, True]
    assert _feed(engine) == [("verlopen", "alpha-groep")]
    assert _history(engine, "alpha-groep")[0].at == dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)


def _entry(**changes: object) -> Entry:
    front: dict[str, object] = {
        "title": "Proef",
        "kind": "interventie",
        "status": "actief",
        "summary": "Een proef.",
        "sources": [{"title": "Bron een", "url": "https://example.org/een"}],
        "last_reviewed": "2026-01-01",
        "next_review": "2027-01-01",
    }
    return Entry.model_validate(front | changes | {"slug": "proef", "body_html": ""})


def _stored(entry: Entry) -> StoredEntry:
    return StoredEntry(entry.title, entry.front_matter(), entry.body_markdown)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param({}, {"title": "Proef twee"}, [("title", "Proef", "Proef twee")], id="scalar"),
        pytest.param(
            {"audience": ["kind"]},
            {"audience": ["kind", "ouders"]},
            [("audience", ["kind"], ["kind", "ouders"])],
            id="list-of-codes-whole",
        ),
        pytest.param(
            {},
            {
                "sources": [
                    {"title": "Bron nul", "url": "https://example.org/nul"},
                    {"title": "Bron een", "url": "https://example.org/een"},
                ]
            },
            [
                (
                    "sources[0]",
                    None,
                    {
                        "title": "Bron nul",
                        "url": "https://example.org/nul",
                        "accessed": None,
                        "note": None,
                    },
                )
            ],
            id="item-inserted-before-a-kept-one",
        ),
        pytest.param(
            {},
            {"sources": [{"title": "Bron één", "url": "https://example.org/een"}]},
            [("sources[0].title", "Bron een", "Bron één")],
            id="item-field",
        ),
        pytest.param(
            {"sources": [{"title": "Bron een", "url": "https://example.org/een"}]},
            {"sources": [{"title": "Bron een", "url": "https://example.org/andere"}]},
            [("sources[0].url", "https://example.org/een", "https://example.org/andere")],
            id="key-changed-in-place",
        ),
    ],
)
def test_field_changes(
    before: dict[str, object], after: dict[str, object], expected: list[tuple[str, object, object]]
) -> None:
    found = field_changes(_stored(_entry(**before)), _entry(**after), dt.date(2026, 11, 30))
    assert [(c.field, c.old, c.new) for c in found] == expected


def test_values_are_shown_short() -> None:
    assert display_value("body", "x" * 5000) == "tekst van 5000 tekens"
    assert display_value("audience", ["kind", "ouders"]) == "kind, ouders"
    assert display_value("ratings[0]", None) == "—"
    assert len(display_value("summary", "woord " * 100)) == 160
    assert FieldChange(field="a").model_dump() == {"field": "a", "old": None, "new": None}
