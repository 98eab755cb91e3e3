"""Fixtures for the monitor: the Raad and the court signed in on the shared app, and an app on a
database of its own for tests that count (the shared one holds demo mode's invented outcomes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

# The same case and Raad as the analysis tests: one definition, used in both packages.
from tests.conflict_analysis.conftest import case, raad  # noqa: F401
from tests.helpers import AppUnderTest


@pytest.fixture()
def counting(isolated: Callable[..., AppUnderTest]) -> AppUnderTest:
    """An app on an empty database of its own, where tests count: `prepare` does not run there,
    so it holds no invented demo outcomes."""
    return isolated()
