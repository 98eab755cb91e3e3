"""The fault suite (`make faults`): what the product does when a worker or `kb index` is killed,
when the database or Redis goes away, and when the disk fills during indexing.

Each test runs real processes (`kb serve --workers 2`, `kb index`) on a fresh database (SQLite,
and PostgreSQL when KB_TEST_DATABASE_URL is set), and reports its counts and recovery times
(tests/faults/conftest.py writes them to bench/results/faults.json and prints them). The
database and Redis are taken away through a proxy the test controls (tests/outage.py), never by
stopping the shared servers.
"""

from __future__ import annotations

import copy
import os
import resource
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from bench.corpus import generate_entries, write_content
from bench.run import (
    ANALYSES_PATH,
    BIN,
    DEMO_PASSWORD,
    compact_json,
    json_headers,
    load_case,
    sign_in,
)
from bs4 import BeautifulSoup

from tests.faults.conftest import Answer, Load, Served, call, kb_env, kb_index, served
from tests.helpers import REDIS_URL
from tests.outage import proxied

OUTAGE_S = 3.0
RECOVERY_LIMIT_S = 30.0  # a bound for "it came back", not a speed check: the figure is reported
SEARCH = "/api/v1/interventions?q=omgangsregeling"


def _marker(n: int) -> str:
    return f"K1 zit klem tussen de ouders (opslag {n})."


def _body(n: int, writer: int) -> bytes:
    case = copy.deepcopy(load_case())
    case["assessment"]["summary"] = _marker(n)
    # A case of its own per investigator: an office holds one open analysis per case number.
    case["case"]["case_number"] = f"C/13/700000 / FA RK 26-{writer}"
    return compact_json(case)


class Writer:
    """One investigator saving one draft over and over, remembering its last acknowledged save."""

    def __init__(self, port: int, token: str, number: int) -> None:
        self.port, self.token, self.number = port, token, number
        created = call(port, "POST", ANALYSES_PATH, _body(0, number), json_headers(token))
        assert created.status == 201, created.body
        self.path = f"{ANALYSES_PATH}/{created.json()['id']}"
        self.etag: str | None = created.headers["etag"]
        self.n = self.acked_n = 0
        self.acked = 0
        self.failed: dict[str, int] = {}

    def save_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.n += 1
            answer = call(
                self.port,
                "PUT",
                self.path,
                _body(self.n, self.number),
                json_headers(self.token, self.etag),
            )
            if answer.status == 200:
                self.etag, self.acked_n = answer.headers["etag"], self.n
                self.acked += 1
                continue
            key = str(answer.status)
            self.failed[key] = self.failed.get(key, 0) + 1
            time.sleep(0.05)
            # Unanswered or refused: the save may or may not have landed; ask what is stored.
            current = call(self.port, "GET", self.path, headers=json_headers(self.token))
            if current.status == 200:
                self.etag = current.headers["etag"]

    def stored_n(self) -> int:
        answer = call(self.port, "GET", self.path, headers=json_headers(self.token))
        assert answer.status == 200, answer.body
        summary = answer.json()["body"]["assessment"]["summary"]
        return next(n for n in range(self.n + 1) if _marker(n) == summary)


def test_kill_a_worker_during_concurrent_saves(
    empty_database: str, tmp_path: Path, figures: dict[str, Any]
) -> None:
    """kill -9 of one of two workers while six investigators save: no acknowledged save is lost
    (each draft holds its last acknowledged save or a later one), and the worker comes back."""
    env = kb_env(tmp_path / "data", empty_database)
    with served(env, tmp_path / "serve.log") as server:
        token = sign_in(server.port, "onderzoeker")
        writers = [Writer(server.port, token, number) for number in range(6)]
        stop = threading.Event()
        threads = [threading.Thread(target=w.save_until, args=(stop,)) for w in writers]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        victim = server.workers()[0]
        os.kill(victim, signal.SIGKILL)  # our own child, by its id
        killed_at = time.monotonic()
        back = _workers_back(server, victim, 2)
        time.sleep(1.5)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        stored = [w.stored_n() for w in writers]

    lost = sum(1 for w, n in zip(writers, stored, strict=True) if n < w.acked_n)
    figures |= {
        "database": empty_database.split(":")[0].split("+")[0],
        "acknowledged_saves": sum(w.acked for w in writers),
        "failed_saves": _sum_counts(w.failed for w in writers),
        "acknowledged_saves_lost": lost,
        "worker_back_after_s": round(back - killed_at, 2) if back else None,
    }
    assert lost == 0
    assert sum(w.acked for w in writers) > 0
    assert back is not None


def _workers_back(server: Served, victim: int, count: int) -> float | None:
    deadline = time.monotonic() + RECOVERY_LIMIT_S
    while time.monotonic() < deadline:
        workers = server.workers()
        if victim not in workers and len(workers) >= count:
            return time.monotonic()
        time.sleep(0.05)
    return None


def _until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _sum_counts(counts: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for each in counts:
        for key, value in each.items():
            total[key] = total.get(key, 0) + value
    return total


def _generation(data_dir: Path) -> str:
    return (data_dir / "search-index" / "CURRENT").read_text(encoding="utf-8").strip()


def test_kill_kb_index_keeps_the_old_index_serving(
    empty_database: str, tmp_path: Path, figures: dict[str, Any]
) -> None:
    """kill -9 of `kb index` while it writes a new (larger) index: the server keeps answering
    from the old one, CURRENT still names it, and the next `kb index` succeeds."""
    data_dir = tmp_path / "data"
    env = kb_env(data_dir, empty_database)
    with served(env, tmp_path / "serve.log", workers=1) as server:
        before = _generation(data_dir)
        total = call(server.port, "GET", SEARCH).json()["total"]
        bigger = tmp_path / "content"
        write_content(generate_entries(400), bigger)
        index_env = env | {"KB_CONTENT_DIR": str(bigger)}
        searches = Load(lambda: call(server.port, "GET", SEARCH), clients=2, pause=0.02)
        with searches.running():
            indexing = kb_index(index_env)
            started = time.monotonic()
            killed = _kill_when_writing(indexing, data_dir / "search-index", before)
            time.sleep(1.0)
        after_kill = _generation(data_dir)
        still = call(server.port, "GET", SEARCH)
        again = kb_index(index_env)
        again_out = again.communicate(timeout=600)
    figures |= {
        "database": empty_database.split(":")[0].split("+")[0],
        "killed_after_s": round(killed - started, 2) if killed else None,
        "searches_during": searches.statuses(),
        "next_kb_index_exit": again.returncode,
    }
    assert killed is not None, "kb index finished before it could be killed"
    assert after_kill == before
    assert still.status == 200 and still.json()["total"] == total
    assert set(searches.statuses()) == {"200"}
    assert again.returncode == 0, again_out
    assert _generation(data_dir) != before


def _kill_when_writing(indexing: subprocess.Popen[str], index_dir: Path, old: str) -> float | None:
    """kill -9 as soon as a new generation appears beside the old one; when it was killed."""
    deadline = time.monotonic() + 300
    while indexing.poll() is None and time.monotonic() < deadline:
        if any(p.name != old for p in index_dir.glob("gen-*")):
            indexing.kill()  # our own child, by its id
            indexing.communicate()
            return time.monotonic()
        time.sleep(0.005)
    indexing.communicate()
    return None


def _outage(load: Load, cut: Any, restore: Any) -> dict[str, Any]:
    """Let the load run, cut for OUTAGE_S, restore; the answers in each phase and the recovery."""
    time.sleep(1.0)
    cut()
    down_at = time.monotonic()
    time.sleep(OUTAGE_S)
    restore()
    up_at = time.monotonic()
    back = load.wait_for_ok_after(up_at, RECOVERY_LIMIT_S)
    time.sleep(1.0)
    during = load.between(down_at, up_at)
    return {
        "before": load.statuses(0, down_at),
        "during": load.statuses(down_at, up_at),
        "after_restore": load.statuses(up_at),
        "503_without_retry_after": sum(
            1 for a in during if a.status == 503 and "retry-after" not in a.headers
        ),
        "recovered_after_s": round(back - up_at, 2) if back else None,
    }


def _audited_read(port: int, token: str, analysis_id: int) -> Answer:
    return call(port, "GET", f"{ANALYSES_PATH}/{analysis_id}", headers=json_headers(token))


def test_database_outage_gives_503_then_recovers(
    empty_database: str, tmp_path: Path, figures: dict[str, Any]
) -> None:
    """PostgreSQL goes away for a few seconds under audited reads: 503 with Retry-After (never
    500), readiness says so, and reads succeed again seconds after it is back."""
    if not empty_database.startswith("postgresql"):
        pytest.skip("the embedded database (SQLite) is a file, not a server that can go away")
    with proxied(empty_database) as (url, proxy):
        env = kb_env(tmp_path / "data", url)
        with served(env, tmp_path / "serve.log") as server:
            token = sign_in(server.port, "onderzoeker")
            created = call(server.port, "POST", ANALYSES_PATH, _body(0, 100), json_headers(token))
            analysis_id = created.json()["id"]
            reads = Load(lambda: _audited_read(server.port, token, analysis_id))
            ready = Load(lambda: call(server.port, "GET", "/api/v1/ready"), clients=1)
            with reads.running(), ready.running():
                outcome = _outage(reads, proxy.cut, proxy.restore)
            verify = subprocess.run(
                [str(BIN / "kb"), "audit", "verify"],
                env=env, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
    figures |= outcome | {"ready_statuses": ready.statuses(), "audit_verify": verify.returncode}
    assert "500" not in outcome["during"] and "500" not in outcome["after_restore"]
    assert set(outcome["during"]) <= {"200", "503"}  # a read already past the database may end
    assert "503" in outcome["during"]
    assert outcome["503_without_retry_after"] == 0
    assert "503" in ready.statuses()
    assert outcome["recovered_after_s"] is not None
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_a_worker_killed_during_a_database_outage_comes_back_after_it(
    empty_database: str, tmp_path: Path, figures: dict[str, Any]
) -> None:
    """kill -9 of a worker while PostgreSQL is away: uvicorn starts a new one, which waits for
    the database instead of failing its start (uvicorn stops the whole server when a worker
    fails to start); once the database is back, both workers serve."""
    if not empty_database.startswith("postgresql"):
        pytest.skip("the embedded database (SQLite) is a file, not a server that can go away")
    with proxied(empty_database) as (url, proxy):
        env = kb_env(tmp_path / "data", url)
        log_path = tmp_path / "serve.log"
        with served(env, log_path) as server:
            token = sign_in(server.port, "onderzoeker")
            created = call(server.port, "POST", ANALYSES_PATH, _body(0, 101), json_headers(token))
            reads = Load(lambda: _audited_read(server.port, token, created.json()["id"]))
            with reads.running():
                time.sleep(1.0)
                proxy.cut()
                victim = server.workers()[0]
                os.kill(victim, signal.SIGKILL)  # our own child, by its id
                # Away until the new worker has tried the database (or the server gave up).
                tried = _until(
                    lambda: (
                        "waits for the database" in log_path.read_text(errors="replace")
                        or not server.alive()
                    ),
                    RECOVERY_LIMIT_S,
                )
                alive_during = server.alive()
                proxy.restore()
                up_at = time.monotonic()
                back = reads.wait_for_ok_after(up_at, RECOVERY_LIMIT_S)
                workers_back = _workers_back(server, victim, 2)
                time.sleep(1.0)
            log = log_path.read_text(errors="replace")
    figures |= {
        "new_worker_tried_during_outage": tried,
        "server_alive_during_outage": alive_during,
        "reads_after_restore": reads.statuses(up_at),
        "recovered_after_s": round(back - up_at, 2) if back else None,
        "both_workers_after_s": round(workers_back - up_at, 2) if workers_back else None,
    }
    assert tried and alive_during, log[-3000:]
    assert back is not None and workers_back is not None, log[-3000:]
    assert "500" not in reads.statuses(up_at)


def _page_session(port: int) -> httpx.Client:
    """A browser-like client signed in as the demo investigator through the form."""
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15)
    form = BeautifulSoup(client.get("/aanmelden").text, "html.parser")
    token = form.find("input", attrs={"name": "_csrf_token"})["value"]  # type: ignore[index]
    data = {"_csrf_token": token, "username": "onderzoeker", "password": DEMO_PASSWORD}
    assert client.post("/aanmelden", data=data).status_code in (200, 303)
    return client


def _page(client: httpx.Client, path: str) -> Answer:
    try:
        response = client.get(path)
    except httpx.HTTPError:
        return Answer(0, {}, b"", time.monotonic())
    headers = {k.lower(): v for k, v in response.headers.items()}
    return Answer(response.status_code, headers, response.content, time.monotonic())


@pytest.mark.redis
def test_redis_outage_gives_503_to_pages_only(
    empty_database: str, tmp_path: Path, figures: dict[str, Any]
) -> None:
    """Redis (the sessions store) goes away: pages answer 503 with Retry-After and the Dutch
    error page, the API (bearer tokens, no Redis) keeps answering, and pages recover."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        with Redis.from_url(REDIS_URL) as probe:
            probe.ping()
    except RedisError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    with proxied(REDIS_URL) as (url, proxy):
        env = kb_env(tmp_path / "data", empty_database, KB_REDIS_URL=url)
        with served(env, tmp_path / "serve.log") as server:
            token = sign_in(server.port, "onderzoeker")
            browser = _page_session(server.port)
            lock = threading.Lock()

            def page() -> Answer:
                with lock:  # one browser, one request at a time
                    return _page(browser, "/analyses")

            pages = Load(page, clients=1)
            api = Load(lambda: call(server.port, "GET", ANALYSES_PATH, headers=json_headers(token)))
            with pages.running(), api.running():
                outcome = _outage(pages, proxy.cut, proxy.restore)
                api_during = api.statuses()
            error_page = next((a for a in pages.answers if a.status == 503), None)
            browser.close()
    figures |= outcome | {"api_statuses": api_during}
    assert "500" not in outcome["during"] and "500" not in outcome["after_restore"]
    assert "503" in outcome["during"]
    assert outcome["503_without_retry_after"] == 0
    assert error_page is not None and "Tijdelijk niet beschikbaar" in error_page.body.decode()
    assert set(api_during) == {"200"}
    assert outcome["recovered_after_s"] is not None


def _limit_file_size(limit: int) -> None:
    """In the child: writes past `limit` bytes fail with EFBIG instead of killing it (SIGXFSZ)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _tiny_filesystem(folder: Path) -> bool:
    """A 64 KiB tmpfs at `folder` when this user may mount one (root); else False."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
        capture_output=True, timeout=30,
    )  # fmt: skip
    return done.returncode == 0


def test_disk_full_during_indexing_gives_a_clear_message(
    empty_database: str, tmp_path: Path, figures: dict[str, Any]
) -> None:
    """`kb index` on a disk that fills up: exit 1 with a Dutch message that says so, no
    traceback. A tiny tmpfs (no space left) where one may be mounted; else, with the database
    on a server, a file-size limit on the child (a SQLite file would hit the limit first)."""
    data_dir = tmp_path / "data"
    mounted = _tiny_filesystem(data_dir)
    if not mounted and not empty_database.startswith("postgresql"):
        pytest.skip("no tmpfs may be mounted here, and the SQLite file would fill up first")
    env = kb_env(data_dir, empty_database)
    if empty_database.startswith("sqlite"):
        # The database stays on the roomy disk: it is the index that does not fit.
        env["KB_DATABASE_URL"] = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    try:
        indexing = kb_index(env, preexec_fn=None if mounted else lambda: _limit_file_size(16_000))
        out, err = indexing.communicate(timeout=600)
    finally:
        if mounted:
            subprocess.run(["umount", str(data_dir)], check=False, timeout=30)
    figures |= {
        "simulated_by": "tmpfs of 64 KiB" if mounted else "RLIMIT_FSIZE of 16 kB",
        "exit_code": indexing.returncode,
        "stderr": err.strip()[-300:],
    }
    assert indexing.returncode == 1, out + err
    assert "Traceback" not in err
    assert "De schijf is vol" in err
