"""Fixtures for the analysis over HTTP: a realistic case, and the Raad and the court signed in."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.conflict_analysis.helpers import Raad
from tests.factories import COURT, OFFICE, another_case, realistic_case
from tests.helpers import ClientAs


@pytest.fixture()
def case() -> dict[str, Any]:
    """A fresh copy of the realistic case, to change freely, as a case of its own: the app and
    its database live for the whole session, and an office holds one open analysis per case."""
    return another_case(copy.deepcopy(realistic_case()))


@pytest.fixture()
def raad(client_as: ClientAs) -> Raad:
    """An investigator, a behavioural expert (same office) and a judge (same court), signed in."""
    return Raad(
        investigator=client_as("raadsonderzoeker", office=OFFICE),
        expert=client_as("gedragsdeskundige", office=OFFICE),
        judge=client_as("rechter", court=COURT),
        make=client_as,
    )
