"""`kb serve` as production runs it: prepare once, then several workers answer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.live import running_app
from tests.helpers import FIXTURE_CONTENT, FIXTURE_SLUGS, REPO, SEARCH

# Every test here starts `kb serve` in a process of its own, without the `live_url` fixture.
pytestmark = pytest.mark.served


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return dict(json.loads(response.read()))


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_prepares_once_and_every_worker_answers(tmp_path: Path, workers: int) -> None:
    # The hand-counted fixture corpus, so the count below holds whatever editors do to content/.
    with running_app(tmp_path, workers=workers, content_dir=FIXTURE_CONTENT) as url:
        health = _get(f"{url}/api/v1/health")
        assert health["search"]["documents"] == len(FIXTURE_SLUGS)  # type: ignore[index]
        # Each request on a new connection: the kernel hands them to either worker.
        for _ in range(10):
            body = _get(f"{url}/api/v1/interventions?q=alpha+kindergroeb")
            assert body["items"][0]["slug"] == "alpha-groep"  # type: ignore[index]
        with urllib.request.urlopen(f"{url}/interventies?q=groep", timeout=10) as page:
            assert b"<mark>" in page.read()
    generations = [p for p in (tmp_path / "search-index").iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 1  # built once, by the preparation, not by each worker


def test_serve_with_workers_refuses_broken_content(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    (content / "interventions" / "kies.md").write_text("geen front matter\n", encoding="utf-8")
    env = {"KB_DATA_DIR": str(tmp_path), "KB_CONTENT_DIR": str(content), "KB_DEMO": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", "serve", "--port", "1", "--workers", "2"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "kies.md:1: front matter" in done.stderr


@contextmanager
def _busy(url: str) -> Iterator[None]:
    """Requests for a catalogue page and a search, over and over, from two threads."""
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            _status(f"{url}/interventies/alpha-groep")
            _status(f"{url}/api/v1/interventions?q=groep")

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_every_worker_serves_a_new_generation_from_its_next_request(
    tmp_path: Path, empty_database: str
) -> None:
    """`kb serve --workers 2` (on PostgreSQL too when KB_TEST_DATABASE_URL is set): once `kb index`
    in another process has finished — as an approval on one worker re-indexes — every request,
    whichever worker takes it, finds the new entry, its page and its revision; no retrying."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    data = tmp_path / "data"
    data.mkdir()
    database = {"KB_DATABASE_URL": empty_database}
    # The workers would ask the database only once a minute: the signal must tell them.
    slow_poll = database | {"KB_GENERATION_CHECK_SECONDS": "60"}
    with running_app(data, workers=2, content_dir=content, settings=slow_poll) as url:
        search = f"{url}/api/v1/interventions?q=vadergroep"
        for _ in range(10):  # each worker has loaded its catalogue and index by now
            assert _get(search)["total"] == 0
        beta = (content / "interventions" / "beta-bemiddeling.md").read_text(encoding="utf-8")
        (content / "interventions" / "zeta-vadergroep.md").write_text(
            beta.replace("Beta Ouderschapsbemiddeling", "Zeta Vadergroep"), encoding="utf-8"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")} | database
        env |= {"KB_DATA_DIR": str(data), "KB_CONTENT_DIR": str(content)}
        env |= {"KB_SEARCH_DIR": str(SEARCH), "KB_DEMO": "1"}
        # Traffic all the while, as on a server in use.
        with _busy(url):
            indexed = subprocess.run(
                [sys.executable, "-m", "kb.cli", "index"],
                env=env,
                cwd=data,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert indexed.returncode == 0, indexed.stderr
            # Each request on a new connection: the kernel hands them to either worker.
            for _ in range(20):
                assert [i["slug"] for i in _get(search)["items"]] == ["zeta-vadergroep"]  # type: ignore[index]
                assert _status(f"{url}/interventies/zeta-vadergroep") == 200
                changes = _get(f"{url}/api/v1/changes")["items"]
                assert [(c["kind"], c["slug"]) for c in changes] == [("nieuw", "zeta-vadergroep")]  # type: ignore[index, union-attr]
