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

API = "/api/v1/conflict-analyses"
OFFICE = "Raad Amsterdam"
COURT = "Rechtbank Amsterdam"


def realistic_case() -> dict[str, Any]:
    """A high-conflict case at Glasl step 6: coercive control suspected, one child refusing
    contact, two earlier procedures, help that failed. Valid on any date until 2034."""
    return {
        "case": {
            "case_number": "C/13/745123 / FA RK 25-5120",
            "court": COURT,
            "topics": ["omgang", "hoofdverblijf"],
            "procedure_started_on": "2024-09-01",
            "earlier_procedures": 2,
            "separated_on": "2024-03-01",
        },
        "safety": {
            "partner_violence": "dwingende_controle",
            "violence_forms": ["psychisch", "dwingende_controle"],
            "child_abuse": "geen",
            "child_witnessed_violence": False,
            "veilig_thuis_reports": 1,
            "police_involved": False,
            "protective_measures": [],
            "lethality_indicators": [],
            "acute_danger": False,
        },
        "conflict": {
            "glasl_step": 6,
            "pattern": "eenzijdig",
            "child_drawn_in": True,
            "network_escalates": True,
            "communication": "via_derden",
            "agreements_kept": "nee",
        },
        "children": [
            {
                "ref": "K1",
                "birth_year": 2015,
                "heard": True,
                "heard_by": ["raad"],
                "own_words": "Ik wil gewoon dat ze ophouden met ruzie maken.",
                "wants_representation": False,
                "loyalty_conflict": "duidelijk",
                "stress_signals": ["slapen", "school"],
                "development_threatened": "mogelijk",
                "contact": [
                    {"parent": "A", "status": "normaal"},
                    {"parent": "B", "status": "weigering", "refusal_reason": "onduidelijk"},
                ],
            },
            {
                "ref": "K2",
                "birth_year": 2020,
                "heard": False,
                "heard_by": [],
                "wants_representation": False,
                "loyalty_conflict": "vermoed",
                "stress_signals": [],
                "development_threatened": "nee",
                "contact": [
                    {"parent": "A", "status": "normaal"},
                    {"parent": "B", "status": "weerstand"},
                ],
            },
        ],
        "parents": [
            {
                "ref": "A",
                "has_authority": True,
                "concerns": [],
                "accepts_help": True,
                "supports_other_parent": True,
            },
            {
                "ref": "B",
                "has_authority": True,
                "concerns": ["psychisch"],
                "accepts_help": False,
                "supports_other_parent": False,
            },
        ],
        "interventions_tried": [{"slug": "ouderschap-blijft", "outcome": "voortijdig_gestopt"}],
        "factors": [
            {
                "kind": "beschermend",
                "text": "Grootmoeder van moederskant is een stabiele steunfiguur",
                "weight": 2,
                "source": "gesprek met K1",
            },
            {
                "kind": "belemmerend",
                "text": "Ouder B zet het netwerk in tegen ouder A",
                "weight": 3,
                "source": "gesprekken met beide ouders",
            },
        ],
        "assessment": {
            "child_interest_at_stake": "ja",
            "summary": "K1 zit klem tussen de ouders; de veiligheid vraagt eerst aandacht.",
            "statements": [
                {
                    "text": "K1 weigert sinds maart het contact met ouder B.",
                    "kind": "feit",
                    "source": "omgangsregistratie",
                    "other_side_responded": True,
                },
                {
                    "text": "Ouder B lijkt K1 onder druk te zetten.",
                    "kind": "mening",
                    "source": "raadsonderzoeker",
                    "other_side_responded": False,
                },
            ],
        },
    }


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
