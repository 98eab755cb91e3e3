"""Fast checks of the relevance harness and benchmark tools (no timing assertions)."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import stat
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from bench.corpus import (
    entries_to_documents,
    generate_documents,
    generate_entries,
    write_content,
    write_sqlite,
)
from bench.noop import NOOP_PATH as NOOP_APP_PATH
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
    CASE_JSON,
    NOOP_PATH,
    TARGETS,
    RotQuery,
    WrkRequest,
    as_you_type_prefixes,
    build_rotation,
    datasette_path,
    evaluate_targets,
    json_headers,
    kb_path,
    mean_rps,
    parse_wrk,
    percentiles,
    relative_figures,
    summary_text,
    throughput_ratio,
    timing_summary,
    write_wrk_request,
    wrk,
    wrk_command,
)

from kb.interventions.loader import load_entries
from kb.search.base import IndexDocument
from tests.factories import documents_from
from tests.helpers import CONTENT

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
    """The real content as search documents: the baseline is judged on what readers search."""
    return documents_from(CONTENT)


@pytest.fixture(scope="module")
def baseline(real_documents: list[IndexDocument]) -> BaselineBM25:
    """The plain-BM25 baseline of the benchmark over the real content, built once per module."""
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
    # The size and seed the fault suite indexes: every generated file must pass `kb check`.
    entries = generate_entries(400)
    assert write_content(entries, tmp_path) == 400
    loaded = load_entries(tmp_path)
    assert {e.slug for e in loaded} == {e.slug for e in entries}
    by_slug = {d.slug: d for d in entries_to_documents(entries)}
    for entry in loaded:
        assert entry.title == by_slug[entry.slug].title


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


# --------------------------------------------------------------------------- relative throughput


def test_wrk_command_sends_a_bare_get_unless_told_otherwise(tmp_path: Path) -> None:
    paths = tmp_path / "paths.txt"
    command = wrk_command("wrk", 8123, paths, 10, connections=4, threads=1)
    assert command[:4] == ["wrk", "-t1", "-c4", "-d10s"]
    assert command[-3:] == ["http://127.0.0.1:8123", "--", str(paths)]  # as before: GET only
    request = WrkRequest("POST", tmp_path / "body", tmp_path / "headers.txt")
    command = wrk_command("wrk", 8123, paths, 10, connections=4, threads=1, request=request)
    assert command[-4:] == [
        str(paths),
        "method=POST",
        f"body={tmp_path / 'body'}",
        f"headers={tmp_path / 'headers.txt'}",
    ]


def test_request_files_keep_the_token_off_the_command_line(tmp_path: Path) -> None:
    headers = json_headers("secret-token")
    request = write_wrk_request(tmp_path, "evaluate", "POST", b'{"a":1}', headers)
    assert request.body_file is not None and request.headers_file is not None
    assert request.body_file.read_bytes() == b'{"a":1}'
    assert request.headers_file.read_text(encoding="utf-8").splitlines() == [
        "Authorization: Bearer secret-token",
        "Content-Type: application/json",
    ]
    assert stat.S_IMODE(request.headers_file.stat().st_mode) == 0o600
    assert not any("secret-token" in arg for arg in request.script_args())
    assert write_wrk_request(tmp_path, "plain", "GET", None, {}) == WrkRequest()
    assert json_headers("t", '"1-2"')["If-Match"] == '"1-2"'


def test_parse_wrk_output() -> None:
    line = (
        'WRKJSON {"requests":5000,"duration_us":10000000,"bytes":20000000,'
        '"errors":{"connect":0,"read":0,"write":0,"status":3,"timeout":0},'
        '"latency_us":{"min":100,"mean":800.0,"max":9000,"stdev":50.0,'
        '"p50":700,"p90":1200,"p95":1500,"p99":4000}}'
    )
    result = parse_wrk("Running 10s test\n" + line + "\n", connections=4, threads=1)
    assert result is not None
    assert result["requests_per_s"] == 500.0
    assert result["non_2xx_or_errors"] == 3
    assert result["latency_ms"]["p95"] == 1.5 and result["latency_ms"]["mean"] == 0.8
    assert result["mb_per_s"] == 2.0
    assert parse_wrk("no summary line", 4, 1) is None


def test_throughput_ratio_only_for_error_free_runs() -> None:
    clean = {"requests_per_s": 600.0, "non_2xx_or_errors": 0}
    assert throughput_ratio(clean, 2000.0) == 0.3
    assert throughput_ratio({**clean, "non_2xx_or_errors": 2}, 2000.0) is None
    assert throughput_ratio(clean, None) is None
    assert throughput_ratio(clean, 0.0) is None
    floor = mean_rps(
        {"requests_per_s": 2000.0, "non_2xx_or_errors": 0},
        {"requests_per_s": 1800.0, "non_2xx_or_errors": 0},
        {"requests_per_s": 10.0, "non_2xx_or_errors": 1},  # a broken run does not count
    )
    assert floor == 1900.0
    assert mean_rps({"requests_per_s": 10.0, "non_2xx_or_errors": 1}) is None


def test_relative_figures_divide_by_the_mean_floor() -> None:
    def run(rps: float, errors: int = 0) -> dict[str, Any]:
        return {"requests_per_s": rps, "non_2xx_or_errors": errors, "errors": {"status": errors}}

    runs = {
        "noop_before": run(2100.0),
        "noop_after": run(1900.0),
        "search": run(700.0),
        "evaluate": run(150.0, errors=4),
    }
    figures = relative_figures(runs)
    assert figures["noop"]["requests_per_s"] == 2000.0
    assert figures["noop"]["before"] is runs["noop_before"]
    assert figures["search"]["ratio_to_noop"] == 0.35
    assert figures["search"]["path"] == "/api/v1/interventions?q=omgangsregeling"
    assert figures["evaluate"]["ratio_to_noop"] is None  # 4 answers ≥ 400: not a measurement
    assert figures["evaluate"]["errors"] == {"status": 4}


def test_timing_summary() -> None:
    stats = timing_summary([float(i) for i in range(20, 0, -1)])
    assert stats == {"n": 20, "median": 10.5, "p95": 19.0, "min": 1.0, "max": 20.0, "mean": 10.5}
    assert timing_summary([]) == {"n": 0}


def _relative_report(search: float | None, evaluate: float | None, pdf: float) -> dict[str, Any]:
    def run(rps: float, ratio: float | None) -> dict[str, Any]:
        wrk_run = {"requests_per_s": rps, "non_2xx_or_errors": 0, "latency_ms": {"p50": 1.0}}
        return {"requests_per_s": rps, "ratio_to_noop": ratio, "wrk": wrk_run}

    return {
        "sizes": {},
        "relative_throughput": {
            "settings": {"wrk": {"threads": 1, "connections": 4, "duration_s": 10}},
            "noop": {
                "requests_per_s": 2000.0,
                "before": {"requests_per_s": 2050.0},
                "after": {"requests_per_s": 1950.0},
            },
            "search": run(700.0, search),
            "search_uncached": run(400.0, 0.2),
            "evaluate": run(150.0, evaluate),
            "report_pdf": {
                "warmup_ms": [900.0],
                "timings_ms": {"n": 20, "median": pdf, "p95": pdf, "min": pdf, "max": pdf},
            },
        },
    }


def test_relative_targets_are_evaluated() -> None:
    assert (TARGETS["search_vs_noop_ratio"], TARGETS["evaluate_vs_noop_ratio"]) == (0.30, 0.10)
    assert TARGETS["report_pdf_median_ms"] == 500.0
    rows = evaluate_targets(_relative_report(0.35, 0.05, 640.0))
    assert [(r["goal"], r["measured"], r["met"]) for r in rows[-4:]] == [
        ("≥ 0.3", 0.35, True),
        ("≥ 0.3", 0.2, False),  # without the result cache: context beside the target
        ("≥ 0.1", 0.05, False),
        ("≤ 500", 640.0, False),
    ]
    assert "[context]" in rows[-3]["target"] and "[context]" not in rows[-4]["target"]
    rows = evaluate_targets(_relative_report(None, 0.1, 500.0))
    assert [r["met"] for r in rows[-4:]] == [None, False, True, True]  # errors: no ratio
    # The size phases were not run: their targets say so instead of failing.
    assert all(r["met"] is None for r in rows[:-4])
    assert [r["met"] for r in evaluate_targets({"sizes": {}})[-4:]] == [None] * 4


def test_summary_of_the_relative_phase_alone() -> None:
    report = _relative_report(0.35, 0.12, 420.0)
    report["targets"] = evaluate_targets(report)
    text = summary_text(report)
    assert "entries" not in text  # no table of sizes
    assert "no-op Litestar 2000.0 req/s (before 2050.0, after 1950.0)" in text
    assert "search 700.0 req/s, ratio 0.35" in text
    assert "search_uncached 400.0 req/s, ratio 0.2" in text
    assert "median 420.0 ms" in text
    failed = summary_text({"sizes": {}, "targets": [], "relative_throughput_error": "boom"})
    assert "Relative throughput failed: boom" in failed


def test_noop_path_and_case_file() -> None:
    assert NOOP_PATH == NOOP_APP_PATH
    case = json.loads(CASE_JSON.read_text(encoding="utf-8"))
    # The judge of the benchmark (demo account `rechter`) sits at this court.
    assert case["case"]["court"] == "Rechtbank Amsterdam"
    assert {"case", "safety", "conflict", "children", "parents", "assessment"} <= set(case)
    assert [child["ref"] for child in case["children"]] == ["K1", "K2"]


class _Recorder(BaseHTTPRequestHandler):
    """Answers every request with `status` and keeps what it received."""

    protocol_version = "HTTP/1.1"
    status = 200
    received: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.received.append((self.command, self.path, dict(self.headers.items()), body))
        self.send_response(self.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture()
def recorder() -> Iterator[tuple[int, type[_Recorder]]]:
    """A local HTTP server that keeps what wrk sends it, and its port, to check wrk's requests."""
    handler = type("Handler", (_Recorder,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_rotate_lua_posts_the_body_and_headers(
    tmp_path: Path, recorder: tuple[int, type[_Recorder]]
) -> None:
    port, handler = recorder
    paths = tmp_path / "paths.txt"
    paths.write_text("/api/v1/conflict-analyses/evaluate\n", encoding="utf-8")
    body = '{"case":{"court":"Rechtbank Amsterdam"},"naam":"Zoë"}'.encode()
    request = write_wrk_request(tmp_path, "evaluate", "POST", body, json_headers("tok"))
    result = wrk(port, paths, 1, connections=1, threads=1, request=request)
    assert result["requests"] > 0 and result["non_2xx_or_errors"] == 0
    method, path, headers, received = handler.received[0]
    assert (method, path, received) == ("POST", "/api/v1/conflict-analyses/evaluate", body)
    assert headers["Authorization"] == "Bearer tok"
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(body)
    # wrk counts answers of 400 and above as errors: a rejected request cannot pass unseen.
    handler.status = 422
    assert wrk(port, paths, 1, connections=1, threads=1, request=request)["errors"]["status"] > 0
