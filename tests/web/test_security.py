"""Security headers on every response, and pages without inline scripts or styles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from kb.web.security import CONTENT_SECURITY_POLICY
from tests.helpers import AppUnderTest, assert_no_inline_code

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}

PATHS = [
    "/",
    "/aanmelden",
    "/interventies",
    "/beheer/accounts",  # a redirect
    "/bestaat-niet",  # a 404 page outside any route
    "/api/v1/interventions?per_page=1",
    "/api/v1/auth/me",  # a 401 problem
    "/static/kb.css",
    "/schema",
    "/schema/openapi.json",
]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(
    path: str, client: TestClient[Litestar]
) -> None:
    response = client.get(path, follow_redirects=False)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    assert "strict-transport-security" not in response.headers  # demo mode: plain http


def test_outside_demo_mode_browsers_are_told_to_use_https(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated(demo=False, secret_key="s" * 40, password_hashing="RFC_9106_LOW_MEMORY")
    response = iso.client().get("/")
    assert response.headers["strict-transport-security"] == "max-age=31536000"


def test_the_csp_forbids_inline_scripts_and_framing() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path",
    ["/", "/aanmelden", "/schema", "/beheer/accounts", "/beheer/accounts/nieuw", "/beheer/audit"],
)
def test_pages_have_no_inline_scripts_or_styles(
    path: str, client_as: Callable[..., TestClient[Litestar]]
) -> None:
    response = client_as("beheerder").get(path)
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.find("script") is None  # these pages need no script at all
    assert_no_inline_code(soup)


def test_the_api_documentation_page_lists_every_operation(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()
    soup = BeautifulSoup(client.get("/schema").text, "html.parser")
    listed = {h3.get_text(" ", strip=True) for h3 in soup.find_all("h3")}
    for path, item in schema["paths"].items():
        for method in item:
            if method in {"get", "post", "put", "patch", "delete"}:
                assert f"{method.upper()} {path}" in listed
    assert soup.find("a", attrs={"href": "/schema/openapi.json"}) is not None
