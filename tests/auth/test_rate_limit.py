"""Failed sign-ins are limited per account and per address (429 with Retry-After)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import Session

from kb.auth.security import DatabaseSignInCounter, SignInCounter
from tests.conftest import AppUnderTest, sign_in

WINDOW = dt.timedelta(minutes=15)
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


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


def check_counter(counter: SignInCounter) -> None:
    """The sliding window of three failures, for the database and the Redis counter alike."""
    keys = ["user:anna", "addr:10.0.0.1"]
    for minute in range(3):
        assert counter.retry_after(keys, T0 + dt.timedelta(minutes=minute)) == 0
        counter.record_failure(keys, T0 + dt.timedelta(minutes=minute))
    now = T0 + dt.timedelta(minutes=3)
    # Free again when the oldest of the three leaves the 15-minute window, at 09:15.
    assert counter.retry_after(keys, now) == 12 * 60
    assert counter.retry_after(["user:bob"], now) == 0
    assert counter.retry_after(keys, T0 + WINDOW + dt.timedelta(seconds=1)) == 0
    # A successful sign-in clears the account's count, not the address's.
    counter.reset("user:anna")
    assert counter.retry_after(["user:anna"], now) == 0
    assert counter.retry_after(["addr:10.0.0.1"], now) == 12 * 60


def test_the_database_counter_slides(isolated: Callable[..., AppUnderTest]) -> None:
    iso = isolated()
    with Session(iso.engine) as session:
        check_counter(DatabaseSignInCounter(session, 3, WINDOW))
