"""Fixtures for the analysis over HTTP: a realistic case, and the Raad and the court signed in."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import Engine

from kb.access import CurrentUser
from kb.interventions.catalogue import Catalogue
from kb.search.base import SearchBackend
from tests.conflict_analysis.helpers import Direct, Raad
from tests.factories import COURT, OFFICE, TODAY, another_case, realistic_case
from tests.helpers import ClientAs, Person


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


@pytest.fixture()
def direct(
    prepared: tuple[Engine, SearchBackend],
    user_factory: Callable[..., Person],
    kb_catalogue: Catalogue,
) -> Direct:
    """A new investigator of OFFICE, calling the analysis service directly (`Direct`)."""
    person = user_factory("raadsonderzoeker", office=OFFICE)
    user = CurrentUser(id=person.id, username=person.username, role=person.role, office=OFFICE)
    return Direct(prepared[0], user, kb_catalogue)


@pytest.fixture()
def on_a_fixed_day() -> Iterator[None]:
    """The clock at TODAY, ticking (sessions and tokens still age): the summary page is full to
    within a line, and its dates, the children's ages and so the matched help follow the clock.
    Listed before `raad`, so that its accounts sign in on the same clock."""
    with time_machine.travel(dt.datetime.combine(TODAY, dt.time(10), dt.UTC), tick=True):
        yield
