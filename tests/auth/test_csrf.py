"""Every form carries a CSRF token, and a POST without a valid one is refused (403)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.auth.models import Account
from tests.helpers import AppUnderTest, csrf_token

FORGED = "0" * 128


@pytest.mark.parametrize(
    "token", [pytest.param(None, id="missing"), pytest.param(FORGED, id="forged")]
)
def test_a_form_without_a_valid_token_is_refused(
    token: str | None, shared_app: AppUnderTest
) -> None:
    iso = shared_app
    person = iso.person("beheerder")
    client = iso.client(person)
    new = {"username": "via-csrf", "role": "redacteur", "password": "een-heel-lang-wachtwoord"}
    forms = [
        ("/beheer/accounts", new),
        (f"/beheer/accounts/{person.username}/uitschakelen", {}),
        ("/afmelden", {}),
        ("/aanmelden", {"username": person.username, "password": person.password}),
    ]
    for path, data in forms:
        sent = dict(data) if token is None else {**data, "_csrf_token": token}
        response = client.post(path, data=sent, headers={"Accept": "text/html"})
        assert response.status_code == 403, path
        soup = BeautifulSoup(response.text, "html.parser")
        assert "Dit formulier is verlopen" in soup.get_text()
    # Nothing happened: no account made, still signed in.
    with Session(iso.engine) as session:
        count = session.execute(select(func.count()).where(Account.username == "via-csrf"))
        assert count.scalar_one() == 0
    assert client.get("/beheer/accounts").status_code == 200


def test_a_token_from_another_browser_is_refused(shared_app: AppUnderTest) -> None:
    iso = shared_app
    other = csrf_token(iso.client())
    client = iso.client()
    csrf_token(client)  # this browser's own cookie
    response = client.post(
        "/aanmelden", data={"_csrf_token": other, "username": "a", "password": "b"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "page", ["/", "/aanmelden", "/beheer/accounts", "/beheer/accounts/nieuw", "/beheer/audit"]
)
def test_every_post_form_carries_the_token(page: str, shared_app: AppUnderTest) -> None:
    iso = shared_app
    client = iso.client(iso.person("beheerder"))
    iso.person("redacteur")  # so the account list has a disable form too
    soup = BeautifulSoup(client.get(page).text, "html.parser")
    forms = soup.find_all("form", attrs={"method": "post"})
    assert forms, page
    for form in forms:
        field = form.find("input", attrs={"name": "_csrf_token", "type": "hidden"})
        assert field is not None and len(str(field["value"])) == 128, form.get("action")


def test_the_api_needs_no_csrf_token(shared_app: AppUnderTest) -> None:
    iso = shared_app
    person = iso.person("rechter")
    response = iso.client().post(
        "/api/v1/auth/token", json={"username": person.username, "password": person.password}
    )
    assert response.status_code == 200
