"""An app over a writable copy of the real content, since approving a proposal writes a file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.app import create_app, prepare
from kb.settings import Settings
from tests.helpers import CONTENT, SEARCH, AppUnderTest


@pytest.fixture()
def registry(empty_database: str, tmp_path: Path) -> Iterator[AppUnderTest]:
    """The app over its own copy of the real content, with a database and index of its own."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=empty_database,
        content_dir=content,
        search_dir=SEARCH,
        demo=True,
        password_hashing="CHEAPEST",
        _env_file=None,  # type: ignore[call-arg]
    )
    engine, backend = prepare(settings)
    under_test = AppUnderTest(create_app(settings, engine, backend), engine, settings)
    yield under_test
    under_test.clients.close()
    engine.dispose()
