"""Query understanding shared by both engines: the synonym list as data, stems, phrases, topics,
relaxing a query word by word, and how well the answer matches (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kb.errors import ContentError
from kb.search.analysis import (
    MATCH_ALL,
    MATCH_ANY,
    MATCH_MOST,
    DutchAnalyzer,
    covered_level,
    match_level,
)
from kb.search.base import SearchQuery
from kb.search.config import UNSAFE_TOPIC, load_search_config
from kb.search.embedded import EmbeddedBackend
from kb.search.meili import STEM_FIELD, index_settings, parse_results, search_requests
from kb.vocabulary import JOINT_FORMAT_CONTRAINDICATIONS
from tests.factories import index_document
from tests.helpers import SEARCH

CONFIG = load_search_config(SEARCH)
ANALYZER = DutchAnalyzer(CONFIG)


def test_the_synonym_list_is_researched() -> None:
    """At least 60 groups, each with a source address or a reason (issue 13)."""
    groups = CONFIG.groups()
    assert len(groups) >= 60
    assert all(g.why.strip() for g in groups)
    terms = {t for g in groups for t in g.terms}
    for pair in [
        ("gezag", "voogdij"),
        ("omgang", "contact"),
        ("hoofdverblijf", "hoofdverblijfplaats"),
        ("ouderverstoting", "contactverlies"),
        ("huiselijk geweld", "partnergeweld"),
        ("klem", "knel"),
    ]:
        assert any(set(pair) <= set(g.terms) for g in groups), pair
        assert set(pair) <= terms


@pytest.mark.parametrize(
    ("group", "message"),
    [
        pytest.param("- [a, b]", "terms", id="bare-list"),
        pytest.param("- terms: [a, b]", "source", id="no-reason"),
        pytest.param("- terms: [a, b]\n    source: boek", "webadres", id="source-not-an-address"),
        pytest.param("- terms: [a]\n    reason: x", "terms", id="one-term"),
        pytest.param(
            "- terms: [a, b]\n    reason: x\n    topic: weer", "topic", id="unknown-topic"
        ),
    ],
)
def test_a_group_without_its_reason_is_refused(tmp_path: Path, group: str, message: str) -> None:
    (tmp_path / "synonyms.yaml").write_text("groups:\n  " + group + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_search_config(tmp_path)
    assert message in str(caught.value)


def test_joint_formats_are_the_same_codes_for_ranking_and_pages() -> None:
    data = yaml.safe_load((SEARCH / "ranking.yaml").read_text(encoding="utf-8"))
    assert tuple(data["demote_when_unsafe"]) == JOINT_FORMAT_CONTRAINDICATIONS


@pytest.mark.parametrize(
    ("q", "word", "finds"),
    [
        pytest.param("kind wil vader niet zien", "niet zien", "contactverlies", id="phrase"),
        pytest.param("mijn ex bedreigt mij", "bedreigt", "huiselijk geweld", id="stem-form"),
        pytest.param("vechtscheidingen", "vechtscheidingen", "complexe scheiding", id="plural"),
        pytest.param("klem", "klem", "knel", id="klem-knel"),
    ],
)
def test_synonyms_meet_the_query_as_stems_and_phrases(q: str, word: str, finds: str) -> None:
    groups = {g.word: g for g in ANALYZER.plan(q).groups}
    assert tuple(ANALYZER.terms(finds)) in groups[word].alternatives


@pytest.mark.parametrize(
    ("q", "unsafe"),
    [
        ("huiselijk geweld scheiding", True),
        ("mijn ex slaat mij", True),
        ("ik ben bang voor mijn ex", True),
        ("dwingende controle", True),
        ("omgangsregeling", False),
        ("kinderen uit de knel", False),
    ],
)
def test_questions_about_violence_carry_the_topic(q: str, unsafe: bool) -> None:
    assert (UNSAFE_TOPIC in ANALYZER.topics(q)) is unsafe


def test_match_level() -> None:
    plan = ANALYZER.plan("fietsenstalling zeilboot hulp niet zien")
    assert [g.word for g in plan.groups] == ["fietsenstalling", "zeilboot", "hulp", "niet zien"]
    assert match_level(plan, [0, 1, 2, 3]) == MATCH_ALL
    assert match_level(plan, [0, 1]) == MATCH_MOST  # half
    assert match_level(plan, [2]) == MATCH_ANY  # one plain word of four
    assert match_level(plan, [3]) == MATCH_MOST  # the recognised phrase
    assert match_level(plan, []) == MATCH_ANY


def test_covered_level_reads_a_documents_stems() -> None:
    """Meilisearch's `match`: from the stems of the best hit (its `terms_nl`)."""
    plan = ANALYZER.plan("hulp zeilboot")
    assert covered_level(plan, {"hulp", "zeilbot", "zeilboot"}) == MATCH_ALL
    assert covered_level(plan, {"hulp"}) == MATCH_MOST


TEXTS = {
    "contact": ("Hulp bij contactverlies", "Als een kind een ouder niet meer wil zien."),
    "kindgroep": ("Kind en ouder", "Een groep voor kind en ouder over de scheiding."),
    "kindloket": ("Kind in scheiding", "Een loket voor het kind en de ouder."),
    "mediation": ("Mediation", "Ouders maken samen afspraken; niet bij huiselijk geweld."),
    "meldpunt": ("Meldpunt", "Advies bij huiselijk geweld, dag en nacht."),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    """The embedded engine over five small entries; mediation carries the joint contra-indications."""
    backend = EmbeddedBackend(tmp_path_factory.mktemp("understanding"), CONFIG)
    documents = [
        index_document(
            slug,
            title=title,
            summary=summary,
            body=summary,
            default_rank=i,
            contraindications=JOINT_FORMAT_CONTRAINDICATIONS if slug == "mediation" else (),
        )
        for i, (slug, (title, summary)) in enumerate(TEXTS.items())
    ]
    backend.index(documents)
    return backend


def test_a_plain_question_is_understood_without_any_word(engine: EmbeddedBackend) -> None:
    """Not every word is in the content: the question is relaxed word by word, the
    recognised phrase kept, so its answer comes first and is not the weak fallback."""
    result = engine.search(SearchQuery(q="kind wil vader niet zien", facets=False))
    assert result.hits[0].slug == "contact"
    assert result.match in (MATCH_ALL, MATCH_MOST)


def test_only_a_common_word_is_a_weak_answer(engine: EmbeddedBackend) -> None:
    result = engine.search(SearchQuery(q="fietsenstalling zeilboot kind", facets=False))
    assert result.total and result.match == MATCH_ANY


def test_violence_puts_joint_formats_lower(engine: EmbeddedBackend) -> None:
    result = engine.search(SearchQuery(q="huiselijk geweld", facets=False))
    slugs = [h.slug for h in result.hits]
    assert result.topics == (UNSAFE_TOPIC,)
    assert slugs.index("meldpunt") < slugs.index("mediation")


def test_did_you_mean_only_for_words_the_search_did_not_know(engine: EmbeddedBackend) -> None:
    """A word found through its stem gets no "Bedoelde u"; an unknown one with few results does."""
    assert engine.search(SearchQuery(q="meldpunten", facets=False)).did_you_mean is None
    assert engine.search(SearchQuery(q="meldpnt", facets=False)).did_you_mean == "meldpunt"


# ----------------------------------------------------------------------- Meilisearch translation


def test_meilisearch_results_carry_match_and_topics() -> None:
    """Meilisearch drops words unsaid: the best hit's stems (`terms_nl`) tell how well it
    matches, and the shared plan gives the topics, as in the embedded engine."""
    query = SearchQuery(q="huiselijk geweld zeilboot", facets=False)
    plan = ANALYZER.plan(query.q)
    stems = " ".join(ANALYZER.index_terms("Advies bij huiselijk geweld"))
    response = {"hits": [{"id": "meldpunt", "payload": {"slug": "meldpunt"}, "terms_nl": stems}]}
    result = parse_results(query, [response], plan)
    assert result.topics == (UNSAFE_TOPIC,)
    assert result.match == MATCH_MOST  # the phrase about violence, not the boat
    assert parse_results(query, [{"hits": []}], plan).match == "none"
    blank = SearchQuery(q="", facets=False)
    assert parse_results(blank, [response], None).match is None


def test_meilisearch_requests_ask_for_the_stems() -> None:
    (main,) = search_requests(SearchQuery(q="omgang", facets=False), ANALYZER)
    assert STEM_FIELD in main["attributesToRetrieve"]


def test_meilisearch_synonyms_hold_the_phrases() -> None:
    synonyms = index_settings(CONFIG)["synonyms"]
    assert "contactverlies" in synonyms["niet zien"]
    assert "knel" in synonyms["klem"]
