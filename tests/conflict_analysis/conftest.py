"""Fixtures for the analysis over HTTP: a realistic case, and the Raad and the court signed in."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import Response
from litestar import Litestar
from litestar.testing import TestClient

from tests.browser.conftest import live_url  # noqa: F401  (the app served by uvicorn)
from tests.conftest import ClientAs
from tests.factories import COURT, OFFICE, realistic_case

API = "/api/v1/conflict-analyses"


@pytest.fixture()
def case() -> dict[str, Any]:
    """A fresh copy of the realistic case, to change freely."""
    return copy.deepcopy(realistic_case())


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


@pytest.fixture()
def raad(client_as: ClientAs) -> Raad:
    """An investigator, a behavioural expert (same office) and a judge (same court), signed in."""
    return Raad(
        investigator=client_as("raadsonderzoeker", office=OFFICE),
        expert=client_as("gedragsdeskundige", office=OFFICE),
        judge=client_as("rechter", court=COURT),
        make=client_as,
    )
