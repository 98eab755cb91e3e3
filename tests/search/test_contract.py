"""One contract for every search engine: filters and disjunctive facets on a hand-counted corpus."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.search.base import SearchBackend, SearchQuery
from kb.search.config import load_search_config
from kb.search.embedded import EmbeddedBackend
from tests.factories import documents_from
from tests.helpers import FIXTURE_CONTENT, FIXTURE_SLUGS, SEARCH


def _embedded(tmp_path: Path) -> SearchBackend:
    return EmbeddedBackend(tmp_path / "index", load_search_config(SEARCH))


def _meili(tmp_path: Path) -> SearchBackend:
    from kb.search.meili import MeiliBackend

    return MeiliBackend(
        os.environ["KB_MEILI_URL"],
        os.environ.get("KB_MEILI_KEY"),
        f"kb_contract_{uuid.uuid4().hex[:8]}",
        load_search_config(SEARCH),
    )


@pytest.fixture(
    params=[
        pytest.param(_embedded, id="embedded"),
        pytest.param(
            _meili,
            id="meilisearch",
            marks=[
                pytest.mark.meili,
                pytest.mark.skipif(
                    not os.environ.get("KB_MEILI_URL"), reason="KB_MEILI_URL is not set"
                ),
            ],
        ),
    ],
    scope="module",
)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchBackend]:
    """Each engine, loaded once per module with the five-entry fixture corpus."""
    engine: SearchBackend = request.param(tmp_path_factory.mktemp("engine"))
    engine.index(documents_from(FIXTURE_CONTENT))
    yield engine


def slugs(backend: SearchBackend, **filters: object) -> set[str]:
    result = backend.search(SearchQuery(per_page=100, **filters))  # type: ignore[arg-type]
    return {hit.slug for hit in result.hits}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param({}, FIXTURE_SLUGS, id="none"),
        pytest.param(
            {"kind": "interventie"},
            {"alpha-groep", "beta-bemiddeling", "epsilon-schadelijk"},
            id="kind",
        ),
        pytest.param({"status": "lopend"}, {"gamma-pilot"}, id="status"),
        pytest.param({"audience": "ouders"}, {"beta-bemiddeling", "delta-loket"}, id="audience"),
        pytest.param(
            {"age": 5},
            {"alpha-groep", "beta-bemiddeling", "gamma-pilot", "delta-loket"},
            id="age-includes-ageless",
        ),
        pytest.param(
            {"age": 13},
            {"beta-bemiddeling", "gamma-pilot", "delta-loket", "epsilon-schadelijk"},
            id="age-13",
        ),
        pytest.param(
            {"glasl_phase": 3},
            {"gamma-pilot", "delta-loket", "epsilon-schadelijk"},
            id="glasl-empty-is-any",
        ),
        pytest.param({"route": "uniform_hulpaanbod"}, {"beta-bemiddeling"}, id="route"),
        pytest.param({"format": "groep"}, {"alpha-groep", "epsilon-schadelijk"}, id="format"),
        pytest.param({"evidence_min": 2}, {"alpha-groep", "beta-bemiddeling"}, id="evidence-min"),
        pytest.param(
            {"municipality": "Amsterdam"},
            {"alpha-groep", "delta-loket"},
            id="municipality-or-national",
        ),
        pytest.param(
            {"municipality": "amsterdam"},
            {"alpha-groep", "delta-loket"},
            id="municipality-any-case",
        ),
        pytest.param(
            {"arrondissement": "Noord-Nederland"},
            {"gamma-pilot", "delta-loket"},
            id="arrondissement",
        ),
        pytest.param(
            {"contraindication_free": "dwingende_controle"},
            {"alpha-groep", "gamma-pilot", "delta-loket", "epsilon-schadelijk"},
            id="contraindication-free",
        ),
        pytest.param(
            {"kind": "interventie", "evidence_min": 2},
            {"alpha-groep", "beta-bemiddeling"},
            id="combined",
        ),
        pytest.param(
            {"municipality": "Nergenshuizen"}, {"delta-loket"}, id="unknown-place-national-only"
        ),
    ],
)
def test_filters(backend: SearchBackend, filters: dict[str, object], expected: set[str]) -> None:
    assert slugs(backend, **filters) == expected


def test_facets_without_filters(backend: SearchBackend) -> None:
    facets = backend.search(SearchQuery()).facets
    assert facets["kind"] == {"interventie": 3, "pilot": 1, "voorziening": 1}
    assert facets["evidence_level"] == {"4": 1, "2": 1, "0": 3}
    assert facets["status"] == {"actief": 3, "lopend": 1, "gestopt": 1}
    assert facets["glasl_phase"] == {"1": 2, "2": 3, "3": 2}


def test_facets_are_disjunctive(backend: SearchBackend) -> None:
    """A facet's counts ignore its own filter, but respect every other filter."""
    facets = backend.search(SearchQuery(kind="interventie", evidence_min=2)).facets
    assert facets["kind"] == {"interventie": 2}
    assert facets["evidence_level"] == {"4": 1, "2": 1, "0": 1}
    assert facets["status"] == {"actief": 2}


def test_total_and_pages(backend: SearchBackend) -> None:
    first = backend.search(SearchQuery(per_page=2, page=1))
    third = backend.search(SearchQuery(per_page=2, page=3))
    assert first.total == third.total == 5
    assert len(first.hits) == 2 and len(third.hits) == 1
    # Without a query: strongest evidence first, then by title.
    assert [h.slug for h in first.hits] == ["alpha-groep", "beta-bemiddeling"]


def test_text_search_ranks_title_first(backend: SearchBackend) -> None:
    result = backend.search(SearchQuery(q="scheidingsloket"))
    assert result.hits[0].slug == "delta-loket"


def test_highlight_marks_the_match_and_escapes(backend: SearchBackend) -> None:
    result = backend.search(SearchQuery(q="omgangsregeling"))
    assert result.hits[0].slug == "beta-bemiddeling"
    assert "<mark>" in (result.hits[0].highlight or "")


def test_harmful_entries_are_found(backend: SearchBackend) -> None:
    """The Taskforce asked to show what is harmful: flagged entries are never filtered out."""
    result = backend.search(SearchQuery(q="confrontatietraining"))
    assert [h.slug for h in result.hits] == ["epsilon-schadelijk"]
    assert result.hits[0].payload["evidence"]["flags"] == ["schadelijk"]


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "(",
        ")",
        "AND",
        "OR NOT",
        "*",
        ":",
        "title:x",
        "a" * 2000,
        "kind:interventie AND (",
        "\\",
        "ü" * 300,
        "🙂",
    ],
)
def test_odd_text_never_raises(backend: SearchBackend, q: str) -> None:
    result = backend.search(SearchQuery(q=q))
    assert result.total >= 0


def test_health(backend: SearchBackend) -> None:
    health = backend.health()
    assert health["ok"] is True
    assert health["documents"] == 5


def test_similar_ranks_a_paraphrase_first(backend: SearchBackend) -> None:
    text = "Eén rechter volgt het gezin in de procedure"
    hits = backend.similar(text, 3)
    assert hits[0].slug == "gamma-pilot"
    assert hits[0].score > 0 and hits[0].payload["title"] == "Gamma Gezinspilot"


def test_similar_needs_no_word_in_every_entry(backend: SearchBackend) -> None:
    # Any shared word counts (unlike a search, where every word must match): a proposal is a
    # whole text, most of whose words no single entry holds.
    hits = backend.similar("bemiddeling omgangsregeling raket ruimtevaart zonnestelsel", 5)
    assert hits and hits[0].slug == "beta-bemiddeling"
    assert backend.similar("de het een", 5) == []
