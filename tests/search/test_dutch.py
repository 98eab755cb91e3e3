"""Dutch search: compounds, stems, accents, synonyms, typos and prefixes, on a corpus made here."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.search.analysis import Decompounder, DutchAnalyzer, edit_distance, marker
from kb.search.base import IndexDocument, SearchQuery
from kb.search.config import load_search_config
from kb.search.embedded import EmbeddedBackend
from tests.factories import index_document
from tests.helpers import SEARCH

TEXTS = {
    "omgangsregeling": (
        "Hulp bij de omgangsregeling",
        "Afspraken over de omgangsregeling na scheiding.",
    ),
    "schildpadden": ("Stoere Schildpadden", "Groep voor kleuters van gescheiden ouders."),
    "scheiding": ("Informatie over scheiding", "Wat een scheiding betekent voor kinderen."),
    "coordinatie": ("Coördinatie van zorg", "Eén regisseur voor het hele gezin."),
    "curator": ("Bijzondere curator", "Vertegenwoordiger van het kind bij de rechter."),
    "creator": ("Creator studio", "Een creatieve werkplaats voor jongeren."),
    "knel": ("Kinderen uit de Knel", "Groepen voor ouders en kinderen in een vechtscheiding."),
    "omgangshuis": ("Omgangshuis", "Begeleide omgang op een veilige plek."),
}


def _doc(slug: str, rank: int) -> IndexDocument:
    title, summary = TEXTS[slug]
    return index_document(slug, title=title, summary=summary, body=summary, default_rank=rank)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    """The embedded engine over eight one-line documents, one per case."""
    backend = EmbeddedBackend(tmp_path_factory.mktemp("dutch"), load_search_config(SEARCH))
    backend.index([_doc(slug, i) for i, slug in enumerate(TEXTS)])
    return backend


def found(engine: EmbeddedBackend, q: str) -> list[str]:
    return [hit.slug for hit in engine.search(SearchQuery(q=q, facets=False)).hits]


@pytest.mark.parametrize(
    ("q", "expected_first"),
    [
        pytest.param("regeling", "omgangsregeling", id="compound-part"),
        pytest.param("schildpad", "schildpadden", id="compound-plural"),
        pytest.param("scheidingen", "scheiding", id="stem-plural-to-singular"),
        pytest.param("coordinatie", "coordinatie", id="accent-folded-query"),
        pytest.param("coördinatie", "coordinatie", id="accent-in-query"),
        pytest.param("bc", "curator", id="synonym-abbreviation"),
        pytest.param("kinderen uit de kneel", "knel", id="typo"),
        pytest.param("omgangsh", "omgangshuis", id="prefix-last-word"),
        pytest.param("curatr", "curator", id="typo-one-edit"),
    ],
)
def test_finds(engine: EmbeddedBackend, q: str, expected_first: str) -> None:
    assert found(engine, q)[:1] == [expected_first]


def test_stem_both_ways(engine: EmbeddedBackend) -> None:
    assert "scheiding" in found(engine, "scheiding")
    assert "scheiding" in found(engine, "scheidingen")


def test_typo_beyond_the_budget_does_not_match(engine: EmbeddedBackend) -> None:
    """`curator` is two edits from `creator`: a 7-letter word forgives one typo, not two."""
    assert edit_distance("curator", "creator") == 2
    assert "creator" not in found(engine, "curator")


def test_short_words_forgive_no_typos(engine: EmbeddedBackend) -> None:
    """Under five letters nothing is forgiven: `kbel` must not find `knel`."""
    assert found(engine, "kbel") == []


def test_did_you_mean(engine: EmbeddedBackend) -> None:
    result = engine.search(SearchQuery(q="kinderen uit de kneeel"))
    assert result.did_you_mean == "kinderen uit de knel"
    assert engine.search(SearchQuery(q="omgangsregeling")).did_you_mean is None


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        pytest.param("omgangsregeling", ["omgang", "regeling"], id="linking-s"),
        pytest.param("vechtscheiding", ["vecht", "scheiding"], id="curated-head"),
        pytest.param("ouderschapsplan", ["ouderschap", "plan"], id="longest-head"),
        pytest.param("regeling", [], id="not-a-compound"),
        pytest.param("verlies", [], id="too-short"),
    ],
)
def test_decompounder(word: str, parts: list[str]) -> None:
    splitter = Decompounder(
        ["omgang", "regeling", "scheiding", "ouder", "ouderschap"], ["vecht", "plan"]
    )
    assert splitter.split(word) == parts


def test_synonyms_expand_both_ways() -> None:
    analyzer = DutchAnalyzer(load_search_config(SEARCH))
    forward = analyzer.plan("bc").groups[0].alternatives
    backward = analyzer.plan("bijzondere curator").groups[0].alternatives
    assert ("bijzonder", "curator") in forward
    assert ("bc",) in backward


def test_search_settings_hold_the_issue_synonyms() -> None:
    groups = {frozenset(g) for g in load_search_config(SEARCH).synonyms}
    for pair in [
        ("bc", "bijzondere curator"),
        ("uha", "uniform hulpaanbod"),
        ("ots", "ondertoezichtstelling"),
    ]:
        assert any(set(pair) <= g for g in groups), pair


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Omgang & <contact>", "<mark>Omgang</mark> &amp; &lt;contact&gt;"),
        (
            "Na de SCHEIDING: omgangsregeling",
            "Na de <mark>SCHEIDING</mark>: <mark>omgangsregeling</mark>",
        ),
        ("İstanbul omgang", "İstanbul <mark>omgang</mark>"),  # lower() makes İ longer
        ("Niets om te markeren", None),
        ("scheidingsmiddel", None),  # a form inside a longer word is not that word
    ],
)
def test_marker_marks_whole_words_and_the_typed_prefix(text: str, expected: str | None) -> None:
    marks = marker(["omgang", "scheiding"], prefix="omgangsr")
    assert marks is not None
    assert marks.mark(text) == expected


@given(
    text=st.text(alphabet="omgaksrheidnOMGÉé &<>_-'1 ", max_size=60),
    forms=st.lists(st.sampled_from(["omgang", "scheiding", "kind", "é", "ka"]), max_size=3),
    prefix=st.one_of(st.none(), st.sampled_from(["om", "sch", "ki", "é"])),
)
def test_marking_by_substring_equals_marking_by_pattern(
    text: str, forms: list[str], prefix: str | None
) -> None:
    marks = marker(forms, prefix)
    if marks is not None:
        assert marks.mark(text) == marks._mark_with_pattern(text)
