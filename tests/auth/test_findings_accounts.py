"""Regression tests of issue 11's account findings (4, 7, 9 and the first two parts of 13), and the
invitations of domain §9.6 that fix finding 4: one-time activation links valid 72 hours, and a
second beheerder who confirms accounts that read case content.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from typing import Any

import pytest
import time_machine
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from bs4 import BeautifulSoup, Tag
from litestar import Litestar
from litestar.testing import TestClient
from pydantic import ValidationError
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

import kb.models  # noqa: F401  (every table on the metadata, as Alembic sees it)
from kb.auth.models import Account, AuditEntry
from kb.auth.security import Passwords
from kb.cli import main
from kb.db import Base, alembic_config, make_engine, migrate
from kb.settings import Settings
from kb.web.sessions import CSRF_COOKIE, SESSION_COOKIE, cookie_name
from tests.helpers import PASSWORD, REDIS_URL, AppUnderTest, Person, csrf_token, get_token, sign_in

HOST = "testserver.local"
STRONG = "vlinder-kompas-regenton-fluit"
Invite = Callable[..., tuple[str, str]]


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _invite(client: TestClient[Litestar], role: str, **scope: str) -> tuple[str, str]:
    """Invite through the API as the client's beheerder; the new name and the link's path."""
    username = f"{role[:8]}-{os.urandom(3).hex()}"
    response = client.post("/api/v1/accounts", json={"username": username, "role": role, **scope})
    assert response.status_code == 201, response.text
    url = response.json()["activation_url"]
    return username, url[url.index("/activeren/") :]


def _activate(client: TestClient[Litestar], link: str, password: str = STRONG) -> int:
    data = {
        "_csrf_token": csrf_token(client, link),
        "password": password,
        "password_repeat": password,
    }
    return client.post(link, data=data).status_code


def _confirm(client: TestClient[Litestar], username: str) -> int:
    return client.post(f"/api/v1/accounts/{username}/confirm").status_code


def _actions(app: AppUnderTest, username: str) -> list[tuple[str, str | None]]:
    with Session(app.engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.actor)
            .where(AuditEntry.object_id == username)
            .order_by(AuditEntry.id)
        ).all()
    return [(action, actor) for action, actor in rows]


def _can_sign_in(app: AppUnderTest, username: str, password: str) -> bool:
    return sign_in(app.client(), username, password).status_code == 303


@pytest.fixture()
def app_of_its_own(isolated: Callable[..., AppUnderTest]) -> AppUnderTest:
    """An app on a database of its own: these tests fail sign-ins on purpose, and every test
    client has the same address, whose failures the shared app's other tests must not inherit."""
    return isolated()


@pytest.fixture()
def admins(app_of_its_own: AppUnderTest) -> tuple[TestClient[Litestar], TestClient[Litestar]]:
    """Two beheerders, each signed in (form and token)."""
    return (
        app_of_its_own.client(app_of_its_own.person("beheerder")),
        app_of_its_own.client(app_of_its_own.person("beheerder")),
    )


# --- Finding 4 and the invitations of §9.6 -----------------------------------------------------


def test_finding_04_beheerder_cannot_set_a_rechter_password(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    creator, _ = admins
    chosen = "door-de-beheerder-gekozen-wachtwoord"
    form = {
        "_csrf_token": csrf_token(creator, "/beheer/accounts/nieuw"),
        "username": "rechter-van-de-beheerder",
        "role": "rechter",
        "court": "Rechtbank Den Haag",
        "password": chosen,
    }
    assert creator.post("/beheer/accounts", data=form).status_code == 201
    # The password sent along was ignored: no sign-in with it, on the page or for a token.
    assert not _can_sign_in(app_of_its_own, "rechter-van-de-beheerder", chosen)
    token = app_of_its_own.client().post(
        "/api/v1/auth/token", json={"username": "rechter-van-de-beheerder", "password": chosen}
    )
    assert token.status_code == 401
    # The API refuses a password outright.
    body = {"username": "nog-een-rechter", "role": "rechter", "court": "Rechtbank Den Haag"}
    refused = creator.post("/api/v1/accounts", json=body | {"password": chosen})
    assert refused.status_code == 422
    assert any(error["loc"][-1] == "password" for error in refused.json()["errors"])

    # The creator has seen the link and may use it, but then cannot make the account active.
    username, link = _invite(creator, "rechter", court="Rechtbank Den Haag")
    assert _activate(app_of_its_own.client(), link, chosen) == 200
    assert not _can_sign_in(app_of_its_own, username, chosen)
    assert _confirm(creator, username) == 403
    assert ("account.confirm_refused", creator_name(app_of_its_own, creator)) in _actions(
        app_of_its_own, username
    )
    with Session(app_of_its_own.engine) as session:
        account = session.execute(select(Account).where(Account.username == username)).scalar_one()
        assert account.active is False and account.confirmed_at is None


def creator_name(app: AppUnderTest, client: TestClient[Litestar]) -> str:
    return str(client.get("/api/v1/auth/me").json()["username"])


def test_invitation_second_beheerder_confirms_a_case_reading_account(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    creator, second = admins
    username, link = _invite(creator, "rechter", court="Rechtbank Amsterdam")
    # Nothing to confirm before the user has chosen a password.
    assert _confirm(second, username) == 409
    user = app_of_its_own.client()
    assert _activate(user, link) == 200
    assert not _can_sign_in(app_of_its_own, username, STRONG)  # awaiting the second beheerder
    listed = {a["username"]: a for a in second.get("/api/v1/accounts").json()}
    assert listed[username]["status"] == "awaiting_confirmation"
    assert _confirm(creator, username) == 403  # the creator cannot be the second one
    assert _confirm(second, username) == 200
    assert _can_sign_in(app_of_its_own, username, STRONG)
    assert _confirm(second, username) == 409  # once is enough
    names = [creator_name(app_of_its_own, c) for c in (creator, second)]
    assert _actions(app_of_its_own, username) == [
        ("account.invite", names[0]),
        ("account.activate", username),
        ("auth.sign_in_failed", None),  # not active before the confirmation
        ("account.confirm_refused", names[0]),
        ("account.confirm", names[1]),
        ("auth.sign_in", username),
    ]


def test_invitation_a_beheerder_cannot_confirm_through_a_beheerder_of_their_own(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    """Were beheerder accounts active on activation, one beheerder could invite a second
    beheerder, use that link themselves and confirm their own rechter with it."""
    creator, second = admins
    helper, helper_link = _invite(creator, "beheerder")
    assert _activate(app_of_its_own.client(), helper_link) == 200
    assert not _can_sign_in(app_of_its_own, helper, STRONG)  # awaiting another beheerder
    assert _confirm(creator, helper) == 403
    assert _confirm(second, helper) == 200
    assert _can_sign_in(app_of_its_own, helper, STRONG)


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        pytest.param("redacteur", {}, id="redacteur"),
        pytest.param("loketmedewerker", {"municipality": "Delft"}, id="loketmedewerker"),
    ],
)
def test_invitation_of_a_role_without_case_content_is_active_on_activation(
    app_of_its_own: AppUnderTest,
    admins: tuple[TestClient[Litestar], TestClient[Litestar]],
    role: str,
    scope: dict[str, str],
) -> None:
    username, link = _invite(admins[0], role, **scope)
    assert not _can_sign_in(app_of_its_own, username, STRONG)  # no password yet
    assert _activate(app_of_its_own.client(), link) == 200
    assert _can_sign_in(app_of_its_own, username, STRONG)


def test_invitation_link_works_once(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    username, link = _invite(admins[0], "redacteur")
    user = app_of_its_own.client()
    form = {"_csrf_token": csrf_token(user, link), "password": STRONG, "password_repeat": STRONG}
    assert user.post(link, data=form).status_code == 200
    again = form | {"password": "een-ander-sterk-wachtwoord-x", "password_repeat": "x"}
    assert user.post(link, data=again).status_code == 404
    assert user.get(link).status_code == 404
    assert _can_sign_in(app_of_its_own, username, STRONG)


def test_invitation_link_expires_after_72_hours(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        _, link = _invite(admins[0], "redacteur")
    user = app_of_its_own.client()
    with time_machine.travel(start + dt.timedelta(hours=71, minutes=59), tick=False):
        assert user.get(link).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=72), tick=False):
        page = user.get(link)
        assert page.status_code == 404
        assert "ongeldig, verlopen of al gebruikt" in page.text


def test_invitation_a_new_link_replaces_the_old_one(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    username, old = _invite(admins[0], "redacteur")
    response = admins[1].post(f"/api/v1/accounts/{username}/invitation")
    assert response.status_code == 201
    url = response.json()["activation_url"]
    new = url[url.index("/activeren/") :]
    user = app_of_its_own.client()
    assert user.get(old).status_code == 404
    assert _activate(user, new) == 200
    # The second beheerder issued a link, so they could have used it: a rechter invited this way
    # is confirmed by neither of the two.
    rechter, _ = _invite(admins[0], "rechter", court="Rechtbank Midden-Nederland")
    again = admins[1].post(f"/api/v1/accounts/{rechter}/invitation").json()["activation_url"]
    assert _activate(user, again[again.index("/activeren/") :]) == 200
    assert [_confirm(admin, rechter) for admin in admins] == [403, 403]


def test_invitation_form_page_and_confirm_button(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    creator, second = admins
    username, link = _invite(creator, "gedragsdeskundige", office="Raad Utrecht")
    assert _activate(app_of_its_own.client(), link) == 200
    action = f"/beheer/accounts/{username}/bevestigen"
    # The creator is not offered the button; the second beheerder is.
    mine = _soup(creator.get("/beheer/accounts").text)
    assert mine.find("form", attrs={"action": action}) is None
    assert "een andere beheerder bevestigt" in mine.get_text()
    soup = _soup(second.get("/beheer/accounts").text)
    assert soup.find("form", attrs={"action": action}) is not None
    form = {"_csrf_token": csrf_token(second, "/beheer/accounts")}
    response = second.post(action, data=form, follow_redirects=False)
    assert response.status_code == 303
    notice = _soup(second.get("/beheer/accounts").text).find(attrs={"role": "status"})
    assert notice is not None and "bevestigd" in notice.get_text()


def test_invitation_activation_form_is_labelled_and_reports_errors(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    _, link = _invite(admins[0], "redacteur")
    user = app_of_its_own.client()
    page = user.get(link)
    assert page.headers["cache-control"] == "no-store"
    soup = _soup(page.text)
    for name in ("password", "password_repeat"):
        control = soup.find("input", attrs={"name": name})
        assert isinstance(control, Tag)
        assert soup.find("label", attrs={"for": control["id"]}) is not None
    data = {"_csrf_token": csrf_token(user, link), "password": STRONG, "password_repeat": "anders"}
    response = user.post(link, data=data)
    assert response.status_code == 422
    assert "niet gelijk" in response.text
    assert user.get(link).status_code == 200  # a refused attempt does not use the link up


def test_invitation_from_the_command_line(
    empty_database: str,
    tmp_path: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("KB_DATABASE_URL", empty_database)
    monkeypatch.setenv("KB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KB_PUBLIC_URL", "https://kennisbank.example.nl/")
    monkeypatch.chdir(str(tmp_path))
    code = main(
        [
            "users",
            "invite",
            "j.jansen",
            "--role",
            "rechter",
            "--court",
            "Rechtbank Zeeland-West-Brabant",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    links = [line for line in out.splitlines() if line.startswith("https://")]
    assert len(links) == 1 and links[0].startswith("https://kennisbank.example.nl/activeren/")
    assert "beheerder het account bevestigen" in out
    assert main(["users", "list"]) == 0
    assert (
        "j.jansen\trechter\tRechtbank Zeeland-West-Brabant\tuitgenodigd" in capsys.readouterr().out
    )


# --- Finding 13: passwords people choose ------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        pytest.param("aaaaaaaaaaaa", "te makkelijk te raden", id="one-letter-repeated"),
        pytest.param("wachtwoord123", "te makkelijk te raden", id="common-word-and-digits"),
        pytest.param("qwertyuiopas", "te makkelijk te raden", id="keyboard-row"),
        pytest.param("123456789012", "te makkelijk te raden", id="digits-in-sequence"),
        pytest.param("kort-1", "minstens 12 tekens", id="too-short"),
    ],
)
def test_finding_13_trivial_password_refused(
    app_of_its_own: AppUnderTest,
    admins: tuple[TestClient[Litestar], TestClient[Litestar]],
    password: str,
    message: str,
) -> None:
    username, link = _invite(admins[0], "redacteur")
    user = app_of_its_own.client()
    data = {"_csrf_token": csrf_token(user, link), "password": password}
    response = user.post(link, data=data | {"password_repeat": password})
    assert response.status_code == 422
    error = _soup(response.text).find(id="activeren-password-fout")
    assert error is not None and message in error.get_text()
    assert "Repeats" not in response.text and "easy to guess" not in response.text  # Dutch only
    assert not _can_sign_in(app_of_its_own, username, password)
    assert _activate(user, link) == 200  # the link still works for a good one


def test_finding_13_password_containing_the_user_name_is_weak(
    app_of_its_own: AppUnderTest, admins: tuple[TestClient[Litestar], TestClient[Litestar]]
) -> None:
    username, link = _invite(admins[0], "redacteur")
    assert _activate(app_of_its_own.client(), link, f"{username}{username}") == 422


# --- Finding 13: sessions and tokens end --------------------------------------------------------


def _check_the_absolute_limit(app: AppUnderTest) -> None:
    person = app.person("beheerder")
    client = app.client()
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        assert sign_in(client, person.username, person.password).status_code == 303
    # Busy all day: each request comes well within the idle limit of 8 hours, and renews it.
    for hours in (4, 8, 11.9):
        with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
            assert client.get("/beheer/audit", follow_redirects=False).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=12), tick=False):
        response = client.get("/beheer/audit", follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["location"].startswith("/aanmelden")


def test_finding_13_session_absolute_limit(shared_app: AppUnderTest) -> None:
    _check_the_absolute_limit(shared_app)


@pytest.mark.redis
def test_finding_13_session_absolute_limit_in_redis(
    isolated: Callable[..., AppUnderTest], redis_server: Redis
) -> None:
    _check_the_absolute_limit(isolated(redis_url=REDIS_URL))


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"token_minutes": 12 * 60 + 1}, id="token-beyond-12-hours"),
        pytest.param({"session_minutes": 13 * 60}, id="idle-limit-beyond-12-hours"),
        pytest.param({"session_max_hours": 4, "token_minutes": 480}, id="token-beyond-own-limit"),
    ],
)
def test_finding_13_no_token_or_idle_limit_outlasts_the_absolute_limit(
    changes: dict[str, int],
) -> None:
    with pytest.raises(ValidationError, match="may not exceed"):
        Settings(_env_file=None, **changes)  # type: ignore[call-arg,arg-type]


def test_finding_13_a_token_ends_at_its_lifetime_however_often_used(
    shared_app: AppUnderTest,
) -> None:
    person = shared_app.person("redacteur")
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        token = get_token(shared_app.client(), person.username, person.password)
    client = shared_app.client()
    client.headers["Authorization"] = f"Bearer {token}"
    lifetime = dt.timedelta(minutes=shared_app.settings.token_minutes)
    for moment in (dt.timedelta(hours=1), lifetime - dt.timedelta(minutes=1)):
        with time_machine.travel(start + moment, tick=False):
            assert client.get("/api/v1/auth/me").status_code == 200
    with time_machine.travel(start + lifetime, tick=False):
        assert client.get("/api/v1/auth/me").status_code == 401


# --- Finding 9: the form token and the cookies ---------------------------------------------------


def test_finding_09_form_token_bound_to_session(shared_app: AppUnderTest) -> None:
    alice, bob = (shared_app.client(shared_app.person("redacteur")) for _ in range(2))
    alice_token = csrf_token(alice, "/")
    # Bob's browser is made to carry Alice's token as its CSRF cookie too (cookie tossing): the
    # double-submit check alone would pass, but the token is not Bob's session's.
    bob.cookies.set(CSRF_COOKIE, alice_token, domain=HOST)
    tossed = bob.post("/afmelden", data={"_csrf_token": alice_token}, follow_redirects=False)
    assert tossed.status_code == 403
    assert "hoort niet bij uw sessie" in tossed.text
    assert bob.get("/api/v1/auth/me").status_code == 200  # still signed in

    # A token from before signing in (which an attacker could have planted) is not the
    # session's either: signing in hands out a new one.
    carol = shared_app.person("redacteur")
    client = shared_app.client()
    before = csrf_token(client, "/aanmelden")
    assert sign_in(client, carol.username, carol.password).status_code == 303
    after = csrf_token(client, "/")
    assert after != before
    client.cookies.set(CSRF_COOKIE, before, domain=HOST)
    assert client.post("/afmelden", data={"_csrf_token": before}).status_code == 403
    client.cookies.set(CSRF_COOKIE, after, domain=HOST)
    assert (
        client.post("/afmelden", data={"_csrf_token": after}, follow_redirects=False).status_code
        == 303
    )


def _set_cookies(headers: list[str]) -> dict[str, SimpleCookie]:
    cookies = {}
    for header in headers:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        cookies.update(dict.fromkeys(cookie, cookie))
    return cookies


def test_finding_09_host_cookie_prefix(isolated: Callable[..., AppUnderTest]) -> None:
    iso = isolated(demo=False, secret_key="s" * 40, password_hashing="RFC_9106_LOW_MEMORY")
    person = iso.person("redacteur")
    client = iso.client()
    client.base_url = client.base_url.copy_with(scheme="https")
    first = _set_cookies(client.get("/aanmelden").headers.get_list("set-cookie"))
    response = sign_in(client, person.username, person.password)
    assert response.status_code == 303
    cookies = first | _set_cookies(response.headers.get_list("set-cookie"))
    for name in ("__Host-kb_session", "__Host-kb_csrf"):
        morsel = cookies[name][name]
        assert morsel["secure"] is True and morsel["path"] == "/" and not morsel["domain"]
    assert SESSION_COOKIE not in cookies and CSRF_COOKIE not in cookies
    # The site works with them: a signed-in page, then signing out with the session's token.
    assert client.get("/redactie/zoekopdrachten").status_code == 200
    token = csrf_token(client, "/")
    out = client.post("/afmelden", data={"_csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/redactie/zoekopdrachten", follow_redirects=False).status_code == 302
    # Local development over plain http keeps the plain names (browsers refuse `__Host-`
    # without Secure).
    assert cookie_name(SESSION_COOKIE, secure=False) == SESSION_COOKIE


# --- Finding 7: parallel wrong passwords --------------------------------------------------------


@pytest.fixture()
def counted_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every password check (argon2 verification) the application makes."""
    checks: list[int] = []
    lock = threading.Lock()
    verify = Passwords.verify

    def counting(self: Passwords, stored_hash: str | None, password: str) -> bool:
        with lock:
            checks.append(1)
        return verify(self, stored_hash, password)

    monkeypatch.setattr(Passwords, "verify", counting)
    return checks


def _parallel_wrong_passwords(app: AppUnderTest, person: Person, attempts: int) -> list[int]:
    app.client()  # runs the app's lifespan; the threads' clients share it

    def attempt(_: int) -> int:
        client = TestClient(app=app.app, raise_server_exceptions=False)
        body = {"username": person.username, "password": "verkeerd-wachtwoord"}
        return client.post("/api/v1/auth/token", json=body).status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return list(pool.map(attempt, range(attempts)))


def _assert_stopped_at_the_limit(
    app: AppUnderTest, person: Person, statuses: list[int], checks: list[int]
) -> None:
    limit = app.settings.sign_in_max_failures
    assert len(checks) <= limit, (statuses, len(checks))
    # Every other attempt was refused before its password was looked at; a checked one answers
    # 401 (its audit entry appends safely beside the others: finding 2).
    assert statuses.count(429) == len(statuses) - len(checks), statuses
    assert statuses.count(401) == len(checks), statuses
    # A burst may leave fewer than the limit checked (attempts that counted each other in flight
    # are all refused): then the rest of the allowance is still there. Once the limit is checked,
    # the account is locked, also for the right password.
    locked = len(checks) == limit
    right = app.client().post(
        "/api/v1/auth/token", json={"username": person.username, "password": PASSWORD}
    )
    assert right.status_code == (429 if locked else 200)


def test_finding_07_parallel_wrong_passwords_stop_at_the_limit(
    isolated: Callable[..., AppUnderTest], counted_checks: list[int]
) -> None:
    iso = isolated()
    person = iso.person("rechter")
    statuses = _parallel_wrong_passwords(iso, person, 30)
    _assert_stopped_at_the_limit(iso, person, statuses, counted_checks)


@pytest.fixture()
def redis_server() -> Iterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except RedisError:
        client.close()
        pytest.skip(f"no Redis server at {REDIS_URL}")
    client.delete("kb:signin:addr:testclient")  # every test client has this address
    yield client
    client.delete("kb:signin:addr:testclient")
    client.close()


@pytest.mark.redis
def test_finding_07_parallel_wrong_passwords_stop_at_the_limit_in_redis(
    isolated: Callable[..., AppUnderTest], counted_checks: list[int], redis_server: Redis
) -> None:
    iso = isolated(redis_url=REDIS_URL)
    person = iso.person("rechter")
    try:
        statuses = _parallel_wrong_passwords(iso, person, 30)
        _assert_stopped_at_the_limit(iso, person, statuses, counted_checks)
    finally:
        redis_server.delete(f"kb:signin:user:{person.username}")


@pytest.mark.parametrize(
    "username",
    [
        pytest.param("rech\x00ter", id="nul"),
        pytest.param("\x00", id="only-nul"),
        pytest.param("rechter\x01", id="control-character"),
    ],
)
def test_a_control_character_in_a_user_name_is_a_wrong_name(
    app_of_its_own: AppUnderTest, username: str
) -> None:
    """PostgreSQL cannot hold a NUL: a name with one once answered 500 on both sign-in routes."""
    client = app_of_its_own.client()
    body = {"username": username, "password": "een-wachtwoord-van-niemand"}
    token = client.post("/api/v1/auth/token", json=body)
    assert token.status_code == 401, token.text
    form = sign_in(client, username, "een-wachtwoord-van-niemand")
    wrong_name = sign_in(client, "niemand", "een-wachtwoord-van-niemand")
    assert form.status_code == wrong_name.status_code
    assert "Gebruikersnaam of wachtwoord onjuist" in form.text


# --- The migration -------------------------------------------------------------------------------


def _account_differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    return [d for d in diff if "account" in repr(d) or "invitation" in repr(d)]


def test_the_invitation_migration_builds_the_models_and_goes_down_and_up(
    settings: Settings, empty_database: str
) -> None:
    engine = make_engine(settings.model_copy(update={"database_url": empty_database}))
    try:
        migrate(engine)
        assert _account_differences(engine) == []
        command.downgrade(alembic_config(engine), "0006")
        assert "invitation" not in inspect(engine).get_table_names()
        assert "needs_confirmation" not in {
            c["name"] for c in inspect(engine).get_columns("account")
        }
        migrate(engine)
        assert _account_differences(engine) == []
    finally:
        engine.dispose()
