"""Who is asking (`AuthMiddleware`), and the security headers on every response.

Pages know their user from the session cookie, the API only from `Authorization: Bearer`: a
browser's cookie never authenticates an API call, so the API needs no CSRF protection, and a
token sent to a page is ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from kb.auth.schemas import CurrentUser

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "AuthMiddleware",
    "UserResolver",
    "security_headers",
]

API_PREFIX = "/api/"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


class UserResolver(Protocol):
    """What `AuthMiddleware` needs; `kb.auth.service.UserLookup` is the implementation."""

    def from_session(self, data: Mapping[str, Any]) -> CurrentUser | None: ...

    def from_token(self, token: str) -> CurrentUser | None: ...


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class AuthMiddleware(ASGIMiddleware):
    """Put the signed-in user (or None) in `scope["user"]`, where guards and templates find it."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, users: UserResolver) -> None:
        self._users = users

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        user: CurrentUser | None = None
        if scope["path"].startswith(API_PREFIX):
            token = _bearer_token(scope)
            if token:
                user = self._users.from_token(token)
        else:
            session = scope.get("session")
            if isinstance(session, dict) and session:
                user = self._users.from_session(session)
                if user is None:
                    # Disabled account, ended sign-in or stale data: forget the session.
                    scope["session"] = {}
        scope["user"] = user
        await next_app(scope, receive, send)


def security_headers(secure: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A `before_send` hook adding the headers to every response, errors and static files too.

    Args:
        secure: Outside demo mode the site runs on HTTPS only, so browsers are told (HSTS).
    """
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"

    encoded = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    names = {name for name, _ in encoded}

    # A coroutine: Litestar runs a plain function hook in a worker thread, twice per response.
    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            # Ours replace any the response set itself: one pass, not a search per header.
            kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in names]
            message["headers"] = kept + encoded

    return add_headers
