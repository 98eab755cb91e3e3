"""One database session per request that asks for one, settled before the answer leaves.

A handler that takes `db_session` gets a session of its own. `TransactionMiddleware` commits it
when the response starts with a success or a redirect (a form's 303 commits too) and rolls it back
for any error status, so a request either changes everything it meant to or nothing. The commit
happens before the first byte goes out: a client that got a 2xx can rely on the write, and a
commit that fails turns the answer into a 503 rather than a success that did not happen.

What a request queued on its session for after its transaction (the audit events of a read, see
`kb.auth.audit.record_read`) is handed to `after_transaction`, and the answer waits until that is
committed too. If it cannot be, the request is not answered: 503.

It sits inside the page-session middleware, so that on SQLite (one writer at a time) the request's
own transaction is finished before the session store writes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, cast

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kb.web.outages import unavailable

__all__ = ["AfterTransaction", "DatabaseSessions", "TransactionMiddleware"]

logger = logging.getLogger(__name__)

_SCOPE_KEY = "kb_db_session"
_COMMIT_FAILED = "Uw wijziging kon niet worden opgeslagen. Probeer het over een moment opnieuw."
_AUDIT_FAILED = (
    "Dit kan nu niet worden getoond, omdat het inzien niet kon worden vastgelegd. "
    "Probeer het over een moment opnieuw."
)


class DatabaseSessions:
    """Makes the request's session (the `db_session` dependency)."""

    def __init__(self, engine: Engine) -> None:
        # Objects stay readable after the commit: templates may render them afterwards.
        self._factory = sessionmaker(engine, expire_on_commit=False)

    def provide(self, request: Request[Any, Any, Any]) -> Session:
        state = cast(dict[str, Any], request.scope)
        session = state.get(_SCOPE_KEY)
        if session is None:
            session = state[_SCOPE_KEY] = self._factory()
        return cast(Session, session)


def _settle(session: Session, status: int) -> bool:
    """Commit for a success or redirect, roll back otherwise; False when the commit failed."""
    try:
        if status < 400:
            session.commit()
        else:
            session.rollback()
        return True
    except SQLAlchemyError:
        logger.exception("Commit failed; the request's changes were rolled back")
        session.rollback()
        return False
    finally:
        session.close()


# Takes what a request queued on its session for after its transaction and writes it; the
# future completes once that is committed. None when nothing was queued.
AfterTransaction = Callable[[Session], "Future[None] | None"]


async def _written(pending: Future[None] | None) -> bool:
    """Wait for the request's after-transaction writes; False when they failed."""
    if pending is None:
        return True
    try:
        await asyncio.wrap_future(pending)
    except SQLAlchemyError:
        logger.exception("Writing what the request queued failed; the answer is withheld")
        return False
    return True


class TransactionMiddleware(ASGIMiddleware):
    """Settle the request's session (if it has one) when the response starts; see the module."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, after_transaction: AfterTransaction | None = None) -> None:
        self.after_transaction = after_transaction

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        replaced = False

        async def settle_then_send(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the app's own body belongs to the answer we replaced
            if message["type"] == "http.response.start":
                session = scope.pop(_SCOPE_KEY, None)  # type: ignore[misc]
                failed = None
                if session is not None:
                    # Taken before the settling, whatever the status: a refused or failed
                    # read was still asked for.
                    after = self.after_transaction
                    pending = after(session) if after is not None else None
                    # Inline, not in a thread: awaiting here would let another request run
                    # while this transaction still holds its locks.
                    if not _settle(session, message["status"]):
                        failed = _COMMIT_FAILED
                    elif not await _written(pending):
                        failed = _AUDIT_FAILED
                if failed is not None:
                    replaced = True
                    for failure in unavailable(scope, failed, retry_after=1):
                        await send(failure)
                    return
            await send(message)

        try:
            await next_app(scope, receive, settle_then_send)
        finally:
            leftover = scope.pop(_SCOPE_KEY, None)  # type: ignore[misc]
            if leftover is not None:  # no response was started (the client went away)
                leftover.rollback()
                leftover.close()
