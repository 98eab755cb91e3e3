"""Helpers of the analysis tests over HTTP: the API's address, and the Raad and the court."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kb.access import Caller, CurrentUser
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.service import AnalysisService
from kb.interventions.catalogue import Catalogue
from tests.helpers import ClientAs

T = TypeVar("T")

API = "/api/v1/conflict-analyses"


@dataclass
class Raad:
    """One office and court: the investigator, a colleague, the behavioural expert and a judge."""

    investigator: TestClient[Litestar]
    expert: TestClient[Litestar]
    judge: TestClient[Litestar]
    make: ClientAs

    def create(self, body: dict[str, Any]) -> Response:
        return self.investigator.post(API, json=body)

    def created(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.create(body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def submitted(self, body: dict[str, Any]) -> dict[str, Any]:
        """An analysis through the whole workflow: created, submitted, approved (ingediend)."""
        made = self.created(body)
        submit = self.investigator.post(f"{API}/{made['id']}/submit")
        assert submit.status_code == 200, submit.text
        approve = self.expert.post(f"{API}/{made['id']}/approve")
        assert approve.status_code == 200, approve.text
        return dict(approve.json())


@dataclass
class Direct:
    """One investigator's analysis service without HTTP, as concurrent requests use it: each
    call in a session of its own, committed."""

    engine: Engine
    user: CurrentUser
    catalogue: Catalogue

    def service(self, session: Session) -> AnalysisService:
        return AnalysisService(session, Advisor(self.catalogue), Caller(self.user))

    def __call__(self, act: Callable[[AnalysisService], T]) -> T:
        with Session(self.engine) as session:
            result = act(self.service(session))
            session.commit()
        return result
