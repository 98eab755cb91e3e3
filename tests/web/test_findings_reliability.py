"""Regression tests for the reliability findings of issue 11: the audit append under concurrency
(2, 14), readiness (3) and outages answered with 503 and `Retry-After` (11).

The fault suite (`make faults`, tests/faults/) covers the same ground with killed processes and
cut connections; these run in the ordinary suite, on both databases.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.middleware import ASGIMiddleware
from litestar.params import FromPath
from litestar.testing import TestClient
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kb.access import CurrentUser
from kb.auth import audit
from kb.auth.models import AuditEntry
from kb.errors import NotFoundError
from kb.web.errors import exception_to_response
from kb.web.outages import OutageMiddleware
from kb.web.transactions import DatabaseSessions, TransactionMiddleware
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import COURT, OFFICE, another_case, realistic_case
from tests.helpers import REDIS_URL, AppUnderTest, ClientAs
from tests.outage import TcpProxy, proxied

CLIENTS = 8
READS_PER_CLIENT = 25
READER = CurrentUser(id=9, username="r.lezer", role="rechter", court=COURT)


def _reads_of(engine: Engine, analysis_id: int) -> list[AuditEntry]:
    with Session(engine) as session:
        query = (
            select(AuditEntry)
            .where(AuditEntry.action == "analysis.read", AuditEntry.object_id == str(analysis_id))
            .order_by(AuditEntry.id)
        )
        return list(session.scalars(query))


def _verified(engine: Engine) -> audit.VerifyResult:
    with Session(engine) as session:
        return audit.verify(session)


@pytest.fixture()
def raad(client_as: ClientAs) -> Raad:
    return Raad(
        investigator=client_as("raadsonderzoeker", office=OFFICE),
        expert=client_as("gedragsdeskundige", office=OFFICE),
        judge=client_as("rechter", court=COURT),
        make=client_as,
    )


def test_finding_02_concurrent_audited_reads_on_sqlite(
    raad: Raad, prepared: tuple[Engine, Any]
) -> None:
    """8 clients reading one analysis at once with a bearer token: every read answered 200 and
    audited once, and the chain verifies (on SQLite this gave 249 of 400 answers 500)."""
    analysis_id = raad.submitted(another_case(realistic_case()))["id"]
    path = f"{API}/{analysis_id}"
    start = threading.Barrier(CLIENTS)

    def client_reads() -> list[int]:
        start.wait()
        return [raad.judge.get(path).status_code for _ in range(READS_PER_CLIENT)]

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = [
            s for f in [pool.submit(client_reads) for _ in range(CLIENTS)] for s in f.result()
        ]

    assert statuses == [200] * (CLIENTS * READS_PER_CLIENT)
    assert len(_reads_of(prepared[0], analysis_id)) == CLIENTS * READS_PER_CLIENT
    assert _verified(prepared[0]).ok


def _event(n: int, k: int) -> AuditEntry:
    """The k-th event of request n, queued on a throwaway session as a read would be."""
    session = Session()
    audit.record_read(
        session,
        user=READER,
        action="analysis.read",
        object_type="conflict_analysis",
        object_id=n,
        detail={"request": n, "part": k},
    )
    return audit.take_queued(session)[0]


@pytest.fixture()
def fresh(isolated: Callable[..., AppUnderTest]) -> Iterator[Engine]:
    yield isolated().engine


def _count_commits(engine: Engine, thread_name: str) -> list[int]:
    commits = [0]

    def on_commit(_connection: Connection) -> None:
        if threading.current_thread().name == thread_name:
            commits[0] += 1

    event.listen(engine, "commit", on_commit)
    return commits


def test_finding_14_audit_append_batches(fresh: Engine) -> None:
    """Requests queued while another transaction holds the chain land in one shared
    transaction (the appender gathers its batch once it holds the lock), each request's events
    together and in order, after the holder's own entry; and the chain verifies."""
    requests, parts = 120, 3
    appender = audit.Appender(fresh)
    commits = _count_commits(fresh, "kb-audit-appender")
    try:
        with Session(fresh) as holder:
            # A write request recording its act: it holds the chain until it commits.
            first = audit.record(holder, user=READER, action="analysis.create", object_id=1)
            waiting: list[Future[None]] = [
                appender.submit([_event(n, k) for k in range(parts)]) for n in range(requests)
            ]
            holder.commit()
        for done in waiting:
            done.result(timeout=60)
    finally:
        appender.close()

    rows = _entries_after(fresh, first.id)
    assert rows[0].action == "analysis.create"
    landed = [(r.detail["request"], r.detail["part"]) for r in rows[1:]]
    assert landed == [(n, k) for n in range(requests) for k in range(parts)]
    assert commits[0] == 1  # gathered after the holder let go of the lock: all at once
    assert _verified(fresh).ok


def test_finding_14_a_failed_batch_fails_every_request_in_it(fresh: Engine) -> None:
    """When the database refuses a batch, every request in it hears so (and none waits)."""
    appender = audit.Appender(fresh)

    def refuse_audit(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO audit_log") and threading.current_thread().name == (
            "kb-audit-appender"
        ):
            raise OperationalError(statement, {}, Exception("the database is down"))

    try:
        with Session(fresh) as holder:
            audit.record(holder, user=READER, action="analysis.create", object_id=1)
            waiting = [appender.submit([_event(n, 0)]) for n in range(20)]
            event.listen(fresh, "before_cursor_execute", refuse_audit)
            holder.commit()
        failures = [done.exception(timeout=60) for done in waiting]
    finally:
        event.remove(fresh, "before_cursor_execute", refuse_audit)
        appender.close()
    assert all(isinstance(failure, OperationalError) for failure in failures)
    assert _verified(fresh).ok


def _entries_after(engine: Engine, first_id: int) -> list[AuditEntry]:
    with Session(engine) as session:
        query = select(AuditEntry).where(AuditEntry.id >= first_id).order_by(AuditEntry.id)
        return list(session.scalars(query))


# --- Readiness and outages (findings 3 and 11) ----------------------------------------------


@contextmanager
def database_down(engine: Engine) -> Iterator[None]:
    """The database stops answering: every new connection is refused by the driver and the
    pooled ones are dropped; afterwards it answers again."""
    refused = engine.dialect.loaded_dbapi.OperationalError

    def refuse(*_args: Any) -> None:
        raise refused("connection refused (the database is down for this test)")

    engine.pool.dispose()
    event.listen(engine, "do_connect", refuse)
    try:
        yield
    finally:
        event.remove(engine, "do_connect", refuse)


@pytest.fixture()
def outage_app(isolated: Callable[..., AppUnderTest]) -> AppUnderTest:
    return isolated()


def test_finding_03_ready_reports_database_down(outage_app: AppUnderTest) -> None:
    client = outage_app.client()
    up = client.get("/api/v1/ready")
    assert up.status_code == 200, up.text
    assert {name: state["ok"] for name, state in up.json()["checks"].items()} == {
        "database": True,
        "search": True,
        "sessions": True,
    }
    with database_down(outage_app.engine):
        down = client.get("/api/v1/ready")
        alive = client.get("/api/v1/health")
    assert down.status_code == 503
    assert down.headers["content-type"].startswith("application/problem+json")
    assert down.headers["retry-after"]
    # The sessions store is the database here (no Redis), so it is down with it.
    assert down.json()["failing"] == ["database", "sessions"]
    assert "de database" in down.json()["detail"]
    assert alive.status_code == 200  # liveness: the process still answers
    assert client.get("/api/v1/ready").status_code == 200  # and it recovers at once


@contextmanager
def cut(proxy: TcpProxy) -> Iterator[None]:
    proxy.cut()
    try:
        yield
    finally:
        proxy.restore()


@pytest.fixture()
def redis_app(isolated: Callable[..., AppUnderTest]) -> Iterator[tuple[AppUnderTest, TcpProxy]]:
    """An app whose sessions live in Redis, reached through a proxy the test can cut."""
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        with Redis.from_url(REDIS_URL) as probe:
            probe.ping()
    except RedisError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    with proxied(REDIS_URL) as (url, proxy):
        yield isolated(redis_url=url), proxy


@pytest.mark.redis
def test_finding_03_ready_reports_redis_down(redis_app: tuple[AppUnderTest, TcpProxy]) -> None:
    """With Redis as the sessions store, a Redis that stops answering is named as such."""
    app, proxy = redis_app
    client = app.client()  # one client: the async Redis pool belongs to its event loop
    assert client.get("/api/v1/ready").json()["checks"]["sessions"]["store"] == "redis"
    with cut(proxy):
        down = client.get("/api/v1/ready")
    assert down.status_code == 503
    assert down.json()["failing"] == ["sessions"]
    assert client.get("/api/v1/ready").status_code == 200


@pytest.mark.parametrize(
    ("path", "as_page"),
    [
        pytest.param("/api/v1/conflict-analyses", False, id="api-list"),
        pytest.param("/api/v1/auth/me", False, id="api-me"),
        pytest.param("/analyses", True, id="page-analyses"),
        pytest.param("/beheer/accounts", True, id="page-accounts"),
    ],
)
def test_finding_11_database_down_gives_503_with_retry_after(
    outage_app: AppUnderTest, path: str, as_page: bool
) -> None:
    role = "beheerder" if "beheer" in path else "raadsonderzoeker"
    client = outage_app.client(outage_app.person(role))
    assert client.get(path).status_code == 200
    with database_down(outage_app.engine):
        answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["retry-after"]) > 0
    if as_page:
        assert answer.headers["content-type"].startswith("text/html")
        assert "Tijdelijk niet beschikbaar" in answer.text
    else:
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["status"] == 503
    assert client.get(path).status_code == 200  # back as soon as the database is


@pytest.mark.redis
def test_finding_11_redis_down_gives_503_with_retry_after(
    redis_app: tuple[AppUnderTest, TcpProxy],
) -> None:
    app, proxy = redis_app
    client = app.client(app.person("raadsonderzoeker", office=OFFICE))
    assert client.get("/analyses").status_code == 200
    with cut(proxy):
        answer = client.get("/analyses", follow_redirects=False)
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["retry-after"]) > 0
    assert "Tijdelijk niet beschikbaar" in answer.text
    assert client.get("/analyses").status_code == 200


class _StoreFailsAtStart(ASGIMiddleware):
    """Like the session middleware when Redis goes away between reading and saving a session."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def failing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                raise RedisConnectionError("Connection closed by server.")
            await send(message)

        await next_app(scope, receive, failing_send)


@get("/api/v1/iets", sync_to_thread=False)
def _something() -> dict[str, str]:
    return {"ok": "ja"}


def test_finding_11_store_failing_as_the_answer_starts_gives_503() -> None:
    app = Litestar(
        [_something],
        middleware=[OutageMiddleware(), _StoreFailsAtStart()],
        exception_handlers={Exception: exception_to_response},
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/iets")
    assert answer.status_code == 503
    assert int(answer.headers["retry-after"]) > 0
    assert answer.json()["status"] == 503


def test_finding_02_read_is_withheld_when_its_audit_entry_cannot_be_written(
    raad: Raad, prepared: tuple[Engine, Any]
) -> None:
    """No read is answered before its audit entry is committed: when the entry cannot be
    written, the answer is a 503 without case content, not the analysis."""
    engine = prepared[0]
    case = another_case(realistic_case())
    path = f"{API}/{raad.created(case)['id']}"

    def refuse_audit(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("INSERT INTO audit_log"):
            raise OperationalError(statement, {}, Exception("database or disk is full"))

    event.listen(engine, "before_cursor_execute", refuse_audit)
    try:
        withheld = raad.investigator.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", refuse_audit)
    assert withheld.status_code == 503
    assert int(withheld.headers["retry-after"]) > 0
    assert case["case"]["case_number"] not in withheld.text
    assert raad.investigator.get(path).status_code == 200
    assert _verified(engine).ok


def test_a_read_queued_by_a_refused_request_is_still_recorded(fresh: Engine) -> None:
    """What a request queues with `record_read` is appended whatever its status, although its
    own transaction is rolled back: a refused read is audited too (domain §9.6)."""
    appender = audit.Appender(fresh)
    sessions = DatabaseSessions(fresh)

    @get("/api/v1/geweigerd/{n:int}", sync_to_thread=True)
    def refused(db_session: NamedDependency[Session], n: FromPath[int]) -> None:
        audit.record_read(db_session, user=READER, action="analysis.read_refused", object_id=n)
        raise NotFoundError("Deze analyse bestaat niet of u heeft er geen toegang toe.")

    app = Litestar(
        [refused],
        dependencies={"db_session": Provide(sessions.provide, sync_to_thread=False)},
        middleware=[TransactionMiddleware(appender.submit_queued)],
        exception_handlers={Exception: exception_to_response},
        on_shutdown=[appender.close],
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/geweigerd/77").status_code == 404
    with Session(fresh) as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.object_id == "77")).all()
    assert [row.action for row in rows] == ["analysis.read_refused"]
    assert _verified(fresh).ok
