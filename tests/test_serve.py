"""`kb serve` as production runs it: prepare once, then several workers answer."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.browser.live import running_app
from tests.helpers import FIXTURE_CONTENT, FIXTURE_SLUGS, REPO

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
