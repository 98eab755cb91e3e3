"""The embedded engine's cheaper ways of counting must count exactly what the plain ways count.

Facet counts use an unranked copy of the text query (`all` only, no phrases) and, for
multi-valued facets, one bit mask per document. Both are checked against the direct way on the
real content, with every judged query of the relevance set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import tantivy
import yaml

from kb.search.base import IndexDocument, SearchQuery
from kb.search.config import load_search_config
from kb.search.embedded import FORMAT_FILE, MAX_MASK_VALUES, EmbeddedBackend, _facet_bits
from tests.factories import documents_from, index_document
from tests.helpers import CONTENT, REPO, SEARCH

JUDGED = [q["q"] for q in yaml.safe_load((REPO / "bench" / "queries.yaml").read_text())["queries"]]
ODD = ["kinderen uit de kneel", "omgangsh", "bc", "coordinatie", "xyzzy omgang", "de het een"]
FILTERS = [
    {},
    {"kind": "interventie"},
    {"audience": "kind", "glasl_phase": 3},
    {"route": "rechtspraak"},
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBackend]:
    """The embedded engine over the real content without a facet cache, so every count is fresh."""
    backend = EmbeddedBackend(
        tmp_path_factory.mktemp("counting"), load_search_config(SEARCH), facet_cache=0
    )
    backend.index(documents_from(CONTENT))
    yield backend


def _count(searcher: tantivy.Searcher, query: tantivy.Query | None) -> int:
    assert query is not None
    return int(searcher.search(query, 1, count=True).count or 0)


@pytest.mark.parametrize("q", JUDGED + ODD)
def test_unranked_query_finds_the_same_documents(engine: EmbeddedBackend, q: str) -> None:
    searcher = engine._searcher()
    assert searcher is not None
    plan = engine.analyzer.plan(q)
    if not plan.groups:
        pytest.skip("only stop words")
    for require_all in (True, False):
        ranked = engine.text_query(plan, searcher, require_all=require_all)
        unranked = engine.text_query(plan, searcher, require_all=require_all, ranked=False)
        assert _count(searcher, unranked) == _count(searcher, ranked), (q, require_all)


@pytest.mark.parametrize("filters", FILTERS, ids=str)
@pytest.mark.parametrize("q", ["", "omgang", "kinderen uit de kneel", "ouderschapsplan", "groep"])
def test_mask_counts_equal_plain_counts(
    engine: EmbeddedBackend, q: str, filters: dict[str, object]
) -> None:
    query = SearchQuery(q=q, **filters)  # type: ignore[arg-type]
    result = engine.search(query)
    masked = result.facets
    bits, engine._facet_bits = engine._facet_bits, {}
    try:
        plain = engine.search(query).facets
    finally:
        engine._facet_bits = bits
    assert bits, "the real content's multi-valued facets are all masked"
    assert masked == plain
    if result.total:
        assert any(masked[f] for f in ("audience", "route", "format", "glasl_phase"))


def _doc(slug: str, arrondissements: tuple[str, ...]) -> IndexDocument:
    return index_document(
        slug, audience=("ouders",), glasl_phases=(1,), arrondissements=arrondissements
    )


def test_a_facet_with_many_values_is_counted_without_a_mask(tmp_path: Path) -> None:
    many = tuple(f"arr{i:02d}" for i in range(MAX_MASK_VALUES + 1))
    documents = [_doc("a", many[:3]), _doc("b", many[3:])]
    assert "arrondissement" not in _facet_bits(documents)
    backend = EmbeddedBackend(tmp_path, load_search_config(SEARCH))
    backend.index(documents)
    counts = backend.search(SearchQuery()).facets
    assert counts["arrondissement"] == dict.fromkeys(many, 1)
    assert counts["audience"] == {"ouders": 2}
    assert counts["glasl_phase"] == {"1": 2}


def test_an_index_of_an_older_format_is_not_taken_as_existing(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path, load_search_config(SEARCH))
    backend.index([_doc("a", ())])
    assert backend.exists()
    generation = (tmp_path / "CURRENT").read_text().strip()
    (tmp_path / generation / FORMAT_FILE).write_text(json.dumps({"format": 1}))
    assert not backend.exists()  # so `prepare` rebuilds it at start
    (tmp_path / generation / FORMAT_FILE).unlink()
    assert not backend.exists()
    # Until then it still serves, counting without masks.
    fresh = EmbeddedBackend(tmp_path, load_search_config(SEARCH))
    result = fresh.search(SearchQuery())
    assert result.total == 1
    assert result.facets["audience"] == {"ouders": 1}


def _matches(engine: EmbeddedBackend, query: tantivy.Query) -> int:
    searcher = engine._searcher()
    assert searcher is not None
    return _count(searcher, query)


@pytest.mark.parametrize("age", range(0, 26))
def test_the_age_term_finds_what_the_age_range_finds(engine: EmbeddedBackend, age: int) -> None:
    ranges = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, engine._range("age_min", None, age)),
            (tantivy.Occur.Must, engine._range("age_max", age, None)),
        ]
    )
    term = engine._combine(None, engine.filter_queries(SearchQuery(age=age)))
    assert _matches(engine, term) == _matches(engine, ranges)


@pytest.mark.parametrize("phase", [1, 2, 3])
def test_the_glasl_term_finds_what_phase_or_unspecific_finds(
    engine: EmbeddedBackend, phase: int
) -> None:
    either = engine._any([engine._term("glasl_phase", phase), engine._term("glasl_specific", 0)])
    term = engine._combine(None, engine.filter_queries(SearchQuery(glasl_phase=phase)))
    assert _matches(engine, term) == _matches(engine, either) > 0


@pytest.mark.parametrize("level", range(0, 6))
def test_the_evidence_term_finds_what_the_level_range_finds(
    engine: EmbeddedBackend, level: int
) -> None:
    term = engine._combine(None, engine.filter_queries(SearchQuery(evidence_min=level)))
    assert _matches(engine, term) == _matches(engine, engine._range("evidence_level", level, None))
