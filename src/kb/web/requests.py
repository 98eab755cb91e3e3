"""What every request must be before a handler sees it: from which address it comes, an address
without NUL characters, whole numbers in the path that a database can hold, and JSON of a sane
depth.

- `client_address_of` is the one function that decides the client's address: the peer, unless the
  peer is a trusted proxy (`KB_TRUSTED_PROXIES`), and then the nearest address in
  `X-Forwarded-For` (or `Forwarded`) that is not one. Nobody else reads those headers; `kb serve`
  tells uvicorn not to either (it believes them from 127.0.0.1 by default, which let anyone on
  the same host pick their own address and slip past the sign-in throttling).
- `RequestGuard` (the outermost middleware) writes that address into the request and refuses a
  NUL character in the path (400) and a whole number in the path beyond what the
  database's integer holds (404: no such thing can exist), for every route, present and future.
- `GuardedRequest` measures a JSON body's nesting before it is parsed: 100,000 nested brackets
  otherwise exhaust the parser's recursion.

The body's size is limited by Litestar itself (`request_max_body_size`, from `KB_MAX_REQUEST_BYTES`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from typing import Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import SerializationException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from kb.errors import KbError, NotFoundError

__all__ = [
    "INVALID_JSON",
    "MAX_JSON_DEPTH",
    "MAX_PATH_INT",
    "GuardedRequest",
    "Network",
    "RequestGuard",
    "client_address_of",
    "json_depth_exceeds",
    "trusted_networks",
]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ids are the databases' INTEGER: PostgreSQL's holds 2³¹ − 1, and SQLite fails beyond 2⁶³.
MAX_PATH_INT = 2**31 - 1
INVALID_JSON = (
    "De inhoud is geen geldige JSON. Stuur een JSON-object (Content-Type: application/json)."
)
# Our deepest document (an analysis: body → children → child → contact → item) has five levels.
MAX_JSON_DEPTH = 32

_FOR = re.compile(r'for="?([^;,"]+)"?', re.IGNORECASE)
# A JSON string, so that brackets inside texts are not counted.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def trusted_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """The proxies whose forwarding headers are believed, from addresses and CIDR ranges."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a forwarding header writes it: bare, `[v6]:port` or `v4:port`."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _hops(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    """The addresses the proxies recorded, nearest last: X-Forwarded-For, else Forwarded."""
    forwarded_for: list[str] = []
    forwarded: list[str] = []
    for name, value in headers:
        text = value.decode("latin-1")
        if name == b"x-forwarded-for":
            forwarded_for += [part.strip() for part in text.split(",") if part.strip()]
        elif name == b"forwarded":
            forwarded += _FOR.findall(text)
    return forwarded_for or forwarded


def client_address_of(
    peer: str | None, headers: Iterable[tuple[bytes, bytes]], trusted: Sequence[Network]
) -> str | None:
    """The client's address: the peer, or what trusted proxies say the client was.

    Walks the forwarding chain from the nearest hop outwards, past every trusted proxy; the first
    address that is not one is the client. Without trusted proxies the headers are never read.
    """
    current = _address(peer) if peer else None
    if current is None or not trusted or not any(current in net for net in trusted):
        return peer
    for hop in reversed(_hops(headers)):
        address = _address(hop)
        if address is None:
            break  # garbage in the chain: keep the last address a trusted proxy vouched for
        current = address
        if not any(address in net for net in trusted):
            break
    return str(current)


def _bad_path_int(path_params: dict[str, Any]) -> bool:
    return any(
        isinstance(value, int) and not isinstance(value, bool) and not 1 <= value <= MAX_PATH_INT
        for value in path_params.values()
    )


class RequestGuard(ASGIMiddleware):
    """The first middleware of every route: the client's address, then the path's limits."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, trusted: Sequence[Network]) -> None:
        self._trusted = tuple(trusted)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        client = scope.get("client")
        if self._trusted and client:
            address = client_address_of(client[0], scope.get("headers", ()), self._trusted)
            scope["client"] = (address or client[0], client[1])
        # Only the path: a NUL in a query is a value like any other, which each parameter's
        # own validation answers (the search takes it as text).
        if "\x00" in scope["path"]:
            raise KbError("Het adres bevat een ongeldig teken (NUL). Controleer de link.")
        if _bad_path_int(scope.get("path_params") or {}):
            raise NotFoundError("Deze pagina of dit item bestaat niet.")
        await next_app(scope, receive, send)


def json_depth_exceeds(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON nests arrays and objects deeper than `limit`, counted without parsing
    (texts are skipped, so a bracket inside a string does not count)."""
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_A_BRACKET)
    depth = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > limit:
            return True
    return False


class GuardedRequest(Request[Any, Any, Any]):
    """Litestar's request, refusing over-deep JSON before the parser recurses into it, and
    answering malformed JSON in Dutch (the parser's own words are English: "Input data was
    truncated")."""

    async def json(self) -> Any:
        body = await self.body()
        if json_depth_exceeds(body):
            raise KbError(
                f"De inhoud is te diep genest: hoogstens {MAX_JSON_DEPTH} niveaus van lijsten "
                "en objecten."
            )
        try:
            return await super().json()
        except SerializationException:
            raise KbError(INVALID_JSON) from None
