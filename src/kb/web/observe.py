"""Every request observed once, at the outermost layer: a request id (answered in
`X-Request-ID`), one JSON log line (`kb.request`) and the request metrics.

It wraps Litestar's whole ASGI handler rather than being a middleware, because Litestar runs
middleware only for requests that found a route: a 404 would go unlogged and uncounted.

A route is named by its template (`/analyses/{analysis_id:int}`), never by its path: a path can
hold a user name (`/api/v1/accounts/{username}/…`) or an activation link (`/activeren/{link}`),
and a query what someone searched for. A request id sent by a trusted proxy (nginx's
`$request_id`) is kept, so that both logs name the same request; anyone else's is replaced.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from kb.logs import REQUEST_ID
from kb.metrics import REQUEST_SECONDS, REQUESTS
from kb.web.requests import Network, client_address_of

__all__ = ["UNMATCHED", "RequestObserver", "route_of"]

logger = logging.getLogger("kb.request")

UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_GOOD_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def route_of(scope: Scope | dict[str, Any]) -> str:
    """The route template the request matched, or `UNMATCHED`: what logs and labels may name."""
    template = scope.get("path_template")
    return str(template) if template else UNMATCHED


class RequestObserver:
    """Wraps the application: request id, the request's log line, its metrics."""

    def __init__(self, app: ASGIApp, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    def _request_id(self, scope: Scope) -> str:
        client = scope.get("client")
        if client and any(_in(client[0], network) for network in self.trusted):
            sent = dict(scope.get("headers", ())).get(b"x-request-id", b"").decode("latin-1")
            if _GOOD_ID.fullmatch(sent):
                return sent
        return uuid.uuid4().hex

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = self._request_id(scope)
        token = REQUEST_ID.set(request_id)
        status = 500
        observed = False
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status, observed
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", ()), header]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Before the last byte leaves: a client that got its answer finds it counted.
                observed = True
                self._observe(scope, status, time.perf_counter() - started)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if not observed:
                self._observe(scope, status, time.perf_counter() - started)
            REQUEST_ID.reset(token)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        asked = str(scope.get("method", ""))
        method = asked if asked in _METHODS else "OTHER"
        route = route_of(scope)
        REQUESTS.labels(method, route, str(status)).inc()
        REQUEST_SECONDS.labels(method, route).observe(seconds)
        client = scope.get("client")
        address = (
            client_address_of(client[0], scope.get("headers", ()), self.trusted) if client else None
        )
        logger.info(
            "request",
            extra={
                "fields": {
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "client": address,
                }
            },
        )


def _in(address: str, network: Network) -> bool:
    try:
        return ipaddress.ip_address(address) in network
    except ValueError:
        return False
