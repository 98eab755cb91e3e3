"""Liveness and readiness: `/api/v1/health` says the process answers, `/api/v1/ready` says
whether it can serve, by asking each dependency in turn.

A load balancer takes a worker out of rotation on a 503 from `ready` and restarts it only when
`health` stops answering; so `health` asks nothing outside the process, and `ready` names every
dependency that is down (database, search index, sessions store) in a problem+json 503 with
`Retry-After`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get
from litestar.concurrency import sync_to_thread
from litestar.di import NamedDependency
from litestar.stores.base import Store
from sqlalchemy import Engine, text

from kb.search.base import SearchBackend
from kb.web.errors import PROBLEM_JSON, RETRY_AFTER_SECONDS, problem_document

__all__ = ["Readiness", "health", "ready"]

logger = logging.getLogger(__name__)

# A dependency that takes longer than this to answer counts as down.
CHECK_SECONDS = 3.0
_NAMES = {"database": "de database", "search": "de zoekindex", "sessions": "de sessieopslag"}


@dataclass(frozen=True)
class Readiness:
    """The dependencies `ready` asks: the database, the search backend, the sessions store."""

    engine: Engine
    search: SearchBackend
    sessions: Store
    sessions_kind: str  # "redis" or "database", shown to operators

    async def check(self) -> dict[str, dict[str, Any]]:
        """Each dependency's state; `ok` False (with the reason) for one that is down."""
        checks = {
            "database": lambda: sync_to_thread(self._database),
            "search": lambda: sync_to_thread(self._search),
            "sessions": self._sessions,
        }
        # Side by side: a dependency that hangs costs the answer CHECK_SECONDS, not each one.
        states = await asyncio.gather(*(_bounded(name, probe) for name, probe in checks.items()))
        return dict(zip(checks, states, strict=True))

    def _database(self) -> dict[str, Any]:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"ok": True, "engine": self.engine.dialect.name}

    def _search(self) -> dict[str, Any]:
        return dict(self.search.health())

    async def _sessions(self) -> dict[str, Any]:
        await self.sessions.exists("kb-ready-probe")
        return {"ok": True, "store": self.sessions_kind}


async def _bounded(name: str, probe: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    try:
        return await asyncio.wait_for(probe(), CHECK_SECONDS)
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {CHECK_SECONDS:g} s"}
    except Exception as exc:  # whatever the driver raises, the dependency is down
        logger.warning("Readiness: %s is down: %s", name, exc)
        return {"ok": False, "error": type(exc).__name__}


@get(
    "/api/v1/health",
    tags=["Beheer"],
    summary="Leeft het proces (liveness); vraagt niets buiten het proces",
    sync_to_thread=False,
)
def health(search_backend: NamedDependency[SearchBackend]) -> dict[str, Any]:
    return {"ok": True, "search": search_backend.health()}


@get(
    "/api/v1/ready",
    tags=["Beheer"],
    summary="Kan het proces verzoeken aan: database, zoekindex en sessieopslag (503 als niet)",
)
async def ready(
    request: Request[Any, Any, Any], readiness: NamedDependency[Readiness]
) -> Response[Any]:
    checks = await readiness.check()
    down = [name for name, state in checks.items() if not state.get("ok")]
    if not down:
        return Response({"ok": True, "checks": checks}, headers={"Cache-Control": "no-store"})
    names = " en ".join(_NAMES[name] for name in down)
    detail = f"Niet gereed: {names} {'is' if len(down) == 1 else 'zijn'} niet bereikbaar."
    body = problem_document(503, detail, request.url.path) | {"failing": down, "checks": checks}
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return Response(body, status_code=503, media_type=PROBLEM_JSON, headers=headers)
