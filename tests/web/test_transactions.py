"""A request changes everything it meant to or nothing: the request's database session is
committed before a success leaves, rolled back for an error, and a commit that fails is a 503."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.testing import TestClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

from kb.errors import ConflictError
from kb.web.errors import exception_to_response
from kb.web.transactions import DatabaseSessions, TransactionMiddleware

# The foreign key is checked at COMMIT, not when the row is written: a commit that fails.
TABLES = (
    "CREATE TABLE parent (id INTEGER PRIMARY KEY)",
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL"
    " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
)


def _foreign_keys_on(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    made = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    event.listen(made, "connect", _foreign_keys_on)
    with made.begin() as connection:
        for statement in TABLES:
            connection.exec_driver_sql(statement)
    yield made
    made.dispose()


def _write(db_session: Session, parent: FromPath[int]) -> None:
    db_session.execute(text("INSERT INTO child (parent_id) VALUES (:p)"), {"p": parent})
    db_session.flush()


@post("/api/kinderen/{parent:int}", sync_to_thread=True)
def api_write(db_session: NamedDependency[Session], parent: FromPath[int]) -> dict[str, str]:
    _write(db_session, parent)
    return {"ok": "ja"}


@post("/api/kinderen/{parent:int}/en-dan-een-fout", sync_to_thread=True)
def api_write_then_fail(db_session: NamedDependency[Session], parent: FromPath[int]) -> None:
    _write(db_session, parent)
    raise ConflictError("Dit mag niet.")


@post("/kinderen/{parent:int}", sync_to_thread=True)
def page_write(db_session: NamedDependency[Session], parent: FromPath[int]) -> str:
    _write(db_session, parent)
    return "opgeslagen"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient[Litestar]]:
    sessions = DatabaseSessions(engine)
    app = Litestar(
        [api_write, api_write_then_fail, page_write],
        dependencies={"db_session": Provide(sessions.provide, sync_to_thread=False)},
        middleware=[TransactionMiddleware()],
        exception_handlers={Exception: exception_to_response},
    )
    with TestClient(app) as test_client:
        yield test_client


def _add_parent(engine: Engine, parent: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO parent (id) VALUES (:p)"), {"p": parent})


def _children(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM child")).scalar_one())


@pytest.mark.parametrize(
    ("path", "status", "written"),
    [
        ("/api/kinderen/1", 201, 1),  # a success is committed before it is answered
        ("/api/kinderen/1/en-dan-een-fout", 409, 0),  # an error after a write undoes it
    ],
)
def test_a_request_changes_everything_or_nothing(
    engine: Engine, client: TestClient[Litestar], path: str, status: int, written: int
) -> None:
    _add_parent(engine, 1)
    response = client.post(path)
    assert response.status_code == status
    assert _children(engine) == written


def test_a_failed_commit_is_a_503_problem_not_a_success(
    engine: Engine, client: TestClient[Litestar]
) -> None:
    response = client.post("/api/kinderen/7")  # no parent 7: the commit fails
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    problem = response.json()
    assert problem["status"] == 503
    assert problem["title"] == "Tijdelijk niet beschikbaar"
    assert problem["instance"] == "/api/kinderen/7"
    assert "niet worden opgeslagen" in problem["detail"]
    assert _children(engine) == 0


def test_a_failed_commit_of_a_page_is_a_dutch_page(
    engine: Engine, client: TestClient[Litestar]
) -> None:
    response = client.post("/kinderen/7")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "niet worden opgeslagen" in response.text
    assert _children(engine) == 0
