"""The embedded search engine: tantivy in-process, with the Dutch analyzer and disjunctive facets."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
import tantivy

from kb.recent import Recent
from kb.search.analysis import (
    MATCH_ALL,
    MATCH_ANY,
    MATCH_NONE,
    MAX_QUERY_WORDS,
    DutchAnalyzer,
    Marker,
    QueryGroup,
    QueryPlan,
    edit_distance,
    marker,
    match_level,
    unique_words,
    words_of,
)
from kb.search.base import FACETS, IndexDocument, SearchHit, SearchQuery, SearchResult
from kb.search.config import UNSAFE_TOPIC, SearchConfig

__all__ = ["EmbeddedBackend"]

# `all` holds everything (title, aliases, summary, body and compound parts): the body is searched
# through it, and so are the expensive matches (typos, prefixes) — one automaton, not five.
ALL_FIELD = "all"
# `parts` holds the compound parts of the text: `regeling` finds `omgangsregeling` through it.
SEARCH_FIELDS = ("title", "aliases", "summary", "parts", ALL_FIELD)
PARTS_BOOST = 1.2
TYPO_WEIGHT = 0.4  # a forgiven typo ranks below the word itself
PREFIX_WEIGHT = 0.5
MIN_PREFIX_LENGTH = 3  # one or two letters would expand to most of the dictionary
PHRASE_SLOP = 2
COMMON_WEIGHT = 0.3  # a word most entries hold (see `_is_common`)
MIN_DOCUMENTS_FOR_COMMON = 10  # in a handful of entries every word is "common"
SYNONYM_PHRASE_SLOP = 3  # "afspraken over de kinderen": two stop words between, and one more
VOCABULARY = "vocabulary.json"
PAYLOADS = "payloads.json"
SURFACES = "surfaces.json"
KEYWORD_FIELDS = (
    "kind",
    "status",
    "audience",
    "route",
    "format",
    "contraindications",
    "flags",
    "municipality",
    "arrondissement",
)
INT_FIELDS = ("evidence_level", "age_min", "age_max", "glasl_phase", "glasl_specific", "national")
NO_AGE_MIN, NO_AGE_MAX = 0, 99
# Range filters walk many terms on every search; so each document also lists, as single terms,
# the ages, Glasl phases and evidence levels its filters accept: one term lookup instead
# (10,000 entries: the age filter alone 0.27 → 0.10 ms, and it runs again for every facet count).
COVERED_AGES = range(0, 26)  # the ages a search accepts (SearchParams)
GLASL_PHASES = (1, 2, 3)
EVIDENCE_LEVELS = range(0, 6)
CURRENT = "CURRENT"
ANALYZER = "nl"
FACET_SIZE = 100
# 2: multi-valued facets also stored as one bit mask per document; 3: the `*_covered` filters
INDEX_FORMAT = 3
FORMAT_FILE = "format.json"
# Multi-valued facets, and the IndexDocument attribute each is read from. tantivy counts a
# multi-valued column several times slower than a single-valued one, so each document also
# carries its values as one bit mask: counting the few distinct masks and adding up their bits
# gives the same counts (measured: 10,000 documents, all five facets, 1.17 ms → 0.20 ms).
MASKED_FACETS = {
    "audience": "audience",
    "route": "route",
    "format": "format",
    "glasl_phase": "glasl_phases",
    "arrondissement": "arrondissements",
}
MAX_MASK_VALUES = 15  # at most 2**15 distinct masks: within tantivy's bucket limit (65,000)
MASK_BUCKETS = 65_000
# A relaxed query (not every word required) ranks the documents with every word first: their
# constant bonus is far above any BM25 score of this content.
ALL_WORDS_BONUS = 1000.0
# In a long question every word is found somewhere in a long text by chance: from this many
# groups on, the relaxed results rank on their own merit.
MAX_BONUS_GROUPS = 3
# The groups a relaxed query requires, by position; None: every group.
Required = tuple[int, ...] | None


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("slug", tokenizer_name="raw", fast=True)
    for name in SEARCH_FIELDS:
        builder.add_text_field(name, tokenizer_name=ANALYZER)
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    for name in INT_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    for name in MASKED_FACETS:
        builder.add_integer_field(_mask_field(name), indexed=False, fast=True)
    for name in ("age_covered", "glasl_covered", "evidence_covered"):
        builder.add_integer_field(name, indexed=True)
    builder.add_integer_field("default_rank", indexed=False, fast=True)
    # Hits are read through this column, not the document store: a list lookup per hit.
    builder.add_integer_field("ordinal", indexed=False, fast=True)
    return builder.build()


class _Listing(msgspec.Struct):
    """What a hit needs of its payload without decoding all of it."""

    slug: str
    summary: str = ""


def _mask_field(facet: str) -> str:
    return f"{facet}_mask"


def _facet_bits(documents: Sequence[IndexDocument]) -> dict[str, list[str]]:
    """Per multi-valued facet, its values in bit order; facets with too many values get none."""
    bits = {}
    for facet, attribute in MASKED_FACETS.items():
        values = sorted({str(v) for doc in documents for v in getattr(doc, attribute)})
        if len(values) <= MAX_MASK_VALUES:
            bits[facet] = values
    return bits


def _masks(doc: IndexDocument, bits: dict[str, list[str]]) -> dict[str, int]:
    masks = {}
    for facet, values in bits.items():
        present = {str(v) for v in getattr(doc, MASKED_FACETS[facet])}
        masks[_mask_field(facet)] = sum(
            1 << i for i, value in enumerate(values) if value in present
        )
    return masks


def _expand_masks(buckets: Iterable[dict[str, Any]], values: tuple[str, ...]) -> dict[str, int]:
    """Counts per value from counts per mask: a document with mask 0b101 has values 0 and 2."""
    counts: Counter[str] = Counter()
    for bucket in buckets:
        n = int(bucket["doc_count"])
        for value in _mask_values(int(bucket["key"]), values):
            counts[value] += n
    # Most documents first, as tantivy orders its own buckets.
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@lru_cache(maxsize=4096)
def _mask_values(mask: int, values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(value for i, value in enumerate(values) if mask >> i & 1)


def _covered(doc: IndexDocument) -> dict[str, list[int]]:
    """The filter values a document matches, each a term (see COVERED_AGES)."""
    low = NO_AGE_MIN if doc.age_min is None else doc.age_min
    high = NO_AGE_MAX if doc.age_max is None else doc.age_max
    return {
        "age_covered": [age for age in COVERED_AGES if low <= age <= high],
        # An entry for no particular phase suits every phase.
        "glasl_covered": list(doc.glasl_phases or GLASL_PHASES),
        "evidence_covered": [level for level in EVIDENCE_LEVELS if level <= doc.evidence_level],
    }


def _to_tantivy(
    doc: IndexDocument, ordinal: int, parts: str, bits: dict[str, list[str]]
) -> tantivy.Document:
    return tantivy.Document(
        **_masks(doc, bits),
        **_covered(doc),
        parts=parts,
        all="\n".join((_document_text(doc), parts)),
        slug=doc.slug,
        title=doc.title,
        aliases=list(doc.aliases),
        summary=doc.summary,
        kind=doc.kind,
        status=doc.status,
        audience=list(doc.audience),
        route=list(doc.route),
        format=list(doc.format),
        contraindications=list(doc.contraindications),
        flags=list(doc.flags),
        municipality=[m.lower() for m in doc.municipalities],
        arrondissement=list(doc.arrondissements),
        evidence_level=doc.evidence_level,
        age_min=NO_AGE_MIN if doc.age_min is None else doc.age_min,
        age_max=NO_AGE_MAX if doc.age_max is None else doc.age_max,
        glasl_phase=list(doc.glasl_phases),
        glasl_specific=1 if doc.glasl_phases else 0,
        national=1 if doc.national else 0,
        default_rank=doc.default_rank,
        ordinal=ordinal,
    )


class EmbeddedBackend:
    """tantivy index under `index_dir`, in generations switched atomically through `CURRENT`.

    A rebuild writes a new generation beside the old one and only then points `CURRENT` at it, so
    a failed `kb index` leaves the previous index serving; running servers notice the switch.
    """

    name = "embedded"

    def __init__(
        self,
        index_dir: Path,
        config: SearchConfig,
        facet_cache: int = 512,
        result_cache: int = 64,
    ) -> None:
        """Both caches hold answers of the current index generation only.

        Args:
            facet_cache: How many facet counts to keep (0: none). They depend only on the text
                and the filters, not on the page, and cost more than the search itself; paging
                and search-as-you-type ask for the same ones again.
            result_cache: How many whole results to keep (0: none): the searches many people
                make at once (a popular word, the first page without a query) are answered
                once per generation. Small on purpose: it serves what is asked again now, not
                every query ever asked.
        """
        self.index_dir = index_dir
        self._facet_cache: Recent[
            tuple[str | None, tuple[Any, ...], Required], dict[str, dict[str, int]]
        ] = Recent(facet_cache)
        self._results: Recent[tuple[str | None, SearchQuery], SearchResult] = Recent(result_cache)
        self.config = config
        self.analyzer = DutchAnalyzer(config)
        self.schema = _schema()
        self._lock = threading.Lock()
        self.base_analyzer = self.analyzer
        self._vocabulary: dict[str, int] = {}
        self._suggestions: dict[str, list[tuple[str, int]]] = {}
        self._payloads: list[msgspec.Raw] = []  # JSON, one per ordinal: see SearchHit
        self._listings: list[_Listing] = []
        self._surfaces: dict[str, list[str]] = {}
        self._facet_bits: dict[str, tuple[str, ...]] = {}
        self._index: tantivy.Index | None = None
        self._generation: str | None = None
        self._current_path = index_dir / CURRENT
        self._seen: tuple[int, int] | None = None

    # ----------------------------------------------------------------------------- indexing

    def index(self, documents: Sequence[IndexDocument]) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        generation = f"gen-{time.time_ns()}"
        path = self.index_dir / generation
        path.mkdir()
        try:
            doc_words = [unique_words(_document_text(doc)) for doc in documents]
            words: Counter[str] = Counter()
            for unique in doc_words:
                words.update(unique)
            analyzer = self.base_analyzer.with_vocabulary(words)
            _write_json(path / VOCABULARY, words)
            _write_json(path / PAYLOADS, [doc.payload for doc in documents])
            _write_json(path / SURFACES, analyzer.surfaces(doc.summary for doc in documents))
            index = self._new_index(path)
            # One indexing thread writes one segment: every query then walks one term dictionary
            # and one set of postings (10,000 entries: 7% faster searches than with two).
            writer = index.writer(heap_size=256_000_000, num_threads=1)
            bits = _facet_bits(documents)
            _write_json(path / FORMAT_FILE, {"format": INDEX_FORMAT, "facet_bits": bits})
            compounds = analyzer.decompounder.compounds_in(words)
            compound_words = compounds.keys()
            for ordinal, (doc, unique) in enumerate(zip(documents, doc_words, strict=True)):
                parts = " ".join(sorted(compounds[w] for w in unique & compound_words))
                writer.add_document(_to_tantivy(doc, ordinal, parts, bits))
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        self._point_current_at(generation)
        self._remove_old_generations(keep=generation)
        with self._lock:
            self._open(generation)

    def _new_index(self, path: Path | None) -> tantivy.Index:
        index = tantivy.Index(self.schema, path=str(path) if path else None)
        index.register_tokenizer(ANALYZER, self.analyzer.tantivy_analyzer)
        return index

    def _point_current_at(self, generation: str) -> None:
        tmp = self.index_dir / f"{CURRENT}.tmp"
        tmp.write_text(generation, encoding="utf-8")
        os.replace(tmp, self.index_dir / CURRENT)

    def _remove_old_generations(self, keep: str) -> None:
        for child in self.index_dir.glob("gen-*"):
            if child.name != keep:
                shutil.rmtree(child, ignore_errors=True)

    # ----------------------------------------------------------------------------- reading

    def _current_generation(self) -> str | None:
        try:
            return (self.index_dir / CURRENT).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _open(self, generation: str) -> None:
        path = self.index_dir / generation
        index = tantivy.Index.open(str(path))
        index.register_tokenizer(ANALYZER, self.base_analyzer.tantivy_analyzer)
        try:
            words = json.loads((path / VOCABULARY).read_text(encoding="utf-8"))
        except FileNotFoundError:
            words = {}
        # Queries split compounds with the same dictionary the documents were split with.
        self.analyzer = self.base_analyzer.with_vocabulary(words)
        payloads = (path / PAYLOADS).read_bytes()
        # Views into one buffer, not dicts: a third of the memory, and nothing to encode again.
        self._payloads = msgspec.json.decode(payloads, type=list[msgspec.Raw])
        self._listings = msgspec.json.decode(payloads, type=list[_Listing])
        self._surfaces = json.loads((path / SURFACES).read_text(encoding="utf-8"))
        bits = _read_format(path).get("facet_bits", {})
        self._facet_bits = {facet: tuple(values) for facet, values in bits.items()}
        for cache in (self._marker, self._compiled, self._highlight):
            cache.cache_clear()
        self._facet_cache.clear()
        self._results.clear()
        self._vocabulary = words
        self._suggestions = _by_first_letter(words)
        self._index, self._generation = index, generation

    def _current_token(self) -> tuple[int, int] | None:
        try:
            status = os.stat(self._current_path)
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_mtime_ns

    def _searcher(self) -> tantivy.Searcher | None:
        # Every switch replaces `CURRENT` (a new inode): one stat per search, about a microsecond,
        # lets each worker search a generation another process switched in from its next request.
        token = self._current_token()
        if self._index is None or token != self._seen:
            with self._lock:
                if self._index is None or token != self._seen:
                    self._seen = token
                    generation = self._current_generation()
                    if generation and generation != self._generation:
                        self._open(generation)
        return self._index.searcher() if self._index is not None else None

    def exists(self) -> bool:
        """An index of this version's format is there (an older one is rebuilt at start)."""
        generation = self._current_generation()
        if not generation or not (self.index_dir / generation).is_dir():
            return False
        return _read_format(self.index_dir / generation).get("format") == INDEX_FORMAT

    def health(self) -> dict[str, Any]:
        searcher = self._searcher()
        return {
            "ok": searcher is not None,
            "engine": self.name,
            "documents": searcher.num_docs if searcher is not None else 0,
            "generation": self._generation,
        }

    # ----------------------------------------------------------------------------- queries

    def _term(self, field: str, value: Any) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value)

    def _any(self, clauses: Iterable[tantivy.Query]) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in clauses])

    def _range(self, field: str, lower: int | None, upper: int | None) -> tantivy.Query:
        return tantivy.Query.range_query(
            self.schema, field, tantivy.FieldType.Integer, lower, upper
        )

    def _field_boost(self, field: str) -> float:
        boosts = self.config.ranking.field_boosts
        if field == ALL_FIELD:
            return boosts.get("body", 1.0)
        return boosts.get(field, PARTS_BOOST if field == "parts" else 1.0)

    def _stem_clause(
        self, stem: str, typo_length: int, searcher: tantivy.Searcher, ranked: bool = True
    ) -> tantivy.Query:
        """One stem in any searchable field, boosted per field; typos forgiven by word length.

        A word the content contains is taken as meant: looking for its typo neighbours as well
        would cost the most expensive part of a query and rank near-misses beside it.
        Unranked (for counting), `all` alone finds the same documents: it holds every field.
        """
        fields = SEARCH_FIELDS if ranked else (ALL_FIELD,)
        clauses = [
            tantivy.Query.boost_query(self._term(field, stem), self._field_boost(field))
            for field in fields
        ]
        distance = self.analyzer.typo_distance(typo_length)
        if distance and not searcher.doc_freq(ALL_FIELD, stem):
            fuzzy = tantivy.Query.fuzzy_term_query(self.schema, ALL_FIELD, stem, distance)
            clauses.append(tantivy.Query.boost_query(fuzzy, TYPO_WEIGHT))
        return tantivy.Query.disjunction_max_query(clauses, 0.1)

    def _prefix_clause(self, word: str) -> tantivy.Query | None:
        if len(word) < MIN_PREFIX_LENGTH:
            return None
        prefix = tantivy.Query.fuzzy_term_query(self.schema, ALL_FIELD, word, 0, True, True)
        return tantivy.Query.boost_query(prefix, PREFIX_WEIGHT)

    def _group_clause(
        self, group: QueryGroup, searcher: tantivy.Searcher, ranked: bool = True
    ) -> tantivy.Query:
        """Any alternative of a group: the typed word, its synonyms, its compound parts."""
        options = []
        for alternative, weight in zip(group.alternatives, group.weights, strict=True):
            typo_length = group.typo_length if len(alternative) == 1 else 0
            if group.from_synonym and len(alternative) > 1:
                # A synonym of several words is a phrase ("niet zien", "geweld thuis"): its
                # words scattered over an entry mean something else.
                clause = self._phrase(alternative, ranked)
            else:
                parts = [
                    self._stem_clause(stem, typo_length, searcher, ranked) for stem in alternative
                ]
                clause = parts[0] if len(parts) == 1 else self._all(parts)
            options.append(tantivy.Query.boost_query(clause, weight))
        if group.last and self.config.ranking.prefix_last_word:
            prefix = self._prefix_clause(group.word)
            if prefix is not None:
                options.append(prefix)
        return tantivy.Query.disjunction_max_query(options, 0.1)

    def _is_common(self, group: QueryGroup, searcher: tantivy.Searcher) -> bool:
        """Whether most entries hold the group's word: then it says little about which one is
        meant. BM25 weighs words per field, so `kind` in a title would otherwise outrank what
        a question is really about ("kind wil vader niet zien")."""
        documents = searcher.num_docs
        most = max(
            (searcher.doc_freq(ALL_FIELD, a[0]) for a in group.alternatives if len(a) == 1),
            default=0,
        )
        return documents >= MIN_DOCUMENTS_FOR_COMMON and 2 * most > documents

    def _phrase(self, stems: Sequence[str], ranked: bool) -> tantivy.Query:
        """The stems in this order, a few words apart at most (stop words leave gaps)."""
        words: list[str | tuple[int, str]] = list(stems)
        fields = ("title", "aliases", "summary", ALL_FIELD) if ranked else (ALL_FIELD,)
        return tantivy.Query.disjunction_max_query(
            [
                tantivy.Query.boost_query(
                    tantivy.Query.phrase_query(self.schema, field, words, SYNONYM_PHRASE_SLOP),
                    self._field_boost(field),
                )
                for field in fields
            ],
            0.1,
        )

    def _all(self, clauses: Sequence[tantivy.Query]) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in clauses])

    def _phrase_boosts(self, plan: QueryPlan) -> list[tantivy.Query]:
        stems: list[str | tuple[int, str]] = list(plan.stems)
        if len(stems) < 2:
            return []
        boost = self.config.ranking.phrase_boost
        return [
            tantivy.Query.boost_query(
                tantivy.Query.phrase_query(self.schema, field, stems, PHRASE_SLOP), boost
            )
            for field in ("title", "aliases", "summary")
        ]

    @lru_cache(maxsize=1024)  # noqa: B019  (cleared per generation, as the marker cache)
    def _compiled(
        self, q: str, required: Required = None, ranked: bool = True, bonus: bool = False
    ) -> tuple[QueryPlan, tantivy.Query | None]:
        """A text's plan and query, built once per generation: analysing the words and building
        the query cost as much as running it, and paging and typing ask for the same text again.
        What the query depends on (the dictionary, which words the content holds) belongs to
        the generation. `required` and `bonus`: see `text_query`."""
        assert self._index is not None  # only called once a searcher exists
        plan = self.analyzer.plan(q)
        searcher = self._index.searcher()
        return plan, self.text_query(plan, searcher, ranked=ranked, required=required, bonus=bonus)

    def text_query(
        self,
        plan: QueryPlan,
        searcher: tantivy.Searcher,
        require_all: bool = True,
        ranked: bool = True,
        required: Required = None,
        bonus: bool = False,
    ) -> tantivy.Query | None:
        """The query's groups, all required (or any, as a fallback), phrases ranked up.

        `required` names the groups a relaxed query still requires (by position; the others
        only rank); None means all of them, or none when `require_all` is false. `bonus` puts
        the documents that match every group first, as Meilisearch's `words` rule does.
        `ranked=False` gives a query for the same documents that is cheaper to run: for the
        facet counts, which re-run it without scores.
        """
        if not plan.groups:
            return None
        if required is None:
            required = tuple(range(len(plan.groups))) if require_all else ()
        groups = [self._group_clause(g, searcher, ranked) for g in plan.groups]
        if ranked:
            groups = [
                tantivy.Query.boost_query(clause, COMMON_WEIGHT)
                if self._is_common(group, searcher)
                else clause
                for group, clause in zip(plan.groups, groups, strict=True)
            ]
        clauses = [
            (tantivy.Occur.Must if i in required else tantivy.Occur.Should, g)
            for i, g in enumerate(groups)
        ]
        if ranked:
            clauses += [(tantivy.Occur.Should, p) for p in self._phrase_boosts(plan)]
            if bonus and len(required) < len(groups):
                every = self._all([self._group_clause(g, searcher, False) for g in plan.groups])
                clauses.append(
                    (tantivy.Occur.Should, tantivy.Query.const_score_query(every, ALL_WORDS_BONUS))
                )
        query = tantivy.Query.boolean_query(clauses)
        if ranked and UNSAFE_TOPIC in plan.topics:
            return self._safety_first(query)
        return query

    def _safety_first(self, query: tantivy.Query) -> tantivy.Query:
        """A question about violence ranks help that is contra-indicated under violence (the
        joint formats, such as mediation) lower: safety first. It stays in the results, with
        its warning; only its score is scaled down."""
        ranking = self.config.ranking
        codes = ranking.demote_when_unsafe
        if not codes:
            return query
        joint = self._any(self._term("contraindications", code) for code in codes)
        demoted = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, joint)]
        )
        others = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.MustNot, joint)]
        )
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.boost_query(demoted, ranking.unsafe_demotion)),
                (tantivy.Occur.Should, others),
            ]
        )

    def filter_queries(self, query: SearchQuery, skip: str | None = None) -> list[tantivy.Query]:
        """One query per active filter; `skip` leaves out a facet's own filter (disjunctive counts)."""
        filters: list[tantivy.Query] = []
        for field in ("kind", "status", "audience", "route", "format"):
            value = getattr(query, field)
            if value is not None and skip != field:
                filters.append(self._term(field, value))
        if query.evidence_min is not None and skip != "evidence_level":
            if query.evidence_min in EVIDENCE_LEVELS:
                filters.append(self._term("evidence_covered", query.evidence_min))
            else:
                filters.append(self._range("evidence_level", query.evidence_min, None))
        if query.age is not None:
            if query.age in COVERED_AGES:
                filters.append(self._term("age_covered", query.age))
            else:
                filters.append(self._range("age_min", None, query.age))
                filters.append(self._range("age_max", query.age, None))
        if query.glasl_phase is not None and skip != "glasl_phase":
            if query.glasl_phase in GLASL_PHASES:
                filters.append(self._term("glasl_covered", query.glasl_phase))
            else:
                filters.append(
                    self._any(
                        [
                            self._term("glasl_phase", query.glasl_phase),
                            self._term("glasl_specific", 0),
                        ]
                    )
                )
        if query.municipality is not None:
            filters.append(
                self._any(
                    [
                        self._term("municipality", query.municipality.lower()),
                        self._term("national", 1),
                    ]
                )
            )
        if query.arrondissement is not None and skip != "arrondissement":
            filters.append(
                self._any(
                    [self._term("arrondissement", query.arrondissement), self._term("national", 1)]
                )
            )
        if query.contraindication_free is not None:
            filters.append(
                tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Must, tantivy.Query.all_query()),
                        (
                            tantivy.Occur.MustNot,
                            self._term("contraindications", query.contraindication_free),
                        ),
                    ]
                )
            )
        return filters

    def _combine(self, text: tantivy.Query | None, filters: list[tantivy.Query]) -> tantivy.Query:
        clauses = [(tantivy.Occur.Must, f) for f in filters]
        if text is not None:
            clauses.append((tantivy.Occur.Must, text))
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(clauses)

    def search(self, query: SearchQuery) -> SearchResult:
        searcher = self._searcher()
        if searcher is None:
            return SearchResult(total=0, hits=[])
        key = (self._generation, query)
        result = self._results.get(key)
        if result is None:
            result = self._search(searcher, query)
            self._results.put(key, result)
        return result

    def similar(self, text: str, limit: int = 5) -> list[SearchHit]:
        """More like this: every entry that shares a term with `text`, by the engine's own score.

        The same analysis as a search (stems, synonyms, compound parts, forgiven typos, field
        boosts, phrases ranked up), but any word may match: BM25 then weighs each shared word by
        how rare it is in the knowledge base, which is what makes a paraphrase find its original.
        Each word counts once, so a long text keeps room for more of its words.
        """
        searcher = self._searcher()
        if searcher is None:
            return []
        distinct = " ".join(dict.fromkeys(words_of(text)))
        plan = self.analyzer.plan(distinct)
        # A whole text is no word being typed: its last word is not a prefix.
        plan = QueryPlan(tuple(dataclasses.replace(g, last=False) for g in plan.groups))
        query = self.text_query(plan, searcher, require_all=False)
        if query is None:
            return []
        result = searcher.search(query, limit)
        return self._hits(searcher, result.hits, plan)

    def _search(self, searcher: tantivy.Searcher, query: SearchQuery) -> SearchResult:
        filters = self.filter_queries(query)
        if not query.q.strip():
            result = searcher.search(
                self._combine(None, filters),
                query.per_page,
                count=True,
                order_by_field="default_rank",
                offset=query.offset,
                order=tantivy.Order.Asc,
            )
            return self._result(searcher, query, None, result)
        plan, compiled = self._compiled(query.q)
        # Text that analyses to nothing (only stop words, one 2,000-letter "word") finds nothing.
        text = compiled or tantivy.Query.empty_query()
        result = searcher.search(self._combine(text, filters), query.per_page, offset=query.offset)
        strict = _count(result)
        required: Required = None
        match = MATCH_ALL if strict else MATCH_NONE
        if strict < self.config.ranking.relax_below and len(plan.groups) > 1:
            relaxed = self._relaxed(searcher, plan, filters, strict)
            if relaxed is not None:
                required, match = relaxed
                # Results with every word first, unless the question is long (see MAX_BONUS_GROUPS).
                bonus = bool(strict) and len(plan.groups) <= MAX_BONUS_GROUPS
                _, text_or_none = self._compiled(query.q, required, bonus=bonus)
                text = text_or_none or tantivy.Query.empty_query()
                result = searcher.search(
                    self._combine(text, filters), query.per_page, offset=query.offset
                )
                if bonus:
                    match = MATCH_ALL  # the best results match every word; the rest follow
        suggestion = None
        if strict < self.config.ranking.did_you_mean_below or match == MATCH_ANY:
            suggestion = self.suggest(query.q, searcher)

        def counting() -> tantivy.Query:
            _, unranked = self._compiled(query.q, required, ranked=False)
            return unranked or tantivy.Query.empty_query()

        return self._result(searcher, query, counting, result, suggestion, plan, required, match)

    def _relaxed(
        self,
        searcher: tantivy.Searcher,
        plan: QueryPlan,
        filters: list[tantivy.Query],
        strict: int,
    ) -> tuple[tuple[int, ...], str] | None:
        """The groups to require when requiring every group finds (almost) nothing, and how
        well the answer matches; None when no relaxation finds more.

        Groups are let go one at a time: first words the content does not hold (they can only
        hide results), then plain words from the most common, a recognised term (a synonym or a
        plain-language phrase) last, until enough is found. When even the last group alone
        finds nothing, any word may match: the weak fallback.
        """
        counts = [self._group_count(searcher, g) for g in plan.groups]
        order = sorted(
            range(len(plan.groups)),
            key=lambda i: (_keep_rank(plan.groups[i], counts[i]), -counts[i], -i),
        )
        best: tuple[int, ...] | None = None
        best_count = strict
        for dropped in range(1, len(order)):
            kept = tuple(sorted(order[dropped:]))
            if not any(counts[i] for i in kept):
                continue
            found = self._count_required(searcher, plan, kept, filters)
            if found > best_count:
                best, best_count = kept, found
            if found >= self.config.ranking.relax_below:
                break
        if best is not None:
            return best, match_level(plan, best)
        if strict:
            return None
        anything = self._count_required(searcher, plan, (), filters)
        return ((), MATCH_ANY) if anything else None

    def _group_count(self, searcher: tantivy.Searcher, group: QueryGroup) -> int:
        """How many documents a group alone finds (typos and synonyms included)."""
        clause = self._group_clause(group, searcher, ranked=False)
        return _count(searcher.search(clause, 1, count=True))

    def _count_required(
        self,
        searcher: tantivy.Searcher,
        plan: QueryPlan,
        required: tuple[int, ...],
        filters: list[tantivy.Query],
    ) -> int:
        text = self.text_query(plan, searcher, ranked=False, required=required)
        query = self._combine(text or tantivy.Query.empty_query(), filters)
        return _count(searcher.search(query, 1, count=True))

    def _result(
        self,
        searcher: tantivy.Searcher,
        query: SearchQuery,
        counting: Callable[[], tantivy.Query] | None,
        result: tantivy.SearchResult,
        suggestion: str | None = None,
        plan: QueryPlan | None = None,
        required: Required = None,
        match: str | None = None,
    ) -> SearchResult:
        hits = self._hits(searcher, result.hits, plan)
        facets = self._cached_facets(searcher, query, counting, required) if query.facets else {}
        return SearchResult(
            total=_count(result),
            hits=hits,
            facets=facets,
            did_you_mean=suggestion,
            match=match,
            topics=tuple(sorted(plan.topics)) if plan is not None else (),
        )

    def suggest(self, q: str, searcher: tantivy.Searcher | None = None) -> str | None:
        """ "Bedoelde u …?": each unknown word replaced by the nearest frequent word in the content.

        A word is known when the content holds it, its stem or all its compound parts (then the
        search found it as it was typed: `loyaliteitsconflict` finds `loyaliteitsconflicten`),
        or when it is a stop word or part of a synonym term.
        """
        stopwords = self.config.stopwords
        changed = False
        corrected = []
        for word in words_of(q)[:MAX_QUERY_WORDS]:
            known = (
                word in self._vocabulary or word in stopwords or self._recognised(word, searcher)
            )
            best = word if known else self._nearest(word)
            changed = changed or best != word
            corrected.append(best)
        return " ".join(corrected) if changed else None

    def _recognised(self, word: str, searcher: tantivy.Searcher | None) -> bool:
        if self.analyzer.is_synonym_term(word):
            return True
        if searcher is None:
            return False
        stem = self.analyzer.stem(word)
        if stem and searcher.doc_freq(ALL_FIELD, stem):
            return True
        parts = self.analyzer.decompounder.split(word)
        return bool(parts) and all(
            searcher.doc_freq(ALL_FIELD, self.analyzer.stem(p)) for p in parts
        )

    def _nearest(self, word: str) -> str:
        # One edit more than a search forgives: a suggestion is for what the search did not find.
        limit = self.analyzer.typo_distance(len(word)) + 1
        if len(word) < 3:
            return word
        best, best_key = word, (limit + 1, 0)
        for candidate, frequency in self._suggestions.get(word[0], ()):
            distance = edit_distance(word, candidate, limit)
            key = (distance, -frequency)
            if distance <= limit and key < best_key:
                best, best_key = candidate, key
        return best

    def _hits(
        self,
        searcher: tantivy.Searcher,
        raw_hits: list[tuple[Any, tantivy.DocAddress]],
        plan: QueryPlan | None,
    ) -> list[SearchHit]:
        addresses = [address for _, address in raw_hits]
        ordinals = searcher.fast_field_values("ordinal", addresses) if addresses else []
        marks = self._marker(*self._highlight_terms(plan)) if plan is not None else None
        hits = []
        for (score, _), ordinal in zip(raw_hits, ordinals, strict=True):
            listing = self._listings[int(ordinal or 0)]
            hits.append(
                SearchHit(
                    slug=listing.slug,
                    score=float(score) if plan is not None else 0.0,
                    payload_json=bytes(self._payloads[int(ordinal or 0)]),
                    highlight=self._highlight(marks, int(ordinal or 0)) if marks else None,
                )
            )
        return hits

    @lru_cache(maxsize=1024)  # noqa: B019  (as-you-type repeats prefixes; cleared per generation)
    def _marker(self, stems: frozenset[str], prefix: str | None) -> Marker | None:
        surfaces = (form for stem in stems for form in self._surfaces.get(stem, ()))
        return marker(surfaces, prefix)

    @lru_cache(maxsize=4096)  # noqa: B019  (cleared per generation)
    def _highlight(self, marks: Marker, ordinal: int) -> str | None:
        """A summary with the query's words marked; the same page is asked for again and again."""
        return marks.mark(self._listings[ordinal].summary)

    @staticmethod
    def _highlight_terms(plan: QueryPlan | None) -> tuple[frozenset[str], str | None]:
        """The stems a query asked for, and the prefix being typed, to mark in summaries."""
        if plan is None or not plan.groups:
            return frozenset(), None
        stems = frozenset(stem for g in plan.groups for alt in g.alternatives for stem in alt)
        last = plan.groups[-1]
        prefix = last.word if last.last and len(last.word) >= MIN_PREFIX_LENGTH else None
        return stems, prefix

    def _cached_facets(
        self,
        searcher: tantivy.Searcher,
        query: SearchQuery,
        counting: Callable[[], tantivy.Query] | None,
        required: Required,
    ) -> dict[str, dict[str, int]]:
        """Facet counts, from the cache or counted; `counting` gives the text's query, if any."""
        key = (self._generation, query.without_page(), required)
        facets = self._facet_cache.get(key)
        if facets is None:
            facets = self._facets(searcher, query, counting() if counting else None)
            self._facet_cache.put(key, facets)
        return facets

    def _facets(
        self, searcher: tantivy.Searcher, query: SearchQuery, text: tantivy.Query | None
    ) -> dict[str, dict[str, int]]:
        active = query.active_facet_filters()
        # Facets without an own filter share one aggregation over the fully filtered result.
        shared = [f for f in FACETS if f not in active]
        counts: dict[str, dict[str, int]] = {}
        if shared:
            counts.update(
                self._aggregate(searcher, self._combine(text, self.filter_queries(query)), shared)
            )
        for facet in active:
            own = self._combine(text, self.filter_queries(query, skip=facet))
            counts.update(self._aggregate(searcher, own, [facet]))
        return {f: counts.get(f, {}) for f in FACETS}

    def _aggregate(
        self, searcher: tantivy.Searcher, query: tantivy.Query, facets: list[str]
    ) -> dict[str, dict[str, int]]:
        bits = self._facet_bits
        spec = {
            f: {"terms": {"field": _mask_field(f), "size": MASK_BUCKETS}}
            if f in bits
            else {"terms": {"field": f, "size": FACET_SIZE}}
            for f in facets
        }
        result = searcher.aggregate(query, spec)
        counts = {}
        for f in facets:
            buckets = result.get(f, {}).get("buckets", [])
            if f in bits:
                counts[f] = _expand_masks(buckets, bits[f])
            else:
                counts[f] = {str(b["key"]): int(b["doc_count"]) for b in buckets}
        return counts


def _read_format(generation_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((generation_dir / FORMAT_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _document_text(doc: IndexDocument) -> str:
    return "\n".join((doc.title, *doc.aliases, doc.summary, doc.body))


def _by_first_letter(words: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
    table: dict[str, list[tuple[str, int]]] = {}
    for word, frequency in words.items():
        if len(word) >= 3 and word.isalpha():
            table.setdefault(word[0], []).append((word, frequency))
    return table


def _keep_rank(group: QueryGroup, count: int) -> int:
    """How much a relaxed query wants to keep a group: 0 let go first, 4 kept longest.

    A phrase the synonyms recognise ("niet zien", "huiselijk geweld") says most about the
    question; a word with synonyms more than a plain word.
    """
    if not count:
        return 0  # the content does not hold it: requiring it can only hide results
    if UNSAFE_TOPIC in group.topics:
        return 4  # safety first: a question about violence is about that before anything else
    if group.from_synonym:
        return 3 if " " in group.word else 2
    return 1


def _count(result: tantivy.SearchResult) -> int:
    # The binding types `count` loosely; it is an int when the search asked for counting.
    return int(getattr(result, "count", 0) or 0)
