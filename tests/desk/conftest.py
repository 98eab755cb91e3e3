"""Fixtures for the desk tests: the knowledge base's entries as the guide sees them."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from kb.conflict_analysis.matching import CandidateEntry
from kb.desk.service import DeskService
from kb.interventions.schemas import SearchItem
from kb.search.base import SearchBackend


@pytest.fixture(scope="session")
def desk(prepared: tuple[Engine, SearchBackend]) -> DeskService:
    """The desk service over the real content, without a database session: the guide needs none."""
    return DeskService(prepared[1])


@pytest.fixture(scope="session")
def kb_items(desk: DeskService) -> dict[str, SearchItem]:
    """Every entry of the real knowledge base, by slug, to check what the pages show."""
    return {item.slug: item for item in desk.all_items()}


@pytest.fixture(scope="session")
def candidates(kb_items: dict[str, SearchItem]) -> list[CandidateEntry]:
    """The real entries as matching candidates, as the conflict analysis builds them."""
    return [CandidateEntry.from_search_item(item) for item in kb_items.values()]
