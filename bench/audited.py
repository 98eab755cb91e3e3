"""`python -m bench.run --only audited-read`: a judge's audited analysis read under load.

Every `GET /api/v1/conflict-analyses/{id}` appends a row to the hash-chained audit log before it
is answered, so this measures the audit append as much as the read. Two servers, each on a fresh
database after `kb index`, in demo mode (its accounts, cheapest password hashing):

- PostgreSQL (`KB_BENCH_DATABASE_URL`, default the local server; a database of its own, dropped
  afterwards) with `kb serve --workers 2`: the production shape. Target: ≥ 500 req/s, p99 ≤ 50 ms,
  no errors, the chain verifies afterwards.
- SQLite with `kb serve --workers 1`: the embedded default. Target: no errors.

The analysis is created, submitted and approved through the API; a rechter of the same court
then reads it with a bearer token under wrk (2 threads, 8 connections, a short discarded warm-up
run, then the measured run). Afterwards `kb audit verify` must pass and the log must hold at least
one `analysis.read` row per answered read.

For scale on a shared machine, the same server and token are measured first on
`GET /api/v1/auth/me` (the bearer token looked up in the database, nothing audited): the floor
an audited read is compared with (`read_vs_me`).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from bench.run import (
    ANALYSES_PATH,
    BIN,
    Load,
    Sources,
    _kb_env,
    _timed_child,
    _write_paths,
    approved_analysis,
    free_port,
    json_headers,
    kb_serve_command,
    load_case,
    log,
    measure,
    serve,
    sign_in,
    write_wrk_request,
)

__all__ = ["AUDITED_TARGETS", "audited_read", "audited_read_lines"]

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ME_PATH = "/api/v1/auth/me"
AUDITED_WRK = {"threads": 2, "connections": 8, "warmup_s": 2}
AUDITED_TARGETS = {"postgres_rps": 500.0, "postgres_p99_ms": 50.0}


def _postgres_database(server_url: str, name: str, create: bool) -> str:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if create:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        else:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def _audit_rows(database_url: str) -> int:
    from kb.auth.models import AuditEntry

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            query = select(func.count()).where(AuditEntry.action == "analysis.read")
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def _verify(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [str(BIN / "kb"), "audit", "verify"], env=env, capture_output=True, text=True, timeout=600
    )
    return {"exit_code": done.returncode, "output": (done.stdout + done.stderr).strip()[-500:]}


def _one_server(
    workdir: Path, sources: Sources, database_url: str, workers: int, settings: dict[str, int]
) -> dict[str, Any]:
    label = "postgres" if database_url.startswith("postgresql") else "sqlite"
    data_dir = workdir / f"data-{label}"
    env = _kb_env(data_dir, sources.content, sources.search)
    env |= {"KB_DEMO": "1", "KB_PASSWORD_HASHING": "CHEAPEST", "KB_DATABASE_URL": database_url}
    out: dict[str, Any] = {"database": label, "workers": workers}
    log(f"audited read, {label}: kb index …")
    _timed_child([str(BIN / "kb"), "index"], env, 1800, workdir / f"kb-index-{label}.log")
    port = free_port()
    command = kb_serve_command(port, workers)
    log_path = workdir / f"kb-{label}.log"
    with serve("kb serve", command, env, "/api/v1/health", log_path, port) as srv:
        analysis_id = approved_analysis(port, load_case(), "onderzoeker", "gedragsdeskundige")
        path = f"{ANALYSES_PATH}/{analysis_id}"
        headers = json_headers(sign_in(port, "rechter"))
        load = Load(
            _write_paths(workdir / f"audited-{label}.txt", [path]),
            write_wrk_request(workdir, f"audited-{label}", "GET", None, headers),
        )
        floor = Load(_write_paths(workdir / f"me-{label}.txt", [ME_PATH]), load.request)
        log(f"audited read, {label}: wrk on {ME_PATH} (the floor) …")
        out["me_wrk"] = measure(port, floor, settings)
        log(f"audited read, {label}: wrk …")
        out["path"] = path
        out["wrk"] = measure(port, load, settings, lambda: _audit_rows(database_url))
        out["read_vs_me"] = round(
            out["wrk"]["requests_per_s"] / max(out["me_wrk"]["requests_per_s"], 0.1), 3
        )
        out["processes"] = srv.processes()
    out["audit_verify"] = _verify(env)
    out["analysis_read_rows"] = _audit_rows(database_url)
    # Every read wrk counted as answered has its row (a read still in flight when wrk stopped
    # may add one more): the measured run's rows, counted after its warm-up.
    run = out["wrk"]
    out["every_read_audited"] = run["counted"] >= run["requests"]
    out["server_log_tail"] = log_path.read_text(errors="replace")[-1500:]
    return out


def audited_read(root: Path, sources: Sources, duration_s: int) -> dict[str, Any]:
    """The audited read on PostgreSQL (2 workers) and on SQLite (1 process); see the module."""
    workdir = root / "audited"
    workdir.mkdir(parents=True, exist_ok=True)
    settings = {**AUDITED_WRK, "duration_s": duration_s}
    out: dict[str, Any] = {"settings": {"wrk": settings}, "load_average_at_start": os.getloadavg()}
    sqlite_url = f"sqlite:///{workdir / 'data-sqlite' / 'kb.sqlite3'}"
    out["sqlite"] = _one_server(workdir, sources, sqlite_url, 1, settings)
    server = os.environ.get("KB_BENCH_DATABASE_URL", DEFAULT_POSTGRES)
    name = f"kb_bench_audit_{os.getpid()}"
    try:
        url = _postgres_database(server, name, create=True)
    except Exception as exc:  # no server: say so, keep the SQLite figures
        out["postgres"] = {"skipped": f"no PostgreSQL at {server}: {exc}"[:500]}
    else:
        try:
            out["postgres"] = _one_server(workdir, sources, url, 2, settings)
        finally:
            _postgres_database(server, name, create=False)
    out["load_average_at_end"] = os.getloadavg()
    return out


def audited_target_rows(report: dict[str, Any]) -> list[tuple[str, str, float, Any]]:
    """(target, operator, goal, measured) for the summary; measured is None when not run."""
    audited = report.get("audited_read") or {}
    pg = (audited.get("postgres") or {}).get("wrk") or {}
    lite = (audited.get("sqlite") or {}).get("wrk") or {}
    return [
        ("audited analysis read, PostgreSQL, 2 workers, 8 connections, req/s", "≥",
         AUDITED_TARGETS["postgres_rps"], pg.get("requests_per_s")),
        ("audited analysis read, PostgreSQL, 2 workers, 8 connections, p99 ms", "≤",
         AUDITED_TARGETS["postgres_p99_ms"], (pg.get("latency_ms") or {}).get("p99")),
        ("audited analysis read, PostgreSQL, errors and answers ≥ 400", "≤", 0,
         pg.get("non_2xx_or_errors")),
        ("audited analysis read, SQLite, 1 process, errors and answers ≥ 400", "≤", 0,
         lite.get("non_2xx_or_errors")),
        ("audited analysis read, PostgreSQL, measured reads without their analysis.read row",
         "≤", 0, _unaudited(pg)),
        ("audited analysis read, SQLite, measured reads without their analysis.read row",
         "≤", 0, _unaudited(lite)),
    ]  # fmt: skip


def _unaudited(run: dict[str, Any]) -> int | None:
    if "counted" not in run:
        return None
    return max(0, int(run["requests"]) - int(run["counted"]))


def audited_read_lines(audited: dict[str, Any]) -> list[str]:
    lines = ["Audited analysis read (a judge, bearer token, wrk 2 threads / 8 connections):"]
    for label in ("postgres", "sqlite"):
        part = audited.get(label) or {}
        if "skipped" in part:
            lines.append(f"  {label}: skipped — {part['skipped']}")
            continue
        run = part.get("wrk") or {}
        latency = run.get("latency_ms") or {}
        verify = part.get("audit_verify") or {}
        lines.append(
            f"  {label}, {part.get('workers')} worker(s): {run.get('requests_per_s')} req/s, "
            f"p50 {latency.get('p50')} ms, p99 {latency.get('p99')} ms, "
            f"errors {run.get('non_2xx_or_errors')} ({run.get('errors')}); "
            f"{run.get('counted')} analysis.read rows for {run.get('requests')} "
            f"measured reads (each audited: {part.get('every_read_audited')}); "
            f"kb audit verify exit {verify.get('exit_code')}; "
            f"/api/v1/auth/me on the same server {(part.get('me_wrk') or {}).get('requests_per_s')} "
            f"req/s (read ÷ me {part.get('read_vs_me')})"
        )
    return lines
