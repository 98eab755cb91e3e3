"""Who is asking: the user of a request (`AuthMiddleware`), route guards over the permission
table, and the `caller` dependency that hands services the signed-in user.

Pages know their user from the session cookie, the API only from `Authorization: Bearer`: a
browser's cookie never authenticates an API call, so the API needs no CSRF protection, and a
token sent to a page is ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from kb.access import Action, Caller, CurrentUser, can, roles_for
from kb.errors import NotSignedInError, PermissionDeniedError
from kb.vocabulary import ROLE_LABELS

__all__ = [
    "API_PREFIX",
    "AuthMiddleware",
    "Guard",
    "UserResolver",
    "client_address",
    "current_user",
    "provide_caller",
    "requires",
    "requires_sign_in",
]

API_PREFIX = "/api/"

# Guards are coroutines: Litestar runs a plain function guard in a worker thread, a hop that
# cost a signed-in API call a sixth of its time.
Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


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


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    """The signed-in user of this request, or None (set by `AuthMiddleware`)."""
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The client's address, as `kb.web.requests.RequestGuard` settled it (trusted proxies)."""
    return connection.client.host if connection.client else None


def _signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    user = current_user(connection)
    if user is None:
        if connection.url.path.startswith(API_PREFIX):
            raise NotSignedInError(
                "Stuur een geldig token mee: `Authorization: Bearer <token>` "
                "(te krijgen met POST /api/v1/auth/token)."
            )
        raise NotSignedInError("Meld u aan om deze pagina te zien.")
    return user


async def requires_sign_in(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Guard: any signed-in user (a page redirects to the sign-in form, the API answers 401)."""
    _signed_in(connection)


def requires(action: Action) -> Guard:
    """Guard: the user's role may perform `action` according to `PERMISSIONS`."""
    roles_for(action)  # an unknown action fails when the route is declared, not when called

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
    ) -> None:
        user = _signed_in(connection)
        if not can(user, action):
            raise PermissionDeniedError(
                f"Uw rol ({ROLE_LABELS.get(user.role, user.role).lower()}) "
                "geeft geen toegang tot deze pagina of handeling."
            )

    guard.__name__ = f"requires({action})"
    return guard


def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    """The `caller` dependency: the signed-in user, their address and the door they came in by."""
    via = "api" if request.url.path.startswith(API_PREFIX) else "pagina"
    return Caller(_signed_in(request), client_address(request), via)
