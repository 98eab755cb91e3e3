"""The embedded engine's caches answer only for the index generation they were filled in."""

from __future__ import annotations

from pathlib import Path

from kb.search.base import SearchQuery
from kb.search.config import load_search_config
from kb.search.embedded import EmbeddedBackend
from tests.factories import index_document
from tests.helpers import SEARCH


def _engine(path: Path, result_cache: int = 64) -> EmbeddedBackend:
    return EmbeddedBackend(path, load_search_config(SEARCH), result_cache=result_cache)


def test_a_repeated_search_is_answered_from_the_cache(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    engine.index([index_document("ouderschap"), index_document("omgangshuis")])
    query = SearchQuery(q="ouderschap")
    first = engine.search(query)
    assert engine.search(query) is first
    assert engine.search(SearchQuery(q="ouderschap", page=2)) is not first


def test_without_a_cache_every_search_runs(tmp_path: Path) -> None:
    engine = _engine(tmp_path, result_cache=0)
    engine.index([index_document("ouderschap")])
    query = SearchQuery(q="ouderschap")
    assert engine.search(query) is not engine.search(query)
    assert engine.search(query).total == 1


def test_a_new_generation_is_never_answered_from_the_old_one(tmp_path: Path) -> None:
    """The writer and a second process (a reader that notices the switch) alike."""
    writer, reader = _engine(tmp_path), _engine(tmp_path)
    writer.index([index_document("ouderschap")])
    query = SearchQuery(q="scheidingsloket")
    assert writer.search(query).total == reader.search(query).total == 0
    writer.index([index_document("ouderschap"), index_document("scheidingsloket")])
    assert writer.search(query).total == 1
    # At once: the reader looks at `CURRENT` on every search, not once a second.
    assert reader.search(query).total == 1
