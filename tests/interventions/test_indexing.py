"""`kb index`: all or nothing — a broken file or a failing engine leaves the previous data serving."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from kb.db import make_engine, migrate
from kb.errors import ContentError
from kb.interventions.indexing import index_is_current, rebuild
from kb.interventions.models import EntryRow
from kb.search.base import IndexDocument, SearchQuery
from kb.search.config import load_search_config
from kb.search.embedded import EmbeddedBackend
from kb.settings import Settings
from tests.helpers import FIXTURE_CONTENT, SEARCH


class FailingBackend(EmbeddedBackend):
    """The embedded engine, but indexing fails part-way: a stand-in for a full disk."""

    def index(self, documents: Sequence[IndexDocument]) -> None:
        raise OSError("schijf vol")


@pytest.fixture()
def setup(tmp_path: Path, empty_database: str) -> Iterator[tuple[Engine, EmbeddedBackend, Path]]:
    """A migrated database, an engine and a writable copy of the fixture corpus."""
    settings = Settings(data_dir=tmp_path / "data", database_url=empty_database, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings)
    migrate(engine)
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    backend = EmbeddedBackend(settings.index_dir, load_search_config(SEARCH))
    yield engine, backend, content
    engine.dispose()


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(EntryRow)) or 0


def test_rebuild_loads_rows_and_index(setup: tuple[Engine, EmbeddedBackend, Path]) -> None:
    engine, backend, content = setup
    report = rebuild(engine, backend, content, SEARCH)
    assert report.entries == _count(engine) == 5
    assert backend.search(SearchQuery()).total == 5
    with Session(engine) as session:
        fronts = session.scalars(select(EntryRow.front_matter)).all()
    assert sum(len(front["ratings"]) for front in fronts) == 3  # kept inside each entry
    assert index_is_current(engine, content, SEARCH)


def test_broken_file_changes_nothing(setup: tuple[Engine, EmbeddedBackend, Path]) -> None:
    engine, backend, content = setup
    rebuild(engine, backend, content, SEARCH)
    (content / "interventions" / "zeta-nieuw.md").write_text("---\ntitle: Half\n---\n\nTekst\n")
    (content / "interventions" / "alpha-groep.md").unlink()
    with pytest.raises(ContentError):
        rebuild(engine, backend, content, SEARCH)
    assert _count(engine) == 5
    assert {h.slug for h in backend.search(SearchQuery(per_page=10)).hits} >= {"alpha-groep"}
    assert not index_is_current(engine, content, SEARCH)


def test_failing_engine_rolls_back_rows(setup: tuple[Engine, EmbeddedBackend, Path]) -> None:
    engine, backend, content = setup
    rebuild(engine, backend, content, SEARCH)
    (content / "interventions" / "alpha-groep.md").unlink()
    failing = FailingBackend(backend.index_dir, backend.config)
    with pytest.raises(OSError):
        rebuild(engine, failing, content, SEARCH)
    assert _count(engine) == 5
    assert backend.search(SearchQuery()).total == 5


def test_new_generation_replaces_old(setup: tuple[Engine, EmbeddedBackend, Path]) -> None:
    engine, backend, content = setup
    rebuild(engine, backend, content, SEARCH)
    (content / "interventions" / "alpha-groep.md").unlink()
    rebuild(engine, backend, content, SEARCH)
    reader = EmbeddedBackend(backend.index_dir, backend.config)  # a second server process
    assert reader.search(SearchQuery()).total == 4
    assert len(list(backend.index_dir.glob("gen-*"))) == 1
