"""Regression tests for the findings of the attack on the running product (issue 11) that
concern the analysis's access and input rules and the hardening of every request: each test is
named after its finding."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from bs4 import BeautifulSoup
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from kb.access import Caller, CurrentUser
from kb.auth.models import AuditEntry
from kb.conflict_analysis.advisor import Advisor
from kb.conflict_analysis.form import body_from_values, form_values, values_from_body
from kb.conflict_analysis.models import AnalysisVersion
from kb.conflict_analysis.schemas import (
    ITEM_TEXT,
    LONG_TEXT,
    MAX_CHILDREN,
    MAX_ENTRIES,
    MAX_ITEMS,
    MAX_STATEMENTS,
    SHORT_TEXT,
    SUMMARY_TEXT,
    TEXT,
)
from kb.conflict_analysis.service import AnalysisService
from kb.db import alembic_config, make_engine
from kb.errors import NotFoundError
from kb.interventions.catalogue import Catalogue
from kb.search.base import SearchBackend
from kb.settings import Settings
from kb.web.requests import (
    MAX_JSON_DEPTH,
    Network,
    client_address_of,
    json_depth_exceeds,
    trusted_networks,
)
from tests.browser.live import running_app
from tests.conflict_analysis.helpers import API, Raad
from tests.factories import COURT, OFFICE, child, realistic_case
from tests.helpers import FIXTURE_CONTENT, AppUnderTest, ClientAs, Person, csrf_token

PROBLEM = "application/problem+json"

OTHER_COURT = "Rechtbank Den Haag"

# --- Finding 1: a submitted version keeps its court -------------------------------------------


def _listed(client: TestClient[Litestar], analysis_id: int) -> list[dict[str, Any]]:
    listed = client.get(API)
    assert listed.status_code == 200, listed.text
    return [row for row in listed.json() if row["id"] == analysis_id]


def _reads(client: TestClient[Litestar], analysis_id: int, version: int | None = None) -> list[int]:
    """The statuses of every way to read one version: JSON, report, PDF, and the pages."""
    query = f"?version={version}" if version else ""
    page_query = f"?versie={version}" if version else ""
    paths = [
        f"{API}/{analysis_id}{query}",
        f"{API}/{analysis_id}/report{query}",
        f"{API}/{analysis_id}/report.pdf{query}",
        f"/analyses/{analysis_id}/rapport{page_query}",
    ]
    return [client.get(path).status_code for path in paths]


def test_finding_01_submitted_version_keeps_its_court(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    amsterdam, den_haag = raad.judge, raad.make("rechter", court=OTHER_COURT)
    first = raad.submitted(case)
    url = f"{API}/{first['id']}"

    # A case keeps the court of its first submit (issue 12): the API refuses to move it ...
    draft = raad.investigator.post(f"{url}/reassessments").json()
    case["case"] |= {"court": OTHER_COURT, "case_number": "C/09/123456 / FA RK 26-1"}
    moved = raad.investigator.put(url, json=case, headers={"If-Match": draft["etag"]})
    assert moved.status_code == 422, moved.text
    assert [e["loc"] for e in moved.json()["errors"]] == [["case", "court"]]
    # ... but each version still answers for its own court alone, as rows written before that
    # rule show: put the draft at Den Haag in the database itself.
    with Session(prepared[0]) as session, session.begin():
        row = session.scalars(
            select(AnalysisVersion).where(
                AnalysisVersion.analysis_id == first["id"], AnalysisVersion.version == 2
            )
        ).one()
        row.body = row.body | {"case": case["case"]}
        row.court, row.case_number = OTHER_COURT, case["case"]["case_number"]
    assert raad.investigator.get(url).json()["court"] == OTHER_COURT

    # Version 1 is still Amsterdam's alone: every way to read it, and the list.
    assert _reads(amsterdam, first["id"]) == [200] * 4
    assert amsterdam.get(url).json()["court"] == COURT
    assert [
        (r["version"], r["court"], r["case_number"]) for r in _listed(amsterdam, first["id"])
    ] == [(1, COURT, first["case_number"])]
    assert _reads(den_haag, first["id"]) == [404] * 4
    assert _reads(den_haag, first["id"], version=1) == [404] * 4
    assert _listed(den_haag, first["id"]) == []

    # Version 2 is submitted for Den Haag: each judge reads the version of their own court.
    assert raad.investigator.post(f"{url}/submit").status_code == 200
    assert raad.expert.post(f"{url}/approve").status_code == 200
    mine = den_haag.get(url).json()
    assert (mine["version"], mine["court"]) == (2, OTHER_COURT)
    assert [v["version"] for v in mine["versions"]] == [2]
    assert _reads(den_haag, first["id"], version=1) == [404] * 4
    assert [(r["version"], r["court"]) for r in _listed(den_haag, first["id"])] == [
        (2, OTHER_COURT)
    ]
    # The report compares only with versions its reader may read: no change list from Amsterdam's.
    report = BeautifulSoup(den_haag.get(f"{url}/report").text, "html.parser")
    assert COURT not in report.get_text()

    theirs = amsterdam.get(url).json()
    assert (theirs["version"], theirs["court"]) == (1, COURT)
    assert [v["version"] for v in theirs["versions"]] == [1]
    assert _reads(amsterdam, first["id"], version=2) == [404] * 4
    assert [(r["version"], r["court"]) for r in _listed(amsterdam, first["id"])] == [(1, COURT)]

    # The database holds each version's own court, and the investigator sees both.
    with Session(prepared[0]) as session:
        courts = session.execute(
            select(AnalysisVersion.version, AnalysisVersion.court)
            .where(AnalysisVersion.analysis_id == first["id"])
            .order_by(AnalysisVersion.version)
        ).all()
    assert [tuple(row) for row in courts] == [(1, COURT), (2, OTHER_COURT)]
    assert [v["version"] for v in raad.investigator.get(url).json()["versions"]] == [1, 2]


_ROWS_BEFORE_0006 = [
    """INSERT INTO account (id, username, role, office, password_hash, active, demo, auth_version,
       created_at) VALUES (1, 'onderzoeker', 'raadsonderzoeker', 'Raad Amsterdam', 'x', true,
       false, 1, CURRENT_TIMESTAMP)""",
    """INSERT INTO analysis (id, case_number, court, office, author_id, created_at)
       VALUES (1, 'C/13/1', 'Rechtbank Amsterdam', 'Raad Amsterdam', 1, CURRENT_TIMESTAMP)""",
    *(
        f"""INSERT INTO analysis_version (id, analysis_id, version, revision, status, body,
        recommendation, computed_advice, final_advice, safety_level, reassess_by, evaluated_on,
        author_id, created_at, updated_at) VALUES ({number}, 1, {number}, 1, '{status}', '{{}}',
        '{{}}', 'niet_nodig', 'niet_nodig', 'geen', '2026-06-01', '2026-01-01', 1,
        CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"""
        for number, status in ((1, "ingediend"), (2, "concept"))
    ),
]


def _migrate(engine: Engine, target: str, down: bool = False) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)


def _submitted_is_final(connection: Connection) -> None:
    with pytest.raises(DBAPIError, match="ingediend"), connection.begin_nested():
        connection.execute(text("UPDATE analysis_version SET revision = 2 WHERE version = 1"))


def test_finding_01_migration_gives_each_version_its_court(
    settings: Settings, empty_database: str
) -> None:
    engine = make_engine(settings.model_copy(update={"database_url": empty_database}))
    _migrate(engine, "0005")
    with engine.begin() as connection:
        for statement in _ROWS_BEFORE_0006:
            connection.execute(text(statement))
    _migrate(engine, "0006")
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT version, court, case_number FROM analysis_version ORDER BY version")
        ).all()
        assert [tuple(r) for r in rows] == [(1, COURT, "C/13/1"), (2, COURT, "C/13/1")]
        _submitted_is_final(connection)  # the trigger is back
        connection.execute(
            text(f"UPDATE analysis_version SET court = '{OTHER_COURT}' WHERE version = 2")
        )
    # Down again: the case takes the newest version's court, as the draft used to leave it.
    _migrate(engine, "0005", down=True)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT court FROM analysis")).scalar() == OTHER_COURT
        _submitted_is_final(connection)
    engine.dispose()


# --- Finding 13: refused reads are audited ----------------------------------------------------


def _refusals(
    engine: Engine, analysis_id: int
) -> list[tuple[str | None, int | None, dict[str, Any]]]:
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "analysis.refused")
            .where(AuditEntry.object_id == str(analysis_id))
            .order_by(AuditEntry.id)
        ).all()
        return [(e.role, e.version, dict(e.detail)) for e in entries]


def test_finding_13_refused_read_audited(
    raad: Raad, case: dict[str, Any], prepared: tuple[Engine, SearchBackend]
) -> None:
    made = raad.submitted(case)
    url = f"{API}/{made['id']}"
    stranger = raad.make("rechter", court=OTHER_COURT)
    colleague = raad.make("raadsonderzoeker", office=OFFICE)

    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/analyses/{made['id']}/rapport").status_code == 404
    assert raad.judge.get(f"{url}?version=7").status_code == 404
    # A colleague of the office may read it, but not start the author's re-assessment.
    assert colleague.post(f"{url}/reassessments").status_code == 403

    assert _refusals(prepared[0], made["id"]) == [
        ("rechter", None, {"via": "api", "asked": "analysis.read"}),
        ("rechter", None, {"via": "pagina", "asked": "analysis.read"}),
        ("rechter", 7, {"via": "api", "asked": "analysis.read"}),
        ("raadsonderzoeker", 1, {"via": "api", "asked": "analysis.reassess"}),
    ]
    # An analysis that does not exist is refused and recorded in the same way.
    assert stranger.get(f"{API}/2147483000").status_code == 404
    assert _refusals(prepared[0], 2147483000) == [
        ("rechter", None, {"via": "api", "asked": "analysis.read"})
    ]


# --- Finding 5: huge ids, NUL characters, deep JSON -------------------------------------------


def _routes_with_int_params(app: Litestar) -> list[tuple[str, str]]:
    """(method, path template) of every registered route with a whole number in its path."""
    found = []
    for route in app.routes:
        params = getattr(route, "path_parameters", {})
        if not any(p.type is int for p in params.values()):
            continue
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            found.append((method, route.path))
    return found


@pytest.mark.parametrize(
    "number", [pytest.param(2**31, id="2^31"), pytest.param(2**63, id="2^63"), 10**30, 0, -1]
)
def test_finding_05_large_id_is_404(app: Litestar, client_as: ClientAs, number: int) -> None:
    routes = _routes_with_int_params(app)
    assert len(routes) >= 15 and ("GET", f"{API}/{{analysis_id:int}}/report.pdf") in routes
    # Signed in, so that nothing but the number decides; pages get the CSRF token as well.
    client = client_as("raadsonderzoeker", office=OFFICE)
    token = csrf_token(client, "/analyses")
    for method, template in routes:
        path = re.sub(r"\{(\w+):int\}", str(number), template)
        form = None if path.startswith("/api/") else {"_csrf_token": token}
        response = client.request(method, path, data=form, headers={"If-Match": '"1-1"'})
        assert response.status_code == 404, (method, path, response.text[:200])
        if path.startswith("/api/"):
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.json()["title"] == "Niet gevonden"


@pytest.mark.parametrize(
    "path",
    [
        "/interventies/%00",
        "/static/%00",
        "/static/kb.css%00.png",
        f"{API}/%00",
        "/api/v1/interventions/%00",
    ],
)
def test_finding_05_nul_byte_in_path(client: TestClient[Litestar], path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404), response.text[:200]
    if response.status_code == 400:
        assert "ongeldig teken" in response.text
    if path.startswith("/api/"):
        assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    ("depth", "status"),
    [
        pytest.param(100_000, 400, id="100000-deep"),
        pytest.param(MAX_JSON_DEPTH + 1, 400, id="just-too-deep"),
        pytest.param(MAX_JSON_DEPTH, 422, id="deep-but-parsed"),
    ],
)
def test_finding_05_deep_json(raad: Raad, depth: int, status: int) -> None:
    nested = '{"case": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    for path in (API, f"{API}/evaluate"):
        response = raad.investigator.post(
            path, content=nested, headers={"content-type": "application/json"}
        )
        assert response.status_code == status, response.text[:200]
        assert response.headers["content-type"].startswith(PROBLEM)
    # Anonymous too: the token endpoint parses JSON before anyone is known.
    anonymous = raad.make(None).post(
        "/api/v1/auth/token", content="[" * depth, headers={"content-type": "application/json"}
    )
    # Unclosed: malformed either way, but only said so in Dutch once it is not too deep to read.
    assert anonymous.status_code == 400, anonymous.text[:200]
    assert anonymous.json()["detail"].startswith("De inhoud is")


@pytest.mark.parametrize(
    ("body", "too_deep"),
    [
        pytest.param(b'{"a": "[[[[[[[[[["}', False, id="brackets-in-a-text"),
        pytest.param(b'{"a": "\\"[[[[["}', False, id="escaped-quote-then-brackets"),
        pytest.param(b"[" * 4 + b"]" * 4, False, id="four"),
        pytest.param(b"[" * 5, True, id="five-unclosed"),
        pytest.param(b'[{"a": [{"b": []}]}]', True, id="five-mixed"),
    ],
)
def test_finding_05_json_depth_is_counted_without_parsing(body: bytes, too_deep: bool) -> None:
    assert json_depth_exceeds(body, limit=4) is too_deep


# --- Finding 6: strict types --------------------------------------------------------------------


def _errors(response: Any) -> list[tuple[tuple[Any, ...], str]]:
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"].startswith(PROBLEM)
    return [(tuple(e["loc"]), e["msg"]) for e in response.json()["errors"]]


WHOLE = "Moet een geheel getal zijn."
YES_NO = "Moet waar of onwaar zijn (true/false)."
DATE = "Moet een datum zijn in de vorm JJJJ-MM-DD."


@pytest.mark.parametrize(
    ("section", "field", "value", "message"),
    [
        pytest.param("conflict", "glasl_step", True, WHOLE, id="glasl-true"),
        pytest.param("conflict", "glasl_step", False, WHOLE, id="glasl-false"),
        pytest.param("safety", "veilig_thuis_reports", True, WHOLE, id="reports-true"),
        pytest.param("safety", "acute_danger", 1, YES_NO, id="danger-1"),
        pytest.param("safety", "police_involved", 0, YES_NO, id="police-0"),
    ],
)
def test_finding_06_bool_is_not_a_step(
    raad: Raad, case: dict[str, Any], section: str, field: str, value: Any, message: str
) -> None:
    case[section][field] = value
    before = raad.investigator.get(API).json()
    for path in (API, f"{API}/evaluate"):
        assert _errors(raad.investigator.post(path, json=case)) == [((section, field), message)]
    assert raad.investigator.get(API).json() == before  # nothing half-written


@pytest.mark.parametrize(
    ("place", "value", "message"),
    [
        pytest.param(("conflict", "glasl_step"), "5", WHOLE, id="glasl-text"),
        pytest.param(("conflict", "glasl_step"), 5.0, WHOLE, id="glasl-float"),
        pytest.param(("case", "earlier_procedures"), "2", WHOLE, id="procedures-text"),
        pytest.param(("children", 0, "birth_year"), "2016", WHOLE, id="birth-year-text"),
        pytest.param(("children", 0, "heard"), "true", YES_NO, id="heard-text"),
        pytest.param(("case", "procedure_started_on"), 1_700_000_000, DATE, id="date-number"),
    ],
)
def test_finding_06_string_is_not_a_number(
    raad: Raad, case: dict[str, Any], place: tuple[Any, ...], value: Any, message: str
) -> None:
    *parents, name = place
    target = case
    for key in parents:
        target = target[key]
    target[name] = value
    assert _errors(raad.investigator.post(f"{API}/evaluate", json=case)) == [(place, message)]


def test_finding_06_the_form_converts_its_own_texts() -> None:
    body, _ = body_from_values(
        form_values(
            {
                "conflict.glasl_step": "5",
                "case.earlier_procedures": " 2 ",
                "safety.acute_danger": "nee",
                "children.0.birth_year": "2016",
                "children.0.heard": "ja",
                "factors.0.weight": "twee",  # not a number: the model names the field
            }
        )
    )
    assert body["conflict"]["glasl_step"] == 5
    assert body["case"]["earlier_procedures"] == 2
    assert body["safety"]["acute_danger"] is False
    assert body["children"][0].items() >= {"birth_year": 2016, "heard": True}.items()
    assert body["factors"][0]["weight"] == "twee"


def test_finding_06_the_form_still_saves_numbers(raad: Raad, case: dict[str, Any]) -> None:
    made = raad.created(case)
    url = f"/analyses/{made['id']}/bewerken"
    page = BeautifulSoup(raad.investigator.get(url).text, "html.parser")
    hidden = {
        str(field["name"]): str(field.get("value", ""))
        for field in page.select("input[type=hidden][name]")
    }
    values = values_from_body(case) | {"conflict.glasl_step": ["8"]}
    posted = hidden | {
        name: items if len(items) > 1 else items[0] for name, items in values.items()
    }
    saved = raad.investigator.post(url, data=posted, follow_redirects=False)
    assert saved.status_code == 303, saved.text[:500]
    stored = raad.investigator.get(f"{API}/{made['id']}").json()["body"]
    assert stored["conflict"]["glasl_step"] == 8
    assert stored["case"]["earlier_procedures"] == case["case"]["earlier_procedures"]


# --- Finding 8: forwarded addresses only from trusted proxies ----------------------------------

LOOPBACK = trusted_networks(["127.0.0.1"])


@pytest.mark.parametrize(
    ("peer", "headers", "trusted", "client"),
    [
        pytest.param(
            "127.0.0.1", {"x-forwarded-for": "203.0.113.9"}, (), "127.0.0.1", id="no-trust"
        ),
        pytest.param(
            "198.51.100.1",
            {"x-forwarded-for": "203.0.113.9"},
            LOOPBACK,
            "198.51.100.1",
            id="untrusted-peer",
        ),
        pytest.param(
            "127.0.0.1",
            {"x-forwarded-for": "203.0.113.9"},
            LOOPBACK,
            "203.0.113.9",
            id="trusted-peer",
        ),
        pytest.param(
            "127.0.0.1",
            {"x-forwarded-for": "6.6.6.6, 203.0.113.9"},
            LOOPBACK,
            "203.0.113.9",
            id="forged-left-of-the-real-one",
        ),
        pytest.param(
            "10.0.0.2",
            {"x-forwarded-for": "203.0.113.9, 10.0.0.1"},
            trusted_networks(["10.0.0.0/8"]),
            "203.0.113.9",
            id="two-proxies",
        ),
        pytest.param(
            "127.0.0.1",
            {"forwarded": 'for="[2001:db8::7]:4711";proto=https'},
            LOOPBACK,
            "2001:db8::7",
            id="forwarded-ipv6",
        ),
        pytest.param(
            "127.0.0.1",
            {"x-forwarded-for": "203.0.113.9", "forwarded": "for=6.6.6.6"},
            LOOPBACK,
            "203.0.113.9",
            id="x-forwarded-for-first",
        ),
        pytest.param(
            "127.0.0.1",
            {"x-forwarded-for": "niet-een-adres"},
            LOOPBACK,
            "127.0.0.1",
            id="garbage",
        ),
        pytest.param(
            "testclient", {"x-forwarded-for": "6.6.6.6"}, LOOPBACK, "testclient", id="named-peer"
        ),
    ],
)
def test_finding_08_one_function_decides_the_client_address(
    peer: str, headers: dict[str, str], trusted: tuple[Network, ...], client: str
) -> None:
    raw = [(name.encode(), value.encode()) for name, value in headers.items()]
    assert client_address_of(peer, raw, trusted) == client


@pytest.mark.parametrize(
    ("environment", "trusted"),
    [
        pytest.param("", [], id="none"),
        pytest.param("127.0.0.1, 10.0.0.0/8", ["127.0.0.1/32", "10.0.0.0/8"], id="list"),
        pytest.param("::1", ["::1/128"], id="ipv6"),
    ],
)
def test_finding_08_trusted_proxies_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, environment: str, trusted: list[str]
) -> None:
    monkeypatch.setenv("KB_TRUSTED_PROXIES", environment)
    assert Settings(_env_file=None).trusted_proxies == trusted  # type: ignore[call-arg]


def test_finding_08_a_wrong_trusted_proxy_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_TRUSTED_PROXIES", "proxy.example.org")
    with pytest.raises(ValueError, match=r"proxy\.example\.org"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def _from_loopback(app: Litestar) -> TestClient[Any]:
    """A client whose requests arrive from 127.0.0.1, as from a proxy on the same host."""

    async def peer(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, "client": ("127.0.0.1", 40000)}
        await app(scope, receive, send)

    return TestClient(app=peer, raise_server_exceptions=False)  # type: ignore[arg-type]


def _guess(client: TestClient[Any], name: str, forwarded_for: str) -> int:
    response = client.post(
        "/api/v1/auth/token",
        json={"username": name, "password": "geraden-wachtwoord"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


def _failed_addresses(engine: Engine) -> list[str | None]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(AuditEntry.address)
                .where(AuditEntry.action == "auth.sign_in_failed")
                .order_by(AuditEntry.id)
            )
        )


def test_finding_08_forwarded_for_ignored_without_trusted_proxy(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated()
    iso.client()  # runs the app's start-up
    client = _from_loopback(iso.app)
    # Each guess claims another address; all come from one: the fifth failure locks it.
    assert [_guess(client, f"gok-{n}", f"203.0.113.{n}") for n in range(6)] == [401] * 5 + [429]
    assert set(_failed_addresses(iso.engine)) == {"127.0.0.1"}


def test_finding_08_forwarded_for_believed_from_a_trusted_proxy(
    isolated: Callable[..., AppUnderTest],
) -> None:
    iso = isolated(trusted_proxies=["127.0.0.0/8"])
    iso.client()
    client = _from_loopback(iso.app)
    # Behind the proxy, six different clients each fail once: nobody is locked out …
    assert [_guess(client, f"gok-{n}", f"203.0.113.{n}") for n in range(6)] == [401] * 6
    assert _failed_addresses(iso.engine) == [f"203.0.113.{n}" for n in range(6)]
    # … but one client failing five times is, whatever it puts left of its real address.
    for n in range(5):
        assert _guess(client, f"ander-{n}", f"6.6.6.{n}, 198.51.100.7") == 401
    assert _guess(client, "nog-een", "198.51.100.7") == 429


def _served_guess(url: str, forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"{url}/api/v1/auth/token",
        data=json.dumps({"username": forwarded_for, "password": "geraden"}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.served
def test_finding_08_kb_serve_believes_no_forwarded_for_by_default(tmp_path: Path) -> None:
    """As attacked: `kb serve`, guesses from 127.0.0.1, each claiming another address."""
    with running_app(tmp_path, workers=1, content_dir=FIXTURE_CONTENT) as url:
        statuses = [_served_guess(url, f"203.0.113.{n}") for n in range(6)]
    assert statuses == [401] * 5 + [429]


# --- Finding 10: no personal data in caches ----------------------------------------------------

Who = str | None


@pytest.mark.parametrize(
    ("who", "method", "path", "no_store"),
    [
        pytest.param("raadsonderzoeker", "GET", API, True, id="analyses-list-api"),
        pytest.param("raadsonderzoeker", "GET", f"{API}/{{id}}", True, id="analysis-api"),
        pytest.param("raadsonderzoeker", "GET", f"{API}/{{id}}/report", True, id="report"),
        pytest.param("raadsonderzoeker", "GET", f"{API}/{{id}}/report.pdf", True, id="report-pdf"),
        pytest.param("raadsonderzoeker", "GET", "/analyses", True, id="analyses-page"),
        pytest.param("raadsonderzoeker", "GET", "/analyses/{id}", True, id="dossier-page"),
        pytest.param("raadsonderzoeker", "GET", "/analyses/{id}/rapport", True, id="report-page"),
        pytest.param(
            "raadsonderzoeker", "GET", "/analyses/{id}/rapport.pdf", True, id="report-page-pdf"
        ),
        pytest.param("raadsonderzoeker", "GET", "/analyses/{id}/bewerken", True, id="form-page"),
        pytest.param("raadsonderzoeker", "GET", f"{API}/999999", True, id="refused-read"),
        pytest.param("raadsonderzoeker", "GET", "/api/v1/auth/me", True, id="me"),
        pytest.param("raadsonderzoeker", "GET", "/interventies", True, id="public-page-signed-in"),
        pytest.param("beheerder", "GET", "/api/v1/accounts", True, id="accounts-api"),
        pytest.param("beheerder", "GET", "/api/v1/audit", True, id="audit-api"),
        pytest.param("beheerder", "GET", "/beheer/accounts", True, id="accounts-page"),
        pytest.param("beheerder", "GET", "/beheer/audit", True, id="audit-page"),
        pytest.param(None, "POST", "/api/v1/auth/token", True, id="token"),
        pytest.param(None, "POST", "/wegwijzer", True, id="parents-answers"),
        pytest.param(None, "GET", "/interventies", False, id="public-page"),
        pytest.param("raadsonderzoeker", "GET", "/static/kb.css", False, id="static-file"),
    ],
)
def test_finding_10_no_store_on_personal_data(
    raad: Raad,
    case: dict[str, Any],
    client_as: ClientAs,
    user_factory: Callable[..., Person],
    who: Who,
    method: str,
    path: str,
    no_store: bool,
) -> None:
    made = raad.created(case)
    client = raad.investigator if who == "raadsonderzoeker" else client_as(who)
    body: dict[str, Any] = {}
    if path == "/api/v1/auth/token":
        person = user_factory("rechter")
        body = {"json": {"username": person.username, "password": person.password}}
    response = client.request(method, path.format(id=made["id"]), **body)
    assert response.status_code < 500, response.text[:200]
    assert ("no-store" in response.headers.get("cache-control", "")) is no_store


# --- Finding 12: limits on free text and on the body --------------------------------------------


def test_finding_12_free_text_limit(raad: Raad, case: dict[str, Any], settings: Settings) -> None:
    case["children"][0]["own_words"] = "w" * LONG_TEXT
    assert raad.investigator.post(f"{API}/evaluate", json=case).status_code == 200

    case["children"][0]["own_words"] = "w" * (LONG_TEXT + 1)
    case["assessment"]["summary"] = "s" * (SUMMARY_TEXT + 1)
    case["case"]["case_number"] = "C" * (SHORT_TEXT + 1)
    assert sorted(_errors(raad.investigator.post(API, json=case))) == sorted(
        [
            (("assessment", "summary"), f"Mag hoogstens {SUMMARY_TEXT} tekens lang zijn."),
            (("case", "case_number"), f"Mag hoogstens {SHORT_TEXT} tekens lang zijn."),
            (("children", 0, "own_words"), f"Mag hoogstens {LONG_TEXT} tekens lang zijn."),
        ]
    )
    many = realistic_case()
    many["children"] += [child(f"K{n}") for n in range(2, MAX_CHILDREN + 2)]
    too_many = raad.investigator.post(API, json=many)
    assert _errors(too_many) == [(("children",), f"Geef er hoogstens {MAX_CHILDREN} op.")]
    # A body beyond any analysis: refused before it is read to the end.
    case["children"] = [child() | {"own_words": "w" * settings.max_request_bytes}]
    too_big = raad.investigator.post(API, json=case)
    assert too_big.status_code == 413
    assert too_big.headers["content-type"].startswith(PROBLEM)
    assert "te groot" in too_big.json()["detail"]


def test_finding_12_the_largest_analysis_still_prints(raad: Raad, case: dict[str, Any]) -> None:
    """Every text at its limit, every list full: stored, and its PDF made (`make bench` times it)."""
    made = raad.created(largest_analysis(case))
    pdf = raad.investigator.get(f"{API}/{made['id']}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def _words(length: int) -> str:
    """Dutch-looking text of exactly `length` characters, with spaces to break lines at."""
    return (
        ("het kind zegt dat het thuis stil is " * (length // 30 + 1))[:length]
        .strip()
        .ljust(length, "x")
    )


def largest_analysis(case: dict[str, Any]) -> dict[str, Any]:
    """The case with every free text at its limit and every list as long as allowed."""
    short, item = _words(SHORT_TEXT), _words(ITEM_TEXT)
    case["case"]["case_number"] = short
    case["safety"]["protective_measures"] = [item] * MAX_ITEMS
    case["children"] = [
        child(
            f"K{n}",
            own_words=_words(LONG_TEXT),
            heard_by=[item] * MAX_ITEMS,
            stress_signals=[item] * MAX_ITEMS,
        )
        for n in range(1, MAX_CHILDREN + 1)
    ]
    case["interventions_tried"] = case["interventions_tried"][:1] * MAX_ENTRIES
    case["factors"] = [
        {"kind": "beschermend", "text": _words(TEXT), "weight": 2, "source": short}
    ] * MAX_ENTRIES
    case["assessment"] |= {
        "summary": _words(SUMMARY_TEXT),
        "statements": [{"text": _words(TEXT), "kind": "feit", "source": short}] * MAX_STATEMENTS,
        "deviation": {"advice": "overwegen", "reason": _words(LONG_TEXT)},
    }
    return case


def test_finding_12_the_form_tells_the_browser_each_limit(raad: Raad) -> None:
    page = BeautifulSoup(raad.investigator.get("/analyses/nieuw").text, "html.parser")
    limits = {
        "children.0.own_words": LONG_TEXT,
        "assessment.summary": SUMMARY_TEXT,
        "assessment.statements.0.text": TEXT,
        "factors.0.text": TEXT,
        "case.case_number": SHORT_TEXT,
    }
    for name, limit in limits.items():
        field = page.select_one(f'[name="{name}"]')
        assert field is not None and field.get("maxlength") == str(limit), name


def test_finding_13_a_refusal_after_a_write_joins_the_callers_transaction(
    case: dict[str, Any],
    prepared: tuple[Engine, SearchBackend],
    user_factory: Callable[..., Person],
    kb_catalogue: Catalogue,
) -> None:
    """A second transaction would wait for the audit lock the first holds: no hang, one record."""
    person = user_factory("raadsonderzoeker", office=OFFICE)
    caller = Caller(
        CurrentUser(id=person.id, username=person.username, role=person.role, office=OFFICE)
    )
    with Session(prepared[0]) as session:
        service = AnalysisService(session, Advisor(kb_catalogue), caller)
        service.create(case)
        with pytest.raises(NotFoundError):
            service.read(2147483001)
        session.commit()
    assert _refusals(prepared[0], 2147483001) == [
        ("raadsonderzoeker", None, {"via": "api", "asked": "analysis.read"})
    ]
