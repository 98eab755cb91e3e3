"""The embedded search engine: tantivy in-process, with the Dutch analyzer and disjunctive facets."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy

from kb.search.analysis import DutchAnalyzer, highlight_html
from kb.search.base import FACETS, IndexDocument, SearchHit, SearchQuery, SearchResult
from kb.search.config import SearchConfig

__all__ = ["EmbeddedBackend"]

TEXT_FIELDS = ("title", "aliases", "summary", "body")
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
CURRENT = "CURRENT"
ANALYZER = "nl"
FACET_SIZE = 100
RELOAD_CHECK_SECONDS = 1.0


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("slug", stored=True, tokenizer_name="raw", fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=name != "aliases", tokenizer_name=ANALYZER)
    for name in KEYWORD_FIELDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    for name in INT_FIELDS:
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_integer_field("default_rank", indexed=False, fast=True)
    builder.add_bytes_field("payload", stored=True, indexed=False)
    return builder.build()


def _to_tantivy(doc: IndexDocument) -> tantivy.Document:
    return tantivy.Document(
        slug=doc.slug,
        title=doc.title,
        aliases=list(doc.aliases),
        summary=doc.summary,
        body=doc.body,
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
        payload=json.dumps(doc.payload, ensure_ascii=False).encode("utf-8"),
    )


class EmbeddedBackend:
    """tantivy index under `index_dir`, in generations switched atomically through `CURRENT`.

    A rebuild writes a new generation beside the old one and only then points `CURRENT` at it, so
    a failed `kb index` leaves the previous index serving; running servers notice the switch.
    """

    name = "embedded"

    def __init__(self, index_dir: Path, config: SearchConfig) -> None:
        self.index_dir = index_dir
        self.config = config
        self.analyzer = DutchAnalyzer(config)
        self.schema = _schema()
        self._lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._generation: str | None = None
        self._checked_at = 0.0

    # ----------------------------------------------------------------------------- indexing

    def index(self, documents: Sequence[IndexDocument]) -> None:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        generation = f"gen-{time.time_ns()}"
        path = self.index_dir / generation
        path.mkdir()
        try:
            index = self._new_index(path)
            writer = index.writer(heap_size=128_000_000, num_threads=1)
            for doc in documents:
                writer.add_document(_to_tantivy(doc))
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
        index = tantivy.Index.open(str(self.index_dir / generation))
        index.register_tokenizer(ANALYZER, self.analyzer.tantivy_analyzer)
        self._index, self._generation = index, generation

    def _searcher(self) -> tantivy.Searcher | None:
        now = time.monotonic()
        if self._index is None or now - self._checked_at > RELOAD_CHECK_SECONDS:
            with self._lock:
                self._checked_at = now
                generation = self._current_generation()
                if generation and generation != self._generation:
                    self._open(generation)
        return self._index.searcher() if self._index is not None else None

    def exists(self) -> bool:
        generation = self._current_generation()
        return bool(generation) and (self.index_dir / str(generation)).is_dir()

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

    def text_query(self, q: str) -> tantivy.Query | None:
        """Each term in any text field (boosted per field), forgiving typos, prefixing the last word."""
        terms = self.analyzer.terms(q)
        words = self.analyzer.words(q)
        if not terms and not words:
            return None
        ranking = self.config.ranking
        per_term = []
        for position, term in enumerate(terms):
            per_field = []
            for field in TEXT_FIELDS:
                boost = ranking.field_boosts.get(field, 1.0)
                per_field.append(tantivy.Query.boost_query(self._term(field, term), boost))
                distance = self._typo_distance(term)
                if distance:
                    fuzzy = tantivy.Query.fuzzy_term_query(self.schema, field, term, distance)
                    per_field.append(tantivy.Query.boost_query(fuzzy, boost * 0.3))
            if ranking.prefix_last_word and position == len(terms) - 1 and words:
                for field in ("title", "aliases"):
                    prefix = tantivy.Query.fuzzy_term_query(
                        self.schema, field, words[-1], 0, True, True
                    )
                    per_field.append(tantivy.Query.boost_query(prefix, 0.5))
            per_term.append(tantivy.Query.disjunction_max_query(per_field, 0.1))
        if not per_term:
            return None
        clauses = [(tantivy.Occur.Should, c) for c in per_term]
        if len(per_term) > 1:
            # Entries that contain every word of the query rank above those with only some.
            all_terms = tantivy.Query.boolean_query([(tantivy.Occur.Must, c) for c in per_term])
            clauses.append((tantivy.Occur.Should, tantivy.Query.boost_query(all_terms, 2.0)))
        return tantivy.Query.boolean_query(clauses)

    def _typo_distance(self, term: str) -> int:
        ranking = self.config.ranking
        if len(term) >= ranking.typo_min_length_two:
            return 2
        if len(term) >= ranking.typo_min_length_one:
            return 1
        return 0

    def filter_queries(self, query: SearchQuery, skip: str | None = None) -> list[tantivy.Query]:
        """One query per active filter; `skip` leaves out a facet's own filter (disjunctive counts)."""
        filters: list[tantivy.Query] = []
        for field in ("kind", "status", "audience", "route", "format"):
            value = getattr(query, field)
            if value is not None and skip != field:
                filters.append(self._term(field, value))
        if query.evidence_min is not None and skip != "evidence_level":
            filters.append(self._range("evidence_level", query.evidence_min, None))
        if query.age is not None:
            filters.append(self._range("age_min", None, query.age))
            filters.append(self._range("age_max", query.age, None))
        if query.glasl_phase is not None and skip != "glasl_phase":
            filters.append(
                self._any(
                    [self._term("glasl_phase", query.glasl_phase), self._term("glasl_specific", 0)]
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
        text = None
        if query.q.strip():
            # Text that analyses to nothing (only stop words, or one 2,000-letter "word") finds nothing.
            text = self.text_query(query.q) or tantivy.Query.empty_query()
        combined = self._combine(text, self.filter_queries(query))
        if text is None:
            result = searcher.search(
                combined,
                query.per_page,
                count=True,
                order_by_field="default_rank",
                offset=query.offset,
                order=tantivy.Order.Asc,
            )
        else:
            result = searcher.search(combined, query.per_page, count=True, offset=query.offset)
        hits = self._hits(searcher, result.hits, text)
        facets = self._facets(searcher, query, text) if query.facets else {}
        return SearchResult(total=getattr(result, "count", 0) or 0, hits=hits, facets=facets)

    def _hits(
        self,
        searcher: tantivy.Searcher,
        raw_hits: list[tuple[Any, tantivy.DocAddress]],
        text: tantivy.Query | None,
    ) -> list[SearchHit]:
        generators = []
        if text is not None:
            for field in ("summary", "body"):
                generator = tantivy.SnippetGenerator.create(searcher, text, self.schema, field)
                generator.set_max_num_chars(180)
                generators.append(generator)
        hits = []
        for score, address in raw_hits:
            doc = searcher.doc(address)
            payload = json.loads(bytes(doc.get_first("payload") or b"{}"))
            hits.append(
                SearchHit(
                    slug=str(doc.get_first("slug")),
                    score=float(score) if text is not None else 0.0,
                    payload=payload,
                    highlight=self._highlight(generators, doc),
                )
            )
        return hits

    @staticmethod
    def _highlight(generators: list[tantivy.SnippetGenerator], doc: tantivy.Document) -> str | None:
        for generator in generators:
            snippet = generator.snippet_from_doc(doc)
            ranges = [(r.start, r.end) for r in snippet.highlighted()]
            if ranges:
                return highlight_html(snippet.fragment(), ranges)
        return None

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

    @staticmethod
    def _aggregate(
        searcher: tantivy.Searcher, query: tantivy.Query, facets: list[str]
    ) -> dict[str, dict[str, int]]:
        spec = {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in facets}
        result = searcher.aggregate(query, spec)
        return {
            f: {str(b["key"]): int(b["doc_count"]) for b in result.get(f, {}).get("buckets", [])}
            for f in facets
        }
