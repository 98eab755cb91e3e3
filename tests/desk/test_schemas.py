"""Parsing the desk forms: every bad answer is a Dutch message on the field it belongs to."""

from __future__ import annotations

from typing import Any

import pytest

from kb.desk.schemas import GuideAnswers, Place, parse_slugs
from kb.errors import InvalidInputError

VALID = {"leeftijden": "5", "omgang": "rustig", "veiligheid": "nee", "gemeente": ""}


def fields_in_error(call: Any) -> set[str]:
    with pytest.raises(InvalidInputError) as caught:
        call()
    assert caught.value.errors, "an error without field errors cannot be shown at a field"
    assert all(e.msg and e.loc[0] == "form" for e in caught.value.errors)
    return {str(e.loc[-1]) for e in caught.value.errors}


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        pytest.param("5", (5,), id="one"),
        pytest.param("5, 9", (5, 9), id="comma"),
        pytest.param("5 en 9 jaar", (5, 9), id="words"),
        pytest.param(" 0;12 / 17 ", (0, 12, 17), id="other-separators"),
        pytest.param("3 jr", (3,), id="abbreviation"),
    ],
)
def test_ages_are_read_as_parents_write_them(text: str, ages: tuple[int, ...]) -> None:
    assert GuideAnswers.parse(VALID | {"leeftijden": text}).ages == ages


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"leeftijden": ""}, "leeftijden", id="no-age"),
        pytest.param({"leeftijden": "vijf"}, "leeftijden", id="age-in-words"),
        pytest.param({"leeftijden": "-3"}, "leeftijden", id="negative"),
        pytest.param({"leeftijden": "5.5"}, "leeftijden", id="decimal"),
        pytest.param({"leeftijden": "30"}, "leeftijden", id="too-old"),
        pytest.param({"leeftijden": "²"}, "leeftijden", id="superscript-digit"),
        pytest.param({"leeftijden": "5" * 5000}, "leeftijden", id="huge-number"),
        pytest.param({"leeftijden": ", ".join(["4"] * 11)}, "leeftijden", id="too-many"),
        pytest.param({"omgang": ""}, "omgang", id="no-communication"),
        pytest.param({"omgang": "ruzie"}, "omgang", id="unknown-communication"),
        pytest.param({"veiligheid": ""}, "veiligheid", id="no-safety-answer"),
        pytest.param({"veiligheid": "misschien"}, "veiligheid", id="unknown-safety-answer"),
        pytest.param({"gemeente": "Postbus 12"}, "gemeente", id="digits-in-place"),
        pytest.param({"gemeente": "<script>"}, "gemeente", id="markup-in-place"),
        pytest.param({"gemeente": "x" * 101}, "gemeente", id="place-too-long"),
    ],
)
def test_bad_guide_answers_name_their_field(changes: dict[str, str], field: str) -> None:
    assert fields_in_error(lambda: GuideAnswers.parse(VALID | changes)) == {field}


def test_an_empty_guide_form_names_every_required_field() -> None:
    assert fields_in_error(lambda: GuideAnswers.parse({})) == {"leeftijden", "omgang", "veiligheid"}


@pytest.mark.parametrize(
    ("answer", "unsafe", "acute"),
    [
        pytest.param("nee", False, False, id="safe"),
        pytest.param("twijfel", True, False, id="doubt-counts-as-unsafe"),
        pytest.param("ja", True, False, id="unsafe"),
        pytest.param("nu_gevaar", True, True, id="acute"),
    ],
)
def test_every_answer_but_no_signals_unsafety(answer: str, unsafe: bool, acute: bool) -> None:
    answers = GuideAnswers.parse(VALID | {"veiligheid": answer})
    assert (answers.unsafe, answers.acute) == (unsafe, acute)


@pytest.mark.parametrize(("talk", "phase"), [("rustig", 1), ("moeizaam", 2), ("geen_contact", 3)])
def test_how_parents_talk_gives_the_glasl_phase(talk: str, phase: int) -> None:
    assert GuideAnswers.parse(VALID | {"omgang": talk}).glasl_phase == phase


@pytest.mark.parametrize(
    ("name", "official"),
    [
        pytest.param("Rotterdam", "Rotterdam", id="rotterdam"),
        pytest.param("'s-Hertogenbosch", "'s-Hertogenbosch", id="apostrophe"),
        pytest.param("Súdwest-Fryslân", "Súdwest-Fryslân", id="accents"),
        pytest.param("Sudwest-Fryslan", "Súdwest-Fryslân", id="no-accents"),
        pytest.param("Bergen (NH.)", "Bergen (NH.)", id="brackets"),
        pytest.param("Den Haag", "'s-Gravenhage", id="den-haag"),
        pytest.param("Weesp", "Amsterdam", id="merged"),
    ],
)
def test_real_place_names_are_accepted_as_the_official_name(name: str, official: str) -> None:
    assert GuideAnswers.parse(VALID | {"gemeente": name}).municipality == official
    place = Place.parse({"gemeente": name})
    assert place is not None and place.municipality is not None
    assert (place.kind, place.name, place.municipality.name) == ("gemeente", official, official)


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [pytest.param("Utreht", "Utrecht", id="utreht"), pytest.param("Zwole", "Zwolle", id="zwole")],
)
def test_an_unknown_municipality_is_refused_with_a_suggestion(typed: str, suggested: str) -> None:
    for parse in (
        lambda: GuideAnswers.parse(VALID | {"gemeente": typed}),
        lambda: Place.parse({"gemeente": typed}),
    ):
        with pytest.raises(InvalidInputError) as caught:
            parse()
        assert caught.value.errors[0].loc == ("form", "gemeente")
        assert f"Bedoelde u {suggested}" in caught.value.errors[0].msg


def test_no_place_chosen_is_not_an_error() -> None:
    assert Place.parse({}) is None
    assert Place.parse({"gemeente": " ", "provincie": ""}) is None


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        pytest.param({"gemeente": "Rotterdam", "provincie": "Zeeland"}, "gemeente", id="two"),
        pytest.param({"provincie": "Brabant"}, "provincie", id="unknown-province"),
        pytest.param({"arrondissement": "Utrecht"}, "arrondissement", id="unknown-district"),
        pytest.param({"gemeente": "1234 AB"}, "gemeente", id="postcode"),
    ],
)
def test_bad_places_name_their_field(raw: dict[str, str], field: str) -> None:
    assert field in fields_in_error(lambda: Place.parse(raw))


def test_chosen_slugs_keep_their_order_once_each() -> None:
    assert parse_slugs(["kies", " kies", "dappere-dinos", ""], 2, 4, "om te vergelijken") == [
        "kies",
        "dappere-dinos",
    ]


@pytest.mark.parametrize(
    "slugs",
    [
        pytest.param([], id="none"),
        pytest.param(["kies"], id="one"),
        pytest.param(["a", "b", "c", "d", "e"], id="five"),
        pytest.param(["kies", "../etc/passwd"], id="not-a-slug"),
    ],
)
def test_compare_needs_two_to_four_real_slugs(slugs: list[str]) -> None:
    assert fields_in_error(lambda: parse_slugs(slugs, 2, 4, "om te vergelijken")) == {"slug"}
