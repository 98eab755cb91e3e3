"""Every role (and anonymous) × every analysis route → the expected status, as rows of data.

The rows have the shape of `tests/auth/test_access_matrix.py` (`tests.helpers.Row`), so they can
move into that table as they are. An unknown analysis (999999) shows the case-level answer: 404
for every role that may read analyses at all, 403 for the others, 401 (API) or the sign-in page
(302) for anonymous.
"""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conflict_analysis.helpers import API
from tests.helpers import EVERYONE, ClientAs, Row, Who, expect, request_row

READERS = ("rechter", "raadsonderzoeker", "gedragsdeskundige")
RAAD = ("raadsonderzoeker", "gedragsdeskundige")
INVESTIGATOR = ("raadsonderzoeker",)
EXPERT = ("gedragsdeskundige",)
NONE = 999999
SOME = {"x": "y"}  # a body, so that a PUT reaches the case-level rule

ANALYSIS_ROWS: list[Row] = [
    Row("GET", API, expect(200, READERS, anonymous=401)),
    Row("POST", API, expect(422, INVESTIGATOR, anonymous=401), body=SOME),
    Row("POST", f"{API}/evaluate", expect(422, RAAD, anonymous=401), body=SOME),
    Row("GET", f"{API}/{NONE}", expect(404, READERS, anonymous=401)),
    Row("PUT", f"{API}/{NONE}", expect(404, INVESTIGATOR, anonymous=401), body=SOME),
    Row("POST", f"{API}/{NONE}/submit", expect(404, INVESTIGATOR, anonymous=401)),
    Row("POST", f"{API}/{NONE}/approve", expect(404, EXPERT, anonymous=401)),
    Row("POST", f"{API}/{NONE}/reassessments", expect(404, INVESTIGATOR, anonymous=401)),
    Row("GET", f"{API}/{NONE}/report", expect(404, READERS, anonymous=401)),
    Row("GET", f"{API}/{NONE}/report.pdf", expect(404, READERS, anonymous=401)),
    Row("GET", "/analyses", expect(200, READERS, anonymous=302)),
    Row("GET", "/analyses/nieuw", expect(200, INVESTIGATOR, anonymous=302)),
    Row("POST", "/analyses/", expect(422, INVESTIGATOR, anonymous=302), form={}),
    Row("POST", "/analyses/voorbeeld", expect(200, RAAD, anonymous=302), form={}),
    Row("GET", f"/analyses/{NONE}", expect(404, READERS, anonymous=302)),
    Row("GET", f"/analyses/{NONE}/bewerken", expect(404, INVESTIGATOR, anonymous=302)),
    Row("POST", f"/analyses/{NONE}/bewerken", expect(404, INVESTIGATOR, anonymous=302), form={}),
    Row("POST", f"/analyses/{NONE}/autosave", expect(404, INVESTIGATOR, anonymous=302), form={}),
    Row("POST", f"/analyses/{NONE}/indienen", expect(404, INVESTIGATOR, anonymous=302), form={}),
    Row("POST", f"/analyses/{NONE}/accorderen", expect(404, EXPERT, anonymous=302), form={}),
    Row("POST", f"/analyses/{NONE}/herijken", expect(404, INVESTIGATOR, anonymous=302), form={}),
    Row("GET", f"/analyses/{NONE}/rapport", expect(404, READERS, anonymous=302)),
    Row("GET", f"/analyses/{NONE}/rapport.pdf", expect(404, READERS, anonymous=302)),
]


def _status(client: TestClient[Litestar], row: Row) -> int:
    response = request_row(client, row, row.path)
    if response.status_code == 302:
        assert response.headers["location"].startswith("/aanmelden")
    return response.status_code


@pytest.mark.parametrize(
    ("row", "who"),
    [
        pytest.param(row, who, id=f"{row.method} {row.path} as {who or 'anoniem'}")
        for row in ANALYSIS_ROWS
        for who in EVERYONE
    ],
)
def test_analysis_route_matrix(row: Row, who: Who, client_as: ClientAs) -> None:
    assert _status(client_as(who), row) == row.expected[who]
