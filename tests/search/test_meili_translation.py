"""The Meilisearch translation (settings, documents, filters, requests, results), no server.

The class at the bottom runs the same contract against a live server when KB_MEILI_URL is set.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from kb.search.analysis import DutchAnalyzer
from kb.search.base import FACETS, IndexDocument, SearchQuery
from kb.search.config import Ranking, SearchConfig
from kb.search.meili import (
    FACET_FIELDS,
    MeiliBackend,
    filter_expression,
    index_settings,
    parse_results,
    query_string,
    quote_filter_value,
    sanitize_highlight,
    search_requests,
    to_meili_document,
)
from tests.factories import index_document

CONFIG = SearchConfig(
    ranking=Ranking(typo_min_length_one=4, typo_min_length_two=8),
    stopwords=frozenset({"de", "het", "een", "en", "van", "voor"}),
    synonyms=(
        ("vechtscheiding", "complexe scheiding", "conflictscheiding"),
        ("omgang", "contact", "zorgregeling"),
        ("contact", "bezoek"),
        ("bc", "bijzondere curator"),
    ),
)
ANALYZER = DutchAnalyzer(CONFIG)


def make_doc(**overrides: Any) -> IndexDocument:
    """Kinderen uit de Knel with every field of the document filled in, unless overridden."""
    fields: dict[str, Any] = {
        "title": "Kinderen uit de Knel",
        "aliases": ("KIDK",),
        "summary": "Groepsprogramma voor ouders en kinderen na scheidingen.",
        "body": "Ouders werken in een groep aan hun conflict.",
        "evidence_level": 2,
        "audience": ("kind", "ouderpaar"),
        "age_min": 4,
        "age_max": 18,
        "glasl_phases": (2, 3),
        "route": ("vrijwillig",),
        "format": ("groep",),
        "contraindications": ("acute_onveiligheid",),
        "municipalities": ("Amsterdam", "Zaanstad"),
        "arrondissements": ("amsterdam",),
        "default_rank": 1,
        "payload": {"slug": "kinderen-uit-de-knel", "title": "Kinderen uit de Knel"},
    } | overrides
    return index_document(fields.pop("slug", "kinderen-uit-de-knel"), **fields)


def stem(word: str) -> str:
    (only,) = ANALYZER.terms(word)
    return only


def scan_filter_string(expression: str) -> tuple[str, str]:
    """Split `field = "value" rest` the way Meilisearch's filter parser reads a quoted value.

    A backslash takes the next character along; the first quote not so taken ends the value.
    Returns the unescaped value and whatever follows the closing quote.
    """
    start = expression.index('"') + 1
    i = start
    while i < len(expression):
        char = expression[i]
        if char == "\\":
            i += 2
            continue
        if char == '"':
            raw = expression[start:i]
            return re.sub(r"\\(.)", r"\1", raw), expression[i + 1 :]
        i += 1
    raise AssertionError(f"unterminated string in {expression!r}")


# ------------------------------------------------------------------------------------ settings


def test_synonyms_are_symmetric_and_merge_groups() -> None:
    synonyms = index_settings(CONFIG)["synonyms"]
    for term, others in synonyms.items():
        assert term not in others
        for other in others:
            assert term in synonyms[other], f"{other} -> {term} missing"
    assert synonyms["vechtscheiding"] == ["complexe scheiding", "conflictscheiding"]
    assert synonyms["complexe scheiding"] == ["conflictscheiding", "vechtscheiding"]
    # "contact" is in two groups: it finds both, but the groups do not merge through it.
    assert synonyms["contact"] == ["bezoek", "omgang", "zorgregeling"]
    assert synonyms["bezoek"] == ["contact"]
    assert synonyms["bc"] == ["bijzondere curator"]


def test_stop_words_and_typo_thresholds_come_from_the_config() -> None:
    settings = index_settings(CONFIG)
    assert settings["stopWords"] == ["de", "een", "en", "het", "van", "voor"]
    assert settings["typoTolerance"] == {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8},
    }


def test_two_typos_never_below_one_typo() -> None:
    config = SearchConfig(ranking=Ranking(typo_min_length_one=7, typo_min_length_two=3))
    sizes = index_settings(config)["typoTolerance"]["minWordSizeForTypos"]
    assert sizes == {"oneTypo": 7, "twoTypos": 7}


def test_every_filter_and_facet_field_is_filterable() -> None:
    filterable = set(index_settings(CONFIG)["filterableAttributes"])
    everything = SearchQuery(
        kind="a",
        status="b",
        audience="c",
        age=7,
        glasl_phase=2,
        route="d",
        format="e",
        evidence_min=1,
        municipality="f",
        arrondissement="g",
        contraindication_free="h",
    )
    items = filter_expression(everything)
    clauses = [c for item in items for c in (item if isinstance(item, list) else [item])]
    used = {re.match(r"\w+", clause).group(0) for clause in clauses}  # type: ignore[union-attr]
    assert used <= filterable
    assert set(FACET_FIELDS.values()) <= filterable
    assert len(used) == 14


def test_settings_sorting_ranking_facets_and_pagination() -> None:
    settings = index_settings(CONFIG)
    assert settings["sortableAttributes"] == ["default_rank"]
    assert settings["rankingRules"] == [
        "words",
        "typo",
        "proximity",
        "attribute",
        "sort",
        "exactness",
    ]
    assert settings["faceting"]["maxValuesPerFacet"] == 100
    assert settings["pagination"]["maxTotalHits"] >= 1000
    assert "prefixSearch" not in settings
    json.dumps(settings)  # what update_settings sends


@pytest.mark.parametrize(
    ("boosts", "expected"),
    [
        pytest.param(
            None,
            ["title", "aliases", "terms_nl", "summary", "body"],
            id="default-weights",
        ),
        pytest.param(
            {"title": 4.0, "aliases": 2.0, "summary": 5.0, "body": 1.0},
            ["summary", "title", "aliases", "terms_nl", "body"],
            id="summary-weighs-most",
        ),
        pytest.param(
            {"title": 1.0, "aliases": 1.0, "summary": 1.0, "body": 1.0},
            ["title", "aliases", "terms_nl", "summary", "body"],
            id="equal-weights-keep-order",
        ),
    ],
)
def test_searchable_attributes_follow_field_weights(
    boosts: dict[str, float] | None, expected: list[str]
) -> None:
    ranking = Ranking() if boosts is None else Ranking(field_boosts=boosts)
    assert index_settings(SearchConfig(ranking=ranking))["searchableAttributes"] == expected


def test_prefix_search_can_be_switched_off() -> None:
    config = SearchConfig(ranking=Ranking(prefix_last_word=False))
    assert index_settings(config)["prefixSearch"] == "disabled"


# ------------------------------------------------------------------------------------ documents


def test_document_carries_dutch_stems() -> None:
    document = to_meili_document(make_doc(), ANALYZER)
    stems = document["terms_nl"].split()
    assert stem("scheidingen") == stem("scheiding")
    assert stem("scheiding") in stems
    assert stem("kinderen") in stems
    assert stem("kidk") in stems  # aliases count too
    assert "de" not in stems and "en" not in stems  # stop words stay out


def test_document_stems_cover_a_long_body() -> None:
    body = " ".join(["ouder"] * 200) + " vechtscheidingen"
    document = to_meili_document(make_doc(body=body), ANALYZER)
    assert document["terms_nl"].split()[-1] == stem("vechtscheiding")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param(
            {},
            {
                "id": "kinderen-uit-de-knel",
                "age_min": 4,
                "age_max": 18,
                "glasl_phase": [2, 3],
                "glasl_specific": 1,
                "national": 0,
                "municipality": ["amsterdam", "zaanstad"],
                "arrondissement": ["amsterdam"],
                "evidence_level": 2,
                "default_rank": 1,
                "audience": ["kind", "ouderpaar"],
                "contraindications": ["acute_onveiligheid"],
            },
            id="regional-phase-specific",
        ),
        pytest.param(
            {"age_min": None, "age_max": None, "glasl_phases": (), "national": True},
            {"age_min": 0, "age_max": 99, "glasl_phase": [], "glasl_specific": 0, "national": 1},
            id="no-ages-any-phase-national",
        ),
    ],
)
def test_document_filter_fields(overrides: dict[str, Any], expected: dict[str, Any]) -> None:
    document = to_meili_document(make_doc(**overrides), ANALYZER)
    assert {k: document[k] for k in expected} == expected
    assert document["payload"] == {"slug": "kinderen-uit-de-knel", "title": "Kinderen uit de Knel"}
    json.dumps(document)


@pytest.mark.parametrize(
    "slug",
    [
        pytest.param("met spatie", id="space"),
        pytest.param("één", id="accent"),
        pytest.param("", id="empty"),
        pytest.param("a/b", id="slash"),
    ],
)
def test_document_refuses_an_invalid_id(slug: str) -> None:
    with pytest.raises(ValueError, match="Meilisearch id"):
        to_meili_document(make_doc(slug=slug), ANALYZER)


# ------------------------------------------------------------------------------------ filters


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(SearchQuery(), [], id="none"),
        pytest.param(SearchQuery(kind="pilot"), ['kind = "pilot"'], id="kind"),
        pytest.param(SearchQuery(status="actief"), ['status = "actief"'], id="status"),
        pytest.param(SearchQuery(audience="kind"), ['audience = "kind"'], id="audience"),
        pytest.param(SearchQuery(route="gedwongen"), ['route = "gedwongen"'], id="route"),
        pytest.param(SearchQuery(format="groep"), ['format = "groep"'], id="format"),
        pytest.param(SearchQuery(evidence_min=2), ["evidence_level >= 2"], id="evidence"),
        pytest.param(SearchQuery(age=7), ["age_min <= 7", "age_max >= 7"], id="age"),
        pytest.param(
            SearchQuery(glasl_phase=2),
            [["glasl_phase = 2", "glasl_specific = 0"]],
            id="glasl-phase-or-any",
        ),
        pytest.param(
            SearchQuery(municipality="Zaanstad"),
            [['municipality = "zaanstad"', "national = 1"]],
            id="municipality-lowered-or-national",
        ),
        pytest.param(
            SearchQuery(arrondissement="amsterdam"),
            [['arrondissement = "amsterdam"', "national = 1"]],
            id="arrondissement-or-national",
        ),
        pytest.param(
            SearchQuery(contraindication_free="dwingende_controle"),
            ['contraindications != "dwingende_controle"'],
            id="contraindication-free",
        ),
    ],
)
def test_each_filter_alone(query: SearchQuery, expected: list[Any]) -> None:
    assert filter_expression(query) == expected


ALL_FILTERS = SearchQuery(
    kind="interventie",
    status="actief",
    audience="kind",
    age=10,
    glasl_phase=3,
    route="vrijwillig",
    format="groep",
    evidence_min=1,
    municipality="Amsterdam",
    arrondissement="amsterdam",
    contraindication_free="acute_onveiligheid",
)
ALL_EXPECTED: list[Any] = [
    'kind = "interventie"',
    'status = "actief"',
    'audience = "kind"',
    'route = "vrijwillig"',
    'format = "groep"',
    "evidence_level >= 1",
    "age_min <= 10",
    "age_max >= 10",
    ["glasl_phase = 3", "glasl_specific = 0"],
    ['municipality = "amsterdam"', "national = 1"],
    ['arrondissement = "amsterdam"', "national = 1"],
    'contraindications != "acute_onveiligheid"',
]


def test_filters_combine_with_and() -> None:
    assert filter_expression(ALL_FILTERS) == ALL_EXPECTED


@pytest.mark.parametrize(
    ("skip", "removed"),
    [
        pytest.param("kind", ['kind = "interventie"'], id="kind"),
        pytest.param("status", ['status = "actief"'], id="status"),
        pytest.param("audience", ['audience = "kind"'], id="audience"),
        pytest.param("route", ['route = "vrijwillig"'], id="route"),
        pytest.param("format", ['format = "groep"'], id="format"),
        pytest.param("evidence_level", ["evidence_level >= 1"], id="evidence_level"),
        pytest.param("glasl_phase", [["glasl_phase = 3", "glasl_specific = 0"]], id="glasl"),
        pytest.param(
            "arrondissement",
            [['arrondissement = "amsterdam"', "national = 1"]],
            id="arrondissement",
        ),
        pytest.param("municipality", [], id="municipality-is-no-facet"),
        pytest.param("age", [], id="age-is-no-facet"),
        pytest.param(None, [], id="nothing-skipped"),
    ],
)
def test_skip_leaves_out_only_that_facets_filter(skip: str | None, removed: list[Any]) -> None:
    expected = [item for item in ALL_EXPECTED if item not in removed]
    assert filter_expression(ALL_FILTERS, skip=skip) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('x" OR kind = "y', id="quote-injection"),
        pytest.param("x\\", id="trailing-backslash"),
        pytest.param('x\\" OR kind = "y', id="backslash-then-quote"),
        pytest.param('"', id="lone-quote"),
        pytest.param("a\nb) OR (c", id="newline-and-parentheses"),
        pytest.param("", id="empty"),
    ],
)
def test_hostile_values_stay_one_quoted_string(value: str) -> None:
    for query, field in [
        (SearchQuery(kind=value), "kind"),
        (SearchQuery(contraindication_free=value), "contraindications"),
    ]:
        (expression,) = filter_expression(query)
        assert isinstance(expression, str)
        assert expression.startswith(f"{field} ")
        parsed, rest = scan_filter_string(expression)
        assert parsed == value
        assert rest == ""
    (pair,) = filter_expression(SearchQuery(municipality=value))
    assert isinstance(pair, list)
    parsed, rest = scan_filter_string(pair[0])
    assert (parsed, rest) == (value.lower(), "")
    assert pair[1] == "national = 1"


def test_quote_filter_value_escapes_backslash_before_quote() -> None:
    assert quote_filter_value('a\\"b') == '"a\\\\\\"b"'


# ------------------------------------------------------------------------------------ requests


def test_two_active_facets_give_one_plus_two_requests() -> None:
    query = SearchQuery(q="scheiding", kind="interventie", glasl_phase=2, age=8)
    main, kind_counts, glasl_counts = search_requests(query, ANALYZER, index_uid="kb")

    assert main["indexUid"] == "kb"
    assert main["facets"] == [f for f in FACETS if f not in ("kind", "glasl_phase")]
    assert main["filter"] == [
        'kind = "interventie"',
        "age_min <= 8",
        "age_max >= 8",
        ["glasl_phase = 2", "glasl_specific = 0"],
    ]
    assert (main["page"], main["hitsPerPage"]) == (1, 20)

    assert kind_counts["facets"] == ["kind"]
    assert kind_counts["limit"] == 0
    assert kind_counts["filter"] == [
        "age_min <= 8",
        "age_max >= 8",
        ["glasl_phase = 2", "glasl_specific = 0"],
    ]
    assert glasl_counts["facets"] == ["glasl_phase"]
    assert glasl_counts["limit"] == 0
    assert glasl_counts["filter"] == ['kind = "interventie"', "age_min <= 8", "age_max >= 8"]
    for request in (main, kind_counts, glasl_counts):
        assert request["q"] == main["q"]
        assert request["indexUid"] == "kb"


def test_evidence_facet_counts_without_its_minimum() -> None:
    main, counts = search_requests(SearchQuery(evidence_min=3), ANALYZER)
    assert main["filter"] == ["evidence_level >= 3"]
    assert "evidence_level" not in main["facets"]
    assert counts == {"q": "", "limit": 0, "facets": ["evidence_level"]}


def test_text_query_highlights_and_ranks_by_relevance() -> None:
    (main,) = search_requests(SearchQuery(q="scheidingen", page=3, per_page=10), ANALYZER)
    assert main["q"] == f"{stem('scheidingen')} scheidingen"
    assert (main["page"], main["hitsPerPage"]) == (3, 10)
    assert "sort" not in main
    assert main["highlightPreTag"] == "<mark>"
    assert main["highlightPostTag"] == "</mark>"
    assert "summary" in main["attributesToHighlight"]
    assert set(main["attributesToCrop"]) == {"summary", "body"}
    assert main["facets"] == list(FACETS)
    assert "indexUid" not in main


def test_blank_query_sorts_by_default_rank() -> None:
    (main,) = search_requests(SearchQuery(q="   "), ANALYZER)
    assert main["q"] == ""
    assert main["sort"] == ["default_rank:asc"]
    assert "attributesToHighlight" not in main
    assert "filter" not in main


def test_no_facets_asked_gives_one_request_without_facets() -> None:
    requests = search_requests(SearchQuery(kind="pilot", facets=False), ANALYZER)
    assert len(requests) == 1
    assert "facets" not in requests[0]
    assert requests[0]["filter"] == ['kind = "pilot"']


@pytest.mark.parametrize(
    "q",
    [
        pytest.param('"kinderen uit de knel', id="unbalanced-quote"),
        pytest.param("(ouder AND kind) OR NOT -groep", id="operators"),
        pytest.param("scheid* title:knel", id="star-and-colon"),
        pytest.param("kind " * 400, id="2000-characters"),
        pytest.param("ouderschap" * 200, id="one-2000-letter-word"),
        pytest.param("<script>alert(1)</script> 'x' \\ ;", id="markup-and-backslash"),
    ],
)
def test_odd_text_gives_valid_requests(q: str) -> None:
    requests = search_requests(SearchQuery(q=q, kind="interventie"), ANALYZER, index_uid="kb")
    json.dumps(requests)
    for request in requests:
        assert re.fullmatch(r"[a-z0-9 ]*", request["q"])
        assert len(request["q"].split()) <= 10


@pytest.mark.parametrize(
    "q",
    [
        pytest.param("de het een", id="only-stop-words"),
        pytest.param("x" * 2000, id="one-overlong-word"),
        pytest.param("!!! ??? ---", id="only-punctuation"),
    ],
)
def test_text_without_terms_finds_nothing(q: str) -> None:
    query = SearchQuery(q=q, kind="pilot")
    assert search_requests(query, ANALYZER) == []
    result = parse_results(query, [])
    assert (result.total, result.hits) == (0, [])
    assert result.facets == {f: {} for f in FACETS}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        pytest.param("kind", "kind", id="stem-is-the-word"),
        pytest.param("Scheidingen", "scheid scheidingen", id="stem-first-folded"),
        pytest.param("kinderen omgangsr", "kinder kinderen omgangsr", id="typed-word-stays-last"),
        pytest.param("bijzondere curator", "bijzonder bijzondere curator", id="synonym-adjacent"),
        pytest.param("coördinatie", "coordineer coordinatie", id="accents-folded"),
        pytest.param('"ouder" -kind*', "ouder kind", id="operators-dropped"),
    ],
)
def test_query_string(q: str, expected: str) -> None:
    assert query_string(q, ANALYZER) == expected


def test_query_string_keeps_within_ten_words() -> None:
    q = "kinderen scheidingen ouders interventies gesprekken groepen rechters zaken"
    words = query_string(q, ANALYZER).split()
    assert len(words) <= 10
    assert words[-1] in q.split()


# ------------------------------------------------------------------------------------ results

RESPONSES: list[dict[str, Any]] = [
    {
        "hits": [
            {
                "id": "kinderen-uit-de-knel",
                "payload": {"slug": "kinderen-uit-de-knel", "title": "Kinderen uit de Knel"},
                "_formatted": {
                    "summary": "Na <mark>scheiding</mark> <script>alert(1)</script> & meer",
                    "body": "…",
                },
                "_rankingScore": 0.91,
            },
            {
                "id": "ouderschap-blijft",
                "payload": {"slug": "ouderschap-blijft"},
                "_formatted": {"summary": "Geen treffer", "body": "In de <mark>scheiding</mark>"},
                "_rankingScore": 0.5,
            },
            {
                "id": "zonder-treffer",
                "payload": {"slug": "zonder-treffer"},
                "_formatted": {"summary": "niets", "body": "niets"},
            },
        ],
        "totalHits": 37,
        "page": 1,
        "hitsPerPage": 20,
        "facetDistribution": {
            "status": {"actief": 30, "gestopt": 7},
            "evidence_level": {"0": 12, "2": 25},
            "audience": {"kind": 20},
            "kind": {"interventie": 37},  # not asked for here; the kind request's counts win
        },
    },
    {"hits": [], "estimatedTotalHits": 50, "facetDistribution": {"kind": {"interventie": 37}}},
    {"hits": [], "estimatedTotalHits": 44, "facetDistribution": {"glasl_phase": {"1": 3, "2": 40}}},
]
RESULT_QUERY = SearchQuery(q="scheiding", kind="interventie", glasl_phase=2)


def test_parse_results_totals_hits_and_scores() -> None:
    result = parse_results(RESULT_QUERY, RESPONSES)
    assert result.total == 37
    assert [h.slug for h in result.hits] == [
        "kinderen-uit-de-knel",
        "ouderschap-blijft",
        "zonder-treffer",
    ]
    assert [h.score for h in result.hits] == [0.91, 0.5, 0.0]
    assert result.hits[0].payload["title"] == "Kinderen uit de Knel"
    assert result.did_you_mean is None


def test_parse_results_merges_facets_disjunctively() -> None:
    facets = parse_results(RESULT_QUERY, RESPONSES).facets
    assert list(facets) == list(FACETS)
    assert facets["kind"] == {"interventie": 37}
    assert facets["glasl_phase"] == {"1": 3, "2": 40}
    assert facets["evidence_level"] == {"0": 12, "2": 25}
    assert facets["route"] == {}
    assert all(isinstance(k, str) for counts in facets.values() for k in counts)


def test_parse_results_sanitises_highlights() -> None:
    first, second, third = parse_results(RESULT_QUERY, RESPONSES).hits
    assert first.highlight == (
        "Na <mark>scheiding</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; meer"
    )
    assert second.highlight == "In de <mark>scheiding</mark>"  # body when summary has none
    assert third.highlight is None


def test_parse_results_estimated_total_and_no_facets() -> None:
    query = SearchQuery(facets=False)
    result = parse_results(query, [{"hits": [], "estimatedTotalHits": 4}])
    assert (result.total, result.facets) == (4, {})


def test_parse_results_blank_query_scores_zero() -> None:
    response = {"hits": [{"id": "a", "payload": {"slug": "a"}, "_rankingScore": 1.0}]}
    (hit,) = parse_results(SearchQuery(), [response]).hits
    assert (hit.slug, hit.score, hit.highlight) == ("a", 0.0, None)


def test_parse_results_normalises_number_keys() -> None:
    response = {"hits": [], "totalHits": 1, "facetDistribution": {"evidence_level": {"2.0": 1}}}
    assert parse_results(SearchQuery(), [response]).facets["evidence_level"] == {"2": 1}


@pytest.mark.parametrize(
    ("formatted", "expected"),
    [
        pytest.param("a <mark>b</mark> c", "a <mark>b</mark> c", id="plain"),
        pytest.param(
            '<img src=x onerror="x"><mark>b</mark>',
            "&lt;img src=x onerror=&quot;x&quot;&gt;<mark>b</mark>",
            id="attribute-injection",
        ),
        pytest.param("<mark>open", "<mark>open</mark>", id="unclosed"),
        pytest.param("stray</mark> <mark>x</mark>", "stray <mark>x</mark>", id="stray-close"),
        pytest.param("<mark><mark>x</mark></mark>", "<mark>x</mark>", id="nested"),
        pytest.param("<MARK>x</MARK>", "&lt;MARK&gt;x&lt;/MARK&gt;", id="other-case-escaped"),
        pytest.param("Tom & Jerry's", "Tom &amp; Jerry&#x27;s", id="entities"),
    ],
)
def test_sanitize_highlight(formatted: str, expected: str) -> None:
    assert sanitize_highlight(formatted) == expected


# ------------------------------------------------------------------------------------ live server

MEILI_URL = os.environ.get("KB_MEILI_URL")

LIVE_DOCS = [
    make_doc(
        slug="kinderen-uit-de-knel",
        title="Kinderen uit de Knel",
        summary="Groepsprogramma voor ouders na een vechtscheiding.",
        kind="interventie",
        evidence_level=2,
        glasl_phases=(2, 3),
        default_rank=2,
        payload={"slug": "kinderen-uit-de-knel"},
    ),
    make_doc(
        slug="ouderschap-blijft",
        title="Ouderschap Blijft",
        aliases=(),
        summary="Begeleiding van ouders bij scheidingen <script>x</script>.",
        body="Gesprekken met beide ouders.",
        kind="interventie",
        evidence_level=1,
        glasl_phases=(),
        municipalities=(),
        arrondissements=(),
        national=True,
        default_rank=1,
        payload={"slug": "ouderschap-blijft"},
    ),
    make_doc(
        slug="kindbehartiger",
        title="Kindbehartiger",
        aliases=(),
        summary="Een pilot met een steunfiguur voor het kind.",
        body="Het kind krijgt een eigen stem.",
        kind="pilot",
        evidence_level=0,
        glasl_phases=(3,),
        contraindications=(),
        arrondissements=("rotterdam",),
        municipalities=("Rotterdam",),
        default_rank=3,
        payload={"slug": "kindbehartiger"},
    ),
]


@pytest.mark.meili
@pytest.mark.skipif(not MEILI_URL, reason="KB_MEILI_URL is not set")
class TestLiveMeilisearch:
    @pytest.fixture(scope="class")
    def backend(self) -> Iterator[MeiliBackend]:
        """An index of its own on the live server, holding the three documents, removed after."""
        name = f"kb_test_{uuid.uuid4().hex[:12]}"
        backend = MeiliBackend(str(MEILI_URL), os.environ.get("KB_MEILI_KEY"), name, CONFIG)
        backend.index(LIVE_DOCS)
        yield backend
        backend.client.wait_for_task(backend.client.delete_index(name).task_uid)

    def test_health_counts_documents(self, backend: MeiliBackend) -> None:
        health = backend.health()
        assert health["ok"] is True
        assert health["engine"] == "meilisearch"
        assert health["documents"] == 3
        assert backend.exists()

    def test_blank_query_follows_default_rank(self, backend: MeiliBackend) -> None:
        result = backend.search(SearchQuery())
        assert result.total == 3
        assert [h.slug for h in result.hits] == [
            "ouderschap-blijft",
            "kinderen-uit-de-knel",
            "kindbehartiger",
        ]
        assert result.facets["kind"] == {"interventie": 2, "pilot": 1}

    def test_stems_find_other_word_forms(self, backend: MeiliBackend) -> None:
        result = backend.search(SearchQuery(q="scheiding"))
        slugs = {h.slug for h in result.hits}
        assert "ouderschap-blijft" in slugs  # "scheidingen" in its summary
        for hit in result.hits:
            if hit.highlight is not None:
                assert "<script>" not in hit.highlight

    def test_filters_and_disjunctive_facets(self, backend: MeiliBackend) -> None:
        result = backend.search(SearchQuery(kind="pilot", arrondissement="rotterdam"))
        assert [h.slug for h in result.hits] == ["kindbehartiger"]
        assert result.facets["kind"] == {"interventie": 1, "pilot": 1}  # national one counts
        assert result.facets["arrondissement"] == {"rotterdam": 1}
        phase = backend.search(SearchQuery(glasl_phase=2))
        assert {h.slug for h in phase.hits} == {"kinderen-uit-de-knel", "ouderschap-blijft"}
        free = backend.search(SearchQuery(contraindication_free="acute_onveiligheid"))
        assert {h.slug for h in free.hits} == {"kindbehartiger"}

    @pytest.mark.parametrize(
        "q",
        [
            pytest.param('"kind AND (ouder) *:', id="operators"),
            pytest.param("kind " * 400, id="long"),
            pytest.param('x" OR kind = "y', id="quotes"),
        ],
    )
    def test_odd_text_never_raises(self, backend: MeiliBackend, q: str) -> None:
        backend.search(SearchQuery(q=q, kind='x" OR kind = "y'))

    def test_rebuild_swaps_in_place(self, backend: MeiliBackend) -> None:
        backend.index(LIVE_DOCS[:2])
        assert backend.health()["documents"] == 2
        backend.index(LIVE_DOCS)
        assert backend.search(SearchQuery()).total == 3
