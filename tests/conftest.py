"""Shared fixtures: settings on a temporary data dir, a prepared app, and a test client."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, create_engine, text

from kb.app import create_app, prepare
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
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(scope="session")
def prepared(settings: Settings) -> Iterator[tuple[Engine, SearchBackend]]:
    """Database migrated and index built once per session: the expensive part."""
    engine, backend = prepare(settings)
    yield engine, backend
    engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings, prepared: tuple[Engine, SearchBackend]) -> Litestar:
    """The application over the real content."""
    engine, backend = prepared
    return create_app(settings, engine, backend)


@pytest.fixture()
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    """A test client that raises nothing itself, so tests see the real status codes."""
    with TestClient(app=app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the real content, for tests that break a file on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target
