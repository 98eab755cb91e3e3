"""`/api/v1/interventions`: the contract's shapes, the first hit that matters, and odd input.

Totals and facet counts are checked on the hand-counted fixture corpus (`corpus_client`); the
real content (`client`) is for what its named entries must give.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine

from kb.interventions.catalogue import Catalogue
from kb.interventions.schemas import SearchPage
from kb.interventions.service import InterventionService, SearchParams
from kb.search.base import SearchBackend
from tests.helpers import FIXTURE_FACETS, FIXTURE_SLUGS

Client = TestClient[Litestar]


def test_kinderen_uit_de_knel_comes_first(client: Client) -> None:
    response = client.get("/api/v1/interventions", params={"q": "kinderen uit de knel"})
    assert response.status_code == 200
    body = response.json()
    assert body["items"][0]["slug"] == "kinderen-uit-de-knel"
    item = body["items"][0]
    assert set(item) >= {
        "slug",
        "title",
        "kind",
        "status",
        "summary",
        "evidence",
        "audience",
        "age_min",
        "age_max",
        "glasl_phases",
        "contraindications",
        "highlight",
    }
    assert set(item["evidence"]) == {
        "level",
        "label",
        "flags",
        "valid_until",
        "expired_ratings",
        "disputed",
    }
    assert set(body) == {
        "total",
        "page",
        "per_page",
        "items",
        "facets",
        "did_you_mean",
        "match",
        "topics",
    }


def test_list_without_query_holds_everything(corpus_client: Client) -> None:
    body = corpus_client.get("/api/v1/interventions", params={"per_page": 100}).json()
    assert body["total"] == len(body["items"]) == len(FIXTURE_SLUGS)
    assert {item["slug"] for item in body["items"]} == FIXTURE_SLUGS
    assert body["facets"] == FIXTURE_FACETS
    assert sum(body["facets"]["kind"].values()) == body["total"]
    levels = [item["evidence"]["level"] for item in body["items"]]
    assert levels == sorted(levels, reverse=True)


def test_detail_has_every_field(client: Client) -> None:
    response = client.get("/api/v1/interventions/kies")
    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "kies"
    label = "Effectief volgens goede aanwijzingen voor effectiviteit"
    assert body["ratings"][0]["label"] == label
    # Recognised on 11 December 2020 for five years: shown, no longer counted (domain.md §9.3).
    assert body["ratings"][0]["valid_until"] == "2025-12-11"
    assert body["evidence"]["level"] == 0
    assert body["evidence"]["expired_ratings"] == [
        {"scheme": "nji", "rating": label, "expired_on": "2025-12-11"}
    ]
    assert body["sources"] and all(s["url"].startswith("http") for s in body["sources"])
    assert "<h2>" in body["body_html"]
    for field in (
        "summary_b1",
        "age_min",
        "age_max",
        "providers",
        "last_reviewed",
        "next_review",
        "verified",
    ):
        assert field in body


def test_unknown_slug_is_a_problem(client: Client) -> None:
    response = client.get("/api/v1/interventions/bestaat-niet")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 404


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"q": '"kinderen'}, id="quote"),
        pytest.param({"q": "(knel"}, id="parenthesis"),
        pytest.param({"q": "knel AND ouders"}, id="and"),
        pytest.param({"q": "*"}, id="star"),
        pytest.param({"q": "title:knel"}, id="colon"),
        pytest.param({"q": "x" * 2000}, id="2000-chars"),
        pytest.param({"q": "kinderen " * 400}, id="many-words"),
        pytest.param({"kind": "cursus"}, id="unknown-kind"),
        pytest.param({"contraindication_free": "iets"}, id="unknown-code"),
        pytest.param({"municipality": "Nergenshuizen"}, id="unknown-place"),
        pytest.param({"page": "0"}, id="page-0"),
        pytest.param({"page": "-1"}, id="page-negative"),
        pytest.param({"page": "abc"}, id="page-text"),
        pytest.param({"per_page": "1000"}, id="per-page-too-big"),
        pytest.param({"age": "3.5"}, id="age-fraction"),
        pytest.param({"glasl_phase": "9"}, id="glasl-out-of-range"),
        pytest.param({"evidence_min": "vijf"}, id="evidence-text"),
        pytest.param({"page": "99999"}, id="page-too-far"),
        pytest.param({"q": "\x00\x01"}, id="control-chars"),
    ],
)
def test_odd_input_is_200_or_422(client: Client, params: dict[str, Any]) -> None:
    response = client.get("/api/v1/interventions", params=params)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        body = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert body["errors"] and all(e["loc"][0] == "query" and e["msg"] for e in body["errors"])


def test_validation_names_every_bad_field(client: Client) -> None:
    response = client.get("/api/v1/interventions", params={"page": "0", "age": "x"})
    fields = {e["loc"][1] for e in response.json()["errors"]}
    assert fields == {"page", "age"}


def test_blank_filters_mean_no_filter(client: Client) -> None:
    """Browsers send empty form fields; `?kind=` must not be an error."""
    response = client.get("/api/v1/interventions", params={"kind": "", "age": "", "q": ""})
    assert response.status_code == 200


def test_filters_from_the_contract(client: Client) -> None:
    body = client.get(
        "/api/v1/interventions",
        params={"kind": "interventie", "age": 7, "contraindication_free": "dwingende_controle"},
    ).json()
    assert body["total"] > 0
    for item in body["items"]:
        assert item["kind"] == "interventie"
        assert "dwingende_controle" not in item["contraindications"]
        assert item["age_min"] is None or item["age_min"] <= 7
        assert item["age_max"] is None or item["age_max"] >= 7


@pytest.mark.parametrize(
    "params",
    [
        {"q": "kinderen uit de knel"},
        {"q": "omgangsh", "kind": "interventie"},
        {"q": "kinderen uit de kneel", "audience": "kind", "glasl_phase": "3"},
        {"q": "xyzzyq"},
        {"per_page": "7", "page": "2", "evidence_min": "3"},
    ],
)
def test_api_answer_is_the_validated_search_page(
    client: Client,
    prepared: tuple[Engine, SearchBackend],
    kb_catalogue: Catalogue,
    params: dict[str, str],
) -> None:
    """The API encodes payloads without building models; the result must be what models give."""
    body = client.get("/api/v1/interventions", params=params).json()
    service = InterventionService(prepared[1], lambda: kb_catalogue)
    expected = service.search(SearchParams.parse(params)).model_dump(mode="json")
    assert body == expected
    assert body == SearchPage.model_validate(body).model_dump(mode="json")


def test_openapi_documents_the_api(client: Client) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "/api/v1/interventions" in schema["paths"]
    assert "/api/v1/interventions/{slug}" in schema["paths"]
    search = schema["paths"]["/api/v1/interventions"]["get"]
    answer = search["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/SearchPage"}
    names = {p["name"] for p in search["parameters"]}
    assert names >= {
        "q",
        "kind",
        "age",
        "glasl_phase",
        "evidence_min",
        "municipality",
        "page",
        "per_page",
    }


def test_health(corpus_client: Client) -> None:
    body = corpus_client.get("/api/v1/health").json()
    assert body["search"]["engine"] == "embedded"
    assert body["search"]["documents"] == len(FIXTURE_SLUGS)
