"""Every setting is documented in the README's configuration table (Datasette's habit)."""

from __future__ import annotations

import re

from kb.settings import Settings
from tests.helpers import REPO


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = {m.group(1) for m in re.finditer(r"^\| `(KB_[A-Z_]+)` \|", readme, re.MULTILINE)}
    expected = {f"KB_{name.upper()}" for name in Settings.model_fields}
    assert expected <= table, f"missing from README: {sorted(expected - table)}"


def test_every_setting_has_a_description() -> None:
    assert all(field.description for field in Settings.model_fields.values())
