"""`python -m bench.run [--sizes 1000,10000,100000] [--quick] [--only relative]`: the benchmark.

Per corpus size (bench/corpus.py scales the real content deterministically):

1. Engine, in a child process (so its peak memory is its own): documents generated, the embedded
   engine's index built (time, size on disk), then a rotation of ~600 distinct queries (judged
   queries, title words and pairs, 1–4-letter as-you-type prefixes, browsing without text; about
   half with filters kind/age/evidence_min/glasl_phase; facets always on, 20 per page) timed per
   call, plus the same query repeated (what caches give).
2. HTTP, for sizes up to 10,000 only: the corpus written as content files, `kb index` (time, peak
   memory), `kb serve` (cold start = process start → first 200 on /api/v1/health), wrk against
   127.0.0.1 with bench/rotate.lua rotating the same queries as API paths (8 connections, 2
   threads, and 1 connection), a raw single-client pass (Python, keep-alive), peak RSS of the
   server after load. Then the same rotation against Datasette serving a SQLite FTS5 database of
   the same corpus (`?_search=`, column filters, `_facet=`/`_facet_array=` for the same facets):
   a time-bounded single-client pass and wrk with 8 connections for at least 20 s.
   At 100,000 the figures are engine-level only: writing and validating 100,000 content files
   for `kb serve` is a different benchmark.
3. Once, on the real content: as-you-type latency over HTTP (prefixes of 1–8 letters of real
   title words).
4. Relative throughput (`--only relative` runs it alone): one process per server, the same wrk
   settings for each; req/s of the search API (q=omgangsregeling, facets) and of the conflict
   analysis `evaluate` endpoint (bench/case.json as a raadsonderzoeker) divided by the req/s of a
   no-op Litestar endpoint (bench/noop.py); then the judge's report.pdf timed one request at a
   time.

Everything is bounded in time and talks to 127.0.0.1 only. Figures go to
bench/results/bench-<date>.json (bench-<date>-quick.json with --quick) and bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
ROTATE_LUA = BENCH / "rotate.lua"
SEARCH_DIR = REPO / "search"
CONTENT_DIR = REPO / "content"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

HTTP_MAX_SIZE = 10_000
ROTATION_SIZE = 600  # distinct queries; more than the engine's facet cache (512)
PER_PAGE = 20
KINDS_FOR_FILTERS = ("interventie", "voorziening", "werkwijze", "pilot", "instrument")
DATASETTE_DB = "corpus"
DATASETTE_FACETS = ("kind", "status", "evidence_level")
DATASETTE_ARRAY_FACETS = ("audience", "route", "format", "glasl_phases", "arrondissements")
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)

# The relative-throughput phase: every server one process, the same wrk settings for each.
RELATIVE_WRK = {"threads": 1, "connections": 4, "warmup_s": 2}
NOOP_PATH = "/noop"  # what bench/noop.py serves
RELATIVE_SEARCH_PATH = "/api/v1/interventions?q=omgangsregeling"  # facets are always on
TOKEN_PATH = "/api/v1/auth/token"
ANALYSES_PATH = "/api/v1/conflict-analyses"
EVALUATE_PATH = ANALYSES_PATH + "/evaluate"
CASE_JSON = BENCH / "case.json"
DEMO_PASSWORD = "kennisbank-demo"  # kb's published demo password (KB_DEMO=1)
REPORT_PDF_WARMUP = 1
REPORT_PDF_RUNS = 20

TARGETS = {
    "api_p95_ms_10k": 10.0,
    "throughput_vs_datasette_10k": 20.0,
    "engine_p50_ms_10k": 1.0,
    "index_build_s_10k": 10.0,
    "kb_serve_peak_rss_mb_10k": 400.0,
    "as_you_type_p95_ms_real": 10.0,
    "search_vs_noop_ratio": 0.30,
    "evaluate_vs_noop_ratio": 0.10,
    "report_pdf_median_ms": 500.0,
}


@dataclass(frozen=True)
class Sources:
    """The content and search settings a run uses: a snapshot taken when the run starts, so that
    edits made in the working tree during a long run cannot change the corpus half-way (and
    make `kb serve` rebuild an index that `kb index` has just built)."""

    content: Path
    search: Path

    @classmethod
    def snapshot(cls, root: Path) -> Sources:
        target = root / "snapshot"
        shutil.copytree(CONTENT_DIR, target / "content")
        shutil.copytree(SEARCH_DIR, target / "search")
        return cls(target / "content", target / "search")

    def fingerprint(self) -> dict[str, str]:
        def digest(folder: Path) -> str:
            h = hashlib.sha256()
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
            return h.hexdigest()[:16]

        return {"content_sha256_16": digest(self.content), "search_sha256_16": digest(self.search)}


# --------------------------------------------------------------------------- query rotation


@dataclass(frozen=True)
class RotQuery:
    """One query of the rotation: text (may be empty), its category and its filters."""

    q: str
    category: str  # judged | word | pair | prefix | browse
    filters: dict[str, Any] = field(default_factory=dict)
    prefix: bool = False  # the last word is being typed


def _random_filters(rng: random.Random) -> dict[str, Any]:
    choice = rng.randrange(6)
    if choice == 0:
        return {"kind": rng.choice(KINDS_FOR_FILTERS)}
    if choice == 1:
        return {"age": rng.randint(3, 16)}
    if choice == 2:
        return {"evidence_min": rng.choice((1, 2, 3, 4))}
    if choice == 3:
        return {"glasl_phase": rng.randint(1, 3)}
    if choice == 4:
        return {"kind": rng.choice(KINDS_FOR_FILTERS), "age": rng.randint(3, 16)}
    return {"age": rng.randint(3, 16), "glasl_phase": rng.randint(1, 3)}


def title_words(titles: Sequence[str]) -> list[str]:
    words: dict[str, None] = {}
    for title in titles:
        for word in WORD_RE.findall(title.lower()):
            if len(word) >= 3 and not word.isdigit():
                words.setdefault(word, None)
    return list(words)


def _key(item: RotQuery) -> tuple[str, tuple[tuple[str, Any], ...]]:
    return item.q, tuple(sorted(item.filters.items()))


def build_rotation(
    judged: Sequence[tuple[str, str]],
    titles: Sequence[str],
    seed: int,
    size: int = ROTATION_SIZE,
    filtered_share: float = 0.4,
) -> list[RotQuery]:
    """A deterministic rotation of up to `size` distinct queries (text + filters).

    `judged` holds (q, type) pairs from bench/queries.yaml; `titles` are the corpus's titles. The
    mix: every judged query, then title words, pairs of title words and 1–4-letter prefixes
    (as you type), and about 5% browsing without text; `filtered_share` of them with filters.
    Distinct, so that a rotation larger than the engine's result caches measures the work, not
    the caches.
    """
    rng = random.Random(seed)
    words = title_words(titles)
    long_words = [w for w in words if len(w) >= 4] or words
    seen: set[tuple[str, tuple[tuple[str, Any], ...]]] = set()
    result: list[RotQuery] = []

    def add(item: RotQuery, filtered: bool) -> bool:
        if filtered:
            item = RotQuery(item.q, item.category, _random_filters(rng), item.prefix)
        if _key(item) in seen:
            return False
        seen.add(_key(item))
        result.append(item)
        return True

    for q, kind in judged:
        add(RotQuery(q, "judged", prefix=kind == "prefix"), rng.random() < filtered_share)
    browse = max(12, size // 20)
    add(RotQuery("", "browse"), False)
    rest = max(0, size - len(result) - browse)
    makers = {
        "word": (rest - rest * 2 // 5 - rest // 5, lambda: RotQuery(rng.choice(words), "word")),
        "pair": (rest // 5, lambda: RotQuery(" ".join(rng.sample(words, 2)), "pair")),
        "prefix": (
            rest * 2 // 5,
            lambda: RotQuery(rng.choice(long_words)[: rng.randint(1, 4)], "prefix", prefix=True),
        ),
        "browse": (browse - 1, lambda: RotQuery("", "browse")),
    }
    for category, (count, make) in makers.items():
        added = attempts = 0
        while added < count and attempts < count * 50:
            attempts += 1
            filtered = category == "browse" or rng.random() < filtered_share
            added += add(make(), filtered)
    rng.shuffle(result)
    return result


def as_you_type_prefixes(titles: Sequence[str], seed: int, size: int = ROTATION_SIZE) -> list[str]:
    """Distinct prefixes of 1–8 letters of the title words (at most `size`), shuffled."""
    prefixes: dict[str, None] = {}
    for word in title_words(titles):
        for n in range(1, min(8, len(word)) + 1):
            prefixes.setdefault(word[:n], None)
    pool = list(prefixes)
    rng = random.Random(seed)
    return rng.sample(pool, min(size, len(pool)))


def kb_path(item: RotQuery) -> str:
    params: dict[str, Any] = {}
    if item.q:
        params["q"] = item.q
    params.update(item.filters)
    params["per_page"] = PER_PAGE
    return "/api/v1/interventions?" + urllib.parse.urlencode(params)


def datasette_search(item: RotQuery) -> tuple[str, bool]:
    """The `_search` text and whether raw mode is needed (a typed prefix: `"word" "pre"*`)."""
    if item.prefix:
        tokens = WORD_RE.findall(item.q)
        if tokens:
            head = " ".join(f'"{t}"' for t in tokens[:-1])
            return (f'{head} "{tokens[-1]}"*').strip(), True
    return item.q, False


def datasette_path(item: RotQuery, db: str = DATASETTE_DB) -> str:
    params: list[tuple[str, Any]] = []
    if item.q.strip():
        text, raw = datasette_search(item)
        params.append(("_search", text))
        if raw:
            params.append(("_searchmode", "raw"))
    f = item.filters
    if "kind" in f:
        params.append(("kind", f["kind"]))
    if "age" in f:
        params += [("age_min__lte", f["age"]), ("age_max__gte", f["age"])]
    if "evidence_min" in f:
        params.append(("evidence_level__gte", f["evidence_min"]))
    if "glasl_phase" in f:
        params.append(("glasl_match__arraycontains", f["glasl_phase"]))
    params += [("_facet", name) for name in DATASETTE_FACETS]
    params += [("_facet_array", name) for name in DATASETTE_ARRAY_FACETS]
    params += [("_size", PER_PAGE), ("_nocol", "body")]
    return f"/{db}/interventions.json?" + urllib.parse.urlencode(params)


def search_query_kwargs(item: RotQuery) -> dict[str, Any]:
    return {"q": item.q, "per_page": PER_PAGE, "facets": True, **item.filters}


# --------------------------------------------------------------------------- small helpers


def percentiles(values_ms: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (nearest rank), mean and max, in the unit given, rounded to 3 decimals."""
    if not values_ms:
        return {"n": 0}
    ordered = sorted(values_ms)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return {
        "n": len(ordered),
        "p50": round(rank(50), 3),
        "p95": round(rank(95), 3),
        "p99": round(rank(99), 3),
        "mean": round(sum(ordered) / len(ordered), 3),
        "max": round(ordered[-1], 3),
    }


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def proc_status_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    return None


def group_pids(pgid: int) -> list[int]:
    """The processes of a process group: `kb serve` with workers is several processes."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # Fields after the command name: state, ppid, pgrp, …
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            pids.append(int(entry.name))
    return pids


def pss_kb(pid: int) -> int | None:
    """Proportional set size: pages shared between processes (libraries, the mmap'd index) are
    divided among them, so the sum over a process tree counts each page once."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
        return None
    return None


class MemorySampler:
    """Samples a process group's summed PSS every 0.2 s in a thread; keeps the peak."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid
        self.peak_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = sum(pss_kb(pid) or 0 for pid in group_pids(self.pgid))
            self.peak_pss_kb = max(self.peak_pss_kb, total)
            self._stop.wait(0.2)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_judged() -> list[tuple[str, str]]:
    from bench.relevance import load_queries

    return [(q.q, q.type) for q in load_queries()]


# --------------------------------------------------------------------------- engine phase (child)


def engine_phase(
    size: int,
    seed: int,
    workdir: Path,
    budget_s: float,
    http_inputs: bool,
    sources: Sources,
) -> dict:
    """Runs in a child process: generate, index, time queries; optionally write HTTP inputs."""
    from bench.corpus import entries_to_documents, generate_entries, write_content, write_sqlite
    from kb.search.base import SearchQuery
    from kb.search.config import load_search_config
    from kb.search.embedded import EmbeddedBackend

    out: dict[str, Any] = {"documents": size}
    t0 = time.perf_counter()
    entries = generate_entries(size, seed, sources.content)
    documents = entries_to_documents(entries)
    out["generate_s"] = round(time.perf_counter() - t0, 3)
    log(f"{size}: {len(documents)} documents generated in {out['generate_s']} s")

    index_dir = workdir / "engine-index"
    config = load_search_config(sources.search)
    backend = EmbeddedBackend(index_dir, config)
    t0 = time.perf_counter()
    backend.index(documents)
    out["index_build_s"] = round(time.perf_counter() - t0, 3)
    out["index_size_mb"] = round(dir_size(index_dir) / 1e6, 2)
    log(f"{size}: index built in {out['index_build_s']} s, {out['index_size_mb']} MB")

    rotation = build_rotation(load_judged(), [d.title for d in documents], seed)
    (workdir / "rotation.json").write_text(
        json.dumps([asdict(r) for r in rotation], ensure_ascii=False), encoding="utf-8"
    )
    queries = [SearchQuery(**search_query_kwargs(r)) for r in rotation]

    # Cold open: a fresh backend over the built index (empty caches), then its first query.
    fresh = EmbeddedBackend(index_dir, config)
    t0 = time.perf_counter()
    fresh.health()
    out["open_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    t0 = time.perf_counter()
    fresh.search(queries[0])
    out["first_query_ms"] = round((time.perf_counter() - t0) * 1000, 3)
    del fresh

    for q in queries:  # warm-up pass
        backend.search(q)
    # The rotation (distinct queries) is larger than the engine's facet cache, so a query's
    # facets are never still cached when it comes round again: these figures are the work.
    times: dict[str, list[float]] = {}
    passes = 0
    deadline = time.perf_counter() + budget_s
    while passes < 10 and (passes == 0 or time.perf_counter() < deadline):
        for item, q in zip(rotation, queries, strict=True):
            t0 = time.perf_counter_ns()
            backend.search(q)
            elapsed = (time.perf_counter_ns() - t0) / 1e6
            times.setdefault("all", []).append(elapsed)
            times.setdefault(item.category, []).append(elapsed)
            times.setdefault("filtered" if item.filters else "unfiltered", []).append(elapsed)
        passes += 1
    out["query_ms"] = {k: percentiles(v) for k, v in times.items()}
    # The same query asked twice in a row (e.g. paging back, a popular query): what caches give.
    repeat = []
    for q in queries[:200]:
        backend.search(q)
        t0 = time.perf_counter_ns()
        backend.search(q)
        repeat.append((time.perf_counter_ns() - t0) / 1e6)
    out["query_ms_repeated"] = percentiles(repeat)
    out["query_passes"] = passes
    out["rotation_size"] = len(rotation)
    out["rotation_with_filters"] = sum(1 for r in rotation if r.filters)
    log(
        f"{size}: engine p50 {out['query_ms']['all']['p50']} ms, "
        f"p95 {out['query_ms']['all']['p95']} ms over {passes} passes; repeated query p50 "
        f"{out['query_ms_repeated']['p50']} ms"
    )
    out["bench_process_peak_rss_mb"] = round((proc_status_kb(os.getpid(), "VmHWM") or 0) / 1024, 1)
    out["load_average"] = os.getloadavg()

    if http_inputs:
        t0 = time.perf_counter()
        write_content(entries, workdir / "content", sources.content)
        out["write_content_s"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        write_sqlite(documents, workdir / f"{DATASETTE_DB}.db")
        out["sqlite_build_s"] = round(time.perf_counter() - t0, 3)
        out["sqlite_size_mb"] = round((workdir / f"{DATASETTE_DB}.db").stat().st_size / 1e6, 2)
    shutil.rmtree(index_dir, ignore_errors=True)
    return out


def run_engine_phase(
    size: int, seed: int, workdir: Path, budget_s: float, http_inputs: bool, sources: Sources
) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--engine-phase",
        str(size),
        "--workdir",
        str(workdir),
        "--seed",
        str(seed),
        "--budget",
        str(budget_s),
        "--content-dir",
        str(sources.content),
        "--search-dir",
        str(sources.search),
    ]
    if http_inputs:
        command.append("--http-inputs")
    subprocess.run(command, cwd=REPO, check=True, timeout=3600)
    return json.loads((workdir / "engine.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- servers and wrk


def _get(port: int, path: str, timeout: float = 2.0) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    cold_start_s: float
    log_path: Path

    def peak_rss_mb(self) -> float | None:
        """Each process's own peak RSS, added up over the server's processes: an upper bound
        (shared pages are counted in every process, and peaks need not coincide)."""
        return self._sum_mb("VmHWM")

    def rss_mb(self) -> float | None:
        return self._sum_mb("VmRSS")

    def processes(self) -> int:
        return len(group_pids(self.process.pid))

    def _sum_mb(self, key: str) -> float | None:
        values = [proc_status_kb(pid, key) for pid in group_pids(self.process.pid)]
        known = [v for v in values if v is not None]
        return round(sum(known) / 1024, 1) if known else None


@contextmanager
def serve(
    name: str, command: list[str], env: dict[str, str], ready_path: str, log_path: Path, port: int
) -> Iterator[Server]:
    """Start a server in its own process group; yield once `ready_path` answers 200; stop it."""
    with log_path.open("wb") as log_file:
        t0 = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            deadline = t0 + 600
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {process.returncode}: "
                        + log_path.read_text(errors="replace")[-2000:]
                    )
                with suppress(OSError, http.client.HTTPException):
                    if _get(port, ready_path, timeout=1.0) == 200:
                        break
                if time.perf_counter() > deadline:
                    raise RuntimeError(
                        f"{name} did not answer within 600 s: "
                        + log_path.read_text(errors="replace")[-2000:]
                    )
                time.sleep(0.01)
            cold = time.perf_counter() - t0
            yield Server(name, process, port, round(cold, 3), log_path)
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)  # our own child's group, by its id
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@dataclass(frozen=True)
class WrkRequest:
    """What wrk sends to each path besides a bare GET: rotate.lua's optional arguments.

    The body and the headers travel in files, not on wrk's command line, so that a bearer token
    does not show in the process list.
    """

    method: str = "GET"
    body_file: Path | None = None
    headers_file: Path | None = None

    def script_args(self) -> list[str]:
        args = [] if self.method == "GET" else [f"method={self.method}"]
        if self.body_file is not None:
            args.append(f"body={self.body_file}")
        if self.headers_file is not None:
            args.append(f"headers={self.headers_file}")
        return args


BARE_GET = WrkRequest()


def write_wrk_request(
    folder: Path, name: str, method: str, body: bytes | None, headers: dict[str, str]
) -> WrkRequest:
    """Write the body and `Name: value` header lines next to each other for rotate.lua."""
    body_file = None
    if body is not None:
        body_file = folder / f"{name}-body"
        body_file.write_bytes(body)
    headers_file = None
    if headers:
        headers_file = folder / f"{name}-headers.txt"
        headers_file.touch(mode=0o600)
        text = "".join(f"{key}: {value}\n" for key, value in headers.items())
        headers_file.write_text(text, encoding="utf-8")
    return WrkRequest(method, body_file, headers_file)


def wrk_command(
    wrk_bin: str,
    port: int,
    paths_file: Path,
    duration_s: int,
    connections: int,
    threads: int,
    request: WrkRequest = BARE_GET,
    script: Path = ROTATE_LUA,
) -> list[str]:
    return [
        wrk_bin,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration_s}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(script),
        f"http://{HOST}:{port}",
        "--",
        str(paths_file),
        *request.script_args(),
    ]


def parse_wrk(stdout: str, connections: int, threads: int) -> dict[str, Any] | None:
    """Throughput and latency (ms) from the WRKJSON line rotate.lua prints; None without it."""
    line = next((ln for ln in stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        return None
    raw = json.loads(line.removeprefix("WRKJSON "))
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    lat = raw["latency_us"]
    return {
        "connections": connections,
        "threads": threads,
        "duration_s": round(seconds, 2),
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "errors": errors,
        "non_2xx_or_errors": sum(errors.values()),
        "latency_ms": {k: round(lat[k] / 1000, 3) for k in ("p50", "p90", "p95", "p99", "max")}
        | {"mean": round(lat["mean"] / 1000, 3)},
        "mb_per_s": round(raw["bytes"] / seconds / 1e6, 2) if seconds else 0.0,
    }


def wrk(
    port: int,
    paths_file: Path,
    duration_s: int,
    connections: int,
    threads: int,
    request: WrkRequest = BARE_GET,
    script: Path = ROTATE_LUA,
) -> dict[str, Any]:
    """Closed-loop load with wrk rotating the paths; returns throughput and latency (ms).

    `errors.status` counts answers of 400 and above (wrk's own rule), so with
    `non_2xx_or_errors` at 0 every request got a 2xx or 3xx answer.
    """
    wrk_bin = shutil.which("wrk")
    if wrk_bin is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    command = wrk_command(
        wrk_bin, port, paths_file, duration_s, connections, threads, request, script
    )
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration_s + 60)
    result = parse_wrk(done.stdout, connections, threads)
    if result is None:
        raise RuntimeError(f"wrk gave no result: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    return result


def sequential(port: int, paths: Sequence[str], passes: int, budget_s: float) -> dict[str, Any]:
    """One client, one keep-alive connection, one request at a time (like one user typing).

    Raw client-side latencies (no coordinated-omission correction), `passes` times through
    `paths` or until `budget_s` runs out, whichever comes first.
    """
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    times: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    deadline = started + budget_s
    try:
        for _ in range(passes):
            for path in paths:
                if time.perf_counter() > deadline:
                    break
                t0 = time.perf_counter_ns()
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                times.append((time.perf_counter_ns() - t0) / 1e6)
                statuses[response.status] = statuses.get(response.status, 0) + 1
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    return {
        "latency_ms": percentiles(times),
        "first_pass_latency_ms": percentiles(times[: len(paths)]),
        "later_passes_latency_ms": percentiles(times[len(paths) :]),
        "requests_per_s": round(len(times) / elapsed, 1) if elapsed else 0.0,
        "rotation_coverage": round(len(times) / len(paths), 2) if paths else 0.0,
        "statuses": {str(k): v for k, v in statuses.items()},
    }


def _write_paths(path: Path, paths: Sequence[str]) -> Path:
    path.write_text("\n".join(paths) + "\n", encoding="utf-8")
    return path


def _generation(data_dir: Path) -> str | None:
    try:
        return (data_dir / "search-index" / "CURRENT").read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


def _kb_env(data_dir: Path, content_dir: Path, search_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(
        {
            "KB_DATA_DIR": str(data_dir),
            "KB_CONTENT_DIR": str(content_dir),
            "KB_SEARCH_DIR": str(search_dir),
            "KB_DATABASE_URL": f"sqlite:///{data_dir / 'kb.sqlite3'}",
            "KB_SEARCH_BACKEND": "embedded",
            "KB_SECRET_KEY": secrets.token_urlsafe(48),
        }
    )
    return env


def _timed_child(
    command: list[str], env: dict[str, str], timeout: float, log_path: Path
) -> dict[str, Any]:
    """Run a command; wall time and the child's peak RSS (from wait4)."""
    with log_path.open("wb") as log_file:
        t0 = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                process.wait()
                raise RuntimeError(f"{command} took longer than {timeout} s")
            time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    output = log_path.read_text(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed ({process.returncode}): {output[-2000:]}")
    return {
        "wall_s": round(time.perf_counter() - t0, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def kb_serve_command(port: int, workers: int) -> list[str]:
    return [
        str(BIN / "kb"), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)
    ]  # fmt: skip


def kb_http(
    workdir: Path,
    content_dir: Path,
    search_dir: Path,
    paths: Sequence[str],
    duration_s: int,
    label: str,
    workers: int,
) -> dict[str, Any]:
    """`kb index`, then `kb serve`: cold start, sequential and wrk figures, peak memory."""
    data_dir = workdir / f"data-{label}"
    env = _kb_env(data_dir, content_dir, search_dir)
    out: dict[str, Any] = {"workers": workers}
    log(f"{label}: kb index …")
    out["kb_index"] = _timed_child(
        [str(BIN / "kb"), "index"], env, timeout=1800, log_path=workdir / f"kb-index-{label}.log"
    )
    log(f"{label}: kb index {out['kb_index']['wall_s']} s")
    port = free_port()
    paths_file = _write_paths(workdir / f"kb-paths-{label}.txt", paths)
    command = kb_serve_command(port, workers)
    generation = _generation(data_dir)
    with serve(
        "kb serve", command, env, "/api/v1/health", workdir / f"kb-{label}.log", port
    ) as srv, MemorySampler(srv.process.pid) as memory:  # fmt: skip
        out["cold_start_s"] = srv.cold_start_s
        # Should be False: the index was built by `kb index` just before, for the same files.
        out["index_rebuilt_at_start"] = _generation(data_dir) != generation
        out["rss_after_start_mb"] = srv.rss_mb()
        log(f"{label}: kb serve ready in {srv.cold_start_s} s; sequential pass …")
        out["sequential"] = sequential(port, paths, passes=2, budget_s=duration_s * 2)
        log(f"{label}: wrk 8 connections …")
        out["wrk_c8"] = wrk(port, paths_file, duration_s, connections=8, threads=2)
        log(f"{label}: wrk 1 connection …")
        out["wrk_c1"] = wrk(port, paths_file, max(2, duration_s // 2), connections=1, threads=1)
        out["processes"] = srv.processes()
        out["peak_rss_mb"] = srv.peak_rss_mb()
        out["peak_pss_mb"] = round(memory.peak_pss_kb / 1024, 1)
        out["load_average"] = os.getloadavg()
    out["data_dir_mb"] = round(dir_size(data_dir) / 1e6, 2)
    index_dir = data_dir / "search-index"
    out["index_size_mb"] = round(dir_size(index_dir) / 1e6, 2) if index_dir.exists() else None
    return out


def datasette_http(
    workdir: Path, paths: Sequence[str], duration_s: int, sequential_budget_s: float
) -> dict[str, Any]:
    """Datasette over the same corpus: sequential pass (one client), then wrk with 8 connections.

    Datasette is far slower per request, so its wrk run lasts at least 20 s (more requests, a
    larger share of the rotation) and its single-client figure comes from the sequential pass.
    """
    db_path = workdir / f"{DATASETTE_DB}.db"
    datasette_bin = BIN / "datasette"
    if not datasette_bin.exists():
        return {"skipped": "datasette is not installed in the venv (pip install datasette)"}
    port = free_port()
    settings = {
        "suggest_facets": "off",
        "sql_time_limit_ms": "10000",
        "facet_time_limit_ms": "10000",
    }
    command = [str(datasette_bin), "serve", "-i", str(db_path), "-h", HOST, "-p", str(port)]
    for key, value in settings.items():
        command += ["--setting", key, value]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    paths_file = _write_paths(workdir / "datasette-paths.txt", paths)
    out: dict[str, Any] = {"settings": settings, "immutable": True}
    with serve(
        "datasette", command, env, "/-/versions.json", workdir / "datasette.log", port
    ) as srv:
        out["cold_start_s"] = srv.cold_start_s
        out["rss_after_start_mb"] = srv.rss_mb()
        log("datasette: sequential pass …")
        out["sequential"] = sequential(port, paths, passes=1, budget_s=sequential_budget_s)
        log("datasette: wrk 8 connections …")
        out["wrk_c8"] = wrk(port, paths_file, max(20, duration_s), connections=8, threads=2)
        out["wrk_c8"]["rotation_coverage"] = round(out["wrk_c8"]["requests"] / len(paths), 2)
        out["peak_rss_mb"] = srv.peak_rss_mb()
        out["load_average"] = os.getloadavg()
    return out


# --------------------------------------------------------------------------- orchestration


def bench_size(
    size: int, seed: int, quick: bool, root: Path, sources: Sources, workers: int
) -> dict[str, Any]:
    workdir = root / f"size-{size}"
    workdir.mkdir(parents=True, exist_ok=True)
    http_inputs = size <= HTTP_MAX_SIZE
    budget = 6.0 if quick else 15.0
    result: dict[str, Any] = {"documents": size}
    result["engine"] = run_engine_phase(size, seed, workdir, budget, http_inputs, sources)
    if not http_inputs:
        result["http"] = None
        result["http_skipped"] = (
            f"engine-level figures only above {HTTP_MAX_SIZE:,} entries: kb serve indexes content "
            "files, and 100,000 generated files would benchmark the content loader instead"
        )
        return result
    rotation = [
        RotQuery(**r) for r in json.loads((workdir / "rotation.json").read_text(encoding="utf-8"))
    ]
    duration = 5 if quick else 10
    try:
        kb = kb_http(
            workdir,
            workdir / "content",
            sources.search,
            [kb_path(r) for r in rotation],
            duration,
            str(size),
            workers,
        )
        ds = datasette_http(
            workdir, [datasette_path(r) for r in rotation], duration, 40.0 if quick else 150.0
        )
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        log(f"{size}: HTTP phase failed: {exc}")
        result["http"] = None
        result["http_error"] = str(exc)[-3000:]
        return result
    ds_rps = (ds.get("wrk_c8") or {}).get("requests_per_s") or 0.0
    ds_single = (ds.get("sequential") or {}).get("requests_per_s") or 0.0
    result["http"] = {
        "kb": kb,
        "datasette": ds,
        "throughput_ratio_kb_vs_datasette": round(kb["wrk_c8"]["requests_per_s"] / ds_rps, 1)
        if ds_rps
        else None,
        "throughput_ratio_single_client": round(kb["sequential"]["requests_per_s"] / ds_single, 1)
        if ds_single
        else None,
    }
    shutil.rmtree(workdir / "content", ignore_errors=True)
    return result


def as_you_type_real(
    seed: int, quick: bool, root: Path, sources: Sources, workers: int
) -> dict[str, Any]:
    from bench.corpus import real_documents
    from kb.search.base import SearchQuery
    from kb.search.config import load_search_config
    from kb.search.embedded import EmbeddedBackend

    documents = real_documents(sources.content)
    titles = [d.title for d in documents]
    prefixes = as_you_type_prefixes(titles, seed)
    paths = [kb_path(RotQuery(p, "prefix", prefix=True)) for p in prefixes]
    workdir = root / "real"
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "data"
    env = _kb_env(data_dir, sources.content, sources.search)
    port = free_port()
    paths_file = _write_paths(workdir / "prefix-paths.txt", paths)
    duration = 5 if quick else 10
    out: dict[str, Any] = {"documents": len(titles), "queries": len(paths)}

    engine = EmbeddedBackend(workdir / "engine-index", load_search_config(sources.search))
    engine.index(documents)
    queries = [SearchQuery(q=p, per_page=PER_PAGE, facets=True) for p in prefixes]
    for q in queries:
        engine.search(q)
    times = []
    for _ in range(5):
        for q in queries:
            t0 = time.perf_counter_ns()
            engine.search(q)
            times.append((time.perf_counter_ns() - t0) / 1e6)
    out["engine_ms"] = percentiles(times)
    del engine

    command = kb_serve_command(port, workers)
    log("real content: kb serve (first start builds the index) …")
    with serve("kb serve", command, env, "/api/v1/health", workdir / "kb.log", port) as srv:
        out["cold_start_with_indexing_s"] = srv.cold_start_s
        out["sequential"] = sequential(port, paths, passes=3, budget_s=30)
        out["wrk_c1"] = wrk(port, paths_file, duration, connections=1, threads=1)
        out["wrk_c8"] = wrk(port, paths_file, duration, connections=8, threads=2)
        out["peak_rss_mb"] = srv.peak_rss_mb()
        out["load_average"] = os.getloadavg()
    with serve("kb serve", command, env, "/api/v1/health", workdir / "kb2.log", port) as srv:
        out["cold_start_s"] = srv.cold_start_s
    return out


# --------------------------------------------------------------------------- relative throughput


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def _call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Answer:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        conn.close()


def _expect(answer: Answer, status: int, what: str) -> Answer:
    if answer.status != status:
        raise RuntimeError(f"{what}: {answer.status} instead of {status}: {answer.body[:500]!r}")
    return answer


def json_headers(token: str, etag: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if etag is not None:
        headers["If-Match"] = etag
    return headers


def compact_json(data: Any) -> bytes:
    """The body as a client sends it: no indentation, UTF-8."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def load_case() -> dict[str, Any]:
    case: dict[str, Any] = json.loads(CASE_JSON.read_text(encoding="utf-8"))
    return case


def sign_in(port: int, username: str) -> str:
    body = compact_json({"username": username, "password": DEMO_PASSWORD})
    answer = _call(port, "POST", TOKEN_PATH, body, {"Content-Type": "application/json"})
    token: str = _expect(answer, 200, f"sign-in of {username}").json()["token"]
    return token


def approved_analysis(port: int, case: dict[str, Any], investigator: str, approver: str) -> int:
    """Create the analysis as the investigator, submit it, approve it as the office's
    behavioural expert: the version a judge reads. Returns its id."""
    token = sign_in(port, investigator)
    created = _expect(
        _call(port, "POST", ANALYSES_PATH, compact_json(case), json_headers(token)),
        201,
        "create the analysis",
    )
    analysis_id = int(created.json()["id"])
    submitted = _expect(
        _call(
            port,
            "POST",
            f"{ANALYSES_PATH}/{analysis_id}/submit",
            None,
            json_headers(token, created.headers.get("etag")),
        ),
        200,
        "submit the analysis",
    )
    approved = _call(
        port,
        "POST",
        f"{ANALYSES_PATH}/{analysis_id}/approve",
        None,
        json_headers(sign_in(port, approver), submitted.headers.get("etag")),
    )
    _expect(approved, 200, "approve the analysis")
    return analysis_id


def timing_summary(values_ms: Sequence[float]) -> dict[str, Any]:
    """Median, p95 (nearest rank), min, max and mean of a handful of timings, in ms."""
    if not values_ms:
        return {"n": 0}
    return {
        "n": len(values_ms),
        "median": round(statistics.median(values_ms), 1),
        "p95": round(percentiles(values_ms)["p95"], 1),
        "min": round(min(values_ms), 1),
        "max": round(max(values_ms), 1),
        "mean": round(statistics.fmean(values_ms), 1),
    }


def timed_gets(
    port: int, path: str, headers: dict[str, str], runs: int, content_type: str
) -> tuple[list[float], int]:
    """`runs` GETs one after the other on one keep-alive connection, each checked (200 and
    the content type); their times in ms and the size of the last answer."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    times: list[float] = []
    size = 0
    try:
        for _ in range(runs):
            t0 = time.perf_counter_ns()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            data = response.read()
            times.append((time.perf_counter_ns() - t0) / 1e6)
            if response.status != 200 or response.getheader("content-type") != content_type:
                raise RuntimeError(f"GET {path}: {response.status}: {data[:300]!r}")
            size = len(data)
    finally:
        conn.close()
    return times, size


def report_pdf_timings(port: int, analysis_id: int, judge: str) -> dict[str, Any]:
    path = f"{ANALYSES_PATH}/{analysis_id}/report.pdf"
    headers = {"Authorization": f"Bearer {sign_in(port, judge)}"}
    first, _ = timed_gets(port, path, headers, REPORT_PDF_WARMUP, "application/pdf")
    times, size = timed_gets(port, path, headers, REPORT_PDF_RUNS, "application/pdf")
    return {
        "path": path,
        "as": judge,
        "warmup_ms": [round(t, 1) for t in first],
        "timings_ms": timing_summary(times),
        "pdf_bytes": size,
    }


def throughput_ratio(measured: dict[str, Any], floor_rps: float | None) -> float | None:
    """req/s of a wrk run over the no-op's req/s; None when either is missing or the run had
    errors or non-2xx answers (then it did not measure the endpoint's work)."""
    if not floor_rps or measured.get("non_2xx_or_errors", 1) != 0:
        return None
    return round(measured["requests_per_s"] / floor_rps, 3)


def mean_rps(*runs: dict[str, Any]) -> float | None:
    """The mean req/s of error-free runs: the no-op measured before and after kb."""
    good = [r["requests_per_s"] for r in runs if r.get("non_2xx_or_errors", 1) == 0]
    return round(statistics.fmean(good), 1) if good else None


@dataclass(frozen=True)
class Load:
    """One endpoint under wrk: the paths file and what to send."""

    paths_file: Path
    request: WrkRequest = BARE_GET


def measure(
    port: int, load: Load, settings: dict[str, int], count: Callable[[], int] | None = None
) -> dict[str, Any]:
    """A short discarded wrk run (thread pool, caches, connections), then the measured one;
    `count` (e.g. rows of a table) is taken around the measured run only: `counted`."""
    threads, connections = settings["threads"], settings["connections"]
    wrk(port, load.paths_file, settings["warmup_s"], connections, threads, load.request)
    before = count() if count is not None else 0
    result = wrk(port, load.paths_file, settings["duration_s"], connections, threads, load.request)
    result["load_average"] = os.getloadavg()
    if count is not None:
        result["counted"] = count() - before
    return result


def noop_command(port: int) -> list[str]:
    return [sys.executable, "-m", "bench.noop", "--host", HOST, "--port", str(port)]


def relative_env(data_dir: Path, sources: Sources) -> dict[str, str]:
    """kb's environment for the phase: demo accounts (a judge, an investigator and a
    behavioural expert of Amsterdam) with the cheapest password hashing, allowed in demo mode
    only; signing in is not what is measured."""
    env = _kb_env(data_dir, sources.content, sources.search)
    env.update({"KB_DEMO": "1", "KB_PASSWORD_HASHING": "CHEAPEST"})
    return env


def check_search(port: int) -> None:
    data = _expect(_call(port, "GET", RELATIVE_SEARCH_PATH), 200, "search").json()
    if not data.get("items") or not data.get("facets"):
        raise RuntimeError(f"search answered without items or facets: {str(data)[:300]}")


def check_evaluate(port: int, body: bytes, headers: dict[str, str]) -> None:
    answer = _call(port, "POST", EVALUATE_PATH, body, headers)
    if "curator" not in _expect(answer, 200, "evaluate").json():
        raise RuntimeError(f"evaluate answered without a recommendation: {answer.body[:300]!r}")


def kb_relative(
    workdir: Path, sources: Sources, settings: dict[str, int], noop_port: int, noop: Load
) -> dict[str, Any]:
    """kb index, then kb serve --workers 1: search and evaluate under wrk, with the no-op run
    before and after them, then the judge's PDF timed."""
    data_dir = workdir / "data"
    env = relative_env(data_dir, sources)
    out: dict[str, Any] = {"kb": {}, "runs": {}}
    log("relative: kb index …")
    out["kb"]["kb_index"] = _timed_child(
        [str(BIN / "kb"), "index"], env, timeout=1800, log_path=workdir / "kb-index.log"
    )
    port = free_port()
    command = kb_serve_command(port, 1)
    with serve("kb serve", command, env, "/api/v1/health", workdir / "kb.log", port) as srv:
        out["kb"] |= {"cold_start_s": srv.cold_start_s, "processes": srv.processes()}
        check_search(port)
        body = compact_json(load_case())
        headers = json_headers(sign_in(port, "onderzoeker"))
        check_evaluate(port, body, headers)
        loads = {
            "noop_before": (noop_port, noop),
            "search": (port, Load(_write_paths(workdir / "search.txt", [RELATIVE_SEARCH_PATH]))),
            "evaluate": (
                port,
                Load(
                    _write_paths(workdir / "evaluate.txt", [EVALUATE_PATH]),
                    write_wrk_request(workdir, "evaluate", "POST", body, headers),
                ),
            ),
            "noop_after": (noop_port, noop),  # the same floor again: how much the machine drifted
        }
        for name, (target, load) in loads.items():
            log(f"relative: wrk, {name} …")
            out["runs"][name] = measure(target, load, settings)
        out["evaluate_body_bytes"] = len(body)
        log("relative: the judge's report.pdf …")
        analysis_id = approved_analysis(port, load_case(), "onderzoeker", "gedragsdeskundige")
        out["report_pdf"] = report_pdf_timings(port, analysis_id, "rechter")
        out["kb"]["peak_rss_mb"] = srv.peak_rss_mb()
    out["runs"]["search_uncached"] = uncached_search(workdir, env, settings)
    return out


def uncached_search(workdir: Path, env: dict[str, str], settings: dict[str, int]) -> dict[str, Any]:
    """The same search on a server that keeps no results (KB_SEARCH_CACHE=0): what every query
    costs the first time, for context beside the figure with kb's default result cache."""
    port = free_port()
    command = kb_serve_command(port, 1)
    uncached = env | {"KB_SEARCH_CACHE": "0"}
    log("relative: wrk, search without the result cache …")
    with serve("kb serve", command, uncached, "/api/v1/health", workdir / "kb-uncached.log", port):
        check_search(port)
        load = Load(_write_paths(workdir / "search.txt", [RELATIVE_SEARCH_PATH]))
        return measure(port, load, settings)


def relative_figures(runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The no-op floor (mean of the runs before and after kb's) and each endpoint's req/s as a
    share of it, from the wrk runs of the phase."""
    floor = mean_rps(runs["noop_before"], runs["noop_after"])
    figures: dict[str, Any] = {
        "noop": {
            "path": NOOP_PATH,
            "requests_per_s": floor,
            "before": runs["noop_before"],
            "after": runs["noop_after"],
        }
    }
    measured = (
        ("search", RELATIVE_SEARCH_PATH),
        ("search_uncached", RELATIVE_SEARCH_PATH),
        ("evaluate", EVALUATE_PATH),
    )
    for name, path in measured:
        run = runs.get(name)
        if run is None:
            continue
        figures[name] = {
            "path": path,
            "requests_per_s": run["requests_per_s"],
            "ratio_to_noop": throughput_ratio(run, floor),
            "errors": run["errors"],
            "wrk": run,
        }
    return figures


def uvicorn_implementations() -> dict[str, str]:
    """What uvicorn's "auto" loop and http settings pick in this venv, for both servers."""
    from importlib.util import find_spec

    return {
        "loop": "uvloop" if find_spec("uvloop") else "asyncio",
        "http": "httptools" if find_spec("httptools") else "h11",
    }


def relative_throughput(root: Path, sources: Sources, duration_s: int) -> dict[str, Any]:
    """Per-process throughput of kb's search and evaluate endpoints as a share of a no-op
    Litestar endpoint's, and the judge's report.pdf latency; every server one process."""
    workdir = root / "relative"
    workdir.mkdir(parents=True, exist_ok=True)
    settings = {**RELATIVE_WRK, "duration_s": duration_s}
    out: dict[str, Any] = {
        "settings": {
            "wrk": settings,
            "server_processes": 1,
            "uvicorn": {"options": "log_level=warning, access_log=False, workers=1"}
            | uvicorn_implementations(),
            "report_pdf_runs": {"warmup": REPORT_PDF_WARMUP, "timed": REPORT_PDF_RUNS},
            "case": "bench/case.json (realistic_case() of tests/conflict_analysis/conftest.py)",
        },
        "load_average_at_start": os.getloadavg(),
        "notes": RELATIVE_NOTES,
    }
    port = free_port()
    noop = Load(_write_paths(workdir / "noop.txt", [NOOP_PATH]))
    log("relative: no-op server …")
    command = noop_command(port)
    with serve("noop", command, dict(os.environ), NOOP_PATH, workdir / "noop.log", port) as srv:
        noop_processes = srv.processes()
        kb = kb_relative(workdir, sources, settings, port, noop)
    out |= relative_figures(kb["runs"])
    out["noop"]["processes"] = noop_processes
    out["evaluate"]["body_bytes"] = kb["evaluate_body_bytes"]
    out["report_pdf"] = kb["report_pdf"]
    out["kb"] = kb["kb"]
    out["load_average_at_end"] = os.getloadavg()
    return out


def machine() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    def pkg(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    wrk_version = None
    if shutil.which("wrk"):
        done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, timeout=10)
        wrk_version = (done.stdout or done.stderr).splitlines()[0].strip()
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tantivy": pkg("tantivy"),
        "litestar": pkg("litestar"),
        "uvicorn": pkg("uvicorn"),
        "datasette": pkg("datasette"),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version,
    }


def _get_path(data: Any, *keys: Any) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def relative_target_rows(report: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    relative = report.get("relative_throughput")
    return [
        ("search API req/s ÷ no-op Litestar req/s (1 process each, q=omgangsregeling, facets), ×",
         "≥", "search_vs_noop_ratio", _get_path(relative, "search", "ratio_to_noop")),
        ("search API req/s ÷ no-op, without kb's result cache (KB_SEARCH_CACHE=0) [context], ×",
         "≥", "search_vs_noop_ratio", _get_path(relative, "search_uncached", "ratio_to_noop")),
        ("conflict-analysis evaluate req/s ÷ no-op Litestar req/s (1 process each), ×", "≥",
         "evaluate_vs_noop_ratio", _get_path(relative, "evaluate", "ratio_to_noop")),
        ("judge's report.pdf median (1 process, one request at a time), ms", "≤",
         "report_pdf_median_ms", _get_path(relative, "report_pdf", "timings_ms", "median")),
    ]  # fmt: skip


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    size = report["sizes"].get(str(HTTP_MAX_SIZE), {})
    kb = _get_path(size, "http", "kb")
    rows = [
        ("search API p95 (8 connections, facets on) at 10,000, ms", "≤", "api_p95_ms_10k",
         _get_path(kb, "wrk_c8", "latency_ms", "p95")),
        ("search API p95 (1 client, raw, facets on) at 10,000, ms [context]", "≤",
         "api_p95_ms_10k", _get_path(kb, "sequential", "latency_ms", "p95")),
        ("throughput vs Datasette (8 connections) at 10,000, ×", "≥",
         "throughput_vs_datasette_10k", _get_path(size, "http", "throughput_ratio_kb_vs_datasette")),
        ("engine p50 at 10,000 (600 distinct queries, facets on), ms", "≤", "engine_p50_ms_10k",
         _get_path(size, "engine", "query_ms", "all", "p50")),
        ("engine p50 at 10,000, same query repeated (caches) [context], ms", "≤",
         "engine_p50_ms_10k", _get_path(size, "engine", "query_ms_repeated", "p50")),
        ("index build at 10,000 (engine), s", "≤", "index_build_s_10k",
         _get_path(size, "engine", "index_build_s")),
        ("peak memory of kb serve at 10,000 (all processes, peak RSS added up), MB", "≤",
         "kb_serve_peak_rss_mb_10k", _get_path(kb, "peak_rss_mb")),
        ("peak memory of kb serve at 10,000 (all processes, peak summed PSS) [context], MB", "≤",
         "kb_serve_peak_rss_mb_10k", _get_path(kb, "peak_pss_mb")),
        ("as-you-type p95 on the real content (1 client, raw, HTTP, first pass), ms", "≤",
         "as_you_type_p95_ms_real",
         _get_path(report, "as_you_type_real_content", "sequential", "first_pass_latency_ms",
                   "p95")),
        ("as-you-type p95 on the real content (1 client, raw, HTTP, repeated prefixes) [context], "
         "ms", "≤", "as_you_type_p95_ms_real",
         _get_path(report, "as_you_type_real_content", "sequential", "later_passes_latency_ms",
                   "p95")),
        ("as-you-type p95 on the real content (wrk, 1 connection) [context], ms", "≤",
         "as_you_type_p95_ms_real",
         _get_path(report, "as_you_type_real_content", "wrk_c1", "latency_ms", "p95")),
        ("as-you-type p95 on the real content (wrk, 8 connections) [context], ms", "≤",
         "as_you_type_p95_ms_real",
         _get_path(report, "as_you_type_real_content", "wrk_c8", "latency_ms", "p95")),
        *relative_target_rows(report),
    ]  # fmt: skip
    from bench.audited import audited_target_rows

    goals: list[tuple[str, str, float, Any]] = [(n, o, TARGETS[k], m) for n, o, k, m in rows]
    result = []
    approve = (
        "approve → searchable on the real content, median s",
        "≤",
        2.0,
        _get_path(report, "approve_to_searchable", "median_s"),
    )
    for name, op, target, measured in [approve, *audited_target_rows(report), *goals]:
        met = None
        if measured is not None:
            met = measured <= target if op == "≤" else measured >= target
        result.append(
            {"target": name, "goal": f"{op} {target:g}", "measured": measured, "met": met}
        )
    return result


def summary_text(report: dict[str, Any]) -> str:
    lines = ["", "Benchmark summary (bench/results/latest.json has every figure)"]
    if report["sizes"]:
        lines += sizes_table(report)
    real = report.get("as_you_type_real_content") or {}
    if real:
        lines.append("")
        seq = real["sequential"]["first_pass_latency_ms"]
        lines.append(
            f"As you type, real content ({real['documents']} entries, {real['queries']} prefixes): "
            f"engine p50 {real['engine_ms']['p50']} ms, p95 {real['engine_ms']['p95']} ms; "
            f"HTTP 1 client (first pass) p50 {seq['p50']} ms, p95 {seq['p95']} ms; wrk 1 connection "
            f"p95 {real['wrk_c1']['latency_ms']['p95']} ms; wrk 8 connections "
            f"{real['wrk_c8']['requests_per_s']} req/s, p95 {real['wrk_c8']['latency_ms']['p95']} ms"
        )
    relative = report.get("relative_throughput")
    if relative:
        lines += ["", *relative_lines(relative)]
    if report.get("relative_throughput_error"):
        lines += ["", "Relative throughput failed: " + report["relative_throughput_error"][-500:]]
    if report.get("audited_read"):
        from bench.audited import audited_read_lines

        lines += ["", *audited_read_lines(report["audited_read"])]
    if report.get("monitor"):
        from bench.monitor import monitor_lines

        lines += ["", *monitor_lines(report["monitor"])]
    if report.get("audited_read_error"):
        lines += ["", "Audited read failed: " + report["audited_read_error"][-500:]]
    lines += ["", "Targets (measured, not asserted):"]
    for row in report["targets"]:
        mark = {True: "met", False: "NOT met", None: "not measured"}[row["met"]]
        lines.append(f"  {row['target']}: {row['measured']} (goal {row['goal']}) — {mark}")
    return "\n".join(lines)


def relative_lines(relative: dict[str, Any]) -> list[str]:
    """The relative-throughput phase in a few lines: req/s, ratios, errors, PDF timings."""
    wrk_settings = relative["settings"]["wrk"]
    noop = relative["noop"]
    pdf = relative["report_pdf"]["timings_ms"]
    lines = [
        f"Relative throughput, one process per server (wrk -t{wrk_settings['threads']} "
        f"-c{wrk_settings['connections']} -d{wrk_settings['duration_s']}s):",
        f"  no-op Litestar {noop['requests_per_s']} req/s (before "
        f"{noop['before']['requests_per_s']}, after {noop['after']['requests_per_s']})",
    ]
    for name in ("search", "search_uncached", "evaluate"):
        run = relative.get(name)
        if run is None:
            continue
        lines.append(
            f"  {name} {run['requests_per_s']} req/s, ratio {run['ratio_to_noop']}, "
            f"p50 {run['wrk']['latency_ms']['p50']} ms, errors {run['wrk']['non_2xx_or_errors']}"
        )
    lines.append(
        f"  report.pdf (rechter, {pdf['n']} requests after {len(relative['report_pdf']['warmup_ms'])}"
        f" warm-up): median {pdf['median']} ms, p95 {pdf['p95']} ms, min {pdf['min']} ms, "
        f"max {pdf['max']} ms"
    )
    return lines


def sizes_table(report: dict[str, Any]) -> list[str]:
    lines = [
        "eng = in-process engine, ms; kb/ds = kb serve / Datasette under wrk, 8 connections "
        "(rps, latency ms);",
        "1cl p95 = kb serve, one client, raw ms; ratio = kb rps / Datasette rps; RSS = kb serve peak.",
        "",
    ]
    head = (
        f"{'entries':>8} {'build s':>8} {'idx MB':>7} {'eng p50':>8} {'eng p95':>8} "
        f"{'kb rps':>8} {'kb p50':>7} {'kb p95':>7} {'kb p99':>7} {'1cl p95':>7} "
        f"{'ds rps':>7} {'ds p95':>8} {'ratio':>6} {'RSS MB':>7} {'cold s':>7}"
    )
    lines += [head, "-" * len(head)]
    for size, data in report["sizes"].items():
        eng = data["engine"]
        kb = _get_path(data, "http", "kb") or {}
        ds = _get_path(data, "http", "datasette") or {}

        def fmt(value: Any, width: int, digits: int = 2) -> str:
            if value is None:
                return f"{'—':>{width}}"
            return (
                f"{value:>{width}.{digits}f}" if isinstance(value, float) else f"{value:>{width}}"
            )

        lines.append(
            " ".join(
                [
                    fmt(int(size), 8),
                    fmt(eng["index_build_s"], 8),
                    fmt(eng["index_size_mb"], 7, 1),
                    fmt(eng["query_ms"]["all"]["p50"], 8, 3),
                    fmt(eng["query_ms"]["all"]["p95"], 8, 3),
                    fmt(_get_path(kb, "wrk_c8", "requests_per_s"), 8, 0),
                    fmt(_get_path(kb, "wrk_c8", "latency_ms", "p50"), 7),
                    fmt(_get_path(kb, "wrk_c8", "latency_ms", "p95"), 7),
                    fmt(_get_path(kb, "wrk_c8", "latency_ms", "p99"), 7),
                    fmt(_get_path(kb, "sequential", "latency_ms", "p95"), 7),
                    fmt(_get_path(ds, "wrk_c8", "requests_per_s"), 7, 1),
                    fmt(_get_path(ds, "wrk_c8", "latency_ms", "p95"), 8, 1),
                    fmt(_get_path(data, "http", "throughput_ratio_kb_vs_datasette"), 6, 1),
                    fmt(kb.get("peak_rss_mb"), 7, 0),
                    fmt(kb.get("cold_start_s"), 7),
                ]
            )
        )
    return lines


NOTES = [
    "Engine figures are in-process calls of EmbeddedBackend.search with facets on, 20 per page.",
    "HTTP figures are closed-loop wrk runs against 127.0.0.1 on the same 2-core machine as the "
    "server (client and server share the CPUs); kb serve runs with --workers set to the number "
    "of CPUs (settings.kb_serve_workers), as a production server would.",
    "Memory of kb serve covers all its processes (supervisor, workers, uvicorn's helper): "
    "peak_rss_mb adds up each process's own peak RSS (VmHWM), an upper bound that counts "
    "shared pages (libraries, the mmap'd index) once per process; peak_pss_mb is the highest "
    "sum of proportional set sizes sampled every 0.2 s during the run, which counts every page "
    "once.",
    "Datasette's table search (?_search=) filters with FTS5 but orders by primary key, not by "
    "relevance; its escaped mode ANDs the words; its facets are not disjunctive; prefixes use "
    '_searchmode=raw with "pre"*. So Datasette does less work per request than kb does.',
    "kb index is the CLI (load, validate and render every content file, database rows, index); "
    "engine index_build_s is EmbeddedBackend.index over ready documents.",
    "cold_start_s: process start → first 200 on the health endpoint with the index already built "
    "(for Datasette: on /-/versions.json).",
    "No open-loop (fixed-rate) run: wrk2 is not packaged in Debian.",
    "The rotation holds ~600 distinct queries, more than the embedded engine's facet cache (512), "
    "so rotating never finds a query's facets still cached: engine and HTTP figures are the "
    "work per query. query_ms_repeated shows the same query asked twice in a row.",
    "wrk 4 corrects its latency percentiles for coordinated omission (it adds synthetic samples "
    "for responses slower than twice the mean interval), so wrk p95/p99 lie above raw client-side "
    "figures when latency varies; `sequential` holds raw single-client latencies (Python "
    "http.client, keep-alive).",
    "Shared machine: other work (tests, browsers) may run at the same time; load_average is "
    "recorded per phase. Compare runs with that in mind.",
    "Datasette: its wrk run lasts at least 20 s and rotation_coverage says how much of the "
    "rotation it reached; its sequential pass is bounded in time too.",
]


RELATIVE_NOTES = [
    "Per-process figures: the no-op app (bench/noop.py) and kb serve each run as one uvicorn "
    "process (kb serve --workers 1) with kb serve's uvicorn options; wrk uses the same threads, "
    "connections and duration for every endpoint, after a short discarded warm-up run.",
    "noop.requests_per_s: the mean of two wrk runs on an async Litestar handler returning "
    '{"items": []}, one before and one after kb\'s runs (their spread shows how much the '
    "shared machine drifted); the floor the other figures are divided by.",
    "search: GET /api/v1/interventions?q=omgangsregeling on the real content (facets always on), "
    "the same query every time, so the engine's caches help as they would for a popular query "
    "(kb keeps the last KB_SEARCH_CACHE=64 results per index generation by default); "
    "ratio_to_noop = search req/s ÷ no-op req/s.",
    "search_uncached: the same search on a second kb serve started with KB_SEARCH_CACHE=0 (no "
    "result cache; the query plan, facet and summary caches stay): what a query costs when it "
    "was not asked a moment ago. Context beside the search figure; measured after the no-op's "
    "second run and divided by the same floor.",
    "evaluate: POST /api/v1/conflict-analyses/evaluate with bench/case.json (the realistic case "
    "of the conflict-analysis tests) as a raadsonderzoeker with a bearer token; nothing is "
    "stored; ratio_to_noop = evaluate req/s ÷ no-op req/s.",
    "A ratio is null when its run had errors or answers of 400 and above (errors.status, wrk's "
    "rule): then it did not measure the endpoint's work.",
    "report_pdf: the analysis is created and submitted by the raadsonderzoeker and approved by "
    "the gedragsdeskundige of Raad Amsterdam through the API, then a rechter of Rechtbank "
    "Amsterdam fetches report.pdf one request at a time on one keep-alive connection: "
    "warmup_ms is the first request (not counted), timings_ms the following ones.",
    "kb runs in demo mode (KB_DEMO=1, its demo accounts and password) with "
    "KB_PASSWORD_HASHING=CHEAPEST, which kb allows in demo mode only: signing in is not measured, "
    "and cheap hashing keeps it from slowing the setup; on a fresh data directory after kb index.",
    "wrk runs on the same machine as the servers; with one wrk thread and one server process they "
    "take about one CPU each. Shared machine: see the load averages.",
]


def run_relative(report: dict[str, Any], root: Path, sources: Sources, duration_s: int) -> None:
    log("relative throughput …")
    try:
        report["relative_throughput"] = relative_throughput(root, sources, duration_s)
    except (RuntimeError, OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        log(f"relative throughput: failed: {exc}")
        report["relative_throughput_error"] = str(exc)[-3000:]


def run_audited(report: dict[str, Any], root: Path, sources: Sources, duration_s: int) -> None:
    from bench.audited import audited_read  # it imports this module's helpers

    log("audited read …")
    try:
        report["audited_read"] = audited_read(root, sources, duration_s)
    except (RuntimeError, OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        log(f"audited read: failed: {exc}")
        report["audited_read_error"] = str(exc)[-3000:]


def run_monitor(report: dict[str, Any]) -> None:
    from bench.monitor import monitor_bench

    log("monitor and purge over 100,000 closed cases …")
    try:
        report["monitor"] = monitor_bench()
    except (RuntimeError, OSError, ValueError, KeyError) as exc:
        log(f"monitor: failed: {exc}")
        report["monitor_error"] = str(exc)[-3000:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes",
        help="comma-separated corpus sizes (default 1000,10000,100000; quick: 1000,10000)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="1,000 and 10,000 entries; 5-second wrk runs"
    )
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--keep", action="store_true", help="keep the temporary work directory")
    parser.add_argument("--no-real", action="store_true", help="skip the real-content run")
    parser.add_argument(
        "--only",
        choices=("relative", "audited-read", "approve", "monitor"),
        help="run one phase alone: relative = per-process throughput of search and evaluate "
        "against a no-op endpoint, and the judge's report.pdf (about a minute and a half); "
        "audited-read = a judge's audited analysis read on PostgreSQL (2 workers) and SQLite "
        "(bench/audited.py, about a minute); approve = from an editor's approval of a proposal "
        "to the entry being found, on the real content (bench/approve.py, about 20 seconds); "
        "monitor = the monitor and kb purge over 100,000 generated closed cases on PostgreSQL "
        "(bench/monitor.py, a few minutes)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="kb serve --workers (default: one per CPU, as in production)",
    )
    parser.add_argument("--engine-phase", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--budget", type=float, default=15.0, help=argparse.SUPPRESS)
    parser.add_argument("--http-inputs", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR, help=argparse.SUPPRESS)
    parser.add_argument("--search-dir", type=Path, default=SEARCH_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.engine_phase is not None:
        result = engine_phase(
            args.engine_phase,
            args.seed,
            args.workdir,
            args.budget,
            args.http_inputs,
            Sources(args.content_dir, args.search_dir),
        )
        (args.workdir / "engine.json").write_text(json.dumps(result), encoding="utf-8")
        return 0

    default_sizes = "1000,10000" if args.quick else "1000,10000,100000"
    sizes = [int(s) for s in (args.sizes or default_sizes).split(",") if s.strip()]
    if args.only:
        sizes = []
    root = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    sources = Sources.snapshot(root)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        "settings": {
            "seed": args.seed,
            "sizes": sizes,
            "per_page": PER_PAGE,
            "facets": "on (every API request; Datasette: _facet/_facet_array on the same 8 facets)",
            "wrk": {"threads": 2, "connections": 8, "duration_s": 5 if args.quick else 10},
            "kb_serve_workers": args.workers,
            "host": HOST,
            "snapshot": sources.fingerprint(),
        },
        "load_average_at_start": os.getloadavg(),
        "notes": NOTES,
        "sizes": {},
    }
    try:
        for size in sizes:
            log(f"size {size} …")
            report["sizes"][str(size)] = bench_size(
                size, args.seed, args.quick, root, sources, args.workers
            )
        if not args.no_real and not args.only:
            try:
                report["as_you_type_real_content"] = as_you_type_real(
                    args.seed, args.quick, root, sources, args.workers
                )
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                log(f"real content: failed: {exc}")
                report["as_you_type_real_content_error"] = str(exc)[-3000:]
        if args.only in (None, "relative"):
            run_relative(report, root, sources, 5 if args.quick else 10)
        if args.only in (None, "audited-read"):
            run_audited(report, root, sources, 5 if args.quick else 10)
        if args.only in (None, "approve"):
            from bench.approve import approve_to_searchable

            log("approve → searchable …")
            report["approve_to_searchable"] = approve_to_searchable(
                root, sources.content, sources.search
            )
        if args.only in (None, "monitor"):
            run_monitor(report)
    finally:
        if args.keep:
            log(f"work directory kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    report["total_s"] = round(time.perf_counter() - started, 1)
    report["load_average_at_end"] = os.getloadavg()
    report["targets"] = evaluate_targets(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick else ""
    if args.sizes and not args.only:
        suffix += "-sizes-" + "-".join(str(s) for s in sizes)
    if args.only:
        suffix += f"-{args.only}"
    name = f"bench-{dt.date.today().isoformat()}{suffix}.json"
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    (RESULTS / name).write_text(text, encoding="utf-8")
    (RESULTS / "latest.json").write_text(text, encoding="utf-8")
    print(summary_text(report))
    print(f"\nWritten: {RESULTS / name} and {RESULTS / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
