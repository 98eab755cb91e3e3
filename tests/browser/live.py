"""The real application in a subprocess and Debian's Chromium: shared by the browser tests and
`scripts/screenshots.py`, so both see the site exactly as a visitor does."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Playwright

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "REPO",
    "desktop_context",
    "free_port",
    "launch_chromium",
    "running_app",
]

REPO = Path(__file__).resolve().parents[2]
# Debian's browser, never one downloaded by `playwright install`.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _command(port: int, workers: int | None) -> list[str]:
    if workers is None:
        return [
            sys.executable, "-m", "uvicorn", "kb.cli:app_factory", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
            "--no-access-log",
        ]  # fmt: skip
    return [
        sys.executable, "-m", "kb.cli", "serve",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip


@contextmanager
def running_app(
    data_dir: Path,
    workers: int | None = None,
    content_dir: Path = REPO / "content",
    env: dict[str, str] | None = None,
    settings: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Serve the app on a free port of 127.0.0.1 over the real content; yield its URL.

    Without `workers`, uvicorn runs `kb.cli:app_factory`; with it, `kb serve --workers N` does,
    as in production. The data dir (SQLite and the search index) is the caller's temporary
    folder, and no `KB_` variable of the calling environment leaks in, so a developer's own
    settings never apply; `env` and `settings` add `KB_` variables of the test's own (a database).
    """
    port = free_port()
    extra = dict(env or {}) | dict(settings or {})
    env = (
        {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        | {
            "KB_DATA_DIR": str(data_dir),
            "KB_CONTENT_DIR": str(content_dir),
            "KB_SEARCH_DIR": str(REPO / "search"),
            "KB_DEMO": "1",
            # Tests count analyses: the invented demo cases only where a caller asks for them.
            "KB_DEMO_CASES": "0",
        }
        | extra
    )
    command = _command(port, workers)
    url = f"http://127.0.0.1:{port}"
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        # The data dir is the working directory too, so no stray `.env` file is read.
        server = subprocess.Popen(
            command, cwd=data_dir, env=env, stdout=log, stderr=log, start_new_session=True
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _healthy(url):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.2)
            yield url
        finally:
            _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its workers: the whole process group it leads."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless Debian Chromium, without the background traffic a browser makes on its own."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


def desktop_context(browser: Browser, base_url: str) -> BrowserContext:
    """A browser profile on a desktop-sized window, in Dutch, that gives up on a page after 10 s."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": 1280, "height": 900}, locale="nl-NL"
    )
    context.set_default_timeout(10_000)
    return context
