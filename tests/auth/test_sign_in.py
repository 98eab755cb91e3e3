"""Signing in and out of pages: the form, one answer for every wrong, session renewal, cookies."""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie

from bs4 import BeautifulSoup, Tag
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.db import WebSession
from kb.web.sessions import CSRF_COOKIE, SESSION_COOKIE, cookie_name
from tests.helpers import AppUnderTest, csrf_token, sign_in

MESSAGE = "Gebruikersnaam of wachtwoord onjuist."
HOST = "testserver.local"


def _soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _cookie(response_headers: list[str], name: str) -> SimpleCookie:
    for header in response_headers:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        if name in cookie:
            return cookie
    raise AssertionError(f"no Set-Cookie for {name}")


def test_the_form_has_labelled_fields_and_a_csrf_field(shared_app: AppUnderTest) -> None:
    client = shared_app.client()
    soup = _soup(client.get("/aanmelden?next=/beheer/audit").text)
    form = soup.find("form", attrs={"action": "/aanmelden"})
    assert isinstance(form, Tag) and form.get("method") == "post"
    for name, kind, autocomplete in (
        ("username", "text", "username"),
        ("password", "password", "current-password"),
    ):
        field = form.find("input", attrs={"name": name})
        assert isinstance(field, Tag)
        assert field.get("type") == kind and field.get("autocomplete") == autocomplete
        assert soup.find("label", attrs={"for": field["id"]}) is not None
    hidden = {i["name"]: i["value"] for i in form.find_all("input", attrs={"type": "hidden"})}
    assert hidden["next"] == "/beheer/audit" and hidden["_csrf_token"]


def test_unknown_user_and_wrong_password_get_the_same_page(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated()
    person = iso.person("rechter")
    answers = []
    for username, password in ((person.username, "verkeerd-wachtwoord"), ("niemand", "x" * 12)):
        client = iso.client()
        response = sign_in(client, username, password)
        assert response.status_code == 200
        soup = _soup(response.text)
        summary = soup.find("div", attrs={"role": "alert"})
        assert isinstance(summary, Tag)
        link = summary.find("a")
        assert isinstance(link, Tag) and link.get_text(strip=True) == MESSAGE
        assert link["href"] == "#aanmelden-username" and soup.find(id="aanmelden-username")
        assert SESSION_COOKIE not in client.cookies
        main = soup.find("main")
        assert main is not None
        text = main.get_text(" ", strip=True).replace(username, "<naam>")
        answers.append(text)
    assert answers[0] == answers[1]


def test_empty_fields_are_named_in_the_error_summary(shared_app: AppUnderTest) -> None:
    client = shared_app.client()
    response = client.post("/aanmelden", data={"_csrf_token": csrf_token(client)})
    links = _soup(response.text).select("div[role=alert] a")
    assert [(a["href"], a.get_text(strip=True)) for a in links] == [
        ("#aanmelden-username", "Vul uw gebruikersnaam in."),
        ("#aanmelden-password", "Vul uw wachtwoord in."),
    ]


def test_sign_in_renews_the_session_id(shared_app: AppUnderTest) -> None:
    """Session fixation: an id planted before sign-in is worthless after it."""
    iso = shared_app
    first, second = iso.person("redacteur"), iso.person("beheerder")
    client = iso.client()
    client.cookies.set(SESSION_COOKIE, "door-een-aanvaller-geplant", domain=HOST)
    response = sign_in(client, first.username, first.password)
    assert response.status_code == 303
    first_id = client.cookies[SESSION_COOKIE]
    assert first_id != "door-een-aanvaller-geplant" and len(first_id) == 64

    # Signing in again (as someone else) gives yet another id and ends the first session.
    assert sign_in(client, second.username, second.password).status_code == 303
    second_id = client.cookies[SESSION_COOKIE]
    assert second_id != first_id
    with Session(iso.engine) as session:
        keys = set(session.execute(select(WebSession.key)).scalars())
    assert second_id in keys and first_id not in keys

    replay = iso.client()
    replay.cookies.set(SESSION_COOKIE, first_id, domain=HOST)
    assert replay.get("/beheer/audit", follow_redirects=False).status_code == 302


def test_sign_in_returns_to_the_page_asked_for_and_never_elsewhere(
    shared_app: AppUnderTest,
) -> None:
    iso = shared_app
    person = iso.person("beheerder")
    client = iso.client()
    assert client.get("/beheer/audit", follow_redirects=False).headers["location"] == (
        "/aanmelden?next=%2Fbeheer%2Faudit"
    )
    for target, landing in (
        ("/beheer/audit", "/beheer/audit"),
        # Never elsewhere: without a safe destination, the work list (which sends a role
        # without one to the home page).
        ("//kwaad.example/", "/werk"),
        ("https://kwaad.example/", "/werk"),
        ("/\\kwaad.example", "/werk"),
    ):
        data = {
            "_csrf_token": csrf_token(client),
            "username": person.username,
            "password": person.password,
            "next": target,
        }
        response = client.post("/aanmelden", data=data, follow_redirects=False)
        assert response.headers["location"] == landing


def test_the_header_names_the_user_and_their_role(shared_app: AppUnderTest) -> None:
    iso = shared_app
    client = iso.client(iso.person("rechter", court="Rechtbank Den Haag"))
    soup = _soup(client.get("/").text)
    bar = soup.find(class_="account-bar")
    assert isinstance(bar, Tag)
    assert "(rechter, Rechtbank Den Haag)" in bar.get_text(" ", strip=True)
    sign_out = bar.find("form", attrs={"action": "/afmelden", "method": "post"})
    assert isinstance(sign_out, Tag) and sign_out.find("input", attrs={"name": "_csrf_token"})
    assert soup.find(class_="demo-banner") is not None  # demo mode in the test settings


def test_sign_out_ends_the_session(shared_app: AppUnderTest) -> None:
    iso = shared_app
    client = iso.client(iso.person("beheerder"))
    session_id = client.cookies[SESSION_COOKIE]
    response = client.post(
        "/afmelden", data={"_csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = _cookie(response.headers.get_list("set-cookie"), SESSION_COOKIE)
    assert cookie[SESSION_COOKIE]["max-age"] == "0"
    replay = iso.client()
    replay.cookies.set(SESSION_COOKIE, session_id, domain=HOST)
    assert replay.get("/beheer/accounts", follow_redirects=False).status_code == 302
    with Session(iso.engine) as session:
        assert session.get(WebSession, session_id) is None


def test_anonymous_visitors_get_no_session(shared_app: AppUnderTest) -> None:
    client = shared_app.client()
    response = client.get("/")
    assert SESSION_COOKIE not in " ".join(response.headers.get_list("set-cookie"))


def test_disabling_an_account_ends_its_sessions_and_tokens(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated()
    admin = iso.client(iso.person("beheerder"))
    victim_person = iso.person("beheerder")
    victim = iso.client(victim_person)
    assert victim.get("/beheer/accounts").status_code == 200
    assert victim.get("/api/v1/auth/me").status_code == 200

    response = admin.post(
        f"/beheer/accounts/{victim_person.username}/uitschakelen",
        data={"_csrf_token": csrf_token(admin, "/beheer/accounts")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    notice = _soup(admin.get("/beheer/accounts").text).find(attrs={"role": "status"})
    assert notice is not None and "uitgeschakeld" in notice.get_text()

    assert victim.get("/beheer/accounts", follow_redirects=False).status_code == 302
    assert victim.get("/api/v1/auth/me").status_code == 401
    again = sign_in(iso.client(), victim_person.username, victim_person.password)
    assert MESSAGE in again.text  # a disabled account gets the same answer as a wrong password


def test_a_beheerder_cannot_disable_their_own_account(shared_app: AppUnderTest) -> None:
    iso = shared_app
    person = iso.person("beheerder")
    client = iso.client(person)
    response = client.post(
        f"/beheer/accounts/{person.username}/uitschakelen",
        data={"_csrf_token": csrf_token(client)},
    )
    assert response.status_code == 409
    assert client.get("/beheer/accounts").status_code == 200


def test_cookies_are_httponly_and_lax_and_secure_outside_demo_mode(
    isolated: Callable[..., AppUnderTest],
) -> None:
    for demo in (True, False):
        changes: dict[str, object] = {"demo": demo}
        if not demo:
            changes.update(secret_key="s" * 40, password_hashing="RFC_9106_LOW_MEMORY")
        iso = isolated(**changes)
        person = iso.person("redacteur")
        client = iso.client()
        client.base_url = client.base_url.copy_with(scheme="https")
        csrf_name = cookie_name(CSRF_COOKIE, secure=not demo)
        session_name = cookie_name(SESSION_COOKIE, secure=not demo)
        csrf = _cookie(client.get("/aanmelden").headers.get_list("set-cookie"), csrf_name)
        response = sign_in(client, person.username, person.password)
        session = _cookie(response.headers.get_list("set-cookie"), session_name)
        for cookie, name in ((csrf, csrf_name), (session, session_name)):
            morsel = cookie[name]
            assert morsel["httponly"] is True
            assert morsel["samesite"].lower() == "lax"
            assert bool(morsel["secure"]) is (not demo), (name, demo)
