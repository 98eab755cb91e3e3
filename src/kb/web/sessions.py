"""Server-side page sessions: a database `Store`, a backend that renews the id at sign-in, and
the binding of the form (CSRF) token to the session.

The session itself holds only the account id, the account's `auth_version` and the moment of
signing in (see `kb.web.auth.AuthMiddleware`), and the form token it was given; everything else
is read from the database on each request.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from litestar.concurrency import sync_to_thread
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import generate_csrf_token
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.types import ASGIApp, Empty, Message, Receive, Scope, ScopeSession, Send
from litestar.utils.dataclass import extract_dataclass_items
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from kb.clock import aware, utcnow
from kb.db import WebSession
from kb.errors import PermissionDeniedError

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "DatabaseStore",
    "RenewingSessionBackend",
    "RenewingSessionConfig",
    "SessionBoundFormToken",
    "cookie_name",
    "end_session",
    "start_session",
]

SESSION_COOKIE = "kb_session"
CSRF_COOKIE = "kb_csrf"
_NEW_ID = "kb_session_new_id"
_NEW_FORM_TOKEN = "kb_new_form_token"
_FORM_TOKEN_KEY = "csrf"


def cookie_name(name: str, secure: bool) -> str:
    """`__Host-` in front of the name whenever the cookie is Secure, i.e. the site runs on HTTPS.

    Browsers accept a `__Host-` cookie only from HTTPS, with `Path=/` and without `Domain`, so no
    other subdomain and no plain-http page can plant or overwrite it ("cookie tossing", which
    would let an attacker pair a form token of their own with the cookie). Local development
    (demo mode on http://127.0.0.1) sends no Secure cookies, and browsers refuse a `__Host-`
    cookie without Secure: there the plain name is kept.
    """
    return f"__Host-{name}" if secure else name


def _seconds(value: int | dt.timedelta | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds()) if isinstance(value, dt.timedelta) else int(value)


class DatabaseStore(Store):
    """A Litestar `Store` on the `web_session` table, so several workers share sessions.

    The calls are short primary-key statements on the application's own (synchronous) engine,
    run in a worker thread: on SQLite a write may wait for another request's transaction, and
    waiting on the event loop would stop that request from ever committing.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def set(
        self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None
    ) -> None:
        await sync_to_thread(self._set, key, value, expires_in)

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        return await sync_to_thread(self._get, key, renew_for)

    async def delete(self, key: str) -> None:
        await sync_to_thread(self._delete, key)

    async def delete_all(self) -> None:
        await sync_to_thread(self._delete_all)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        return await sync_to_thread(self._expires_in, key)

    def _set(self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None) -> None:
        data = value.encode("utf-8") if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        now = utcnow()
        expires_at = now + dt.timedelta(seconds=seconds) if seconds is not None else None
        with Session(self._engine) as session, session.begin():
            row = session.get(WebSession, key)
            if row is None:
                # New sessions are rare (one per sign-in): a good moment to drop expired ones.
                session.execute(delete(WebSession).where(WebSession.expires_at <= now))
                session.add(WebSession(key=key, value=data, expires_at=expires_at))
            else:
                row.value = data
                row.expires_at = expires_at

    def _get(self, key: str, renew_for: int | dt.timedelta | None) -> bytes | None:
        now = utcnow()
        with Session(self._engine) as session, session.begin():
            row = session.get(WebSession, key)
            if row is None:
                return None
            if row.expires_at is not None and aware(row.expires_at) <= now:
                session.delete(row)
                return None
            seconds = _seconds(renew_for)
            if seconds and row.expires_at is not None:
                row.expires_at = now + dt.timedelta(seconds=seconds)
            return bytes(row.value)

    def _delete(self, key: str) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(delete(WebSession).where(WebSession.key == key))

    def _delete_all(self) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(delete(WebSession))

    def _expires_in(self, key: str) -> int | None:
        with Session(self._engine) as session:
            expires_at = session.execute(
                select(WebSession.expires_at).where(WebSession.key == key)
            ).scalar_one_or_none()
        if expires_at is None:
            return None
        return int((aware(expires_at) - utcnow()).total_seconds())


def _csrf_config(connection: ASGIConnection[Any, Any, Any, Any]) -> CSRFConfig:
    config = connection.scope["litestar_app"].csrf_config
    assert isinstance(config, CSRFConfig), "the application runs with CSRF protection"
    return config


def start_session(connection: ASGIConnection[Any, Any, Any, Any], data: dict[str, Any]) -> None:
    """Begin a signed-in session under a new id, so that an id planted before sign-in
    (session fixation) is worth nothing afterwards; the old session is deleted.

    The session also gets a new form token of its own, sent as a new CSRF cookie: from now on a
    form is accepted only with this token (`SessionBoundFormToken`), not with one from before
    signing in or from anyone else's session.
    """
    connection.state[_NEW_ID] = secrets.token_hex(32)
    form_token = generate_csrf_token(_csrf_config(connection).secret)
    connection.state[_NEW_FORM_TOKEN] = form_token
    connection.set_session({**data, _FORM_TOKEN_KEY: form_token})


def end_session(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Delete the session from the store and the cookie from the browser."""
    connection.clear_session()


class RenewingSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side backend, plus id renewal and no sessions for anonymous visitors."""

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        new_id = connection.state.get(_NEW_ID)
        return str(new_id) if new_id else super().get_session_id(connection)

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        store = self.config.get_store_from_app(connection.scope["app"])
        form_token = connection.state.get(_NEW_FORM_TOKEN)
        if form_token:
            csrf = _csrf_config(connection)
            csrf_cookie = Cookie(
                key=csrf.cookie_name,
                value=form_token,
                path=csrf.cookie_path,
                secure=csrf.cookie_secure,
                httponly=csrf.cookie_httponly,
                samesite=csrf.cookie_samesite,
                domain=csrf.cookie_domain,
            )
            MutableScopeHeaders.from_message(message).add(
                "Set-Cookie", csrf_cookie.to_header(header="")
            )
        # Renewed at sign-in: the session the browser came with (if any) is deleted.
        replaced = (
            connection.cookies.get(self.config.key) if connection.state.get(_NEW_ID) else None
        )
        if replaced:
            await self.delete(str(replaced), store=store)
        cookie = connection.cookies.get(self.config.key)
        if scope_session is Empty or not scope_session:
            if cookie:
                # Ended, expired or unknown: remove the stored session and the cookie. (Litestar
                # would send `Max-Age` with `expires=0`, and browsers honour `Max-Age` first.)
                await self.delete(cookie, store=store)
                params = self._cookie_params() | {"max_age": 0, "expires": 0}
                MutableScopeHeaders.from_message(message).add(
                    "Set-Cookie",
                    Cookie(key=self.config.key, value="", **params).to_header(header=""),
                )
            return  # an anonymous visitor gets no cookie and no stored row
        await super().store_in_message(scope_session, message, connection)

    def _cookie_params(self) -> dict[str, Any]:
        return dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )


def _same_token(bound: object, sent: str | None) -> bool:
    return isinstance(bound, str) and sent is not None and secrets.compare_digest(bound, sent)


class SessionBoundFormToken(ASGIMiddleware):
    """Refuse a form sent in a signed-in session unless its token is that session's own.

    Litestar's CSRF check (double submit) only compares the form's token with the CSRF cookie;
    both can come from another session when an attacker can set cookies for the site. Here the
    cookie, which Litestar has already matched against the form, must also be the one the
    session was given at sign-in. It runs after `AuthMiddleware`, which has already forgotten
    sessions that ended; anonymous forms (signing in, activating an account) have no session.
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        session = scope.get("session")
        if isinstance(session, dict) and session:
            connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
            csrf = _csrf_config(connection)
            if scope.get("method") not in csrf.safe_methods and not _same_token(
                session.get(_FORM_TOKEN_KEY), connection.cookies.get(csrf.cookie_name)
            ):
                raise PermissionDeniedError(
                    "Dit formulier hoort niet bij uw sessie. Laad de pagina opnieuw en "
                    "probeer het nog eens."
                )
        await next_app(scope, receive, send)


class RenewingSessionConfig(ServerSideSessionConfig):
    """`ServerSideSessionConfig` whose middleware uses `RenewingSessionBackend`."""

    _backend_class = RenewingSessionBackend
