"""The Meilisearch translation of "more like this" (`similar_requests`, `merge_similar`), no server."""

from __future__ import annotations

from kb.search.analysis import DutchAnalyzer
from kb.search.config import SearchConfig
from kb.search.meili import MAX_QUERY_WORDS, merge_similar, similar_requests

ANALYZER = DutchAnalyzer(SearchConfig(stopwords=frozenset({"de", "het", "een", "en"})))


def test_distinct_stems_in_chunks_of_ten() -> None:
    words = " ".join(f"woord{chr(97 + i % 26)}{i}" for i in range(25))
    planned = similar_requests(f"De kinderen en het kind {words} kinderen", ANALYZER, 5, "kb")
    stems = [s for request in planned for s in request["q"].split()]
    assert stems == list(dict.fromkeys(ANALYZER.terms(f"kinderen kind {words}")))
    assert all(len(r["q"].split()) <= MAX_QUERY_WORDS for r in planned)
    assert planned[0] | {"q": ""} == {
        "indexUid": "kb",
        "q": "",
        "matchingStrategy": "frequency",
        "limit": 10,
        "attributesToRetrieve": ["id", "payload"],
        "showRankingScore": True,
    }


def test_nothing_to_ask_for_stop_words_only() -> None:
    assert similar_requests("de het een", ANALYZER, 5) == []


def test_scores_add_up_over_chunks() -> None:
    answers = [
        {
            "hits": [
                {"id": "a", "payload": {"slug": "a"}, "_rankingScore": 0.5},
                {"id": "b", "payload": {"slug": "b"}, "_rankingScore": 0.75},
            ]
        },
        {"hits": [{"id": "a", "payload": {"slug": "a"}, "_rankingScore": 0.5}, {"id": "c"}]},
    ]
    merged = merge_similar(answers, 5)
    assert [(h.slug, h.score) for h in merged] == [("a", 1.0), ("b", 0.75)]
    assert merge_similar(answers, 1)[0].slug == "a"
