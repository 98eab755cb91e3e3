"""503 answers written as ASGI messages, for the moments the exception handler cannot help.

The exception handler (`kb.web.errors`) answers a dependency that is down with a 503 while a
handler runs. Two moments lie outside it: a commit that fails as the answer starts
(`kb.web.transactions`), and the sessions store failing while it saves the session, also as the
answer starts (Redis gone between reading the session and writing it back). `OutageMiddleware`,
the outermost, catches the second kind as long as nothing has gone to the client yet.
"""

from __future__ import annotations

import json
import logging

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from kb.web.errors import (
    PROBLEM_JSON,
    RETRY_AFTER_SECONDS,
    UNAVAILABLE,
    is_outage,
    problem_document,
    status_title,
    wants_json,
)
from kb.web.observe import route_of

__all__ = ["OutageMiddleware", "unavailable"]


logger = logging.getLogger(__name__)


def unavailable(
    scope: Scope, detail: str, retry_after: int = RETRY_AFTER_SECONDS
) -> tuple[Message, Message]:
    """A 503 with `Retry-After`: problem+json for the API, a short Dutch page for people."""
    title = status_title(503)
    if wants_json(Request(scope)):
        body = json.dumps(problem_document(503, detail, scope["path"])).encode()
        media_type = PROBLEM_JSON.encode()
    else:
        page = f"<!doctype html><html lang=nl><title>{title}</title><h1>{title}</h1><p>{detail}"
        body, media_type = page.encode(), b"text/html; charset=utf-8"
    start: Message = {
        "type": "http.response.start",
        "status": 503,
        "headers": [
            (b"content-type", media_type),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(retry_after).encode()),
            (b"cache-control", b"no-store"),
        ],
    }
    return start, {"type": "http.response.body", "body": body, "more_body": False}


def _outage_in(exc: BaseException) -> BaseException | None:
    """The outage `exc` is or was caused by (Litestar wraps what fails as the answer starts)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return None
        if is_outage(seen):
            return seen
        seen = seen.__cause__
    return None


class OutageMiddleware(ASGIMiddleware):
    """Turn a dependency that fails before anything was sent into a 503; see the module."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await next_app(scope, receive, tracking_send)
        except Exception as exc:
            outage = _outage_in(exc)
            if started or outage is None:
                raise
            logger.warning("Dependency down while answering %s: %s", route_of(scope), outage)
            for message in unavailable(scope, UNAVAILABLE):
                await send(message)
