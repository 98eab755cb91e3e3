"""API tokens: issue, use, expire, revoke; tokens and passwords are stored only as hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb.auth.models import Account, ApiToken
from tests.helpers import PASSWORD, AppUnderTest


def test_a_token_is_issued_with_its_expiry(shared_app: AppUnderTest) -> None:
    iso = shared_app
    person = iso.person("gedragsdeskundige")
    client = iso.client()
    before = dt.datetime.now(dt.UTC)
    response = client.post(
        "/api/v1/auth/token", json={"username": person.username, "password": person.password}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    expires_at = dt.datetime.fromisoformat(body["expires_at"])
    lifetime = dt.timedelta(minutes=iso.settings.token_minutes)
    assert before + lifetime <= expires_at <= dt.datetime.now(dt.UTC) + lifetime

    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "username": person.username,
        "role": "gedragsdeskundige",
        "role_label": "Gedragsdeskundige",
        "court": None,
        "office": "Raad Amsterdam",
        "municipality": None,
        "permissions": [
            "kb.read",
            "pilot.propose",
            "analysis.read",
            "analysis.approve",
            "analysis.evaluate",
            "monitor.read",
        ],
    }


def test_unknown_user_and_wrong_password_get_the_same_answer(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated()
    person = iso.person("rechter")
    client = iso.client()
    wrong = client.post(
        "/api/v1/auth/token", json={"username": person.username, "password": "verkeerd-wachtwoord"}
    )
    unknown = client.post(
        "/api/v1/auth/token", json={"username": "bestaat-niet", "password": "verkeerd-wachtwoord"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["detail"] == "Gebruikersnaam of wachtwoord onjuist."
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"


def test_a_malformed_request_gets_field_errors(shared_app: AppUnderTest) -> None:
    response = shared_app.client().post("/api/v1/auth/token", json={"username": "x"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {"loc": ["body", "password"], "msg": "Dit veld is verplicht."}
    ]


def test_tokens_and_passwords_are_stored_only_as_hashes(
    shared_app: AppUnderTest,
) -> None:
    iso = shared_app
    person = iso.person("redacteur")
    token = iso.token(person)
    with Session(iso.engine) as session:
        stored = (
            session.execute(select(ApiToken.token_hash).where(ApiToken.account_id == person.id))
            .scalars()
            .all()
        )
        account = session.get(Account, person.id)
    assert account is not None
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in stored
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash


def test_an_expired_token_is_refused(shared_app: AppUnderTest) -> None:
    iso = shared_app
    person = iso.person("rechter")
    client = iso.client(person)
    assert client.get("/api/v1/auth/me").status_code == 200
    with Session(iso.engine) as session, session.begin():
        session.execute(
            update(ApiToken)
            .where(ApiToken.account_id == person.id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    response = client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


def test_a_token_can_be_revoked(shared_app: AppUnderTest) -> None:
    iso = shared_app
    client = iso.client(iso.person("loketmedewerker"))
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_invalid_tokens_are_anonymous_and_pages_ignore_tokens(
    shared_app: AppUnderTest,
) -> None:
    iso = shared_app
    person = iso.person("beheerder")
    token = iso.token(person)
    stranger = iso.client()
    for header in ("Bearer niet-geldig", "Basic abc", f"Token {token}"):
        assert stranger.get("/api/v1/auth/me", headers={"Authorization": header}).status_code == 401
    # A page knows its user only from the session cookie.
    page = stranger.get(
        "/beheer/accounts", headers={"Authorization": f"Bearer {token}"}, follow_redirects=False
    )
    assert page.status_code == 302


def test_a_session_cookie_does_not_authenticate_the_api(shared_app: AppUnderTest) -> None:
    iso = shared_app
    client = iso.client(iso.person("beheerder"))
    del client.headers["Authorization"]
    assert client.get("/beheer/accounts").status_code == 200
    assert client.get("/api/v1/accounts").status_code == 401
