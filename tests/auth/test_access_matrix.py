"""Every role (and anonymous) × every protected route → the expected status, pages and API alike.

The routes are rows of data: when the conflict-analysis routes arrive, they are added here as rows
(with the case-level outcomes: 404 for a judge of another court, 403 for an action not allowed).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from kb.vocabulary import ROLES
from tests.helpers import EVERYONE, ClientAs, Person, Row, Who, expect, request_row

BEHEER = ("beheerder",)
MONITOR = ("rechter", "raadsonderzoeker", "gedragsdeskundige", "redacteur", "beheerder")
ROWS: list[Row] = [
    Row("GET", "/", expect(200, ROLES, anonymous=200)),
    Row("GET", "/aanmelden", expect(200, ROLES, anonymous=200)),
    Row("POST", "/afmelden", expect(303, ROLES, anonymous=303), form={}),
    Row("GET", "/beheer/accounts", expect(200, BEHEER, anonymous=302)),
    Row("GET", "/beheer/accounts/nieuw", expect(200, BEHEER, anonymous=302)),
    Row(
        "POST",
        "/beheer/accounts",
        expect(201, BEHEER, anonymous=302),
        form={"username": "{new}", "role": "redacteur"},
    ),
    # An active account needs neither a confirmation nor a new link: 409 for the beheerder.
    Row(
        "POST", "/beheer/accounts/{victim}/bevestigen", expect(409, BEHEER, anonymous=302), form={}
    ),
    Row(
        "POST", "/beheer/accounts/{victim}/uitnodiging", expect(409, BEHEER, anonymous=302), form={}
    ),
    Row("GET", "/activeren/onbekende-link", expect(404, ROLES, anonymous=404)),
    Row(
        "POST",
        "/beheer/accounts/{victim}/uitschakelen",
        expect(303, BEHEER, anonymous=302),
        form={},
    ),
    Row(
        "POST", "/beheer/accounts/niemand/uitschakelen", expect(404, BEHEER, anonymous=302), form={}
    ),
    Row("GET", "/beheer/audit", expect(200, BEHEER, anonymous=302)),
    Row("GET", "/redactie/zoekopdrachten", expect(200, ("redacteur",), anonymous=302)),
    Row("GET", "/api/v1/auth/me", expect(200, ROLES, anonymous=401)),
    Row("DELETE", "/api/v1/auth/token", expect(204, ROLES, anonymous=401)),
    Row("GET", "/api/v1/accounts", expect(200, BEHEER, anonymous=401)),
    Row(
        "POST",
        "/api/v1/accounts",
        expect(201, BEHEER, anonymous=401),
        body={"username": "matrix-uitnodiging", "role": "redacteur"},
    ),
    Row("POST", "/api/v1/accounts/{victim}/confirm", expect(409, BEHEER, anonymous=401)),
    Row("POST", "/api/v1/accounts/{victim}/invitation", expect(409, BEHEER, anonymous=401)),
    Row("GET", "/api/v1/audit", expect(200, BEHEER, anonymous=401)),
    Row("GET", "/beheer/loketten", expect(200, BEHEER, anonymous=302)),
    Row("GET", "/api/v1/desk-profiles", expect(200, BEHEER, anonymous=401)),
    # Vlieland's profile is made only here, so the beheerder's one call creates it.
    Row(
        "PUT",
        "/api/v1/desk-profiles/Vlieland",
        expect(200, BEHEER, anonymous=401),
        body={"name": "Loket Vlieland"},
    ),
    Row("GET", "/monitor", expect(200, MONITOR, anonymous=302)),
    Row("GET", "/monitor/monitor.csv", expect(200, MONITOR, anonymous=302)),
    Row("GET", "/api/v1/monitor", expect(200, MONITOR, anonymous=401)),
    Row("GET", "/api/v1/monitor.csv", expect(200, MONITOR, anonymous=401)),
]

CASES = [
    pytest.param(row, who, id=f"{row.method} {row.path} as {who or 'anoniem'}")
    for row in ROWS
    for who in EVERYONE
]


def _call(
    client: TestClient[Litestar], row: Row, user_factory: Callable[..., Person]
) -> tuple[str, int]:
    path = row.path
    if "{victim}" in path:
        path = path.replace("{victim}", user_factory("loketmedewerker").username)
    new_name = f"nieuw-{os.urandom(3).hex()}"
    form = {k: v.replace("{new}", new_name) for k, v in (row.form or {}).items()}
    response = request_row(client, row, path, form)
    if response.status_code == 302:
        return response.headers["location"], 302
    if response.status_code == 401:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["www-authenticate"] == "Bearer"
    return "", response.status_code


@pytest.mark.parametrize(("row", "who"), CASES)
def test_role_route_matrix(
    row: Row, who: Who, client_as: ClientAs, user_factory: Callable[..., Person]
) -> None:
    location, status = _call(client_as(who), row, user_factory)
    assert status == row.expected[who]
    if status == 302:
        # People are sent to the sign-in form; after a GET they come back to where they were.
        expected = "/aanmelden" + (
            f"?next={row.path.replace('/', '%2F')}" if row.method == "GET" else ""
        )
        assert location == expected
