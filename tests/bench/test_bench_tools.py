"""Fast checks of the relevance harness and benchmark tools (no timing assertions)."""

from __future__ import annotations

import math
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from bench.corpus import (
    entries_to_documents,
    generate_documents,
    generate_entries,
    write_content,
    write_sqlite,
)
from bench.relevance import (
    TYPES,
    WHO,
    BaselineBM25,
    baseline_terms,
    load_queries,
    mean_metrics,
    ndcg_at,
    query_metrics,
    reciprocal_rank,
    success_at,
)
from bench.run import (
    RotQuery,
    as_you_type_prefixes,
    build_rotation,
    datasette_path,
    kb_path,
    percentiles,
)

from kb.interventions.documents import build_documents
from kb.interventions.loader import load_entries
from kb.search.base import IndexDocument

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
REAL_SLUGS = {p.stem for p in (CONTENT / "interventions").glob("*.md")}


# --------------------------------------------------------------------------- metrics


def test_metrics_on_a_hand_computed_ranking() -> None:
    ranking = ["a", "x", "c", "y", "z", "w"]
    relevant = ["c", "a"]  # grades: c = 2, a = 1
    assert success_at(ranking, relevant, 5) == 1.0
    assert reciprocal_rank(ranking, relevant) == 1.0  # "a" is first, and relevant
    dcg = 1 / math.log2(2) + 2 / math.log2(4)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at(ranking, relevant) == pytest.approx(dcg / idcg)
    assert ndcg_at(ranking, relevant) == pytest.approx(0.76019, abs=1e-5)


def test_first_relevant_below_the_top_five() -> None:
    ranking = ["v", "w", "x", "y", "z", "a"]
    assert success_at(ranking, ["a"], 5) == 0.0
    assert reciprocal_rank(ranking, ["a"]) == pytest.approx(1 / 6)
    assert ndcg_at(ranking, ["a"]) == pytest.approx(1 / math.log2(7))


def test_ideal_ranking_scores_one_and_nothing_found_scores_zero() -> None:
    relevant = ["a", "b", "c"]
    assert query_metrics(["a", "b", "c", "d"], relevant) == {
        "success@5": 1.0,
        "MRR": 1.0,
        "nDCG@10": pytest.approx(1.0),
    }
    assert query_metrics([], relevant) == {"success@5": 0.0, "MRR": 0.0, "nDCG@10": 0.0}
    # Swapping the two best costs a little, not everything.
    assert 0.8 < ndcg_at(["b", "a", "c"], relevant) < 1.0


def test_only_the_top_ten_count() -> None:
    ranking = [f"x{i}" for i in range(10)] + ["a"]
    assert reciprocal_rank(ranking, ["a"]) == 0.0
    assert ndcg_at(ranking, ["a"]) == 0.0


def test_mean_metrics() -> None:
    rows = [query_metrics(["a"], ["a"]), query_metrics(["b"], ["a"])]
    assert mean_metrics(rows) == {"success@5": 0.5, "MRR": 0.5, "nDCG@10": 0.5}


# --------------------------------------------------------------------------- judged queries


def test_queries_file_is_judged_against_real_content() -> None:
    queries = load_queries()
    assert len(queries) >= 40
    assert len({q.q for q in queries}) == len(queries), "duplicate query text"
    for query in queries:
        missing = [slug for slug in query.relevant if slug not in REAL_SLUGS]
        assert not missing, f"{query.q!r}: {missing} not in content/interventions"
        assert query.who in WHO
        assert query.type in TYPES
    assert {q.type for q in queries} == set(TYPES)
    assert {q.who for q in queries} == set(WHO)


def test_queries_file_holds_the_issue_examples() -> None:
    by_text = {q.q.lower(): q for q in load_queries()}
    expected_first = {
        "ouderverstoting": "specialist-contactverlies",
        "kinderen uit de kneel": "kinderen-uit-de-knel",
        "schildpad": "stoere-schildpadden",
        "bc": "bijzondere-curator",
        "ots": "aanpak-complexe-scheidingen",
    }
    for text, slug in expected_first.items():
        assert by_text[text].relevant[0] == slug
    for text in ("regeling", "uha", "scheidingen", "omgangsh"):
        assert text in by_text
    assert "ouderschapsplan" in by_text["regeling"].relevant
    assert by_text["omgangsh"].type == "prefix"
    assert any(q.type == "question" for q in by_text.values())


# --------------------------------------------------------------------------- the baseline


def test_baseline_terms_strip_query_syntax() -> None:
    terms = baseline_terms('"ouder" AND (kind:OR) -x^2 ~* [a TO b] title:knel!')
    assert terms == ["ouder", "and", "kind", "or", "x", "2", "a", "to", "b", "title", "knel"]
    assert all(t.isalnum() for t in terms)
    assert baseline_terms("Coördinatie") == ["coördinatie"]  # lower-cased, not folded
    assert baseline_terms("") == []
    assert len(baseline_terms(" ".join(f"w{i}" for i in range(100)))) == 32


@pytest.fixture(scope="module")
def real_documents() -> list[IndexDocument]:
    return build_documents(load_entries(CONTENT))


@pytest.fixture(scope="module")
def baseline(real_documents: list[IndexDocument]) -> BaselineBM25:
    engine = BaselineBM25({"title": 4.0, "aliases": 4.0, "summary": 1.5, "body": 1.0})
    engine.index(real_documents)
    return engine


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "(",
        ")",
        "title:",
        "*",
        "knel~2",
        "a^",
        "AND",
        "NOT OR",
        "[1 TO",
        "\x00",
        "é" * 3000,
        "",
    ],
)
def test_baseline_never_raises_on_odd_text(baseline: BaselineBM25, text: str) -> None:
    assert isinstance(baseline.search(text), list)


def test_baseline_is_plain_bm25(baseline: BaselineBM25) -> None:
    assert baseline.search("kinderen uit de knel")[0] == "kinderen-uit-de-knel"
    assert baseline.search("omgangsh") == []  # no prefixes
    assert baseline.search("coordinator") == []  # no accent folding ("coördinator")


# --------------------------------------------------------------------------- corpus generator


def test_generator_is_deterministic_and_sized() -> None:
    first = generate_entries(150, seed=7)
    again = generate_entries(150, seed=7)
    other = generate_entries(150, seed=8)
    assert len(first) == 150
    assert first == again
    assert [e.slug for e in first] != [e.slug for e in other]
    assert {e.slug for e in first[: len(REAL_SLUGS)]} == REAL_SLUGS
    assert all(e.real for e in first[: len(REAL_SLUGS)])
    assert not any(e.real for e in first[len(REAL_SLUGS) :])
    assert len(generate_entries(10, seed=7)) == 10


def test_generated_documents_are_valid_index_documents() -> None:
    documents = generate_documents(300, seed=3)
    assert len(documents) == 300
    assert len({d.slug for d in documents}) == 300
    assert sorted(d.default_rank for d in documents) == list(range(300))
    for doc in documents:
        assert isinstance(doc, IndexDocument)
        assert doc.title and doc.summary and doc.body.lstrip().startswith("## ")
        assert len(doc.summary) <= 600
        assert doc.payload["slug"] == doc.slug
        if doc.age_min is not None and doc.age_max is not None:
            assert doc.age_min <= doc.age_max
    generated = documents[len(REAL_SLUGS) :]
    assert len({d.kind for d in generated}) >= 4  # the real spread of kinds, not one value
    assert len({d.title for d in generated}) > 0.9 * len(generated)


def test_generated_content_files_load_like_real_ones(tmp_path: Path) -> None:
    entries = generate_entries(80, seed=5)
    assert write_content(entries, tmp_path) == 80
    loaded = load_entries(tmp_path)
    assert {e.slug for e in loaded} == {e.slug for e in entries}
    by_slug = {d.slug: d for d in entries_to_documents(entries)}
    for entry in loaded:
        assert entry.front.title == by_slug[entry.slug].title


def test_sqlite_fts5_database(tmp_path: Path) -> None:
    documents = generate_documents(60, seed=2)
    path = tmp_path / "corpus.db"
    write_sqlite(documents, path)
    conn = sqlite3.connect(path)
    try:
        (count,) = conn.execute("SELECT count(*) FROM interventions").fetchone()
        assert count == 60
        hits = {
            slug
            for (slug,) in conn.execute(
                "SELECT slug FROM interventions WHERE rowid IN "
                "(SELECT rowid FROM interventions_fts WHERE interventions_fts MATCH ?)",
                ("coordinator",),  # remove_diacritics 2 finds "coördinator"
            )
        }
        assert "eigen-kracht-conferentie" in hits
        ages = conn.execute("SELECT min(age_min), max(age_max) FROM interventions").fetchone()
        assert ages == (0, 99)  # entries without ages are open-ended, as in the engine
    finally:
        conn.close()


# --------------------------------------------------------------------------- benchmark helpers


def test_rotation_has_enough_varied_queries() -> None:
    judged = [(q.q, q.type) for q in load_queries()]
    titles = [d.title for d in generate_documents(100, seed=1)]
    rotation = build_rotation(judged, titles, seed=1)
    assert rotation == build_rotation(judged, titles, seed=1)
    assert len(rotation) >= 500
    keys = {(r.q, tuple(sorted(r.filters.items()))) for r in rotation}
    assert len(keys) == len(rotation)  # distinct: a rotation larger than the caches
    categories = {r.category for r in rotation}
    assert categories == {"judged", "word", "pair", "prefix", "browse"}
    assert sum(1 for r in rotation if r.filters) >= 50
    assert all(1 <= len(r.q) <= 4 for r in rotation if r.category == "prefix")
    filter_names = {name for r in rotation for name in r.filters}
    assert filter_names == {"kind", "age", "evidence_min", "glasl_phase"}


def test_request_paths() -> None:
    item = RotQuery("bijzondere cur", "judged", {"kind": "pilot", "age": 7}, prefix=True)
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(kb_path(item)).query)
    assert params == {"q": ["bijzondere cur"], "kind": ["pilot"], "age": ["7"], "per_page": ["20"]}
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(datasette_path(item)).query)
    assert params["_search"] == ['"bijzondere" "cur"*']
    assert params["_searchmode"] == ["raw"]
    assert params["age_min__lte"] == ["7"] and params["age_max__gte"] == ["7"]
    assert "kind" in params["_facet"] and "glasl_phases" in params["_facet_array"]
    plain = urllib.parse.parse_qs(
        urllib.parse.urlsplit(datasette_path(RotQuery('a "b"', "word"))).query
    )
    assert plain["_search"] == ['a "b"'] and "_searchmode" not in plain  # Datasette escapes it


def test_as_you_type_prefixes() -> None:
    titles = ["Kinderen uit de Knel", "Bijzondere curator"]
    prefixes = as_you_type_prefixes(titles, seed=1, size=1000)
    words = ("kinderen", "uit", "knel", "bijzondere", "curator")
    assert len(prefixes) == len(set(prefixes))  # distinct
    assert {"k", "kn", "kinderen", "bijzonde", "cur"} <= set(prefixes)
    assert all(1 <= len(p) <= 8 for p in prefixes)
    assert all(any(w.startswith(p) for w in words) for p in prefixes)
    assert len(as_you_type_prefixes(titles, seed=1, size=10)) == 10


def test_percentiles() -> None:
    stats = percentiles([float(i) for i in range(1, 101)])
    assert (stats["p50"], stats["p95"], stats["p99"], stats["max"]) == (50.0, 95.0, 99.0, 100.0)
    assert percentiles([]) == {"n": 0}
