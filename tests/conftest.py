"""Shared fixtures: settings on a temporary data dir, a prepared app, test clients, and
accounts (`user_factory`, `client_as(role)`, `isolated()` for an app on a database of its own)."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from kb.app import create_app, prepare
from kb.auth.schemas import parse_new_account
from kb.auth.service import AccountService, AuthConfig
from kb.db import make_engine, migrate
from kb.interventions.catalogue import Catalogue, CatalogueStore
from kb.search.base import SearchBackend
from kb.settings import Settings

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"
SEARCH = REPO / "search"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

POSTGRES_URL = os.environ.get("KB_TEST_DATABASE_URL")


def _database_params() -> list[object]:
    params: list[object] = [pytest.param("sqlite", id="sqlite")]
    if POSTGRES_URL:
        params.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))
    return params


@pytest.fixture(scope="session", params=_database_params())
def database_kind(request: pytest.FixtureRequest) -> str:
    """The suite runs once per database: SQLite always, PostgreSQL when KB_TEST_DATABASE_URL is set."""
    return str(request.param)


def _new_database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'kb.sqlite3'}"
    assert POSTGRES_URL
    return _fresh_postgres_database(POSTGRES_URL)


@pytest.fixture(scope="session")
def database(database_kind: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's shared database, holding the real content for the app fixture."""
    return _new_database(database_kind, tmp_path_factory.mktemp("db"))


@pytest.fixture()
def empty_database(database_kind: str, tmp_path: Path) -> str:
    """A database of its own, for tests that replace or break the data."""
    return _new_database(database_kind, tmp_path)


_CREATED_DATABASES: list[str] = []


def _admin(url: str, statement: str) -> None:
    admin: Engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


def _fresh_postgres_database(url: str) -> str:
    """A new, empty database on the server, so runs never see each other's rows."""
    name = f"kb_test_{os.getpid()}_{os.urandom(3).hex()}"
    _admin(url, f'CREATE DATABASE "{name}"')
    _CREATED_DATABASES.append(name)
    return url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session", autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """Leave the PostgreSQL server as we found it."""
    yield
    if POSTGRES_URL:
        for name in _CREATED_DATABASES:
            _admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def settings(database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the real content, with data in a temporary dir and the database under test."""
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=database,
        content_dir=CONTENT,
        search_dir=SEARCH,
        demo=True,
        password_hashing="CHEAPEST",  # argon2id all the same, at a cost fit for hundreds of sign-ins
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def prepared(settings: Settings) -> Iterator[tuple[Engine, SearchBackend]]:
    """Database migrated and index built once per session: the expensive part."""
    engine, backend = prepare(settings)
    yield engine, backend
    engine.dispose()


@pytest.fixture(scope="session")
def kb_catalogue(prepared: tuple[Engine, SearchBackend]) -> Catalogue:
    """The real knowledge base as its readers get it, read from the prepared database."""
    return CatalogueStore(prepared[0]).current()


@pytest.fixture(scope="session")
def app(settings: Settings, prepared: tuple[Engine, SearchBackend]) -> Litestar:
    """The application over the real content."""
    engine, backend = prepared
    return create_app(settings, engine, backend)


@pytest.fixture()
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    """A test client that raises nothing itself, so tests see the real status codes."""
    with TestClient(app=app, raise_server_exceptions=False) as test_client:
        _LIVE_APPS.add(id(app))
        yield test_client
        _LIVE_APPS.discard(id(app))


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the real content, for tests that break a file on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


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


def csrf_token(client: TestClient[Litestar], page: str = "/aanmelden") -> str:
    """The CSRF token a page puts in its forms (and, the first time, in the client's cookie)."""
    soup = BeautifulSoup(client.get(page).text, "html.parser")
    field = soup.find("input", attrs={"name": "_csrf_token"})
    assert isinstance(field, Tag), f"no CSRF field on {page}"
    return str(field["value"])


def sign_in(client: TestClient[Litestar], username: str, password: str) -> Response:
    """Sign in through the real form, CSRF token and all; returns the form's answer."""
    data = {"_csrf_token": csrf_token(client), "username": username, "password": password}
    return client.post("/aanmelden", data=data, follow_redirects=False)


def get_token(client: TestClient[Litestar], username: str, password: str) -> str:
    """A bearer token from `POST /api/v1/auth/token`."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


# Apps whose lifespan a client of this test already runs. Litestar cannot run two lifespans of
# one app side by side (closing the first hangs), so further clients share the running one.
_LIVE_APPS: set[int] = set()


class Clients:
    """The clients of one test: the first of an app runs its lifespan, the others share it."""

    def __init__(self) -> None:
        self._entered: list[tuple[int, TestClient[Litestar]]] = []

    def new(self, app: Litestar, person: Person | None = None) -> TestClient[Litestar]:
        """A client of `app`; signed in through the form and the token endpoint when given a
        person, with the session cookie for pages and the bearer token for the API."""
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


@pytest.fixture()
def user_factory(
    settings: Settings, prepared: tuple[Engine, SearchBackend]
) -> Callable[..., Person]:
    """Makes accounts in the shared database: `user_factory("rechter", court="Rechtbank Den Haag")`."""
    engine, _ = prepared
    return lambda role, **scope: create_person(engine, settings, role, **scope)


@pytest.fixture()
def client_as(app: Litestar, user_factory: Callable[..., Person]) -> Iterator[ClientAs]:
    """`client_as(role, **scope)`: a client signed in as a new account of that role, through the
    sign-in form (session cookie for pages) and the token endpoint (bearer token for the API);
    `client_as(None)` is anonymous."""
    clients = Clients()

    def make(role: str | None, **scope: str) -> TestClient[Litestar]:
        return clients.new(app, user_factory(role, **scope) if role is not None else None)

    yield make
    clients.close()


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


@pytest.fixture()
def shared_app(
    app: Litestar, settings: Settings, prepared: tuple[Engine, SearchBackend]
) -> Iterator[AppUnderTest]:
    """The session's application and database, for tests that only add accounts and events."""
    under_test = AppUnderTest(app, prepared[0], settings)
    yield under_test
    under_test.clients.close()


@pytest.fixture()
def isolated(
    settings: Settings, prepared: tuple[Engine, SearchBackend], empty_database: str
) -> Iterator[Callable[..., AppUnderTest]]:
    """`isolated(**setting_changes)`: a fresh app on its own migrated database, without demo
    accounts, sharing the session's search index; for tests that count failed sign-ins (all
    clients share one address), change settings, or break rows."""
    made: list[AppUnderTest] = []

    def make(**changes: object) -> AppUnderTest:
        own = settings.model_copy(update={"database_url": empty_database, **changes})
        engine = make_engine(own)
        migrate(engine)
        made.append(AppUnderTest(create_app(own, engine, prepared[1]), engine, own))
        return made[-1]

    yield make
    for each in made:
        each.clients.close()
        each.engine.dispose()
