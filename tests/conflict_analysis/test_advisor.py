"""The advisor: a body checked against the knowledge base and storage, and its advice computed."""

from __future__ import annotations

import pytest

from kb.conflict_analysis.advisor import Advisor
from kb.errors import InvalidInputError
from tests.factories import TODAY, calm_data, catalogue, entry


def test_a_nul_character_is_a_field_error_where_it_was_typed() -> None:
    """PostgreSQL keeps no NUL in JSON text: the answer names the field, and nothing is stored."""
    data = calm_data()
    data["assessment"]["summary"] = "Ouders overleggen\x00 zelf."
    data["children"][0]["heard_by"] = ["raad", "rech\x00ter"]
    with pytest.raises(InvalidInputError) as caught:
        Advisor(catalogue(entry("kies")), lambda: TODAY).parse(data)
    assert {e.loc for e in caught.value.errors} == {
        ("assessment", "summary"),
        ("children", 0, "heard_by", 1),
    }


def test_a_body_without_nul_characters_passes() -> None:
    body = Advisor(catalogue(entry("kies")), lambda: TODAY).parse(calm_data())
    assert body.assessment.summary == "Ouders overleggen zelf."
