"""Route guards over the permission table, and the helpers handlers use to find their user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from kb.auth.permissions import ROLE_LABELS, Action, AnalysisFacts, can, roles_for
from kb.auth.schemas import CurrentUser
from kb.errors import NotFoundError, NotSignedInError, PermissionDeniedError

__all__ = [
    "client_address",
    "current_user",
    "ensure",
    "requires",
    "requires_sign_in",
]

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    """The signed-in user of this request, or None (set by `AuthMiddleware`)."""
    user = connection.scope.get("user")
    return user if isinstance(user, CurrentUser) else None


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The client's address as the server saw it (uvicorn resolves trusted proxy headers)."""
    return connection.client.host if connection.client else None


def _signed_in(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    user = current_user(connection)
    if user is None:
        if connection.url.path.startswith("/api/"):
            raise NotSignedInError(
                "Stuur een geldig token mee: `Authorization: Bearer <token>` "
                "(te krijgen met POST /api/v1/auth/token)."
            )
        raise NotSignedInError("Meld u aan om deze pagina te zien.")
    return user


def requires_sign_in(
    connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
) -> None:
    """Guard: any signed-in user (a page redirects to the sign-in form, the API answers 401)."""
    _signed_in(connection)


def requires(action: Action) -> Guard:
    """Guard: the user's role may perform `action` according to `PERMISSIONS`."""
    roles_for(action)  # an unknown action fails when the route is declared, not when called

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        user = _signed_in(connection)
        if not can(user, action):
            raise PermissionDeniedError(
                f"Uw rol ({ROLE_LABELS.get(user.role, user.role).lower()}) "
                "geeft geen toegang tot deze pagina of handeling."
            )

    guard.__name__ = f"requires({action})"
    return guard


def ensure(
    rule: Callable[[CurrentUser | None, AnalysisFacts], bool],
    user: CurrentUser | None,
    facts: AnalysisFacts,
    *,
    hide: bool,
) -> None:
    """Apply a case-level rule (`may_read_analysis`, …) to one analysis.

    Args:
        rule: One of the `may_*` functions of `kb.auth.permissions`.
        user: The signed-in user.
        facts: The analysis's court, office, author and status.
        hide: True for reads: answer 404, so nobody learns that a case exists that they may
            not see (a judge of another court). False for actions on an analysis the user may
            read: answer 403.
    """
    if rule(user, facts):
        return
    if hide:
        raise NotFoundError("Deze analyse bestaat niet of u heeft er geen toegang toe.")
    raise PermissionDeniedError("U mag deze handeling niet uitvoeren op deze analyse.")
