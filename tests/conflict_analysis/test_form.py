"""The flat HTML form ↔ the nested body, and each error placed on the field it is about."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from kb.conflict_analysis.form import (
    CHILD_SLOTS,
    AnalysisForm,
    body_from_values,
    form_errors,
    values_from_body,
)
from kb.conflict_analysis.schemas import AnalysisBody
from kb.errors import dutch_field_errors
from tests.factories import TODAY, realistic_case


def validate(body: dict[str, Any]) -> AnalysisBody:
    return AnalysisBody.model_validate(body, context={"today": TODAY})


def placed(values: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    body, slots = body_from_values(values)
    with pytest.raises(ValidationError) as caught:
        validate(body)
    return [
        (e.name, e.label, e.msg)
        for e in form_errors([e.as_dict() for e in dutch_field_errors(caught.value)], slots)
    ]


def test_a_body_survives_the_form_both_ways() -> None:
    original = validate(realistic_case())
    values = values_from_body(original.model_dump(mode="json"))
    body, _ = body_from_values(values)
    assert validate(body) == original


def test_the_form_uses_words_not_json() -> None:
    values = values_from_body(realistic_case())
    assert values["safety.child_witnessed_violence"] == ["nee"]
    assert values["case.topics"] == ["omgang", "hoofdverblijf"]
    assert values["children.0.stress_signals"] == ["slapen", "school"]
    assert values["children.0.contact.B.refusal_reason"] == ["onduidelijk"]
    assert values["parents.B.concerns"] == ["psychisch"]
    assert values["assessment.statements.1.other_side_responded"] == ["nee"]


def test_empty_slots_are_left_out_and_filled_ones_keep_their_place() -> None:
    values = values_from_body(realistic_case())
    # Move the first child to the third block on the page; leave the first two empty.
    moved = {
        k.replace("children.0.", "children.2.", 1): v
        for k, v in values.items()
        if not k.startswith("children.1.")
    }
    moved["children.2.birth_year"] = ["2040"]
    errors = placed(moved)
    assert errors == [
        ("children.2.birth_year", "Kind 3, geboortejaar", "Het geboortejaar ligt in de toekomst.")
    ]


def test_a_cross_field_error_lands_on_its_block() -> None:
    values = values_from_body(realistic_case())
    values["children.1.contact.A.refusal_reason"] = ["beinvloed"]  # but contact is "normaal"
    [(name, label, msg)] = placed(values)
    assert name == "children.1.contact.A"
    assert label == "Kind 2, contact met ouder A"
    assert "hoort alleen bij contact" in msg


def test_missing_fields_are_named_in_dutch() -> None:
    values = values_from_body(realistic_case())
    del values["safety.acute_danger"]
    del values["parents.B.accepts_help"]
    del values["assessment.statements.0.source"]
    assert placed(values) == [
        ("safety.acute_danger", "Veiligheid, acuut gevaar", "Dit veld is verplicht."),
        ("parents.B.accepts_help", "Ouder B, aanvaardt hulp", "Dit veld is verplicht."),
        (
            "assessment.statements.0.source",
            "Afweging, Uitspraak 1, bron",
            "Dit veld is verplicht.",
        ),
    ]


def test_an_empty_form_asks_for_children_and_parents() -> None:
    names = {name for name, _, _ in placed({})}
    assert {"children", "parents", "case.case_number", "safety.partner_violence"} <= names


def test_a_bad_value_in_a_list_belongs_to_the_list_field() -> None:
    values = values_from_body(realistic_case())
    values["case.topics"] = ["omgang", "voetbal"]
    [(name, label, msg)] = placed(values)
    assert (name, label) == ("case.topics", "Zaak en procedure, onderwerpen")
    assert msg.startswith("Kies een van:")


def test_a_yes_no_field_with_another_answer_is_refused_in_dutch() -> None:
    values = values_from_body(realistic_case())
    values["safety.police_involved"] = ["misschien"]
    assert placed(values) == [
        (
            "safety.police_involved",
            "Veiligheid, politie betrokken",
            "Moet waar of onwaar zijn (true/false).",
        )
    ]


def test_a_deviation_without_reason_is_placed_at_the_reason() -> None:
    values = values_from_body(realistic_case())
    values["assessment.deviation.advice"] = ["niet_nodig"]
    assert placed(values) == [
        (
            "assessment.deviation.reason",
            "Afweging, Afwijking van het advies, reden van afwijken",
            "Wie van het berekende advies afwijkt, schrijft op waarom.",
        )
    ]


def test_there_is_always_an_empty_block_for_one_more_child() -> None:
    assert AnalysisForm().child_slots() == list(range(CHILD_SLOTS))
    values = {f"children.{i}.ref": [f"K{i + 1}"] for i in range(CHILD_SLOTS)}
    assert AnalysisForm(values).child_slots() == list(range(CHILD_SLOTS + 1))


def test_control_fields_and_absurd_slot_numbers_are_ignored() -> None:
    values = values_from_body(realistic_case())
    values["children.999.ref"] = ["K9"]
    body, _ = body_from_values(values)
    assert [c["ref"] for c in body["children"]] == ["K1", "K2"]


def test_slot_numbers_must_be_ascii_digits() -> None:
    values = values_from_body(realistic_case())
    values["children.².ref"] = ["K3"]  # "²".isdigit() is true; int("²") fails
    values["children.٣.ref"] = ["K4"]  # an Arabic-Indic three
    body, _ = body_from_values(values)
    assert [c["ref"] for c in body["children"]] == ["K1", "K2"]
