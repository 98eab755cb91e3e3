"""Failed sign-ins are limited per account and per address (429 with Retry-After)."""

from __future__ import annotations

from collections.abc import Callable

from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from kb.auth.security import DatabaseSignInCounter
from tests.auth.helpers import WINDOW, check_counter
from tests.helpers import AppUnderTest, sign_in


def _token(client: TestClient[Litestar], username: str, password: str) -> Response:
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def test_an_account_is_locked_after_five_failures_even_for_the_right_password(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated()
    person = iso.person("raadsonderzoeker")
    client = iso.client()
    for _ in range(5):
        assert _token(client, person.username, "verkeerd-wachtwoord").status_code == 401
    locked = _token(client, person.username, person.password)
    assert locked.status_code == 429
    retry_after = int(locked.headers["retry-after"])
    assert 0 < retry_after <= WINDOW.total_seconds()
    assert locked.json()["title"] == "Te veel pogingen"

    # The page form answers the same, with its own page.
    page = sign_in(client, person.username, person.password)
    assert page.status_code == 429 and "retry-after" in page.headers
    assert "Te veel mislukte aanmeldpogingen" in page.text


def test_an_address_is_locked_after_five_failures_on_any_names(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated()
    person = iso.person("rechter")
    client = iso.client()
    for number in range(5):
        assert sign_in(client, f"gok-{number}", "x" * 12).status_code == 200
    assert _token(client, person.username, person.password).status_code == 429


def test_the_database_counter_slides(isolated: Callable[..., AppUnderTest]) -> None:
    iso = isolated()
    with Session(iso.engine) as session:
        check_counter(DatabaseSignInCounter(session, 3, WINDOW))
