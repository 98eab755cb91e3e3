"""The Meilisearch engine: the same queries, filters and disjunctive facets as the embedded one.

Everything that turns our search contract into Meilisearch's (settings, documents, filters, the
multi-search requests) and back (results) is a pure module-level function, tested without a
server; `MeiliBackend` only adds the network calls.

Meilisearch has no Dutch stemmer (anchors.md §2.3), so every document carries `terms_nl`, the stems
of its text as our `DutchAnalyzer` makes them, and a query sends its stems along with its words.
"""

from __future__ import annotations

import html
import logging
import math
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import meilisearch
import requests
from meilisearch.errors import MeilisearchApiError, MeilisearchError
from meilisearch.models.task import TaskInfo

from kb.search.analysis import (
    MATCH_NONE,
    DutchAnalyzer,
    QueryPlan,
    covered_level,
    fold,
    vocabulary,
)
from kb.search.base import FACETS, IndexDocument, SearchHit, SearchQuery, SearchResult
from kb.search.config import SearchConfig

__all__ = [
    "FACET_FIELDS",
    "FILTERABLE_ATTRIBUTES",
    "MeiliBackend",
    "MeiliTaskError",
    "SearchUnavailableError",
    "filter_expression",
    "index_settings",
    "merge_similar",
    "parse_results",
    "query_string",
    "quote_filter_value",
    "sanitize_highlight",
    "search_requests",
    "similar_requests",
    "to_meili_document",
]

logger = logging.getLogger(__name__)

# Facet name -> document field; the same names, kept as a table so the mapping is explicit.
FACET_FIELDS: dict[str, str] = {name: name for name in FACETS}
FILTERABLE_ATTRIBUTES: tuple[str, ...] = (
    "kind",
    "status",
    "evidence_level",
    "flags",
    "audience",
    "route",
    "format",
    "contraindications",
    "age_min",
    "age_max",
    "glasl_phase",
    "glasl_specific",
    "municipality",
    "arrondissement",
    "national",
)
TEXT_FIELDS = ("title", "aliases", "summary", "body")
STEM_FIELD = "terms_nl"
# Tie-break order of the searchable attributes; `terms_nl` weighs as much as the title fields.
_SEARCHABLE_ORDER = ("title", "aliases", STEM_FIELD, "summary", "body")
RANKING_RULES = ("words", "typo", "proximity", "attribute", "sort", "exactness")
NO_AGE_MIN, NO_AGE_MAX = 0, 99  # the embedded engine's sentinels for "no ages named"
MAX_VALUES_PER_FACET = 100
MAX_TOTAL_HITS = 10_000
MAX_QUERY_WORDS = 10  # Meilisearch only considers a query's first ten words
MAX_WORD_LENGTH = 60  # longer "words" are dropped, as the embedded analyzer does
HIGHLIGHT_PRE, HIGHLIGHT_POST = "<mark>", "</mark>"
HIGHLIGHT_FIELDS = ("summary", "body")
CROP_LENGTH = 30  # words, about the embedded engine's 180-character snippet
# `terms_nl` tells which of the query's words the best result holds (its `match`).
RETRIEVE = ["id", "payload", STEM_FIELD, *HIGHLIGHT_FIELDS]
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,511}$")
_INDEX_UID_RE = re.compile(r"^[A-Za-z0-9_-]{1,400}$")
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
_MARK_RE = re.compile(f"({re.escape(HIGHLIGHT_PRE)}|{re.escape(HIGHLIGHT_POST)})")

Filter = list[str | list[str]]


class SearchUnavailableError(RuntimeError):
    """Meilisearch could not answer (down, timing out, refusing the request, index missing)."""


class MeiliTaskError(RuntimeError):
    """A Meilisearch task (settings, documents, swap) finished as failed or canceled."""


# ------------------------------------------------------------------------------------ settings


def _synonym_map(groups: Sequence[Sequence[str]]) -> dict[str, list[str]]:
    """Every term of a group finds every other; a term in several groups finds all their terms."""
    others: dict[str, set[str]] = {}
    for group in groups:
        terms = {t.strip().lower() for t in group if t.strip()}
        for term in terms:
            others.setdefault(term, set()).update(terms - {term})
    return {term: sorted(found) for term, found in sorted(others.items()) if found}


def _searchable_attributes(config: SearchConfig) -> list[str]:
    boosts = config.ranking.field_boosts
    weight = {f: boosts.get(f, 1.0) for f in TEXT_FIELDS}
    # Stems come from every field; they rank with the best of the title fields' matches.
    weight[STEM_FIELD] = min(weight["title"], weight["aliases"])
    return sorted(_SEARCHABLE_ORDER, key=lambda f: (-weight[f], _SEARCHABLE_ORDER.index(f)))


def index_settings(config: SearchConfig) -> dict[str, Any]:
    """The index settings for `config`: searchable order by field weight, filters, typo rules."""
    ranking = config.ranking
    one_typo = ranking.typo_min_length_one
    settings: dict[str, Any] = {
        "searchableAttributes": _searchable_attributes(config),
        "filterableAttributes": list(FILTERABLE_ATTRIBUTES),
        "sortableAttributes": ["default_rank"],
        "rankingRules": list(RANKING_RULES),
        "stopWords": sorted(config.stopwords),
        "synonyms": _synonym_map(config.synonyms),
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {
                "oneTypo": one_typo,
                # Meilisearch refuses twoTypos below oneTypo.
                "twoTypos": max(ranking.typo_min_length_two, one_typo),
            },
        },
        "faceting": {
            "maxValuesPerFacet": MAX_VALUES_PER_FACET,
            "sortFacetValuesBy": {"*": "count"},
        },
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
    }
    if not ranking.prefix_last_word:
        settings["prefixSearch"] = "disabled"
    return settings


# ------------------------------------------------------------------------------------ documents


def _stems(analyzer: DutchAnalyzer, text: str) -> list[str]:
    # Stems and compound parts, as the embedded engine indexes them: `regeling` then finds
    # `omgangsregeling`, which Meilisearch's own tokenizer keeps whole.
    return analyzer.index_terms(text)


def to_meili_document(doc: IndexDocument, analyzer: DutchAnalyzer) -> dict[str, Any]:
    """One Meilisearch document: text, precomputed Dutch stems, filter fields, the payload."""
    if not _ID_RE.match(doc.slug):
        raise ValueError(f"slug {doc.slug!r} is no valid Meilisearch id (a-z, 0-9, '-', '_')")
    texts = [doc.title, *doc.aliases, doc.summary, doc.body]
    return {
        "id": doc.slug,
        "title": doc.title,
        "aliases": list(doc.aliases),
        "summary": doc.summary,
        "body": doc.body,
        STEM_FIELD: " ".join(stem for text in texts for stem in _stems(analyzer, text)),
        "kind": doc.kind,
        "status": doc.status,
        "evidence_level": doc.evidence_level,
        "flags": list(doc.flags),
        "audience": list(doc.audience),
        "route": list(doc.route),
        "format": list(doc.format),
        "contraindications": list(doc.contraindications),
        "age_min": NO_AGE_MIN if doc.age_min is None else doc.age_min,
        "age_max": NO_AGE_MAX if doc.age_max is None else doc.age_max,
        "glasl_phase": list(doc.glasl_phases),
        "glasl_specific": 1 if doc.glasl_phases else 0,
        "municipality": [m.lower() for m in doc.municipalities],
        "arrondissement": list(doc.arrondissements),
        "national": 1 if doc.national else 0,
        "default_rank": doc.default_rank,
        "payload": doc.payload,
    }


# ------------------------------------------------------------------------------------ filters


def quote_filter_value(value: object) -> str:
    """`value` as a double-quoted filter string: `\\` and `"` escaped, so nothing is injected."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def filter_expression(query: SearchQuery, skip: str | None = None) -> Filter:
    """The filter as an array (items ANDed, inner lists ORed); `EmbeddedBackend.filter_queries`.

    `skip` names a facet whose own filter is left out, for that facet's disjunctive counts.
    """
    items: Filter = []
    for field in ("kind", "status", "audience", "route", "format"):
        value = getattr(query, field)
        if value is not None and skip != field:
            items.append(f"{field} = {quote_filter_value(value)}")
    if query.evidence_min is not None and skip != "evidence_level":
        items.append(f"evidence_level >= {int(query.evidence_min)}")
    if query.age is not None:
        age = int(query.age)
        items.append(f"age_min <= {age}")
        items.append(f"age_max >= {age}")
    if query.glasl_phase is not None and skip != "glasl_phase":
        items.append([f"glasl_phase = {int(query.glasl_phase)}", "glasl_specific = 0"])
    if query.municipality is not None:
        items.append(
            [f"municipality = {quote_filter_value(query.municipality.lower())}", "national = 1"]
        )
    if query.arrondissement is not None and skip != "arrondissement":
        items.append(
            [f"arrondissement = {quote_filter_value(query.arrondissement)}", "national = 1"]
        )
    if query.contraindication_free is not None:
        items.append(f"contraindications != {quote_filter_value(query.contraindication_free)}")
    return items


# ------------------------------------------------------------------------------------ requests


def query_string(text: str, analyzer: DutchAnalyzer) -> str:
    """What Meilisearch gets as `q`: the stems our analyzer makes, then the user's words.

    The words are folded and stripped of punctuation (quotes, `-`, `*`, `:` are no operators here,
    as in the embedded engine). Stems that differ from their word go first: Meilisearch prefixes
    only the last word, so the word being typed stays last, and multi-word synonyms stay adjacent.
    The whole stays within Meilisearch's ten words.
    """
    words = [w for w in (fold(m) for m in _WORD_RE.findall(text)) if len(w) <= MAX_WORD_LENGTH]
    chosen: list[str] = []
    stems: list[str] = []
    for word in words:
        new = [s for s in dict.fromkeys(analyzer.terms(word)) if s != word and s not in stems]
        if len(chosen) + len(stems) + 1 + len(new) > MAX_QUERY_WORDS:
            break
        chosen.append(word)
        stems.extend(new)
    return " ".join([*stems, *chosen])


def _active_facets(query: SearchQuery) -> list[str]:
    if not query.facets:
        return []
    active = query.active_facet_filters()
    return [f for f in FACETS if f in active]


def search_requests(
    query: SearchQuery, analyzer: DutchAnalyzer, index_uid: str | None = None
) -> list[dict[str, Any]]:
    """The multi-search queries for `query`: the main one, then one per active facet filter.

    Empty when the text analyses to nothing (only stop words, one overlong "word"): like the
    embedded engine, such a query finds nothing rather than everything.
    """
    q = ""
    if query.q.strip():
        if not analyzer.terms(query.q):
            return []
        q = query_string(query.q, analyzer)
        if not q:
            return []
    base: dict[str, Any] = {"indexUid": index_uid} if index_uid else {}
    base["q"] = q
    if q:
        base["matchingStrategy"] = "last"

    main: dict[str, Any] = {
        **base,
        "page": query.page,
        "hitsPerPage": query.per_page,
        "attributesToRetrieve": list(RETRIEVE),
    }
    if own := filter_expression(query):
        main["filter"] = own
    active = _active_facets(query)
    if query.facets and (shared := [FACET_FIELDS[f] for f in FACETS if f not in active]):
        main["facets"] = shared
    if q:
        main.update(
            attributesToHighlight=list(HIGHLIGHT_FIELDS),
            highlightPreTag=HIGHLIGHT_PRE,
            highlightPostTag=HIGHLIGHT_POST,
            attributesToCrop=list(HIGHLIGHT_FIELDS),
            cropLength=CROP_LENGTH,
            showRankingScore=True,
        )
    else:
        main["sort"] = ["default_rank:asc"]

    result = [main]
    for facet in active:
        counting: dict[str, Any] = {**base, "limit": 0, "facets": [FACET_FIELDS[facet]]}
        if others := filter_expression(query, skip=facet):
            counting["filter"] = others
        result.append(counting)
    return result


def similar_requests(
    text: str, analyzer: DutchAnalyzer, limit: int, index_uid: str | None = None
) -> list[dict[str, Any]]:
    """The multi-search queries that find entries like `text` ("more like this").

    Meilisearch reads only ten words of a query, so the text's distinct stems (our analysis, as
    in `terms_nl`) go in chunks of ten, one query each. Each chunk drops its most frequent words
    first until documents match (`matchingStrategy: frequency`), so a document ranks by the rare
    words it shares; `merge_similar` adds up each document's ranking scores over the chunks.
    """
    stems = list(dict.fromkeys(analyzer.terms(text)))
    base: dict[str, Any] = {"indexUid": index_uid} if index_uid else {}
    return [
        {
            **base,
            "q": " ".join(stems[start : start + MAX_QUERY_WORDS]),
            "matchingStrategy": "frequency",
            "limit": limit * 2,
            "attributesToRetrieve": ["id", "payload"],
            "showRankingScore": True,
        }
        for start in range(0, len(stems), MAX_QUERY_WORDS)
    ]


def merge_similar(responses: Sequence[Mapping[str, Any]], limit: int) -> list[SearchHit]:
    """The entries of `similar_requests`' answers, by their ranking scores summed over chunks."""
    scores: dict[str, float] = {}
    payloads: dict[str, dict[str, Any]] = {}
    for response in responses:
        for raw in response.get("hits") or []:
            payload = raw.get("payload")
            payload = dict(payload) if isinstance(payload, Mapping) else {}
            slug = str(raw.get("id") or payload.get("slug") or "")
            score = raw.get("_rankingScore")
            if not slug or not isinstance(score, int | float):
                continue
            scores[slug] = scores.get(slug, 0.0) + float(score)
            payloads.setdefault(slug, payload)
    best = sorted(scores, key=lambda slug: (-scores[slug], slug))[:limit]
    return [SearchHit.from_payload(slug, scores[slug], payloads[slug]) for slug in best]


# ------------------------------------------------------------------------------------ results


def sanitize_highlight(formatted: str) -> str:
    """Meilisearch's highlighted text as safe HTML: text escaped, only balanced `<mark>` kept."""
    out: list[str] = []
    is_open = False
    for part in _MARK_RE.split(formatted):
        if part == HIGHLIGHT_PRE:
            if not is_open:
                out.append(HIGHLIGHT_PRE)
                is_open = True
        elif part == HIGHLIGHT_POST:
            if is_open:
                out.append(HIGHLIGHT_POST)
                is_open = False
        elif part:
            out.append(html.escape(part))
    if is_open:
        out.append(HIGHLIGHT_POST)
    return "".join(out)


def _highlight(formatted: object) -> str | None:
    if not isinstance(formatted, Mapping):
        return None
    for field in HIGHLIGHT_FIELDS:
        value = formatted.get(field)
        if isinstance(value, str) and HIGHLIGHT_PRE in value:
            return sanitize_highlight(value)
    return None


def _facet_key(key: object) -> str:
    text = str(key)
    try:
        number = float(text)
    except ValueError:
        return text
    # A number Meilisearch wrote as "2.0" counts under "2", as in the embedded engine.
    if "." in text and math.isfinite(number) and number.is_integer():
        return str(int(number))
    return text


def _buckets(distribution: object, field: str) -> dict[str, int]:
    if not isinstance(distribution, Mapping):
        return {}
    values = distribution.get(field)
    if not isinstance(values, Mapping):
        return {}
    return {_facet_key(k): int(v) for k, v in values.items()}


def _total(response: Mapping[str, Any]) -> int:
    for key in ("totalHits", "estimatedTotalHits"):
        if isinstance(response.get(key), int):
            return int(response[key])
    return 0


def parse_results(
    query: SearchQuery, responses: Sequence[Mapping[str, Any]], plan: QueryPlan | None = None
) -> SearchResult:
    """The `SearchResult` from the multi-search results answering `search_requests(query, …)`.

    `plan` is the query's plan (`DutchAnalyzer.plan`): it gives the topics, and with the best
    hit's stems how well the results match (Meilisearch drops words itself, unsaid).
    """
    empty_facets: dict[str, dict[str, int]] = {f: {} for f in FACETS} if query.facets else {}
    topics = tuple(sorted(plan.topics)) if plan is not None else ()
    if not responses:
        match = MATCH_NONE if plan is not None and query.q.strip() else None
        return SearchResult(total=0, hits=[], facets=empty_facets, match=match, topics=topics)
    main = responses[0]
    scored = bool(query.q.strip())
    hits = []
    for raw in main.get("hits") or []:
        payload = raw.get("payload")
        payload = dict(payload) if isinstance(payload, Mapping) else {}
        score = raw.get("_rankingScore") if scored else None
        hits.append(
            SearchHit.from_payload(
                slug=str(raw.get("id") or payload.get("slug") or ""),
                score=float(score) if isinstance(score, int | float) else 0.0,
                payload=payload,
                highlight=_highlight(raw.get("_formatted")),
            )
        )
    facets: dict[str, dict[str, int]] = {}
    if query.facets:
        active = _active_facets(query)
        shared = main.get("facetDistribution")
        counts = {f: _buckets(shared, FACET_FIELDS[f]) for f in FACETS if f not in active}
        for facet, response in zip(active, responses[1:], strict=False):
            counts[facet] = _buckets(response.get("facetDistribution"), FACET_FIELDS[facet])
        facets = {f: counts.get(f, {}) for f in FACETS}
    return SearchResult(
        total=_total(main),
        hits=hits,
        facets=facets,
        match=_match(plan, main.get("hits") or [], scored),
        topics=topics,
    )


def _match(plan: QueryPlan | None, raw_hits: Sequence[Any], scored: bool) -> str | None:
    if plan is None or not scored:
        return None
    if not raw_hits or not isinstance(raw_hits[0], Mapping):
        return MATCH_NONE
    stems = raw_hits[0].get(STEM_FIELD)
    return covered_level(plan, frozenset(stems.split()) if isinstance(stems, str) else frozenset())


# ------------------------------------------------------------------------------------ backend

_NETWORK_ERRORS = (MeilisearchError, requests.RequestException)


class MeiliBackend:
    """A Meilisearch index named `index_name`, rebuilt beside the live one and swapped in.

    `health()` is ok when the server answers, even before the index exists (so the application
    can choose this engine and build it); `exists()` says whether the index is there.
    """

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None,
        index_name: str,
        config: SearchConfig,
        client: meilisearch.Client | None = None,
        *,
        timeout: int = 5,
        task_timeout_ms: int = 120_000,
        batch_size: int = 1_000,
    ) -> None:
        if not _INDEX_UID_RE.match(index_name):
            raise ValueError(f"index name {index_name!r}: only a-z, A-Z, 0-9, '-' and '_'")
        self.url = url
        self.index_name = index_name
        self.config = config
        self.analyzer = DutchAnalyzer(config)
        self.client = client or meilisearch.Client(url, api_key, timeout=timeout)
        self.task_timeout_ms = task_timeout_ms
        self.batch_size = batch_size

    # ----------------------------------------------------------------------------- indexing

    def _wait(self, task: TaskInfo) -> None:
        done = self.client.wait_for_task(
            task.task_uid, timeout_in_ms=self.task_timeout_ms, interval_in_ms=100
        )
        if done.status != "succeeded":
            error = done.error or {}
            raise MeiliTaskError(
                f"Meilisearch task {done.uid} ({done.type}) {done.status}: "
                f"{error.get('code', '')} {error.get('message', '')}".strip()
            )

    def _index_exists(self, uid: str) -> bool:
        try:
            self.client.get_raw_index(uid)
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found" or exc.status_code == 404:
                return False
            raise
        return True

    def index(self, documents: Sequence[IndexDocument]) -> None:
        """Build a fresh index beside the live one and swap it in; a failure leaves the live one."""
        words = vocabulary("\n".join((d.title, *d.aliases, d.summary, d.body)) for d in documents)
        analyzer = self.analyzer.with_vocabulary(words)
        converted = [to_meili_document(doc, analyzer) for doc in documents]
        live = self.index_name
        fresh = f"{live}_tmp_{time.time_ns()}"
        swapped = False
        try:
            self._wait(self.client.create_index(fresh, {"primaryKey": "id"}))
            target = self.client.index(fresh)
            self._wait(target.update_settings(index_settings(self.config)))
            for start in range(0, len(converted), self.batch_size):
                batch = converted[start : start + self.batch_size]
                self._wait(target.add_documents(batch, primary_key="id"))
            if not self._index_exists(live):
                self._wait(self.client.create_index(live, {"primaryKey": "id"}))
            self._wait(self.client.swap_indexes([{"indexes": [live, fresh]}]))
            swapped = True
        except _NETWORK_ERRORS as exc:
            self._drop(fresh)
            raise SearchUnavailableError(f"Meilisearch index rebuild failed: {exc}") from exc
        except BaseException:
            self._drop(fresh)
            raise
        finally:
            if swapped:
                # `fresh` now holds the previous index.
                self._drop(fresh)

    def _drop(self, uid: str) -> None:
        try:
            self._wait(self.client.delete_index(uid))
        except (*_NETWORK_ERRORS, MeiliTaskError) as exc:
            logger.warning("Could not delete Meilisearch index %s: %s", uid, exc)

    # ----------------------------------------------------------------------------- reading

    def search(self, query: SearchQuery) -> SearchResult:
        planned = search_requests(query, self.analyzer, index_uid=self.index_name)
        plan = self.analyzer.plan(query.q) if query.q.strip() else None
        if not planned:
            return parse_results(query, [], plan)
        return parse_results(query, self._multi_search(planned), plan)

    def _multi_search(self, planned: list[dict[str, Any]]) -> Sequence[Mapping[str, Any]]:
        """One answer per planned query; every failure is a `SearchUnavailableError`."""
        try:
            response = self.client.multi_search(planned)
        except MeilisearchApiError as exc:
            raise SearchUnavailableError(
                f"Meilisearch refused the search ({exc.code or exc.status_code}): {exc.message}"
            ) from exc
        except _NETWORK_ERRORS as exc:
            raise SearchUnavailableError(f"Meilisearch is unavailable: {exc}") from exc
        results = response.get("results") if isinstance(response, Mapping) else None
        if not isinstance(results, list) or len(results) != len(planned):
            raise SearchUnavailableError("Meilisearch answered the multi-search unexpectedly")
        return results

    def similar(self, text: str, limit: int = 5) -> list[SearchHit]:
        planned = similar_requests(text, self.analyzer, limit, index_uid=self.index_name)
        if not planned:
            return []
        return merge_similar(self._multi_search(planned), limit)

    def exists(self) -> bool:
        """Whether the live index is there (the application builds it on first start if not)."""
        try:
            return self._index_exists(self.index_name)
        except _NETWORK_ERRORS as exc:
            raise SearchUnavailableError(f"Meilisearch is unavailable: {exc}") from exc

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "ok": False,
            "engine": self.name,
            "documents": 0,
            "index": self.index_name,
        }
        try:
            self.client.health()
        except _NETWORK_ERRORS as exc:
            report["error"] = type(exc).__name__
            return report
        report["ok"] = True
        try:
            report["documents"] = self.client.index(self.index_name).get_stats().number_of_documents
        except MeilisearchApiError as exc:
            report["error"] = exc.code or type(exc).__name__
        except _NETWORK_ERRORS as exc:
            report["ok"] = False
            report["error"] = type(exc).__name__
        return report
