"""The logs: JSON lines, one per request with the id the response carries, and never case
content, names, tokens, passwords or activation links, however verbose the level."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient

from kb.logs import configure_logging
from tests.factories import COURT, OFFICE, realistic_case
from tests.helpers import AppUnderTest, csrf_token, get_token

MARKER = "zqxmarker"  # in every free text below; must appear in no log line
API = "/api/v1/conflict-analyses"
# The analysis's free texts: everything a person writes in their own words.
FREE_TEXT_KEYS = {"case_number", "own_words", "summary", "text", "source", "reason", "comment"}
FREE_TEXT_LISTS = {"heard_by", "protective_measures"}


def _marked(value: Any, key: str = "") -> Any:
    """`value` with the marker in every free text."""
    if isinstance(value, dict):
        return {k: _marked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in FREE_TEXT_LISTS:
            return [*value, f"{MARKER} {key}"]
        return [_marked(v, key) for v in value]
    if isinstance(value, str) and key in FREE_TEXT_KEYS:
        return f"{value} {MARKER}"
    return value


@pytest.fixture()
def log_lines() -> Iterator[Callable[[], list[str]]]:
    """The JSON logging of `kb serve` at its most verbose (DEBUG), into a buffer; the test
    session's own logging is put back afterwards."""
    root = logging.getLogger()
    saved = (
        root.handlers[:],
        root.level,
        {n: logging.getLogger(n).level for n in ("kb", "uvicorn.error")},
    )
    buffer = io.StringIO()
    configure_logging("DEBUG", buffer)
    yield lambda: buffer.getvalue().splitlines()
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_no_log_line_carries_what_people_wrote(
    shared_app: AppUnderTest, log_lines: Callable[[], list[str]]
) -> None:
    under_test = shared_app
    investigator = under_test.person("raadsonderzoeker", office=OFFICE)
    expert = under_test.person("gedragsdeskundige", office=OFFICE)
    admin = under_test.person("beheerder")
    secrets: list[str] = []
    with TestClient(under_test.app) as client:
        tokens = {
            p.username: get_token(client, p.username, p.password)
            for p in (investigator, expert, admin)
        }
        secrets += tokens.values()
        body = _marked(realistic_case())
        made = client.post(API, json=body, headers=_bearer(tokens[investigator.username]))
        assert made.status_code == 201, made.text
        number = made.json()["id"]
        assert MARKER in json.dumps(made.json()["body"])  # the marker really went in
        sent = client.post(f"{API}/{number}/submit", headers=_bearer(tokens[investigator.username]))
        assert sent.status_code == 200, sent.text
        back = client.post(
            f"{API}/{number}/return",
            json={"comment": f"Graag aanvullen {MARKER}"},
            headers=_bearer(tokens[expert.username]),
        )
        assert back.status_code in (200, 404, 405)  # the return step exists from issue 13 on
        assert (
            client.get(
                f"{API}/{number}/report", headers=_bearer(tokens[investigator.username])
            ).status_code
            == 200
        )
        bad = dict(body, case=dict(body["case"], court=f"Rechtbank {MARKER}"))
        assert (
            client.post(API, json=bad, headers=_bearer(tokens[investigator.username])).status_code
            == 422
        )

        # A name: an invitation for a user called after the marker, and its activation link.
        invited = client.post(
            "/api/v1/accounts",
            json={"username": f"{MARKER}.jansen", "role": "rechter", "court": COURT},
            headers=_bearer(tokens[admin.username]),
        )
        assert invited.status_code == 201, invited.text
        link = urlsplit(invited.json()["activation_url"]).path
        secrets.append(link.rsplit("/", 1)[-1])
        assert client.get(link).status_code == 200
        again = client.post(
            f"/api/v1/accounts/{MARKER}.jansen/invitation", headers=_bearer(tokens[admin.username])
        )
        assert again.status_code in (200, 201), again.text

        # Passwords: wrong ones on the API and the sign-in form, with the marker in name and password.
        for username in (investigator.username, f"{MARKER}.onbekend"):
            wrong = {"username": username, "password": f"{MARKER}-wachtwoord"}
            assert client.post("/api/v1/auth/token", json=wrong).status_code == 401
        form = {
            "username": f"{MARKER}.formulier",
            "password": f"{MARKER}-geheim",
            "_csrf_token": csrf_token(client),
        }
        assert client.post("/aanmelden", data=form).status_code in (200, 401)

        # What the public types: a search, a place, the guide.
        assert (
            client.get("/api/v1/interventions", params={"q": f"omgang {MARKER}"}).status_code == 200
        )
        assert (
            client.get("/api/v1/interventions", params={"municipality": MARKER}).status_code == 422
        )
        assert client.get(f"/interventies/{MARKER}").status_code == 404
        assert client.get(f"/api/v1/regions/municipalities/{MARKER}").status_code == 404

    lines = log_lines()
    assert lines, "nothing was logged"
    requests = [json.loads(line) for line in lines if '"kb.request"' in line]
    assert len(requests) >= 15
    for line in lines:
        json.loads(line)  # every line is one JSON object
        assert MARKER not in line.lower()
        for secret in secrets:
            assert secret not in line


def test_each_request_logs_one_line_with_the_id_it_answers_with(
    isolated: Callable[..., AppUnderTest], log_lines: Callable[[], list[str]]
) -> None:
    under_test = isolated()
    with TestClient(under_test.app) as client:
        answers = [
            client.get("/api/v1/health"),
            client.get("/bestaat-niet"),
            client.get("/interventies"),
        ]
    ids = [answer.headers["X-Request-ID"] for answer in answers]
    logged = [json.loads(line) for line in log_lines()]
    requests = [line for line in logged if line["logger"] == "kb.request"]
    assert [line["request_id"] for line in requests] == ids
    assert [line["route"] for line in requests] == ["/api/v1/health", "unmatched", "/interventies"]
    assert [line["status"] for line in requests] == [200, 404, 200]
    assert all(line["level"] == "INFO" and line["duration_ms"] >= 0 for line in requests)


def test_a_request_id_is_taken_only_from_a_trusted_proxy(
    isolated: Callable[..., AppUnderTest],
) -> None:
    under_test = isolated()
    with TestClient(under_test.app) as client:
        answer = client.get("/api/v1/health", headers={"X-Request-ID": "chosen-by-the-client"})
    assert answer.headers["X-Request-ID"] != "chosen-by-the-client"


def test_the_level_is_configurable(log_lines: Callable[[], list[str]]) -> None:
    configure_logging("WARNING", io.StringIO())
    assert not logging.getLogger("kb.request").isEnabledFor(logging.INFO)
    assert logging.getLogger("kb.request").isEnabledFor(logging.WARNING)
    configure_logging("DEBUG", io.StringIO())
    assert logging.getLogger("kb.app").isEnabledFor(logging.DEBUG)
    # Libraries stay at WARNING: SQLAlchemy would log statements with their values.
    assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
