"""The case-level rules over HTTP, through a stand-in for the conflict-analysis routes to come.

The stand-in does what those routes will do: guard on the permission table, apply the case rule
to the analysis's facts (404 when it may not be read), and record the read in the audit log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from kb.access import (
    AnalysisFacts,
    ensure,
    may_approve_analysis,
    may_read_analysis,
)
from kb.app import create_app
from kb.auth import audit
from kb.auth.models import AuditEntry
from kb.search.base import SearchBackend
from kb.settings import Settings
from kb.web.auth import client_address, current_user, requires
from tests.helpers import AppUnderTest

# Analysis 1: submitted, at Rechtbank Amsterdam, by an investigator of Raad Amsterdam.
ANALYSES = {
    1: AnalysisFacts("Rechtbank Amsterdam", "Raad Amsterdam", author_id=-1, status="ingediend"),
    2: AnalysisFacts(
        "Rechtbank Amsterdam", "Raad Amsterdam", author_id=-1, status="ter_accordering"
    ),
}


@get("/api/v1/test-analyses/{number:int}", guards=[requires("analysis.read")], sync_to_thread=False)
def read_analysis(
    request: Request[Any, Any, Any], db_session: NamedDependency[Session], number: FromPath[int]
) -> dict[str, Any]:
    facts = ANALYSES[number]
    user = current_user(request)
    ensure(may_read_analysis, user, facts, hide=True)
    audit.record(
        db_session,
        user=user,
        action="analysis.read",
        object_type="conflict_analysis",
        object_id=number,
        version=1,
        address=client_address(request),
    )
    return {"id": number, "court": facts.court, "status": facts.status}


@post(
    "/api/v1/test-analyses/{number:int}/approve",
    guards=[requires("analysis.approve")],
    status_code=200,
    sync_to_thread=False,
)
def approve_analysis(request: Request[Any, Any, Any], number: FromPath[int]) -> dict[str, Any]:
    facts = ANALYSES[number]
    user = current_user(request)
    ensure(may_read_analysis, user, facts, hide=True)
    ensure(may_approve_analysis, user, facts, hide=False)
    return {"id": number, "approved": True}


@pytest.fixture()
def with_analyses(
    settings: Settings, prepared: tuple[Engine, SearchBackend]
) -> Iterator[AppUnderTest]:
    """The application plus the stand-in analysis routes, on the shared database."""
    app = create_app(settings, *prepared)
    app.register(read_analysis)
    app.register(approve_analysis)
    under_test = AppUnderTest(app, prepared[0], settings)
    yield under_test
    under_test.clients.close()


@pytest.mark.parametrize(
    ("role", "scope", "number", "status"),
    [
        pytest.param("rechter", {"court": "Rechtbank Amsterdam"}, 1, 200, id="judge-same-court"),
        pytest.param("rechter", {"court": "Rechtbank Den Haag"}, 1, 404, id="judge-other-court"),
        pytest.param("rechter", {"court": "Rechtbank Amsterdam"}, 2, 404, id="judge-not-submitted"),
        pytest.param("raadsonderzoeker", {"office": "Raad Amsterdam"}, 1, 200, id="same-office"),
        pytest.param("raadsonderzoeker", {"office": "Raad Zwolle"}, 1, 404, id="other-office"),
        pytest.param("gedragsdeskundige", {"office": "Raad Amsterdam"}, 2, 200, id="expert"),
        pytest.param("beheerder", {}, 1, 403, id="beheerder-no-case-content"),
        pytest.param("redacteur", {}, 1, 403, id="editor"),
        pytest.param("loketmedewerker", {}, 1, 403, id="desk-worker"),
    ],
)
def test_reading_an_analysis(
    role: str, scope: dict[str, str], number: int, status: int, with_analyses: AppUnderTest
) -> None:
    client = with_analyses.client(with_analyses.person(role, **scope))
    response = client.get(f"/api/v1/test-analyses/{number}")
    assert response.status_code == status
    if status != 200:
        assert "court" not in response.text and "Rechtbank" not in response.text


def test_a_read_lands_in_the_audit_log(with_analyses: AppUnderTest) -> None:
    person = with_analyses.person("rechter")
    client = with_analyses.client(person)
    assert client.get("/api/v1/test-analyses/1").status_code == 200
    with Session(with_analyses.engine) as session:
        entry = (
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.actor_id == person.id)
                .order_by(AuditEntry.id.desc())
            )
            .scalars()
            .first()
        )
    assert entry is not None
    assert (entry.action, entry.object_type, entry.object_id, entry.version, entry.role) == (
        "analysis.read",
        "conflict_analysis",
        "1",
        1,
        "rechter",
    )


@pytest.mark.parametrize(
    ("role", "scope", "status"),
    [
        pytest.param(
            "gedragsdeskundige", {"office": "Raad Amsterdam"}, 200, id="expert-same-office"
        ),
        pytest.param("gedragsdeskundige", {"office": "Raad Zwolle"}, 404, id="expert-other-office"),
        pytest.param("raadsonderzoeker", {"office": "Raad Amsterdam"}, 403, id="investigator"),
    ],
)
def test_approving_an_analysis(
    role: str, scope: dict[str, str], status: int, with_analyses: AppUnderTest
) -> None:
    client = with_analyses.client(with_analyses.person(role, **scope))
    assert client.post("/api/v1/test-analyses/2/approve").status_code == status
