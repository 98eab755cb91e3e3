"""The municipality register: every name resolves, aliases lead to today's municipality, typos
get suggestions, and the arrondissements follow the Wet op de rechterlijke indeling."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from kb.auth.schemas import parse_new_account
from kb.errors import InvalidInputError, UnknownNameError
from kb.regions import data_dir, fold, provider_area, register
from kb.vocabulary import ARRONDISSEMENTS, PROVINCES


def _rows(name: str) -> list[dict[str, str]]:
    text = (data_dir() / name).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


MUNICIPALITIES = _rows("municipalities.csv")
ALIASES = _rows("aliases.csv")


def test_the_list_holds_every_municipality_of_2023_once() -> None:
    codes = [row["code"] for row in MUNICIPALITIES]
    assert len(codes) == 342
    assert len(set(codes)) == len(codes)
    assert len({fold(row["name"]) for row in MUNICIPALITIES}) == len(codes)


def test_every_province_and_arrondissement_is_a_known_code() -> None:
    assert {row["province"] for row in MUNICIPALITIES} == set(PROVINCES)
    assert {row["arrondissement"] for row in MUNICIPALITIES} == set(ARRONDISSEMENTS)


@pytest.mark.parametrize("row", MUNICIPALITIES, ids=lambda row: row["name"])
def test_every_municipality_in_the_list_resolves(row: dict[str, str]) -> None:
    found = register().resolve(row["name"])
    assert (found.code, found.province, found.arrondissement) == (
        row["code"],
        row["province"],
        row["arrondissement"],
    )
    assert found.court == f"Rechtbank {row['arrondissement']}"


@pytest.mark.parametrize("row", ALIASES, ids=lambda row: row["alias"])
def test_every_alias_leads_to_its_municipalities(row: dict[str, str]) -> None:
    expected = row["municipalities"].split(";")
    assert [m.name for m in register().candidates(row["alias"])] == expected
    if len(expected) == 1:
        assert register().resolve(row["alias"]).name == expected[0]
    else:  # a divided municipality: asked which one is meant
        with pytest.raises(UnknownNameError) as raised:
            register().resolve(row["alias"])
        assert raised.value.did_you_mean == expected


@pytest.mark.parametrize(
    ("typed", "name", "arrondissement"),
    [
        pytest.param("Middelburg", "Middelburg", "Zeeland-West-Brabant", id="middelburg"),
        pytest.param("Weesp", "Amsterdam", "Amsterdam", id="weesp-merged-into-amsterdam"),
        pytest.param("Den Haag", "'s-Gravenhage", "Den Haag", id="den-haag"),
        pytest.param("s-Gravenhage", "'s-Gravenhage", "Den Haag", id="gravenhage-no-apostrophe"),
        pytest.param("Den Bosch", "'s-Hertogenbosch", "Oost-Brabant", id="den-bosch"),
        pytest.param("Sudwest-Fryslan", "Súdwest-Fryslân", "Noord-Nederland", id="no-accents"),
        pytest.param("SÚDWEST FRYSLÂN", "Súdwest-Fryslân", "Noord-Nederland", id="upper-spaces"),
        pytest.param("gemeente Ede", "Ede", "Gelderland", id="gemeente-prefix"),
        pytest.param("Hengelo (O.)", "Hengelo", "Overijssel", id="cbs-name"),
        pytest.param("Almere", "Almere", "Midden-Nederland", id="flevoland-midden-nederland"),
        pytest.param("Hilversum", "Hilversum", "Midden-Nederland", id="gooi-midden-nederland"),
        pytest.param("Haarlem", "Haarlem", "Noord-Holland", id="noord-holland"),
        pytest.param("Uithoorn", "Uithoorn", "Amsterdam", id="amsterdam-district"),
        pytest.param("Dordrecht", "Dordrecht", "Rotterdam", id="zuid-holland-rotterdam"),
        pytest.param("Leiden", "Leiden", "Den Haag", id="zuid-holland-den-haag"),
        pytest.param("Tilburg", "Tilburg", "Zeeland-West-Brabant", id="west-brabant"),
        pytest.param("Eindhoven", "Eindhoven", "Oost-Brabant", id="oost-brabant"),
        pytest.param("Land van Cuijk", "Land van Cuijk", "Oost-Brabant", id="merged-2022"),
        pytest.param("Voorne aan Zee", "Voorne aan Zee", "Rotterdam", id="merged-2023"),
    ],
)
def test_names_resolve_to_their_municipality_and_district(
    typed: str, name: str, arrondissement: str
) -> None:
    found = register().resolve(typed)
    assert (found.name, found.arrondissement) == (name, arrondissement)


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        pytest.param("Utreht", "Utrecht", id="utreht"),
        pytest.param("Rotterdm", "Rotterdam", id="rotterdm"),
        pytest.param("Midelburg", "Middelburg", id="midelburg"),
        pytest.param("Groningn", "Groningen", id="groningn"),
    ],
)
def test_an_unknown_name_is_refused_with_suggestions(typed: str, suggested: str) -> None:
    with pytest.raises(UnknownNameError) as raised:
        register().resolve(typed)
    assert raised.value.did_you_mean[0] == suggested
    assert f"Bedoelde u {suggested}" in raised.value.detail
    assert typed not in raised.value.detail  # what was typed is never echoed


def test_a_name_like_nothing_gets_no_suggestions_but_a_dutch_message() -> None:
    with pytest.raises(UnknownNameError) as raised:
        register().resolve("Xqzwv")
    assert raised.value.did_you_mean == []
    assert "kennen wij niet" in raised.value.detail


@pytest.mark.parametrize(
    ("query", "first"),
    [
        pytest.param("utr", "Utrecht", id="prefix"),
        pytest.param("Utreh", "Utrecht", id="prefix-with-typo"),
        pytest.param("fryslan", "Noardeast-Fryslân", id="word-prefix"),
        pytest.param("den haag", "'s-Gravenhage", id="alias"),
        pytest.param("Amsterdm", "Amsterdam", id="typo"),
    ],
)
def test_search_finds_by_prefix_and_despite_typos(query: str, first: str) -> None:
    found = register().search(query)
    assert found[0].name == first
    assert len(found) <= 20


def test_search_gives_at_most_twenty() -> None:
    assert len(register().search("a")) == 20


def test_arrondissement_sizes_follow_the_law() -> None:
    counts = Counter(m.arrondissement for m in register())
    # Amsterdam: Aalsmeer, Amstelveen, Amsterdam (with Weesp), Diemen, Ouder-Amstel, Uithoorn.
    assert counts["Amsterdam"] == 6
    # Flevoland (6) and Utrecht (26) plus Blaricum, Gooise Meren, Hilversum, Huizen, Laren and
    # Wijdemeren.
    assert counts["Midden-Nederland"] == 38
    assert counts["Zeeland-West-Brabant"] == 13 + 24


@pytest.mark.parametrize(
    ("municipalities", "province", "arrondissement", "inside", "outside"),
    [
        pytest.param([], "Zeeland", "Zeeland-West-Brabant", "Middelburg", "Breda", id="province"),
        pytest.param([], None, "Zeeland-West-Brabant", "Breda", "Rotterdam", id="arrondissement"),
        pytest.param(["Den Haag", "Delft"], None, "Den Haag", "Delft", "Leiden", id="named"),
        pytest.param([], "Friesland", None, "Leeuwarden", "Groningen", id="province-alias"),
    ],
)
def test_a_provider_serves_the_most_precise_place_it_names(
    municipalities: list[str],
    province: str | None,
    arrondissement: str | None,
    inside: str,
    outside: str,
) -> None:
    area = {m.name for m in provider_area(municipalities, province, arrondissement)}
    assert inside in area
    assert outside not in area


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        pytest.param("Delft", "Delft", id="official"),
        pytest.param("den haag", "'s-Gravenhage", id="alias"),
        pytest.param("Weesp", "Amsterdam", id="merged"),
    ],
)
def test_a_desk_account_keeps_its_municipality_by_the_official_name(
    typed: str, stored: str
) -> None:
    account = parse_new_account(
        {
            "username": "loket",
            "role": "loketmedewerker",
            "password": "lang genoeg wachtwoord",
            "municipality": typed,
        }
    )
    assert account.municipality == stored


def test_a_desk_account_with_an_unknown_municipality_is_refused_with_a_suggestion() -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_new_account(
            {
                "username": "loket",
                "role": "loketmedewerker",
                "password": "lang genoeg wachtwoord",
                "municipality": "Utreht",
            }
        )
    [error] = caught.value.errors
    assert error.loc == ("municipality",)
    assert "Bedoelde u Utrecht" in error.msg
