"""The regions API (contracts.md, Regions) on both databases: search by prefix and despite typos,
one municipality, and a 404 problem with suggestions for an unknown name."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient

PATH = "/api/v1/regions/municipalities"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        pytest.param("Middel", "Middelburg", id="prefix"),
        pytest.param("Utreht", "Utrecht", id="typo"),
        pytest.param("Weesp", "Amsterdam", id="old-name"),
        pytest.param("den bosch", "'s-Hertogenbosch", id="alias"),
    ],
)
def test_search_finds_municipalities_with_their_court(
    client: TestClient[Litestar], query: str, first: str
) -> None:
    response = client.get(PATH, params={"q": query})
    assert response.status_code == 200
    items = response.json()["items"]
    assert items[0]["name"] == first
    assert set(items[0]) == {"name", "province", "arrondissement", "court"}
    assert items[0]["court"] == f"Rechtbank {items[0]['arrondissement']}"
    assert len(items) <= 20


def test_search_gives_at_most_twenty(client: TestClient[Litestar]) -> None:
    assert len(client.get(PATH, params={"q": "b"}).json()["items"]) == 20


def test_one_municipality(client: TestClient[Litestar]) -> None:
    response = client.get(f"{PATH}/Middelburg")
    assert response.status_code == 200
    assert response.json() == {
        "name": "Middelburg",
        "province": "Zeeland",
        "arrondissement": "Zeeland-West-Brabant",
        "court": "Rechtbank Zeeland-West-Brabant",
    }


@pytest.mark.parametrize(
    ("name", "suggestions"),
    [
        pytest.param("Utreht", ["Utrecht"], id="typo"),
        pytest.param("Haaren", ["Boxtel", "Oisterwijk", "Tilburg", "Vught"], id="divided"),
        pytest.param("Xqzwv", [], id="nothing-alike"),
    ],
)
def test_an_unknown_name_is_a_404_problem_with_did_you_mean(
    client: TestClient[Litestar], name: str, suggestions: list[str]
) -> None:
    response = client.get(f"{PATH}/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["did_you_mean"][: len(suggestions)] == suggestions
    assert "kennen wij niet" in problem["detail"]
