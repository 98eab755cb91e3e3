"""`python -m bench.run --only approve`: from an editor's approval to the entry being found.

The application over a copy of the real content (SQLite, the embedded engine, demo accounts),
driven in-process through Litestar's test client, so the figure is the server's own work without
the network: an author registers a pilot through `POST /api/v1/proposals`; the clock starts when
a redacteur sends `POST /api/v1/proposals/{id}/approve` (which writes the content file, rebuilds
the rows and the index and swaps them in) and stops when `GET /api/v1/interventions?q=…` first
lists the new slug, asked right after the approval's answer. Target: median ≤ 2 s.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from kb.app import create_app, prepare
from kb.settings import Settings

__all__ = ["TARGET_MEDIAN_S", "approve_to_searchable"]

TARGET_MEDIAN_S = 2.0
PASSWORD = "kennisbank-demo"  # the demo accounts' password (README, demo mode)


def _proposal(n: int) -> dict[str, Any]:
    return {
        "about": None,
        "front_matter": {
            "title": f"Benchpilot {n} gezamenlijk oudergesprek",
            "kind": "pilot",
            "status": "lopend",
            "summary": f"Meetpilot nummer {n}: ouders voeren samen een gesprek met een jurist.",
            "pilot": {"start": 2026, "locations": ["Utrecht"]},
            "sources": [{"title": "Meetbron", "url": f"https://example.org/bench/{n}"}],
        },
        "body": "## Doel\n\nMeten hoe snel een goedgekeurd voorstel vindbaar is.",
    }


def _token(client: TestClient[Any], username: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def approve_to_searchable(
    workdir: Path, content_dir: Path, search_dir: Path, runs: int = 9
) -> dict[str, Any]:
    """Approve `runs` proposals one after another; the seconds until each was found."""
    content = workdir / "approve-content"
    shutil.copytree(content_dir, content)
    settings = Settings(
        data_dir=workdir / "approve-data",
        content_dir=content,
        search_dir=search_dir,
        demo=True,
        password_hashing="CHEAPEST",
        _env_file=None,  # type: ignore[call-arg]
    )
    engine, backend = prepare(settings)
    seconds: list[float] = []
    with TestClient(create_app(settings, engine, backend)) as client:
        author, editor = _token(client, "loket"), _token(client, "redacteur")
        for n in range(runs):
            created = client.post("/api/v1/proposals", json=_proposal(n), headers=author)
            created.raise_for_status()
            started = time.perf_counter()
            approved = client.post(
                f"/api/v1/proposals/{created.json()['id']}/approve", headers=editor
            )
            approved.raise_for_status()
            slug = approved.json()["slug"]
            found = client.get("/api/v1/interventions", params={"q": f"Benchpilot {n}"})
            if slug not in [item["slug"] for item in found.json()["items"]]:
                raise RuntimeError(f"approved {slug} was not found by the next search")
            seconds.append(time.perf_counter() - started)
    engine.dispose()
    median = statistics.median(seconds)
    return {
        "runs": runs,
        "entries_before": len(list((content_dir / "interventions").glob("*.md"))),
        "seconds": [round(s, 3) for s in seconds],
        "median_s": round(median, 3),
        "max_s": round(max(seconds), 3),
        "target_median_s": TARGET_MEDIAN_S,
        "met": median <= TARGET_MEDIAN_S,
        "how": "in-process (Litestar TestClient), SQLite, embedded engine, real content copy",
    }
