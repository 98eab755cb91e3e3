"""docs/operations.md's settings reference is the settings class, complete and current."""

from __future__ import annotations

from kb.operations.reference import rewrite, settings_table
from kb.settings import Settings
from tests.helpers import REPO

DOCUMENT = REPO / "docs" / "operations.md"


def test_the_settings_reference_is_generated_and_current() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert rewrite(text) == text, "run: python -m kb.operations.reference docs/operations.md"


def test_the_reference_names_every_setting() -> None:
    table = settings_table()
    assert all(f"`KB_{name.upper()}`" in table for name in Settings.model_fields)
