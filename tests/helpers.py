"""Helpers for test modules and conftest files alike: the repository's paths, accounts made
through the account service, signing in through the real form, the clients of an app, the rows
of the access matrices, and the check that a page holds no inline code.

Fixtures live in the conftest files and are built from these; tests import these, never a
conftest module.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kb.auth.schemas import parse_new_account
from kb.auth.service import AccountService, AuthConfig
from kb.settings import Settings
from kb.vocabulary import ROLES

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
SEARCH = REPO / "search"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _redis_url() -> str:
    # Parallel test processes (pytest-xdist: gw0, gw1, …) each get a Redis database of their
    # own, counting down from 15, so none sees another's sessions or sign-in counters.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    number = 15 - int(worker) if worker.isdigit() else 15
    return os.environ.get("KB_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{max(number, 1)}")


# The tests' Redis server; a test that needs it is skipped when none answers.
REDIS_URL = _redis_url()
# The hand-counted corpus of five entries: counts and facets are asserted on it, never on the
# real CONTENT, which editors change.
FIXTURE_CONTENT = FIXTURES / "content"
FIXTURE_SLUGS = frozenset(
    {"alpha-groep", "beta-bemiddeling", "gamma-pilot", "delta-loket", "epsilon-schadelijk"}
)
# Its facet counts, counted by hand from the five files (a national entry has no arrondissement).
FIXTURE_FACETS: dict[str, dict[str, int]] = {
    "kind": {"interventie": 3, "pilot": 1, "voorziening": 1},
    "status": {"actief": 3, "lopend": 1, "gestopt": 1},
    "evidence_level": {"4": 1, "2": 1, "0": 3},
    "audience": {"kind": 2, "ouders": 2, "ouderpaar": 1, "gezin": 1},
    "route": {"vrij_toegankelijk": 2, "uniform_hulpaanbod": 1, "rechtspraak": 1},
    "format": {"groep": 2, "gesprekken": 1, "inloop": 1, "gezin": 1},
    "glasl_phase": {"1": 2, "2": 3, "3": 2},
    "arrondissement": {"Amsterdam": 1, "Rotterdam": 1, "Noord-Nederland": 1},
}

# --- Accounts -------------------------------------------------------------------------------

# The scope each role needs, as `kb users add` would be given it.
DEFAULT_SCOPE: dict[str, dict[str, str]] = {
    "rechter": {"court": "Rechtbank Amsterdam"},
    "raadsonderzoeker": {"office": "Raad Amsterdam"},
    "gedragsdeskundige": {"office": "Raad Amsterdam"},
    "loketmedewerker": {"municipality": "Amsterdam"},
}
PASSWORD = "een-lang-testwachtwoord"
_SERIAL = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """An account made for a test, with the password it was made with."""

    id: int
    username: str
    password: str
    role: str


def create_person(engine: Engine, settings: Settings, role: str, **scope: str) -> Person:
    """Create an account through the account service, as `kb users add` does."""
    username = f"{role[:8]}-{next(_SERIAL)}-{os.urandom(2).hex()}"
    new = parse_new_account(
        {
            "username": username,
            "role": role,
            "password": PASSWORD,
            **(scope or DEFAULT_SCOPE.get(role, {})),
        }
    )
    with Session(engine) as session:
        created = AccountService(session, AuthConfig.from_settings(settings)).create(new, by=None)
        session.commit()
    return Person(created.id, created.username, PASSWORD, role)


# --- Signing in -----------------------------------------------------------------------------


def csrf_token(client: TestClient[Litestar], page: str = "/aanmelden") -> str:
    """The CSRF token a page puts in its forms (and, the first time, in the client's cookie)."""
    soup = BeautifulSoup(client.get(page).text, "html.parser")
    token_field = soup.find("input", attrs={"name": "_csrf_token"})
    assert isinstance(token_field, Tag), f"no CSRF field on {page}"
    return str(token_field["value"])


def sign_in(client: TestClient[Litestar], username: str, password: str) -> Response:
    """Sign in through the real form, CSRF token and all; returns the form's answer."""
    data = {"_csrf_token": csrf_token(client), "username": username, "password": password}
    return client.post("/aanmelden", data=data, follow_redirects=False)


def get_token(client: TestClient[Litestar], username: str, password: str) -> str:
    """A bearer token from `POST /api/v1/auth/token`."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


# --- Clients --------------------------------------------------------------------------------

# Apps whose lifespan a client of this test already runs. Litestar cannot run two lifespans of
# one app side by side (closing the first hangs), so further clients share the running one.
_LIVE_APPS: set[int] = set()


class Clients:
    """The clients of one test: the first of an app runs its lifespan, the others share it."""

    def __init__(self) -> None:
        self._entered: list[tuple[int, TestClient[Litestar]]] = []

    def new(self, app: Litestar, person: Person | None = None) -> TestClient[Litestar]:
        """A client of `app` that raises nothing itself, so tests see the real status codes;
        signed in through the form and the token endpoint when given a person, with the session
        cookie for pages and the bearer token for the API."""
        client = TestClient(app=app, raise_server_exceptions=False)
        if id(app) not in _LIVE_APPS:
            client.__enter__()
            _LIVE_APPS.add(id(app))
            self._entered.append((id(app), client))
        if person is not None:
            assert sign_in(client, person.username, person.password).status_code == 303
            token = get_token(client, person.username, person.password)
            client.headers["Authorization"] = f"Bearer {token}"
        return client

    def close(self) -> None:
        for app_id, client in reversed(self._entered):
            client.__exit__(None, None, None)
            _LIVE_APPS.discard(app_id)


ClientAs = Callable[..., TestClient[Litestar]]


@dataclass
class AppUnderTest:
    """An application with its engine and settings, and the clients a test made of it."""

    app: Litestar
    engine: Engine
    settings: Settings
    clients: Clients = field(default_factory=Clients)

    def person(self, role: str, **scope: str) -> Person:
        return create_person(self.engine, self.settings, role, **scope)

    def client(self, person: Person | None = None) -> TestClient[Litestar]:
        """A client of this app; signed in (form and token) when given a person."""
        return self.clients.new(self.app, person)

    def token(self, person: Person) -> str:
        """A bearer token for `person`, fetched by a client of its own."""
        return get_token(self.client(), person.username, person.password)


# --- Access matrices ------------------------------------------------------------------------

Who = str | None
EVERYONE: tuple[Who, ...] = (None, *ROLES)


def expect(
    allowed: int, roles: Iterable[str], *, anonymous: int, others: int = 403
) -> dict[Who, int]:
    """`allowed` for `roles`, `anonymous` without an account, `others` for every other role."""
    table: dict[Who, int] = {role: others for role in ROLES}
    table.update(dict.fromkeys(roles, allowed))
    table[None] = anonymous
    return table


@dataclass(frozen=True)
class Row:
    """One route: how to call it and what each kind of user gets back."""

    method: str
    path: str  # `{victim}`: an account made for the test; `{new}` (in a form): an unused name
    expected: Mapping[Who, int]
    form: Mapping[str, str] | None = None  # posted as a form, with the CSRF token
    body: Mapping[str, str] = field(default_factory=dict)


def request_row(
    client: TestClient[Litestar], row: Row, path: str, form: Mapping[str, str] | None = None
) -> Response:
    """Call a row's route at `path` without following redirects: the body as JSON, or `form`
    (the row's form unless given) posted with the page's CSRF token."""
    if row.form is None:
        return client.request(row.method, path, json=row.body or None, follow_redirects=False)
    data = dict(row.form if form is None else form) | {"_csrf_token": csrf_token(client)}
    return client.request(row.method, path, data=data, follow_redirects=False)


# --- Pages ----------------------------------------------------------------------------------


def assert_no_inline_code(soup: BeautifulSoup) -> None:
    """Scripts and styles only as files of our own: the CSP (`'self'`) blocks anything inline."""
    for script in soup.find_all("script"):
        assert str(script.get("src", "")).startswith("/static/"), script
        assert not script.get_text(strip=True), "inline script"
    assert soup.find_all("style") == []
    assert soup.find_all(style=True) == []
    handlers = [
        (tag.name, attr)
        for tag in soup.find_all(True)
        for attr in tag.attrs
        if attr.startswith("on")
    ]
    assert handlers == []
    stylesheets = [link.get("href") for link in soup.find_all("link", rel="stylesheet")]
    assert stylesheets == ["/static/kb.css"]


def kb_check(
    capsys: pytest.CaptureFixture[str], content: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    """`kb check` on `content` with the repository's search settings: exit code and output."""
    from kb.cli import main

    monkeypatch.setenv("KB_CONTENT_DIR", str(content))
    monkeypatch.setenv("KB_SEARCH_DIR", str(SEARCH))
    code = main(["check"])
    out = capsys.readouterr()
    return code, out.out + out.err
