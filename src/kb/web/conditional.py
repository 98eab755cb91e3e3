"""Conditional requests: the `If-Match` a change names, and the `ETag` a versioned answer carries.

A service never sees the header: it gets the ETags the client named (`Expected`), and decides
itself whether a change without any is allowed (a draft's save is not: 428).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Protocol, TypeVar

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import HeaderParameter

from kb.errors import PreconditionRequiredError

__all__ = ["Expected", "Versioned", "provide_expected", "unless_unchanged", "with_etag"]

# The ETags a change names (`If-Match`), as handlers take them.
Expected = NamedDependency[tuple[str, ...]]


def provide_expected(
    if_match: Annotated[
        str | None,
        HeaderParameter(
            name="If-Match",
            required=False,
            description='De ETag van de versie die u wijzigt, bijvoorbeeld "1-3".',
        ),
    ] = None,
) -> tuple[str, ...]:
    """The `expected` dependency: the ETags of `If-Match`; `*` is refused (it overwrites blindly)."""
    tags = tuple(tag.strip() for tag in (if_match or "").split(",") if tag.strip())
    if "*" in tags:
        raise PreconditionRequiredError(
            "If-Match: * is hier niet toegestaan: stuur de ETag van de versie die u wijzigt."
        )
    return tags


class Versioned(Protocol):
    @property
    def etag(self) -> str: ...


V = TypeVar("V", bound=Versioned)


def with_etag(content: V, status_code: int = 200, location: str | None = None) -> Response[V]:
    """`content` with its `ETag`, never cached; a 201 says where the new thing lives."""
    headers = {"ETag": content.etag, "Cache-Control": "no-store"}
    if location is not None:
        headers["Location"] = location
    return Response(content, status_code=status_code, headers=headers)


def unless_unchanged(
    request: Request[Any, Any, Any],
    body: bytes,
    media_type: str,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    """A public document with an `ETag` of its bytes, or 304 when the client has it already
    (`If-None-Match`): feed readers and data harvesters ask again and again."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    sent = {tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")}
    all_headers = {"ETag": etag, **(headers or {})}
    if etag in sent or f"W/{etag}" in sent:
        return Response(b"", status_code=304, headers=all_headers)
    return Response(body, media_type=media_type, headers=all_headers)
