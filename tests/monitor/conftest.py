"""Fixtures for the monitor: the Raad and the court signed in on the shared app, and an app on a
database of its own for tests that count (the shared one holds demo mode's invented outcomes)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.conflict_analysis.helpers import Raad
from tests.factories import COURT, OFFICE, another_case, realistic_case
from tests.helpers import AppUnderTest, ClientAs


@pytest.fixture()
def case() -> dict[str, Any]:
    """A fresh copy of the realistic case (procedure started 2024-09-01), to change freely, under
    a case number of its own: an office holds one open analysis per case number."""
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


@pytest.fixture()
def counting(isolated: Callable[..., AppUnderTest]) -> AppUnderTest:
    """An app on an empty database of its own, where tests count: `prepare` does not run there,
    so it holds no invented demo outcomes."""
    return isolated()
