"""Helpers of the analysis tests over HTTP: the API's address, and the Raad and the court."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient

from tests.helpers import ClientAs

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
