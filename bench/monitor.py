"""`python -m bench.run --only monitor` (or `python -m bench.monitor`): the monitor and the purge
over 100,000 generated closed cases on PostgreSQL.

A fresh database (`KB_BENCH_DATABASE_URL`, default the local server; dropped afterwards) is
prepared as `kb serve` would (migrations, the real content indexed), then filled in bulk with
closed cases: each an analysis with one submitted version (the body of bench/case.json, its case
number made unique), a closure and an outcome, spread over five years and the eleven courts,
closed between 3 and 8 years ago. Then, in-process through the application (Litestar's test
client, a bearer token of a redacteur, who sees every court and the country):

1. the monitor: `GET /api/v1/monitor.csv` (every court and year) just after outcomes changed
   (10 times, each after `outcomes_changed`: every outcome counted again), then the CSV,
   `GET /api/v1/monitor` (the country, latest year) and the `/monitor` page with its charts,
   each timed 20 times after one warm-up, with the counts kept. Target: ≤ 200 ms.
2. the purge: `purge()` with a retention of 730 days (every generated case is due), committed.
   Target: ≤ 60 s for 100,000 cases. Afterwards the CSV must be byte-for-byte what it was, no
   analysis may remain, and the audit chain must verify.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.orm import Session

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CASES = 100_000
CHUNK = 5_000
TIMED_RUNS = 20
TARGETS = {"monitor_ms": 200.0, "purge_s": 60.0}
PASSWORD = "bench-monitor-wachtwoord-lang-genoeg"

__all__ = ["TARGETS", "monitor_bench", "monitor_lines"]


def _admin(server_url: str, statement: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def _percentiles(values_ms: list[float]) -> dict[str, float]:
    ordered = sorted(values_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ordered[-1], 1),
    }


def generate(engine: Any, author_id: int, cases: int, seed: int = 20261130) -> dict[str, Any]:
    """Bulk-insert `cases` closed cases; returns how long it took."""
    from kb.conflict_analysis.models import Analysis, AnalysisVersion
    from kb.monitor.models import CaseClosure, CaseOutcome, new_outcome_id
    from kb.monitor.service import outcomes_changed
    from kb.vocabulary import COURTS

    rng = random.Random(seed)
    body = json.loads((BENCH / "case.json").read_text(encoding="utf-8"))
    recommendation = {"note": "generated for the benchmark"}
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    this_year = now.year
    next_id = 1
    while next_id <= cases:
        ids = range(next_id, min(cases, next_id + CHUNK - 1) + 1)
        analyses, versions, outcomes, closures = [], [], [], []
        for i in ids:
            court = rng.choice(COURTS)
            closed_at = now - dt.timedelta(days=rng.randint(3 * 365, 8 * 365))
            year = rng.randint(this_year - 5, this_year - 1)
            case_body = {
                **body,
                "case": {**body["case"], "case_number": f"BENCH/{i}", "court": court},
            }
            analyses.append(
                {"id": i, "office": "Raad Bench", "author_id": author_id, "created_at": closed_at}
            )
            versions.append(
                {
                    "analysis_id": i,
                    "version": 1,
                    "revision": 3,
                    "status": "ingediend",
                    "case_number": f"BENCH/{i}",
                    "court": court,
                    "body": case_body,
                    "recommendation": recommendation,
                    "computed_advice": "benoemen",
                    "final_advice": "benoemen",
                    "safety_level": "zorgen",
                    "reassess_by": closed_at.date(),
                    "evaluated_on": closed_at.date(),
                    "author_id": author_id,
                    "created_at": closed_at,
                    "updated_at": closed_at,
                }
            )
            outcome_id = new_outcome_id()
            curator = rng.random() < 0.3
            outcomes.append(
                {
                    "id": outcome_id,
                    "court": court,
                    "year": year,
                    "procedure_days": rng.randint(30, 900),
                    "settled_by_mediation": rng.random() < 0.25,
                    "curator_appointed": curator,
                    "municipal_support": rng.random() < 0.5 if rng.random() > 0.1 else None,
                    "curator_disciplinary": (rng.random() < 0.03) if curator else None,
                    "synthetic": False,
                }
            )
            closures.append(
                {
                    "analysis_id": i,
                    "outcome_id": outcome_id,
                    "version": 1,
                    "closed_on": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
                    "procedure_ended_on": None,
                    "closed_at": closed_at,
                    "closed_by": author_id,
                }
            )
        with Session(engine) as session, session.begin():
            session.execute(insert(Analysis), analyses)
            session.execute(insert(AnalysisVersion), versions)
            session.execute(insert(CaseOutcome), outcomes)
            session.execute(insert(CaseClosure), closures)
            outcomes_changed(session)
        next_id = ids[-1] + 1
    with engine.connect() as connection:
        connection.execute(text("SELECT setval('analysis_id_seq', :n)"), {"n": cases})
        connection.execute(text("ANALYZE"))
        connection.commit()
    return {"cases": cases, "generate_s": round(time.perf_counter() - started, 1)}


def _timed(client: Any, path: str, runs: int) -> dict[str, Any]:
    client.get(path)  # warm-up: the catalogue, the templates, the connection pool
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    return {"path": path, "runs": runs, "bytes": len(response.content), **_percentiles(times)}


def _cold(client: Any, engine: Any, path: str, runs: int) -> dict[str, Any]:
    """Each request just after outcomes changed: the process counts every outcome again."""
    from kb.monitor.service import outcomes_changed

    times = []
    for _ in range(runs):
        with Session(engine) as session, session.begin():
            outcomes_changed(session)
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
    return {"path": path, "runs": runs, **_percentiles(times)}


def monitor_bench(cases: int = CASES, server_url: str | None = None) -> dict[str, Any]:
    """The benchmark; see the module. Returns the figures."""
    from litestar.testing import TestClient

    from kb.app import create_app, prepare
    from kb.auth import audit
    from kb.auth.schemas import parse_new_account
    from kb.auth.service import AccountService, AuthConfig
    from kb.conflict_analysis.models import Analysis
    from kb.monitor.retention import purge
    from kb.settings import Settings

    server = server_url or os.environ.get("KB_BENCH_DATABASE_URL", DEFAULT_POSTGRES)
    name = f"kb_bench_monitor_{secrets.token_hex(3)}"
    _admin(server, f'CREATE DATABASE "{name}"')
    database = server.rsplit("/", 1)[0] + f"/{name}"
    data_dir = Path(tempfile.mkdtemp(prefix="kb-bench-monitor-"))
    settings = Settings(
        data_dir=data_dir,
        database_url=database,
        content_dir=REPO / "content",
        search_dir=REPO / "search",
        secret_key=secrets.token_urlsafe(48),
        _env_file=None,  # type: ignore[call-arg]
    )
    try:
        engine, backend = prepare(settings)
        accounts = {}
        with Session(engine) as session:
            service = AccountService(session, AuthConfig.from_settings(settings))
            for role, scope in (("raadsonderzoeker", {"office": "Raad Bench"}), ("redacteur", {})):
                new = parse_new_account(
                    {"username": f"bench-{role}", "role": role, "password": PASSWORD, **scope}
                )
                accounts[role] = service.create(new, by=None)
            session.commit()
        result: dict[str, Any] = {
            "database": "postgresql",
            **generate(engine, accounts["raadsonderzoeker"].id, cases),
        }
        app = create_app(settings, engine, backend)
        with TestClient(app=app, base_url="https://testserver.local") as client:
            token = client.post(
                "/api/v1/auth/token", json={"username": "bench-redacteur", "password": PASSWORD}
            ).json()["token"]
            client.headers["Authorization"] = f"Bearer {token}"
            result["monitor_csv_cold"] = _cold(client, engine, "/api/v1/monitor.csv", 10)
            result["monitor_csv"] = _timed(client, "/api/v1/monitor.csv", TIMED_RUNS)
            result["monitor_json"] = _timed(client, "/api/v1/monitor", TIMED_RUNS)
            before = client.get("/api/v1/monitor.csv").text
            del client.headers["Authorization"]
            client.post(
                "/aanmelden",
                data={
                    "username": "bench-redacteur",
                    "password": PASSWORD,
                    "_csrf_token": _csrf(client),
                },
            )
            result["monitor_page"] = _timed(client, "/monitor", TIMED_RUNS)
            with Session(engine) as session:
                start = time.perf_counter()
                report = purge(session, 730)
                session.commit()
                result["purge"] = {
                    "cases": report.cases,
                    "versions": report.versions,
                    "seconds": round(time.perf_counter() - start, 2),
                }
                remaining = session.scalar(select(func.count()).select_from(Analysis))
                verified = audit.verify(session)
            client.headers["Authorization"] = f"Bearer {token}"
            after = client.get("/api/v1/monitor.csv").text
        result["after_purge"] = {
            "analyses_left": remaining,
            "monitor_unchanged": before == after,
            "audit_verifies": verified.ok,
            "audit_entries": verified.checked,
        }
        engine.dispose()
        return result
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _csrf(client: Any) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(client.get("/aanmelden").text, "html.parser")
    field = soup.find("input", attrs={"name": "_csrf_token"})
    return str(field["value"]) if field is not None else ""  # type: ignore[index]


def monitor_lines(result: dict[str, Any]) -> list[str]:
    """The summary of `monitor_bench`'s figures against the issue's targets."""
    purge = result["purge"]
    lines = [
        f"Monitor over {result['cases']:,} closed cases (PostgreSQL, generated in {result['generate_s']} s):"
    ]
    for key in ("monitor_csv_cold", "monitor_csv", "monitor_json", "monitor_page"):
        figures = result[key]
        ok = "meets" if figures["median_ms"] <= TARGETS["monitor_ms"] else "MISSES"
        when = "just after outcomes changed" if key.endswith("_cold") else "counts kept"
        lines.append(
            f"  {figures['path']} ({when}): median {figures['median_ms']} ms, p95 "
            f"{figures['p95_ms']} ms ({ok} ≤ {TARGETS['monitor_ms']:.0f} ms)"
        )
    ok = "meets" if purge["seconds"] <= TARGETS["purge_s"] else "MISSES"
    lines.append(
        f"  kb purge: {purge['cases']:,} cases, {purge['versions']:,} versions in "
        f"{purge['seconds']} s ({ok} ≤ {TARGETS['purge_s']:.0f} s)"
    )
    after = result["after_purge"]
    lines.append(
        f"  after the purge: {after['analyses_left']} analyses left, monitor unchanged: "
        f"{after['monitor_unchanged']}, audit chain verifies: {after['audit_verifies']}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    args = (argv if argv is not None else sys.argv[1:]) or [str(CASES)]
    result = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average_at_start": os.getloadavg(),
        "monitor": monitor_bench(int(args[0])),
        "load_average_at_end": os.getloadavg(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{dt.date.today().isoformat()}-monitor.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("\n".join(monitor_lines(result["monitor"])))
    print(f"\nWritten: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
