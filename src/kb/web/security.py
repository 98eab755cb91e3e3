"""The security headers on every response, errors and static files included, and the one rule
that keeps personal data out of every cache.

`Cache-Control: no-store` goes on every answer to a signed-in caller (a page shows at least their
name; the API's answers are case content, accounts or audit), on every answer to a change (it
echoes what was sent: a password, a parent's answers), and on any route that opts in with
`opt={NO_STORE_OPT: True}` (something personal for a caller who is not signed in). Static files
are the same for everyone and stay cacheable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.types import Message, Scope

__all__ = ["CONTENT_SECURITY_POLICY", "NO_STORE_OPT", "keeps_out_of_caches", "security_headers"]

# No inline scripts or styles anywhere: every page works with the files under /static only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
NO_STORE_OPT = "no_store"
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_NO_STORE = (b"cache-control", b"no-store")


def keeps_out_of_caches(scope: Scope) -> bool:
    """True when the answer to this request may hold personal data (the module's rule)."""
    if scope["path"].startswith("/static/"):
        return False
    handler = scope.get("route_handler")
    return (
        scope.get("user") is not None
        or scope.get("method") not in _SAFE_METHODS
        or bool(handler is not None and handler.opt.get(NO_STORE_OPT))
    )


def security_headers(secure: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A `before_send` hook adding the headers to every response.

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
    private_names = names | {_NO_STORE[0]}

    # A coroutine: Litestar runs a plain function hook in a worker thread, twice per response.
    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] == "http.response.start":
            private = keeps_out_of_caches(scope)
            replaced = private_names if private else names
            # Ours replace any the response set itself: one pass, not a search per header.
            kept = [(k, v) for k, v in message.get("headers", ()) if k.lower() not in replaced]
            message["headers"] = kept + encoded + ([_NO_STORE] if private else [])

    return add_headers
