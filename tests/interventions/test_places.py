"""Places in the knowledge base (domain.md §9.1–9.2), on both databases: the search's
`municipality` filter resolves the name and finds help named for its province or arrondissement,
an unknown name asks "Bedoelde u …?", and help that cannot be had in the Netherlands says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient

from kb.errors import ContentError
from kb.interventions.loader import load_entries

Client = TestClient[Litestar]
API = "/api/v1/interventions"
ZEELAND_DESK = "kind-in-scheiding-zeeland"
ROTTERDAM_DESK = "scheidingsloket-rotterdam"


def _slugs(client: Client, municipality: str) -> set[str]:
    response = client.get(API, params={"municipality": municipality, "per_page": 100})
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert all(i["national"] or i["slug"] for i in items)
    return {i["slug"] for i in items}


@pytest.mark.parametrize(
    ("municipality", "found", "not_found"),
    [
        # Zeeland's desk names the province, not Middelburg: the list knows where it lies.
        pytest.param("Middelburg", ZEELAND_DESK, ROTTERDAM_DESK, id="middelburg-finds-zeeland"),
        pytest.param("Rotterdam", ROTTERDAM_DESK, ZEELAND_DESK, id="rotterdam-not-zeeland"),
        # The Gezinsadvocaat names the Hart van Brabant municipalities: Tilburg, not Breda.
        pytest.param("Tilburg", "de-gezinsadvocaat", ZEELAND_DESK, id="tilburg-not-zeeland"),
        pytest.param("Breda", "kindgesprek", "de-gezinsadvocaat", id="breda-not-hart-van-brabant"),
        pytest.param(
            "Den Haag", "kenniscentrum-kind-en-scheiding-haaglanden", ZEELAND_DESK, id="alias"
        ),
        pytest.param("Vlissingen", ZEELAND_DESK, ROTTERDAM_DESK, id="vlissingen"),
    ],
)
def test_the_municipality_filter_finds_help_for_the_place(
    client: Client, municipality: str, found: str, not_found: str
) -> None:
    slugs = _slugs(client, municipality)
    assert found in slugs
    assert not_found not in slugs
    assert "kindgesprek" in slugs  # national help matches every place


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        pytest.param("Utreht", "Utrecht", id="utreht"),
        pytest.param("Midelburg", "Middelburg", id="midelburg"),
    ],
)
def test_an_unknown_municipality_is_a_422_with_did_you_mean(
    client: Client, typed: str, suggested: str
) -> None:
    response = client.get(API, params={"municipality": typed})
    assert response.status_code == 422
    problem = response.json()
    assert problem["did_you_mean"][0] == suggested
    [error] = problem["errors"]
    assert error["loc"] == ["query", "municipality"]
    assert f"Bedoelde u {suggested}" in error["msg"]


def test_the_search_page_asks_bedoelde_u_with_a_link(client: Client) -> None:
    response = client.get(
        "/interventies",
        params={"municipality": "Utreht", "q": "ouders"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    link = page.select_one(".did-you-mean a")
    assert link is not None and link.get_text(strip=True) == "Utrecht"
    href = str(link["href"])
    assert "municipality=Utrecht" in href and "q=ouders" in href
    assert client.get(href, headers={"Accept": "text/html"}).status_code == 200


def test_an_old_name_is_searched_as_todays_municipality(client: Client) -> None:
    assert _slugs(client, "Weesp") == _slugs(client, "Amsterdam")


def test_help_not_in_the_netherlands_says_so_in_the_api_and_on_its_page(client: Client) -> None:
    entry = client.get(f"{API}/new-beginnings-program").json()
    assert entry["available_in_nl"] is False
    assert client.get(f"{API}/kies").json()["available_in_nl"] is True
    page = client.get("/interventies/new-beginnings-program", headers={"Accept": "text/html"})
    assert "Niet in Nederland verkrijgbaar" in BeautifulSoup(page.text, "html.parser").get_text()


def test_a_result_card_says_not_in_the_netherlands(client: Client) -> None:
    items = client.get(API, params={"q": "New Beginnings"}).json()["items"]
    card = next(i for i in items if i["slug"] == "new-beginnings-program")
    assert card["available_in_nl"] is False
    page = client.get(
        "/interventies", params={"q": "New Beginnings"}, headers={"Accept": "text/html"}
    )
    soup = BeautifulSoup(page.text, "html.parser")
    assert "Niet in Nederland verkrijgbaar" in soup.get_text()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param("    municipalities: [Utreht]", "Bedoelde u Utrecht", id="typo"),
        pytest.param("    municipalities: [Haaren]", "Bedoelde u Boxtel", id="divided"),
        pytest.param("    province: Zeelandia", "onbekende provincie", id="province"),
        pytest.param(
            "    arrondissement: Zeeland-West-Brabant", "past niet bij de gemeenten", id="mismatch"
        ),
    ],
)
def test_kb_check_refuses_an_unknown_place(content_copy: Path, line: str, message: str) -> None:
    path = content_copy / "interventions" / "scheidingsloket-rotterdam.md"
    text = path.read_text(encoding="utf-8")
    field = line.split(":")[0]
    old = next(li for li in text.splitlines() if li.startswith(field + ":"))
    path.write_text(text.replace(old, line, 1), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_entries(content_copy)
    # The entry itself is refused (so others' links to it fail too); its problem names the place.
    [problem] = [p for p in caught.value.problems if p.path.endswith(path.name)]
    assert message in problem.message
    lines = text.splitlines()
    # At the place's own line; a mismatch between two places at the provider's first line.
    at = lines.index(old) if problem.field != "providers[0]" else lines.index("providers:") + 1
    assert problem.line == at + 1
