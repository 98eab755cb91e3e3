"""Shared fixtures: settings on a temporary data dir, a prepared app over the real content and
one over the hand-counted fixture corpus, test clients, accounts (`user_factory`,
`client_as(role)`, `isolated()` for an app on a database of its own), and the served app with
Debian's Chromium for the browser tests of every directory.

The helpers these are built from live in `tests/helpers.py`, where test modules import them too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, create_engine, text

from kb.app import create_app, prepare
from kb.db import make_engine, migrate
from kb.interventions.catalogue import Catalogue, CatalogueStore
from kb.search.base import SearchBackend
from kb.settings import Settings
from tests.browser.live import CHROMIUM, running_app
from tests.helpers import (
    CONTENT,
    FIXTURE_CONTENT,
    SEARCH,
    AppUnderTest,
    ClientAs,
    Clients,
    Person,
    create_person,
)

# The slow parts, by the fixture that brings them in and the marker `make test-fast` leaves out
# (`-m "not browser and not postgres and not served"`; `postgres` marks the database parameter).
# A fixture's users are marked however indirectly they use it, so a new test cannot forget;
# tests/test_serve.py, which starts `kb serve` itself, marks its tests `served` on its own.
SLOW_FIXTURES = {"chromium": "browser", "live_url": "served"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in SLOW_FIXTURES.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The fault suite (tests/faults: killed processes, outages) runs only when asked for, by
    `make faults` (`-m faults`), so `make test` does not run it a second time."""
    if collection_path == Path(__file__).parent / "faults":
        return "faults" not in (config.getoption("markexpr") or "")
    return None


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


def _settings(content_dir: Path, database: str, data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database,
        content_dir=content_dir,
        search_dir=SEARCH,
        demo=True,
        demo_cases=False,  # tests count analyses; tests/conflict_analysis/test_demo.py seeds them
        password_hashing="CHEAPEST",  # argon2id all the same, at a cost fit for hundreds of sign-ins
        _env_file=None,  # type: ignore[call-arg]
    )


def _client_of(app: Litestar) -> Iterator[TestClient[Litestar]]:
    clients = Clients()
    yield clients.new(app)
    clients.close()


@pytest.fixture(scope="session")
def settings(database: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the real content, with data in a temporary dir and the database under test."""
    return _settings(CONTENT, database, tmp_path_factory.mktemp("data"))


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
    """A client of the real content that raises nothing itself, so tests see real status codes."""
    yield from _client_of(app)


@pytest.fixture(scope="session")
def corpus_app(database_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Litestar]:
    """The app over the hand-counted fixture corpus, where tests count entries, totals and facets."""
    # A data dir and database of its own: the real content's app and index stay as they are.
    folder = tmp_path_factory.mktemp("corpus")
    own = _settings(FIXTURE_CONTENT, _new_database(database_kind, folder), folder / "data")
    engine, backend = prepare(own)
    yield create_app(own, engine, backend)
    engine.dispose()


@pytest.fixture()
def corpus_client(corpus_app: Litestar) -> Iterator[TestClient[Litestar]]:
    """A test client of the fixture corpus, raising nothing itself like `client`."""
    yield from _client_of(corpus_app)


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the real content, for tests that break a file on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


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


# --- The served app and the browser -----------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium, which every browser test drives: a skip where it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (CI installs it in .ci/run)")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app over the real content, served by uvicorn as in production, for browser tests."""
    # Here rather than in tests/browser: the analysis's browser tests share this one server.
    with running_app(tmp_path_factory.mktemp("browser-data")) as url:
        yield url
