"""Fixtures for the desk tests: the knowledge base's entries as the guide sees them."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from kb.desk.service import DeskService
from kb.interventions.catalogue import Catalogue
from kb.interventions.schemas import Entry


@pytest.fixture(scope="session")
def desk(kb_catalogue: Catalogue) -> DeskService:
    """The desk service over the real content: it reads the catalogue and nothing else."""
    return DeskService(kb_catalogue)


@pytest.fixture(scope="session")
def kb_items(kb_catalogue: Catalogue) -> Mapping[str, Entry]:
    """Every entry of the real knowledge base, by slug, to check what the pages show."""
    return kb_catalogue.by_slug
