"""`python -m bench.relevance`: judged Dutch queries, embedded engine vs. a plain BM25 baseline.

Both engines index the same documents (`index_documents` over `content/`) with the same fields and
the same field boosts (`search/ranking.yaml`). The embedded engine uses everything the repository
configures (Dutch analysis, stop words, synonyms, compounds, typos, prefixes); the baseline is a
tantivy index with the default tokenizer (split on non-alphanumerics, lower-case, nothing else),
queried with a plain OR of the query's tokens.

Metrics per query (`relevant` lists the entries that should come first, best first):

- success@5: 1 when any relevant entry is in the top 5, else 0;
- MRR: 1 / rank of the first relevant entry in the top 10 (0 when none);
- nDCG@10: graded, position i in `relevant` has grade len(relevant) - i; gain = grade,
  discount = log2(rank + 1); normalised by the ideal ordering of the same grades.

The exit code is 0 (it is a report) unless `--fail-if-worse` is given and the embedded engine
scores below the baseline on any of the three metrics.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tantivy
import yaml

from kb.interventions.catalogue import Catalogue
from kb.interventions.indexing import index_documents
from kb.interventions.loader import load_entries
from kb.search.base import IndexDocument, SearchQuery
from kb.search.config import load_search_config
from kb.search.embedded import EmbeddedBackend

__all__ = [
    "METRICS",
    "BaselineBM25",
    "JudgedQuery",
    "baseline_terms",
    "evaluate",
    "load_queries",
    "main",
    "ndcg_at",
    "reciprocal_rank",
    "success_at",
]

REPO = Path(__file__).resolve().parent.parent
QUERIES = Path(__file__).resolve().parent / "queries.yaml"
RESULTS = Path(__file__).resolve().parent / "results"
WHO = ("rechter", "raadsonderzoeker", "loketmedewerker", "ouder")
TYPES = ("exact", "typo", "plural", "compound", "abbreviation", "synonym", "question", "prefix")
METRICS = ("success@5", "MRR", "nDCG@10")
TOP_K = 10
TEXT_FIELDS = ("title", "aliases", "summary", "body")
MAX_BASELINE_TERMS = 32


# --------------------------------------------------------------------------- judged queries


@dataclass(frozen=True)
class JudgedQuery:
    q: str
    relevant: tuple[str, ...]
    who: str
    type: str


def load_queries(path: Path = QUERIES) -> list[JudgedQuery]:
    """Read `queries.yaml`; raise `ValueError` naming the first malformed query."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a top-level 'queries' list")
    queries = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ValueError(f"{path}: queries[{i}] is not a mapping")
        q, relevant, who, kind = (item.get(k) for k in ("q", "relevant", "who", "type"))
        if not isinstance(q, str) or not q.strip():
            raise ValueError(f"{path}: queries[{i}].q must be non-empty text")
        if not (
            isinstance(relevant, list) and relevant and all(isinstance(s, str) for s in relevant)
        ):
            raise ValueError(f"{path}: queries[{i}] ({q!r}).relevant must list slugs")
        if len(set(relevant)) != len(relevant):
            raise ValueError(f"{path}: queries[{i}] ({q!r}).relevant has a duplicate")
        if who not in WHO:
            raise ValueError(f"{path}: queries[{i}] ({q!r}).who must be one of {WHO}")
        if kind not in TYPES:
            raise ValueError(f"{path}: queries[{i}] ({q!r}).type must be one of {TYPES}")
        queries.append(JudgedQuery(q=q, relevant=tuple(relevant), who=who, type=kind))
    return queries


# --------------------------------------------------------------------------- metrics


def _first_relevant_rank(ranking: Sequence[str], relevant: Sequence[str], k: int) -> int | None:
    wanted = set(relevant)
    for rank, slug in enumerate(ranking[:k], start=1):
        if slug in wanted:
            return rank
    return None


def success_at(ranking: Sequence[str], relevant: Sequence[str], k: int = 5) -> float:
    """1.0 when any relevant entry is among the first `k` results."""
    return 1.0 if _first_relevant_rank(ranking, relevant, k) is not None else 0.0


def reciprocal_rank(ranking: Sequence[str], relevant: Sequence[str], k: int = TOP_K) -> float:
    """1 / rank of the first relevant result within the first `k` (0.0 when there is none)."""
    rank = _first_relevant_rank(ranking, relevant, k)
    return 0.0 if rank is None else 1.0 / rank


def ndcg_at(ranking: Sequence[str], relevant: Sequence[str], k: int = TOP_K) -> float:
    """Graded nDCG@k: `relevant[i]` has grade len(relevant) - i, others 0; gain = grade."""
    grades = {slug: len(relevant) - i for i, slug in enumerate(relevant)}
    dcg = sum(grades.get(slug, 0) / math.log2(rank + 1) for rank, slug in enumerate(ranking[:k], 1))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 1) for rank, grade in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def query_metrics(ranking: Sequence[str], relevant: Sequence[str]) -> dict[str, float]:
    return {
        "success@5": success_at(ranking, relevant, 5),
        "MRR": reciprocal_rank(ranking, relevant, TOP_K),
        "nDCG@10": ndcg_at(ranking, relevant, TOP_K),
    }


def mean_metrics(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return dict.fromkeys(METRICS, 0.0)
    return {m: sum(r[m] for r in rows) / len(rows) for m in METRICS}


# --------------------------------------------------------------------------- the baseline


def _default_analyzer() -> tantivy.TextAnalyzer:
    # tantivy's "default" tokenizer: split on non-alphanumerics, drop tokens over 40 bytes, lower-case.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


_ANALYZER = _default_analyzer()


def baseline_terms(q: str) -> list[str]:
    """The query's tokens as the baseline indexes text, without any query syntax.

    Quotes, colons, brackets, `+`/`-`, `^`, `~` and `*` are separators to the tokenizer, and
    `AND`/`OR`/`NOT` become ordinary lower-case words: the baseline never parses a query language,
    so odd text cannot raise. Duplicates are dropped; at most 32 terms.
    """
    seen: dict[str, None] = {}
    for token in _ANALYZER.analyze(q):
        seen.setdefault(token, None)
        if len(seen) >= MAX_BASELINE_TERMS:
            break
    return list(seen)


class BaselineBM25:
    """Plain BM25 over the same text fields and boosts, default tokenizer, OR of the query tokens."""

    name = "baseline"

    def __init__(self, field_boosts: dict[str, float]) -> None:
        self.field_boosts = {f: float(field_boosts.get(f, 1.0)) for f in TEXT_FIELDS}
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("slug", stored=True, tokenizer_name="raw")
        for name in TEXT_FIELDS:
            builder.add_text_field(name, stored=False, tokenizer_name="default")
        self.schema = builder.build()
        self.index_ = tantivy.Index(self.schema)  # in memory

    def index(self, documents: Sequence[IndexDocument]) -> None:
        writer = self.index_.writer(heap_size=64_000_000, num_threads=1)
        for doc in documents:
            writer.add_document(
                tantivy.Document(
                    slug=doc.slug,
                    title=doc.title,
                    aliases=list(doc.aliases),
                    summary=doc.summary,
                    body=doc.body,
                )
            )
        writer.commit()
        writer.wait_merging_threads()
        self.index_.reload()

    def query(self, q: str) -> tantivy.Query | None:
        per_term = []
        for term in baseline_terms(q):
            per_field = [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.term_query(self.schema, field, term), boost
                    ),
                )
                for field, boost in self.field_boosts.items()
            ]
            per_term.append((tantivy.Occur.Should, tantivy.Query.boolean_query(per_field)))
        return tantivy.Query.boolean_query(per_term) if per_term else None

    def search(self, q: str, k: int = TOP_K) -> list[str]:
        query = self.query(q)
        if query is None:
            return []
        searcher = self.index_.searcher()
        result = searcher.search(query, k)
        return [str(searcher.doc(address).get_first("slug")) for _, address in result.hits]


# --------------------------------------------------------------------------- evaluation


@dataclass
class EngineRun:
    name: str
    rankings: dict[str, list[str]] = field(default_factory=dict)
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)


def _embedded(documents: Sequence[IndexDocument], search_dir: Path, tmp: Path) -> Any:
    backend = EmbeddedBackend(tmp / "index", load_search_config(search_dir))
    backend.index(documents)
    return backend


def evaluate(
    queries: Sequence[JudgedQuery],
    content_dir: Path,
    search_dir: Path,
    proposals: Sequence[JudgedProposal] = (),
) -> dict[str, Any]:
    """Index the content in both engines, run every judged query (and the duplicate warning's
    judged proposals), return the full report."""
    documents = index_documents(Catalogue(tuple(load_entries(content_dir))))
    config = load_search_config(search_dir)
    baseline = BaselineBM25(dict(config.ranking.field_boosts))
    baseline.index(documents)
    with tempfile.TemporaryDirectory(prefix="kb-relevance-") as tmp:
        embedded = _embedded(documents, search_dir, Path(tmp))
        runs = {"embedded": EngineRun("embedded"), "baseline": EngineRun("baseline")}
        for jq in queries:
            result = embedded.search(SearchQuery(q=jq.q, per_page=TOP_K, facets=False))
            runs["embedded"].rankings[jq.q] = [h.slug for h in result.hits]
            runs["baseline"].rankings[jq.q] = baseline.search(jq.q, TOP_K)
        slugs = {doc.slug for doc in documents}
        duplicates = evaluate_duplicates(proposals, embedded, slugs) if proposals else None
    for run in runs.values():
        for jq in queries:
            run.per_query[jq.q] = query_metrics(run.rankings[jq.q], jq.relevant)
    report = _report(queries, runs, len(documents))
    if duplicates is not None:
        report["duplicate_warning"] = duplicates
    return report


def _report(
    queries: Sequence[JudgedQuery], runs: dict[str, EngineRun], documents: int
) -> dict[str, Any]:
    def summary(subset: Sequence[JudgedQuery]) -> dict[str, Any]:
        return {
            "n": len(subset),
            **{
                name: mean_metrics([run.per_query[jq.q] for jq in subset])
                for name, run in runs.items()
            },
        }

    by_type = {t: summary([jq for jq in queries if jq.type == t]) for t in TYPES}
    by_who = {w: summary([jq for jq in queries if jq.who == w]) for w in WHO}
    per_query = []
    for jq in queries:
        row: dict[str, Any] = asdict(jq)
        row["relevant"] = list(jq.relevant)
        for name, run in runs.items():
            row[name] = {"top5": run.rankings[jq.q][:5], **run.per_query[jq.q]}
        per_query.append(row)
    misses = [
        {
            "q": jq.q,
            "type": jq.type,
            "expected": jq.relevant[0],
            "embedded_top5": runs["embedded"].rankings[jq.q][:5],
        }
        for jq in queries
        if runs["embedded"].per_query[jq.q]["success@5"] == 0.0
    ]
    return {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "documents": documents,
        "queries": len(queries),
        "metrics": {
            "success@5": "any relevant entry in the top 5",
            "MRR": "1/rank of the first relevant entry within the top 10",
            "nDCG@10": "graded: relevant[i] has grade len(relevant)-i; gain=grade, log2 discount",
        },
        "baseline": "tantivy, default tokenizer (lowercase only), same fields and boosts, OR of tokens",
        "overall": summary(list(queries)),
        "by_type": {t: s for t, s in by_type.items() if s["n"]},
        "by_who": {w: s for w, s in by_who.items() if s["n"]},
        "embedded_misses": misses,
        "per_query": per_query,
    }


# --------------------------------------------------------------------------- duplicate warning

DUPLICATES = Path(__file__).resolve().parent / "duplicates.yaml"
DUPLICATE_TOP = 3
DUPLICATE_TARGET = 0.9


@dataclass(frozen=True)
class JudgedProposal:
    title: str
    summary: str
    expected: str


def load_proposals(path: Path = DUPLICATES) -> list[JudgedProposal]:
    """Read `duplicates.yaml`; raise `ValueError` naming the first malformed item."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw = data.get("proposals") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        raise ValueError(f"{path}: expected a top-level 'proposals' list")
    items = []
    for i, item in enumerate(raw):
        values = [
            item.get(k) if isinstance(item, dict) else None
            for k in ("title", "summary", "expected")
        ]
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise ValueError(f"{path}: proposals[{i}] needs title, summary and expected")
        items.append(JudgedProposal(*values))
    return items


def evaluate_duplicates(
    proposals: Sequence[JudgedProposal], backend: Any, slugs: set[str]
) -> dict[str, Any]:
    """The duplicate-pilot warning (`SearchBackend.similar`): is the entry a proposal repeats
    among the first `DUPLICATE_TOP` similar ones?"""
    rows = []
    for p in proposals:
        if p.expected not in slugs:
            raise ValueError(f"duplicates.yaml: '{p.expected}' is no entry in the content")
        ranking = [hit.slug for hit in backend.similar(f"{p.title}\n{p.summary}", 5)]
        rank = ranking.index(p.expected) + 1 if p.expected in ranking else None
        rows.append({"title": p.title, "expected": p.expected, "rank": rank, "top5": ranking})
    hits = sum(1 for r in rows if r["rank"] is not None and r["rank"] <= DUPLICATE_TOP)
    share = hits / len(rows) if rows else 0.0
    return {
        "proposals": len(rows),
        f"in_top_{DUPLICATE_TOP}": hits,
        "share": round(share, 3),
        "first": sum(1 for r in rows if r["rank"] == 1),
        "target": DUPLICATE_TARGET,
        "met": share >= DUPLICATE_TARGET,
        "per_proposal": rows,
    }


def format_duplicates(result: dict[str, Any]) -> str:
    lines = [
        f"Duplicate-pilot warning ({result['proposals']} paraphrased proposals, "
        f"bench/duplicates.yaml): the repeated entry in the top {DUPLICATE_TOP} for "
        f"{result[f'in_top_{DUPLICATE_TOP}']} ({result['share']:.0%}; target "
        f"≥ {result['target']:.0%}: {'met' if result['met'] else 'missed'}), first for "
        f"{result['first']}."
    ]
    for row in result["per_proposal"]:
        if row["rank"] is None or row["rank"] > DUPLICATE_TOP:
            lines.append(f"  miss: {row['title']!r}: wanted {row['expected']}; got {row['top5']}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- printing


def format_table(report: dict[str, Any]) -> str:
    head1 = f"{'':22}{'':>4}  " + "  ".join(f"{m:^17}" for m in METRICS)
    head2 = f"{'queries':22}{'n':>4}  " + "  ".join(
        f"{'embedded':>8} {'baseline':>8}" for _ in METRICS
    )
    lines = [head1, head2, "-" * len(head2)]

    def row(label: str, s: dict[str, Any]) -> str:
        cells = "  ".join(f"{s['embedded'][m]:>8.3f} {s['baseline'][m]:>8.3f}" for m in METRICS)
        return f"{label:22}{s['n']:>4}  {cells}"

    lines.append(row("all", report["overall"]))
    lines.append("")
    lines += [row(f"type {t}", s) for t, s in report["by_type"].items()]
    lines.append("")
    lines += [row(f"who {w}", s) for w, s in report["by_who"].items()]
    return "\n".join(lines)


def format_misses(report: dict[str, Any]) -> str:
    misses = report["embedded_misses"]
    if not misses:
        return "Embedded misses (no relevant entry in the top 5): none."
    lines = [f"Embedded misses (no relevant entry in the top 5): {len(misses)}"]
    for miss in misses:
        top = ", ".join(miss["embedded_top5"]) or "(no results)"
        lines.append(f"  [{miss['type']}] {miss['q']!r}: wanted {miss['expected']}; got {top}")
    return "\n".join(lines)


def worse_metrics(report: dict[str, Any]) -> list[str]:
    overall = report["overall"]
    return [m for m in METRICS if overall["embedded"][m] < overall["baseline"][m] - 1e-9]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.relevance",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--duplicates", type=Path, default=DUPLICATES)
    parser.add_argument("--content", type=Path, default=REPO / "content")
    parser.add_argument("--search", type=Path, default=REPO / "search")
    parser.add_argument("--out", type=Path, default=RESULTS / "relevance.json")
    parser.add_argument(
        "--fail-if-worse",
        action="store_true",
        help="exit 1 when the embedded engine is below the baseline on any overall metric",
    )
    args = parser.parse_args(argv)

    queries = load_queries(args.queries)
    report = evaluate(queries, args.content, args.search, load_proposals(args.duplicates))
    print(
        f"Relevance: {report['queries']} judged queries over {report['documents']} entries "
        "(embedded = repository search settings; baseline = plain BM25, lowercase only)\n"
    )
    print(format_table(report))
    print()
    print(format_misses(report))
    print()
    print(format_duplicates(report["duplicate_warning"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten: {args.out}")
    worse = worse_metrics(report)
    if worse:
        print(f"Embedded is below the baseline on: {', '.join(worse)}")
        if args.fail_if_worse:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
