"""The analysis form: field and cross-field validation, each refusal with a Dutch message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.schemas import (
    AnalysisBody,
)
from kb.errors import InvalidInputError, dutch_field_errors
from kb.vocabulary import COURT_ARRONDISSEMENTS
from tests.factories import TODAY, calm_data, catalogue, child, entry

DELETE = object()


def with_change(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The calm case's data with one value set (or deleted) at `path`."""
    data = calm_data()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def errors_of(data: dict[str, Any], today: dt.date = TODAY) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        AnalysisBody.model_validate(data, context={"today": today})
    return [e.as_dict() for e in dutch_field_errors(caught.value)]


def test_calm_case_is_valid() -> None:
    body = AnalysisBody.model_validate(calm_data(), context={"today": TODAY})
    assert body.children[0].ref == "K1"
    assert body.factors == [] and body.assessment.deviation is None


# Each case: where to change, the new value, the expected error location and a message fragment.
INVALID = [
    pytest.param(
        ("children", 0, "birth_year"),
        2027,
        ["children", 0, "birth_year"],
        "Het geboortejaar ligt in de toekomst.",
        id="future-birth-year",
    ),
    pytest.param(
        ("children", 0, "birth_year"),
        2007,
        ["children", 0, "birth_year"],
        "meer dan 18 jaar",
        id="birth-year-over-18-years-ago",
    ),
    pytest.param(
        ("children", 0, "contact", 0, "refusal_reason"),
        "beinvloed",
        ["children", 0, "contact", 0],
        "hoort alleen bij contact 'weigering' of 'verlies'",
        id="refusal-reason-without-refusal",
    ),
    pytest.param(
        ("conflict", "glasl_step"),
        10,
        ["conflict", "glasl_step"],
        "De Glasl-trede loopt van 1 tot en met 9.",
        id="glasl-10",
    ),
    pytest.param(
        ("conflict", "glasl_step"),
        0,
        ["conflict", "glasl_step"],
        "De Glasl-trede loopt van 1 tot en met 9.",
        id="glasl-0",
    ),
    pytest.param(
        ("children", 0, "ref"),
        "Jan",
        ["children", 0, "ref"],
        "namen van kinderen worden nooit opgeslagen",
        id="child-name-refused",
    ),
    pytest.param(
        ("children", 0, "ref"), "K0", ["children", 0, "ref"], "pseudoniem", id="child-ref-k0"
    ),
    pytest.param(
        ("children", 0, "ref"), "k1", ["children", 0, "ref"], "pseudoniem", id="child-ref-lower"
    ),
    pytest.param(
        ("children",),
        [child("K1"), child("K1", 2012)],
        ["children"],
        "dubbel pseudoniem",
        id="duplicate-child-ref",
    ),
    pytest.param(
        ("parents", 1, "ref"), "A", ["parents"], "A en B, elk één keer", id="duplicate-parent-ref"
    ),
    pytest.param(
        ("parents", 1, "ref"),
        "C",
        ["parents", 1, "ref"],
        "Kies een van: 'A' of 'B'.",
        id="parent-c",
    ),
    pytest.param(
        ("safety", "violence_forms"),
        ["fysiek"],
        ["safety"],
        "passen niet bij partnergeweld 'geen'",
        id="violence-forms-without-violence",
    ),
    pytest.param(
        ("case", "procedure_started_on"),
        "2026-02-01",
        ["case", "procedure_started_on"],
        "Deze datum ligt in de toekomst.",
        id="procedure-in-future",
    ),
    pytest.param(
        ("case", "separated_on"),
        "2026-01-16",
        ["case", "separated_on"],
        "Deze datum ligt in de toekomst.",
        id="separation-in-future",
    ),
    pytest.param(
        ("case", "court"),
        "Rechtbank Atlantis",
        ["case", "court"],
        "Kies een van de elf rechtbanken: Rechtbank Amsterdam, Rechtbank Den Haag",
        id="unknown-court",
    ),
    pytest.param(("children",), [], ["children"], "Geef er minstens 1 op.", id="no-children"),
    pytest.param(
        ("case", "topics"),
        ["omgang", "omgang"],
        ["case", "topics"],
        "maar één keer",
        id="duplicate-topic",
    ),
    pytest.param(("case", "topics"), [], ["case", "topics"], "minstens 1", id="no-topics"),
    pytest.param(
        ("assessment", "deviation"),
        {"advice": "benoemen", "reason": "   "},
        ["assessment", "deviation", "reason"],
        "schrijft op waarom",
        id="deviation-without-reason",
    ),
    pytest.param(
        ("factors",),
        [{"kind": "beschermend", "text": "Oma vangt op", "weight": 4, "source": "oma"}],
        ["factors", 0, "weight"],
        "Mag hoogstens 3 zijn.",
        id="factor-weight-4",
    ),
    pytest.param(
        ("factors",),
        [{"kind": "neutraal", "text": "x", "weight": 1, "source": "y"}],
        ["factors", 0, "kind"],
        "Kies een van: 'beschermend' of 'belemmerend'.",
        id="factor-kind-unknown",
    ),
    pytest.param(
        ("assessment", "statements"),
        [{"text": "Vader haalt te laat op.", "kind": "gerucht", "source": "moeder"}],
        ["assessment", "statements", 0, "kind"],
        "Kies een van: 'feit' of 'mening'.",
        id="statement-kind-unknown",
    ),
    pytest.param(
        ("safety", "partner_violence"),
        "soms",
        ["safety", "partner_violence"],
        "Kies een van: 'geen', 'vermoeden', 'situationeel' of 'dwingende_controle'.",
        id="literal-lists-allowed-values",
    ),
    pytest.param(
        ("case", "name_of_child"),
        "Jan",
        ["case", "name_of_child"],
        "Onbekend veld",
        id="extra-field",
    ),
    pytest.param(
        ("safety", "acute_danger"),
        DELETE,
        ["safety", "acute_danger"],
        "Dit veld is verplicht.",
        id="missing-safety-answer",
    ),
    pytest.param(
        ("children", 0, "birth_year"),
        "twintig",
        ["children", 0, "birth_year"],
        "Moet een geheel getal zijn.",
        id="birth-year-not-a-number",
    ),
    pytest.param(
        ("case", "procedure_started_on"),
        "gisteren",
        ["case", "procedure_started_on"],
        "JJJJ-MM-DD",
        id="date-not-a-date",
    ),
    pytest.param(
        ("safety", "police_involved"),
        "misschien",
        ["safety", "police_involved"],
        "Moet waar of onwaar zijn",
        id="bool-not-a-bool",
    ),
    pytest.param(
        ("children",), "K1", ["children"], "Moet een lijst zijn.", id="children-not-a-list"
    ),
    pytest.param(
        ("case", "earlier_procedures"),
        -1,
        ["case", "earlier_procedures"],
        "Moet minstens 0 zijn.",
        id="negative-earlier-procedures",
    ),
    pytest.param(
        ("case", "case_number"),
        "  ",
        ["case", "case_number"],
        "Mag niet leeg zijn.",
        id="blank-case-number",
    ),
]


@pytest.mark.parametrize(("path", "value", "loc", "message"), INVALID)
def test_invalid_body_is_refused_in_dutch(
    path: tuple[str | int, ...], value: Any, loc: list[str | int], message: str
) -> None:
    errors = errors_of(with_change(path, value))
    assert [e["loc"] for e in errors] == [loc], errors
    assert message in errors[0]["msg"]


def test_messages_never_echo_the_input() -> None:
    """A child's name typed in the wrong place must not travel on in an error message or log."""
    data = with_change(("children", 0, "ref"), "Jan de Vries")
    data["children"][0]["loyalty_conflict"] = "Jan de Vries"
    for error in errors_of(data):
        assert "Jan" not in error["msg"]


def test_messages_are_not_pydantic_english() -> None:
    data = calm_data()
    data["conflict"] = {"glasl_step": "x", "pattern": "?", "extra": 1}
    for error in errors_of(data):
        assert "Input should" not in error["msg"] and "Field required" not in error["msg"]


def test_unknown_court_message_lists_all_eleven() -> None:
    [error] = errors_of(with_change(("case", "court"), "Rechtbank Utrecht"))
    for court in COURT_ARRONDISSEMENTS:
        assert court in error["msg"]


@pytest.mark.parametrize("court", list(COURT_ARRONDISSEMENTS))
def test_every_court_is_accepted(court: str) -> None:
    AnalysisBody.model_validate(with_change(("case", "court"), court), context={"today": TODAY})


@pytest.mark.parametrize(
    ("birth_year", "valid"),
    [
        pytest.param(2026, True, id="born-this-year"),
        pytest.param(2008, True, id="eighteen-by-year"),
        pytest.param(2007, False, id="nineteen-by-year"),
        pytest.param(2027, False, id="next-year"),
    ],
)
def test_birth_year_bounds(birth_year: int, valid: bool) -> None:
    data = with_change(("children", 0, "birth_year"), birth_year)
    if valid:
        AnalysisBody.model_validate(data, context={"today": TODAY})
    else:
        errors_of(data)


def test_today_comes_from_the_context() -> None:
    """The same body is valid or not depending on the evaluation date, not on the clock."""
    data = with_change(("children", 0, "birth_year"), 2026)
    AnalysisBody.model_validate(data, context={"today": TODAY})
    assert errors_of(data, today=dt.date(2025, 12, 31))[0]["loc"] == ["children", 0, "birth_year"]


def test_refusal_reason_with_refusal_is_valid() -> None:
    data = calm_data()
    data["children"][0]["contact"] = [
        {"parent": "A", "status": "weigering", "refusal_reason": "gerechtvaardigd"},
        {"parent": "B", "status": "verlies", "refusal_reason": "onduidelijk"},
    ]
    AnalysisBody.model_validate(data, context={"today": TODAY})


def test_contact_with_one_parent_given_twice_is_refused() -> None:
    data = calm_data()
    data["children"][0]["contact"] = [
        {"parent": "A", "status": "normaal"},
        {"parent": "A", "status": "weerstand"},
    ]
    [error] = errors_of(data)
    assert error["loc"] == ["children", 0, "contact"]


def test_extensions_are_accepted() -> None:
    data = calm_data()
    data["factors"] = [
        {"kind": "beschermend", "text": "Grootouders bieden rust", "weight": 2, "source": "school"}
    ]
    data["assessment"]["statements"] = [
        {"text": "Moeder zegt dat vader dreigt.", "kind": "mening", "source": "moeder"},
        {
            "text": "Politie was op 3 maart ter plaatse.",
            "kind": "feit",
            "source": "politie",
            "other_side_responded": True,
        },
    ]
    data["assessment"]["deviation"] = {"advice": "overwegen", "reason": "Zitting volgt binnenkort."}
    body = AnalysisBody.model_validate(data, context={"today": TODAY})
    assert body.assessment.statements[0].other_side_responded is None
    assert body.assessment.deviation is not None


def test_tried_help_must_be_in_the_knowledge_base() -> None:
    data = calm_data()
    data["interventions_tried"] = [
        {"slug": "kinderen-uit-de-knel", "outcome": "lopend"},
        {"slug": "wondermiddel", "outcome": "geweigerd"},
    ]
    known = Advisor(catalogue(entry("kinderen-uit-de-knel"), entry("kies")), lambda: TODAY)
    with pytest.raises(InvalidInputError) as caught:
        known.parse(data)
    assert [e.as_dict() for e in caught.value.errors] == [
        {
            "loc": ["interventions_tried", 1, "slug"],
            "msg": "Onbekende interventie 'wondermiddel': kies een item uit de kennisbank.",
        }
    ]
    both = Advisor(catalogue(entry("kinderen-uit-de-knel"), entry("wondermiddel")), lambda: TODAY)
    assert len(both.parse(data).interventions_tried) == 2
