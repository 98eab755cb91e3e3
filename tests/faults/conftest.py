"""The fault suite's servers and figures: `kb serve` and `kb index` as real processes on a fresh
database, clients that count every answer, and the figures of each fault written to
`bench/results/faults.json` and printed at the end of the run."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import secrets
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from bench.run import BIN, HOST, free_port, kb_serve_command, serve

from tests.browser.live import REPO

RESULTS = REPO / "bench" / "results" / "faults.json"
FIGURES: dict[str, Any] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/faults/" in str(item.path):
            item.add_marker(pytest.mark.faults)
            item.add_marker(pytest.mark.served)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    report = {"generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")} | FIGURES
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    terminalreporter.write_sep("-", f"fault suite figures (also in {RESULTS.relative_to(REPO)})")
    for name, figures in FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(figures, ensure_ascii=False)}")


@pytest.fixture()
def figures(request: pytest.FixtureRequest) -> dict[str, Any]:
    """This test's figures, reported at the end of the run under its name."""
    mine: dict[str, Any] = {}
    FIGURES[request.node.name] = mine
    return mine


def kb_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """`kb`'s environment: demo accounts, cheap hashing, the real content, this database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    return env | {
        "KB_DATA_DIR": str(data_dir),
        "KB_CONTENT_DIR": str(REPO / "content"),
        "KB_SEARCH_DIR": str(REPO / "search"),
        "KB_DATABASE_URL": database_url,
        "KB_DEMO": "1",
        "KB_PASSWORD_HASHING": "CHEAPEST",
        "KB_SECRET_KEY": secrets.token_urlsafe(48),
        **extra,
    }


@dataclass
class Served:
    port: int
    pid: int

    def alive(self) -> bool:
        """Whether `kb serve` itself still runs (our child: a zombie until it is waited for)."""
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text()
        except OSError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"

    def workers(self) -> list[int]:
        """The worker processes (uvicorn's spawned children, not its resource tracker)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        found = []
        for child in children:
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"spawn_main" in command and b"resource_tracker" not in command:
                found.append(int(child))
        return found


@contextmanager
def served(env: dict[str, str], log_path: Path, workers: int = 2) -> Iterator[Served]:
    port = free_port()
    command = kb_serve_command(port, workers)
    with serve("kb serve", command, env, "/api/v1/health", log_path, port) as srv:
        deadline = time.monotonic() + 60
        server = Served(port, srv.process.pid)
        while len(server.workers()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server


def kb_index(env: dict[str, str], **popen: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(BIN / "kb"), "index"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on a connection of its own; status 0 when the connection failed."""
    conn = http.client.HTTPConnection(HOST, port, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        headers_out = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, headers_out, data, time.monotonic())
    except (OSError, http.client.HTTPException):
        return Answer(0, {}, b"", time.monotonic())
    finally:
        conn.close()


@dataclass
class Load:
    """Clients repeating one request until stopped, keeping every answer's status and time."""

    request: Callable[[], Answer]
    clients: int = 4
    pause: float = 0.0  # between a client's requests
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _run(self) -> None:
        while not self._stop.is_set():
            answer = self.request()
            with self._lock:
                self.answers.append(answer)
            # A client that failed backs off a little, as a real one would.
            time.sleep(self.pause if answer.status == 200 else max(self.pause, 0.05))

    @contextmanager
    def running(self) -> Iterator[Load]:
        threads = [threading.Thread(target=self._run) for _ in range(self.clients)]
        for thread in threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in threads:
                thread.join(timeout=30)

    def between(self, start: float, end: float) -> list[Answer]:
        with self._lock:
            return [a for a in self.answers if start <= a.at < end]

    def statuses(self, start: float = 0.0, end: float = float("inf")) -> dict[str, int]:
        return {str(k): v for k, v in Counter(a.status for a in self.between(start, end)).items()}

    def first_ok_after(self, moment: float) -> float | None:
        later = [a.at for a in self.between(moment, float("inf")) if a.status == 200]
        return min(later) if later else None

    def wait_for_ok_after(self, moment: float, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.first_ok_after(moment)
            if found is not None:
                return found
            time.sleep(0.05)
        return None
