"""With KB_REDIS_URL, sessions and sign-in counters live in Redis, shared by every worker."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.auth.models import SignInFailure
from kb.auth.security import RedisSignInCounter
from kb.auth.service import AccountService, AuthConfig
from kb.db import WebSession
from kb.web.sessions import SESSION_COOKIE
from tests.auth.helpers import WINDOW, check_counter
from tests.helpers import REDIS_URL, AppUnderTest, csrf_token, sign_in

pytestmark = pytest.mark.redis


@pytest.fixture()
def redis_client() -> Iterator[Redis]:
    """The Redis server of the tests; skipped when none answers."""
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisError:
        client.close()
        pytest.skip(f"no Redis server at {REDIS_URL}")
    # All test clients share one address; start its count afresh.
    client.delete("kb:signin:addr:testclient")
    yield client
    client.delete("kb:signin:addr:testclient")
    client.close()


def test_sessions_live_in_redis(redis_client: Redis, isolated: Callable[..., AppUnderTest]) -> None:
    iso = isolated(redis_url=REDIS_URL)
    person = iso.person("beheerder")
    client = iso.client()  # one client only: the async Redis pool belongs to its event loop
    assert sign_in(client, person.username, person.password).status_code == 303
    session_id = client.cookies[SESSION_COOKIE]
    assert redis_client.exists(f"kb_sessions:{session_id}")
    assert 0 < redis_client.ttl(f"kb_sessions:{session_id}") <= iso.settings.session_minutes * 60
    with Session(iso.engine) as session:
        assert session.execute(select(func.count(WebSession.key))).scalar_one() == 0
    assert client.get("/beheer/accounts").status_code == 200

    # Disabling the account ends the session kept in Redis too (its auth version moved on).
    with Session(iso.engine) as session:
        AccountService(session, AuthConfig.from_settings(iso.settings)).disable(
            person.username, by=None
        )
        session.commit()
    assert client.get("/beheer/accounts", follow_redirects=False).status_code == 302

    assert sign_in(client, person.username, person.password).status_code == 200
    other = iso.person("beheerder")
    assert sign_in(client, other.username, other.password).status_code == 303
    new_id = client.cookies[SESSION_COOKIE]
    client.post("/afmelden", data={"_csrf_token": csrf_token(client)})
    assert not redis_client.exists(f"kb_sessions:{new_id}")


def test_failed_sign_ins_are_counted_in_redis(
    redis_client: Redis, isolated: Callable[..., AppUnderTest]
) -> None:
    iso = isolated(redis_url=REDIS_URL)
    person = iso.person("rechter")
    client = iso.client()
    for _ in range(5):
        wrong = {"username": person.username, "password": "verkeerd-wachtwoord"}
        assert client.post("/api/v1/auth/token", json=wrong).status_code == 401
    right = {"username": person.username, "password": person.password}
    assert client.post("/api/v1/auth/token", json=right).status_code == 429
    assert redis_client.zcard(f"kb:signin:user:{person.username}") == 5
    with Session(iso.engine) as session:
        assert session.execute(select(func.count(SignInFailure.id))).scalar_one() == 0
    redis_client.delete(f"kb:signin:user:{person.username}")


def test_the_redis_counter_slides(redis_client: Redis) -> None:
    prefix = f"kb-test:{os.urandom(4).hex()}:"
    try:
        check_counter(RedisSignInCounter(redis_client, 3, WINDOW, prefix=prefix))
    finally:
        for key in redis_client.scan_iter(f"{prefix}*"):
            redis_client.delete(key)
